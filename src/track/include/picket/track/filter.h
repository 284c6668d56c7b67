// The kinematic filter of one track: an extended Kalman filter, or an interacting multiple model
// (IMM) bank of them, on a fixed-size D-dimensional state (motion.h).
//
// IMM (H. A. P. Blom, Y. Bar-Shalom, "The interacting multiple model algorithm for systems with
// Markovian switching coefficients", IEEE Trans. Automatic Control 33(8), 1988; the form of
// Bar-Shalom, Li, Kirubarajan 2001, section 11.6.6): three modes, nearly constant velocity and
// coordinated turns of +w and -w rad/s, all linear in the same state, so mixing needs no state
// augmentation. Mode switching is a continuous-time Markov chain: a mode is left at rate
// 1/mean_duration, to either other mode equally, which gives the transition matrix of any step
// length (durations in seconds, never in frames). With one mode the filter is a plain EKF.
//
// Measurement updates are EKF updates (the measurement model is linearised at each mode's
// prediction) in Joseph form, which keeps covariances symmetric and positive definite. Every
// update returns the measurement's likelihood, which drives association, existence and the mode
// probabilities.
//
// Time: predict(t) with t < time() is a precondition violation (the tracker never asks); steps
// longer than max_step are cut into equal sub-steps, each with its own mode interaction.
//
// Thread-safety: a value type; no shared state.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

#include "picket/track/measurement.h"
#include "picket/track/motion.h"

namespace picket::track {

struct ImmConfig {
  int modes = 1;           // 1: constant velocity only; 3: + coordinated turns left and right
  double turn_rate = 0.2;  // rad/s
  double cv_mean_duration = 10;
  double turn_mean_duration = 4;
  double max_step = 1;  // s
};

// An innovation and what the gate and the likelihood need of it.
template <int M>
struct Innovation {
  Vec<M> nu;
  Mat<M> S;
  Mat<M> S_inv;     // S^-1 (valid when ok)
  double d2 = 0;    // Mahalanobis distance squared, nu' S^-1 nu
  double norm = 0;  // the Gaussian's normalising constant, det(2 pi S)^-1/2
  bool ok = false;  // S positive definite
  double likelihood() const { return norm * std::exp(-0.5 * d2); }
  double log_likelihood() const { return std::log(norm) - 0.5 * d2; }
};

// D: spatial dimensions (2 ground, 3 air); K: modes (1: EKF, 3: IMM).
template <int D, int K>
class KinematicFilter {
  static_assert(K == 1 || K == 3, "one mode (EKF) or three (IMM)");

 public:
  static constexpr int kDims = D;
  static constexpr int kModes = K;
  static constexpr int N = 2 * D;
  using V = Vec<N>;
  using Cov = Mat<N>;
  struct Gaussian {
    V x;
    Cov P;
  };

  void init(double t, const V& x, const Cov& cov) {
    t_ = t;
    for (int j = 0; j < K; ++j) {
      xm(j) = x;
      Pm(j) = cov;
    }
    if constexpr (K == 3) {
      mu_ = {0.8, 0.1, 0.1};
    } else {
      mu_ = {1.0};
    }
    combine();
  }

  double time() const { return t_; }
  double mode_probability(int j) const { return mu_[static_cast<size_t>(j)]; }

  // The moment-matched combination of the modes: the published estimate (kept up to date by
  // init, predict and the updates).
  const Gaussian& estimate() const { return est_; }

  // The combined estimate predicted to t >= time() with the constant-velocity model, without
  // changing the filter: cheap enough to run for every gated track-detection pair.
  Gaussian predicted(double t, const MotionNoise& q) const {
    Gaussian g = est_;
    const double dt = t - t_;
    if (dt > 0) cv_predict<D>(dt, q, g.x, g.P);
    return g;
  }

  // IMM prediction to t >= time().
  void predict(double t, const ImmConfig& cfg, const MotionNoise& q) {
    double dt = t - t_;
    if (!(dt > 0)) return;
    const int steps = std::max(1, static_cast<int>(std::ceil(dt / cfg.max_step - 1e-9)));
    const double h = dt / steps;
    // one sine and cosine per step for both turns (sin(-a) = -sin(a) exactly), and the mode
    // transition matrix computed once for all the equal steps
    const double wh = cfg.turn_rate * h;
    const double sn = K > 1 ? std::sin(wh) : 0.0, cs = K > 1 ? std::cos(wh) : 1.0;
    Transition pi{};
    if constexpr (K > 1) pi = transition(h, cfg);
    for (int s = 0; s < steps; ++s) {
      if constexpr (K > 1) interact(pi);
      cv_predict<D>(h, q, xm(0), Pm(0));
      if constexpr (K > 1) {
        ct_predict<D>(h, cfg.turn_rate, sn, cs, q, xm(1), Pm(1));
        ct_predict<D>(h, -cfg.turn_rate, -sn, cs, q, xm(2), Pm(2));
      }
    }
    t_ = t;
    combine();
  }

  // EKF update of every mode with one measurement of M components, at the filter's time (predict
  // first). Returns the likelihood of the measurement under the mode mixture (a density in the
  // measurement's space), or -1 when no mode could take the update (a degenerate covariance);
  // the filter is then unchanged.
  template <int M>
  double update(const MeasView& m) {
    std::array<double, K> like{};
    std::array<double, K> d2{}, norm{};  // for the log-domain fallback
    std::array<V, K> xs;
    std::array<Cov, K> Ps;
    bool any = false;
    const Mat<M> R = m.R.template topLeftCorner<M, M>();
    for (int j = 0; j < K; ++j) {
      Vec<M> zhat;
      Eigen::Matrix<double, M, N> H;
      predict_measurement<D, M>(m, xm(j), zhat, H);
      Innovation<M> in = make_innovation<M>(m, zhat, H, Pm(j), R);
      if (!in.ok) {
        like[j] = -1;
        continue;
      }
      const Eigen::Matrix<double, N, M> PHt = Pm(j) * H.transpose();
      const Eigen::Matrix<double, N, M> G = PHt * in.S_inv;
      xs[j] = xm(j) + G * in.nu;
      // P - G S G' = P - G (P H')', symmetrised (the optimal gain makes this equal to the Joseph
      // form up to rounding, at a fraction of the cost)
      Ps[j] = Pm(j) - G * PHt.transpose();
      Ps[j] = 0.5 * (Ps[j] + Ps[j].transpose()).eval();
      like[j] = in.likelihood();
      if constexpr (K > 1) {
        d2[j] = in.d2;
        norm[j] = in.norm;
      }
      any = true;
    }
    if (!any) return -1;
    double total = 0;
    for (int j = 0; j < K; ++j)
      total += like[j] > 0 ? mu_[j] * like[j] : 0.0;
    if constexpr (K > 1) {
      std::array<double, K> w{};
      if (total > 0) {
        for (int j = 0; j < K; ++j)
          w[j] = like[j] > 0 ? mu_[j] * like[j] / total : 0.0;
      } else {
        // every likelihood underflowed: weigh the modes in the log domain
        std::array<double, K> logl{};
        for (int j = 0; j < K; ++j)
          if (like[j] >= 0) logl[j] = -0.5 * d2[j] + std::log(norm[j]);
        double best = -std::numeric_limits<double>::infinity();
        for (int j = 0; j < K; ++j)
          if (like[j] >= 0) best = std::max(best, logl[j]);
        double sum = 0;
        for (int j = 0; j < K; ++j) {
          w[j] = like[j] >= 0 ? mu_[j] * std::exp(logl[j] - best) : 0.0;
          sum += w[j];
        }
        for (int j = 0; j < K; ++j)
          w[j] /= sum;
      }
      mu_ = w;
      regularise_mode_probabilities();
    }
    for (int j = 0; j < K; ++j) {
      if (like[j] >= 0) {
        xm(j) = xs[j];
        Pm(j) = Ps[j];
      }
    }
    combine();
    return total;
  }

  // Probabilistic data association update (PDA: Y. Bar-Shalom, E. Tse, "Tracking in a cluttered
  // environment with probabilistic data association", Automatica 11, 1975) of every mode with k
  // candidate measurements of M components weighted beta[i] (beta0: none is the target's), at
  // the filter's time. The measurements share the noise of the first. Mode likelihoods follow
  // the IMM-PDA of Houles and Bar-Shalom (IEEE TAES 25(2), 1989): (1 - Pd Pg) + Pd/lambda sum g.
  template <int M>
  void update_pda(const MeasView* const* ms, const double* beta, int k, double beta0, double pd_pg,
                  double pd_over_lambda) {
    std::array<double, K> like{};
    for (int j = 0; j < K; ++j) {
      Vec<M> zhat;
      Eigen::Matrix<double, M, N> H;
      predict_measurement<D, M>(*ms[0], xm(j), zhat, H);
      const Mat<M> R = ms[0]->R.template topLeftCorner<M, M>();
      const Mat<M> S = H * Pm(j) * H.transpose() + R;
      const Eigen::LLT<Mat<M>> llt(S);
      if (llt.info() != Eigen::Success) {
        like[j] = 0;
        continue;
      }
      const Eigen::Matrix<double, N, M> G =
          llt.solve((Pm(j) * H.transpose()).transpose()).transpose();
      Vec<M> nu_c = Vec<M>::Zero();
      Mat<M> spread = Mat<M>::Zero();
      double g_sum = 0;
      double det_l = 1;
      for (int i = 0; i < M; ++i)
        det_l *= llt.matrixL()(i, i);
      const double norm = 1 / (std::pow(2 * std::numbers::pi, 0.5 * M) * det_l);
      for (int i = 0; i < k; ++i) {
        Vec<M> zi;
        Eigen::Matrix<double, M, N> Hi;
        predict_measurement<D, M>(*ms[i], xm(j), zi, Hi);
        const Vec<M> nu = innovation<M>(*ms[i], zi);
        nu_c += beta[i] * nu;
        spread += beta[i] * nu * nu.transpose();
        g_sum += norm * std::exp(-0.5 * nu.dot(llt.solve(nu)));
      }
      spread -= nu_c * nu_c.transpose();
      xm(j) += G * nu_c;
      const Cov Pc = Pm(j) - G * S * G.transpose();
      Pm(j) = beta0 * Pm(j) + (1 - beta0) * Pc + G * spread * G.transpose();
      Pm(j) = 0.5 * (Pm(j) + Pm(j).transpose()).eval();
      like[j] = (1 - pd_pg) + pd_over_lambda * g_sum;
    }
    if constexpr (K > 1) {
      double total = 0;
      for (int j = 0; j < K; ++j) {
        mu_[j] *= like[j];
        total += mu_[j];
      }
      if (total > 0) {
        for (int j = 0; j < K; ++j)
          mu_[j] /= total;
      } else {
        mu_ = {0.8, 0.1, 0.1};
      }
      regularise_mode_probabilities();
    }
    combine();
  }

  // Whether every mode's state and covariance are finite numbers.
  bool finite() const {
    for (int j = 0; j < K; ++j) {
      if (!xm(j).allFinite() || !Pm(j).allFinite()) return false;
    }
    return true;
  }

  template <int M>
  static Innovation<M> make_innovation(const MeasView& m, const Vec<M>& zhat,
                                       const Eigen::Matrix<double, M, N>& H, const Cov& cov,
                                       const Mat<M>& R) {
    Innovation<M> in;
    in.nu = innovation<M>(m, zhat);
    in.S = H * cov * H.transpose() + R;
    // (2 pi)^(M/2) for M = 2, 3, 4
    constexpr double kTwoPi = 2 * std::numbers::pi;
    constexpr double c = M == 2 ? kTwoPi : M == 4 ? kTwoPi * kTwoPi : 15.749609945722419;
    double det = 0;
    if constexpr (M == 2) {
      // closed form: positive definite iff S00 > 0 and det S > 0
      det = in.S(0, 0) * in.S(1, 1) - in.S(0, 1) * in.S(1, 0);
      if (!(in.S(0, 0) > 0) || !(det > 0)) return in;
      in.S_inv << in.S(1, 1) / det, -in.S(0, 1) / det, -in.S(1, 0) / det, in.S(0, 0) / det;
    } else {
      const Eigen::LLT<Mat<M>> llt(in.S);
      if (llt.info() != Eigen::Success) return in;
      double det_l = 1;
      for (int i = 0; i < M; ++i)
        det_l *= llt.matrixL()(i, i);
      det = det_l * det_l;
      in.S_inv = llt.solve(Mat<M>::Identity());
    }
    in.d2 = in.nu.dot(in.S_inv * in.nu);
    in.norm = 1 / (c * std::sqrt(det));
    in.ok = std::isfinite(in.d2) && in.d2 >= 0 && std::isfinite(in.norm) && in.norm > 0;
    return in;
  }

  // The innovation of a measurement against a Gaussian (the gate test).
  template <int M>
  static Innovation<M> gate(const MeasView& m, const Gaussian& g) {
    Vec<M> zhat;
    Eigen::Matrix<double, M, N> H;
    predict_measurement<D, M>(m, g.x, zhat, H);
    return make_innovation<M>(m, zhat, H, g.P, m.R.template topLeftCorner<M, M>());
  }

 private:
  // Mode j's state and covariance; with one mode, the estimate itself (no copy).
  V& xm(int j) {
    if constexpr (K == 1) {
      (void)j;
      return est_.x;
    } else {
      return x_[static_cast<size_t>(j)];
    }
  }
  const V& xm(int j) const { return const_cast<KinematicFilter*>(this)->xm(j); }
  Cov& Pm(int j) {
    if constexpr (K == 1) {
      (void)j;
      return est_.P;
    } else {
      return P_[static_cast<size_t>(j)];
    }
  }
  const Cov& Pm(int j) const { return const_cast<KinematicFilter*>(this)->Pm(j); }

  void combine() {
    if constexpr (K > 1) {
      est_.x.setZero();
      for (int j = 0; j < K; ++j)
        est_.x += mu_[j] * x_[j];
      est_.P.setZero();
      for (int j = 0; j < K; ++j) {
        const V d = x_[j] - est_.x;
        est_.P += mu_[j] * (P_[j] + d * d.transpose());
      }
    }
  }

  using Transition = std::array<std::array<double, K>, K>;

  // The mode transition matrix over a step of h seconds (both turn modes share one mean
  // duration, so two exponentials).
  static Transition transition(double h, const ImmConfig& cfg) {
    Transition pi{};
    const double stay_cv = std::exp(-h / cfg.cv_mean_duration);
    const double stay_turn = std::exp(-h / cfg.turn_mean_duration);
    for (int i = 0; i < K; ++i) {
      const double stay = i == 0 ? stay_cv : stay_turn;
      for (int j = 0; j < K; ++j)
        pi[i][j] = i == j ? stay : (1 - stay) / (K - 1);
    }
    return pi;
  }

  // Mode interaction (mixing) with transition matrix pi.
  void interact(const Transition& pi) {
    std::array<double, K> cbar{};
    for (int j = 0; j < K; ++j) {
      for (int i = 0; i < K; ++i)
        cbar[j] += pi[i][j] * mu_[i];
    }
    std::array<V, K> x0;
    std::array<Cov, K> P0;
    for (int j = 0; j < K; ++j) {
      x0[j].setZero();
      for (int i = 0; i < K; ++i)
        x0[j] += (pi[i][j] * mu_[i] / cbar[j]) * x_[i];
      P0[j].setZero();
      for (int i = 0; i < K; ++i) {
        const V d = x_[i] - x0[j];
        P0[j] += (pi[i][j] * mu_[i] / cbar[j]) * (P_[i] + d * d.transpose());
      }
    }
    x_ = x0;
    P_ = P0;
    mu_ = cbar;
  }

  // Keeps every mode reachable (a probability of exactly 0 would never recover).
  void regularise_mode_probabilities() {
    double total = 0;
    for (int j = 0; j < K; ++j) {
      mu_[j] = std::max(mu_[j], 1e-4);
      total += mu_[j];
    }
    for (int j = 0; j < K; ++j)
      mu_[j] /= total;
  }

  double t_ = 0;
  Gaussian est_{V::Zero(), Cov::Identity()};
  std::array<V, K == 1 ? 0 : K> x_{};
  std::array<Cov, K == 1 ? 0 : K> P_{};
  std::array<double, K> mu_{1.0};
};

}  // namespace picket::track

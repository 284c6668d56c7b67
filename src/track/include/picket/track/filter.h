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
  double d2 = 0;        // Mahalanobis distance squared, nu' S^-1 nu
  double log_norm = 0;  // log of the Gaussian's normalising constant, -0.5 log det(2 pi S)
  bool ok = false;      // S positive definite
  double log_likelihood() const { return log_norm - 0.5 * d2; }
};

template <int D>
class KinematicFilter {
 public:
  static constexpr int N = 2 * D;
  using V = Vec<N>;
  using Cov = Mat<N>;
  struct Gaussian {
    V x;
    Cov P;
  };

  void init(double t, const V& x, const Cov& cov, int modes) {
    t_ = t;
    n_ = modes;
    for (int j = 0; j < n_; ++j) {
      x_[j] = x;
      P_[j] = cov;
    }
    mu_ = {1.0, 0.0, 0.0};
    if (n_ == 3) mu_ = {0.8, 0.1, 0.1};
  }

  double time() const { return t_; }
  int modes() const { return n_; }
  double mode_probability(int j) const { return mu_[static_cast<size_t>(j)]; }

  // The moment-matched combination of the modes: the published estimate.
  Gaussian estimate() const {
    if (n_ == 1) return {x_[0], P_[0]};
    Gaussian g{V::Zero(), Cov::Zero()};
    for (int j = 0; j < n_; ++j)
      g.x += mu_[j] * x_[j];
    for (int j = 0; j < n_; ++j) {
      const V d = x_[j] - g.x;
      g.P += mu_[j] * (P_[j] + d * d.transpose());
    }
    return g;
  }

  // The combined estimate predicted to t >= time() with the constant-velocity model, without
  // changing the filter: cheap enough to run for every gated track-detection pair.
  Gaussian predicted(double t, const MotionNoise& q) const {
    Gaussian g = estimate();
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
    for (int s = 0; s < steps; ++s) {
      if (n_ > 1) interact(h, cfg);
      cv_predict<D>(h, q, x_[0], P_[0]);
      for (int j = 1; j < n_; ++j) {
        const double w = j == 1 ? cfg.turn_rate : -cfg.turn_rate;
        Cov F, Q;
        ct_model<D>(h, w, q, F, Q);
        x_[j] = F * x_[j];
        P_[j] = F * P_[j] * F.transpose() + Q;
      }
    }
    t_ = t;
  }

  // EKF update of every mode with one measurement of M components, at the filter's time (predict
  // first). Returns the log-likelihood of the measurement under the mode mixture, or nothing
  // (-inf) when no mode could take the update (a degenerate covariance); the filter is then
  // unchanged.
  template <int M>
  double update(const MeasView& m) {
    std::array<double, 3> logl{};
    std::array<V, 3> xs;
    std::array<Cov, 3> Ps;
    double best = -std::numeric_limits<double>::infinity();
    for (int j = 0; j < n_; ++j) {
      Vec<M> zhat;
      Eigen::Matrix<double, M, N> H;
      predict_measurement<D, M>(m, x_[j], zhat, H);
      const Mat<M> R = m.R.template topLeftCorner<M, M>();
      Innovation<M> in = make_innovation<M>(m, zhat, H, P_[j], R);
      if (!in.ok) {
        logl[j] = -std::numeric_limits<double>::infinity();
        continue;
      }
      const Eigen::LLT<Mat<M>> llt(in.S);
      const Eigen::Matrix<double, N, M> PHt = P_[j] * H.transpose();
      const Eigen::Matrix<double, N, M> K = llt.solve(PHt.transpose()).transpose();
      xs[j] = x_[j] + K * in.nu;
      const Cov IKH = Cov::Identity() - K * H;
      Ps[j] = IKH * P_[j] * IKH.transpose() + K * R * K.transpose();
      Ps[j] = 0.5 * (Ps[j] + Ps[j].transpose()).eval();
      logl[j] = in.log_likelihood();
      best = std::max(best, logl[j]);
    }
    if (!std::isfinite(best)) return best;
    double total = 0;
    for (int j = 0; j < n_; ++j) {
      const double w = std::isfinite(logl[j]) ? mu_[j] * std::exp(logl[j] - best) : 0.0;
      total += w;
      mu_[j] = w;
    }
    if (!(total > 0)) return -std::numeric_limits<double>::infinity();
    for (int j = 0; j < n_; ++j) {
      mu_[j] /= total;
      if (std::isfinite(logl[j])) {
        x_[j] = xs[j];
        P_[j] = Ps[j];
      }
    }
    regularise_mode_probabilities();
    return best + std::log(total);
  }

  // Probabilistic data association update (PDA: Y. Bar-Shalom, E. Tse, "Tracking in a cluttered
  // environment with probabilistic data association", Automatica 11, 1975) of every mode with k
  // candidate measurements of M components weighted beta[i] (beta0: none is the target's), at
  // the filter's time. The measurements share the noise of the first. Mode likelihoods follow
  // the IMM-PDA of Houles and Bar-Shalom (IEEE TAES 25(2), 1989): (1 - Pd Pg) + Pd/lambda sum g.
  template <int M>
  void update_pda(const MeasView* const* ms, const double* beta, int k, double beta0, double pd_pg,
                  double pd_over_lambda) {
    std::array<double, 3> like{};
    for (int j = 0; j < n_; ++j) {
      Vec<M> zhat;
      Eigen::Matrix<double, M, N> H;
      predict_measurement<D, M>(*ms[0], x_[j], zhat, H);
      const Mat<M> R = ms[0]->R.template topLeftCorner<M, M>();
      const Mat<M> S = H * P_[j] * H.transpose() + R;
      const Eigen::LLT<Mat<M>> llt(S);
      if (llt.info() != Eigen::Success) {
        like[j] = 0;
        continue;
      }
      const Eigen::Matrix<double, N, M> K =
          llt.solve((P_[j] * H.transpose()).transpose()).transpose();
      Vec<M> nu_c = Vec<M>::Zero();
      Mat<M> spread = Mat<M>::Zero();
      double g_sum = 0;
      double log_det_l = 0;
      for (int i = 0; i < M; ++i)
        log_det_l += std::log(llt.matrixL()(i, i));
      const double log_norm = -0.5 * M * std::log(2 * std::numbers::pi) - log_det_l;
      for (int i = 0; i < k; ++i) {
        Vec<M> zi;
        Eigen::Matrix<double, M, N> Hi;
        predict_measurement<D, M>(*ms[i], x_[j], zi, Hi);
        const Vec<M> nu = innovation<M>(*ms[i], zi);
        nu_c += beta[i] * nu;
        spread += beta[i] * nu * nu.transpose();
        g_sum += std::exp(log_norm - 0.5 * nu.dot(llt.solve(nu)));
      }
      spread -= nu_c * nu_c.transpose();
      x_[j] += K * nu_c;
      const Cov Pc = P_[j] - K * S * K.transpose();
      P_[j] = beta0 * P_[j] + (1 - beta0) * Pc + K * spread * K.transpose();
      P_[j] = 0.5 * (P_[j] + P_[j].transpose()).eval();
      like[j] = (1 - pd_pg) + pd_over_lambda * g_sum;
    }
    if (n_ > 1) {
      double total = 0;
      for (int j = 0; j < n_; ++j) {
        mu_[j] *= like[j];
        total += mu_[j];
      }
      if (total > 0) {
        for (int j = 0; j < n_; ++j)
          mu_[j] /= total;
      } else {
        mu_ = {0.8, 0.1, 0.1};
      }
      regularise_mode_probabilities();
    }
  }

  // Whether every mode's state and covariance are finite numbers.
  bool finite() const {
    for (int j = 0; j < n_; ++j) {
      if (!x_[j].allFinite() || !P_[j].allFinite()) return false;
    }
    return true;
  }

 private:
  // Mode interaction (mixing) over a step of h seconds.
  void interact(double h, const ImmConfig& cfg) {
    std::array<std::array<double, 3>, 3> pi{};
    for (int i = 0; i < n_; ++i) {
      const double tau = i == 0 ? cfg.cv_mean_duration : cfg.turn_mean_duration;
      const double stay = std::exp(-h / tau);
      for (int j = 0; j < n_; ++j)
        pi[i][j] = i == j ? stay : (1 - stay) / (n_ - 1);
    }
    std::array<double, 3> cbar{};
    for (int j = 0; j < n_; ++j) {
      for (int i = 0; i < n_; ++i)
        cbar[j] += pi[i][j] * mu_[i];
    }
    std::array<V, 3> x0;
    std::array<Cov, 3> P0;
    for (int j = 0; j < n_; ++j) {
      x0[j].setZero();
      for (int i = 0; i < n_; ++i)
        x0[j] += (pi[i][j] * mu_[i] / cbar[j]) * x_[i];
      P0[j].setZero();
      for (int i = 0; i < n_; ++i) {
        const V d = x_[i] - x0[j];
        P0[j] += (pi[i][j] * mu_[i] / cbar[j]) * (P_[i] + d * d.transpose());
      }
    }
    for (int j = 0; j < n_; ++j) {
      x_[j] = x0[j];
      P_[j] = P0[j];
      mu_[j] = cbar[j];
    }
  }

  // Keeps every mode reachable (a probability of exactly 0 would never recover).
  void regularise_mode_probabilities() {
    if (n_ == 1) return;
    double total = 0;
    for (int j = 0; j < n_; ++j) {
      mu_[j] = std::max(mu_[j], 1e-4);
      total += mu_[j];
    }
    for (int j = 0; j < n_; ++j)
      mu_[j] /= total;
  }

 public:
  template <int M>
  static Innovation<M> make_innovation(const MeasView& m, const Vec<M>& zhat,
                                       const Eigen::Matrix<double, M, N>& H, const Cov& cov,
                                       const Mat<M>& R) {
    Innovation<M> in;
    in.nu = innovation<M>(m, zhat);
    in.S = H * cov * H.transpose() + R;
    const Eigen::LLT<Mat<M>> llt(in.S);
    if (llt.info() != Eigen::Success) return in;
    const Vec<M> w = llt.matrixL().solve(in.nu);
    in.d2 = w.squaredNorm();
    double log_det_l = 0;
    for (int i = 0; i < M; ++i)
      log_det_l += std::log(llt.matrixL()(i, i));
    in.log_norm = -0.5 * M * std::log(2 * std::numbers::pi) - log_det_l;
    in.ok = std::isfinite(in.d2) && std::isfinite(in.log_norm);
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
  double t_ = 0;
  int n_ = 1;
  std::array<V, 3> x_{};
  std::array<Cov, 3> P_{};
  std::array<double, 3> mu_{1.0, 0.0, 0.0};
};

}  // namespace picket::track

// Motion models, measurement models and the EKF/IMM filter against hand-worked values, finite
// differences and Monte Carlo consistency.
#include <gtest/gtest.h>

#include <random>

#include "picket/core/units.h"
#include "picket/track/chi2.h"
#include "picket/track/filter.h"

namespace picket::track {
namespace {

TEST(Motion, ConstantVelocityMatricesByHand) {
  // dt = 2, q = 0.5: Q = q [dt^3/3 dt^2/2; dt^2/2 dt] = [4/3 1; 1 1] per axis.
  Mat<4> F, Q;
  cv_model<2>(2.0, {0.5, 0.5}, F, Q);
  EXPECT_DOUBLE_EQ(F(0, 2), 2);
  EXPECT_DOUBLE_EQ(F(1, 3), 2);
  EXPECT_DOUBLE_EQ(F(0, 0), 1);
  EXPECT_DOUBLE_EQ(F(0, 1), 0);
  EXPECT_NEAR(Q(0, 0), 4.0 / 3.0, 1e-12);
  EXPECT_NEAR(Q(0, 2), 1.0, 1e-12);
  EXPECT_NEAR(Q(2, 2), 1.0, 1e-12);
  EXPECT_NEAR(Q(0, 1), 0.0, 1e-12);  // axes independent
}

TEST(Motion, StructuredPredictionEqualsDenseProduct) {
  std::mt19937 rng(7);
  std::normal_distribution<double> g(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    Mat<6> A;
    for (int i = 0; i < 36; ++i)
      A.data()[i] = g(rng);
    Mat<6> P = A * A.transpose() + Mat<6>::Identity();
    Vec<6> x;
    for (int i = 0; i < 6; ++i)
      x(i) = g(rng);
    const double dt = 0.1 + trial * 0.3;
    const MotionNoise q{0.7, 0.2};
    Mat<6> F, Q;
    cv_model<3>(dt, q, F, Q);
    const Vec<6> x_ref = F * x;
    const Mat<6> P_ref = F * P * F.transpose() + Q;
    cv_predict<3>(dt, q, x, P);
    EXPECT_LT((x - x_ref).norm(), 1e-9);
    EXPECT_LT((P - P_ref).norm(), 1e-9);
  }
}

TEST(Motion, StructuredTurnPredictionEqualsDenseProduct) {
  std::mt19937 rng(8);
  std::normal_distribution<double> g(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    Mat<6> A;
    for (int i = 0; i < 36; ++i)
      A.data()[i] = g(rng);
    Mat<6> P = A * A.transpose() + Mat<6>::Identity();
    Vec<6> x;
    for (int i = 0; i < 6; ++i)
      x(i) = g(rng);
    const double dt = 0.1 + trial * 0.3, w = trial % 2 ? 0.2 : -0.35;
    const MotionNoise q{0.7, 0.2};
    Mat<6> F, Q;
    ct_model<3>(dt, w, q, F, Q);
    const Vec<6> x_ref = F * x;
    const Mat<6> P_ref = F * P * F.transpose() + Q;
    ct_predict<3>(dt, w, q, x, P);
    EXPECT_LT((x - x_ref).norm(), 1e-9);
    EXPECT_LT((P - P_ref).norm(), 1e-9);
  }
}

TEST(Motion, CoordinatedTurnRotatesVelocity) {
  // A quarter turn left at 0.1 rad/s takes pi/0.2 s: velocity (1, 0) becomes (0, 1), and the
  // position moves along the arc of radius v/w = 10 m to (10, 10).
  Mat<4> F, Q;
  const double w = 0.1, dt = kPi / 2 / w;
  ct_model<2>(dt, w, {0, 0}, F, Q);
  const Vec<4> x = F * Vec<4>(0, 0, 1, 0);
  EXPECT_NEAR(x(0), 10, 1e-9);
  EXPECT_NEAR(x(1), 10, 1e-9);
  EXPECT_NEAR(x(2), 0, 1e-12);
  EXPECT_NEAR(x(3), 1, 1e-12);
  // with a vanishing rate it is the constant-velocity model
  Mat<4> F0, Q0, Fcv, Qcv;
  ct_model<2>(1.5, 1e-12, {1, 1}, F0, Q0);
  cv_model<2>(1.5, {1, 1}, Fcv, Qcv);
  EXPECT_LT((F0 - Fcv).norm(), 1e-9);
}

TEST(Chi2, KnownQuantiles) {
  // Tabulated values (e.g. NIST/SEMATECH e-Handbook, table of the chi-square distribution).
  EXPECT_NEAR(chi2_quantile(0.95, 1), 3.8415, 1e-3);
  EXPECT_NEAR(chi2_quantile(0.99, 2), 9.2103, 1e-3);
  EXPECT_NEAR(chi2_quantile(0.95, 3), 7.8147, 1e-3);
  EXPECT_NEAR(chi2_quantile(0.99, 4), 13.2767, 1e-3);
  EXPECT_NEAR(chi2_cdf(2 * std::log(10.0), 2), 0.9, 1e-12);  // 1 - exp(-x/2)
}

// Finite-difference check of the polar measurement Jacobian.
template <int D, int M>
void check_jacobian(const MeasView& m, const Vec<2 * D>& x) {
  Vec<M> z0;
  Eigen::Matrix<double, M, 2 * D> H;
  predict_measurement<D, M>(m, x, z0, H);
  for (int i = 0; i < 2 * D; ++i) {
    Vec<2 *D> xp = x, xm = x;
    const double h = 1e-5 * std::max(1.0, std::abs(x(i)));
    xp(i) += h;
    xm(i) -= h;
    Vec<M> zp, zm;
    Eigen::Matrix<double, M, 2 * D> Hd;
    predict_measurement<D, M>(m, xp, zp, Hd);
    predict_measurement<D, M>(m, xm, zm, Hd);
    for (int r = 0; r < M; ++r)
      EXPECT_NEAR(H(r, i), (zp(r) - zm(r)) / (2 * h), 1e-6) << "row " << r << " col " << i;
  }
}

TEST(Measurement, PolarJacobiansMatchFiniteDifferences) {
  MeasView m;
  m.polar = true;
  m.origin = Eigen::Vector3d(10, -20, 8);
  m.ground_height = 0;
  m.doppler = true;
  check_jacobian<2, 3>(m, Vec<4>(300, 250, -1.5, 2.0));  // range, bearing, Doppler
  m.elevation = true;
  check_jacobian<3, 4>(m, Vec<6>(-400, 900, 120, 30, -12, 2));  // + elevation
  m.doppler = false;
  check_jacobian<3, 3>(m, Vec<6>(50, -700, 60, 0, 0, 0));
}

TEST(Measurement, PolarPredictionByHand) {
  // A sensor at (0, 0, 8) and a ground target at (300, 400): slant range sqrt(500^2 + 8^2),
  // bearing atan2(300, 400) clockwise from north = 36.87 degrees.
  MeasView m;
  m.polar = true;
  m.origin = Eigen::Vector3d(0, 0, 8);
  Vec<2> z;
  Eigen::Matrix<double, 2, 4> H;
  predict_measurement<2, 2>(m, Vec<4>(300, 400, 0, 0), z, H);
  EXPECT_NEAR(z(0), std::sqrt(500.0 * 500 + 64), 1e-9);
  EXPECT_NEAR(rad2deg(z(1)), 36.8698976, 1e-6);
}

TEST(Measurement, BearingInnovationWraps) {
  MeasView m;
  m.polar = true;
  m.dim = 2;
  m.z(0) = 100;
  m.z(1) = deg2rad(359);
  const Vec<2> nu = innovation<2>(m, Vec<2>(100, deg2rad(1)));
  EXPECT_NEAR(rad2deg(nu(1)), -2, 1e-9);
}

// Normalised estimation error squared of a radar-tracked walker, averaged over runs, must be
// consistent with its chi-square distribution (4 degrees of freedom): the EKF's covariance is
// honest with polar noise, which a Cartesian approximation at long range would not be.
TEST(Filter, PolarEkfIsConsistent) {
  std::mt19937 rng(11);
  std::normal_distribution<double> g(0, 1);
  const double q = 0.1, sr = 3, sb = deg2rad(1.0);
  MeasView m;
  m.polar = true;
  m.dim = 2;
  m.origin = Eigen::Vector3d(0, 0, 0);
  m.R(0, 0) = sr * sr;
  m.R(1, 1) = sb * sb;
  ImmConfig cfg;
  const int runs = 200, steps = 40;
  double nees_sum = 0;
  int n = 0;
  for (int r = 0; r < runs; ++r) {
    Vec<4> truth(1500, 2000, -1.2, 0.8);
    KinematicFilter<2, 1> f;
    Mat<4> P0 = Mat<4>::Identity();
    P0(0, 0) = P0(1, 1) = 50 * 50;
    P0(2, 2) = P0(3, 3) = 4;
    Vec<4> x0 = truth;
    x0(0) += 50 * g(rng);
    x0(1) += 50 * g(rng);
    x0(2) += 2 * g(rng);
    x0(3) += 2 * g(rng);
    f.init(0, x0, P0);
    for (int k = 1; k <= steps; ++k) {
      Mat<4> F, Q;
      cv_model<2>(1, {q, q}, F, Q);
      const Eigen::LLT<Mat<4>> lq(Q);
      Vec<4> w;
      for (int i = 0; i < 4; ++i)
        w(i) = g(rng);
      truth = F * truth + lq.matrixL() * w;
      m.z(0) = truth.head<2>().norm() + sr * g(rng);
      m.z(1) = std::atan2(truth(0), truth(1)) + sb * g(rng);
      f.predict(k, cfg, {q, q});
      ASSERT_GT(f.update<2>(m), 0);
      if (k > 10) {
        const Vec<4> e = f.estimate().x - truth;
        nees_sum += e.dot(f.estimate().P.ldlt().solve(e));
        ++n;
      }
    }
  }
  const double nees = nees_sum / n;
  // mean of chi-square(4) is 4; with 6000 samples a consistent filter lands well inside [3.6, 4.4]
  EXPECT_GT(nees, 3.6);
  EXPECT_LT(nees, 4.4);
}

TEST(Filter, ImmFollowsATurnBetterThanConstantVelocity) {
  std::mt19937 rng(5);
  std::normal_distribution<double> g(0, 1);
  ImmConfig cfg;
  cfg.turn_rate = 0.2;
  MeasView m;
  m.dim = 2;
  m.R(0, 0) = m.R(1, 1) = 4;
  KinematicFilter<2, 1> cv;
  KinematicFilter<2, 3> imm;
  Mat<4> P0 = Mat<4>::Identity() * 4;
  const Vec<4> x0(0, 0, 5, 0);
  cv.init(0, x0, P0);
  imm.init(0, x0, P0);
  // 20 s straight at 5 m/s, then 15 s of a left turn at 0.2 rad/s, then straight again
  Vec<4> truth = x0;
  double err_cv = 0, err_imm = 0, turn_mode_peak = 0;
  for (int k = 1; k <= 50; ++k) {
    Mat<4> F, Q;
    const double w = (k > 20 && k <= 35) ? 0.2 : 0.0;
    ct_model<2>(1, w, {0, 0}, F, Q);
    truth = F * truth;
    m.z(0) = truth(0) + 2 * g(rng);
    m.z(1) = truth(1) + 2 * g(rng);
    cv.predict(k, cfg, {0.3, 0.3});
    imm.predict(k, cfg, {0.3, 0.3});
    cv.update<2>(m);
    imm.update<2>(m);
    if (k > 20 && k <= 40) {
      err_cv += (cv.estimate().x.head<2>() - truth.head<2>()).norm();
      err_imm += (imm.estimate().x.head<2>() - truth.head<2>()).norm();
      turn_mode_peak = std::max(turn_mode_peak, imm.mode_probability(1));
    }
  }
  EXPECT_LT(err_imm, 0.8 * err_cv);
  EXPECT_GT(turn_mode_peak, 0.5);  // the left-turn mode takes over during the left turn
}

TEST(Filter, SubSteppedPredictionOfOneModeEqualsOneStep) {
  // The constant-velocity model is exact for any step, so sub-steps change nothing.
  KinematicFilter<2, 1> a, b;
  Mat<4> P0 = Mat<4>::Identity();
  a.init(0, Vec<4>(1, 2, 3, 4), P0);
  b.init(0, Vec<4>(1, 2, 3, 4), P0);
  ImmConfig fine, coarse;
  fine.max_step = 0.1;
  coarse.max_step = 100;
  a.predict(7.3, fine, {0.5, 0.5});
  b.predict(7.3, coarse, {0.5, 0.5});
  EXPECT_LT((a.estimate().x - b.estimate().x).norm(), 1e-9);
  EXPECT_LT((a.estimate().P - b.estimate().P).norm(), 1e-8);
  EXPECT_DOUBLE_EQ(a.time(), 7.3);
  // a step back in time is refused (the tracker never asks for one)
  a.predict(5, fine, {0.5, 0.5});
  EXPECT_DOUBLE_EQ(a.time(), 7.3);
}

TEST(Filter, DegenerateMeasurementIsRefusedAndLeavesTheFilterUnchanged) {
  KinematicFilter<2, 3> f;
  f.init(0, Vec<4>(0, 0, 1, 1), Mat<4>::Identity());
  MeasView m;
  m.dim = 2;
  m.z(0) = std::numeric_limits<double>::quiet_NaN();
  m.R(0, 0) = m.R(1, 1) = -1;  // not a covariance
  const auto before = f.estimate();
  EXPECT_LT(f.update<2>(m), 0);
  EXPECT_EQ(f.estimate().x, before.x);
  EXPECT_TRUE(f.finite());
}

}  // namespace
}  // namespace picket::track

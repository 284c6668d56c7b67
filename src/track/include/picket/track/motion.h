// Motion models on fixed-size Eigen types: nearly constant velocity and coordinated turns of
// known rate, in D = 2 (ground: east, north) or D = 3 (air: east, north, up) dimensions.
//
// State layout: [position (D), velocity (D)], metres and metres per second in the site's ENU
// frame. The process noise is continuous white acceleration of spectral density q (m^2/s^3),
// discretised exactly for the constant-velocity model:
//     F = [I  dt I; 0  I],   Q = q [dt^3/3 I  dt^2/2 I; dt^2/2 I  dt I]
// (Y. Bar-Shalom, X. R. Li, T. Kirubarajan, "Estimation with Applications to Tracking and
// Navigation", Wiley 2001, section 6.2.2). The coordinated turn of known rate w rotates the
// velocity at w rad/s in the horizontal plane (same book, section 11.7.1, eq. 11.7.1-4); its Q is
// taken as the constant-velocity one, as usual for turn models in an IMM. Vertical motion of air
// tracks is always constant velocity with its own noise.
//
// Functions are pure; dt must be >= 0 (callers reject negative steps and sub-step long ones).
#pragma once

#include <Eigen/Core>
#include <cassert>
#include <cmath>

namespace picket::track {

template <int N>
using Vec = Eigen::Matrix<double, N, 1>;
template <int N>
using Mat = Eigen::Matrix<double, N, N>;

struct MotionNoise {
  double horizontal = 1;  // q of east and north, m^2/s^3
  double vertical = 1;    // q of up (air tracks), m^2/s^3
};

// Constant velocity over dt.
template <int D>
void cv_model(double dt, const MotionNoise& q, Mat<2 * D>& F, Mat<2 * D>& Q) {
  assert(dt >= 0);
  F.setIdentity();
  Q.setZero();
  const double t2 = dt * dt, t3 = t2 * dt;
  for (int i = 0; i < D; ++i) {
    const double qi = i < 2 ? q.horizontal : q.vertical;
    F(i, D + i) = dt;
    Q(i, i) = qi * t3 / 3;
    Q(i, D + i) = Q(D + i, i) = qi * t2 / 2;
    Q(D + i, D + i) = qi * dt;
  }
}

// Coordinated turn at w rad/s (positive: counter-clockwise seen from above, i.e. turning left)
// over dt; constant velocity vertically.
// The same with s = sin(w dt) and c = cos(w dt) given (the IMM's two turns of +-w share them:
// sin is odd, cos even).
template <int D>
void ct_model(double dt, double w, double s, double c, const MotionNoise& q, Mat<2 * D>& F,
              Mat<2 * D>& Q) {
  cv_model<D>(dt, q, F, Q);
  if (std::abs(w) < 1e-9) return;
  // x' = x + s/w vx - (1-c)/w vy ;  y' = y + (1-c)/w vx + s/w vy
  // vx' = c vx - s vy             ;  vy' = s vx + c vy
  F(0, D + 0) = s / w;
  F(0, D + 1) = -(1 - c) / w;
  F(1, D + 0) = (1 - c) / w;
  F(1, D + 1) = s / w;
  F(D + 0, D + 0) = c;
  F(D + 0, D + 1) = -s;
  F(D + 1, D + 0) = s;
  F(D + 1, D + 1) = c;
}

template <int D>
void ct_model(double dt, double w, const MotionNoise& q, Mat<2 * D>& F, Mat<2 * D>& Q) {
  ct_model<D>(dt, w, std::sin(w * dt), std::cos(w * dt), q, F, Q);
}

// P <- F P F' + Q for the constant-velocity model, exploiting F's structure (the hot path of a
// large scene: about a third of the flops of the dense product).
template <int D>
void cv_predict(double dt, const MotionNoise& q, Vec<2 * D>& x, Mat<2 * D>& P) {
  assert(dt >= 0);
  x.template head<D>() += dt * x.template tail<D>();
  // F P F' with F = [I dt I; 0 I]:  [A B; B' C] -> [A + dt(B + B') + dt^2 C, B + dt C; ., C]
  auto A = P.template topLeftCorner<D, D>();
  auto B = P.template topRightCorner<D, D>();
  auto Bt = P.template bottomLeftCorner<D, D>();
  auto C = P.template bottomRightCorner<D, D>();
  A += dt * (B + Bt) + (dt * dt) * C;
  B += dt * C;
  Bt = B.transpose();
  const double t2 = dt * dt, t3 = t2 * dt;
  for (int i = 0; i < D; ++i) {
    const double qi = i < 2 ? q.horizontal : q.vertical;
    P(i, i) += qi * t3 / 3;
    P(i, D + i) += qi * t2 / 2;
    P(D + i, i) += qi * t2 / 2;
    P(D + i, D + i) += qi * dt;
  }
}

// x <- F x, P <- F P F' + Q for the coordinated turn, on 2 x 2 blocks: with F = [I A; 0 B]
// (A, B acting on the horizontal velocity, identity and dt vertically),
//   F P F' = [P11 + A P21 + P12 A' + A P22 A',  (P12 + A P22) B';  B (P21 + P22 A'),  B P22 B'].
// With s = sin(w dt), c = cos(w dt) given.
template <int D>
void ct_predict(double dt, double w, double s, double c, const MotionNoise& q, Vec<2 * D>& x,
                Mat<2 * D>& P) {
  assert(dt >= 0);
  if (std::abs(w) < 1e-9) {
    cv_predict<D>(dt, q, x, P);
    return;
  }
  Mat<2 * D> F, Q;
  ct_model<D>(dt, w, s, c, q, F, Q);
  const auto A = F.template topRightCorner<D, D>();
  const auto B = F.template bottomRightCorner<D, D>();
  const Mat<D> P11 = P.template topLeftCorner<D, D>();
  const Mat<D> P12 = P.template topRightCorner<D, D>();
  const Mat<D> P22 = P.template bottomRightCorner<D, D>();
  const Mat<D> AP22 = A * P22;
  const Mat<D> T12 = P12 + AP22;  // first block row times [0; I]
  P.template topLeftCorner<D, D>() =
      P11 + A * P12.transpose() + P12 * A.transpose() + AP22 * A.transpose();
  P.template topRightCorner<D, D>() = T12 * B.transpose();
  P.template bottomLeftCorner<D, D>() = B * T12.transpose();
  P.template bottomRightCorner<D, D>() = B * P22 * B.transpose();
  P += Q;
  x = F * x;
}

template <int D>
void ct_predict(double dt, double w, const MotionNoise& q, Vec<2 * D>& x, Mat<2 * D>& P) {
  if (std::abs(w) < 1e-9) {
    cv_predict<D>(dt, q, x, P);
    return;
  }
  ct_predict<D>(dt, w, std::sin(w * dt), std::cos(w * dt), q, x, P);
}

}  // namespace picket::track

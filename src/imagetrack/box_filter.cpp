#include "picket/imagetrack/box_filter.h"

#include <Eigen/Cholesky>
#include <cassert>
#include <cmath>

namespace picket::imagetrack {

namespace {
constexpr double kWeightPosition = 1.0 / 20;   // ByteTrack / DeepSORT std_weight_position
constexpr double kWeightVelocity = 1.0 / 160;  // ByteTrack / DeepSORT std_weight_velocity

// P <- F P F^T for F = [I dt*I; 0 I] (4+4 states), by blocks: 4x4 products instead of 8x8.
void propagate_cv8(Eigen::Matrix<double, 8, 8>& P, double dt) {
  const Eigen::Matrix4d B = P.topRightCorner<4, 4>();
  const Eigen::Matrix4d D = P.bottomRightCorner<4, 4>();
  P.topLeftCorner<4, 4>() += dt * (B + B.transpose()) + (dt * dt) * D;
  P.topRightCorner<4, 4>() += dt * D;
  P.bottomLeftCorner<4, 4>() = P.topRightCorner<4, 4>().transpose();
}

// Standard Kalman update with a linear measurement of the first 4 state components.
template <int N>
void kalman_update(Eigen::Matrix<double, N, 1>& x, Eigen::Matrix<double, N, N>& P,
                   const Eigen::Vector4d& z, const Eigen::Vector4d& r_diag) {
  const Eigen::Matrix4d S = P.template topLeftCorner<4, 4>() + r_diag.asDiagonal().toDenseMatrix();
  const Eigen::Matrix<double, N, 4> PHt = P.template leftCols<4>();
  // K = P H^T S^-1, through the Cholesky factor of S (symmetric positive definite).
  const Eigen::LLT<Eigen::Matrix4d> llt(S);
  const Eigen::Matrix<double, N, 4> K = llt.solve(PHt.transpose()).transpose();
  x += K * (z - x.template head<4>());
  P -= K * S * K.transpose();
  P = 0.5 * (P + P.transpose());  // keep it symmetric against rounding
}
}  // namespace

// --- ByteTrack (x, y, a, h) -----------------------------------------------------------------

XyahFilter::XyahFilter(const Box& b) {
  x_.setZero();
  x_ << b.cx(), b.cy(), b.w / b.h, b.h, 0, 0, 0, 0;
  const double h = b.h;
  Eigen::Matrix<double, 8, 1> s;
  s << 2 * kWeightPosition * h, 2 * kWeightPosition * h, 1e-2, 2 * kWeightPosition * h,
      10 * kWeightVelocity * h, 10 * kWeightVelocity * h, 1e-5, 10 * kWeightVelocity * h;
  P_ = s.cwiseAbs2().asDiagonal();
}

void XyahFilter::predict(double dt, bool zero_height_rate) {
  assert(dt >= 0);
  if (zero_height_rate) x_(7) = 0;
  const double h = x_(3);
  Eigen::Matrix<double, 8, 1> q;
  q << kWeightPosition * h, kWeightPosition * h, 1e-2, kWeightPosition * h, kWeightVelocity * h,
      kWeightVelocity * h, 1e-5, kWeightVelocity * h;
  x_.head<4>() += dt * x_.tail<4>();
  propagate_cv8(P_, dt);
  P_.diagonal() += q.cwiseAbs2() * dt;
}

void XyahFilter::update(const Box& b) {
  const double h = x_(3);
  Eigen::Vector4d r(kWeightPosition * h, kWeightPosition * h, 1e-1, kWeightPosition * h);
  kalman_update<8>(x_, P_, Eigen::Vector4d(b.cx(), b.cy(), b.w / b.h, b.h), r.cwiseAbs2());
}

Box XyahFilter::box() const {
  const double h = x_(3), w = x_(2) * h;
  return {x_(0) - 0.5 * w, x_(1) - 0.5 * h, w, h};
}

bool XyahFilter::valid() const {
  return x_.allFinite() && P_.allFinite() && x_(2) > 0 && x_(3) > 0;
}

// --- BoT-SORT (x, y, w, h) -----------------------------------------------------------------

namespace {
Eigen::Matrix<double, 8, 1> xywh_std(double w, double h, double kp, double kv) {
  Eigen::Matrix<double, 8, 1> s;
  s << kp * w, kp * h, kp * w, kp * h, kv * w, kv * h, kv * w, kv * h;
  return s;
}
}  // namespace

XywhFilter::XywhFilter(const Box& b) {
  x_ << b.cx(), b.cy(), b.w, b.h, 0, 0, 0, 0;
  P_ = xywh_std(b.w, b.h, 2 * kWeightPosition, 10 * kWeightVelocity).cwiseAbs2().asDiagonal();
}

void XywhFilter::predict(double dt, bool zero_size_rate) {
  assert(dt >= 0);
  if (zero_size_rate) x_(6) = x_(7) = 0;
  const auto q = xywh_std(x_(2), x_(3), kWeightPosition, kWeightVelocity);
  x_.head<4>() += dt * x_.tail<4>();
  propagate_cv8(P_, dt);
  P_.diagonal() += q.cwiseAbs2() * dt;
}

void XywhFilter::update(const Box& b) {
  const double w = x_(2), h = x_(3);
  const Eigen::Vector4d r(kWeightPosition * w, kWeightPosition * h, kWeightPosition * w,
                          kWeightPosition * h);
  kalman_update<8>(x_, P_, Eigen::Vector4d(b.cx(), b.cy(), b.w, b.h), r.cwiseAbs2());
}

Box XywhFilter::box() const {
  return {x_(0) - 0.5 * x_(2), x_(1) - 0.5 * x_(3), x_(2), x_(3)};
}

bool XywhFilter::valid() const {
  return x_.allFinite() && P_.allFinite() && x_(2) > 0 && x_(3) > 0;
}

// --- SORT (x, y, s, r) ----------------------------------------------------------------------

XysrFilter::XysrFilter(const Box& b) {
  x_.setZero();
  x_(0) = b.cx();
  x_(1) = b.cy();
  x_(2) = b.w * b.h;
  x_(3) = b.w / b.h;
  // SORT: P = 10 I, with 1000 times more on the unobserved velocities.
  P_ = Cov::Identity() * 10.0;
  P_(4, 4) = P_(5, 5) = P_(6, 6) = 10.0 * 1000.0;
}

void XysrFilter::predict(double dt) {
  assert(dt >= 0);
  if (x_(6) + x_(2) <= 0) x_(6) = 0;  // the area must not go negative
  Cov F = Cov::Identity();
  F(0, 4) = F(1, 5) = F(2, 6) = dt;
  x_ = F * x_;
  P_ = F * P_ * F.transpose();
  // SORT's Q: identity, velocities 0.01, area rate 1e-4.
  Eigen::Matrix<double, 7, 1> q;
  q << 1, 1, 1, 1, 0.01, 0.01, 1e-4;
  P_.diagonal() += q * dt;
}

void XysrFilter::update(const Box& b) {
  kalman_update<7>(x_, P_, Eigen::Vector4d(b.cx(), b.cy(), b.w * b.h, b.w / b.h),
                   Eigen::Vector4d(1, 1, 10, 10));
}

Box XysrFilter::box() const {
  const double w = std::sqrt(x_(2) * x_(3));
  const double h = x_(2) / w;
  return {x_(0) - 0.5 * w, x_(1) - 0.5 * h, w, h};
}

bool XysrFilter::valid() const {
  return x_.allFinite() && P_.allFinite() && x_(2) > 0 && x_(3) > 0;
}

}  // namespace picket::imagetrack

// Measurement models: how a sensor's report relates to a track's state.
//
// A MeasView is one report as a D-dimensional track sees it: a measurement vector z of 2 to 4
// components, its noise covariance R, and the function h(x) predicting z from a state. Two forms:
//   Cartesian: z = position (east, north[, up]) in the site frame (cameras, geodetic reports
//     converted through the site's LocalFrame, fence segments as a line-segment measurement).
//   Polar: z = (range, bearing[, elevation][, Doppler]) from the sensor's position, with noise in
//     those coordinates. h is nonlinear; the filter linearises it at the predicted state (EKF,
//     Bar-Shalom et al. 2001, section 10.3), so polar noise is never pretended to be Cartesian.
//     Bearing is clockwise from north; Doppler is the range rate, positive receding. A 2-D
//     (ground) track lies at the ground height, so the range it predicts is the slant range from
//     the sensor's mast.
//
// Functions are pure and thread-safe.
#pragma once

#include <Eigen/Core>
#include <cmath>

#include "picket/core/units.h"
#include "picket/track/motion.h"

namespace picket::track {

struct MeasView {
  int dim = 0;  // number of components of z, 2..4
  Eigen::Vector4d z = Eigen::Vector4d::Zero();
  Eigen::Matrix4d R = Eigen::Matrix4d::Zero();
  bool polar = false;
  bool elevation = false;                            // polar: z(2) is elevation
  bool doppler = false;                              // polar: z(dim-1) is Doppler
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();  // polar: the sensor's position, ENU
  double ground_height = 0;  // polar, 2-D tracks: the target's assumed height
};

// Predicted measurement zhat = h(x) and its Jacobian H at x, for a D-dimensional state.
template <int D, int M>
void predict_measurement(const MeasView& m, const Vec<2 * D>& x, Vec<M>& zhat,
                         Eigen::Matrix<double, M, 2 * D>& H) {
  H.setZero();
  if (!m.polar) {
    for (int i = 0; i < M; ++i) {
      zhat(i) = x(i);
      H(i, i) = 1;
    }
    return;
  }
  const double dx = x(0) - m.origin.x(), dy = x(1) - m.origin.y();
  const double dz = (D == 3 ? x(D - 1) : m.ground_height) - m.origin.z();
  const double rho2 = std::max(dx * dx + dy * dy, 1e-6), rho = std::sqrt(rho2);
  const double r2 = rho2 + dz * dz, r = std::sqrt(r2);
  // range
  zhat(0) = r;
  H(0, 0) = dx / r;
  H(0, 1) = dy / r;
  if constexpr (D == 3) H(0, 2) = dz / r;
  // bearing = atan2(dx, dy), clockwise from north
  zhat(1) = std::atan2(dx, dy);
  H(1, 0) = dy / rho2;
  H(1, 1) = -dx / rho2;
  int k = 2;
  if constexpr (D == 3) {
    if (m.elevation) {
      zhat(k) = std::atan2(dz, rho);
      H(k, 0) = -dz * dx / (r2 * rho);
      H(k, 1) = -dz * dy / (r2 * rho);
      H(k, 2) = rho / r2;
      ++k;
    }
  }
  if (m.doppler && k < M) {
    double vdotr = dx * x(D) + dy * x(D + 1);
    if constexpr (D == 3) vdotr += dz * x(D + 2);
    zhat(k) = vdotr / r;
    const double a = vdotr / (r2 * r);
    H(k, 0) = x(D) / r - a * dx;
    H(k, 1) = x(D + 1) / r - a * dy;
    H(k, D) = dx / r;
    H(k, D + 1) = dy / r;
    if constexpr (D == 3) {
      H(k, 2) = x(D + 2) / r - a * dz;
      H(k, D + 2) = dz / r;
    }
  }
}

// An angle difference to (-pi, pi]: one add for the usual small differences.
inline double wrap_angle(double a) {
  if (a > kPi) {
    a -= 2 * kPi;
  } else if (a <= -kPi) {
    a += 2 * kPi;
  }
  return (a > kPi || a <= -kPi) ? wrap_pi(a) : a;
}

// z - zhat, with angles wrapped to (-pi, pi].
template <int M>
Vec<M> innovation(const MeasView& m, const Vec<M>& zhat) {
  Vec<M> nu = m.z.template head<M>() - zhat;
  if (m.polar) {
    nu(1) = wrap_angle(nu(1));
    if (m.elevation && M > 2) nu(2) = wrap_angle(nu(2));
  }
  return nu;
}

}  // namespace picket::track

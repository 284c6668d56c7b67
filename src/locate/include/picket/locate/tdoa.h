// Closed-form hyperbolic (time-difference-of-arrival) location in the plane.
//
// Chan, Y. T. and Ho, K. C. (1994), "A simple and efficient estimator for hyperbolic location",
// IEEE Transactions on Signal Processing 42(8):1905-1915. With sensor 1 as reference and
// r_i1 = c (t_i - t_1), the squared-range equations become linear in z = (x, y, R1):
//   -2 (x_i - x_1) x - 2 (y_i - y_1) y - 2 r_i1 R1 = r_i1² - K_i + K_1,   K_i = x_i² + y_i².
// Stage 1 solves them by weighted least squares (weights from the TDOA covariance scaled by the
// estimated sensor distances, iterated once); stage 2 imposes R1² = (x - x1)² + (y - y1)² with a
// second small weighted least-squares problem. With exactly three sensors the system is solved
// for (x, y) as a linear function of R1 and R1 from the resulting quadratic (two roots possible).
//
// This gives the starting point; the Gauss-Newton refinement in point_event.cpp then uses the
// full (3-D, terrain-following) model.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace picket::locate {

// Candidate source positions (x, y), best first; empty when the geometry is degenerate
// (collinear sensors, fewer than three). `arrival` are arrival times (s), `sigma` their standard
// deviations (s), `c` the propagation speed (m/s).
std::vector<Eigen::Vector2d> chan_tdoa(const std::vector<Eigen::Vector2d>& sensors,
                                       const std::vector<double>& arrival,
                                       const std::vector<double>& sigma, double c);

}  // namespace picket::locate

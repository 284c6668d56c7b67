// Angles and small numeric helpers. Inside Picket angles are radians; degrees appear only at the
// edges (files, protocols, user interface), converted with these functions.
#pragma once

#include <cmath>
#include <numbers>

namespace picket {

constexpr double kPi = std::numbers::pi;

constexpr double deg2rad(double deg) {
  return deg * (kPi / 180.0);
}
constexpr double rad2deg(double rad) {
  return rad * (180.0 / kPi);
}

// Wraps an angle to (-pi, pi].
inline double wrap_pi(double a) {
  a = std::remainder(a, 2.0 * kPi);
  return a <= -kPi ? a + 2.0 * kPi : a;
}

// Wraps an angle to [0, 2 pi).
inline double wrap_2pi(double a) {
  a = std::fmod(a, 2.0 * kPi);
  return a < 0 ? a + 2.0 * kPi : a;
}

// A bearing (clockwise from true north) to the mathematical angle of the ENU frame
// (counter-clockwise from east), and back. Both in radians.
inline double bearing_to_enu_angle(double bearing) {
  return wrap_pi(kPi / 2.0 - bearing);
}
inline double enu_angle_to_bearing(double angle) {
  return wrap_2pi(kPi / 2.0 - angle);
}

}  // namespace picket

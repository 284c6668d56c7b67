// Angle wrapping for the simulator's inner loops. std::remainder and std::fmod are slow, and the
// angles wrapped here are almost always within a turn or two of the range; far values (a beam
// azimuth after a day of turning) fall back to them.
#pragma once

#include <cmath>

#include "picket/core/units.h"

namespace picket::sim {

// To (-pi, pi].
inline double wrap_angle(double a) {
  constexpr double kTwoPi = 2 * kPi;
  if (a > kPi || a <= -kPi) {
    if (std::abs(a) > 8 * kPi) a = std::remainder(a, kTwoPi);
    while (a > kPi)
      a -= kTwoPi;
    while (a <= -kPi)
      a += kTwoPi;
  }
  return a;
}

// To [0, 2 pi).
inline double wrap_bearing(double a) {
  constexpr double kTwoPi = 2 * kPi;
  if (a < 0 || a >= kTwoPi) {
    if (std::abs(a) > 8 * kPi) a = std::fmod(a, kTwoPi);
    while (a < 0)
      a += kTwoPi;
    while (a >= kTwoPi)
      a -= kTwoPi;
  }
  return a;
}

}  // namespace picket::sim

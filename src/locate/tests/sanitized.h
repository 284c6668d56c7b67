// Test helper: statistical tests draw fewer samples under the sanitizers (a Debug build with
// AddressSanitizer runs Eigen code tens of times slower); their acceptance bounds are derived
// from the sample count, so they stay valid tests, only wider.
#pragma once

#include <cmath>

namespace picket::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// `full` normally, a fifth of it (at least `floor`) under the sanitizers.
inline constexpr int samples(int full, int floor = 50) {
  return kSanitized ? (full / 5 > floor ? full / 5 : floor) : full;
}

// Half-width of an acceptance band for an observed proportion near p over n trials: three
// binomial standard deviations, at least `min`.
inline double proportion_band(double p, int n, double min) {
  const double b = 3 * std::sqrt(p * (1 - p) / n);
  return b > min ? b : min;
}

}  // namespace picket::testing

#include "picket/sim/random.h"

#include <cmath>

namespace picket::sim {

std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t stream_seed(std::uint64_t seed, std::string_view a, std::string_view b) {
  std::uint64_t state = seed;
  std::uint64_t h = splitmix64(state) ^ fnv1a64(a);
  state = h;
  h = splitmix64(state);
  if (!b.empty()) {
    state = h ^ fnv1a64(b) ^ 0x5bd1e9955bd1e995ULL;  // '/' between the two names
    h = splitmix64(state);
  }
  return h;
}

Rng::Rng(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (auto& s : s_)
    s = splitmix64(state);
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // 1 - uniform() is in (0, 1]: the logarithm is finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double a = 2.0 * 3.14159265358979323846 * u2;
  spare_ = r * std::sin(a);
  has_spare_ = true;
  return r * std::cos(a);
}

double Rng::exponential(double rate) {
  return -std::log(1.0 - uniform()) / rate;
}

std::uint64_t Rng::poisson(double mean) {
  if (!(mean > 0)) return 0;
  if (mean < 10) {
    // Knuth, TAOCP vol. 2, 3.4.1: multiply uniforms until the product falls below e^-mean.
    const double limit = std::exp(-mean);
    std::uint64_t k = 0;
    double p = uniform();
    while (p > limit) {
      ++k;
      p *= uniform();
    }
    return k;
  }
  // PTRS (Hoermann 1993), constants as in the paper.
  const double slam = std::sqrt(mean);
  const double loglam = std::log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = uniform() - 0.5;
    const double v = uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        -mean + k * loglam - std::lgamma(k + 1)) {
      return static_cast<std::uint64_t>(k);
    }
  }
}

}  // namespace picket::sim

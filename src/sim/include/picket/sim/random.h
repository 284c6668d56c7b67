// Deterministic random numbers for the simulator: our own generator and distributions, so a
// scenario run with a seed gives the same bytes whatever the standard library's <random>
// distributions do (their algorithms are implementation-defined).
//
// - Stream seeds: SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
//   generators", OOPSLA 2014) mixes the scenario seed with an FNV-1a hash of a stream name
//   ("radar-sw/intruder-1"), so every sensor and every mover has its own independent stream and
//   adding a mover does not change what happens to the others.
// - Generator: xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number
//   generators", ACM TOMS 2021), seeded from SplitMix64 as its authors recommend.
// - Normal: Box-Muller transform (Box & Muller 1958), the second value of each pair kept.
// - Poisson: Knuth's multiplication method for small means, PTRS transformed rejection (Hoermann,
//   "The transformed rejection method for generating Poisson random variables", 1993) above.
//
// Thread-safety: an Rng is a small value owned by one thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace picket::sim {

// One SplitMix64 step: advances `state` and returns the next output.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a, 64 bits.
std::uint64_t fnv1a64(std::string_view s);

// The seed of the stream named `a` (and `b`) under the scenario seed `seed`.
std::uint64_t stream_seed(std::uint64_t seed, std::string_view a, std::string_view b = {});

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  // Uniform integer in [0, n), n > 0 (from 53 random bits: the bias is below n * 2^-53).
  std::uint64_t index(std::uint64_t n) {
    const auto i = static_cast<std::uint64_t>(uniform() * static_cast<double>(n));
    return i < n ? i : n - 1;
  }
  bool bernoulli(double p) { return uniform() < p; }
  // Standard normal.
  double normal();
  double normal(double mean, double sd) { return mean + sd * normal(); }
  // Exponential with the given rate (mean 1/rate).
  double exponential(double rate);
  // Poisson with the given mean (>= 0).
  std::uint64_t poisson(double mean);

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace picket::sim

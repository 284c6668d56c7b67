#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "picket/sim/random.h"

namespace picket::sim {
namespace {

TEST(Random, SplitMix64KnownAnswer) {
  std::uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);  // the reference implementation's
}

TEST(Random, Xoshiro256StarStarKnownAnswer) {
  // Reference values from the published algorithm (seeded from SplitMix64), computed apart.
  Rng a(0);
  EXPECT_EQ(a.next(), 0x99ec5f36cb75f2b4ULL);
  EXPECT_EQ(a.next(), 0xbf6e1f784956452aULL);
  EXPECT_EQ(a.next(), 0x1a5f849d4933e6e0ULL);
  Rng b(12345);
  EXPECT_EQ(b.next(), 0xbe6a36374160d49bULL);
  EXPECT_EQ(b.next(), 0x214aaa0637a688c6ULL);
  EXPECT_EQ(b.next(), 0xf69d16de9954d388ULL);
}

TEST(Random, StreamsDependOnSeedAndNames) {
  EXPECT_EQ(stream_seed(7, "radar"), stream_seed(7, "radar"));
  EXPECT_NE(stream_seed(7, "radar"), stream_seed(8, "radar"));
  EXPECT_NE(stream_seed(7, "radar"), stream_seed(7, "radar2"));
  EXPECT_NE(stream_seed(7, "radar", "a"), stream_seed(7, "radar", "b"));
  EXPECT_NE(stream_seed(7, "radar", "a"), stream_seed(7, "radar"));
  // "ab"/"c" and "a"/"bc" are different streams.
  EXPECT_NE(stream_seed(7, "ab", "c"), stream_seed(7, "a", "bc"));
}

struct Moments {
  double mean = 0;
  double var = 0;
};

template <class F>
Moments moments(int n, F&& draw) {
  double s = 0;
  double s2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    s += x;
    s2 += x * x;
  }
  Moments m;
  m.mean = s / n;
  m.var = s2 / n - m.mean * m.mean;
  return m;
}

TEST(Random, UniformNormalExponentialMoments) {
  Rng rng(1);
  constexpr int n = 400'000;
  const auto u = moments(n, [&] { return rng.uniform(); });
  EXPECT_NEAR(u.mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(u.var, 1.0 / 12, 0.002);
  const auto z = moments(n, [&] { return rng.normal(); });
  EXPECT_NEAR(z.mean, 0, 5 / std::sqrt(n));
  EXPECT_NEAR(z.var, 1, 0.01);
  // Tail: P(|z| > 2) = 0.0455.
  int tail = 0;
  for (int i = 0; i < n; ++i)
    tail += std::abs(rng.normal()) > 2;
  EXPECT_NEAR(tail / double(n), 0.0455, 5 * std::sqrt(0.0455 * 0.9545 / n));
  const auto e = moments(n, [&] { return rng.exponential(4.0); });
  EXPECT_NEAR(e.mean, 0.25, 5 * 0.25 / std::sqrt(n));
  for (int i = 0; i < 1000; ++i) {
    const auto k = rng.index(7);
    ASSERT_LT(k, 7u);
  }
}

// Poisson: mean and variance equal the parameter, on both sides of the switch between Knuth's
// method (< 10) and PTRS, and P(0) = e^-mean.
class PoissonTest : public ::testing::TestWithParam<double> {};

TEST_P(PoissonTest, MeanVarianceAndZeros) {
  const double mu = GetParam();
  Rng rng(static_cast<std::uint64_t>(mu * 1000) + 3);
  constexpr int n = 200'000;
  int zeros = 0;
  const auto m = moments(n, [&] {
    const auto k = rng.poisson(mu);
    zeros += k == 0;
    return static_cast<double>(k);
  });
  EXPECT_NEAR(m.mean, mu, 5 * std::sqrt(mu / n)) << mu;
  EXPECT_NEAR(m.var / mu, 1.0, 0.03) << mu;
  const double p0 = std::exp(-mu);
  EXPECT_NEAR(zeros / double(n), p0, 5 * std::sqrt(p0 * (1 - p0) / n) + 1e-9) << mu;
}

INSTANTIATE_TEST_SUITE_P(Means, PoissonTest,
                         ::testing::Values(0.05, 1.0, 4.5, 9.9, 10.0, 37.0, 1500.0));

TEST(Random, PoissonOfZeroIsZero) {
  Rng rng(1);
  EXPECT_EQ(rng.poisson(0), 0u);
  EXPECT_EQ(rng.poisson(-1), 0u);
}

}  // namespace
}  // namespace picket::sim

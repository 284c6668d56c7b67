#include "picket/rules/spatial.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "test_site.h"

namespace picket::rules {
namespace {

TEST(SpatialIndex, ZonesMatchBruteForce) {
  // Append the concave zone to the zones list by building a site text with it.
  std::string head = testing::kSiteHead;
  const std::string marker = "sensors:\n";
  head.insert(head.find(marker), R"(  - id: notch
    polygon:
      - {east: 120, north: 120}
      - {east: 300, north: 120}
      - {east: 300, north: 300}
      - {east: 210, north: 150}
      - {east: 120, north: 300}
)");
  auto site = load_site_from_string(head, "site.yaml");
  ASSERT_TRUE(site) << site.error().message();
  for (double radius : {0.0, 5.0, 40.0, 300.0}) {
    const SpatialIndex index(*site, radius);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-400, 400);
    std::vector<int> got;
    for (int i = 0; i < 5000; ++i) {
      const Vec2 p(u(rng), u(rng));
      got.clear();
      index.zones_at(p, got);
      std::vector<int> want;
      for (size_t z = 0; z < site->zones.size(); ++z)
        if (site->zones[z].polygon.contains(p)) want.push_back(static_cast<int>(z));
      ASSERT_EQ(got, want) << "at " << p.transpose() << " radius " << radius;
    }
  }
}

TEST(SpatialIndex, NearPiecesAreASupersetOfThePiecesWithinTheRadius) {
  const Site site = testing::make_site("");
  for (double radius : {1.0, 25.0, 80.0}) {
    const SpatialIndex index(site, radius);
    ASSERT_FALSE(index.pieces().empty());
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(-250, 250);
    for (int i = 0; i < 5000; ++i) {
      const Vec2 p(u(rng), u(rng));
      const auto [first, last] = index.pieces_near(p);
      for (std::uint32_t k = 0; k < index.pieces().size(); ++k) {
        if (index.pieces()[k].seg.distance(p) <= radius) {
          ASSERT_TRUE(std::find(first, last, k) != last)
              << "piece " << k << " missing at " << p.transpose() << " radius " << radius;
        }
      }
      ASSERT_TRUE(std::is_sorted(first, last));
    }
  }
}

TEST(SpatialIndex, CrossingsAgreeWithTheFenceModel) {
  const Site site = testing::make_site("");
  const Fence& fence = site.fences[0];
  const SpatialIndex index(site, 25);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-160, 160);
  std::normal_distribution<double> step(0, 15);
  std::vector<std::uint32_t> along;
  int crossings = 0;
  for (int i = 0; i < 20000; ++i) {
    const Vec2 p0(u(rng), u(rng));
    const Vec2 p1 = p0 + Vec2(step(rng), step(rng)) * (i % 100 == 0 ? 30 : 1);
    const auto want = fence.crossing(p0, p1);
    const auto [first, last] = index.pieces_along(p0, p1, along);
    std::optional<double> best;
    const FencePiece* piece = nullptr;
    for (const auto* it = first; it != last; ++it) {
      const auto k = *it;
      const auto& pc = index.pieces()[k];
      if (auto f = segment_intersection(p0, p1, pc.seg); f && (!best || *f < *best)) {
        best = f;
        piece = &pc;
      }
    }
    ASSERT_EQ(want.has_value(), best.has_value()) << p0.transpose() << " -> " << p1.transpose();
    if (want) {
      ++crossings;
      EXPECT_NEAR(want->fraction, *best, 1e-12);
      // At a segment boundary either neighbour is right.
      EXPECT_LE(std::abs(want->segment - piece->segment), 1);
    }
  }
  EXPECT_GT(crossings, 400);
}

TEST(SpatialIndex, EmptySiteAndFarPoints) {
  const Site site = testing::make_site("");
  const SpatialIndex index(site, 10);
  std::vector<int> zones;
  index.zones_at(Vec2(1e7, 1e7), zones);
  index.zones_at(Vec2(std::nan(""), 0), zones);
  EXPECT_TRUE(zones.empty());
  const auto [a, b] = index.pieces_near(Vec2(-1e7, 3));
  EXPECT_EQ(a, b);
  std::vector<std::uint32_t> along;
  auto r = index.pieces_along(Vec2(1e6, 1e6), Vec2(1e6 + 5, 1e6), along);
  EXPECT_EQ(r.first, r.second);
  // A huge jump across the whole site still finds the fence.
  r = index.pieces_along(Vec2(-1e5, 0), Vec2(1e5, 0), along);
  EXPECT_NE(r.first, r.second);
}

}  // namespace
}  // namespace picket::rules

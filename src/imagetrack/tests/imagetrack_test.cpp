#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "picket/core/assignment.h"
#include "picket/imagetrack/assign.h"
#include "picket/imagetrack/box.h"
#include "picket/imagetrack/box_filter.h"
#include "picket/imagetrack/tracker.h"

namespace picket::imagetrack {
namespace {

TEST(Box, IouHandWorked) {
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {2.5, 0, 10, 10}), 0.6);
  EXPECT_DOUBLE_EQ(iou({0, 0, 4, 4}, {1, 1, 2, 2}), 0.25);
  EXPECT_EQ(iou({0, 0, 10, 10}, {10, 0, 10, 10}), 0.0);
  EXPECT_FALSE(valid_box({0, 0, 0, 10}));
  EXPECT_FALSE(valid_box({std::nan(""), 0, 1, 1}));
  EXPECT_FALSE(valid_box({0, 0, 1e308, 1e308}));  // area overflows
  EXPECT_TRUE(valid_box({-5, -5, 1, 1}));
}

// The grid must find exactly the pairs a comparison of every pair finds, whatever the layout:
// clustered, spread, with a few huge boxes and far-away outliers.
TEST(BoxGrid, SameAsBruteForce) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> pos(0, 2000), size(5, 80);
  for (int round = 0; round < 20; ++round) {
    std::vector<Box> a, b;
    for (int i = 0; i < 300; ++i)
      a.push_back({pos(rng), pos(rng), size(rng), size(rng)});
    for (int i = 0; i < 400; ++i)
      b.push_back({pos(rng), pos(rng), size(rng), size(rng)});
    b.push_back({-100, -100, 3000, 3000});  // covers everything
    b.push_back({1e9, 1e9, 10, 10});        // far away
    a.push_back({1e9 + 2, 1e9 + 1, 10, 10});
    a.push_back({-1e9, 5, 10, 10});
    const double min_iou = round % 2 ? 0.01 : 1e-12;
    BoxGrid g;
    g.build(b);
    std::vector<BoxPair> got;
    g.pairs(a, min_iou, got);
    std::set<std::pair<int, int>> expect, have;
    for (int i = 0; i < static_cast<int>(a.size()); ++i)
      for (int j = 0; j < static_cast<int>(b.size()); ++j)
        if (iou(a[static_cast<size_t>(i)], b[static_cast<size_t>(j)]) >= min_iou)
          expect.insert({i, j});
    for (const auto& p : got)
      EXPECT_TRUE(have.insert({p.a, p.b}).second) << "pair reported twice";
    EXPECT_EQ(have, expect);
    EXPECT_LE(g.cells(), 4 * b.size() + 64);
  }
}

// The per-cluster solution costs the same as one dense solve of the whole problem.
TEST(Assigner, MatchesDenseSolver) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  for (int round = 0; round < 200; ++round) {
    const int na = 1 + static_cast<int>(u(rng) * 12), nb = 1 + static_cast<int>(u(rng) * 12);
    const double miss = 0.4;
    std::vector<CostPair> pairs;
    CostMatrix dense(na, nb, kForbidden);
    for (int a = 0; a < na; ++a)
      for (int b = 0; b < nb; ++b)
        if (u(rng) < 0.25) {
          const double c = u(rng);
          pairs.push_back({a, b, c});
          dense(a, b) = c;
        }
    Assigner as;
    std::vector<int> ma, mb;
    as.solve(na, nb, pairs, miss, ma, mb);
    double cost = 0;
    int assigned = 0;
    for (int a = 0; a < na; ++a) {
      if (ma[static_cast<size_t>(a)] < 0) {
        cost += miss;
        continue;
      }
      ++assigned;
      EXPECT_EQ(mb[static_cast<size_t>(ma[static_cast<size_t>(a)])], a);
      cost += dense(a, ma[static_cast<size_t>(a)]);
    }
    cost += miss * (nb - assigned);
    const auto ref =
        solve_assignment_with_misses(dense, std::vector<double>(static_cast<size_t>(na), miss),
                                     std::vector<double>(static_cast<size_t>(nb), miss));
    EXPECT_NEAR(cost, ref.cost, 1e-12) << "round " << round;
  }
}

TEST(BoxFilter, LearnsConstantVelocity) {
  XyahFilter f({100, 50, 40, 80});
  XysrFilter g({100, 50, 40, 80});
  for (int k = 1; k <= 30; ++k) {
    const Box z{100 + 3.0 * k, 50 - 1.0 * k, 40, 80};
    f.predict(1, false);
    f.update(z);
    g.predict(1);
    g.update(z);
  }
  f.predict(1, false);
  g.predict(1);
  EXPECT_NEAR(f.box().x, 100 + 3.0 * 31, 0.5);
  EXPECT_NEAR(f.box().y, 50 - 31.0, 0.5);
  EXPECT_NEAR(f.box().w, 40, 0.5);
  EXPECT_NEAR(g.box().x, 100 + 3.0 * 31, 0.5);
  EXPECT_NEAR(g.box().h, 80, 0.5);
  EXPECT_NEAR(f.mean()(4), 3.0, 0.05);  // px per frame
  // Two frames at once move twice as far.
  XyahFilter h = f;
  h.predict(2, false);
  EXPECT_NEAR(h.box().x - f.box().x, 6.0, 0.1);
  EXPECT_TRUE(f.valid() && g.valid());
}

std::vector<BoxDetection> frame_of(std::initializer_list<std::pair<Box, double>> boxes) {
  std::vector<BoxDetection> v;
  for (const auto& [b, s] : boxes)
    v.push_back({b, s, 0});
  return v;
}

// Two people walk towards each other and cross; each keeps its id.
TEST(BoxTracker, CrossingKeepsIdentities) {
  for (auto params : {BoxTrackerParams::bytetrack(25), BoxTrackerParams::sort(25)}) {
    BoxTracker tr(params);
    std::map<std::uint64_t, std::vector<double>> xs;
    for (int k = 0; k < 60; ++k) {
      const double a = 100 + 5.0 * k, b = 400 - 5.0 * k;
      auto dets = frame_of({{{a, 100, 40, 100}, 0.9}, {{b, 130, 40, 100}, 0.9}});
      auto out = tr.update(k / 25.0, dets);
      ASSERT_TRUE(out);
      for (const auto& t : *out)
        xs[t.id].push_back(t.box.x);
    }
    ASSERT_EQ(xs.size(), 2u) << "one track per person, whatever the method";
    for (const auto& [id, v] : xs) {
      const bool rightwards = v.back() > v.front();
      for (size_t i = 1; i < v.size(); ++i)
        EXPECT_EQ(v[i] > v[i - 1], rightwards) << "track " << id << " turned back at " << i;
    }
  }
}

// ByteTrack's second pass: while an occluded person's box scores only 0.3, the track goes on
// with the same id; without the pass it is not reported in those frames.
TEST(BoxTracker, LowScoreBoxesKeepTheTrack) {
  auto run = [](BoxTrackerParams p) {
    BoxTracker tr(p);
    std::vector<int> reported;
    std::set<std::uint64_t> ids;
    for (int k = 0; k < 30; ++k) {
      const double score = (k >= 10 && k < 20) ? 0.3 : 0.9;
      auto out = tr.update(k / 30.0, frame_of({{{100 + 2.0 * k, 100, 40, 100}, score}}));
      EXPECT_TRUE(out);
      reported.push_back(static_cast<int>(out->size()));
      for (const auto& t : *out)
        ids.insert(t.id);
    }
    return std::pair{reported, ids};
  };
  auto [with, ids_with] = run(BoxTrackerParams::bytetrack(30));
  EXPECT_EQ(std::count(with.begin(), with.end(), 1), 30);
  EXPECT_EQ(ids_with.size(), 1u);
  auto no_pass = BoxTrackerParams::bytetrack(30);
  no_pass.low_score = no_pass.high_score;  // no low boxes: the second pass never runs
  auto [without, ids_without] = run(no_pass);
  EXPECT_EQ(std::count(without.begin() + 10, without.begin() + 20, 1), 0);
  EXPECT_EQ(ids_without.size(), 1u);  // found again from the lost state, same id
}

TEST(BoxTracker, TentativeTracksAndBirthScore) {
  BoxTracker tr(BoxTrackerParams::bytetrack(30));
  ASSERT_TRUE(tr.update(0, {}));  // first frame: nothing
  // A box scoring 0.65 is a high box but too weak to start a track.
  auto o1 = tr.update(1 / 30.0, frame_of({{{0, 0, 20, 50}, 0.65}}));
  EXPECT_TRUE(o1->empty());
  EXPECT_EQ(tr.stats().tracks_started, 0u);
  // A 0.8 box starts a tentative track (not reported); matched next frame it is confirmed.
  auto o2 = tr.update(2 / 30.0, frame_of({{{0, 0, 20, 50}, 0.8}}));
  EXPECT_TRUE(o2->empty());
  auto o3 = tr.update(3 / 30.0, frame_of({{{1, 0, 20, 50}, 0.8}}));
  ASSERT_EQ(o3->size(), 1u);
  EXPECT_EQ((*o3)[0].state, BoxTrackState::tracked);
  EXPECT_EQ((*o3)[0].detection, 0);
  // A tentative track missing one frame is gone.
  auto o4 = tr.update(4 / 30.0, frame_of({{{1, 0, 20, 50}, 0.8}, {{300, 0, 20, 50}, 0.9}}));
  auto o5 = tr.update(5 / 30.0, frame_of({{{1, 0, 20, 50}, 0.8}}));
  auto o6 = tr.update(6 / 30.0, frame_of({{{1, 0, 20, 50}, 0.8}, {{300, 0, 20, 50}, 0.9}}));
  ASSERT_TRUE(o4 && o5 && o6);
  EXPECT_EQ(o6->size(), 1u);  // the box at 300 started again, tentative
  EXPECT_EQ(tr.stats().tracks_started, 3u);
}

TEST(BoxTracker, LostTracksExpireAfterMaxLost) {
  auto p = BoxTrackerParams::bytetrack(10);
  p.max_lost_s = 0.5;
  BoxTracker tr(p);
  const auto d = frame_of({{{50, 50, 20, 40}, 0.9}});
  ASSERT_TRUE(tr.update(0.0, d));  // first frame: confirmed at once
  auto lives = [&] { return tr.live_tracks().size(); };
  for (int k = 1; k <= 5; ++k) {
    ASSERT_TRUE(tr.update(0.1 * k, {}));
    EXPECT_EQ(lives(), 1u) << k;  // lost 0.1 .. 0.5 s: kept
  }
  ASSERT_TRUE(tr.update(0.6, {}));
  EXPECT_EQ(lives(), 0u);  // lost longer than 0.5 s
  auto again = tr.update(0.7, d);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());               // a new, tentative track
  EXPECT_EQ(tr.live_tracks().at(0).id, 2u);  // ids are never reused
}

TEST(BoxTracker, SortReportsAfterMinHits) {
  BoxTracker tr(BoxTrackerParams::sort(30));
  std::vector<size_t> n;
  for (int k = 0; k < 8; ++k) {
    // The object appears at frame 4 (after SORT's warm-up of 3 frames).
    auto out = tr.update(
        k / 30.0, k >= 4 ? frame_of({{{10.0 + k, 10, 20, 40}, 1}}) : std::vector<BoxDetection>{});
    ASSERT_TRUE(out);
    n.push_back(out->size());
  }
  // Created at frame 4, matched at 5, 6, 7: reported once it has 3 matches in a row.
  EXPECT_EQ(n, (std::vector<size_t>{0, 0, 0, 0, 0, 0, 0, 1}));
}

TEST(BoxTracker, BadInputIsCountedNotFatal) {
  BoxTracker tr(BoxTrackerParams::bytetrack(30));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<BoxDetection> dets = {{{nan, 0, 10, 10}, 0.9, 0},
                                    {{0, 0, -5, 10}, 0.9, 0},
                                    {{0, 0, 10, inf}, 0.9, 0},
                                    {{0, 0, 10, 10}, nan, 0},
                                    {{100, 100, 10, 20}, 0.9, 0}};
  auto out = tr.update(1.0, dets);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].detection, 4);
  EXPECT_EQ(tr.stats().boxes_rejected, 4u);
  // Time going backwards or not finite: refused, counted, nothing changed.
  auto back = tr.update(0.5, dets);
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().message().find("before the previous frame"), std::string::npos);
  EXPECT_FALSE(tr.update(nan, dets));
  EXPECT_EQ(tr.stats().frames_rejected, 2u);
  EXPECT_EQ(tr.stats().frames, 1u);
  auto next = tr.update(1.0 + 1 / 30.0, dets);
  ASSERT_TRUE(next);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].id, 1u);
  // Invalid parameters are refused with the field's name.
  auto p = BoxTrackerParams::bytetrack();
  p.second_iou = 1.5;
  auto bad = BoxTracker::create(p);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("second_iou"), std::string::npos);
}

TEST(BoxTracker, ClassLabelsDoNotMix) {
  BoxTracker tr(BoxTrackerParams::bytetrack(30));
  std::vector<BoxDetection> f1 = {{{0, 0, 20, 40}, 0.9, 1}};
  std::vector<BoxDetection> f2 = {{{1, 0, 20, 40}, 0.9, 2}};  // same place, another class
  auto a = tr.update(0, f1);
  ASSERT_EQ(a->size(), 1u);
  const auto id = (*a)[0].id;
  auto b = tr.update(1 / 30.0, f2);
  ASSERT_TRUE(b);
  for (const auto& t : *b)
    EXPECT_NE(t.id, id);
}

// A crowded frame: 5,000 people on a 4K image, walking; every one keeps its id, and the
// association clusters stay small (no dense all-pairs matrix).
TEST(BoxTracker, ThousandsOfBoxes) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> px(0, 3800), py(0, 2100), v(-2, 2);
  const int n = 5000;
  std::vector<std::array<double, 4>> people(n);
  for (auto& p : people)
    p = {px(rng), py(rng), v(rng), v(rng)};
  BoxTracker tr(BoxTrackerParams::bytetrack(30));
  std::map<std::uint64_t, int> first_seen;
  size_t last = 0;
  for (int k = 0; k < 5; ++k) {
    std::vector<BoxDetection> dets;
    for (auto& p : people)
      dets.push_back({{p[0] + p[2] * k, p[1] + p[3] * k, 12, 30}, 0.9, 0});
    auto out = tr.update(k / 30.0, dets);
    ASSERT_TRUE(out);
    last = out->size();
    for (const auto& t : *out)
      first_seen.emplace(t.id, k);
  }
  EXPECT_EQ(last, static_cast<size_t>(n));
  EXPECT_EQ(first_seen.size(), static_cast<size_t>(n));  // no identity changes
  EXPECT_LT(tr.stats().largest_cluster, 40);
}

}  // namespace
}  // namespace picket::imagetrack

// GOSPA and OSPA against cases worked by hand from their definitions (Rahmathullah,
// Garcia-Fernandez, Svensson 2017; Schuhmacher, Vo, Vo 2008), and the clustered solver against
// brute force; track metrics (identity, fragmentation, time to confirm) on a hand-made run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>

#include "picket/eval/gospa.h"
#include "picket/eval/track_metrics.h"

namespace picket::eval {
namespace {

PointSet pts(std::initializer_list<std::pair<double, double>> xy) {
  PointSet s;
  for (auto [x, y] : xy)
    s.points.emplace_back(x, y, 0);
  return s;
}

TEST(Gospa, OneAssignedOneMissed) {
  // (0,0)-(3,4) is 5 m (< c = 10): localisation 5; (20,0) is missed: c^p/2 = 5. GOSPA 10.
  const auto g = gospa(pts({{0, 0}, {20, 0}}), pts({{3, 4}}), 10, 1);
  EXPECT_DOUBLE_EQ(g.localisation, 5);
  EXPECT_DOUBLE_EQ(g.missed, 5);
  EXPECT_DOUBLE_EQ(g.false_, 0);
  EXPECT_DOUBLE_EQ(g.distance, 10);
  EXPECT_EQ(g.assigned, 1);
  EXPECT_EQ(g.missed_count, 1);
  // p = 2: (5^2 + 10^2/2)^(1/2) = sqrt(75)
  const auto g2 = gospa(pts({{0, 0}, {20, 0}}), pts({{3, 4}}), 10, 2);
  EXPECT_DOUBLE_EQ(g2.localisation, 25);
  EXPECT_DOUBLE_EQ(g2.missed, 50);
  EXPECT_NEAR(g2.distance, std::sqrt(75.0), 1e-12);
}

TEST(Gospa, OptimalNotGreedy) {
  // Truth (0,0), (4,0); estimates (2,0), (11,0). Greedy would pair (4,0)-(2,0) and leave the
  // rest (2 + 5 + 5 = 12); the optimum pairs (0,0)-(2,0) and (4,0)-(11,0): 2 + 7 = 9.
  const auto g = gospa(pts({{0, 0}, {4, 0}}), pts({{2, 0}, {11, 0}}), 10, 1);
  EXPECT_DOUBLE_EQ(g.distance, 9);
  EXPECT_EQ(g.assigned, 2);
  EXPECT_EQ(g.pairs, (std::vector<std::pair<int, int>>{{0, 0}, {1, 1}}));
}

TEST(Gospa, EmptySetsAndTheCutOff) {
  EXPECT_DOUBLE_EQ(gospa(pts({}), pts({}), 10, 1).distance, 0);
  const auto f = gospa(pts({}), pts({{0, 0}, {1, 1}, {2, 2}}), 10, 1);
  EXPECT_DOUBLE_EQ(f.distance, 15);  // three false, c/2 each
  EXPECT_EQ(f.false_count, 3);
  // a pair exactly c apart is never worth assigning: c/2 + c/2 = c either way
  const auto g = gospa(pts({{0, 0}}), pts({{10, 0}}), 10, 1);
  EXPECT_DOUBLE_EQ(g.distance, 10);
  EXPECT_EQ(g.assigned, 0);
}

TEST(Ospa, HandWorked) {
  // m = 1, n = 2: ((3 + c) / 2) for p = 1; ((9 + c^2) / 2)^(1/2) for p = 2.
  EXPECT_DOUBLE_EQ(ospa(pts({{0, 0}}), pts({{3, 0}, {50, 0}}), 10, 1), 6.5);
  EXPECT_NEAR(ospa(pts({{0, 0}}), pts({{3, 0}, {50, 0}}), 10, 2), std::sqrt(109.0 / 2), 1e-12);
  // symmetric in its arguments
  EXPECT_DOUBLE_EQ(ospa(pts({{3, 0}, {50, 0}}), pts({{0, 0}}), 10, 1), 6.5);
  EXPECT_DOUBLE_EQ(ospa(pts({}), pts({}), 10, 1), 0);
  EXPECT_DOUBLE_EQ(ospa(pts({{1, 1}}), pts({}), 10, 1), 10);
  // distances beyond c count as c
  EXPECT_DOUBLE_EQ(ospa(pts({{0, 0}}), pts({{40, 0}}), 10, 1), 10);
}

TEST(Gospa, VerticalCountsWhenTheTruthHasAHeight) {
  PointSet x;
  x.points.emplace_back(0, 0, 100);
  x.use_up.push_back(1);
  PointSet y;
  y.points.emplace_back(0, 0, 104);
  EXPECT_DOUBLE_EQ(gospa(x, y, 10, 1).distance, 4);
  x.use_up[0] = 0;
  EXPECT_DOUBLE_EQ(gospa(x, y, 10, 1).distance, 0);
}

// The definition directly: the minimum over every partial assignment.
double brute_gospa(const PointSet& x, const PointSet& y, double c, double p) {
  const int m = static_cast<int>(x.points.size()), n = static_cast<int>(y.points.size());
  double best = std::numeric_limits<double>::infinity();
  std::vector<char> used(static_cast<size_t>(n), 0);
  std::function<void(int, double, int)> rec = [&](int i, double cost, int assigned) {
    if (i == m) {
      best = std::min(best, cost + std::pow(c, p) / 2 * (m + n - 2 * assigned));
      return;
    }
    rec(i + 1, cost, assigned);
    for (int j = 0; j < n; ++j) {
      if (used[static_cast<size_t>(j)]) continue;
      const double d =
          (x.points[static_cast<size_t>(i)] - y.points[static_cast<size_t>(j)]).head<2>().norm();
      if (d >= c) continue;
      used[static_cast<size_t>(j)] = 1;
      rec(i + 1, cost + std::pow(d, p), assigned + 1);
      used[static_cast<size_t>(j)] = 0;
    }
  };
  rec(0, 0, 0);
  return std::pow(best, 1 / p);
}

double brute_ospa(const PointSet& x, const PointSet& y, double c, double p) {
  const PointSet& a = x.points.size() <= y.points.size() ? x : y;
  const PointSet& b = x.points.size() <= y.points.size() ? y : x;
  const int m = static_cast<int>(a.points.size()), n = static_cast<int>(b.points.size());
  if (n == 0) return 0;
  std::vector<int> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  double best = std::numeric_limits<double>::infinity();
  do {
    double s = 0;
    for (int i = 0; i < m; ++i) {
      const double d = (a.points[static_cast<size_t>(i)] -
                        b.points[static_cast<size_t>(perm[static_cast<size_t>(i)])])
                           .head<2>()
                           .norm();
      s += std::pow(std::min(d, c), p);
    }
    best = std::min(best, s);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return std::pow((best + std::pow(c, p) * (n - m)) / n, 1 / p);
}

TEST(Gospa, ClusteredSolverMatchesTheDefinition) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> u(0, 30);
  for (int trial = 0; trial < 300; ++trial) {
    PointSet x, y;
    const int m = static_cast<int>(rng() % 6), n = static_cast<int>(rng() % 6);
    for (int i = 0; i < m; ++i)
      x.points.emplace_back(u(rng), u(rng), 0);
    for (int j = 0; j < n; ++j)
      y.points.emplace_back(u(rng), u(rng), 0);
    for (double p : {1.0, 2.0}) {
      const auto g = gospa(x, y, 10, p);
      EXPECT_NEAR(g.distance, brute_gospa(x, y, 10, p), 1e-9);
      EXPECT_NEAR(std::pow(g.distance, p), g.localisation + g.missed + g.false_, 1e-9);
      EXPECT_NEAR(ospa(x, y, 10, p), brute_ospa(x, y, 10, p), 1e-9);
    }
  }
}

TruthSample truth(double t, const std::string& id, double e, double n) {
  TruthSample s;
  s.t = t;
  s.id = id;
  s.east = e;
  s.north = n;
  return s;
}

TrackState update(double t, std::uint64_t id, double e, double n, double ve, TrackStatus st) {
  TrackState s;
  s.t = t;
  s.id = id;
  s.position = Eigen::Vector3d(e, n, 0);
  s.velocity = Eigen::Vector3d(ve, 0, 0);
  s.status = st;
  return s;
}

TEST(TrackMetrics, IdentityFragmentationAndTimeToConfirm) {
  // Truth A moves east at 1 m/s from (0,0); B stands at (100,0); samples at t = 0..5.
  // Track 1 follows A, confirmed from t = 1 (updates at 1 and 3, extrapolated in between).
  // Track 2 holds B from t = 0 and is deleted at t = 3; track 3 takes B from t = 4.
  // A tentative track 9 sits on A at t = 0 and never counts.
  std::vector<TruthSample> tr;
  for (int t = 0; t <= 5; ++t) {
    tr.push_back(truth(t, "A", t, 0));
    tr.push_back(truth(t, "B", 100, 0));
  }
  std::vector<TrackState> up = {
      update(0, 9, 0, 0, 0, TrackStatus::tentative),
      update(1, 1, 1, 0, 1, TrackStatus::confirmed),
      update(3, 1, 3, 0, 1, TrackStatus::confirmed),
      update(0, 2, 100, 0, 0, TrackStatus::confirmed),
      update(1, 2, 100, 0, 0, TrackStatus::confirmed),
      update(2, 2, 100, 0, 0, TrackStatus::coasting),
      update(3, 2, 100, 0, 0, TrackStatus::deleted),
      update(4, 3, 100, 0, 0, TrackStatus::confirmed),
  };
  TrackEvalOptions o;
  const auto r = evaluate_tracks(tr, up, o);
  ASSERT_EQ(r.steps.size(), 6u);
  // per step: t0 A missed (5), t1 0, t2 0, t3 B missed (5), t4 0, t5 0
  const double expect[] = {5, 0, 0, 5, 0, 0};
  for (int k = 0; k < 6; ++k)
    EXPECT_NEAR(r.steps[static_cast<size_t>(k)].gospa, expect[k], 1e-9) << k;
  EXPECT_NEAR(r.mean_gospa, 10.0 / 6, 1e-12);
  EXPECT_NEAR(r.mean_missed, 10.0 / 6, 1e-12);
  EXPECT_EQ(r.identity_switches, 1);  // B: track 2, then track 3
  EXPECT_EQ(r.fragmentations, 1);     // B untracked at t = 3
  EXPECT_EQ(r.targets, 2);
  EXPECT_EQ(r.targets_tracked, 2);
  EXPECT_NEAR(r.mean_time_to_confirm_s, 0.5, 1e-12);  // A after 1 s, B at once
  EXPECT_NEAR(r.max_time_to_confirm_s, 1.0, 1e-12);
  EXPECT_EQ(r.tracks, 3);
  const std::string json = to_json(r, o, true);
  EXPECT_NE(json.find("\"identity_switches\": 1"), std::string::npos);
  EXPECT_NE(json.find("\"steps\""), std::string::npos);
  const std::string svg = to_svg(r, o, "test <run>");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("test &lt;run&gt;"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace picket::eval

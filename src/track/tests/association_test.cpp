// Gating grid, clustered GNN and JPDA against brute force and hand-worked cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "picket/track/association.h"
#include "picket/track/class_fusion.h"
#include "picket/track/disk_grid.h"

namespace picket::track {
namespace {

TEST(DiskGrid, FindsEveryOverlappingDisk) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> pos(-2000, 2000), rad(0, 150);
  DiskGrid grid(100);
  std::vector<Vec2> c;
  std::vector<double> r;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    c.emplace_back(pos(rng), pos(rng));
    r.push_back(i % 97 == 0 ? 5000 : rad(rng));  // a few huge disks go to the overflow list
    grid.insert(i, c.back(), r.back());
  }
  for (int q = 0; q < 500; ++q) {
    const Vec2 qc(pos(rng), pos(rng));
    const double qr = rad(rng);
    std::set<std::uint32_t> found;
    grid.query(qc, qr, [&](std::uint32_t i) { found.insert(i); });
    for (std::uint32_t i = 0; i < c.size(); ++i) {
      if ((c[i] - qc).norm() <= r[i] + qr) {
        EXPECT_TRUE(found.count(i)) << i;
      }
    }
  }
  // after clear nothing is found; re-inserting works
  grid.clear();
  int n = 0;
  grid.query(Vec2(0, 0), 5000, [&](std::uint32_t) { ++n; });
  EXPECT_EQ(n, 0);
  grid.insert(7, Vec2(10, 10), 1);
  grid.query(Vec2(12, 10), 1.5, [&](std::uint32_t i) { n += i == 7; });
  EXPECT_EQ(n, 1);
}

// Every cell around the origin, the far corners of the index range and cells of negative index
// (the cell (-1, -1) once packed to the hash table's empty key and was never found), each disk
// alone in the grid and among others (a disk may be visited once per cell it shares).
TEST(DiskGrid, FindsDisksInEveryCellAroundTheOrigin) {
  for (double x = -250; x <= 250; x += 50) {
    for (double y = -250; y <= 250; y += 50) {
      DiskGrid grid(100);
      grid.insert(1, Vec2(x + 7, y - 3), 4);
      int n = 0;
      grid.query(Vec2(x + 5, y - 1), 2, [&](std::uint32_t i) { n |= i == 1; });
      EXPECT_EQ(n, 1) << x << ", " << y;
      for (std::uint32_t k = 2; k < 300; ++k)
        grid.insert(k, Vec2(-1000.0 + 7.0 * k, 500.0 - 3.0 * k), 30);
      n = 0;
      grid.query(Vec2(x + 5, y - 1), 2, [&](std::uint32_t i) { n |= i == 1; });
      EXPECT_EQ(n, 1) << x << ", " << y << " among others";
    }
  }
  DiskGrid grid(1);
  const double far = 1.9e9;
  for (const Vec2& c : {Vec2(-far, -far), Vec2(far, far), Vec2(-far, far), Vec2(-0.5, -0.5)}) {
    grid.insert(9, c, 0.25);
    int n = 0;
    grid.query(c, 0.1, [&](std::uint32_t i) { n |= i == 9; });
    EXPECT_EQ(n, 1) << c.transpose();
    grid.clear();
  }
}

// Exhaustive best joint assignment (product of weights) for checking GNN.
double best_product(int nd, int nt, const std::vector<GatedPair>& pairs,
                    const std::vector<double>& w0) {
  std::vector<std::vector<std::pair<int, double>>> opts(static_cast<size_t>(nt));
  for (const auto& p : pairs)
    opts[p.track].push_back({static_cast<int>(p.det), p.w});
  std::vector<char> used(static_cast<size_t>(nd), 0);
  double best = 0;
  std::function<void(int, double)> rec = [&](int i, double v) {
    if (i == nt) {
      best = std::max(best, v);
      return;
    }
    rec(i + 1, v * w0[static_cast<size_t>(i)]);
    for (auto [d, w] : opts[static_cast<size_t>(i)]) {
      if (used[static_cast<size_t>(d)]) continue;
      used[static_cast<size_t>(d)] = 1;
      rec(i + 1, v * w);
      used[static_cast<size_t>(d)] = 0;
    }
  };
  rec(0, 1.0);
  return best;
}

TEST(Association, ClusteredGnnIsTheBestJointAssignment) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<double> u(0.01, 5);
  Associator a;
  for (int trial = 0; trial < 300; ++trial) {
    const int nd = 1 + static_cast<int>(rng() % 7), nt = 1 + static_cast<int>(rng() % 7);
    std::vector<GatedPair> pairs;
    for (int t = 0; t < nt; ++t) {
      for (int d = 0; d < nd; ++d) {
        if (rng() % 3 == 0)
          pairs.push_back({static_cast<std::uint32_t>(d), static_cast<std::uint32_t>(t), u(rng)});
      }
    }
    std::vector<double> w0(static_cast<size_t>(nt));
    for (auto& x : w0)
      x = u(rng) / 5;
    std::vector<int> det_track;
    ClusterStats cs;
    a.gnn(nd, nt, pairs, w0, det_track, cs);
    // the product of the chosen weights equals the exhaustive optimum
    double v = 1;
    std::vector<int> track_det(static_cast<size_t>(nt), -1);
    for (int d = 0; d < nd; ++d) {
      const int t = det_track[static_cast<size_t>(d)];
      if (t < 0) continue;
      ASSERT_EQ(track_det[static_cast<size_t>(t)], -1) << "a track got two detections";
      track_det[static_cast<size_t>(t)] = d;
      bool gated = false;
      for (const auto& p : pairs) {
        if (static_cast<int>(p.det) == d && static_cast<int>(p.track) == t) {
          v *= p.w;
          gated = true;
        }
      }
      ASSERT_TRUE(gated) << "assigned an ungated pair";
    }
    for (int t = 0; t < nt; ++t)
      if (track_det[static_cast<size_t>(t)] < 0) v *= w0[static_cast<size_t>(t)];
    EXPECT_NEAR(std::log(v), std::log(best_product(nd, nt, pairs, w0)), 1e-9);
  }
}

TEST(Association, JpdaHandWorkedTwoTracksOneDetection) {
  // Tracks 0 and 1 both gate detection 0 with w = 2 and 1; misses w0 = 0.5 and 0.5.
  // Joint events: {none, none} 0.25; {0 takes it} 2 x 0.5 = 1; {1 takes it} 0.5 x 1 = 0.5.
  // Total 1.75: beta(0) = 1/1.75, beta(1) = 0.5/1.75, detection free 0.25/1.75.
  Associator a;
  std::vector<GatedPair> pairs = {{0, 0, 2.0}, {0, 1, 1.0}};
  std::vector<double> w0 = {0.5, 0.5}, beta, beta0, free;
  ClusterStats cs;
  a.jpda(1, 2, pairs, w0, beta, beta0, free, cs);
  EXPECT_NEAR(beta[0], 1.0 / 1.75, 1e-12);
  EXPECT_NEAR(beta[1], 0.5 / 1.75, 1e-12);
  EXPECT_NEAR(beta0[0], 0.75 / 1.75, 1e-12);
  EXPECT_NEAR(beta0[1], 1.25 / 1.75, 1e-12);
  EXPECT_NEAR(free[0], 0.25 / 1.75, 1e-12);
  EXPECT_EQ(cs.exact_jpda, 1u);
}

TEST(Association, BeliefPropagationApproximatesExactJpda) {
  // The marginals of loopy belief propagation stay close to exact enumeration, and are proper
  // probabilities (each track's and each detection's sum to one).
  std::mt19937 rng(21);
  std::uniform_real_distribution<double> u(0.05, 3);
  double worst = 0, sum_err = 0;
  int n_err = 0;
  for (int trial = 0; trial < 100; ++trial) {
    const int nd = 2 + static_cast<int>(rng() % 4), nt = 2 + static_cast<int>(rng() % 4);
    std::vector<GatedPair> pairs;
    for (int t = 0; t < nt; ++t)
      for (int d = 0; d < nd; ++d)
        if (rng() % 3 != 0)
          pairs.push_back({static_cast<std::uint32_t>(d), static_cast<std::uint32_t>(t), u(rng)});
    std::vector<double> w0(static_cast<size_t>(nt));
    for (auto& x : w0)
      x = u(rng) / 3;
    Associator exact, lbp(0);
    std::vector<double> be, b0e, fe, bl, b0l, fl;
    ClusterStats cs, cs2;
    exact.jpda(nd, nt, pairs, w0, be, b0e, fe, cs);
    lbp.jpda(nd, nt, pairs, w0, bl, b0l, fl, cs2);
    EXPECT_EQ(cs.lbp_jpda, 0u);
    if (!pairs.empty()) {
      EXPECT_GT(cs2.lbp_jpda, 0u);
    }
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      worst = std::max(worst, std::abs(be[k] - bl[k]));
      sum_err += std::abs(be[k] - bl[k]);
      ++n_err;
    }
    for (int t = 0; t < nt; ++t) {
      double se = b0e[static_cast<size_t>(t)], sl = b0l[static_cast<size_t>(t)];
      for (std::size_t k = 0; k < pairs.size(); ++k) {
        if (static_cast<int>(pairs[k].track) != t) continue;
        se += be[k];
        sl += bl[k];
      }
      EXPECT_NEAR(se, 1.0, 1e-9);
      EXPECT_NEAR(sl, 1.0, 1e-6);
    }
    for (int d = 0; d < nd; ++d) {
      double se = fe[static_cast<size_t>(d)];
      for (std::size_t k = 0; k < pairs.size(); ++k)
        if (static_cast<int>(pairs[k].det) == d) se += be[k];
      EXPECT_NEAR(se, 1.0, 1e-9);
    }
  }
  // Williams and Lau report small errors on average, a few hundredths at worst on small dense
  // (very loopy) problems such as these
  EXPECT_LT(sum_err / n_err, 0.01);
  EXPECT_LT(worst, 0.15);
}

TEST(ClassFusion, BayesWithASymmetricConfusionModel) {
  // Uniform prior; one report "person" with accuracy 0.8: person 0.8, the five others 0.04 each.
  ClassProbabilities p;
  p.fill(1.0 / kNumClasses);
  fuse_class_report(p, TargetClass::person, 0.8);
  EXPECT_NEAR(p[0], 0.8, 1e-9);
  EXPECT_NEAR(p[1], 0.04, 1e-9);
  // a second, independent report of the same: 0.64 / (0.64 + 5 x 0.0016) = 0.98765...
  fuse_class_report(p, TargetClass::person, 0.8);
  EXPECT_NEAR(p[0], 0.64 / (0.64 + 5 * 0.0016), 1e-9);
  // score 0 carries nothing; "unknown" carries nothing
  const auto before = p;
  fuse_class_report(p, TargetClass::vehicle, 0.8, 0.0);
  fuse_class_report(p, TargetClass::unknown, 0.8);
  for (int k = 0; k < kNumClasses; ++k)
    EXPECT_NEAR(p[static_cast<size_t>(k)], before[static_cast<size_t>(k)], 1e-12);
}

TEST(ClassFusion, SpeedRulesOutAPerson) {
  const auto classes = default_params().classes;
  ClassProbabilities p;
  p.fill(1.0 / kNumClasses);
  for (int i = 0; i < 5; ++i)
    fuse_kinematics(p, 25.0, 1.0, 0.0, 1.0, classes, 0.5);  // 25 m/s on the ground
  const auto [c, pc] = most_probable(p);
  EXPECT_NE(c, TargetClass::person);
  EXPECT_LT(p[static_cast<size_t>(TargetClass::person)], 1e-3);
  EXPECT_GT(p[static_cast<size_t>(TargetClass::vehicle)], 0.2);
  // at 300 m above the ground nothing that walks or drives is plausible
  ClassProbabilities q;
  q.fill(1.0 / kNumClasses);
  fuse_kinematics(q, 60.0, 2.0, 300.0, 10.0, classes, 1.0);
  EXPECT_LT(q[static_cast<size_t>(TargetClass::vehicle)], 1e-3);
  EXPECT_LT(q[static_cast<size_t>(TargetClass::person)], 1e-3);
  // 60 m/s is too fast for a drone (40 m/s): an aircraft, or something unknown
  EXPECT_GT(q[static_cast<size_t>(TargetClass::aircraft)], 0.45);
  EXPECT_LT(q[static_cast<size_t>(TargetClass::drone)], 1e-3);
}

}  // namespace
}  // namespace picket::track

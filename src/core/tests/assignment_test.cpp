#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "picket/core/assignment.h"

namespace picket {
namespace {

// Exhaustive minimum over all injective maps of the smaller side, for checking.
double brute_force(const CostMatrix& c) {
  const bool t = c.rows > c.cols;
  const int small = t ? c.cols : c.rows, large = t ? c.rows : c.cols;
  std::vector<int> perm(static_cast<size_t>(large));
  std::iota(perm.begin(), perm.end(), 0);
  double best = kForbidden;
  do {
    double s = 0;
    for (int i = 0; i < small; ++i)
      s += t ? c(perm[static_cast<size_t>(i)], i) : c(i, perm[static_cast<size_t>(i)]);
    best = std::min(best, s);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

TEST(Assignment, HandWorkedExample) {
  // Rows 0, 1, 2 take columns 1, 0, 2: 1 + 2 + 2 = 5, the minimum of the six permutations.
  CostMatrix c(3, 3);
  const double v[] = {4, 1, 3, 2, 0, 5, 3, 2, 2};
  std::copy(std::begin(v), std::end(v), c.data.begin());
  auto a = solve_assignment(c);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->col_for_row, (std::vector<int>{1, 0, 2}));
  EXPECT_DOUBLE_EQ(a->cost, 5);
}

TEST(Assignment, MatchesBruteForceOnRandomRectangles) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 10);
  for (int trial = 0; trial < 300; ++trial) {
    const int r = 1 + static_cast<int>(rng() % 6), k = 1 + static_cast<int>(rng() % 6);
    CostMatrix c(r, k);
    for (auto& x : c.data)
      x = u(rng);
    auto a = solve_assignment(c);
    ASSERT_TRUE(a);
    EXPECT_NEAR(a->cost, brute_force(c), 1e-9) << r << "x" << k;
    const int assigned = static_cast<int>(
        std::count_if(a->col_for_row.begin(), a->col_for_row.end(), [](int x) { return x >= 0; }));
    EXPECT_EQ(assigned, std::min(r, k));
  }
}

TEST(Assignment, ForbiddenPairsAndInfeasibility) {
  CostMatrix c(2, 2);
  c(0, 0) = 1;
  c(1, 0) = 1;  // both rows can only take column 0
  EXPECT_FALSE(solve_assignment(c));
  c(1, 1) = 7;
  auto a = solve_assignment(c);
  ASSERT_TRUE(a);
  EXPECT_DOUBLE_EQ(a->cost, 8);
  CostMatrix bad(1, 1, std::numeric_limits<double>::quiet_NaN());
  EXPECT_FALSE(solve_assignment(bad));
}

TEST(Assignment, WithMissesLeavesExpensivePairsUnassigned) {
  // Two tracks, three detections. Track 0 is close to detection 1 only; track 1 is far from all.
  CostMatrix c(2, 3, kForbidden);
  c(0, 1) = 2;
  c(0, 2) = 9;
  c(1, 2) = 20;
  auto a = solve_assignment_with_misses(c, {10, 10}, {5, 5, 5});
  EXPECT_EQ(a.col_for_row, (std::vector<int>{1, -1}));
  EXPECT_EQ(a.row_for_col, (std::vector<int>{-1, 0, -1}));
  EXPECT_DOUBLE_EQ(a.cost, 2 + 10 + 5 + 5);
  // Cheaper to pair track 1 with detection 2 once its miss cost rises.
  auto b = solve_assignment_with_misses(c, {10, 30}, {5, 5, 5});
  EXPECT_EQ(b.col_for_row, (std::vector<int>{1, 2}));
}

TEST(Assignment, Empty) {
  auto a = solve_assignment(CostMatrix(0, 4));
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->col_for_row.empty());
  auto b = solve_assignment_with_misses(CostMatrix(0, 2), {}, {1, 1});
  EXPECT_DOUBLE_EQ(b.cost, 2);
}

}  // namespace
}  // namespace picket

// Set distances between the true targets and the estimated targets at one instant.
//
// GOSPA, the generalised optimal sub-pattern assignment metric (A. S. Rahmathullah,
// A. F. Garcia-Fernandez, L. Svensson, "Generalized optimal sub-pattern assignment metric",
// FUSION 2017), with alpha = 2, in its assignment form (their Proposition 1):
//   d = ( min over partial assignments g of  sum_(i,j in g) d(x_i, y_j)^p
//                                           + c^p / 2 (|X| - |g|) + c^p / 2 (|Y| - |g|) )^(1/p)
// where assigned pairs have d < c. Its three parts, in units of d^p (they sum to d^p; for p = 1
// they are metres): localisation (the sum over assigned pairs), missed (c^p/2 per unassigned
// truth) and false (c^p/2 per unassigned estimate).
//
// OSPA (D. Schuhmacher, B.-T. Vo, B.-N. Vo, "A consistent metric for performance evaluation of
// multi-object filters", IEEE Trans. Signal Processing 56(8), 2008): for |X| = m <= n = |Y|,
//   d = ( (1/n) ( min over permutations sum_i min(c, d(x_i, y_pi(i)))^p + c^p (n - m) ) )^(1/p)
// 0 when both sets are empty.
//
// Both minimisations are solved exactly: pairs at distance >= c can never lower the cost, so only
// pairs closer than c (found with a grid of cell c) enter, split into connected clusters, each
// solved by the Jonker-Volgenant solver of core/assignment.h. The cost grows about linearly with
// the number of targets of a spread-out scene instead of cubically.
//
// Pure functions; thread-safe.
#pragma once

#include <Eigen/Core>
#include <utility>
#include <vector>

namespace picket::eval {

struct GospaResult {
  double distance = 0;      // GOSPA
  double localisation = 0;  // units of d^p
  double missed = 0;
  double false_ = 0;
  int assigned = 0;
  int missed_count = 0;
  int false_count = 0;
  // Assigned (truth index, estimate index) pairs.
  std::vector<std::pair<int, int>> pairs;
};

// Points are (east, north, up); `use_up` per truth point says whether the vertical counts.
struct PointSet {
  std::vector<Eigen::Vector3d> points;
  std::vector<char> use_up;  // empty: horizontal distances only
};

GospaResult gospa(const PointSet& truth, const PointSet& estimates, double c, double p);
double ospa(const PointSet& truth, const PointSet& estimates, double c, double p);

}  // namespace picket::eval

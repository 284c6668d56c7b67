#include "picket/eval/gospa.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "picket/core/assignment.h"

namespace picket::eval {

namespace {

struct Candidate {
  int i;
  int j;
  double cost;  // d^p
};

double distance(const PointSet& x, int i, const PointSet& y, int j) {
  const Eigen::Vector3d d = x.points[static_cast<size_t>(i)] - y.points[static_cast<size_t>(j)];
  const bool up = !x.use_up.empty() && x.use_up[static_cast<size_t>(i)];
  return up ? d.norm() : d.head<2>().norm();
}

// Every pair closer than c.
std::vector<Candidate> candidates(const PointSet& x, const PointSet& y, double c, double p) {
  std::vector<Candidate> out;
  if (x.points.empty() || y.points.empty()) return out;
  auto key = [c](double e, double n) {
    const auto ix = static_cast<std::int64_t>(std::floor(e / c));
    const auto iy = static_cast<std::int64_t>(std::floor(n / c));
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(ix)) << 32) |
           static_cast<std::uint32_t>(iy);
  };
  std::unordered_map<std::uint64_t, std::vector<int>> grid;
  grid.reserve(y.points.size() * 2);
  for (int j = 0; j < static_cast<int>(y.points.size()); ++j) {
    const auto& q = y.points[static_cast<size_t>(j)];
    grid[key(q.x(), q.y())].push_back(j);
  }
  for (int i = 0; i < static_cast<int>(x.points.size()); ++i) {
    const auto& q = x.points[static_cast<size_t>(i)];
    for (int dy = -1; dy <= 1; ++dy) {
      for (int dx = -1; dx <= 1; ++dx) {
        auto it = grid.find(key(q.x() + dx * c, q.y() + dy * c));
        if (it == grid.end()) continue;
        for (int j : it->second) {
          const double d = distance(x, i, y, j);
          if (d < c) out.push_back({i, j, std::pow(d, p)});
        }
      }
    }
  }
  return out;
}

// The minimum-cost partial assignment of rows (x) and columns (y) given the candidate pairs,
// a cost per unassigned row and per unassigned column. Returns the cost and fills `pairs`.
double solve(int nx, int ny, const std::vector<Candidate>& cand, double row_miss, double col_miss,
             std::vector<std::pair<int, int>>& pairs) {
  pairs.clear();
  double total = row_miss * nx + col_miss * ny;
  if (cand.empty()) return total;
  // union-find over rows [0, nx) and columns [nx, nx + ny)
  std::vector<int> parent(static_cast<size_t>(nx + ny));
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int a) {
    while (parent[static_cast<size_t>(a)] != a) {
      parent[static_cast<size_t>(a)] = parent[static_cast<size_t>(parent[static_cast<size_t>(a)])];
      a = parent[static_cast<size_t>(a)];
    }
    return a;
  };
  for (const auto& k : cand) {
    const int a = find(k.i), b = find(nx + k.j);
    if (a != b) parent[static_cast<size_t>(a)] = b;
  }
  std::unordered_map<int, std::vector<int>> clusters;  // root -> candidate indices
  for (int k = 0; k < static_cast<int>(cand.size()); ++k)
    clusters[find(cand[static_cast<size_t>(k)].i)].push_back(k);
  std::vector<int> roots;
  roots.reserve(clusters.size());
  for (const auto& [r, ks] : clusters)
    roots.push_back(r);
  std::sort(roots.begin(), roots.end());  // deterministic order
  std::unordered_map<int, int> lr, lc;
  std::vector<int> rows, cols;
  for (int r : roots) {
    const auto& ks = clusters[r];
    lr.clear();
    lc.clear();
    rows.clear();
    cols.clear();
    for (int k : ks) {
      const auto& cd = cand[static_cast<size_t>(k)];
      if (lr.emplace(cd.i, static_cast<int>(rows.size())).second) rows.push_back(cd.i);
      if (lc.emplace(cd.j, static_cast<int>(cols.size())).second) cols.push_back(cd.j);
    }
    CostMatrix m(static_cast<int>(rows.size()), static_cast<int>(cols.size()));
    for (int k : ks) {
      const auto& cd = cand[static_cast<size_t>(k)];
      m(lr[cd.i], lc[cd.j]) = cd.cost;
    }
    const Assignment a = solve_assignment_with_misses(m, std::vector<double>(rows.size(), row_miss),
                                                      std::vector<double>(cols.size(), col_miss));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const int j = a.col_for_row[i];
      if (j < 0) continue;
      total += m(static_cast<int>(i), j) - row_miss - col_miss;
      pairs.emplace_back(rows[i], cols[static_cast<size_t>(j)]);
    }
  }
  std::sort(pairs.begin(), pairs.end());
  return total;
}

}  // namespace

GospaResult gospa(const PointSet& truth, const PointSet& estimates, double c, double p) {
  GospaResult g;
  const int nx = static_cast<int>(truth.points.size());
  const int ny = static_cast<int>(estimates.points.size());
  const double half = std::pow(c, p) / 2;
  const auto cand = candidates(truth, estimates, c, p);
  const double total = solve(nx, ny, cand, half, half, g.pairs);
  g.assigned = static_cast<int>(g.pairs.size());
  for (const auto& [i, j] : g.pairs)
    g.localisation += std::pow(distance(truth, i, estimates, j), p);
  g.missed_count = nx - g.assigned;
  g.false_count = ny - g.assigned;
  g.missed = half * g.missed_count;
  g.false_ = half * g.false_count;
  g.distance = std::pow(std::max(total, 0.0), 1 / p);
  return g;
}

double ospa(const PointSet& truth, const PointSet& estimates, double c, double p) {
  const int nx = static_cast<int>(truth.points.size());
  const int ny = static_cast<int>(estimates.points.size());
  const int n = std::max(nx, ny);
  if (n == 0) return 0;
  if (nx == 0 || ny == 0) return c;
  const double cp = std::pow(c, p);
  const auto cand = candidates(truth, estimates, c, p);
  std::vector<std::pair<int, int>> pairs;
  // The smaller set's unassigned points pay c^p each; the larger set's extra points together pay
  // c^p (n - m), a constant added below.
  const bool x_small = nx <= ny;
  const double total =
      solve(nx, ny, cand, x_small ? cp : 0, x_small ? 0 : cp, pairs) + cp * std::abs(nx - ny);
  return std::pow(std::max(total, 0.0) / n, 1 / p);
}

}  // namespace picket::eval

#include "picket/core/assignment.h"

#include <cassert>
#include <cmath>
#include <numeric>

namespace picket {

namespace {

// Crouse's rectangular shortest augmenting path; requires rows <= cols. Returns col_for_row or
// nothing when infeasible.
std::optional<std::vector<int>> augmenting_path(int nr, int nc, const std::vector<double>& cost) {
  std::vector<double> u(static_cast<size_t>(nr), 0.0), v(static_cast<size_t>(nc), 0.0);
  std::vector<double> shortest(static_cast<size_t>(nc));
  std::vector<int> path(static_cast<size_t>(nc), -1), col4row(static_cast<size_t>(nr), -1),
      row4col(static_cast<size_t>(nc), -1), remaining(static_cast<size_t>(nc));
  std::vector<char> sr(static_cast<size_t>(nr)), sc(static_cast<size_t>(nc));
  const double inf = std::numeric_limits<double>::infinity();

  for (int cur = 0; cur < nr; ++cur) {
    double min_val = 0;
    int i = cur;
    int num_remaining = nc;
    for (int it = 0; it < nc; ++it)
      remaining[static_cast<size_t>(it)] = nc - it - 1;
    std::fill(sr.begin(), sr.end(), 0);
    std::fill(sc.begin(), sc.end(), 0);
    std::fill(shortest.begin(), shortest.end(), inf);
    int sink = -1;
    while (sink == -1) {
      sr[static_cast<size_t>(i)] = 1;
      int index = -1;
      double lowest = inf;
      const double* row = &cost[static_cast<size_t>(i) * static_cast<size_t>(nc)];
      for (int it = 0; it < num_remaining; ++it) {
        const int j = remaining[static_cast<size_t>(it)];
        const double r = min_val + row[j] - u[static_cast<size_t>(i)] - v[static_cast<size_t>(j)];
        if (r < shortest[static_cast<size_t>(j)]) {
          path[static_cast<size_t>(j)] = i;
          shortest[static_cast<size_t>(j)] = r;
        }
        // Prefer an unassigned column on ties: it ends the search sooner.
        if (shortest[static_cast<size_t>(j)] < lowest ||
            (shortest[static_cast<size_t>(j)] == lowest && row4col[static_cast<size_t>(j)] == -1)) {
          lowest = shortest[static_cast<size_t>(j)];
          index = it;
        }
      }
      min_val = lowest;
      if (index < 0 || !std::isfinite(min_val)) return std::nullopt;  // infeasible
      const int j = remaining[static_cast<size_t>(index)];
      if (row4col[static_cast<size_t>(j)] == -1) {
        sink = j;
      } else {
        i = row4col[static_cast<size_t>(j)];
      }
      sc[static_cast<size_t>(j)] = 1;
      remaining[static_cast<size_t>(index)] = remaining[static_cast<size_t>(--num_remaining)];
    }
    // Update the dual variables.
    u[static_cast<size_t>(cur)] += min_val;
    for (int r = 0; r < nr; ++r) {
      if (sr[static_cast<size_t>(r)] && r != cur) {
        u[static_cast<size_t>(r)] +=
            min_val - shortest[static_cast<size_t>(col4row[static_cast<size_t>(r)])];
      }
    }
    for (int c = 0; c < nc; ++c) {
      if (sc[static_cast<size_t>(c)])
        v[static_cast<size_t>(c)] -= min_val - shortest[static_cast<size_t>(c)];
    }
    // Augment along the path back to the current row.
    int j = sink;
    for (;;) {
      const int r = path[static_cast<size_t>(j)];
      row4col[static_cast<size_t>(j)] = r;
      std::swap(col4row[static_cast<size_t>(r)], j);
      if (r == cur) break;
    }
  }
  return col4row;
}

}  // namespace

std::optional<Assignment> solve_assignment(const CostMatrix& cost) {
  Assignment a;
  a.col_for_row.assign(static_cast<size_t>(cost.rows), -1);
  a.row_for_col.assign(static_cast<size_t>(cost.cols), -1);
  if (cost.rows == 0 || cost.cols == 0) return a;
  const bool transpose = cost.rows > cost.cols;
  const int nr = transpose ? cost.cols : cost.rows;
  const int nc = transpose ? cost.rows : cost.cols;
  std::vector<double> c(static_cast<size_t>(nr) * static_cast<size_t>(nc));
  for (int r = 0; r < nr; ++r) {
    for (int k = 0; k < nc; ++k) {
      const double x = transpose ? cost(k, r) : cost(r, k);
      if (std::isnan(x) || x == -std::numeric_limits<double>::infinity()) return std::nullopt;
      c[static_cast<size_t>(r) * static_cast<size_t>(nc) + static_cast<size_t>(k)] = x;
    }
  }
  auto sol = augmenting_path(nr, nc, c);
  if (!sol) return std::nullopt;
  for (int r = 0; r < nr; ++r) {
    const int k = (*sol)[static_cast<size_t>(r)];
    const int row = transpose ? k : r;
    const int col = transpose ? r : k;
    a.col_for_row[static_cast<size_t>(row)] = col;
    a.row_for_col[static_cast<size_t>(col)] = row;
    a.cost += cost(row, col);
  }
  return a;
}

Assignment solve_assignment_with_misses(const CostMatrix& cost, const std::vector<double>& row_miss,
                                        const std::vector<double>& col_miss) {
  assert(row_miss.size() == static_cast<size_t>(cost.rows));
  assert(col_miss.size() == static_cast<size_t>(cost.cols));
  const int n = cost.rows, m = cost.cols;
  // The extended (n+m) x (m+n) matrix  [ C  | diag(row_miss) ]
  //                                     [ diag(col_miss) | 0 ]
  // whose complete assignments are exactly the partial assignments of C with their misses.
  CostMatrix ext(n + m, m + n, kForbidden);
  for (int r = 0; r < n; ++r) {
    for (int c = 0; c < m; ++c)
      ext(r, c) = cost(r, c);
    ext(r, m + r) = row_miss[static_cast<size_t>(r)];
  }
  for (int c = 0; c < m; ++c) {
    ext(n + c, c) = col_miss[static_cast<size_t>(c)];
    for (int r = 0; r < n; ++r)
      ext(n + c, m + r) = 0;
  }
  Assignment out;
  out.col_for_row.assign(static_cast<size_t>(n), -1);
  out.row_for_col.assign(static_cast<size_t>(m), -1);
  auto sol = solve_assignment(ext);
  assert(sol);  // always feasible when the miss costs are finite
  if (!sol) return out;
  for (int r = 0; r < n; ++r) {
    const int c = sol->col_for_row[static_cast<size_t>(r)];
    if (c >= 0 && c < m) {
      out.col_for_row[static_cast<size_t>(r)] = c;
      out.row_for_col[static_cast<size_t>(c)] = r;
      out.cost += cost(r, c);
    } else {
      out.cost += row_miss[static_cast<size_t>(r)];
    }
  }
  for (int c = 0; c < m; ++c) {
    if (out.row_for_col[static_cast<size_t>(c)] < 0) out.cost += col_miss[static_cast<size_t>(c)];
  }
  return out;
}

}  // namespace picket

#include "sparse_match.h"

#include <algorithm>
#include <numeric>

#include "picket/core/assignment.h"

namespace picket::eval::detail {

namespace {

int find(std::vector<int>& parent, int x) {
  while (parent[static_cast<size_t>(x)] != x) {
    parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    x = parent[static_cast<size_t>(x)];
  }
  return x;
}

}  // namespace

std::vector<int> max_weight_matching(int na, int nb, std::span<const WeightedPair> pairs) {
  std::vector<int> chosen;
  if (pairs.empty()) return chosen;
  std::vector<int> parent(static_cast<size_t>(na + nb));
  std::iota(parent.begin(), parent.end(), 0);
  for (const auto& p : pairs) {
    const int x = find(parent, p.a), y = find(parent, na + p.b);
    if (x != y) parent[static_cast<size_t>(x)] = y;
  }
  // Pairs ordered by component.
  std::vector<int> order(pairs.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> root(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i)
    root[i] = find(parent, pairs[i].a);
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
    return root[static_cast<size_t>(x)] < root[static_cast<size_t>(y)];
  });
  std::vector<int> local_a(static_cast<size_t>(na), -1), local_b(static_cast<size_t>(nb), -1);
  std::vector<int> nodes_a, nodes_b;
  for (size_t s = 0; s < order.size();) {
    size_t e = s;
    while (e < order.size() &&
           root[static_cast<size_t>(order[e])] == root[static_cast<size_t>(order[s])])
      ++e;
    if (e - s == 1) {
      chosen.push_back(order[s]);
      s = e;
      continue;
    }
    nodes_a.clear();
    nodes_b.clear();
    for (size_t k = s; k < e; ++k) {
      const auto& p = pairs[static_cast<size_t>(order[k])];
      if (local_a[static_cast<size_t>(p.a)] < 0) {
        local_a[static_cast<size_t>(p.a)] = static_cast<int>(nodes_a.size());
        nodes_a.push_back(p.a);
      }
      if (local_b[static_cast<size_t>(p.b)] < 0) {
        local_b[static_cast<size_t>(p.b)] = static_cast<int>(nodes_b.size());
        nodes_b.push_back(p.b);
      }
    }
    const int rows = static_cast<int>(nodes_a.size()), cols = static_cast<int>(nodes_b.size());
    CostMatrix cost(rows, cols, kForbidden);
    std::vector<int> pair_at(static_cast<size_t>(rows) * static_cast<size_t>(cols), -1);
    for (size_t k = s; k < e; ++k) {
      const int idx = order[k];
      const auto& p = pairs[static_cast<size_t>(idx)];
      const int r = local_a[static_cast<size_t>(p.a)], c = local_b[static_cast<size_t>(p.b)];
      cost(r, c) = -p.w;
      pair_at[static_cast<size_t>(r) * static_cast<size_t>(cols) + static_cast<size_t>(c)] = idx;
    }
    const auto sol =
        solve_assignment_with_misses(cost, std::vector<double>(static_cast<size_t>(rows), 0.0),
                                     std::vector<double>(static_cast<size_t>(cols), 0.0));
    for (int r = 0; r < rows; ++r) {
      const int c = sol.col_for_row[static_cast<size_t>(r)];
      if (c >= 0)
        chosen.push_back(
            pair_at[static_cast<size_t>(r) * static_cast<size_t>(cols) + static_cast<size_t>(c)]);
    }
    for (int a : nodes_a)
      local_a[static_cast<size_t>(a)] = -1;
    for (int b : nodes_b)
      local_b[static_cast<size_t>(b)] = -1;
    s = e;
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace picket::eval::detail

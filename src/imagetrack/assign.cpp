#include "picket/imagetrack/assign.h"

#include <algorithm>
#include <numeric>

#include "picket/core/assignment.h"

namespace picket::imagetrack {

namespace {
int find_root(std::vector<int>& parent, int x) {
  while (parent[static_cast<size_t>(x)] != x) {
    parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    x = parent[static_cast<size_t>(x)];
  }
  return x;
}
}  // namespace

void Assigner::solve(int na, int nb, std::span<const CostPair> pairs, double miss_cost,
                     std::vector<int>& match_a, std::vector<int>& match_b) {
  match_a.assign(static_cast<size_t>(na), -1);
  match_b.assign(static_cast<size_t>(nb), -1);
  largest_ = 0;
  if (pairs.empty()) return;
  parent_.resize(static_cast<size_t>(na + nb));
  std::iota(parent_.begin(), parent_.end(), 0);
  for (const auto& p : pairs) {
    const int x = find_root(parent_, p.a), y = find_root(parent_, na + p.b);
    if (x != y) parent_[static_cast<size_t>(x)] = y;
  }
  const size_t np = pairs.size();
  order_.resize(np);
  root_.resize(np);
  std::iota(order_.begin(), order_.end(), 0);
  for (size_t i = 0; i < np; ++i)
    root_[i] = find_root(parent_, pairs[i].a);
  std::sort(order_.begin(), order_.end(), [&](int x, int y) {
    const int rx = root_[static_cast<size_t>(x)], ry = root_[static_cast<size_t>(y)];
    return rx != ry ? rx < ry : x < y;
  });
  local_a_.assign(static_cast<size_t>(na), -1);
  local_b_.assign(static_cast<size_t>(nb), -1);
  for (size_t s = 0; s < np;) {
    size_t e = s;
    const int r0 = root_[static_cast<size_t>(order_[s])];
    while (e < np && root_[static_cast<size_t>(order_[e])] == r0)
      ++e;
    if (e - s == 1) {  // a lone pair: assigned when cheaper than two misses
      const auto& p = pairs[static_cast<size_t>(order_[s])];
      if (p.cost < 2 * miss_cost) {
        match_a[static_cast<size_t>(p.a)] = p.b;
        match_b[static_cast<size_t>(p.b)] = p.a;
      }
      largest_ = std::max(largest_, 2);
      s = e;
      continue;
    }
    nodes_a_.clear();
    nodes_b_.clear();
    for (size_t k = s; k < e; ++k) {
      const auto& p = pairs[static_cast<size_t>(order_[k])];
      if (local_a_[static_cast<size_t>(p.a)] < 0) {
        local_a_[static_cast<size_t>(p.a)] = static_cast<int>(nodes_a_.size());
        nodes_a_.push_back(p.a);
      }
      if (local_b_[static_cast<size_t>(p.b)] < 0) {
        local_b_[static_cast<size_t>(p.b)] = static_cast<int>(nodes_b_.size());
        nodes_b_.push_back(p.b);
      }
    }
    const int rows = static_cast<int>(nodes_a_.size()), cols = static_cast<int>(nodes_b_.size());
    largest_ = std::max(largest_, rows + cols);
    CostMatrix cost(rows, cols, kForbidden);
    for (size_t k = s; k < e; ++k) {
      const auto& p = pairs[static_cast<size_t>(order_[k])];
      cost(local_a_[static_cast<size_t>(p.a)], local_b_[static_cast<size_t>(p.b)]) = p.cost;
    }
    const auto sol = solve_assignment_with_misses(
        cost, std::vector<double>(static_cast<size_t>(rows), miss_cost),
        std::vector<double>(static_cast<size_t>(cols), miss_cost));
    for (int r = 0; r < rows; ++r) {
      const int c = sol.col_for_row[static_cast<size_t>(r)];
      if (c < 0) continue;
      const int a = nodes_a_[static_cast<size_t>(r)], b = nodes_b_[static_cast<size_t>(c)];
      match_a[static_cast<size_t>(a)] = b;
      match_b[static_cast<size_t>(b)] = a;
    }
    for (int a : nodes_a_)
      local_a_[static_cast<size_t>(a)] = -1;
    for (int b : nodes_b_)
      local_b_[static_cast<size_t>(b)] = -1;
    s = e;
  }
}

}  // namespace picket::imagetrack

// Maximum-weight one-to-one matching on a sparse bipartite graph (private to the eval layer).
// The pairs are split into connected components and each component is solved exactly with the
// Jonker-Volgenant solver of picket/core/assignment.h, so a frame of many small, separate
// groups of overlapping boxes costs little more than the sum of the groups.
#pragma once

#include <span>
#include <vector>

namespace picket::eval::detail {

struct WeightedPair {
  int a = 0;     // left node, 0..na-1
  int b = 0;     // right node, 0..nb-1
  double w = 0;  // weight, > 0
};

// Indices (into `pairs`) of a matching of maximum total weight. Nodes may stay unmatched.
std::vector<int> max_weight_matching(int na, int nb, std::span<const WeightedPair> pairs);

}  // namespace picket::eval::detail

// Optimal one-to-one assignment on a sparse set of candidate pairs, solved per cluster.
//
// The candidate pairs (say, a track and a detection whose boxes overlap enough) form a bipartite
// graph; each connected component (cluster) is an independent assignment problem, solved
// exactly by the Jonker-Volgenant solver of picket/core/assignment.h with a miss cost for
// leaving a node unassigned. The optimum over all clusters is the optimum of the whole problem,
// but the cost is the sum of the clusters' (small) problems instead of one dense n x m matrix.
//
// A miss cost of c/2 per side reproduces "assign with cost limit c" (pairs costing c or more are
// never worth assigning), the form ByteTrack's association uses (lap.lapjv with cost_limit).
//
// Thread-safety: an Assigner keeps scratch memory; one per thread.
#pragma once

#include <span>
#include <vector>

namespace picket::imagetrack {

struct CostPair {
  int a = 0;
  int b = 0;
  double cost = 0;
};

class Assigner {
 public:
  // Fills match_a (size na) and match_b (size nb) with the partner's index or -1, minimising
  // the cost of the assigned pairs plus miss_cost for every unassigned node of either side.
  // Pairs must be distinct; their costs finite.
  void solve(int na, int nb, std::span<const CostPair> pairs, double miss_cost,
             std::vector<int>& match_a, std::vector<int>& match_b);
  // The largest cluster (nodes of both sides) of the last solve, for statistics.
  int largest_cluster() const { return largest_; }

 private:
  std::vector<int> parent_, order_, root_, local_a_, local_b_, nodes_a_, nodes_b_, pair_at_;
  int largest_ = 0;
};

}  // namespace picket::imagetrack

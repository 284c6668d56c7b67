// Data association inside clusters.
//
// The gate leaves a sparse bipartite graph of detections and tracks. Its connected components
// (clusters, found by union-find) are independent association problems, so each is solved alone
// and no dense all-tracks x all-detections matrix is ever built: in a spread-out scene the
// clusters are small and the cost grows about linearly with the number of targets.
//
// Scores are likelihood ratios against the detection being clutter or a new target:
//   w_ij = r_i Pd g_ij / lambda_j       detection j is track i's
//   w_i0 = 1 - r_i Pd Pg                track i has no detection in this batch
// with r_i the track's probability of existence, g_ij the measurement likelihood and lambda_j the
// density of clutter plus undetected targets at the detection (all in measurement space).
//
// GNN: the most probable joint assignment, by the Jonker-Volgenant solver of core/assignment.h
// on each cluster's small matrix (costs -ln w).
// JPDA: the marginal association probabilities of every pair (T. E. Fortmann, Y. Bar-Shalom,
// M. Scheffe, "Sonar tracking of multiple targets using joint probabilistic data association",
// IEEE J. Oceanic Eng. 8(3), 1983), exactly by enumerating joint events when a cluster is small,
// and otherwise by loopy belief propagation (J. Williams, R. Lau, "Approximate evaluation of
// marginal association probabilities with belief propagation", IEEE TAES 50(4), 2014).
//
// Thread-safety: an Associator owns scratch buffers; one per thread.
#pragma once

#include <cstdint>
#include <vector>

namespace picket::track {

struct GatedPair {
  std::uint32_t det;    // detection index in the batch
  std::uint32_t track;  // track index local to the batch
  double w;             // w_ij (linear; the solver takes logarithms only where it needs them)
};

struct ClusterStats {
  std::uint64_t clusters = 0;
  std::uint64_t largest = 0;  // tracks + detections of the largest cluster
  std::uint64_t exact_jpda = 0;
  std::uint64_t lbp_jpda = 0;
};

class Associator {
 public:
  // Clusters with at most max_exact_events joint events are solved exactly by JPDA; larger ones
  // by belief propagation.
  explicit Associator(double max_exact_events = kMaxExactEvents)
      : max_exact_events_(max_exact_events) {}
  // GNN. w0[i] = w_i0 for each local track. det_track[j] receives the local track of detection
  // j, or -1.
  void gnn(int ndet, int ntrk, const std::vector<GatedPair>& pairs, const std::vector<double>& w0,
           std::vector<int>& det_track, ClusterStats& stats);

  // JPDA marginals: beta[k] for pairs[k], beta0[i] that track i has none, det_free[j] that
  // detection j is nobody's.
  void jpda(int ndet, int ntrk, const std::vector<GatedPair>& pairs, const std::vector<double>& w0,
            std::vector<double>& beta, std::vector<double>& beta0, std::vector<double>& det_free,
            ClusterStats& stats);

  static constexpr double kMaxExactEvents = 20000;

 private:
  // Fills clusters_: for each cluster the indices of its pairs; and the local index maps.
  void cluster(int ndet, int ntrk, const std::vector<GatedPair>& pairs);
  int find(int a);

  std::vector<int> parent_;
  std::vector<int> root_cluster_;
  std::vector<std::vector<std::uint32_t>> clusters_;  // pair indices
  std::size_t nclusters_ = 0;
  std::vector<int> local_;  // scratch: node -> index within its cluster
  double max_exact_events_;
};

}  // namespace picket::track

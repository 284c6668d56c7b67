#include "picket/track/association.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>

#include "picket/core/assignment.h"

namespace picket::track {

int Associator::find(int a) {
  while (parent_[static_cast<size_t>(a)] != a) {
    parent_[static_cast<size_t>(a)] =
        parent_[static_cast<size_t>(parent_[static_cast<size_t>(a)])];  // path halving
    a = parent_[static_cast<size_t>(a)];
  }
  return a;
}

void Associator::cluster(int ndet, int ntrk, const std::vector<GatedPair>& pairs) {
  const int n = ndet + ntrk;
  parent_.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    parent_[static_cast<size_t>(i)] = i;
  for (const auto& p : pairs) {
    const int a = find(static_cast<int>(p.det));
    const int b = find(ndet + static_cast<int>(p.track));
    if (a != b) parent_[static_cast<size_t>(a)] = b;
  }
  root_cluster_.assign(static_cast<size_t>(n), -1);
  nclusters_ = 0;
  for (std::uint32_t k = 0; k < pairs.size(); ++k) {
    const int r = find(static_cast<int>(pairs[k].det));
    int& c = root_cluster_[static_cast<size_t>(r)];
    if (c < 0) {
      c = static_cast<int>(nclusters_++);
      if (clusters_.size() < nclusters_) clusters_.emplace_back();
      clusters_[static_cast<size_t>(c)].clear();
    }
    clusters_[static_cast<size_t>(c)].push_back(k);
  }
  local_.assign(static_cast<size_t>(n), -1);
}

void Associator::gnn(int ndet, int ntrk, const std::vector<GatedPair>& pairs,
                     const std::vector<double>& w0_in, std::vector<int>& det_track,
                     ClusterStats& stats) {
  det_track.assign(static_cast<size_t>(ndet), -1);
  if (pairs.empty()) return;
  cluster(ndet, ntrk, pairs);
  stats.clusters += nclusters_;
  std::vector<int> dets, trks;
  for (std::size_t c = 0; c < nclusters_; ++c) {
    const auto& ks = clusters_[c];
    if (ks.size() == 1) {
      // One track, one detection: take the pair if it is likelier than the track's miss.
      const auto& p = pairs[ks[0]];
      stats.largest = std::max<std::uint64_t>(stats.largest, 2);
      if (p.w > w0_in[p.track]) det_track[p.det] = static_cast<int>(p.track);
      continue;
    }
    dets.clear();
    trks.clear();
    for (auto k : ks) {
      const auto& p = pairs[k];
      int& ld = local_[p.det];
      if (ld < 0) {
        ld = static_cast<int>(dets.size());
        dets.push_back(static_cast<int>(p.det));
      }
      int& lt = local_[static_cast<size_t>(ndet) + p.track];
      if (lt < 0) {
        lt = static_cast<int>(trks.size());
        trks.push_back(static_cast<int>(p.track));
      }
    }
    stats.largest = std::max<std::uint64_t>(stats.largest, dets.size() + trks.size());
    // Each row pays exactly one of its pair costs or its miss cost, so a constant per row may be
    // added to all of them without changing the optimum: it makes every cost non-negative.
    std::vector<double> shift(trks.size(), 0);
    for (std::size_t i = 0; i < trks.size(); ++i)
      shift[i] = std::log(w0_in[static_cast<size_t>(trks[i])]);
    for (auto k : ks) {
      const auto& p = pairs[k];
      double& s = shift[static_cast<size_t>(local_[static_cast<size_t>(ndet) + p.track])];
      s = std::max(s, std::log(p.w));
    }
    CostMatrix cost(static_cast<int>(trks.size()), static_cast<int>(dets.size()));
    for (auto k : ks) {
      const auto& p = pairs[k];
      const int i = local_[static_cast<size_t>(ndet) + p.track];
      cost(i, local_[p.det]) = shift[static_cast<size_t>(i)] - std::log(p.w);
    }
    std::vector<double> row_miss(trks.size()), col_miss(dets.size(), 0.0);
    for (std::size_t i = 0; i < trks.size(); ++i)
      row_miss[i] = shift[i] - std::log(w0_in[static_cast<size_t>(trks[i])]);
    const Assignment a = solve_assignment_with_misses(cost, row_miss, col_miss);
    for (std::size_t i = 0; i < trks.size(); ++i) {
      const int j = a.col_for_row[i];
      if (j >= 0) det_track[static_cast<size_t>(dets[static_cast<size_t>(j)])] = trks[i];
    }
    for (int d : dets)
      local_[static_cast<size_t>(d)] = -1;
    for (int t : trks)
      local_[static_cast<size_t>(ndet + t)] = -1;
  }
}

void Associator::jpda(int ndet, int ntrk, const std::vector<GatedPair>& pairs,
                      const std::vector<double>& w0_in, std::vector<double>& beta,
                      std::vector<double>& beta0, std::vector<double>& det_free,
                      ClusterStats& stats) {
  beta.assign(pairs.size(), 0.0);
  beta0.assign(static_cast<size_t>(ntrk), 1.0);
  det_free.assign(static_cast<size_t>(ndet), 1.0);
  if (pairs.empty()) return;
  cluster(ndet, ntrk, pairs);
  stats.clusters += nclusters_;
  std::vector<int> dets, trks;
  std::vector<std::vector<std::uint32_t>> by_track;  // pair indices of each local track
  std::vector<double> w0;                            // per local track: scaled weight of none
  std::vector<double> w(pairs.size(), 0.0);          // per pair: scaled weight
  std::vector<double> nu(pairs.size(), 1.0), mu(pairs.size(), 0.0);  // belief propagation
  for (std::size_t c = 0; c < nclusters_; ++c) {
    const auto& ks = clusters_[c];
    dets.clear();
    trks.clear();
    for (auto k : ks) {
      const auto& p = pairs[k];
      int& ld = local_[p.det];
      if (ld < 0) {
        ld = static_cast<int>(dets.size());
        dets.push_back(static_cast<int>(p.det));
      }
      int& lt = local_[static_cast<size_t>(ndet) + p.track];
      if (lt < 0) {
        lt = static_cast<int>(trks.size());
        trks.push_back(static_cast<int>(p.track));
      }
    }
    const std::size_t nt = trks.size(), nd = dets.size();
    stats.largest = std::max<std::uint64_t>(stats.largest, nt + nd);
    by_track.assign(nt, {});
    for (auto k : ks)
      by_track[static_cast<size_t>(local_[static_cast<size_t>(ndet) + pairs[k].track])].push_back(
          k);
    // Scale each track's weights by its largest (each joint event holds exactly one factor per
    // track, so this leaves the marginals unchanged and keeps the numbers in range).
    w0.assign(nt, 0);
    double events = 1;
    for (std::size_t i = 0; i < nt; ++i) {
      double m = w0_in[static_cast<size_t>(trks[i])];
      for (auto k : by_track[i])
        m = std::max(m, pairs[k].w);
      w0[i] = w0_in[static_cast<size_t>(trks[i])] / m;
      for (auto k : by_track[i])
        w[k] = pairs[k].w / m;
      events *= 1.0 + static_cast<double>(by_track[i].size());
    }
    std::vector<double> pb(nt, 0.0);  // track has no detection
    std::vector<double> pd(nd, 0.0);  // detection is nobody's
    if (events <= max_exact_events_) {
      ++stats.exact_jpda;
      // Enumerate every joint event (each track takes one of its gated detections, none shared,
      // or none) with its weight, accumulating the marginals.
      std::vector<char> used(nd, 0);
      std::vector<int> choice(nt, -1);  // pair index or -1
      double total = 0;
      std::function<void(std::size_t, double)> rec = [&](std::size_t i, double weight) {
        if (i == nt) {
          total += weight;
          for (std::size_t t = 0; t < nt; ++t) {
            if (choice[t] < 0) {
              pb[t] += weight;
            } else {
              beta[static_cast<size_t>(choice[t])] += weight;
            }
          }
          for (std::size_t d = 0; d < nd; ++d) {
            if (!used[d]) pd[d] += weight;
          }
          return;
        }
        choice[i] = -1;
        rec(i + 1, weight * w0[i]);
        for (auto k : by_track[i]) {
          const auto ld = static_cast<size_t>(local_[pairs[k].det]);
          if (used[ld]) continue;
          used[ld] = 1;
          choice[i] = static_cast<int>(k);
          rec(i + 1, weight * w[k]);
          used[ld] = 0;
        }
        choice[i] = -1;
      };
      rec(0, 1.0);
      for (auto k : ks)
        beta[k] /= total;
      for (std::size_t i = 0; i < nt; ++i)
        pb[i] /= total;
      for (std::size_t d = 0; d < nd; ++d)
        pd[d] /= total;
    } else {
      ++stats.lbp_jpda;
      // Williams & Lau: messages mu (track -> detection) and nu (detection -> track) per pair.
      std::vector<double> s(nt), tsum(nd);
      for (auto k : ks)
        nu[k] = 1.0;
      for (int it = 0; it < 200; ++it) {
        for (std::size_t i = 0; i < nt; ++i) {
          s[i] = w0[i];
          for (auto k : by_track[i])
            s[i] += w[k] * nu[k];
          for (auto k : by_track[i])
            mu[k] = w[k] / std::max(s[i] - w[k] * nu[k], 1e-300);
        }
        std::fill(tsum.begin(), tsum.end(), 1.0);
        for (auto k : ks)
          tsum[static_cast<size_t>(local_[pairs[k].det])] += mu[k];
        double change = 0;
        for (auto k : ks) {
          const double v =
              1.0 / std::max(tsum[static_cast<size_t>(local_[pairs[k].det])] - mu[k], 1e-300);
          change = std::max(change, std::abs(v - nu[k]));
          nu[k] = v;
        }
        if (change < 1e-10) break;
      }
      for (std::size_t i = 0; i < nt; ++i) {
        s[i] = w0[i];
        for (auto k : by_track[i])
          s[i] += w[k] * nu[k];
        pb[i] = w0[i] / s[i];
        for (auto k : by_track[i])
          beta[k] = w[k] * nu[k] / s[i];
      }
      for (std::size_t d = 0; d < nd; ++d)
        pd[d] = 1.0 / tsum[d];
    }
    for (std::size_t i = 0; i < nt; ++i)
      beta0[static_cast<size_t>(trks[i])] = pb[i];
    for (std::size_t d = 0; d < nd; ++d)
      det_free[static_cast<size_t>(dets[d])] = pd[d];
    for (int d : dets)
      local_[static_cast<size_t>(d)] = -1;
    for (int t : trks)
      local_[static_cast<size_t>(ndet + t)] = -1;
  }
}

}  // namespace picket::track

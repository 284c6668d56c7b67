#include "picket/eval/identity.h"

#include <algorithm>
#include <unordered_map>

#include "sparse_match.h"

namespace picket::eval {

namespace {
double ratio(double a, double b) {
  return a / std::max(1.0, b);
}
}  // namespace

double IdentityScores::idf1() const {
  return ratio(static_cast<double>(idtp),
               static_cast<double>(idtp) + 0.5 * static_cast<double>(idfp + idfn));
}
double IdentityScores::idp() const {
  return ratio(static_cast<double>(idtp), static_cast<double>(idtp + idfp));
}
double IdentityScores::idr() const {
  return ratio(static_cast<double>(idtp), static_cast<double>(idtp + idfn));
}
IdentityScores& IdentityScores::operator+=(const IdentityScores& o) {
  idtp += o.idtp;
  idfn += o.idfn;
  idfp += o.idfp;
  return *this;
}

IdentityScores identity_scores(const MotSequence& seq, double threshold) {
  IdentityScores res;
  if (seq.num_res_dets == 0) {
    res.idfn = seq.num_gt_dets;
    return res;
  }
  if (seq.num_gt_dets == 0) {
    res.idfp = seq.num_res_dets;
    return res;
  }
  // Frames in which each pair of identities overlaps enough (every such pair of boxes counts,
  // not only one-to-one matches: the identity matching is global, not per frame).
  std::unordered_map<unsigned long long, long long> together;
  for (const auto& f : seq.frames) {
    for (const auto& o : f.overlaps) {
      if (o.iou < threshold) continue;
      const auto g = static_cast<unsigned long long>(f.gt_ids[static_cast<size_t>(o.gt)]);
      const auto r = static_cast<unsigned long long>(f.res_ids[static_cast<size_t>(o.res)]);
      ++together[(g << 32) | r];
    }
  }
  std::vector<detail::WeightedPair> pairs;
  pairs.reserve(together.size());
  for (const auto& [key, count] : together) {
    pairs.push_back({static_cast<int>(key >> 32), static_cast<int>(key & 0xffffffffULL),
                     static_cast<double>(count)});
  }
  // Deterministic order (the hash map's is not).
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& x, const auto& y) { return x.a != y.a ? x.a < y.a : x.b < y.b; });
  long long idtp = 0;
  for (int idx : detail::max_weight_matching(seq.num_gt_ids, seq.num_res_ids, pairs))
    idtp += static_cast<long long>(pairs[static_cast<size_t>(idx)].w);
  res.idtp = idtp;
  res.idfn = seq.num_gt_dets - idtp;
  res.idfp = seq.num_res_dets - idtp;
  return res;
}

}  // namespace picket::eval

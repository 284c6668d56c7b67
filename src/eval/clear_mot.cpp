#include "picket/eval/clear_mot.h"

#include <algorithm>
#include <limits>

#include "sparse_match.h"

namespace picket::eval {

namespace {
constexpr double kEps = std::numeric_limits<double>::epsilon();
double ratio(double a, double b) {
  return a / std::max(1.0, b);
}
}  // namespace

double ClearMot::mota() const {
  return ratio(static_cast<double>(tp - fp - idsw), static_cast<double>(gt()));
}
double ClearMot::moda() const {
  return ratio(static_cast<double>(tp - fp), static_cast<double>(gt()));
}
double ClearMot::motp() const {
  return ratio(motp_sum, static_cast<double>(tp));
}
double ClearMot::recall() const {
  return ratio(static_cast<double>(tp), static_cast<double>(gt()));
}
double ClearMot::precision() const {
  return ratio(static_cast<double>(tp), static_cast<double>(tp + fp));
}
double ClearMot::smota() const {
  return ratio(motp_sum - static_cast<double>(fp + idsw), static_cast<double>(gt()));
}
double ClearMot::mt_ratio() const {
  return ratio(static_cast<double>(mt), static_cast<double>(mt + pt + ml));
}
double ClearMot::pt_ratio() const {
  return ratio(static_cast<double>(pt), static_cast<double>(mt + pt + ml));
}
double ClearMot::ml_ratio() const {
  return ratio(static_cast<double>(ml), static_cast<double>(mt + pt + ml));
}

ClearMot& ClearMot::operator+=(const ClearMot& o) {
  tp += o.tp;
  fn += o.fn;
  fp += o.fp;
  idsw += o.idsw;
  mt += o.mt;
  pt += o.pt;
  ml += o.ml;
  frag += o.frag;
  frames += o.frames;
  motp_sum += o.motp_sum;
  return *this;
}

ClearMot clear_mot(const MotSequence& seq, double threshold) {
  ClearMot res;
  res.frames = static_cast<long long>(seq.frames.size());
  if (seq.num_res_dets == 0) {
    res.fn = seq.num_gt_dets;
    res.ml = seq.num_gt_ids;
    return res;
  }
  if (seq.num_gt_dets == 0) {
    res.fp = seq.num_res_dets;
    return res;
  }
  const auto n = static_cast<size_t>(seq.num_gt_ids);
  std::vector<long long> gt_count(n, 0), matched_count(n, 0), frag_count(n, 0);
  // The result id at the last match of each object (for identity switches), and at the
  // previous frame only (to keep correspondences); -1: none.
  std::vector<int> last_res(n, -1), prev_frame_res(n, -1), next_prev(n, -1);
  std::vector<detail::WeightedPair> pairs;
  std::vector<double> ious;
  for (const auto& f : seq.frames) {
    if (f.gt_ids.empty()) {
      res.fp += static_cast<long long>(f.res_ids.size());
      continue;
    }
    if (f.res_ids.empty()) {
      res.fn += static_cast<long long>(f.gt_ids.size());
      for (int g : f.gt_ids)
        ++gt_count[static_cast<size_t>(g)];
      continue;
    }
    pairs.clear();
    ious.clear();
    for (const auto& o : f.overlaps) {
      if (o.iou < threshold - kEps) continue;
      const int g = f.gt_ids[static_cast<size_t>(o.gt)];
      const int r = f.res_ids[static_cast<size_t>(o.res)];
      const double keep = prev_frame_res[static_cast<size_t>(g)] == r ? 1000.0 : 0.0;
      const double score = keep + o.iou;
      if (score > kEps) {
        pairs.push_back({o.gt, o.res, score});
        ious.push_back(o.iou);
      }
    }
    const auto matches = detail::max_weight_matching(static_cast<int>(f.gt_ids.size()),
                                                     static_cast<int>(f.res_ids.size()), pairs);
    std::fill(next_prev.begin(), next_prev.end(), -1);
    for (int idx : matches) {
      const auto& p = pairs[static_cast<size_t>(idx)];
      const auto g = static_cast<size_t>(f.gt_ids[static_cast<size_t>(p.a)]);
      const int r = f.res_ids[static_cast<size_t>(p.b)];
      if (last_res[g] >= 0 && last_res[g] != r) ++res.idsw;
      last_res[g] = r;
      next_prev[g] = r;
      ++matched_count[g];
      if (prev_frame_res[g] < 0) ++frag_count[g];
      res.motp_sum += ious[static_cast<size_t>(idx)];
    }
    for (int g : f.gt_ids)
      ++gt_count[static_cast<size_t>(g)];
    std::swap(prev_frame_res, next_prev);
    const auto m = static_cast<long long>(matches.size());
    res.tp += m;
    res.fn += static_cast<long long>(f.gt_ids.size()) - m;
    res.fp += static_cast<long long>(f.res_ids.size()) - m;
  }
  for (size_t g = 0; g < n; ++g) {
    if (gt_count[g] == 0) continue;
    const double tracked = static_cast<double>(matched_count[g]) / static_cast<double>(gt_count[g]);
    if (tracked > 0.8) {
      ++res.mt;
    } else if (tracked >= 0.2) {
      ++res.pt;
    }
    if (frag_count[g] > 0) res.frag += frag_count[g] - 1;
  }
  res.ml = seq.num_gt_ids - res.mt - res.pt;
  return res;
}

}  // namespace picket::eval

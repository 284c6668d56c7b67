#include "picket/eval/hota.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "sparse_match.h"

namespace picket::eval {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

double mean(const Hota::Array& a) {
  double s = 0;
  for (double v : a)
    s += v;
  return s / Hota::kAlphas;
}

unsigned long long key(int g, int r) {
  return (static_cast<unsigned long long>(g) << 32) | static_cast<unsigned long long>(r);
}

}  // namespace

double Hota::det_a(int a) const {
  const auto i = static_cast<size_t>(a);
  return tp[i] / std::max(1.0, tp[i] + fn[i] + fp[i]);
}
double Hota::det_re(int a) const {
  const auto i = static_cast<size_t>(a);
  return tp[i] / std::max(1.0, tp[i] + fn[i]);
}
double Hota::det_pr(int a) const {
  const auto i = static_cast<size_t>(a);
  return tp[i] / std::max(1.0, tp[i] + fp[i]);
}
double Hota::hota(int a) const {
  return std::sqrt(det_a(a) * ass_a[static_cast<size_t>(a)]);
}

namespace {
template <class F>
double mean_of(F f) {
  double s = 0;
  for (int a = 0; a < Hota::kAlphas; ++a)
    s += f(a);
  return s / Hota::kAlphas;
}
}  // namespace

double Hota::hota() const {
  return mean_of([this](int a) { return hota(a); });
}
double Hota::det_a() const {
  return mean_of([this](int a) { return det_a(a); });
}
double Hota::det_re() const {
  return mean_of([this](int a) { return det_re(a); });
}
double Hota::det_pr() const {
  return mean_of([this](int a) { return det_pr(a); });
}
double Hota::ass_a_mean() const {
  return mean(ass_a);
}
double Hota::ass_re_mean() const {
  return mean(ass_re);
}
double Hota::ass_pr_mean() const {
  return mean(ass_pr);
}
double Hota::loc_a_mean() const {
  return mean(loc_a);
}

Hota hota(const MotSequence& seq) {
  Hota res;
  if (seq.num_res_dets == 0 || seq.num_gt_dets == 0) {
    res.fn.fill(static_cast<double>(seq.num_res_dets == 0 ? seq.num_gt_dets : 0));
    res.fp.fill(static_cast<double>(seq.num_res_dets == 0 ? 0 : seq.num_res_dets));
    res.loc_a.fill(1.0);
    return res;
  }
  const auto ng = static_cast<size_t>(seq.num_gt_ids), nr = static_cast<size_t>(seq.num_res_ids);
  // Pass 1: soft co-occurrence of identities. In each frame a pair's IoU is normalised by the
  // IoUs both boxes have with every other box of the frame.
  std::unordered_map<unsigned long long, double> potential;
  std::vector<double> gt_count(ng, 0), res_count(nr, 0);
  std::vector<double> row_sum, col_sum;
  for (const auto& f : seq.frames) {
    row_sum.assign(f.gt_ids.size(), 0.0);
    col_sum.assign(f.res_ids.size(), 0.0);
    for (const auto& o : f.overlaps) {
      row_sum[static_cast<size_t>(o.gt)] += o.iou;
      col_sum[static_cast<size_t>(o.res)] += o.iou;
    }
    for (const auto& o : f.overlaps) {
      const double denom =
          col_sum[static_cast<size_t>(o.res)] + row_sum[static_cast<size_t>(o.gt)] - o.iou;
      if (denom > kEps) {
        potential[key(f.gt_ids[static_cast<size_t>(o.gt)],
                      f.res_ids[static_cast<size_t>(o.res)])] += o.iou / denom;
      }
    }
    for (int g : f.gt_ids)
      gt_count[static_cast<size_t>(g)] += 1;
    for (int r : f.res_ids)
      res_count[static_cast<size_t>(r)] += 1;
  }
  auto alignment = [&](int g, int r) {
    const auto it = potential.find(key(g, r));
    const double p = it == potential.end() ? 0.0 : it->second;
    return p / (gt_count[static_cast<size_t>(g)] + res_count[static_cast<size_t>(r)] - p);
  };

  // Pass 2: per frame, match maximising alignment x IoU, then count per alpha.
  std::unordered_map<unsigned long long, std::array<int, Hota::kAlphas>> matches;
  std::vector<detail::WeightedPair> pairs;
  std::vector<double> ious;
  for (const auto& f : seq.frames) {
    if (f.gt_ids.empty() || f.res_ids.empty()) {
      for (int a = 0; a < Hota::kAlphas; ++a) {
        res.fp[static_cast<size_t>(a)] += static_cast<double>(f.res_ids.size());
        res.fn[static_cast<size_t>(a)] += static_cast<double>(f.gt_ids.size());
      }
      continue;
    }
    pairs.clear();
    ious.clear();
    for (const auto& o : f.overlaps) {
      const double score =
          alignment(f.gt_ids[static_cast<size_t>(o.gt)], f.res_ids[static_cast<size_t>(o.res)]) *
          o.iou;
      if (score > 0) {
        pairs.push_back({o.gt, o.res, score});
        ious.push_back(o.iou);
      }
    }
    const auto chosen = detail::max_weight_matching(static_cast<int>(f.gt_ids.size()),
                                                    static_cast<int>(f.res_ids.size()), pairs);
    for (int a = 0; a < Hota::kAlphas; ++a) {
      const double alpha = Hota::alpha(a);
      const auto i = static_cast<size_t>(a);
      double n = 0;
      for (int idx : chosen) {
        const double iou = ious[static_cast<size_t>(idx)];
        if (iou < alpha - kEps) continue;
        n += 1;
        res.loc_a[i] += iou;
        const auto& p = pairs[static_cast<size_t>(idx)];
        auto& m =
            matches[key(f.gt_ids[static_cast<size_t>(p.a)], f.res_ids[static_cast<size_t>(p.b)])];
        ++m[i];
      }
      res.tp[i] += n;
      res.fn[i] += static_cast<double>(f.gt_ids.size()) - n;
      res.fp[i] += static_cast<double>(f.res_ids.size()) - n;
    }
  }
  // Association: each TP weighted by the Jaccard index of its two identities.
  Hota::Array sum_a{}, sum_re{}, sum_pr{};
  for (const auto& [k, counts] : matches) {
    const double gc = gt_count[static_cast<size_t>(k >> 32)];
    const double rc = res_count[static_cast<size_t>(k & 0xffffffffULL)];
    for (size_t i = 0; i < static_cast<size_t>(Hota::kAlphas); ++i) {
      const double m = counts[i];
      if (m == 0) continue;
      sum_a[i] += m * (m / std::max(1.0, gc + rc - m));
      sum_re[i] += m * (m / std::max(1.0, gc));
      sum_pr[i] += m * (m / std::max(1.0, rc));
    }
  }
  for (size_t i = 0; i < static_cast<size_t>(Hota::kAlphas); ++i) {
    const double tp = std::max(1.0, res.tp[i]);
    res.ass_a[i] = sum_a[i] / tp;
    res.ass_re[i] = sum_re[i] / tp;
    res.ass_pr[i] = sum_pr[i] / tp;
    res.loc_a[i] = std::max(1e-10, res.loc_a[i]) / std::max(1e-10, res.tp[i]);
  }
  return res;
}

Hota combine(std::span<const Hota> parts) {
  Hota res;
  Hota::Array wa{}, wre{}, wpr{}, wloc{};
  for (const auto& p : parts) {
    for (size_t i = 0; i < static_cast<size_t>(Hota::kAlphas); ++i) {
      res.tp[i] += p.tp[i];
      res.fn[i] += p.fn[i];
      res.fp[i] += p.fp[i];
      wa[i] += p.ass_a[i] * p.tp[i];
      wre[i] += p.ass_re[i] * p.tp[i];
      wpr[i] += p.ass_pr[i] * p.tp[i];
      wloc[i] += p.loc_a[i] * p.tp[i];
    }
  }
  for (size_t i = 0; i < static_cast<size_t>(Hota::kAlphas); ++i) {
    res.ass_a[i] = wa[i] / std::max(1.0, res.tp[i]);
    res.ass_re[i] = wre[i] / std::max(1.0, res.tp[i]);
    res.ass_pr[i] = wpr[i] / std::max(1.0, res.tp[i]);
    res.loc_a[i] = std::max(1e-10, wloc[i]) / std::max(1e-10, res.tp[i]);
  }
  return res;
}

}  // namespace picket::eval

#include "picket/eval/mot_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "sparse_match.h"

namespace picket::eval {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// MOTChallenge class numbers (MOT16/17/20 ground truth, column 8).
constexpr int kPedestrian = 1;
constexpr int kMaxClass = 13;

bool is_distractor(int cls, MotPreprocess p) {
  // person_on_vehicle, static_person, distractor, reflection; MOT20 adds non_mot_vehicle.
  if (cls == 2 || cls == 7 || cls == 8 || cls == 12) return true;
  return p == MotPreprocess::mot20 && cls == 6;
}

// The consider flag as the official evaluator reads it: column 7 truncated to an integer.
bool considered(const formats::MotRow& r) {
  if (r.columns != 0 && r.columns < 7) return true;
  return static_cast<long long>(r.conf) != 0;
}

// Renumbers ids in ascending order of their original values.
std::vector<long long> renumber(std::vector<std::vector<const formats::MotRow*>>& by_frame,
                                std::vector<std::vector<int>>& ids_out) {
  std::vector<long long> labels;
  for (const auto& f : by_frame)
    for (const auto* r : f)
      labels.push_back(r->id);
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  ids_out.assign(by_frame.size(), {});
  for (size_t k = 0; k < by_frame.size(); ++k) {
    for (const auto* r : by_frame[k]) {
      ids_out[k].push_back(
          static_cast<int>(std::lower_bound(labels.begin(), labels.end(), r->id) - labels.begin()));
    }
  }
  return labels;
}

Status check_unique(const std::vector<std::vector<const formats::MotRow*>>& by_frame,
                    const char* what) {
  std::vector<long long> ids;
  for (size_t k = 0; k < by_frame.size(); ++k) {
    ids.clear();
    for (const auto* r : by_frame[k])
      ids.push_back(r->id);
    std::sort(ids.begin(), ids.end());
    const auto dup = std::adjacent_find(ids.begin(), ids.end());
    if (dup != ids.end()) {
      return Error{fmt::format("frame {}", k + 1),
                   fmt::format("{} id {} appears more than once", what, *dup)};
    }
  }
  return Ok{};
}

}  // namespace

double box_iou(double ax, double ay, double aw, double ah, double bx, double by, double bw,
               double bh) {
  const double ax2 = ax + aw, ay2 = ay + ah, bx2 = bx + bw, by2 = by + bh;
  double inter = std::max(std::min(ax2, bx2) - std::max(ax, bx), 0.0) *
                 std::max(std::min(ay2, by2) - std::max(ay, by), 0.0);
  const double area_a = (ax2 - ax) * (ay2 - ay);
  const double area_b = (bx2 - bx) * (by2 - by);
  double uni = area_a + area_b - inter;
  if (area_a <= kEps || area_b <= kEps || uni <= kEps) inter = 0;
  if (uni <= kEps) uni = 1;
  return inter / uni;
}

Result<MotPreprocess> parse_mot_preprocess(std::string_view s) {
  if (s == "none") return MotPreprocess::none;
  if (s == "mot15") return MotPreprocess::mot15;
  if (s == "mot16" || s == "mot17") return MotPreprocess::mot17;
  if (s == "mot20") return MotPreprocess::mot20;
  return Error{"", fmt::format("unknown preprocessing '{}' (none, mot15, mot16, mot17, mot20)", s)};
}

const char* to_string(MotPreprocess p) {
  switch (p) {
    case MotPreprocess::none:
      return "none";
    case MotPreprocess::mot15:
      return "mot15";
    case MotPreprocess::mot17:
      return "mot17";
    case MotPreprocess::mot20:
      return "mot20";
  }
  return "?";
}

MotPreprocess detect_mot_preprocess(std::span<const formats::MotRow> gt) {
  if (gt.empty()) return MotPreprocess::mot15;
  for (const auto& r : gt) {
    if (r.columns < 8 || r.c8 < 1 || r.c8 > kMaxClass || r.c8 != std::floor(r.c8))
      return MotPreprocess::mot15;
  }
  return MotPreprocess::mot17;
}

Result<MotSequence> prepare_mot_sequence(std::span<const formats::MotRow> gt,
                                         std::span<const formats::MotRow> res,
                                         const MotPrepareOptions& options, std::string name) {
  const bool classes =
      options.preprocess == MotPreprocess::mot17 || options.preprocess == MotPreprocess::mot20;
  int frames = options.num_frames;
  if (frames <= 0) {
    for (const auto& r : gt)
      frames = std::max(frames, r.frame);
    for (const auto& r : res)
      frames = std::max(frames, r.frame);
  }
  std::vector<std::vector<const formats::MotRow*>> gt_all(static_cast<size_t>(frames)),
      res_all(static_cast<size_t>(frames));
  for (const auto& r : gt) {
    if (r.frame < 1 || r.frame > frames) {
      return Error{fmt::format("ground truth frame {}", r.frame),
                   fmt::format("outside the sequence's frames 1..{}", frames)};
    }
    if (classes && (r.columns < 8 || r.c8 != std::floor(r.c8) || r.c8 < 1 || r.c8 > kMaxClass)) {
      return Error{fmt::format("ground truth frame {} id {}", r.frame, r.id),
                   fmt::format("class {} is not a MOTChallenge class 1..{} (preprocessing {})",
                               r.c8, kMaxClass, to_string(options.preprocess))};
    }
    gt_all[static_cast<size_t>(r.frame - 1)].push_back(&r);
  }
  for (const auto& r : res) {
    if (r.frame < 1 || r.frame > frames) {
      return Error{fmt::format("results frame {}", r.frame),
                   fmt::format("outside the sequence's frames 1..{}", frames)};
    }
    if (classes && r.columns >= 8 && r.c8 > 1) {
      return Error{fmt::format("results frame {} id {}", r.frame, r.id),
                   fmt::format("class {}: only pedestrians (class 1 or -1) can be scored", r.c8)};
    }
    res_all[static_cast<size_t>(r.frame - 1)].push_back(&r);
  }
  if (auto s = check_unique(gt_all, "ground truth"); !s) return s.error();
  if (auto s = check_unique(res_all, "results"); !s) return s.error();

  MotSequence seq;
  seq.name = std::move(name);
  // Preprocess frame by frame.
  std::vector<detail::WeightedPair> pairs;
  for (int k = 0; k < frames; ++k) {
    auto& g = gt_all[static_cast<size_t>(k)];
    auto& r = res_all[static_cast<size_t>(k)];
    if (classes && !g.empty() && !r.empty()) {
      // Result boxes matching a distractor (IoU >= 0.5, optimal one-to-one) are not scored.
      pairs.clear();
      for (size_t i = 0; i < g.size(); ++i) {
        for (size_t j = 0; j < r.size(); ++j) {
          const double iou =
              box_iou(g[i]->x, g[i]->y, g[i]->w, g[i]->h, r[j]->x, r[j]->y, r[j]->w, r[j]->h);
          if (iou >= 0.5 - kEps && iou > kEps)
            pairs.push_back({static_cast<int>(i), static_cast<int>(j), iou});
        }
      }
      std::vector<char> drop(r.size(), 0);
      bool any = false;
      for (int idx : detail::max_weight_matching(static_cast<int>(g.size()),
                                                 static_cast<int>(r.size()), pairs)) {
        const auto& p = pairs[static_cast<size_t>(idx)];
        if (is_distractor(static_cast<int>(g[static_cast<size_t>(p.a)]->c8), options.preprocess)) {
          drop[static_cast<size_t>(p.b)] = 1;
          any = true;
        }
      }
      if (any) {
        std::vector<const formats::MotRow*> kept;
        for (size_t j = 0; j < r.size(); ++j) {
          if (!drop[j]) kept.push_back(r[j]);
        }
        seq.removed_res += static_cast<long long>(r.size() - kept.size());
        r = std::move(kept);
      }
    }
    if (options.preprocess != MotPreprocess::none) {
      const size_t before = g.size();
      std::erase_if(g, [&](const formats::MotRow* row) {
        return !considered(*row) || (classes && static_cast<int>(row->c8) != kPedestrian);
      });
      seq.removed_gt += static_cast<long long>(before - g.size());
    }
  }

  std::vector<std::vector<int>> gt_ids, res_ids;
  seq.gt_labels = renumber(gt_all, gt_ids);
  seq.res_labels = renumber(res_all, res_ids);
  seq.num_gt_ids = static_cast<int>(seq.gt_labels.size());
  seq.num_res_ids = static_cast<int>(seq.res_labels.size());
  seq.frames.resize(static_cast<size_t>(frames));
  for (int k = 0; k < frames; ++k) {
    auto& f = seq.frames[static_cast<size_t>(k)];
    const auto& g = gt_all[static_cast<size_t>(k)];
    const auto& r = res_all[static_cast<size_t>(k)];
    f.gt_ids = std::move(gt_ids[static_cast<size_t>(k)]);
    f.res_ids = std::move(res_ids[static_cast<size_t>(k)]);
    seq.num_gt_dets += static_cast<long long>(g.size());
    seq.num_res_dets += static_cast<long long>(r.size());
    for (size_t i = 0; i < g.size(); ++i) {
      for (size_t j = 0; j < r.size(); ++j) {
        const double iou =
            box_iou(g[i]->x, g[i]->y, g[i]->w, g[i]->h, r[j]->x, r[j]->y, r[j]->w, r[j]->h);
        if (iou > 0) f.overlaps.push_back({static_cast<int>(i), static_cast<int>(j), iou});
      }
    }
  }
  return seq;
}

}  // namespace picket::eval

#include "picket/imagetrack/tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace picket::imagetrack {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

BoxTrackerParams BoxTrackerParams::bytetrack(double frame_rate_hz) {
  BoxTrackerParams p;
  p.method = BoxMethod::bytetrack;
  p.frame_rate_hz = frame_rate_hz;
  return p;
}

BoxTrackerParams BoxTrackerParams::sort(double frame_rate_hz) {
  BoxTrackerParams p;
  p.method = BoxMethod::sort;
  p.frame_rate_hz = frame_rate_hz;
  p.high_score = p.low_score = p.birth_score = -kInf;  // SORT uses every box
  p.match_iou = 0.3;
  p.fuse_score = false;
  p.min_hits = 3;
  p.max_lost_s = 1.0 / frame_rate_hz;  // max_age: 1 frame
  return p;
}

Status BoxTrackerParams::validate() const {
  auto bad = [](const char* field, const std::string& what) { return Status(Error{field, what}); };
  if (!std::isfinite(frame_rate_hz) || frame_rate_hz <= 0)
    return bad("frame_rate_hz", fmt::format("{} is not a positive frame rate", frame_rate_hz));
  if (std::isnan(high_score) || std::isnan(low_score) || std::isnan(birth_score))
    return bad("high_score", "score thresholds must be numbers");
  if (low_score > high_score)
    return bad("low_score", fmt::format("{} is above high_score {}", low_score, high_score));
  for (auto [name, v] :
       {std::pair{"match_iou", match_iou}, std::pair{"second_iou", second_iou},
        std::pair{"unconfirmed_iou", unconfirmed_iou}, std::pair{"duplicate_iou", duplicate_iou}}) {
    if (!(v > 0 && v <= 1)) return bad(name, fmt::format("{} is not in (0, 1]", v));
  }
  if (!(max_lost_s >= 0) || !std::isfinite(max_lost_s))
    return bad("max_lost_s", fmt::format("{} is not a duration >= 0", max_lost_s));
  if (min_hits < 0 || min_hits > 1000)
    return bad("min_hits", fmt::format("{} is not in [0, 1000]", min_hits));
  if (!(min_box_area >= 0) || !std::isfinite(min_box_area))
    return bad("min_box_area", fmt::format("{} is not an area >= 0", min_box_area));
  if (!(max_aspect > 0)) return bad("max_aspect", fmt::format("{} is not > 0", max_aspect));
  return Ok{};
}

BoxTracker::BoxTracker(BoxTrackerParams params) : params_(params) {
  assert(params_.validate().ok());
}

Result<BoxTracker> BoxTracker::create(BoxTrackerParams params) {
  if (auto s = params.validate(); !s) return s.error();
  return BoxTracker(params);
}

Box BoxTracker::track_box(const Track& tr) const {
  return std::visit([](const auto& f) { return f.box(); }, tr.filter);
}

void BoxTracker::predict(Track& tr, double dt) {
  if (auto* f = std::get_if<XyahFilter>(&tr.filter)) {
    f->predict(dt, tr.state != BoxTrackState::tracked);
  } else if (auto* g = std::get_if<XywhFilter>(&tr.filter)) {
    g->predict(dt, tr.state != BoxTrackState::tracked);
  } else {
    std::get<XysrFilter>(tr.filter).predict(dt);
  }
  // SORT: a miss in the previous frame ends the run of matches.
  if (params_.method == BoxMethod::sort && tr.last_frame + 1 < stats_.frames) tr.hit_streak = 0;
  const bool ok = std::visit([](const auto& f) { return f.valid(); }, tr.filter);
  tr.predicted = ok ? track_box(tr) : Box{};
  tr.detection = -1;
  if (!ok || !valid_box(tr.predicted)) {
    tr.dead = true;
    ++stats_.tracks_invalid;
  }
}

void BoxTracker::correct(Track& tr, const BoxDetection& d, int index, double t) {
  std::visit([&](auto& f) { f.update(d.box); }, tr.filter);
  tr.last_t = t;
  tr.measured = d.box;
  tr.score = d.score;
  tr.label = d.label;
  ++tr.hits;
  ++tr.hit_streak;
  tr.last_frame = stats_.frames;
  tr.detection = index;
}

std::variant<XyahFilter, XywhFilter, XysrFilter> BoxTracker::make_filter(const Box& b) const {
  if (params_.method == BoxMethod::sort) return XysrFilter(b);
  if (params_.model == BoxModel::xyah) return XyahFilter(b);
  return XywhFilter(b);
}

void BoxTracker::start_track(const BoxDetection& d, int index, double t, bool confirmed) {
  Track tr{.id = next_id_++,
           .filter = make_filter(d.box),
           .state = BoxTrackState::tentative,
           .first_t = t,
           .last_t = t,
           .score = d.score,
           .label = d.label,
           .hits = 1,
           .hit_streak = 0,
           .last_frame = stats_.frames,
           .detection = index,
           .predicted = d.box,
           .measured = d.box,
           .dead = false};
  if (confirmed) tr.state = BoxTrackState::tracked;
  tracks_.push_back(std::move(tr));
  ++stats_.tracks_started;
  if (confirmed) ++stats_.tracks_confirmed;
}

void BoxTracker::associate(const std::vector<int>& track_idx, const std::vector<int>& det_idx,
                           std::span<const BoxDetection> dets, double min_iou, bool fuse,
                           bool sort_style, std::vector<int>& track_match,
                           std::vector<int>& det_match) {
  const int nq = static_cast<int>(track_idx.size()), nd = static_cast<int>(det_idx.size());
  track_match.assign(static_cast<size_t>(nq), -1);
  det_match.assign(static_cast<size_t>(nd), -1);
  if (nq == 0 || nd == 0) return;
  qboxes_.clear();
  dboxes_.clear();
  for (int i : track_idx)
    qboxes_.push_back(tracks_[static_cast<size_t>(i)].predicted);
  for (int j : det_idx)
    dboxes_.push_back(dets[static_cast<size_t>(j)].box);
  grid_.build(dboxes_);
  pairs_.clear();
  const double gate = sort_style ? 1e-12 : min_iou;
  if (params_.class_aware) {
    grid_.pairs(
        qboxes_, gate,
        [&](int a, int b) {
          return tracks_[static_cast<size_t>(track_idx[static_cast<size_t>(a)])].label ==
                 dets[static_cast<size_t>(det_idx[static_cast<size_t>(b)])].label;
        },
        pairs_);
  } else {
    grid_.pairs(qboxes_, gate, pairs_);
  }
  costs_.clear();
  const double limit = 1.0 - min_iou;
  for (const auto& p : pairs_) {
    if (sort_style) {
      costs_.push_back({p.a, p.b, -p.iou});
      continue;
    }
    double sim = p.iou;
    if (fuse)
      sim *=
          std::clamp(dets[static_cast<size_t>(det_idx[static_cast<size_t>(p.b)])].score, 0.0, 1.0);
    const double cost = 1.0 - sim;
    if (cost <= limit) costs_.push_back({p.a, p.b, cost});
  }
  assigner_.solve(nq, nd, costs_, sort_style ? 0.0 : limit / 2, ma_, mb_);
  stats_.largest_cluster = std::max(stats_.largest_cluster, assigner_.largest_cluster());
  for (int a = 0; a < nq; ++a) {
    const int b = ma_[static_cast<size_t>(a)];
    if (b < 0) continue;
    // SORT: the assignment maximises total IoU; pairs below the threshold are then refused.
    if (sort_style &&
        iou(qboxes_[static_cast<size_t>(a)], dboxes_[static_cast<size_t>(b)]) < min_iou)
      continue;
    track_match[static_cast<size_t>(a)] = det_idx[static_cast<size_t>(b)];
    det_match[static_cast<size_t>(b)] = track_idx[static_cast<size_t>(a)];
  }
}

void BoxTracker::step_bytetrack(double t, std::span<const BoxDetection> dets,
                                const std::vector<int>& valid) {
  const auto& p = params_;
  std::vector<int> high, low;
  for (int j : valid) {
    const double s = dets[static_cast<size_t>(j)].score;
    if (s >= p.high_score) {
      high.push_back(j);
    } else if (s >= p.low_score) {
      low.push_back(j);
    } else {
      ++stats_.boxes_below_low;
    }
  }
  std::vector<int> pool, tentative;
  for (int i = 0; i < static_cast<int>(tracks_.size()); ++i) {
    (tracks_[static_cast<size_t>(i)].state == BoxTrackState::tentative ? tentative : pool)
        .push_back(i);
  }
  std::vector<int> tm, dm;
  // 1. Confirmed and lost tracks with the high boxes.
  associate(pool, high, dets, p.match_iou, p.fuse_score, false, tm, dm);
  std::vector<int> unmatched_tracked, high_left;
  for (size_t k = 0; k < pool.size(); ++k) {
    Track& tr = tracks_[static_cast<size_t>(pool[k])];
    if (tm[k] >= 0) {
      correct(tr, dets[static_cast<size_t>(tm[k])], tm[k], t);
      tr.state = BoxTrackState::tracked;
      ++stats_.first_matches;
    } else if (tr.state == BoxTrackState::tracked) {
      unmatched_tracked.push_back(pool[k]);
    }
  }
  for (size_t k = 0; k < high.size(); ++k) {
    if (dm[k] < 0) high_left.push_back(high[k]);
  }
  // 2. The second pass: tracks that were tracked until now, with the low boxes.
  associate(unmatched_tracked, low, dets, p.second_iou, false, false, tm, dm);
  for (size_t k = 0; k < unmatched_tracked.size(); ++k) {
    Track& tr = tracks_[static_cast<size_t>(unmatched_tracked[k])];
    if (tm[k] >= 0) {
      correct(tr, dets[static_cast<size_t>(tm[k])], tm[k], t);
      ++stats_.second_matches;
    } else {
      tr.state = BoxTrackState::lost;
    }
  }
  // 3. Tentative tracks with the high boxes left: confirmed, or deleted.
  associate(tentative, high_left, dets, p.unconfirmed_iou, p.fuse_score, false, tm, dm);
  for (size_t k = 0; k < tentative.size(); ++k) {
    Track& tr = tracks_[static_cast<size_t>(tentative[k])];
    if (tm[k] >= 0) {
      correct(tr, dets[static_cast<size_t>(tm[k])], tm[k], t);
      tr.state = BoxTrackState::tracked;
      ++stats_.tentative_matches;
      ++stats_.tracks_confirmed;
    } else {
      tr.dead = true;
    }
  }
  // 4. New tracks; on the very first frame they start confirmed.
  const bool first_frame = stats_.frames == 1;
  for (size_t k = 0; k < high_left.size(); ++k) {
    if (dm[k] >= 0) continue;
    const auto& d = dets[static_cast<size_t>(high_left[k])];
    if (d.score >= p.birth_score) start_track(d, high_left[k], t, first_frame);
  }
  // 5. Lost too long.
  const double eps = 1e-3 / p.frame_rate_hz;
  for (auto& tr : tracks_) {
    if (tr.state == BoxTrackState::lost && t - tr.last_t > p.max_lost_s + eps) tr.dead = true;
  }
  // 6. A tracked (or new) track and a lost one on the same object: keep the older.
  std::vector<int> active, lost;
  for (int i = 0; i < static_cast<int>(tracks_.size()); ++i) {
    const auto& tr = tracks_[static_cast<size_t>(i)];
    if (tr.dead) continue;
    (tr.state == BoxTrackState::lost ? lost : active).push_back(i);
  }
  if (!active.empty() && !lost.empty()) {
    qboxes_.clear();
    dboxes_.clear();
    for (int i : active)
      qboxes_.push_back(track_box(tracks_[static_cast<size_t>(i)]));
    for (int i : lost)
      dboxes_.push_back(track_box(tracks_[static_cast<size_t>(i)]));
    grid_.build(dboxes_);
    pairs_.clear();
    grid_.pairs(qboxes_, std::nextafter(p.duplicate_iou, 2.0), pairs_);
    for (const auto& pr : pairs_) {
      Track& a = tracks_[static_cast<size_t>(active[static_cast<size_t>(pr.a)])];
      Track& b = tracks_[static_cast<size_t>(lost[static_cast<size_t>(pr.b)])];
      ((a.last_t - a.first_t) > (b.last_t - b.first_t) ? b : a).dead = true;
    }
  }
}

void BoxTracker::step_sort(double t, std::span<const BoxDetection> dets,
                           const std::vector<int>& valid) {
  const auto& p = params_;
  std::vector<int> all(tracks_.size());
  for (size_t i = 0; i < tracks_.size(); ++i)
    all[i] = static_cast<int>(i);
  std::vector<int> tm, dm;
  associate(all, valid, dets, p.match_iou, false, true, tm, dm);
  for (size_t k = 0; k < all.size(); ++k) {
    Track& tr = tracks_[k];
    if (tm[k] >= 0) {
      correct(tr, dets[static_cast<size_t>(tm[k])], tm[k], t);
      ++stats_.first_matches;
      if (tr.state != BoxTrackState::tracked && tr.hit_streak >= p.min_hits)
        ++stats_.tracks_confirmed;
      if (tr.state == BoxTrackState::lost || tr.hit_streak >= p.min_hits) {
        tr.state = BoxTrackState::tracked;
      }
    } else if (tr.state == BoxTrackState::tracked) {
      tr.state = BoxTrackState::lost;
    }
  }
  for (size_t k = 0; k < valid.size(); ++k) {
    if (dm[k] < 0) start_track(dets[static_cast<size_t>(valid[k])], valid[k], t, false);
  }
  const double eps = 1e-3 / p.frame_rate_hz;
  for (auto& tr : tracks_) {
    if (t - tr.last_t > p.max_lost_s + eps) tr.dead = true;
  }
}

bool BoxTracker::reportable(const Track& tr) const {
  if (tr.dead || tr.last_frame != stats_.frames) return false;
  if (params_.method == BoxMethod::sort) {
    if (tr.hit_streak < params_.min_hits &&
        stats_.frames > static_cast<std::uint64_t>(params_.min_hits))
      return false;
  } else if (tr.state != BoxTrackState::tracked) {
    return false;
  }
  const Box b = params_.report_measured ? tr.measured : track_box(tr);
  if (!valid_box(b)) return false;
  if (params_.min_box_area > 0 && b.area() <= params_.min_box_area) return false;
  if (b.w / b.h > params_.max_aspect) return false;
  return true;
}

void BoxTracker::remove_dead() {
  const auto n = std::erase_if(tracks_, [](const Track& tr) { return tr.dead; });
  stats_.tracks_deleted += n;
}

Result<std::span<const TrackedBox>> BoxTracker::update(double t_s,
                                                       std::span<const BoxDetection> boxes) {
  if (!std::isfinite(t_s)) {
    ++stats_.frames_rejected;
    return Error{"frame time", "not a finite number"};
  }
  if (started_ && t_s < last_t_) {
    ++stats_.frames_rejected;
    return Error{"frame time",
                 fmt::format("{} s is before the previous frame's {} s", t_s, last_t_)};
  }
  const double dt = started_ ? (t_s - last_t_) * params_.frame_rate_hz : 0.0;
  started_ = true;
  last_t_ = t_s;
  ++stats_.frames;
  stats_.boxes += boxes.size();
  std::vector<int> valid;
  valid.reserve(boxes.size());
  for (int j = 0; j < static_cast<int>(boxes.size()); ++j) {
    const auto& d = boxes[static_cast<size_t>(j)];
    if (valid_box(d.box) && !std::isnan(d.score) && std::isfinite(d.score)) {
      valid.push_back(j);
    } else {
      ++stats_.boxes_rejected;
    }
  }
  for (auto& tr : tracks_)
    predict(tr, dt);
  remove_dead();
  if (params_.method == BoxMethod::bytetrack) {
    step_bytetrack(t_s, boxes, valid);
  } else {
    step_sort(t_s, boxes, valid);
  }
  remove_dead();
  out_.clear();
  for (const auto& tr : tracks_) {
    if (!reportable(tr)) continue;
    out_.push_back(TrackedBox{.id = tr.id,
                              .box = params_.report_measured ? tr.measured : track_box(tr),
                              .score = tr.score,
                              .label = tr.label,
                              .state = tr.state,
                              .detection = tr.detection,
                              .first_t = tr.first_t,
                              .last_t = tr.last_t,
                              .hits = tr.hits});
  }
  return std::span<const TrackedBox>(out_);
}

std::vector<TrackedBox> BoxTracker::live_tracks() const {
  std::vector<TrackedBox> v;
  for (const auto& tr : tracks_) {
    v.push_back(TrackedBox{.id = tr.id,
                           .box = track_box(tr),
                           .score = tr.score,
                           .label = tr.label,
                           .state = tr.state,
                           .detection = tr.detection,
                           .first_t = tr.first_t,
                           .last_t = tr.last_t,
                           .hits = tr.hits});
  }
  return v;
}

}  // namespace picket::imagetrack

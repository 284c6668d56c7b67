#include "picket/locate/pose_feed.h"

#include <fmt/format.h>

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "picket/core/units.h"
#include "picket/formats/jsonl.h"

namespace picket::locate {

std::string_view to_string(PoseQuality q) {
  switch (q) {
    case PoseQuality::good:
      return "good";
    case PoseQuality::in_gap:
      return "in_gap";
    case PoseQuality::across_jump:
      return "across_jump";
    case PoseQuality::extrapolated:
      return "extrapolated";
    case PoseQuality::no_pose:
      return "no_pose";
  }
  return "?";
}

std::vector<std::string> FeedReport::summary() const {
  std::vector<std::string> out;
  for (const auto& g : gaps)
    out.push_back(
        fmt::format("gap of {:.2f} s before line {} (t {:.3f} to {:.3f}); poses there "
                    "are degraded",
                    g.t1 - g.t0, g.line, g.t0, g.t1));
  for (const auto& j : jumps)
    out.push_back(
        fmt::format("jump at line {} (t {:.3f}): {:.1f} m and {:.1f} degrees in {:.3f} s; "
                    "poses across it are degraded",
                    j.line, j.t1, j.distance_m, rad2deg(j.turn_rad), j.t1 - j.t0));
  if (out_of_order > 0)
    out.push_back(fmt::format("{} sample{} out of time order dropped", out_of_order,
                              out_of_order == 1 ? "" : "s"));
  if (bad_lines > 0)
    out.push_back(fmt::format("{} bad line{} skipped", bad_lines, bad_lines == 1 ? "" : "s"));
  return out;
}

namespace {

using json = nlohmann::json;

Result<std::optional<double>> num(const json& j, const char* key, double lo, double hi) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return Error{key, "expected a number"};
  const double v = it->get<double>();
  if (!std::isfinite(v)) return Error{key, "not a finite number"};
  if (v < lo || v > hi) return Error{key, fmt::format("{} is out of range [{}, {}]", v, lo, hi)};
  return std::optional<double>(v);
}

Eigen::Quaterniond quat(const Attitude& a) {
  return Eigen::Quaterniond(body_to_enu(a));
}

}  // namespace

Result<PoseSample> parse_pose_sample(std::string_view line, const Site& site,
                                     const PoseSigma& defaults) {
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded()) return Error{"", "invalid JSON"};
  if (!j.is_object()) return Error{"", "expected a JSON object"};
  PoseSample s;
  s.sigma = defaults;
  PICKET_TRY(t, num(j, "t", 0, 1e11));
  if (!t) return Error{"t", "missing"};
  s.t = *t;
  PICKET_TRY(lat, num(j, "lat", -90, 90));
  PICKET_TRY(lon, num(j, "lon", -180, 180));
  PICKET_TRY(alt, num(j, "alt", -1e4, 1e5));
  PICKET_TRY(east, num(j, "east", -1e6, 1e6));
  PICKET_TRY(north, num(j, "north", -1e6, 1e6));
  PICKET_TRY(up, num(j, "up", -1e4, 1e5));
  if (lat || lon) {
    if (!lat || !lon) return Error{lat ? "lon" : "lat", "missing (the position is incomplete)"};
    if (!alt) return Error{"alt", "missing: the platform's altitude is needed"};
    s.position = site.frame.to_enu(Geodetic{*lat, *lon, *alt});
  } else if (east || north) {
    if (!east || !north || !up)
      return Error{!east    ? "east"
                   : !north ? "north"
                            : "up",
                   "missing (the position is incomplete)"};
    s.position = Enu(*east, *north, *up);
  } else {
    return Error{"lat", "missing: a position (lat, lon, alt or east, north, up) is required"};
  }
  PICKET_TRY(yaw, num(j, "yaw", -360, 360));
  PICKET_TRY(pitch, num(j, "pitch", -90, 90));
  PICKET_TRY(roll, num(j, "roll", -180, 180));
  if (!yaw) return Error{"yaw", "missing: the platform's heading is required"};
  s.attitude = Attitude{deg2rad(*yaw), deg2rad(pitch.value_or(0)), deg2rad(roll.value_or(0))};
  PICKET_TRY(pan, num(j, "pan", -360, 360));
  PICKET_TRY(tilt, num(j, "tilt", -180, 180));
  if (pan.has_value() != tilt.has_value())
    return Error{pan ? "tilt" : "pan", "missing: give the gimbal's pan and tilt together"};
  if (pan) s.gimbal = Gimbal{deg2rad(*pan), deg2rad(*tilt)};
  PICKET_TRY(hfov, num(j, "hfov", 0.01, 179));
  if (hfov) s.hfov = deg2rad(*hfov);
  PICKET_TRY(sh, num(j, "sigma_h", 0, 1e4));
  PICKET_TRY(sv, num(j, "sigma_v", 0, 1e4));
  PICKET_TRY(sa, num(j, "sigma_att", 0, 90));
  PICKET_TRY(sg, num(j, "sigma_gimbal", 0, 90));
  if (sh) s.sigma.horizontal_m = *sh;
  if (sv) s.sigma.vertical_m = *sv;
  if (sa) s.sigma.attitude_rad = deg2rad(*sa);
  if (sg) s.sigma.gimbal_rad = deg2rad(*sg);
  return s;
}

PoseFeed PoseFeed::from_samples(std::vector<PoseSample> in, const PoseFeedConfig& config) {
  PoseFeed f;
  f.config_ = config;
  for (auto& s : in) {
    if (!f.samples_.empty() && s.t <= f.samples_.back().t) {
      ++f.report_.out_of_order;
      if (f.report_.first_errors.size() < 10) {
        f.report_.first_errors.push_back(
            Error{fmt::format("line {}", s.line),
                  fmt::format("t {:.3f} is not after the previous sample's {:.3f}; dropped", s.t,
                              f.samples_.back().t)});
      }
      continue;
    }
    f.samples_.push_back(std::move(s));
  }
  const std::size_t n = f.samples_.size();
  f.report_.samples = n;
  std::vector<double> dts;
  for (std::size_t i = 1; i < n; ++i)
    dts.push_back(f.samples_[i].t - f.samples_[i - 1].t);
  if (!dts.empty()) {
    std::vector<double> sorted = dts;
    std::nth_element(sorted.begin(),
                     sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
    f.report_.median_interval_s = sorted[sorted.size() / 2];
  }
  f.report_.max_gap_s =
      config.max_gap_s > 0 ? config.max_gap_s : std::max(0.2, 5 * f.report_.median_interval_s);
  f.jump_after_.assign(n, false);
  for (std::size_t i = 1; i < n; ++i) {
    const auto& a = f.samples_[i - 1];
    const auto& b = f.samples_[i];
    const double dt = b.t - a.t;
    if (dt > f.report_.max_gap_s) f.report_.gaps.push_back(FeedGap{a.t, b.t, b.line});
    const double dist = (b.position - a.position).norm();
    const double turn = quat(a.attitude).angularDistance(quat(b.attitude));
    // Allowed motion: the platform's speed limit plus the position noise (3 sigma each side).
    const double slack = 3 * std::hypot(a.sigma.horizontal_m + b.sigma.horizontal_m,
                                        a.sigma.vertical_m + b.sigma.vertical_m);
    const double att_slack = 3 * (a.sigma.attitude_rad + b.sigma.attitude_rad);
    if (dist > config.max_speed_mps * dt + slack || turn > config.max_turn_rate * dt + att_slack) {
      f.report_.jumps.push_back(FeedJump{a.t, b.t, dist, turn, b.line});
      f.jump_after_[i - 1] = true;
    }
  }
  return f;
}

Result<PoseFeed> PoseFeed::load(const std::string& path, const Site& site,
                                const PoseFeedConfig& config, bool skip_bad) {
  formats::ReadOptions ro;
  ro.skip_bad = skip_bad;
  const PoseSigma defaults = config.default_sigma;
  auto reader = formats::JsonlReader<PoseSample>::open(
      path, [&site, defaults](std::string_view l) { return parse_pose_sample(l, site, defaults); },
      ro);
  if (!reader) return reader.error();
  std::vector<PoseSample> samples;
  while (true) {
    auto r = reader->next();
    if (!r) return r.error();
    if (!r->has_value()) break;
    (*r)->line = reader->lines().line_number();
    samples.push_back(std::move(**r));
  }
  if (samples.empty()) return Error{path, "no pose samples"};
  PoseFeed f = from_samples(std::move(samples), config);
  f.report_.bad_lines = reader->stats().bad;
  for (const auto& e : reader->stats().first_errors)
    if (f.report_.first_errors.size() < 10) f.report_.first_errors.push_back(e);
  return f;
}

PoseAt PoseFeed::at(double t) const {
  PoseAt out;
  const std::size_t n = samples_.size();
  if (n == 0) {
    out.message = "the pose feed is empty";
    return out;
  }
  const double max_gap = report_.max_gap_s;
  auto inflate = [&](PoseSample& p, double dt) {
    const double dp = config_.drift_mps * dt, da = config_.attitude_drift * dt;
    p.sigma.horizontal_m = std::hypot(p.sigma.horizontal_m, dp);
    p.sigma.vertical_m = std::hypot(p.sigma.vertical_m, dp);
    p.sigma.attitude_rad = std::hypot(p.sigma.attitude_rad, da);
    p.sigma.gimbal_rad = std::hypot(p.sigma.gimbal_rad, da);
  };
  if (t < samples_.front().t || t > samples_.back().t) {
    const bool before = t < samples_.front().t;
    const PoseSample& end = before ? samples_.front() : samples_.back();
    const double dt = std::abs(t - end.t);
    if (dt > max_gap) {
      out.quality = PoseQuality::no_pose;
      out.message = fmt::format("no pose: {:.3f} s {} the feed's {} sample", dt,
                                before ? "before" : "after", before ? "first" : "last");
      return out;
    }
    out.quality = PoseQuality::extrapolated;
    out.pose = end;
    out.pose.t = t;
    inflate(out.pose, dt);
    out.message = fmt::format("pose held {:.3f} s {} the feed's {} sample", dt,
                              before ? "before" : "after", before ? "first" : "last");
    return out;
  }
  // The sample interval [i, i+1] holding t.
  const auto it = std::upper_bound(samples_.begin(), samples_.end(), t,
                                   [](double v, const PoseSample& s) { return v < s.t; });
  std::size_t i1 = static_cast<std::size_t>(it - samples_.begin());
  if (i1 >= n) i1 = n - 1;
  const std::size_t i0 = i1 == 0 ? 0 : i1 - 1;
  const PoseSample& a = samples_[i0];
  const PoseSample& b = samples_[i1];
  const double span = b.t - a.t;
  if (i0 != i1 && jump_after_[i0]) {
    const bool near_a = t - a.t <= b.t - t;
    out.pose = near_a ? a : b;
    out.pose.t = t;
    const double dt = near_a ? t - a.t : b.t - t;
    inflate(out.pose, dt);
    out.quality = PoseQuality::across_jump;
    out.message = fmt::format(
        "the pose jumps between t {:.3f} and {:.3f} (line {}); nearest "
        "sample used",
        a.t, b.t, b.line);
    return out;
  }
  const double s = span > 0 ? (t - a.t) / span : 0.0;
  PoseSample p = a;
  p.t = t;
  p.position = a.position + s * (b.position - a.position);
  const Eigen::Quaterniond q = quat(a.attitude).slerp(s, quat(b.attitude));
  p.attitude = attitude_from(q.toRotationMatrix());
  if (a.gimbal && b.gimbal) {
    p.gimbal = Gimbal{a.gimbal->pan + s * wrap_pi(b.gimbal->pan - a.gimbal->pan),
                      a.gimbal->tilt + s * (b.gimbal->tilt - a.gimbal->tilt)};
  } else {
    p.gimbal = s < 0.5 ? a.gimbal : b.gimbal;
  }
  p.hfov = s < 0.5 ? a.hfov : b.hfov;  // zoom steps, it does not glide
  p.sigma.horizontal_m = std::max(a.sigma.horizontal_m, b.sigma.horizontal_m);
  p.sigma.vertical_m = std::max(a.sigma.vertical_m, b.sigma.vertical_m);
  p.sigma.attitude_rad = std::max(a.sigma.attitude_rad, b.sigma.attitude_rad);
  p.sigma.gimbal_rad = std::max(a.sigma.gimbal_rad, b.sigma.gimbal_rad);
  if (span > max_gap) {
    inflate(p, std::min(t - a.t, b.t - t));
    out.quality = PoseQuality::in_gap;
    out.message = fmt::format(
        "inside a {:.2f} s gap in the pose feed (line {}); uncertainty "
        "inflated",
        span, b.line);
  } else {
    out.quality = PoseQuality::good;
  }
  out.pose = p;
  return out;
}

}  // namespace picket::locate

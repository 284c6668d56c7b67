#include "picket/video/ptz.h"

#include <algorithm>
#include <cmath>

#include "picket/core/units.h"

namespace picket::video {

namespace {

double focal(double hfov) {
  return 1.0 / std::tan(hfov / 2);
}

}  // namespace

PtzAim aim_at(const PtzConfig& ptz, const CameraPose& mount, const Enu& target, double aspect) {
  // Aim at the middle of the target, not at its feet.
  const Eigen::Vector3d d = target + Enu(0, 0, ptz.target_height_m / 2) - mount.position;
  const double horiz = std::hypot(d.x(), d.y());
  PtzAim aim;
  aim.pan_rad = wrap_pi(std::atan2(d.x(), d.y()) - mount.yaw);
  aim.tilt_rad = std::atan2(d.z(), horiz);
  const double range = std::max(d.norm(), 1e-3);
  const double vfov = 2 * std::atan(ptz.target_height_m / (2 * ptz.target_fraction * range));
  aim.hfov_rad = 2 * std::atan(std::tan(vfov / 2) * aspect);
  aim.hfov_rad = std::clamp(aim.hfov_rad, ptz.hfov_tele_rad, ptz.hfov_wide_rad);
  return aim;
}

OnvifPosition to_onvif(const PtzConfig& ptz, const PtzAim& aim) {
  OnvifPosition p;
  auto lin = [&](double v, double lo, double hi) {
    const double u = -1 + 2 * (v - lo) / (hi - lo);
    if (u < -1 - 1e-9 || u > 1 + 1e-9) p.clamped = true;
    return std::clamp(u, -1.0, 1.0);
  };
  double pan = aim.pan_rad;
  // A head whose range spans more than a turn may reach a pan either way round; prefer the
  // equivalent angle inside the range.
  for (const double k : {0.0, 2 * kPi, -2 * kPi}) {
    if (pan + k >= ptz.pan_min_rad && pan + k <= ptz.pan_max_rad) {
      pan += k;
      break;
    }
  }
  p.x = lin(pan, ptz.pan_min_rad, ptz.pan_max_rad);
  p.y = lin(aim.tilt_rad, ptz.tilt_min_rad, ptz.tilt_max_rad);
  const double z = std::log(focal(aim.hfov_rad) / focal(ptz.hfov_wide_rad)) /
                   std::log(focal(ptz.hfov_tele_rad) / focal(ptz.hfov_wide_rad));
  if (z < -1e-9 || z > 1 + 1e-9) p.clamped = true;
  p.zoom = std::clamp(z, 0.0, 1.0);
  return p;
}

PtzAim from_onvif(const PtzConfig& ptz, const OnvifPosition& pos) {
  PtzAim aim;
  aim.pan_rad = ptz.pan_min_rad + (pos.x + 1) / 2 * (ptz.pan_max_rad - ptz.pan_min_rad);
  aim.tilt_rad = ptz.tilt_min_rad + (pos.y + 1) / 2 * (ptz.tilt_max_rad - ptz.tilt_min_rad);
  const double f = focal(ptz.hfov_wide_rad) *
                   std::pow(focal(ptz.hfov_tele_rad) / focal(ptz.hfov_wide_rad), pos.zoom);
  aim.hfov_rad = 2 * std::atan(1 / f);
  return aim;
}

SlewController::SlewController(const PtzConfig& ptz, const CameraPose& mount, double aspect,
                               PtzClient& client, const Clock& clock)
    : ptz_(ptz), mount_(mount), aspect_(aspect), client_(client), clock_(clock) {}

PtzAim SlewController::wanted(const TrackState& track) const {
  // Where the track will be when the head gets there.
  const double ahead = std::max(0.0, clock_.now() - track.t) + ptz_.lead_s;
  const Enu p = track.position + track.velocity * ahead;
  return aim_at(ptz_, mount_, p, aspect_);
}

Status SlewController::send(const PtzAim& aim) {
  const OnvifPosition pos = to_onvif(ptz_, aim);
  if (pos.clamped) ++stats_.out_of_range;
  last_move_t_ = clock_.now();
  Status st = client_.absolute_move(pos);
  if (!st) {
    ++stats_.failures;
    return st;
  }
  ++stats_.moves;
  last_ = from_onvif(ptz_, pos);  // where the head was told to go, after clamping
  return Ok{};
}

Status SlewController::cue(const std::string& alarm_id, const TrackState& track) {
  alarm_ = alarm_id;
  track_ = track.id;
  last_.reset();
  return send(wanted(track));
}

Status SlewController::update(const TrackState& track) {
  if (alarm_.empty() || track.id != track_) return Ok{};
  const PtzAim want = wanted(track);
  if (last_) {
    const double vfov = 2 * std::atan(std::tan(last_->hfov_rad / 2) / aspect_);
    const double off_pan = std::abs(wrap_pi(want.pan_rad - last_->pan_rad)) *
                           std::cos(last_->tilt_rad) / last_->hfov_rad;
    const double off_tilt = std::abs(want.tilt_rad - last_->tilt_rad) / vfov;
    const double dzoom = std::abs(to_onvif(ptz_, want).zoom - to_onvif(ptz_, *last_).zoom);
    const bool drifted =
        off_pan > ptz_.deadband || off_tilt > ptz_.deadband || dzoom > ptz_.deadband;
    if (!drifted || clock_.now() - last_move_t_ < ptz_.min_interval_s) {
      ++stats_.held;
      return Ok{};
    }
  } else if (clock_.now() - last_move_t_ < ptz_.min_interval_s) {
    ++stats_.held;  // the cue's request failed; retry no faster than moves
    return Ok{};
  }
  return send(want);
}

void SlewController::release(const std::string& alarm_id) {
  if (alarm_id == alarm_) {
    alarm_.clear();
    track_ = 0;
  }
}

}  // namespace picket::video

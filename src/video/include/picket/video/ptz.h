// Slew to cue: point a pan-tilt-zoom camera at a track and follow it while its alarm is open.
//
// Geometry. The PTZ head stands at the sensor's position with its pan zero along the sensor's
// yaw and a level mount. For a target standing at ENU point p (its feet), aimed at its middle
// m = p + H/2 up and seen from the camera at c with d = m - c:
//   pan  = wrap(bearing(d) - yaw),  bearing(d) = atan2(d_east, d_north)
//   tilt = atan2(d_up, |d_east, d_north|)
// The zoom makes a target of height H at slant range R fill the fraction f of the image height:
//   vfov = 2 atan(H / (2 f R)),  hfov = 2 atan(tan(vfov / 2) * width / height),
// clamped to the lens' range [hfov_tele, hfov_wide]. ONVIF's generic spaces map pan and tilt
// linearly onto [-1, 1] over the configured ranges, and zoom onto [0, 1] linearly in the log of
// the focal length (focal length ~ 1 / tan(hfov / 2)), which is how most PTZ lenses step.
//
// Following. The aim point is the track's position predicted `lead_s` ahead of now (the time
// the head takes to get there) with its velocity. A new move is sent when the target is off the
// centre by more than `deadband` of the field of view, or the wanted zoom changed by more than
// `deadband`, and at most every `min_interval_s` (a PTZ head that is sent a stream of moves
// never settles). One alarm at a time holds the camera; cueing another alarm takes it over.
//
// Thread-safety: a SlewController belongs to one thread; the PtzClient is called from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "picket/core/camera.h"
#include "picket/core/result.h"
#include "picket/core/types.h"
#include "picket/video/camera_config.h"
#include "picket/video/source.h"

namespace picket::video {

// Where the head points, physically.
struct PtzAim {
  double pan_rad = 0;   // relative to the sensor's yaw, clockwise positive
  double tilt_rad = 0;  // elevation, up positive
  double hfov_rad = 1;  // horizontal field of view
};

// The same in ONVIF's generic position spaces.
struct OnvifPosition {
  double x = 0;          // pan, -1..1
  double y = 0;          // tilt, -1..1
  double zoom = 0;       // 0 (wide) .. 1 (tele)
  bool clamped = false;  // the wanted aim was outside the head's range
};

// Pan, tilt and field of view that centre `target` at the configured size. `aspect` is the
// image's width / height.
PtzAim aim_at(const PtzConfig& ptz, const CameraPose& mount, const Enu& target, double aspect);
OnvifPosition to_onvif(const PtzConfig& ptz, const PtzAim& aim);
PtzAim from_onvif(const PtzConfig& ptz, const OnvifPosition& pos);

// Sends positions to a PTZ head. OnvifPtzClient (video/onvif.h) is the real one.
class PtzClient {
 public:
  virtual ~PtzClient() = default;
  virtual Status absolute_move(const OnvifPosition& position) = 0;
};

struct SlewStats {
  std::int64_t moves = 0;         // requests sent and accepted
  std::int64_t held = 0;          // updates that needed no move (deadband) or came too soon
  std::int64_t failures = 0;      // requests that failed (network, ONVIF fault)
  std::int64_t out_of_range = 0;  // aims clamped to the head's limits
};

class SlewController {
 public:
  SlewController(const PtzConfig& ptz, const CameraPose& mount, double aspect, PtzClient& client,
                 const Clock& clock);

  // An alarm about `track` opened: take the camera and aim at the track.
  Status cue(const std::string& alarm_id, const TrackState& track);
  // A new state of a track; re-aims when it belongs to the alarm being followed and the target
  // has drifted. Returns the request's failure, if one was sent and failed.
  Status update(const TrackState& track);
  // The alarm closed (acknowledged and resolved): stop following it.
  void release(const std::string& alarm_id);

  bool following() const { return !alarm_.empty(); }
  const std::string& alarm() const { return alarm_; }
  std::optional<PtzAim> last_aim() const { return last_; }
  const SlewStats& stats() const { return stats_; }

 private:
  Status send(const PtzAim& aim);
  PtzAim wanted(const TrackState& track) const;

  PtzConfig ptz_;
  CameraPose mount_;
  double aspect_;
  PtzClient& client_;
  const Clock& clock_;
  std::string alarm_;
  std::uint64_t track_ = 0;
  std::optional<PtzAim> last_;
  double last_move_t_ = -1e300;
  SlewStats stats_;
};

}  // namespace picket::video

// The aerostat's pose as a time series from its GNSS/INS (and gimbal encoders): a JSON Lines
// feed (docs/formats.md, "Platform poses"), checked for gaps and jumps, and interpolated at the
// times of detections.
//
// A gap is a silence longer than `max_gap` between two samples; a jump is a step between two
// samples that the platform cannot have made (faster than `max_speed`, or turning faster than
// `max_turn_rate`). Both are kept in the feed's report and every pose taken from inside them is
// marked degraded: in a gap the interpolated pose's uncertainty grows with the distance in time
// to the nearest sample (a random walk of `drift` m/s and `attitude_drift` rad/s); across a jump
// the nearest sample is used, not an interpolation through the jump. A pose is never silently
// made up: times outside the feed give `no_pose` (or `extrapolated` within `max_gap` of an end).
//
// Interpolation: position linear, attitude by quaternion slerp, gimbal angles linear.
//
// Thread-safety: a PoseFeed is immutable after loading; queries are const.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/locate/pointing.h"

namespace picket::locate {

// Uncertainty of a platform pose (1 sigma).
struct PoseSigma {
  double horizontal_m = 2;       // GNSS horizontal position, per axis
  double vertical_m = 4;         // GNSS altitude
  double attitude_rad = 0.0035;  // INS yaw, pitch and roll (0.2 degrees)
  double gimbal_rad = 0.0017;    // gimbal encoders, pan and tilt (0.1 degrees)
};

struct PoseSample {
  double t = 0;
  Enu position = Enu::Zero();
  Attitude attitude;
  std::optional<Gimbal> gimbal;  // measured pan and tilt, when the feed carries them
  std::optional<double> hfov;    // the camera's horizontal field of view now (zoom), rad
  PoseSigma sigma;
  std::size_t line = 0;
};

enum class PoseQuality : std::uint8_t {
  good,          // interpolated between close samples
  in_gap,        // between two samples further apart than max_gap: uncertainty inflated
  across_jump,   // between two samples with an impossible step: nearest sample, inflated
  extrapolated,  // before the first or after the last sample, within max_gap: inflated
  no_pose,       // no usable sample near this time
};
std::string_view to_string(PoseQuality q);

struct PoseAt {
  PoseQuality quality = PoseQuality::no_pose;
  PoseSample pose;      // interpolated (sigma inflated when degraded)
  std::string message;  // why degraded
};

struct PoseFeedConfig {
  PoseSigma default_sigma;        // for samples that do not give their own
  double max_gap_s = 0;           // 0: five times the median sample interval (at least 0.2 s)
  double max_speed_mps = 30;      // faster steps are jumps (a tethered balloon drifts slowly)
  double max_turn_rate = 1.0;     // rad/s; faster attitude changes are jumps
  double drift_mps = 1.0;         // growth of position sigma per second inside a gap
  double attitude_drift = 0.005;  // rad/s, growth of attitude sigma inside a gap
};

struct FeedGap {
  double t0 = 0, t1 = 0;
  std::size_t line = 0;  // of the sample after the gap
};
struct FeedJump {
  double t0 = 0, t1 = 0;
  double distance_m = 0;
  double turn_rad = 0;
  std::size_t line = 0;
};

// What loading found: counts and the first problems, for the user.
struct FeedReport {
  std::size_t samples = 0;
  std::size_t bad_lines = 0;     // unparseable (skipped with skip_bad)
  std::size_t out_of_order = 0;  // earlier than or equal to the previous sample: dropped
  std::vector<Error> first_errors;
  double median_interval_s = 0;
  double max_gap_s = 0;
  std::vector<FeedGap> gaps;
  std::vector<FeedJump> jumps;
  // One line per problem for the user ("gap of 12.0 s at line 40", ...).
  std::vector<std::string> summary() const;
};

class PoseFeed {
 public:
  // Builds a feed from samples in time order (out-of-order ones are dropped and counted).
  static PoseFeed from_samples(std::vector<PoseSample> samples, const PoseFeedConfig& config);
  // Reads a JSON Lines feed. Bad lines stop the load unless `skip_bad`.
  static Result<PoseFeed> load(const std::string& path, const Site& site,
                               const PoseFeedConfig& config, bool skip_bad = false);

  PoseAt at(double t) const;
  const FeedReport& report() const { return report_; }
  const std::vector<PoseSample>& samples() const { return samples_; }

 private:
  std::vector<PoseSample> samples_;
  std::vector<bool> jump_after_;  // jump between sample i and i+1
  PoseFeedConfig config_;
  FeedReport report_;
};

// Parses one feed line (without location; the reader adds it).
Result<PoseSample> parse_pose_sample(std::string_view line, const Site& site,
                                     const PoseSigma& defaults);

}  // namespace picket::locate

// What the tracker did with its input, for summaries and /metrics: counters per rejection reason
// and per sensor, and the first few rejected reports of each reason (to log them). Bad input is
// never an error of the tracker: it is counted here, and processing goes on.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace picket::track {

enum class Rejection : std::uint8_t {
  non_finite,      // NaN or infinite time, position, noise or Doppler
  unknown_sensor,  // the sensor id is not in the site file
  late,            // older than the reorder window allows
  time_jump,       // far ahead of the data clock (max_time_jump)
  flood,           // the sensor exceeded its rate limit (max_rate)
  out_of_area,     // farther than max_distance from the site origin
  bad_geometry,    // a fence or segment that does not exist, a zero range, ...
  missing_noise,   // a polar report with no range/bearing noise from detection or site
};
inline constexpr int kNumRejections = 8;
std::string_view to_string(Rejection r);

struct SensorCounters {
  std::string id;
  std::uint64_t received = 0;
  std::uint64_t accepted = 0;        // passed validation (buffered for tracking)
  std::uint64_t status_reports = 0;  // heartbeats, tamper and fault reports (no position)
  std::uint64_t associated = 0;      // updated an existing track
  std::uint64_t started = 0;         // started a track
  std::uint64_t unassociated = 0;    // neither (clutter, or not allowed to start tracks)
  std::array<std::uint64_t, kNumRejections> rejected{};
};

struct RejectionSample {
  Rejection reason = Rejection::non_finite;
  std::string sensor;
  double t = 0;
  std::uint64_t ref = 0;  // the caller's reference (picket track: the line number)
  std::string detail;
};

struct TrackerStats {
  std::uint64_t received = 0;
  std::uint64_t accepted = 0;
  std::uint64_t status_reports = 0;
  std::array<std::uint64_t, kNumRejections> rejected{};
  std::uint64_t processed = 0;  // detections that went through association
  std::uint64_t batches = 0;
  std::uint64_t manage_runs = 0;
  std::uint64_t forced_releases = 0;  // released early because the reorder buffer was full
  std::uint64_t time_resyncs = 0;     // the data clock jumped and was followed
  std::uint64_t gated_pairs = 0;
  std::uint64_t clusters = 0;
  std::uint64_t largest_cluster = 0;
  std::uint64_t tracks_started = 0;
  std::uint64_t tracks_confirmed = 0;
  std::uint64_t tracks_deleted = 0;
  std::uint64_t numeric_failures = 0;    // updates refused because a covariance degenerated
  std::vector<SensorCounters> sensors;   // in site order
  std::vector<RejectionSample> samples;  // up to kSamplesPerReason of each reason

  static constexpr int kSamplesPerReason = 5;
  std::uint64_t rejected_total() const {
    std::uint64_t n = 0;
    for (auto x : rejected)
      n += x;
    return n;
  }
};

}  // namespace picket::track

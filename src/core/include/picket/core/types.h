// The value types that flow between Picket's stages: detections from sensors, ground truth
// from the simulator, and track states from the tracker. Plain copyable structs; the file
// formats that carry them are in docs/formats.md.
//
// Time `t` everywhere is seconds since 1970-01-01T00:00:00Z (Unix time, UTC) as a double
// (sub-microsecond resolution for current dates). Positions are metres in the site's local ENU
// frame unless a name says otherwise. Angles are radians.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace picket {

// What a target is. The order is the index into ClassProbabilities.
enum class TargetClass : std::uint8_t { person, vehicle, animal, aircraft, drone, unknown };
inline constexpr int kNumClasses = 6;
using ClassProbabilities = std::array<double, kNumClasses>;

std::string_view to_string(TargetClass c);
std::optional<TargetClass> parse_target_class(std::string_view s);

// --- Measurements: the position forms a detection may carry --------------------------------

// Relative to the sensor: range (m), bearing clockwise from true north (rad), optional elevation
// above the horizontal (rad).
struct PolarMeasurement {
  double range = 0;
  double bearing = 0;
  std::optional<double> elevation;
};

// A point in the site's local frame (m).
struct EnuMeasurement {
  double east = 0;
  double north = 0;
  std::optional<double> up;
};

// A point on the WGS84 ellipsoid (degrees, metres).
struct GeodeticMeasurement {
  double lat_deg = 0;
  double lon_deg = 0;
  std::optional<double> alt_m;
};

// A fence sensor's report: something disturbed this segment (numbered from 1) of a fence.
struct SegmentMeasurement {
  int segment = 0;
  std::string fence;  // empty: the sensor's own fence
};

// No position at all: a status report (heartbeat, tamper, fault) carries only `status`.
struct NoPosition {};

using Measurement = std::variant<PolarMeasurement, EnuMeasurement, GeodeticMeasurement,
                                 SegmentMeasurement, NoPosition>;

// A sensor's report about its own state, sent alongside (or instead of) positions.
enum class SensorStatus : std::uint8_t { none, heartbeat, tamper, fault };
std::string_view to_string(SensorStatus s);
std::optional<SensorStatus> parse_sensor_status(std::string_view s);

struct Detection {
  double t = 0;
  std::string sensor;
  Measurement measurement = NoPosition{};
  std::optional<double> sigma;            // position standard deviation, m (Cartesian/geodetic)
  std::optional<double> sigma_range;      // m
  std::optional<double> sigma_bearing;    // rad (degrees in files)
  std::optional<double> sigma_elevation;  // rad (degrees in files)
  std::optional<TargetClass> cls;
  std::optional<double> score;              // 0..1
  std::optional<double> doppler;            // radial speed, m/s, positive receding
  std::optional<std::string> sensor_track;  // the sensor's own track id ("id" in files)
  SensorStatus status = SensorStatus::none;
};

// --- Ground truth ---------------------------------------------------------------------------

struct TruthSample {
  double t = 0;
  std::string id;
  double east = 0;
  double north = 0;
  std::optional<double> up;
  TargetClass cls = TargetClass::unknown;
  double ve = 0;  // velocity east, m/s
  double vn = 0;  // velocity north, m/s
};

enum class TruthEventKind : std::uint8_t { fence_crossing, zone_entry, zone_exit };
std::string_view to_string(TruthEventKind k);
std::optional<TruthEventKind> parse_truth_event_kind(std::string_view s);

enum class CrossingDirection : std::uint8_t { inward, outward };
std::string_view to_string(CrossingDirection d);

struct TruthEvent {
  double t = 0;
  std::string id;
  TruthEventKind event = TruthEventKind::fence_crossing;
  std::string fence;                           // fence_crossing
  int segment = 0;                             // fence_crossing, numbered from 1
  std::optional<CrossingDirection> direction;  // fence_crossing
  std::string zone;                            // zone_entry, zone_exit
  double east = 0;
  double north = 0;
  TargetClass cls = TargetClass::unknown;
};

// --- Tracks ---------------------------------------------------------------------------------

enum class TrackStatus : std::uint8_t { tentative, confirmed, coasting, deleted };
std::string_view to_string(TrackStatus s);
std::optional<TrackStatus> parse_track_status(std::string_view s);

// A track's state after an update, as the tracker publishes it to rules, store and server.
struct TrackState {
  std::uint64_t id = 0;  // never reused within a run
  double t = 0;
  Eigen::Vector3d position = Eigen::Vector3d::Zero();  // ENU, m
  Eigen::Vector3d velocity = Eigen::Vector3d::Zero();  // ENU, m/s
  Eigen::Matrix3d position_cov = Eigen::Matrix3d::Identity();
  bool air = false;  // tracked in 3-D
  TrackStatus status = TrackStatus::tentative;
  TargetClass cls = TargetClass::unknown;
  double class_p = 0;
  ClassProbabilities class_probs{};
  std::vector<std::string> sensors;  // sensors that contributed recently
  double first_t = 0;                // time of the first detection
  double existence = 0;              // probability that the target exists, 0..1
  // Provenance: the detection behind this update, as the reference its producer gave it (for
  // `picket track`, its line number in the detections file), and its sensor. 0 and empty when
  // no detection caused the update (a status change: coasting, deletion).
  std::uint64_t detection = 0;
  std::string detection_sensor;
  // Cooperative identity: set when a cooperative sensor (ADS-B, CAT021) recently confirmed this
  // track (picket/track/identity.h). The 24-bit ICAO aircraft address, and the callsign when the
  // aircraft has sent one (empty otherwise). Not set by the tracker itself.
  std::optional<std::uint32_t> icao;
  std::string callsign;
};

}  // namespace picket

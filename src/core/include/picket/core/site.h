// The site model: where the protected site is, its fences (cut into numbered segments), its
// zones and its sensors. Loaded from a YAML site file (docs/site-format.md) and validated as a
// whole: load_site returns every problem it finds, each naming file, line and field, and a site
// with any problem is never returned.
//
// Sections of the site file that belong to upper layers (tracker parameters, alarm rules, the
// store, the server) are kept as ConfigNodes in `sections` for those layers to read strictly.
//
// Thread-safety: a Site is immutable after loading and may be shared between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "picket/core/config.h"
#include "picket/core/geo.h"
#include "picket/core/geometry.h"
#include "picket/core/result.h"
#include "picket/core/types.h"

namespace picket {

enum class SensorType : std::uint8_t { radar, camera, fence, aerostat, acoustic, adsb };
std::string_view to_string(SensorType t);
std::optional<SensorType> parse_sensor_type(std::string_view s);

// One numbered piece of a fence: the part of the fence polyline between two distances along it.
struct FenceSegment {
  int number = 0;      // from 1
  double start_m = 0;  // distance along the fence where the segment starts
  double end_m = 0;
  std::vector<Vec2> points;  // the sub-polyline, ENU metres, at least two points
};

struct FenceCrossing {
  int segment = 0;
  CrossingDirection direction = CrossingDirection::inward;
  double fraction = 0;  // where along the step p0->p1 the fence was crossed, 0..1
  Vec2 point{0, 0};
};

struct Fence {
  std::string id;
  std::string name;
  std::vector<Geodetic> geodetic;
  std::vector<Vec2> points;  // ENU; for a closed fence the last point repeats the first
  bool closed = false;
  int inside_sign = 1;  // +1: the protected side is left of the point order; -1: right
  double segment_length_m = 50;
  std::vector<FenceSegment> segments;

  double length() const { return segments.empty() ? 0 : segments.back().end_m; }
  const FenceSegment* segment(int number) const;

  struct Nearest {
    double distance = 0;  // m
    double along = 0;     // distance along the fence of the nearest point
    int segment = 0;
    double side = 0;  // signed distance: > 0 on the protected side, < 0 outside
    Vec2 point{0, 0};
  };
  Nearest nearest(const Vec2& p) const;
  // The first crossing of the fence by the straight step p0 -> p1, if any.
  std::optional<FenceCrossing> crossing(const Vec2& p0, const Vec2& p1) const;
  // The point at a distance along the fence.
  Vec2 point_at(double along) const;
};

struct Zone {
  std::string id;
  std::string name;
  std::string kind;  // free text: "restricted", "runway", "buffer", ...
  std::vector<Geodetic> geodetic;
  Polygon polygon;                // ENU
  std::optional<double> floor_m;  // altitude band above the origin (airspace volumes)
  std::optional<double> ceiling_m;
};

struct SensorNoise {
  double range_m = 0;
  double bearing_rad = 0;
  double elevation_rad = 0;
  double position_m = 0;  // Cartesian position standard deviation (cameras, fence, adsb)
};

struct SensorDef {
  std::string id;
  SensorType type = SensorType::radar;
  Geodetic position;
  Enu enu = Enu::Zero();
  double yaw_rad = 0;    // boresight bearing, clockwise from true north
  double pitch_rad = 0;  // boresight elevation above the horizontal (negative: looking down)
  double roll_rad = 0;
  double fov_h_rad = 2 * 3.141592653589793;  // full horizontal field of view
  double fov_v_rad = 3.141592653589793;      // full vertical field of view
  double min_range_m = 0;
  double max_range_m = 1000;
  SensorNoise noise;
  double pd = 0.9;              // probability of detection of a reference target at max range
  double false_alarm_rate = 0;  // false detections per hour over the whole coverage
  double update_rate_hz = 1;    // scans (or frames, or reports) per second
  // fence sensors
  std::string fence;  // the fence it is mounted on
  int first_segment = 1;
  int last_segment = 0;  // 0: to the end of the fence
  // radar
  double min_radial_speed_mps = 0;  // slower targets are lost in ground clutter
  double reference_rcs_m2 = 1;      // radar cross-section that `pd` refers to
  // camera
  int image_width = 1920;
  int image_height = 1080;
  // tracking trust
  bool can_start_tracks = true;
  bool trust_class = true;

  // Inside the sensor's range and field of view (no terrain masking)?
  bool covers(const Enu& p) const;
  double expected_interval_s() const { return 1.0 / update_rate_hz; }
};

struct Site {
  std::string file;  // the file it was loaded from
  std::string name;
  Geodetic origin;
  LocalFrame frame;
  std::vector<Fence> fences;
  std::vector<Zone> zones;
  std::vector<SensorDef> sensors;
  // Sections for upper layers, by top-level key ("tracker", "rules", ...).
  std::map<std::string, ConfigNode> sections;

  const SensorDef* find_sensor(std::string_view id) const;
  const Fence* find_fence(std::string_view id) const;
  const Zone* find_zone(std::string_view id) const;
  // Index of a sensor in `sensors`, or -1.
  int sensor_index(std::string_view id) const;

  std::unordered_map<std::string, int> sensor_by_id;
};

// Reads a point in any of the site file's forms: [lat, lon(, alt)], {lat, lon(, alt)} or
// {east, north(, up)} (metres from `frame`'s origin). Problems are recorded on `n` (file, line,
// field); nothing is returned then. Used by other layers' configuration files (scenarios).
std::optional<Geodetic> parse_point(const ConfigNode& n, const LocalFrame& frame);

// Loads and validates a site file. On failure the Error lists every problem found.
Result<Site> load_site(const std::string& path);
Result<Site> load_site_from_string(const std::string& yaml, const std::string& file_name);

// Top-level keys a site file may hold besides the core ones; each belongs to a layer.
inline constexpr std::string_view kSiteSections[] = {"tracker", "rules",   "policy",  "store",
                                                     "server",  "terrain", "cameras", "airspace",
                                                     "outputs", "locate"};

}  // namespace picket

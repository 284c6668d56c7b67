// A simulation scenario: the site it plays on, when and for how long, the movers (intruders,
// vehicles, animals, flyers) and the nuisances (wind on the fence, rain clutter, bird flocks).
// Loaded from a YAML scenario file (docs/scenario-format.md) and validated as a whole: every
// problem is reported with file, line and field, and a scenario with any problem is never
// returned. The site file it names is loaded and validated too.
//
// Times inside a Scenario are seconds after the scenario's start (`start_unix` is that start as
// Unix seconds); positions are metres in the site's local ENU frame.
//
// Thread-safety: a Scenario is immutable after loading and may be shared between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/geometry.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/sim/wide_area_spec.h"

namespace picket::sim {

// What a mover is, which fixes its defaults (class, speed, size, radar cross-section, climb
// time) and whether it flies.
enum class MoverKind : std::uint8_t {
  walker,
  runner,
  crawler,
  vehicle,
  animal,
  bird,
  drone,
  aircraft
};
inline constexpr int kNumMoverKinds = 8;
std::string_view to_string(MoverKind k);
std::optional<MoverKind> parse_mover_kind(std::string_view s);

// Defaults of a kind. Sources for the figures are given in docs/sim.md.
struct KindDefaults {
  TargetClass cls;
  double speed_mps;         // typical speed on a path leg
  double height_m;          // visible height (camera pixels on target)
  double rcs_m2;            // mean radar cross-section (Swerling I fluctuation about it)
  double climb_time_s;      // time to climb over or cut through a fence (0: goes straight through)
  double brush_rate_per_s;  // touches of a fence while within 1 m of it (animals)
  bool flies;
  double altitude_m;  // default height above the ground plane for flyers
};
const KindDefaults& kind_defaults(MoverKind k);

struct Waypoint {
  Enu position = Enu::Zero();  // ENU; `up` is the height above the origin's plane
  double speed_mps = 0;        // speed on the leg that arrives here (unused for the first point)
  double pause_s = 0;          // stands still here this long before going on
};

// A random walk: from point to random point of an area, at a random speed, with random pauses.
struct RandomWalk {
  std::string zone;     // the site zone it stays in, or empty for a disc
  Polygon area;         // the zone's polygon (empty for a disc)
  Vec2 center{0, 0};    // disc centre (when no zone)
  double radius_m = 0;  // disc radius (when no zone)
  double speed_min_mps = 0;
  double speed_max_mps = 0;
  double pause_min_s = 0;
  double pause_max_s = 0;
  double fence_visits =
      0;  // probability that the next point is at a fence (animals grazing along it)
};

struct MoverSpec {
  std::string id;
  MoverKind kind = MoverKind::walker;
  TargetClass cls = TargetClass::person;
  double start_s = 0;     // appears at this time
  double duration_s = 0;  // random walks: how long it lasts (0: to the end of the scenario)
  double speed_mps = 0;   // default leg speed
  double height_m = 0;
  double rcs_m2 = 0;
  double climb_time_s = 0;
  double altitude_m = 0;  // flyers
  double linger_s = 0;    // paths: stays at the last waypoint this long, then leaves
  double brush_rate_per_s = 0;
  std::string icao;  // aircraft: 24-bit address as 6 hex digits (ADS-B reports carry it)
  std::vector<Waypoint> path;
  std::optional<RandomWalk> random_walk;
  bool flies() const { return kind_defaults(kind).flies; }
};

// Wind shaking fence segments: each segment in the range triggers fence sensors as a Poisson
// process whose rate follows the gusts (docs/sim.md, "Wind").
struct WindSpec {
  double start_s = 0;
  double duration_s = 0;
  double strength = 0;         // 0 calm .. 1 gale
  double gust_period_s = 20;   // period of the gust cycle
  double rate_per_hour = 120;  // triggers per segment per hour at strength 1 and full gust
  int fence = 0;               // index into site.fences
  int first_segment = 1;
  int last_segment = 0;
};

// Rain: raises the clutter (false-alarm) rate of radars and cameras over a period.
struct RainSpec {
  double start_s = 0;
  double duration_s = 0;
  double clutter_factor = 4;  // false-alarm rate multiplier while it rains
  std::vector<int> sensors;   // indices into site.sensors; all radars and cameras when empty
};

// A flock of birds circling about a centre that wanders (radar nuisance).
struct FlockSpec {
  std::string id;
  int count = 10;
  double start_s = 0;
  double duration_s = 0;  // 0: to the end
  RandomWalk center;      // how the flock's centre wanders
  double altitude_m = 30;
  double spread_m = 20;  // radius of the birds' circles about the centre
  double rcs_m2 = 0.01;
};

// Simulation-only settings of a site sensor (the physics comes from the site's SensorDef).
struct SensorSimSpec {
  bool enabled = true;
  bool doppler = true;             // radars: report radial speed
  double doppler_noise_mps = 0.2;  // radars: standard deviation of the reported radial speed
  double pfa = 1e-6;               // radars: detector false-alarm probability per cell (Pd model)
  AerostatSimSpec aerostat;        // aerostats (wide_area_spec.h)
  AcousticSimSpec acoustic;        // acoustic sensors
};

struct Scenario {
  std::string file;
  std::string description;
  Site site;
  double start_unix = 0;  // Unix seconds of scenario time 0
  double duration_s = 0;
  double truth_rate_hz = 1;
  std::uint64_t seed = 1;
  std::vector<MoverSpec> movers;
  std::vector<WindSpec> winds;
  std::vector<RainSpec> rains;
  std::vector<FlockSpec> flocks;
  std::vector<SensorSimSpec> sensors;        // one per site sensor, same order
  double temperature_c = 15;                 // air temperature (speed of sound)
  std::vector<PointEventSpec> point_events;  // in time order
  std::vector<RoadSpec> roads;               // their vehicles are in `movers`
};

// Loads and validates a scenario file and the site file it names (relative to the scenario).
Result<Scenario> load_scenario(const std::string& path);
// The same from text; `file_name` is used in messages and to find the site file.
Result<Scenario> load_scenario_from_string(const std::string& yaml, const std::string& file_name);

}  // namespace picket::sim

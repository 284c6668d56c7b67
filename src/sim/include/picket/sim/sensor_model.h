// The one small interface every simulated sensor implements, and the explicit list of models.
//
// The simulator advances in short windows [t0, t1). For each window it tells every sensor model
// what happened (SimWindow: the movers, which can be asked where they are at any time in the
// window, plus the fence climbs, fence crossings and fence contacts the engine found), and the
// model appends the detections it makes with times in [t0, t1) to a buffer, in any order; the
// engine merges all sensors' detections into one time-ordered stream. A model may hold reports
// back (a fence sensor's processing delay) and emit them in a later window, never an earlier one.
//
// To add a sensor model: implement SensorModel in models/NAME.cpp with its header beside the
// others, and add one line to make_sensor_model() in sensor_model.cpp. Each model draws from
// its own random streams (stream_seed(seed, sensor id[, mover id])) so its output does not
// depend on the other models.
//
// Thread-safety: a model belongs to the simulator's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/sim/mover.h"
#include "picket/sim/scenario.h"

namespace picket::sim {

// Where a simulated detection came from (not written to files: a real sensor does not know).
enum class Origin : std::uint8_t {
  target,    // a mover seen by the sensor
  clutter,   // a false detection (radar clutter, camera false positive, fence false alarm)
  nuisance,  // set off by a nuisance (wind on the fence)
  status     // a status report (heartbeat)
};

struct SimDetection {
  Detection det;  // t is seconds after the scenario start until the engine emits it
  int sensor = 0;
  int mover = -1;  // for Origin::target
  Origin origin = Origin::target;
};

// A ground mover climbing over or cutting through a fence (a compiled path leg).
struct FenceClimb {
  int mover = 0;
  int fence = 0;
  int segment = 0;
  double t_start = 0;
  double t_end = 0;
};

// A ground mover crossing a fence line (the truth event), with or without climbing.
struct FenceCrossingRecord {
  int mover = 0;
  int fence = 0;
  int segment = 0;
  CrossingDirection direction = CrossingDirection::inward;
  double t = 0;
  Vec2 point{0, 0};
  bool climbing = false;  // during a climb (fence sensors already felt the climb)
};

// A ground mover within kContactDistance of a fence during part of the window (brushing).
struct FenceContact {
  int mover = 0;
  int fence = 0;
  int segment = 0;
  double t0 = 0;
  double t1 = 0;
};
inline constexpr double kContactDistance = 1.0;  // m

struct SimWindow {
  double t0 = 0;
  double t1 = 0;
  std::span<const Mover> movers;
  // Each mover's position at max(t0, its start); valid for the movers that overlap the window.
  std::span<const Enu> positions;
  std::span<const FenceClimb> climbs;
  std::span<const FenceCrossingRecord> crossings;
  std::span<const FenceContact> contacts;
};

class SensorModel {
 public:
  SensorModel(const SensorDef& def, int index) : def_(def), index_(index) {}
  virtual ~SensorModel() = default;
  SensorModel(const SensorModel&) = delete;
  SensorModel& operator=(const SensorModel&) = delete;

  // Appends the detections with t in [w.t0, w.t1) (scenario seconds).
  virtual void simulate(const SimWindow& w, std::vector<SimDetection>& out) = 0;
  // The model's name for summaries ("radar: Swerling I, ...").
  virtual std::string_view name() const = 0;

  const SensorDef& def() const { return def_; }
  int index() const { return index_; }

 protected:
  // A detection of this sensor at scenario time t.
  SimDetection& add(std::vector<SimDetection>& out, double t, Origin origin, int mover = -1) const {
    SimDetection& d = out.emplace_back();
    d.det.t = t;
    d.det.sensor = def_.id;
    d.sensor = index_;
    d.mover = mover;
    d.origin = origin;
    return d;
  }

  const SensorDef& def_;
  int index_;
};

struct ModelContext {
  const Scenario& scenario;
  const SensorDef& def;
  const SensorSimSpec& settings;
  int index = 0;
  std::uint64_t seed = 0;
  std::span<const Mover> movers;
};

// The explicit list of sensor models, chosen by sensor type. Nothing (nullptr) for a type that
// has no model yet: that sensor stays silent in the simulation.
std::unique_ptr<SensorModel> make_sensor_model(const ModelContext& ctx);

}  // namespace picket::sim

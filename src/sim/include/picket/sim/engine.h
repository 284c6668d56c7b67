// The simulation engine: plays a scenario against its site's sensors and streams out what the
// sensors report (detections) and what really happened (truth samples and truth events).
//
// It advances in fixed windows of `step_s` seconds. In each window it moves the movers, finds
// the truth events (fence crossings with fence, segment and direction; zone entries and exits),
// the fence climbs and contacts, runs every sensor model, then hands the window's records to the
// Sink in time order: detections of all sensors merged (ties broken by sensor order, then by the
// order the model made them), truth samples at the scenario's truth rate, events. Every window's
// records are later than the previous window's, so the whole output is time-ordered while the
// engine holds only one window: memory does not grow with the length of the run.
//
// Determinism: for a scenario and a seed the output is the same, record for record. Every sensor,
// every (sensor, mover) pair and every mover draws from its own random stream (random.h).
//
// The engine does no file I/O: the Sink decides what to do with the records.
//
// Thread-safety: a Simulator belongs to one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "picket/core/types.h"
#include "picket/sim/mover.h"
#include "picket/sim/scenario.h"
#include "picket/sim/sensor_model.h"

namespace picket::sim {

// Receives the output. Times are Unix seconds.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void detection(const SimDetection& d) = 0;
  virtual void truth(const TruthSample& s) = 0;
  virtual void event(const TruthEvent& e) = 0;
};

struct SimOptions {
  double step_s = 0.5;  // window length, s
};

struct SensorCounts {
  std::uint64_t target = 0;    // detections of movers
  std::uint64_t clutter = 0;   // false detections
  std::uint64_t nuisance = 0;  // set off by nuisances (wind)
  std::uint64_t status = 0;    // heartbeats
  std::uint64_t total() const { return target + clutter + nuisance + status; }
};

struct SimStats {
  std::vector<SensorCounts> by_sensor;  // site sensor order
  std::uint64_t detections = 0;
  std::uint64_t truth_samples = 0;
  std::uint64_t events = 0;
  std::uint64_t crossings_inward = 0;
  std::uint64_t crossings_outward = 0;
  std::uint64_t zone_entries = 0;
  std::uint64_t zone_exits = 0;
};

class Simulator {
 public:
  // `seed` replaces the scenario's seed. The scenario must outlive the simulator.
  Simulator(const Scenario& scenario, std::uint64_t seed, SimOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  bool done() const { return t_ >= sc_.duration_s; }
  // Simulates the next window and hands its records to the sink.
  void step(Sink& sink);
  // Runs to the end; `progress` (if any) is called after each window with the fraction done.
  void run(Sink& sink, const std::function<void(double)>& progress = {});

  double time() const { return t_; }  // scenario seconds simulated
  double progress() const { return sc_.duration_s > 0 ? t_ / sc_.duration_s : 1.0; }
  const SimStats& stats() const { return stats_; }
  std::span<const Mover> movers() const { return movers_; }
  // The model of a site sensor, or nullptr (no model for its type, or disabled).
  const SensorModel* model(int sensor) const;
  const Scenario& scenario() const { return sc_; }

 private:
  void find_events(double t0, double t1);
  void emit(Sink& sink, double t0, double t1);

  const Scenario& sc_;
  std::uint64_t seed_;
  SimOptions options_;
  std::vector<MoverSpec> flock_specs_;  // flock centres and birds (stable addresses)
  std::vector<Mover> centres_;
  std::vector<Mover> movers_;
  std::vector<std::unique_ptr<SensorModel>> models_;  // one per site sensor (may be null)
  std::vector<Box2> fence_boxes_;
  std::vector<std::uint8_t> in_zone_;  // movers x zones: 0 out, 1 in, 2 unknown
  std::int64_t window_ = 0;
  double t_ = 0;
  SimStats stats_;

  // Per-window scratch, kept to reuse its memory.
  std::vector<Enu> positions_;
  std::vector<FenceClimb> climbs_;
  std::vector<FenceCrossingRecord> crossings_;
  std::vector<FenceContact> contacts_;
  std::vector<TruthEvent> events_;
  std::vector<SimDetection> detections_;
  struct OrderKey {
    double t;
    std::uint32_t sensor;
    std::uint32_t index;
  };
  std::vector<OrderKey> order_;
  std::vector<double> corners_;
  std::vector<std::pair<double, Enu>> vertices_;
};

}  // namespace picket::sim

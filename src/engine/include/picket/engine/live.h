// The live runtime of `picket run`: sources -> tracker -> rules -> store, on one Asio event loop.
//
// Detections arrive from the network inputs (LineInput), from a built-in simulator source, or
// from an exercise scenario an admin injects. Each goes to a Pipeline (a tracker and a rules
// engine): the real picture has one, a running exercise has its own, so injected targets never
// mix with real tracks and everything an exercise causes is marked as such. A periodic tick
// advances the data clock: the tracker releases what its reorder window allows, track updates
// and fence/status reports go to the rules in time order, alarm events go to the store, and
// only once the store has committed them are they announced (on_alarm). Track deltas are
// announced after every tick (on_tracks), with the latency from each detection's arrival to
// the announcement recorded in a histogram.
//
// Time: the data clock is the wall clock (Unix seconds) unless the simulator runs faster than
// real time, when it is the simulated clock. Stages take time from data, never read the clock
// themselves.
//
// Threading: everything on the io_context thread, except the store's writer thread, whose
// commits are posted back to the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/alarm.h"
#include "picket/core/metrics.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"

namespace boost::asio {
class io_context;
}

namespace picket::store {
class Store;
}

namespace picket::engine {

struct LiveOptions {
  std::string store_path;          // the SQLite store; created if missing
  double tick_s = 0.01;            // how often the data clock advances the pipeline
  double reorder_window_s = 0.05;  // live override of the tracker's reorder window
  std::string simulate;            // a scenario driving the live site (demo), or empty
  double sim_speed = 1;            // > 1: faster than real time (the data clock runs faster)
  std::uint64_t sim_seed = 1;
  bool sim_loop = true;         // restart the scenario when it ends
  std::string sim_events_path;  // append each truth event of the simulation here as it happens
  std::vector<std::string> exercise_scenarios;  // scenario files an admin may inject
};

struct SensorHealth {
  std::string id;
  SensorType type = SensorType::radar;
  std::string status = "unknown";  // ok, fault, tamper, unknown
  double last_report_t = 0;        // data time; 0: never
  std::uint64_t detections = 0;
  std::uint64_t rejected = 0;
};

struct ExerciseReport {
  bool active = false;
  std::string scenario;
  std::string started_by;
  double started_t = 0;
  struct PerAlarm {
    std::uint64_t alarm = 0;
    double raised_t = 0;
    std::optional<double> acknowledge_s;
    std::optional<double> resolve_s;
  };
  std::vector<PerAlarm> alarms;
};

class LiveEngine {
 public:
  using TracksCallback = std::function<void(const std::vector<TrackState>& updated,
                                            const std::vector<std::uint64_t>& removed)>;
  using AlarmCallback = std::function<void(const AlarmEvent& event)>;
  using ExerciseCallback = std::function<void()>;
  using Clock = std::function<double()>;  // wall clock, Unix seconds

  static Result<std::unique_ptr<LiveEngine>> create(boost::asio::io_context& ioc, const Site& site,
                                                    LiveOptions options, Registry& metrics,
                                                    Clock wall_clock);
  ~LiveEngine();

  void on_tracks(TracksCallback cb);  // adds a listener (each is called in turn)
  void on_alarm(AlarmCallback cb);    // adds a listener (each is called in turn)
  void on_exercise(ExerciseCallback cb);

  // Starts the tick and the simulator source (if any).
  void start();
  // Stops the sources, processes everything buffered, and closes the store (all alarm events
  // durable). Idempotent.
  Status stop();

  // A detection from an input (network, simulator). Called on the loop thread.
  void push(Detection&& d);
  // A cooperative (ADS-B) detection with its aircraft's callsign, which the track it confirms
  // then carries beside the address.
  void push(Detection&& d, std::string_view callsign);

  double now() const;  // the data clock
  bool ready() const;

  // The live picture: confirmed and coasting tracks of the real picture and any exercise.
  std::vector<TrackState> tracks() const;
  bool is_exercise_track(std::uint64_t id) const;
  std::vector<Alarm> open_alarms() const;
  std::vector<SensorHealth> sensors() const;
  store::Store& store();

  // Operator actions; the returned event is durable.
  Result<AlarmEvent> acknowledge(std::uint64_t alarm, const std::string& who,
                                 const std::string& note);
  Result<AlarmEvent> resolve(std::uint64_t alarm, const std::string& who, AlarmOutcome outcome,
                             const std::string& note);

  // Exercises.
  std::vector<std::string> exercise_scenarios() const;  // names
  Status start_exercise(const std::string& name, const std::string& who);
  // Stops injecting, resolves the exercise's open alarms (outcome test) and removes its tracks.
  Status stop_exercise(const std::string& who);
  ExerciseReport exercise_report() const;

  struct Impl;

 private:
  explicit LiveEngine(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// Track ids of an exercise are offset by this so they never collide with real ones.
inline constexpr std::uint64_t kExerciseIdOffset = 1'000'000'000'000ull;

}  // namespace picket::engine

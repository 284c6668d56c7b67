// The rules engine: turns a time-ordered stream of track updates, fence-sensor reports and
// sensor signs of life into alarm events.
//
// Inputs (all carry their own time; the engine has no clock and does no I/O):
//   on_track      one TrackState per track update, as the tracker publishes it;
//   on_detection  every sensor report: fence segment alarms (SegmentMeasurement), status
//                 reports (heartbeat, tamper, fault), and any report as a sign of life;
//   on_sensor_alive  a sign of life without a detection (a radar scan with nothing in it);
//   advance       time passing with no input (live operation: a periodic tick).
// Each appends the alarm events it causes, in order, to `out`. The same inputs in the same
// order always give the same events (ids included), so a replay is deterministic. Inputs older
// than the latest time seen are processed at the latest time and counted (`late_inputs`).
//
// What it evaluates, per update (docs/rules.md has the details and the references):
//   rules of the site file — fence crossing, zone entry/exit, approach, loitering, speed,
//   count — each filtered by class, armed, scheduled; the corroboration policy for fence
//   segment alarms (confirmed by a track near the segment within a window, else unconfirmed;
//   a segment that keeps triggering with no track is marked nuisance and rate-limited) and for
//   single-sensor-type tracks; sensor health (silence, tamper, reported faults); the alarm life
//   cycle (a repeated trigger of the same rule and track updates its open alarm).
//
// Cost: a track update is a few grid look-ups (SpatialIndex) plus the rules of the zones and
// fences near it, independent of the number of other tracks (bench/rules.cpp).
//
// Thread-safety: none; one engine belongs to one thread. The Site must outlive the engine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/alarm.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/rules/alarm.h"
#include "picket/rules/config.h"

namespace picket::rules {

// What the engine has seen and done; every rejection is counted here.
struct RulesMetrics {
  std::uint64_t track_updates = 0;
  std::uint64_t tracks_live = 0;       // tracks it currently remembers
  std::uint64_t tracks_forgotten = 0;  // not updated for policy.tracks.forget_after
  std::uint64_t detections = 0;
  std::uint64_t late_inputs = 0;  // older than the latest time seen
  std::uint64_t bad_inputs = 0;   // non-finite times or positions (dropped)
  std::uint64_t unknown_sensor = 0;
  std::uint64_t bad_segment = 0;  // fence reports naming a fence or segment the sensor lacks
  std::uint64_t fence_triggers = 0;
  std::uint64_t fence_confirmed = 0;    // confirmed by a track (at once or within the window)
  std::uint64_t fence_unconfirmed = 0;  // window expired with no track
  std::uint64_t fence_suppressed = 0;   // folded into a nuisance alarm (rate limit)
  std::uint64_t triggers = 0;           // rule conditions met
  std::uint64_t disarmed = 0;           // ... while the rule was disarmed or out of schedule
  std::uint64_t held = 0;               // ... by a tentative track, held until it is confirmed
  std::uint64_t held_dropped = 0;       // ... and dropped when it was deleted unconfirmed
  std::uint64_t alarms_raised = 0;
  std::uint64_t alarm_events = 0;
};

class RulesEngine {
 public:
  // Loads the rules and policy of the site (load_rules) and builds the engine.
  static Result<std::unique_ptr<RulesEngine>> create(const Site& site,
                                                     std::uint64_t first_alarm_id = 1);
  RulesEngine(const Site& site, RulesConfig config, std::uint64_t first_alarm_id = 1);
  ~RulesEngine();
  RulesEngine(const RulesEngine&) = delete;
  RulesEngine& operator=(const RulesEngine&) = delete;

  void on_track(const TrackState& track, std::vector<AlarmEvent>& out);
  void on_detection(const Detection& detection, std::vector<AlarmEvent>& out);
  void on_sensor_alive(std::string_view sensor, double t, std::vector<AlarmEvent>& out);
  void advance(double t, std::vector<AlarmEvent>& out);

  // Operator actions, applied at time t by user `who`.
  Result<AlarmEvent> acknowledge(std::uint64_t alarm, double t, const std::string& who,
                                 const std::string& note);
  Result<AlarmEvent> resolve(std::uint64_t alarm, double t, const std::string& who,
                             AlarmOutcome outcome, const std::string& note);
  // Arms or disarms a rule at run time (schedules still apply when armed).
  Status set_armed(std::string_view rule, bool armed);
  // Puts back an open alarm from the store after a restart (ids continue after it).
  void restore(const Alarm& alarm);

  const AlarmBook& alarms() const;
  const RulesConfig& config() const;
  const RulesMetrics& metrics() const;
  double now() const;  // the latest time seen

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace picket::rules

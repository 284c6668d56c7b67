// Replay: the whole chain — tracker, rules, store — over a recorded detections file, as fast as
// the machine allows or at the recording's own pace (`picket replay`, docs/replay.md).
//
//   detections ──► Tracker (reorder window, batches) ──► track updates ─┐
//        │                                                               ├─ merged by data time ─►
//        └──────────── every report (fence alarms, status, signs of life)┘      RulesEngine
//   RulesEngine ──► alarm events ──► Store::put_alarm ──commit──► on_commit ──► alarms.jsonl
//
// ReplayChain is the pure part: detections in, track updates and alarm events out, with the
// rules fed in data-time order. Track updates and reports are held until the data clock has
// passed them by `hold_s` (the tracker's reorder window plus the larger of half the longest
// scan period and the manage interval, so a radar sweep's batch is out of the tracker before a
// fence report of the same moment reaches the rules); then both streams go to the rules merged
// by time, updates first on a tie. The same detections in the same order always give the same
// outputs.
//
// run_replay adds the files: it reads DETECTIONS, writes DIR/tracks.jsonl, stores samples,
// detections, sensor status and alarm events in DIR/picket.db, and appends each alarm event to
// DIR/alarms.jsonl only from the store's commit callback: a line in alarms.jsonl is always
// already durable. Resuming: picket.db records a fingerprint of its input (site file,
// detections file, options). When DIR/picket.db already holds a replay of the same input
// (interrupted, or complete) the replay runs again from the start — it is deterministic, so it
// computes the same events with the same alarm ids — checks each event the file already holds
// against the recomputed one, writes those to alarms.jsonl without storing them twice, and
// stores and announces the rest, whose ids continue after them. Nothing announced before the
// interruption is lost, and the finished alarms.jsonl is byte for byte the one of an
// uninterrupted run. A picket.db of other input is refused.
//
// Thread-safety: a ReplayChain belongs to one thread. run_replay uses the store's writer thread
// for the announcement; the caller sees everything finished when it returns.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/alarm.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/formats/jsonl.h"
#include "picket/rules/engine.h"
#include "picket/track/identity.h"
#include "picket/track/tracker.h"

namespace picket::engine {

class ReplayChain {
 public:
  using TrackSink = std::function<void(const TrackState&)>;
  using AlarmSink = std::function<void(const AlarmEvent&)>;

  // Builds the tracker (the site's tracker: section) and the rules engine (rules: and policy:);
  // errors name the site file's key that is wrong (unknown zone or fence, impossible schedule).
  // The sinks are called from push and finish, in data-time order.
  static Result<std::unique_ptr<ReplayChain>> create(const Site& site, TrackSink on_track,
                                                     AlarmSink on_alarm);
  ~ReplayChain();
  ReplayChain(const ReplayChain&) = delete;
  ReplayChain& operator=(const ReplayChain&) = delete;

  // One detection, in file order. `ref` is the caller's reference (the line number).
  void push(const Detection& d, std::uint64_t ref);
  // End of input: releases everything held and brings the rules up to the last time seen.
  void finish();

  const track::Tracker& tracker() const { return tracker_; }
  const rules::RulesEngine& rules() const { return *rules_; }
  double hold_s() const { return hold_s_; }
  std::uint64_t track_updates() const { return track_updates_; }
  // Reports and position updates the rules got out of time order (0 unless the tracker held a
  // batch longer than hold_s). Late coasting and deletion notices are not counted here: the
  // tracker publishes them with the next batch, which may come after a gap in the data (the
  // rules count every late input in RulesMetrics::late_inputs).
  std::uint64_t late() const { return late_; }

 private:
  ReplayChain(const Site& site, track::Tracker tracker, std::unique_ptr<rules::RulesEngine> rules,
              double hold_s, TrackSink on_track, AlarmSink on_alarm);
  void drain_tracker();
  void release(double until);
  void emit();

  const Site& site_;
  track::Tracker tracker_;
  track::CooperativeIdentity identity_;  // ADS-B addresses of the tracks they confirm
  std::unique_ptr<rules::RulesEngine> rules_;
  double hold_s_;
  TrackSink on_track_;
  AlarmSink on_alarm_;
  std::deque<TrackState> updates_;  // from the tracker, waiting for the release time
  std::deque<Detection> reports_;   // for the rules, sorted by time, waiting likewise
  std::vector<AlarmEvent> events_;  // scratch
  double clock_ = 0;                // the latest detection time seen
  bool have_clock_ = false;
  double last_advance_ = 0;
  std::uint64_t track_updates_ = 0;
  std::uint64_t late_ = 0;
};

struct ReplayOptions {
  std::string site;        // the site file
  std::string detections;  // a detections file (JSON Lines); not standard input (resuming
                           // reads it again)
  std::string out_dir;     // created if missing
  bool realtime = false;   // pace the input by its own timestamps
  bool skip_bad = false;   // skip and count bad lines instead of stopping
  // How long to wait for the store to commit what it holds (at the end, or when its queue is
  // half full) before giving up with the reason (a full disk): seconds.
  double store_timeout_s = 15;
  // Called now and then with the fraction of the input read and the detections so far.
  std::function<void(double, std::uint64_t)> progress;
};

struct ReplayReport {
  formats::ReadStats read;
  track::TrackerStats tracker;
  rules::RulesMetrics rules;
  std::uint64_t live_tracks = 0;
  std::uint64_t late = 0;  // ReplayChain::late
  std::uint64_t track_updates = 0;
  std::uint64_t alarm_events = 0;    // written to alarms.jsonl
  std::uint64_t alarms = 0;          // distinct alarms among them
  std::uint64_t high_priority = 0;   // alarms that reached high or critical
  bool resumed = false;              // picket.db held an earlier run of the same input
  std::uint64_t already_stored = 0;  // events found in it (not stored twice)
  std::uint64_t track_rows = 0;
  std::uint64_t detection_rows = 0;
  std::uint64_t dropped_rows = 0;  // bulk rows the store refused (queue full, write failure)
  double first_t = 0, last_t = 0;  // data time span
  double wall_s = 0;
};

struct ReplayFailure {
  Error error;
  bool input = true;  // bad input or usage (exit 2); false: a runtime failure (exit 1)
};

// Runs the replay; on failure, what went wrong. Events announced before a failure stay
// announced and stored.
struct ReplayResult {
  std::optional<ReplayFailure> failure;
  ReplayReport report;
};
ReplayResult run_replay(const ReplayOptions& options);

// FNV-1a 64 of a file's bytes (the input fingerprint); error if it cannot be read.
Result<std::uint64_t> file_fingerprint(const std::string& path);

}  // namespace picket::engine

// The embedded event store: one SQLite file in WAL mode holding alarms and their events,
// sampled track history, sensor status, the raw detection stream of the last hours (for replay)
// and the audit trail (docs/store.md has the schema and every option).
//
// Writing never blocks the caller. put_* append to an in-memory queue and return at once; one
// writer thread drains it in batches, one transaction per batch (group commit). Bulk rows
// (tracks, detections, sensor status) go into a bounded queue: when it is full they are
// dropped and counted, never waited for. Alarm events and audit entries are never dropped:
// they are few, kept until committed, and retried after a write failure.
//
// Durability before announcement: an alarm event is "durable" once the transaction holding it
// has committed (synchronous=FULL by default: also against power loss). Callers either wait
// for a ticket (wait_durable) or, better, announce from the on_commit callback, which runs on
// the writer thread after each commit with exactly the alarm events that became durable, in
// the order they were put.
//
// Failures: a file that is not SQLite, is corrupt, belongs to another application or to a newer
// Picket is refused at open with a message saying which. A write failure (full disk, I/O
// error) rolls the batch back — what was committed before stays — then the writer frees
// space by pruning the oldest bulk rows (on a full disk), retries the alarm events alone,
// drops that batch's bulk rows (counted), and keeps retrying any alarm events it could not
// store, with back-off. health() reports the last failure in words.
//
// Thread-safety: put_*, wait_durable, flush, health and metrics may be called from any thread;
// the read functions use their own connection and a lock, and may run while writing goes on.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "picket/core/alarm.h"
#include "picket/core/geo.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"

namespace picket::store {

// The schema version this build writes (docs/store.md lists the migrations).
inline constexpr int kSchemaVersion = 2;
// PRAGMA application_id of a Picket store: "PCKT".
inline constexpr std::int32_t kApplicationId = 0x50434B54;

struct StoreOptions {
  std::string path;
  bool synchronous_full = true;          // false: synchronous=NORMAL (durable against crashes only)
  std::size_t queue_capacity = 200'000;  // bulk rows waiting to be written
  std::size_t max_batch = 50'000;        // rows per transaction at most
  double track_sample_interval_s = 1;    // for TrackSampler
  // Retention by age, against the newest time written (time is data); 0 keeps for ever.
  double track_history_keep_s = 7 * 86400.0;
  double detections_keep_s = 24 * 3600.0;
  double sensor_status_keep_s = 30 * 86400.0;
  double resolved_alarms_keep_s = 0;
  // Retention by size: oldest bulk rows go first when the used size exceeds this; 0: no limit.
  std::uint64_t max_bytes = 0;
  double retention_interval_s = 60;  // data time between retention passes
  // Hard cap on the file (PRAGMA max_page_count); 0: none. For tests of a full disk.
  std::int64_t max_page_count = 0;
  // Run PRAGMA quick_check when opening files up to this size; larger files are checked by
  // `picket store check` only.
  std::uint64_t quick_check_max_bytes = 1ull << 30;
};

// The `store:` section of a site file (docs/store.md); `path` is left empty unless given.
Result<StoreOptions> read_store_options(const Site& site);

// One sampled track position.
struct TrackRow {
  std::uint64_t track = 0;
  double t = 0;
  double east = 0, north = 0, up = 0;
  double ve = 0, vn = 0, vu = 0;
  TrackStatus status = TrackStatus::confirmed;
  TargetClass cls = TargetClass::unknown;
  double class_p = 0;
  bool air = false;
  static TrackRow from(const TrackState& s);
};

struct DetectionRow {
  double t = 0;
  std::string sensor;
  std::string line;  // the detection as one JSON Lines record (docs/formats.md), no newline
};

struct SensorStatusRow {
  double t = 0;
  std::string sensor;
  std::string status;  // ok, fault, tamper, silent, ...
  std::string detail;
};

// One audit entry; the same table the server's user database writes (docs/store.md).
struct AuditRow {
  double t = 0;
  std::string actor, action, target, detail, client;
};

// One image of an alarm's camera evidence: kind "snapshot" (the full frame nearest the alarm),
// "crop" (the target's region of it) or "clip" (frame `index` of the clip around the alarm).
// Written durably, like alarm events. `bytes` is filled by evidence(), which leaves `jpeg`
// empty; evidence_image() reads the JPEG.
struct EvidenceRow {
  std::uint64_t alarm = 0;
  std::string camera;
  std::string kind;
  int index = 0;
  double t = 0;  // capture time of the frame
  int width = 0;
  int height = 0;
  bool complete = true;  // false when the clip was cut short (camera lost, shutdown)
  std::vector<std::uint8_t> jpeg;
  std::size_t bytes = 0;
};

struct StoreMetrics {
  std::atomic<std::uint64_t> track_rows{0};
  std::atomic<std::uint64_t> detection_rows{0};
  std::atomic<std::uint64_t> status_rows{0};
  std::atomic<std::uint64_t> alarm_events{0};  // committed
  std::atomic<std::uint64_t> audit_rows{0};
  std::atomic<std::uint64_t> evidence_rows{0};
  std::atomic<std::uint64_t> dropped_full_queue{0};     // bulk rows refused: queue full
  std::atomic<std::uint64_t> dropped_write_failure{0};  // bulk rows lost with a failed batch
  std::atomic<std::uint64_t> batches{0};
  std::atomic<std::uint64_t> write_failures{0};
  std::atomic<std::uint64_t> emergency_prunes{0};
  std::atomic<std::uint64_t> retention_deleted{0};
  std::atomic<std::uint64_t> queue_depth{0};
  std::atomic<std::uint64_t> pending_alarm_events{0};  // put but not yet durable
};

struct AlarmFilter {
  std::optional<AlarmState> state;  // nothing: any
  bool open_only = false;           // raised or acknowledged
  std::optional<AlarmPriority> min_priority;
  std::optional<bool> exercise;
  std::optional<double> since, until;  // raised_t
  int limit = 1000;
  int offset = 0;
};

class Store {
 public:
  using CommitCallback = std::function<void(const std::vector<AlarmEvent>&)>;

  // Opens (creating if needed) and migrates the store; refuses foreign, corrupt or newer
  // files with a message naming the file and the reason. `on_commit` (optional) is called on
  // the writer thread after every commit that made alarm events durable.
  static Result<std::unique_ptr<Store>> open(const StoreOptions& options,
                                             CommitCallback on_commit = nullptr);
  ~Store();  // close()
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Bulk rows: never block; false (and counted) when the queue is full or the store closed.
  bool put_track(const TrackRow& row);
  bool put_detection(DetectionRow row);
  bool put_sensor_status(SensorStatusRow row);
  // Never dropped. Returns a ticket for wait_durable.
  std::uint64_t put_alarm(const AlarmEvent& event);
  std::uint64_t put_audit(AuditRow row);
  std::uint64_t put_evidence(EvidenceRow row);

  // Waits until the item with this ticket (and every earlier alarm event and audit entry) has
  // committed. Error if it is not durable within `timeout_s`, with the last write failure.
  Status wait_durable(std::uint64_t ticket, double timeout_s = 30);
  // Waits until everything put so far has been written or dropped, and every alarm event is
  // durable; error (naming the last failure) after `timeout_s`.
  Status flush(double timeout_s = 60);
  // Flushes, stops the writer and closes the file. Error if alarm events could not be stored
  // (their number and the last failure). Idempotent.
  Status close(double timeout_s = 60);

  // Ok, or the last write failure ("database or disk is full"), until a later write succeeds.
  Status health() const;
  const StoreMetrics& metrics() const;
  const std::string& path() const;

  // --- reading (own connection) ---
  Result<std::vector<Alarm>> alarms(const AlarmFilter& filter);
  Result<std::int64_t> count_alarms(const AlarmFilter& filter);
  Result<std::optional<Alarm>> alarm(std::uint64_t id);
  Result<std::vector<AlarmEvent>> alarm_events(std::uint64_t id);
  // Every alarm event in commit order (for checks and exports).
  Result<std::vector<AlarmEvent>> all_alarm_events();
  Result<std::vector<TrackRow>> track_history(std::uint64_t track, double from, double to);
  Result<std::vector<DetectionRow>> detections(double from, double to);
  Result<std::vector<AuditRow>> audit_log(int limit);
  // An alarm's evidence images (without their JPEG bytes), by camera, kind and index.
  Result<std::vector<EvidenceRow>> evidence(std::uint64_t alarm);
  // One image's JPEG; nothing if there is no such image.
  Result<std::optional<std::vector<std::uint8_t>>> evidence_image(std::uint64_t alarm,
                                                                  const std::string& camera,
                                                                  const std::string& kind,
                                                                  int index);
  Result<std::uint64_t> max_alarm_id();
  // The largest alarm id below `limit` (0 if none): id ranges can be kept apart this way.
  Result<std::uint64_t> max_alarm_id_below(std::uint64_t limit);
  // Track rows of every track with from <= t <= to, in time order, at most `limit` rows.
  Result<std::vector<TrackRow>> tracks_between(double from, double to, int limit = 1'000'000);
  // The earliest and latest time of the stored track history; nothing when it is empty.
  Result<std::optional<std::pair<double, double>>> track_history_range();
  // Deletes every track-history, detection and sensor-status row (alarms and the audit trail
  // stay): a replay that restarts writes them again. Call before putting new rows.
  Status clear_bulk();
  // Key/value metadata (site name and origin, replay fingerprint).
  Status set_meta(const std::string& key, const std::string& value);
  Result<std::optional<std::string>> meta(const std::string& key);

  // Alarms as CSV (RFC 4180, one row per alarm) and as a GeoJSON FeatureCollection of points
  // (WGS84 from the site origin stored in meta, or `frame` when given).
  Status export_csv(const std::string& path, const AlarmFilter& filter = {});
  Status export_geojson(const std::string& path, const AlarmFilter& filter = {},
                        const LocalFrame* frame = nullptr);

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Opens a store file read-only and runs PRAGMA integrity_check: "ok", or what is wrong.
// Also refuses foreign and newer files, as open does.
Result<std::string> check_store(const std::string& path);

// Keeps one track row per track every `interval_s` (and every status change), so the history
// is sampled in time, not in updates. Thread-safety: none.
class TrackSampler {
 public:
  explicit TrackSampler(double interval_s) : interval_(interval_s) {}
  bool keep(const TrackState& s);

 private:
  struct Last {
    double t;
    TrackStatus status;
  };
  double interval_;
  std::unordered_map<std::uint64_t, Last> last_;
};

}  // namespace picket::store

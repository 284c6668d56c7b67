#include "picket/store/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>
#include <thread>
#include <variant>

#include "picket/core/time.h"
#include "picket/formats/alarms.h"
#include "sqlite_util.h"

namespace picket::store {

namespace {

using sql::Stmt;
using Clock = std::chrono::steady_clock;

// --- Schema -------------------------------------------------------------------------------------
//
// Migration N takes a store from schema version N-1 to N; each runs in one transaction that
// also sets user_version. Never edit a released migration: add the next one.
constexpr const char* kMigrations[] = {
    // 1: the first schema.
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE alarms (
  id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, kind TEXT NOT NULL, rule TEXT NOT NULL,
  priority TEXT NOT NULL, state TEXT NOT NULL, active INTEGER NOT NULL,
  confirmed INTEGER NOT NULL, score REAL NOT NULL, confirmations INTEGER NOT NULL,
  track INTEGER, fence TEXT, segment INTEGER, direction TEXT, zone TEXT, sensor TEXT,
  east REAL NOT NULL, north REAL NOT NULL, up REAL, class TEXT, class_p REAL, sensors TEXT,
  value REAL NOT NULL, raised_t REAL NOT NULL, trigger_t REAL NOT NULL, last_t REAL NOT NULL,
  count INTEGER NOT NULL, text TEXT NOT NULL, acknowledged_by TEXT, acknowledged_t REAL,
  outcome TEXT, resolved_by TEXT, resolved_t REAL, exercise INTEGER NOT NULL DEFAULT 0);
CREATE INDEX alarms_by_raised ON alarms (raised_t);
CREATE INDEX alarms_by_state ON alarms (state);
CREATE TABLE alarm_events (
  id INTEGER PRIMARY KEY, alarm INTEGER NOT NULL, seq INTEGER NOT NULL, t REAL NOT NULL,
  event TEXT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL, json TEXT NOT NULL,
  UNIQUE (alarm, seq));
CREATE TABLE track_history (
  id INTEGER PRIMARY KEY, track INTEGER NOT NULL, t REAL NOT NULL, east REAL NOT NULL,
  north REAL NOT NULL, up REAL NOT NULL, ve REAL NOT NULL, vn REAL NOT NULL, vu REAL NOT NULL,
  status INTEGER NOT NULL, class INTEGER NOT NULL, class_p REAL NOT NULL, air INTEGER NOT NULL);
CREATE INDEX track_history_by_track ON track_history (track, t);
CREATE TABLE sensor_status (
  id INTEGER PRIMARY KEY, t REAL NOT NULL, sensor TEXT NOT NULL, status TEXT NOT NULL,
  detail TEXT NOT NULL);
CREATE INDEX sensor_status_by_t ON sensor_status (t);
CREATE TABLE detections (
  id INTEGER PRIMARY KEY, t REAL NOT NULL, sensor TEXT NOT NULL, line TEXT NOT NULL);
CREATE INDEX detections_by_t ON detections (t);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY, t REAL NOT NULL, actor TEXT, action TEXT NOT NULL, target TEXT,
  detail TEXT, client TEXT);
CREATE INDEX IF NOT EXISTS audit_by_t ON audit (t);
)sql",
    // 2: camera evidence of alarms (JPEG snapshots, crops and clip frames).
    R"sql(
CREATE TABLE evidence (
  id INTEGER PRIMARY KEY, alarm INTEGER NOT NULL, camera TEXT NOT NULL, kind TEXT NOT NULL,
  idx INTEGER NOT NULL, t REAL NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
  complete INTEGER NOT NULL, jpeg BLOB NOT NULL, UNIQUE (alarm, camera, kind, idx));
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion);

// Tables another Picket component may have created in the same file before the store did (the
// server's user database).
const std::set<std::string> kSharedTables = {"users", "audit"};

std::string sqlite_message(sqlite3* db) {
  return db ? sqlite3_errmsg(db) : "out of memory";
}

Status exec(sqlite3* db, const std::string& path, const char* sql_text, const char* doing) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql_text, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite_message(db);
    sqlite3_free(err);
    return Error{path, fmt::format("{}: {}", doing, msg)};
  }
  return Ok{};
}

Error not_a_store(const std::string& path, const std::string& why) {
  return Error{path, "not a Picket store: " + why};
}

// Identifies the file: ours (returns its schema version), new and empty (0), or refused.
Result<int> identify(sqlite3* db, const std::string& path) {
  Stmt app(db, "PRAGMA application_id");
  if (!app.ok() || app.step() != SQLITE_ROW) {
    const int code = sqlite3_extended_errcode(db) & 0xff;
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      return not_a_store(path, fmt::format("not an SQLite database, or a damaged one (SQLite: {})",
                                           sqlite_message(db)));
    }
    return Error{path, "cannot read the file: " + sqlite_message(db)};
  }
  const auto app_id = static_cast<std::int32_t>(app.integer(0));
  Stmt ver(db, "PRAGMA user_version");
  if (!ver.ok() || ver.step() != SQLITE_ROW)
    return Error{path, "cannot read: " + sqlite_message(db)};
  const auto version = static_cast<int>(ver.integer(0));
  Stmt tables(db,
              "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  if (!tables.ok()) {
    return not_a_store(path, fmt::format("not an SQLite database, or a damaged one (SQLite: {})",
                                         sqlite_message(db)));
  }
  std::vector<std::string> foreign;
  while (tables.step() == SQLITE_ROW) {
    const std::string name = tables.text(0);
    if (!kSharedTables.count(name)) foreign.push_back(name);
  }
  if (app_id != 0 && app_id != kApplicationId) {
    return not_a_store(path, fmt::format("it is a database of another application "
                                         "(application_id 0x{:08x}); Picket stores have 0x{:08x}",
                                         static_cast<std::uint32_t>(app_id),
                                         static_cast<std::uint32_t>(kApplicationId)));
  }
  if (app_id == 0 && !foreign.empty()) {
    std::string list;
    for (size_t i = 0; i < foreign.size() && i < 5; ++i)
      list += (i ? ", " : "") + foreign[i];
    return not_a_store(path, fmt::format("it is an SQLite database of another application "
                                         "(tables: {}{})",
                                         list, foreign.size() > 5 ? ", ..." : ""));
  }
  if (version > kSchemaVersion) {
    return Error{path, fmt::format("written by a newer Picket (store schema version {}; this "
                                   "build reads up to {}): use a newer picket, or another file",
                                   version, kSchemaVersion)};
  }
  return app_id == 0 ? 0 : version;
}

Status quick_check(sqlite3* db, const std::string& path) {
  Stmt st(db, "PRAGMA quick_check(5)");
  if (!st.ok()) {
    return not_a_store(path, "a damaged database (SQLite: " + sqlite_message(db) + ")");
  }
  std::string problems;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    const std::string row = st.text(0);
    if (row != "ok") problems += (problems.empty() ? "" : "; ") + row;
  }
  if (rc != SQLITE_DONE) {
    return Error{path, "the store is damaged (SQLite: " + sqlite_message(db) +
                           "); `picket store check` tells more, a backup is needed"};
  }
  if (!problems.empty()) {
    return Error{path, "the store is damaged: " + problems + " (a backup is needed)"};
  }
  return Ok{};
}

Status migrate(sqlite3* db, const std::string& path, int from) {
  if (from == 0) {
    // Only takes effect on a file with no tables yet; lets retention give space back.
    if (auto st = exec(db, path, "PRAGMA auto_vacuum = INCREMENTAL", "setting up"); !st) return st;
  }
  for (int v = from + 1; v <= kSchemaVersion; ++v) {
    if (auto st = exec(db, path, "BEGIN IMMEDIATE", "migrating"); !st) return st;
    auto st = exec(db, path, kMigrations[v - 1], "migrating the schema");
    if (st) {
      const std::string set =
          fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {};", kApplicationId, v);
      st = exec(db, path, set.c_str(), "migrating the schema");
    }
    if (st) st = exec(db, path, "COMMIT", "migrating the schema");
    if (!st) {
      (void)exec(db, path, "ROLLBACK", "rolling back");
      return Error{
          path, fmt::format("cannot migrate to store schema version {}: {}", v, st.error().what)};
    }
  }
  return Ok{};
}

std::string sensors_json(const std::vector<std::string>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : s[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

std::vector<std::string> parse_sensors(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  bool in = false;
  bool esc = false;
  for (char c : text) {
    if (!in) {
      if (c == '"') {
        in = true;
        cur.clear();
      }
      continue;
    }
    if (esc) {
      cur += c;
      esc = false;
    } else if (c == '\\') {
      esc = true;
    } else if (c == '"') {
      out.push_back(cur);
      in = false;
    } else {
      cur += c;
    }
  }
  return out;
}

constexpr const char* kAlarmColumns =
    "id, seq, kind, rule, priority, state, active, confirmed, score, confirmations, track, fence, "
    "segment, direction, zone, sensor, east, north, up, class, class_p, sensors, value, raised_t, "
    "trigger_t, last_t, count, text, acknowledged_by, acknowledged_t, outcome, resolved_by, "
    "resolved_t, exercise";

void bind_alarm(Stmt& st, const Alarm& a) {
  st.bind(1, a.id);
  st.bind(2, static_cast<std::int64_t>(a.seq));
  st.bind(3, to_string(a.kind));
  st.bind(4, a.rule);
  st.bind(5, to_string(a.priority));
  st.bind(6, to_string(a.state));
  st.bind(7, a.active);
  st.bind(8, a.confirmed);
  st.bind(9, a.score);
  st.bind(10, a.confirmations);
  if (a.track) {
    st.bind(11, a.track);
  } else {
    st.bind_null(11);
  }
  st.bind_or_null(12, a.fence);
  if (a.segment) {
    st.bind(13, a.segment);
  } else {
    st.bind_null(13);
  }
  if (a.direction) {
    st.bind(14, to_string(*a.direction));
  } else {
    st.bind_null(14);
  }
  st.bind_or_null(15, a.zone);
  st.bind_or_null(16, a.sensor);
  st.bind(17, a.east);
  st.bind(18, a.north);
  if (a.up) {
    st.bind(19, *a.up);
  } else {
    st.bind_null(19);
  }
  if (a.track) {
    st.bind(20, to_string(a.cls));
    st.bind(21, a.class_p);
    st.bind(22, sensors_json(a.sensors));
  } else {
    st.bind_null(20);
    st.bind_null(21);
    st.bind_null(22);
  }
  st.bind(23, a.value);
  st.bind(24, a.raised_t);
  st.bind(25, a.trigger_t);
  st.bind(26, a.last_t);
  st.bind(27, a.count);
  st.bind(28, a.text);
  st.bind_or_null(29, a.acknowledged_by);
  if (!a.acknowledged_by.empty()) {
    st.bind(30, a.acknowledged_t);
  } else {
    st.bind_null(30);
  }
  if (a.outcome != AlarmOutcome::none) {
    st.bind(31, to_string(a.outcome));
  } else {
    st.bind_null(31);
  }
  st.bind_or_null(32, a.resolved_by);
  if (!a.resolved_by.empty()) {
    st.bind(33, a.resolved_t);
  } else {
    st.bind_null(33);
  }
  st.bind(34, a.exercise);
}

Alarm read_alarm(const Stmt& st) {
  Alarm a;
  a.id = static_cast<std::uint64_t>(st.integer(0));
  a.seq = static_cast<std::uint32_t>(st.integer(1));
  a.kind = parse_alarm_kind(st.text(2)).value_or(AlarmKind::fence_alarm);
  a.rule = st.text(3);
  a.priority = parse_alarm_priority(st.text(4)).value_or(AlarmPriority::high);
  a.state = parse_alarm_state(st.text(5)).value_or(AlarmState::raised);
  a.active = st.integer(6) != 0;
  a.confirmed = st.integer(7) != 0;
  a.score = st.real(8);
  a.confirmations = static_cast<int>(st.integer(9));
  a.track = st.is_null(10) ? 0 : static_cast<std::uint64_t>(st.integer(10));
  a.fence = st.text(11);
  a.segment = static_cast<int>(st.integer(12));
  if (!st.is_null(13)) {
    a.direction = st.text(13) == "inward" ? CrossingDirection::inward : CrossingDirection::outward;
  }
  a.zone = st.text(14);
  a.sensor = st.text(15);
  a.east = st.real(16);
  a.north = st.real(17);
  if (!st.is_null(18)) a.up = st.real(18);
  a.cls = parse_target_class(st.text(19)).value_or(TargetClass::unknown);
  a.class_p = st.real(20);
  a.sensors = parse_sensors(st.text(21));
  a.value = st.real(22);
  a.raised_t = st.real(23);
  a.trigger_t = st.real(24);
  a.last_t = st.real(25);
  a.count = static_cast<int>(st.integer(26));
  a.text = st.text(27);
  a.acknowledged_by = st.text(28);
  a.acknowledged_t = st.real(29);
  a.outcome = parse_alarm_outcome(st.text(30)).value_or(AlarmOutcome::none);
  a.resolved_by = st.text(31);
  a.resolved_t = st.real(32);
  a.exercise = st.integer(33) != 0;
  return a;
}

// WHERE clause and its bindings for an AlarmFilter.
struct Where {
  std::string sql;
  std::vector<std::variant<double, std::string>> args;
};

Where alarm_where(const AlarmFilter& f) {
  Where w;
  std::vector<std::string> terms;
  if (f.open_only) terms.emplace_back("state != 'resolved'");
  if (f.state) {
    terms.emplace_back("state = ?");
    w.args.emplace_back(std::string(to_string(*f.state)));
  }
  if (f.min_priority) {
    std::string in;
    for (int p = static_cast<int>(*f.min_priority); p <= static_cast<int>(AlarmPriority::critical);
         ++p) {
      in += fmt::format("{}'{}'", in.empty() ? "" : ",", to_string(static_cast<AlarmPriority>(p)));
    }
    terms.push_back("priority IN (" + in + ")");
  }
  if (f.exercise) terms.emplace_back(*f.exercise ? "exercise != 0" : "exercise = 0");
  if (f.since) {
    terms.emplace_back("raised_t >= ?");
    w.args.emplace_back(*f.since);
  }
  if (f.until) {
    terms.emplace_back("raised_t <= ?");
    w.args.emplace_back(*f.until);
  }
  for (size_t i = 0; i < terms.size(); ++i)
    w.sql += (i ? " AND " : " WHERE ") + terms[i];
  return w;
}

void bind_where(Stmt& st, const Where& w) {
  int i = 1;
  for (const auto& a : w.args) {
    if (const auto* d = std::get_if<double>(&a)) {
      st.bind(i++, *d);
    } else {
      st.bind(i++, std::get<std::string>(a));
    }
  }
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

using Bulk = std::variant<TrackRow, DetectionRow, SensorStatusRow>;

struct Durable {
  std::uint64_t ticket = 0;
  std::variant<AlarmEvent, AuditRow, EvidenceRow> item;
};

sqlite3* open_connection(const std::string& path, int flags, std::string& err) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    err = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return nullptr;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  return db;
}

}  // namespace

TrackRow TrackRow::from(const TrackState& s) {
  TrackRow r;
  r.track = s.id;
  r.t = s.t;
  r.east = s.position.x();
  r.north = s.position.y();
  r.up = s.position.z();
  r.ve = s.velocity.x();
  r.vn = s.velocity.y();
  r.vu = s.velocity.z();
  r.status = s.status;
  r.cls = s.cls;
  r.class_p = s.class_p;
  r.air = s.air;
  return r;
}

bool TrackSampler::keep(const TrackState& s) {
  auto [it, inserted] = last_.try_emplace(s.id, Last{s.t, s.status});
  if (s.status == TrackStatus::deleted) {
    last_.erase(it);
    return true;
  }
  if (inserted) return true;
  if (s.status != it->second.status || s.t - it->second.t >= interval_) {
    it->second = Last{s.t, s.status};
    return true;
  }
  return false;
}

// --- The store ------------------------------------------------------------------------------

struct Store::Impl {
  StoreOptions opt;
  CommitCallback on_commit;
  sqlite3* w = nullptr;  // the writer's connection (writer thread only, after open)
  sqlite3* r = nullptr;  // the readers' connection
  std::mutex rmu;

  mutable std::mutex mu;
  std::condition_variable cv_work;
  std::condition_variable cv_done;
  std::deque<Bulk> bulk;
  std::deque<Durable> durable;
  std::uint64_t next_ticket = 1;
  std::uint64_t committed_ticket = 0;
  std::uint64_t bulk_enqueued = 0;
  std::uint64_t bulk_done = 0;
  bool stopping = false;
  bool closed = false;
  std::optional<Error> last_error;
  std::thread writer;
  StoreMetrics metrics;

  // Writer-thread state.
  Stmt ins_track, ins_det, ins_status, ins_event, up_alarm, ins_audit, ins_evidence;
  double newest_t = -std::numeric_limits<double>::infinity();
  double last_retention_t = -std::numeric_limits<double>::infinity();

  ~Impl() {
    if (w) sqlite3_close_v2(w);
    if (r) sqlite3_close_v2(r);
  }

  Status prepare() {
    ins_track = Stmt(w,
                     "INSERT INTO track_history (track, t, east, north, up, ve, vn, vu, "
                     "status, class, class_p, air) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                     true);
    ins_det = Stmt(w, "INSERT INTO detections (t, sensor, line) VALUES (?,?,?)", true);
    ins_status =
        Stmt(w, "INSERT INTO sensor_status (t, sensor, status, detail) VALUES (?,?,?,?)", true);
    ins_event = Stmt(w,
                     "INSERT OR IGNORE INTO alarm_events (alarm, seq, t, event, actor, note, json) "
                     "VALUES (?,?,?,?,?,?,?)",
                     true);
    // "?,?,...,?" for the 34 columns, and "col = excluded.col" for all but the id.
    std::string qs;
    for (int i = 0; i < 34; ++i)
      qs += i ? ",?" : "?";
    std::string sets;
    std::string cols = kAlarmColumns;
    size_t pos = 0;
    while (pos < cols.size()) {
      size_t comma = cols.find(',', pos);
      if (comma == std::string::npos) comma = cols.size();
      std::string c = cols.substr(pos, comma - pos);
      c.erase(0, c.find_first_not_of(' '));
      if (c != "id") sets += (sets.empty() ? "" : ", ") + c + " = excluded." + c;
      pos = comma + 1;
    }
    const std::string up = fmt::format(
        "INSERT INTO alarms ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {} WHERE excluded.seq "
        ">= alarms.seq",
        kAlarmColumns, qs, sets);
    up_alarm = Stmt(w, up, true);
    ins_audit = Stmt(w,
                     "INSERT INTO audit (t, actor, action, target, detail, client) VALUES "
                     "(?,?,?,?,?,?)",
                     true);
    ins_evidence = Stmt(w,
                        "INSERT OR REPLACE INTO evidence (alarm, camera, kind, idx, t, width, "
                        "height, complete, jpeg) VALUES (?,?,?,?,?,?,?,?,?)",
                        true);
    for (const Stmt* s :
         {&ins_track, &ins_det, &ins_status, &ins_event, &up_alarm, &ins_audit, &ins_evidence}) {
      if (!s->ok()) return Error{opt.path, "cannot prepare statements: " + sqlite_message(w)};
    }
    return Ok{};
  }

  // --- writing (writer thread) ---------------------------------------------------------------

  bool step_done(Stmt& st) {
    const int rc = st.step();
    st.reset();
    return rc == SQLITE_DONE;
  }

  bool write_durable(const Durable& d) {
    if (const auto* e = std::get_if<AlarmEvent>(&d.item)) {
      std::string json;
      formats::append_alarm_event(json, *e);
      json.pop_back();
      ins_event.bind(1, e->alarm.id);
      ins_event.bind(2, static_cast<std::int64_t>(e->alarm.seq));
      ins_event.bind(3, e->t);
      ins_event.bind(4, to_string(e->type));
      ins_event.bind(5, e->actor);
      ins_event.bind(6, e->note);
      ins_event.bind(7, json);
      if (!step_done(ins_event)) return false;
      bind_alarm(up_alarm, e->alarm);
      return step_done(up_alarm);
    }
    if (const auto* ev = std::get_if<EvidenceRow>(&d.item)) {
      ins_evidence.bind(1, ev->alarm);
      ins_evidence.bind(2, ev->camera);
      ins_evidence.bind(3, ev->kind);
      ins_evidence.bind(4, ev->index);
      ins_evidence.bind(5, ev->t);
      ins_evidence.bind(6, ev->width);
      ins_evidence.bind(7, ev->height);
      ins_evidence.bind(8, ev->complete);
      sqlite3_bind_blob(ins_evidence.get(), 9, ev->jpeg.data(), static_cast<int>(ev->jpeg.size()),
                        SQLITE_TRANSIENT);
      return step_done(ins_evidence);
    }
    const auto& a = std::get<AuditRow>(d.item);
    ins_audit.bind(1, a.t);
    ins_audit.bind(2, a.actor);
    ins_audit.bind(3, a.action);
    ins_audit.bind(4, a.target);
    ins_audit.bind(5, a.detail);
    ins_audit.bind(6, a.client);
    return step_done(ins_audit);
  }

  bool write_bulk(const Bulk& b) {
    if (const auto* t = std::get_if<TrackRow>(&b)) {
      ins_track.bind(1, t->track);
      ins_track.bind(2, t->t);
      ins_track.bind(3, t->east);
      ins_track.bind(4, t->north);
      ins_track.bind(5, t->up);
      ins_track.bind(6, t->ve);
      ins_track.bind(7, t->vn);
      ins_track.bind(8, t->vu);
      ins_track.bind(9, static_cast<int>(t->status));
      ins_track.bind(10, static_cast<int>(t->cls));
      ins_track.bind(11, t->class_p);
      ins_track.bind(12, t->air);
      newest_t = std::max(newest_t, t->t);
      return step_done(ins_track);
    }
    if (const auto* d = std::get_if<DetectionRow>(&b)) {
      ins_det.bind(1, d->t);
      ins_det.bind(2, d->sensor);
      ins_det.bind(3, d->line);
      newest_t = std::max(newest_t, d->t);
      return step_done(ins_det);
    }
    const auto& s = std::get<SensorStatusRow>(b);
    ins_status.bind(1, s.t);
    ins_status.bind(2, s.sensor);
    ins_status.bind(3, s.status);
    ins_status.bind(4, s.detail);
    newest_t = std::max(newest_t, s.t);
    return step_done(ins_status);
  }

  // One transaction. On failure: rolled back, false, the failure in `err` and SQLite's primary
  // result code in `code` (read before the rollback resets it).
  bool transaction(const std::vector<Durable>& dur, const std::vector<Bulk>& rows, std::string& err,
                   int& code) {
    if (sqlite3_exec(w, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      err = sqlite_message(w);
      code = sqlite3_extended_errcode(w) & 0xff;
      return false;
    }
    bool ok = true;
    for (const auto& d : dur) {
      if (!(ok = write_durable(d))) break;
    }
    if (ok) {
      for (const auto& b : rows) {
        if (!(ok = write_bulk(b))) break;
      }
    }
    if (ok) ok = sqlite3_exec(w, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
    if (!ok) {
      err = sqlite_message(w);
      code = sqlite3_extended_errcode(w) & 0xff;
      sqlite3_exec(w, "ROLLBACK", nullptr, nullptr, nullptr);
      return false;
    }
    return true;
  }

  // On a full disk: delete the oldest tenth of the bulk tables to make room for alarms.
  void emergency_prune() {
    ++metrics.emergency_prunes;
    static constexpr const char* kPrune[] = {
        "DELETE FROM track_history WHERE id <= (SELECT id FROM track_history ORDER BY id LIMIT 1 "
        "OFFSET (SELECT count(*) / 10 FROM track_history))",
        "DELETE FROM detections WHERE id <= (SELECT id FROM detections ORDER BY id LIMIT 1 "
        "OFFSET (SELECT count(*) / 10 FROM detections))",
        "DELETE FROM sensor_status WHERE id <= (SELECT id FROM sensor_status ORDER BY id LIMIT 1 "
        "OFFSET (SELECT count(*) / 10 FROM sensor_status))"};
    for (const char* q : kPrune) {
      if (sqlite3_exec(w, q, nullptr, nullptr, nullptr) == SQLITE_OK) {
        metrics.retention_deleted += static_cast<std::uint64_t>(sqlite3_changes(w));
      }
    }
  }

  void retention() {
    if (!(newest_t - last_retention_t >= opt.retention_interval_s)) return;
    last_retention_t = newest_t;
    struct Rule {
      const char* sql;
      double keep;
    } rules[] = {
        // Rows are appended in time order, so the old ones are a prefix in rowid order: scan it
        // from the start (no index on t, which would halve the insert rate).
        {"DELETE FROM track_history WHERE id < coalesce((SELECT id FROM track_history WHERE t >= "
         "?1 ORDER BY id LIMIT 1), (SELECT max(id) + 1 FROM track_history))",
         opt.track_history_keep_s},
        {"DELETE FROM detections WHERE t < ?", opt.detections_keep_s},
        {"DELETE FROM sensor_status WHERE t < ?", opt.sensor_status_keep_s},
        {"DELETE FROM alarm_events WHERE alarm IN (SELECT id FROM alarms WHERE state = "
         "'resolved' AND resolved_t < ?1)",
         opt.resolved_alarms_keep_s},
        {"DELETE FROM evidence WHERE alarm IN (SELECT id FROM alarms WHERE state = "
         "'resolved' AND resolved_t < ?1)",
         opt.resolved_alarms_keep_s},
        {"DELETE FROM alarms WHERE state = 'resolved' AND resolved_t < ?",
         opt.resolved_alarms_keep_s},
    };
    bool deleted = false;
    for (const auto& rule : rules) {
      if (rule.keep <= 0) continue;
      Stmt st(w, rule.sql);
      if (!st.ok()) continue;
      st.bind(1, newest_t - rule.keep);
      if (st.step() == SQLITE_DONE) {
        const auto n = static_cast<std::uint64_t>(sqlite3_changes(w));
        metrics.retention_deleted += n;
        deleted = deleted || n > 0;
      }
    }
    // Size: drop the oldest bulk rows until the used pages fit.
    if (opt.max_bytes > 0) {
      for (int round = 0; round < 20 && used_bytes() > opt.max_bytes; ++round) {
        emergency_prune();
        --metrics.emergency_prunes;  // a planned prune, not an emergency
        deleted = true;
      }
    }
    if (deleted) sqlite3_exec(w, "PRAGMA incremental_vacuum", nullptr, nullptr, nullptr);
  }

  std::uint64_t used_bytes() {
    Stmt pc(w, "PRAGMA page_count");
    Stmt fl(w, "PRAGMA freelist_count");
    Stmt ps(w, "PRAGMA page_size");
    if (pc.step() != SQLITE_ROW || fl.step() != SQLITE_ROW || ps.step() != SQLITE_ROW) return 0;
    return static_cast<std::uint64_t>(pc.integer(0) - fl.integer(0)) *
           static_cast<std::uint64_t>(ps.integer(0));
  }

  void set_error(std::string what) {
    std::lock_guard lk(mu);
    last_error = Error{opt.path, "write failed: " + what};
  }

  void run() {
    std::vector<Durable> dur;
    std::vector<Bulk> rows;
    double backoff_s = 0;
    int failures_while_stopping = 0;
    for (;;) {
      {
        std::unique_lock lk(mu);
        if (backoff_s > 0 && !stopping) {
          cv_work.wait_for(lk, std::chrono::duration<double>(backoff_s), [&] { return stopping; });
        }
        cv_work.wait(lk, [&] { return stopping || !bulk.empty() || !durable.empty(); });
        if (bulk.empty() && durable.empty()) break;  // stopping, nothing left
        if (stopping && backoff_s > 0 && failures_while_stopping >= 3) break;  // give up
        dur.assign(std::make_move_iterator(durable.begin()),
                   std::make_move_iterator(durable.end()));
        durable.clear();
        const size_t n = std::min(bulk.size(), opt.max_batch);
        rows.assign(std::make_move_iterator(bulk.begin()),
                    std::make_move_iterator(bulk.begin() + static_cast<long>(n)));
        bulk.erase(bulk.begin(), bulk.begin() + static_cast<long>(n));
        metrics.queue_depth = bulk.size();
      }
      std::string err;
      int code = SQLITE_OK;
      bool ok = transaction(dur, rows, err, code);
      const bool clean = ok;
      size_t rows_done = rows.size();
      if (!ok) {
        ++metrics.write_failures;
        const bool full = code == SQLITE_FULL;
        set_error(err + (full ? " (the disk or the store's size limit is full)" : ""));
        if (full) emergency_prune();
        // The alarm events alone, without the bulk rows.
        std::string err2;
        int code2 = SQLITE_OK;
        ok = dur.empty() || transaction(dur, {}, err2, code2);
        metrics.dropped_write_failure += rows.size();
        if (!ok) {
          // Keep them, in order, in front of anything put since.
          std::lock_guard lk(mu);
          for (auto it = dur.rbegin(); it != dur.rend(); ++it)
            durable.push_front(std::move(*it));
          dur.clear();
          bulk_done += rows_done;
          cv_done.notify_all();
          backoff_s = std::clamp(backoff_s * 2, 0.05, 2.0);
          if (stopping) ++failures_while_stopping;
          continue;
        }
      } else {
        ++metrics.batches;
        for (const auto& b : rows) {
          if (std::holds_alternative<TrackRow>(b)) {
            ++metrics.track_rows;
          } else if (std::holds_alternative<DetectionRow>(b)) {
            ++metrics.detection_rows;
          } else {
            ++metrics.status_rows;
          }
        }
      }
      backoff_s = 0;
      std::vector<AlarmEvent> committed;
      std::uint64_t max_ticket = 0;
      for (auto& d : dur) {
        max_ticket = std::max(max_ticket, d.ticket);
        if (auto* e = std::get_if<AlarmEvent>(&d.item)) {
          committed.push_back(std::move(*e));
          ++metrics.alarm_events;
        } else if (std::holds_alternative<AuditRow>(d.item)) {
          ++metrics.audit_rows;
        } else {
          ++metrics.evidence_rows;
        }
      }
      // Announce first, then wake those waiting for durability, then the side work.
      if (on_commit && !committed.empty()) on_commit(committed);
      {
        std::lock_guard lk(mu);
        if (max_ticket) committed_ticket = std::max(committed_ticket, max_ticket);
        metrics.pending_alarm_events -= committed.size();
        if (clean) last_error.reset();
      }
      cv_done.notify_all();
      dur.clear();
      retention();
      {
        std::lock_guard lk(mu);
        bulk_done += rows_done;
      }
      cv_done.notify_all();
    }
    cv_done.notify_all();
  }

  // --- reading ------------------------------------------------------------------------------

  template <class F>
  auto read(F&& f) -> decltype(f()) {
    std::lock_guard lk(rmu);
    return f();
  }

  Error read_error(const char* doing) {
    return Error{opt.path, fmt::format("{}: {}", doing, sqlite_message(r))};
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  (void)close();
}

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& options, CommitCallback on_commit) {
  if (options.path.empty()) return Error{"store", "no file name given"};
  auto impl = std::make_unique<Impl>();
  impl->opt = options;
  impl->on_commit = std::move(on_commit);
  const std::string& path = options.path;
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  if (existed && std::filesystem::is_directory(path, ec)) {
    return Error{path, "is a directory, not a store file"};
  }
  std::string err;
  impl->w =
      open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, err);
  if (!impl->w) return Error{path, "cannot open: " + err};
  sqlite3* w = impl->w;
  PICKET_TRY(version, identify(w, path));
  if (existed && version > 0) {
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size <= options.quick_check_max_bytes) {
      if (auto st = quick_check(w, path); !st) return st.error();
    }
  }
  // WAL: readers never block the writer, and a crash never corrupts the file.
  {
    Stmt wal(w, "PRAGMA journal_mode = WAL");
    if (!wal.ok() || wal.step() != SQLITE_ROW || wal.text(0) != "wal") {
      return Error{path, "cannot switch to WAL mode: " + sqlite_message(w)};
    }
  }
  const std::string pragmas = fmt::format(
      "PRAGMA synchronous = {}; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
      options.synchronous_full ? "FULL" : "NORMAL");
  if (auto st = exec(w, path, pragmas.c_str(), "configuring"); !st) return st.error();
  if (version < kSchemaVersion) {
    if (auto st = migrate(w, path, version); !st) return st.error();
  }
  if (options.max_page_count > 0) {
    const std::string q = fmt::format("PRAGMA max_page_count = {}", options.max_page_count);
    if (auto st = exec(w, path, q.c_str(), "configuring"); !st) return st.error();
  }
  if (auto st = impl->prepare(); !st) return st.error();
  impl->r = open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, err);
  if (!impl->r) return Error{path, "cannot open for reading: " + err};
  Impl* raw = impl.get();
  impl->writer = std::thread([raw] { raw->run(); });
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

bool Store::put_track(const TrackRow& row) {
  Impl& d = *impl_;
  {
    std::lock_guard lk(d.mu);
    if (d.stopping || d.bulk.size() >= d.opt.queue_capacity) {
      ++d.metrics.dropped_full_queue;
      return false;
    }
    d.bulk.emplace_back(row);
    ++d.bulk_enqueued;
    d.metrics.queue_depth = d.bulk.size();
  }
  d.cv_work.notify_one();
  return true;
}

bool Store::put_detection(DetectionRow row) {
  Impl& d = *impl_;
  {
    std::lock_guard lk(d.mu);
    if (d.stopping || d.bulk.size() >= d.opt.queue_capacity) {
      ++d.metrics.dropped_full_queue;
      return false;
    }
    d.bulk.emplace_back(std::move(row));
    ++d.bulk_enqueued;
    d.metrics.queue_depth = d.bulk.size();
  }
  d.cv_work.notify_one();
  return true;
}

bool Store::put_sensor_status(SensorStatusRow row) {
  Impl& d = *impl_;
  {
    std::lock_guard lk(d.mu);
    if (d.stopping || d.bulk.size() >= d.opt.queue_capacity) {
      ++d.metrics.dropped_full_queue;
      return false;
    }
    d.bulk.emplace_back(std::move(row));
    ++d.bulk_enqueued;
    d.metrics.queue_depth = d.bulk.size();
  }
  d.cv_work.notify_one();
  return true;
}

std::uint64_t Store::put_alarm(const AlarmEvent& event) {
  Impl& d = *impl_;
  std::uint64_t ticket;
  {
    std::lock_guard lk(d.mu);
    ticket = d.next_ticket++;
    d.durable.push_back(Durable{ticket, event});
    ++d.metrics.pending_alarm_events;
  }
  d.cv_work.notify_one();
  return ticket;
}

std::uint64_t Store::put_audit(AuditRow row) {
  Impl& d = *impl_;
  std::uint64_t ticket;
  {
    std::lock_guard lk(d.mu);
    ticket = d.next_ticket++;
    d.durable.push_back(Durable{ticket, std::move(row)});
  }
  d.cv_work.notify_one();
  return ticket;
}

std::uint64_t Store::put_evidence(EvidenceRow row) {
  Impl& d = *impl_;
  std::uint64_t ticket;
  {
    std::lock_guard lk(d.mu);
    ticket = d.next_ticket++;
    d.durable.push_back(Durable{ticket, std::move(row)});
  }
  d.cv_work.notify_one();
  return ticket;
}

Status Store::wait_durable(std::uint64_t ticket, double timeout_s) {
  Impl& d = *impl_;
  std::unique_lock lk(d.mu);
  const bool done = d.cv_done.wait_for(lk, std::chrono::duration<double>(timeout_s), [&] {
    return d.committed_ticket >= ticket || (d.closed && !d.writer.joinable());
  });
  if (done && d.committed_ticket >= ticket) return Ok{};
  return Error{d.opt.path, fmt::format("alarm event not yet durable after {:.3g} s{}", timeout_s,
                                       d.last_error ? ": " + d.last_error->what : "")};
}

Status Store::flush(double timeout_s) {
  Impl& d = *impl_;
  std::unique_lock lk(d.mu);
  const std::uint64_t bulk_target = d.bulk_enqueued;
  const std::uint64_t ticket_target = d.next_ticket - 1;
  const bool done = d.cv_done.wait_for(lk, std::chrono::duration<double>(timeout_s), [&] {
    return (d.bulk_done >= bulk_target && d.committed_ticket >= ticket_target) ||
           !d.writer.joinable();
  });
  if (done && d.committed_ticket >= ticket_target) return Ok{};
  return Error{d.opt.path, fmt::format("{} alarm events and audit entries not yet stored{}",
                                       ticket_target - d.committed_ticket,
                                       d.last_error ? ": " + d.last_error->what : "")};
}

Status Store::close(double timeout_s) {
  Impl& d = *impl_;
  if (!d.writer.joinable()) {
    std::lock_guard lk(d.mu);
    if (!d.durable.empty()) {
      return Error{d.opt.path, fmt::format("{} alarm events and audit entries could not be stored",
                                           d.durable.size())};
    }
    return Ok{};
  }
  Status st = flush(timeout_s);
  {
    std::lock_guard lk(d.mu);
    d.stopping = true;
  }
  d.cv_work.notify_all();
  d.writer.join();
  std::lock_guard lk(d.mu);
  d.closed = true;
  d.cv_done.notify_all();
  if (!d.durable.empty()) {
    return Error{d.opt.path,
                 fmt::format("{} alarm events and audit entries could not be stored{}",
                             d.durable.size(), d.last_error ? ": " + d.last_error->what : "")};
  }
  (void)st;
  return Ok{};
}

Status Store::health() const {
  std::lock_guard lk(impl_->mu);
  if (impl_->last_error) return *impl_->last_error;
  return Ok{};
}

const StoreMetrics& Store::metrics() const {
  return impl_->metrics;
}

const std::string& Store::path() const {
  return impl_->opt.path;
}

Result<std::vector<Alarm>> Store::alarms(const AlarmFilter& f) {
  return impl_->read([&]() -> Result<std::vector<Alarm>> {
    const Where w = alarm_where(f);
    Stmt st(impl_->r,
            fmt::format("SELECT {} FROM alarms{} ORDER BY raised_t DESC, id DESC LIMIT "
                        "{} OFFSET {}",
                        kAlarmColumns, w.sql, std::max(0, f.limit), std::max(0, f.offset)));
    if (!st.ok()) return impl_->read_error("reading alarms");
    bind_where(st, w);
    std::vector<Alarm> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW)
      out.push_back(read_alarm(st));
    if (rc != SQLITE_DONE) return impl_->read_error("reading alarms");
    return out;
  });
}

Result<std::int64_t> Store::count_alarms(const AlarmFilter& f) {
  return impl_->read([&]() -> Result<std::int64_t> {
    const Where w = alarm_where(f);
    Stmt st(impl_->r, "SELECT count(*) FROM alarms" + w.sql);
    if (!st.ok()) return impl_->read_error("counting alarms");
    bind_where(st, w);
    if (st.step() != SQLITE_ROW) return impl_->read_error("counting alarms");
    return st.integer(0);
  });
}

Result<std::optional<Alarm>> Store::alarm(std::uint64_t id) {
  return impl_->read([&]() -> Result<std::optional<Alarm>> {
    Stmt st(impl_->r, fmt::format("SELECT {} FROM alarms WHERE id = ?", kAlarmColumns));
    if (!st.ok()) return impl_->read_error("reading an alarm");
    st.bind(1, id);
    const int rc = st.step();
    if (rc == SQLITE_ROW) return std::optional<Alarm>(read_alarm(st));
    if (rc == SQLITE_DONE) return std::optional<Alarm>();
    return impl_->read_error("reading an alarm");
  });
}

namespace {

Result<std::vector<AlarmEvent>> read_events(sqlite3* db, Stmt& st, const std::string& path) {
  std::vector<AlarmEvent> out;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW) {
    auto e = formats::parse_alarm_event(st.text(0));
    if (!e) {
      return Error{path, fmt::format("alarm event {}/{} is damaged: {}", st.integer(1),
                                     st.integer(2), e.error().message())};
    }
    out.push_back(std::move(*e));
  }
  if (rc != SQLITE_DONE) return Error{path, "reading alarm events: " + sqlite_message(db)};
  return out;
}

}  // namespace

Result<std::vector<AlarmEvent>> Store::alarm_events(std::uint64_t id) {
  return impl_->read([&]() -> Result<std::vector<AlarmEvent>> {
    Stmt st(impl_->r, "SELECT json, alarm, seq FROM alarm_events WHERE alarm = ? ORDER BY seq");
    if (!st.ok()) return impl_->read_error("reading alarm events");
    st.bind(1, id);
    return read_events(impl_->r, st, impl_->opt.path);
  });
}

Result<std::vector<AlarmEvent>> Store::all_alarm_events() {
  return impl_->read([&]() -> Result<std::vector<AlarmEvent>> {
    Stmt st(impl_->r, "SELECT json, alarm, seq FROM alarm_events ORDER BY id");
    if (!st.ok()) return impl_->read_error("reading alarm events");
    return read_events(impl_->r, st, impl_->opt.path);
  });
}

Result<std::vector<TrackRow>> Store::track_history(std::uint64_t track, double from, double to) {
  return impl_->read([&]() -> Result<std::vector<TrackRow>> {
    Stmt st(impl_->r,
            "SELECT track, t, east, north, up, ve, vn, vu, status, class, class_p, air FROM "
            "track_history WHERE track = ? AND t >= ? AND t <= ? ORDER BY t, id");
    if (!st.ok()) return impl_->read_error("reading track history");
    st.bind(1, track);
    st.bind(2, from);
    st.bind(3, to);
    std::vector<TrackRow> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
      TrackRow r;
      r.track = static_cast<std::uint64_t>(st.integer(0));
      r.t = st.real(1);
      r.east = st.real(2);
      r.north = st.real(3);
      r.up = st.real(4);
      r.ve = st.real(5);
      r.vn = st.real(6);
      r.vu = st.real(7);
      r.status = static_cast<TrackStatus>(std::clamp<std::int64_t>(st.integer(8), 0, 3));
      r.cls = static_cast<TargetClass>(std::clamp<std::int64_t>(st.integer(9), 0, kNumClasses - 1));
      r.class_p = st.real(10);
      r.air = st.integer(11) != 0;
      out.push_back(r);
    }
    if (rc != SQLITE_DONE) return impl_->read_error("reading track history");
    return out;
  });
}

Result<std::vector<DetectionRow>> Store::detections(double from, double to) {
  return impl_->read([&]() -> Result<std::vector<DetectionRow>> {
    Stmt st(impl_->r,
            "SELECT t, sensor, line FROM detections WHERE t >= ? AND t <= ? ORDER BY t, id");
    if (!st.ok()) return impl_->read_error("reading detections");
    st.bind(1, from);
    st.bind(2, to);
    std::vector<DetectionRow> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW)
      out.push_back(DetectionRow{st.real(0), st.text(1), st.text(2)});
    if (rc != SQLITE_DONE) return impl_->read_error("reading detections");
    return out;
  });
}

Result<std::vector<AuditRow>> Store::audit_log(int limit) {
  return impl_->read([&]() -> Result<std::vector<AuditRow>> {
    Stmt st(impl_->r,
            "SELECT t, actor, action, target, detail, client FROM audit ORDER BY id DESC "
            "LIMIT ?");
    if (!st.ok()) return impl_->read_error("reading the audit log");
    st.bind(1, limit);
    std::vector<AuditRow> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
      out.push_back(
          AuditRow{st.real(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5)});
    }
    if (rc != SQLITE_DONE) return impl_->read_error("reading the audit log");
    return out;
  });
}

Result<std::uint64_t> Store::max_alarm_id() {
  return impl_->read([&]() -> Result<std::uint64_t> {
    Stmt st(impl_->r, "SELECT coalesce(max(id), 0) FROM alarms");
    if (!st.ok() || st.step() != SQLITE_ROW) return impl_->read_error("reading alarms");
    return static_cast<std::uint64_t>(st.integer(0));
  });
}

Result<std::uint64_t> Store::max_alarm_id_below(std::uint64_t limit) {
  return impl_->read([&]() -> Result<std::uint64_t> {
    Stmt st(impl_->r, "SELECT coalesce(max(id), 0) FROM alarms WHERE id < ?");
    if (!st.ok()) return impl_->read_error("reading alarms");
    st.bind(1, limit);
    if (st.step() != SQLITE_ROW) return impl_->read_error("reading alarms");
    return static_cast<std::uint64_t>(st.integer(0));
  });
}

namespace {
TrackRow track_row(const Stmt& st) {
  TrackRow r;
  r.track = static_cast<std::uint64_t>(st.integer(0));
  r.t = st.real(1);
  r.east = st.real(2);
  r.north = st.real(3);
  r.up = st.real(4);
  r.ve = st.real(5);
  r.vn = st.real(6);
  r.vu = st.real(7);
  r.status = static_cast<TrackStatus>(std::clamp<std::int64_t>(st.integer(8), 0, 3));
  r.cls = static_cast<TargetClass>(std::clamp<std::int64_t>(st.integer(9), 0, kNumClasses - 1));
  r.class_p = st.real(10);
  r.air = st.integer(11) != 0;
  return r;
}
}  // namespace

Result<std::vector<TrackRow>> Store::tracks_between(double from, double to, int limit) {
  return impl_->read([&]() -> Result<std::vector<TrackRow>> {
    Stmt st(impl_->r,
            "SELECT track, t, east, north, up, ve, vn, vu, status, class, class_p, air FROM "
            "track_history WHERE t >= ? AND t <= ? ORDER BY t, id LIMIT ?");
    if (!st.ok()) return impl_->read_error("reading track history");
    st.bind(1, from);
    st.bind(2, to);
    st.bind(3, limit);
    std::vector<TrackRow> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW)
      out.push_back(track_row(st));
    if (rc != SQLITE_DONE) return impl_->read_error("reading track history");
    return out;
  });
}

Result<std::optional<std::pair<double, double>>> Store::track_history_range() {
  return impl_->read([&]() -> Result<std::optional<std::pair<double, double>>> {
    Stmt st(impl_->r, "SELECT min(t), max(t), count(*) FROM track_history");
    if (!st.ok() || st.step() != SQLITE_ROW) return impl_->read_error("reading track history");
    if (st.integer(2) == 0) return std::optional<std::pair<double, double>>();
    return std::optional<std::pair<double, double>>(std::make_pair(st.real(0), st.real(1)));
  });
}

Status Store::clear_bulk() {
  return impl_->read([&]() -> Status {
    return exec(impl_->r, impl_->opt.path,
                "BEGIN IMMEDIATE; DELETE FROM track_history; DELETE FROM detections; "
                "DELETE FROM sensor_status; COMMIT;",
                "clearing the bulk tables");
  });
}

Status Store::set_meta(const std::string& key, const std::string& value) {
  return impl_->read([&]() -> Status {
    Stmt st(impl_->r, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    if (!st.ok()) return impl_->read_error("writing metadata");
    st.bind(1, key);
    st.bind(2, value);
    if (st.step() != SQLITE_DONE) return impl_->read_error("writing metadata");
    return Ok{};
  });
}

Result<std::optional<std::string>> Store::meta(const std::string& key) {
  return impl_->read([&]() -> Result<std::optional<std::string>> {
    Stmt st(impl_->r, "SELECT value FROM meta WHERE key = ?");
    if (!st.ok()) return impl_->read_error("reading metadata");
    st.bind(1, key);
    const int rc = st.step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(st.text(0));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return impl_->read_error("reading metadata");
  });
}

Result<std::vector<EvidenceRow>> Store::evidence(std::uint64_t alarm) {
  return impl_->read([&]() -> Result<std::vector<EvidenceRow>> {
    Stmt st(impl_->r,
            "SELECT camera, kind, idx, t, width, height, complete, length(jpeg) FROM evidence "
            "WHERE alarm = ? ORDER BY camera, kind, idx");
    if (!st.ok()) return impl_->read_error("reading evidence");
    st.bind(1, alarm);
    std::vector<EvidenceRow> out;
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) {
      EvidenceRow e;
      e.alarm = alarm;
      e.camera = st.text(0);
      e.kind = st.text(1);
      e.index = static_cast<int>(st.integer(2));
      e.t = st.real(3);
      e.width = static_cast<int>(st.integer(4));
      e.height = static_cast<int>(st.integer(5));
      e.complete = st.integer(6) != 0;
      e.bytes = static_cast<std::size_t>(st.integer(7));
      out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) return impl_->read_error("reading evidence");
    return out;
  });
}

Result<std::optional<std::vector<std::uint8_t>>> Store::evidence_image(std::uint64_t alarm,
                                                                       const std::string& camera,
                                                                       const std::string& kind,
                                                                       int index) {
  using Image = std::optional<std::vector<std::uint8_t>>;
  return impl_->read([&]() -> Result<Image> {
    Stmt st(impl_->r,
            "SELECT jpeg FROM evidence WHERE alarm = ? AND camera = ? AND kind = ? AND idx = ?");
    if (!st.ok()) return impl_->read_error("reading evidence");
    st.bind(1, alarm);
    st.bind(2, camera);
    st.bind(3, kind);
    st.bind(4, index);
    const int rc = st.step();
    if (rc == SQLITE_DONE) return Image();
    if (rc != SQLITE_ROW) return impl_->read_error("reading evidence");
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st.get(), 0));
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(st.get(), 0));
    return Image(std::vector<std::uint8_t>(p, p + n));
  });
}

Status Store::export_csv(const std::string& path, const AlarmFilter& filter) {
  AlarmFilter f = filter;
  f.limit = std::numeric_limits<int>::max();
  PICKET_TRY(list, alarms(f));
  std::ofstream out(path, std::ios::binary);
  if (!out) return Error{path, "cannot create the file"};
  out << "id,raised,raised_t,kind,rule,priority,state,confirmed,score,track,fence,segment,"
         "direction,zone,sensor,east,north,class,class_p,count,text,acknowledged_by,"
         "acknowledged_t,outcome,resolved_by,resolved_t,exercise\r\n";
  std::reverse(list.begin(), list.end());  // oldest first
  for (const Alarm& a : list) {
    out << a.id << ',' << format_iso8601(a.raised_t) << ',' << fmt::format("{:.6f}", a.raised_t)
        << ',' << to_string(a.kind) << ',' << csv_field(a.rule) << ',' << to_string(a.priority)
        << ',' << to_string(a.state) << ',' << (a.confirmed ? "true" : "false") << ','
        << fmt::format("{:.4f}", a.score) << ',' << (a.track ? std::to_string(a.track) : "") << ','
        << csv_field(a.fence) << ',' << (a.segment ? std::to_string(a.segment) : "") << ','
        << (a.direction ? to_string(*a.direction) : "") << ',' << csv_field(a.zone) << ','
        << csv_field(a.sensor) << ',' << fmt::format("{:.3f}", a.east) << ','
        << fmt::format("{:.3f}", a.north) << ',' << (a.track ? to_string(a.cls) : "") << ','
        << (a.track ? fmt::format("{:.4f}", a.class_p) : "") << ',' << a.count << ','
        << csv_field(a.text) << ',' << csv_field(a.acknowledged_by) << ','
        << (a.acknowledged_by.empty() ? "" : fmt::format("{:.6f}", a.acknowledged_t)) << ','
        << (a.outcome == AlarmOutcome::none ? "" : to_string(a.outcome)) << ','
        << csv_field(a.resolved_by) << ','
        << (a.resolved_by.empty() ? "" : fmt::format("{:.6f}", a.resolved_t)) << ','
        << (a.exercise ? "true" : "false") << "\r\n";
  }
  out.flush();
  if (!out) return Error{path, "write failed (disk full?)"};
  return Ok{};
}

Status Store::export_geojson(const std::string& path, const AlarmFilter& filter,
                             const LocalFrame* frame) {
  std::optional<LocalFrame> own;
  if (!frame) {
    PICKET_TRY(origin, meta("site.origin"));
    if (!origin) {
      return Error{impl_->opt.path, "the store does not know its site origin; give the site file"};
    }
    Geodetic g;
    if (std::sscanf(origin->c_str(), "%lf,%lf,%lf", &g.lat_deg, &g.lon_deg, &g.alt_m) != 3) {
      return Error{impl_->opt.path, "damaged site origin in meta: " + *origin};
    }
    own.emplace(g);
    frame = &*own;
  }
  AlarmFilter f = filter;
  f.limit = std::numeric_limits<int>::max();
  PICKET_TRY(list, alarms(f));
  std::reverse(list.begin(), list.end());
  std::ofstream out(path, std::ios::binary);
  if (!out) return Error{path, "cannot create the file"};
  out << "{\"type\":\"FeatureCollection\",\"features\":[";
  for (size_t i = 0; i < list.size(); ++i) {
    const Alarm& a = list[i];
    const Geodetic g = frame->to_geodetic(Enu(a.east, a.north, a.up.value_or(0)));
    out << (i ? ",\n" : "\n") << "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
        << fmt::format("\"coordinates\":[{:.8f},{:.8f}]}},", g.lon_deg, g.lat_deg)
        << "\"properties\":{"
        << fmt::format("\"id\":{},\"raised\":{},\"raised_t\":{:.6f}", a.id,
                       json_string(format_iso8601(a.raised_t)), a.raised_t)
        << ",\"kind\":" << json_string(to_string(a.kind)) << ",\"rule\":" << json_string(a.rule)
        << ",\"priority\":" << json_string(to_string(a.priority))
        << ",\"state\":" << json_string(to_string(a.state))
        << ",\"confirmed\":" << (a.confirmed ? "true" : "false")
        << fmt::format(",\"score\":{:.4f}", a.score);
    if (a.track) out << ",\"track\":" << a.track << ",\"class\":" << json_string(to_string(a.cls));
    if (!a.fence.empty()) out << ",\"fence\":" << json_string(a.fence);
    if (a.segment) out << ",\"segment\":" << a.segment;
    if (!a.zone.empty()) out << ",\"zone\":" << json_string(a.zone);
    if (!a.sensor.empty()) out << ",\"sensor\":" << json_string(a.sensor);
    out << fmt::format(",\"east\":{:.3f},\"north\":{:.3f}", a.east, a.north)
        << ",\"count\":" << a.count << ",\"text\":" << json_string(a.text);
    if (a.outcome != AlarmOutcome::none)
      out << ",\"outcome\":" << json_string(to_string(a.outcome));
    out << "}}";
  }
  out << "\n]}\n";
  out.flush();
  if (!out) return Error{path, "write failed (disk full?)"};
  return Ok{};
}

Result<std::string> check_store(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Error{path, "no such file"};
  std::string err;
  sqlite3* db = open_connection(path, SQLITE_OPEN_READWRITE, err);
  if (!db) db = open_connection(path, SQLITE_OPEN_READONLY, err);
  if (!db) return Error{path, "cannot open: " + err};
  struct Closer {
    sqlite3* db;
    ~Closer() { sqlite3_close_v2(db); }
  } closer{db};
  PICKET_TRY(version, identify(db, path));
  if (version == 0) return Error{path, "not a Picket store: an empty database"};
  Stmt st(db, "PRAGMA integrity_check");
  if (!st.ok()) return Error{path, "integrity check failed: " + sqlite_message(db)};
  std::string result;
  int rc;
  while ((rc = st.step()) == SQLITE_ROW)
    result += (result.empty() ? "" : "\n") + st.text(0);
  if (rc != SQLITE_DONE) {
    return Error{path, "integrity check failed: " + sqlite_message(db)};
  }
  return result;
}

Result<StoreOptions> read_store_options(const Site& site) {
  StoreOptions o;
  auto it = site.sections.find("store");
  if (it == site.sections.end()) return o;
  auto errors = std::make_shared<ConfigErrors>();
  const ConfigNode n(it->second.yaml(), it->second.file(), it->second.field(), errors,
                     it->second.line());
  if (n.present() &&
      n.expect_keys({"path", "synchronous", "queue", "track_sample_interval", "retention"})) {
    if (n["path"].present()) {
      const std::string p = n.string("path", "");
      o.path = std::filesystem::path(p).is_absolute() || n.directory().empty()
                   ? p
                   : (std::filesystem::path(n.directory()) / p).string();
    }
    o.synchronous_full = n.choice("synchronous", {"full", "normal"}, "full") == "full";
    o.queue_capacity = static_cast<std::size_t>(n.integer("queue", 200'000, 1000, 100'000'000));
    o.track_sample_interval_s = n.number("track_sample_interval", 1, 0, 3600);
    if (const ConfigNode r = n["retention"];
        r.present() &&
        r.expect_keys({"track_history_hours", "detections_hours", "sensor_status_hours",
                       "resolved_alarms_days", "max_size_mb"})) {
      o.track_history_keep_s = r.number("track_history_hours", 168, 0, 24 * 3650.0) * 3600;
      o.detections_keep_s = r.number("detections_hours", 24, 0, 24 * 3650.0) * 3600;
      o.sensor_status_keep_s = r.number("sensor_status_hours", 720, 0, 24 * 3650.0) * 3600;
      o.resolved_alarms_keep_s = r.number("resolved_alarms_days", 0, 0, 36500) * 86400;
      o.max_bytes = static_cast<std::uint64_t>(r.number("max_size_mb", 0, 0, 1e9) * 1048576.0);
    }
  }
  if (auto st = errors->status(); !st) return st.error();
  return o;
}

}  // namespace picket::store

#include "picket/store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "picket/formats/alarms.h"

namespace picket::store {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> n{0};
    path_ = fs::temp_directory_path() /
            ("picket_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

AlarmEvent event(std::uint64_t id, std::uint32_t seq, double t, AlarmEventType type,
                 const std::string& text = "track 1 (person) entered Inner") {
  AlarmEvent e;
  e.t = t;
  e.type = type;
  e.actor = type == AlarmEventType::acknowledged ? "alice" : "rules";
  Alarm& a = e.alarm;
  a.id = id;
  a.seq = seq;
  a.kind = AlarmKind::zone_entry;
  a.rule = "enter";
  a.priority = AlarmPriority::high;
  a.state = type == AlarmEventType::acknowledged ? AlarmState::acknowledged : AlarmState::raised;
  a.confirmed = true;
  a.score = 0.75;
  a.confirmations = 2;
  a.track = id * 10;
  a.zone = "inner";
  a.east = 10.5;
  a.north = -20.25;
  a.cls = TargetClass::person;
  a.class_p = 0.9;
  a.sensors = {"cam-1", "radar-1"};
  a.raised_t = t - (seq - 1);
  a.trigger_t = a.raised_t;
  a.last_t = t;
  a.count = static_cast<int>(seq);
  a.text = text;
  if (type == AlarmEventType::acknowledged) {
    a.acknowledged_by = "alice";
    a.acknowledged_t = t;
  }
  return e;
}

std::string line_of(const AlarmEvent& e) {
  std::string s;
  formats::append_alarm_event(s, e);
  return s;
}

// Runs SQL on a file with the raw SQLite API (to build foreign and damaged files).
void raw_sql(const std::string& path, const char* sql_text) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql_text, nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

std::int64_t raw_int(const std::string& path, const char* query) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, query, -1, &st, nullptr), SQLITE_OK);
  std::int64_t v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

StoreOptions options(const std::string& path) {
  StoreOptions o;
  o.path = path;
  return o;
}

TEST(Store, CreatesAVersionedWalDatabase) {
  TempDir dir;
  const std::string path = dir.file("picket.db");
  {
    auto store = Store::open(options(path));
    ASSERT_TRUE(store) << store.error().message();
    ASSERT_TRUE((*store)->close());
  }
  EXPECT_EQ(raw_int(path, "PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(raw_int(path, "PRAGMA user_version"), kSchemaVersion);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
  auto check = check_store(path);
  ASSERT_TRUE(check) << check.error().message();
  EXPECT_EQ(*check, "ok");
  // Opening again needs no migration and keeps the version.
  auto again = Store::open(options(path));
  ASSERT_TRUE(again) << again.error().message();
}

TEST(Store, AlarmsAreDurableBeforeTheyAreAnnounced) {
  TempDir dir;
  const std::string path = dir.file("picket.db");
  std::mutex mu;
  std::vector<std::string> announced;
  std::vector<std::string> missing_at_announce;
  auto store = Store::open(options(path), [&](const std::vector<AlarmEvent>& events) {
    // On announcement the events must already be in the file: read them with another
    // connection.
    for (const auto& e : events) {
      const std::string q =
          "SELECT count(*) FROM alarm_events WHERE alarm = " + std::to_string(e.alarm.id) +
          " AND seq = " + std::to_string(e.alarm.seq);
      std::lock_guard lk(mu);
      if (raw_int(path, q.c_str()) != 1) missing_at_announce.push_back(line_of(e));
      announced.push_back(line_of(e));
    }
  });
  ASSERT_TRUE(store) << store.error().message();
  std::vector<std::string> put;
  std::uint64_t last = 0;
  for (std::uint64_t id = 1; id <= 50; ++id) {
    for (std::uint32_t seq = 1; seq <= 3; ++seq) {
      const auto e = event(id, seq, 1000 + id + seq,
                           seq == 3 ? AlarmEventType::acknowledged : AlarmEventType::updated);
      put.push_back(line_of(e));
      last = (*store)->put_alarm(e);
      (*store)->put_track(TrackRow{id, 1000.0 + id + seq});
    }
  }
  ASSERT_TRUE((*store)->wait_durable(last, 30));
  ASSERT_TRUE((*store)->flush());
  {
    std::lock_guard lk(mu);
    EXPECT_TRUE(announced == put) << "every event, once, in the order put: " << announced.size()
                                  << " announced, " << put.size() << " put";
    EXPECT_TRUE(missing_at_announce.empty());
  }
  // Reading back.
  auto events = (*store)->alarm_events(7);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ(line_of((*events)[2]), put[6 * 3 + 2]);
  auto a = (*store)->alarm(7);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->seq, 3u);
  EXPECT_EQ((*a)->state, AlarmState::acknowledged);
  EXPECT_EQ((*a)->acknowledged_by, "alice");
  EXPECT_EQ((*a)->sensors, (std::vector<std::string>{"cam-1", "radar-1"}));
  EXPECT_EQ((*a)->zone, "inner");
  AlarmFilter f;
  f.state = AlarmState::acknowledged;
  f.limit = 10;
  auto list = (*store)->alarms(f);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 10u);
  EXPECT_EQ((*list)[0].id, 50u);  // newest first
  auto n = (*store)->count_alarms(f);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 50);
  auto max = (*store)->max_alarm_id();
  ASSERT_TRUE(max);
  EXPECT_EQ(*max, 50u);
  EXPECT_EQ((*store)->metrics().alarm_events.load(), 150u);
  EXPECT_EQ((*store)->metrics().pending_alarm_events.load(), 0u);
}

TEST(Store, KeepsTracksDetectionsStatusAuditAndMeta) {
  TempDir dir;
  const std::string path = dir.file("picket.db");
  {
    auto store = Store::open(options(path));
    ASSERT_TRUE(store);
    TrackRow r;
    r.track = 4;
    r.east = 1.5;
    r.north = -2.5;
    r.ve = 0.5;
    r.status = TrackStatus::coasting;
    r.cls = TargetClass::vehicle;
    r.class_p = 0.7;
    for (int i = 0; i < 10; ++i) {
      r.t = 100 + i;
      ASSERT_TRUE((*store)->put_track(r));
    }
    ASSERT_TRUE((*store)->put_detection({100.5, "radar-1", R"({"t":100.5,"sensor":"radar-1"})"}));
    ASSERT_TRUE((*store)->put_sensor_status({101, "fence-1", "tamper", "lid open"}));
    (*store)->put_audit({102, "alice", "acknowledge", "alarm 3", "on my way", "127.0.0.1"});
    ASSERT_TRUE((*store)->set_meta("site.name", "test"));
    ASSERT_TRUE((*store)->close());
  }
  auto store = Store::open(options(path));
  ASSERT_TRUE(store);
  auto h = (*store)->track_history(4, 103, 106);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 4u);
  EXPECT_DOUBLE_EQ((*h)[0].t, 103);
  EXPECT_EQ((*h)[0].status, TrackStatus::coasting);
  EXPECT_EQ((*h)[0].cls, TargetClass::vehicle);
  EXPECT_DOUBLE_EQ((*h)[0].north, -2.5);
  auto d = (*store)->detections(0, 1e9);
  ASSERT_TRUE(d);
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].line, R"({"t":100.5,"sensor":"radar-1"})");
  auto audit = (*store)->audit_log(10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "acknowledge");
  EXPECT_EQ((*audit)[0].client, "127.0.0.1");
  auto m = (*store)->meta("site.name");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->value_or(""), "test");
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM sensor_status WHERE status = 'tamper'"), 1);
  // A restarted replay clears the bulk rows and keeps the rest.
  ASSERT_TRUE((*store)->clear_bulk());
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM track_history"), 0);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM detections"), 0);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM sensor_status"), 0);
  EXPECT_EQ(raw_int(path, "SELECT count(*) FROM audit"), 1);
}

TEST(Store, SharesItsFileWithTheServersUserDatabase) {
  TempDir dir;
  const std::string path = dir.file("picket.db");
  // The server's UserDb may create its tables first.
  raw_sql(path,
          "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL);"
          "CREATE TABLE audit (id INTEGER PRIMARY KEY, t REAL NOT NULL, actor TEXT,"
          " action TEXT NOT NULL, target TEXT, detail TEXT, client TEXT);"
          "INSERT INTO audit (t, actor, action) VALUES (1, 'admin', 'login');");
  auto store = Store::open(options(path));
  ASSERT_TRUE(store) << store.error().message();
  auto audit = (*store)->audit_log(10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "login");
}

TEST(Store, RefusesForeignNewerAndDamagedFiles) {
  TempDir dir;
  // Not SQLite at all.
  const std::string text = dir.file("notes.db");
  std::ofstream(text) << "these are my notes, not a database\n" << std::string(5000, 'x');
  auto r = Store::open(options(text));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find(text + ": not a Picket store: not an SQLite database"),
            std::string::npos)
      << r.error().message();
  // Another application's SQLite database.
  const std::string other = dir.file("crm.db");
  raw_sql(other, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);");
  r = Store::open(options(other));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("another application (tables: customers)"), std::string::npos)
      << r.error().message();
  const std::string tagged = dir.file("tagged.db");
  raw_sql(tagged, "PRAGMA application_id = 1234; CREATE TABLE x (y);");
  r = Store::open(options(tagged));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("application_id 0x000004d2"), std::string::npos)
      << r.error().message();
  // A store written by a newer Picket.
  const std::string newer = dir.file("newer.db");
  ASSERT_TRUE((*Store::open(options(newer)))->close());
  raw_sql(newer, "PRAGMA user_version = 99;");
  r = Store::open(options(newer));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("written by a newer Picket (store schema version 99"),
            std::string::npos)
      << r.error().message();
  EXPECT_FALSE(check_store(newer));
  // A store whose pages were overwritten.
  const std::string damaged = dir.file("damaged.db");
  {
    auto s = Store::open(options(damaged));
    ASSERT_TRUE(s);
    for (std::uint64_t i = 1; i <= 300; ++i)
      (*s)->put_alarm(event(i, 1, 1000 + i, AlarmEventType::raised, std::string(300, 'a')));
    ASSERT_TRUE((*s)->close());
  }
  raw_sql(damaged, "PRAGMA wal_checkpoint(TRUNCATE);");
  {
    std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
    const auto size = static_cast<long>(fs::file_size(damaged));
    ASSERT_GT(size, 40000);
    f.seekp(size / 2);
    const std::string junk(8192, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  r = Store::open(options(damaged));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("damaged"), std::string::npos) << r.error().message();
  auto check = check_store(damaged);
  ASSERT_TRUE(check);  // the check itself runs, and says what is wrong
  EXPECT_NE(*check, "ok");
  // A directory.
  r = Store::open(options(dir.file("")));
  ASSERT_FALSE(r);
}

// A full disk, simulated with a size limit on the file (PRAGMA max_page_count): the failure is
// reported in words, nothing already stored is lost, and alarm events still get stored by
// giving up the oldest track history.
TEST(Store, FullDiskLosesNoStoredAlarm) {
  TempDir dir;
  const std::string path = dir.file("picket.db");
  StoreOptions o = options(path);
  o.max_page_count = 80;  // 320 KiB
  std::atomic<int> announced{0};
  auto store = Store::open(
      o, [&](const std::vector<AlarmEvent>& e) { announced += static_cast<int>(e.size()); });
  ASSERT_TRUE(store) << store.error().message();
  std::uint64_t last = 0;
  for (std::uint64_t i = 1; i <= 20; ++i)
    last = (*store)->put_alarm(event(i, 1, i, AlarmEventType::raised));
  ASSERT_TRUE((*store)->wait_durable(last));
  // Flood the track history until the file is full.
  for (int round = 0; round < 40 && (*store)->metrics().write_failures == 0; ++round) {
    for (int i = 0; i < 2000; ++i)
      (*store)->put_track(TrackRow{static_cast<std::uint64_t>(i), 100.0 + round});
    ASSERT_TRUE((*store)->flush());
  }
  ASSERT_GT((*store)->metrics().write_failures.load(), 0u);
  EXPECT_GT((*store)->metrics().dropped_write_failure.load(), 0u);
  EXPECT_GT((*store)->metrics().emergency_prunes.load(), 0u);
  // An alarm raised now still becomes durable (the oldest history made room).
  last = (*store)->put_alarm(event(21, 1, 200, AlarmEventType::raised));
  ASSERT_TRUE((*store)->wait_durable(last, 10));
  ASSERT_TRUE((*store)->close());
  EXPECT_EQ(announced.load(), 21);
  auto again = Store::open(o);
  ASSERT_TRUE(again) << again.error().message();
  auto n = (*again)->count_alarms({});
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 21);
  auto check = check_store(path);
  ASSERT_TRUE(check);
  EXPECT_EQ(*check, "ok");
}

// With nothing left to give up, alarm events that cannot be stored are kept, retried and
// reported — never announced, never silently lost — and what was stored stays.
TEST(Store, FullOfAlarmsReportsWhatCouldNotBeStored) {
  TempDir dir;
  const std::string path = dir.file("picket.db");
  StoreOptions o = options(path);
  o.max_page_count = 40;
  std::atomic<int> announced{0};
  auto store = Store::open(
      o, [&](const std::vector<AlarmEvent>& e) { announced += static_cast<int>(e.size()); });
  ASSERT_TRUE(store);
  std::uint64_t id = 0;
  Status st;
  while (id < 5000) {
    ++id;
    const auto ticket = (*store)->put_alarm(
        event(id, 1, static_cast<double>(id), AlarmEventType::raised, std::string(600, 'w')));
    st = (*store)->wait_durable(ticket, 0.5);
    if (!st) break;
  }
  ASSERT_FALSE(st) << "the store never filled up";
  EXPECT_NE(st.error().message().find("full"), std::string::npos) << st.error().message();
  EXPECT_FALSE((*store)->health());
  const int stored = announced.load();
  EXPECT_EQ(stored, static_cast<int>(id) - 1);
  Status closed = (*store)->close(1);
  ASSERT_FALSE(closed);
  EXPECT_NE(closed.error().message().find("1 alarm events and audit entries could not be stored"),
            std::string::npos)
      << closed.error().message();
  store->reset();
  o.max_page_count = 0;
  auto again = Store::open(o);
  ASSERT_TRUE(again) << again.error().message();
  auto n = (*again)->count_alarms({});
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, stored);
}

TEST(Store, BulkWritesNeverBlockWhenTheQueueIsFull) {
  TempDir dir;
  StoreOptions o = options(dir.file("picket.db"));
  o.queue_capacity = 1000;
  auto store = Store::open(o);
  ASSERT_TRUE(store);
  const auto start = std::chrono::steady_clock::now();
  int refused = 0;
  for (int i = 0; i < 300000; ++i) {
    if (!(*store)->put_track(TrackRow{static_cast<std::uint64_t>(i % 100), i * 0.01})) ++refused;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(refused, 0);
  EXPECT_EQ((*store)->metrics().dropped_full_queue.load(), static_cast<std::uint64_t>(refused));
  EXPECT_LT(s, 10.0);
  ASSERT_TRUE((*store)->flush());
  EXPECT_EQ((*store)->metrics().track_rows.load() + static_cast<std::uint64_t>(refused), 300000u);
}

TEST(Store, RetentionByAgeAgainstDataTime) {
  TempDir dir;
  StoreOptions o = options(dir.file("picket.db"));
  o.track_history_keep_s = 86400;
  o.detections_keep_s = 3600;
  auto store = Store::open(o);
  ASSERT_TRUE(store);
  const double t0 = 1.8e9;
  for (int h = 0; h <= 72; ++h) {
    (*store)->put_track(TrackRow{1, t0 + h * 3600.0});
    (*store)->put_detection({t0 + h * 3600.0, "radar-1", "{}"});
    ASSERT_TRUE((*store)->flush());
  }
  auto h = (*store)->track_history(1, 0, 1e12);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->size(), 25u);  // hours 48..72
  EXPECT_DOUBLE_EQ(h->front().t, t0 + 48 * 3600.0);
  auto d = (*store)->detections(0, 1e12);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->size(), 2u);
  EXPECT_GT((*store)->metrics().retention_deleted.load(), 0u);
}

TEST(Store, ExportsCsvAndGeoJson) {
  TempDir dir;
  auto store = Store::open(options(dir.file("picket.db")));
  ASSERT_TRUE(store);
  auto e = event(1, 1, 1795903200, AlarmEventType::raised, "a \"quoted\", text");
  (*store)->put_alarm(e);
  (*store)->put_alarm(event(2, 1, 1795903260, AlarmEventType::raised));
  ASSERT_TRUE((*store)->flush());
  // No origin known yet.
  EXPECT_FALSE((*store)->export_geojson(dir.file("a.geojson")));
  ASSERT_TRUE((*store)->set_meta("site.origin", "52.1,-1,80"));
  ASSERT_TRUE((*store)->export_csv(dir.file("a.csv")));
  ASSERT_TRUE((*store)->export_geojson(dir.file("a.geojson")));
  std::ifstream csv(dir.file("a.csv"));
  std::stringstream ss;
  ss << csv.rdbuf();
  const std::string text = ss.str();
  EXPECT_EQ(text.rfind("id,raised,raised_t,kind,rule,priority,state,", 0), 0u);
  EXPECT_NE(text.find("\r\n1,2026-11-28T22:00:00.000Z,1795903200.000000,zone_entry,enter,high,"
                      "raised,true,0.7500,10,,,,inner,,10.500,-20.250,person,0.9000,1,"
                      "\"a \"\"quoted\"\", text\""),
            std::string::npos)
      << text;
  std::ifstream gj(dir.file("a.geojson"));
  std::stringstream gs;
  gs << gj.rdbuf();
  const std::string geo = gs.str();
  EXPECT_NE(geo.find("\"type\":\"FeatureCollection\""), std::string::npos);
  EXPECT_NE(geo.find("\"text\":\"a \\\"quoted\\\", text\""), std::string::npos) << geo;
  // 10.5 m east and 20.25 m south of 52.1 N, 1 W.
  EXPECT_NE(geo.find("\"coordinates\":[-0.99984"), std::string::npos) << geo;
  EXPECT_NE(geo.find(",52.09981"), std::string::npos) << geo;
}

TEST(TrackSampler, KeepsOneRowPerIntervalAndEveryStatusChange) {
  TrackSampler s(1.0);
  TrackState t;
  t.id = 1;
  t.status = TrackStatus::tentative;
  int kept = 0;
  for (int i = 0; i < 40; ++i) {
    t.t = i * 0.25;  // 4 Hz for 10 s
    if (i == 10) t.status = TrackStatus::confirmed;
    kept += s.keep(t) ? 1 : 0;
  }
  EXPECT_EQ(kept, 11);  // 0, 1, 2, the change at 2.5, then 3.5 .. 9.5
  t.status = TrackStatus::deleted;
  EXPECT_TRUE(s.keep(t));
}

// The crash test: a child process stores and announces alarms as fast as it can and is killed
// with SIGKILL at a random moment, repeatedly. After each kill every announced alarm event must
// be in the file and the file must pass PRAGMA integrity_check.
TEST(Store, SigkillNeverLosesAnAnnouncedAlarm) {
  TempDir dir;
  const std::string path = dir.file("picket.db");
  const std::string log = dir.file("announced.txt");
  std::mt19937 rng(20261128);
  std::uniform_int_distribution<int> delay_ms(20, 250);
  for (int round = 0; round < 6; ++round) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Child: continue after the alarms already stored; announce after commit.
      FILE* out = std::fopen(log.c_str(), "a");
      if (!out) ::_exit(3);
      auto store = Store::open(options(path), [&](const std::vector<AlarmEvent>& events) {
        std::string lines;
        for (const auto& e : events)
          lines += line_of(e);
        std::fwrite(lines.data(), 1, lines.size(), out);
        std::fflush(out);  // announced = written out of the process
      });
      if (!store) ::_exit(4);
      auto max = (*store)->max_alarm_id();
      std::uint64_t id = max ? *max : 0;
      for (std::uint64_t k = 0;; ++k) {
        ++id;
        (*store)->put_alarm(event(id, 1, 1000.0 + static_cast<double>(id), AlarmEventType::raised));
        (*store)->put_alarm(
            event(id, 2, 1000.5 + static_cast<double>(id), AlarmEventType::updated));
        for (int i = 0; i < 50; ++i)
          (*store)->put_track(TrackRow{static_cast<std::uint64_t>(i), static_cast<double>(k)});
        if (k % 16 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng) + (round == 0 ? 200 : 0)));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child exited early with " << status;
    auto check = check_store(path);
    ASSERT_TRUE(check) << check.error().message();
    ASSERT_EQ(*check, "ok") << "round " << round;
    // Every announced event is stored.
    std::set<std::pair<std::uint64_t, std::uint32_t>> stored;
    {
      auto s = Store::open(options(path));
      ASSERT_TRUE(s) << s.error().message();
      auto all = (*s)->all_alarm_events();
      ASSERT_TRUE(all) << all.error().message();
      for (const auto& e : *all)
        stored.insert({e.alarm.id, e.alarm.seq});
    }
    std::ifstream in(log);
    std::string line;
    int announced = 0;
    while (std::getline(in, line)) {
      auto e = formats::parse_alarm_event(line);
      if (!e) continue;  // a line cut by the kill was never fully announced
      ++announced;
      ASSERT_TRUE(stored.count({e->alarm.id, e->alarm.seq}))
          << "announced but lost: alarm " << e->alarm.id << " event " << e->alarm.seq;
    }
    EXPECT_GT(announced, 0) << "round " << round;
  }
}

}  // namespace
}  // namespace picket::store

namespace picket::store {
namespace {

EvidenceRow evidence_row(std::uint64_t alarm, const std::string& kind, int index, std::uint8_t b) {
  EvidenceRow e;
  e.alarm = alarm;
  e.camera = "cam-gate";
  e.kind = kind;
  e.index = index;
  e.t = 1000 + index;
  e.width = 640;
  e.height = 480;
  e.complete = index != 2;
  e.jpeg = {0xff, 0xd8, b, b, 0xff, 0xd9};
  return e;
}

TEST(Store, KeepsEvidenceDurablyAndReadsItBack) {
  TempDir dir;
  const std::string path = dir.file("picket.db");
  {
    auto store = Store::open(options(path));
    ASSERT_TRUE(store) << store.error().message();
    (*store)->put_evidence(evidence_row(7, "snapshot", 0, 1));
    (*store)->put_evidence(evidence_row(7, "clip", 1, 2));
    const auto last = (*store)->put_evidence(evidence_row(7, "clip", 2, 3));
    (*store)->put_evidence(evidence_row(8, "snapshot", 0, 4));
    ASSERT_TRUE((*store)->wait_durable(last, 10));
    EXPECT_EQ((*store)->metrics().evidence_rows.load(), 4u);
    ASSERT_TRUE((*store)->close());
  }
  auto store = Store::open(options(path));
  ASSERT_TRUE(store) << store.error().message();
  auto list = (*store)->evidence(7);
  ASSERT_TRUE(list) << list.error().message();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].kind, "clip");  // by camera, kind, index
  EXPECT_EQ((*list)[0].index, 1);
  EXPECT_EQ((*list)[1].index, 2);
  EXPECT_FALSE((*list)[1].complete);
  EXPECT_EQ((*list)[2].kind, "snapshot");
  EXPECT_EQ((*list)[2].bytes, 6u);
  EXPECT_EQ((*list)[2].width, 640);
  EXPECT_TRUE((*list)[2].jpeg.empty());
  auto img = (*store)->evidence_image(7, "cam-gate", "clip", 2);
  ASSERT_TRUE(img);
  ASSERT_TRUE(img->has_value());
  EXPECT_EQ(**img, (std::vector<std::uint8_t>{0xff, 0xd8, 3, 3, 0xff, 0xd9}));
  auto none = (*store)->evidence_image(7, "cam-gate", "clip", 9);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  EXPECT_TRUE((*store)->evidence(99)->empty());
  ASSERT_TRUE((*store)->close());
}

TEST(Store, MigratesAVersionOneStore) {
  TempDir dir;
  const std::string path = dir.file("picket.db");
  {
    auto store = Store::open(options(path));
    ASSERT_TRUE(store) << store.error().message();
    (*store)->put_alarm(event(1, 1, 100, AlarmEventType::raised));
    ASSERT_TRUE((*store)->close());
  }
  // Back to the first schema, as a store written before evidence was kept.
  raw_sql(path, "DROP TABLE evidence; PRAGMA user_version = 1;");
  auto store = Store::open(options(path));
  ASSERT_TRUE(store) << store.error().message();
  EXPECT_EQ(raw_int(path, "PRAGMA user_version"), kSchemaVersion);
  auto alarm = (*store)->alarm(1);
  ASSERT_TRUE(alarm);
  EXPECT_TRUE(alarm->has_value());
  const auto t = (*store)->put_evidence(evidence_row(1, "snapshot", 0, 5));
  ASSERT_TRUE((*store)->wait_durable(t, 10));
  EXPECT_EQ((*store)->evidence(1)->size(), 1u);
  ASSERT_TRUE((*store)->close());
}

}  // namespace
}  // namespace picket::store

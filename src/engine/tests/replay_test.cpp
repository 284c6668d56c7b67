// The replay chain on a simulated scenario (the gate rush of examples/scenarios), and run_replay
// end to end: determinism, rerun into the same directory, refusals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "picket/engine/replay.h"
#include "picket/formats/alarms.h"
#include "picket/formats/records.h"
#include "picket/sim/engine.h"
#include "picket/sim/scenario.h"

namespace picket::engine {
namespace {

namespace fs = std::filesystem;

std::string source(const std::string& rel) {
  return std::string(PICKET_SOURCE_DIR) + "/" + rel;
}

struct Collect : sim::Sink {
  std::vector<Detection> detections;
  std::vector<TruthEvent> events;
  void detection(const sim::SimDetection& d) override { detections.push_back(d.det); }
  void truth(const TruthSample&) override {}
  void event(const TruthEvent& e) override { events.push_back(e); }
};

const Collect& gate_rush() {
  static const Collect c = [] {
    Collect out;
    auto sc = sim::load_scenario(source("examples/scenarios/gate-rush.yaml"));
    EXPECT_TRUE(sc) << sc.error().message();
    sim::Simulator s(*sc, sc->seed);
    s.run(out);
    return out;
  }();
  return c;
}

struct Run {
  std::vector<std::string> lines;  // alarm events as alarms.jsonl lines
  std::vector<AlarmEvent> events;
  std::uint64_t track_updates = 0;
  std::uint64_t late = 0;
  rules::RulesMetrics metrics;
};

Run run_chain(const Site& site, const std::vector<Detection>& ds) {
  Run r;
  auto chain = ReplayChain::create(
      site, [&](const TrackState&) { ++r.track_updates; },
      [&](const AlarmEvent& e) {
        r.events.push_back(e);
        r.lines.emplace_back();
        formats::append_alarm_event(r.lines.back(), e);
      });
  EXPECT_TRUE(chain) << chain.error().message();
  std::uint64_t ref = 0;
  for (const auto& d : ds)
    (*chain)->push(d, ++ref);
  (*chain)->finish();
  r.metrics = (*chain)->rules().metrics();
  r.late = (*chain)->late();
  return r;
}

TEST(ReplayChain, GateRushAlarmsTheCrossingWithinTwoSecondsAndIsDeterministic) {
  auto site = load_site(source("examples/demo-site.yaml"));
  ASSERT_TRUE(site) << site.error().message();
  const auto& sim = gate_rush();
  ASSERT_GT(sim.detections.size(), 500u);
  const auto a = run_chain(*site, sim.detections);
  const auto b = run_chain(*site, sim.detections);
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_GT(a.track_updates, 100u);
  // The rules saw reports and position updates in time order.
  EXPECT_EQ(a.late, 0u);
  EXPECT_EQ(a.metrics.bad_inputs, 0u);

  const TruthEvent* crossing = nullptr;
  for (const auto& e : sim.events) {
    if (e.event == TruthEventKind::fence_crossing) crossing = &e;
  }
  ASSERT_NE(crossing, nullptr);
  // A high-priority alarm on the crossing: a fence crossing of the track, or the fence alarm
  // a track confirmed, within 2 s of the truth (approach alarms may precede it).
  bool found = false;
  for (const auto& e : a.events) {
    const auto& al = e.alarm;
    if (al.priority < AlarmPriority::high) continue;
    if (al.kind != AlarmKind::fence_crossing && al.kind != AlarmKind::fence_alarm) continue;
    if (e.t >= crossing->t - 10 && e.t <= crossing->t + 2) found = true;
  }
  EXPECT_TRUE(found) << a.lines.size() << " alarm events, none high priority on the crossing";
}

class ReplayFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("picket_replay_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string text;
    for (const auto& d : gate_rush().detections)
      formats::append_detection(text, d);
    std::ofstream(dir_ / "detections.jsonl") << text;
  }
  void TearDown() override { fs::remove_all(dir_); }
  ReplayOptions options(const std::string& out) const {
    ReplayOptions o;
    o.site = source("examples/demo-site.yaml");
    o.detections = (dir_ / "detections.jsonl").string();
    o.out_dir = (dir_ / out).string();
    return o;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir_;
};

TEST_F(ReplayFiles, SameInputSameBytesAndARerunStoresNothingTwice) {
  auto first = run_replay(options("a"));
  ASSERT_FALSE(first.failure) << first.failure->error.message();
  EXPECT_FALSE(first.report.resumed);
  EXPECT_GT(first.report.alarm_events, 0u);
  EXPECT_GT(first.report.track_rows, 0u);
  EXPECT_EQ(first.report.dropped_rows, 0u);
  const std::string alarms = slurp(dir_ / "a" / "alarms.jsonl");
  EXPECT_EQ(alarms, [&] {
    std::string s;
    auto r = run_replay(options("b"));
    EXPECT_FALSE(r.failure);
    return slurp(dir_ / "b" / "alarms.jsonl");
  }());
  EXPECT_FALSE(slurp(dir_ / "a" / "tracks.jsonl").empty());

  // Again into the same directory: every event is found stored, none is stored twice.
  auto again = run_replay(options("a"));
  ASSERT_FALSE(again.failure) << again.failure->error.message();
  EXPECT_TRUE(again.report.resumed);
  EXPECT_EQ(again.report.already_stored, first.report.alarm_events);
  EXPECT_EQ(slurp(dir_ / "a" / "alarms.jsonl"), alarms);
}

TEST_F(ReplayFiles, RefusesAStoreOfOtherInput) {
  ASSERT_FALSE(run_replay(options("a")).failure);
  // Other detections (the first half) into the same directory.
  const std::string all = slurp(dir_ / "detections.jsonl");
  std::ofstream(dir_ / "half.jsonl") << all.substr(0, all.find('\n', all.size() / 2) + 1);
  auto o = options("a");
  o.detections = (dir_ / "half.jsonl").string();
  auto r = run_replay(o);
  ASSERT_TRUE(r.failure);
  EXPECT_TRUE(r.failure->input);
  EXPECT_NE(r.failure->error.message().find("holds the replay of other input"), std::string::npos)
      << r.failure->error.message();
}

TEST_F(ReplayFiles, RefusesAForeignFileAndBadRulesWithoutTouchingOutputs) {
  fs::create_directories(dir_ / "c");
  std::ofstream(dir_ / "c" / "picket.db") << "these are my notes, not a database\n";
  auto r = run_replay(options("c"));
  ASSERT_TRUE(r.failure);
  EXPECT_TRUE(r.failure->input);
  EXPECT_NE(r.failure->error.message().find("not a Picket store"), std::string::npos)
      << r.failure->error.message();
  EXPECT_FALSE(fs::exists(dir_ / "c" / "alarms.jsonl"));

  // A rule naming a zone the site lacks: refused before any output exists.
  std::string site = slurp(source("examples/demo-site.yaml"));
  const std::string from = "zone: switchyard\n";
  site.replace(site.find(from), from.size(), "zone: swtichyard\n");
  std::ofstream(dir_ / "site.yaml") << site;
  auto o = options("d");
  o.site = (dir_ / "site.yaml").string();
  auto bad = run_replay(o);
  ASSERT_TRUE(bad.failure);
  EXPECT_TRUE(bad.failure->input);
  EXPECT_NE(bad.failure->error.message().find("swtichyard"), std::string::npos)
      << bad.failure->error.message();
  EXPECT_FALSE(fs::exists(dir_ / "d" / "picket.db"));
}

TEST_F(ReplayFiles, NamesABadLine) {
  std::ofstream(dir_ / "detections.jsonl", std::ios::app) << "{\"t\": \"soon\"}\n";
  auto r = run_replay(options("e"));
  ASSERT_TRUE(r.failure);
  EXPECT_TRUE(r.failure->input);
  EXPECT_NE(r.failure->error.message().find("detections.jsonl:"), std::string::npos)
      << r.failure->error.message();
  // Announced alarms stay stored; with --skip-bad the run completes.
  auto o = options("f");
  o.skip_bad = true;
  auto ok = run_replay(o);
  ASSERT_FALSE(ok.failure) << ok.failure->error.message();
  EXPECT_EQ(ok.report.read.bad, 1u);
}

}  // namespace
}  // namespace picket::engine

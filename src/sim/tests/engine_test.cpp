#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "picket/core/units.h"
#include "picket/formats/records.h"
#include "sim_test_util.h"

namespace picket::sim {
namespace {

using testing::CollectSink;
using testing::scenario_text;
using testing::source_dir;

constexpr const char* kDemoHead =
    "site: ../../../../examples/demo-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: {}\n";

std::vector<TruthEvent> events_of(const CollectSink& s, TruthEventKind k) {
  std::vector<TruthEvent> out;
  for (const auto& e : s.events)
    if (e.event == k) out.push_back(e);
  return out;
}

TEST(Engine, FenceCrossingEventsHaveFenceSegmentDirectionAndTime) {
  // Over the south fence (north = -200) at east 10 and back: 50 m at 1 m/s to the fence, a
  // 10 s climb centred on the line, 50 m on, then back out the same way.
  auto sc = scenario_text(fmt::format(kDemoHead, 400) + R"(
movers:
  - id: jumper
    kind: walker
    climb_time: 10
    path:
      - {east: 10, north: -250}
      - {at: {east: 10, north: -150}, speed: 1.0, pause: 20}
      - {at: {east: 10, north: -250}, speed: 2.0}
)");
  ASSERT_TRUE(sc) << sc.error().message();
  const auto out = testing::run(*sc, 1);
  const auto crossings = events_of(out, TruthEventKind::fence_crossing);
  ASSERT_EQ(crossings.size(), 2u);
  const double t0 = sc->start_unix;
  const Fence& f = sc->site.fences[0];
  const double line = f.nearest({10, -200}).point.y();  // -200 to a few centimetres
  const TruthEvent& in = crossings[0];
  EXPECT_EQ(in.id, "jumper");
  EXPECT_EQ(in.fence, "perimeter");
  EXPECT_EQ(in.segment, 7);
  EXPECT_EQ(in.direction, CrossingDirection::inward);
  EXPECT_EQ(in.cls, TargetClass::person);
  EXPECT_NEAR(in.east, 10, 1e-6);
  EXPECT_NEAR(in.north, line, 1e-6);
  // Reaches 0.5 m before the line at (line - 0.5 + 250) s; the climb covers 1 m in 10 s.
  EXPECT_NEAR(in.t - t0, (line + 250 - 0.5) + 10 * 0.5, 1e-6);
  const TruthEvent& back = crossings[1];
  EXPECT_EQ(back.direction, CrossingDirection::outward);
  EXPECT_EQ(back.segment, 7);
  // Out: 99 m walked + 1 m climbed in 10 s + 20 s pause, then 49.5 m at 2 m/s and half a climb.
  const double t_turn = 99 + 10 + 20;
  EXPECT_NEAR(back.t - t0, t_turn + (-150 - line - 0.5) / 2.0 + 5, 1e-6);

  // Zone events: leaves the south buffer and the gate approach (their edges at -200) and enters
  // 'inside' (edge at -199) during the climb; the reverse on the way out. Never the switchyard.
  const auto entries = events_of(out, TruthEventKind::zone_entry);
  const auto exits = events_of(out, TruthEventKind::zone_exit);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].zone, "inside");
  EXPECT_NEAR(entries[0].north, -199, 1e-5);
  // After the climb (5 s after the crossing), 0.49 m on at 1 m/s.
  EXPECT_NEAR(entries[0].t, in.t + 5 + (-199 - (line + 0.5)), 1e-5);
  ASSERT_EQ(exits.size(), 3u);
  EXPECT_LT(exits[0].t, in.t);
  EXPECT_LT(exits[1].t, in.t);
  EXPECT_EQ(exits[2].zone, "inside");
  std::set<std::string> exited{exits[0].zone, exits[1].zone};
  std::set<std::string> entered{entries[1].zone, entries[2].zone};
  EXPECT_EQ(exited, (std::set<std::string>{"south-buffer", "gate-approach"}));
  EXPECT_EQ(entered, exited);
  // Truth samples during the climb move at 0.1 m/s.
  bool saw_climb = false;
  for (const auto& s : out.truth_samples) {
    if (std::abs(s.t - (in.t)) < 4) {
      EXPECT_NEAR(s.vn, 0.1, 1e-9);
      saw_climb = true;
    }
  }
  EXPECT_TRUE(saw_climb);
}

TEST(Engine, AWaypointOnTheFenceLineIsOneCrossingAndOneClimb) {
  auto sc = scenario_text(R"(
site: fence-site.yaml
start: 2026-01-01T00:00:00Z
duration: 100
sensors:
  adsb: {enabled: false}
movers:
  - id: w
    kind: walker
    climb_time: 10
    path: [{east: 100, north: -10}, {at: {east: 100, north: 0}, speed: 1}, {at: {east: 100, north: 10}, speed: 1}]
)");
  ASSERT_TRUE(sc) << sc.error().message();
  Simulator sim(*sc, 1);
  int climbs = 0;
  double climbing_s = 0;
  for (const Leg& l : sim.movers()[0].legs()) {
    if (!l.climbing) continue;
    ++climbs;
    climbing_s += l.t1 - l.t0;
  }
  EXPECT_EQ(climbs, 1);
  EXPECT_DOUBLE_EQ(climbing_s, 10);
  CollectSink out;
  sim.run(out);
  EXPECT_EQ(events_of(out, TruthEventKind::fence_crossing).size(), 1u);
}

TEST(Engine, CrossingsOfACornerAndOfTwoFenceSides) {
  // A vehicle (no climb) drives straight through the compound west to east along north = 0:
  // in through the west side (segment 37), out through the east side (segment 17).
  auto sc = scenario_text(fmt::format(kDemoHead, 120) + R"(
movers:
  - {id: car, kind: vehicle, path: [{east: -400, north: 0}, {at: {east: 400, north: 0}, speed: 10}]}
)");
  ASSERT_TRUE(sc) << sc.error().message();
  const auto out = testing::run(*sc, 1);
  const auto c = events_of(out, TruthEventKind::fence_crossing);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].segment, 37);
  EXPECT_EQ(c[0].direction, CrossingDirection::inward);
  EXPECT_NEAR(c[0].t - sc->start_unix, 10, 0.01);
  EXPECT_EQ(c[1].segment, 17);
  EXPECT_EQ(c[1].direction, CrossingDirection::outward);
  EXPECT_NEAR(c[1].t - sc->start_unix, 70, 0.01);
  EXPECT_EQ(out.truth_samples.size(), 80u);  // 80 s of driving at 1 Hz
}

bool time_ordered(const std::vector<double>& ts) {
  for (size_t i = 1; i < ts.size(); ++i)
    if (ts[i] < ts[i - 1]) return false;
  return true;
}

TEST(Engine, OutputIsTimeOrderedAndMergedAcrossSensors) {
  auto sc = load_scenario(source_dir() + "/examples/scenarios/windy-night.yaml");
  ASSERT_TRUE(sc) << sc.error().message();
  const auto out = testing::run(*sc, 4);
  std::vector<double> dt;
  std::vector<double> tt;
  std::vector<double> et;
  std::map<std::string, int> by_sensor;
  for (const auto& d : out.detections) {
    dt.push_back(d.det.t);
    ++by_sensor[d.det.sensor];
    EXPECT_GE(d.det.t, sc->start_unix);
    EXPECT_LT(d.det.t, sc->start_unix + sc->duration_s);
  }
  for (const auto& s : out.truth_samples)
    tt.push_back(s.t);
  for (const auto& e : out.events)
    et.push_back(e.t);
  EXPECT_TRUE(time_ordered(dt));
  EXPECT_TRUE(time_ordered(tt));
  EXPECT_TRUE(time_ordered(et));
  EXPECT_EQ(by_sensor.size(), 8u);  // every sensor of the demo site reported
  // Both intruders cross inward, within a minute of each other.
  const auto c = events_of(out, TruthEventKind::fence_crossing);
  std::map<std::string, double> first;
  for (const auto& e : c)
    if (e.direction == CrossingDirection::inward && !first.count(e.id)) first[e.id] = e.t;
  ASSERT_TRUE(first.count("intruder-north"));
  ASSERT_TRUE(first.count("intruder-west"));
  EXPECT_LT(std::abs(first["intruder-north"] - first["intruder-west"]), 5);
}

std::string formatted(const CollectSink& s) {
  std::string out;
  for (const auto& d : s.detections)
    formats::append_detection(out, d.det);
  for (const auto& t : s.truth_samples)
    formats::append_truth(out, t);
  for (const auto& e : s.events)
    formats::append_event(out, e);
  return out;
}

TEST(Engine, DeterministicForASeedAndDifferentAcrossSeeds) {
  auto sc = load_scenario(source_dir() + "/examples/scenarios/gate-rush.yaml");
  ASSERT_TRUE(sc) << sc.error().message();
  const std::string a = formatted(testing::run(*sc, 7));
  const std::string b = formatted(testing::run(*sc, 7));
  const std::string c = formatted(testing::run(*sc, 8));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_GT(a.size(), 10000u);
}

TEST(Engine, AddingAMoverDoesNotChangeWhatHappensToTheOthers) {
  // Every (sensor, mover) pair has its own random stream: the intruder's detections are the
  // same with or without a second mover far away.
  const std::string base = fmt::format(kDemoHead, 300) + R"(
movers:
  - {id: intruder, kind: walker, path: [{east: 0, north: -800}, {at: {east: 0, north: -400}, speed: 1.5}]}
)";
  auto one = scenario_text(base);
  auto two = scenario_text(base +
                           "  - {id: other, kind: vehicle, path: [{east: 900, north: 900}, "
                           "{at: {east: 900, north: -900}, speed: 10}]}\n");
  ASSERT_TRUE(one && two);
  auto of_intruder = [](const CollectSink& s) {
    std::string out;
    for (const auto& d : s.detections)
      if (d.origin == Origin::target && d.mover == 0) formats::append_detection(out, d.det);
    return out;
  };
  const std::string a = of_intruder(testing::run(*one, 3));
  EXPECT_EQ(a, of_intruder(testing::run(*two, 3)));
  EXPECT_GT(a.size(), 1000u);
}

TEST(Engine, RandomWalksRunInConstantMemory) {
  // A day of random walking: the mover keeps only the legs around the current window.
  auto sc = scenario_text(
      "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 86400\n"
      "sensors:\n  fence: {enabled: false}\n  adsb: {enabled: false}\n"
      "movers:\n  - {id: w, kind: walker, random_walk: {zone: yard, speed: [0.5, 2], "
      "pause: [0, 10]}}\n");
  ASSERT_TRUE(sc) << sc.error().message();
  Simulator sim(*sc, 1);
  CollectSink sink;
  std::size_t most = 0;
  long steps = 0;
  while (!sim.done()) {
    sim.step(sink);
    most = std::max(most, sim.movers()[0].legs().size());
    sink.truth_samples.clear();
    ++steps;
  }
  EXPECT_EQ(steps, 86400 * 2);
  EXPECT_LE(most, 6u);
  // It stayed in its zone all day (no zone event at all).
  EXPECT_TRUE(sink.events.empty());
  EXPECT_TRUE(sc->site.zones[0].polygon.contains(sim.movers()[0].state(86399.9).pos.head<2>()));
}

TEST(Engine, FlocksAndAircraft) {
  auto sc = scenario_text(R"(
site: fence-site.yaml
start: 2026-01-01T00:00:00Z
duration: 300
sensors:
  fence: {enabled: false}
movers:
  - id: plane
    kind: aircraft
    icao: 40621D
    altitude: 900
    path: [{east: -9000, north: 3000}, {at: {east: 9000, north: 3000}, speed: 60}]
nuisances:
  - {type: birds, id: gulls, count: 12, around: {east: 500, north: 100}, radius: 200, altitude: 40, spread: 25}
)");
  ASSERT_TRUE(sc) << sc.error().message();
  Simulator sim(*sc, 2);
  CollectSink out;
  sim.run(out);
  ASSERT_EQ(sim.movers().size(), 13u);
  std::map<std::string, int> samples;
  for (const auto& s : out.truth_samples) {
    ++samples[s.id];
    ASSERT_TRUE(s.up.has_value());
    if (s.id != "plane") {
      EXPECT_EQ(s.cls, TargetClass::animal);
      EXPECT_NEAR(*s.up, 40, 0.2 * 25 + 1e-9);
      // Within the flock's area plus its spread.
      EXPECT_LE((Vec2(s.east, s.north) - Vec2(500, 100)).norm(), 200 + 25 + 1e-6);
    } else {
      EXPECT_NEAR(*s.up, 900, 1e-9);
    }
  }
  EXPECT_EQ(samples.size(), 13u);
  EXPECT_EQ(samples["gulls-7"], 300);
  // ADS-B: 2 Hz, pd 0.9, address and class, position near the truth.
  long reports = 0;
  for (const auto& d : out.detections) {
    ASSERT_EQ(d.det.sensor, "adsb");
    ++reports;
    EXPECT_EQ(*d.det.sensor_track, "40621D");
    EXPECT_EQ(*d.det.cls, TargetClass::aircraft);
    const auto& g = std::get<GeodeticMeasurement>(d.det.measurement);
    const Enu p = sc->site.frame.to_enu({g.lat_deg, g.lon_deg, *g.alt_m});
    const MoverState s = sim.movers()[0].state(d.det.t - sc->start_unix);
    EXPECT_LT((p - s.pos).norm(), 5 * 5 * std::sqrt(3.0));
  }
  EXPECT_NEAR(reports, 600 * 0.9, 5 * std::sqrt(600 * 0.09));
}

}  // namespace
}  // namespace picket::sim

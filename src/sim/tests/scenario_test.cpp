#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "picket/core/time.h"
#include "picket/sim/scenario.h"
#include "sim_test_util.h"

namespace picket::sim {
namespace {

using testing::data_dir;
using ::testing::HasSubstr;
using testing::scenario_text;
using testing::source_dir;

TEST(Scenario, LoadsTheQuietNightExample) {
  auto sc = load_scenario(source_dir() + "/examples/scenarios/quiet-night.yaml");
  ASSERT_TRUE(sc) << sc.error().message();
  EXPECT_EQ(sc->site.name, "Fenwick Grid Substation (demo)");
  EXPECT_DOUBLE_EQ(sc->start_unix, *parse_iso8601("2026-11-28T23:40:00Z"));
  EXPECT_DOUBLE_EQ(sc->duration_s, 1500);
  EXPECT_DOUBLE_EQ(sc->truth_rate_hz, 1);
  ASSERT_EQ(sc->movers.size(), 1u);
  const MoverSpec& m = sc->movers[0];
  EXPECT_EQ(m.id, "intruder");
  EXPECT_EQ(m.kind, MoverKind::walker);
  EXPECT_EQ(m.cls, TargetClass::person);
  EXPECT_DOUBLE_EQ(m.start_s, 20);
  EXPECT_DOUBLE_EQ(m.climb_time_s, 12);
  ASSERT_EQ(m.path.size(), 5u);
  EXPECT_NEAR(m.path[0].position.x(), -450, 1e-6);
  EXPECT_NEAR(m.path[0].position.y(), -1250, 1e-6);
  EXPECT_DOUBLE_EQ(m.path[0].position.z(), 0);  // ground movers stay on the ground plane
  EXPECT_DOUBLE_EQ(m.path[1].speed_mps, 1.4);
  EXPECT_DOUBLE_EQ(m.path[2].pause_s, 40);
  EXPECT_DOUBLE_EQ(m.linger_s, 180);
  EXPECT_EQ(sc->sensors.size(), sc->site.sensors.size());
}

TEST(Scenario, LoadsTheWindyNightExample) {
  auto sc = load_scenario(source_dir() + "/examples/scenarios/windy-night.yaml");
  ASSERT_TRUE(sc) << sc.error().message();
  // Two intruders, two foxes (count: 2), a deer.
  ASSERT_EQ(sc->movers.size(), 5u);
  EXPECT_EQ(sc->movers[2].id, "fox-1");
  EXPECT_EQ(sc->movers[3].id, "fox-2");
  ASSERT_TRUE(sc->movers[2].random_walk);
  EXPECT_EQ(sc->movers[2].random_walk->zone, "south-buffer");
  EXPECT_DOUBLE_EQ(sc->movers[2].random_walk->speed_min_mps, 0.5);
  EXPECT_DOUBLE_EQ(sc->movers[2].random_walk->speed_max_mps, 2.5);
  EXPECT_DOUBLE_EQ(sc->movers[2].random_walk->fence_visits, 0.4);
  EXPECT_NEAR(sc->movers[4].random_walk->radius_m, 160, 1e-9);
  ASSERT_EQ(sc->winds.size(), 1u);
  EXPECT_EQ(sc->winds[0].first_segment, 1);
  EXPECT_EQ(sc->winds[0].last_segment, 40);
  EXPECT_DOUBLE_EQ(sc->winds[0].duration_s, 1200);  // to the end
  ASSERT_EQ(sc->rains.size(), 1u);
  EXPECT_DOUBLE_EQ(sc->rains[0].clutter_factor, 5);
}

TEST(Scenario, LoadsTheGateRushExample) {
  auto sc = load_scenario(source_dir() + "/examples/scenarios/gate-rush.yaml");
  ASSERT_TRUE(sc) << sc.error().message();
  ASSERT_EQ(sc->movers.size(), 3u);
  EXPECT_EQ(sc->movers[0].kind, MoverKind::vehicle);
  EXPECT_EQ(sc->movers[0].cls, TargetClass::vehicle);
  EXPECT_DOUBLE_EQ(sc->movers[0].climb_time_s, 0);
}

TEST(Scenario, AcceptsEveryPointFormAndFlyerHeights) {
  auto sc = scenario_text(R"(
site: fence-site.yaml
start: 2026-01-01T00:00:00Z
duration: 100
movers:
  - id: a
    kind: drone
    altitude: 80
    path:
      - [52.0, 0.5]                       # no height: the mover's altitude
      - {lat: 52.001, lon: 0.5, alt: 120}  # its own height above the ellipsoid
      - {at: {east: 10, north: 20, up: 30}, speed: 5}
  - id: plane
    kind: aircraft
    icao: 4CA2B1
    path: [{east: -5000, north: 0}, {east: 5000, north: 0}]
sensors:
  adsb: {enabled: false}
)");
  ASSERT_TRUE(sc) << sc.error().message();
  const auto& p = sc->movers[0].path;
  EXPECT_NEAR(p[0].position.norm(), 80, 1e-6);
  EXPECT_NEAR(p[1].position.y(), 111.25, 0.1);
  EXPECT_NEAR(p[1].position.z(), 120, 0.01);
  EXPECT_NEAR(p[2].position.z(), 30, 1e-6);
  EXPECT_DOUBLE_EQ(p[2].speed_mps, 5);
  EXPECT_DOUBLE_EQ(p[1].speed_mps, 8);  // the drone's default speed
  EXPECT_EQ(sc->movers[1].icao, "4CA2B1");
  EXPECT_DOUBLE_EQ(sc->movers[1].altitude_m, 500);
  EXPECT_FALSE(sc->sensors[1].enabled);
}

// Each bad scenario and the message it must give, with the file, line and field.
struct BadCase {
  const char* name;
  const char* yaml;
  const char* message;
};

class BadScenario : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenario, IsRefusedWithAPreciseMessage) {
  const BadCase& c = GetParam();
  auto sc = scenario_text(c.yaml, "bad.yaml");
  ASSERT_FALSE(sc) << c.name << " was accepted";
  EXPECT_THAT(sc.error().message(), HasSubstr(c.message)) << c.name;
}

const BadCase kBadCases[] = {
    {"unknown top-level key",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovrs: []\n",
     "bad.yaml:4 movrs: unknown key 'movrs' (expected one of: site,"},
    {"missing site", "start: 2026-01-01T00:00:00Z\nduration: 60\n",
     "bad.yaml:1 site: missing (a text value is required)"},
    {"site file not found", "site: nowhere.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\n",
     "bad.yaml:1 site: the site file '"},
    {"bad start time", "site: fence-site.yaml\nstart: last tuesday\nduration: 60\n",
     "bad.yaml:2 start: 'last tuesday' is not an ISO 8601 UTC time"},
    {"negative duration", "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: -5\n",
     "bad.yaml:3 duration: -5 is out of range [0, 2592000]"},
    {"zero truth rate",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\ntruth_rate: 0\n",
     "bad.yaml:4 truth_rate: 0 is out of range [0.001, 100]"},
    {"unknown mover kind",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - {id: a, kind: swimmer, path: [[52, 0.5], [52.001, 0.5]]}\n",
     "bad.yaml:5 movers[0].kind: 'swimmer' is not one of: walker, runner, crawler, vehicle, "
     "animal, bird, drone, aircraft"},
    {"duplicate mover id",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - {id: a, kind: walker, path: [[52, 0.5], [52.001, 0.5]]}\n"
     "  - {id: a, kind: walker, path: [[52, 0.5], [52.001, 0.5]]}\n",
     "bad.yaml:6 movers[1].id: duplicate mover id 'a'"},
    {"path and random walk",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - id: a\n    kind: walker\n    path: [[52, 0.5], [52.001, 0.5]]\n"
     "    random_walk: {zone: yard}\n",
     "bad.yaml:5 movers[0]: a mover needs exactly one of 'path' (waypoints) or 'random_walk'"},
    {"unknown zone",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - id: a\n    kind: animal\n    random_walk: {zone: nowhere}\n",
     "bad.yaml:7 movers[0].random_walk.zone: unknown zone 'nowhere' (not in the site file)"},
    {"zero waypoint speed",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - id: a\n    kind: walker\n    path:\n      - [52, 0.5]\n"
     "      - {at: [52.001, 0.5], speed: 0}\n",
     "bad.yaml:9 movers[0].path[1].speed: 0 is out of range [0.01, 400]"},
    {"altitude for a walker",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - id: a\n    kind: walker\n    altitude: 30\n    path: [[52, 0.5], [52.001, 0.5]]\n",
     "bad.yaml:7 movers[0].altitude: 'altitude' is for flyers (bird, drone, aircraft), not a "
     "walker"},
    {"bad point",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - id: a\n    kind: walker\n    path:\n      - [52, 0.5]\n      - [152, 0.5]\n",
     "bad.yaml:9 movers[0].path[1]: [152, 0.5] is not a latitude, longitude pair in degrees"},
    {"one waypoint and no linger",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - id: a\n    kind: walker\n    path: [[52, 0.5]]\n",
     "bad.yaml:7 movers[0].path: a path of one waypoint needs 'linger'"},
    {"start after the end",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - {id: a, kind: walker, start: 90, path: [[52, 0.5], [52.001, 0.5]]}\n",
     "bad.yaml:5 movers[0].start: 90 s is not before the scenario's end (60 s)"},
    {"count on a path",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - {id: a, kind: walker, count: 3, path: [[52, 0.5], [52.001, 0.5]]}\n",
     "bad.yaml:5 movers[0].count: 'count' is for random walks"},
    {"wind segments out of range",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nnuisances:\n"
     "  - {type: wind, strength: 0.5, segments: [15, 25]}\n",
     "bad.yaml:5 nuisances[0].segments: [15, 25] is not a range of segments of fence 'line', "
     "which has 20"},
    {"wind strength above 1",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nnuisances:\n"
     "  - type: wind\n    strength: 3\n",
     "bad.yaml:6 nuisances[0].strength: 3 is out of range [0, 1]"},
    {"rain on a fence sensor",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nnuisances:\n"
     "  - type: rain\n    sensors: [fence]\n",
     "bad.yaml:6 nuisances[0].sensors[0]: rain clutter applies to radars and cameras, not to a "
     "fence sensor"},
    {"unknown nuisance type",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nnuisances:\n"
     "  - type: snow\n",
     "bad.yaml:5 nuisances[0].type: 'snow' is not one of: wind, rain, birds"},
    {"unknown sensor in the settings",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nsensors:\n"
     "  radar-9: {enabled: false}\n",
     "bad.yaml:5 sensors.radar-9: unknown sensor 'radar-9' (not in the site file)"},
    {"doppler setting for a fence sensor",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nsensors:\n"
     "  fence: {doppler: true}\n",
     "bad.yaml:5 sensors.fence.doppler: 'doppler' is for radars only"},
    {"random walk with zone and radius",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - id: a\n    kind: animal\n    random_walk: {zone: yard, radius: 5}\n",
     "bad.yaml:7 movers[0].random_walk.radius: 'radius' goes with 'around', not with 'zone'"},
    {"bad speed interval",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - id: a\n    kind: animal\n    random_walk: {zone: yard, speed: [3, 1]}\n",
     "bad.yaml:7 movers[0].random_walk.speed: [3, 1] is not an interval within [0, 400]"},
    {"bad ICAO address",
     "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
     "  - {id: p, kind: aircraft, icao: XYZ, path: [[52, 0.5], [52.1, 0.5]]}\n",
     "bad.yaml:5 movers[0].icao: 'XYZ' is not 6 hexadecimal digits"},
    {"YAML syntax error", "site: fence-site.yaml\nstart: [2026\nduration: 60\n",
     "bad.yaml:3:9: YAML syntax error"},
    {"not a mapping", "- just\n- a list\n",
     "bad.yaml:1: a scenario file is a mapping with at least 'site', 'start' and 'duration'"},
};

INSTANTIATE_TEST_SUITE_P(All, BadScenario, ::testing::ValuesIn(kBadCases), [](const auto& p) {
  std::string n = p.param.name;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
});

TEST(Scenario, ReportsEveryProblemAtOnce) {
  auto sc = scenario_text(
      "site: fence-site.yaml\nstart: yesterday\nduration: 60\nmovers:\n"
      "  - {id: a, kind: swimmer, path: [[52, 0.5], [52.001, 0.5]]}\n"
      "  - {id: b, kind: walker, speed: -1, path: [[52, 0.5], [52.001, 0.5]]}\n",
      "bad.yaml");
  ASSERT_FALSE(sc);
  const std::string m = sc.error().message();
  EXPECT_THAT(m, HasSubstr("bad.yaml:2 start:"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:5 movers[0].kind:"));
  EXPECT_THAT(m, HasSubstr("bad.yaml:6 movers[1].speed: -1 is out of range"));
}

TEST(Scenario, ASiteWithErrorsIsReportedWithItsOwnLines) {
  auto sc = scenario_text(
      "site: bad-site.yaml\n"
      "start: 2026-01-01T00:00:00Z\nduration: 60\n",
      "bad.yaml");
  ASSERT_FALSE(sc);
  EXPECT_THAT(sc.error().message(), HasSubstr("bad.yaml:1 site: the site file"));
  EXPECT_THAT(sc.error().message(),
              HasSubstr("bad-site.yaml:7 sensors[0].range.max: -5 is out of range"));
}

}  // namespace
}  // namespace picket::sim

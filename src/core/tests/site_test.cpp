#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "picket/core/site.h"

namespace picket {
namespace {

std::string source_dir() {
  return PICKET_SOURCE_DIR;
}

TEST(Site, LoadsTheDemoSite) {
  auto site = load_site(source_dir() + "/examples/demo-site.yaml");
  ASSERT_TRUE(site) << site.error().message();
  EXPECT_EQ(site->fences.size(), 1u);
  const Fence& f = site->fences[0];
  EXPECT_TRUE(f.closed);
  EXPECT_NEAR(f.length(), 2000, 0.5);
  EXPECT_EQ(f.segments.size(), 40u);
  EXPECT_EQ(site->zones.size(), 4u);
  EXPECT_EQ(site->sensors.size(), 8u);
  const SensorDef* radar = site->find_sensor("radar-sw");
  ASSERT_NE(radar, nullptr);
  EXPECT_NEAR(radar->enu.x(), -310, 1e-6);
  EXPECT_NEAR(radar->enu.y(), -210, 1e-6);
  const SensorDef* fb = site->find_sensor("fence-b");
  ASSERT_NE(fb, nullptr);
  EXPECT_EQ(fb->first_segment, 21);
  EXPECT_EQ(fb->last_segment, 40);
}

TEST(Site, FenceSidesAndCrossings) {
  auto site = load_site(source_dir() + "/examples/demo-site.yaml");
  ASSERT_TRUE(site) << site.error().message();
  const Fence& f = site->fences[0];
  // The fence's south side is at north = -200 (to a few centimetres: the corners are rounded
  // to 1e-7 degrees).
  auto n = f.nearest({10, -150});
  EXPECT_NEAR(n.distance, 50, 0.05);
  EXPECT_GT(n.side, 0);     // inside
  EXPECT_EQ(n.segment, 7);  // 310 m along from the south-west corner
  EXPECT_LT(f.nearest({10, -250}).side, 0);
  auto c = f.crossing({10, -250}, {10, -150});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->direction, CrossingDirection::inward);
  EXPECT_EQ(c->segment, 7);
  EXPECT_NEAR(c->fraction, 0.5, 1e-3);
  auto out = f.crossing({-350, 0}, {-250, 0});  // west side, moving in (east)
  ASSERT_TRUE(out);
  EXPECT_EQ(out->direction, CrossingDirection::inward);
  auto out2 = f.crossing({-250, 0}, {-350, 0});
  ASSERT_TRUE(out2);
  EXPECT_EQ(out2->direction, CrossingDirection::outward);
  EXPECT_EQ(out2->segment, 37);  // 1,800 m along
  EXPECT_FALSE(f.crossing({0, 0}, {10, 10}));
}

TEST(Site, CoverageRespectsRangeAndFieldOfView) {
  auto site = load_site(source_dir() + "/examples/demo-site.yaml");
  ASSERT_TRUE(site);
  const SensorDef* cam = site->find_sensor("cam-south");
  ASSERT_NE(cam, nullptr);
  EXPECT_TRUE(cam->covers({0, -300, 0}));
  EXPECT_FALSE(cam->covers({0, -100, 0}));    // behind it
  EXPECT_FALSE(cam->covers({0, -700, 0}));    // beyond 400 m
  EXPECT_FALSE(cam->covers({200, -230, 0}));  // outside the 60 degree field of view
}

const char* kMinimal = R"(name: test
origin: {lat: 52.1, lon: -1.0}
fences:
  - id: f
    points: [[52.1, -1.0], [52.101, -1.0]]
    inside: left
sensors:
  - id: r
    type: radar
    position: {east: 0, north: 0}
    range: {max: 1000}
    noise: {range: 2, bearing: 0.5}
)";

// Loads kMinimal with `from` replaced by `to`, expects failure, returns the message.
std::string error_for(const std::string& from, const std::string& to) {
  std::string text = kMinimal;
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  text.replace(pos, from.size(), to);
  auto site = load_site_from_string(text, "bad.yaml");
  EXPECT_FALSE(site) << "expected an error after replacing '" << from << "'";
  return site ? "" : site.error().message();
}

TEST(Site, MinimalFileLoads) {
  auto site = load_site_from_string(kMinimal, "min.yaml");
  ASSERT_TRUE(site) << site.error().message();
}

TEST(Site, BadFilesNameFileLineFieldAndProblem) {
  using ::testing::HasSubstr;
  struct Case {
    std::string from, to, expect;
  };
  const Case cases[] = {
      {"name: test", "name: [unclosed", "bad.yaml:2:7: YAML syntax error"},  // YAML syntax
      {"origin: {lat: 52.1, lon: -1.0}", "origin: {lat: 152.1, lon: -1.0}",
       "bad.yaml:2 origin.lat: 152.1 is out of range [-90, 90]"},
      {"origin: {lat: 52.1, lon: -1.0}", "orign: {lat: 52.1, lon: -1.0}", "unknown key 'orign'"},
      {"origin: {lat: 52.1, lon: -1.0}", "x: 1", "bad.yaml:1 origin: missing"},
      {"range: {max: 1000}", "rnage: {max: 1000}", "bad.yaml:11 sensors[0].rnage: unknown key"},
      {"type: radar", "type: sonar", "bad.yaml:9 sensors[0].type: 'sonar' is not one of"},
      {"range: {max: 1000}", "range: {min: 2000, max: 1000}",
       "bad.yaml:11 sensors[0].range.min: the minimum range must be below the maximum"},
      {"noise: {range: 2, bearing: 0.5}", "noise: {bearing: 0.5}",
       "sensors[0].noise.range: a radar needs its range noise"},
      {"    range: {max: 1000}", "    range: {max: 1000}\n    pd: 1.5",
       "bad.yaml:12 sensors[0].pd: 1.5 is out of range"},
      {"position: {east: 0, north: 0}", "position: [-1.0, 52.1]",
       "sensors[0].position: 5952 km from the site origin"},
      {"points: [[52.1, -1.0], [52.101, -1.0]]", "points: [[52.1, -1.0]]",
       "bad.yaml:5 fences[0].points: a fence needs at least two points"},
      {"    inside: left\n", "", "fences[0].inside: missing: an open fence must say"},
      {"  - id: r\n", "  - id: r\n    fence: nowhere\n", "'fence' and 'segments' are for fence"},
      {"sensors:\n", "zones:\n  - {id: z, polygon: [[52.1, -1.0], [52.2, -1.0]]}\nsensors:\n",
       "zones[0]: a zone polygon needs at least three points"},
      {"sensors:\n", "zones:\n  - {id: z, geojson: /nonexistent.geojson}\nsensors:\n",
       "cannot open GeoJSON file '/nonexistent.geojson'"},
      {"  - id: r\n", "  - id: ff\n    type: fence\n    fence: g\n  - id: r\n",
       "sensors[0].fence: unknown fence 'g'"},
      {"  - id: r\n",
       "  - id: ff\n    type: fence\n    fence: f\n    segments: [1, 9]\n  - id: r\n",
       "sensors[0].segments: [1, 9] is not a range of segments of a fence with 3"},
      {"  - id: r\n    type: radar\n    position: {east: 0, north: 0}\n    range: {max: 1000}\n",
       "  - id: r\n    type: radar\n    position: {east: 0, north: 0}\n    range: {max: 1000}\n"
       "    noise: {range: 1, bearing: 1}\n  - id: r\n    type: radar\n    position: {east: 0, "
       "north: 0}\n    range: {max: 1000}\n",
       "duplicate sensor id 'r'"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(error_for(c.from, c.to), HasSubstr(c.expect)) << "case: " << c.to;
  }
}

TEST(Site, ReportsEveryErrorAtOnce) {
  std::string text = kMinimal;
  const std::string type = "type: radar", range = "range: {max: 1000}";
  text.replace(text.find(type), type.size(), "type: sonar");
  text.replace(text.find(range), range.size(), "range: {max: -5}");
  auto site = load_site_from_string(text, "two.yaml");
  ASSERT_FALSE(site);
  const std::string m = site.error().message();
  EXPECT_NE(m.find("'sonar'"), std::string::npos) << m;
  EXPECT_NE(m.find("range.max: -5 is out of range"), std::string::npos) << m;
}

TEST(Site, ZoneFromGeoJson) {
  const std::string dir = ::testing::TempDir();
  {
    std::ofstream out(dir + "/zone.geojson");
    out << R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
      "geometry":{"type":"Polygon","coordinates":[[[-1.0,52.1],[-0.999,52.1],[-0.999,52.101],
      [-1.0,52.101],[-1.0,52.1]]]}}]})";
  }
  std::string text = kMinimal;
  text.replace(text.find("sensors:\n"), 9,
               "zones:\n  - {id: z, geojson: zone.geojson}\nsensors:\n");
  auto site = load_site_from_string(text, dir + "/site.yaml");
  ASSERT_TRUE(site) << site.error().message();
  ASSERT_EQ(site->zones.size(), 1u);
  EXPECT_EQ(site->zones[0].polygon.vertices().size(), 4u);
  EXPECT_NEAR(site->zones[0].polygon.area(), 68.6 * 111.25, 20);
}

}  // namespace
}  // namespace picket

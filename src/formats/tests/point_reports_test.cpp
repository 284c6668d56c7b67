#include "picket/formats/point_reports.h"

#include <gtest/gtest.h>

#include "picket/core/units.h"

namespace picket::formats {
namespace {

Site site() {
  auto s = load_site_from_string(R"(name: t
origin: {lat: 52.1, lon: -1.0, alt: 80}
sensors:
  - {id: m1, type: acoustic, position: {east: 0, north: 0, up: 1}, range: {max: 1500}}
  - {id: a1, type: aerostat, position: {east: 0, north: 0, up: 500}, range: {max: 8000}}
)",
                                 "t.yaml");
  EXPECT_TRUE(s.ok()) << s.error().message();
  return std::move(*s);
}

TEST(PointReports, WrittenLinesReadBack) {
  const Site s = site();
  PointReport r;
  r.t = 1795903200.123456;
  r.sensor = "a1";
  r.signal = Signal::light;
  r.sigma_t = 0.02;
  r.bearing = deg2rad(359.99);
  r.sigma_bearing = deg2rad(0.125);
  r.elevation = deg2rad(-21.5);
  r.sigma_elevation = deg2rad(0.25);
  r.position = Enu(12.3456, -7.5, 498.25);
  r.temperature = 12.5;
  r.kind = "flash";
  r.id = "x7";
  std::string line;
  append_point_report(line, r);
  EXPECT_EQ(
      line,
      R"({"t":1795903200.123456,"sensor":"a1","signal":"light","sigma_t":0.02,"bearing":359.99,"sigma_bearing":0.125,"elevation":-21.5,"sigma_elevation":0.25,"east":12.346,"north":-7.5,"up":498.25,"temperature":12.5,"kind":"flash","id":"x7"})"
      "\n");
  line.pop_back();
  auto back = parse_point_report(line, s);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_DOUBLE_EQ(back->t, r.t);
  EXPECT_EQ(back->signal, Signal::light);
  EXPECT_NEAR(*back->bearing, *r.bearing, 1e-9);
  EXPECT_NEAR(*back->elevation, *r.elevation, 1e-9);
  EXPECT_NEAR(back->position->x(), 12.346, 1e-9);
  EXPECT_EQ(back->kind, "flash");
  EXPECT_EQ(back->id, "x7");
  // A microphone's default signal is sound.
  auto m = parse_point_report(R"({"t":5,"sensor":"m1"})", s);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->signal, Signal::sound);
}

}  // namespace
}  // namespace picket::formats

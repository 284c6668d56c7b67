#include <gtest/gtest.h>

#include "picket/core/units.h"
#include "picket/formats/records.h"

namespace picket::formats {
namespace {

Detection round_trip(const Detection& d) {
  std::string line;
  append_detection(line, d);
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  auto back = parse_detection(line);
  EXPECT_TRUE(back) << back.error().message() << " in " << line;
  return back ? *back : Detection{};
}

TEST(Records, DetectionRoundTripsEveryForm) {
  Detection d;
  d.t = 1795903200.123456;
  d.sensor = "radar-1";
  d.measurement = PolarMeasurement{1234.567, deg2rad(359.5), deg2rad(2.5)};
  d.sigma_range = 2;
  d.sigma_bearing = deg2rad(0.5);
  d.cls = TargetClass::person;
  d.score = 0.75;
  d.doppler = -1.25;
  d.sensor_track = "T\"17";
  auto b = round_trip(d);
  EXPECT_DOUBLE_EQ(b.t, d.t);
  const auto& p = std::get<PolarMeasurement>(b.measurement);
  EXPECT_DOUBLE_EQ(p.range, 1234.567);
  EXPECT_NEAR(rad2deg(p.bearing), 359.5, 1e-9);
  EXPECT_NEAR(rad2deg(*p.elevation), 2.5, 1e-9);
  EXPECT_NEAR(rad2deg(*b.sigma_bearing), 0.5, 1e-9);
  EXPECT_EQ(b.cls, TargetClass::person);
  EXPECT_EQ(b.sensor_track, "T\"17");
  EXPECT_DOUBLE_EQ(*b.doppler, -1.25);

  d = Detection{};
  d.t = 5;
  d.sensor = "cam";
  d.measurement = EnuMeasurement{-12.5, 7.25, std::nullopt};
  d.sigma = 3;
  b = round_trip(d);
  EXPECT_DOUBLE_EQ(std::get<EnuMeasurement>(b.measurement).north, 7.25);
  EXPECT_FALSE(std::get<EnuMeasurement>(b.measurement).up);

  d.measurement = GeodeticMeasurement{52.12345678, -1.00000001, 120};
  b = round_trip(d);
  EXPECT_DOUBLE_EQ(std::get<GeodeticMeasurement>(b.measurement).lat_deg, 52.12345678);
  EXPECT_DOUBLE_EQ(std::get<GeodeticMeasurement>(b.measurement).lon_deg, -1.00000001);

  d.measurement = SegmentMeasurement{17, "perimeter"};
  b = round_trip(d);
  EXPECT_EQ(std::get<SegmentMeasurement>(b.measurement).segment, 17);
  EXPECT_EQ(std::get<SegmentMeasurement>(b.measurement).fence, "perimeter");

  d.measurement = NoPosition{};
  d.status = SensorStatus::tamper;
  b = round_trip(d);
  EXPECT_EQ(b.status, SensorStatus::tamper);
}

TEST(Records, DetectionFieldErrorsNameTheField) {
  struct Case {
    const char* line;
    const char* where;
    const char* what;
  };
  const Case cases[] = {
      {R"({"sensor":"s","east":1,"north":1})", "t", "missing"},
      {R"({"t":"noon","sensor":"s","east":1,"north":1})", "t", "expected a number"},
      {R"({"t":1,"east":1,"north":1})", "sensor", "missing"},
      {R"({"t":1,"sensor":7,"east":1,"north":1})", "sensor", "expected a string"},
      {R"({"t":1,"sensor":"s"})", "",
       "no position: give range/bearing, east/north, lat/lon or segment"},
      {R"({"t":1,"sensor":"s","range":-3,"bearing":1})", "range", "negative range"},
      {R"({"t":1,"sensor":"s","range":3})", "bearing", "missing"},
      {R"({"t":1,"sensor":"s","east":1})", "north", "missing"},
      {R"({"t":1,"sensor":"s","lat":91,"lon":1})", "lat", "91 is not a latitude"},
      {R"({"t":1,"sensor":"s","segment":0})", "segment", "0 is not a segment number"},
      {R"({"t":1,"sensor":"s","segment":2.5})", "segment", "expected a whole number"},
      {R"({"t":1,"sensor":"s","east":1,"north":1,"class":"dragon"})", "class",
       "unknown class 'dragon'"},
      {R"({"t":1,"sensor":"s","east":1,"north":1,"score":1.5})", "score",
       "1.5 is out of range [0, 1]"},
      {R"({"t":1,"sensor":"s","status":"sleepy"})", "status", "unknown status 'sleepy'"},
      {R"({"t":1,"sensor":"s","east":1,"north":1,"id":[1]})", "id",
       "expected a string or a whole number"},
  };
  for (const auto& c : cases) {
    auto r = parse_detection(c.line);
    ASSERT_FALSE(r) << c.line;
    EXPECT_EQ(r.error().where, c.where) << c.line;
    EXPECT_EQ(r.error().what, c.what) << c.line;
  }
}

TEST(Records, TruthAndEventsRoundTrip) {
  TruthSample s{12.5, "intruder-1", 10.125, -20.5, 1.5, TargetClass::person, 1.2, -0.4};
  std::string line;
  append_truth(line, s);
  auto b = parse_truth(line);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(b->id, "intruder-1");
  EXPECT_DOUBLE_EQ(b->east, 10.125);
  EXPECT_DOUBLE_EQ(*b->up, 1.5);
  EXPECT_DOUBLE_EQ(b->ve, 1.2);

  TruthEvent e;
  e.t = 100;
  e.id = "intruder-1";
  e.event = TruthEventKind::fence_crossing;
  e.fence = "perimeter";
  e.segment = 7;
  e.direction = CrossingDirection::inward;
  e.east = 1;
  e.north = -200;
  e.cls = TargetClass::person;
  line.clear();
  append_event(line, e);
  auto eb = parse_event(line);
  ASSERT_TRUE(eb) << eb.error().message();
  EXPECT_EQ(eb->segment, 7);
  EXPECT_EQ(eb->direction, CrossingDirection::inward);
  EXPECT_FALSE(parse_event(R"({"t":1,"id":"a","event":"party"})"));
  EXPECT_FALSE(parse_event(R"({"t":1,"id":"a","event":"zone_entry"})"));
}

TEST(Records, WriterIsCompactAndStable) {
  Detection d;
  d.t = 100;
  d.sensor = "f";
  d.measurement = EnuMeasurement{1.5, -0.0001, std::nullopt};
  std::string line;
  append_detection(line, d);
  EXPECT_EQ(line, "{\"t\":100,\"sensor\":\"f\",\"east\":1.5,\"north\":0}\n");
}

}  // namespace
}  // namespace picket::formats

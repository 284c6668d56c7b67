#include <gtest/gtest.h>

#include "picket/formats/tracks.h"

namespace picket::formats {
namespace {

TEST(TrackUpdates, GroundTrackRoundTripsAndPrintsAFixedLine) {
  TrackState s;
  s.id = 42;
  s.t = 1795903200.5;
  s.position = Eigen::Vector3d(12.3456, -250.25, 0);
  s.velocity = Eigen::Vector3d(1.25, -0.5, 0);
  s.position_cov << 4.5, 0.25, 0, 0.25, 6.0, 0, 0, 0, 0;
  s.status = TrackStatus::confirmed;
  s.cls = TargetClass::person;
  s.class_p = 0.8125;
  s.class_probs = {0.8125, 0.05, 0.05, 0.0125, 0.0125, 0.0625};
  s.sensors = {"radar-sw", "cam-south"};
  s.first_t = 1795903190;
  s.existence = 0.99995;
  s.detection = 1234;
  s.detection_sensor = "cam-south";
  std::string line;
  append_track_update(line, s);
  EXPECT_EQ(line,
            "{\"t\":1795903200.5,\"track\":42,\"east\":12.346,\"north\":-250.25,\"ve\":1.25,"
            "\"vn\":-0.5,\"status\":\"confirmed\",\"class\":\"person\",\"class_p\":0.8125,"
            "\"cov\":[4.5,0.25,6],\"sensors\":[\"radar-sw\",\"cam-south\"],\"existence\":1,"
            "\"first_t\":1795903190,\"det\":1234,\"det_sensor\":\"cam-south\","
            "\"class_probs\":{\"person\":0.8125,\"vehicle\":0.05,\"animal\":0.05,"
            "\"aircraft\":0.0125,\"drone\":0.0125,\"unknown\":0.0625}}\n");
  line.pop_back();
  auto b = parse_track_update(line);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(b->id, 42u);
  EXPECT_DOUBLE_EQ(b->t, s.t);
  EXPECT_DOUBLE_EQ(b->position.x(), 12.346);
  EXPECT_FALSE(b->air);
  EXPECT_EQ(b->status, TrackStatus::confirmed);
  EXPECT_EQ(b->cls, TargetClass::person);
  EXPECT_DOUBLE_EQ(b->position_cov(0, 1), 0.25);
  EXPECT_DOUBLE_EQ(b->position_cov(1, 0), 0.25);
  EXPECT_EQ(b->sensors, s.sensors);
  EXPECT_EQ(b->detection, 1234u);
  EXPECT_EQ(b->detection_sensor, "cam-south");
  EXPECT_DOUBLE_EQ(b->class_probs[5], 0.0625);
}

TEST(TrackUpdates, AirTrackCarriesHeightAndA3x3Covariance) {
  TrackState s;
  s.id = 7;
  s.t = 10;
  s.air = true;
  s.position = Eigen::Vector3d(1, 2, 300.5);
  s.velocity = Eigen::Vector3d(10, 0, -1);
  s.position_cov << 1, 0, 0.5, 0, 2, 0, 0.5, 0, 9;
  s.status = TrackStatus::coasting;
  std::string line;
  append_track_update(line, s);
  EXPECT_NE(line.find("\"up\":300.5"), std::string::npos);
  EXPECT_NE(line.find("\"vu\":-1"), std::string::npos);
  EXPECT_NE(line.find("\"cov\":[1,0,0.5,2,0,9]"), std::string::npos);
  EXPECT_EQ(line.find("\"det\""), std::string::npos);  // no detection caused a coasting update
  line.pop_back();
  auto b = parse_track_update(line);
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->air);
  EXPECT_DOUBLE_EQ(b->position.z(), 300.5);
  EXPECT_DOUBLE_EQ(b->position_cov(2, 0), 0.5);
  EXPECT_EQ(b->status, TrackStatus::coasting);
}

TEST(TrackUpdates, BadLinesSayWhichField) {
  auto e = parse_track_update(R"({"t":1,"track":-3,"east":0,"north":0,"status":"confirmed"})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().where, "track");
  e = parse_track_update(R"({"t":1,"track":3,"east":"x","north":0,"status":"confirmed"})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().where, "east");
  e = parse_track_update(R"({"t":1,"track":3,"east":0,"north":0,"status":"lost"})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().where, "status");
  e = parse_track_update(R"({"t":1,"track":3,"east":0,"north":0,"status":"deleted","cov":[1,2]})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().where, "cov");
  e = parse_track_update(R"({"t":1,"track":3,)");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().where.find("column"), std::string::npos);
  // the minimum: time, id, position, status
  auto ok = parse_track_update(R"({"t":1,"track":3,"east":0,"north":0,"status":"deleted"})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, TrackStatus::deleted);
}

}  // namespace
}  // namespace picket::formats

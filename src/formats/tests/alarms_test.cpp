#include "picket/formats/alarms.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace picket::formats {
namespace {

AlarmEvent sample() {
  AlarmEvent e;
  e.t = 1795903206.25;
  e.type = AlarmEventType::updated;
  e.actor = "rules";
  e.note = "confirmed by radar+camera";
  Alarm& a = e.alarm;
  a.id = 12;
  a.seq = 2;
  a.kind = AlarmKind::fence_crossing;
  a.rule = "perimeter-in";
  a.priority = AlarmPriority::high;
  a.state = AlarmState::raised;
  a.confirmed = true;
  a.score = 0.675;
  a.confirmations = 2;
  a.track = 17;
  a.fence = "perimeter";
  a.segment = 3;
  a.direction = CrossingDirection::inward;
  a.east = 25.0004;
  a.north = -100.1234;
  a.cls = TargetClass::person;
  a.class_p = 0.9;
  a.sensors = {"cam-1", "radar \"1\""};
  a.raised_t = 1795903206;
  a.trigger_t = 1795903205.5;
  a.count = 1;
  a.text = "track 17 (person) crossed Perimeter segment 3 inward";
  return e;
}

TEST(AlarmsJsonl, WritesTheDocumentedLine) {
  std::string line;
  append_alarm_event(line, sample());
  EXPECT_EQ(line,
            R"({"t":1795903206.25,"alarm":12,"seq":2,"event":"updated","actor":"rules",)"
            R"("kind":"fence_crossing","rule":"perimeter-in","priority":"high","state":"raised",)"
            R"("active":true,"confirmed":true,"score":0.675,"confirmations":2,"track":17,)"
            R"("fence":"perimeter","segment":3,"direction":"inward","east":25,"north":-100.123,)"
            R"("class":"person","class_p":0.9,"sensors":["cam-1","radar \"1\""],"value":0,)"
            R"("raised_t":1795903206,"trigger_t":1795903205.5,"count":1,)"
            R"("text":"track 17 (person) crossed Perimeter segment 3 inward",)"
            R"("note":"confirmed by radar+camera"})"
            "\n");
}

TEST(AlarmsJsonl, RoundTrips) {
  AlarmEvent e = sample();
  e.type = AlarmEventType::resolved;
  e.alarm.state = AlarmState::resolved;
  e.alarm.acknowledged_by = "alice";
  e.alarm.acknowledged_t = 1795903210;
  e.alarm.outcome = AlarmOutcome::false_alarm;
  e.alarm.resolved_by = "bob";
  e.alarm.resolved_t = 1795903300.5;
  e.alarm.up = 12.5;
  e.alarm.exercise = true;
  e.alarm.zone = "switchyard";
  e.alarm.sensor = "fence-a";
  e.alarm.value = 3.25;
  std::string line;
  append_alarm_event(line, e);
  line.pop_back();
  auto back = parse_alarm_event(line);
  ASSERT_TRUE(back) << back.error().message() << "\n" << line;
  const Alarm& a = back->alarm;
  EXPECT_EQ(back->type, AlarmEventType::resolved);
  EXPECT_EQ(back->actor, "rules");
  EXPECT_EQ(a.id, 12u);
  EXPECT_EQ(a.seq, 2u);
  EXPECT_EQ(a.outcome, AlarmOutcome::false_alarm);
  EXPECT_EQ(a.resolved_by, "bob");
  EXPECT_DOUBLE_EQ(a.resolved_t, 1795903300.5);
  EXPECT_EQ(a.acknowledged_by, "alice");
  EXPECT_EQ(a.sensors, e.alarm.sensors);
  EXPECT_EQ(a.direction, CrossingDirection::inward);
  EXPECT_DOUBLE_EQ(*a.up, 12.5);
  EXPECT_TRUE(a.exercise);
  EXPECT_EQ(a.zone, "switchyard");
  EXPECT_EQ(a.sensor, "fence-a");
  EXPECT_DOUBLE_EQ(a.north, -100.123);
  // Writing what was read gives the same bytes.
  std::string again;
  append_alarm_event(again, *back);
  again.pop_back();
  EXPECT_EQ(again, line);
}

TEST(AlarmsJsonl, BadLinesNameTheField) {
  struct Case {
    const char* line;
    const char* where;
  } cases[] = {
      {R"({"t":1,"alarm":0,"seq":1})", "alarm"},
      {R"({"t":1,"alarm":3,"seq":1,"event":"exploded"})", "event"},
      {R"({"t":1,"alarm":3,"seq":1,"event":"raised","kind":"x"})", "kind"},
      {R"({"t":-1})", "t"},
      {R"({"t":1,"alarm":3,"seq":1,"event":"raised","kind":"speed","rule":"r",)"
       R"("priority":"urgent"})",
       "priority"},
      {R"({"t":1,"alarm":3,"seq":1,"event":"raised","kind":"speed","rule":"r",)"
       R"("priority":"low","state":"raised","east":"x","north":0})",
       "east"},
      {R"({"t":1,"alarm":3,"seq":1,"event":"raised","kind":"speed","rule":"r",)"
       R"("priority":"low","state":"raised","east":0,"north":0,"sensors":"a"})",
       "sensors"},
      {R"({"t":1,"alarm":3,"seq":1,"event":"raised","kind":"speed","rule":"r",)"
       R"("priority":"low","state":"raised","east":0,"north":0,"score":2})",
       "score"},
      {R"([1,2])", ""},
      {R"({"t":1,)", ""},
  };
  for (const auto& c : cases) {
    auto r = parse_alarm_event(c.line);
    ASSERT_FALSE(r) << c.line;
    EXPECT_EQ(r.error().where, c.where) << c.line << ": " << r.error().message();
  }
}

TEST(AlarmsJsonl, ReaderGivesFileAndLine) {
  const auto path = std::filesystem::temp_directory_path() / "picket_alarms_test.jsonl";
  {
    std::ofstream out(path);
    std::string line;
    append_alarm_event(line, sample());
    out << line << "{\"t\":1,\"alarm\":\"x\"}\n";
  }
  auto reader = open_alarm_events(path.string());
  ASSERT_TRUE(reader);
  auto first = reader->next();
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->has_value());
  auto second = reader->next();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message(), path.string() + ":2 alarm: expected a whole number");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace picket::formats

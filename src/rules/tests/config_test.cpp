#include "picket/rules/config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "picket/core/time.h"
#include "test_site.h"

namespace picket::rules {
namespace {

using testing::make_site;

// The error text of load_rules on the test site plus `extra`.
std::string rules_error(const std::string& extra) {
  const Site site = make_site(extra);
  auto cfg = load_rules(site);
  return cfg ? std::string() : cfg.error().message();
}

TEST(RulesConfig, NoSectionsGiveNoRulesAndTheDefaultPolicy) {
  const Site site = make_site("");
  auto cfg = load_rules(site);
  ASSERT_TRUE(cfg) << cfg.error().message();
  EXPECT_TRUE(cfg->rules.empty());
  EXPECT_EQ(cfg->policy.timezone.name(), "UTC");
  EXPECT_DOUBLE_EQ(cfg->policy.fence.window_s, 10);
}

TEST(RulesConfig, TheDemoSiteLoads) {
  auto site = load_site(std::string(PICKET_SOURCE_DIR) + "/examples/demo-site.yaml");
  ASSERT_TRUE(site) << site.error().message();
  auto cfg = load_rules(*site);
  ASSERT_TRUE(cfg) << cfg.error().message();
  ASSERT_EQ(cfg->rules.size(), 4u);
  EXPECT_EQ(cfg->rules[0].id, "perimeter-inward");
  EXPECT_EQ(cfg->rules[1].type, RuleType::zone_entry);
  EXPECT_EQ(cfg->policy.timezone.name(), "Europe/London");
  EXPECT_DOUBLE_EQ(cfg->policy.health.silence_limit(site->sensors[0], 0), 30);
}

TEST(RulesConfig, ReadsEveryRuleType) {
  const Site site = make_site(R"(rules:
  - id: cross-in
    type: fence_crossing
    fence: perimeter
    segments: [1, 4]
    direction: inward
    classes: [person, vehicle]
    min_class_probability: 0.5
    priority: critical
  - {id: enter, type: zone_entry, zone: inner}
  - {id: leave, type: zone_exit, zone: inner, armed: false}
  - {id: near, type: approach, fence: perimeter, distance: 20, min_speed: 0.5, side: outside}
  - {id: loiter, type: loitering, zone: buffer, duration: 60}
  - {id: fast, type: speed, above: 8.3, zone: buffer, for: 2, classes: [vehicle]}
  - {id: slow, type: speed, below: 0.2}
  - {id: crowd, type: count, zone: inner, more_than: 3}
policy:
  timezone: "+01:00"
  second_sensor: {required_for: [radar, camera], unconfirmed_priority: medium}
  fence:
    window: 15
    distance: 30
    nuisance: {triggers: 4, within: 300, rate_limit: 60, quiet: 900}
  health:
    silence_factor: 5
    sensors:
      radar-1: {silence: 30}
      cam-1: {monitor: false}
)");
  auto cfg = load_rules(site);
  ASSERT_TRUE(cfg) << cfg.error().message();
  ASSERT_EQ(cfg->rules.size(), 8u);
  const Rule& c = cfg->rules[0];
  EXPECT_EQ(c.type, RuleType::fence_crossing);
  EXPECT_EQ(c.fence, 0);
  EXPECT_EQ(c.first_segment, 1);
  EXPECT_EQ(c.last_segment, 4);
  EXPECT_EQ(c.priority, AlarmPriority::critical);
  EXPECT_EQ(c.classes, class_bit(TargetClass::person) | class_bit(TargetClass::vehicle));
  EXPECT_DOUBLE_EQ(c.min_class_p, 0.5);
  EXPECT_EQ(cfg->rules[1].zone, 0);
  EXPECT_EQ(cfg->rules[1].last_segment, 0);
  EXPECT_FALSE(cfg->rules[2].armed);
  EXPECT_DOUBLE_EQ(cfg->rules[3].distance_m, 20);
  EXPECT_DOUBLE_EQ(cfg->rules[4].duration_s, 60);
  EXPECT_EQ(cfg->rules[4].zone, 1);
  EXPECT_DOUBLE_EQ(*cfg->rules[5].above_mps, 8.3);
  EXPECT_DOUBLE_EQ(cfg->rules[5].hold_s, 2);
  EXPECT_DOUBLE_EQ(*cfg->rules[6].below_mps, 0.2);
  EXPECT_EQ(cfg->rules[7].more_than, 3);
  EXPECT_EQ(cfg->policy.timezone.offset_at(0), 3600);
  EXPECT_EQ(cfg->policy.second_sensor.required_for,
            sensor_type_bit(SensorType::radar) | sensor_type_bit(SensorType::camera));
  EXPECT_EQ(cfg->policy.second_sensor.unconfirmed_priority, AlarmPriority::medium);
  EXPECT_EQ(cfg->policy.fence.nuisance.triggers, 4);
  EXPECT_DOUBLE_EQ(cfg->policy.health.silence_limit(site.sensors[0], 0), 30);
  EXPECT_DOUBLE_EQ(cfg->policy.health.silence_limit(site.sensors[1], 1), 0);
  EXPECT_DOUBLE_EQ(cfg->policy.health.silence_limit(site.sensors[2], 2), 50);  // 5 x 10 s
}

TEST(RulesConfig, UnknownZoneOrFenceRefusesTheSiteWithFileLineAndField) {
  const std::string e = rules_error(R"(rules:
  - {id: a, type: zone_entry, zone: switchyard}
  - {id: b, type: fence_crossing, fence: perimter}
)");
  EXPECT_NE(e.find("site.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("rules[0].zone: unknown zone 'switchyard' (zones of this site: inner, buffer)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("rules[1].fence: unknown fence 'perimter' (fences of this site: perimeter)"),
            std::string::npos)
      << e;
  // The line is the rule's own line in the file: "rules:" follows the site head.
  const auto head =
      std::count(testing::kSiteHead, testing::kSiteHead + std::strlen(testing::kSiteHead), '\n');
  EXPECT_NE(e.find(fmt::format("site.yaml:{} rules[1].fence", head + 3)), std::string::npos) << e;
}

TEST(RulesConfig, ImpossibleSchedulesAreRefused) {
  struct Case {
    const char* schedule;
    const char* expect;
  } cases[] = {
      {"[{from: \"25:00\", to: \"07:00\"}]", "hours run from 00 to 23"},
      {"[{from: \"18:60\", to: \"07:00\"}]", "minutes run from 00 to 59"},
      {"[{from: \"18:00\", to: \"18:00\"}]", "an empty window (from equals to)"},
      {"[{from: \"18:00\"}]", "give both from and to"},
      {"[{days: [mon, funday]}]", "'funday' is not a day of the week"},
      {"[{days: []}]", "an empty list of days"},
      {"[]", "an empty schedule: the rule would never be armed"},
      {"[{from: \"24:00\", to: \"06:00\"}]", "24:00 may only end a window"},
      {"[{from: 1800, to: 700}]", "is not a time of day"},
      {"[{days: [mon], from: \"8\", to: \"9\"}]", "expected \"HH:MM\""},
      {"[{days: [mon], start: \"08:00\"}]", "unknown key 'start'"},
      {"nightly", "expected a list of windows"},
  };
  for (const auto& c : cases) {
    const std::string e = rules_error(std::string("rules:\n  - id: r\n    type: zone_entry\n"
                                                  "    zone: inner\n    schedule: ") +
                                      c.schedule + "\n");
    EXPECT_NE(e.find(c.expect), std::string::npos) << c.schedule << " -> " << e;
    EXPECT_NE(e.find("rules[0].schedule"), std::string::npos) << c.schedule << " -> " << e;
  }
}

TEST(RulesConfig, OtherMistakes) {
  struct Case {
    const char* rules;
    const char* expect;
  } cases[] = {
      {"rules:\n  - {id: r, type: fence_crossing, fence: perimeter, segments: [3, 40]}\n",
       "[3, 40] is not a segment range of fence 'perimeter' (segments 1 to 16)"},
      {"rules:\n  - {id: r, type: fence_crossing, fence: perimeter, segments: [5, 2]}\n",
       "is not a segment range"},
      {"rules:\n  - {id: r, type: zone_entry}\n", "rules[0].zone: missing"},
      {"rules:\n  - {id: r, zone: inner}\n", "rules[0].type: missing"},
      {"rules:\n  - {id: r, type: teleport}\n", "'teleport' is not one of"},
      {"rules:\n  - {id: r, type: zone_entry, zone: inner, duration: 5}\n",
       "unknown key 'duration'"},
      {"rules:\n  - {id: r, type: zone_entry, zone: inner}\n  - {id: r, type: zone_exit, zone: "
       "inner}\n",
       "duplicate rule id 'r'"},
      {"rules:\n  - {id: r, type: speed, above: 3, below: 1}\n", "exactly one of `above` or"},
      {"rules:\n  - {id: r, type: speed}\n", "exactly one of `above` or"},
      {"rules:\n  - {id: r, type: loitering, zone: inner}\n", "rules[0].duration: missing"},
      {"rules:\n  - {id: r, type: count, zone: inner, more_than: -1}\n", "out of range"},
      {"rules:\n  - {id: r, type: approach, fence: perimeter}\n", "rules[0].distance: missing"},
      {"rules:\n  - {id: r, type: zone_entry, zone: inner, classes: [person, dragon]}\n",
       "'dragon' is not a class"},
      {"rules:\n  - {id: r, type: zone_entry, zone: inner, priority: urgent}\n",
       "'urgent' is not one of: low, medium, high, critical"},
      {"rules:\n  - {id: r, type: zone_entry, zone: inner, min_class_probability: 1.5}\n",
       "out of range [0, 1]"},
      {"rules: {id: r}\n", "expected a list of rules"},
      {"policy:\n  timezone: Europe/Atlantis\n", "unknown time zone 'Europe/Atlantis'"},
      {"policy:\n  timezone: \"+25:00\"\n", "is not a UTC offset"},
      {"policy:\n  health:\n    sensors:\n      radar-9: {silence: 3}\n",
       "unknown sensor 'radar-9'"},
      {"policy:\n  second_sensor: {required_for: [sonar]}\n", "'sonar' is not a sensor type"},
      {"policy:\n  fence: {priority: low, unconfirmed_priority: high}\n",
       "cannot be more urgent than a confirmed one"},
      {"policy:\n  fence: {windw: 3}\n", "unknown key 'windw'"},
  };
  for (const auto& c : cases) {
    const std::string e = rules_error(c.rules);
    EXPECT_NE(e.find(c.expect), std::string::npos) << c.rules << " -> " << e;
    EXPECT_NE(e.find("site.yaml:"), std::string::npos) << e;
  }
}

TEST(Schedule, WindowsOverMidnightAndWeekdays) {
  Schedule s;
  s.windows.push_back({0x3e, 18 * 3600, 7 * 3600});  // weekdays 18:00 -> 07:00 next day
  s.windows.push_back({0x41, 0, 86400});             // all weekend
  const TimeZone utc;
  auto active = [&](const char* iso) { return s.active(*parse_iso8601(iso), utc); };
  // 2026-11-23 is a Monday.
  EXPECT_FALSE(active("2026-11-23T17:59:59Z"));
  EXPECT_TRUE(active("2026-11-23T18:00:00Z"));
  EXPECT_TRUE(active("2026-11-24T06:59:59Z"));  // Tuesday morning, from Monday's window
  EXPECT_FALSE(active("2026-11-24T07:00:00Z"));
  EXPECT_FALSE(active("2026-11-24T12:00:00Z"));
  EXPECT_TRUE(active("2026-11-28T12:00:00Z"));  // Saturday
  // Monday 06:00: Sunday's all-day window ended at midnight, and Sunday has no night window.
  EXPECT_FALSE(active("2026-11-30T06:00:00Z"));
  Schedule weekday_only;
  weekday_only.windows.push_back({0x3e, 18 * 3600, 7 * 3600});
  EXPECT_FALSE(weekday_only.active(*parse_iso8601("2026-11-30T06:00:00Z"), utc));
  EXPECT_TRUE(weekday_only.active(*parse_iso8601("2026-11-28T06:00:00Z"), utc));  // Fri night
  // Local time: 17:30 UTC is 18:30 at +01:00.
  auto plus1 = TimeZone::parse("+01:00");
  EXPECT_TRUE(weekday_only.active(*parse_iso8601("2026-11-23T17:30:00Z"), *plus1));
  EXPECT_FALSE(weekday_only.active(*parse_iso8601("2026-11-23T17:30:00Z"), utc));
}

}  // namespace
}  // namespace picket::rules

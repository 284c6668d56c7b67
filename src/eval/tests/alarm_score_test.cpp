#include "picket/eval/alarm_score.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace picket::eval {
namespace {

TEST(AlarmScoreMath, ClopperPearsonLowerBound) {
  // All successes: the bound solves p^n = alpha.
  EXPECT_NEAR(clopper_pearson_lower(10, 10, 0.95), std::pow(0.05, 0.1), 1e-9);
  // The textbook figure: 29 successes in 29 trials show Pd >= 0.90 at 95 % confidence.
  EXPECT_NEAR(clopper_pearson_lower(29, 29, 0.95), 0.9019, 1e-4);
  // 8 of 10: the lower end of the two-sided 90 % Clopper-Pearson interval, 0.49310 (the p
  // where P(X >= 8 | n = 10, p) = 0.05, summed independently).
  EXPECT_NEAR(clopper_pearson_lower(8, 10, 0.95), 0.49310, 1e-5);
  EXPECT_EQ(clopper_pearson_lower(0, 10, 0.95), 0);
  EXPECT_EQ(clopper_pearson_lower(0, 0, 0.95), 0);
}

TEST(AlarmScoreMath, Quantiles) {
  const std::vector<double> v{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.95), 3.85);
  EXPECT_DOUBLE_EQ(quantile_sorted({7}, 0.95), 7);
}

TruthEvent crossing(const char* id, double t, int segment, double e, double n, TargetClass c,
                    CrossingDirection d = CrossingDirection::inward) {
  TruthEvent ev;
  ev.t = t;
  ev.id = id;
  ev.event = TruthEventKind::fence_crossing;
  ev.fence = "perimeter";
  ev.segment = segment;
  ev.direction = d;
  ev.east = e;
  ev.north = n;
  ev.cls = c;
  return ev;
}

AlarmEvent alarm(std::uint64_t id, std::uint32_t seq, double t, AlarmKind kind, AlarmPriority p,
                 double score, double e, double n, int segment = 0) {
  AlarmEvent ev;
  ev.t = t;
  ev.type = seq == 1 ? AlarmEventType::raised : AlarmEventType::updated;
  ev.alarm.id = id;
  ev.alarm.seq = seq;
  ev.alarm.kind = kind;
  ev.alarm.rule = kind == AlarmKind::fence_alarm ? "policy.fence" : "r";
  ev.alarm.priority = p;
  ev.alarm.score = score;
  ev.alarm.east = e;
  ev.alarm.north = n;
  ev.alarm.segment = segment;
  if (segment) ev.alarm.fence = "perimeter";
  return ev;
}

Site small_site() {
  auto site = load_site_from_string(R"(name: eval test
origin: {lat: 52.1, lon: -1.0, alt: 80}
fences:
  - id: perimeter
    points:
      - {east: -100, north: -100}
      - {east: 100, north: -100}
      - {east: 100, north: 100}
      - {east: -100, north: 100}
      - {east: -100, north: -100}
zones:
  - id: yard
    polygon: [{east: -50, north: -50}, {east: 50, north: -50}, {east: 50, north: 50}]
sensors:
  - {id: radar-1, type: radar, position: {east: 0, north: 0}, range: {max: 1000},
     noise: {range: 2, bearing: 0.5}}
rules:
  - {id: yard-entry, type: zone_entry, zone: yard}
)",
                                    "eval.yaml");
  if (!site) {
    ADD_FAILURE() << site.error().message();
    return Site{};
  }
  return std::move(*site);
}

// A hand-worked case: two intrusions, an animal and a person leaving, six alarms.
TEST(AlarmScore, HandWorkedScenario) {
  const std::vector<TruthEvent> events = {
      crossing("A", 100, 3, 25, -100, TargetClass::person),
      crossing("B", 200, 10, 100, 75, TargetClass::vehicle),
      crossing("C", 300, 7, 100, 25, TargetClass::animal),
      crossing("D", 400, 4, 75, -100, TargetClass::person, CrossingDirection::outward),
  };
  const std::vector<AlarmEvent> alarms = {
      alarm(1, 1, 101.5, AlarmKind::fence_crossing, AlarmPriority::high, 0.75, 25, -100),
      alarm(2, 1, 199, AlarmKind::fence_alarm, AlarmPriority::low, 0.5, 100, 75, 10),
      alarm(2, 2, 203, AlarmKind::fence_alarm, AlarmPriority::high, 0.9, 100, 75, 10),
      alarm(3, 1, 301, AlarmKind::fence_alarm, AlarmPriority::high, 0.5, 100, 25, 7),
      alarm(4, 1, 500, AlarmKind::fence_alarm, AlarmPriority::low, 0.2, -100, 75, 14),
      alarm(5, 1, 600, AlarmKind::zone_entry, AlarmPriority::high, 0.3, 20, -20),
      alarm(6, 1, 700, AlarmKind::sensor_fault, AlarmPriority::high, 1, 0, 0),
  };
  const Site site = small_site();
  AlarmScoreOptions o;
  o.duration_s = 86400;
  const AlarmScore s = score_alarms(events, alarms, &site, o);
  ASSERT_EQ(s.intrusions.size(), 2u);
  EXPECT_EQ(s.detected, 2);
  EXPECT_DOUBLE_EQ(s.pd, 1.0);
  EXPECT_NEAR(s.pd_lower95, std::sqrt(0.05), 1e-9);
  EXPECT_EQ(s.intrusions[0].alarm, 1u);
  EXPECT_DOUBLE_EQ(s.intrusions[0].time_to_alarm_s, 1.5);
  EXPECT_EQ(s.intrusions[1].alarm, 2u);
  EXPECT_DOUBLE_EQ(s.intrusions[1].time_to_alarm_s, 3.0);  // when it became high priority
  EXPECT_DOUBLE_EQ(*s.tta_median_s, 2.25);
  EXPECT_DOUBLE_EQ(*s.tta_p95_s, 2.925);
  ASSERT_EQ(s.alarms.size(),
            4u);  // 1, 2, 3 and 5 reached high priority; 6 is not an intrusion kind
  EXPECT_EQ(s.detections, 2);
  EXPECT_EQ(s.nuisance, 1);
  EXPECT_EQ(s.false_alarms, 1);
  EXPECT_DOUBLE_EQ(s.nuisance_per_day, 1);
  EXPECT_DOUBLE_EQ(s.false_per_day, 1);
  EXPECT_EQ(s.high_priority_nuisance, 1);
  EXPECT_EQ(s.high_priority_false, 1);
  // Per fence: the nuisance alarm is on the 0.8 km perimeter.
  ASSERT_EQ(s.per_fence.size(), 1u);
  EXPECT_NEAR(s.per_fence[0].size, 0.8, 1e-3);
  EXPECT_NEAR(s.nuisance_per_km_day, 1.25, 2e-3);
  EXPECT_DOUBLE_EQ(s.false_per_km_day, 0);
  // Per zone: the false zone-entry alarm at (20, -20) is in the yard.
  ASSERT_EQ(s.per_zone.size(), 1u);
  EXPECT_EQ(s.per_zone[0].false_alarms, 1);
  // The sweep: at 0.8 only alarm 2 counts (its 0.9 update): Pd 0.5, no unwanted alarm.
  ASSERT_EQ(s.sweep.size(), 21u);
  const SweepPoint& p = s.sweep[16];
  EXPECT_DOUBLE_EQ(p.threshold, 0.8);
  EXPECT_DOUBLE_EQ(p.pd, 0.5);
  EXPECT_DOUBLE_EQ(p.unwanted_per_day, 0);
  EXPECT_DOUBLE_EQ(s.sweep[0].unwanted_per_day, 2);
  EXPECT_DOUBLE_EQ(s.sweep[20].pd, 0);
  // With low-priority alarms counted, alarm 4 (no cause) is a false alarm too.
  o.min_priority = AlarmPriority::low;
  const AlarmScore low = score_alarms(events, alarms, &site, o);
  EXPECT_EQ(low.false_alarms, 2);
  EXPECT_DOUBLE_EQ(low.intrusions[1].time_to_alarm_s, -1.0);  // the low alarm came first
  // JSON carries the figures.
  const auto j = nlohmann::json::parse(to_json(s));
  EXPECT_EQ(j["detection"]["detected"], 2);
  EXPECT_EQ(j["unwanted"]["false"], 1);
  EXPECT_EQ(j["options"]["protected_zones"][0], "yard");
  EXPECT_EQ(j["sweep"].size(), 21u);
  const std::string svg = sweep_svg(s);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
}

TEST(AlarmScore, AlarmsCausedByAnIntruderAreTrueAlarms) {
  // A vehicle speeds up the gate road (an unprotected zone) and then crashes the fence: the speed
  // alarm is not a nuisance, it is the same intruder.
  TruthEvent approach;
  approach.t = 90;
  approach.id = "truck";
  approach.event = TruthEventKind::zone_entry;
  approach.zone = "gate-approach";
  approach.east = 0;
  approach.north = -300;
  approach.cls = TargetClass::vehicle;
  const std::vector<TruthEvent> events = {approach,
                                          crossing("truck", 100, 7, 0, -200, TargetClass::vehicle)};
  const auto s = score_alarms(
      events,
      {alarm(1, 1, 91, AlarmKind::speed, AlarmPriority::high, 0.75, 0, -290),
       alarm(2, 1, 100.5, AlarmKind::fence_crossing, AlarmPriority::high, 0.75, 0, -200)},
      nullptr, AlarmScoreOptions{});
  EXPECT_EQ(s.detected, 1);
  EXPECT_EQ(s.detections, 2);
  EXPECT_EQ(s.nuisance, 0);
  EXPECT_EQ(s.high_priority_nuisance, 0);
}

TEST(AlarmScore, LateOrDistantAlarmsDoNotDetect) {
  const std::vector<TruthEvent> events = {crossing("A", 100, 3, 25, -100, TargetClass::person)};
  AlarmScoreOptions o;
  // 31 s late.
  auto s = score_alarms(
      events, {alarm(1, 1, 131, AlarmKind::fence_crossing, AlarmPriority::high, 1, 25, -100)},
      nullptr, o);
  EXPECT_EQ(s.detected, 0);
  // Too late to detect the intrusion, but at the intruder's spot within the attribution time:
  // a true alarm, not a false one. Without attribution it is false.
  EXPECT_EQ(s.false_alarms, 0);
  EXPECT_EQ(s.detections, 1);
  AlarmScoreOptions strict = o;
  strict.attribution_s = 0;
  s = score_alarms(events,
                   {alarm(1, 1, 131, AlarmKind::fence_crossing, AlarmPriority::high, 1, 25, -100)},
                   nullptr, strict);
  EXPECT_EQ(s.false_alarms, 1);
  // 60 m away, another fence segment.
  s = score_alarms(events,
                   {alarm(1, 1, 101, AlarmKind::fence_alarm, AlarmPriority::high, 1, -35, -100, 1)},
                   nullptr, o);
  EXPECT_EQ(s.detected, 0);
  // The neighbouring segment counts for fence alarms, wherever its midpoint is.
  s = score_alarms(events,
                   {alarm(1, 1, 101, AlarmKind::fence_alarm, AlarmPriority::high, 1, -35, -100, 2)},
                   nullptr, o);
  EXPECT_EQ(s.detected, 1);
  // Early by up to `before_s` counts (an approach alarm).
  s = score_alarms(events, {alarm(1, 1, 92, AlarmKind::approach, AlarmPriority::high, 1, 25, -115)},
                   nullptr, o);
  EXPECT_EQ(s.detected, 1);
  EXPECT_DOUBLE_EQ(s.intrusions[0].time_to_alarm_s, -8);
  // No intrusions, no alarms: Pd 0 of 0, nothing divides by zero.
  s = score_alarms({}, {}, nullptr, o);
  EXPECT_EQ(s.pd, 0);
  EXPECT_FALSE(s.tta_median_s);
  EXPECT_TRUE(nlohmann::json::parse(to_json(s)).is_object());
}

}  // namespace
}  // namespace picket::eval

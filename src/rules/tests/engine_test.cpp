#include "picket/rules/engine.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <set>

#include "test_site.h"

namespace picket::rules {
namespace {

using testing::fence_report;
using testing::kT0;
using testing::make_site;
using testing::status_report;
using testing::track;

// Sensor-health monitoring off, so rule tests see only their own alarms.
const std::string kQuietHealth =
    "  health:\n    sensors:\n      radar-1: {monitor: false}\n      cam-1: {monitor: false}\n"
    "      fence-1: {monitor: false}\n";

class Engine : public ::testing::Test {
 protected:
  // rules: the text under `rules:`; policy: more keys under `policy:`.
  void load(const std::string& rules, const std::string& policy = "", bool quiet = true) {
    std::string text;
    if (!rules.empty()) text += "rules:\n" + rules;
    text += "policy:\n" + (quiet ? kQuietHealth : std::string()) + policy;
    site_ = make_site(text);
    auto e = RulesEngine::create(site_);
    ASSERT_TRUE(e) << e.error().message();
    engine_ = std::move(*e);
  }
  std::vector<AlarmEvent> on(const TrackState& s) {
    std::vector<AlarmEvent> out;
    engine_->on_track(s, out);
    all_.insert(all_.end(), out.begin(), out.end());
    return out;
  }
  std::vector<AlarmEvent> on(const Detection& d) {
    std::vector<AlarmEvent> out;
    engine_->on_detection(d, out);
    all_.insert(all_.end(), out.begin(), out.end());
    return out;
  }
  std::vector<AlarmEvent> advance(double t) {
    std::vector<AlarmEvent> out;
    engine_->advance(t, out);
    all_.insert(all_.end(), out.begin(), out.end());
    return out;
  }
  // A track walking in a straight line from (e0, n0) at speed (ve, vn), one update a second.
  std::vector<AlarmEvent> walk(std::uint64_t id, double t0, double e0, double n0, double ve,
                               double vn, int steps, TargetClass cls = TargetClass::person,
                               std::vector<std::string> sensors = {"cam-1", "radar-1"}) {
    std::vector<AlarmEvent> out;
    for (int i = 0; i <= steps; ++i) {
      auto ev = on(track(id, t0 + i, e0 + ve * i, n0 + vn * i, ve, vn, cls, sensors));
      out.insert(out.end(), ev.begin(), ev.end());
    }
    return out;
  }

  Site site_;
  std::unique_ptr<RulesEngine> engine_;
  std::vector<AlarmEvent> all_;
};

TEST_F(Engine, FenceCrossingInwardOnly) {
  load("  - {id: in, type: fence_crossing, fence: perimeter, direction: inward}\n");
  // North through the south side at east 25 (segment 3), then back out, then in again.
  auto ev = walk(1, kT0, 25, -130, 0, 5, 12);
  ASSERT_EQ(ev.size(), 1u);
  const AlarmEvent& e = ev[0];
  EXPECT_EQ(e.type, AlarmEventType::raised);
  EXPECT_EQ(e.alarm.kind, AlarmKind::fence_crossing);
  EXPECT_EQ(e.alarm.rule, "in");
  EXPECT_EQ(e.alarm.fence, "perimeter");
  EXPECT_EQ(e.alarm.segment, 3);
  EXPECT_EQ(e.alarm.direction, CrossingDirection::inward);
  EXPECT_EQ(e.alarm.track, 1u);
  EXPECT_EQ(e.alarm.priority, AlarmPriority::high);
  EXPECT_NEAR(e.alarm.east, 25, 1e-9);
  EXPECT_NEAR(e.alarm.north, -100, 1e-6);
  EXPECT_DOUBLE_EQ(e.t, kT0 + 6);  // first update past the fence: -130 + 6 x 5 = -100
  EXPECT_EQ(e.alarm.seq, 1u);
  EXPECT_EQ(e.alarm.id, 1u);
  EXPECT_EQ(e.actor, "rules");
  EXPECT_EQ(e.alarm.sensors, (std::vector<std::string>{"cam-1", "radar-1"}));
  EXPECT_NE(e.alarm.text.find("crossed Perimeter segment 3 inward"), std::string::npos)
      << e.alarm.text;
  // Out again: not an inward crossing.
  EXPECT_TRUE(walk(1, kT0 + 20, 25, -70, 0, -5, 12).empty());
  // In again: the same track and rule update the open alarm.
  ev = walk(1, kT0 + 40, 25, -130, 0, 5, 12);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::updated);
  EXPECT_EQ(ev[0].alarm.id, 1u);
  EXPECT_EQ(ev[0].alarm.count, 2);
  EXPECT_EQ(ev[0].alarm.seq, 2u);
  // Another track: another alarm.
  ev = walk(2, kT0 + 60, -75, -130, 0, 5, 12);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.id, 2u);
  EXPECT_EQ(ev[0].alarm.segment, 1);
}

TEST_F(Engine, FenceCrossingSegmentsAndDirections) {
  load(
      "  - {id: out, type: fence_crossing, fence: perimeter, direction: outward}\n"
      "  - {id: any, type: fence_crossing, fence: perimeter, direction: both, segments: [5, 8]}\n");
  // South side (segment 3) outwards: only `out`.
  auto ev = walk(1, kT0, 25, -70, 0, -5, 12);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.rule, "out");
  EXPECT_EQ(ev[0].alarm.direction, CrossingDirection::outward);
  // East side (segments 5-8 run north along east 100): west to east is outward there.
  ev = walk(2, kT0, 70, 10, 5, 0, 12);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].alarm.rule, "out");
  EXPECT_EQ(ev[1].alarm.rule, "any");
  EXPECT_EQ(ev[1].alarm.segment, 7);
  // Inwards on the east side: `any` only.
  ev = walk(3, kT0, 130, -40, -5, 0, 12);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.rule, "any");
  EXPECT_EQ(ev[0].alarm.segment, 6);
  EXPECT_EQ(ev[0].alarm.direction, CrossingDirection::inward);
}

TEST_F(Engine, ZoneEntryAndExit) {
  load(
      "  - {id: enter, type: zone_entry, zone: inner}\n"
      "  - {id: leave, type: zone_exit, zone: inner, priority: low}\n");
  auto ev = walk(1, kT0, -70, 0, 5, 0, 30);  // through inner from x = -50 to x = 50
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::zone_entry);
  EXPECT_EQ(ev[0].alarm.zone, "inner");
  EXPECT_DOUBLE_EQ(ev[0].t, kT0 + 4);  // x = -50: on the boundary; inside at x = -45
  EXPECT_EQ(ev[1].alarm.kind, AlarmKind::zone_exit);
  EXPECT_EQ(ev[1].alarm.priority, AlarmPriority::low);
  EXPECT_GT(ev[1].t, kT0 + 23);
  // A track that appears inside the zone has entered it.
  ev = on(track(2, kT0 + 40, 0, 0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.rule, "enter");
}

TEST_F(Engine, LoiteringRaisesOncePerStay) {
  load("  - {id: loiter, type: loitering, zone: buffer, duration: 60}\n");
  std::vector<AlarmEvent> ev;
  for (int i = 0; i <= 59; ++i) {
    auto e = on(track(1, kT0 + i, 0, -130));
    ev.insert(ev.end(), e.begin(), e.end());
  }
  EXPECT_TRUE(ev.empty());
  ev = on(track(1, kT0 + 60, 0, -130));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::loitering);
  EXPECT_DOUBLE_EQ(ev[0].alarm.value, 60);
  for (int i = 61; i < 120; ++i)
    EXPECT_TRUE(on(track(1, kT0 + i, 0, -130)).empty());
  // Leaves, comes back, stays again: the open alarm is updated.
  EXPECT_TRUE(on(track(1, kT0 + 121, 0, -160)).empty());
  for (int i = 122; i < 182; ++i)
    EXPECT_TRUE(on(track(1, kT0 + i, 0, -130)).empty());
  ev = on(track(1, kT0 + 182, 0, -130));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::updated);
  EXPECT_EQ(ev[0].alarm.count, 2);
}

TEST_F(Engine, ApproachNeedsDistanceAndClosingSpeed) {
  load("  - {id: near, type: approach, fence: perimeter, distance: 20, min_speed: 0.3}\n");
  // Along the fence, 10 m outside it: close but not heading towards it.
  EXPECT_TRUE(walk(1, kT0, -60, -110, 1, 0, 20).empty());
  // Straight at it from the south.
  std::vector<AlarmEvent> ev;
  for (int i = 0; i < 12; ++i) {
    auto e = on(track(2, kT0 + 100 + i, 0, -130 + i, 0, 1));
    if (!e.empty()) {
      ASSERT_EQ(e.size(), 1u);
      EXPECT_EQ(e[0].alarm.kind, AlarmKind::approach);
      EXPECT_NEAR(e[0].alarm.value, 20, 1e-9);  // at north -120: 20 m from the fence
      EXPECT_DOUBLE_EQ(e[0].t, kT0 + 110);
      ev.insert(ev.end(), e.begin(), e.end());
    }
  }
  EXPECT_EQ(ev.size(), 1u);
  // Inside the fence heading out: not `outside`.
  EXPECT_TRUE(walk(3, kT0 + 200, 0, -60, 0, -1, 30).empty());
}

TEST_F(Engine, SpeedAboveForAWhile) {
  load("  - {id: fast, type: speed, above: 5, for: 2, classes: [vehicle]}\n");
  auto v = [&](int id, double t, double speed, TargetClass c = TargetClass::vehicle) {
    return on(track(static_cast<std::uint64_t>(id), t, 0, 0, speed, 0, c));
  };
  EXPECT_TRUE(v(1, kT0, 6).empty());
  EXPECT_TRUE(v(1, kT0 + 1, 6).empty());
  auto ev = v(1, kT0 + 2, 6);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::speed);
  EXPECT_DOUBLE_EQ(ev[0].alarm.value, 6);
  EXPECT_TRUE(v(1, kT0 + 3, 7).empty());
  EXPECT_TRUE(v(1, kT0 + 4, 3).empty());
  EXPECT_TRUE(v(1, kT0 + 5, 6).empty());
  EXPECT_TRUE(v(1, kT0 + 6, 6).empty());
  ev = v(1, kT0 + 7, 6);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::updated);
  // A fast person is not a vehicle.
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(v(2, kT0 + i, 9, TargetClass::person).empty());
}

TEST_F(Engine, CountRaisesAndClears) {
  load("  - {id: crowd, type: count, zone: inner, more_than: 1}\n");
  EXPECT_TRUE(on(track(1, kT0, 0, 0)).empty());
  auto ev = on(track(2, kT0 + 1, 10, 0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::count);
  EXPECT_DOUBLE_EQ(ev[0].alarm.value, 2);
  EXPECT_EQ(ev[0].alarm.zone, "inner");
  ev = on(track(2, kT0 + 2, 10, 80));  // leaves
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::cleared);
  EXPECT_FALSE(ev[0].alarm.active);
  ev = on(track(3, kT0 + 3, -10, 0));  // a third arrives: the open alarm is active again
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::updated);
  EXPECT_TRUE(ev[0].alarm.active);
  // Deletion uncounts.
  TrackState gone = track(3, kT0 + 4, -10, 0);
  gone.status = TrackStatus::deleted;
  ev = on(gone);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::cleared);
}

TEST_F(Engine, ClassFilterWithMinimumProbability) {
  load(
      "  - {id: veh, type: zone_entry, zone: inner, classes: [vehicle]}\n"
      "  - {id: sure, type: zone_entry, zone: inner, classes: [vehicle, person],"
      " min_class_probability: 0.95}\n");
  EXPECT_TRUE(on(track(1, kT0, 0, 0, 0, 0, TargetClass::person)).empty());  // person p 0.9
  auto ev = on(track(2, kT0, 0, 0, 0, 0, TargetClass::vehicle));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.rule, "veh");
  EXPECT_EQ(ev[0].alarm.cls, TargetClass::vehicle);
  TrackState mixed = track(3, kT0, 0, 0, 0, 0, TargetClass::person);
  mixed.class_probs = {0.5, 0.48, 0.02, 0, 0, 0};
  ev = on(mixed);  // P(person or vehicle) = 0.98
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.rule, "sure");
  EXPECT_NEAR(ev[0].alarm.score, 0.98 * 0.75, 1e-12);  // two sensor types
}

TEST_F(Engine, ScheduleAndArming) {
  // kT0 is Saturday 22:00 UTC.
  load(
      "  - id: office\n    type: zone_entry\n    zone: inner\n"
      "    schedule: [{days: weekdays, from: \"08:00\", to: \"17:00\"}]\n"
      "  - id: night\n    type: zone_entry\n    zone: inner\n"
      "    schedule: [{days: [sat], from: \"21:00\", to: \"06:00\"}]\n"
      "  - {id: off, type: zone_entry, zone: inner, armed: false}\n");
  auto ev = on(track(1, kT0, 0, 0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.rule, "night");
  EXPECT_EQ(engine_->metrics().disarmed, 2u);
  ASSERT_TRUE(engine_->set_armed("off", true));
  ASSERT_TRUE(engine_->set_armed("night", false));
  EXPECT_FALSE(engine_->set_armed("nope", true));
  ev = on(track(2, kT0 + 1, 0, 0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.rule, "off");
}

TEST_F(Engine, ScheduleInTheSiteTimeZone) {
  // 22:00 UTC is 23:00 at +01:00: outside 08:00-23:00 local, inside 08:00-23:00 UTC.
  load(
      "  - id: day\n    type: zone_entry\n    zone: inner\n"
      "    schedule: [{from: \"08:00\", to: \"23:00\"}]\n",
      "  timezone: \"+01:00\"\n");
  EXPECT_TRUE(on(track(1, kT0, 0, 0)).empty());
  EXPECT_EQ(engine_->metrics().disarmed, 1u);
}

TEST_F(Engine, TentativeTracksAreHeldUntilConfirmed) {
  load("  - {id: in, type: fence_crossing, fence: perimeter}\n");
  auto tent = [](std::uint64_t id, double t, double n, TrackStatus st) {
    return track(id, t, 25, n, 0, 5, TargetClass::person, {"cam-1", "radar-1"}, st);
  };
  EXPECT_TRUE(on(tent(1, kT0, -104, TrackStatus::tentative)).empty());
  EXPECT_TRUE(on(tent(1, kT0 + 1, -99, TrackStatus::tentative)).empty());  // crosses
  EXPECT_EQ(engine_->metrics().held, 1u);
  auto ev = on(tent(1, kT0 + 2, -94, TrackStatus::confirmed));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_DOUBLE_EQ(ev[0].alarm.trigger_t, kT0 + 1);
  EXPECT_DOUBLE_EQ(ev[0].alarm.raised_t, kT0 + 2);
  // A tentative track that crosses and dies raises nothing.
  EXPECT_TRUE(on(tent(2, kT0, -104, TrackStatus::tentative)).empty());
  EXPECT_TRUE(on(tent(2, kT0 + 3, -99, TrackStatus::tentative)).empty());
  EXPECT_TRUE(on(tent(2, kT0 + 4, -99, TrackStatus::deleted)).empty());
  EXPECT_EQ(engine_->metrics().held_dropped, 1u);
}

TEST_F(Engine, SingleSensorTypeTracksNeedConfirmation) {
  load("  - {id: in, type: fence_crossing, fence: perimeter}\n",
       "  second_sensor: {required_for: [radar, camera]}\n");
  auto ev = walk(1, kT0, 25, -130, 0, 5, 6, TargetClass::person, {"radar-1"});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::low);
  EXPECT_FALSE(ev[0].alarm.confirmed);
  EXPECT_EQ(ev[0].alarm.confirmations, 1);
  EXPECT_EQ(ev[0].note, "waiting for a second sensor type");
  // The camera joins.
  ev = on(track(1, kT0 + 7, 25, -95, 0, 5, TargetClass::person, {"radar-1", "cam-1"}));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::updated);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::high);
  EXPECT_TRUE(ev[0].alarm.confirmed);
  EXPECT_EQ(ev[0].alarm.confirmations, 2);
  EXPECT_EQ(ev[0].note, "confirmed by radar+camera");
  // A fence trigger near a radar-only track confirms it too.
  ev = walk(2, kT0 + 20, -75, -130, 0, 5, 6, TargetClass::person, {"radar-1"});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_FALSE(ev[0].alarm.confirmed);
  ev = on(fence_report(kT0 + 27, 1));
  bool confirmed = false;
  for (const auto& e : ev)
    confirmed = confirmed || (e.alarm.track == 2 && e.alarm.rule == "in" && e.alarm.confirmed &&
                              e.alarm.priority == AlarmPriority::high);
  EXPECT_TRUE(confirmed);
}

TEST_F(Engine, ConfirmationStaysWithTheTrackAndRulesMayWaiveIt) {
  load(
      "  - {id: enter, type: zone_entry, zone: inner}\n"
      "  - {id: buffer, type: zone_entry, zone: buffer, second_sensor: false}\n",
      "  second_sensor: {required_for: [radar, camera]}\n");
  // Seen by camera and radar outside, then only by the radar inside: still confirmed.
  EXPECT_TRUE(on(track(1, kT0, -70, 0, 5, 0, TargetClass::person, {"cam-1", "radar-1"})).empty());
  auto ev = walk(1, kT0 + 1, -65, 0, 5, 0, 5, TargetClass::person, {"radar-1"});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(ev[0].alarm.confirmed);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::high);
  EXPECT_EQ(ev[0].alarm.confirmations, 2);
  // A radar-only track: unconfirmed for `enter`, but `buffer` waives the second sensor.
  ev = on(track(2, kT0 + 10, 0, -130, 0, 0, TargetClass::person, {"radar-1"}));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.rule, "buffer");
  EXPECT_FALSE(ev[0].alarm.confirmed);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::high);
  ev = on(track(3, kT0 + 11, 0, 0, 0, 0, TargetClass::person, {"radar-1"}));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.rule, "enter");
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::low);
}

TEST_F(Engine, FenceAlarmConfirmedByATrackNearTheSegment) {
  load("");
  // A person 10 m outside segment 3, then the fence sensor reports segment 3.
  on(track(1, kT0, 25, -110));
  auto ev = on(fence_report(kT0 + 2, 3));
  ASSERT_EQ(ev.size(), 1u);
  const Alarm& a = ev[0].alarm;
  EXPECT_EQ(a.kind, AlarmKind::fence_alarm);
  EXPECT_EQ(a.rule, "policy.fence");
  EXPECT_EQ(a.priority, AlarmPriority::high);
  EXPECT_TRUE(a.confirmed);
  EXPECT_EQ(a.track, 1u);
  EXPECT_EQ(a.sensor, "fence-1");
  EXPECT_EQ(a.segment, 3);
  EXPECT_EQ(a.confirmations, 3);  // fence + radar + camera
  EXPECT_EQ(ev[0].actor, "policy");
}

TEST_F(Engine, FenceAlarmUpgradedWhenATrackArrivesWithinTheWindow) {
  load("");
  auto ev = on(fence_report(kT0, 7));  // east side, north 75..100... segment 7: north 100-150?
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::low);
  EXPECT_FALSE(ev[0].alarm.confirmed);
  EXPECT_EQ(ev[0].note, "unconfirmed: no track near");
  // Segment 7 is on the east side, from north 0 to 50 (along 300-350 m).
  EXPECT_NEAR(ev[0].alarm.east, 100, 1e-6);
  EXPECT_NEAR(ev[0].alarm.north, 25, 1e-6);
  ev = on(track(4, kT0 + 5, 120, 30));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::updated);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::high);
  EXPECT_TRUE(ev[0].alarm.confirmed);
  EXPECT_EQ(ev[0].alarm.track, 4u);
  EXPECT_EQ(engine_->metrics().fence_confirmed, 1u);
  // A trigger whose window runs out stays unconfirmed.
  ev = on(fence_report(kT0 + 20, 10));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(advance(kT0 + 100).empty());
  EXPECT_EQ(engine_->metrics().fence_unconfirmed, 1u);
  // A track arriving after the window does not confirm it.
  EXPECT_TRUE(on(track(5, kT0 + 101, 60, 110)).empty());
}

TEST_F(Engine, WindyFenceSegmentBecomesNuisanceButARealIntruderStillAlarms) {
  load("", "  fence: {nuisance: {triggers: 3, within: 600, rate_limit: 300, quiet: 1800}}\n");
  // Wind: segment 12 triggers every 30 s with no track.
  std::vector<AlarmEvent> ev;
  for (int i = 0; i < 3; ++i) {
    auto e = on(fence_report(kT0 + 30 * i, 12));
    ev.insert(ev.end(), e.begin(), e.end());
  }
  ASSERT_EQ(ev.size(), 3u);  // raised, then two updates of the same alarm
  EXPECT_EQ(ev[0].type, AlarmEventType::raised);
  EXPECT_EQ(ev[2].alarm.count, 3);
  ev = advance(kT0 + 71);  // the third trigger's window closes at +70
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::fence_nuisance);
  EXPECT_DOUBLE_EQ(ev[0].t, kT0 + 70);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::low);
  EXPECT_EQ(ev[0].alarm.segment, 12);
  const auto nuisance_id = ev[0].alarm.id;
  // More wind: folded into the nuisance alarm, at most one update per 300 s.
  ev.clear();
  for (int i = 0; i < 20; ++i) {
    auto e = on(fence_report(kT0 + 100 + 30 * i, 12));
    ev.insert(ev.end(), e.begin(), e.end());
  }
  ASSERT_EQ(ev.size(), 2u) << "rate limit";
  for (const auto& e : ev) {
    EXPECT_EQ(e.alarm.id, nuisance_id);
    EXPECT_EQ(e.type, AlarmEventType::updated);
  }
  EXPECT_GE(engine_->metrics().fence_suppressed, 20u);
  // An intruder at segment 12 (north side, east 0..-50... along 550-600 m) during the wind.
  const double t = kT0 + 700;
  ev = on(fence_report(t, 12));
  EXPECT_TRUE(ev.empty());  // suppressed: no track yet
  const Vec2 mid = site_.fences[0].point_at(575);
  ev = on(track(9, t + 3, mid.x(), mid.y() + 10));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::raised);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::fence_alarm);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::high);
  EXPECT_EQ(ev[0].alarm.track, 9u);
  // Calm: the nuisance mark clears after the quiet time.
  ev = advance(t + 4000);
  bool cleared = false;
  for (const auto& e : ev)
    cleared = cleared || (e.alarm.id == nuisance_id && e.type == AlarmEventType::cleared);
  EXPECT_TRUE(cleared);
}

TEST_F(Engine, AnimalsDoNotCorroborateFenceAlarms) {
  load("");
  on(track(1, kT0, 25, -110, 0, 0, TargetClass::animal));
  auto ev = on(fence_report(kT0 + 1, 3));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::low);
  EXPECT_FALSE(ev[0].alarm.confirmed);
}

TEST_F(Engine, SensorHealth) {
  load("", "", /*quiet=*/false);
  Detection radar;
  radar.t = kT0;
  radar.sensor = "radar-1";
  radar.measurement = EnuMeasurement{10, 10, {}};
  on(radar);
  // radar-1 and cam-1 must report within max(10 s, 3 x interval); fence-1 within 30 s.
  auto ev = advance(kT0 + 11);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::sensor_fault);
  EXPECT_DOUBLE_EQ(ev[0].t, kT0 + 10);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::medium);
  std::set<std::string> silent{ev[0].alarm.sensor, ev[1].alarm.sensor};
  EXPECT_EQ(silent, (std::set<std::string>{"radar-1", "cam-1"}));
  radar.t = kT0 + 12;
  ev = on(radar);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::cleared);
  EXPECT_EQ(ev[0].alarm.sensor, "radar-1");
  EXPECT_EQ(ev[0].note, "reporting again");
  // The fence sensor's heartbeat keeps it healthy; then it reports tamper.
  // (radar-1 has gone silent again by now: 10 s after kT0 + 12.)
  ev = on(status_report(kT0 + 25, "fence-1", SensorStatus::heartbeat));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.sensor, "radar-1");
  EXPECT_EQ(ev[0].type, AlarmEventType::updated);
  EXPECT_DOUBLE_EQ(ev[0].t, kT0 + 22);
  ev = on(status_report(kT0 + 26, "fence-1", SensorStatus::tamper));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::sensor_tamper);
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::high);
  EXPECT_EQ(ev[0].alarm.fence, "perimeter");
  // A sensor that says it is broken, then recovers.
  ev = on(status_report(kT0 + 27, "cam-1", SensorStatus::fault));
  ASSERT_EQ(ev.size(), 2u);  // cleared (it reports), then updated (a fault)
  EXPECT_EQ(ev[0].type, AlarmEventType::cleared);
  EXPECT_EQ(ev[1].type, AlarmEventType::updated);
  EXPECT_TRUE(ev[1].alarm.active);
  EXPECT_TRUE(on(status_report(kT0 + 27.5, "cam-1", SensorStatus::fault)).empty());
  ev = on(status_report(kT0 + 28, "cam-1", SensorStatus::heartbeat));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::cleared);
}

TEST_F(Engine, LifeCycle) {
  load("  - {id: enter, type: zone_entry, zone: inner}\n");
  auto ev = on(track(1, kT0, 0, 0));
  ASSERT_EQ(ev.size(), 1u);
  const auto id = ev[0].alarm.id;
  auto ack = engine_->acknowledge(id, kT0 + 5, "alice", "on my way");
  ASSERT_TRUE(ack) << ack.error().message();
  EXPECT_EQ(ack->type, AlarmEventType::acknowledged);
  EXPECT_EQ(ack->actor, "alice");
  EXPECT_EQ(ack->note, "on my way");
  EXPECT_EQ(ack->alarm.state, AlarmState::acknowledged);
  EXPECT_EQ(ack->alarm.acknowledged_by, "alice");
  EXPECT_EQ(ack->alarm.seq, 2u);
  auto again = engine_->acknowledge(id, kT0 + 6, "bob", "");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("already acknowledged by alice"), std::string::npos);
  EXPECT_FALSE(engine_->resolve(id, kT0 + 7, "alice", AlarmOutcome::none, ""));
  EXPECT_FALSE(engine_->resolve(id, kT0 + 7, "", AlarmOutcome::test, ""));
  auto res = engine_->resolve(id, kT0 + 8, "alice", AlarmOutcome::intrusion, "caught");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->alarm.state, AlarmState::resolved);
  EXPECT_EQ(res->alarm.outcome, AlarmOutcome::intrusion);
  EXPECT_EQ(res->alarm.seq, 3u);
  EXPECT_FALSE(engine_->resolve(id, kT0 + 9, "alice", AlarmOutcome::test, ""));
  EXPECT_FALSE(engine_->acknowledge(999, kT0 + 9, "alice", ""));
  EXPECT_TRUE(engine_->alarms().open_alarms().empty());
  // The same track enters again: a new alarm, not an update of the resolved one.
  on(track(1, kT0 + 10, 0, 90));
  ev = on(track(1, kT0 + 11, 0, 0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::raised);
  EXPECT_EQ(ev[0].alarm.id, id + 1);
}

TEST_F(Engine, BadAndLateInputsAreCountedNotFatal) {
  load("  - {id: enter, type: zone_entry, zone: inner}\n");
  TrackState bad = track(1, kT0, std::nan(""), 0);
  EXPECT_TRUE(on(bad).empty());
  bad = track(1, std::numeric_limits<double>::infinity(), 0, 0);
  EXPECT_TRUE(on(bad).empty());
  EXPECT_EQ(engine_->metrics().bad_inputs, 2u);
  on(track(2, kT0 + 10, 0, 90));
  auto ev = on(track(2, kT0 + 5, 0, 0));  // late: processed at kT0 + 10
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_DOUBLE_EQ(ev[0].t, kT0 + 10);
  EXPECT_EQ(engine_->metrics().late_inputs, 1u);
  EXPECT_TRUE(on(fence_report(kT0 + 11, 99)).empty());
  EXPECT_TRUE(on(fence_report(kT0 + 11, 3, "fence-9")).empty());
  EXPECT_EQ(engine_->metrics().bad_segment, 1u);
  EXPECT_EQ(engine_->metrics().unknown_sensor, 1u);
}

TEST_F(Engine, ForgetsTracksThatStopUpdating) {
  load("  - {id: crowd, type: count, zone: inner, more_than: 0}\n");
  auto ev = on(track(1, kT0, 0, 0));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(engine_->metrics().tracks_live, 1u);
  ev = advance(kT0 + 200);
  ASSERT_EQ(ev.size(), 1u);  // forgotten: uncounted, the count alarm clears
  EXPECT_EQ(ev[0].type, AlarmEventType::cleared);
  EXPECT_EQ(engine_->metrics().tracks_live, 0u);
  EXPECT_EQ(engine_->metrics().tracks_forgotten, 1u);
}

// The same inputs give the same events, ids and all.
TEST_F(Engine, Deterministic) {
  const std::string rules =
      "  - {id: in, type: fence_crossing, fence: perimeter}\n"
      "  - {id: enter, type: zone_entry, zone: inner}\n"
      "  - {id: loiter, type: loitering, zone: buffer, duration: 20}\n"
      "  - {id: near, type: approach, fence: perimeter, distance: 15}\n"
      "  - {id: crowd, type: count, zone: inner, more_than: 2}\n";
  auto run = [&](std::vector<AlarmEvent>& events) {
    all_.clear();
    load(rules, "  second_sensor: {required_for: [radar]}\n");
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(-160, 160);
    std::normal_distribution<double> vel(0, 2);
    struct Mover {
      double e, n, ve, vn;
    };
    std::vector<Mover> movers;
    for (int i = 0; i < 40; ++i)
      movers.push_back({u(rng), u(rng), vel(rng), vel(rng)});
    for (int k = 0; k < 300; ++k) {
      const double t = kT0 + k;
      for (size_t i = 0; i < movers.size(); ++i) {
        auto& m = movers[i];
        m.e += m.ve;
        m.n += m.vn;
        if (std::abs(m.e) > 170) m.ve = -m.ve;
        if (std::abs(m.n) > 170) m.vn = -m.vn;
        std::vector<std::string> sensors{"radar-1"};
        if ((i + static_cast<size_t>(k) / 50) % 3 == 0) sensors.push_back("cam-1");
        on(track(i + 1, t, m.e, m.n, m.ve, m.vn,
                 i % 4 == 0 ? TargetClass::animal : TargetClass::person, sensors));
      }
      if (k % 7 == 0) on(fence_report(t + 0.5, 1 + static_cast<int>(rng() % 16)));
    }
    events = all_;
  };
  std::vector<AlarmEvent> a;
  std::vector<AlarmEvent> b;
  run(a);
  run(b);
  ASSERT_GT(a.size(), 20u);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].t, b[i].t);
    EXPECT_EQ(a[i].type, b[i].type);
    EXPECT_EQ(a[i].alarm.id, b[i].alarm.id);
    EXPECT_EQ(a[i].alarm.seq, b[i].alarm.seq);
    EXPECT_EQ(a[i].alarm.text, b[i].alarm.text);
    EXPECT_EQ(a[i].alarm.priority, b[i].alarm.priority);
  }
}

}  // namespace
}  // namespace picket::rules

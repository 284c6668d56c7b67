// Airspace rules: a non-cooperative flyer inside a restricted volume, a cooperative aircraft
// below a floor, a flyer closing on a volume faster than a bound. Hand-worked geometry, and an
// airport scene: a drone over the runway raises an alarm; an ADS-B-identified airliner on the
// glide path, above the approach floor, raises none.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "picket/core/units.h"
#include "picket/rules/config.h"
#include "picket/rules/engine.h"
#include "picket/track/identity.h"
#include "picket/track/tracker.h"

namespace picket::rules {
namespace {

// A runway 3000 m x 60 m along the east axis, protected from the ground to 150 m; the western
// approach area from 1 km to 6.5 km before its threshold, where aircraft must stay above 40 m.
constexpr const char* kAirport = R"(name: airport
origin: {lat: 51.47, lon: -0.46, alt: 25}
zones:
  - id: runway
    name: Runway 09/27
    kind: runway
    polygon:
      - {east: -1500, north: -30}
      - {east: 1500, north: -30}
      - {east: 1500, north: 30}
      - {east: -1500, north: 30}
    floor: 0
    ceiling: 150
  - id: approach-west
    name: Approach 09
    polygon:
      - {east: -8000, north: -400}
      - {east: -2500, north: -400}
      - {east: -2500, north: 400}
      - {east: -8000, north: 400}
sensors:
  - id: radar
    type: radar
    position: {east: 0, north: -200, up: 10}
    range: {max: 10000}
    noise: {range: 5, bearing: 0.3, elevation: 0.3}
  - id: adsb
    type: adsb
    noise: {position: 15}
tracker: {motion: {initial_speed_sigma: 40}}  # aircraft: a new track may be doing 70 m/s
policy:
  health: {sensors: {radar: {monitor: false}, adsb: {monitor: false}}}
)";

constexpr double kT0 = 1795903200;

Site airport(const std::string& rules) {
  auto s = load_site_from_string(std::string(kAirport) + "rules:\n" + rules, "airport.yaml");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message());
  return s.ok() ? std::move(*s) : Site{};
}

TrackState flyer(std::uint64_t id, double t, Eigen::Vector3d p, Eigen::Vector3d v,
                 std::optional<std::uint32_t> icao = std::nullopt,
                 TargetClass cls = TargetClass::drone) {
  TrackState s;
  s.id = id;
  s.t = t;
  s.position = p;
  s.velocity = v;
  s.air = true;
  s.status = TrackStatus::confirmed;
  s.cls = cls;
  s.class_p = 0.8;
  s.class_probs[static_cast<size_t>(cls)] = 0.8;
  s.class_probs[static_cast<size_t>(TargetClass::unknown)] = 0.2;
  s.sensors = icao ? std::vector<std::string>{"adsb", "radar"} : std::vector<std::string>{"radar"};
  s.icao = icao;
  if (icao) s.callsign = "BAW123";
  s.first_t = kT0;
  return s;
}

struct Scene {
  explicit Scene(const std::string& rules) : site(airport(rules)) {
    auto e = RulesEngine::create(site);
    EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message());
    if (e.ok()) engine = std::move(*e);
  }
  std::vector<AlarmEvent> on(const TrackState& s) {
    std::vector<AlarmEvent> out;
    engine->on_track(s, out);
    return out;
  }
  Site site;
  std::unique_ptr<RulesEngine> engine;
};

TEST(Airspace, AlarmKindNamesRoundTrip) {
  for (int k = 0; k < kNumAlarmKinds; ++k) {
    const auto kind = static_cast<AlarmKind>(k);
    EXPECT_EQ(parse_alarm_kind(to_string(kind)), kind) << k;
  }
  EXPECT_EQ(to_string(AlarmKind::airspace_intrusion), "airspace_intrusion");
  EXPECT_EQ(to_string(AlarmKind::below_floor), "below_floor");
  EXPECT_EQ(to_string(AlarmKind::airspace_approach), "airspace_approach");
  EXPECT_TRUE(is_rule_kind(AlarmKind::airspace_approach));
  EXPECT_TRUE(is_intrusion_kind(AlarmKind::airspace_intrusion));
  EXPECT_FALSE(is_rule_kind(AlarmKind::sensor_tamper));
  EXPECT_EQ(alarm_kind(RuleType::below_floor), AlarmKind::below_floor);
  EXPECT_EQ(alarm_kind(RuleType::count), AlarmKind::count);
}

TEST(Airspace, NonCooperativeFlyerInsideTheVolume) {
  Scene r("  - {id: drones, type: airspace_intrusion, zone: runway, priority: critical}\n");
  // A drone from the south, 60 m up: outside (north -40), then inside (north -20 .. 20).
  EXPECT_TRUE(r.on(flyer(1, kT0, {200, -40, 60}, {0, 5, 0})).empty());
  auto ev = r.on(flyer(1, kT0 + 4, {200, -20, 60}, {0, 5, 0}));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::raised);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::airspace_intrusion);
  EXPECT_EQ(ev[0].alarm.zone, "runway");
  EXPECT_EQ(ev[0].alarm.priority, AlarmPriority::critical);
  EXPECT_DOUBLE_EQ(ev[0].alarm.value, 60);
  EXPECT_EQ(ev[0].alarm.up, 60.0);
  EXPECT_NE(ev[0].alarm.text.find("without identity inside Runway 09/27 at 60 m"),
            std::string::npos)
      << ev[0].alarm.text;
  // A lasting condition: no second alarm while it stays inside.
  EXPECT_TRUE(r.on(flyer(1, kT0 + 8, {200, 0, 60}, {0, 5, 0})).empty());
  // Above the ceiling (150 m) it is out of the volume; back in, a new trigger.
  EXPECT_TRUE(r.on(flyer(1, kT0 + 9, {200, 0, 160}, {0, 5, 0})).empty());
  ev = r.on(flyer(1, kT0 + 10, {200, 0, 140}, {0, 5, 0}));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].type, AlarmEventType::updated);  // the same rule and track: its open alarm
  // The same place with an ADS-B identity: nothing.
  EXPECT_TRUE(r.on(flyer(2, kT0 + 10, {300, 0, 60}, {0, 5, 0}, 0x4CA2D6)).empty());
  // A ground track (not air) on the runway: nothing.
  auto car = flyer(3, kT0 + 10, {0, 0, 0}, {10, 0, 0});
  car.air = false;
  EXPECT_TRUE(r.on(car).empty());
}

TEST(Airspace, CooperativeAircraftBelowTheFloor) {
  Scene r("  - {id: low, type: below_floor, zone: approach-west, floor: 40}\n");
  // Cooperative, over the approach area at 45 m, then 35 m: raises at 35 m.
  EXPECT_TRUE(r.on(flyer(1, kT0, {-3000, 0, 45}, {70, 0, -2}, 0x400001)).empty());
  auto ev = r.on(flyer(1, kT0 + 1, {-2930, 0, 35}, {70, 0, -2}, 0x400001));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::below_floor);
  EXPECT_DOUBLE_EQ(ev[0].alarm.value, 35);
  EXPECT_NE(ev[0].alarm.text.find("BAW123 ICAO 400001"), std::string::npos) << ev[0].alarm.text;
  EXPECT_NE(ev[0].alarm.text.find("below the floor of 40 m"), std::string::npos);
  // Just outside the area's polygon (north 401), low: nothing.
  EXPECT_TRUE(r.on(flyer(2, kT0, {-3000, 401, 20}, {70, 0, 0}, 0x400002)).empty());
  // Non-cooperative and low: not this rule's business (cooperative: only is the default).
  EXPECT_TRUE(r.on(flyer(3, kT0, {-3000, 0, 20}, {70, 0, 0})).empty());
}

TEST(Airspace, FloorComesFromTheZoneWhenNotGiven) {
  Scene r("  - {id: low, type: below_floor, zone: runway, cooperative: any}\n");
  ASSERT_TRUE(r.engine);
  EXPECT_DOUBLE_EQ(r.engine->config().rules[0].floor_m, 0);
  EXPECT_EQ(r.on(flyer(1, kT0, {0, 0, -5}, {0, 0, 0})).size(), 1u);  // any: the drone counts
}

// Hand-worked distance and closing speed to the runway volume (x -1500..1500, y -30..30,
// z 0..150). A flyer at (-1530, 60, 190) moving (10, -10, -10) m/s: the nearest point is
// (-1500, 30, 150); the offset (30, -30, -40) has length sqrt(3400) = 58.31 m; the closing
// speed is (10*30 + 10*30 + 10*40) / 58.31 = 1000 / 58.31 = 17.15 m/s.
TEST(Airspace, ApproachDistanceAndClosingSpeedByHand) {
  const Eigen::Vector3d p(-1530, 60, 190);
  const Eigen::Vector3d v(10, -10, -10);
  auto raises = [&](const std::string& distance, const std::string& speed) {
    Scene r("  - {id: fast, type: airspace_approach, zone: runway, distance: " + distance +
            ", min_speed: " + speed + "}\n");
    auto ev = r.on(flyer(1, kT0, p, v));
    if (ev.size() == 1) {
      EXPECT_NEAR(ev[0].alarm.value, std::sqrt(3400.0), 1e-9);
      EXPECT_NE(ev[0].alarm.text.find("58 m from Runway 09/27, closing at 17.1 m/s"),
                std::string::npos)
          << ev[0].alarm.text;
    }
    return ev.size() == 1;
  };
  EXPECT_TRUE(raises("60", "17"));
  EXPECT_FALSE(raises("60", "17.2"));  // not fast enough
  EXPECT_FALSE(raises("58", "1"));     // not close enough
  // Straight above the runway centre at 190 m, descending at 5 m/s: 40 m away, closing at 5.
  Scene r("  - {id: fast, type: airspace_approach, zone: runway, distance: 41, min_speed: 4.9}\n");
  auto ev = r.on(flyer(1, kT0, {0, 0, 190}, {0, 0, -5}));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_DOUBLE_EQ(ev[0].alarm.value, 40);
  // Climbing away instead: nothing; inside the volume: nothing (that is an intrusion).
  EXPECT_TRUE(r.on(flyer(2, kT0, {0, 0, 190}, {0, 0, 5})).empty());
  EXPECT_TRUE(r.on(flyer(3, kT0, {0, 0, 100}, {0, 0, -5})).empty());
}

TEST(Airspace, ApproachSkipsFlyersFarFromTheVolume) {
  Scene r("  - {id: fast, type: airspace_approach, zone: runway, distance: 500, min_speed: 20}\n");
  // 600 m west of the threshold, 100 m up, at 60 m/s towards it: too far; then 480 m: raises.
  EXPECT_TRUE(r.on(flyer(1, kT0, {-2100, 0, 100}, {60, 0, 0})).empty());
  auto ev = r.on(flyer(1, kT0 + 2, {-1980, 0, 100}, {60, 0, 0}));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_NEAR(ev[0].alarm.value, 480, 1e-9);
  EXPECT_EQ(ev[0].alarm.kind, AlarmKind::airspace_approach);
}

// The airport scene: every airspace rule armed. A drone over the runway raises an intrusion;
// an ADS-B-identified airliner flying a 3-degree glide path to the threshold — above the
// approach floor, inside the runway volume for its last 150 m of height — raises nothing.
TEST(Airspace, DroneOverRunwayAlarmsAirlinerOnApproachDoesNot) {
  Scene r(
      "  - {id: drones, type: airspace_intrusion, zone: runway}\n"
      "  - {id: low, type: below_floor, zone: approach-west, floor: 40}\n"
      "  - {id: fast, type: airspace_approach, zone: runway, distance: 1000, min_speed: 15, "
      "cooperative: non}\n");
  const double glide = std::tan(3.0 * 3.141592653589793 / 180);
  // Three flyers updated once a second, in time order (the engine takes its inputs in order):
  // the airliner from 6.5 km out (east -8000) at 70 m/s, descending 3 degrees to 15 m over the
  // threshold (east -1500), then along the runway at 15 m; a drone from 600 m south of the
  // runway, north at 12 m/s, 50 m up; a non-cooperative flyer heading for the runway's west
  // end at 25 m/s, 80 m up, from 1200 m out.
  std::vector<AlarmEvent> airliner, drone, fast;
  for (int k = 0; k <= 120; ++k) {
    const double t = kT0 + k;
    const double east = -8000 + 70.0 * k;
    const bool before = east < -1500;
    const double up = (before ? (-1500 - east) * glide : 0) + 15;
    auto a = r.on(flyer(10, t, {east, 0, up}, {70, 0, before ? -70 * glide : 0}, 0x4CA2D6,
                        TargetClass::aircraft));
    airliner.insert(airliner.end(), a.begin(), a.end());
    if (k <= 20) {
      auto d = r.on(flyer(20, t, {300, -600 + 36.0 * k, 50}, {0, 12, 0}));
      drone.insert(drone.end(), d.begin(), d.end());
      auto f = r.on(flyer(30, t, {-2700 + 25.0 * k, 0, 80}, {25, 0, 0}));
      fast.insert(fast.end(), f.begin(), f.end());
    }
  }
  EXPECT_TRUE(airliner.empty()) << airliner.front().alarm.text;

  ASSERT_EQ(drone.size(), 1u);
  EXPECT_EQ(drone[0].alarm.kind, AlarmKind::airspace_intrusion);
  EXPECT_EQ(drone[0].alarm.track, 20u);
  // The drone entered at k = 16 (north -24).
  EXPECT_DOUBLE_EQ(drone[0].alarm.trigger_t, kT0 + 16);

  // The fast flyer: an approach alarm at 1 km from the threshold (k = 8), and nothing else
  // (k = 20 puts it at east -2200, still outside the runway volume).
  ASSERT_EQ(fast.size(), 1u);
  EXPECT_EQ(fast[0].alarm.kind, AlarmKind::airspace_approach);
  EXPECT_DOUBLE_EQ(fast[0].alarm.trigger_t, kT0 + 8);
}

// End to end with the real tracker and the identity component, as the live engine chains them:
// radar plots (with elevation) of an airliner on approach and of a drone crossing the runway,
// ADS-B reports of the airliner; tracker -> CooperativeIdentity -> rules. The drone's track
// raises the runway intrusion; the airliner's track, fused with its ADS-B reports, carries its
// identity and raises nothing — though it flies through the runway volume.
TEST(Airspace, TrackerIdentityAndRulesTogether) {
  Scene r(
      "  - {id: drones, type: airspace_intrusion, zone: runway}\n"
      "  - {id: low, type: below_floor, zone: approach-west, floor: 40}\n"
      "  - {id: fast, type: airspace_approach, zone: runway, distance: 1000, min_speed: 15, "
      "cooperative: non}\n");
  ASSERT_TRUE(r.engine);
  const Site& site = r.site;
  const double glide = std::tan(3.0 * kPi / 180);
  // The airliner, from 4.5 km out at 70 m/s, descends 3 degrees to 15 m over the threshold (east
  // -1500), then holds 15 m along the runway; the drone flies north at 12 m/s, 50 m up, across it.
  auto airliner = [&](double t) {
    const double east = -6000 + 70 * (t - kT0);
    const bool before = east < -1500;
    return std::pair{Eigen::Vector3d(east, 0, (before ? (-1500 - east) * glide : 0) + 15),
                     Eigen::Vector3d(70, 0, before ? -70 * glide : 0)};
  };
  auto drone = [&](double t) { return Eigen::Vector3d(300, -900 + 12 * (t - kT0), 50); };
  std::mt19937 rng(11);
  std::normal_distribution<double> g(0, 1);
  const SensorDef* radar = site.find_sensor("radar");
  std::vector<Detection> dets;
  auto plot = [&](auto&& where, double scan) {
    // Timestamped when the beam (clockwise from north, once a second) passes it.
    const Eigen::Vector3d d0 = where(scan) - radar->enu;
    Detection det;
    det.sensor = "radar";
    det.t = scan + wrap_2pi(std::atan2(d0.x(), d0.y())) / (2 * kPi);
    const Eigen::Vector3d d = where(det.t) - radar->enu;
    det.measurement = PolarMeasurement{
        d.norm() + 5 * g(rng), wrap_2pi(std::atan2(d.x(), d.y()) + deg2rad(0.3) * g(rng)),
        std::atan2(d.z(), d.head<2>().norm()) + deg2rad(0.3) * g(rng)};
    dets.push_back(det);
  };
  for (int k = 0; k < 100; ++k) {
    plot([&](double t) { return airliner(t).first; }, kT0 + k);
    plot(drone, kT0 + k);
    Detection a;
    a.sensor = "adsb";
    a.t = kT0 + k + 0.5;
    const Eigen::Vector3d p = airliner(a.t).first;
    const Geodetic geo =
        site.frame.to_geodetic(Enu(p.x() + 15 * g(rng), p.y() + 15 * g(rng), p.z() + 5 * g(rng)));
    a.measurement = GeodeticMeasurement{geo.lat_deg, geo.lon_deg, geo.alt_m};
    a.sensor_track = "4CA2D6";
    dets.push_back(a);
  }
  std::stable_sort(dets.begin(), dets.end(),
                   [](const Detection& x, const Detection& y) { return x.t < y.t; });

  auto tracker = track::Tracker::create(site, *track::params_from_site(site));
  ASSERT_TRUE(tracker.ok()) << tracker.error().message();
  track::CooperativeIdentity identity(site);
  std::vector<AlarmEvent> events;
  std::map<std::uint64_t, TrackState> last;
  auto drain = [&] {
    for (TrackState u : tracker->updates()) {
      identity.apply(u);
      r.engine->on_track(u, events);
      if (u.status == TrackStatus::confirmed) last[u.id] = u;
    }
    tracker->clear_updates();
  };
  std::uint64_t ref = 0;
  for (const auto& d : dets) {
    ++ref;
    if (d.sensor == "adsb") identity.note(ref, d, "BAW123");
    tracker->push(d, ref);
    drain();
  }
  tracker->flush();
  drain();

  ASSERT_EQ(last.size(), 2u) << "one track per flyer";
  std::uint64_t airliner_track = 0, drone_track = 0;
  for (const auto& [id, u] : last)
    (u.icao ? airliner_track : drone_track) = id;
  ASSERT_NE(airliner_track, 0u) << "the airliner's track is identified";
  ASSERT_NE(drone_track, 0u);
  EXPECT_EQ(last[airliner_track].callsign, "BAW123");
  EXPECT_GT(last[airliner_track].position.x(), -1500) << "it reached the runway";
  EXPECT_TRUE(last[drone_track].air);
  EXPECT_FALSE(last[drone_track].icao);

  ASSERT_EQ(events.size(), 1u) << events.back().alarm.text;
  EXPECT_EQ(events[0].alarm.kind, AlarmKind::airspace_intrusion);
  EXPECT_EQ(events[0].alarm.track, drone_track);
  // The drone enters the runway strip (north -30) at t0 + 72.5 s; the track is within a scan.
  EXPECT_NEAR(events[0].alarm.trigger_t, kT0 + 72.5, 1.5);
}

TEST(Airspace, ConfigErrors) {
  auto bad = [](const std::string& rules) {
    auto s = load_site_from_string(std::string(kAirport) + "rules:\n" + rules, "airport.yaml");
    EXPECT_TRUE(s.ok());
    auto c = load_rules(*s);
    return c.ok() ? std::string() : c.error().message();
  };
  // The approach area has no floor of its own.
  EXPECT_NE(bad("  - {id: a, type: below_floor, zone: approach-west}\n").find("needs a `floor`"),
            std::string::npos);
  EXPECT_NE(bad("  - {id: a, type: airspace_intrusion, zone: runway, air: false}\n").find("air"),
            std::string::npos);
  EXPECT_NE(bad("  - {id: a, type: airspace_intrusion, zone: runway, cooperative: maybe}\n")
                .find("cooperative"),
            std::string::npos);
  EXPECT_NE(
      bad("  - {id: a, type: airspace_approach, zone: runway, distance: 100}\n").find("min_speed"),
      std::string::npos);
  EXPECT_NE(bad("  - {id: a, type: airspace_intrusion, zone: apron}\n").find("unknown zone"),
            std::string::npos);
  EXPECT_EQ(bad("  - {id: a, type: airspace_approach, zone: runway, distance: 100, "
                "min_speed: 10, cooperative: any}\n"),
            "");
}

}  // namespace
}  // namespace picket::rules

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <set>

#include "picket/core/units.h"
#include "picket/sim/aerostat.h"
#include "picket/sim/camera.h"
#include "picket/sim/wide_area.h"
#include "sim_test_util.h"

namespace picket::sim {
namespace {

using testing::scenario_text;

std::string scenario(const std::string& body, double duration = 120) {
  return fmt::format("site: wide-area-site.yaml\nstart: 2026-11-29T14:00:00Z\nduration: {}\n{}",
                     duration, body);
}

// --- Tether -------------------------------------------------------------------------------------

TEST(Tether, BlowDownInSteadyWind) {
  AerostatSimSpec s;
  s.wind_mps = 10;
  s.wind_from_rad = deg2rad(270);  // a westerly: the balloon is blown east
  s.gust_mps = 0;
  s.sway_rad = s.yaw_sway_rad = 0;
  s.blowdown_10_rad = deg2rad(25);
  TetherModel t(s, Enu(100, 200, 0), 500, 1);
  const PlatformState p = t.at(30);
  EXPECT_NEAR(rad2deg(p.blowdown_rad), 25, 1e-9);
  EXPECT_NEAR(p.position.x(), 100 + 500 * std::sin(deg2rad(25)), 1e-6);
  EXPECT_NEAR(p.position.y(), 200, 1e-6);
  EXPECT_NEAR(p.position.z(), 500 * std::cos(deg2rad(25)), 1e-6);
  EXPECT_NEAR(rad2deg(p.attitude.yaw), 270, 1e-9);  // nose into the wind
  // At 5 m/s the drag is a quarter: tan(theta) = tan(25) / 4.
  s.wind_mps = 5;
  TetherModel t5(s, Enu::Zero(), 500, 1);
  EXPECT_NEAR(std::tan(t5.at(10).blowdown_rad), std::tan(deg2rad(25)) / 4, 1e-9);
}

TEST(Tether, GustsAndSwayHaveTheirStatedSpread) {
  AerostatSimSpec s;
  s.wind_mps = 8;
  s.gust_mps = 2;
  s.gust_time_s = 10;
  s.response_s = 0.1;  // follows the wind closely
  s.sway_rad = deg2rad(1.5);
  s.sway_period_s = 10;
  TetherModel t(s, Enu::Zero(), 500, 42);
  double sw = 0, sw2 = 0, sp = 0, sp2 = 0;
  int n = 0;
  for (double time = 0; time < 20000; time += 2.0) {
    const PlatformState p = t.at(time);
    sw += p.wind_mps;
    sw2 += p.wind_mps * p.wind_mps;
    sp += p.attitude.pitch;
    sp2 += p.attitude.pitch * p.attitude.pitch;
    ++n;
  }
  const double wind_sd = std::sqrt(sw2 / n - (sw / n) * (sw / n));
  const double pitch_sd = std::sqrt(sp2 / n - (sp / n) * (sp / n));
  EXPECT_NEAR(sw / n, 8, 0.3);
  EXPECT_NEAR(wind_sd, 2, 0.25);
  EXPECT_NEAR(rad2deg(pitch_sd), 1.5, 0.25);
  // Deterministic: the same seed, the same balloon.
  TetherModel a(s, Enu::Zero(), 500, 7), b(s, Enu::Zero(), 500, 7);
  EXPECT_EQ(a.at(1234.5).position, b.at(1234.5).position);
}

// --- The aerostat's camera ----------------------------------------------------------------------

Scenario calm(const std::string& gimbal, const std::string& movers = "") {
  auto sc =
      scenario_text(scenario("sensors:\n  aero:\n    wind: {speed: 0, gust: 0}\n"
                             "    tether: {sway: 0, yaw_sway: 0}\n    camera: {hfov: 20}\n"
                             "    gimbal: " +
                             gimbal + "\n" + movers));
  EXPECT_TRUE(sc.ok()) << sc.error().message();
  return std::move(*sc);
}

TEST(Aerostat, FootprintAndGroundSampleDistance) {
  // Calm air, staring straight down from 500 m: the footprint is the image's pyramid cut by the
  // ground, GSD = range / f.
  Scenario sc = calm("{mode: stare, at: {east: 0, north: 0}, stabilisation: 0}");
  const ModelContext ctx{sc, sc.site.sensors[0], sc.sensors[0], 0, 1, {}};
  AerostatModel m(ctx);
  const double f = 640 / std::tan(deg2rad(10));
  EXPECT_NEAR(m.focal_px(), f, 1e-9);
  const auto fp = m.footprint(1.0);
  ASSERT_EQ(fp.size(), 4u);
  // A rectangle 2 x 500 x 640 / f by 2 x 500 x 360 / f about the nadir (its rotation about the
  // vertical is the gimbal's pan at nadir, which is arbitrary).
  EXPECT_NEAR((fp[1] - fp[0]).norm(), 2 * 500 * 640 / f, 1e-6);
  EXPECT_NEAR((fp[2] - fp[1]).norm(), 2 * 500 * 360 / f, 1e-6);
  EXPECT_NEAR((fp[0] + fp[1] + fp[2] + fp[3]).norm() / 4, 0, 1e-6);
  for (const auto& p : fp)
    EXPECT_NEAR(p.z(), 0, 1e-9);
  EXPECT_NEAR(m.gsd_centre(1.0), 500 / f, 1e-9);
  // Scanning at shallower depressions, the ground sample distance grows with range.
  double last = 0;
  for (const int tilt : {-60, -40, -25, -15}) {
    Scenario s2 = calm(fmt::format("{{mode: scan, tilt: {}, rate: 0}}", tilt));
    const ModelContext c2{s2, s2.site.sensors[0], s2.sensors[0], 0, 1, {}};
    AerostatModel a(c2);
    const double gsd = a.gsd_centre(1.0);
    const double range = 500 / std::sin(deg2rad(-tilt));
    EXPECT_NEAR(gsd, range / (a.focal_px() * std::sin(deg2rad(-tilt))), 1e-6);
    EXPECT_GT(gsd, last);
    last = gsd;
  }
}

TEST(Aerostat, PdByPixelsOnTargetIsCalibrated) {
  Scenario sc = calm("{mode: scan, tilt: -20}");
  const ModelContext ctx{sc, sc.site.sensors[0], sc.sensors[0], 0, 1, {}};
  AerostatModel m(ctx);
  // A standing person at maximum range (3 km, seen 9.6 degrees down) is detected with pd 0.7.
  const double dep = std::asin(500.0 / 3000);
  EXPECT_NEAR(m.pd(1.75, 0.5, 3000, dep), 0.7, 1e-9);
  EXPECT_GT(m.pd(1.75, 0.5, 1000, dep), 0.99);
  EXPECT_GT(m.pd(1.6, 2.0, 3000, dep), 0.75);  // a vehicle (2 m wide) has more pixels
  EXPECT_LT(m.pd(0.3, 0.4, 3000, dep), 0.35);  // a bird far off, fewer
}

TEST(Aerostat, DetectionsLieWithinTheirSigma) {
  // A walker in the stare footprint; the detections' errors must match their sigma (the larger
  // axis of the propagated covariance: at least 86% within 2 sigma).
  Scenario sc = calm("{mode: stare, at: {east: 300, north: 300}}",
                     "movers:\n  - id: w\n    kind: walker\n    path: [{east: 250, north: 250}, "
                     "{at: {east: 350, north: 350}, speed: 1}]\n");
  const auto out = testing::run(sc, 3);
  int n = 0, within = 0;
  for (const auto& d : out.detections) {
    if (d.det.sensor != "aero" || d.origin != Origin::target) continue;
    const auto& m = std::get<EnuMeasurement>(d.det.measurement);
    const double t = d.det.t - sc.start_unix;
    const Vec2 truth = Vec2(250, 250) + std::min(t, 141.42) / std::sqrt(2.0) * Vec2(1, 1);
    const double err = (Vec2(m.east, m.north) - truth).norm();
    within += err <= 2 * *d.det.sigma ? 1 : 0;
    ++n;
    EXPECT_GT(*d.det.sigma, 1.0);
    EXPECT_LT(*d.det.sigma, 30.0);
  }
  ASSERT_GT(n, 400);  // 5 frames a second for 120 s, Pd near 1 at 600 m
  EXPECT_GT(static_cast<double>(within) / n, 0.86);
}

TEST(Aerostat, BadSettingsAreReported) {
  auto bad = scenario_text(scenario(R"(sensors:
  aero:
    wind: {speed: 7, form: 260}
    gimbal: {mode: stare, tilt: -30}
    camera: {hfov: 200}
  m1: {timing_sigma: 0, doppler: true}
)"));
  ASSERT_FALSE(bad.ok());
  const std::string msg = bad.error().message();
  EXPECT_NE(msg.find("sensors.aero.wind.form: unknown key 'form'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sensors.aero.gimbal.at: missing: a staring gimbal needs"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("sensors.aero.gimbal.tilt: 'tilt' is for a scanning gimbal"),
            std::string::npos);
  EXPECT_NE(msg.find("sensors.aero.camera.hfov: 200 is out of range"), std::string::npos);
  EXPECT_NE(msg.find("sensors.m1.doppler: unknown key 'doppler'"), std::string::npos) << msg;
}

// --- Roads --------------------------------------------------------------------------------------

TEST(Roads, TrafficIsAPoissonStreamInBothDirections) {
  auto sc = scenario_text(scenario(R"(roads:
  - id: r
    points: [{east: -2000, north: 800}, {east: 2000, north: 900}]
    vehicles_per_hour: 360
    speed: [10, 20]
)",
                                   3600));
  ASSERT_TRUE(sc.ok()) << sc.error().message();
  ASSERT_EQ(sc->roads.size(), 1u);
  const int n = sc->roads[0].generated;
  EXPECT_NEAR(n, 360, 4 * std::sqrt(360.0));  // Poisson: mean 360, sd 19
  EXPECT_EQ(static_cast<int>(sc->movers.size()), n);
  int east = 0;
  std::set<std::string> ids;
  for (const auto& m : sc->movers) {
    ids.insert(m.id);
    EXPECT_EQ(m.kind, MoverKind::vehicle);
    ASSERT_EQ(m.path.size(), 2u);
    EXPECT_GE(m.speed_mps, 10);
    EXPECT_LE(m.speed_mps, 20);
    east += m.path.front().position.x() < 0 ? 1 : 0;
  }
  EXPECT_EQ(ids.size(), sc->movers.size());
  EXPECT_NEAR(east, n / 2, 4 * std::sqrt(n / 4.0));
  auto bad = scenario_text(scenario("roads:\n  - {id: r, points: [{east: 0, north: 0}]}\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("roads[0].points: a road needs at least two points"),
            std::string::npos)
      << bad.error().message();
}

// --- Point events -------------------------------------------------------------------------------

TEST(PointEvents, ArrivalsAtTheSpeedOfSoundByTemperature) {
  auto sc = scenario_text(scenario(R"(temperature: 30
sensors:
  m1: {timing_sigma: 0.0005}
point_events:
  - {id: e2, kind: gunshot, time: 50, at: {east: 100, north: 120}}
  - {id: e1, kind: blast, time: 20, at: {east: 200, north: 100}}
  - {id: far, kind: blast, time: 80, at: {east: 5000, north: 0}}
)"));
  ASSERT_TRUE(sc.ok()) << sc.error().message();
  ASSERT_EQ(sc->point_events.size(), 3u);
  EXPECT_EQ(sc->point_events[0].id, "e1");  // sorted by time
  const auto out = simulate_point_events(*sc, 5);
  ASSERT_EQ(out.truth.size(), 3u);
  const double c = 331.3 * std::sqrt(1 + 30 / 273.15);
  int sound = 0;
  for (const auto& r : out.reports) {
    if (r.signal != formats::Signal::sound) continue;
    ++sound;
    const SensorDef* s = sc->site.find_sensor(r.sensor);
    ASSERT_NE(s, nullptr);
    // Which event: the one whose arrival fits.
    double best = 1e9;
    for (const auto& e : sc->point_events) {
      const double pred = sc->start_unix + e.t + (e.position - s->enu).norm() / c;
      best = std::min(best, std::abs(r.t - pred));
    }
    EXPECT_LT(best, 5 * *r.sigma_t) << r.sensor;
    EXPECT_EQ(*r.temperature, 30);
  }
  // e1 and e2 are heard by all four microphones (pd 0.9 at 1.5 km, ~1 within 300 m); the far
  // blast, 4.7 km off, by none.
  EXPECT_EQ(sound, 8);
  for (std::size_t i = 1; i < out.reports.size(); ++i)
    EXPECT_LE(out.reports[i - 1].t, out.reports[i].t);
  // The camera (looking north, 90 degrees wide) sees both near flashes.
  int flashes = 0;
  for (const auto& r : out.reports)
    flashes += r.sensor == "cam" ? 1 : 0;
  EXPECT_EQ(flashes, 2);
  // Reproducible.
  const auto again = simulate_point_events(*sc, 5);
  ASSERT_EQ(again.reports.size(), out.reports.size());
  for (std::size_t i = 0; i < out.reports.size(); ++i)
    EXPECT_EQ(again.reports[i].t, out.reports[i].t);
}

TEST(PointEvents, TheStaringAerostatSeesTheFlashFromWhereItIs) {
  // Ten launches at the spot it stares at, a minute apart; it sees each with its pd (0.7).
  std::string events = "point_events:\n";
  for (int i = 0; i < 10; ++i)
    events += fmt::format(
        "  - {{id: e{}, kind: launch, time: {}, at: {{east: 160, north: 140}}}}\n", i, 20 + 60 * i);
  auto sc = scenario_text(scenario(R"(sensors:
  aero:
    wind: {speed: 8, from: 270}
    gimbal: {mode: stare, at: {east: 150, north: 150}}
    camera: {hfov: 20}
)" + events,
                                   700));
  ASSERT_TRUE(sc.ok()) << sc.error().message();
  const auto out = simulate_point_events(*sc, 9);
  int seen = 0;
  for (const auto& r : out.reports) {
    if (r.sensor != "aero") continue;
    ++seen;
    ASSERT_TRUE(r.position && r.bearing && r.elevation);
    // Blown east of its mooring by the westerly (about 140 m), about 480 m up.
    EXPECT_GT(r.position->x(), 80);
    EXPECT_GT(r.position->z(), 400);
    // The reported line passes near the event.
    const Enu dir(std::sin(*r.bearing) * std::cos(*r.elevation),
                  std::cos(*r.bearing) * std::cos(*r.elevation), std::sin(*r.elevation));
    const Enu to = Enu(160, 140, 0) - *r.position;
    EXPECT_LT((to - to.dot(dir) * dir).norm(), 20);
  }
  EXPECT_GE(seen, 4);
  EXPECT_LE(seen, 10);
  auto bad = scenario_text(
      scenario("point_events:\n  - {id: x, kind: airburst, time: 500, at: {east: 0, north: 0}}\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("point_events[0].kind"), std::string::npos);
  EXPECT_NE(bad.error().message().find("point_events[0].time: 500 s is not before the scenario's "
                                       "end"),
            std::string::npos)
      << bad.error().message();
}

}  // namespace
}  // namespace picket::sim

#include "picket/locate/point_event.h"

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <algorithm>
#include <random>

#include "picket/core/units.h"
#include "picket/locate/report_io.h"
#include "picket/locate/tdoa.h"
#include "sanitized.h"

namespace picket::locate {
namespace {

const LocalFrame kFrame(Geodetic{52.1, -1.0, 80});

TEST(Acoustics, SpeedOfSound) {
  EXPECT_DOUBLE_EQ(speed_of_sound(0), 331.3);
  EXPECT_NEAR(speed_of_sound(20), 343.21, 0.01);
  EXPECT_NEAR(speed_of_sound(-20), 318.94, 0.01);
}

TEST(Stats, ChiSquareQuantilesMatchTables) {
  EXPECT_NEAR(chi2_quantile(0.95, 1), 3.841459, 1e-5);
  EXPECT_NEAR(chi2_quantile(0.95, 2), 5.991465, 1e-5);
  EXPECT_NEAR(chi2_quantile(0.95, 3), 7.814728, 1e-5);
  EXPECT_NEAR(chi2_quantile(0.999, 10), 29.588298, 1e-4);
  EXPECT_NEAR(chi2_quantile(0.025, 200), 162.728, 1e-2);
  EXPECT_NEAR(chi2_quantile(0.975, 200), 241.058, 1e-2);
}

TEST(Stats, CovarianceEllipse) {
  Eigen::Matrix2d cov;
  cov << 4, 0, 0, 1;  // long east-west
  const Ellipse e = covariance_ellipse(cov, 0.95);
  EXPECT_NEAR(e.semi_major_m, std::sqrt(5.991465 * 4), 1e-4);
  EXPECT_NEAR(e.semi_minor_m, std::sqrt(5.991465), 1e-4);
  EXPECT_NEAR(rad2deg(e.orientation_rad), 90, 1e-6);
  cov << 2.5, 1.5, 1.5, 2.5;  // major axis along north-east
  EXPECT_NEAR(rad2deg(covariance_ellipse(cov, 0.95).orientation_rad), 45, 1e-6);
}

TEST(Chan, ExactDataGivesTheSource) {
  const std::vector<Eigen::Vector2d> s{{0, 0}, {300, 0}, {0, 300}, {300, 300}, {150, -100}};
  const Eigen::Vector2d src(123, 211);
  const double c = 340;
  std::vector<double> t, sig(5, 0.001);
  for (const auto& p : s)
    t.push_back(7.0 + (p - src).norm() / c);
  auto sol = chan_tdoa(s, t, sig, c);
  ASSERT_FALSE(sol.empty());
  EXPECT_NEAR((sol[0] - src).norm(), 0, 1e-6);
  // Three sensors: the quadratic's roots include the source.
  std::vector<Eigen::Vector2d> s3(s.begin(), s.begin() + 3);
  std::vector<double> t3(t.begin(), t.begin() + 3), sig3(3, 0.001);
  sol = chan_tdoa(s3, t3, sig3, c);
  ASSERT_FALSE(sol.empty());
  double best = 1e9;
  for (const auto& p : sol)
    best = std::min(best, (p - src).norm());
  EXPECT_LT(best, 1e-6);
  // Collinear sensors: no answer rather than a wrong one.
  const std::vector<Eigen::Vector2d> line{{0, 0}, {100, 0}, {200, 0}};
  EXPECT_TRUE(chan_tdoa(line, {0, 0.1, 0.2}, {1e-3, 1e-3, 1e-3}, c).empty());
}

// --- Simulated scenes -------------------------------------------------------------------------

struct Scene {
  std::vector<EventReport> reports;
  std::vector<ReportSensor> sensors;
};

ReportSensor mic(double e, double n, double sigma_t = 0.001) {
  ReportSensor s;
  s.position = Enu(e, n, 1.5);
  s.type = SensorType::acoustic;
  s.max_range_m = 1500;
  s.sigma_t = sigma_t;
  return s;
}

ReportSensor camera(double e, double n, double up, double sigma_b_deg) {
  ReportSensor s;
  s.position = Enu(e, n, up);
  s.type = SensorType::camera;
  s.max_range_m = 3000;
  s.sigma_t = 0.02;
  s.sigma_bearing = deg2rad(sigma_b_deg);
  s.sigma_elevation = deg2rad(sigma_b_deg);
  return s;
}

// Adds the reports of one event at `p` (ground) and time t0 from each sensor, with noise.
void emit(Scene& sc, const std::vector<ReportSensor>& sensors, const std::vector<std::string>& ids,
          const Enu& p, double t0, double c, std::mt19937& rng, bool elevation = false) {
  std::normal_distribution<double> z(0, 1);
  for (std::size_t i = 0; i < sensors.size(); ++i) {
    const auto& s = sensors[i];
    EventReport r;
    r.sensor = ids[i];
    const Enu d = p - s.position;
    if (s.type == SensorType::acoustic) {
      r.signal = Signal::sound;
      r.t = t0 + d.norm() / c + s.sigma_t * z(rng);
    } else {
      r.signal = Signal::light;
      r.t = t0 + s.sigma_t * z(rng);
      r.bearing = std::atan2(d.x(), d.y()) + s.sigma_bearing * z(rng);
      if (elevation)
        r.elevation = std::atan2(d.z(), d.head<2>().norm()) + s.sigma_elevation * z(rng);
    }
    r.line = sc.reports.size() + 1;
    sc.reports.push_back(r);
    sc.sensors.push_back(s);
  }
}

double mahalanobis2(const LocatedEvent& e, const Enu& truth) {
  const Eigen::Vector2d d = (e.position - truth).head<2>();
  return d.dot(e.cov.inverse() * d);
}

TEST(PointEvents, FourMicrophones300mApartLocateInsideTheArrayWithin5m) {
  // Acceptance: four acoustic sensors 300 m apart, 1 ms timing error, events inside the array:
  // median error under 5 m.
  const terrain::Terrain flat = terrain::Terrain::flat(kFrame);
  const std::vector<ReportSensor> mics{mic(0, 0), mic(300, 0), mic(0, 300), mic(300, 300)};
  const std::vector<std::string> ids{"m1", "m2", "m3", "m4"};
  LocateConfig cfg;
  const double c = speed_of_sound(cfg.temperature_c);
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> u(0, 300);
  std::vector<double> errors;
  int inside_ellipse = 0;
  const int kEvents = picket::testing::samples(500);
  for (int k = 0; k < kEvents; ++k) {
    Scene sc;
    const Enu p(u(rng), u(rng), 0);
    const Enu truth(p.x(), p.y(), *flat.height(p.x(), p.y()));
    emit(sc, mics, ids, truth, 1.8e9 + k * 10, c, rng);
    const auto events = locate_events(sc.reports, sc.sensors, flat, cfg);
    ASSERT_EQ(events.size(), 1u);
    const auto& e = events[0];
    ASSERT_TRUE(e.has_position);
    EXPECT_EQ(e.quality, EventQuality::located) << e.message;
    errors.push_back((e.position - truth).head<2>().norm());
    inside_ellipse += mahalanobis2(e, truth) <= chi2_quantile(0.95, 2) ? 1 : 0;
    EXPECT_NEAR(e.t, 1.8e9 + k * 10, 0.01);
  }
  std::sort(errors.begin(), errors.end());
  const double median = errors[errors.size() / 2];
  EXPECT_LT(median, 5.0);
  EXPECT_LT(median, 1.0);  // in fact well under a metre: sigma_r = 0.34 m
  // With one redundant arrival the linearised ellipse holds about 95%.
  const double coverage = static_cast<double>(inside_ellipse) / kEvents;
  const double band = picket::testing::proportion_band(0.95, kEvents, 0.03);
  EXPECT_NEAR(coverage, 0.95, band);
  RecordProperty("median_error_m", std::to_string(median));
  RecordProperty("p95_error_m", std::to_string(errors[errors.size() * 95 / 100]));
  RecordProperty("ellipse_coverage", std::to_string(coverage));
}

TEST(PointEvents, TwoBearingSensorsErrorsMatchTheirEllipses) {
  // Acceptance: with two bearing sensors the error is as the ellipse predicts: the 95% ellipse
  // holds 95% of the true positions (binomial sd 0.5% at 2000 events).
  const terrain::Terrain flat = terrain::Terrain::flat(kFrame);
  const std::vector<ReportSensor> cams{camera(0, 0, 10, 0.5), camera(1000, 0, 10, 0.5)};
  const std::vector<std::string> ids{"c1", "c2"};
  LocateConfig cfg;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> ue(200, 800), un(400, 1000);
  int inside = 0, inconsistent = 0;
  const int kEvents = picket::testing::samples(2000);
  double sum_err = 0, sum_pred = 0;
  for (int k = 0; k < kEvents; ++k) {
    Scene sc;
    const double e = ue(rng), n = un(rng);
    const Enu truth(e, n, *flat.height(e, n));
    emit(sc, cams, ids, truth, 1.8e9 + k * 10, 340, rng);
    const auto events = locate_events(sc.reports, sc.sensors, flat, cfg);
    ASSERT_EQ(events.size(), 1u);
    const auto& ev = events[0];
    ASSERT_TRUE(ev.has_position);
    // The light times give one redundant measurement: 0.1% fail the 0.999 gate by chance.
    inconsistent += ev.quality == EventQuality::inconsistent ? 1 : 0;
    inside += mahalanobis2(ev, truth) <= chi2_quantile(0.95, 2) ? 1 : 0;
    sum_err += (ev.position - truth).head<2>().squaredNorm();
    sum_pred += ev.cov.trace();
  }
  EXPECT_LE(inconsistent, 2 + kEvents / 200);
  const double coverage = static_cast<double>(inside) / kEvents;
  EXPECT_NEAR(coverage, 0.95, picket::testing::proportion_band(0.95, kEvents, 0.02));
  // Mean squared error agrees with the predicted trace within 10% (20% on fewer samples).
  EXPECT_NEAR(sum_err / sum_pred, 1.0, picket::testing::kSanitized ? 0.2 : 0.1);
  RecordProperty("ellipse_coverage", std::to_string(coverage));
  RecordProperty("rms_error_m", std::to_string(std::sqrt(sum_err / kEvents)));
  RecordProperty("mse_over_predicted", std::to_string(sum_err / sum_pred));
}

TEST(PointEvents, SeparateEventsAreAssociatedApart) {
  const terrain::Terrain flat = terrain::Terrain::flat(kFrame);
  const std::vector<ReportSensor> mics{mic(0, 0), mic(300, 0), mic(0, 300), mic(300, 300),
                                       mic(150, 150)};
  const std::vector<std::string> ids{"m1", "m2", "m3", "m4", "m5"};
  const double c = speed_of_sound(15);
  std::mt19937 rng(3);
  Scene sc;
  // Two events 0.5 s apart, 250 m apart: their sounds interleave at the microphones.
  emit(sc, mics, ids, Enu(50, 60, 0), 1000.0, c, rng);
  emit(sc, mics, ids, Enu(260, 240, 0), 1000.5, c, rng);
  // And one 10 s later.
  emit(sc, mics, ids, Enu(100, 200, 0), 1010.0, c, rng);
  std::shuffle(sc.reports.begin(), sc.reports.end(), rng);  // sensors are all alike here
  for (std::size_t i = 0; i < sc.reports.size(); ++i) {
    const auto& id = sc.reports[i].sensor;
    sc.sensors[i] = mics[static_cast<std::size_t>(id[1] - '1')];
  }
  const auto events = locate_events(sc.reports, sc.sensors, flat, LocateConfig{});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_LT((events[0].position - Enu(50, 60, 0)).head<2>().norm(), 3);
  EXPECT_LT((events[1].position - Enu(260, 240, 0)).head<2>().norm(), 3);
  EXPECT_LT((events[2].position - Enu(100, 200, 0)).head<2>().norm(), 3);
  for (const auto& e : events) {
    EXPECT_EQ(e.used.size(), 5u);
    EXPECT_TRUE(e.rejected.empty());

    EXPECT_EQ(e.quality, EventQuality::located);
  }
  EXPECT_EQ(events[0].id, "ev-1");
}

TEST(PointEvents, OutlierArrivalIsRejected) {
  const terrain::Terrain flat = terrain::Terrain::flat(kFrame);
  const std::vector<ReportSensor> mics{mic(0, 0),     mic(300, 0),   mic(0, 300),
                                       mic(300, 300), mic(150, -50), mic(-50, 150)};
  const std::vector<std::string> ids{"m1", "m2", "m3", "m4", "m5", "m6"};
  std::mt19937 rng(11);
  Scene sc;
  emit(sc, mics, ids, Enu(120, 180, 0), 500.0, speed_of_sound(15), rng);
  sc.reports[2].t += 0.030;  // an echo: m3 heard the reflection, 30 ms late
  const auto events = locate_events(sc.reports, sc.sensors, flat, LocateConfig{});
  ASSERT_EQ(events.size(), 1u);
  const auto& e = events[0];
  EXPECT_EQ(e.quality, EventQuality::located) << e.message;
  ASSERT_EQ(e.rejected.size(), 1u);
  EXPECT_EQ(sc.reports[e.rejected[0].index].sensor, "m3");
  EXPECT_GT(e.rejected[0].normalised_residual, 3);
  EXPECT_LT((e.position - Enu(120, 180, 0)).head<2>().norm(), 2);
  EXPECT_EQ(e.used.size(), 5u);
}

TEST(PointEvents, InconsistentWhenTheOutlierCannotBeIdentified) {
  // Four microphones have one redundant arrival: a bad one is detected but not identified.
  const terrain::Terrain flat = terrain::Terrain::flat(kFrame);
  const std::vector<ReportSensor> mics{mic(0, 0), mic(300, 0), mic(0, 300), mic(300, 300)};
  std::mt19937 rng(5);
  Scene sc;
  emit(sc, mics, {"m1", "m2", "m3", "m4"}, Enu(120, 180, 0), 500.0, speed_of_sound(15), rng);
  sc.reports[1].t += 0.050;
  const auto events = locate_events(sc.reports, sc.sensors, flat, LocateConfig{});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].quality, EventQuality::inconsistent);
  EXPECT_NE(events[0].message.find("disagree"), std::string::npos);
}

TEST(PointEvents, SingleSensorGivesAClearDegradedResult) {
  const terrain::Terrain flat = terrain::Terrain::flat(kFrame);
  std::mt19937 rng(1);
  // One microphone.
  Scene a;
  emit(a, {mic(0, 0)}, {"m1"}, Enu(100, 100, 0), 10, 340, rng);
  auto ev = locate_events(a.reports, a.sensors, flat, LocateConfig{});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].quality, EventQuality::single_sensor);
  EXPECT_FALSE(ev[0].has_position);
  EXPECT_NE(ev[0].message.find("reported by m1 only: the event is within 1500 m of m1"),
            std::string::npos)
      << ev[0].message;
  // One ground camera (bearing only).
  Scene b;
  emit(b, {camera(0, 0, 10, 0.5)}, {"c1"}, Enu(100, 100, 0), 10, 340, rng);
  ev = locate_events(b.reports, b.sensors, flat, LocateConfig{});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].quality, EventQuality::single_sensor);
  EXPECT_FALSE(ev[0].has_position);
  EXPECT_NE(ev[0].message.find("the event is on a bearing of 4"), std::string::npos)
      << ev[0].message;
  EXPECT_NE(ev[0].message.find("degrees from c1; a second sensor is needed"), std::string::npos);
  // The aerostat, 500 m up, with bearing and elevation: located on the ground, still marked.
  Scene c;
  emit(c, {camera(0, 0, 500, 0.05)}, {"aero"}, Enu(800, 300, *flat.height(800, 300)), 10, 340, rng,
       true);
  ev = locate_events(c.reports, c.sensors, flat, LocateConfig{});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].quality, EventQuality::single_sensor);
  ASSERT_TRUE(ev[0].has_position);
  EXPECT_LT((ev[0].position - Enu(800, 300, 0)).head<2>().norm(), 15);
  EXPECT_NE(ev[0].message.find("treat with care"), std::string::npos);
}

TEST(PointEvents, TwoMicrophonesAreUnderdetermined) {
  const terrain::Terrain flat = terrain::Terrain::flat(kFrame);
  std::mt19937 rng(2);
  Scene sc;
  emit(sc, {mic(0, 0), mic(300, 0)}, {"m1", "m2"}, Enu(100, 100, 0), 10, 340, rng);
  const auto ev = locate_events(sc.reports, sc.sensors, flat, LocateConfig{});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].quality, EventQuality::underdetermined);
  EXPECT_FALSE(ev[0].has_position);
  EXPECT_NE(ev[0].message.find("do not determine the position"), std::string::npos);
}

TEST(PointEvents, FlashToBang) {
  // A camera sees the flash (bearing, time) and a microphone beside it hears the bang: the delay
  // gives the range.
  const terrain::Terrain flat = terrain::Terrain::flat(kFrame);
  std::mt19937 rng(9);
  ReportSensor cam = camera(0, 0, 5, 0.2);
  cam.sigma_t = 0.005;
  Scene sc;
  const Enu truth(600, 800, *flat.height(600, 800));
  emit(sc, {cam, mic(2, 0, 0.002)}, {"c1", "m1"}, truth, 100, speed_of_sound(15), rng);
  const auto ev = locate_events(sc.reports, sc.sensors, flat, LocateConfig{});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].quality, EventQuality::located) << ev[0].message;
  EXPECT_LT((ev[0].position - truth).head<2>().norm(), 10);
  EXPECT_EQ(ev[0].dof, 0);
}

TEST(PointEvents, EventsFollowTheTerrain) {
  // A slope rising 0.2 m per metre north: microphones and an elevated camera; the event's height
  // is the ground's.
  const int n = 121;
  std::vector<float> up(static_cast<std::size_t>(n * n));
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      up[static_cast<std::size_t>(j * n + i)] = static_cast<float>(0.2 * (-600 + j * 10.0));
  const terrain::Terrain slope =
      terrain::Terrain::from_grid(kFrame, Vec2(-600, -600), 10, n, n, std::move(up));
  std::vector<ReportSensor> s{mic(0, 0), mic(300, 0), mic(0, 300), mic(300, 300)};
  for (auto& m : s)
    m.position.z() = *slope.height(m.position.x(), m.position.y()) + 1.5;
  std::mt19937 rng(4);
  Scene sc;
  const Enu truth(150, 250, *slope.height(150, 250));
  emit(sc, s, {"m1", "m2", "m3", "m4"}, truth, 100, speed_of_sound(15), rng);
  const auto ev = locate_events(sc.reports, sc.sensors, slope, LocateConfig{});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_LT((ev[0].position - truth).norm(), 2);
  EXPECT_NEAR(ev[0].position.z(), *slope.height(ev[0].position.x(), ev[0].position.y()), 1e-6);
}

// --- Report lines ---------------------------------------------------------------------------

Site test_site() {
  auto s = load_site_from_string(R"(name: t
origin: {lat: 52.1, lon: -1.0, alt: 80}
sensors:
  - {id: m1, type: acoustic, position: {east: 0, north: 0, up: 1}, range: {max: 1500}}
  - {id: c1, type: camera, position: {east: 0, north: 0, up: 8}, range: {max: 1500},
     noise: {bearing: 0.3}}
  - {id: f1, type: fence, fence: x}
fences:
  - {id: x, points: [{east: 0, north: 0}, {east: 10, north: 0}], inside: left}
)",
                                 "t.yaml");
  EXPECT_TRUE(s.ok()) << s.error().message();
  return std::move(*s);
}

TEST(ReportLines, ParseAndDefaults) {
  const Site site = test_site();
  auto r =
      parse_event_report(R"({"t":100.5,"sensor":"m1","sigma_t":0.001,"kind":"gunshot"})", site);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->signal, Signal::sound);
  EXPECT_EQ(r->kind, "gunshot");
  r = parse_event_report(
      R"({"t":100,"sensor":"c1","bearing":45,"elevation":-2,"lat":52.1,"lon":-1.0,"alt":580,"id":7})",
      site);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->signal, Signal::light);
  EXPECT_NEAR(*r->bearing, kPi / 4, 1e-12);
  EXPECT_NEAR(r->position->z(), 500, 1e-3);
  EXPECT_EQ(r->id, "7");
}

TEST(ReportLines, BadInputNamesTheField) {
  const Site site = test_site();
  auto err = [&](const char* line) {
    auto r = parse_event_report(line, site);
    return r.ok() ? std::string("(ok)") : r.error().message();
  };
  EXPECT_EQ(err(R"({"sensor":"m1"})"), "t: missing");
  EXPECT_EQ(err(R"({"t":1,"sensor":"zz"})"), "sensor: unknown sensor 'zz'");
  EXPECT_EQ(err(R"({"t":1,"sensor":"c1","bearing":"north"})"), "bearing: expected a number");
  EXPECT_EQ(err(R"({"t":1,"sensor":"c1","bearing":400})"),
            "bearing: 400 is out of range [-360, 360]");
  EXPECT_EQ(err(R"({"t":1,"sensor":"c1","elevation":3})"), "elevation: given without a bearing");
  EXPECT_EQ(err(R"({"t":1,"sensor":"c1","east":3})"),
            "north: missing (the position is incomplete)");
  EXPECT_EQ(err(R"({"t":1,"sensor":"m1","signal":"smell"})"),
            "signal: 'smell' is not \"sound\" or \"light\"");
  EXPECT_EQ(err(R"({"t":1,"sensor":"m1","sigma_t":0})"), "sigma_t: 0 is out of range [1e-09, 100]");
  EXPECT_EQ(err(R"({"t":1,"sensor":)"), "column 17: invalid JSON");
  EXPECT_EQ(err(R"([1,2])"), "expected a JSON object");
}

TEST(ReportLines, EventLineFields) {
  const terrain::Terrain flat = terrain::Terrain::flat(kFrame);
  std::mt19937 rng(6);
  Scene sc;
  emit(sc, {mic(0, 0), mic(300, 0), mic(0, 300), mic(300, 300)}, {"m1", "m2", "m3", "m4"},
       Enu(100, 100, 0), 1795903200.0, 340, rng);
  sc.reports[0].id = "a1";
  const auto ev = locate_events(sc.reports, sc.sensors, flat, LocateConfig{});
  std::string out;
  append_located_event(out, ev[0], sc.reports);
  EXPECT_EQ(out.rfind(R"({"t":1795903200.0)", 0), 0u) << out;
  EXPECT_NE(out.find(R"("quality":"located","located":true,"east":)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("ellipse":{"semi_major":)"), std::string::npos);
  EXPECT_NE(out.find(R"("sensors":["m1","m2","m3","m4"],"reports":["a1",2,3,4])"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.back(), '\n');
}

}  // namespace
}  // namespace picket::locate

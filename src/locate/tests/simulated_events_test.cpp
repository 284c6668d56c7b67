// The point-event acceptance tests on events simulated by the simulator (src/sim, wide_area.h):
// its acoustic arrivals (speed of sound by temperature, 1 ms timing error) and its cameras'
// flash bearings, located by locate_events.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <random>

#include "picket/locate/point_event.h"
#include "picket/sim/scenario.h"
#include "picket/sim/wide_area.h"
#include "picket/terrain/terrain.h"
#include "sanitized.h"

namespace picket::locate {
namespace {

const std::string kData = std::string(PICKET_SOURCE_DIR) + "/tests/data/locate/";

struct Located {
  sim::Scenario scenario;
  std::vector<LocatedEvent> events;
  std::vector<formats::PointTruth> truth;
};

// `n` events a minute apart at positions drawn in [e0, e1] x [n0, n1]; `enabled` sensors only.
Located simulate_and_locate(int n, double e0, double e1, double n0, double n1,
                            const std::vector<std::string>& disabled, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> ue(e0, e1), un(n0, n1);
  std::string yaml = fmt::format(
      "site: array-site.yaml\nstart: 2026-11-29T14:00:00Z\nduration: {}\ntemperature: 25\n"
      "sensors:\n",
      60 * n + 60);
  for (const auto& id : disabled)
    yaml += fmt::format("  {}: {{enabled: false}}\n", id);
  for (const char* m : {"m1", "m2", "m3", "m4"}) {
    if (std::find(disabled.begin(), disabled.end(), m) == disabled.end())
      yaml += fmt::format("  {}: {{timing_sigma: 0.001}}\n", m);
  }
  yaml += "point_events:\n";
  for (int i = 0; i < n; ++i) {
    yaml += fmt::format(
        "  - {{id: e{}, kind: gunshot, time: {}, at: {{east: {:.2f}, north: {:.2f}}}}}\n", i,
        30 + 60 * i, ue(rng), un(rng));
  }
  auto sc = sim::load_scenario_from_string(yaml, kData + "events.yaml");
  EXPECT_TRUE(sc.ok()) << (sc.ok() ? "" : sc.error().message());
  Located run{std::move(*sc), {}, {}};
  const auto out = sim::simulate_point_events(run.scenario, seed);
  run.truth = out.truth;
  auto st = terrain::load_site_terrain(run.scenario.site);
  EXPECT_TRUE(st.ok());
  LocateConfig cfg;
  auto sensors = report_sensors(out.reports, run.scenario.site, *st, cfg);
  EXPECT_TRUE(sensors.ok());
  run.events = locate_events(out.reports, *sensors, st->terrain, cfg);
  return run;
}

const formats::PointTruth* nearest_truth(const Located& run, const LocatedEvent& e) {
  const formats::PointTruth* best = nullptr;
  for (const auto& t : run.truth)
    if (!best || std::abs(t.t - e.t) < std::abs(best->t - e.t)) best = &t;
  return best;
}

TEST(SimulatedEvents, FourMicrophonesLocateEventsInsideTheArrayWithin5m) {
  const int n = picket::testing::samples(200);
  const Located run = simulate_and_locate(n, 0, 300, 0, 300, {"c1", "c2"}, 11);
  ASSERT_EQ(static_cast<int>(run.events.size()), n);
  std::vector<double> err;
  int inside = 0;
  for (const auto& e : run.events) {
    ASSERT_TRUE(e.has_position) << e.message;
    const auto* t = nearest_truth(run, e);
    ASSERT_NE(t, nullptr);
    EXPECT_NEAR(e.t, t->t, 0.01);
    const Eigen::Vector2d d = (e.position - t->position).head<2>();
    err.push_back(d.norm());
    inside += d.dot(e.cov.inverse() * d) <= chi2_quantile(0.95, 2) ? 1 : 0;
  }
  std::sort(err.begin(), err.end());
  const double median = err[err.size() / 2];
  EXPECT_LT(median, 5.0);  // acceptance
  EXPECT_LT(median, 1.0);
  EXPECT_NEAR(static_cast<double>(inside) / n, 0.95,
              picket::testing::proportion_band(0.95, n, 0.03));
  RecordProperty("median_error_m", std::to_string(median));
  RecordProperty("ellipse_coverage", std::to_string(static_cast<double>(inside) / n));
}

TEST(SimulatedEvents, TwoCamerasErrorAsTheEllipsePredicts) {
  // Flashes 400-1000 m in front of two cameras 1 km apart (bearing sigma 0.5 degrees): the 95%
  // ellipse must hold 95% of them.
  const int n = picket::testing::samples(400);
  const Located run = simulate_and_locate(n, 200, 800, 400, 1000, {"m1", "m2", "m3", "m4"}, 12);
  ASSERT_EQ(static_cast<int>(run.events.size()), n);
  int inside = 0;
  for (const auto& e : run.events) {
    ASSERT_TRUE(e.has_position) << e.message;
    const auto* t = nearest_truth(run, e);
    const Eigen::Vector2d d = (e.position - t->position).head<2>();
    inside += d.dot(e.cov.inverse() * d) <= chi2_quantile(0.95, 2) ? 1 : 0;
  }
  const double coverage = static_cast<double>(inside) / n;
  EXPECT_NEAR(coverage, 0.95, picket::testing::proportion_band(0.95, n, 0.03));
  RecordProperty("ellipse_coverage", std::to_string(coverage));
}

}  // namespace
}  // namespace picket::locate

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "picket/sim/fence_sensor.h"
#include "picket/sim/nuisance.h"
#include "sim_test_util.h"

namespace picket::sim {
namespace {

using testing::CollectSink;
using testing::scenario_text;

constexpr const char* kHead =
    "site: fence-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: {}\n"
    "sensors:\n  adsb: {{enabled: false}}\n";

// `n` movers of a kind crossing the fence (north = 0) northwards at evenly spaced places,
// starting one after another.
std::string crossers(int n, const char* kind, double speed, double duration) {
  std::string s = fmt::format(kHead, duration) + "movers:\n";
  for (int i = 0; i < n; ++i) {
    const double x = 2.5 + 995.0 * i / n;
    s += fmt::format(
        "  - {{id: c{}, kind: {}, start: {}, path: [{{east: {:.3f}, north: -15}}, "
        "{{at: {{east: {:.3f}, north: 15}}, speed: {}}}]}}\n",
        i, kind, i * 2.0, x, x, speed);
  }
  return s;
}

struct Tally {
  long crossings = 0;
  long detected = 0;
};

Tally tally_crossings(const Scenario& sc, std::uint64_t seed, bool climbs) {
  Tally t;
  const auto out = testing::run(sc, seed);
  std::map<int, std::vector<const SimDetection*>> reports;
  for (const auto& d : out.detections) {
    if (d.origin == Origin::target) reports[d.mover].push_back(&d);
  }
  std::map<std::string, int> index;
  for (size_t i = 0; i < sc.movers.size(); ++i)
    index[sc.movers[i].id] = static_cast<int>(i);
  for (const auto& e : out.events) {
    if (e.event != TruthEventKind::fence_crossing) continue;
    EXPECT_EQ(e.direction, CrossingDirection::inward);
    ++t.crossings;
    const int m = index[e.id];
    const auto& r = reports[m];
    if (r.empty()) continue;
    ++t.detected;
    for (const SimDetection* d : r) {
      const auto& seg = std::get<SegmentMeasurement>(d->det.measurement);
      EXPECT_EQ(seg.segment, e.segment);  // the segment that was crossed
      EXPECT_EQ(seg.fence, "line");
      // Reported around the crossing: during a climb (+- half the climb), or just after.
      if (climbs) {
        EXPECT_GE(d->det.t, e.t - 6 + 0.5 - 1e-6);
        EXPECT_LE(d->det.t, e.t + 6 + 1.5 + 1e-6);
      } else {
        EXPECT_GE(d->det.t, e.t + 0.2 - 1e-6);
        EXPECT_LE(d->det.t, e.t + 1.0 + 1e-6);
      }
    }
    if (!climbs) {
      EXPECT_EQ(r.size(), 1u);
    }
  }
  return t;
}

TEST(FenceSensor, ClimbsAreDetectedWithTheSitePd) {
  // Walkers climb (12 s each); 200 crossings per run, five runs.
  auto sc = scenario_text(crossers(200, "walker", 1.4, 500));
  ASSERT_TRUE(sc) << sc.error().message();
  Tally total;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Tally t = tally_crossings(*sc, seed, true);
    total.crossings += t.crossings;
    total.detected += t.detected;
  }
  ASSERT_EQ(total.crossings, 1000);
  const double p = 0.9;
  EXPECT_NEAR(total.detected / 1000.0, p, 5 * std::sqrt(p * (1 - p) / 1000));
}

TEST(FenceSensor, CrossingsWithoutAClimbAreDetectedWithTheSitePd) {
  // Vehicles go straight through (climb_time 0): one report each, 0.2-1 s after.
  auto sc = scenario_text(crossers(200, "vehicle", 8, 500));
  ASSERT_TRUE(sc) << sc.error().message();
  Tally total;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Tally t = tally_crossings(*sc, seed, false);
    total.crossings += t.crossings;
    total.detected += t.detected;
  }
  ASSERT_EQ(total.crossings, 1000);
  EXPECT_NEAR(total.detected / 1000.0, 0.9, 5 * std::sqrt(0.09 / 1000));
}

TEST(FenceSensor, WindTriggersAtTheGustingRateOnItsSegmentsOnly) {
  auto sc = scenario_text(fmt::format(kHead, 3600) +
                          "nuisances:\n  - {type: wind, strength: 0.7, gust_period: 30, "
                          "segments: [5, 10], start: 600, duration: 2400}\n");
  ASSERT_TRUE(sc) << sc.error().message();
  const WindSpec& w = sc->winds[0];
  double expect = 0;
  for (int seg = 5; seg <= 10; ++seg)
    expect += wind_expected_triggers(w, seg, 0, 3600);
  // 120 per hour per segment at full strength: 0.49 * 0.59 of that over 40 minutes, 6 segments.
  EXPECT_NEAR(expect, 6 * 120 * 0.49 * (0.5625 + 0.03125) * (2400 / 3600.0), 0.5);
  double count = 0;
  constexpr int kSeeds = 5;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const auto out = testing::run(*sc, seed);
    for (const auto& d : out.detections) {
      if (d.origin != Origin::nuisance) continue;
      ++count;
      const int seg = std::get<SegmentMeasurement>(d.det.measurement).segment;
      EXPECT_GE(seg, 5);
      EXPECT_LE(seg, 10);
      const double t = d.det.t - sc->start_unix;
      EXPECT_GE(t, 600);
      EXPECT_LT(t, 3000);
    }
  }
  EXPECT_NEAR(count, kSeeds * expect, 5 * std::sqrt(kSeeds * expect));
}

TEST(FenceSensor, WindRateIntegralMatchesNumericalIntegration) {
  WindSpec w;
  w.start_s = 10;
  w.duration_s = 500;
  w.strength = 0.8;
  w.gust_period_s = 17;
  w.first_segment = 1;
  w.last_segment = 9;
  for (int seg : {1, 4, 9}) {
    double sum = 0;
    const double dt = 0.001;
    for (double t = 0; t < 600; t += dt)
      sum += wind_rate(w, seg, t + dt / 2) * dt;
    EXPECT_NEAR(wind_expected_triggers(w, seg, 0, 600), sum, 1e-6 * sum) << seg;
    EXPECT_LE(wind_rate(w, seg, 100), wind_rate_max(w));
  }
  EXPECT_EQ(wind_expected_triggers(w, 10, 0, 600), 0);  // not in its range
}

TEST(FenceSensor, CalmFalseAlarmsAndHeartbeats) {
  auto sc = scenario_text(fmt::format(kHead, 3600));
  ASSERT_TRUE(sc) << sc.error().message();
  double alarms = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto out = testing::run(*sc, seed);
    long beats = 0;
    std::set<int> segments;
    for (const auto& d : out.detections) {
      if (d.origin == Origin::status) {
        ++beats;
        EXPECT_EQ(d.det.status, SensorStatus::heartbeat);
        EXPECT_TRUE(std::holds_alternative<NoPosition>(d.det.measurement));
      } else {
        ASSERT_EQ(d.origin, Origin::clutter);
        ++alarms;
        segments.insert(std::get<SegmentMeasurement>(d.det.measurement).segment);
      }
    }
    EXPECT_NEAR(beats, 360, 1);  // every 10 s for an hour
    EXPECT_GT(segments.size(), 10u);
  }
  const double expect = 5 * 36.0;  // 36 per hour
  EXPECT_NEAR(alarms, expect, 5 * std::sqrt(expect));
}

TEST(FenceSensor, AnimalsBrushingTheFence) {
  // A fox standing 0.5 m from the fence touches it twice a minute; each touch is felt with
  // probability pd * 0.5.
  auto sc = scenario_text(fmt::format(kHead, 3600) +
                          "movers:\n  - {id: fox, kind: animal, path: [{east: 333, north: -0.5}], "
                          "linger: 3600}\n");
  ASSERT_TRUE(sc) << sc.error().message();
  double reports = 0;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const auto out = testing::run(*sc, seed);
    for (const auto& d : out.detections) {
      if (d.origin != Origin::target) continue;
      ++reports;
      EXPECT_EQ(std::get<SegmentMeasurement>(d.det.measurement).segment, 7);
    }
  }
  const double expect = 4 * 3600 * (1 / 30.0) * 0.9 * kBrushSensitivity;
  EXPECT_NEAR(reports, expect, 5 * std::sqrt(expect));
}

}  // namespace
}  // namespace picket::sim

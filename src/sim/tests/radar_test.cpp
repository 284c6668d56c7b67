#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "picket/core/units.h"
#include "picket/sim/radar.h"
#include "sim_test_util.h"

namespace picket::sim {
namespace {

using testing::CollectSink;
using testing::scenario_text;

// `n` movers standing still at `range` from the origin, spread in bearing.
std::string standing_ring(int n, double range, double rcs, double duration,
                          const char* sensors = "notch: {enabled: false}") {
  std::string s = fmt::format(
      "site: radar-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: {}\nsensors:\n  {}\nmovers:\n",
      duration, sensors);
  for (int i = 0; i < n; ++i) {
    const double b = (i + 0.5) * 2 * kPi / n;
    s += fmt::format(
        "  - {{id: m{}, kind: walker, rcs: {}, path: [{{east: {:.4f}, north: {:.4f}}}], "
        "linger: {}}}\n",
        i, rcs, range * std::sin(b), range * std::cos(b), duration);
  }
  return s;
}

// The number of times a beam starting at azimuth `phase` and turning at `omega` passes bearing
// `b` in [0, duration).
int passes(double phase, double omega, double b, double duration) {
  const double lo = (phase - b) / (2 * kPi);
  const double hi = (phase - b + omega * duration) / (2 * kPi);
  return static_cast<int>(std::ceil(hi) - std::ceil(lo));
}

TEST(RadarPd, IsTheSitePdAtMaxRangeAndSwerlingINearer) {
  const RadarPd pd(0.8, 1e-6, 1000, 1.0);
  EXPECT_NEAR(pd.pd(1000, 1.0), 0.8, 1e-12);
  const double snr_ref = std::log(1e-6) / std::log(0.8) - 1;
  EXPECT_NEAR(pd.snr_ref(), snr_ref, 1e-9);
  // Half the range: 16 times the SNR (R^-4); Pd = Pfa^(1/(1+SNR)).
  EXPECT_NEAR(pd.pd(500, 1.0), std::pow(1e-6, 1 / (1 + 16 * snr_ref)), 1e-12);
  // A tenth of the cross-section at max range.
  EXPECT_NEAR(pd.pd(1000, 0.1), std::pow(1e-6, 1 / (1 + 0.1 * snr_ref)), 1e-12);
  EXPECT_LT(pd.pd(1000, 0.1), 0.8);
  EXPECT_GT(pd.pd(900, 1.0), 0.8);
  EXPECT_DOUBLE_EQ(RadarPd(1.0, 1e-6, 1000, 1).pd(1000, 1), 1.0);
}

// Measured Pd over many scans and seeds against the model, for targets at maximum range, nearer
// and smaller. The tolerance is five binomial standard deviations.
struct PdCase {
  double range;
  double rcs;
};

class RadarMeasuredPd : public ::testing::TestWithParam<PdCase> {};

TEST_P(RadarMeasuredPd, MatchesTheModel) {
  const auto [range, rcs] = GetParam();
  constexpr int kMovers = 40;
  constexpr double kDuration = 300;
  auto sc = scenario_text(standing_ring(kMovers, range, rcs, kDuration));
  ASSERT_TRUE(sc) << sc.error().message();
  const RadarPd model(0.8, 1e-6, 1000, 1.0);
  long detected = 0;
  long opportunities = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Simulator sim(*sc, seed);
    const auto* radar = dynamic_cast<const RadarModel*>(sim.model(0));
    ASSERT_NE(radar, nullptr);
    CollectSink sink;
    sim.run(sink);
    std::map<int, int> per_mover;
    for (const auto& d : sink.detections) {
      ASSERT_EQ(d.det.sensor, "radar");
      ASSERT_EQ(d.origin, Origin::target);
      ++per_mover[d.mover];
    }
    for (int i = 0; i < kMovers; ++i) {
      const double b = (i + 0.5) * 2 * kPi / kMovers;
      const int n = passes(radar->beam(0), 2 * kPi, b, kDuration);
      ASSERT_LE(per_mover[i], n);
      opportunities += n;
      detected += per_mover[i];
    }
  }
  const double p = model.pd(range, rcs);
  const double measured = static_cast<double>(detected) / static_cast<double>(opportunities);
  const double sd = std::sqrt(p * (1 - p) / static_cast<double>(opportunities));
  EXPECT_NEAR(measured, p, 5 * sd) << "range " << range << " rcs " << rcs << ": model " << p;
}

INSTANTIATE_TEST_SUITE_P(Ranges, RadarMeasuredPd,
                         ::testing::Values(PdCase{999, 1.0}, PdCase{700, 1.0}, PdCase{700, 0.1},
                                           PdCase{999.5, 0.3}, PdCase{400, 1.0}),
                         [](const auto& p) {
                           return fmt::format("r{}_rcs{}", static_cast<int>(p.param.range),
                                              static_cast<int>(p.param.rcs * 10));
                         });

TEST(Radar, PlotsAreTimedWhenTheBeamPassesAndCarryTheSiteNoise) {
  auto sc = scenario_text(standing_ring(30, 600, 1.0, 400));
  ASSERT_TRUE(sc) << sc.error().message();
  Simulator sim(*sc, 11);
  const auto* radar = dynamic_cast<const RadarModel*>(sim.model(0));
  CollectSink sink;
  sim.run(sink);
  ASSERT_GT(sink.detections.size(), 10000u);
  double se_r = 0;
  double se_b = 0;
  for (const auto& d : sink.detections) {
    const double t = d.det.t - sc->start_unix;
    const double b = (d.mover + 0.5) * 2 * kPi / 30;
    // The beam points at the target when the plot is made.
    EXPECT_NEAR(wrap_pi(radar->beam(t) - b), 0, 1e-5);
    const auto& pol = std::get<PolarMeasurement>(d.det.measurement);
    se_r += (pol.range - 600) * (pol.range - 600);
    se_b += wrap_pi(pol.bearing - b) * wrap_pi(pol.bearing - b);
    EXPECT_DOUBLE_EQ(*d.det.sigma_range, 1.5);
    EXPECT_NEAR(*d.det.sigma_bearing, deg2rad(0.5), 1e-15);
    EXPECT_NEAR(*d.det.doppler, 0, 5 * 0.2);  // standing still
  }
  const double n = static_cast<double>(sink.detections.size());
  EXPECT_NEAR(std::sqrt(se_r / n), 1.5, 0.05);
  EXPECT_NEAR(rad2deg(std::sqrt(se_b / n)), 0.5, 0.02);
}

TEST(Radar, TargetsSlowerRadiallyThanTheNotchAreLost) {
  // On the notch radar: a walker circling the radar (radial speed below 0.15 m/s), one walking
  // straight away from it at 1 m/s, one standing.
  std::string yaml =
      "site: radar-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 290\n"
      "sensors:\n  radar: {enabled: false}\nmovers:\n"
      "  - id: circler\n    kind: walker\n    path:\n";
  for (int i = 0; i <= 72; ++i) {
    const double a = i * 2 * kPi / 72;
    yaml += fmt::format("      - {{at: {{east: {:.3f}, north: {:.3f}}}, speed: 3}}\n",
                        300 * std::sin(a), 300 * std::cos(a));
  }
  yaml +=
      "  - {id: leaver, kind: walker, path: [{east: 0, north: 200}, {at: {east: 0, north: 500}, "
      "speed: 1.0}]}\n"
      "  - {id: stander, kind: walker, path: [{east: 300, north: 0}], linger: 290}\n";
  auto sc = scenario_text(yaml);
  ASSERT_TRUE(sc) << sc.error().message();
  const auto out = testing::run(*sc, 5);
  std::map<int, int> per_mover;
  for (const auto& d : out.detections) {
    ++per_mover[d.mover];
    if (d.mover == 1) {
      EXPECT_NEAR(*d.det.doppler, 1.0, 5 * 0.2);  // receding: positive
    }
  }
  EXPECT_EQ(per_mover[0], 0);
  EXPECT_EQ(per_mover[2], 0);
  EXPECT_GT(per_mover[1], 250);  // ~290 passes at Pd > 0.98
}

TEST(Radar, ClutterRateAndSpreadMatchTheSite) {
  auto sc = scenario_text(
      "site: clutter-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 2000\n"
      "nuisances:\n  - {type: rain, start: 1000, duration: 1000, clutter_factor: 3, "
      "sensors: [radar]}\n");
  ASSERT_TRUE(sc) << sc.error().message();
  double all = 0;
  double sector = 0;
  double sum_r2 = 0;
  double n_r2 = 0;
  constexpr int kSeeds = 3;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    Simulator sim(*sc, seed);
    const auto* radar = dynamic_cast<const RadarModel*>(sim.model(0));
    const auto* sector_radar = dynamic_cast<const RadarModel*>(sim.model(1));
    CollectSink sink;
    sim.run(sink);
    for (const auto& d : sink.detections) {
      ASSERT_EQ(d.origin, Origin::clutter);
      const auto& pol = std::get<PolarMeasurement>(d.det.measurement);
      const double t = d.det.t - sc->start_unix;
      if (d.det.sensor == "radar") {
        ++all;
        sum_r2 += pol.range * pol.range;
        ++n_r2;
        EXPECT_NEAR(wrap_pi(radar->beam(t) - pol.bearing), 0, deg2rad(0.5) * 6);
        EXPECT_GE(pol.range, 100);
        EXPECT_LE(pol.range, 2000);
        EXPECT_GE(std::abs(*d.det.doppler), 0.5);  // passed the notch
      } else {
        ++sector;
        EXPECT_NEAR(wrap_pi(sector_radar->beam(t) - pol.bearing), 0, deg2rad(0.5) * 6);
        EXPECT_LE(std::abs(wrap_pi(pol.bearing - kPi / 2)), kPi / 4 + deg2rad(3));
        EXPECT_TRUE(pol.elevation.has_value());
      }
    }
  }
  // radar: 3600 per hour, tripled by rain for the second half: 1000 + 3000 per run.
  const double expect_all = kSeeds * 4000.0;
  EXPECT_NEAR(all, expect_all, 5 * std::sqrt(expect_all));
  // sector radar: 1800 per hour over its sector (rain names only `radar`).
  const double expect_sector = kSeeds * 1000.0;
  EXPECT_NEAR(sector, expect_sector, 5 * std::sqrt(expect_sector));
  // Uniform over the annulus' area: E[r^2] = (r0^2 + r1^2) / 2.
  EXPECT_NEAR(sum_r2 / n_r2, (100.0 * 100 + 2000.0 * 2000) / 2, 0.03 * 2e6);
}

}  // namespace
}  // namespace picket::sim

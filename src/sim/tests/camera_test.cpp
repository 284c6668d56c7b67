#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "picket/core/units.h"
#include "picket/sim/camera.h"
#include "sim_test_util.h"

namespace picket::sim {
namespace {

using testing::CollectSink;
using testing::scenario_text;

TEST(Ttpf, FiftyPercentAtN50AndInvertible) {
  EXPECT_DOUBLE_EQ(ttpf(3.0, 3.0), 0.5);
  EXPECT_EQ(ttpf(0, 3.0), 0.0);
  EXPECT_LT(ttpf(1.0, 3.0), ttpf(2.0, 3.0));
  EXPECT_GT(ttpf(30.0, 3.0), 0.999);
  for (const double p : {0.05, 0.5, 0.7, 0.95}) {
    EXPECT_NEAR(ttpf(4.0, ttpf_n50(4.0, p)), p, 1e-9) << p;
  }
  // E = 2.7 + 0.7 N/N50: at N = 2 N50, P = 2^4.1 / (1 + 2^4.1).
  EXPECT_NEAR(ttpf(2.0, 1.0), std::pow(2, 4.1) / (1 + std::pow(2, 4.1)), 1e-12);
}

TEST(CameraPd, CalibratedToThePersonAtMaxRange) {
  auto site = load_site(testing::data_dir() + "/camera-site.yaml");
  ASSERT_TRUE(site) << site.error().message();
  const SensorDef& cam = site->sensors[0];
  const CameraPd pd(cam);
  // f = (1080 / 2) / tan(17 deg).
  EXPECT_NEAR(pd.focal_px(), 540 / std::tan(deg2rad(17)), 1e-9);
  EXPECT_NEAR(pd.pixels(1.75, 400), pd.focal_px() * 1.75 / 400, 1e-12);
  EXPECT_NEAR(pd.pd(1.75, 400), 0.7, 1e-9);
  EXPECT_GT(pd.pd(1.75, 200), 0.95);
  EXPECT_LT(pd.pd(0.5, 400), 0.1);  // a crawler far off is hard to see
  // Recognition needs four times the cycles.
  EXPECT_NEAR(pd.p_recognise(1.75, 400), ttpf(pd.pixels(1.75, 400) / 2, 4 * pd.n50()), 1e-12);
}

// `n` standing movers of a kind at 3-D range `range` from the camera (on an 8 m mast),
// spread across +-25 degrees of its boresight (north).
std::string standing_arc(int n, double range, const char* kind, double duration) {
  std::string s = fmt::format(
      "site: camera-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: {}\nmovers:\n", duration);
  const double ground = std::sqrt(range * range - 64);
  for (int i = 0; i < n; ++i) {
    const double b = deg2rad(-25 + 50.0 * (i + 0.5) / n);
    s += fmt::format(
        "  - {{id: m{}, kind: {}, path: [{{east: {:.4f}, north: {:.4f}}}], linger: {}}}\n", i, kind,
        ground * std::sin(b), ground * std::cos(b), duration);
  }
  return s;
}

struct CamCase {
  double range;
  const char* kind;
  double height;
};

class CameraMeasuredPd : public ::testing::TestWithParam<CamCase> {};

TEST_P(CameraMeasuredPd, MatchesTheModel) {
  const auto [range, kind, height] = GetParam();
  constexpr int kMovers = 20;
  constexpr double kDuration = 100;
  auto sc = scenario_text(standing_arc(kMovers, range, kind, kDuration));
  ASSERT_TRUE(sc) << sc.error().message();
  long detected = 0;
  long frames = 0;
  long classified = 0;
  double p_model = 0;
  double p_rec = 0;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    Simulator sim(*sc, seed);
    const auto* cam = dynamic_cast<const CameraModel*>(sim.model(0));
    ASSERT_NE(cam, nullptr);
    p_model = cam->pd_model().pd(height, range);
    p_rec = cam->pd_model().p_recognise(height, range);
    CollectSink sink;
    sim.run(sink);
    // Frames at phase + j / 5 in [0, duration).
    frames += kMovers * static_cast<long>(std::ceil((kDuration - cam->frame_phase()) * 5 - 1e-9));
    for (const auto& d : sink.detections) {
      if (d.det.sensor != "cam") continue;
      ASSERT_EQ(d.origin, Origin::target);
      ++detected;
      classified += *d.det.cls != TargetClass::unknown;
    }
  }
  const double measured = static_cast<double>(detected) / static_cast<double>(frames);
  const double sd = std::sqrt(p_model * (1 - p_model) / static_cast<double>(frames));
  EXPECT_NEAR(measured, p_model, 5 * sd + 1e-9) << kind << " at " << range;
  // A detection carries a class when recognised and the confusion does not say unknown.
  const double p_class = p_rec * (1 - camera_confusion()[0][5]);
  const double n = static_cast<double>(detected);
  EXPECT_NEAR(classified / n, p_class, 5 * std::sqrt(p_class * (1 - p_class) / n) + 1e-9);
}

INSTANTIATE_TEST_SUITE_P(
    Targets, CameraMeasuredPd,
    ::testing::Values(CamCase{399, "walker", 1.75}, CamCase{250, "walker", 1.75},
                      CamCase{300, "crawler", 0.5}, CamCase{120, "crawler", 0.5}),
    [](const auto& p) {
      return fmt::format("{}_{}", p.param.kind, static_cast<int>(p.param.range));
    });

TEST(Camera, PositionErrorsFollowTheGroundProjectionModel) {
  auto sc = scenario_text(standing_arc(20, 300, "walker", 200));
  ASSERT_TRUE(sc) << sc.error().message();
  Simulator sim(*sc, 3);
  const auto* cam = dynamic_cast<const CameraModel*>(sim.model(0));
  CollectSink sink;
  sim.run(sink);
  double se_down = 0;
  double se_cross = 0;
  double n = 0;
  long persons = 0;
  long recognised = 0;
  for (const auto& d : sink.detections) {
    if (d.det.sensor != "cam") continue;
    const double b = deg2rad(-25 + 50.0 * (d.mover + 0.5) / 20);
    const double ground = std::sqrt(300.0 * 300 - 64);
    const Vec2 truth(ground * std::sin(b), ground * std::cos(b));
    const auto& e = std::get<EnuMeasurement>(d.det.measurement);
    const Vec2 err = Vec2(e.east, e.north) - truth;
    const Vec2 los = truth.normalized();
    se_down += err.dot(los) * err.dot(los);
    se_cross += (err.x() * los.y() - err.y() * los.x()) * (err.x() * los.y() - err.y() * los.x());
    ++n;
    EXPECT_NEAR(
        *d.det.sigma,
        std::sqrt((std::pow(cam->sigma_down(300), 2) + std::pow(cam->sigma_cross(300), 2)) / 2),
        1e-3);
    EXPECT_GE(*d.det.score, 0.05);
    EXPECT_LE(*d.det.score, 0.99);
    if (*d.det.cls != TargetClass::unknown) {
      ++recognised;
      persons += *d.det.cls == TargetClass::person;
    }
  }
  ASSERT_GT(n, 10000);
  EXPECT_NEAR(std::sqrt(se_down / n), cam->sigma_down(300), 0.03 * cam->sigma_down(300));
  EXPECT_NEAR(std::sqrt(se_cross / n), cam->sigma_cross(300), 0.03 * cam->sigma_cross(300));
  // Among recognised people, the confusion matrix's share of 'person'.
  const double p = camera_confusion()[0][0] / (1 - camera_confusion()[0][5]);
  EXPECT_NEAR(persons / double(recognised), p, 5 * std::sqrt(p * (1 - p) / recognised));
}

TEST(Camera, NothingOutsideTheFieldOfView) {
  // Behind the camera and beside it: never seen.
  auto sc = scenario_text(
      "site: camera-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 60\nmovers:\n"
      "  - {id: behind, kind: walker, path: [{east: 0, north: -100}], linger: 60}\n"
      "  - {id: beside, kind: walker, path: [{east: 100, north: 40}], linger: 60}\n"
      "  - {id: far, kind: walker, path: [{east: 0, north: 420}], linger: 60}\n"
      "  - {id: below, kind: walker, path: [{east: 0, north: 5}], linger: 60}\n");
  ASSERT_TRUE(sc) << sc.error().message();
  const auto out = testing::run(*sc, 1);
  for (const auto& d : out.detections)
    EXPECT_NE(d.det.sensor, "cam") << d.mover;
}

TEST(Camera, FalseDetectionRateAndPlaceMatchTheSite) {
  auto sc = scenario_text("site: camera-site.yaml\nstart: 2026-01-01T00:00:00Z\nduration: 2000\n");
  ASSERT_TRUE(sc) << sc.error().message();
  double count = 0;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    Simulator sim(*sc, seed);
    const auto* cam = dynamic_cast<const CameraModel*>(sim.model(1));
    CollectSink sink;
    sim.run(sink);
    for (const auto& d : sink.detections) {
      ASSERT_EQ(d.det.sensor, "cam-false");
      ASSERT_EQ(d.origin, Origin::clutter);
      ++count;
      const auto& e = std::get<EnuMeasurement>(d.det.measurement);
      const Vec2 rel(e.east - 5000, e.north);
      EXPECT_GE(rel.norm(), cam->ground_min() - 1e-6);
      EXPECT_LE(rel.norm(), cam->ground_max() + 1e-6);
      EXPECT_LE(std::abs(wrap_pi(std::atan2(rel.x(), rel.y()) - kPi / 2)), deg2rad(20) + 1e-9);
      // On a frame: phase + j / 4.
      const double j = (d.det.t - sc->start_unix - cam->frame_phase()) * 4;
      EXPECT_NEAR(j, std::round(j), 1e-4);
      EXPECT_LE(*d.det.score, 0.6);
    }
    // 10 m mast looking down 10 degrees with a 24 degree fov: ground from 10/tan(22 deg).
    EXPECT_NEAR(cam->ground_min(), 10 / std::tan(deg2rad(22)), 1e-9);
    EXPECT_NEAR(cam->ground_max(), 300, 1e-9);
  }
  const double expect = 3 * 360 * 2000 / 3600.0;  // 360 per hour
  EXPECT_NEAR(count, expect, 5 * std::sqrt(expect));
}

}  // namespace
}  // namespace picket::sim

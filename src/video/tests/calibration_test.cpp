#include "picket/video/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "picket/core/units.h"

namespace picket::video {
namespace {

CameraIntrinsics lens() {
  CameraIntrinsics k = CameraIntrinsics::from_fov(1920, 1080, deg2rad(55));
  k.k1 = -0.08;
  k.k2 = 0.01;
  return k;
}

const CameraPose kTruth{Enu(-35, 60, 9.5), deg2rad(118), deg2rad(-14), deg2rad(-0.8)};

// Ground points spread over the view (bearings -20..20 degrees off axis, 15..120 m away).
std::vector<SurveyPoint> survey(const CameraPose& pose, int n, double pixel_noise, unsigned seed,
                                bool with_heights = false) {
  const CameraModel cam(lens(), pose);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> off(-20, 20), range(15, 120), up(0, 2.5);
  std::normal_distribution<double> noise(0, pixel_noise);
  std::vector<SurveyPoint> pts;
  while (static_cast<int>(pts.size()) < n) {
    const double b = pose.yaw + deg2rad(off(rng));
    const double r = range(rng);
    const Enu p = pose.position + Enu(r * std::sin(b), r * std::cos(b), -pose.position.z()) +
                  Enu(0, 0, with_heights ? up(rng) : 0.0);
    const auto px = cam.project(p);
    if (!px || !cam.in_image(*px, 20)) continue;
    pts.push_back(SurveyPoint{*px + Eigen::Vector2d(noise(rng), noise(rng)), p,
                              "points[" + std::to_string(pts.size()) + "]"});
  }
  return pts;
}

void expect_pose_near(const CameraPose& got, const CameraPose& want, double pos_m,
                      double angle_deg) {
  EXPECT_LT((got.position - want.position).norm(), pos_m);
  EXPECT_LT(std::abs(rad2deg(wrap_pi(got.yaw - want.yaw))), angle_deg);
  EXPECT_LT(std::abs(rad2deg(got.pitch - want.pitch)), angle_deg);
  EXPECT_LT(std::abs(rad2deg(wrap_pi(got.roll - want.roll))), angle_deg);
}

TEST(Calibration, RecoversAnExactPoseFromFourPoints) {
  const auto sol = solve_pose(lens(), survey(kTruth, 4, 0, 1));
  ASSERT_TRUE(sol) << sol.error().message();
  expect_pose_near(sol->pose, kTruth, 1e-4, 1e-5);
  EXPECT_LT(sol->rms_px, 1e-6);
}

TEST(Calibration, RecoversAKnownPoseFromNoisyPoints) {
  // Twelve surveyed points with one pixel of noise, over several random surveys.
  for (unsigned seed = 1; seed <= 10; ++seed) {
    const auto sol = solve_pose(lens(), survey(kTruth, 12, 1.0, seed));
    ASSERT_TRUE(sol) << sol.error().message();
    expect_pose_near(sol->pose, kTruth, 0.6, 0.3);
    EXPECT_GT(sol->rms_px, 0.3);
    EXPECT_LT(sol->rms_px, 2.0);
    // The reported covariance covers the error: within four sigma on every parameter.
    const Eigen::Matrix<double, 6, 1> err =
        (Eigen::Matrix<double, 6, 1>() << sol->pose.position - kTruth.position,
         wrap_pi(sol->pose.yaw - kTruth.yaw), sol->pose.pitch - kTruth.pitch,
         wrap_pi(sol->pose.roll - kTruth.roll))
            .finished();
    for (int i = 0; i < 6; ++i) {
      EXPECT_LT(std::abs(err[i]), 4 * std::sqrt(sol->covariance(i, i))) << "seed " << seed;
    }
  }
  // Points at different heights (posts, walls) work as well.
  const auto sol = solve_pose(lens(), survey(kTruth, 8, 0.5, 99, true));
  ASSERT_TRUE(sol) << sol.error().message();
  expect_pose_near(sol->pose, kTruth, 0.5, 0.3);
}

TEST(Calibration, RefusesPointsOnALine) {
  // Survey points along a straight road edge: the camera could turn about the road.
  const CameraModel cam(lens(), kTruth);
  std::vector<SurveyPoint> pts;
  const Enu a = kTruth.position + Enu(20, -10, -kTruth.position.z());
  const Enu dir = Enu(std::sin(kTruth.yaw), std::cos(kTruth.yaw), 0);
  for (int i = 0; i < 6; ++i) {
    const Enu p = a + (15.0 * i) * dir + Enu(0, 0, 0);
    const auto px = cam.project(p);
    ASSERT_TRUE(px);
    pts.push_back(SurveyPoint{*px, p, "cal.points[" + std::to_string(i) + "]"});
  }
  const auto sol = solve_pose(lens(), pts);
  ASSERT_FALSE(sol);
  EXPECT_NE(sol.error().message().find("lie on one line"), std::string::npos)
      << sol.error().message();
  // Slightly off the line (2 cm) is still a line.
  pts[3].enu += Enu(0.02, -0.01, 0);
  EXPECT_FALSE(solve_pose(lens(), pts));
}

TEST(Calibration, RefusesTooFewAndRepeatedPoints) {
  auto pts = survey(kTruth, 3, 0, 4);
  auto sol = solve_pose(lens(), pts);
  ASSERT_FALSE(sol);
  EXPECT_NE(sol.error().message().find("at least four"), std::string::npos);
  pts = survey(kTruth, 5, 0, 4);
  pts[4].enu = pts[1].enu;
  sol = solve_pose(lens(), pts);
  ASSERT_FALSE(sol);
  EXPECT_NE(sol.error().message().find("same place"), std::string::npos);
}

TEST(Calibration, RefusesPixelsThatDoNotMatchTheirPoints) {
  auto pts = survey(kTruth, 8, 0.5, 6);
  std::swap(pts[1].pixel, pts[6].pixel);  // two pixels entered against the wrong points
  const auto sol = solve_pose(lens(), pts);
  ASSERT_FALSE(sol);
  EXPECT_NE(sol.error().message().find("disagree"), std::string::npos) << sol.error().message();
}

}  // namespace
}  // namespace picket::video

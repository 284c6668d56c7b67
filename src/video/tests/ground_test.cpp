#include "picket/video/ground.h"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <cmath>
#include <opencv2/calib3d.hpp>
#include <random>

#include "picket/core/units.h"

namespace picket::video {
namespace {

// A mast camera 12 m up looking north-east and 12 degrees down, with a slightly barrel lens.
CameraModel mast_camera() {
  CameraIntrinsics k = CameraIntrinsics::from_fov(1280, 720, deg2rad(60));
  k.k1 = -0.12;
  k.k2 = 0.03;
  k.p1 = 0.0005;
  k.p2 = -0.0003;
  return CameraModel(k, CameraPose{Enu(40, -25, 12), deg2rad(35), deg2rad(-12), deg2rad(1)});
}

// Ground points on a grid in front of the camera that appear in the image.
std::vector<Enu> visible_ground_points(const CameraModel& cam, double height, double max_range) {
  std::vector<Enu> out;
  const Enu c = cam.pose().position;
  for (double r = 10; r <= max_range; r += 5) {
    for (double b = -40; b <= 40; b += 4) {
      const double bearing = cam.pose().yaw + deg2rad(b);
      const Enu p(c.x() + r * std::sin(bearing), c.y() + r * std::cos(bearing), height);
      const auto px = cam.project(p);
      if (px && cam.in_image(*px)) out.push_back(p);
    }
  }
  return out;
}

TEST(GroundProjection, AgreesWithOpenCvProjectPoints) {
  // The camera model is written independently of OpenCV; cv::projectPoints is the reference.
  const CameraModel cam = mast_camera();
  const auto& k = cam.intrinsics();
  const Eigen::Matrix3d world_to_cam = cam.enu_from_camera().transpose();
  cv::Matx33d r;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      r(a, b) = world_to_cam(a, b);
  cv::Vec3d rvec;
  cv::Rodrigues(r, rvec);
  const Eigen::Vector3d t = -world_to_cam * cam.pose().position;
  const cv::Vec3d tvec(t.x(), t.y(), t.z());
  const cv::Matx33d kmat(k.fx, 0, k.cx, 0, k.fy, k.cy, 0, 0, 1);
  const std::vector<double> dist = {k.k1, k.k2, k.p1, k.p2, k.k3};
  const auto pts = visible_ground_points(cam, 0, 300);
  ASSERT_GT(pts.size(), 100u);
  std::vector<cv::Point3d> obj;
  for (const auto& p : pts)
    obj.emplace_back(p.x(), p.y(), p.z());
  std::vector<cv::Point2d> ref;
  cv::projectPoints(obj, rvec, tvec, kmat, dist, ref);
  for (size_t i = 0; i < pts.size(); ++i) {
    const auto px = cam.project(pts[i]);
    ASSERT_TRUE(px);
    EXPECT_NEAR(px->x(), ref[i].x, 1e-6);
    EXPECT_NEAR(px->y(), ref[i].y, 1e-6);
  }
}

TEST(GroundProjection, RecoversRenderedGroundPoints) {
  const CameraModel cam = mast_camera();
  GroundSurface ground;
  const Eigen::Matrix2d no_noise = Eigen::Matrix2d::Zero();
  const Eigen::Matrix<double, 6, 6> no_pose = Eigen::Matrix<double, 6, 6>::Zero();
  const auto pts = visible_ground_points(cam, 0, 400);
  ASSERT_GT(pts.size(), 100u);
  for (const auto& p : pts) {
    const auto fix = project_to_ground(cam, *cam.project(p), no_noise, no_pose, ground);
    ASSERT_TRUE(fix) << fix.error().message();
    const double range = (p - cam.pose().position).norm();
    EXPECT_LT((fix->point - p).norm(), 1e-6 * range);
    EXPECT_NEAR(fix->range_m, range, 1e-6 * range);
  }

  // With half a pixel of noise on the foot point, points out to 150 m (grazing angles down to
  // 4.6 degrees) are placed within 1% of their range (RMS), none worse than 2.5%.
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 0.5);
  double worst = 0, sum2 = 0;
  int n = 0;
  for (const auto& p : visible_ground_points(cam, 0, 150)) {
    const Eigen::Vector2d px = *cam.project(p) + Eigen::Vector2d(noise(rng), noise(rng));
    const auto fix = project_to_ground(cam, px, no_noise, no_pose, ground);
    ASSERT_TRUE(fix);
    const double rel = (fix->point - p).norm() / (p - cam.pose().position).norm();
    worst = std::max(worst, rel);
    sum2 += rel * rel;
    ++n;
  }
  EXPECT_LT(std::sqrt(sum2 / n), 0.01);
  EXPECT_LT(worst, 0.025);
}

TEST(GroundProjection, CovarianceMatchesMonteCarlo) {
  // Perturb the pose and the pixel as the covariance says, place the point with the perturbed
  // camera, and check the normalised estimation error squared averages 2 (two dimensions).
  const CameraModel cam = mast_camera();
  PoseUncertainty pu;
  pu.horizontal_m = 0.3;
  pu.vertical_m = 0.2;
  pu.yaw_rad = deg2rad(0.3);
  pu.pitch_rad = deg2rad(0.2);
  pu.roll_rad = deg2rad(0.2);
  const Eigen::Matrix<double, 6, 6> pose_cov = pu.covariance();
  const Eigen::Matrix2d pixel_cov = Eigen::Matrix2d::Identity() * 1.5 * 1.5;
  GroundSurface ground;
  ground.height_sigma_m = 0.1;
  std::mt19937 rng(5);
  std::normal_distribution<double> n01(0, 1);
  for (const double range : {30.0, 80.0}) {
    const Enu truth = cam.pose().position +
                      Enu(range * std::sin(cam.pose().yaw), range * std::cos(cam.pose().yaw), -12);
    const Eigen::Vector2d px = *cam.project(truth);
    const auto nominal = project_to_ground(cam, px, pixel_cov, pose_cov, ground);
    ASSERT_TRUE(nominal);
    const Eigen::Matrix2d inv = nominal->cov.inverse();
    double nees = 0;
    const int n = 2500;
    for (int i = 0; i < n; ++i) {
      CameraPose q = cam.pose();
      q.position +=
          Enu(pu.horizontal_m * n01(rng), pu.horizontal_m * n01(rng), pu.vertical_m * n01(rng));
      q.yaw += pu.yaw_rad * n01(rng);
      q.pitch += pu.pitch_rad * n01(rng);
      q.roll += pu.roll_rad * n01(rng);
      GroundSurface g = ground;
      g.height_m += ground.height_sigma_m * n01(rng);
      const CameraModel perturbed(cam.intrinsics(), q);
      // The true point seen by the perturbed camera, with pixel noise, placed by the nominal
      // camera: what the tracker gets when the survey is off by that much.
      const Eigen::Vector2d seen = *perturbed.project(truth + Enu(0, 0, g.height_m)) +
                                   1.5 * Eigen::Vector2d(n01(rng), n01(rng));
      const auto fix = project_to_ground(cam, seen, pixel_cov, pose_cov, ground);
      ASSERT_TRUE(fix);
      const Eigen::Vector2d e = fix->point.head<2>() - truth.head<2>();
      nees += e.dot(inv * e);
    }
    nees /= n;
    EXPECT_NEAR(nees, 2.0, 0.25) << "range " << range;
  }
}

TEST(GroundProjection, UncertaintyGrowsWithRangeAndGrazing) {
  const CameraModel cam = mast_camera();
  const Eigen::Matrix2d pixel_cov = Eigen::Matrix2d::Identity() * 4;
  PoseUncertainty pu;
  pu.yaw_rad = deg2rad(0.5);
  pu.pitch_rad = deg2rad(0.3);
  GroundSurface ground;
  double last_sigma = 0, last_grazing = 10;
  for (const double range : {20.0, 50.0, 100.0, 200.0, 400.0}) {
    const Enu p = cam.pose().position +
                  Enu(range * std::sin(cam.pose().yaw), range * std::cos(cam.pose().yaw), -12);
    const auto fix = project_to_ground(cam, *cam.project(p), pixel_cov, pu.covariance(), ground);
    ASSERT_TRUE(fix);
    EXPECT_GT(fix->sigma_max(), last_sigma);
    EXPECT_LT(fix->grazing_rad, last_grazing);
    EXPECT_NEAR(fix->grazing_rad, std::atan(12 / range), 1e-6);
    last_sigma = fix->sigma_max();
    last_grazing = fix->grazing_rad;
  }
  // Along the line of sight the error is far larger than across it at long range.
  const Enu far = cam.pose().position +
                  Enu(300 * std::sin(cam.pose().yaw), 300 * std::cos(cam.pose().yaw), -12);
  const auto fix = project_to_ground(cam, *cam.project(far), pixel_cov, pu.covariance(), ground);
  const Eigen::Vector2d los(std::sin(cam.pose().yaw), std::cos(cam.pose().yaw));
  const Eigen::Vector2d across(los.y(), -los.x());
  EXPECT_GT(los.dot(fix->cov * los), 20 * across.dot(fix->cov * across));
}

TEST(GroundProjection, FollowsTerrain) {
  const CameraModel cam = mast_camera();
  // A plane rising 5% to the north-east and a hill.
  GroundSurface slope;
  slope.terrain = [](double e, double n) -> std::optional<double> { return 0.05 * (e + n) - 3; };
  GroundSurface hill;
  hill.terrain = [](double e, double n) -> std::optional<double> {
    return 8 * std::exp(-((e - 120) * (e - 120) + (n - 100) * (n - 100)) / (2 * 40 * 40));
  };
  const Eigen::Matrix2d pix = Eigen::Matrix2d::Identity();
  const Eigen::Matrix<double, 6, 6> no_pose = Eigen::Matrix<double, 6, 6>::Zero();
  for (const auto* g : {&slope, &hill}) {
    int n = 0;
    for (double e = 60; e <= 200; e += 20) {
      for (double no = 20; no <= 200; no += 20) {
        const Enu p(e, no, *g->terrain(e, no));
        const auto px = cam.project(p);
        if (!px || !cam.in_image(*px)) continue;
        // Skip points hidden (or nearly hidden: the ray skims the hill) from the camera.
        bool hidden = false;
        for (double f = 0.001; f < 0.98; f += 0.001) {
          const Enu q = cam.pose().position + f * (p - cam.pose().position);
          hidden = hidden || q.z() < *g->terrain(q.x(), q.y()) + 0.1;
        }
        if (hidden) continue;
        const auto fix = project_to_ground(cam, *px, pix, no_pose, *g);
        ASSERT_TRUE(fix) << fix.error().message();
        EXPECT_LT((fix->point - p).norm(), 1e-3) << e << "," << no;
        ++n;
      }
    }
    EXPECT_GT(n, 10);
  }
  // Rising ground faces the camera: for the same pixel, the slope gives a smaller along-range
  // error than flat ground (a steeper grazing angle).
  const Enu p(150, 120, *slope.terrain(150, 120));
  const auto on_slope = project_to_ground(cam, *cam.project(p), pix, no_pose, slope);
  GroundSurface flat;
  flat.height_m = p.z();
  const auto on_flat = project_to_ground(cam, *cam.project(p), pix, no_pose, flat);
  ASSERT_TRUE(on_slope && on_flat);
  EXPECT_GT(on_slope->grazing_rad, on_flat->grazing_rad);
  EXPECT_LT(on_slope->sigma_max(), on_flat->sigma_max());

  // Terrain unknown where the ray lands: a clear error.
  GroundSurface island;
  island.terrain = [](double e, double n) -> std::optional<double> {
    if (std::hypot(e - 40, n + 25) > 30) return std::nullopt;
    return 0.0;
  };
  const auto lost = project_to_ground(cam, *cam.project(Enu(150, 120, 0)), pix, no_pose, island);
  ASSERT_FALSE(lost);
  EXPECT_NE(lost.error().what.find("terrain is unknown"), std::string::npos);
}

TEST(GroundProjection, RefusesRaysThatMissTheGround) {
  const CameraModel cam = mast_camera();
  GroundSurface ground;
  const Eigen::Matrix2d pix = Eigen::Matrix2d::Identity();
  const Eigen::Matrix<double, 6, 6> no_pose = Eigen::Matrix<double, 6, 6>::Zero();
  // The top of the image looks above the horizon (the camera is pitched only 12 degrees down
  // with a 34 degree vertical field of view).
  const auto sky = project_to_ground(cam, Eigen::Vector2d(640, 0), pix, no_pose, ground);
  ASSERT_FALSE(sky);
  EXPECT_NE(sky.error().message().find("horizon"), std::string::npos);
  // Just below the horizon the ground is kilometres away: beyond max_range.
  ground.max_range_m = 500;
  const Enu far = cam.pose().position +
                  Enu(2000 * std::sin(cam.pose().yaw), 2000 * std::cos(cam.pose().yaw), -12);
  const auto beyond = project_to_ground(cam, *cam.project(far), pix, no_pose, ground);
  ASSERT_FALSE(beyond);
  EXPECT_NE(beyond.error().message().find("beyond"), std::string::npos);
}

TEST(GroundProjection, ObjectSizeInMetres) {
  const CameraModel cam = mast_camera();
  for (const double range : {15.0, 40.0, 90.0}) {
    const double b = cam.pose().yaw + deg2rad(7);
    const Enu foot = cam.pose().position + Enu(range * std::sin(b), range * std::cos(b), -12);
    // A 1.8 m tall, 0.6 m wide person: box from the projected head and shoulders.
    const Eigen::Vector2d f = *cam.project(foot);
    const Eigen::Vector2d head = *cam.project(foot + Enu(0, 0, 1.8));
    const Eigen::Vector3d right = cam.enu_from_camera().col(0);
    const Enu side(right.x(), right.y(), 0);
    const double w = (*cam.project(foot + 0.3 * side.normalized()) -
                      *cam.project(foot - 0.3 * side.normalized()))
                         .norm();
    const Eigen::Vector4d box(f.x() - w / 2, head.y(), w, f.y() - head.y());
    const auto size = object_size(cam, box, foot);
    ASSERT_TRUE(size);
    EXPECT_NEAR(size->height_m, 1.8, 0.01) << range;
    EXPECT_NEAR(size->width_m, 0.6, 0.03) << range;
  }
}

}  // namespace
}  // namespace picket::video

#include "picket/core/camera.h"

#include <gtest/gtest.h>

#include <Eigen/LU>

#include <cmath>
#include <random>

#include "picket/core/units.h"

namespace picket {
namespace {

CameraIntrinsics distorted_intrinsics() {
  CameraIntrinsics k;
  k.width = 1280;
  k.height = 720;
  k.fx = 900;
  k.fy = 905;
  k.cx = 650;
  k.cy = 350;
  k.k1 = -0.28;
  k.k2 = 0.09;
  k.p1 = 0.001;
  k.p2 = -0.0015;
  k.k3 = -0.01;
  return k;
}

TEST(Camera, AxesFollowTheSurveyConvention) {
  const auto k = CameraIntrinsics::from_fov(1280, 720, deg2rad(60));
  // Level camera looking east (yaw 90 degrees) at the origin.
  const CameraModel cam(k, CameraPose{Enu(0, 0, 0), deg2rad(90), 0, 0});
  auto centre = cam.project(Enu(100, 0, 0));
  ASSERT_TRUE(centre);
  EXPECT_NEAR(centre->x(), k.cx, 1e-9);
  EXPECT_NEAR(centre->y(), k.cy, 1e-9);
  // Looking east, south is to the right of the image and up is towards the top.
  EXPECT_GT(cam.project(Enu(100, -10, 0))->x(), k.cx);
  EXPECT_LT(cam.project(Enu(100, 0, 10))->y(), k.cy);
  // Behind the camera: no pixel.
  EXPECT_FALSE(cam.project(Enu(-100, 0, 0)));

  // Pitched down 30 degrees, looking north: the point 10 m below and 10/tan(30) m ahead is on
  // the optical axis.
  const CameraModel down(k, CameraPose{Enu(0, 0, 10), 0, deg2rad(-30), 0});
  const auto p = down.project(Enu(0, 10 / std::tan(deg2rad(30)), 0));
  ASSERT_TRUE(p);
  EXPECT_NEAR(p->x(), k.cx, 1e-9);
  EXPECT_NEAR(p->y(), k.cy, 1e-9);

  // Positive roll turns the camera clockwise as seen from behind (its right side goes down), so
  // the horizon tilts the other way in the image: a horizon point to the right appears higher.
  const CameraModel rolled(k, CameraPose{Enu(0, 0, 0), 0, 0, deg2rad(10)});
  EXPECT_LT(rolled.project(Enu(20, 100, 0))->y(), k.cy);
  EXPECT_GT(rolled.project(Enu(-20, 100, 0))->y(), k.cy);
}

TEST(Camera, PoseFromRotationInvertsCameraRotation) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> yaw(-kPi, kPi), pitch(-1.5, 1.5), roll(-3, 3);
  for (int i = 0; i < 1000; ++i) {
    const double y = yaw(rng), p = pitch(rng), r = roll(rng);
    const auto pose = pose_from_rotation(camera_rotation(y, p, r), Enu(1, 2, 3));
    EXPECT_NEAR(wrap_pi(pose.yaw - y), 0, 1e-9);
    EXPECT_NEAR(pose.pitch, p, 1e-9);
    EXPECT_NEAR(wrap_pi(pose.roll - r), 0, 1e-9);
    EXPECT_EQ(pose.position, Enu(1, 2, 3));
    const Eigen::Matrix3d rot = camera_rotation(y, p, r);
    EXPECT_NEAR((rot.transpose() * rot - Eigen::Matrix3d::Identity()).norm(), 0, 1e-12);
    EXPECT_NEAR(rot.determinant(), 1, 1e-12);
  }
  // Straight down: yaw and roll are one rotation; the rotation itself is still recovered.
  const Eigen::Matrix3d nadir = camera_rotation(0.7, -kPi / 2, 0.2);
  const auto pose = pose_from_rotation(nadir, Enu::Zero());
  EXPECT_NEAR((camera_rotation(pose.yaw, pose.pitch, pose.roll) - nadir).norm(), 0, 1e-9);
}

TEST(Camera, UndistortInvertsDistort) {
  const CameraModel cam(distorted_intrinsics(), CameraPose{});
  for (double u = 0; u <= 1280; u += 64) {
    for (double v = 0; v <= 720; v += 48) {
      const auto xy = cam.undistort(Eigen::Vector2d(u, v));
      ASSERT_TRUE(xy) << u << "," << v;
      const Eigen::Vector2d d = cam.distort(*xy);
      EXPECT_NEAR(d.x() * 900 + 650, u, 1e-6);
      EXPECT_NEAR(d.y() * 905 + 350, v, 1e-6);
    }
  }
}

TEST(Camera, RayThroughAProjectedPointHitsThePoint) {
  const CameraModel cam(distorted_intrinsics(),
                        CameraPose{Enu(10, -20, 12), deg2rad(35), deg2rad(-12), deg2rad(2)});
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> e(-200, 300), n(-100, 400), u(-5, 30);
  int tested = 0;
  for (int i = 0; i < 2000; ++i) {
    const Enu p(e(rng), n(rng), u(rng));
    const auto px = cam.project(p);
    if (!px || !cam.in_image(*px)) continue;
    const auto ray = cam.ray(*px);
    ASSERT_TRUE(ray);
    const Eigen::Vector3d to_p = p - ray->origin;
    // The point lies on the ray: distance from the line below a micrometre per metre.
    EXPECT_LT((to_p - to_p.dot(ray->direction) * ray->direction).norm(), 1e-6 * to_p.norm());
    EXPECT_GT(to_p.dot(ray->direction), 0);
    EXPECT_NEAR(ray->direction.norm(), 1, 1e-12);
    ++tested;
  }
  EXPECT_GT(tested, 100);
  // Far off the optical axis the barrel polynomial folds back towards the centre; such points
  // must not be projected into the image.
  const CameraModel level(distorted_intrinsics(), CameraPose{});
  EXPECT_FALSE(level.project(Enu(300, 100, 0)));  // 72 degrees off axis
  EXPECT_TRUE(level.project(Enu(30, 100, 0)));    // 17 degrees off axis
}

TEST(Camera, JacobiansMatchFiniteDifferences) {
  const CameraPose pose{Enu(10, -20, 12), deg2rad(35), deg2rad(-12), deg2rad(2)};
  const CameraModel cam(distorted_intrinsics(), pose);
  const Enu p(80, 90, 1.5);
  PixelPointJacobian jp;
  PixelPoseJacobian jq;
  const auto px = cam.project(p, &jp, &jq);
  ASSERT_TRUE(px);
  const double h = 1e-6;
  for (int i = 0; i < 3; ++i) {
    Enu dp = Enu::Zero();
    dp[i] = h;
    const Eigen::Vector2d num = (*cam.project(p + dp) - *cam.project(p - dp)) / (2 * h);
    EXPECT_NEAR((num - jp.col(i)).norm(), 0, 1e-5 * (1 + num.norm())) << "point " << i;
  }
  for (int i = 0; i < kPoseParams; ++i) {
    auto plus = pose, minus = pose;
    auto bump = [&](CameraPose& q, double s) {
      if (i < 3) q.position[i] += s;
      if (i == 3) q.yaw += s;
      if (i == 4) q.pitch += s;
      if (i == 5) q.roll += s;
    };
    bump(plus, h);
    bump(minus, -h);
    const Eigen::Vector2d num = (*CameraModel(distorted_intrinsics(), plus).project(p) -
                                 *CameraModel(distorted_intrinsics(), minus).project(p)) /
                                (2 * h);
    EXPECT_NEAR((num - jq.col(i)).norm(), 0, 1e-4 * (1 + num.norm())) << "pose " << i;
  }
  // Ray direction with respect to the pixel.
  Eigen::Matrix<double, 3, 2> jr;
  const auto ray = cam.ray(*px, &jr);
  ASSERT_TRUE(ray);
  for (int i = 0; i < 2; ++i) {
    Eigen::Vector2d d = Eigen::Vector2d::Zero();
    d[i] = 1e-4;
    const Eigen::Vector3d num =
        (cam.ray(*px + d)->direction - cam.ray(*px - d)->direction) / (2 * 1e-4);
    EXPECT_NEAR((num - jr.col(i)).norm(), 0, 1e-7) << "pixel " << i;
  }
}

TEST(Camera, FieldOfViewRoundTrips) {
  const auto k = CameraIntrinsics::from_fov(1920, 1080, deg2rad(70));
  EXPECT_NEAR(rad2deg(k.hfov()), 70, 1e-9);
  EXPECT_NEAR(k.fx, 1920 / (2 * std::tan(deg2rad(35))), 1e-9);
  EXPECT_LT(k.vfov(), k.hfov());
  // The image corners are inside the image; one pixel further is not.
  const CameraModel cam(k, CameraPose{});
  EXPECT_TRUE(cam.in_image(Eigen::Vector2d(0, 0)));
  EXPECT_TRUE(cam.in_image(Eigen::Vector2d(1919, 1079)));
  EXPECT_FALSE(cam.in_image(Eigen::Vector2d(1920, 500)));
  EXPECT_FALSE(cam.in_image(Eigen::Vector2d(500, -1)));
}

}  // namespace
}  // namespace picket

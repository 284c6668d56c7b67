#include "picket/core/camera.h"

#include <Eigen/Geometry>
#include <Eigen/LU>
#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace picket {

namespace {

// R0: a level camera looking north. Camera x -> east, camera y (down) -> -up, camera z -> north.
Eigen::Matrix3d level_north() {
  Eigen::Matrix3d r0;
  r0 << 1, 0, 0,  //
      0, 0, 1,    //
      0, -1, 0;
  return r0;
}

Eigen::Matrix3d rot(double angle, const Eigen::Vector3d& axis) {
  return Eigen::AngleAxisd(angle, axis).toRotationMatrix();
}

Eigen::Matrix3d skew(const Eigen::Vector3d& v) {
  Eigen::Matrix3d s;
  s << 0, -v.z(), v.y(),  //
      v.z(), 0, -v.x(),   //
      -v.y(), v.x(), 0;
  return s;
}

constexpr double kMinDepth = 1e-3;  // m: points nearer the camera plane are not projected

// The squared radius where r * (1 + k1 r^2 + k2 r^4 + k3 r^6) stops increasing: the first zero
// of its derivative 1 + 3 k1 r^2 + 5 k2 r^4 + 7 k3 r^6, found by stepping out to r = 10 (a
// 168-degree field of view, beyond any lens this model describes).
double monotonic_limit(const CameraIntrinsics& k) {
  if (k.k1 == 0 && k.k2 == 0 && k.k3 == 0) return std::numeric_limits<double>::infinity();
  auto slope = [&](double r2) { return 1 + r2 * (3 * k.k1 + r2 * (5 * k.k2 + r2 * 7 * k.k3)); };
  double prev = 0;
  for (double r = 0.01; r <= 10; r += 0.01) {
    if (slope(r * r) <= 0) {
      // Bisect between the last good radius and this one.
      double lo = prev, hi = r;
      for (int i = 0; i < 60; ++i) {
        const double mid = (lo + hi) / 2;
        (slope(mid * mid) > 0 ? lo : hi) = mid;
      }
      return lo * lo;
    }
    prev = r;
  }
  return std::numeric_limits<double>::infinity();
}

}  // namespace

CameraIntrinsics CameraIntrinsics::from_fov(int width, int height, double hfov_rad) {
  assert(width > 0 && height > 0 && hfov_rad > 0 && hfov_rad < 3.14159);
  CameraIntrinsics k;
  k.width = width;
  k.height = height;
  k.fx = width / (2.0 * std::tan(hfov_rad / 2.0));
  k.fy = k.fx;
  k.cx = (width - 1) / 2.0;
  k.cy = (height - 1) / 2.0;
  return k;
}

double CameraIntrinsics::hfov() const {
  return 2.0 * std::atan(width / (2.0 * fx));
}
double CameraIntrinsics::vfov() const {
  return 2.0 * std::atan(height / (2.0 * fy));
}

Eigen::Matrix3d camera_rotation(double yaw, double pitch, double roll) {
  return rot(-yaw, Eigen::Vector3d::UnitZ()) * rot(pitch, Eigen::Vector3d::UnitX()) *
         rot(roll, Eigen::Vector3d::UnitY()) * level_north();
}

void camera_rotation_derivatives(double yaw, double pitch, double roll, Eigen::Matrix3d& d_yaw,
                                 Eigen::Matrix3d& d_pitch, Eigen::Matrix3d& d_roll) {
  // d/da of AngleAxis(a, n) is [n]x AngleAxis(a, n).
  const Eigen::Matrix3d rz = rot(-yaw, Eigen::Vector3d::UnitZ());
  const Eigen::Matrix3d rx = rot(pitch, Eigen::Vector3d::UnitX());
  const Eigen::Matrix3d ry = rot(roll, Eigen::Vector3d::UnitY());
  const Eigen::Matrix3d r0 = level_north();
  d_yaw = -skew(Eigen::Vector3d::UnitZ()) * rz * rx * ry * r0;
  d_pitch = rz * skew(Eigen::Vector3d::UnitX()) * rx * ry * r0;
  d_roll = rz * rx * skew(Eigen::Vector3d::UnitY()) * ry * r0;
}

CameraPose pose_from_rotation(const Eigen::Matrix3d& enu_from_camera, const Enu& position) {
  CameraPose pose;
  pose.position = position;
  // M = Rz(-yaw) Rx(pitch) Ry(roll). Its second column is the optical axis in ENU.
  const Eigen::Matrix3d m = enu_from_camera * level_north().transpose();
  const Eigen::Vector3d f = m.col(1);
  pose.pitch = std::asin(std::clamp(f.z(), -1.0, 1.0));
  const double horiz = std::hypot(f.x(), f.y());
  if (horiz < 1e-9) {
    // Looking straight up or down: yaw and roll turn about the same axis. Put it all in yaw.
    const Eigen::Vector3d right = m.col(0);
    pose.yaw = std::atan2(-right.y(), right.x());
    pose.roll = 0;
    return pose;
  }
  pose.yaw = std::atan2(f.x(), f.y());
  // Ry(roll) = Rx(-pitch) Rz(yaw) M; Ry = [[c, 0, s], [0, 1, 0], [-s, 0, c]].
  const Eigen::Matrix3d ry =
      rot(-pose.pitch, Eigen::Vector3d::UnitX()) * rot(pose.yaw, Eigen::Vector3d::UnitZ()) * m;
  pose.roll = std::atan2(ry(0, 2), ry(0, 0));
  return pose;
}

CameraModel::CameraModel()
    : r_(camera_rotation(0, 0, 0)), max_r2_(std::numeric_limits<double>::infinity()) {}

CameraModel::CameraModel(const CameraIntrinsics& intrinsics, const CameraPose& pose)
    : k_(intrinsics),
      pose_(pose),
      r_(camera_rotation(pose.yaw, pose.pitch, pose.roll)),
      max_r2_(monotonic_limit(intrinsics)) {}

Eigen::Vector3d CameraModel::to_camera(const Enu& p) const {
  return r_.transpose() * (p - pose_.position);
}

Eigen::Vector2d CameraModel::distort(const Eigen::Vector2d& xy, Eigen::Matrix2d* jacobian) const {
  const double x = xy.x();
  const double y = xy.y();
  const double r2 = x * x + y * y;
  const double radial = 1 + r2 * (k_.k1 + r2 * (k_.k2 + r2 * k_.k3));
  const double xd = x * radial + 2 * k_.p1 * x * y + k_.p2 * (r2 + 2 * x * x);
  const double yd = y * radial + k_.p1 * (r2 + 2 * y * y) + 2 * k_.p2 * x * y;
  if (jacobian) {
    const double d_radial_d_r2 = k_.k1 + r2 * (2 * k_.k2 + 3 * k_.k3 * r2);
    const double dr_dx = d_radial_d_r2 * 2 * x;
    const double dr_dy = d_radial_d_r2 * 2 * y;
    auto& j = *jacobian;
    j(0, 0) = radial + x * dr_dx + 2 * k_.p1 * y + 6 * k_.p2 * x;
    j(0, 1) = x * dr_dy + 2 * k_.p1 * x + 2 * k_.p2 * y;
    j(1, 0) = y * dr_dx + 2 * k_.p1 * x + 2 * k_.p2 * y;
    j(1, 1) = radial + y * dr_dy + 6 * k_.p1 * y + 2 * k_.p2 * x;
  }
  return {xd, yd};
}

std::optional<Eigen::Vector2d> CameraModel::project(const Enu& p, PixelPointJacobian* d_point,
                                                    PixelPoseJacobian* d_pose) const {
  const Eigen::Vector3d c = to_camera(p);
  if (c.z() < kMinDepth) return std::nullopt;
  const Eigen::Vector2d xy(c.x() / c.z(), c.y() / c.z());
  if (xy.squaredNorm() > max_r2_) return std::nullopt;
  Eigen::Matrix2d j_dist;
  const Eigen::Vector2d xyd = distort(xy, d_point || d_pose ? &j_dist : nullptr);
  const Eigen::Vector2d pixel(k_.fx * xyd.x() + k_.cx, k_.fy * xyd.y() + k_.cy);
  if (d_point || d_pose) {
    // pixel <- distorted <- normalised <- camera frame <- (point, pose)
    Eigen::Matrix<double, 2, 3> d_norm_d_cam;
    d_norm_d_cam << 1 / c.z(), 0, -c.x() / (c.z() * c.z()),  //
        0, 1 / c.z(), -c.y() / (c.z() * c.z());
    const Eigen::Matrix2d d_pix_d_dist = Eigen::Vector2d(k_.fx, k_.fy).asDiagonal();
    const Eigen::Matrix<double, 2, 3> d_pix_d_cam = d_pix_d_dist * j_dist * d_norm_d_cam;
    const Eigen::Matrix<double, 2, 3> d_pix_d_p = d_pix_d_cam * r_.transpose();
    if (d_point) *d_point = d_pix_d_p;
    if (d_pose) {
      d_pose->leftCols<3>() = -d_pix_d_p;
      Eigen::Matrix3d dy, dp, dr;
      camera_rotation_derivatives(pose_.yaw, pose_.pitch, pose_.roll, dy, dp, dr);
      const Eigen::Vector3d rel = p - pose_.position;
      d_pose->col(3) = d_pix_d_cam * (dy.transpose() * rel);
      d_pose->col(4) = d_pix_d_cam * (dp.transpose() * rel);
      d_pose->col(5) = d_pix_d_cam * (dr.transpose() * rel);
    }
  }
  return pixel;
}

bool CameraModel::in_image(const Eigen::Vector2d& pixel, double margin) const {
  return pixel.x() >= -0.5 + margin && pixel.y() >= -0.5 + margin &&
         pixel.x() <= k_.width - 0.5 - margin && pixel.y() <= k_.height - 0.5 - margin;
}

std::optional<Eigen::Vector2d> CameraModel::undistort(const Eigen::Vector2d& pixel) const {
  const Eigen::Vector2d target((pixel.x() - k_.cx) / k_.fx, (pixel.y() - k_.cy) / k_.fy);
  if (!k_.has_distortion()) return target;
  // Newton's method on distort(xy) = target, from the distorted point itself.
  Eigen::Vector2d xy = target;
  for (int iter = 0; iter < 50; ++iter) {
    Eigen::Matrix2d j;
    const Eigen::Vector2d residual = distort(xy, &j) - target;
    if (residual.norm() < 1e-12) {
      if (xy.squaredNorm() > max_r2_) return std::nullopt;
      return xy;
    }
    const double det = j.determinant();
    if (!std::isfinite(det) || std::abs(det) < 1e-12) return std::nullopt;
    xy -= j.inverse() * residual;
    if (!xy.allFinite() || xy.norm() > 1e3) return std::nullopt;
  }
  // Converged slowly: accept a residual below a thousandth of a pixel.
  const Eigen::Vector2d residual = distort(xy) - target;
  if (xy.squaredNorm() <= max_r2_ && std::abs(residual.x() * k_.fx) < 1e-3 &&
      std::abs(residual.y() * k_.fy) < 1e-3) {
    return xy;
  }
  return std::nullopt;
}

std::optional<Ray> CameraModel::ray(const Eigen::Vector2d& pixel,
                                    Eigen::Matrix<double, 3, 2>* d_direction) const {
  const auto xy = undistort(pixel);
  if (!xy) return std::nullopt;
  const Eigen::Vector3d v = r_ * Eigen::Vector3d(xy->x(), xy->y(), 1.0);
  const double norm = v.norm();
  Ray ray;
  ray.origin = pose_.position;
  ray.direction = v / norm;
  if (d_direction) {
    // d dir / d pixel = d normalise(v) / dv * R * d(x, y, 1) / d(x, y) * d(x, y) / d pixel,
    // where d(x, y) / d pixel inverts d pixel / d(x, y) = diag(fx, fy) * J_distortion.
    Eigen::Matrix2d j_dist;
    distort(*xy, &j_dist);
    const Eigen::Matrix2d d_pix_d_xy = Eigen::Vector2d(k_.fx, k_.fy).asDiagonal() * j_dist;
    const Eigen::Matrix2d d_xy_d_pix = d_pix_d_xy.inverse();
    const Eigen::Matrix3d d_norm =
        (Eigen::Matrix3d::Identity() - ray.direction * ray.direction.transpose()) / norm;
    *d_direction = d_norm * r_.leftCols<2>() * d_xy_d_pix;
  }
  return ray;
}

}  // namespace picket

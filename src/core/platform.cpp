#include "picket/core/platform.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

namespace picket {

namespace {

Eigen::Matrix3d rot_x(double a) {
  return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitX()).toRotationMatrix();
}
Eigen::Matrix3d rot_y(double a) {
  return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitY()).toRotationMatrix();
}
Eigen::Matrix3d rot_z(double a) {
  return Eigen::AngleAxisd(a, Eigen::Vector3d::UnitZ()).toRotationMatrix();
}

// NED -> ENU: (n, e, d) -> (e, n, -d).
const Eigen::Matrix3d& ned_to_enu() {
  static const Eigen::Matrix3d m = (Eigen::Matrix3d() << 0, 1, 0, 1, 0, 0, 0, 0, -1).finished();
  return m;
}

// Camera axes in the gimbal frame: camera z = gimbal x (boresight), camera x = gimbal y (right),
// camera y = gimbal z (down).
const Eigen::Matrix3d& camera_to_gimbal() {
  static const Eigen::Matrix3d m = (Eigen::Matrix3d() << 0, 0, 1, 1, 0, 0, 0, 1, 0).finished();
  return m;
}

}  // namespace

Eigen::Matrix3d body_to_enu(const Attitude& a) {
  return ned_to_enu() * rot_z(a.yaw) * rot_y(a.pitch) * rot_x(a.roll);
}

Eigen::Matrix3d camera_to_body(const Gimbal& g) {
  // Pan turns about body z (down): positive pan turns the boresight to the right. Tilt about
  // the panned y axis (right): a positive rotation about y lifts x towards -z, i.e. up.
  return rot_z(g.pan) * rot_y(g.tilt) * camera_to_gimbal();
}

Eigen::Matrix3d camera_to_enu(const Attitude& a, const Gimbal& g) {
  return body_to_enu(a) * camera_to_body(g);
}

Attitude attitude_from(const Eigen::Matrix3d& r_enu) {
  const Eigen::Matrix3d r = ned_to_enu().transpose() * r_enu;  // R_ned_body = Rz Ry Rx
  Attitude a;
  a.pitch = std::asin(std::clamp(-r(2, 0), -1.0, 1.0));
  a.roll = std::atan2(r(2, 1), r(2, 2));
  a.yaw = std::atan2(r(1, 0), r(0, 0));
  return a;
}

Gimbal gimbal_towards(const Attitude& a, const Eigen::Vector3d& dir) {
  // The direction in body axes (x forward, y right, z down): pan is its azimuth from the nose,
  // tilt its elevation above the body's x-y plane.
  const Eigen::Vector3d b = body_to_enu(a).transpose() * dir.normalized();
  Gimbal g;
  g.pan = std::atan2(b.y(), b.x());
  g.tilt = std::atan2(-b.z(), std::hypot(b.x(), b.y()));
  return g;
}

}  // namespace picket

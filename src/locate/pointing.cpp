#include "picket/locate/pointing.h"

#include <cmath>

namespace picket::locate {

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

PinholeCamera PinholeCamera::from_fov(int width, int height, double hfov) {
  PinholeCamera c;
  c.width = width;
  c.height = height;
  c.fx = c.fy = 0.5 * width / std::tan(0.5 * hfov);
  c.cx = 0.5 * width;
  c.cy = 0.5 * height;
  return c;
}

Eigen::Matrix3d body_to_enu(const Attitude& a) {
  return ned_to_enu() * rot_z(a.yaw) * rot_y(a.pitch) * rot_x(a.roll);
}

Eigen::Matrix3d camera_to_body(const Gimbal& g) {
  // Pan turns about body z (down): positive pan turns the boresight to the right. Tilt about
  // the panned y axis (right): a positive rotation about y lifts x towards -z, i.e. up.
  return rot_z(g.pan) * rot_y(g.tilt) * camera_to_gimbal();
}

Enu pixel_ray(const Attitude& attitude, const Gimbal& gimbal, const PinholeCamera& cam, double u,
              double v) {
  const Eigen::Vector3d c((u - cam.cx) / cam.fx, (v - cam.cy) / cam.fy, 1.0);
  return (body_to_enu(attitude) * camera_to_body(gimbal) * c).normalized();
}

std::optional<Eigen::Vector2d> project(const Enu& position, const Attitude& attitude,
                                       const Gimbal& gimbal, const PinholeCamera& cam,
                                       const Enu& point) {
  const Eigen::Matrix3d r = body_to_enu(attitude) * camera_to_body(gimbal);
  const Eigen::Vector3d c = r.transpose() * (point - position);
  if (c.z() <= 1e-9) return std::nullopt;
  return Eigen::Vector2d(cam.fx * c.x() / c.z() + cam.cx, cam.fy * c.y() / c.z() + cam.cy);
}

Attitude attitude_from(const Eigen::Matrix3d& r_enu) {
  const Eigen::Matrix3d r = ned_to_enu().transpose() * r_enu;  // R_ned_body = Rz Ry Rx
  Attitude a;
  a.pitch = std::asin(std::clamp(-r(2, 0), -1.0, 1.0));
  a.roll = std::atan2(r(2, 1), r(2, 2));
  a.yaw = std::atan2(r(1, 0), r(0, 0));
  return a;
}

}  // namespace picket::locate

#include "picket/locate/pointing.h"

#include <cmath>

namespace picket::locate {

PinholeCamera PinholeCamera::from_fov(int width, int height, double hfov) {
  PinholeCamera c;
  c.width = width;
  c.height = height;
  c.fx = c.fy = 0.5 * width / std::tan(0.5 * hfov);
  c.cx = 0.5 * width;
  c.cy = 0.5 * height;
  return c;
}

Enu pixel_ray(const Attitude& attitude, const Gimbal& gimbal, const PinholeCamera& cam, double u,
              double v) {
  const Eigen::Vector3d c((u - cam.cx) / cam.fx, (v - cam.cy) / cam.fy, 1.0);
  return (camera_to_enu(attitude, gimbal) * c).normalized();
}

std::optional<Eigen::Vector2d> project(const Enu& position, const Attitude& attitude,
                                       const Gimbal& gimbal, const PinholeCamera& cam,
                                       const Enu& point) {
  const Eigen::Vector3d c = camera_to_enu(attitude, gimbal).transpose() * (point - position);
  if (c.z() <= 1e-9) return std::nullopt;
  return Eigen::Vector2d(cam.fx * c.x() / c.z() + cam.cx, cam.fy * c.y() / c.z() + cam.cy);
}

}  // namespace picket::locate

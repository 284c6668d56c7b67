// A pinhole camera on the aerostat's gimbal: a pixel to a ray in the site's ENU frame, and a
// point back to a pixel, through the platform attitude and gimbal chain of core/platform.h.
//
//   pixel   (u, v) from the top-left corner of the image, u to the right, v down; the pinhole
//           model u = fx X/Z + cx, v = fy Y/Z + cy (camera frame: OpenCV axes), no distortion.
//
// The camera model here is the minimum geolocation needs; it is meant to give way to the shared
// camera geometry (core/camera.h, intrinsics with distortion) when that lands, keeping the
// platform and gimbal chain.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <Eigen/Core>
#include <optional>

#include "picket/core/geo.h"
#include "picket/core/platform.h"

namespace picket::locate {

using picket::Attitude;
using picket::attitude_from;
using picket::body_to_enu;
using picket::camera_to_body;
using picket::Gimbal;

struct PinholeCamera {
  int width = 1920;
  int height = 1080;
  double fx = 1000, fy = 1000;  // focal lengths, pixels
  double cx = 960, cy = 540;    // principal point, pixels
  // Square pixels, principal point at the centre, horizontal field of view `hfov` (rad).
  static PinholeCamera from_fov(int width, int height, double hfov);
};

// Unit ray (ENU) through pixel (u, v).
Enu pixel_ray(const Attitude& attitude, const Gimbal& gimbal, const PinholeCamera& camera, double u,
              double v);
// The pixel where an ENU point appears for a camera at `position`; nothing if behind it.
std::optional<Eigen::Vector2d> project(const Enu& position, const Attitude& attitude,
                                       const Gimbal& gimbal, const PinholeCamera& camera,
                                       const Enu& point);

}  // namespace picket::locate

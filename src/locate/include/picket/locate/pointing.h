// Where a gimballed camera on a moving platform (the aerostat) looks: platform attitude, gimbal
// pan and tilt, and a pinhole camera, chained to turn a pixel into a ray in the site's ENU frame
// and a point back into a pixel.
//
// Frames (all right-handed):
//   ENU     the site frame: x east, y north, z up.
//   body    the platform: x forward, y right, z down. Its attitude is yaw (heading, clockwise
//           from true north), pitch (nose up positive) and roll (right side down positive),
//           applied in that order (aerospace z-y-x Tait-Bryan angles): R_ned_body = Rz(yaw)
//           Ry(pitch) Rx(roll), with NED = (north, east, down).
//   gimbal  pan about the body's z axis (positive to the right), then tilt about the panned y
//           axis (positive up; negative looks down). The boresight is the gimbal's x axis.
//   camera  OpenCV convention: z along the boresight, x to the right of the image, y down.
//   pixel   (u, v) from the top-left corner of the image, u to the right, v down; the pinhole
//           model u = fx X/Z + cx, v = fy Y/Z + cy, without lens distortion.
//
// The camera model here is the minimum geolocation needs; it is meant to give way to the shared
// camera geometry (core camera.h) when that exists, keeping the platform and gimbal chain.
//
// Thread-safety: value types and pure functions.
#pragma once

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <optional>

#include "picket/core/geo.h"

namespace picket::locate {

struct Attitude {
  double yaw = 0;    // rad, clockwise from north
  double pitch = 0;  // rad, nose up
  double roll = 0;   // rad, right side down
};

struct Gimbal {
  double pan = 0;   // rad, to the right of the body's nose
  double tilt = 0;  // rad, up (negative: looking down)
};

struct PinholeCamera {
  int width = 1920;
  int height = 1080;
  double fx = 1000, fy = 1000;  // focal lengths, pixels
  double cx = 960, cy = 540;    // principal point, pixels
  // Square pixels, principal point at the centre, horizontal field of view `hfov` (rad).
  static PinholeCamera from_fov(int width, int height, double hfov);
};

// Rotation taking body-frame vectors to ENU.
Eigen::Matrix3d body_to_enu(const Attitude& a);
// Rotation taking camera-frame vectors to body-frame vectors for a gimbal setting.
Eigen::Matrix3d camera_to_body(const Gimbal& g);

// Unit ray (ENU) through pixel (u, v).
Enu pixel_ray(const Attitude& attitude, const Gimbal& gimbal, const PinholeCamera& camera, double u,
              double v);
// The pixel where an ENU point appears for a camera at `position`; nothing if behind it.
std::optional<Eigen::Vector2d> project(const Enu& position, const Attitude& attitude,
                                       const Gimbal& gimbal, const PinholeCamera& camera,
                                       const Enu& point);

// Attitude from a body-to-ENU rotation (inverse of body_to_enu).
Attitude attitude_from(const Eigen::Matrix3d& body_to_enu);

}  // namespace picket::locate

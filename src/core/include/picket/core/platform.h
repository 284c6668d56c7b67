// The orientation chain of a camera on a moving, gimballed platform (the aerostat): platform
// attitude, then gimbal pan and tilt, then the camera's own axes. Shared by the simulator (which
// points the aerostat's camera) and the locate layer (which casts its pixels into the terrain).
//
// Frames (all right-handed):
//   ENU     the site frame: x east, y north, z up (core/geo.h).
//   body    the platform: x forward, y right, z down. Its attitude is yaw (heading, clockwise
//           from true north), pitch (nose up positive) and roll (right side down positive),
//           applied in that order (aerospace z-y-x Tait-Bryan angles): R_ned_body = Rz(yaw)
//           Ry(pitch) Rx(roll), with NED = (north, east, down).
//   gimbal  pan about the body's z axis (positive to the right), then tilt about the panned y
//           axis (positive up; negative looks down). The boresight is the gimbal's x axis.
//   camera  OpenCV's: z along the boresight, x to the right of the image, y down (the camera
//           frame of core/camera.h's pinhole model, where that exists).
//
// Thread-safety: pure functions over values.
#pragma once

#include <Eigen/Core>

namespace picket {

struct Attitude {
  double yaw = 0;    // rad, clockwise from north
  double pitch = 0;  // rad, nose up
  double roll = 0;   // rad, right side down
};

struct Gimbal {
  double pan = 0;   // rad, to the right of the body's nose
  double tilt = 0;  // rad, up (negative: looking down)
};

// Rotation taking body-frame vectors to ENU.
Eigen::Matrix3d body_to_enu(const Attitude& a);
// Rotation taking camera-frame vectors to body-frame vectors for a gimbal setting.
Eigen::Matrix3d camera_to_body(const Gimbal& g);
// Rotation taking camera-frame vectors to ENU: body_to_enu(a) * camera_to_body(g).
Eigen::Matrix3d camera_to_enu(const Attitude& a, const Gimbal& g);
// Attitude from a body-to-ENU rotation (inverse of body_to_enu; at pitch ±90° roll is 0).
Attitude attitude_from(const Eigen::Matrix3d& body_to_enu);
// The gimbal setting that points the boresight along the ENU unit vector `dir` from a platform
// with attitude `a` (the camera's roll about the boresight follows from pan and tilt).
Gimbal gimbal_towards(const Attitude& a, const Eigen::Vector3d& dir);

}  // namespace picket

// Placing what a camera sees on the ground: the ray through a detection's foot point (the middle
// of its box's bottom edge) is intersected with the ground, flat at a height or the terrain of a
// DEM given as a height function, and the position's covariance is propagated to first order
// from the pixel noise of the foot point, the uncertainty of the camera's pose and of the ground
// height.
//
// Covariance. Let g = (east, north) be the ground point, z = h(g) the ground height and
// J = d pixel / d g = P_xy + P_z grad(h)^T, where P = d pixel / d(point) is the projection's
// Jacobian at the ground point. By the implicit function theorem (pixel(g(theta), theta) =
// observed pixel), a pose error d theta moves g by -J^-1 (d pixel / d theta) d theta, and a
// ground height error dz by -J^-1 P_z dz. So
//
//   cov(g) = J^-1 (S_pixel + Q S_pose Q^T + P_z s_h^2 P_z^T) J^-T,   Q = d pixel / d pose.
//
// J shrinks as the ray grazes the ground (a pixel spans more ground further away and at lower
// angles), so the covariance grows with range and with grazing angle without a separate rule.
//
// Thread-safety: pure functions; a GroundSurface's terrain function must be safe to call from
// the threads that use it.
#pragma once

#include <Eigen/Core>
#include <functional>
#include <optional>

#include "picket/core/camera.h"
#include "picket/core/result.h"

namespace picket::video {

// The ground under a camera's view.
struct GroundSurface {
  double height_m = 0;  // flat ground: its ENU up (m above the site origin's tangent plane)
  // Terrain (a DEM): the ground's ENU up at (east, north), nothing where unknown. When set it is
  // used instead of height_m.
  std::function<std::optional<double>(double east, double north)> terrain;
  double height_sigma_m = 0;  // standard deviation of the ground height
  double max_range_m = 5000;  // rays that meet no ground within this range are not placed
};

// Standard deviations of a camera's pose, turned into the 6x6 covariance in the camera model's
// parameter order (east, north, up, yaw, pitch, roll).
struct PoseUncertainty {
  double horizontal_m = 0;  // east and north
  double vertical_m = 0;
  double yaw_rad = 0;
  double pitch_rad = 0;
  double roll_rad = 0;
  Eigen::Matrix<double, kPoseParams, kPoseParams> covariance() const;
};

struct GroundFix {
  Enu point = Enu::Zero();                        // on the ground
  Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();  // of (east, north), m^2
  double range_m = 0;                             // slant distance from the camera
  double grazing_rad = 0;                         // angle between the ray and the ground surface
  // Square root of the larger eigenvalue of `cov`: a one-number sigma that never understates.
  double sigma_max() const;
};

// Places a pixel on the ground. Errors when the ray points above the horizon or meets no ground
// within max_range_m, or the terrain is unknown where it would land.
Result<GroundFix> project_to_ground(const CameraModel& camera, const Eigen::Vector2d& pixel,
                                    const Eigen::Matrix2d& pixel_cov,
                                    const Eigen::Matrix<double, kPoseParams, kPoseParams>& pose_cov,
                                    const GroundSurface& ground);

// The height and width in metres of an upright object whose box (pixels: left, top, width,
// height) stands on the ground at `foot`: the height is where the vertical through the foot
// point reaches the box's top edge; the width is the box width at the foot point's depth.
struct ObjectSize {
  double width_m = 0;
  double height_m = 0;
};
std::optional<ObjectSize> object_size(const CameraModel& camera, const Eigen::Vector4d& box,
                                      const Enu& foot);

}  // namespace picket::video

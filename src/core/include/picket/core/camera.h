// The pinhole camera model with lens distortion: where a point of the site appears in an image,
// and which ray of the site a pixel sees. Used by the video layer (ground projection, slew to
// cue, calibration) and by anything else that looks through a lens (aerostat cameras).
//
// Frames. The camera frame is OpenCV's: x to the right of the image, y down, z along the optical
// axis (forward). The world frame is the site's ENU frame (core/geo.h). The pose is given the way
// people survey a camera: its position, the bearing of the optical axis clockwise from true north
// (yaw), the elevation of the optical axis above the horizontal (pitch, negative looking down),
// and the rotation about the optical axis (roll, positive turns the image's right side down, i.e.
// the camera turns clockwise as seen from behind it). The rotation from camera to ENU is
//
//   R = Rz(-yaw) * Rx(pitch) * Ry(roll) * R0,
//
// where R0 maps the camera frame of a level camera looking north to ENU (x -> east, y -> down,
// z -> north) and Rz, Rx, Ry rotate about the ENU up, east and north axes.
//
// Intrinsics. Focal lengths fx, fy and principal point cx, cy in pixels; lens distortion is the
// Brown-Conrady model with OpenCV's coefficients and meaning (k1, k2, k3 radial; p1, p2
// tangential): for normalised coordinates (x, y) = (X/Z, Y/Z) and r^2 = x^2 + y^2,
//
//   x_d = x (1 + k1 r^2 + k2 r^4 + k3 r^6) + 2 p1 x y + p2 (r^2 + 2 x^2)
//   y_d = y (1 + k1 r^2 + k2 r^4 + k3 r^6) + p1 (r^2 + 2 y^2) + 2 p2 x y
//   u = fx x_d + cx,   v = fy y_d + cy
//
// (D. C. Brown, "Decentering distortion of lenses", Photogrammetric Engineering 32(3), 1966;
// the same model as cv::projectPoints, so OpenCV calibration results can be used as they are.)
// Pixel coordinates are continuous with the centre of the top-left pixel at (0, 0), as in OpenCV.
//
// Jacobians are analytic and exact (tests compare them with finite differences); they let
// callers propagate pixel noise and pose uncertainty to positions to first order. Pose
// parameters are ordered east, north, up (m), yaw, pitch, roll (rad).
//
// Thread-safety: a CameraModel is immutable after construction; every method is const and safe
// from any number of threads.
#pragma once

#include <Eigen/Core>
#include <optional>

#include "picket/core/geo.h"

namespace picket {

struct CameraIntrinsics {
  int width = 1920;  // image size, pixels
  int height = 1080;
  double fx = 1000;  // focal lengths, pixels
  double fy = 1000;
  double cx = 959.5;  // principal point, pixels
  double cy = 539.5;
  double k1 = 0, k2 = 0, p1 = 0, p2 = 0, k3 = 0;  // Brown-Conrady distortion (OpenCV order)

  // Square pixels, principal point at the image centre, no distortion, and the focal length that
  // gives the full horizontal field of view `hfov_rad` (0 < hfov < pi).
  static CameraIntrinsics from_fov(int width, int height, double hfov_rad);
  bool has_distortion() const { return k1 != 0 || k2 != 0 || p1 != 0 || p2 != 0 || k3 != 0; }
  // Full horizontal and vertical fields of view of the undistorted pinhole, radians.
  double hfov() const;
  double vfov() const;
};

struct CameraPose {
  Enu position = Enu::Zero();  // the centre of projection, ENU metres
  double yaw = 0;              // bearing of the optical axis, clockwise from true north, rad
  double pitch = 0;            // elevation of the optical axis above the horizontal, rad
  double roll = 0;             // rotation about the optical axis, rad
};

inline constexpr int kPoseParams = 6;  // east, north, up, yaw, pitch, roll
using PixelPointJacobian = Eigen::Matrix<double, 2, 3>;
using PixelPoseJacobian = Eigen::Matrix<double, 2, kPoseParams>;

// A half-line in the site frame: origin + s * direction for s >= 0; direction has unit length.
struct Ray {
  Enu origin = Enu::Zero();
  Eigen::Vector3d direction = Eigen::Vector3d::UnitY();
};

// The rotation from the camera frame to ENU for a pose's angles (see the file comment).
Eigen::Matrix3d camera_rotation(double yaw, double pitch, double roll);
// Its derivatives with respect to yaw, pitch and roll.
void camera_rotation_derivatives(double yaw, double pitch, double roll, Eigen::Matrix3d& d_yaw,
                                 Eigen::Matrix3d& d_pitch, Eigen::Matrix3d& d_roll);
// Yaw, pitch and roll of a rotation from the camera frame to ENU (the inverse of
// camera_rotation). `enu_from_camera` must be a proper rotation. At pitch = +-90 degrees yaw and
// roll are not separable; roll is then taken as 0.
CameraPose pose_from_rotation(const Eigen::Matrix3d& enu_from_camera, const Enu& position);

class CameraModel {
 public:
  CameraModel();
  CameraModel(const CameraIntrinsics& intrinsics, const CameraPose& pose);

  const CameraIntrinsics& intrinsics() const { return k_; }
  const CameraPose& pose() const { return pose_; }
  // Columns: the camera's x (right), y (down) and z (optical axis) axes in ENU.
  const Eigen::Matrix3d& enu_from_camera() const { return r_; }

  // An ENU point in the camera frame (metres; z is the depth along the optical axis).
  Eigen::Vector3d to_camera(const Enu& p) const;

  // Where an ENU point appears in the image (pixels; it may fall outside the image). Nothing
  // when the point is not in front of the camera (depth below 1 mm) or lies beyond the radius
  // where the distortion polynomial stops growing (there a strong barrel model folds back and
  // would put points far outside the field of view into the image). Optionally the Jacobians of
  // the pixel with respect to the point and to the pose parameters.
  std::optional<Eigen::Vector2d> project(const Enu& p, PixelPointJacobian* d_point = nullptr,
                                         PixelPoseJacobian* d_pose = nullptr) const;

  // True when the pixel lies inside the image shrunk by `margin` pixels on each side.
  bool in_image(const Eigen::Vector2d& pixel, double margin = 0) const;

  // Normalised image coordinates -> distorted normalised coordinates, and the 2x2 Jacobian.
  Eigen::Vector2d distort(const Eigen::Vector2d& xy, Eigen::Matrix2d* jacobian = nullptr) const;
  // The undistorted normalised coordinates (X/Z, Y/Z) of a pixel, by Newton iteration on the
  // distortion model. Nothing if the iteration does not converge or converges outside the radius
  // where the distortion model is monotonic.
  std::optional<Eigen::Vector2d> undistort(const Eigen::Vector2d& pixel) const;

  // The ray a pixel sees, and optionally the Jacobian of its direction with respect to the pixel.
  std::optional<Ray> ray(const Eigen::Vector2d& pixel,
                         Eigen::Matrix<double, 3, 2>* d_direction = nullptr) const;

 private:
  CameraIntrinsics k_;
  CameraPose pose_;
  Eigen::Matrix3d r_;
  // Squared normalised radius up to which the radial distortion is monotonic (infinite without
  // distortion).
  double max_r2_;
};

}  // namespace picket

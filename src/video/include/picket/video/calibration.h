// Solving a camera's pose from surveyed ground points: the pixel where each point appears and
// where it is on the site (lat/lon or ENU). Four or more points that do not lie on one line.
//
// Method: candidate poses from OpenCV's solvePnP with SQPnP (G. Terzakis and M. Lourakis, "A
// Consistently Fast and Globally Optimal Solution to the Perspective-n-Point Problem", ECCV 2020)
// and, for (near-)coplanar points, IPPE (T. Collins and A. Bartoli, "Infinitesimal Plane-based
// Pose Estimation", IJCV 2014), plus the pose from the site file when given. Each candidate is
// refined by Levenberg-Marquardt (K. Levenberg 1944, D. Marquardt 1963) on the reprojection error
// in the survey parameters (east, north, up, yaw, pitch, roll) with the camera model's analytic
// Jacobians; the candidate with the smallest error that sees every point in front of it wins.
// The pose covariance is s^2 (J^T J)^-1 with s^2 the residual variance (or the given pixel noise
// when there are too few points to estimate it).
//
// Degenerate input is refused with a message that says what to do: fewer than four points, two
// points at the same place, points on one line (on the ground or in the image), or a solution
// whose residuals show the survey and the pixels disagree.
//
// Thread-safety: pure functions.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "picket/core/camera.h"
#include "picket/core/result.h"

namespace picket::video {

struct SurveyPoint {
  Eigen::Vector2d pixel{0, 0};
  Enu enu = Enu::Zero();
  std::string where;  // "site.yaml:40 cameras.cam-gate.calibration.points[2]" for messages
};

struct PoseSolution {
  CameraPose pose;
  double rms_px = 0;                 // root-mean-square reprojection error
  double max_px = 0;                 // the largest reprojection error
  std::vector<double> residuals_px;  // per point, in input order
  Eigen::Matrix<double, kPoseParams, kPoseParams> covariance =
      Eigen::Matrix<double, kPoseParams, kPoseParams>::Zero();
  int iterations = 0;
};

struct SolveOptions {
  double pixel_sigma = 1.0;        // assumed pixel noise when too few points to estimate it
  double max_rms_px = 20;          // refuse solutions whose RMS reprojection error exceeds this
  double collinear_tolerance = 0;  // m: points closer than this to one line are "on a line";
                                   // 0: 0.2% of the points' extent, at least 5 cm
};

// Solves the pose. `initial`, when given (the site file's position and orientation), is one more
// starting point for the refinement.
Result<PoseSolution> solve_pose(const CameraIntrinsics& intrinsics,
                                const std::vector<SurveyPoint>& points,
                                const CameraPose* initial = nullptr,
                                const SolveOptions& options = {});

}  // namespace picket::video

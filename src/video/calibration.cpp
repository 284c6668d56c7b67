#include "picket/video/calibration.h"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include "picket/core/units.h"

namespace picket::video {

namespace {

using Params = Eigen::Matrix<double, kPoseParams, 1>;

Params to_params(const CameraPose& p) {
  Params q;
  q << p.position.x(), p.position.y(), p.position.z(), p.yaw, p.pitch, p.roll;
  return q;
}

CameraPose from_params(const Params& q) {
  return CameraPose{Enu(q[0], q[1], q[2]), wrap_pi(q[3]), q[4], wrap_pi(q[5])};
}

// Largest distance of the points from their best-fitting line, and (for 3-D points) from their
// best-fitting plane.
template <int D>
void line_and_plane_spread(const std::vector<Eigen::Matrix<double, D, 1>>& pts, double& line,
                           double& plane) {
  Eigen::Matrix<double, D, 1> mean = Eigen::Matrix<double, D, 1>::Zero();
  for (const auto& p : pts)
    mean += p;
  mean /= static_cast<double>(pts.size());
  Eigen::Matrix<double, D, Eigen::Dynamic> centred(D, pts.size());
  for (size_t i = 0; i < pts.size(); ++i)
    centred.col(static_cast<Eigen::Index>(i)) = pts[i] - mean;
  const Eigen::JacobiSVD<Eigen::Matrix<double, D, Eigen::Dynamic>> svd(centred,
                                                                       Eigen::ComputeFullU);
  const auto u = svd.matrixU();
  line = 0;
  plane = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    const auto c = centred.col(static_cast<Eigen::Index>(i));
    const double along = c.dot(u.col(0));
    line = std::max(line, (c - along * u.col(0)).norm());
    if constexpr (D == 3) plane = std::max(plane, std::abs(c.dot(u.col(2))));
  }
}

struct Candidate {
  CameraPose pose;
  double cost = std::numeric_limits<double>::infinity();
  int iterations = 0;
};

// Sum of squared reprojection errors; infinite when a point is behind the camera.
double cost_of(const CameraModel& cam, const std::vector<SurveyPoint>& pts) {
  double c = 0;
  for (const auto& p : pts) {
    const auto px = cam.project(p.enu);
    if (!px) return std::numeric_limits<double>::infinity();
    c += (*px - p.pixel).squaredNorm();
  }
  return c;
}

// Levenberg-Marquardt on the reprojection error, multiplicative damping (Marquardt's scaling by
// the diagonal of J^T J).
Candidate refine(const CameraIntrinsics& k, const std::vector<SurveyPoint>& pts,
                 const CameraPose& start) {
  Candidate best;
  Params q = to_params(start);
  double cost = cost_of(CameraModel(k, from_params(q)), pts);
  if (!std::isfinite(cost)) return best;
  double lambda = 1e-3;
  int iter = 0;
  for (; iter < 200; ++iter) {
    const CameraModel cam(k, from_params(q));
    Eigen::Matrix<double, kPoseParams, kPoseParams> jtj =
        Eigen::Matrix<double, kPoseParams, kPoseParams>::Zero();
    Params jtr = Params::Zero();
    for (const auto& p : pts) {
      PixelPoseJacobian j;
      const auto px = cam.project(p.enu, nullptr, &j);
      if (!px) return best;
      const Eigen::Vector2d r = *px - p.pixel;
      jtj += j.transpose() * j;
      jtr += j.transpose() * r;
    }
    bool improved = false;
    for (int tries = 0; tries < 20 && !improved; ++tries) {
      Eigen::Matrix<double, kPoseParams, kPoseParams> a = jtj;
      for (int d = 0; d < kPoseParams; ++d)
        a(d, d) += lambda * std::max(jtj(d, d), 1e-12);
      const Params step = a.ldlt().solve(-jtr);
      const Params next = q + step;
      const double next_cost = cost_of(CameraModel(k, from_params(next)), pts);
      if (next_cost < cost) {
        const double gain = cost - next_cost;
        q = next;
        cost = next_cost;
        lambda = std::max(lambda / 10, 1e-12);
        improved = true;
        if (gain < 1e-12 * (1 + cost) || step.norm() < 1e-12) iter = 1000;  // converged
      } else {
        lambda *= 10;
      }
    }
    if (!improved) break;
  }
  best.pose = from_params(q);
  best.cost = cost;
  best.iterations = std::min(iter, 200);
  return best;
}

// Candidate poses from OpenCV's PnP solvers. Points are shifted to their centroid for
// conditioning.
std::vector<CameraPose> pnp_candidates(const CameraIntrinsics& k,
                                       const std::vector<SurveyPoint>& pts, bool planar) {
  Enu centroid = Enu::Zero();
  for (const auto& p : pts)
    centroid += p.enu;
  centroid /= static_cast<double>(pts.size());
  std::vector<cv::Point3d> object;
  std::vector<cv::Point2d> image;
  for (const auto& p : pts) {
    const Enu c = p.enu - centroid;
    object.emplace_back(c.x(), c.y(), c.z());
    image.emplace_back(p.pixel.x(), p.pixel.y());
  }
  const cv::Matx33d kmat(k.fx, 0, k.cx, 0, k.fy, k.cy, 0, 0, 1);
  const std::vector<double> dist = {k.k1, k.k2, k.p1, k.p2, k.k3};
  std::vector<CameraPose> out;
  auto add = [&](int method) {
    std::vector<cv::Mat> rvecs, tvecs;
    try {
      cv::solvePnPGeneric(object, image, kmat, dist, rvecs, tvecs, false,
                          static_cast<cv::SolvePnPMethod>(method));
    } catch (const cv::Exception&) {
      return;  // this method cannot handle the configuration; others may
    }
    for (size_t i = 0; i < rvecs.size(); ++i) {
      cv::Matx33d r_cv;
      cv::Rodrigues(rvecs[i], r_cv);
      Eigen::Matrix3d world_to_cam;
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          world_to_cam(a, b) = r_cv(a, b);
      const Eigen::Vector3d t(tvecs[i].at<double>(0), tvecs[i].at<double>(1),
                              tvecs[i].at<double>(2));
      const Eigen::Matrix3d enu_from_cam = world_to_cam.transpose();
      const Enu position = -(enu_from_cam * t) + centroid;
      if (!enu_from_cam.allFinite() || !position.allFinite()) continue;
      out.push_back(pose_from_rotation(enu_from_cam, position));
    }
  };
  add(cv::SOLVEPNP_SQPNP);
  if (planar) add(cv::SOLVEPNP_IPPE);
  if (pts.size() >= 6) add(cv::SOLVEPNP_EPNP);
  return out;
}

}  // namespace

Result<PoseSolution> solve_pose(const CameraIntrinsics& k, const std::vector<SurveyPoint>& pts,
                                const CameraPose* initial, const SolveOptions& options) {
  // Problems of the whole set have no single location; the caller adds the list's.
  auto fail = [&](std::string what) { return Error{"", std::move(what)}; };
  if (pts.size() < 4) {
    return fail(fmt::format(
        "a camera pose needs at least four surveyed ground points ({} given): each a pixel and "
        "where that pixel's spot is on the site",
        pts.size()));
  }
  for (size_t i = 0; i < pts.size(); ++i) {
    if (!pts[i].pixel.allFinite() || !pts[i].enu.allFinite()) {
      return Error{pts[i].where, "not a finite point"};
    }
    for (size_t j = 0; j < i; ++j) {
      if ((pts[i].enu - pts[j].enu).norm() < 0.01) {
        return Error{pts[i].where,
                     fmt::format("is at the same place as point {} (within 1 cm); every surveyed "
                                 "point must be a different spot",
                                 j)};
      }
      if ((pts[i].pixel - pts[j].pixel).norm() < 0.5) {
        return Error{pts[i].where, fmt::format("has the same pixel as point {}", j)};
      }
    }
  }
  std::vector<Eigen::Vector3d> world;
  std::vector<Eigen::Vector2d> pixels;
  for (const auto& p : pts) {
    world.push_back(p.enu);
    pixels.push_back(p.pixel);
  }
  double line_m = 0, plane_m = 0, line_px = 0, unused = 0;
  line_and_plane_spread<3>(world, line_m, plane_m);
  line_and_plane_spread<2>(pixels, line_px, unused);
  double extent = 0;
  for (const auto& a : world)
    for (const auto& b : world)
      extent = std::max(extent, (a - b).norm());
  const double tolerance = options.collinear_tolerance > 0 ? options.collinear_tolerance
                                                           : std::max(0.05, 0.002 * extent);
  if (line_m < tolerance) {
    return fail(fmt::format(
        "the {} surveyed points lie on one line (every point within {:.2f} m of it), which "
        "leaves the camera free to turn about that line; survey points spread across the view, "
        "near and far, left and right",
        pts.size(), line_m));
  }
  if (line_px < 2.0) {
    return fail(fmt::format(
        "the {} points' pixels lie on one line in the image (within {:.1f} px); choose points "
        "spread across the image",
        pts.size(), line_px));
  }

  std::vector<CameraPose> starts = pnp_candidates(k, pts, plane_m < 0.01 * extent);
  if (initial) starts.push_back(*initial);
  Candidate best;
  for (const auto& s : starts) {
    Candidate c = refine(k, pts, s);
    if (c.cost < best.cost) best = c;
  }
  if (!std::isfinite(best.cost)) {
    return fail(
        "no camera pose sees every surveyed point in front of it; check that each pixel "
        "matches its point (and that the intrinsics belong to this camera)");
  }

  PoseSolution sol;
  sol.pose = best.pose;
  sol.iterations = best.iterations;
  const CameraModel cam(k, best.pose);
  Eigen::Matrix<double, kPoseParams, kPoseParams> jtj =
      Eigen::Matrix<double, kPoseParams, kPoseParams>::Zero();
  double ss = 0;
  size_t worst = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    PixelPoseJacobian j;
    const Eigen::Vector2d r = *cam.project(pts[i].enu, nullptr, &j) - pts[i].pixel;
    jtj += j.transpose() * j;
    ss += r.squaredNorm();
    sol.residuals_px.push_back(r.norm());
    if (r.norm() > sol.residuals_px[worst]) worst = i;
  }
  sol.rms_px = std::sqrt(ss / static_cast<double>(pts.size()));
  sol.max_px = sol.residuals_px[worst];
  const int dof = 2 * static_cast<int>(pts.size()) - kPoseParams;
  const double s2 = dof >= 2 ? std::max(ss / dof, 0.01 * options.pixel_sigma * options.pixel_sigma)
                             : options.pixel_sigma * options.pixel_sigma;
  if (sol.rms_px > options.max_rms_px) {
    return fail(fmt::format(
        "the surveyed points and their pixels disagree: RMS reprojection error {:.1f} px "
        "(largest {:.1f} px, at {}); check that each pixel matches its point, the intrinsics "
        "and the lens distortion",
        sol.rms_px, sol.max_px, pts[worst].where.empty() ? "a point" : pts[worst].where));
  }
  Eigen::FullPivLU<Eigen::Matrix<double, kPoseParams, kPoseParams>> lu(jtj);
  if (!lu.isInvertible()) {
    return fail(
        "the surveyed points do not fix the pose (the normal equations are singular); add "
        "points spread across the view");
  }
  sol.covariance = s2 * lu.inverse();
  return sol;
}

}  // namespace picket::video

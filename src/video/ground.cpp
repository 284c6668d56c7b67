#include "picket/video/ground.h"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>

namespace picket::video {

Eigen::Matrix<double, kPoseParams, kPoseParams> PoseUncertainty::covariance() const {
  Eigen::Matrix<double, kPoseParams, 1> sd;
  sd << horizontal_m, horizontal_m, vertical_m, yaw_rad, pitch_rad, roll_rad;
  return sd.cwiseProduct(sd).asDiagonal();
}

double GroundFix::sigma_max() const {
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(cov);
  return std::sqrt(std::max(0.0, es.eigenvalues().maxCoeff()));
}

namespace {

// The ground height at (east, north), or nothing where the terrain is unknown.
std::optional<double> height_at(const GroundSurface& g, double e, double n) {
  if (g.terrain) return g.terrain(e, n);
  return g.height_m;
}

// The ground's slope (d up / d east, d up / d north) by central differences over 1 m.
Eigen::Vector2d gradient_at(const GroundSurface& g, double e, double n) {
  if (!g.terrain) return Eigen::Vector2d::Zero();
  constexpr double h = 1.0;
  const auto ze = g.terrain(e + h, n), zw = g.terrain(e - h, n);
  const auto zn = g.terrain(e, n + h), zs = g.terrain(e, n - h);
  if (!ze || !zw || !zn || !zs) return Eigen::Vector2d::Zero();
  return {(*ze - *zw) / (2 * h), (*zn - *zs) / (2 * h)};
}

}  // namespace

Result<GroundFix> project_to_ground(const CameraModel& camera, const Eigen::Vector2d& pixel,
                                    const Eigen::Matrix2d& pixel_cov,
                                    const Eigen::Matrix<double, kPoseParams, kPoseParams>& pose_cov,
                                    const GroundSurface& ground) {
  const auto where = [&] { return fmt::format("pixel ({:.1f}, {:.1f})", pixel.x(), pixel.y()); };
  const auto ray = camera.ray(pixel);
  if (!ray) return Error{where(), "outside the region the lens distortion model describes"};
  const Enu& o = ray->origin;
  const Eigen::Vector3d& d = ray->direction;

  double s = 0;
  if (!ground.terrain) {
    if (d.z() >= -1e-9) return Error{where(), "looks at or above the horizon"};
    s = (ground.height_m - o.z()) / d.z();
    if (s <= 0) return Error{where(), "the camera is below the ground it should look at"};
    if (s > ground.max_range_m) {
      return Error{where(), fmt::format("meets the ground {:.0f} m away, beyond the {:.0f} m limit",
                                        s, ground.max_range_m)};
    }
  } else {
    // March along the ray until it passes below the terrain, then bisect. Steps grow with range
    // (0.5% of it, 0.5 to 20 m): ridges thinner than a step may be missed.
    auto above = [&](double t) -> std::optional<double> {
      const Enu p = o + t * d;
      const auto z = height_at(ground, p.x(), p.y());
      if (!z) return std::nullopt;
      return p.z() - *z;
    };
    auto f0 = above(0);
    if (!f0) return Error{where(), "the terrain under the camera is unknown"};
    if (*f0 <= 0) return Error{where(), "the camera is below the terrain"};
    double t0 = 0;
    bool hit = false;
    while (t0 < ground.max_range_m) {
      const double t1 = std::min(ground.max_range_m, t0 + std::clamp(0.005 * t0, 0.5, 20.0));
      const auto f1 = above(t1);
      if (!f1) {
        const Enu p = o + t1 * d;
        return Error{where(), fmt::format("the terrain is unknown at ({:.0f}, {:.0f}) where the "
                                          "ray would meet it",
                                          p.x(), p.y())};
      }
      if (*f1 <= 0) {
        double lo = t0, hi = t1;
        for (int i = 0; i < 50; ++i) {
          const double mid = (lo + hi) / 2;
          const auto fm = above(mid);
          if (fm && *fm > 0) {
            lo = mid;
          } else {
            hi = mid;
          }
        }
        s = (lo + hi) / 2;
        hit = true;
        break;
      }
      t0 = t1;
    }
    if (!hit) {
      return Error{where(), fmt::format("meets no ground within {:.0f} m", ground.max_range_m)};
    }
  }

  GroundFix fix;
  fix.point = o + s * d;
  if (ground.terrain) {
    // Put the point exactly on the surface (the bisection leaves it within micrometres).
    if (const auto z = height_at(ground, fix.point.x(), fix.point.y())) fix.point.z() = *z;
  }
  fix.range_m = (fix.point - o).norm();
  const Eigen::Vector2d grad = gradient_at(ground, fix.point.x(), fix.point.y());
  const Eigen::Vector3d normal = Eigen::Vector3d(-grad.x(), -grad.y(), 1).normalized();
  fix.grazing_rad = std::asin(std::clamp(std::abs(d.dot(normal)), 0.0, 1.0));

  PixelPointJacobian p;
  PixelPoseJacobian q;
  if (!camera.project(fix.point, &p, &q)) {
    return Error{where(), "the ground point is not in front of the camera"};
  }
  const Eigen::Matrix2d j = p.leftCols<2>() + p.col(2) * grad.transpose();
  const double det = j.determinant();
  if (!std::isfinite(det) || std::abs(det) < 1e-12) {
    return Error{where(), "the ray grazes the ground too closely to place the point"};
  }
  const Eigen::Matrix2d j_inv = j.inverse();
  const Eigen::Matrix2d s_pix =
      pixel_cov + q * pose_cov * q.transpose() +
      p.col(2) * (ground.height_sigma_m * ground.height_sigma_m) * p.col(2).transpose();
  fix.cov = j_inv * s_pix * j_inv.transpose();
  fix.cov = 0.5 * (fix.cov + fix.cov.transpose());
  return fix;
}

std::optional<ObjectSize> object_size(const CameraModel& camera, const Eigen::Vector4d& box,
                                      const Enu& foot) {
  const double depth = camera.to_camera(foot).z();
  if (depth <= 0) return std::nullopt;
  ObjectSize size;
  size.width_m = box[2] * depth / camera.intrinsics().fx;
  // Newton on v(H) = top for the point H metres above the foot.
  const double top = box[1];
  double h = box[3] * depth / camera.intrinsics().fy;
  for (int i = 0; i < 8; ++i) {
    PixelPointJacobian jp;
    const auto px = camera.project(foot + Enu(0, 0, h), &jp);
    if (!px) return std::nullopt;
    const double dv = jp(1, 2);
    if (std::abs(dv) < 1e-12) break;  // looking straight down: height is not observable
    const double step = (px->y() - top) / dv;
    h -= step;
    if (std::abs(step) < 1e-4) break;
  }
  if (!std::isfinite(h)) return std::nullopt;
  size.height_m = h;
  return size;
}

}  // namespace picket::video

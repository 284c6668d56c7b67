#include "picket/locate/geolocate.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace picket::locate {

std::string_view to_string(FixQuality q) {
  switch (q) {
    case FixQuality::good:
      return "good";
    case FixQuality::degraded:
      return "degraded";
    case FixQuality::no_pose:
      return "no_pose";
    case FixQuality::no_ground:
      return "no_ground";
  }
  return "?";
}

namespace {

constexpr int kN = 11;  // error sources
using ErrorVector = Eigen::Matrix<double, kN, 1>;

// The ground point for the pose, gimbal and pixel perturbed by `e` (in units of the sources'
// own scales: metres, radians, pixels, metres).
std::optional<terrain::RayHit> cast(const PoseSample& pose, const Gimbal& gimbal,
                                    const PinholeCamera& cam, const PixelObservation& px,
                                    const terrain::Terrain& terrain, double max_range,
                                    const ErrorVector& e) {
  const Enu origin = pose.position + e.segment<3>(0);
  const Attitude att{pose.attitude.yaw + e(3), pose.attitude.pitch + e(4),
                     pose.attitude.roll + e(5)};
  const Gimbal g{gimbal.pan + e(6), gimbal.tilt + e(7)};
  const Enu ray = pixel_ray(att, g, cam, px.u + e(8), px.v + e(9));
  return terrain.cast_ray(origin, ray, max_range, e(10));
}

}  // namespace

GroundFix geolocate(const PoseSample& pose, const Gimbal& gimbal, const PinholeCamera& camera,
                    const PixelObservation& pixel, const terrain::Terrain& terrain,
                    const GeolocateOptions& options) {
  GroundFix fix;
  const auto nominal =
      cast(pose, gimbal, camera, pixel, terrain, options.max_range_m, ErrorVector::Zero());
  if (!nominal) {
    fix.quality = FixQuality::no_ground;
    fix.message = fmt::format(
        "the ray through pixel ({:.1f}, {:.1f}) does not meet the known "
        "ground within {:.0f} m (above the horizon, or off the DEM)",
        pixel.u, pixel.v, options.max_range_m);
    return fix;
  }
  fix.position = nominal->point;
  fix.slant_range_m = nominal->range;
  // Ground sample distance: the pixel's angular size times the range, stretched by the
  // obliquity of the view.
  {
    const Enu ray = (nominal->point - pose.position).normalized();
    const double ifov = 1.0 / camera.fx;
    const double sin_grazing = std::max(std::abs(ray.z()), 1e-3);
    fix.gsd_m = ifov * nominal->range / sin_grazing;
  }
  ErrorVector sigma;
  sigma << pose.sigma.horizontal_m, pose.sigma.horizontal_m, pose.sigma.vertical_m,
      pose.sigma.attitude_rad, pose.sigma.attitude_rad, pose.sigma.attitude_rad,
      pose.sigma.gimbal_rad, pose.sigma.gimbal_rad, pixel.sigma_px, pixel.sigma_px,
      options.height_sigma_m;
  // Sigma points at ±k sigma; k = sqrt(n) is the unscented transform with kappa = 0.
  bool degraded = false;
  for (double k : {std::sqrt(static_cast<double>(kN)), 1.0}) {
    Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
    bool all = true;
    for (int i = 0; i < kN && all; ++i) {
      if (sigma(i) <= 0) continue;
      for (int sign : {-1, 1}) {
        ErrorVector e = ErrorVector::Zero();
        e(i) = sign * k * sigma(i);
        const auto hit = cast(pose, gimbal, camera, pixel, terrain, options.max_range_m, e);
        if (!hit) {
          all = false;
          break;
        }
        const Enu d = hit->point - nominal->point;
        cov += d * d.transpose() / (2 * k * k);
      }
    }
    if (all) {
      fix.cov = cov;
      break;
    }
    degraded = true;
  }
  if (degraded) {
    if (fix.cov.isZero()) {
      fix.quality = FixQuality::degraded;
      fix.message =
          "grazing view: the rays of the error sigma points miss the ground, so the "
          "uncertainty is unknown";
      fix.cov = Eigen::Matrix3d::Identity() * (nominal->range * nominal->range);
      return fix;
    }
    fix.quality = FixQuality::degraded;
    fix.message = "grazing view: uncertainty linearised at one sigma";
    return fix;
  }
  fix.quality = FixQuality::good;
  return fix;
}

GroundFix geolocate_at(double t, const PoseFeed& feed, const std::optional<Gimbal>& fixed_gimbal,
                       const PinholeCamera& camera, const PixelObservation& pixel,
                       const terrain::Terrain& terrain, const GeolocateOptions& options) {
  const PoseAt p = feed.at(t);
  if (p.quality == PoseQuality::no_pose) {
    GroundFix fix;
    fix.quality = FixQuality::no_pose;
    fix.message = p.message;
    return fix;
  }
  const std::optional<Gimbal> g = p.pose.gimbal ? p.pose.gimbal : fixed_gimbal;
  if (!g) {
    GroundFix fix;
    fix.quality = FixQuality::no_pose;
    fix.message = "no gimbal angles: the feed carries none and none are configured";
    return fix;
  }
  // A zooming camera: the pose's field of view sets the focal length.
  const PinholeCamera cam =
      p.pose.hfov ? PinholeCamera::from_fov(camera.width, camera.height, *p.pose.hfov) : camera;
  GroundFix fix = geolocate(p.pose, *g, cam, pixel, terrain, options);
  if (p.quality != PoseQuality::good &&
      (fix.quality == FixQuality::good || fix.quality == FixQuality::degraded)) {
    fix.quality = FixQuality::degraded;
    fix.message = std::string(to_string(p.quality)) + ": " + p.message +
                  (fix.message.empty() ? "" : "; " + fix.message);
  }
  return fix;
}

std::vector<Enu> footprint(const PoseSample& pose, const Gimbal& gimbal,
                           const PinholeCamera& camera, const terrain::Terrain& terrain,
                           double max_range_m) {
  std::vector<Enu> out;
  const std::array<Eigen::Vector2d, 4> corners{
      Eigen::Vector2d(0, 0), Eigen::Vector2d(camera.width, 0),
      Eigen::Vector2d(camera.width, camera.height), Eigen::Vector2d(0, camera.height)};
  for (const auto& c : corners) {
    const Enu ray = pixel_ray(pose.attitude, gimbal, camera, c.x(), c.y());
    if (auto hit = terrain.cast_ray(pose.position, ray, max_range_m)) out.push_back(hit->point);
  }
  return out;
}

}  // namespace picket::locate

// Geolocation of a pixel seen by the aerostat's camera: the pixel's ray, cast through the
// platform pose (position, attitude, gimbal) into the terrain, with the uncertainty of the
// ground point propagated from the pose, pointing, pixel and terrain-height errors.
//
// Propagation: sigma points of the unscented transform (Julier and Uhlmann, "Unscented filtering
// and nonlinear estimation", Proc. IEEE 92(3), 2004) over the eleven independent error sources
// — platform position (3), attitude (3), gimbal pan and tilt (2), pixel (2), terrain height (1)
// — with kappa = 0: 2n points at ±sqrt(n) sigma, each weighted 1/2n, each cast into the terrain.
// The estimate is the nominal ray's ground point; the covariance is the weighted scatter of the
// sigma points' ground points about it. Where a sigma point's ray misses the ground (grazing
// views), the points are drawn in to ±1 sigma (a central-difference linearisation) and the fix is
// marked degraded.
//
// Thread-safety: pure functions.
#pragma once

#include <Eigen/Core>
#include <string>

#include "picket/locate/pointing.h"
#include "picket/locate/pose_feed.h"
#include "picket/terrain/terrain.h"

namespace picket::locate {

struct PixelObservation {
  double u = 0, v = 0;    // pixel
  double sigma_px = 1.0;  // pixel measurement error (1 sigma, each axis)
};

enum class FixQuality : std::uint8_t {
  good,
  degraded,   // pose degraded (gap, jump, extrapolated) or grazing view: see message
  no_pose,    // no pose at the time
  no_ground,  // the ray does not meet the known terrain within range
};
std::string_view to_string(FixQuality q);

struct GroundFix {
  FixQuality quality = FixQuality::no_ground;
  Enu position = Enu::Zero();
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();  // ENU, m²
  double slant_range_m = 0;
  double gsd_m = 0;  // ground sample distance along the ray at that range (pixel footprint)
  std::string message;
};

struct GeolocateOptions {
  double height_sigma_m = 5;   // DEM vertical error (1 sigma)
  double max_range_m = 20000;  // ray-casting limit
};

// Geolocates one pixel from a known pose (with its sigmas) and gimbal setting.
GroundFix geolocate(const PoseSample& pose, const Gimbal& gimbal, const PinholeCamera& camera,
                    const PixelObservation& pixel, const terrain::Terrain& terrain,
                    const GeolocateOptions& options);

// Geolocates a pixel at time t, taking the pose and gimbal from the feed (the feed's gimbal, or
// `fixed_gimbal` when the feed carries none). When the pose gives the camera's field of view
// (zoom), it replaces `camera`'s focal length (square pixels, centred principal point). A
// degraded pose gives a degraded fix, never a silent one.
GroundFix geolocate_at(double t, const PoseFeed& feed, const std::optional<Gimbal>& fixed_gimbal,
                       const PinholeCamera& camera, const PixelObservation& pixel,
                       const terrain::Terrain& terrain, const GeolocateOptions& options);

// The camera's footprint on the ground: where the four image corners' rays (and the centre's)
// meet the terrain; corners whose rays miss are left out.
std::vector<Enu> footprint(const PoseSample& pose, const Gimbal& gimbal,
                           const PinholeCamera& camera, const terrain::Terrain& terrain,
                           double max_range_m = 20000);

}  // namespace picket::locate

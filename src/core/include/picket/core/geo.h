// The site's local frame: east-north-up (ENU) metres about a geodetic origin on the WGS84
// ellipsoid. Conversions are exact (GeographicLib's LocalCartesian, which goes through
// earth-centred coordinates), not a flat-earth approximation, so they hold to millimetres tens
// of kilometres from the origin.
//
// Thread-safety: a LocalFrame is immutable after construction; all methods are const and safe to
// call from any thread.
#pragma once

#include <Eigen/Core>
#include <memory>

namespace picket {

// A point on (or above) the WGS84 ellipsoid. Degrees and metres above the ellipsoid.
struct Geodetic {
  double lat_deg = 0;
  double lon_deg = 0;
  double alt_m = 0;
};

// East, north, up in metres.
using Enu = Eigen::Vector3d;

class LocalFrame {
 public:
  LocalFrame();  // origin at 0,0,0
  explicit LocalFrame(const Geodetic& origin);
  ~LocalFrame();
  LocalFrame(const LocalFrame&);
  LocalFrame& operator=(const LocalFrame&);

  const Geodetic& origin() const { return origin_; }
  Enu to_enu(const Geodetic& p) const;
  Geodetic to_geodetic(const Enu& p) const;

 private:
  struct Impl;
  Geodetic origin_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace picket

#include <gtest/gtest.h>
#include <GeographicLib/Geocentric.hpp>
#include <GeographicLib/Geodesic.hpp>

#include <cmath>
#include <random>

#include "picket/core/geo.h"
#include "picket/core/units.h"

namespace picket {
namespace {

// ENU by hand from earth-centred coordinates: the textbook rotation (e.g. Hofmann-Wellenhof,
// GNSS, eq. 10.26), independent of LocalCartesian.
Enu enu_by_hand(const Geodetic& origin, const Geodetic& p) {
  const auto& earth = GeographicLib::Geocentric::WGS84();
  double x0, y0, z0, x, y, z;
  earth.Forward(origin.lat_deg, origin.lon_deg, origin.alt_m, x0, y0, z0);
  earth.Forward(p.lat_deg, p.lon_deg, p.alt_m, x, y, z);
  const double dx = x - x0, dy = y - y0, dz = z - z0;
  const double lat = deg2rad(origin.lat_deg), lon = deg2rad(origin.lon_deg);
  const double e = -std::sin(lon) * dx + std::cos(lon) * dy;
  const double n =
      -std::sin(lat) * std::cos(lon) * dx - std::sin(lat) * std::sin(lon) * dy + std::cos(lat) * dz;
  const double u =
      std::cos(lat) * std::cos(lon) * dx + std::cos(lat) * std::sin(lon) * dy + std::sin(lat) * dz;
  return {e, n, u};
}

TEST(LocalFrame, OriginMapsToZero) {
  const LocalFrame f({51.5, -0.12, 30});
  EXPECT_LT(f.to_enu({51.5, -0.12, 30}).norm(), 1e-9);
}

TEST(LocalFrame, RoundTripsToMillimetresOver50Km) {
  const auto& geod = GeographicLib::Geodesic::WGS84();
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> lat(-70, 70), lon(-180, 180), az(-180, 180),
      dist(0, 50'000), alt(-100, 3000);
  for (int i = 0; i < 2000; ++i) {
    const Geodetic origin{lat(rng), lon(rng), alt(rng)};
    const LocalFrame frame(origin);
    Geodetic p;
    geod.Direct(origin.lat_deg, origin.lon_deg, az(rng), dist(rng), p.lat_deg, p.lon_deg);
    p.alt_m = alt(rng);
    const Enu enu = frame.to_enu(p);
    const Enu expected = enu_by_hand(origin, p);
    ASSERT_LT((enu - expected).norm(), 1e-3) << "point " << i;
    const Geodetic back = frame.to_geodetic(enu);
    double s12 = 0;
    geod.Inverse(p.lat_deg, p.lon_deg, back.lat_deg, back.lon_deg, s12);
    ASSERT_LT(s12, 1e-3) << "point " << i;
    ASSERT_NEAR(back.alt_m, p.alt_m, 1e-3);
  }
}

TEST(LocalFrame, EastIsEastAndNorthIsNorth) {
  const LocalFrame f({45, 7, 0});
  const Enu north = f.to_enu({45.01, 7, 0});
  const Enu east = f.to_enu({45, 7.01, 0});
  EXPECT_NEAR(north.x(), 0, 1e-6);
  EXPECT_NEAR(north.y(), 1111.5, 1.0);  // one hundredth of a degree of latitude at 45 N
  // 0.01 degree of longitude is N cos(lat) pi / 18000 = 788.47 m; the point lies 4.9 cm "north"
  // of the tangent plane's east axis because the parallel curves towards the pole (x^2 tan(lat)
  // / 2N).
  EXPECT_NEAR(east.x(), 788.47, 0.01);
  EXPECT_NEAR(east.y(), 0.0487, 0.001);
}

}  // namespace
}  // namespace picket

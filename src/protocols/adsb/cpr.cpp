#include "picket/protocols/adsb/cpr.h"

#include <cmath>

namespace picket::adsb {

namespace {

constexpr double kNz = 15;
constexpr double kScale = 131072.0;  // 2^17

// Modulo with a non-negative result (Doc 9871: MOD(x, y) = x - y * floor(x / y)).
double mod(double x, double y) {
  return x - y * std::floor(x / y);
}

double wrap_lon(double lon) {
  lon = mod(lon + 180.0, 360.0) - 180.0;
  return lon;
}

// Global decoding shared by airborne (span 360) and surface (span 90) messages.
// For surface messages (span 90) `ref` picks the hemisphere: the northern solution or the one
// 90 degrees south of it, whichever is nearer the reference.
std::optional<LatLon> global(std::uint32_t elat, std::uint32_t elon, std::uint32_t olat,
                             std::uint32_t olon, bool odd_newer, double span,
                             const LatLon* ref = nullptr) {
  const double lat_e = elat / kScale, lon_e = elon / kScale;
  const double lat_o = olat / kScale, lon_o = olon / kScale;
  const double dlat_e = span / (4 * kNz), dlat_o = span / (4 * kNz - 1);
  const double j = std::floor(59 * lat_e - 60 * lat_o + 0.5);
  double rlat_e = dlat_e * (mod(j, 60) + lat_e);
  double rlat_o = dlat_o * (mod(j, 59) + lat_o);
  if (span == 360.0) {
    if (rlat_e >= 270) rlat_e -= 360;
    if (rlat_o >= 270) rlat_o -= 360;
  } else if (ref != nullptr) {
    if (std::abs(rlat_e - 90 - ref->lat) < std::abs(rlat_e - ref->lat)) rlat_e -= 90;
    if (std::abs(rlat_o - 90 - ref->lat) < std::abs(rlat_o - ref->lat)) rlat_o -= 90;
  }
  if (std::abs(rlat_e) > 90 || std::abs(rlat_o) > 90) return std::nullopt;
  const int nl = cpr_nl(rlat_e);
  if (nl != cpr_nl(rlat_o)) return std::nullopt;  // the pair straddles a zone boundary
  const double lat = odd_newer ? rlat_o : rlat_e;
  const int ni = std::max(odd_newer ? nl - 1 : nl, 1);
  const double m = std::floor(lon_e * (nl - 1) - lon_o * nl + 0.5);
  const double lon = (span / ni) * (mod(m, ni) + (odd_newer ? lon_o : lon_e));
  return LatLon{lat, lon};
}

LatLon local(std::uint32_t lat_cpr, std::uint32_t lon_cpr, bool odd, LatLon ref, double span) {
  const double yz = lat_cpr / kScale, xz = lon_cpr / kScale;
  const double dlat = span / (4 * kNz - (odd ? 1 : 0));
  const double j = std::floor(ref.lat / dlat) + std::floor(0.5 + mod(ref.lat, dlat) / dlat - yz);
  const double lat = dlat * (j + yz);
  const int ni = cpr_nl(lat) - (odd ? 1 : 0);
  const double dlon = ni > 0 ? span / ni : span;
  const double m = std::floor(ref.lon / dlon) + std::floor(0.5 + mod(ref.lon, dlon) / dlon - xz);
  return LatLon{lat, wrap_lon(dlon * (m + xz))};
}

}  // namespace

int cpr_nl(double lat) {
  lat = std::abs(lat);
  if (lat == 0) return 59;
  if (lat == 87) return 2;
  if (lat > 87) return 1;
  const double a = 1 - std::cos(M_PI / (2 * kNz));
  const double c = std::cos(M_PI / 180.0 * lat);
  return static_cast<int>(std::floor(2 * M_PI / std::acos(1 - a / (c * c))));
}

std::optional<LatLon> cpr_airborne_global(std::uint32_t even_lat, std::uint32_t even_lon,
                                          std::uint32_t odd_lat, std::uint32_t odd_lon,
                                          bool odd_newer) {
  auto p = global(even_lat, even_lon, odd_lat, odd_lon, odd_newer, 360.0);
  if (p) p->lon = wrap_lon(p->lon);
  return p;
}

LatLon cpr_airborne_local(std::uint32_t lat_cpr, std::uint32_t lon_cpr, bool odd, LatLon ref) {
  return local(lat_cpr, lon_cpr, odd, ref, 360.0);
}

std::optional<LatLon> cpr_surface_global(std::uint32_t even_lat, std::uint32_t even_lon,
                                         std::uint32_t odd_lat, std::uint32_t odd_lon,
                                         bool odd_newer, LatLon ref) {
  auto p = global(even_lat, even_lon, odd_lat, odd_lon, odd_newer, 90.0, &ref);
  if (!p) return p;
  // Longitude: one of four solutions 90 degrees apart; the closest to the reference.
  double best = p->lon, best_d = 1e9;
  for (int k = 0; k < 4; ++k) {
    const double lon = wrap_lon(p->lon + 90.0 * k);
    const double d = std::abs(wrap_lon(lon - ref.lon));
    if (d < best_d) {
      best_d = d;
      best = lon;
    }
  }
  return LatLon{p->lat, best};
}

LatLon cpr_surface_local(std::uint32_t lat_cpr, std::uint32_t lon_cpr, bool odd, LatLon ref) {
  return local(lat_cpr, lon_cpr, odd, ref, 90.0);
}

}  // namespace picket::adsb

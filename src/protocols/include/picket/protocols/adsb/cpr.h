// Compact Position Reporting (CPR): the 17-bit latitude and longitude of ADS-B position
// messages, decoded globally from an even/odd pair or locally against a reference position.
//
// The algorithm is that of ICAO Doc 9871 (Technical Provisions for Mode S Services and
// Extended Squitter), Appendix C / RTCA DO-260B §A.1.7, as explained in J. Sun, "The 1090
// Megahertz Riddle" (2021), chapter "Airborne position" and "Surface position": NZ = 15
// latitude zones per hemisphere quarter, NL(lat) longitude zones, airborne cells of 360/60 and
// 360/59 degrees, surface cells a quarter of that (90/60, 90/59).
//
// Global decoding needs an even and an odd message close in time (the caller decides how
// close: 10 s airborne is customary) and fails when the two fall in different NL zones. Surface
// global decoding leaves a 90-degree ambiguity in longitude and a hemisphere ambiguity in
// latitude, resolved by a reference position (the receiver's) within 45 degrees. Local
// decoding is unambiguous within half a cell (about 180 NM airborne, 45 NM surface) of the
// reference.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>

namespace picket::adsb {

struct LatLon {
  double lat = 0;  // degrees
  double lon = 0;  // degrees, -180..180
};

// The number of longitude zones at a latitude, 1..59.
int cpr_nl(double lat_deg);

// Global airborne decoding; `odd_newer` chooses which message's latitude zone the result uses.
std::optional<LatLon> cpr_airborne_global(std::uint32_t even_lat, std::uint32_t even_lon,
                                          std::uint32_t odd_lat, std::uint32_t odd_lon,
                                          bool odd_newer);
// Local airborne decoding against a reference within 180 NM.
LatLon cpr_airborne_local(std::uint32_t lat_cpr, std::uint32_t lon_cpr, bool odd, LatLon ref);

// Global surface decoding; the reference picks the latitude hemisphere and longitude quadrant.
std::optional<LatLon> cpr_surface_global(std::uint32_t even_lat, std::uint32_t even_lon,
                                         std::uint32_t odd_lat, std::uint32_t odd_lon,
                                         bool odd_newer, LatLon ref);
// Local surface decoding against a reference within 45 NM.
LatLon cpr_surface_local(std::uint32_t lat_cpr, std::uint32_t lon_cpr, bool odd, LatLon ref);

}  // namespace picket::adsb

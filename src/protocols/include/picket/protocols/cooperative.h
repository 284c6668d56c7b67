// A detection of a cooperative target (one that announces itself: ADS-B, CAT021): the
// Detection plus the identity and altitudes the report carried, which the core Detection has no
// place for. Shared by the ASTERIX and ADS-B adapters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "picket/core/types.h"

namespace picket::protocols {

struct CooperativeDetection {
  Detection detection;  // GeodeticMeasurement; sensor_track = the address as 6 hex digits
  std::uint32_t icao_address = 0;
  std::optional<std::string> callsign;       // trailing spaces removed
  std::optional<double> geometric_height_m;  // above the WGS84 ellipsoid (GNSS)
  std::optional<double> flight_level;        // barometric, in FL (hundreds of feet)
};

}  // namespace picket::protocols

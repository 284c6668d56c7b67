// From decoded ADS-B to Picket's value types: a position fix of an extended squitter, or an
// SBS-1 line with a position, as a CooperativeDetection (WGS84 position, ICAO address as the
// sensor track, callsign kept). Barometric altitudes (type codes 9-18, SBS altitude) are kept as
// a flight level, not as the measurement's height, which is above the ellipsoid; GNSS heights
// (type codes 20-22) are both. Time comes from the caller: Beast timestamps count from the
// receiver's start, so only the caller knows their epoch.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "picket/protocols/adsb/feeds.h"
#include "picket/protocols/adsb/modes.h"
#include "picket/protocols/adsb/positions.h"
#include "picket/protocols/cooperative.h"

namespace picket::adsb {

using protocols::CooperativeDetection;

// `position` is the message the fix came from (its altitude is used); `callsign` the last one
// the aircraft sent (type codes 1-4), if any.
CooperativeDetection fix_detection(std::uint32_t icao, const Fix& fix,
                                   const AirbornePosition* position, double t,
                                   const std::string& sensor,
                                   const std::optional<std::string>& callsign = {});

// SBS lines with a latitude and longitude (MSG 2 and 3); nothing for the others.
std::optional<CooperativeDetection> sbs_detection(const SbsMessage& m, const std::string& sensor,
                                                  const std::optional<std::string>& callsign = {});

}  // namespace picket::adsb

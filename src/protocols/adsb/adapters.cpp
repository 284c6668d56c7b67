#include "picket/protocols/adsb/adapters.h"

#include <cstdio>

namespace picket::adsb {

namespace {
constexpr double kFoot = 0.3048;

std::string hex6(std::uint32_t icao) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "%06X", icao & 0xFFFFFF);
  return hex;
}

std::optional<std::string> trimmed(const std::optional<std::string>& s) {
  if (!s) return s;
  std::string t = *s;
  while (!t.empty() && (t.back() == ' ' || t.back() == '_'))
    t.pop_back();
  if (t.empty()) return std::nullopt;
  return t;
}
}  // namespace

CooperativeDetection fix_detection(std::uint32_t icao, const Fix& fix,
                                   const AirbornePosition* position, double t,
                                   const std::string& sensor,
                                   const std::optional<std::string>& callsign) {
  CooperativeDetection c;
  c.icao_address = icao;
  c.callsign = trimmed(callsign);
  GeodeticMeasurement g{fix.position.lat, fix.position.lon, std::nullopt};
  if (position && position->altitude_ft) {
    if (position->gnss_altitude) {
      c.geometric_height_m = *position->altitude_ft * kFoot;
      g.alt_m = c.geometric_height_m;
    } else {
      c.flight_level = *position->altitude_ft / 100.0;
    }
  }
  if (fix.surface) g.alt_m.reset();
  c.detection.t = t;
  c.detection.sensor = sensor;
  c.detection.measurement = g;
  c.detection.sensor_track = hex6(icao);
  c.detection.cls = TargetClass::aircraft;
  return c;
}

std::optional<CooperativeDetection> sbs_detection(const SbsMessage& m, const std::string& sensor,
                                                  const std::optional<std::string>& callsign) {
  if (!m.lat || !m.lon || !m.time) return std::nullopt;
  CooperativeDetection c;
  c.icao_address = m.icao;
  c.callsign = trimmed(m.callsign ? m.callsign : callsign);
  if (m.altitude_ft) c.flight_level = *m.altitude_ft / 100.0;
  c.detection.t = *m.time;
  c.detection.sensor = sensor;
  c.detection.measurement = GeodeticMeasurement{*m.lat, *m.lon, std::nullopt};
  c.detection.sensor_track = hex6(m.icao);
  c.detection.cls = TargetClass::aircraft;
  return c;
}

}  // namespace picket::adsb

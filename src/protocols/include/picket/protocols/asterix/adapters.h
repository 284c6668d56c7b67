// From decoded ASTERIX records to Picket's value types, and back: pure functions, no I/O.
//
//  * Time: ASTERIX carries the time of day (seconds since UTC midnight, LSB 1/128 s). A full
//    time needs a reference near it (the capture time of the packet, the previous record's
//    time, or a date the user gives); full_time_from_tod() picks the day that puts the result
//    within 12 hours of the reference, so a stream crosses midnight into the next day. TodClock
//    follows a stream by using each result as the next reference.
//  * CAT048 target reports with a measured polar position (I048/040) become Detections with a
//    PolarMeasurement (range in metres from RHO in NM, bearing in radians from THETA), the
//    radar's sensor id, the radar's track number (I048/161) as the sensor track, and the
//    calculated Doppler speed (I048/120 CAL, when valid) as the radial speed.
//  * CAT010 target reports (message type 1) become Detections: polar (I010/040) when present,
//    else Cartesian relative to the sensor (I010/042, turned into range and bearing so that
//    the measurement stays relative to the sensor), else WGS84 (I010/041, geodetic); the
//    standard deviations of I010/500 become sigma.
//  * CAT021 ADS-B reports become CooperativeDetections: WGS84 position (the high-resolution
//    I021/131 when present), geometric height (I021/140) as the altitude, the ICAO address
//    (I021/080) as the sensor track and with the callsign (I021/170) and flight level kept.
//  * CAT062 and CAT048 encoders' inputs: a system track (TrackState in the site frame) as a
//    CAT062 record, and a polar Detection as a CAT048 plot, for other systems and the simulator.
//
// Templates take any edition's record type: the items they read have the same structure in all
// editions this build knows.
//
// Thread-safety: pure functions; TodClock is a small value owned by one stream.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "picket/core/geo.h"
#include "picket/core/types.h"
#include "picket/protocols/asterix/gen/cat010.h"
#include "picket/protocols/asterix/gen/cat021.h"
#include "picket/protocols/asterix/gen/cat048.h"
#include "picket/protocols/asterix/gen/cat062.h"
#include "picket/protocols/cooperative.h"

namespace picket::asterix {

inline constexpr double kNauticalMile = 1852.0;   // m
inline constexpr double kFoot = 0.3048;           // m
inline constexpr double kKnot = 1852.0 / 3600.0;  // m/s
inline constexpr double kDegree = M_PI / 180.0;

// Unix seconds of `tod` (seconds since UTC midnight) on the day that puts it within 12 h of
// `reference` (Unix seconds).
double full_time_from_tod(double tod, double reference);

// Reconstructs full times along a stream whose time of day runs forward across midnights.
class TodClock {
 public:
  explicit TodClock(double reference) : reference_(reference) {}
  double operator()(double tod) {
    reference_ = full_time_from_tod(tod, reference_);
    return reference_;
  }
  double reference() const { return reference_; }

 private:
  double reference_;
};

using protocols::CooperativeDetection;

// --- CAT048 ---------------------------------------------------------------------------------

template <class R>
std::optional<Detection> cat048_detection(const R& r, const std::string& sensor, TodClock& clock) {
  if (!r.i040 || !r.i140) return std::nullopt;  // no measured polar position, or no time
  Detection d;
  d.t = clock(r.i140->value_s());
  d.sensor = sensor;
  d.measurement = PolarMeasurement{r.i040->rho_nm() * kNauticalMile, r.i040->theta_deg() * kDegree,
                                   std::nullopt};
  if (r.i161) d.sensor_track = std::to_string(r.i161->trn);
  if constexpr (requires { r.i120->cal; }) {
    // I048/120 calculated Doppler speed (D = 0: valid), positive away from the radar.
    if (r.i120 && r.i120->cal && r.i120->cal->d == 0) d.doppler = r.i120->cal->cal_mps();
  }
  return d;  // no class: a plot does not say what the target is
}

// --- CAT010 ---------------------------------------------------------------------------------

template <class R>
std::optional<Detection> cat010_detection(const R& r, const std::string& sensor, TodClock& clock) {
  if (!r.i000 || r.i000->value != 1 || !r.i140) return std::nullopt;  // not a target report
  Detection d;
  d.t = clock(r.i140->value_s());
  d.sensor = sensor;
  if (r.i040) {
    d.measurement = PolarMeasurement{r.i040->rho_m(), r.i040->th_deg() * kDegree, std::nullopt};
  } else if (r.i042) {
    const double x = r.i042->x_m(), y = r.i042->y_m();  // east, north of the sensor
    double bearing = std::atan2(x, y);
    if (bearing < 0) bearing += 2 * M_PI;
    d.measurement = PolarMeasurement{std::hypot(x, y), bearing, std::nullopt};
  } else if (r.i041) {
    d.measurement = GeodeticMeasurement{r.i041->lat_deg(), r.i041->lon_deg(), std::nullopt};
  } else {
    return std::nullopt;
  }
  if (r.i500) {
    // I010/500: standard deviations of X and Y; one sigma for both (their root mean square).
    const double sx = r.i500->devx_m(), sy = r.i500->devy_m();
    d.sigma = std::sqrt((sx * sx + sy * sy) / 2);
  }
  if (r.i161) d.sensor_track = std::to_string(r.i161->trk);
  return d;
}

// --- CAT021 ---------------------------------------------------------------------------------

namespace detail {
template <class R>
std::optional<double> cat021_tod(const R& r) {
  if constexpr (requires { r.i071; }) {
    if (r.i071) return r.i071->value_s();  // time of applicability for position
  }
  if constexpr (requires { r.i073; }) {
    if (r.i073) return r.i073->value_s();  // time of message reception for position
  }
  if constexpr (requires { r.i030; }) {
    if (r.i030) return r.i030->value_s();  // editions 0.x: time of day
  }
  return std::nullopt;
}
}  // namespace detail

template <class R>
std::optional<CooperativeDetection> cat021_detection(const R& r, const std::string& sensor,
                                                     TodClock& clock) {
  const auto tod = detail::cat021_tod(r);
  if (!tod || !r.i080) return std::nullopt;
  GeodeticMeasurement g;
  bool have = false;
  if constexpr (requires { r.i131; }) {
    if (r.i131) {
      g = {r.i131->lat_deg(), r.i131->lon_deg(), std::nullopt};
      have = true;
    }
  }
  if (!have && r.i130) {
    g = {r.i130->lat_deg(), r.i130->lon_deg(), std::nullopt};
    have = true;
  }
  if (!have) return std::nullopt;
  CooperativeDetection c;
  c.icao_address = static_cast<std::uint32_t>(r.i080->value);
  if constexpr (requires { r.i140; }) {
    if (r.i140) c.geometric_height_m = r.i140->value_ft() * kFoot;
  }
  if constexpr (requires { r.i145; }) {
    if (r.i145) c.flight_level = r.i145->value_fl();
  }
  if (r.i170) {
    std::string cs = r.i170->value.text();
    while (!cs.empty() && cs.back() == ' ')
      cs.pop_back();
    c.callsign = cs;
  }
  g.alt_m = c.geometric_height_m;
  Detection& d = c.detection;
  d.t = clock(*tod);
  d.sensor = sensor;
  d.measurement = g;
  char hex[8];
  std::snprintf(hex, sizeof hex, "%06X", c.icao_address);
  d.sensor_track = hex;
  d.cls = TargetClass::aircraft;
  if constexpr (requires { r.i020->value; }) {
    if (r.i020 && r.i020->value == 13) d.cls = TargetClass::drone;  // unmanned aerial vehicle
  }
  return c;
}

// --- Encoding Picket's own data ---------------------------------------------------------------

struct Cat062Options {
  std::uint8_t sac = 0, sic = 0;  // this system's data source identifier
  std::uint8_t service_id = 1;    // I062/015
};

// A system track as a CAT062 1.21 record: I010, I015, I070 (time of track from t), I105 (WGS84
// via the site frame), I100 (x, y in the site frame: the system reference point is the site
// origin), I185 (velocity), I040 (track number: id modulo 65536), I080 (CNF, SIM, TSE on
// deletion), I500 APC (position standard deviations from the covariance), I130 geometric height
// for air tracks.
cat062::ed1_21::Record track_to_cat062(const TrackState& track, const LocalFrame& frame,
                                       const Cat062Options& options);

// A polar detection as a CAT048 1.32 plot: I010, I140, I020 (TYP = single PSR detection),
// I040, I120 (calculated Doppler speed, LSB 1 m/s) when it has a Doppler, and I161 when the
// detection carries a numeric sensor track. Nothing when the
// measurement is not polar or the range does not fit (256 NM).
std::optional<cat048::ed1_32::Record> detection_to_cat048(const Detection& d, std::uint8_t sac,
                                                          std::uint8_t sic);

}  // namespace picket::asterix

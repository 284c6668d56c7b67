#include "picket/protocols/asterix/adapters.h"

#include <algorithm>

namespace picket::asterix {

double full_time_from_tod(double tod, double reference) {
  constexpr double kDay = 86400.0;
  double t = std::floor(reference / kDay) * kDay + tod;
  if (t - reference > kDay / 2) {
    t -= kDay;
  } else if (reference - t > kDay / 2) {
    t += kDay;
  }
  return t;
}

namespace {
double tod_of(double unix_s) {
  const double tod = std::fmod(unix_s, 86400.0);
  return tod < 0 ? tod + 86400.0 : tod;
}
}  // namespace

cat062::ed1_21::Record track_to_cat062(const TrackState& track, const LocalFrame& frame,
                                       const Cat062Options& o) {
  cat062::ed1_21::Record r;
  auto& i010 = r.i010.emplace();
  i010.sac = o.sac;
  i010.sic = o.sic;
  r.i015.emplace().value = o.service_id;
  r.i070.emplace().set_value_s(tod_of(track.t));
  const Geodetic g = frame.to_geodetic(track.position);
  auto& i105 = r.i105.emplace();
  i105.set_lat_deg(g.lat_deg);
  i105.set_lon_deg(g.lon_deg);
  auto& i100 = r.i100.emplace();
  i100.set_x_m(track.position.x());
  i100.set_y_m(track.position.y());
  auto& i185 = r.i185.emplace();
  i185.set_vx_mps(track.velocity.x());
  i185.set_vy_mps(track.velocity.y());
  r.i040.emplace().value = static_cast<std::uint16_t>(track.id & 0xFFFF);
  auto& i080 = r.i080.emplace();
  i080.cnf = track.status == TrackStatus::tentative ? 1 : 0;  // 1: tentative
  i080.tse = track.status == TrackStatus::deleted ? 1 : 0;    // 1: last message of the track
  i080.extents = 2;                                           // CNF in part 1, TSE in part 2
  auto& i500 = r.i500.emplace();
  auto& apc = i500.apc.emplace();
  apc.set_x_m(std::sqrt(std::max(0.0, track.position_cov(0, 0))));
  apc.set_y_m(std::sqrt(std::max(0.0, track.position_cov(1, 1))));
  if (track.air) r.i130.emplace().set_value_ft(g.alt_m / kFoot);
  return r;
}

std::optional<cat048::ed1_32::Record> detection_to_cat048(const Detection& d, std::uint8_t sac,
                                                          std::uint8_t sic) {
  const auto* polar = std::get_if<PolarMeasurement>(&d.measurement);
  if (polar == nullptr) return std::nullopt;
  const double rho_nm = polar->range / kNauticalMile;
  if (!(rho_nm >= 0) || rho_nm >= 256.0) return std::nullopt;
  cat048::ed1_32::Record r;
  auto& i010 = r.i010.emplace();
  i010.sac = sac;
  i010.sic = sic;
  r.i140.emplace().set_value_s(tod_of(d.t));
  auto& i020 = r.i020.emplace();
  i020.typ = 1;  // single PSR detection
  auto& i040 = r.i040.emplace();
  i040.set_rho_nm(rho_nm);
  double deg = std::fmod(polar->bearing / kDegree, 360.0);
  if (deg < 0) deg += 360.0;
  // 360 degrees is code 0; quantize would saturate at 65535 instead.
  i040.theta =
      static_cast<std::uint16_t>(static_cast<long>(std::lround(deg * 65536.0 / 360.0)) & 0xFFFF);
  if (d.sensor_track) {
    char* end = nullptr;
    const long n = std::strtol(d.sensor_track->c_str(), &end, 10);
    if (end != d.sensor_track->c_str() && *end == '\0' && n >= 0 && n < 4096)
      r.i161.emplace().trn = static_cast<std::uint16_t>(n);
  }
  if (d.doppler && std::isfinite(*d.doppler)) {
    auto& cal = r.i120.emplace().cal.emplace();
    cal.d = 0;  // valid
    cal.set_cal_mps(*d.doppler);
  }
  return r;
}

}  // namespace picket::asterix

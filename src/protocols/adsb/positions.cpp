#include "picket/protocols/adsb/positions.h"

#include <cmath>

namespace picket::adsb {

double distance_m(LatLon a, LatLon b) {
  constexpr double kR = 6371008.8;
  const double p1 = a.lat * M_PI / 180, p2 = b.lat * M_PI / 180;
  const double dp = p2 - p1, dl = (b.lon - a.lon) * M_PI / 180;
  const double h = std::sin(dp / 2) * std::sin(dp / 2) +
                   std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2 * kR * std::asin(std::min(1.0, std::sqrt(h)));
}

PositionDecoder::PositionDecoder(PositionOptions options) : o_(options) {}

PositionDecoder::State& PositionDecoder::state(std::uint32_t icao, double t) {
  if (table_.size() >= o_.max_aircraft && table_.find(icao) == table_.end()) {
    for (auto it = table_.begin(); it != table_.end();) {
      it = (t - it->second.seen > o_.forget_after_s) ? table_.erase(it) : std::next(it);
    }
  }
  State& s = table_[icao];
  s.seen = t;
  return s;
}

std::optional<Fix> PositionDecoder::update(std::uint32_t icao, double t, bool odd,
                                           std::uint32_t lat, std::uint32_t lon, bool surface) {
  State& s = state(icao, t);
  Half& h = odd ? s.odd : s.even;
  h = Half{lat, lon, t};
  const Half& other = odd ? s.even : s.odd;
  // Local decoding against this aircraft's own recent position.
  if (s.last && t - s.last_t <= o_.forget_after_s) {
    const LatLon p = surface ? cpr_surface_local(lat, lon, odd, *s.last)
                             : cpr_airborne_local(lat, lon, odd, *s.last);
    if (distance_m(p, *s.last) <= o_.max_jump_m) {
      s.last = p;
      s.last_t = t;
      return Fix{p, false, surface};
    }
    s.last.reset();  // inconsistent: wait for a new global fix
  }
  const double window = surface ? o_.max_surface_pair_age_s : o_.max_pair_age_s;
  if (t - other.t > window || other.t > t) return std::nullopt;
  std::optional<LatLon> p;
  const Half& even = odd ? other : h;
  const Half& oddh = odd ? h : other;
  if (surface) {
    std::optional<LatLon> ref = o_.receiver;
    if (!ref) return std::nullopt;
    p = cpr_surface_global(even.lat, even.lon, oddh.lat, oddh.lon, odd, *ref);
  } else {
    p = cpr_airborne_global(even.lat, even.lon, oddh.lat, oddh.lon, odd);
  }
  if (!p) return std::nullopt;
  if (o_.receiver && distance_m(*p, *o_.receiver) > o_.max_receiver_range_m) return std::nullopt;
  s.last = p;
  s.last_t = t;
  return Fix{*p, true, surface};
}

std::optional<Fix> PositionDecoder::airborne(std::uint32_t icao, double t,
                                             const AirbornePosition& p) {
  return update(icao, t, p.odd, p.lat_cpr, p.lon_cpr, false);
}

std::optional<Fix> PositionDecoder::surface(std::uint32_t icao, double t,
                                            const SurfacePosition& p) {
  return update(icao, t, p.odd, p.lat_cpr, p.lon_cpr, true);
}

}  // namespace picket::adsb

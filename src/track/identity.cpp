#include "picket/track/identity.h"

#include <cmath>

namespace picket::track {

std::optional<std::uint32_t> parse_icao_address(std::string_view hex) {
  if (hex.empty() || hex.size() > 6) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : hex) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    v = v * 16 + static_cast<std::uint32_t>(d);
  }
  return v;
}

CooperativeIdentity::CooperativeIdentity(const Site& site, IdentityParams params)
    : site_(site), params_(params) {}

bool CooperativeIdentity::note(std::uint64_t ref, double t, std::uint32_t icao,
                               std::string_view callsign) {
  if (!std::isfinite(t) || icao > 0xFFFFFF) {
    ++stats_.bad_address;
    return false;
  }
  ++stats_.noted;
  latest_t_ = std::max(latest_t_, t);
  pending_[ref] = {t, icao};
  pending_order_.emplace_back(t, ref);
  if (!callsign.empty()) {
    auto& cs = callsigns_[icao];
    if (cs != callsign) cs.assign(callsign);
  }
  expire_pending(latest_t_);
  return true;
}

bool CooperativeIdentity::note(std::uint64_t ref, const Detection& d, std::string_view callsign) {
  const SensorDef* sensor = site_.find_sensor(d.sensor);
  if (!sensor || sensor->type != SensorType::adsb) {
    ++stats_.not_cooperative;
    return false;
  }
  const auto icao = d.sensor_track ? parse_icao_address(*d.sensor_track) : std::nullopt;
  if (!icao) {
    ++stats_.bad_address;
    return false;
  }
  return note(ref, d.t, *icao, callsign);
}

void CooperativeIdentity::expire_pending(double now) {
  while (!pending_order_.empty() && pending_order_.front().first < now - params_.pending_s) {
    if (pending_.erase(pending_order_.front().second) > 0) ++stats_.pending_dropped;
    pending_order_.pop_front();
  }
}

void CooperativeIdentity::release(std::uint64_t track) {
  auto it = tracks_.find(track);
  if (it == tracks_.end()) return;
  auto o = owner_.find(it->second.icao);
  if (o != owner_.end() && o->second == track) owner_.erase(o);
  tracks_.erase(it);
}

void CooperativeIdentity::apply(TrackState& s) {
  s.icao.reset();
  s.callsign.clear();
  if (s.status == TrackStatus::deleted) {
    release(s.id);
    return;
  }
  if (s.detection != 0) {
    if (auto p = pending_.find(s.detection); p != pending_.end()) {
      ++stats_.confirmed;
      const std::uint32_t icao = p->second.icao;
      const double t = p->second.t;
      pending_.erase(p);  // its entry in pending_order_ expires harmlessly
      // The address leaves any other track that held it.
      if (auto o = owner_.find(icao); o != owner_.end() && o->second != s.id) {
        ++stats_.moves;
        tracks_.erase(o->second);
        owner_.erase(o);
      }
      auto [h, inserted] = tracks_.try_emplace(s.id);
      if (!inserted && h->second.icao != icao) {
        ++stats_.switches;
        if (auto o = owner_.find(h->second.icao); o != owner_.end() && o->second == s.id) {
          owner_.erase(o);
        }
      }
      h->second.icao = icao;
      h->second.last_t = std::max(inserted ? t : h->second.last_t, t);
      owner_[icao] = s.id;
    }
  }
  auto h = tracks_.find(s.id);
  if (h == tracks_.end()) return;
  if (s.t - h->second.last_t > params_.hold_s) {
    ++stats_.expired;
    release(s.id);
    return;
  }
  s.icao = h->second.icao;
  if (auto c = callsigns_.find(h->second.icao); c != callsigns_.end()) s.callsign = c->second;
}

std::optional<std::uint32_t> CooperativeIdentity::icao_of(std::uint64_t track) const {
  auto it = tracks_.find(track);
  if (it == tracks_.end()) return std::nullopt;
  return it->second.icao;
}

}  // namespace picket::track

#include "picket/protocols/adsb/json.h"

#include <fmt/format.h>

#include "picket/protocols/adsb/commb.h"

namespace picket::adsb {

namespace {

using asterix::codec::JsonOut;

template <class T>
void opt(JsonOut& j, const char* key, const std::optional<T>& v) {
  if (!v) return;
  j.key(key);
  if constexpr (std::is_same_v<T, std::string>) {
    j.string(*v);
  } else if constexpr (std::is_same_v<T, bool>) {
    j.boolean(*v);
  } else if constexpr (std::is_integral_v<T>) {
    j.integer(static_cast<std::int64_t>(*v));
  } else {
    j.number(*v);
  }
}

void num(JsonOut& j, const char* key, double v) {
  j.key(key);
  j.number(v);
}

void status_num(JsonOut& j, const char* key, bool status, double v) {
  if (status) num(j, key, v);
}

void commb_json(std::uint64_t mb, int bds, JsonOut& j) {
  j.key("commb");
  j.begin_object();
  switch (bds) {
    case 0x10: {
      const auto r = commb::decode_bds10(mb);
      num(j, "version", r.version);
      j.key("overlay");
      j.boolean(r.overlay);
      break;
    }
    case 0x17: {
      const auto r = commb::decode_bds17(mb);
      j.key("registers");
      j.begin_array();
      for (const auto& s : r.registers)
        j.string(s);
      j.end_array();
      break;
    }
    case 0x20:
      j.key("callsign");
      j.string(commb::decode_bds20(mb).callsign);
      break;
    case 0x40: {
      const auto r = commb::decode_bds40(mb);
      status_num(j, "selected_altitude_mcp_ft", r.mcp_status, r.selected_altitude_mcp_ft);
      status_num(j, "selected_altitude_fms_ft", r.fms_status, r.selected_altitude_fms_ft);
      status_num(j, "baro_setting_mb", r.baro_status, r.baro_setting_mb);
      if (r.mode_status) {
        j.key("vnav");
        j.boolean(r.vnav);
        j.key("alt_hold");
        j.boolean(r.alt_hold);
        j.key("approach");
        j.boolean(r.approach);
      }
      status_num(j, "target_source", r.target_source_status, r.target_source);
      break;
    }
    case 0x44: {
      const auto r = commb::decode_bds44(mb);
      if (r.wind_status) {
        num(j, "wind_speed_kt", r.wind_speed_kt);
        num(j, "wind_direction_deg", r.wind_direction_deg);
      }
      num(j, "temperature_c", r.temperature_c);
      status_num(j, "pressure_hpa", r.pressure_status, r.pressure_hpa);
      status_num(j, "humidity_pct", r.humidity_status, r.humidity_pct);
      break;
    }
    case 0x45: {
      const auto r = commb::decode_bds45(mb);
      opt(j, "turbulence", r.turbulence);
      opt(j, "wind_shear", r.wind_shear);
      opt(j, "microburst", r.microburst);
      opt(j, "icing", r.icing);
      opt(j, "wake_vortex", r.wake_vortex);
      opt(j, "temperature_c", r.temperature_c);
      opt(j, "static_pressure_hpa", r.static_pressure_hpa);
      opt(j, "radio_height_ft", r.radio_height_ft);
      break;
    }
    case 0x50: {
      const auto r = commb::decode_bds50(mb);
      status_num(j, "roll_deg", r.roll_status, r.roll_deg);
      status_num(j, "true_track_deg", r.true_track_status, r.true_track_deg);
      status_num(j, "groundspeed_kt", r.groundspeed_status, r.groundspeed_kt);
      status_num(j, "track_rate_deg_s", r.track_rate_status, r.track_rate_deg_s);
      status_num(j, "true_airspeed_kt", r.true_airspeed_status, r.true_airspeed_kt);
      break;
    }
    case 0x60: {
      const auto r = commb::decode_bds60(mb);
      status_num(j, "magnetic_heading_deg", r.magnetic_heading_status, r.magnetic_heading_deg);
      status_num(j, "indicated_airspeed_kt", r.indicated_airspeed_status, r.indicated_airspeed_kt);
      status_num(j, "mach", r.mach_status, r.mach);
      status_num(j, "baro_vertical_rate_fpm", r.baro_vertical_rate_status,
                 r.baro_vertical_rate_fpm);
      status_num(j, "inertial_vertical_rate_fpm", r.inertial_vertical_rate_status,
                 r.inertial_vertical_rate_fpm);
      break;
    }
    default:
      break;
  }
  j.end_object();
}

}  // namespace

void message_json(const Message& m, JsonOut& j) {
  j.key("df");
  j.integer(static_cast<std::int64_t>(m.df));
  j.key("icao");
  j.hex(m.icao, 6);
  if (m.df == 11 || m.df == 17 || m.df == 18) {
    j.key("crc_ok");
    j.boolean(m.crc_ok);
  }
  opt(j, "capability", m.capability);
  opt(j, "flight_status", m.flight_status);
  opt(j, "altitude_ft", m.altitude_ft);
  opt(j, "squawk", m.squawk);
  opt(j, "tc", m.type_code);
  if (const auto* id = std::get_if<Identification>(&m.es)) {
    j.key("category");
    j.integer(static_cast<std::int64_t>(id->category));
    j.key("callsign");
    j.string(id->callsign);
  } else if (const auto* p = std::get_if<AirbornePosition>(&m.es)) {
    opt(j, p->gnss_altitude ? "gnss_height_ft" : "altitude_ft", p->altitude_ft);
    j.key("cpr");
    j.begin_object();
    j.key("odd");
    j.boolean(p->odd);
    j.key("lat");
    j.integer(static_cast<std::int64_t>(p->lat_cpr));
    j.key("lon");
    j.integer(static_cast<std::int64_t>(p->lon_cpr));
    j.end_object();
  } else if (const auto* s = std::get_if<SurfacePosition>(&m.es)) {
    opt(j, "groundspeed_kt", s->speed_kt);
    opt(j, "track_deg", s->track_deg);
    j.key("cpr");
    j.begin_object();
    j.key("odd");
    j.boolean(s->odd);
    j.key("lat");
    j.integer(static_cast<std::int64_t>(s->lat_cpr));
    j.key("lon");
    j.integer(static_cast<std::int64_t>(s->lon_cpr));
    j.end_object();
  } else if (const auto* v = std::get_if<Velocity>(&m.es)) {
    j.key("velocity_subtype");
    j.integer(static_cast<std::int64_t>(v->subtype));
    opt(j, "groundspeed_kt", v->groundspeed_kt);
    opt(j, "track_deg", v->track_deg);
    opt(j, "airspeed_kt", v->airspeed_kt);
    if (v->airspeed_kt) {
      j.key("airspeed_type");
      j.string(v->true_airspeed ? "TAS" : "IAS");
    }
    opt(j, "heading_deg", v->heading_deg);
    opt(j, "vertical_rate_fpm", v->vertical_rate_fpm);
    if (v->vertical_rate_fpm) {
      j.key("vertical_rate_source");
      j.string(v->vertical_rate_baro ? "baro" : "gnss");
    }
    opt(j, "gnss_minus_baro_ft", v->gnss_minus_baro_ft);
  } else if (const auto* st = std::get_if<AircraftStatus>(&m.es)) {
    if (st->subtype == 1) {
      j.key("emergency");
      j.integer(static_cast<std::int64_t>(st->emergency));
      j.key("squawk");
      j.string(st->squawk);
    }
  } else if (const auto* os = std::get_if<OperationalStatus>(&m.es)) {
    j.key("adsb_version");
    j.integer(static_cast<std::int64_t>(os->version));
    j.key("nac_p");
    j.integer(static_cast<std::int64_t>(os->nac_p));
    j.key("sil");
    j.integer(static_cast<std::int64_t>(os->sil));
  }
  if (m.mb) {
    const auto bds = commb::infer_bds(*m.mb, m.df, m.altitude_ft);
    j.key("bds");
    j.begin_array();
    for (int b : bds)
      j.string(commb::bds_name(b));
    j.end_array();
    if (bds.size() == 1) commb_json(*m.mb, bds[0], j);
  }
}

void sbs_json(const SbsMessage& m, JsonOut& j) {
  j.key("kind");
  j.string(m.kind);
  if (m.kind == "MSG") {
    j.key("type");
    j.integer(static_cast<std::int64_t>(m.transmission_type));
  }
  if (m.kind == "CLK") return;
  j.key("icao");
  j.hex(m.icao, 6);
  opt(j, "time", m.time);
  opt(j, "callsign", m.callsign);
  opt(j, "altitude_ft", m.altitude_ft);
  opt(j, "groundspeed_kt", m.groundspeed_kt);
  opt(j, "track_deg", m.track_deg);
  opt(j, "lat", m.lat);
  opt(j, "lon", m.lon);
  opt(j, "vertical_rate_fpm", m.vertical_rate_fpm);
  opt(j, "squawk", m.squawk);
  opt(j, "alert", m.alert);
  opt(j, "emergency", m.emergency);
  opt(j, "spi", m.spi);
  opt(j, "on_ground", m.on_ground);
}

}  // namespace picket::adsb

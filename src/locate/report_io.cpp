#include "picket/locate/report_io.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "picket/core/units.h"

namespace picket::locate {

namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

Result<json> parse_object(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    try {
      const json again = json::parse(line.begin(), line.end());
      (void)again;
    } catch (const json::parse_error& e) {
      return Error{fmt::format("column {}", e.byte), "invalid JSON"};
    } catch (const json::exception& e) {
      return Error{"", std::string("invalid JSON: ") + e.what()};
    }
    return Error{"", "invalid JSON"};
  }
  if (!j.is_object()) return Error{"", "expected a JSON object"};
  return j;
}

// Optional number in [min, max]; a present non-number or out-of-range value is an Error.
Result<std::optional<double>> opt_number(const json& j, const char* key, double min, double max) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return Error{key, "expected a number"};
  const double v = it->get<double>();
  if (!std::isfinite(v)) return Error{key, "not a finite number"};
  if (v < min || v > max)
    return Error{key, fmt::format("{} is out of range [{}, {}]", v, min, max)};
  return std::optional<double>(v);
}

double r3(double v) {
  return std::round(v * 1000) / 1000;
}

}  // namespace

Result<EventReport> parse_event_report(std::string_view line, const Site& site) {
  auto parsed = parse_object(line);
  if (!parsed) return parsed.error();
  const json& j = *parsed;
  EventReport r;
  PICKET_TRY(t, opt_number(j, "t", 0, 1e11));
  if (!t) return Error{"t", "missing"};
  r.t = *t;
  const auto s = j.find("sensor");
  if (s == j.end() || s->is_null()) return Error{"sensor", "missing"};
  if (!s->is_string()) return Error{"sensor", "expected a string"};
  r.sensor = s->get<std::string>();
  const SensorDef* def = site.find_sensor(r.sensor);
  if (def == nullptr) return Error{"sensor", fmt::format("unknown sensor '{}'", r.sensor)};
  r.signal = def->type == SensorType::acoustic ? Signal::sound : Signal::light;
  if (const auto sig = j.find("signal"); sig != j.end() && !sig->is_null()) {
    if (!sig->is_string()) return Error{"signal", "expected \"sound\" or \"light\""};
    const auto v = sig->get<std::string>();
    if (v == "sound")
      r.signal = Signal::sound;
    else if (v == "light")
      r.signal = Signal::light;
    else
      return Error{"signal", fmt::format("'{}' is not \"sound\" or \"light\"", v)};
  }
  PICKET_TRY(sigma_t, opt_number(j, "sigma_t", 1e-9, 100));
  r.sigma_t = sigma_t;
  PICKET_TRY(bearing, opt_number(j, "bearing", -360, 360));
  PICKET_TRY(sigma_b, opt_number(j, "sigma_bearing", 1e-6, 90));
  PICKET_TRY(elevation, opt_number(j, "elevation", -90, 90));
  PICKET_TRY(sigma_e, opt_number(j, "sigma_elevation", 1e-6, 90));
  if (bearing) r.bearing = deg2rad(*bearing);
  if (sigma_b) r.sigma_bearing = deg2rad(*sigma_b);
  if (elevation) r.elevation = deg2rad(*elevation);
  if (sigma_e) r.sigma_elevation = deg2rad(*sigma_e);
  if (elevation && !bearing) return Error{"elevation", "given without a bearing"};
  PICKET_TRY(temp, opt_number(j, "temperature", -80, 70));
  r.temperature = temp;
  // The sensor's own position at the time (a moving sensor such as the aerostat).
  PICKET_TRY(east, opt_number(j, "east", -1e6, 1e6));
  PICKET_TRY(north, opt_number(j, "north", -1e6, 1e6));
  PICKET_TRY(up, opt_number(j, "up", -1e5, 1e5));
  PICKET_TRY(lat, opt_number(j, "lat", -90, 90));
  PICKET_TRY(lon, opt_number(j, "lon", -180, 180));
  PICKET_TRY(alt, opt_number(j, "alt", -1e4, 1e5));
  if ((east || north) && (lat || lon))
    return Error{"lat", "give east/north/up or lat/lon/alt, not both"};
  if (east || north) {
    if (!east || !north)
      return Error{east ? "north" : "east", "missing (the position is incomplete)"};
    r.position = Enu(*east, *north, up.value_or(0));
  } else if (lat || lon) {
    if (!lat || !lon) return Error{lat ? "lon" : "lat", "missing (the position is incomplete)"};
    r.position = site.frame.to_enu(Geodetic{*lat, *lon, alt.value_or(site.origin.alt_m)});
  }
  if (const auto k = j.find("kind"); k != j.end() && !k->is_null()) {
    if (!k->is_string()) return Error{"kind", "expected a string"};
    r.kind = k->get<std::string>();
  }
  if (const auto id = j.find("id"); id != j.end() && !id->is_null()) {
    if (id->is_string())
      r.id = id->get<std::string>();
    else if (id->is_number_integer())
      r.id = std::to_string(id->get<long long>());
    else
      return Error{"id", "expected a string or an integer"};
  }
  return r;
}

void append_located_event(std::string& out, const LocatedEvent& e,
                          const std::vector<EventReport>& reports) {
  ojson j;  // fields in the documented order
  j["t"] = std::round(e.t * 1e6) / 1e6;
  j["id"] = e.id;
  j["quality"] = std::string(to_string(e.quality));
  j["located"] = e.has_position;
  if (e.has_position) {
    j["east"] = r3(e.position.x());
    j["north"] = r3(e.position.y());
    j["up"] = r3(e.position.z());
    j["lat"] = std::round(e.geodetic.lat_deg * 1e8) / 1e8;
    j["lon"] = std::round(e.geodetic.lon_deg * 1e8) / 1e8;
    j["alt"] = r3(e.geodetic.alt_m);
    j["sigma_t"] = std::round(e.sigma_t * 1e6) / 1e6;
    j["ellipse"] = {{"semi_major", r3(e.ellipse.semi_major_m)},
                    {"semi_minor", r3(e.ellipse.semi_minor_m)},
                    {"orientation", std::round(rad2deg(e.ellipse.orientation_rad) * 1e4) / 1e4},
                    {"confidence", e.ellipse.confidence}};
    j["cov"] = {r3(e.cov(0, 0)), r3(e.cov(0, 1)), r3(e.cov(1, 1))};
  } else if (!e.used.empty()) {
    const auto& first = reports[e.used.front()];
    j["near"] = {{"sensor", first.sensor},
                 {"east", r3(e.position.x())},
                 {"north", r3(e.position.y())},
                 {"within", r3(e.ellipse.semi_major_m)}};
    if (first.bearing && e.sensors.size() == 1)
      j["near"]["bearing"] = std::round(rad2deg(wrap_2pi(*first.bearing)) * 1e4) / 1e4;
  }
  j["sensors"] = e.sensors;
  ojson used = ojson::array();
  for (std::size_t i : e.used) {
    const auto& r = reports[i];
    used.push_back(r.id.empty() ? ojson(r.line) : ojson(r.id));
  }
  j["reports"] = used;
  if (!e.rejected.empty()) {
    ojson rej = ojson::array();
    for (const auto& r : e.rejected) {
      const auto& rep = reports[r.index];
      rej.push_back({{"sensor", rep.sensor},
                     {"report", rep.id.empty() ? ojson(rep.line) : ojson(rep.id)},
                     {"residual", std::round(r.normalised_residual * 100) / 100}});
    }
    j["rejected"] = rej;
  }
  j["chi2"] = std::round(e.chi2 * 1000) / 1000;
  j["dof"] = e.dof;
  j["method"] = e.method;
  if (!e.kind.empty()) j["kind"] = e.kind;
  if (!e.message.empty()) j["message"] = e.message;
  out += j.dump();
  out += '\n';
}

}  // namespace picket::locate

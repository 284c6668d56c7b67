#include "picket/formats/point_reports.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "picket/core/units.h"

namespace picket::formats {

namespace {

using json = nlohmann::json;

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
double r4(double v) {
  return std::round(v * 1e4) / 1e4;
}

}  // namespace

Result<PointReport> parse_point_report(std::string_view line, const Site& site) {
  auto parsed = parse_object(line);
  if (!parsed) return parsed.error();
  const json& j = *parsed;
  PointReport r;
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

void append_point_report(std::string& out, const PointReport& r) {
  nlohmann::ordered_json j;  // fields in the documented order
  j["t"] = std::round(r.t * 1e6) / 1e6;
  j["sensor"] = r.sensor;
  j["signal"] = r.signal == Signal::sound ? "sound" : "light";
  // Sigmas to six significant digits: short, and a tiny sigma never rounds to zero.
  auto sig6 = [](double v) { return std::stod(fmt::format("{:.6g}", v)); };
  if (r.sigma_t) j["sigma_t"] = sig6(*r.sigma_t);
  if (r.bearing) j["bearing"] = r4(rad2deg(wrap_2pi(*r.bearing)));
  if (r.sigma_bearing) j["sigma_bearing"] = sig6(rad2deg(*r.sigma_bearing));
  if (r.elevation) j["elevation"] = r4(rad2deg(*r.elevation));
  if (r.sigma_elevation) j["sigma_elevation"] = sig6(rad2deg(*r.sigma_elevation));
  if (r.position) {
    j["east"] = r3(r.position->x());
    j["north"] = r3(r.position->y());
    j["up"] = r3(r.position->z());
  }
  if (r.temperature) j["temperature"] = std::round(*r.temperature * 100) / 100;
  if (!r.kind.empty()) j["kind"] = r.kind;
  if (!r.id.empty()) j["id"] = r.id;
  out += j.dump();
  out += '\n';
}

void append_point_truth(std::string& out, const PointTruth& p, const LocalFrame& frame) {
  nlohmann::ordered_json j;
  j["t"] = std::round(p.t * 1e6) / 1e6;
  j["id"] = p.id;
  j["kind"] = p.kind;
  j["east"] = r3(p.position.x());
  j["north"] = r3(p.position.y());
  j["up"] = r3(p.position.z());
  const Geodetic g = frame.to_geodetic(p.position);
  j["lat"] = std::round(g.lat_deg * 1e8) / 1e8;
  j["lon"] = std::round(g.lon_deg * 1e8) / 1e8;
  out += j.dump();
  out += '\n';
}

}  // namespace picket::formats

#include "picket/formats/records.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>

#include "picket/core/units.h"

namespace picket::formats {

namespace {

using json = nlohmann::json;

Result<json> parse_object(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again with exceptions for the byte position of the fault.
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

// Field access with typed errors.
class Fields {
 public:
  explicit Fields(const json& j) : j_(j) {}
  bool has(const char* k) const {
    auto it = j_.find(k);
    return it != j_.end() && !it->is_null();
  }
  Result<double> number(const char* k) const {
    auto it = j_.find(k);
    if (it == j_.end() || it->is_null()) return Error{k, "missing"};
    if (!it->is_number()) return Error{k, "expected a number"};
    const double v = it->get<double>();
    if (!std::isfinite(v)) return Error{k, "not a finite number"};
    return v;
  }
  Result<std::optional<double>> opt_number(const char* k, double min, double max) const {
    if (!has(k)) return std::optional<double>();
    auto v = number(k);
    if (!v) return v.error();
    if (*v < min || *v > max)
      return Error{k, fmt::format("{} is out of range [{}, {}]", *v, min, max)};
    return std::optional<double>(*v);
  }
  Result<std::string> string(const char* k) const {
    auto it = j_.find(k);
    if (it == j_.end() || it->is_null()) return Error{k, "missing"};
    if (!it->is_string()) return Error{k, "expected a string"};
    return it->get<std::string>();
  }
  Result<long long> integer(const char* k) const {
    auto it = j_.find(k);
    if (it == j_.end() || it->is_null()) return Error{k, "missing"};
    if (!it->is_number_integer()) return Error{k, "expected a whole number"};
    return it->get<long long>();
  }

 private:
  const json& j_;
};

Result<double> parse_time(const Fields& f) {
  auto t = f.number("t");
  if (!t) return t.error();
  if (*t < 0) return Error{"t", "negative time"};
  return t;
}

Result<std::optional<TargetClass>> parse_class(const Fields& f) {
  if (!f.has("class")) return std::optional<TargetClass>();
  PICKET_TRY(s, f.string("class"));
  auto c = parse_target_class(s);
  if (!c) return Error{"class", fmt::format("unknown class '{}'", s)};
  return std::optional<TargetClass>(*c);
}

}  // namespace

Result<Detection> parse_detection(std::string_view line) {
  PICKET_TRY(j, parse_object(line));
  const Fields f(j);
  Detection d;
  PICKET_TRY(t, parse_time(f));
  d.t = t;
  PICKET_TRY(sensor, f.string("sensor"));
  if (sensor.empty()) return Error{"sensor", "empty sensor id"};
  d.sensor = std::move(sensor);

  if (f.has("status")) {
    PICKET_TRY(st, f.string("status"));
    auto s = parse_sensor_status(st);
    if (!s || *s == SensorStatus::none)
      return Error{"status", fmt::format("unknown status '{}'", st)};
    d.status = *s;
  }

  const bool polar = f.has("range") || f.has("bearing");
  const bool enu = f.has("east") || f.has("north");
  const bool geo = f.has("lat") || f.has("lon");
  const bool seg = f.has("segment");
  const int forms = int(polar) + int(enu) + int(geo) + int(seg);
  if (forms > 1) {
    return Error{"",
                 "more than one position form (give only one of range/bearing, east/north, "
                 "lat/lon, segment)"};
  }
  if (forms == 0 && d.status == SensorStatus::none) {
    return Error{"", "no position: give range/bearing, east/north, lat/lon or segment"};
  }
  if (polar) {
    PolarMeasurement m;
    PICKET_TRY(r, f.number("range"));
    if (r < 0) return Error{"range", "negative range"};
    PICKET_TRY(b, f.number("bearing"));
    if (b < -360 || b > 720)
      return Error{"bearing", fmt::format("{} is not a bearing in degrees", b)};
    m.range = r;
    m.bearing = wrap_2pi(deg2rad(b));
    PICKET_TRY(el, f.opt_number("elevation", -90, 90));
    if (el) m.elevation = deg2rad(*el);
    d.measurement = m;
  } else if (enu) {
    EnuMeasurement m;
    PICKET_TRY(e, f.number("east"));
    PICKET_TRY(n, f.number("north"));
    m.east = e;
    m.north = n;
    PICKET_TRY(u, f.opt_number("up", -1e6, 1e6));
    m.up = u;
    d.measurement = m;
  } else if (geo) {
    GeodeticMeasurement m;
    PICKET_TRY(lat, f.number("lat"));
    PICKET_TRY(lon, f.number("lon"));
    if (lat < -90 || lat > 90) return Error{"lat", fmt::format("{} is not a latitude", lat)};
    if (lon < -180 || lon > 180) return Error{"lon", fmt::format("{} is not a longitude", lon)};
    m.lat_deg = lat;
    m.lon_deg = lon;
    PICKET_TRY(alt, f.opt_number("alt", -1e4, 1e6));
    m.alt_m = alt;
    d.measurement = m;
  } else if (seg) {
    SegmentMeasurement m;
    PICKET_TRY(s, f.integer("segment"));
    if (s < 1 || s > 1'000'000)
      return Error{"segment", fmt::format("{} is not a segment number", s)};
    m.segment = static_cast<int>(s);
    if (f.has("fence")) {
      PICKET_TRY(fence, f.string("fence"));
      m.fence = std::move(fence);
    }
    d.measurement = m;
  }

  PICKET_TRY(sigma, f.opt_number("sigma", 0, 1e6));
  d.sigma = sigma;
  PICKET_TRY(sr, f.opt_number("sigma_range", 0, 1e6));
  d.sigma_range = sr;
  PICKET_TRY(sb, f.opt_number("sigma_bearing", 0, 180));
  if (sb) d.sigma_bearing = deg2rad(*sb);
  PICKET_TRY(se, f.opt_number("sigma_elevation", 0, 90));
  if (se) d.sigma_elevation = deg2rad(*se);
  PICKET_TRY(cls, parse_class(f));
  d.cls = cls;
  PICKET_TRY(score, f.opt_number("score", 0, 1));
  d.score = score;
  PICKET_TRY(doppler, f.opt_number("doppler", -1e5, 1e5));
  d.doppler = doppler;
  if (f.has("id")) {
    const auto& id = j["id"];
    if (id.is_string()) {
      d.sensor_track = id.get<std::string>();
    } else if (id.is_number_integer()) {
      d.sensor_track = std::to_string(id.get<long long>());
    } else {
      return Error{"id", "expected a string or a whole number"};
    }
  }
  return d;
}

namespace {

// Appends `"key":"value"` with JSON escaping of the value.
void append_string_field(std::string& out, std::string_view key, std::string_view v) {
  out += '"';
  out += key;
  out += "\":\"";
  // Most values need no escaping: copy runs of plain characters at once.
  while (!v.empty()) {
    std::size_t plain = 0;
    while (plain < v.size() && static_cast<unsigned char>(v[plain]) >= 0x20 && v[plain] != '"' &&
           v[plain] != '\\') {
      ++plain;
    }
    out.append(v.data(), plain);
    v.remove_prefix(plain);
    if (v.empty()) break;
    const char c = v.front();
    v.remove_prefix(1);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
    }
  }
  out += '"';
}

// Fixed-point numbers without trailing zeros: "12.5", "3", "-0.25".
void append_fixed(std::string& out, double v, int decimals) {
  // std::to_chars with a precision is exact (correctly rounded, like printf) and several times
  // faster than fmt's dynamic-precision path; the output is the same.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  std::string_view s(buf, res.ec == std::errc() ? static_cast<std::size_t>(res.ptr - buf) : 0);
  if (decimals > 0 && std::isfinite(v)) {  // then the text ends in '.' and `decimals` digits
    while (!s.empty() && s.back() == '0')
      s.remove_suffix(1);
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  }
  if (s == "-0") s = "0";
  out += s;
}

void append_number_field(std::string& out, std::string_view key, double v, int decimals) {
  out += ",\"";
  out += key;
  out += "\":";
  append_fixed(out, v, decimals);
}

}  // namespace

void append_detection(std::string& out, const Detection& d) {
  out += "{\"t\":";
  append_fixed(out, d.t, 6);
  out += ',';
  append_string_field(out, "sensor", d.sensor);
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, PolarMeasurement>) {
          append_number_field(out, "range", m.range, 3);
          append_number_field(out, "bearing", rad2deg(m.bearing), 4);
          if (m.elevation) append_number_field(out, "elevation", rad2deg(*m.elevation), 4);
        } else if constexpr (std::is_same_v<M, EnuMeasurement>) {
          append_number_field(out, "east", m.east, 3);
          append_number_field(out, "north", m.north, 3);
          if (m.up) append_number_field(out, "up", *m.up, 3);
        } else if constexpr (std::is_same_v<M, GeodeticMeasurement>) {
          append_number_field(out, "lat", m.lat_deg, 8);
          append_number_field(out, "lon", m.lon_deg, 8);
          if (m.alt_m) append_number_field(out, "alt", *m.alt_m, 3);
        } else if constexpr (std::is_same_v<M, SegmentMeasurement>) {
          fmt::format_to(std::back_inserter(out), ",\"segment\":{}", m.segment);
          if (!m.fence.empty()) {
            out += ',';
            append_string_field(out, "fence", m.fence);
          }
        }
      },
      d.measurement);
  if (d.sigma) append_number_field(out, "sigma", *d.sigma, 3);
  if (d.sigma_range) append_number_field(out, "sigma_range", *d.sigma_range, 3);
  if (d.sigma_bearing) append_number_field(out, "sigma_bearing", rad2deg(*d.sigma_bearing), 4);
  if (d.sigma_elevation)
    append_number_field(out, "sigma_elevation", rad2deg(*d.sigma_elevation), 4);
  if (d.cls) {
    out += ',';
    append_string_field(out, "class", to_string(*d.cls));
  }
  if (d.score) append_number_field(out, "score", *d.score, 3);
  if (d.doppler) append_number_field(out, "doppler", *d.doppler, 3);
  if (d.sensor_track) {
    out += ',';
    append_string_field(out, "id", *d.sensor_track);
  }
  if (d.status != SensorStatus::none) {
    out += ',';
    append_string_field(out, "status", to_string(d.status));
  }
  out += "}\n";
}

Result<TruthSample> parse_truth(std::string_view line) {
  PICKET_TRY(j, parse_object(line));
  const Fields f(j);
  TruthSample s;
  PICKET_TRY(t, parse_time(f));
  s.t = t;
  PICKET_TRY(id, f.string("id"));
  s.id = std::move(id);
  PICKET_TRY(e, f.number("east"));
  PICKET_TRY(n, f.number("north"));
  s.east = e;
  s.north = n;
  PICKET_TRY(u, f.opt_number("up", -1e6, 1e6));
  s.up = u;
  PICKET_TRY(cls, parse_class(f));
  s.cls = cls.value_or(TargetClass::unknown);
  PICKET_TRY(ve, f.opt_number("ve", -1e5, 1e5));
  PICKET_TRY(vn, f.opt_number("vn", -1e5, 1e5));
  s.ve = ve.value_or(0);
  s.vn = vn.value_or(0);
  return s;
}

void append_truth(std::string& out, const TruthSample& s) {
  out += "{\"t\":";
  append_fixed(out, s.t, 6);
  out += ',';
  append_string_field(out, "id", s.id);
  append_number_field(out, "east", s.east, 3);
  append_number_field(out, "north", s.north, 3);
  if (s.up) append_number_field(out, "up", *s.up, 3);
  out += ',';
  append_string_field(out, "class", to_string(s.cls));
  append_number_field(out, "ve", s.ve, 3);
  append_number_field(out, "vn", s.vn, 3);
  out += "}\n";
}

Result<TruthEvent> parse_event(std::string_view line) {
  PICKET_TRY(j, parse_object(line));
  const Fields f(j);
  TruthEvent e;
  PICKET_TRY(t, parse_time(f));
  e.t = t;
  PICKET_TRY(id, f.string("id"));
  e.id = std::move(id);
  PICKET_TRY(kind, f.string("event"));
  auto k = parse_truth_event_kind(kind);
  if (!k) return Error{"event", fmt::format("unknown event '{}'", kind)};
  e.event = *k;
  if (e.event == TruthEventKind::fence_crossing) {
    PICKET_TRY(fence, f.string("fence"));
    e.fence = std::move(fence);
    PICKET_TRY(seg, f.integer("segment"));
    if (seg < 1) return Error{"segment", fmt::format("{} is not a segment number", seg)};
    e.segment = static_cast<int>(seg);
    if (f.has("direction")) {
      PICKET_TRY(dir, f.string("direction"));
      if (dir == "inward") {
        e.direction = CrossingDirection::inward;
      } else if (dir == "outward") {
        e.direction = CrossingDirection::outward;
      } else {
        return Error{"direction", fmt::format("'{}' is not inward or outward", dir)};
      }
    }
  } else {
    PICKET_TRY(zone, f.string("zone"));
    e.zone = std::move(zone);
  }
  PICKET_TRY(east, f.opt_number("east", -1e7, 1e7));
  PICKET_TRY(north, f.opt_number("north", -1e7, 1e7));
  e.east = east.value_or(0);
  e.north = north.value_or(0);
  PICKET_TRY(cls, parse_class(f));
  e.cls = cls.value_or(TargetClass::unknown);
  return e;
}

void append_event(std::string& out, const TruthEvent& e) {
  out += "{\"t\":";
  append_fixed(out, e.t, 6);
  out += ',';
  append_string_field(out, "id", e.id);
  out += ',';
  append_string_field(out, "event", to_string(e.event));
  if (e.event == TruthEventKind::fence_crossing) {
    out += ',';
    append_string_field(out, "fence", e.fence);
    fmt::format_to(std::back_inserter(out), ",\"segment\":{}", e.segment);
    if (e.direction) {
      out += ',';
      append_string_field(out, "direction", to_string(*e.direction));
    }
  } else {
    out += ',';
    append_string_field(out, "zone", e.zone);
  }
  append_number_field(out, "east", e.east, 3);
  append_number_field(out, "north", e.north, 3);
  out += ',';
  append_string_field(out, "class", to_string(e.cls));
  out += "}\n";
}

}  // namespace picket::formats

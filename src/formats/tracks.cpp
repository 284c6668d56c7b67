#include "picket/formats/tracks.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>

namespace picket::formats {

namespace {

using json = nlohmann::json;

// The same conventions as records.cpp (kept separate so that file stays untouched): fixed-point
// numbers without trailing zeros, and JSON-escaped strings.
void append_fixed(std::string& out, double v, int decimals) {
  char buf[64];
  auto res = fmt::format_to_n(buf, sizeof buf - 1, "{:.{}f}", v, decimals);
  std::size_t n = res.size < sizeof buf - 1 ? res.size : sizeof buf - 1;
  std::string_view s(buf, n);
  if (s.find('.') != std::string_view::npos) {
    while (!s.empty() && s.back() == '0')
      s.remove_suffix(1);
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  }
  if (s == "-0") s = "0";
  out += s;
}

void append_string(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
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
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void field(std::string& out, std::string_view key, double v, int decimals) {
  out += ",\"";
  out += key;
  out += "\":";
  append_fixed(out, v, decimals);
}

Result<double> number(const json& j, const char* k) {
  auto it = j.find(k);
  if (it == j.end() || it->is_null()) return Error{k, "missing"};
  if (!it->is_number()) return Error{k, "expected a number"};
  const double v = it->get<double>();
  if (!std::isfinite(v)) return Error{k, "not a finite number"};
  return v;
}

Result<std::optional<double>> opt_number(const json& j, const char* k) {
  auto it = j.find(k);
  if (it == j.end() || it->is_null()) return std::optional<double>();
  auto v = number(j, k);
  if (!v) return v.error();
  return std::optional<double>(*v);
}

Result<std::string> string(const json& j, const char* k) {
  auto it = j.find(k);
  if (it == j.end() || it->is_null()) return Error{k, "missing"};
  if (!it->is_string()) return Error{k, "expected a string"};
  return it->get<std::string>();
}

}  // namespace

void append_track_update(std::string& out, const TrackState& s) {
  out += "{\"t\":";
  append_fixed(out, s.t, 6);
  fmt::format_to(std::back_inserter(out), ",\"track\":{}", s.id);
  field(out, "east", s.position.x(), 3);
  field(out, "north", s.position.y(), 3);
  if (s.air) field(out, "up", s.position.z(), 3);
  field(out, "ve", s.velocity.x(), 3);
  field(out, "vn", s.velocity.y(), 3);
  if (s.air) field(out, "vu", s.velocity.z(), 3);
  out += ",\"status\":";
  append_string(out, to_string(s.status));
  out += ",\"class\":";
  append_string(out, to_string(s.cls));
  field(out, "class_p", s.class_p, 4);
  // Position covariance, m^2: the upper triangle row by row ([ee, en, nn], or for air tracks
  // [ee, en, eu, nn, nu, uu]).
  out += ",\"cov\":[";
  const int d = s.air ? 3 : 2;
  bool first = true;
  for (int r = 0; r < d; ++r) {
    for (int c = r; c < d; ++c) {
      if (!first) out += ',';
      first = false;
      append_fixed(out, s.position_cov(r, c), 4);
    }
  }
  out += "],\"sensors\":[";
  for (std::size_t i = 0; i < s.sensors.size(); ++i) {
    if (i) out += ',';
    append_string(out, s.sensors[i]);
  }
  out += ']';
  field(out, "existence", s.existence, 4);
  field(out, "first_t", s.first_t, 6);
  if (s.detection != 0) fmt::format_to(std::back_inserter(out), ",\"det\":{}", s.detection);
  if (!s.detection_sensor.empty()) {
    out += ",\"det_sensor\":";
    append_string(out, s.detection_sensor);
  }
  out += ",\"class_probs\":{";
  for (int k = 0; k < kNumClasses; ++k) {
    if (k) out += ',';
    append_string(out, to_string(static_cast<TargetClass>(k)));
    out += ':';
    append_fixed(out, s.class_probs[static_cast<size_t>(k)], 4);
  }
  out += "}}\n";
}

Result<TrackState> parse_track_update(std::string_view line) {
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
  TrackState s;
  PICKET_TRY(t, number(j, "t"));
  if (t < 0) return Error{"t", "negative time"};
  s.t = t;
  {
    auto it = j.find("track");
    if (it == j.end() || it->is_null()) return Error{"track", "missing"};
    if (!it->is_number_unsigned()) return Error{"track", "expected a whole number >= 0"};
    s.id = it->get<std::uint64_t>();
  }
  PICKET_TRY(e, number(j, "east"));
  PICKET_TRY(n, number(j, "north"));
  PICKET_TRY(u, opt_number(j, "up"));
  s.position = Eigen::Vector3d(e, n, u.value_or(0));
  s.air = u.has_value();
  PICKET_TRY(ve, opt_number(j, "ve"));
  PICKET_TRY(vn, opt_number(j, "vn"));
  PICKET_TRY(vu, opt_number(j, "vu"));
  s.velocity = Eigen::Vector3d(ve.value_or(0), vn.value_or(0), vu.value_or(0));
  PICKET_TRY(status, string(j, "status"));
  auto st = parse_track_status(status);
  if (!st) return Error{"status", fmt::format("unknown status '{}'", status)};
  s.status = *st;
  if (j.contains("class") && !j["class"].is_null()) {
    PICKET_TRY(c, string(j, "class"));
    auto cls = parse_target_class(c);
    if (!cls) return Error{"class", fmt::format("unknown class '{}'", c)};
    s.cls = *cls;
  }
  PICKET_TRY(cp, opt_number(j, "class_p"));
  if (cp && (*cp < 0 || *cp > 1)) return Error{"class_p", "not a probability"};
  s.class_p = cp.value_or(0);
  s.position_cov.setZero();
  if (auto it = j.find("cov"); it != j.end() && !it->is_null()) {
    const int d = s.air ? 3 : 2;
    const std::size_t need = s.air ? 6 : 3;
    if (!it->is_array() || it->size() != need)
      return Error{"cov", fmt::format("expected an array of {} numbers", need)};
    std::size_t k = 0;
    for (int r = 0; r < d; ++r) {
      for (int c = r; c < d; ++c) {
        const auto& v = (*it)[k++];
        if (!v.is_number() || !std::isfinite(v.get<double>()))
          return Error{"cov", "expected finite numbers"};
        s.position_cov(r, c) = s.position_cov(c, r) = v.get<double>();
      }
    }
  }
  if (auto it = j.find("sensors"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Error{"sensors", "expected an array of strings"};
    for (const auto& v : *it) {
      if (!v.is_string()) return Error{"sensors", "expected an array of strings"};
      s.sensors.push_back(v.get<std::string>());
    }
  }
  PICKET_TRY(ex, opt_number(j, "existence"));
  s.existence = ex.value_or(0);
  PICKET_TRY(ft, opt_number(j, "first_t"));
  s.first_t = ft.value_or(s.t);
  if (auto it = j.find("det"); it != j.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) return Error{"det", "expected a whole number >= 0"};
    s.detection = it->get<std::uint64_t>();
  }
  if (j.contains("det_sensor") && !j["det_sensor"].is_null()) {
    PICKET_TRY(ds, string(j, "det_sensor"));
    s.detection_sensor = std::move(ds);
  }
  if (auto it = j.find("class_probs"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Error{"class_probs", "expected an object"};
    for (const auto& [key, v] : it->items()) {
      auto c = parse_target_class(key);
      if (!c) return Error{"class_probs", fmt::format("unknown class '{}'", key)};
      if (!v.is_number()) return Error{"class_probs." + key, "expected a number"};
      s.class_probs[static_cast<size_t>(*c)] = v.get<double>();
    }
  }
  return s;
}

}  // namespace picket::formats

#include "picket/locate/pixel_io.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace picket::locate {

namespace {

using json = nlohmann::json;

Result<std::optional<double>> num(const json& j, const char* key, double lo, double hi) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return Error{key, "expected a number"};
  const double v = it->get<double>();
  if (!std::isfinite(v)) return Error{key, "not a finite number"};
  if (v < lo || v > hi) return Error{key, fmt::format("{} is out of range [{}, {}]", v, lo, hi)};
  return std::optional<double>(v);
}

}  // namespace

Result<PixelDetection> parse_pixel_detection(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded()) return Error{"", "invalid JSON"};
  if (!j.is_object()) return Error{"", "expected a JSON object"};
  PixelDetection d;
  PICKET_TRY(t, num(j, "t", 0, 1e11));
  if (!t) return Error{"t", "missing"};
  d.t = *t;
  const auto s = j.find("sensor");
  if (s == j.end() || !s->is_string())
    return Error{"sensor", s == j.end() ? "missing" : "expected a string"};
  d.sensor = s->get<std::string>();
  PICKET_TRY(u, num(j, "u", -1e5, 1e5));
  PICKET_TRY(v, num(j, "v", -1e5, 1e5));
  if (!u) return Error{"u", "missing"};
  if (!v) return Error{"v", "missing"};
  d.u = *u;
  d.v = *v;
  PICKET_TRY(sp, num(j, "sigma_px", 1e-3, 1e4));
  d.sigma_px = sp;
  PICKET_TRY(score, num(j, "score", 0, 1));
  d.score = score;
  if (const auto c = j.find("class"); c != j.end() && !c->is_null()) {
    if (!c->is_string()) return Error{"class", "expected a string"};
    const auto cls = parse_target_class(c->get<std::string>());
    if (!cls) return Error{"class", fmt::format("unknown class '{}'", c->get<std::string>())};
    d.cls = cls;
  }
  if (const auto id = j.find("id"); id != j.end() && !id->is_null()) {
    if (id->is_string())
      d.id = id->get<std::string>();
    else if (id->is_number_integer())
      d.id = std::to_string(id->get<long long>());
    else
      return Error{"id", "expected a string or an integer"};
  }
  return d;
}

}  // namespace picket::locate

#include "picket/locate/report_io.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "picket/core/units.h"

namespace picket::locate {

namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

double r3(double v) {
  return std::round(v * 1000) / 1000;
}

}  // namespace

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

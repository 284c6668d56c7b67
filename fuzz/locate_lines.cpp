// Fuzz target: point-event report lines and platform-pose lines. Any bytes must give records or
// Errors; a batch of parsed reports must be associated and located without crashing, hanging or
// producing non-finite output for located events.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "picket/core/site.h"
#include "picket/formats/point_reports.h"
#include "picket/locate/point_event.h"
#include "picket/locate/pose_feed.h"
#include "picket/locate/report_io.h"
#include "picket/terrain/terrain.h"

namespace {

const picket::Site& site() {
  static const picket::Site s = [] {
    auto r = picket::load_site_from_string(R"(name: fuzz
origin: {lat: 52.1, lon: -1.0, alt: 80}
sensors:
  - {id: m1, type: acoustic, position: {east: 0, north: 0, up: 2}, range: {max: 1500}}
  - {id: m2, type: acoustic, position: {east: 300, north: 0, up: 2}, range: {max: 1500}}
  - {id: m3, type: acoustic, position: {east: 0, north: 300, up: 2}, range: {max: 1500}}
  - {id: m4, type: acoustic, position: {east: 300, north: 300, up: 2}, range: {max: 1500}}
  - {id: c1, type: camera, position: {east: -100, north: 150, up: 10}, range: {max: 2000},
     noise: {bearing: 0.3}}
  - {id: a1, type: aerostat, position: {east: 0, north: 0, up: 500}, range: {max: 8000},
     noise: {bearing: 0.1, elevation: 0.1}}
)",
                                           "fuzz.yaml");
    if (!r) __builtin_trap();
    return std::move(*r);
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace picket;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const terrain::Terrain flat = terrain::Terrain::flat(site().frame);
  static const terrain::SiteTerrain st{terrain::TerrainConfig{}, flat};
  std::vector<locate::EventReport> reports;
  std::size_t start = 0;
  while (start <= text.size() && reports.size() < 8) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    auto r = locate::parse_event_report(line, site());
    if (r) {
      // What we write we must read back, the same.
      std::string out;
      formats::append_point_report(out, *r);
      out.pop_back();
      auto again = formats::parse_point_report(out, site());
      if (!again || again->sensor != r->sensor || again->signal != r->signal) __builtin_trap();
      reports.push_back(std::move(*r));
    }
    (void)locate::parse_pose_sample(line, site(), locate::PoseSigma{});
    start = end + 1;
  }
  if (reports.empty()) return 0;
  const locate::LocateConfig cfg;
  auto sensors = locate::report_sensors(reports, site(), st, cfg);
  if (!sensors) return 0;
  for (const auto& e : locate::locate_events(reports, *sensors, flat, cfg)) {
    if (e.has_position && !(std::isfinite(e.position.x()) && std::isfinite(e.cov(0, 0))))
      __builtin_trap();
    std::string out;
    locate::append_located_event(out, e, reports);
  }
  return 0;
}

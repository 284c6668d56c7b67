// Fuzz target: any text appended to a valid site file as its `rules:` and `policy:` sections
// must give rules or a precise error, never a crash; rules that load must build an engine that
// evaluates a few track updates and fence reports without crashing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "picket/core/site.h"
#include "picket/rules/engine.h"

namespace {

const char* kSite = R"(name: fuzz
origin: {lat: 52.1, lon: -1.0, alt: 80}
fences:
  - id: perimeter
    points:
      - {east: -100, north: -100}
      - {east: 100, north: -100}
      - {east: 100, north: 100}
      - {east: -100, north: 100}
      - {east: -100, north: -100}
zones:
  - id: inner
    polygon: [{east: -50, north: -50}, {east: 50, north: -50}, {east: 50, north: 50}]
sensors:
  - {id: radar-1, type: radar, position: {east: 0, north: 0}, range: {max: 1000},
     noise: {range: 2, bearing: 0.5}}
  - {id: fence-1, type: fence, fence: perimeter}
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const std::string text =
      std::string(kSite) + std::string(reinterpret_cast<const char*>(data), size);
  auto site = picket::load_site_from_string(text, "fuzz.yaml");
  if (!site) return 0;
  auto engine = picket::rules::RulesEngine::create(*site);
  if (!engine) return 0;
  std::vector<picket::AlarmEvent> out;
  picket::TrackState s;
  s.id = 1;
  s.status = picket::TrackStatus::confirmed;
  s.sensors = {"radar-1"};
  for (int i = 0; i < 40; ++i) {
    s.t = 1795903200 + i;
    s.position = Eigen::Vector3d(-120 + 6 * i, -120 + 5 * i, 0);
    s.velocity = Eigen::Vector3d(6, 5, 0);
    (*engine)->on_track(s, out);
    if (i % 10 == 0) {
      picket::Detection d;
      d.t = s.t + 0.5;
      d.sensor = "fence-1";
      d.measurement = picket::SegmentMeasurement{1 + i / 10, ""};
      (*engine)->on_detection(d, out);
    }
  }
  return 0;
}

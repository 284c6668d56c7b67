// A small site for the rules tests: a closed 200 m square fence (16 segments of 50 m, counter-
// clockwise from the south-west corner, so segments 1-4 run along the south side from west to
// east), an inner zone, a buffer strip south of the fence, a radar, a camera and a fence sensor.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "picket/core/site.h"
#include "picket/core/types.h"

namespace picket::rules::testing {

inline const char* kSiteHead = R"(name: rules test site
origin: {lat: 52.1, lon: -1.0, alt: 80}
fences:
  - id: perimeter
    name: Perimeter
    points:
      - {east: -100, north: -100}
      - {east: 100, north: -100}
      - {east: 100, north: 100}
      - {east: -100, north: 100}
      - {east: -100, north: -100}
    segment_length: 50
zones:
  - id: inner
    name: Inner
    polygon:
      - {east: -50, north: -50}
      - {east: 50, north: -50}
      - {east: 50, north: 50}
      - {east: -50, north: 50}
  - id: buffer
    name: Buffer
    polygon:
      - {east: -150, north: -150}
      - {east: 150, north: -150}
      - {east: 150, north: -110}
      - {east: -150, north: -110}
sensors:
  - id: radar-1
    type: radar
    position: {east: -110, north: -110, up: 5}
    range: {max: 1000}
    noise: {range: 2, bearing: 0.5}
    update_rate: 1
  - id: cam-1
    type: camera
    position: {east: 0, north: -100, up: 5}
    range: {max: 300}
    update_rate: 5
  - id: fence-1
    type: fence
    fence: perimeter
    update_rate: 0.1
)";

// The test site with the given `rules:`/`policy:` text appended (top-level YAML).
inline Site make_site(const std::string& extra) {
  auto site = load_site_from_string(std::string(kSiteHead) + extra, "site.yaml");
  EXPECT_TRUE(site) << (site ? "" : site.error().message());
  return site ? std::move(*site) : Site{};
}

inline constexpr double kT0 = 1795903200;  // 2026-11-28T22:00:00Z, a Saturday

inline TrackState track(std::uint64_t id, double t, double east, double north, double ve = 0,
                        double vn = 0, TargetClass cls = TargetClass::person,
                        std::vector<std::string> sensors = {"cam-1", "radar-1"},
                        TrackStatus status = TrackStatus::confirmed) {
  TrackState s;
  s.id = id;
  s.t = t;
  s.position = Eigen::Vector3d(east, north, 0);
  s.velocity = Eigen::Vector3d(ve, vn, 0);
  s.status = status;
  s.cls = cls;
  s.class_p = 0.9;
  s.class_probs[static_cast<size_t>(cls)] = 0.9;
  s.class_probs[static_cast<size_t>(TargetClass::unknown)] += 0.1;
  s.sensors = std::move(sensors);
  s.first_t = t;
  return s;
}

inline Detection fence_report(double t, int segment, std::string sensor = "fence-1") {
  Detection d;
  d.t = t;
  d.sensor = std::move(sensor);
  d.measurement = SegmentMeasurement{segment, ""};
  return d;
}

inline Detection status_report(double t, const std::string& sensor, SensorStatus status) {
  Detection d;
  d.t = t;
  d.sensor = sensor;
  d.status = status;
  return d;
}

}  // namespace picket::rules::testing

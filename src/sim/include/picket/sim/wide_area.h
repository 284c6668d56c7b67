// Wide-area simulation: reading its scenario sections (aerostat and acoustic sensor settings,
// `roads`, `point_events`, `temperature`) and simulating impulsive point events as the sensors
// report them (docs/sim.md, "Point events"; docs/scenario-format.md).
//
// Point events happen at instants, independently of the movers, so they are simulated apart from
// the windowed engine: simulate_point_events returns every sensor's report of every event
// (formats/point_reports.h, the input of `picket locate`) and the truth.
//
//  - Acoustic sensors hear an event within their range with a Swerling I-form probability whose
//    SNR falls as R^-2 (spherical spreading), calibrated to the site's `pd` at maximum range;
//    the arrival time is t0 + R / c(T) + N(0, timing_sigma²) with c(T) = 331.3 sqrt(1 +
//    T/273.15) m/s; a sensor with a bearing noise (an array) also reports the direction.
//  - Cameras see the flash when it is in their field of view and range (probability `pd`), at
//    their next frame, with bearing and elevation noise (the site's noise, else one pixel).
//  - Aerostats see it when it falls in their camera's image at that moment, and report the
//    bearing and elevation from their (measured) position, with their pointing errors.
//
// Thread-safety: pure functions of the scenario and the seed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "picket/core/config.h"
#include "picket/formats/point_reports.h"
#include "picket/sim/scenario.h"

namespace picket::sim {

// Reads the simulation settings of an aerostat or acoustic sensor (`enabled` and the
// type's own keys) into `spec`; problems go to the node's error list.
void read_wide_area_sensor(const ConfigNode& n, SensorType type, const Site& site,
                           SensorSimSpec& spec);

// Reads `roads:` and adds the vehicles of each road to sc.movers (drawn from the scenario's
// seed). `unique_id` checks a generated mover id against the others.
void read_roads(const ConfigNode& list, Scenario& sc,
                const std::function<void(const ConfigNode&, const std::string&)>& unique_id);

// Reads `point_events:` into sc.point_events (sorted by time).
void read_point_events(const ConfigNode& list, Scenario& sc);

struct PointEventOutput {
  std::vector<formats::PointReport> reports;  // in time order
  std::vector<formats::PointTruth> truth;     // in time order
};

PointEventOutput simulate_point_events(const Scenario& sc, std::uint64_t seed);

}  // namespace picket::sim

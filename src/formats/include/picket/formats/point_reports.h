// Point-event reports (docs/formats.md, "Point-event reports"): one sensor's observation of one
// impulsive event (a flash, a blast, a gunshot) — when it heard or saw it, and optionally the
// bearing and elevation towards it. Written by the simulator, read by `picket locate`.
//
// parse_point_report turns one line into a report or says which field is wrong; the site gives
// the sensor's type (the default signal: acoustic sensors hear sound, the others see light) and
// the frame of positions given as lat/lon. append_point_report writes one line, angles in
// degrees, with the fixed resolutions of the other records (time to the microsecond, metres to
// the millimetre, degrees to 1e-4).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "picket/core/geo.h"
#include "picket/core/result.h"
#include "picket/core/site.h"

namespace picket::formats {

enum class Signal : std::uint8_t { sound, light };

struct PointReport {
  double t = 0;  // Unix seconds: when the sound arrived, or when the light was seen
  std::string sensor;
  Signal signal = Signal::sound;
  std::optional<double> sigma_t;  // s; default from the sensor (locate config)
  std::optional<double> bearing;  // rad, clockwise from north
  std::optional<double> sigma_bearing;
  std::optional<double> elevation;  // rad above the sensor's horizontal
  std::optional<double> sigma_elevation;
  std::optional<Enu> position;        // the sensor's position at the time (moving sensors)
  std::optional<double> temperature;  // air temperature, degrees Celsius
  std::string kind;                   // free text: "flash", "blast", "gunshot", "launch"
  std::string id;                     // the report's own id, if any
  std::size_t line = 0;               // line in the input file (for messages)
};

Result<PointReport> parse_point_report(std::string_view line, const Site& site);
void append_point_report(std::string& out, const PointReport& r);

// What really happened (the simulator's point-event truth, docs/formats.md).
struct PointTruth {
  double t = 0;  // Unix seconds
  std::string id;
  std::string kind;
  Enu position = Enu::Zero();
};
// One truth line with '\n'; lat/lon through `frame`.
void append_point_truth(std::string& out, const PointTruth& p, const LocalFrame& frame);

}  // namespace picket::formats

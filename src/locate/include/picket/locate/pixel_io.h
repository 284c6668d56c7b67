// Aerostat pixel detections (JSON Lines, docs/formats.md "Aerostat pixel detections"): the
// image position of something the aerostat's camera detected, before geolocation.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "picket/core/result.h"
#include "picket/core/types.h"

namespace picket::locate {

struct PixelDetection {
  double t = 0;
  std::string sensor;
  double u = 0, v = 0;  // pixels from the top-left corner
  std::optional<double> sigma_px;
  std::optional<TargetClass> cls;
  std::optional<double> score;
  std::optional<std::string> id;
};

Result<PixelDetection> parse_pixel_detection(std::string_view line);

}  // namespace picket::locate

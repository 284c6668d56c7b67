#include "picket/terrain/detection_model.h"

#include <algorithm>
#include <cmath>

namespace picket::terrain {

double swerling1_pd(double snr, double pfa) {
  return std::pow(pfa, 1.0 / (1.0 + std::max(snr, 0.0)));
}

double swerling1_snr(double pd, double pfa) {
  pd = std::clamp(pd, pfa * 1.0001, 0.999999);
  return std::log(pfa) / std::log(pd) - 1.0;
}

double johnson_ttpf(double ratio) {
  if (ratio <= 0) return 0;
  const double e = 2.7 + 0.7 * ratio;
  const double x = std::pow(ratio, e);
  return x / (1.0 + x);
}

double johnson_ratio_for(double pd) {
  pd = std::clamp(pd, 1e-6, 0.999999);
  double lo = 0, hi = 100;  // the TTPF rises monotonically in the ratio
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (johnson_ttpf(mid) < pd ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double detection_probability(const SensorDef& s, double range_m) {
  if (s.type == SensorType::fence) return s.pd;
  if (s.type == SensorType::adsb) return 0;
  if (range_m < s.min_range_m || range_m > s.max_range_m) return 0;
  const double r = std::max(range_m, 1e-3);
  const double rel = s.max_range_m / r;  // >= 1 inside the range
  switch (s.type) {
    case SensorType::radar: {
      const double snr = swerling1_snr(s.pd, kRadarPfa) * std::pow(rel, 4);
      return swerling1_pd(snr, kRadarPfa);
    }
    case SensorType::acoustic: {
      const double snr = swerling1_snr(s.pd, kRadarPfa) * rel * rel;
      return swerling1_pd(snr, kRadarPfa);
    }
    case SensorType::camera:
    case SensorType::aerostat:
      return johnson_ttpf(johnson_ratio_for(s.pd) * rel);
    case SensorType::fence:
      return s.pd;
    case SensorType::adsb:
      return 0;
  }
  return 0;
}

}  // namespace picket::terrain

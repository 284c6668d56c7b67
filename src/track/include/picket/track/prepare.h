// From a Detection to what the filters need: each sensor's model (noise defaults, clutter
// density, scan period, coverage) and each report's measurement views, validated.
//
// Clutter is modelled as uniform over the sensor's horizontal coverage, lambda_xy false reports
// per m^2 per scan (false_alarm_rate / 3600 / update_rate / coverage area, floored by
// min_clutter_per_km2_scan), spread over 1,000 m of height for 3-D reports and uniformly over
// +-clutter_doppler_span for Doppler. A density per m^2 becomes a density in the measurement's
// own space by the Jacobian of the change of variables (for range and bearing, times the
// ground range), so likelihoods and densities are always compared in the same units.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/track/measurement.h"
#include "picket/track/params.h"
#include "picket/track/stats.h"

namespace picket::track {

struct SensorModel {
  SensorDef def;
  int index = 0;
  double scan_period = 1;        // s
  double clutter_per_m2 = 0;     // lambda_xy, false reports per m^2 per scan
  bool reports_misses = false;   // radar, camera, aerostat: a covered target not seen is a miss
  const Fence* fence = nullptr;  // fence sensors: their fence
};

SensorModel make_sensor_model(const SensorDef& def, int index, const Site& site,
                              const TrackerParams& p);

struct PreparedDetection {
  double t = 0;
  int sensor = 0;
  std::uint64_t ref = 0;
  MeasView view[2];             // as seen by a 2-D (ground) and by a 3-D (air) track
  double jacobian[2] = {1, 1};  // density per m^2 -> density in each view's measurement space
  Eigen::Vector3d enu = Eigen::Vector3d::Zero();  // approximate position (initiation, gating)
  Eigen::Matrix3d enu_cov = Eigen::Matrix3d::Identity();
  bool has_height = false;
  double sigma_xy = 1;  // largest horizontal standard deviation of enu, m
  std::optional<TargetClass> cls;
  double score = 1;
};

struct PrepareFailure {
  Rejection reason = Rejection::non_finite;
  std::string detail;
};

// Validates and converts one detection with a position. Returns the failure, if any.
std::optional<PrepareFailure> prepare_detection(const Detection& d, const SensorModel& s,
                                                const Site& site, const TrackerParams& p,
                                                PreparedDetection& out);

}  // namespace picket::track

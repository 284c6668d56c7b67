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
  double clutter_per_m2 = 0;     // lambda_xy, false reports per m^2 per scan (declared)
  double area = 1;               // coverage, m^2 (clutter is spread uniformly over it)
  bool reports_misses = false;   // radar, camera, aerostat: a covered target not seen is a miss
  const Fence* fence = nullptr;  // fence sensors: their fence
};

SensorModel make_sensor_model(const SensorDef& def, int index, const Site& site,
                              const TrackerParams& p);

// A validated report, compact (it waits in the reorder buffer): the measurement with its noise,
// and an approximate ENU position for gating and initiation. view() builds the measurement as a
// 2-D (k = 0) or 3-D (k = 1) track sees it.
struct PreparedDetection {
  // (the fields every report's gating reads first share the first cache line)
  double t = 0;
  int sensor = 0;
  double sigma_xy = 1;                            // largest horizontal standard deviation of enu, m
  Eigen::Vector3d enu = Eigen::Vector3d::Zero();  // approximate position
  std::uint64_t ref = 0;
  bool polar = false;
  bool has_up = false;           // Cartesian: z[2] is the height
  bool has_elevation = false;    // polar: z[2] is the elevation
  bool has_doppler = false;      // polar: z[3] is the Doppler
  bool has_height = false;       // the report fixes the target's height (up or elevation)
  double z[4] = {0, 0, 0, 0};    // polar: range, bearing, elevation, Doppler; else east, north, up
  double var[4] = {0, 0, 0, 0};  // their variances
  double cov01 = 0;              // covariance of z[0] and z[1] (fence segments)
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();  // polar: the sensor
  double ground_height = 0;
  double jacobian[2] = {1, 1};  // density per m^2 -> density in each view's measurement space
  Eigen::Matrix2d enu_cov = Eigen::Matrix2d::Identity();  // enu's horizontal covariance
  double enu_var_up = 0;                                  // and vertical variance
  std::optional<TargetClass> cls;
  double score = 1;

  // The measurement as a track of 2 (k = 0) or 3 (k = 1) dimensions sees it.
  void view(int k, MeasView& v) const;
  int dim(int k) const;
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

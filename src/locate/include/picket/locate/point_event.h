// Point events: locating sudden, impulsive events (a launch flash, a blast, a gunshot) from the
// reports of several sensors, docs/locate.md.
//
// A report is one sensor's observation of one event: the time it saw (light) or heard (sound)
// it, and optionally the bearing and elevation of the line towards it. Reports are grouped into
// events (associate_reports), and each group is located (locate_event) by weighted nonlinear
// least squares over the event's ground position (east, north; the height follows the terrain)
// and its time t0, with measurement models
//   sound arrival      t_i = t0 + |p - s_i| / c(T)       c(T) = 331.3 sqrt(1 + T / 273.15) m/s
//   light arrival      t_i = t0                          (the light's travel time is ignored)
//   bearing            b_i = atan2(p_e - s_e, p_n - s_n)   clockwise from north
//   elevation          e_i = atan2(p_u - s_u, |p - s|_horizontal)
// started from a closed form (Chan and Ho 1994 for three or more sound arrivals; the weighted
// least-squares intersection of bearing lines; a ray cast into the terrain for one bearing with
// elevation; flash-to-bang ranging) or, failing those, a coarse grid search, and refined by
// Gauss-Newton iterations with Levenberg-Marquardt damping (Marquardt 1963). The covariance is
// (J' W J)^-1 at the solution; its east-north block gives the uncertainty ellipse.
//
// Outliers: when the normalised residuals fail a chi-square test (probability `gate`), the
// report whose removal lowers the chi-square most is rejected and the event solved again
// (leave-one-out fault exclusion, as in GNSS receiver autonomous integrity monitoring), while
// enough reports remain.
//
// Thread-safety: pure functions over their arguments.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/config.h"
#include "picket/core/geo.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/formats/point_reports.h"
#include "picket/terrain/terrain.h"

namespace picket::locate {

// Speed of sound in dry air at `celsius` (m/s): 331.3 sqrt(1 + T/273.15).
double speed_of_sound(double celsius);

using formats::Signal;
// One sensor's report of an impulsive event (formats/point_reports.h).
using EventReport = formats::PointReport;

// The `locate:` section of a site file.
struct LocateConfig {
  double temperature_c = 15;
  double timing_sigma_s = 0.002;      // sound arrival times, when neither report nor sensor says
  double event_height_m = 0;          // events' height above the ground
  double gate = 0.999;                // chi-square test probability for outlier rejection
  double confidence = 0.95;           // of the uncertainty ellipses
  double association_slack_s = 0.05;  // added to every association time window
  double max_range_m = 0;  // largest sensor-to-event distance; 0: each sensor's max range
};
Result<LocateConfig> parse_locate_config(const ConfigNode& node);

// A sensor as the solver sees it.
struct ReportSensor {
  Enu position = Enu::Zero();
  SensorType type = SensorType::acoustic;
  double max_range_m = 2000;
  double sigma_t = 0.002;
  double sigma_bearing = 0.01;
  double sigma_elevation = 0.01;
};

enum class EventQuality : std::uint8_t {
  located,          // two or more sensors, position determined and consistent
  single_sensor,    // one sensor only: degraded (located only from a bearing with elevation)
  underdetermined,  // several sensors, but the position is not determined (e.g. two microphones)
  inconsistent,     // the reports disagree beyond the gate even after rejecting outliers
};
std::string_view to_string(EventQuality q);

struct Ellipse {
  double semi_major_m = 0;
  double semi_minor_m = 0;
  double orientation_rad = 0;  // bearing of the major axis, clockwise from north, [0, pi)
  double confidence = 0.95;
};

// The `confidence` ellipse of a 2x2 east-north covariance.
Ellipse covariance_ellipse(const Eigen::Matrix2d& cov, double confidence);
// Inverse of the chi-square distribution's CDF with `dof` degrees of freedom.
double chi2_quantile(double p, int dof);

struct RejectedReport {
  std::size_t index = 0;  // into the reports given
  double normalised_residual = 0;
};

struct LocatedEvent {
  std::string id;
  double t = 0;  // estimated time of the event
  double sigma_t = 0;
  bool has_position = false;   // false: only "near this sensor" is known
  Enu position = Enu::Zero();  // ENU; for events without a position, the sensor's
  Geodetic geodetic;
  Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();        // east-north covariance, m²
  Eigen::Matrix3d state_cov = Eigen::Matrix3d::Zero();  // of (east, north, t0)
  Ellipse ellipse;
  EventQuality quality = EventQuality::located;
  std::string method;             // "chan+gn", "bearings+gn", "grid+gn", ...
  std::vector<std::size_t> used;  // indices of the reports used
  std::vector<RejectedReport> rejected;
  std::vector<std::string> sensors;  // of the used reports, in order
  double chi2 = 0;
  int dof = 0;
  std::string kind;
  std::string message;  // for degraded results: what is known and why no more
};

// Groups reports (any order) into events: indices into `reports`, each group in time order.
// Two reports can share an event only if they come from different sensors and their implied
// event times are compatible: a light report at t fixes t0 = t; a sound report at t puts t0 in
// [t - R/c, t] (R the sensor's range); two sound reports can be at most |s_i - s_j|/c apart
// (plus timing errors).
std::vector<std::vector<std::size_t>> associate_reports(const std::vector<EventReport>& reports,
                                                        const std::vector<ReportSensor>& sensors,
                                                        const LocateConfig& config);

// Locates one event from the reports `group` (indices into `reports`; `sensors` parallel to
// `reports`).
LocatedEvent locate_event(const std::vector<EventReport>& reports,
                          const std::vector<ReportSensor>& sensors,
                          const std::vector<std::size_t>& group, const terrain::Terrain& terrain,
                          const LocateConfig& config);

// The sensor description of every report: position (the report's own, else the site's with
// the terrain's mast heights), noise and range. Errors name the report's line and sensor.
Result<std::vector<ReportSensor>> report_sensors(const std::vector<EventReport>& reports,
                                                 const Site& site,
                                                 const terrain::SiteTerrain& terrain,
                                                 const LocateConfig& config);

// Associates and locates every event, in time order, with ids "ev-1", "ev-2", ...
std::vector<LocatedEvent> locate_events(const std::vector<EventReport>& reports,
                                        const std::vector<ReportSensor>& sensors,
                                        const terrain::Terrain& terrain,
                                        const LocateConfig& config);

}  // namespace picket::locate

// The tracker's parameters: the `tracker:` section of the site file, read strictly (unknown keys
// are errors, every number is range-checked) with the defaults documented in docs/tracker.md.
// Every duration is in seconds and every distance in metres: nothing is counted in frames, so
// sensors of different rates share one set of parameters.
//
// Thread-safety: plain values.
#pragma once

#include <array>

#include "picket/core/config.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"

namespace picket::track {

enum class MotionModel : std::uint8_t {
  cv,   // nearly constant velocity (white-noise acceleration)
  imm,  // interacting multiple model: constant velocity + coordinated turns left and right
};

enum class Association : std::uint8_t {
  gnn,   // global nearest neighbour: optimal assignment inside clusters
  jpda,  // joint probabilistic data association (marginals by belief propagation)
};

// Per target class: process noise and plausible speed.
struct ClassKinematics {
  double process_noise = 1;  // q, spectral density of the white acceleration noise, m^2/s^3
  double max_speed = 30;     // m/s; faster tracks make this class unlikely
  double max_height = 1e9;   // m above the ground; higher tracks make this class unlikely
  double min_speed = 0;      // m/s; slower tracks make this class unlikely (fixed-wing aircraft)
};

struct TrackerParams {
  MotionModel motion = MotionModel::imm;
  Association association = Association::gnn;

  // --- input ---
  double reorder_window_s = 0.5;  // reports up to this late are put back in time order
  double max_rate_hz = 20000;     // per sensor; more detections per second are dropped (flood)
  double max_time_jump_s = 3600;  // a report this far ahead of the data clock is suspect
  double max_distance_m = 1e6;    // reports farther from the site origin are rejected
  double default_position_sigma_m = 5;  // for positions with no sigma from detection or site

  // --- motion ---
  std::array<ClassKinematics, kNumClasses> classes{};
  double turn_rate_rad_s = 0.2;          // of the IMM's coordinated-turn models (about 11.5 deg/s)
  double cv_mean_duration_s = 10;        // mean time spent in the straight-line mode
  double turn_mean_duration_s = 4;       // mean time spent in a turn mode
  double max_step_s = 1;                 // longer predictions are sub-stepped
  double initial_speed_sigma_mps = 5;    // velocity prior of a new track (per axis)
  double vertical_process_noise = 1;     // air tracks, m^2/s^3
  double initial_vertical_sigma_m = 50;  // air tracks without a measured height

  // --- association ---
  double gate_probability = 0.9995;  // Mahalanobis gate: chi-square quantile of this probability
  double grid_cell_m = 100;          // spatial hash cell for gating
  double doppler_sigma_mps = 0.5;    // when a detection carries Doppler
  bool use_doppler = true;
  double clutter_doppler_span_mps = 60;  // clutter Doppler is uniform over +-this

  // --- existence and life cycle (integrated probability of existence, IPDA) ---
  double new_targets_per_km2_h = 1;        // birth intensity
  double initial_target_density_km2 = 0;   // targets already present when tracking starts
  double min_clutter_per_km2_scan = 1e-3;  // floor for sensors that declare no false alarms
  // Time constant (s) of each sensor's clutter density measured from its unassociated reports;
  // the tracker uses the larger of that and the declared density (0: declared only).
  double clutter_memory_s = 30;
  double confirm_existence = 0.99;      // tentative -> confirmed
  double delete_existence = 0.02;       // confirmed/coasting -> deleted below this
  double tentative_delete_ratio = 0.1;  // tentative deleted below this x its initial value
  double tentative_max_age_s = 6;       // tentative tracks not confirmed by then are deleted
  double mean_lifetime_s = 3600;        // survival: existence decays as exp(-dt / this)
  double coast_after_s = 1.5;           // confirmed -> coasting without an update this long
  double max_coast_s = 15;              // coasting tracks are deleted after this long
  double max_position_sigma_m = 75;     // tracks this uncertain are deleted
  double manage_interval_s = 1;         // misses, status and deletion are evaluated this often
  bool spawn_near_confirmed = false;    // may a detection inside a confirmed track's gate
                                        // start a new track?

  // --- geometry ---
  double ground_height_m = 0;    // height of the ground above the origin (ground targets)
  double air_min_height_m = 30;  // reports at least this high start 3-D (air) tracks

  // --- class fusion ---
  double class_report_accuracy = 0.8;     // P(report = true class) for a trusted sensor, score 1
  double kinematic_class_interval_s = 1;  // speed/height evidence at most this often
  double kinematic_class_weight = 0.3;    // exponent on speed/height likelihoods (0..1)
  ClassProbabilities class_prior{0.3, 0.15, 0.15, 0.05, 0.05, 0.3};

  // --- output ---
  bool publish_tentative = true;
  double sensor_memory_s = 10;  // TrackState::sensors lists sensors heard from within this
};

// The defaults, for a site with no `tracker:` section.
TrackerParams default_params();

// Reads the `tracker:` section (which may be absent). Every problem is reported, each with its
// file, line and field.
Result<TrackerParams> parse_params(const ConfigNode* section);
inline Result<TrackerParams> params_from_site(const Site& site) {
  auto it = site.sections.find("tracker");
  return parse_params(it == site.sections.end() ? nullptr : &it->second);
}

}  // namespace picket::track

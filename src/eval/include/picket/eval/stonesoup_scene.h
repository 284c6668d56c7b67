// The standard Stone Soup multi-target scene (../shared/data/tracking/stonesoup-gnn-scene): N
// nearly-constant-velocity targets, linear position measurements with clutter, 100 scans, and
// the truth. Loads the scene's CSV and JSON files, runs Picket's tracker on the measurements and
// scores it with GOSPA and OSPA against the truth, scan by scan.
//
// The tracker is configured from the scene's published parameters only (scenario.json: noise,
// Pd, clutter rate, process noise, surveillance square, number of targets present at the
// start); the measurements' is_clutter and target_id columns are labels for scoring and are
// never read.
#pragma once

#include <string>
#include <vector>

#include "picket/core/result.h"
#include "picket/eval/gospa.h"
#include "picket/track/params.h"
#include "picket/track/stats.h"

namespace picket::eval {

struct StoneSoupScene {
  std::string dir;
  int n = 0;  // targets
  int scans = 0;
  double dt = 1;     // s between scans
  double q = 0.05;   // process noise, m^2/s^3
  double sigma = 5;  // measurement noise, m
  double pd = 0.9;
  double clutter_rate = 10;               // per scan
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;  // surveillance square, m
  double prior_speed_sigma = 5;           // the velocity prior of a new track, m/s
  double gospa_c = 10, gospa_p = 1;
  struct Scan {
    double t = 0;
    std::vector<Eigen::Vector2d> measurements;
    std::vector<Eigen::Vector2d> truth;
  };
  std::vector<Scan> scan;
};

Result<StoneSoupScene> load_stonesoup_scene(const std::string& dir);

struct SceneRun {
  std::vector<GospaResult> gospa;  // per scan
  std::vector<double> ospa;
  std::vector<double> scan_ms;  // tracker time per scan (push, process, snapshot)
  double mean_gospa = 0, mean_localisation = 0, mean_missed = 0, mean_false = 0, mean_ospa = 0;
  double median_ms = 0, mean_ms = 0, max_ms = 0;
  track::TrackerStats stats;
};

// The tracker parameters the scene implies.
track::TrackerParams scene_params(const StoneSoupScene& s, track::MotionModel motion,
                                  track::Association association);

Result<SceneRun> run_stonesoup_scene(const StoneSoupScene& s, const track::TrackerParams& p);

}  // namespace picket::eval

// Tracks scored against truth over time: GOSPA (with its localisation / missed / false split)
// and OSPA at every truth time step and averaged, identity switches, track fragmentation and the
// time a new target waits for a confirmed track.
//
// The estimate set at a truth time t holds every track whose latest update at or before t has
// status confirmed or coasting (tentative too if asked) and is at most max_age old, its position
// extrapolated to t with its velocity; a `deleted` update removes the track. Distances are
// horizontal, plus the vertical when the truth sample has a height.
//
// Identity (as in the CLEAR MOT conventions of K. Bernardin, R. Stiefelhagen, "Evaluating
// multiple object tracking performance", EURASIP J. Image and Video Processing 2008), using the
// GOSPA assignment at each step (pairs closer than c):
//   identity switch  a truth is assigned a track other than the last track it was assigned
//   fragmentation    a truth that was assigned, then not, is assigned again
//   time to confirm  from a truth's first sample to its first assignment
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "picket/core/types.h"
#include "picket/eval/gospa.h"

namespace picket::eval {

struct TrackEvalOptions {
  double c = 10;  // cut-off, m
  double p = 1;   // order
  double max_age_s = 10;
  bool include_tentative = false;
  double time_tolerance_s = 1e-6;  // truth samples this close in time form one step
};

struct StepMetrics {
  double t = 0;
  int truths = 0;
  int estimates = 0;
  double gospa = 0;
  double localisation = 0;
  double missed = 0;
  double false_ = 0;
  double ospa = 0;
};

struct TrackEvalResult {
  std::vector<StepMetrics> steps;
  double mean_gospa = 0;
  double mean_localisation = 0;
  double mean_missed = 0;
  double mean_false = 0;
  double mean_ospa = 0;
  int identity_switches = 0;
  int fragmentations = 0;
  int targets = 0;                    // distinct truth ids
  int targets_tracked = 0;            // ever assigned a track
  double mean_time_to_confirm_s = 0;  // over targets_tracked
  double max_time_to_confirm_s = 0;
  int tracks = 0;  // distinct track ids that appeared in an estimate set
};

// `truth` and `updates` in any order (both are sorted by time inside).
TrackEvalResult evaluate_tracks(std::vector<TruthSample> truth, std::vector<TrackState> updates,
                                const TrackEvalOptions& o);

// The result as a JSON object (pretty-printed), with the per-step series if asked.
std::string to_json(const TrackEvalResult& r, const TrackEvalOptions& o, bool steps);

// An SVG line chart of GOSPA, its parts and OSPA over time.
std::string to_svg(const TrackEvalResult& r, const TrackEvalOptions& o, const std::string& title);

}  // namespace picket::eval

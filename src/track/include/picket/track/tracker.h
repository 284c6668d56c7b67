// The multi-sensor multi-target tracker: detections from any number of asynchronous sensors in,
// track updates out. Pure computation: no I/O, no clock (time comes from the detections), no
// logging (rejections are counted in TrackerStats and sampled for the caller to log).
//
// Stages (docs/tracker.md has the equations and references):
//   input    validate each detection, convert it to measurement views (prepare.h), rate-limit
//            each sensor, and hold it in a reorder buffer released in time order once the data
//            clock has passed it by reorder_window; later reports are counted as late and dropped
//   batch    consecutive released reports of one sensor within half its scan period (one radar
//            sweep's plots, one camera frame) form a batch; each report is evaluated at its own
//            time
//   gate     tracks are registered in a spatial hash (disk_grid.h) over the disk they can reach
//            before the next manage step; each report visits only nearby tracks and keeps those
//            inside a chi-square gate on the Mahalanobis distance in its own measurement space
//   associate  optimal assignment (GNN) or JPDA marginals inside each cluster (association.h)
//   update   IMM/EKF update (filter.h), integrated probability of existence (IPDA), class fusion
//   manage   every manage_interval: misses of sensors that covered a track and scanned without
//            seeing it, coasting, deletion; the spatial hash is rebuilt
//   spawn    unassigned reports from sensors allowed to start tracks start tentative tracks whose
//            existence is the ratio of undetected-target density to clutter density
//
// Thread-safety: none; a Tracker belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/track/params.h"
#include "picket/track/stats.h"

namespace picket::track {

class Tracker {
 public:
  static Result<Tracker> create(const Site& site, const TrackerParams& params);
  Tracker(Tracker&&) noexcept;
  Tracker& operator=(Tracker&&) noexcept;
  ~Tracker();

  // Adds one detection. `ref` is the caller's reference for provenance (picket track passes the
  // line number); it comes back in TrackState::detection and in rejection samples. Bad
  // detections are counted and dropped, never fatal.
  void push(const Detection& d, std::uint64_t ref = 0);

  // Declares that the data clock has reached t (a live source's clock): reports older than
  // t - reorder_window are released and processed.
  void advance(double t);

  // Releases and processes everything buffered (end of input, or a caller that knows all
  // reports up to now are in). Later reports older than the last one processed count as late.
  void flush();

  // Track updates produced since the last clear_updates(), in time order: one per track per
  // batch that changed it, plus status changes (coasting, deleted) from the manage step.
  std::span<const TrackState> updates() const;
  void clear_updates();

  // The current picture: every live track predicted (constant velocity) to t. Confirmed and
  // coasting tracks, and tentative ones if asked.
  void snapshot(double t, std::vector<TrackState>& out, bool include_tentative = false) const;

  const TrackerStats& stats() const;
  const TrackerParams& params() const;
  std::size_t live_tracks() const;

 private:
  struct Impl;
  explicit Tracker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace picket::track

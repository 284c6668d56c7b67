// BoxTracker: multi-object tracking of boxes in one camera's image plane.
//
// Feed it each frame's detected boxes (with scores and an optional class label) and the
// frame's time; it returns the tracks to report for that frame, each with a persistent id.
// No file I/O, no clock, no logging: the MOTChallenge command (`picket mot`) and the camera
// pipeline (`picket video`) are thin adapters around it. One tracker per camera.
//
// Two methods (BoxTrackerParams::method):
//
//  - ByteTrack (Y. Zhang, P. Sun, Y. Jiang, D. Yu, F. Weng, Z. Yuan, P. Luo, W. Liu, X. Wang,
//    "ByteTrack: Multi-Object Tracking by Associating Every Detection Box", ECCV 2022). Boxes are
//    split by score into high (>= high_score) and low (low_score .. high_score). Each frame:
//      1. predict every track (Kalman filter on centre, aspect, height and their rates);
//      2. associate confirmed and lost tracks with the high boxes, IoU fused with the box score
//         (cost 1 - IoU x score, rejected below match_iou);
//      3. associate the confirmed tracks still unmatched with the low boxes (IoU >= second_iou):
//         the second pass that recovers occluded, low-scoring objects instead of dropping them;
//         tracks still unmatched become lost;
//      4. associate tentative tracks with the high boxes left (IoU >= unconfirmed_iou); a
//         tentative track not matched is deleted;
//      5. start a tentative track for each high box left scoring at least birth_score (on the
//         first frame tracks start confirmed);
//      6. delete lost tracks not seen for max_lost_s, and of a tracked and a lost track that
//         overlap by more than duplicate_iou, the younger.
//  - SORT (A. Bewley, Z. Ge, L. Ott, F. Ramos, B. Upcroft, "Simple Online and Realtime Tracking",
//    ICIP 2016), the baseline: Kalman filter on centre, area and aspect, one optimal assignment
//    maximising IoU with matches below match_iou rejected, no score use, a track reported once
//    it has been matched min_hits frames in a row (or during the first min_hits frames),
//    deleted after max_lost_s without a match.
//
// Association never builds a dense all-tracks x all-boxes matrix: a spatial grid (BoxGrid)
// finds the overlapping pairs and each cluster of mutually overlapping tracks and boxes is
// solved exactly on its own (Assigner, Jonker-Volgenant). A frame of thousands of boxes costs
// about linear time and memory.
//
// Durations are in seconds, taken from the frame times; frame_rate_hz is the nominal rate that
// scales the per-frame noise of the published Kalman models. Bad input is dropped and counted
// (stats()), never fatal: a box with a non-finite or non-positive size or a non-finite score is
// skipped; a frame whose time is not finite or goes backwards is refused with an Error and
// leaves the tracker unchanged.
//
// Thread-safety: none; one tracker belongs to one thread.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <variant>
#include <vector>

#include "picket/core/result.h"
#include "picket/imagetrack/assign.h"
#include "picket/imagetrack/box.h"
#include "picket/imagetrack/box_filter.h"

namespace picket::imagetrack {

enum class BoxMethod { bytetrack, sort };
// The Kalman box model (box_filter.h). SORT always uses its own (xysr).
enum class BoxModel { xywh, xyah };

struct BoxTrackerParams {
  BoxMethod method = BoxMethod::bytetrack;
  BoxModel model = BoxModel::xywh;  // ByteTrack's box model: BoT-SORT's xywh or the original xyah
  double frame_rate_hz = 30;        // nominal frame rate of the camera (noise per frame interval)
  double high_score = 0.6;       // ByteTrack tau_high: boxes for the first association and births
  double low_score = 0.1;        // ByteTrack tau_low: boxes below it are ignored
  double birth_score = 0.7;      // a new track needs a box scoring at least this
  double match_iou = 0.2;        // first association: reject pairs with IoU (x score) below this
  double second_iou = 0.5;       // second association (low boxes): IoU at least this
  double unconfirmed_iou = 0.3;  // tentative tracks: IoU (x score) at least this
  bool fuse_score = true;        // ByteTrack: multiply IoU by the box score in the cost
  double max_lost_s = 1.0;       // delete a track not matched for longer than this, seconds
  int min_hits = 3;              // SORT: report after this many matches in a row
  double duplicate_iou = 0.85;   // ByteTrack: tracked and lost tracks overlapping more are one
  bool class_aware = true;       // a box associates only with tracks of the same label
  bool report_measured = false;  // report the matched box itself instead of the filtered box
  double min_box_area = 0;       // report only tracks with a larger box (pixels^2); 0: all
  double max_aspect = std::numeric_limits<double>::infinity();  // report only w/h <= this

  // The published settings: ByteTrack (tau_high 0.6, new tracks 0.7, IoU 0.2, second pass 0.5,
  // lost tracks kept 30 frames at 30 Hz = 1 s) and SORT (IoU 0.3, min_hits 3, max_age 1 frame).
  static BoxTrackerParams bytetrack(double frame_rate_hz = 30);
  static BoxTrackerParams sort(double frame_rate_hz = 30);
  // Says which parameter is out of range.
  Status validate() const;
};

struct BoxDetection {
  Box box;
  double score = 1;  // detector confidence; ByteTrack's thresholds assume 0..1
  int label = 0;     // class label; tracks keep the label of their boxes
};

enum class BoxTrackState : std::uint8_t {
  tentative,  // started, not yet confirmed (not reported)
  tracked,    // confirmed and matched in this frame
  lost,       // confirmed, not matched in this frame (predicted only)
};

struct TrackedBox {
  std::uint64_t id = 0;  // 1, 2, ...; never reused
  Box box;               // filtered box (Kalman state) at this frame
  double score = 0;      // score of the last matched box
  int label = 0;
  BoxTrackState state = BoxTrackState::tentative;
  int detection = -1;  // index of the box (in this frame's input) that updated it; -1: none
  double first_t = 0;  // time of the first box, seconds
  double last_t = 0;   // time of the last matched box, seconds
  int hits = 0;        // boxes matched so far
};

struct BoxTrackerStats {
  std::uint64_t frames = 0;
  std::uint64_t frames_rejected = 0;  // time not finite or going backwards
  std::uint64_t boxes = 0;            // boxes given
  std::uint64_t boxes_rejected = 0;   // non-finite or empty boxes, non-finite scores
  std::uint64_t boxes_below_low = 0;  // ignored: score below low_score (ByteTrack)
  std::uint64_t first_matches = 0;    // matches of the first association
  std::uint64_t second_matches = 0;   // matches of the low-score pass (ByteTrack)
  std::uint64_t tentative_matches = 0;
  std::uint64_t tracks_started = 0;
  std::uint64_t tracks_confirmed = 0;
  std::uint64_t tracks_deleted = 0;
  std::uint64_t tracks_invalid = 0;  // deleted because the filter state became invalid
  int largest_cluster = 0;           // largest association cluster seen (tracks + boxes)
};

class BoxTracker {
 public:
  // Precondition: params.validate() is ok (create() checks it).
  explicit BoxTracker(BoxTrackerParams params = {});
  static Result<BoxTracker> create(BoxTrackerParams params);

  // Processes one frame at time t_s (seconds; non-decreasing). Returns the tracks to report
  // for this frame (confirmed and matched now, passing the output filters), in id order. The
  // span stays valid until the next call.
  Result<std::span<const TrackedBox>> update(double t_s, std::span<const BoxDetection> boxes);

  // Every live track (tentative, tracked and lost) after the last update, in id order.
  std::vector<TrackedBox> live_tracks() const;
  const BoxTrackerStats& stats() const { return stats_; }
  const BoxTrackerParams& params() const { return params_; }

 private:
  struct Track {
    std::uint64_t id = 0;
    std::variant<XyahFilter, XywhFilter, XysrFilter> filter;
    BoxTrackState state = BoxTrackState::tentative;
    double first_t = 0, last_t = 0;
    double score = 0;
    int label = 0;
    int hits = 0;
    int hit_streak = 0;            // SORT: matches in a row since creation
    std::uint64_t last_frame = 0;  // frame counter at the last match
    int detection = -1;
    Box predicted;
    Box measured;  // the last matched box
    bool dead = false;
  };
  Box track_box(const Track& tr) const;
  std::variant<XyahFilter, XywhFilter, XysrFilter> make_filter(const Box& b) const;
  void predict(Track& tr, double dt);
  void correct(Track& tr, const BoxDetection& d, int index, double t);
  void start_track(const BoxDetection& d, int index, double t, bool confirmed);
  // Assigns tracks (indices into tracks_) to boxes (indices into `dets`), IoU >= min_iou;
  // cost 1 - IoU (x score when fused) with cost limit 1 - min_iou, or for SORT maximum IoU.
  void associate(const std::vector<int>& track_idx, const std::vector<int>& det_idx,
                 std::span<const BoxDetection> dets, double min_iou, bool fuse, bool sort_style,
                 std::vector<int>& track_match, std::vector<int>& det_match);
  void step_bytetrack(double t, std::span<const BoxDetection> dets, const std::vector<int>& valid);
  void step_sort(double t, std::span<const BoxDetection> dets, const std::vector<int>& valid);
  void remove_dead();
  bool reportable(const Track& tr) const;

  BoxTrackerParams params_;
  BoxTrackerStats stats_;
  std::vector<Track> tracks_;  // in id order
  std::vector<TrackedBox> out_;
  std::uint64_t next_id_ = 1;
  bool started_ = false;
  double last_t_ = 0;
  // Scratch, reused across frames.
  BoxGrid grid_;
  Assigner assigner_;
  std::vector<Box> qboxes_, dboxes_;
  std::vector<BoxPair> pairs_;
  std::vector<CostPair> costs_;
  std::vector<int> ma_, mb_;
};

}  // namespace picket::imagetrack

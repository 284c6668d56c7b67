// A MOTChallenge sequence made ready for scoring: ground-truth and result boxes grouped by
// frame, identities renumbered 0..n-1, and every overlapping (ground truth, result) pair of a
// frame with its intersection over union. The CLEAR MOT, identity (IDF1) and HOTA metrics
// (clear_mot.h, identity.h, hota.h) all read this one structure, as in the official evaluator
// (TrackEval, J. Luiten and A. Hoffhues, 2020), whose conventions it follows so that scores agree
// to the published decimal:
//
//  - IoU of boxes given as left, top, width, height, with empty boxes overlapping nothing;
//  - preprocessing of ground truth (MotPreprocess): MOT15 keeps the boxes whose consider flag
//    (column 7, truncated to an integer) is not 0; MOT16/17 also keep only pedestrians (class 1)
//    and first delete every result box that matches, at IoU >= 0.5 in an optimal one-to-one
//    assignment, a ground-truth box of a distractor class (person on vehicle 2, static person 7,
//    distractor 8, reflection 12; MOT20 adds non-motorised vehicle 6). `none` keeps every row
//    (py-motmetrics' default).
//
// Only pairs with IoU > 0 are stored, so memory grows with the overlaps, not with the product
// of box counts. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "picket/core/result.h"
#include "picket/formats/mot.h"

namespace picket::eval {

// Intersection over union of two boxes (left, top, width, height), computed exactly as the
// MOTChallenge evaluators do: 0 when either box has no area.
double box_iou(double ax, double ay, double aw, double ah, double bx, double by, double bw,
               double bh);

enum class MotPreprocess { none, mot15, mot17, mot20 };
// "none", "mot15", "mot16" (same as mot17), "mot17", "mot20".
Result<MotPreprocess> parse_mot_preprocess(std::string_view s);
const char* to_string(MotPreprocess p);
// The preprocessing a ground-truth file calls for: mot17 when every row has a class column
// with MOTChallenge class numbers (1..13), else mot15.
MotPreprocess detect_mot_preprocess(std::span<const formats::MotRow> gt);

struct MotPrepareOptions {
  MotPreprocess preprocess = MotPreprocess::mot15;
  int num_frames = 0;  // the sequence length (seqinfo.ini seqLength); 0: the last frame seen
};

struct MotOverlap {
  int gt = 0;   // index into the frame's gt_ids
  int res = 0;  // index into the frame's res_ids
  double iou = 0;
};

struct MotFrame {
  std::vector<int> gt_ids;           // renumbered identities, one per ground-truth box
  std::vector<int> res_ids;          // renumbered identities, one per result box
  std::vector<MotOverlap> overlaps;  // every pair with IoU > 0, ordered by gt then res
};

struct MotSequence {
  std::string name;
  std::vector<MotFrame> frames;  // frames[k] is frame k + 1
  int num_gt_ids = 0;
  int num_res_ids = 0;
  long long num_gt_dets = 0;
  long long num_res_dets = 0;
  std::vector<long long> gt_labels;   // original id of each renumbered ground-truth identity
  std::vector<long long> res_labels;  // original id of each renumbered result identity
  long long removed_gt = 0;           // ground-truth rows dropped by the preprocessing
  long long removed_res = 0;          // result rows matched to distractors and dropped
};

// Groups, preprocesses and renumbers. Errors: an identity twice in one frame, a frame beyond
// num_frames, and (mot17/mot20) ground truth without a valid class column or results of a
// class other than pedestrian.
Result<MotSequence> prepare_mot_sequence(std::span<const formats::MotRow> gt,
                                         std::span<const formats::MotRow> res,
                                         const MotPrepareOptions& options, std::string name = "");

}  // namespace picket::eval

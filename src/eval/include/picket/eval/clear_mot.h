// CLEAR MOT metrics: MOTA and MOTP (K. Bernardin, R. Stiefelhagen, "Evaluating Multiple Object
// Tracking Performance: The CLEAR MOT Metrics", EURASIP Journal on Image and Video Processing,
// 2008), with the MOTChallenge conventions (A. Milan et al., "MOT16: A Benchmark for
// Multi-Object Tracking", arXiv:1603.00831, and the official evaluator):
//
//  - a ground-truth box and a result box may match when their IoU is at least the threshold
//    (0.5);
//  - in each frame the matching is optimal, and a pair that continues the previous frame's match
//    of that ground-truth object outranks any other (the paper's "keep previous
//    correspondences"), then the total IoU is maximised;
//  - an identity switch is counted when an object is matched to a different result id than at
//    its last match (however long ago);
//  - MT/PT/ML: objects tracked in more than 80 %, at least 20 %, less than 20 % of their frames;
//    Frag: the times an object's tracking resumes after an interruption.
//
// MOTA = 1 - (FN + FP + IDSW) / GT; MOTP = mean IoU of the matches (a similarity, higher is
// better; py-motmetrics reports 1 - this). Pure functions; thread-safe.
#pragma once

#include <span>

#include "picket/eval/mot_data.h"

namespace picket::eval {

struct ClearMot {
  long long tp = 0, fn = 0, fp = 0, idsw = 0;
  long long mt = 0, pt = 0, ml = 0, frag = 0;
  long long frames = 0;
  double motp_sum = 0;  // sum of the IoU of every match

  long long gt() const { return tp + fn; }
  double mota() const;
  double moda() const;
  double motp() const;
  double recall() const;
  double precision() const;
  double smota() const;  // soft MOTA: (motp_sum - FP - IDSW) / GT
  double mt_ratio() const;
  double pt_ratio() const;
  double ml_ratio() const;
  // Sums the counts of another sequence (the MOTChallenge way of combining sequences).
  ClearMot& operator+=(const ClearMot& o);
};

ClearMot clear_mot(const MotSequence& seq, double threshold = 0.5);

}  // namespace picket::eval

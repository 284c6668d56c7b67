// All MOTChallenge scores of a sequence at once: CLEAR MOT (clear_mot.h), identity (identity.h)
// and HOTA (hota.h), combined over sequences the way MOTChallenge combines a benchmark, and
// written as JSON (the output of `picket eval --mot`). Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>

#include "picket/eval/clear_mot.h"
#include "picket/eval/hota.h"
#include "picket/eval/identity.h"
#include "picket/eval/mot_data.h"

namespace picket::eval {

struct MotScores {
  std::string name;
  double threshold = 0.5;  // IoU for a CLEAR / identity match
  ClearMot clear;
  IdentityScores identity;
  Hota hota;
  long long gt_dets = 0, res_dets = 0;
  long long gt_ids = 0, res_ids = 0;
  long long removed_gt = 0, removed_res = 0;
};

MotScores score_mot(const MotSequence& seq, double threshold = 0.5);
MotScores combine(std::span<const MotScores> parts, std::string name = "COMBINED");

// One JSON object: the headline scores (fractions 0..1), the counts, and HOTA, DetA, AssA and
// LocA at each alpha.
std::string to_json(const MotScores& s, int indent = 2);

}  // namespace picket::eval

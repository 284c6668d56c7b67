// Identity metrics IDF1, IDP, IDR (E. Ristani, F. Solera, R. Zou, R. Cucchiara, C. Tomasi,
// "Performance Measures and a Data Set for Multi-Target, Multi-Camera Tracking", ECCV 2016
// workshops): every ground-truth identity is matched to at most one result identity, once for
// the whole sequence, by a global optimal bipartite matching that maximises the number of
// frames in which the two boxes overlap by IoU >= threshold (IDTP). IDFN and IDFP are the
// ground-truth and result boxes left over. IDF1 = 2 IDTP / (2 IDTP + IDFP + IDFN).
//
// The matching is solved per connected component of identities that ever overlap (Jonker-
// Volgenant, picket/core/assignment.h). Pure functions; thread-safe.
#pragma once

#include "picket/eval/mot_data.h"

namespace picket::eval {

struct IdentityScores {
  long long idtp = 0, idfn = 0, idfp = 0;
  double idf1() const;
  double idp() const;
  double idr() const;
  IdentityScores& operator+=(const IdentityScores& o);
};

IdentityScores identity_scores(const MotSequence& seq, double threshold = 0.5);

}  // namespace picket::eval

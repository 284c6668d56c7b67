// HOTA, Higher Order Tracking Accuracy (J. Luiten, A. Osep, P. Dendorfer, P. Torr, A. Geiger,
// L. Leal-Taixé, B. Leibe, "HOTA: A Higher Order Metric for Evaluating Multi-Object Tracking",
// IJCV 129, 2021). For each localisation threshold alpha = 0.05, 0.10, ..., 0.95:
//
//  - per frame, ground-truth and result boxes are matched one-to-one maximising the sum of
//    A_global(gt id, res id) * IoU, where A_global is the identities' overall alignment (a
//    Jaccard index of their soft co-occurrences over the sequence), and pairs with IoU >= alpha
//    are true positives (TP); the rest are FN and FP;
//  - DetA = TP / (TP + FN + FP);
//  - AssA = mean over TPs c of |TPA(c)| / (|TPA(c)| + |FNA(c)| + |FPA(c)|), the Jaccard index of
//    the two identities of c over the sequence; AssRe, AssPr likewise;
//  - HOTA_alpha = sqrt(DetA * AssA); LocA = mean IoU of the TPs.
//
// The reported HOTA, DetA, AssA, LocA are the means over the 19 alphas (the paper's integral).
// Conventions (epsilon tolerances, the empty-sequence cases, combining sequences) follow the
// authors' evaluator, TrackEval. Pure functions; thread-safe.
#pragma once

#include <array>
#include <span>

#include "picket/eval/mot_data.h"

namespace picket::eval {

struct Hota {
  static constexpr int kAlphas = 19;
  using Array = std::array<double, kAlphas>;
  static double alpha(int a) { return 0.05 + a * 0.05; }  // as numpy.arange(0.05, 0.99, 0.05)

  Array tp{}, fn{}, fp{};  // counts per alpha
  Array ass_a{}, ass_re{}, ass_pr{}, loc_a{};

  double det_a(int a) const;
  double det_re(int a) const;
  double det_pr(int a) const;
  double hota(int a) const;
  // Means over the alphas: the headline numbers.
  double hota() const;
  double det_a() const;
  double ass_a_mean() const;
  double det_re() const;
  double det_pr() const;
  double ass_re_mean() const;
  double ass_pr_mean() const;
  double loc_a_mean() const;
};

Hota hota(const MotSequence& seq);

// Several sequences scored as one (TP-weighted association and localisation), as MOTChallenge
// combines a benchmark's sequences.
Hota combine(std::span<const Hota> parts);

}  // namespace picket::eval

// Class fusion: a probability over person, vehicle, animal, aircraft, drone and unknown, updated
// by Bayes' rule from sensors' class reports and from the track's kinematics.
//
// Report model (a symmetric confusion matrix): a sensor reporting class c is right with
// probability a and otherwise reports any other class equally, P(c | k) = a if c = k, else
// (1 - a)/(K - 1). A report's score s in [0, 1] scales its accuracy toward chance,
// a_s = 1/K + s (a - 1/K), so a low-confidence report moves the distribution little. Reports of
// `unknown` carry no information and are ignored.
//
// Kinematic evidence: each class has a plausible speed band [min_speed, max_speed] and a maximum
// height above the ground; the likelihood is 1 inside and falls off as a Gaussian of the excess
// measured in the estimate's own standard deviation (never sharper than 10% of the bound), then
// is tempered by an exponent w in [0, 1] (repeated kinematic evidence is strongly correlated, so
// it must not count as independent each time). Probabilities are floored at 1e-6 so that no
// class becomes impossible.
//
// Pure functions; thread-safe.
#pragma once

#include <array>

#include "picket/core/types.h"
#include "picket/track/params.h"

namespace picket::track {

void fuse_class_report(ClassProbabilities& p, TargetClass reported, double accuracy,
                       double score = 1);

void fuse_kinematics(ClassProbabilities& p, double speed, double speed_sigma, double height,
                     double height_sigma, const std::array<ClassKinematics, kNumClasses>& classes,
                     double weight);

// The most probable class and its probability.
std::pair<TargetClass, double> most_probable(const ClassProbabilities& p);

}  // namespace picket::track

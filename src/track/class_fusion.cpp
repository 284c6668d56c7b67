#include "picket/track/class_fusion.h"

#include <algorithm>
#include <cmath>

namespace picket::track {

namespace {

constexpr double kFloor = 1e-6;

void normalise(ClassProbabilities& p) {
  double total = 0;
  for (auto& x : p) {
    x = std::max(x, kFloor);
    total += x;
  }
  for (auto& x : p)
    x /= total;
}

// exp(-0.5 (excess / sigma)^2) for an excess beyond a bound, 1 inside it.
double soft_bound(double excess, double sigma) {
  if (excess <= 0) return 1;
  const double z = excess / sigma;
  return std::exp(-0.5 * z * z);
}

}  // namespace

void fuse_class_report(ClassProbabilities& p, TargetClass reported, double accuracy, double score) {
  if (reported == TargetClass::unknown) return;
  const double chance = 1.0 / kNumClasses;
  const double a = chance + std::clamp(score, 0.0, 1.0) * (accuracy - chance);
  const double other = (1 - a) / (kNumClasses - 1);
  for (int k = 0; k < kNumClasses; ++k)
    p[static_cast<size_t>(k)] *= k == static_cast<int>(reported) ? a : other;
  normalise(p);
}

void fuse_kinematics(ClassProbabilities& p, double speed, double speed_sigma, double height,
                     double height_sigma, const std::array<ClassKinematics, kNumClasses>& classes,
                     double weight) {
  if (weight <= 0) return;
  for (int k = 0; k < kNumClasses; ++k) {
    const auto& c = classes[static_cast<size_t>(k)];
    const double sv_hi = std::max(speed_sigma, 0.1 * c.max_speed);
    const double sv_lo = std::max(speed_sigma, 0.1 * std::max(c.min_speed, 1.0));
    const double sh = std::max(height_sigma, std::max(0.1 * c.max_height, 2.0));
    double like = soft_bound(speed - c.max_speed, sv_hi) * soft_bound(c.min_speed - speed, sv_lo) *
                  soft_bound(height - c.max_height, sh);
    if (like >= 1) continue;  // inside every bound: nothing to weigh
    like = std::max(like, 1e-9);
    p[static_cast<size_t>(k)] *= std::pow(like, weight);
  }
  normalise(p);
}

std::pair<TargetClass, double> most_probable(const ClassProbabilities& p) {
  const auto it = std::max_element(p.begin(), p.end());
  return {static_cast<TargetClass>(it - p.begin()), *it};
}

}  // namespace picket::track

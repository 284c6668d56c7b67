// Chi-square quantiles and covariance ellipses.
#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>

#include "picket/core/units.h"
#include "picket/locate/point_event.h"

namespace picket::locate {

namespace {

// Regularised lower incomplete gamma P(a, x): series for x < a + 1, Lentz's continued fraction
// for Q otherwise (Numerical Recipes, 3rd ed., section 6.2).
double gamma_p(double a, double x) {
  if (x <= 0) return 0;
  const double lg = std::lgamma(a);
  if (x < a + 1) {
    double sum = 1.0 / a, term = sum, ap = a;
    for (int n = 0; n < 1000; ++n) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (std::abs(term) < std::abs(sum) * 1e-15) break;
    }
    return sum * std::exp(-x + a * std::log(x) - lg);
  }
  constexpr double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::abs(del - 1) < 1e-15) break;
  }
  return 1 - std::exp(-x + a * std::log(x) - lg) * h;
}

}  // namespace

double chi2_quantile(double p, int dof) {
  if (dof <= 0) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return std::numeric_limits<double>::infinity();
  if (dof == 2) return -2 * std::log1p(-p);
  const double k = dof / 2.0;
  double lo = 0, hi = std::max(10.0, 10.0 * dof);
  while (gamma_p(k, hi / 2) < p)
    hi *= 2;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (gamma_p(k, mid / 2) < p ? lo : hi) = mid;
    if (hi - lo < 1e-12 * hi) break;
  }
  return 0.5 * (lo + hi);
}

Ellipse covariance_ellipse(const Eigen::Matrix2d& cov, double confidence) {
  Ellipse e;
  e.confidence = confidence;
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(0.5 * (cov + cov.transpose()));
  const double k = chi2_quantile(confidence, 2);
  const Eigen::Vector2d ev = es.eigenvalues().cwiseMax(0.0);  // ascending
  e.semi_major_m = std::sqrt(k * ev(1));
  e.semi_minor_m = std::sqrt(k * ev(0));
  const Eigen::Vector2d major = es.eigenvectors().col(1);  // (east, north)
  double bearing = std::atan2(major.x(), major.y());
  bearing = std::fmod(bearing + 2 * kPi, kPi);
  e.orientation_rad = bearing;
  return e;
}

}  // namespace picket::locate

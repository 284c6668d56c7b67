#include "picket/track/chi2.h"

#include <cassert>
#include <cmath>
#include <numbers>

namespace picket::track {

double chi2_cdf(double x, int k) {
  assert(k >= 1 && k <= 8);
  if (x <= 0) return 0;
  const double h = x / 2;
  if (k % 2 == 0) {
    // 1 - exp(-h) sum_{i < k/2} h^i / i!
    double term = 1, sum = 1;
    for (int i = 1; i < k / 2; ++i) {
      term *= h / i;
      sum += term;
    }
    return 1 - std::exp(-h) * sum;
  }
  // Odd k: erf(sqrt(h)) - exp(-h) sum_{i=1}^{(k-1)/2} h^(i-1/2) / Gamma(i + 1/2)
  double sum = 0;
  double g = std::sqrt(std::numbers::pi) / 2;  // Gamma(3/2)
  double hp = std::sqrt(h);                    // h^(1/2)
  for (int i = 1; i <= (k - 1) / 2; ++i) {
    sum += hp / g;
    g *= i + 0.5;
    hp *= h;
  }
  return std::erf(std::sqrt(h)) - std::exp(-h) * sum;
}

double chi2_quantile(double p, int k) {
  assert(p > 0 && p < 1);
  double lo = 0, hi = 1;
  while (chi2_cdf(hi, k) < p)
    hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (chi2_cdf(mid, k) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace picket::track

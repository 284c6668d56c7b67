// Chi-square distribution for Mahalanobis gates: the cumulative distribution for small whole
// degrees of freedom in closed form, and its quantile by bisection.
#pragma once

namespace picket::track {

// P(X <= x) for X chi-square with k degrees of freedom, 1 <= k <= 8.
double chi2_cdf(double x, int k);

// The x with chi2_cdf(x, k) = p, 0 < p < 1.
double chi2_quantile(double p, int k);

}  // namespace picket::track

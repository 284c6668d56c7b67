#include "picket/locate/tdoa.h"

#include <Eigen/Dense>
#include <cmath>

namespace picket::locate {

namespace {

// Solves the weighted least-squares problem min (G z - h)' W (G z - h); nothing if singular.
template <int N>
bool wls(const Eigen::MatrixXd& g, const Eigen::VectorXd& h, const Eigen::MatrixXd& w,
         Eigen::Matrix<double, N, 1>& z, Eigen::Matrix<double, N, N>& cov) {
  const Eigen::Matrix<double, N, N> n = g.transpose() * w * g;
  Eigen::FullPivLU<Eigen::Matrix<double, N, N>> lu(n);
  if (!lu.isInvertible() || lu.rcond() < 1e-14) return false;
  cov = lu.inverse();
  z = cov * (g.transpose() * w * h);
  return z.allFinite();
}

}  // namespace

std::vector<Eigen::Vector2d> chan_tdoa(const std::vector<Eigen::Vector2d>& s,
                                       const std::vector<double>& t,
                                       const std::vector<double>& sigma, double c) {
  std::vector<Eigen::Vector2d> out;
  const int m = static_cast<int>(s.size());
  if (m < 3 || static_cast<int>(t.size()) != m || static_cast<int>(sigma.size()) != m) return out;
  // Work relative to the reference sensor: better conditioned, and K_1 = 0.
  const Eigen::Vector2d s0 = s[0];
  Eigen::MatrixXd ga(m - 1, 3);
  Eigen::VectorXd h(m - 1);
  Eigen::VectorXd r(m - 1);
  for (int i = 1; i < m; ++i) {
    const Eigen::Vector2d d = s[static_cast<std::size_t>(i)] - s0;
    r(i - 1) = c * (t[static_cast<std::size_t>(i)] - t[0]);
    ga.row(i - 1) << -d.x(), -d.y(), -r(i - 1);
    h(i - 1) = 0.5 * (r(i - 1) * r(i - 1) - d.squaredNorm());
  }

  if (m == 3) {
    // (x, y) = a + b R1 from the two linear equations; R1 from the quadratic.
    Eigen::Matrix2d a2 = ga.leftCols<2>();
    if (std::abs(a2.determinant()) < 1e-9 * (1 + a2.squaredNorm())) return out;
    const Eigen::Vector2d a = a2.inverse() * h;
    const Eigen::Vector2d b = a2.inverse() * (-ga.col(2));
    const double qa = b.squaredNorm() - 1, qb = 2 * b.dot(a), qc = a.squaredNorm();
    std::vector<double> roots;
    if (std::abs(qa) < 1e-12) {
      if (std::abs(qb) > 1e-12) roots.push_back(-qc / qb);
    } else {
      const double disc = qb * qb - 4 * qa * qc;
      if (disc >= 0) {
        const double sq = std::sqrt(disc);
        roots.push_back((-qb - sq) / (2 * qa));
        roots.push_back((-qb + sq) / (2 * qa));
      }
    }
    for (double r1 : roots) {
      if (r1 >= 0) out.push_back(s0 + a + b * r1);
    }
    return out;
  }

  // Covariance of the range differences (metres): common reference error plus each sensor's.
  Eigen::MatrixXd q(m - 1, m - 1);
  for (int i = 0; i < m - 1; ++i)
    for (int j = 0; j < m - 1; ++j)
      q(i, j) = c * c *
                (sigma[0] * sigma[0] + (i == j ? sigma[static_cast<std::size_t>(i + 1)] *
                                                     sigma[static_cast<std::size_t>(i + 1)]
                                               : 0.0));
  // Stage 1, first with Psi = Q (distances unknown), then with B = diag(R_i) from that estimate.
  Eigen::Vector3d z;
  Eigen::Matrix3d cov_z;
  Eigen::MatrixXd w = q.inverse();
  if (!wls<3>(ga, h, w, z, cov_z)) return out;
  for (int iter = 0; iter < 2; ++iter) {
    Eigen::VectorXd dist(m - 1);
    for (int i = 1; i < m; ++i)
      dist(i - 1) = std::max((z.head<2>() - (s[static_cast<std::size_t>(i)] - s0)).norm(), 1.0);
    const Eigen::MatrixXd b = dist.asDiagonal();
    const Eigen::MatrixXd psi = b * q * b;
    w = psi.inverse();
    if (!wls<3>(ga, h, w, z, cov_z)) return out;
  }
  const Eigen::Vector2d stage1 = s0 + z.head<2>();

  // Stage 2: z' = ((x - x1)², (y - y1)²) with R1² = (x - x1)² + (y - y1)².
  Eigen::MatrixXd g2(3, 2);
  g2 << 1, 0, 0, 1, 1, 1;
  Eigen::VectorXd h2(3);
  h2 << z(0) * z(0), z(1) * z(1), z(2) * z(2);
  Eigen::Vector3d bd(z(0), z(1), z(2));
  for (int k = 0; k < 3; ++k)
    if (std::abs(bd(k)) < 1e-3) bd(k) = bd(k) < 0 ? -1e-3 : 1e-3;
  const Eigen::Matrix3d b2 = bd.asDiagonal();
  Eigen::Matrix3d psi2 = 4 * b2 * cov_z * b2;
  psi2 += 1e-9 * psi2.trace() * Eigen::Matrix3d::Identity();
  Eigen::Vector2d z2;
  Eigen::Matrix2d cov2;
  if (wls<2>(g2, h2, psi2.inverse(), z2, cov2)) {
    const Eigen::Vector2d p(std::copysign(std::sqrt(std::max(z2(0), 0.0)), z(0)),
                            std::copysign(std::sqrt(std::max(z2(1), 0.0)), z(1)));
    out.push_back(s0 + p);
  }
  out.push_back(stage1);
  return out;
}

}  // namespace picket::locate

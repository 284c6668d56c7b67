#include "picket/core/geometry.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace picket {

double Segment2::project(const Vec2& p) const {
  const Vec2 d = b - a;
  const double len2 = d.squaredNorm();
  if (len2 <= 0) return 0;
  return std::clamp((p - a).dot(d) / len2, 0.0, 1.0);
}

Vec2 Segment2::closest_point(const Vec2& p) const {
  return a + project(p) * (b - a);
}

double Segment2::side(const Vec2& p) const {
  const Vec2 d = b - a;
  const Vec2 q = p - a;
  return d.x() * q.y() - d.y() * q.x();
}

std::optional<double> segment_intersection(const Vec2& p0, const Vec2& p1, const Segment2& s) {
  const Vec2 r = p1 - p0;
  const Vec2 q = s.b - s.a;
  const double denom = r.x() * q.y() - r.y() * q.x();
  if (denom == 0) return std::nullopt;  // parallel or collinear
  const Vec2 w = s.a - p0;
  const double t = (w.x() * q.y() - w.y() * q.x()) / denom;
  const double u = (w.x() * r.y() - w.y() * r.x()) / denom;
  if (t < 0 || t > 1 || u < 0 || u > 1) return std::nullopt;
  return t;
}

Polygon::Polygon(std::vector<Vec2> vertices) : v_(std::move(vertices)) {
  if (v_.empty()) return;
  box_.min = box_.max = v_.front();
  for (const auto& p : v_) {
    box_.min = box_.min.cwiseMin(p);
    box_.max = box_.max.cwiseMax(p);
  }
}

bool Polygon::contains(const Vec2& p) const {
  if (v_.size() < 3 || !box_.contains(p)) return false;
  bool inside = false;
  for (size_t i = 0, j = v_.size() - 1; i < v_.size(); j = i++) {
    const Vec2& a = v_[i];
    const Vec2& b = v_[j];
    if ((a.y() > p.y()) != (b.y() > p.y())) {
      const double x = a.x() + (p.y() - a.y()) * (b.x() - a.x()) / (b.y() - a.y());
      if (p.x() < x) inside = !inside;
    }
  }
  return inside;
}

double Polygon::area() const {
  double s = 0;
  for (size_t i = 0, j = v_.size() - 1; i < v_.size(); j = i++) {
    s += v_[j].x() * v_[i].y() - v_[i].x() * v_[j].y();
  }
  return std::abs(s) / 2.0;
}

Vec2 Polygon::centroid() const {
  double a = 0;
  Vec2 c(0, 0);
  for (size_t i = 0, j = v_.size() - 1; i < v_.size(); j = i++) {
    const double cross = v_[j].x() * v_[i].y() - v_[i].x() * v_[j].y();
    a += cross;
    c += (v_[j] + v_[i]) * cross;
  }
  if (a == 0) {
    Vec2 m(0, 0);
    for (const auto& p : v_)
      m += p;
    return v_.empty() ? m : Vec2(m / static_cast<double>(v_.size()));
  }
  return c / (3.0 * a);
}

double Polygon::boundary_distance(const Vec2& p) const {
  double best = std::numeric_limits<double>::infinity();
  for (size_t i = 0, j = v_.size() - 1; i < v_.size(); j = i++) {
    best = std::min(best, Segment2{v_[j], v_[i]}.distance(p));
  }
  return best;
}

}  // namespace picket

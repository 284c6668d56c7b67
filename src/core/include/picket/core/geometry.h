// Plane geometry in the site's local frame (east, north metres): polylines, segments and
// polygons, with the few queries the tracker, the rules and the simulator need.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <vector>

namespace picket {

using Vec2 = Eigen::Vector2d;

struct Segment2 {
  Vec2 a;
  Vec2 b;

  double length() const { return (b - a).norm(); }
  // Parameter in [0,1] of the point of the segment closest to p.
  double project(const Vec2& p) const;
  Vec2 closest_point(const Vec2& p) const;
  double distance(const Vec2& p) const { return (closest_point(p) - p).norm(); }
  // > 0 when p is left of a->b, < 0 when right, 0 on the line (twice the signed triangle area).
  double side(const Vec2& p) const;
};

// Where segments p0->p1 and a->b cross: the parameter along p0->p1 in [0,1], or nothing.
// Touching at an end point counts as crossing; collinear overlaps do not.
std::optional<double> segment_intersection(const Vec2& p0, const Vec2& p1, const Segment2& s);

// Axis-aligned bounding box.
struct Box2 {
  Vec2 min{0, 0};
  Vec2 max{0, 0};
  bool contains(const Vec2& p) const {
    return p.x() >= min.x() && p.x() <= max.x() && p.y() >= min.y() && p.y() <= max.y();
  }
};

// A simple polygon (no holes), vertices in order, not closed (the last vertex joins the first).
class Polygon {
 public:
  Polygon() = default;
  explicit Polygon(std::vector<Vec2> vertices);

  const std::vector<Vec2>& vertices() const { return v_; }
  const Box2& bounds() const { return box_; }
  // Even-odd rule (ray casting). Points on the boundary may fall on either side.
  bool contains(const Vec2& p) const;
  double area() const;  // absolute area, m^2
  Vec2 centroid() const;
  // Distance from p to the polygon's boundary.
  double boundary_distance(const Vec2& p) const;

 private:
  std::vector<Vec2> v_;
  Box2 box_;
};

}  // namespace picket

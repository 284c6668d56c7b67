#include <gtest/gtest.h>

#include "picket/core/geometry.h"
#include "picket/core/units.h"

namespace picket {
namespace {

TEST(Geometry, SegmentDistanceAndSide) {
  const Segment2 s{{0, 0}, {10, 0}};
  EXPECT_DOUBLE_EQ(s.distance({5, 3}), 3);
  EXPECT_DOUBLE_EQ(s.distance({-4, 3}), 5);
  EXPECT_GT(s.side({5, 1}), 0);
  EXPECT_LT(s.side({5, -1}), 0);
}

TEST(Geometry, SegmentIntersection) {
  const Segment2 s{{0, -1}, {0, 1}};
  auto t = segment_intersection({-1, 0}, {3, 0}, s);
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(*t, 0.25);
  EXPECT_FALSE(segment_intersection({1, 0}, {3, 0}, s));
  EXPECT_FALSE(segment_intersection({-1, 2}, {1, 2}, s));
  EXPECT_FALSE(segment_intersection({0, -5}, {0, 5}, s));  // collinear
}

TEST(Geometry, PolygonContainsAreaCentroid) {
  const Polygon sq({{0, 0}, {10, 0}, {10, 10}, {0, 10}});
  EXPECT_TRUE(sq.contains({5, 5}));
  EXPECT_FALSE(sq.contains({15, 5}));
  EXPECT_FALSE(sq.contains({-0.1, 5}));
  EXPECT_DOUBLE_EQ(sq.area(), 100);
  EXPECT_NEAR(sq.centroid().x(), 5, 1e-12);
  EXPECT_NEAR(sq.boundary_distance({5, 4}), 4, 1e-12);
  // Concave: an L shape.
  const Polygon l({{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 10}, {0, 10}});
  EXPECT_TRUE(l.contains({1, 9}));
  EXPECT_FALSE(l.contains({5, 5}));
  EXPECT_DOUBLE_EQ(l.area(), 36);
}

TEST(Units, AnglesWrap) {
  EXPECT_NEAR(wrap_pi(3 * kPi / 2), -kPi / 2, 1e-12);
  EXPECT_NEAR(wrap_2pi(-kPi / 2), 3 * kPi / 2, 1e-12);
  EXPECT_NEAR(bearing_to_enu_angle(0), kPi / 2, 1e-12);        // north
  EXPECT_NEAR(bearing_to_enu_angle(kPi / 2), 0, 1e-12);        // east
  EXPECT_NEAR(enu_angle_to_bearing(kPi), 3 * kPi / 2, 1e-12);  // west
}

}  // namespace
}  // namespace picket

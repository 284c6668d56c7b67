#include "picket/formats/geojson.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "picket/core/units.h"

namespace picket::formats {

namespace {

using json = nlohmann::json;

json lonlat(const Site& site, const Vec2& p) {
  const Geodetic g = site.frame.to_geodetic(Enu(p.x(), p.y(), 0));
  // 1e-8 degrees is about a millimetre: enough, and keeps files small.
  return json::array({std::round(g.lon_deg * 1e8) / 1e8, std::round(g.lat_deg * 1e8) / 1e8});
}

json line(const Site& site, const std::vector<Vec2>& pts) {
  json coords = json::array();
  for (const auto& p : pts)
    coords.push_back(lonlat(site, p));
  return {{"type", "LineString"}, {"coordinates", coords}};
}

json polygon(const Site& site, const std::vector<Vec2>& pts) {
  json ring = json::array();
  for (const auto& p : pts)
    ring.push_back(lonlat(site, p));
  if (!pts.empty()) ring.push_back(lonlat(site, pts.front()));
  return {{"type", "Polygon"}, {"coordinates", json::array({ring})}};
}

json feature(json geometry, json properties) {
  return {{"type", "Feature"},
          {"geometry", std::move(geometry)},
          {"properties", std::move(properties)}};
}

// The sensor's ground footprint: a sector (or ring) between its minimum and maximum range.
std::vector<Vec2> coverage_outline(const SensorDef& s) {
  std::vector<Vec2> pts;
  const Vec2 c(s.enu.x(), s.enu.y());
  const bool full = s.fov_h_rad >= 2 * kPi - 1e-9;
  const double from = full ? 0 : s.yaw_rad - s.fov_h_rad / 2;
  const double span = full ? 2 * kPi : s.fov_h_rad;
  const int n = std::max(8, static_cast<int>(span / deg2rad(3)));
  auto at = [&](double bearing, double r) {
    return Vec2(c + r * Vec2(std::sin(bearing), std::cos(bearing)));
  };
  for (int i = 0; i <= n; ++i)
    pts.push_back(at(from + span * i / n, s.max_range_m));
  if (s.min_range_m > 0 || !full) {
    for (int i = n; i >= 0; --i) {
      if (s.min_range_m > 0) {
        pts.push_back(at(from + span * i / n, s.min_range_m));
      } else {
        pts.push_back(c);
        break;
      }
    }
  }
  return pts;
}

}  // namespace

std::string site_geojson(const Site& site, int indent) {
  json features = json::array();
  for (const auto& f : site.fences) {
    features.push_back(feature(line(site, f.points), {{"kind", "fence"},
                                                      {"id", f.id},
                                                      {"name", f.name},
                                                      {"closed", f.closed},
                                                      {"length_m", f.length()},
                                                      {"segments", f.segments.size()}}));
    for (const auto& s : f.segments) {
      features.push_back(feature(line(site, s.points), {{"kind", "segment"},
                                                        {"fence", f.id},
                                                        {"segment", s.number},
                                                        {"start_m", s.start_m},
                                                        {"end_m", s.end_m}}));
    }
  }
  for (const auto& z : site.zones) {
    json props = {{"kind", "zone"}, {"id", z.id}, {"name", z.name}, {"zone_kind", z.kind}};
    if (z.floor_m) props["floor_m"] = *z.floor_m;
    if (z.ceiling_m) props["ceiling_m"] = *z.ceiling_m;
    features.push_back(feature(polygon(site, z.polygon.vertices()), props));
  }
  for (const auto& s : site.sensors) {
    const Vec2 p(s.enu.x(), s.enu.y());
    features.push_back(feature({{"type", "Point"}, {"coordinates", lonlat(site, p)}},
                               {{"kind", "sensor"},
                                {"id", s.id},
                                {"type", std::string(to_string(s.type))},
                                {"max_range_m", s.max_range_m},
                                {"yaw_deg", rad2deg(s.yaw_rad)},
                                {"fov_deg", rad2deg(s.fov_h_rad)}}));
    if (s.type == SensorType::fence) {
      if (const Fence* f = site.find_fence(s.fence)) {
        for (int n = s.first_segment; n <= s.last_segment; ++n) {
          if (const auto* seg = f->segment(n)) {
            features.push_back(feature(line(site, seg->points),
                                       {{"kind", "coverage"}, {"sensor", s.id}, {"segment", n}}));
          }
        }
      }
    } else if (s.type != SensorType::adsb) {
      features.push_back(feature(
          polygon(site, coverage_outline(s)),
          {{"kind", "coverage"}, {"sensor", s.id}, {"type", std::string(to_string(s.type))}}));
    }
  }
  json fc = {
      {"type", "FeatureCollection"},
      {"name", site.name},
      {"origin",
       {{"lat", site.origin.lat_deg}, {"lon", site.origin.lon_deg}, {"alt", site.origin.alt_m}}},
      {"features", features}};
  return fc.dump(indent);
}

}  // namespace picket::formats

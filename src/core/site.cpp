#include "picket/core/site.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "picket/core/units.h"

namespace picket {

namespace {

constexpr std::array<std::string_view, 6> kSensorTypeNames = {"radar",    "camera",   "fence",
                                                              "aerostat", "acoustic", "adsb"};
// Sensors further than this from the origin are almost certainly a typo (swapped lat/lon).
constexpr double kMaxSensorDistanceM = 200'000;

}  // namespace

std::string_view to_string(SensorType t) {
  return kSensorTypeNames[static_cast<size_t>(t)];
}

std::optional<SensorType> parse_sensor_type(std::string_view s) {
  for (size_t i = 0; i < kSensorTypeNames.size(); ++i) {
    if (kSensorTypeNames[i] == s) return static_cast<SensorType>(i);
  }
  return std::nullopt;
}

// --- Fence geometry -------------------------------------------------------------------------

const FenceSegment* Fence::segment(int number) const {
  if (number < 1 || number > static_cast<int>(segments.size())) return nullptr;
  return &segments[static_cast<size_t>(number - 1)];
}

Fence::Nearest Fence::nearest(const Vec2& p) const {
  Nearest best;
  best.distance = std::numeric_limits<double>::infinity();
  double along0 = 0;
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    const Segment2 edge{points[i], points[i + 1]};
    const double len = edge.length();
    const double u = edge.project(p);
    const Vec2 q = edge.a + u * (edge.b - edge.a);
    const double d = (q - p).norm();
    if (d < best.distance) {
      best.distance = d;
      best.along = along0 + u * len;
      best.point = q;
      const double s = edge.side(p);
      best.side = (s > 0 ? 1.0 : (s < 0 ? -1.0 : 0.0)) * inside_sign * d;
    }
    along0 += len;
  }
  const int n = static_cast<int>(segments.size());
  best.segment = n == 0 ? 0 : std::clamp(static_cast<int>(best.along / segment_length_m) + 1, 1, n);
  return best;
}

std::optional<FenceCrossing> Fence::crossing(const Vec2& p0, const Vec2& p1) const {
  std::optional<FenceCrossing> best;
  double along0 = 0;
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    const Segment2 edge{points[i], points[i + 1]};
    const double len = edge.length();
    if (auto t = segment_intersection(p0, p1, edge); t && (!best || *t < best->fraction)) {
      FenceCrossing c;
      c.fraction = *t;
      c.point = p0 + *t * (p1 - p0);
      const double along = along0 + (c.point - edge.a).norm();
      const int n = static_cast<int>(segments.size());
      c.segment = std::clamp(static_cast<int>(along / segment_length_m) + 1, 1, std::max(n, 1));
      // Moving to the protected side is inward. Use whichever end is off the line.
      const double s1 = edge.side(p1);
      const double s0 = edge.side(p0);
      const double s = s1 != 0 ? s1 : -s0;
      c.direction = s * inside_sign > 0 ? CrossingDirection::inward : CrossingDirection::outward;
      best = c;
    }
    along0 += len;
  }
  return best;
}

Vec2 Fence::point_at(double along) const {
  double along0 = 0;
  for (size_t i = 0; i + 1 < points.size(); ++i) {
    const double len = (points[i + 1] - points[i]).norm();
    if (along <= along0 + len || i + 2 == points.size()) {
      const double u = len > 0 ? std::clamp((along - along0) / len, 0.0, 1.0) : 0.0;
      return points[i] + u * (points[i + 1] - points[i]);
    }
    along0 += len;
  }
  return points.empty() ? Vec2(0, 0) : points.front();
}

namespace {

// Cuts the polyline into pieces of `length` metres along it.
std::vector<FenceSegment> cut_segments(const std::vector<Vec2>& pts, double length) {
  std::vector<double> cum{0};
  for (size_t i = 0; i + 1 < pts.size(); ++i)
    cum.push_back(cum.back() + (pts[i + 1] - pts[i]).norm());
  const double total = cum.back();
  std::vector<FenceSegment> out;
  if (total <= 0) return out;
  const int n = std::max(1, static_cast<int>(std::ceil(total / length - 1e-9)));
  auto point_at = [&](double s) {
    const auto it = std::upper_bound(cum.begin(), cum.end(), s);
    size_t i = it == cum.begin() ? 0 : static_cast<size_t>(it - cum.begin() - 1);
    i = std::min(i, pts.size() - 2);
    const double len = cum[i + 1] - cum[i];
    const double u = len > 0 ? std::clamp((s - cum[i]) / len, 0.0, 1.0) : 0.0;
    return Vec2(pts[i] + u * (pts[i + 1] - pts[i]));
  };
  for (int k = 0; k < n; ++k) {
    FenceSegment seg;
    seg.number = k + 1;
    seg.start_m = k * length;
    seg.end_m = std::min(total, (k + 1) * length);
    seg.points.push_back(point_at(seg.start_m));
    for (size_t i = 1; i + 1 < pts.size(); ++i) {
      if (cum[i] > seg.start_m && cum[i] < seg.end_m) seg.points.push_back(pts[i]);
    }
    seg.points.push_back(point_at(seg.end_m));
    out.push_back(std::move(seg));
  }
  return out;
}

double signed_area(const std::vector<Vec2>& pts) {
  double s = 0;
  for (size_t i = 0; i + 1 < pts.size(); ++i)
    s += pts[i].x() * pts[i + 1].y() - pts[i + 1].x() * pts[i].y();
  return s / 2.0;
}

// --- Parsing --------------------------------------------------------------------------------

}  // namespace

std::optional<Geodetic> parse_point(const ConfigNode& n, const LocalFrame& frame) {
  if (n.is_sequence()) {
    if (n.size() < 2 || n.size() > 3) {
      n.error("a point is [lat, lon] or [lat, lon, alt]");
      return std::nullopt;
    }
    const auto lat = n.at(0).as_number();
    const auto lon = n.at(1).as_number();
    const auto alt = n.size() == 3 ? n.at(2).as_number() : std::optional<double>(0.0);
    if (!lat || !lon || !alt) {
      n.error("a point's coordinates must be numbers");
      return std::nullopt;
    }
    if (*lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) {
      n.error(fmt::format("[{}, {}] is not a latitude, longitude pair in degrees", *lat, *lon));
      return std::nullopt;
    }
    return Geodetic{*lat, *lon, *alt};
  }
  if (!n.is_map()) {
    n.error(n.present() ? "a point is [lat, lon], {lat, lon, alt} or {east, north, up}"
                        : "missing");
    return std::nullopt;
  }
  if (n.has("east") || n.has("north")) {
    n.expect_keys({"east", "north", "up"});
    const double e = n.required_number("east", -1e6, 1e6);
    const double no = n.required_number("north", -1e6, 1e6);
    const double u = n.number("up", 0, -1e5, 1e5);
    return frame.to_geodetic(Enu(e, no, u));
  }
  n.expect_keys({"lat", "lon", "alt"});
  const double lat = n.required_number("lat", -90, 90);
  const double lon = n.required_number("lon", -180, 180);
  const double alt = n.number("alt", 0, -500, 1e5);
  return Geodetic{lat, lon, alt};
}

namespace {

std::vector<Geodetic> parse_points(const ConfigNode& list, const LocalFrame& frame) {
  std::vector<Geodetic> out;
  for (const auto& item : list.items()) {
    if (auto p = parse_point(item, frame)) out.push_back(*p);
  }
  return out;
}

void parse_fences(const ConfigNode& root, Site& site) {
  std::set<std::string> ids;
  for (const auto& f : root["fences"].items()) {
    if (!f.expect_keys({"id", "name", "points", "segment_length", "closed", "inside"})) continue;
    Fence fence;
    fence.id = f.required_string("id");
    fence.name = f.string("name", fence.id);
    if (!fence.id.empty() && !ids.insert(fence.id).second) {
      f["id"].error(fmt::format("duplicate fence id '{}'", fence.id));
    }
    fence.segment_length_m = f.number("segment_length", 50, 0.5, 100'000);
    fence.geodetic = parse_points(f["points"], site.frame);
    if (!f["points"].present()) {
      f["points"].error("missing (a fence needs at least two points)");
      continue;
    }
    if (fence.geodetic.size() < 2) {
      f["points"].error("a fence needs at least two points");
      continue;
    }
    for (const auto& g : fence.geodetic) {
      const Enu e = site.frame.to_enu(g);
      fence.points.emplace_back(e.x(), e.y());
    }
    const bool repeats = (fence.points.front() - fence.points.back()).norm() < 1e-3;
    fence.closed = f.boolean("closed", repeats);
    if (fence.closed && !repeats) {
      fence.points.push_back(fence.points.front());
      fence.geodetic.push_back(fence.geodetic.front());
    }
    if (fence.closed && fence.points.size() < 4) {
      f["points"].error("a closed fence needs at least three distinct points");
      continue;
    }
    const std::string inside = f.choice("inside", {"left", "right"}, "", false);
    if (!inside.empty()) {
      fence.inside_sign = inside == "left" ? 1 : -1;
    } else if (fence.closed) {
      fence.inside_sign = signed_area(fence.points) > 0 ? 1 : -1;  // counter-clockwise: left
    } else {
      f["inside"].error(
          "missing: an open fence must say which side is protected (left or right "
          "of the direction its points run)");
    }
    for (size_t i = 0; i + 1 < fence.points.size(); ++i) {
      if ((fence.points[i + 1] - fence.points[i]).norm() < 1e-3) {
        f["points"].at(i + 1).error("repeats the previous point");
      }
    }
    fence.segments = cut_segments(fence.points, fence.segment_length_m);
    site.fences.push_back(std::move(fence));
  }
}

std::optional<std::vector<Geodetic>> read_geojson_polygon(const ConfigNode& n,
                                                          const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    n.error(fmt::format("cannot open GeoJSON file '{}'", path));
    return std::nullopt;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    n.error(fmt::format("'{}' is not valid JSON: {}", path, e.what()));
    return std::nullopt;
  }
  const nlohmann::json* geom = &j;
  if (j.value("type", "") == "FeatureCollection") {
    const auto& feats = j["features"];
    if (!feats.is_array() || feats.empty()) {
      n.error(fmt::format("'{}' has no features", path));
      return std::nullopt;
    }
    geom = &feats[0];
  }
  if (geom->value("type", "") == "Feature") geom = &(*geom)["geometry"];
  if (!geom->is_object() || geom->value("type", "") != "Polygon") {
    n.error(fmt::format("'{}': expected a Polygon geometry (or a Feature holding one)", path));
    return std::nullopt;
  }
  std::vector<Geodetic> out;
  try {
    for (const auto& c : (*geom)["coordinates"].at(0)) {
      out.push_back(Geodetic{c.at(1).get<double>(), c.at(0).get<double>(), 0});
    }
  } catch (const nlohmann::json::exception& e) {
    n.error(fmt::format("'{}': bad polygon coordinates: {}", path, e.what()));
    return std::nullopt;
  }
  if (out.size() > 1 && out.front().lat_deg == out.back().lat_deg &&
      out.front().lon_deg == out.back().lon_deg) {
    out.pop_back();  // GeoJSON rings repeat their first point
  }
  return out;
}

void parse_zones(const ConfigNode& root, Site& site) {
  std::set<std::string> ids;
  for (const auto& z : root["zones"].items()) {
    if (!z.expect_keys({"id", "name", "kind", "polygon", "geojson", "floor", "ceiling"})) continue;
    Zone zone;
    zone.id = z.required_string("id");
    zone.name = z.string("name", zone.id);
    zone.kind = z.string("kind", "");
    if (!zone.id.empty() && !ids.insert(zone.id).second) {
      z["id"].error(fmt::format("duplicate zone id '{}'", zone.id));
    }
    if (z.has("polygon") == z.has("geojson")) {
      z.error("a zone needs exactly one of 'polygon' (inline points) or 'geojson' (a file)");
      continue;
    }
    if (z.has("polygon")) {
      zone.geodetic = parse_points(z["polygon"], site.frame);
    } else {
      std::string path = z.required_string("geojson");
      if (!path.empty() && path.front() != '/' && !z.directory().empty()) {
        path = z.directory() + "/" + path;
      }
      auto pts = read_geojson_polygon(z["geojson"], path);
      if (!pts) continue;
      zone.geodetic = std::move(*pts);
    }
    if (zone.geodetic.size() > 1 &&
        (site.frame.to_enu(zone.geodetic.front()) - site.frame.to_enu(zone.geodetic.back()))
                .norm() < 1e-3) {
      zone.geodetic.pop_back();
    }
    if (zone.geodetic.size() < 3) {
      z.error("a zone polygon needs at least three points");
      continue;
    }
    std::vector<Vec2> enu;
    for (const auto& g : zone.geodetic) {
      const Enu e = site.frame.to_enu(g);
      enu.emplace_back(e.x(), e.y());
    }
    zone.polygon = Polygon(std::move(enu));
    if (zone.polygon.area() < 1e-6) z.error("the zone polygon has no area");
    zone.floor_m = z.optional_number("floor", -1000, 100'000);
    zone.ceiling_m = z.optional_number("ceiling", -1000, 100'000);
    if (zone.floor_m && zone.ceiling_m && *zone.floor_m >= *zone.ceiling_m) {
      z["ceiling"].error("the ceiling must be above the floor");
    }
    site.zones.push_back(std::move(zone));
  }
}

void parse_sensors(const ConfigNode& root, Site& site) {
  std::set<std::string> ids;
  for (const auto& s : root["sensors"].items()) {
    if (!s.expect_keys({"id", "type", "position", "orientation", "fov", "range", "noise", "pd",
                        "false_alarm_rate", "update_rate", "fence", "segments", "min_radial_speed",
                        "reference_rcs", "image", "can_start_tracks", "trust_class"})) {
      continue;
    }
    SensorDef d;
    d.id = s.required_string("id");
    if (!d.id.empty() && !ids.insert(d.id).second) {
      s["id"].error(fmt::format("duplicate sensor id '{}'", d.id));
    }
    const std::string type = s.choice(
        "type", {"radar", "camera", "fence", "aerostat", "acoustic", "adsb"}, "radar", true);
    d.type = parse_sensor_type(type).value_or(SensorType::radar);

    const bool needs_position = d.type != SensorType::fence && d.type != SensorType::adsb;
    if (s.has("position")) {
      if (auto p = parse_point(s["position"], site.frame)) d.position = *p;
    } else if (needs_position) {
      s["position"].error("missing (the sensor's lat/lon/alt or east/north/up)");
    } else {
      d.position = site.origin;
    }
    d.enu = site.frame.to_enu(d.position);
    if (d.enu.head<2>().norm() > kMaxSensorDistanceM) {
      s["position"].error(
          fmt::format("{:.0f} km from the site origin; check latitude and longitude",
                      d.enu.head<2>().norm() / 1000));
    }

    if (const auto o = s["orientation"]; o.present() && o.expect_keys({"yaw", "pitch", "roll"})) {
      d.yaw_rad = deg2rad(o.number("yaw", 0, -360, 360));
      d.pitch_rad = deg2rad(o.number("pitch", 0, -90, 90));
      d.roll_rad = deg2rad(o.number("roll", 0, -180, 180));
    }
    if (const auto f = s["fov"]; f.present() && f.expect_keys({"horizontal", "vertical"})) {
      d.fov_h_rad = deg2rad(f.number("horizontal", 360, 1e-3, 360));
      d.fov_v_rad = deg2rad(f.number("vertical", 180, 1e-3, 180));
    }
    if (const auto r = s["range"]; r.present() && r.expect_keys({"min", "max"})) {
      d.min_range_m = r.number("min", 0, 0, 1e6);
      d.max_range_m = r.required_number("max", 1e-3, 1e6);
      if (d.min_range_m >= d.max_range_m)
        r["min"].error("the minimum range must be below the maximum");
    } else if (d.type != SensorType::fence && d.type != SensorType::adsb) {
      s["range"].error("missing (at least range: {max: metres})");
    }
    if (const auto n = s["noise"];
        n.present() && n.expect_keys({"range", "bearing", "elevation", "position"})) {
      d.noise.range_m = n.number("range", 0, 0, 1e4);
      d.noise.bearing_rad = deg2rad(n.number("bearing", 0, 0, 90));
      d.noise.elevation_rad = deg2rad(n.number("elevation", 0, 0, 90));
      d.noise.position_m = n.number("position", 0, 0, 1e5);
    }
    if (d.type == SensorType::radar && d.noise.range_m <= 0) {
      s["noise"]["range"].error("a radar needs its range noise (m, > 0)");
    }
    if (d.type == SensorType::radar && d.noise.bearing_rad <= 0) {
      s["noise"]["bearing"].error("a radar needs its bearing noise (degrees, > 0)");
    }
    d.pd = s.number("pd", 0.9, 1e-6, 1);
    d.false_alarm_rate = s.number("false_alarm_rate", 0, 0, 1e9);
    d.update_rate_hz = s.number("update_rate", 1, 1e-4, 1000);
    d.min_radial_speed_mps = s.number("min_radial_speed", 0, 0, 1000);
    d.reference_rcs_m2 = s.number("reference_rcs", 1, 1e-6, 1e6);
    d.can_start_tracks = s.boolean("can_start_tracks", d.type != SensorType::fence);
    d.trust_class = s.boolean("trust_class", true);
    if (const auto im = s["image"]; im.present() && im.expect_keys({"width", "height"})) {
      d.image_width = static_cast<int>(im.integer("width", 1920, 16, 65536));
      d.image_height = static_cast<int>(im.integer("height", 1080, 16, 65536));
    }

    if (d.type == SensorType::fence) {
      d.fence = s.required_string("fence");
      const Fence* fence = site.find_fence(d.fence);
      if (!d.fence.empty() && !fence) {
        s["fence"].error(fmt::format("unknown fence '{}'", d.fence));
      }
      if (const auto seg = s["segments"]; seg.present()) {
        if (!seg.is_sequence() || seg.size() != 2 || !seg.at(0).as_integer() ||
            !seg.at(1).as_integer()) {
          seg.error("expected [first, last] segment numbers");
        } else {
          d.first_segment = static_cast<int>(*seg.at(0).as_integer());
          d.last_segment = static_cast<int>(*seg.at(1).as_integer());
          const int n = fence ? static_cast<int>(fence->segments.size()) : 1 << 30;
          if (d.first_segment < 1 || d.last_segment < d.first_segment || d.last_segment > n) {
            seg.error(fmt::format("[{}, {}] is not a range of segments of a fence with {}",
                                  d.first_segment, d.last_segment, n));
          }
        }
      }
      if (fence && d.last_segment == 0) d.last_segment = static_cast<int>(fence->segments.size());
    } else if (s.has("fence") || s.has("segments")) {
      s.error("'fence' and 'segments' are for fence sensors only");
    }
    site.sensors.push_back(std::move(d));
  }
}

}  // namespace

bool SensorDef::covers(const Enu& p) const {
  const Enu d = p - enu;
  const double horiz = d.head<2>().norm();
  const double range = d.norm();
  if (range < min_range_m || range > max_range_m) return false;
  if (fov_h_rad < 2 * kPi - 1e-9) {
    const double bearing = std::atan2(d.x(), d.y());
    if (std::abs(wrap_pi(bearing - yaw_rad)) > fov_h_rad / 2) return false;
  }
  if (fov_v_rad < kPi - 1e-9) {
    const double elev = std::atan2(d.z(), horiz);
    if (std::abs(wrap_pi(elev - pitch_rad)) > fov_v_rad / 2) return false;
  }
  return true;
}

const SensorDef* Site::find_sensor(std::string_view id) const {
  const int i = sensor_index(id);
  return i < 0 ? nullptr : &sensors[static_cast<size_t>(i)];
}

int Site::sensor_index(std::string_view id) const {
  const auto it = sensor_by_id.find(std::string(id));
  return it == sensor_by_id.end() ? -1 : it->second;
}

const Fence* Site::find_fence(std::string_view id) const {
  for (const auto& f : fences) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

const Zone* Site::find_zone(std::string_view id) const {
  for (const auto& z : zones) {
    if (z.id == id) return &z;
  }
  return nullptr;
}

namespace {

Result<Site> build_site(const ConfigNode& root) {
  Site site;
  site.file = root.file();
  if (!root.is_map()) {
    root.error("a site file is a mapping with at least 'origin' and 'sensors'");
    return root.errors()->status().error();
  }
  std::vector<std::string_view> allowed = {"name",   "description", "origin",
                                           "fences", "zones",       "sensors"};
  for (auto s : kSiteSections)
    allowed.push_back(s);
  for (const auto& [key, node] : root.entries()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (auto a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      node.error(fmt::format("unknown key '{}' (expected one of: {})", key, list));
    }
  }
  site.name = root.string("name", "unnamed site");
  const auto origin = root["origin"];
  if (!origin.present()) {
    origin.error("missing (the site's geodetic origin: {lat, lon, alt})");
  } else if (auto o = parse_point(origin, LocalFrame())) {
    site.origin = *o;
  }
  site.frame = LocalFrame(site.origin);
  parse_fences(root, site);
  parse_zones(root, site);
  parse_sensors(root, site);
  if (site.sensors.empty() && !root["sensors"].present()) {
    root["sensors"].error("missing (a site needs at least one sensor)");
  }
  for (size_t i = 0; i < site.sensors.size(); ++i) {
    site.sensor_by_id.emplace(site.sensors[i].id, static_cast<int>(i));
  }
  for (auto s : kSiteSections) {
    const auto node = root[s];
    if (node.present()) site.sections.emplace(std::string(s), node);
  }
  if (auto st = root.errors()->status(); !st) return st.error();
  return site;
}

}  // namespace

Result<Site> load_site(const std::string& path) {
  auto root = ConfigNode::load_file(path);
  if (!root) return root.error();
  return build_site(*root);
}

Result<Site> load_site_from_string(const std::string& yaml, const std::string& file_name) {
  auto root = ConfigNode::load_string(yaml, file_name);
  if (!root) return root.error();
  return build_site(*root);
}

}  // namespace picket

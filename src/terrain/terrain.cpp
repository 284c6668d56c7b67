#include "picket/terrain/terrain.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "gdal_support.h"
#include "picket/core/site.h"
#include "picket/core/units.h"

namespace picket::terrain {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The largest grid we build (nodes); 16 M floats = 64 MiB.
constexpr double kMaxNodes = 16.0 * 1024 * 1024;

// Gaussian mean radius of curvature of the WGS84 ellipsoid at a latitude: sqrt(M N).
double gaussian_radius(double lat_deg) {
  constexpr double a = 6378137.0;
  constexpr double f = 1 / 298.257223563;
  constexpr double e2 = f * (2 - f);
  const double s = std::sin(deg2rad(lat_deg));
  const double w = 1 - e2 * s * s;
  return a * std::sqrt(1 - e2) / w;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Configuration

Result<TerrainConfig> parse_terrain_config(const ConfigNode& section) {
  TerrainConfig c;
  if (!section.present()) return c;
  // Errors of this section go to a list of our own: the site's list was already checked.
  auto errors = std::make_shared<ConfigErrors>();
  const ConfigNode node(section.yaml(), section.file(), section.field(), errors, section.line());
  c.where = node.where();
  if (!node.expect_keys({"dem", "vertical_datum", "geoid_grid", "resolution", "margin",
                         "max_margin", "flat_height", "height_sigma", "refraction",
                         "sensor_heights"})) {
    return errors->status().error();
  }
  const std::string dir = node.directory();
  auto resolve = [&](std::string p) {
    if (!p.empty() && p.front() != '/' && !dir.empty()) p = dir + "/" + p;
    return p;
  };
  const ConfigNode dem = node["dem"];
  if (dem.present()) {
    if (dem.is_scalar()) {
      c.dem.push_back(resolve(*dem.as_string()));
    } else {
      for (const auto& item : dem.items()) {
        const auto s = item.as_string();
        if (!s || s->empty()) {
          item.error("expected a file name");
          continue;
        }
        c.dem.push_back(resolve(*s));
      }
      if (dem.is_sequence() && dem.size() == 0) dem.error("an empty list: name at least one DEM");
    }
  }
  const std::string datum = node.choice("vertical_datum", {"egm96", "ellipsoid"}, "egm96");
  c.datum = datum == "ellipsoid" ? VerticalDatum::ellipsoid : VerticalDatum::egm96;
  c.geoid_grid = resolve(node.string("geoid_grid", c.geoid_grid));
  c.resolution_m = node.optional_number("resolution", 0.5, 10000);
  c.margin_m = node.optional_number("margin", 0, 200000);
  c.max_margin_m = node.number("max_margin", c.max_margin_m, 0, 200000);
  c.flat_height_m = node.number("flat_height", 0, -1000, 10000);
  c.height_sigma_m = node.number("height_sigma", c.height_sigma_m, 0, 1000);
  const ConfigNode refr = node["refraction"];
  if (refr.present() && refr.expect_keys({"radio", "optical"})) {
    c.radio_k = refr.number("radio", c.radio_k, 0.5, 100);
    c.optical_k = refr.number("optical", c.optical_k, 0.5, 100);
  }
  c.sensor_heights =
      node.choice("sensor_heights", {"absolute", "above_ground"}, "absolute") == "above_ground"
          ? SensorHeights::above_ground
          : SensorHeights::absolute;
  if (!c.dem.empty() && node.has("flat_height"))
    node["flat_height"].error("only meaningful without a DEM");
  if (auto st = errors->status(); !st) return st.error();
  return c;
}

// ---------------------------------------------------------------------------------------------
// Terrain queries

Terrain::Terrain(const LocalFrame& frame, double flat_height)
    : frame_(frame),
      earth_radius_(gaussian_radius(frame.origin().lat_deg)),
      flat_height_(flat_height) {}

Terrain Terrain::flat(const LocalFrame& frame, double height_m) {
  Terrain t(frame, height_m);
  t.info_.flat = true;
  t.info_.datum = "level surface through the origin";
  t.info_.min_height = t.info_.max_height = height_m;
  return t;
}

Terrain Terrain::from_grid(const LocalFrame& frame, Vec2 origin, double spacing, int nx, int ny,
                           std::vector<float> up, TerrainInfo info) {
  assert(nx >= 2 && ny >= 2 && spacing > 0);
  assert(up.size() == static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny));
  Terrain t(frame, 0);
  t.origin_ = origin;
  t.spacing_ = spacing;
  t.nx_ = nx;
  t.ny_ = ny;
  t.up_ = std::move(up);
  info.flat = false;
  info.nx = nx;
  info.ny = ny;
  info.resolution_m = spacing;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (float v : t.up_) {
    if (std::isnan(v)) continue;
    lo = std::min(lo, static_cast<double>(v));
    hi = std::max(hi, static_cast<double>(v));
  }
  info.min_height = std::isfinite(lo) ? lo : 0;
  info.max_height = std::isfinite(hi) ? hi : 0;
  t.info_ = std::move(info);
  return t;
}

Box2 Terrain::bounds() const {
  if (is_flat()) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    return Box2{Vec2(-inf, -inf), Vec2(inf, inf)};
  }
  return Box2{origin_, origin_ + Vec2((nx_ - 1) * spacing_, (ny_ - 1) * spacing_)};
}

double Terrain::flat_up(double east, double north) const {
  // Level surface: a sphere of radius R + h about the centre (0, 0, -R) of the tangent plane.
  const double r = earth_radius_ + flat_height_;
  const double d2 = east * east + north * north;
  return std::sqrt(std::max(r * r - d2, 0.0)) - earth_radius_;
}

double Terrain::grid_height(double east, double north) const {
  const double fx = (east - origin_.x()) / spacing_;
  const double fy = (north - origin_.y()) / spacing_;
  if (!(fx >= 0 && fy >= 0 && fx <= nx_ - 1 && fy <= ny_ - 1)) return kNaN;
  int ix = static_cast<int>(fx), iy = static_cast<int>(fy);
  ix = std::min(ix, nx_ - 2);
  iy = std::min(iy, ny_ - 2);
  const double ax = fx - ix, ay = fy - iy;
  const float* row = up_.data() + static_cast<std::size_t>(iy) * static_cast<std::size_t>(nx_) +
                     static_cast<std::size_t>(ix);
  const double h00 = row[0], h10 = row[1], h01 = row[nx_], h11 = row[nx_ + 1];
  return (h00 * (1 - ax) + h10 * ax) * (1 - ay) + (h01 * (1 - ax) + h11 * ax) * ay;
}

double Terrain::height_or_nan(double east, double north) const {
  return is_flat() ? flat_up(east, north) : grid_height(east, north);
}

std::optional<double> Terrain::height(double east, double north) const {
  const double h = height_or_nan(east, north);
  if (std::isnan(h)) return std::nullopt;
  return h;
}

std::optional<double> Terrain::map_height(double east, double north) const {
  const auto h = height(east, north);
  if (!h) return std::nullopt;
  const double d2 = east * east + north * north;
  const double r = earth_radius_ + *h;
  return std::sqrt(d2 + r * r) - earth_radius_;
}

LineOfSight Terrain::line_of_sight(const Enu& from, const Enu& to, double k) const {
  LineOfSight los;
  const Enu delta = to - from;
  const double horiz = delta.head<2>().norm();
  los.clearance_m = std::numeric_limits<double>::infinity();
  if (horiz < 1e-6) return los;
  const double step = is_flat() ? std::clamp(horiz / 100.0, 1.0, 50.0) : 0.5 * spacing_;
  const int n = std::max(2, static_cast<int>(std::ceil(horiz / step)));
  // Refraction: the ray bows up above the chord by s(1-s) D^2 (1 - 1/k) / 2R.
  const double bow = horiz * horiz * (1.0 - 1.0 / k) / (2.0 * earth_radius_);
  const double inv_n = 1.0 / n;
  for (int i = 1; i < n; ++i) {
    const double s = i * inv_n;
    const double e = from.x() + s * delta.x();
    const double nn = from.y() + s * delta.y();
    const double g = height_or_nan(e, nn);
    if (std::isnan(g)) {
      los.unknown = true;
      continue;
    }
    const double z = from.z() + s * delta.z() + s * (1 - s) * bow;
    const double c = z - g;
    if (c < los.clearance_m) los.clearance_m = c;
    if (c < 0) {
      los.visible = false;
      los.blocked_at = Enu(e, nn, g);
      return los;
    }
  }
  return los;
}

std::optional<RayHit> Terrain::cast_ray(const Enu& origin, const Enu& direction, double max_range,
                                        double height_offset) const {
  const Enu d = direction.normalized();
  auto above = [&](double t) {
    const Enu p = origin + t * d;
    return p.z() - (height_or_nan(p.x(), p.y()) + height_offset);
  };
  double f0 = above(0);
  if (std::isnan(f0) || f0 < 0) return std::nullopt;
  // Step: half the grid spacing horizontally (a steep ray may take long steps in range).
  const double horiz = d.head<2>().norm();
  const double base = is_flat() ? 5.0 : 0.5 * spacing_;
  double step = horiz > 1e-9 ? base / horiz : max_range;
  // For steep rays the vertical closing speed matters too: at most ~ base per step along up.
  step = std::min(step, std::max(base, 1.0) / std::max(std::abs(d.z()), 1e-9));
  step = std::clamp(step, 0.05, std::max(max_range, 0.05));
  double t0 = 0;
  while (t0 < max_range) {
    const double t1 = std::min(t0 + step, max_range);
    const double f1 = above(t1);
    if (std::isnan(f1)) return std::nullopt;  // left the known terrain
    if (f1 <= 0) {
      double lo = t0, hi = t1;
      while (hi - lo > 0.01) {
        const double mid = 0.5 * (lo + hi);
        const double fm = above(mid);
        if (std::isnan(fm) || fm <= 0)
          hi = mid;
        else
          lo = mid;
      }
      const double t = 0.5 * (lo + hi);
      RayHit hit;
      hit.range = t;
      hit.point = origin + t * d;
      return hit;
    }
    t0 = t1;
    f0 = f1;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Loading

namespace {

using detail::DemRaster;
using detail::SampleState;

struct Nodes {
  std::vector<double> lon, lat;
};

std::string describe_extent(const std::vector<DemRaster>& dems) {
  std::string s;
  for (const auto& d : dems) {
    if (!s.empty()) s += "; ";
    s += fmt::format("{} covers lat {:.5f}..{:.5f}, lon {:.5f}..{:.5f}", d.description(),
                     d.min_lat(), d.max_lat(), d.min_lon(), d.max_lon());
  }
  return s;
}

}  // namespace

Result<Terrain> load_terrain(const TerrainConfig& config, const LocalFrame& frame,
                             const Box2& required, const Box2& wanted) {
  if (config.dem.empty()) return Terrain::flat(frame, config.flat_height_m);
  const std::string where = config.where.empty() ? "terrain" : config.where;
  std::vector<DemRaster> dems;
  for (const auto& path : config.dem) {
    auto r = DemRaster::open(path);
    if (!r) return Error{where + ".dem", r.error().message()};
    dems.push_back(std::move(*r));
  }
  std::optional<DemRaster> geoid;
  if (config.datum == VerticalDatum::egm96) {
    auto g = DemRaster::open(config.geoid_grid);
    if (!g) {
      return Error{where + ".geoid_grid",
                   "the EGM96 geoid grid is needed to turn the DEM's heights above the geoid into "
                   "heights above the ellipsoid, but: " +
                       g.error().message() +
                       " (install Debian's proj-data, or set vertical_datum: ellipsoid if the DEM "
                       "holds ellipsoidal heights)"};
    }
    geoid = std::move(*g);
  }

  // Grid geometry.
  Box2 box{wanted.min.cwiseMin(required.min), wanted.max.cwiseMax(required.max)};
  const Vec2 size = box.max - box.min;
  double spacing = config.resolution_m.value_or(std::max(1.0, 0.5 * dems.front().spacing_m()));
  auto nodes_for = [&](double s) {
    return (std::floor(size.x() / s) + 3) * (std::floor(size.y() / s) + 3);
  };
  if (nodes_for(spacing) > kMaxNodes) {
    if (config.resolution_m) {
      return Error{where + ".resolution",
                   fmt::format("a {:.0f} x {:.0f} m area at {} m spacing needs {:.0f} grid nodes, "
                               "more than the limit of {:.0f}: use a coarser resolution or a "
                               "smaller margin",
                               size.x(), size.y(), spacing, nodes_for(spacing), kMaxNodes)};
    }
    while (nodes_for(spacing) > kMaxNodes)
      spacing *= 1.25;
  }
  const Vec2 origin(std::floor(box.min.x() / spacing) * spacing,
                    std::floor(box.min.y() / spacing) * spacing);
  const int nx = static_cast<int>(std::ceil((box.max.x() - origin.x()) / spacing)) + 1;
  const int ny = static_cast<int>(std::ceil((box.max.y() - origin.y()) / spacing)) + 1;
  const std::size_t count = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);

  Terrain level = Terrain::flat(frame, 0);
  // Ellipsoidal height of every node, found in two passes: the horizontal position of a point
  // in ENU depends (slightly: h·d/R) on its height, so the second pass samples the DEM where the
  // first pass's ground point really lies.
  std::vector<double> up(count);
  for (int j = 0; j < ny; ++j) {
    for (int i = 0; i < nx; ++i) {
      const double e = origin.x() + i * spacing, n = origin.y() + j * spacing;
      up[static_cast<std::size_t>(j) * nx + i] = level.height_or_nan(e, n);
    }
  }
  std::vector<SampleState> state(count, SampleState::outside);
  std::vector<double> h_ell(count, kNaN);
  for (int pass = 0; pass < 2; ++pass) {
    Nodes nodes;
    nodes.lon.resize(count);
    nodes.lat.resize(count);
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const std::size_t k = static_cast<std::size_t>(j) * nx + i;
        const double u = std::isnan(up[k]) ? level.height_or_nan(origin.x() + i * spacing,
                                                                 origin.y() + j * spacing)
                                           : up[k];
        const Geodetic g =
            frame.to_geodetic(Enu(origin.x() + i * spacing, origin.y() + j * spacing, u));
        nodes.lon[k] = g.lon_deg;
        nodes.lat[k] = g.lat_deg;
      }
    }
    std::fill(state.begin(), state.end(), SampleState::outside);
    std::vector<double> h;
    std::vector<SampleState> st;
    for (const auto& dem : dems) {
      if (auto s = dem.sample(nodes.lon, nodes.lat, h, st); !s)
        return Error{where + ".dem", s.error().message()};
      for (std::size_t k = 0; k < count; ++k) {
        if (state[k] == SampleState::ok) continue;
        if (st[k] == SampleState::ok) {
          h_ell[k] = h[k];
          state[k] = SampleState::ok;
        } else if (st[k] == SampleState::missing) {
          state[k] = SampleState::missing;
        }
      }
    }
    if (geoid) {
      std::vector<double> lon = nodes.lon;
      for (auto& l : lon) {
        if (l > geoid->max_lon()) l -= 360;  // the grid starts at -180.125
      }
      std::vector<double> n_geoid;
      std::vector<SampleState> gst;
      if (auto s = geoid->sample(lon, nodes.lat, n_geoid, gst); !s)
        return Error{where + ".geoid_grid", s.error().message()};
      for (std::size_t k = 0; k < count; ++k) {
        if (state[k] != SampleState::ok) continue;
        if (gst[k] != SampleState::ok)
          return Error{
              where + ".geoid_grid",
              fmt::format("no geoid height at lat {:.5f}, lon {:.5f}", nodes.lat[k], nodes.lon[k])};
        h_ell[k] += n_geoid[k];
      }
    }
    for (std::size_t k = 0; k < count; ++k) {
      if (state[k] != SampleState::ok) {
        up[k] = kNaN;
        continue;
      }
      up[k] = frame.to_enu(Geodetic{nodes.lat[k], nodes.lon[k], h_ell[k]}).z();
    }
  }

  // Every node that a height query inside `required` can touch must be known (or a void).
  const int ri0 =
      std::max(0, static_cast<int>(std::floor((required.min.x() - origin.x()) / spacing)));
  const int ri1 =
      std::min(nx - 1, static_cast<int>(std::ceil((required.max.x() - origin.x()) / spacing)));
  const int rj0 =
      std::max(0, static_cast<int>(std::floor((required.min.y() - origin.y()) / spacing)));
  const int rj1 =
      std::min(ny - 1, static_cast<int>(std::ceil((required.max.y() - origin.y()) / spacing)));
  for (int j = rj0; j <= rj1; ++j) {
    for (int i = ri0; i <= ri1; ++i) {
      const std::size_t k = static_cast<std::size_t>(j) * nx + i;
      if (state[k] != SampleState::outside) continue;
      const Enu p(origin.x() + i * spacing, origin.y() + j * spacing, 0);
      const Geodetic g = frame.to_geodetic(p);
      return Error{where + ".dem",
                   fmt::format("the DEM does not cover the site: the point lat {:.5f}, lon {:.5f} "
                               "(east {:.0f} m, north {:.0f} m in the site frame) is outside every "
                               "DEM ({})",
                               g.lat_deg, g.lon_deg, p.x(), p.y(), describe_extent(dems))};
    }
  }

  // Fill voids (no-data inside a DEM) from their known neighbours, repeatedly, like GDAL's
  // FillNodata without its smoothing: each pass gives every void next to known ground the mean
  // of its known 8-neighbours.
  TerrainInfo info;
  std::size_t voids = 0;
  for (auto s : state)
    voids += s == SampleState::missing ? 1 : 0;
  info.voids_filled = 0;
  while (true) {
    std::vector<std::pair<std::size_t, double>> filled;
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const std::size_t k = static_cast<std::size_t>(j) * nx + i;
        if (state[k] != SampleState::missing) continue;
        double sum = 0;
        int m = 0;
        for (int dj = -1; dj <= 1; ++dj) {
          for (int di = -1; di <= 1; ++di) {
            const int a = i + di, b = j + dj;
            if ((di == 0 && dj == 0) || a < 0 || b < 0 || a >= nx || b >= ny) continue;
            const std::size_t q = static_cast<std::size_t>(b) * nx + a;
            if (state[q] != SampleState::ok) continue;
            sum += up[q];
            ++m;
          }
        }
        if (m > 0) filled.emplace_back(k, sum / m);
      }
    }
    if (filled.empty()) break;
    for (const auto& [k, v] : filled) {
      up[k] = v;
      state[k] = SampleState::ok;
    }
    info.voids_filled += filled.size();
  }
  std::size_t uncovered = 0;
  std::vector<float> upf(count);
  for (std::size_t k = 0; k < count; ++k) {
    if (state[k] != SampleState::ok) {
      upf[k] = std::numeric_limits<float>::quiet_NaN();
      ++uncovered;
    } else {
      upf[k] = static_cast<float>(up[k]);
    }
  }
  for (const auto& d : dems)
    info.sources.push_back(d.description());
  info.datum = config.datum == VerticalDatum::egm96 ? "EGM96 geoid heights (converted)"
                                                    : "WGS84 ellipsoidal heights";
  info.uncovered = uncovered;
  if (info.voids_filled > 0) {
    info.warnings.push_back(
        fmt::format("{} grid node{} fell on DEM voids (no data) and {} filled "
                    "from neighbouring heights",
                    info.voids_filled, info.voids_filled == 1 ? "" : "s",
                    info.voids_filled == 1 ? "was" : "were"));
  }
  if (voids > info.voids_filled) {
    info.warnings.push_back(fmt::format("{} void node{} could not be filled",
                                        voids - info.voids_filled,
                                        voids - info.voids_filled == 1 ? "" : "s"));
  }
  if (uncovered > 0) {
    info.warnings.push_back(
        fmt::format("{:.1f}% of the terrain grid lies outside every DEM; "
                    "heights there are unknown",
                    100.0 * static_cast<double>(uncovered) / count));
  }
  return Terrain::from_grid(frame, origin, spacing, nx, ny, std::move(upf), std::move(info));
}

namespace {

void grow(Box2& b, const Vec2& p, bool& empty) {
  if (empty) {
    b.min = b.max = p;
    empty = false;
    return;
  }
  b.min = b.min.cwiseMin(p);
  b.max = b.max.cwiseMax(p);
}

bool ground_sensor(const SensorDef& s) {
  return s.type != SensorType::fence && s.type != SensorType::adsb;
}

}  // namespace

Box2 site_required_box(const Site& site) {
  Box2 b;
  bool empty = true;
  for (const auto& f : site.fences)
    for (const auto& p : f.points)
      grow(b, p, empty);
  for (const auto& z : site.zones)
    for (const auto& p : z.polygon.vertices())
      grow(b, p, empty);
  for (const auto& s : site.sensors) {
    if (ground_sensor(s) && s.type != SensorType::aerostat) grow(b, s.enu.head<2>(), empty);
  }
  if (empty) grow(b, Vec2(0, 0), empty);
  return b;
}

Box2 site_wanted_box(const Site& site, const TerrainConfig& config) {
  const Box2 req = site_required_box(site);
  if (config.margin_m) {
    const Vec2 m(*config.margin_m, *config.margin_m);
    return Box2{req.min - m, req.max + m};
  }
  Box2 b = req;
  bool any = false;
  for (const auto& s : site.sensors) {
    if (!ground_sensor(s)) continue;
    const Vec2 r(s.max_range_m, s.max_range_m);
    const Vec2 c = s.enu.head<2>();
    b.min = b.min.cwiseMin(c - r);
    b.max = b.max.cwiseMax(c + r);
    any = true;
  }
  if (!any) {
    b.min -= Vec2(500, 500);
    b.max += Vec2(500, 500);
  }
  const Vec2 cap(config.max_margin_m, config.max_margin_m);
  b.min = b.min.cwiseMax(req.min - cap);
  b.max = b.max.cwiseMin(req.max + cap);
  return b;
}

Result<SiteTerrain> load_site_terrain(const Site& site) {
  ConfigNode section(YAML::Node(), site.file, "terrain", std::make_shared<ConfigErrors>(), 1);
  if (auto it = site.sections.find("terrain"); it != site.sections.end()) section = it->second;
  PICKET_TRY(config, parse_terrain_config(section));
  PICKET_TRY(terrain, load_terrain(config, site.frame, site_required_box(site),
                                   site_wanted_box(site, config)));
  return SiteTerrain{std::move(config), std::move(terrain)};
}

}  // namespace picket::terrain

// The ground under the site: a digital elevation model (DEM) resampled into the site's local
// east-north-up frame, with bilinear height look-up, line-of-sight queries and ray casting.
//
// Heights are true ENU "up" values (metres above the site origin's tangent plane), so the
// earth's curvature is already in them: a level ground 5 km from the origin lies about 2 m below
// the tangent plane. Straight lines in ENU are therefore exact geometric lines of sight.
// Atmospheric refraction bends rays towards the ground; it is modelled with the effective
// earth radius factor k (the "4/3 earth" of radar engineering, ITU-R P.834 / P.526): between two
// points a horizontal distance D apart, a refracted ray rises above the straight chord by
// s(1-s)·D²·(1 - 1/k) / (2R) at fraction s along it. k = 1 is no refraction; k = 4/3 the
// standard atmosphere for radio; optical paths near the ground have k of about 7/6.
//
// Loading (load_terrain): each DEM file is read with GDAL (GeoTIFF, DTED, SRTM .hgt or any
// raster GDAL reads); its heights are sampled bilinearly at the geodetic position of every node
// of a regular ENU grid (projected rasters through an OGR coordinate transformation), turned
// from heights above the EGM96 geoid (SRTM and DTED; PROJ's egm96_15.gtx grid) into heights
// above the WGS84 ellipsoid, and then into ENU up. Without a DEM the ground is the level
// surface through the origin (with the earth's curvature).
//
// Thread-safety: a Terrain is immutable after loading; every query is const and safe from any
// number of threads.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/config.h"
#include "picket/core/geo.h"
#include "picket/core/geometry.h"
#include "picket/core/result.h"

namespace picket {
struct Site;
}

namespace picket::terrain {

// Standard-atmosphere effective earth radius factor for radio paths (ITU-R P.453: k = 4/3 for
// a refractivity gradient of -40 N-units per km).
inline constexpr double kStandardRadioK = 4.0 / 3.0;

enum class VerticalDatum : std::uint8_t {
  egm96,      // DEM heights are orthometric, above the EGM96 geoid (SRTM, DTED, most DEMs)
  ellipsoid,  // DEM heights are above the WGS84 ellipsoid
};

// How the heights of ground sensors' positions in the site file are meant.
enum class SensorHeights : std::uint8_t {
  absolute,      // as given: metres above the ellipsoid (alt) or the origin (up)
  above_ground,  // the height above the origin level is a mast height above the local ground
};

// The `terrain:` section of a site file (docs/terrain.md).
struct TerrainConfig {
  std::vector<std::string> dem;  // DEM files, paths resolved against the site file's directory
  VerticalDatum datum = VerticalDatum::egm96;
  std::string geoid_grid = "/usr/share/proj/egm96_15.gtx";
  std::optional<double> resolution_m;  // ENU grid spacing; default half the DEM's spacing
  std::optional<double> margin_m;      // how far past the site the grid extends; default below
  double max_margin_m = 20000;
  double flat_height_m = 0;          // without a DEM: ground height above the origin
  double height_sigma_m = 5;         // DEM vertical error (1 sigma), used by geolocation
  double radio_k = kStandardRadioK;  // refraction for radar paths
  double optical_k = 1.0;            // refraction for optical and acoustic paths
  SensorHeights sensor_heights = SensorHeights::absolute;
  std::string where;  // "site.yaml:40 terrain" for messages
};

// Reads a `terrain:` section strictly (unknown keys are errors). An absent node gives the
// defaults (flat ground).
Result<TerrainConfig> parse_terrain_config(const ConfigNode& node);

// What was loaded, for summaries and warnings.
struct TerrainInfo {
  bool flat = true;
  std::vector<std::string> sources;  // "dem.tif (GTiff, 367x359, EPSG:4326)"
  std::string datum;
  double resolution_m = 0;
  int nx = 0, ny = 0;
  std::size_t voids_filled = 0;  // grid nodes whose DEM value was missing, filled from neighbours
  std::size_t uncovered = 0;     // grid nodes outside every DEM (height unknown)
  double min_height = 0, max_height = 0;  // ENU up, m
  std::vector<std::string> warnings;
};

// Result of a line-of-sight query.
struct LineOfSight {
  bool visible = true;
  // The path crossed ground whose height is unknown (outside the DEM); `visible` then only
  // speaks for the known part.
  bool unknown = false;
  double clearance_m = 0;        // smallest height of the ray above the ground along the path
  Enu blocked_at = Enu::Zero();  // first blocking ground point when not visible
};

struct RayHit {
  Enu point = Enu::Zero();  // where the ray meets the ground, ENU
  double range = 0;         // distance from the ray's origin, m
};

class Terrain {
 public:
  // Level ground `height_m` above the site origin, following the earth's curvature.
  static Terrain flat(const LocalFrame& frame, double height_m = 0);

  // A grid of ENU up values (row-major, row 0 at the south edge `origin.y()`), for loaders and
  // tests. NaN marks unknown heights.
  static Terrain from_grid(const LocalFrame& frame, Vec2 origin, double spacing, int nx, int ny,
                           std::vector<float> up, TerrainInfo info = {});

  bool is_flat() const { return nx_ == 0; }
  const TerrainInfo& info() const { return info_; }
  const LocalFrame& frame() const { return frame_; }
  // Earth radius used for curvature and refraction (Gaussian mean radius at the origin), m.
  double earth_radius() const { return earth_radius_; }
  // The area with known heights (the grid's extent); unbounded for flat ground.
  Box2 bounds() const;
  double resolution() const { return spacing_; }

  // Ground height (ENU up, m) at a horizontal position, bilinear between grid nodes; nothing
  // where the height is unknown.
  std::optional<double> height(double east, double north) const;
  // The same, NaN where unknown (for tight loops).
  double height_or_nan(double east, double north) const;
  // Height of the ground above the site origin's level surface (ENU up plus the curvature drop
  // d²/2R): what a map calls the height, relative to the origin.
  std::optional<double> map_height(double east, double north) const;

  // Is `to` visible from `from`? Ray marching in steps of at most half the grid spacing, with
  // refraction factor k (1: none). Both points are ENU.
  LineOfSight line_of_sight(const Enu& from, const Enu& to, double k = 1.0) const;

  // The first point where the ray from `origin` along unit vector `direction` meets the ground
  // raised by `height_offset` (used to model DEM height errors), within `max_range` m. Marches
  // in steps of half the grid spacing, then bisects to a centimetre. Nothing when the ray
  // leaves the known terrain or stays above ground.
  std::optional<RayHit> cast_ray(const Enu& origin, const Enu& direction, double max_range,
                                 double height_offset = 0) const;

 private:
  Terrain(const LocalFrame& frame, double flat_height);
  double flat_up(double east, double north) const;
  double grid_height(double east, double north) const;  // NaN outside / unknown

  LocalFrame frame_;
  double earth_radius_ = 6371000;
  double flat_height_ = 0;
  // grid (nx_ == 0: flat)
  Vec2 origin_{0, 0};
  double spacing_ = 0;
  int nx_ = 0, ny_ = 0;
  std::vector<float> up_;
  TerrainInfo info_;
};

// Loads the DEMs of `config` onto an ENU grid covering `wanted` (a box in ENU). Every point of
// `required` must lie inside a DEM, else an Error names the first uncovered point and the DEMs'
// extents. Parts of `wanted` no DEM covers are left unknown (counted in the info).
Result<Terrain> load_terrain(const TerrainConfig& config, const LocalFrame& frame,
                             const Box2& required, const Box2& wanted);

// A site's terrain and the configuration it came from.
struct SiteTerrain {
  TerrainConfig config;
  Terrain terrain;
};

// The terrain of a site from its `terrain:` section: required over the site's fences, zones and
// ground sensors, wanted out to `margin` (default: the largest ground sensor range, at most
// `max_margin`). Flat ground when the section names no DEM.
Result<SiteTerrain> load_site_terrain(const Site& site);
// The boxes load_site_terrain uses (exposed for tests and the coverage command).
Box2 site_required_box(const Site& site);
Box2 site_wanted_box(const Site& site, const TerrainConfig& config);

}  // namespace picket::terrain

#include "picket/terrain/terrain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "picket/core/site.h"
#include "picket/core/units.h"
#include "raster_writer.h"

namespace picket::terrain {
namespace {

using testing::RasterSpec;
using testing::temp_path;
using testing::write_raster;

const std::string kData = std::string(PICKET_SOURCE_DIR) + "/tests/data/dem/";

// The ENU up of the ground point at (e, n) when the ground's ellipsoidal height is h(lat, lon):
// found by fixed-point iteration on the point's geodetic position.
double expected_up(const LocalFrame& frame, double e, double n,
                   const std::function<double(double lat, double lon)>& h) {
  double u = 0;
  for (int i = 0; i < 8; ++i) {
    const Geodetic g = frame.to_geodetic(Enu(e, n, u));
    u = frame.to_enu(Geodetic{g.lat_deg, g.lon_deg, h(g.lat_deg, g.lon_deg)}).z();
  }
  return u;
}

TerrainConfig config_for(const std::string& path, double resolution = 5) {
  TerrainConfig c;
  c.dem = {path};
  c.datum = VerticalDatum::ellipsoid;
  c.resolution_m = resolution;
  return c;
}

Box2 box(double half) {
  return Box2{Vec2(-half, -half), Vec2(half, half)};
}

// A DEM whose heights are planar in latitude and longitude is reproduced exactly by bilinear
// interpolation, so any half-pixel mistake in the georeferencing shows as a metre-level error.
void check_planar(const std::string& path, const LocalFrame& frame,
                  const std::function<double(double, double)>& h, double tolerance) {
  auto t = load_terrain(config_for(path), frame, box(800), box(1000));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_FALSE(t->is_flat());
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1000, 1000);
  double worst = 0;
  for (int i = 0; i < 200; ++i) {
    const double e = u(rng), n = u(rng);
    const auto got = t->height(e, n);
    ASSERT_TRUE(got.has_value()) << e << "," << n;
    worst = std::max(worst, std::abs(*got - expected_up(frame, e, n, h)));
  }
  EXPECT_LT(worst, tolerance) << path;
}

TEST(TerrainLoad, GeoTiffGeographicIsExactForPlanarHeights) {
  const LocalFrame frame(Geodetic{45.5, 7.5, 250});
  auto h = [](double lat, double lon) { return 300 + 2000 * (lat - 45.5) + 1000 * (lon - 7.5); };
  RasterSpec s;
  s.width = 80;
  s.height = 80;
  s.geotransform = {7.48, 0.0005, 0, 45.52, 0, -0.0005};
  s.value = [&](double x, double y) { return h(y, x); };
  s.type = GDT_Float64;
  const std::string path = temp_path("planar_geo.tif");
  ASSERT_TRUE(write_raster(path, "GTiff", s));
  check_planar(path, frame, h, 1e-3);
}

TEST(TerrainLoad, SrtmHgtTileIsExactForPlanarHeights) {
  // SRTM3: 1201 x 1201 pixels whose centres sit on whole multiples of 3".
  const LocalFrame frame(Geodetic{45.5, 7.5, 250});
  auto h = [](double lat, double lon) { return 300 + 1200 * (lat - 45) + 2400 * (lon - 7); };
  RasterSpec s;
  s.width = s.height = 1201;
  s.geotransform = {7 - 0.5 / 1200, 1.0 / 1200, 0, 46 + 0.5 / 1200, 0, -1.0 / 1200};
  s.type = GDT_Int16;
  s.value = [&](double x, double y) { return std::round(h(y, x)); };
  const std::string path = temp_path("N45E007.hgt");
  ASSERT_TRUE(write_raster(path, "SRTMHGT", s));
  check_planar(path, frame, h, 1e-3);
}

TEST(TerrainLoad, DtedLevel0IsExactForPlanarHeights) {
  const LocalFrame frame(Geodetic{45.5, 7.5, 250});
  auto h = [](double lat, double lon) { return 300 + 120 * (lat - 45) + 240 * (lon - 7); };
  RasterSpec s;
  s.width = s.height = 121;
  s.geotransform = {7 - 0.5 / 120, 1.0 / 120, 0, 46 + 0.5 / 120, 0, -1.0 / 120};
  s.type = GDT_Int16;
  s.value = [&](double x, double y) { return std::round(h(y, x)); };
  const std::string path = temp_path("n45_e007.dt0");
  ASSERT_TRUE(write_raster(path, "DTED", s));
  check_planar(path, frame, h, 1e-3);
}

TEST(TerrainLoad, ProjectedUtmRasterIsReprojected) {
  const LocalFrame frame(Geodetic{45.5, 7.5, 250});
  // UTM zone 32N coordinates of the origin, from OGR.
  OGRSpatialReference wgs, utm;
  wgs.SetWellKnownGeogCS("WGS84");
  wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  utm.SetFromUserInput("EPSG:32632");
  utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs, &utm));
  ASSERT_TRUE(ct);
  double x0 = 7.5, y0 = 45.5;
  ASSERT_TRUE(ct->Transform(1, &x0, &y0));
  auto planar = [&](double x, double y) { return 300 + 0.01 * (x - x0) + 0.02 * (y - y0); };
  RasterSpec s;
  s.width = s.height = 100;
  s.geotransform = {std::floor(x0) - 1500, 30, 0, std::floor(y0) + 1500, 0, -30};
  s.srs = "EPSG:32632";
  s.type = GDT_Float64;
  s.value = planar;
  const std::string path = temp_path("planar_utm.tif");
  ASSERT_TRUE(write_raster(path, "GTiff", s));
  auto h = [&](double lat, double lon) {
    double x = lon, y = lat;
    EXPECT_TRUE(ct->Transform(1, &x, &y));
    return planar(x, y);
  };
  check_planar(path, frame, h, 1e-2);
}

TEST(TerrainLoad, HeightsInFeetAreConverted) {
  const LocalFrame frame(Geodetic{45.5, 7.5, 250});
  RasterSpec s;
  s.width = s.height = 60;
  s.geotransform = {7.48, 0.001, 0, 45.52, 0, -0.001};
  s.unit = "ft";
  s.value = [](double, double) { return 1000.0; };
  const std::string path = temp_path("feet.tif");
  ASSERT_TRUE(write_raster(path, "GTiff", s));
  auto t = load_terrain(config_for(path), frame, box(500), box(500));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_NEAR(*t->map_height(0, 0), 304.8 - 250, 1e-3);
}

TEST(TerrainLoad, RealDemHeightsMatchItsPixels) {
  // dfw_crop.tif: 3" int16 heights. At pixel centres the terrain must give the pixel values
  // (ellipsoid datum: no geoid), up to the small error of interpolating twice (DEM pixels to
  // the 8 m grid, grid to the point).
  const std::string path = kData + "dfw_crop.tif";
  const LocalFrame frame(Geodetic{32.7967, -97.41, 200});
  auto t = load_terrain(config_for(path, 8), frame, box(1500), box(1500));
  ASSERT_TRUE(t.ok()) << t.error().message();
  GDALAllRegister();
  GDALDataset* ds = GDALDataset::Open(path.c_str(), GDAL_OF_RASTER);
  ASSERT_NE(ds, nullptr);
  double gt[6];
  ds->GetGeoTransform(gt);
  std::vector<double> px(60 * 60);
  ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, 60, 60, px.data(), 60, 60, GDT_Float64, 0,
                                           0, nullptr),
            CE_None);
  GDALClose(ds);
  double sum = 0, worst = 0;
  int n = 0;
  for (int j = 0; j < 60; ++j) {
    for (int i = 0; i < 60; ++i) {
      const double lon = gt[0] + (i + 0.5) * gt[1], lat = gt[3] + (j + 0.5) * gt[5];
      const Enu p = frame.to_enu(Geodetic{lat, lon, px[static_cast<std::size_t>(j * 60 + i)]});
      if (std::abs(p.x()) > 1400 || std::abs(p.y()) > 1400) continue;
      const double err = std::abs(*t->height(p.x(), p.y()) - p.z());
      sum += err;
      worst = std::max(worst, err);
      ++n;
    }
  }
  ASSERT_GT(n, 700);
  EXPECT_LT(sum / n, 0.1);
  EXPECT_LT(worst, 1.0);  // a half-pixel georeferencing error would be metres
  EXPECT_NEAR(t->info().min_height + 200, 168, 30);  // crop heights 168..243 m
}

TEST(TerrainLoad, Egm96GeoidIsAdded) {
  // EGM96 undulation at the origin, lon -97.41, lat 32.80, interpolated by hand from the four
  // nodes of PROJ's egm96_15.gtx around it as gdallocationinfo prints them: -29.2705 (-97.5,
  // 32.75), -28.7169 (-97.25, 32.75), -28.9055 (-97.5, 33), -28.3257 (-97.25, 33), weights
  // 0.36 east and 0.2 north: -28.9963 m.
  const std::string path = kData + "dfw_crop.tif";
  const LocalFrame frame(Geodetic{32.80, -97.41, 200});
  auto ell = load_terrain(config_for(path), frame, box(300), box(300));
  TerrainConfig c = config_for(path);
  c.datum = VerticalDatum::egm96;
  auto geo = load_terrain(c, frame, box(300), box(300));
  ASSERT_TRUE(ell.ok()) << ell.error().message();
  ASSERT_TRUE(geo.ok()) << geo.error().message();
  EXPECT_NEAR(*geo->height(0, 0) - *ell->height(0, 0), -28.9963, 0.001);
  EXPECT_NEAR(*geo->height(200, -100) - *ell->height(200, -100), -28.9963, 0.01);
}

TEST(TerrainLoad, VoidsAreFilledAndReported) {
  const LocalFrame frame(Geodetic{45.5, 7.5, 250});
  RasterSpec s;
  s.width = s.height = 60;
  s.geotransform = {7.48, 0.001, 0, 45.52, 0, -0.001};
  s.nodata = -32768;
  s.type = GDT_Int16;
  s.value = [](double x, double y) {
    // a 5 x 5 pixel hole at the origin
    if (std::abs(x - 7.5) < 0.0025 && std::abs(y - 45.5) < 0.0025) return std::nan("");
    return 400.0;
  };
  const std::string path = temp_path("voids.tif");
  ASSERT_TRUE(write_raster(path, "GTiff", s));
  auto t = load_terrain(config_for(path, 10), frame, box(500), box(500));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_GT(t->info().voids_filled, 0u);
  ASSERT_FALSE(t->info().warnings.empty());
  EXPECT_NE(t->info().warnings[0].find("voids"), std::string::npos);
  EXPECT_NEAR(*t->map_height(0, 0), 150, 0.01);
}

TEST(TerrainLoad, PartialCoverageLeavesUnknownHeightsAndWarns) {
  const std::string path = kData + "dfw_crop.tif";
  const LocalFrame frame(Geodetic{32.7967, -97.41, 200});
  // Required: 1 km about the origin (covered); wanted: 5 km (the crop is ~5 km wide).
  auto t = load_terrain(config_for(path, 20), frame, box(1000), box(5000));
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_GT(t->info().uncovered, 0u);
  EXPECT_FALSE(t->height(4900, 4900).has_value());
  EXPECT_TRUE(t->height(0, 0).has_value());
  bool warned = false;
  for (const auto& w : t->info().warnings)
    warned |= w.find("outside every DEM") != std::string::npos;
  EXPECT_TRUE(warned);
  // A line of sight into the unknown says so.
  const auto los = t->line_of_sight(Enu(0, 0, 50), Enu(4900, 4900, 50));
  EXPECT_TRUE(los.unknown);
}

// --- Bad input ------------------------------------------------------------------------------

std::string load_error(const std::string& path,
                       const LocalFrame& frame = LocalFrame(Geodetic{45.5, 7.5, 250})) {
  auto t = load_terrain(config_for(path), frame, box(200), box(200));
  return t.ok() ? std::string("(loaded)") : t.error().message();
}

TEST(TerrainBadInput, DemThatDoesNotCoverTheSite) {
  // Luxembourg's DEM for a site in England.
  const std::string msg =
      load_error(kData + "luxembourg_elev.tif", LocalFrame(Geodetic{52.1, -1.0, 80}));
  EXPECT_NE(msg.find("does not cover the site"), std::string::npos) << msg;
  EXPECT_NE(msg.find("luxembourg_elev.tif"), std::string::npos) << msg;
  EXPECT_NE(msg.find("lat 49.4"), std::string::npos) << msg;  // the DEM's extent is named
}

TEST(TerrainBadInput, MissingFileAndDirectory) {
  EXPECT_NE(load_error("/nonexistent/dem.tif").find("no such file"), std::string::npos);
  EXPECT_NE(load_error(::testing::TempDir()).find("a directory"), std::string::npos);
}

TEST(TerrainBadInput, ImageIsNotAnElevationModel) {
  RasterSpec s;
  s.bands = 3;
  s.type = GDT_Byte;
  s.geotransform = {7.4, 0.01, 0, 45.6, 0, -0.01};
  s.width = s.height = 20;
  const std::string path = temp_path("photo.tif");
  ASSERT_TRUE(write_raster(path, "GTiff", s));
  const std::string msg = load_error(path);
  EXPECT_NE(msg.find("looks like an image (3 bands of Byte"), std::string::npos) << msg;
}

TEST(TerrainBadInput, RasterWithoutGeoreferencing) {
  RasterSpec s;
  s.georeferenced = false;
  s.srs = "";
  const std::string path = temp_path("plain.tif");
  ASSERT_TRUE(write_raster(path, "GTiff", s));
  const std::string msg = load_error(path);
  EXPECT_NE(msg.find("not georeferenced"), std::string::npos) << msg;
}

TEST(TerrainBadInput, RasterWithoutCoordinateSystem) {
  RasterSpec s;
  s.srs = "";
  s.geotransform = {7.4, 0.01, 0, 45.6, 0, -0.01};
  const std::string path = temp_path("nocrs.tif");
  ASSERT_TRUE(write_raster(path, "GTiff", s));
  const std::string msg = load_error(path);
  EXPECT_NE(msg.find("no coordinate reference system"), std::string::npos) << msg;
}

TEST(TerrainBadInput, LocalEngineeringGridCannotBePlaced) {
  RasterSpec s;
  s.srs = "LOCAL";
  s.geotransform = {0, 10, 0, 1000, 0, -10};
  const std::string path = temp_path("local.tif");
  ASSERT_TRUE(write_raster(path, "GTiff", s));
  const std::string msg = load_error(path);
  EXPECT_NE(msg.find("local engineering frame"), std::string::npos) << msg;
}

TEST(TerrainBadInput, GarbageAndTruncatedFiles) {
  const std::string garbage = temp_path("garbage.tif");
  {
    std::ofstream out(garbage, std::ios::binary);
    out << "this is not a GeoTIFF at all, just text pretending to be one\n";
  }
  std::string msg = load_error(garbage);
  EXPECT_NE(msg.find("cannot read as an elevation raster"), std::string::npos) << msg;

  // A real DEM cut in half: the header is intact, the pixel data is not.
  const std::string cut = temp_path("truncated.tif");
  {
    std::ifstream in(kData + "dfw_crop.tif", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_GT(bytes.size(), 1000u);
    std::ofstream out(cut, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  auto t =
      load_terrain(config_for(cut), LocalFrame(Geodetic{32.7967, -97.41, 200}), box(300), box(300));
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("truncated.tif"), std::string::npos) << t.error().message();
}

TEST(TerrainBadInput, ImplausibleValuesAndUnknownUnits) {
  RasterSpec s;
  s.geotransform = {7.4, 0.01, 0, 45.6, 0, -0.01};
  s.width = s.height = 20;
  s.type = GDT_UInt16;
  s.value = [](double, double) { return 60000.0; };
  const std::string path = temp_path("uint16.tif");
  ASSERT_TRUE(write_raster(path, "GTiff", s));
  std::string msg = load_error(path);
  EXPECT_NE(msg.find("not a plausible height"), std::string::npos) << msg;

  s.type = GDT_Float32;
  s.value = [](double, double) { return 10.0; };
  s.unit = "furlong";
  const std::string path2 = temp_path("furlong.tif");
  ASSERT_TRUE(write_raster(path2, "GTiff", s));
  msg = load_error(path2);
  EXPECT_NE(msg.find("unknown unit 'furlong'"), std::string::npos) << msg;
}

TEST(TerrainBadInput, MissingGeoidGridIsExplained) {
  TerrainConfig c = config_for(kData + "dfw_crop.tif");
  c.datum = VerticalDatum::egm96;
  c.geoid_grid = "/nonexistent/egm96.gtx";
  auto t = load_terrain(c, LocalFrame(Geodetic{32.7967, -97.41, 200}), box(100), box(100));
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("vertical_datum: ellipsoid"), std::string::npos);
}

// --- Site section ---------------------------------------------------------------------------

std::string site_yaml(const std::string& terrain) {
  return "name: t\norigin: {lat: 32.7967, lon: -97.41, alt: 200}\n"
         "sensors:\n"
         "  - id: r1\n    type: radar\n    position: {east: 0, north: 0, up: 10}\n"
         "    range: {max: 800}\n    noise: {range: 2, bearing: 0.5}\n" +
         terrain;
}

TEST(TerrainSite, SectionIsReadStrictly) {
  auto site = load_site_from_string(site_yaml("terrain:\n  dem: dfw_crop.tif\n  resolutoin: 10\n"),
                                    kData + "site.yaml");
  ASSERT_TRUE(site.ok()) << site.error().message();
  auto t = load_site_terrain(*site);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("site.yaml:11 terrain.resolutoin: unknown key 'resolutoin'"),
            std::string::npos)
      << t.error().message();

  site = load_site_from_string(site_yaml("terrain:\n  dem: []\n  vertical_datum: geoid\n"),
                               kData + "site.yaml");
  ASSERT_TRUE(site.ok());
  t = load_site_terrain(*site);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("terrain.dem: an empty list"), std::string::npos)
      << t.error().message();
  EXPECT_NE(t.error().message().find("terrain.vertical_datum"), std::string::npos);
}

TEST(TerrainSite, RelativeDemPathAndMargins) {
  auto site = load_site_from_string(
      site_yaml("terrain:\n  dem: dfw_crop.tif\n  resolution: 20\n  refraction: {radio: 1.3}\n"),
      kData + "site.yaml");
  ASSERT_TRUE(site.ok()) << site.error().message();
  auto t = load_site_terrain(*site);
  ASSERT_TRUE(t.ok()) << t.error().message();
  EXPECT_DOUBLE_EQ(t->config.radio_k, 1.3);
  EXPECT_DOUBLE_EQ(t->config.optical_k, 1.0);
  // Wanted: the radar's 800 m range about it.
  const Box2 b = t->terrain.bounds();
  EXPECT_LE(b.min.x(), -800);
  EXPECT_GE(b.max.x(), 800);
  EXPECT_LT(b.max.x(), 900);
}

TEST(TerrainSite, NoSectionMeansFlatGround) {
  auto site = load_site_from_string(site_yaml(""), "site.yaml");
  ASSERT_TRUE(site.ok());
  auto t = load_site_terrain(*site);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->terrain.is_flat());
  EXPECT_NEAR(*t->terrain.height(0, 0), 0, 1e-9);
}

// --- Queries --------------------------------------------------------------------------------

TEST(TerrainQueries, FlatGroundFollowsTheEarthsCurvature) {
  const Terrain t = Terrain::flat(LocalFrame(Geodetic{52, 0, 0}));
  const double r = t.earth_radius();
  EXPECT_NEAR(r, 6383287, 1);  // sqrt(M N) at 52 degrees
  // 5 km out, level ground lies d^2/2R below the tangent plane.
  EXPECT_NEAR(*t.height(5000, 0), -25e6 / (2 * r), 1e-3);
  EXPECT_NEAR(*t.map_height(5000, 0), 0, 1e-6);
}

TEST(TerrainQueries, HorizonOverFlatGroundWithAndWithoutRefraction) {
  const Terrain t = Terrain::flat(LocalFrame(Geodetic{52, 0, 0}));
  const double r = t.earth_radius();
  // Two points 2 m above level ground see each other up to 2 sqrt(2 R h) apart (about 10.1 km);
  // with k = 4/3 up to 2 sqrt(2 k R h) (11.7 km).
  const double h = 2;
  const double horizon = 2 * std::sqrt(2 * r * h);
  const double horizon_k = 2 * std::sqrt(2 * kStandardRadioK * r * h);
  auto los = [&](double d, double k) {
    const Enu a(-d / 2, 0, *t.height(-d / 2, 0) + h);
    const Enu b(d / 2, 0, *t.height(d / 2, 0) + h);
    return t.line_of_sight(a, b, k);
  };
  EXPECT_TRUE(los(horizon * 0.98, 1).visible);
  EXPECT_FALSE(los(horizon * 1.02, 1).visible);
  EXPECT_TRUE(los(horizon * 1.02, kStandardRadioK).visible);
  EXPECT_TRUE(los(horizon_k * 0.98, kStandardRadioK).visible);
  EXPECT_FALSE(los(horizon_k * 1.02, kStandardRadioK).visible);
  // Clearance at mid-path: h - d^2 / 8R.
  const auto l = los(4000, 1);
  EXPECT_NEAR(l.clearance_m, h - 4000.0 * 4000 / (8 * r), 0.01);
}

// A grid with a wall 20 m high along north = 0 for east in [-100, 100].
Terrain wall_terrain() {
  const int n = 101;
  std::vector<float> up(static_cast<std::size_t>(n * n), 0.0f);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      const double e = -500 + i * 10.0, nn = -500 + j * 10.0;
      if (std::abs(nn) < 1e-9 && std::abs(e) <= 100) up[static_cast<std::size_t>(j * n + i)] = 20;
    }
  }
  return Terrain::from_grid(LocalFrame(), Vec2(-500, -500), 10, n, n, std::move(up));
}

TEST(TerrainQueries, WallBlocksLineOfSight) {
  const Terrain t = wall_terrain();
  EXPECT_FALSE(t.line_of_sight(Enu(0, -200, 2), Enu(0, 200, 2)).visible);
  const auto los = t.line_of_sight(Enu(0, -200, 2), Enu(0, 200, 2));
  EXPECT_NEAR(los.blocked_at.y(), 0, 10);
  // Past the wall's end, or high above it, the path is clear.
  EXPECT_TRUE(t.line_of_sight(Enu(200, -200, 2), Enu(200, 200, 2)).visible);
  EXPECT_TRUE(t.line_of_sight(Enu(0, -200, 40), Enu(0, 200, 40)).visible);
  const auto clear = t.line_of_sight(Enu(0, -200, 40), Enu(0, 200, 40));
  EXPECT_NEAR(clear.clearance_m, 20, 1e-6);
  // Outside the grid the answer is "unknown".
  EXPECT_TRUE(t.line_of_sight(Enu(0, 0, 30), Enu(0, 900, 30)).unknown);
}

TEST(TerrainQueries, RayCastOnFlatGround) {
  const Terrain t = Terrain::flat(LocalFrame(Geodetic{52, 0, 0}));
  const Enu top(0, 0, 500);
  auto hit = t.cast_ray(top, Enu(0, 0, -1), 5000);
  ASSERT_TRUE(hit);
  EXPECT_NEAR(hit->range, 500, 0.01);
  // 45 degrees down: the sphere x^2 + y^2 + (z + R)^2 = R^2 met by (s, 0, 500 - s).
  const double r = t.earth_radius();
  hit = t.cast_ray(top, Enu(1, 0, -1).normalized(), 5000);
  ASSERT_TRUE(hit);
  // Solve s^2 + (500 - s + R)^2 = R^2 for the smaller root.
  const double b = -(500 + r), c = 0.5 * ((500 + r) * (500 + r) - r * r);
  const double s = (-b - std::sqrt(b * b - 4 * c)) / 2;
  EXPECT_NEAR(hit->point.x(), s, 0.02);
  // Height offset lifts the ground.
  hit = t.cast_ray(top, Enu(0, 0, -1), 5000, 10);
  EXPECT_NEAR(hit->range, 490, 0.01);
  // Upwards: no hit.
  EXPECT_FALSE(t.cast_ray(top, Enu(0, 1, 0.1).normalized(), 5000));
}

TEST(TerrainQueries, RayCastOnSlopedGrid) {
  // A plane rising 0.1 m per metre northwards.
  const int n = 201;
  std::vector<float> up(static_cast<std::size_t>(n * n));
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      up[static_cast<std::size_t>(j * n + i)] = static_cast<float>(0.1 * (-1000 + j * 10.0));
  const Terrain t = Terrain::from_grid(LocalFrame(), Vec2(-1000, -1000), 10, n, n, std::move(up));
  // From (0, -500, 300) looking north and down 30 degrees: z = 300 - tan30 y' = 0.1 (y' - 500).
  const Enu o(0, -500, 300);
  const double el = deg2rad(-30);
  auto hit = t.cast_ray(o, Enu(0, std::cos(el), std::sin(el)), 3000);
  ASSERT_TRUE(hit);
  const double y = (300 + 50) / (std::tan(deg2rad(30)) + 0.1);  // distance north of o
  EXPECT_NEAR(hit->point.y(), -500 + y, 0.02);
  EXPECT_NEAR(hit->point.z(), *t.height(hit->point.x(), hit->point.y()), 0.01);
}

}  // namespace
}  // namespace picket::terrain

#include "picket/terrain/coverage.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "picket/core/site.h"
#include "picket/core/units.h"
#include "picket/terrain/detection_model.h"
#include "raster_writer.h"

namespace picket::terrain {
namespace {

using testing::RasterSpec;
using testing::temp_path;
using testing::write_raster;

TEST(DetectionModel, CalibratedToPdAtMaximumRange) {
  SensorDef radar;
  radar.type = SensorType::radar;
  radar.max_range_m = 1500;
  radar.min_range_m = 15;
  radar.pd = 0.85;
  EXPECT_NEAR(detection_probability(radar, 1500), 0.85, 1e-9);
  EXPECT_GT(detection_probability(radar, 750), 0.98);
  EXPECT_EQ(detection_probability(radar, 1501), 0);
  EXPECT_EQ(detection_probability(radar, 10), 0);
  // Swerling I: Pd = Pfa^(1/(1+SNR)); 19.2 dB gives 0.85 at Pfa 1e-6.
  EXPECT_NEAR(swerling1_snr(0.85, 1e-6), std::log(1e-6) / std::log(0.85) - 1, 1e-9);
  EXPECT_NEAR(10 * std::log10(swerling1_snr(0.85, 1e-6)), 19.25, 0.01);

  SensorDef cam;
  cam.type = SensorType::camera;
  cam.max_range_m = 400;
  cam.pd = 0.8;
  EXPECT_NEAR(detection_probability(cam, 400), 0.8, 1e-6);
  // Johnson TTPF at N = N50 is one half.
  EXPECT_NEAR(johnson_ttpf(1.0), 0.5, 1e-12);
  double last = 0;
  for (double r = 400; r >= 20; r -= 20) {
    const double p = detection_probability(cam, r);
    EXPECT_GE(p, last);
    last = p;
  }
  EXPECT_GT(last, 0.999);

  SensorDef fence;
  fence.type = SensorType::fence;
  fence.pd = 0.95;
  EXPECT_EQ(detection_probability(fence, 1e5), 0.95);
}

// --- The acceptance test: a hill between a radar and part of the fence ---------------------
//
// Level ground 300 m above the ellipsoid, a ridge 60 m high and 30 m wide running east-west
// 500 m north of a radar (10 m mast), between east -125 and +125 m. The fence runs east-west
// 1000 m north of the radar from east -500 to +500 in ten 100 m segments. Rays from the radar
// past the ridge's ends meet the fence near east ±250 to ±270 m (the ridge's flanks fall over
// one DEM pixel), inside segments 3 and 8; so segments 4-7 lie wholly in its shadow, 3 and 8
// partly, 1, 2, 9 and 10 not at all.

constexpr double kLat = 45.5, kLon = 7.5, kAlt = 300;

std::string write_ridge_dem() {
  const LocalFrame frame(Geodetic{kLat, kLon, kAlt});
  RasterSpec s;
  s.width = 300;
  s.height = 300;
  s.geotransform = {kLon - 0.015, 0.0001, 0, kLat + 0.02, 0, -0.0001};
  s.value = [frame](double lon, double lat) {
    const Enu p = frame.to_enu(Geodetic{lat, lon, kAlt});
    return std::abs(p.y() - 500) <= 15 && std::abs(p.x()) <= 125 ? 360.0 : 300.0;
  };
  const std::string path = temp_path("ridge.tif");
  EXPECT_TRUE(write_raster(path, "GTiff", s));
  return path;
}

std::string ridge_site(const std::string& dem) {
  return fmt::format(R"(name: Ridge test
origin: {{lat: {}, lon: {}, alt: {}}}
fences:
  - id: north
    points: [{{east: -500, north: 1000}}, {{east: 500, north: 1000}}]
    inside: right
    segment_length: 100
sensors:
  - id: radar-1
    type: radar
    position: {{east: 0, north: 0, up: 10}}
    range: {{min: 10, max: 2000}}
    noise: {{range: 2, bearing: 0.5}}
    pd: 0.9
  - id: fence-east
    type: fence
    fence: north
    segments: [9, 10]
    pd: 0.95
terrain:
  dem: {}
  vertical_datum: ellipsoid
  resolution: 10
  margin: 300
)",
                     kLat, kLon, kAlt, dem);
}

struct RidgeFixture : ::testing::Test {
  static void SetUpTestSuite() {
    auto s = load_site_from_string(ridge_site(write_ridge_dem()), temp_path("ridge.yaml"));
    ASSERT_TRUE(s.ok()) << s.error().message();
    site = new Site(std::move(*s));
    auto t = load_site_terrain(*site);
    ASSERT_TRUE(t.ok()) << t.error().message();
    terrain = new SiteTerrain(std::move(*t));
    CoverageOptions o;
    o.resolution_m = 20;
    o.target_pd = 0.9;
    auto r = compute_coverage(*site, *terrain, o);
    ASSERT_TRUE(r.ok()) << r.error().message();
    result = new CoverageResult(std::move(*r));
  }
  static void TearDownTestSuite() {
    delete result;
    delete terrain;
    delete site;
  }
  static const SegmentSensor* radar_on(const SegmentCoverage& s) {
    for (const auto& b : s.by_sensor)
      if (b.sensor == "radar-1") return &b;
    return nullptr;
  }
  static Site* site;
  static SiteTerrain* terrain;
  static CoverageResult* result;
};
Site* RidgeFixture::site = nullptr;
SiteTerrain* RidgeFixture::terrain = nullptr;
CoverageResult* RidgeFixture::result = nullptr;

TEST_F(RidgeFixture, ShadowedSegmentsAreExactlyThoseBehindTheHill) {
  ASSERT_EQ(result->segments.size(), 10u);
  std::set<int> full, partial, clear;
  for (const auto& s : result->segments) {
    const SegmentSensor* r = radar_on(s);
    ASSERT_NE(r, nullptr) << "segment " << s.segment;
    EXPECT_DOUBLE_EQ(r->in_view_fraction, 1.0) << "segment " << s.segment;
    if (r->visible_fraction == 0)
      full.insert(s.segment);
    else if (r->visible_fraction < 1)
      partial.insert(s.segment);
    else
      clear.insert(s.segment);
  }
  EXPECT_EQ(full, (std::set<int>{4, 5, 6, 7}));
  EXPECT_EQ(partial, (std::set<int>{3, 8}));
  EXPECT_EQ(clear, (std::set<int>{1, 2, 9, 10}));
  // The shadow edge lies where the geometry puts it: 250-275 m east of the centre line.
  const SegmentSensor* s8 = radar_on(result->segments[7]);
  EXPECT_GT(s8->visible_fraction, 0.25);
  EXPECT_LT(s8->visible_fraction, 0.5);
}

TEST_F(RidgeFixture, SegmentTableCombinesSensorsAndWarns) {
  const auto& s5 = result->segments[4];
  EXPECT_EQ(s5.sensors, 0);
  EXPECT_EQ(s5.min_pd, 0);
  EXPECT_TRUE(s5.below_target);
  EXPECT_EQ(s5.shadowed_by, std::vector<std::string>{"radar-1"});
  // Segment 10: radar (clear, ~1.08 km: Pd > 0.9) and the fence sensor (0.95).
  const auto& s10 = result->segments[9];
  EXPECT_EQ(s10.sensors, 2);
  EXPECT_EQ(s10.sensors_full, 2);
  EXPECT_EQ(s10.types, (std::vector<std::string>{"fence", "radar"}));
  const double pd_radar = radar_on(s10)->min_pd;
  EXPECT_NEAR(s10.min_pd, 1 - (1 - pd_radar) * (1 - 0.95), 1e-3);
  EXPECT_FALSE(s10.below_target);
  // Warnings: unseen segments and segments only radars see.
  int unseen = 0, single = 0;
  for (const auto& w : result->warnings) {
    unseen += w.find("is seen by no sensor") != std::string::npos;
    single += w.find("is seen only by radar sensors") != std::string::npos;
  }
  EXPECT_EQ(unseen, 4);  // 4 to 7
  EXPECT_EQ(single, 4);  // 1, 2, 3 and 8 (9 and 10 also have the fence sensor)
}

TEST_F(RidgeFixture, MapShowsTheShadow) {
  const CoverageMap& m = result->map;
  auto pd_at = [&](double e, double n) {
    const int i = static_cast<int>(std::lround((e - m.origin.x()) / m.spacing));
    const int j = static_cast<int>(std::lround((n - m.origin.y()) / m.spacing));
    return m.pd[m.index(i, j)];
  };
  EXPECT_EQ(pd_at(0, 800), 0.0f);    // behind the ridge
  EXPECT_GT(pd_at(400, 800), 0.9f);  // beside it
  EXPECT_GT(pd_at(0, 300), 0.9f);    // in front
}

TEST_F(RidgeFixture, OutputFiles) {
  const std::string tif = temp_path("cov.tif"), png = temp_path("cov.png"),
                    geojson = temp_path("cov.geojson"), csv = temp_path("cov.csv"),
                    json = temp_path("cov.json");
  ASSERT_TRUE(write_coverage_geotiff(result->map, site->frame, tif).ok());
  ASSERT_TRUE(write_coverage_png(*result, *site, 0.9, png).ok());
  auto c = write_coverage_contours(result->map, terrain->terrain, {0.5, 0.9}, geojson);
  ASSERT_TRUE(c.ok()) << c.error().message();
  ASSERT_TRUE(write_segment_csv(result->segments, csv).ok());
  ASSERT_TRUE(write_segment_json(*result, 0.9, json).ok());

  // GeoTIFF: its projection puts cell centres where the site frame does.
  GDALAllRegister();
  GDALDataset* ds = GDALDataset::Open(tif.c_str(), GDAL_OF_RASTER);
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(ds->GetRasterXSize(), result->map.nx);
  EXPECT_EQ(ds->GetRasterCount(), 2);
  double gt[6];
  ds->GetGeoTransform(gt);
  OGRSpatialReference wgs;
  wgs.SetWellKnownGeogCS("WGS84");
  wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference srs(*ds->GetSpatialRef());
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&srs, &wgs));
  ASSERT_TRUE(ct);
  for (const Vec2& en : {Vec2(450, 1010), Vec2(-750, -250), Vec2(10, 10)}) {
    const double px = (en.x() - gt[0]) / gt[1], py = (en.y() - gt[3]) / gt[5];
    double x = gt[0] + px * gt[1], y = gt[3] + py * gt[5];
    ASSERT_TRUE(ct->Transform(1, &x, &y));
    const Enu back = site->frame.to_enu(Geodetic{y, x, kAlt});
    EXPECT_NEAR(back.x(), en.x(), 0.05);
    EXPECT_NEAR(back.y(), en.y(), 0.05);
    // Pixel value equals the map's.
    float v = 0;
    ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, static_cast<int>(px), static_cast<int>(py), 1,
                                             1, &v, 1, 1, GDT_Float32, 0, 0, nullptr),
              CE_None);
    const int i = static_cast<int>(std::lround((en.x() - result->map.origin.x()) / 20));
    const int j = static_cast<int>(std::lround((en.y() - result->map.origin.y()) / 20));
    EXPECT_FLOAT_EQ(v, result->map.pd[result->map.index(i, j)]);
  }
  GDALClose(ds);

  // The PNG is a real PNG with the legend beside the map.
  GDALDataset* img = GDALDataset::Open(png.c_str(), GDAL_OF_RASTER);
  ASSERT_NE(img, nullptr);
  EXPECT_STREQ(img->GetDriver()->GetDescription(), "PNG");
  EXPECT_EQ(img->GetRasterCount(), 3);
  EXPECT_GT(img->GetRasterXSize(), 800);  // map plus the 230 px legend
  GDALClose(img);

  // Contours: line strings in lon/lat near the site, at the levels asked for.
  std::ifstream in(geojson);
  const auto doc = nlohmann::json::parse(in);
  ASSERT_EQ(doc["type"], "FeatureCollection");
  ASSERT_FALSE(doc["features"].empty());
  std::set<double> levels;
  for (const auto& f : doc["features"]) {
    levels.insert(f["properties"]["pd"].get<double>());
    for (const auto& c2 : f["geometry"]["coordinates"]) {
      EXPECT_NEAR(c2[0].get<double>(), kLon, 0.05);
      EXPECT_NEAR(c2[1].get<double>(), kLat, 0.05);
    }
  }
  EXPECT_EQ(levels, (std::set<double>{0.5, 0.9}));

  std::ifstream csvin(csv);
  std::string header, line;
  std::getline(csvin, header);
  EXPECT_EQ(header.rfind("fence,segment,start_m,end_m,sensors,", 0), 0u);
  int rows = 0;
  while (std::getline(csvin, line))
    ++rows;
  EXPECT_EQ(rows, 10);

  std::ifstream jin(json);
  const auto table = nlohmann::json::parse(jin);
  EXPECT_EQ(table["segments"].size(), 10u);
  EXPECT_EQ(table["segments"][4]["shadowed_by"][0], "radar-1");
  EXPECT_EQ(table["target_pd"], 0.9);
}

TEST(Coverage, SensorBelowGroundIsReported) {
  auto s = load_site_from_string(ridge_site(write_ridge_dem()), temp_path("ridge.yaml"));
  ASSERT_TRUE(s.ok());
  // The radar's position is 10 m above the origin: move the ground up by making the mast
  // absolute below a raised DEM... simplest: give it a negative height.
  s->sensors[0].enu.z() = -20;
  auto t = load_site_terrain(*s);
  ASSERT_TRUE(t.ok());
  CoverageOptions o;
  o.resolution_m = 50;
  auto r = compute_coverage(*s, *t, o);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->warnings.empty());
  EXPECT_NE(r->warnings[0].find("radar-1 is 20.0 m below the ground"), std::string::npos)
      << r->warnings[0];
}

TEST(Coverage, MastHeightsAboveGround) {
  // With sensor_heights: above_ground the radar's 10 m is a mast on the local ground: put it on
  // top of the ridge and it sees over it.
  std::string yaml = ridge_site(write_ridge_dem());
  yaml.replace(yaml.find("{east: 0, north: 0, up: 10}"), 27, "{east: 0, north: 500, up: 10}");
  yaml += "  sensor_heights: above_ground\n";
  auto s = load_site_from_string(yaml, temp_path("ridge2.yaml"));
  ASSERT_TRUE(s.ok()) << s.error().message();
  auto t = load_site_terrain(*s);
  ASSERT_TRUE(t.ok()) << t.error().message();
  const Enu p = sensor_position(s->sensors[0], *t);
  EXPECT_NEAR(p.z(), 70, 0.1);  // 60 m ridge + 10 m mast
  CoverageOptions o;
  o.resolution_m = 50;
  auto r = compute_coverage(*s, *t, o);
  ASSERT_TRUE(r.ok());
  for (const auto& seg : r->segments)
    EXPECT_EQ(seg.sensors_full, seg.segment >= 9 ? 2 : 1);
}

}  // namespace
}  // namespace picket::terrain

namespace picket::terrain {
namespace {

TEST(Coverage, FieldOfViewAgreesWithTheSiteModel) {
  // sensor_pd_at's in-view test must be SensorDef::covers for a sensor at its site position.
  auto site = load_site_from_string(R"(name: fov
origin: {lat: 45.5, lon: 7.5, alt: 300}
sensors:
  - id: cam
    type: camera
    position: {east: 10, north: -20, up: 6}
    orientation: {yaw: 40, pitch: -8}
    fov: {horizontal: 50, vertical: 20}
    range: {min: 5, max: 300}
)",
                                    "fov.yaml");
  ASSERT_TRUE(site.ok()) << site.error().message();
  const SensorDef& cam = site->sensors[0];
  const Terrain flat = Terrain::flat(site->frame, -100);  // far below: no masking
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-350, 350), z(-60, 40);
  int in = 0;
  for (int i = 0; i < 5000; ++i) {
    const Enu p(u(rng), u(rng), z(rng));
    bool view = false;
    const double pd = sensor_pd_at(cam, cam.enu, flat, p, 1.0, &view);
    EXPECT_EQ(view, cam.covers(p)) << p.transpose();
    EXPECT_EQ(pd > 0, cam.covers(p));
    in += view ? 1 : 0;
  }
  EXPECT_GT(in, 50);
}

}  // namespace
}  // namespace picket::terrain

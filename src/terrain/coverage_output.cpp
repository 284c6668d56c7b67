// Writers of the coverage outputs: GeoTIFF (GDAL), PNG with legend (OpenCV), GeoJSON contours
// (GDAL's contour generator), segment tables (CSV, JSON).
#include <fmt/format.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "gdal_support.h"
#include "picket/core/units.h"
#include "picket/terrain/coverage.h"

namespace picket::terrain {

namespace {

using detail::DatasetPtr;
using detail::ensure_gdal;
using detail::GdalErrorCapture;

constexpr double kNoData = -1;

// The site's ENU plane as a PROJ projection: the ellipsoidal orthographic projection about the
// origin is exactly the east/north of points on the ellipsoid.
std::string ortho_proj(const LocalFrame& frame) {
  return fmt::format(
      "+proj=ortho +lat_0={:.9f} +lon_0={:.9f} +x_0=0 +y_0=0 +datum=WGS84 "
      "+units=m +no_defs",
      frame.origin().lat_deg, frame.origin().lon_deg);
}

void north_up_geotransform(const CoverageMap& map, double gt[6]) {
  gt[0] = map.origin.x() - 0.5 * map.spacing;
  gt[1] = map.spacing;
  gt[2] = 0;
  gt[3] = map.origin.y() + (map.ny - 1) * map.spacing + 0.5 * map.spacing;
  gt[4] = 0;
  gt[5] = -map.spacing;
}

// Pd as a north-up raster (row 0 at the north edge), no-data for unknown ground.
std::vector<double> north_up_pd(const CoverageMap& map) {
  std::vector<double> out(map.pd.size());
  for (int j = 0; j < map.ny; ++j) {
    for (int i = 0; i < map.nx; ++i) {
      const float v = map.pd[map.index(i, j)];
      out[static_cast<std::size_t>(map.ny - 1 - j) * static_cast<std::size_t>(map.nx) +
          static_cast<std::size_t>(i)] = std::isnan(v) ? kNoData : v;
    }
  }
  return out;
}

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return Error{path, "cannot create file"};
  out << text;
  out.close();
  if (!out) return Error{path, "write failed (disk full?)"};
  return Ok{};
}

}  // namespace

Status write_coverage_geotiff(const CoverageMap& map, const LocalFrame& frame,
                              const std::string& path) {
  ensure_gdal();
  GdalErrorCapture errors;
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
  if (drv == nullptr) return Error{path, "GDAL has no GTiff driver"};
  char** opts = nullptr;
  opts = CSLSetNameValue(opts, "COMPRESS", "DEFLATE");
  DatasetPtr ds(drv->Create(path.c_str(), map.nx, map.ny, 2, GDT_Float32, opts));
  CSLDestroy(opts);
  if (!ds) return Error{path, "cannot create GeoTIFF: " + errors.failures()};
  double gt[6];
  north_up_geotransform(map, gt);
  ds->SetGeoTransform(gt);
  OGRSpatialReference srs;
  if (srs.importFromProj4(ortho_proj(frame).c_str()) != OGRERR_NONE)
    return Error{path, "cannot build the site's projection: " + errors.failures()};
  ds->SetSpatialRef(&srs);
  const std::vector<double> pd = north_up_pd(map);
  std::vector<double> count(pd.size());
  for (int j = 0; j < map.ny; ++j)
    for (int i = 0; i < map.nx; ++i)
      count[static_cast<std::size_t>(map.ny - 1 - j) * static_cast<std::size_t>(map.nx) +
            static_cast<std::size_t>(i)] = map.count[map.index(i, j)];
  const std::vector<double>* data[2] = {&pd, &count};
  const char* names[2] = {"combined_pd", "sensor_count"};
  for (int b = 0; b < 2; ++b) {
    GDALRasterBand* band = ds->GetRasterBand(b + 1);
    band->SetDescription(names[b]);
    band->SetNoDataValue(kNoData);
    if (band->RasterIO(GF_Write, 0, 0, map.nx, map.ny, const_cast<double*>(data[b]->data()), map.nx,
                       map.ny, GDT_Float64, 0, 0, nullptr) != CE_None) {
      return Error{path, "cannot write the GeoTIFF: " + errors.failures()};
    }
  }
  ds->SetMetadataItem("PICKET_CONTENT", "sensor coverage: band 1 combined Pd, band 2 sensors");
  ds->FlushCache(false);
  ds.reset();  // closes the file, writing what is left
  if (const std::string why = errors.failures(); !why.empty())
    return Error{path, "cannot write the GeoTIFF: " + why};
  return Ok{};
}

// --- PNG ------------------------------------------------------------------------------------

namespace {

struct PdClass {
  double lo;
  cv::Scalar bgr;
  const char* label;
};

// Class boundaries follow the default contour levels.
const PdClass kClasses[] = {
    {0.0, cv::Scalar(40, 40, 215), "0 - 0.5"},   {0.5, cv::Scalar(0, 140, 255), "0.5 - 0.8"},
    {0.8, cv::Scalar(0, 220, 255), "0.8 - 0.9"}, {0.9, cv::Scalar(80, 210, 120), "0.9 - 0.95"},
    {0.95, cv::Scalar(40, 140, 20), ">= 0.95"},
};

cv::Scalar class_colour(double pd) {
  cv::Scalar c = kClasses[0].bgr;
  for (const auto& k : kClasses)
    if (pd >= k.lo) c = k.bgr;
  return c;
}

double nice_length(double approx) {
  const double p = std::pow(10, std::floor(std::log10(approx)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= approx) return m * p;
  return 10 * p;
}

}  // namespace

Status write_coverage_png(const CoverageResult& result, const Site& site,
                          const std::optional<double>& target_pd, const std::string& path) {
  const CoverageMap& map = result.map;
  if (map.nx < 2 || map.ny < 2) return Error{path, "the map is too small to draw"};
  // Hillshade (Horn's gradient, sun from the north-west at 45 degrees) under the Pd classes.
  cv::Mat img(map.ny, map.nx, CV_8UC3);
  const double zen = deg2rad(45), az = deg2rad(315);
  auto g = [&](int i, int j) {
    i = std::clamp(i, 0, map.nx - 1);
    j = std::clamp(j, 0, map.ny - 1);
    const float v = map.ground[map.index(i, j)];
    return std::isnan(v) ? 0.0 : static_cast<double>(v);
  };
  for (int j = 0; j < map.ny; ++j) {
    for (int i = 0; i < map.nx; ++i) {
      const double dzdx = ((g(i + 1, j + 1) + 2 * g(i + 1, j) + g(i + 1, j - 1)) -
                           (g(i - 1, j + 1) + 2 * g(i - 1, j) + g(i - 1, j - 1))) /
                          (8 * map.spacing);
      const double dzdy = ((g(i + 1, j + 1) + 2 * g(i, j + 1) + g(i - 1, j + 1)) -
                           (g(i + 1, j - 1) + 2 * g(i, j - 1) + g(i - 1, j - 1))) /
                          (8 * map.spacing);
      const double slope = std::atan(std::hypot(dzdx, dzdy));
      const double aspect = std::atan2(-dzdx, -dzdy);  // downhill direction, clockwise from north
      double shade =
          std::cos(zen) * std::cos(slope) + std::sin(zen) * std::sin(slope) * std::cos(az - aspect);
      shade = std::clamp(shade, 0.0, 1.0);
      const int row = map.ny - 1 - j;
      const float pd = map.pd[map.index(i, j)];
      cv::Vec3b& px = img.at<cv::Vec3b>(row, i);
      const double grey = 90 + 150 * shade;
      if (std::isnan(pd)) {
        const bool hatch = ((i + row) / 4) % 2 == 0;
        px = hatch ? cv::Vec3b(70, 70, 70) : cv::Vec3b(110, 110, 110);
        continue;
      }
      if (pd <= 0) {
        px =
            cv::Vec3b(static_cast<uchar>(grey), static_cast<uchar>(grey), static_cast<uchar>(grey));
        continue;
      }
      const cv::Scalar c = class_colour(pd);
      for (int k = 0; k < 3; ++k)
        px[k] = static_cast<uchar>(std::clamp(0.65 * c[k] + 0.35 * grey * shade * 1.2, 0.0, 255.0));
    }
  }
  // Scale to a readable size.
  const double scale = std::clamp(1000.0 / std::max(map.nx, map.ny), 0.25, 8.0);
  cv::Mat big;
  cv::resize(img, big, cv::Size(), scale, scale, cv::INTER_NEAREST);
  auto to_px = [&](const Vec2& p) {
    const double x = (p.x() - (map.origin.x() - 0.5 * map.spacing)) / map.spacing * scale;
    const double y =
        ((map.origin.y() + (map.ny - 0.5) * map.spacing) - p.y()) / map.spacing * scale;
    return cv::Point(static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)));
  };
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  for (const auto& f : site.fences) {
    std::vector<cv::Point> line;
    for (const auto& p : f.points)
      line.push_back(to_px(p));
    cv::polylines(big, line, false, cv::Scalar(0, 0, 0), 2, cv::LINE_AA);
  }
  for (const auto& s : result.segments) {
    if (!s.below_target) continue;
    const Fence* f = site.find_fence(s.fence);
    const FenceSegment* seg = f ? f->segment(s.segment) : nullptr;
    if (!seg) continue;
    std::vector<cv::Point> line;
    for (const auto& p : seg->points)
      line.push_back(to_px(p));
    cv::polylines(big, line, false, cv::Scalar(200, 0, 200), 5, cv::LINE_AA);
  }
  for (const auto& s : site.sensors) {
    if (s.type == SensorType::fence || s.type == SensorType::adsb) continue;
    const cv::Point p = to_px(s.enu.head<2>());
    cv::circle(big, p, 5, cv::Scalar(255, 255, 255), cv::FILLED, cv::LINE_AA);
    cv::circle(big, p, 5, cv::Scalar(160, 40, 0), 2, cv::LINE_AA);
    cv::putText(big, s.id, p + cv::Point(7, -5), font, 0.45, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
    cv::putText(big, s.id, p + cv::Point(7, -5), font, 0.45, cv::Scalar(255, 255, 255), 1,
                cv::LINE_AA);
  }
  // Scale bar.
  const double width_m = map.nx * map.spacing;
  const double bar_m = nice_length(width_m / 5);
  const int bar_px = static_cast<int>(bar_m / map.spacing * scale);
  const cv::Point b0(15, big.rows - 20);
  cv::rectangle(big, b0 + cv::Point(-5, -22), b0 + cv::Point(bar_px + 70, 8),
                cv::Scalar(255, 255, 255), cv::FILLED);
  cv::line(big, b0, b0 + cv::Point(bar_px, 0), cv::Scalar(0, 0, 0), 3);
  cv::putText(big,
              bar_m >= 1000 ? fmt::format("{:g} km", bar_m / 1000) : fmt::format("{:g} m", bar_m),
              b0 + cv::Point(bar_px + 6, 4), font, 0.45, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  // North arrow.
  const cv::Point na(big.cols - 25, 45);
  cv::arrowedLine(big, na + cv::Point(0, 25), na, cv::Scalar(0, 0, 0), 2, cv::LINE_AA, 0, 0.4);
  cv::putText(big, "N", na + cv::Point(-6, -6), font, 0.55, cv::Scalar(0, 0, 0), 2, cv::LINE_AA);

  // Canvas: title above, legend to the right.
  const int legend_w = 230, title_h = 40;
  cv::Mat canvas(big.rows + title_h, big.cols + legend_w, CV_8UC3, cv::Scalar(255, 255, 255));
  big.copyTo(canvas(cv::Rect(0, title_h, big.cols, big.rows)));
  cv::putText(canvas, fmt::format("{}: sensor coverage", site.name.empty() ? "site" : site.name),
              cv::Point(10, 27), font, 0.65, cv::Scalar(0, 0, 0), 2, cv::LINE_AA);
  int y = title_h + 20;
  const int x = big.cols + 15;
  cv::putText(canvas, "Combined Pd", cv::Point(x, y), font, 0.55, cv::Scalar(0, 0, 0), 2,
              cv::LINE_AA);
  y += 12;
  auto swatch = [&](const cv::Scalar& c, const std::string& label) {
    cv::rectangle(canvas, cv::Rect(x, y, 26, 16), c, cv::FILLED);
    cv::rectangle(canvas, cv::Rect(x, y, 26, 16), cv::Scalar(0, 0, 0), 1);
    cv::putText(canvas, label, cv::Point(x + 34, y + 13), font, 0.45, cv::Scalar(0, 0, 0), 1,
                cv::LINE_AA);
    y += 24;
  };
  for (auto it = std::rbegin(kClasses); it != std::rend(kClasses); ++it)
    swatch(it->bgr, it->label);
  swatch(cv::Scalar(180, 180, 180), "not covered");
  swatch(cv::Scalar(90, 90, 90), "terrain unknown");
  y += 6;
  cv::line(canvas, cv::Point(x, y + 8), cv::Point(x + 26, y + 8), cv::Scalar(0, 0, 0), 2);
  cv::putText(canvas, "fence", cv::Point(x + 34, y + 13), font, 0.45, cv::Scalar(0, 0, 0), 1,
              cv::LINE_AA);
  y += 24;
  if (target_pd) {
    cv::line(canvas, cv::Point(x, y + 8), cv::Point(x + 26, y + 8), cv::Scalar(200, 0, 200), 5);
    cv::putText(canvas, fmt::format("segment Pd < {:g}", *target_pd), cv::Point(x + 34, y + 13),
                font, 0.45, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    y += 24;
  }
  cv::circle(canvas, cv::Point(x + 13, y + 8), 5, cv::Scalar(160, 40, 0), 2, cv::LINE_AA);
  cv::putText(canvas, "sensor", cv::Point(x + 34, y + 13), font, 0.45, cv::Scalar(0, 0, 0), 1,
              cv::LINE_AA);
  y += 34;
  cv::putText(canvas, fmt::format("cell {:g} m", map.spacing), cv::Point(x, y), font, 0.42,
              cv::Scalar(60, 60, 60), 1, cv::LINE_AA);
  try {
    if (!cv::imwrite(path, canvas)) return Error{path, "cannot write PNG"};
  } catch (const cv::Exception& e) {
    return Error{path, std::string("cannot write PNG: ") + e.what()};
  }
  return Ok{};
}

// --- Contours -------------------------------------------------------------------------------

Status write_coverage_contours(const CoverageMap& map, const Terrain& terrain,
                               const std::vector<double>& levels, const std::string& path) {
  using nlohmann::json;
  ensure_gdal();
  GdalErrorCapture errors;
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDriver* vmem = GetGDALDriverManager()->GetDriverByName("Memory");
  if (mem == nullptr || vmem == nullptr) return Error{path, "GDAL lacks its in-memory drivers"};
  DatasetPtr raster(mem->Create("", map.nx, map.ny, 1, GDT_Float64, nullptr));
  if (!raster) return Error{path, "cannot create a raster: " + errors.failures()};
  double gt[6];
  north_up_geotransform(map, gt);
  raster->SetGeoTransform(gt);
  std::vector<double> pd = north_up_pd(map);
  GDALRasterBand* band = raster->GetRasterBand(1);
  band->SetNoDataValue(kNoData);
  if (band->RasterIO(GF_Write, 0, 0, map.nx, map.ny, pd.data(), map.nx, map.ny, GDT_Float64, 0, 0,
                     nullptr) != CE_None)
    return Error{path, "cannot fill the contour raster: " + errors.failures()};
  DatasetPtr vec(vmem->Create("", 0, 0, 0, GDT_Unknown, nullptr));
  if (!vec) return Error{path, "cannot create a vector layer: " + errors.failures()};
  OGRLayer* layer = vec->CreateLayer("contours", nullptr, wkbLineString, nullptr);
  OGRFieldDefn id_field("id", OFTInteger);
  OGRFieldDefn pd_field("pd", OFTReal);
  layer->CreateField(&id_field);
  layer->CreateField(&pd_field);
  std::string fixed;
  for (double l : levels)
    fixed += (fixed.empty() ? "" : ",") + fmt::format("{}", l);
  char** opts = nullptr;
  opts = CSLSetNameValue(opts, "FIXED_LEVELS", fixed.c_str());
  opts = CSLSetNameValue(opts, "ID_FIELD", "0");
  opts = CSLSetNameValue(opts, "ELEV_FIELD", "1");
  opts = CSLSetNameValue(opts, "NODATA", "-1");
  const CPLErr err = GDALContourGenerateEx(GDALRasterBand::ToHandle(band),
                                           OGRLayer::ToHandle(layer), opts, nullptr, nullptr);
  CSLDestroy(opts);
  if (err != CE_None) return Error{path, "contour generation failed: " + errors.failures()};

  json features = json::array();
  layer->ResetReading();
  const LocalFrame& frame = terrain.frame();
  OGRFeature* f = nullptr;
  while ((f = layer->GetNextFeature()) != nullptr) {
    const double level = f->GetFieldAsDouble(1);
    const OGRGeometry* geom = f->GetGeometryRef();
    if (geom != nullptr && wkbFlatten(geom->getGeometryType()) == wkbLineString) {
      const auto* ls = geom->toLineString();
      json coords = json::array();
      for (int i = 0; i < ls->getNumPoints(); ++i) {
        const double e = ls->getX(i), n = ls->getY(i);
        const double up = terrain.height(e, n).value_or(0.0);
        const Geodetic g = frame.to_geodetic(Enu(e, n, up));
        coords.push_back({std::round(g.lon_deg * 1e7) / 1e7, std::round(g.lat_deg * 1e7) / 1e7});
      }
      if (coords.size() >= 2) {
        features.push_back({{"type", "Feature"},
                            {"properties", {{"pd", level}}},
                            {"geometry", {{"type", "LineString"}, {"coordinates", coords}}}});
      }
    }
    OGRFeature::DestroyFeature(f);
  }
  json doc = {
      {"type", "FeatureCollection"}, {"name", "combined Pd contours"}, {"features", features}};
  return write_text(path, doc.dump() + "\n");
}

// --- Tables ---------------------------------------------------------------------------------

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v)
    s += (s.empty() ? "" : sep) + x;
  return s;
}

}  // namespace

Status write_segment_csv(const std::vector<SegmentCoverage>& segments, const std::string& path) {
  std::string out =
      "fence,segment,start_m,end_m,sensors,sensors_full,min_pd,mean_pd,types,shadowed_by,"
      "below_target\n";
  for (const auto& s : segments) {
    out += fmt::format("{},{},{:.1f},{:.1f},{},{},{:.4f},{:.4f},{},{},{}\n", s.fence, s.segment,
                       s.start_m, s.end_m, s.sensors, s.sensors_full, s.min_pd, s.mean_pd,
                       join(s.types, ";"), join(s.shadowed_by, ";"), s.below_target ? 1 : 0);
  }
  return write_text(path, out);
}

Status write_segment_json(const CoverageResult& result, const std::optional<double>& target_pd,
                          const std::string& path) {
  using nlohmann::json;
  json segs = json::array();
  auto r4 = [](double v) { return std::round(v * 1e4) / 1e4; };
  for (const auto& s : result.segments) {
    json by = json::array();
    for (const auto& b : s.by_sensor) {
      by.push_back({{"sensor", b.sensor},
                    {"type", std::string(to_string(b.type))},
                    {"in_view_fraction", r4(b.in_view_fraction)},
                    {"visible_fraction", r4(b.visible_fraction)},
                    {"shadowed_fraction", r4(b.shadowed_fraction())},
                    {"min_pd", r4(b.min_pd)},
                    {"mean_pd", r4(b.mean_pd)}});
    }
    segs.push_back({{"fence", s.fence},
                    {"segment", s.segment},
                    {"start_m", std::round(s.start_m * 10) / 10},
                    {"end_m", std::round(s.end_m * 10) / 10},
                    {"sensors", s.sensors},
                    {"sensors_full", s.sensors_full},
                    {"min_pd", r4(s.min_pd)},
                    {"mean_pd", r4(s.mean_pd)},
                    {"types", s.types},
                    {"shadowed_by", s.shadowed_by},
                    {"below_target", s.below_target},
                    {"by_sensor", by}});
  }
  std::size_t covered = 0, known = 0;
  for (float v : result.map.pd) {
    if (std::isnan(v)) continue;
    ++known;
    covered += v > 0 ? 1 : 0;
  }
  json doc = {{"target_pd", target_pd ? json(*target_pd) : json(nullptr)},
              {"map",
               {{"nx", result.map.nx},
                {"ny", result.map.ny},
                {"resolution_m", result.map.spacing},
                {"covered_fraction", known ? r4(static_cast<double>(covered) / known) : 0.0}}},
              {"segments", segs},
              {"warnings", result.warnings}};
  return write_text(path, doc.dump(1) + "\n");
}

}  // namespace picket::terrain

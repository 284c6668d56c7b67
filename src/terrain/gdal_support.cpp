#include "gdal_support.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>

#include "picket/core/units.h"

namespace picket::terrain::detail {

namespace {

void CPL_STDCALL capture_handler(CPLErr error_class, CPLErrorNum /*number*/, const char* message) {
  auto* self = static_cast<GdalErrorCapture*>(CPLGetErrorHandlerUserData());
  if (self != nullptr) self->add(static_cast<int>(error_class), message);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Metres per unit of a band's height unit ("" means metres), or nothing when unknown.
std::optional<double> unit_to_metres(const std::string& unit) {
  const std::string u = lower(unit);
  if (u.empty() || u == "m" || u == "metre" || u == "meter" || u == "metres" || u == "meters")
    return 1.0;
  if (u == "ft" || u == "foot" || u == "feet" || u == "international foot") return 0.3048;
  if (u == "us-ft" || u == "ftus" || u == "us survey foot" || u == "foot_us")
    return 1200.0 / 3937.0;
  return std::nullopt;
}

std::string srs_name(const OGRSpatialReference& srs) {
  const char* auth = srs.GetAuthorityName(nullptr);
  const char* code = srs.GetAuthorityCode(nullptr);
  if (auth != nullptr && code != nullptr) return fmt::format("{}:{}", auth, code);
  const char* name = srs.GetName();
  return name != nullptr ? name : "unnamed CRS";
}

}  // namespace

void ensure_gdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Never write .aux.xml side files next to the user's DEMs.
    CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
    GDALAllRegister();
  });
}

GdalErrorCapture::GdalErrorCapture() {
  CPLPushErrorHandlerEx(capture_handler, this);
}
GdalErrorCapture::~GdalErrorCapture() {
  CPLPopErrorHandler();
}
void GdalErrorCapture::add(int error_class, const char* message) {
  if (error_class >= static_cast<int>(CE_Failure) && message != nullptr)
    failures_.emplace_back(message);
}
std::string GdalErrorCapture::failures() const {
  std::string out;
  for (const auto& f : failures_) {
    if (!out.empty()) out += "; ";
    out += f;
  }
  return out;
}

void DatasetDeleter::operator()(GDALDataset* d) const {
  GDALClose(GDALDataset::ToHandle(d));
}
void TransformDeleter::operator()(OGRCoordinateTransformation* t) const {
  OGRCoordinateTransformation::DestroyCT(t);
}

DemRaster::DemRaster(DemRaster&&) noexcept = default;
DemRaster& DemRaster::operator=(DemRaster&&) noexcept = default;
DemRaster::~DemRaster() = default;

Result<DemRaster> DemRaster::open(const std::string& path) {
  ensure_gdal();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Error{path, "cannot open DEM: no such file"};
  if (std::filesystem::is_directory(path, ec))
    return Error{path, "cannot open DEM: a directory, not a file"};
  GdalErrorCapture errors;
  DemRaster r;
  r.path_ = path;
  r.ds_.reset(GDALDataset::FromHandle(
      GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
  if (!r.ds_) {
    const std::string why = errors.failures();
    return Error{path,
                 "cannot read as an elevation raster: " +
                     (why.empty() ? std::string("not a raster format GDAL recognises") : why)};
  }
  GDALDataset& ds = *r.ds_;
  const std::string driver = ds.GetDriver() != nullptr ? ds.GetDriver()->GetDescription() : "?";
  r.width_ = ds.GetRasterXSize();
  r.height_ = ds.GetRasterYSize();
  const int bands = ds.GetRasterCount();
  if (bands < 1 || r.width_ < 1 || r.height_ < 1)
    return Error{path, fmt::format("{} file without raster data (no band or no pixels)", driver)};
  GDALRasterBand* band = ds.GetRasterBand(1);
  const GDALColorInterp ci = band->GetColorInterpretation();
  if (bands >= 3 || ci == GCI_PaletteIndex || ci == GCI_RedBand) {
    return Error{path, fmt::format("looks like an image ({} band{} of {}, colour '{}'), not an "
                                   "elevation model: a DEM has one band of heights",
                                   bands, bands == 1 ? "" : "s",
                                   GDALGetDataTypeName(band->GetRasterDataType()),
                                   GDALGetColorInterpretationName(ci))};
  }
  if (GDALDataTypeIsComplex(band->GetRasterDataType()))
    return Error{path, "complex-valued raster, not an elevation model"};

  double gt[6];
  if (ds.GetGeoTransform(gt) != CE_None) {
    return Error{path,
                 "not georeferenced (no geotransform): a DEM must say where it lies "
                 "(GeoTIFF tags, a .tfw world file, or DTED/SRTM naming)"};
  }
  if (!GDALInvGeoTransform(gt, r.inv_gt_))
    return Error{path, "degenerate geotransform (zero pixel size)"};

  const OGRSpatialReference* srs = ds.GetSpatialRef();
  if (srs == nullptr || srs->IsEmpty()) {
    return Error{path,
                 "has a geotransform but no coordinate reference system, so its "
                 "coordinates cannot be placed on the earth (assign one, e.g. "
                 "gdal_translate -a_srs EPSG:4326 in.tif out.tif)"};
  }
  if (srs->IsLocal() || srs->IsGeocentric()) {
    return Error{path, fmt::format("its coordinate reference system ({}) is {}, not geographic "
                                   "or projected: it cannot be placed on the earth",
                                   srs_name(*srs),
                                   srs->IsLocal() ? "a local engineering frame" : "geocentric")};
  }
  OGRSpatialReference wgs84;
  wgs84.SetWellKnownGeogCS("WGS84");
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference raster_srs(*srs);
  raster_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  const bool identity = raster_srs.IsGeographic() && raster_srs.IsSame(&wgs84);
  if (!identity) {
    r.to_raster_.reset(OGRCreateCoordinateTransformation(&wgs84, &raster_srs));
    if (!r.to_raster_) {
      return Error{path, fmt::format("cannot transform WGS84 coordinates into its coordinate "
                                     "reference system ({}): {}",
                                     srs_name(raster_srs), errors.failures())};
    }
  }

  // Height unit, scale and offset.
  const std::string unit = band->GetUnitType() != nullptr ? band->GetUnitType() : "";
  const auto metres = unit_to_metres(unit);
  if (!metres)
    return Error{path, fmt::format("heights in unknown unit '{}' (expected metres or feet)", unit)};
  int ok = 0;
  const double scale = band->GetScale(&ok);
  r.scale_ = (ok ? scale : 1.0) * *metres;
  const double offset = band->GetOffset(&ok);
  r.offset_ = (ok ? offset : 0.0) * *metres;
  int has_nodata = 0;
  r.nodata_ = band->GetNoDataValue(&has_nodata);
  r.has_nodata_ = has_nodata != 0;

  // Extent in WGS84 and spacing in metres, for messages and the default grid resolution.
  std::unique_ptr<OGRCoordinateTransformation, TransformDeleter> to_wgs;
  if (!identity) to_wgs.reset(OGRCreateCoordinateTransformation(&raster_srs, &wgs84));
  double xs[9], ys[9];
  int k = 0;
  for (int j = 0; j <= 2; ++j) {
    for (int i = 0; i <= 2; ++i) {
      const double px = r.width_ * i / 2.0, py = r.height_ * j / 2.0;
      xs[k] = gt[0] + gt[1] * px + gt[2] * py;
      ys[k] = gt[3] + gt[4] * px + gt[5] * py;
      ++k;
    }
  }
  int success[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  if (to_wgs) to_wgs->Transform(9, xs, ys, nullptr, success);
  r.min_lon_ = r.min_lat_ = std::numeric_limits<double>::infinity();
  r.max_lon_ = r.max_lat_ = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < 9; ++i) {
    if (!success[i]) continue;
    r.min_lon_ = std::min(r.min_lon_, xs[i]);
    r.max_lon_ = std::max(r.max_lon_, xs[i]);
    r.min_lat_ = std::min(r.min_lat_, ys[i]);
    r.max_lat_ = std::max(r.max_lat_, ys[i]);
  }
  if (raster_srs.IsGeographic()) {
    const double lat_c = 0.5 * (r.min_lat_ + r.max_lat_);
    const double dx = std::hypot(gt[1], gt[4]) * 111320.0 * std::cos(lat_c * kPi / 180.0);
    const double dy = std::hypot(gt[2], gt[5]) * 110574.0;
    r.spacing_m_ = std::min(dx, dy);
  } else {
    const double lu = raster_srs.GetLinearUnits();
    r.spacing_m_ = std::min(std::hypot(gt[1], gt[4]), std::hypot(gt[2], gt[5])) * lu;
  }
  if (!(r.spacing_m_ > 0)) r.spacing_m_ = 30;
  r.description_ =
      fmt::format("{} ({}, {} x {}, {})", std::filesystem::path(path).filename().string(), driver,
                  r.width_, r.height_, srs_name(raster_srs));
  return r;
}

Status DemRaster::sample(const std::vector<double>& lon, const std::vector<double>& lat,
                         std::vector<double>& heights, std::vector<SampleState>& states) const {
  const std::size_t n = lon.size();
  heights.assign(n, std::numeric_limits<double>::quiet_NaN());
  states.assign(n, SampleState::outside);
  if (n == 0) return Ok{};
  std::vector<double> x(lon), y(lat);
  std::vector<int> success(n, 1);
  if (to_raster_) {
    // Transform in chunks (the interface takes an int count).
    constexpr std::size_t kChunk = 1 << 20;
    for (std::size_t start = 0; start < n; start += kChunk) {
      const std::size_t m = std::min(kChunk, n - start);
      to_raster_->Transform(static_cast<int>(m), x.data() + start, y.data() + start, nullptr,
                            success.data() + start);
    }
  }
  // Pixel coordinates (pixel centres at +0.5) and the window they need.
  std::vector<double> px(n), py(n);
  int x0 = width_, x1 = -1, y0 = height_, y1 = -1;
  for (std::size_t i = 0; i < n; ++i) {
    if (!success[i] || !std::isfinite(x[i]) || !std::isfinite(y[i])) {
      px[i] = py[i] = -1;
      continue;
    }
    px[i] = inv_gt_[0] + inv_gt_[1] * x[i] + inv_gt_[2] * y[i];
    py[i] = inv_gt_[3] + inv_gt_[4] * x[i] + inv_gt_[5] * y[i];
    if (px[i] < 0 || py[i] < 0 || px[i] > width_ || py[i] > height_) {
      px[i] = py[i] = -1;
      continue;
    }
    const int cx = static_cast<int>(std::floor(px[i] - 0.5));
    const int cy = static_cast<int>(std::floor(py[i] - 0.5));
    x0 = std::min(x0, std::max(cx, 0));
    x1 = std::max(x1, std::min(cx + 1, width_ - 1));
    y0 = std::min(y0, std::max(cy, 0));
    y1 = std::max(y1, std::min(cy + 1, height_ - 1));
  }
  if (x1 < x0 || y1 < y0) return Ok{};  // nothing inside
  const int ww = x1 - x0 + 1, wh = y1 - y0 + 1;
  if (static_cast<double>(ww) * wh > 256.0 * 1024 * 1024) {
    return Error{path_, fmt::format("the area to read is {} x {} pixels, too large; use a DEM "
                                    "cut to the site or a coarser `resolution`",
                                    ww, wh)};
  }
  std::vector<double> win(static_cast<std::size_t>(ww) * static_cast<std::size_t>(wh));
  {
    GdalErrorCapture errors;
    GDALRasterBand* band = ds_->GetRasterBand(1);
    const CPLErr err =
        band->RasterIO(GF_Read, x0, y0, ww, wh, win.data(), ww, wh, GDT_Float64, 0, 0, nullptr);
    if (err != CE_None) {
      const std::string why = errors.failures();
      return Error{path_, "cannot read heights (damaged file?): " +
                              (why.empty() ? std::string("read failed") : why)};
    }
  }
  auto value = [&](int cx, int cy, double& v) {
    cx = std::clamp(cx, x0, x1);
    cy = std::clamp(cy, y0, y1);
    v = win[static_cast<std::size_t>(cy - y0) * static_cast<std::size_t>(ww) +
            static_cast<std::size_t>(cx - x0)];
    if (!std::isfinite(v)) return false;
    if (has_nodata_ && v == nodata_) return false;
    return true;
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (px[i] < 0) continue;
    const double fx = px[i] - 0.5, fy = py[i] - 0.5;
    const int cx = static_cast<int>(std::floor(fx));
    const int cy = static_cast<int>(std::floor(fy));
    const double ax = fx - cx, ay = fy - cy;
    const double w[4] = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay};
    const int ox[4] = {0, 1, 0, 1}, oy[4] = {0, 0, 1, 1};
    double sum = 0, wsum = 0;
    for (int k = 0; k < 4; ++k) {
      if (w[k] <= 0) continue;
      double v = 0;
      if (!value(cx + ox[k], cy + oy[k], v)) continue;
      sum += w[k] * v;
      wsum += w[k];
    }
    if (wsum <= 1e-12) {
      states[i] = SampleState::missing;
      continue;
    }
    const double h = sum / wsum * scale_ + offset_;
    if (h < -12000 || h > 9000) {
      return Error{path_, fmt::format("value {} near pixel ({}, {}) is not a plausible height in "
                                      "metres (is this an elevation model? check its scale, "
                                      "offset and unit)",
                                      h, cx, cy)};
    }
    heights[i] = h;
    states[i] = SampleState::ok;
  }
  return Ok{};
}

}  // namespace picket::terrain::detail

// Private to the terrain layer: GDAL set-up, error capture and a DEM raster sampler. No public
// header of the layer includes GDAL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "picket/core/result.h"

class GDALDataset;
class OGRCoordinateTransformation;

namespace picket::terrain::detail {

// Registers GDAL's drivers once per process (thread-safe).
void ensure_gdal();

// Captures GDAL's error messages on this thread for its lifetime instead of letting GDAL print
// them, so they can be returned inside our Errors.
class GdalErrorCapture {
 public:
  GdalErrorCapture();
  ~GdalErrorCapture();
  GdalErrorCapture(const GdalErrorCapture&) = delete;
  GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;
  // The messages of failures (CE_Failure, CE_Fatal) so far, joined by "; ", or "".
  std::string failures() const;
  void add(int error_class, const char* message);

 private:
  std::vector<std::string> failures_;
};

struct DatasetDeleter {
  void operator()(GDALDataset* d) const;
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetDeleter>;

struct TransformDeleter {
  void operator()(OGRCoordinateTransformation* t) const;
};

// How a sample came out.
enum class SampleState : std::uint8_t { outside = 0, ok = 1, missing = 2 };

// A single-band elevation raster open for sampling at WGS84 longitudes and latitudes.
class DemRaster {
 public:
  // Opens and checks a raster: one band of heights, georeferenced, with a coordinate reference
  // system we can transform WGS84 into. Errors name the file and the problem.
  static Result<DemRaster> open(const std::string& path);
  DemRaster(DemRaster&&) noexcept;
  DemRaster& operator=(DemRaster&&) noexcept;
  ~DemRaster();

  // Heights (metres, as stored: the vertical datum is the caller's business) at each point,
  // bilinear between pixel centres. states[i] says whether point i was outside the raster or
  // fell on missing data (no-data pixels are left out of the weights; missing only when all
  // four neighbours are). `lon` and `lat` are degrees.
  Status sample(const std::vector<double>& lon, const std::vector<double>& lat,
                std::vector<double>& heights, std::vector<SampleState>& states) const;

  // "dem.tif (GTiff, 367 x 359, EPSG:4326)"
  const std::string& description() const { return description_; }
  // Approximate extent in WGS84 degrees, for messages.
  double min_lon() const { return min_lon_; }
  double max_lon() const { return max_lon_; }
  double min_lat() const { return min_lat_; }
  double max_lat() const { return max_lat_; }
  // Pixel spacing in metres (the smaller of the two axes), near the raster's centre.
  double spacing_m() const { return spacing_m_; }
  const std::string& path() const { return path_; }

 private:
  DemRaster() = default;
  std::string path_;
  std::string description_;
  DatasetPtr ds_;
  std::unique_ptr<OGRCoordinateTransformation, TransformDeleter> to_raster_;  // null: identity
  double inv_gt_[6] = {0, 1, 0, 0, 0, 1};
  int width_ = 0, height_ = 0;
  bool has_nodata_ = false;
  double nodata_ = 0;
  double scale_ = 1, offset_ = 0;  // band scale/offset and unit conversion to metres
  double min_lon_ = 0, max_lon_ = 0, min_lat_ = 0, max_lat_ = 0;
  double spacing_m_ = 30;
};

}  // namespace picket::terrain::detail

// Test helper: writes small rasters with GDAL (GeoTIFF, SRTM .hgt, DTED, ...) whose pixel values
// come from a function of the pixel centre's georeferenced coordinates.
#pragma once

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <unistd.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace picket::terrain::testing {

struct RasterSpec {
  int width = 10;
  int height = 10;
  std::array<double, 6> geotransform{0, 1, 0, 0, 0, -1};
  bool georeferenced = true;
  std::string srs = "EPSG:4326";  // empty: no CRS; "LOCAL": a local engineering CRS
  GDALDataType type = GDT_Float32;
  int bands = 1;
  std::optional<double> nodata;
  std::string unit;
  // Value at the pixel centre (x, y in the raster's CRS); NaN writes the no-data value.
  std::function<double(double x, double y)> value = [](double, double) { return 0.0; };
};

// A directory of this test process's own (CTest runs tests in parallel processes), removed
// when the process ends.
inline const std::filesystem::path& temp_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir()
        : path(std::filesystem::path(::testing::TempDir()) /
               ("picket_terrain_" + std::to_string(::getpid()))) {
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

inline std::string temp_path(const std::string& name) {
  return (temp_dir() / name).string();
}

// Writes `spec` to `path` with the GDAL driver `driver` (through an in-memory copy, so drivers
// that only support CreateCopy work). Returns false on failure.
inline bool write_raster(const std::string& path, const std::string& driver,
                         const RasterSpec& spec) {
  GDALAllRegister();
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDriver* out = GetGDALDriverManager()->GetDriverByName(driver.c_str());
  if (mem == nullptr || out == nullptr) return false;
  GDALDataset* ds = mem->Create("", spec.width, spec.height, spec.bands, spec.type, nullptr);
  if (ds == nullptr) return false;
  if (spec.georeferenced) {
    std::array<double, 6> gt = spec.geotransform;
    ds->SetGeoTransform(gt.data());
  }
  if (spec.srs == "LOCAL") {
    OGRSpatialReference srs;
    srs.SetLocalCS("site grid");
    ds->SetSpatialRef(&srs);
  } else if (!spec.srs.empty()) {
    OGRSpatialReference srs;
    srs.SetFromUserInput(spec.srs.c_str());
    ds->SetSpatialRef(&srs);
  }
  const auto& gt = spec.geotransform;
  std::vector<double> row(static_cast<std::size_t>(spec.width));
  for (int b = 1; b <= spec.bands; ++b) {
    GDALRasterBand* band = ds->GetRasterBand(b);
    if (spec.nodata) band->SetNoDataValue(*spec.nodata);
    if (!spec.unit.empty()) band->SetUnitType(spec.unit.c_str());
    for (int j = 0; j < spec.height; ++j) {
      for (int i = 0; i < spec.width; ++i) {
        const double px = i + 0.5, py = j + 0.5;
        const double x = gt[0] + gt[1] * px + gt[2] * py;
        const double y = gt[3] + gt[4] * px + gt[5] * py;
        double v = spec.value(x, y);
        if (std::isnan(v) && spec.nodata) v = *spec.nodata;
        row[static_cast<std::size_t>(i)] = v;
      }
      if (band->RasterIO(GF_Write, 0, j, spec.width, 1, row.data(), spec.width, 1, GDT_Float64, 0,
                         0, nullptr) != CE_None) {
        GDALClose(ds);
        return false;
      }
    }
  }
  std::filesystem::remove(path);
  GDALDataset* copy = out->CreateCopy(path.c_str(), ds, FALSE, nullptr, nullptr, nullptr);
  GDALClose(ds);
  if (copy == nullptr) return false;
  GDALClose(copy);
  return true;
}

}  // namespace picket::terrain::testing

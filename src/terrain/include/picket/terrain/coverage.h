// Sensor coverage analysis: where, over the site's terrain, each sensor can detect a target, the
// combined probability of detection, and how well every fence segment is watched.
//
// A sensor detects a target point when the point is inside its range and field of view
// (SensorDef::covers), the line of sight from the sensor to the point clears the terrain (radar
// paths with the radio refraction factor, others with the optical one), and then with the
// probability of its detection model (detection_model.h). Sensors are taken as independent:
// the combined probability of detection is 1 - Π(1 - Pd_i). Fence sensors detect on the segments
// they are mounted on, with their `pd`, and take no part in the area map.
//
// Thread-safety: the functions are pure; compute_coverage uses `threads` worker threads
// internally and returns when they are done.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/terrain/terrain.h"

namespace picket::terrain {

struct CoverageOptions {
  double resolution_m = 10;      // map cell size
  double target_height_m = 1.0;  // the target point's height above the ground (a person's centre)
  std::optional<double> target_pd;  // segments whose weakest point is below are listed
  double segment_step_m = 2;        // sampling step along fence segments
  std::vector<double> contour_levels{0.5, 0.8, 0.9, 0.95};
  std::optional<Box2> area;  // map area; default: the terrain's wanted box for the site
  int threads = 2;
};

// A ground sensor's position, taking the terrain section's `sensor_heights` into account.
Enu sensor_position(const SensorDef& sensor, const SiteTerrain& terrain);
// The refraction factor for a sensor's paths.
double refraction_for(const SensorDef& sensor, const TerrainConfig& config);

// Probability that `sensor` (at `position`) detects a target at `target`: 0 out of range, out of
// the field of view or behind terrain. `in_view` (optional) is set when range and field of view
// allow it, whatever the terrain.
double sensor_pd_at(const SensorDef& sensor, const Enu& position, const Terrain& terrain,
                    const Enu& target, double k, bool* in_view = nullptr);

// The coverage map: a regular grid in the site frame, row 0 at the south edge.
struct CoverageMap {
  Vec2 origin{0, 0};  // centre of cell (0, 0), ENU
  double spacing = 10;
  int nx = 0, ny = 0;
  std::vector<float> pd;            // combined Pd; NaN where the ground height is unknown
  std::vector<std::uint8_t> count;  // sensors that can detect there (Pd > 0)
  std::vector<float> ground;        // ground height (ENU up), NaN where unknown
  std::size_t index(int i, int j) const {
    return static_cast<std::size_t>(j) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(i);
  }
  Vec2 centre(int i, int j) const { return origin + Vec2(i * spacing, j * spacing); }
};

// How one sensor watches one fence segment.
struct SegmentSensor {
  std::string sensor;
  SensorType type = SensorType::radar;
  double in_view_fraction = 0;  // of the segment's sample points inside range and field of view
  double visible_fraction = 0;  // ... and with a clear line of sight (Pd > 0)
  double min_pd = 0;            // over the segment's sample points
  double mean_pd = 0;
  // In view but behind terrain for part of the segment.
  double shadowed_fraction() const { return in_view_fraction - visible_fraction; }
};

struct SegmentCoverage {
  std::string fence;
  int segment = 0;
  double start_m = 0, end_m = 0;
  int sensors = 0;                       // sensors that detect on some part of the segment
  int sensors_full = 0;                  // sensors that detect along all of it
  double min_pd = 0;                     // combined Pd at the segment's weakest sample point
  double mean_pd = 0;                    // combined Pd averaged along the segment
  std::vector<std::string> types;        // sensor types that detect on it, sorted
  std::vector<std::string> shadowed_by;  // sensors that would see part of it but for the terrain
  std::vector<SegmentSensor> by_sensor;  // every sensor with any part in view
  bool below_target = false;
};

struct CoverageResult {
  CoverageMap map;
  std::vector<SegmentCoverage> segments;
  std::vector<std::string> warnings;  // unwatched segments, single-type segments, ...
  double map_seconds = 0;             // time spent computing the map
};

// Computes the map and the fence-segment table. `progress` (optional) receives the fraction done.
Result<CoverageResult> compute_coverage(const Site& site, const SiteTerrain& terrain,
                                        const CoverageOptions& options,
                                        const std::function<void(double)>& progress = {});

// Output files (coverage_output.cpp). Each returns an Error naming the file on failure.
// GeoTIFF: band 1 combined Pd (Float32, no-data -1), band 2 sensor count (Byte), in the site's
// local orthographic projection (+proj=ortho at the origin, which is the ENU plane).
Status write_coverage_geotiff(const CoverageMap& map, const LocalFrame& frame,
                              const std::string& path);
// PNG: Pd classes over a hillshade, fences, segments below target, sensors, legend, scale bar.
Status write_coverage_png(const CoverageResult& result, const Site& site,
                          const std::optional<double>& target_pd, const std::string& path);
// GeoJSON (RFC 7946, WGS84 lon/lat): contour lines of the combined Pd at `levels`, made with
// GDAL's contour generator.
Status write_coverage_contours(const CoverageMap& map, const Terrain& terrain,
                               const std::vector<double>& levels, const std::string& path);
// The fence-segment table as CSV and as JSON.
Status write_segment_csv(const std::vector<SegmentCoverage>& segments, const std::string& path);
Status write_segment_json(const CoverageResult& result, const std::optional<double>& target_pd,
                          const std::string& path);

}  // namespace picket::terrain

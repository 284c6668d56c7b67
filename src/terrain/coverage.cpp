#include "picket/terrain/coverage.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <thread>

#include "picket/core/units.h"
#include "picket/terrain/detection_model.h"

namespace picket::terrain {

namespace {

bool area_sensor(const SensorDef& s) {
  return s.type == SensorType::radar || s.type == SensorType::camera ||
         s.type == SensorType::aerostat || s.type == SensorType::acoustic;
}

struct PlacedSensor {
  const SensorDef* def = nullptr;
  Enu position = Enu::Zero();
  double k = 1;
  Box2 reach;  // horizontal box of its maximum range
};

// Points every `step` metres (or closer) along a polyline, both ends included.
std::vector<Vec2> sample_polyline(const std::vector<Vec2>& pts, double step) {
  std::vector<Vec2> out;
  if (pts.empty()) return out;
  out.push_back(pts.front());
  for (std::size_t i = 1; i < pts.size(); ++i) {
    const Vec2 a = pts[i - 1], b = pts[i];
    const double len = (b - a).norm();
    const int n = std::max(1, static_cast<int>(std::ceil(len / step)));
    for (int k = 1; k <= n; ++k)
      out.push_back(a + (b - a) * (static_cast<double>(k) / n));
  }
  return out;
}

// SensorDef::covers for the sensor placed at `position` (which may differ from its site position
// when masts stand on the terrain); the same tests, without copying the SensorDef per call.
bool covers_from(const SensorDef& s, const Enu& position, const Enu& p) {
  const Enu d = p - position;
  const double horiz = d.head<2>().norm();
  const double range = d.norm();
  if (range < s.min_range_m || range > s.max_range_m) return false;
  if (s.fov_h_rad < 2 * kPi - 1e-9) {
    const double bearing = std::atan2(d.x(), d.y());
    if (std::abs(wrap_pi(bearing - s.yaw_rad)) > s.fov_h_rad / 2) return false;
  }
  if (s.fov_v_rad < kPi - 1e-9) {
    const double elev = std::atan2(d.z(), horiz);
    if (std::abs(wrap_pi(elev - s.pitch_rad)) > s.fov_v_rad / 2) return false;
  }
  return true;
}

}  // namespace

double refraction_for(const SensorDef& sensor, const TerrainConfig& config) {
  return sensor.type == SensorType::radar ? config.radio_k : config.optical_k;
}

Enu sensor_position(const SensorDef& sensor, const SiteTerrain& st) {
  Enu p = sensor.enu;
  if (!area_sensor(sensor) || st.config.sensor_heights != SensorHeights::above_ground) return p;
  const auto ground = st.terrain.height(p.x(), p.y());
  if (!ground) return p;
  const double mast = p.z() + p.head<2>().squaredNorm() / (2 * st.terrain.earth_radius());
  p.z() = *ground + mast;
  return p;
}

double sensor_pd_at(const SensorDef& sensor, const Enu& position, const Terrain& terrain,
                    const Enu& target, double k, bool* in_view) {
  if (in_view) *in_view = false;
  if (!area_sensor(sensor)) return 0;
  if (!covers_from(sensor, position, target)) return 0;
  if (in_view) *in_view = true;
  const double pd = detection_probability(sensor, (target - position).norm());
  if (pd <= 0) return 0;
  if (!terrain.line_of_sight(position, target, k).visible) return 0;
  return pd;
}

Result<CoverageResult> compute_coverage(const Site& site, const SiteTerrain& st,
                                        const CoverageOptions& o,
                                        const std::function<void(double)>& progress) {
  const Terrain& terrain = st.terrain;
  if (!(o.resolution_m > 0)) return Error{"resolution", "must be positive"};
  CoverageResult result;

  std::vector<PlacedSensor> sensors;
  for (const auto& s : site.sensors) {
    if (!area_sensor(s)) continue;
    PlacedSensor p;
    p.def = &s;
    p.position = sensor_position(s, st);
    p.k = refraction_for(s, st.config);
    const Vec2 r(s.max_range_m, s.max_range_m);
    p.reach = Box2{p.position.head<2>() - r, p.position.head<2>() + r};
    if (const auto g = terrain.height(p.position.x(), p.position.y()); g && p.position.z() < *g) {
      result.warnings.push_back(fmt::format(
          "sensor {} is {:.1f} m below the ground at its position, so it sees nothing (give its "
          "height above the ellipsoid, or set terrain.sensor_heights: above_ground)",
          s.id, *g - p.position.z()));
    }
    sensors.push_back(p);
  }

  // --- The map ----------------------------------------------------------------------------
  Box2 area = o.area.value_or(site_wanted_box(site, st.config));
  const Box2 tb = terrain.bounds();
  area.min = area.min.cwiseMax(tb.min);
  area.max = area.max.cwiseMin(tb.max);
  if (!(area.max.x() > area.min.x() && area.max.y() > area.min.y()))
    return Error{"coverage", "the map area is empty (no terrain under the site?)"};
  CoverageMap& map = result.map;
  map.spacing = o.resolution_m;
  map.origin = area.min + Vec2(0.5 * o.resolution_m, 0.5 * o.resolution_m);
  map.nx =
      std::max(1, static_cast<int>(std::floor((area.max.x() - area.min.x()) / o.resolution_m)));
  map.ny =
      std::max(1, static_cast<int>(std::floor((area.max.y() - area.min.y()) / o.resolution_m)));
  if (static_cast<double>(map.nx) * map.ny > 64e6)
    return Error{"resolution", fmt::format("{} x {} cells is too many; use a coarser resolution",
                                           map.nx, map.ny)};
  const std::size_t cells = static_cast<std::size_t>(map.nx) * static_cast<std::size_t>(map.ny);
  map.pd.assign(cells, 0.0f);
  map.count.assign(cells, 0);
  map.ground.assign(cells, 0.0f);

  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<int> next_row{0};
  std::atomic<int> rows_done{0};
  auto work = [&](bool report) {
    while (true) {
      const int j = next_row.fetch_add(1);
      if (j >= map.ny) break;
      for (int i = 0; i < map.nx; ++i) {
        const std::size_t idx = map.index(i, j);
        const Vec2 c = map.centre(i, j);
        const double g = terrain.height_or_nan(c.x(), c.y());
        map.ground[idx] = static_cast<float>(g);
        if (std::isnan(g)) {
          map.pd[idx] = std::numeric_limits<float>::quiet_NaN();
          continue;
        }
        const Enu target(c.x(), c.y(), g + o.target_height_m);
        double miss = 1;
        int n = 0;
        for (const auto& s : sensors) {
          if (!s.reach.contains(c)) continue;
          const double pd = sensor_pd_at(*s.def, s.position, terrain, target, s.k);
          if (pd > 0) {
            miss *= 1 - pd;
            ++n;
          }
        }
        map.pd[idx] = static_cast<float>(1 - miss);
        map.count[idx] = static_cast<std::uint8_t>(std::min(n, 255));
      }
      const int done = rows_done.fetch_add(1) + 1;
      if (report && progress) progress(0.9 * done / map.ny);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, o.threads); ++t)
    pool.emplace_back(work, false);
  work(true);
  for (auto& t : pool)
    t.join();
  result.map_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // --- Fence segments ---------------------------------------------------------------------
  for (const auto& fence : site.fences) {
    for (const auto& seg : fence.segments) {
      SegmentCoverage sc;
      sc.fence = fence.id;
      sc.segment = seg.number;
      sc.start_m = seg.start_m;
      sc.end_m = seg.end_m;
      const auto pts = sample_polyline(seg.points, std::max(0.1, o.segment_step_m));
      const std::size_t m = pts.size();
      std::vector<double> miss(m, 1.0);
      bool off_terrain = false;
      std::set<std::string> types;
      auto account = [&](const SensorDef& def, const std::vector<double>& pd,
                         const std::vector<bool>& in_view) {
        SegmentSensor ss;
        ss.sensor = def.id;
        ss.type = def.type;
        double sum = 0;
        int vis = 0, view = 0;
        ss.min_pd = 1;
        for (std::size_t q = 0; q < m; ++q) {
          view += in_view[q] ? 1 : 0;
          vis += pd[q] > 0 ? 1 : 0;
          sum += pd[q];
          ss.min_pd = std::min(ss.min_pd, pd[q]);
          miss[q] *= 1 - pd[q];
        }
        if (view == 0) return;
        ss.in_view_fraction = static_cast<double>(view) / m;
        ss.visible_fraction = static_cast<double>(vis) / m;
        ss.mean_pd = sum / m;
        if (vis > 0) {
          ++sc.sensors;
          types.insert(std::string(to_string(def.type)));
        }
        if (vis == static_cast<int>(m)) ++sc.sensors_full;
        if (view > vis) sc.shadowed_by.push_back(def.id);
        sc.by_sensor.push_back(ss);
      };
      for (const auto& s : sensors) {
        std::vector<double> pd(m, 0.0);
        std::vector<bool> in_view(m, false);
        for (std::size_t q = 0; q < m; ++q) {
          const auto g = terrain.height(pts[q].x(), pts[q].y());
          if (!g) {
            off_terrain = true;
            continue;
          }
          bool v = false;
          pd[q] = sensor_pd_at(*s.def, s.position, terrain,
                               Enu(pts[q].x(), pts[q].y(), *g + o.target_height_m), s.k, &v);
          in_view[q] = v;
        }
        account(*s.def, pd, in_view);
      }
      for (const auto& s : site.sensors) {
        if (s.type != SensorType::fence || s.fence != fence.id) continue;
        if (seg.number < s.first_segment || seg.number > s.last_segment) continue;
        account(s, std::vector<double>(m, s.pd), std::vector<bool>(m, true));
      }
      double sum = 0;
      sc.min_pd = 1;
      for (double x : miss) {
        sum += 1 - x;
        sc.min_pd = std::min(sc.min_pd, 1 - x);
      }
      sc.mean_pd = sum / static_cast<double>(m);
      sc.types.assign(types.begin(), types.end());
      sc.below_target = o.target_pd && sc.min_pd < *o.target_pd;
      const std::string name = fmt::format("fence {} segment {} ({:.0f}-{:.0f} m)", fence.id,
                                           seg.number, seg.start_m, seg.end_m);
      if (off_terrain)
        result.warnings.push_back(name +
                                  " lies partly outside the terrain; treated as unseen there");
      if (sc.sensors == 0) {
        result.warnings.push_back(name + " is seen by no sensor");
      } else if (types.size() == 1) {
        result.warnings.push_back(
            fmt::format("{} is seen only by {} sensors ({}): one failure mode can blind it", name,
                        *types.begin(), sc.sensors));
      }
      result.segments.push_back(std::move(sc));
    }
  }
  if (progress) progress(1.0);
  return result;
}

}  // namespace picket::terrain

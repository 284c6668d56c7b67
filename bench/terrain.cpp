// Terrain, coverage and location benchmarks (docs/performance.md, "Terrain and coverage").
#include <benchmark/benchmark.h>

#include <random>

#include "picket/core/site.h"
#include "picket/core/units.h"
#include "picket/locate/geolocate.h"
#include "picket/locate/point_event.h"
#include "picket/terrain/coverage.h"
#include "picket/terrain/terrain.h"

namespace {

using namespace picket;

const terrain::Terrain& real_dem() {
  static const terrain::Terrain t = [] {
    terrain::TerrainConfig c;
    c.dem = {std::string(PICKET_SOURCE_DIR) + "/tests/data/dem/dfw_crop.tif"};
    c.resolution_m = 10;
    const Box2 box{Vec2(-2000, -2000), Vec2(2000, 2000)};
    auto r = terrain::load_terrain(c, LocalFrame(Geodetic{32.7967, -97.41, 150}), box, box);
    if (!r) std::abort();
    return std::move(*r);
  }();
  return t;
}

// Line of sight between random points 2 m above the ground, up to 2 km apart, on the real DEM
// resampled at 10 m (steps of 5 m).
void BM_LineOfSightDem(benchmark::State& state) {
  const auto& t = real_dem();
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(-1000, 1000);
  std::vector<std::pair<Enu, Enu>> pairs;
  for (int i = 0; i < 1024; ++i) {
    const double e0 = u(rng), n0 = u(rng), e1 = u(rng), n1 = u(rng);
    pairs.emplace_back(Enu(e0, n0, *t.height(e0, n0) + 8), Enu(e1, n1, *t.height(e1, n1) + 2));
  }
  std::size_t i = 0, visible = 0;
  for (auto _ : state) {
    const auto& [a, b] = pairs[i++ & 1023];
    visible += t.line_of_sight(a, b, terrain::kStandardRadioK).visible ? 1 : 0;
  }
  benchmark::DoNotOptimize(visible);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_LineOfSightDem);

void BM_CastRayDem(benchmark::State& state) {
  const auto& t = real_dem();
  const Enu top(0, 0, *t.height(0, 0) + 500);
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> az(0, 2 * kPi), el(deg2rad(-60), deg2rad(-15));
  std::vector<Enu> dirs;
  for (int i = 0; i < 1024; ++i) {
    const double a = az(rng), e = el(rng);
    dirs.emplace_back(std::sin(a) * std::cos(e), std::cos(a) * std::cos(e), std::sin(e));
  }
  std::size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(t.cast_ray(top, dirs[i++ & 1023], 20000));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_CastRayDem);

// One aerostat pixel geolocated with its covariance (23 ray casts).
void BM_GeolocatePixel(benchmark::State& state) {
  const auto& t = real_dem();
  locate::PoseSample pose;
  pose.position = Enu(0, 0, *t.height(0, 0) + 500);
  const auto cam = locate::PinholeCamera::from_fov(1280, 720, deg2rad(20));
  int k = 0;
  for (auto _ : state) {
    const locate::Gimbal g{0.01 * (k++ % 628), deg2rad(-35)};
    benchmark::DoNotOptimize(
        locate::geolocate(pose, g, cam, locate::PixelObservation{640, 360, 1}, t, {}));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_GeolocatePixel);

// One event from four microphones and two cameras: association, Chan start, LM refinement.
void BM_LocateEvent(benchmark::State& state) {
  const terrain::Terrain flat = terrain::Terrain::flat(LocalFrame(Geodetic{52.1, -1, 80}));
  std::vector<locate::ReportSensor> sensors;
  std::vector<locate::EventReport> reports;
  const Enu src(120, 180, 0);
  const double c = locate::speed_of_sound(15);
  const Enu mics[] = {Enu(0, 0, 2), Enu(300, 0, 2), Enu(0, 300, 2), Enu(300, 300, 2)};
  int id = 0;
  for (const auto& m : mics) {
    locate::ReportSensor s;
    s.position = m;
    s.sigma_t = 0.001;
    sensors.push_back(s);
    locate::EventReport r;
    r.sensor = "m" + std::to_string(id++);
    r.t = 1000 + (src - m).norm() / c;
    reports.push_back(r);
  }
  for (const auto& cp : {Enu(-100, 150, 10), Enu(150, -100, 10)}) {
    locate::ReportSensor s;
    s.position = cp;
    s.type = SensorType::camera;
    s.sigma_t = 0.02;
    s.sigma_bearing = deg2rad(0.3);
    sensors.push_back(s);
    locate::EventReport r;
    r.sensor = "c" + std::to_string(id++);
    r.signal = locate::Signal::light;
    r.t = 1000;
    r.bearing = std::atan2(src.x() - cp.x(), src.y() - cp.y());
    reports.push_back(r);
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(locate::locate_events(reports, sensors, flat, locate::LocateConfig{}));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_LocateEvent);

// The coverage map and segment table of a site file at 10 m cells, two threads.
void coverage_of(benchmark::State& state, const char* file) {
  auto site = load_site(std::string(PICKET_SOURCE_DIR) + file);
  if (!site) std::abort();
  auto st = terrain::load_site_terrain(*site);
  if (!st) std::abort();
  terrain::CoverageOptions o;
  o.resolution_m = 10;
  for (auto _ : state) {
    auto r = terrain::compute_coverage(*site, *st, o);
    benchmark::DoNotOptimize(r);
    state.counters["cells"] = static_cast<double>(r->map.pd.size());
  }
}
void BM_CoverageDemoSite(benchmark::State& state) {
  coverage_of(state, "/examples/demo-site.yaml");
}
void BM_CoverageTerrainSite(benchmark::State& state) {
  coverage_of(state, "/examples/terrain-site.yaml");
}
BENCHMARK(BM_CoverageDemoSite)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CoverageTerrainSite)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

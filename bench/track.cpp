// Tracker cost per scan and per detection for 10 to 100,000 simultaneous targets with 10%
// clutter, spread as a long perimeter (a border) spreads them.
//
// Workload: targets walk (nearly constant velocity, q = 0.5 m^2/s^3, about 1.5 m/s) in a band
// 400 m deep along a straight border of length n x 40 m (one target per 16,000 m^2). Radars on
// masts 300 m behind the border line, one every 3 km, each with a 2 km range, 1 Hz rotation in
// its own phase, noise 2 m in range and 0.3 deg in bearing, Pd 0.9, report plots in polar form
// timestamped when the beam passes (so the plots of one second interleave across radars). Each
// target is seen by every radar within range (one or two: neighbouring coverages overlap).
// Clutter: 10% of n plots per second, uniform in the band, each reported by its nearest radar.
// A scan is one second of plots, pushed in time order; the tracker runs with the default
// parameters (IMM motion model, GNN association) except for the flood limit.
// max_distance is raised to the border's length (4,000 km at 100,000 targets: beyond the default
// 1,000 km three quarters of the reports would be rejected as out of area). Ten warm-up scans let
// tracks confirm (about 98% of the targets are confirmed tracks after them at every n); the timed
// iterations are the following scans.
//
// Counters: per_detection (wall time per detection), detections_per_scan, live_tracks,
// confirmed (tracks), rejected (reports), rss_mb (resident memory of the whole process after the
// run). On a shared machine read the CPU column (time of this thread) rather than the wall time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <string>

#include "picket/core/site.h"
#include "picket/core/units.h"
#include "picket/track/tracker.h"

namespace {

using namespace picket;

constexpr double kBandDepth = 400;
constexpr double kRadarSpacing = 3000;
constexpr double kSigmaRange = 2;
constexpr double kSigmaBearingDeg = 0.3;

double rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

struct Border {
  std::size_t n = 0;
  double length = 0;
  Site site;
  std::vector<double> phase;  // per radar, s
  struct Target {
    double x, y, vx, vy;
  };
  std::vector<Target> targets;
  std::mt19937_64 rng{42};
  double t = 1.8e9;

  explicit Border(std::size_t count) : n(count), length(static_cast<double>(count) * 40.0) {
    site.name = "border";
    site.frame = LocalFrame(site.origin);
    const int radars = std::max(1, static_cast<int>(std::ceil(length / kRadarSpacing)));
    std::uniform_real_distribution<double> u01(0, 1);
    for (int i = 0; i < radars; ++i) {
      SensorDef s;
      s.id = "radar-" + std::to_string(i);
      s.type = SensorType::radar;
      s.enu = Enu((i + 0.5) * kRadarSpacing, -300, 8);
      s.max_range_m = 2000;
      s.min_range_m = 10;
      s.noise.range_m = kSigmaRange;
      s.noise.bearing_rad = deg2rad(kSigmaBearingDeg);
      s.pd = 0.9;
      s.update_rate_hz = 1;
      // the share of the clutter that falls in this radar's coverage, per hour
      s.false_alarm_rate = 0.1 * static_cast<double>(n) / radars * 3600;
      site.sensors.push_back(s);
      site.sensor_by_id.emplace(s.id, i);
      phase.push_back(u01(rng));
    }
    std::normal_distribution<double> v(0, 1.0);
    for (std::size_t i = 0; i < n; ++i)
      targets.push_back({u01(rng) * length, u01(rng) * kBandDepth, v(rng), v(rng)});
  }

  int radar_for(double x) const {
    const int r = static_cast<int>(x / kRadarSpacing);
    return std::clamp(r, 0, static_cast<int>(site.sensors.size()) - 1);
  }

  // One second of plots, in time order.
  void scan(std::vector<Detection>& out) {
    out.clear();
    std::normal_distribution<double> g(0, 1);
    std::uniform_real_distribution<double> u01(0, 1);
    const double q = 0.5;
    auto plot = [&](double x, double y, int r) {
      const auto& s = site.sensors[static_cast<size_t>(r)];
      const double dx = x - s.enu.x(), dy = y - s.enu.y(), dz = -s.enu.z();
      const double range = std::sqrt(dx * dx + dy * dy + dz * dz);
      const double bearing = std::atan2(dx, dy);
      Detection d;
      d.sensor = s.id;
      const double frac = wrap_2pi(bearing - 2 * kPi * phase[static_cast<size_t>(r)]) / (2 * kPi);
      d.t = t + frac;
      d.measurement =
          PolarMeasurement{range + kSigmaRange * g(rng),
                           wrap_2pi(bearing + deg2rad(kSigmaBearingDeg) * g(rng)), std::nullopt};
      out.push_back(std::move(d));
    };
    for (auto& tg : targets) {
      tg.vx += std::sqrt(q) * g(rng);
      tg.vy += std::sqrt(q) * g(rng);
      const double sp = std::hypot(tg.vx, tg.vy);
      if (sp > 2.5) {
        tg.vx *= 2.5 / sp;
        tg.vy *= 2.5 / sp;
      }
      tg.x += tg.vx;
      tg.y += tg.vy;
      if (tg.y < 0 || tg.y > kBandDepth) tg.vy = -tg.vy;
      if (tg.x < 0 || tg.x > length) tg.vx = -tg.vx;
      const int near = radar_for(tg.x);
      for (int r = std::max(0, near - 1);
           r <= std::min(near + 1, static_cast<int>(site.sensors.size()) - 1); ++r) {
        const auto& s = site.sensors[static_cast<size_t>(r)];
        if (std::hypot(tg.x - s.enu.x(), tg.y - s.enu.y()) < s.max_range_m - 1 && u01(rng) < 0.9)
          plot(tg.x, tg.y, r);
      }
    }
    const auto clutter = static_cast<std::size_t>(0.1 * static_cast<double>(n) + 0.5);
    for (std::size_t i = 0; i < clutter; ++i) {
      const double x = u01(rng) * length;
      plot(x, u01(rng) * kBandDepth, radar_for(x));
    }
    std::sort(out.begin(), out.end(),
              [](const Detection& a, const Detection& b) { return a.t < b.t; });
    t += 1;
  }
};

void BM_TrackerScan(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Border border(n);
  auto params = track::default_params();
  params.max_rate_hz = 1e9;
  // The border runs n x 40 m east of the origin (4,000 km at 100,000 targets): every report must
  // be inside max_distance (default 1,000 km), else three quarters of the 100,000-target scene
  // would be rejected as out of area and never become tracks.
  params.max_distance_m = std::max(params.max_distance_m, border.length + 10000);
  if (state.range(1) == 1) params.motion = track::MotionModel::cv;
  auto tracker = track::Tracker::create(border.site, params);
  std::vector<Detection> dets;
  std::uint64_t ref = 0;
  for (int k = 0; k < 10; ++k) {
    border.scan(dets);
    for (const auto& d : dets)
      tracker->push(d, ++ref);
    tracker->clear_updates();
  }
  std::size_t detections = 0;
  for (auto _ : state) {
    state.PauseTiming();
    border.scan(dets);
    state.ResumeTiming();
    for (const auto& d : dets)
      tracker->push(d, ++ref);
    benchmark::DoNotOptimize(tracker->updates().size());
    tracker->clear_updates();
    detections += dets.size();
  }
  std::vector<TrackState> pic;
  tracker->snapshot(border.t, pic);
  state.counters["targets"] = static_cast<double>(n);
  state.counters["live_tracks"] = static_cast<double>(tracker->live_tracks());
  state.counters["confirmed"] = static_cast<double>(pic.size());
  state.counters["detections_per_scan"] =
      benchmark::Counter(static_cast<double>(detections), benchmark::Counter::kAvgIterations);
  state.counters["per_detection"] = benchmark::Counter(
      static_cast<double>(detections), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["rss_mb"] = rss_mb();
  state.counters["rejected"] = static_cast<double>(tracker->stats().rejected_total());
  state.SetItemsProcessed(static_cast<std::int64_t>(detections));
}

BENCHMARK(BM_TrackerScan)
    ->ArgNames({"targets", "cv"})
    ->Args({10, 0})
    ->Args({100, 0})
    ->Args({1000, 0})
    ->Args({10000, 0})
    ->Args({100000, 0})
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({100000, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

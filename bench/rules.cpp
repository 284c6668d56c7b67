// Rule evaluation cost: 10,000 live tracks against 100 rules, one update cycle (every track
// updated once) per iteration. Target (issue 4): under 2 ms per cycle.
//
// The site is 4 km x 4 km: a closed perimeter fence of 8 km (160 segments of 50 m), an inner
// open fence of 1.6 km, 10 zones (one concave), and 100 rules of every type (30 fence-crossing
// with various segment ranges and directions, 10 approach, 15 zone entry, 10 zone exit,
// 15 loitering, 12 speed, 8 count). Tracks walk at 0.5-15 m/s with random turns; a third of
// them are radar-only, the rest radar+camera; classes are mixed. The fence sensors report a
// segment now and then.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <random>
#include <string>

#include "picket/rules/engine.h"

namespace {

using picket::Site;
using picket::TargetClass;
using picket::TrackState;

std::string bench_site_yaml() {
  std::string y = "name: rules benchmark\norigin: {lat: 52.1, lon: -1.0, alt: 80}\nfences:\n";
  y += "  - id: perimeter\n    points:\n";
  for (auto [e, n] :
       {std::pair{-2000, -2000}, {2000, -2000}, {2000, 2000}, {-2000, 2000}, {-2000, -2000}}) {
    y += fmt::format("      - {{east: {}, north: {}}}\n", e, n);
  }
  y += "    segment_length: 50\n";
  y += "  - id: inner\n    inside: left\n    points:\n";
  for (int i = 0; i <= 8; ++i) {
    y += fmt::format("      - {{east: {}, north: {}}}\n", -800 + i * 200, (i % 2) ? 300 : 100);
  }
  y += "    segment_length: 50\nzones:\n";
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(-1700, 1500);
  for (int z = 0; z < 9; ++z) {
    const double e = u(rng);
    const double n = u(rng);
    const double w = 100 + 40 * z;
    y += fmt::format(
        "  - id: z{}\n    polygon:\n      - {{east: {}, north: {}}}\n      - {{east: {}, north: "
        "{}}}\n      - {{east: {}, north: {}}}\n      - {{east: {}, north: {}}}\n",
        z, e, n, e + w, n, e + w, n + w * 0.8, e, n + w * 0.8);
  }
  y += "  - id: notch\n    polygon:\n"
       "      - {east: -500, north: -1500}\n      - {east: 500, north: -1500}\n"
       "      - {east: 500, north: -900}\n      - {east: 0, north: -1200}\n"
       "      - {east: -500, north: -900}\n";
  y +=
      "sensors:\n"
      "  - {id: radar-1, type: radar, position: {east: 0, north: 0, up: 10}, range: {max: 5000},"
      " noise: {range: 2, bearing: 0.5}}\n"
      "  - {id: cam-1, type: camera, position: {east: 0, north: -1990, up: 8}, range: {max: 500}}\n"
      "  - {id: fence-1, type: fence, fence: perimeter}\n";
  y += "policy:\n  second_sensor: {required_for: [radar, camera]}\n"
       "  health: {sensors: {radar-1: {monitor: false}, cam-1: {monitor: false},"
       " fence-1: {monitor: false}}}\nrules:\n";
  int id = 0;
  for (int i = 0; i < 30; ++i) {
    const int first = 1 + (i * 7) % 150;
    y += fmt::format(
        "  - {{id: r{}, type: fence_crossing, fence: {}, segments: [{}, {}], direction: {}}}\n",
        id++, i % 3 == 0 ? "inner" : "perimeter", i % 3 == 0 ? 1 : first,
        i % 3 == 0 ? 33 : first + 10, i % 2 ? "inward" : "both");
  }
  for (int i = 0; i < 10; ++i) {
    y += fmt::format(
        "  - {{id: r{}, type: approach, fence: perimeter, distance: {}, classes: [person, "
        "vehicle]}}\n",
        id++, 10 + 4 * i);
  }
  const auto zone = [](int i) { return i == 9 ? std::string("notch") : fmt::format("z{}", i); };
  for (int i = 0; i < 15; ++i)
    y += fmt::format("  - {{id: r{}, type: zone_entry, zone: {}}}\n", id++, zone(i % 10));
  for (int i = 0; i < 10; ++i)
    y += fmt::format("  - {{id: r{}, type: zone_exit, zone: {}}}\n", id++, zone(i % 10));
  for (int i = 0; i < 15; ++i) {
    y += fmt::format("  - {{id: r{}, type: loitering, zone: {}, duration: {}}}\n", id++,
                     zone(i % 10), 30 + 10 * i);
  }
  for (int i = 0; i < 12; ++i) {
    y += fmt::format("  - {{id: r{}, type: speed, {}: {}{}}}\n", id++,
                     i % 3 == 0 ? "below" : "above", i % 3 == 0 ? 0.3 : 5.0 + i,
                     i % 2 ? fmt::format(", zone: {}", zone(i % 10)) : std::string());
  }
  for (int i = 0; i < 8; ++i) {
    y += fmt::format("  - {{id: r{}, type: count, zone: {}, more_than: {}}}\n", id++, zone(i),
                     5 + i);
  }
  return y;
}

struct Mover {
  double e, n, ve, vn;
  TargetClass cls;
  bool camera;
};

void BM_RulesUpdateCycle(benchmark::State& state) {
  const int n_tracks = static_cast<int>(state.range(0));
  auto site = picket::load_site_from_string(bench_site_yaml(), "bench.yaml");
  if (!site) {
    state.SkipWithError(site.error().message().c_str());
    return;
  }
  auto engine = picket::rules::RulesEngine::create(*site);
  if (!engine) {
    state.SkipWithError(engine.error().message().c_str());
    return;
  }
  if ((*engine)->config().rules.size() != 100) {
    state.SkipWithError("expected 100 rules");
    return;
  }
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> pos(-2500, 2500);
  std::uniform_real_distribution<double> speed(0.5, 15);
  std::uniform_real_distribution<double> angle(0, 6.283185307179586);
  std::normal_distribution<double> turn(0, 0.3);
  std::vector<Mover> movers;
  for (int i = 0; i < n_tracks; ++i) {
    const double s = i % 10 == 0 ? speed(rng) : speed(rng) / 5;
    const double a = angle(rng);
    movers.push_back({pos(rng), pos(rng), s * std::cos(a), s * std::sin(a),
                      static_cast<TargetClass>(i % 3 == 2 ? 5 : i % 3), i % 3 != 0});
  }
  std::vector<TrackState> states(static_cast<size_t>(n_tracks));
  for (int i = 0; i < n_tracks; ++i) {
    auto& s = states[static_cast<size_t>(i)];
    s.id = static_cast<std::uint64_t>(i + 1);
    s.status = picket::TrackStatus::confirmed;
    s.cls = movers[static_cast<size_t>(i)].cls;
    s.class_p = 0.8;
    s.class_probs[static_cast<size_t>(s.cls)] = 0.8;
    s.class_probs[5] += 0.2;
    s.sensors = movers[static_cast<size_t>(i)].camera ? std::vector<std::string>{"cam-1", "radar-1"}
                                                      : std::vector<std::string>{"radar-1"};
  }
  std::vector<picket::AlarmEvent> out;
  picket::Detection fence_report;
  fence_report.sensor = "fence-1";
  fence_report.measurement = picket::SegmentMeasurement{1, "perimeter"};
  double t = 1795903200;
  std::uint64_t events = 0;
  auto cycle = [&] {
    t += 1;
    for (int i = 0; i < n_tracks; ++i) {
      Mover& m = movers[static_cast<size_t>(i)];
      if (i % 50 == 0) {  // a few turn each cycle
        const double a = turn(rng);
        const double c = std::cos(a);
        const double sn = std::sin(a);
        const double ve = m.ve * c - m.vn * sn;
        m.vn = m.ve * sn + m.vn * c;
        m.ve = ve;
      }
      m.e += m.ve;
      m.n += m.vn;
      if (std::abs(m.e) > 2600) m.ve = -m.ve;
      if (std::abs(m.n) > 2600) m.vn = -m.vn;
      TrackState& s = states[static_cast<size_t>(i)];
      s.t = t;
      s.position = Eigen::Vector3d(m.e, m.n, 0);
      s.velocity = Eigen::Vector3d(m.ve, m.vn, 0);
      (*engine)->on_track(s, out);
    }
    fence_report.t = t + 0.5;
    std::get<picket::SegmentMeasurement>(fence_report.measurement).segment =
        1 + static_cast<int>(rng() % 160);
    (*engine)->on_detection(fence_report, out);
    events += out.size();
    out.clear();
  };
  for (int i = 0; i < 30; ++i)
    cycle();  // warm up: tracks known, zones entered
  for (auto _ : state)
    cycle();
  state.SetItemsProcessed(state.iterations() * n_tracks);
  state.counters["alarm_events_per_cycle"] =
      static_cast<double>(events) / static_cast<double>(state.iterations() + 30);
  state.counters["rules"] = 100;
}

}  // namespace

BENCHMARK(BM_RulesUpdateCycle)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

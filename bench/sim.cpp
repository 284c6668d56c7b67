// Simulator throughput: detections per second of wall time on one core for a 1,000-mover
// scenario on the demo site, including formatting every record (detections, truth, events) as
// JSON Lines into a memory buffer (what `picket simulate` does before writing). Results are in
// docs/performance.md, "Simulator". The movers are those of bench/sim_memory.sh.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>

#include "picket/formats/records.h"
#include "picket/sim/engine.h"
#include "picket/sim/scenario.h"

namespace {

using namespace picket;

// 1,000 movers wandering within 1.4 km of the site: in both radars' coverage, some in the
// cameras' views, animals along the fence, drones overhead.
std::string bench_scenario(double duration_s) {
  return fmt::format(R"(
site: ../demo-site.yaml
start: 2026-11-28T22:00:00Z
duration: {}
truth_rate: 1
movers:
  - {{id: walker, kind: walker, count: 500, random_walk: {{around: {{east: 0, north: 0}}, radius: 1400, speed: [0.8, 1.8], pause: [0, 20]}}}}
  - {{id: runner, kind: runner, count: 100, random_walk: {{around: {{east: 0, north: 0}}, radius: 1400, speed: [2.5, 5]}}}}
  - {{id: car, kind: vehicle, count: 200, random_walk: {{around: {{east: 0, north: 0}}, radius: 1400, speed: [5, 20], pause: [0, 30]}}}}
  - {{id: fox, kind: animal, count: 150, random_walk: {{zone: south-buffer, speed: [0.5, 2], pause: [5, 60], fence_visits: 0.3}}}}
  - {{id: drone, kind: drone, count: 50, altitude: 60, random_walk: {{around: {{east: 0, north: 0}}, radius: 1200, speed: [5, 15]}}}}
nuisances:
  - {{type: wind, strength: 0.5}}
)",
                     duration_s);
}

class FormattingSink final : public sim::Sink {
 public:
  void detection(const sim::SimDetection& d) override {
    formats::append_detection(buf_, d.det);
    flush();
  }
  void truth(const TruthSample& s) override {
    formats::append_truth(buf_, s);
    flush();
  }
  void event(const TruthEvent& e) override {
    formats::append_event(buf_, e);
    flush();
  }
  std::uint64_t bytes() const { return bytes_ + buf_.size(); }

 private:
  void flush() {
    if (buf_.size() >= (1 << 16)) {
      bytes_ += buf_.size();
      benchmark::DoNotOptimize(buf_.data());
      buf_.clear();
    }
  }
  std::string buf_;
  std::uint64_t bytes_ = 0;
};

void BM_Simulate1000Movers(benchmark::State& state) {
  const double duration = static_cast<double>(state.range(0));
  auto sc = sim::load_scenario_from_string(bench_scenario(duration),
                                           PICKET_SOURCE_DIR "/examples/scenarios/bench-1000.yaml");
  if (!sc) {
    state.SkipWithError(sc.error().message().c_str());
    return;
  }
  std::uint64_t detections = 0;
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  std::uint64_t seed = 1;
  for (auto _ : state) {
    sim::Simulator simulator(*sc, seed++);
    FormattingSink sink;
    simulator.run(sink);
    detections += simulator.stats().detections;
    records +=
        simulator.stats().detections + simulator.stats().truth_samples + simulator.stats().events;
    bytes += sink.bytes();
  }
  state.counters["detections/s"] =
      benchmark::Counter(static_cast<double>(detections), benchmark::Counter::kIsRate);
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
  state.counters["MB/s"] =
      benchmark::Counter(static_cast<double>(bytes) / 1e6, benchmark::Counter::kIsRate);
  state.counters["detections/sim-s"] =
      static_cast<double>(detections) / static_cast<double>(state.iterations()) / duration;
}
// Rates per second of wall time (on a machine shared with other work, wall time includes waiting
// for the CPU) and per second of this thread's CPU time (the figure for one idle core).
BENCHMARK(BM_Simulate1000Movers)->Arg(120)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Simulate1000Movers)->Arg(120)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

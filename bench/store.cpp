// Store write throughput: sampled track-history rows per second through the public API
// (put_track on the caller's thread, the writer thread committing batches to SQLite in WAL mode
// with synchronous=FULL), measured from the first put to the flush that makes them all durable.
// Target (issue 4): at least 100,000 rows per second.
//
// Workload: 10,000 live tracks, one row each per simulated second, 100,000 rows per iteration
// into a store that keeps growing across iterations (so B-tree depth and the t index are
// realistic), on the local disk under /tmp.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "picket/store/store.h"

namespace {

// CPU seconds used by the whole process (every thread), user and system.
double process_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

void BM_StoreTrackRows(benchmark::State& state) {
  const bool full = state.range(0) != 0;
  const auto dir =
      std::filesystem::temp_directory_path() / ("picket_bench_store_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  picket::store::StoreOptions o;
  o.path = (dir / "bench.db").string();
  o.synchronous_full = full;
  o.track_history_keep_s = 0;  // keep everything: measure inserts only
  auto store = picket::store::Store::open(o);
  if (!store) {
    state.SkipWithError(store.error().message().c_str());
    return;
  }
  constexpr int kTracks = 10000;
  constexpr int kRowsPerIteration = 100000;
  double t = 1795903200;
  std::uint64_t refused = 0;
  const double cpu0 = process_cpu_s();
  for (auto _ : state) {
    for (int i = 0; i < kRowsPerIteration; ++i) {
      picket::store::TrackRow r;
      r.track = static_cast<std::uint64_t>(i % kTracks + 1);
      if (r.track == 1) t += 1;
      r.t = t;
      r.east = static_cast<double>(i % 977) * 3.1;
      r.north = static_cast<double>(i % 613) * -2.7;
      r.ve = 1.2;
      r.vn = -0.4;
      r.status = picket::TrackStatus::confirmed;
      r.cls = picket::TargetClass::person;
      r.class_p = 0.8;
      if (!(*store)->put_track(r)) ++refused;
    }
    if (auto st = (*store)->flush(); !st) {
      state.SkipWithError(st.error().message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kRowsPerIteration);
  state.counters["rows_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kRowsPerIteration), benchmark::Counter::kIsRate);
  // On a shared machine the wall-clock rate depends on the other load; the rate per CPU second
  // of the whole process (caller and writer thread) does not.
  state.counters["rows_per_cpu_s"] =
      static_cast<double>(state.iterations() * kRowsPerIteration) / (process_cpu_s() - cpu0);
  state.counters["refused"] = static_cast<double>(refused);
  state.counters["batches"] = static_cast<double>((*store)->metrics().batches.load());
  (void)(*store)->close();
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace

// Wall-clock time: the work is on the writer thread.
BENCHMARK(BM_StoreTrackRows)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();

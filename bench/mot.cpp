// Camera-plane tracking speed (docs/performance.md, "Camera-plane tracking"):
//  - BM_MotSequence: ByteTrack and SORT over each shipped MOT15 sequence's public detections
//    (../shared/data/mot/abewley_sort_MOT15_det), frames per second;
//  - BM_CrowdedFrame: one frame of N boxes (people walking on a 4K image, 12 x 30 px each, as
//    dense as a stadium crowd) tracked in steady state, time per frame, with the process's
//    resident memory afterwards.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "picket/formats/mot.h"
#include "picket/imagetrack/tracker.h"

namespace {

using picket::imagetrack::BoxDetection;
using picket::imagetrack::BoxTracker;
using picket::imagetrack::BoxTrackerParams;

std::string shared_dir() {
  if (const char* e = std::getenv("PICKET_SHARED_DIR")) return e;
  return std::string(PICKET_SOURCE_DIR) + "/../shared";
}

// MOT15 frame rates (the sequences' seqinfo.ini).
const std::map<std::string, double> kSequences = {
    {"ADL-Rundle-6", 30}, {"ADL-Rundle-8", 30}, {"ETH-Bahnhof", 14}, {"ETH-Pedcross2", 14},
    {"ETH-Sunnyday", 14}, {"KITTI-13", 10},     {"KITTI-17", 10},    {"PETS09-S2L1", 7},
    {"TUD-Campus", 25},   {"Venice-2", 30}};

std::vector<std::vector<BoxDetection>> load(const std::string& name) {
  const std::string path =
      shared_dir() + "/data/mot/abewley_sort_MOT15_det/data/train/" + name + "/det/det.txt";
  std::vector<std::vector<BoxDetection>> frames;
  auto rows = picket::formats::read_mot_file(path);
  if (!rows) return frames;
  for (const auto& r : *rows) {
    if (static_cast<int>(frames.size()) < r.frame) frames.resize(static_cast<size_t>(r.frame));
    frames[static_cast<size_t>(r.frame - 1)].push_back({{r.x, r.y, r.w, r.h}, r.conf, 0});
  }
  return frames;
}

void BM_MotSequence(benchmark::State& state, const std::string& name, bool sort) {
  const auto frames = load(name);
  if (frames.empty()) {
    state.SkipWithError("sequence not found (PICKET_SHARED_DIR)");
    return;
  }
  const double rate = kSequences.at(name);
  size_t boxes = 0;
  for (const auto& f : frames)
    boxes += f.size();
  for (auto _ : state) {
    BoxTracker tr(sort ? BoxTrackerParams::sort(rate) : BoxTrackerParams::bytetrack(rate));
    for (size_t k = 0; k < frames.size(); ++k) {
      auto out = tr.update(static_cast<double>(k) / rate, frames[k]);
      benchmark::DoNotOptimize(out);
    }
  }
  state.counters["frames/s"] = benchmark::Counter(
      static_cast<double>(frames.size() * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["boxes/frame"] = static_cast<double>(boxes) / static_cast<double>(frames.size());
}

double rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      double kb = 0;
      in >> kb;
      return kb / 1024.0;
    }
    std::getline(in, key);
  }
  return 0;
}

void BM_CrowdedFrame(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> px(0, 3800), py(0, 2100), v(-3, 3), jitter(-1, 1);
  struct Person {
    double x, y, vx, vy;
  };
  std::vector<Person> people(static_cast<size_t>(n));
  for (auto& p : people)
    p = {px(rng), py(rng), v(rng), v(rng)};
  BoxTracker tr(BoxTrackerParams::bytetrack(30));
  std::vector<BoxDetection> dets(static_cast<size_t>(n));
  int k = 0;
  auto step = [&] {
    for (size_t i = 0; i < people.size(); ++i) {
      auto& p = people[i];
      p.x += p.vx;
      p.y += p.vy;
      if (p.x < 0 || p.x > 3800) p.vx = -p.vx;
      if (p.y < 0 || p.y > 2100) p.vy = -p.vy;
      dets[i] = {{p.x + jitter(rng), p.y + jitter(rng), 12, 30}, 0.9, 0};
    }
    return tr.update(k++ / 30.0, dets);
  };
  for (int warm = 0; warm < 3; ++warm)
    (void)step();
  for (auto _ : state) {
    auto out = step();
    benchmark::DoNotOptimize(out);
  }
  state.counters["boxes"] = n;
  state.counters["per_box"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["largest_cluster"] = tr.stats().largest_cluster;
  state.counters["rss_MB"] = rss_mb();
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& [name, rate] : kSequences) {
    (void)rate;
    benchmark::RegisterBenchmark(("BM_MotSequence/bytetrack/" + name).c_str(), BM_MotSequence, name,
                                 false)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_MotSequence/sort/" + name).c_str(), BM_MotSequence, name,
                                 true)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_CrowdedFrame", BM_CrowdedFrame)
      ->Arg(1000)
      ->Arg(3000)
      ->Arg(10000)
      ->Arg(30000)
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// Camera analytics cost per frame on a 1280x720 stream, and memory per camera.
//
// The frames are real: vtest.avi (people walking, 768x576) scaled to 1280x720 and held in
// memory, so decoding is measured apart (BM_Decode720p, an MPEG-4 file made from the same
// frames). CPU time is the whole process's (OpenCV runs parts of MOG2 and HOG on its own
// threads), per frame; times 10 it is the share of one core (in %) a 10 frames-per-second
// stream costs. Results are in docs/performance.md, "Cameras".
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <string>

#include "picket/core/site.h"
#include "picket/video/analytics.h"
#include "picket/video/camera_config.h"
#include "picket/video/evidence.h"
#include "picket/video/source.h"

namespace {

using namespace picket;
using namespace picket::video;

std::string shared_dir() {
  const char* env = std::getenv("PICKET_SHARED_DIR");
  return env && *env ? env : std::string(PICKET_SOURCE_DIR) + "/../shared";
}

const std::vector<cv::Mat>& frames720() {
  static const std::vector<cv::Mat> frames = [] {
    std::vector<cv::Mat> out;
    ManualClock clock;
    auto in = VideoInput::open_file("cam", shared_dir() + "/data/video/debian_opencv-doc/vtest.avi",
                                    0, clock);
    if (!in) {
      std::fprintf(stderr, "%s\n", in.error().message().c_str());
      std::exit(1);
    }
    while (out.size() < 300) {
      auto f = (*in)->poll();
      if (!f) break;
      cv::Mat big;
      cv::resize(f->image, big, cv::Size(1280, 720), 0, 0, cv::INTER_LINEAR);
      out.push_back(big);
    }
    return out;
  }();
  return frames;
}

// The example site's camera, with the frames' shape (1280x720) and a matching lens.
CameraConfig camera720(bool hog) {
  auto site = load_site(std::string(PICKET_SOURCE_DIR) + "/examples/video-site.yaml");
  if (!site) {
    std::fprintf(stderr, "%s\n", site.error().message().c_str());
    std::exit(1);
  }
  auto c = camera_config(*site, "cam-forecourt");
  if (!c) {
    std::fprintf(stderr, "%s\n", c.error().message().c_str());
    std::exit(1);
  }
  // 768x576 is 4:3; the bench stream is 16:9: give the camera a 16:9 lens of the same width.
  c->intrinsics = CameraIntrinsics::from_fov(1280, 720, c->intrinsics.hfov());
  c->motion.process_width = 640;  // the default for a 720p stream
  c->hog.enabled = hog;
  // The site's HOG upscale (2) is for its 576-line frames; these are 720 lines (x1.67).
  c->hog.upscale = 1.2;
  c->masks.clear();
  return *c;
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

void run_analytics(benchmark::State& state, bool hog) {
  const auto& frames = frames720();
  auto a = CameraAnalytics::create(camera720(hog), cv::Size(1280, 720), 10);
  if (!a) {
    state.SkipWithError(a.error().message().c_str());
    return;
  }
  // Let the background model form first (3 s), as in operation.
  size_t i = 0;
  for (; i < 30; ++i)
    (*a)->process(frames[i], static_cast<double>(i) / 10);
  std::int64_t found = 0;
  for (auto _ : state) {
    const cv::Mat& f = frames[i % frames.size()];
    auto d = (*a)->process(f, static_cast<double>(i) / 10);
    found += static_cast<std::int64_t>(d.size());
    ++i;
  }
  state.counters["detections_per_frame"] =
      benchmark::Counter(static_cast<double>(found), benchmark::Counter::kAvgIterations);
}

// The CPU time per iteration is the CPU time per frame; times 10 frames per second it is the
// share of one core a camera costs (15 ms per frame = 15%).
void BM_MotionOnly720p(benchmark::State& state) {
  run_analytics(state, false);
}
BENCHMARK(BM_MotionOnly720p)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_MotionAndHog720p(benchmark::State& state) {
  run_analytics(state, true);
}
BENCHMARK(BM_MotionAndHog720p)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_HogWholeFrame720p(benchmark::State& state) {
  // The people detector over the whole frame (no motion gating), for comparison.
  const auto& frames = frames720();
  HogConfig hc;
  hc.enabled = true;
  hc.on_motion = false;
  HogPeopleDetector hog(hc);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(hog.detect(frames[i++ % frames.size()], {}));
  }
}
BENCHMARK(BM_HogWholeFrame720p)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_Evidence720p(benchmark::State& state) {
  // The evidence rings' cost per frame (clip frames at 5 fps, 640 wide; snapshots every 0.5 s).
  const auto& frames = frames720();
  EvidenceRecorder rec("cam", EvidenceConfig{});
  size_t i = 0;
  for (auto _ : state) {
    rec.add_frame(frames[i % frames.size()], static_cast<double>(i) / 10);
    ++i;
  }
  state.counters["ring_MiB"] = static_cast<double>(rec.bytes()) / (1 << 20);
}
BENCHMARK(BM_Evidence720p)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_Decode720p(benchmark::State& state) {
  // Decoding a 1280x720 MPEG-4 Part 2 stream (the codec of vtest.avi) with FFmpeg.
  const auto& frames = frames720();
  const std::string path =
      (std::filesystem::temp_directory_path() / "picket-bench-720p.avi").string();
  {
    cv::VideoWriter w(path, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('F', 'M', 'P', '4'), 10,
                      cv::Size(1280, 720));
    if (!w.isOpened()) {
      state.SkipWithError("cannot write the MPEG-4 test file");
      return;
    }
    for (const auto& f : frames)
      w.write(f);
  }
  ManualClock clock;
  std::unique_ptr<VideoInput> in;
  for (auto _ : state) {
    if (!in || in->ended()) {
      state.PauseTiming();
      auto opened = VideoInput::open_file("cam", path, 0, clock);
      in = std::move(*opened);
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(in->poll());
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_Decode720p)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_MemoryPerCamera(benchmark::State& state) {
  // Resident memory added by one camera: analytics with motion and HOG, evidence rings full
  // (10 s of pre-alarm frames), over 120 frames of 1280x720. Measured over two cameras.
  const auto& frames = frames720();
  constexpr int kCameras = 2;
  for (auto _ : state) {
    const long before = rss_kib();
    std::vector<std::unique_ptr<CameraAnalytics>> cams;
    std::vector<std::unique_ptr<EvidenceRecorder>> recs;
    EvidenceConfig ev;
    ev.pre_s = 10;
    for (int c = 0; c < kCameras; ++c) {
      cams.push_back(CameraAnalytics::create(camera720(true), cv::Size(1280, 720), 10).value());
      recs.push_back(std::make_unique<EvidenceRecorder>("cam", ev));
    }
    for (size_t i = 0; i < 120; ++i) {
      for (int c = 0; c < kCameras; ++c) {
        cams[static_cast<size_t>(c)]->process(frames[i % frames.size()],
                                              static_cast<double>(i) / 10);
        recs[static_cast<size_t>(c)]->add_frame(frames[i % frames.size()],
                                                static_cast<double>(i) / 10);
      }
    }
    const long after = rss_kib();
    state.counters["MiB_per_camera"] = static_cast<double>(after - before) / 1024 / kCameras;
    std::size_t ring = 0;
    for (const auto& r : recs)
      ring += r->bytes();
    state.counters["ring_MiB_per_camera"] = static_cast<double>(ring) / (1 << 20) / kCameras;
  }
}
BENCHMARK(BM_MemoryPerCamera)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();

#include "picket/video/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "picket/core/site.h"
#include "test_data.h"

namespace picket::video {
namespace {

namespace fs = std::filesystem;

CameraConfig forecourt(const std::string& source) {
  auto site = load_site(std::string(PICKET_SOURCE_DIR) + "/examples/video-site.yaml");
  EXPECT_TRUE(site);
  auto c = camera_config(*site, "cam-forecourt");
  EXPECT_TRUE(c);
  c->source = source;
  c->stream.realtime = true;  // the file plays like a live camera
  c->stream.max_lag_s = 0.3;
  c->hog.enabled = false;  // motion and tracking are enough here, and fast
  return *c;
}

TEST(Pipeline, ALiveCameraGivesDetectionsTracksAndEvidence) {
  const double t0 = 1'800'000'000;
  ManualClock clock(t0);
  CameraPipeline cam(forecourt(testing::vtest_avi()), clock);
  std::map<std::string, int> ids;
  int frames = 0, detections = 0;
  std::vector<Evidence> evidence;
  bool requested = false;
  while (clock.now() < t0 + 12) {
    auto out = cam.step();
    if (out.frame) {
      ++frames;
      for (const auto& d : out.detections) {
        ++detections;
        EXPECT_EQ(d.sensor, "cam-forecourt");
        EXPECT_TRUE(std::holds_alternative<EnuMeasurement>(d.measurement));
        EXPECT_NEAR(d.t, clock.now(), 0.31);  // frames are timed by the clock, lag bounded
        if (d.sensor_track) ++ids[*d.sensor_track];
      }
      // An alarm at 6 s about the first tracked person in view.
      if (!requested && clock.now() >= t0 + 6) {
        for (const auto& f : out.found) {
          if (f.track_id < 0) continue;
          cam.request_evidence("alarm-1", out.t, f.track_id, std::nullopt);
          requested = true;
          break;
        }
      }
    }
    for (auto& e : out.evidence)
      evidence.push_back(std::move(e));
    clock.advance(0.05);
  }
  EXPECT_NEAR(frames, 120, 2);  // 10 fps for 12 s, nothing dropped at this pace
  EXPECT_EQ(cam.input().stats().dropped, 0);
  EXPECT_GT(detections, 300);
  EXPECT_GE(ids.size(), 3u);
  ASSERT_TRUE(requested);
  // Evidence 4 s after the alarm (the example's `post`), with the tracked person's crop.
  ASSERT_EQ(evidence.size(), 1u);
  EXPECT_TRUE(evidence[0].complete);
  EXPECT_FALSE(evidence[0].crop.empty());
  EXPECT_FALSE(evidence[0].snapshot.empty());
  EXPECT_NEAR(static_cast<double>(evidence[0].clip.size()), (4 + 4) * 5 + 1, 2);
}

TEST(Pipeline, ACameraLostMidClipFlushesItsEvidence) {
  // The first 1.2 MB of vtest.avi: the "camera" stops after about 11 s.
  const auto path =
      fs::temp_directory_path() / ("picket-pipe-" + std::to_string(::getpid()) + ".avi");
  {
    std::ifstream src(testing::vtest_avi(), std::ios::binary);
    std::vector<char> bytes(1'200'000);
    src.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  ManualClock clock(0);
  CameraPipeline cam(forecourt(path.string()), clock);
  std::vector<Evidence> evidence;
  std::vector<InputEventKind> events;
  bool requested = false;
  while (!cam.ended() && clock.now() < 60) {
    auto out = cam.step();
    if (out.frame && !requested && out.t >= 9.0) {
      cam.request_evidence("late", out.t, std::nullopt, Enu(5, -8, 0));
      requested = true;
    }
    for (const auto& e : out.events)
      events.push_back(e.kind);
    for (auto& e : out.evidence)
      evidence.push_back(std::move(e));
    clock.advance(0.05);
  }
  ASSERT_TRUE(cam.ended());
  EXPECT_EQ(events.back(), InputEventKind::ended);
  ASSERT_EQ(evidence.size(), 1u);
  EXPECT_FALSE(evidence[0].complete);
  EXPECT_FALSE(evidence[0].crop.empty());  // found through the camera model
  EXPECT_GE(evidence[0].clip.size(), 20u);
  fs::remove(path);
}

TEST(Pipeline, AnalyticsThatCannotStartAreACameraFault) {
  const auto model =
      fs::temp_directory_path() / ("picket-notamodel-" + std::to_string(::getpid()) + ".onnx");
  std::ofstream(model) << "not a model";
  CameraConfig c = forecourt(testing::vtest_avi());
  c.dnn.model = model.string();
  ManualClock clock(100);
  CameraPipeline cam(c, clock);
  std::vector<Detection> reports;
  std::string why;
  for (int i = 0; i < 100 && !cam.failed(); ++i) {
    auto out = cam.step();
    for (const auto& d : out.detections)
      reports.push_back(d);
    for (const auto& e : out.events)
      if (e.kind == InputEventKind::fault) why = e.message;
    clock.advance(0.05);
  }
  ASSERT_TRUE(cam.failed());
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].status, SensorStatus::fault);
  EXPECT_NE(why.find("not an ONNX model"), std::string::npos) << why;
  EXPECT_FALSE(cam.step().frame);  // stopped
  fs::remove(model);
}

}  // namespace
}  // namespace picket::video

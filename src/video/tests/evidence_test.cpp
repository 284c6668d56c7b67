#include "picket/video/evidence.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "picket/video/source.h"
#include "test_data.h"

namespace picket::video {
namespace {

namespace fs = std::filesystem;

// Frames of vtest.avi, read once for all tests.
const std::vector<cv::Mat>& vtest_frames() {
  static const std::vector<cv::Mat> frames = [] {
    std::vector<cv::Mat> out;
    ManualClock clock;
    auto in = VideoInput::open_file("cam", testing::vtest_avi(), 0, clock);
    EXPECT_TRUE(in);
    while (out.size() < 200) {
      auto f = (*in)->poll();
      if (!f) break;
      out.push_back(f->image.clone());
    }
    return out;
  }();
  return frames;
}

EvidenceConfig config() {
  EvidenceConfig c;
  c.pre_s = 3;
  c.post_s = 2;
  c.clip_fps = 5;
  c.clip_width = 384;
  c.snapshot_interval_s = 0.5;
  return c;
}

TEST(Evidence, SnapshotCropAndClipAroundTheAlarm) {
  const auto& frames = vtest_frames();
  ASSERT_EQ(frames.size(), 200u);
  const double t0 = 1'800'000'000;
  EvidenceRecorder rec("cam-forecourt", config());
  std::vector<Evidence> done;
  for (size_t i = 0; i < 120; ++i) {
    const double t = t0 + static_cast<double>(i) / 10;
    rec.add_frame(frames[i], t);
    if (i == 80) {
      // An alarm at frame 80 (8 s) about the two people by the lamp post.
      rec.request({"alarm-17", t, cv::Rect2d(385, 180, 90, 100), std::nullopt, 1.8});
    }
    for (auto& e : rec.take_ready())
      done.push_back(std::move(e));
    if (i < 100) {
      EXPECT_TRUE(done.empty()) << "finished before the post window ended, " << i;
    }
  }
  ASSERT_EQ(done.size(), 1u);
  const Evidence& e = done[0];
  EXPECT_TRUE(e.complete);
  EXPECT_EQ(e.alarm_id, "alarm-17");
  EXPECT_EQ(e.camera, "cam-forecourt");
  // The full frame at the alarm time: snapshots every 0.5 s include 8.0 s exactly.
  EXPECT_DOUBLE_EQ(e.snapshot.t, t0 + 8.0);
  const cv::Mat full = cv::imdecode(e.snapshot.jpeg, cv::IMREAD_COLOR);
  ASSERT_EQ(full.cols, 768);
  ASSERT_EQ(full.rows, 576);
  // It is that frame: compare with the original (JPEG noise only).
  cv::Mat diff;
  cv::absdiff(full, frames[80], diff);
  EXPECT_LT(cv::mean(diff)[0], 6.0);
  // The crop: the box with half its size again on each side.
  const cv::Mat crop = cv::imdecode(e.crop.jpeg, cv::IMREAD_COLOR);
  EXPECT_EQ(crop.cols, 180);
  EXPECT_EQ(crop.rows, 200);
  EXPECT_EQ(e.crop_rect, cv::Rect(340, 130, 180, 200));
  // The clip: 5 fps from 5.0 s to 10.0 s, scaled to 384 pixels wide.
  ASSERT_EQ(e.clip.size(), 26u);
  EXPECT_NEAR(e.clip.front().t, t0 + 5.0, 1e-6);
  EXPECT_NEAR(e.clip.back().t, t0 + 10.0, 1e-6);
  for (size_t i = 1; i < e.clip.size(); ++i)
    EXPECT_NEAR(e.clip[i].t - e.clip[i - 1].t, 0.2, 1e-6);
  const cv::Mat f0 = cv::imdecode(e.clip.front().jpeg, cv::IMREAD_COLOR);
  EXPECT_EQ(f0.cols, 384);
  EXPECT_EQ(f0.rows, 288);
}

TEST(Evidence, FindsTheTargetFromItsGroundPosition) {
  // Without a box, the target's ground position through the camera model gives the crop.
  const auto& frames = vtest_frames();
  const CameraModel cam(CameraIntrinsics::from_fov(768, 576, 1.047),
                        CameraPose{Enu(0, -20, 6), 0.349, -0.428, 0});
  EvidenceRecorder rec("cam", config(), cam);
  for (size_t i = 0; i < 30; ++i)
    rec.add_frame(frames[i], static_cast<double>(i) / 10);
  const Enu target(4, -8, 0);
  rec.request({"a1", 2.0, std::nullopt, target, 1.8});
  for (size_t i = 30; i < 60; ++i)
    rec.add_frame(frames[i], static_cast<double>(i) / 10);
  auto done = rec.take_ready();
  ASSERT_EQ(done.size(), 1u);
  const auto foot = *cam.project(target);
  EXPECT_TRUE(done[0].crop_rect.contains(
      cv::Point(static_cast<int>(foot.x()), static_cast<int>(foot.y()) - 5)));
  EXPECT_FALSE(done[0].crop.empty());
  // A target behind the camera: evidence without a crop.
  rec.request({"a2", 5.0, std::nullopt, Enu(0, -40, 0), 1.8});
  for (size_t i = 60; i < 80; ++i)
    rec.add_frame(frames[i], static_cast<double>(i) / 10);
  done = rec.take_ready();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(done[0].crop.empty());
  EXPECT_FALSE(done[0].snapshot.empty());
}

TEST(Evidence, MemoryStaysBoundedAndIsReturned) {
  const auto& frames = vtest_frames();
  EvidenceConfig c = config();
  c.pre_s = 10;
  c.clip_fps = 10;
  c.clip_width = 768;
  c.snapshot_interval_s = 0.1;
  c.max_bytes = 3u << 20;  // smaller than 10 s of this
  EvidenceRecorder rec("cam", c);
  std::size_t peak = 0;
  for (size_t i = 0; i < 400; ++i) {
    rec.add_frame(frames[i % frames.size()], static_cast<double>(i) / 10);
    peak = std::max(peak, rec.bytes());
    if (i == 150) rec.request({"x", 15.0, cv::Rect2d(0, 0, 50, 50), std::nullopt, 1.8});
    EXPECT_LE(rec.bytes(), c.max_bytes + (200u << 10));  // at most one frame over, briefly
  }
  EXPECT_GT(peak, 2u << 20);
  EXPECT_GT(rec.stats().evicted_for_memory, 0);
  EXPECT_EQ(rec.take_ready().size(), 1u);
  // With a 3 s window the rings hold 3 s, whatever the run length.
  EvidenceRecorder small("cam", config());
  for (size_t i = 0; i < 200; ++i)
    small.add_frame(frames[i], static_cast<double>(i) / 10);
  const std::size_t steady = small.bytes();
  for (size_t i = 0; i < 200; ++i)
    small.add_frame(frames[i], 20.0 + static_cast<double>(i) / 10);
  EXPECT_LT(small.bytes(), steady * 3 / 2);
  EXPECT_GT(small.bytes(), steady / 2);
}

TEST(Evidence, FlushGivesWhatThereIsAndTheSinkWritesFiles) {
  const auto& frames = vtest_frames();
  EvidenceRecorder rec("cam", config());
  for (size_t i = 0; i < 50; ++i)
    rec.add_frame(frames[i], static_cast<double>(i) / 10);
  rec.request({"alarm/../7", 4.9, cv::Rect2d(385, 180, 90, 100), std::nullopt, 1.8});
  EXPECT_EQ(rec.pending(), 1u);
  const auto flushed = rec.flush();  // the camera was lost before the post window ended
  ASSERT_EQ(flushed.size(), 1u);
  EXPECT_FALSE(flushed[0].complete);
  EXPECT_EQ(rec.stats().incomplete, 1);
  EXPECT_EQ(flushed[0].clip.size(), 15u);  // 2.0 .. 4.8 s at 5 fps

  const auto dir = fs::temp_directory_path() / ("picket-evidence-" + std::to_string(::getpid()));
  DirectoryEvidenceSink sink(dir.string());
  ASSERT_TRUE(sink.save(flushed[0]));
  const auto alarm_dir = dir / "alarm_.._7";  // no escaping the evidence directory
  ASSERT_TRUE(fs::exists(alarm_dir / "evidence.json"));
  std::ifstream in(alarm_dir / "evidence.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["alarm_id"], "alarm/../7");
  EXPECT_EQ(j["complete"], false);
  EXPECT_EQ(j["clip"].size(), 15u);
  EXPECT_FALSE(cv::imread((alarm_dir / "snapshot.jpg").string()).empty());
  EXPECT_FALSE(cv::imread((alarm_dir / "crop.jpg").string()).empty());
  EXPECT_FALSE(cv::imread((alarm_dir / "clip/014.jpg").string()).empty());
  fs::remove_all(dir);
  // A sink that cannot write says so.
  DirectoryEvidenceSink bad("/proc/no-such-dir");
  const auto st = bad.save(flushed[0]);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("cannot create evidence directory"), std::string::npos);
}

}  // namespace
}  // namespace picket::video

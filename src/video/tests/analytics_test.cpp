#include "picket/video/analytics.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "picket/core/units.h"
#include "picket/video/source.h"
#include "picket/video/thermal.h"
#include "test_data.h"

namespace picket::video {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  const auto dir =
      fs::temp_directory_path() / ("picket-analytics-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

Result<CameraConfig> config_from(const std::string& yaml, const std::string& id) {
  auto site = load_site_from_string(yaml, "site.yaml");
  if (!site) return site.error();
  return camera_config(*site, id);
}

// The example site's camera, read from the repository's example file.
CameraConfig forecourt_camera() {
  auto site = load_site(std::string(PICKET_SOURCE_DIR) + "/examples/video-site.yaml");
  EXPECT_TRUE(site) << site.error().message();
  auto c = camera_config(*site, "cam-forecourt");
  EXPECT_TRUE(c) << c.error().message();
  return *c;
}

TEST(Analytics, FindsThePeopleWalkingInVtest) {
  CameraConfig c = forecourt_camera();
  c.hog.enabled = true;
  ManualClock clock;
  auto in = VideoInput::open_file("cam-forecourt", testing::vtest_avi(), 0, clock);
  ASSERT_TRUE(in) << in.error().message();
  auto a = CameraAnalytics::create(c, cv::Size(768, 576), 10);
  ASSERT_TRUE(a) << a.error().message();
  int people = 0, frames_with_people = 0, placed = 0, standing_seen = 0;
  std::vector<double> heights;
  std::map<std::int64_t, int> track_frames;
  for (int i = 0; i < 120; ++i) {
    auto f = (*in)->poll();
    ASSERT_TRUE(f);
    const auto found = (*a)->process(f->image, f->t);
    int here = 0;
    for (const auto& d : found) {
      if (d.track_id >= 0) ++track_frames[d.track_id];
      if (d.image.cls != TargetClass::person) continue;
      ++people;
      ++here;
      // The man in the dark jacket who stands by the signpost from about 4 s on (his torso at
      // pixel (389, 215)), still enough to fade into the motion background.
      if (i >= 40 && i < 80 && d.image.box.contains(cv::Point(389, 215))) ++standing_seen;
      if (!d.ground) continue;
      ++placed;
      heights.push_back(d.size->height_m);
      // On the forecourt in front of the camera, within the camera's range.
      EXPECT_LT(d.ground->range_m, 80);
      EXPECT_GT(d.ground->sigma_max(), 0.05);
      EXPECT_LT(d.ground->sigma_max(), 10);
    }
    if (here > 0) ++frames_with_people;
  }
  // Several people are in view all the time once the background has formed (2 s).
  EXPECT_GT(frames_with_people, 80);
  EXPECT_GT(people, 200);
  EXPECT_GT(placed, 150);
  std::sort(heights.begin(), heights.end());
  const double median = heights[heights.size() / 2];
  EXPECT_GT(median, 1.4);  // people, by the calibration
  EXPECT_LT(median, 2.1);
  EXPECT_GT((*a)->stats().motion_blobs, 100);
  // HOG searches where the image tracks are, so he is kept although motion lost him (without
  // the track regions: in none of these 40 frames).
  EXPECT_GE(standing_seen, 30);
  // The image tracker follows the people: several tracks of 4 s or more, one of 6 s or more.
  EXPECT_GE(track_frames.size(), 4u);
  int long_tracks = 0, longest = 0;
  for (const auto& [id, n] : track_frames) {
    long_tracks += n >= 40;
    longest = std::max(longest, n);
  }
  EXPECT_GE(long_tracks, 3);
  EXPECT_GE(longest, 60);
  // Every reported track matched a detection of its frame, which carries its id.
  EXPECT_FALSE((*a)->tracks().empty());
  EXPECT_EQ((*a)->stats().tracker_errors, 0);
}

TEST(Analytics, MasksHideWhatIsBehindThem) {
  CameraConfig c = forecourt_camera();
  c.masks = {{{0, 0}, {768, 0}, {768, 576}, {0, 576}}};  // the whole view
  c.hog.enabled = true;
  ManualClock clock;
  auto in = VideoInput::open_file("cam", testing::vtest_avi(), 0, clock);
  ASSERT_TRUE(in);
  auto a = CameraAnalytics::create(c, cv::Size(768, 576), 10);
  ASSERT_TRUE(a);
  size_t found = 0;
  for (int i = 0; i < 60; ++i)
    found += (*a)->process((*in)->poll()->image, i * 0.1).size();
  EXPECT_EQ(found, 0u);
  EXPECT_EQ((*a)->stats().motion_blobs, 0);
}

TEST(Analytics, ThermalArrayFindsThePersonEntering) {
  // r-u-still-there's warm-up recording: an empty room, then (by its author's notes) a person
  // in view from frame 2040. The same motion path as visible cameras with thermal settings.
  const std::string rec = testing::shared_data("thermal/paxswill_r-u-still-there/warm-up.bin");
  auto c = config_from(R"(
origin: [0, 0]
sensors:
  - id: thermal-1
    type: camera
    position: {east: 0, north: 0, up: 2.5}
    orientation: {pitch: -20}
    fov: {horizontal: 55}
    image: {width: 16, height: 12}
    range: {max: 10}
    update_rate: 16
cameras:
  thermal-1:
    kind: thermal
    motion: {process_width: 160, min_blob_px: 100, open_px: 5, warmup: 5}
    objects: {min_height: 0, max_height: 100, min_width: 0, max_width: 100}
)",
                       "thermal-1");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(c->motion.shadows);
  ManualClock clock;
  auto in = VideoInput::open_file("thermal-1", std::string(kThermalScheme) + rec, 0, clock);
  ASSERT_TRUE(in) << in.error().message();
  auto a = CameraAnalytics::create(*c, cv::Size(16, 12), 16);
  ASSERT_TRUE(a) << a.error().message();
  int first = -1, before = 0, during = 0;
  for (int i = 0; i < 2200; ++i) {
    auto f = (*in)->poll();
    ASSERT_TRUE(f);
    ASSERT_EQ(f->image.type(), CV_8UC1);
    const auto found = (*a)->process(f->image, f->t);
    if (found.empty()) continue;
    if (i < 2040) ++before;
    if (first < 0) first = i;
    if (i >= 2045 && i < 2100) ++during;
  }
  EXPECT_EQ(before, 0) << "false detections in the empty room";
  EXPECT_GE(first, 2040);
  EXPECT_LE(first, 2060);
  EXPECT_GT(during, 40);
}

TEST(Analytics, ThermalRecordingErrorsNameTheByte) {
  const std::string path = temp_path("damaged.bin");
  {
    std::ifstream src(testing::shared_data("thermal/paxswill_r-u-still-there/warm-up.bin"),
                      std::ios::binary);
    std::vector<char> bytes(804 * 3);
    src.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes[804 * 2 + 0] = 99;  // third frame: width 99 does not match its 192 values
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto rec = ThermalRecording::open(path);
  ASSERT_TRUE(rec);
  ASSERT_TRUE(rec->next());
  ASSERT_TRUE(rec->next());
  auto bad = rec->next();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("byte 1608"), std::string::npos) << bad.error().message();
  EXPECT_NE(bad.error().message().find("not a thermal frame header"), std::string::npos);
}

TEST(Analytics, AFileThatIsNotAModelIsAClearError) {
  CameraConfig c = forecourt_camera();
  for (const std::string& content : {std::string("this is not an ONNX model\n"),
                                     std::string("\x08\x07\x12\x04junk\x3a\xff\xff\xff", 13)}) {
    const std::string path = temp_path("model.onnx");
    std::ofstream(path, std::ios::binary) << content;
    c.dnn.model = path;
    auto a = CameraAnalytics::create(c, cv::Size(768, 576), 10);
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message().find("not an ONNX model"), std::string::npos)
        << a.error().message();
    EXPECT_NE(a.error().message().find("dnn.model"), std::string::npos) << a.error().message();
  }
  c.dnn.model = temp_path("missing.onnx");
  auto missing = CameraAnalytics::create(c, cv::Size(768, 576), 10);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("cannot open the model file"), std::string::npos);
}

TEST(Analytics, DecodesYoloAndSsdOutputs) {
  DnnConfig config;
  config.input_width = 640;
  config.input_height = 640;
  config.confidence = 0.5;
  // A 1280x720 frame letterboxed into 640x640: scale 0.5, 140 pixels of padding above.
  const Letterbox lb{0.5, 0, 140};
  // YOLOv8 export: [1, 84, N], one column per candidate.
  {
    const int n = 6;
    int dims[] = {1, 84, n};
    cv::Mat out(3, dims, CV_32F, cv::Scalar(0));
    auto set = [&](int i, float cx, float cy, float w, float h, int cls, float score) {
      float* p = out.ptr<float>();
      p[0 * n + i] = cx;
      p[1 * n + i] = cy;
      p[2 * n + i] = w;
      p[3 * n + i] = h;
      p[(4 + cls) * n + i] = score;
    };
    set(0, 320, 300, 40, 120, 0, 0.9f);   // a person
    set(1, 322, 302, 40, 118, 0, 0.7f);   // the same person again (suppressed)
    set(2, 100, 400, 80, 40, 2, 0.8f);    // a car
    set(3, 500, 200, 30, 30, 0, 0.3f);    // too unsure
    set(4, 500, 500, 30, 30, 60, 0.95f);  // a dining table: not ours
    auto dets = DnnDetector::decode({out}, config, lb, cv::Size(1280, 720));
    ASSERT_TRUE(dets) << dets.error().message();
    ASSERT_EQ(dets->size(), 2u);
    EXPECT_EQ((*dets)[0].cls, TargetClass::person);
    EXPECT_NEAR((*dets)[0].score, 0.9, 1e-6);
    EXPECT_NEAR((*dets)[0].box.x, (320 - 20) / 0.5, 1e-3);
    EXPECT_NEAR((*dets)[0].box.y, (300 - 60 - 140) / 0.5, 1e-3);
    EXPECT_NEAR((*dets)[0].box.height, 240, 1e-3);
    EXPECT_EQ((*dets)[1].cls, TargetClass::vehicle);
  }
  // SSD: [1, 1, N, 7] with boxes as fractions of the input.
  {
    int dims[] = {1, 1, 2, 7};
    cv::Mat out(4, dims, CV_32F, cv::Scalar(0));
    const float rows[2][7] = {{0, 0, 0.8f, 0.25f, 0.25f, 0.5f, 0.75f},
                              {0, 17, 0.6f, 0.6f, 0.5f, 0.7f, 0.6f}};
    std::memcpy(out.ptr<float>(), rows, sizeof rows);
    config.layout = "auto";
    auto dets = DnnDetector::decode({out}, config, lb, cv::Size(1280, 720));
    ASSERT_TRUE(dets) << dets.error().message();
    ASSERT_EQ(dets->size(), 2u);
    EXPECT_EQ((*dets)[0].cls, TargetClass::person);
    EXPECT_NEAR((*dets)[0].box.x, 160 / 0.5, 1e-3);
    EXPECT_EQ((*dets)[1].cls, TargetClass::animal);  // COCO 17: horse
  }
  // A shape no layout explains.
  {
    cv::Mat odd(1, 13, CV_32F, cv::Scalar(0));
    auto dets = DnnDetector::decode({odd}, config, lb, cv::Size(1280, 720));
    ASSERT_FALSE(dets);
    EXPECT_NE(dets.error().message().find("set dnn.layout"), std::string::npos);
  }
}

TEST(Analytics, RefusesFramesOfTheWrongShape) {
  CameraConfig c = forecourt_camera();
  auto wrong = CameraAnalytics::create(c, cv::Size(1280, 720), 10);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message().find("a different shape"), std::string::npos);
  // Same shape at twice the resolution: the lens is scaled and the ground is the same.
  auto twice = CameraAnalytics::create(c, cv::Size(1536, 1152), 10);
  ASSERT_TRUE(twice) << twice.error().message();
  const auto& k = (*twice)->camera().intrinsics();
  EXPECT_NEAR(k.fx, 2 * c.intrinsics.fx, 1e-9);
  const Enu p(3, -5, 0);
  const auto small = c.model().project(p);
  const auto big = (*twice)->camera().project(p);
  EXPECT_NEAR(big->x(), (small->x() + 0.5) * 2 - 0.5, 1e-6);
}

}  // namespace
}  // namespace picket::video

#include "picket/video/source.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <thread>

#include "test_data.h"
#include "test_server.h"

namespace picket::video {
namespace {

namespace fs = std::filesystem;
using testing::TestServer;

std::string temp_path(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("picket-video-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::vector<InputEventKind> kinds(const std::vector<InputEvent>& events) {
  std::vector<InputEventKind> out;
  for (const auto& e : events)
    out.push_back(e.kind);
  return out;
}

TEST(VideoInput, ReadsAFileOffline) {
  ManualClock clock(0);
  auto in = VideoInput::open_file("cam", testing::vtest_avi(), 1'700'000'000.0, clock);
  ASSERT_TRUE(in) << in.error().message();
  EXPECT_DOUBLE_EQ((*in)->fps(), 10);
  EXPECT_EQ((*in)->frame_count(), 795);
  int n = 0;
  while (auto f = (*in)->poll()) {
    EXPECT_EQ(f->index, n);
    EXPECT_NEAR(f->t, 1'700'000'000.0 + n / 10.0, 1e-6);
    EXPECT_EQ(f->image.cols, 768);
    EXPECT_EQ(f->image.rows, 576);
    ++n;
  }
  EXPECT_EQ(n, 795);
  EXPECT_TRUE((*in)->ended());
  EXPECT_EQ((*in)->stats().dropped, 0);
  const auto events = (*in)->take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, InputEventKind::ended);
  EXPECT_EQ(events[1].message, "end of file");
}

TEST(VideoInput, RefusesFilesThatAreNotVideo) {
  ManualClock clock;
  const std::string text = temp_path("notes.avi");
  std::ofstream(text) << "this is not a video\n";
  auto in = VideoInput::open_file("cam", text, 0, clock);
  ASSERT_FALSE(in);
  EXPECT_NE(in.error().message().find("cannot read this file as video"), std::string::npos);
  auto missing = VideoInput::open_file("cam", temp_path("missing.avi"), 0, clock);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("no such video file"), std::string::npos);
}

TEST(VideoInput, ReportsATruncatedFile) {
  // The first 40% of vtest.avi: the header promises 795 frames.
  const std::string path = temp_path("truncated.avi");
  {
    std::ifstream src(testing::vtest_avi(), std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(src)), {});
    ASSERT_GT(bytes.size(), 1000000u);
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size() * 2 / 5));
  }
  ManualClock clock;
  auto in = VideoInput::open_file("cam", path, 0, clock);
  ASSERT_TRUE(in) << in.error().message();
  int n = 0;
  while ((*in)->poll())
    ++n;
  EXPECT_GT(n, 100);
  EXPECT_LT(n, 795);
  const auto events = (*in)->take_events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, InputEventKind::ended);
  EXPECT_NE(events.back().message.find("truncated or corrupt"), std::string::npos)
      << events.back().message;
}

TEST(VideoInput, SurvivesGarbageInsideAFile) {
  // 300 kB of random bytes written over the middle of the file: FFmpeg must resynchronise or
  // stop; either way frames before the damage are read and nothing crashes.
  const std::string path = temp_path("corrupt.avi");
  {
    std::ifstream src(testing::vtest_avi(), std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(src)), {});
    std::mt19937 rng(1);
    for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 300000; ++i)
      bytes[i] = static_cast<char>(rng());
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  ManualClock clock;
  auto in = VideoInput::open_file("cam", path, 0, clock);
  ASSERT_TRUE(in) << in.error().message();
  int n = 0;
  while (auto f = (*in)->poll()) {
    ASSERT_FALSE(f->image.empty());
    ++n;
  }
  EXPECT_GT(n, 300);
  EXPECT_TRUE((*in)->ended());
}

TEST(VideoInput, DropsFramesRatherThanFallBehindAPacedFile) {
  // vtest.avi (10 fps) played as a live camera to a consumer that needs 0.25 s per frame: it
  // can take at most 4 frames a second, the rest are dropped and counted, and no frame it gets
  // is older than max_lag.
  ManualClock clock(1000);
  StreamConfig config;
  config.realtime = true;
  config.max_lag_s = 0.15;
  VideoInput in("cam", testing::vtest_avi(), config, clock);
  int delivered = 0;
  double last_t = 0;
  while (!in.ended() && clock.now() < 1000 + 30) {
    if (auto f = in.poll()) {
      EXPECT_LE(clock.now() - f->t, 0.15 + 1e-9);
      EXPECT_GT(f->t, last_t);
      last_t = f->t;
      ++delivered;
      clock.advance(0.25);  // analysis time
    } else {
      clock.advance(0.01);  // idle until the next frame is due
    }
  }
  const auto& s = in.stats();
  EXPECT_EQ(s.frames, delivered);
  // 30 s of a 10 fps file: 300 frames offered, about 4 per second taken.
  EXPECT_NEAR(static_cast<double>(delivered), 30 * 4.0, 10);
  EXPECT_NEAR(static_cast<double>(s.frames + s.dropped), 300, 5);
  // A consumer that keeps up drops nothing.
  ManualClock clock2(0);
  VideoInput fast("cam", testing::vtest_avi(), config, clock2);
  int n = 0;
  while (clock2.now() < 10) {
    if (fast.poll()) ++n;
    clock2.advance(0.02);
  }
  EXPECT_EQ(fast.stats().dropped, 0);
  EXPECT_NEAR(n, 100, 1);
}

// A capture whose opens and reads fail on a script, to drive the reconnection state machine.
class ScriptedCapture final : public Capture {
 public:
  std::vector<bool> opens;  // result of each open, in order; then the last one repeats
  int frames_per_connection = 3;
  int open_calls = 0;
  int served = 0;
  Status open(const std::string& url, const StreamConfig&) override {
    const bool ok =
        opens.empty() ? false
                      : opens[std::min<size_t>(static_cast<size_t>(open_calls), opens.size() - 1)];
    ++open_calls;
    served = 0;
    if (!ok) return Error{url, "connection refused"};
    return Ok{};
  }
  bool grab() override { return served++ < frames_per_connection; }
  bool retrieve(cv::Mat& image) override {
    image = cv::Mat(8, 8, CV_8UC3, cv::Scalar(0, 0, 0));
    return true;
  }
  double position_s() override { return std::nan(""); }
  double fps() override { return 0; }
  double frame_count() override { return 0; }
  void close() override {}
};

TEST(VideoInput, ReconnectsWithBackOffAndRaisesAFault) {
  ManualClock clock(100);
  StreamConfig config;
  config.reconnect_min_s = 1;
  config.reconnect_max_s = 8;
  config.fault_after_s = 20;
  auto capture = std::make_unique<ScriptedCapture>();
  auto* script = capture.get();
  // Connects, streams 3 frames, then fails to reconnect 6 times, then comes back.
  script->opens = {true, false, false, false, false, false, false, true};
  VideoInput in("cam-x", "rtsp://camera/stream", config, clock, std::move(capture));
  std::vector<double> attempts;
  int frames = 0;
  std::vector<InputEvent> events;
  for (int step = 0; step < 6000 && frames < 6; ++step) {
    const int before = script->open_calls;
    if (in.poll()) ++frames;
    if (script->open_calls != before) attempts.push_back(clock.now() - 100);
    for (auto& e : in.take_events())
      events.push_back(e);
    clock.advance(0.01);
  }
  ASSERT_EQ(frames, 6);
  // Opened at once; lost after 3 frames; then waits of 1, 2, 4, 8, 8, 8, 8 s between the loss
  // and each attempt.
  ASSERT_EQ(attempts.size(), 8u);
  ASSERT_GE(events.size(), 2u);
  const std::vector<double> waits = {1, 2, 4, 8, 8, 8, 8};
  double previous = events[1].t - 100;  // the loss
  for (size_t i = 0; i < waits.size(); ++i) {
    EXPECT_NEAR(attempts[i + 1] - previous, waits[i], 0.011) << i;
    previous = attempts[i + 1];
  }
  // The outage began at the loss; the fault was raised once, 20 s later, then recovered.
  std::vector<InputEventKind> want = {
      InputEventKind::connected,   InputEventKind::lost,        InputEventKind::open_failed,
      InputEventKind::open_failed, InputEventKind::open_failed, InputEventKind::open_failed,
      InputEventKind::fault,       InputEventKind::open_failed, InputEventKind::open_failed,
      InputEventKind::connected,   InputEventKind::recovered};
  EXPECT_EQ(kinds(events), want);
  const auto fault = std::find_if(events.begin(), events.end(),
                                  [](const auto& e) { return e.kind == InputEventKind::fault; });
  ASSERT_NE(fault, events.end());
  EXPECT_NEAR(fault->t - events[1].t, 20, 0.011);
  const auto det = status_detection(*fault, "cam-x");
  ASSERT_TRUE(det);
  EXPECT_EQ(det->status, SensorStatus::fault);
  EXPECT_EQ(det->sensor, "cam-x");
  EXPECT_EQ(in.stats().faults, 1);
  EXPECT_EQ(in.stats().losses, 1);
  EXPECT_EQ(in.stats().open_failures, 6);
  EXPECT_TRUE(status_detection(events.back(), "cam-x"));
  EXPECT_EQ(status_detection(events.back(), "cam-x")->status, SensorStatus::heartbeat);
}

// --- Real streams over HTTP from a local server ---------------------------------------------

std::vector<uchar> jpeg_frame(int i) {
  cv::Mat img(240, 320, CV_8UC3, cv::Scalar(40, 90, 40));
  cv::rectangle(img, cv::Rect(10 + 5 * i, 100, 30, 60), cv::Scalar(20, 20, 200), cv::FILLED);
  std::vector<uchar> jpg;
  cv::imencode(".jpg", img, jpg);
  return jpg;
}

// An MJPEG camera (multipart/x-mixed-replace, as IP cameras serve it) that sends `frames`
// frames at 25 fps and then stalls with the connection open.
void mjpeg_then_stall(boost::asio::ip::tcp::socket& s, int frames, const TestServer& server) {
  if (testing::read_request_head(s).empty()) return;
  boost::asio::write(s, boost::asio::buffer(std::string(
                            "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;"
                            "boundary=frame\r\n\r\n")));
  for (int i = 0; i < frames && !server.stopping(); ++i) {
    const auto jpg = jpeg_frame(i);
    boost::asio::write(
        s, boost::asio::buffer(fmt::format(
               "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n", jpg.size())));
    boost::asio::write(s, boost::asio::buffer(jpg));
    boost::asio::write(s, boost::asio::buffer(std::string("\r\n")));
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
  }
  while (!server.stopping())
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

TEST(VideoInput, AStalledStreamIsLostAndRaisesAFault) {
  // The first connection streams 20 frames then stalls; every later one is refused at once.
  TestServer* self = nullptr;
  TestServer server([&](boost::asio::ip::tcp::socket& s, int n) {
    if (n == 0) mjpeg_then_stall(s, 20, *self);
  });
  self = &server;
  SystemClock clock;
  StreamConfig config;
  config.open_timeout_s = 2;
  config.read_timeout_s = 0.5;
  config.reconnect_min_s = 0.1;
  config.reconnect_max_s = 0.2;
  config.fault_after_s = 1.0;
  config.max_lag_s = 5;
  VideoInput in("cam-http", server.url("/video.mjpg"), config, clock);
  int frames = 0;
  std::vector<InputEvent> events;
  const double start = clock.now();
  while (clock.now() - start < 15) {
    if (auto f = in.poll()) {
      EXPECT_EQ(f->image.cols, 320);
      ++frames;
    }
    for (auto& e : in.take_events())
      events.push_back(e);
    if (in.faulted()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server.stop();
  EXPECT_GE(frames, 15);  // FFmpeg may hold back the last frames it buffered
  ASSERT_TRUE(in.faulted()) << "no fault after " << clock.now() - start << " s";
  auto k = kinds(events);
  ASSERT_GE(k.size(), 4u);
  EXPECT_EQ(k[0], InputEventKind::connected);
  EXPECT_EQ(k[1], InputEventKind::lost);
  EXPECT_NE(events[1].message.find("stalled"), std::string::npos) << events[1].message;
  EXPECT_EQ(k.back(), InputEventKind::fault);
  EXPECT_GE(in.stats().open_failures, 1);
}

TEST(VideoInput, AStreamOfGarbageNeverOpensAndRaisesAFault) {
  TestServer* self = nullptr;
  TestServer server([&](boost::asio::ip::tcp::socket& s, int) {
    if (testing::read_request_head(s).empty()) return;
    boost::asio::write(
        s, boost::asio::buffer(std::string("HTTP/1.0 200 OK\r\nContent-Type: video/mp4\r\n\r\n")));
    std::mt19937 rng(3);
    std::vector<unsigned char> junk(64 * 1024);
    for (int i = 0; i < 8 && !self->stopping(); ++i) {
      for (auto& b : junk)
        b = static_cast<unsigned char>(rng());
      boost::asio::write(s, boost::asio::buffer(junk));
    }
  });
  self = &server;
  SystemClock clock;
  StreamConfig config;
  config.open_timeout_s = 2;
  config.read_timeout_s = 0.5;
  config.reconnect_min_s = 0.05;
  config.reconnect_max_s = 0.1;
  config.fault_after_s = 0.5;
  VideoInput in("cam-junk", server.url("/live"), config, clock);
  const double start = clock.now();
  int frames = 0;
  while (!in.faulted() && clock.now() - start < 20) {
    if (in.poll()) ++frames;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server.stop();
  EXPECT_EQ(frames, 0);
  EXPECT_TRUE(in.faulted());
  EXPECT_GE(in.stats().open_failures, 1);
  const auto events = in.take_events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().kind, InputEventKind::open_failed);
  EXPECT_NE(events.front().message.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace picket::video

#include "picket/video/source.h"

#include "picket/video/thermal.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <opencv2/videoio.hpp>

namespace picket::video {

double SystemClock::now() const {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string_view to_string(InputEventKind k) {
  switch (k) {
    case InputEventKind::connected:
      return "connected";
    case InputEventKind::lost:
      return "lost";
    case InputEventKind::open_failed:
      return "open_failed";
    case InputEventKind::fault:
      return "fault";
    case InputEventKind::recovered:
      return "recovered";
    case InputEventKind::ended:
      return "ended";
  }
  return "?";
}

bool is_stream_url(const std::string& source) {
  return source.find("://") != std::string::npos || source.find(" ! ") != std::string::npos;
}

namespace {

constexpr double kAnchorWindowS = 30;   // streams: offsets older than this stop anchoring
constexpr double kDiscontinuityS = 5;   // a presentation-time jump this large re-anchors
constexpr int kMaxGrabsPerPoll = 1000;  // bound on frames skipped in one call

// FFmpeg prints every decoding hiccup of a damaged stream to standard error. The outcome is
// already reported as events and counts, so unless the user asked for FFmpeg's own messages
// (OPENCV_FFMPEG_LOGLEVEL set), only fatal ones are let through. OpenCV reads the variable once,
// when its FFmpeg back-end first starts.
void quiet_ffmpeg() {
  static std::once_flag once;
  std::call_once(once, [] { ::setenv("OPENCV_FFMPEG_LOGLEVEL", "8", 0); });
}

class OpenCvCapture final : public Capture {
 public:
  Status open(const std::string& url, const StreamConfig& config) override {
    quiet_ffmpeg();
    close();
    int api = cv::CAP_ANY;
    std::vector<int> params;
    if (config.backend == "ffmpeg") {
      api = cv::CAP_FFMPEG;
      params = {cv::CAP_PROP_OPEN_TIMEOUT_MSEC,
                static_cast<int>(std::lround(config.open_timeout_s * 1000)),
                cv::CAP_PROP_READ_TIMEOUT_MSEC,
                static_cast<int>(std::lround(config.read_timeout_s * 1000))};
    } else if (config.backend == "gstreamer") {
      api = cv::CAP_GSTREAMER;
    }
    try {
      if (!cap_.open(url, api, params) || !cap_.isOpened()) {
        return Error{url, fmt::format("cannot open with the {} back-end (not a video OpenCV can "
                                      "decode, or the stream did not answer within {:g} s)",
                                      config.backend, config.open_timeout_s)};
      }
    } catch (const cv::Exception& e) {
      return Error{url, std::string("cannot open: ") + e.what()};
    }
    return Ok{};
  }
  bool grab() override {
    try {
      return cap_.grab();
    } catch (const cv::Exception&) {
      return false;
    }
  }
  bool retrieve(cv::Mat& image) override {
    try {
      return cap_.retrieve(image) && !image.empty();
    } catch (const cv::Exception&) {
      return false;
    }
  }
  double position_s() override {
    const double ms = cap_.get(cv::CAP_PROP_POS_MSEC);
    return std::isfinite(ms) && ms >= 0 ? ms / 1000.0 : std::nan("");
  }
  double fps() override {
    const double f = cap_.get(cv::CAP_PROP_FPS);
    return std::isfinite(f) && f > 0 && f < 1000 ? f : 0.0;
  }
  double frame_count() override {
    const double n = cap_.get(cv::CAP_PROP_FRAME_COUNT);
    return std::isfinite(n) && n > 0 ? n : 0.0;
  }
  void close() override {
    if (cap_.isOpened()) cap_.release();
  }

 private:
  cv::VideoCapture cap_;
};

}  // namespace

std::unique_ptr<Capture> make_opencv_capture() {
  return std::make_unique<OpenCvCapture>();
}

VideoInput::VideoInput(std::string camera, std::string source, StreamConfig config,
                       const Clock& clock, std::unique_ptr<Capture> capture, double start_t)
    : camera_(std::move(camera)),
      source_(std::move(source)),
      config_(std::move(config)),
      clock_(clock),
      capture_(capture ? std::move(capture) : make_capture(source_)),
      mode_(is_stream_url(source_) ? Mode::stream
                                   : (config_.realtime ? Mode::paced_file : Mode::offline)),
      start_t_(start_t) {
  next_attempt_ = clock_.now();
  outage_start_ = next_attempt_;
}

VideoInput::~VideoInput() {
  if (capture_) capture_->close();
}

Result<std::unique_ptr<VideoInput>> VideoInput::open_file(const std::string& camera,
                                                          const std::string& path, double start_t,
                                                          const Clock& clock) {
  std::error_code ec;
  const std::string file =
      path.rfind(kThermalScheme, 0) == 0 ? path.substr(kThermalScheme.size()) : path;
  if (!std::filesystem::is_regular_file(file, ec)) return Error{file, "no such video file"};
  StreamConfig config;
  config.realtime = false;
  auto in = std::make_unique<VideoInput>(camera, path, config, clock, nullptr, start_t);
  in->try_open(clock.now());
  if (!in->connected_) {
    return Error{path, "cannot read this file as video (not a video, or a codec FFmpeg lacks)"};
  }
  return in;
}

void VideoInput::event(InputEventKind kind, double t, std::string message) {
  events_.push_back(InputEvent{kind, t, std::move(message)});
}

std::vector<InputEvent> VideoInput::take_events() {
  std::vector<InputEvent> out;
  out.swap(events_);
  return out;
}

void VideoInput::try_open(double now) {
  const Status st = capture_->open(source_, config_);
  if (!st) {
    ++stats_.open_failures;
    event(InputEventKind::open_failed, now, st.error().message());
    if (mode_ != Mode::stream) {
      // A file that cannot be opened will not open later.
      ended_ = true;
      event(InputEventKind::ended, now, "the file cannot be read");
      return;
    }
    backoff_ =
        backoff_ == 0 ? config_.reconnect_min_s : std::min(backoff_ * 2, config_.reconnect_max_s);
    next_attempt_ = now + backoff_;
    return;
  }
  connected_ = true;
  backoff_ = 0;
  fps_ = capture_->fps();
  frame_count_ = capture_->frame_count();
  opened_at_index_ = index_;
  wall0_ = now;
  offsets_.clear();
  last_pts_ = std::nan("");
  pending_ = false;
  event(InputEventKind::connected, now, ever_connected_ ? "reconnected" : "opened");
  if (faulted_) {
    faulted_ = false;
    event(InputEventKind::recovered, now,
          fmt::format("frames again after {:.1f} s", now - outage_start_));
  }
  ever_connected_ = true;
}

void VideoInput::lose(double now, const std::string& why) {
  capture_->close();
  connected_ = false;
  pending_ = false;
  if (mode_ != Mode::stream) {
    ended_ = true;
    std::string msg = why;
    const double read = static_cast<double>(index_);
    if (frame_count_ > 0 && read + 1 < frame_count_) {
      msg = fmt::format("ended after {} of {} frames: the file is truncated or corrupt", index_,
                        frame_count_);
    }
    event(InputEventKind::ended, now, msg);
    return;
  }
  ++stats_.losses;
  outage_start_ = now;
  backoff_ = config_.reconnect_min_s;
  next_attempt_ = now + backoff_;
  event(InputEventKind::lost, now, why);
}

// The capture time of the grabbed frame, by mode (see the header).
double VideoInput::frame_time(double now) {
  const double pts = capture_->position_s();
  const std::int64_t n = index_ - opened_at_index_;
  const double fallback_pts = fps_ > 0 ? static_cast<double>(n) / fps_ : std::nan("");
  double p = std::isfinite(pts) ? pts : fallback_pts;
  if (mode_ == Mode::offline) {
    if (!std::isfinite(p)) p = static_cast<double>(n) / 25.0;
    return start_t_ + p;
  }
  if (mode_ == Mode::paced_file) {
    if (!std::isfinite(p)) p = static_cast<double>(n) / (fps_ > 0 ? fps_ : 25.0);
    return wall0_ + p;
  }
  // Stream: without a usable presentation time the arrival time is all there is.
  if (!std::isfinite(p)) return now;
  if (std::isfinite(last_pts_) && (p < last_pts_ || p - last_pts_ > kDiscontinuityS)) {
    offsets_.clear();  // the stream restarted its clock
  }
  last_pts_ = p;
  const double offset = now - p;
  while (!offsets_.empty() && offsets_.front().first < now - kAnchorWindowS)
    offsets_.pop_front();
  while (!offsets_.empty() && offsets_.back().second >= offset)
    offsets_.pop_back();
  offsets_.emplace_back(now, offset);
  return p + offsets_.front().second;
}

std::optional<Frame> VideoInput::poll() {
  if (ended_) return std::nullopt;
  const double now = clock_.now();
  if (!connected_) {
    if (mode_ == Mode::stream && !faulted_ && now - outage_start_ >= config_.fault_after_s) {
      faulted_ = true;
      ++stats_.faults;
      event(InputEventKind::fault, now,
            fmt::format("no video for {:.1f} s from {}", now - outage_start_, source_));
    }
    if (now < next_attempt_) return std::nullopt;
    try_open(now);
    if (!connected_) {
      if (mode_ == Mode::stream && !faulted_ && now - outage_start_ >= config_.fault_after_s) {
        faulted_ = true;
        ++stats_.faults;
        event(InputEventKind::fault, now,
              fmt::format("no video for {:.1f} s from {}", now - outage_start_, source_));
      }
      return std::nullopt;
    }
  }
  for (int grabs = 0; grabs < kMaxGrabsPerPoll; ++grabs) {
    double t = 0;
    if (pending_) {
      t = pending_t_;
    } else {
      if (!capture_->grab()) {
        lose(clock_.now(), mode_ == Mode::stream
                               ? fmt::format("no frame within {:g} s (stream lost or stalled)",
                                             config_.read_timeout_s)
                               : "end of file");
        return std::nullopt;
      }
      t = frame_time(clock_.now());
      ++index_;
    }
    const double lag = clock_.now() - t;
    if (mode_ == Mode::paced_file && lag < 0) {
      // Not due yet: keep it for a later call.
      pending_ = true;
      pending_t_ = t;
      return std::nullopt;
    }
    pending_ = false;
    if (mode_ != Mode::offline && lag > config_.max_lag_s) {
      ++stats_.dropped;
      continue;
    }
    Frame f;
    if (!capture_->retrieve(f.image)) {
      lose(clock_.now(), "a frame could not be decoded");
      return std::nullopt;
    }
    f.t = t;
    f.index = index_ - 1;
    ++stats_.frames;
    return f;
  }
  return std::nullopt;
}

std::optional<Detection> status_detection(const InputEvent& e, const std::string& camera) {
  Detection d;
  d.t = e.t;
  d.sensor = camera;
  d.measurement = NoPosition{};
  if (e.kind == InputEventKind::fault) {
    d.status = SensorStatus::fault;
  } else if (e.kind == InputEventKind::recovered) {
    d.status = SensorStatus::heartbeat;
  } else {
    return std::nullopt;
  }
  return d;
}

}  // namespace picket::video

// Video input for one camera: a video file or a network stream (RTSP, HTTP, a GStreamer
// pipeline) read with OpenCV's VideoCapture (FFmpeg or GStreamer back-end).
//
// Three ways of reading, chosen by the source and its StreamConfig:
//   - offline: a file read frame by frame as fast as the caller asks (`picket video`); times are
//     `start_t` plus the frames' presentation times. Nothing is dropped.
//   - paced file (stream.realtime): a file played like a live camera; a frame is due when the
//     clock reaches its time, and frames the caller is too slow for are dropped.
//   - stream: a live source. Its frames' presentation times are anchored to the clock by the
//     smallest offset seen over the last 30 s (the frames that arrived with the least delay), so
//     the lag of each frame behind real time is known without trusting the camera's clock; a
//     frame lagging by more than max_lag is grabbed but not decoded into an image, and counted.
// A lost stream (open failure, read timeout, end of stream) is reopened after a wait that
// doubles from reconnect_min up to reconnect_max; an outage longer than fault_after raises one
// `fault` event, and reconnecting after it a `recovered` event. All timing comes from the
// injected Clock, so tests drive outages and dropping without sleeping; only the OpenCV calls
// themselves block, each for at most the stream's open or read timeout.
//
// Thread-safety: a VideoInput belongs to one thread (the camera's).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/result.h"
#include "picket/core/types.h"
#include "picket/video/camera_config.h"

namespace picket::video {

// Unix seconds. Injected everywhere time matters.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual double now() const = 0;
};

class SystemClock final : public Clock {
 public:
  double now() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(double t = 0) : t_(t) {}
  double now() const override { return t_; }
  void set(double t) { t_ = t; }
  void advance(double dt) { t_ += dt; }

 private:
  double t_;
};

// The seam over cv::VideoCapture, so tests can inject faults the real back-end cannot be made
// to produce on demand. make_opencv_capture() is the real one.
class Capture {
 public:
  virtual ~Capture() = default;
  virtual Status open(const std::string& url, const StreamConfig& config) = 0;
  virtual bool grab() = 0;  // the next frame, not yet decoded to an image; false: none
  virtual bool retrieve(cv::Mat& image) = 0;
  virtual double position_s() = 0;   // presentation time of the grabbed frame; NaN if unknown
  virtual double fps() = 0;          // nominal frame rate; 0 if unknown
  virtual double frame_count() = 0;  // frames in a file; 0 if unknown
  virtual void close() = 0;
};
std::unique_ptr<Capture> make_opencv_capture();

// True for sources that are streams (a URL with a scheme, or a GStreamer pipeline) rather than
// files.
bool is_stream_url(const std::string& source);

struct Frame {
  cv::Mat image;           // 8-bit BGR or grey
  double t = 0;            // capture time, Unix seconds
  std::int64_t index = 0;  // frame number since the source first opened, dropped frames counted
};

enum class InputEventKind : std::uint8_t {
  connected,    // opened (first time or after an outage)
  lost,         // a read failed or timed out: reconnecting
  open_failed,  // an attempt to (re)open failed
  fault,        // the outage has lasted fault_after seconds: the camera is faulty
  recovered,    // frames again after a fault
  ended,        // a file ended (or could not be read further)
};
std::string_view to_string(InputEventKind k);

struct InputEvent {
  InputEventKind kind = InputEventKind::connected;
  double t = 0;
  std::string message;
};

struct InputStats {
  std::int64_t frames = 0;   // frames delivered
  std::int64_t dropped = 0;  // frames grabbed but skipped to keep up with real time
  std::int64_t open_failures = 0;
  std::int64_t losses = 0;
  std::int64_t faults = 0;
};

class VideoInput {
 public:
  // `start_t`: the time of a file's first frame in offline mode (files carry no absolute time).
  VideoInput(std::string camera, std::string source, StreamConfig config, const Clock& clock,
             std::unique_ptr<Capture> capture = nullptr, double start_t = 0);
  ~VideoInput();
  VideoInput(const VideoInput&) = delete;
  VideoInput& operator=(const VideoInput&) = delete;

  // Opens a file for offline reading; an error says why it cannot be read.
  static Result<std::unique_ptr<VideoInput>> open_file(const std::string& camera,
                                                       const std::string& path, double start_t,
                                                       const Clock& clock);

  // The next frame to analyse, or nothing: no frame is due yet, the source is down and waiting
  // to reconnect, or a file has ended. Events that happened are queued for take_events().
  std::optional<Frame> poll();
  std::vector<InputEvent> take_events();

  bool ended() const { return ended_; }
  bool connected() const { return connected_; }
  bool faulted() const { return faulted_; }
  // When poll() will next try to reconnect (Unix seconds); meaningful while disconnected.
  double next_attempt_t() const { return next_attempt_; }
  double fps() const { return fps_; }
  double frame_count() const { return frame_count_; }
  const InputStats& stats() const { return stats_; }
  const std::string& camera() const { return camera_; }
  const std::string& source() const { return source_; }

 private:
  enum class Mode : std::uint8_t { offline, paced_file, stream };
  void try_open(double now);
  void lose(double now, const std::string& why);
  void event(InputEventKind kind, double t, std::string message);
  double frame_time(double now);

  std::string camera_;
  std::string source_;
  StreamConfig config_;
  const Clock& clock_;
  std::unique_ptr<Capture> capture_;
  Mode mode_;
  double start_t_;

  bool connected_ = false;
  bool ended_ = false;
  bool faulted_ = false;
  bool ever_connected_ = false;
  double outage_start_ = 0;
  double next_attempt_ = 0;
  double backoff_ = 0;
  double fps_ = 0;
  double frame_count_ = 0;
  std::int64_t index_ = 0;
  std::int64_t opened_at_index_ = 0;
  double last_pts_ = 0;
  // Paced files: frame time = wall0 + pts. Streams: offset = now - pts, anchored by the
  // smallest offset of the last 30 s (a monotonic deque of (time, offset)).
  double wall0_ = 0;
  std::deque<std::pair<double, double>> offsets_;
  bool pending_ = false;  // a grabbed frame waiting to be due (paced files)
  double pending_t_ = 0;
  InputStats stats_;
  std::vector<InputEvent> events_;
};

// The status report a camera fault (or recovery) becomes for the tracker and rules: a
// Detection with status `fault` (or `heartbeat` when frames flow again).
std::optional<Detection> status_detection(const InputEvent& e, const std::string& camera);

}  // namespace picket::video

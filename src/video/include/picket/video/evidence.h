// Evidence for alarms: what a camera saw when an alarm was raised, kept so an operator (and a
// court) can see it later. For every alarm with this camera in view:
//   - a snapshot: the full-resolution frame nearest the alarm time, as JPEG;
//   - a crop: the target's region of that frame (its box, or where its ground position appears
//     through the camera model), with a margin, as JPEG;
//   - a clip: frames from `pre` seconds before to `post` seconds after the alarm, at `clip_fps`,
//     scaled to `clip_width`, as JPEGs.
//
// Memory is bounded per camera: frames are kept compressed in two ring buffers (clip frames at
// the clip rate and size; full-resolution snapshots every snapshot_interval), each holding only
// the last `pre` seconds and together at most `max_bytes`; the oldest go first. A request copies
// what it needs out of the rings and gathers the frames after the alarm as they come, so the
// evidence is complete `post` seconds after the alarm.
//
// The store persists Evidence through the EvidenceSink interface; DirectoryEvidenceSink writes
// files (snapshot.jpg, crop.jpg, clip/NNN.jpg, evidence.json) for offline use and tests.
//
// Thread-safety: an EvidenceRecorder belongs to its camera's thread; sinks say their own.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/camera.h"
#include "picket/core/result.h"
#include "picket/video/camera_config.h"

namespace picket::video {

struct EvidenceImage {
  double t = 0;  // capture time of the frame, Unix seconds
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> jpeg;
  bool empty() const { return jpeg.empty(); }
};

struct EvidenceRequest {
  std::string alarm_id;
  double t = 0;                   // alarm time
  std::optional<cv::Rect2d> box;  // the target in full-frame pixels, when known
  std::optional<Enu> position;    // else its position on the site (projected to find it)
  double target_height_m = 1.8;   // for the projected box
};

struct Evidence {
  std::string alarm_id;
  std::string camera;
  double alarm_t = 0;
  EvidenceImage snapshot;           // full frame nearest alarm_t
  EvidenceImage crop;               // empty when the target is not in the picture
  cv::Rect crop_rect;               // in snapshot pixels
  std::vector<EvidenceImage> clip;  // in time order
  double clip_fps = 0;
  bool complete = false;  // false when flushed before `post` seconds of frames arrived
};

// Where evidence goes to be kept. The store implements it; save() must not block the camera's
// thread for long (a store would queue the write).
class EvidenceSink {
 public:
  virtual ~EvidenceSink() = default;
  virtual Status save(const Evidence& e) = 0;
};

// Writes DIR/ALARM_ID/{snapshot.jpg, crop.jpg, clip/000.jpg ..., evidence.json}. Alarm ids are
// used as directory names, so characters other than letters, digits, '-', '_' and '.' are
// replaced by '_'.
class DirectoryEvidenceSink final : public EvidenceSink {
 public:
  explicit DirectoryEvidenceSink(std::string dir) : dir_(std::move(dir)) {}
  Status save(const Evidence& e) override;

 private:
  std::string dir_;
};

struct EvidenceStats {
  std::int64_t clip_frames_kept = 0;
  std::int64_t snapshots_kept = 0;
  std::int64_t evicted_for_memory = 0;  // frames dropped early to stay under max_bytes
  std::int64_t requests = 0;
  std::int64_t completed = 0;
  std::int64_t incomplete = 0;
  std::int64_t encode_failures = 0;
};

class EvidenceRecorder {
 public:
  // `camera_model` (optional) finds a target from its ground position; it must describe the
  // frames that will be added (their size).
  EvidenceRecorder(std::string camera, const EvidenceConfig& config,
                   std::optional<CameraModel> camera_model = std::nullopt);

  // Every frame the camera delivers, in time order.
  void add_frame(const cv::Mat& frame, double t);
  // An alarm wants evidence from this camera.
  void request(EvidenceRequest r);
  // Evidence whose clip is complete (frames have reached alarm time + post).
  std::vector<Evidence> take_ready();
  // Everything pending, finished with the frames there are (camera lost, shutting down).
  std::vector<Evidence> flush();

  // Bytes of compressed frames held (rings and pending requests share frames).
  std::size_t bytes() const { return *bytes_; }
  std::size_t pending() const { return pending_.size(); }
  const EvidenceStats& stats() const { return stats_; }

 private:
  using FramePtr = std::shared_ptr<const EvidenceImage>;
  struct Pending {
    EvidenceRequest request;
    std::vector<FramePtr> clip;
    FramePtr snapshot;  // the nearest so far
  };
  void evict(double newest_t);
  Evidence finish(Pending& p, bool complete);
  FramePtr encode(const cv::Mat& img, double t, bool scale);

  std::string camera_;
  EvidenceConfig config_;
  std::optional<CameraModel> model_;
  std::deque<FramePtr> clip_ring_;
  std::deque<FramePtr> snapshot_ring_;
  std::vector<Pending> pending_;
  std::vector<Evidence> ready_;
  double last_clip_t_ = -1e300;
  double last_snapshot_t_ = -1e300;
  double newest_t_ = -1e300;
  std::shared_ptr<std::size_t> bytes_ = std::make_shared<std::size_t>(0);
  cv::Mat scaled_;
  EvidenceStats stats_;
};

}  // namespace picket::video

// Video analytics for one camera: what moves and what is a person or a vehicle in each frame,
// and where it stands on the ground.
//
// Detectors (each optional, chosen by the camera's configuration):
//   - MotionDetector: background subtraction with OpenCV's MOG2, the adaptive Gaussian mixture
//     of Z. Zivkovic ("Improved adaptive Gaussian mixture model for background subtraction",
//     ICPR 2004; with F. van der Heijden, Pattern Recognition Letters 27(7), 2006), with its
//     shadow test (a pixel darker than the background by a factor in [tau, 1] with the same
//     colour is a shadow; Prati, Mikic, Trivedi and Cucchiara, PAMI 25(7), 2003), on a frame
//     scaled down to `process_width` (detection at low resolution is what keeps the cost per
//     camera low; Frigate does the same); then morphological opening (speckle) and closing (join
//     the parts of one body), masks of regions to ignore, and connected components.
//   - HogPeopleDetector: Dalal and Triggs' histogram-of-oriented-gradients people detector
//     (CVPR 2005) with OpenCV's built-in linear SVM (no download), on regions around moving
//     blobs or the whole frame.
//   - DnnDetector: a detector network in ONNX run by OpenCV's DNN module: SSD-style outputs
//     ([1, 1, N, 7]) and YOLO-style outputs (YOLOv5 rows cx, cy, w, h, objectness, class scores;
//     YOLOv8 the same without objectness, possibly transposed), letterboxed input, per-class
//     non-maximum suppression.
// CameraAnalytics runs them, places each detection's foot point on the ground (video/ground.h),
// drops what is masked or whose size in metres is implausible (ObjectSizeConfig), and tracks the
// boxes that remain in the image plane (imagetrack's ByteTrack or SORT), giving each detection
// its image track id.
//
// Thermal cameras take the same path with their own defaults (no shadow test, higher threshold,
// longer history; no HOG).
//
// Thread-safety: each object belongs to one thread (the camera's). OpenCV may use its own
// worker threads inside a call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/dnn/dnn.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/video/background_segm.hpp>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/result.h"
#include "picket/core/types.h"
#include "picket/imagetrack/tracker.h"
#include "picket/video/camera_config.h"
#include "picket/video/ground.h"

namespace picket::video {

// One thing found in one frame, in the frame's pixels.
struct ImageDetection {
  cv::Rect2d box;  // left, top, width, height
  TargetClass cls = TargetClass::unknown;
  double score = 0;      // 0..1, detector-specific
  std::string detector;  // "motion", "hog", "dnn"
};

// Intersection over union of two boxes.
double iou(const cv::Rect2d& a, const cv::Rect2d& b);

class MotionDetector {
 public:
  // `frame_size`: the full frame; `fps`: frames per second (turns the history into frames).
  MotionDetector(const MotionConfig& config, cv::Size frame_size, double fps,
                 const std::vector<std::vector<Eigen::Vector2d>>& masks);
  // Moving blobs of a frame taken at time t (s), boxes in full-frame pixels.
  std::vector<ImageDetection> detect(const cv::Mat& frame, double t);
  // The last foreground mask (255 foreground, 0 background) at the processing size.
  const cv::Mat& foreground() const { return fg_; }
  double scale() const { return scale_; }  // processing pixels per frame pixel
  std::int64_t global_changes() const { return global_changes_; }

 private:
  MotionConfig config_;
  cv::Size frame_size_;
  cv::Size size_;
  double scale_ = 1;
  cv::Ptr<cv::BackgroundSubtractorMOG2> mog2_;
  cv::Mat allowed_;  // 255 where detections are allowed (masks are 0)
  cv::Mat small_, fg_, work_;
  cv::Mat open_kernel_, close_kernel_;
  double first_t_ = -1;
  std::int64_t global_changes_ = 0;
};

class HogPeopleDetector {
 public:
  explicit HogPeopleDetector(const HogConfig& config);
  // People in the frame; in `regions` only (full-frame pixels) when not empty.
  std::vector<ImageDetection> detect(const cv::Mat& frame, const std::vector<cv::Rect>& regions);

 private:
  HogConfig config_;
  cv::HOGDescriptor hog_;
};

// How a network's input was made from the frame: scaled by `scale` and padded (letterbox).
struct Letterbox {
  double scale = 1;
  double pad_x = 0;
  double pad_y = 0;
};

class DnnDetector {
 public:
  // Loads the model; a file that is not a model OpenCV can read is a clear error.
  static Result<std::unique_ptr<DnnDetector>> load(const DnnConfig& config);
  ~DnnDetector();
  Result<std::vector<ImageDetection>> detect(const cv::Mat& frame);

  // Turns the network's outputs into detections in frame pixels (public for tests).
  static Result<std::vector<ImageDetection>> decode(const std::vector<cv::Mat>& outputs,
                                                    const DnnConfig& config,
                                                    const Letterbox& letterbox,
                                                    cv::Size frame_size);

 private:
  explicit DnnDetector(const DnnConfig& config);
  DnnConfig config_;
  cv::dnn::Net net_;
  std::vector<std::string> out_names_;
};

// The default mapping of the 80 COCO classes (0-based, as YOLO models number them) to ours.
std::map<int, TargetClass> coco_classes();

// A detection with its place on the ground.
struct CameraDetection {
  ImageDetection image;
  std::optional<GroundFix> ground;  // nothing when the foot point is not on the ground
  std::optional<ObjectSize> size;   // metres, when placed
  std::int64_t track_id = -1;       // image-plane track id, when a tracker assigned one
};

struct AnalyticsStats {
  std::int64_t frames = 0;
  std::int64_t motion_blobs = 0;
  std::int64_t hog_people = 0;
  std::int64_t dnn_objects = 0;
  std::int64_t masked = 0;           // dropped: foot point in a mask
  std::int64_t wrong_size = 0;       // dropped: size in metres out of range
  std::int64_t not_on_ground = 0;    // kept in the image but not placed
  std::int64_t global_changes = 0;   // frames ignored as a whole-scene change
  std::int64_t detector_errors = 0;  // DNN failures on a frame
  std::int64_t tracker_errors = 0;   // frames the image tracker refused (time going backwards)
};

class CameraAnalytics {
 public:
  // `frame_size`: the size of the frames that will come (the intrinsics are scaled to it when
  // it differs from the site file's image size with the same aspect ratio; otherwise an error).
  static Result<std::unique_ptr<CameraAnalytics>> create(const CameraConfig& config,
                                                         cv::Size frame_size, double fps);
  std::vector<CameraDetection> process(const cv::Mat& frame, double t);

  // A detection for the tracker: its ground position (east, north, up) with `sigma` the larger
  // axis of its covariance ellipse, class and score; the image track id as `id` when known.
  Detection to_detection(const CameraDetection& d, double t) const;

  const AnalyticsStats& stats() const { return stats_; }
  // The image-plane tracks reported for the last frame (confirmed and matched in it), with their
  // filtered boxes; empty when tracking is off.
  const std::vector<imagetrack::TrackedBox>& tracks() const { return tracks_; }
  const imagetrack::BoxTracker* tracker() const { return tracker_ ? &*tracker_ : nullptr; }
  const CameraModel& camera() const { return camera_; }
  const CameraConfig& config() const { return config_; }
  const MotionDetector* motion() const { return motion_.get(); }

 private:
  CameraAnalytics(const CameraConfig& config, const CameraModel& camera, cv::Size frame_size);
  bool masked(const Eigen::Vector2d& pixel) const;

  CameraConfig config_;
  CameraModel camera_;
  cv::Size frame_size_;
  Eigen::Matrix<double, kPoseParams, kPoseParams> pose_cov_;
  std::unique_ptr<MotionDetector> motion_;
  std::unique_ptr<HogPeopleDetector> hog_;
  std::unique_ptr<DnnDetector> dnn_;
  std::optional<imagetrack::BoxTracker> tracker_;
  std::vector<imagetrack::BoxDetection> boxes_;
  std::vector<imagetrack::TrackedBox> tracks_;
  double last_hog_t_ = -1e300;
  double last_dnn_t_ = -1e300;
  AnalyticsStats stats_;
};

}  // namespace picket::video

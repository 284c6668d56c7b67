// The `cameras:` section of a site file (docs/video.md): for each camera sensor (keyed by its
// sensor id) where its video comes from, its lens, an optional survey calibration, its ground,
// the analytics and their thresholds, masks, evidence capture and PTZ control.
//
// The sensor's own entry under `sensors:` gives its position, orientation, field of view and
// image size; this section adds what only cameras have. Parsing is strict: unknown keys are
// errors, and every error names file, line and field. Every camera sensor gets a CameraConfig,
// with defaults when the section does not mention it.
//
// Durations are seconds and sizes metres (never frame counts), so a setting means the same at
// any frame rate.
//
// Thread-safety: plain values.
#pragma once

#include <Eigen/Core>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/camera.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/video/calibration.h"
#include "picket/video/ground.h"

namespace picket::video {

enum class CameraKind : std::uint8_t { visible, thermal };
std::string_view to_string(CameraKind k);

// Reading a stream: timeouts, reconnection and real-time behaviour (video/source.h).
struct StreamConfig {
  double open_timeout_s = 10;      // give up opening a stream after this long
  double read_timeout_s = 5;       // a stream that sends nothing for this long is lost
  double reconnect_min_s = 1;      // first wait before reconnecting; doubles after each failure
  double reconnect_max_s = 30;     // ... up to this
  double fault_after_s = 30;       // an outage this long raises a camera fault
  double max_lag_s = 0.5;          // frames further than this behind real time are dropped
  std::string backend = "ffmpeg";  // ffmpeg, gstreamer or any (OpenCV chooses)
  bool realtime = false;           // a file source plays at its own rate, like a live camera
};

// Motion detection by background subtraction (video/analytics.h).
struct MotionConfig {
  bool enabled = true;
  double history_s = 20;        // how long the background model remembers
  double threshold = 16;        // MOG2 variance threshold (squared Mahalanobis distance)
  bool shadows = true;          // detect shadows and ignore them (visible cameras)
  double shadow_tau = 0.5;      // a darker pixel is a shadow when at least this fraction bright
  int process_width = 640;      // frames are resized to this width (pixels) for motion detection
  int min_blob_px = 40;         // blobs of fewer pixels (at process_width) are noise
  int open_px = 3;              // morphological opening kernel (pixels at process_width)
  int close_px = 9;             // morphological closing kernel, joins the parts of one object
  double warmup_s = 2;          // no detections while the background model forms
  double max_foreground = 0.5;  // a frame with more foreground than this fraction is a global
                                // change (lights, camera moved): no detections, model relearns
};

// Physical size limits for detected objects, through the calibration (metres).
struct ObjectSizeConfig {
  double min_height_m = 0.4;
  double max_height_m = 5;
  double min_width_m = 0.15;
  double max_width_m = 20;
};

// OpenCV's built-in HOG people detector (N. Dalal and B. Triggs, CVPR 2005).
struct HogConfig {
  bool enabled = false;
  double hit_threshold = 0.3;  // SVM margin a window needs
  double scale = 1.05;         // pyramid step
  double upscale = 1;          // enlarge frames first (people shorter than 128/upscale px)
  bool on_motion = true;       // search only near moving blobs (much cheaper)
  double min_interval_s = 0;   // run at most this often
};

// A detector network through OpenCV's DNN module (ONNX).
struct DnnConfig {
  std::string model;  // path; empty: no DNN detector
  int input_width = 640;
  int input_height = 640;
  double confidence = 0.5;
  double nms = 0.45;
  std::string layout = "auto";         // yolo (rows of cx, cy, w, h, [obj,] scores...),
                                       // ssd ([1, 1, N, 7]) or auto (by the output shape)
  std::map<int, TargetClass> classes;  // network class index -> our class; others ignored
  double min_interval_s = 0;
};

// Image-plane tracking of the detected boxes (imagetrack: ByteTrack or SORT). Camera detectors
// score differently from the networks ByteTrack's published thresholds were tuned for (a motion
// blob's score is how much of its box it fills, about 0.3-0.8; HOG's is logistic(margin)), so
// the camera defaults are lower; and classes are ignored in association because a person is
// often a motion blob in one frame and a HOG box in the next. At camera rates of 10 fps people
// move further between frames than at MOTChallenge's 25-30, and a motion blob's box differs
// from a HOG box of the same person, hence the lower IoU (x score) for a match: on vtest.avi it
// confirms 29 tracks in 30 s instead of 43 at ByteTrack's 0.2.
struct TrackingConfig {
  bool enabled = true;
  std::string method = "bytetrack";  // or sort
  double high_score = 0.5;
  double low_score = 0.1;
  double birth_score = 0.55;
  double match_iou = 0.1;
  double max_lost_s = 1.0;
};

// Standard deviations for ground projection (video/ground.h).
struct UncertaintyConfig {
  double pixel = 2;           // foot point, pixels
  double horizontal_m = 0.3;  // camera position
  double vertical_m = 0.3;
  double yaw_rad = 0.0087;    // 0.5 degrees
  double pitch_rad = 0.0052;  // 0.3 degrees
  double roll_rad = 0.0052;
  double ground_m = 0.3;  // ground height
};

// Evidence capture (video/evidence.h).
struct EvidenceConfig {
  double pre_s = 5;                   // clip seconds before the alarm
  double post_s = 5;                  // and after it
  double clip_fps = 5;                // frames per second kept for clips
  int clip_width = 640;               // clip frames are scaled to this width
  int quality = 80;                   // JPEG quality, 1..100
  double snapshot_interval_s = 0.5;   // full-resolution frames kept this often for snapshots
  std::size_t max_bytes = 64u << 20;  // ring buffer bound per camera
};

// PTZ control over ONVIF (video/ptz.h, video/onvif.h).
struct PtzConfig {
  std::string url;      // the PTZ service, http://host[:port]/onvif/ptz_service
  std::string profile;  // media profile token
  std::string username;
  std::string password;
  double pan_min_rad = -3.141592653589793;    // pan angles that the generic x = -1 and +1 mean,
  double pan_max_rad = 3.141592653589793;     // relative to the sensor's yaw
  double tilt_min_rad = -1.5707963267948966;  // tilt (elevation) for generic y = -1 and +1
  double tilt_max_rad = 0.5235987755982988;
  double hfov_wide_rad = 1.0471975511965976;   // horizontal field of view at zoom 0
  double hfov_tele_rad = 0.05235987755982988;  // and at zoom 1 (log of focal length is linear)
  double target_fraction = 0.4;  // wanted target height as a fraction of the image height
  double target_height_m = 1.8;  // assumed target height (metres) for zoom
  double lead_s = 0.5;           // aim where the track will be after this latency
  double min_interval_s = 1;     // between moves while following
  double deadband = 0.1;         // re-aim when the target drifts this fraction of the view off
                                 // centre, or the wanted zoom changes by this much
  double timeout_s = 2;          // per request
};

struct CameraConfig {
  std::string id;     // the sensor id
  std::string where;  // "site.yaml:80 cameras.cam-gate" for messages
  CameraKind kind = CameraKind::visible;
  std::string source;         // file path (resolved against the site file) or URL; may be empty
  double frame_rate_hz = 10;  // the sensor's update_rate; files use their own
  CameraIntrinsics intrinsics;
  CameraPose pose;                          // from the sensor entry, or the calibration
  std::optional<PoseSolution> calibration;  // when the pose was solved from survey points
  UncertaintyConfig uncertainty;
  GroundSurface ground;  // flat at `ground.height`; a caller with terrain sets the function
  StreamConfig stream;
  MotionConfig motion;
  ObjectSizeConfig objects;
  HogConfig hog;
  DnnConfig dnn;
  TrackingConfig tracking;
  std::vector<std::vector<Eigen::Vector2d>> masks;  // image polygons (pixels) to ignore
  EvidenceConfig evidence;
  std::optional<PtzConfig> ptz;
  double max_range_m = 1000;

  CameraModel model() const { return CameraModel(intrinsics, pose); }
  // The pose covariance from `uncertainty` (or the calibration's, when solved, plus the
  // position survey error).
  Eigen::Matrix<double, kPoseParams, kPoseParams> pose_covariance() const;
};

// The configuration of every camera sensor of the site. Errors list every problem.
Result<std::vector<CameraConfig>> parse_cameras(const Site& site);
// One camera's; an error when the site has no camera sensor with this id.
Result<CameraConfig> camera_config(const Site& site, std::string_view id);

}  // namespace picket::video

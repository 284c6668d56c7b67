#include "picket/video/analytics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "picket/core/geometry.h"

namespace picket::video {

double iou(const cv::Rect2d& a, const cv::Rect2d& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

namespace {

cv::Mat ellipse_kernel(int px) {
  if (px <= 1) return {};
  return cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(px, px));
}

double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// Greedy non-maximum suppression by IoU, highest score first, within one class.
std::vector<ImageDetection> suppress(std::vector<ImageDetection> dets, double threshold) {
  std::sort(dets.begin(), dets.end(),
            [](const auto& a, const auto& b) { return a.score > b.score; });
  std::vector<ImageDetection> kept;
  for (auto& d : dets) {
    bool overlaps = false;
    for (const auto& k : kept) {
      if (k.cls == d.cls && iou(k.box, d.box) > threshold) {
        overlaps = true;
        break;
      }
    }
    if (!overlaps) kept.push_back(std::move(d));
  }
  return kept;
}

}  // namespace

// --- MotionDetector -------------------------------------------------------------------------

MotionDetector::MotionDetector(const MotionConfig& config, cv::Size frame_size, double fps,
                               const std::vector<std::vector<Eigen::Vector2d>>& masks)
    : config_(config), frame_size_(frame_size) {
  scale_ = static_cast<double>(config.process_width) / frame_size.width;
  size_ = cv::Size(config.process_width,
                   std::max(1, static_cast<int>(std::lround(frame_size.height * scale_))));
  const int history = std::max(2, static_cast<int>(std::lround(config.history_s * fps)));
  mog2_ = cv::createBackgroundSubtractorMOG2(history, config.threshold, config.shadows);
  mog2_->setShadowThreshold(config.shadow_tau);
  allowed_ = cv::Mat(size_, CV_8U, cv::Scalar(255));
  for (const auto& poly : masks) {
    std::vector<cv::Point> pts;
    for (const auto& p : poly) {
      pts.emplace_back(static_cast<int>(std::lround(p.x() * scale_)),
                       static_cast<int>(std::lround(p.y() * scale_)));
    }
    cv::fillPoly(allowed_, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(0));
  }
  open_kernel_ = ellipse_kernel(config.open_px);
  close_kernel_ = ellipse_kernel(config.close_px);
}

std::vector<ImageDetection> MotionDetector::detect(const cv::Mat& frame, double t) {
  if (first_t_ < 0) first_t_ = t;
  // Grey at the processing size: the colour model costs three times as much and buys little
  // once the shadow test's brightness ratio is kept.
  if (frame.channels() == 3) {
    cv::resize(frame, work_, size_, 0, 0, cv::INTER_AREA);
    cv::cvtColor(work_, small_, cv::COLOR_BGR2GRAY);
  } else {
    cv::resize(frame, small_, size_, 0, 0,
               size_.width > frame.cols ? cv::INTER_LINEAR : cv::INTER_AREA);
  }
  mog2_->apply(small_, fg_);
  // 255 foreground, 127 shadow (dropped), 0 background.
  cv::threshold(fg_, fg_, 200, 255, cv::THRESH_BINARY);
  cv::bitwise_and(fg_, allowed_, fg_);
  if (!open_kernel_.empty()) cv::morphologyEx(fg_, fg_, cv::MORPH_OPEN, open_kernel_);
  if (!close_kernel_.empty()) cv::morphologyEx(fg_, fg_, cv::MORPH_CLOSE, close_kernel_);
  std::vector<ImageDetection> out;
  if (t - first_t_ < config_.warmup_s) return out;
  const double fraction = cv::countNonZero(fg_) / static_cast<double>(fg_.total());
  if (fraction > config_.max_foreground) {
    ++global_changes_;
    return out;
  }
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(fg_, labels, stats, centroids, 8, CV_32S);
  for (int i = 1; i < n; ++i) {
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (area < config_.min_blob_px) continue;
    ImageDetection d;
    d.box = cv::Rect2d(stats.at<int>(i, cv::CC_STAT_LEFT) / scale_,
                       stats.at<int>(i, cv::CC_STAT_TOP) / scale_,
                       stats.at<int>(i, cv::CC_STAT_WIDTH) / scale_,
                       stats.at<int>(i, cv::CC_STAT_HEIGHT) / scale_);
    d.box &= cv::Rect2d(0, 0, frame_size_.width, frame_size_.height);
    // How solid the blob is: its share of its box (a walking person fills about half).
    const double box_area = static_cast<double>(stats.at<int>(i, cv::CC_STAT_WIDTH)) *
                            stats.at<int>(i, cv::CC_STAT_HEIGHT);
    d.score = std::clamp(area / std::max(1.0, box_area), 0.0, 1.0);
    d.cls = TargetClass::unknown;
    d.detector = "motion";
    out.push_back(d);
  }
  return out;
}

// --- HogPeopleDetector ----------------------------------------------------------------------

HogPeopleDetector::HogPeopleDetector(const HogConfig& config) : config_(config) {
  hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
}

std::vector<ImageDetection> HogPeopleDetector::detect(const cv::Mat& frame,
                                                      const std::vector<cv::Rect>& regions) {
  const cv::Rect whole(0, 0, frame.cols, frame.rows);
  std::vector<cv::Rect> rois;
  if (regions.empty()) {
    rois.push_back(whole);
  } else {
    // Grow each region (people are taller than their moving parts, and HOG needs context),
    // give it at least the detector window's size, and merge overlapping regions so that no
    // pixel is searched twice.
    const int min_w = static_cast<int>(std::ceil(96 / config_.upscale));
    const int min_h = static_cast<int>(std::ceil(160 / config_.upscale));
    for (const auto& r : regions) {
      const int w = std::max(min_w, r.width + r.width / 2);
      const int h = std::max(min_h, r.height + r.height / 2);
      cv::Rect g(r.x + r.width / 2 - w / 2, r.y + r.height / 2 - h / 2, w, h);
      g &= whole;
      if (g.width > 0 && g.height > 0) rois.push_back(g);
    }
    for (bool merged = true; merged;) {
      merged = false;
      for (size_t i = 0; i < rois.size() && !merged; ++i) {
        for (size_t j = i + 1; j < rois.size(); ++j) {
          if ((rois[i] & rois[j]).area() > 0) {
            rois[i] |= rois[j];
            rois.erase(rois.begin() + static_cast<std::ptrdiff_t>(j));
            merged = true;
            break;
          }
        }
      }
    }
  }
  std::vector<ImageDetection> out;
  cv::Mat roi_img;
  for (const auto& r : rois) {
    const cv::Mat part = frame(r);
    if (config_.upscale != 1) {
      cv::resize(part, roi_img, cv::Size(), config_.upscale, config_.upscale, cv::INTER_LINEAR);
    } else {
      roi_img = part;
    }
    if (roi_img.cols < hog_.winSize.width || roi_img.rows < hog_.winSize.height) continue;
    std::vector<cv::Rect> found;
    std::vector<double> weights;
    hog_.detectMultiScale(roi_img, found, weights, config_.hit_threshold, cv::Size(8, 8),
                          cv::Size(8, 8), config_.scale, 2.0);
    for (size_t i = 0; i < found.size(); ++i) {
      // The default detector's boxes have a margin around the person: about 10% of the height
      // above and below and 20% of the width at each side (OpenCV's peopledetect sample trims
      // them the same way).
      const cv::Rect& f = found[i];
      cv::Rect2d b(f.x + 0.2 * f.width, f.y + 0.07 * f.height, 0.6 * f.width, 0.86 * f.height);
      b = cv::Rect2d(r.x + b.x / config_.upscale, r.y + b.y / config_.upscale,
                     b.width / config_.upscale, b.height / config_.upscale);
      ImageDetection d;
      d.box = b & cv::Rect2d(whole);
      d.cls = TargetClass::person;
      d.score = logistic(i < weights.size() ? weights[i] : 0.0);
      d.detector = "hog";
      out.push_back(d);
    }
  }
  return suppress(std::move(out), 0.4);
}

// --- DnnDetector ----------------------------------------------------------------------------

std::map<int, TargetClass> coco_classes() {
  using C = TargetClass;
  return {{0, C::person},  {1, C::vehicle}, {2, C::vehicle}, {3, C::vehicle}, {4, C::aircraft},
          {5, C::vehicle}, {6, C::vehicle}, {7, C::vehicle}, {8, C::vehicle}, {14, C::animal},
          {15, C::animal}, {16, C::animal}, {17, C::animal}, {18, C::animal}, {19, C::animal},
          {20, C::animal}, {21, C::animal}, {22, C::animal}, {23, C::animal}};
}

DnnDetector::DnnDetector(const DnnConfig& config) : config_(config) {
  if (config_.classes.empty()) config_.classes = coco_classes();
}

DnnDetector::~DnnDetector() = default;

Result<std::unique_ptr<DnnDetector>> DnnDetector::load(const DnnConfig& config) {
  std::ifstream probe(config.model, std::ios::binary);
  if (!probe) return Error{config.model, "cannot open the model file"};
  std::unique_ptr<DnnDetector> d(new DnnDetector(config));
  try {
    d->net_ = cv::dnn::readNetFromONNX(config.model);
  } catch (const cv::Exception& e) {
    // OpenCV's message names its own source line; keep only its description.
    std::string why = e.err.empty() ? e.what() : e.err;
    return Error{config.model,
                 fmt::format("not an ONNX model OpenCV's DNN module can load ({})", why)};
  }
  if (d->net_.empty()) return Error{config.model, "the ONNX model has no layers"};
  d->net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  d->net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  d->out_names_ = d->net_.getUnconnectedOutLayersNames();
  return d;
}

Result<std::vector<ImageDetection>> DnnDetector::detect(const cv::Mat& frame) {
  // Letterbox: scale to fit the input, keep the aspect ratio, pad with grey (114, as YOLO).
  Letterbox lb;
  lb.scale = std::min(static_cast<double>(config_.input_width) / frame.cols,
                      static_cast<double>(config_.input_height) / frame.rows);
  const int w = static_cast<int>(std::lround(frame.cols * lb.scale));
  const int h = static_cast<int>(std::lround(frame.rows * lb.scale));
  lb.pad_x = (config_.input_width - w) / 2.0;
  lb.pad_y = (config_.input_height - h) / 2.0;
  cv::Mat input(config_.input_height, config_.input_width, CV_8UC3, cv::Scalar(114, 114, 114));
  cv::Mat bgr;
  if (frame.channels() == 1) {
    cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
  } else {
    bgr = frame;
  }
  cv::resize(bgr, input(cv::Rect(static_cast<int>(lb.pad_x), static_cast<int>(lb.pad_y), w, h)),
             cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  std::vector<cv::Mat> outputs;
  try {
    const cv::Mat blob = cv::dnn::blobFromImage(input, 1.0 / 255.0, cv::Size(), cv::Scalar(),
                                                /*swapRB=*/true, /*crop=*/false);
    net_.setInput(blob);
    net_.forward(outputs, out_names_);
  } catch (const cv::Exception& e) {
    return Error{config_.model, fmt::format("the network failed on a frame: {}",
                                            e.err.empty() ? e.what() : e.err)};
  }
  return decode(outputs, config_, lb, frame.size());
}

Result<std::vector<ImageDetection>> DnnDetector::decode(const std::vector<cv::Mat>& outputs,
                                                        const DnnConfig& config_in,
                                                        const Letterbox& lb, cv::Size frame_size) {
  DnnConfig config = config_in;
  if (config.classes.empty()) config.classes = coco_classes();
  if (outputs.empty()) return Error{config.model, "the network has no output"};
  const cv::Mat& out = outputs.front();
  const cv::Rect2d frame_rect(0, 0, frame_size.width, frame_size.height);
  std::vector<ImageDetection> dets;
  auto add = [&](int cls_index, double score, double x0, double y0, double x1, double y1) {
    const auto it = config.classes.find(cls_index);
    if (it == config.classes.end() || score < config.confidence) return;
    // From network input pixels back to frame pixels.
    ImageDetection d;
    const double l = (x0 - lb.pad_x) / lb.scale, t = (y0 - lb.pad_y) / lb.scale;
    const double r = (x1 - lb.pad_x) / lb.scale, b = (y1 - lb.pad_y) / lb.scale;
    d.box = cv::Rect2d(l, t, r - l, b - t) & frame_rect;
    if (d.box.width <= 0 || d.box.height <= 0) return;
    d.cls = it->second;
    d.score = std::clamp(score, 0.0, 1.0);
    d.detector = "dnn";
    dets.push_back(d);
  };
  std::string layout = config.layout;
  if (out.type() != CV_32F) return Error{config.model, "the network's output is not float"};
  // YOLO outputs hold one row (or, in YOLOv8 exports, one column) of attributes per candidate.
  bool attributes_last = true;
  if (out.dims == 3 || out.dims == 2) {
    const int a = out.size[out.dims - 2], b = out.size[out.dims - 1];
    attributes_last = b <= a;  // there are far more candidates than attributes
    if (b == 84 || b == 85) attributes_last = true;
    if (a == 84 || a == 85) attributes_last = false;
  }
  if (layout == "auto") {
    if (out.dims == 4 && out.size[3] == 7) {
      layout = "ssd";
    } else if (out.dims == 3 || out.dims == 2) {
      const int a = out.size[out.dims - 2], b = out.size[out.dims - 1];
      const int attributes = attributes_last ? b : a;
      const int classes = config.classes.rbegin()->first + 1;
      if (attributes == 85 || attributes == classes + 5) {
        layout = "yolov5";
      } else if (attributes == 84 || attributes == classes + 4) {
        layout = "yolov8";
      } else {
        return Error{config.model,
                     fmt::format("cannot tell the output layout from its shape ({} x {}); set "
                                 "dnn.layout to yolov5, yolov8 or ssd",
                                 a, b)};
      }
    } else {
      return Error{config.model, fmt::format("unexpected output with {} dimensions; set "
                                             "dnn.layout",
                                             out.dims)};
    }
  }
  if (layout == "ssd") {
    // [1, 1, N, 7]: image id, class, confidence, x0, y0, x1, y1 in input fractions.
    if (out.dims != 4 || out.size[3] != 7) {
      return Error{config.model, "an ssd layout needs an output of shape [1, 1, N, 7]"};
    }
    const cv::Mat rows(out.size[2], 7, CV_32F, const_cast<float*>(out.ptr<float>()));
    for (int i = 0; i < rows.rows; ++i) {
      const float* p = rows.ptr<float>(i);
      add(static_cast<int>(p[1]), p[2], p[3] * config.input_width, p[4] * config.input_height,
          p[5] * config.input_width, p[6] * config.input_height);
    }
  } else {
    const bool objectness = layout == "yolov5";
    if (out.dims < 2 || out.dims > 3 || (out.dims == 3 && out.size[0] != 1)) {
      return Error{config.model, "a yolo layout needs an output of shape [1, N, K] or [1, K, N]"};
    }
    const int a = out.size[out.dims - 2], b = out.size[out.dims - 1];
    cv::Mat m(a, b, CV_32F, const_cast<float*>(out.ptr<float>()));
    cv::Mat rows = attributes_last ? m : m.t();  // YOLOv8 exports [1, 84, 8400]
    const int first_score = objectness ? 5 : 4;
    if (rows.cols <= first_score) {
      return Error{config.model, "the output rows are too short for boxes and class scores"};
    }
    std::vector<ImageDetection> all;
    for (int i = 0; i < rows.rows; ++i) {
      const float* p = rows.ptr<float>(i);
      const double obj = objectness ? p[4] : 1.0;
      if (obj < config.confidence) continue;
      int best = -1;
      double best_score = 0;
      for (int c = first_score; c < rows.cols; ++c) {
        if (p[c] > best_score) {
          best_score = p[c];
          best = c - first_score;
        }
      }
      const double cx = p[0], cy = p[1], w = p[2], h = p[3];
      add(best, obj * best_score, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    }
  }
  return suppress(std::move(dets), config.nms);
}

// --- CameraAnalytics ------------------------------------------------------------------------

CameraAnalytics::CameraAnalytics(const CameraConfig& config, const CameraModel& camera,
                                 cv::Size frame_size)
    : config_(config),
      camera_(camera),
      frame_size_(frame_size),
      pose_cov_(config.pose_covariance()) {}

Result<std::unique_ptr<CameraAnalytics>> CameraAnalytics::create(const CameraConfig& config,
                                                                 cv::Size frame_size, double fps) {
  if (frame_size.width <= 0 || frame_size.height <= 0) {
    return Error{config.where, "the video has no frame size"};
  }
  CameraIntrinsics k = config.intrinsics;
  if (frame_size.width != k.width || frame_size.height != k.height) {
    const double sx = static_cast<double>(frame_size.width) / k.width;
    const double sy = static_cast<double>(frame_size.height) / k.height;
    if (std::abs(sx - sy) > 0.01 * sx) {
      return Error{config.where,
                   fmt::format("the video's frames are {}x{} but the site file says the camera's "
                               "image is {}x{} (a different shape); fix sensors.{}.image",
                               frame_size.width, frame_size.height, k.width, k.height, config.id)};
    }
    k.width = frame_size.width;
    k.height = frame_size.height;
    k.fx *= sx;
    k.fy *= sy;
    k.cx = (k.cx + 0.5) * sx - 0.5;
    k.cy = (k.cy + 0.5) * sy - 0.5;
  }
  std::unique_ptr<CameraAnalytics> a(
      new CameraAnalytics(config, CameraModel(k, config.pose), frame_size));
  if (fps <= 0) fps = config.frame_rate_hz;
  if (config.motion.enabled) {
    // Masks are in the site file's image pixels; scale them to the frames.
    auto masks = config.masks;
    const double s = static_cast<double>(frame_size.width) / config.intrinsics.width;
    for (auto& poly : masks)
      for (auto& p : poly)
        p *= s;
    a->motion_ = std::make_unique<MotionDetector>(config.motion, frame_size, fps, masks);
  }
  if (config.hog.enabled) a->hog_ = std::make_unique<HogPeopleDetector>(config.hog);
  if (config.tracking.enabled) {
    const auto& tc = config.tracking;
    auto p = tc.method == "sort" ? imagetrack::BoxTrackerParams::sort(fps)
                                 : imagetrack::BoxTrackerParams::bytetrack(fps);
    if (tc.method != "sort") {
      p.high_score = tc.high_score;
      p.low_score = tc.low_score;
      p.birth_score = tc.birth_score;
    }
    p.match_iou = tc.match_iou;
    p.max_lost_s = tc.max_lost_s;
    p.class_aware = false;
    auto tracker = imagetrack::BoxTracker::create(p);
    if (!tracker) {
      return Error{config.where + ".tracking", tracker.error().message()};
    }
    a->tracker_.emplace(std::move(*tracker));
  }
  if (!config.dnn.model.empty()) {
    auto dnn = DnnDetector::load(config.dnn);
    if (!dnn) {
      return Error{config.where + ".dnn.model", dnn.error().message()};
    }
    a->dnn_ = std::move(*dnn);
  }
  return a;
}

bool CameraAnalytics::masked(const Eigen::Vector2d& pixel) const {
  const double s = static_cast<double>(frame_size_.width) / config_.intrinsics.width;
  for (const auto& poly : config_.masks) {
    std::vector<Vec2> pts;
    for (const auto& p : poly)
      pts.emplace_back(p * s);
    if (Polygon(std::move(pts)).contains(Vec2(pixel.x(), pixel.y()))) return true;
  }
  return false;
}

std::vector<CameraDetection> CameraAnalytics::process(const cv::Mat& frame, double t) {
  ++stats_.frames;
  std::vector<ImageDetection> motion, people, objects;
  if (motion_) {
    const auto before = motion_->global_changes();
    motion = motion_->detect(frame, t);
    stats_.global_changes += motion_->global_changes() - before;
    stats_.motion_blobs += static_cast<std::int64_t>(motion.size());
  }
  if (hog_ && t - last_hog_t_ >= config_.hog.min_interval_s) {
    last_hog_t_ = t;
    std::vector<cv::Rect> regions;
    for (const auto& m : motion)
      regions.emplace_back(m.box);
    // A person who stops walking fades into MOG2's background within seconds (a new Gaussian
    // becomes background once its weight passes 1 - TB), and a loiterer is exactly what must
    // stay in view: also search where the image tracks matched in the previous frame, so HOG
    // keeps a person it (or motion) found for as long as it still sees them.
    for (const auto& tb : tracks_) {
      const auto& b = tb.box;
      if (!(std::abs(b.x) <= frame.cols && std::abs(b.y) <= frame.rows && b.w >= 1 && b.h >= 1 &&
            b.w <= frame.cols && b.h <= frame.rows)) {
        continue;
      }
      regions.emplace_back(static_cast<int>(std::lround(b.x)), static_cast<int>(std::lround(b.y)),
                           static_cast<int>(std::lround(b.w)), static_cast<int>(std::lround(b.h)));
    }
    // With motion gating, no motion (and no track) means nothing to search.
    if (!config_.hog.on_motion || !motion_) {
      people = hog_->detect(frame, {});
    } else if (!regions.empty()) {
      people = hog_->detect(frame, regions);
    }
    stats_.hog_people += static_cast<std::int64_t>(people.size());
  }
  if (dnn_ && t - last_dnn_t_ >= config_.dnn.min_interval_s) {
    last_dnn_t_ = t;
    auto found = dnn_->detect(frame);
    if (found) {
      objects = std::move(*found);
      stats_.dnn_objects += static_cast<std::int64_t>(objects.size());
    } else {
      ++stats_.detector_errors;
    }
  }
  // Classified boxes first; a motion blob that a classified box explains (overlaps it by half
  // of the blob or more) adds nothing.
  std::vector<ImageDetection> all = objects;
  for (auto& p : people) {
    bool dup = false;
    for (const auto& o : objects)
      dup = dup || (o.cls == p.cls && iou(o.box, p.box) > 0.5);
    if (!dup) all.push_back(p);
  }
  const size_t classified = all.size();
  for (auto& m : motion) {
    bool explained = false;
    for (size_t i = 0; i < classified && !explained; ++i) {
      explained = (all[i].box & m.box).area() >= 0.5 * m.box.area();
    }
    if (!explained) all.push_back(m);
  }

  std::vector<CameraDetection> out;
  const double sigma = config_.uncertainty.pixel;
  for (auto& d : all) {
    CameraDetection cd;
    cd.image = d;
    const Eigen::Vector2d foot(d.box.x + d.box.width / 2, d.box.y + d.box.height);
    if (masked(foot)) {
      ++stats_.masked;
      continue;
    }
    // A box cut off by the bottom edge of the image does not show its foot point.
    const bool foot_visible = d.box.y + d.box.height < frame_size_.height - 2;
    if (foot_visible) {
      // The foot point's noise: the configured pixel sigma, or 5% of the box where that is
      // larger (box edges jitter in proportion to the object's size).
      const double su = std::max(sigma, 0.05 * d.box.width);
      const double sv = std::max(sigma, 0.05 * d.box.height);
      const Eigen::Matrix2d pixel_cov = Eigen::Vector2d(su * su, sv * sv).asDiagonal();
      auto fix = project_to_ground(camera_, foot, pixel_cov, pose_cov_, config_.ground);
      if (fix) {
        cd.ground = *fix;
        cd.size = object_size(camera_, Eigen::Vector4d(d.box.x, d.box.y, d.box.width, d.box.height),
                              fix->point);
      }
    }
    if (cd.size) {
      const auto& o = config_.objects;
      if (cd.size->height_m < o.min_height_m || cd.size->height_m > o.max_height_m ||
          cd.size->width_m < o.min_width_m || cd.size->width_m > o.max_width_m) {
        ++stats_.wrong_size;
        continue;
      }
    }
    if (!cd.ground) ++stats_.not_on_ground;
    out.push_back(std::move(cd));
  }
  if (tracker_) {
    boxes_.clear();
    for (const auto& d : out) {
      const auto& b = d.image.box;
      boxes_.push_back(
          {{b.x, b.y, b.width, b.height}, d.image.score, static_cast<int>(d.image.cls)});
    }
    tracks_.clear();
    auto reported = tracker_->update(t, boxes_);
    if (!reported) {
      ++stats_.tracker_errors;
    } else {
      for (const auto& tb : *reported) {
        tracks_.push_back(tb);
        if (tb.detection >= 0 && tb.detection < static_cast<int>(out.size())) {
          out[static_cast<size_t>(tb.detection)].track_id = static_cast<std::int64_t>(tb.id);
        }
      }
    }
  }
  return out;
}

Detection CameraAnalytics::to_detection(const CameraDetection& d, double t) const {
  Detection det;
  det.t = t;
  det.sensor = config_.id;
  if (d.ground) {
    det.measurement = EnuMeasurement{d.ground->point.x(), d.ground->point.y(), d.ground->point.z()};
    det.sigma = d.ground->sigma_max();
  }
  det.cls = d.image.cls;
  det.score = d.image.score;
  if (d.track_id >= 0) det.sensor_track = std::to_string(d.track_id);
  return det;
}

}  // namespace picket::video

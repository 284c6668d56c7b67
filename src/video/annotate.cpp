#include "picket/video/annotate.h"

#include <fmt/format.h>

#include <opencv2/imgproc.hpp>

#include "picket/core/time.h"

namespace picket::video {

namespace {

cv::Scalar colour_of(TargetClass c) {
  switch (c) {
    case TargetClass::person:
      return {40, 220, 40};
    case TargetClass::vehicle:
      return {40, 160, 255};
    case TargetClass::animal:
      return {220, 160, 40};
    case TargetClass::aircraft:
    case TargetClass::drone:
      return {220, 40, 220};
    case TargetClass::unknown:
      return {0, 220, 255};
  }
  return {255, 255, 255};
}

void label(cv::Mat& img, const std::string& text, cv::Point at, const cv::Scalar& colour) {
  int base = 0;
  const double scale = std::max(0.35, img.cols / 2000.0);
  const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &base);
  at.x = std::clamp(at.x, 0, std::max(0, img.cols - size.width));
  at.y = std::clamp(at.y, size.height + 2, img.rows - base - 1);
  cv::rectangle(img, cv::Rect(at.x, at.y - size.height - 2, size.width, size.height + base + 2),
                cv::Scalar(0, 0, 0), cv::FILLED);
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv::LINE_AA);
}

}  // namespace

void draw_detections(cv::Mat& frame, const std::vector<CameraDetection>& detections,
                     const std::vector<std::vector<Eigen::Vector2d>>& masks, double mask_scale,
                     double t) {
  if (frame.channels() == 1) cv::cvtColor(frame, frame, cv::COLOR_GRAY2BGR);
  if (!masks.empty()) {
    cv::Mat shade = frame.clone();
    for (const auto& poly : masks) {
      std::vector<cv::Point> pts;
      for (const auto& p : poly)
        pts.emplace_back(static_cast<int>(p.x() * mask_scale),
                         static_cast<int>(p.y() * mask_scale));
      cv::fillPoly(shade, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(60, 60, 60));
    }
    cv::addWeighted(shade, 0.5, frame, 0.5, 0, frame);
  }
  const int thick = std::max(1, frame.cols / 640);
  for (const auto& d : detections) {
    const cv::Scalar c = colour_of(d.image.cls);
    const cv::Rect box(d.image.box);
    cv::rectangle(frame, box, c, d.image.detector == "motion" ? 1 : thick + 1);
    std::string top = d.track_id >= 0 ? fmt::format("#{} ", d.track_id) : std::string();
    top += fmt::format("{} {:.2f}", to_string(d.image.cls), d.image.score);
    label(frame, top, cv::Point(box.x, box.y - 3), c);
    if (d.ground) {
      label(frame,
            fmt::format("E{:.1f} N{:.1f} +-{:.1f}m", d.ground->point.x(), d.ground->point.y(),
                        d.ground->sigma_max()),
            cv::Point(box.x, box.y + box.height + 14), c);
      cv::circle(frame, cv::Point(box.x + box.width / 2, box.y + box.height), 3, c, cv::FILLED);
    }
  }
  label(frame, format_iso8601(t), cv::Point(4, frame.rows - 6), cv::Scalar(255, 255, 255));
}

}  // namespace picket::video

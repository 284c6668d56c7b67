// Radiometric thermal arrays: small sensors (such as Melexis' MLX90641, 16x12 pixels) that report
// a temperature per pixel rather than an image. They enter the video path as a Capture whose
// frames are 8-bit grey images on a fixed temperature scale, so the same background subtraction
// finds warm bodies with the thermal thresholds of MotionConfig.
//
// The fixed scale keeps the background model meaningful from frame to frame (an automatic
// per-frame gain would make the whole scene "move" whenever a warm body enters):
//   grey = clamp((T_celsius - kThermalBaseC) / kThermalStepC, 0, 255),
// i.e. 0.2 degrees C per grey level from -10 to 41 degrees C.
//
// Recording format read here ("thermal-bincode:PATH" sources): the Rust bincode serialisation of
// r-u-still-there's measurements (github.com/paxswill/r-u-still-there), repeated frames of
//   u32 width, u32 height, u64 count (= width * height),
//   count x f32 temperatures (row-major),
//   u32 unit (0 Celsius, 1 Fahrenheit), f32 sensor temperature,
//   u64 seconds + u32 nanoseconds: the delay since the previous frame,
// all little-endian. A frame whose header does not fit is an error naming its byte offset.
//
// Thread-safety: a capture belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "picket/core/result.h"
#include "picket/video/source.h"

namespace picket::video {

inline constexpr double kThermalBaseC = -10.0;
inline constexpr double kThermalStepC = 0.2;
inline constexpr std::string_view kThermalScheme = "thermal-bincode:";

// One frame of a thermal array: temperatures in degrees Celsius (CV_32F) and its delay after
// the previous frame.
struct ThermalFrame {
  cv::Mat celsius;
  double delay_s = 0;
  double sensor_c = 0;
};

// Reads thermal-array recordings frame by frame.
class ThermalRecording {
 public:
  static Result<ThermalRecording> open(const std::string& path);
  // The next frame; nothing at the end; an Error naming the byte offset of a damaged frame.
  Result<std::optional<ThermalFrame>> next();
  std::uint64_t offset() const { return offset_; }
  std::uint64_t size() const { return size_; }
  std::int64_t frame_count_estimate() const { return frame_bytes_ ? size_ / frame_bytes_ : 0; }

 private:
  std::shared_ptr<std::FILE> file_;
  std::string path_;
  std::uint64_t offset_ = 0;
  std::uint64_t size_ = 0;
  std::uint64_t frame_bytes_ = 0;
};

// Temperatures to 8-bit grey on the fixed scale above.
cv::Mat thermal_to_grey(const cv::Mat& celsius);

// A Capture for "thermal-bincode:PATH" sources.
std::unique_ptr<Capture> make_thermal_capture();

// The Capture a source needs: thermal recordings by their scheme, everything else OpenCV.
std::unique_ptr<Capture> make_capture(const std::string& source);

}  // namespace picket::video

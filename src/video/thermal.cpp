#include "picket/video/thermal.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>

namespace picket::video {

namespace {

constexpr std::uint64_t kMaxPixels = 1 << 20;

template <class T>
T read_le(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // x86-64 and ARM64 are little-endian like the format
  return v;
}

}  // namespace

Result<ThermalRecording> ThermalRecording::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error{path, "cannot open the thermal recording"};
  ThermalRecording r;
  r.file_ = std::shared_ptr<std::FILE>(f, [](std::FILE* p) { std::fclose(p); });
  r.path_ = path;
  if (std::fseek(f, 0, SEEK_END) == 0) {
    const long end = std::ftell(f);
    r.size_ = end > 0 ? static_cast<std::uint64_t>(end) : 0;
    std::fseek(f, 0, SEEK_SET);
  }
  return r;
}

Result<std::optional<ThermalFrame>> ThermalRecording::next() {
  unsigned char head[16];
  const size_t got = std::fread(head, 1, sizeof head, file_.get());
  if (got == 0 && std::feof(file_.get())) return std::optional<ThermalFrame>();
  const auto where = fmt::format("{}: byte {}", path_, offset_);
  if (got != sizeof head) return Error{where, "the last frame is cut short"};
  const auto width = read_le<std::uint32_t>(head);
  const auto height = read_le<std::uint32_t>(head + 4);
  const auto count = read_le<std::uint64_t>(head + 8);
  if (width == 0 || height == 0 || count != std::uint64_t{width} * height || count > kMaxPixels) {
    return Error{where, fmt::format("not a thermal frame header (width {}, height {}, {} values)",
                                    width, height, count)};
  }
  std::vector<unsigned char> body(count * 4 + 20);
  if (std::fread(body.data(), 1, body.size(), file_.get()) != body.size()) {
    return Error{where, "the last frame is cut short"};
  }
  ThermalFrame fr;
  fr.celsius = cv::Mat(static_cast<int>(height), static_cast<int>(width), CV_32F);
  const auto unit = read_le<std::uint32_t>(body.data() + count * 4);
  if (unit > 1) return Error{where, fmt::format("unknown temperature unit {}", unit)};
  for (std::uint64_t i = 0; i < count; ++i) {
    float t = read_le<float>(body.data() + 4 * i);
    if (!std::isfinite(t)) t = static_cast<float>(kThermalBaseC);
    if (unit == 1) t = (t - 32.0f) * 5.0f / 9.0f;
    fr.celsius.at<float>(static_cast<int>(i / width), static_cast<int>(i % width)) = t;
  }
  fr.sensor_c = read_le<float>(body.data() + count * 4 + 4);
  const auto secs = read_le<std::uint64_t>(body.data() + count * 4 + 8);
  const auto nanos = read_le<std::uint32_t>(body.data() + count * 4 + 16);
  fr.delay_s = static_cast<double>(secs) + nanos * 1e-9;
  frame_bytes_ = sizeof head + body.size();
  offset_ += frame_bytes_;
  return std::optional<ThermalFrame>(std::move(fr));
}

cv::Mat thermal_to_grey(const cv::Mat& celsius) {
  cv::Mat grey;
  celsius.convertTo(grey, CV_8U, 1.0 / kThermalStepC, -kThermalBaseC / kThermalStepC);
  return grey;  // convertTo saturates to 0..255
}

namespace {

class ThermalCapture final : public Capture {
 public:
  Status open(const std::string& url, const StreamConfig&) override {
    std::string path = url;
    if (path.rfind(kThermalScheme, 0) == 0) path = path.substr(kThermalScheme.size());
    auto r = ThermalRecording::open(path);
    if (!r) return r.error();
    rec_ = std::move(*r);
    // Read the first frame to know the recording is one.
    auto first = rec_->next();
    if (!first) return first.error();
    if (!*first) return Error{path, "the thermal recording is empty"};
    pending_ = std::move(**first);
    have_pending_ = true;
    t_ = 0;
    grabs_ = 0;
    return Ok{};
  }
  bool grab() override {
    if (!rec_) return false;
    if (have_pending_) {
      current_ = std::move(pending_);
      have_pending_ = false;
    } else {
      auto f = rec_->next();
      if (!f || !*f) {
        error_ = f ? std::string() : f.error().message();
        return false;
      }
      current_ = std::move(**f);
    }
    t_ += grabs_++ == 0 ? 0.0 : current_.delay_s;
    return true;
  }
  bool retrieve(cv::Mat& image) override {
    if (current_.celsius.empty()) return false;
    image = thermal_to_grey(current_.celsius);
    return true;
  }
  double position_s() override { return t_; }
  double fps() override { return 0; }  // unknown: frames carry their own delays
  double frame_count() override {
    return rec_ ? static_cast<double>(rec_->frame_count_estimate()) : 0;
  }
  void close() override { rec_.reset(); }

 private:
  std::optional<ThermalRecording> rec_;
  ThermalFrame pending_, current_;
  bool have_pending_ = false;
  double t_ = 0;
  std::int64_t grabs_ = 0;
  std::string error_;
};

}  // namespace

std::unique_ptr<Capture> make_thermal_capture() {
  return std::make_unique<ThermalCapture>();
}

std::unique_ptr<Capture> make_capture(const std::string& source) {
  if (source.rfind(kThermalScheme, 0) == 0) return make_thermal_capture();
  return make_opencv_capture();
}

}  // namespace picket::video

// A progress bar on standard error for long commands. Silent when standard error is not a
// terminal (logs and CI stay clean) unless forced. Redraws at most ten times a second.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace picket::app {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label, bool force = false);
  ~ProgressBar();
  // fraction in [0, 1]; `detail` is shown after the bar ("12,345 detections").
  void update(double fraction, const std::string& detail = "");
  void finish(const std::string& detail = "");

 private:
  void draw(double fraction, const std::string& detail);
  std::string label_;
  bool enabled_;
  bool done_ = false;
  std::chrono::steady_clock::time_point last_{};
  std::chrono::steady_clock::time_point start_;
};

}  // namespace picket::app

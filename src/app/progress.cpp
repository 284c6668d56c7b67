#include "progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace picket::app {

ProgressBar::ProgressBar(std::string label, bool force)
    : label_(std::move(label)),
      enabled_(force || ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (enabled_ && !done_) std::fputc('\n', stderr);
}

void ProgressBar::update(double fraction, const std::string& detail) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  draw(fraction, detail);
}

void ProgressBar::finish(const std::string& detail) {
  if (!enabled_ || done_) return;
  draw(1.0, detail);
  std::fputc('\n', stderr);
  done_ = true;
}

void ProgressBar::draw(double fraction, const std::string& detail) {
  constexpr int kWidth = 30;
  fraction = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r%s [%s] %3d%% %s (%.1f s)\033[K", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100), detail.c_str(), elapsed);
  std::fflush(stderr);
}

}  // namespace picket::app

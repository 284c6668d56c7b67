#include "picket/imagetrack/box.h"

#include <algorithm>
#include <cmath>

namespace picket::imagetrack {

double iou(const Box& a, const Box& b) {
  const double iw = std::min(a.right(), b.right()) - std::max(a.x, b.x);
  const double ih = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
  if (iw <= 0 || ih <= 0) return 0;
  const double inter = iw * ih;
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0;
}

bool valid_box(const Box& b) {
  return std::isfinite(b.x) && std::isfinite(b.y) && std::isfinite(b.w) && std::isfinite(b.h) &&
         b.w > 0 && b.h > 0 && std::isfinite(b.right()) && std::isfinite(b.bottom()) &&
         std::isfinite(b.area());
}

namespace {
// Index of the cell holding coordinate v along one axis, clamped to [-1, n] before conversion
// so that far-away values cannot overflow.
int cell_index(double v, double origin, double cell, int n) {
  const double k = std::floor((v - origin) / cell);
  if (!(k >= 0)) return -1;  // also NaN
  if (k >= n) return n;
  return static_cast<int>(k);
}
constexpr int kMaxCellsPerBox = 64;
}  // namespace

void BoxGrid::cell_range(const Box& b, int& x0, int& x1, int& y0, int& y1) const {
  x0 = std::max(0, cell_index(b.x, x0_, cell_, nx_));
  x1 = std::min(nx_ - 1, cell_index(b.right(), x0_, cell_, nx_));
  y0 = std::max(0, cell_index(b.y, y0_, cell_, ny_));
  y1 = std::min(ny_ - 1, cell_index(b.bottom(), y0_, cell_, ny_));
  if (b.right() < x0_ || b.bottom() < y0_) x1 = -1;  // entirely before the grid
}

void BoxGrid::build(std::span<const Box> boxes) {
  boxes_ = boxes;
  entries_.clear();
  oversize_.clear();
  cell_start_.clear();
  nx_ = ny_ = 0;
  const size_t n = boxes.size();
  if (stamp_.size() < n) stamp_.resize(n, 0u);
  if (n == 0) return;
  double minx = boxes[0].x, miny = boxes[0].y, maxx = boxes[0].right(), maxy = boxes[0].bottom();
  auto& sizes = sizes_;
  sizes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Box& b = boxes[i];
    minx = std::min(minx, b.x);
    miny = std::min(miny, b.y);
    maxx = std::max(maxx, b.right());
    maxy = std::max(maxy, b.bottom());
    sizes[i] = std::max(b.w, b.h);
  }
  std::nth_element(sizes.begin(), sizes.begin() + static_cast<long>(n / 2), sizes.end());
  double cell = std::max(sizes[n / 2], 1e-9);
  // At most about 4 cells per box: a few far-away boxes must not make the grid huge.
  const double limit = 4.0 * static_cast<double>(n) + 64.0;
  double dnx = 1, dny = 1;
  for (int iter = 0; iter < 64; ++iter) {
    dnx = std::max(1.0, std::ceil((maxx - minx) / cell));
    dny = std::max(1.0, std::ceil((maxy - miny) / cell));
    if (dnx * dny <= limit) break;
    cell *= std::sqrt(dnx * dny / limit) * 1.01;
  }
  x0_ = minx;
  y0_ = miny;
  cell_ = cell;
  nx_ = static_cast<int>(std::min(dnx, limit));
  ny_ = static_cast<int>(std::min(dny, limit));
  const size_t ncell = static_cast<size_t>(nx_) * static_cast<size_t>(ny_);
  cell_start_.assign(ncell + 1, 0);
  auto& range = range_;
  range.resize(4 * n);
  for (size_t i = 0; i < n; ++i) {
    int* r = &range[4 * i];
    cell_range(boxes[i], r[0], r[1], r[2], r[3]);
    const long covered = static_cast<long>(r[1] - r[0] + 1) * static_cast<long>(r[3] - r[2] + 1);
    if (covered > kMaxCellsPerBox) {
      oversize_.push_back(static_cast<int>(i));
      r[1] = r[0] - 1;  // not in the cells
      continue;
    }
    for (int gy = r[2]; gy <= r[3]; ++gy)
      for (int gx = r[0]; gx <= r[1]; ++gx)
        ++cell_start_[static_cast<size_t>(gy) * static_cast<size_t>(nx_) + static_cast<size_t>(gx) +
                      1];
  }
  for (size_t c = 0; c < ncell; ++c)
    cell_start_[c + 1] += cell_start_[c];
  entries_.resize(static_cast<size_t>(cell_start_[ncell]));
  auto& fill = fill_;
  fill.assign(cell_start_.begin(), cell_start_.end() - 1);
  for (size_t i = 0; i < n; ++i) {
    const int* r = &range[4 * i];
    for (int gy = r[2]; gy <= r[3]; ++gy)
      for (int gx = r[0]; gx <= r[1]; ++gx)
        entries_[static_cast<size_t>(
            fill[static_cast<size_t>(gy) * static_cast<size_t>(nx_) + static_cast<size_t>(gx)]++)] =
            static_cast<int>(i);
  }
}

}  // namespace picket::imagetrack

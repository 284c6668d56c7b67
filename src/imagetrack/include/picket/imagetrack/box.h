// Boxes in image coordinates (pixels, x to the right, y down), and the spatial grid that finds
// which boxes of two sets overlap without comparing every pair.
//
// BoxGrid is a uniform grid over one set of boxes (cell size about the median box size, the
// cell count bounded by a small multiple of the box count), so finding the overlapping pairs of
// n tracks and m detections costs about O(n + m + pairs) instead of O(n m) in time and memory:
// a frame with thousands of boxes stays fast and small.
//
// Thread-safety: functions are pure; a BoxGrid belongs to one thread (it keeps scratch memory
// between calls so a tracker allocates little per frame).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace picket::imagetrack {

struct Box {
  double x = 0;  // left, pixels
  double y = 0;  // top, pixels
  double w = 0;  // width, pixels
  double h = 0;  // height, pixels
  double right() const { return x + w; }
  double bottom() const { return y + h; }
  double cx() const { return x + 0.5 * w; }
  double cy() const { return y + 0.5 * h; }
  double area() const { return w * h; }
};

// Intersection over union; 0 when either box is empty or they do not overlap.
double iou(const Box& a, const Box& b);

// A finite box of positive width and height.
bool valid_box(const Box& b);

struct BoxPair {
  int a = 0;  // index into the query set
  int b = 0;  // index into the indexed set
  double iou = 0;
};

class BoxGrid {
 public:
  // Indexes `boxes` (which must stay alive and unchanged until the next build).
  void build(std::span<const Box> boxes);
  // Appends to `out` every (query i, indexed j) with IoU >= min_iou, where min_iou > 0.
  // `allow(i, j)`, when given, filters pairs before the IoU is computed.
  template <class Allow>
  void pairs(std::span<const Box> query, double min_iou, Allow allow, std::vector<BoxPair>& out);
  void pairs(std::span<const Box> query, double min_iou, std::vector<BoxPair>& out) {
    pairs(
        query, min_iou, [](int, int) { return true; }, out);
  }
  std::size_t cells() const { return cell_start_.empty() ? 0 : cell_start_.size() - 1; }

 private:
  void cell_range(const Box& b, int& x0, int& x1, int& y0, int& y1) const;
  std::span<const Box> boxes_;
  double x0_ = 0, y0_ = 0, cell_ = 1;
  int nx_ = 0, ny_ = 0;
  std::vector<int> cell_start_;  // CSR: boxes of cell c are entries_[cell_start_[c] .. [c+1])
  std::vector<int> entries_;
  std::vector<int> oversize_;  // boxes covering too many cells: checked against every query
  std::vector<std::uint32_t> stamp_;
  std::vector<double> sizes_;  // scratch of build()
  std::vector<int> range_, fill_;
  std::uint32_t epoch_ = 0;
};

template <class Allow>
void BoxGrid::pairs(std::span<const Box> query, double min_iou, Allow allow,
                    std::vector<BoxPair>& out) {
  if (boxes_.empty()) return;
  for (int i = 0; i < static_cast<int>(query.size()); ++i) {
    const Box& q = query[static_cast<size_t>(i)];
    if (++epoch_ == 0) {  // wrapped: clear the stamps
      std::fill(stamp_.begin(), stamp_.end(), 0u);
      epoch_ = 1;
    }
    auto visit = [&](int j) {
      auto& s = stamp_[static_cast<size_t>(j)];
      if (s == epoch_) return;
      s = epoch_;
      if (!allow(i, j)) return;
      const double v = iou(q, boxes_[static_cast<size_t>(j)]);
      if (v >= min_iou) out.push_back({i, j, v});
    };
    int gx0, gx1, gy0, gy1;
    cell_range(q, gx0, gx1, gy0, gy1);
    for (int gy = gy0; gy <= gy1; ++gy) {
      for (int gx = gx0; gx <= gx1; ++gx) {
        const auto c = static_cast<size_t>(gy) * static_cast<size_t>(nx_) + static_cast<size_t>(gx);
        for (int k = cell_start_[c]; k < cell_start_[c + 1]; ++k)
          visit(entries_[static_cast<size_t>(k)]);
      }
    }
    for (int j : oversize_)
      visit(j);
  }
}

}  // namespace picket::imagetrack

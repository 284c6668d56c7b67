#include "picket/track/disk_grid.h"

#include <algorithm>
#include <cmath>

namespace picket::track {

DiskGrid::Range DiskGrid::range(const Vec2& c, double r) const {
  // Coordinates are bounded by the tracker's max_distance check, so cell indices fit 32 bits.
  auto idx = [this](double v) {
    return static_cast<std::int64_t>(std::floor(std::clamp(v / cell_, -2.0e9, 2.0e9)));
  };
  return {idx(c.x() - r), idx(c.x() + r), idx(c.y() - r), idx(c.y() + r)};
}

void DiskGrid::clear() {
  // Shrink a table that has grown far beyond what is used, else reset it in place.
  std::size_t n = slots_.size();
  if (n > 64 && used_ * 8 < n) n = std::max<std::size_t>(64, n / 4);
  slots_.assign(n, Slot{kEmpty, -1});
  mask_ = n == 0 ? 0 : n - 1;
  used_ = 0;
  nodes_.clear();
  overflow_.clear();
}

void DiskGrid::grow() {
  std::vector<Slot> old = std::move(slots_);
  const std::size_t n = std::max<std::size_t>(64, old.size() * 2);
  slots_.assign(n, Slot{kEmpty, -1});
  mask_ = n - 1;
  for (const Slot& s : old) {
    if (s.key == kEmpty) continue;
    std::size_t j = hash(s.key) & mask_;
    while (slots_[j].key != kEmpty)
      j = (j + 1) & mask_;
    slots_[j] = s;
  }
}

void DiskGrid::insert(std::uint32_t item, const Vec2& centre, double radius) {
  const Range r = range(centre, std::max(radius, 0.0));
  if (!std::isfinite(radius) || !centre.allFinite() || r.cells() > kMaxCells) {
    overflow_.push_back(item);
    return;
  }
  for (std::int64_t iy = r.y0; iy <= r.y1; ++iy) {
    for (std::int64_t ix = r.x0; ix <= r.x1; ++ix) {
      if ((used_ + 1) * 2 > slots_.size()) grow();
      const std::uint64_t key = pack(ix, iy);
      std::size_t i = hash(key) & mask_;
      while (slots_[i].key != kEmpty && slots_[i].key != key)
        i = (i + 1) & mask_;
      Slot& s = slots_[i];
      if (s.key == kEmpty) {
        s.key = key;
        s.head = -1;
        ++used_;
      }
      nodes_.push_back({item, s.head});
      s.head = static_cast<std::int32_t>(nodes_.size() - 1);
    }
  }
}

}  // namespace picket::track

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
  if (keys_.size() > 64 && used_ * 8 < keys_.size()) {
    keys_.assign(std::max<std::size_t>(64, keys_.size() / 4), kEmpty);
  } else {
    std::fill(keys_.begin(), keys_.end(), kEmpty);
  }
  heads_.resize(keys_.size());
  mask_ = keys_.empty() ? 0 : keys_.size() - 1;
  used_ = 0;
  nodes_.clear();
  overflow_.clear();
}

void DiskGrid::grow() {
  std::vector<std::uint64_t> old_keys = std::move(keys_);
  std::vector<std::int32_t> old_heads = std::move(heads_);
  const std::size_t n = std::max<std::size_t>(64, old_keys.size() * 2);
  keys_.assign(n, kEmpty);
  heads_.assign(n, -1);
  mask_ = n - 1;
  for (std::size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] == kEmpty) continue;
    std::size_t j = hash(old_keys[i]) & mask_;
    while (keys_[j] != kEmpty)
      j = (j + 1) & mask_;
    keys_[j] = old_keys[i];
    heads_[j] = old_heads[i];
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
      if ((used_ + 1) * 2 > keys_.size()) grow();
      const std::uint64_t key = pack(ix, iy);
      std::size_t i = hash(key) & mask_;
      while (keys_[i] != kEmpty && keys_[i] != key)
        i = (i + 1) & mask_;
      if (keys_[i] == kEmpty) {
        keys_[i] = key;
        heads_[i] = -1;
        ++used_;
      }
      nodes_.push_back({item, heads_[i]});
      heads_[i] = static_cast<std::int32_t>(nodes_.size() - 1);
    }
  }
}

}  // namespace picket::track

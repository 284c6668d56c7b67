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
  built_ = false;
  pending_.clear();
  entries_.clear();
  buckets_.clear();
  for (auto& [key, items] : extra_)
    items.clear();
  if (extra_.size() > 4096) extra_.clear();
  extra_count_ = 0;
  overflow_.clear();
}

void DiskGrid::insert(std::uint32_t item, const Vec2& centre, double radius) {
  const Range r = range(centre, std::max(radius, 0.0));
  if (!std::isfinite(radius) || r.cells() > kMaxCells) {
    overflow_.push_back(item);
    return;
  }
  for (std::int64_t iy = r.y0; iy <= r.y1; ++iy) {
    for (std::int64_t ix = r.x0; ix <= r.x1; ++ix) {
      const std::uint64_t key = pack(ix, iy);
      if (built_) {
        extra_[key].push_back(item);
        ++extra_count_;
      } else {
        pending_.push_back({key, item});
      }
    }
  }
}

void DiskGrid::build() {
  // Counting sort of the registrations by bucket; a power-of-two number of buckets about twice
  // the number of registrations keeps the expected bucket short.
  std::size_t nb = 16;
  while (nb < 2 * pending_.size())
    nb <<= 1;
  buckets_.assign(nb + 1, 0);  // nb buckets, indexed by hash & (nb - 1), and the end offset
  mask_ = nb - 1;
  const std::size_t mask = mask_;
  for (const auto& e : pending_)
    ++buckets_[(hash(e.key) & mask) + 1];
  for (std::size_t b = 1; b < buckets_.size(); ++b)
    buckets_[b] += buckets_[b - 1];
  entries_.resize(pending_.size());
  fill_.assign(buckets_.begin(), buckets_.end() - 1);
  for (const auto& e : pending_)
    entries_[fill_[hash(e.key) & mask]++] = e;
  pending_.clear();
  built_ = true;
}

}  // namespace picket::track

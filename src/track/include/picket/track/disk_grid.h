// A spatial hash of disks over the plane, for gating in time that grows about linearly with the
// number of targets of a spread-out scene.
//
// Items (tracks) are registered as disks: the region a track can be found in over a time window.
// A query disk (a detection and its uncertainty) visits every item whose disk shares a grid cell
// with it; two overlapping disks always share at least one cell, so no candidate is missed
// (items may be visited more than once; callers de-duplicate). Disks that would cover more than
// kMaxCells cells are kept in a short overflow list that every query visits.
//
// build() sorts the registrations into buckets by hashed cell key (counting sort, O(n));
// registrations made after build() go to a small secondary table until the next build.
//
// Thread-safety: none; one owner.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "picket/core/geometry.h"

namespace picket::track {

class DiskGrid {
 public:
  static constexpr int kMaxCells = 256;

  explicit DiskGrid(double cell_m = 100) : cell_(cell_m) {}
  double cell() const { return cell_; }

  // Forgets everything; then insert() the items and build().
  void clear();
  void insert(std::uint32_t item, const Vec2& centre, double radius);
  void build();

  // Calls f(item) for every item whose registered disk may overlap the query disk.
  template <class F>
  void query(const Vec2& centre, double radius, F&& f) const {
    for (auto item : overflow_)
      f(item);
    const Range r = range(centre, radius);
    if (r.cells() > kMaxCells) {
      // A huge query: visit everything registered (rare: a detection with enormous noise).
      for (const auto& e : entries_)
        f(e.item);
      for (const auto& [key, items] : extra_) {
        for (auto item : items)
          f(item);
      }
      return;
    }
    for (std::int64_t iy = r.y0; iy <= r.y1; ++iy) {
      for (std::int64_t ix = r.x0; ix <= r.x1; ++ix) {
        const std::uint64_t key = pack(ix, iy);
        if (!buckets_.empty()) {
          const std::size_t b = hash(key) & mask_;
          for (std::uint32_t i = buckets_[b]; i < buckets_[b + 1]; ++i) {
            if (entries_[i].key == key) f(entries_[i].item);
          }
        }
        if (!extra_.empty()) {
          auto it = extra_.find(key);
          if (it != extra_.end()) {
            for (auto item : it->second)
              f(item);
          }
        }
      }
    }
  }

  std::size_t registrations() const { return entries_.size() + extra_count_ + overflow_.size(); }

 private:
  struct Entry {
    std::uint64_t key;
    std::uint32_t item;
  };
  struct Range {
    std::int64_t x0, x1, y0, y1;
    std::int64_t cells() const { return (x1 - x0 + 1) * (y1 - y0 + 1); }
  };
  Range range(const Vec2& c, double r) const;
  static std::uint64_t pack(std::int64_t ix, std::int64_t iy) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(ix)) << 32) |
           static_cast<std::uint32_t>(iy);
  }
  static std::uint64_t hash(std::uint64_t k) {
    // splitmix64 finaliser
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebULL;
    k ^= k >> 31;
    return k;
  }

  double cell_;
  bool built_ = false;
  std::vector<Entry> pending_;
  std::vector<Entry> entries_;          // sorted by bucket
  std::vector<std::uint32_t> buckets_;  // bucket b holds entries_[buckets_[b], buckets_[b+1])
  std::vector<std::uint32_t> fill_;
  std::size_t mask_ = 0;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> extra_;
  std::size_t extra_count_ = 0;
  std::vector<std::uint32_t> overflow_;
};

}  // namespace picket::track

// A spatial hash of disks over the plane, for gating in time that grows about linearly with the
// number of targets of a spread-out scene.
//
// Items (tracks) are registered as disks: the region a track can be found in over a time window.
// A query disk (a detection and its uncertainty) visits every item whose disk shares a grid cell
// with it; two overlapping disks always share at least one cell, so no candidate is missed
// (items may be visited more than once; callers de-duplicate and test the disks themselves).
// Disks that would cover more than kMaxCells cells are kept in a short overflow list that every
// query visits.
//
// The table is an open-addressing hash of cell keys to singly linked lists of registrations held
// in one vector: inserting is O(1) amortised and allocation-free once warm, clearing costs the
// size of the table.
//
// Thread-safety: none; one owner.
#pragma once

#include <cstdint>
#include <vector>

#include "picket/core/geometry.h"

namespace picket::track {

class DiskGrid {
 public:
  static constexpr int kMaxCells = 256;

  explicit DiskGrid(double cell_m = 100) : cell_(cell_m) {}
  double cell() const { return cell_; }

  // Forgets every registration.
  void clear();
  void insert(std::uint32_t item, const Vec2& centre, double radius);

  // Calls f(item) for every item whose registered disk may overlap the query disk.
  template <class F>
  void query(const Vec2& centre, double radius, F&& f) const {
    for (auto item : overflow_)
      f(item);
    if (nodes_.empty()) return;
    const Range r = range(centre, radius);
    if (r.cells() > kMaxCells) {
      // A huge query (a report with enormous noise): visit everything.
      for (const auto& nd : nodes_)
        f(nd.item);
      return;
    }
    for (std::int64_t iy = r.y0; iy <= r.y1; ++iy) {
      for (std::int64_t ix = r.x0; ix <= r.x1; ++ix) {
        const std::int32_t head = find(pack(ix, iy));
        for (std::int32_t k = head; k >= 0; k = nodes_[static_cast<size_t>(k)].next)
          f(nodes_[static_cast<size_t>(k)].item);
      }
    }
  }

  std::size_t registrations() const { return nodes_.size() + overflow_.size(); }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  struct Node {
    std::uint32_t item;
    std::int32_t next;
  };
  struct Range {
    std::int64_t x0, x1, y0, y1;
    std::int64_t cells() const { return (x1 - x0 + 1) * (y1 - y0 + 1); }
  };
  Range range(const Vec2& c, double r) const;
  // Cell indices are within +-2e9 (range() clamps them); biased by 2^31 each half of the key is
  // at most 4.15e9 < 2^32 - 1, so no cell's key is kEmpty (without the bias the cell (-1, -1),
  // just south-west of the origin, packed to all ones and was lost).
  static std::uint64_t pack(std::int64_t ix, std::int64_t iy) {
    constexpr std::int64_t kBias = std::int64_t{1} << 31;
    return (static_cast<std::uint64_t>(ix + kBias) << 32) | static_cast<std::uint64_t>(iy + kBias);
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
  std::int32_t find(std::uint64_t key) const {
    std::size_t i = hash(key) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.key == key) return s.head;
      if (s.key == kEmpty) return -1;
      i = (i + 1) & mask_;
    }
  }
  void grow();

  struct Slot {
    std::uint64_t key;
    std::int32_t head;  // last node of the cell's list
  };
  double cell_;
  std::vector<Slot> slots_;  // key and list head side by side: one cache line per probe
  std::size_t mask_ = 0;
  std::size_t used_ = 0;  // occupied slots
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> overflow_;
};

}  // namespace picket::track

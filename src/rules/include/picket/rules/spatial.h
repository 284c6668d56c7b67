// A uniform grid over the site's zones and fence segments, so that evaluating a track update
// costs a few cell look-ups instead of a pass over every zone and fence.
//
// Every fence is cut into pieces: the straight edges of each numbered segment's sub-polyline,
// each tagged with its fence and segment. A cell lists (a) the zones whose boundary passes
// through it, as "partial" (the exact point-in-polygon test is needed), and the zones that cover
// it entirely, as "full" (no test needed: filled by a scan line over cell centres); and (b) the
// pieces within `near_radius` of it. Queries return supersets that the caller tests exactly.
//
// Build cost is proportional to cells x edges touched; queries are O(entries in one cell).
// Thread-safety: immutable after construction; queries are const and safe from any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "picket/core/geometry.h"
#include "picket/core/site.h"

namespace picket::rules {

struct FencePiece {
  Segment2 seg;
  int fence = 0;      // index into Site::fences
  int segment = 0;    // segment number from 1
  double along0 = 0;  // distance along the fence of seg.a
};

class SpatialIndex {
 public:
  SpatialIndex() = default;
  // `near_radius`: the largest distance from a fence any query will ask about.
  SpatialIndex(const Site& site, double near_radius);

  // The cell holding p, or -1 outside the grid (far from every zone and fence).
  int cell_of(const Vec2& p) const;
  // Zones (indices into Site::zones) whose polygon contains p, ascending. Ignores floor/ceiling.
  // `cell` is cell_of(p).
  void zones_at(const Vec2& p, int cell, std::vector<int>& out) const;
  void zones_at(const Vec2& p, std::vector<int>& out) const { zones_at(p, cell_of(p), out); }
  // Pieces (indices into pieces()) that may lie within near_radius of p, ascending; each once.
  // Returns a pointer range into the index (no allocation).
  std::pair<const std::uint32_t*, const std::uint32_t*> pieces_near(int cell) const;
  std::pair<const std::uint32_t*, const std::uint32_t*> pieces_near(const Vec2& p) const {
    return pieces_near(cell_of(p));
  }
  // Pieces that the straight step p0 -> p1 may cross, ascending, each once: a range into the
  // index when the step stays in one cell, else into `scratch`.
  std::pair<const std::uint32_t*, const std::uint32_t*> pieces_along(
      const Vec2& p0, const Vec2& p1, std::vector<std::uint32_t>& scratch) const;

  const std::vector<FencePiece>& pieces() const { return pieces_; }
  double near_radius() const { return near_radius_; }
  double cell_size() const { return cell_; }
  int cells_x() const { return nx_; }
  int cells_y() const { return ny_; }
  // Entries held (for the documentation of memory use).
  size_t zone_entries() const { return zone_items_.size(); }
  size_t piece_entries() const { return piece_items_.size(); }

 private:
  struct ZoneEntry {
    std::int32_t zone;
    bool full;
  };
  const Site* site_ = nullptr;
  double near_radius_ = 0;
  Vec2 origin_{0, 0};
  double cell_ = 1;
  int nx_ = 0;
  int ny_ = 0;
  std::vector<FencePiece> pieces_;
  // Compressed rows: the entries of cell c are items[offsets[c] .. offsets[c + 1]).
  std::vector<std::uint32_t> zone_offsets_;
  std::vector<ZoneEntry> zone_items_;
  std::vector<std::uint32_t> piece_offsets_;
  std::vector<std::uint32_t> piece_items_;
};

}  // namespace picket::rules

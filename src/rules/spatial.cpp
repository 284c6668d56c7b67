#include "picket/rules/spatial.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace picket::rules {

namespace {

// Grids larger than this get coarser cells.
constexpr double kMaxCells = 4.0e6;
// A step whose bounding box spans more cells than this is tested against every piece.
constexpr long kMaxStepCells = 4096;

bool segment_meets_box(const Vec2& a, const Vec2& b, const Box2& box) {
  if (box.contains(a) || box.contains(b)) return true;
  const Vec2 c00 = box.min;
  const Vec2 c11 = box.max;
  const Vec2 c10(box.max.x(), box.min.y());
  const Vec2 c01(box.min.x(), box.max.y());
  for (const Segment2& e :
       {Segment2{c00, c10}, Segment2{c10, c11}, Segment2{c11, c01}, Segment2{c01, c00}}) {
    if (segment_intersection(a, b, e)) return true;
  }
  return false;
}

// Counting sort of (cell, item) pairs into compressed rows, keeping the order of items within a
// cell (so zones and pieces stay ascending).
template <class Item>
void build_rows(size_t cells, const std::vector<std::pair<std::uint32_t, Item>>& pairs,
                std::vector<std::uint32_t>& offsets, std::vector<Item>& items) {
  offsets.assign(cells + 1, 0);
  for (const auto& p : pairs)
    ++offsets[p.first + 1];
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  items.resize(pairs.size());
  std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
  for (const auto& p : pairs)
    items[fill[p.first]++] = p.second;
}

}  // namespace

SpatialIndex::SpatialIndex(const Site& site, double near_radius)
    : site_(&site), near_radius_(near_radius) {
  // Pieces: the straight edges of every segment's sub-polyline.
  for (size_t f = 0; f < site.fences.size(); ++f) {
    for (const auto& seg : site.fences[f].segments) {
      double along = seg.start_m;
      for (size_t i = 0; i + 1 < seg.points.size(); ++i) {
        const Segment2 s{seg.points[i], seg.points[i + 1]};
        const double len = s.length();
        if (len <= 0) continue;
        FencePiece piece;
        piece.seg = s;
        piece.fence = static_cast<int>(f);
        piece.segment = seg.number;
        piece.along0 = along;
        pieces_.push_back(piece);
        along += len;
      }
    }
  }
  // Bounds of everything, with room for the near radius.
  Vec2 lo(std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity());
  Vec2 hi = -lo;
  auto grow = [&](const Vec2& p) {
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  };
  for (const auto& z : site.zones)
    for (const auto& v : z.polygon.vertices())
      grow(v);
  for (const auto& p : pieces_) {
    grow(p.seg.a);
    grow(p.seg.b);
  }
  if (!std::isfinite(lo.x())) return;  // nothing to index
  const double margin = near_radius + 1.0;
  lo -= Vec2(margin, margin);
  hi += Vec2(margin, margin);
  const double extent = std::max(hi.x() - lo.x(), hi.y() - lo.y());
  cell_ = std::max({extent / 1024.0, near_radius / 2.0, 2.0});
  auto dims = [&] {
    nx_ = static_cast<int>(std::ceil((hi.x() - lo.x()) / cell_));
    ny_ = static_cast<int>(std::ceil((hi.y() - lo.y()) / cell_));
  };
  dims();
  while (static_cast<double>(nx_) * ny_ > kMaxCells) {
    cell_ *= 1.5;
    dims();
  }
  origin_ = lo;
  const size_t cells = static_cast<size_t>(nx_) * static_cast<size_t>(ny_);
  auto cell_box = [&](int cx, int cy) {
    Box2 b;
    b.min = origin_ + Vec2(cx * cell_, cy * cell_);
    b.max = b.min + Vec2(cell_, cell_);
    return b;
  };
  auto cx_of = [&](double x) {
    return std::clamp(static_cast<int>(std::floor((x - origin_.x()) / cell_)), 0, nx_ - 1);
  };
  auto cy_of = [&](double y) {
    return std::clamp(static_cast<int>(std::floor((y - origin_.y()) / cell_)), 0, ny_ - 1);
  };

  // Zones: partial cells where the boundary passes, full cells by a scan line over centres.
  std::vector<std::pair<std::uint32_t, ZoneEntry>> zone_pairs;
  for (size_t zi = 0; zi < site.zones.size(); ++zi) {
    const Polygon& poly = site.zones[zi].polygon;
    const auto& v = poly.vertices();
    if (v.size() < 3) continue;
    const int x0 = cx_of(poly.bounds().min.x());
    const int x1 = cx_of(poly.bounds().max.x());
    const int y0 = cy_of(poly.bounds().min.y());
    const int y1 = cy_of(poly.bounds().max.y());
    const int w = x1 - x0 + 1;
    const int h = y1 - y0 + 1;
    std::vector<std::uint8_t> mark(static_cast<size_t>(w) * static_cast<size_t>(h), 0);
    auto at = [&](int cx, int cy) -> std::uint8_t& {
      return mark[static_cast<size_t>(cy - y0) * static_cast<size_t>(w) +
                  static_cast<size_t>(cx - x0)];
    };
    for (size_t i = 0; i < v.size(); ++i) {
      const Vec2& a = v[i];
      const Vec2& b = v[(i + 1) % v.size()];
      const int ex0 = cx_of(std::min(a.x(), b.x()));
      const int ex1 = cx_of(std::max(a.x(), b.x()));
      const int ey0 = cy_of(std::min(a.y(), b.y()));
      const int ey1 = cy_of(std::max(a.y(), b.y()));
      for (int cy = ey0; cy <= ey1; ++cy)
        for (int cx = ex0; cx <= ex1; ++cx)
          if (!at(cx, cy) && segment_meets_box(a, b, cell_box(cx, cy))) at(cx, cy) = 1;
    }
    std::vector<double> xs;
    for (int cy = y0; cy <= y1; ++cy) {
      const double y = origin_.y() + (cy + 0.5) * cell_;
      xs.clear();
      for (size_t i = 0; i < v.size(); ++i) {
        const Vec2& a = v[i];
        const Vec2& b = v[(i + 1) % v.size()];
        if ((a.y() <= y && y < b.y()) || (b.y() <= y && y < a.y())) {
          xs.push_back(a.x() + (y - a.y()) / (b.y() - a.y()) * (b.x() - a.x()));
        }
      }
      std::sort(xs.begin(), xs.end());
      for (size_t k = 0; k + 1 < xs.size(); k += 2) {
        for (int cx = x0; cx <= x1; ++cx) {
          const double x = origin_.x() + (cx + 0.5) * cell_;
          if (x >= xs[k] && x < xs[k + 1] && at(cx, cy) == 0) at(cx, cy) = 2;
        }
      }
    }
    for (int cy = y0; cy <= y1; ++cy)
      for (int cx = x0; cx <= x1; ++cx)
        if (at(cx, cy)) {
          const auto cell = static_cast<std::uint32_t>(cy * nx_ + cx);
          zone_pairs.push_back({cell, ZoneEntry{static_cast<std::int32_t>(zi), at(cx, cy) == 2}});
        }
  }
  build_rows(cells, zone_pairs, zone_offsets_, zone_items_);

  // Pieces: every cell whose area comes within near_radius of the piece.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> piece_pairs;
  const double reach = near_radius + cell_ * 0.7072;  // radius + half the cell diagonal
  for (size_t pi = 0; pi < pieces_.size(); ++pi) {
    const Segment2& s = pieces_[pi].seg;
    const int x0 = cx_of(std::min(s.a.x(), s.b.x()) - reach);
    const int x1 = cx_of(std::max(s.a.x(), s.b.x()) + reach);
    const int y0 = cy_of(std::min(s.a.y(), s.b.y()) - reach);
    const int y1 = cy_of(std::max(s.a.y(), s.b.y()) + reach);
    for (int cy = y0; cy <= y1; ++cy) {
      for (int cx = x0; cx <= x1; ++cx) {
        const Vec2 centre = origin_ + Vec2((cx + 0.5) * cell_, (cy + 0.5) * cell_);
        if (s.distance(centre) <= reach) {
          piece_pairs.push_back(
              {static_cast<std::uint32_t>(cy * nx_ + cx), static_cast<std::uint32_t>(pi)});
        }
      }
    }
  }
  build_rows(cells, piece_pairs, piece_offsets_, piece_items_);
}

int SpatialIndex::cell_of(const Vec2& p) const {
  if (nx_ == 0) return -1;
  const double fx = std::floor((p.x() - origin_.x()) / cell_);
  const double fy = std::floor((p.y() - origin_.y()) / cell_);
  if (!(fx >= 0 && fy >= 0 && fx < nx_ && fy < ny_)) return -1;  // also rejects NaN
  return static_cast<int>(fy) * nx_ + static_cast<int>(fx);
}

void SpatialIndex::zones_at(const Vec2& p, int c, std::vector<int>& out) const {
  if (c < 0) return;
  const auto cu = static_cast<size_t>(c);
  for (std::uint32_t i = zone_offsets_[cu]; i < zone_offsets_[cu + 1]; ++i) {
    const ZoneEntry& e = zone_items_[i];
    if (e.full || site_->zones[static_cast<size_t>(e.zone)].polygon.contains(p)) {
      out.push_back(e.zone);
    }
  }
}

std::pair<const std::uint32_t*, const std::uint32_t*> SpatialIndex::pieces_near(int c) const {
  if (c < 0 || piece_items_.empty()) return {nullptr, nullptr};
  const auto cu = static_cast<size_t>(c);
  const std::uint32_t* base = piece_items_.data();
  return {base + piece_offsets_[cu], base + piece_offsets_[cu + 1]};
}

std::pair<const std::uint32_t*, const std::uint32_t*> SpatialIndex::pieces_along(
    const Vec2& p0, const Vec2& p1, std::vector<std::uint32_t>& out) const {
  out.clear();
  const std::pair<const std::uint32_t*, const std::uint32_t*> none{nullptr, nullptr};
  if (pieces_.empty() || nx_ == 0) return none;
  if (!p0.allFinite() || !p1.allFinite()) return none;
  const double fx0 = std::floor((std::min(p0.x(), p1.x()) - origin_.x()) / cell_);
  const double fx1 = std::floor((std::max(p0.x(), p1.x()) - origin_.x()) / cell_);
  const double fy0 = std::floor((std::min(p0.y(), p1.y()) - origin_.y()) / cell_);
  const double fy1 = std::floor((std::max(p0.y(), p1.y()) - origin_.y()) / cell_);
  if (fx1 < 0 || fy1 < 0 || fx0 >= nx_ || fy0 >= ny_) return none;  // entirely off the grid
  const int x0 = static_cast<int>(std::max(fx0, 0.0));
  const int x1 = static_cast<int>(std::min(fx1, nx_ - 1.0));
  const int y0 = static_cast<int>(std::max(fy0, 0.0));
  const int y1 = static_cast<int>(std::min(fy1, ny_ - 1.0));
  if (x0 == x1 && y0 == y1) return pieces_near(y0 * nx_ + x0);
  const long n = static_cast<long>(x1 - x0 + 1) * static_cast<long>(y1 - y0 + 1);
  if (n > kMaxStepCells) {
    for (std::uint32_t i = 0; i < pieces_.size(); ++i)
      out.push_back(i);
  } else {
    for (int cy = y0; cy <= y1; ++cy) {
      for (int cx = x0; cx <= x1; ++cx) {
        const auto cu = static_cast<size_t>(cy * nx_ + cx);
        out.insert(out.end(), piece_items_.begin() + piece_offsets_[cu],
                   piece_items_.begin() + piece_offsets_[cu + 1]);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  if (out.empty()) return none;
  return {out.data(), out.data() + out.size()};
}

}  // namespace picket::rules

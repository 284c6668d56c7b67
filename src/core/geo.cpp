#include "picket/core/geo.h"

#include <GeographicLib/LocalCartesian.hpp>

namespace picket {

struct LocalFrame::Impl {
  GeographicLib::LocalCartesian lc;
};

LocalFrame::LocalFrame() : LocalFrame(Geodetic{}) {}

LocalFrame::LocalFrame(const Geodetic& origin)
    : origin_(origin),
      impl_(std::make_unique<Impl>(
          Impl{GeographicLib::LocalCartesian(origin.lat_deg, origin.lon_deg, origin.alt_m)})) {}

LocalFrame::~LocalFrame() = default;
LocalFrame::LocalFrame(const LocalFrame& o)
    : origin_(o.origin_), impl_(std::make_unique<Impl>(*o.impl_)) {}
LocalFrame& LocalFrame::operator=(const LocalFrame& o) {
  if (this != &o) {
    origin_ = o.origin_;
    impl_ = std::make_unique<Impl>(*o.impl_);
  }
  return *this;
}

Enu LocalFrame::to_enu(const Geodetic& p) const {
  double e = 0, n = 0, u = 0;
  impl_->lc.Forward(p.lat_deg, p.lon_deg, p.alt_m, e, n, u);
  return {e, n, u};
}

Geodetic LocalFrame::to_geodetic(const Enu& p) const {
  Geodetic g;
  impl_->lc.Reverse(p.x(), p.y(), p.z(), g.lat_deg, g.lon_deg, g.alt_m);
  return g;
}

}  // namespace picket

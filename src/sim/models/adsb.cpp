#include "picket/sim/adsb.h"

#include <cmath>

namespace picket::sim {

AdsbModel::AdsbModel(const ModelContext& ctx)
    : SensorModel(ctx.def, ctx.index), sc_(ctx.scenario), period_(1.0 / ctx.def.update_rate_hz) {
  Rng rng(stream_seed(ctx.seed, ctx.def.id));
  phase_ = rng.uniform(0, period_);
  movers_.reserve(ctx.movers.size());
  for (const Mover& m : ctx.movers)
    movers_.emplace_back(stream_seed(ctx.seed, ctx.def.id, m.spec().id));
}

void AdsbModel::simulate(const SimWindow& w, std::vector<SimDetection>& out) {
  const double sigma = def_.noise.position_m;
  for (size_t i = 0; i < w.movers.size(); ++i) {
    const Mover& m = w.movers[i];
    if (m.spec().kind != MoverKind::aircraft || !m.overlaps(w.t0, w.t1)) continue;
    Rng& rng = movers_[i];
    const double j0 = std::ceil((w.t0 - phase_) / period_) - 1;
    for (double j = j0;; j += 1) {
      const double t = phase_ + j * period_;
      if (t >= w.t1) break;
      if (t < w.t0 || !m.active(t)) continue;
      const Enu p = m.state(t).pos;
      if ((p - def_.enu).norm() > def_.max_range_m) continue;
      if (!rng.bernoulli(def_.pd)) continue;
      const Enu noisy = p + Enu(rng.normal(), rng.normal(), rng.normal()) * sigma;
      const Geodetic g = sc_.site.frame.to_geodetic(noisy);
      SimDetection& d = add(out, t, Origin::target, static_cast<int>(i));
      d.det.measurement = GeodeticMeasurement{g.lat_deg, g.lon_deg, g.alt_m};
      if (sigma > 0) d.det.sigma = sigma;
      d.det.cls = TargetClass::aircraft;
      d.det.sensor_track = m.spec().icao;
    }
  }
}

}  // namespace picket::sim

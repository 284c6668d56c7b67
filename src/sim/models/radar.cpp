#include "picket/sim/radar.h"

#include <cmath>
#include <limits>

#include "picket/core/units.h"
#include "picket/sim/angles.h"
#include "picket/sim/nuisance.h"

namespace picket::sim {

RadarPd::RadarPd(double pd_at_max_range, double pfa, double max_range_m, double reference_rcs_m2)
    : log_pfa_(std::log(pfa)), max_range_(max_range_m), ref_rcs_(reference_rcs_m2) {
  // Pd = Pfa^(1/(1+SNR))  =>  1 + SNR = ln Pfa / ln Pd.
  snr_ref_ = pd_at_max_range >= 1 ? std::numeric_limits<double>::infinity()
                                  : log_pfa_ / std::log(pd_at_max_range) - 1.0;
  if (snr_ref_ < 0) snr_ref_ = 0;  // pd below pfa: no signal at all at max range
}

double RadarPd::snr(double range_m, double rcs_m2) const {
  const double r = std::max(range_m, 1e-3) / max_range_;
  const double r2 = r * r;
  return snr_ref_ * (rcs_m2 / ref_rcs_) / (r2 * r2);
}

double RadarPd::pd(double range_m, double rcs_m2) const {
  return std::exp(log_pfa_ / (1.0 + snr(range_m, rcs_m2)));
}

RadarModel::RadarModel(const ModelContext& ctx)
    : SensorModel(ctx.def, ctx.index),
      sc_(ctx.scenario),
      settings_(ctx.settings),
      pd_(ctx.def.pd, ctx.settings.pfa, ctx.def.max_range_m, ctx.def.reference_rcs_m2),
      omega_(2 * kPi * ctx.def.update_rate_hz),
      sector_(ctx.def.fov_h_rad < 2 * kPi - 1e-9),
      elevation_(ctx.def.noise.elevation_rad > 0),
      rng_(stream_seed(ctx.seed, ctx.def.id)) {
  phase_ = rng_.uniform(0, 2 * kPi);
  movers_.reserve(ctx.movers.size());
  for (const Mover& m : ctx.movers) {
    movers_.push_back(PerMover{Rng(stream_seed(ctx.seed, ctx.def.id, m.spec().id))});
  }
}

double RadarModel::bearing_of(const Enu& p) const {
  return std::atan2(p.x() - def_.enu.x(), p.y() - def_.enu.y());
}

void RadarModel::simulate(const SimWindow& w, std::vector<SimDetection>& out) {
  constexpr double kTwoPi = 2 * kPi;
  // A pass is looked at when its estimate falls before the window's end plus this margin (the
  // estimate is off by the mover's bearing change since the last pass, a small fraction of a
  // scan).
  const double margin = 0.25 * kTwoPi / omega_;
  for (size_t i = 0; i < w.movers.size(); ++i) {
    const Mover& m = w.movers[i];
    PerMover& pm = movers_[i];
    if (!m.overlaps(w.t0, w.t1)) {
      pm.tracking = false;
      continue;
    }
    const double ts = std::max(w.t0, m.t_begin());
    const double te = std::min(w.t1, m.t_end());
    if (!pm.tracking) {
      // The first pass after ts: f(t) = beam(t) - bearing(t) grows by 2 pi per scan and the
      // beam passes the mover where f(t) = 2 pi k.
      pm.bearing = bearing_of(w.positions[i]);
      const double f = beam(ts) - pm.bearing;
      pm.k = std::floor(f / kTwoPi) + 1;
      pm.t_next = ts + (kTwoPi * pm.k - f) / omega_;
      pm.tracking = true;
    }
    while (pm.t_next < te + margin) {
      // Fixed point of t = (2 pi k + bearing(t) - phase) / omega. The bearing moves little while
      // the beam turns: one step from the estimate, then the plot's own position gives the last.
      const double t_guess = std::clamp(pm.t_next, ts, te);
      double b = pm.bearing + wrap_angle(bearing_of(m.state(t_guess).pos) - pm.bearing);
      double tk = (kTwoPi * pm.k + b - phase_) / omega_;
      if (tk >= te) {
        pm.t_next = tk;
        break;
      }
      tk = std::max(tk, ts);
      const MoverState s = m.state(tk);
      b = pm.bearing + wrap_angle(bearing_of(s.pos) - pm.bearing);
      const double t_plot = std::clamp((kTwoPi * pm.k + b - phase_) / omega_, ts, te);
      observe(m, static_cast<int>(i), t_plot, s, b, out);
      pm.bearing = b;
      pm.k += 1;
      pm.t_next = (kTwoPi * pm.k + b - phase_) / omega_;
    }
  }
  clutter(w, out);
}

void RadarModel::observe(const Mover& m, int index, double t, const MoverState& s, double bearing,
                         std::vector<SimDetection>& out) {
  if (t >= m.t_end()) return;
  const Enu d = s.pos - def_.enu;
  if (!def_.covers(s.pos)) return;
  const double range = d.norm();
  if (range <= 0) return;
  const double radial = s.vel.dot(d) / range;
  if (std::abs(radial) < def_.min_radial_speed_mps) return;  // lost in the clutter notch
  PerMover& pm = movers_[static_cast<size_t>(index)];
  if (!pm.rng.bernoulli(pd_.pd(range, m.spec().rcs_m2))) return;
  PolarMeasurement pol;
  pol.range = std::max(0.0, range + def_.noise.range_m * pm.rng.normal());
  pol.bearing = wrap_bearing(bearing + def_.noise.bearing_rad * pm.rng.normal());
  SimDetection& det = add(out, t, Origin::target, index);
  if (elevation_) {
    pol.elevation =
        std::atan2(d.z(), d.head<2>().norm()) + def_.noise.elevation_rad * pm.rng.normal();
    det.det.sigma_elevation = def_.noise.elevation_rad;
  }
  det.det.measurement = pol;
  det.det.sigma_range = def_.noise.range_m;
  det.det.sigma_bearing = def_.noise.bearing_rad;
  if (settings_.doppler) det.det.doppler = radial + settings_.doppler_noise_mps * pm.rng.normal();
}

void RadarModel::clutter(const SimWindow& w, std::vector<SimDetection>& out) {
  if (def_.false_alarm_rate <= 0) return;
  // A sector radar's beam spends fov/2pi of its time in the sector: raise the rate while it is
  // there so that the hourly count is the configured one.
  const double in_sector = sector_ ? def_.fov_h_rad / (2 * kPi) : 1.0;
  const double mean =
      def_.false_alarm_rate / 3600.0 / in_sector * clutter_factor_integral(sc_, index_, w.t0, w.t1);
  const auto n = rng_.poisson(mean);
  const double r0 = def_.min_range_m * def_.min_range_m;
  const double r1 = def_.max_range_m * def_.max_range_m;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double t = rng_.uniform(w.t0, w.t1);
    const double az = wrap_bearing(beam(t));
    // Draw everything before deciding, so the stream does not depend on the sector test.
    const double range = std::sqrt(rng_.uniform(r0, r1));  // uniform over the annulus' area
    const double noise = def_.noise.bearing_rad * rng_.normal();
    const double speed = rng_.uniform(def_.min_radial_speed_mps, def_.min_radial_speed_mps + 2.0);
    const double sign = rng_.bernoulli(0.5) ? 1.0 : -1.0;
    if (sector_ && std::abs(wrap_angle(az - def_.yaw_rad)) > def_.fov_h_rad / 2) continue;
    PolarMeasurement pol;
    pol.range = range;
    pol.bearing = wrap_bearing(az + noise);
    SimDetection& det = add(out, t, Origin::clutter);
    if (elevation_) {
      pol.elevation = def_.noise.elevation_rad * rng_.normal();
      det.det.sigma_elevation = def_.noise.elevation_rad;
    }
    det.det.measurement = pol;
    det.det.sigma_range = def_.noise.range_m;
    det.det.sigma_bearing = def_.noise.bearing_rad;
    if (settings_.doppler) det.det.doppler = sign * speed;
  }
}

}  // namespace picket::sim

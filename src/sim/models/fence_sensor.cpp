#include "picket/sim/fence_sensor.h"

#include <algorithm>
#include <cmath>

#include "picket/sim/nuisance.h"

namespace picket::sim {

FenceSensorModel::FenceSensorModel(const ModelContext& ctx)
    : SensorModel(ctx.def, ctx.index),
      sc_(ctx.scenario),
      heartbeat_period_(1.0 / ctx.def.update_rate_hz),
      rng_(stream_seed(ctx.seed, ctx.def.id)) {
  for (size_t i = 0; i < sc_.site.fences.size(); ++i) {
    if (sc_.site.fences[i].id == def_.fence) fence_ = static_cast<int>(i);
  }
  heartbeat_phase_ = rng_.uniform(0, heartbeat_period_);
  movers_.reserve(ctx.movers.size());
  for (const Mover& m : ctx.movers)
    movers_.emplace_back(stream_seed(ctx.seed, ctx.def.id, m.spec().id));
}

void FenceSensorModel::report(std::vector<SimDetection>& out, double t, int segment, Origin origin,
                              int mover) {
  SimDetection& d = add(out, t, origin, mover);
  SegmentMeasurement m;
  m.segment = segment;
  m.fence = def_.fence;
  d.det.measurement = std::move(m);
}

void FenceSensorModel::simulate(const SimWindow& w, std::vector<SimDetection>& out) {
  if (fence_ < 0) return;
  const double pd = def_.pd;
  // Climbs and cuts that start in this window.
  for (const FenceClimb& c : w.climbs) {
    if (!covers(c.fence, c.segment)) continue;
    Rng& rng = movers_[static_cast<size_t>(c.mover)];
    if (!rng.bernoulli(pd)) continue;
    double t = c.t_start + rng.uniform(0.5, 1.5);
    do {
      pending_.push_back({t, c.segment, c.mover, Origin::target});
      t += kFenceRepeatInterval;
    } while (t < c.t_end);
  }
  // Crossings without a climb.
  for (const FenceCrossingRecord& x : w.crossings) {
    if (x.climbing || !covers(x.fence, x.segment)) continue;
    Rng& rng = movers_[static_cast<size_t>(x.mover)];
    if (rng.bernoulli(pd)) {
      pending_.push_back({x.t + rng.uniform(0.2, 1.0), x.segment, x.mover, Origin::target});
    }
  }
  // Touches while near the fence.
  for (const FenceContact& c : w.contacts) {
    if (!covers(c.fence, c.segment)) continue;
    const Mover& m = w.movers[static_cast<size_t>(c.mover)];
    Rng& rng = movers_[static_cast<size_t>(c.mover)];
    const auto n = rng.poisson(m.spec().brush_rate_per_s * (c.t1 - c.t0));
    for (std::uint64_t k = 0; k < n; ++k) {
      const double t = rng.uniform(c.t0, c.t1);
      if (rng.bernoulli(pd * kBrushSensitivity)) {
        pending_.push_back({t + rng.uniform(0.2, 1.0), c.segment, c.mover, Origin::target});
      }
    }
  }
  // Reports due in this window.
  if (!pending_.empty()) {
    std::sort(pending_.begin(), pending_.end(),
              [](const Pending& a, const Pending& b) { return a.t < b.t; });
    size_t done = 0;
    while (done < pending_.size() && pending_[done].t < w.t1) {
      const Pending& p = pending_[done];
      report(out, std::max(p.t, w.t0), p.segment, p.origin, p.mover);
      ++done;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
  }
  const int first = def_.first_segment;
  const int count = def_.last_segment - def_.first_segment + 1;
  // Calm-weather false alarms over the covered segments.
  if (def_.false_alarm_rate > 0) {
    const auto n = rng_.poisson(def_.false_alarm_rate / 3600.0 * (w.t1 - w.t0));
    for (std::uint64_t k = 0; k < n; ++k) {
      const double t = rng_.uniform(w.t0, w.t1);
      const int seg = first + static_cast<int>(rng_.index(static_cast<std::uint64_t>(count)));
      report(out, t, seg, Origin::clutter, -1);
    }
  }
  // Wind: thinning of a Poisson process at the peak rate over all covered segments.
  for (const WindSpec& wind : sc_.winds) {
    if (wind.fence != fence_) continue;
    const double a = std::max(w.t0, wind.start_s);
    const double b = std::min(w.t1, wind.start_s + wind.duration_s);
    if (b <= a) continue;
    const double peak = wind_rate_max(wind);
    const auto n = rng_.poisson(peak * count * (b - a));
    for (std::uint64_t k = 0; k < n; ++k) {
      const double t = rng_.uniform(a, b);
      const int seg = first + static_cast<int>(rng_.index(static_cast<std::uint64_t>(count)));
      if (rng_.uniform() * peak < wind_rate(wind, seg, t)) {
        report(out, t, seg, Origin::nuisance, -1);
      }
    }
  }
  // Heartbeats.
  const double j0 = std::ceil((w.t0 - heartbeat_phase_) / heartbeat_period_) - 1;
  for (double j = j0;; j += 1) {
    const double t = heartbeat_phase_ + j * heartbeat_period_;
    if (t >= w.t1) break;
    if (t < w.t0) continue;
    SimDetection& d = add(out, t, Origin::status);
    d.det.status = SensorStatus::heartbeat;
  }
}

}  // namespace picket::sim

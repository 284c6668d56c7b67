#include "picket/sim/engine.h"

#include <algorithm>
#include <cmath>

#include "picket/sim/random.h"

namespace picket::sim {

namespace {

bool boxes_overlap(const Box2& a, const Vec2& p, const Vec2& q) {
  return std::max(p.x(), q.x()) >= a.min.x() && std::min(p.x(), q.x()) <= a.max.x() &&
         std::max(p.y(), q.y()) >= a.min.y() && std::min(p.y(), q.y()) <= a.max.y();
}

bool in_zone(const Zone& z, const Enu& p) {
  if (z.floor_m && p.z() < *z.floor_m) return false;
  if (z.ceiling_m && p.z() > *z.ceiling_m) return false;
  return z.polygon.contains(p.head<2>());
}

constexpr std::uint8_t kUnknown = 2;

// The wandering centre of a bird flock: a random walker that is not itself output.
MoverSpec flock_centre_spec(const FlockSpec& f) {
  MoverSpec c;
  c.id = f.id;
  c.kind = MoverKind::bird;
  c.cls = TargetClass::animal;
  c.start_s = f.start_s;
  c.duration_s = f.duration_s;
  c.altitude_m = f.altitude_m;
  c.speed_mps = f.center.speed_max_mps;
  c.random_walk = f.center;
  return c;
}

}  // namespace

Simulator::Simulator(const Scenario& scenario, std::uint64_t seed, SimOptions options)
    : sc_(scenario), seed_(seed), options_(options) {
  const double end = sc_.duration_s;
  // Flock centres and birds get MoverSpecs of their own, in a vector that never reallocates.
  std::size_t n_flock = 0;
  for (const auto& f : sc_.flocks)
    n_flock += 1 + static_cast<std::size_t>(f.count);
  flock_specs_.reserve(n_flock);
  centres_.reserve(sc_.flocks.size());
  for (const auto& f : sc_.flocks) {
    flock_specs_.push_back(flock_centre_spec(f));
    centres_.emplace_back(flock_specs_.back(), sc_.site, end, stream_seed(seed_, "flock", f.id));
  }
  movers_.reserve(sc_.movers.size() + n_flock);
  for (const auto& m : sc_.movers) {
    movers_.emplace_back(m, sc_.site, end, stream_seed(seed_, "mover", m.id));
  }
  for (std::size_t k = 0; k < sc_.flocks.size(); ++k) {
    const auto& f = sc_.flocks[k];
    for (int i = 1; i <= f.count; ++i) {
      MoverSpec b;
      b.id = f.id + "-" + std::to_string(i);
      b.kind = MoverKind::bird;
      b.cls = TargetClass::animal;
      b.start_s = f.start_s;
      b.duration_s = f.duration_s;
      b.altitude_m = f.altitude_m;
      b.rcs_m2 = f.rcs_m2;
      b.height_m = kind_defaults(MoverKind::bird).height_m;
      flock_specs_.push_back(std::move(b));
      movers_.emplace_back(flock_specs_.back(), &centres_[k], f.spread_m, end,
                           stream_seed(seed_, "mover", flock_specs_.back().id));
    }
  }
  for (std::size_t i = 0; i < sc_.site.sensors.size(); ++i) {
    const SensorSimSpec settings = i < sc_.sensors.size() ? sc_.sensors[i] : SensorSimSpec{};
    if (!settings.enabled) {
      models_.push_back(nullptr);
      continue;
    }
    const ModelContext ctx{sc_, sc_.site.sensors[i], settings, static_cast<int>(i), seed_, movers_};
    models_.push_back(make_sensor_model(ctx));
  }
  for (const auto& f : sc_.site.fences) {
    Box2 b;
    b.min = b.max = f.points.front();
    for (const auto& p : f.points) {
      b.min = b.min.cwiseMin(p);
      b.max = b.max.cwiseMax(p);
    }
    b.min -= Vec2(kContactDistance, kContactDistance);
    b.max += Vec2(kContactDistance, kContactDistance);
    fence_boxes_.push_back(b);
  }
  in_zone_.assign(movers_.size() * sc_.site.zones.size(), kUnknown);
  stats_.by_sensor.resize(sc_.site.sensors.size());
}

Simulator::~Simulator() = default;

const SensorModel* Simulator::model(int sensor) const {
  if (sensor < 0 || static_cast<std::size_t>(sensor) >= models_.size()) return nullptr;
  return models_[static_cast<std::size_t>(sensor)].get();
}

void Simulator::run(Sink& sink, const std::function<void(double)>& progress) {
  while (!done()) {
    step(sink);
    if (progress) progress(this->progress());
  }
}

void Simulator::step(Sink& sink) {
  if (done()) return;
  const double t0 = t_;
  const double t1 = std::min(static_cast<double>(window_ + 1) * options_.step_s, sc_.duration_s);
  for (auto& c : centres_)
    c.prepare(t0, t1);
  for (auto& m : movers_)
    m.prepare(t0, t1);
  find_events(t0, t1);
  detections_.clear();
  SimWindow w;
  w.t0 = t0;
  w.t1 = t1;
  w.movers = movers_;
  w.positions = positions_;
  w.climbs = climbs_;
  w.crossings = crossings_;
  w.contacts = contacts_;
  for (auto& model : models_) {
    if (model) model->simulate(w, detections_);
  }
  emit(sink, t0, t1);
  t_ = t1;
  ++window_;
}

void Simulator::find_events(double t0, double t1) {
  climbs_.clear();
  crossings_.clear();
  contacts_.clear();
  events_.clear();
  positions_.resize(movers_.size());
  const auto& fences = sc_.site.fences;
  const auto& zones = sc_.site.zones;
  for (std::size_t i = 0; i < movers_.size(); ++i) {
    const Mover& m = movers_[i];
    if (!m.overlaps(t0, t1)) continue;
    const int mi = static_cast<int>(i);
    const double ts = std::max(t0, m.t_begin());
    const double te = std::min(t1, m.t_end());
    // The trajectory in this window: straight between these vertices.
    vertices_.clear();
    vertices_.emplace_back(ts, m.state(ts).pos);
    positions_[i] = vertices_.back().second;
    m.corners(ts, te, corners_);
    for (const double t : corners_)
      vertices_.emplace_back(t, m.state(t).pos);
    vertices_.emplace_back(te, m.state(te).pos);

    auto event = [&](double t, TruthEventKind kind, const Vec2& at) -> TruthEvent& {
      TruthEvent& e = events_.emplace_back();
      e.t = t;
      e.id = m.spec().id;
      e.event = kind;
      e.east = at.x();
      e.north = at.y();
      e.cls = m.spec().cls;
      return e;
    };

    if (!m.flies()) {
      for (std::size_t v = 1; v < vertices_.size(); ++v) {
        const auto& [ta, pa3] = vertices_[v - 1];
        const auto& [tb, pb3] = vertices_[v];
        const Vec2 a = pa3.head<2>();
        const Vec2 b = pb3.head<2>();
        const double len = (b - a).norm();
        if (len <= 0) continue;
        for (std::size_t f = 0; f < fences.size(); ++f) {
          if (!boxes_overlap(fence_boxes_[f], a, b)) continue;
          Vec2 from = a;
          for (int guard = 0; guard < 16; ++guard) {
            const auto c = fences[f].crossing(from, b);
            if (!c) break;
            const double along = (c->point - a).norm();
            // A step that merely starts on the line was counted by the step that ended there.
            if (along > 0) {
              const double t = ta + (tb - ta) * along / len;
              FenceCrossingRecord r;
              r.mover = mi;
              r.fence = static_cast<int>(f);
              r.segment = c->segment;
              r.direction = c->direction;
              r.t = t;
              r.point = c->point;
              r.climbing = m.state(t).climbing;
              crossings_.push_back(r);
              TruthEvent& e = event(t, TruthEventKind::fence_crossing, c->point);
              e.fence = fences[f].id;
              e.segment = c->segment;
              e.direction = c->direction;
            }
            from = c->point + 1e-9 * (b - a) / len;
            if ((b - from).dot(b - a) <= 0) break;
          }
        }
      }
      m.for_each_climb(ts, te, [&](const Leg& l) {
        climbs_.push_back(FenceClimb{mi, l.fence, l.segment, l.t0, l.t1});
      });
      if (m.spec().brush_rate_per_s > 0) {
        const Vec2 p = vertices_.back().second.head<2>();
        for (std::size_t f = 0; f < fences.size(); ++f) {
          if (!fence_boxes_[f].contains(p)) continue;
          const auto n = fences[f].nearest(p);
          if (n.distance <= kContactDistance) {
            contacts_.push_back(FenceContact{mi, static_cast<int>(f), n.segment, ts, te});
          }
        }
      }
    }

    // Zone entries and exits, found by bisection on the straight piece where the state changes.
    for (std::size_t z = 0; z < zones.size(); ++z) {
      std::uint8_t& state = in_zone_[i * zones.size() + z];
      for (std::size_t v = 0; v < vertices_.size(); ++v) {
        const bool in = in_zone(zones[z], vertices_[v].second);
        if (state == kUnknown) state = in ? 1 : 0;  // appears: no event
        if (in == (state == 1)) continue;
        const double ta = v > 0 ? vertices_[v - 1].first : vertices_[v].first;
        const Enu pa = v > 0 ? vertices_[v - 1].second : vertices_[v].second;
        const Enu pb = vertices_[v].second;
        const double span = vertices_[v].first - ta;
        double lo = ta;
        double hi = vertices_[v].first;
        Enu at = pb;
        for (int it = 0; it < 40 && hi - lo > 1e-7; ++it) {
          const double mid = 0.5 * (lo + hi);
          const Enu pm = pa + (pb - pa) * ((mid - ta) / span);
          if (in_zone(zones[z], pm) == in) {
            hi = mid;
            at = pm;
          } else {
            lo = mid;
          }
        }
        TruthEvent& e =
            event(hi, in ? TruthEventKind::zone_entry : TruthEventKind::zone_exit, at.head<2>());
        e.zone = zones[z].id;
        state = in ? 1 : 0;
      }
    }
  }
}

void Simulator::emit(Sink& sink, double t0, double t1) {
  const double epoch = sc_.start_unix;
  // Detections, merged across sensors in time order.
  order_.clear();
  for (std::uint32_t i = 0; i < detections_.size(); ++i) {
    order_.push_back(
        OrderKey{detections_[i].det.t, static_cast<std::uint32_t>(detections_[i].sensor), i});
  }
  std::sort(order_.begin(), order_.end(), [](const OrderKey& x, const OrderKey& y) {
    if (x.t != y.t) return x.t < y.t;
    if (x.sensor != y.sensor) return x.sensor < y.sensor;
    return x.index < y.index;
  });
  for (const OrderKey& key : order_) {
    const std::uint32_t i = key.index;
    SimDetection& d = detections_[i];
    d.det.t += epoch;
    SensorCounts& c = stats_.by_sensor[static_cast<std::size_t>(d.sensor)];
    switch (d.origin) {
      case Origin::target:
        ++c.target;
        break;
      case Origin::clutter:
        ++c.clutter;
        break;
      case Origin::nuisance:
        ++c.nuisance;
        break;
      case Origin::status:
        ++c.status;
        break;
    }
    ++stats_.detections;
    sink.detection(d);
  }
  // Truth samples at k / truth_rate.
  const double rate = sc_.truth_rate_hz;
  for (auto k = static_cast<std::int64_t>(std::ceil(t0 * rate)) - 1;; ++k) {
    const double t = static_cast<double>(k) / rate;
    if (t >= t1) break;
    if (t < t0) continue;
    for (const Mover& m : movers_) {
      if (!m.active(t)) continue;
      const MoverState s = m.state(t);
      TruthSample ts;
      ts.t = epoch + t;
      ts.id = m.spec().id;
      ts.east = s.pos.x();
      ts.north = s.pos.y();
      if (m.flies()) ts.up = s.pos.z();
      ts.cls = m.spec().cls;
      ts.ve = s.vel.x();
      ts.vn = s.vel.y();
      ++stats_.truth_samples;
      sink.truth(ts);
    }
  }
  // Truth events.
  std::stable_sort(events_.begin(), events_.end(),
                   [](const TruthEvent& a, const TruthEvent& b) { return a.t < b.t; });
  for (TruthEvent& e : events_) {
    e.t += epoch;
    ++stats_.events;
    switch (e.event) {
      case TruthEventKind::fence_crossing:
        ++(e.direction == CrossingDirection::inward ? stats_.crossings_inward
                                                    : stats_.crossings_outward);
        break;
      case TruthEventKind::zone_entry:
        ++stats_.zone_entries;
        break;
      case TruthEventKind::zone_exit:
        ++stats_.zone_exits;
        break;
    }
    sink.event(e);
  }
}

}  // namespace picket::sim

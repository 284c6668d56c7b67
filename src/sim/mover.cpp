#include "picket/sim/mover.h"

#include <algorithm>
#include <cmath>

#include "picket/core/units.h"

namespace picket::sim {

namespace {

// Distance before and after the fence line where a climb starts and ends (m).
constexpr double kClimbOffset = 0.5;

struct PathCrossing {
  double along = 0;  // distance from the leg's start
  int fence = 0;
  int segment = 0;
};

// Every crossing of the straight ground leg a -> b with the site's fences, in order along it.
std::vector<PathCrossing> crossings_of(const Site& site, const Vec2& a, const Vec2& b) {
  std::vector<PathCrossing> out;
  const double len = (b - a).norm();
  if (len <= 0) return out;
  const Vec2 u = (b - a) / len;
  for (size_t f = 0; f < site.fences.size(); ++f) {
    double done = 0;  // distance along a->b already searched
    while (done < len) {
      const Vec2 from = a + done * u;
      const auto c = site.fences[f].crossing(from, b);
      if (!c) break;
      const double along = done + c->fraction * (b - from).norm();
      out.push_back({along, static_cast<int>(f), c->segment});
      done = along + 1e-6;
    }
  }
  std::sort(out.begin(), out.end(),
            [](const PathCrossing& x, const PathCrossing& y) { return x.along < y.along; });
  return out;
}

}  // namespace

Mover::Mover(const MoverSpec& spec, const Site& site, double scenario_end, std::uint64_t seed)
    : spec_(&spec), flies_(spec.flies()), t_begin_(spec.start_s), site_(&site), rng_(seed) {
  if (spec.random_walk) {
    t_end_ =
        spec.duration_s > 0 ? std::min(scenario_end, spec.start_s + spec.duration_s) : scenario_end;
    max_speed_ = spec.random_walk->speed_max_mps;
    legs_.reserve(8);
  } else {
    compile_path(site);
    t_end_ = legs_.empty() ? t_begin_ : legs_.back().t1;
  }
  if (t_end_ < t_begin_) t_end_ = t_begin_;
}

Mover::Mover(const MoverSpec& spec, const Mover* center, double spread_m, double scenario_end,
             std::uint64_t seed)
    : spec_(&spec), flies_(true), rng_(seed), center_(center) {
  t_begin_ = std::max(spec.start_s, center->t_begin());
  t_end_ = std::min(scenario_end, center->t_end());
  if (t_end_ < t_begin_) t_end_ = t_begin_;
  radius_ = rng_.uniform(0.2, 1.0) * spread_m;
  const double tangential = rng_.uniform(2.0, 6.0);  // m/s relative to the centre
  omega_ = (rng_.bernoulli(0.5) ? 1 : -1) * tangential / radius_;
  phase_ = rng_.uniform(0, 2 * kPi);
  bob_ = rng_.uniform(0.0, 0.2) * spread_m;
  max_speed_ = center->max_speed() + tangential + std::abs(bob_ * omega_);
}

void Mover::compile_path(const Site& site) {
  const MoverSpec& s = *spec_;
  double t = s.start_s;
  Enu p = s.path.front().position;
  auto add = [&](const Enu& q, double duration, bool climbing = false, int fence = -1,
                 int segment = 0) {
    Leg l;
    l.t0 = t;
    l.t1 = t + duration;
    l.p0 = p;
    l.p1 = q;
    l.climbing = climbing;
    l.fence = fence;
    l.segment = segment;
    legs_.push_back(l);
    if (duration > 0) max_speed_ = std::max(max_speed_, (q - p).norm() / duration);
    t = l.t1;
    p = q;
  };
  auto walk = [&](const Enu& q, double speed) { add(q, (q - p).norm() / speed); };
  if (s.path.front().pause_s > 0) add(p, s.path.front().pause_s);
  for (size_t i = 1; i < s.path.size(); ++i) {
    const Waypoint& w = s.path[i];
    const Enu q = w.position;
    if (!flies_ && s.climb_time_s > 0) {
      const Vec2 a = p.head<2>();
      const Vec2 b = q.head<2>();
      const double len = (b - a).norm();
      double at = 0;  // distance along a->b of the current position
      for (const auto& c : crossings_of(site, a, b)) {
        // A waypoint on the fence line: the leg that ended there climbed already.
        if (c.along < 1e-6 && !legs_.empty() && legs_.back().climbing) continue;
        const Vec2 u = (b - a) / len;
        const double before = std::max(at, c.along - kClimbOffset);
        const double after = std::min(len, c.along + kClimbOffset);
        walk(Enu(a.x() + before * u.x(), a.y() + before * u.y(), 0), w.speed_mps);
        add(Enu(a.x() + after * u.x(), a.y() + after * u.y(), 0), s.climb_time_s, true, c.fence,
            c.segment);
        at = after;
      }
    }
    walk(q, w.speed_mps);
    if (w.pause_s > 0) add(q, w.pause_s);
  }
  if (s.linger_s > 0) add(p, s.linger_s);
}

Vec2 Mover::random_point_in_area() {
  const RandomWalk& w = *spec_->random_walk;
  if (w.area.vertices().empty()) {
    // Uniform in a disc: radius by the square root of a uniform.
    const double r = w.radius_m * std::sqrt(rng_.uniform());
    const double a = rng_.uniform(0, 2 * kPi);
    return w.center + Vec2(r * std::cos(a), r * std::sin(a));
  }
  const Box2& box = w.area.bounds();
  for (int i = 0; i < 1000; ++i) {
    const Vec2 p(rng_.uniform(box.min.x(), box.max.x()), rng_.uniform(box.min.y(), box.max.y()));
    if (w.area.contains(p)) return p;
  }
  return w.area.centroid();
}

void Mover::extend_walk(double until) {
  const RandomWalk& w = *spec_->random_walk;
  if (legs_.empty()) {
    // The first point: anywhere in the area.
    const Vec2 p = random_point_in_area();
    Leg l;
    l.t0 = l.t1 = t_begin_;
    l.p0 = l.p1 = Enu(p.x(), p.y(), flies_ ? spec_->altitude_m : 0.0);
    legs_.push_back(l);
  }
  while (legs_.back().t1 <= until) {
    const Leg& last = legs_.back();
    Vec2 target = random_point_in_area();
    if (w.fence_visits > 0 && site_ && !site_->fences.empty() && rng_.bernoulli(w.fence_visits)) {
      // Go to the fence: the nearest fence point to a random point, 0.2-0.8 m on this side.
      const Vec2 from = target;
      const Fence* best = nullptr;
      Fence::Nearest nb;
      for (const auto& f : site_->fences) {
        const auto n = f.nearest(from);
        if (!best || n.distance < nb.distance) {
          best = &f;
          nb = n;
        }
      }
      const Vec2 dir = nb.distance > 1e-9 ? Vec2((from - nb.point) / nb.distance) : Vec2(0, 0);
      const Vec2 near = nb.point + rng_.uniform(0.2, 0.8) * dir;
      const bool inside = w.area.vertices().empty() ? (near - w.center).norm() <= w.radius_m
                                                    : w.area.contains(near);
      if (inside) target = near;
    }
    const Enu q(target.x(), target.y(), last.p1.z());
    const double speed = rng_.uniform(w.speed_min_mps, w.speed_max_mps);
    Leg l;
    l.t0 = last.t1;
    l.p0 = last.p1;
    l.p1 = q;
    l.t1 = l.t0 + std::max((q - l.p0).norm() / std::max(speed, 1e-3), 1e-3);
    legs_.push_back(l);
    if (w.pause_max_s > 0) {
      Leg pause;
      pause.t0 = pause.t1 = l.t1;
      pause.t1 += rng_.uniform(w.pause_min_s, w.pause_max_s);
      pause.p0 = pause.p1 = q;
      if (pause.t1 > pause.t0) legs_.push_back(pause);
    }
  }
}

void Mover::prepare(double t0, double t1) {
  if (center_ || !spec_->random_walk || !overlaps(t0, t1)) return;
  extend_walk(t1);
  // Forget legs that ended before t0 (keep at least one).
  std::size_t drop = 0;
  while (drop + 1 < legs_.size() && legs_[drop].t1 < t0)
    ++drop;
  if (drop > 0) {
    legs_.erase(legs_.begin(), legs_.begin() + static_cast<std::ptrdiff_t>(drop));
    cursor_ = cursor_ > drop ? cursor_ - drop : 0;
  }
}

const Leg* Mover::find(double t) const {
  if (legs_.empty()) return nullptr;
  std::size_t i = std::min(cursor_, legs_.size() - 1);
  while (i > 0 && legs_[i].t0 > t)
    --i;
  while (i + 1 < legs_.size() && legs_[i].t1 <= t)
    ++i;
  cursor_ = i;
  return &legs_[i];
}

MoverState Mover::state(double t) const {
  MoverState s;
  if (center_) {
    const MoverState c = center_->state(t);
    const double a = phase_ + omega_ * (t - t_begin_);
    const double ca = std::cos(a);
    const double sa = std::sin(a);
    const double sb = std::sin(0.5 * a);
    s.pos = c.pos + Enu(radius_ * ca, radius_ * sa, spec_->altitude_m - c.pos.z() + bob_ * sb);
    s.vel = c.vel + Enu(-radius_ * omega_ * sa, radius_ * omega_ * ca,
                        -c.vel.z() + 0.5 * bob_ * omega_ * std::cos(0.5 * a));
    return s;
  }
  const Leg* l = find(t);
  if (!l) return s;
  const double dt = l->t1 - l->t0;
  if (dt <= 0 || t >= l->t1) {
    s.pos = l->p1;
  } else if (t <= l->t0) {
    s.pos = l->p0;
  } else {
    const double u = (t - l->t0) / dt;
    s.pos = l->p0 + u * (l->p1 - l->p0);
  }
  if (dt > 0 && t >= l->t0 && t < l->t1) {
    s.vel = (l->p1 - l->p0) / dt;
    s.climbing = l->climbing;
  }
  return s;
}

void Mover::corners(double t0, double t1, std::vector<double>& out) const {
  out.clear();
  if (center_) return;  // a smooth circle: the window's chord is close enough
  if (legs_.empty()) return;
  find(t0);
  for (std::size_t i = cursor_; i < legs_.size() && legs_[i].t0 < t1; ++i) {
    if (legs_[i].t1 > t0 && legs_[i].t1 < t1) out.push_back(legs_[i].t1);
  }
}

}  // namespace picket::sim

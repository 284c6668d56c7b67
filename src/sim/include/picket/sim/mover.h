// Movers: where a simulated object is at any time of the run.
//
// A mover's trajectory is a sequence of straight legs at constant velocity (a pause is a leg
// that does not move). Path movers have all their legs compiled on construction from the
// scenario's waypoints; where a ground mover's path crosses a fence, the crossing becomes a
// climb (or cut): the mover stops 0.5 m before the fence line and takes `climb_time` to get to
// 0.5 m beyond it, a leg flagged `climbing` that fence sensors feel. Random walks generate
// their legs lazily from their own random stream and forget legs behind the current window, so
// a day-long walk takes constant memory. A flock bird circles about its flock's wandering centre.
//
// Queries: prepare(t0, t1) once per simulation window (in increasing time), then any number of
// state(t) for t in [t0, t1].
//
// Thread-safety: none; a Mover caches its position in the leg list (a mutable cursor) and belongs
// to the simulator's thread.
#pragma once

#include <optional>
#include <vector>

#include "picket/core/site.h"
#include "picket/sim/random.h"
#include "picket/sim/scenario.h"

namespace picket::sim {

struct Leg {
  double t0 = 0;
  double t1 = 0;
  Enu p0 = Enu::Zero();
  Enu p1 = Enu::Zero();
  bool climbing = false;  // crossing a fence (fence, segment say which)
  int fence = -1;
  int segment = 0;
};

struct MoverState {
  Enu pos = Enu::Zero();
  Enu vel = Enu::Zero();
  bool climbing = false;
};

class Mover {
 public:
  // A path mover or a random walker. `site` gives the fences a path climbs over.
  Mover(const MoverSpec& spec, const Site& site, double scenario_end, std::uint64_t seed);
  // A flock bird circling about `center` (a random walker that is not itself output).
  Mover(const MoverSpec& spec, const Mover* center, double spread_m, double scenario_end,
        std::uint64_t seed);

  const MoverSpec& spec() const { return *spec_; }
  bool flies() const { return flies_; }
  // Exists in [begin, end).
  double t_begin() const { return t_begin_; }
  double t_end() const { return t_end_; }
  bool active(double t) const { return t >= t_begin_ && t < t_end_; }
  bool overlaps(double t0, double t1) const { return t_begin_ < t1 && t_end_ > t0; }
  // An upper bound of its speed (m/s), for culling.
  double max_speed() const { return max_speed_; }

  // Makes state() valid on [t0, t1]; windows must come in increasing time.
  void prepare(double t0, double t1);
  MoverState state(double t) const;
  // The times in (t0, t1) where its velocity changes (leg ends), in order: the trajectory is
  // straight between them.
  void corners(double t0, double t1, std::vector<double>& out) const;
  // Climbing legs that start in [t0, t1).
  template <class F>
  void for_each_climb(double t0, double t1, F&& f) const {
    if (legs_.empty()) return;
    find(t0);
    for (std::size_t i = cursor_; i < legs_.size() && legs_[i].t0 < t1; ++i) {
      if (legs_[i].climbing && legs_[i].t0 >= t0) f(legs_[i]);
    }
  }
  // The compiled legs (paths: all of them; random walks: those around the current window).
  const std::vector<Leg>& legs() const { return legs_; }

 private:
  const Leg* find(double t) const;
  void compile_path(const Site& site);
  void extend_walk(double until);
  Vec2 random_point_in_area();

  const MoverSpec* spec_;
  bool flies_ = false;
  double t_begin_ = 0;
  double t_end_ = 0;
  double max_speed_ = 0;
  std::vector<Leg> legs_;
  mutable std::size_t cursor_ = 0;
  // random walks
  const Site* site_ = nullptr;
  Rng rng_;
  // flock birds
  const Mover* center_ = nullptr;
  double radius_ = 0;
  double omega_ = 0;  // rad/s about the centre
  double phase_ = 0;
  double bob_ = 0;  // vertical amplitude, m
};

}  // namespace picket::sim

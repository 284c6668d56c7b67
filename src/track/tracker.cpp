#include "picket/track/tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <queue>
#include <variant>

#include "picket/track/association.h"
#include "picket/track/chi2.h"
#include "picket/track/class_fusion.h"
#include "picket/track/disk_grid.h"
#include "picket/track/filter.h"
#include "picket/track/prepare.h"

namespace picket::track {

std::string_view to_string(Rejection r) {
  switch (r) {
    case Rejection::non_finite:
      return "non_finite";
    case Rejection::unknown_sensor:
      return "unknown_sensor";
    case Rejection::late:
      return "late";
    case Rejection::time_jump:
      return "time_jump";
    case Rejection::flood:
      return "flood";
    case Rejection::out_of_area:
      return "out_of_area";
    case Rejection::bad_geometry:
      return "bad_geometry";
    case Rejection::missing_noise:
      return "missing_noise";
  }
  return "?";
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kMaxBuffered = 500000;  // reorder buffer bound, detections

// A track's filter: ground (2-D) or air (3-D), one mode or an IMM of three. Air filters are
// boxed so that the common ground track stays small.
using Ground1 = KinematicFilter<2, 1>;
using Ground3 = KinematicFilter<2, 3>;
using Air1 = KinematicFilter<3, 1>;
using Air3 = KinematicFilter<3, 3>;
using FilterBox = std::variant<Ground1, Ground3, std::unique_ptr<Air1>, std::unique_ptr<Air3>>;

template <class T>
struct IsBox : std::false_type {};
template <class T>
struct IsBox<std::unique_ptr<T>> : std::true_type {};

// Calls f with the track's filter, whichever it is.
template <class Box, class F>
decltype(auto) with_filter(Box& box, F&& f) {
  return std::visit(
      [&](auto& alt) -> decltype(auto) {
        if constexpr (IsBox<std::decay_t<decltype(alt)>>::value) {
          return f(*alt);
        } else {
          return f(alt);
        }
      },
      box);
}

struct SensorTouch {
  int sensor = 0;
  int epoch_hits = 0;
  double last_t = 0;
};

// The sensors that updated a track: almost always one or two, kept inline (no allocation per
// track and no pointer to chase on every update); more spill to the heap, in order.
class Touches {
 public:
  SensorTouch* begin() { return heap_.empty() ? in_.data() : heap_.data(); }
  SensorTouch* end() { return begin() + n_; }
  const SensorTouch* begin() const { return heap_.empty() ? in_.data() : heap_.data(); }
  const SensorTouch* end() const { return begin() + n_; }
  void push_back(const SensorTouch& x) {
    if (heap_.empty() && n_ < in_.size()) {
      in_[n_++] = x;
      return;
    }
    if (heap_.empty()) heap_.assign(in_.begin(), in_.begin() + n_);
    heap_.push_back(x);
    ++n_;
  }

 private:
  std::array<SensorTouch, 2> in_{};
  std::uint32_t n_ = 0;
  std::vector<SensorTouch> heap_;
};

struct Track {
  // (what gating reads comes first, next to the filter's combined estimate)
  bool deleted = false;
  TrackStatus status = TrackStatus::tentative;
  double existence = 0;
  double existence_t = 0;
  MotionNoise q;  // process noise: the class-weighted mean (refreshed when cls changes)
  FilterBox filter;
  std::uint64_t id = 0;
  double initial_existence = 0;
  double first_t = 0;
  double last_update_t = 0;
  double class_kin_t = -kInf;
  ClassProbabilities cls{};
  Touches touches;
  std::uint64_t cause_ref = 0;
  int cause_sensor = -1;
  std::uint32_t hits = 0;
  std::uint64_t born_batch = 0;  // the batch that started it
  int born_sensor = -1;          // the sensor whose report started it
  bool published = false;
  bool dirty = false;
  bool air() const { return filter.index() >= 2; }
};

// Horizontal position, velocity and their covariance blocks of a Gaussian of either dimension.
struct Kinematics {
  Vec2 pos{0, 0};
  Vec2 vel{0, 0};
  Eigen::Matrix2d pos_cov = Eigen::Matrix2d::Identity();
  Eigen::Matrix2d vel_cov = Eigen::Matrix2d::Identity();
  double up = 0, vu = 0, up_var = 0;
};

template <class G>
Kinematics kinematics_of(const G& g) {
  constexpr int N = static_cast<int>(std::decay_t<decltype(g.x)>::RowsAtCompileTime);
  constexpr int D = N / 2;
  Kinematics k;
  k.pos = g.x.template head<2>();
  k.vel = g.x.template segment<2>(D);
  k.pos_cov = g.P.template topLeftCorner<2, 2>();
  k.vel_cov = g.P.template block<2, 2>(D, D);
  if constexpr (D == 3) {
    k.up = g.x(2);
    k.vu = g.x(5);
    k.up_var = g.P(2, 2);
  }
  return k;
}

double largest_eigenvalue(const Eigen::Matrix2d& m) {
  const double a = m(0, 0), b = 0.5 * (m(0, 1) + m(1, 0)), c = m(1, 1);
  return 0.5 * (a + c) + std::sqrt(0.25 * (a - c) * (a - c) + b * b);
}

double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// What gating reads of every candidate a spatial-hash query returns, kept apart from the Track
// (about 1 kB, mostly the IMM's mode states) in a parallel array of 40-byte entries: most
// candidates are rejected on these fields alone, so a query touches one small, cache-resident
// entry per candidate instead of a cold Track (hot/cold splitting of a structure of arrays).
struct TrackHot {
  Vec2 reg_centre{0, 0};  // the disk registered in the spatial hash
  double reg_radius = -1;
  std::uint64_t stamp = 0;       // de-duplicates the visits of one query
  std::uint64_t born_batch = 0;  // the batch that started the track (Track::born_batch)
};

struct SensorState {
  double tokens = 0;
  double token_t = -kInf;
  bool have_t0 = false;
  double t0 = 0;
  std::int64_t last_scan = std::numeric_limits<std::int64_t>::min();
  std::vector<double> scan_times;  // starts of this sensor's scans in the current epoch
  double undetected = 0;           // density of undetected targets in its coverage, per m^2
  // Clutter density measured from the data (per m^2 per scan): an exponential moving average of
  // the reports per scan that no track took, over the coverage (a clutter map of one cell).
  double clutter_est = 0;
  double scan_unassociated = 0;  // reports of the current scan that no track took
};

struct Pending {
  double t;
  std::uint64_t seq;
  std::uint32_t slot;
  bool operator>(const Pending& o) const { return t != o.t ? t > o.t : seq > o.seq; }
};

}  // namespace

struct Tracker::Impl {
  Site site;
  TrackerParams p;
  ImmConfig imm;
  std::vector<SensorModel> sensors;
  std::vector<SensorState> ss;
  std::vector<Track> tracks;
  std::vector<TrackHot> hot;  // parallel to tracks
  DiskGrid grid;
  DiskGrid sensor_grid{2000};
  std::vector<int> wide_sensors;  // miss-reporting sensors too large for the sensor grid
  Associator assoc;
  TrackerStats stats;
  std::vector<TrackState> updates;
  std::size_t n_updates = 0;
  double gamma[5] = {0, 0, 0, 0, 0};  // gate thresholds by measurement dimension
  double gate_k = 4;                  // sqrt(gamma[4]): gate radius in standard deviations
  double dup_gate = 4.6;              // same-scan duplicates: chi-square(2) at 0.9
  double birth_per_m2_s = 0;

  // reorder buffer
  // Reports arriving in time order (the usual case) queue in `fifo`; the others in `heap`.
  std::deque<Pending> fifo;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> heap;
  std::vector<PreparedDetection> slots;
  std::vector<std::uint32_t> free_slots;
  std::uint64_t seq = 0;
  bool have_clock = false;
  double clock = -kInf;           // latest detection time seen
  double released_until = -kInf;  // detections at or before this have been released
  int jump_streak = 0;

  // the open batch
  std::vector<std::uint32_t> batch;
  int batch_sensor = -1;
  double batch_t0 = 0;

  // manage epochs
  bool epoch_started = false;
  double epoch_end = 0;

  std::uint64_t next_id = 1;
  std::uint64_t serial = 0;
  std::uint64_t batch_serial = 0;

  // scratch
  std::vector<GatedPair> pairs;
  std::vector<double> pair_ll;
  std::vector<int> track_local;
  std::vector<std::uint32_t> local_tracks;
  std::vector<double> w0, local_r;
  std::vector<char> near_confirmed;
  std::vector<int> det_track;
  std::vector<double> beta, beta0, det_free;
  std::vector<std::uint32_t> spawned;
  std::vector<std::uint32_t> candidates;
  std::vector<int> covering;
  std::vector<char> det_used;
  MeasView gate_views[2];  // the detection being gated, as 2-D and 3-D tracks see it

  // ---------------------------------------------------------------------------------------
  void init() {
    imm.modes = p.motion == MotionModel::imm ? 3 : 1;
    imm.turn_rate = p.turn_rate_rad_s;
    imm.cv_mean_duration = p.cv_mean_duration_s;
    imm.turn_mean_duration = p.turn_mean_duration_s;
    imm.max_step = p.max_step_s;
    for (int k = 1; k <= 4; ++k)
      gamma[k] = chi2_quantile(p.gate_probability, k);
    gate_k = std::sqrt(gamma[4]);
    dup_gate = chi2_quantile(0.9, 2);
    grid = DiskGrid(p.grid_cell_m);
    birth_per_m2_s = p.new_targets_per_km2_h / 1e6 / 3600;
    stats.sensors.resize(site.sensors.size());
    for (std::size_t i = 0; i < site.sensors.size(); ++i) {
      sensors.push_back(make_sensor_model(site.sensors[i], static_cast<int>(i), site, p));
      stats.sensors[i].id = site.sensors[i].id;
      SensorState st;
      const double pd = std::max(site.sensors[i].pd, 1e-3);
      st.clutter_est = sensors.back().clutter_per_m2;
      st.undetected = p.initial_target_density_km2 > 0
                          ? p.initial_target_density_km2 / 1e6
                          : birth_per_m2_s * sensors.back().scan_period / pd;
      ss.push_back(st);
      const auto& s = sensors.back();
      if (!s.reports_misses) continue;
      const double r = s.def.max_range_m;
      if (r / sensor_grid.cell() > 30) {
        wide_sensors.push_back(static_cast<int>(i));
      } else {
        sensor_grid.insert(static_cast<std::uint32_t>(i), s.def.enu.head<2>(), r);
      }
    }
  }

  void reject(Rejection r, const Detection& d, int sensor, std::uint64_t ref, std::string detail) {
    ++stats.rejected[static_cast<size_t>(r)];
    if (sensor >= 0) ++stats.sensors[static_cast<size_t>(sensor)].rejected[static_cast<size_t>(r)];
    int have = 0;
    for (const auto& s : stats.samples)
      have += s.reason == r;
    if (have < TrackerStats::kSamplesPerReason)
      stats.samples.push_back({r, d.sensor, d.t, ref, std::move(detail)});
  }

  // The process noise of a track: the mean over its class probabilities.
  void refresh_noise(Track& tr) const {
    tr.q.horizontal = 0;
    for (int k = 0; k < kNumClasses; ++k) {
      tr.q.horizontal +=
          tr.cls[static_cast<size_t>(k)] * p.classes[static_cast<size_t>(k)].process_noise;
    }
    tr.q.vertical = p.vertical_process_noise;
  }

  double existence_at(const Track& tr, double t) const {
    const double dt = std::max(0.0, t - tr.existence_t);
    return tr.existence * std::exp(-dt / p.mean_lifetime_s);
  }

  Kinematics predicted_kinematics(const Track& tr, double t) const {
    const MotionNoise& q = tr.q;
    return with_filter(tr.filter, [&](const auto& f) {
      return kinematics_of(f.predicted(std::max(t, f.time()), q));
    });
  }

  // ---------------------------------------------------------------------------------------
  // Input

  void push(const Detection& d, std::uint64_t ref) {
    ++stats.received;
    const int si = site.sensor_index(d.sensor);
    if (si < 0) {
      reject(Rejection::unknown_sensor, d, -1, ref,
             fmt::format("sensor '{}' is not in the site file", d.sensor));
      return;
    }
    auto& sc = stats.sensors[static_cast<size_t>(si)];
    ++sc.received;
    if (!std::isfinite(d.t)) {
      reject(Rejection::non_finite, d, si, ref, "time is not finite");
      return;
    }
    if (std::holds_alternative<NoPosition>(d.measurement)) {
      ++stats.status_reports;
      ++sc.status_reports;
      return;
    }
    if (have_clock && d.t < released_until) {
      reject(Rejection::late, d, si, ref,
             fmt::format("{:.3f} s older than the data clock allows (reorder window {} s)",
                         released_until - d.t, p.reorder_window_s));
      return;
    }
    if (have_clock && d.t > clock + p.max_time_jump_s) {
      // A report far ahead of every other: one sensor's clock gone wrong, unless the whole feed
      // jumps (a gap in a recording), which three consecutive reports confirm.
      if (++jump_streak < 3) {
        reject(Rejection::time_jump, d, si, ref,
               fmt::format("{:.0f} s ahead of the data clock", d.t - clock));
        return;
      }
      flush();
      ++stats.time_resyncs;
      clock = d.t;
      released_until = -kInf;
    }
    jump_streak = 0;
    // Rate limit in data time: a token bucket of max_rate per second, one second deep.
    SensorState& st = ss[static_cast<size_t>(si)];
    if (st.token_t == -kInf) {
      st.tokens = p.max_rate_hz;
      st.token_t = d.t;
    } else if (d.t > st.token_t) {
      st.tokens = std::min(p.max_rate_hz, st.tokens + (d.t - st.token_t) * p.max_rate_hz);
      st.token_t = d.t;
    }
    if (st.tokens < 1) {
      reject(Rejection::flood, d, si, ref,
             fmt::format("more than {} reports per second", p.max_rate_hz));
      return;
    }
    std::uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(slots.size());
      slots.emplace_back();
    }
    auto fail = prepare_detection(d, sensors[static_cast<size_t>(si)], site, p, slots[slot]);
    if (fail) {
      free_slots.push_back(slot);
      reject(fail->reason, d, si, ref, std::move(fail->detail));
      return;
    }
    st.tokens -= 1;
    slots[slot].ref = ref;
    ++stats.accepted;
    ++sc.accepted;
    const Pending item{d.t, seq++, slot};
    if (fifo.empty() || d.t >= fifo.back().t) {
      fifo.push_back(item);
    } else {
      heap.push(item);
    }
    if (!have_clock || d.t > clock) clock = d.t;
    have_clock = true;
    release(clock - p.reorder_window_s);
    while (fifo.size() + heap.size() > kMaxBuffered) {
      ++stats.forced_releases;
      release(next_pending().t);
    }
  }

  void advance(double t) {
    if (!std::isfinite(t)) return;
    if (!have_clock || t > clock) clock = t;
    have_clock = true;
    release(clock - p.reorder_window_s);
  }

  void flush() {
    if (!fifo.empty() || !heap.empty()) release(clock);
    if (!batch.empty()) process_batch();
  }

  // The earliest buffered report (ties in arrival order). Precondition: one is buffered.
  const Pending& next_pending() const {
    if (fifo.empty()) return heap.top();
    if (heap.empty()) return fifo.front();
    return fifo.front() > heap.top() ? heap.top() : fifo.front();
  }

  // Releases, in time order, every buffered detection at or before `until`.
  void release(double until) {
    released_until = std::max(released_until, until);
    while (!fifo.empty() || !heap.empty()) {
      const Pending top = next_pending();
      if (top.t > released_until) break;
      if (!heap.empty() && heap.top().seq == top.seq) {
        heap.pop();
      } else {
        fifo.pop_front();
      }
      // the next report's slot was written a reorder window ago: fetch it while this one runs
      if (!fifo.empty()) __builtin_prefetch(&slots[fifo.front().slot]);
      const PreparedDetection& d = slots[top.slot];
      const double span = 0.5 * sensors[static_cast<size_t>(d.sensor)].scan_period;
      if (!batch.empty() && (d.sensor != batch_sensor || d.t - batch_t0 >= span)) process_batch();
      if (batch.empty()) {
        batch_sensor = d.sensor;
        batch_t0 = d.t;
      }
      batch.push_back(top.slot);
    }
    // No later report can join the open batch once the clock has passed its span.
    if (!batch.empty() &&
        released_until >= batch_t0 + 0.5 * sensors[static_cast<size_t>(batch_sensor)].scan_period)
      process_batch();
  }

  // ---------------------------------------------------------------------------------------
  // Batch processing: gate, associate, update, spawn.

  template <class F>
  bool gate_one(const F& f, const MotionNoise& q, const MeasView& v, double t, double& ll,
                double& d2) const {
    const auto g = f.predicted(std::max(t, f.time()), q);
    auto run = [&](auto m_tag) {
      constexpr int M = decltype(m_tag)::value;
      const auto in = F::template gate<M>(v, g);
      ll = in.likelihood();
      d2 = in.d2;
      return in.ok;
    };
    switch (v.dim) {
      case 2:
        return run(std::integral_constant<int, 2>{});
      case 3:
        return run(std::integral_constant<int, 3>{});
      case 4:
        return run(std::integral_constant<int, 4>{});
      default:
        return false;
    }
  }

  template <class F>
  double update_one(F& f, const MeasView& v) {
    switch (v.dim) {
      case 2:
        return f.template update<2>(v);
      case 3:
        return f.template update<3>(v);
      case 4:
        return f.template update<4>(v);
      default:
        return -kInf;
    }
  }

  double pd_of(int sensor) const {
    return std::clamp(sensors[static_cast<size_t>(sensor)].def.pd, 1e-3, 0.999);
  }

  // Clutter density at a sensor's reports, per m^2 per scan: the declared one, or the measured
  // one when that is higher (rain: weather the site file cannot declare). Measured only for
  // sensors that scan an area (radars, cameras): a fence report is evidence for a track at its
  // segment, and wind alarms elsewhere on the fence say nothing about it.
  double clutter_of(int sensor) const {
    return std::max(sensors[static_cast<size_t>(sensor)].clutter_per_m2,
                    ss[static_cast<size_t>(sensor)].clutter_est);
  }

  // Density of clutter plus undetected targets (times Pd) at a detection, per m^2.
  double lambda_xy(int sensor) const {
    return clutter_of(sensor) + pd_of(sensor) * ss[static_cast<size_t>(sensor)].undetected;
  }

  void process_batch() {
    const int si = batch_sensor;
    SensorModel& sm = sensors[static_cast<size_t>(si)];
    SensorState& st = ss[static_cast<size_t>(si)];
    const double t0 = slots[batch.front()].t;

    // manage runs before a batch that starts a new epoch
    if (!epoch_started) {
      epoch_started = true;
      epoch_end = t0 + p.manage_interval_s;
      rebuild_grid(t0);
    } else if (t0 >= epoch_end) {
      // one manage step per interval; after a gap in the data, one step at the new time
      manage(t0 - epoch_end >= p.manage_interval_s ? t0 : epoch_end);
    }
    ++stats.batches;
    ++batch_serial;

    // the sensor's scans (for misses) and its undetected-target density
    const double pd = pd_of(si);
    for (auto slot : batch) {
      const double t = slots[slot].t;
      if (!st.have_t0) {
        st.have_t0 = true;
        st.t0 = t;
      }
      const auto k = static_cast<std::int64_t>(std::floor((t - st.t0) / sm.scan_period + 1e-9));
      if (k != st.last_scan) {
        // The previous scan detected a fraction Pd of the undetected targets (PMBM's Poisson
        // component, reduced to one density per sensor), and new ones were born since.
        if (st.last_scan != std::numeric_limits<std::int64_t>::min()) {
          st.undetected = st.undetected * (1 - pd) + birth_per_m2_s * sm.scan_period;
          // The finished scan's unassociated reports join the measured clutter density (scans
          // without any report since count as empty ones).
          if (p.clutter_memory_s > 0 && sm.reports_misses) {
            const double keep = std::exp(-sm.scan_period / p.clutter_memory_s);
            const double empty =
                static_cast<double>(std::min<std::int64_t>(k - st.last_scan - 1, 10000));
            st.clutter_est = keep * st.clutter_est + (1 - keep) * st.scan_unassociated / sm.area;
            if (empty > 0) st.clutter_est *= std::pow(keep, empty);
          }
        }
        st.scan_unassociated = 0;
        st.last_scan = k;
        st.scan_times.push_back(t);
      }
    }

    // gate
    const std::size_t nd = batch.size();
    pairs.clear();
    pair_ll.clear();
    local_tracks.clear();
    track_local.resize(tracks.size(), -1);
    near_confirmed.assign(nd, 0);
    const double lam = lambda_xy(si);

    for (std::size_t j = 0; j < nd; ++j) {
      const PreparedDetection& det = slots[batch[j]];
      ++serial;
      const double radius = gate_k * det.sigma_xy;
      const Vec2 xy = det.enu.head<2>();
      bool view_built[2] = {false, false};

      // Two passes: the candidates whose disks overlap the report's, in the hash's order, with
      // their tracks' gating fields prefetched; then the gate on each, in the same order (the
      // cache misses of several candidates overlap instead of queueing).
      candidates.clear();
      grid.query(xy, radius, [&](std::uint32_t ti) {
        TrackHot& h = hot[ti];
        if (h.stamp == serial) return;
        h.stamp = serial;
        // the disks must overlap for the gate to hold (a cheap test before the filter's)
        const double reach = h.reg_radius + radius;
        if ((xy - h.reg_centre).squaredNorm() > reach * reach) return;
        candidates.push_back(ti);
        const Track& tr = tracks[ti];
        const char* a = reinterpret_cast<const char*>(&tr);
        const char* f = reinterpret_cast<const char*>(&tr.filter);
        for (const char* c = a; c < f + 200; c += 64)
          __builtin_prefetch(c);
        __builtin_prefetch(f + sizeof(FilterBox) - 1);  // the variant's index
      });
      for (const std::uint32_t ti : candidates) {
        Track& tr = tracks[ti];
        if (tr.deleted) continue;
        const int k = tr.air() ? 1 : 0;
        MeasView& v = gate_views[k];
        if (!view_built[k]) {
          det.view(k, v);
          view_built[k] = true;
        }
        double ll = 0, d2 = 0;
        const MotionNoise& q = tr.q;
        const bool ok =
            with_filter(tr.filter, [&](const auto& f) { return gate_one(f, q, v, det.t, ll, d2); });
        if (!ok || !(d2 <= gamma[v.dim])) continue;
        if (tr.status != TrackStatus::tentative) near_confirmed[j] = 1;
        int& li = track_local[ti];
        if (li < 0) {
          li = static_cast<int>(local_tracks.size());
          local_tracks.push_back(ti);
        }
        const double r = existence_at(tr, det.t);
        // ll is the likelihood g (linear): w = r Pd g / lambda
        const double w = r * pd * ll / (lam * det.jacobian[k]);
        pairs.push_back({static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(li), w});
        pair_ll.push_back(ll);
      }
    }
    stats.gated_pairs += pairs.size();
    const std::size_t nt = local_tracks.size();
    w0.resize(nt);
    local_r.resize(nt);
    const double pg = p.gate_probability;
    for (std::size_t i = 0; i < nt; ++i) {
      local_r[i] = existence_at(tracks[local_tracks[i]], t0);
      w0[i] = std::max(1 - local_r[i] * pd * pg, 1e-12);
    }

    // associate and update
    ClusterStats cs;
    spawned.clear();
    det_used.assign(nd, 0);
    if (p.association == Association::gnn) {
      assoc.gnn(static_cast<int>(nd), static_cast<int>(nt), pairs, w0, det_track, cs);
      for (std::size_t j = 0; j < nd; ++j) {
        if (det_track[j] < 0) continue;
        const std::uint32_t ti = local_tracks[static_cast<size_t>(det_track[j])];
        det_used[j] = hit(ti, slots[batch[j]]);
      }
    } else {
      assoc.jpda(static_cast<int>(nd), static_cast<int>(nt), pairs, w0, beta, beta0, det_free, cs);
      jpda_updates(nd, nt);
    }
    stats.clusters += cs.clusters;
    stats.largest_cluster = std::max(stats.largest_cluster, cs.largest);

    // spawn
    auto& sc = stats.sensors[static_cast<size_t>(si)];
    for (std::size_t j = 0; j < nd; ++j) {
      ++stats.processed;
      if (det_used[j]) {
        ++sc.associated;
        continue;
      }
      const bool free = p.association == Association::gnn || det_free[j] > 0.5;
      if (!free || !sm.def.can_start_tracks || (near_confirmed[j] && !p.spawn_near_confirmed)) {
        ++sc.unassociated;
        st.scan_unassociated += 1;
        continue;
      }
      if (duplicate_of_new_track(slots[batch[j]])) {
        ++sc.unassociated;
        st.scan_unassociated += 1;
        continue;
      }
      spawn(slots[batch[j]]);
      ++sc.started;
    }

    // publish, in time order
    const std::size_t first = n_updates;
    for (auto ti : local_tracks) {
      if (tracks[ti].dirty) publish(tracks[ti], -1);
      track_local[ti] = -1;
    }
    for (auto ti : spawned)
      if (tracks[ti].dirty) publish(tracks[ti], -1);
    sort_updates(first);

    for (auto slot : batch)
      free_slots.push_back(slot);
    batch.clear();
    batch_sensor = -1;
  }

  // Updates track ti with a detection assigned to it. False when the update was refused.
  bool hit(std::uint32_t ti, const PreparedDetection& det) {
    Track& tr = tracks[ti];
    const int k = tr.air() ? 1 : 0;
    MeasView v;
    det.view(k, v);
    const MotionNoise& q = tr.q;
    const double ll = with_filter(tr.filter, [&](auto& f) {
      f.predict(std::max(det.t, f.time()), imm, q);
      return update_one(f, v);
    });
    if (!(ll >= 0) || !std::isfinite(ll)) {
      ++stats.numeric_failures;
      return false;
    }
    const double pd = pd_of(det.sensor);
    const double lam = lambda_xy(det.sensor) * det.jacobian[k];
    // IPDA existence update for one associated measurement: the detection is the target's
    // (r Pd g) or clutter while the target exists undetected (r (1 - Pd Pg) lambda) or not.
    const double r = existence_at(tr, det.t);
    const double pg = p.gate_probability;
    const double x = pd * ll / lam;
    double r_new = r * (x + 1 - pd * pg) / (r * x + 1 - r * pd * pg);
    r_new = std::clamp(r_new, 1e-12, 1 - 1e-9);
    tr.existence = r_new;
    tr.existence_t = det.t;
    touch(tr, det.sensor, det.t, true);
    const auto& sdef = sensors[static_cast<size_t>(det.sensor)].def;
    if (det.cls && sdef.trust_class) {
      fuse_class_report(tr.cls, *det.cls, p.class_report_accuracy, det.score);
      refresh_noise(tr);
    }
    ++tr.hits;
    // A single report never confirms a track (its velocity is unknown); see spawn().
    if (tr.status == TrackStatus::tentative && r_new >= p.confirm_existence && tr.hits >= 2) {
      confirm(tr);
    } else if (tr.status == TrackStatus::coasting) {
      tr.status = TrackStatus::confirmed;
    }
    if (tr.status != TrackStatus::tentative &&
        det.t - tr.class_kin_t >= p.kinematic_class_interval_s)
      kinematic_class(tr, det.t);
    tr.last_update_t = det.t;
    tr.cause_ref = det.ref;
    tr.cause_sensor = det.sensor;
    tr.dirty = true;
    if (!with_filter(tr.filter, [](const auto& f) { return f.finite(); })) {
      ++stats.numeric_failures;
      tr.deleted = true;  // never publish a poisoned state; manage removes it
      tr.dirty = false;
      return true;
    }
    reregister(ti, det.t);
    return true;
  }

  void kinematic_class(Track& tr, double t) {
    tr.class_kin_t = t;
    const Kinematics k = predicted_kinematics(tr, t);
    const double speed = std::sqrt(k.vel.squaredNorm() + k.vu * k.vu);
    const double speed_sigma = std::sqrt(std::max(0.5 * k.vel_cov.trace(), 0.0));
    const double height = tr.air() ? k.up - p.ground_height_m : 0;
    const double height_sigma = tr.air() ? std::sqrt(std::max(k.up_var, 0.0)) : 1;
    fuse_kinematics(tr.cls, speed, speed_sigma, height, height_sigma, p.classes,
                    p.kinematic_class_weight);
    refresh_noise(tr);
  }

  void touch(Track& tr, int sensor, double t, bool count) {
    for (auto& x : tr.touches) {
      if (x.sensor == sensor) {
        x.last_t = t;
        x.epoch_hits += count;
        return;
      }
    }
    tr.touches.push_back({sensor, count ? 1 : 0, t});
  }

  void jpda_updates(std::size_t nd, std::size_t nt) {
    // pairs grouped by local track
    std::vector<std::vector<std::uint32_t>> by_track(nt);
    for (std::uint32_t k = 0; k < pairs.size(); ++k)
      by_track[pairs[k].track].push_back(k);
    std::vector<const MeasView*> views;
    std::vector<MeasView> view_store;
    std::vector<double> b;
    for (std::size_t i = 0; i < nt; ++i) {
      const auto& ks = by_track[i];
      if (ks.empty()) continue;
      Track& tr = tracks[local_tracks[i]];
      const int kdim = tr.air() ? 1 : 0;
      // the most probable detection sets the update's time and measurement dimension
      std::uint32_t best = ks[0];
      for (auto k : ks)
        if (beta[k] > beta[best]) best = k;
      const PreparedDetection& bd = slots[batch[pairs[best].det]];
      const int dim = bd.dim(kdim);
      view_store.clear();
      b.clear();
      double sum = 0;
      for (auto k : ks) {
        const PreparedDetection& d = slots[batch[pairs[k].det]];
        // (the most probable one always stays: a track whose every candidate is below 1e-4 would
        // otherwise be updated with no measurement at all)
        if (d.dim(kdim) != dim || (beta[k] < 1e-4 && k != best)) continue;
        view_store.emplace_back();
        d.view(kdim, view_store.back());
        b.push_back(beta[k]);
        sum += beta[k];
      }
      views.clear();
      for (const auto& v : view_store)
        views.push_back(&v);
      const double b0 = beta0[i];
      const double scale = (1 - b0) / std::max(sum, 1e-12);
      for (auto& x : b)
        x *= scale;
      const double pd = pd_of(bd.sensor);
      const double pg = p.gate_probability;
      const double lam = lambda_xy(bd.sensor) * bd.jacobian[kdim];
      const MotionNoise& q = tr.q;
      with_filter(tr.filter, [&](auto& f) {
        f.predict(std::max(bd.t, f.time()), imm, q);
        const int n = static_cast<int>(views.size());
        switch (dim) {
          case 2:
            f.template update_pda<2>(views.data(), b.data(), n, b0, pd * pg, pd / lam);
            break;
          case 3:
            f.template update_pda<3>(views.data(), b.data(), n, b0, pd * pg, pd / lam);
            break;
          case 4:
            f.template update_pda<4>(views.data(), b.data(), n, b0, pd * pg, pd / lam);
            break;
          default:
            break;
        }
      });
      // JIPDA existence: certain if a detection is the target's, else the miss posterior.
      const double r = existence_at(tr, bd.t);
      const double r_miss = r * (1 - pd * pg) / (1 - r * pd * pg);
      tr.existence = std::clamp((1 - b0) + b0 * r_miss, 1e-12, 1 - 1e-9);
      tr.existence_t = bd.t;
      touch(tr, bd.sensor, bd.t, true);
      if (bd.cls && sensors[static_cast<size_t>(bd.sensor)].def.trust_class && b0 < 0.5) {
        fuse_class_report(tr.cls, *bd.cls, p.class_report_accuracy, bd.score * (1 - b0));
        refresh_noise(tr);
      }
      if (b0 < 0.5) {
        ++tr.hits;
        tr.last_update_t = bd.t;
        tr.cause_ref = bd.ref;
        tr.cause_sensor = bd.sensor;
      }
      if (tr.status == TrackStatus::tentative && tr.existence >= p.confirm_existence &&
          tr.hits >= 2) {
        confirm(tr);
      } else if (tr.status == TrackStatus::coasting && b0 < 0.5) {
        tr.status = TrackStatus::confirmed;
      }
      if (tr.status != TrackStatus::tentative &&
          bd.t - tr.class_kin_t >= p.kinematic_class_interval_s)
        kinematic_class(tr, bd.t);
      tr.dirty = true;
      if (!with_filter(tr.filter, [](const auto& f) { return f.finite(); })) {
        ++stats.numeric_failures;
        tr.deleted = true;
        tr.dirty = false;
        continue;
      }
      reregister(local_tracks[i], bd.t);
    }
    for (std::size_t j = 0; j < nd; ++j)
      det_used[j] = det_free[j] < 0.5;
  }

  // Whether a report falls on a track that another report of the same scan has just started: one
  // scan of a sensor reports a target once, so this is a duplicate (or a flood) and must not
  // start a second track.
  bool duplicate_of_new_track(const PreparedDetection& det) {
    bool dup = false;
    const Vec2 xy = det.enu.head<2>();
    ++serial;
    grid.query(xy, 2 * gate_k * det.sigma_xy, [&](std::uint32_t ti) {
      TrackHot& h = hot[ti];
      if (dup || h.stamp == serial || h.born_batch != batch_serial) return;
      h.stamp = serial;
      const Track& tr = tracks[ti];
      const Kinematics k = predicted_kinematics(tr, det.t);
      const Vec2 d = xy - k.pos;
      const Eigen::Matrix2d S = k.pos_cov + det.enu_cov;
      dup = d.dot(S.ldlt().solve(d)) <= dup_gate;
    });
    return dup;
  }

  // Tentative -> confirmed. Tentative tracks run one constant-velocity mode (their velocity is
  // too uncertain for turn modes to mean anything, and most are clutter); with the IMM, a
  // confirmed track's filter becomes the three-mode bank, every mode starting from the estimate.
  void confirm(Track& tr) {
    tr.status = TrackStatus::confirmed;
    ++stats.tracks_confirmed;
    if (imm.modes == 1) return;
    if (auto* g = std::get_if<Ground1>(&tr.filter)) {
      Ground3 f;
      f.init(g->time(), g->estimate().x, g->estimate().P);
      tr.filter = f;
    } else if (auto* a = std::get_if<std::unique_ptr<Air1>>(&tr.filter)) {
      auto f = std::make_unique<Air3>();
      f->init((*a)->time(), (*a)->estimate().x, (*a)->estimate().P);
      tr.filter = std::move(f);
    }
  }

  void spawn(const PreparedDetection& det) {
    const bool air = det.has_height && det.enu.z() - p.ground_height_m >= p.air_min_height_m;
    const double pd = pd_of(det.sensor);
    const double lam_c = clutter_of(det.sensor);
    const double lam_u = pd * ss[static_cast<size_t>(det.sensor)].undetected;
    Track tr;
    tr.id = next_id++;
    tr.existence = std::clamp(lam_u / (lam_u + lam_c), 1e-9, 0.999);
    tr.initial_existence = tr.existence;
    tr.existence_t = det.t;
    tr.first_t = det.t;
    tr.last_update_t = det.t;
    tr.cls = p.class_prior;
    if (det.cls && sensors[static_cast<size_t>(det.sensor)].def.trust_class)
      fuse_class_report(tr.cls, *det.cls, p.class_report_accuracy, det.score);
    refresh_noise(tr);
    const double sv2 = p.initial_speed_sigma_mps * p.initial_speed_sigma_mps;
    const bool imm_motion = false;  // see confirm()
    if (air) {
      Vec<6> x = Vec<6>::Zero();
      x.head<3>() = det.enu;
      Mat<6> P = Mat<6>::Zero();
      P.topLeftCorner<2, 2>() = det.enu_cov;
      P(2, 2) = det.enu_var_up;
      P.bottomRightCorner<3, 3>() = sv2 * Eigen::Matrix3d::Identity();
      if (imm_motion) {
        auto f = std::make_unique<Air3>();
        f->init(det.t, x, P);
        tr.filter = std::move(f);
      } else {
        auto f = std::make_unique<Air1>();
        f->init(det.t, x, P);
        tr.filter = std::move(f);
      }
    } else {
      Vec<4> x = Vec<4>::Zero();
      x.head<2>() = det.enu.head<2>();
      Mat<4> P = Mat<4>::Zero();
      P.topLeftCorner<2, 2>() = det.enu_cov;
      P.bottomRightCorner<2, 2>() = sv2 * Eigen::Matrix2d::Identity();
      if (imm_motion) {
        Ground3 f;
        f.init(det.t, x, P);
        tr.filter = f;
      } else {
        Ground1 f;
        f.init(det.t, x, P);
        tr.filter = f;
      }
    }
    tr.touches.push_back({det.sensor, 0, det.t});
    tr.hits = 1;
    tr.cause_ref = det.ref;
    tr.cause_sensor = det.sensor;
    tr.dirty = true;
    tr.born_batch = batch_serial;
    tr.born_sensor = det.sensor;
    ++stats.tracks_started;
    const auto ti = static_cast<std::uint32_t>(tracks.size());
    tracks.push_back(std::move(tr));
    hot.push_back({Vec2(0, 0), -1, serial, batch_serial});
    track_local.push_back(-1);
    spawned.push_back(ti);
    reregister(ti, det.t);
  }

  // The disk a track can be gated in from t to the end of the epoch.
  void track_disk(const Track& tr, double t, Vec2& centre, double& radius) const {
    const double t_end = std::max(epoch_end, t);
    const Kinematics k = predicted_kinematics(tr, t_end);
    const double half = 0.5 * (t_end - std::max(t, trk_time(tr)));
    const double speed = k.vel.norm();
    centre = k.pos - half * k.vel;
    radius = speed * half + gate_k * std::sqrt(std::max(largest_eigenvalue(k.pos_cov), 0.0)) + 1;
  }

  static double trk_time(const Track& tr) {
    return with_filter(tr.filter, [](const auto& f) { return f.time(); });
  }

  void reregister(std::uint32_t ti, double t) {
    const Track& tr = tracks[ti];
    TrackHot& h = hot[ti];
    Vec2 c;
    double r = 0;
    track_disk(tr, t, c, r);
    if (h.reg_radius >= 0 && (c - h.reg_centre).norm() + r <= h.reg_radius) return;
    grid.insert(ti, c, r);
    h.reg_centre = c;
    h.reg_radius = r;
  }

  void rebuild_grid(double t) {
    grid.clear();
    for (std::uint32_t ti = 0; ti < tracks.size(); ++ti) {
      TrackHot& h = hot[ti];
      track_disk(tracks[ti], t, h.reg_centre, h.reg_radius);
      grid.insert(ti, h.reg_centre, h.reg_radius);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Manage: misses, coasting, deletion; a new epoch.

  void manage(double tm) {
    ++stats.manage_runs;
    const std::size_t first = n_updates;
    const double pg = p.gate_probability;
    const double t_end = tm + p.manage_interval_s;  // the new epoch's end
    for (std::size_t ti = 0; ti < tracks.size(); ++ti) {
      Track& tr = tracks[ti];
      if (tr.deleted) continue;
      double r = existence_at(tr, tm);
      // One prediction, to the end of the new epoch: the mean at tm follows by moving back
      // along the velocity, and the covariance at the end bounds the one at tm.
      Kinematics k = predicted_kinematics(tr, t_end);
      const double back = t_end - std::max(tm, trk_time(tr));
      const Vec2 pos_end = k.pos;
      k.pos -= back * k.vel;
      k.up -= back * k.vu;
      const Enu pos(k.pos.x(), k.pos.y(), tr.air() ? k.up : p.ground_height_m);
      covering.clear();
      sensor_grid.query(k.pos, 0.0,
                        [&](std::uint32_t s) { covering.push_back(static_cast<int>(s)); });
      for (int s : wide_sensors)
        covering.push_back(s);
      // (a point query visits one cell, and wide sensors are not in the grid: no duplicates)
      for (int s : covering) {
        const SensorModel& sm = sensors[static_cast<size_t>(s)];
        const SensorState& st = ss[static_cast<size_t>(s)];
        if (st.scan_times.empty() || !sm.def.covers(pos)) continue;
        int scans = 0;
        for (double ts : st.scan_times)
          scans += ts > tr.first_t + 1e-9;
        int hits = 0;
        for (const auto& x : tr.touches)
          if (x.sensor == s) hits = x.epoch_hits;
        const int misses = scans - hits;
        if (misses <= 0) continue;
        double pd = pd_of(s);
        if (sm.def.type == SensorType::radar && sm.def.min_radial_speed_mps > 0) {
          // A radar does not see targets in its clutter notch: Pd times the probability that
          // the radial speed is outside +-min_radial_speed.
          const Vec2 los = (k.pos - sm.def.enu.head<2>());
          const double n = los.norm();
          if (n > 1e-3) {
            const Vec2 u = los / n;
            const double vr = u.dot(k.vel);
            const double sr = std::sqrt(std::max(u.dot(k.vel_cov * u), 1e-6));
            const double vmin = sm.def.min_radial_speed_mps;
            const double in_notch = normal_cdf((vmin - vr) / sr) - normal_cdf((-vmin - vr) / sr);
            pd *= 1 - in_notch;
          }
        }
        for (int m = 0; m < misses; ++m)
          r = r * (1 - pd * pg) / (1 - r * pd * pg);
      }
      for (auto& x : tr.touches)
        x.epoch_hits = 0;
      tr.existence = r;
      tr.existence_t = tm;

      // status
      const double since = tm - tr.last_update_t;
      const double sigma = std::sqrt(std::max(largest_eigenvalue(k.pos_cov), 0.0));
      bool remove = false;
      if (tr.status == TrackStatus::tentative) {
        remove = r < tr.initial_existence * p.tentative_delete_ratio ||
                 tm - tr.first_t > p.tentative_max_age_s;
      } else {
        remove = r < p.delete_existence || since > p.max_coast_s || sigma > p.max_position_sigma_m;
        if (!remove && tr.status == TrackStatus::confirmed && since > p.coast_after_s) {
          tr.status = TrackStatus::coasting;
          tr.cause_ref = 0;
          tr.cause_sensor = -1;
          publish(tr, tm);
        }
      }
      if (remove) {
        // A track that never confirmed was made of clutter: its reports join its sensor's
        // measured clutter (a report that starts a track is not counted when it arrives).
        if (tr.status == TrackStatus::tentative && tr.born_sensor >= 0)
          ss[static_cast<size_t>(tr.born_sensor)].scan_unassociated += tr.hits;
        tr.deleted = true;
        const bool was_published = tr.published;
        tr.status = TrackStatus::deleted;
        tr.cause_ref = 0;
        tr.cause_sensor = -1;
        if (was_published) publish(tr, tm);
        ++stats.tracks_deleted;
        continue;
      }
      // the disk it can be gated in during the new epoch (see track_disk)
      const double half = 0.5 * (t_end - std::max(tm, trk_time(tr)));
      hot[ti].reg_centre = pos_end - half * k.vel;
      hot[ti].reg_radius = k.vel.norm() * half + gate_k * sigma + 1;
    }
    sort_updates(first);
    // numerically failed tracks were marked deleted without publication above or in hit()
    std::size_t kept = 0;
    for (std::size_t i = 0; i < tracks.size(); ++i) {
      if (tracks[i].deleted) {
        if (tracks[i].status != TrackStatus::deleted) ++stats.tracks_deleted;
        continue;
      }
      if (kept != i) {
        tracks[kept] = std::move(tracks[i]);
        hot[kept] = hot[i];
      }
      ++kept;
    }
    tracks.resize(kept);
    hot.resize(kept);
    track_local.assign(tracks.size(), -1);
    for (auto& st : ss)
      st.scan_times.clear();
    epoch_end = t_end;
    grid.clear();
    for (std::uint32_t ti = 0; ti < tracks.size(); ++ti)
      grid.insert(ti, hot[ti].reg_centre, hot[ti].reg_radius);
  }

  // ---------------------------------------------------------------------------------------
  // Output

  // Puts the updates from `first` on in time order (then by track id: deterministic), without
  // allocating (most batches publish one or two updates).
  void sort_updates(std::size_t first) {
    auto begin = updates.begin() + static_cast<std::ptrdiff_t>(first);
    auto end = updates.begin() + static_cast<std::ptrdiff_t>(n_updates);
    if (end - begin < 2) return;
    std::sort(begin, end, [](const TrackState& a, const TrackState& b) {
      return a.t != b.t ? a.t < b.t : a.id < b.id;
    });
  }

  // Appends the track's state: at its filter time, or predicted to `t` when t >= 0.
  void publish(Track& tr, double t) {
    tr.dirty = false;
    if (tr.status == TrackStatus::tentative && !p.publish_tentative) return;
    if (n_updates == updates.size()) updates.emplace_back();
    TrackState& s = updates[n_updates++];
    fill_state(tr, t, s);
    tr.published = true;
  }

  void fill_state(const Track& tr, double t, TrackState& s) const {
    const double tf = trk_time(tr);
    const double at = t >= 0 ? std::max(t, tf) : tf;
    const MotionNoise& q = tr.q;
    s.id = tr.id;
    s.t = at;
    s.air = tr.air();
    with_filter(tr.filter, [&](const auto& f) {
      const auto g = f.predicted(at, q);
      constexpr int D = std::decay_t<decltype(f)>::N / 2;
      s.position.setZero();
      s.velocity.setZero();
      s.position_cov.setZero();
      s.position.template head<D>() = g.x.template head<D>();
      s.velocity.template head<D>() = g.x.template tail<D>();
      s.position_cov.template topLeftCorner<D, D>() = g.P.template topLeftCorner<D, D>();
      if constexpr (D == 2) s.position.z() = p.ground_height_m;
    });
    s.status = tr.status;
    s.class_probs = tr.cls;
    const auto [c, pc] = most_probable(tr.cls);
    s.cls = c;
    s.class_p = pc;
    s.sensors.clear();
    for (const auto& x : tr.touches) {
      if (x.last_t >= at - p.sensor_memory_s)
        s.sensors.push_back(sensors[static_cast<size_t>(x.sensor)].def.id);
    }
    s.first_t = tr.first_t;
    s.existence = existence_at(tr, at);
    s.detection = tr.cause_ref;
    if (tr.cause_sensor >= 0) {
      s.detection_sensor = sensors[static_cast<size_t>(tr.cause_sensor)].def.id;
    } else {
      s.detection_sensor.clear();
    }
  }
};

Tracker::Tracker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tracker::Tracker(Tracker&&) noexcept = default;
Tracker& Tracker::operator=(Tracker&&) noexcept = default;
Tracker::~Tracker() = default;

Result<Tracker> Tracker::create(const Site& site, const TrackerParams& params) {
  auto impl = std::make_unique<Impl>();
  impl->site = site;
  impl->p = params;
  impl->init();
  return Tracker(std::move(impl));
}

void Tracker::push(const Detection& d, std::uint64_t ref) {
  impl_->push(d, ref);
}
void Tracker::advance(double t) {
  impl_->advance(t);
}
void Tracker::flush() {
  impl_->flush();
}
std::span<const TrackState> Tracker::updates() const {
  return {impl_->updates.data(), impl_->n_updates};
}
void Tracker::clear_updates() {
  impl_->n_updates = 0;
}
void Tracker::snapshot(double t, std::vector<TrackState>& out, bool include_tentative) const {
  out.clear();
  for (const auto& tr : impl_->tracks) {
    if (tr.deleted) continue;
    if (tr.status == TrackStatus::tentative && !include_tentative) continue;
    out.emplace_back();
    impl_->fill_state(tr, t, out.back());
  }
}
const TrackerStats& Tracker::stats() const {
  return impl_->stats;
}
const TrackerParams& Tracker::params() const {
  return impl_->p;
}
std::size_t Tracker::live_tracks() const {
  return impl_->tracks.size();
}

}  // namespace picket::track

#include "picket/rules/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <deque>
#include <limits>
#include <queue>
#include <unordered_map>

#include "picket/rules/spatial.h"

namespace picket::rules {

namespace {

constexpr double kNever = -std::numeric_limits<double>::infinity();
constexpr std::string_view kActorRules = "rules";
constexpr std::string_view kActorPolicy = "policy";
constexpr std::string_view kFenceRule = "policy.fence";
constexpr std::string_view kHealthRule = "policy.health";
constexpr int kNearRing = 4;

struct ZoneStay {
  int zone = 0;
  double since = 0;
};

// What a rule saw: when, where, and the value behind it.
struct Trigger {
  double t = 0;
  Vec2 pos{0, 0};
  double value = 0;
  int segment = 0;
  std::optional<CrossingDirection> direction;
  double speed = 0;  // airspace_approach: the closing speed (m/s)
};

Trigger trig(double t, const Vec2& pos, double value = 0) {
  Trigger tr;
  tr.t = t;
  tr.pos = pos;
  tr.value = value;
  return tr;
}

struct Held {
  int rule = 0;
  Trigger trigger;
};

struct TrackMem {
  std::uint64_t id = 0;
  double t = kNever;
  Vec2 pos{0, 0};
  double up = 0;
  Vec2 vel{0, 0};
  double vup = 0;  // vertical speed (m/s, up)
  bool has_pos = false;
  bool air = false;
  std::optional<std::uint32_t> icao;  // cooperative identity (TrackState::icao)
  std::string callsign;
  TrackStatus status = TrackStatus::tentative;
  TargetClass cls = TargetClass::unknown;
  double class_p = 0;
  ClassProbabilities probs{};
  std::vector<std::string> sensors;  // sorted
  std::uint64_t sensors_fp = 0;      // order-independent fingerprint of `sensors`
  SensorTypeMask types = 0;          // types of the sensors that contributed recently
  SensorTypeMask types_seen = 0;     // every type that has contributed (or confirmed) so far
  double fence_evidence_t = kNever;  // a fence trigger near this track
  std::vector<ZoneStay> zones;       // ascending by zone
  std::uint32_t slot = 0;            // index into tracks and into the bit arena
  std::vector<std::pair<int, double>> cond_since;  // speed rules with `for`
  std::vector<Held> held;
  std::vector<std::pair<int, std::uint64_t>> alarms;  // (rule, alarm id)
  bool unconfirmed = false;  // has open alarms waiting for a second sensor type
  bool live = false;
};

bool test_bit(const std::uint64_t* v, int i) {
  return (v[static_cast<size_t>(i) >> 6] >> (static_cast<unsigned>(i) & 63u)) & 1u;
}
void set_bit(std::uint64_t* v, int i, bool on) {
  const std::uint64_t mask = std::uint64_t{1} << (static_cast<unsigned>(i) & 63u);
  auto& w = v[static_cast<size_t>(i) >> 6];
  w = on ? (w | mask) : (w & ~mask);
}

// Track id -> slot: open addressing with linear probing and backward-shift deletion, so a
// look-up costs one cache line instead of std::unordered_map's bucket and node.
class IdMap {
 public:
  IdMap() { entries_.resize(64); }
  std::uint32_t* find(std::uint64_t key) {
    for (size_t i = hash(key) & mask();; i = (i + 1) & mask()) {
      Entry& e = entries_[i];
      if (!e.used) return nullptr;
      if (e.key == key) return &e.value;
    }
  }
  // The slot for key (inserted with `value` if absent) and whether it was inserted.
  std::pair<std::uint32_t*, bool> emplace(std::uint64_t key, std::uint32_t value) {
    if ((size_ + 1) * 2 > entries_.size()) grow();
    for (size_t i = hash(key) & mask();; i = (i + 1) & mask()) {
      Entry& e = entries_[i];
      if (!e.used) {
        e = Entry{key, value, true};
        ++size_;
        return {&e.value, true};
      }
      if (e.key == key) return {&e.value, false};
    }
  }
  void erase(std::uint64_t key) {
    size_t i = hash(key) & mask();
    while (entries_[i].used && entries_[i].key != key)
      i = (i + 1) & mask();
    if (!entries_[i].used) return;
    entries_[i].used = false;
    --size_;
    // Shift back the entries that probed past the hole.
    for (size_t j = (i + 1) & mask(); entries_[j].used; j = (j + 1) & mask()) {
      const size_t ideal = hash(entries_[j].key) & mask();
      const bool between = i <= j ? (ideal > i && ideal <= j) : (ideal > i || ideal <= j);
      if (between) continue;
      entries_[i] = entries_[j];
      entries_[j].used = false;
      i = j;
    }
  }
  size_t size() const { return size_; }

 private:
  struct Entry {
    std::uint64_t key = 0;
    std::uint32_t value = 0;
    bool used = false;
  };
  // Trackers number tracks in sequence: keep neighbouring ids in neighbouring entries (cache
  // friendly, no collisions), and fold the high bits in so that strided ids still spread.
  static size_t hash(std::uint64_t k) {
    return static_cast<size_t>(k ^ (k >> 16) ^ (k >> 32) ^ (k >> 48));
  }
  size_t mask() const { return entries_.size() - 1; }
  void grow() {
    std::vector<Entry> old(entries_.size() * 2);
    old.swap(entries_);
    size_ = 0;
    for (const auto& e : old)
      if (e.used) emplace(e.key, e.value);
  }
  std::vector<Entry> entries_;
  size_t size_ = 0;
};

// A fingerprint of a set of sensor ids that does not depend on their order.
std::uint64_t sensors_fingerprint(const std::vector<std::string>& ids) {
  std::uint64_t fp = ids.size();
  for (const auto& id : ids) {
    std::uint64_t h = std::hash<std::string_view>{}(id);
    h ^= h >> 31;
    h *= 0x9e3779b97f4a7c15ULL;
    fp += h ^ (h >> 29);
  }
  return fp;
}

struct NearTrack {
  std::uint64_t track = 0;
  double t = kNever;
  bool corroborates = false;
};

struct SegState {
  double last_trigger_t = kNever;
  int last_sensor = -1;
  std::uint64_t alarm = 0;  // the latest fence_alarm of this segment
  double alarm_trigger_t = kNever;
  std::deque<double> pending;      // unconfirmed triggers waiting for a track
  std::deque<double> unconfirmed;  // triggers whose window expired with no track
  double last_unconfirmed_t = kNever;
  bool nuisance = false;
  std::uint64_t nuisance_alarm = 0;
  double nuisance_update_t = kNever;
  int suppressed = 0;
  std::array<NearTrack, kNearRing> near{};
};

struct SensorState {
  double limit = 0;  // 0: not monitored
  double last_seen = kNever;
  bool silent = false;
  bool reported_fault = false;
  std::uint64_t fault_alarm = 0;
  std::uint64_t tamper_alarm = 0;
};

enum class TimerKind : std::uint8_t { fence_expire, nuisance_quiet, health, forget };
struct Timer {
  double t;
  TimerKind kind;
  std::uint32_t index;
  bool operator>(const Timer& o) const {
    if (t != o.t) return t > o.t;
    if (kind != o.kind) return kind > o.kind;
    return index > o.index;
  }
};

double type_factor(SensorTypeMask types) {
  const int n = std::max(1, std::popcount(static_cast<unsigned>(types)));
  return 1.0 - std::pow(0.5, n);
}

std::string class_word(TargetClass c) {
  return c == TargetClass::unknown ? "unknown object" : std::string(to_string(c));
}

std::string types_text(SensorTypeMask types) {
  std::string s;
  for (int i = 0; i < 8; ++i) {
    if ((types >> i) & 1u) {
      s += (s.empty() ? "" : "+") + std::string(to_string(static_cast<SensorType>(i)));
    }
  }
  return s.empty() ? "none" : s;
}

}  // namespace

struct RulesEngine::Impl {
  const Site& site;
  RulesConfig cfg;
  AlarmBook book;
  RulesMetrics metrics;
  SpatialIndex index;
  std::vector<bool> armed;
  size_t words = 1;  // 64-bit words per rule bitset

  // Rules by what they watch.
  std::vector<std::vector<int>> crossing_by_fence, approach_by_fence;
  std::vector<std::vector<int>> entry_by_zone, exit_by_zone, loiter_by_zone, count_by_zone;
  std::vector<int> speed_rules, approach_rules;
  // Airspace rules: intrusion by zone (evaluated with the zone's band); floor and approach
  // rules tested per air-track update against their volume.
  std::vector<std::vector<int>> intrusion_by_zone;
  std::vector<int> floor_rules, volume_approach_rules;
  // The speed rules' fields the per-update loop reads, packed together.
  struct SpeedRule {
    int rule;
    int zone;
    bool above;
    bool air;
    ClassMask classes;
    double bound;
    double hold_s;
    double min_p;
  };
  std::vector<SpeedRule> speed_compact;
  std::vector<int> approach_slot;  // rule -> index into approach_rules

  // Tracks.
  IdMap track_slot;
  std::vector<TrackMem> tracks;
  std::vector<std::uint64_t> bits;  // per slot: `words` latched words, then `words` counted
  std::vector<std::uint32_t> free_slots;

  // Count rules: objects counted and whether the alarm is active.
  std::vector<int> counts;
  std::vector<std::uint64_t> count_alarm;

  // Fence segments: flat, seg_base[fence] + segment - 1.
  std::vector<size_t> seg_base;
  std::vector<SegState> segs;

  std::vector<SensorState> sensors;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
  bool started = false;
  double now = kNever;

  // Scratch, reused to avoid allocation per update.
  int cell = -1;  // the grid cell of the track being updated
  std::vector<int> zones_now;
  std::vector<std::uint32_t> along;
  std::vector<double> approach_d;
  std::vector<Vec2> approach_q;
  std::vector<double> approach_side;
  std::vector<int> approach_touched;

  Impl(const Site& s, RulesConfig c, std::uint64_t first_id)
      : site(s), cfg(std::move(c)), book(first_id) {
    const size_t nr = cfg.rules.size();
    words = std::max<size_t>(1, (nr + 63) / 64);
    armed.resize(nr);
    crossing_by_fence.resize(site.fences.size());
    approach_by_fence.resize(site.fences.size());
    entry_by_zone.resize(site.zones.size());
    exit_by_zone.resize(site.zones.size());
    loiter_by_zone.resize(site.zones.size());
    count_by_zone.resize(site.zones.size());
    intrusion_by_zone.resize(site.zones.size());
    approach_slot.assign(nr, -1);
    counts.assign(nr, 0);
    count_alarm.assign(nr, 0);
    double radius =
        std::max(cfg.policy.fence.distance_m, cfg.policy.second_sensor.fence_distance_m);
    for (size_t i = 0; i < nr; ++i) {
      const Rule& r = cfg.rules[i];
      const int ri = static_cast<int>(i);
      armed[i] = r.armed;
      switch (r.type) {
        case RuleType::fence_crossing:
          crossing_by_fence[static_cast<size_t>(r.fence)].push_back(ri);
          break;
        case RuleType::approach:
          approach_by_fence[static_cast<size_t>(r.fence)].push_back(ri);
          approach_slot[i] = static_cast<int>(approach_rules.size());
          approach_rules.push_back(ri);
          radius = std::max(radius, r.distance_m);
          break;
        case RuleType::zone_entry:
          entry_by_zone[static_cast<size_t>(r.zone)].push_back(ri);
          break;
        case RuleType::zone_exit:
          exit_by_zone[static_cast<size_t>(r.zone)].push_back(ri);
          break;
        case RuleType::loitering:
          loiter_by_zone[static_cast<size_t>(r.zone)].push_back(ri);
          break;
        case RuleType::count:
          count_by_zone[static_cast<size_t>(r.zone)].push_back(ri);
          break;
        case RuleType::speed:
          speed_rules.push_back(ri);
          speed_compact.push_back({ri, r.zone, r.above_mps.has_value(), r.air, r.classes,
                                   r.above_mps ? *r.above_mps : r.below_mps.value_or(0), r.hold_s,
                                   r.min_class_p});
          break;
        case RuleType::airspace_intrusion:
          intrusion_by_zone[static_cast<size_t>(r.zone)].push_back(ri);
          break;
        case RuleType::below_floor:
          floor_rules.push_back(ri);
          break;
        case RuleType::airspace_approach:
          volume_approach_rules.push_back(ri);
          break;
      }
    }
    approach_d.assign(approach_rules.size(), 0);
    approach_q.assign(approach_rules.size(), Vec2(0, 0));
    approach_side.assign(approach_rules.size(), 0);
    index = SpatialIndex(site, radius);
    size_t n = 0;
    for (const auto& f : site.fences) {
      seg_base.push_back(n);
      n += f.segments.size();
    }
    segs.resize(n);
    sensors.resize(site.sensors.size());
    for (size_t i = 0; i < site.sensors.size(); ++i)
      sensors[i].limit = cfg.policy.health.silence_limit(site.sensors[i], i);
  }

  // --- helpers --------------------------------------------------------------------------------

  static double class_mass(ClassMask mask, const TrackMem& m) {
    if (mask == kAllClasses) return 1.0;
    double sum = 0;
    double total = 0;
    for (int c = 0; c < kNumClasses; ++c) {
      const double p = m.probs[static_cast<size_t>(c)];
      total += p;
      if ((mask >> c) & 1u) sum += p;
    }
    if (total <= 0) {  // no distribution: the most likely class and its probability
      return (mask & class_bit(m.cls)) ? (m.class_p > 0 ? m.class_p : 1.0) : 0.0;
    }
    return sum / total;
  }
  static bool class_passes(ClassMask mask, double min_p, const TrackMem& m) {
    if (mask == kAllClasses) return true;
    if (min_p <= 0) return (mask & class_bit(m.cls)) != 0;
    return class_mass(mask, m) >= min_p;
  }
  bool rule_sees(const Rule& r, const TrackMem& m) const {
    return (r.air || !m.air) && class_passes(r.classes, r.min_class_p, m);
  }
  // Airspace rules: air tracks only, filtered by class and by cooperative identity.
  bool airspace_sees(const Rule& r, const TrackMem& m) const {
    if (!m.air) return false;
    if (r.cooperation == Cooperation::non && m.icao) return false;
    if (r.cooperation == Cooperation::only && !m.icao) return false;
    return class_passes(r.classes, r.min_class_p, m);
  }
  bool alarmable(const TrackMem& m) const {
    return m.status == TrackStatus::confirmed || m.status == TrackStatus::coasting ||
           cfg.policy.tracks.alarm_on_tentative;
  }
  bool corroborates(const TrackMem& m) const {
    return (m.status == TrackStatus::confirmed || m.status == TrackStatus::coasting) &&
           class_passes(cfg.policy.fence.classes, cfg.policy.fence.min_class_p, m);
  }
  // The sensor types behind a track: every type that has ever contributed to it (a track once
  // seen by camera and radar stays confirmed when only the radar sees it) and a fence sensor
  // that reported a segment near it recently.
  // A fence sensor (reporting through the tracker or near the track) confirms only a track that
  // passes the corroboration class test: wind on the fence next to a fox confirms nothing.
  SensorTypeMask track_types(const TrackMem& m, double t) const {
    SensorTypeMask types = m.types | m.types_seen;
    if (t - m.fence_evidence_t <= cfg.policy.second_sensor.fence_window_s)
      types |= sensor_type_bit(SensorType::fence);
    if (!corroborates(m)) types &= static_cast<SensorTypeMask>(~sensor_type_bit(SensorType::fence));
    return types;
  }
  bool types_confirm(SensorTypeMask types) const {
    const SensorTypeMask req = cfg.policy.second_sensor.required_for;
    if (req == 0) return true;
    if (std::popcount(static_cast<unsigned>(types)) >= 2) return true;
    return (types & ~req) != 0;
  }
  SegState& seg_state(int fence, int segment) {
    return segs[seg_base[static_cast<size_t>(fence)] + static_cast<size_t>(segment - 1)];
  }
  Vec2 segment_mid(int fence, int segment) const {
    const Fence& f = site.fences[static_cast<size_t>(fence)];
    const FenceSegment& s = f.segments[static_cast<size_t>(segment - 1)];
    return f.point_at((s.start_m + s.end_m) / 2);
  }
  TrackMem* find_track(std::uint64_t id) {
    const std::uint32_t* slot = track_slot.find(id);
    return slot ? &tracks[*slot] : nullptr;
  }
  // Bit per rule: the rule's condition is met and handled (latched conditions).
  std::uint64_t* latched(const TrackMem& m) { return &bits[m.slot * 2 * words]; }
  // Bit per rule: the track is counted by this count rule.
  std::uint64_t* counted(const TrackMem& m) { return &bits[m.slot * 2 * words + words]; }
  void count_event(std::vector<AlarmEvent>& out, size_t before) {
    for (size_t i = before; i < out.size(); ++i) {
      ++metrics.alarm_events;
      if (out[i].type == AlarmEventType::raised) ++metrics.alarms_raised;
    }
  }

  // --- time -------------------------------------------------------------------------------

  double clamp_time(double t) {
    if (t < now) {
      ++metrics.late_inputs;
      return now;
    }
    return t;
  }

  void start(double t) {
    started = true;
    now = t;
    for (size_t i = 0; i < sensors.size(); ++i) {
      if (sensors[i].limit > 0) {
        sensors[i].last_seen = t;
        timers.push({t + sensors[i].limit, TimerKind::health, static_cast<std::uint32_t>(i)});
      }
    }
    timers.push({t + std::max(1.0, cfg.policy.tracks.forget_after_s / 2), TimerKind::forget, 0});
  }

  // Fires every timer due strictly before t, in time order, each at its own time.
  void advance(double t, std::vector<AlarmEvent>& out) {
    if (!std::isfinite(t)) return;
    if (!started) start(t);
    while (!timers.empty() && timers.top().t < t) {
      const Timer tm = timers.top();
      timers.pop();
      now = std::max(now, tm.t);
      switch (tm.kind) {
        case TimerKind::fence_expire:
          expire_pending(tm.index, tm.t, out);
          break;
        case TimerKind::nuisance_quiet:
          nuisance_quiet(tm.index, tm.t, out);
          break;
        case TimerKind::health:
          health_due(tm.index, tm.t, out);
          break;
        case TimerKind::forget:
          forget_sweep(tm.t, out);
          timers.push(
              {tm.t + std::max(1.0, cfg.policy.tracks.forget_after_s / 2), TimerKind::forget, 0});
          break;
      }
    }
    now = std::max(now, t);
  }

  // --- tracks -------------------------------------------------------------------------------

  TrackMem& track_mem(std::uint64_t id) {
    auto [value, inserted] = track_slot.emplace(id, 0);
    if (!inserted) return tracks[*value];
    std::uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(tracks.size());
      tracks.emplace_back();
      bits.resize(bits.size() + 2 * words, 0);
    }
    *value = slot;
    TrackMem& m = tracks[slot];
    m = TrackMem{};
    m.id = id;
    m.slot = slot;
    m.live = true;
    std::fill_n(latched(m), 2 * words, 0);
    metrics.tracks_live = track_slot.size();
    return m;
  }

  void drop_track(TrackMem& m, double t, std::vector<AlarmEvent>& out) {
    // Uncount it from every count rule.
    for (const auto& stay : m.zones) {
      for (int ri : count_by_zone[static_cast<size_t>(stay.zone)]) {
        if (test_bit(counted(m), ri)) {
          set_bit(counted(m), ri, false);
          --counts[static_cast<size_t>(ri)];
          check_count(ri, m, t, out);
        }
      }
    }
    metrics.held_dropped += m.held.size();
    free_slots.push_back(m.slot);
    track_slot.erase(m.id);
    m = TrackMem{};
    metrics.tracks_live = track_slot.size();
  }

  void forget_sweep(double t, std::vector<AlarmEvent>& out) {
    const double limit = cfg.policy.tracks.forget_after_s;
    for (auto& m : tracks) {
      if (m.live && t - m.t > limit) {
        ++metrics.tracks_forgotten;
        drop_track(m, t, out);
      }
    }
  }

  void update_sensors(TrackMem& m, const std::vector<std::string>& s) {
    m.sensors = s;
    std::sort(m.sensors.begin(), m.sensors.end());
    m.types = 0;
    for (const auto& id : m.sensors) {
      if (const SensorDef* def = site.find_sensor(id)) m.types |= sensor_type_bit(def->type);
    }
    m.types_seen |= m.types;
  }

  void on_track(const TrackState& s, std::vector<AlarmEvent>& out) {
    const size_t before = out.size();
    if (!std::isfinite(s.t) || !s.position.allFinite() || !s.velocity.allFinite()) {
      ++metrics.bad_inputs;
      return;
    }
    const double t = started ? clamp_time(s.t) : s.t;
    advance(t, out);
    ++metrics.track_updates;
    if (s.status == TrackStatus::deleted) {
      if (TrackMem* m = find_track(s.id)) drop_track(*m, t, out);
      count_event(out, before);
      return;
    }
    TrackMem& m = track_mem(s.id);
    const bool was_alarmable = m.has_pos && alarmable(m);
    const Vec2 prev = m.pos;
    const bool had_pos = m.has_pos;
    m.t = t;
    m.pos = s.position.head<2>();
    m.up = s.position.z();
    m.vel = s.velocity.head<2>();
    m.vup = s.velocity.z();
    m.air = s.air;
    m.icao = s.icao;
    if (m.callsign != s.callsign) m.callsign = s.callsign;
    m.status = s.status;
    m.cls = s.cls;
    m.class_p = s.class_p;
    m.probs = s.class_probs;
    m.has_pos = true;
    if (const std::uint64_t fp = sensors_fingerprint(s.sensors);
        fp != m.sensors_fp || s.sensors.size() != m.sensors.size()) {
      m.sensors_fp = fp;
      update_sensors(m, s.sensors);
    }

    // Held triggers of a track that has just been confirmed.
    if (!was_alarmable && alarmable(m) && !m.held.empty()) {
      auto held = std::move(m.held);
      m.held.clear();
      for (const auto& h : held)
        fire(h.rule, m, h.trigger, t, out);
    }

    cell = index.cell_of(m.pos);
    zones_step(m, t, out);
    if (had_pos && prev != m.pos) crossing_step(m, prev, t, out);
    near_step(m, t, out);
    speed_step(m, t, out);
    if (!floor_rules.empty() || !volume_approach_rules.empty()) volume_step(m, t, out);
    if (m.unconfirmed) confirm_step(m, t, out);
    count_event(out, before);
  }

  void zones_step(TrackMem& m, double t, std::vector<AlarmEvent>& out) {
    zones_now.clear();
    index.zones_at(m.pos, cell, zones_now);
    // Airspace volumes: only within their altitude band.
    std::erase_if(zones_now, [&](int z) {
      const Zone& zone = site.zones[static_cast<size_t>(z)];
      return (zone.floor_m && m.up < *zone.floor_m) || (zone.ceiling_m && m.up > *zone.ceiling_m);
    });
    // Exits and entries (both lists ascending).
    size_t i = 0;
    size_t j = 0;
    std::vector<ZoneStay> next;
    next.reserve(zones_now.size());
    const auto& old = m.zones;
    while (i < old.size() || j < zones_now.size()) {
      if (j == zones_now.size() || (i < old.size() && old[i].zone < zones_now[j])) {
        zone_exit(m, old[i].zone, t, out);
        ++i;
      } else if (i == old.size() || zones_now[j] < old[i].zone) {
        next.push_back({zones_now[j], t});
        zone_entry(m, zones_now[j], t, out);
        ++j;
      } else {
        next.push_back(old[i]);
        ++i;
        ++j;
      }
    }
    if (next.size() != m.zones.size() ||
        !std::equal(next.begin(), next.end(), m.zones.begin(),
                    [](const ZoneStay& a, const ZoneStay& b) { return a.zone == b.zone; })) {
      m.zones = std::move(next);
    }
    // Loitering and counts for the zones it is in.
    for (const auto& stay : m.zones) {
      for (int ri : loiter_by_zone[static_cast<size_t>(stay.zone)]) {
        const Rule& r = cfg.rules[static_cast<size_t>(ri)];
        const double dwell = t - stay.since;
        latched_condition(ri, m, dwell >= r.duration_s && rule_sees(r, m), trig(t, m.pos, dwell),
                          out);
      }
      for (int ri : intrusion_by_zone[static_cast<size_t>(stay.zone)]) {
        const Rule& r = cfg.rules[static_cast<size_t>(ri)];
        latched_condition(ri, m, airspace_sees(r, m), trig(t, m.pos, m.up), out);
      }
      for (int ri : count_by_zone[static_cast<size_t>(stay.zone)]) {
        const Rule& r = cfg.rules[static_cast<size_t>(ri)];
        const bool now_counted =
            (m.status == TrackStatus::confirmed || m.status == TrackStatus::coasting) &&
            rule_sees(r, m);
        if (now_counted != test_bit(counted(m), ri)) {
          set_bit(counted(m), ri, now_counted);
          counts[static_cast<size_t>(ri)] += now_counted ? 1 : -1;
          check_count(ri, m, t, out);
        }
      }
    }
  }

  void zone_entry(TrackMem& m, int z, double t, std::vector<AlarmEvent>& out) {
    for (int ri : entry_by_zone[static_cast<size_t>(z)]) {
      if (rule_sees(cfg.rules[static_cast<size_t>(ri)], m)) trigger(ri, m, trig(t, m.pos), out);
    }
  }

  void zone_exit(TrackMem& m, int z, double t, std::vector<AlarmEvent>& out) {
    for (int ri : exit_by_zone[static_cast<size_t>(z)]) {
      if (rule_sees(cfg.rules[static_cast<size_t>(ri)], m)) trigger(ri, m, trig(t, m.pos), out);
    }
    for (int ri : loiter_by_zone[static_cast<size_t>(z)])
      set_bit(latched(m), ri, false);
    for (int ri : intrusion_by_zone[static_cast<size_t>(z)])
      set_bit(latched(m), ri, false);
    for (int ri : count_by_zone[static_cast<size_t>(z)]) {
      if (test_bit(counted(m), ri)) {
        set_bit(counted(m), ri, false);
        --counts[static_cast<size_t>(ri)];
        check_count(ri, m, t, out);
      }
    }
  }

  void crossing_step(TrackMem& m, const Vec2& prev, double t, std::vector<AlarmEvent>& out) {
    const auto [along_first, along_last] = index.pieces_along(prev, m.pos, along);
    int fence = -1;
    double best = 2;
    const FencePiece* best_piece = nullptr;
    auto flush = [&] {
      if (fence < 0 || !best_piece) return;
      const Fence& f = site.fences[static_cast<size_t>(fence)];
      const Segment2& e = best_piece->seg;
      const double s1 = e.side(m.pos);
      const double s0 = e.side(prev);
      const double s = s1 != 0 ? s1 : -s0;
      const auto dir =
          s * f.inside_sign > 0 ? CrossingDirection::inward : CrossingDirection::outward;
      const Vec2 point = prev + best * (m.pos - prev);
      for (int ri : crossing_by_fence[static_cast<size_t>(fence)]) {
        const Rule& r = cfg.rules[static_cast<size_t>(ri)];
        if (best_piece->segment < r.first_segment || best_piece->segment > r.last_segment) continue;
        if (r.direction != Direction::both &&
            (r.direction == Direction::inward) != (dir == CrossingDirection::inward)) {
          continue;
        }
        if (!rule_sees(r, m)) continue;
        Trigger tr = trig(t, point);
        tr.segment = best_piece->segment;
        tr.direction = dir;
        trigger(ri, m, tr, out);
      }
    };
    for (const std::uint32_t* it = along_first; it != along_last; ++it) {
      const FencePiece& p = index.pieces()[*it];
      if (p.fence != fence) {
        flush();
        fence = p.fence;
        best = 2;
        best_piece = nullptr;
      }
      if (crossing_by_fence[static_cast<size_t>(p.fence)].empty()) continue;
      if (auto f = segment_intersection(prev, m.pos, p.seg); f && *f < best) {
        best = *f;
        best_piece = &p;
      }
    }
    flush();
  }

  void near_step(TrackMem& m, double t, std::vector<AlarmEvent>& out) {
    const auto [first, last] = index.pieces_near(cell);
    approach_touched.clear();
    const FencePolicy& fp = cfg.policy.fence;
    const SecondSensorPolicy& sp = cfg.policy.second_sensor;
    const bool corr = corroborates(m);
    for (const std::uint32_t* it = first; it != last; ++it) {
      const FencePiece& p = index.pieces()[*it];
      const Vec2 q = p.seg.closest_point(m.pos);
      const double d = (q - m.pos).norm();
      if (d > index.near_radius()) continue;
      if (d <= fp.distance_m || d <= sp.fence_distance_m) {
        SegState& seg = seg_state(p.fence, p.segment);
        // Fence evidence for the track's own alarms needs the same class test as corroboration.
        if (corr && d <= sp.fence_distance_m && t - seg.last_trigger_t <= sp.fence_window_s) {
          m.fence_evidence_t = std::max(m.fence_evidence_t, seg.last_trigger_t);
          m.types_seen |= sensor_type_bit(SensorType::fence);
        }
        if (d <= fp.distance_m) {
          note_near(seg, m, t, corr);
          if (corr && !seg.pending.empty()) corroborate_pending(p.fence, p.segment, m, t, out);
        }
      }
      for (int ri : approach_by_fence[static_cast<size_t>(p.fence)]) {
        const Rule& r = cfg.rules[static_cast<size_t>(ri)];
        if (p.segment < r.first_segment || p.segment > r.last_segment || d > r.distance_m) continue;
        const auto k = static_cast<size_t>(approach_slot[static_cast<size_t>(ri)]);
        const bool fresh = std::find(approach_touched.begin(), approach_touched.end(),
                                     static_cast<int>(k)) == approach_touched.end();
        if (fresh || d < approach_d[k]) {
          if (fresh) approach_touched.push_back(static_cast<int>(k));
          approach_d[k] = d;
          approach_q[k] = q;
          approach_side[k] =
              p.seg.side(m.pos) * site.fences[static_cast<size_t>(p.fence)].inside_sign;
        }
      }
    }
    for (size_t k = 0; k < approach_rules.size(); ++k) {
      const int ri = approach_rules[k];
      const bool touched = std::find(approach_touched.begin(), approach_touched.end(),
                                     static_cast<int>(k)) != approach_touched.end();
      if (!touched && !test_bit(latched(m), ri)) continue;
      bool cond = false;
      double closing = 0;
      if (touched) {
        const Rule& r = cfg.rules[static_cast<size_t>(ri)];
        const Vec2 to_fence = approach_q[k] - m.pos;
        const double d = approach_d[k];
        closing = d > 1e-6 ? m.vel.dot(to_fence) / d : 0;
        const bool side_ok =
            r.side == Side::both ||
            (r.side == Side::outside ? approach_side[k] < 0 : approach_side[k] > 0);
        cond = side_ok && closing >= r.min_speed_mps && rule_sees(r, m);
      }
      latched_condition(ri, m, cond, trig(t, m.pos, touched ? approach_d[k] : 0), out);
    }
  }

  void speed_step(TrackMem& m, double t, std::vector<AlarmEvent>& out) {
    if (speed_rules.empty()) return;
    const double speed = m.air ? std::hypot(m.vel.x(), m.vel.y()) : m.vel.norm();
    std::uint64_t* latch = latched(m);
    for (const SpeedRule& sr : speed_compact) {
      bool cond = (sr.above ? speed > sr.bound : speed < sr.bound) && (sr.air || !m.air) &&
                  class_passes(sr.classes, sr.min_p, m);
      if (cond && sr.zone >= 0) {
        cond = std::any_of(m.zones.begin(), m.zones.end(),
                           [&](const ZoneStay& s) { return s.zone == sr.zone; });
      }
      if (sr.hold_s > 0) {
        auto it = std::find_if(m.cond_since.begin(), m.cond_since.end(),
                               [&](const auto& p) { return p.first == sr.rule; });
        if (cond) {
          if (it == m.cond_since.end()) {
            m.cond_since.emplace_back(sr.rule, t);
            cond = false;
          } else {
            cond = t - it->second >= sr.hold_s;
          }
        } else if (it != m.cond_since.end()) {
          m.cond_since.erase(it);
        }
      }
      if (!cond) {
        set_bit(latch, sr.rule, false);
        continue;
      }
      latched_condition(sr.rule, m, cond, trig(t, m.pos, speed), out);
      latch = latched(m);
    }
  }

  // Floor and approach rules of airspace volumes. Distance to a volume (a vertical prism: the
  // zone's polygon between its floor and ceiling) is the Euclidean distance to its nearest
  // point: horizontally to the polygon (0 inside it), vertically to the altitude band (0
  // within it). The closing speed is the velocity's component towards that point.
  void volume_step(TrackMem& m, double t, std::vector<AlarmEvent>& out) {
    for (int ri : floor_rules) {
      const Rule& r = cfg.rules[static_cast<size_t>(ri)];
      const Zone& z = site.zones[static_cast<size_t>(r.zone)];
      const bool cond = m.up < r.floor_m && airspace_sees(r, m) &&
                        z.polygon.bounds().contains(m.pos) && z.polygon.contains(m.pos);
      latched_condition(ri, m, cond, trig(t, m.pos, m.up), out);
    }
    for (int ri : volume_approach_rules) {
      const Rule& r = cfg.rules[static_cast<size_t>(ri)];
      bool cond = false;
      double d = 0;
      double closing = 0;
      if (airspace_sees(r, m)) {
        const Zone& z = site.zones[static_cast<size_t>(r.zone)];
        const Box2& b = z.polygon.bounds();
        // Lower bound of the horizontal distance: to the bounding box.
        const double bx = std::max({b.min.x() - m.pos.x(), 0.0, m.pos.x() - b.max.x()});
        const double by = std::max({b.min.y() - m.pos.y(), 0.0, m.pos.y() - b.max.y()});
        if (std::hypot(bx, by) <= r.distance_m) {
          Vec2 q = m.pos;
          if (!z.polygon.contains(m.pos)) {
            const auto& v = z.polygon.vertices();
            double best = std::numeric_limits<double>::infinity();
            for (size_t i = 0; i < v.size(); ++i) {
              const Segment2 e{v[i], v[(i + 1) % v.size()]};
              const Vec2 c = e.closest_point(m.pos);
              if (const double dd = (c - m.pos).squaredNorm(); dd < best) {
                best = dd;
                q = c;
              }
            }
          }
          const double lo = z.floor_m.value_or(-std::numeric_limits<double>::infinity());
          const double hi = z.ceiling_m.value_or(std::numeric_limits<double>::infinity());
          const double dz = std::clamp(m.up, lo, hi) - m.up;
          const Vec2 dh = q - m.pos;
          d = std::sqrt(dh.squaredNorm() + dz * dz);
          if (d > 1e-6) closing = (m.vel.dot(dh) + m.vup * dz) / d;
          cond = d > 1e-6 && d <= r.distance_m && closing >= r.min_speed_mps;
        }
      }
      Trigger tr = trig(t, m.pos, d);
      tr.speed = closing;
      latched_condition(ri, m, cond, tr, out);
    }
  }

  // A condition that holds over time raises once when it starts to hold (while armed), and
  // again only after it has stopped holding.
  void latched_condition(int ri, TrackMem& m, bool cond, const Trigger& tr,
                         std::vector<AlarmEvent>& out) {
    if (!cond) {
      set_bit(latched(m), ri, false);
      return;
    }
    if (test_bit(latched(m), ri)) return;
    if (trigger(ri, m, tr, out)) set_bit(latched(m), ri, true);
  }

  // A rule's condition is met. Returns false when the rule is disarmed (the condition may fire
  // later, when armed).
  bool trigger(int ri, TrackMem& m, const Trigger& tr, std::vector<AlarmEvent>& out) {
    ++metrics.triggers;
    const Rule& r = cfg.rules[static_cast<size_t>(ri)];
    if (!armed[static_cast<size_t>(ri)] || !r.schedule.active(tr.t, cfg.policy.timezone)) {
      ++metrics.disarmed;
      return false;
    }
    if (!alarmable(m)) {
      ++metrics.held;
      m.held.push_back({ri, tr});
      return true;
    }
    fire(ri, m, tr, tr.t, out);
    return true;
  }

  std::string rule_text(const Rule& r, const TrackMem& m, const Trigger& tr) const {
    std::string who = fmt::format("track {} ({})", m.id, class_word(m.cls));
    if (m.icao) {
      who = m.callsign.empty()
                ? fmt::format("track {} ({}, ICAO {:06X})", m.id, class_word(m.cls), *m.icao)
                : fmt::format("track {} ({}, {} ICAO {:06X})", m.id, class_word(m.cls), m.callsign,
                              *m.icao);
    }
    switch (r.type) {
      case RuleType::fence_crossing:
        return fmt::format("{} crossed {} segment {} {}", who,
                           site.fences[static_cast<size_t>(r.fence)].name, tr.segment,
                           tr.direction ? to_string(*tr.direction) : "");
      case RuleType::zone_entry:
        return fmt::format("{} entered {}", who, site.zones[static_cast<size_t>(r.zone)].name);
      case RuleType::zone_exit:
        return fmt::format("{} left {}", who, site.zones[static_cast<size_t>(r.zone)].name);
      case RuleType::approach:
        return fmt::format("{} {:.0f} m from {}, heading towards it", who, tr.value,
                           site.fences[static_cast<size_t>(r.fence)].name);
      case RuleType::loitering:
        return fmt::format("{} in {} for {:.0f} s", who,
                           site.zones[static_cast<size_t>(r.zone)].name, tr.value);
      case RuleType::speed:
        return fmt::format(
            "{} at {:.1f} m/s ({} {:.1f} m/s){}", who, tr.value, r.above_mps ? "above" : "below",
            r.above_mps ? *r.above_mps : r.below_mps.value_or(0),
            r.zone >= 0 ? " in " + site.zones[static_cast<size_t>(r.zone)].name : std::string());
      case RuleType::count:
        return fmt::format("{} objects in {} (more than {})", tr.value,
                           site.zones[static_cast<size_t>(r.zone)].name, r.more_than);
      case RuleType::airspace_intrusion:
        return fmt::format("{}{} inside {} at {:.0f} m", who, m.icao ? "" : " without identity",
                           site.zones[static_cast<size_t>(r.zone)].name, tr.value);
      case RuleType::below_floor:
        return fmt::format("{} at {:.0f} m over {}, below the floor of {:.0f} m", who, tr.value,
                           site.zones[static_cast<size_t>(r.zone)].name, r.floor_m);
      case RuleType::airspace_approach:
        return fmt::format("{} {:.0f} m from {}, closing at {:.1f} m/s", who, tr.value,
                           site.zones[static_cast<size_t>(r.zone)].name, tr.speed);
    }
    return {};
  }

  // Sets an alarm's confirmation, priority and score from the track's sensor types.
  void assess(Alarm& a, const Rule& r, const TrackMem& m, double t) const {
    const SensorTypeMask types = track_types(m, t);
    a.confirmations = std::popcount(static_cast<unsigned>(types));
    a.confirmed = types_confirm(types);
    AlarmPriority p = r.priority;
    if (!a.confirmed && r.second_sensor) {
      p = std::min(p, cfg.policy.second_sensor.unconfirmed_priority);
    }
    a.priority = std::max(a.priority, p);
    a.score = class_mass(r.classes, m) * type_factor(types);
  }

  void fill_track(Alarm& a, const TrackMem& m) const {
    a.track = m.id;
    a.cls = m.cls;
    a.class_p = m.class_p;
    a.sensors = m.sensors;
    a.up = m.air ? std::optional<double>(m.up) : std::nullopt;
  }

  // Raises the rule's alarm for this track, or updates its open one.
  void fire(int ri, TrackMem& m, const Trigger& tr, double t, std::vector<AlarmEvent>& out) {
    const Rule& r = cfg.rules[static_cast<size_t>(ri)];
    Alarm* open = nullptr;
    for (auto it = m.alarms.begin(); it != m.alarms.end(); ++it) {
      if (it->first == ri) {
        open = book.open(it->second);
        if (!open) m.alarms.erase(it);
        break;
      }
    }
    if (open) {
      const bool was_confirmed = open->confirmed;
      ++open->count;
      open->trigger_t = std::max(open->trigger_t, tr.t);
      open->east = tr.pos.x();
      open->north = tr.pos.y();
      open->value = tr.value;
      if (tr.segment) open->segment = tr.segment;
      if (tr.direction) open->direction = tr.direction;
      fill_track(*open, m);
      assess(*open, r, m, t);
      open->active = true;
      open->text = rule_text(r, m, tr);
      book.updated(
          *open, t, kActorRules,
          !was_confirmed && open->confirmed
              ? fmt::format("triggered again; confirmed by {}", types_text(track_types(m, t)))
              : "triggered again",
          out);
      if (!open->confirmed) m.unconfirmed = true;
      return;
    }
    Alarm a;
    a.kind = alarm_kind(r.type);
    a.rule = r.id;
    a.priority = AlarmPriority::low;
    fill_track(a, m);
    assess(a, r, m, t);
    a.east = tr.pos.x();
    a.north = tr.pos.y();
    a.value = tr.value;
    a.trigger_t = tr.t;
    a.segment = tr.segment;
    a.direction = tr.direction;
    if (r.fence >= 0) a.fence = site.fences[static_cast<size_t>(r.fence)].id;
    if (r.zone >= 0) a.zone = site.zones[static_cast<size_t>(r.zone)].id;
    a.text = rule_text(r, m, tr);
    const bool confirmed = a.confirmed;
    const std::uint64_t id =
        book.raise(std::move(a), t, kActorRules,
                   confirmed ? std::string() : "waiting for a second sensor type", out);
    m.alarms.emplace_back(ri, id);
    if (!confirmed) m.unconfirmed = true;
  }

  // A track with unconfirmed alarms: has a second sensor type joined?
  void confirm_step(TrackMem& m, double t, std::vector<AlarmEvent>& out) {
    const SensorTypeMask types = track_types(m, t);
    if (!types_confirm(types)) return;
    bool left = false;
    for (auto& [ri, id] : m.alarms) {
      Alarm* a = book.open(id);
      if (!a || a->confirmed) continue;
      const Rule& r = cfg.rules[static_cast<size_t>(ri)];
      assess(*a, r, m, t);
      if (!a->confirmed) {
        left = true;
        continue;
      }
      fill_track(*a, m);
      book.updated(*a, t, kActorRules, fmt::format("confirmed by {}", types_text(types)), out);
    }
    m.unconfirmed = left;
  }

  // --- counts ---------------------------------------------------------------------------------

  void check_count(int ri, const TrackMem& m, double t, std::vector<AlarmEvent>& out) {
    const Rule& r = cfg.rules[static_cast<size_t>(ri)];
    const int n = counts[static_cast<size_t>(ri)];
    Alarm* a = book.open(count_alarm[static_cast<size_t>(ri)]);
    if (n > r.more_than) {
      if (a && a->active) {
        if (n > a->value) {  // a new high while active
          a->value = n;
          a->text = rule_text(r, m, trig(t, m.pos, static_cast<double>(n)));
          ++a->count;
          book.updated(*a, t, kActorRules, "more objects", out);
        }
        return;
      }
      ++metrics.triggers;
      if (!armed[static_cast<size_t>(ri)] || !r.schedule.active(t, cfg.policy.timezone)) {
        ++metrics.disarmed;
        return;
      }
      if (a) {
        a->active = true;
        a->value = n;
        ++a->count;
        a->trigger_t = t;
        a->east = m.pos.x();
        a->north = m.pos.y();
        a->text = rule_text(r, m, trig(t, m.pos, static_cast<double>(n)));
        book.updated(*a, t, kActorRules, "triggered again", out);
        return;
      }
      Alarm na;
      na.kind = AlarmKind::count;
      na.rule = r.id;
      na.priority = r.priority;
      na.confirmed = true;
      na.score = 1;
      na.track = m.id;
      na.cls = m.cls;
      na.class_p = m.class_p;
      na.zone = site.zones[static_cast<size_t>(r.zone)].id;
      na.east = m.pos.x();
      na.north = m.pos.y();
      na.value = n;
      na.trigger_t = t;
      na.text = rule_text(r, m, trig(t, m.pos, static_cast<double>(n)));
      count_alarm[static_cast<size_t>(ri)] = book.raise(std::move(na), t, kActorRules, "", out);
    } else if (a && a->active) {
      a->value = n;
      book.cleared(*a, t, kActorRules, fmt::format("{} objects now", n), out);
    }
  }

  // --- fence sensors --------------------------------------------------------------------------

  void note_near(SegState& seg, const TrackMem& m, double t, bool corr) {
    size_t slot = 0;
    for (size_t i = 0; i < seg.near.size(); ++i) {
      if (seg.near[i].track == m.id) {
        slot = i;
        break;
      }
      if (seg.near[i].t < seg.near[slot].t) slot = i;
    }
    seg.near[slot] = NearTrack{m.id, t, corr};
  }

  Alarm fence_alarm_proto(int fence, int segment, int sensor) const {
    Alarm a;
    a.kind = AlarmKind::fence_alarm;
    a.rule = std::string(kFenceRule);
    a.priority = AlarmPriority::low;
    a.fence = site.fences[static_cast<size_t>(fence)].id;
    a.segment = segment;
    if (sensor >= 0) a.sensor = site.sensors[static_cast<size_t>(sensor)].id;
    const Vec2 mid = segment_mid(fence, segment);
    a.east = mid.x();
    a.north = mid.y();
    return a;
  }

  // Makes a fence alarm confirmed by track m (or, with no track, unconfirmed).
  void fence_assess(Alarm& a, const TrackMem* m, const SegState& seg, double t) const {
    const FencePolicy& fp = cfg.policy.fence;
    const Fence& f = *site.find_fence(a.fence);
    if (m) {
      a.confirmed = true;
      a.priority = std::max(a.priority, fp.priority);
      fill_track(a, *m);
      a.east = m->pos.x();
      a.north = m->pos.y();
      const SensorTypeMask types = m->types | sensor_type_bit(SensorType::fence);
      a.confirmations = std::popcount(static_cast<unsigned>(types));
      a.score = class_mass(fp.classes, *m) * type_factor(types);
      a.text = fmt::format("fence sensor {}: {} segment {}, confirmed by track {} ({})", a.sensor,
                           f.name, a.segment, m->id, class_word(m->cls));
    } else {
      a.confirmed = false;
      a.priority = std::max(a.priority, fp.unconfirmed_priority);
      a.confirmations = 1;
      const auto recent = static_cast<double>(seg.unconfirmed.size());
      a.score = 0.5 / (1.0 + recent);
      a.text =
          fmt::format("fence sensor {}: {} segment {}, no track seen", a.sensor, f.name, a.segment);
    }
    (void)t;
  }

  void fence_trigger(int sensor, const SegmentMeasurement& sm, double t,
                     std::vector<AlarmEvent>& out) {
    const SensorDef& def = site.sensors[static_cast<size_t>(sensor)];
    const std::string& fence_id = sm.fence.empty() ? def.fence : sm.fence;
    const Fence* f = site.find_fence(fence_id);
    if (!f || sm.segment < 1 || sm.segment > static_cast<int>(f->segments.size()) ||
        (def.type == SensorType::fence && fence_id == def.fence &&
         (sm.segment < def.first_segment || sm.segment > def.last_segment))) {
      ++metrics.bad_segment;
      return;
    }
    ++metrics.fence_triggers;
    const int fence = static_cast<int>(f - site.fences.data());
    SegState& seg = seg_state(fence, sm.segment);
    seg.last_trigger_t = t;
    seg.last_sensor = sensor;
    const FencePolicy& fp = cfg.policy.fence;

    // Tracks near this segment: evidence for their single-sensor alarms, and corroboration.
    const NearTrack* confirm = nullptr;
    for (const auto& n : seg.near) {
      if (n.track == 0) continue;
      if (n.corroborates && t - n.t <= cfg.policy.second_sensor.fence_window_s) {
        if (TrackMem* m = find_track(n.track)) {
          m->fence_evidence_t = t;
          m->types_seen |= sensor_type_bit(SensorType::fence);
          if (m->unconfirmed) confirm_step(*m, t, out);
        }
      }
      if (n.corroborates && t - n.t <= fp.window_s && (!confirm || n.t > confirm->t)) confirm = &n;
    }
    TrackMem* track = confirm ? find_track(confirm->track) : nullptr;
    Alarm* open = book.open(seg.alarm);
    if (open && t - seg.alarm_trigger_t > fp.retrigger_window_s) open = nullptr;

    if (confirm) {
      ++metrics.fence_confirmed;
      if (open) {
        const bool was = open->confirmed;
        ++open->count;
        open->trigger_t = t;
        open->sensor = def.id;
        if (track) fence_assess(*open, track, seg, t);
        book.updated(*open, t, kActorPolicy,
                     was ? "triggered again" : fmt::format("confirmed by track {}", confirm->track),
                     out);
      } else {
        Alarm a = fence_alarm_proto(fence, sm.segment, sensor);
        a.priority = fp.priority;
        a.trigger_t = t;
        if (track) {
          fence_assess(a, track, seg, t);
        } else {
          a.confirmed = true;
          a.track = confirm->track;
          a.confirmations = 2;
          a.score = 0.75;
          a.text = fmt::format("fence sensor {}: {} segment {}, confirmed by track {}", a.sensor,
                               f->name, a.segment, confirm->track);
        }
        seg.alarm = book.raise(std::move(a), t, kActorPolicy,
                               fmt::format("track {} near the segment", confirm->track), out);
      }
      seg.alarm_trigger_t = t;
      return;
    }

    // No track yet: wait for one until the window closes.
    seg.pending.push_back(t);
    timers.push({t + fp.window_s, TimerKind::fence_expire,
                 static_cast<std::uint32_t>(seg_base[static_cast<size_t>(fence)] +
                                            static_cast<size_t>(sm.segment - 1))});
    if (seg.nuisance) {
      ++metrics.fence_suppressed;
      ++seg.suppressed;
      Alarm* na = book.open(seg.nuisance_alarm);
      if (na && t - seg.nuisance_update_t >= fp.nuisance.rate_limit_s) {
        na->count += seg.suppressed;
        na->trigger_t = t;
        seg.suppressed = 0;
        seg.nuisance_update_t = t;
        book.updated(*na, t, kActorPolicy, "still triggering with no track", out);
      }
      return;
    }
    if (open) {
      ++open->count;
      open->trigger_t = t;
      open->sensor = def.id;
      book.updated(*open, t, kActorPolicy, "triggered again", out);
    } else {
      Alarm a = fence_alarm_proto(fence, sm.segment, sensor);
      a.priority = fp.unconfirmed_priority;
      a.trigger_t = t;
      fence_assess(a, nullptr, seg, t);
      seg.alarm = book.raise(std::move(a), t, kActorPolicy, "unconfirmed: no track near", out);
    }
    seg.alarm_trigger_t = t;
  }

  // A corroborating track came near a segment with triggers waiting for one.
  void corroborate_pending(int fence, int segment, TrackMem& m, double t,
                           std::vector<AlarmEvent>& out) {
    SegState& seg = seg_state(fence, segment);
    const FencePolicy& fp = cfg.policy.fence;
    // Pending triggers still waiting are within the window (expired ones were removed).
    metrics.fence_confirmed += seg.pending.size();
    const double trig = seg.pending.back();
    seg.pending.clear();
    Alarm* open = book.open(seg.alarm);
    if (open && seg.alarm_trigger_t >= trig - fp.retrigger_window_s) {
      if (!open->confirmed) {
        fence_assess(*open, &m, seg, t);
        book.updated(*open, t, kActorPolicy, fmt::format("confirmed by track {}", m.id), out);
      }
      return;
    }
    Alarm a = fence_alarm_proto(fence, segment, seg.last_sensor);
    a.trigger_t = trig;
    fence_assess(a, &m, seg, t);
    seg.alarm = book.raise(std::move(a), t, kActorPolicy,
                           fmt::format("track {} came near the segment", m.id), out);
    seg.alarm_trigger_t = trig;
  }

  void expire_pending(std::uint32_t si, double t, std::vector<AlarmEvent>& out) {
    SegState& seg = segs[si];
    const FencePolicy& fp = cfg.policy.fence;
    const NuisancePolicy& np = fp.nuisance;
    while (!seg.pending.empty() && seg.pending.front() + fp.window_s <= t) {
      const double trig = seg.pending.front();
      seg.pending.pop_front();
      ++metrics.fence_unconfirmed;
      seg.unconfirmed.push_back(trig);
      seg.last_unconfirmed_t = trig;
      while (!seg.unconfirmed.empty() && seg.unconfirmed.front() < trig - np.within_s)
        seg.unconfirmed.pop_front();
      if (seg.nuisance) {
        timers.push({trig + np.quiet_s, TimerKind::nuisance_quiet, si});
        continue;
      }
      if (static_cast<int>(seg.unconfirmed.size()) < np.triggers) continue;
      // Mark the segment nuisance.
      seg.nuisance = true;
      seg.nuisance_update_t = t;
      seg.suppressed = 0;
      timers.push({trig + np.quiet_s, TimerKind::nuisance_quiet, si});
      int fence = 0;
      while (fence + 1 < static_cast<int>(seg_base.size()) &&
             seg_base[static_cast<size_t>(fence + 1)] <= si)
        ++fence;
      const int segment = static_cast<int>(si - seg_base[static_cast<size_t>(fence)]) + 1;
      const Fence& f = site.fences[static_cast<size_t>(fence)];
      const std::string text =
          fmt::format("{} segment {}: {} triggers with no track within {:.0f} s, marked nuisance",
                      f.name, segment, seg.unconfirmed.size(), np.within_s);
      if (Alarm* na = book.open(seg.nuisance_alarm)) {
        na->active = true;
        na->count += static_cast<int>(seg.unconfirmed.size());
        na->value = static_cast<double>(seg.unconfirmed.size());
        na->trigger_t = trig;
        na->text = text;
        book.updated(*na, t, kActorPolicy, "nuisance again", out);
      } else {
        Alarm a = fence_alarm_proto(fence, segment, seg.last_sensor);
        a.kind = AlarmKind::fence_nuisance;
        a.priority = fp.unconfirmed_priority;
        a.confirmed = false;
        a.score = 0;
        a.count = static_cast<int>(seg.unconfirmed.size());
        a.value = static_cast<double>(seg.unconfirmed.size());
        a.trigger_t = trig;
        a.text = text;
        seg.nuisance_alarm = book.raise(std::move(a), t, kActorPolicy,
                                        "rate-limited until the segment is quiet", out);
      }
    }
  }

  void nuisance_quiet(std::uint32_t si, double t, std::vector<AlarmEvent>& out) {
    SegState& seg = segs[si];
    if (!seg.nuisance || seg.last_unconfirmed_t + cfg.policy.fence.nuisance.quiet_s > t) return;
    seg.nuisance = false;
    seg.unconfirmed.clear();
    if (Alarm* na = book.open(seg.nuisance_alarm)) {
      na->count += seg.suppressed;
      book.cleared(*na, t, kActorPolicy, "quiet again", out);
    }
    seg.suppressed = 0;
  }

  // --- sensor health --------------------------------------------------------------------------

  void fault_alarm(size_t i, double t, double trigger_t, std::string text, std::string note,
                   double value, std::vector<AlarmEvent>& out) {
    SensorState& st = sensors[i];
    if (Alarm* a = book.open(st.fault_alarm)) {
      a->active = true;
      ++a->count;
      a->trigger_t = trigger_t;
      a->value = value;
      a->text = std::move(text);
      book.updated(*a, t, kActorPolicy, std::move(note), out);
      return;
    }
    const SensorDef& def = site.sensors[i];
    Alarm a;
    a.kind = AlarmKind::sensor_fault;
    a.rule = std::string(kHealthRule);
    a.priority = cfg.policy.health.priority;
    a.confirmed = true;
    a.score = 1;
    a.sensor = def.id;
    if (def.type == SensorType::fence) a.fence = def.fence;
    a.east = def.enu.x();
    a.north = def.enu.y();
    a.value = value;
    a.trigger_t = trigger_t;
    a.text = std::move(text);
    st.fault_alarm = book.raise(std::move(a), t, kActorPolicy, std::move(note), out);
  }

  void health_due(std::uint32_t i, double t, std::vector<AlarmEvent>& out) {
    SensorState& st = sensors[i];
    if (st.silent || st.limit <= 0) return;
    if (st.last_seen + st.limit > t) {  // it reported since: wait again
      timers.push({st.last_seen + st.limit, TimerKind::health, i});
      return;
    }
    st.silent = true;
    const SensorDef& def = site.sensors[i];
    fault_alarm(i, t, t,
                fmt::format("sensor {} silent for {:.0f} s (expected a report every {:.3g} s)",
                            def.id, t - st.last_seen, def.expected_interval_s()),
                "silent", t - st.last_seen, out);
  }

  void alive(size_t i, double t, SensorStatus status, std::vector<AlarmEvent>& out) {
    SensorState& st = sensors[i];
    st.last_seen = std::max(st.last_seen, t);
    const bool clears = st.silent || (st.reported_fault && status != SensorStatus::fault);
    if (clears) {
      if (Alarm* a = book.open(st.fault_alarm)) {
        book.cleared(*a, t, kActorPolicy,
                     st.silent ? "reporting again" : "no longer reports a fault", out);
      }
      if (st.silent && st.limit > 0) {
        timers.push({t + st.limit, TimerKind::health, static_cast<std::uint32_t>(i)});
      }
      st.silent = false;
      st.reported_fault = false;
    }
  }

  void on_detection(const Detection& d, std::vector<AlarmEvent>& out) {
    const size_t before = out.size();
    if (!std::isfinite(d.t)) {
      ++metrics.bad_inputs;
      return;
    }
    const double t = started ? clamp_time(d.t) : d.t;
    advance(t, out);
    ++metrics.detections;
    const int idx = site.sensor_index(d.sensor);
    if (idx < 0) {
      ++metrics.unknown_sensor;
      count_event(out, before);
      return;
    }
    const auto i = static_cast<size_t>(idx);
    alive(i, t, d.status, out);
    const SensorDef& def = site.sensors[i];
    if (d.status == SensorStatus::tamper) {
      SensorState& st = sensors[i];
      if (Alarm* ta = book.open(st.tamper_alarm)) {
        // Repeated reports fold into the open alarm, at most one update per retrigger window.
        if (t - ta->trigger_t > cfg.policy.fence.retrigger_window_s) {
          ++ta->count;
          ta->trigger_t = t;
          book.updated(*ta, t, kActorPolicy, "tamper reported again", out);
        }
      } else {
        Alarm a;
        a.kind = AlarmKind::sensor_tamper;
        a.rule = std::string(kHealthRule);
        a.priority = cfg.policy.health.tamper_priority;
        a.confirmed = true;
        a.score = 1;
        a.sensor = def.id;
        if (def.type == SensorType::fence) a.fence = def.fence;
        if (const auto* sm = std::get_if<SegmentMeasurement>(&d.measurement)) {
          a.segment = sm->segment;
        }
        const Vec2 at =
            a.segment && !a.fence.empty()
                ? segment_mid(static_cast<int>(site.find_fence(a.fence) - site.fences.data()),
                              a.segment)
                : Vec2(def.enu.x(), def.enu.y());
        a.east = at.x();
        a.north = at.y();
        a.trigger_t = t;
        a.text = fmt::format("sensor {} reports tamper", def.id);
        st.tamper_alarm = book.raise(std::move(a), t, kActorPolicy, "", out);
      }
    } else if (d.status == SensorStatus::fault) {
      SensorState& st = sensors[i];
      const Alarm* open = book.open(st.fault_alarm);
      if (!(st.reported_fault && open && open->active)) {
        st.reported_fault = true;
        fault_alarm(i, t, t, fmt::format("sensor {} reports a fault", def.id), "reported by sensor",
                    0, out);
      }
    }
    if (const auto* sm = std::get_if<SegmentMeasurement>(&d.measurement)) {
      if (d.status == SensorStatus::none) fence_trigger(idx, *sm, t, out);
    }
    count_event(out, before);
  }

  void on_sensor_alive(std::string_view id, double t, std::vector<AlarmEvent>& out) {
    const size_t before = out.size();
    if (!std::isfinite(t)) {
      ++metrics.bad_inputs;
      return;
    }
    t = started ? clamp_time(t) : t;
    advance(t, out);
    const int idx = site.sensor_index(id);
    if (idx < 0) {
      ++metrics.unknown_sensor;
    } else {
      alive(static_cast<size_t>(idx), t, SensorStatus::heartbeat, out);
    }
    count_event(out, before);
  }
};

Result<std::unique_ptr<RulesEngine>> RulesEngine::create(const Site& site,
                                                         std::uint64_t first_alarm_id) {
  PICKET_TRY(cfg, load_rules(site));
  return std::make_unique<RulesEngine>(site, std::move(cfg), first_alarm_id);
}

RulesEngine::RulesEngine(const Site& site, RulesConfig config, std::uint64_t first_alarm_id)
    : impl_(std::make_unique<Impl>(site, std::move(config), first_alarm_id)) {}

RulesEngine::~RulesEngine() = default;

void RulesEngine::on_track(const TrackState& track, std::vector<AlarmEvent>& out) {
  impl_->on_track(track, out);
}
void RulesEngine::on_detection(const Detection& d, std::vector<AlarmEvent>& out) {
  impl_->on_detection(d, out);
}
void RulesEngine::on_sensor_alive(std::string_view sensor, double t, std::vector<AlarmEvent>& out) {
  impl_->on_sensor_alive(sensor, t, out);
}
void RulesEngine::advance(double t, std::vector<AlarmEvent>& out) {
  const size_t before = out.size();
  if (impl_->started) t = std::max(t, impl_->now);
  impl_->advance(t, out);
  impl_->count_event(out, before);
}

Result<AlarmEvent> RulesEngine::acknowledge(std::uint64_t alarm, double t, const std::string& who,
                                            const std::string& note) {
  auto e = impl_->book.acknowledge(alarm, t, who, note);
  if (e) ++impl_->metrics.alarm_events;
  return e;
}

Result<AlarmEvent> RulesEngine::resolve(std::uint64_t alarm, double t, const std::string& who,
                                        AlarmOutcome outcome, const std::string& note) {
  auto e = impl_->book.resolve(alarm, t, who, outcome, note);
  if (e) ++impl_->metrics.alarm_events;
  return e;
}

Status RulesEngine::set_armed(std::string_view rule, bool armed) {
  for (size_t i = 0; i < impl_->cfg.rules.size(); ++i) {
    if (impl_->cfg.rules[i].id == rule) {
      impl_->armed[i] = armed;
      return Ok{};
    }
  }
  return Error{std::string(rule), "no such rule"};
}

void RulesEngine::restore(const Alarm& alarm) {
  impl_->book.restore(alarm);
}

const AlarmBook& RulesEngine::alarms() const {
  return impl_->book;
}
const RulesConfig& RulesEngine::config() const {
  return impl_->cfg;
}
const RulesMetrics& RulesEngine::metrics() const {
  return impl_->metrics;
}
double RulesEngine::now() const {
  return impl_->now;
}

}  // namespace picket::rules

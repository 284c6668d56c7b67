#include "picket/engine/live.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "picket/formats/records.h"
#include "picket/rules/engine.h"
#include "picket/sim/engine.h"
#include "picket/sim/scenario.h"
#include "picket/store/store.h"
#include "picket/track/identity.h"
#include "picket/track/params.h"
#include "picket/track/tracker.h"

namespace picket::engine {

namespace net = boost::asio;

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Collects a simulator window's output.
struct CollectSink : sim::Sink {
  std::vector<Detection> detections;
  std::vector<TruthEvent> events;
  void detection(const sim::SimDetection& d) override { detections.push_back(d.det); }
  void truth(const TruthSample&) override {}
  void event(const TruthEvent& e) override { events.push_back(e); }
};

// A scenario played against the wall clock: its records are released when the data clock
// reaches their time. The simulator runs a little ahead, one window at a time.
class SimSource {
 public:
  SimSource(sim::Scenario scenario, std::uint64_t seed, bool loop, double start_t)
      : scenario_(std::move(scenario)), seed_(seed), loop_(loop) {
    restart(start_t);
  }

  // Releases every record with t <= now.
  template <class OnDetection, class OnEvent>
  void pump(double now, OnDetection&& on_detection, OnEvent&& on_event) {
    for (;;) {
      while (sink_.detections.size() == next_det_ || sink_.detections.empty() ||
             sink_.detections.back().t < now + 1.0) {
        if (sim_->done()) break;
        compact();
        sim_->step(sink_);
      }
      while (next_det_ < sink_.detections.size() && sink_.detections[next_det_].t <= now) {
        on_detection(std::move(sink_.detections[next_det_++]));
      }
      while (next_ev_ < sink_.events.size() && sink_.events[next_ev_].t <= now) {
        on_event(sink_.events[next_ev_++]);
      }
      if (sim_->done() && next_det_ >= sink_.detections.size() && next_ev_ >= sink_.events.size()) {
        if (!loop_) return;
        restart(now);
        continue;
      }
      return;
    }
  }
  bool finished() const {
    return !loop_ && sim_->done() && next_det_ >= sink_.detections.size() &&
           next_ev_ >= sink_.events.size();
  }
  const sim::Scenario& scenario() const { return scenario_; }

 private:
  void restart(double start_t) {
    scenario_.start_unix = start_t;
    sim_ = std::make_unique<sim::Simulator>(scenario_, seed_++);
    sink_ = CollectSink{};
    next_det_ = next_ev_ = 0;
  }
  void compact() {
    if (next_det_ > 4096) {
      sink_.detections.erase(sink_.detections.begin(),
                             sink_.detections.begin() + static_cast<long>(next_det_));
      next_det_ = 0;
    }
    if (next_ev_ > 256) {
      sink_.events.erase(sink_.events.begin(), sink_.events.begin() + static_cast<long>(next_ev_));
      next_ev_ = 0;
    }
  }
  sim::Scenario scenario_;
  std::uint64_t seed_;
  bool loop_;
  std::unique_ptr<sim::Simulator> sim_;
  CollectSink sink_;
  std::size_t next_det_ = 0, next_ev_ = 0;
};

// One picture: a tracker and a rules engine fed in time order.
struct Pipeline {
  Pipeline(const Site& site, track::Tracker t, std::unique_ptr<rules::RulesEngine> r, bool ex)
      : tracker(std::move(t)), identity(site), rules(std::move(r)), exercise(ex) {}
  track::Tracker tracker;
  track::CooperativeIdentity identity;  // ADS-B addresses of the tracks they confirm
  std::unique_ptr<rules::RulesEngine> rules;
  bool exercise;
  std::deque<Detection> for_rules;                          // waiting for the release time
  std::unordered_map<std::uint64_t, TrackState> published;  // confirmed/coasting, by public id
  std::uint64_t id_offset() const { return exercise ? kExerciseIdOffset : 0; }
};

}  // namespace

struct LiveEngine::Impl : std::enable_shared_from_this<LiveEngine::Impl> {
  Impl(net::io_context& io, const Site& s, LiveOptions o, Registry& r, Clock c)
      : ioc(io), site(s), opt(std::move(o)), reg(r), wall(std::move(c)), timer(io) {}

  net::io_context& ioc;
  const Site& site;
  LiveOptions opt;
  Registry& reg;
  Clock wall;
  net::steady_timer timer;
  track::TrackerParams params;
  std::unique_ptr<store::Store> st;
  std::unique_ptr<Pipeline> main;
  std::unique_ptr<Pipeline> exercise;
  std::unique_ptr<SimSource> sim;
  std::unique_ptr<SimSource> exercise_sim;
  std::ofstream sim_events;
  TracksCallback on_tracks;
  AlarmCallback on_alarm;
  ExerciseCallback on_exercise;
  store::TrackSampler sampler{1.0};
  bool started = false, stopped = false;
  double wall0 = 0, data0 = 0;
  double last_rules_t = 0;

  // Arrival times by detection reference, for the latency histogram.
  std::uint64_t next_ref = 1;
  std::array<double, 1 << 16> arrival{};

  struct SensorSeen {
    double last_t = 0;
    std::uint64_t count = 0;
  };
  std::vector<SensorSeen> seen;

  ExerciseReport ex_report;
  std::map<std::uint64_t, std::size_t> ex_alarm_index;

  Histogram* latency = nullptr;
  Gauge* tracks_gauge = nullptr;
  Gauge* ex_tracks_gauge = nullptr;
  Gauge* store_queue = nullptr;
  Gauge* pending_rules = nullptr;

  double now() const {
    const double w = wall();
    if (opt.sim_speed == 1 || wall0 == 0) return w;
    return data0 + (w - wall0) * opt.sim_speed;
  }

  Result<Pipeline> make_pipeline(const Site& s, bool is_exercise, std::uint64_t first_alarm) {
    auto tracker = track::Tracker::create(s, params);
    if (!tracker) return tracker.error();
    auto rules = std::make_unique<rules::RulesEngine>(s, rules_config, first_alarm);
    return Pipeline(s, std::move(*tracker), std::move(rules), is_exercise);
  }
  rules::RulesConfig rules_config;

  void push(Pipeline& p, Detection&& d, std::string_view callsign = {}) {
    const std::uint64_t ref = next_ref++;
    arrival[ref & (arrival.size() - 1)] = steady_seconds();
    if (!p.exercise) {
      const int i = site.sensor_index(d.sensor);
      if (i >= 0) {
        auto& s = seen[static_cast<size_t>(i)];
        s.last_t = std::max(s.last_t, d.t);
        ++s.count;
      }
      std::string line;
      formats::append_detection(line, d);
      line.pop_back();
      st->put_detection({d.t, d.sensor, std::move(line)});
    }
    p.identity.note(ref, d,
                    callsign);  // an ADS-B report's address (its sensor_track), for its track
    p.tracker.push(d, ref);
    // Rules see every report (signs of life, fence alarms, status), in time order.
    auto it = std::upper_bound(p.for_rules.begin(), p.for_rules.end(), d.t,
                               [](double t, const Detection& x) { return t < x.t; });
    p.for_rules.insert(it, std::move(d));
  }

  void announce_events(std::vector<AlarmEvent>& events, bool is_exercise) {
    for (auto& e : events) {
      if (is_exercise) {
        e.alarm.exercise = true;
        if (e.type == AlarmEventType::raised) {
          ex_alarm_index[e.alarm.id] = ex_report.alarms.size();
          ex_report.alarms.push_back({e.alarm.id, e.alarm.raised_t, std::nullopt, std::nullopt});
        }
      }
      reg.counter("picket_alarm_events_total", "Alarm events, by type and kind",
                  {{"type", std::string(to_string(e.type))},
                   {"kind", std::string(to_string(e.alarm.kind))}})
          .inc();
      // Announced by the store's commit callback once durable.
      st->put_alarm(e);
    }
    events.clear();
  }

  void step(Pipeline& p, double t) {
    p.tracker.advance(t);
    const double cutoff = t - params.reorder_window_s;
    std::vector<TrackState> updates(p.tracker.updates().begin(), p.tracker.updates().end());
    p.tracker.clear_updates();
    for (auto& u : updates)
      p.identity.apply(u);
    std::vector<AlarmEvent> events;
    // Merge track updates and reports by time into the rules.
    std::size_t ui = 0;
    while (ui < updates.size() || (!p.for_rules.empty() && p.for_rules.front().t <= cutoff)) {
      const bool take_update =
          ui < updates.size() && (p.for_rules.empty() || p.for_rules.front().t > cutoff ||
                                  updates[ui].t <= p.for_rules.front().t);
      if (take_update) {
        p.rules->on_track(updates[ui++], events);
      } else {
        p.rules->on_detection(p.for_rules.front(), events);
        p.for_rules.pop_front();
      }
    }
    p.rules->advance(std::max(cutoff, p.rules->now()), events);
    announce_events(events, p.exercise);
    publish(p, updates);
  }

  void publish(Pipeline& p, const std::vector<TrackState>& updates) {
    std::vector<TrackState> out;
    std::vector<std::uint64_t> removed;
    std::vector<double> arrivals;  // of the detections behind the updates sent
    for (const auto& u : updates) {
      TrackState s = u;
      s.id += p.id_offset();
      if (sampler.keep(s)) st->put_track(store::TrackRow::from(s));
      if (s.status == TrackStatus::confirmed || s.status == TrackStatus::coasting) {
        p.published[s.id] = s;
        if (s.detection != 0) arrivals.push_back(arrival[s.detection & (arrival.size() - 1)]);
        out.push_back(std::move(s));
      } else if (s.status == TrackStatus::deleted && p.published.erase(s.id) > 0) {
        removed.push_back(s.id);
      }
    }
    // Keep only the newest update of each track in one message.
    std::unordered_map<std::uint64_t, std::size_t> last;
    for (std::size_t i = 0; i < out.size(); ++i)
      last[out[i].id] = i;
    std::vector<TrackState> dedup;
    dedup.reserve(last.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (last[out[i].id] == i) dedup.push_back(std::move(out[i]));
    }
    if ((!dedup.empty() || !removed.empty()) && on_tracks) on_tracks(dedup, removed);
    // Measured once the callback returns: the server has then serialised the message and queued
    // it for every WebSocket client (picket_ws_send_seconds measures the rest, to the socket).
    const double now_steady = steady_seconds();
    for (const double a : arrivals)
      latency->observe(now_steady - a);
  }

  void tick() {
    if (stopped) return;
    const double t = now();
    if (sim) {
      sim->pump(
          t, [&](Detection&& d) { push(*main, std::move(d)); },
          [&](const TruthEvent& e) {
            if (sim_events.is_open()) {
              std::string line;
              formats::append_event(line, e);
              sim_events << line << std::flush;
            }
          });
    }
    if (exercise_sim && exercise) {
      exercise_sim->pump(
          t, [&](Detection&& d) { push(*exercise, std::move(d)); }, [](const TruthEvent&) {});
    }
    step(*main, t);
    if (exercise) step(*exercise, t);
    tracks_gauge->set(static_cast<double>(main->published.size()));
    ex_tracks_gauge->set(exercise ? static_cast<double>(exercise->published.size()) : 0.0);
    store_queue->set(static_cast<double>(st->metrics().queue_depth.load()));
    pending_rules->set(static_cast<double>(main->for_rules.size()));
    schedule();
  }

  void schedule() {
    timer.expires_after(std::chrono::microseconds(static_cast<long>(opt.tick_s * 1e6)));
    timer.async_wait([w = weak_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (auto self = w.lock()) self->tick();
    });
  }

  Pipeline* pipeline_of_alarm(std::uint64_t id) {
    if (id >= kExerciseIdOffset) return exercise.get();
    return main.get();
  }

  Result<AlarmEvent> operator_action(
      std::uint64_t id, const std::function<Result<AlarmEvent>(rules::RulesEngine&)>& act) {
    Pipeline* p = pipeline_of_alarm(id);
    if (!p) return Error{fmt::format("alarm {}", id), "no such open alarm"};
    auto ev = act(*p->rules);
    if (!ev) return ev.error();
    if (p->exercise) ev->alarm.exercise = true;
    const auto ticket = st->put_alarm(*ev);
    if (auto ok = st->wait_durable(ticket, 10); !ok) return ok.error();
    return ev;
  }
};

LiveEngine::LiveEngine(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

LiveEngine::~LiveEngine() {
  (void)stop();
}

Result<std::unique_ptr<LiveEngine>> LiveEngine::create(net::io_context& ioc, const Site& site,
                                                       LiveOptions options, Registry& metrics,
                                                       Clock wall_clock) {
  auto impl = std::make_shared<Impl>(ioc, site, std::move(options), metrics, std::move(wall_clock));
  auto& s = *impl;
  auto params = track::params_from_site(site);
  if (!params) return params.error();
  s.params = *params;
  s.params.reorder_window_s = s.opt.reorder_window_s;
  auto rules_cfg = rules::load_rules(site);
  if (!rules_cfg) return rules_cfg.error();
  s.rules_config = *rules_cfg;

  auto store_opts = store::read_store_options(site);
  if (!store_opts) return store_opts.error();
  if (!s.opt.store_path.empty()) store_opts->path = s.opt.store_path;
  if (store_opts->path.empty())
    return Error{"store", "no store path (give --store or store.path in the site file)"};
  std::weak_ptr<Impl> weak = impl;
  auto st = store::Store::open(*store_opts, [weak, &ioc](const std::vector<AlarmEvent>& events) {
    // Runs on the store's writer thread: hand the now durable events to the loop.
    net::post(ioc, [weak, events] {
      auto self = weak.lock();
      if (!self || !self->on_alarm) return;
      for (const auto& e : events)
        self->on_alarm(e);
    });
  });
  if (!st) return st.error();
  s.st = std::move(*st);

  auto real_max = s.st->max_alarm_id_below(kExerciseIdOffset);
  if (!real_max) return real_max.error();
  auto main = s.make_pipeline(site, false, *real_max + 1);
  if (!main) return main.error();
  s.main = std::make_unique<Pipeline>(std::move(*main));
  // Open alarms survive a restart.
  store::AlarmFilter open;
  open.open_only = true;
  open.exercise = false;
  open.limit = 100'000;
  if (auto alarms = s.st->alarms(open); alarms) {
    for (const auto& a : *alarms)
      s.main->rules->restore(a);
  } else {
    return alarms.error();
  }
  s.seen.resize(site.sensors.size());

  if (!s.opt.simulate.empty()) {
    auto sc = sim::load_scenario(s.opt.simulate);
    if (!sc) return sc.error();
    for (const auto& sensor : sc->site.sensors) {
      if (!site.find_sensor(sensor.id)) {
        return Error{s.opt.simulate, fmt::format("its site has sensor '{}', which {} does not",
                                                 sensor.id, site.file)};
      }
    }
    s.sim = std::make_unique<SimSource>(std::move(*sc), s.opt.sim_seed, s.opt.sim_loop, 0);
  }
  if (!s.opt.sim_events_path.empty()) {
    s.sim_events.open(s.opt.sim_events_path, std::ios::app);
    if (!s.sim_events) return Error{s.opt.sim_events_path, "cannot open for writing"};
  }
  // Exercises: only scenarios of this site's sensors can be injected into its picture.
  std::vector<std::string> usable;
  for (const auto& f : s.opt.exercise_scenarios) {
    auto sc = sim::load_scenario(f);
    if (!sc) return Error{f, "exercise scenario: " + sc.error().message()};
    bool fits = true;
    for (const auto& sensor : sc->site.sensors)
      fits = fits && site.find_sensor(sensor.id) != nullptr;
    if (fits) {
      usable.push_back(f);
    } else {
      spdlog::info("exercise scenario {} is for another site's sensors: not offered", f);
    }
  }
  s.opt.exercise_scenarios = std::move(usable);

  s.latency = &metrics.histogram(
      "picket_pipeline_latency_seconds",
      "From a detection's arrival to the track update it caused being queued for the clients",
      latency_buckets());
  s.tracks_gauge =
      &metrics.gauge("picket_tracks", "Confirmed and coasting tracks of the live picture");
  s.ex_tracks_gauge = &metrics.gauge("picket_exercise_tracks", "Tracks of a running exercise");
  s.store_queue = &metrics.gauge("picket_store_queue_depth", "Rows waiting for the store's writer");
  s.pending_rules =
      &metrics.gauge("picket_rules_queue_depth", "Reports waiting for the rules' release time");
  return std::unique_ptr<LiveEngine>(new LiveEngine(impl));
}

void LiveEngine::on_tracks(TracksCallback cb) {
  if (!impl_->on_tracks) {
    impl_->on_tracks = std::move(cb);
    return;
  }
  impl_->on_tracks = [first = std::move(impl_->on_tracks), second = std::move(cb)](
                         const std::vector<TrackState>& updated,
                         const std::vector<std::uint64_t>& removed) {
    first(updated, removed);
    second(updated, removed);
  };
}
void LiveEngine::on_alarm(AlarmCallback cb) {
  if (!impl_->on_alarm) {
    impl_->on_alarm = std::move(cb);
    return;
  }
  impl_->on_alarm = [first = std::move(impl_->on_alarm),
                     second = std::move(cb)](const AlarmEvent& e) {
    first(e);
    second(e);
  };
}
void LiveEngine::on_exercise(ExerciseCallback cb) {
  impl_->on_exercise = std::move(cb);
}

void LiveEngine::start() {
  auto& s = *impl_;
  if (s.started) return;
  s.started = true;
  s.wall0 = s.wall();
  s.data0 = s.wall0;
  if (s.sim) {
    // The scenario starts now.
    sim::Scenario sc = s.sim->scenario();
    s.sim = std::make_unique<SimSource>(std::move(sc), s.opt.sim_seed, s.opt.sim_loop, s.now());
  }
  s.schedule();
}

Status LiveEngine::stop() {
  auto& s = *impl_;
  if (s.stopped) return Ok{};
  s.stopped = true;
  s.timer.cancel();
  // Everything buffered is processed: the reorder windows are flushed, the rules see it all.
  for (Pipeline* p : {s.main.get(), s.exercise.get()}) {
    if (!p) continue;
    p->tracker.flush();
    const double t = std::max(s.now(), p->rules->now()) + s.params.reorder_window_s;
    std::vector<TrackState> updates(p->tracker.updates().begin(), p->tracker.updates().end());
    p->tracker.clear_updates();
    for (auto& u : updates)
      p->identity.apply(u);
    std::vector<AlarmEvent> events;
    std::size_t ui = 0;
    while (ui < updates.size() || !p->for_rules.empty()) {
      if (ui < updates.size() &&
          (p->for_rules.empty() || updates[ui].t <= p->for_rules.front().t)) {
        p->rules->on_track(updates[ui++], events);
      } else {
        p->rules->on_detection(p->for_rules.front(), events);
        p->for_rules.pop_front();
      }
    }
    (void)t;
    s.announce_events(events, p->exercise);
  }
  if (s.sim_events.is_open()) s.sim_events.close();
  return s.st->close();
}

void LiveEngine::push(Detection&& d) {
  impl_->push(*impl_->main, std::move(d));
}

void LiveEngine::push(Detection&& d, std::string_view callsign) {
  impl_->push(*impl_->main, std::move(d), callsign);
}

double LiveEngine::now() const {
  return impl_->now();
}

bool LiveEngine::ready() const {
  return impl_->started && !impl_->stopped && impl_->st->health().ok();
}

std::vector<TrackState> LiveEngine::tracks() const {
  std::vector<TrackState> out;
  for (const Pipeline* p : {impl_->main.get(), impl_->exercise.get()}) {
    if (!p) continue;
    for (const auto& [id, s] : p->published)
      out.push_back(s);
  }
  std::sort(out.begin(), out.end(),
            [](const TrackState& a, const TrackState& b) { return a.id < b.id; });
  return out;
}

bool LiveEngine::is_exercise_track(std::uint64_t id) const {
  return id >= kExerciseIdOffset;
}

std::vector<Alarm> LiveEngine::open_alarms() const {
  std::vector<Alarm> out;
  for (const Pipeline* p : {impl_->main.get(), impl_->exercise.get()}) {
    if (!p) continue;
    for (const auto& [id, a] : p->rules->alarms().open_alarms()) {
      out.push_back(a);
      if (p->exercise) out.back().exercise = true;
    }
  }
  return out;
}

std::vector<SensorHealth> LiveEngine::sensors() const {
  const auto& s = *impl_;
  std::vector<SensorHealth> out;
  const auto& stats = s.main->tracker.stats();
  for (std::size_t i = 0; i < s.site.sensors.size(); ++i) {
    const auto& def = s.site.sensors[i];
    SensorHealth h;
    h.id = def.id;
    h.type = def.type;
    h.last_report_t = s.seen[i].last_t;
    h.detections = s.seen[i].count;
    if (i < stats.sensors.size()) {
      for (auto r : stats.sensors[i].rejected)
        h.rejected += r;
    }
    h.status = h.last_report_t > 0 ? "ok" : "unknown";
    for (const auto& [id, a] : s.main->rules->alarms().open_alarms()) {
      if (a.sensor != def.id || !a.active) continue;
      if (a.kind == AlarmKind::sensor_tamper) h.status = "tamper";
      if (a.kind == AlarmKind::sensor_fault && h.status != "tamper") h.status = "fault";
    }
    out.push_back(std::move(h));
  }
  return out;
}

store::Store& LiveEngine::store() {
  return *impl_->st;
}

Result<AlarmEvent> LiveEngine::acknowledge(std::uint64_t alarm, const std::string& who,
                                           const std::string& note) {
  auto& s = *impl_;
  auto ev = s.operator_action(alarm, [&](rules::RulesEngine& r) {
    return r.acknowledge(alarm, std::max(s.now(), r.now()), who, note);
  });
  if (ev && ev->alarm.exercise) {
    if (auto it = s.ex_alarm_index.find(alarm); it != s.ex_alarm_index.end()) {
      auto& pa = s.ex_report.alarms[it->second];
      pa.acknowledge_s = ev->t - pa.raised_t;
    }
  }
  return ev;
}

Result<AlarmEvent> LiveEngine::resolve(std::uint64_t alarm, const std::string& who,
                                       AlarmOutcome outcome, const std::string& note) {
  auto& s = *impl_;
  auto ev = s.operator_action(alarm, [&](rules::RulesEngine& r) {
    return r.resolve(alarm, std::max(s.now(), r.now()), who, outcome, note);
  });
  if (ev && ev->alarm.exercise) {
    if (auto it = s.ex_alarm_index.find(alarm); it != s.ex_alarm_index.end()) {
      auto& pa = s.ex_report.alarms[it->second];
      pa.resolve_s = ev->t - pa.raised_t;
    }
  }
  return ev;
}

std::vector<std::string> LiveEngine::exercise_scenarios() const {
  std::vector<std::string> out;
  for (const auto& f : impl_->opt.exercise_scenarios)
    out.push_back(std::filesystem::path(f).stem().string());
  return out;
}

Status LiveEngine::start_exercise(const std::string& name, const std::string& who) {
  auto& s = *impl_;
  if (s.exercise_sim) return Error{"exercise", "an exercise is already running; stop it first"};
  std::string path;
  for (const auto& f : s.opt.exercise_scenarios) {
    if (std::filesystem::path(f).stem().string() == name) path = f;
  }
  if (path.empty()) return Error{"scenario", fmt::format("no exercise scenario named '{}'", name)};
  auto sc = sim::load_scenario(path);
  if (!sc) return sc.error();
  for (const auto& sensor : sc->site.sensors) {
    if (!s.site.find_sensor(sensor.id)) {
      return Error{
          path, fmt::format("its site has sensor '{}', which the live site does not", sensor.id)};
    }
  }
  auto first = s.st->max_alarm_id();
  if (!first) return first.error();
  auto p = s.make_pipeline(s.site, true, std::max<std::uint64_t>(*first, kExerciseIdOffset) + 1);
  if (!p) return p.error();
  s.exercise = std::make_unique<Pipeline>(std::move(*p));
  s.exercise_sim =
      std::make_unique<SimSource>(std::move(*sc), s.opt.sim_seed + 1000, false, s.now());
  s.ex_report = ExerciseReport{};
  s.ex_report.active = true;
  s.ex_report.scenario = name;
  s.ex_report.started_by = who;
  s.ex_report.started_t = s.now();
  s.ex_alarm_index.clear();
  if (s.on_exercise) s.on_exercise();
  return Ok{};
}

Status LiveEngine::stop_exercise(const std::string& who) {
  auto& s = *impl_;
  if (!s.exercise) return Error{"exercise", "no exercise is running"};
  std::vector<std::uint64_t> removed;
  for (const auto& [id, t] : s.exercise->published)
    removed.push_back(id);
  std::vector<std::uint64_t> open;
  for (const auto& [id, a] : s.exercise->rules->alarms().open_alarms())
    open.push_back(id);
  for (auto id : open) {
    auto ev = resolve(id, who, AlarmOutcome::test, "exercise cleared");
    if (!ev) spdlog::warn("clearing exercise alarm {}: {}", id, ev.error().message());
  }
  s.exercise_sim.reset();
  s.exercise.reset();
  s.ex_report.active = false;
  if (s.on_tracks && !removed.empty()) s.on_tracks({}, removed);
  if (s.on_exercise) s.on_exercise();
  return Ok{};
}

ExerciseReport LiveEngine::exercise_report() const {
  return impl_->ex_report;
}

}  // namespace picket::engine

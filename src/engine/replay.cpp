// The replay chain and `picket replay` (replay.h, docs/replay.md).
#include "picket/engine/replay.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "picket/formats/alarms.h"
#include "picket/formats/records.h"
#include "picket/formats/tracks.h"
#include "picket/store/store.h"
#include "picket/track/params.h"

namespace picket::engine {

namespace {

// The longest a sensor's batch may stay open in the tracker: half its scan period (tracker.h,
// "batch"). Capped: a fence sensor's 10 s heartbeat interval says nothing about batching.
constexpr double kMaxHoldForBatches = 2.5;

// Hold the reports and track updates this much behind the data clock before the rules see
// them, so that the tracker's late publications still reach the rules in time order.
double hold_for(const Site& site, const track::TrackerParams& p) {
  double half_scan = 0;
  for (const auto& s : site.sensors) {
    if (s.update_rate_hz > 0) half_scan = std::max(half_scan, 0.5 / s.update_rate_hz);
  }
  // The manage step (coasting, deletion) runs when the first batch of a new epoch arrives and
  // stamps its updates with the epoch's time: up to one manage interval after the fact.
  return p.reorder_window_s +
         std::max(std::min(half_scan, kMaxHoldForBatches), p.manage_interval_s);
}

}  // namespace

// --- ReplayChain ----------------------------------------------------------------------------

Result<std::unique_ptr<ReplayChain>> ReplayChain::create(const Site& site, TrackSink on_track,
                                                         AlarmSink on_alarm) {
  auto params = track::params_from_site(site);
  if (!params) return params.error();
  auto tracker = track::Tracker::create(site, *params);
  if (!tracker) return tracker.error();
  auto rules = rules::RulesEngine::create(site);
  if (!rules) return rules.error();
  const double hold = hold_for(site, *params);
  return std::unique_ptr<ReplayChain>(new ReplayChain(site, std::move(*tracker), std::move(*rules),
                                                      hold, std::move(on_track),
                                                      std::move(on_alarm)));
}

ReplayChain::ReplayChain(const Site& site, track::Tracker tracker,
                         std::unique_ptr<rules::RulesEngine> rules, double hold_s,
                         TrackSink on_track, AlarmSink on_alarm)
    : site_(site),
      tracker_(std::move(tracker)),
      identity_(site),
      rules_(std::move(rules)),
      hold_s_(hold_s),
      on_track_(std::move(on_track)),
      on_alarm_(std::move(on_alarm)) {}

ReplayChain::~ReplayChain() = default;

void ReplayChain::push(const Detection& d, std::uint64_t ref) {
  identity_.note(ref, d);
  tracker_.push(d, ref);
  if (std::isfinite(d.t)) {
    // Status reports carry no position: the tracker does not move its clock for them.
    if (std::holds_alternative<NoPosition>(d.measurement)) tracker_.advance(d.t);
    // Reports for the rules, kept sorted by time (stable: file order on ties).
    auto it = std::upper_bound(reports_.begin(), reports_.end(), d.t,
                               [](double t, const Detection& r) { return t < r.t; });
    reports_.insert(it, d);
    if (!have_clock_ || d.t > clock_) clock_ = d.t;
    have_clock_ = true;
  } else {
    // Not finite: the rules count it as bad input; no place in time to hold it.
    events_.clear();
    rules_->on_detection(d, events_);
    emit();
  }
  drain_tracker();
  if (have_clock_) release(clock_ - hold_s_);
}

void ReplayChain::finish() {
  tracker_.flush();
  drain_tracker();
  release(std::numeric_limits<double>::infinity());
  if (have_clock_) {
    events_.clear();
    rules_->advance(std::max(clock_, rules_->now()), events_);
    emit();
  }
}

void ReplayChain::drain_tracker() {
  for (const auto& s : tracker_.updates()) {
    updates_.push_back(s);
    identity_.apply(updates_.back());
  }
  tracker_.clear_updates();
}

void ReplayChain::release(double until) {
  events_.clear();
  bool any = false;
  for (;;) {
    const bool have_u = !updates_.empty() && updates_.front().t <= until;
    const bool have_r = !reports_.empty() && reports_.front().t <= until;
    if (!have_u && !have_r) break;
    any = true;
    if (have_u && (!have_r || updates_.front().t <= reports_.front().t)) {
      const TrackState& s = updates_.front();
      // The manage step's coasting and deletion notices may trail the data clock by a data
      // gap (they are published with the next batch); anything else must be in time order.
      if (s.t < rules_->now() && s.status != TrackStatus::deleted &&
          s.status != TrackStatus::coasting) {
        ++late_;
      }
      rules_->on_track(s, events_);
      ++track_updates_;
      if (on_track_) on_track_(s);
      updates_.pop_front();
    } else {
      if (reports_.front().t < rules_->now()) ++late_;
      rules_->on_detection(reports_.front(), events_);
      reports_.pop_front();
    }
  }
  // Timers (silence, windows) run on the data clock even when nothing was released.
  if (std::isfinite(until) && (any || until >= last_advance_ + 0.1) && until > rules_->now()) {
    rules_->advance(until, events_);
    last_advance_ = until;
  }
  emit();
}

void ReplayChain::emit() {
  if (on_alarm_) {
    for (const auto& e : events_)
      on_alarm_(e);
  }
  events_.clear();
}

// --- files ----------------------------------------------------------------------------------

Result<std::uint64_t> file_fingerprint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, std::string("cannot read: ") + std::strerror(errno)};
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 (Fowler, Noll, Vo)
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    for (std::size_t i = 0; i < n; ++i) {
      h ^= static_cast<unsigned char>(buf[i]);
      h *= 0x100000001b3ull;
    }
  }
  if (in.bad()) return Error{path, "read error"};
  return h;
}

namespace {

// alarms.jsonl: lines appended with write(2), one call per commit, from the store's writer
// thread (and, for events already stored by an earlier run, from the replay thread before any
// new event is put). A SIGKILL leaves whole lines, or at worst a last line cut short, which
// readers skip as never wholly announced.
class Announcer {
 public:
  static Result<std::unique_ptr<Announcer>> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Error{path, std::string("cannot create: ") + std::strerror(errno)};
    return std::make_unique<Announcer>(path, fd);
  }
  Announcer(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~Announcer() {
    if (fd_ >= 0) ::close(fd_);
  }
  Announcer(const Announcer&) = delete;
  Announcer& operator=(const Announcer&) = delete;

  void announce(const std::vector<AlarmEvent>& events) {
    std::string buf;
    for (const auto& e : events)
      formats::append_alarm_event(buf, e);
    std::lock_guard lock(mu_);
    for (const auto& e : events) {
      ++events_;
      ids_.insert(e.alarm.id);
      if (e.alarm.priority >= AlarmPriority::high) high_.insert(e.alarm.id);
    }
    write_all(buf);
  }
  void write_line(const std::string& line, const AlarmEvent& e) {
    std::lock_guard lock(mu_);
    ++events_;
    ids_.insert(e.alarm.id);
    if (e.alarm.priority >= AlarmPriority::high) high_.insert(e.alarm.id);
    write_all(line);
  }
  Status close() {
    std::lock_guard lock(mu_);
    if (fd_ >= 0 && ::close(fd_) != 0 && !error_) {
      error_ = Error{path_, std::string("closing: ") + std::strerror(errno)};
    }
    fd_ = -1;
    if (error_) return *error_;
    return Ok{};
  }
  std::uint64_t events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::uint64_t alarms() const {
    std::lock_guard lock(mu_);
    return ids_.size();
  }
  std::uint64_t high() const {
    std::lock_guard lock(mu_);
    return high_.size();
  }

 private:
  void write_all(const std::string& buf) {
    std::size_t off = 0;
    while (fd_ >= 0 && off < buf.size()) {
      const ssize_t n = ::write(fd_, buf.data() + off, buf.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (!error_) error_ = Error{path_, std::string("write failed: ") + std::strerror(errno)};
        return;
      }
      off += static_cast<std::size_t>(n);
    }
  }
  std::string path_;
  int fd_;
  mutable std::mutex mu_;
  std::optional<Error> error_;
  std::uint64_t events_ = 0;
  std::set<std::uint64_t> ids_;
  std::set<std::uint64_t> high_;
};

ReplayFailure input_failure(Error e) {
  return ReplayFailure{std::move(e), true};
}
ReplayFailure runtime_failure(Error e) {
  return ReplayFailure{std::move(e), false};
}

}  // namespace

ReplayResult run_replay(const ReplayOptions& o) {
  ReplayResult result;
  auto& rep = result.report;
  const auto wall0 = std::chrono::steady_clock::now();
  auto fail = [&](ReplayFailure f) {
    result.failure = std::move(f);
    return result;
  };

  if (o.detections == "-") {
    return fail(input_failure(
        Error{"",
              "replay reads a detections file, not standard input (a resumed replay reads "
              "it again from the start)"}));
  }
  auto site = load_site(o.site);
  if (!site) return fail(input_failure(site.error()));

  // The input's fingerprint: the site file, the detections, the options that change results.
  auto site_fp = file_fingerprint(o.site);
  if (!site_fp) return fail(input_failure(site_fp.error()));
  auto det_fp = file_fingerprint(o.detections);
  if (!det_fp) return fail(input_failure(det_fp.error()));
  const std::string fingerprint =
      fmt::format("site {:016x} detections {:016x} skip-bad {}", *site_fp, *det_fp, o.skip_bad);

  auto reader = formats::open_detections(o.detections, {.skip_bad = o.skip_bad});
  if (!reader) return fail(input_failure(reader.error()));

  const std::string db_path = (std::filesystem::path(o.out_dir) / "picket.db").string();
  const std::string alarms_path = (std::filesystem::path(o.out_dir) / "alarms.jsonl").string();
  const std::string tracks_path = (std::filesystem::path(o.out_dir) / "tracks.jsonl").string();

  // Rules and tracker first: a bad rules section must not create or touch any file.
  // Declared in this order so that the store (whose close may still announce) goes first.
  std::unique_ptr<Announcer> announcer;
  std::unique_ptr<formats::JsonlWriter> tracks;
  std::unique_ptr<store::Store> st;
  std::optional<store::TrackSampler> sampler;
  std::vector<std::string> stored;  // alarms.jsonl lines of the events an earlier run stored
  std::size_t next_stored = 0;
  std::optional<ReplayFailure> chain_failure;

  auto chain = ReplayChain::create(
      *site,
      [&](const TrackState& s) {
        formats::append_track_update(tracks->buffer(), s);
        tracks->commit();
        if (sampler->keep(s)) st->put_track(store::TrackRow::from(s));
      },
      [&](const AlarmEvent& e) {
        if (chain_failure) return;
        if (next_stored < stored.size()) {
          std::string line;
          formats::append_alarm_event(line, e);
          if (line != stored[next_stored]) {
            chain_failure = input_failure(
                Error{db_path,
                      fmt::format("stored alarm event {} (alarm {} event {}) is not the one this "
                                  "replay computes: the file was written by another version "
                                  "of picket; remove it or choose another --out",
                                  next_stored + 1, e.alarm.id, e.alarm.seq)});
            return;
          }
          announcer->write_line(line, e);
          ++next_stored;
          return;
        }
        st->put_alarm(e);
      });
  if (!chain) return fail(input_failure(chain.error()));
  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  if (ec) return fail(runtime_failure(Error{o.out_dir, "cannot create: " + ec.message()}));

  auto store_opts = store::read_store_options(*site);
  if (!store_opts) return fail(input_failure(store_opts.error()));
  store_opts->path = db_path;
  sampler.emplace(store_opts->track_sample_interval_s);

  // The store first: a foreign or damaged file is refused before any output is touched. Its
  // commits announce; nothing is put before the announcer exists.
  auto opened = store::Store::open(
      *store_opts,
      [&announcer](const std::vector<AlarmEvent>& events) { announcer->announce(events); });
  if (!opened) return fail(input_failure(opened.error()));
  st = std::move(*opened);

  // Fresh, resumed, or somebody else's file?
  auto old_fp = st->meta("replay.fingerprint");
  if (!old_fp) return fail(input_failure(old_fp.error()));
  auto all = st->all_alarm_events();
  if (!all) return fail(input_failure(all.error()));
  if (old_fp->has_value()) {
    if (**old_fp != fingerprint) {
      return fail(
          input_failure(Error{db_path,
                              "holds the replay of other input (another site file, detections file "
                              "or --skip-bad): remove it or choose another --out"}));
    }
    rep.resumed = true;
    for (const auto& e : *all) {
      stored.emplace_back();
      formats::append_alarm_event(stored.back(), e);
    }
    rep.already_stored = stored.size();
    if (auto s = st->clear_bulk(); !s) return fail(runtime_failure(s.error()));
  } else if (!all->empty()) {
    return fail(
        input_failure(Error{db_path,
                            "is a store with alarms that no replay wrote: a replay needs a new "
                            "file; choose another --out"}));
  }
  for (const auto& [k, v] :
       {std::pair<std::string, std::string>{"replay.fingerprint", fingerprint},
        {"replay.complete", "0"},
        {"site.name", site->name},
        {"site.origin", fmt::format("{:.9f},{:.9f},{:.3f}", site->origin.lat_deg,
                                    site->origin.lon_deg, site->origin.alt_m)}}) {
    if (auto s = st->set_meta(k, v); !s) return fail(runtime_failure(s.error()));
  }

  auto ann = Announcer::open(alarms_path);
  if (!ann) return fail(runtime_failure(ann.error()));
  announcer = std::move(*ann);
  auto tw = formats::JsonlWriter::create(tracks_path);
  if (!tw) return fail(runtime_failure(tw.error()));
  tracks = std::make_unique<formats::JsonlWriter>(std::move(*tw));

  ReplayChain& ch = **chain;
  // The chain's sinks see track updates as the rules do; the store samples them here.
  const auto queue_limit = store_opts->queue_capacity / 2;
  std::uint64_t n = 0;
  std::optional<double> t0;
  const auto pace0 = std::chrono::steady_clock::now();
  std::string line;
  for (;;) {
    auto rec = reader->next();
    if (!rec) {
      chain_failure = input_failure(
          Error{rec.error().where, rec.error().what + " (use --skip-bad to skip and count bad "
                                                      "lines)"});
      break;
    }
    if (!*rec) break;
    const Detection& d = **rec;
    if (std::isfinite(d.t)) {
      if (!t0) {
        t0 = d.t;
        rep.first_t = d.t;
      }
      rep.first_t = std::min(rep.first_t, d.t);
      rep.last_t = std::max(rep.last_t, d.t);
      if (o.realtime) {
        const double ahead = d.t - *t0;
        if (ahead > 0) {
          std::this_thread::sleep_until(
              pace0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(ahead)));
        }
      }
    }
    ch.push(d, reader->lines().line_number());
    if (chain_failure) break;
    line.clear();
    formats::append_detection(line, d);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    st->put_detection(store::DetectionRow{d.t, d.sensor, line});
    if (d.status != SensorStatus::none) {
      st->put_sensor_status(
          store::SensorStatusRow{d.t, d.sensor, std::string(to_string(d.status)), ""});
    }
    if ((++n & 1023) == 0) {
      if (o.progress) o.progress(reader->progress(), n);
      // Replay goes faster than the store may write: wait rather than drop history.
      if (st->metrics().queue_depth.load() > queue_limit) {
        if (auto s = st->flush(o.store_timeout_s); !s) {
          chain_failure = runtime_failure(s.error());
          break;
        }
      }
    }
  }
  if (!chain_failure) ch.finish();

  // A store that cannot write (a full disk) keeps retrying its alarm events with back-off; the
  // replay gives it store_timeout_s, then says how many it could not store and why.
  auto close_all = [&]() -> std::optional<ReplayFailure> {
    std::optional<ReplayFailure> f;
    if (auto s = st->close(chain_failure ? 1.0 : o.store_timeout_s); !s)
      f = runtime_failure(s.error());
    if (auto s = tracks->close(); !s && !f) f = runtime_failure(s.error());
    if (auto s = announcer->close(); !s && !f) f = runtime_failure(s.error());
    return f;
  };
  if (!chain_failure && next_stored < stored.size()) {
    chain_failure = input_failure(
        Error{db_path, fmt::format("holds {} alarm events but this replay computes only {}: the "
                                   "file was written by another version of picket; remove it or "
                                   "choose another --out",
                                   stored.size(), next_stored)});
  }
  if (!chain_failure) {
    if (auto s = st->flush(o.store_timeout_s); !s) {
      chain_failure = runtime_failure(s.error());
    } else if (auto m = st->set_meta("replay.complete", "1"); !m) {
      chain_failure = runtime_failure(m.error());
    }
  }
  auto closing = close_all();
  if (!chain_failure) chain_failure = closing;

  rep.read = reader->stats();
  rep.tracker = ch.tracker().stats();
  rep.rules = ch.rules().metrics();
  rep.live_tracks = ch.tracker().live_tracks();
  rep.late = ch.late();
  rep.track_updates = ch.track_updates();
  rep.alarm_events = announcer->events();
  rep.alarms = announcer->alarms();
  rep.high_priority = announcer->high();
  rep.track_rows = st->metrics().track_rows.load();
  rep.detection_rows = st->metrics().detection_rows.load();
  rep.dropped_rows =
      st->metrics().dropped_full_queue.load() + st->metrics().dropped_write_failure.load();
  rep.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  result.failure = chain_failure;
  return result;
}

}  // namespace picket::engine

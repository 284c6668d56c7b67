// picket simulate SCENARIO.yaml --out DIR [--seed N]: play a scenario against its site's sensors
// and write DIR/detections.jsonl, DIR/truth.jsonl and DIR/events.jsonl (docs/formats.md).
// --asterix FILE / --asterix-udp DEST: the radars' plots also in their wire format (ASTERIX
// CAT048 or CAT010 with CAT034 service messages; asterix_out.h), to a file of raw blocks or over
// UDP in real time (--speed).
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>

#include "asterix_out.h"
#include "commands.h"
#include "picket/core/time.h"
#include "picket/formats/jsonl.h"
#include "picket/formats/point_reports.h"
#include "picket/formats/records.h"
#include "picket/sim/engine.h"
#include "picket/sim/scenario.h"
#include "picket/sim/wide_area.h"
#include "progress.h"

namespace picket::app {

namespace {

struct SimulateOptions {
  std::string scenario;
  std::string out;
  std::uint64_t seed = 0;
  bool seed_given = false;
  bool dry_run = false;
  bool progress = false;
  AsterixOutOptions asterix;
};

// Formats every record as JSON Lines and writes it to a file, or (dry run) drops it.
class Output {
 public:
  static Result<Output> open(const std::string& path) {
    auto w = formats::JsonlWriter::create(path);
    if (!w) return w.error();
    Output o;
    o.writer_ = std::move(*w);
    return o;
  }
  static Output discard() { return Output(); }

  std::string& buffer() { return writer_ ? writer_->buffer() : scratch_; }
  void commit() {
    if (writer_) {
      writer_->commit();
    } else if (scratch_.size() >= (1 << 16)) {
      bytes_ += scratch_.size();
      scratch_.clear();
    }
  }
  Status close() {
    if (!writer_) {
      bytes_ += scratch_.size();
      scratch_.clear();
      return Ok{};
    }
    bytes_ = writer_->bytes_written();
    return writer_->close();
  }
  std::uint64_t bytes() const { return writer_ ? writer_->bytes_written() : bytes_; }
  std::string path() const { return writer_ ? writer_->path() : "(discarded)"; }

 private:
  std::optional<formats::JsonlWriter> writer_;
  std::string scratch_;
  std::uint64_t bytes_ = 0;
};

class FileSink final : public sim::Sink {
 public:
  FileSink(Output detections, Output truth, Output events)
      : det_(std::move(detections)), truth_(std::move(truth)), events_(std::move(events)) {}

  void detection(const sim::SimDetection& d) override {
    formats::append_detection(det_.buffer(), d.det);
    det_.commit();
    if (asterix) asterix->detection(d);
  }
  AsterixOut* asterix = nullptr;
  void truth(const TruthSample& s) override {
    formats::append_truth(truth_.buffer(), s);
    truth_.commit();
  }
  void event(const TruthEvent& e) override {
    formats::append_event(events_.buffer(), e);
    events_.commit();
    if (e.event == TruthEventKind::fence_crossing && e.direction == CrossingDirection::inward &&
        intrusions_.size() < kMaxListed) {
      intrusions_.push_back(e);
    }
  }
  Status close() {
    Status first = Ok{};
    for (Output* o : {&det_, &truth_, &events_}) {
      Status s = o->close();
      if (!s && first) first = s;
    }
    return first;
  }
  const Output& detections() const { return det_; }
  const Output& truth_out() const { return truth_; }
  const Output& events_out() const { return events_; }
  const std::vector<TruthEvent>& intrusions() const { return intrusions_; }
  static constexpr std::size_t kMaxListed = 20;

 private:
  Output det_;
  Output truth_;
  Output events_;
  std::vector<TruthEvent> intrusions_;
};

std::string with_commas(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

std::string size_text(std::uint64_t bytes) {
  if (bytes >= 10'000'000) return fmt::format("{:.0f} MB", bytes / 1e6);
  if (bytes >= 10'000) return fmt::format("{:.0f} kB", bytes / 1e3);
  return fmt::format("{} B", bytes);
}

void print_summary(const SimulateOptions& o, const sim::Scenario& sc, const sim::Simulator& sim,
                   const FileSink& sink, std::uint64_t seed, double wall_s) {
  const auto& st = sim.stats();
  fmt::print("{}: {:.0f} s from {}, seed {}, site '{}'\n", o.scenario, sc.duration_s,
             format_iso8601(sc.start_unix), seed, sc.site.name);
  if (!sc.description.empty()) fmt::print("  {}\n", sc.description);
  std::map<std::string, int> kinds;
  for (const auto& m : sim.movers())
    ++kinds[std::string(sim::to_string(m.spec().kind))];
  std::string kinds_text;
  for (const auto& [k, n] : kinds)
    kinds_text += fmt::format("{}{} {}", kinds_text.empty() ? "" : ", ", n, k);
  fmt::print("  movers       {}{}\n", sim.movers().size(),
             kinds_text.empty() ? "" : " (" + kinds_text + ")");
  if (!sc.winds.empty() || !sc.rains.empty() || !sc.flocks.empty()) {
    fmt::print("  nuisances    {} wind, {} rain, {} bird flock(s)\n", sc.winds.size(),
               sc.rains.size(), sc.flocks.size());
  }
  fmt::print("  detections   {}\n", with_commas(st.detections));
  for (std::size_t i = 0; i < sc.site.sensors.size(); ++i) {
    const auto& def = sc.site.sensors[i];
    const auto& c = st.by_sensor[i];
    const sim::SensorModel* model = sim.model(static_cast<int>(i));
    if (!model) {
      fmt::print("    {:<12} {:<8} {}\n", def.id, to_string(def.type),
                 i < sc.sensors.size() && !sc.sensors[i].enabled ? "disabled in the scenario"
                 : def.type == SensorType::acoustic              ? "point events only (below)"
                                                                 : "no simulation model yet");
      continue;
    }
    std::string detail = fmt::format("targets {}", with_commas(c.target));
    if (c.clutter) detail += fmt::format(", false {}", with_commas(c.clutter));
    if (c.nuisance) detail += fmt::format(", wind {}", with_commas(c.nuisance));
    if (c.status) detail += fmt::format(", heartbeats {}", with_commas(c.status));
    fmt::print("    {:<12} {:<8} {:>10}  ({})\n", def.id, to_string(def.type),
               with_commas(c.total()), detail);
  }
  fmt::print("  truth        {} samples of {} movers at {:g} Hz, {} events\n",
             with_commas(st.truth_samples), sim.movers().size(), sc.truth_rate_hz,
             with_commas(st.events));
  fmt::print("  intrusions   {} inward fence crossing{}\n", st.crossings_inward,
             st.crossings_inward == 1 ? "" : "s");
  for (const auto& e : sink.intrusions()) {
    fmt::print("    {}  {:<14} {} segment {} ({:.0f}, {:.0f})\n", format_iso8601(e.t), e.id,
               e.fence, e.segment, e.east, e.north);
  }
  if (st.crossings_inward > sink.intrusions().size()) {
    fmt::print("    ... and {} more\n", st.crossings_inward - sink.intrusions().size());
  }
  fmt::print("  other events {} outward crossings, {} zone entries, {} zone exits\n",
             st.crossings_outward, st.zone_entries, st.zone_exits);
  if (o.dry_run || o.out.empty()) {
    fmt::print("  {:<12} nothing written ({} of JSON Lines formatted)\n",
               o.dry_run ? "dry run" : "no --out",
               size_text(sink.detections().bytes() + sink.truth_out().bytes() +
                         sink.events_out().bytes()));
  } else {
    fmt::print("  written      {} ({}), {} ({}), {} ({})\n", sink.detections().path(),
               size_text(sink.detections().bytes()), sink.truth_out().path(),
               size_text(sink.truth_out().bytes()), sink.events_out().path(),
               size_text(sink.events_out().bytes()));
  }
  fmt::print("  took         {:.1f} s ({:.0f} simulated seconds per second)\n", wall_s,
             wall_s > 0 ? sc.duration_s / wall_s : 0.0);
}

// Point events (wide_area.h): every sensor's report to DIR/reports.jsonl (the input of `picket
// locate`) and what happened to DIR/point_truth.jsonl.
int write_point_events(const SimulateOptions& o, const sim::Scenario& sc, std::uint64_t seed) {
  if (sc.point_events.empty()) return kExitOk;
  const auto pe = sim::simulate_point_events(sc, seed);
  std::map<std::string, int> by_sensor;
  for (const auto& r : pe.reports)
    ++by_sensor[r.sensor];
  fmt::print("  point events {} ({} reports", pe.truth.size(), pe.reports.size());
  for (const auto& [id, n] : by_sensor)
    fmt::print(", {} {}", id, n);
  fmt::print(")\n");
  if (o.dry_run || o.out.empty()) return kExitOk;
  auto write = [&](const std::string& name, const std::string& text) {
    auto w = formats::JsonlWriter::create(o.out + "/" + name);
    if (!w) {
      fmt::print(stderr, "picket: {}\n", w.error().message());
      return false;
    }
    w->write(text);
    if (Status st = w->close(); !st) {
      fmt::print(stderr, "picket: writing {} failed: {}\n", name, st.error().message());
      return false;
    }
    return true;
  };
  std::string reports, truth;
  for (const auto& r : pe.reports)
    formats::append_point_report(reports, r);
  for (const auto& t : pe.truth)
    formats::append_point_truth(truth, t, sc.site.frame);
  if (!write("reports.jsonl", reports) || !write("point_truth.jsonl", truth)) return kExitFailure;
  fmt::print("  written      {0}/reports.jsonl, {0}/point_truth.jsonl\n", o.out);
  return kExitOk;
}

int run_simulate(const SimulateOptions& o) {
  auto scenario = sim::load_scenario(o.scenario);
  if (!scenario) {
    fmt::print(stderr, "picket: invalid scenario\n{}\n", scenario.error().message());
    return kExitUsage;
  }
  const std::uint64_t seed = o.seed_given ? o.seed : scenario->seed;
  const bool asterix = !o.asterix.file.empty() || !o.asterix.udp.empty();
  if (!o.asterix.udp.empty()) {
    // Sent live: the scenario happens now, so that a daemon takes its plots as current.
    scenario->start_unix = std::floor(std::chrono::duration<double>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count() *
                                      1000) /
                           1000;
    fmt::print("{}: starting now ({}), {:g}x real time\n", o.scenario,
               format_iso8601(scenario->start_unix), o.asterix.speed);
    std::fflush(stdout);
  }
  std::optional<FileSink> sink;
  if (o.dry_run || o.out.empty()) {
    sink.emplace(Output::discard(), Output::discard(), Output::discard());
  } else {
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    if (ec) {
      fmt::print(stderr, "picket: cannot create the output directory {}: {}\n", o.out,
                 ec.message());
      return kExitFailure;
    }
    auto det = Output::open(o.out + "/detections.jsonl");
    auto truth = Output::open(o.out + "/truth.jsonl");
    auto events = Output::open(o.out + "/events.jsonl");
    for (const auto* r : {&det, &truth, &events}) {
      if (!*r) {
        fmt::print(stderr, "picket: {}\n", r->error().message());
        return kExitFailure;
      }
    }
    sink.emplace(std::move(*det), std::move(*truth), std::move(*events));
  }
  const auto start = std::chrono::steady_clock::now();
  sim::Simulator simulator(*scenario, seed);
  ProgressBar bar("simulate", o.progress);
  std::unique_ptr<AsterixOut> aout;
  if (asterix) {
    auto a = AsterixOut::open(o.asterix, *scenario, simulator);
    if (!a) {
      fmt::print(stderr, "picket: {}\n", a.error().message());
      return kExitUsage;
    }
    aout = std::move(*a);
    sink->asterix = aout.get();
    while (!simulator.done()) {
      simulator.step(*sink);
      bar.update(simulator.progress(), with_commas(simulator.stats().detections) + " detections");
      if (Status st = aout->advance(scenario->start_unix + simulator.time()); !st) {
        fmt::print(stderr, "picket: {}\n", st.error().message());
        return kExitFailure;
      }
    }
    if (Status st = aout->finish(); !st) {
      fmt::print(stderr, "picket: {}\n", st.error().message());
      return kExitFailure;
    }
  } else {
    simulator.run(*sink, [&](double fraction) {
      bar.update(fraction, with_commas(simulator.stats().detections) + " detections");
    });
  }
  bar.finish(with_commas(simulator.stats().detections) + " detections");
  if (Status s = sink->close(); !s) {
    fmt::print(stderr, "picket: writing the output failed: {}\n", s.error().message());
    return kExitFailure;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_summary(o, *scenario, simulator, *sink, seed, wall);
  if (aout) fmt::print("  asterix      {}\n", aout->summary());
  if (int rc = write_point_events(o, *scenario, seed); rc != kExitOk) return rc;
  return kExitOk;
}

}  // namespace

void add_simulate_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand(
      "simulate",
      "Simulate a scenario (movers and nuisances on a site) and write what the sensors report\n"
      "and what really happened: DIR/detections.jsonl, DIR/truth.jsonl, DIR/events.jsonl\n"
      "(and, with point events, DIR/reports.jsonl and DIR/point_truth.jsonl).\n"
      "The scenario format is in docs/scenario-format.md; the models in docs/sim.md.");
  cmd->add_option("SCENARIO", o->scenario, "Scenario file (YAML)")->required();
  auto* out = cmd->add_option("-o,--out", o->out, "Output directory (created if missing)");
  auto* seed = cmd->add_option("--seed", o->seed,
                               "Random seed (replaces the scenario's); the same seed gives the "
                               "same files byte for byte");
  auto* dry = cmd->add_flag("--dry-run", o->dry_run,
                            "Simulate and format everything but write nothing (for timing and "
                            "memory measurements)");
  cmd->add_flag("--progress", o->progress,
                "Show the progress bar even when standard error is not a terminal");
  auto* ax = cmd->add_option("--asterix", o->asterix.file,
                             "Also write the radars' plots as ASTERIX (CAT048, or CAT010 as the "
                             "site's inputs say, and CAT034) data blocks to this file");
  auto* axu = cmd->add_option(
      "--asterix-udp", o->asterix.udp,
      "Send the radars' ASTERIX over UDP, paced in real time (the scenario starts now): "
      "HOST:PORT (every radar), SENSOR=HOST:PORT, or 'site' (each radar to its inputs.asterix."
      "listen); repeatable");
  cmd->add_option("--speed", o->asterix.speed, "Pacing of --asterix-udp (1: real time)")
      ->check(CLI::Range(0.01, 1000.0));
  cmd->callback([&run, o, out, seed, dry, ax, axu] {
    if (out->count() == 0 && dry->count() == 0 && ax->count() == 0 && axu->count() == 0) {
      throw CLI::RequiredError("--out (or --dry-run, --asterix, --asterix-udp)");
    }
    o->seed_given = seed->count() > 0;
    run = [o] { return run_simulate(*o); };
  });
}

}  // namespace picket::app

// picket replay SITE.yaml DETECTIONS.jsonl --out DIR [--realtime] [--skip-bad]: the whole chain
// (tracker, rules, store) over a recording; writes DIR/tracks.jsonl, DIR/alarms.jsonl and
// DIR/picket.db (docs/replay.md). Resumes an interrupted replay of the same input.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "picket/engine/replay.h"
#include "picket/track/stats.h"
#include "progress.h"

namespace picket::app {

namespace {

struct ReplayCmdOptions {
  engine::ReplayOptions replay;
  bool progress = false;
};

int run_replay_cmd(const ReplayCmdOptions& o) {
  ProgressBar bar("replay", o.progress);
  engine::ReplayOptions ro = o.replay;
  ro.progress = [&bar](double f, std::uint64_t n) {
    bar.update(f, fmt::format("{} detections", n));
  };
  const auto result = engine::run_replay(ro);
  const auto& r = result.report;
  bar.finish(fmt::format("{} detections", r.read.records));
  if (result.failure) {
    fmt::print(stderr, "picket replay: {}\n", result.failure->error.message());
    if (r.alarm_events > 0) {
      fmt::print(stderr, "picket replay: the {} alarm events in {}/alarms.jsonl are stored\n",
                 r.alarm_events, ro.out_dir);
    }
    return result.failure->input ? kExitUsage : kExitFailure;
  }
  for (const auto& e : r.read.first_errors)
    spdlog::warn("skipped bad line: {}", e.message());
  fmt::print("{}: {} lines, {} detections, {} bad lines skipped\n", ro.detections, r.read.lines,
             r.read.records, r.read.bad);
  fmt::print("tracker: {} accepted, {} rejected; tracks: {} started, {} confirmed, {} deleted\n",
             r.tracker.accepted, r.tracker.rejected_total(), r.tracker.tracks_started,
             r.tracker.tracks_confirmed, r.tracker.tracks_deleted);
  fmt::print(
      "rules: {} track updates, {} reports, {} fence triggers ({} confirmed, {} unconfirmed, "
      "{} suppressed as nuisance), {} late inputs ({} besides coasting and deletion notices)\n",
      r.rules.track_updates, r.rules.detections, r.rules.fence_triggers, r.rules.fence_confirmed,
      r.rules.fence_unconfirmed, r.rules.fence_suppressed, r.rules.late_inputs, r.late);
  fmt::print("alarms: {} alarms ({} high priority or above), {} events{}\n", r.alarms,
             r.high_priority, r.alarm_events,
             r.resumed ? fmt::format(" (resumed: {} were already stored)", r.already_stored)
                       : std::string());
  fmt::print("store: {} track rows, {} detection rows, {} dropped\n", r.track_rows,
             r.detection_rows, r.dropped_rows);
  const double span = r.last_t - r.first_t;
  fmt::print(
      "{:.1f} s of data in {:.2f} s ({:.0f}x real time); wrote {}/tracks.jsonl, "
      "{}/alarms.jsonl, {}/picket.db\n",
      span, r.wall_s, r.wall_s > 0 ? span / r.wall_s : 0.0, ro.out_dir, ro.out_dir, ro.out_dir);
  return kExitOk;
}

}  // namespace

void add_replay_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<ReplayCmdOptions>();
  auto* cmd = app.add_subcommand(
      "replay",
      "Replay: run tracker, rules and store over a detections file (alarms.jsonl, "
      "tracks.jsonl, picket.db)");
  cmd->add_option("SITE", o->replay.site, "Site file (YAML): sensors, tracker, rules, policy")
      ->required();
  cmd->add_option("DETECTIONS", o->replay.detections, "Detections (JSON Lines file)")->required();
  cmd->add_option("--out,-o", o->replay.out_dir,
                  "Output directory (created if missing); an interrupted replay into it resumes")
      ->required();
  cmd->add_flag("--realtime", o->replay.realtime, "Pace the input by its timestamps");
  cmd->add_flag("--skip-bad", o->replay.skip_bad, "Skip and count bad lines instead of stopping");
  cmd->add_option("--store-timeout", o->replay.store_timeout_s,
                  "Seconds to wait for the store to commit (a full disk) before giving up")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--progress", o->progress, "Show the progress bar even when not on a terminal");
  cmd->callback([&run, o] { run = [o] { return run_replay_cmd(*o); }; });
}

}  // namespace picket::app

// picket track SITE.yaml DETECTIONS.jsonl --out TRACKS.jsonl: run the multi-sensor tracker over a
// detections file and write one line per track update (docs/formats.md, "Track updates").
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.h"
#include "picket/core/site.h"
#include "picket/formats/records.h"
#include "picket/formats/tracks.h"
#include "picket/track/tracker.h"
#include "progress.h"

namespace picket::app {

namespace {

struct TrackOptions {
  std::string site;
  std::string detections;
  std::string out;
  bool skip_bad = false;
  bool confirmed_only = false;
  bool progress = false;
};

int run_track(const TrackOptions& o) {
  auto site = load_site(o.site);
  if (!site) {
    fmt::print(stderr, "picket track: invalid site file\n{}\n", site.error().message());
    return kExitUsage;
  }
  auto params = track::params_from_site(*site);
  if (!params) {
    fmt::print(stderr, "picket track: invalid tracker section\n{}\n", params.error().message());
    return kExitUsage;
  }
  auto tracker = track::Tracker::create(*site, *params);
  if (!tracker) {
    fmt::print(stderr, "picket track: {}\n", tracker.error().message());
    return kExitUsage;
  }
  auto reader = formats::open_detections(o.detections, {.skip_bad = o.skip_bad});
  if (!reader) {
    fmt::print(stderr, "picket track: {}\n", reader.error().message());
    return kExitUsage;
  }
  auto writer = formats::JsonlWriter::create(o.out);
  if (!writer) {
    fmt::print(stderr, "picket track: {}\n", writer.error().message());
    return kExitFailure;
  }
  std::uint64_t written = 0;
  auto drain = [&] {
    for (const auto& s : tracker->updates()) {
      if (o.confirmed_only && s.status == TrackStatus::tentative) continue;
      formats::append_track_update(writer->buffer(), s);
      writer->commit();
      ++written;
    }
    tracker->clear_updates();
  };
  ProgressBar bar("track", o.progress);
  std::uint64_t n = 0;
  for (;;) {
    auto rec = reader->next();
    if (!rec) {
      bar.finish();
      fmt::print(stderr, "picket track: {}\n", rec.error().message());
      fmt::print(stderr, "(use --skip-bad to skip and count bad lines)\n");
      return kExitUsage;
    }
    if (!*rec) break;
    tracker->push(**rec, reader->lines().line_number());
    drain();
    if ((++n & 4095) == 0) bar.update(reader->progress(), fmt::format("{} detections", n));
  }
  tracker->flush();
  drain();
  bar.finish(fmt::format("{} detections", n));
  if (auto st = writer->close(); !st) {
    fmt::print(stderr, "picket track: {}\n", st.error().message());
    return kExitFailure;
  }

  const auto& rs = reader->stats();
  const auto& ts = tracker->stats();
  for (const auto& e : rs.first_errors)
    spdlog::warn("skipped bad line: {}", e.message());
  for (const auto& s : ts.samples) {
    spdlog::warn("rejected detection ({}): {}:{} sensor '{}' t={:.3f}: {}",
                 track::to_string(s.reason), o.detections, s.ref, s.sensor, s.t, s.detail);
  }
  fmt::print("{}: {} lines, {} detections, {} bad lines skipped\n", o.detections, rs.lines,
             rs.records, rs.bad);
  fmt::print("tracker: {} accepted, {} status reports, {} rejected", ts.accepted, ts.status_reports,
             ts.rejected_total());
  std::string reasons;
  for (int r = 0; r < track::kNumRejections; ++r) {
    if (ts.rejected[static_cast<size_t>(r)] == 0) continue;
    reasons +=
        fmt::format("{}{} {}", reasons.empty() ? "" : ", ", ts.rejected[static_cast<size_t>(r)],
                    track::to_string(static_cast<track::Rejection>(r)));
  }
  fmt::print("{}\n", reasons.empty() ? "" : " (" + reasons + ")");
  fmt::print("tracks: {} started, {} confirmed, {} deleted, {} live at the end\n",
             ts.tracks_started, ts.tracks_confirmed, ts.tracks_deleted, tracker->live_tracks());
  fmt::print("{:<16} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "sensor", "received", "rejected",
             "status", "assoc.", "started", "unassoc.");
  for (const auto& s : ts.sensors) {
    std::uint64_t rej = 0;
    for (auto x : s.rejected)
      rej += x;
    fmt::print("{:<16} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", s.id, s.received, rej,
               s.status_reports, s.associated, s.started, s.unassociated);
  }
  if (ts.rejected[static_cast<size_t>(track::Rejection::unknown_sensor)] > 0) {
    fmt::print("{:<16} {:>9}\n", "(unknown)",
               ts.rejected[static_cast<size_t>(track::Rejection::unknown_sensor)]);
  }
  if (ts.numeric_failures) fmt::print("numeric failures: {}\n", ts.numeric_failures);
  fmt::print("{} track updates written to {}\n", written, o.out);
  return kExitOk;
}

}  // namespace

void add_track_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<TrackOptions>();
  auto* cmd = app.add_subcommand(
      "track", "Track: fuse a detections file into tracks (one JSON line per track update)");
  cmd->add_option("SITE", o->site, "Site file (YAML); its tracker: section sets the parameters")
      ->required();
  cmd->add_option("DETECTIONS", o->detections, "Detections (JSON Lines; - for standard input)")
      ->required();
  cmd->add_option("--out,-o", o->out, "Track updates (JSON Lines; - for standard output)")
      ->required();
  cmd->add_flag("--skip-bad", o->skip_bad, "Skip and count bad lines instead of stopping");
  cmd->add_flag("--confirmed-only", o->confirmed_only, "Do not write tentative tracks");
  cmd->add_flag("--progress", o->progress, "Show the progress bar even when not on a terminal");
  cmd->callback([&run, o] { run = [o] { return run_track(*o); }; });
}

}  // namespace picket::app

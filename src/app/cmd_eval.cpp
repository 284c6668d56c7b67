// picket eval: score tracks against truth, MOTChallenge results against ground truth, or alarms
// against truth events. The mode is chosen by the options given.
#include <fmt/format.h>

#include "commands.h"
#include "eval_modes.h"

namespace picket::app {

void add_eval_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand(
      "eval",
      "Score results against ground truth:\n"
      "  picket eval --truth TRUTH.jsonl --tracks TRACKS.jsonl   (GOSPA, OSPA, identity)\n"
      "  picket eval --mot GT.txt RES.txt                         (MOTA, MOTP, IDF1, HOTA)\n"
      "  picket eval --events EVENTS.jsonl --alarms ALARMS.jsonl  (Pd, time to alarm, FAR)");
  auto* truth = cmd->add_option("--truth", o->truth, "Truth samples (JSON Lines)");
  auto* tracks = cmd->add_option("--tracks", o->tracks, "Track updates (JSON Lines)");
  cmd->add_option("-c,--cutoff", o->cutoff_m, "GOSPA/OSPA cut-off distance c, metres")
      ->check(CLI::PositiveNumber);
  cmd->add_option("-p,--order", o->order, "GOSPA/OSPA order p (>= 1)")
      ->check(CLI::Range(1.0, 100.0));
  auto* mot =
      cmd->add_option("--mot", o->mot, "MOTChallenge ground truth and results files")->expected(2);
  cmd->add_option("--iou", o->iou, "IoU threshold for a match (MOT)")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--mot-preprocess", o->mot_preprocess,
                  "MOT ground-truth preprocessing: auto, none, mot15, mot16, mot17, mot20")
      ->check(CLI::IsMember({"auto", "none", "mot15", "mot16", "mot17", "mot20"}));
  cmd->add_option("--seqinfo", o->mot_seqinfo, "MOT sequence's seqinfo.ini (its length)");
  auto* events = cmd->add_option("--events", o->events, "Truth events (JSON Lines)");
  auto* alarms = cmd->add_option("--alarms", o->alarms, "Alarms (JSON Lines)");
  cmd->add_option("--site", o->site, "Site file (for alarm rates per km of fence and per zone)");
  cmd->add_option("--before", o->alarm_before_s,
                  "Alarms: seconds an alarm may precede the truth event (default 10)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--window", o->alarm_window_s,
                  "Alarms: seconds an alarm may follow the truth event (default 30)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--distance", o->alarm_distance_m,
                  "Alarms: metres between alarm and truth event (default 50)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--priority", o->alarm_priority,
                  "Alarms: least priority that counts as a detection (default high)");
  cmd->add_option("--threshold", o->alarm_threshold,
                  "Alarms: least alarm score (confirmation) that counts (default 0)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--duration", o->duration_s,
                  "Alarms: observed seconds for the rates (default: the span of the data)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--zones", o->protected_zones,
                  "Alarms: zones whose entry is an intrusion (default: the site's zone_entry "
                  "rules)");
  cmd->add_option("--plot", o->plot, "Also draw the metrics to this PNG or SVG file");
  truth->needs(tracks);
  tracks->needs(truth);
  events->needs(alarms);
  alarms->needs(events);
  mot->excludes(truth)->excludes(events);
  truth->excludes(events);
  cmd->callback([&run, o, cmd] {
    if (!o->truth.empty()) {
      run = [o] { return run_track_eval(*o); };
    } else if (!o->mot.empty()) {
      run = [o] { return run_mot_eval(*o); };
    } else if (!o->events.empty()) {
      run = [o] { return run_alarm_eval(*o); };
    } else {
      throw CLI::ValidationError(
          "eval", "give --truth/--tracks, --mot or --events/--alarms\n" + cmd->help());
    }
  });
}

}  // namespace picket::app

// picket: the command-line entry point. Only wiring lives here; every subcommand is in its own
// cmd_*.cpp file and calls into the layers under src/.
#include <spdlog/spdlog.h>

#include <iostream>

#include "commands.h"
#include "picket/core/log.h"

int main(int argc, char** argv) {
  using namespace picket::app;
  CLI::App app{
      "Picket: perimeter and wide-area surveillance.\n"
      "Fuses radar, camera, fence and other sensor reports into tracks, raises alarms "
      "and scores detection performance."};
  app.set_version_flag("--version", "picket 0.1.0");
  app.require_subcommand(1);
  app.fallthrough(false);
  std::string log_format = "text";
  app.add_option("--log-format", log_format,
                 "Log lines on stderr as plain text or as one JSON object per line "
                 "(default: $PICKET_LOG_FORMAT, else text)")
      ->check(CLI::IsMember({"text", "json"}))
      ->envname("PICKET_LOG_FORMAT");

  Action run;
  add_site_command(app, run);
  add_eval_command(app, run);
  add_store_command(app, run);
  add_simulate_command(app, run);
  add_track_command(app, run);
  add_scene_command(app, run);
  add_mot_command(app, run);
  add_replay_command(app, run);
  add_asterix_command(app, run);
  add_adsb_command(app, run);
  add_video_command(app, run);
  add_coverage_command(app, run);
  add_locate_command(app, run);
  add_geolocate_command(app, run);
  add_run_command(app, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (!run) return kExitUsage;
  picket::log::Format fmt = picket::log::Format::text;
  picket::log::parse_format(log_format, fmt);
  picket::log::set_format(fmt);
  try {
    return run();
  } catch (const std::exception& e) {
    spdlog::error("unexpected failure: {}", e.what());
    return kExitFailure;
  }
}

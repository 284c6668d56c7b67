// The `picket` subcommands. Each add_*_command adds its subcommand (options, help) to the
// application and, when the user chooses it, stores in `run` the action to perform. Exit codes:
// 0 success, 1 runtime failure, 2 usage or input error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace picket::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

using Action = std::function<int()>;

void add_site_command(CLI::App& app, Action& run);
void add_eval_command(CLI::App& app, Action& run);
void add_store_command(CLI::App& app, Action& run);
void add_simulate_command(CLI::App& app, Action& run);
void add_track_command(CLI::App& app, Action& run);
void add_scene_command(CLI::App& app, Action& run);
void add_mot_command(CLI::App& app, Action& run);
void add_run_command(CLI::App& app, Action& run);

}  // namespace picket::app

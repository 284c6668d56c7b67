// picket scene DIR...: run the tracker on the standard Stone Soup scene (measurements.csv with
// clutter, truth.csv) and print its GOSPA, OSPA and time per scan next to the published figures
// of Stone Soup's own GNN tracker on exactly those measurements.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "picket/eval/stonesoup_scene.h"

namespace picket::app {

namespace {

struct SceneOptions {
  std::vector<std::string> dirs;
  std::string motion = "cv";
  std::string association = "gnn";
  bool json = false;
  bool steps = false;
};

// Stone Soup's GNN tracker (Kalman filter, Mahalanobis hypothesiser with missed distance 3, 2-D
// assignment, 3-point initiator, covariance deleter) scored on the same measurements, mean GOSPA
// per scan with c = 10 m, p = 1, alpha = 2, and its median time per scan on a 2-core machine:
// ../shared/data/README.md (tracking/stonesoup-gnn-scene).
struct Peer {
  int n;
  double gospa, localisation, missed, false_, ospa, median_ms;
};
constexpr Peer kPeers[] = {
    {10, 44.1, -1, -1, -1, 4.46, 14.9},
    {100, 372.0, 356.2, 8.7, 7.05, 3.75, 246},
    {1000, 3715, 3525, 104.9, 86.0, 3.76, 17300},
};

const Peer* peer_for(int n) {
  for (const auto& p : kPeers)
    if (p.n == n) return &p;
  return nullptr;
}

int run_scene(const SceneOptions& o) {
  const auto motion = o.motion == "imm" ? track::MotionModel::imm : track::MotionModel::cv;
  const auto assoc = o.association == "jpda" ? track::Association::jpda : track::Association::gnn;
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  bool all_better = true;
  if (!o.json) {
    fmt::print("{:>6} | {:>9} {:>9} | {:>8} {:>7} {:>7} | {:>6} {:>6} | {:>9} {:>10} {:>9}\n", "N",
               "GOSPA", "peer", "local.", "missed", "false", "OSPA", "peer", "ms/scan", "peer ms",
               "speed-up");
  }
  for (const auto& dir : o.dirs) {
    auto scene = eval::load_stonesoup_scene(dir);
    if (!scene) {
      fmt::print(stderr, "picket scene: {}\n", scene.error().message());
      return kExitUsage;
    }
    const auto params = eval::scene_params(*scene, motion, assoc);
    auto run = eval::run_stonesoup_scene(*scene, params);
    if (!run) {
      fmt::print(stderr, "picket scene: {}\n", run.error().message());
      return kExitFailure;
    }
    if (o.steps) {
      for (std::size_t k = 0; k < run->gospa.size(); ++k) {
        const auto& g = run->gospa[k];
        fmt::print(stderr,
                   "N={} scan {:>3}: GOSPA {:8.1f} = {:8.1f} + {:3} missed + {:3} false, OSPA "
                   "{:.2f}, {:.3f} ms\n",
                   scene->n, k + 1, g.distance, g.localisation, g.missed_count, g.false_count,
                   run->ospa[k], run->scan_ms[k]);
      }
    }
    const Peer* peer = peer_for(scene->n);
    if (peer && run->mean_gospa > peer->gospa) all_better = false;
    if (o.json) {
      nlohmann::ordered_json j;
      j["dir"] = dir;
      j["targets"] = scene->n;
      j["scans"] = scene->scans;
      j["motion"] = o.motion;
      j["association"] = o.association;
      j["gospa"] = {{"mean", run->mean_gospa},
                    {"localisation", run->mean_localisation},
                    {"missed", run->mean_missed},
                    {"false", run->mean_false}};
      j["ospa"] = run->mean_ospa;
      j["ms_per_scan"] = {{"median", run->median_ms}, {"mean", run->mean_ms}, {"max", run->max_ms}};
      j["tracks_started"] = run->stats.tracks_started;
      j["tracks_confirmed"] = run->stats.tracks_confirmed;
      if (peer) {
        j["peer"] = {{"gospa", peer->gospa}, {"ospa", peer->ospa}, {"median_ms", peer->median_ms}};
        j["speedup"] = peer->median_ms / std::max(run->median_ms, 1e-6);
      }
      all.push_back(std::move(j));
      continue;
    }
    fmt::print(
        "{:>6} | {:>9.1f} {:>9} | {:>8.1f} {:>7.1f} {:>7.1f} | {:>6.2f} {:>6} | {:>9.3f} {:>10} "
        "{:>9}\n",
        scene->n, run->mean_gospa, peer ? fmt::format("{:.1f}", peer->gospa) : "-",
        run->mean_localisation, run->mean_missed, run->mean_false, run->mean_ospa,
        peer ? fmt::format("{:.2f}", peer->ospa) : "-", run->median_ms,
        peer ? fmt::format("{:g}", peer->median_ms) : "-",
        peer ? fmt::format("{:.0f}x", peer->median_ms / std::max(run->median_ms, 1e-6)) : "-");
  }
  if (o.json) {
    fmt::print("{}\n", all.dump(2));
  } else {
    fmt::print(
        "GOSPA: mean per scan, c = 10 m, p = 1, alpha = 2 (localisation + missed + false). "
        "Peer: Stone Soup's GNN tracker on the same measurements (../shared/data/README.md).\n");
  }
  return all_better ? kExitOk : kExitFailure;
}

}  // namespace

void add_scene_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<SceneOptions>();
  auto* cmd = app.add_subcommand(
      "scene",
      "Run the tracker on the standard Stone Soup scene(s) and compare with the published GNN "
      "tracker's GOSPA and time per scan. Exit code 1 if any GOSPA is worse than the peer's.");
  cmd->add_option("DIR", o->dirs,
                  "Scene directories (scenario.json, measurements.csv, truth.csv), e.g. "
                  "../shared/data/tracking/stonesoup-gnn-scene/N100")
      ->required();
  cmd->add_option("--motion", o->motion, "Motion model")
      ->check(CLI::IsMember({"cv", "imm"}))
      ->default_val("cv");
  cmd->add_option("--association", o->association, "Data association")
      ->check(CLI::IsMember({"gnn", "jpda"}))
      ->default_val("gnn");
  cmd->add_flag("--json", o->json, "Print JSON instead of a table");
  cmd->add_flag("--steps", o->steps, "Also print every scan's figures (to standard error)");
  cmd->callback([&run, o] { run = [o] { return run_scene(*o); }; });
}

}  // namespace picket::app

// The track mode of picket eval: tracks against truth (GOSPA with its localisation / missed /
// false split, OSPA, identity switches, fragmentation, time to confirm). JSON on standard output,
// and an SVG plot of the metrics over time with --plot.
#include <fmt/format.h>

#include <fstream>

#include "commands.h"
#include "eval_modes.h"
#include "picket/eval/track_metrics.h"
#include "picket/formats/records.h"
#include "picket/formats/tracks.h"

namespace picket::app {

namespace {

template <class T, class Open>
Result<std::vector<T>> read_all(const std::string& path, Open open) {
  auto reader = open(path, formats::ReadOptions{});
  if (!reader) return reader.error();
  std::vector<T> out;
  for (;;) {
    auto rec = reader->next();
    if (!rec) return rec.error();
    if (!*rec) break;
    out.push_back(std::move(**rec));
  }
  return out;
}

}  // namespace

int run_track_eval(const EvalOptions& o) {
  auto truth = read_all<TruthSample>(o.truth, formats::open_truth);
  if (!truth) {
    fmt::print(stderr, "picket eval: {}\n", truth.error().message());
    return kExitUsage;
  }
  auto tracks = read_all<TrackState>(o.tracks, formats::open_track_updates);
  if (!tracks) {
    fmt::print(stderr, "picket eval: {}\n", tracks.error().message());
    return kExitUsage;
  }
  if (truth->empty()) {
    fmt::print(stderr, "picket eval: {} holds no truth samples\n", o.truth);
    return kExitUsage;
  }
  eval::TrackEvalOptions opt;
  opt.c = o.cutoff_m;
  opt.p = o.order;
  const auto result = eval::evaluate_tracks(std::move(*truth), std::move(*tracks), opt);
  fmt::print("{}\n", eval::to_json(result, opt, true));
  if (!o.plot.empty()) {
    if (o.plot.size() < 4 || o.plot.substr(o.plot.size() - 4) != ".svg") {
      fmt::print(stderr, "picket eval: --plot writes SVG; give a file name ending in .svg\n");
      return kExitUsage;
    }
    std::ofstream out(o.plot);
    out << eval::to_svg(result, opt, "Tracks against truth: " + o.tracks);
    if (!out) {
      fmt::print(stderr, "picket eval: cannot write {}\n", o.plot);
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace picket::app

// picket coverage SITE.yaml --out DIR: sensor coverage over the site's terrain (docs/terrain.md).
// Writes DIR/coverage.tif, coverage.png, coverage_contours.geojson, segments.csv and
// segments.json, and prints a summary with the segments below the target Pd and the warnings.
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "commands.h"
#include "picket/core/site.h"
#include "picket/terrain/coverage.h"
#include "progress.h"

namespace picket::app {

namespace {

struct CoverageCliOptions {
  std::string site;
  std::string out;
  double resolution = 10;
  double target_height = 1;
  double target_pd = -1;  // < 0: none
  std::string levels = "0.5,0.8,0.9,0.95";
  double segment_step = 2;
  int threads = 2;
};

int run_coverage(const CoverageCliOptions& o) {
  terrain::CoverageOptions opts;
  opts.resolution_m = o.resolution;
  opts.target_height_m = o.target_height;
  if (o.target_pd >= 0) opts.target_pd = o.target_pd;
  opts.segment_step_m = o.segment_step;
  opts.threads = o.threads;
  opts.contour_levels.clear();
  {
    std::stringstream ss(o.levels);
    std::string item;
    while (std::getline(ss, item, ',')) {
      try {
        std::size_t used = 0;
        const double v = std::stod(item, &used);
        if (used != item.size() || v <= 0 || v >= 1) throw std::invalid_argument(item);
        opts.contour_levels.push_back(v);
      } catch (const std::exception&) {
        fmt::print(stderr, "picket: --levels: '{}' is not a probability between 0 and 1\n", item);
        return kExitUsage;
      }
    }
  }
  auto site = load_site(o.site);
  if (!site) {
    fmt::print(stderr, "picket: invalid site file\n{}\n", site.error().message());
    return kExitUsage;
  }
  auto st = terrain::load_site_terrain(*site);
  if (!st) {
    fmt::print(stderr, "picket: cannot load the terrain\n{}\n", st.error().message());
    return kExitUsage;
  }
  const auto& info = st->terrain.info();
  if (info.flat) {
    fmt::print("terrain: flat ground (no DEM in the site's terrain section)\n");
  } else {
    for (const auto& s : info.sources)
      fmt::print("terrain: {}\n", s);
    fmt::print("terrain: {} x {} nodes at {:.1f} m, {}, heights {:.1f}..{:.1f} m\n", info.nx,
               info.ny, info.resolution_m, info.datum, info.min_height, info.max_height);
  }
  for (const auto& w : info.warnings)
    fmt::print("warning: terrain: {}\n", w);

  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) {
    fmt::print(stderr, "picket: cannot create {}: {}\n", o.out, ec.message());
    return kExitFailure;
  }
  ProgressBar bar("coverage");
  auto result = terrain::compute_coverage(*site, *st, opts, [&](double f) { bar.update(f); });
  if (!result) {
    fmt::print(stderr, "picket: {}\n", result.error().message());
    return kExitUsage;
  }
  bar.finish();
  const auto& map = result->map;
  fmt::print("map: {} x {} cells of {:g} m, {:.2f} s\n", map.nx, map.ny, map.spacing,
             result->map_seconds);

  const std::filesystem::path dir(o.out);
  const Status writes[] = {
      terrain::write_coverage_geotiff(map, site->frame, (dir / "coverage.tif").string()),
      terrain::write_coverage_png(*result, *site, opts.target_pd, (dir / "coverage.png").string()),
      terrain::write_coverage_contours(map, st->terrain, opts.contour_levels,
                                       (dir / "coverage_contours.geojson").string()),
      terrain::write_segment_csv(result->segments, (dir / "segments.csv").string()),
      terrain::write_segment_json(*result, opts.target_pd, (dir / "segments.json").string()),
  };
  for (const auto& s : writes) {
    if (!s) {
      fmt::print(stderr, "picket: {}\n", s.error().message());
      return kExitFailure;
    }
  }

  int below = 0;
  for (const auto& s : result->segments)
    below += s.below_target ? 1 : 0;
  fmt::print("fence segments: {}\n", result->segments.size());
  if (opts.target_pd) {
    fmt::print("segments below Pd {:g}: {}\n", *opts.target_pd, below);
    for (const auto& s : result->segments) {
      if (!s.below_target) continue;
      fmt::print(
          "  {} segment {:>3} ({:>6.0f}-{:>6.0f} m): Pd min {:.3f}, mean {:.3f}, {} "
          "sensor{}{}\n",
          s.fence, s.segment, s.start_m, s.end_m, s.min_pd, s.mean_pd, s.sensors,
          s.sensors == 1 ? "" : "s",
          s.shadowed_by.empty() ? ""
                                : fmt::format(", shadowed for {}", fmt::join(s.shadowed_by, ", ")));
    }
  }
  std::map<std::string, int> shadowed;
  for (const auto& s : result->segments)
    for (const auto& id : s.shadowed_by)
      ++shadowed[id];
  for (const auto& [id, n] : shadowed)
    fmt::print("terrain hides part of {} segment{} from {}\n", n, n == 1 ? "" : "s", id);
  for (const auto& w : result->warnings)
    fmt::print("warning: {}\n", w);
  fmt::print(
      "written to {}: coverage.tif coverage.png coverage_contours.geojson segments.csv "
      "segments.json\n",
      o.out);
  return kExitOk;
}

}  // namespace

void add_coverage_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<CoverageCliOptions>();
  auto* cmd = app.add_subcommand(
      "coverage",
      "Sensor coverage over the site's terrain: map (GeoTIFF, PNG), Pd contours (GeoJSON) and a "
      "per-fence-segment table");
  cmd->add_option("SITE", o->site, "Site file (YAML)")->required();
  cmd->add_option("--out", o->out, "Output directory")->required();
  cmd->add_option("--resolution", o->resolution, "Map cell size, metres (default 10)")
      ->check(CLI::Range(0.5, 10000.0));
  cmd->add_option("--target-height", o->target_height,
                  "Height of the target point above the ground, metres (default 1)")
      ->check(CLI::Range(0.0, 10000.0));
  cmd->add_option("--target-pd", o->target_pd,
                  "List fence segments whose weakest point has a combined Pd below this")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--levels", o->levels,
                  "Pd contour levels, comma-separated (default "
                  "0.5,0.8,0.9,0.95)");
  cmd->add_option("--segment-step", o->segment_step,
                  "Sampling step along fence segments, metres (default 2)")
      ->check(CLI::Range(0.1, 1000.0));
  cmd->add_option("--threads", o->threads, "Worker threads (default 2)")->check(CLI::Range(1, 64));
  cmd->callback([&run, o] { run = [o] { return run_coverage(*o); }; });
}

}  // namespace picket::app

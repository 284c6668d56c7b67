// picket locate SITE.yaml REPORTS.jsonl --out EVENTS.jsonl: fuse point-event reports (sound
// arrivals, bearings) into located events with uncertainty ellipses (docs/locate.md).
#include <fmt/format.h>

#include <map>

#include "commands.h"
#include "picket/core/site.h"
#include "picket/core/units.h"
#include "picket/formats/jsonl.h"
#include "picket/locate/point_event.h"
#include "picket/locate/report_io.h"
#include "picket/terrain/terrain.h"
#include "progress.h"

namespace picket::app {

namespace {

struct LocateCliOptions {
  std::string site;
  std::string reports;
  std::string out;
  double temperature = -1000;  // not given
  bool skip_bad = false;
};

int run_locate(const LocateCliOptions& o) {
  auto site = load_site(o.site);
  if (!site) {
    fmt::print(stderr, "picket: invalid site file\n{}\n", site.error().message());
    return kExitUsage;
  }
  ConfigNode section(YAML::Node(), site->file, "locate", std::make_shared<ConfigErrors>(), 1);
  if (auto it = site->sections.find("locate"); it != site->sections.end()) section = it->second;
  auto cfg = locate::parse_locate_config(section);
  if (!cfg) {
    fmt::print(stderr, "picket: invalid site file\n{}\n", cfg.error().message());
    return kExitUsage;
  }
  if (o.temperature > -999) cfg->temperature_c = o.temperature;
  auto st = terrain::load_site_terrain(*site);
  if (!st) {
    fmt::print(stderr, "picket: cannot load the terrain\n{}\n", st.error().message());
    return kExitUsage;
  }

  formats::ReadOptions ro;
  ro.skip_bad = o.skip_bad;
  const Site& s = *site;
  auto reader = formats::JsonlReader<locate::EventReport>::open(
      o.reports, [&s](std::string_view line) { return locate::parse_event_report(line, s); }, ro);
  if (!reader) {
    fmt::print(stderr, "picket: {}\n", reader.error().message());
    return kExitUsage;
  }
  std::vector<locate::EventReport> reports;
  ProgressBar bar("reading");
  while (true) {
    auto r = reader->next();
    if (!r) {
      fmt::print(stderr, "picket: {}\n", r.error().message());
      return kExitUsage;
    }
    if (!r->has_value()) break;
    (*r)->line = reader->lines().line_number();
    reports.push_back(std::move(**r));
    bar.update(reader->progress());
  }
  bar.finish();
  const auto& stats = reader->stats();
  if (stats.bad > 0) {
    fmt::print(stderr, "warning: skipped {} bad line{}:\n", stats.bad, stats.bad == 1 ? "" : "s");
    for (const auto& e : stats.first_errors)
      fmt::print(stderr, "  {}\n", e.message());
  }
  auto sensors = locate::report_sensors(reports, s, *st, *cfg);
  if (!sensors) {
    fmt::print(stderr, "picket: {}: {}\n", o.reports, sensors.error().message());
    return kExitUsage;
  }
  const auto events = locate::locate_events(reports, *sensors, st->terrain, *cfg);

  auto writer = formats::JsonlWriter::create(o.out);
  if (!writer) {
    fmt::print(stderr, "picket: {}\n", writer.error().message());
    return kExitFailure;
  }
  std::map<std::string, int> by_quality;
  std::size_t rejected = 0;
  for (const auto& e : events) {
    locate::append_located_event(writer->buffer(), e, reports);
    writer->commit();
    ++by_quality[std::string(locate::to_string(e.quality))];
    rejected += e.rejected.size();
  }
  if (auto c = writer->close(); !c) {
    fmt::print(stderr, "picket: {}\n", c.error().message());
    return kExitFailure;
  }
  std::size_t with_temperature = 0;
  for (const auto& r : reports)
    with_temperature += r.temperature ? 1 : 0;
  fmt::print("{} reports -> {} events (speed of sound {:.1f} m/s at {:g} C{})\n", reports.size(),
             events.size(), locate::speed_of_sound(cfg->temperature_c), cfg->temperature_c,
             with_temperature
                 ? fmt::format("; {} reports give their own temperature", with_temperature)
                 : "");
  for (const auto& [q, n] : by_quality)
    fmt::print("  {:<16} {}\n", q, n);
  if (rejected > 0) fmt::print("  reports rejected as outliers: {}\n", rejected);
  int shown = 0;
  for (const auto& e : events) {
    if (shown++ >= 20) {
      fmt::print("  ... ({} more in {})\n", events.size() - 20, o.out);
      break;
    }
    if (e.has_position) {
      fmt::print(
          "  {} t={:.3f} east {:.1f} north {:.1f}  95% ellipse {:.1f} x {:.1f} m at {:.0f} "
          "deg  [{}] {}\n",
          e.id, e.t, e.position.x(), e.position.y(), e.ellipse.semi_major_m, e.ellipse.semi_minor_m,
          rad2deg(e.ellipse.orientation_rad), locate::to_string(e.quality),
          fmt::join(e.sensors, ","));
    } else {
      fmt::print("  {} t={:.3f} not located [{}]: {}\n", e.id, e.t, locate::to_string(e.quality),
                 e.message);
    }
  }
  fmt::print("events written to {}\n", o.out);
  return kExitOk;
}

}  // namespace

void add_locate_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<LocateCliOptions>();
  auto* cmd = app.add_subcommand(
      "locate",
      "Locate impulsive events (flash, blast, gunshot) from sensor reports: sound arrival times "
      "and bearing lines fused by least squares, with uncertainty ellipses");
  cmd->add_option("SITE", o->site, "Site file (YAML)")->required();
  cmd->add_option("REPORTS", o->reports, "Event reports (JSON Lines, docs/formats.md)")->required();
  cmd->add_option("--out", o->out, "Located events (JSON Lines)")->required();
  cmd->add_option("--temperature", o->temperature,
                  "Air temperature, degrees Celsius (default: the site's locate.temperature, 15)")
      ->check(CLI::Range(-80.0, 70.0));
  cmd->add_flag("--skip-bad", o->skip_bad, "Skip (and count) bad report lines instead of stopping");
  cmd->callback([&run, o] { run = [o] { return run_locate(*o); }; });
}

}  // namespace picket::app

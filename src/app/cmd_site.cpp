// picket site SITE.yaml: validate a site file and summarise it, optionally as GeoJSON.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <map>

#include "commands.h"
#include "picket/core/site.h"
#include "picket/formats/geojson.h"
#include "picket/rules/config.h"
#include "picket/store/store.h"

namespace picket::app {

namespace {

struct SiteOptions {
  std::string site;
  std::string geojson;
};

int run_site(const SiteOptions& o) {
  auto site = load_site(o.site);
  if (!site) {
    fmt::print(stderr, "picket: invalid site file\n{}\n", site.error().message());
    return kExitUsage;
  }
  fmt::print("{}: {}\n", o.site, site->name);
  fmt::print("  origin   {:.7f}, {:.7f}, {:.1f} m\n", site->origin.lat_deg, site->origin.lon_deg,
             site->origin.alt_m);
  for (const auto& f : site->fences) {
    fmt::print("  fence    {:<16} {:>8.1f} m, {} segments of {:.0f} m{}\n", f.id, f.length(),
               f.segments.size(), f.segment_length_m, f.closed ? ", closed" : "");
  }
  for (const auto& z : site->zones) {
    fmt::print("  zone     {:<16} {:>8.0f} m^2 {}\n", z.id, z.polygon.area(), z.kind);
  }
  std::map<std::string, int> by_type;
  for (const auto& s : site->sensors)
    ++by_type[std::string(to_string(s.type))];
  for (const auto& [type, n] : by_type)
    fmt::print("  sensors  {:<16} {:>8}\n", type, n);
  // The sections of the alarm rules and the store are checked here too, so that a site that
  // `picket replay` or `picket run` would refuse is refused now.
  auto rules = rules::load_rules(*site);
  if (!rules) {
    fmt::print(stderr, "picket: invalid rules or policy\n{}\n", rules.error().message());
    return kExitUsage;
  }
  if (auto store = store::read_store_options(*site); !store) {
    fmt::print(stderr, "picket: invalid store section\n{}\n", store.error().message());
    return kExitUsage;
  }
  std::map<std::string, int> by_rule;
  for (const auto& r : rules->rules)
    ++by_rule[std::string(rules::to_string(r.type))];
  for (const auto& [type, n] : by_rule)
    fmt::print("  rules    {:<16} {:>8}\n", type, n);
  fmt::print("  policy   time zone {}\n", rules->policy.timezone.name());
  if (!o.geojson.empty()) {
    std::ofstream out(o.geojson);
    out << formats::site_geojson(*site, 1) << '\n';
    if (!out) {
      fmt::print(stderr, "picket: cannot write {}\n", o.geojson);
      return kExitFailure;
    }
    fmt::print("  GeoJSON written to {}\n", o.geojson);
  }
  return kExitOk;
}

}  // namespace

void add_site_command(CLI::App& app, Action& run) {
  auto opts = std::make_shared<SiteOptions>();
  auto* cmd = app.add_subcommand("site", "Validate a site file and print a summary");
  cmd->add_option("SITE", opts->site, "Site file (YAML)")->required();
  cmd->add_option("--geojson", opts->geojson, "Also write the site geometry as GeoJSON here");
  cmd->callback([&run, opts] { run = [opts] { return run_site(*opts); }; });
}

}  // namespace picket::app

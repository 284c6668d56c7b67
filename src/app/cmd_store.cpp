// picket store: look after a store file.
//   picket store check DB [--announced ALARMS.jsonl]   integrity check; every announced alarm
//                                                       event stored?
//   picket store export DB [--csv OUT] [--geojson OUT] [--site SITE]
#include <fmt/format.h>

#include <set>

#include "commands.h"
#include "picket/core/site.h"
#include "picket/formats/alarms.h"
#include "picket/store/store.h"

namespace picket::app {

namespace {

struct StoreCmdOptions {
  std::string db;
  std::string announced;
  std::string csv;
  std::string geojson;
  std::string site;
};

int run_check(const StoreCmdOptions& o) {
  auto result = store::check_store(o.db);
  if (!result) {
    fmt::print(stderr, "picket store: {}\n", result.error().message());
    return kExitFailure;
  }
  if (*result != "ok") {
    fmt::print(stderr, "picket store: {}: integrity check failed:\n{}\n", o.db, *result);
    return kExitFailure;
  }
  fmt::print("{}: integrity ok\n", o.db);
  if (o.announced.empty()) return kExitOk;
  store::StoreOptions so;
  so.path = o.db;
  auto st = store::Store::open(so);
  if (!st) {
    fmt::print(stderr, "picket store: {}\n", st.error().message());
    return kExitFailure;
  }
  auto all = (*st)->all_alarm_events();
  if (!all) {
    fmt::print(stderr, "picket store: {}\n", all.error().message());
    return kExitFailure;
  }
  std::set<std::pair<std::uint64_t, std::uint32_t>> stored;
  for (const auto& e : *all)
    stored.insert({e.alarm.id, e.alarm.seq});
  // A last line cut short by a crash was never wholly announced: skip bad lines.
  formats::ReadOptions ro;
  ro.skip_bad = true;
  auto reader = formats::open_alarm_events(o.announced, ro);
  if (!reader) {
    fmt::print(stderr, "picket store: {}\n", reader.error().message());
    return kExitUsage;
  }
  std::size_t announced = 0;
  std::size_t lost = 0;
  for (;;) {
    auto next = reader->next();
    if (!next) {
      fmt::print(stderr, "picket store: {}\n", next.error().message());
      return kExitFailure;
    }
    if (!next->has_value()) break;
    ++announced;
    const auto& e = **next;
    if (!stored.count({e.alarm.id, e.alarm.seq})) {
      if (++lost <= 10) {
        fmt::print(stderr, "picket store: announced but not stored: alarm {} event {} ({})\n",
                   e.alarm.id, e.alarm.seq, to_string(e.type));
      }
    }
  }
  fmt::print("{} announced alarm events, {} stored events, {} lost\n", announced, stored.size(),
             lost);
  return lost == 0 ? kExitOk : kExitFailure;
}

int run_export(const StoreCmdOptions& o) {
  if (o.csv.empty() && o.geojson.empty()) {
    fmt::print(stderr, "picket store export: give --csv and/or --geojson\n");
    return kExitUsage;
  }
  auto checked = store::check_store(o.db);  // refuses foreign files without creating one
  if (!checked) {
    fmt::print(stderr, "picket store: {}\n", checked.error().message());
    return kExitFailure;
  }
  store::StoreOptions so;
  so.path = o.db;
  auto st = store::Store::open(so);
  if (!st) {
    fmt::print(stderr, "picket store: {}\n", st.error().message());
    return kExitFailure;
  }
  std::optional<LocalFrame> frame;
  if (!o.site.empty()) {
    auto site = load_site(o.site);
    if (!site) {
      fmt::print(stderr, "picket store: invalid site file\n{}\n", site.error().message());
      return kExitUsage;
    }
    frame = site->frame;
  }
  if (!o.csv.empty()) {
    if (auto s = (*st)->export_csv(o.csv); !s) {
      fmt::print(stderr, "picket store: {}\n", s.error().message());
      return kExitFailure;
    }
    fmt::print("alarms written to {}\n", o.csv);
  }
  if (!o.geojson.empty()) {
    if (auto s = (*st)->export_geojson(o.geojson, {}, frame ? &*frame : nullptr); !s) {
      fmt::print(stderr, "picket store: {}\n", s.error().message());
      return kExitFailure;
    }
    fmt::print("alarms written to {}\n", o.geojson);
  }
  return kExitOk;
}

}  // namespace

void add_store_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<StoreCmdOptions>();
  auto* cmd = app.add_subcommand("store", "Check a store file or export its alarms");
  cmd->require_subcommand(1);
  auto* check = cmd->add_subcommand(
      "check",
      "Run SQLite's integrity check; with --announced, check that every alarm event "
      "in an alarms.jsonl is stored");
  check->add_option("DB", o->db, "Store file (picket.db)")->required();
  check->add_option("--announced", o->announced, "alarms.jsonl whose events must be stored");
  check->callback([&run, o] { run = [o] { return run_check(*o); }; });
  auto* exp = cmd->add_subcommand("export", "Export the alarms as CSV and/or GeoJSON");
  exp->add_option("DB", o->db, "Store file (picket.db)")->required();
  exp->add_option("--csv", o->csv, "Write the alarms as CSV here");
  exp->add_option("--geojson", o->geojson, "Write the alarms as GeoJSON points here");
  exp->add_option("--site", o->site,
                  "Site file (its origin places the points; default: the "
                  "origin stored in the file)");
  exp->callback([&run, o] { run = [o] { return run_export(*o); }; });
}

}  // namespace picket::app

// The alarm mode of picket eval: detection performance of alarms against truth events (Pd,
// time to alarm, false and nuisance alarm rates, the threshold sweep). The metrics are in
// src/eval (picket/eval/alarm_score.h); this file reads the files and writes the results.
#include <fmt/format.h>

#include <fstream>

#include "commands.h"
#include "eval_modes.h"
#include "picket/core/site.h"
#include "picket/eval/alarm_score.h"
#include "picket/formats/alarms.h"
#include "picket/formats/records.h"

namespace picket::app {

namespace {

template <class T, class Reader>
Result<std::vector<T>> read_all(Result<Reader> reader) {
  if (!reader) return reader.error();
  std::vector<T> out;
  for (;;) {
    auto next = reader->next();
    if (!next) return next.error();
    if (!next->has_value()) break;
    out.push_back(std::move(**next));
  }
  return out;
}

}  // namespace

int run_alarm_eval(const EvalOptions& o) {
  auto events = read_all<TruthEvent>(formats::open_events(o.events));
  if (!events) {
    fmt::print(stderr, "picket eval: {}\n", events.error().message());
    return kExitUsage;
  }
  auto alarms = read_all<AlarmEvent>(formats::open_alarm_events(o.alarms));
  if (!alarms) {
    fmt::print(stderr, "picket eval: {}\n", alarms.error().message());
    return kExitUsage;
  }
  std::optional<Site> site;
  if (!o.site.empty()) {
    auto s = load_site(o.site);
    if (!s) {
      fmt::print(stderr, "picket eval: invalid site file\n{}\n", s.error().message());
      return kExitUsage;
    }
    site = std::move(*s);
  }
  eval::AlarmScoreOptions so;
  so.before_s = o.alarm_before_s;
  so.after_s = o.alarm_window_s;
  so.distance_m = o.alarm_distance_m;
  if (auto p = parse_alarm_priority(o.alarm_priority)) {
    so.min_priority = *p;
  } else {
    fmt::print(stderr, "picket eval: --priority '{}' is not low, medium, high or critical\n",
               o.alarm_priority);
    return kExitUsage;
  }
  so.min_score = o.alarm_threshold;
  so.protected_zones = o.protected_zones;
  if (o.duration_s > 0) so.duration_s = o.duration_s;
  const eval::AlarmScore score = eval::score_alarms(*events, *alarms, site ? &*site : nullptr, so);
  fmt::print("{}\n", eval::to_json(score));
  if (!o.plot.empty()) {
    if (o.plot.size() < 4 || o.plot.substr(o.plot.size() - 4) != ".svg") {
      fmt::print(stderr, "picket eval: the alarm plot is written as SVG: give a .svg file name\n");
      return kExitUsage;
    }
    std::ofstream out(o.plot, std::ios::binary);
    out << eval::sweep_svg(score);
    out.flush();
    if (!out) {
      fmt::print(stderr, "picket eval: cannot write {}\n", o.plot);
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace picket::app

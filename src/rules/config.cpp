#include "picket/rules/config.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cmath>
#include <set>

namespace picket::rules {

namespace {

constexpr std::array<std::string_view, 10> kRuleTypeNames = {
    "fence_crossing", "zone_entry", "zone_exit",          "approach",    "loitering",
    "speed",          "count",      "airspace_intrusion", "below_floor", "airspace_approach"};
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

std::string join_names(const auto& items) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : ", ") + i.id;
  return out.empty() ? "none" : out;
}

// A ConfigNode of the site, re-bound to our own error list.
ConfigNode rebind(const ConfigNode& n, const std::shared_ptr<ConfigErrors>& errors) {
  return ConfigNode(n.yaml(), n.file(), n.field(), errors, n.line());
}

AlarmPriority read_priority(const ConfigNode& n, std::string_view key, AlarmPriority fallback) {
  const std::string s =
      n.choice(key, {"low", "medium", "high", "critical"}, std::string(to_string(fallback)));
  return parse_alarm_priority(s).value_or(fallback);
}

// `classes: [person, vehicle]`; absent: `fallback`.
ClassMask read_classes(const ConfigNode& n, std::string_view key, ClassMask fallback) {
  const ConfigNode list = n[key];
  if (!list.present()) return fallback;
  if (!list.is_sequence()) {
    list.error("expected a list of classes (person, vehicle, animal, aircraft, drone, unknown)");
    return fallback;
  }
  ClassMask mask = 0;
  for (const auto& item : list.items()) {
    const auto s = item.as_string();
    const auto c = s ? parse_target_class(*s) : std::nullopt;
    if (!c) {
      item.error(
          fmt::format("'{}' is not a class (person, vehicle, animal, aircraft, drone, "
                      "unknown)",
                      s.value_or("?")));
      continue;
    }
    mask |= class_bit(*c);
  }
  if (mask == 0 && list.size() == 0) {
    list.error("an empty list of classes matches nothing (leave `classes` out for all classes)");
  }
  return mask == 0 ? fallback : mask;
}

// "HH:MM" or "HH:MM:SS" as seconds after midnight; "24:00" only when `allow_24`.
std::optional<int> parse_clock(const ConfigNode& n, bool allow_24) {
  const auto s = n.as_string();
  auto bad = [&](std::string_view why) {
    n.error(fmt::format("'{}' is not a time of day ({})", s.value_or("?"), why));
    return std::nullopt;
  };
  if (!s) return bad("expected \"HH:MM\"");
  int parts[3] = {0, 0, 0};
  int count = 0;
  int digits = 0;
  for (char c : *s) {
    if (c == ':') {
      if (digits == 0 || count == 2) return bad("expected \"HH:MM\" or \"HH:MM:SS\"");
      ++count;
      digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 2) {
      parts[count] = parts[count] * 10 + (c - '0');
      ++digits;
    } else {
      return bad("expected \"HH:MM\" or \"HH:MM:SS\"");
    }
  }
  if (digits == 0 || count == 0) return bad("expected \"HH:MM\" or \"HH:MM:SS\"");
  const int h = parts[0];
  const int m = parts[1];
  const int sec = parts[2];
  if (m > 59) return bad("minutes run from 00 to 59");
  if (sec > 59) return bad("seconds run from 00 to 59");
  if (h == 24 && m == 0 && sec == 0) {
    if (allow_24) return 86400;
    return bad("24:00 may only end a window");
  }
  if (h > 23) return bad("hours run from 00 to 23");
  return h * 3600 + m * 60 + sec;
}

std::uint8_t read_days(const ConfigNode& n) {
  if (!n.present()) return 0x7f;
  if (n.is_scalar()) {
    const auto s = n.as_string().value_or("");
    if (s == "all" || s == "daily") return 0x7f;
    if (s == "weekdays") return 0x3e;
    if (s == "weekend" || s == "weekends") return 0x41;
    n.error(fmt::format("'{}' is not a list of days (or all, weekdays, weekend)", s));
    return 0;
  }
  static constexpr std::array<std::string_view, 7> kFullNames = {
      "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  std::uint8_t mask = 0;
  for (const auto& item : n.items()) {
    std::string lower;
    for (char c : item.as_string().value_or(""))
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool found = false;
    for (size_t d = 0; d < kDayNames.size(); ++d) {
      if (lower == kDayNames[d] || lower == kFullNames[d]) {
        mask |= static_cast<std::uint8_t>(1u << d);
        found = true;
      }
    }
    if (!found) {
      item.error(fmt::format("'{}' is not a day of the week (mon .. sun)",
                             item.as_string().value_or("?")));
    }
  }
  if (n.is_sequence() && n.size() == 0) n.error("an empty list of days: the window never opens");
  return mask;
}

Schedule read_schedule(const ConfigNode& n) {
  Schedule sched;
  if (!n.present()) return sched;
  if (!n.is_sequence()) {
    n.error("expected a list of windows ({days: [...], from: \"HH:MM\", to: \"HH:MM\"})");
    return sched;
  }
  if (n.size() == 0) {
    n.error(
        "an empty schedule: the rule would never be armed (leave `schedule` out to arm it "
        "always, or set `armed: false`)");
    return sched;
  }
  for (const auto& w : n.items()) {
    if (!w.expect_keys({"days", "from", "to"})) continue;
    ScheduleWindow win;
    win.days = read_days(w["days"]);
    const bool has_from = w["from"].present();
    const bool has_to = w["to"].present();
    if (has_from != has_to) {
      w[has_from ? "to" : "from"].error("missing: give both from and to (or neither for all day)");
      continue;
    }
    if (has_from) {
      const auto from = parse_clock(w["from"], false);
      const auto to = parse_clock(w["to"], true);
      if (!from || !to) continue;
      if (*from == *to) {
        w["to"].error("an empty window (from equals to); leave from and to out for the whole day");
        continue;
      }
      win.from_s = *from;
      win.to_s = *to;
    }
    if (win.days != 0) sched.windows.push_back(win);
  }
  return sched;
}

int resolve_fence(const ConfigNode& n, const Site& site) {
  const std::string id = n.as_string().value_or("");
  if (!n.present()) {
    n.error("missing (the id of a fence of this site)");
    return -1;
  }
  for (size_t i = 0; i < site.fences.size(); ++i) {
    if (site.fences[i].id == id) return static_cast<int>(i);
  }
  n.error(fmt::format("unknown fence '{}' (fences of this site: {})", id, join_names(site.fences)));
  return -1;
}

int resolve_zone(const ConfigNode& n, const Site& site) {
  const std::string id = n.as_string().value_or("");
  if (!n.present()) {
    n.error("missing (the id of a zone of this site)");
    return -1;
  }
  for (size_t i = 0; i < site.zones.size(); ++i) {
    if (site.zones[i].id == id) return static_cast<int>(i);
  }
  n.error(fmt::format("unknown zone '{}' (zones of this site: {})", id, join_names(site.zones)));
  return -1;
}

void read_segments(const ConfigNode& r, const Site& site, Rule& rule) {
  if (rule.fence < 0) return;
  const int n = static_cast<int>(site.fences[static_cast<size_t>(rule.fence)].segments.size());
  rule.first_segment = 1;
  rule.last_segment = n;
  const ConfigNode s = r["segments"];
  if (!s.present()) return;
  if (!s.is_sequence() || s.size() != 2 || !s.at(0).as_integer() || !s.at(1).as_integer()) {
    s.error("expected [first, last] segment numbers");
    return;
  }
  const long long a = *s.at(0).as_integer();
  const long long b = *s.at(1).as_integer();
  if (a < 1 || b > n || a > b) {
    s.error(fmt::format("[{}, {}] is not a segment range of fence '{}' (segments 1 to {})", a, b,
                        site.fences[static_cast<size_t>(rule.fence)].id, n));
    return;
  }
  rule.first_segment = static_cast<int>(a);
  rule.last_segment = static_cast<int>(b);
}

Rule read_rule(const ConfigNode& r, const Site& site) {
  Rule rule;
  rule.line = r.line();
  if (!r.expect_map()) return rule;
  const std::string type =
      r.choice("type",
               {"fence_crossing", "zone_entry", "zone_exit", "approach", "loitering", "speed",
                "count", "airspace_intrusion", "below_floor", "airspace_approach"},
               "", true);
  for (size_t i = 0; i < kRuleTypeNames.size(); ++i) {
    if (kRuleTypeNames[i] == type) rule.type = static_cast<RuleType>(i);
  }
  // Keys every rule takes, then the keys of its type.
  switch (rule.type) {
    case RuleType::fence_crossing:
      r.expect_keys({"id", "name", "type", "priority", "armed", "classes", "min_class_probability",
                     "schedule", "air", "second_sensor", "description", "fence", "segments",
                     "direction"});
      break;
    case RuleType::zone_entry:
    case RuleType::zone_exit:
      r.expect_keys({"id", "name", "type", "priority", "armed", "classes", "min_class_probability",
                     "schedule", "air", "second_sensor", "description", "zone"});
      break;
    case RuleType::approach:
      r.expect_keys({"id", "name", "type", "priority", "armed", "classes", "min_class_probability",
                     "schedule", "air", "second_sensor", "description", "fence", "segments",
                     "distance", "min_speed", "side"});
      break;
    case RuleType::loitering:
      r.expect_keys({"id", "name", "type", "priority", "armed", "classes", "min_class_probability",
                     "schedule", "air", "second_sensor", "description", "zone", "duration"});
      break;
    case RuleType::speed:
      r.expect_keys({"id", "name", "type", "priority", "armed", "classes", "min_class_probability",
                     "schedule", "air", "second_sensor", "description", "zone", "above", "below",
                     "for"});
      break;
    case RuleType::count:
      r.expect_keys({"id", "name", "type", "priority", "armed", "classes", "min_class_probability",
                     "schedule", "air", "second_sensor", "description", "zone", "more_than"});
      break;
    case RuleType::airspace_intrusion:
      r.expect_keys({"id", "name", "type", "priority", "armed", "classes", "min_class_probability",
                     "schedule", "second_sensor", "description", "zone", "cooperative"});
      break;
    case RuleType::below_floor:
      r.expect_keys({"id", "name", "type", "priority", "armed", "classes", "min_class_probability",
                     "schedule", "second_sensor", "description", "zone", "cooperative", "floor"});
      break;
    case RuleType::airspace_approach:
      r.expect_keys({"id", "name", "type", "priority", "armed", "classes", "min_class_probability",
                     "schedule", "second_sensor", "description", "zone", "cooperative", "distance",
                     "min_speed"});
      break;
  }
  rule.id = r.required_string("id");
  rule.name = r.string("name", rule.id);
  rule.priority = read_priority(r, "priority", AlarmPriority::high);
  rule.armed = r.boolean("armed", true);
  rule.classes = read_classes(r, "classes", kAllClasses);
  rule.min_class_p = r.number("min_class_probability", 0, 0, 1);
  rule.schedule = read_schedule(r["schedule"]);
  rule.second_sensor = r.boolean("second_sensor", true);
  if (type.empty()) return rule;

  switch (rule.type) {
    case RuleType::fence_crossing: {
      rule.fence = resolve_fence(r["fence"], site);
      read_segments(r, site, rule);
      const std::string d = r.choice("direction", {"inward", "outward", "both"}, "inward");
      rule.direction = d == "outward" ? Direction::outward
                       : d == "both"  ? Direction::both
                                      : Direction::inward;
      rule.air = r.boolean("air", false);
      break;
    }
    case RuleType::zone_entry:
    case RuleType::zone_exit:
    case RuleType::loitering:
    case RuleType::count: {
      rule.zone = resolve_zone(r["zone"], site);
      const bool volume = rule.zone >= 0 && (site.zones[static_cast<size_t>(rule.zone)].floor_m ||
                                             site.zones[static_cast<size_t>(rule.zone)].ceiling_m);
      rule.air = r.boolean("air", volume);
      if (rule.type == RuleType::loitering) {
        rule.duration_s = r.required_number("duration", 0.1, 30 * 86400.0);
      }
      if (rule.type == RuleType::count) {
        rule.more_than = static_cast<int>(r.required_integer("more_than", 0, 1'000'000));
      }
      break;
    }
    case RuleType::approach: {
      rule.fence = resolve_fence(r["fence"], site);
      read_segments(r, site, rule);
      rule.distance_m = r.required_number("distance", 0.1, 10'000);
      rule.min_speed_mps = r.number("min_speed", 0.3, 0, 1000);
      const std::string side = r.choice("side", {"outside", "inside", "both"}, "outside");
      rule.side = side == "inside" ? Side::inside : side == "both" ? Side::both : Side::outside;
      rule.air = r.boolean("air", false);
      break;
    }
    case RuleType::speed: {
      if (r["zone"].present()) rule.zone = resolve_zone(r["zone"], site);
      rule.above_mps = r.optional_number("above", 0, 1e4);
      rule.below_mps = r.optional_number("below", 0, 1e4);
      if (r["above"].present() == r["below"].present()) {
        r.error(
            "a speed rule needs exactly one of `above` or `below` (m/s); make two rules for a "
            "band");
      }
      if (rule.below_mps && *rule.below_mps == 0) {
        r["below"].error("below 0 m/s can never happen");
      }
      rule.hold_s = r.number("for", 0, 0, 86400);
      rule.air = r.boolean("air", false);
      break;
    }
    case RuleType::airspace_intrusion:
    case RuleType::below_floor:
    case RuleType::airspace_approach: {
      // Air tracks only: the volume is the zone's polygon and altitude band.
      rule.air = true;
      rule.zone = resolve_zone(r["zone"], site);
      const char* fallback = rule.type == RuleType::airspace_intrusion ? "non"
                             : rule.type == RuleType::below_floor      ? "only"
                                                                       : "any";
      const std::string c = r.choice("cooperative", {"any", "non", "only"}, fallback);
      rule.cooperation = c == "non"    ? Cooperation::non
                         : c == "only" ? Cooperation::only
                                       : Cooperation::any;
      if (rule.type == RuleType::below_floor) {
        const auto floor = r.optional_number("floor", -1000, 100'000);
        const Zone* zone = rule.zone >= 0 ? &site.zones[static_cast<size_t>(rule.zone)] : nullptr;
        if (floor) {
          rule.floor_m = *floor;
        } else if (zone && zone->floor_m) {
          rule.floor_m = *zone->floor_m;
        } else if (zone) {
          r.error(fmt::format(
              "a below_floor rule needs a `floor` (m above the origin), or a zone with a floor "
              "('{}' has none)",
              zone->id));
        }
      }
      if (rule.type == RuleType::airspace_approach) {
        rule.distance_m = r.required_number("distance", 0.1, 100'000);
        rule.min_speed_mps = r.required_number("min_speed", 0, 1000);
      }
      break;
    }
  }
  return rule;
}

void read_policy(const ConfigNode& p, const Site& site, Policy& policy) {
  if (!p.present()) return;
  if (!p.expect_keys({"timezone", "tracks", "second_sensor", "fence", "health"})) return;
  if (p["timezone"].present()) {
    const std::string tz = p.string("timezone", "UTC");
    auto zone = TimeZone::parse(tz);
    if (!zone) {
      p["timezone"].error(zone.error().what);
    } else {
      policy.timezone = *zone;
    }
  }
  if (const ConfigNode t = p["tracks"];
      t.present() && t.expect_keys({"alarm_on_tentative", "forget_after"})) {
    policy.tracks.alarm_on_tentative = t.boolean("alarm_on_tentative", false);
    policy.tracks.forget_after_s = t.number("forget_after", 60, 1, 86400);
  }
  if (const ConfigNode s = p["second_sensor"];
      s.present() &&
      s.expect_keys({"required_for", "unconfirmed_priority", "fence_window", "fence_distance"})) {
    const ConfigNode list = s["required_for"];
    for (const auto& item : list.items()) {
      const auto name = item.as_string().value_or("");
      const auto type = parse_sensor_type(name);
      if (!type) {
        item.error(
            fmt::format("'{}' is not a sensor type (radar, camera, fence, aerostat, "
                        "acoustic, adsb)",
                        name));
        continue;
      }
      policy.second_sensor.required_for |= sensor_type_bit(*type);
    }
    policy.second_sensor.unconfirmed_priority =
        read_priority(s, "unconfirmed_priority", AlarmPriority::low);
    policy.second_sensor.fence_window_s = s.number("fence_window", 10, 0, 3600);
    policy.second_sensor.fence_distance_m = s.number("fence_distance", 25, 0, 10'000);
  }
  if (const ConfigNode f = p["fence"];
      f.present() &&
      f.expect_keys({"window", "distance", "classes", "min_class_probability", "priority",
                     "unconfirmed_priority", "retrigger_window", "nuisance"})) {
    auto& fp = policy.fence;
    fp.window_s = f.number("window", 10, 0, 3600);
    fp.distance_m = f.number("distance", 25, 0, 10'000);
    fp.classes = read_classes(f, "classes", fp.classes);
    fp.min_class_p = f.number("min_class_probability", 0, 0, 1);
    fp.priority = read_priority(f, "priority", AlarmPriority::high);
    fp.unconfirmed_priority = read_priority(f, "unconfirmed_priority", AlarmPriority::low);
    fp.retrigger_window_s = f.number("retrigger_window", 60, 0, 86400);
    if (const ConfigNode n = f["nuisance"];
        n.present() && n.expect_keys({"triggers", "within", "rate_limit", "quiet"})) {
      fp.nuisance.triggers = static_cast<int>(n.integer("triggers", 3, 1, 100000));
      fp.nuisance.within_s = n.number("within", 600, 1, 30 * 86400.0);
      fp.nuisance.rate_limit_s = n.number("rate_limit", 300, 0, 30 * 86400.0);
      fp.nuisance.quiet_s = n.number("quiet", 1800, 1, 30 * 86400.0);
    }
    if (fp.unconfirmed_priority > fp.priority) {
      f["unconfirmed_priority"].error(
          "an unconfirmed fence alarm cannot be more urgent than a confirmed one");
    }
  }
  if (const ConfigNode h = p["health"];
      h.present() &&
      h.expect_keys({"silence_factor", "min_silence", "priority", "tamper_priority", "sensors"})) {
    auto& hp = policy.health;
    hp.silence_factor = h.number("silence_factor", 3, 1, 1e6);
    hp.min_silence_s = h.number("min_silence", 10, 0, 86400 * 30.0);
    hp.priority = read_priority(h, "priority", AlarmPriority::medium);
    hp.tamper_priority = read_priority(h, "tamper_priority", AlarmPriority::high);
    const ConfigNode sensors = h["sensors"];
    if (sensors.present()) {
      for (const auto& [id, node] : sensors.entries()) {
        const int idx = site.sensor_index(id);
        if (idx < 0) {
          node.error(fmt::format("unknown sensor '{}' (sensors of this site: {})", id,
                                 join_names(site.sensors)));
          continue;
        }
        if (!node.expect_keys({"monitor", "silence"})) continue;
        auto& o = hp.sensors[static_cast<size_t>(idx)];
        o.monitor = node.boolean("monitor", true);
        o.silence_s = node.optional_number("silence", 0.001, 86400 * 30.0);
      }
    }
  }
}

}  // namespace

std::string_view to_string(RuleType t) {
  return kRuleTypeNames[static_cast<size_t>(t)];
}

bool Schedule::active(double t, const TimeZone& tz) const {
  if (windows.empty()) return true;
  const double local = t + tz.offset_at(t);
  const double day_f = std::floor(local / 86400.0);
  const auto day = static_cast<std::int64_t>(day_f);
  const double sec = local - day_f * 86400.0;
  const int wd = weekday_from_days(day);
  const int yesterday = (wd + 6) % 7;
  for (const auto& w : windows) {
    const bool today = (w.days >> wd) & 1u;
    if (w.from_s < w.to_s) {
      if (today && sec >= w.from_s && sec < w.to_s) return true;
    } else {
      if (today && sec >= w.from_s) return true;
      if (((w.days >> yesterday) & 1u) && sec < w.to_s) return true;
    }
  }
  return false;
}

double HealthPolicy::silence_limit(const SensorDef& sensor, size_t index) const {
  if (index < sensors.size()) {
    const auto& o = sensors[index];
    if (!o.monitor) return 0;
    if (o.silence_s) return *o.silence_s;
  }
  return std::max(min_silence_s, silence_factor * sensor.expected_interval_s());
}

Result<RulesConfig> load_rules(const Site& site) {
  auto errors = std::make_shared<ConfigErrors>();
  RulesConfig cfg;
  cfg.policy.health.sensors.resize(site.sensors.size());
  if (auto it = site.sections.find("policy"); it != site.sections.end()) {
    read_policy(rebind(it->second, errors), site, cfg.policy);
  }
  if (auto it = site.sections.find("rules"); it != site.sections.end()) {
    const ConfigNode rules = rebind(it->second, errors);
    if (rules.present() && !rules.is_sequence()) {
      rules.error("expected a list of rules");
    } else {
      std::set<std::string> ids;
      for (const auto& r : rules.items()) {
        Rule rule = read_rule(r, site);
        if (!rule.id.empty() && !ids.insert(rule.id).second) {
          r["id"].error(fmt::format("duplicate rule id '{}'", rule.id));
        }
        cfg.rules.push_back(std::move(rule));
      }
      if (cfg.rules.size() > 60000) rules.error("too many rules (at most 60,000)");
    }
  }
  if (auto st = errors->status(); !st) return st.error();
  return cfg;
}

}  // namespace picket::rules

#include "picket/sim/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "picket/core/config.h"
#include "picket/core/time.h"
#include "picket/core/units.h"
#include "picket/sim/random.h"
#include "picket/sim/wide_area.h"

namespace picket::sim {

namespace {

constexpr std::array<std::string_view, kNumMoverKinds> kKindNames = {
    "walker", "runner", "crawler", "vehicle", "animal", "bird", "drone", "aircraft"};

// Speeds: walking 1.4 m/s (Bohannon 1997, comfortable gait), running 4 m/s, crawling 0.4 m/s;
// heights and radar cross-sections: person ~1 m^2 at X band (Richards, Principles of Modern
// Radar, table 7.1 gives 0.1-1 m^2 for a man; a crawler shows less), car ~10 m^2, small
// quadcopter 0.01-0.05 m^2, single bird 0.001-0.01 m^2, light aircraft 1-10 m^2. Climb times:
// an unaided climb of a 2.4 m mesh fence takes 8-15 s; cutting a hole big enough to crawl
// through ~40 s. docs/sim.md has the table.
constexpr std::array<KindDefaults, kNumMoverKinds> kDefaults = {{
    //  class                speed height  rcs  climb brush   flies  altitude
    {TargetClass::person, 1.4, 1.75, 1.0, 12.0, 0.0, false, 0.0},     // walker
    {TargetClass::person, 4.0, 1.75, 1.0, 8.0, 0.0, false, 0.0},      // runner
    {TargetClass::person, 0.4, 0.5, 0.3, 40.0, 0.0, false, 0.0},      // crawler
    {TargetClass::vehicle, 12.0, 1.6, 10.0, 0.0, 0.0, false, 0.0},    // vehicle
    {TargetClass::animal, 1.0, 0.8, 0.5, 2.0, 1.0 / 30, false, 0.0},  // animal
    {TargetClass::animal, 10.0, 0.3, 0.01, 0.0, 0.0, true, 30.0},     // bird
    {TargetClass::drone, 8.0, 0.3, 0.02, 0.0, 0.0, true, 50.0},       // drone
    {TargetClass::aircraft, 60.0, 3.0, 10.0, 0.0, 0.0, true, 500.0},  // aircraft
}};

constexpr double kMaxDuration = 30.0 * 86400;  // a month of simulated time
constexpr double kMaxSpeed = 400;              // m/s

// Does a point node give its own height (up or alt)?
bool gives_height(const ConfigNode& n) {
  if (n.is_sequence()) return n.size() == 3;
  return n.is_map() && (n.has("up") || n.has("alt"));
}

// A point in the site frame. Ground points are put on the origin's horizontal plane (up = 0);
// flyers' points keep their height when they give one, else get `altitude`.
std::optional<Enu> read_point(const ConfigNode& n, const Site& site, bool flies, double altitude) {
  auto g = parse_point(n, site.frame);
  if (!g) return std::nullopt;
  const bool height = gives_height(n);
  if (n.is_map() && n.has("east")) {
    // Local metres: exactly as given (no round trip through geodetic coordinates).
    Enu e(n["east"].as_number().value_or(0), n["north"].as_number().value_or(0),
          n["up"].as_number().value_or(0));
    if (!flies) {
      e.z() = 0;
    } else if (!height) {
      e.z() = altitude;
    }
    return e;
  }
  if (!height) g->alt_m = site.origin.alt_m;
  Enu e = site.frame.to_enu(*g);
  if (!flies) {
    e.z() = 0;
  } else if (!height) {
    e.z() = altitude;
  }
  return e;
}

// A number or a [min, max] pair.
std::pair<double, double> read_interval(const ConfigNode& parent, std::string_view key,
                                        std::pair<double, double> fallback, double min,
                                        double max) {
  const ConfigNode n = parent[key];
  if (!n.present()) return fallback;
  if (n.is_scalar()) {
    const double v = parent.number(key, fallback.first, min, max);
    return {v, v};
  }
  if (!n.is_sequence() || n.size() != 2 || !n.at(0).as_number() || !n.at(1).as_number()) {
    n.error("expected a number or [min, max]");
    return fallback;
  }
  const double a = *n.at(0).as_number();
  const double b = *n.at(1).as_number();
  if (a < min || b > max || a > b) {
    n.error(fmt::format("[{}, {}] is not an interval within [{}, {}]", a, b, min, max));
    return fallback;
  }
  return {a, b};
}

struct Loader {
  const ConfigNode& root;
  Scenario& sc;
  bool site_ok = false;
  std::set<std::string> ids;

  void unique_id(const ConfigNode& node, const std::string& id) {
    if (!id.empty() && !ids.insert(id).second) {
      node.error(fmt::format("duplicate mover id '{}'", id));
    }
  }

  // Start and duration of something that happens during the scenario.
  void read_timing(const ConfigNode& n, double& start, double& duration) {
    start = n.number("start", 0, 0, kMaxDuration);
    if (n["start"].present() && sc.duration_s > 0 && start >= sc.duration_s) {
      n["start"].error(
          fmt::format("{} s is not before the scenario's end ({} s)", start, sc.duration_s));
    }
    // Without a duration it lasts to the end of the scenario.
    duration = n.number("duration", std::max(0.0, sc.duration_s - start), 0, kMaxDuration);
    if (n["duration"].present() && duration <= 0) n["duration"].error("must be above 0 s");
  }

  // `zone: ID` or `around: POINT` with `radius: M`.
  std::optional<RandomWalk> read_area(const ConfigNode& n, const char* what) {
    RandomWalk w;
    const bool zone = n.has("zone");
    const bool around = n.has("around");
    if (zone == around) {
      n.error(fmt::format(
          "{} needs exactly one of 'zone' (a site zone id) or 'around' (a point, with 'radius')",
          what));
      return std::nullopt;
    }
    if (zone) {
      w.zone = n.required_string("zone");
      if (n.has("radius")) n["radius"].error("'radius' goes with 'around', not with 'zone'");
      if (site_ok && !w.zone.empty()) {
        const Zone* z = sc.site.find_zone(w.zone);
        if (!z) {
          n["zone"].error(fmt::format("unknown zone '{}' (not in the site file)", w.zone));
          return std::nullopt;
        }
        w.area = z->polygon;
      }
    } else {
      if (auto p = read_point(n["around"], sc.site, false, 0)) w.center = p->head<2>();
      w.radius_m = n.required_number("radius", 1, 1e6);
    }
    return w;
  }

  void read_path(const ConfigNode& list, MoverSpec& m) {
    if (!list.is_sequence()) {
      list.error("expected a list of waypoints");
      return;
    }
    for (const auto& item : list.items()) {
      Waypoint w;
      w.speed_mps = m.speed_mps;
      if (item.is_map() && item.has("at")) {
        item.expect_keys({"at", "speed", "pause"});
        if (auto p = read_point(item["at"], sc.site, m.flies(), m.altitude_m)) w.position = *p;
        w.speed_mps = item.number("speed", m.speed_mps, 0.01, kMaxSpeed);
        w.pause_s = item.number("pause", 0, 0, kMaxDuration);
      } else if (auto p = read_point(item, sc.site, m.flies(), m.altitude_m)) {
        w.position = *p;
      }
      m.path.push_back(w);
    }
    if (m.path.empty()) {
      list.error("a path needs at least one waypoint");
    } else if (m.path.size() == 1 && m.linger_s <= 0 && m.path[0].pause_s <= 0) {
      list.error("a path of one waypoint needs 'linger' (how long the mover stands there)");
    }
  }

  void read_mover(const ConfigNode& n) {
    if (!n.expect_keys({"id", "kind", "class", "start", "duration", "speed", "height", "rcs",
                        "climb_time", "altitude", "linger", "path", "random_walk", "count", "icao",
                        "brush_rate"})) {
      return;
    }
    MoverSpec m;
    m.id = n.required_string("id");
    const std::string kind = n.choice(
        "kind", {"walker", "runner", "crawler", "vehicle", "animal", "bird", "drone", "aircraft"},
        "walker", true);
    m.kind = parse_mover_kind(kind).value_or(MoverKind::walker);
    const KindDefaults& d = kind_defaults(m.kind);
    m.cls = d.cls;
    if (n.has("class")) {
      const std::string c = n.choice(
          "class", {"person", "vehicle", "animal", "aircraft", "drone", "unknown"}, "", false);
      if (auto tc = parse_target_class(c)) m.cls = *tc;
    }
    read_timing(n, m.start_s, m.duration_s);
    m.speed_mps = n.number("speed", d.speed_mps, 0.01, kMaxSpeed);
    m.height_m = n.number("height", d.height_m, 0.01, 100);
    m.rcs_m2 = n.number("rcs", d.rcs_m2, 1e-6, 1e5);
    m.climb_time_s = n.number("climb_time", d.climb_time_s, 0, 3600);
    m.linger_s = n.number("linger", 0, 0, kMaxDuration);
    m.brush_rate_per_s = n.number("brush_rate", d.brush_rate_per_s * 60, 0, 600) / 60.0;
    m.altitude_m = d.altitude_m;
    if (n.has("altitude")) {
      if (!d.flies) {
        n["altitude"].error(
            fmt::format("'altitude' is for flyers (bird, drone, aircraft), not a {}", kind));
      } else {
        m.altitude_m = n.number("altitude", d.altitude_m, -500, 20'000);
      }
    }
    if (n.has("icao")) {
      if (m.kind != MoverKind::aircraft) {
        n["icao"].error("'icao' (an ADS-B address) is for aircraft only");
      } else {
        m.icao = n.required_string("icao");
        const bool hex =
            m.icao.size() == 6 &&
            std::all_of(m.icao.begin(), m.icao.end(), [](char c) { return std::isxdigit(c) != 0; });
        if (!hex) n["icao"].error(fmt::format("'{}' is not 6 hexadecimal digits", m.icao));
      }
    } else if (m.kind == MoverKind::aircraft) {
      m.icao = fmt::format("{:06X}", fnv1a64(m.id) & 0xFFFFFF);
    }
    const bool path = n.has("path");
    const bool walk = n.has("random_walk");
    if (path == walk) {
      n.error("a mover needs exactly one of 'path' (waypoints) or 'random_walk'");
    } else if (path) {
      if (n.has("duration")) n["duration"].error("a path mover lasts until its path ends");
      read_path(n["path"], m);
    } else {
      const ConfigNode w = n["random_walk"];
      if (w.expect_keys({"zone", "around", "radius", "speed", "pause", "fence_visits"})) {
        if (auto rw = read_area(w, "random_walk")) {
          const auto speed =
              read_interval(w, "speed", {m.speed_mps * 0.5, m.speed_mps * 1.5}, 0, kMaxSpeed);
          if (speed.second <= 0) w["speed"].error("the walk needs a speed above 0");
          rw->speed_min_mps = speed.first;
          rw->speed_max_mps = speed.second;
          const auto pause = read_interval(w, "pause", {0, 0}, 0, kMaxDuration);
          rw->pause_min_s = pause.first;
          rw->pause_max_s = pause.second;
          rw->fence_visits = w.number("fence_visits", 0, 0, 1);
          m.random_walk = std::move(*rw);
        }
      }
    }
    const long long count = n.integer("count", 1, 1, 100'000);
    if (n.has("count") && path) {
      n["count"].error("'count' is for random walks (a path is followed by one mover)");
    }
    if (count == 1) {
      unique_id(n["id"], m.id);
      sc.movers.push_back(std::move(m));
      return;
    }
    for (long long i = 1; i <= count; ++i) {
      MoverSpec copy = m;
      copy.id = fmt::format("{}-{}", m.id, i);
      if (m.kind == MoverKind::aircraft && !n.has("icao")) {
        copy.icao = fmt::format("{:06X}", fnv1a64(copy.id) & 0xFFFFFF);
      }
      unique_id(n["id"], copy.id);
      sc.movers.push_back(std::move(copy));
    }
  }

  // `fence: ID` (optional when the site has one fence) and `segments: [first, last]`.
  bool read_segments(const ConfigNode& n, int& fence, int& first, int& last) {
    if (!site_ok) return false;
    std::string id = n.string("fence", "");
    if (id.empty()) {
      if (sc.site.fences.size() != 1) {
        n["fence"].error(sc.site.fences.empty()
                             ? "the site has no fence"
                             : "missing: the site has several fences; say which one ('fence: ID')");
        return false;
      }
      id = sc.site.fences[0].id;
    }
    fence = -1;
    for (size_t i = 0; i < sc.site.fences.size(); ++i) {
      if (sc.site.fences[i].id == id) fence = static_cast<int>(i);
    }
    if (fence < 0) {
      n["fence"].error(fmt::format("unknown fence '{}' (not in the site file)", id));
      return false;
    }
    const int nseg = static_cast<int>(sc.site.fences[static_cast<size_t>(fence)].segments.size());
    first = 1;
    last = nseg;
    if (const auto seg = n["segments"]; seg.present()) {
      if (!seg.is_sequence() || seg.size() != 2 || !seg.at(0).as_integer() ||
          !seg.at(1).as_integer()) {
        seg.error("expected [first, last] segment numbers");
        return false;
      }
      first = static_cast<int>(*seg.at(0).as_integer());
      last = static_cast<int>(*seg.at(1).as_integer());
      if (first < 1 || last < first || last > nseg) {
        seg.error(fmt::format("[{}, {}] is not a range of segments of fence '{}', which has {}",
                              first, last, id, nseg));
        return false;
      }
    }
    return true;
  }

  void read_nuisance(const ConfigNode& n) {
    const std::string type = n.choice("type", {"wind", "rain", "birds"}, "", true);
    if (type == "wind") {
      if (!n.expect_keys({"type", "start", "duration", "strength", "gust_period", "rate", "fence",
                          "segments"})) {
        return;
      }
      WindSpec w;
      read_timing(n, w.start_s, w.duration_s);
      w.strength = n.required_number("strength", 0, 1);
      w.gust_period_s = n.number("gust_period", 20, 1, 3600);
      w.rate_per_hour = n.number("rate", 120, 0, 36'000);
      if (read_segments(n, w.fence, w.first_segment, w.last_segment)) sc.winds.push_back(w);
    } else if (type == "rain") {
      if (!n.expect_keys({"type", "start", "duration", "clutter_factor", "sensors"})) return;
      RainSpec r;
      read_timing(n, r.start_s, r.duration_s);
      r.clutter_factor = n.number("clutter_factor", 4, 1, 1000);
      for (const auto& s : n["sensors"].items()) {
        const auto id = s.as_string();
        if (!id || id->empty()) {
          s.error("expected a sensor id");
          continue;
        }
        if (!site_ok) continue;
        const int i = sc.site.sensor_index(*id);
        if (i < 0) {
          s.error(fmt::format("unknown sensor '{}' (not in the site file)", *id));
        } else if (const auto t = sc.site.sensors[static_cast<size_t>(i)].type;
                   t != SensorType::radar && t != SensorType::camera) {
          s.error(fmt::format("rain clutter applies to radars and cameras, not to a {} sensor",
                              to_string(t)));
        } else {
          r.sensors.push_back(i);
        }
      }
      sc.rains.push_back(std::move(r));
    } else if (type == "birds") {
      if (!n.expect_keys({"type", "id", "count", "start", "duration", "zone", "around", "radius",
                          "altitude", "spread", "speed", "rcs"})) {
        return;
      }
      FlockSpec f;
      f.id = n.required_string("id");
      f.count = static_cast<int>(n.integer("count", 10, 1, 10'000));
      read_timing(n, f.start_s, f.duration_s);
      if (auto area = read_area(n, "a bird flock")) f.center = std::move(*area);
      const auto speed = read_interval(n, "speed", {8, 15}, 0.1, 100);
      f.center.speed_min_mps = speed.first;
      f.center.speed_max_mps = speed.second;
      f.altitude_m = n.number("altitude", 30, 1, 5000);
      f.spread_m = n.number("spread", 20, 0.5, 1000);
      f.rcs_m2 = n.number("rcs", 0.01, 1e-6, 10);
      for (int i = 1; i <= f.count; ++i)
        unique_id(n["id"], fmt::format("{}-{}", f.id, i));
      sc.flocks.push_back(std::move(f));
    }
  }

  void read_sensor_settings(const ConfigNode& n) {
    sc.sensors.assign(sc.site.sensors.size(), SensorSimSpec{});
    if (!n.present()) return;
    for (const auto& [id, s] : n.entries()) {
      if (!site_ok) continue;
      const int i = sc.site.sensor_index(id);
      if (i < 0) {
        s.error(fmt::format("unknown sensor '{}' (not in the site file)", id));
        continue;
      }
      SensorSimSpec& spec = sc.sensors[static_cast<size_t>(i)];
      const SensorType type = sc.site.sensors[static_cast<size_t>(i)].type;
      if (type == SensorType::aerostat || type == SensorType::acoustic) {
        read_wide_area_sensor(s, type, sc.site, spec);  // wide_area.cpp
        continue;
      }
      if (!s.expect_keys({"enabled", "doppler", "doppler_noise", "pfa"})) continue;
      const bool radar = sc.site.sensors[static_cast<size_t>(i)].type == SensorType::radar;
      spec.enabled = s.boolean("enabled", true);
      for (const char* key : {"doppler", "doppler_noise", "pfa"}) {
        if (s.has(key) && !radar) s[key].error(fmt::format("'{}' is for radars only", key));
      }
      spec.doppler = s.boolean("doppler", true);
      spec.doppler_noise_mps = s.number("doppler_noise", 0.2, 0, 100);
      spec.pfa = s.number("pfa", 1e-6, 1e-12, 0.1);
    }
  }

  void load() {
    if (!root.is_map()) {
      root.error("a scenario file is a mapping with at least 'site', 'start' and 'duration'");
      return;
    }
    root.expect_keys({"site", "description", "start", "duration", "truth_rate", "seed", "sensors",
                      "movers", "nuisances", "temperature", "roads", "point_events"});
    sc.file = root.file();
    sc.description = root.string("description", "");
    const std::string site = root.required_string("site");
    if (!site.empty()) {
      std::string path = site;
      if (path.front() != '/' && !root.directory().empty()) path = root.directory() + "/" + path;
      auto s = load_site(path);
      if (!s) {
        root["site"].error(
            fmt::format("the site file '{}' is not valid:\n{}", path, s.error().message()));
      } else {
        sc.site = std::move(*s);
        site_ok = true;
      }
    }
    const std::string start = root.required_string("start");
    if (!start.empty()) {
      if (auto t = parse_iso8601(start)) {
        sc.start_unix = *t;
      } else {
        root["start"].error(
            fmt::format("'{}' is not an ISO 8601 UTC time such as 2026-11-28T22:00:00Z", start));
      }
    }
    sc.duration_s = root.required_number("duration", 0, kMaxDuration);
    if (root["duration"].present() && sc.duration_s <= 0) {
      root["duration"].error("must be above 0 s");
    }
    sc.truth_rate_hz = root.number("truth_rate", 1, 1e-3, 100);
    sc.seed = static_cast<std::uint64_t>(
        root.integer("seed", 1, 0, std::numeric_limits<long long>::max()));
    read_sensor_settings(root["sensors"]);
    for (const auto& m : root["movers"].items())
      read_mover(m);
    for (const auto& n : root["nuisances"].items()) {
      if (n.expect_map()) read_nuisance(n);
    }
    // Wide-area additions (wide_area.cpp).
    sc.temperature_c = root.number("temperature", 15, -60, 60);
    if (site_ok) {
      read_roads(root["roads"], sc,
                 [this](const ConfigNode& n, const std::string& id) { unique_id(n, id); });
      read_point_events(root["point_events"], sc);
    }
  }
};

Result<Scenario> build(const ConfigNode& root) {
  Scenario sc;
  Loader loader{root, sc, false, {}};
  loader.load();
  if (auto st = root.errors()->status(); !st) return st.error();
  return sc;
}

}  // namespace

std::string_view to_string(MoverKind k) {
  return kKindNames[static_cast<size_t>(k)];
}

std::optional<MoverKind> parse_mover_kind(std::string_view s) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == s) return static_cast<MoverKind>(i);
  }
  return std::nullopt;
}

const KindDefaults& kind_defaults(MoverKind k) {
  return kDefaults[static_cast<size_t>(k)];
}

Result<Scenario> load_scenario(const std::string& path) {
  auto root = ConfigNode::load_file(path);
  if (!root) return root.error();
  return build(*root);
}

Result<Scenario> load_scenario_from_string(const std::string& yaml, const std::string& file_name) {
  auto root = ConfigNode::load_string(yaml, file_name);
  if (!root) return root.error();
  return build(*root);
}

}  // namespace picket::sim

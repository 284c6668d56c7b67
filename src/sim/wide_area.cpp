#include "picket/sim/wide_area.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "picket/core/units.h"
#include "picket/sim/aerostat.h"
#include "picket/sim/random.h"

namespace picket::sim {

namespace {

constexpr double kMaxTime = 30.0 * 86400;

// A point of the scenario in the site frame: {east, north, up} exactly as given, other forms
// through the site's frame; without a height it lies on the ground plane (up = 0).
std::optional<Enu> read_enu(const ConfigNode& n, const Site& site) {
  auto g = parse_point(n, site.frame);
  if (!g) return std::nullopt;
  if (n.is_map() && n.has("east")) {
    return Enu(n["east"].as_number().value_or(0), n["north"].as_number().value_or(0),
               n["up"].as_number().value_or(0));
  }
  const bool height = n.is_sequence() ? n.size() == 3 : (n.is_map() && n.has("alt"));
  if (!height) g->alt_m = site.origin.alt_m;
  Enu e = site.frame.to_enu(*g);
  if (!height) e.z() = 0;
  return e;
}

// A number or [min, max].
std::pair<double, double> interval(const ConfigNode& parent, std::string_view key,
                                   std::pair<double, double> fallback, double lo, double hi) {
  const ConfigNode n = parent[key];
  if (!n.present()) return fallback;
  if (n.is_scalar()) {
    const double v = parent.number(key, fallback.first, lo, hi);
    return {v, v};
  }
  if (!n.is_sequence() || n.size() != 2 || !n.at(0).as_number() || !n.at(1).as_number()) {
    n.error("expected a number or [min, max]");
    return fallback;
  }
  const double a = *n.at(0).as_number(), b = *n.at(1).as_number();
  if (a < lo || b > hi || a > b) {
    n.error(fmt::format("[{}, {}] is not an interval within [{}, {}]", a, b, lo, hi));
    return fallback;
  }
  return {a, b};
}

}  // namespace

// --- Sensor settings ----------------------------------------------------------------------------

void read_wide_area_sensor(const ConfigNode& s, SensorType type, const Site& site,
                           SensorSimSpec& spec) {
  if (type == SensorType::acoustic) {
    if (!s.expect_keys({"enabled", "timing_sigma"})) return;
    spec.enabled = s.boolean("enabled", true);
    spec.acoustic.timing_sigma_s = s.number("timing_sigma", 0.001, 1e-7, 10);
    return;
  }
  if (!s.expect_keys({"enabled", "wind", "tether", "gimbal", "camera", "errors"})) return;
  AerostatSimSpec& a = spec.aerostat;
  spec.enabled = s.boolean("enabled", true);
  if (const auto w = s["wind"];
      w.present() && w.expect_keys({"speed", "from", "gust", "gust_time"})) {
    a.wind_mps = w.number("speed", a.wind_mps, 0, 60);
    a.wind_from_rad = deg2rad(w.number("from", rad2deg(a.wind_from_rad), -360, 360));
    a.gust_mps = w.number("gust", a.gust_mps, 0, 30);
    a.gust_time_s = w.number("gust_time", a.gust_time_s, 0.5, 3600);
  }
  if (const auto t = s["tether"];
      t.present() && t.expect_keys({"blowdown", "response", "sway_period", "sway", "yaw_sway"})) {
    a.blowdown_10_rad = deg2rad(t.number("blowdown", rad2deg(a.blowdown_10_rad), 0, 80));
    a.response_s = t.number("response", a.response_s, 0.1, 600);
    a.sway_period_s = t.number("sway_period", a.sway_period_s, 1, 600);
    a.sway_rad = deg2rad(t.number("sway", rad2deg(a.sway_rad), 0, 30));
    a.yaw_sway_rad = deg2rad(t.number("yaw_sway", rad2deg(a.yaw_sway_rad), 0, 90));
  }
  if (const auto g = s["gimbal"];
      g.present() && g.expect_keys({"mode", "tilt", "rate", "start", "at", "stabilisation"})) {
    const std::string mode = g.choice("mode", {"scan", "stare"}, "scan");
    a.stare = mode == "stare";
    a.tilt_rad = deg2rad(g.number("tilt", rad2deg(a.tilt_rad), -90, 0));
    a.scan_rate_rad_s = deg2rad(g.number("rate", rad2deg(a.scan_rate_rad_s), -180, 180));
    a.scan_start_rad = deg2rad(g.number("start", 0, -360, 360));
    a.stabilisation_rad = deg2rad(g.number("stabilisation", rad2deg(a.stabilisation_rad), 0, 10));
    if (a.stare) {
      if (!g.has("at")) {
        g["at"].error("missing: a staring gimbal needs the ground point it looks at");
      } else if (auto p = read_enu(g["at"], site)) {
        a.stare_at = *p;
      }
      for (const char* k : {"tilt", "rate", "start"})
        if (g.has(k)) g[k].error(fmt::format("'{}' is for a scanning gimbal", k));
    } else if (g.has("at")) {
      g["at"].error("'at' is for a staring gimbal (mode: stare)");
    }
  }
  if (const auto c = s["camera"]; c.present() && c.expect_keys({"hfov"}))
    a.hfov_rad = deg2rad(c.number("hfov", rad2deg(a.hfov_rad), 0.1, 120));
  if (const auto e = s["errors"];
      e.present() && e.expect_keys({"position", "attitude", "gimbal", "pixel"})) {
    a.sigma_position_m = e.number("position", a.sigma_position_m, 0, 1000);
    a.sigma_attitude_rad = deg2rad(e.number("attitude", rad2deg(a.sigma_attitude_rad), 0, 10));
    a.sigma_gimbal_rad = deg2rad(e.number("gimbal", rad2deg(a.sigma_gimbal_rad), 0, 10));
    a.sigma_pixel = e.number("pixel", a.sigma_pixel, 0, 100);
  }
}

// --- Roads --------------------------------------------------------------------------------------

void read_roads(const ConfigNode& list, Scenario& sc,
                const std::function<void(const ConfigNode&, const std::string&)>& unique_id) {
  for (const auto& n : list.items()) {
    if (!n.expect_keys(
            {"id", "points", "vehicles_per_hour", "speed", "both_ways", "start", "duration"})) {
      continue;
    }
    RoadSpec road;
    road.id = n.required_string("id");
    for (const auto& p : n["points"].items())
      if (auto e = read_enu(p, sc.site)) road.points.push_back(Enu(e->x(), e->y(), 0));
    if (n["points"].present() && road.points.size() < 2)
      n["points"].error("a road needs at least two points");
    if (!n.has("points")) n["points"].error("missing: the road's points");
    road.vehicles_per_hour = n.number("vehicles_per_hour", 30, 0, 10'000);
    const auto speed = interval(n, "speed", {10, 20}, 0.5, 80);
    road.speed_min_mps = speed.first;
    road.speed_max_mps = speed.second;
    road.both_ways = n.boolean("both_ways", true);
    const double start = n.number("start", 0, 0, kMaxTime);
    const double duration = n.number("duration", std::max(0.0, sc.duration_s - start), 0, kMaxTime);
    if (road.id.empty() || road.points.size() < 2) continue;
    // Vehicles enter as a Poisson process (exponential gaps), from the scenario's seed and the
    // road's id: the traffic is part of the scenario, the same whatever --seed the run uses.
    Rng rng(stream_seed(sc.seed, "road", road.id));
    const double rate = road.vehicles_per_hour / 3600.0;
    double t = start;
    int k = 0;
    while (rate > 0) {
      t += rng.exponential(rate);
      if (t >= start + duration || t >= sc.duration_s) break;
      MoverSpec m;
      m.id = fmt::format("{}-{}", road.id, ++k);
      m.kind = MoverKind::vehicle;
      const auto& d = kind_defaults(m.kind);
      m.cls = d.cls;
      m.start_s = t;
      m.speed_mps = rng.uniform(road.speed_min_mps, road.speed_max_mps);
      m.height_m = d.height_m;
      m.rcs_m2 = d.rcs_m2;
      m.climb_time_s = d.climb_time_s;
      const bool reverse = road.both_ways && rng.bernoulli(0.5);
      std::vector<Enu> pts = road.points;
      if (reverse) std::reverse(pts.begin(), pts.end());
      for (const auto& p : pts)
        m.path.push_back(Waypoint{p, m.speed_mps, 0});
      unique_id(n["id"], m.id);
      sc.movers.push_back(std::move(m));
    }
    road.generated = k;
    sc.roads.push_back(std::move(road));
  }
}

// --- Point events -------------------------------------------------------------------------------

void read_point_events(const ConfigNode& list, Scenario& sc) {
  for (const auto& n : list.items()) {
    if (!n.expect_keys({"id", "kind", "time", "at", "flash", "sound"})) continue;
    PointEventSpec e;
    e.id = n.required_string("id");
    e.kind = n.choice("kind", {"flash", "blast", "gunshot", "launch"}, "blast");
    e.t = n.required_number("time", 0, kMaxTime);
    if (n["time"].present() && sc.duration_s > 0 && e.t >= sc.duration_s)
      n["time"].error(
          fmt::format("{} s is not before the scenario's end ({} s)", e.t, sc.duration_s));
    if (!n.has("at")) {
      n["at"].error("missing: where the event happens");
    } else if (auto p = read_enu(n["at"], sc.site)) {
      e.position = *p;
    }
    // A flash alone makes no bang; the others flash and bang unless told otherwise.
    e.flash = n.boolean("flash", true);
    e.sound = n.boolean("sound", e.kind != "flash");
    if (!e.flash && !e.sound) n.error("an event with neither flash nor sound is seen by nobody");
    for (const auto& other : sc.point_events)
      if (!e.id.empty() && other.id == e.id)
        n["id"].error(fmt::format("duplicate event id '{}'", e.id));
    sc.point_events.push_back(std::move(e));
  }
  std::stable_sort(sc.point_events.begin(), sc.point_events.end(),
                   [](const PointEventSpec& a, const PointEventSpec& b) { return a.t < b.t; });
}

// --- Simulating point events ---------------------------------------------------------------------

namespace {

double speed_of_sound(double celsius) {
  return 331.3 * std::sqrt(1.0 + celsius / 273.15);
}

// Swerling I-form detection probability with SNR falling as R^-2, `pd` at max range.
double acoustic_pd(const SensorDef& s, double range) {
  if (range > s.max_range_m || range < s.min_range_m) return 0;
  constexpr double pfa = 1e-6;
  const double p = std::clamp(s.pd, 1e-6, 0.999999);
  const double snr_ref = std::log(pfa) / std::log(p) - 1;
  const double rel = s.max_range_m / std::max(range, 1e-3);
  return std::pow(pfa, 1.0 / (1.0 + snr_ref * rel * rel));
}

}  // namespace

PointEventOutput simulate_point_events(const Scenario& sc, std::uint64_t seed) {
  PointEventOutput out;
  if (sc.point_events.empty()) return out;
  const double c = speed_of_sound(sc.temperature_c);
  for (const auto& e : sc.point_events)
    out.truth.push_back(formats::PointTruth{sc.start_unix + e.t, e.id, e.kind, e.position});
  for (std::size_t i = 0; i < sc.site.sensors.size(); ++i) {
    const SensorDef& s = sc.site.sensors[i];
    const SensorSimSpec spec = i < sc.sensors.size() ? sc.sensors[i] : SensorSimSpec{};
    if (!spec.enabled) continue;
    Rng rng(stream_seed(seed, s.id, "point-events"));
    if (s.type == SensorType::acoustic) {
      for (const auto& e : sc.point_events) {
        if (!e.sound) continue;
        const Enu d = e.position - s.enu;
        const double range = d.norm();
        if (!rng.bernoulli(acoustic_pd(s, range))) continue;
        formats::PointReport r;
        r.sensor = s.id;
        r.signal = formats::Signal::sound;
        r.t = sc.start_unix + e.t + range / c + spec.acoustic.timing_sigma_s * rng.normal();
        r.sigma_t = spec.acoustic.timing_sigma_s;
        if (s.noise.bearing_rad > 0) {  // an array: direction of arrival too
          r.bearing = wrap_2pi(std::atan2(d.x(), d.y()) + s.noise.bearing_rad * rng.normal());
          r.sigma_bearing = s.noise.bearing_rad;
        }
        r.temperature = sc.temperature_c;
        r.kind = e.kind;
        out.reports.push_back(std::move(r));
      }
    } else if (s.type == SensorType::camera) {
      const double period = 1.0 / s.update_rate_hz;
      const double phase = rng.uniform(0, period);
      const double sb = s.noise.bearing_rad > 0 ? s.noise.bearing_rad : s.fov_h_rad / s.image_width;
      const double se =
          s.noise.elevation_rad > 0 ? s.noise.elevation_rad : s.fov_v_rad / s.image_height;
      for (const auto& e : sc.point_events) {
        if (!e.flash || !s.covers(e.position)) continue;
        if (!rng.bernoulli(s.pd)) continue;
        const Enu d = e.position - s.enu;
        formats::PointReport r;
        r.sensor = s.id;
        r.signal = formats::Signal::light;
        // Seen in the first frame after the flash.
        const double frame = phase + std::ceil((e.t - phase) / period) * period;
        r.t = sc.start_unix + frame;
        r.sigma_t = period / std::sqrt(12.0);
        r.bearing = wrap_2pi(std::atan2(d.x(), d.y()) + sb * rng.normal());
        r.sigma_bearing = sb;
        r.elevation = std::atan2(d.z(), d.head<2>().norm()) + se * rng.normal();
        r.sigma_elevation = se;
        r.kind = "flash";
        out.reports.push_back(std::move(r));
      }
    } else if (s.type == SensorType::aerostat) {
      // The same tether stream as the aerostat's sensor model: the same balloon.
      const AerostatSimSpec& a = spec.aerostat;
      TetherModel tether(a, Enu(s.enu.x(), s.enu.y(), 0), std::max(s.enu.z(), 1.0),
                         stream_seed(seed, s.id, "tether"));
      const double focal = 0.5 * s.image_width / std::tan(0.5 * a.hfov_rad);
      const double period = 1.0 / s.update_rate_hz;
      const double phase = rng.uniform(0, period);
      const double sigma_angle =
          std::sqrt(a.sigma_attitude_rad * a.sigma_attitude_rad +
                    a.sigma_gimbal_rad * a.sigma_gimbal_rad + std::pow(a.sigma_pixel / focal, 2));
      for (const auto& e : sc.point_events) {
        if (!e.flash) continue;
        const double frame = phase + std::ceil((e.t - phase) / period) * period;
        const PlatformState p = tether.at(frame);
        const Enu dir =
            a.stare
                ? Enu((a.stare_at - p.position).normalized())
                : Enu(std::sin(a.scan_start_rad + a.scan_rate_rad_s * frame) * std::cos(a.tilt_rad),
                      std::cos(a.scan_start_rad + a.scan_rate_rad_s * frame) * std::cos(a.tilt_rad),
                      std::sin(a.tilt_rad));
        const Eigen::Matrix3d rot = camera_to_enu(p.attitude, gimbal_towards(p.attitude, dir));
        const Enu d = e.position - p.position;
        if (d.norm() > s.max_range_m) continue;
        const Eigen::Vector3d cam = rot.transpose() * d;
        if (cam.z() <= 0) continue;
        const double u = focal * cam.x() / cam.z() + 0.5 * s.image_width;
        const double v = focal * cam.y() / cam.z() + 0.5 * s.image_height;
        if (u < 0 || v < 0 || u >= s.image_width || v >= s.image_height) continue;
        if (!rng.bernoulli(s.pd)) continue;
        formats::PointReport r;
        r.sensor = s.id;
        r.signal = formats::Signal::light;
        r.t = sc.start_unix + frame;
        r.sigma_t = period / std::sqrt(12.0);
        // Measured from where the platform believes it is.
        const Enu pos_m =
            p.position + a.sigma_position_m * Enu(rng.normal(), rng.normal(), rng.normal());
        const Enu dm = e.position - pos_m;
        r.position = pos_m;
        r.bearing = wrap_2pi(std::atan2(dm.x(), dm.y()) + sigma_angle * rng.normal());
        r.sigma_bearing = sigma_angle;
        r.elevation = std::atan2(dm.z(), dm.head<2>().norm()) + sigma_angle * rng.normal();
        r.sigma_elevation = sigma_angle;
        r.kind = "flash";
        out.reports.push_back(std::move(r));
      }
    }
  }
  std::stable_sort(
      out.reports.begin(), out.reports.end(),
      [](const formats::PointReport& x, const formats::PointReport& y) { return x.t < y.t; });
  return out;
}

}  // namespace picket::sim

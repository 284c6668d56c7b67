#include "picket/eval/stonesoup_scene.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "picket/core/site.h"
#include "picket/track/tracker.h"

namespace picket::eval {

namespace {

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// Reads the named columns of a CSV file with a header line; calls row(values) for each line.
template <class F>
Status read_csv(const std::string& path, const std::vector<std::string>& names, F&& row) {
  std::ifstream in(path);
  if (!in) return Error{path, "cannot open"};
  std::string line;
  if (!std::getline(in, line)) return Error{path + ":1", "empty file"};
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const auto header = split(line);
  std::vector<std::size_t> col;
  for (const auto& n : names) {
    const auto it = std::find(header.begin(), header.end(), n);
    if (it == header.end()) return Error{path + ":1", fmt::format("no column '{}'", n)};
    col.push_back(static_cast<std::size_t>(it - header.begin()));
  }
  std::vector<double> v(names.size());
  for (int ln = 2; std::getline(in, line); ++ln) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto f = split(line);
    for (std::size_t k = 0; k < col.size(); ++k) {
      if (col[k] >= f.size())
        return Error{fmt::format("{}:{}", path, ln), fmt::format("no value for '{}'", names[k])};
      const auto s = f[col[k]];
      double x = 0;
      const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
      if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(x)) {
        return Error{fmt::format("{}:{} {}", path, ln, names[k]),
                     fmt::format("'{}' is not a number", s)};
      }
      v[k] = x;
    }
    row(v);
  }
  return Ok{};
}

}  // namespace

Result<StoneSoupScene> load_stonesoup_scene(const std::string& dir) {
  StoneSoupScene s;
  s.dir = dir;
  const std::string jpath = dir + "/scenario.json";
  std::ifstream jin(jpath);
  if (!jin) return Error{jpath, "cannot open (is this a scene directory?)"};
  nlohmann::json j = nlohmann::json::parse(jin, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error{jpath, "invalid JSON"};
  try {
    const auto& pr = j.at("params");
    s.n = j.at("N").get<int>();
    s.scans = pr.at("scans").get<int>();
    s.dt = pr.at("dt_s").get<double>();
    s.q = pr.at("q").get<double>();
    s.sigma = pr.at("meas_sigma_m").get<double>();
    s.pd = pr.at("p_detect").get<double>();
    s.clutter_rate = pr.at("clutter_rate").get<double>();
    s.prior_speed_sigma = pr.at("prior_vel_sigma_mps").get<double>();
    s.gospa_c = pr.at("gospa_c_m").get<double>();
    s.gospa_p = pr.at("gospa_p").get<double>();
    const auto& sq = j.at("surveillance_square_m");
    s.x0 = sq.at(0).at(0).get<double>();
    s.x1 = sq.at(0).at(1).get<double>();
    s.y0 = sq.at(1).at(0).get<double>();
    s.y1 = sq.at(1).at(1).get<double>();
  } catch (const nlohmann::json::exception& e) {
    return Error{jpath, std::string("missing or wrong field: ") + e.what()};
  }
  if (s.n < 1 || s.scans < 1 || !(s.dt > 0) || !(s.sigma > 0) || !(s.pd > 0 && s.pd < 1) ||
      !(s.x1 > s.x0) || !(s.y1 > s.y0)) {
    return Error{jpath, "implausible scene parameters"};
  }
  s.scan.resize(static_cast<size_t>(s.scans));
  for (int k = 0; k < s.scans; ++k)
    s.scan[static_cast<size_t>(k)].t = k * s.dt;
  auto scan_of = [&](double scan, const std::string& path) -> Result<StoneSoupScene::Scan*> {
    const int k = static_cast<int>(scan) - 1;
    if (k < 0 || k >= s.scans || k + 1 != scan)
      return Error{path, fmt::format("scan {} is outside 1..{}", scan, s.scans)};
    return &s.scan[static_cast<size_t>(k)];
  };
  Status bad = Ok{};
  const std::string mpath = dir + "/measurements.csv";
  auto st = read_csv(mpath, {"scan", "time_s", "x", "y"}, [&](const std::vector<double>& v) {
    if (!bad) return;
    auto sc = scan_of(v[0], mpath);
    if (!sc) {
      bad = sc.error();
      return;
    }
    (*sc)->t = v[1];
    (*sc)->measurements.emplace_back(v[2], v[3]);
  });
  if (!st) return st.error();
  if (!bad) return bad.error();
  const std::string tpath = dir + "/truth.csv";
  st = read_csv(tpath, {"scan", "x", "y"}, [&](const std::vector<double>& v) {
    if (!bad) return;
    auto sc = scan_of(v[0], tpath);
    if (!sc) {
      bad = sc.error();
      return;
    }
    (*sc)->truth.emplace_back(v[1], v[2]);
  });
  if (!st) return st.error();
  if (!bad) return bad.error();
  return s;
}

track::TrackerParams scene_params(const StoneSoupScene& s, track::MotionModel motion,
                                  track::Association association) {
  track::TrackerParams p = track::default_params();
  p.motion = motion;
  p.association = association;
  for (auto& c : p.classes)
    c.process_noise = s.q;
  p.initial_speed_sigma_mps = s.prior_speed_sigma;
  p.reorder_window_s = 0;
  p.manage_interval_s = s.dt;
  p.max_rate_hz = 1e9;
  p.coast_after_s = 1.5 * s.dt;
  p.tentative_max_age_s = 4 * s.dt;
  p.max_coast_s = 6 * s.dt;
  // Every target is present at the first scan (N in the square) and none is born later; the
  // birth intensity only lets a target whose track was lost be found again (1% of the initial
  // density per scan).
  const double area_km2 = (s.x1 - s.x0) * (s.y1 - s.y0) / 1e6;
  p.initial_target_density_km2 = s.n / area_km2;
  p.new_targets_per_km2_h = 0.01 * p.initial_target_density_km2 * 3600 / s.dt;
  p.kinematic_class_weight = 0;
  return p;
}

Result<SceneRun> run_stonesoup_scene(const StoneSoupScene& s, const track::TrackerParams& p) {
  // A site with one sensor that sees the whole plane: linear position measurements, the scene's
  // Pd, and a false-alarm rate giving the scene's clutter density inside the square.
  Site site;
  site.name = "stonesoup-scene";
  site.frame = LocalFrame(site.origin);
  SensorDef sensor;
  sensor.id = "scene";
  sensor.type = SensorType::camera;
  sensor.enu = Enu(0.5 * (s.x0 + s.x1), 0.5 * (s.y0 + s.y1), 0);
  sensor.max_range_m = 1e6;
  sensor.noise.position_m = s.sigma;
  sensor.pd = s.pd;
  sensor.update_rate_hz = 1 / s.dt;
  const double density = s.clutter_rate / ((s.x1 - s.x0) * (s.y1 - s.y0));  // per m^2 per scan
  const double coverage = std::numbers::pi * sensor.max_range_m * sensor.max_range_m;
  sensor.false_alarm_rate = density * coverage * 3600 / s.dt;
  site.sensors.push_back(sensor);
  site.sensor_by_id.emplace(sensor.id, 0);

  auto tracker = track::Tracker::create(site, p);
  if (!tracker) return tracker.error();
  SceneRun run;
  std::vector<TrackState> picture;
  PointSet xs, ys;
  Detection d;
  d.sensor = "scene";
  d.sigma = s.sigma;
  std::uint64_t ref = 0;
  for (const auto& sc : s.scan) {
    const auto start = std::chrono::steady_clock::now();
    d.t = sc.t;
    for (const auto& m : sc.measurements) {
      d.measurement = EnuMeasurement{m.x(), m.y(), std::nullopt};
      tracker->push(d, ++ref);
    }
    tracker->flush();
    tracker->snapshot(sc.t, picture);
    tracker->clear_updates();
    const auto stop = std::chrono::steady_clock::now();
    run.scan_ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    xs.points.clear();
    for (const auto& x : sc.truth)
      xs.points.emplace_back(x.x(), x.y(), 0);
    ys.points.clear();
    for (const auto& e : picture)
      ys.points.push_back(e.position);
    run.gospa.push_back(gospa(xs, ys, s.gospa_c, s.gospa_p));
    run.ospa.push_back(ospa(xs, ys, s.gospa_c, s.gospa_p));
  }
  const double n = static_cast<double>(s.scan.size());
  for (std::size_t k = 0; k < s.scan.size(); ++k) {
    run.mean_gospa += run.gospa[k].distance / n;
    run.mean_localisation += run.gospa[k].localisation / n;
    run.mean_missed += run.gospa[k].missed / n;
    run.mean_false += run.gospa[k].false_ / n;
    run.mean_ospa += run.ospa[k] / n;
    run.mean_ms += run.scan_ms[k] / n;
    run.max_ms = std::max(run.max_ms, run.scan_ms[k]);
  }
  std::vector<double> sorted = run.scan_ms;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t m = sorted.size();
  run.median_ms = m == 0 ? 0 : (m % 2 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]));
  run.stats = tracker->stats();
  return run;
}

}  // namespace picket::eval

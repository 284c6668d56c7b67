#include "picket/locate/point_event.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "picket/core/units.h"
#include "picket/locate/tdoa.h"
#include "picket/terrain/coverage.h"

namespace picket::locate {

double speed_of_sound(double celsius) {
  return 331.3 * std::sqrt(1.0 + celsius / 273.15);
}

std::string_view to_string(EventQuality q) {
  switch (q) {
    case EventQuality::located:
      return "located";
    case EventQuality::single_sensor:
      return "single_sensor";
    case EventQuality::underdetermined:
      return "underdetermined";
    case EventQuality::inconsistent:
      return "inconsistent";
  }
  return "?";
}

Result<LocateConfig> parse_locate_config(const ConfigNode& section) {
  LocateConfig c;
  if (!section.present()) return c;
  auto errors = std::make_shared<ConfigErrors>();
  const ConfigNode node(section.yaml(), section.file(), section.field(), errors, section.line());
  if (!node.expect_keys({"temperature", "timing_sigma", "event_height", "gate", "confidence",
                         "association_slack", "max_range"})) {
    return errors->status().error();
  }
  c.temperature_c = node.number("temperature", c.temperature_c, -80, 70);
  c.timing_sigma_s = node.number("timing_sigma", c.timing_sigma_s, 1e-7, 10);
  c.event_height_m = node.number("event_height", c.event_height_m, -100, 10000);
  c.gate = node.number("gate", c.gate, 0.5, 0.999999);
  c.confidence = node.number("confidence", c.confidence, 0.5, 0.9999);
  c.association_slack_s = node.number("association_slack", c.association_slack_s, 0, 60);
  c.max_range_m = node.number("max_range", 0, 0, 1e6);
  if (auto st = errors->status(); !st) return st.error();
  return c;
}

// ---------------------------------------------------------------------------------------------
// Association

std::vector<std::vector<std::size_t>> associate_reports(const std::vector<EventReport>& reports,
                                                        const std::vector<ReportSensor>& sensors,
                                                        const LocateConfig& cfg) {
  const std::size_t n = reports.size();
  // Speed of sound for windows: the fastest plausible (warm air) keeps windows generous.
  double warm = cfg.temperature_c;
  for (const auto& r : reports)
    if (r.temperature) warm = std::max(warm, *r.temperature);
  const double c = speed_of_sound(warm + 5);
  std::vector<double> lo(n), hi(n), sig(n);
  for (std::size_t i = 0; i < n; ++i) {
    sig[i] = reports[i].sigma_t.value_or(sensors[i].sigma_t);
    const double pad = 3 * sig[i] + cfg.association_slack_s;
    const double travel =
        reports[i].signal == Signal::sound ? sensors[i].max_range_m / speed_of_sound(warm - 40) : 0;
    lo[i] = reports[i].t - travel - pad;
    hi[i] = reports[i].t + pad;
  }
  auto compatible = [&](std::size_t i, std::size_t j) {
    if (reports[i].sensor == reports[j].sensor) return false;
    if (lo[i] > hi[j] || lo[j] > hi[i]) return false;
    const double pad = 3 * std::hypot(sig[i], sig[j]) + cfg.association_slack_s;
    const double dt = std::abs(reports[i].t - reports[j].t);
    const bool si = reports[i].signal == Signal::sound, sj = reports[j].signal == Signal::sound;
    if (si && sj) return dt <= (sensors[i].position - sensors[j].position).norm() / c + pad;
    if (!si && !sj) return dt <= pad;
    return true;  // light and sound: the interval test above holds the sound's travel time
  };
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return lo[a] != lo[b] ? lo[a] < lo[b] : reports[a].t < reports[b].t;
  });
  struct Cluster {
    std::vector<std::size_t> members;
    double closes = 0;  // min of the members' hi: no report starting later can join
  };
  std::vector<Cluster> open, done;
  for (std::size_t i : order) {
    for (auto it = open.begin(); it != open.end();) {
      if (it->closes < lo[i]) {
        done.push_back(std::move(*it));
        it = open.erase(it);
      } else {
        ++it;
      }
    }
    Cluster* home = nullptr;
    for (auto& cl : open) {
      bool ok = true;
      for (std::size_t j : cl.members)
        ok = ok && compatible(i, j);
      if (ok) {
        home = &cl;
        break;
      }
    }
    if (home == nullptr) {
      open.push_back(Cluster{{}, std::numeric_limits<double>::infinity()});
      home = &open.back();
    }
    home->members.push_back(i);
    home->closes = std::min(home->closes, hi[i]);
  }
  for (auto& cl : open)
    done.push_back(std::move(cl));
  std::vector<std::vector<std::size_t>> out;
  for (auto& cl : done) {
    std::sort(cl.members.begin(), cl.members.end(),
              [&](std::size_t a, std::size_t b) { return reports[a].t < reports[b].t; });
    out.push_back(std::move(cl.members));
  }
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    return reports[a.front()].t < reports[b.front()].t;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The least-squares problem

namespace {

struct Problem {
  const std::vector<EventReport>& reports;
  const std::vector<ReportSensor>& sensors;
  std::vector<std::size_t> used;
  const terrain::Terrain& terrain;
  double c = 343;
  double event_height = 0;

  double ground(double e, double n) const {
    double g = terrain.height_or_nan(e, n);
    if (std::isnan(g)) {
      // Off the known terrain: the level surface through the origin.
      const double r = terrain.earth_radius();
      g = std::sqrt(std::max(r * r - e * e - n * n, 0.0)) - r;
    }
    return g + event_height;
  }
  Enu point(double e, double n) const { return Enu(e, n, ground(e, n)); }

  int residual_count() const {
    int m = 0;
    for (std::size_t i : used) {
      const auto& r = reports[i];
      m += 1 + (r.bearing ? 1 : 0) + (r.elevation ? 1 : 0);
    }
    return m;
  }
  // Normalised residuals at (e, n, t0); `per_report` (optional) receives each report's sum of
  // squares.
  Eigen::VectorXd residuals(const Eigen::Vector3d& x,
                            std::vector<double>* per_report = nullptr) const {
    Eigen::VectorXd r(residual_count());
    const Enu p = point(x(0), x(1));
    int k = 0;
    if (per_report) per_report->assign(used.size(), 0.0);
    for (std::size_t u = 0; u < used.size(); ++u) {
      const auto& rep = reports[used[u]];
      const auto& s = sensors[used[u]];
      const Enu d = p - s.position;
      const double st = rep.sigma_t.value_or(s.sigma_t);
      const double pred_t = x(2) + (rep.signal == Signal::sound ? d.norm() / c : 0.0);
      double ss = 0;
      r(k) = (rep.t - pred_t) / st;
      ss += r(k) * r(k);
      ++k;
      if (rep.bearing) {
        const double pred = std::atan2(d.x(), d.y());
        r(k) = wrap_pi(*rep.bearing - pred) / rep.sigma_bearing.value_or(s.sigma_bearing);
        ss += r(k) * r(k);
        ++k;
      }
      if (rep.elevation) {
        const double pred = std::atan2(d.z(), d.head<2>().norm());
        r(k) = wrap_pi(*rep.elevation - pred) / rep.sigma_elevation.value_or(s.sigma_elevation);
        ss += r(k) * r(k);
        ++k;
      }
      if (per_report) (*per_report)[u] = ss;
    }
    return r;
  }
  // The sum of squared normalised residuals (what residuals() gives), without allocating.
  double cost(const Eigen::Vector3d& x) const {
    const Enu p = point(x(0), x(1));
    double sum = 0;
    for (std::size_t i : used) {
      const auto& rep = reports[i];
      const auto& s = sensors[i];
      const Enu d = p - s.position;
      const double pred_t = x(2) + (rep.signal == Signal::sound ? d.norm() / c : 0.0);
      sum += std::pow((rep.t - pred_t) / rep.sigma_t.value_or(s.sigma_t), 2);
      if (rep.bearing) {
        sum += std::pow(wrap_pi(*rep.bearing - std::atan2(d.x(), d.y())) /
                            rep.sigma_bearing.value_or(s.sigma_bearing),
                        2);
      }
      if (rep.elevation) {
        sum += std::pow(wrap_pi(*rep.elevation - std::atan2(d.z(), d.head<2>().norm())) /
                            rep.sigma_elevation.value_or(s.sigma_elevation),
                        2);
      }
    }
    return sum;
  }
  Eigen::MatrixXd jacobian(const Eigen::Vector3d& x) const {
    const int m = residual_count();
    Eigen::MatrixXd j(m, 3);
    for (int a = 0; a < 3; ++a) {
      const double h = a < 2 ? 0.05 : 1e-5;
      Eigen::Vector3d xp = x, xm = x;
      xp(a) += h;
      xm(a) -= h;
      j.col(a) = (residuals(xp) - residuals(xm)) / (2 * h);
    }
    return j;
  }
  // The best t0 for a position (weighted mean of the implied event times).
  double best_t0(double e, double n) const {
    const Enu p = point(e, n);
    double sw = 0, st = 0;
    for (std::size_t i : used) {
      const auto& rep = reports[i];
      const double s = rep.sigma_t.value_or(sensors[i].sigma_t);
      const double w = 1 / (s * s);
      const double t0 =
          rep.t - (rep.signal == Signal::sound ? (p - sensors[i].position).norm() / c : 0.0);
      sw += w;
      st += w * (t0 - reports[used.front()].t);
    }
    return reports[used.front()].t + st / sw;
  }
};

struct Solution {
  Eigen::Vector3d x = Eigen::Vector3d::Zero();
  double chi2 = std::numeric_limits<double>::infinity();
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
  bool observable = false;
};

// Levenberg-Marquardt on the normalised residuals from `x`. Report times are relative to the
// group's first report (see locate_event), so x(2) is small and finite differences keep their
// precision.
Solution refine(const Problem& pb, Eigen::Vector3d x) {
  Solution s;
  double lambda = 1e-3;
  Eigen::VectorXd r = pb.residuals(x);
  double cost = r.squaredNorm();
  double previous = std::numeric_limits<double>::infinity();
  for (int iter = 0; iter < 50; ++iter) {
    const Eigen::MatrixXd j = pb.jacobian(x);
    const Eigen::Matrix3d n = j.transpose() * j;
    const Eigen::Vector3d g = j.transpose() * r;
    bool improved = false;
    Eigen::Vector3d step = Eigen::Vector3d::Zero();
    for (int tries = 0; tries < 12 && !improved; ++tries) {
      Eigen::Matrix3d a = n;
      for (int k = 0; k < 3; ++k)
        a(k, k) += lambda * std::max(n(k, k), 1e-12);
      // 3x3: the closed-form inverse (cofactors) is exact and cheap; a near-singular system
      // (an unobservable direction) is left to the damping.
      const double det = a.determinant();
      if (!(std::abs(det) > 1e-300)) break;
      step = -(a.inverse() * g);
      if (!step.allFinite()) break;
      const Eigen::Vector3d xn = x + step;
      const Eigen::VectorXd rn = pb.residuals(xn);
      const double cn = rn.squaredNorm();
      if (cn <= cost) {
        x = xn;
        r = rn;
        cost = cn;
        lambda = std::max(lambda / 3, 1e-9);
        improved = true;
      } else {
        lambda *= 4;
      }
    }
    if (!improved || (step.head<2>().norm() < 1e-4 && std::abs(step(2)) < 1e-7)) break;
    if (cost < 1e-12 || (previous - cost) < 1e-10 * previous) break;  // converged
    previous = cost;
  }
  s.x = x;
  s.chi2 = cost;
  const Eigen::MatrixXd j = pb.jacobian(x);
  const Eigen::Matrix3d n = j.transpose() * j;
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> es(n);
  const double emax = es.eigenvalues().maxCoeff(), emin = es.eigenvalues().minCoeff();
  s.observable = emax > 0 && emin > 1e-10 * emax;
  if (s.observable) s.cov = n.inverse();
  return s;
}

std::vector<Eigen::Vector2d> starting_points(const Problem& pb) {
  std::vector<Eigen::Vector2d> starts;
  // Sound arrivals: Chan and Ho.
  std::vector<Eigen::Vector2d> pos;
  std::vector<double> t, sig;
  for (std::size_t i : pb.used) {
    if (pb.reports[i].signal != Signal::sound) continue;
    pos.push_back(pb.sensors[i].position.head<2>());
    t.push_back(pb.reports[i].t - pb.reports[pb.used.front()].t);
    sig.push_back(pb.reports[i].sigma_t.value_or(pb.sensors[i].sigma_t));
  }
  if (pos.size() >= 3) {
    for (const auto& p : chan_tdoa(pos, t, sig, pb.c))
      starts.push_back(p);
  }
  // Bearings: weighted least-squares intersection of the lines n_j . p = n_j . s_j, reweighted
  // once with the distances from the first solution.
  std::vector<std::size_t> br;
  for (std::size_t i : pb.used)
    if (pb.reports[i].bearing) br.push_back(i);
  if (br.size() >= 2) {
    Eigen::Vector2d p = Eigen::Vector2d::Zero();
    for (int pass = 0; pass < 2; ++pass) {
      Eigen::Matrix2d a = Eigen::Matrix2d::Zero();
      Eigen::Vector2d b = Eigen::Vector2d::Zero();
      for (std::size_t i : br) {
        const double be = *pb.reports[i].bearing;
        const Eigen::Vector2d nrm(std::cos(be), -std::sin(be));
        const Eigen::Vector2d s = pb.sensors[i].position.head<2>();
        const double sb = pb.reports[i].sigma_bearing.value_or(pb.sensors[i].sigma_bearing);
        const double dist = pass == 0 ? 1.0 : std::max((p - s).norm(), 1.0);
        const double w = 1 / (sb * sb * dist * dist);
        a += w * nrm * nrm.transpose();
        b += w * nrm * nrm.dot(s);
      }
      if (std::abs(a.determinant()) < 1e-12 * a.squaredNorm()) break;
      p = a.inverse() * b;
      if (pass == 1 || !p.allFinite()) break;
    }
    if (p.allFinite() && p != Eigen::Vector2d::Zero()) starts.push_back(p);
  }
  // A bearing with elevation below the horizontal: where its ray meets the ground.
  for (std::size_t i : pb.used) {
    const auto& r = pb.reports[i];
    if (!r.bearing || !r.elevation || *r.elevation >= 0) continue;
    const Enu dir(std::sin(*r.bearing) * std::cos(*r.elevation),
                  std::cos(*r.bearing) * std::cos(*r.elevation), std::sin(*r.elevation));
    if (auto hit = pb.terrain.cast_ray(pb.sensors[i].position, dir, pb.sensors[i].max_range_m * 2,
                                       pb.event_height)) {
      starts.push_back(hit->point.head<2>());
    }
  }
  // Flash to bang: a light report and a sound report from (nearly) the same place give a range
  // along the light report's bearing.
  for (std::size_t i : pb.used) {
    const auto& li = pb.reports[i];
    if (li.signal != Signal::light || !li.bearing) continue;
    for (std::size_t j : pb.used) {
      const auto& so = pb.reports[j];
      if (so.signal != Signal::sound) continue;
      const double range = pb.c * (so.t - li.t);
      if (range <= 0) continue;
      const Enu s = pb.sensors[j].position;
      starts.push_back(s.head<2>() +
                       range * Eigen::Vector2d(std::sin(*li.bearing), std::cos(*li.bearing)));
    }
  }
  return starts;
}

// Coarse grid search over the sensors' reach: the few best cells (t0 in closed form).
std::vector<Eigen::Vector2d> grid_starts(const Problem& pb) {
  Eigen::Vector2d lo = pb.sensors[pb.used.front()].position.head<2>(), hi = lo;
  for (std::size_t i : pb.used) {
    const Eigen::Vector2d s = pb.sensors[i].position.head<2>();
    const double r = pb.sensors[i].max_range_m;
    lo = lo.cwiseMin(s - Eigen::Vector2d(r, r));
    hi = hi.cwiseMax(s + Eigen::Vector2d(r, r));
  }
  constexpr int kN = 60;
  std::vector<std::pair<double, Eigen::Vector2d>> best;
  for (int j = 0; j <= kN; ++j) {
    for (int i = 0; i <= kN; ++i) {
      const Eigen::Vector2d p = lo + (hi - lo).cwiseProduct(Eigen::Vector2d(i, j) / kN);
      const Eigen::Vector3d x(p.x(), p.y(), pb.best_t0(p.x(), p.y()));
      best.emplace_back(pb.cost(x), p);
    }
  }
  std::partial_sort(best.begin(), best.begin() + std::min<std::size_t>(5, best.size()), best.end(),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Eigen::Vector2d> out;
  for (std::size_t k = 0; k < std::min<std::size_t>(5, best.size()); ++k)
    out.push_back(best[k].second);
  return out;
}

// `allow_grid`: fall back to the grid search when the closed forms give no consistent fit.
Solution solve(const Problem& pb, bool& used_grid, bool allow_grid = true) {
  used_grid = false;
  Solution best;
  auto attempt = [&](const Eigen::Vector2d& p) {
    const Eigen::Vector3d x0(p.x(), p.y(), pb.best_t0(p.x(), p.y()));
    Solution s = refine(pb, x0);
    if (s.chi2 < best.chi2) best = s;
  };
  for (const auto& p : starting_points(pb))
    attempt(p);
  const int dof = pb.residual_count() - 3;
  const double gate = chi2_quantile(0.999, std::max(dof, 1));
  if (allow_grid && (best.chi2 > gate || !best.observable)) {
    used_grid = true;
    for (const auto& p : grid_starts(pb))
      attempt(p);
  }
  return best;
}

}  // namespace

LocatedEvent locate_event(const std::vector<EventReport>& reports_in,
                          const std::vector<ReportSensor>& sensors,
                          const std::vector<std::size_t>& group, const terrain::Terrain& terrain,
                          const LocateConfig& cfg) {
  LocatedEvent ev;
  if (group.empty()) {
    ev.quality = EventQuality::underdetermined;
    ev.message = "no reports";
    return ev;
  }
  // Times relative to the first report: Unix times near 1.8e9 s would lose the precision the
  // finite differences of the Jacobian need.
  const double t_ref = reports_in[group.front()].t;
  std::vector<EventReport> reports = reports_in;
  for (auto& r : reports)
    r.t -= t_ref;

  double temp = 0;
  int temps = 0;
  for (std::size_t i : group) {
    if (reports[i].temperature) {
      temp += *reports[i].temperature;
      ++temps;
    }
    // Distinct kinds in report order: "flash+blast".
    if (!reports[i].kind.empty() &&
        ("+" + ev.kind + "+").find("+" + reports[i].kind + "+") == std::string::npos)
      ev.kind += (ev.kind.empty() ? "" : "+") + reports[i].kind;
  }
  Problem pb{reports, sensors, group, terrain};
  pb.c = speed_of_sound(temps > 0 ? temp / temps : cfg.temperature_c);
  pb.event_height = cfg.event_height_m;

  auto distinct_sensors = [&](const std::vector<std::size_t>& idx) {
    std::set<std::string> s;
    for (std::size_t i : idx)
      s.insert(reports[i].sensor);
    return s.size();
  };
  auto finish = [&](const Solution& s, const std::string& method) {
    ev.used = pb.used;
    ev.sensors.clear();
    for (std::size_t i : pb.used)
      ev.sensors.push_back(reports[i].sensor);
    ev.method = method;
    ev.chi2 = s.chi2;
    ev.dof = pb.residual_count() - 3;
    ev.t = t_ref + s.x(2);
    ev.has_position = s.observable;
    ev.position = pb.point(s.x(0), s.x(1));
    if (s.observable) {
      ev.state_cov = s.cov;
      ev.cov = s.cov.topLeftCorner<2, 2>();
      ev.sigma_t = std::sqrt(std::max(s.cov(2, 2), 0.0));
      ev.ellipse = covariance_ellipse(ev.cov, cfg.confidence);
    }
    ev.geodetic = terrain.frame().to_geodetic(ev.position);
  };

  // One sensor and no way to place the event: say what is known.
  const std::size_t first = group.front();
  auto near_sensor = [&](EventQuality q, const std::string& msg) {
    ev.used = group;
    ev.sensors.clear();
    for (std::size_t i : group)
      ev.sensors.push_back(reports[i].sensor);
    ev.quality = q;
    ev.has_position = false;
    ev.position = sensors[first].position;
    const double r = sensors[first].max_range_m;
    ev.cov = Eigen::Matrix2d::Identity() * (r * r / chi2_quantile(cfg.confidence, 2));
    ev.ellipse = Ellipse{r, r, 0, cfg.confidence};
    ev.t = t_ref;  // the first report's time: the event's own is unknown
    ev.geodetic = terrain.frame().to_geodetic(ev.position);
    ev.method = "none";
    ev.message = msg;
    return ev;
  };

  // Fewer measurements than unknowns (east, north, t0): nothing to solve.
  const bool too_few = pb.residual_count() < 3;
  bool grid = false;
  Solution sol;
  if (!too_few) sol = solve(pb, grid);
  std::string method = grid ? "grid+lm" : "closed-form+lm";
  if (distinct_sensors(group) == 1) {
    const auto& r = reports[first];
    if (!sol.observable ||
        sol.chi2 > chi2_quantile(cfg.gate, std::max(1, pb.residual_count() - 3)) + 1e-6) {
      std::string what =
          r.bearing ? fmt::format("on a bearing of {:.2f} degrees from {}",
                                  rad2deg(wrap_2pi(*r.bearing)), r.sensor)
                    : fmt::format("within {:.0f} m of {}", sensors[first].max_range_m, r.sensor);
      return near_sensor(EventQuality::single_sensor,
                         fmt::format("reported by {} only: the event is {}; a second sensor is "
                                     "needed to locate it",
                                     r.sensor, what));
    }
    finish(sol, "single-ray+lm");
    ev.quality = EventQuality::single_sensor;
    ev.message = fmt::format(
        "reported by {} only: located where its line of sight meets the "
        "ground (bearing and elevation); treat with care",
        r.sensor);
    return ev;
  }
  if (!sol.observable) {
    std::string msg = fmt::format(
        "{} reports from {} sensors do not determine the position ({}): three sound arrivals, "
        "two bearings, or a bearing with an arrival are needed",
        group.size(), distinct_sensors(group), [&] {
          std::string s;
          for (std::size_t i : group)
            s += (s.empty() ? "" : ", ") + reports[i].sensor;
          return s;
        }());
    return near_sensor(EventQuality::underdetermined, msg);
  }

  // Outlier rejection: leave-one-out while the chi-square test fails and redundancy remains.
  auto gate_for = [&](int dof) { return dof > 0 ? chi2_quantile(cfg.gate, dof) : 0.0; };
  while (pb.residual_count() - 3 > 0 && sol.chi2 > gate_for(pb.residual_count() - 3)) {
    std::vector<double> per;
    pb.residuals(sol.x, &per);
    double best_ratio = std::numeric_limits<double>::infinity();
    std::size_t best_u = 0;
    Solution best_sol;
    for (std::size_t u = 0; u < pb.used.size(); ++u) {
      Problem trial = pb;
      trial.used.erase(trial.used.begin() + static_cast<std::ptrdiff_t>(u));
      const int dof = trial.residual_count() - 3;
      if (dof < 1 || distinct_sensors(trial.used) < 2) continue;
      Solution s = refine(trial, sol.x);
      bool g2 = false;
      if (s.chi2 > gate_for(dof) || !s.observable) {
        const Solution again = solve(trial, g2, /*allow_grid=*/false);
        if (again.chi2 < s.chi2) s = again;
      }
      if (!s.observable) continue;
      const double ratio = s.chi2 / gate_for(dof);
      if (ratio < best_ratio) {
        best_ratio = ratio;
        best_u = u;
        best_sol = s;
      }
    }
    if (!std::isfinite(best_ratio)) break;  // nothing can be removed
    ev.rejected.push_back(RejectedReport{pb.used[best_u], std::sqrt(per[best_u])});
    pb.used.erase(pb.used.begin() + static_cast<std::ptrdiff_t>(best_u));
    sol = best_sol;
    method += "+reject";
  }
  finish(sol, method);
  const int dof = pb.residual_count() - 3;
  if (dof > 0 && sol.chi2 > gate_for(dof)) {
    ev.quality = EventQuality::inconsistent;
    ev.message = fmt::format(
        "the reports disagree (chi-square {:.1f} with {} degrees of freedom, "
        "gate {:.1f}); position doubtful",
        sol.chi2, dof, gate_for(dof));
  } else {
    ev.quality = EventQuality::located;
  }
  return ev;
}

Result<std::vector<ReportSensor>> report_sensors(const std::vector<EventReport>& reports,
                                                 const Site& site, const terrain::SiteTerrain& st,
                                                 const LocateConfig& cfg) {
  std::vector<ReportSensor> out;
  out.reserve(reports.size());
  for (const auto& r : reports) {
    const SensorDef* def = site.find_sensor(r.sensor);
    const std::string where = r.line ? fmt::format("line {}", r.line) : std::string();
    if (def == nullptr) return Error{where, fmt::format("unknown sensor '{}'", r.sensor)};
    if (def->type == SensorType::fence || def->type == SensorType::adsb)
      return Error{where,
                   fmt::format("sensor '{}' is a {} sensor, which cannot report point events",
                               r.sensor, to_string(def->type))};
    ReportSensor s;
    s.type = def->type;
    s.position = r.position.value_or(terrain::sensor_position(*def, st));
    s.max_range_m = cfg.max_range_m > 0 ? cfg.max_range_m : def->max_range_m;
    s.sigma_t = def->type == SensorType::acoustic ? cfg.timing_sigma_s
                                                  : 0.5 / std::max(def->update_rate_hz, 1e-3);
    s.sigma_bearing = def->noise.bearing_rad > 0 ? def->noise.bearing_rad : deg2rad(1.0);
    s.sigma_elevation = def->noise.elevation_rad > 0 ? def->noise.elevation_rad : s.sigma_bearing;
    out.push_back(s);
  }
  return out;
}

namespace {

// Predicted measurements of a report for an event at (east, north, t0), height `up`.
Eigen::VectorXd predict(const EventReport& r, const ReportSensor& s, const Eigen::Vector3d& x,
                        double up, double c) {
  Eigen::VectorXd z(1 + (r.bearing ? 1 : 0) + (r.elevation ? 1 : 0));
  const Enu d = Enu(x(0), x(1), up) - s.position;
  int k = 0;
  z(k++) = x(2) + (r.signal == Signal::sound ? d.norm() / c : 0.0);
  if (r.bearing) z(k++) = std::atan2(d.x(), d.y());
  if (r.elevation) z(k++) = std::atan2(d.z(), d.head<2>().norm());
  return z;
}

// Squared Mahalanobis distance of one report from an event: innovation r = z - h(x) with
// covariance S = H P H' + R (the event's own uncertainty P counts, or reports of events solved
// from few sensors would be gated out unfairly).
double report_chi2(const EventReport& r, const ReportSensor& s, const LocatedEvent& ev,
                   const LocateConfig& cfg) {
  const double c = speed_of_sound(r.temperature.value_or(cfg.temperature_c));
  const Eigen::Vector3d x(ev.position.x(), ev.position.y(), 0.0);  // t0 relative to ev.t
  Eigen::VectorXd z(1 + (r.bearing ? 1 : 0) + (r.elevation ? 1 : 0));
  Eigen::VectorXd sig(z.size());
  int k = 0;
  z(k) = r.t - ev.t;
  sig(k++) = r.sigma_t.value_or(s.sigma_t);
  if (r.bearing) {
    z(k) = *r.bearing;
    sig(k++) = r.sigma_bearing.value_or(s.sigma_bearing);
  }
  if (r.elevation) {
    z(k) = *r.elevation;
    sig(k++) = r.sigma_elevation.value_or(s.sigma_elevation);
  }
  const Eigen::VectorXd h0 = predict(r, s, x, ev.position.z(), c);
  Eigen::VectorXd innov = z - h0;
  for (int i = 1; i < innov.size(); ++i)
    innov(i) = wrap_pi(innov(i));
  Eigen::MatrixXd hj(z.size(), 3);
  for (int a = 0; a < 3; ++a) {
    const double step = a < 2 ? 0.05 : 1e-5;
    Eigen::Vector3d xp = x, xm = x;
    xp(a) += step;
    xm(a) -= step;
    Eigen::VectorXd dz =
        predict(r, s, xp, ev.position.z(), c) - predict(r, s, xm, ev.position.z(), c);
    for (int i = 1; i < dz.size(); ++i)
      dz(i) = wrap_pi(dz(i));
    hj.col(a) = dz / (2 * step);
  }
  Eigen::MatrixXd cov_s = hj * ev.state_cov * hj.transpose();
  cov_s.diagonal() += sig.cwiseAbs2();
  return innov.dot(cov_s.ldlt().solve(innov));
}

int report_dims(const EventReport& r) {
  return 1 + (r.bearing ? 1 : 0) + (r.elevation ? 1 : 0);
}

}  // namespace

std::vector<LocatedEvent> locate_events(const std::vector<EventReport>& reports,
                                        const std::vector<ReportSensor>& sensors,
                                        const terrain::Terrain& terrain, const LocateConfig& cfg) {
  std::vector<std::vector<std::size_t>> groups = associate_reports(reports, sensors, cfg);
  std::vector<LocatedEvent> out;
  for (const auto& g : groups)
    out.push_back(locate_event(reports, sensors, g, terrain, cfg));
  // Residual re-association: when events overlap in time their reports can land in the wrong
  // group, where the outlier test rejects them. Offer every rejected report to the other located
  // events that lack a report from its sensor; it joins the one it fits best (within the gate)
  // and both events are solved again. A few rounds settle it.
  for (int round = 0; round < 3; ++round) {
    bool moved = false;
    for (std::size_t from = 0; from < out.size(); ++from) {
      bool moved_here = false;
      for (const auto& rej : std::vector<RejectedReport>(out[from].rejected)) {
        const std::size_t i = rej.index;
        const double gate = chi2_quantile(cfg.gate, report_dims(reports[i]));
        std::size_t best = out.size();
        double best_chi2 = gate;
        for (std::size_t to = 0; to < out.size(); ++to) {
          if (to == from || !out[to].has_position) continue;
          if (std::find(out[to].sensors.begin(), out[to].sensors.end(), reports[i].sensor) !=
              out[to].sensors.end())
            continue;
          const double c2 = report_chi2(reports[i], sensors[i], out[to], cfg);
          if (c2 < best_chi2) {
            best_chi2 = c2;
            best = to;
          }
        }
        if (best == out.size()) continue;
        auto& gfrom = groups[from];
        gfrom.erase(std::remove(gfrom.begin(), gfrom.end(), i), gfrom.end());
        groups[best].push_back(i);
        std::sort(groups[best].begin(), groups[best].end(),
                  [&](std::size_t a, std::size_t b) { return reports[a].t < reports[b].t; });
        out[best] = locate_event(reports, sensors, groups[best], terrain, cfg);
        moved = moved_here = true;
      }
      if (moved_here) out[from] = locate_event(reports, sensors, groups[from], terrain, cfg);
    }
    if (!moved) break;
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const LocatedEvent& a, const LocatedEvent& b) { return a.t < b.t; });
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].id = fmt::format("ev-{}", i + 1);
  return out;
}

}  // namespace picket::locate

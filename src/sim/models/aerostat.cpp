#include "picket/sim/aerostat.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>

#include "picket/core/units.h"
#include "picket/sim/camera.h"

namespace picket::sim {

// --- Tether -----------------------------------------------------------------------------------

namespace {
constexpr double kSwayDamping = 0.2;  // damping ratio of the pendulum sways
}

TetherModel::TetherModel(const AerostatSimSpec& spec, const Enu& anchor, double tether_m,
                         std::uint64_t seed)
    : spec_(spec), anchor_(anchor), tether_(tether_m), rng_(seed) {
  sigma_ = {spec.sway_rad, spec.sway_rad, spec.yaw_sway_rad};
  // Start in the stationary state of every process, so the run has no transient.
  gust_ = spec.gust_mps * rng_.normal();
  wind_eff_ = std::max(0.0, spec.wind_mps + gust_);
  const double w = 2 * kPi / spec.sway_period_s;
  for (std::size_t k = 0; k < 3; ++k) {
    x_[k] = sigma_[k] * rng_.normal();
    v_[k] = sigma_[k] * w * rng_.normal();
  }
}

void TetherModel::step() {
  const double dt = kStep;
  const double a = std::exp(-dt / spec_.gust_time_s);
  gust_ = a * gust_ + spec_.gust_mps * std::sqrt(1 - a * a) * rng_.normal();
  const double wind = std::max(0.0, spec_.wind_mps + gust_);
  wind_eff_ += (wind - wind_eff_) * (1 - std::exp(-dt / spec_.response_s));
  // Damped oscillators x'' + 2 zeta w x' + w^2 x = white noise of intensity q, with q chosen so
  // the stationary standard deviation is sigma: var = q / (4 zeta w^3). Semi-implicit Euler.
  const double w = 2 * kPi / spec_.sway_period_s;
  for (std::size_t k = 0; k < 3; ++k) {
    const double q = 4 * kSwayDamping * w * w * w * sigma_[k] * sigma_[k];
    v_[k] +=
        (-w * w * x_[k] - 2 * kSwayDamping * w * v_[k]) * dt + std::sqrt(q * dt) * rng_.normal();
    x_[k] += v_[k] * dt;
  }
  t_ += dt;
}

PlatformState TetherModel::state() const {
  PlatformState s;
  const double v = wind_eff_ / 10.0;
  s.wind_mps = wind_eff_;
  s.blowdown_rad = std::atan(std::tan(spec_.blowdown_10_rad) * v * v);
  const double downwind = spec_.wind_from_rad + kPi;
  const double h = tether_ * std::sin(s.blowdown_rad);
  s.position = anchor_ + Enu(h * std::sin(downwind), h * std::cos(downwind),
                             tether_ * std::cos(s.blowdown_rad));
  s.attitude = Attitude{wrap_2pi(spec_.wind_from_rad + x_[2]), x_[0], x_[1]};
  return s;
}

PlatformState TetherModel::at(double t) {
  while (t_ + kStep <= t + 1e-9)
    step();
  return state();
}

double plan_width(MoverKind k) {
  switch (k) {
    case MoverKind::walker:
    case MoverKind::runner:
    case MoverKind::crawler:
      return 0.5;
    case MoverKind::vehicle:
      return 2.0;
    case MoverKind::animal:
      return 0.6;
    case MoverKind::bird:
    case MoverKind::drone:
      return 0.4;
    case MoverKind::aircraft:
      return 10.0;
  }
  return 0.5;
}

// --- Camera -----------------------------------------------------------------------------------

namespace {

// A unit ENU direction from azimuth (clockwise from north) and elevation.
Enu direction(double az, double el) {
  return Enu(std::sin(az) * std::cos(el), std::cos(az) * std::cos(el), std::sin(el));
}

TargetClass draw_class(Rng& rng, const ClassProbabilities& row) {
  double u = rng.uniform();
  for (int c = 0; c < kNumClasses; ++c) {
    u -= row[static_cast<std::size_t>(c)];
    if (u < 0) return static_cast<TargetClass>(c);
  }
  return TargetClass::unknown;
}

}  // namespace

AerostatModel::AerostatModel(const ModelContext& ctx)
    : SensorModel(ctx.def, ctx.index),
      spec_(ctx.settings.aerostat),
      tether_(ctx.settings.aerostat, Enu(ctx.def.enu.x(), ctx.def.enu.y(), 0),
              std::max(ctx.def.enu.z(), 1.0), stream_seed(ctx.seed, ctx.def.id, "tether")),
      period_(1.0 / ctx.def.update_rate_hz),
      rng_(stream_seed(ctx.seed, ctx.def.id)) {
  focal_ = 0.5 * def_.image_width / std::tan(0.5 * spec_.hfov_rad);
  cx_ = 0.5 * def_.image_width;
  cy_ = 0.5 * def_.image_height;
  // N50: a standing person at maximum range, seen at the depression of that range.
  const double depression = std::asin(std::min(1.0, tether_.tether_m() / def_.max_range_m));
  const double size = std::max(kReferencePersonHeight * std::cos(depression), 0.5);
  const double pixels = focal_ * size / def_.max_range_m;
  n50_ = ttpf_n50(pixels / 2, std::clamp(def_.pd, 1e-6, 1 - 1e-9));
  phase_ = rng_.uniform(0, period_);
  movers_.reserve(ctx.movers.size());
  for (const Mover& m : ctx.movers)
    movers_.emplace_back(stream_seed(ctx.seed, ctx.def.id, m.spec().id));
}

PlatformState AerostatModel::platform(double t) {
  return tether_.at(t);
}

Eigen::Matrix3d AerostatModel::camera_rotation(const PlatformState& p, double t) const {
  const Enu dir = spec_.stare
                      ? Enu((spec_.stare_at - p.position).normalized())
                      : direction(spec_.scan_start_rad + spec_.scan_rate_rad_s * t, spec_.tilt_rad);
  return camera_to_enu(p.attitude, gimbal_towards(p.attitude, dir));
}

Enu AerostatModel::ground_point(const Enu& from, const Eigen::Matrix3d& r_cam, double u, double v,
                                bool& hit) const {
  const Enu ray =
      (r_cam * Eigen::Vector3d((u - cx_) / focal_, (v - cy_) / focal_, 1.0)).normalized();
  hit = ray.z() < -1e-9 && from.z() > 0;
  if (!hit) return from;
  return from + (-from.z() / ray.z()) * ray;
}

std::vector<Enu> AerostatModel::footprint(double t) {
  const PlatformState p = platform(t);
  const Eigen::Matrix3d r = camera_rotation(p, t);
  std::vector<Enu> out;
  const double w = def_.image_width, h = def_.image_height;
  for (const auto& c : {Eigen::Vector2d(0, 0), Eigen::Vector2d(w, 0), Eigen::Vector2d(w, h),
                        Eigen::Vector2d(0, h)}) {
    bool hit = false;
    const Enu g = ground_point(p.position, r, c.x(), c.y(), hit);
    if (hit) out.push_back(g);
  }
  return out;
}

double AerostatModel::gsd_centre(double t) {
  const PlatformState p = platform(t);
  const Eigen::Matrix3d r = camera_rotation(p, t);
  bool hit = false;
  const Enu g = ground_point(p.position, r, cx_, cy_, hit);
  if (!hit) return 0;
  const Enu d = g - p.position;
  const double range = d.norm();
  return range / (focal_ * (-d.z() / range));
}

double AerostatModel::pd(double height, double width, double range, double depression) const {
  const double size = std::max(height * std::cos(depression), width);
  return ttpf(focal_ * size / std::max(range, 1e-3) / 2, n50_);
}

void AerostatModel::simulate(const SimWindow& w, std::vector<SimDetection>& out) {
  candidates_.clear();
  const double dt = w.t1 - w.t0;
  const PlatformState p0 = platform(w.t0);
  for (std::size_t i = 0; i < w.movers.size(); ++i) {
    const Mover& m = w.movers[i];
    if (!m.overlaps(w.t0, w.t1)) continue;
    const double reach = def_.max_range_m + m.max_speed() * dt + 50;  // + the balloon's drift
    if ((w.positions[i] - p0.position).squaredNorm() <= reach * reach)
      candidates_.push_back(static_cast<int>(i));
  }
  const double j0 = std::ceil((w.t0 - phase_) / period_) - 1;
  for (double j = j0;; j += 1) {
    const double t = phase_ + j * period_;
    if (t >= w.t1) break;
    if (t < w.t0) continue;
    frame(w, t, out);
  }
}

void AerostatModel::frame(const SimWindow& w, double t, std::vector<SimDetection>& out) {
  const PlatformState p = platform(t);
  // Where the gimbal really points: the command plus the stabilisation's residual jitter.
  Enu dir = spec_.stare
                ? Enu((spec_.stare_at - p.position).normalized())
                : direction(spec_.scan_start_rad + spec_.scan_rate_rad_s * t, spec_.tilt_rad);
  const double az = std::atan2(dir.x(), dir.y()) + spec_.stabilisation_rad * rng_.normal();
  const double el =
      std::asin(std::clamp(dir.z(), -1.0, 1.0)) + spec_.stabilisation_rad * rng_.normal();
  dir = direction(az, el);
  const Gimbal g = gimbal_towards(p.attitude, dir);
  const Eigen::Matrix3d r = camera_to_enu(p.attitude, g);
  const double width = def_.image_width, height = def_.image_height;

  // A detection at pixel (u, v): cast from the platform's measured pose; sigma from the
  // pose-knowledge errors propagated by central differences (11 sources).
  auto report = [&](Rng& rng, double u, double v, Origin origin, int mover, TargetClass cls,
                    double score) {
    const Enu pos_m =
        p.position + spec_.sigma_position_m * Enu(rng.normal(), rng.normal(), rng.normal());
    const Attitude att_m{p.attitude.yaw + spec_.sigma_attitude_rad * rng.normal(),
                         p.attitude.pitch + spec_.sigma_attitude_rad * rng.normal(),
                         p.attitude.roll + spec_.sigma_attitude_rad * rng.normal()};
    const Gimbal g_m{g.pan + spec_.sigma_gimbal_rad * rng.normal(),
                     g.tilt + spec_.sigma_gimbal_rad * rng.normal()};
    const double u_m = u + spec_.sigma_pixel * rng.normal();
    const double v_m = v + spec_.sigma_pixel * rng.normal();
    auto cast = [&](const Eigen::Matrix<double, 11, 1>& e, bool& hit) {
      const Attitude a{att_m.yaw + e(3), att_m.pitch + e(4), att_m.roll + e(5)};
      const Gimbal gg{g_m.pan + e(6), g_m.tilt + e(7)};
      return ground_point(pos_m + e.segment<3>(0), camera_to_enu(a, gg), u_m + e(8), v_m + e(9),
                          hit);
    };
    bool hit = false;
    const Enu est = cast(Eigen::Matrix<double, 11, 1>::Zero(), hit);
    if (!hit || (est - p.position).norm() > 3 * def_.max_range_m) return;
    const double sig[11] = {spec_.sigma_position_m,
                            spec_.sigma_position_m,
                            spec_.sigma_position_m,
                            spec_.sigma_attitude_rad,
                            spec_.sigma_attitude_rad,
                            spec_.sigma_attitude_rad,
                            spec_.sigma_gimbal_rad,
                            spec_.sigma_gimbal_rad,
                            spec_.sigma_pixel,
                            spec_.sigma_pixel,
                            0.0};
    Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
    for (int k = 0; k < 10; ++k) {
      Eigen::Matrix<double, 11, 1> e = Eigen::Matrix<double, 11, 1>::Zero();
      e(k) = sig[k];
      bool h1 = false, h2 = false;
      const Enu a = cast(e, h1);
      e(k) = -sig[k];
      const Enu b = cast(e, h2);
      if (!h1 || !h2) continue;
      const Eigen::Vector2d col = 0.5 * (a - b).head<2>();
      cov += col * col.transpose();
    }
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(cov);
    SimDetection& d = add(out, t, origin, mover);
    EnuMeasurement m;
    m.east = est.x();
    m.north = est.y();
    d.det.measurement = m;
    d.det.sigma = std::sqrt(std::max(es.eigenvalues().maxCoeff(), 0.01));
    d.det.cls = cls;
    d.det.score = std::round(score * 1000) / 1000;
  };

  for (const int i : candidates_) {
    const Mover& m = w.movers[static_cast<std::size_t>(i)];
    if (!m.active(t)) continue;
    const Enu pos = m.state(t).pos;
    const Enu d = pos - p.position;
    const double range = d.norm();
    if (range < def_.min_range_m || range > def_.max_range_m) continue;
    const Eigen::Vector3d c = r.transpose() * d;
    if (c.z() <= 1e-6) continue;
    const double u = focal_ * c.x() / c.z() + cx_;
    const double v = focal_ * c.y() / c.z() + cy_;
    if (u < 0 || v < 0 || u >= width || v >= height) continue;
    Rng& rng = movers_[static_cast<std::size_t>(i)];
    const double depression = std::asin(std::clamp(-d.z() / range, -1.0, 1.0));
    const double h = m.spec().height_m;
    const double wdt = plan_width(m.spec().kind);
    if (!rng.bernoulli(pd(h, wdt, range, depression))) continue;
    const double size = std::max(h * std::cos(depression), wdt);
    const double p_rec = ttpf(focal_ * size / range / 2, kRecognitionFactor * n50_);
    const TargetClass cls =
        rng.bernoulli(p_rec)
            ? draw_class(rng, camera_confusion()[static_cast<std::size_t>(m.spec().cls)])
            : TargetClass::unknown;
    const double score = std::clamp(0.5 + 0.45 * p_rec + 0.05 * rng.normal(), 0.05, 0.99);
    report(rng, u, v, Origin::target, i, cls, score);
  }
  // False detections at random pixels.
  if (def_.false_alarm_rate > 0) {
    const auto n = rng_.poisson(def_.false_alarm_rate / 3600.0 * period_);
    for (std::uint64_t k = 0; k < n; ++k) {
      const double u = rng_.uniform(0, width), v = rng_.uniform(0, height);
      const TargetClass cls = rng_.uniform() < 0.7 ? TargetClass::unknown : TargetClass::vehicle;
      report(rng_, u, v, Origin::clutter, -1, cls, rng_.uniform(0.3, 0.6));
    }
  }
}

}  // namespace picket::sim

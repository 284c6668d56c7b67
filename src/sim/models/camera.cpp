#include "picket/sim/camera.h"

#include <algorithm>
#include <cmath>

#include "picket/core/units.h"
#include "picket/sim/nuisance.h"

namespace picket::sim {

double ttpf(double cycles, double n50) {
  if (cycles <= 0) return 0;
  const double x = cycles / n50;
  const double e = 2.7 + 0.7 * x;
  const double p = std::pow(x, e);
  return p / (1 + p);
}

double ttpf_n50(double cycles, double p) {
  // ttpf falls as N50 grows: bisect on log N50.
  double lo = cycles * 1e-3;
  double hi = cycles * 1e3;
  for (int i = 0; i < 200; ++i) {
    const double mid = std::sqrt(lo * hi);
    if (ttpf(cycles, mid) > p) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return std::sqrt(lo * hi);
}

CameraPd::CameraPd(const SensorDef& def) {
  focal_px_ = (def.image_height / 2.0) / std::tan(def.fov_v_rad / 2);
  const double p = std::clamp(def.pd, 1e-6, 1 - 1e-9);
  n50_ = ttpf_n50(pixels(kReferencePersonHeight, def.max_range_m) / 2, p);
}

double CameraPd::pixels(double height_m, double range_m) const {
  return focal_px_ * height_m / std::max(range_m, 1e-3);
}

double CameraPd::pd(double height_m, double range_m) const {
  return ttpf(pixels(height_m, range_m) / 2, n50_);
}

double CameraPd::p_recognise(double height_m, double range_m) const {
  return ttpf(pixels(height_m, range_m) / 2, kRecognitionFactor * n50_);
}

const std::array<ClassProbabilities, kNumClasses>& camera_confusion() {
  // Columns: person, vehicle, animal, aircraft, drone, unknown. Typical of a detector trained on
  // COCO-like classes at night in thermal or IR-lit video: people and animals get confused,
  // small flyers get confused with birds (animals).
  static const std::array<ClassProbabilities, kNumClasses> m = {{
      {0.90, 0.01, 0.06, 0.00, 0.00, 0.03},  // person
      {0.02, 0.94, 0.01, 0.00, 0.00, 0.03},  // vehicle
      {0.10, 0.01, 0.82, 0.00, 0.02, 0.05},  // animal
      {0.00, 0.00, 0.01, 0.90, 0.05, 0.04},  // aircraft
      {0.00, 0.00, 0.15, 0.03, 0.75, 0.07},  // drone
      {0.00, 0.00, 0.00, 0.00, 0.00, 1.00},  // unknown
  }};
  return m;
}

namespace {

TargetClass draw_class(Rng& rng, const ClassProbabilities& row) {
  double u = rng.uniform();
  for (int c = 0; c < kNumClasses; ++c) {
    u -= row[static_cast<size_t>(c)];
    if (u < 0) return static_cast<TargetClass>(c);
  }
  return TargetClass::unknown;
}

}  // namespace

CameraModel::CameraModel(const ModelContext& ctx)
    : SensorModel(ctx.def, ctx.index),
      sc_(ctx.scenario),
      pd_(ctx.def),
      period_(1.0 / ctx.def.update_rate_hz),
      rng_(stream_seed(ctx.seed, ctx.def.id)) {
  phase_ = rng_.uniform(0, period_);
  // The ground it sees: between the steepest and the shallowest rays of the vertical fov.
  const double h = def_.enu.z();
  const double steepest = def_.fov_v_rad / 2 - def_.pitch_rad;     // depression, rad
  const double shallowest = -def_.fov_v_rad / 2 - def_.pitch_rad;  // depression, rad
  ground_min_ = def_.min_range_m;
  ground_max_ = def_.max_range_m;
  if (h > 0) {
    if (steepest <= 0) {
      ground_min_ = ground_max_;  // looks up: sees no ground
    } else if (steepest < kPi / 2) {
      ground_min_ = std::max(ground_min_, h / std::tan(steepest));
    }
    if (shallowest > 0) ground_max_ = std::min(ground_max_, h / std::tan(shallowest));
  }
  boresight_ = Vec2(std::sin(def_.yaw_rad), std::cos(def_.yaw_rad));
  cos_half_h_ = def_.fov_h_rad < 2 * kPi - 1e-9 ? std::cos(def_.fov_h_rad / 2) : -2.0;
  const double low = std::max(def_.pitch_rad - def_.fov_v_rad / 2, -kPi / 2 + 1e-9);
  const double high = std::min(def_.pitch_rad + def_.fov_v_rad / 2, kPi / 2 - 1e-9);
  tan_low_ = std::tan(low);
  tan_high_ = std::tan(high);
  movers_.reserve(ctx.movers.size());
  for (const Mover& m : ctx.movers)
    movers_.emplace_back(stream_seed(ctx.seed, ctx.def.id, m.spec().id));
}

bool CameraModel::in_view(const Enu& d, double range) const {
  if (range < def_.min_range_m || range > def_.max_range_m) return false;
  const double horiz = d.head<2>().norm();
  if (horiz <= 0) return false;
  // Within fov_h / 2 of the boresight: cos(angle) >= cos(fov_h / 2).
  if (d.head<2>().dot(boresight_) < cos_half_h_ * horiz) return false;
  // Elevation between the lowest and highest rays: tan is increasing on (-pi/2, pi/2).
  return d.z() >= tan_low_ * horiz && d.z() <= tan_high_ * horiz;
}

double CameraModel::sigma_down(double range_m) const {
  const double r = range_m / def_.max_range_m;
  return std::max(0.3, def_.noise.position_m * r * r);
}

double CameraModel::sigma_cross(double range_m) const {
  return std::max(0.1, range_m * def_.fov_h_rad / def_.image_width);
}

void CameraModel::simulate(const SimWindow& w, std::vector<SimDetection>& out) {
  // Movers that may come within range during this window.
  candidates_.clear();
  const double dt = w.t1 - w.t0;
  for (size_t i = 0; i < w.movers.size(); ++i) {
    const Mover& m = w.movers[i];
    if (!m.overlaps(w.t0, w.t1)) continue;
    const Enu& p = w.positions[i];
    const double reach = def_.max_range_m + m.max_speed() * dt + 1;
    if ((p - def_.enu).squaredNorm() <= reach * reach) candidates_.push_back(static_cast<int>(i));
  }
  // Frames at phase + j * period.
  const double j0 = std::ceil((w.t0 - phase_) / period_) - 1;
  for (double j = j0;; j += 1) {
    const double t = phase_ + j * period_;
    if (t >= w.t1) break;
    if (t < w.t0) continue;
    frame(w, t, out);
    false_detections(t, out);
  }
}

void CameraModel::frame(const SimWindow& w, double t, std::vector<SimDetection>& out) {
  for (const int i : candidates_) {
    const Mover& m = w.movers[static_cast<size_t>(i)];
    if (!m.active(t)) continue;
    const MoverState s = m.state(t);
    const Enu d = s.pos - def_.enu;
    const double range = d.norm();
    if (!in_view(d, range)) continue;
    Rng& rng = movers_[static_cast<size_t>(i)];
    const double height = m.spec().height_m;
    if (!rng.bernoulli(pd_.pd(height, range))) continue;
    const double p_rec = pd_.p_recognise(height, range);
    const bool recognised = rng.bernoulli(p_rec);
    const TargetClass cls =
        recognised ? draw_class(rng, camera_confusion()[static_cast<size_t>(m.spec().cls)])
                   : TargetClass::unknown;
    // Ground-projection error: down-range along the line of sight, cross-range across it.
    const Vec2 los = d.head<2>().norm() > 1e-9 ? Vec2(d.head<2>().normalized()) : Vec2(0, 1);
    const double sd = sigma_down(range);
    const double sc = sigma_cross(range);
    const double ed = sd * rng.normal();
    const double ec = sc * rng.normal();
    EnuMeasurement e;
    e.east = s.pos.x() + ed * los.x() + ec * los.y();
    e.north = s.pos.y() + ed * los.y() - ec * los.x();
    if (m.flies()) e.up = s.pos.z() + sd * rng.normal();
    const double score = std::clamp(0.5 + 0.45 * p_rec + 0.05 * rng.normal(), 0.05, 0.99);
    SimDetection& det = add(out, t, Origin::target, i);
    det.det.measurement = e;
    det.det.sigma = std::sqrt((sd * sd + sc * sc) / 2);
    det.det.cls = cls;
    det.det.score = std::round(score * 1000) / 1000;
  }
}

void CameraModel::false_detections(double t, std::vector<SimDetection>& out) {
  if (def_.false_alarm_rate <= 0 || ground_max_ <= ground_min_) return;
  // This frame stands for the period after it.
  const double mean =
      def_.false_alarm_rate / 3600.0 * clutter_factor_integral(sc_, index_, t, t + period_);
  const auto n = rng_.poisson(mean);
  for (std::uint64_t k = 0; k < n; ++k) {
    const double range =
        std::sqrt(rng_.uniform(ground_min_ * ground_min_, ground_max_ * ground_max_));
    const double half = std::min(def_.fov_h_rad, 2 * kPi) / 2;
    const double bearing = def_.yaw_rad + rng_.uniform(-half, half);
    const double u = rng_.uniform();
    const TargetClass cls = u < 0.6   ? TargetClass::unknown
                            : u < 0.8 ? TargetClass::person
                                      : TargetClass::animal;
    const double score = rng_.uniform(0.25, 0.6);
    EnuMeasurement e;
    e.east = def_.enu.x() + range * std::sin(bearing);
    e.north = def_.enu.y() + range * std::cos(bearing);
    SimDetection& det = add(out, t, Origin::clutter);
    det.det.measurement = e;
    const double sd = sigma_down(range);
    const double sc = sigma_cross(range);
    det.det.sigma = std::sqrt((sd * sd + sc * sc) / 2);
    det.det.cls = cls;
    det.det.score = std::round(score * 1000) / 1000;
  }
}

}  // namespace picket::sim

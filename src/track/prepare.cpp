#include "picket/track/prepare.h"

#include <fmt/format.h>

#include <cmath>

#include "picket/core/units.h"

namespace picket::track {

namespace {

constexpr double kHeightSpan = 1000;  // m: clutter and new targets spread over this height

bool finite(const std::optional<double>& v) {
  return !v || std::isfinite(*v);
}

}  // namespace

SensorModel make_sensor_model(const SensorDef& def, int index, const Site& site,
                              const TrackerParams& p) {
  SensorModel s;
  s.def = def;
  s.index = index;
  s.scan_period = 1.0 / std::max(def.update_rate_hz, 1e-6);
  s.reports_misses = def.type == SensorType::radar || def.type == SensorType::camera ||
                     def.type == SensorType::aerostat;
  double area = 0;  // m^2 of horizontal coverage
  if (def.type == SensorType::fence) {
    s.fence = site.find_fence(def.fence);
    double length = 0;
    if (s.fence != nullptr) {
      const int last =
          def.last_segment > 0 ? def.last_segment : static_cast<int>(s.fence->segments.size());
      for (const auto& seg : s.fence->segments) {
        if (seg.number >= def.first_segment && seg.number <= last)
          length += seg.end_m - seg.start_m;
      }
    }
    const double width =
        2 *
        std::max(def.noise.position_m > 0 ? def.noise.position_m : p.default_position_sigma_m, 1.0);
    area = std::max(length, 1.0) * width;
  } else {
    const double rmax = def.max_range_m, rmin = def.min_range_m;
    area = 0.5 * def.fov_h_rad * std::max(rmax * rmax - rmin * rmin, 1.0);
  }
  const double per_scan = def.false_alarm_rate / 3600.0 * s.scan_period;
  s.clutter_per_m2 = std::max(per_scan / area, p.min_clutter_per_km2_scan / 1e6);
  s.area = area;
  return s;
}

int PreparedDetection::dim(int k) const {
  if (polar) return 2 + (k == 1 && has_elevation ? 1 : 0) + (has_doppler ? 1 : 0);
  return k == 1 && has_up ? 3 : 2;
}

void PreparedDetection::view(int k, MeasView& v) const {
  v.polar = polar;
  v.origin = origin;
  v.ground_height = ground_height;
  v.elevation = polar && k == 1 && has_elevation;
  v.doppler = polar && has_doppler;
  const int n = dim(k);
  v.R.topLeftCorner(n, n).setZero();
  int i = 0;
  auto put = [&](int c) {
    v.z(i) = z[c];
    v.R(i, i) = var[c];
    ++i;
  };
  put(0);
  put(1);
  v.R(0, 1) = v.R(1, 0) = cov01;
  if (polar) {
    if (v.elevation) put(2);
    if (has_doppler) put(3);
  } else if (k == 1 && has_up) {
    put(2);
  }
  v.dim = i;
}

std::optional<PrepareFailure> prepare_detection(const Detection& d, const SensorModel& s,
                                                const Site& site, const TrackerParams& p,
                                                PreparedDetection& out) {
  if (!std::isfinite(d.t)) return PrepareFailure{Rejection::non_finite, "time is not finite"};
  if (!finite(d.sigma) || !finite(d.sigma_range) || !finite(d.sigma_bearing) ||
      !finite(d.sigma_elevation) || !finite(d.doppler) || !finite(d.score)) {
    return PrepareFailure{Rejection::non_finite, "a sigma, the Doppler or the score is not finite"};
  }
  out.t = d.t;
  out.sensor = s.index;
  out.cls = d.cls;
  out.score = std::clamp(d.score.value_or(1.0), 0.0, 1.0);
  out.cov01 = 0;
  out.has_up = out.has_elevation = out.has_doppler = out.has_height = false;
  const double gh = p.ground_height_m;
  out.ground_height = gh;
  const Eigen::Vector3d& origin = s.def.enu;

  auto cartesian = [&](double e, double n, std::optional<double> up,
                       double sigma) -> std::optional<PrepareFailure> {
    if (!std::isfinite(e) || !std::isfinite(n) || !finite(up))
      return PrepareFailure{Rejection::non_finite, "position is not finite"};
    if (e * e + n * n > p.max_distance_m * p.max_distance_m ||
        (up && std::abs(*up) > p.max_distance_m)) {
      return PrepareFailure{Rejection::out_of_area,
                            fmt::format("position ({:.0f}, {:.0f}) is farther than {:.0f} m from "
                                        "the site origin",
                                        e, n, p.max_distance_m)};
    }
    sigma = std::max(sigma, 0.01);
    const double v = sigma * sigma;
    out.polar = false;
    out.z[0] = e;
    out.z[1] = n;
    out.z[2] = up.value_or(gh);
    out.z[3] = 0;
    out.var[0] = out.var[1] = out.var[2] = v;
    out.var[3] = 0;
    out.has_up = up.has_value();
    out.jacobian[0] = 1;
    out.jacobian[1] = up ? 1 / kHeightSpan : 1;
    out.enu = Eigen::Vector3d(e, n, up.value_or(gh));
    out.enu_cov = v * Eigen::Matrix2d::Identity();
    out.enu_var_up = up ? v : p.initial_vertical_sigma_m * p.initial_vertical_sigma_m;
    out.has_height = up.has_value();
    out.sigma_xy = sigma;
    return std::nullopt;
  };
  auto position_sigma = [&]() {
    if (d.sigma && *d.sigma > 0) return *d.sigma;
    if (s.def.noise.position_m > 0) return s.def.noise.position_m;
    return p.default_position_sigma_m;
  };

  if (const auto* m = std::get_if<PolarMeasurement>(&d.measurement)) {
    if (!std::isfinite(m->range) || !std::isfinite(m->bearing) || !finite(m->elevation))
      return PrepareFailure{Rejection::non_finite, "range, bearing or elevation is not finite"};
    if (!(m->range > 0.01)) return PrepareFailure{Rejection::bad_geometry, "range is zero"};
    if (m->range > 2 * p.max_distance_m) {
      return PrepareFailure{Rejection::out_of_area,
                            fmt::format("range {:.0f} m is beyond max_distance", m->range)};
    }
    const double sr = d.sigma_range.value_or(s.def.noise.range_m);
    const double sb = d.sigma_bearing.value_or(s.def.noise.bearing_rad);
    if (!(sr > 0) || !(sb > 0)) {
      return PrepareFailure{Rejection::missing_noise,
                            "a polar report needs sigma_range and sigma_bearing, from the "
                            "detection or the site's sensor noise"};
    }
    double se = d.sigma_elevation.value_or(s.def.noise.elevation_rad);
    if (!(se > 0)) se = sb;
    const double r = m->range, b = m->bearing;
    double rho = 0, up = gh;
    if (m->elevation) {
      rho = r * std::cos(*m->elevation);
      up = origin.z() + r * std::sin(*m->elevation);
    } else {
      const double dz = gh - origin.z();
      rho = std::sqrt(std::max(r * r - dz * dz, 0.0));
    }
    rho = std::max(rho, 0.01);
    const double sb_ = std::sin(b), cb = std::cos(b);
    out.enu = Eigen::Vector3d(origin.x() + rho * sb_, origin.y() + rho * cb, up);
    if (out.enu.head<2>().norm() > p.max_distance_m) {
      return PrepareFailure{Rejection::out_of_area, "position is beyond max_distance"};
    }
    Eigen::Matrix2d J;
    J << sb_, rho * cb, cb, -rho * sb_;
    const Eigen::Matrix2d Rp = Eigen::Vector2d(sr * sr, sb * sb).asDiagonal();
    out.enu_cov = J * Rp * J.transpose();
    out.enu_var_up = m->elevation ? std::pow(r * se, 2) + sr * sr
                                  : p.initial_vertical_sigma_m * p.initial_vertical_sigma_m;
    out.has_height = m->elevation.has_value();
    out.sigma_xy = std::max(sr, rho * sb);
    out.polar = true;
    out.origin = origin;
    out.has_elevation = m->elevation.has_value();
    out.has_doppler = d.doppler && p.use_doppler;
    out.z[0] = r;
    out.z[1] = wrap_pi(b);
    out.z[2] = m->elevation.value_or(0);
    out.z[3] = d.doppler.value_or(0);
    out.var[0] = sr * sr;
    out.var[1] = sb * sb;
    out.var[2] = se * se;
    out.var[3] = p.doppler_sigma_mps * p.doppler_sigma_mps;
    const double dop_factor = out.has_doppler ? 1.0 / (2 * p.clutter_doppler_span_mps) : 1.0;
    out.jacobian[0] = rho * dop_factor;
    out.jacobian[1] =
        (out.has_elevation ? r * r * std::cos(*m->elevation) / kHeightSpan : rho) * dop_factor;
    return std::nullopt;
  }
  if (const auto* m = std::get_if<EnuMeasurement>(&d.measurement)) {
    return cartesian(m->east, m->north, m->up, position_sigma());
  }
  if (const auto* m = std::get_if<GeodeticMeasurement>(&d.measurement)) {
    if (!std::isfinite(m->lat_deg) || !std::isfinite(m->lon_deg) || !finite(m->alt_m))
      return PrepareFailure{Rejection::non_finite, "lat, lon or alt is not finite"};
    if (std::abs(m->lat_deg) > 90 || std::abs(m->lon_deg) > 180)
      return PrepareFailure{Rejection::out_of_area, "not a latitude/longitude"};
    const Geodetic g{m->lat_deg, m->lon_deg,
                     m->alt_m.value_or(site.origin.alt_m + p.ground_height_m)};
    const Enu e = site.frame.to_enu(g);
    std::optional<double> up;
    if (m->alt_m) up = e.z();
    return cartesian(e.x(), e.y(), up, position_sigma());
  }
  if (const auto* m = std::get_if<SegmentMeasurement>(&d.measurement)) {
    const Fence* fence = m->fence.empty() ? s.fence : site.find_fence(m->fence);
    if (fence == nullptr) {
      return PrepareFailure{Rejection::bad_geometry,
                            m->fence.empty()
                                ? std::string("a segment report from a sensor with no fence")
                                : fmt::format("no fence '{}' in the site", m->fence)};
    }
    const FenceSegment* seg = fence->segment(m->segment);
    if (seg == nullptr || seg->points.size() < 2) {
      return PrepareFailure{Rejection::bad_geometry,
                            fmt::format("fence '{}' has no segment {}", fence->id, m->segment)};
    }
    // The segment as a line-segment measurement: a Gaussian with the first two moments of a
    // uniform distribution along the chord (variance L^2/12) and the sensor's noise across it.
    const Vec2 a = seg->points.front(), b = seg->points.back();
    const double len = (b - a).norm();
    const Vec2 mid = 0.5 * (a + b);
    const Vec2 u = len > 1e-6 ? Vec2((b - a) / len) : Vec2(1, 0);
    const Vec2 nrm(-u.y(), u.x());
    const double across = std::max(position_sigma(), 0.01);
    const Eigen::Matrix2d R = (len * len / 12 + across * across) * u * u.transpose() +
                              across * across * nrm * nrm.transpose();
    if (auto f = cartesian(mid.x(), mid.y(), std::nullopt, across)) return f;
    out.var[0] = R(0, 0);
    out.var[1] = R(1, 1);
    out.cov01 = R(0, 1);
    out.enu_cov = R;
    out.sigma_xy = std::sqrt(len * len / 12 + across * across);
    return std::nullopt;
  }
  return PrepareFailure{Rejection::bad_geometry, "no position"};
}

}  // namespace picket::track

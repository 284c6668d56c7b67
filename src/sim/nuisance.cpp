#include "picket/sim/nuisance.h"

#include <algorithm>
#include <cmath>

#include "picket/core/units.h"

namespace picket::sim {

namespace {

constexpr double kGustMean = 0.75;
constexpr double kGustDepth = 0.25;
constexpr double kPhasePerSegment = 2.3;  // rad

double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

bool rain_covers(const Scenario& sc, const RainSpec& r, int sensor) {
  if (r.sensors.empty()) {
    const auto t = sc.site.sensors[static_cast<size_t>(sensor)].type;
    return t == SensorType::radar || t == SensorType::camera;
  }
  return std::find(r.sensors.begin(), r.sensors.end(), sensor) != r.sensors.end();
}

bool wind_covers(const WindSpec& w, int segment) {
  return segment >= w.first_segment && segment <= w.last_segment;
}

}  // namespace

double clutter_factor_integral(const Scenario& sc, int sensor, double t0, double t1) {
  double total = std::max(0.0, t1 - t0);
  for (const auto& r : sc.rains) {
    if (!rain_covers(sc, r, sensor)) continue;
    total += (r.clutter_factor - 1) * overlap(t0, t1, r.start_s, r.start_s + r.duration_s);
  }
  return total;
}

double wind_rate(const WindSpec& w, int segment, double t) {
  if (!wind_covers(w, segment) || t < w.start_s || t >= w.start_s + w.duration_s) return 0;
  const double theta = 2 * kPi * (t - w.start_s) / w.gust_period_s + kPhasePerSegment * segment;
  const double s = w.strength * (kGustMean + kGustDepth * std::sin(theta));
  return w.rate_per_hour / 3600.0 * s * s;
}

double wind_rate_max(const WindSpec& w) {
  const double s = w.strength * (kGustMean + kGustDepth);
  return w.rate_per_hour / 3600.0 * s * s;
}

double wind_expected_triggers(const WindSpec& w, int segment, double t0, double t1) {
  if (!wind_covers(w, segment)) return 0;
  const double a = std::max(t0, w.start_s);
  const double b = std::min(t1, w.start_s + w.duration_s);
  if (b <= a) return 0;
  // Integral of (m + d sin(omega t + phi))^2 = m^2 T + 2 m d I1 + d^2 I2.
  const double omega = 2 * kPi / w.gust_period_s;
  const double phi = kPhasePerSegment * segment;
  const double th0 = omega * (a - w.start_s) + phi;
  const double th1 = omega * (b - w.start_s) + phi;
  const double i1 = (std::cos(th0) - std::cos(th1)) / omega;
  const double i2 = (b - a) / 2 - (std::sin(2 * th1) - std::sin(2 * th0)) / (4 * omega);
  const double integral = kGustMean * kGustMean * (b - a) + 2 * kGustMean * kGustDepth * i1 +
                          kGustDepth * kGustDepth * i2;
  return w.rate_per_hour / 3600.0 * w.strength * w.strength * integral;
}

}  // namespace picket::sim

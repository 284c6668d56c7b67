// Simulated aerostat: a tethered balloon drifting and swaying in the wind, carrying a stabilised
// gimballed camera with a detector, reporting ground positions of what it sees (docs/sim.md,
// "The aerostat").
//
// Tether (TetherModel): the balloon is moored at the site sensor's ground point on a tether as
// long as the sensor's height. Wind at altitude is a mean plus gusts, a first-order Gauss-Markov
// process (Ornstein-Uhlenbeck; the first-order approximation of the Dryden turbulence spectrum).
// The balloon follows the wind with a first-order lag; the tether stands at the quasi-static
// blow-down angle where drag balances net lift: tan(theta) = tan(theta_10) (V/10 m/s)^2 (drag
// grows with the dynamic pressure); the balloon sits at anchor + L (sin theta downwind,
// cos theta up) on a straight tether. It weathervanes nose into the wind, and pitches, rolls and
// yaws about that as damped pendulums (period `sway_period`, damping ratio 0.2) driven by white
// noise scaled to the configured standard deviations. Integrated in fixed steps of 50 ms from
// the scenario's start, from its own random stream, so every query of a time gives the same
// state.
//
// Camera (AerostatModel): the gimbal scans (azimuth turning at a fixed rate and depression) or
// stares at a ground point, stabilised against the sway with a residual jitter. Every frame, a
// mover is in view when it projects inside the image (pinhole, the site's image size, the
// scenario's horizontal field of view) within the sensor's range. Its pixels on target are
// n = f s / R (f the focal length in pixels, R the slant range, s the target's extent seen from
// above: the larger of its height times the cosine of the depression and its plan width), so the
// ground sample distance R / (f sin(depression)) grows with range and obliquity, and Pd =
// TTPF(n/2 cycles) (NVESD Johnson-criteria transfer function, as for the fixed cameras), N50
// calibrated so that a standing person at maximum range is detected with the site's `pd`.
// Position: the pixel (with its pixel noise) is cast from the platform's *measured* pose
// (position, attitude and gimbal with their errors) onto the ground plane; the detection's sigma
// is the larger axis of the position covariance propagated from those errors (central
// differences). Class by the recognition TTPF (4 N50) and the cameras' confusion matrix. False
// detections: Poisson at `false_alarm_rate` per hour, at random pixels of the footprint.
//
// Not modelled: terrain (the simulator's ground is the origin's plane), occlusion, smearing at
// high scan rates, the monocular height ambiguity of flyers (they are placed on the ground where
// the ray meets it).
#pragma once

#include <array>
#include <vector>

#include "picket/core/platform.h"
#include "picket/sim/random.h"
#include "picket/sim/sensor_model.h"

namespace picket::sim {

struct PlatformState {
  Enu position = Enu::Zero();
  Attitude attitude;
  double wind_mps = 0;      // wind speed the balloon feels (lagged)
  double blowdown_rad = 0;  // tether angle from the vertical
};

class TetherModel {
 public:
  static constexpr double kStep = 0.05;  // s
  TetherModel(const AerostatSimSpec& spec, const Enu& anchor, double tether_m, std::uint64_t seed);
  // The state at scenario time t; times must not decrease from call to call.
  PlatformState at(double t);
  double tether_m() const { return tether_; }

 private:
  void step();
  PlatformState state() const;
  AerostatSimSpec spec_;
  Enu anchor_;
  double tether_;
  Rng rng_;
  double t_ = 0;
  double gust_ = 0, wind_eff_ = 0;
  // sway oscillators: pitch, roll, yaw (angle, rate)
  std::array<double, 3> x_{}, v_{};
  std::array<double, 3> sigma_{};
};

// Plan widths of mover kinds seen from above (m): people 0.5, vehicles 2.0, animals 0.6,
// birds 0.4, drones 0.4, aircraft 10.
double plan_width(MoverKind k);

class AerostatModel final : public SensorModel {
 public:
  explicit AerostatModel(const ModelContext& ctx);
  void simulate(const SimWindow& w, std::vector<SimDetection>& out) override;
  std::string_view name() const override {
    return "aerostat: tethered platform, stabilised gimbal, Johnson/TTPF Pd by pixels on target";
  }

  // The platform, gimbal and camera at scenario time t (times must not decrease).
  PlatformState platform(double t);
  // The camera's rotation (camera frame to ENU) for a platform state at time t, without jitter.
  Eigen::Matrix3d camera_rotation(const PlatformState& p, double t) const;
  // Where the image corners' rays meet the ground (those that do).
  std::vector<Enu> footprint(double t);
  // Ground sample distance at the image centre (m per pixel along the look direction), or 0
  // when the centre ray misses the ground.
  double gsd_centre(double t);
  double focal_px() const { return focal_; }
  double n50() const { return n50_; }
  // Probability of detecting a target of `height` and plan `width` at slant range R seen at
  // `depression` below the horizontal.
  double pd(double height, double width, double range, double depression) const;

 private:
  void frame(const SimWindow& w, double t, std::vector<SimDetection>& out);
  Enu ground_point(const Enu& from, const Eigen::Matrix3d& r_cam, double u, double v,
                   bool& hit) const;

  AerostatSimSpec spec_;
  TetherModel tether_;
  double focal_;
  double cx_, cy_;
  double n50_;
  double period_;
  double phase_;
  Rng rng_;
  std::vector<Rng> movers_;
  std::vector<int> candidates_;
};

}  // namespace picket::sim

// Simulated surveillance radar: a rotating beam that reports plots (range, bearing, optionally
// elevation and radial speed) of movers and of clutter.
//
// - Timing: the antenna turns at `update_rate` revolutions per second from a random start
//   azimuth; a mover's plot is timestamped when the beam passes its bearing (solved per scan by
//   fixed-point iteration on the mover's moving bearing), so plots of one scan are spread over
//   the scan as a real radar's are.
// - Detection: Swerling I target, square-law detector, one look: Pd = Pfa^(1/(1+SNR)) (Swerling,
//   "Probability of detection for fluctuating targets", 1960; Richards, Fundamentals of Radar
//   Signal Processing, 2nd ed., sec. 6.3). SNR from the radar range equation,
//   SNR = SNR_ref * (sigma / sigma_ref) * (R_max / R)^4, with SNR_ref set so that the site's
//   `pd` holds for a target of `reference_rcs` at maximum range.
// - Doppler: targets whose radial speed is below `min_radial_speed` fall in the ground-clutter
//   notch (MTI/MTD filter) and are not detected; detected plots may carry the radial speed.
// - Noise: Gaussian in range and bearing (and elevation for radars with elevation noise set:
//   3-D radars), with the site's standard deviations reported as sigma_range/sigma_bearing.
// - Clutter: a Poisson number of false plots at `false_alarm_rate` per hour (raised by rain),
//   uniform over the covered area, each when the beam points at it.
// - Sector radars (horizontal field of view below 360 degrees) turn continuously and report only
//   inside the sector.
//
// Not modelled: terrain masking, multipath, range/azimuth resolution (two targets in one cell
// give two plots), plot merging, track-while-scan output.
#pragma once

#include "picket/sim/random.h"
#include "picket/sim/sensor_model.h"

namespace picket::sim {

class RadarPd {
 public:
  // `pd_at_max_range` for a target of `reference_rcs_m2` at `max_range_m`; `pfa` is the
  // detector's false-alarm probability per resolution cell (sets the threshold).
  RadarPd(double pd_at_max_range, double pfa, double max_range_m, double reference_rcs_m2);
  double snr(double range_m, double rcs_m2) const;
  double pd(double range_m, double rcs_m2) const;
  double snr_ref() const { return snr_ref_; }

 private:
  double log_pfa_;
  double snr_ref_;  // linear; infinite when pd_at_max_range is 1
  double max_range_;
  double ref_rcs_;
};

class RadarModel final : public SensorModel {
 public:
  explicit RadarModel(const ModelContext& ctx);
  void simulate(const SimWindow& w, std::vector<SimDetection>& out) override;
  std::string_view name() const override { return "radar: scanning, Swerling I, R^-4, notch"; }

  const RadarPd& pd_model() const { return pd_; }
  // Beam azimuth (clockwise from north, unwrapped) at scenario time t.
  double beam(double t) const { return phase_ + omega_ * t; }

 private:
  struct PerMover {
    Rng rng;
    bool tracking = false;  // k, t_next and bearing are valid
    double k = 0;           // index of the next scan to pass the mover
    double t_next = 0;      // estimated time of that pass
    double bearing = 0;     // unwrapped bearing at the last pass
  };
  // `bearing` is the true bearing of s.pos (any multiple of 2 pi added).
  void observe(const Mover& m, int index, double t, const MoverState& s, double bearing,
               std::vector<SimDetection>& out);
  void clutter(const SimWindow& w, std::vector<SimDetection>& out);
  double bearing_of(const Enu& p) const;

  const Scenario& sc_;
  SensorSimSpec settings_;
  RadarPd pd_;
  double omega_;  // rad/s
  double phase_;  // rad
  bool sector_;
  bool elevation_;
  Rng rng_;  // clutter
  std::vector<PerMover> movers_;
};

}  // namespace picket::sim

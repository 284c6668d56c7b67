// Simulated fixed camera with a detector (video analytics): per frame, detections of the movers
// it sees, with a position on the ground, a class and a score, plus false detections.
//
// - Field of view and range from the site (horizontal/vertical fov, orientation, max range).
// - Pd by pixels on target: the target's height in pixels is n = f h / R, with the focal length
//   in pixels f = (H/2) / tan(fov_v/2) (H: image height). Pd = TTPF(n/2 cycles), the NVESD
//   target transfer probability function of the Johnson criteria (Vollmerhausen, Jacobs &
//   Driggers, "New metric for predicting target acquisition performance", Opt. Eng. 2004):
//   P(N) = (N/N50)^E / (1 + (N/N50)^E), E = 2.7 + 0.7 N/N50. N50 is calibrated so that a
//   standing person (1.75 m) at maximum range is detected with the site's `pd`.
// - Class: recognised with TTPF(N, 4 N50) (Johnson: recognition needs about four times the
//   cycles of detection); a recognised target's class is drawn from a confusion matrix, an
//   unrecognised one is reported `unknown`.
// - Position: projected to the ground from a pixel, so the down-range error grows with the
//   square of the range and the cross-range error linearly: sigma_down = max(0.3, s (R/Rmax)^2),
//   sigma_cross = max(0.1, R * fov_h / W) (one pixel), s = the site's noise.position; the
//   detection's `sigma` is their root mean square.
// - False detections: Poisson at `false_alarm_rate` per hour (raised by rain), uniform over the
//   ground the camera sees, low scores.
//
// Not modelled: occlusion, lighting, weather on Pd, motion blur, the monocular range ambiguity of
// flyers (a flyer is reported at its true height as if ranged).
#pragma once

#include "picket/sim/random.h"
#include "picket/sim/sensor_model.h"

namespace picket::sim {

// NVESD target transfer probability function: probability of the task (detection,
// recognition) with `cycles` resolvable cycles across the target when N50 = `n50`.
double ttpf(double cycles, double n50);
// The N50 for which ttpf(cycles, N50) = p (0 < p < 1).
double ttpf_n50(double cycles, double p);

inline constexpr double kReferencePersonHeight = 1.75;  // m
inline constexpr double kRecognitionFactor = 4.0;       // N50 recognition / N50 detection

class CameraPd {
 public:
  explicit CameraPd(const SensorDef& def);
  double focal_px() const { return focal_px_; }
  double pixels(double height_m, double range_m) const;
  double pd(double height_m, double range_m) const;
  double p_recognise(double height_m, double range_m) const;
  double n50() const { return n50_; }

 private:
  double focal_px_;
  double n50_;  // cycles for a 50 % detection
};

// P(reported class | true class): rows are the true class, in TargetClass order.
const std::array<ClassProbabilities, kNumClasses>& camera_confusion();

class CameraModel final : public SensorModel {
 public:
  explicit CameraModel(const ModelContext& ctx);
  void simulate(const SimWindow& w, std::vector<SimDetection>& out) override;
  std::string_view name() const override { return "camera: Johnson/TTPF Pd, ground projection"; }
  const CameraPd& pd_model() const { return pd_; }
  // Ground ranges the camera sees (m).
  double ground_min() const { return ground_min_; }
  double ground_max() const { return ground_max_; }
  double frame_phase() const { return phase_; }
  // Down-range and cross-range position standard deviations at range R.
  double sigma_down(double range_m) const;
  double sigma_cross(double range_m) const;

 private:
  void frame(const SimWindow& w, double t, std::vector<SimDetection>& out);
  // SensorDef::covers without trigonometry (dot products against precomputed bounds).
  bool in_view(const Enu& d, double range) const;
  void false_detections(double t, std::vector<SimDetection>& out);

  const Scenario& sc_;
  CameraPd pd_;
  double period_;
  double phase_;
  double ground_min_;
  double ground_max_;
  Vec2 boresight_;     // unit, horizontal
  double cos_half_h_;  // cos(fov_h / 2); fov_h >= 360 degrees: -2 (everything)
  double tan_low_;     // tan of the lowest and highest elevations seen
  double tan_high_;
  Rng rng_;
  std::vector<Rng> movers_;
  std::vector<int> candidates_;
};

}  // namespace picket::sim

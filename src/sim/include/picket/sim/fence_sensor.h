// Simulated fence-mounted intrusion sensor (taut wire, vibration cable, fibre): reports the
// numbered segment of its fence that was disturbed, and a heartbeat when nothing happens.
//
// - Climbs and cuts: a mover climbing over (or cutting through) a covered segment is detected
//   with the site's `pd`, once per climb; the first report comes after a processing delay of
//   0.5-1.5 s and it repeats every 2 s while the climb lasts.
// - Crossings without a climb (a vehicle through a gate, an animal slipping under): detected with
//   `pd`, one report 0.2-1.0 s after the crossing.
// - Brushing: a mover within 1 m of the fence touches it as a Poisson process at its kind's
//   brush rate (animals: twice a minute); each touch is felt with probability pd/2 (a brush is
//   weaker than a climb).
// - Wind (docs/sim.md, nuisance.h): each segment in a wind's range triggers at the gusting rate.
// - Calm-weather false alarms: Poisson at `false_alarm_rate` per hour over the covered segments.
// - Heartbeats: a status report every 1/update_rate seconds.
//
// Not modelled: sensor zones that straddle segment boundaries, cable faults, tamper reports.
#pragma once

#include "picket/sim/random.h"
#include "picket/sim/sensor_model.h"

namespace picket::sim {

inline constexpr double kFenceRepeatInterval = 2.0;  // s between reports of one climb
inline constexpr double kBrushSensitivity = 0.5;     // P(report | touch) = pd * this

class FenceSensorModel final : public SensorModel {
 public:
  explicit FenceSensorModel(const ModelContext& ctx);
  void simulate(const SimWindow& w, std::vector<SimDetection>& out) override;
  std::string_view name() const override { return "fence: climbs, cuts, wind, brushing"; }
  bool covers(int fence, int segment) const {
    return fence == fence_ && segment >= def_.first_segment && segment <= def_.last_segment;
  }

 private:
  struct Pending {
    double t;
    int segment;
    int mover;
    Origin origin;
  };
  void report(std::vector<SimDetection>& out, double t, int segment, Origin origin, int mover);

  const Scenario& sc_;
  int fence_ = -1;
  double heartbeat_period_;
  double heartbeat_phase_;
  Rng rng_;
  std::vector<Rng> movers_;
  std::vector<Pending> pending_;
};

}  // namespace picket::sim

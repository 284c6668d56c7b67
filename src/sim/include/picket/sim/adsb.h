// Simulated ADS-B receiver: aircraft broadcast their GNSS position (lat, lon, altitude) and
// 24-bit address; the receiver hears a report every 1/update_rate seconds with probability `pd`
// while the aircraft is within `range.max`, with the position error of the site's
// noise.position (the aircraft's navigation accuracy, NACp). Only movers of kind `aircraft`
// transmit.
//
// Not modelled: message types and decoding (the protocols layer does that), CPR, garbling,
// altitude quantisation.
#pragma once

#include "picket/sim/random.h"
#include "picket/sim/sensor_model.h"

namespace picket::sim {

class AdsbModel final : public SensorModel {
 public:
  explicit AdsbModel(const ModelContext& ctx);
  void simulate(const SimWindow& w, std::vector<SimDetection>& out) override;
  std::string_view name() const override { return "ADS-B: aircraft position reports"; }

 private:
  const Scenario& sc_;
  double period_;
  double phase_;
  std::vector<Rng> movers_;
};

}  // namespace picket::sim

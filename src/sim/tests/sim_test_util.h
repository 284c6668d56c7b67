// Helpers for the simulator's tests: test data paths and a sink that keeps everything.
#pragma once

#include <string>
#include <vector>

#include "picket/sim/engine.h"
#include "picket/sim/scenario.h"

namespace picket::sim::testing {

inline std::string source_dir() {
  return PICKET_SOURCE_DIR;
}
inline std::string data_dir() {
  return source_dir() + "/src/sim/tests/data";
}

// A scenario from text, as if it were a file in the test data directory (so `site:` may name
// one of the test sites there).
inline Result<Scenario> scenario_text(const std::string& yaml,
                                      const std::string& name = "test.yaml") {
  return load_scenario_from_string(yaml, data_dir() + "/" + name);
}

class CollectSink final : public Sink {
 public:
  void detection(const SimDetection& d) override { detections.push_back(d); }
  void truth(const TruthSample& s) override { truth_samples.push_back(s); }
  void event(const TruthEvent& e) override { events.push_back(e); }
  std::vector<SimDetection> detections;
  std::vector<TruthSample> truth_samples;
  std::vector<TruthEvent> events;
};

// Runs a scenario to the end with a seed.
inline CollectSink run(const Scenario& sc, std::uint64_t seed) {
  Simulator sim(sc, seed);
  CollectSink sink;
  sim.run(sink);
  return sink;
}

}  // namespace picket::sim::testing

// `picket simulate --asterix FILE / --asterix-udp DEST`: the simulated radars' plots in their real
// wire format. Each radar's plots become CAT048 (or CAT010, as its `server.inputs` entry in the
// site file says) target reports, with CAT034 north markers and sector crossings from the simulated
// antenna (asterix/radar_feed.h), packed every `slice_s` of data time into data blocks of at most
// 1400 octets: appended to a file of raw blocks and/or sent as one UDP datagram per block, paced
// against the wall clock (`speed` times real time).
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio.hpp>

#include "picket/core/result.h"
#include "picket/protocols/asterix/radar_feed.h"
#include "picket/sim/engine.h"
#include "picket/sim/scenario.h"

namespace picket::app {

struct AsterixOutOptions {
  std::string file;              // raw blocks ("" none)
  std::vector<std::string> udp;  // "HOST:PORT", "SENSOR=HOST:PORT" or "site"
  double speed = 1;              // pacing of UDP output
  double slice_s = 0.05;         // data time per burst of blocks
};

struct AsterixOutStats {
  std::uint64_t plots = 0, service = 0, blocks = 0, octets = 0, datagrams = 0, skipped = 0;
};

class AsterixOut {
 public:
  static Result<std::unique_ptr<AsterixOut>> open(const AsterixOutOptions& o,
                                                  const sim::Scenario& sc,
                                                  const sim::Simulator& sim);
  ~AsterixOut();
  // A detection the simulator made (time in Unix seconds); plots of radars are kept.
  void detection(const sim::SimDetection& d);
  // Everything before `t_end` (Unix seconds) is complete: encode and emit it.
  Status advance(double t_end);
  Status finish();
  const AsterixOutStats& stats() const { return stats_; }
  std::string summary() const;

 private:
  struct Radar {
    int index = 0;
    std::string id;
    std::unique_ptr<asterix::RadarFeedWriter> writer;
    double period_s = 1;
    double last_t = 0;  // Unix seconds of the last rotation emitted
    std::vector<boost::asio::ip::udp::endpoint> dest;
  };
  AsterixOut() = default;
  Status emit(Radar& r, double slice_end);
  AsterixOutOptions o_;
  const sim::Scenario* sc_ = nullptr;
  const sim::Simulator* sim_ = nullptr;
  std::vector<Radar> radars_;
  std::map<int, std::size_t> by_sensor_;
  std::vector<sim::SimDetection> pending_;
  double emitted_until_ = 0;
  std::FILE* file_ = nullptr;
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::asio::ip::udp::socket> socket_;
  double wall0_ = 0;
  AsterixOutStats stats_;
};

}  // namespace picket::app

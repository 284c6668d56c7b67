// Issue 6 acceptance: "a simulated radar feeding CAT048 over UDP on loopback into `picket run`
// gives the same tracks as the same detections fed as JSON Lines".
//
// One scenario (three movers, two radars with clutter, crossing UTC midnight) is simulated once.
// The same detections then drive two live engines (the engine of `picket run`, in process, each
// with its own SQLite store), under a clock the test controls:
//   A. every detection as a JSON Lines line through LineInput (the daemon's JSON Lines input);
//   B. every radar plot encoded as the simulator's `--asterix-udp` output encodes it
//      (RadarFeedWriter: CAT048 plots and CAT034 north markers/sector crossings, in 50 ms bursts
//      of data blocks), sent over real UDP sockets on loopback to ProtocolInputs listening as
//      configured in the site file's `server.inputs` (each radar with its SAC/SIC).
// Both engines then advance through the same times. The confirmed tracks must be the same: the
// same number, the same ids, about the same number of updates each (the test's loop may merge
// two updates in one tick), and each update within the ASTERIX quantisation of its partner (CAT048
// range LSB 1/256 NM, azimuth 360/2^16 degrees, time 1/128 s, Doppler 1 m/s). The test fails if the
// ASTERIX path loses or misroutes plots, misreads their time across midnight, or distorts positions
// beyond the quantisation.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "picket/core/site.h"
#include "picket/core/time.h"
#include "picket/engine/line_input.h"
#include "picket/engine/live.h"
#include "picket/engine/protocol_inputs.h"
#include "picket/formats/records.h"
#include "picket/protocols/asterix/radar_feed.h"
#include "picket/sim/engine.h"
#include "picket/sim/scenario.h"

namespace picket::engine {
namespace {

namespace net = boost::asio;
namespace fs = std::filesystem;

constexpr const char* kSite = R"(
name: asterix loopback
origin: {lat: 52.1, lon: -1.0, alt: 80}
sensors:
  - id: radar-a
    type: radar
    position: {east: -300, north: -200, up: 8}
    range: {min: 15, max: 2500}
    noise: {range: 2.0, bearing: 0.4}
    pd: 0.9
    false_alarm_rate: 360
    update_rate: 1
    min_radial_speed: 0.3
  - id: radar-b
    type: radar
    position: {east: 300, north: 200, up: 8}
    range: {min: 15, max: 2500}
    noise: {range: 2.0, bearing: 0.4}
    pd: 0.9
    false_alarm_rate: 360
    update_rate: 0.5
    min_radial_speed: 0.3
server:
  inputs:
    radar-a:
      asterix: {listen: 127.0.0.1:0, category: 48, source: {sac: 7, sic: 1}}
    radar-b:
      asterix: {listen: 127.0.0.1:0, category: 48, source: {sac: 7, sic: 2}}
)";

constexpr const char* kScenario = R"(
site: site.yaml
start: 2026-11-27T23:59:20Z
duration: 80
seed: 11
movers:
  - id: car
    kind: vehicle
    path:
      - {east: -1500, north: 600}
      - {at: {east: 1200, north: 500}, speed: 12}
  - id: walker
    kind: walker
    path:
      - {east: 200, north: -900}
      - {at: {east: 250, north: 100}, speed: 1.6}
  - id: runner
    kind: runner
    path:
      - {east: -700, north: -700}
      - {at: {east: -100, north: -300}, speed: 3.5}
)";

struct Update {
  double t = 0;
  Eigen::Vector3d position;
};
using Tracks = std::map<std::uint64_t, std::vector<Update>>;

class AsterixLive : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("picket-asterix-live-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "site.yaml") << kSite;
    std::ofstream(dir_ / "scenario.yaml") << kScenario;
    auto s = load_site((dir_ / "site.yaml").string());
    ASSERT_TRUE(s) << s.error().message();
    site_ = std::move(*s);
    auto sc = sim::load_scenario((dir_ / "scenario.yaml").string());
    ASSERT_TRUE(sc) << sc.error().message();
    scenario_ = std::move(*sc);
    struct Collect : sim::Sink {
      std::vector<Detection>* out;
      void detection(const sim::SimDetection& d) override { out->push_back(d.det); }
      void truth(const TruthSample&) override {}
      void event(const TruthEvent&) override {}
    } sink;
    sink.out = &detections_;
    sim::Simulator simulator(scenario_, scenario_.seed);
    simulator.run(sink);
    ASSERT_GT(detections_.size(), 100u);
  }
  void TearDown() override { fs::remove_all(dir_); }

  LiveOptions options(const std::string& name) {
    LiveOptions o;
    o.store_path = (dir_ / (name + ".db")).string();
    o.tick_s = 0.001;
    o.reorder_window_s = 0.2;
    return o;
  }

  // Plays the scenario against the engine in 50 ms steps: the clock moves to the end of the
  // step, `deliver` hands over every detection before it (as the input would receive them in
  // real time), and the engine ticks. Collects every confirmed update that a detection caused.
  Tracks play(net::io_context& ioc, LiveEngine& live, double& clock,
              const std::function<void(double)>& deliver) {
    Tracks tracks;
    live.on_tracks([&](const std::vector<TrackState>& updated, const std::vector<std::uint64_t>&) {
      for (const auto& s : updated) {
        if (s.detection != 0) tracks[s.id].push_back({s.t, s.position});
      }
    });
    const double end = scenario_.start_unix + scenario_.duration_s + 5;
    for (double t = scenario_.start_unix + 0.05; t <= end; t += 0.05) {
      clock = t;
      deliver(t);
      ioc.run_for(std::chrono::milliseconds(3));
    }
    EXPECT_TRUE(live.stop().ok());
    return tracks;
  }

  fs::path dir_;
  Site site_;
  sim::Scenario scenario_;
  std::vector<Detection> detections_;
};

TEST_F(AsterixLive, Cat048OverUdpGivesTheTracksOfJsonLines) {
  // --- A: JSON Lines ---------------------------------------------------------------------------
  Tracks json_tracks;
  {
    net::io_context ioc;
    Registry metrics;
    double clock = scenario_.start_unix - 1;
    auto engine = LiveEngine::create(ioc, site_, options("json"), metrics, [&] { return clock; });
    ASSERT_TRUE(engine) << engine.error().message();
    LiveEngine& live = **engine;
    LineInput input(ioc, site_, LineInputConfig{}, metrics,
                    [&](Detection&& d) { live.push(std::move(d)); });
    live.start();
    std::size_t next = 0;
    std::string line;
    json_tracks = play(ioc, live, clock, [&](double until) {
      for (; next < detections_.size() && detections_[next].t < until; ++next) {
        line.clear();
        formats::append_detection(line, detections_[next]);
        input.handle_line(line, "test", 0);
      }
    });
  }

  // --- B: ASTERIX over UDP -------------------------------------------------------------------
  Tracks asterix_tracks;
  std::uint64_t plots_sent = 0, received = 0, heartbeats = 0;
  {
    net::io_context ioc;
    Registry metrics;
    double clock = scenario_.start_unix - 1;
    auto engine =
        LiveEngine::create(ioc, site_, options("asterix"), metrics, [&] { return clock; });
    ASSERT_TRUE(engine) << engine.error().message();
    LiveEngine& live = **engine;
    auto cfg = read_inputs_section(site_);
    ASSERT_TRUE(cfg) << cfg.error().message();
    ASSERT_EQ(cfg->asterix.size(), 2u);
    ProtocolInputs inputs(
        ioc, site_, *cfg, metrics, [&] { return clock; },
        [&](Detection&& d) {
          ++received;
          if (d.status == SensorStatus::heartbeat) ++heartbeats;
          live.push(std::move(d));
        });
    ASSERT_TRUE(inputs.start().ok());
    const auto bound = inputs.asterix_bound();
    ASSERT_EQ(bound.size(), 2u);  // port 0 twice: two sockets
    live.start();

    // The simulator's encoder, as `picket simulate --asterix-udp` runs it.
    std::map<std::string, asterix::RadarFeedWriter> writers;
    std::map<std::string, unsigned short> ports;
    for (std::size_t i = 0; i < 2; ++i) {
      asterix::RadarFeedWriter::Options wo;
      wo.source = *cfg->asterix[i].source;
      writers.emplace(cfg->asterix[i].sensor, asterix::RadarFeedWriter(wo));
      ports[cfg->asterix[i].sensor] = bound[i].port;
    }
    net::ip::udp::socket sender(ioc, net::ip::udp::endpoint(net::ip::udp::v4(), 0));
    std::size_t next = 0;
    std::uint64_t datagrams = 0;
    double last = scenario_.start_unix;
    asterix_tracks = play(ioc, live, clock, [&](double until) {
      for (; next < detections_.size() && detections_[next].t < until; ++next) {
        const Detection& d = detections_[next];
        if (d.status != SensorStatus::none) continue;
        ASSERT_TRUE(writers.at(d.sensor).add_plot(d));
        ++plots_sent;
      }
      for (auto& [id, w] : writers) {
        const double rate = site_.find_sensor(id)->update_rate_hz;
        w.add_rotation(360 * rate * (last - scenario_.start_unix), last,
                       360 * rate * (until - scenario_.start_unix), until, 1 / rate);
        for (const auto& block : w.take_blocks()) {
          sender.send_to(net::buffer(block),
                         net::ip::udp::endpoint(net::ip::make_address("127.0.0.1"), ports[id]));
          ++datagrams;
        }
      }
      last = until;
      // Until the daemon has read what was sent (loopback loses nothing while it keeps up).
      for (int i = 0; i < 2000 && received - heartbeats < plots_sent; ++i)
        ioc.run_for(std::chrono::microseconds(500));
      ASSERT_EQ(received - heartbeats, plots_sent) << datagrams << " datagrams";
    });
  }
  // CAT034: north markers every rotation (radar-a 80 s at 1 Hz, radar-b at 0.5 Hz), one heartbeat
  // per second at most.
  EXPECT_GE(heartbeats, 100u);

  // --- The same tracks ------------------------------------------------------------------------
  ASSERT_GE(json_tracks.size(), 3u) << "the scenario should give at least the three movers";
  ASSERT_EQ(asterix_tracks.size(), json_tracks.size());
  // Quantisation bound of one plot's position: half a range LSB plus half an azimuth LSB at the
  // maximum range; the filter's output moves by no more than a few of them (velocity from
  // quantised positions over one-second scans): allow four.
  const double range_lsb = 1852.0 / 256, az_lsb = 2 * M_PI / 65536;
  const double bound = 4 * (range_lsb / 2 + 2500 * az_lsb / 2);
  // Updates are matched by time: the loop may let two updates of a track fall into one tick of
  // one run and not of the other (the engine announces only the newest of a tick), so a few may
  // have no partner; at least 90% must, and every partner must agree.
  double worst = 0;
  std::size_t matched = 0, total = 0;
  for (const auto& [id, a] : json_tracks) {
    auto it = asterix_tracks.find(id);
    ASSERT_NE(it, asterix_tracks.end()) << "track " << id << " missing from the ASTERIX run";
    const auto& b = it->second;
    EXPECT_NEAR(static_cast<double>(a.size()), static_cast<double>(b.size()), 0.1 * a.size() + 1)
        << "track " << id;
    for (const auto& u : a) {
      ++total;
      const auto near = std::min_element(b.begin(), b.end(), [&](const Update& x, const Update& y) {
        return std::abs(x.t - u.t) < std::abs(y.t - u.t);
      });
      if (near == b.end() || std::abs(near->t - u.t) > 1.0 / 256 + 1e-6) continue;
      ++matched;
      const double err = (u.position - near->position).head<2>().norm();
      worst = std::max(worst, err);
      EXPECT_LT(err, bound) << "track " << id << " at t " << u.t;
    }
  }
  EXPECT_GE(static_cast<double>(matched), 0.9 * static_cast<double>(total));
  std::printf(
      "%zu tracks, %llu plots; %zu of %zu updates matched; worst position difference %.2f m "
      "(bound %.2f m)\n",
      json_tracks.size(), static_cast<unsigned long long>(plots_sent), matched, total, worst,
      bound);
}

}  // namespace
}  // namespace picket::engine

// The live engine end to end on the demo site: the south-climb scenario played 100 times faster
// than real time through the tracker, the rules and a real SQLite store.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <filesystem>
#include <set>

#include "picket/core/site.h"
#include "picket/engine/live.h"
#include "picket/store/store.h"

namespace picket::engine {
namespace {

namespace net = boost::asio;
namespace fs = std::filesystem;

std::string source(const std::string& rel) {
  return std::string(PICKET_SOURCE_DIR) + "/" + rel;
}

double wall() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class LiveEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = load_site(source("examples/demo-site.yaml"));
    ASSERT_TRUE(s) << s.error().message();
    site_ = std::move(*s);
    dir_ = fs::temp_directory_path() / ("picket-live-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  LiveOptions options() {
    LiveOptions o;
    o.store_path = (dir_ / "picket.db").string();
    o.simulate = source("examples/scenarios/south-climb.yaml");
    o.sim_speed = 100;
    o.sim_loop = false;
    o.exercise_scenarios = {source("examples/scenarios/gate-rush.yaml")};
    return o;
  }

  Site site_;
  fs::path dir_;
  Registry metrics_;
};

TEST_F(LiveEngineTest, AnnouncesOnlyDurableAlarmsAndStopsWithNothingLost) {
  net::io_context ioc;
  auto engine = LiveEngine::create(ioc, site_, options(), metrics_, wall);
  ASSERT_TRUE(engine) << engine.error().message();
  LiveEngine& live = **engine;

  std::vector<AlarmEvent> announced;
  std::size_t not_durable = 0;
  std::set<std::uint64_t> tracks_seen;
  live.on_alarm([&](const AlarmEvent& e) {
    // Announced only once committed: a reader of the store already sees it.
    auto stored = live.store().alarm(e.alarm.id);
    if (!stored || !stored->has_value()) ++not_durable;
    announced.push_back(e);
  });
  live.on_tracks([&](const std::vector<TrackState>& updated, const std::vector<std::uint64_t>&) {
    for (const auto& t : updated) {
      EXPECT_TRUE(t.status == TrackStatus::confirmed || t.status == TrackStatus::coasting);
      tracks_seen.insert(t.id);
    }
  });
  live.start();
  EXPECT_TRUE(live.ready());
  // 600 s of scenario at 100x: about 6 s. Stop once the first crossing alarm is in.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto crossing = [&] {
    for (const auto& e : announced) {
      if (e.alarm.kind == AlarmKind::fence_crossing && e.type == AlarmEventType::raised) return &e;
    }
    return static_cast<const AlarmEvent*>(nullptr);
  };
  while (!crossing() && std::chrono::steady_clock::now() < deadline) {
    ioc.run_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(crossing(), nullptr) << "no fence crossing alarm from the south-climb scenario";
  EXPECT_EQ(crossing()->alarm.priority, AlarmPriority::high);
  EXPECT_EQ(crossing()->alarm.fence, "perimeter");
  EXPECT_EQ(not_durable, 0u);
  EXPECT_FALSE(tracks_seen.empty());
  EXPECT_FALSE(live.tracks().empty());

  // An operator's acknowledgement returns once durable.
  const std::uint64_t id = crossing()->alarm.id;
  auto ack = live.acknowledge(id, "ada", "on my way");
  ASSERT_TRUE(ack) << ack.error().message();
  auto stored = live.store().alarm(id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->state, AlarmState::acknowledged);
  EXPECT_EQ((*stored)->acknowledged_by, "ada");
  EXPECT_FALSE(live.acknowledge(id, "bob", "")) << "acknowledged twice";

  ASSERT_TRUE(live.stop());
  EXPECT_FALSE(live.ready());
  // Every alarm the engine knows is in the store after the stop, announced or not.
  auto reopened = store::Store::open(store::StoreOptions{.path = (dir_ / "picket.db").string()});
  ASSERT_TRUE(reopened) << reopened.error().message();
  auto all = (*reopened)->alarms(store::AlarmFilter{});
  ASSERT_TRUE(all);
  std::set<std::uint64_t> stored_ids;
  for (const auto& a : *all)
    stored_ids.insert(a.id);
  for (const auto& e : announced)
    EXPECT_TRUE(stored_ids.count(e.alarm.id)) << e.alarm.id;
}

TEST_F(LiveEngineTest, ExerciseTracksAndAlarmsAreKeptApartAndCleared) {
  net::io_context ioc;
  auto o = options();
  o.simulate.clear();
  o.sim_speed = 100;
  auto engine = LiveEngine::create(ioc, site_, o, metrics_, wall);
  ASSERT_TRUE(engine) << engine.error().message();
  LiveEngine& live = **engine;
  std::vector<std::uint64_t> removed;
  live.on_tracks([&](const std::vector<TrackState>&, const std::vector<std::uint64_t>& r) {
    removed.insert(removed.end(), r.begin(), r.end());
  });
  live.start();
  EXPECT_EQ(live.exercise_scenarios(), std::vector<std::string>{"gate-rush"});
  EXPECT_FALSE(live.start_exercise("no-such", "admin"));
  ASSERT_TRUE(live.start_exercise("gate-rush", "admin"));
  EXPECT_FALSE(live.start_exercise("gate-rush", "admin")) << "two exercises at once";
  // The truck comes into view about 60 s (0.6 s at 100x) into the scenario.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (live.tracks().empty() && std::chrono::steady_clock::now() < deadline) {
    ioc.run_for(std::chrono::milliseconds(50));
  }
  const auto tracks = live.tracks();
  ASSERT_FALSE(tracks.empty());
  for (const auto& t : tracks)
    EXPECT_TRUE(live.is_exercise_track(t.id)) << t.id;
  ASSERT_TRUE(live.stop_exercise("admin"));
  EXPECT_TRUE(live.tracks().empty());
  EXPECT_FALSE(removed.empty());
  for (const auto& a : live.open_alarms())
    EXPECT_FALSE(a.exercise) << a.id;
  EXPECT_FALSE(live.exercise_report().active);
  ASSERT_TRUE(live.stop());
}

}  // namespace
}  // namespace picket::engine

namespace picket::engine {
namespace {

// ADS-B identity in the live engine: reports of one aircraft (address 4CA2D6, callsign BAW123)
// make a track that carries both, as the airspace rules and the console need.
TEST(LiveEngineIdentity, CooperativeReportsGiveTheTrackItsAddressAndCallsign) {
  auto s = load_site(source("examples/airport-site.yaml"));
  ASSERT_TRUE(s) << s.error().message();
  const fs::path dir = fs::temp_directory_path() / ("picket-live-id-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  LiveOptions o;
  o.store_path = (dir / "picket.db").string();
  Registry metrics;
  net::io_context ioc;
  auto engine = LiveEngine::create(ioc, *s, o, metrics, wall);
  ASSERT_TRUE(engine) << engine.error().message();
  LiveEngine& live = **engine;
  std::optional<TrackState> identified;
  live.on_tracks([&](const std::vector<TrackState>& updated, const std::vector<std::uint64_t>&) {
    for (const auto& t : updated)
      if (t.icao) identified = t;
  });
  live.start();
  // 25 m/s eastwards at 300 m, a report every 0.25 s for up to 8 s.
  const double t0 = wall();
  net::steady_timer timer(ioc);
  std::function<void(int)> report = [&](int k) {
    if (identified || k >= 32) {
      ioc.stop();
      return;
    }
    Detection d;
    d.t = wall();
    d.sensor = "adsb-rx";
    const Geodetic g = s->frame.to_geodetic(Enu(-3000 + 25 * (d.t - t0), 200, 300));
    d.measurement = GeodeticMeasurement{g.lat_deg, g.lon_deg, g.alt_m};
    d.sensor_track = "4CA2D6";
    live.push(std::move(d), "BAW123");
    timer.expires_after(std::chrono::milliseconds(250));
    timer.async_wait([&, k](boost::system::error_code ec) {
      if (!ec) report(k + 1);
    });
  };
  report(0);
  ioc.run();
  ASSERT_TRUE(identified.has_value()) << "no track carried the aircraft's address";
  EXPECT_EQ(*identified->icao, 0x4CA2D6u);
  EXPECT_EQ(identified->callsign, "BAW123");
  EXPECT_TRUE(identified->air);
  ASSERT_TRUE(live.stop());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace picket::engine

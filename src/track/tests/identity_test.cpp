// Cooperative identity: hand-worked cases of the attach / hold / move / switch / expire rules,
// and end to end with the real tracker: a radar track of an aircraft that ADS-B reports confirm
// carries the aircraft's address and callsign, and a drone next to it carries none.
#include "picket/track/identity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "picket/core/units.h"
#include "picket/track/tracker.h"

namespace picket::track {
namespace {

constexpr const char* kSite = R"(
name: identity test site
origin: {lat: 51.47, lon: -0.46, alt: 25}
sensors:
  - id: radar
    type: radar
    position: {east: 0, north: 0, up: 10}
    range: {min: 50, max: 8000}
    noise: {range: 5, bearing: 0.3, elevation: 0.3}
    pd: 0.95
    update_rate: 1
  - id: adsb
    type: adsb
    noise: {position: 15}
    update_rate: 1
# Aircraft: a new track's velocity prior must allow an airliner's 70 m/s (the default, 5 m/s per
# axis, suits people and vehicles).
tracker: {motion: {initial_speed_sigma: 40}}
)";

Site site() {
  auto s = load_site_from_string(kSite, "identity.yaml");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message());
  return std::move(*s);
}

constexpr double kT0 = 1.8e9;

TrackState update(std::uint64_t id, double t, std::uint64_t ref,
                  TrackStatus status = TrackStatus::confirmed) {
  TrackState s;
  s.id = id;
  s.t = t;
  s.detection = ref;
  s.status = status;
  s.air = true;
  return s;
}

Detection adsb(double t, std::string address, std::string sensor = "adsb") {
  Detection d;
  d.t = t;
  d.sensor = std::move(sensor);
  d.measurement = GeodeticMeasurement{51.47, -0.46, 300.0};
  d.sensor_track = std::move(address);
  return d;
}

TEST(Identity, ParsesAddresses) {
  EXPECT_EQ(parse_icao_address("4CA2D6"), 0x4CA2D6u);
  EXPECT_EQ(parse_icao_address("4ca2d6"), 0x4CA2D6u);
  EXPECT_EQ(parse_icao_address("00000F"), 0xFu);
  EXPECT_EQ(parse_icao_address("FFFFFF"), 0xFFFFFFu);
  EXPECT_FALSE(parse_icao_address(""));
  EXPECT_FALSE(parse_icao_address("1234567"));
  EXPECT_FALSE(parse_icao_address("4CA2G6"));
  EXPECT_FALSE(parse_icao_address("-1"));
}

TEST(Identity, AttachesHoldsAndExpires) {
  const Site s = site();
  CooperativeIdentity id(s, {30, 60});
  ASSERT_TRUE(id.note(7, adsb(kT0, "4CA2D6"), "RYR1AB"));
  auto u = update(3, kT0 + 0.2, 7);
  id.apply(u);
  ASSERT_TRUE(u.icao);
  EXPECT_EQ(*u.icao, 0x4CA2D6u);
  EXPECT_EQ(u.callsign, "RYR1AB");
  // A radar update 29.9 s after the last ADS-B report: still identified.
  u = update(3, kT0 + 29.9, 8);
  id.apply(u);
  EXPECT_EQ(u.icao, 0x4CA2D6u);
  // 30.1 s after it: the transponder has gone quiet, the track is non-cooperative again.
  u = update(3, kT0 + 30.1, 9);
  id.apply(u);
  EXPECT_FALSE(u.icao);
  EXPECT_TRUE(u.callsign.empty());
  EXPECT_EQ(id.stats().expired, 1u);
  EXPECT_EQ(id.stats().confirmed, 1u);
  EXPECT_EQ(id.tracks_identified(), 0u);
}

TEST(Identity, IgnoresOtherSensorsAndBadAddresses) {
  const Site s = site();
  CooperativeIdentity id(s);
  EXPECT_FALSE(id.note(1, adsb(kT0, "4CA2D6", "radar")));  // a radar plot is not cooperative
  EXPECT_FALSE(id.note(2, adsb(kT0, "4CA2D6", "nobody")));
  EXPECT_FALSE(id.note(3, adsb(kT0, "XYZ")));
  EXPECT_FALSE(id.note(4, adsb(kT0, "1234567")));
  Detection none = adsb(kT0, "");
  none.sensor_track.reset();
  EXPECT_FALSE(id.note(5, none));
  EXPECT_EQ(id.stats().not_cooperative, 2u);
  EXPECT_EQ(id.stats().bad_address, 3u);
  for (std::uint64_t r = 1; r <= 5; ++r) {
    auto u = update(1, kT0, r);
    id.apply(u);
    EXPECT_FALSE(u.icao) << r;
  }
}

TEST(Identity, AnAddressBelongsToOneTrack) {
  const Site s = site();
  CooperativeIdentity id(s);
  id.note(1, kT0, 0xABCDEF);
  auto a = update(3, kT0, 1);
  id.apply(a);
  EXPECT_EQ(a.icao, 0xABCDEFu);
  // The same aircraft's next report updates another track: it moves there.
  id.note(2, kT0 + 1, 0xABCDEF);
  auto b = update(5, kT0 + 1, 2);
  id.apply(b);
  EXPECT_EQ(b.icao, 0xABCDEFu);
  a = update(3, kT0 + 1.5, 0);
  id.apply(a);
  EXPECT_FALSE(a.icao);
  EXPECT_EQ(id.stats().moves, 1u);
  // Track 5 is confirmed by another address: the identity switches.
  id.note(3, kT0 + 2, 0x123456, "BAW12");
  b = update(5, kT0 + 2, 3);
  id.apply(b);
  EXPECT_EQ(b.icao, 0x123456u);
  EXPECT_EQ(b.callsign, "BAW12");
  EXPECT_EQ(id.stats().switches, 1u);
  // The first address is free again: a report of it on track 3 attaches without a move.
  id.note(4, kT0 + 3, 0xABCDEF);
  a = update(3, kT0 + 3, 4);
  id.apply(a);
  EXPECT_EQ(a.icao, 0xABCDEFu);
  EXPECT_EQ(id.stats().moves, 1u);
  // Deletion forgets it.
  b = update(5, kT0 + 4, 0, TrackStatus::deleted);
  id.apply(b);
  EXPECT_FALSE(b.icao);
  EXPECT_FALSE(id.icao_of(5));
  EXPECT_EQ(id.icao_of(3), 0xABCDEFu);
}

TEST(Identity, CallsignArrivesLaterAndUnusedReportsExpire) {
  const Site s = site();
  CooperativeIdentity id(s, {30, 60});
  id.note(1, kT0, 0x400001);
  auto u = update(9, kT0, 1);
  id.apply(u);
  EXPECT_EQ(u.icao, 0x400001u);
  EXPECT_TRUE(u.callsign.empty());
  id.note(2, kT0 + 5, 0x400001, "EZY77");  // an identification message, used by no track
  u = update(9, kT0 + 6, 0);
  id.apply(u);
  EXPECT_EQ(u.callsign, "EZY77");
  // Report 2 was never used; 60 s later it is dropped, and a late update naming it finds
  // nothing.
  id.note(3, kT0 + 65.1, 0x400002);
  EXPECT_EQ(id.stats().pending_dropped, 1u);
  u = update(11, kT0 + 65.2, 2);
  id.apply(u);
  EXPECT_FALSE(u.icao);
}

// The real tracker: an airliner on approach seen by the radar (with elevation) and reporting
// ADS-B once a second, and a drone 1.5 km away seen by the radar only.
TEST(Identity, RadarTrackConfirmedByAdsbCarriesTheIdentity) {
  const Site s = site();
  std::mt19937 rng(4);
  std::normal_distribution<double> g(0, 1);
  struct Flyer {
    Eigen::Vector3d p0, v;
  };
  const Flyer airliner{{-3000, 1000, 400}, {70, 0, -3.7}};
  const Flyer drone{{500, -1500, 60}, {0, 5, 0}};
  const SensorDef* radar = s.find_sensor("radar");
  std::vector<Detection> dets;
  auto plot = [&](const Flyer& f, double t0) {
    // Timestamped when the beam (clockwise from north, once a second) passes it.
    const Eigen::Vector3d p = f.p0 + (t0 - kT0) * f.v;
    const Eigen::Vector3d d = p - radar->enu;
    const double bearing = wrap_2pi(std::atan2(d.x(), d.y()));
    Detection det;
    det.sensor = "radar";
    det.t = t0 + bearing / (2 * kPi);
    const Eigen::Vector3d q = f.p0 + (det.t - kT0) * f.v - radar->enu;
    det.measurement = PolarMeasurement{
        q.norm() + 5 * g(rng), wrap_2pi(std::atan2(q.x(), q.y()) + deg2rad(0.3) * g(rng)),
        std::atan2(q.z(), q.head<2>().norm()) + deg2rad(0.3) * g(rng)};
    dets.push_back(det);
  };
  for (int k = 0; k < 40; ++k) {
    plot(airliner, kT0 + k);
    plot(drone, kT0 + k);
    Detection a;
    a.sensor = "adsb";
    a.t = kT0 + k + 0.5;
    const Eigen::Vector3d p = airliner.p0 + (a.t - kT0) * airliner.v;
    const Geodetic geo =
        s.frame.to_geodetic(Enu(p.x() + 15 * g(rng), p.y() + 15 * g(rng), p.z() + 10 * g(rng)));
    a.measurement = GeodeticMeasurement{geo.lat_deg, geo.lon_deg, geo.alt_m};
    a.sensor_track = "4CA2D6";
    dets.push_back(a);
  }
  std::stable_sort(dets.begin(), dets.end(),
                   [](const Detection& x, const Detection& y) { return x.t < y.t; });

  auto tracker = Tracker::create(s, *params_from_site(s));
  ASSERT_TRUE(tracker.ok()) << tracker.error().message();
  CooperativeIdentity id(s);
  std::vector<TrackState> updates;
  auto drain = [&] {
    for (TrackState u : tracker->updates()) {
      id.apply(u);
      updates.push_back(std::move(u));
    }
    tracker->clear_updates();
  };
  std::uint64_t ref = 0;
  for (const auto& d : dets) {
    ++ref;
    if (d.sensor == "adsb") id.note(ref, d, "RYR1AB");
    tracker->push(d, ref);
    drain();
  }
  tracker->flush();
  drain();

  // The last update of each confirmed track, by where it is.
  std::map<std::uint64_t, TrackState> last;
  for (const auto& u : updates)
    if (u.status == TrackStatus::confirmed) last[u.id] = u;
  ASSERT_EQ(last.size(), 2u);
  int identified = 0;
  for (const auto& [tid, u] : last) {
    const bool is_airliner = u.position.y() > 0;  // north 1000; the drone is 1.3 km south
    EXPECT_TRUE(u.air) << tid;
    if (is_airliner) {
      ++identified;
      ASSERT_TRUE(u.icao) << tid;
      EXPECT_EQ(*u.icao, 0x4CA2D6u);
      EXPECT_EQ(u.callsign, "RYR1AB");
      // The radar and the ADS-B reports feed the one track.
      EXPECT_NE(std::find(u.sensors.begin(), u.sensors.end(), "radar"), u.sensors.end());
      EXPECT_NE(std::find(u.sensors.begin(), u.sensors.end(), "adsb"), u.sensors.end());
    } else {
      EXPECT_FALSE(u.icao) << "the drone has no identity";
    }
  }
  EXPECT_EQ(identified, 1);
  EXPECT_EQ(id.stats().moves, 0u);
  EXPECT_EQ(id.stats().switches, 0u);
}

}  // namespace
}  // namespace picket::track

// The tracker end to end on small simulated scenes: confirmation, fusion, identities through a
// crossing, life cycle, clutter, bad input (each a counted rejection that leaves the tracks
// exactly as a clean run leaves them), the reorder window, fence evidence, air targets, class
// fusion, JPDA, and the strict parameter section.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>

#include "picket/core/units.h"
#include "picket/track/tracker.h"

namespace picket::track {
namespace {

constexpr const char* kSite = R"(
name: tracker test site
origin: {lat: 52.1, lon: -1.0, alt: 80}
fences:
  - id: perimeter
    points:
      - {east: -300, north: -200}
      - {east: 300, north: -200}
      - {east: 300, north: 200}
      - {east: -300, north: 200}
      - {east: -300, north: -200}
    segment_length: 50
sensors:
  - id: radar-a
    type: radar
    position: {east: -310, north: -210, up: 8}
    range: {min: 15, max: 1500}
    noise: {range: 2.0, bearing: 0.6, elevation: 0.6}
    pd: 0.9
    false_alarm_rate: 1800
    update_rate: 1
  - id: radar-b
    type: radar
    position: {east: 310, north: 210, up: 8}
    range: {min: 15, max: 1500}
    noise: {range: 2.0, bearing: 0.6}
    pd: 0.9
    false_alarm_rate: 1800
    update_rate: 1
  - id: cam
    type: camera
    position: {east: 0, north: -195, up: 8}
    orientation: {yaw: 180, pitch: -6}
    fov: {horizontal: 60, vertical: 34}
    range: {max: 400}
    noise: {position: 2.5}
    pd: 0.8
    false_alarm_rate: 30
    update_rate: 5
  - id: fence-a
    type: fence
    fence: perimeter
    pd: 0.95
    false_alarm_rate: 0.5
    update_rate: 0.1
    noise: {position: 5}
)";

Site test_site(const std::string& tracker_section = "") {
  auto site = load_site_from_string(std::string(kSite) + tracker_section, "test.yaml");
  EXPECT_TRUE(site.ok()) << (site.ok() ? "" : site.error().message());
  return std::move(*site);
}

struct Walker {
  std::string id;
  Eigen::Vector2d p, v;
  double t_start = 0, t_end = 1e9;
  double up = 0;
};

// Radar plots of walkers: each seen with probability pd, timestamped when the beam (rotating
// clockwise from north once a second) passes it.
class Scene {
 public:
  explicit Scene(const Site& site, unsigned seed = 1) : site_(site), rng_(seed) {}

  void radar(const std::string& sensor, const Walker& w, double t0, double pd,
             std::vector<Detection>& out, bool elevation = false) {
    const SensorDef* s = site_.find_sensor(sensor);
    const Eigen::Vector2d p = w.p + (t0 - w.t_start) * w.v;
    const Eigen::Vector3d d(p.x() - s->enu.x(), p.y() - s->enu.y(), w.up - s->enu.z());
    const double bearing = std::atan2(d.x(), d.y());
    Detection det;
    det.sensor = sensor;
    det.t = t0 + wrap_2pi(bearing) / (2 * kPi);
    if (u_(rng_) > pd) return;
    PolarMeasurement m;
    m.range = d.norm() + s->noise.range_m * g_(rng_);
    m.bearing = wrap_2pi(bearing + s->noise.bearing_rad * g_(rng_));
    if (elevation) {
      m.elevation = std::atan2(d.z(), d.head<2>().norm()) + s->noise.elevation_rad * g_(rng_);
    }
    det.measurement = m;
    out.push_back(det);
  }

  void clutter(const std::string& sensor, double t0, int n, std::vector<Detection>& out) {
    const SensorDef* s = site_.find_sensor(sensor);
    for (int i = 0; i < n; ++i) {
      const double r = std::sqrt(u_(rng_)) * s->max_range_m;
      const double b = 2 * kPi * u_(rng_);
      Detection det;
      det.sensor = sensor;
      det.t = t0 + b / (2 * kPi);
      det.measurement = PolarMeasurement{std::max(r, s->min_range_m + 1), b, std::nullopt};
      out.push_back(det);
    }
  }

  void camera(const std::string& sensor, const Walker& w, double t, double sigma,
              std::vector<Detection>& out, std::optional<TargetClass> cls = std::nullopt) {
    const Eigen::Vector2d p = w.p + (t - w.t_start) * w.v;
    Detection det;
    det.sensor = sensor;
    det.t = t;
    det.measurement = EnuMeasurement{p.x() + sigma * g_(rng_), p.y() + sigma * g_(rng_), {}};
    det.cls = cls;
    det.score = 0.9;
    out.push_back(det);
  }

 private:
  const Site& site_;
  std::mt19937 rng_;
  std::normal_distribution<double> g_{0, 1};
  std::uniform_real_distribution<double> u_{0, 1};
};

void by_time(std::vector<Detection>& d) {
  std::stable_sort(d.begin(), d.end(),
                   [](const Detection& a, const Detection& b) { return a.t < b.t; });
}

std::vector<TrackState> run(Tracker& tracker, const std::vector<Detection>& dets) {
  std::vector<TrackState> out;
  std::uint64_t ref = 0;
  for (const auto& d : dets) {
    tracker.push(d, ++ref);
    for (const auto& s : tracker.updates())
      out.push_back(s);
    tracker.clear_updates();
  }
  tracker.flush();
  for (const auto& s : tracker.updates())
    out.push_back(s);
  tracker.clear_updates();
  return out;
}

Tracker make(const Site& site, TrackerParams p = default_params()) {
  auto t = Tracker::create(site, p);
  EXPECT_TRUE(t.ok());
  return std::move(*t);
}

std::set<std::uint64_t> confirmed_ids(const std::vector<TrackState>& u) {
  std::set<std::uint64_t> ids;
  for (const auto& s : u)
    if (s.status == TrackStatus::confirmed) ids.insert(s.id);
  return ids;
}

constexpr double kT0 = 1.8e9;

TEST(Tracker, OneWalkerSeenByOneRadar) {
  const Site site = test_site();
  Scene scene(site);
  const Walker w{"w", {200, 300}, {-1.2, -0.5}, kT0, 1e18, 0};
  std::vector<Detection> dets;
  for (int k = 0; k < 60; ++k)
    scene.radar("radar-a", w, kT0 + k, 1.0, dets);
  by_time(dets);
  Tracker tracker = make(site);
  const auto updates = run(tracker, dets);
  const auto ids = confirmed_ids(updates);
  ASSERT_EQ(ids.size(), 1u);
  // confirmed within two scans of the first plot
  double first_confirmed = 0;
  for (const auto& s : updates) {
    if (s.status == TrackStatus::confirmed) {
      first_confirmed = s.t;
      break;
    }
  }
  EXPECT_LE(first_confirmed - dets.front().t, 2.01);
  const TrackState& last = updates.back();
  const Eigen::Vector2d truth = w.p + (last.t - w.t_start) * w.v;
  EXPECT_LT((last.position.head<2>() - truth).norm(), 8.0);
  // one radar at 700 m: cross-range noise 7 m a plot; the mean velocity error over the last
  // 30 s stays under the walking speed
  double verr = 0;
  int nv = 0;
  for (const auto& s : updates) {
    if (s.t < kT0 + 30) continue;
    verr += (s.velocity.head<2>() - w.v).norm();
    ++nv;
  }
  EXPECT_LT(verr / nv, 1.0);
  EXPECT_EQ(last.sensors, std::vector<std::string>{"radar-a"});
  // provenance: every update names the detection (its ref) that caused it
  for (const auto& s : updates) {
    if (s.status == TrackStatus::coasting || s.status == TrackStatus::deleted) continue;
    ASSERT_GE(s.detection, 1u);
    ASSERT_LE(s.detection, dets.size());
    EXPECT_EQ(s.detection_sensor, "radar-a");
    EXPECT_NEAR(dets[s.detection - 1].t, s.t, 1e-9);
  }
  EXPECT_EQ(tracker.stats().rejected_total(), 0u);
}

TEST(Tracker, TwoRadarsAndACameraFuseIntoOneTrack) {
  const Site site = test_site();
  Scene scene(site, 2);
  const Walker w{"w", {30, -300}, {0, 1.4}, kT0, 1e18, 0};  // walks north through the camera
  std::vector<Detection> dets;
  for (int k = 0; k < 40; ++k) {
    scene.radar("radar-a", w, kT0 + k, 0.9, dets);
    scene.radar("radar-b", w, kT0 + k, 0.9, dets);
    for (int f = 0; f < 5; ++f)
      scene.camera("cam", w, kT0 + k + 0.2 * f + 0.05, 2.5, dets);
  }
  by_time(dets);
  Tracker tracker = make(site);
  const auto updates = run(tracker, dets);
  EXPECT_EQ(confirmed_ids(updates).size(), 1u);
  std::set<std::string> sensors;
  for (const auto& s : updates)
    sensors.insert(s.sensors.begin(), s.sensors.end());
  EXPECT_EQ(sensors, (std::set<std::string>{"cam", "radar-a", "radar-b"}));
  const auto& st = tracker.stats();
  EXPECT_EQ(st.sensors[2].id, "cam");
  EXPECT_GT(st.sensors[2].associated, 100u);
  EXPECT_GT(st.sensors[0].associated, 25u);
}

TEST(Tracker, CrossingWalkersKeepTheirIdentities) {
  const Site site = test_site();
  for (unsigned seed = 1; seed <= 10; ++seed) {
    Scene scene(site, seed);
    const Walker a{"a", {-80, 0}, {1.5, 0}, kT0, 1e18, 0};
    // b is 15 m behind: the walkers pass within 10.6 m of each other (2.6 sigma of a plot)
    const Walker b{"b", {0, -95}, {0, 1.5}, kT0, 1e18, 0};
    std::vector<Detection> dets;
    for (int k = 0; k < 100; ++k) {
      scene.radar("radar-a", a, kT0 + k, 0.9, dets);
      scene.radar("radar-a", b, kT0 + k, 0.9, dets);
      scene.radar("radar-b", a, kT0 + k, 0.9, dets);
      scene.radar("radar-b", b, kT0 + k, 0.9, dets);
    }
    by_time(dets);
    Tracker tracker = make(site);
    const auto updates = run(tracker, dets);
    // the confirmed track nearest each walker, before and after the crossing
    std::vector<TrackState> pic;
    auto nearest = [&](const Walker& w, double t) {
      std::uint64_t best = 0;
      double bd = 1e9;
      for (const auto& s : pic) {
        const double d = (s.position.head<2>() - (w.p + (t - kT0) * w.v)).norm();
        if (d < bd) {
          bd = d;
          best = s.id;
        }
      }
      EXPECT_LT(bd, 10.0);
      return best;
    };
    Tracker replay = make(site);
    std::uint64_t ref = 0;
    std::map<std::string, std::set<std::uint64_t>> ids;
    double next = kT0 + 10;
    for (const auto& d : dets) {
      replay.push(d, ++ref);
      replay.clear_updates();
      // every 5 s, while the walkers are apart (at the crossing "nearest" is ambiguous)
      const double sep = ((a.p + (d.t - kT0) * a.v) - (b.p + (d.t - kT0) * b.v)).norm();
      if (d.t >= next && sep > 25) {
        next += 5;
        replay.snapshot(d.t, pic);
        ids["a"].insert(nearest(a, d.t));
        ids["b"].insert(nearest(b, d.t));
      }
    }
    EXPECT_EQ(ids["a"].size(), 1u) << "seed " << seed;
    EXPECT_EQ(ids["b"].size(), 1u) << "seed " << seed;
    EXPECT_NE(*ids["a"].begin(), *ids["b"].begin());
    EXPECT_EQ(confirmed_ids(updates).size(), 2u) << "seed " << seed;
  }
}

TEST(Tracker, CoastsThenDeletesAndNeverReusesAnIdentity) {
  const Site site = test_site();
  Scene scene(site, 3);
  const Walker w1{"w1", {100, 100}, {1, 0}, kT0, kT0 + 30, 0};
  const Walker w2{"w2", {100, 100}, {1, 0}, kT0 + 60, 1e18, 0};  // the same path, later
  std::vector<Detection> dets;
  for (int k = 0; k < 30; ++k)
    scene.radar("radar-a", w1, kT0 + k, 1.0, dets);
  for (int k = 60; k < 90; ++k)
    scene.radar("radar-a", w2, kT0 + k, 1.0, dets);
  // the radar keeps scanning in between: it reports a little clutter far away every scan
  for (int k = 0; k < 90; ++k) {
    Detection d;
    d.sensor = "radar-a";
    d.t = kT0 + k + 0.9;
    // scattered: a different place each scan (a golden-angle walk in bearing)
    d.measurement = PolarMeasurement{1000 + 37.0 * (k % 11), deg2rad(std::fmod(137.5 * k, 360.0)),
                                     std::nullopt};
    dets.push_back(d);
  }
  by_time(dets);
  Tracker tracker = make(site);
  const auto updates = run(tracker, dets);
  const auto ids = confirmed_ids(updates);
  ASSERT_EQ(ids.size(), 2u);
  const std::uint64_t first = *ids.begin(), second = *ids.rbegin();
  EXPECT_GT(second, first);
  bool coasted = false, deleted = false;
  double deleted_t = 0;
  for (const auto& s : updates) {
    if (s.id != first) continue;
    coasted |= s.status == TrackStatus::coasting;
    if (s.status == TrackStatus::deleted) {
      deleted = true;
      deleted_t = s.t;
    }
  }
  EXPECT_TRUE(coasted);
  EXPECT_TRUE(deleted);
  // deleted a few seconds after the last plot (misses from a scanning radar, in seconds)
  EXPECT_LT(deleted_t - (kT0 + 30), 10.0);
  EXPECT_GT(tracker.stats().tracks_deleted, 0u);
}

TEST(Tracker, ClutterAloneConfirmsNothing) {
  const Site site = test_site();
  Scene scene(site, 4);
  std::vector<Detection> dets;
  for (int k = 0; k < 600; ++k) {
    scene.clutter("radar-a", kT0 + k, 1, dets);  // the site declares 0.5 per scan; twice that
    scene.clutter("radar-b", kT0 + k, 1, dets);
  }
  by_time(dets);
  Tracker tracker = make(site);
  const auto updates = run(tracker, dets);
  EXPECT_LE(confirmed_ids(updates).size(), 1u);
  EXPECT_GT(tracker.stats().tracks_started, 500u);
}

// Runs a clean walker scene, then the same with every kind of bad input mixed in: each bad report
// is counted under its reason (and its sensor), and the tracks are exactly those of the clean run.
TEST(Tracker, BadInputIsCountedAndNeverPoisonsATrack) {
  const Site site = test_site();
  Scene scene(site, 6);
  const Walker w{"w", {-100, 50}, {1.1, 0.4}, kT0, 1e18, 0};
  std::vector<Detection> clean;
  for (int k = 0; k < 40; ++k)
    scene.radar("radar-a", w, kT0 + k, 0.95, clean);
  by_time(clean);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  // the corrupted twin of report i, sent right after it
  auto corrupt = [&](std::size_t i) {
    Detection bad = clean[i];
    switch (i % 8) {
      case 0:
        std::get<PolarMeasurement>(bad.measurement).range = nan;
        break;
      case 1:
        bad.measurement = EnuMeasurement{inf, 3, {}};
        bad.sensor = "cam";
        break;
      case 2:
        bad.sensor = "no-such-radar";
        break;
      case 3:
        bad.t -= 5;  // time going backwards, beyond the reorder window
        break;
      case 4:
        bad.t += 1e6;  // one report from a clock eleven days ahead
        break;
      case 5:
        bad.t = nan;
        break;
      case 6:
        bad.measurement = SegmentMeasurement{99, ""};  // the fence has 40 segments
        bad.sensor = "fence-a";
        break;
      default:
        bad.sigma_range = -inf;
        break;
    }
    return bad;
  };
  auto params = default_params();
  params.max_rate_hz = 1000;
  Tracker a = make(site, params), b = make(site, params);
  const auto ua = run(a, clean);
  std::vector<TrackState> ub;
  std::uint64_t ref = 0;
  std::size_t fi = 0;
  for (std::size_t i = 0; i < clean.size(); ++i) {
    // a sensor flooding: 100,000 reports in one second from radar-b, in time order
    while (fi < 100000 && kT0 + 20 + static_cast<double>(fi) * 1e-5 <= clean[i].t) {
      Detection f;
      f.sensor = "radar-b";
      f.t = kT0 + 20 + static_cast<double>(fi) * 1e-5;
      f.measurement = PolarMeasurement{1450, deg2rad(10), std::nullopt};
      b.push(f, 2000000 + fi);
      ++fi;
    }
    b.push(clean[i], ++ref);
    b.push(corrupt(i), 1000000 + i);
    for (const auto& s : b.updates())
      ub.push_back(s);
    b.clear_updates();
  }
  b.flush();
  for (const auto& s : b.updates())
    ub.push_back(s);
  const auto& st = b.stats();
  EXPECT_GE(st.rejected[static_cast<size_t>(Rejection::non_finite)], 15u);
  EXPECT_GE(st.rejected[static_cast<size_t>(Rejection::unknown_sensor)], 4u);
  EXPECT_GE(st.rejected[static_cast<size_t>(Rejection::late)], 4u);
  EXPECT_GE(st.rejected[static_cast<size_t>(Rejection::time_jump)], 4u);
  EXPECT_GE(st.rejected[static_cast<size_t>(Rejection::bad_geometry)], 4u);
  EXPECT_GT(st.rejected[static_cast<size_t>(Rejection::flood)], 90000u);
  EXPECT_EQ(st.sensors[1].rejected[static_cast<size_t>(Rejection::flood)],
            st.rejected[static_cast<size_t>(Rejection::flood)]);
  EXPECT_EQ(st.time_resyncs, 0u);  // single reports ahead never move the clock
  ASSERT_FALSE(st.samples.empty());
  std::set<Rejection> sampled;
  for (const auto& s : st.samples)
    sampled.insert(s.reason);
  EXPECT_GE(sampled.size(), 6u);
  // the walker's track is exactly the clean run's (the flood, from far away, may make a track
  // of its own: radar-b insists something is there)
  auto walker_track = [&](const std::vector<TrackState>& u) {
    std::vector<TrackState> out;
    std::uint64_t id = 0;
    for (const auto& s : u) {
      if (s.status == TrackStatus::confirmed &&
          (s.position.head<2>() - (w.p + (s.t - kT0) * w.v)).norm() < 20) {
        id = s.id;
        break;
      }
    }
    EXPECT_NE(id, 0u);
    for (const auto& s : u)
      if (s.id == id) out.push_back(s);
    return out;
  };
  const auto ta = walker_track(ua), tb = walker_track(ub);
  ASSERT_EQ(ta.size(), tb.size());
  ASSERT_FALSE(ta.empty());
  for (std::size_t i = 0; i < ta.size(); ++i) {
    EXPECT_EQ(ta[i].t, tb[i].t);
    EXPECT_EQ(ta[i].position, tb[i].position);
    EXPECT_EQ(ta[i].position_cov, tb[i].position_cov);
    EXPECT_TRUE(tb[i].position.allFinite());
  }
}

// Every number a detection carries, made NaN, +inf and -inf in turn, on every kind of
// measurement: each report is one counted non_finite rejection with a sample naming the field,
// nothing else is counted, and no track is started or updated.
TEST(Tracker, EveryNonFiniteFieldIsRejected) {
  const Site site = test_site();
  const double bad[] = {std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::infinity(),
                        -std::numeric_limits<double>::infinity()};
  std::vector<std::function<void(Detection&, double)>> corrupt = {
      [](Detection& d, double v) { d.t = v; },
      [](Detection& d, double v) { std::get<PolarMeasurement>(d.measurement).range = v; },
      [](Detection& d, double v) { std::get<PolarMeasurement>(d.measurement).bearing = v; },
      [](Detection& d, double v) { std::get<PolarMeasurement>(d.measurement).elevation = v; },
      [](Detection& d, double v) { d.sigma_range = v; },
      [](Detection& d, double v) { d.sigma_bearing = v; },
      [](Detection& d, double v) { d.sigma_elevation = v; },
      [](Detection& d, double v) { d.doppler = v; },
      [](Detection& d, double v) { d.score = v; },
      [](Detection& d, double v) {
        d.measurement = EnuMeasurement{v, 10, {}};
      },
      [](Detection& d, double v) {
        d.measurement = EnuMeasurement{10, v, {}};
      },
      [](Detection& d, double v) {
        d.measurement = EnuMeasurement{10, 10, v};
      },
      [](Detection& d, double v) {
        d.measurement = EnuMeasurement{10, 10, {}};
        d.sigma = v;
      },
      [](Detection& d, double v) {
        d.measurement = GeodeticMeasurement{v, -1.0, {}};
      },
      [](Detection& d, double v) {
        d.measurement = GeodeticMeasurement{52.1, v, {}};
      },
      [](Detection& d, double v) {
        d.measurement = GeodeticMeasurement{52.1, -1.0, v};
      },
  };
  Tracker tracker = make(site);
  std::uint64_t ref = 0;
  for (const auto& c : corrupt) {
    for (double v : bad) {
      for (int k = 0; k < 3; ++k) {  // three scans: enough to start and confirm a track
        Detection d;
        d.sensor = "radar-a";
        d.t = kT0 + static_cast<double>(ref);
        d.measurement = PolarMeasurement{300, deg2rad(45), std::nullopt};
        c(d, v);
        if (!std::holds_alternative<PolarMeasurement>(d.measurement)) d.sensor = "cam";
        tracker.push(d, ++ref);
      }
    }
  }
  tracker.flush();
  const auto& st = tracker.stats();
  EXPECT_EQ(st.received, ref);
  EXPECT_EQ(st.rejected[static_cast<size_t>(Rejection::non_finite)], ref);
  EXPECT_EQ(st.rejected_total(), ref);
  EXPECT_EQ(st.accepted, 0u);
  EXPECT_EQ(st.tracks_started, 0u);
  EXPECT_EQ(tracker.live_tracks(), 0u);
  EXPECT_TRUE(tracker.updates().empty());
  ASSERT_EQ(st.samples.size(), static_cast<size_t>(TrackerStats::kSamplesPerReason));
  for (const auto& s : st.samples) {
    EXPECT_EQ(s.reason, Rejection::non_finite);
    EXPECT_NE(s.detail.find("not finite"), std::string::npos) << s.detail;
    EXPECT_GT(s.ref, 0u);
  }
}

TEST(Tracker, AWholeFeedJumpingAheadIsFollowed) {
  // A recording with a gap: every report after it is hours later. Three consecutive reports
  // agreeing on the new time move the clock; the walker is tracked again after the gap.
  const Site site = test_site();
  Scene scene(site, 7);
  const Walker w{"w", {0, 100}, {1, 0}, kT0, 1e18, 0};
  const Walker later{"w", {0, 100}, {1, 0}, kT0 + 7200, 1e18, 0};
  std::vector<Detection> dets;
  for (int k = 0; k < 20; ++k)
    scene.radar("radar-a", w, kT0 + k, 1.0, dets);
  for (int k = 0; k < 20; ++k)
    scene.radar("radar-a", later, kT0 + 7200 + k, 1.0, dets);
  by_time(dets);
  Tracker tracker = make(site);
  const auto updates = run(tracker, dets);
  EXPECT_EQ(tracker.stats().time_resyncs, 1u);
  EXPECT_EQ(tracker.stats().rejected[static_cast<size_t>(Rejection::time_jump)], 2u);
  EXPECT_EQ(confirmed_ids(updates).size(), 2u);
}

TEST(Tracker, ReorderWindowAbsorbsSmallDisorder) {
  const Site site = test_site();
  Scene scene(site, 8);
  const Walker w{"w", {0, 0}, {1, 1}, kT0, 1e18, 0};
  std::vector<Detection> dets;
  for (int k = 0; k < 30; ++k) {
    scene.radar("radar-a", w, kT0 + k, 1.0, dets);
    for (int f = 0; f < 5; ++f)
      scene.camera("cam", Walker{"w", {0, -150}, {0, 1}, kT0, 1e18, 0}, kT0 + k + 0.2 * f, 2, dets);
  }
  by_time(dets);
  // swap neighbours within 0.3 s: arrival order differs, time order does not
  std::vector<Detection> shuffled = dets;
  for (std::size_t i = 0; i + 1 < shuffled.size(); i += 2) {
    if (shuffled[i + 1].t - shuffled[i].t < 0.3) std::swap(shuffled[i], shuffled[i + 1]);
  }
  Tracker a = make(site), b = make(site);
  const auto ua = run(a, dets), ub = run(b, shuffled);
  ASSERT_EQ(ua.size(), ub.size());
  for (std::size_t i = 0; i < ua.size(); ++i) {
    EXPECT_EQ(ua[i].id, ub[i].id);
    EXPECT_EQ(ua[i].position, ub[i].position);
  }
  EXPECT_EQ(b.stats().rejected[static_cast<size_t>(Rejection::late)], 0u);
}

TEST(Tracker, FenceReportIsEvidenceForANearbyTrack) {
  const Site site = test_site();
  Scene scene(site, 9);
  // a walker crossing the south fence (north = -200) at east = 20, segment 1 runs from
  // east -300 to -250, so east 20 is on segment 7 (from -0 ... ): find it from the site
  const Walker w{"w", {20, -260}, {0, 1.2}, kT0, 1e18, 0};
  const Fence* fence = site.find_fence("perimeter");
  const int segment = fence->nearest(Vec2(20, -200)).segment;
  std::vector<Detection> dets;
  for (int k = 0; k < 60; ++k)
    scene.radar("radar-a", w, kT0 + k, 1.0, dets);
  Detection f;
  f.sensor = "fence-a";
  f.t = kT0 + 50.3;  // at the crossing
  f.measurement = SegmentMeasurement{segment, ""};
  dets.push_back(f);
  Detection far = f;  // a fence alarm on the far side, nowhere near a track
  far.t = kT0 + 52.1;
  far.measurement = SegmentMeasurement{fence->nearest(Vec2(290, 150)).segment, ""};
  dets.push_back(far);
  by_time(dets);
  Tracker tracker = make(site);
  const auto updates = run(tracker, dets);
  ASSERT_EQ(confirmed_ids(updates).size(), 1u);
  bool fence_seen = false;
  for (const auto& s : updates) {
    if (s.detection_sensor == "fence-a") {
      fence_seen = true;
      EXPECT_NE(std::find(s.sensors.begin(), s.sensors.end(), "fence-a"), s.sensors.end());
    }
  }
  EXPECT_TRUE(fence_seen);
  const auto& fs = tracker.stats().sensors[3];
  EXPECT_EQ(fs.associated, 1u);
  EXPECT_EQ(fs.unassociated, 1u);  // fence sensors do not start tracks
  EXPECT_EQ(fs.started, 0u);
}

TEST(Tracker, ElevatedReportsMakeAnAirTrack) {
  const Site site = test_site();
  Scene scene(site, 10);
  const Walker drone{"d", {-100, 400}, {6, -2}, kT0, 1e18, 250};
  std::vector<Detection> dets;
  for (int k = 0; k < 40; ++k)
    scene.radar("radar-a", drone, kT0 + k, 1.0, dets, true);
  by_time(dets);
  Tracker tracker = make(site);
  const auto updates = run(tracker, dets);
  ASSERT_EQ(confirmed_ids(updates).size(), 1u);
  const auto& last = updates.back();
  EXPECT_TRUE(last.air);
  EXPECT_NEAR(last.position.z(), 250, 30);
  // a ground track would be "person", "vehicle" or "animal"; nothing on the ground is 250 m up
  EXPECT_TRUE(last.cls == TargetClass::aircraft || last.cls == TargetClass::drone ||
              last.cls == TargetClass::unknown);
}

TEST(Tracker, CameraClassReportsMakeAPerson) {
  const Site site = test_site();
  Scene scene(site, 12);
  const Walker w{"w", {-20, -350}, {0.3, 1.0}, kT0, 1e18, 0};
  std::vector<Detection> dets;
  for (int k = 0; k < 20; ++k)
    for (int f = 0; f < 5; ++f)
      scene.camera("cam", w, kT0 + k + 0.2 * f, 2.5, dets, TargetClass::person);
  by_time(dets);
  Tracker tracker = make(site);
  const auto updates = run(tracker, dets);
  ASSERT_FALSE(updates.empty());
  EXPECT_EQ(updates.back().cls, TargetClass::person);
  EXPECT_GT(updates.back().class_p, 0.95);
}

TEST(Tracker, JpdaTracksAWalkerInClutter) {
  const Site site = test_site();
  Scene scene(site, 13);
  const Walker w{"w", {150, -100}, {-1, 0.8}, kT0, 1e18, 0};
  std::vector<Detection> dets;
  for (int k = 0; k < 60; ++k) {
    scene.radar("radar-a", w, kT0 + k, 0.9, dets);
    scene.clutter("radar-a", kT0 + k, 1, dets);
  }
  by_time(dets);
  auto p = default_params();
  p.association = Association::jpda;
  Tracker tracker = make(site, p);
  const auto updates = run(tracker, dets);
  std::vector<TrackState> pic;
  tracker.snapshot(kT0 + 60, pic);
  ASSERT_EQ(pic.size(), 1u);
  EXPECT_LT((pic[0].position.head<2>() - (w.p + 60 * w.v)).norm(), 10.0);
}

// A crowded border under JPDA: tracks whose every candidate report is almost surely another
// track's (association probability below the 1e-4 floor of the update). Such a track used to be
// updated with no measurement at all, reading past an empty list (a crash at the 300-target
// border of bench/track.cpp); it must take its most probable report, weighted as it is.
TEST(Tracker, JpdaTrackWhoseCandidatesAreAllImprobable) {
  Site site;
  site.name = "border";
  site.frame = LocalFrame(site.origin);
  const double length = 300 * 40.0;
  for (int i = 0; i < 4; ++i) {
    SensorDef s;
    s.id = "radar-" + std::to_string(i);
    s.type = SensorType::radar;
    s.enu = Enu((i + 0.5) * 3000, -300, 8);
    s.max_range_m = 2000;
    s.min_range_m = 10;
    s.noise.range_m = 2;
    s.noise.bearing_rad = deg2rad(0.3);
    s.pd = 0.9;
    s.update_rate_hz = 1;
    s.false_alarm_rate = 0.1 * 300 / 4 * 3600;
    site.sensors.push_back(s);
    site.sensor_by_id.emplace(s.id, i);
  }
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u01(0, 1);
  std::normal_distribution<double> g(0, 1);
  std::vector<double> phase(4);
  for (auto& ph : phase)
    ph = u01(rng);
  struct Target {
    double x, y, vx, vy;
  };
  std::vector<Target> targets;
  for (int i = 0; i < 300; ++i)
    targets.push_back({u01(rng) * length, u01(rng) * 400, g(rng), g(rng)});
  auto p = default_params();
  p.association = Association::jpda;
  p.max_rate_hz = 1e9;
  Tracker tracker = make(site, p);
  std::vector<Detection> dets;
  auto plot = [&](double x, double y, int r, double t) {
    const auto& s = site.sensors[static_cast<size_t>(r)];
    const double dx = x - s.enu.x(), dy = y - s.enu.y();
    const double range = std::sqrt(dx * dx + dy * dy + s.enu.z() * s.enu.z());
    const double bearing = std::atan2(dx, dy);
    Detection d;
    d.sensor = s.id;
    d.t = t + wrap_2pi(bearing - 2 * kPi * phase[static_cast<size_t>(r)]) / (2 * kPi);
    d.measurement = PolarMeasurement{range + 2 * g(rng), wrap_2pi(bearing + deg2rad(0.3) * g(rng)),
                                     std::nullopt};
    dets.push_back(d);
  };
  std::uint64_t ref = 0;
  for (int k = 0; k < 25; ++k) {
    dets.clear();
    for (auto& tg : targets) {
      tg.vx += std::sqrt(0.5) * g(rng);
      tg.vy += std::sqrt(0.5) * g(rng);
      const double sp = std::hypot(tg.vx, tg.vy);
      if (sp > 2.5) {
        tg.vx *= 2.5 / sp;
        tg.vy *= 2.5 / sp;
      }
      tg.x += tg.vx;
      tg.y += tg.vy;
      if (tg.y < 0 || tg.y > 400) tg.vy = -tg.vy;
      if (tg.x < 0 || tg.x > length) tg.vx = -tg.vx;
      for (int r = 0; r < 4; ++r) {
        const auto& s = site.sensors[static_cast<size_t>(r)];
        if (std::hypot(tg.x - s.enu.x(), tg.y - s.enu.y()) < 1999 && u01(rng) < 0.9)
          plot(tg.x, tg.y, r, kT0 + k);
      }
    }
    for (int i = 0; i < 30; ++i) {
      const double x = u01(rng) * length;
      plot(x, u01(rng) * 400, std::clamp(static_cast<int>(x / 3000), 0, 3), kT0 + k);
    }
    by_time(dets);
    for (const auto& d : dets)
      tracker.push(d, ++ref);
    for (const auto& u : tracker.updates())
      ASSERT_TRUE(u.position.allFinite());
    tracker.clear_updates();
  }
  tracker.flush();
  std::vector<TrackState> pic;
  tracker.snapshot(kT0 + 25, pic);
  EXPECT_GT(pic.size(), 250u);
  EXPECT_LT(pic.size(), 330u);
}

TEST(Tracker, IsDeterministic) {
  const Site site = test_site();
  std::vector<Detection> dets;
  Scene scene(site, 14);
  for (int k = 0; k < 100; ++k) {
    scene.radar("radar-a", Walker{"w", {0, 0}, {1, -1}, kT0, 1e18, 0}, kT0 + k, 0.9, dets);
    scene.clutter("radar-a", kT0 + k, 2, dets);
    scene.clutter("radar-b", kT0 + k, 2, dets);
  }
  by_time(dets);
  Tracker a = make(site), b = make(site);
  const auto ua = run(a, dets), ub = run(b, dets);
  ASSERT_EQ(ua.size(), ub.size());
  for (std::size_t i = 0; i < ua.size(); ++i) {
    EXPECT_EQ(ua[i].id, ub[i].id);
    EXPECT_EQ(ua[i].t, ub[i].t);
    EXPECT_EQ(ua[i].position, ub[i].position);
  }
}

TEST(Params, StrictSectionWithPlacesInTheErrors) {
  const Site ok = test_site(R"(
tracker:
  motion: {model: cv, turn_rate: 10}
  association: {method: jpda, gate_probability: 0.999}
  classes: {person: {process_noise: 0.3, max_speed: 7}}
  existence: {confirm: 0.9, delete: 0.05}
  lifecycle: {coast_after: 2, max_coast: 20}
)");
  auto p = params_from_site(ok);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->motion, MotionModel::cv);
  EXPECT_EQ(p->association, Association::jpda);
  EXPECT_NEAR(p->turn_rate_rad_s, deg2rad(10), 1e-12);
  EXPECT_DOUBLE_EQ(p->classes[0].process_noise, 0.3);
  EXPECT_DOUBLE_EQ(p->confirm_existence, 0.9);
  EXPECT_DOUBLE_EQ(p->max_coast_s, 20);

  const Site bad = test_site(R"(
tracker:
  motion: {model: kalman}
  lifecycle: {coast_aftr: 2}
  existence: {confirm: 2}
)");
  auto e = params_from_site(bad);
  ASSERT_FALSE(e.ok());
  const std::string m = e.error().message();
  EXPECT_NE(m.find("test.yaml:"), std::string::npos) << m;
  EXPECT_NE(m.find("tracker.motion.model"), std::string::npos) << m;
  EXPECT_NE(m.find("coast_aftr"), std::string::npos) << m;
  EXPECT_NE(m.find("tracker.existence.confirm"), std::string::npos) << m;
  // no section: the documented defaults
  auto d = params_from_site(test_site());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->motion, MotionModel::imm);
}

}  // namespace
}  // namespace picket::track

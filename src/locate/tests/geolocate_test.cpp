#include "picket/locate/geolocate.h"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cstdlib>
#include <fstream>
#include <random>

#include "picket/core/units.h"
#include "picket/locate/point_event.h"
#include "picket/locate/pose_feed.h"
#include "sanitized.h"

namespace picket::locate {
namespace {

const std::string kData = std::string(PICKET_SOURCE_DIR) + "/tests/data/dem/";

// --- Pointing conventions -------------------------------------------------------------------

TEST(Pointing, BoresightDirections) {
  const PinholeCamera cam = PinholeCamera::from_fov(1280, 720, deg2rad(30));
  const double cu = 640, cv = 360;
  const Attitude level{0, 0, 0};
  // Tilt -90: straight down.
  EXPECT_TRUE(pixel_ray(level, Gimbal{0, deg2rad(-90)}, cam, cu, cv).isApprox(Enu(0, 0, -1), 1e-9));
  // Heading north, no pan, no tilt: north. Pan 90 right: east.
  EXPECT_TRUE(pixel_ray(level, Gimbal{0, 0}, cam, cu, cv).isApprox(Enu(0, 1, 0), 1e-9));
  EXPECT_TRUE(pixel_ray(level, Gimbal{deg2rad(90), 0}, cam, cu, cv).isApprox(Enu(1, 0, 0), 1e-9));
  // Heading east (yaw 90), tilt up 10 degrees.
  const Enu r = pixel_ray(Attitude{deg2rad(90), 0, 0}, Gimbal{0, deg2rad(10)}, cam, cu, cv);
  EXPECT_TRUE(r.isApprox(Enu(std::cos(deg2rad(10)), 0, std::sin(deg2rad(10))), 1e-9));
  // Nose up 5 degrees adds to the tilt; roll right 90 turns "up" in the body into east for a
  // northward platform.
  EXPECT_NEAR(pixel_ray(Attitude{0, deg2rad(5), 0}, Gimbal{0, deg2rad(10)}, cam, cu, cv).z(),
              std::sin(deg2rad(15)), 1e-9);
  EXPECT_TRUE(pixel_ray(Attitude{0, 0, deg2rad(90)}, Gimbal{0, deg2rad(90)}, cam, cu, cv)
                  .isApprox(Enu(1, 0, 0), 1e-9));
  // A pixel right of centre looks right of the boresight; below centre, below it.
  const Enu right = pixel_ray(level, Gimbal{0, 0}, cam, cu + 100, cv);
  EXPECT_GT(right.x(), 0);
  const Enu low = pixel_ray(level, Gimbal{0, 0}, cam, cu, cv + 100);
  EXPECT_LT(low.z(), 0);
}

TEST(Pointing, ProjectInvertsPixelRay) {
  const PinholeCamera cam = PinholeCamera::from_fov(1920, 1080, deg2rad(20));
  const Attitude att{deg2rad(33), deg2rad(2), deg2rad(-3)};
  const Gimbal g{deg2rad(-40), deg2rad(-35)};
  const Enu pos(10, 20, 500);
  for (double u : {0.0, 333.0, 1919.0})
    for (double v : {0.0, 540.0, 1079.0}) {
      const Enu p = pos + 1234.5 * pixel_ray(att, g, cam, u, v);
      const auto px = project(pos, att, g, cam, p);
      ASSERT_TRUE(px);
      EXPECT_NEAR(px->x(), u, 1e-6);
      EXPECT_NEAR(px->y(), v, 1e-6);
    }
  EXPECT_FALSE(project(pos, att, g, cam, pos - 100 * pixel_ray(att, g, cam, 960, 540)));
  const Attitude back = attitude_from(body_to_enu(att));
  EXPECT_NEAR(back.yaw, att.yaw, 1e-12);
  EXPECT_NEAR(back.pitch, att.pitch, 1e-12);
  EXPECT_NEAR(back.roll, att.roll, 1e-12);
}

TEST(Geolocate, FootprintStraightDownOverFlatGround) {
  const auto flat = terrain::Terrain::flat(LocalFrame(Geodetic{52, 0, 0}));
  PoseSample pose;
  pose.position = Enu(0, 0, 500);
  const PinholeCamera cam = PinholeCamera::from_fov(1000, 1000, deg2rad(60));
  const auto fp = footprint(pose, Gimbal{0, deg2rad(-90)}, cam, flat);
  ASSERT_EQ(fp.size(), 4u);
  const double half = 500 * std::tan(deg2rad(30));  // 288.7 m
  for (const auto& p : fp) {
    EXPECT_NEAR(std::abs(p.x()), half, 0.2);
    EXPECT_NEAR(std::abs(p.y()), half, 0.2);
  }
  // A pixel straight down: 500 m away, GSD = range / fx.
  const auto fix = geolocate(pose, Gimbal{0, deg2rad(-90)}, cam, PixelObservation{500, 500, 1},
                             flat, GeolocateOptions{});
  ASSERT_EQ(fix.quality, FixQuality::good);
  EXPECT_NEAR(fix.slant_range_m, 500, 0.02);
  EXPECT_NEAR(fix.gsd_m, 500 / cam.fx, 1e-3);
  // Looking at the sky: no ground.
  const auto sky = geolocate(pose, Gimbal{0, deg2rad(10)}, cam, PixelObservation{500, 500, 1}, flat,
                             GeolocateOptions{});
  EXPECT_EQ(sky.quality, FixQuality::no_ground);
  EXPECT_NE(sky.message.find("does not meet the known ground"), std::string::npos);
}

// --- Acceptance: NEES over a real DEM -------------------------------------------------------
//
// A synthetic aerostat 500 m above a real DEM (dfw_crop.tif) swaying on its tether looks at
// random pixels; the true ground points are where the true rays meet the true ground (the DEM
// raised by an unknown height error). Pose, attitude, gimbal and pixel are measured with noise
// of the stated sigmas, and each fix's covariance must describe its error: the average
// normalised estimation error squared (horizontal, 2 degrees of freedom) over N fixes, times N,
// is chi-square with 2N degrees of freedom; it must lie inside the two-sided 95% interval
// (Bar-Shalom, Li and Kirubarajan, Estimation with Applications to Tracking and Navigation,
// section 5.4.2).

struct NeesRun {
  double sum_nees = 0;
  int n = 0;
  int misses = 0;
  std::vector<double> errors;
};

NeesRun run_nees(const terrain::Terrain& dem, unsigned seed, int count) {
  const PinholeCamera cam = PinholeCamera::from_fov(1280, 720, deg2rad(20));
  PoseSigma sig;
  sig.horizontal_m = 2;
  sig.vertical_m = 3;
  sig.attitude_rad = deg2rad(0.2);
  sig.gimbal_rad = deg2rad(0.1);
  GeolocateOptions opts;
  opts.height_sigma_m = 5;
  const double px_sigma = 1.0;
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0, 1);
  std::uniform_real_distribution<double> uni(0, 1);
  const Enu anchor(0, 0, *dem.height(0, 0) + 500);
  NeesRun run;
  while (run.n < count) {
    // True pose: drifted and swaying on the tether.
    PoseSample truth;
    truth.position = anchor + Enu(20 * z(rng), 20 * z(rng), 5 * z(rng));
    truth.attitude = Attitude{2 * kPi * uni(rng), deg2rad(3) * z(rng), deg2rad(3) * z(rng)};
    const Gimbal g_true{2 * kPi * uni(rng), deg2rad(-20 - 40 * uni(rng))};
    const double u = cam.width * uni(rng), v = cam.height * uni(rng);
    const double dh = opts.height_sigma_m * z(rng);
    const auto hit = dem.cast_ray(truth.position, pixel_ray(truth.attitude, g_true, cam, u, v),
                                  opts.max_range_m, dh);
    if (!hit) {
      ++run.misses;
      continue;
    }
    // Measurements.
    PoseSample meas = truth;
    meas.sigma = sig;
    meas.position +=
        Enu(sig.horizontal_m * z(rng), sig.horizontal_m * z(rng), sig.vertical_m * z(rng));
    meas.attitude.yaw += sig.attitude_rad * z(rng);
    meas.attitude.pitch += sig.attitude_rad * z(rng);
    meas.attitude.roll += sig.attitude_rad * z(rng);
    const Gimbal g_meas{g_true.pan + sig.gimbal_rad * z(rng),
                        g_true.tilt + sig.gimbal_rad * z(rng)};
    const PixelObservation px{u + px_sigma * z(rng), v + px_sigma * z(rng), px_sigma};
    const GroundFix fix = geolocate(meas, g_meas, cam, px, dem, opts);
    if (fix.quality != FixQuality::good) {
      ++run.misses;
      continue;
    }
    const Eigen::Vector2d err = (fix.position - hit->point).head<2>();
    run.sum_nees += err.dot(fix.cov.topLeftCorner<2, 2>().inverse() * err);
    run.errors.push_back(err.norm());
    ++run.n;
  }
  std::sort(run.errors.begin(), run.errors.end());
  return run;
}

Result<terrain::Terrain> real_dem() {
  const LocalFrame frame(Geodetic{32.7967, -97.41, 150});
  terrain::TerrainConfig tc;
  tc.dem = {kData + "dfw_crop.tif"};
  tc.resolution_m = 10;
  const Box2 box{Vec2(-2100, -2100), Vec2(2100, 2100)};
  return terrain::load_terrain(tc, frame, box, box);
}

TEST(Geolocate, NeesConsistentOverRealDemAt95Percent) {
  auto dem = real_dem();
  ASSERT_TRUE(dem.ok()) << dem.error().message();
  const NeesRun r = run_nees(*dem, 2024, picket::testing::samples(400));
  const double lo = chi2_quantile(0.025, 2 * r.n), hi = chi2_quantile(0.975, 2 * r.n);
  EXPECT_GT(r.sum_nees, lo);
  EXPECT_LT(r.sum_nees, hi);
  EXPECT_LT(r.misses, r.n / 10);
  RecordProperty("anees", std::to_string(r.sum_nees / r.n));
  RecordProperty("median_error_m", std::to_string(r.errors[r.errors.size() / 2]));
  std::cout << "ANEES " << r.sum_nees / r.n << " (95% interval " << lo / r.n << " .. " << hi / r.n
            << "), median horizontal error " << r.errors[r.errors.size() / 2] << " m, 90% "
            << r.errors[r.errors.size() * 9 / 10] << " m\n";
  // PICKET_NEES_SEEDS=N runs N more seeds and prints their ANEES (for docs/locate.md).
  if (const char* env = std::getenv("PICKET_NEES_SEEDS")) {
    int pass = 0;
    const int seeds = std::atoi(env);
    for (int s = 1; s <= seeds; ++s) {
      const NeesRun x = run_nees(*dem, static_cast<unsigned>(s), 400);
      const bool ok =
          x.sum_nees > chi2_quantile(0.025, 2 * x.n) && x.sum_nees < chi2_quantile(0.975, 2 * x.n);
      pass += ok ? 1 : 0;
      std::cout << "seed " << s << " ANEES " << x.sum_nees / x.n << (ok ? "" : "  outside") << "\n";
    }
    std::cout << pass << " of " << seeds << " seeds inside the 95% interval\n";
  }
}

TEST(Geolocate, OverconfidentSigmasFailTheNeesTest) {
  // The same test must fail when the stated sigmas understate the real errors (halved): the
  // consistency check is not vacuous.
  const auto flat = terrain::Terrain::flat(LocalFrame(Geodetic{32.8, -97.4, 150}));
  const PinholeCamera cam = PinholeCamera::from_fov(1280, 720, deg2rad(20));
  PoseSample truth;
  truth.position = Enu(0, 0, 500);
  PoseSigma real;
  real.attitude_rad = deg2rad(0.2);
  PoseSigma stated = real;
  stated.horizontal_m /= 2;
  stated.vertical_m /= 2;
  stated.attitude_rad /= 2;
  stated.gimbal_rad /= 2;
  std::mt19937 rng(1);
  std::normal_distribution<double> z(0, 1);
  double sum = 0;
  const int n = picket::testing::samples(200);
  for (int i = 0; i < n; ++i) {
    const Gimbal g{0.03 * i, deg2rad(-40)};
    const auto hit =
        flat.cast_ray(truth.position, pixel_ray(truth.attitude, g, cam, 640, 360), 2e4);
    ASSERT_TRUE(hit);
    PoseSample meas = truth;
    meas.sigma = stated;
    meas.position +=
        Enu(real.horizontal_m * z(rng), real.horizontal_m * z(rng), real.vertical_m * z(rng));
    meas.attitude.yaw += real.attitude_rad * z(rng);
    meas.attitude.pitch += real.attitude_rad * z(rng);
    const Gimbal gm{g.pan + real.gimbal_rad * z(rng), g.tilt + real.gimbal_rad * z(rng)};
    GeolocateOptions o;
    o.height_sigma_m = 0.01;
    const auto fix = geolocate(meas, gm, cam, PixelObservation{640, 360, 0.01}, flat, o);
    const Eigen::Vector2d e = (fix.position - hit->point).head<2>();
    sum += e.dot(fix.cov.topLeftCorner<2, 2>().inverse() * e);
  }
  EXPECT_GT(sum, chi2_quantile(0.975, 2 * n));
}

// --- Pose feed ------------------------------------------------------------------------------

PoseSample sample(double t, double e, double yaw_deg, std::size_t line) {
  PoseSample s;
  s.t = t;
  s.position = Enu(e, 0, 500);
  s.attitude = Attitude{deg2rad(yaw_deg), 0, 0};
  s.gimbal = Gimbal{0, deg2rad(-45)};
  s.line = line;
  return s;
}

TEST(PoseFeed, GapsJumpsAndOrderAreFoundAndMarked) {
  std::vector<PoseSample> s;
  std::size_t line = 1;
  for (int i = 0; i <= 10; ++i)
    s.push_back(sample(100 + 0.1 * i, 0.1 * i, 10, line++));  // 10 Hz
  s.push_back(sample(104, 0.5, 10, line++));                  // a 3 s gap
  s.push_back(sample(104.1, 0.6, 10, line++));
  s.push_back(sample(104.05, 0.6, 10, line++));  // out of order
  s.push_back(sample(104.2, 80, 10, line++));    // an 80 m jump in 0.1 s
  s.push_back(sample(104.3, 80.1, 10, line++));
  s.push_back(sample(104.4, 80.2, 95, line++));  // an 85 degree turn in 0.1 s
  const PoseFeed feed = PoseFeed::from_samples(s, PoseFeedConfig{});
  const FeedReport& r = feed.report();
  EXPECT_EQ(r.samples, 16u);
  EXPECT_EQ(r.out_of_order, 1u);
  EXPECT_NEAR(r.median_interval_s, 0.1, 1e-9);
  EXPECT_NEAR(r.max_gap_s, 0.5, 1e-9);
  ASSERT_EQ(r.gaps.size(), 1u);
  EXPECT_NEAR(r.gaps[0].t0, 101, 1e-9);
  EXPECT_EQ(r.gaps[0].line, 12u);
  ASSERT_EQ(r.jumps.size(), 2u);
  EXPECT_NEAR(r.jumps[0].distance_m, 79.4, 1e-6);
  EXPECT_NEAR(rad2deg(r.jumps[1].turn_rad), 85, 1e-6);
  const auto text = r.summary();
  ASSERT_EQ(text.size(), 4u);
  EXPECT_NE(text[0].find("gap of 3.00 s before line 12"), std::string::npos) << text[0];

  // Interpolation between good samples.
  PoseAt p = feed.at(100.25);
  EXPECT_EQ(p.quality, PoseQuality::good);
  EXPECT_NEAR(p.pose.position.x(), 0.25, 1e-9);
  EXPECT_NEAR(p.pose.sigma.horizontal_m, PoseSigma{}.horizontal_m, 1e-12);
  // Inside the gap: marked, uncertainty grown with the 1.5 s to the nearest sample.
  p = feed.at(102.5);
  EXPECT_EQ(p.quality, PoseQuality::in_gap);
  EXPECT_NEAR(p.pose.sigma.horizontal_m, std::hypot(2.0, 1.5), 1e-9);
  EXPECT_NE(p.message.find("gap"), std::string::npos);
  // Across the jump: nearest sample, marked.
  p = feed.at(104.16);
  EXPECT_EQ(p.quality, PoseQuality::across_jump);
  EXPECT_NEAR(p.pose.position.x(), 80, 1e-9);
  // Slerp halfway through a legal turn.
  std::vector<PoseSample> turn{sample(0, 0, 350, 1), sample(1, 0, 10, 2)};
  const PoseFeed tf = PoseFeed::from_samples(turn, PoseFeedConfig{});
  EXPECT_TRUE(tf.report().jumps.empty());
  EXPECT_NEAR(wrap_pi(tf.at(0.5).pose.attitude.yaw), 0, 1e-9);
  // Outside the feed.
  EXPECT_EQ(feed.at(99.9).quality, PoseQuality::extrapolated);
  EXPECT_EQ(feed.at(90).quality, PoseQuality::no_pose);
}

TEST(PoseFeed, DegradedPoseGivesDegradedFix) {
  const auto flat = terrain::Terrain::flat(LocalFrame(Geodetic{52, 0, 0}));
  std::vector<PoseSample> s{sample(0, 0, 0, 1), sample(0.1, 0, 0, 2), sample(10, 0, 0, 3),
                            sample(10.1, 0, 0, 4)};
  const PoseFeed feed = PoseFeed::from_samples(s, PoseFeedConfig{});
  const PinholeCamera cam = PinholeCamera::from_fov(1280, 720, deg2rad(20));
  const auto good = geolocate_at(0.05, feed, std::nullopt, cam, PixelObservation{640, 360, 1}, flat,
                                 GeolocateOptions{});
  EXPECT_EQ(good.quality, FixQuality::good);
  const auto gap = geolocate_at(5, feed, std::nullopt, cam, PixelObservation{640, 360, 1}, flat,
                                GeolocateOptions{});
  EXPECT_EQ(gap.quality, FixQuality::degraded);
  EXPECT_NE(gap.message.find("in_gap"), std::string::npos);
  EXPECT_GT(gap.cov.trace(), 5 * good.cov.trace());
  const auto none = geolocate_at(50, feed, std::nullopt, cam, PixelObservation{640, 360, 1}, flat,
                                 GeolocateOptions{});
  EXPECT_EQ(none.quality, FixQuality::no_pose);
}

TEST(PoseFeed, ParsesLinesAndNamesBadFields) {
  auto site = load_site_from_string(
      "name: t\norigin: {lat: 52.1, lon: -1.0, alt: 80}\nsensors:\n"
      "  - {id: aero, type: aerostat, position: {east: 0, north: 0, up: 500}, range: {max: "
      "8000}}\n",
      "t.yaml");
  ASSERT_TRUE(site.ok()) << site.error().message();
  auto ok = parse_pose_sample(
      R"({"t":5,"lat":52.1,"lon":-1.0,"alt":580,"yaw":90,"pitch":1,"roll":-2,"pan":30,"tilt":-40,"sigma_h":1.5})",
      *site, PoseSigma{});
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_NEAR(ok->position.z(), 500, 1e-3);
  EXPECT_NEAR(ok->attitude.yaw, kPi / 2, 1e-12);
  EXPECT_NEAR(ok->gimbal->tilt, deg2rad(-40), 1e-12);
  EXPECT_DOUBLE_EQ(ok->sigma.horizontal_m, 1.5);
  auto err = [&](const char* line) {
    auto r = parse_pose_sample(line, *site, PoseSigma{});
    return r.ok() ? std::string("(ok)") : r.error().message();
  };
  EXPECT_EQ(err(R"({"lat":52.1,"lon":-1,"alt":5,"yaw":0})"), "t: missing");
  EXPECT_EQ(err(R"({"t":1,"lat":52.1,"lon":-1,"yaw":0})"),
            "alt: missing: the platform's altitude is needed");
  EXPECT_EQ(err(R"({"t":1,"east":1,"north":2,"up":3})"),
            "yaw: missing: the platform's heading is required");
  EXPECT_EQ(err(R"({"t":1,"east":1,"north":2,"up":3,"yaw":0,"pan":4})"),
            "tilt: missing: give the gimbal's pan and tilt together");
  EXPECT_EQ(err(R"({"t":1,"east":1,"north":2,"up":3,"yaw":"N"})"), "yaw: expected a number");
  EXPECT_EQ(err(R"({"t":1,"yaw":0})"),
            "lat: missing: a position (lat, lon, alt or east, north, up) is required");
  EXPECT_EQ(err("{nope"), "invalid JSON");
}

}  // namespace
}  // namespace picket::locate

namespace picket::locate {
namespace {

TEST(Pointing, GimbalTowardsPointsTheBoresight) {
  const PinholeCamera cam = PinholeCamera::from_fov(1280, 720, deg2rad(20));
  std::mt19937 rng(12);
  std::uniform_real_distribution<double> a(-kPi, kPi), s(-0.2, 0.2), down(-1.4, 0.3);
  for (int i = 0; i < 200; ++i) {
    const Attitude att{a(rng), s(rng), s(rng)};
    const double az = a(rng), el = down(rng);
    const Enu dir(std::sin(az) * std::cos(el), std::cos(az) * std::cos(el), std::sin(el));
    const Gimbal g = gimbal_towards(att, dir);
    EXPECT_TRUE(pixel_ray(att, g, cam, cam.cx, cam.cy).isApprox(dir, 1e-9));
  }
}

}  // namespace
}  // namespace picket::locate

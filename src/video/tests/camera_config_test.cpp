#include "picket/video/camera_config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "picket/core/units.h"

namespace picket::video {
namespace {

const char* kSite = R"(
name: camera test
origin: [51.4414, -0.9418, 60]
sensors:
  - id: cam-a
    type: camera
    position: {east: 0, north: -20, up: 8}
    orientation: {yaw: 20, pitch: -28}
    fov: {horizontal: 52}
    image: {width: 768, height: 576}
    range: {max: 150}
    update_rate: 10
  - id: cam-b
    type: camera
    position: {east: 5, north: 5, up: 6}
    fov: {horizontal: 40}
    range: {max: 300}
  - id: radar-1
    type: radar
    position: [51.4414, -0.9418]
    range: {max: 2000}
    noise: {range: 5, bearing: 1}
)";

Result<Site> site_with(const std::string& cameras) {
  return load_site_from_string(std::string(kSite) + cameras, "site.yaml");
}

TEST(CameraConfig, DefaultsComeFromTheSensorEntry) {
  auto site = site_with("");
  ASSERT_TRUE(site) << site.error().message();
  auto all = parse_cameras(*site);
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->size(), 2u);
  const auto& a = (*all)[0];
  EXPECT_EQ(a.id, "cam-a");
  EXPECT_EQ(a.intrinsics.width, 768);
  EXPECT_NEAR(rad2deg(a.intrinsics.hfov()), 52, 1e-9);
  EXPECT_NEAR(rad2deg(a.pose.yaw), 20, 1e-9);
  EXPECT_NEAR(rad2deg(a.pose.pitch), -28, 1e-9);
  EXPECT_NEAR(a.pose.position.z(), 8, 1e-6);
  EXPECT_EQ(a.kind, CameraKind::visible);
  EXPECT_TRUE(a.motion.enabled);
  EXPECT_FALSE(a.hog.enabled);
  EXPECT_FALSE(a.ptz);
  EXPECT_FALSE(camera_config(*site, "radar-1"));
  EXPECT_FALSE(camera_config(*site, "nope"));
}

TEST(CameraConfig, ReadsEverySetting) {
  auto site = site_with(R"(
cameras:
  cam-a:
    kind: thermal
    source: clips/a.avi
    intrinsics: {fx: 820, fy: 818, cx: 380, cy: 290, distortion: [-0.1, 0.02]}
    uncertainty: {pixel: 3, horizontal: 0.5, yaw: 1}
    ground: {height: 1.5, max_range: 200}
    stream: {read_timeout: 2, reconnect_min: 0.5, reconnect_max: 8, fault_after: 20}
    motion: {threshold: 20, history: 30, process_width: 320}
    objects: {min_height: 0.8, max_height: 3}
    masks:
      - [[0, 0], [200, 0], [200, 100], [0, 100]]
    evidence: {pre: 3, post: 4, clip_fps: 4}
    ptz:
      onvif: http://127.0.0.1:8080/onvif/ptz_service
      profile: prof1
      username: admin
      password: secret
      pan: [-170, 170]
      tilt: [-60, 20]
      hfov: [2.5, 58]
)");
  ASSERT_TRUE(site) << site.error().message();
  auto c = camera_config(*site, "cam-a");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->kind, CameraKind::thermal);
  EXPECT_FALSE(c->motion.shadows);  // thermal default
  EXPECT_EQ(c->source, "clips/a.avi");
  EXPECT_DOUBLE_EQ(c->intrinsics.fx, 820);
  EXPECT_DOUBLE_EQ(c->intrinsics.k1, -0.1);
  EXPECT_DOUBLE_EQ(c->intrinsics.p1, 0);
  EXPECT_DOUBLE_EQ(c->uncertainty.pixel, 3);
  EXPECT_NEAR(rad2deg(c->uncertainty.yaw_rad), 1, 1e-12);
  EXPECT_DOUBLE_EQ(c->ground.height_m, 1.5);
  EXPECT_DOUBLE_EQ(c->stream.fault_after_s, 20);
  EXPECT_DOUBLE_EQ(c->motion.threshold, 20);
  EXPECT_EQ(c->motion.process_width, 320);
  EXPECT_DOUBLE_EQ(c->objects.max_height_m, 3);
  ASSERT_EQ(c->masks.size(), 1u);
  EXPECT_EQ(c->masks[0].size(), 4u);
  EXPECT_DOUBLE_EQ(c->evidence.post_s, 4);
  ASSERT_TRUE(c->ptz);
  EXPECT_EQ(c->ptz->profile, "prof1");
  EXPECT_NEAR(rad2deg(c->ptz->hfov_tele_rad), 2.5, 1e-12);
  EXPECT_NEAR(rad2deg(c->ptz->pan_min_rad), -170, 1e-12);
}

TEST(CameraConfig, ErrorsNameFileLineAndField) {
  auto site = site_with(R"(
cameras:
  cam-a:
    motoin: {threshold: 3}
    stream: {fault_after: -1}
    dnn: {model: no-such-model.onnx}
  radar-1:
    kind: visible
  cam-z: {}
)");
  ASSERT_TRUE(site) << site.error().message();
  auto c = parse_cameras(*site);
  ASSERT_FALSE(c);
  const std::string m = c.error().message();
  EXPECT_NE(m.find("site.yaml:26 cameras.cam-a.motoin: unknown key 'motoin'"), std::string::npos)
      << m;
  EXPECT_NE(m.find("site.yaml:27 cameras.cam-a.stream.fault_after"), std::string::npos) << m;
  EXPECT_NE(m.find("no model file"), std::string::npos) << m;
  EXPECT_NE(m.find("cameras.radar-1: sensor 'radar-1' is a radar, not a camera"), std::string::npos)
      << m;
  EXPECT_NE(m.find("cameras.cam-z: no sensor 'cam-z'"), std::string::npos) << m;
}

TEST(CameraConfig, SolvesThePoseFromSurveyPoints) {
  // Render survey points through a known pose, then let the site file's calibration recover it.
  auto base = site_with("");
  ASSERT_TRUE(base);
  const CameraIntrinsics k = CameraIntrinsics::from_fov(768, 576, deg2rad(52));
  const CameraPose truth{Enu(1.2, -19.0, 8.4), deg2rad(23), deg2rad(-26.5), deg2rad(0.7)};
  const CameraModel cam(k, truth);
  std::string points;
  for (const auto& [e, n] : std::vector<std::pair<double, double>>{
           {-2, 2}, {8, 0}, {3, 10}, {14, 14}, {-4, 18}, {10, 30}, {0, 25}, {6, 6}}) {
    const auto px = *cam.project(Enu(e, n, 0));
    if (!cam.in_image(px, 5)) continue;
    const Geodetic g = base->frame.to_geodetic(Enu(e, n, 0));
    points += fmt::format("        - {{pixel: [{:.2f}, {:.2f}], at: [{:.9f}, {:.9f}, {:.3f}]}}\n",
                          px.x(), px.y(), g.lat_deg, g.lon_deg, g.alt_m);
  }
  auto site = site_with("cameras:\n  cam-a:\n    calibration:\n      points:\n" + points);
  ASSERT_TRUE(site) << site.error().message();
  auto c = camera_config(*site, "cam-a");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_TRUE(c->calibration);
  EXPECT_LT((c->pose.position - truth.position).norm(), 0.02);
  EXPECT_NEAR(rad2deg(c->pose.yaw), 23, 0.01);
  EXPECT_NEAR(rad2deg(c->pose.pitch), -26.5, 0.01);
  EXPECT_LT(c->calibration->rms_px, 0.01);

  // The same points along one line: refused, naming the site file and field.
  auto line = site_with(R"(
cameras:
  cam-a:
    calibration:
      points:
        - {pixel: [100, 400], at: {east: 0, north: 5}}
        - {pixel: [200, 350], at: {east: 2, north: 10}}
        - {pixel: [300, 300], at: {east: 4, north: 15}}
        - {pixel: [400, 250], at: {east: 6, north: 20}}
)");
  ASSERT_TRUE(line);
  auto bad = camera_config(*line, "cam-a");
  ASSERT_FALSE(bad);
  EXPECT_NE(
      bad.error().message().find(
          "site.yaml:28 cameras.cam-a.calibration.points: the 4 surveyed points lie on one line"),
      std::string::npos)
      << bad.error().message();
  EXPECT_NE(bad.error().message().find("lie on one line"), std::string::npos);
}

}  // namespace
}  // namespace picket::video

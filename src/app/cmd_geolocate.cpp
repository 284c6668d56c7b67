// picket geolocate SITE.yaml POSES.jsonl PIXELS.jsonl --out DETECTIONS.jsonl: the aerostat's
// pixel detections cast through its pose (GNSS/INS feed) into the terrain, written as geodetic
// detections with their uncertainty (docs/locate.md).
#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <map>

#include "commands.h"
#include "picket/core/site.h"
#include "picket/core/units.h"
#include "picket/formats/jsonl.h"
#include "picket/formats/records.h"
#include "picket/locate/geolocate.h"
#include "picket/locate/pixel_io.h"
#include "picket/locate/pose_feed.h"
#include "picket/terrain/terrain.h"
#include "progress.h"

namespace picket::app {

namespace {

struct GeolocateCliOptions {
  std::string site, poses, pixels, out, sensor;
  double max_gap = 0;
  double max_speed = 30;
  bool skip_bad = false;
};

int run_geolocate(const GeolocateCliOptions& o) {
  auto site = load_site(o.site);
  if (!site) {
    fmt::print(stderr, "picket: invalid site file\n{}\n", site.error().message());
    return kExitUsage;
  }
  const SensorDef* aero = nullptr;
  for (const auto& s : site->sensors) {
    if (s.type != SensorType::aerostat) continue;
    if (!o.sensor.empty() && s.id != o.sensor) continue;
    if (aero != nullptr) {
      fmt::print(stderr,
                 "picket: the site has several aerostat sensors; choose one with --sensor\n");
      return kExitUsage;
    }
    aero = &s;
  }
  if (aero == nullptr) {
    fmt::print(stderr, "picket: {}\n",
               o.sensor.empty() ? "the site has no aerostat sensor"
                                : fmt::format("no aerostat sensor '{}' in the site", o.sensor));
    return kExitUsage;
  }
  auto st = terrain::load_site_terrain(*site);
  if (!st) {
    fmt::print(stderr, "picket: cannot load the terrain\n{}\n", st.error().message());
    return kExitUsage;
  }
  locate::PoseFeedConfig fc;
  fc.max_gap_s = o.max_gap;
  fc.max_speed_mps = o.max_speed;
  auto feed = locate::PoseFeed::load(o.poses, *site, fc, o.skip_bad);
  if (!feed) {
    fmt::print(stderr, "picket: {}\n", feed.error().message());
    return kExitUsage;
  }
  const auto& rep = feed->report();
  fmt::print("pose feed: {} samples, median interval {:.3f} s, gaps over {:.2f} s: {}, jumps: {}\n",
             rep.samples, rep.median_interval_s, rep.max_gap_s, rep.gaps.size(), rep.jumps.size());
  for (const auto& line : rep.summary())
    fmt::print("warning: pose feed: {}\n", line);
  for (const auto& e : rep.first_errors)
    fmt::print("warning: pose feed: {}\n", e.message());

  formats::ReadOptions ro;
  ro.skip_bad = o.skip_bad;
  auto reader = formats::JsonlReader<locate::PixelDetection>::open(
      o.pixels, locate::parse_pixel_detection, ro);
  if (!reader) {
    fmt::print(stderr, "picket: {}\n", reader.error().message());
    return kExitUsage;
  }
  auto writer = formats::JsonlWriter::create(o.out);
  if (!writer) {
    fmt::print(stderr, "picket: {}\n", writer.error().message());
    return kExitFailure;
  }
  // The site's fov of an aerostat may be its field of regard (the gimbal turns all round); then
  // the camera's own field of view must come with every pose.
  const bool site_fov_is_camera = aero->fov_h_rad < deg2rad(179);
  if (!site_fov_is_camera) {
    for (const auto& p : feed->samples()) {
      if (!p.hfov) {
        fmt::print(stderr,
                   "picket: {}:{}: no hfov: the site gives aerostat {} a {:.0f} degree field of "
                   "view (its field of regard), so each pose must give the camera's hfov\n",
                   o.poses, p.line, aero->id, rad2deg(aero->fov_h_rad));
        return kExitUsage;
      }
    }
  }
  const locate::PinholeCamera camera = locate::PinholeCamera::from_fov(
      aero->image_width, aero->image_height, site_fov_is_camera ? aero->fov_h_rad : deg2rad(20));
  const locate::Gimbal fixed{aero->yaw_rad, aero->pitch_rad};
  locate::GeolocateOptions go;
  go.height_sigma_m = st->config.height_sigma_m;
  go.max_range_m = aero->max_range_m * 2;
  std::map<std::string, std::size_t> by_quality;
  std::vector<std::string> notes;
  std::size_t other_sensor = 0;
  ProgressBar bar("geolocating");
  while (true) {
    auto r = reader->next();
    if (!r) {
      fmt::print(stderr, "picket: {}\n", r.error().message());
      return kExitUsage;
    }
    if (!r->has_value()) break;
    const auto& px = **r;
    if (px.sensor != aero->id) {
      ++other_sensor;
      continue;
    }
    const locate::PixelObservation obs{px.u, px.v, px.sigma_px.value_or(1.0)};
    const auto fix = locate::geolocate_at(px.t, *feed, fixed, camera, obs, st->terrain, go);
    ++by_quality[std::string(locate::to_string(fix.quality))];
    if (fix.quality != locate::FixQuality::good && notes.size() < 10) {
      notes.push_back(fmt::format("{}:{} t {:.3f}: {}: {}", o.pixels, reader->lines().line_number(),
                                  px.t, locate::to_string(fix.quality), fix.message));
    }
    if (fix.quality == locate::FixQuality::no_pose || fix.quality == locate::FixQuality::no_ground)
      continue;
    Detection d;
    d.t = px.t;
    d.sensor = px.sensor;
    const Geodetic g = site->frame.to_geodetic(fix.position);
    d.measurement = GeodeticMeasurement{g.lat_deg, g.lon_deg, g.alt_m};
    // One sigma for the detection format: the larger horizontal axis (conservative).
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(fix.cov.topLeftCorner<2, 2>());
    d.sigma = std::sqrt(std::max(es.eigenvalues().maxCoeff(), 0.0));
    d.cls = px.cls;
    d.score = px.score;
    d.sensor_track = px.id;
    formats::append_detection(writer->buffer(), d);
    writer->commit();
    bar.update(reader->progress());
  }
  bar.finish();
  if (auto c = writer->close(); !c) {
    fmt::print(stderr, "picket: {}\n", c.error().message());
    return kExitFailure;
  }
  for (const auto& [q, n] : by_quality)
    fmt::print("  {:<10} {}\n", q, n);
  if (other_sensor) fmt::print("  skipped {} detections of other sensors\n", other_sensor);
  if (reader->stats().bad) fmt::print("warning: skipped {} bad lines\n", reader->stats().bad);
  for (const auto& n : notes)
    fmt::print("note: {}\n", n);
  fmt::print(
      "detections written to {} (degraded fixes included with their inflated sigma; "
      "no_pose and no_ground left out)\n",
      o.out);
  return kExitOk;
}

}  // namespace

void add_geolocate_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<GeolocateCliOptions>();
  auto* cmd = app.add_subcommand(
      "geolocate",
      "Geolocate the aerostat's pixel detections through its pose feed into the terrain");
  cmd->add_option("SITE", o->site, "Site file (YAML)")->required();
  cmd->add_option("POSES", o->poses, "Platform poses (JSON Lines GNSS/INS feed)")->required();
  cmd->add_option("PIXELS", o->pixels, "Pixel detections (JSON Lines)")->required();
  cmd->add_option("--out", o->out, "Detections with ground positions (JSON Lines)")->required();
  cmd->add_option("--sensor", o->sensor, "The aerostat sensor's id (when the site has several)");
  cmd->add_option("--max-gap", o->max_gap,
                  "Seconds of silence that make a gap (default: 5 x the median interval)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--max-speed", o->max_speed, "Faster steps are jumps, m/s (default 30)")
      ->check(CLI::Range(0.1, 1000.0));
  cmd->add_flag("--skip-bad", o->skip_bad, "Skip (and count) bad lines instead of stopping");
  cmd->callback([&run, o] { run = [o] { return run_geolocate(*o); }; });
}

}  // namespace picket::app

#include "picket/video/camera_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "picket/core/units.h"

namespace picket::video {

std::string_view to_string(CameraKind k) {
  return k == CameraKind::thermal ? "thermal" : "visible";
}

Eigen::Matrix<double, kPoseParams, kPoseParams> CameraConfig::pose_covariance() const {
  PoseUncertainty u;
  u.horizontal_m = uncertainty.horizontal_m;
  u.vertical_m = uncertainty.vertical_m;
  u.yaw_rad = uncertainty.yaw_rad;
  u.pitch_rad = uncertainty.pitch_rad;
  u.roll_rad = uncertainty.roll_rad;
  if (!calibration) return u.covariance();
  // A solved pose: its own covariance (from the residuals), plus the survey's position error.
  Eigen::Matrix<double, kPoseParams, kPoseParams> c = calibration->covariance;
  c(0, 0) += u.horizontal_m * u.horizontal_m;
  c(1, 1) += u.horizontal_m * u.horizontal_m;
  c(2, 2) += u.vertical_m * u.vertical_m;
  return c;
}

namespace {

std::string resolve_path(const ConfigNode& n, const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find("://") != std::string::npos) return path;
  const std::string dir = n.directory();
  return dir.empty() ? path : dir + "/" + path;
}

// [u, v] in pixels.
std::optional<Eigen::Vector2d> parse_pixel(const ConfigNode& n) {
  if (!n.is_sequence() || n.size() != 2 || !n.at(0).as_number() || !n.at(1).as_number()) {
    n.error(n.present() ? "a pixel is [u, v] (column, row; pixels from the top-left corner)"
                        : "missing");
    return std::nullopt;
  }
  return Eigen::Vector2d(*n.at(0).as_number(), *n.at(1).as_number());
}

// A surveyed ground point: [lat, lon], [lat, lon, alt], {lat, lon, alt} or {east, north, up}.
// Without an altitude the point is on the camera's ground.
std::optional<Enu> parse_ground_point(const ConfigNode& n, const Site& site, double ground_up) {
  if (n.is_sequence()) {
    if (n.size() < 2 || n.size() > 3 || !n.at(0).as_number() || !n.at(1).as_number() ||
        (n.size() == 3 && !n.at(2).as_number())) {
      n.error("a point is [lat, lon] or [lat, lon, alt] (degrees, metres)");
      return std::nullopt;
    }
    const double lat = *n.at(0).as_number(), lon = *n.at(1).as_number();
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
      n.error(fmt::format("[{}, {}] is not a latitude, longitude pair in degrees", lat, lon));
      return std::nullopt;
    }
    if (n.size() == 3) return site.frame.to_enu(Geodetic{lat, lon, *n.at(2).as_number()});
    Enu e = site.frame.to_enu(Geodetic{lat, lon, site.origin.alt_m});
    e.z() = ground_up;
    return e;
  }
  if (!n.is_map()) {
    n.error(n.present() ? "a point is [lat, lon], {lat, lon, alt} or {east, north, up}"
                        : "missing");
    return std::nullopt;
  }
  if (n.has("east") || n.has("north")) {
    n.expect_keys({"east", "north", "up"});
    return Enu(n.required_number("east", -1e6, 1e6), n.required_number("north", -1e6, 1e6),
               n.number("up", ground_up, -1e5, 1e5));
  }
  n.expect_keys({"lat", "lon", "alt"});
  const double lat = n.required_number("lat", -90, 90);
  const double lon = n.required_number("lon", -180, 180);
  if (n.has("alt")) return site.frame.to_enu(Geodetic{lat, lon, n.number("alt", 0, -500, 1e5)});
  Enu e = site.frame.to_enu(Geodetic{lat, lon, site.origin.alt_m});
  e.z() = ground_up;
  return e;
}

double degrees(const ConfigNode& n, std::string_view key, double fallback_rad, double min_deg,
               double max_deg) {
  return deg2rad(n.number(key, rad2deg(fallback_rad), min_deg, max_deg));
}

void parse_intrinsics(const ConfigNode& n, const SensorDef& s, CameraConfig& c) {
  const int w = s.image_width, h = s.image_height;
  if (!n.present()) {
    if (s.fov_h_rad >= deg2rad(179)) {
      n.error(
          "missing: give the lens (intrinsics: {fx: pixels, ...}) or the sensor's fov.horizontal "
          "(degrees, below 180)");
      return;
    }
    c.intrinsics = CameraIntrinsics::from_fov(w, h, s.fov_h_rad);
    return;
  }
  if (!n.expect_keys({"fx", "fy", "cx", "cy", "distortion"})) return;
  c.intrinsics.width = w;
  c.intrinsics.height = h;
  c.intrinsics.fx = n.required_number("fx", 1, 1e6);
  c.intrinsics.fy = n.number("fy", c.intrinsics.fx, 1, 1e6);
  c.intrinsics.cx = n.number("cx", (w - 1) / 2.0, -w, 2.0 * w);
  c.intrinsics.cy = n.number("cy", (h - 1) / 2.0, -h, 2.0 * h);
  if (const auto d = n["distortion"]; d.present()) {
    if (!d.is_sequence() || d.size() < 2 || d.size() > 5) {
      d.error("distortion is [k1, k2], [k1, k2, p1, p2] or [k1, k2, p1, p2, k3] (OpenCV's order)");
      return;
    }
    double* coeffs[] = {&c.intrinsics.k1, &c.intrinsics.k2, &c.intrinsics.p1, &c.intrinsics.p2,
                        &c.intrinsics.k3};
    for (size_t i = 0; i < d.size(); ++i) {
      const auto v = d.at(i).as_number();
      if (!v || std::abs(*v) > 100) {
        d.at(i).error("a distortion coefficient is a number (|value| <= 100)");
        continue;
      }
      *coeffs[i] = *v;
    }
  }
}

void parse_uncertainty(const ConfigNode& n, UncertaintyConfig& u) {
  if (!n.present() ||
      !n.expect_keys({"pixel", "horizontal", "vertical", "yaw", "pitch", "roll", "ground"})) {
    return;
  }
  u.pixel = n.number("pixel", u.pixel, 0, 1000);
  u.horizontal_m = n.number("horizontal", u.horizontal_m, 0, 1000);
  u.vertical_m = n.number("vertical", u.vertical_m, 0, 1000);
  u.yaw_rad = degrees(n, "yaw", u.yaw_rad, 0, 45);
  u.pitch_rad = degrees(n, "pitch", u.pitch_rad, 0, 45);
  u.roll_rad = degrees(n, "roll", u.roll_rad, 0, 45);
  u.ground_m = n.number("ground", u.ground_m, 0, 1000);
}

void parse_stream(const ConfigNode& n, StreamConfig& s) {
  if (!n.present() ||
      !n.expect_keys({"open_timeout", "read_timeout", "reconnect_min", "reconnect_max",
                      "fault_after", "max_lag", "backend", "realtime"})) {
    return;
  }
  s.open_timeout_s = n.number("open_timeout", s.open_timeout_s, 0.05, 600);
  s.read_timeout_s = n.number("read_timeout", s.read_timeout_s, 0.05, 600);
  s.reconnect_min_s = n.number("reconnect_min", s.reconnect_min_s, 0.01, 3600);
  s.reconnect_max_s = n.number("reconnect_max", s.reconnect_max_s, 0.01, 86400);
  if (s.reconnect_max_s < s.reconnect_min_s) {
    n["reconnect_max"].error("must not be below reconnect_min");
  }
  s.fault_after_s = n.number("fault_after", s.fault_after_s, 0, 86400);
  s.max_lag_s = n.number("max_lag", s.max_lag_s, 0.01, 3600);
  s.backend = n.choice("backend", {"ffmpeg", "gstreamer", "any"}, s.backend);
  s.realtime = n.boolean("realtime", s.realtime);
}

void parse_motion(const ConfigNode& n, MotionConfig& m) {
  if (!n.present() ||
      !n.expect_keys({"enabled", "history", "threshold", "shadows", "shadow_tau", "process_width",
                      "min_blob_px", "open_px", "close_px", "warmup", "max_foreground"})) {
    return;
  }
  m.enabled = n.boolean("enabled", m.enabled);
  m.history_s = n.number("history", m.history_s, 0.1, 86400);
  m.threshold = n.number("threshold", m.threshold, 1, 1000);
  m.shadows = n.boolean("shadows", m.shadows);
  m.shadow_tau = n.number("shadow_tau", m.shadow_tau, 0.05, 0.99);
  m.process_width = static_cast<int>(n.integer("process_width", m.process_width, 8, 8192));
  m.min_blob_px = static_cast<int>(n.integer("min_blob_px", m.min_blob_px, 1, 1 << 24));
  m.open_px = static_cast<int>(n.integer("open_px", m.open_px, 0, 101));
  m.close_px = static_cast<int>(n.integer("close_px", m.close_px, 0, 101));
  m.warmup_s = n.number("warmup", m.warmup_s, 0, 86400);
  m.max_foreground = n.number("max_foreground", m.max_foreground, 0.01, 1);
}

void parse_objects(const ConfigNode& n, ObjectSizeConfig& o) {
  if (!n.present() || !n.expect_keys({"min_height", "max_height", "min_width", "max_width"})) {
    return;
  }
  o.min_height_m = n.number("min_height", o.min_height_m, 0, 1000);
  o.max_height_m = n.number("max_height", o.max_height_m, 0, 1000);
  o.min_width_m = n.number("min_width", o.min_width_m, 0, 1000);
  o.max_width_m = n.number("max_width", o.max_width_m, 0, 1000);
  if (o.max_height_m < o.min_height_m) n["max_height"].error("must not be below min_height");
  if (o.max_width_m < o.min_width_m) n["max_width"].error("must not be below min_width");
}

void parse_hog(const ConfigNode& n, HogConfig& h) {
  if (!n.present() || !n.expect_keys({"enabled", "hit_threshold", "scale", "upscale", "on_motion",
                                      "min_interval"})) {
    return;
  }
  h.enabled = n.boolean("enabled", true);
  h.hit_threshold = n.number("hit_threshold", h.hit_threshold, -10, 10);
  h.scale = n.number("scale", h.scale, 1.01, 2);
  h.upscale = n.number("upscale", h.upscale, 0.25, 4);
  h.on_motion = n.boolean("on_motion", h.on_motion);
  h.min_interval_s = n.number("min_interval", h.min_interval_s, 0, 3600);
}

void parse_dnn(const ConfigNode& n, DnnConfig& d) {
  if (!n.present() || !n.expect_keys({"model", "input", "confidence", "nms", "layout", "classes",
                                      "min_interval"})) {
    return;
  }
  const std::string model = n.required_string("model");
  d.model = resolve_path(n, model);
  if (!d.model.empty() && !std::filesystem::is_regular_file(d.model)) {
    n["model"].error(fmt::format("no model file '{}'", d.model));
  }
  if (const auto in = n["input"]; in.present()) {
    if (!in.is_sequence() || in.size() != 2 || !in.at(0).as_integer() || !in.at(1).as_integer() ||
        *in.at(0).as_integer() < 16 || *in.at(1).as_integer() < 16 ||
        *in.at(0).as_integer() > 4096 || *in.at(1).as_integer() > 4096) {
      in.error("input is [width, height] in pixels (16..4096)");
    } else {
      d.input_width = static_cast<int>(*in.at(0).as_integer());
      d.input_height = static_cast<int>(*in.at(1).as_integer());
    }
  }
  d.confidence = n.number("confidence", d.confidence, 0, 1);
  d.nms = n.number("nms", d.nms, 0, 1);
  d.layout = n.choice("layout", {"auto", "ssd", "yolov5", "yolov8"}, d.layout);
  d.min_interval_s = n.number("min_interval", d.min_interval_s, 0, 3600);
  if (const auto cls = n["classes"]; cls.present()) {
    d.classes.clear();
    for (const auto& [key, value] : cls.entries()) {
      int index = -1;
      try {
        index = std::stoi(key);
      } catch (const std::exception&) {
      }
      if (index < 0 || std::to_string(index) != key) {
        value.error(fmt::format("'{}' is not a class index (0, 1, ...)", key));
        continue;
      }
      const auto name = value.as_string();
      const auto tc = name ? parse_target_class(*name) : std::nullopt;
      if (!tc) {
        value.error("expected person, vehicle, animal, aircraft, drone or unknown");
        continue;
      }
      d.classes[index] = *tc;
    }
  }
}

void parse_tracking(const ConfigNode& n, TrackingConfig& t) {
  if (!n.present() || !n.expect_keys({"enabled", "method", "high_score", "low_score", "birth_score",
                                      "match_iou", "max_lost"})) {
    return;
  }
  t.enabled = n.boolean("enabled", t.enabled);
  t.method = n.choice("method", {"bytetrack", "sort"}, t.method);
  t.high_score = n.number("high_score", t.high_score, 0, 1);
  t.low_score = n.number("low_score", t.low_score, 0, 1);
  t.birth_score = n.number("birth_score", t.birth_score, 0, 1);
  t.match_iou = n.number("match_iou", t.match_iou, 0.01, 1);
  t.max_lost_s = n.number("max_lost", t.max_lost_s, 0, 3600);
  if (t.low_score > t.high_score) n["low_score"].error("must not be above high_score");
}

void parse_evidence(const ConfigNode& n, EvidenceConfig& e) {
  if (!n.present() || !n.expect_keys({"pre", "post", "clip_fps", "clip_width", "quality",
                                      "snapshot_interval", "max_megabytes"})) {
    return;
  }
  e.pre_s = n.number("pre", e.pre_s, 0, 600);
  e.post_s = n.number("post", e.post_s, 0, 600);
  e.clip_fps = n.number("clip_fps", e.clip_fps, 0.1, 60);
  e.clip_width = static_cast<int>(n.integer("clip_width", e.clip_width, 32, 8192));
  e.quality = static_cast<int>(n.integer("quality", e.quality, 1, 100));
  e.snapshot_interval_s = n.number("snapshot_interval", e.snapshot_interval_s, 0.01, 60);
  e.max_bytes = static_cast<std::size_t>(
      n.number("max_megabytes", static_cast<double>(e.max_bytes) / (1 << 20), 1, 4096) * (1 << 20));
}

std::optional<PtzConfig> parse_ptz(const ConfigNode& n) {
  if (!n.present()) return std::nullopt;
  if (!n.expect_keys({"onvif", "profile", "username", "password", "password_env", "pan", "tilt",
                      "hfov", "target_fraction", "target_height", "lead", "min_interval",
                      "deadband", "timeout"})) {
    return std::nullopt;
  }
  PtzConfig p;
  p.url = n.required_string("onvif");
  if (!p.url.empty() && p.url.rfind("http://", 0) != 0) {
    n["onvif"].error("the ONVIF PTZ service must be an http:// URL");
  }
  p.profile = n.required_string("profile");
  p.username = n.string("username", "");
  if (n.has("password") && n.has("password_env")) {
    n.error("give password or password_env, not both");
  } else if (n.has("password_env")) {
    const std::string var = n.required_string("password_env");
    const char* value = var.empty() ? nullptr : std::getenv(var.c_str());
    if (!value) {
      n["password_env"].error(fmt::format("environment variable '{}' is not set", var));
    } else {
      p.password = value;
    }
  } else {
    p.password = n.string("password", "");
  }
  auto range = [&](std::string_view key, double& lo, double& hi, double min_deg, double max_deg) {
    const auto r = n[key];
    if (!r.present()) return;
    if (!r.is_sequence() || r.size() != 2 || !r.at(0).as_number() || !r.at(1).as_number()) {
      r.error("expected [low, high] in degrees");
      return;
    }
    const double a = *r.at(0).as_number(), b = *r.at(1).as_number();
    if (a < min_deg || b > max_deg || a >= b) {
      r.error(fmt::format("[{}, {}] must satisfy {} <= low < high <= {}", a, b, min_deg, max_deg));
      return;
    }
    lo = deg2rad(a);
    hi = deg2rad(b);
  };
  range("pan", p.pan_min_rad, p.pan_max_rad, -360, 360);
  range("tilt", p.tilt_min_rad, p.tilt_max_rad, -90, 90);
  double tele = p.hfov_tele_rad, wide = p.hfov_wide_rad;
  range("hfov", tele, wide, 0.01, 179);
  p.hfov_tele_rad = tele;
  p.hfov_wide_rad = wide;
  p.target_fraction = n.number("target_fraction", p.target_fraction, 0.01, 1);
  p.target_height_m = n.number("target_height", p.target_height_m, 0.1, 100);
  p.lead_s = n.number("lead", p.lead_s, 0, 60);
  p.min_interval_s = n.number("min_interval", p.min_interval_s, 0, 3600);
  p.deadband = n.number("deadband", p.deadband, 0, 1);
  p.timeout_s = n.number("timeout", p.timeout_s, 0.05, 60);
  return p;
}

void parse_masks(const ConfigNode& n, CameraConfig& c) {
  for (const auto& poly : n.items()) {
    std::vector<Eigen::Vector2d> pts;
    for (const auto& p : poly.items()) {
      if (auto px = parse_pixel(p)) pts.push_back(*px);
    }
    if (poly.is_sequence() && pts.size() < 3) {
      poly.error("a mask is a polygon of at least three pixels [[u, v], ...]");
      continue;
    }
    c.masks.push_back(std::move(pts));
  }
}

void parse_calibration(const ConfigNode& n, const Site& site, CameraConfig& c, const SensorDef& s) {
  if (!n.present() || !n.expect_keys({"points", "max_rms", "pixel_sigma"})) return;
  SolveOptions options;
  options.max_rms_px = n.number("max_rms", options.max_rms_px, 0.1, 1000);
  options.pixel_sigma = n.number("pixel_sigma", options.pixel_sigma, 0.01, 100);
  std::vector<SurveyPoint> pts;
  const auto list = n["points"];
  if (!list.present()) {
    list.error("missing (four or more {pixel: [u, v], at: point})");
    return;
  }
  bool ok = true;
  for (const auto& item : list.items()) {
    if (!item.expect_keys({"pixel", "at"})) {
      ok = false;
      continue;
    }
    const auto px = parse_pixel(item["pixel"]);
    const auto at = parse_ground_point(item["at"], site, c.ground.height_m);
    if (!px || !at) {
      ok = false;
      continue;
    }
    pts.push_back(SurveyPoint{*px, *at, item.where()});
  }
  if (!ok || !n.errors()->empty()) return;  // report the parse errors first
  for (const auto& p : pts) {
    if (p.pixel.x() < -0.5 || p.pixel.y() < -0.5 || p.pixel.x() > s.image_width - 0.5 ||
        p.pixel.y() > s.image_height - 0.5) {
      n.errors()->add(
          Error{p.where, fmt::format("pixel ({}, {}) is outside the {}x{} image", p.pixel.x(),
                                     p.pixel.y(), s.image_width, s.image_height)});
      return;
    }
  }
  auto solved = solve_pose(c.intrinsics, pts, &c.pose, options);
  if (!solved) {
    const Error& e = solved.error();
    n.errors()->add(Error{e.where.empty() ? list.where() : e.where, e.what});
    return;
  }
  c.pose = solved->pose;
  c.calibration = std::move(*solved);
}

CameraConfig defaults_for(const SensorDef& s, const ConfigNode* where) {
  CameraConfig c;
  c.id = s.id;
  c.where = where ? where->where() : "sensors." + s.id;
  c.pose = CameraPose{s.enu, s.yaw_rad, s.pitch_rad, s.roll_rad};
  c.frame_rate_hz = s.update_rate_hz;
  c.max_range_m = s.max_range_m;
  c.ground.max_range_m = s.max_range_m;
  c.uncertainty.pixel = 2;
  return c;
}

// Kind-specific defaults: thermal images have no shadows and lower contrast noise, and people are
// warm blobs without the outline HOG looks for.
void apply_kind_defaults(CameraConfig& c) {
  if (c.kind == CameraKind::thermal) {
    c.motion.shadows = false;
    c.motion.threshold = 12;
    c.motion.history_s = 60;
    c.motion.close_px = 5;
  }
}

void parse_camera(const ConfigNode& n, const Site& site, const SensorDef& s, CameraConfig& c) {
  // Unknown keys are reported and the known ones still read, so every problem shows at once.
  n.expect_keys({"kind", "source", "intrinsics", "calibration", "uncertainty", "ground", "stream",
                 "motion", "objects", "hog", "dnn", "tracking", "masks", "evidence", "ptz"});
  if (!n.is_map()) return;
  c.kind = n.choice("kind", {"visible", "thermal"}, "visible") == "thermal" ? CameraKind::thermal
                                                                            : CameraKind::visible;
  apply_kind_defaults(c);
  c.source = resolve_path(n, n.string("source", ""));
  parse_intrinsics(n["intrinsics"], s, c);
  if (const auto g = n["ground"]; g.present() && g.expect_keys({"height", "max_range"})) {
    c.ground.height_m = g.number("height", 0, -1e4, 1e5);
    c.ground.max_range_m = g.number("max_range", c.ground.max_range_m, 1, 1e5);
  }
  parse_uncertainty(n["uncertainty"], c.uncertainty);
  c.ground.height_sigma_m = c.uncertainty.ground_m;
  parse_stream(n["stream"], c.stream);
  parse_motion(n["motion"], c.motion);
  parse_objects(n["objects"], c.objects);
  parse_hog(n["hog"], c.hog);
  if (c.kind == CameraKind::thermal && c.hog.enabled) {
    n["hog"].error("the HOG people detector is trained on visible-light images; not for thermal");
  }
  parse_dnn(n["dnn"], c.dnn);
  parse_tracking(n["tracking"], c.tracking);
  parse_masks(n["masks"], c);
  parse_evidence(n["evidence"], c.evidence);
  c.ptz = parse_ptz(n["ptz"]);
  // Last: the calibration needs the intrinsics and the ground.
  parse_calibration(n["calibration"], site, c, s);
}

}  // namespace

Result<std::vector<CameraConfig>> parse_cameras(const Site& site) {
  // A private error list: the site's own was checked when it loaded.
  auto errors = std::make_shared<ConfigErrors>();
  std::optional<ConfigNode> section;
  if (const auto it = site.sections.find("cameras"); it != site.sections.end()) {
    const ConfigNode& n = it->second;
    section.emplace(n.yaml(), n.file(), n.field(), errors, n.line());
    section->expect_map();
  }
  std::vector<CameraConfig> out;
  for (const auto& s : site.sensors) {
    if (s.type != SensorType::camera) continue;
    std::optional<ConfigNode> node;
    if (section && section->has(s.id)) node.emplace((*section)[s.id]);
    CameraConfig c = defaults_for(s, node ? &*node : nullptr);
    if (node) {
      parse_camera(*node, site, s, c);
    } else if (s.fov_h_rad >= deg2rad(179)) {
      errors->add(Error{
          site.file + " sensors." + s.id,
          "a camera needs fov.horizontal (degrees) or a cameras." + s.id + ".intrinsics entry"});
    } else {
      c.intrinsics = CameraIntrinsics::from_fov(s.image_width, s.image_height, s.fov_h_rad);
    }
    out.push_back(std::move(c));
  }
  if (section && section->is_map()) {
    for (const auto& [key, node] : section->entries()) {
      const SensorDef* s = site.find_sensor(key);
      if (!s) {
        node.error(fmt::format("no sensor '{}' in the site's sensors", key));
      } else if (s->type != SensorType::camera) {
        node.error(fmt::format("sensor '{}' is a {}, not a camera", key, to_string(s->type)));
      }
    }
  }
  if (auto st = errors->status(); !st) return st.error();
  return out;
}

Result<CameraConfig> camera_config(const Site& site, std::string_view id) {
  const SensorDef* s = site.find_sensor(id);
  if (!s) return Error{site.file, fmt::format("no sensor '{}' in the site", id)};
  if (s->type != SensorType::camera) {
    return Error{site.file,
                 fmt::format("sensor '{}' is a {}, not a camera", id, to_string(s->type))};
  }
  PICKET_TRY(all, parse_cameras(site));
  for (auto& c : all) {
    if (c.id == id) return std::move(c);
  }
  return Error{site.file, fmt::format("no camera '{}'", id)};
}

}  // namespace picket::video

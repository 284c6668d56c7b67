#include "picket/track/params.h"

#include <memory>
#include <string>

#include "picket/core/units.h"

namespace picket::track {

TrackerParams default_params() {
  TrackerParams p;
  auto set = [&](TargetClass c, double q, double vmax, double hmax, double vmin) {
    auto& k = p.classes[static_cast<size_t>(c)];
    k.process_noise = q;
    k.max_speed = vmax;
    k.max_height = hmax;
    k.min_speed = vmin;
  };
  set(TargetClass::person, 0.2, 8, 15, 0);
  set(TargetClass::vehicle, 1.5, 50, 15, 0);
  set(TargetClass::animal, 0.5, 20, 15, 0);
  set(TargetClass::aircraft, 5, 350, 1e9, 15);
  set(TargetClass::drone, 2, 40, 1e9, 0);
  set(TargetClass::unknown, 0.5, 350, 1e9, 0);
  return p;
}

namespace {

constexpr double kBig = 1e12;

void read_classes(const ConfigNode& n, TrackerParams& p) {
  if (!n.present()) return;
  n.expect_keys({"person", "vehicle", "animal", "aircraft", "drone", "unknown"});
  for (const auto& [key, node] : n.entries()) {
    const auto c = parse_target_class(key);
    if (!c) continue;  // already reported by expect_keys
    auto& k = p.classes[static_cast<size_t>(*c)];
    node.expect_keys({"process_noise", "max_speed", "min_speed", "max_height"});
    k.process_noise = node.number("process_noise", k.process_noise, 1e-6, 1e4);
    k.max_speed = node.number("max_speed", k.max_speed, 0.01, 1e4);
    k.min_speed = node.number("min_speed", k.min_speed, 0, 1e4);
    k.max_height = node.number("max_height", k.max_height, 0, kBig);
    if (k.min_speed >= k.max_speed) node.error("min_speed must be below max_speed");
  }
}

}  // namespace

Result<TrackerParams> parse_params(const ConfigNode* section) {
  TrackerParams p = default_params();
  if (section == nullptr || !section->present()) return p;
  auto errors = std::make_shared<ConfigErrors>();
  const ConfigNode root(section->yaml(), section->file(), section->field(), errors,
                        section->line());
  root.expect_keys({"motion", "classes", "input", "association", "existence", "lifecycle",
                    "geometry", "classification", "output"});

  if (auto m = root["motion"]; m.present()) {
    m.expect_keys({"model", "turn_rate", "cv_mean_duration", "turn_mean_duration", "max_step",
                   "initial_speed_sigma", "vertical_process_noise", "initial_vertical_sigma"});
    p.motion = m.choice("model", {"cv", "imm"}, "imm") == "cv" ? MotionModel::cv : MotionModel::imm;
    p.turn_rate_rad_s = deg2rad(m.number("turn_rate", rad2deg(p.turn_rate_rad_s), 0.1, 180));
    p.cv_mean_duration_s = m.number("cv_mean_duration", p.cv_mean_duration_s, 0.1, 1e6);
    p.turn_mean_duration_s = m.number("turn_mean_duration", p.turn_mean_duration_s, 0.1, 1e6);
    p.max_step_s = m.number("max_step", p.max_step_s, 0.01, 60);
    p.initial_speed_sigma_mps =
        m.number("initial_speed_sigma", p.initial_speed_sigma_mps, 0.01, 1e4);
    p.vertical_process_noise =
        m.number("vertical_process_noise", p.vertical_process_noise, 1e-6, 1e4);
    p.initial_vertical_sigma_m =
        m.number("initial_vertical_sigma", p.initial_vertical_sigma_m, 0.1, 1e5);
  }
  read_classes(root["classes"], p);

  if (auto n = root["input"]; n.present()) {
    n.expect_keys(
        {"reorder_window", "max_rate", "max_time_jump", "max_distance", "default_position_sigma"});
    p.reorder_window_s = n.number("reorder_window", p.reorder_window_s, 0, 60);
    p.max_rate_hz = n.number("max_rate", p.max_rate_hz, 1, 1e9);
    p.max_time_jump_s = n.number("max_time_jump", p.max_time_jump_s, 1, 1e9);
    p.max_distance_m = n.number("max_distance", p.max_distance_m, 1, 1e8);
    p.default_position_sigma_m =
        n.number("default_position_sigma", p.default_position_sigma_m, 0.01, 1e5);
  }

  if (auto n = root["association"]; n.present()) {
    n.expect_keys({"method", "gate_probability", "grid_cell", "doppler"});
    p.association =
        n.choice("method", {"gnn", "jpda"}, "gnn") == "jpda" ? Association::jpda : Association::gnn;
    p.gate_probability = n.number("gate_probability", p.gate_probability, 0.5, 0.999999);
    p.grid_cell_m = n.number("grid_cell", p.grid_cell_m, 1, 1e6);
    if (auto d = n["doppler"]; d.present()) {
      d.expect_keys({"use", "sigma", "clutter_span"});
      p.use_doppler = d.boolean("use", p.use_doppler);
      p.doppler_sigma_mps = d.number("sigma", p.doppler_sigma_mps, 1e-3, 1e3);
      p.clutter_doppler_span_mps = d.number("clutter_span", p.clutter_doppler_span_mps, 0.1, 1e5);
    }
  }

  if (auto n = root["existence"]; n.present()) {
    n.expect_keys({"new_targets_per_km2_h", "initial_target_density", "min_clutter_per_km2_scan",
                   "clutter_memory", "confirm", "delete", "tentative_delete_ratio",
                   "mean_lifetime"});
    p.new_targets_per_km2_h = n.number("new_targets_per_km2_h", p.new_targets_per_km2_h, 0, 1e9);
    p.initial_target_density_km2 =
        n.number("initial_target_density", p.initial_target_density_km2, 0, 1e9);
    p.min_clutter_per_km2_scan =
        n.number("min_clutter_per_km2_scan", p.min_clutter_per_km2_scan, 1e-9, 1e9);
    p.clutter_memory_s = n.number("clutter_memory", p.clutter_memory_s, 0, 86400);
    p.confirm_existence = n.number("confirm", p.confirm_existence, 0.01, 0.999999);
    p.delete_existence = n.number("delete", p.delete_existence, 1e-9, 0.99);
    p.tentative_delete_ratio =
        n.number("tentative_delete_ratio", p.tentative_delete_ratio, 1e-6, 1);
    p.mean_lifetime_s = n.number("mean_lifetime", p.mean_lifetime_s, 1, kBig);
    if (p.delete_existence >= p.confirm_existence) n.error("delete must be below confirm");
  }

  if (auto n = root["lifecycle"]; n.present()) {
    n.expect_keys({"tentative_max_age", "coast_after", "max_coast", "max_position_sigma",
                   "manage_interval", "spawn_near_confirmed"});
    p.tentative_max_age_s = n.number("tentative_max_age", p.tentative_max_age_s, 0.01, 1e6);
    p.coast_after_s = n.number("coast_after", p.coast_after_s, 0.01, 1e6);
    p.max_coast_s = n.number("max_coast", p.max_coast_s, 0.01, 1e6);
    p.max_position_sigma_m = n.number("max_position_sigma", p.max_position_sigma_m, 0.1, 1e7);
    p.manage_interval_s = n.number("manage_interval", p.manage_interval_s, 0.01, 3600);
    p.spawn_near_confirmed = n.boolean("spawn_near_confirmed", p.spawn_near_confirmed);
  }

  if (auto n = root["geometry"]; n.present()) {
    n.expect_keys({"ground_height", "air_min_height"});
    p.ground_height_m = n.number("ground_height", p.ground_height_m, -1e4, 1e4);
    p.air_min_height_m = n.number("air_min_height", p.air_min_height_m, 0, 1e5);
  }

  if (auto n = root["classification"]; n.present()) {
    n.expect_keys({"report_accuracy", "kinematic_interval", "kinematic_weight", "prior"});
    p.class_report_accuracy =
        n.number("report_accuracy", p.class_report_accuracy, 1.0 / kNumClasses, 0.999);
    p.kinematic_class_interval_s =
        n.number("kinematic_interval", p.kinematic_class_interval_s, 0.01, 1e6);
    p.kinematic_class_weight = n.number("kinematic_weight", p.kinematic_class_weight, 0, 1);
    if (auto pr = n["prior"]; pr.present()) {
      pr.expect_keys({"person", "vehicle", "animal", "aircraft", "drone", "unknown"});
      double sum = 0;
      for (int c = 0; c < kNumClasses; ++c) {
        const auto name = to_string(static_cast<TargetClass>(c));
        p.class_prior[static_cast<size_t>(c)] =
            pr.number(name, p.class_prior[static_cast<size_t>(c)], 1e-6, 1);
        sum += p.class_prior[static_cast<size_t>(c)];
      }
      for (auto& x : p.class_prior)
        x /= sum;
    }
  }

  if (auto n = root["output"]; n.present()) {
    n.expect_keys({"publish_tentative", "sensor_memory"});
    p.publish_tentative = n.boolean("publish_tentative", p.publish_tentative);
    p.sensor_memory_s = n.number("sensor_memory", p.sensor_memory_s, 0, 1e6);
  }

  if (auto st = errors->status(); !st) return st.error();
  return p;
}

}  // namespace picket::track

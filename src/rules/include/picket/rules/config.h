// The alarm rules and the alarm policy of a site, read strictly from the site file's `rules:`
// and `policy:` sections (docs/rules.md is the reference for every key).
//
// load_rules checks everything against the site: a rule naming an unknown fence or zone, a
// segment range outside its fence, an impossible schedule, an unknown time zone — every problem
// is reported with file, line and field, and a site with any problem gets no rules at all (the
// caller refuses to start).
//
// Thread-safety: a RulesConfig is immutable after loading.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/alarm.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/rules/timezone.h"

namespace picket::rules {

// The rule types: the first seven in the order of the first seven AlarmKinds, then the
// airspace rules (docs/rules.md "Airspace"), which raise the last three AlarmKinds.
enum class RuleType : std::uint8_t {
  fence_crossing,
  zone_entry,
  zone_exit,
  approach,
  loitering,
  speed,
  count,
  airspace_intrusion,
  below_floor,
  airspace_approach,
};
std::string_view to_string(RuleType t);
constexpr AlarmKind alarm_kind(RuleType t) {
  switch (t) {
    case RuleType::airspace_intrusion:
      return AlarmKind::airspace_intrusion;
    case RuleType::below_floor:
      return AlarmKind::below_floor;
    case RuleType::airspace_approach:
      return AlarmKind::airspace_approach;
    default:
      return static_cast<AlarmKind>(t);
  }
}
constexpr bool is_airspace_rule(RuleType t) {
  return t == RuleType::airspace_intrusion || t == RuleType::below_floor ||
         t == RuleType::airspace_approach;
}

// Which tracks an airspace rule considers, by cooperative identity (TrackState::icao).
enum class Cooperation : std::uint8_t { any, non, only };

enum class Direction : std::uint8_t { inward, outward, both };
enum class Side : std::uint8_t { outside, inside, both };

// One bit per TargetClass.
using ClassMask = std::uint8_t;
inline constexpr ClassMask kAllClasses = (1u << kNumClasses) - 1;
constexpr ClassMask class_bit(TargetClass c) {
  return static_cast<ClassMask>(1u << static_cast<unsigned>(c));
}

// One bit per SensorType.
using SensorTypeMask = std::uint8_t;
constexpr SensorTypeMask sensor_type_bit(SensorType t) {
  return static_cast<SensorTypeMask>(1u << static_cast<unsigned>(t));
}

// A weekly window of local civil time. from_s < to_s: within one day; from_s > to_s: from
// from_s on a listed day to to_s on the next day (over midnight).
struct ScheduleWindow {
  std::uint8_t days = 0x7f;  // bit 0 Sunday .. bit 6 Saturday
  int from_s = 0;            // seconds after local midnight
  int to_s = 86400;
};

// When a rule is armed. No windows: always.
struct Schedule {
  std::vector<ScheduleWindow> windows;
  bool always() const { return windows.empty(); }
  // Is the schedule on at Unix time t, in the given zone?
  bool active(double t, const TimeZone& tz) const;
};

struct Rule {
  std::string id;
  std::string name;
  RuleType type = RuleType::fence_crossing;
  AlarmPriority priority = AlarmPriority::high;
  bool armed = true;
  ClassMask classes = kAllClasses;
  double min_class_p = 0;     // see docs/rules.md "Class filter"
  bool air = false;           // consider air tracks (3-D) too
  bool second_sensor = true;  // apply the second-sensor policy (false: one sensor type suffices)
  Schedule schedule;
  int line = 0;  // where it is in the site file

  int fence = -1;  // index into Site::fences (fence_crossing, approach)
  int first_segment = 1;
  int last_segment = 0;  // inclusive; set to the fence's last segment on loading
  Direction direction = Direction::inward;
  int zone = -1;  // index into Site::zones (zone rules, count; optional for speed)

  double distance_m = 0;       // approach
  double min_speed_mps = 0.3;  // approach: closing speed towards the fence
  Side side = Side::outside;   // approach: which side of the fence the track must be on

  double duration_s = 0;  // loitering

  std::optional<double> above_mps;  // speed (exactly one of these)
  std::optional<double> below_mps;
  double hold_s = 0;  // speed: the condition must hold this long ("for")

  int more_than = 0;  // count

  // Airspace rules (zone: the volume; distance_m and min_speed_mps for airspace_approach).
  Cooperation cooperation = Cooperation::any;
  double floor_m = 0;  // below_floor: the floor, m above the origin (default: the zone's floor)
};

struct TrackPolicy {
  bool alarm_on_tentative = false;  // raise on tentative tracks (else hold until confirmed)
  double forget_after_s = 60;       // forget a track not updated for this long
};

// Radar-only or camera-only tracks need a second sensor type before a high-priority alarm.
struct SecondSensorPolicy {
  SensorTypeMask required_for = 0;  // lone types that need confirmation; 0: never required
  AlarmPriority unconfirmed_priority = AlarmPriority::low;
  double fence_window_s = 10;  // a fence trigger near the track this recent confirms it
  double fence_distance_m = 25;
};

struct NuisancePolicy {
  int triggers = 3;           // unconfirmed triggers of one segment ...
  double within_s = 600;      // ... within this time mark it nuisance
  double rate_limit_s = 300;  // while nuisance: at most one update per this time
  double quiet_s = 1800;      // nuisance ends after this long without an unconfirmed trigger
};

// Fence-sensor segment alarms and their corroboration by tracks.
struct FencePolicy {
  double window_s = 10;    // a track near the segment this long before or after confirms it
  double distance_m = 25;  // "near": this close to the segment
  ClassMask classes = class_bit(TargetClass::person) | class_bit(TargetClass::vehicle) |
                      class_bit(TargetClass::unknown);
  double min_class_p = 0;
  AlarmPriority priority = AlarmPriority::high;
  AlarmPriority unconfirmed_priority = AlarmPriority::low;
  double retrigger_window_s = 60;  // re-triggers of a segment this soon update its open alarm
  NuisancePolicy nuisance;
};

struct SensorHealthOverride {
  bool monitor = true;
  std::optional<double> silence_s;
};

struct HealthPolicy {
  double silence_factor = 3;  // silent longer than factor x expected interval: fault
  double min_silence_s = 10;  // ... and never less than this
  AlarmPriority priority = AlarmPriority::medium;
  AlarmPriority tamper_priority = AlarmPriority::high;
  std::vector<SensorHealthOverride> sensors;  // by index into Site::sensors

  // Seconds of silence after which `sensor` is at fault; 0: not monitored.
  double silence_limit(const SensorDef& sensor, size_t index) const;
};

struct Policy {
  TimeZone timezone;
  TrackPolicy tracks;
  SecondSensorPolicy second_sensor;
  FencePolicy fence;
  HealthPolicy health;
};

struct RulesConfig {
  std::vector<Rule> rules;
  Policy policy;
};

// Reads `rules:` and `policy:` of a loaded site. Either section may be absent (no rules; the
// default policy).
Result<RulesConfig> load_rules(const Site& site);

}  // namespace picket::rules

// Alarms: what the rules raise for an operator to act on, and the events of each alarm's life.
//
// Plain copyable value types shared by the rules (which raise and update alarms), the store
// (which keeps them), the formats (alarms.jsonl), the server and the console. They live in core
// because the formats layer, which sits below the rules, reads and writes them;
// picket/rules/alarm.h re-exports them with the life-cycle rules.
//
// Life cycle (one state machine, docs/rules.md):
//
//   raised ──► acknowledged ──► resolved          (state)
//     │  ▲          │  ▲
//     └──┘          └──┘  updated / cleared        (events that do not change the state)
//
// Every change is an AlarmEvent with a time, an actor and the alarm's snapshot after it.
// Time `t` is Unix seconds (UTC) from the data, never the wall clock. Positions are metres in
// the site's local ENU frame.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/types.h"

namespace picket {

// What raised the alarm. The first seven and the last three are rule types (a rule of that type
// raised it); the airspace kinds were added last so that stored numbering never changes.
enum class AlarmKind : std::uint8_t {
  fence_crossing,      // a track crossed a fence line
  zone_entry,          // a track entered a zone
  zone_exit,           // a track left a zone
  approach,            // a track came closer than D to a fence, heading towards it
  loitering,           // a track stayed in a zone longer than T
  speed,               // a track's speed above or below a bound
  count,               // more than K objects in a zone
  fence_alarm,         // a fence sensor's segment alarm (confirmed by a track, or not)
  fence_nuisance,      // a fence segment that keeps triggering with no track (wind)
  sensor_fault,        // a sensor silent for too long, or reporting a fault
  sensor_tamper,       // a sensor reporting tamper
  airspace_intrusion,  // a flyer (by default a non-cooperative one) inside a restricted volume
  below_floor,         // an aircraft (by default a cooperative one) below a volume's floor
  airspace_approach,   // a flyer closing on a restricted volume faster than a bound
};
inline constexpr int kNumAlarmKinds = 14;
std::string_view to_string(AlarmKind k);
std::optional<AlarmKind> parse_alarm_kind(std::string_view s);
// True for the kinds a rule of the site file raises (fence_crossing .. count and the airspace
// kinds).
constexpr bool is_rule_kind(AlarmKind k) {
  return static_cast<int>(k) <= static_cast<int>(AlarmKind::count) ||
         static_cast<int>(k) >= static_cast<int>(AlarmKind::airspace_intrusion);
}
// True for the kinds that report a possible intruder (rules and fence alarms), as opposed to
// nuisance marks and sensor health.
constexpr bool is_intrusion_kind(AlarmKind k) {
  return is_rule_kind(k) || k == AlarmKind::fence_alarm;
}

enum class AlarmPriority : std::uint8_t { low, medium, high, critical };
std::string_view to_string(AlarmPriority p);
std::optional<AlarmPriority> parse_alarm_priority(std::string_view s);

enum class AlarmState : std::uint8_t { raised, acknowledged, resolved };
std::string_view to_string(AlarmState s);
std::optional<AlarmState> parse_alarm_state(std::string_view s);

// The kinds of change. `updated`: a repeated trigger, a new priority or confirmation;
// `cleared`: the condition no longer holds (a silent sensor reports again) — the alarm stays
// open until an operator resolves it.
enum class AlarmEventType : std::uint8_t { raised, updated, acknowledged, cleared, resolved };
std::string_view to_string(AlarmEventType e);
std::optional<AlarmEventType> parse_alarm_event_type(std::string_view s);

// What the operator found. "false" in files and on screen.
enum class AlarmOutcome : std::uint8_t { none, intrusion, nuisance, false_alarm, test };
std::string_view to_string(AlarmOutcome o);
std::optional<AlarmOutcome> parse_alarm_outcome(std::string_view s);

struct Alarm {
  std::uint64_t id = 0;  // from 1, never reused within a store
  AlarmKind kind = AlarmKind::fence_crossing;
  std::string rule;  // the rule's id; "policy.fence" or "policy.health" for policy alarms
  AlarmPriority priority = AlarmPriority::high;
  AlarmState state = AlarmState::raised;
  bool active = true;      // the condition holds; false after a `cleared` event
  bool confirmed = false;  // corroborated by a second kind of sensor (see docs/rules.md)
  double score = 0;        // 0..1: the engine's confidence that this is a real intruder
  int confirmations = 0;   // distinct sensor types supporting it
  std::uint32_t seq = 0;   // number of events so far; the last event's `seq`

  std::uint64_t track = 0;  // the track that triggered it; 0: none
  std::string fence;        // fence_crossing, approach, fence_alarm, fence_nuisance
  int segment = 0;          //   segment number from 1; 0: none
  std::optional<CrossingDirection> direction;  // fence_crossing
  std::string zone;    // zone rules; the zone a count or speed rule is limited to
  std::string sensor;  // fence_alarm, fence_nuisance, sensor_fault, sensor_tamper
  double east = 0;     // where (m); for fence alarms the segment's midpoint or the track
  double north = 0;
  std::optional<double> up;
  TargetClass cls = TargetClass::unknown;
  double class_p = 0;
  std::vector<std::string> sensors;  // sensors that contributed to the track (sorted)
  double value = 0;  // what was measured: speed m/s, dwell s, count, distance m, silence s

  double raised_t = 0;   // when raised
  double trigger_t = 0;  // when the condition that raised it happened (<= raised_t)
  double last_t = 0;     // time of the latest event
  int count = 1;         // triggers folded into this alarm
  std::string text;      // one line for an operator

  std::string acknowledged_by;
  double acknowledged_t = 0;
  AlarmOutcome outcome = AlarmOutcome::none;
  std::string resolved_by;
  double resolved_t = 0;

  bool exercise = false;  // raised by an exercise (training) scenario
};

struct AlarmEvent {
  double t = 0;
  AlarmEventType type = AlarmEventType::raised;
  std::string actor;  // "rules", "policy" or a user name
  std::string note;   // free text (the operator's note, or why the engine changed it)
  Alarm alarm;        // the alarm after the change; alarm.seq numbers this event from 1
};

}  // namespace picket

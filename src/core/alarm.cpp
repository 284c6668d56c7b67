#include "picket/core/alarm.h"

#include <array>

namespace picket {
namespace {

template <class E, size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, kNumAlarmKinds> kKindNames = {
    "fence_crossing", "zone_entry",       "zone_exit",
    "approach",       "loitering",        "speed",
    "count",          "fence_alarm",      "fence_nuisance",
    "sensor_fault",   "sensor_tamper",    "airspace_intrusion",
    "below_floor",    "airspace_approach"};
constexpr std::array<std::string_view, 4> kPriorityNames = {"low", "medium", "high", "critical"};
constexpr std::array<std::string_view, 3> kStateNames = {"raised", "acknowledged", "resolved"};
constexpr std::array<std::string_view, 5> kEventNames = {"raised", "updated", "acknowledged",
                                                         "cleared", "resolved"};
constexpr std::array<std::string_view, 5> kOutcomeNames = {"none", "intrusion", "nuisance", "false",
                                                           "test"};

}  // namespace

std::string_view to_string(AlarmKind k) {
  return kKindNames[static_cast<size_t>(k)];
}
std::optional<AlarmKind> parse_alarm_kind(std::string_view s) {
  return lookup<AlarmKind>(kKindNames, s);
}
std::string_view to_string(AlarmPriority p) {
  return kPriorityNames[static_cast<size_t>(p)];
}
std::optional<AlarmPriority> parse_alarm_priority(std::string_view s) {
  return lookup<AlarmPriority>(kPriorityNames, s);
}
std::string_view to_string(AlarmState s) {
  return kStateNames[static_cast<size_t>(s)];
}
std::optional<AlarmState> parse_alarm_state(std::string_view s) {
  return lookup<AlarmState>(kStateNames, s);
}
std::string_view to_string(AlarmEventType e) {
  return kEventNames[static_cast<size_t>(e)];
}
std::optional<AlarmEventType> parse_alarm_event_type(std::string_view s) {
  return lookup<AlarmEventType>(kEventNames, s);
}
std::string_view to_string(AlarmOutcome o) {
  return kOutcomeNames[static_cast<size_t>(o)];
}
std::optional<AlarmOutcome> parse_alarm_outcome(std::string_view s) {
  return lookup<AlarmOutcome>(kOutcomeNames, s);
}

}  // namespace picket

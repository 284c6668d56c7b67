#include "picket/core/types.h"

namespace picket {
namespace {

template <class E, size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, kNumClasses> kClassNames = {
    "person", "vehicle", "animal", "aircraft", "drone", "unknown"};
constexpr std::array<std::string_view, 4> kStatusNames = {"none", "heartbeat", "tamper", "fault"};
constexpr std::array<std::string_view, 3> kEventNames = {"fence_crossing", "zone_entry",
                                                         "zone_exit"};
constexpr std::array<std::string_view, 4> kTrackStatusNames = {"tentative", "confirmed", "coasting",
                                                               "deleted"};

}  // namespace

std::string_view to_string(TargetClass c) {
  return kClassNames[static_cast<size_t>(c)];
}
std::optional<TargetClass> parse_target_class(std::string_view s) {
  return lookup<TargetClass>(kClassNames, s);
}

std::string_view to_string(SensorStatus s) {
  return kStatusNames[static_cast<size_t>(s)];
}
std::optional<SensorStatus> parse_sensor_status(std::string_view s) {
  return lookup<SensorStatus>(kStatusNames, s);
}

std::string_view to_string(TruthEventKind k) {
  return kEventNames[static_cast<size_t>(k)];
}
std::optional<TruthEventKind> parse_truth_event_kind(std::string_view s) {
  return lookup<TruthEventKind>(kEventNames, s);
}

std::string_view to_string(CrossingDirection d) {
  return d == CrossingDirection::inward ? "inward" : "outward";
}

std::string_view to_string(TrackStatus s) {
  return kTrackStatusNames[static_cast<size_t>(s)];
}
std::optional<TrackStatus> parse_track_status(std::string_view s) {
  return lookup<TrackStatus>(kTrackStatusNames, s);
}

}  // namespace picket

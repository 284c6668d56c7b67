#include "picket/formats/alarms.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "text_out.h"

namespace picket::formats {

namespace {

using json = nlohmann::json;

class Fields {
 public:
  explicit Fields(const json& j) : j_(j) {}
  bool has(const char* k) const {
    auto it = j_.find(k);
    return it != j_.end() && !it->is_null();
  }
  Result<double> number(const char* k) const {
    auto it = j_.find(k);
    if (it == j_.end() || it->is_null()) return Error{k, "missing"};
    if (!it->is_number()) return Error{k, "expected a number"};
    const double v = it->get<double>();
    if (!std::isfinite(v)) return Error{k, "not a finite number"};
    return v;
  }
  Result<double> number_or(const char* k, double fallback) const {
    if (!has(k)) return fallback;
    return number(k);
  }
  Result<long long> integer(const char* k, long long min) const {
    auto it = j_.find(k);
    if (it == j_.end() || it->is_null()) return Error{k, "missing"};
    if (!it->is_number_integer()) return Error{k, "expected a whole number"};
    const long long v = it->get<long long>();
    if (v < min) return Error{k, fmt::format("{} is less than {}", v, min)};
    return v;
  }
  Result<std::string> string(const char* k) const {
    auto it = j_.find(k);
    if (it == j_.end() || it->is_null()) return Error{k, "missing"};
    if (!it->is_string()) return Error{k, "expected a string"};
    return it->get<std::string>();
  }
  Result<std::string> string_or(const char* k) const {
    if (!has(k)) return std::string();
    return string(k);
  }
  Result<bool> boolean_or(const char* k, bool fallback) const {
    if (!has(k)) return fallback;
    const auto& v = j_.at(k);
    if (!v.is_boolean()) return Error{k, "expected true or false"};
    return v.get<bool>();
  }

 private:
  const json& j_;
};

template <class E>
Result<E> enum_field(const Fields& f, const char* key, std::optional<E> (*parse)(std::string_view),
                     const char* choices) {
  PICKET_TRY(s, f.string(key));
  auto v = parse(s);
  if (!v) return Error{key, fmt::format("'{}' is not one of: {}", s, choices)};
  return *v;
}

void bool_field(std::string& out, std::string_view key, bool v) {
  out += ",\"";
  out += key;
  out += v ? "\":true" : "\":false";
}

}  // namespace

Result<AlarmEvent> parse_alarm_event(std::string_view line) {
  json j = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{"", "invalid JSON"};
  if (!j.is_object()) return Error{"", "expected a JSON object"};
  const Fields f(j);
  AlarmEvent e;
  Alarm& a = e.alarm;
  PICKET_TRY(t, f.number("t"));
  if (t < 0) return Error{"t", "negative time"};
  e.t = t;
  PICKET_TRY(id, f.integer("alarm", 1));
  a.id = static_cast<std::uint64_t>(id);
  PICKET_TRY(seq, f.integer("seq", 1));
  if (seq > 0xffffffffLL) return Error{"seq", "too large"};
  a.seq = static_cast<std::uint32_t>(seq);
  PICKET_TRY(type, enum_field<AlarmEventType>(f, "event", parse_alarm_event_type,
                                              "raised, updated, acknowledged, cleared, resolved"));
  e.type = type;
  PICKET_TRY(actor, f.string_or("actor"));
  e.actor = std::move(actor);
  PICKET_TRY(note, f.string_or("note"));
  e.note = std::move(note);
  PICKET_TRY(kind, enum_field<AlarmKind>(f, "kind", parse_alarm_kind,
                                         "fence_crossing, zone_entry, zone_exit, approach, "
                                         "loitering, speed, count, fence_alarm, fence_nuisance, "
                                         "sensor_fault, sensor_tamper, airspace_intrusion, "
                                         "below_floor, airspace_approach"));
  a.kind = kind;
  PICKET_TRY(rule, f.string("rule"));
  a.rule = std::move(rule);
  PICKET_TRY(priority, enum_field<AlarmPriority>(f, "priority", parse_alarm_priority,
                                                 "low, medium, high, critical"));
  a.priority = priority;
  PICKET_TRY(state, enum_field<AlarmState>(f, "state", parse_alarm_state,
                                           "raised, acknowledged, resolved"));
  a.state = state;
  PICKET_TRY(active, f.boolean_or("active", true));
  a.active = active;
  PICKET_TRY(confirmed, f.boolean_or("confirmed", false));
  a.confirmed = confirmed;
  PICKET_TRY(score, f.number_or("score", 0));
  if (score < 0 || score > 1) return Error{"score", fmt::format("{} is not in [0, 1]", score)};
  a.score = score;
  if (f.has("confirmations")) {
    PICKET_TRY(c, f.integer("confirmations", 0));
    a.confirmations = static_cast<int>(std::min(c, 64LL));
  }
  if (f.has("track")) {
    PICKET_TRY(tr, f.integer("track", 0));
    a.track = static_cast<std::uint64_t>(tr);
  }
  PICKET_TRY(fence, f.string_or("fence"));
  a.fence = std::move(fence);
  if (f.has("segment")) {
    PICKET_TRY(s, f.integer("segment", 1));
    if (s > 1'000'000) return Error{"segment", fmt::format("{} is not a segment number", s)};
    a.segment = static_cast<int>(s);
  }
  if (f.has("direction")) {
    PICKET_TRY(d, f.string("direction"));
    if (d == "inward") {
      a.direction = CrossingDirection::inward;
    } else if (d == "outward") {
      a.direction = CrossingDirection::outward;
    } else {
      return Error{"direction", fmt::format("'{}' is not inward or outward", d)};
    }
  }
  PICKET_TRY(zone, f.string_or("zone"));
  a.zone = std::move(zone);
  PICKET_TRY(sensor, f.string_or("sensor"));
  a.sensor = std::move(sensor);
  PICKET_TRY(east, f.number("east"));
  PICKET_TRY(north, f.number("north"));
  a.east = east;
  a.north = north;
  if (f.has("up")) {
    PICKET_TRY(up, f.number("up"));
    a.up = up;
  }
  if (f.has("class")) {
    PICKET_TRY(cls, enum_field<TargetClass>(f, "class", parse_target_class,
                                            "person, vehicle, animal, aircraft, drone, unknown"));
    a.cls = cls;
  }
  PICKET_TRY(class_p, f.number_or("class_p", 0));
  if (class_p < 0 || class_p > 1) return Error{"class_p", "not a probability"};
  a.class_p = class_p;
  if (f.has("sensors")) {
    const auto& s = j["sensors"];
    if (!s.is_array()) return Error{"sensors", "expected a list of sensor ids"};
    for (const auto& item : s) {
      if (!item.is_string()) return Error{"sensors", "expected a list of sensor ids"};
      a.sensors.push_back(item.get<std::string>());
    }
  }
  PICKET_TRY(value, f.number_or("value", 0));
  a.value = value;
  PICKET_TRY(raised_t, f.number_or("raised_t", t));
  a.raised_t = raised_t;
  PICKET_TRY(trigger_t, f.number_or("trigger_t", raised_t));
  a.trigger_t = trigger_t;
  a.last_t = t;
  if (f.has("count")) {
    PICKET_TRY(c, f.integer("count", 1));
    a.count = static_cast<int>(std::min(c, 2'000'000'000LL));
  }
  PICKET_TRY(text, f.string_or("text"));
  a.text = std::move(text);
  PICKET_TRY(ack_by, f.string_or("acknowledged_by"));
  a.acknowledged_by = std::move(ack_by);
  PICKET_TRY(ack_t, f.number_or("acknowledged_t", 0));
  a.acknowledged_t = ack_t;
  if (f.has("outcome")) {
    PICKET_TRY(o, enum_field<AlarmOutcome>(f, "outcome", parse_alarm_outcome,
                                           "intrusion, nuisance, false, test"));
    a.outcome = o;
  }
  PICKET_TRY(res_by, f.string_or("resolved_by"));
  a.resolved_by = std::move(res_by);
  PICKET_TRY(res_t, f.number_or("resolved_t", 0));
  a.resolved_t = res_t;
  PICKET_TRY(exercise, f.boolean_or("exercise", false));
  a.exercise = exercise;
  return e;
}

void append_alarm_event(std::string& out, const AlarmEvent& e) {
  const Alarm& a = e.alarm;
  out += "{\"t\":";
  text::fixed(out, e.t, 6);
  fmt::format_to(std::back_inserter(out), ",\"alarm\":{},\"seq\":{},", a.id, a.seq);
  text::string_field(out, "event", to_string(e.type));
  out += ',';
  text::string_field(out, "actor", e.actor);
  out += ',';
  text::string_field(out, "kind", to_string(a.kind));
  out += ',';
  text::string_field(out, "rule", a.rule);
  out += ',';
  text::string_field(out, "priority", to_string(a.priority));
  out += ',';
  text::string_field(out, "state", to_string(a.state));
  bool_field(out, "active", a.active);
  bool_field(out, "confirmed", a.confirmed);
  text::number_field(out, "score", a.score, 4);
  fmt::format_to(std::back_inserter(out), ",\"confirmations\":{}", a.confirmations);
  if (a.track != 0) fmt::format_to(std::back_inserter(out), ",\"track\":{}", a.track);
  if (!a.fence.empty()) {
    out += ',';
    text::string_field(out, "fence", a.fence);
  }
  if (a.segment != 0) fmt::format_to(std::back_inserter(out), ",\"segment\":{}", a.segment);
  if (a.direction) {
    out += ',';
    text::string_field(out, "direction", to_string(*a.direction));
  }
  if (!a.zone.empty()) {
    out += ',';
    text::string_field(out, "zone", a.zone);
  }
  if (!a.sensor.empty()) {
    out += ',';
    text::string_field(out, "sensor", a.sensor);
  }
  text::number_field(out, "east", a.east, 3);
  text::number_field(out, "north", a.north, 3);
  if (a.up) text::number_field(out, "up", *a.up, 3);
  if (a.track != 0) {
    out += ',';
    text::string_field(out, "class", to_string(a.cls));
    text::number_field(out, "class_p", a.class_p, 4);
    out += ",\"sensors\":[";
    for (size_t i = 0; i < a.sensors.size(); ++i) {
      if (i) out += ',';
      // string_field writes "key":"value"; a list element is just the quoted value.
      std::string item;
      text::string_field(item, "", a.sensors[i]);
      out.append(item, 3);
    }
    out += ']';
  }
  text::number_field(out, "value", a.value, 3);
  text::number_field(out, "raised_t", a.raised_t, 6);
  text::number_field(out, "trigger_t", a.trigger_t, 6);
  fmt::format_to(std::back_inserter(out), ",\"count\":{}", a.count);
  out += ',';
  text::string_field(out, "text", a.text);
  if (!e.note.empty()) {
    out += ',';
    text::string_field(out, "note", e.note);
  }
  if (!a.acknowledged_by.empty()) {
    out += ',';
    text::string_field(out, "acknowledged_by", a.acknowledged_by);
    text::number_field(out, "acknowledged_t", a.acknowledged_t, 6);
  }
  if (a.outcome != AlarmOutcome::none) {
    out += ',';
    text::string_field(out, "outcome", to_string(a.outcome));
  }
  if (!a.resolved_by.empty()) {
    out += ',';
    text::string_field(out, "resolved_by", a.resolved_by);
    text::number_field(out, "resolved_t", a.resolved_t, 6);
  }
  if (a.exercise) out += ",\"exercise\":true";
  out += "}\n";
}

}  // namespace picket::formats

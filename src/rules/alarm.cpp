#include "picket/rules/alarm.h"

#include <fmt/format.h>

#include <algorithm>

namespace picket::rules {

Status check_transition(const Alarm& a, AlarmEventType type) {
  if (a.state == AlarmState::resolved) {
    return Error{fmt::format("alarm {}", a.id),
                 fmt::format("already resolved by {} ({})", a.resolved_by, to_string(a.outcome))};
  }
  switch (type) {
    case AlarmEventType::raised:
      return Error{fmt::format("alarm {}", a.id), "already raised"};
    case AlarmEventType::acknowledged:
      if (a.state == AlarmState::acknowledged) {
        return Error{fmt::format("alarm {}", a.id),
                     fmt::format("already acknowledged by {}", a.acknowledged_by)};
      }
      return Ok{};
    case AlarmEventType::updated:
    case AlarmEventType::cleared:
    case AlarmEventType::resolved:
      return Ok{};
  }
  return Ok{};
}

AlarmEvent AlarmBook::event(const Alarm& a, double t, AlarmEventType type, std::string_view actor,
                            std::string note) const {
  AlarmEvent e;
  e.t = t;
  e.type = type;
  e.actor = std::string(actor);
  e.note = std::move(note);
  e.alarm = a;
  return e;
}

std::uint64_t AlarmBook::raise(Alarm proto, double t, std::string_view actor, std::string note,
                               std::vector<AlarmEvent>& out) {
  proto.id = next_id_++;
  proto.state = AlarmState::raised;
  proto.seq = 1;
  proto.raised_t = t;
  proto.last_t = t;
  if (proto.trigger_t == 0 || proto.trigger_t > t) proto.trigger_t = t;
  auto [it, inserted] = open_.emplace(proto.id, std::move(proto));
  out.push_back(event(it->second, t, AlarmEventType::raised, actor, std::move(note)));
  return it->first;
}

Alarm* AlarmBook::open(std::uint64_t id) {
  auto it = open_.find(id);
  return it == open_.end() ? nullptr : &it->second;
}

const Alarm* AlarmBook::open(std::uint64_t id) const {
  auto it = open_.find(id);
  return it == open_.end() ? nullptr : &it->second;
}

void AlarmBook::updated(Alarm& a, double t, std::string_view actor, std::string note,
                        std::vector<AlarmEvent>& out) {
  ++a.seq;
  a.last_t = std::max(a.last_t, t);
  out.push_back(event(a, t, AlarmEventType::updated, actor, std::move(note)));
}

void AlarmBook::cleared(Alarm& a, double t, std::string_view actor, std::string note,
                        std::vector<AlarmEvent>& out) {
  if (!a.active) return;
  a.active = false;
  ++a.seq;
  a.last_t = std::max(a.last_t, t);
  out.push_back(event(a, t, AlarmEventType::cleared, actor, std::move(note)));
}

Result<AlarmEvent> AlarmBook::acknowledge(std::uint64_t id, double t, const std::string& who,
                                          const std::string& note) {
  Alarm* a = open(id);
  if (!a) return Error{fmt::format("alarm {}", id), "no such open alarm"};
  if (who.empty()) return Error{fmt::format("alarm {}", id), "an acknowledgement needs a user"};
  if (auto st = check_transition(*a, AlarmEventType::acknowledged); !st) return st.error();
  a->state = AlarmState::acknowledged;
  a->acknowledged_by = who;
  a->acknowledged_t = t;
  ++a->seq;
  a->last_t = std::max(a->last_t, t);
  return event(*a, t, AlarmEventType::acknowledged, who, note);
}

Result<AlarmEvent> AlarmBook::resolve(std::uint64_t id, double t, const std::string& who,
                                      AlarmOutcome outcome, const std::string& note) {
  Alarm* a = open(id);
  if (!a) return Error{fmt::format("alarm {}", id), "no such open alarm"};
  if (who.empty()) return Error{fmt::format("alarm {}", id), "a resolution needs a user"};
  if (outcome == AlarmOutcome::none) {
    return Error{fmt::format("alarm {}", id),
                 "a resolution needs an outcome (intrusion, nuisance, false or test)"};
  }
  if (auto st = check_transition(*a, AlarmEventType::resolved); !st) return st.error();
  a->state = AlarmState::resolved;
  a->outcome = outcome;
  a->resolved_by = who;
  a->resolved_t = t;
  ++a->seq;
  a->last_t = std::max(a->last_t, t);
  AlarmEvent e = event(*a, t, AlarmEventType::resolved, who, note);
  open_.erase(id);
  return e;
}

void AlarmBook::restore(const Alarm& alarm) {
  if (alarm.state != AlarmState::resolved) open_[alarm.id] = alarm;
  next_id_ = std::max(next_id_, alarm.id + 1);
}

}  // namespace picket::rules

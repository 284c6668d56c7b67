// Alarms and their life cycle: the header the rules, the store, the server and the console API
// share. The value types (Alarm, AlarmEvent and their enums) are defined in
// picket/core/alarm.h, below the formats layer that reads and writes them; this header adds
// the one state machine every user of alarms follows, and the AlarmBook that applies it.
//
//   state:   raised ──acknowledge──► acknowledged ──resolve──► resolved
//              └───────────────resolve─────────────────────────┘
//   events:  raised, updated (re-trigger, priority, confirmation), cleared (condition gone),
//            acknowledged (who, when, note), resolved (who, when, outcome, note).
// An open alarm (raised or acknowledged) takes updates and clears; a resolved one takes
// nothing and leaves the book (the store keeps it).
//
// Thread-safety: none; an AlarmBook belongs to the thread of its rules engine.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/alarm.h"
#include "picket/core/result.h"

namespace picket::rules {

// Ok, or why `type` may not happen to `alarm` now (e.g. "alarm 12 is already resolved").
Status check_transition(const Alarm& alarm, AlarmEventType type);

class AlarmBook {
 public:
  explicit AlarmBook(std::uint64_t next_id = 1) : next_id_(next_id) {}

  // Raises a new alarm from `proto` (id, state, seq and times are set here) and appends the
  // `raised` event to `out`. Returns the new alarm's id.
  std::uint64_t raise(Alarm proto, double t, std::string_view actor, std::string note,
                      std::vector<AlarmEvent>& out);
  // The open alarm with this id, or nullptr (unknown or resolved). The caller may change its
  // fields and must then call `updated` (or `cleared`) to record the change.
  Alarm* open(std::uint64_t id);
  const Alarm* open(std::uint64_t id) const;
  // Records an `updated` event of an open alarm the caller has changed.
  void updated(Alarm& alarm, double t, std::string_view actor, std::string note,
               std::vector<AlarmEvent>& out);
  // The condition is gone (active = false); records a `cleared` event. No-op if not active.
  void cleared(Alarm& alarm, double t, std::string_view actor, std::string note,
               std::vector<AlarmEvent>& out);

  // Operator actions; each returns its event or why it is refused.
  Result<AlarmEvent> acknowledge(std::uint64_t id, double t, const std::string& who,
                                 const std::string& note);
  Result<AlarmEvent> resolve(std::uint64_t id, double t, const std::string& who,
                             AlarmOutcome outcome, const std::string& note);

  // Puts back an open alarm read from the store (after a restart); later ids follow it.
  void restore(const Alarm& alarm);

  // Open alarms by id.
  const std::map<std::uint64_t, Alarm>& open_alarms() const { return open_; }
  std::uint64_t next_id() const { return next_id_; }

 private:
  AlarmEvent event(const Alarm& a, double t, AlarmEventType type, std::string_view actor,
                   std::string note) const;
  std::uint64_t next_id_;
  std::map<std::uint64_t, Alarm> open_;
};

}  // namespace picket::rules

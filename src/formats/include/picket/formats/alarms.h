// alarms.jsonl: one line per alarm event (docs/formats.md "Alarms").
//
// Each line is one change in an alarm's life (raised, updated, acknowledged, cleared,
// resolved) with the alarm's state after it, so the file is both the announcement stream and
// the full history. append_alarm_event writes numbers at fixed resolutions (time to the
// microsecond, metres to the millimetre), so the same events always give the same bytes;
// parse_alarm_event reads a line back or names the field that is wrong.
#pragma once

#include <string>
#include <string_view>

#include "picket/core/alarm.h"
#include "picket/core/result.h"
#include "picket/formats/jsonl.h"

namespace picket::formats {

Result<AlarmEvent> parse_alarm_event(std::string_view line);
void append_alarm_event(std::string& out, const AlarmEvent& e);

inline Result<JsonlReader<AlarmEvent>> open_alarm_events(const std::string& path,
                                                         ReadOptions o = {}) {
  return JsonlReader<AlarmEvent>::open(path, parse_alarm_event, o);
}

}  // namespace picket::formats

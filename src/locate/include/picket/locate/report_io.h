// JSON Lines forms of point-event reports (input) and located events (output), docs/formats.md.
//
// parse_event_report turns one line into a report or says which field is wrong; the site gives
// the sensor's type (the default signal: acoustic sensors hear sound, the others see light) and
// the frame for positions given as lat/lon. append_located_event writes one event line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/locate/point_event.h"

namespace picket::locate {

Result<EventReport> parse_event_report(std::string_view line, const Site& site);

// One event line (with '\n'). `reports` are the reports the event's indices refer to.
void append_located_event(std::string& out, const LocatedEvent& event,
                          const std::vector<EventReport>& reports);

}  // namespace picket::locate

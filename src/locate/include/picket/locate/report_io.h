// JSON Lines forms of point-event reports (input; the record is formats/point_reports.h) and of
// located events (output), docs/formats.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/formats/point_reports.h"
#include "picket/locate/point_event.h"

namespace picket::locate {

inline Result<EventReport> parse_event_report(std::string_view line, const Site& site) {
  return formats::parse_point_report(line, site);
}

// One event line (with '\n'). `reports` are the reports the event's indices refer to.
void append_located_event(std::string& out, const LocatedEvent& event,
                          const std::vector<EventReport>& reports);

}  // namespace picket::locate

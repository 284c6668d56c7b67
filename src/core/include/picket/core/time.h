// Time as data: Picket timestamps are Unix seconds (UTC) in a double. These helpers turn them to
// and from ISO 8601 text for files and people.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace picket {

// Parses "2026-11-28T22:00:00Z", "2026-11-28T22:00:00.250Z", "2026-11-28 22:00:00" (UTC) or an
// offset such as "+01:00". Returns Unix seconds.
std::optional<double> parse_iso8601(std::string_view text);

// Formats Unix seconds as "2026-11-28T22:00:00.250Z" (milliseconds).
std::string format_iso8601(double unix_seconds);

}  // namespace picket

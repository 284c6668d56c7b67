// Track updates as JSON Lines (docs/formats.md, "Track updates"): one line per TrackState the
// tracker publishes. parse_track_update turns one line into a TrackState or says which field is
// wrong; append_track_update adds one line (with its '\n') with fixed resolutions (time to the
// microsecond, metres to the millimetre), so a given run always gives the same bytes.
#pragma once

#include <string>
#include <string_view>

#include "picket/core/result.h"
#include "picket/core/types.h"
#include "picket/formats/jsonl.h"

namespace picket::formats {

Result<TrackState> parse_track_update(std::string_view line);
void append_track_update(std::string& out, const TrackState& s);

inline Result<JsonlReader<TrackState>> open_track_updates(const std::string& path,
                                                          ReadOptions o = {}) {
  return JsonlReader<TrackState>::open(path, parse_track_update, o);
}

}  // namespace picket::formats

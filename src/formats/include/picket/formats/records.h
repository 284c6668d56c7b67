// The JSON Lines records of docs/formats.md: detections, truth samples and truth events.
//
// parse_* turn one line into a record or say exactly which field is wrong; append_* add one
// line (with its '\n') to a buffer. Writers print numbers with fixed resolutions (time in
// microseconds, metres in millimetres, degrees to 1e-6) so outputs are compact and identical
// from run to run. Unknown fields are ignored on reading: the formats may grow.
#pragma once

#include <string>
#include <string_view>

#include "picket/core/result.h"
#include "picket/core/types.h"
#include "picket/formats/jsonl.h"

namespace picket::formats {

Result<Detection> parse_detection(std::string_view line);
void append_detection(std::string& out, const Detection& d);

Result<TruthSample> parse_truth(std::string_view line);
void append_truth(std::string& out, const TruthSample& s);

Result<TruthEvent> parse_event(std::string_view line);
void append_event(std::string& out, const TruthEvent& e);

inline Result<JsonlReader<Detection>> open_detections(const std::string& path, ReadOptions o = {}) {
  return JsonlReader<Detection>::open(path, parse_detection, o);
}
inline Result<JsonlReader<TruthSample>> open_truth(const std::string& path, ReadOptions o = {}) {
  return JsonlReader<TruthSample>::open(path, parse_truth, o);
}
inline Result<JsonlReader<TruthEvent>> open_events(const std::string& path, ReadOptions o = {}) {
  return JsonlReader<TruthEvent>::open(path, parse_event, o);
}

}  // namespace picket::formats

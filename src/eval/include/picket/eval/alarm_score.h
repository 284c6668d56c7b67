// Detection performance of the alarm chain against ground truth, in the manner of perimeter
// intrusion detection system (PIDS) testing (docs/alarm-eval.md has the definitions):
//
//  - probability of detection Pd: the fraction of intrusions (truth events: inward fence
//    crossings, and entries into the protected zones, by intruder classes) that an alarm of an
//    intrusion kind, at or above the required priority and confirmation score, reports within
//    the allowed time window and distance of the event; with the one-sided 95 % lower
//    confidence bound (Clopper-Pearson), as PIDS acceptance tests state "Pd >= x at 95 %
//    confidence";
//  - time to alarm: from the truth event to the first such alarm (median, 95th percentile);
//  - unwanted alarms, split as in Garcia, "The Design and Evaluation of Physical Protection
//    Systems" (2nd ed., 2008) and the UK CAST/CPNI "Guide to Perimeter Intrusion Detection
//    Systems" (Publication 05/12, 2012): a nuisance alarm has a cause that is not an intrusion
//    (an animal, a person leaving, any truth event that is not an intrusion), a false alarm has
//    no cause in the truth at all (wind, clutter, the equipment); rates per day, per zone per
//    day and per kilometre of fence per day;
//  - the trade-off: Pd against the unwanted-alarm rate as the confirmation threshold (the
//    alarm's score) is swept from 0 to 1.
//
// Pure computation over parsed records; the caller reads the files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "picket/core/alarm.h"
#include "picket/core/site.h"
#include "picket/core/types.h"

namespace picket::eval {

struct AlarmScoreOptions {
  double before_s = 10;    // an alarm may come this long before the event (approach alarms)
  double after_s = 30;     // ... and at most this long after it
  double distance_m = 50;  // alarm position within this distance of the event (fence alarms:
                           // also any alarm on the event's segment or its neighbours)
  // An alarm this close in time (and within distance_m) to any truth event of an intruder is
  // caused by that intruder: a true alarm, not a false one (a fence alarm while the intruder
  // waits at the fence before climbing).
  double attribution_s = 60;
  AlarmPriority min_priority = AlarmPriority::high;
  double min_score = 0;  // the confirmation threshold (alarm score, 0..1)
  // Truth classes whose events are intrusions (bit per TargetClass).
  std::uint8_t intruder_classes = (1u << static_cast<unsigned>(TargetClass::person)) |
                                  (1u << static_cast<unsigned>(TargetClass::vehicle));
  // Zones whose entry is an intrusion. Empty with a site: the zones of its zone_entry rules.
  std::vector<std::string> protected_zones;
  std::optional<double> duration_s;  // observed time; default: the span of events and alarms
  int sweep_steps = 20;              // thresholds 0, 1/steps, ..., 1
};

struct IntrusionResult {
  TruthEvent event;
  bool detected = false;
  std::uint64_t alarm = 0;     // the first matching alarm
  double time_to_alarm_s = 0;  // alarm time - event time (negative: alarm before the event)
};

enum class AlarmVerdict : std::uint8_t { detection, nuisance, false_alarm };
std::string_view to_string(AlarmVerdict v);

struct ScoredAlarm {
  std::uint64_t id = 0;
  AlarmKind kind = AlarmKind::fence_crossing;
  std::string rule;
  double t = 0;  // when it first met the priority and score required
  double east = 0, north = 0;
  std::string fence, zone;
  int segment = 0;
  AlarmVerdict verdict = AlarmVerdict::false_alarm;
  std::string cause;  // the truth event's mover and kind, for detections and nuisances
};

struct RateBucket {
  std::string id;
  double size = 0;  // km of fence, or km^2 of zone
  int false_alarms = 0;
  int nuisance_alarms = 0;
  double false_per_day = 0;     // per km per day for fences
  double nuisance_per_day = 0;  // per km per day for fences
};

struct SweepPoint {
  double threshold = 0;
  double pd = 0;
  double unwanted_per_day = 0;  // false + nuisance
  double false_per_day = 0;
  double nuisance_per_day = 0;
  std::optional<double> tta_median_s;
};

struct AlarmScore {
  AlarmScoreOptions options;
  double duration_s = 0;
  std::string duration_from;  // "option" or "data"
  std::vector<IntrusionResult> intrusions;
  int detected = 0;
  double pd = 0;
  double pd_lower95 = 0;
  int intruders = 0;  // distinct movers with at least one intrusion
  int intruders_detected = 0;
  std::optional<double> tta_median_s, tta_p95_s, tta_max_s;
  std::vector<ScoredAlarm> alarms;  // those that met the priority and score
  int detections = 0, nuisance = 0, false_alarms = 0;
  double false_per_day = 0, nuisance_per_day = 0;
  double fence_km = 0;
  double false_per_km_day = 0, nuisance_per_km_day = 0;
  std::vector<RateBucket> per_fence;
  std::vector<RateBucket> per_zone;
  int high_priority_nuisance = 0;  // nuisance alarms that reached high or critical priority
  int high_priority_false = 0;     // false alarms that reached high or critical priority
  std::vector<SweepPoint> sweep;
};

// Scores alarm events (alarms.jsonl) against truth events (events.jsonl). `site` (optional)
// gives fence lengths, zone areas and the protected zones.
AlarmScore score_alarms(const std::vector<TruthEvent>& events,
                        const std::vector<AlarmEvent>& alarm_events, const Site* site,
                        const AlarmScoreOptions& options);

// The score as JSON (docs/alarm-eval.md).
std::string to_json(const AlarmScore& score, int indent = 2);

// Pd against unwanted alarms per day over the threshold sweep, as an SVG document.
std::string sweep_svg(const AlarmScore& score);

// Helpers, exposed for tests.
// One-sided lower confidence bound of a binomial proportion (Clopper-Pearson, 1934).
double clopper_pearson_lower(int successes, int trials, double confidence);
// Quantile q of sorted values, linear interpolation between order statistics (Hyndman and
// Fan's type 7, as numpy's default).
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace picket::eval

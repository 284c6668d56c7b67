// `picket eval` has three modes, each in its own file: tracks against truth (eval_tracks.cpp),
// image-plane tracks against MOTChallenge ground truth (eval_mot.cpp), and alarms against truth
// events (eval_alarms.cpp).
#pragma once

#include <string>
#include <vector>

namespace picket::app {

struct EvalOptions {
  // tracks against truth
  std::string truth;
  std::string tracks;
  double cutoff_m = 10;  // GOSPA/OSPA cut-off c
  double order = 1;      // GOSPA/OSPA order p
  // MOTChallenge: ground truth and results files
  std::vector<std::string> mot;
  double iou = 0.5;
  std::string mot_preprocess = "auto";  // auto, none, mot15, mot16, mot17, mot20
  std::string mot_seqinfo;              // seqinfo.ini giving the sequence length
  // alarms against truth events
  std::string events;
  std::string alarms;
  std::string site;
  double alarm_before_s = 10;                // an alarm may precede the event by this much
  double alarm_window_s = 30;                // ... and follow it by at most this much
  double alarm_distance_m = 50;              // alarm position within this distance of the event
  std::string alarm_priority = "high";       // the least priority that counts as a detection
  double alarm_threshold = 0;                // the least alarm score that counts
  double duration_s = 0;                     // observed time; 0: the span of the data
  std::vector<std::string> protected_zones;  // zone entries that are intrusions
  // common
  std::string plot;  // PNG or SVG of the metrics over time
};

int run_track_eval(const EvalOptions& o);
int run_mot_eval(const EvalOptions& o);
int run_alarm_eval(const EvalOptions& o);

}  // namespace picket::app

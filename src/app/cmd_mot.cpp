// picket mot DET.txt --out RES.txt: track MOTChallenge detections in the image plane (ByteTrack,
// or SORT with --sort; src/imagetrack) and write MOTChallenge results.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <limits>
#include <map>

#include "commands.h"
#include "picket/formats/mot.h"
#include "picket/imagetrack/tracker.h"
#include "progress.h"

namespace picket::app {

namespace {

struct MotOptions {
  std::string detections;
  std::string out;
  bool sort = false;
  double frame_rate = 0;
  std::string seqinfo;
  bool skip_bad = false;
  double high_score = std::numeric_limits<double>::quiet_NaN();
  double low_score = std::numeric_limits<double>::quiet_NaN();
  double birth_score = std::numeric_limits<double>::quiet_NaN();
  double match_iou = std::numeric_limits<double>::quiet_NaN();
  double max_lost_s = std::numeric_limits<double>::quiet_NaN();
  double min_box_area = 0;
  double max_aspect = std::numeric_limits<double>::infinity();
  bool progress = false;
  bool measured = false;
  std::string model = "xywh";
};

int run_mot(const MotOptions& o) {
  // The frame rate: given, from seqinfo.ini, or from the MOTChallenge layout SEQ/det/det.txt.
  double rate = o.frame_rate;
  int length = 0;
  std::string seqinfo = o.seqinfo;
  if (seqinfo.empty()) {
    const auto guess =
        std::filesystem::path(o.detections).parent_path().parent_path() / "seqinfo.ini";
    std::error_code ec;
    if (std::filesystem::is_regular_file(guess, ec)) seqinfo = guess.string();
  }
  if (!seqinfo.empty()) {
    auto info = formats::read_seqinfo(seqinfo);
    if (!info) {
      fmt::print(stderr, "picket mot: {}\n", info.error().message());
      return kExitUsage;
    }
    if (rate <= 0) rate = info->frame_rate;
    length = info->length;
  }
  if (rate <= 0) {
    rate = 30;
    fmt::print(stderr,
               "picket mot: no --frame-rate and no seqinfo.ini: assuming 30 frames per second\n");
  }

  auto params = o.sort ? imagetrack::BoxTrackerParams::sort(rate)
                       : imagetrack::BoxTrackerParams::bytetrack(rate);
  if (!std::isnan(o.high_score)) params.high_score = o.high_score;
  if (!std::isnan(o.low_score)) params.low_score = o.low_score;
  if (!std::isnan(o.birth_score)) params.birth_score = o.birth_score;
  if (!std::isnan(o.match_iou)) params.match_iou = o.match_iou;
  if (!std::isnan(o.max_lost_s)) params.max_lost_s = o.max_lost_s;
  params.report_measured = o.measured;
  params.model = o.model == "xyah" ? imagetrack::BoxModel::xyah : imagetrack::BoxModel::xywh;
  params.min_box_area = o.min_box_area;
  params.max_aspect = o.max_aspect;
  auto tracker = imagetrack::BoxTracker::create(params);
  if (!tracker) {
    fmt::print(stderr, "picket mot: invalid parameter {}\n", tracker.error().message());
    return kExitUsage;
  }

  // Read every detection, grouped by frame (files need not be in frame order).
  auto reader = formats::open_mot(o.detections, {.skip_bad = o.skip_bad});
  if (!reader) {
    fmt::print(stderr, "picket mot: {}\n", reader.error().message());
    return kExitUsage;
  }
  std::map<int, std::vector<imagetrack::BoxDetection>> frames;
  ProgressBar read_bar("reading", o.progress);
  for (;;) {
    auto r = reader->next();
    if (!r) {
      fmt::print(stderr, "picket mot: {}\n", r.error().message());
      if (!o.skip_bad) fmt::print(stderr, "  (--skip-bad skips and counts bad lines)\n");
      return kExitUsage;
    }
    if (!*r) break;
    const auto& row = **r;
    frames[row.frame].push_back({{row.x, row.y, row.w, row.h}, row.conf, 0});
    if (reader->stats().records % 4096 == 0) read_bar.update(reader->progress());
  }
  read_bar.finish();
  const auto& rs = reader->stats();
  if (rs.bad > 0) {
    fmt::print(stderr, "picket mot: {} bad lines skipped; first: {}\n", rs.bad,
               rs.first_errors.front().message());
  }
  const int last = std::max(length, frames.empty() ? 0 : frames.rbegin()->first);

  auto writer = formats::JsonlWriter::create(o.out);
  if (!writer) {
    fmt::print(stderr, "picket mot: {}\n", writer.error().message());
    return kExitFailure;
  }
  ProgressBar bar("tracking", o.progress);
  const std::vector<imagetrack::BoxDetection> none;
  std::size_t rows = 0;
  std::map<std::uint64_t, int> ids;
  std::chrono::steady_clock::duration busy{};
  for (int f = 1; f <= last; ++f) {
    const auto it = frames.find(f);
    const auto& dets = it == frames.end() ? none : it->second;
    const auto t0 = std::chrono::steady_clock::now();
    auto out = tracker->update((f - 1) / rate, dets);
    busy += std::chrono::steady_clock::now() - t0;
    if (!out) {  // cannot happen: frame times only increase
      fmt::print(stderr, "picket mot: frame {}: {}\n", f, out.error().message());
      return kExitFailure;
    }
    for (const auto& t : *out) {
      formats::MotRow r;
      r.frame = f;
      r.id = static_cast<long long>(t.id);
      r.x = t.box.x;
      r.y = t.box.y;
      r.w = t.box.w;
      r.h = t.box.h;
      r.conf = t.score;
      formats::append_mot_row(writer->buffer(), r);
      writer->commit();
      ++ids[t.id];
      ++rows;
    }
    if (f % 64 == 0) bar.update(static_cast<double>(f) / last, fmt::format("frame {}", f));
  }
  bar.finish();
  if (auto s = writer->close(); !s) {
    fmt::print(stderr, "picket mot: {}\n", s.error().message());
    return kExitFailure;
  }
  const auto& st = tracker->stats();
  const double secs = std::chrono::duration<double>(busy).count();
  fmt::print(stderr,
             "picket mot ({}, {:g} Hz): {} frames, {} boxes ({} rejected, {} below the low "
             "score), {} tracks reported in {} rows; {} low-score matches; {:.0f} frames/s\n",
             o.sort ? "SORT" : "ByteTrack", rate, st.frames, st.boxes, st.boxes_rejected,
             st.boxes_below_low, ids.size(), rows, st.second_matches,
             secs > 0 ? static_cast<double>(st.frames) / secs : 0.0);
  return kExitOk;
}

}  // namespace

void add_mot_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<MotOptions>();
  auto* cmd = app.add_subcommand(
      "mot",
      "Track MOTChallenge detections (det.txt) in the image plane and write MOTChallenge "
      "results:\n  picket mot DET.txt --out RES.txt   (ByteTrack; --sort for the SORT baseline)");
  cmd->add_option("DET", o->detections,
                  "Detections, MOTChallenge text (frame,-1,x,y,w,h,score,...)")
      ->required();
  cmd->add_option("-o,--out", o->out, "Results file to write (MOTChallenge text; - for stdout)")
      ->required();
  cmd->add_flag("--sort", o->sort, "Use the SORT baseline instead of ByteTrack");
  cmd->add_option("--frame-rate", o->frame_rate,
                  "Frames per second (default: seqinfo.ini beside det/, else 30)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seqinfo", o->seqinfo, "The sequence's seqinfo.ini (frame rate and length)");
  cmd->add_flag("--skip-bad", o->skip_bad, "Skip and count bad lines instead of stopping");
  cmd->add_option("--high-score", o->high_score, "ByteTrack: high-score threshold (0.6)");
  cmd->add_option("--low-score", o->low_score, "ByteTrack: low-score threshold (0.1)");
  cmd->add_option("--birth-score", o->birth_score, "ByteTrack: score to start a track (0.7)");
  cmd->add_option("--match-iou", o->match_iou, "Minimum IoU to associate (0.2; SORT 0.3)");
  cmd->add_option("--max-lost", o->max_lost_s,
                  "Seconds a lost track is kept (ByteTrack 1; SORT one frame)");
  cmd->add_option("--min-box-area", o->min_box_area, "Report only boxes larger than this (px^2)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-aspect", o->max_aspect, "Report only boxes with width/height <= this")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--box-model", o->model,
                  "ByteTrack's Kalman box model: xywh (BoT-SORT's, default) or xyah (original)")
      ->check(CLI::IsMember({"xywh", "xyah"}));
  cmd->add_flag("--measured-box", o->measured,
                "Report each track's matched detection box instead of its filtered box");
  cmd->add_flag("--progress", o->progress, "Show progress even when stderr is not a terminal");
  cmd->callback([&run, o] { run = [o] { return run_mot(*o); }; });
}

}  // namespace picket::app

// picket video FILE --camera ID --site SITE.yaml --out DIR: run one camera's analytics on a
// video file offline. Writes DIR/detections.jsonl (ground positions in the detections format,
// image track ids as `id`), DIR/tracks.txt (the image-plane tracks in MOTChallenge format),
// DIR/annotated.avi (boxes, classes, ids, ground positions) and DIR/summary.json.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>

#include "commands.h"
#include "picket/core/site.h"
#include "picket/core/time.h"
#include "picket/formats/jsonl.h"
#include "picket/formats/mot.h"
#include "picket/formats/records.h"
#include "picket/video/analytics.h"
#include "picket/video/annotate.h"
#include "picket/video/camera_config.h"
#include "picket/video/source.h"
#include "progress.h"

namespace picket::app {

namespace {

struct VideoOptions {
  std::string file;
  std::string camera;
  std::string site;
  std::string out;
  std::string start = "0";
  long long max_frames = 0;
  bool no_video = false;
  bool no_hog = false;
};

int run_video(const VideoOptions& o) {
  auto site = load_site(o.site);
  if (!site) {
    fmt::print(stderr, "picket: invalid site file\n{}\n", site.error().message());
    return kExitUsage;
  }
  auto config = video::camera_config(*site, o.camera);
  if (!config) {
    fmt::print(stderr, "picket: {}\n", config.error().message());
    return kExitUsage;
  }
  if (o.no_hog) config->hog.enabled = false;
  std::optional<double> start = parse_iso8601(o.start);
  if (!start) {
    try {
      size_t used = 0;
      start = std::stod(o.start, &used);
      if (used != o.start.size()) start.reset();
    } catch (const std::exception&) {
    }
  }
  if (!start) {
    fmt::print(stderr, "picket: --start '{}' is neither ISO 8601 time nor Unix seconds\n", o.start);
    return kExitUsage;
  }

  video::SystemClock clock;
  auto input = video::VideoInput::open_file(o.camera, o.file, *start, clock);
  if (!input) {
    fmt::print(stderr, "picket: {}\n", input.error().message());
    return kExitUsage;
  }
  auto& in = **input;
  auto first = in.poll();
  if (!first) {
    fmt::print(stderr, "picket: {}: no frame could be decoded\n", o.file);
    return kExitUsage;
  }
  auto analytics = video::CameraAnalytics::create(*config, first->image.size(), in.fps());
  if (!analytics) {
    fmt::print(stderr, "picket: {}\n", analytics.error().message());
    return kExitUsage;
  }

  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) {
    fmt::print(stderr, "picket: cannot create {}: {}\n", o.out, ec.message());
    return kExitFailure;
  }
  auto det_out = formats::JsonlWriter::create(o.out + "/detections.jsonl");
  if (!det_out) {
    fmt::print(stderr, "picket: {}\n", det_out.error().message());
    return kExitFailure;
  }
  std::optional<formats::JsonlWriter> mot_out;
  if (config->tracking.enabled) {
    auto w = formats::JsonlWriter::create(o.out + "/tracks.txt");
    if (!w) {
      fmt::print(stderr, "picket: {}\n", w.error().message());
      return kExitFailure;
    }
    mot_out.emplace(std::move(*w));
  }
  cv::VideoWriter annotated;
  const std::string video_path = o.out + "/annotated.avi";
  if (!o.no_video) {
    const double fps = in.fps() > 0 ? in.fps() : config->frame_rate_hz;
    try {
      annotated.open(video_path, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps,
                     first->image.size(), first->image.channels() == 3);
    } catch (const cv::Exception& e) {
      spdlog::debug("VideoWriter: {}", e.what());
    }
    if (!annotated.isOpened()) {
      fmt::print(stderr, "picket: cannot write {}\n", video_path);
      return kExitFailure;
    }
  }

  ProgressBar progress("video");
  const double mask_scale = static_cast<double>(first->image.cols) / config->intrinsics.width;
  std::int64_t frames = 0, written = 0, people = 0, placed = 0, track_rows = 0;
  std::optional<video::Frame> frame = std::move(first);
  while (frame) {
    auto found = (*analytics)->process(frame->image, frame->t);
    for (const auto& d : found) {
      if (d.image.cls == TargetClass::person) ++people;
      if (!d.ground) continue;
      ++placed;
      formats::append_detection(det_out->buffer(), (*analytics)->to_detection(d, frame->t));
      det_out->commit();
      ++written;
    }
    if (mot_out) {
      // MOTChallenge frames count from 1: the frame's index in the file plus one.
      for (const auto& tb : (*analytics)->tracks()) {
        formats::MotRow row;
        row.frame = static_cast<int>(frame->index + 1);
        row.id = static_cast<long long>(tb.id);
        row.x = tb.box.x;
        row.y = tb.box.y;
        row.w = tb.box.w;
        row.h = tb.box.h;
        row.conf = tb.score;
        formats::append_mot_row(mot_out->buffer(), row);
        mot_out->commit();
        ++track_rows;
      }
    }
    if (annotated.isOpened()) {
      video::draw_detections(frame->image, found, config->masks, mask_scale, frame->t);
      annotated.write(frame->image);
    }
    ++frames;
    if (in.frame_count() > 0) {
      progress.update(static_cast<double>(frames) / in.frame_count(),
                      fmt::format("{} frames, {} detections", frames, written));
    }
    if (o.max_frames > 0 && frames >= o.max_frames) break;
    frame = in.poll();
  }
  progress.finish(fmt::format("{} frames, {} detections", frames, written));
  for (const auto& e : in.take_events()) {
    if (e.kind == video::InputEventKind::ended && e.message != "end of file") {
      fmt::print(stderr, "picket: warning: {}: {}\n", o.file, e.message);
    }
  }
  if (auto st = det_out->close(); !st) {
    fmt::print(stderr, "picket: {}\n", st.error().message());
    return kExitFailure;
  }
  if (mot_out) {
    if (auto st = mot_out->close(); !st) {
      fmt::print(stderr, "picket: {}\n", st.error().message());
      return kExitFailure;
    }
  }
  annotated.release();

  const auto& s = (*analytics)->stats();
  nlohmann::json summary = {
      {"file", o.file},
      {"camera", o.camera},
      {"frames", frames},
      {"detections", written},
      {"people", people},
      {"placed", placed},
      {"motion_blobs", s.motion_blobs},
      {"hog_people", s.hog_people},
      {"dnn_objects", s.dnn_objects},
      {"masked", s.masked},
      {"wrong_size", s.wrong_size},
      {"not_on_ground", s.not_on_ground},
      {"global_changes", s.global_changes},
      {"detector_errors", s.detector_errors},
      {"track_rows", track_rows},
  };
  if (const auto* tracker = (*analytics)->tracker()) {
    summary["tracks_confirmed"] = tracker->stats().tracks_confirmed;
    summary["tracker_errors"] = s.tracker_errors;
  }
  if (config->calibration) {
    summary["calibration_rms_px"] = config->calibration->rms_px;
  }
  std::ofstream(o.out + "/summary.json") << summary.dump(2) << '\n';
  fmt::print("{}: {} frames, {} detections on the ground ({} people boxes, {} motion blobs)\n",
             o.file, frames, written, people, s.motion_blobs);
  fmt::print("  dropped: {} masked, {} of implausible size, {} not on the ground\n", s.masked,
             s.wrong_size, s.not_on_ground);
  if (const auto* tracker = (*analytics)->tracker()) {
    fmt::print("  image tracks: {} confirmed, {} rows in {}/tracks.txt\n",
               tracker->stats().tracks_confirmed, track_rows, o.out);
  }
  fmt::print("  wrote {}/detections.jsonl{}\n", o.out,
             !o.no_video ? ", " + video_path : std::string());
  return kExitOk;
}

}  // namespace

void add_video_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<VideoOptions>();
  auto* cmd = app.add_subcommand(
      "video",
      "Run a camera's analytics on a video file: detections on the ground, annotated video");
  cmd->add_option("FILE", o->file, "Video file")->required();
  cmd->add_option("--camera", o->camera, "Camera sensor id in the site file")->required();
  cmd->add_option("--site", o->site, "Site file (YAML)")->required();
  cmd->add_option("--out", o->out, "Output directory")->required();
  cmd->add_option("--start", o->start,
                  "Time of the first frame: ISO 8601 (2026-11-28T22:00:00Z) or Unix seconds");
  cmd->add_option("--max-frames", o->max_frames, "Stop after this many frames")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-video", o->no_video, "Do not write the annotated video");
  cmd->add_flag("--no-hog", o->no_hog, "Turn the HOG people detector off");
  cmd->callback([&run, o] { run = [o] { return run_video(*o); }; });
}

}  // namespace picket::app

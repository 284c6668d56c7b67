#include "picket/video/evidence.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace picket::video {

namespace {

constexpr double kTimeSlack = 1e-3;  // s: frame times this close count as on the boundary

std::string safe_name(const std::string& id) {
  std::string out = id.empty() ? std::string("alarm") : id;
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) c = '_';
  }
  if (out == "." || out == "..") out = "_";
  return out;
}

Status write_file(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Error{path.string(), "cannot write evidence file"};
  return Ok{};
}

}  // namespace

// --- DirectoryEvidenceSink ------------------------------------------------------------------

Status DirectoryEvidenceSink::save(const Evidence& e) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(dir_) / safe_name(e.alarm_id);
  std::error_code ec;
  fs::create_directories(dir / "clip", ec);
  if (ec) return Error{dir.string(), "cannot create evidence directory: " + ec.message()};
  nlohmann::json j = {{"alarm_id", e.alarm_id},
                      {"camera", e.camera},
                      {"alarm_t", e.alarm_t},
                      {"clip_fps", e.clip_fps},
                      {"complete", e.complete}};
  if (!e.snapshot.empty()) {
    if (auto st = write_file(dir / "snapshot.jpg", e.snapshot.jpeg); !st) return st;
    j["snapshot"] = {{"file", "snapshot.jpg"},
                     {"t", e.snapshot.t},
                     {"width", e.snapshot.width},
                     {"height", e.snapshot.height}};
  }
  if (!e.crop.empty()) {
    if (auto st = write_file(dir / "crop.jpg", e.crop.jpeg); !st) return st;
    j["crop"] = {{"file", "crop.jpg"},
                 {"x", e.crop_rect.x},
                 {"y", e.crop_rect.y},
                 {"width", e.crop_rect.width},
                 {"height", e.crop_rect.height}};
  }
  auto clip = nlohmann::json::array();
  for (size_t i = 0; i < e.clip.size(); ++i) {
    const std::string name = fmt::format("clip/{:03}.jpg", i);
    if (auto st = write_file(dir / name, e.clip[i].jpeg); !st) return st;
    clip.push_back({{"file", name}, {"t", e.clip[i].t}});
  }
  j["clip"] = std::move(clip);
  std::ofstream index(dir / "evidence.json");
  index << j.dump(2) << '\n';
  index.close();
  if (!index) return Error{(dir / "evidence.json").string(), "cannot write evidence index"};
  return Ok{};
}

// --- EvidenceRecorder -----------------------------------------------------------------------

EvidenceRecorder::EvidenceRecorder(std::string camera, const EvidenceConfig& config,
                                   std::optional<CameraModel> camera_model)
    : camera_(std::move(camera)), config_(config), model_(std::move(camera_model)) {}

EvidenceRecorder::FramePtr EvidenceRecorder::encode(const cv::Mat& img, double t, bool scale) {
  const cv::Mat* src = &img;
  if (scale && img.cols > config_.clip_width) {
    const double f = static_cast<double>(config_.clip_width) / img.cols;
    cv::resize(img, scaled_, cv::Size(), f, f, cv::INTER_AREA);
    src = &scaled_;
  }
  EvidenceImage out;
  out.t = t;
  out.width = src->cols;
  out.height = src->rows;
  try {
    if (!cv::imencode(".jpg", *src, out.jpeg, {cv::IMWRITE_JPEG_QUALITY, config_.quality})) {
      ++stats_.encode_failures;
      return nullptr;
    }
  } catch (const cv::Exception&) {
    ++stats_.encode_failures;
    return nullptr;
  }
  // Shared by the rings and the pending requests; the last owner gives its bytes back.
  *bytes_ += out.jpeg.size();
  return FramePtr(new EvidenceImage(std::move(out)), [counter = bytes_](const EvidenceImage* p) {
    *counter -= p->jpeg.size();
    delete p;
  });
}

void EvidenceRecorder::add_frame(const cv::Mat& frame, double t) {
  if (frame.empty()) return;
  newest_t_ = t;
  if (t - last_clip_t_ >= 1.0 / config_.clip_fps - kTimeSlack) {
    if (auto img = encode(frame, t, true)) {
      last_clip_t_ = t;
      ++stats_.clip_frames_kept;
      for (auto& p : pending_) {
        if (t <= p.request.t + config_.post_s + kTimeSlack) p.clip.push_back(img);
      }
      clip_ring_.push_back(std::move(img));
    }
  }
  if (t - last_snapshot_t_ >= config_.snapshot_interval_s - kTimeSlack) {
    if (auto img = encode(frame, t, false)) {
      last_snapshot_t_ = t;
      ++stats_.snapshots_kept;
      for (auto& p : pending_) {
        if (!p.snapshot || std::abs(t - p.request.t) < std::abs(p.snapshot->t - p.request.t)) {
          p.snapshot = img;
        }
      }
      snapshot_ring_.push_back(std::move(img));
    }
  }
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (newest_t_ >= it->request.t + config_.post_s - kTimeSlack) {
      ready_.push_back(finish(*it, true));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  evict(t);
}

void EvidenceRecorder::evict(double newest_t) {
  while (!clip_ring_.empty() && clip_ring_.front()->t < newest_t - config_.pre_s - kTimeSlack)
    clip_ring_.pop_front();
  // Keep one snapshot older than the window: it may be the nearest to an alarm at its start.
  while (snapshot_ring_.size() > 1 && snapshot_ring_[1]->t < newest_t - config_.pre_s - kTimeSlack)
    snapshot_ring_.pop_front();
  // The memory bound: oldest first, whichever ring it is in.
  while (*bytes_ > config_.max_bytes && !(clip_ring_.empty() && snapshot_ring_.empty())) {
    const bool clip_older =
        !clip_ring_.empty() &&
        (snapshot_ring_.empty() || clip_ring_.front()->t <= snapshot_ring_.front()->t);
    (clip_older ? clip_ring_ : snapshot_ring_).pop_front();
    ++stats_.evicted_for_memory;
  }
}

void EvidenceRecorder::request(EvidenceRequest r) {
  ++stats_.requests;
  Pending p;
  p.request = std::move(r);
  for (const auto& f : clip_ring_) {
    if (f->t >= p.request.t - config_.pre_s - kTimeSlack &&
        f->t <= p.request.t + config_.post_s + kTimeSlack) {
      p.clip.push_back(f);
    }
  }
  for (const auto& s : snapshot_ring_) {
    if (!p.snapshot || std::abs(s->t - p.request.t) < std::abs(p.snapshot->t - p.request.t)) {
      p.snapshot = s;
    }
  }
  if (newest_t_ >= p.request.t + config_.post_s - kTimeSlack) {
    ready_.push_back(finish(p, true));
    return;
  }
  pending_.push_back(std::move(p));
}

std::vector<Evidence> EvidenceRecorder::take_ready() {
  std::vector<Evidence> out;
  out.swap(ready_);
  return out;
}

std::vector<Evidence> EvidenceRecorder::flush() {
  for (auto& p : pending_)
    ready_.push_back(finish(p, false));
  pending_.clear();
  return take_ready();
}

Evidence EvidenceRecorder::finish(Pending& p, bool complete) {
  if (complete) {
    ++stats_.completed;
  } else {
    ++stats_.incomplete;
  }
  Evidence e;
  e.alarm_id = p.request.alarm_id;
  e.camera = camera_;
  e.alarm_t = p.request.t;
  for (const auto& f : p.clip)
    e.clip.push_back(*f);
  p.clip.clear();
  e.clip_fps = config_.clip_fps;
  e.complete = complete;
  if (!p.snapshot) return e;
  e.snapshot = *p.snapshot;
  p.snapshot.reset();
  // The target's box: given, or where its ground position and height appear.
  std::optional<cv::Rect2d> box = p.request.box;
  if (!box && p.request.position && model_) {
    const auto foot = model_->project(*p.request.position);
    const auto head = model_->project(*p.request.position + Enu(0, 0, p.request.target_height_m));
    if (foot && head) {
      const double h = std::max(4.0, foot->y() - head->y());
      box = cv::Rect2d(foot->x() - h / 4, head->y(), h / 2, h);
    }
  }
  if (!box) return e;
  // Half the box again on each side, at least 64 pixels square, inside the frame.
  const double w = std::max(64.0, box->width * 2), h = std::max(64.0, box->height * 2);
  const cv::Rect frame_rect(0, 0, e.snapshot.width, e.snapshot.height);
  const cv::Rect crop = cv::Rect(cv::Rect2d(box->x + box->width / 2 - w / 2,
                                            box->y + box->height / 2 - h / 2, w, h)) &
                        frame_rect;
  if (crop.width < 2 || crop.height < 2) return e;  // the target is not in the picture
  cv::Mat full;
  try {
    full = cv::imdecode(e.snapshot.jpeg, cv::IMREAD_COLOR);
  } catch (const cv::Exception&) {
  }
  if (full.empty()) {
    ++stats_.encode_failures;
    return e;
  }
  if (auto c = encode(full(crop), e.snapshot.t, false)) {
    e.crop = *c;
    e.crop_rect = crop;
  }
  return e;
}

}  // namespace picket::video

#include "picket/engine/cameras.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio.hpp>
#include <charconv>
#include <chrono>
#include <mutex>
#include <thread>

#include "picket/core/log.h"
#include "picket/video/pipeline.h"

namespace picket::engine {

namespace net = boost::asio;

namespace {

std::vector<store::EvidenceRow> to_rows(const video::Evidence& e) {
  std::vector<store::EvidenceRow> rows;
  std::uint64_t alarm = 0;
  std::from_chars(e.alarm_id.data(), e.alarm_id.data() + e.alarm_id.size(), alarm);
  auto add = [&](const video::EvidenceImage& img, const char* kind, int index) {
    if (img.empty()) return;
    store::EvidenceRow r;
    r.alarm = alarm;
    r.camera = e.camera;
    r.kind = kind;
    r.index = index;
    r.t = img.t;
    r.width = img.width;
    r.height = img.height;
    r.complete = e.complete;
    r.jpeg = img.jpeg;
    rows.push_back(std::move(r));
  };
  add(e.snapshot, "snapshot", 0);
  add(e.crop, "crop", 0);
  for (std::size_t i = 0; i < e.clip.size(); ++i)
    add(e.clip[i], "clip", static_cast<int>(i));
  return rows;
}

}  // namespace

// One camera: its configuration, thread, and the evidence requests waiting for the thread.
struct Camera {
  video::CameraConfig config;
  const SensorDef* sensor = nullptr;
  std::thread thread;
  std::mutex mu;
  struct Request {
    std::string alarm;
    double t;
    Enu position;
  };
  std::vector<Request> requests;  // guarded by mu
  Counter* frames = nullptr;
  Counter* detections = nullptr;
};

struct LiveCameras::Impl {
  net::io_context& ioc;
  CameraCallbacks cb;
  Registry& reg;
  std::vector<std::unique_ptr<Camera>> cameras;
  std::atomic<bool> stopping{false};
  video::SystemClock clock;
  std::mutex leftover_mu;
  std::vector<video::Evidence> leftover;  // flushed at stop, handed over by stop()

  Impl(net::io_context& io, CameraCallbacks c, Registry& r) : ioc(io), cb(std::move(c)), reg(r) {}

  void post_output(Camera& cam, video::PipelineOutput&& out) {
    if (!out.detections.empty()) cam.detections->inc(out.detections.size());
    if (out.frame) cam.frames->inc();
    if (out.detections.empty() && out.evidence.empty() && out.events.empty()) return;
    net::post(ioc, [this, id = cam.config.id, out = std::move(out)]() mutable {
      for (auto& d : out.detections)
        if (cb.detection) cb.detection(std::move(d));
      for (const auto& ev : out.events) {
        const bool bad = ev.kind == video::InputEventKind::fault ||
                         ev.kind == video::InputEventKind::lost ||
                         ev.kind == video::InputEventKind::open_failed;
        log::event(bad ? spdlog::level::warn : spdlog::level::info, "camera_input",
                   {{"camera", id}, {"kind", video::to_string(ev.kind)}, {"message", ev.message}});
        reg.counter("picket_camera_input_events_total", "Camera input events, by camera and kind",
                    {{"camera", id}, {"kind", std::string(video::to_string(ev.kind))}})
            .inc();
      }
      for (const auto& e : out.evidence)
        save(e);
    });
  }

  void save(const video::Evidence& e) {
    auto rows = to_rows(e);
    log::event(spdlog::level::info, "evidence",
               {{"alarm", e.alarm_id},
                {"camera", e.camera},
                {"images", rows.size()},
                {"complete", e.complete}});
    if (cb.evidence && !rows.empty()) cb.evidence(std::move(rows));
  }

  void run(Camera& cam) {
    double start = clock.now();
    auto pipeline = std::make_unique<video::CameraPipeline>(cam.config, clock, nullptr, start);
    while (!stopping) {
      {
        std::vector<Camera::Request> reqs;
        {
          std::lock_guard lk(cam.mu);
          reqs.swap(cam.requests);
        }
        for (const auto& r : reqs)
          pipeline->request_evidence(r.alarm, r.t, std::nullopt, r.position);
      }
      auto out = pipeline->step();
      const bool idle = !out.frame;
      post_output(cam, std::move(out));
      if (pipeline->failed()) break;  // a camera fault was reported with the reason
      if (pipeline->ended()) {
        // A file played as a camera: start it again (its pending evidence is flushed).
        start = clock.now();
        pipeline = std::make_unique<video::CameraPipeline>(cam.config, clock, nullptr, start);
        continue;
      }
      if (idle) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    auto rest = pipeline->flush_evidence();
    std::lock_guard lk(leftover_mu);
    for (auto& e : rest)
      leftover.push_back(std::move(e));
  }
};

Result<std::unique_ptr<LiveCameras>> LiveCameras::create(net::io_context& ioc, const Site& site,
                                                         Registry& metrics,
                                                         CameraCallbacks callbacks) {
  auto impl = std::make_unique<Impl>(ioc, std::move(callbacks), metrics);
  bool any_camera = false;
  for (const auto& s : site.sensors)
    any_camera = any_camera || s.type == SensorType::camera;
  if (any_camera) {
    PICKET_TRY(configs, video::parse_cameras(site));
    for (auto& c : configs) {
      if (c.source.empty()) continue;
      // A file is played like a live camera: frames due by the clock, late ones dropped.
      c.stream.realtime = true;
      auto cam = std::make_unique<Camera>();
      cam->sensor = site.find_sensor(c.id);
      cam->frames = &metrics.counter("picket_camera_frames_total", "Camera frames analysed",
                                     {{"camera", c.id}});
      cam->detections =
          &metrics.counter("picket_camera_detections_total",
                           "Detections and status reports from cameras", {{"camera", c.id}});
      cam->config = std::move(c);
      impl->cameras.push_back(std::move(cam));
    }
  }
  return std::unique_ptr<LiveCameras>(new LiveCameras(std::move(impl)));
}

LiveCameras::LiveCameras(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LiveCameras::~LiveCameras() {
  stop();
}

void LiveCameras::start() {
  for (auto& cam : impl_->cameras) {
    Camera* c = cam.get();
    c->thread = std::thread([this, c] { impl_->run(*c); });
  }
}

void LiveCameras::stop() {
  impl_->stopping = true;
  for (auto& cam : impl_->cameras)
    if (cam->thread.joinable()) cam->thread.join();
  std::vector<video::Evidence> rest;
  {
    std::lock_guard lk(impl_->leftover_mu);
    rest.swap(impl_->leftover);
  }
  for (const auto& e : rest)
    impl_->save(e);
}

void LiveCameras::on_alarm(const AlarmEvent& e) {
  if (e.type != AlarmEventType::raised || e.alarm.exercise) return;
  const Enu at(e.alarm.east, e.alarm.north, e.alarm.up.value_or(0.0));
  for (auto& cam : impl_->cameras) {
    if (!cam->sensor || !cam->sensor->covers(at)) continue;
    std::lock_guard lk(cam->mu);
    cam->requests.push_back({std::to_string(e.alarm.id), e.alarm.raised_t, at});
  }
}

std::size_t LiveCameras::size() const {
  return impl_->cameras.size();
}

std::vector<std::string> LiveCameras::ids() const {
  std::vector<std::string> out;
  for (const auto& c : impl_->cameras)
    out.push_back(c->config.id);
  return out;
}

}  // namespace picket::engine

#include "picket/engine/cameras.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/asio.hpp>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "picket/core/log.h"
#include "picket/video/onvif.h"
#include "picket/video/pipeline.h"
#include "picket/video/ptz.h"

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
  Gauge* dropped = nullptr;   // frames skipped to keep up with real time, since the start
  double dropped_before = 0;  // by earlier runs of a looping file
};

// A PTZ camera's slew-to-cue: the SlewController and its ONVIF client live on a worker thread
// of their own (an AbsoluteMove may block for its timeout), fed commands from the loop. The loop
// side remembers which alarm and track the camera follows.
struct Ptz {
  video::CameraConfig config;
  Enu position = Enu::Zero();
  std::unique_ptr<video::OnvifPtzClient> client;
  std::unique_ptr<video::SlewController> slew;
  std::thread thread;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void(video::SlewController&)>> tasks;  // guarded by mu
  bool stop = false;                                              // guarded by mu
  // Loop-thread state.
  std::string alarm;
  std::uint64_t track = 0;

  void post(std::function<void(video::SlewController&)> task) {
    {
      std::lock_guard lk(mu);
      if (tasks.size() >= 64) tasks.pop_front();  // a dead head must not grow memory
      tasks.push_back(std::move(task));
    }
    cv.notify_one();
  }
  void run() {
    for (;;) {
      std::function<void(video::SlewController&)> task;
      {
        std::unique_lock lk(mu);
        cv.wait(lk, [&] { return stop || !tasks.empty(); });
        if (stop) return;
        task = std::move(tasks.front());
        tasks.pop_front();
      }
      task(*slew);
    }
  }
};

struct LiveCameras::Impl {
  net::io_context& ioc;
  CameraCallbacks cb;
  Registry& reg;
  std::vector<std::unique_ptr<Camera>> cameras;
  std::vector<std::unique_ptr<Ptz>> ptzs;
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

  // Runs on a PTZ worker: the request's outcome is counted and, when it failed, logged.
  void ptz_result(const Ptz& p, const char* what, const std::string& alarm, const Status& st,
                  std::int64_t moves_before) {
    const bool moved = p.slew->stats().moves > moves_before;
    const char* result = !st ? "failed" : moved ? "moved" : "held";
    reg.counter("picket_ptz_requests_total", "PTZ slew-to-cue requests, by camera and result",
                {{"camera", p.config.id}, {"result", result}})
        .inc();
    if (!st || std::string_view(what) == "cue") {
      log::event(!st ? spdlog::level::warn : spdlog::level::info, "ptz",
                 {{"camera", p.config.id},
                  {"action", what},
                  {"alarm", alarm},
                  {"result", result},
                  {"error", st ? std::string() : st.error().message()}});
    }
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
      cam.dropped->set(cam.dropped_before + static_cast<double>(pipeline->input().stats().dropped));
      post_output(cam, std::move(out));
      if (pipeline->failed()) break;  // a camera fault was reported with the reason
      if (pipeline->ended()) {
        // A file played as a camera: start it again (its pending evidence is flushed).
        cam.dropped_before += static_cast<double>(pipeline->input().stats().dropped);
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
      if (c.ptz) {
        auto p = std::make_unique<Ptz>();
        p->config = c;
        p->position = c.pose.position;
        auto client = video::OnvifPtzClient::create(*c.ptz, impl->clock);
        if (!client) return Error{c.where + ".ptz", client.error().message()};
        p->client = std::move(*client);
        const double aspect = static_cast<double>(c.intrinsics.width) /
                              static_cast<double>(std::max(1, c.intrinsics.height));
        p->slew = std::make_unique<video::SlewController>(*c.ptz, c.pose, aspect, *p->client,
                                                          impl->clock);
        impl->ptzs.push_back(std::move(p));
      }
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
      cam->dropped =
          &metrics.gauge("picket_camera_frames_dropped",
                         "Camera frames skipped to keep up with real time", {{"camera", c.id}});
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
  for (auto& p : impl_->ptzs) {
    Ptz* raw = p.get();
    raw->thread = std::thread([raw] { raw->run(); });
  }
}

void LiveCameras::stop() {
  impl_->stopping = true;
  for (auto& cam : impl_->cameras)
    if (cam->thread.joinable()) cam->thread.join();
  for (auto& p : impl_->ptzs) {
    {
      std::lock_guard lk(p->mu);
      p->stop = true;
    }
    p->cv.notify_one();
    if (p->thread.joinable()) p->thread.join();
  }
  std::vector<video::Evidence> rest;
  {
    std::lock_guard lk(impl_->leftover_mu);
    rest.swap(impl_->leftover);
  }
  for (const auto& e : rest)
    impl_->save(e);
}

void LiveCameras::on_alarm(const AlarmEvent& e) {
  if (e.alarm.exercise) return;
  const std::string alarm_id = std::to_string(e.alarm.id);
  if (e.alarm.state == AlarmState::resolved) {
    for (auto& p : impl_->ptzs) {
      if (p->alarm != alarm_id) continue;
      p->alarm.clear();
      p->track = 0;
      p->post([alarm_id](video::SlewController& s) { s.release(alarm_id); });
    }
  }
  if (e.type != AlarmEventType::raised) return;
  const Enu at(e.alarm.east, e.alarm.north, e.alarm.up.value_or(0.0));
  // Slew to cue: the nearest free PTZ camera in range of a track's alarm takes it.
  if (e.alarm.track != 0) {
    Ptz* best = nullptr;
    double best_d = 0;
    for (auto& p : impl_->ptzs) {
      const double d = (p->position.head<2>() - at.head<2>()).norm();
      if (!p->alarm.empty() || d > p->config.max_range_m) continue;
      if (!best || d < best_d) best = p.get(), best_d = d;
    }
    if (best) {
      best->alarm = alarm_id;
      best->track = e.alarm.track;
      TrackState target;
      target.id = e.alarm.track;
      target.t = e.alarm.trigger_t;
      target.position = at;
      Impl* impl = impl_.get();
      best->post([impl, best, alarm_id, target](video::SlewController& s) {
        const auto before = s.stats().moves;
        impl->ptz_result(*best, "cue", alarm_id, s.cue(alarm_id, target), before);
      });
    }
  }
  for (auto& cam : impl_->cameras) {
    if (!cam->sensor || !cam->sensor->covers(at)) continue;
    std::lock_guard lk(cam->mu);
    cam->requests.push_back({std::to_string(e.alarm.id), e.alarm.raised_t, at});
  }
}

void LiveCameras::on_tracks(const std::vector<TrackState>& updated,
                            const std::vector<std::uint64_t>& removed) {
  for (auto& p : impl_->ptzs) {
    if (p->track == 0) continue;
    Ptz* raw = p.get();
    Impl* impl = impl_.get();
    for (const auto& t : updated) {
      if (t.id != p->track) continue;
      raw->post([impl, raw, t, alarm = p->alarm](video::SlewController& s) {
        const auto before = s.stats().moves;
        impl->ptz_result(*raw, "follow", alarm, s.update(t), before);
      });
    }
    for (const auto id : removed) {
      if (id != p->track) continue;
      // The track is gone: let the camera go (its alarm stays open for the operator).
      raw->post([alarm = p->alarm](video::SlewController& s) { s.release(alarm); });
      p->alarm.clear();
      p->track = 0;
    }
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

std::vector<std::string> LiveCameras::ptz_ids() const {
  std::vector<std::string> out;
  for (const auto& p : impl_->ptzs)
    out.push_back(p->config.id);
  return out;
}

}  // namespace picket::engine

#include "picket/server/live_backend.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>
#include <unordered_map>

#include "picket/core/log.h"
#include "picket/formats/geojson.h"
#include "picket/server/server.h"
#include "picket/store/store.h"

namespace picket::server {

namespace {

Json or_null(const std::string& s) {
  return s.empty() ? Json(nullptr) : Json(s);
}
Json or_null(double t) {
  return t > 0 ? Json(t) : Json(nullptr);
}

void put_position(Json& j, const LocalFrame& frame, double east, double north, double up) {
  const Geodetic g = frame.to_geodetic(Enu(east, north, up));
  j["lat"] = g.lat_deg;
  j["lon"] = g.lon_deg;
  j["east"] = east;
  j["north"] = north;
}

Json point_json(const store::TrackRow& r, const LocalFrame& frame) {
  Json p = {{"t", r.t}};
  put_position(p, frame, r.east, r.north, r.air ? r.up : 0.0);
  return p;
}

Json track_row_json(const store::TrackRow& r, const LocalFrame& frame) {
  TrackState s;
  s.id = r.track;
  s.t = r.t;
  s.position = Enu(r.east, r.north, r.up);
  s.velocity = Enu(r.ve, r.vn, r.vu);
  s.status = r.status;
  s.cls = r.cls;
  s.class_p = r.class_p;
  s.air = r.air;
  return track_json(s, frame, r.track >= engine::kExerciseIdOffset);
}

Json time_stats(std::vector<double> v) {
  if (v.empty()) return {{"median", nullptr}, {"max", nullptr}};
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {{"median", median}, {"max", v.back()}};
}

// Events by people (not by the engine) carry the operator's note.
bool is_operator(const std::string& actor) {
  return actor != "rules" && actor != "policy" && !actor.empty();
}

ApiError store_error(const Error& e) {
  return {500, "store: " + e.message()};
}

}  // namespace

Json track_json(const TrackState& s, const LocalFrame& frame, bool exercise) {
  Json j = {{"id", s.id}, {"t", s.t}};
  put_position(j, frame, s.position.x(), s.position.y(), s.air ? s.position.z() : 0.0);
  j["up"] = s.air ? Json(s.position.z()) : Json(nullptr);
  j["ve"] = s.velocity.x();
  j["vn"] = s.velocity.y();
  const double speed = std::hypot(s.velocity.x(), s.velocity.y());
  j["speed"] = speed;
  // Degrees clockwise from north.
  double heading = std::atan2(s.velocity.x(), s.velocity.y()) * 180.0 / std::numbers::pi;
  if (heading < 0) heading += 360.0;
  j["heading"] = heading;
  j["status"] = to_string(s.status);
  j["class"] = to_string(s.cls);
  j["class_p"] = s.class_p;
  j["sensors"] = s.sensors;
  j["air"] = s.air;
  j["vu"] = s.air ? Json(s.velocity.z()) : Json(nullptr);
  // Cooperative identity (ADS-B): the ICAO address as 6 upper-case hex digits, the callsign.
  j["icao"] = s.icao ? Json(fmt::format("{:06X}", *s.icao)) : Json(nullptr);
  j["callsign"] = or_null(s.callsign);
  j["exercise"] = exercise;
  return j;
}

Json alarm_json(const Alarm& a, const LocalFrame& frame) {
  Json j = {{"id", a.id},
            {"rule", a.rule},
            {"kind", to_string(a.kind)},
            {"priority", to_string(a.priority)},
            {"state", to_string(a.state)},
            {"active", a.active},
            {"confirmed", a.confirmed},
            {"t_raised", a.raised_t},
            {"t_updated", std::max(a.last_t, a.raised_t)},
            {"track", a.track ? Json(a.track) : Json(nullptr)},
            {"fence", or_null(a.fence)},
            {"segment", a.segment > 0 ? Json(a.segment) : Json(nullptr)},
            {"zone", or_null(a.zone)},
            {"sensor", or_null(a.sensor)}};
  put_position(j, frame, a.east, a.north, a.up.value_or(0.0));
  j["class"] = a.track ? Json(to_string(a.cls)) : Json(nullptr);
  j["class_p"] = a.class_p;
  j["sensors"] = a.sensors;
  j["count"] = a.count;
  j["text"] = a.text;
  j["exercise"] = a.exercise;
  j["acknowledged_by"] = or_null(a.acknowledged_by);
  j["acknowledged_at"] = or_null(a.acknowledged_t);
  j["resolved_by"] = or_null(a.resolved_by);
  j["resolved_at"] = or_null(a.resolved_t);
  j["outcome"] = a.outcome == AlarmOutcome::none ? Json(nullptr) : Json(to_string(a.outcome));
  j["note"] = nullptr;
  j["evidence"] = Json::array();
  return j;
}

Json sensor_json(const engine::SensorHealth& h, const SensorDef& def) {
  return {{"id", h.id},
          {"type", to_string(h.type)},
          {"lat", def.position.lat_deg},
          {"lon", def.position.lon_deg},
          {"status", h.status},
          {"last_report_t", or_null(h.last_report_t)},
          {"detections", h.detections},
          {"rejected", h.rejected}};
}

LiveBackend::LiveBackend(const Site& site, engine::LiveEngine& engine, Json tiles)
    : site_(site), engine_(engine), site_geojson_(Json::parse(formats::site_geojson(site))) {
  site_geojson_["tiles"] = std::move(tiles);
}

void LiveBackend::connect(Server& server) {
  server_ = &server;
  Server* srv = &server;
  // Status changes of sensors: one `sensor` message, or one `sensors` message for several (a
  // whole site's sensors changing at once must not flood the clients' bounded queues).
  for (const auto& h : engine_.sensors())
    sensor_status_.push_back(h.status);
  auto sensor_changes = [this, srv] {
    const auto health = engine_.sensors();
    sensor_status_.resize(health.size());
    Json changed = Json::array();
    for (std::size_t i = 0; i < health.size(); ++i) {
      if (health[i].status == sensor_status_[i]) continue;
      log::event(health[i].status == "ok" ? spdlog::level::info : spdlog::level::warn,
                 "sensor_status",
                 {{"sensor", health[i].id}, {"from", sensor_status_[i]}, {"to", health[i].status}});
      sensor_status_[i] = health[i].status;
      changed.push_back(sensor_json(health[i], site_.sensors[i]));
    }
    if (changed.size() == 1) {
      srv->broadcast(Json{{"type", "sensor"}, {"sensor", std::move(changed[0])}}.dump());
    } else if (!changed.empty()) {
      srv->broadcast(Json{{"type", "sensors"}, {"sensors", std::move(changed)}}.dump());
    }
  };
  engine_.on_tracks([this, srv, sensor_changes, last_check = 0.0](
                        const std::vector<TrackState>& updated,
                        const std::vector<std::uint64_t>& removed) mutable {
    Json msg = {{"type", "tracks"}, {"t", engine_.now()}, {"removed", removed}};
    Json& list = msg["updated"] = Json::array();
    for (const auto& s : updated)
      list.push_back(track_json(s, site_.frame, engine_.is_exercise_track(s.id)));
    srv->broadcast(msg.dump());
    // Sensors going quiet or coming back: looked at twice a second of data time at most.
    if (engine_.now() - last_check >= 0.5) {
      last_check = engine_.now();
      sensor_changes();
    }
  });
  engine_.on_alarm([this, srv, sensor_changes](const AlarmEvent& e) {
    log::event(e.type == AlarmEventType::raised ? spdlog::level::warn : spdlog::level::info,
               "alarm",
               {{"id", e.alarm.id},
                {"type", to_string(e.type)},
                {"kind", to_string(e.alarm.kind)},
                {"priority", to_string(e.alarm.priority)},
                {"state", to_string(e.alarm.state)},
                {"rule", e.alarm.rule},
                {"track", e.alarm.track},
                {"zone", e.alarm.zone},
                {"fence", e.alarm.fence},
                {"sensor", e.alarm.sensor},
                {"exercise", e.alarm.exercise},
                {"actor", e.actor}});
    Json a = alarm_json(e.alarm, site_.frame);
    if (is_operator(e.actor) && !e.note.empty()) notes_[e.alarm.id] = e.note;
    if (auto it = notes_.find(e.alarm.id); it != notes_.end()) a["note"] = it->second;
    if (e.alarm.state == AlarmState::resolved) notes_.erase(e.alarm.id);
    srv->broadcast(Json{{"type", "alarm"}, {"alarm", std::move(a)}}.dump());
    if (e.alarm.kind == AlarmKind::sensor_fault || e.alarm.kind == AlarmKind::sensor_tamper) {
      sensor_changes();
    }
  });
  engine_.on_exercise([this, srv] {
    Json msg = exercise();
    msg["type"] = "exercise";
    srv->broadcast(msg.dump());
  });
}

void LiveBackend::evidence_saved(std::uint64_t alarm) {
  if (server_) server_->broadcast(Json{{"type", "evidence"}, {"alarm", alarm}}.dump());
}

bool LiveBackend::ready() {
  return engine_.ready();
}

Json LiveBackend::site() {
  return site_geojson_;
}

Json LiveBackend::sensors() {
  Json out = Json::array();
  const auto health = engine_.sensors();
  for (std::size_t i = 0; i < health.size(); ++i)
    out.push_back(sensor_json(health[i], site_.sensors[i]));
  return out;
}

Json LiveBackend::tracks() {
  Json list = Json::array();
  for (const auto& s : engine_.tracks())
    list.push_back(track_json(s, site_.frame, engine_.is_exercise_track(s.id)));
  return {{"t", engine_.now()}, {"tracks", std::move(list)}};
}

Json LiveBackend::snapshot() {
  Json msg = tracks();
  msg["type"] = "snapshot";
  Json alarms = Json::array();
  // Open alarms as stored (durable, with their operator actions), newest first.
  store::AlarmFilter f;
  f.open_only = true;
  f.limit = 5000;
  if (auto stored = engine_.store().alarms(f)) {
    for (const auto& a : *stored)
      alarms.push_back(alarm_json(a, site_.frame));
  }
  msg["alarms"] = std::move(alarms);
  msg["sensors"] = sensors();
  return msg;
}

ApiResult<Json> LiveBackend::track_history(std::uint64_t id, std::optional<double> from,
                                           std::optional<double> to) {
  auto rows = engine_.store().track_history(id, from.value_or(0.0),
                                            to.value_or(std::numeric_limits<double>::max()));
  if (!rows) return store_error(rows.error());
  if (rows->empty()) return ApiError{404, fmt::format("no stored history of track {}", id)};
  Json points = Json::array();
  for (const auto& r : *rows)
    points.push_back(point_json(r, site_.frame));
  return Json{{"track", id}, {"points", std::move(points)}};
}

Json LiveBackend::alarms(const AlarmQuery& q) {
  store::AlarmFilter f;
  if (q.state == "open") {
    f.open_only = true;
  } else if (q.state != "all") {
    f.state = parse_alarm_state(q.state);
  }
  if (!q.priority.empty()) f.min_priority = parse_alarm_priority(q.priority);
  f.exercise = q.exercise;
  f.since = q.since;
  f.until = q.until;
  auto total = engine_.store().count_alarms(f);
  f.limit = std::clamp(q.limit, 1, 500);
  f.offset = std::max(q.offset, 0);
  auto list = engine_.store().alarms(f);
  Json out = {{"total", total ? *total : 0}, {"alarms", Json::array()}};
  if (list) {
    for (const auto& a : *list)
      out["alarms"].push_back(alarm_json(a, site_.frame));
  }
  if (!total || !list) out["error"] = (!total ? total.error() : list.error()).message();
  return out;
}

ApiResult<Json> LiveBackend::alarm(std::uint64_t id) {
  auto& st = engine_.store();
  auto a = st.alarm(id);
  if (!a) return store_error(a.error());
  if (!a->has_value()) return ApiError{404, fmt::format("no alarm {}", id)};
  auto events = st.alarm_events(id);
  if (!events) return store_error(events.error());
  Json alarm = alarm_json(**a, site_.frame);
  Json ev = Json::array();
  for (const auto& e : *events) {
    ev.push_back({{"t", e.t},
                  {"state", to_string(e.type)},
                  {"actor", or_null(e.actor)},
                  {"note", or_null(e.note)}});
    if (!e.note.empty() && is_operator(e.actor)) alarm["note"] = e.note;
  }
  Json history = Json::array();
  if ((*a)->track != 0) {
    // The track from a minute before the alarm to its resolution (or now).
    const double from = (*a)->trigger_t - 60;
    const double to = (*a)->resolved_t > 0 ? (*a)->resolved_t : std::numeric_limits<double>::max();
    if (auto rows = st.track_history((*a)->track, from, to)) {
      for (const auto& r : *rows)
        history.push_back(point_json(r, site_.frame));
    }
  }
  // Camera evidence: the crops and snapshots as `evidence` (the console shows them), the clip's
  // frames in order as `evidence_clip`, each image's URL under /api/alarms/{id}/evidence/.
  if (auto rows = st.evidence(id)) {
    Json images = Json::array(), crops = Json::array(), clip = Json::array();
    for (const auto& r : *rows) {
      const std::string url =
          fmt::format("/api/alarms/{}/evidence/{}/{}/{}", id, r.camera, r.kind, r.index);
      if (r.kind == "crop") {
        crops.push_back(url);
      } else if (r.kind == "snapshot") {
        images.push_back(url);
      } else {
        clip.push_back({{"url", url}, {"t", r.t}, {"camera", r.camera}});
      }
    }
    for (auto& u : images)
      crops.push_back(std::move(u));
    alarm["evidence"] = std::move(crops);
    alarm["evidence_clip"] = std::move(clip);
  }
  return Json{{"alarm", std::move(alarm)},
              {"events", std::move(ev)},
              {"track_history", std::move(history)}};
}

ApiResult<std::string> LiveBackend::evidence_image(std::uint64_t alarm, const std::string& camera,
                                                   const std::string& kind, int index) {
  auto img = engine_.store().evidence_image(alarm, camera, kind, index);
  if (!img) return store_error(img.error());
  if (!img->has_value()) return ApiError{404, "no such evidence"};
  return std::string((*img)->begin(), (*img)->end());
}

ApiResult<Json> LiveBackend::check_open(std::uint64_t id, AlarmState wanted) {
  auto a = engine_.store().alarm(id);
  if (!a) return store_error(a.error());
  if (!a->has_value()) return ApiError{404, fmt::format("no alarm {}", id)};
  const Alarm& al = **a;
  if (al.state == AlarmState::resolved)
    return ApiError{409, fmt::format("alarm {} is already resolved", id)};
  if (wanted == AlarmState::acknowledged && al.state == AlarmState::acknowledged) {
    return ApiError{
        409, fmt::format("alarm {} is already acknowledged (by {})", id, al.acknowledged_by)};
  }
  return Json(nullptr);
}

ApiResult<Json> LiveBackend::acknowledge(std::uint64_t id, const std::string& user,
                                         const std::string& note) {
  if (auto c = check_open(id, AlarmState::acknowledged); !c.ok()) return c;
  auto ev = engine_.acknowledge(id, user, note);
  if (!ev) return ApiError{409, ev.error().message()};
  Json a = alarm_json(ev->alarm, site_.frame);
  if (!note.empty()) notes_[id] = note;
  if (auto it = notes_.find(id); it != notes_.end()) a["note"] = it->second;
  return a;
}

ApiResult<Json> LiveBackend::resolve(std::uint64_t id, const std::string& user,
                                     const std::string& outcome, const std::string& note) {
  const auto o = parse_alarm_outcome(outcome);
  if (!o || *o == AlarmOutcome::none) {
    return ApiError{
        400, fmt::format("outcome '{}' is not one of intrusion, nuisance, false, test", outcome)};
  }
  if (auto c = check_open(id, AlarmState::resolved); !c.ok()) return c;
  auto ev = engine_.resolve(id, user, *o, note);
  if (!ev) return ApiError{409, ev.error().message()};
  Json a = alarm_json(ev->alarm, site_.frame);
  if (!note.empty()) a["note"] = note;
  return a;
}

Json LiveBackend::history_range() {
  auto r = engine_.store().track_history_range();
  if (!r || !r->has_value()) return {{"from", nullptr}, {"to", nullptr}};
  return {{"from", (*r)->first}, {"to", (*r)->second}};
}

ApiResult<Json> LiveBackend::history(double from, double to, double step) {
  if (!(to > from)) return ApiError{400, "history: `to` must be after `from`"};
  if (!(step > 0)) return ApiError{400, "history: `step` must be positive"};
  constexpr double kMaxFrames = 2000;
  step = std::max(step, (to - from) / kMaxFrames);
  auto rows = engine_.store().tracks_between(from, to);
  if (!rows) return store_error(rows.error());
  // Frame k holds, for each track, its newest stored position in (from + (k-1)*step, from +
  // k*step]; a track stays in later frames until it is deleted or older than 3 steps (sampled
  // history has gaps of up to the sampling interval).
  const auto frames_n = static_cast<std::size_t>(std::ceil((to - from) / step));
  std::map<std::uint64_t, store::TrackRow> live;
  Json frames = Json::array();
  std::size_t i = 0;
  for (std::size_t k = 1; k <= frames_n; ++k) {
    const double ft = from + static_cast<double>(k) * step;
    for (; i < rows->size() && (*rows)[i].t <= ft; ++i) {
      const auto& r = (*rows)[i];
      if (r.status == TrackStatus::deleted) {
        live.erase(r.track);
      } else {
        live[r.track] = r;
      }
    }
    Json tracks = Json::array();
    for (auto it = live.begin(); it != live.end();) {
      if (ft - it->second.t > std::max(3 * step, 5.0)) {
        it = live.erase(it);
        continue;
      }
      if (it->second.status != TrackStatus::tentative)
        tracks.push_back(track_row_json(it->second, site_.frame));
      ++it;
    }
    frames.push_back({{"t", ft}, {"tracks", std::move(tracks)}});
  }
  return Json{{"frames", std::move(frames)}};
}

Json LiveBackend::scenarios() {
  return engine_.exercise_scenarios();
}

ApiResult<Json> LiveBackend::start_exercise(const std::string& scenario, const std::string& user) {
  if (scenario.empty()) return ApiError{400, "exercise: give a `scenario`"};
  if (auto st = engine_.start_exercise(scenario, user); !st) {
    const bool unknown = st.error().what.find("no exercise scenario") != std::string::npos;
    return ApiError{unknown ? 404 : 409, st.error().message()};
  }
  return exercise();
}

Json LiveBackend::exercise() {
  const auto r = engine_.exercise_report();
  Json out = {{"active", r.active},
              {"scenario", or_null(r.scenario)},
              {"started_by", or_null(r.started_by)},
              {"started_t", or_null(r.started_t)},
              {"alarms", r.alarms.size()}};
  if (r.scenario.empty()) {
    out["report"] = nullptr;
    return out;
  }
  std::vector<double> ack, res;
  Json per = Json::array();
  for (const auto& a : r.alarms) {
    if (a.acknowledge_s) ack.push_back(*a.acknowledge_s);
    if (a.resolve_s) res.push_back(*a.resolve_s);
    per.push_back({{"id", a.alarm},
                   {"raised_t", a.raised_t},
                   {"acknowledge_s", a.acknowledge_s ? Json(*a.acknowledge_s) : Json(nullptr)},
                   {"resolve_s", a.resolve_s ? Json(*a.resolve_s) : Json(nullptr)}});
  }
  out["report"] = {{"acknowledge_s", time_stats(ack)},
                   {"resolve_s", time_stats(res)},
                   {"per_alarm", std::move(per)}};
  return out;
}

ApiResult<Json> LiveBackend::stop_exercise(const std::string& user) {
  if (auto st = engine_.stop_exercise(user); !st) return ApiError{409, st.error().message()};
  return exercise();
}

}  // namespace picket::server

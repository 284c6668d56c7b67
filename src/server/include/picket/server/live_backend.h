// The API backend of `picket run`: answers the HTTP API from the live engine (the picture, the
// alarm workflow, exercises) and its store (alarm history, track history for replay), and turns
// the engine's changes into the WebSocket stream's messages. Objects are shaped as docs/api.md
// says, with WGS84 positions from the site's local frame.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "picket/core/alarm.h"
#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/engine/live.h"
#include "picket/server/backend.h"

namespace picket::server {

class Server;

// The API's objects.
Json track_json(const TrackState& s, const LocalFrame& frame, bool exercise);
Json alarm_json(const Alarm& a, const LocalFrame& frame);
Json sensor_json(const engine::SensorHealth& h, const SensorDef& def);

class LiveBackend final : public Backend {
 public:
  // `tiles`: the site's optional background tiles (docs/api.md), or null.
  LiveBackend(const Site& site, engine::LiveEngine& engine, Json tiles);

  // Wires the engine's changes to the server's WebSocket stream.
  void connect(Server& server);
  // A camera's evidence for this alarm is durable in the store: tells the clients
  // ({"type": "evidence", "alarm": id}) so that an open alarm detail shows it.
  void evidence_saved(std::uint64_t alarm);

  bool ready() override;
  Json site() override;
  Json sensors() override;
  Json tracks() override;
  Json snapshot() override;
  ApiResult<Json> track_history(std::uint64_t id, std::optional<double> from,
                                std::optional<double> to) override;
  Json alarms(const AlarmQuery& q) override;
  ApiResult<Json> alarm(std::uint64_t id) override;
  ApiResult<Json> acknowledge(std::uint64_t id, const std::string& user,
                              const std::string& note) override;
  ApiResult<Json> resolve(std::uint64_t id, const std::string& user, const std::string& outcome,
                          const std::string& note) override;
  Json history_range() override;
  ApiResult<Json> history(double from, double to, double step) override;
  Json scenarios() override;
  ApiResult<Json> start_exercise(const std::string& scenario, const std::string& user) override;
  Json exercise() override;
  ApiResult<Json> stop_exercise(const std::string& user) override;
  ApiResult<std::string> evidence_image(std::uint64_t alarm, const std::string& camera,
                                        const std::string& kind, int index) override;

 private:
  ApiResult<Json> check_open(std::uint64_t id, AlarmState wanted);

  const Site& site_;
  engine::LiveEngine& engine_;
  Json site_geojson_;
  std::vector<std::string> sensor_status_;  // last status sent per sensor, for `sensor` messages
  std::unordered_map<std::uint64_t, std::string> notes_;  // latest operator note of open alarms
  Server* server_ = nullptr;
};

}  // namespace picket::server

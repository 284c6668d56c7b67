// What the HTTP API serves, as seen from the server: the live picture, the alarm workflow, the
// stored history and exercises. The engine implements it; the server knows nothing else of
// tracking, rules or storage. All calls are made on the server's event-loop thread.
//
// Results are JSON values in the shapes of docs/api.md. Failures carry an HTTP status.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace picket::server {

struct ApiError {
  int status = 400;
  std::string message;
};

template <class T>
struct ApiResult {
  std::optional<T> value;
  ApiError error;
  ApiResult(T v) : value(std::move(v)) {}         // NOLINT
  ApiResult(ApiError e) : error(std::move(e)) {}  // NOLINT
  bool ok() const { return value.has_value(); }
};

using Json = nlohmann::json;

struct AlarmQuery {
  std::string state = "open";  // open, raised, acknowledged, resolved, all
  std::string priority;        // empty: any
  std::optional<bool> exercise;
  std::optional<double> since, until;
  int limit = 100;
  int offset = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual bool ready() = 0;
  virtual Json site() = 0;      // GeoJSON FeatureCollection
  virtual Json sensors() = 0;   // [sensor]
  virtual Json tracks() = 0;    // {"t", "tracks": [track]}
  virtual Json snapshot() = 0;  // the WebSocket's first message
  virtual ApiResult<Json> track_history(std::uint64_t id, std::optional<double> from,
                                        std::optional<double> to) = 0;
  virtual Json alarms(const AlarmQuery& q) = 0;  // {"total", "alarms"}
  virtual ApiResult<Json> alarm(std::uint64_t id) = 0;
  virtual ApiResult<Json> acknowledge(std::uint64_t id, const std::string& user,
                                      const std::string& note) = 0;
  virtual ApiResult<Json> resolve(std::uint64_t id, const std::string& user,
                                  const std::string& outcome, const std::string& note) = 0;
  virtual Json history_range() = 0;
  virtual ApiResult<Json> history(double from, double to, double step) = 0;
  virtual Json scenarios() = 0;
  virtual ApiResult<Json> start_exercise(const std::string& scenario, const std::string& user) = 0;
  virtual Json exercise() = 0;
  virtual ApiResult<Json> stop_exercise(const std::string& user) = 0;
  // One JPEG of an alarm's camera evidence (kind snapshot, crop or clip; index in the clip).
  virtual ApiResult<std::string> evidence_image(std::uint64_t alarm, const std::string& camera,
                                                const std::string& kind, int index) {
    (void)alarm, (void)camera, (void)kind, (void)index;
    return ApiError{404, "no evidence"};
  }
};

}  // namespace picket::server

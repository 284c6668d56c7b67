// The live daemon's HTTP/HTTPS and WebSocket server (Boost.Beast on one Asio event loop).
//
// Serves the console's static files, the JSON API of docs/api.md on top of a Backend, the
// WebSocket stream of track and alarm changes, /metrics, /healthz and /readyz. Enforces sessions
// (HttpOnly SameSite=Strict cookies), CSRF tokens on state changes, roles, login rate limiting,
// body size limits and safe static paths. Every rejection is counted in the metrics registry.
//
// Threading: everything runs on the io_context's thread except password hashing, which runs on
// a small pool and posts its result back. broadcast() must be called on the loop thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "picket/core/metrics.h"
#include "picket/core/result.h"
#include "picket/server/auth.h"
#include "picket/server/backend.h"

namespace boost::asio {
class io_context;
}

namespace picket::server {

struct ServerConfig {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port
  std::string static_dir;      // the console build (web/dist); empty: no static files
  std::string tls_cert;        // PEM files; both set: HTTPS only
  std::string tls_key;
  double session_lifetime_s = 8 * 3600;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t ws_max_queue_messages = 512;
  std::size_t ws_max_queue_bytes = 32 << 20;
  int login_max_failures = 5;
  double login_window_s = 60;
  double idle_timeout_s = 60;
};

class Server {
 public:
  using Clock = std::function<double()>;  // Unix seconds (wall clock in the daemon)
  Server(boost::asio::io_context& ioc, ServerConfig config, Backend& backend, UserDb& users,
         Registry& metrics, Clock clock);
  ~Server();

  // Binds and starts accepting. An error names the address and the reason.
  Status start();
  unsigned short port() const;
  bool tls() const;
  // Stops accepting and closes every connection.
  void stop();

  // Sends one JSON text message to every WebSocket client, dropping clients that fall behind.
  void broadcast(std::string json_text);
  std::size_t clients() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace picket::server

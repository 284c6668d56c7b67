#include "picket/server/server.h"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <charconv>
#include <chrono>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>

#include "http_util.h"
#include "picket/core/log.h"

namespace picket::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Done = std::function<void(Response)>;

namespace {

constexpr const char* kCookie = "picket_session";

// Boost 1.74's Beast has its own string_view.
std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

class WsClient {
 public:
  virtual ~WsClient() = default;
  virtual void send(std::shared_ptr<const std::string> msg) = 0;
  virtual void shut() = 0;
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(net::io_context& io, ServerConfig c, Backend& b, UserDb& u, Registry& r, Clock cl)
      : ioc(io),
        cfg(std::move(c)),
        backend(b),
        users(u),
        reg(r),
        clock(std::move(cl)),
        sessions(cfg.session_lifetime_s, clock),
        limiter(cfg.login_max_failures, cfg.login_window_s),
        acceptor(io),
        hash_pool(1),
        ws_send_latency(&reg.histogram(
            "picket_ws_send_seconds",
            "From a stream message being queued for a client to its write to the socket completing",
            latency_buckets())) {}

  net::io_context& ioc;
  ServerConfig cfg;
  Backend& backend;
  UserDb& users;
  Registry& reg;
  Clock clock;
  SessionStore sessions;
  LoginLimiter limiter;
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor;
  net::thread_pool hash_pool;
  std::set<std::shared_ptr<WsClient>> ws_clients;
  Histogram* ws_send_latency;
  log::Throttle log_throttle{10.0};
  bool stopping = false;

  // Counted always; logged at most once per reason every 10 s with how many it stands for.
  void reject(const char* reason) {
    const double now_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    if (const auto n = log_throttle.hit(reason, now_s); n > 0) {
      log::event(spdlog::level::warn, "http_rejected", {{"reason", reason}, {"count", n}});
    }
    reg.counter("picket_http_rejected_total", "HTTP requests refused, by reason",
                {{"reason", reason}})
        .inc();
  }
  void count_response(unsigned status) {
    reg.counter("picket_http_responses_total", "HTTP responses, by status",
                {{"code", std::to_string(status)}})
        .inc();
  }
  void audit(const std::string& actor, const std::string& action, const std::string& target,
             const std::string& detail, const std::string& client) {
    log::event(spdlog::level::info, "audit",
               {{"actor", actor},
                {"action", action},
                {"target", target},
                {"detail", detail},
                {"client", client}});
    if (auto st = users.audit({clock(), actor, action, target, detail, client}); !st) {
      log::event(spdlog::level::err, "audit_write_failed", {{"error", st.error().message()}});
    }
  }

  void accept();
  void handle(Request&& req, const std::string& client, Done done);
  void handle_api(Request&& req, const std::string& path, const std::string& client, Done done);
  void login(Request&& req, const std::string& client, Done done);
  std::optional<Session> session_of(const Request& req) {
    return sessions.find(detail::cookie_value(sv(req[http::field::cookie]), kCookie));
  }
};

namespace {

Response make_response(unsigned status, std::string body, std::string_view type) {
  Response res{static_cast<http::status>(status), 11};
  res.set(http::field::server, "picket");
  res.set(http::field::content_type, beast::string_view(type.data(), type.size()));
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

Response json_response(unsigned status, const Json& j) {
  return make_response(status, j.dump(), "application/json");
}

Response error_response(unsigned status, const std::string& what) {
  return json_response(status, Json{{"error", what}});
}

std::optional<double> query_number(const std::map<std::string, std::string>& q, const char* k) {
  auto it = q.find(k);
  if (it == q.end() || it->second.empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint64_t> parse_id(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> out;
  while (!p.empty()) {
    if (p.front() == '/') {
      p.remove_prefix(1);
      continue;
    }
    const size_t slash = p.find('/');
    out.push_back(p.substr(0, slash));
    if (slash == std::string_view::npos) break;
    p.remove_prefix(slash);
  }
  return out;
}

Response from(const ApiResult<Json>& r) {
  return r.ok() ? json_response(200, *r.value) : error_response(r.error.status, r.error.message);
}

// --- WebSocket session ----------------------------------------------------------------------

template <class Stream>
class WsSession : public WsClient, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream&& stream, std::shared_ptr<Server::Impl> srv)
      : ws_(std::move(stream)), srv_(std::move(srv)), timer_(ws_.get_executor()) {}

  void run(Request req) {
    req_ = std::move(req);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(req_, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->srv_->ws_clients.insert(self);
      self->srv_->reg.counter("picket_ws_connections_total", "WebSocket clients accepted").inc();
      self->send(std::make_shared<const std::string>(self->srv_->backend.snapshot().dump()));
      self->read();
    });
  }

  void send(std::shared_ptr<const std::string> msg) override {
    if (closing_) return;
    if (queue_.size() + 1 > srv_->cfg.ws_max_queue_messages ||
        bytes_ + msg->size() > srv_->cfg.ws_max_queue_bytes) {
      srv_->reg
          .counter("picket_ws_dropped_slow_total", "WebSocket clients dropped for falling behind")
          .inc();
      log::event(
          spdlog::level::warn, "ws_client_dropped",
          {{"reason", "too slow"}, {"queued_messages", queue_.size()}, {"queued_bytes", bytes_}});
      close_slow();
      return;
    }
    bytes_ += msg->size();
    queue_.push_back(std::move(msg));
    queued_at_.push_back(std::chrono::steady_clock::now());
    if (!writing_) write();
  }

  void shut() override {
    if (closing_) return;
    closing_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  void read() {
    ws_.async_read(rbuf_, [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) {
        self->detach();
        return;
      }
      self->rbuf_.consume(n);  // clients have nothing to say; keep reading for pings and close
      self->read();
    });
  }

  void write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()), [self = this->shared_from_this()](
                                                      beast::error_code ec, std::size_t) {
      self->bytes_ -= self->queue_.front()->size();
      self->queue_.pop_front();
      self->srv_->ws_send_latency->observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - self->queued_at_.front())
              .count());
      self->queued_at_.pop_front();
      self->writing_ = false;
      if (ec) {
        self->detach();
        return;
      }
      if (self->closing_) {
        self->finish_close();
      } else if (!self->queue_.empty()) {
        self->write();
      }
    });
  }

  // A client that cannot keep up is told why and disconnected; its queue is dropped at once so
  // it holds no memory. If even the close cannot be written in a few seconds, the socket is cut.
  void close_slow() {
    closing_ = true;
    detach();
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      bytes_ -= queue_.back()->size();
      queue_.pop_back();
      queued_at_.pop_back();
    }
    timer_.expires_after(std::chrono::seconds(5));
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
      }
    });
    if (!writing_) finish_close();
  }

  void finish_close() {
    ws_.async_close(
        websocket::close_reason(websocket::close_code::policy_error, "too slow"),
        [self = this->shared_from_this()](beast::error_code) { self->timer_.cancel(); });
  }

  void detach() { srv_->ws_clients.erase(this->shared_from_this()); }

  websocket::stream<Stream> ws_;
  std::shared_ptr<Server::Impl> srv_;
  net::steady_timer timer_;
  Request req_;
  beast::flat_buffer rbuf_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::deque<std::chrono::steady_clock::time_point> queued_at_;  // beside queue_
  std::size_t bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
};

// --- HTTP session ---------------------------------------------------------------------------

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  HttpSession(Stream&& stream, std::shared_ptr<Server::Impl> srv, std::string client)
      : stream_(std::move(stream)), srv_(std::move(srv)), client_(std::move(client)) {}

  void run() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(10));
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  self->srv_->reject("tls_handshake");
                                  return;
                                }
                                self->read();
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(srv_->cfg.max_body_bytes);
    parser_->header_limit(16 * 1024);
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::milliseconds(static_cast<long>(srv_->cfg.idle_timeout_s * 1000)));
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::body_limit) {
      srv_->reject("body_too_large");
      return send(error_response(413, "request body too large"), true);
    }
    if (ec == http::error::header_limit) {
      srv_->reject("header_too_large");
      return send(error_response(431, "request headers too large"), true);
    }
    if (ec) {
      if (ec != beast::error::timeout && ec != net::error::operation_aborted &&
          ec != net::error::connection_reset && ec != net::error::eof) {
        srv_->reject("malformed_http");
        return send(error_response(400, "malformed HTTP request"), true);
      }
      return;
    }
    Request req = parser_->release();
    if (websocket::is_upgrade(req)) {
      if (req.target() != "/api/stream") {
        srv_->reject("bad_websocket_path");
        return send(error_response(404, "no WebSocket here"), true);
      }
      if (!srv_->session_of(req)) {
        srv_->reject("unauthenticated");
        return send(error_response(401, "not logged in"), true);
      }
      // Browsers send Origin on WebSocket upgrades; a page from another site must not ride on
      // the operator's cookie (cross-site WebSocket hijacking).
      if (const auto origin = sv(req[http::field::origin]); !origin.empty()) {
        const auto host = sv(req[http::field::host]);
        const size_t scheme = origin.find("://");
        if (scheme == std::string_view::npos || origin.substr(scheme + 3) != host) {
          srv_->reject("foreign_origin");
          return send(error_response(403, "foreign origin"), true);
        }
      }
      beast::get_lowest_layer(stream_).expires_never();
      std::make_shared<WsSession<Stream>>(std::move(stream_), srv_)->run(std::move(req));
      return;
    }
    const bool keep = req.keep_alive();
    const unsigned version = req.version();
    const bool head = req.method() == http::verb::head;
    srv_->handle(std::move(req), client_,
                 [self = this->shared_from_this(), keep, version, head](Response res) {
                   res.version(version);
                   res.keep_alive(keep);
                   if (head) {
                     res.content_length(res.body().size());
                     res.body().clear();
                   }
                   self->send(std::move(res), false);
                 });
  }

  void send(Response res, bool close_after) {
    srv_->count_response(res.result_int());
    if (close_after) res.keep_alive(false);
    auto sp = std::make_shared<Response>(std::move(res));
    if (!sp->has_content_length()) sp->prepare_payload();
    http::async_write(stream_, *sp,
                      [self = this->shared_from_this(), sp](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!sp->keep_alive()) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ec;
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  std::shared_ptr<Server::Impl> srv_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

// --- Accepting ------------------------------------------------------------------------------

void Server::Impl::accept() {
  acceptor.async_accept(ioc, [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopping) return;
    if (!ec) {
      beast::error_code e2;
      const auto ep = socket.remote_endpoint(e2);
      const std::string client = e2 ? "?" : ep.address().to_string();
      if (self->tls) {
        std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *self->tls),
            self, client)
            ->run();
      } else {
        std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), self,
                                                         client)
            ->run();
      }
    }
    self->accept();
  });
}

// --- Requests -------------------------------------------------------------------------------

void Server::Impl::handle(Request&& req, const std::string& client, Done done) {
  const std::string_view target = sv(req.target());
  const size_t qpos = target.find('?');
  const std::string path(target.substr(0, qpos));

  if (path == "/healthz") return done(make_response(200, "ok\n", "text/plain"));
  if (path == "/readyz") {
    return done(backend.ready() ? make_response(200, "ready\n", "text/plain")
                                : make_response(503, "not ready\n", "text/plain"));
  }
  if (path == "/metrics") {
    reg.gauge("picket_ws_clients", "WebSocket clients connected")
        .set(static_cast<double>(ws_clients.size()));
    return done(make_response(200, reg.render(), "text/plain; version=0.0.4"));
  }
  if (path.rfind("/api/", 0) == 0 || path == "/api")
    return handle_api(std::move(req), path, client, std::move(done));

  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    reject("method");
    return done(error_response(405, "method not allowed"));
  }
  if (cfg.static_dir.empty()) return done(error_response(404, "no console installed"));
  const auto file = detail::safe_static_path(cfg.static_dir, path);
  if (!file) {
    if (path.find("..") != std::string::npos || path.find('%') != std::string::npos ||
        path.find('\\') != std::string::npos) {
      reject("path_traversal");
      return done(error_response(400, "bad path"));
    }
    return done(error_response(404, "not found"));
  }
  std::ifstream in(*file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  Response res = make_response(200, ss.str(), detail::content_type(*file));
  // Vite names built assets by content hash: they may be cached for long.
  if (path.rfind("/assets/", 0) == 0)
    res.set(http::field::cache_control, "public, max-age=31536000, immutable");
  res.set("Content-Security-Policy",
          "default-src 'self'; img-src * data: blob:; style-src 'self' 'unsafe-inline'; "
          "connect-src 'self' ws: wss:; media-src 'self' data: blob:");
  done(std::move(res));
}

void Server::Impl::login(Request&& req, const std::string& client, Done done) {
  const Json body = Json::parse(req.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("username") ||
      !body.contains("password") || !body["username"].is_string() ||
      !body["password"].is_string()) {
    reject("bad_json");
    return done(error_response(400, "expected {\"username\": ..., \"password\": ...}"));
  }
  const std::string name = body["username"];
  const std::string password = body["password"];
  const double wait = limiter.retry_after(client, name, clock());
  if (wait > 0) {
    reject("login_rate_limited");
    Response r = error_response(429, "too many failed logins; try again later");
    r.set(http::field::retry_after, std::to_string(static_cast<int>(std::ceil(wait))));
    return done(std::move(r));
  }
  // Verify off the event loop: Argon2id takes a tenth of a second on purpose. An unknown user is
  // checked against a dummy hash so timing does not reveal which names exist.
  static const std::string dummy = hash_password("dummy-password-for-timing").value();
  const auto hash = users.password_hash(name);
  net::post(hash_pool,
            [self = shared_from_this(), name, password, client, hash, done = std::move(done)] {
              const bool ok = verify_password(hash.value_or(dummy), password) && hash.has_value();
              net::post(self->ioc, [self, ok, name, client, done] {
                const auto user = ok ? self->users.find(name) : std::nullopt;
                if (!user) {
                  self->limiter.failure(client, name, self->clock());
                  self->reject("login_failed");
                  self->audit(name, "login_failed", "", "", client);
                  return done(error_response(401, "wrong user name or password"));
                }
                self->limiter.success(client, name);
                const Session s = self->sessions.create(*user);
                self->audit(name, "login", "", "", client);
                Response r = json_response(
                    200, Json{{"user", {{"name", user->name}, {"role", to_string(user->role)}}},
                              {"csrf_token", s.csrf}});
                std::string cookie =
                    fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}", kCookie,
                                s.token, static_cast<long>(self->sessions.lifetime()));
                if (self->tls) cookie += "; Secure";
                r.set(http::field::set_cookie, cookie);
                done(std::move(r));
              });
            });
}

void Server::Impl::handle_api(Request&& req, const std::string& path, const std::string& client,
                              Done done) {
  const auto method = req.method();
  const std::string_view target = sv(req.target());
  const size_t qpos = target.find('?');
  const auto query = detail::parse_query(qpos == std::string_view::npos ? std::string_view()
                                                                        : target.substr(qpos + 1));
  const auto parts = split_path(path);  // "api", ...
  const bool get = method == http::verb::get || method == http::verb::head;
  const bool post = method == http::verb::post;
  const bool del = method == http::verb::delete_;

  if (parts.size() == 2 && parts[1] == "login") {
    if (!post) return done(error_response(405, "use POST"));
    return login(std::move(req), client, std::move(done));
  }
  const auto session = session_of(req);
  if (!session) {
    reject("unauthenticated");
    return done(error_response(401, "not logged in"));
  }
  if (!get) {
    const auto token = sv(req["X-CSRF-Token"]);
    if (token.empty() || token != session->csrf) {
      reject("csrf");
      return done(error_response(403, "missing or wrong X-CSRF-Token"));
    }
  }
  const User& user = session->user;
  auto need = [&](Role r) {
    if (at_least(user.role, r)) return true;
    reject("forbidden");
    done(error_response(403, fmt::format("needs the {} role", to_string(r))));
    return false;
  };
  Json body;
  if (post) {
    body = req.body().empty() ? Json::object() : Json::parse(req.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      reject("bad_json");
      return done(error_response(400, "the body must be a JSON object"));
    }
  }
  auto str = [&](const char* k) {
    return body.contains(k) && body[k].is_string() ? body[k].get<std::string>() : std::string();
  };
  const auto n = parts.size();
  const std::string_view p1 = n > 1 ? parts[1] : "";

  if (n == 2 && p1 == "logout" && post) {
    sessions.remove(session->token);
    audit(user.name, "logout", "", "", client);
    Response r = json_response(200, Json::object());
    r.set(http::field::set_cookie,
          fmt::format("{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0", kCookie));
    return done(std::move(r));
  }
  if (n == 2 && p1 == "me" && get) {
    return done(
        json_response(200, Json{{"user", {{"name", user.name}, {"role", to_string(user.role)}}},
                                {"csrf_token", session->csrf}}));
  }
  if (n == 2 && p1 == "site" && get) return done(json_response(200, backend.site()));
  if (n == 2 && p1 == "sensors" && get) return done(json_response(200, backend.sensors()));
  if (n == 2 && p1 == "tracks" && get) return done(json_response(200, backend.tracks()));
  if (n == 4 && p1 == "tracks" && parts[3] == "history" && get) {
    const auto id = parse_id(parts[2]);
    if (!id) return done(error_response(400, "bad track id"));
    return done(
        from(backend.track_history(*id, query_number(query, "from"), query_number(query, "to"))));
  }
  if (p1 == "alarms") {
    if (n == 2 && get) {
      AlarmQuery q;
      if (auto it = query.find("state"); it != query.end()) q.state = it->second;
      if (q.state != "open" && q.state != "raised" && q.state != "acknowledged" &&
          q.state != "resolved" && q.state != "all") {
        return done(error_response(400, "state: open, raised, acknowledged, resolved or all"));
      }
      if (auto it = query.find("priority"); it != query.end()) q.priority = it->second;
      if (auto it = query.find("exercise"); it != query.end()) q.exercise = it->second == "true";
      q.since = query_number(query, "since");
      q.until = query_number(query, "until");
      q.limit =
          static_cast<int>(std::clamp(query_number(query, "limit").value_or(100), 1.0, 500.0));
      q.offset = static_cast<int>(std::max(0.0, query_number(query, "offset").value_or(0)));
      return done(json_response(200, backend.alarms(q)));
    }
    const auto id = n >= 3 ? parse_id(parts[2]) : std::nullopt;
    if (!id) return done(error_response(404, "no such alarm"));
    if (n == 3 && get) return done(from(backend.alarm(*id)));
    if (n == 4 && post && parts[3] == "acknowledge") {
      if (!need(Role::operator_)) return;
      auto r = backend.acknowledge(*id, user.name, str("note"));
      if (r.ok())
        audit(user.name, "acknowledge", fmt::format("alarm {}", *id), str("note"), client);
      return done(from(r));
    }
    if (n == 4 && post && parts[3] == "resolve") {
      if (!need(Role::operator_)) return;
      const std::string outcome = str("outcome");
      if (outcome != "intrusion" && outcome != "nuisance" && outcome != "false" &&
          outcome != "test") {
        return done(error_response(400, "outcome: intrusion, nuisance, false or test"));
      }
      auto r = backend.resolve(*id, user.name, outcome, str("note"));
      if (r.ok())
        audit(user.name, "resolve", fmt::format("alarm {}", *id), outcome + ": " + str("note"),
              client);
      return done(from(r));
    }
    // /api/alarms/{id}/evidence/{camera}/{kind}/{index}: one JPEG.
    if (n == 7 && get && parts[3] == "evidence") {
      int index = -1;
      const auto& ix = parts[6];
      const auto [end, ec] = std::from_chars(ix.data(), ix.data() + ix.size(), index);
      if (ec != std::errc() || end != ix.data() + ix.size() || index < 0) {
        return done(error_response(404, "no such evidence"));
      }
      auto img = backend.evidence_image(*id, std::string(parts[4]), std::string(parts[5]), index);
      if (!img.ok()) return done(error_response(img.error.status, img.error.message));
      Response r = make_response(200, std::move(*img.value), "image/jpeg");
      r.set(http::field::cache_control, "private, max-age=86400");  // evidence never changes
      return done(std::move(r));
    }
    if (n == 4 && get && parts[3] == "track") {
      auto a = backend.alarm(*id);
      if (!a.ok()) return done(from(a));
      return done(json_response(200, (*a.value).value("track_history", Json::array())));
    }
  }
  if (p1 == "history") {
    if (n == 3 && parts[2] == "range" && get)
      return done(json_response(200, backend.history_range()));
    if (n == 2 && get) {
      const auto from_t = query_number(query, "from"), to_t = query_number(query, "to");
      if (!from_t || !to_t || *to_t < *from_t) return done(error_response(400, "give from <= to"));
      return done(from(backend.history(*from_t, *to_t, query_number(query, "step").value_or(1.0))));
    }
  }
  if (p1 == "users") {
    if (!need(Role::admin)) return;
    if (n == 2 && get) {
      Json out = Json::array();
      for (const auto& u : users.list())
        out.push_back({{"name", u.name}, {"role", to_string(u.role)}});
      return done(json_response(200, out));
    }
    if (n == 2 && post) {
      const auto role = parse_role(str("role"));
      if (!role) return done(error_response(400, "role: viewer, operator or admin"));
      auto st = users.create(str("name"), *role, str("password"));
      if (!st)
        return done(error_response(st.error().what.find("exists") != std::string::npos ? 409 : 400,
                                   st.error().message()));
      audit(user.name, "create_user", str("name"), str("role"), client);
      return done(json_response(201, Json{{"name", str("name")}, {"role", str("role")}}));
    }
    if (n == 3 && del) {
      const std::string name(parts[2]);
      const auto target_user = users.find(name);
      if (!target_user) return done(error_response(404, "no such user"));
      if (target_user->role == Role::admin && users.count_admins() <= 1) {
        return done(error_response(409, "cannot delete the last admin"));
      }
      auto st = users.remove(name);
      if (!st) return done(error_response(500, st.error().message()));
      sessions.remove_user(name);
      audit(user.name, "delete_user", name, "", client);
      return done(json_response(200, Json::object()));
    }
  }
  if (p1 == "scenarios" && n == 2 && get) {
    if (!need(Role::admin)) return;
    return done(json_response(200, backend.scenarios()));
  }
  if (p1 == "exercise" && n == 2) {
    if (get) return done(json_response(200, backend.exercise()));
    if (!need(Role::admin)) return;
    if (post) {
      auto r = backend.start_exercise(str("scenario"), user.name);
      if (r.ok()) audit(user.name, "start_exercise", str("scenario"), "", client);
      return done(from(r));
    }
    if (del) {
      auto r = backend.stop_exercise(user.name);
      if (r.ok()) audit(user.name, "stop_exercise", "", "", client);
      return done(from(r));
    }
  }
  if (p1 == "audit" && n == 2 && get) {
    if (!need(Role::admin)) return;
    Json out = Json::array();
    for (const auto& e :
         users.audit_log(static_cast<int>(query_number(query, "limit").value_or(200)))) {
      out.push_back({{"t", e.t},
                     {"actor", e.actor},
                     {"action", e.action},
                     {"target", e.target},
                     {"detail", e.detail},
                     {"client", e.client}});
    }
    return done(json_response(200, out));
  }
  reject("not_found");
  done(error_response(404, "no such endpoint"));
}

// --- Server ---------------------------------------------------------------------------------

Server::Server(net::io_context& ioc, ServerConfig config, Backend& backend, UserDb& users,
               Registry& metrics, Clock clock)
    : impl_(std::make_shared<Impl>(ioc, std::move(config), backend, users, metrics,
                                   std::move(clock))) {}

Server::~Server() {
  stop();
  impl_->hash_pool.join();
}

Status Server::start() {
  auto& s = *impl_;
  const std::string where = fmt::format("{}:{}", s.cfg.address, s.cfg.port);
  if (!s.cfg.tls_cert.empty() || !s.cfg.tls_key.empty()) {
    if (s.cfg.tls_cert.empty() || s.cfg.tls_key.empty()) {
      return Error{"server.tls", "give both a certificate and a key file"};
    }
    s.tls.emplace(ssl::context::tls_server);
    s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    s.tls->use_certificate_chain_file(s.cfg.tls_cert, ec);
    if (ec) return Error{s.cfg.tls_cert, "cannot use as a TLS certificate: " + ec.message()};
    s.tls->use_private_key_file(s.cfg.tls_key, ssl::context::pem, ec);
    if (ec) return Error{s.cfg.tls_key, "cannot use as a TLS private key: " + ec.message()};
  }
  beast::error_code ec;
  const auto addr = net::ip::make_address(s.cfg.address, ec);
  if (ec) return Error{where, "not an IP address"};
  const tcp::endpoint ep(addr, s.cfg.port);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Error{where, "cannot listen: " + ec.message()};
  impl_->accept();
  return Ok{};
}

unsigned short Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

bool Server::tls() const {
  return impl_->tls.has_value();
}

void Server::stop() {
  auto& s = *impl_;
  if (s.stopping) return;
  s.stopping = true;
  beast::error_code ec;
  s.acceptor.close(ec);
  auto clients = s.ws_clients;
  for (auto& c : clients)
    c->shut();
  s.ws_clients.clear();
}

void Server::broadcast(std::string json_text) {
  auto msg = std::make_shared<const std::string>(std::move(json_text));
  auto clients = impl_->ws_clients;  // a send may drop a client from the set
  for (auto& c : clients)
    c->send(msg);
}

std::size_t Server::clients() const {
  return impl_->ws_clients.size();
}

}  // namespace picket::server

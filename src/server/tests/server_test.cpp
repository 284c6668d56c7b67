// The server's own behaviour over real sockets on loopback: sessions, CSRF, roles, login limits,
// body limits, static paths and the WebSocket stream. The backend here is a fixed table (the
// server is tested alone; the engine's backend is tested with the engine).
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "picket/server/server.h"

namespace picket::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class FixedBackend : public Backend {
 public:
  bool ready() override { return true; }
  Json site() override { return {{"type", "FeatureCollection"}, {"features", Json::array()}}; }
  Json sensors() override { return Json::array(); }
  Json tracks() override { return {{"t", 1}, {"tracks", Json::array()}}; }
  Json snapshot() override { return {{"type", "snapshot"}, {"tracks", Json::array()}}; }
  ApiResult<Json> track_history(std::uint64_t, std::optional<double>,
                                std::optional<double>) override {
    return ApiError{404, "no such track"};
  }
  Json alarms(const AlarmQuery& q) override {
    last_query = q;
    return {{"total", 0}, {"alarms", Json::array()}};
  }
  ApiResult<Json> alarm(std::uint64_t id) override {
    if (id != 1) return ApiError{404, "no such alarm"};
    return Json{{"alarm", {{"id", 1}, {"state", state}}}};
  }
  ApiResult<Json> acknowledge(std::uint64_t id, const std::string& user,
                              const std::string&) override {
    if (id != 1) return ApiError{404, "no such alarm"};
    if (state != "raised") return ApiError{409, "already acknowledged"};
    state = "acknowledged";
    return Json{{"id", 1}, {"state", state}, {"acknowledged_by", user}};
  }
  ApiResult<Json> resolve(std::uint64_t, const std::string&, const std::string&,
                          const std::string&) override {
    state = "resolved";
    return Json{{"id", 1}, {"state", state}};
  }
  Json history_range() override { return {{"from", 0}, {"to", 0}}; }
  ApiResult<Json> history(double, double, double) override {
    return Json{{"frames", Json::array()}};
  }
  Json scenarios() override { return Json::array({"drill"}); }
  ApiResult<Json> start_exercise(const std::string&, const std::string&) override {
    return Json::object();
  }
  Json exercise() override { return {{"active", false}}; }
  ApiResult<Json> stop_exercise(const std::string&) override { return Json::object(); }

  std::string state = "raised";
  AlarmQuery last_query;
};

struct Reply {
  unsigned status = 0;
  std::string body;
  std::string set_cookie;
  std::string retry_after;
  Json json() const { return Json::parse(body, nullptr, false); }
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("srv" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "www" / "assets");
    std::ofstream(dir_ / "www" / "index.html") << "<html>console</html>";
    std::ofstream(dir_ / "www" / "assets" / "app.js") << "console.log(1)";
    std::ofstream(dir_ / "secret.txt") << "secret";
    auto db = UserDb::open((dir_ / "users.db").string());
    ASSERT_TRUE(db) << db.error().message();
    users_ = std::move(*db);
    ASSERT_TRUE(users_->create("ada", Role::operator_, "operator-pass"));
    ASSERT_TRUE(users_->create("vic", Role::viewer, "viewer-pass"));
    ASSERT_TRUE(users_->create("root", Role::admin, "admin-pass1"));
    ServerConfig cfg;
    cfg.port = 0;
    cfg.static_dir = (dir_ / "www").string();
    cfg.max_body_bytes = 4096;
    cfg.ws_max_queue_messages = 4;
    cfg.session_lifetime_s = 3600;
    server_ = std::make_unique<Server>(ioc_, cfg, backend_, *users_, metrics_,
                                       [this] { return now_.load(); });
    ASSERT_TRUE(server_->start());
    port_ = server_->port();
    thread_ = std::thread([this] {
      auto guard = net::make_work_guard(ioc_);
      ioc_.run();
    });
  }
  void TearDown() override {
    if (server_) net::post(ioc_, [this] { server_->stop(); });
    ioc_.stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  Reply request(http::verb verb, const std::string& target, const std::string& body = "",
                const std::string& cookie = "", const std::string& csrf = "") {
    net::io_context io;
    tcp::socket sock(io);
    sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "localhost");
    if (!cookie.empty()) req.set(http::field::cookie, cookie);
    if (!csrf.empty()) req.set("X-CSRF-Token", csrf);
    if (!body.empty()) {
      req.body() = body;
      req.set(http::field::content_type, "application/json");
    }
    req.prepare_payload();
    http::write(sock, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(sock, buf, res, ec);
    Reply r{res.result_int(), res.body(), std::string(res[http::field::set_cookie]),
            std::string(res[http::field::retry_after])};
    return r;
  }

  // Logs in and returns "picket_session=TOKEN" and the CSRF token.
  std::pair<std::string, std::string> login(const std::string& user, const std::string& pw) {
    Reply r =
        request(http::verb::post, "/api/login", Json{{"username", user}, {"password", pw}}.dump());
    EXPECT_EQ(r.status, 200u) << r.body;
    const auto semi = r.set_cookie.find(';');
    return {r.set_cookie.substr(0, semi), r.json().value("csrf_token", "")};
  }

  std::filesystem::path dir_;
  net::io_context ioc_;
  FixedBackend backend_;
  std::unique_ptr<UserDb> users_;
  Registry metrics_;
  std::atomic<double> now_{1'000'000};
  std::unique_ptr<Server> server_;
  unsigned short port_ = 0;
  std::thread thread_;
};

TEST_F(ServerTest, HealthAndMetricsNeedNoLogin) {
  EXPECT_EQ(request(http::verb::get, "/healthz").status, 200u);
  EXPECT_EQ(request(http::verb::get, "/readyz").status, 200u);
  EXPECT_EQ(request(http::verb::get, "/metrics").status, 200u);
}

TEST_F(ServerTest, LoggedOutRequestsGet401) {
  EXPECT_EQ(request(http::verb::get, "/api/tracks").status, 401u);
  EXPECT_EQ(request(http::verb::get, "/api/alarms").status, 401u);
  EXPECT_EQ(request(http::verb::post, "/api/alarms/1/acknowledge", "{}").status, 401u);
  // A forged cookie is no better.
  EXPECT_EQ(
      request(http::verb::get, "/api/tracks", "", "picket_session=" + std::string(64, 'a')).status,
      401u);
}

TEST_F(ServerTest, LoginSetsAStrictHttpOnlyCookie) {
  Reply r =
      request(http::verb::post, "/api/login", R"({"username":"ada","password":"operator-pass"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_NE(r.set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(r.set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(r.set_cookie.find("Secure"), std::string::npos);  // plain HTTP
  EXPECT_EQ(r.json()["user"]["role"], "operator");
  EXPECT_EQ(
      request(http::verb::post, "/api/login", R"({"username":"ada","password":"wrong"})").status,
      401u);
  EXPECT_EQ(
      request(http::verb::post, "/api/login", R"({"username":"nobody","password":"x"})").status,
      401u);
}

TEST_F(ServerTest, StateChangesNeedCsrfAndRole) {
  auto [viewer, viewer_csrf] = login("vic", "viewer-pass");
  EXPECT_EQ(request(http::verb::get, "/api/alarms", "", viewer).status, 200u);
  EXPECT_EQ(
      request(http::verb::post, "/api/alarms/1/acknowledge", "{}", viewer, viewer_csrf).status,
      403u);
  auto [op, op_csrf] = login("ada", "operator-pass");
  EXPECT_EQ(request(http::verb::post, "/api/alarms/1/acknowledge", "{}", op).status,
            403u);  // no CSRF
  EXPECT_EQ(request(http::verb::post, "/api/alarms/1/acknowledge", "{}", op, viewer_csrf).status,
            403u);
  Reply ok =
      request(http::verb::post, "/api/alarms/1/acknowledge", R"({"note":"checking"})", op, op_csrf);
  EXPECT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(ok.json()["acknowledged_by"], "ada");
  EXPECT_EQ(request(http::verb::post, "/api/alarms/1/acknowledge", "{}", op, op_csrf).status, 409u);
  EXPECT_EQ(
      request(http::verb::post, "/api/alarms/1/resolve", R"({"outcome":"maybe"})", op, op_csrf)
          .status,
      400u);
  EXPECT_EQ(request(http::verb::post, "/api/alarms/1/resolve", "{not json", op, op_csrf).status,
            400u);
  EXPECT_EQ(request(http::verb::get, "/api/users", "", op).status, 403u);
  // The audit trail has the login and the acknowledgement.
  bool seen = false;
  for (const auto& e : users_->audit_log(50))
    seen = seen || (e.action == "acknowledge" && e.actor == "ada");
  EXPECT_TRUE(seen);
}

TEST_F(ServerTest, SessionsExpire) {
  auto [cookie, csrf] = login("vic", "viewer-pass");
  EXPECT_EQ(request(http::verb::get, "/api/me", "", cookie).status, 200u);
  now_ = now_ + 3601;
  EXPECT_EQ(request(http::verb::get, "/api/me", "", cookie).status, 401u);
}

TEST_F(ServerTest, FailedLoginsAreRateLimited) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        request(http::verb::post, "/api/login", R"({"username":"ada","password":"no"})").status,
        401u);
  }
  Reply r =
      request(http::verb::post, "/api/login", R"({"username":"ada","password":"operator-pass"})");
  EXPECT_EQ(r.status, 429u);
  EXPECT_FALSE(r.retry_after.empty());
  now_ = now_ + 61;
  EXPECT_EQ(
      request(http::verb::post, "/api/login", R"({"username":"ada","password":"operator-pass"})")
          .status,
      200u);
}

TEST_F(ServerTest, BadBodiesAreRefused) {
  EXPECT_EQ(request(http::verb::post, "/api/login", "[1,2").status, 400u);
  EXPECT_EQ(request(http::verb::post, "/api/login", std::string(10000, 'x')).status, 413u);
  auto [admin, csrf] = login("root", "admin-pass1");
  EXPECT_EQ(request(http::verb::post, "/api/users",
                    R"({"name":"x","role":"god","password":"12345678"})", admin, csrf)
                .status,
            400u);
  EXPECT_EQ(request(http::verb::post, "/api/users",
                    R"({"name":"ada","role":"viewer","password":"12345678"})", admin, csrf)
                .status,
            409u);
  EXPECT_EQ(request(http::verb::post, "/api/users",
                    R"({"name":"new","role":"viewer","password":"12345678"})", admin, csrf)
                .status,
            201u);
  EXPECT_EQ(request(http::verb::delete_, "/api/users/root", "", admin, csrf).status,
            409u);  // last admin
  EXPECT_EQ(request(http::verb::get, "/api/alarms?state=bogus", "", admin).status, 400u);
  EXPECT_EQ(request(http::verb::get, "/api/alarms?state=all&limit=9999", "", admin).status, 200u);
  EXPECT_EQ(backend_.last_query.limit, 500);
  EXPECT_GE(
      metrics_.counter("picket_http_rejected_total", "", {{"reason", "body_too_large"}}).value(),
      1u);
}

TEST_F(ServerTest, StaticFilesStayInsideTheRoot) {
  Reply index = request(http::verb::get, "/");
  EXPECT_EQ(index.status, 200u);
  EXPECT_EQ(index.body, "<html>console</html>");
  EXPECT_EQ(request(http::verb::get, "/assets/app.js").body, "console.log(1)");
  EXPECT_EQ(request(http::verb::get, "/alarms/7").body, "<html>console</html>");  // app route
  for (const char* bad :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
        "/assets%2f..%2f..%2fsecret.txt", "/%00", "/a\\..\\b"}) {
    Reply r = request(http::verb::get, bad);
    EXPECT_NE(r.status, 200u) << bad;
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << bad;
  }
  EXPECT_EQ(request(http::verb::get, "/missing.js").status, 404u);
  EXPECT_EQ(request(http::verb::post, "/").status, 405u);
}

TEST_F(ServerTest, WebSocketNeedsASessionAndStreams) {
  net::io_context io;
  {
    websocket::stream<tcp::socket> ws(io);
    ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    beast::error_code ec;
    ws.handshake("localhost", "/api/stream", ec);
    EXPECT_TRUE(ec);  // 401: no cookie
  }
  auto [cookie, csrf] = login("vic", "viewer-pass");
  {
    websocket::stream<tcp::socket> evil(io);
    evil.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    evil.set_option(websocket::stream_base::decorator([c = cookie](websocket::request_type& req) {
      req.set(http::field::cookie, c);
      req.set(http::field::origin, "https://evil.example");
    }));
    beast::error_code ec;
    evil.handshake("localhost", "/api/stream", ec);
    EXPECT_TRUE(ec);  // 403: another site's page
  }
  websocket::stream<tcp::socket> ws(io);
  ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
  ws.set_option(websocket::stream_base::decorator([c = cookie](websocket::request_type& req) {
    req.set(http::field::cookie, c);
    req.set(http::field::origin, "http://localhost");
  }));
  ws.handshake("localhost", "/api/stream");
  beast::flat_buffer buf;
  ws.read(buf);
  EXPECT_EQ(Json::parse(beast::buffers_to_string(buf.data()))["type"], "snapshot");
  buf.clear();
  std::promise<void> sent;
  net::post(ioc_, [&] {
    server_->broadcast(R"({"type":"tracks","updated":[]})");
    sent.set_value();
  });
  sent.get_future().wait();
  ws.read(buf);
  EXPECT_EQ(Json::parse(beast::buffers_to_string(buf.data()))["type"], "tracks");
}

TEST_F(ServerTest, SlowWebSocketClientIsDropped) {
  auto [cookie, csrf] = login("vic", "viewer-pass");
  net::io_context io;
  websocket::stream<tcp::socket> ws(io);
  ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
  ws.set_option(websocket::stream_base::decorator(
      [c = cookie](websocket::request_type& req) { req.set(http::field::cookie, c); }));
  ws.handshake("localhost", "/api/stream");
  // Never read: the server's socket buffer fills, then its queue of 4 messages overflows.
  const std::string big = R"({"type":"tracks","pad":")" + std::string(1 << 20, 'x') + "\"}";
  for (int i = 0; i < 64; ++i) {
    std::promise<void> sent;
    net::post(ioc_, [&] {
      server_->broadcast(big);
      sent.set_value();
    });
    sent.get_future().wait();
  }
  std::promise<std::size_t> clients;
  net::post(ioc_, [&] { clients.set_value(server_->clients()); });
  EXPECT_EQ(clients.get_future().get(), 0u);
  EXPECT_EQ(metrics_.counter("picket_ws_dropped_slow_total", "").value(), 1u);
  // Reading now ends with the close frame and its reason after the messages already in flight.
  beast::flat_buffer buf;
  beast::error_code ec;
  while (!ec) {
    ws.read(buf, ec);
    buf.clear();
  }
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(ws.reason().reason, "too slow");
}

}  // namespace
}  // namespace picket::server

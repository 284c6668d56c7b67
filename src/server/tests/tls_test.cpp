// HTTPS: the server loads a certificate and key, serves over TLS, and marks cookies Secure.
// The certificate is made here with OpenSSL (self-signed, EC P-256).
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "picket/server/server.h"

namespace picket::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

void write_self_signed(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  ASSERT_GT(X509_sign(x, key, EVP_sha256()), 0);
  FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
}

class NullBackend : public Backend {
 public:
  bool ready() override { return true; }
  Json site() override { return Json::object(); }
  Json sensors() override { return Json::array(); }
  Json tracks() override { return Json::object(); }
  Json snapshot() override { return Json::object(); }
  ApiResult<Json> track_history(std::uint64_t, std::optional<double>,
                                std::optional<double>) override {
    return ApiError{404, "none"};
  }
  Json alarms(const AlarmQuery&) override { return Json::object(); }
  ApiResult<Json> alarm(std::uint64_t) override { return ApiError{404, "none"}; }
  ApiResult<Json> acknowledge(std::uint64_t, const std::string&, const std::string&) override {
    return ApiError{404, "none"};
  }
  ApiResult<Json> resolve(std::uint64_t, const std::string&, const std::string&,
                          const std::string&) override {
    return ApiError{404, "none"};
  }
  Json history_range() override { return Json::object(); }
  ApiResult<Json> history(double, double, double) override { return ApiError{404, "none"}; }
  Json scenarios() override { return Json::array(); }
  ApiResult<Json> start_exercise(const std::string&, const std::string&) override {
    return ApiError{404, "none"};
  }
  Json exercise() override { return Json::object(); }
  ApiResult<Json> stop_exercise(const std::string&) override { return ApiError{404, "none"}; }
};

TEST(Tls, ServesHttpsWithSecureCookies) {
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / ("tls" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  write_self_signed(cert, key);
  auto users = UserDb::open((dir / "u.db").string());
  ASSERT_TRUE(users);
  ASSERT_TRUE((*users)->create("ada", Role::operator_, "operator-pass"));
  net::io_context ioc;
  NullBackend backend;
  Registry metrics;
  ServerConfig cfg;
  cfg.port = 0;
  cfg.tls_cert = cert;
  cfg.tls_key = key;
  Server server(ioc, cfg, backend, **users, metrics, [] { return 1e9; });
  ASSERT_TRUE(server.start());
  EXPECT_TRUE(server.tls());
  std::thread loop([&] { ioc.run(); });

  net::io_context io;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_none);  // self-signed
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  beast::get_lowest_layer(stream).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  stream.handshake(ssl::stream_base::client);
  http::request<http::string_body> req{http::verb::post, "/api/login", 11};
  req.set(http::field::host, "localhost");
  req.body() = R"({"username":"ada","password":"operator-pass"})";
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_NE(std::string(res[http::field::set_cookie]).find("; Secure"), std::string::npos);

  // Plain HTTP on the TLS port gets nowhere.
  tcp::socket plain(io);
  plain.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  http::request<http::string_body> p{http::verb::get, "/healthz", 11};
  p.set(http::field::host, "localhost");
  http::write(plain, p);
  http::response<http::string_body> pres;
  beast::flat_buffer pbuf;
  beast::error_code ec;
  http::read(plain, pbuf, pres, ec);
  EXPECT_TRUE(ec);

  net::post(ioc, [&] { server.stop(); });
  ioc.stop();
  loop.join();
}

TEST(Tls, BadCertificateFilesAreClearErrors) {
  net::io_context ioc;
  NullBackend backend;
  Registry metrics;
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / ("tlsbad" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto users = UserDb::open((dir / "u.db").string());
  ASSERT_TRUE(users);
  ServerConfig cfg;
  cfg.port = 0;
  cfg.tls_cert = "/nonexistent/cert.pem";
  cfg.tls_key = "/nonexistent/key.pem";
  Server server(ioc, cfg, backend, **users, metrics, [] { return 0.0; });
  auto st = server.start();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("/nonexistent/cert.pem: cannot use as a TLS certificate"),
            std::string::npos)
      << st.error().message();
  cfg.tls_key.clear();
  Server half(ioc, cfg, backend, **users, metrics, [] { return 0.0; });
  auto st2 = half.start();
  ASSERT_FALSE(st2);
  EXPECT_NE(st2.error().message().find("give both"), std::string::npos);
}

}  // namespace
}  // namespace picket::server

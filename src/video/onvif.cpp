#include "picket/video/onvif.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <ctime>

namespace picket::video {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

std::string base64_encode(const std::vector<std::uint8_t>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::vector<std::uint8_t> out(text.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock keeps the padding's zero bytes; drop one per '='.
  size_t len = static_cast<size_t>(n);
  if (!text.empty() && text.back() == '=') --len;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string password_digest(const std::vector<std::uint8_t>& nonce, const std::string& created,
                            const std::string& password) {
  std::vector<std::uint8_t> data(nonce);
  data.insert(data.end(), created.begin(), created.end());
  data.insert(data.end(), password.begin(), password.end());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr);
  return base64_encode(std::vector<std::uint8_t>(md, md + len));
}

namespace {

// xs:dateTime in UTC to the second, as devices expect ("2010-09-16T07:50:45Z").
std::string xs_datetime(double unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The content of the first element whose local name is `local`, whatever its prefix (up to its
// matching end tag; ONVIF replies do not nest an element inside one of the same name).
std::optional<std::string> element_text(const std::string& xml, const std::string& local) {
  size_t pos = 0;
  while ((pos = xml.find('<', pos)) != std::string::npos) {
    const size_t name_end = xml.find_first_of(" \t\r\n/>", pos + 1);
    if (name_end == std::string::npos) return std::nullopt;
    const std::string full = xml.substr(pos + 1, name_end - pos - 1);
    const size_t colon = full.find(':');
    const std::string name = colon == std::string::npos ? full : full.substr(colon + 1);
    const size_t open_end = xml.find('>', name_end);
    if (open_end == std::string::npos) return std::nullopt;
    if (name == local) {
      if (xml[open_end - 1] == '/') return std::string();
      const size_t close = xml.find("</" + full + ">", open_end);
      if (close == std::string::npos) return std::nullopt;
      return xml.substr(open_end + 1, close - open_end - 1);
    }
    pos = open_end;
  }
  return std::nullopt;
}

}  // namespace

Result<UsernameToken> make_username_token(const std::string& username, const std::string& password,
                                          double now) {
  std::vector<std::uint8_t> nonce(16);
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    return Error{"ONVIF", "no random bytes for a WS-Security nonce (OpenSSL RAND_bytes failed)"};
  }
  UsernameToken t;
  t.username = username;
  t.created = xs_datetime(now);
  t.nonce = base64_encode(nonce);
  t.digest = password_digest(nonce, t.created, password);
  return t;
}

std::string absolute_move_envelope(const std::string& profile_token, const OnvifPosition& pos,
                                   const UsernameToken* token) {
  std::string header;
  if (token) {
    header = fmt::format(
        "<s:Header><wsse:Security s:mustUnderstand=\"1\" xmlns:wsse=\"{}\" xmlns:wsu=\"{}\">"
        "<wsse:UsernameToken><wsse:Username>{}</wsse:Username>"
        "<wsse:Password Type=\"{}\">{}</wsse:Password>"
        "<wsse:Nonce EncodingType=\"{}\">{}</wsse:Nonce>"
        "<wsu:Created>{}</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>",
        kWsseNs, kWsuNs, xml_escape(token->username), kPasswordDigestType, token->digest,
        kBase64EncodingType, token->nonce, token->created);
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<s:Envelope xmlns:s=\"{}\" xmlns:tptz=\"{}\" xmlns:tt=\"{}\">{}"
      "<s:Body><tptz:AbsoluteMove><tptz:ProfileToken>{}</tptz:ProfileToken>"
      "<tptz:Position><tt:PanTilt x=\"{:.6f}\" y=\"{:.6f}\" space=\"{}\"/>"
      "<tt:Zoom x=\"{:.6f}\" space=\"{}\"/></tptz:Position>"
      "</tptz:AbsoluteMove></s:Body></s:Envelope>",
      kSoapEnvelopeNs, kPtzWsdlNs, kOnvifSchemaNs, header, xml_escape(profile_token), pos.x, pos.y,
      kPanTiltGenericSpace, pos.zoom, kZoomGenericSpace);
}

Result<HttpUrl> parse_http_url(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return Error{url, "not an http:// URL"};
  const std::string rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  HttpUrl u;
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string::npos) {
    return Error{url, "credentials belong in ptz.username and ptz.password, not the URL"};
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    u.host = authority.substr(0, colon);
    u.port = authority.substr(colon + 1);
    if (u.port.empty() || u.port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(u.port) == 0 || std::stoul(u.port) > 65535) {
      return Error{url, fmt::format("'{}' is not a port number", u.port)};
    }
  } else {
    u.host = authority;
  }
  if (u.host.empty()) return Error{url, "no host"};
  return u;
}

OnvifPtzClient::OnvifPtzClient(const PtzConfig& ptz, HttpUrl url, const Clock& clock)
    : ptz_(ptz), url_(std::move(url)), clock_(clock) {}

Result<std::unique_ptr<OnvifPtzClient>> OnvifPtzClient::create(const PtzConfig& ptz,
                                                               const Clock& clock) {
  PICKET_TRY(url, parse_http_url(ptz.url));
  return std::unique_ptr<OnvifPtzClient>(new OnvifPtzClient(ptz, std::move(url), clock));
}

Status OnvifPtzClient::absolute_move(const OnvifPosition& position) {
  std::optional<UsernameToken> token;
  if (!ptz_.username.empty()) {
    auto t = make_username_token(ptz_.username, ptz_.password, clock_.now());
    if (!t) return t.error();
    token = std::move(*t);
  }
  const std::string body =
      absolute_move_envelope(ptz_.profile, position, token ? &*token : nullptr);
  const auto deadline = std::chrono::milliseconds(static_cast<long>(ptz_.timeout_s * 1000));
  // Asynchronous steps on one io_context, so that the stream's deadline covers the resolve,
  // connect, write and read together (Beast enforces expiry on asynchronous operations only).
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buf;
  http::request<http::string_body> req(http::verb::post, url_.target, 11);
  req.set(http::field::host, url_.host);
  req.set(http::field::content_type,
          fmt::format("application/soap+xml; charset=utf-8; action=\"{}\"", kAbsoluteMoveAction));
  req.set(http::field::user_agent, "picket");
  req.body() = body;
  req.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  beast::error_code failure;
  bool done = false;
  stream.expires_after(deadline);
  resolver.async_resolve(url_.host, url_.port, [&](beast::error_code ec, auto endpoints) {
    if (ec) {
      failure = ec;
      return;
    }
    stream.async_connect(endpoints, [&](beast::error_code ec2, auto) {
      if (ec2) {
        failure = ec2;
        return;
      }
      http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
        if (ec3) {
          failure = ec3;
          return;
        }
        http::async_read(stream, buf, parser, [&](beast::error_code ec4, std::size_t) {
          failure = ec4;
          done = !ec4;
        });
      });
    });
  });
  // The resolver has no deadline of its own: bound the whole run as well.
  io.run_for(deadline + std::chrono::milliseconds(100));
  if (!done && !failure) failure = beast::error::timeout;
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  if (failure) {
    if (failure == beast::error::timeout) {
      return Error{ptz_.url, fmt::format("no answer within {:g} s", ptz_.timeout_s)};
    }
    return Error{ptz_.url, "AbsoluteMove failed: " + failure.message()};
  }
  const auto& res = parser.get();
  return absolute_move_answer(ptz_.url, res.result_int(), std::string(res.reason()), res.body());
}

Status absolute_move_answer(const std::string& where, unsigned http_status,
                            const std::string& http_reason, const std::string& body) {
  if (http_status == 200 && element_text(body, "AbsoluteMoveResponse")) return Ok{};
  if (auto reason = element_text(body, "Text")) {
    std::string subcode;
    if (auto sub = element_text(body, "Subcode")) {
      if (auto v = element_text(*sub, "Value")) subcode = " (" + *v + ")";
    }
    return Error{where, fmt::format("ONVIF fault: {}{}", *reason, subcode)};
  }
  return Error{where, fmt::format("AbsoluteMove failed: HTTP {} {}", http_status, http_reason)};
}

}  // namespace picket::video

// ONVIF PTZ control: the AbsoluteMove request of the ONVIF PTZ service (ONVIF PTZ Service
// Specification, ver20/ptz/wsdl) as SOAP 1.2 over HTTP, authenticated with a WS-Security
// UsernameToken (OASIS Web Services Security UsernameToken Profile 1.0):
//
//   PasswordDigest = Base64(SHA-1(nonce + created + password))
//
// where nonce is the raw random bytes (sent Base64-encoded) and created the UTC time as
// xs:dateTime, so the password never crosses the network and a captured request cannot be
// replayed once the device's freshness window has passed (the ONVIF Application Programmer's
// Guide, section 6.1.1.3, gives the worked example the tests check).
//
// The HTTP exchange uses Boost.Beast, synchronously with a deadline: the caller (the PTZ
// camera's thread) waits at most `timeout` for the answer. A SOAP Fault comes back as an Error
// carrying the fault's reason and subcode (ter:NotAuthorized, ter:InvalidArgVal, ...).
//
// Thread-safety: an OnvifPtzClient belongs to one thread; the free functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "picket/core/result.h"
#include "picket/video/ptz.h"
#include "picket/video/source.h"

namespace picket::video {

inline constexpr std::string_view kSoapEnvelopeNs = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view kPtzWsdlNs = "http://www.onvif.org/ver20/ptz/wsdl";
inline constexpr std::string_view kOnvifSchemaNs = "http://www.onvif.org/ver10/schema";
inline constexpr std::string_view kWsseNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr std::string_view kWsuNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
inline constexpr std::string_view kPasswordDigestType =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest";
inline constexpr std::string_view kBase64EncodingType =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"
    "#Base64Binary";
inline constexpr std::string_view kPanTiltGenericSpace =
    "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";
inline constexpr std::string_view kZoomGenericSpace =
    "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace";
inline constexpr std::string_view kAbsoluteMoveAction =
    "http://www.onvif.org/ver20/ptz/wsdl/AbsoluteMove";

std::string base64_encode(const std::vector<std::uint8_t>& bytes);
// Nothing when the text is not Base64.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// Base64(SHA-1(nonce + created + password)).
std::string password_digest(const std::vector<std::uint8_t>& nonce, const std::string& created,
                            const std::string& password);

struct UsernameToken {
  std::string username;
  std::string digest;   // Base64
  std::string nonce;    // Base64
  std::string created;  // xs:dateTime, UTC
};
// A token with a fresh 16-byte random nonce (OpenSSL RAND_bytes) created at `now`.
Result<UsernameToken> make_username_token(const std::string& username, const std::string& password,
                                          double now);

// The SOAP 1.2 envelope of an AbsoluteMove request. Without a username, no security header.
std::string absolute_move_envelope(const std::string& profile_token, const OnvifPosition& pos,
                                   const UsernameToken* token);

struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};
Result<HttpUrl> parse_http_url(const std::string& url);

// The device's answer to an AbsoluteMove, as received (status line and body, at most 1 MiB):
// Ok for HTTP 200 with an AbsoluteMoveResponse; otherwise an Error at `where` with the SOAP
// fault's reason and subcode when the body has one, else the HTTP status. The body is the
// network peer's and is scanned without trusting it (fuzz/onvif_answer.cpp).
Status absolute_move_answer(const std::string& where, unsigned http_status,
                            const std::string& http_reason, const std::string& body);

class OnvifPtzClient final : public PtzClient {
 public:
  // Checks the URL; an error names what is wrong with it.
  static Result<std::unique_ptr<OnvifPtzClient>> create(const PtzConfig& ptz, const Clock& clock);
  Status absolute_move(const OnvifPosition& position) override;

 private:
  OnvifPtzClient(const PtzConfig& ptz, HttpUrl url, const Clock& clock);
  PtzConfig ptz_;
  HttpUrl url_;
  const Clock& clock_;
};

}  // namespace picket::video

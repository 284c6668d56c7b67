#include "picket/video/ptz.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "picket/core/time.h"
#include "picket/core/units.h"
#include "picket/video/onvif.h"
#include "test_server.h"

namespace picket::video {
namespace {

namespace http = boost::beast::http;
namespace pt = boost::property_tree;

// --- A namespace-aware view of an XML document (Boost.PropertyTree keeps prefixes as written)

struct XmlElement {
  std::string ns;                            // namespace URI
  std::string local;                         // local name
  std::map<std::string, std::string> attrs;  // by local name
  std::string text;
  std::vector<XmlElement> children;

  const XmlElement* child(std::string_view want_ns, std::string_view want_local) const {
    for (const auto& c : children)
      if (c.ns == want_ns && c.local == want_local) return &c;
    return nullptr;
  }
};

XmlElement resolve(const std::string& name, const pt::ptree& tree,
                   std::map<std::string, std::string> scope) {
  XmlElement e;
  if (const auto attrs = tree.get_child_optional("<xmlattr>")) {
    for (const auto& [k, v] : *attrs) {
      if (k == "xmlns") scope[""] = v.data();
      if (k.rfind("xmlns:", 0) == 0) scope[k.substr(6)] = v.data();
    }
    for (const auto& [k, v] : *attrs) {
      if (k.rfind("xmlns", 0) == 0) continue;
      const size_t colon = k.find(':');
      e.attrs[colon == std::string::npos ? k : k.substr(colon + 1)] = v.data();
    }
  }
  const size_t colon = name.find(':');
  const std::string prefix = colon == std::string::npos ? "" : name.substr(0, colon);
  e.local = colon == std::string::npos ? name : name.substr(colon + 1);
  e.ns = scope.count(prefix) ? scope[prefix] : "?undeclared prefix " + prefix;
  e.text = tree.data();
  for (const auto& [k, v] : tree) {
    if (k == "<xmlattr>" || k == "<xmlcomment>") continue;
    e.children.push_back(resolve(k, v, scope));
  }
  return e;
}

// --- The ONVIF device -----------------------------------------------------------------------

// Plays an ONVIF PTZ service: every request is checked against the AbsoluteMove schema (SOAP 1.2
// envelope, ProfileToken, Position/PanTilt x y space, Zoom x space) and the WS-Security header
// (UsernameToken with a PasswordDigest the device recomputes, a Base64 nonce never seen before,
// a Created time within 5 s of the device's clock). Accepted moves are recorded; a bad digest
// gets a SOAP Fault with ter:NotAuthorized, a schema violation a 400 naming it.
class OnvifDevice {
 public:
  OnvifDevice(std::string user, std::string password, std::string profile, const Clock& clock)
      : user_(std::move(user)),
        password_(std::move(password)),
        profile_(std::move(profile)),
        clock_(clock),
        server_([this](boost::asio::ip::tcp::socket& s, int) { serve(s); }) {}

  std::string url() const { return server_.url("/onvif/ptz_service"); }
  std::vector<OnvifPosition> moves() {
    std::lock_guard<std::mutex> l(mu_);
    return moves_;
  }
  std::vector<std::string> problems() {
    std::lock_guard<std::mutex> l(mu_);
    return problems_;
  }
  void set_stall(bool stall) { stall_ = stall; }

 private:
  std::string check(const http::request<http::string_body>& req, OnvifPosition& pos) {
    if (req.method() != http::verb::post) return "not a POST";
    if (req.target() != "/onvif/ptz_service") return "wrong path " + std::string(req.target());
    const std::string ct(req[http::field::content_type]);
    if (ct.rfind("application/soap+xml", 0) != 0) return "Content-Type is not SOAP 1.2: " + ct;
    if (ct.find(std::string(kAbsoluteMoveAction)) == std::string::npos) return "no action";
    pt::ptree tree;
    try {
      std::istringstream in(req.body());
      pt::read_xml(in, tree);
    } catch (const pt::xml_parser_error& e) {
      return std::string("not XML: ") + e.what();
    }
    if (tree.size() != 1) return "not one root element";
    const XmlElement env = resolve(tree.front().first, tree.front().second, {});
    if (env.ns != kSoapEnvelopeNs || env.local != "Envelope")
      return "root is not a SOAP 1.2 Envelope";
    const XmlElement* header = env.child(kSoapEnvelopeNs, "Header");
    const XmlElement* body = env.child(kSoapEnvelopeNs, "Body");
    if (!header || !body) return "no Header or Body";
    const XmlElement* sec = header->child(kWsseNs, "Security");
    if (!sec) return "no wsse:Security";
    const XmlElement* tok = sec->child(kWsseNs, "UsernameToken");
    if (!tok) return "no UsernameToken";
    const XmlElement* user = tok->child(kWsseNs, "Username");
    const XmlElement* pass = tok->child(kWsseNs, "Password");
    const XmlElement* nonce = tok->child(kWsseNs, "Nonce");
    const XmlElement* created = tok->child(kWsuNs, "Created");
    if (!user || !pass || !nonce || !created) return "UsernameToken incomplete";
    if (pass->attrs.count("Type") == 0 || pass->attrs.at("Type") != kPasswordDigestType) {
      return "Password is not a PasswordDigest";
    }
    if (nonce->attrs.count("EncodingType") == 0 ||
        nonce->attrs.at("EncodingType") != kBase64EncodingType) {
      return "Nonce is not Base64Binary";
    }
    const XmlElement* move = body->child(kPtzWsdlNs, "AbsoluteMove");
    if (!move) return "no tptz:AbsoluteMove";
    const XmlElement* token = move->child(kPtzWsdlNs, "ProfileToken");
    const XmlElement* position = move->child(kPtzWsdlNs, "Position");
    if (!token || token->text != profile_) return "wrong or missing ProfileToken";
    if (!position) return "no Position";
    const XmlElement* pan_tilt = position->child(kOnvifSchemaNs, "PanTilt");
    const XmlElement* zoom = position->child(kOnvifSchemaNs, "Zoom");
    if (!pan_tilt || !zoom) return "Position without tt:PanTilt or tt:Zoom";
    if (pan_tilt->attrs.count("x") == 0 || pan_tilt->attrs.count("y") == 0 ||
        zoom->attrs.count("x") == 0) {
      return "missing x or y";
    }
    if (pan_tilt->attrs.count("space") == 0 ||
        pan_tilt->attrs.at("space") != kPanTiltGenericSpace || zoom->attrs.count("space") == 0 ||
        zoom->attrs.at("space") != kZoomGenericSpace) {
      return "unexpected coordinate space";
    }
    pos.x = std::stod(pan_tilt->attrs.at("x"));
    pos.y = std::stod(pan_tilt->attrs.at("y"));
    pos.zoom = std::stod(zoom->attrs.at("x"));
    if (std::abs(pos.x) > 1 || std::abs(pos.y) > 1 || pos.zoom < 0 || pos.zoom > 1) {
      return "position outside the generic space";
    }
    // Authentication, recomputed here with OpenSSL directly.
    if (user->text != user_) return "auth:unknown user";
    std::vector<unsigned char> raw(nonce->text.size());
    const int n =
        EVP_DecodeBlock(raw.data(), reinterpret_cast<const unsigned char*>(nonce->text.data()),
                        static_cast<int>(nonce->text.size()));
    if (n < 0) return "auth:nonce is not Base64";
    raw.resize(static_cast<size_t>(n) - (nonce->text.size() >= 2 && nonce->text.end()[-1] == '=') -
               (nonce->text.size() >= 2 && nonce->text.end()[-2] == '='));
    std::string data(raw.begin(), raw.end());
    data += created->text + password_;
    unsigned char md[20];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr);
    std::string b64(32, '\0');
    b64.resize(static_cast<size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), md, static_cast<int>(len))));
    if (b64 != pass->text) return "auth:digest mismatch";
    const auto t = parse_iso8601(created->text);
    if (!t || std::abs(*t - clock_.now()) > 5) return "auth:Created is not fresh";
    std::lock_guard<std::mutex> l(mu_);
    if (!nonces_.insert(nonce->text).second) return "auth:nonce replayed";
    return "";
  }

  void serve(boost::asio::ip::tcp::socket& s) {
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    boost::system::error_code ec;
    http::read(s, buf, req, ec);
    if (ec) return;
    if (stall_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      return;
    }
    OnvifPosition pos;
    const std::string problem = check(req, pos);
    http::response<http::string_body> res;
    res.version(11);
    res.set(http::field::content_type, "application/soap+xml; charset=utf-8");
    const std::string env = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><env:Envelope xmlns:env=\"" +
                            std::string(kSoapEnvelopeNs) + "\" xmlns:tptz=\"" +
                            std::string(kPtzWsdlNs) +
                            "\" xmlns:ter=\"http://www.onvif.org/ver10/error\"><env:Body>";
    if (problem.empty()) {
      res.result(http::status::ok);
      res.body() = env + "<tptz:AbsoluteMoveResponse/></env:Body></env:Envelope>";
      std::lock_guard<std::mutex> l(mu_);
      moves_.push_back(pos);
    } else {
      {
        std::lock_guard<std::mutex> l(mu_);
        problems_.push_back(problem);
      }
      const bool auth = problem.rfind("auth:", 0) == 0;
      res.result(auth ? http::status::bad_request : http::status::bad_request);
      res.body() = env +
                   "<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode>"
                   "<env:Value>" +
                   (auth ? "ter:NotAuthorized" : "ter:InvalidArgVal") +
                   "</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">" +
                   (auth ? std::string("Sender not Authorized") : problem) +
                   "</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>";
    }
    res.prepare_payload();
    http::write(s, res, ec);
  }

  std::string user_, password_, profile_;
  const Clock& clock_;
  std::mutex mu_;
  std::vector<OnvifPosition> moves_;
  std::vector<std::string> problems_;
  std::set<std::string> nonces_;
  std::atomic<bool> stall_{false};
  testing::TestServer server_;
};

PtzConfig ptz_config(const std::string& url) {
  PtzConfig p;
  p.url = url;
  p.profile = "Profile_1";
  p.username = "operator";
  p.password = "s3cret pass";
  p.pan_min_rad = -kPi;
  p.pan_max_rad = kPi;
  p.tilt_min_rad = deg2rad(-90);
  p.tilt_max_rad = deg2rad(30);
  p.hfov_wide_rad = deg2rad(60);
  p.hfov_tele_rad = deg2rad(2);
  p.target_fraction = 0.4;
  p.target_height_m = 1.8;
  p.lead_s = 0.5;
  p.min_interval_s = 1;
  p.deadband = 0.1;
  p.timeout_s = 0.5;
  return p;
}

// --- Tests ----------------------------------------------------------------------------------

TEST(Onvif, PasswordDigestMatchesTheProgrammersGuideExample) {
  // ONVIF Application Programmer's Guide, 6.1.1.3.
  const auto nonce = base64_decode("LKqI6G/AikKCQrN0zqZFlg==");
  ASSERT_TRUE(nonce);
  EXPECT_EQ(nonce->size(), 16u);
  EXPECT_EQ(password_digest(*nonce, "2010-09-16T07:50:45Z", "userpassword"),
            "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
  EXPECT_EQ(base64_encode(*nonce), "LKqI6G/AikKCQrN0zqZFlg==");
  EXPECT_FALSE(base64_decode("abc"));
  // Tokens carry fresh nonces.
  auto a = make_username_token("u", "p", 1'700'000'000);
  auto b = make_username_token("u", "p", 1'700'000'000);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_EQ(a->created, "2023-11-14T22:13:20Z");
}

TEST(Onvif, UrlsAreCheckedUpFront) {
  EXPECT_TRUE(parse_http_url("http://10.0.0.7/onvif/ptz_service"));
  EXPECT_EQ(parse_http_url("http://10.0.0.7:8080/x")->port, "8080");
  EXPECT_FALSE(parse_http_url("https://cam/onvif"));
  EXPECT_FALSE(parse_http_url("http://:80/x"));
  EXPECT_FALSE(parse_http_url("http://cam:99999/x"));
  EXPECT_FALSE(parse_http_url("http://admin:pw@cam/x"));
}

TEST(Onvif, AnswersAreReadWithoutTrustingThem) {
  const std::string ok =
      "<?xml version=\"1.0\"?><env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\">"
      "<env:Body><tptz:AbsoluteMoveResponse/></env:Body></env:Envelope>";
  EXPECT_TRUE(absolute_move_answer("cam", 200, "OK", ok));
  // The same body with an error status is not a success.
  auto e = absolute_move_answer("cam", 500, "Internal Server Error", ok);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().where, "cam");
  EXPECT_NE(e.error().what.find("HTTP 500"), std::string::npos) << e.error().what;
  // A SOAP 1.2 fault: its reason and subcode.
  const std::string fault =
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><s:Fault>"
      "<s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:InvalidArgVal</s:Value>"
      "</s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"en\">Position out of range</s:Text>"
      "</s:Reason></s:Fault></s:Body></s:Envelope>";
  e = absolute_move_answer("cam", 400, "Bad Request", fault);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().what, "ONVIF fault: Position out of range (ter:InvalidArgVal)");
  // Garbage, cut-off tags and an empty body: errors naming the HTTP status, never a success.
  for (const std::string body :
       {"", "<", "<<>>", "<a", "<Text>no end", "</Text>", "\xff<x/", "<AbsoluteMoveResponse"}) {
    auto r = absolute_move_answer("cam", 200, "OK", body);
    EXPECT_FALSE(r) << body;
  }
}

TEST(Ptz, AimCentresTheTargetAtTheWantedSize) {
  const PtzConfig p = ptz_config("http://127.0.0.1/");
  const CameraPose mount{Enu(10, 20, 8), deg2rad(30), 0, 0};
  // A person 200 m away on a bearing of 75 degrees, on the ground.
  const double b = deg2rad(75);
  const Enu target = mount.position + Enu(200 * std::sin(b), 200 * std::cos(b), -8);
  const PtzAim aim = aim_at(p, mount, target, 16.0 / 9.0);
  EXPECT_NEAR(rad2deg(aim.pan_rad), 45, 1e-9);
  EXPECT_NEAR(rad2deg(aim.tilt_rad), -rad2deg(std::atan2(8 - 0.9, 200)), 1e-9);
  // Check with the camera model: a camera with the aim's angles and field of view sees the
  // target's foot and head at the image centre line, 40% of the image height apart.
  const auto k = CameraIntrinsics::from_fov(1920, 1080, aim.hfov_rad);
  const CameraModel cam(k, CameraPose{mount.position, mount.yaw + aim.pan_rad, aim.tilt_rad, 0});
  const auto foot = cam.project(target);
  const auto head = cam.project(target + Enu(0, 0, 1.8));
  ASSERT_TRUE(foot && head);
  EXPECT_NEAR(foot->x(), k.cx, 0.5);
  EXPECT_NEAR((foot->y() - head->y()) / 1080, 0.4, 0.01);
  EXPECT_NEAR((foot->y() + head->y()) / 2, k.cy, 0.03 * 1080);
  // Generic-space round trip.
  const OnvifPosition pos = to_onvif(p, aim);
  EXPECT_FALSE(pos.clamped);
  EXPECT_NEAR(pos.x, 0.25, 1e-9);
  const PtzAim back = from_onvif(p, pos);
  EXPECT_NEAR(back.pan_rad, aim.pan_rad, 1e-9);
  EXPECT_NEAR(back.tilt_rad, aim.tilt_rad, 1e-9);
  EXPECT_NEAR(back.hfov_rad, aim.hfov_rad, 1e-9);
  // Very near: the widest lens is not wide enough; far: the longest is not long enough.
  EXPECT_NEAR(to_onvif(p, aim_at(p, mount, mount.position + Enu(0, 2, -1), 16.0 / 9)).zoom, 0,
              1e-12);
  EXPECT_NEAR(to_onvif(p, aim_at(p, mount, mount.position + Enu(0, 9000, 0), 16.0 / 9)).zoom, 1,
              1e-12);
  // Above the head's tilt range: clamped and flagged.
  const OnvifPosition up = to_onvif(p, aim_at(p, mount, mount.position + Enu(0, 10, 50), 1.5));
  EXPECT_TRUE(up.clamped);
  EXPECT_DOUBLE_EQ(up.y, 1);
}

TEST(Ptz, SlewsToCueAndFollowsOverOnvif) {
  ManualClock clock(1'800'000'000);
  OnvifDevice device("operator", "s3cret pass", "Profile_1", clock);
  const PtzConfig p = ptz_config(device.url());
  auto client = OnvifPtzClient::create(p, clock);
  ASSERT_TRUE(client) << client.error().message();
  const CameraPose mount{Enu(0, 0, 10), 0, 0, 0};
  SlewController slew(p, mount, 16.0 / 9.0, **client, clock);

  // A person walking east at 1.5 m/s, 150 m north of the camera.
  TrackState track;
  track.id = 42;
  track.t = clock.now();
  track.position = Enu(-30, 150, 0);
  track.velocity = Enu(1.5, 0, 0);
  {
    const Status st = slew.cue("alarm-1", track);
    ASSERT_TRUE(st) << st.error().message();
  }
  EXPECT_TRUE(slew.following());
  for (int i = 1; i <= 40; ++i) {  // 20 s of updates at 2 Hz
    clock.advance(0.5);
    track.t = clock.now();
    track.position += track.velocity * 0.5;
    ASSERT_TRUE(slew.update(track));
  }
  // Another track's updates do not move the camera.
  TrackState other = track;
  other.id = 7;
  other.position = Enu(100, -100, 0);
  ASSERT_TRUE(slew.update(other));
  slew.release("alarm-1");
  EXPECT_FALSE(slew.following());
  clock.advance(5);
  track.position += Enu(50, 0, 0);
  ASSERT_TRUE(slew.update(track));  // released: no move

  EXPECT_TRUE(device.problems().empty()) << device.problems().front();
  const auto moves = device.moves();
  ASSERT_EQ(static_cast<std::int64_t>(moves.size()), slew.stats().moves);
  // 30 m of walking at 150 m is 11 degrees; with a ~3 degree field of view the camera re-aims
  // every time the target drifts 10% of it, but never more than once a second.
  EXPECT_GE(moves.size(), 5u);
  EXPECT_LE(moves.size(), 21u);
  EXPECT_GT(slew.stats().held, 10);
  // The first move centres the predicted position (0.5 s ahead); the last is further east.
  const PtzAim first = from_onvif(p, moves.front());
  EXPECT_NEAR(rad2deg(first.pan_rad), rad2deg(std::atan2(-30 + 0.75, 150)), 0.01);
  EXPECT_LT(rad2deg(first.hfov_rad), 5);
  EXPECT_GT(moves.back().x, moves.front().x);
  for (size_t i = 1; i < moves.size(); ++i)
    EXPECT_GE(moves[i].x, moves[i - 1].x);
}

TEST(Ptz, OnvifFaultsAndTimeoutsAreErrors) {
  ManualClock clock(1'800'000'000);
  OnvifDevice device("operator", "s3cret pass", "Profile_1", clock);
  PtzConfig p = ptz_config(device.url());
  p.password = "wrong";
  auto client = OnvifPtzClient::create(p, clock);
  ASSERT_TRUE(client);
  auto st = (*client)->absolute_move(OnvifPosition{0.1, -0.2, 0.3, false});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("ONVIF fault: Sender not Authorized (ter:NotAuthorized)"),
            std::string::npos)
      << st.error().message();
  EXPECT_EQ(device.problems().back(), "auth:digest mismatch");

  // A clock far from the device's: the device refuses a stale Created.
  p.password = "s3cret pass";
  ManualClock late(1'800'000'000 + 600);
  auto stale = OnvifPtzClient::create(p, late);
  ASSERT_TRUE(stale);
  EXPECT_FALSE((*stale)->absolute_move(OnvifPosition{}));
  EXPECT_EQ(device.problems().back(), "auth:Created is not fresh");

  // The wrong profile: a schema-level fault naming it.
  p.profile = "Profile_9";
  auto wrong = OnvifPtzClient::create(p, clock);
  st = (*wrong)->absolute_move(OnvifPosition{});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("ProfileToken"), std::string::npos);

  // A device that does not answer: a timeout, and the controller counts the failure.
  p.profile = "Profile_1";
  device.set_stall(true);
  auto slow = OnvifPtzClient::create(p, clock);
  st = (*slow)->absolute_move(OnvifPosition{});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("no answer within 0.5 s"), std::string::npos)
      << st.error().message();
  SlewController slew(p, CameraPose{}, 1.5, **slow, clock);
  TrackState t;
  t.id = 1;
  t.position = Enu(10, 100, 0);
  EXPECT_FALSE(slew.cue("a", t));
  EXPECT_EQ(slew.stats().failures, 1);
  // Nobody listening at all.
  p.url = "http://127.0.0.1:1/onvif";
  auto nobody = OnvifPtzClient::create(p, clock);
  st = (*nobody)->absolute_move(OnvifPosition{});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("AbsoluteMove failed"), std::string::npos);
}

}  // namespace
}  // namespace picket::video

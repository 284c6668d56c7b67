// The API's track object (docs/api.md "Track"): height, vertical speed and cooperative identity
// of air tracks; nulls for ground tracks.
#include <gtest/gtest.h>

#include "picket/core/geo.h"
#include "picket/server/live_backend.h"

namespace picket::server {
namespace {

TEST(TrackJson, AirTrackCarriesHeightAndIdentity) {
  const LocalFrame frame(Geodetic{51.47, -0.46, 25});
  TrackState s;
  s.id = 12;
  s.t = 1795903200;
  s.position = Eigen::Vector3d(-3000, 10, 210.5);
  s.velocity = Eigen::Vector3d(70, 0, -3.5);
  s.air = true;
  s.status = TrackStatus::confirmed;
  s.cls = TargetClass::aircraft;
  s.icao = 0x04CA2D;
  s.callsign = "RYR1AB";
  const Json j = track_json(s, frame, false);
  EXPECT_EQ(j["air"], true);
  EXPECT_DOUBLE_EQ(j["up"].get<double>(), 210.5);
  EXPECT_DOUBLE_EQ(j["vu"].get<double>(), -3.5);
  EXPECT_EQ(j["icao"], "04CA2D");  // six digits, leading zero kept
  EXPECT_EQ(j["callsign"], "RYR1AB");
  EXPECT_DOUBLE_EQ(j["speed"].get<double>(), 70);  // horizontal
  // The WGS84 position includes the height.
  const Geodetic g = frame.to_geodetic(Enu(-3000, 10, 210.5));
  EXPECT_DOUBLE_EQ(j["lat"].get<double>(), g.lat_deg);

  // Without a cooperative confirmation: no identity.
  s.icao.reset();
  s.callsign.clear();
  const Json n = track_json(s, frame, false);
  EXPECT_TRUE(n["icao"].is_null());
  EXPECT_TRUE(n["callsign"].is_null());
  EXPECT_DOUBLE_EQ(n["up"].get<double>(), 210.5);

  // A ground track: no height, no vertical speed.
  s.air = false;
  const Json g2 = track_json(s, frame, false);
  EXPECT_TRUE(g2["up"].is_null());
  EXPECT_TRUE(g2["vu"].is_null());
  EXPECT_EQ(g2["air"], false);
}

}  // namespace
}  // namespace picket::server

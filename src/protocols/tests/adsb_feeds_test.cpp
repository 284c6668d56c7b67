// ADS-B feeds: the real Beast capture (xoolive/traffic), Beast damage, SBS-1 lines (the
// format's published example), hex lines, and positions decoded from the pyModeS sample flights.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "picket/protocols/adsb/feeds.h"
#include "picket/protocols/adsb/positions.h"
#include "test_data.h"

namespace picket::adsb {
namespace {

struct Collected {
  std::vector<BeastFrame> frames;
  std::vector<FeedIssue> issues;
};

Collected parse_beast(const std::vector<std::uint8_t>& bytes, std::size_t piece = 1 << 16) {
  Collected c;
  BeastParser p([&](const BeastFrame& f) { c.frames.push_back(f); },
                [&](const FeedIssue& i) { c.issues.push_back(i); });
  for (std::size_t i = 0; i < bytes.size(); i += piece)
    p.feed({bytes.data() + i, std::min(piece, bytes.size() - i)});
  p.finish();
  return c;
}

TEST(AdsbFeeds, RealBeastCaptureHas23ValidExtendedSquitters) {
  const auto bytes = test::read_bytes(test::data_dir("adsb") + "/sample_dump1090.bin");
  ASSERT_EQ(bytes.size(), 4218u);
  const auto c = parse_beast(bytes);
  EXPECT_TRUE(c.issues.empty());
  ASSERT_EQ(c.frames.size(), 239u);
  int df17 = 0, df17_ok = 0;
  std::map<int, int> by_df;
  for (const auto& f : c.frames) {
    ASSERT_TRUE(f.is_mode_s());
    auto m = decode(f.frame());
    ASSERT_TRUE(m.ok()) << f.frame().hex();
    ++by_df[m->df];
    if (m->df == 17) {
      ++df17;
      if (m->crc_ok) ++df17_ok;
    }
    if (m->df == 11) {
      EXPECT_TRUE(m->crc_ok) << f.frame().hex();
    }
  }
  EXPECT_EQ(df17, 23);
  EXPECT_EQ(df17_ok, 23);
  EXPECT_EQ(by_df[11], 90);
  // The same frames whatever the size of the pieces the stream arrives in (escapes split).
  for (std::size_t piece : {1u, 2u, 3u, 7u, 100u}) {
    const auto d = parse_beast(bytes, piece);
    ASSERT_EQ(d.frames.size(), c.frames.size()) << "piece " << piece;
    for (std::size_t i = 0; i < d.frames.size(); ++i) {
      EXPECT_EQ(d.frames[i].data, c.frames[i].data);
      EXPECT_EQ(d.frames[i].timestamp, c.frames[i].timestamp);
      EXPECT_EQ(d.frames[i].offset, c.frames[i].offset);
    }
  }
}

TEST(AdsbFeeds, BeastEscapesAreUndone) {
  // A long frame whose timestamp, signal and data hold 0x1A octets, each sent twice.
  const std::vector<std::uint8_t> wire = {0x1A, '3',  0x00, 0x00, 0x1A, 0x1A, 0x00, 0x01, 0x02,
                                          0x1A, 0x1A, 0x1A, 0x1A, 0x8D, 0x48, 0x40, 0xD6, 0x20,
                                          0x2C, 0xC3, 0x71, 0xC3, 0x2C, 0xE0, 0x57, 0x60};
  const auto c = parse_beast(wire);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_TRUE(c.issues.empty());
  EXPECT_EQ(c.frames[0].timestamp, 0x00001A000102ull);
  EXPECT_EQ(c.frames[0].signal, 0x1A);
  EXPECT_EQ(c.frames[0].data[0], 0x1A);
  EXPECT_EQ(c.frames[0].frame().hex(), "1A8D4840D6202CC371C32CE05760");
}

TEST(AdsbFeeds, DamagedBeastIsReportedAndTheRestDecoded) {
  auto bytes = test::read_bytes(test::data_dir("adsb") + "/sample_dump1090.bin");
  const auto clean = parse_beast(bytes);
  // Cut the 10th frame short (drop its last 5 octets), put garbage before the 20th and an
  // unknown frame type before the 30th.
  const auto f10 = clean.frames[9].offset, f11 = clean.frames[10].offset;
  const auto f20 = clean.frames[19].offset, f30 = clean.frames[29].offset;
  std::vector<std::uint8_t> bad;
  bad.insert(bad.end(), bytes.begin(), bytes.begin() + static_cast<long>(f11 - 5));
  bad.insert(bad.end(), bytes.begin() + static_cast<long>(f11),
             bytes.begin() + static_cast<long>(f20));
  const std::vector<std::uint8_t> junk = {0x00, 0xFF, 0x42};
  bad.insert(bad.end(), junk.begin(), junk.end());
  bad.insert(bad.end(), bytes.begin() + static_cast<long>(f20),
             bytes.begin() + static_cast<long>(f30));
  const std::vector<std::uint8_t> unknown = {0x1A, 0x39, 0x01};
  bad.insert(bad.end(), unknown.begin(), unknown.end());
  bad.insert(bad.end(), bytes.begin() + static_cast<long>(f30), bytes.end());
  const auto c = parse_beast(bad);
  EXPECT_EQ(c.frames.size(), clean.frames.size() - 1);  // only the cut frame is lost
  ASSERT_EQ(c.issues.size(), 4u);                       // cut, junk, unknown type, its byte
  EXPECT_EQ(c.issues[0].offset, f10);
  EXPECT_NE(c.issues[0].what.find("cut short"), std::string::npos);
  EXPECT_EQ(c.issues[1].offset, f20 - 5);
  EXPECT_NE(c.issues[1].what.find("3 octets outside"), std::string::npos);
  EXPECT_NE(c.issues[2].what.find("unknown Beast frame type 0x39"), std::string::npos);
  EXPECT_EQ(c.issues[2].offset, f30 - 5 + 3);
  // A stream cut in the middle of its last frame.
  bytes.resize(bytes.size() - 3);
  const auto t = parse_beast(bytes);
  EXPECT_EQ(t.frames.size(), clean.frames.size() - 1);
  ASSERT_EQ(t.issues.size(), 1u);
  EXPECT_NE(t.issues[0].what.find("end of the data"), std::string::npos);
}

TEST(AdsbFeeds, SbsPublishedExample) {
  std::vector<SbsMessage> msgs;
  FeedStats stats;
  std::vector<FeedIssue> issues;
  auto fmt = read_feed(
      test::data_dir("adsb") + "/sbs_woodair_sample.txt", FeedFormat::automatic,
      [&](const FeedItem& it) { msgs.push_back(*it.sbs); },
      [&](const FeedIssue& i) { issues.push_back(i); }, stats);
  ASSERT_TRUE(fmt.ok());
  EXPECT_EQ(*fmt, FeedFormat::sbs);
  EXPECT_TRUE(issues.empty()) << issues[0].message();
  ASSERT_EQ(msgs.size(), 12u);
  EXPECT_EQ(msgs[0].kind, "STA");
  EXPECT_EQ(msgs[0].icao, 0x400AE7u);
  const auto& m3 = msgs[4];
  EXPECT_EQ(m3.transmission_type, 3);
  EXPECT_EQ(m3.icao, 0x4CA2D6u);
  EXPECT_EQ(m3.altitude_ft, 37000);
  EXPECT_DOUBLE_EQ(*m3.lat, 51.45735);
  EXPECT_DOUBLE_EQ(*m3.lon, -1.02826);
  EXPECT_EQ(m3.on_ground, false);
  // 2008-11-28T14:53:50.594Z
  EXPECT_NEAR(*m3.time, 1227884030.594, 1e-6);
  const auto& m4 = msgs[10];
  EXPECT_EQ(m4.transmission_type, 4);
  EXPECT_DOUBLE_EQ(*m4.groundspeed_kt, 367.7);
  EXPECT_DOUBLE_EQ(*m4.track_deg, 138.6);
  EXPECT_EQ(m4.vertical_rate_fpm, -2432);
  EXPECT_FALSE(m4.lat.has_value());
}

TEST(AdsbFeeds, SbsErrorsNameTheField) {
  const char* base = "MSG,3,5,211,4CA2D6,10057,2008/11/28,14:53:50.594,2008/11/28,14:58:51.153";
  auto err = [](const std::string& line) {
    auto r = parse_sbs(line);
    return r.ok() ? std::string("ok") : r.error().message();
  };
  EXPECT_EQ(err(std::string(base) + ",,37000,,,51.45735,-1.02826,,,0,0,0,0"), "ok");
  EXPECT_NE(err(std::string(base) + ",,37x00,,,51.4,-1.0,,,0,0,0,0").find("field 12 (altitude)"),
            std::string::npos);
  EXPECT_NE(err(std::string(base) + ",,37000,,,91.5,-1.0,,,0,0,0,0").find("field 15"),
            std::string::npos);
  EXPECT_NE(err(std::string(base) + ",,37000,,,51.5,,,,0,0,0,0").find("one is given without"),
            std::string::npos);
  EXPECT_NE(err("MSG,9,5,211,4CA2D6,1,2008/11/28,14:53:50.594,,").find("field 2"),
            std::string::npos);
  EXPECT_NE(err("MSG,3,5,211,4CXYZ6,1,2008/11/28,14:53:50.594,,").find("field 5"),
            std::string::npos);
  EXPECT_NE(err("MSG,3,5,211,4CA2D6,1,2008/13/28,14:53:50.594,,").find("fields 7-8"),
            std::string::npos);
  EXPECT_NE(err("FOO,1,2").find("field 1"), std::string::npos);
  EXPECT_NE(err("MSG,3,5").find("at least 10"), std::string::npos);
  EXPECT_NE(err(std::string(base) + ",,,,,,,,7A00,0,0,0,0").find("field 18 (squawk)"),
            std::string::npos);
}

TEST(AdsbFeeds, HexLineForms) {
  const std::string hex = "8D4840D6202CC371C32CE0576098";
  for (const std::string& line :
       {hex, "*" + hex + ";", "  " + hex + "\r", "1457996402," + hex + ",4840D6,4",
        "1457996402,\"" + hex + "\"", "1495353600,4840D6," + hex}) {
    auto r = parse_hex_line(line);
    ASSERT_TRUE(r.ok()) << line << ": " << r.error().message();
    ASSERT_TRUE(r->has_value()) << line;
    EXPECT_EQ((*r)->frame.hex(), hex) << line;
  }
  auto at = parse_hex_line("@00001A2B3C4D" + hex + ";");
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*(*at)->timestamp, 0x00001A2B3C4Dull);
  EXPECT_FALSE(parse_hex_line("")->has_value());
  EXPECT_FALSE(parse_hex_line("# comment")->has_value());
  EXPECT_FALSE(parse_hex_line("8D4840D6202CC371C32CE05760").ok());    // 26 digits
  EXPECT_FALSE(parse_hex_line("8D4840D6202CC371C32CE057609G").ok());  // not hex
  EXPECT_FALSE(parse_hex_line("abc,8D4840D6202CC371C32CE0576098").ok());
}

// Positions of the pyModeS sample flights: every fix lies on a continuous track (consecutive
// fixes of one aircraft closer than 600 kt times the gap plus 1 km), and locally decoded fixes
// agree with a fresh global decoding of the latest pair.
TEST(AdsbFeeds, PositionsOfTheSampleFlightsAreContinuous) {
  const std::string path =
      test::shared_dir() + "/data/adsb/junzis_pyModeS/tests/data/sample_data_adsb.csv";
  struct Last {
    LatLon p;
    double t;
  };
  std::map<std::uint32_t, Last> last;
  std::map<std::uint32_t, std::map<bool, AirbornePosition>> halves;
  PositionDecoder dec;
  int fixes = 0, global = 0, checked_pairs = 0, frames = 0;
  FeedStats stats;
  auto fmt = read_feed(
      path, FeedFormat::hex,
      [&](const FeedItem& it) {
        ++frames;
        auto m = decode(*it.frame);
        ASSERT_TRUE(m.ok());
        ASSERT_TRUE(m->crc_ok);
        const auto* p = std::get_if<AirbornePosition>(&m->es);
        if (!p) return;
        halves[m->icao][p->odd] = *p;
        const auto fix = dec.airborne(m->icao, *it.time, *p);
        if (!fix) return;
        ++fixes;
        if (fix->global) ++global;
        auto& h = halves[m->icao];
        if (!fix->global && h.count(false) && h.count(true)) {
          const auto g = cpr_airborne_global(h[false].lat_cpr, h[false].lon_cpr, h[true].lat_cpr,
                                             h[true].lon_cpr, p->odd);
          if (g) {
            ++checked_pairs;
            EXPECT_LT(distance_m(*g, fix->position), 5.0);
          }
        }
        if (auto it2 = last.find(m->icao); it2 != last.end()) {
          const double gap = *it.time - it2->second.t;
          EXPECT_LT(distance_m(it2->second.p, fix->position), 1000 + gap * 600 * 0.514444);
        }
        last[m->icao] = {fix->position, *it.time};
      },
      [](const FeedIssue& i) { ADD_FAILURE() << i.message(); }, stats);
  ASSERT_TRUE(fmt.ok()) << fmt.error().message();
  EXPECT_EQ(frames, 2000);
  EXPECT_GT(fixes, 800);
  EXPECT_GE(global, static_cast<int>(last.size()));
  EXPECT_GT(checked_pairs, 500);
}

TEST(AdsbFeeds, SurfaceGlobalDecodingNeedsAndUsesTheReceiver) {
  // The surface example of the Riddle (Toulouse-Blagnac): an even/odd pair decoded globally.
  auto even = decode(*Frame::from_hex("8C4841753AAB238733C8CD4020B1"));
  auto odd = decode(*Frame::from_hex("8C4841753A8A35323FAEBDAC702D"));
  ASSERT_TRUE(even.ok() && odd.ok());
  const auto& e = std::get<SurfacePosition>(even->es);
  const auto& o = std::get<SurfacePosition>(odd->es);
  ASSERT_FALSE(e.odd);
  ASSERT_TRUE(o.odd);
  const LatLon receiver{51.99, 4.375};  // the book's reference for this pair
  const auto p = cpr_surface_global(e.lat_cpr, e.lon_cpr, o.lat_cpr, o.lon_cpr, true, receiver);
  ASSERT_TRUE(p.has_value());
  EXPECT_NEAR(p->lat, 52.32061, 0.001);
  EXPECT_NEAR(p->lon, 4.73473, 0.001);
  PositionDecoder without;
  EXPECT_FALSE(without.surface(even->icao, 0, e).has_value());
  EXPECT_FALSE(without.surface(even->icao, 1, o).has_value());
  PositionDecoder with(PositionOptions{receiver});
  EXPECT_FALSE(with.surface(even->icao, 0, e).has_value());
  const auto fix = with.surface(even->icao, 1, o);
  ASSERT_TRUE(fix.has_value());
  EXPECT_TRUE(fix->surface);
  EXPECT_NEAR(fix->position.lat, 52.3206, 0.001);
}

}  // namespace
}  // namespace picket::adsb

// The live feeds of the daemon: a radar's ASTERIX datagrams (RadarFeedWriter -> RadarFeedReader)
// and a receiver's ADS-B stream (LiveFeed), on real encodings and the real Beast capture.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "picket/core/time.h"
#include "picket/protocols/adsb/live_feed.h"
#include "picket/protocols/asterix/radar_feed.h"
#include "test_data.h"

namespace picket::asterix {
namespace {

Detection plot(double t, const std::string& sensor, double range, double bearing_deg,
               std::optional<double> doppler = {}) {
  Detection d;
  d.t = t;
  d.sensor = sensor;
  d.measurement = PolarMeasurement{range, bearing_deg * M_PI / 180, std::nullopt};
  d.doppler = doppler;
  return d;
}

struct Received {
  std::vector<Detection> detections;
  std::vector<Issue> issues;
};

RadarFeedReader reader_for(Received& got, std::vector<RadarRoute> routes) {
  RadarFeedReader::Options o;
  o.radars = std::move(routes);
  return RadarFeedReader(
      std::move(o), [&got](Detection&& d) { got.detections.push_back(std::move(d)); },
      [&got](const Issue& i) { got.issues.push_back(i); });
}

TEST(RadarFeed, PlotsAndNorthMarkersCrossMidnightAndAreRoutedBySource) {
  const double midnight = *parse_iso8601("2026-11-28T00:00:00Z");
  RadarFeedWriter a({DataSource{7, 1}, 48, 1400, 16});
  RadarFeedWriter b({DataSource{7, 2}, 10, 1400, 0});
  RadarFeedWriter stranger({DataSource{9, 9}, 48, 1400, 0});
  // Radar a: one plot a second from 23:59:58 to 00:00:02, antenna at 1 rev/s from north.
  for (int k = -2; k <= 2; ++k)
    ASSERT_TRUE(a.add_plot(plot(midnight + k + 0.5, "x", 1000 + k, 90, 3.4)));
  a.add_rotation(0, midnight - 2, 4 * 360, midnight + 2, 1.0);
  ASSERT_TRUE(b.add_plot(plot(midnight + 0.25, "x", 512.4, 180.0)));
  ASSERT_TRUE(stranger.add_plot(plot(midnight, "x", 100, 0)));
  EXPECT_FALSE(a.add_plot(Detection{}));  // no position: not a plot

  Received got;
  auto reader =
      reader_for(got, {{"radar-a", DataSource{7, 1}, 48}, {"radar-b", DataSource{7, 2}, 0}});
  // The receiver's clock says it is still the day before.
  for (auto* w : {&a, &b, &stranger}) {
    for (const auto& block : w->take_blocks())
      reader.feed(block, midnight - 3);
  }
  EXPECT_TRUE(got.issues.empty());
  EXPECT_EQ(reader.stats().unrouted, 1u);  // SAC 9 SIC 9: nobody's
  std::vector<Detection> plots, beats;
  for (const auto& d : got.detections)
    (d.status == SensorStatus::none ? plots : beats).push_back(d);
  ASSERT_EQ(plots.size(), 6u);
  for (int k = -2; k <= 2; ++k) {
    const auto& d = plots[static_cast<std::size_t>(k + 2)];
    EXPECT_EQ(d.sensor, "radar-a");
    EXPECT_NEAR(d.t, midnight + k + 0.5, 1.0 / 256);  // across midnight, on the right day
    const auto& p = std::get<PolarMeasurement>(d.measurement);
    EXPECT_NEAR(p.range, 1000 + k, 1852.0 / 256 / 2);
    EXPECT_NEAR(p.bearing, M_PI / 2, M_PI / 65536);
    EXPECT_NEAR(*d.doppler, 3.0, 1e-9);  // 1 m/s LSB
    EXPECT_FALSE(d.cls.has_value());
  }
  EXPECT_EQ(plots[5].sensor, "radar-b");  // CAT010, polar, range in metres
  EXPECT_NEAR(std::get<PolarMeasurement>(plots[5].measurement).range, 512, 0.5);
  // 4 north markers and 60 sector crossings over 4 s, passed on as one heartbeat a second.
  EXPECT_EQ(reader.stats().service, 64u);
  ASSERT_EQ(beats.size(), 4u);
  for (std::size_t i = 0; i < beats.size(); ++i) {
    EXPECT_EQ(beats[i].sensor, "radar-a");
    EXPECT_EQ(beats[i].status, SensorStatus::heartbeat);
    // The first crossing (sector 1, 1/16 s after the start), then one a second.
    EXPECT_NEAR(beats[i].t, midnight - 2 + 0.0625 + static_cast<double>(i), 1.0 / 128);
  }
}

TEST(RadarFeed, NogoTurnsHeartbeatsIntoFaults) {
  Received got;
  auto reader = reader_for(got, {{"r", std::nullopt, 0}});
  RadarFeedWriter w({DataSource{1, 1}, 48, 1400, 0});
  auto status = cat034_north_marker({1, 1}, 1000, 4);
  status.i050.emplace().com.emplace().nogo = 1;
  w.add_service(status);
  w.add_service(cat034_north_marker({1, 1}, 1004, 4));  // still NOGO: the last I050 said so
  auto ok = cat034_north_marker({1, 1}, 1008, 4);
  ok.i050.emplace().com.emplace().nogo = 0;
  w.add_service(ok);
  for (const auto& block : w.take_blocks())
    reader.feed(block, 1000);
  ASSERT_EQ(got.detections.size(), 3u);
  EXPECT_EQ(got.detections[0].status, SensorStatus::fault);
  EXPECT_EQ(got.detections[1].status, SensorStatus::fault);
  EXPECT_EQ(got.detections[2].status, SensorStatus::heartbeat);
}

TEST(RadarFeed, BadBlocksAreCountedWithTheirOffsetAndTheRestDecoded) {
  RadarFeedWriter w({DataSource{1, 1}, 48, 1400, 0});
  ASSERT_TRUE(w.add_plot(plot(5000, "x", 300, 10)));
  const Bytes good = w.take_blocks().at(0);
  // A datagram: a block whose FSPEC announces items cut by the block's end, then a good block.
  Bytes dgram = {48, 0, 6, 0xFF, 0xFF, 0xFF};
  dgram.insert(dgram.end(), good.begin(), good.end());
  // A second datagram: a length that lies (past the datagram's end).
  Bytes liar = {48, 0x40, 0x00, 1, 2, 3, 4};

  Received got;
  auto reader = reader_for(got, {{"r", std::nullopt, 48}});
  reader.feed(good, 5000);
  reader.feed(dgram, 5000);
  reader.feed(liar, 5000);
  reader.feed(good, 5000);
  EXPECT_EQ(got.detections.size(), 3u);  // every good block, also the one after the bad one
  EXPECT_GE(reader.stats().rejected_blocks, 2u);
  ASSERT_GE(got.issues.size(), 2u);
  // Offsets count the datagrams received back to back: the first problem is in the second.
  EXPECT_GE(got.issues[0].offset, good.size());
  EXPECT_LE(got.issues[0].offset, good.size() + 6);  // where decoding stopped: at most its end
  bool liar_reported = false;
  for (const auto& i : got.issues) {
    if (i.offset == good.size() + dgram.size()) liar_reported = true;
  }
  EXPECT_TRUE(liar_reported);
}

TEST(RadarFeed, BlocksStayUnderTheDatagramSize) {
  RadarFeedWriter w({DataSource{1, 1}, 48, 200, 0});
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(w.add_plot(plot(100 + i * 0.01, "x", 100 + i, i)));
  const auto blocks = w.take_blocks();
  EXPECT_GT(blocks.size(), 5u);
  Received got;
  auto reader = reader_for(got, {{"r", std::nullopt, 0}});
  for (const auto& b : blocks) {
    EXPECT_LE(b.size(), 200u);
    reader.feed(b, 100);
  }
  EXPECT_EQ(got.detections.size(), 100u);
  EXPECT_EQ(w.pending(), 0u);
}

}  // namespace
}  // namespace picket::asterix

namespace picket::adsb {
namespace {

TEST(LiveFeed, BeastCaptureGivesTheSameDetectionsInAnyPieceSize) {
  const auto bytes = test::read_bytes(test::data_dir("adsb") + "/sample_dump1090.bin");
  ASSERT_FALSE(bytes.empty());
  // Which aircraft sent DF17 positions whose parity checks (the reference).
  std::set<std::string> with_positions;
  {
    BeastParser p(
        [&](const BeastFrame& f) {
          if (!f.is_mode_s()) return;
          auto m = decode(f.frame());
          if (m && (m->df == 17 || m->df == 18) && m->crc_ok &&
              (std::holds_alternative<AirbornePosition>(m->es) ||
               std::holds_alternative<SurfacePosition>(m->es))) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "%06X", m->icao);
            with_positions.insert(hex);
          }
        },
        [](const FeedIssue&) {});
    p.feed(bytes);
  }
  auto run = [&](std::size_t piece) {
    std::vector<CooperativeDetection> out;
    LiveFeed feed(
        LiveFeed::Kind::beast, "adsb-1", {},
        [&](CooperativeDetection&& c) { out.push_back(std::move(c)); }, [](const FeedIssue&) {});
    for (std::size_t i = 0; i < bytes.size(); i += piece)
      feed.feed({bytes.data() + i, std::min(piece, bytes.size() - i)}, 1.8e9);
    EXPECT_EQ(feed.stats().rejected, 0u);
    return out;
  };
  const auto whole = run(1 << 16);
  ASSERT_FALSE(whole.empty());
  for (const auto& c : whole) {
    EXPECT_EQ(c.detection.sensor, "adsb-1");
    EXPECT_EQ(c.detection.t, 1.8e9);
    EXPECT_TRUE(with_positions.contains(*c.detection.sensor_track)) << *c.detection.sensor_track;
    const auto& g = std::get<GeodeticMeasurement>(c.detection.measurement);
    EXPECT_TRUE(std::abs(g.lat_deg) <= 90 && std::abs(g.lon_deg) <= 180);
  }
  const auto bytewise = run(1);
  ASSERT_EQ(bytewise.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(bytewise[i].detection.sensor_track, whole[i].detection.sensor_track);
    EXPECT_EQ(std::get<GeodeticMeasurement>(bytewise[i].detection.measurement).lat_deg,
              std::get<GeodeticMeasurement>(whole[i].detection.measurement).lat_deg);
  }
}

TEST(LiveFeed, SbsLinesGivePositionsWithTheCallsignAndBadLinesAreCounted) {
  std::vector<CooperativeDetection> out;
  std::vector<FeedIssue> issues;
  LiveFeed feed(
      LiveFeed::Kind::sbs, "sbs-1", {},
      [&](CooperativeDetection&& c) { out.push_back(std::move(c)); },
      [&](const FeedIssue& i) { issues.push_back(i); });
  const std::string text =
      "MSG,1,5,211,4CA2D6,10057,2008/11/28,14:53:50.594,2008/11/28,14:58:51.153,RYR1KJ  ,,,,,,,,,"
      ",,0\r\n"
      "MSG,3,5,211,4CA2D6,10057,2008/11/28,14:53:50.594,2008/11/28,14:58:51.153,,37000,,,"
      "51.45735,-1.02826,,,0,0,0,0\r\n"
      "MSG,3,5,211,ZZZZZZ,10057,garbage\n"
      "MSG,3,5,211,4CA2D6,10057,2008/11/28,14:53:51.594,2008/11/28,14:58:52.153,,37000,,,"
      "51.45835,-1.02926,,,0,0,0,0\n";
  // In two pieces cut mid-line, as TCP delivers.
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  feed.feed({p, 100}, 2000);
  feed.feed({p + 100, text.size() - 100}, 2001);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].callsign, "RYR1KJ");
  EXPECT_EQ(out[0].detection.sensor_track, "4CA2D6");
  EXPECT_EQ(out[1].detection.t, 2001);  // arrival time, not the receiver's local time
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_TRUE(issues[0].is_line);
  EXPECT_EQ(issues[0].offset, 3u);
  EXPECT_EQ(feed.stats().rejected, 1u);
}

}  // namespace
}  // namespace picket::adsb

// Decoded records to Picket detections and back: time of day across midnight, CAT048 plots of
// the real recording, CAT010 polar/Cartesian, CAT021 with identity, ADS-B fixes and SBS lines,
// tracks to CAT062 and detections to CAT048.
#include <gtest/gtest.h>

#include <cmath>

#include "asterix_support.h"
#include "picket/core/time.h"
#include "picket/protocols/adsb/adapters.h"
#include "picket/protocols/asterix/adapters.h"
#include "test_data.h"

namespace picket::asterix {
namespace {

const std::string kCc = picket::test::data_dir("asterix") + "/croatiacontrol";

TEST(AsterixTime, TimeOfDayIsPlacedWithin12HoursOfTheReference) {
  const double noon = *parse_iso8601("2024-05-01T12:00:00Z");
  const double midnight = *parse_iso8601("2024-05-02T00:00:00Z");
  EXPECT_DOUBLE_EQ(full_time_from_tod(3600, noon), noon - 11 * 3600);
  EXPECT_DOUBLE_EQ(full_time_from_tod(86399, noon), midnight - 1);
  // Just before midnight, a time of day just after it belongs to the next day...
  EXPECT_DOUBLE_EQ(full_time_from_tod(0.5, midnight - 2), midnight + 0.5);
  // ... and just after it, one just before belongs to the previous day.
  EXPECT_DOUBLE_EQ(full_time_from_tod(86399.5, midnight + 2), midnight - 0.5);
}

TEST(AsterixTime, ClockFollowsAStreamAcrossMidnight) {
  const double start = *parse_iso8601("2024-12-31T23:00:00Z");
  TodClock clock(start);
  double prev = 0;
  int days = 0;
  // A plot every 4 s for three days: times increase by 4 s exactly, across two midnights.
  for (int i = 0; i < 3 * 21600; ++i) {
    const double truth = start + 4.0 * i;
    const double tod = std::fmod(truth, 86400.0);
    const double t = clock(std::round(tod * 128) / 128);  // as I048/140 carries it
    EXPECT_NEAR(t, truth, 1.0 / 256);
    if (i > 0 && std::fmod(t, 86400.0) < std::fmod(prev, 86400.0)) ++days;
    prev = t;
  }
  EXPECT_EQ(days, 3);
  EXPECT_EQ(format_iso8601(prev), "2025-01-03T22:59:56.000Z");
}

TEST(AsterixAdapters, Cat048PlotsOfTheRealRecording) {
  auto c = test::decode_path(kCc + "/cat_034_048.pcap", InputFormat::pcap);
  int plots = 0;
  for (const auto& d : c.records) {
    const auto* r = std::get_if<cat048::ed1_32::Record>(&d.record);
    if (!r) continue;
    TodClock clock(d.meta.capture_time);
    const auto det = cat048_detection(*r, "radar-" + std::to_string(r->i010->sic), clock);
    ASSERT_EQ(det.has_value(), r->i040.has_value());  // track-only reports give no plot
    if (!det) continue;
    ++plots;
    const auto& p = std::get<PolarMeasurement>(det->measurement);
    EXPECT_NEAR(p.range, r->i040->rho * 1852.0 / 256.0, 1e-9);
    EXPECT_NEAR(p.bearing, r->i040->theta * 2 * M_PI / 65536.0, 1e-12);
    // The capture (2016-05-05 07:35 UTC) and the plots' time of day agree within a few s.
    EXPECT_NEAR(det->t, d.meta.capture_time, 5.0);
    EXPECT_EQ(det->sensor_track, std::to_string(r->i161->trn));
  }
  EXPECT_EQ(plots, 126);  // the reference decode shows I048/040 in 126 of the 128 records
  // The first plot: RHO 50607/256 NM, THETA 61920 * 360/65536 deg.
  const auto* r = std::get_if<cat048::ed1_32::Record>(&c.records[0].record);
  ASSERT_NE(r, nullptr);
  TodClock clock(*parse_iso8601("2016-05-05T07:35:00Z"));
  const auto det = cat048_detection(*r, "r", clock);
  EXPECT_NEAR(std::get<PolarMeasurement>(det->measurement).range, 197.68359375 * 1852, 1e-6);
  EXPECT_NEAR(std::get<PolarMeasurement>(det->measurement).bearing * 180 / M_PI, 340.13671875,
              1e-9);
  EXPECT_EQ(format_iso8601(det->t), "2016-05-05T07:35:54.602Z");
}

TEST(AsterixAdapters, Cat010PolarAndCartesian) {
  auto c = test::decode_path(picket::test::data_dir("asterix") + "/jasterix/cat010ed0.31.bin",
                             InputFormat::raw);
  ASSERT_EQ(c.records.size(), 1u);
  auto r = std::get<cat010::ed1_1::Record>(c.records[0].record);
  TodClock clock(*parse_iso8601("2020-01-01T09:00:00Z"));
  auto polar = cat010_detection(r, "surface", clock);
  ASSERT_TRUE(polar.has_value());
  EXPECT_NEAR(std::get<PolarMeasurement>(polar->measurement).range, 1588.0, 1e-9);
  // Without I040, the Cartesian I042 (-267, -1566) m becomes range and bearing.
  r.i040.reset();
  auto cart = cat010_detection(r, "surface", clock);
  ASSERT_TRUE(cart.has_value());
  const auto& p = std::get<PolarMeasurement>(cart->measurement);
  EXPECT_NEAR(p.range, std::hypot(267.0, 1566.0), 1e-9);
  EXPECT_NEAR(p.bearing, std::atan2(-267.0, -1566.0) + 2 * M_PI, 1e-12);
  EXPECT_EQ(cart->sensor_track, "4");
  // Not a target report: no detection.
  r.i000->value = 3;
  EXPECT_FALSE(cat010_detection(r, "surface", clock).has_value());
}

TEST(AsterixAdapters, Cat021KeepsAddressAndCallsign) {
  auto c = test::decode_path(picket::test::data_dir("asterix") + "/jasterix/cat021ed2.1.bin",
                             InputFormat::raw, test::editions({"21=2.1"}));
  ASSERT_EQ(c.records.size(), 1u);
  const auto& r = std::get<cat021::ed2_1::Record>(c.records[0].record);
  TodClock clock(*parse_iso8601("2019-06-01T09:00:00Z"));
  const auto d = cat021_detection(r, "adsb-gs", clock);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->icao_address, 0x1A4B65u);
  EXPECT_EQ(d->callsign, "EZS14ZH");
  EXPECT_EQ(d->detection.sensor_track, "1A4B65");
  EXPECT_NEAR(*d->geometric_height_m, 34750 * 0.3048, 1e-9);
  EXPECT_NEAR(*d->flight_level, 350, 1e-9);
  const auto& g = std::get<GeodeticMeasurement>(d->detection.measurement);
  EXPECT_NEAR(g.lat_deg, 46.84420108795166, 1e-9);
  EXPECT_NEAR(g.lon_deg, 12.298529148101807, 1e-9);
  EXPECT_EQ(d->detection.cls, TargetClass::aircraft);
  // I073 (time of reception of the position) 33502.8828125 s after midnight.
  EXPECT_EQ(format_iso8601(d->detection.t), "2019-06-01T09:18:22.883Z");
}

TEST(AsterixAdapters, TrackToCat062RoundTrip) {
  const LocalFrame frame(Geodetic{43.6293, 1.36382, 150});
  TrackState t;
  t.id = 70001;
  t.t = *parse_iso8601("2024-05-01T23:59:59.5Z");
  t.position = Enu(1234.5, -5678.0, 300.0);
  t.velocity = Enu(12.25, -3.5, 0);
  t.position_cov = Eigen::Matrix3d::Identity() * 16.0;  // 4 m
  t.status = TrackStatus::confirmed;
  t.air = true;
  const auto rec = track_to_cat062(t, frame, {1, 2, 3});
  Bytes block;
  ASSERT_TRUE(encode_block<cat062::ed1_21::Record>(62, {&rec, 1}, block).ok());
  auto c = test::decode_bytes(block);
  ASSERT_EQ(c.records.size(), 1u);
  const auto& r = std::get<cat062::ed1_21::Record>(c.records[0].record);
  EXPECT_EQ(r.i040->value, 70001 % 65536);
  EXPECT_NEAR(r.i100->x_m(), 1234.5, 0.25);
  EXPECT_NEAR(r.i100->y_m(), -5678.0, 0.25);
  EXPECT_NEAR(r.i185->vx_mps(), 12.25, 0.125);
  EXPECT_NEAR(r.i500->apc->x_m(), 4.0, 0.25);
  const Geodetic g = frame.to_geodetic(t.position);
  EXPECT_NEAR(r.i105->lat_deg(), g.lat_deg, 180.0 / (1 << 25));
  EXPECT_NEAR(r.i105->lon_deg(), g.lon_deg, 180.0 / (1 << 25));
  EXPECT_NEAR(r.i130->value_ft() * 0.3048, g.alt_m, 6.25 * 0.3048);
  TodClock clock(t.t - 10);
  EXPECT_NEAR(clock(r.i070->value_s()), t.t, 1.0 / 128);
}

TEST(AsterixAdapters, DetectionToCat048RoundTrip) {
  Detection d;
  d.t = *parse_iso8601("2024-05-01T10:00:01.25Z");
  d.sensor = "radar-1";
  d.measurement = PolarMeasurement{12345.0, 359.999 * M_PI / 180, std::nullopt};
  d.sensor_track = "77";
  const auto rec = detection_to_cat048(d, 25, 201);
  ASSERT_TRUE(rec.has_value());
  Bytes block;
  ASSERT_TRUE(encode_block<cat048::ed1_32::Record>(48, {&*rec, 1}, block).ok());
  auto c = test::decode_bytes(block);
  ASSERT_EQ(c.records.size(), 1u);
  const auto& r = std::get<cat048::ed1_32::Record>(c.records[0].record);
  TodClock clock(d.t + 100);
  const auto back = cat048_detection(r, "radar-1", clock);
  ASSERT_TRUE(back.has_value());
  const auto& p = std::get<PolarMeasurement>(back->measurement);
  EXPECT_NEAR(p.range, 12345.0, 1852.0 / 256 / 2);
  // 359.999 deg rounds to code 0 (= 360 = 0 degrees).
  EXPECT_NEAR(std::remainder(p.bearing - 359.999 * M_PI / 180, 2 * M_PI), 0, 2 * M_PI / 65536);
  EXPECT_NEAR(back->t, d.t, 1.0 / 256);
  EXPECT_EQ(back->sensor_track, "77");
  d.measurement = EnuMeasurement{};
  EXPECT_FALSE(detection_to_cat048(d, 25, 201).has_value());
  d.measurement = PolarMeasurement{300 * 1852.0, 0, std::nullopt};  // beyond 256 NM
  EXPECT_FALSE(detection_to_cat048(d, 25, 201).has_value());
}

}  // namespace
}  // namespace picket::asterix

namespace picket::adsb {
namespace {

TEST(AdsbAdapters, FixAndSbsBecomeCooperativeDetections) {
  auto m = decode(*Frame::from_hex("8D40058B58C901375147EFD09357"));
  ASSERT_TRUE(m.ok());
  const auto& p = std::get<AirbornePosition>(m->es);
  const Fix fix{LatLon{49.82410, 6.06785}, true, false};
  const auto d = fix_detection(m->icao, fix, &p, 1000.0, "adsb-1", std::string("EZY85MH "));
  EXPECT_EQ(d.icao_address, 0x40058Bu);
  EXPECT_EQ(d.detection.sensor_track, "40058B");
  EXPECT_EQ(d.callsign, "EZY85MH");
  EXPECT_NEAR(*d.flight_level, 390, 1e-9);  // 39000 ft barometric
  EXPECT_FALSE(d.geometric_height_m.has_value());
  EXPECT_FALSE(std::get<GeodeticMeasurement>(d.detection.measurement).alt_m.has_value());
  const auto sbs = parse_sbs(
      "MSG,3,5,211,4CA2D6,10057,2008/11/28,14:53:50.594,2008/11/28,14:58:51.153,,37000,,,"
      "51.45735,-1.02826,,,0,0,0,0");
  ASSERT_TRUE(sbs.ok());
  const auto s = sbs_detection(*sbs, "sbs");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->detection.sensor_track, "4CA2D6");
  EXPECT_NEAR(std::get<GeodeticMeasurement>(s->detection.measurement).lat_deg, 51.45735, 1e-12);
  EXPECT_NEAR(*s->flight_level, 370, 1e-9);
  auto vel = parse_sbs(
      "MSG,4,5,211,4CA2D6,10057,2008/11/28,14:53:49.986,2008/11/28,14:58:51.153,,,408.3,146.4,,,"
      "64,,,,,");
  ASSERT_TRUE(vel.ok());
  EXPECT_FALSE(sbs_detection(*vel, "sbs").has_value());
}

}  // namespace
}  // namespace picket::adsb

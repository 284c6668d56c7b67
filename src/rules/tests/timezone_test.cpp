#include "picket/rules/timezone.h"

#include <gtest/gtest.h>

#include "picket/core/time.h"

namespace picket::rules {
namespace {

const std::string kZoneinfo = std::string(PICKET_SOURCE_DIR) + "/tests/data/rules/zoneinfo";

double at(const char* iso) {
  auto t = parse_iso8601(iso);
  EXPECT_TRUE(t) << iso;
  return t.value_or(0);
}

TEST(Calendar, DaysAndWeekdays) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(weekday_from_days(0), 4);                              // 1970-01-01 was a Thursday
  EXPECT_EQ(weekday_from_days(days_from_civil(2026, 11, 28)), 6);  // a Saturday
  EXPECT_EQ(weekday_from_days(-1), 3);
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  for (std::int64_t z = -800000; z < 800000; z += 997) {
    civil_from_days(z, y, m, d);
    ASSERT_EQ(days_from_civil(y, m, d), z);
  }
}

TEST(TimeZone, FixedOffsets) {
  struct Case {
    const char* spec;
    int offset;
  } cases[] = {{"UTC", 0},        {"Z", 0},         {"+01:00", 3600}, {"-05:30", -19800},
               {"+0530", 19800},  {"+1", 3600},     {"-11", -39600},  {"UTC+02:00", 7200},
               {"GMT-3", -10800}, {"+14:00", 50400}};
  for (const auto& c : cases) {
    auto tz = TimeZone::parse(c.spec);
    ASSERT_TRUE(tz) << c.spec << ": " << tz.error().message();
    EXPECT_EQ(tz->offset_at(1.8e9), c.offset) << c.spec;
  }
  for (const char* bad : {"+25:00", "+01:60", "+1:2", "UTC+", "+", "-0x", "+123456"}) {
    EXPECT_FALSE(TimeZone::parse(bad)) << bad;
  }
}

TEST(TimeZone, PosixRules) {
  auto london = PosixTz::parse("GMT0BST,M3.5.0/1,M10.5.0");
  ASSERT_TRUE(london);
  // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
  EXPECT_EQ(london->offset_at(static_cast<std::int64_t>(at("2026-03-29T00:59:59Z"))), 0);
  EXPECT_EQ(london->offset_at(static_cast<std::int64_t>(at("2026-03-29T01:00:00Z"))), 3600);
  EXPECT_EQ(london->offset_at(static_cast<std::int64_t>(at("2026-10-25T00:59:59Z"))), 3600);
  EXPECT_EQ(london->offset_at(static_cast<std::int64_t>(at("2026-10-25T01:00:00Z"))), 0);
  // Southern hemisphere: daylight time spans the new year.
  auto sydney = PosixTz::parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(sydney);
  EXPECT_EQ(sydney->offset_at(static_cast<std::int64_t>(at("2026-01-15T00:00:00Z"))), 39600);
  EXPECT_EQ(sydney->offset_at(static_cast<std::int64_t>(at("2026-07-15T00:00:00Z"))), 36000);
  // Quoted names, negative offsets, Julian days.
  auto nuuk = PosixTz::parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  ASSERT_TRUE(nuuk);
  EXPECT_EQ(nuuk->offset_at(static_cast<std::int64_t>(at("2026-01-15T00:00:00Z"))), -7200);
  EXPECT_EQ(nuuk->offset_at(static_cast<std::int64_t>(at("2026-07-15T00:00:00Z"))), -3600);
  auto julian = PosixTz::parse("XXX3YYY,J60/0,J300/0");
  ASSERT_TRUE(julian);
  for (const char* bad : {"", "G", "GMT", "GMT0BST,M13.1.0,M10.5.0", "GMT0BST,M3.6.0,M10.5.0",
                          "GMT0BST,M3.5.7,M10.5.0", "EST5EDT,J0,J100", "EST5EDT,M3.2.0"}) {
    EXPECT_FALSE(PosixTz::parse(bad)) << bad;
  }
}

TEST(TimeZone, IanaFilesFromTzdata) {
  auto london = TimeZone::load_iana("Europe/London", kZoneinfo);
  ASSERT_TRUE(london) << london.error().message();
  EXPECT_EQ(london->offset_at(at("2026-01-15T12:00:00Z")), 0);
  EXPECT_EQ(london->offset_at(at("2026-07-15T12:00:00Z")), 3600);
  // British Standard Time: the UK kept UTC+1 all year from 1968 to 1971.
  EXPECT_EQ(london->offset_at(at("1970-01-15T12:00:00Z")), 3600);
  // Past the table: the footer's POSIX rule.
  EXPECT_EQ(london->offset_at(at("2100-07-15T12:00:00Z")), 3600);
  EXPECT_EQ(london->offset_at(at("2100-12-15T12:00:00Z")), 0);

  auto ny = TimeZone::load_iana("America/New_York", kZoneinfo);
  ASSERT_TRUE(ny);
  EXPECT_EQ(ny->offset_at(at("2026-01-01T12:00:00Z")), -18000);
  EXPECT_EQ(ny->offset_at(at("2026-07-01T12:00:00Z")), -14400);
  // 2026-03-08 02:00 EST = 07:00 UTC is the change.
  EXPECT_EQ(ny->offset_at(at("2026-03-08T06:59:59Z")), -18000);
  EXPECT_EQ(ny->offset_at(at("2026-03-08T07:00:00Z")), -14400);

  auto syd = TimeZone::load_iana("Australia/Sydney", kZoneinfo);
  ASSERT_TRUE(syd);
  EXPECT_EQ(syd->offset_at(at("2026-01-01T00:00:00Z")), 39600);
  EXPECT_EQ(syd->offset_at(at("2026-07-01T00:00:00Z")), 36000);
}

TEST(TimeZone, BadNamesAndFiles) {
  auto missing = TimeZone::load_iana("Europe/Atlantis", kZoneinfo);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().what.find("unknown time zone 'Europe/Atlantis'"), std::string::npos);
  EXPECT_FALSE(TimeZone::load_iana("../../etc/passwd", kZoneinfo));
  EXPECT_FALSE(TimeZone::load_iana("/etc/passwd", kZoneinfo));
  EXPECT_FALSE(TimeZone::from_tzif("", "x"));
  EXPECT_FALSE(TimeZone::from_tzif("TZif2", "x"));
  EXPECT_FALSE(TimeZone::from_tzif(std::string(60, 'x'), "x"));
  // A truncated real file.
  std::string head = "TZif2";
  head.resize(44, '\0');
  head[20 + 3] = 0;    // isutcnt
  head[32 + 3] = 100;  // timecnt: 100 transitions that are not there
  head[36 + 3] = 1;    // typecnt
  EXPECT_FALSE(TimeZone::from_tzif(head, "x"));
}

}  // namespace
}  // namespace picket::rules

#include <gtest/gtest.h>

#include "picket/core/time.h"

namespace picket {
namespace {

TEST(Time, ParsesAndFormatsIso8601) {
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0.0);
  EXPECT_EQ(parse_iso8601("2000-03-01T00:00:00Z"), 951868800.0);
  EXPECT_EQ(parse_iso8601("2026-11-28T22:00:00Z"), 1795903200.0);
  EXPECT_EQ(parse_iso8601("2026-11-28T23:00:00+01:00"), 1795903200.0);
  EXPECT_NEAR(*parse_iso8601("2026-11-28 22:00:00.250"), 1795903200.25, 1e-6);
  EXPECT_EQ(format_iso8601(1795903200.25), "2026-11-28T22:00:00.250Z");
  EXPECT_EQ(format_iso8601(1795903200.9996), "2026-11-28T22:00:01.000Z");
}

TEST(Time, RejectsNonsense) {
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_iso8601("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-28T25:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-11-28T22:00:00Q"));
}

}  // namespace
}  // namespace picket

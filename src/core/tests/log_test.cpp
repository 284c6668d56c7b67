#include "picket/core/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace picket::log {
namespace {

TEST(Log, TextLineQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(
      text_line("detections_rejected", {{"reason", "malformed"},
                                        {"count", 12},
                                        {"detail", "line 1: bad \"east\""},
                                        {"empty", ""},
                                        {"late", true},
                                        {"t", 1.5}}),
      R"(detections_rejected reason=malformed count=12 detail="line 1: bad \"east\"" late=true t=1.5)");
}

TEST(Log, JsonMembersAreValidJsonWithTypes) {
  const std::string members =
      json_members("alarm", {{"id", std::uint64_t{7}},
                             {"kind", "zone_entry"},
                             {"note", "quote \" backslash \\ newline \n tab \t"},
                             {"bad_utf8", std::string_view("\xff\xfe")},
                             {"exercise", false},
                             {"p", 0.25},
                             {"nan", std::nan("")},
                             {"skipped", std::string()}});
  const auto j = nlohmann::json::parse("{" + members + "}");
  EXPECT_EQ(j["event"], "alarm");
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["kind"], "zone_entry");
  EXPECT_EQ(j["note"], "quote \" backslash \\ newline \n tab \t");
  EXPECT_TRUE(j["bad_utf8"].is_string());
  EXPECT_EQ(j["exercise"], false);
  EXPECT_DOUBLE_EQ(j["p"].get<double>(), 0.25);
  EXPECT_TRUE(j["nan"].is_null());
  EXPECT_FALSE(j.contains("skipped"));
}

TEST(Log, JsonFormatterWritesOneObjectPerLine) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(make_json_formatter());
  logger.warn("plain \"message\" {}", 1);
  logger.info("\x1e{}", json_members("audit", {{"actor", "admin"}, {"action", "login"}}));
  std::istringstream lines(out.str());
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["msg"], "plain \"message\" 1");
  const std::string time = j["time"];
  ASSERT_EQ(time.size(), 24u) << time;  // 2026-11-28T10:58:12.345Z
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time.back(), 'Z');
  ASSERT_TRUE(std::getline(lines, line));
  j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["event"], "audit");
  EXPECT_EQ(j["actor"], "admin");
  EXPECT_FALSE(j.contains("msg"));
  EXPECT_FALSE(std::getline(lines, line));
}

TEST(Log, ThrottleReportsHeldBackCounts) {
  Throttle t(10.0, 2);
  EXPECT_EQ(t.hit("malformed", 100.0), 1u);  // the first is logged at once
  EXPECT_EQ(t.hit("malformed", 101.0), 0u);
  EXPECT_EQ(t.hit("malformed", 105.0), 0u);
  EXPECT_EQ(t.hit("unknown_sensor", 105.0), 1u);  // keys are independent
  EXPECT_EQ(t.hit("malformed", 110.0), 3u);       // two held back and this one
  EXPECT_EQ(t.hit("malformed", 111.0), 0u);
  // Past max_keys, new keys share one entry.
  EXPECT_EQ(t.hit("a", 200.0), 1u);
  EXPECT_EQ(t.hit("b", 201.0), 0u);
}

TEST(Log, ParseFormat) {
  Format f = Format::text;
  EXPECT_TRUE(parse_format("json", f));
  EXPECT_EQ(f, Format::json);
  EXPECT_TRUE(parse_format("text", f));
  EXPECT_EQ(f, Format::text);
  EXPECT_FALSE(parse_format("xml", f));
}

}  // namespace
}  // namespace picket::log

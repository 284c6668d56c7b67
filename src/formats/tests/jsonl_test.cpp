#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "picket/formats/jsonl.h"
#include "picket/formats/records.h"

namespace picket::formats {
namespace {

std::string write_temp(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(LineReader, NumbersLinesAndHandlesEndings) {
  const auto path = write_temp("lines.txt", "a\r\nbb\n\nlast");
  auto r = LineReader::open(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next(), "a");
  EXPECT_EQ(r->next(), "bb");
  EXPECT_EQ(r->next(), "");
  EXPECT_EQ(r->next(), "last");
  EXPECT_EQ(r->line_number(), 4u);
  EXPECT_FALSE(r->next());
  EXPECT_FALSE(r->io_error());
}

TEST(LineReader, MissingFileAndDirectory) {
  auto r = LineReader::open("/nonexistent/x.jsonl");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("/nonexistent/x.jsonl: cannot open"), std::string::npos);
  auto d = LineReader::open(::testing::TempDir());
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message().find("is a directory"), std::string::npos);
}

TEST(LineReader, LongLinesAcrossBufferBoundaries) {
  std::string big(200'000, 'x');
  const auto path = write_temp("big.txt", big + "\nshort\n" + big);
  auto r = LineReader::open(path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->next()->size(), big.size());
  EXPECT_EQ(r->next(), "short");
  EXPECT_EQ(r->next()->size(), big.size());
  EXPECT_FALSE(r->next());
}

const char* kGood = R"({"t":10.5,"sensor":"radar-1","range":120.5,"bearing":45})";

TEST(JsonlReader, StopsAtABadLineWithItsNumber) {
  const auto path =
      write_temp("bad.jsonl", std::string(kGood) +
                                  "\n{\"t\":11,\"sensor\":\"radar-1\",\"range\":\"far\","
                                  "\"bearing\":1}\n" +
                                  kGood + "\n");
  auto r = open_detections(path);
  ASSERT_TRUE(r);
  auto first = r->next();
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->has_value());
  auto second = r->next();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().message(), path + ":2 range: expected a number");
  // The caller may go on past the bad line.
  auto third = r->next();
  ASSERT_TRUE(third && third->has_value());
  EXPECT_EQ(r->stats().bad, 1u);
}

TEST(JsonlReader, SkipsAndCountsBadLines) {
  std::string text;
  text += std::string(kGood) + "\n";
  text += "not json\n";
  text += "\n";
  text += "[1,2]\n";
  text += R"({"t":1,"sensor":"s","east":1,"north":2,"lat":3,"lon":4})"
          "\n";
  text += R"({"t":-1,"sensor":"s","east":1,"north":2})"
          "\n";
  text += R"({"t":1e999,"sensor":"s","east":1,"north":2})"
          "\n";
  text += std::string("{\"t\":1,\"sensor\":\"s\0\",\"east\":1}\n", 31);
  text += std::string(kGood) + "\n";
  const auto path = write_temp("skip.jsonl", text);
  auto r = open_detections(path, {.skip_bad = true});
  ASSERT_TRUE(r);
  int good = 0;
  for (;;) {
    auto d = r->next();
    ASSERT_TRUE(d) << d.error().message();
    if (!d->has_value()) break;
    ++good;
  }
  EXPECT_EQ(good, 2);
  EXPECT_EQ(r->stats().bad, 6u);
  EXPECT_EQ(r->stats().blank, 1u);
  EXPECT_EQ(r->stats().lines, 9u);
  ASSERT_EQ(r->stats().first_errors.size(), 6u);
  EXPECT_EQ(r->stats().first_errors[0].where, path + ":2 column 2");
  EXPECT_EQ(r->stats().first_errors[1].what, "expected a JSON object");
  EXPECT_NE(r->stats().first_errors[2].what.find("more than one position form"), std::string::npos);
  EXPECT_EQ(r->stats().first_errors[3].what, "negative time");
}

TEST(JsonlReader, OversizedLineIsBadNotFatal) {
  std::string text =
      "{\"t\":1,\"sensor\":\"" + std::string(5000, 'a') + "\",\"east\":1,\"north\":1}\n";
  text += std::string(kGood) + "\n";
  const auto path = write_temp("huge.jsonl", text);
  auto r = open_detections(path, {.skip_bad = true, .max_line = 1000});
  ASSERT_TRUE(r);
  auto d = r->next();
  ASSERT_TRUE(d && d->has_value());
  EXPECT_EQ((*d)->sensor, "radar-1");
  EXPECT_EQ(r->stats().bad, 1u);
  EXPECT_EQ(r->stats().first_errors[0].what, "line longer than 1000 bytes");
}

TEST(JsonlWriter, ReportsAFullDisk) {
  auto w = JsonlWriter::create("/dev/full");
  ASSERT_TRUE(w);
  for (int i = 0; i < 10000; ++i)
    w->write("{\"t\":1}\n");
  auto st = w->close();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("/dev/full: write failed"), std::string::npos);
}

TEST(JsonlWriter, CannotCreateInMissingDirectory) {
  auto w = JsonlWriter::create("/nonexistent/dir/out.jsonl");
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message().find("cannot create"), std::string::npos);
}

}  // namespace
}  // namespace picket::formats

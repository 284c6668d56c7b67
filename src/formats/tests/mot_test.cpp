#include "picket/formats/mot.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace picket::formats {
namespace {

std::string data(const std::string& rel) {
  return std::string(PICKET_SOURCE_DIR) + "/tests/data/mot/" + rel;
}

std::string write_temp(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// py-motmetrics' loader vector (iotest/motchallenge.txt): the values its test expects, without
// its MATLAB-style shift of x and y by -1 (IoU does not depend on it, and the file's own
// numbers are what MOTChallenge's evaluators use).
TEST(Mot, ReadsTheLoaderVector) {
  auto rows = read_mot_file(data("motchallenge.txt"));
  ASSERT_TRUE(rows) << rows.error().message();
  ASSERT_EQ(rows->size(), 5u);
  const double expected[5][9] = {{1, 1, 399, 182, 121, 229, 1, -1, -1},
                                 {1, 2, 282, 201, 92, 184, 1, -1, -1},
                                 {2, 2, 269, 202, 87, 182, 1, -1, -1},
                                 {2, 3, 71, 151, 100, 284, 1, -1, -1},
                                 {2, 4, 200, 206, 55, 137, 1, -1, -1}};
  for (size_t i = 0; i < 5; ++i) {
    const auto& r = (*rows)[i];
    const auto& e = expected[i];
    EXPECT_EQ(r.frame, e[0]);
    EXPECT_EQ(r.id, e[1]);
    EXPECT_EQ(r.x, e[2]);
    EXPECT_EQ(r.y, e[3]);
    EXPECT_EQ(r.w, e[4]);
    EXPECT_EQ(r.h, e[5]);
    EXPECT_EQ(r.conf, e[6]);
    EXPECT_EQ(r.c8, e[7]);
    EXPECT_EQ(r.c9, e[8]);
    EXPECT_EQ(r.columns, 10);
  }
}

TEST(Mot, ReadsWholeShippedFiles) {
  auto gt = read_mot_file(data("TUD-Campus/gt.txt"));
  ASSERT_TRUE(gt) << gt.error().message();
  EXPECT_EQ(gt->size(), 359u);
  auto det = read_mot_file(data("TUD-Campus/det.txt"));
  ASSERT_TRUE(det) << det.error().message();
  EXPECT_EQ(det->size(), 321u);
  EXPECT_EQ(det->front().id, -1);
  EXPECT_DOUBLE_EQ(det->front().conf, 0.997784);
  EXPECT_DOUBLE_EQ(det->front().x, 281.931);
  EXPECT_EQ(det->back().frame, 71);
}

TEST(Mot, SeparatorsAndColumnCounts) {
  // Comma with spaces (the MOTChallenge web page's example), white space only, a trailing comma.
  auto a = parse_mot_row("  1, 3, 794.27, 247.59, 71.245, 174.88, -1, -1, -1, -1");
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_EQ(a->id, 3);
  EXPECT_DOUBLE_EQ(a->h, 174.88);
  auto b = parse_mot_row("7 12 1.5 2.5 3 4\t0.9");
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(b->columns, 7);
  EXPECT_DOUBLE_EQ(b->conf, 0.9);
  EXPECT_EQ(b->c8, -1);  // absent columns keep their defaults
  auto c = parse_mot_row("1,2,3,4,5,6,");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->columns, 6);
  auto d = parse_mot_row("1.0,+2,3e2,4,5,6");  // whole numbers written as decimals
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->frame, 1);
  EXPECT_EQ(d->id, 2);
  EXPECT_EQ(d->x, 300);
}

TEST(Mot, BadLinesNameTheColumn) {
  struct Case {
    const char* line;
    const char* message;
  };
  const Case cases[] = {
      {"1,2,3,4,5", "5 columns"},
      {"1,2,3,4,5,6,7,8,9,10,11", "more than 10 columns"},
      {"0,1,2,3,4,5", "column 1 (frame): 0 is out of range"},
      {"1.5,1,2,3,4,5", "column 1 (frame): 1.5 is not a whole number"},
      {"1,x,2,3,4,5", "column 2 (id): 'x' is not a number"},
      {"1,1,nan,3,4,5", "column 3 (bb_left): not a finite number"},
      {"1,1,2,inf,4,5", "column 4 (bb_top): not a finite number"},
      {"1,1,2,3,-4,5", "column 5 (bb_width): negative width"},
      {"1,1,2,3,4,-5", "column 6 (bb_height): negative height"},
      {"1,1,2,3,4,5,0.5x", "column 7 (conf): '0.5x' is not a number"},
      {"1,,2,3,4,5", "column 2 is empty"},
      {"1,1,2,3,4,1e400", "column 6 (bb_height): '1e400' is not a number"},
  };
  for (const auto& c : cases) {
    auto r = parse_mot_row(c.line);
    ASSERT_FALSE(r) << c.line;
    EXPECT_NE(r.error().message().find(c.message), std::string::npos)
        << c.line << " -> " << r.error().message();
  }
}

TEST(Mot, ReaderGivesFileAndLineAndSkipsBad) {
  const auto path = write_temp("bad.txt", "1,1,2,3,4,5\n\n1,1,2,3,oops,5\n2,1,2,3,4,5\n");
  auto stop = read_mot_file(path);
  ASSERT_FALSE(stop);
  EXPECT_EQ(stop.error().message(), path + ":3 column 5 (bb_width): 'oops' is not a number");
  ReadStats stats;
  auto skip = read_mot_file(path, ReadOptions{.skip_bad = true}, &stats);
  ASSERT_TRUE(skip);
  EXPECT_EQ(skip->size(), 2u);
  EXPECT_EQ(stats.bad, 1u);
  EXPECT_EQ(stats.blank, 1u);
  EXPECT_EQ(stats.lines, 4u);
}

TEST(Mot, WriterRoundTrips) {
  MotRow r;
  r.frame = 12;
  r.id = 7;
  r.x = 10.126;
  r.y = -3.5;
  r.w = 40;
  r.h = 80.25;
  r.conf = 0.875;
  std::string out;
  append_mot_row(out, r);
  EXPECT_EQ(out, "12,7,10.13,-3.50,40.00,80.25,0.875,-1,-1,-1\n");
  out.pop_back();
  auto back = parse_mot_row(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->frame, 12);
  EXPECT_EQ(back->id, 7);
  EXPECT_DOUBLE_EQ(back->x, 10.13);
  EXPECT_DOUBLE_EQ(back->conf, 0.875);
}

TEST(Mot, SeqInfo) {
  const auto path = write_temp("seqinfo.ini",
                               "[Sequence]\nname=TUD-Campus\nimDir=img1\nframeRate=25\n"
                               "seqLength=71\nimWidth=640\nimHeight=480\nimExt=.jpg\n");
  auto s = read_seqinfo(path);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->name, "TUD-Campus");
  EXPECT_EQ(s->frame_rate, 25);
  EXPECT_EQ(s->length, 71);
  EXPECT_EQ(s->width, 640);
  const auto bad = write_temp("bad.ini", "[Sequence]\nframeRate=fast\n");
  auto b = read_seqinfo(bad);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message().find(":2 frameRate"), std::string::npos) << b.error().message();
  EXPECT_FALSE(read_seqinfo(write_temp("none.ini", "a=b\n")));
}

}  // namespace
}  // namespace picket::formats

// The MOT metrics: hand-worked cases, then the published scores of real pairs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "picket/eval/mot_metrics.h"

namespace picket::eval {
namespace {

using formats::MotRow;

MotRow box(int frame, long long id, double x, double y = 0, double w = 10, double h = 10) {
  MotRow r;
  r.frame = frame;
  r.id = id;
  r.x = x;
  r.y = y;
  r.w = w;
  r.h = h;
  r.conf = 1;
  r.columns = 10;
  return r;
}

MotScores score(const std::vector<MotRow>& gt, const std::vector<MotRow>& res,
                MotPreprocess p = MotPreprocess::mot15) {
  auto seq = prepare_mot_sequence(gt, res, {.preprocess = p});
  EXPECT_TRUE(seq) << seq.error().message();
  return seq ? score_mot(*seq) : MotScores{};
}

TEST(BoxIou, HandWorked) {
  // 10x10 boxes shifted by 2.5: overlap 7.5 x 10 = 75, union 125.
  EXPECT_DOUBLE_EQ(box_iou(0, 0, 10, 10, 2.5, 0, 10, 10), 0.6);
  EXPECT_DOUBLE_EQ(box_iou(0, 0, 10, 10, 0, 0, 10, 10), 1.0);
  EXPECT_EQ(box_iou(0, 0, 10, 10, 10, 0, 10, 10), 0.0);     // touching
  EXPECT_EQ(box_iou(0, 0, 0, 10, 0, 0, 10, 10), 0.0);       // an empty box overlaps nothing
  EXPECT_DOUBLE_EQ(box_iou(0, 0, 4, 4, 1, 1, 2, 2), 0.25);  // contained
}

TEST(MotMetrics, PerfectTracking) {
  std::vector<MotRow> gt;
  for (int f = 1; f <= 3; ++f) {
    gt.push_back(box(f, 1, 0));
    gt.push_back(box(f, 2, 100));
  }
  auto s = score(gt, gt);
  EXPECT_EQ(s.clear.tp, 6);
  EXPECT_DOUBLE_EQ(s.clear.mota(), 1.0);
  EXPECT_DOUBLE_EQ(s.clear.motp(), 1.0);
  EXPECT_DOUBLE_EQ(s.identity.idf1(), 1.0);
  EXPECT_DOUBLE_EQ(s.hota.hota(), 1.0);
  EXPECT_DOUBLE_EQ(s.hota.loc_a_mean(), 1.0);
  EXPECT_EQ(s.clear.mt, 2);
}

// One object seen in 4 frames; the tracker changes its id after frame 2.
TEST(MotMetrics, IdentitySwitchHandWorked) {
  std::vector<MotRow> gt, res;
  for (int f = 1; f <= 4; ++f) {
    gt.push_back(box(f, 7, 0));
    res.push_back(box(f, f <= 2 ? 1 : 2, 0));
  }
  auto s = score(gt, res);
  EXPECT_EQ(s.clear.tp, 4);
  EXPECT_EQ(s.clear.idsw, 1);
  EXPECT_DOUBLE_EQ(s.clear.mota(), 0.75);  // (4 - 0 - 1) / 4
  // The object is matched to one of the two ids for 2 frames: IDTP 2, IDFN 2, IDFP 2.
  EXPECT_EQ(s.identity.idtp, 2);
  EXPECT_EQ(s.identity.idfn, 2);
  EXPECT_EQ(s.identity.idfp, 2);
  EXPECT_DOUBLE_EQ(s.identity.idf1(), 0.5);
  // Every TP's identities agree in 2 of the 4 + 2 - 2 frames: AssA 0.5, DetA 1.
  EXPECT_DOUBLE_EQ(s.hota.det_a(), 1.0);
  EXPECT_DOUBLE_EQ(s.hota.ass_a_mean(), 0.5);
  EXPECT_NEAR(s.hota.hota(), std::sqrt(0.5), 1e-15);
  EXPECT_EQ(s.clear.frag, 0);
}

// CLEAR keeps the previous frame's correspondence even when another box overlaps more.
TEST(MotMetrics, KeepsPreviousCorrespondence) {
  std::vector<MotRow> gt = {box(1, 1, 0), box(2, 1, 0)};
  std::vector<MotRow> res = {box(1, 5, 2.5), box(2, 5, 2.5), box(2, 6, 0)};
  auto s = score(gt, res);
  EXPECT_EQ(s.clear.tp, 2);
  EXPECT_EQ(s.clear.fp, 1);
  EXPECT_EQ(s.clear.idsw, 0);
  EXPECT_DOUBLE_EQ(s.clear.motp(), 0.6);  // both matches are the IoU 0.6 ones
  EXPECT_DOUBLE_EQ(s.clear.mota(), 0.5);  // (2 - 1 - 0) / 2
  // HOTA matches by identity alignment, not by previous frame: res 5 is the better aligned id
  // (2 frames) over res 6 (1 frame), so it is chosen too; at alpha > 0.6 nothing matches.
  EXPECT_DOUBLE_EQ(s.hota.tp[0], 2);
  EXPECT_DOUBLE_EQ(s.hota.tp[11], 2);  // alpha 0.60
  EXPECT_DOUBLE_EQ(s.hota.tp[12], 0);  // alpha 0.65
}

TEST(MotMetrics, ThresholdAndMisses) {
  // IoU 7/13 = 0.538 matches (shift 3 of a 10 box); 6.5/13.5 = 0.481 does not (shift 3.5).
  std::vector<MotRow> gt = {box(1, 1, 0), box(2, 1, 0), box(3, 1, 0), box(4, 1, 0), box(5, 1, 0)};
  std::vector<MotRow> res = {box(1, 1, 3), box(2, 1, 3.5), box(4, 1, 0)};
  auto s = score(gt, res);
  EXPECT_EQ(s.clear.tp, 2);
  EXPECT_EQ(s.clear.fn, 3);
  EXPECT_EQ(s.clear.fp, 1);
  EXPECT_EQ(s.clear.frag, 1);  // tracked in 1, lost in 2-3, tracked again in 4
  EXPECT_EQ(s.clear.pt, 1);    // 2 of 5 frames
  EXPECT_DOUBLE_EQ(s.clear.mota(), 0.2);
}

TEST(MotMetrics, EmptyInputs) {
  std::vector<MotRow> gt = {box(1, 1, 0), box(2, 1, 0)};
  auto none = score(gt, {});
  EXPECT_EQ(none.clear.fn, 2);
  EXPECT_EQ(none.clear.ml, 1);
  EXPECT_DOUBLE_EQ(none.clear.mota(), 0.0);
  EXPECT_DOUBLE_EQ(none.hota.hota(), 0.0);
  EXPECT_EQ(none.identity.idfn, 2);
  auto only_fp = score({}, gt);
  EXPECT_EQ(only_fp.clear.fp, 2);
  EXPECT_DOUBLE_EQ(only_fp.clear.mota(), -2.0);  // (0 - 2) / max(1, 0)
}

TEST(MotMetrics, Mot17PreprocessingDropsDistractorMatches) {
  auto g = [](int f, int id, double x, int cls, double consider = 1) {
    auto r = box(f, id, x);
    r.conf = consider;
    r.c8 = cls;
    r.c9 = 1;
    return r;
  };
  // A pedestrian, a static person (distractor class 7) and a pedestrian marked "ignore".
  std::vector<MotRow> gt = {g(1, 1, 0, 1), g(1, 2, 100, 7), g(1, 3, 200, 1, 0)};
  std::vector<MotRow> res = {box(1, 1, 0), box(1, 2, 100), box(1, 3, 200)};
  EXPECT_EQ(detect_mot_preprocess(gt), MotPreprocess::mot17);
  auto s = score(gt, res, MotPreprocess::mot17);
  EXPECT_EQ(s.removed_res, 1);  // the box on the static person is not scored
  EXPECT_EQ(s.removed_gt, 2);   // only the considered pedestrian remains
  EXPECT_EQ(s.clear.tp, 1);
  EXPECT_EQ(s.clear.fp, 1);  // the box on the ignored pedestrian still counts against
  // With MOT15 rules the distractor is ground truth like any other.
  auto m15 = score(gt, res, MotPreprocess::mot15);
  EXPECT_EQ(m15.clear.tp, 2);
  EXPECT_EQ(m15.clear.fp, 1);
}

TEST(MotMetrics, RejectsBadSequences) {
  std::vector<MotRow> dup = {box(1, 1, 0), box(1, 1, 50)};
  auto a = prepare_mot_sequence(dup, {}, {});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message(), "frame 1: ground truth id 1 appears more than once");
  auto b = prepare_mot_sequence({}, std::vector<MotRow>{box(9, 1, 0)}, {.num_frames = 5});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message(), "results frame 9: outside the sequence's frames 1..5");
  auto c = prepare_mot_sequence(std::vector<MotRow>{box(1, 1, 0)}, {},
                                {.preprocess = MotPreprocess::mot17});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("not a MOTChallenge class"), std::string::npos);
}

// --- Published scores -----------------------------------------------------------------------

std::string data(const std::string& rel) {
  return std::string(PICKET_SOURCE_DIR) + "/tests/data/mot/" + rel;
}

// The header and the first data row of a CSV file (lines starting with '#' skipped).
std::map<std::string, double> read_csv_row(const std::string& path) {
  std::ifstream in(path);
  std::string line, header;
  std::map<std::string, double> out;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header.empty()) {
      header = line;
      continue;
    }
    std::stringstream h(header), v(line);
    std::string k, x;
    while (std::getline(h, k, ',') && std::getline(v, x, ',')) {
      char* end = nullptr;
      const double d = std::strtod(x.c_str(), &end);
      if (end != x.c_str()) out[k] = d;
    }
    break;
  }
  return out;
}

MotScores tud_campus(MotPreprocess p) {
  auto gt = formats::read_mot_file(data("TUD-Campus/gt.txt"));
  auto res = formats::read_mot_file(data("TUD-Campus/test.txt"));
  EXPECT_TRUE(gt && res);
  auto seq = prepare_mot_sequence(*gt, *res, {.preprocess = p, .num_frames = 71}, "TUD-Campus");
  EXPECT_TRUE(seq) << seq.error().message();
  return score_mot(*seq);
}

// py-motmetrics 1.2.0's published scores of this pair (its test_motchallenge_files).
TEST(MotMetricsPublished, TudCampusPyMotMetrics) {
  const auto e = read_csv_row(data("TUD-Campus/expected_metrics.csv"));
  ASSERT_EQ(e.count("mota"), 1u);
  const auto s = tud_campus(MotPreprocess::none);
  EXPECT_NEAR(s.clear.mota(), e.at("mota"), 5e-7);  // published to 6 decimals
  EXPECT_NEAR(s.identity.idf1(), e.at("idf1"), 5e-7);
  EXPECT_NEAR(s.identity.idp(), e.at("idp"), 5e-7);
  EXPECT_NEAR(s.identity.idr(), e.at("idr"), 5e-7);
  EXPECT_NEAR(s.clear.recall(), e.at("recall"), 5e-7);
  EXPECT_NEAR(s.clear.precision(), e.at("precision"), 5e-7);
  EXPECT_NEAR(1.0 - s.clear.motp(), e.at("motp"), 5e-7);  // py-motmetrics: IoU distance
  EXPECT_EQ(s.clear.fp, e.at("num_false_positives"));
  EXPECT_EQ(s.clear.fn, e.at("num_misses"));
  EXPECT_EQ(s.clear.idsw, e.at("num_switches"));
  EXPECT_EQ(s.clear.frag, e.at("num_fragmentations"));
  EXPECT_EQ(s.clear.mt, e.at("mostly_tracked"));
  EXPECT_EQ(s.clear.pt, e.at("partially_tracked"));
  EXPECT_EQ(s.clear.ml, e.at("mostly_lost"));
  EXPECT_EQ(s.gt_ids, e.at("num_unique_objects"));
}

// The official HOTA evaluator's scores of the same pair, at every alpha.
TEST(MotMetricsPublished, TudCampusTrackEvalEveryAlpha) {
  const auto e = read_csv_row(data("TUD-Campus/expected_trackeval_detailed.csv"));
  ASSERT_EQ(e.count("HOTA___5"), 1u);
  for (auto p : {MotPreprocess::none, MotPreprocess::mot15}) {
    const auto s = tud_campus(p);
    for (int a = 0; a < Hota::kAlphas; ++a) {
      const std::string k = std::to_string(5 * (a + 1));
      EXPECT_NEAR(s.hota.hota(a), e.at("HOTA___" + k), 1e-12) << "alpha " << k;
      EXPECT_NEAR(s.hota.det_a(a), e.at("DetA___" + k), 1e-12) << "alpha " << k;
      EXPECT_NEAR(s.hota.ass_a[static_cast<size_t>(a)], e.at("AssA___" + k), 1e-12) << k;
      EXPECT_NEAR(s.hota.ass_re[static_cast<size_t>(a)], e.at("AssRe___" + k), 1e-12) << k;
      EXPECT_NEAR(s.hota.ass_pr[static_cast<size_t>(a)], e.at("AssPr___" + k), 1e-12) << k;
      EXPECT_NEAR(s.hota.loc_a[static_cast<size_t>(a)], e.at("LocA___" + k), 1e-12) << k;
      EXPECT_EQ(s.hota.tp[static_cast<size_t>(a)], e.at("HOTA_TP___" + k)) << k;
    }
    EXPECT_NEAR(s.hota.hota(), e.at("HOTA___AUC"), 1e-12);
    EXPECT_NEAR(s.hota.det_a(), e.at("DetA___AUC"), 1e-12);
    EXPECT_NEAR(s.hota.ass_a_mean(), e.at("AssA___AUC"), 1e-12);
    EXPECT_NEAR(s.hota.loc_a_mean(), e.at("LocA___AUC"), 1e-12);
    EXPECT_NEAR(s.clear.mota(), e.at("MOTA"), 1e-12);
    EXPECT_NEAR(s.clear.motp(), e.at("MOTP"), 1e-12);
    EXPECT_NEAR(s.clear.smota(), e.at("sMOTA"), 1e-12);
    EXPECT_NEAR(s.identity.idf1(), e.at("IDF1"), 1e-12);
    EXPECT_EQ(s.identity.idtp, e.at("IDTP"));
    EXPECT_EQ(s.res_ids, e.at("IDs"));
    EXPECT_EQ(s.gt_dets, e.at("GT_Dets"));
  }
}

}  // namespace
}  // namespace picket::eval

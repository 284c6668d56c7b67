// The large-scale check of the MOT metrics: MOT17 train (21 sequences, 336,891 ground-truth
// boxes) against the official evaluator's published scores. A separate program labelled `slow`
// (0.5 s optimised, about 2 minutes under AddressSanitizer), so the ASan run skips it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "picket/eval/mot_metrics.h"

namespace picket::eval {
namespace {

// MOT17 train, 21 sequences of the MPNTrack tracker, scored by the official evaluator
// (shared data folder: TrackEval_PR55_MOT17_train). With MOT17's distractor preprocessing.
std::string shared_dir() {
  if (const char* e = std::getenv("PICKET_SHARED_DIR")) return e;
  return std::string(PICKET_SOURCE_DIR) + "/../shared";
}

TEST(MotMetricsPublished, Mot17TrainCombined) {
  const std::string root = shared_dir() + "/data/mot/TrackEval_PR55_MOT17_train";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << root << " not found";
  std::ifstream seqmap(root + "/data/gt/mot_challenge/seqmaps/MOT17-train.txt");
  std::string name;
  std::getline(seqmap, name);  // header
  std::vector<MotScores> all;
  while (std::getline(seqmap, name)) {
    if (name.empty()) continue;
    const std::string dir = root + "/data/gt/mot_challenge/MOT17/" + name;
    auto info = formats::read_seqinfo(dir + "/seqinfo.ini");
    ASSERT_TRUE(info) << info.error().message();
    auto gt = formats::read_mot_file(dir + "/gt/gt.txt");
    ASSERT_TRUE(gt) << gt.error().message();
    auto res = formats::read_mot_file(root + "/data/trackers/mot_challenge/MOT17/MPNTrack/data/" +
                                      name + ".txt");
    ASSERT_TRUE(res) << res.error().message();
    EXPECT_EQ(detect_mot_preprocess(*gt), MotPreprocess::mot17);
    auto seq = prepare_mot_sequence(
        *gt, *res, {.preprocess = MotPreprocess::mot17, .num_frames = info->length}, name);
    ASSERT_TRUE(seq) << seq.error().message();
    all.push_back(score_mot(*seq));
  }
  ASSERT_EQ(all.size(), 21u);
  const auto c = combine(all);
  // pedestrian_summary.txt: HOTA 61.904, MOTA 64.399, IDF1 71.206 (percent, 3 decimals).
  EXPECT_NEAR(100 * c.hota.hota(), 61.904, 5e-4);
  EXPECT_NEAR(100 * c.hota.det_a(), 57.989, 5e-4);
  EXPECT_NEAR(100 * c.hota.ass_a_mean(), 66.24, 5e-4);
  EXPECT_NEAR(100 * c.hota.loc_a_mean(), 90.253, 5e-4);
  EXPECT_NEAR(100 * c.clear.mota(), 64.399, 5e-4);
  EXPECT_NEAR(100 * c.clear.motp(), 89.143, 5e-4);
  EXPECT_NEAR(100 * c.identity.idf1(), 71.206, 5e-4);
  EXPECT_EQ(c.clear.tp, 223153);
  EXPECT_EQ(c.clear.fn, 113738);
  EXPECT_EQ(c.clear.fp, 5715);
  EXPECT_EQ(c.clear.idsw, 482);
  EXPECT_EQ(c.clear.mt, 649);
  EXPECT_EQ(c.clear.pt, 629);
  EXPECT_EQ(c.clear.ml, 360);
  EXPECT_EQ(c.clear.frag, 814);
  EXPECT_EQ(c.identity.idtp, 201428);
  EXPECT_EQ(c.identity.idfn, 135463);
  EXPECT_EQ(c.identity.idfp, 27440);
  EXPECT_EQ(c.res_dets, 228868);
  EXPECT_EQ(c.gt_dets, 336891);
}

}  // namespace
}  // namespace picket::eval

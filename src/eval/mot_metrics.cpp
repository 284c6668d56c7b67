#include "picket/eval/mot_metrics.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace picket::eval {

MotScores score_mot(const MotSequence& seq, double threshold) {
  MotScores s;
  s.name = seq.name;
  s.threshold = threshold;
  s.clear = clear_mot(seq, threshold);
  s.identity = identity_scores(seq, threshold);
  s.hota = hota(seq);
  s.gt_dets = seq.num_gt_dets;
  s.res_dets = seq.num_res_dets;
  s.gt_ids = seq.num_gt_ids;
  s.res_ids = seq.num_res_ids;
  s.removed_gt = seq.removed_gt;
  s.removed_res = seq.removed_res;
  return s;
}

MotScores combine(std::span<const MotScores> parts, std::string name) {
  MotScores s;
  s.name = std::move(name);
  std::vector<Hota> h;
  for (const auto& p : parts) {
    s.threshold = p.threshold;
    s.clear += p.clear;
    s.identity += p.identity;
    h.push_back(p.hota);
    s.gt_dets += p.gt_dets;
    s.res_dets += p.res_dets;
    s.gt_ids += p.gt_ids;
    s.res_ids += p.res_ids;
    s.removed_gt += p.removed_gt;
    s.removed_res += p.removed_res;
  }
  s.hota = combine(h);
  return s;
}

std::string to_json(const MotScores& s, int indent) {
  using json = nlohmann::ordered_json;
  json j;
  if (!s.name.empty()) j["sequence"] = s.name;
  j["iou_threshold"] = s.threshold;
  j["HOTA"] = s.hota.hota();
  j["DetA"] = s.hota.det_a();
  j["AssA"] = s.hota.ass_a_mean();
  j["LocA"] = s.hota.loc_a_mean();
  j["MOTA"] = s.clear.mota();
  j["MOTP"] = s.clear.motp();
  j["IDF1"] = s.identity.idf1();
  j["IDP"] = s.identity.idp();
  j["IDR"] = s.identity.idr();
  j["recall"] = s.clear.recall();
  j["precision"] = s.clear.precision();
  j["MODA"] = s.clear.moda();
  j["sMOTA"] = s.clear.smota();
  j["DetRe"] = s.hota.det_re();
  j["DetPr"] = s.hota.det_pr();
  j["AssRe"] = s.hota.ass_re_mean();
  j["AssPr"] = s.hota.ass_pr_mean();
  j["HOTA(0)"] = s.hota.hota(0);
  j["LocA(0)"] = s.hota.loc_a[0];
  j["counts"] = {{"TP", s.clear.tp},
                 {"FP", s.clear.fp},
                 {"FN", s.clear.fn},
                 {"IDSW", s.clear.idsw},
                 {"Frag", s.clear.frag},
                 {"MT", s.clear.mt},
                 {"PT", s.clear.pt},
                 {"ML", s.clear.ml},
                 {"IDTP", s.identity.idtp},
                 {"IDFP", s.identity.idfp},
                 {"IDFN", s.identity.idfn},
                 {"frames", s.clear.frames},
                 {"gt_boxes", s.gt_dets},
                 {"result_boxes", s.res_dets},
                 {"gt_ids", s.gt_ids},
                 {"result_ids", s.res_ids},
                 {"gt_boxes_removed", s.removed_gt},
                 {"result_boxes_removed", s.removed_res}};
  json alphas = json::array(), h = json::array(), d = json::array(), a = json::array(),
       l = json::array();
  for (int k = 0; k < Hota::kAlphas; ++k) {
    alphas.push_back(Hota::alpha(k));
    h.push_back(s.hota.hota(k));
    d.push_back(s.hota.det_a(k));
    a.push_back(s.hota.ass_a[static_cast<size_t>(k)]);
    l.push_back(s.hota.loc_a[static_cast<size_t>(k)]);
  }
  j["per_alpha"] = {{"alpha", alphas}, {"HOTA", h}, {"DetA", d}, {"AssA", a}, {"LocA", l}};
  return j.dump(indent);
}

}  // namespace picket::eval

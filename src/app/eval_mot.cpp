// The mot mode of picket eval: `picket eval --mot GT.txt RES.txt [--iou T] [--seqinfo INI]
// [--mot-preprocess auto|none|mot15|mot17|mot20] [--plot CURVES.svg]`. Scores MOTChallenge
// results against ground truth (CLEAR MOT, IDF1, HOTA: src/eval) and prints one JSON object on
// standard output and a one-line summary on standard error.
#include <fmt/format.h>

#include <fstream>

#include "commands.h"
#include "eval_modes.h"
#include "picket/eval/mot_metrics.h"
#include "picket/formats/mot.h"

namespace picket::app {

namespace {

// HOTA, DetA, AssA and LocA against alpha, as a small stand-alone SVG.
std::string hota_svg(const eval::MotScores& s) {
  const double W = 640, H = 420, L = 60, R = 130, T = 30, B = 50;
  auto px = [&](double a) { return L + a * (W - L - R); };
  auto py = [&](double v) { return H - B - v * (H - T - B); };
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n",
      W, H);
  out += fmt::format(
      "<text x=\"{}\" y=\"18\" font-size=\"14\">{}HOTA {:.3f}, MOTA {:.3f}, IDF1 "
      "{:.3f}</text>\n",
      L, s.name.empty() ? "" : s.name + ": ", s.hota.hota(), s.clear.mota(), s.identity.idf1());
  for (int i = 0; i <= 10; ++i) {
    const double v = i / 10.0;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:.1f}</text>\n",
        px(0), py(v), px(1), L - 6, py(v) + 4, v);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{:.1f}</text>\n",
                       px(v), H - B + 18, v);
  }
  out += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">alpha (IoU "
      "threshold)</text>\n",
      px(0.5), H - 12);
  struct Curve {
    const char* name;
    const char* colour;
    double (*value)(const eval::MotScores&, int);
  };
  const Curve curves[] = {
      {"HOTA", "#d62728", [](const eval::MotScores& m, int a) { return m.hota.hota(a); }},
      {"DetA", "#1f77b4", [](const eval::MotScores& m, int a) { return m.hota.det_a(a); }},
      {"AssA", "#2ca02c",
       [](const eval::MotScores& m, int a) { return m.hota.ass_a[static_cast<size_t>(a)]; }},
      {"LocA", "#9467bd",
       [](const eval::MotScores& m, int a) { return m.hota.loc_a[static_cast<size_t>(a)]; }},
  };
  int row = 0;
  for (const auto& c : curves) {
    std::string pts;
    for (int a = 0; a < eval::Hota::kAlphas; ++a)
      pts += fmt::format("{:.1f},{:.1f} ", px(eval::Hota::alpha(a)), py(c.value(s, a)));
    out += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>\n",
                       c.colour, pts);
    const double ly = T + 20 + 20 * row++;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"{3}\" "
        "stroke-width=\"2\"/><text x=\"{4:.1f}\" y=\"{5:.1f}\">{6}</text>\n",
        W - R + 15, ly, W - R + 40, c.colour, W - R + 46, ly + 4, c.name);
  }
  out += "</svg>\n";
  return out;
}

}  // namespace

int run_mot_eval(const EvalOptions& o) {
  if (o.mot.size() != 2) {
    fmt::print(stderr, "picket eval: --mot needs GT.txt and RES.txt\n");
    return kExitUsage;
  }
  const std::string& gt_path = o.mot[0];
  const std::string& res_path = o.mot[1];
  if (!o.plot.empty() && !o.plot.ends_with(".svg")) {
    fmt::print(stderr, "picket eval: the --mot plot is drawn as SVG; give a file ending in .svg\n");
    return kExitUsage;
  }
  auto gt = formats::read_mot_file(gt_path);
  if (!gt) {
    fmt::print(stderr, "picket eval: {}\n", gt.error().message());
    return kExitUsage;
  }
  auto res = formats::read_mot_file(res_path);
  if (!res) {
    fmt::print(stderr, "picket eval: {}\n", res.error().message());
    return kExitUsage;
  }
  eval::MotPrepareOptions po;
  if (o.mot_preprocess == "auto") {
    po.preprocess = eval::detect_mot_preprocess(*gt);
  } else {
    auto p = eval::parse_mot_preprocess(o.mot_preprocess);
    if (!p) {
      fmt::print(stderr, "picket eval: --mot-preprocess: {}\n", p.error().message());
      return kExitUsage;
    }
    po.preprocess = *p;
  }
  std::string name;
  if (!o.mot_seqinfo.empty()) {
    auto info = formats::read_seqinfo(o.mot_seqinfo);
    if (!info) {
      fmt::print(stderr, "picket eval: {}\n", info.error().message());
      return kExitUsage;
    }
    po.num_frames = info->length;
    name = info->name;
  }
  auto seq = eval::prepare_mot_sequence(*gt, *res, po, name);
  if (!seq) {
    fmt::print(stderr, "picket eval: {} against {}: {}\n", res_path, gt_path,
               seq.error().message());
    return kExitUsage;
  }
  const auto scores = eval::score_mot(*seq, o.iou);
  fmt::print("{}\n", eval::to_json(scores));
  fmt::print(stderr,
             "{} frames, {} ground-truth boxes ({} ids), {} result boxes ({} ids), preprocessing "
             "{}: HOTA {:.3f}  MOTA {:.3f}  IDF1 {:.3f}  MOTP {:.3f}\n",
             scores.clear.frames, scores.gt_dets, scores.gt_ids, scores.res_dets, scores.res_ids,
             eval::to_string(po.preprocess), scores.hota.hota(), scores.clear.mota(),
             scores.identity.idf1(), scores.clear.motp());
  if (!o.plot.empty()) {
    std::ofstream out(o.plot);
    out << hota_svg(scores);
    out.close();
    if (!out) {
      fmt::print(stderr, "picket eval: cannot write {}\n", o.plot);
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace picket::app

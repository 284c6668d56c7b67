#include "picket/eval/track_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_map>

namespace picket::eval {

namespace {

struct TruthTrackState {
  std::optional<std::uint64_t> last_track;
  bool tracked_prev = false;
  bool ever = false;
  double first_t = 0;
  double confirm_t = 0;
};

}  // namespace

TrackEvalResult evaluate_tracks(std::vector<TruthSample> truth, std::vector<TrackState> updates,
                                const TrackEvalOptions& o) {
  TrackEvalResult r;
  std::stable_sort(truth.begin(), truth.end(),
                   [](const TruthSample& a, const TruthSample& b) { return a.t < b.t; });
  std::stable_sort(updates.begin(), updates.end(),
                   [](const TrackState& a, const TrackState& b) { return a.t < b.t; });
  std::unordered_map<std::uint64_t, const TrackState*> live;
  std::map<std::string, TruthTrackState> targets;
  std::set<std::uint64_t> seen_tracks;
  std::size_t u = 0;
  PointSet xs, ys;
  std::vector<std::uint64_t> est_ids;
  std::vector<const TrackState*> est;
  std::vector<char> assigned;
  for (std::size_t a = 0; a < truth.size();) {
    const double t = truth[a].t;
    std::size_t b = a;
    while (b < truth.size() && truth[b].t <= t + o.time_tolerance_s)
      ++b;
    while (u < updates.size() && updates[u].t <= t + o.time_tolerance_s) {
      const TrackState& s = updates[u++];
      if (s.status == TrackStatus::deleted) {
        live.erase(s.id);
      } else {
        live[s.id] = &s;
      }
    }
    // estimates
    est.clear();
    for (const auto& [id, s] : live) {
      if (s->status == TrackStatus::tentative && !o.include_tentative) continue;
      if (t - s->t > o.max_age_s) continue;
      est.push_back(s);
    }
    std::sort(est.begin(), est.end(),
              [](const TrackState* x, const TrackState* y) { return x->id < y->id; });
    ys.points.clear();
    ys.use_up.clear();
    for (const auto* s : est) {
      const double dt = std::max(0.0, t - s->t);
      ys.points.push_back(s->position + dt * s->velocity);
      seen_tracks.insert(s->id);
    }
    xs.points.clear();
    xs.use_up.clear();
    for (std::size_t i = a; i < b; ++i) {
      const auto& s = truth[i];
      xs.points.emplace_back(s.east, s.north, s.up.value_or(0));
      xs.use_up.push_back(s.up.has_value());
      auto [it, fresh] = targets.try_emplace(s.id);
      if (fresh) it->second.first_t = s.t;
    }
    const GospaResult g = gospa(xs, ys, o.c, o.p);
    StepMetrics m;
    m.t = t;
    m.truths = static_cast<int>(b - a);
    m.estimates = static_cast<int>(ys.points.size());
    m.gospa = g.distance;
    m.localisation = g.localisation;
    m.missed = g.missed;
    m.false_ = g.false_;
    m.ospa = ospa(xs, ys, o.c, o.p);
    r.steps.push_back(m);
    // identity
    assigned.assign(b - a, 0);
    for (const auto& [i, j] : g.pairs) {
      assigned[static_cast<size_t>(i)] = 1;
      auto& st = targets[truth[a + static_cast<size_t>(i)].id];
      const std::uint64_t tid = est[static_cast<size_t>(j)]->id;
      if (st.last_track && *st.last_track != tid) ++r.identity_switches;
      if (st.ever && !st.tracked_prev) ++r.fragmentations;
      if (!st.ever) st.confirm_t = t;
      st.ever = true;
      st.tracked_prev = true;
      st.last_track = tid;
    }
    for (std::size_t i = 0; i < b - a; ++i) {
      if (!assigned[i]) targets[truth[a + i].id].tracked_prev = false;
    }
    a = b;
  }
  const double n = std::max<double>(1, static_cast<double>(r.steps.size()));
  for (const auto& m : r.steps) {
    r.mean_gospa += m.gospa / n;
    r.mean_localisation += m.localisation / n;
    r.mean_missed += m.missed / n;
    r.mean_false += m.false_ / n;
    r.mean_ospa += m.ospa / n;
  }
  r.targets = static_cast<int>(targets.size());
  double sum = 0;
  for (const auto& [id, st] : targets) {
    if (!st.ever) continue;
    ++r.targets_tracked;
    sum += st.confirm_t - st.first_t;
    r.max_time_to_confirm_s = std::max(r.max_time_to_confirm_s, st.confirm_t - st.first_t);
  }
  r.mean_time_to_confirm_s = r.targets_tracked ? sum / r.targets_tracked : 0;
  r.tracks = static_cast<int>(seen_tracks.size());
  return r;
}

std::string to_json(const TrackEvalResult& r, const TrackEvalOptions& o, bool steps) {
  using json = nlohmann::ordered_json;
  json j;
  j["parameters"] = {{"c", o.c},
                     {"p", o.p},
                     {"alpha", 2},
                     {"max_age_s", o.max_age_s},
                     {"include_tentative", o.include_tentative}};
  j["time_steps"] = r.steps.size();
  j["gospa"] = {{"mean", r.mean_gospa},
                {"localisation", r.mean_localisation},
                {"missed", r.mean_missed},
                {"false", r.mean_false}};
  j["ospa"] = {{"mean", r.mean_ospa}};
  j["identity_switches"] = r.identity_switches;
  j["fragmentations"] = r.fragmentations;
  j["targets"] = r.targets;
  j["targets_tracked"] = r.targets_tracked;
  j["tracks"] = r.tracks;
  j["time_to_confirm_s"] = {{"mean", r.mean_time_to_confirm_s}, {"max", r.max_time_to_confirm_s}};
  if (steps) {
    json a = json::array();
    for (const auto& m : r.steps) {
      a.push_back({{"t", m.t},
                   {"truths", m.truths},
                   {"estimates", m.estimates},
                   {"gospa", m.gospa},
                   {"localisation", m.localisation},
                   {"missed", m.missed},
                   {"false", m.false_},
                   {"ospa", m.ospa}});
    }
    j["steps"] = std::move(a);
  }
  return j.dump(2);
}

std::string to_svg(const TrackEvalResult& r, const TrackEvalOptions& o, const std::string& title) {
  const double W = 900, H = 420, left = 70, right = 150, top = 40, bottom = 50;
  const double pw = W - left - right, ph = H - top - bottom;
  double t0 = 0, t1 = 1, ymax = 1;
  if (!r.steps.empty()) {
    t0 = r.steps.front().t;
    t1 = std::max(r.steps.back().t, t0 + 1e-9);
    for (const auto& m : r.steps)
      ymax = std::max({ymax, m.gospa, m.ospa});
  }
  // a round upper bound for the axis
  const double mag = std::pow(10.0, std::floor(std::log10(ymax)));
  double ytop = mag;
  for (double f : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    ytop = f * mag;
    if (ytop >= ymax) break;
  }
  auto X = [&](double t) { return left + (t - t0) / (t1 - t0) * pw; };
  auto Y = [&](double v) { return top + ph - v / ytop * ph; };
  std::string s;
  s += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
      "fill=\"white\"/>\n",
      W, H);
  std::string esc;
  for (char ch : title) {
    if (ch == '<') {
      esc += "&lt;";
    } else if (ch == '&') {
      esc += "&amp;";
    } else if (ch == '>') {
      esc += "&gt;";
    } else {
      esc += ch;
    }
  }
  s += fmt::format("<text x=\"{}\" y=\"22\" font-size=\"14\">{} (c = {} m, p = {})</text>\n", left,
                   esc, o.c, o.p);
  // axes and grid
  for (int k = 0; k <= 5; ++k) {
    const double v = ytop * k / 5, y = Y(v);
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:g}</text>\n",
        left, y, left + pw, y, left - 6, y + 4, v);
  }
  for (int k = 0; k <= 5; ++k) {
    const double t = t0 + (t1 - t0) * k / 5, x = X(t);
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{:.1f}</text>\n",
        x, top, x, top + ph, x, top + ph + 18, t - t0);
  }
  s += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>\n"
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">time since the first step, s</text>\n",
      left, top, pw, ph, left + pw / 2, H - 12);
  struct Series {
    const char* name;
    const char* colour;
    double StepMetrics::*field;
  };
  const Series series[] = {{"GOSPA", "#000000", &StepMetrics::gospa},
                           {"localisation", "#1f77b4", &StepMetrics::localisation},
                           {"missed", "#d62728", &StepMetrics::missed},
                           {"false", "#ff7f0e", &StepMetrics::false_},
                           {"OSPA", "#2ca02c", &StepMetrics::ospa}};
  int row = 0;
  for (const auto& ser : series) {
    std::string pts;
    for (const auto& m : r.steps)
      pts += fmt::format("{:.1f},{:.1f} ", X(m.t), Y(m.*(ser.field)));
    s += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>\n",
                     ser.colour, pts);
    const double ly = top + 14 + 18 * row++;
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"2\"/><text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
        left + pw + 12, ly, left + pw + 36, ly, ser.colour, left + pw + 42, ly + 4, ser.name);
  }
  s += "</svg>\n";
  return s;
}

}  // namespace picket::eval

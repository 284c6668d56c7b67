#include "picket/eval/alarm_score.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace picket::eval {

namespace {

// An alarm's history as the scorer needs it: its snapshots in the order of the file.
struct Snapshot {
  double t;
  AlarmPriority priority;
  double score;
  double east, north;
  int segment;
};

struct AlarmHistory {
  std::uint64_t id = 0;
  AlarmKind kind = AlarmKind::fence_crossing;
  std::string rule, fence, zone;
  std::vector<Snapshot> snaps;
};

// When (and where) the alarm first met the priority and score; nothing if never.
std::optional<Snapshot> qualifies(const AlarmHistory& h, AlarmPriority min_priority,
                                  double min_score) {
  if (!is_intrusion_kind(h.kind)) return std::nullopt;
  for (const auto& s : h.snaps) {
    if (s.priority >= min_priority && s.score >= min_score - 1e-12) return s;
  }
  return std::nullopt;
}

bool is_intrusion(const TruthEvent& e, const AlarmScoreOptions& o,
                  const std::set<std::string>& zones) {
  if (!((o.intruder_classes >> static_cast<unsigned>(e.cls)) & 1u)) return false;
  if (e.event == TruthEventKind::fence_crossing) {
    return !e.direction || *e.direction == CrossingDirection::inward;
  }
  if (e.event == TruthEventKind::zone_entry) return zones.count(e.zone) > 0;
  return false;
}

// Does an alarm (as qualified) report this truth event?
bool matches(const AlarmHistory& h, const Snapshot& s, const TruthEvent& e,
             const AlarmScoreOptions& o) {
  if (s.t < e.t - o.before_s || s.t > e.t + o.after_s) return false;
  if (std::hypot(s.east - e.east, s.north - e.north) <= o.distance_m) return true;
  if (e.event == TruthEventKind::fence_crossing && !h.fence.empty() && h.fence == e.fence &&
      s.segment != 0 && std::abs(s.segment - e.segment) <= 1) {
    return true;
  }
  if (e.event == TruthEventKind::zone_entry && !h.zone.empty() && h.zone == e.zone) return true;
  return false;
}

struct Evaluation {
  std::vector<IntrusionResult> intrusions;
  std::vector<ScoredAlarm> alarms;
  int detected = 0;
  int detections = 0, nuisance = 0, false_alarms = 0;
  std::vector<double> tta;  // sorted
};

Evaluation evaluate(const std::vector<TruthEvent>& events, const std::vector<bool>& intrusion,
                    const std::vector<AlarmHistory>& histories, const AlarmScoreOptions& o,
                    double threshold) {
  Evaluation ev;
  std::set<std::string> intruders;
  for (size_t i = 0; i < events.size(); ++i)
    if (intrusion[i]) intruders.insert(events[i].id);
  struct Q {
    const AlarmHistory* h;
    Snapshot s;
  };
  std::vector<Q> q;
  for (const auto& h : histories) {
    if (auto s = qualifies(h, o.min_priority, threshold)) q.push_back({&h, *s});
  }
  std::sort(q.begin(), q.end(), [](const Q& a, const Q& b) {
    return a.s.t != b.s.t ? a.s.t < b.s.t : a.h->id < b.h->id;
  });
  for (size_t i = 0; i < events.size(); ++i) {
    if (!intrusion[i]) continue;
    IntrusionResult r;
    r.event = events[i];
    for (const auto& c : q) {  // time order: the first match is the earliest
      if (matches(*c.h, c.s, events[i], o)) {
        r.detected = true;
        r.alarm = c.h->id;
        r.time_to_alarm_s = c.s.t - events[i].t;
        break;
      }
    }
    if (r.detected) {
      ++ev.detected;
      ev.tta.push_back(r.time_to_alarm_s);
    }
    ev.intrusions.push_back(std::move(r));
  }
  std::sort(ev.tta.begin(), ev.tta.end());
  for (const auto& c : q) {
    ScoredAlarm a;
    a.id = c.h->id;
    a.kind = c.h->kind;
    a.rule = c.h->rule;
    a.t = c.s.t;
    a.east = c.s.east;
    a.north = c.s.north;
    a.fence = c.h->fence;
    a.zone = c.h->zone;
    a.segment = c.s.segment;
    a.verdict = AlarmVerdict::false_alarm;
    for (size_t i = 0; i < events.size(); ++i) {
      if (!matches(*c.h, c.s, events[i], o)) {
        // Near an intruder's event within the attribution time: caused by the intruder.
        const TruthEvent& e = events[i];
        if (intruders.count(e.id) && std::abs(c.s.t - e.t) <= o.attribution_s &&
            std::hypot(c.s.east - e.east, c.s.north - e.north) <= o.distance_m) {
          a.verdict = AlarmVerdict::detection;
          a.cause = fmt::format("{} near its {} ({})", e.id, to_string(e.event), to_string(e.cls));
          break;
        }
        continue;
      }
      // Caused by an intruder (an intrusion, or another event of a mover who intrudes: the
      // vehicle speeding towards the gate it will crash) is a true alarm.
      const bool intr = intrusion[i] || intruders.count(events[i].id) > 0;
      if (intr || a.verdict == AlarmVerdict::false_alarm) {
        a.verdict = intr ? AlarmVerdict::detection : AlarmVerdict::nuisance;
        a.cause = fmt::format("{} {} ({})", events[i].id, to_string(events[i].event),
                              to_string(events[i].cls));
      }
      if (intr) break;
    }
    switch (a.verdict) {
      case AlarmVerdict::detection:
        ++ev.detections;
        break;
      case AlarmVerdict::nuisance:
        ++ev.nuisance;
        break;
      case AlarmVerdict::false_alarm:
        ++ev.false_alarms;
        break;
    }
    ev.alarms.push_back(std::move(a));
  }
  return ev;
}

double log_binomial_pmf(int k, int n, double p) {
  if (p <= 0) return k == 0 ? 0 : -INFINITY;
  if (p >= 1) return k == n ? 0 : -INFINITY;
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p) +
         (n - k) * std::log1p(-p);
}

// P(X >= k) for X ~ Binomial(n, p).
double binomial_upper_tail(int k, int n, double p) {
  double sum = 0;
  for (int i = k; i <= n; ++i)
    sum += std::exp(log_binomial_pmf(i, n, p));
  return std::min(1.0, sum);
}

}  // namespace

std::string_view to_string(AlarmVerdict v) {
  switch (v) {
    case AlarmVerdict::detection:
      return "detection";
    case AlarmVerdict::nuisance:
      return "nuisance";
    case AlarmVerdict::false_alarm:
      return "false";
  }
  return "false";
}

double clopper_pearson_lower(int successes, int trials, double confidence) {
  if (trials <= 0 || successes <= 0) return 0;
  const double alpha = 1 - confidence;
  // The p at which seeing `successes` or more has probability alpha; the tail grows with p.
  double lo = 0;
  double hi = static_cast<double>(successes) / trials;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    if (binomial_upper_tail(successes, trials, mid) < alpha) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}

double quantile_sorted(const std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const double h = (static_cast<double>(v.size()) - 1) * q;
  const auto lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

AlarmScore score_alarms(const std::vector<TruthEvent>& events,
                        const std::vector<AlarmEvent>& alarm_events, const Site* site,
                        const AlarmScoreOptions& options) {
  AlarmScore out;
  out.options = options;
  // Protected zones: given, or those the site's zone_entry rules watch.
  std::set<std::string> zones(options.protected_zones.begin(), options.protected_zones.end());
  if (zones.empty() && site) {
    if (auto it = site->sections.find("rules"); it != site->sections.end()) {
      const YAML::Node& rules = it->second.yaml();
      if (rules.IsSequence()) {
        for (const auto& r : rules) {
          if (r.IsMap() && r["type"] && r["type"].as<std::string>("") == "zone_entry" &&
              r["zone"]) {
            zones.insert(r["zone"].as<std::string>(""));
          }
        }
      }
    }
  }
  out.options.protected_zones.assign(zones.begin(), zones.end());
  std::vector<bool> intrusion(events.size());
  for (size_t i = 0; i < events.size(); ++i)
    intrusion[i] = is_intrusion(events[i], options, zones);

  // Alarm histories, in order of first appearance.
  std::vector<AlarmHistory> histories;
  std::map<std::uint64_t, size_t> by_id;
  double t_min = INFINITY;
  double t_max = -INFINITY;
  for (const auto& e : alarm_events) {
    auto [it, inserted] = by_id.emplace(e.alarm.id, histories.size());
    if (inserted) {
      AlarmHistory h;
      h.id = e.alarm.id;
      h.kind = e.alarm.kind;
      h.rule = e.alarm.rule;
      h.fence = e.alarm.fence;
      h.zone = e.alarm.zone;
      histories.push_back(std::move(h));
    }
    histories[it->second].snaps.push_back(
        {e.t, e.alarm.priority, e.alarm.score, e.alarm.east, e.alarm.north, e.alarm.segment});
    t_min = std::min(t_min, e.t);
    t_max = std::max(t_max, e.t);
  }
  for (const auto& e : events) {
    t_min = std::min(t_min, e.t);
    t_max = std::max(t_max, e.t);
  }
  if (options.duration_s) {
    out.duration_s = *options.duration_s;
    out.duration_from = "option";
  } else {
    out.duration_s = std::isfinite(t_min) ? std::max(1.0, t_max - t_min) : 1.0;
    out.duration_from = "data";
  }
  const double days = out.duration_s / 86400.0;

  Evaluation ev = evaluate(events, intrusion, histories, options, options.min_score);
  out.intrusions = std::move(ev.intrusions);
  out.detected = ev.detected;
  const int n = static_cast<int>(out.intrusions.size());
  out.pd = n ? static_cast<double>(out.detected) / n : 0;
  out.pd_lower95 = clopper_pearson_lower(out.detected, n, 0.95);
  std::map<std::string, bool> movers;
  for (const auto& r : out.intrusions)
    movers[r.event.id] = movers[r.event.id] || r.detected;
  out.intruders = static_cast<int>(movers.size());
  for (const auto& [id, det] : movers)
    out.intruders_detected += det ? 1 : 0;
  if (!ev.tta.empty()) {
    out.tta_median_s = quantile_sorted(ev.tta, 0.5);
    out.tta_p95_s = quantile_sorted(ev.tta, 0.95);
    out.tta_max_s = ev.tta.back();
  }
  out.alarms = std::move(ev.alarms);
  out.detections = ev.detections;
  out.nuisance = ev.nuisance;
  out.false_alarms = ev.false_alarms;
  out.false_per_day = out.false_alarms / days;
  out.nuisance_per_day = out.nuisance / days;
  // Unwanted alarms that ever reached high priority (what an operator must rush to).
  for (const auto& a : out.alarms) {
    if (a.verdict == AlarmVerdict::detection) continue;
    const auto& h = histories[by_id.at(a.id)];
    const bool high = std::any_of(h.snaps.begin(), h.snaps.end(), [](const Snapshot& sn) {
      return sn.priority >= AlarmPriority::high;
    });
    if (!high) continue;
    if (a.verdict == AlarmVerdict::nuisance) {
      ++out.high_priority_nuisance;
    } else {
      ++out.high_priority_false;
    }
  }

  if (site) {
    int fence_false = 0;
    int fence_nuisance = 0;
    for (const auto& f : site->fences) {
      RateBucket b;
      b.id = f.id;
      b.size = f.length() / 1000.0;
      for (const auto& a : out.alarms) {
        if (a.fence != f.id) continue;
        b.false_alarms += a.verdict == AlarmVerdict::false_alarm;
        b.nuisance_alarms += a.verdict == AlarmVerdict::nuisance;
      }
      b.false_per_day = b.size > 0 ? b.false_alarms / b.size / days : 0;
      b.nuisance_per_day = b.size > 0 ? b.nuisance_alarms / b.size / days : 0;
      out.fence_km += b.size;
      fence_false += b.false_alarms;
      fence_nuisance += b.nuisance_alarms;
      out.per_fence.push_back(b);
    }
    if (out.fence_km > 0) {
      out.false_per_km_day = fence_false / out.fence_km / days;
      out.nuisance_per_km_day = fence_nuisance / out.fence_km / days;
    }
    for (const auto& z : site->zones) {
      RateBucket b;
      b.id = z.id;
      b.size = z.polygon.area() / 1e6;
      for (const auto& a : out.alarms) {
        if (a.zone != z.id && !z.polygon.contains(Vec2(a.east, a.north))) continue;
        b.false_alarms += a.verdict == AlarmVerdict::false_alarm;
        b.nuisance_alarms += a.verdict == AlarmVerdict::nuisance;
      }
      b.false_per_day = b.false_alarms / days;
      b.nuisance_per_day = b.nuisance_alarms / days;
      out.per_zone.push_back(b);
    }
  }

  const int steps = std::max(1, options.sweep_steps);
  for (int k = 0; k <= steps; ++k) {
    const double th = static_cast<double>(k) / steps;
    Evaluation e = evaluate(events, intrusion, histories, options, th);
    SweepPoint p;
    p.threshold = th;
    p.pd = n ? static_cast<double>(e.detected) / n : 0;
    p.false_per_day = e.false_alarms / days;
    p.nuisance_per_day = e.nuisance / days;
    p.unwanted_per_day = p.false_per_day + p.nuisance_per_day;
    if (!e.tta.empty()) p.tta_median_s = quantile_sorted(e.tta, 0.5);
    out.sweep.push_back(p);
  }
  return out;
}

std::string to_json(const AlarmScore& s, int indent) {
  using J = nlohmann::ordered_json;
  auto opt = [](const std::optional<double>& v) { return v ? J(*v) : J(nullptr); };
  J j;
  J o;
  o["before_s"] = s.options.before_s;
  o["after_s"] = s.options.after_s;
  o["distance_m"] = s.options.distance_m;
  o["attribution_s"] = s.options.attribution_s;
  o["min_priority"] = to_string(s.options.min_priority);
  o["min_score"] = s.options.min_score;
  J classes = J::array();
  for (int c = 0; c < kNumClasses; ++c)
    if ((s.options.intruder_classes >> c) & 1u)
      classes.push_back(to_string(static_cast<TargetClass>(c)));
  o["intruder_classes"] = classes;
  o["protected_zones"] = s.options.protected_zones;
  j["options"] = o;
  j["duration_s"] = s.duration_s;
  j["duration_from"] = s.duration_from;
  J d;
  d["intrusions"] = s.intrusions.size();
  d["detected"] = s.detected;
  d["pd"] = s.pd;
  d["pd_lower95"] = s.pd_lower95;
  d["intruders"] = s.intruders;
  d["intruders_detected"] = s.intruders_detected;
  d["time_to_alarm_s"] = {
      {"median", opt(s.tta_median_s)}, {"p95", opt(s.tta_p95_s)}, {"max", opt(s.tta_max_s)}};
  j["detection"] = d;
  J u;
  u["alarms"] = s.alarms.size();
  u["detections"] = s.detections;
  u["nuisance"] = s.nuisance;
  u["false"] = s.false_alarms;
  u["nuisance_per_day"] = s.nuisance_per_day;
  u["false_per_day"] = s.false_per_day;
  u["high_priority_nuisance"] = s.high_priority_nuisance;
  u["high_priority_false"] = s.high_priority_false;
  if (s.fence_km > 0) {
    u["fence_km"] = s.fence_km;
    u["nuisance_per_km_day"] = s.nuisance_per_km_day;
    u["false_per_km_day"] = s.false_per_km_day;
  }
  j["unwanted"] = u;
  auto buckets = [](const std::vector<RateBucket>& bs, const char* size_key) {
    J arr = J::array();
    for (const auto& b : bs) {
      J x;
      x["id"] = b.id;
      x[size_key] = b.size;
      x["false"] = b.false_alarms;
      x["nuisance"] = b.nuisance_alarms;
      x["false_per_day"] = b.false_per_day;
      x["nuisance_per_day"] = b.nuisance_per_day;
      arr.push_back(x);
    }
    return arr;
  };
  if (!s.per_fence.empty()) j["per_fence"] = buckets(s.per_fence, "km");
  if (!s.per_zone.empty()) j["per_zone"] = buckets(s.per_zone, "km2");
  J intr = J::array();
  for (const auto& r : s.intrusions) {
    J x;
    x["t"] = r.event.t;
    x["id"] = r.event.id;
    x["event"] = to_string(r.event.event);
    if (r.event.event == TruthEventKind::fence_crossing) {
      x["fence"] = r.event.fence;
      x["segment"] = r.event.segment;
    } else {
      x["zone"] = r.event.zone;
    }
    x["class"] = to_string(r.event.cls);
    x["detected"] = r.detected;
    if (r.detected) {
      x["alarm"] = r.alarm;
      x["time_to_alarm_s"] = r.time_to_alarm_s;
    }
    intr.push_back(x);
  }
  j["intrusions"] = intr;
  J al = J::array();
  for (const auto& a : s.alarms) {
    J x;
    x["alarm"] = a.id;
    x["t"] = a.t;
    x["kind"] = to_string(a.kind);
    x["rule"] = a.rule;
    x["verdict"] = to_string(a.verdict);
    if (!a.cause.empty()) x["cause"] = a.cause;
    al.push_back(x);
  }
  j["alarms"] = al;
  J sw = J::array();
  for (const auto& p : s.sweep) {
    J x;
    x["threshold"] = p.threshold;
    x["pd"] = p.pd;
    x["unwanted_per_day"] = p.unwanted_per_day;
    x["false_per_day"] = p.false_per_day;
    x["nuisance_per_day"] = p.nuisance_per_day;
    x["tta_median_s"] = opt(p.tta_median_s);
    sw.push_back(x);
  }
  j["sweep"] = sw;
  return j.dump(indent);
}

std::string sweep_svg(const AlarmScore& s) {
  const double w = 640;
  const double h = 440;
  const double left = 70;
  const double right = 30;
  const double top = 40;
  const double bottom = 60;
  double xmax = 0;
  for (const auto& p : s.sweep)
    xmax = std::max(xmax, p.unwanted_per_day);
  // A round axis end: 1, 2 or 5 times a power of ten.
  double nice = 1;
  if (xmax > 0) {
    const double e = std::pow(10.0, std::floor(std::log10(xmax)));
    nice = xmax <= e ? e : xmax <= 2 * e ? 2 * e : xmax <= 5 * e ? 5 * e : 10 * e;
  }
  auto X = [&](double v) { return left + (w - left - right) * v / nice; };
  auto Y = [&](double v) { return h - bottom - (h - top - bottom) * v; };
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"24\" font-size=\"15\">Detection probability against unwanted alarms "
      "(confirmation threshold swept)</text>\n",
      w, h, left);
  // Axes and grid.
  for (int i = 0; i <= 5; ++i) {
    const double v = i / 5.0;
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:.1f}</text>\n",
        left, Y(v), w - right, left - 8, Y(v) + 4, v);
    const double xv = nice * i / 5.0;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4:.3g}</text>\n",
        X(xv), top, h - bottom, h - bottom + 18, xv);
  }
  out += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>\n"
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">unwanted (false + nuisance) alarms per "
      "day</text>\n"
      "<text transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\">probability of "
      "detection</text>\n",
      left, top, w - left - right, h - top - bottom, (left + w - right) / 2, h - 18,
      (top + h - bottom) / 2);
  std::string pts;
  for (const auto& p : s.sweep)
    pts += fmt::format("{:.1f},{:.1f} ", X(p.unwanted_per_day), Y(p.pd));
  out += "<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"" + pts + "\"/>\n";
  for (size_t i = 0; i < s.sweep.size(); ++i) {
    const auto& p = s.sweep[i];
    out += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"#1f5fa8\"><title>"
        "threshold {:.2f}: Pd {:.3f}, {:.3g} unwanted/day</title></circle>\n",
        X(p.unwanted_per_day), Y(p.pd), p.threshold, p.pd, p.unwanted_per_day);
    if (i % 5 == 0) {
      out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#1f5fa8\">{:.2f}</text>\n",
                         X(p.unwanted_per_day) + 6, Y(p.pd) - 6, p.threshold);
    }
  }
  out += "</svg>\n";
  return out;
}

}  // namespace picket::eval

#include "picket/core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace picket {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
  for (size_t i = 0; i <= bounds_.size(); ++i)
    buckets_[i].store(0);
}

void Histogram::observe(double v) {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  buckets_[static_cast<size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

double Histogram::quantile(double q) const {
  const auto c = counts();
  std::uint64_t total = 0;
  for (auto x : c)
    total += x;
  if (total == 0) return 0;
  const double target = q * static_cast<double>(total);
  double cum = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    const double next = cum + static_cast<double>(c[i]);
    if (next >= target && c[i] > 0) {
      const double lo = i == 0 ? 0 : bounds_[i - 1];
      if (i == bounds_.size()) return lo;  // in +Inf: the last finite bound is all we know
      const double hi = bounds_[i];
      return lo + (hi - lo) * (target - cum) / static_cast<double>(c[i]);
    }
    cum = next;
  }
  return bounds_.empty() ? 0 : bounds_.back();
}

namespace {

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first;
    out += "=\"";
    for (char ch : labels[i].second) {
      if (ch == '\\' || ch == '"') out += '\\';
      if (ch == '\n') {
        out += "\\n";
        continue;
      }
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  return fmt::format("{}", v);
}

}  // namespace

Registry::Family& Registry::family(const std::string& name, const std::string& help,
                                   const char* type) {
  auto& f = families_[name];
  if (f.type.empty()) {
    f.help = help;
    f.type = type;
  }
  assert(f.type == type);
  return f;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = family(name, help, "counter").counters[render_labels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = family(name, help, "gauge").gauges[render_labels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const std::vector<double>& bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = family(name, help, "histogram").histograms[render_labels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
    for (const auto& [labels, c] : f.counters)
      out += fmt::format("{}{} {}\n", name, labels, c->value());
    for (const auto& [labels, g] : f.gauges)
      out += fmt::format("{}{} {}\n", name, labels, number(g->value()));
    for (const auto& [labels, h] : f.histograms) {
      const auto counts = h->counts();
      std::uint64_t cum = 0;
      // Insert `le` into the label set.
      const std::string inner = labels.empty() ? "" : labels.substr(1, labels.size() - 2) + ",";
      for (size_t i = 0; i < counts.size(); ++i) {
        cum += counts[i];
        const std::string le = i < h->bounds().size() ? number(h->bounds()[i]) : "+Inf";
        out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, inner, le, cum);
      }
      out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, labels, number(h->sum()), name,
                         labels, h->count());
    }
  }
  return out;
}

std::vector<double> latency_buckets() {
  // Finer between 10 and 100 ms, where the live daemon's 50 ms objective lies.
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035,
          0.04,   0.045,   0.05,   0.075, 0.1,    0.25,  0.5,  1,     2.5,  5,     10};
}

}  // namespace picket

#include <gtest/gtest.h>

#include "picket/core/metrics.h"

namespace picket {
namespace {

TEST(Metrics, RendersPrometheusText) {
  Registry r;
  r.counter("picket_detections_total", "Detections received", {{"sensor", "radar-1"}}).inc(3);
  r.counter("picket_detections_total", "Detections received", {{"sensor", "cam\"1"}}).inc();
  r.gauge("picket_tracks", "Live tracks").set(12);
  auto& h = r.histogram("picket_latency_seconds", "Latency", {0.01, 0.1});
  h.observe(0.005);
  h.observe(0.05);
  h.observe(5);
  const std::string text = r.render();
  EXPECT_NE(text.find("# TYPE picket_detections_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("picket_detections_total{sensor=\"radar-1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("picket_detections_total{sensor=\"cam\\\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("picket_tracks 12\n"), std::string::npos);
  EXPECT_NE(text.find("picket_latency_seconds_bucket{le=\"0.01\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("picket_latency_seconds_bucket{le=\"0.1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("picket_latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("picket_latency_seconds_count 3\n"), std::string::npos);
  // Same name and labels: the same counter.
  EXPECT_EQ(&r.counter("picket_detections_total", "", {{"sensor", "radar-1"}}),
            &r.counter("picket_detections_total", "", {{"sensor", "radar-1"}}));
}

TEST(Metrics, HistogramQuantiles) {
  Histogram h({1, 2, 3, 4});
  for (int i = 0; i < 100; ++i)
    h.observe(0.5 + (i % 4));  // 25 in each bucket
  EXPECT_NEAR(h.quantile(0.5), 2.0, 1e-9);
  EXPECT_NEAR(h.quantile(0.99), 3.96, 1e-9);
}

}  // namespace
}  // namespace picket

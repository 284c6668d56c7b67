#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <thread>

#include "picket/engine/line_input.h"

namespace picket::engine {
namespace {

namespace net = boost::asio;

const char* kSite = R"(name: t
origin: {lat: 52.1, lon: -1.0}
fences:
  - {id: f, points: [[52.1, -1.0], [52.101, -1.0]], inside: left, segment_length: 50}
sensors:
  - {id: r, type: radar, position: {east: 0, north: 0}, range: {max: 1000}, noise: {range: 2, bearing: 0.5}}
  - {id: fs, type: fence, fence: f}
)";

class LineInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = load_site_from_string(kSite, "t.yaml");
    ASSERT_TRUE(s) << s.error().message();
    site_ = std::move(*s);
  }
  std::uint64_t rejected(const char* reason, const std::string& sensor = "") {
    Labels l{{"reason", reason}};
    if (!sensor.empty()) l.emplace_back("sensor", sensor);
    return metrics_.counter("picket_detections_rejected_total", "", l).value();
  }
  Site site_;
  Registry metrics_;
  net::io_context ioc_;
  std::vector<Detection> got_;
};

TEST_F(LineInputTest, ChecksEveryLineAgainstTheSite) {
  LineInput in(ioc_, site_, {}, metrics_, [&](Detection&& d) { got_.push_back(std::move(d)); });
  in.handle_line(R"({"t":1,"sensor":"r","range":100,"bearing":10})", "a", 0);
  in.handle_line(R"({"t":1,"sensor":"ghost","range":100,"bearing":10})", "a", 0);
  in.handle_line(R"({"t":1,"sensor":"fs","segment":3})", "a", 0);
  in.handle_line(R"({"t":1,"sensor":"fs","segment":99})", "a", 0);
  in.handle_line(R"({"t":1,"sensor":"r","segment":1})", "a", 0);
  in.handle_line(R"({"t":1,"sensor":"r","range":1e9,"bearing":1})", "a", 0);
  in.handle_line("garbage", "a", 0);
  in.handle_line(R"({"t":NaN,"sensor":"r","range":1,"bearing":1})", "a", 0);
  ASSERT_EQ(got_.size(), 2u);
  EXPECT_EQ(rejected("unknown_sensor"), 1u);
  EXPECT_EQ(rejected("segment_out_of_range", "fs"), 1u);
  EXPECT_EQ(rejected("segment_from_non_fence_sensor", "r"), 1u);
  EXPECT_EQ(rejected("range_out_of_coverage", "r"), 1u);
  EXPECT_EQ(rejected("malformed"), 2u);
  EXPECT_EQ(metrics_.counter("picket_detections_total", "", {{"sensor", "r"}}).value(), 1u);
}

TEST_F(LineInputTest, AFloodingSenderIsLimitedAndOthersAreNot) {
  LineInputConfig cfg;
  cfg.sender_rate = 100;
  cfg.sender_burst = 10;
  LineInput in(ioc_, site_, cfg, metrics_, [&](Detection&& d) { got_.push_back(std::move(d)); });
  const std::string line = R"({"t":1,"sensor":"r","range":100,"bearing":10})";
  for (int i = 0; i < 1000; ++i)
    in.handle_line(line, "flooder", 5.0);  // all at one instant
  for (int i = 0; i < 5; ++i)
    in.handle_line(line, "honest", 5.0);
  EXPECT_EQ(got_.size(), 15u);
  EXPECT_EQ(rejected("rate_limited"), 990u);
  in.handle_line(line, "flooder", 5.1);  // 0.1 s later: ten more tokens
  EXPECT_EQ(got_.size(), 16u);
}

TEST_F(LineInputTest, UdpAndTcpOnLoopback) {
  LineInputConfig cfg;
  cfg.max_datagram_bytes = 200;
  cfg.max_line_bytes = 200;
  // The loop stops itself once the four good detections have arrived (or after 3 s).
  LineInput in(ioc_, site_, cfg, metrics_, [&](Detection&& d) {
    got_.push_back(std::move(d));
    if (got_.size() == 4) ioc_.stop();
  });
  auto uport = in.listen_udp("127.0.0.1", 0);
  auto tport = in.listen_tcp("127.0.0.1", 0);
  ASSERT_TRUE(uport && tport);
  std::thread loop([&] { ioc_.run_for(std::chrono::seconds(3)); });
  {
    net::io_context io;
    // A connection that never ends its line is cut off (read_some returns when it is closed).
    net::ip::tcp::socket t2(io);
    t2.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), *tport));
    net::write(t2, net::buffer(std::string(1000, 'y')));
    char c;
    boost::system::error_code ec;
    t2.read_some(net::buffer(&c, 1), ec);
    EXPECT_TRUE(ec);
    net::ip::udp::socket u(io, net::ip::udp::endpoint(net::ip::udp::v4(), 0));
    const net::ip::udp::endpoint to(net::ip::make_address("127.0.0.1"), *uport);
    u.send_to(net::buffer(std::string(500, 'x')), to);  // oversized, sent before the good ones
    u.send_to(net::buffer(std::string(R"({"t":1,"sensor":"r","range":100,"bearing":10})"
                                      "\n"
                                      R"({"t":2,"sensor":"r","range":101,"bearing":10})")),
              to);
    net::ip::tcp::socket t(io);
    t.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), *tport));
    net::write(t, net::buffer(std::string(R"({"t":3,"sensor":"fs","segment":1})"
                                          "\n"
                                          R"({"t":4,"sensor":"fs","segme)")));
    net::write(t, net::buffer(std::string(R"(nt":2})"
                                          "\n")));
    t.shutdown(net::ip::tcp::socket::shutdown_send);
    loop.join();
  }
  ASSERT_EQ(got_.size(), 4u);
  EXPECT_EQ(rejected("datagram_too_large"), 1u);
  EXPECT_EQ(rejected("line_too_long"), 1u);
}

}  // namespace
}  // namespace picket::engine

// Network inputs of detection JSON Lines (docs/formats.md): UDP datagrams holding one or more
// lines, and TCP connections streaming lines. Each line is parsed and checked against the site
// (known sensor, segment on its fence); good detections go to the sink, bad ones are counted by
// reason and sensor, never passed on.
//
// Flood protection: a token bucket per sender address (lines per second and burst), so one
// sender flooding cannot starve the others; datagrams and lines over the size limits are refused
// whole. Everything runs on the io_context's thread; the sink is called there.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "picket/core/metrics.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"

namespace boost::asio {
class io_context;
}

namespace picket::engine {

struct LineInputConfig {
  std::size_t max_datagram_bytes = 16 * 1024;
  std::size_t max_line_bytes = 8 * 1024;
  double sender_rate = 100'000;  // lines per second per sender address
  double sender_burst = 20'000;  // lines
  std::size_t max_tcp_connections = 256;
};

// Checks a parsed detection against the site: the reason it must be refused, or "" if good.
std::string check_against_site(const Detection& d, const Site& site);

class LineInput {
 public:
  using Sink = std::function<void(Detection&&)>;
  LineInput(boost::asio::io_context& ioc, const Site& site, LineInputConfig config,
            Registry& metrics, Sink sink);
  ~LineInput();

  // Listens on address:port (port 0: any). Returns the bound port or an error.
  Result<unsigned short> listen_udp(const std::string& address, unsigned short port);
  Result<unsigned short> listen_tcp(const std::string& address, unsigned short port);
  void stop();

  // Handles one line as if received from `sender` (the network paths call this).
  void handle_line(std::string_view line, const std::string& sender, double now);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace picket::engine

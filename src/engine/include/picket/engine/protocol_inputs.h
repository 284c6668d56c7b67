// The live daemon's wire-format inputs, configured per sensor under `server.inputs` in the site
// file (docs/site-format.md "Server", docs/protocols.md "Live inputs"):
//
//  * ASTERIX over UDP, unicast or multicast, for radars: CAT048 or CAT010 plots become
//    detections of the radar, CAT034 north markers and sector crossings its heartbeats
//    (asterix/radar_feed.h). Radars may share a port when each names its data source (SAC/SIC).
//  * ADS-B over TCP for `adsb` sensors: the daemon connects, as a client, to a receiver's Beast
//    binary (dump1090 port 30005) or SBS-1 BaseStation text (port 30003) output and reconnects
//    after a failure with exponential backoff (from `reconnect.min` to `reconnect.max` seconds,
//    back to the minimum once data flows). Positions become cooperative detections: geodetic,
//    the ICAO address (six hex digits) as the sensor track (adsb/live_feed.h).
//
// Bad input is counted (metrics below) and logged with its byte offset in the input's stream
// (the UDP payloads received, back to back; a TCP connection's octets), at most 10 lines per
// second per input (the rest counted as suppressed); it never stops or stalls the loop. Every
// detection is checked against the site like a JSON Lines one before it reaches the sink.
//
// Metrics: picket_detections_total{sensor} (shared with the JSON Lines inputs),
// picket_asterix_datagrams_total{input}, picket_asterix_rejected_total{input} (blocks or framing
// problems), picket_asterix_unrouted_records_total{input}, picket_asterix_health_reports_total
// {sensor}, picket_adsb_rejected_total{sensor}, picket_adsb_crc_failed_total{sensor},
// picket_adsb_connections_total{sensor}, picket_adsb_connected{sensor} (0 or 1).
//
// Threading: everything on the io_context's thread; the sink is called there.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "picket/core/metrics.h"
#include "picket/core/result.h"
#include "picket/core/site.h"
#include "picket/core/types.h"
#include "picket/protocols/adsb/live_feed.h"
#include "picket/protocols/asterix/radar_feed.h"

namespace boost::asio {
class io_context;
}

namespace picket::engine {

struct AsterixInputConfig {
  std::string sensor;
  std::string address;  // to listen on; a multicast group address joins the group
  unsigned short port = 0;
  std::string interface;   // multicast: the local interface's address ("": any)
  int category = 48;       // of the plots: 48 or 10
  std::string edition;     // of the plot category ("": the latest)
  std::string edition034;  // of CAT034 ("": the latest)
  std::optional<asterix::DataSource> source;
  std::string where;  // file:line, for messages
};

struct AdsbInputConfig {
  std::string sensor;
  adsb::LiveFeed::Kind kind = adsb::LiveFeed::Kind::beast;
  std::string host;
  unsigned short port = 0;
  double reconnect_min_s = 1;
  double reconnect_max_s = 30;
};

struct ProtocolInputsConfig {
  std::vector<AsterixInputConfig> asterix;
  std::vector<AdsbInputConfig> adsb;
  bool empty() const { return asterix.empty() && adsb.empty(); }
};

// Reads the site's `server.inputs` (absent: no inputs). Errors name file, line and field.
Result<ProtocolInputsConfig> read_inputs_section(const Site& site);

// "host:port" (IPv6 as "[::1]:port"); the host may be empty ("127.0.0.1").
Result<std::pair<std::string, unsigned short>> parse_host_port(const std::string& s,
                                                               const std::string& what);

class ProtocolInputs {
 public:
  using Sink = std::function<void(Detection&&)>;
  using Clock = std::function<double()>;  // Unix seconds: the reference for times of day
  ProtocolInputs(boost::asio::io_context& ioc, const Site& site, ProtocolInputsConfig config,
                 Registry& metrics, Clock clock, Sink sink);
  ~ProtocolInputs();

  // Binds every ASTERIX socket (an error names the input) and starts every ADS-B client.
  Status start();
  void stop();

  struct Bound {
    std::string sensors;  // comma-separated
    std::string address;
    unsigned short port = 0;  // the bound port (the configured one, or any for 0)
  };
  std::vector<Bound> asterix_bound() const;

  // Cooperative (ADS-B) detections with the callsign their aircraft last sent (empty if none
  // yet) go here instead of the sink, when set. Call before start().
  using CooperativeSink = std::function<void(Detection&&, std::string_view callsign)>;
  void on_cooperative(CooperativeSink sink);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace picket::engine

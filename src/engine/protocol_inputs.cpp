#include "picket/engine/protocol_inputs.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <cmath>
#include <map>

#include "picket/engine/line_input.h"

namespace picket::engine {

namespace net = boost::asio;
using net::ip::tcp;
using net::ip::udp;

Result<std::pair<std::string, unsigned short>> parse_host_port(const std::string& s,
                                                               const std::string& what) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon + 1 == s.size()) {
    return Error{what, fmt::format("'{}' is not ADDRESS:PORT", s)};
  }
  std::string host = s.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  const long port = std::strtol(s.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || port < 0 || port > 65535)
    return Error{what, fmt::format("'{}': bad port", s)};
  return std::pair{host.empty() ? std::string("127.0.0.1") : host,
                   static_cast<unsigned short>(port)};
}

Result<ProtocolInputsConfig> read_inputs_section(const Site& site) {
  ProtocolInputsConfig out;
  auto it = site.sections.find("server");
  if (it == site.sections.end()) return out;
  const ConfigNode n = it->second["inputs"];
  if (!n.present()) return out;
  if (!n.expect_map()) return n.errors()->status().error();
  for (const auto& [id, node] : n.entries()) {
    const SensorDef* def = site.find_sensor(id);
    if (!def) {
      node.error(fmt::format("no sensor '{}' in the site", id));
      continue;
    }
    if (!node.expect_keys({"asterix", "beast", "sbs"})) continue;
    if (auto a = node["asterix"]; a.present()) {
      if (def->type != SensorType::radar) {
        a.error(fmt::format("sensor '{}' is a {}: ASTERIX plots are for radars", id,
                            to_string(def->type)));
        continue;
      }
      if (!a.expect_keys(
              {"listen", "interface", "category", "edition", "cat034_edition", "source"}))
        continue;
      AsterixInputConfig c;
      c.sensor = id;
      c.where = a.where();
      auto ep = parse_host_port(a.required_string("listen"), a["listen"].where());
      if (!ep) {
        a["listen"].error(ep.error().message());
        continue;
      }
      c.address = ep->first;
      c.port = ep->second;
      c.interface = a.string("interface", "");
      c.category = static_cast<int>(a.integer("category", 48, 10, 48));
      if (c.category != 48 && c.category != 10) {
        a["category"].error(fmt::format("{}: plots are CAT048 or CAT010", c.category));
      }
      c.edition = a.string("edition", "");
      if (!c.edition.empty() && !asterix::find_edition(c.category, c.edition)) {
        a["edition"].error(
            fmt::format("CAT{:03d} has no edition '{}' in this build", c.category, c.edition));
      }
      c.edition034 = a.string("cat034_edition", "");
      if (!c.edition034.empty() && !asterix::find_edition(34, c.edition034)) {
        a["cat034_edition"].error(
            fmt::format("CAT034 has no edition '{}' in this build", c.edition034));
      }
      if (auto s = a["source"]; s.present()) {
        if (s.expect_keys({"sac", "sic"})) {
          c.source =
              asterix::DataSource{static_cast<std::uint8_t>(s.required_integer("sac", 0, 255)),
                                  static_cast<std::uint8_t>(s.required_integer("sic", 0, 255))};
        }
      }
      out.asterix.push_back(std::move(c));
    }
    for (const char* kind : {"beast", "sbs"}) {
      auto b = node[kind];
      if (!b.present()) continue;
      if (def->type != SensorType::adsb) {
        b.error(fmt::format("sensor '{}' is a {}: ADS-B feeds are for sensors of type adsb", id,
                            to_string(def->type)));
        continue;
      }
      if (!b.expect_keys({"connect", "reconnect"})) continue;
      AdsbInputConfig c;
      c.sensor = id;
      c.kind = std::string_view(kind) == "beast" ? adsb::LiveFeed::Kind::beast
                                                 : adsb::LiveFeed::Kind::sbs;
      auto ep = parse_host_port(b.required_string("connect"), b["connect"].where());
      if (!ep) {
        b["connect"].error(ep.error().message());
        continue;
      }
      if (ep->second == 0) b["connect"].error("port 0: give the receiver's port");
      c.host = ep->first;
      c.port = ep->second;
      if (auto r = b["reconnect"]; r.present()) {
        if (r.expect_keys({"min", "max"})) {
          c.reconnect_min_s = r.number("min", 1, 0.01, 3600);
          c.reconnect_max_s = r.number("max", 30, 0.01, 86400);
          if (c.reconnect_max_s < c.reconnect_min_s) r.error("max is below min");
        }
      }
      out.adsb.push_back(std::move(c));
    }
    if (node["beast"].present() && node["sbs"].present()) {
      node.error("give one feed per ADS-B sensor: beast or sbs");
    }
  }
  // Radars sharing a port must be told apart by their data source.
  std::map<std::pair<std::string, unsigned short>, std::vector<const AsterixInputConfig*>> shared;
  for (const auto& c : out.asterix) {
    if (c.port != 0) shared[{c.address, c.port}].push_back(&c);
  }
  for (const auto& [ep, list] : shared) {
    if (list.size() < 2) continue;
    int without = 0;
    for (const auto* c : list) {
      without += c->source ? 0 : 1;
      if (c->edition != list[0]->edition || c->edition034 != list[0]->edition034 ||
          c->interface != list[0]->interface) {
        n.error(fmt::format("{}: radars sharing {}:{} must use the same editions and interface",
                            c->where, ep.first, ep.second));
      }
    }
    if (without > 1) {
      n.error(fmt::format("{} radars share {}:{} without a `source` (SAC/SIC) to tell them apart",
                          without, ep.first, ep.second));
    }
  }
  if (auto st = n.errors()->status(); !st) return st.error();
  return out;
}

namespace {

// At most `per_second` log lines per input; the rest counted and summarised.
class LogLimiter {
 public:
  bool allow(double now) {
    if (now - window_ >= 1.0) {
      if (suppressed_ > 0) {
        spdlog::warn("{}: {} more problems not logged", name, suppressed_);
        suppressed_ = 0;
      }
      window_ = now;
      count_ = 0;
    }
    if (++count_ <= 10) return true;
    ++suppressed_;
    return false;
  }
  std::string name;

 private:
  double window_ = -1e300;
  int count_ = 0;
  std::uint64_t suppressed_ = 0;
};

double steady_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

struct ProtocolInputs::Impl : std::enable_shared_from_this<ProtocolInputs::Impl> {
  Impl(net::io_context& io, const Site& s, ProtocolInputsConfig c, Registry& r, Clock cl, Sink sk)
      : ioc(io), site(s), cfg(std::move(c)), reg(r), clock(std::move(cl)), sink(std::move(sk)) {}

  net::io_context& ioc;
  const Site& site;
  ProtocolInputsConfig cfg;
  Registry& reg;
  Clock clock;
  Sink sink;
  CooperativeSink cooperative_sink;
  bool stopped = false;

  void deliver(Detection&& d, const std::string* callsign = nullptr) {
    if (const std::string why = check_against_site(d, site); !why.empty()) {
      reg.counter("picket_detections_rejected_total", "Detections refused at the input, by reason",
                  {{"reason", why}, {"sensor", d.sensor}})
          .inc();
      return;
    }
    reg.counter("picket_detections_total", "Detections accepted at the input, by sensor",
                {{"sensor", d.sensor}})
        .inc();
    if (callsign && cooperative_sink) {
      cooperative_sink(std::move(d), *callsign);
    } else {
      sink(std::move(d));
    }
  }

  // --- ASTERIX over UDP ----------------------------------------------------------------------

  struct Udp {
    std::string name;  // sensors, comma-separated
    std::string address;
    unsigned short port = 0;
    std::unique_ptr<udp::socket> socket;
    std::unique_ptr<asterix::RadarFeedReader> reader;
    std::array<std::uint8_t, 65536> buf{};
    udp::endpoint from;
    LogLimiter log;
    Counter* datagrams = nullptr;
    Counter* rejected = nullptr;
    Counter* unrouted = nullptr;
    std::uint64_t unrouted_seen = 0;
  };
  std::vector<std::unique_ptr<Udp>> udps;

  Status open_udp(Udp& u, const AsterixInputConfig& c) {
    boost::system::error_code ec;
    const auto addr = net::ip::make_address(c.address, ec);
    if (ec) return Error{c.where, fmt::format("listen: '{}' is not an IP address", c.address)};
    u.socket = std::make_unique<udp::socket>(ioc);
    const bool multicast = addr.is_multicast();
    const udp::endpoint ep(multicast ? (addr.is_v6() ? net::ip::address(net::ip::address_v6::any())
                                                     : net::ip::address(net::ip::address_v4::any()))
                                     : addr,
                           c.port);
    u.socket->open(ep.protocol(), ec);
    if (!ec && multicast) u.socket->set_option(udp::socket::reuse_address(true), ec);
    if (!ec) u.socket->bind(ep, ec);
    if (!ec && multicast) {
      if (addr.is_v4() && !c.interface.empty()) {
        const auto itf = net::ip::make_address_v4(c.interface, ec);
        if (!ec) u.socket->set_option(net::ip::multicast::join_group(addr.to_v4(), itf), ec);
      } else {
        u.socket->set_option(net::ip::multicast::join_group(addr), ec);
      }
    }
    if (!ec) {
      // Radars send bursts (a scan's plots at once): a large receive buffer rides them out.
      u.socket->set_option(net::socket_base::receive_buffer_size(4 << 20), ec);
      ec.clear();
    }
    if (ec) {
      return Error{c.where, fmt::format("cannot listen for ASTERIX on {}:{}{}: {}", c.address,
                                        c.port, multicast ? " (multicast)" : "", ec.message())};
    }
    u.port = u.socket->local_endpoint().port();
    return Ok{};
  }

  void receive(Udp& u) {
    u.socket->async_receive_from(
        net::buffer(u.buf), u.from,
        [self = shared_from_this(), &u](boost::system::error_code ec, std::size_t n) {
          if (self->stopped || ec == net::error::operation_aborted) return;
          if (!ec) {
            u.datagrams->inc();
            u.reader->feed({u.buf.data(), n}, self->clock());
            const auto unrouted = u.reader->stats().unrouted;
            if (unrouted > u.unrouted_seen) {
              u.unrouted->inc(unrouted - u.unrouted_seen);
              if (u.log.allow(steady_now())) {
                spdlog::warn("{}: {} record(s) from {} of a data source no radar takes", u.name,
                             unrouted - u.unrouted_seen, u.from.address().to_string());
              }
              u.unrouted_seen = unrouted;
            }
          } else if (u.log.allow(steady_now())) {
            spdlog::warn("{}: receive: {}", u.name, ec.message());
          }
          self->receive(u);
        });
  }

  Status start_asterix() {
    // One socket per listening address; radars on one socket are routed by SAC/SIC.
    std::map<std::pair<std::string, unsigned short>, std::vector<const AsterixInputConfig*>> groups;
    for (const auto& c : cfg.asterix) {
      if (c.port != 0) groups[{c.address, c.port}].push_back(&c);
    }
    std::vector<std::vector<const AsterixInputConfig*>> all;
    for (const auto& c : cfg.asterix) {
      if (c.port == 0) {
        all.push_back({&c});
      } else if (auto& g = groups[{c.address, c.port}]; !g.empty()) {
        all.push_back(g);
        g.clear();
      }
    }
    for (const auto& list : all) {
      const AsterixInputConfig& first = *list.front();
      auto u = std::make_unique<Udp>();
      asterix::RadarFeedReader::Options o;
      for (const auto* c : list) {
        o.radars.push_back({c->sensor, c->source, c->category});
        u->name += (u->name.empty() ? "" : ",") + c->sensor;
      }
      if (!first.edition.empty()) {
        if (auto st = o.editions.set(first.category, first.edition); !st) return st;
      }
      if (!first.edition034.empty()) {
        if (auto st = o.editions.set(34, first.edition034); !st) return st;
      }
      u->name = "asterix input " + u->name;
      u->log.name = u->name;
      if (auto st = open_udp(*u, first); !st) return st;
      u->address = first.address;
      const Labels input{{"input", fmt::format("{}:{}", first.address, u->port)}};
      u->datagrams = &reg.counter("picket_asterix_datagrams_total",
                                  "ASTERIX datagrams received, by input", input);
      u->rejected = &reg.counter("picket_asterix_rejected_total",
                                 "ASTERIX blocks rejected (or framing problems), by input", input);
      u->unrouted = &reg.counter("picket_asterix_unrouted_records_total",
                                 "ASTERIX records of a data source no radar takes", input);
      Udp* raw = u.get();
      u->reader = std::make_unique<asterix::RadarFeedReader>(
          std::move(o),
          [this](Detection&& d) {
            if (d.status != SensorStatus::none) {
              reg.counter("picket_asterix_health_reports_total",
                          "Radar heartbeats and faults from CAT034 service messages, by sensor",
                          {{"sensor", d.sensor}})
                  .inc();
            }
            deliver(std::move(d));
          },
          [raw](const asterix::Issue& issue) {
            if (issue.severity != asterix::Severity::error) return;
            raw->rejected->inc();
            if (raw->log.allow(steady_now())) {
              spdlog::warn("{}: rejected: {} (offset in the datagrams received since start)",
                           raw->name, issue.message());
            }
          });
      udps.push_back(std::move(u));
    }
    for (auto& u : udps)
      receive(*u);
    return Ok{};
  }

  // --- ADS-B over TCP ------------------------------------------------------------------------

  struct Client {
    AdsbInputConfig cfg;
    std::unique_ptr<adsb::LiveFeed> feed;
    std::unique_ptr<tcp::socket> socket;
    std::unique_ptr<tcp::resolver> resolver;
    std::unique_ptr<net::steady_timer> timer;
    std::array<std::uint8_t, 65536> buf{};
    double backoff = 0;
    bool got_data = false;
    LogLimiter log;
    Counter* rejected = nullptr;
    Counter* crc_failed = nullptr;
    Counter* connections = nullptr;
    Gauge* connected = nullptr;
    std::uint64_t crc_seen = 0;
  };
  std::vector<std::unique_ptr<Client>> clients;

  void start_adsb() {
    for (const auto& c : cfg.adsb) {
      auto cl = std::make_unique<Client>();
      cl->cfg = c;
      cl->backoff = c.reconnect_min_s;
      cl->log.name = fmt::format("{} input {} ({}:{})",
                                 c.kind == adsb::LiveFeed::Kind::beast ? "beast" : "sbs", c.sensor,
                                 c.host, c.port);
      const Labels sensor{{"sensor", c.sensor}};
      cl->rejected = &reg.counter("picket_adsb_rejected_total",
                                  "ADS-B frames or lines rejected, by sensor", sensor);
      cl->crc_failed = &reg.counter("picket_adsb_crc_failed_total",
                                    "ADS-B DF17/18 frames whose parity failed, by sensor", sensor);
      cl->connections = &reg.counter("picket_adsb_connections_total",
                                     "Connections made to ADS-B receivers, by sensor", sensor);
      cl->connected =
          &reg.gauge("picket_adsb_connected", "1 while connected to the receiver", sensor);
      adsb::PositionOptions po;
      if (const SensorDef* def = site.find_sensor(c.sensor)) {
        po.receiver = adsb::LatLon{def->position.lat_deg, def->position.lon_deg};
      }
      Client* raw = cl.get();
      cl->feed = std::make_unique<adsb::LiveFeed>(
          c.kind, c.sensor, po,
          [this](protocols::CooperativeDetection&& cd) {
            static const std::string none;
            deliver(std::move(cd.detection), cd.callsign ? &*cd.callsign : &none);
          },
          [raw](const adsb::FeedIssue& issue) {
            raw->rejected->inc();
            if (raw->log.allow(steady_now())) {
              spdlog::warn("{}: rejected: {} (since the connection opened)", raw->log.name,
                           issue.message());
            }
          });
      cl->timer = std::make_unique<net::steady_timer>(ioc);
      cl->resolver = std::make_unique<tcp::resolver>(ioc);
      clients.push_back(std::move(cl));
    }
    for (auto& cl : clients)
      connect(*cl);
  }

  void connect(Client& cl) {
    if (stopped) return;
    cl.socket = std::make_unique<tcp::socket>(ioc);
    cl.got_data = false;
    cl.resolver->async_resolve(
        cl.cfg.host, std::to_string(cl.cfg.port),
        [self = shared_from_this(), &cl](boost::system::error_code ec,
                                         const tcp::resolver::results_type& results) {
          if (self->stopped) return;
          if (ec) return self->retry(cl, "resolve: " + ec.message());
          // A connection attempt that hangs is abandoned after 10 s.
          cl.timer->expires_after(std::chrono::seconds(10));
          cl.timer->async_wait([&cl](boost::system::error_code e) {
            if (!e && cl.socket) cl.socket->close(e);
          });
          net::async_connect(*cl.socket, results,
                             [self, &cl](boost::system::error_code e, const tcp::endpoint&) {
                               cl.timer->cancel();
                               if (self->stopped) return;
                               if (e) return self->retry(cl, "connect: " + e.message());
                               spdlog::info("{}: connected", cl.log.name);
                               cl.connections->inc();
                               cl.connected->set(1);
                               cl.feed->reset();
                               self->read(cl);
                             });
        });
  }

  void read(Client& cl) {
    cl.socket->async_read_some(
        net::buffer(cl.buf),
        [self = shared_from_this(), &cl](boost::system::error_code ec, std::size_t n) {
          if (self->stopped) return;
          if (ec) {
            cl.connected->set(0);
            return self->retry(cl, ec == net::error::eof ? std::string("closed by the receiver")
                                                         : "read: " + ec.message());
          }
          if (!cl.got_data) {
            cl.got_data = true;
            cl.backoff = cl.cfg.reconnect_min_s;  // data flows: the next failure retries soon
          }
          cl.feed->feed({cl.buf.data(), n}, self->clock());
          const auto crc = cl.feed->stats().crc_failed;
          if (crc > cl.crc_seen) {
            cl.crc_failed->inc(crc - cl.crc_seen);
            cl.crc_seen = crc;
          }
          self->read(cl);
        });
  }

  void retry(Client& cl, const std::string& why) {
    if (stopped) return;
    boost::system::error_code ignored;
    if (cl.socket) cl.socket->close(ignored);
    if (cl.log.allow(steady_now())) {
      spdlog::warn("{}: {}; retrying in {:.3g} s", cl.log.name, why, cl.backoff);
    }
    cl.timer->expires_after(std::chrono::microseconds(static_cast<long>(cl.backoff * 1e6)));
    cl.backoff = std::min(cl.cfg.reconnect_max_s, cl.backoff * 2);
    cl.timer->async_wait([self = shared_from_this(), &cl](boost::system::error_code ec) {
      if (!ec) self->connect(cl);
    });
  }
};

ProtocolInputs::ProtocolInputs(net::io_context& ioc, const Site& site, ProtocolInputsConfig config,
                               Registry& metrics, Clock clock, Sink sink)
    : impl_(std::make_shared<Impl>(ioc, site, std::move(config), metrics, std::move(clock),
                                   std::move(sink))) {}

ProtocolInputs::~ProtocolInputs() {
  stop();
}

Status ProtocolInputs::start() {
  if (auto st = impl_->start_asterix(); !st) return st;
  impl_->start_adsb();
  return Ok{};
}

void ProtocolInputs::stop() {
  auto& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  boost::system::error_code ec;
  for (auto& u : s.udps) {
    if (u->socket) u->socket->close(ec);
  }
  for (auto& c : s.clients) {
    if (c->socket) c->socket->close(ec);
    if (c->timer) c->timer->cancel();
    if (c->resolver) c->resolver->cancel();
  }
}

std::vector<ProtocolInputs::Bound> ProtocolInputs::asterix_bound() const {
  std::vector<Bound> out;
  for (const auto& u : impl_->udps)
    out.push_back({u->name.substr(std::string("asterix input ").size()), u->address, u->port});
  return out;
}

void ProtocolInputs::on_cooperative(CooperativeSink sink) {
  impl_->cooperative_sink = std::move(sink);
}

}  // namespace picket::engine

#include "picket/engine/line_input.h"

#include <fmt/format.h>

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <set>

#include "picket/core/log.h"
#include "picket/formats/records.h"

namespace picket::engine {

namespace net = boost::asio;
using udp = net::ip::udp;
using tcp = net::ip::tcp;

std::string check_against_site(const Detection& d, const Site& site) {
  const SensorDef* s = site.find_sensor(d.sensor);
  if (!s) return "unknown_sensor";
  if (const auto* seg = std::get_if<SegmentMeasurement>(&d.measurement)) {
    if (s->type != SensorType::fence) return "segment_from_non_fence_sensor";
    const std::string& fence_id = seg->fence.empty() ? s->fence : seg->fence;
    const Fence* f = site.find_fence(fence_id);
    if (!f) return "unknown_fence";
    if (seg->segment > static_cast<int>(f->segments.size())) return "segment_out_of_range";
  }
  if (const auto* p = std::get_if<PolarMeasurement>(&d.measurement)) {
    if (p->range > 10 * s->max_range_m + 1000) return "range_out_of_coverage";
  }
  return "";
}

struct LineInput::Impl : std::enable_shared_from_this<LineInput::Impl> {
  Impl(net::io_context& io, const Site& s, LineInputConfig c, Registry& r, Sink k)
      : ioc(io), site(s), cfg(c), reg(r), sink(std::move(k)) {}

  struct Bucket {
    double tokens = 0;
    double last = 0;
  };

  net::io_context& ioc;
  const Site& site;
  LineInputConfig cfg;
  Registry& reg;
  Sink sink;
  std::unique_ptr<udp::socket> udp_socket;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::array<char, 65536> dgram{};
  udp::endpoint from;
  std::map<std::string, Bucket> buckets;
  std::set<std::shared_ptr<tcp::socket>> connections;
  log::Throttle log_throttle{10.0};
  bool stopped = false;

  static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // Counted always; logged at most once per reason every 10 s (with how many it stands for), so
  // that a flood of bad input cannot flood the log.
  void reject(const char* reason, const std::string& sensor = "", std::string_view sender = "",
              std::string_view detail = "") {
    if (const auto n = log_throttle.hit(reason, now()); n > 0) {
      log::event(spdlog::level::warn, "detections_rejected",
                 {{"reason", reason},
                  {"count", n},
                  {"sensor", sensor},
                  {"sender", sender},
                  {"detail", detail}});
    }
    Labels labels{{"reason", reason}};
    // Only known sensors get a label of their own: unknown ids must not grow the metrics.
    if (!sensor.empty() && site.find_sensor(sensor)) labels.emplace_back("sensor", sensor);
    reg.counter("picket_detections_rejected_total", "Detections refused at the input, by reason",
                labels)
        .inc();
  }

  bool allow(const std::string& sender, double t) {
    if (buckets.size() > 100'000) buckets.clear();  // bound memory under address spoofing
    auto& b = buckets[sender];
    if (b.last == 0) b.tokens = cfg.sender_burst;
    b.tokens = std::min(cfg.sender_burst, b.tokens + (t - b.last) * cfg.sender_rate);
    b.last = t;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  void line(std::string_view text, const std::string& sender, double t) {
    while (!text.empty() && (text.back() == '\r' || text.back() == ' '))
      text.remove_suffix(1);
    if (text.empty()) return;
    if (!allow(sender, t)) return reject("rate_limited", "", sender);
    if (text.size() > cfg.max_line_bytes) return reject("line_too_long", "", sender);
    auto d = formats::parse_detection(text);
    if (!d) return reject("malformed", "", sender, d.error().message());
    if (const std::string why = check_against_site(*d, site); !why.empty()) {
      return reject(why.c_str(), d->sensor, sender);
    }
    reg.counter("picket_detections_total", "Detections accepted at the input, by sensor",
                {{"sensor", d->sensor}})
        .inc();
    sink(std::move(*d));
  }

  void lines(std::string_view text, const std::string& sender) {
    const double t = now();
    while (!text.empty()) {
      const size_t nl = text.find('\n');
      line(text.substr(0, nl), sender, t);
      if (nl == std::string_view::npos) break;
      text.remove_prefix(nl + 1);
    }
  }

  void receive() {
    udp_socket->async_receive_from(
        net::buffer(dgram), from,
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec == net::error::operation_aborted || self->stopped) return;
          if (!ec) {
            if (n > self->cfg.max_datagram_bytes) {
              self->reject("datagram_too_large", "", self->from.address().to_string());
            } else {
              self->lines(std::string_view(self->dgram.data(), n),
                          self->from.address().to_string());
            }
          }
          self->receive();
        });
  }

  void accept() {
    acceptor->async_accept(
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
          if (ec == net::error::operation_aborted || self->stopped) return;
          if (!ec) {
            if (self->connections.size() >= self->cfg.max_tcp_connections) {
              self->reject("too_many_connections");
            } else {
              auto sock = std::make_shared<tcp::socket>(std::move(s));
              self->connections.insert(sock);
              auto buf = std::make_shared<std::string>();
              self->read(sock, buf);
            }
          }
          self->accept();
        });
  }

  void read(std::shared_ptr<tcp::socket> sock, std::shared_ptr<std::string> buf) {
    auto chunk = std::make_shared<std::array<char, 16384>>();
    sock->async_read_some(net::buffer(*chunk), [self = shared_from_this(), sock, buf, chunk](
                                                   boost::system::error_code ec, std::size_t n) {
      if (ec || self->stopped) {
        // The last line of a stream may lack its newline.
        if (!buf->empty() && ec == net::error::eof) self->lines(*buf, self->peer(*sock));
        self->connections.erase(sock);
        return;
      }
      buf->append(chunk->data(), n);
      const size_t last_nl = buf->rfind('\n');
      if (last_nl != std::string::npos) {
        self->lines(std::string_view(*buf).substr(0, last_nl), self->peer(*sock));
        buf->erase(0, last_nl + 1);
      }
      if (buf->size() > self->cfg.max_line_bytes) {
        // A line that never ends: refuse it and drop the connection, which is not speaking
        // the protocol.
        self->reject("line_too_long", "", self->peer(*sock));
        boost::system::error_code ignored;
        sock->close(ignored);
        self->connections.erase(sock);
        return;
      }
      self->read(sock, buf);
    });
  }

  std::string peer(const tcp::socket& s) {
    boost::system::error_code ec;
    const auto ep = s.remote_endpoint(ec);
    return ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }
};

LineInput::LineInput(net::io_context& ioc, const Site& site, LineInputConfig config,
                     Registry& metrics, Sink sink)
    : impl_(std::make_shared<Impl>(ioc, site, config, metrics, std::move(sink))) {}

LineInput::~LineInput() {
  stop();
}

Result<unsigned short> LineInput::listen_udp(const std::string& address, unsigned short port) {
  boost::system::error_code ec;
  const auto addr = net::ip::make_address(address, ec);
  if (ec) return Error{address, "not an IP address"};
  auto sock = std::make_unique<udp::socket>(impl_->ioc);
  const udp::endpoint ep(addr, port);
  sock->open(ep.protocol(), ec);
  if (!ec) sock->set_option(net::socket_base::receive_buffer_size(8 << 20), ec);
  ec.clear();  // a smaller buffer than asked for is not fatal
  sock->bind(ep, ec);
  if (ec) return Error{fmt::format("udp {}:{}", address, port), "cannot bind: " + ec.message()};
  const auto bound = sock->local_endpoint(ec).port();
  impl_->udp_socket = std::move(sock);
  impl_->receive();
  return bound;
}

Result<unsigned short> LineInput::listen_tcp(const std::string& address, unsigned short port) {
  boost::system::error_code ec;
  const auto addr = net::ip::make_address(address, ec);
  if (ec) return Error{address, "not an IP address"};
  auto acc = std::make_unique<tcp::acceptor>(impl_->ioc);
  const tcp::endpoint ep(addr, port);
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Error{fmt::format("tcp {}:{}", address, port), "cannot listen: " + ec.message()};
  const auto bound = acc->local_endpoint(ec).port();
  impl_->acceptor = std::move(acc);
  impl_->accept();
  return bound;
}

void LineInput::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ec;
  if (impl_->udp_socket) impl_->udp_socket->close(ec);
  if (impl_->acceptor) impl_->acceptor->close(ec);
  for (auto& c : impl_->connections)
    c->close(ec);
  impl_->connections.clear();
}

void LineInput::handle_line(std::string_view line, const std::string& sender, double now) {
  impl_->line(line, sender, now);
}

}  // namespace picket::engine

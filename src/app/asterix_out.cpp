#include "asterix_out.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "picket/engine/protocol_inputs.h"
#include "picket/sim/radar.h"

namespace picket::app {

namespace net = boost::asio;
using net::ip::udp;

namespace {
double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<udp::endpoint> endpoint_of(const std::string& spec, const std::string& what) {
  auto hp = engine::parse_host_port(spec, what);
  if (!hp) return hp.error();
  boost::system::error_code ec;
  const auto addr = net::ip::make_address(hp->first, ec);
  if (ec) return Error{what, fmt::format("'{}' is not an IP address", hp->first)};
  if (hp->second == 0) return Error{what, fmt::format("'{}': port 0", spec)};
  return udp::endpoint(addr, hp->second);
}
}  // namespace

Result<std::unique_ptr<AsterixOut>> AsterixOut::open(const AsterixOutOptions& o,
                                                     const sim::Scenario& sc,
                                                     const sim::Simulator& sim) {
  std::unique_ptr<AsterixOut> out(new AsterixOut());
  out->o_ = o;
  out->sc_ = &sc;
  out->sim_ = &sim;
  // Category and data source of each radar from the site's `inputs` section, when it has one.
  auto inputs = engine::read_inputs_section(sc.site);
  if (!inputs) return inputs.error();
  std::optional<udp::endpoint> all;
  std::map<std::string, std::vector<udp::endpoint>> per_sensor;
  bool from_site = false;
  for (const auto& spec : o.udp) {
    if (spec == "site") {
      from_site = true;
      continue;
    }
    const auto eq = spec.find('=');
    auto ep = endpoint_of(eq == std::string::npos ? spec : spec.substr(eq + 1), "--asterix-udp");
    if (!ep) return ep.error();
    if (eq == std::string::npos) {
      all = *ep;
    } else {
      const std::string id = spec.substr(0, eq);
      if (!sc.site.find_sensor(id))
        return Error{"--asterix-udp", fmt::format("no sensor '{}' in the site", id)};
      per_sensor[id].push_back(*ep);
    }
  }
  for (std::size_t i = 0; i < sc.site.sensors.size(); ++i) {
    const auto& def = sc.site.sensors[i];
    if (def.type != SensorType::radar) continue;
    if (!dynamic_cast<const sim::RadarModel*>(sim.model(static_cast<int>(i)))) continue;
    Radar r;
    r.index = static_cast<int>(i);
    r.id = def.id;
    r.period_s = 1.0 / def.update_rate_hz;
    asterix::RadarFeedWriter::Options wo;
    wo.source = {0, static_cast<std::uint8_t>(i + 1)};
    for (const auto& c : inputs->asterix) {
      if (c.sensor != def.id) continue;
      wo.category = c.category;
      if (c.source) wo.source = *c.source;
      if (from_site) {
        auto ep = endpoint_of(fmt::format("{}:{}", c.address, c.port), "--asterix-udp site");
        if (!ep) return ep.error();
        r.dest.push_back(*ep);
      }
    }
    r.writer = std::make_unique<asterix::RadarFeedWriter>(wo);
    if (all) r.dest.push_back(*all);
    for (const auto& ep : per_sensor[def.id])
      r.dest.push_back(ep);
    out->by_sensor_[r.index] = out->radars_.size();
    out->radars_.push_back(std::move(r));
  }
  if (out->radars_.empty()) return Error{"--asterix", "the scenario's site has no simulated radar"};
  if (!o.file.empty()) {
    out->file_ = std::fopen(o.file.c_str(), "wb");
    if (!out->file_) return Error{o.file, "cannot open for writing"};
  }
  if (!o.udp.empty()) {
    out->socket_ = std::make_unique<udp::socket>(out->ioc_);
    boost::system::error_code ec;
    out->socket_->open(udp::v4(), ec);
    if (ec) return Error{"--asterix-udp", ec.message()};
  }
  out->emitted_until_ = sc.start_unix;
  for (auto& r : out->radars_)
    r.last_t = sc.start_unix;
  out->wall0_ = wall_now();
  return out;
}

AsterixOut::~AsterixOut() {
  if (file_) std::fclose(file_);
}

void AsterixOut::detection(const sim::SimDetection& d) {
  if (!by_sensor_.contains(d.sensor)) return;
  if (d.det.status != SensorStatus::none) return;  // heartbeats: CAT034 says the radar lives
  pending_.push_back(d);
}

Status AsterixOut::emit(Radar& r, double slice_end) {
  const auto* model = dynamic_cast<const sim::RadarModel*>(sim_->model(r.index));
  const double a0 = model->beam(r.last_t - sc_->start_unix) * 180.0 / M_PI;
  const double a1 = model->beam(slice_end - sc_->start_unix) * 180.0 / M_PI;
  const std::size_t before = r.writer->pending();
  r.writer->add_rotation(a0, r.last_t, a1, slice_end, r.period_s);
  stats_.service += r.writer->pending() - before;
  r.last_t = slice_end;
  for (auto& block : r.writer->take_blocks()) {
    ++stats_.blocks;
    stats_.octets += block.size();
    if (file_ && std::fwrite(block.data(), 1, block.size(), file_) != block.size()) {
      return Error{o_.file, "write failed"};
    }
    for (const auto& ep : r.dest) {
      boost::system::error_code ec;
      socket_->send_to(net::buffer(block), ep, 0, ec);
      if (ec)
        return Error{"--asterix-udp",
                     fmt::format("sending to {}: {}", ep.address().to_string(), ec.message())};
      ++stats_.datagrams;
    }
  }
  return Ok{};
}

Status AsterixOut::advance(double t_end) {
  std::size_t next = 0;
  while (emitted_until_ + o_.slice_s <= t_end + 1e-9) {
    const double slice_end = emitted_until_ + o_.slice_s;
    // Pace UDP output: a slice goes out when the wall clock reaches its end.
    if (socket_) {
      const double due = wall0_ + (slice_end - sc_->start_unix) / o_.speed;
      const double wait = due - wall_now();
      if (wait > 0) std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
    while (next < pending_.size() && pending_[next].det.t < slice_end) {
      const auto& d = pending_[next++];
      auto& r = radars_[by_sensor_[d.sensor]];
      if (r.writer->add_plot(d.det)) {
        ++stats_.plots;
      } else {
        ++stats_.skipped;
      }
    }
    for (auto& r : radars_) {
      if (auto st = emit(r, slice_end); !st) return st;
    }
    emitted_until_ = slice_end;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(next));
  return Ok{};
}

Status AsterixOut::finish() {
  // What is left (the last partial slice).
  for (const auto& d : pending_) {
    auto& r = radars_[by_sensor_[d.sensor]];
    r.writer->add_plot(d.det) ? ++stats_.plots : ++stats_.skipped;
  }
  pending_.clear();
  for (auto& r : radars_) {
    if (auto st = emit(r, std::max(r.last_t, emitted_until_)); !st) return st;
  }
  if (file_ && std::fflush(file_) != 0) return Error{o_.file, "write failed"};
  return Ok{};
}

std::string AsterixOut::summary() const {
  std::string radars;
  for (const auto& r : radars_)
    radars += fmt::format("{}{} (CAT{:03d} SAC {} SIC {})", radars.empty() ? "" : ", ", r.id,
                          r.writer->options().category, r.writer->options().source.sac,
                          r.writer->options().source.sic);
  return fmt::format("{} plots and {} CAT034 service messages in {} blocks ({} octets){}; {}",
                     stats_.plots, stats_.service, stats_.blocks, stats_.octets,
                     socket_ ? fmt::format(", {} datagrams sent", stats_.datagrams) : "", radars);
}

}  // namespace picket::app

// picket run SITE.yaml: the live daemon. Network inputs (detection JSON Lines over UDP and TCP;
// per sensor, from the site's `server.inputs`, ASTERIX over UDP and ADS-B Beast/SBS over TCP)
// and an optional simulated scenario feed the live engine (tracker, rules, store); the server
// answers the HTTP API and the WebSocket stream and serves the operator console. One Asio event
// loop runs it all; SIGTERM or SIGINT stops it gracefully (inputs closed, everything buffered
// processed, every alarm event durable in the store).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include "commands.h"
#include "picket/core/config.h"
#include "picket/core/metrics.h"
#include "picket/core/site.h"
#include "picket/engine/cameras.h"
#include "picket/engine/line_input.h"
#include "picket/engine/live.h"
#include "picket/engine/protocol_inputs.h"
#include "picket/server/auth.h"
#include "picket/server/live_backend.h"
#include "picket/server/server.h"
#include "picket/store/store.h"

namespace picket::app {

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;

struct RunOptions {
  std::string site;
  std::string listen;
  std::string udp;
  std::string tcp;
  std::string simulate;
  double speed = 1;
  std::uint64_t seed = 1;
  bool no_loop = false;
  std::string store;
  std::string sim_events;
  std::string static_dir;
  std::string exercises;
  double reorder_window_s = 0.05;
};

double wall_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// "host:port" (IPv6 as "[::1]:port").
Result<std::pair<std::string, unsigned short>> parse_endpoint(const std::string& s,
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

// Calls `done` once `durable` holds, checking every 100 ms for at most 10 s. Kept alive by its
// pending wait only.
struct DurableNotice : std::enable_shared_from_this<DurableNotice> {
  explicit DurableNotice(net::io_context& io) : timer(io) {}
  void check() {
    if (durable()) {
      done();
      return;
    }
    if (++tries > 100) return;
    timer.expires_after(std::chrono::milliseconds(100));
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->check();
    });
  }
  net::steady_timer timer;
  std::function<bool()> durable;
  std::function<void()> done;
  int tries = 0;
};

// The site file's optional `server` section (docs/site-format.md).
struct ServerSection {
  std::string listen, udp, tcp, tls_cert, tls_key, static_dir, exercises;
  double session_hours = 8;
  server::Json tiles = nullptr;
};

Result<ServerSection> read_server_section(const Site& site) {
  ServerSection out;
  auto it = site.sections.find("server");
  if (it == site.sections.end()) return out;
  const ConfigNode& n = it->second;
  if (!n.expect_keys({"listen", "udp", "tcp", "tls", "session_hours", "tiles", "static",
                      "exercises", "inputs"})) {  // inputs: read by engine::read_inputs_section
    return n.errors()->status().error();
  }
  const auto rel = [&](const std::string& p) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(n.directory()) / p).string();
  };
  out.listen = n.string("listen", "");
  out.udp = n.string("udp", "");
  out.tcp = n.string("tcp", "");
  out.session_hours = n.number("session_hours", 8, 0.01, 24 * 30);
  out.static_dir = rel(n.string("static", ""));
  out.exercises = rel(n.string("exercises", ""));
  if (auto tls = n["tls"]; tls.present()) {
    tls.expect_keys({"cert", "key"});
    out.tls_cert = rel(tls.required_string("cert"));
    out.tls_key = rel(tls.required_string("key"));
  }
  if (auto tiles = n["tiles"]; tiles.present()) {
    if (tiles.is_scalar()) {
      out.tiles = tiles.as_string().value_or("");
    } else {
      tiles.expect_keys({"url", "attribution", "max_zoom"});
      out.tiles = {{"url", tiles.required_string("url")},
                   {"attribution", tiles.string("attribution", "")},
                   {"max_zoom", tiles.integer("max_zoom", 19, 1, 24)}};
    }
  }
  if (auto st = n.errors()->status(); !st) return st.error();
  return out;
}

// The console's build: --static, the site's server.static, else web/dist found from the working
// directory or beside the executable (build/release/picket -> web/dist).
std::string find_static(const std::string& given) {
  if (!given.empty()) return given;
  std::vector<fs::path> candidates = {fs::current_path() / "web" / "dist"};
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      candidates.push_back(p / "web" / "dist");
    }
  }
  for (const auto& c : candidates) {
    if (fs::exists(c / "index.html", ec)) return c.string();
  }
  return "";
}

std::vector<std::string> list_scenarios(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml" || e.path().extension() == ".yml")
      out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// No default password: the first start creates `admin` with the password from
// PICKET_ADMIN_PASSWORD_FILE or PICKET_ADMIN_PASSWORD, or a random one printed once.
Status ensure_admin(server::UserDb& users) {
  if (!users.list().empty()) return Ok{};
  std::string password;
  bool generated = false;
  if (const char* file = std::getenv("PICKET_ADMIN_PASSWORD_FILE"); file && *file) {
    std::ifstream in(file);
    if (!in) return Error{file, "PICKET_ADMIN_PASSWORD_FILE: cannot read"};
    std::getline(in, password);
    if (password.empty()) return Error{file, "PICKET_ADMIN_PASSWORD_FILE: the first line is empty"};
  } else if (const char* env = std::getenv("PICKET_ADMIN_PASSWORD"); env && *env) {
    password = env;
  } else {
    password = server::random_password();
    generated = true;
  }
  if (auto st = users.create("admin", server::Role::admin, password); !st) return st;
  if (generated) {
    fmt::print("picket: created user 'admin' with password {}  (shown once: note it now)\n",
               password);
  } else {
    fmt::print("picket: created user 'admin' with the given password\n");
  }
  std::fflush(stdout);
  return Ok{};
}

int run_daemon(RunOptions o) {
  auto site = load_site(o.site);
  if (!site) {
    fmt::print(stderr, "picket: invalid site file\n{}\n", site.error().message());
    return kExitUsage;
  }
  auto section = read_server_section(*site);
  if (!section) {
    fmt::print(stderr, "picket: invalid server section\n{}\n", section.error().message());
    return kExitUsage;
  }
  auto inputs_cfg = engine::read_inputs_section(*site);
  if (!inputs_cfg) {
    fmt::print(stderr, "picket: invalid inputs section\n{}\n", inputs_cfg.error().message());
    return kExitUsage;
  }
  const std::string listen = !o.listen.empty()          ? o.listen
                             : !section->listen.empty() ? section->listen
                                                        : "127.0.0.1:8080";
  auto http_ep = parse_endpoint(listen, "--listen");
  if (!http_ep) {
    fmt::print(stderr, "picket: {}\n", http_ep.error().message());
    return kExitUsage;
  }
  const std::string udp = !o.udp.empty() ? o.udp : section->udp;
  const std::string tcp = !o.tcp.empty() ? o.tcp : section->tcp;

  net::io_context ioc;
  Registry metrics;

  engine::LiveOptions lo;
  lo.store_path = o.store;
  lo.simulate = o.simulate;
  lo.sim_speed = o.speed;
  lo.sim_seed = o.seed;
  lo.sim_loop = !o.no_loop;
  lo.sim_events_path = o.sim_events;
  lo.reorder_window_s = o.reorder_window_s;
  std::string exercise_dir = o.exercises;
  if (exercise_dir.empty()) exercise_dir = section->exercises;
  if (exercise_dir.empty()) exercise_dir = (fs::path(o.site).parent_path() / "scenarios").string();
  lo.exercise_scenarios = list_scenarios(exercise_dir);

  auto engine = engine::LiveEngine::create(ioc, *site, lo, metrics, wall_now);
  if (!engine) {
    fmt::print(stderr, "picket: cannot start\n{}\n", engine.error().message());
    return kExitUsage;
  }
  auto& live = **engine;
  // Users and the audit trail live in the store's file, beside the alarms.
  auto users = server::UserDb::open(live.store().path());
  if (!users) {
    fmt::print(stderr, "picket: user database: {}\n", users.error().message());
    return kExitFailure;
  }
  if (auto st = ensure_admin(**users); !st) {
    fmt::print(stderr, "picket: {}\n", st.error().message());
    return kExitUsage;
  }

  server::LiveBackend backend(*site, live, section->tiles);
  server::ServerConfig sc;
  sc.address = http_ep->first;
  sc.port = http_ep->second;
  sc.static_dir = find_static(!o.static_dir.empty() ? o.static_dir : section->static_dir);
  sc.tls_cert = section->tls_cert;
  sc.tls_key = section->tls_key;
  sc.session_lifetime_s = section->session_hours * 3600;
  server::Server srv(ioc, sc, backend, **users, metrics, wall_now);
  backend.connect(srv);
  if (auto st = srv.start(); !st) {
    fmt::print(stderr, "picket: cannot listen: {}\n", st.error().message());
    return kExitFailure;
  }
  if (sc.static_dir.empty())
    spdlog::warn("no console build found (web/dist): serving the API only; run `make web`");

  engine::LineInput input(ioc, *site, engine::LineInputConfig{}, metrics,
                          [&live](Detection&& d) { live.push(std::move(d)); });
  for (const auto& [spec, is_udp] : {std::pair{udp, true}, std::pair{tcp, false}}) {
    if (spec.empty()) continue;
    auto ep = parse_endpoint(spec, is_udp ? "--udp" : "--tcp");
    if (!ep) {
      fmt::print(stderr, "picket: {}\n", ep.error().message());
      return kExitUsage;
    }
    auto port =
        is_udp ? input.listen_udp(ep->first, ep->second) : input.listen_tcp(ep->first, ep->second);
    if (!port) {
      fmt::print(stderr, "picket: {}\n", port.error().message());
      return kExitFailure;
    }
    fmt::print("picket: detections over {} on {}:{}\n", is_udp ? "UDP" : "TCP", ep->first, *port);
  }

  engine::ProtocolInputs wire_inputs(
      ioc, *site, *inputs_cfg, metrics, [&live] { return live.now(); },
      [&live](Detection&& d) { live.push(std::move(d)); });
  wire_inputs.on_cooperative(
      [&live](Detection&& d, std::string_view callsign) { live.push(std::move(d), callsign); });
  if (auto st = wire_inputs.start(); !st) {
    fmt::print(stderr, "picket: {}\n", st.error().message());
    return kExitFailure;
  }
  for (const auto& b : wire_inputs.asterix_bound()) {
    fmt::print("picket: ASTERIX for {} over UDP on {}:{}\n", b.sensors, b.address, b.port);
  }
  for (const auto& c : inputs_cfg->adsb) {
    fmt::print("picket: ADS-B for {} from {} at {}:{}\n", c.sensor,
               c.kind == adsb::LiveFeed::Kind::beast ? "Beast" : "SBS", c.host, c.port);
  }

  // Cameras with a video source: analytics on their own threads, evidence for alarms.
  engine::CameraCallbacks camera_cb;
  camera_cb.detection = [&live](Detection&& d) { live.push(std::move(d)); };
  camera_cb.evidence = [&live, &backend, &ioc](std::vector<store::EvidenceRow>&& rows) {
    const std::uint64_t alarm = rows.front().alarm;
    std::uint64_t ticket = 0;
    for (auto& r : rows)
      ticket = live.store().put_evidence(std::move(r));
    // Tell the clients once it is durable (checked every 100 ms, for at most 10 s).
    auto notice = std::make_shared<DurableNotice>(ioc);
    notice->durable = [&live, ticket] { return bool(live.store().wait_durable(ticket, 0)); };
    notice->done = [&backend, alarm] { backend.evidence_saved(alarm); };
    notice->check();
  };
  auto cameras = engine::LiveCameras::create(ioc, *site, metrics, std::move(camera_cb));
  if (!cameras) {
    fmt::print(stderr, "picket: invalid camera configuration\n{}\n", cameras.error().message());
    return kExitUsage;
  }
  live.on_alarm([&cams = **cameras](const AlarmEvent& e) { cams.on_alarm(e); });
  live.on_tracks([&cams = **cameras](const std::vector<TrackState>& updated,
                                     const std::vector<std::uint64_t>& removed) {
    cams.on_tracks(updated, removed);
  });

  live.start();
  (*cameras)->start();
  for (const auto& id : (*cameras)->ids())
    fmt::print("picket: camera {} analysing its video source\n", id);
  for (const auto& id : (*cameras)->ptz_ids())
    fmt::print("picket: PTZ camera {} ready for slew to cue\n", id);
  const std::string host =
      sc.address.find(':') != std::string::npos ? "[" + sc.address + "]" : sc.address;
  fmt::print("picket: {} — console at {}://{}:{}/\n", site->name, srv.tls() ? "https" : "http",
             host, srv.port());
  if (!o.simulate.empty())
    fmt::print("picket: simulating {} at {}x real time\n", o.simulate, o.speed);
  std::fflush(stdout);

  int exit_code = kExitOk;
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping", sig);
    input.stop();
    wire_inputs.stop();
    // The cameras first: their last detections and evidence, posted to this loop, run before
    // the engine stops (posted after them).
    (*cameras)->stop();
    net::post(ioc, [&] {
      if (auto st = live.stop(); !st) {
        spdlog::error("stopping the engine: {}", st.error().message());
        exit_code = kExitFailure;
      }
      srv.stop();
      // Let the last announcements and closes go out, then end the loop.
      auto timer = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(200));
      timer->async_wait([&ioc, timer](const boost::system::error_code&) { ioc.stop(); });
    });
  });
  ioc.run();
  spdlog::info("stopped; the store is closed ({})", live.store().path());
  return exit_code;
}

}  // namespace

void add_run_command(CLI::App& app, Action& run) {
  auto opts = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand(
      "run", "Run the live daemon: inputs, tracker, alarms, store, API and console");
  cmd->add_option("SITE", opts->site, "Site file (YAML)")->required();
  cmd->add_option("--listen", opts->listen,
                  "HTTP address:port (default: server.listen or 127.0.0.1:8080; port 0: any)");
  cmd->add_option("--udp", opts->udp, "Receive detection JSON Lines over UDP on address:port");
  cmd->add_option("--tcp", opts->tcp, "Receive detection JSON Lines over TCP on address:port");
  cmd->add_option("--simulate", opts->simulate,
                  "Drive the site with this scenario (built-in source)");
  cmd->add_option("--speed", opts->speed, "Simulation speed (1: real time)")
      ->check(CLI::Range(0.01, 1000.0));
  cmd->add_option("--seed", opts->seed, "Simulation random seed");
  cmd->add_flag("--no-loop", opts->no_loop, "Play the scenario once instead of repeating it");
  cmd->add_option("--store", opts->store, "Store file (default: the site's store.path)");
  cmd->add_option("--sim-events", opts->sim_events,
                  "Append the simulation's truth events here (events.jsonl)");
  cmd->add_option("--static", opts->static_dir, "Console build to serve (default: web/dist)");
  cmd->add_option("--exercises", opts->exercises,
                  "Directory of scenarios an admin may inject as exercises (default: scenarios/ "
                  "beside the site file)");
  cmd->add_option("--reorder-window", opts->reorder_window_s,
                  "Seconds the tracker waits for late reports")
      ->check(CLI::Range(0.0, 10.0));
  cmd->callback([&run, opts] { run = [opts] { return run_daemon(*opts); }; });
}

}  // namespace picket::app

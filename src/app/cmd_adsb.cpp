// picket adsb decode FILE: Mode S / ADS-B frames (Beast binary, SBS-1 BaseStation text, or hex
// frames one per line) printed as JSON Lines; counts and problems on stderr.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "picket/protocols/adsb/feeds.h"
#include "picket/protocols/adsb/json.h"
#include "picket/protocols/adsb/positions.h"

namespace picket::app {

namespace {

struct AdsbOptions {
  std::string file;
  std::string format = "auto";
  std::string receiver;  // "LAT,LON"
  bool quiet = false;
  int max_errors = 20;
};

std::optional<adsb::LatLon> parse_latlon(const std::string& s) {
  const auto comma = s.find(',');
  if (comma == std::string::npos) return std::nullopt;
  adsb::LatLon p;
  auto a = std::from_chars(s.data(), s.data() + comma, p.lat);
  auto b = std::from_chars(s.data() + comma + 1, s.data() + s.size(), p.lon);
  if (a.ec != std::errc{} || b.ec != std::errc{} || a.ptr != s.data() + comma ||
      b.ptr != s.data() + s.size() || std::abs(p.lat) > 90 || std::abs(p.lon) > 180)
    return std::nullopt;
  return p;
}

int run_decode(const AdsbOptions& o) {
  auto format = adsb::parse_feed_format(o.format);
  if (!format) {
    fmt::print(stderr, "picket: {}\n", format.error().message());
    return kExitUsage;
  }
  adsb::PositionOptions popt;
  if (!o.receiver.empty()) {
    popt.receiver = parse_latlon(o.receiver);
    if (!popt.receiver) {
      fmt::print(stderr, "picket: --receiver '{}' is not LAT,LON in degrees\n", o.receiver);
      return kExitUsage;
    }
  }
  adsb::PositionDecoder positions(popt);
  struct Counts {
    long frames = 0, decoded = 0, crc_ok = 0, crc_bad = 0, undecodable = 0, positions = 0, sbs = 0,
         mode_ac = 0, problems = 0;
  } n;
  std::string line;
  bool write_failed = false;
  auto on_item = [&](const adsb::FeedItem& it) {
    line.clear();
    asterix::codec::JsonOut j(line);
    j.begin_object();
    j.key(it.is_line ? "line" : "offset");
    j.integer(static_cast<std::uint64_t>(it.at));
    if (it.time) {
      j.key("time");
      j.number(*it.time);
    }
    if (it.ticks) {
      j.key("ticks");
      j.integer(static_cast<std::uint64_t>(*it.ticks));
    }
    if (it.signal) {
      j.key("signal");
      j.integer(static_cast<std::uint64_t>(*it.signal));
    }
    if (it.sbs) {
      ++n.sbs;
      adsb::sbs_json(*it.sbs, j);
    } else if (it.mode_ac) {
      ++n.mode_ac;
      j.key("mode_ac");
      j.hex(*it.mode_ac, 4);
    } else if (it.frame) {
      ++n.frames;
      j.key("hex");
      j.string(it.frame->hex());
      auto m = adsb::decode(*it.frame);
      if (!m) {
        ++n.undecodable;
        j.key("error");
        j.string(m.error().message());
      } else {
        ++n.decoded;
        adsb::message_json(*m, j);
        const bool checked = m->df == 11 || m->df == 17 || m->df == 18;
        if (checked) (m->crc_ok ? n.crc_ok : n.crc_bad)++;
        // Positions only from frames whose parity checks.
        const double t = it.time ? *it.time : it.ticks ? static_cast<double>(*it.ticks) / 12e6 : 0;
        std::optional<adsb::Fix> fix;
        if ((m->df == 17 || m->df == 18) && m->crc_ok) {
          if (const auto* p = std::get_if<adsb::AirbornePosition>(&m->es)) {
            fix = positions.airborne(m->icao, t, *p);
          } else if (const auto* s = std::get_if<adsb::SurfacePosition>(&m->es)) {
            fix = positions.surface(m->icao, t, *s);
          }
        }
        if (fix) {
          ++n.positions;
          j.key("lat");
          j.number(fix->position.lat);
          j.key("lon");
          j.number(fix->position.lon);
          j.key("position");
          j.string(fix->global ? "global" : "local");
        }
      }
    }
    j.end_object();
    line += '\n';
    if (!o.quiet && std::fwrite(line.data(), 1, line.size(), stdout) != line.size())
      write_failed = true;
  };
  auto on_issue = [&](const adsb::FeedIssue& i) {
    ++n.problems;
    if (n.problems <= o.max_errors) {
      fmt::print(stderr, "picket: {}: {}\n", o.file, i.message());
    }
  };
  adsb::FeedStats stats;
  auto used = adsb::read_feed(o.file, *format, on_item, on_issue, stats);
  if (!used) {
    fmt::print(stderr, "picket: {}\n", used.error().message());
    return kExitUsage;
  }
  if (std::fflush(stdout) != 0 || write_failed) {
    fmt::print(stderr, "picket: writing the records failed\n");
    return kExitFailure;
  }
  if (n.problems > o.max_errors)
    fmt::print(stderr, "picket: ... {} more problems not shown\n", n.problems - o.max_errors);
  if (*used == adsb::FeedFormat::sbs) {
    fmt::print(stderr, "picket: {}: SBS: {} messages, {} lines rejected\n", o.file, n.sbs,
               stats.bad);
  } else {
    fmt::print(stderr,
               "picket: {}: {}: {} Mode S frames ({} decoded, {} undecodable; parity of DF "
               "11/17/18: {} valid, {} failed), {} Mode A/C, {} positions, {} {} rejected{}\n",
               o.file, to_string(*used), n.frames, n.decoded, n.undecodable, n.crc_ok, n.crc_bad,
               n.mode_ac, n.positions, stats.bad,
               *used == adsb::FeedFormat::beast ? "frames" : "lines",
               stats.skipped_octets
                   ? fmt::format(", {} octets outside frames skipped", stats.skipped_octets)
                   : "");
  }
  return stats.bad > 0 || n.undecodable > 0 || stats.skipped_octets > 0 ? kExitUsage : kExitOk;
}

}  // namespace

void add_adsb_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("adsb", "Mode S and ADS-B receiver feeds");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<AdsbOptions>();
  auto* dec = cmd->add_subcommand(
      "decode",
      "Decode Beast binary, SBS-1 BaseStation text or hex Mode S frames to JSON Lines on "
      "stdout; counts and problems (with byte offsets or line numbers) on stderr. Exit 0: all "
      "read; 2: bad input (some frames or lines rejected); 1: I/O failure");
  dec->add_option("FILE", opts->file, "Feed recording ('-' for standard input)")->required();
  dec->add_option("--format", opts->format, "auto, beast, sbs or hex");
  dec->add_option("--receiver", opts->receiver,
                  "Receiver position LAT,LON (degrees): needed for surface positions");
  dec->add_flag("--summary", opts->quiet, "Print only the counts, not the messages");
  dec->add_option("--max-errors", opts->max_errors, "Problems printed before summarising");
  dec->callback([&run, opts] { run = [opts] { return run_decode(*opts); }; });
}

}  // namespace picket::app

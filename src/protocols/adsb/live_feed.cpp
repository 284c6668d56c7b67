#include "picket/protocols/adsb/live_feed.h"

#include "picket/protocols/adsb/modes.h"

namespace picket::adsb {

struct LiveFeed::Impl {
  Impl(Kind k, std::string s, PositionOptions p, DetectionFn d, IssueFn i, LiveFeedStats& st)
      : kind(k),
        sensor(std::move(s)),
        popt(p),
        positions(p),
        on_detection(std::move(d)),
        on_issue(std::move(i)),
        stats(st) {
    make_parsers();
  }

  Kind kind;
  std::string sensor;
  PositionOptions popt;
  PositionDecoder positions;
  DetectionFn on_detection;
  IssueFn on_issue;
  LiveFeedStats& stats;
  std::unordered_map<std::uint32_t, std::string> callsigns;
  std::unique_ptr<BeastParser> beast;
  std::unique_ptr<LineSplitter> lines;
  double now = 0;

  void make_parsers() {
    auto issue = [this](const FeedIssue& i) {
      ++stats.rejected;
      if (on_issue) on_issue(i);
    };
    if (kind == Kind::beast) {
      beast = std::make_unique<BeastParser>([this](const BeastFrame& f) { frame(f); }, issue);
    } else {
      lines = std::make_unique<LineSplitter>(
          [this, issue](std::string_view line, std::uint64_t number, bool cut) {
            sbs_line(line, number, cut, issue);
          });
    }
  }

  std::optional<std::string> callsign_of(std::uint32_t icao) const {
    auto it = callsigns.find(icao);
    if (it == callsigns.end()) return std::nullopt;
    return it->second;
  }

  void remember(std::uint32_t icao, const std::string& cs) {
    if (callsigns.size() >= LiveFeed::max_aircraft && !callsigns.contains(icao)) callsigns.clear();
    callsigns[icao] = cs;
  }

  void frame(const BeastFrame& f) {
    ++stats.items;
    if (!f.is_mode_s()) return;
    auto m = decode(f.frame());
    if (!m) {
      ++stats.rejected;
      if (on_issue) on_issue(FeedIssue{f.offset, m.error().message(), false});
      return;
    }
    if (m->df != 17 && m->df != 18) return;
    if (!m->crc_ok) {
      ++stats.crc_failed;
      return;
    }
    if (const auto* id = std::get_if<Identification>(&m->es)) {
      remember(m->icao, id->callsign);
    } else if (const auto* p = std::get_if<AirbornePosition>(&m->es)) {
      if (auto fix = positions.airborne(m->icao, now, *p)) {
        emit(fix_detection(m->icao, *fix, p, now, sensor, callsign_of(m->icao)));
      }
    } else if (const auto* s = std::get_if<SurfacePosition>(&m->es)) {
      if (auto fix = positions.surface(m->icao, now, *s)) {
        emit(fix_detection(m->icao, *fix, nullptr, now, sensor, callsign_of(m->icao)));
      }
    }
  }

  template <class Issue>
  void sbs_line(std::string_view line, std::uint64_t number, bool cut, const Issue& issue) {
    if (line.empty()) return;
    ++stats.items;
    if (cut) {
      issue(FeedIssue{number, "line too long", true});
      return;
    }
    auto m = parse_sbs(line);
    if (!m) {
      issue(FeedIssue{number, m.error().message(), true});
      return;
    }
    if (m->kind != "MSG") return;
    if (m->callsign && !m->callsign->empty()) remember(m->icao, *m->callsign);
    m->time = now;  // arrival time (see the header)
    if (auto c = sbs_detection(*m, sensor, callsign_of(m->icao))) emit(std::move(*c));
  }

  void emit(CooperativeDetection&& c) {
    ++stats.detections;
    on_detection(std::move(c));
  }
};

LiveFeed::LiveFeed(Kind kind, std::string sensor, PositionOptions positions,
                   DetectionFn on_detection, IssueFn on_issue)
    : impl_(std::make_unique<Impl>(kind, std::move(sensor), positions, std::move(on_detection),
                                   std::move(on_issue), stats_)) {}

LiveFeed::~LiveFeed() = default;

void LiveFeed::feed(std::span<const std::uint8_t> data, double now) {
  stats_.octets += data.size();
  impl_->now = now;
  if (impl_->beast) {
    impl_->beast->feed(data);
  } else {
    impl_->lines->feed(data);
  }
}

void LiveFeed::reset() {
  impl_->beast.reset();
  impl_->lines.reset();
  impl_->make_parsers();
}

}  // namespace picket::adsb

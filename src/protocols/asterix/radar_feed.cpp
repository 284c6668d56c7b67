#include "picket/protocols/asterix/radar_feed.h"

#include <cmath>
#include <map>
#include <type_traits>
#include <variant>

#include "picket/protocols/asterix/stream.h"

namespace picket::asterix {

namespace {

double tod_of(double unix_s) {
  const double tod = std::fmod(unix_s, 86400.0);
  return tod < 0 ? tod + 86400.0 : tod;
}

// Packs records of one category into blocks of at most max_block octets.
template <class R>
void pack(int cat, const std::vector<R>& records, std::size_t max_block, std::vector<Bytes>& out) {
  Bytes block;
  std::size_t first = 0;
  while (first < records.size()) {
    // Grow the block record by record; a record that does not fit starts the next block.
    std::size_t n = 0;
    Bytes trial;
    while (first + n < records.size()) {
      trial.clear();
      if (!encode_block<R>(cat, std::span<const R>(records.data() + first, n + 1), trial).ok())
        break;
      if (trial.size() > max_block && n > 0) break;
      block.swap(trial);
      ++n;
    }
    if (n == 0) {  // a record that cannot be encoded at all: drop it
      ++first;
      continue;
    }
    out.push_back(std::move(block));
    block.clear();
    first += n;
  }
}

}  // namespace

cat034::ed1_29::Record cat034_north_marker(DataSource src, double t, double rotation_period_s) {
  cat034::ed1_29::Record r;
  r.i010.emplace() = {src.sac, src.sic};
  r.i000.emplace().value = 1;  // north marker
  r.i030.emplace().set_value_s(tod_of(t));
  if (rotation_period_s > 0) r.i041.emplace().set_value_s(rotation_period_s);
  return r;
}

cat034::ed1_29::Record cat034_sector_crossing(DataSource src, double t, double azimuth_deg) {
  cat034::ed1_29::Record r;
  r.i010.emplace() = {src.sac, src.sic};
  r.i000.emplace().value = 2;  // sector crossing
  r.i030.emplace().set_value_s(tod_of(t));
  double a = std::fmod(azimuth_deg, 360.0);
  if (a < 0) a += 360.0;
  r.i020.emplace().value =
      static_cast<std::uint8_t>(static_cast<long>(std::lround(a / 1.40625)) & 0xFF);
  return r;
}

std::optional<cat010::ed1_1::Record> detection_to_cat010(const Detection& d, DataSource src) {
  const auto* polar = std::get_if<PolarMeasurement>(&d.measurement);
  if (polar == nullptr || !(polar->range >= 0) || polar->range > 65535.0) return std::nullopt;
  cat010::ed1_1::Record r;
  r.i010.emplace() = {src.sac, src.sic};
  r.i000.emplace().value = 1;  // target report
  r.i020.emplace().typ = 3;    // PSR
  r.i140.emplace().set_value_s(tod_of(d.t));
  auto& i040 = r.i040.emplace();
  i040.set_rho_m(polar->range);
  double deg = std::fmod(polar->bearing / kDegree, 360.0);
  if (deg < 0) deg += 360.0;
  i040.th =
      static_cast<std::uint16_t>(static_cast<long>(std::lround(deg * 65536.0 / 360.0)) & 0xFFFF);
  if (d.sensor_track) {
    char* end = nullptr;
    const long n = std::strtol(d.sensor_track->c_str(), &end, 10);
    if (end != d.sensor_track->c_str() && *end == '\0' && n >= 0 && n < 4096)
      r.i161.emplace().trk = static_cast<std::uint16_t>(n);
  }
  return r;
}

bool RadarFeedWriter::add_plot(const Detection& d) {
  if (o_.category == 10) {
    auto r = detection_to_cat010(d, o_.source);
    if (!r) return false;
    c10_.push_back(std::move(*r));
    return true;
  }
  auto r = detection_to_cat048(d, o_.source.sac, o_.source.sic);
  if (!r) return false;
  c48_.push_back(std::move(*r));
  return true;
}

void RadarFeedWriter::add_rotation(double a0, double t0, double a1, double t1, double period_s) {
  if (!(a1 > a0) || !(t1 >= t0)) return;
  const int n = o_.sectors > 0 ? o_.sectors : 1;
  const double step = 360.0 / n;
  // Boundaries crossed in (a0, a1]: k * step.
  for (double k = std::floor(a0 / step) + 1; k * step <= a1; k += 1) {
    const double a = k * step;
    const double t = t0 + (t1 - t0) * (a - a0) / (a1 - a0);
    const long sector = static_cast<long>(k) % n;
    if (sector == 0) {
      service_.push_back(cat034_north_marker(o_.source, t, period_s));
    } else if (o_.sectors > 0) {
      service_.push_back(cat034_sector_crossing(o_.source, t, a));
    }
  }
}

std::vector<Bytes> RadarFeedWriter::take_blocks() {
  std::vector<Bytes> out;
  pack(34, service_, o_.max_block, out);
  pack(48, c48_, o_.max_block, out);
  pack(10, c10_, o_.max_block, out);
  service_.clear();
  c48_.clear();
  c10_.clear();
  return out;
}

// --- Receiving --------------------------------------------------------------------------------

struct RadarFeedReader::Impl final : RecordSink {
  Impl(Options o, DetectionFn d, IssueFn i, RadarFeedStats& s)
      : opt(std::move(o)),
        decoder(opt.editions),
        on_detection(std::move(d)),
        on_issue_fn(std::move(i)),
        stats(s),
        radars(opt.radars.size()) {}

  struct RadarState {
    double last_health = -1e300;
    bool nogo = false;
  };

  Options opt;
  Decoder decoder;
  DetectionFn on_detection;
  IssueFn on_issue_fn;
  RadarFeedStats& stats;
  std::vector<RadarState> radars;
  std::uint64_t offset = 0;
  double now = 0;

  // The radar a record belongs to, or -1.
  template <class I010>
  int route(const std::optional<I010>& id) const {
    int fallback = -1;
    for (std::size_t i = 0; i < opt.radars.size(); ++i) {
      const auto& r = opt.radars[i];
      if (!r.source) {
        if (fallback < 0) fallback = static_cast<int>(i);
      } else if (id && r.source->sac == id->sac && r.source->sic == id->sic) {
        return static_cast<int>(i);
      }
    }
    return fallback;
  }

  void on_record(const RecordMeta& meta, const AnyRecord& record) override {
    ++stats.records;
    std::visit([&](const auto& r) { handle(meta.category, r); }, record);
  }

  void on_issue(const Issue& issue) override {
    if (issue.severity == Severity::error) ++stats.rejected_blocks;
    if (on_issue_fn) on_issue_fn(issue);
  }

  template <class R>
  void handle(int cat, const R& r) {
    constexpr bool is48 = requires {
      r.i040->rho_nm();
    };
    constexpr bool is10 = requires {
      r.i040->rho_m();
    };
    constexpr bool is34 = requires {
      r.i030->value_s();
      r.i000->value;
      r.i050->com;
    };
    if (!((is48 && cat == 48) || (is10 && cat == 10) || (is34 && cat == 34))) {
      ++stats.ignored;
      return;
    }
    if constexpr (is48 || is10) {
      const int i = route(r.i010);
      if (i < 0) {
        ++stats.unrouted;
        return;
      }
      if (const int want = opt.radars[static_cast<std::size_t>(i)].category;
          want != 0 && want != cat) {
        ++stats.ignored;
        return;
      }
      TodClock clock(now);
      std::optional<Detection> d;
      if constexpr (is48) {
        d = cat048_detection(r, opt.radars[static_cast<std::size_t>(i)].sensor, clock);
      } else {
        d = cat010_detection(r, opt.radars[static_cast<std::size_t>(i)].sensor, clock);
      }
      if (!d) {
        ++stats.ignored;
        return;
      }
      ++stats.plots;
      on_detection(std::move(*d));
    } else if constexpr (is34) {
      const int i = route(r.i010);
      if (i < 0) {
        ++stats.unrouted;
        return;
      }
      ++stats.service;
      auto& st = radars[static_cast<std::size_t>(i)];
      if (r.i050 && r.i050->com) st.nogo = r.i050->com->nogo != 0;
      if (!r.i000 || (r.i000->value != 1 && r.i000->value != 2) || !r.i030) return;
      const double t = full_time_from_tod(r.i030->value_s(), now);
      if (t - st.last_health < opt.health_interval_s) return;
      st.last_health = t;
      Detection d;
      d.t = t;
      d.sensor = opt.radars[static_cast<std::size_t>(i)].sensor;
      d.status = st.nogo ? SensorStatus::fault : SensorStatus::heartbeat;
      ++stats.health_reports;
      on_detection(std::move(d));
    } else {
      ++stats.ignored;
    }
  }
};

RadarFeedReader::RadarFeedReader(Options options, DetectionFn on_detection, IssueFn on_issue)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(on_detection), std::move(on_issue),
                                   stats_)) {}

RadarFeedReader::~RadarFeedReader() = default;

void RadarFeedReader::feed(std::span<const std::uint8_t> payload, double now) {
  auto& s = *impl_;
  ++stats_.datagrams;
  stats_.octets += payload.size();
  s.now = now;
  const std::uint64_t blocks_before = s.decoder.stats().blocks;
  BlockReader reader(payload, s.offset);
  decode_stream(reader, s.decoder, s);
  stats_.blocks += s.decoder.stats().blocks - blocks_before;
  s.offset += payload.size();
}

const DecodeStats& RadarFeedReader::decode_stats() const {
  return impl_->decoder.stats();
}

}  // namespace picket::asterix

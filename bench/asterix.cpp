// Throughput of the ASTERIX and ADS-B decoders on the real recordings (tests/data), replicated
// into large inputs: records (or frames) per second and bytes per second on one core.
//
//   build/release/bench/bench_asterix [--benchmark_filter=Cat048]
//
// Results and the machine are in docs/performance.md ("Protocols").
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "picket/protocols/adsb/commb.h"
#include "picket/protocols/adsb/feeds.h"
#include "picket/protocols/adsb/positions.h"
#include "picket/protocols/asterix/decoder.h"
#include "picket/protocols/asterix/radar_feed.h"
#include "picket/protocols/asterix/stream.h"
#include "picket/protocols/pcap.h"

namespace {

using namespace picket;

std::string data_path(const std::string& rel) {
  const char* env = std::getenv("PICKET_SOURCE_DIR");
  return std::string(env ? env : PICKET_SOURCE_DIR) + "/tests/data/" + rel;
}

std::string shared_path(const std::string& rel) {
  if (const char* env = std::getenv("PICKET_SHARED_DIR")) return std::string(env) + "/" + rel;
  const char* src = std::getenv("PICKET_SOURCE_DIR");
  return std::string(src ? src : PICKET_SOURCE_DIR) + "/../shared/" + rel;
}

// The data blocks of one category carried by a capture's UDP payloads, back to back.
asterix::Bytes blocks_of(const std::string& pcap, int cat) {
  asterix::Bytes out;
  auto r = protocols::PcapReader::open(pcap);
  if (!r) return out;
  while (auto d = r->next()) {
    std::size_t i = 0;
    const auto& p = d->payload;
    while (i + 3 <= p.size()) {
      const std::size_t len = (std::size_t{p[i + 1]} << 8) | p[i + 2];
      if (len < 3 || i + len > p.size()) break;
      if (p[i] == cat)
        out.insert(out.end(), p.begin() + static_cast<long>(i),
                   p.begin() + static_cast<long>(i + len));
      i += len;
    }
  }
  return out;
}

asterix::Bytes replicate(const asterix::Bytes& unit, std::size_t target) {
  asterix::Bytes out;
  if (unit.empty()) return out;
  out.reserve(target + unit.size());
  while (out.size() < target)
    out.insert(out.end(), unit.begin(), unit.end());
  return out;
}

asterix::Bytes read_all(const std::string& path) {
  asterix::Bytes b;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::uint8_t buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
      b.insert(b.end(), buf, buf + n);
    std::fclose(f);
  }
  return b;
}

class CountingSink : public asterix::RecordSink {
 public:
  std::uint64_t records = 0, issues = 0;
  void on_record(const asterix::RecordMeta&, const asterix::AnyRecord&) override { ++records; }
  void on_issue(const asterix::Issue&) override { ++issues; }
};

void decode_buffer(benchmark::State& state, const asterix::Bytes& data,
                   asterix::EditionMap editions = {}) {
  if (data.empty()) {
    state.SkipWithError("no input data");
    return;
  }
  std::uint64_t records = 0;
  for (auto _ : state) {
    asterix::Decoder decoder(editions);
    CountingSink sink;
    asterix::BlockReader reader(data);
    asterix::decode_stream(reader, decoder, sink);
    if (sink.issues) state.SkipWithError("decode errors");
    records += sink.records;
    benchmark::DoNotOptimize(sink.records);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(records));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  state.counters["records_per_iteration"] =
      static_cast<double>(records) / static_cast<double>(state.iterations());
}

// 86 CAT048 blocks (128 records, 45-56 octets each) of the real Croatia Control capture,
// replicated to 64 MB.
void BM_Cat048Decode(benchmark::State& state) {
  static const auto data =
      replicate(blocks_of(data_path("asterix/croatiacontrol/cat_034_048.pcap"), 48), 64 << 20);
  decode_buffer(state, data);
}
BENCHMARK(BM_Cat048Decode)->Unit(benchmark::kMillisecond);

// The same with the edition of the reference decode (1.27): a smaller record struct.
void BM_Cat048DecodeEdition127(benchmark::State& state) {
  static const auto data =
      replicate(blocks_of(data_path("asterix/croatiacontrol/cat_034_048.pcap"), 48), 64 << 20);
  asterix::EditionMap e;
  (void)e.set("48=1.27");
  decode_buffer(state, data, e);
}
BENCHMARK(BM_Cat048DecodeEdition127)->Unit(benchmark::kMillisecond);

void BM_Cat034Decode(benchmark::State& state) {
  static const auto data =
      replicate(blocks_of(data_path("asterix/croatiacontrol/cat_034_048.pcap"), 34), 16 << 20);
  decode_buffer(state, data);
}
BENCHMARK(BM_Cat034Decode)->Unit(benchmark::kMillisecond);

// Two CAT062 system tracks of 79 octets (with I062/380 and I062/340 compounds).
void BM_Cat062Decode(benchmark::State& state) {
  static const auto data =
      replicate(blocks_of(data_path("asterix/croatiacontrol/cat_062_065.pcap"), 62), 32 << 20);
  decode_buffer(state, data);
}
BENCHMARK(BM_Cat062Decode)->Unit(benchmark::kMillisecond);

// Two CAT021 ADS-B reports with a Reserved Expansion Field.
void BM_Cat021Decode(benchmark::State& state) {
  static const auto data =
      replicate(read_all(data_path("asterix/croatiacontrol/cat21_re.ast")), 16 << 20);
  decode_buffer(state, data);
}
BENCHMARK(BM_Cat021Decode)->Unit(benchmark::kMillisecond);

// Encoding the CAT048 records of the capture into blocks.
void BM_Cat048Encode(benchmark::State& state) {
  static const auto records = [] {
    std::vector<asterix::AnyRecord> out;
    const auto data = blocks_of(data_path("asterix/croatiacontrol/cat_034_048.pcap"), 48);
    struct Keep : asterix::RecordSink {
      std::vector<asterix::AnyRecord>* out;
      void on_record(const asterix::RecordMeta&, const asterix::AnyRecord& r) override {
        out->push_back(r);
      }
      void on_issue(const asterix::Issue&) override {}
    } sink;
    sink.out = &out;
    asterix::Decoder d;
    asterix::BlockReader reader(data);
    asterix::decode_stream(reader, d, sink);
    return out;
  }();
  asterix::Bytes out;
  std::uint64_t n = 0, bytes = 0;
  for (auto _ : state) {
    out.clear();
    for (std::size_t i = 0; i < records.size(); i += 8) {
      const std::size_t k = std::min<std::size_t>(8, records.size() - i);
      if (!asterix::encode_block_any(48, {records.data() + i, k}, out).ok())
        state.SkipWithError("encode failed");
    }
    n += records.size();
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_Cat048Encode);

// --- ADS-B -------------------------------------------------------------------------------------

// The real Beast capture (239 frames) replicated to 16 MB: framing, unescaping and decoding.
void BM_BeastDecode(benchmark::State& state) {
  static const auto data = replicate(read_all(data_path("adsb/sample_dump1090.bin")), 16 << 20);
  std::uint64_t frames = 0;
  for (auto _ : state) {
    std::uint64_t decoded = 0;
    adsb::BeastParser p(
        [&](const adsb::BeastFrame& f) {
          auto m = adsb::decode(f.frame());
          decoded += m.ok();
        },
        nullptr);
    p.feed(data);
    p.finish();
    frames += p.stats().frames;
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(frames));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_BeastDecode)->Unit(benchmark::kMillisecond);

std::vector<adsb::Frame> frames_of(const std::string& csv) {
  std::vector<adsb::Frame> out;
  adsb::FeedStats stats;
  (void)adsb::read_feed(
      csv, adsb::FeedFormat::hex, [&](const adsb::FeedItem& it) { out.push_back(*it.frame); },
      nullptr, stats);
  return out;
}

// pyModeS's 2000 DF17 messages: CRC, type code decoding and CPR positions.
void BM_ExtendedSquitterWithPositions(benchmark::State& state) {
  static const auto frames =
      frames_of(shared_path("data/adsb/junzis_pyModeS/tests/data/sample_data_adsb.csv"));
  if (frames.empty()) {
    state.SkipWithError("no input data");
    return;
  }
  std::uint64_t n = 0;
  for (auto _ : state) {
    adsb::PositionDecoder pos;
    double t = 0;
    std::uint64_t fixes = 0;
    for (const auto& f : frames) {
      auto m = adsb::decode(f);
      if (const auto* p = std::get_if<adsb::AirbornePosition>(&m->es))
        fixes += pos.airborne(m->icao, t, *p).has_value();
      t += 0.5;
    }
    n += frames.size();
    benchmark::DoNotOptimize(fixes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_ExtendedSquitterWithPositions);

// pyModeS's 10000 DF20/21 replies: address recovery and Comm-B register inference.
void BM_CommBInference(benchmark::State& state) {
  static const auto frames = [] {
    auto a =
        frames_of(shared_path("data/adsb/junzis_pyModeS/tests/data/sample_data_commb_df20.csv"));
    auto b =
        frames_of(shared_path("data/adsb/junzis_pyModeS/tests/data/sample_data_commb_df21.csv"));
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }();
  if (frames.empty()) {
    state.SkipWithError("no input data");
    return;
  }
  std::uint64_t n = 0;
  for (auto _ : state) {
    std::size_t found = 0;
    for (const auto& f : frames) {
      auto m = adsb::decode(f);
      found += adsb::commb::infer_bds(*m->mb, m->df, m->altitude_ft).size();
    }
    n += frames.size();
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
}
BENCHMARK(BM_CommBInference);

// The daemon's ASTERIX input without the socket: datagrams (as `picket simulate --asterix-udp`
// makes them: CAT048 plots with Doppler and track number, CAT034 north markers and sectors,
// blocks of at most 1400 octets) through RadarFeedReader to Detections of two radars routed by
// SAC/SIC. Items: plots.
void BM_RadarFeedReader(benchmark::State& state) {
  static const auto datagrams = [] {
    std::vector<asterix::Bytes> out;
    for (std::uint8_t sic : {1, 2}) {
      asterix::RadarFeedWriter w({asterix::DataSource{7, sic}, 48, 1400, 16});
      for (int i = 0; i < 20000; ++i) {
        Detection d;
        d.t = 1.8e9 + i * 0.01;
        d.measurement = PolarMeasurement{100.0 + (i * 37) % 9000, (i * 0.7), std::nullopt};
        d.doppler = (i % 21) - 10.0;
        d.sensor_track = std::to_string(i % 4000);
        w.add_plot(d);
        if (i % 100 == 99) {
          w.add_rotation(i * 3.6 - 360, 1.8e9 + i * 0.01 - 1, i * 3.6, 1.8e9 + i * 0.01, 1.0);
          for (auto& b : w.take_blocks())
            out.push_back(std::move(b));
        }
      }
    }
    return out;
  }();
  asterix::RadarFeedReader::Options o;
  o.radars = {{"a", asterix::DataSource{7, 1}, 48}, {"b", asterix::DataSource{7, 2}, 48}};
  std::uint64_t plots = 0, bytes = 0;
  asterix::RadarFeedReader reader(
      std::move(o), [&](Detection&& d) { plots += d.status == SensorStatus::none; },
      [](const asterix::Issue&) {});
  for (auto _ : state) {
    for (const auto& dg : datagrams) {
      reader.feed(dg, 1.8e9 + 100);
      bytes += dg.size();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(plots));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_RadarFeedReader)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

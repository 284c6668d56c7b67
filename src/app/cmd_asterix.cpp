// picket asterix decode FILE: ASTERIX data blocks (a raw recording, or UDP in a pcap/pcapng
// capture) printed as JSON Lines, one record per line; counts and problems on stderr.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "commands.h"
#include "picket/protocols/asterix/decoder.h"
#include "picket/protocols/asterix/stream.h"
#include "picket/protocols/pcap.h"

namespace picket::app {

namespace {

struct AsterixOptions {
  std::string file;
  std::vector<std::string> editions;
  std::string format = "auto";
  bool quiet = false;  // no records, only the summary
  int max_errors = 20;
  bool list = false;
};

class JsonlSink : public asterix::RecordSink {
 public:
  JsonlSink(bool print, int max_errors) : print_(print), max_errors_(max_errors) {
    line_.reserve(4096);
  }
  void on_record(const asterix::RecordMeta& m, const asterix::AnyRecord& rec) override {
    if (!print_) return;
    line_.clear();
    line_ += fmt::format("{{\"offset\":{},\"length\":{},\"cat\":{},\"edition\":\"{}\"", m.offset,
                         m.length, m.category, m.edition->edition);
    if (has_time_) line_ += fmt::format(",\"capture_time\":{:.6f}", time_);
    line_ += ',';
    std::string items;
    asterix::record_to_json(rec, items);
    // record_to_json gives {...}: splice its members into this object.
    line_.append(items, 1, std::string::npos);
    line_ += '\n';
    if (std::fwrite(line_.data(), 1, line_.size(), stdout) != line_.size()) write_failed_ = true;
  }
  void on_issue(const asterix::Issue& issue) override {
    if (issue.severity == asterix::Severity::error) {
      ++errors_;
    } else {
      ++warnings_;
    }
    if (errors_ + warnings_ <= max_errors_) {
      fmt::print(stderr, "picket: {}{}: {}\n", prefix_,
                 issue.severity == asterix::Severity::error ? "error" : "warning", issue.message());
    }
  }
  void set_time(double t) {
    has_time_ = true;
    time_ = t;
  }
  void set_prefix(std::string p) { prefix_ = std::move(p); }
  long errors() const { return errors_; }
  long warnings() const { return warnings_; }
  bool write_failed() const { return write_failed_; }
  int max_errors() const { return max_errors_; }

 private:
  bool print_;
  int max_errors_;
  std::string line_;
  std::string prefix_;
  bool has_time_ = false;
  double time_ = 0;
  long errors_ = 0;
  long warnings_ = 0;
  bool write_failed_ = false;
};

int list_editions() {
  for (int cat : asterix::kSupportedCategories) {
    std::string eds;
    for (const auto* e : asterix::editions_of(cat))
      eds += fmt::format(" {}{}", e->edition, e->latest ? " (default)" : "");
    fmt::print("CAT{:03}:{}\n", cat, eds);
  }
  return kExitOk;
}

int run_decode(const AsterixOptions& o) {
  if (o.list) return list_editions();
  if (o.file.empty()) {
    fmt::print(stderr, "picket asterix decode: FILE is required\n");
    return kExitUsage;
  }
  asterix::EditionMap editions;
  for (const auto& e : o.editions) {
    if (auto st = editions.set(e); !st) {
      fmt::print(stderr, "picket: {}\n", st.error().message());
      return kExitUsage;
    }
  }
  std::string format = o.format;
  if (format == "auto") {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "picket: cannot open {}\n", o.file);
      return kExitUsage;
    }
    std::uint8_t head[4] = {};
    in.read(reinterpret_cast<char*>(head), 4);
    format =
        protocols::looks_like_pcap({head, static_cast<std::size_t>(in.gcount())}) ? "pcap" : "raw";
  }
  JsonlSink sink(!o.quiet, o.max_errors);
  asterix::Decoder decoder(editions);
  protocols::PcapStats pcap_stats;
  bool io_failed = false;
  if (format == "pcap") {
    auto reader = protocols::PcapReader::open(o.file);
    if (!reader) {
      fmt::print(stderr, "picket: {}\n", reader.error().message());
      return kExitUsage;
    }
    while (auto d = reader->next()) {
      sink.set_time(d->time);
      asterix::BlockReader blocks(d->payload, d->offset);
      asterix::decode_stream(blocks, decoder, sink);
    }
    pcap_stats = reader->stats();
    if (reader->error()) {
      ++decoder.stats().bad_framing;
      fmt::print(stderr, "picket: error: {}\n", reader->error()->message());
      sink.on_issue({asterix::Severity::error, reader->position(), -1, "pcap", "damaged"});
    }
  } else if (format == "raw") {
    auto reader = asterix::BlockReader::open(o.file);
    if (!reader) {
      fmt::print(stderr, "picket: {}\n", reader.error().message());
      return kExitUsage;
    }
    asterix::decode_stream(*reader, decoder, sink);
    if (reader->io_error()) {
      fmt::print(stderr, "picket: {}\n", reader->io_error()->message());
      io_failed = true;
    }
  } else {
    fmt::print(stderr, "picket: --format must be auto, raw or pcap, not '{}'\n", format);
    return kExitUsage;
  }
  if (std::fflush(stdout) != 0 || sink.write_failed()) {
    fmt::print(stderr, "picket: writing the records failed\n");
    io_failed = true;
  }
  const auto& s = decoder.stats();
  if (sink.errors() + sink.warnings() > sink.max_errors()) {
    fmt::print(stderr, "picket: ... {} more problems not shown\n",
               sink.errors() + sink.warnings() - sink.max_errors());
  }
  std::string by_cat;
  for (const auto& [cat, n] : s.records_by_category)
    by_cat += fmt::format(" CAT{:03} {}", cat, n);
  std::string unsupported;
  for (const auto& [cat, n] : s.unsupported_by_category)
    unsupported += fmt::format(" CAT{:03} {}", cat, n);
  fmt::print(
      stderr,
      "picket: {}: {} blocks, {} records decoded ({}), {} rejected, {} octets skipped, "
      "{} framing errors, {} warnings{}\n",
      o.file, s.blocks, s.records, by_cat.empty() ? "none" : by_cat.substr(1), s.rejected_records,
      s.skipped_octets, s.bad_framing, s.warnings,
      unsupported.empty() ? "" : "; blocks of unsupported categories skipped:" + unsupported);
  if (format == "pcap") {
    fmt::print(stderr,
               "picket: capture: {} packets, {} UDP, {} not UDP, {} IP fragments and {} "
               "truncated packets skipped\n",
               pcap_stats.packets, pcap_stats.udp, pcap_stats.not_udp, pcap_stats.fragments,
               pcap_stats.truncated);
  }
  if (io_failed) return kExitFailure;
  return sink.errors() > 0 ? kExitUsage : kExitOk;
}

}  // namespace

void add_asterix_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand("asterix", "ASTERIX radar surveillance data");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<AsterixOptions>();
  auto* dec = cmd->add_subcommand(
      "decode",
      "Decode ASTERIX data blocks (raw recording or pcap/pcapng of UDP) to JSON Lines on "
      "stdout; counts and errors with byte offsets on stderr. Exit 0: all decoded; 2: bad "
      "input (some records rejected); 1: I/O failure");
  dec->add_option("FILE", opts->file, "Raw block stream or pcap/pcapng capture");
  dec->add_option("--edition", opts->editions,
                  "Category edition, CAT=EDITION (repeatable), e.g. 48=1.31; default: latest");
  dec->add_option("--format", opts->format, "auto (by magic number), raw or pcap");
  dec->add_flag("--summary", opts->quiet, "Print only the counts, not the records");
  dec->add_option("--max-errors", opts->max_errors, "Problems printed before summarising");
  dec->add_flag("--list-editions", opts->list, "List the supported categories and editions");
  dec->callback([&run, opts] { run = [opts] { return run_decode(*opts); }; });
}

}  // namespace picket::app

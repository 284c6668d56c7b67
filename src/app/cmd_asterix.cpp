// picket asterix decode FILE: ASTERIX data blocks (a raw recording, or UDP in a pcap/pcapng
// capture) printed as JSON Lines, one record per line; counts and problems on stderr.
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

#include "commands.h"
#include "picket/protocols/asterix/decoder.h"
#include "picket/protocols/asterix/stream.h"

namespace picket::app {

namespace {

struct AsterixOptions {
  std::string file;
  std::vector<std::string> editions;
  std::string format = "auto";
  bool quiet = false;  // no records, only the summary
  bool raw = false;    // quantities as raw integers
  int max_errors = 20;
  bool list = false;
};

class JsonlSink : public asterix::RecordSink {
 public:
  JsonlSink(bool print, bool raw, int max_errors)
      : print_(print), raw_(raw), max_errors_(max_errors) {
    line_.reserve(4096);
  }
  void on_record(const asterix::RecordMeta& m, const asterix::AnyRecord& rec) override {
    if (!print_) return;
    line_.clear();
    line_ += fmt::format("{{\"offset\":{},\"length\":{},\"cat\":{},\"edition\":\"{}\"", m.offset,
                         m.length, m.category, m.edition->edition);
    if (!std::isnan(m.capture_time))
      line_ += fmt::format(",\"capture_time\":{:.6f}", m.capture_time);
    line_ += ',';
    std::string items;
    asterix::record_to_json(rec, items, raw_);
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
      fmt::print(stderr, "picket: {}: {}\n",
                 issue.severity == asterix::Severity::error ? "error" : "warning", issue.message());
    }
  }
  long errors() const { return errors_; }
  long warnings() const { return warnings_; }
  bool write_failed() const { return write_failed_; }
  int max_errors() const { return max_errors_; }

 private:
  bool print_;
  bool raw_;
  int max_errors_;
  std::string line_;
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
  auto format = asterix::parse_input_format(o.format);
  if (!format) {
    fmt::print(stderr, "picket: {}\n", format.error().message());
    return kExitUsage;
  }
  JsonlSink sink(!o.quiet, o.raw, o.max_errors);
  asterix::Decoder decoder(editions);
  auto report = asterix::decode_file(o.file, *format, decoder, sink);
  if (!report) {
    fmt::print(stderr, "picket: {}\n", report.error().message());
    return kExitUsage;
  }
  bool io_failed = false;
  bool damaged = false;
  if (report->io_error) {
    fmt::print(stderr, "picket: error: {}\n", report->io_error->message());
    // A damaged capture is bad input; a failing read is an I/O failure.
    (report->format == asterix::InputFormat::pcap ? damaged : io_failed) = true;
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
  if (report->format == asterix::InputFormat::pcap) {
    fmt::print(stderr,
               "picket: capture: {} packets, {} UDP, {} not UDP, {} IP fragments and {} "
               "truncated packets skipped\n",
               report->packets, report->udp, report->not_udp, report->fragments, report->truncated);
  }
  if (io_failed) return kExitFailure;
  return sink.errors() > 0 || damaged ? kExitUsage : kExitOk;
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
                  "Category edition, CAT=EDITION (repeatable), e.g. 48=1.31; default: latest")
      ->allow_extra_args(false);
  dec->add_option("--format", opts->format,
                  "auto (pcap/pcapng by magic number, else raw), raw, pcap, or gps (raw blocks "
                  "with a 2200-octet file header and a 10-octet trailer per block)");
  dec->add_flag("--raw", opts->raw, "Print quantities as their raw integers");
  dec->add_flag("--summary", opts->quiet, "Print only the counts, not the records");
  dec->add_option("--max-errors", opts->max_errors, "Problems printed before summarising");
  dec->add_flag("--list-editions", opts->list, "List the supported categories and editions");
  dec->callback([&run, opts] { run = [opts] { return run_decode(*opts); }; });
}

}  // namespace picket::app

// Fuzz target: any bytes as a file given to `picket asterix decode`, through decode_file, the
// same path as the command: format detection (pcap/pcapng magic or raw), the pcap/pcapng reader
// (classic in either byte order, pcapng blocks, link layers, IPv4/IPv6, UDP), the CroatiaControl
// "GPS" wrapping, and the file-window BlockReader. The first octet chooses the input format
// (automatic, raw, pcap, gps) and each category's edition; the rest is the file, held in a
// memfd so nothing touches the disk.
//
// Oracles besides the sanitizers: every decoded record encodes and decodes back to itself; for
// raw and GPS input, framing the file through the reader's window gives exactly the records and
// issues (offsets, categories, lengths) that framing the same bytes in memory gives; a pcap
// reader's counts are consistent (UDP + not UDP + fragments + truncated <= packets).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "picket/protocols/asterix/decoder.h"
#include "picket/protocols/asterix/stream.h"

namespace {

namespace ax = picket::asterix;

class Sink : public ax::RecordSink {
 public:
  void on_record(const ax::RecordMeta& meta, const ax::AnyRecord& record) override {
    ax::Bytes bytes;
    if (!ax::encode_record(record, bytes).ok()) __builtin_trap();
    auto back = ax::decode_record(*meta.edition, bytes);
    if (!back.ok() || !(*back == record)) __builtin_trap();
    mix(meta.offset);
    mix(meta.length);
    mix(static_cast<std::uint64_t>(meta.category));
    ++records;
  }
  void on_issue(const ax::Issue& issue) override {
    mix(issue.offset ^ 0x5bd1e995u);
    mix(static_cast<std::uint64_t>(issue.category + 1));
    message = issue.message();
    ++issues;
  }
  void mix(std::uint64_t v) { hash = (hash ^ v) * 0x100000001b3ull; }

  std::uint64_t hash = 0xcbf29ce484222325ull, records = 0, issues = 0;
  std::string message;
};

ax::EditionMap pick_editions(unsigned pick) {
  ax::EditionMap editions;
  for (int cat : ax::kSupportedCategories) {
    const auto eds = ax::editions_of(cat);
    (void)editions.set(cat, eds[pick % eds.size()]->edition);
    pick /= static_cast<unsigned>(eds.size());
  }
  return editions;
}

// One memfd for the process, rewritten for every input.
int memfd() {
  static const int fd = [] {
    const int f = memfd_create("asterix_file", 0);
    if (f < 0) std::abort();
    return f;
  }();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  const std::span<const std::uint8_t> file(data + 1, size - 1);
  const int fd = memfd();
  if (ftruncate(fd, 0) != 0) std::abort();
  std::size_t done = 0;
  while (done < file.size()) {
    const auto n = pwrite(fd, file.data() + done, file.size() - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  static constexpr ax::InputFormat kFormats[] = {ax::InputFormat::automatic, ax::InputFormat::raw,
                                                 ax::InputFormat::pcap, ax::InputFormat::gps};
  const ax::InputFormat format = kFormats[selector & 3];
  const unsigned pick = selector >> 2;

  ax::Decoder decoder(pick_editions(pick));
  Sink sink;
  auto report = ax::decode_file(path, format, decoder, sink);
  if (!report.ok()) return 0;  // not a capture of the asked format: refused with a reason
  const auto& r = *report;
  if (r.format == ax::InputFormat::pcap) {
    if (r.udp + r.not_udp + r.fragments + r.truncated > r.packets) __builtin_trap();
    return 0;
  }
  // The same bytes framed from memory must give the same records and issues.
  ax::Decoder memory_decoder(pick_editions(pick));
  Sink memory_sink;
  ax::BlockReader reader(file);
  if (r.format == ax::InputFormat::gps) reader.set_wrapping(2200, 10);
  ax::decode_stream(reader, memory_decoder, memory_sink);
  if (memory_sink.records != sink.records || memory_sink.issues != sink.issues ||
      memory_sink.hash != sink.hash)
    __builtin_trap();
  return 0;
}

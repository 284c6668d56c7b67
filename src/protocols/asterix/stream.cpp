#include "picket/protocols/asterix/stream.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "picket/protocols/pcap.h"

namespace picket::asterix {

namespace {
constexpr std::size_t kWindow = 1 << 20;  // octets read at a time
constexpr std::size_t kMaxBlock = 0xFFFF;

std::size_t be16(const std::uint8_t* p) {
  return (std::size_t{p[0]} << 8) | p[1];
}
}  // namespace

Result<BlockReader> BlockReader::open(const std::string& path) {
  BlockReader r;
  if (path == "-") {
    r.file_ = stdin;
  } else {
    r.file_ = std::fopen(path.c_str(), "rb");
    if (r.file_ == nullptr) return Error{path, std::strerror(errno)};
    r.owns_ = true;
    if (std::fseek(r.file_, 0, SEEK_END) == 0) {
      const long n = std::ftell(r.file_);
      if (n > 0) r.size_ = static_cast<std::uint64_t>(n);
      std::fseek(r.file_, 0, SEEK_SET);
    }
  }
  r.buf_.resize(kWindow + kMaxBlock + 16);
  r.data_ = r.buf_.data();
  return r;
}

BlockReader::BlockReader(std::span<const std::uint8_t> data, std::uint64_t base_offset)
    : data_(data.data()), end_(data.size()), base_(base_offset), size_(data.size()), eof_(true) {}

BlockReader::BlockReader(BlockReader&& o) noexcept {
  *this = std::move(o);
}

BlockReader& BlockReader::operator=(BlockReader&& o) noexcept {
  if (this != &o) {
    if (owns_ && file_) std::fclose(file_);
    file_ = std::exchange(o.file_, nullptr);
    owns_ = std::exchange(o.owns_, false);
    const bool own_buf = o.data_ == o.buf_.data();
    buf_ = std::move(o.buf_);
    data_ = own_buf ? buf_.data() : o.data_;
    pos_ = o.pos_;
    end_ = o.end_;
    last_block_ = o.last_block_;
    base_ = o.base_;
    size_ = o.size_;
    eof_ = o.eof_;
    io_error_ = std::move(o.io_error_);
  }
  return *this;
}

BlockReader::~BlockReader() {
  if (owns_ && file_) std::fclose(file_);
}

bool BlockReader::ensure(std::size_t n) {
  while (avail() < n) {
    if (eof_ || file_ == nullptr) return false;
    // Keep everything from the last returned block on (resume_if_block_at may go back there).
    const std::size_t keep = std::min(pos_, last_block_);
    if (keep > 0) {
      std::memmove(buf_.data(), buf_.data() + keep, end_ - keep);
      end_ -= keep;
      pos_ -= keep;
      last_block_ -= keep;
      base_ += keep;
    }
    const std::size_t room = buf_.size() - end_;
    const std::size_t got = std::fread(buf_.data() + end_, 1, std::min(room, kWindow), file_);
    end_ += got;
    if (got == 0) {
      if (std::ferror(file_))
        io_error_ = Error{fmt::format("byte {}", base_ + end_), std::strerror(errno)};
      eof_ = true;
    }
  }
  return true;
}

bool BlockReader::fits(std::size_t rel) {
  if (!ensure(rel + 3)) return false;
  const std::uint8_t* p = data_ + pos_ + rel;
  const std::size_t len = be16(p + 1);
  return is_known_category(p[0]) && len >= 4 && ensure(rel + len);
}

bool BlockReader::chain_ok(std::size_t rel) {
  if (ensure(rel) && !ensure(rel + 1)) return true;  // exactly the end of the data
  return fits(rel);
}

std::size_t BlockReader::len_at(std::size_t rel) const {
  return be16(data_ + pos_ + rel + 1);
}

void BlockReader::resync(RecordSink& sink, DecodeStats& stats, const std::string& why) {
  ++stats.bad_framing;
  const std::uint64_t from = base_ + pos_;
  std::size_t skipped = 1;
  ++pos_;
  // A position is taken for a block start when its header fits the data and is followed by the
  // end of the data or by another fitting header that is itself followed by the end of the data
  // or a third: three consistent headers in a row rarely happen by chance.
  for (;; ++pos_, ++skipped) {
    if (!ensure(3)) {
      skipped += avail();
      pos_ = end_;
      break;
    }
    if (!fits(0)) continue;
    const std::size_t l1 = len_at(0) + trailer_;
    if (ensure(l1) && !ensure(l1 + 1)) break;
    if (!fits(l1)) continue;
    const std::size_t l2 = len_at(l1) + trailer_;
    if (chain_ok(l1 + l2)) break;
  }
  sink.on_issue(
      Issue{Severity::error, from, -1, "block",
            fmt::format("{}; {} octets skipped to {}", why, skipped,
                        avail() ? fmt::format("the next plausible block at byte {}", base_ + pos_)
                                : std::string("the end of the data"))});
}

void BlockReader::set_wrapping(std::size_t file_header, std::size_t block_trailer) {
  header_skip_ = file_header;
  trailer_ = block_trailer;
}

std::optional<BlockReader::Block> BlockReader::next(RecordSink& sink, DecodeStats& stats) {
  if (header_skip_ > 0) {
    const std::size_t n = header_skip_;
    header_skip_ = 0;
    if (!ensure(n)) {
      sink.on_issue(Issue{Severity::error, base_ + pos_, -1, "file",
                          fmt::format("shorter than its {}-octet header", n)});
      pos_ = end_;
      return std::nullopt;
    }
    pos_ += n;
  }
  for (;;) {
    if (!ensure(3)) {
      if (avail() > 0) {
        ++stats.bad_framing;
        sink.on_issue(Issue{Severity::error, base_ + pos_, -1, "block",
                            fmt::format("{} trailing octet{} too short for a block header", avail(),
                                        avail() == 1 ? " is" : "s are")});
        pos_ = end_;
      }
      return std::nullopt;
    }
    const int cat = data_[pos_];
    const std::size_t len = be16(data_ + pos_ + 1);
    if (len < 3) {
      resync(sink, stats, fmt::format("block LEN {} is less than its own 3-octet header", len));
      continue;
    }
    if (!is_known_category(cat)) {
      resync(sink, stats, fmt::format("category {} is not an ASTERIX category", cat));
      continue;
    }
    if (!ensure(len)) {
      resync(sink, stats,
             fmt::format("CAT{:03} block LEN {} runs past the end of the data ({} octets left)",
                         cat, len, avail()));
      continue;
    }
    std::size_t use = len;
    if (!chain_ok(len + trailer_)) {
      // What follows is not a block: the LEN may lie (too long, swallowing the start of the
      // next block). A block start inside, with a consistent header after it, says so.
      for (std::size_t q = 4; q < len; ++q) {
        if (data_[pos_ + q] != cat && !is_known_category(data_[pos_ + q])) continue;
        if (fits(q) && len_at(q) + q > len && chain_ok(q + len_at(q) + trailer_)) {
          ++stats.bad_framing;
          sink.on_issue(Issue{Severity::error, base_ + pos_, cat, "block",
                              fmt::format("LEN {} is too long: another block starts at byte {}; "
                                          "this block is taken to end there",
                                          len, base_ + pos_ + q)});
          use = q;
          break;
        }
      }
    }
    Block b{{data_ + pos_, use}, base_ + pos_};
    last_block_ = pos_;
    pos_ += use;
    const std::size_t len_used = use;
    if (trailer_ > 0) {
      if (!ensure(trailer_)) {
        sink.on_issue(
            Issue{Severity::error, base_ + pos_, -1, "block",
                  fmt::format("the {}-octet trailer after the block is cut short", trailer_)});
        pos_ = end_;
      } else {
        pos_ += trailer_;
      }
      // ensure() may have moved the window: the block's octets are still at last_block_.
      b.bytes = {data_ + last_block_, len_used};
    }
    return b;
  }
}

void decode_stream(BlockReader& reader, Decoder& decoder, RecordSink& sink, double capture_time) {
  auto& stats = decoder.stats();
  while (auto b = reader.next(sink, stats)) {
    decoder.decode_block(b->bytes, b->offset, sink, capture_time);
  }
}

Result<InputFormat> parse_input_format(std::string_view name) {
  if (name == "auto") return InputFormat::automatic;
  if (name == "raw") return InputFormat::raw;
  if (name == "pcap") return InputFormat::pcap;
  if (name == "gps") return InputFormat::gps;
  return Error{"--format", fmt::format("'{}' is not auto, raw, pcap or gps", name)};
}

std::string_view to_string(InputFormat f) {
  switch (f) {
    case InputFormat::automatic:
      return "auto";
    case InputFormat::raw:
      return "raw";
    case InputFormat::pcap:
      return "pcap";
    case InputFormat::gps:
      return "gps";
  }
  return "?";
}

Result<FileReport> decode_file(const std::string& path, InputFormat format, Decoder& decoder,
                               RecordSink& sink) {
  FileReport report;
  if (format == InputFormat::automatic) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path, "cannot open"};
    std::uint8_t head[4] = {};
    in.read(reinterpret_cast<char*>(head), 4);
    format = protocols::looks_like_pcap({head, static_cast<std::size_t>(in.gcount())})
                 ? InputFormat::pcap
                 : InputFormat::raw;
  }
  report.format = format;
  if (format == InputFormat::pcap) {
    PICKET_TRY(reader, protocols::PcapReader::open(path));
    while (auto d = reader.next()) {
      BlockReader blocks(d->payload, d->offset);
      decode_stream(blocks, decoder, sink, d->time);
    }
    const auto& ps = reader.stats();
    report.packets = ps.packets;
    report.udp = ps.udp;
    report.not_udp = ps.not_udp;
    report.fragments = ps.fragments;
    report.truncated = ps.truncated;
    if (reader.error()) report.io_error = *reader.error();
    return report;
  }
  PICKET_TRY(reader, BlockReader::open(path));
  if (format == InputFormat::gps) reader.set_wrapping(2200, 10);
  decode_stream(reader, decoder, sink);
  if (reader.io_error()) report.io_error = *reader.io_error();
  return report;
}

}  // namespace picket::asterix

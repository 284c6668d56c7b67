// Framing ASTERIX data blocks out of a byte stream (a raw recording, or one UDP payload), in
// constant memory, and recovering from framing errors.
//
// BlockReader reads a file (or memory) through a window of at most 2 MiB, so a file of any size
// is framed in constant memory; a block is at most 65535 octets. When a block header cannot be
// right (LEN below 3, LEN past the end of the data, a category nobody defines), the reader
// reports it with the byte offset and searches forward, octet by octet, for the next position
// where a plausible header (a defined category, LEN >= 4, all its octets present) is followed by
// the end of the data or by two more such headers in a row, and reports how many octets it
// skipped. When what follows a block is neither the end of the data nor a plausible header, its
// LEN may be too long: if a block header whose own length reaches past the outer block, followed
// by a plausible header or the end, starts inside it, the block is cut there and framing resumes
// at that header (reported).
//
// Thread-safety: none; one reader per thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"
#include "picket/protocols/asterix/decoder.h"

namespace picket::asterix {

class BlockReader {
 public:
  // Streams a file ("-" for standard input).
  static Result<BlockReader> open(const std::string& path);
  // Frames blocks out of memory that the caller keeps alive; offsets start at base_offset.
  BlockReader(std::span<const std::uint8_t> data, std::uint64_t base_offset = 0);
  BlockReader(BlockReader&&) noexcept;
  BlockReader& operator=(BlockReader&&) noexcept;
  ~BlockReader();

  struct Block {
    std::span<const std::uint8_t> bytes;  // valid until the next call to next()
    std::uint64_t offset = 0;             // absolute, of the CAT octet
  };

  // Recordings that wrap blocks: skip `file_header` octets at the start and `block_trailer`
  // octets after every block (the CroatiaControl "GPS" recording format: 2200 and 10). Call
  // before the first next().
  void set_wrapping(std::size_t file_header, std::size_t block_trailer);

  // The next block whose header is plausible and whose LEN octets are all present, or nothing
  // at the end of the data. Framing problems go to `sink` as issues and to the stats.
  std::optional<Block> next(RecordSink& sink, DecodeStats& stats);

  std::uint64_t position() const { return base_ + pos_; }
  std::uint64_t size() const { return size_; }  // 0 when unknown (a pipe)
  const std::optional<Error>& io_error() const { return io_error_; }

 private:
  BlockReader() = default;
  bool ensure(std::size_t n);  // at least n octets from pos_ (false at end of data)
  std::size_t avail() const { return end_ - pos_; }
  // Positions relative to pos_: a header with a defined category, LEN >= 4 and all its octets
  // present; that, or exactly the end of the data; the LEN of the header there.
  bool fits(std::size_t rel);
  bool chain_ok(std::size_t rel);
  std::size_t len_at(std::size_t rel) const;
  void resync(RecordSink& sink, DecodeStats& stats, const std::string& why);

  std::FILE* file_ = nullptr;
  bool owns_ = false;
  std::vector<std::uint8_t> buf_;
  const std::uint8_t* data_ = nullptr;  // buffer start (buf_ or the caller's memory)
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::size_t last_block_ = 0;  // buffer index of the last block returned
  std::uint64_t base_ = 0;      // absolute offset of data_[0]
  std::uint64_t size_ = 0;
  std::size_t header_skip_ = 0;
  std::size_t trailer_ = 0;
  bool eof_ = false;
  std::optional<Error> io_error_;
};

// Frames and decodes every block of `reader` into `sink`, with both recoveries described
// above. Returns the decoder's statistics for this stream.
void decode_stream(BlockReader& reader, Decoder& decoder, RecordSink& sink,
                   double capture_time = Decoder::kNoTime);

// How a file holds its blocks.
enum class InputFormat : std::uint8_t {
  automatic,  // pcap/pcapng when the magic number says so, else raw
  raw,        // data blocks back to back
  pcap,       // UDP payloads in a pcap or pcapng capture, each holding whole blocks
  gps,        // raw blocks in CroatiaControl's "GPS" recording (2200-octet header, 10-octet
              // trailer after each block)
};
Result<InputFormat> parse_input_format(std::string_view name);
std::string_view to_string(InputFormat f);

struct FileReport {
  InputFormat format = InputFormat::raw;  // the one used (never automatic)
  std::uint64_t packets = 0, udp = 0, not_udp = 0, fragments = 0, truncated = 0;  // pcap
  std::optional<Error> io_error;  // reading failed or the capture file is damaged
};

// Decodes a whole file in constant memory. Fails only when the file cannot be opened or is not
// of the given format; problems inside it go to the sink.
Result<FileReport> decode_file(const std::string& path, InputFormat format, Decoder& decoder,
                               RecordSink& sink);

}  // namespace picket::asterix

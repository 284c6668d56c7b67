// The ASTERIX decoder: data blocks in, typed records out.
//
// A data block (EUROCONTROL-SPEC-0149 Part 1) is CAT (1 octet), LEN (2 octets, big-endian,
// counting the whole block) and records; a record is an FSPEC and the items it announces in
// the order of the category's UAP. Decoder::decode_block decodes one block with the edition
// configured for its category (the latest by default) into a record struct that it reuses, and
// hands each record to a RecordSink. Nothing in a block can make it read outside the block:
// every field is bounds-checked, repetition counts are checked against the octets left before
// anything is allocated, and FX chains are capped at the length the edition defines.
//
// Error policy (docs/protocols.md): a record that does not fit its edition (an FRN or subfield
// the edition does not define, an extension past the last defined one, an item cut by the end
// of the block) is rejected with the absolute byte offset where decoding stopped; the rest of
// its block cannot be delimited and is skipped (and counted); the next block is decoded
// normally. Blocks of categories without a decoder are skipped by their length and counted.
//
// Thread-safety: a Decoder belongs to one thread; use one per input.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"
#include "picket/protocols/asterix/gen/registry.h"

namespace picket::asterix {

// Categories this decoder supports.
inline constexpr std::array<int, 5> kSupportedCategories = {10, 21, 34, 48, 62};
// Categories EUROCONTROL defines (used to judge whether a block header is plausible).
bool is_known_category(int cat);

// The editions of a category this build knows, oldest first; empty if unsupported.
std::vector<const EditionInfo*> editions_of(int cat);
const EditionInfo* find_edition(int cat, std::string_view edition);
const EditionInfo* latest_edition(int cat);

// Which edition decodes each category. Default: the latest of every supported category.
class EditionMap {
 public:
  EditionMap();
  // "48=1.31" or "CAT048=1.31" or "048=1.31"; fails naming the known editions.
  Status set(std::string_view option);
  Status set(int cat, std::string_view edition);
  const EditionInfo* get(int cat) const;  // nullptr when the category is not decoded

 private:
  std::map<int, const EditionInfo*> by_cat_;
};

enum class Severity : std::uint8_t { error, warning };

// A problem in the input, located by its absolute byte offset in the input file (for pcap,
// the offset in the capture file).
struct Issue {
  Severity severity = Severity::error;
  std::uint64_t offset = 0;
  int category = -1;  // -1: not within a block
  std::string item;   // "I048/040", "FSPEC", "block", ...
  std::string what;
  std::string message() const;  // "byte 1042: CAT048 I048/040: needs 4 octets, only 2 left"
};

struct RecordMeta {
  std::uint64_t offset = 0;  // of the record's first octet (its FSPEC)
  std::uint32_t length = 0;  // octets
  int category = 0;
  const EditionInfo* edition = nullptr;
  std::uint64_t block_offset = 0;
  int index_in_block = 0;   // from 0
  double capture_time = 0;  // Unix seconds of the packet that carried it (pcap); NaN if none
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // `record` holds the alternative for meta.edition; it is reused for the next record.
  virtual void on_record(const RecordMeta& meta, const AnyRecord& record) = 0;
  virtual void on_issue(const Issue& issue) = 0;
};

struct DecodeStats {
  std::uint64_t blocks = 0;              // data blocks seen (framed correctly)
  std::uint64_t records = 0;             // records decoded
  std::uint64_t rejected_records = 0;    // records that failed (one per failing block)
  std::uint64_t skipped_octets = 0;      // octets of blocks left undecoded after a failure
  std::uint64_t unsupported_blocks = 0;  // blocks of categories without a decoder
  std::uint64_t bad_framing = 0;         // block headers that were wrong (resynchronised)
  std::uint64_t warnings = 0;
  std::map<int, std::uint64_t> records_by_category;
  std::map<int, std::uint64_t> unsupported_by_category;
  void add(const DecodeStats& o);
};

struct BlockOutcome {
  bool ok = true;
  std::size_t stopped_at = 0;  // offset in the block where decoding stopped (== size if ok)
};

class Decoder {
 public:
  explicit Decoder(EditionMap editions = {});

  // Decodes one whole data block (its 3-octet header included) starting at absolute offset
  // `offset`. The caller has checked that block.size() equals the block's LEN.
  // capture_time (pcap) is passed on in RecordMeta.
  BlockOutcome decode_block(std::span<const std::uint8_t> block, std::uint64_t offset,
                            RecordSink& sink, double capture_time = kNoTime);
  static constexpr double kNoTime = std::numeric_limits<double>::quiet_NaN();

  const DecodeStats& stats() const { return stats_; }
  DecodeStats& stats() { return stats_; }
  const EditionMap& editions() const { return editions_; }

 private:
  EditionMap editions_;
  DecodeStats stats_;
  std::map<int, AnyRecord> slots_;
};

// The record as compact JSON: {"I010":{"SAC":25,"SIC":201},"I140":27354.6015625,...}
// With raw, quantities are printed as their raw integers.
void record_to_json(const AnyRecord& record, std::string& out, bool raw = false);

// Encodes one record (without a block header); on failure returns the field and reason.
Status encode_record(const AnyRecord& record, Bytes& out);
// Encodes records of one category into a data block (fails above 65535 octets).
template <class R>
Status encode_block(int cat, std::span<const R> records, Bytes& out);
Status encode_block_any(int cat, std::span<const AnyRecord> records, Bytes& out);

// Decodes the first record of `data` (no block header) with the given edition, for tests and
// tools: the record, or the failure with its offset.
Result<AnyRecord> decode_record(const EditionInfo& edition, std::span<const std::uint8_t> data,
                                std::size_t* consumed = nullptr);

// --- template definitions ------------------------------------------------------------------

template <class R>
Status encode_block(int cat, std::span<const R> records, Bytes& out) {
  const std::size_t start = out.size();
  out.push_back(static_cast<std::uint8_t>(cat));
  out.push_back(0);
  out.push_back(0);
  codec::Writer w(out);
  for (const auto& r : records) {
    if (!encode(w, r)) {
      out.resize(start);
      return Error{"encode", w.error};
    }
  }
  const std::size_t len = out.size() - start;
  if (len > 0xFFFF) {
    out.resize(start);
    return Error{"encode", "data block of " + std::to_string(len) + " octets exceeds 65535"};
  }
  out[start + 1] = static_cast<std::uint8_t>(len >> 8);
  out[start + 2] = static_cast<std::uint8_t>(len & 0xFF);
  return Ok{};
}

}  // namespace picket::asterix

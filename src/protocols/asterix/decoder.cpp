#include "picket/protocols/asterix/decoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <utility>

namespace picket::asterix {

namespace {

using DecodeFn = bool (*)(codec::Reader&, AnyRecord&);

template <std::size_t I>
bool decode_alt(codec::Reader& r, AnyRecord& slot) {
  using R = std::variant_alternative_t<I, AnyRecord>;
  R* rec = std::get_if<I>(&slot);
  if (rec == nullptr) {
    rec = &slot.template emplace<I>();
  } else {
    *rec = R{};
  }
  return decode(r, *rec);
}

template <std::size_t... I>
constexpr std::array<DecodeFn, sizeof...(I)> make_decoders(std::index_sequence<I...>) {
  return {&decode_alt<I>...};
}

constexpr auto kDecoders =
    make_decoders(std::make_index_sequence<std::variant_size_v<AnyRecord>>{});

int parse_cat(std::string_view s) {
  if (s.size() > 3 && (s.substr(0, 3) == "CAT" || s.substr(0, 3) == "cat")) s.remove_prefix(3);
  int v = -1;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < 0 || v > 255) return -1;
  return v;
}

}  // namespace

bool is_known_category(int cat) {
  static constexpr int kKnown[] = {1,  2,  4,  7,  8,  9,  10, 11, 15, 16, 17,  18,  19,  20,  21,
                                   23, 25, 30, 31, 32, 34, 48, 62, 63, 65, 205, 221, 240, 247, 252};
  return std::find(std::begin(kKnown), std::end(kKnown), cat) != std::end(kKnown);
}

std::vector<const EditionInfo*> editions_of(int cat) {
  std::vector<const EditionInfo*> out;
  for (const auto& e : kEditions)
    if (e.category == cat) out.push_back(&e);
  return out;
}

const EditionInfo* find_edition(int cat, std::string_view edition) {
  for (const auto& e : kEditions)
    if (e.category == cat && edition == e.edition) return &e;
  return nullptr;
}

const EditionInfo* latest_edition(int cat) {
  for (const auto& e : kEditions)
    if (e.category == cat && e.latest) return &e;
  return nullptr;
}

EditionMap::EditionMap() {
  for (int cat : kSupportedCategories)
    by_cat_[cat] = latest_edition(cat);
}

Status EditionMap::set(int cat, std::string_view edition) {
  const auto known = editions_of(cat);
  if (known.empty()) {
    return Error{"--edition", fmt::format("CAT{:03} is not supported (supported: 010 021 034 "
                                          "048 062)",
                                          cat)};
  }
  if (const auto* e = find_edition(cat, edition)) {
    by_cat_[cat] = e;
    return Ok{};
  }
  std::string list;
  for (const auto* e : known)
    list += std::string(list.empty() ? "" : " ") + e->edition;
  return Error{"--edition",
               fmt::format("CAT{:03} has no edition {} here (known: {})", cat, edition, list)};
}

Status EditionMap::set(std::string_view option) {
  const auto eq = option.find('=');
  if (eq == std::string_view::npos) {
    return Error{"--edition", fmt::format("'{}' is not CAT=EDITION (for example 48=1.31)", option)};
  }
  const int cat = parse_cat(option.substr(0, eq));
  if (cat < 0) {
    return Error{"--edition", fmt::format("'{}' does not start with a category number", option)};
  }
  return set(cat, option.substr(eq + 1));
}

const EditionInfo* EditionMap::get(int cat) const {
  auto it = by_cat_.find(cat);
  return it == by_cat_.end() ? nullptr : it->second;
}

std::string Issue::message() const {
  std::string s = fmt::format("byte {}: ", offset);
  if (category >= 0) s += fmt::format("CAT{:03} ", category);
  if (!item.empty()) s += item + ": ";
  s += what;
  return s;
}

void DecodeStats::add(const DecodeStats& o) {
  blocks += o.blocks;
  records += o.records;
  rejected_records += o.rejected_records;
  skipped_octets += o.skipped_octets;
  unsupported_blocks += o.unsupported_blocks;
  bad_framing += o.bad_framing;
  warnings += o.warnings;
  for (const auto& [k, v] : o.records_by_category)
    records_by_category[k] += v;
  for (const auto& [k, v] : o.unsupported_by_category)
    unsupported_by_category[k] += v;
}

Decoder::Decoder(EditionMap editions) : editions_(std::move(editions)) {}

BlockOutcome Decoder::decode_block(std::span<const std::uint8_t> block, std::uint64_t offset,
                                   RecordSink& sink, double capture_time) {
  ++stats_.blocks;
  const int cat = block[0];
  const EditionInfo* ed = editions_.get(cat);
  if (ed == nullptr) {
    ++stats_.unsupported_blocks;
    ++stats_.unsupported_by_category[cat];
    return {};
  }
  AnyRecord& slot = slots_[cat];
  const DecodeFn decode_fn = kDecoders[ed->index];
  std::vector<codec::Warning> warnings;
  codec::Reader r(block.data(), block.data() + block.size());
  r.p += 3;
  r.warnings = &warnings;
  RecordMeta meta;
  meta.category = cat;
  meta.edition = ed;
  meta.block_offset = offset;
  meta.capture_time = capture_time;
  int index = 0;
  while (r.p < r.end) {
    const std::uint8_t* start = r.p;
    bool ok = decode_fn(r, slot);
    if (ok && r.p == start + 1 && (*start & 0xFE) == 0) {
      r.p = start;
      ok = r.fail("FSPEC", "record announces no item (FSPEC octet 00)");
    }
    for (const auto& w : warnings) {
      ++stats_.warnings;
      sink.on_issue(Issue{Severity::warning, offset + w.at, cat, w.item, w.what});
    }
    warnings.clear();
    if (!ok) {
      ++stats_.rejected_records;
      const auto at = static_cast<std::size_t>(start - block.data());
      stats_.skipped_octets += block.size() - at;
      sink.on_issue(
          Issue{Severity::error, offset + r.failure.at, cat, r.failure.item,
                fmt::format("{} (record {} of the block at byte {}, edition {}; the "
                            "block's last {} octets skipped)",
                            r.failure.what, index + 1, offset, ed->edition, block.size() - at)});
      return {false, at};
    }
    meta.offset = offset + static_cast<std::uint64_t>(start - block.data());
    meta.length = static_cast<std::uint32_t>(r.p - start);
    meta.index_in_block = index++;
    ++stats_.records;
    ++stats_.records_by_category[cat];
    sink.on_record(meta, slot);
  }
  return {true, block.size()};
}

void record_to_json(const AnyRecord& record, std::string& out, bool raw) {
  codec::JsonOut j(out, raw);
  j.begin_object();
  std::visit([&](const auto& r) { to_json(j, r); }, record);
  j.end_object();
}

Status encode_record(const AnyRecord& record, Bytes& out) {
  codec::Writer w(out);
  const bool ok = std::visit([&](const auto& r) { return encode(w, r); }, record);
  if (!ok) return Error{"encode", w.error};
  return Ok{};
}

Status encode_block_any(int cat, std::span<const AnyRecord> records, Bytes& out) {
  const std::size_t start = out.size();
  out.push_back(static_cast<std::uint8_t>(cat));
  out.push_back(0);
  out.push_back(0);
  for (const auto& r : records) {
    auto st = encode_record(r, out);
    if (!st) {
      out.resize(start);
      return st;
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

Result<AnyRecord> decode_record(const EditionInfo& edition, std::span<const std::uint8_t> data,
                                std::size_t* consumed) {
  AnyRecord slot;
  codec::Reader r(data.data(), data.data() + data.size());
  if (!kDecoders[edition.index](r, slot)) {
    return Error{fmt::format("byte {}", r.failure.at), r.failure.item + ": " + r.failure.what};
  }
  if (consumed) *consumed = static_cast<std::size_t>(r.p - r.begin);
  return slot;
}

}  // namespace picket::asterix

// ASTERIX encoder and decoder properties: decode(encode(x)) == x for random records of every
// category edition (every field, every item), bounds and range checks of the encoder, and the
// decoder's behaviour on bad input: truncated blocks, lengths that lie, FX chains that never
// end, repetition counts past the block, unknown categories and FRNs — each counted and reported
// with its byte offset while the rest of the stream is still decoded.
#include <gtest/gtest.h>

#include <variant>

#include "asterix_support.h"
#include "picket/protocols/asterix/gen/registry.h"
#include "test_data.h"

namespace picket::asterix {
namespace {

template <std::size_t I = 0>
void randomize_alt(std::size_t index, codec::Random& g, AnyRecord& out) {
  if constexpr (I < std::variant_size_v<AnyRecord>) {
    if (I == index) {
      auto& r = out.emplace<I>();
      randomize(g, r);
      return;
    }
    randomize_alt<I + 1>(index, g, out);
  }
}

// For every edition: 1000 random records (random items present, random values in every field's
// range, random repetition counts and extensions) survive encode then decode unchanged, also
// when packed many to a block.
TEST(AsterixCodec, RoundTripOfRandomRecordsForEveryEdition) {
  codec::Random g(20240601);
  for (const auto& ed : kEditions) {
    SCOPED_TRACE(std::to_string(ed.category) + " " + ed.edition);
    std::vector<AnyRecord> batch;
    for (int i = 0; i < 1000; ++i) {
      AnyRecord rec;
      randomize_alt(ed.index, g, rec);
      Bytes bytes;
      auto st = encode_record(rec, bytes);
      ASSERT_TRUE(st.ok()) << st.error().message();
      std::size_t used = 0;
      auto back = decode_record(ed, bytes, &used);
      ASSERT_TRUE(back.ok()) << back.error().message();
      EXPECT_EQ(used, bytes.size());
      ASSERT_TRUE(*back == rec) << "record " << i;
      if (batch.size() < 40) batch.push_back(rec);
    }
    // The same through a data block and the stream decoder.
    Bytes block;
    ASSERT_TRUE(encode_block_any(ed.category, batch, block).ok());
    EditionMap eds;
    ASSERT_TRUE(eds.set(ed.category, ed.edition).ok());
    auto c = test::decode_bytes(block, eds);
    ASSERT_TRUE(c.issues.empty()) << c.issues[0].message();
    ASSERT_EQ(c.records.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i)
      EXPECT_TRUE(c.records[i].record == batch[i]);
  }
}

TEST(AsterixCodec, EncoderChecksRanges) {
  cat048::ed1_32::Record r;
  auto& i010 = r.i010.emplace();
  i010.sac = 1;
  auto& i040 = r.i040.emplace();
  i040.set_rho_nm(100.5);
  i040.set_theta_deg(359.99);
  EXPECT_EQ(i040.rho, 25728);  // 100.5 NM at 1/256 NM
  EXPECT_NEAR(i040.theta_deg(), 359.99, 360.0 / 65536);
  i040.set_rho_nm(1e9);  // saturates at the field's range
  EXPECT_EQ(i040.rho, 65535);
  auto& i070 = r.i070.emplace();
  i070.mode3a = 010000;  // 13 bits where 12 fit
  Bytes out;
  auto st = encode_record(AnyRecord(r), out);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("I048/070 MODE3A"), std::string::npos);
  EXPECT_NE(st.error().message().find("does not fit 12 bits"), std::string::npos);
  i070.mode3a = 07777;
  out.clear();
  EXPECT_TRUE(encode_record(AnyRecord(r), out).ok());
  // An extended item: fields in absent extensions must be zero.
  auto& i020 = r.i020.emplace();
  i020.extents = 1;
  i020.tst = 1;
  out.clear();
  st = encode_record(AnyRecord(r), out);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("I048/020 TST"), std::string::npos);
  i020.extents = 2;
  out.clear();
  EXPECT_TRUE(encode_record(AnyRecord(r), out).ok());
  // More than 65535 octets do not fit a block.
  std::vector<cat048::ed1_32::Record> many(8000, r);
  Bytes block;
  st = encode_block<cat048::ed1_32::Record>(48, many, block);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("exceeds 65535"), std::string::npos);
  EXPECT_TRUE(block.empty());
}

TEST(AsterixCodec, IcaoCharacters) {
  const auto s = IcaoString<8>::from_text("DLH65A");
  EXPECT_EQ(s.text(), "DLH65A  ");
  IcaoString<8> raw;
  raw.raw = 0x10C236D41820ull;  // I048/240 of the real CAT048 recording
  EXPECT_EQ(raw.text(), "DLH65A  ");
  EXPECT_EQ(IcaoString<8>{}.text(), "????????");  // code 0 is not a character
}

// --- Bad input -----------------------------------------------------------------------------

Bytes real_cat048() {
  return picket::test::read_bytes(picket::test::data_dir("asterix") + "/croatiacontrol/cat048.raw");
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(AsterixBadInput, TruncatedBlockAtTheEndIsReported) {
  const auto good = real_cat048();  // one block of 48 octets, one record
  auto data = concat({good, good});
  data.resize(data.size() - 10);
  DecodeStats stats;
  auto c = test::decode_bytes(data, {}, &stats);
  EXPECT_EQ(c.records.size(), 1u);
  ASSERT_EQ(c.errors(), 1u);
  EXPECT_EQ(c.issues[0].offset, 48u);
  EXPECT_NE(c.issues[0].what.find("runs past the end"), std::string::npos);
  EXPECT_EQ(stats.bad_framing, 1u);
}

TEST(AsterixBadInput, LengthTooShortCutsTheRecordAndResynchronises) {
  const auto good = real_cat048();
  auto bad = good;
  bad[2] = 30;  // LEN 48 -> 30: the record is cut, its tail looks like garbage
  auto data = concat({good, bad, good});
  DecodeStats stats;
  auto c = test::decode_bytes(data, {}, &stats);
  EXPECT_EQ(c.records.size(), 2u);  // the first and the last block
  EXPECT_EQ(c.errors(), 2u);        // the cut record, then the garbage skipped
  EXPECT_NE(c.issues[1].what.find("18 octets skipped to the next plausible block at byte 96"),
            std::string::npos);
  EXPECT_EQ(stats.rejected_records, 1u);
  EXPECT_EQ(c.records.back().meta.offset, 96u + 3u);
  EXPECT_EQ(c.issues[0].offset, 48u + 3u + 26u);  // where I048/250 ran out of the block
}

TEST(AsterixBadInput, LengthTooLongSwallowingTheNextBlockIsRecovered) {
  const auto good = real_cat048();
  auto bad = good;
  bad[2] = 48 + 10;  // claims 10 octets of the next block
  auto data = concat({bad, good, good});
  DecodeStats stats;
  auto c = test::decode_bytes(data, {}, &stats);
  // The first block's record decodes, the "record" after it is the next block's header: framing
  // resumes there and both following blocks decode.
  EXPECT_EQ(c.records.size(), 3u);
  EXPECT_EQ(stats.bad_framing, 1u);
  EXPECT_EQ(stats.rejected_records, 0u);
  bool said = false;
  for (const auto& i : c.issues)
    said |= i.offset == 0 &&
            i.what.find("LEN 58 is too long: another block starts at byte 48") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(AsterixBadInput, FxChainThatNeverEnds) {
  // A CAT048 record whose FSPEC sets FX in every octet up to the end of the block.
  Bytes block = {48, 0, 13, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  auto data = concat({block, real_cat048()});
  DecodeStats stats;
  auto c = test::decode_bytes(data, {}, &stats);
  EXPECT_EQ(c.records.size(), 1u);  // the good block after it
  ASSERT_GE(c.errors(), 1u);
  EXPECT_EQ(c.issues[0].item, "FSPEC");
  EXPECT_EQ(stats.rejected_records, 1u);
  // An extended item whose FX runs past its last defined extension (edition mismatch).
  Bytes ext = {48, 0, 7, 0x20, 0xFF, 0xFF, 0xFF};  // FRN 3 = I048/020, 3 octets with FX set
  EditionMap e127;
  ASSERT_TRUE(e127.set("48=1.27").ok());
  auto d = test::decode_bytes(ext, e127);
  ASSERT_EQ(d.errors(), 1u);
  EXPECT_EQ(d.issues[0].item, "I048/020");
  EXPECT_EQ(d.issues[0].offset, 5u);
  EXPECT_NE(d.issues[0].what.find("FX set in extension 2"), std::string::npos);
}

TEST(AsterixBadInput, RepetitionCountPastTheBlock) {
  // FRN 10 = I048/250 (repetitive, 8 octets each) claiming 200 entries in a 16-octet block.
  Bytes block = {48, 0, 16, 0x01, 0x20, 200, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  auto data = concat({block, real_cat048()});
  auto c = test::decode_bytes(data);
  EXPECT_EQ(c.records.size(), 1u);
  ASSERT_GE(c.errors(), 1u);
  EXPECT_EQ(c.issues[0].item, "I048/250");
  EXPECT_EQ(c.issues[0].offset, 5u);
  EXPECT_NE(c.issues[0].what.find("repetition count 200 needs 1600 octets"), std::string::npos);
}

TEST(AsterixBadInput, UndefinedFrnAndUnknownCategory) {
  // CAT062 1.21 has no item at FRN 2: the record's length cannot be known, the block's rest is
  // skipped, the next block decoded.
  Bytes block = {62, 0, 5, 0x40, 0x00};
  DecodeStats s1;
  auto c = test::decode_bytes(concat({block, real_cat048()}), {}, &s1);
  ASSERT_EQ(c.errors(), 1u);
  EXPECT_EQ(c.issues[0].item, "FSPEC");
  EXPECT_EQ(c.issues[0].offset, 3u);
  EXPECT_NE(c.issues[0].what.find("FRN 2 present, but CAT062 edition 1.21 has no item there"),
            std::string::npos);
  EXPECT_EQ(c.records.size(), 1u);
  EXPECT_EQ(s1.skipped_octets, 2u);
  // CAT034 1.29 defines 14 FRNs, two FSPEC octets: FX in the second is past the UAP.
  Bytes fx = {34, 0, 6, 0x01, 0x01, 0x80};
  auto f = test::decode_bytes(fx);
  ASSERT_EQ(f.errors(), 1u);
  EXPECT_NE(f.issues[0].what.find("FX set in octet 2, but this edition defines only 2"),
            std::string::npos);
  // A category no one defines: the header cannot be trusted, the reader searches forward.
  Bytes junk = {99, 0, 5, 1, 2};
  DecodeStats stats;
  auto d = test::decode_bytes(concat({junk, real_cat048()}), {}, &stats);
  EXPECT_EQ(d.records.size(), 1u);
  ASSERT_EQ(d.errors(), 1u);
  EXPECT_EQ(d.issues[0].offset, 0u);
  EXPECT_NE(d.issues[0].what.find("5 octets skipped"), std::string::npos);
  // A defined category without a decoder: skipped by its length, counted, not an error.
  Bytes cat1 = {1, 0, 5, 0x80, 7};
  DecodeStats s2;
  auto e = test::decode_bytes(concat({cat1, real_cat048()}), {}, &s2);
  EXPECT_TRUE(e.issues.empty());
  EXPECT_EQ(e.records.size(), 1u);
  EXPECT_EQ(s2.unsupported_by_category[1], 1u);
}

TEST(AsterixBadInput, EmptyRecordAndTrailingOctets) {
  Bytes block = {48, 0, 4, 0x00};  // a record that announces nothing
  auto c = test::decode_bytes(concat({block, real_cat048(), Bytes{0x30, 0x00}}));
  EXPECT_EQ(c.records.size(), 1u);
  ASSERT_EQ(c.errors(), 2u);
  EXPECT_NE(c.issues[0].what.find("announces no item"), std::string::npos);
  EXPECT_NE(c.issues[1].what.find("2 trailing octets"), std::string::npos);
}

// A large stream is decoded in constant memory through the 1 MiB window: blocks straddling
// window boundaries come out whole.
TEST(AsterixBadInput, StreamLargerThanTheWindow) {
  const auto good = real_cat048();
  Bytes data;
  for (int i = 0; i < 50000; ++i)
    data.insert(data.end(), good.begin(), good.end());  // 2.4 MB
  const auto path = testing::TempDir() + "/big.ast";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(data.data(), 1, data.size(), f), data.size());
    std::fclose(f);
  }
  test::Collector c;
  c.keep_json = false;
  Decoder d;
  auto r = decode_file(path, InputFormat::raw, d, c);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(c.issues.empty());
  EXPECT_EQ(c.records.size(), 50000u);
  EXPECT_EQ(c.records.back().meta.offset, 49999u * 48u + 3u);
  EXPECT_TRUE(c.records.back().record == c.records.front().record);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace picket::asterix

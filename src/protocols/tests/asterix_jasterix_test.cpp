// The single-block files of hpuhr/jASTERIX (one per category edition) and the values its tests
// assert, translated to Picket's paths in tests/data/asterix/jasterix/expected.tsv.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "asterix_support.h"
#include "test_data.h"

namespace picket::asterix {
namespace {

using nlohmann::json;

const std::string kDir = picket::test::data_dir("asterix") + "/jasterix";

struct Expect {
  std::string file, edition, path, value, assert_text;
};

std::vector<Expect> expectations() {
  std::vector<Expect> out;
  std::istringstream in(picket::test::read_text(kDir + "/expected.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> c;
    std::size_t s = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == '\t') {
        c.push_back(line.substr(s, i - s));
        s = i + 1;
      }
    }
    EXPECT_EQ(c.size(), 5u) << line;
    if (c.size() == 5) out.push_back({c[0], c[1], c[2], c[3], c[4]});
  }
  return out;
}

// The value at a path with array indices ("I250.0.BDS1") and "#" for an array's size.
std::optional<json> lookup(const json& j, const std::string& path) {
  const json* cur = &j;
  std::size_t start = 0;
  for (;;) {
    const auto dot = path.find('.', start);
    const std::string key =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key == "#") {
      if (!cur->is_array()) return std::nullopt;
      return json(cur->size());
    }
    if (cur->is_array()) {
      const auto i = std::stoul(key);
      if (i >= cur->size()) return std::nullopt;
      cur = &(*cur)[i];
    } else if (cur->is_object() && cur->contains(key)) {
      cur = &(*cur)[key];
    } else {
      return std::nullopt;
    }
    if (dot == std::string::npos) return *cur;
    start = dot + 1;
  }
}

TEST(AsterixJasterix, AssertedValuesOfTheSingleBlockFiles) {
  const auto exp = expectations();
  ASSERT_GT(exp.size(), 300u);
  std::map<std::string, test::Collector> decoded;
  std::set<std::string> files;
  int checked = 0;
  for (const auto& e : exp) {
    SCOPED_TRACE(e.file + " " + e.path + " (" + e.assert_text + ")");
    if (!decoded.count(e.file)) {
      const auto path = kDir + "/" + e.file + ".bin";
      DecodeStats stats;
      decoded[e.file] =
          test::decode_path(path, InputFormat::raw, test::editions({e.edition.c_str()}), &stats);
      const auto& c = decoded[e.file];
      // One block, one record, no error; and re-encoding gives the file's record octets.
      EXPECT_EQ(stats.blocks, 1u);
      EXPECT_TRUE(c.issues.empty()) << c.issues[0].message();
      EXPECT_EQ(c.records.size(), 1u);
      if (c.records.size() == 1) {
        const auto bytes = picket::test::read_bytes(path);
        EXPECT_EQ(c.records[0].meta.offset + c.records[0].meta.length, bytes.size());
        Bytes again;
        ASSERT_TRUE(encode_record(c.records[0].record, again).ok());
        const auto orig = test::hex_of(bytes.data() + 3, bytes.size() - 3);
        if (test::hex_of(again.data(), again.size()) != orig) {
          // The CAT062 files carry needless all-zero presence octets (FSPEC 0B 00, I062/500
          // compound primary subfield FF A1 00); Picket writes the shortest form, which decodes to
          // the same record.
          EXPECT_LT(again.size(), bytes.size() - 3) << orig;
          auto back = decode_record(*c.records[0].meta.edition, again);
          ASSERT_TRUE(back.ok());
          EXPECT_TRUE(*back == c.records[0].record);
          EXPECT_EQ(e.edition, "62=1.16");
        }
      }
    }
    const auto& c = decoded[e.file];
    ASSERT_EQ(c.records.size(), 1u);
    const auto& rec = c.records[0];
    files.insert(e.file);
    ++checked;
    if (e.path.find("#EXTENTS") != std::string::npos) {
      // Extension octets present, from the typed record.
      int extents = -1;
      if (const auto* r = std::get_if<cat048::ed1_27::Record>(&rec.record))
        extents = r->i020->extents;
      if (const auto* r = std::get_if<cat062::ed1_16::Record>(&rec.record))
        extents = r->i080->extents;
      EXPECT_EQ(extents, std::stoi(e.value));
      continue;
    }
    const auto got = lookup(rec.json, e.path);
    ASSERT_TRUE(got.has_value()) << "missing";
    const auto want = json::parse(e.value);
    if (want.is_number()) {
      ASSERT_TRUE(got->is_number()) << got->dump();
      EXPECT_NEAR(got->get<double>(), want.get<double>(), 1e-9) << got->dump();
    } else {
      EXPECT_EQ(*got, want);
    }
  }
  EXPECT_EQ(files.size(), 8u);  // every supported-category file but CAT010 0.24 (below)
  EXPECT_EQ(checked, static_cast<int>(exp.size()));
}

// CAT010 edition 0.24 (a Sensis variant) has no machine-readable definition. Decoded with the
// only one there is (1.1), its I010/500 is 2 octets shorter: the record must be rejected with
// the offset where it stopped fitting, not misread.
TEST(AsterixJasterix, Cat010Edition024DoesNotFitEdition11AndSaysWhere) {
  DecodeStats stats;
  auto c = test::decode_path(kDir + "/cat010ed0.24_sensis.bin", InputFormat::raw, {}, &stats);
  EXPECT_TRUE(c.records.empty());
  EXPECT_EQ(stats.rejected_records, 1u);
  ASSERT_EQ(c.errors(), 1u);
  EXPECT_EQ(c.issues[0].offset, 41u);
  EXPECT_EQ(c.issues[0].item, "I010/500");
  EXPECT_NE(c.issues[0].what.find("edition 1.1"), std::string::npos);
}

// Files of categories without a decoder are skipped whole by their block length and counted.
TEST(AsterixJasterix, UnsupportedCategoriesAreSkippedAndCounted) {
  for (const char* f :
       {"cat001ed1.1", "cat002ed1.0", "cat004ed1.4", "cat019ed1.3", "cat020ed1.5", "cat030ed7.0",
        "cat063ed1.0", "cat065ed1.3", "cat247ed1.2", "cat252ed7.0"}) {
    SCOPED_TRACE(f);
    DecodeStats stats;
    auto c = test::decode_path(kDir + "/" + std::string(f) + ".bin", InputFormat::raw, {}, &stats);
    EXPECT_TRUE(c.records.empty());
    EXPECT_TRUE(c.issues.empty());
    // cat004ed1.4.bin holds three blocks (jASTERIX asserts 3), the others one.
    const std::uint64_t blocks = std::string(f) == "cat004ed1.4" ? 3 : 1;
    EXPECT_EQ(stats.unsupported_blocks, blocks);
    EXPECT_EQ(stats.blocks, blocks);
  }
}

}  // namespace
}  // namespace picket::asterix

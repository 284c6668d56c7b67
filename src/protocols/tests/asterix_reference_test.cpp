// The real recordings of CroatiaControlLtd/asterix against that project's own decodes
// (install/sample_output, EXPECTED_OUTPUT_MAP.txt), record by record and field by field, and
// every record re-encoded to the octets it came from. The field names of the two decoders are
// paired in tests/data/asterix/croatiacontrol/field_map.tsv; a reference field it does not pair
// fails the test.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "asterix_support.h"
#include "picket/protocols/adsb/commb.h"
#include "test_data.h"

namespace picket::asterix {
namespace {

using nlohmann::json;

const std::string kCc = picket::test::data_dir("asterix") + "/croatiacontrol";

// The editions the reference decoder was configured with (install/config/asterix.ini): CAT034
// 1.27 and CAT062 1.18 are here; CAT048 1.21 is older than the oldest machine-readable edition
// (1.27), whose layout of the items in these recordings is the same.
EditionMap reference_editions() {
  return test::editions({"34=1.27", "48=1.27", "62=1.18"});
}

struct MapEntry {
  std::string path, kind;
  double factor = 1;
};

// (source, cat, item, reference name) -> entry
std::map<std::tuple<std::string, int, std::string, std::string>, MapEntry> field_map() {
  std::map<std::tuple<std::string, int, std::string, std::string>, MapEntry> m;
  std::istringstream in(picket::test::read_text(kCc + "/field_map.tsv"));
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
    EXPECT_GE(c.size(), 6u) << line;
    if (c.size() < 6) continue;
    MapEntry e{c[4], c[5], c.size() > 6 ? std::stod(c[6]) : 1.0};
    m[{c[0], std::stoi(c[1]), c[2], c[3]}] = e;
  }
  EXPECT_GT(m.size(), 150u);
  return m;
}

// --- The reference's text output -----------------------------------------------------------

struct RefField {
  std::string name, value;  // value: "50607 (197.6835938 NM)" or "DLH65A  "
};
struct RefItem {
  std::string id, bytes;
  std::vector<RefField> fields;
};
struct RefRecord {
  int cat = 0;
  std::string hex;
  std::vector<RefItem> items;
};

std::vector<RefRecord> parse_reference_text(const std::string& text) {
  std::vector<RefRecord> out;
  std::istringstream in(text);
  std::string line;
  int cat = 0;
  bool expect_hex = false, expect_bytes = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("Category: ", 0) == 0) {
      cat = std::stoi(line.substr(10));
    } else if (line.rfind("Data Record ", 0) == 0) {
      out.push_back(RefRecord{cat, "", {}});
      expect_hex = true;
    } else if (expect_hex && line.rfind("HexData: ", 0) == 0) {
      out.back().hex = line.substr(9);
      expect_hex = false;
    } else if (line.rfind("Item ", 0) == 0 && !out.empty()) {
      out.back().items.push_back(RefItem{line.substr(5, 3), "", {}});
      expect_bytes = true;
    } else if (expect_bytes && line.rfind("[ ", 0) == 0) {
      std::string b;
      for (char c : line)
        if (std::isxdigit(static_cast<unsigned char>(c))) b += c;
      out.back().items.back().bytes = b;
      expect_bytes = false;
    } else if (!line.empty() && line[0] == '\t' && !out.empty() && !out.back().items.empty()) {
      const auto colon = line.find(": ");
      if (colon == std::string::npos) continue;
      out.back().items.back().fields.push_back(
          RefField{line.substr(1, colon - 1), line.substr(colon + 2)});
    }
  }
  return out;
}

long long raw_of(const std::string& v) {
  std::size_t used = 0;
  return std::stoll(v, &used);
}

std::optional<double> scaled_of(const std::string& v) {
  const auto open = v.find('(');
  if (open == std::string::npos) return std::nullopt;
  try {
    return std::stod(v.substr(open + 1));
  } catch (...) {
    return std::nullopt;
  }
}

std::string rstrip(std::string s) {
  while (!s.empty() && s.back() == ' ')
    s.pop_back();
  return s;
}

// Fields of a Comm-B register decoded by Picket, in the reference's vocabulary: raw status bits
// and physical values.
std::map<std::string, double> commb_fields(int bds, std::uint64_t mb) {
  std::map<std::string, double> f;
  if (bds == 0x40) {
    const auto r = adsb::commb::decode_bds40(mb);
    f["mcp_status"] = r.mcp_status;
    f["selected_altitude_mcp"] = r.selected_altitude_mcp_ft;
    f["fms_status"] = r.fms_status;
    f["selected_altitude_fms"] = r.selected_altitude_fms_ft;
    f["baro_status"] = r.baro_status;
    f["baro_pressure_setting_minus_800"] = r.baro_setting_mb - 800.0;
    f["reserved1"] = r.reserved1;
    f["mode_status"] = r.mode_status;
    f["vnav"] = r.vnav;
    f["alt_hold"] = r.alt_hold;
    f["approach"] = r.approach;
    f["reserved2"] = r.reserved2;
    f["target_source_status"] = r.target_source_status;
    f["target_source"] = r.target_source;
  } else if (bds == 0x50) {
    const auto r = adsb::commb::decode_bds50(mb);
    f["roll_status"] = r.roll_status;
    f["roll"] = r.roll_deg;
    f["true_track_status"] = r.true_track_status;
    f["true_track"] = r.true_track_deg;
    f["groundspeed_status"] = r.groundspeed_status;
    f["groundspeed"] = r.groundspeed_kt;
    f["track_rate_status"] = r.track_rate_status;
    f["track_rate"] = r.track_rate_deg_s;
    f["true_airspeed_status"] = r.true_airspeed_status;
    f["true_airspeed"] = r.true_airspeed_kt;
  } else if (bds == 0x60) {
    const auto r = adsb::commb::decode_bds60(mb);
    f["magnetic_heading_status"] = r.magnetic_heading_status;
    f["magnetic_heading"] = r.magnetic_heading_deg;
    f["indicated_airspeed_status"] = r.indicated_airspeed_status;
    f["indicated_airspeed"] = r.indicated_airspeed_kt;
    f["mach_status"] = r.mach_status;
    f["mach"] = r.mach;
    f["baro_vertical_rate_status"] = r.baro_vertical_rate_status;
    f["baro_vertical_rate"] = r.baro_vertical_rate_fpm;
    f["inertial_vertical_rate_status"] = r.inertial_vertical_rate_status;
    f["inertial_vertical_rate"] = r.inertial_vertical_rate_fpm;
  }
  return f;
}

struct Tally {
  int records = 0, items = 0, fields = 0, commb = 0;
};

// Compares one reference text file with Picket's decode of its input.
void compare_text(const std::string& input, InputFormat format, const std::string& reference,
                  Tally& t) {
  const auto map = field_map();
  const auto bytes = picket::test::read_bytes(input);
  const auto ref = parse_reference_text(picket::test::read_text(reference));
  DecodeStats stats;
  auto got = test::decode_path(input, format, reference_editions(), &stats);
  EXPECT_EQ(got.errors(), 0u);
  for (const auto& i : got.issues)
    ADD_FAILURE() << i.message();
  EXPECT_EQ(stats.unsupported_blocks, 0u);
  EXPECT_EQ(got.records.size(), ref.size());
  const std::size_t n = std::min(got.records.size(), ref.size());
  for (std::size_t r = 0; r < n; ++r) {
    const auto& mine = got.records[r];
    const auto& want = ref[r];
    SCOPED_TRACE(fmt::format("record {} at byte {} (CAT{:03})", r + 1, mine.meta.offset, want.cat));
    ++t.records;
    ASSERT_EQ(mine.meta.category, want.cat);
    const std::string my_hex = test::hex_of(bytes.data() + mine.meta.offset, mine.meta.length);
    ASSERT_EQ(my_hex, want.hex);
    // Re-encoding gives the same octets: every bit was captured by a typed field (and spare
    // bits were zero).
    Bytes again;
    ASSERT_TRUE(encode_record(mine.record, again).ok());
    EXPECT_EQ(test::hex_of(again.data(), again.size()), want.hex);
    // The same items, each field equal.
    std::set<std::string> my_items, ref_items;
    for (const auto& [k, v] : mine.raw_json.items())
      my_items.insert(k);
    for (const auto& it : want.items)
      ref_items.insert("I" + it.id);
    EXPECT_EQ(my_items, ref_items);
    for (const auto& item : want.items) {
      ++t.items;
      std::size_t entry = 0;  // I048/250: index of the current Comm-B entry
      std::vector<std::pair<std::string, RefField>> pending;  // commb fields of this entry
      for (const auto& f : item.fields) {
        auto it = map.find({"text", want.cat, item.id, f.name});
        if (f.name == "FX" || f.name.rfind("spare", 0) == 0) continue;
        if (it == map.end()) {
          ADD_FAILURE() << "unmapped reference field CAT" << want.cat << " I" << item.id << " '"
                        << f.name << "'";
          continue;
        }
        ++t.fields;
        const auto& e = it->second;
        const json* v = test::at_path(mine.raw_json, e.path);
        ASSERT_NE(v, nullptr) << e.path;
        if (e.kind == "raw") {
          EXPECT_EQ(v->get<long long>(), raw_of(f.value)) << e.path << " " << f.value;
        } else if (e.kind == "octal" || e.kind == "hex") {
          EXPECT_EQ(v->get<std::string>(), f.value) << e.path;
        } else if (e.kind == "str") {
          const std::string mine_s = v->get<std::string>();
          if (rstrip(f.value).empty() && mine_s == "????????") {
            // All eight characters code 0 (undefined): the reference prints nothing.
          } else {
            EXPECT_EQ(rstrip(v->get<std::string>()), rstrip(f.value)) << e.path;
          }
        } else if (e.kind.rfind("commb.", 0) == 0) {
          pending.emplace_back(e.kind.substr(6), f);
        } else if (e.kind == "bdsval" || e.kind == "bdsreg") {
          ASSERT_TRUE(v->is_array());
          ASSERT_LT(entry, v->size());
          const auto& en = (*v)[entry];
          const int bds = en["BDS1"].get<int>() * 16 + en["BDS2"].get<int>();
          const std::string mbhex = en["MBDATA"].get<std::string>();
          if (e.kind == "bdsval") {
            EXPECT_EQ(mbhex, f.value);
          } else {
            // The register number closes an entry: check the fields decoded before it.
            EXPECT_EQ(fmt::format("{:02X}", bds), f.value);
            const auto mb = std::stoull(mbhex, nullptr, 16);
            const auto decoded = commb_fields(bds, mb);
            for (const auto& [name, rf] : pending) {
              ++t.commb;
              auto d = decoded.find(name);
              ASSERT_NE(d, decoded.end()) << name << " of BDS " << f.value;
              const auto scaled = scaled_of(rf.value);
              const double want_v = scaled ? *scaled : static_cast<double>(raw_of(rf.value));
              double diff = d->second - want_v;
              if (name == "magnetic_heading" || name == "true_track")
                diff = std::remainder(diff, 360.0);  // the reference keeps -180..180
              EXPECT_NEAR(diff, 0.0, 1e-6 * std::max(1.0, std::abs(want_v)))
                  << name << ": " << d->second << " vs " << rf.value;
            }
            pending.clear();
            ++entry;
          }
        } else {
          ADD_FAILURE() << "unknown kind " << e.kind;
        }
      }
      EXPECT_TRUE(pending.empty());
    }
  }
}

TEST(AsterixReference, Cat034And048CaptureMatchesTheReferenceDecode) {
  Tally t;
  compare_text(kCc + "/cat_034_048.pcap", InputFormat::pcap,
               picket::test::shared_dir() +
                   "/data/asterix/CroatiaControlLtd_asterix/install/sample_output/cat_034_048.txt",
               t);
  std::printf("compared %d records, %d items, %d fields (%d Comm-B fields)\n", t.records, t.items,
              t.fields, t.commb);
  EXPECT_EQ(t.records, 162);  // 34 CAT034 + 128 CAT048 (the README's count)
  EXPECT_GT(t.fields, 3000);
  EXPECT_GT(t.commb, 1000);
}

TEST(AsterixReference, GpsRecordingMatchesTheReferenceDecode) {
  Tally t;
  compare_text(kCc + "/parsegps.gps", InputFormat::gps, kCc + "/parsegps.txt", t);
  std::printf("compared %d records, %d items, %d fields (%d Comm-B fields)\n", t.records, t.items,
              t.fields, t.commb);
  EXPECT_EQ(t.records, 18);
  EXPECT_GT(t.fields, 300);
}

TEST(AsterixReference, Cat062CaptureMatchesTheReferenceJson) {
  const auto map = field_map();
  const auto got =
      test::decode_path(kCc + "/cat_062_065.pcap", InputFormat::pcap, reference_editions());
  EXPECT_EQ(got.errors(), 0u);
  std::istringstream in(picket::test::read_text(kCc + "/cat_062_065_json.txt"));
  std::string line;
  std::size_t r = 0;
  int fields = 0;
  while (std::getline(in, line)) {
    const auto want = json::parse(line);
    if (want["cat"] != 62) continue;  // CAT065 has no decoder here: its block is skipped
    ASSERT_LT(r, got.records.size());
    const auto& mine = got.records[r++];
    std::set<std::string> ref_items, my_items;
    for (const auto& [item, v] : want["CAT062"].items())
      ref_items.insert(item);
    for (const auto& [item, v] : mine.json.items())
      my_items.insert(item);
    EXPECT_EQ(my_items, ref_items);
    for (const auto& [item, v] : want["CAT062"].items()) {
      // Flatten the reference item to "A" or "A.B" paths.
      std::vector<std::pair<std::string, json>> leaves;
      for (const auto& [k, x] : v.items()) {
        if (x.is_object()) {
          for (const auto& [k2, y] : x.items())
            leaves.emplace_back(k + "." + k2, y);
        } else {
          leaves.emplace_back(k, x);
        }
      }
      for (const auto& [name, value] : leaves) {
        if (name == "FX" || name.find("spare") != std::string::npos) continue;
        auto it = map.find({"json", 62, item.substr(1), name});
        if (it == map.end()) {
          ADD_FAILURE() << "unmapped reference field " << item << " " << name;
          continue;
        }
        ++fields;
        const auto& e = it->second;
        const json* mv = test::at_path(mine.json, e.path);
        ASSERT_NE(mv, nullptr) << e.path;
        if (e.kind == "num") {
          EXPECT_NEAR(mv->get<double>() * e.factor, value.get<double>(),
                      1e-6 + 1e-9 * std::abs(value.get<double>()))
              << e.path;
        } else if (e.kind == "int") {
          EXPECT_EQ(mv->get<long long>(), value.get<long long>()) << e.path;
        } else {
          EXPECT_EQ(rstrip(mv->get<std::string>()), rstrip(value.get<std::string>())) << e.path;
        }
      }
    }
  }
  EXPECT_EQ(r, 2u);
  EXPECT_EQ(r, got.records.size());
  EXPECT_GT(fields, 120);
}

// The other real recordings decode completely: every record of a supported category, no error.
TEST(AsterixReference, EveryRecordingDecodesWithoutError) {
  struct Case {
    const char* file;
    InputFormat format;
    std::size_t records;
    int not_minimal;  // records whose sender wrote a needless all-zero presence octet
  };
  // cat062cat065.raw: the second CAT062 record's I062/390 primary subfield is FF E1 00.
  for (const auto& c :
       {Case{"cat048.raw", InputFormat::raw, 1, 0},
        Case{"cat062cat065.raw", InputFormat::raw, 2, 1},
        Case{"cat21_re.ast", InputFormat::raw, 2, 0}, Case{"cat034.raw", InputFormat::raw, 1, 0}}) {
    SCOPED_TRACE(c.file);
    DecodeStats stats;
    auto got = test::decode_path(kCc + "/" + c.file, c.format, {}, &stats);
    EXPECT_EQ(got.records.size(), c.records);
    EXPECT_TRUE(got.issues.empty()) << got.issues[0].message();
    EXPECT_EQ(stats.rejected_records, 0u);
    const auto bytes = picket::test::read_bytes(kCc + "/" + c.file);
    int not_minimal = 0;
    for (const auto& d : got.records) {
      Bytes again;
      ASSERT_TRUE(encode_record(d.record, again).ok());
      // Decoding the encoding gives the same record.
      auto back = decode_record(*d.meta.edition, again);
      ASSERT_TRUE(back.ok()) << back.error().message();
      EXPECT_TRUE(*back == d.record);
      // And the same octets, unless the sender used longer presence octets (FSPEC, compound
      // primary subfields) than needed: Picket always writes the shortest.
      const auto orig = test::hex_of(bytes.data() + d.meta.offset, d.meta.length);
      if (test::hex_of(again.data(), again.size()) != orig) ++not_minimal;
    }
    EXPECT_EQ(not_minimal, c.not_minimal);
  }
}

// The CAT021 records with a Reserved Expansion Field: the RE decoded by the REF structure.
TEST(AsterixReference, Cat021ReservedExpansionField) {
  auto got = test::decode_path(kCc + "/cat21_re.ast", InputFormat::raw);
  ASSERT_EQ(got.records.size(), 2u);
  const auto& r = got.records[0].json;
  ASSERT_TRUE(r.contains("RE"));
  EXPECT_EQ(r["RE"]["SGV"]["HGT"], 137.8125);
  EXPECT_EQ(got.records[1].json["RE"]["SGV"]["GSS"], 15);
  EXPECT_EQ(r["I080"], "000001");
}

}  // namespace
}  // namespace picket::asterix

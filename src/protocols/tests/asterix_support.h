// Helpers shared by the ASTERIX tests: decode a file or buffer into a list of records with
// their JSON, bytes and issues.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "picket/protocols/asterix/decoder.h"
#include "picket/protocols/asterix/stream.h"

namespace picket::asterix::test {

struct Decoded {
  RecordMeta meta;
  AnyRecord record;
  nlohmann::json json;      // physical values
  nlohmann::json raw_json;  // raw integers
};

class Collector : public RecordSink {
 public:
  std::vector<Decoded> records;
  std::vector<Issue> issues;
  bool keep_json = true;
  void on_record(const RecordMeta& meta, const AnyRecord& record) override {
    Decoded d{meta, record, {}, {}};
    if (keep_json) {
      std::string s, r;
      record_to_json(record, s);
      record_to_json(record, r, true);
      d.json = nlohmann::json::parse(s);
      d.raw_json = nlohmann::json::parse(r);
    }
    records.push_back(std::move(d));
  }
  void on_issue(const Issue& issue) override { issues.push_back(issue); }
  std::size_t errors() const {
    std::size_t n = 0;
    for (const auto& i : issues)
      n += i.severity == Severity::error;
    return n;
  }
};

inline EditionMap editions(std::initializer_list<const char*> opts) {
  EditionMap m;
  for (const char* o : opts) {
    auto st = m.set(o);
    EXPECT_TRUE(st.ok()) << o;
  }
  return m;
}

// Decodes a whole file; the decoder's statistics go to *stats when given.
inline Collector decode_path(const std::string& path, InputFormat format, EditionMap eds = {},
                             DecodeStats* stats = nullptr) {
  Collector c;
  Decoder d(std::move(eds));
  auto r = decode_file(path, format, d, c);
  EXPECT_TRUE(r.ok()) << path << ": " << (r.ok() ? "" : r.error().message());
  if (stats) *stats = d.stats();
  return c;
}

inline Collector decode_bytes(const std::vector<std::uint8_t>& bytes, EditionMap eds = {},
                              DecodeStats* stats = nullptr) {
  Collector c;
  Decoder d(std::move(eds));
  BlockReader reader(bytes);
  decode_stream(reader, d, c);
  if (stats) *stats = d.stats();
  return c;
}

// The JSON value at a dotted path ("I050.COM.NOGO"); null when absent.
inline const nlohmann::json* at_path(const nlohmann::json& j, const std::string& path) {
  const nlohmann::json* cur = &j;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto dot = path.find('.', start);
    const std::string key =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

inline std::string hex_of(const std::uint8_t* p, std::size_t n) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

}  // namespace picket::asterix::test

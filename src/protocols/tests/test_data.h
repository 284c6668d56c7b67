// Where the protocol tests find their data: tests/data/{asterix,adsb}/ in the repository, and
// the larger public recordings in the shared data folder ($PICKET_SHARED_DIR, or ../shared
// beside the source tree), which CI has too.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace picket::test {

inline std::string source_dir() {
  const char* env = std::getenv("PICKET_SOURCE_DIR");
  return env ? env : PICKET_SOURCE_DIR;
}

inline std::string data_dir(const std::string& area) {
  return source_dir() + "/tests/data/" + area;
}

inline std::string shared_dir() {
  if (const char* env = std::getenv("PICKET_SHARED_DIR")) return env;
  return source_dir() + "/../shared";
}

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace picket::test

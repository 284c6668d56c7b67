// Fuzz target: the detection line parser must turn any bytes into a Detection or an Error,
// never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "picket/formats/records.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto d = picket::formats::parse_detection(line);
  if (d) {
    std::string out;
    picket::formats::append_detection(out, *d);
    // What we write we must read back.
    out.pop_back();
    if (!picket::formats::parse_detection(out)) __builtin_trap();
  }
  (void)picket::formats::parse_truth(line);
  (void)picket::formats::parse_event(line);
  return 0;
}

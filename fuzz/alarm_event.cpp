// Fuzz target: the alarm line parser must turn any bytes into an AlarmEvent or an Error, never
// crash, hang or leak; what it reads, written again, must read back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "picket/formats/alarms.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto e = picket::formats::parse_alarm_event(line);
  if (e) {
    std::string out;
    picket::formats::append_alarm_event(out, *e);
    out.pop_back();
    auto back = picket::formats::parse_alarm_event(out);
    if (!back) __builtin_trap();
    std::string again;
    picket::formats::append_alarm_event(again, *back);
    again.pop_back();
    if (again != out) __builtin_trap();
  }
  return 0;
}

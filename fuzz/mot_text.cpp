// Fuzz target: the MOTChallenge line parser must turn any bytes into a row or an Error, never
// crash, hang or leak; what it accepts and writes back it must read again to the same row.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "picket/formats/mot.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto r = picket::formats::parse_mot_row(line);
  if (!r) return 0;
  if (r->frame < 1 || r->w < 0 || r->h < 0 || !std::isfinite(r->x)) __builtin_trap();
  std::string out;
  picket::formats::append_mot_row(out, *r, 17);
  out.pop_back();
  auto back = picket::formats::parse_mot_row(out);
  if (!back) __builtin_trap();
  if (back->frame != r->frame || back->id != r->id || back->conf != r->conf || back->c8 != r->c8)
    __builtin_trap();
  return 0;
}

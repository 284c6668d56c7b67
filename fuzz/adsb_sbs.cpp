// Fuzz target: any bytes as SBS-1 BaseStation text, split into lines. Every line parses to a
// message or an error naming the field; nothing may crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "picket/protocols/adsb/adapters.h"
#include "picket/protocols/adsb/feeds.h"
#include "picket/protocols/adsb/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string out;
  picket::adsb::LineSplitter lines([&](std::string_view line, std::uint64_t, bool) {
    auto m = picket::adsb::parse_sbs(line);
    if (!m) {
      out = m.error().message();
      return;
    }
    out.clear();
    picket::asterix::codec::JsonOut j(out);
    j.begin_object();
    picket::adsb::sbs_json(*m, j);
    j.end_object();
    (void)picket::adsb::sbs_detection(*m, "sbs");
  });
  lines.feed({data, size});
  lines.finish();
  return 0;
}

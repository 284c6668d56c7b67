// Fuzz target: any bytes as hex Mode S frames, one per line (AVR "*...;", "@...;", bare hex,
// "TIME,HEX"). Every line is a frame, nothing, or an error; frames are decoded with CPR positions
// and Comm-B inference; nothing may crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "picket/protocols/adsb/commb.h"
#include "picket/protocols/adsb/feeds.h"
#include "picket/protocols/adsb/json.h"
#include "picket/protocols/adsb/positions.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picket::adsb::PositionDecoder positions;
  std::string out;
  double t = 0;
  picket::adsb::LineSplitter lines([&](std::string_view line, std::uint64_t, bool) {
    auto h = picket::adsb::parse_hex_line(line);
    if (!h || !*h) return;
    auto m = picket::adsb::decode((*h)->frame);
    if (!m) return;
    out.clear();
    picket::asterix::codec::JsonOut j(out);
    j.begin_object();
    picket::adsb::message_json(*m, j);
    j.end_object();
    t = (*h)->time.value_or(t + 0.5);
    if (const auto* p = std::get_if<picket::adsb::AirbornePosition>(&m->es))
      (void)positions.airborne(m->icao, t, *p);
    if (m->mb) {
      for (int bds : picket::adsb::commb::infer_bds(*m->mb, m->df, m->altitude_ft))
        out += picket::adsb::commb::bds_name(bds);
    }
  });
  lines.feed({data, size});
  lines.finish();
  return 0;
}

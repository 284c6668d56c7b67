// Fuzz target: any bytes as a Beast binary stream, fed in pieces of varying size. Frames come out
// whole or are reported; every Mode S frame is decoded, its Comm-B register inferred and its
// position fed to the position decoder; nothing may crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "picket/protocols/adsb/feeds.h"
#include "picket/protocols/adsb/json.h"
#include "picket/protocols/adsb/positions.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  picket::adsb::PositionOptions options;
  options.receiver = picket::adsb::LatLon{43.6, 1.4};
  picket::adsb::PositionDecoder positions(options);
  std::string out;
  std::size_t frames = 0;
  picket::adsb::BeastParser parser(
      [&](const picket::adsb::BeastFrame& f) {
        ++frames;
        if (!f.is_mode_s()) return;
        auto m = picket::adsb::decode(f.frame());
        if (!m) return;
        out.clear();
        picket::asterix::codec::JsonOut j(out);
        j.begin_object();
        picket::adsb::message_json(*m, j);
        j.end_object();
        if (const auto* p = std::get_if<picket::adsb::AirbornePosition>(&m->es))
          (void)positions.airborne(m->icao, f.seconds(), *p);
        if (const auto* s = std::get_if<picket::adsb::SurfacePosition>(&m->es))
          (void)positions.surface(m->icao, f.seconds(), *s);
      },
      [&](const picket::adsb::FeedIssue& i) { out = i.message(); });
  // Piece sizes from the data itself, so escapes fall across boundaries.
  std::size_t i = 0, step = size ? (data[0] % 17) + 1 : 1;
  while (i < size) {
    const std::size_t n = std::min(step, size - i);
    parser.feed({data + i, n});
    i += n;
    step = (step * 7 + 3) % 23 + 1;
  }
  parser.finish();
  if (parser.stats().frames != frames) __builtin_trap();
  return 0;
}

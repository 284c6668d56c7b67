// Fuzz target: the daemon's live feeds (protocols/asterix/radar_feed.h, adsb/live_feed.h) on any
// bytes. The first octet picks the feed: 0 ASTERIX datagrams (the rest cut into datagrams by
// 2-octet big-endian length prefixes, fed to a reader with two radars told apart by SAC/SIC and
// one taking the rest), 1 a Beast stream, 2 an SBS stream (both fed in pieces whose sizes the
// data picks). Oracles besides the sanitizers: every detection belongs to a configured sensor,
// with a finite time within 12 h of the clock given; the reader's counts agree with what it
// passed on; nothing a peer sends may crash, hang or leak.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "picket/protocols/adsb/live_feed.h"
#include "picket/protocols/asterix/radar_feed.h"

namespace {
constexpr double kNow = 1.8e9;

void check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace picket;
  if (size < 1) return 0;
  const int mode = data[0] % 3;
  data += 1;
  size -= 1;
  if (mode == 0) {
    asterix::RadarFeedReader::Options o;
    o.radars = {{"a", asterix::DataSource{1, 1}, 48},
                {"b", asterix::DataSource{1, 2}, 10},
                {"rest", std::nullopt, 0}};
    std::uint64_t plots = 0, health = 0;
    asterix::RadarFeedReader reader(
        std::move(o),
        [&](Detection&& d) {
          check(d.sensor == "a" || d.sensor == "b" || d.sensor == "rest");
          check(std::isfinite(d.t) && std::abs(d.t - kNow) <= 12 * 3600 + 1);
          (d.status == SensorStatus::none ? plots : health) += 1;
        },
        [](const asterix::Issue& i) { check(!i.message().empty()); });
    std::size_t pos = 0;
    while (pos + 2 <= size) {
      const std::size_t n = std::min<std::size_t>((data[pos] << 8) | data[pos + 1], size - pos - 2);
      reader.feed({data + pos + 2, n}, kNow);
      pos += 2 + n;
    }
    const auto& s = reader.stats();
    check(s.plots == plots && s.health_reports == health);
    check(s.plots + s.service + s.unrouted + s.ignored == s.records);
    return 0;
  }
  std::uint64_t detections = 0;
  adsb::LiveFeed feed(
      mode == 1 ? adsb::LiveFeed::Kind::beast : adsb::LiveFeed::Kind::sbs, "adsb",
      adsb::PositionOptions{},
      [&](protocols::CooperativeDetection&& c) {
        ++detections;
        check(c.detection.sensor == "adsb" && c.detection.t == kNow);
        check(c.detection.sensor_track && c.detection.sensor_track->size() == 6);
      },
      [](const adsb::FeedIssue& i) { check(!i.message().empty()); });
  // Piece sizes from the data itself, so TCP's arbitrary cuts are explored.
  std::size_t pos = 0, k = 0;
  while (pos < size) {
    const std::size_t piece = 1 + data[k++ % size] % 64;
    const std::size_t n = std::min(piece, size - pos);
    feed.feed({data + pos, n}, kNow);
    pos += n;
  }
  check(feed.stats().detections == detections);
  return 0;
}

// A receiver's live ADS-B feed (dump1090, readsb: Beast binary on port 30005, SBS-1 BaseStation
// text on port 30003) turned into cooperative detections, as the octets arrive. Pure code: the
// caller reads the socket and gives the clock.
//
//  * Beast: frames (feeds.h) -> Mode S decoding (modes.h); only DF 17/18 whose parity checks
//    are used: identification messages give the aircraft's callsign, airborne and surface
//    position messages go through a PositionDecoder (global even/odd pairs, then local
//    decoding, positions.h) and each fix becomes a CooperativeDetection (adapters.h).
//  * SBS: lines -> parse_sbs; MSG 1 gives the callsign, MSG 2 and 3 with a latitude and
//    longitude a CooperativeDetection.
//
// Time: Beast timestamps count from the receiver's start and SBS times are written in the
// receiver's local time zone by dump1090, so neither gives Unix time: the detection time is the
// arrival time the caller passes (`now`), which on a local network is within milliseconds.
//
// Problems (a cut or unknown Beast frame, an SBS line that does not parse, a Mode S frame of
// the wrong length) are counted and reported with the byte offset (Beast) or line number (SBS)
// in the stream since the connection opened; the stream goes on. Callsigns are kept for at most
// `max_aircraft` aircraft (the table is cleared beyond).
//
// Thread-safety: none; one per connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "picket/protocols/adsb/adapters.h"
#include "picket/protocols/adsb/feeds.h"
#include "picket/protocols/adsb/positions.h"

namespace picket::adsb {

struct LiveFeedStats {
  std::uint64_t octets = 0;
  std::uint64_t items = 0;       // Beast frames or SBS lines
  std::uint64_t rejected = 0;    // frames or lines reported as problems
  std::uint64_t crc_failed = 0;  // DF 17/18 whose parity does not check (dropped)
  std::uint64_t detections = 0;  // cooperative detections passed on
};

class LiveFeed {
 public:
  enum class Kind : std::uint8_t { beast, sbs };
  using DetectionFn = std::function<void(CooperativeDetection&&)>;
  using IssueFn = std::function<void(const FeedIssue&)>;
  LiveFeed(Kind kind, std::string sensor, PositionOptions positions, DetectionFn on_detection,
           IssueFn on_issue);
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // The next octets of the stream, received at `now` (Unix seconds).
  void feed(std::span<const std::uint8_t> data, double now);
  // The connection was lost: framing starts again (offsets and line numbers from 0) with the
  // next connection; aircraft positions are kept.
  void reset();
  const LiveFeedStats& stats() const { return stats_; }

  static constexpr std::size_t max_aircraft = 20000;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  LiveFeedStats stats_;
};

}  // namespace picket::adsb

// Cooperative identity of tracks: which aircraft (ICAO 24-bit address, callsign) a track is,
// when a cooperative sensor — ADS-B, or ASTERIX CAT021 — confirms it.
//
// The tracker fuses a cooperative report into a track like any other measurement (a geodetic
// position with its own noise); this component, outside the tracker's hot path, watches which
// track each cooperative report updated and attaches the identity to that track:
//
//   caller ── note(ref, report) ──► pending reports, by the reference given to Tracker::push
//   tracker updates ── apply(state) ──► state.icao / state.callsign filled in
//
// Rules (docs/tracker.md "Cooperative identity"):
//   - a track takes the identity of the cooperative report behind its latest update
//     (TrackState::detection == the report's reference); a different address later replaces
//     it (counted as a switch);
//   - an address belongs to one track: when it confirms another track, the first loses it
//     (counted as a move — two tracks on one aircraft, or a mis-association);
//   - the identity holds for `hold_s` seconds after the last confirming report; a track that
//     no cooperative report has confirmed for longer is non-cooperative again (a transponder
//     switched off is a non-cooperative flyer);
//   - the callsign is the latest one the aircraft sent (ADS-B sends identification and
//     position in separate messages, so a report may carry none);
//   - a deleted track forgets its identity.
//
// The address comes from the report itself or, for a plain Detection, from its `sensor_track`
// (six hex digits, as the ADS-B and CAT021 adapters write it); only sensors whose site type is
// `adsb` count as cooperative.
//
// Thread-safety: none; one instance belongs to the thread that owns the tracker.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "picket/core/site.h"
#include "picket/core/types.h"

namespace picket::track {

struct IdentityParams {
  double hold_s = 30;     // the identity lasts this long after the last confirming report
  double pending_s = 60;  // a report not used by any track update within this time is dropped
};

struct IdentityStats {
  std::uint64_t noted = 0;            // cooperative reports noted
  std::uint64_t not_cooperative = 0;  // note() of a sensor that is not `adsb` (ignored)
  std::uint64_t bad_address = 0;      // sensor_track missing or not 1..6 hex digits (ignored)
  std::uint64_t confirmed = 0;        // track updates caused by a cooperative report
  std::uint64_t switches = 0;         // a track's address replaced by another
  std::uint64_t moves = 0;            // an address taken from one track by another
  std::uint64_t expired = 0;          // identities dropped after hold_s without confirmation
  std::uint64_t pending_dropped = 0;  // reports no track update used
};

// "4CA2D6" -> 0x4CA2D6; nothing for empty text, more than 6 digits or a non-hex character.
std::optional<std::uint32_t> parse_icao_address(std::string_view hex);

class CooperativeIdentity {
 public:
  explicit CooperativeIdentity(const Site& site, IdentityParams params = {});

  // A cooperative report pushed to the tracker with reference `ref` (its time `t`). Returns
  // false when it is ignored (counted).
  bool note(std::uint64_t ref, double t, std::uint32_t icao, std::string_view callsign = {});
  // The same for a Detection: ignored unless its sensor is of type `adsb` in the site and its
  // `sensor_track` is a valid address.
  bool note(std::uint64_t ref, const Detection& d, std::string_view callsign = {});

  // Sets state.icao and state.callsign (or clears them) from what is known of the track. Call
  // for every track update the tracker publishes, in order, before the rules see it.
  void apply(TrackState& state);

  // The identity a track holds now (after the last apply), if any.
  std::optional<std::uint32_t> icao_of(std::uint64_t track) const;
  const IdentityStats& stats() const { return stats_; }
  std::size_t tracks_identified() const { return tracks_.size(); }

 private:
  struct Pending {
    double t = 0;
    std::uint32_t icao = 0;
  };
  struct Held {
    std::uint32_t icao = 0;
    double last_t = 0;  // latest confirming report
  };
  void expire_pending(double now);
  void release(std::uint64_t track);

  const Site& site_;
  IdentityParams params_;
  IdentityStats stats_;
  std::unordered_map<std::uint64_t, Pending> pending_;          // by detection reference
  std::deque<std::pair<double, std::uint64_t>> pending_order_;  // (t, ref), insertion order
  double latest_t_ = 0;
  std::unordered_map<std::uint64_t, Held> tracks_;            // by track id
  std::unordered_map<std::uint32_t, std::uint64_t> owner_;    // address -> track id
  std::unordered_map<std::uint32_t, std::string> callsigns_;  // latest callsign by address
};

}  // namespace picket::track

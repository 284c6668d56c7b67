// Turning a stream of CPR position messages into positions, aircraft by aircraft.
//
// For each ICAO address the decoder keeps the last even and the last odd message. A position
// is first fixed globally from an even/odd pair received within `max_pair_age_s` (10 s
// airborne, 50 s on the surface, as DO-260B recommends); later messages are decoded locally
// against that aircraft's last position, which is unambiguous while it moved less than half a
// CPR cell. A local result that jumps further than `max_jump_m` from the last position
// (or a global one far from the receiver, when its position is known) is rejected and the
// aircraft waits for a new global fix. Surface messages need a reference for their global
// decoding (the receiver's position); once fixed, they are decoded locally like the others.
//
// Memory is bounded: aircraft silent for `forget_after_s` are dropped when the table grows past
// `max_aircraft`.
//
// Thread-safety: none; one decoder per input.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "picket/protocols/adsb/cpr.h"
#include "picket/protocols/adsb/modes.h"

namespace picket::adsb {

struct PositionOptions {
  std::optional<LatLon> receiver;  // needed for surface positions without airborne history
  double max_pair_age_s = 10;      // airborne even/odd pairing window
  double max_surface_pair_age_s = 50;
  double max_jump_m = 20000;  // local decoding sanity bound between fixes
  double max_receiver_range_m = 700000;
  double forget_after_s = 300;
  std::size_t max_aircraft = 20000;
};

struct Fix {
  LatLon position;
  bool global = false;  // from an even/odd pair (else local)
  bool surface = false;
};

class PositionDecoder {
 public:
  explicit PositionDecoder(PositionOptions options = {});
  // t: seconds (any epoch, increasing); returns the position when one can be fixed.
  std::optional<Fix> airborne(std::uint32_t icao, double t, const AirbornePosition& p);
  std::optional<Fix> surface(std::uint32_t icao, double t, const SurfacePosition& p);
  std::size_t aircraft() const { return table_.size(); }

 private:
  struct Half {
    std::uint32_t lat = 0, lon = 0;
    double t = -1e300;
  };
  struct State {
    Half even, odd;
    std::optional<LatLon> last;
    double last_t = -1e300;
    double seen = 0;
  };
  State& state(std::uint32_t icao, double t);
  std::optional<Fix> update(std::uint32_t icao, double t, bool odd, std::uint32_t lat,
                            std::uint32_t lon, bool surface);
  PositionOptions o_;
  std::unordered_map<std::uint32_t, State> table_;
};

// Great-circle distance on a sphere of the WGS84 mean radius, metres (for sanity bounds).
double distance_m(LatLon a, LatLon b);

}  // namespace picket::adsb

// Mode S downlink frames and the ADS-B extended squitter they carry.
//
// Sources: ICAO Annex 10 Volume IV (Mode S: downlink formats, the 24-bit parity, AC13 and ID13
// codes), ICAO Doc 9871 / RTCA DO-260B (extended squitter type codes, identification, airborne
// and surface position, airborne velocity), and J. Sun, "The 1090 Megahertz Riddle" (2nd ed.,
// TU Delft OPEN Publishing, 2021), which explains them with worked examples; those examples are
// this module's test vectors. CPR position decoding is in cpr.h, Comm-B registers in commb.h.
//
// A Frame is 56 or 112 bits. decode() reads the downlink format and its fields; for DF 11, 17
// and 18 the parity must check (residual 0, or an interrogator code for DF 11); for the formats
// whose parity is overlaid with the address (0, 4, 5, 16, 20, 21) the address is the residual.
// Nothing here allocates except the callsign strings.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "picket/core/result.h"

namespace picket::adsb {

struct Frame {
  std::array<std::uint8_t, 14> bytes{};
  std::uint8_t length = 0;  // octets: 7 or 14

  // 14 or 28 hex digits; anything else is an error naming what was wrong.
  static Result<Frame> from_hex(std::string_view hex);
  static Frame from_bytes(std::span<const std::uint8_t> b);  // 7 or 14 octets
  std::string hex() const;                                   // upper case
  int df() const { return bytes[0] >> 3; }
  // Bits numbered from 1 as in the ICAO documents: bit 1 is the MSB of octet 0.
  std::uint64_t bits(unsigned first, unsigned count) const;
  // The 56-bit ME/MB field (bits 33-88) of a long frame.
  std::uint64_t me() const { return bits(33, 56); }
};

// The Mode S 24-bit cyclic redundancy check (generator polynomial 0x1FFF409) of the frame's
// octets before the last three, XOR the last three: 0 for a clean DF 17/18, the aircraft
// address for address/parity formats.
std::uint32_t crc_residual(const Frame& f);
std::uint32_t crc24(std::span<const std::uint8_t> data);

// Downlink formats with a known length: 0 4 5 11 (short), 16 17 18 19 20 21 24+ (long).
int expected_length(int df);

// AC13 altitude code (DF 0, 4, 16, 20): feet, or nothing when unavailable/invalid.
std::optional<int> decode_ac13(std::uint32_t ac13);
// AC12 altitude of the airborne position message (Q bit, or Gillham).
std::optional<int> decode_ac12(std::uint32_t ac12);
// Gillham (Mode C) gray code in the 13-bit AC layout C1 A1 C2 A2 C4 A4 M B1 Q B2 D2 B4 D4 with
// M and Q zero: feet, or nothing for codes that do not exist.
std::optional<int> gillham_to_feet(std::uint32_t ac13);
// ID13 identity (DF 5, 21): the four octal digits of the Mode 3/A code as text, e.g. "7000".
std::string decode_id13(std::uint32_t id13);
// The 12-bit Mode 3/A code as a number whose octal digits are the four code digits.
std::uint16_t id13_to_mode3a(std::uint32_t id13);

// Callsign characters (6 bits each): "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789
// ######", '#' for codes that do not exist.
std::string decode_callsign(std::uint64_t chars48);

// --- ADS-B extended squitter (DF 17/18) messages -------------------------------------------

struct Identification {  // type codes 1-4
  int category = 0;      // emitter category (CA) within the set the type code names
  std::string callsign;  // 8 characters, trailing spaces kept
};

struct AirbornePosition {  // type codes 9-18 (barometric) and 20-22 (GNSS height)
  int surveillance_status = 0;
  bool single_antenna = false;
  std::optional<int> altitude_ft;  // barometric for 9-18, GNSS (HAE) for 20-22
  bool gnss_altitude = false;
  bool time_sync = false;                  // T flag
  bool odd = false;                        // CPR format F
  std::uint32_t lat_cpr = 0, lon_cpr = 0;  // 17 bits each
};

struct SurfacePosition {            // type codes 5-8
  int movement = 0;                 // raw 7-bit ground movement code
  std::optional<double> speed_kt;   // from the movement code (nothing: unavailable)
  std::optional<double> track_deg;  // when the track status bit is set
  bool time_sync = false;
  bool odd = false;
  std::uint32_t lat_cpr = 0, lon_cpr = 0;
};

struct Velocity {   // type code 19
  int subtype = 0;  // 1, 2: ground speed (2 supersonic); 3, 4: airspeed and heading
  int nac_v = 0;
  bool intent_change = false;
  std::optional<double> groundspeed_kt, track_deg;  // subtypes 1, 2
  std::optional<double> airspeed_kt, heading_deg;   // subtypes 3, 4
  bool true_airspeed = false;                       // subtypes 3, 4: TAS (else IAS)
  std::optional<int> vertical_rate_fpm;             // positive up
  bool vertical_rate_baro = false;                  // source: barometric (else GNSS)
  std::optional<int> gnss_minus_baro_ft;            // geometric minus barometric height
  double east_kt = 0, north_kt = 0;                 // subtypes 1, 2 components
};

struct AircraftStatus {  // type code 28 subtype 1: emergency and Mode 3/A
  int subtype = 0;
  int emergency = 0;
  std::string squawk;
};

struct OperationalStatus {  // type code 31
  int subtype = 0;          // 0 airborne, 1 surface
  int version = 0;          // ADS-B version (0, 1, 2)
  int nic_a = 0;            // NIC supplement A
  int nac_p = 0;
  int sil = 0;
};

using ExtendedSquitter = std::variant<std::monostate, Identification, AirbornePosition,
                                      SurfacePosition, Velocity, AircraftStatus, OperationalStatus>;

struct Message {
  int df = 0;
  std::uint32_t icao = 0;  // announced (DF 11/17/18) or recovered from the parity
  bool crc_ok = false;     // DF 11/17/18 parity checks; always false for overlaid formats
  std::uint32_t residual = 0;
  std::optional<int> capability;      // DF 11, 17
  std::optional<int> altitude_ft;     // DF 0, 4, 16, 20 (AC13)
  std::optional<std::string> squawk;  // DF 5, 21 (ID13)
  std::optional<int> flight_status;   // DF 4, 5, 20, 21
  std::optional<int> type_code;       // DF 17/18
  ExtendedSquitter es;                // DF 17/18 decoded by type code
  std::optional<std::uint64_t> mb;    // DF 20, 21: the 56-bit Comm-B message
};

// Decodes a frame. Fails for a length that does not match the downlink format.
Result<Message> decode(const Frame& f);

// The extended squitter of a DF 17/18 ME field.
ExtendedSquitter decode_es(std::uint64_t me, int type_code);

}  // namespace picket::adsb

// Comm-B registers (the 56-bit MB field of DF 20/21 replies, and of ASTERIX I048/250): their
// decoding, and inferring which register a reply carries.
//
// Register layouts: ICAO Doc 9871 (Technical Provisions for Mode S Services and Extended
// Squitter), Appendix B, tables B-3-16 (BDS 1,0), B-3-23 (1,7), B-3-32 (2,0), B-3-48 (3,0),
// B-3-64 (4,0), B-3-68 (4,4), B-3-69 (4,5), B-3-80 (5,0), B-3-96 (6,0). Bits are numbered 1..56
// within the MB field.
//
// A reply does not say which register it carries (the ground station knows what it asked).
// infer_bds() follows the method of J. Sun, "The 1090 Megahertz Riddle" (2021), chapter
// "Mode S Comm-B": a register is a candidate when its identifying octet matches (1,0 2,0 3,0),
// every status bit that is 0 has all-zero value bits, reserved bits are 0, and decoded values
// are physically plausible (roll within 50 degrees, speeds below 600 kt, |vertical rates| up to
// 6000 ft/min, Mach below 1, temperatures -80..60 degC, and for DF 20 an indicated airspeed
// within 20 kt of the one Mach and altitude imply in the ISA atmosphere). More than one candidate
// is possible; the result lists them all.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace picket::adsb::commb {

// Bits first..first+count-1 (1-based) of a 56-bit MB field.
inline std::uint64_t mb_bits(std::uint64_t mb, unsigned first, unsigned count) {
  return (mb >> (56 - (first + count - 1))) & ((std::uint64_t{1} << count) - 1);
}

struct Bds10 {                             // data link capability report
  int version = 0;                         // Mode S subnetwork version (bits 17-23)
  bool overlay = false;                    // overlay command capability (bit 15)
  bool acas = false;                       // bit 16? (ACAS capability), bits 25
  bool identification_capability = false;  // bit 33? kept raw for display
};

struct Bds17 {  // common-usage GICB capability report: the registers the transponder serves
  std::vector<std::string> registers;  // "BDS05", "BDS20", ...
};

struct Bds20 {           // aircraft identification
  std::string callsign;  // 8 characters
};

struct Bds40 {  // selected vertical intention
  bool mcp_status = false;
  int selected_altitude_mcp_ft = 0;  // 16 ft steps
  bool fms_status = false;
  int selected_altitude_fms_ft = 0;
  bool baro_status = false;
  double baro_setting_mb = 800;  // 0.1 mb steps above 800 mb
  std::uint32_t reserved1 = 0;   // bits 40-47
  bool mode_status = false;
  bool vnav = false, alt_hold = false, approach = false;
  std::uint32_t reserved2 = 0;  // bits 52-53
  bool target_source_status = false;
  int target_source = 0;
};

struct Bds44 {  // meteorological routine air report
  int source = 0;
  bool wind_status = false;
  double wind_speed_kt = 0, wind_direction_deg = 0;
  double temperature_c = 0;
  bool pressure_status = false;
  double pressure_hpa = 0;
  bool turbulence_status = false;
  int turbulence = 0;
  bool humidity_status = false;
  double humidity_pct = 0;
};

struct Bds45 {  // meteorological hazard report
  std::optional<int> turbulence, wind_shear, microburst, icing, wake_vortex;  // 0..3
  std::optional<double> temperature_c;
  std::optional<int> static_pressure_hpa;
  std::optional<int> radio_height_ft;
};

struct Bds50 {  // track and turn report
  bool roll_status = false;
  double roll_deg = 0;  // positive: right wing down
  bool true_track_status = false;
  double true_track_deg = 0;  // -180..180 as transmitted (add 360 for 0..360)
  bool groundspeed_status = false;
  double groundspeed_kt = 0;
  bool track_rate_status = false;
  double track_rate_deg_s = 0;
  bool true_airspeed_status = false;
  double true_airspeed_kt = 0;
};

struct Bds60 {  // heading and speed report
  bool magnetic_heading_status = false;
  double magnetic_heading_deg = 0;  // -180..180 as transmitted
  bool indicated_airspeed_status = false;
  double indicated_airspeed_kt = 0;
  bool mach_status = false;
  double mach = 0;
  bool baro_vertical_rate_status = false;
  double baro_vertical_rate_fpm = 0;
  bool inertial_vertical_rate_status = false;
  double inertial_vertical_rate_fpm = 0;
};

Bds10 decode_bds10(std::uint64_t mb);
Bds17 decode_bds17(std::uint64_t mb);
Bds20 decode_bds20(std::uint64_t mb);
Bds40 decode_bds40(std::uint64_t mb);
Bds44 decode_bds44(std::uint64_t mb);
Bds45 decode_bds45(std::uint64_t mb);
Bds50 decode_bds50(std::uint64_t mb);
Bds60 decode_bds60(std::uint64_t mb);

// Candidate registers (0x10, 0x17, 0x20, 0x30, 0x40, 0x44, 0x45, 0x50, 0x60), ascending.
// `df` and `altitude_ft` (the reply's AC13, for DF 20) enable the airspeed consistency check of
// BDS 6,0. An all-zero MB field gives no candidate.
std::vector<int> infer_bds(std::uint64_t mb, int df = 21, std::optional<int> altitude_ft = {});

// "BDS40" for 0x40.
std::string bds_name(int bds);

// Calibrated airspeed (kt) of an aircraft flying at `mach` at pressure altitude `alt_ft` in the
// ICAO standard atmosphere.
double mach_to_cas_kt(double mach, double alt_ft);

}  // namespace picket::adsb::commb

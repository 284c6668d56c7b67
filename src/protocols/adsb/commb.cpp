#include "picket/protocols/adsb/commb.h"

#include <fmt/format.h>

#include <cmath>

#include "picket/protocols/adsb/modes.h"

namespace picket::adsb::commb {

namespace {

std::uint64_t b(std::uint64_t mb, unsigned first, unsigned count) {
  return mb_bits(mb, first, count);
}

// A sign bit followed by `count` magnitude bits in two's complement.
double signed_field(std::uint64_t mb, unsigned sign_bit, unsigned count) {
  auto v = static_cast<std::int64_t>(b(mb, sign_bit + 1, count));
  if (b(mb, sign_bit, 1)) v -= std::int64_t{1} << count;
  return static_cast<double>(v);
}

// A status bit that is 0 with non-zero value bits: the register cannot be this one.
bool wrong_status(std::uint64_t mb, unsigned status, unsigned first, unsigned last) {
  return b(mb, status, 1) == 0 && b(mb, first, last - first + 1) != 0;
}

double to_0_360(double deg) {
  return deg < 0 ? deg + 360.0 : deg;
}

}  // namespace

Bds10 decode_bds10(std::uint64_t mb) {
  Bds10 r;
  r.overlay = b(mb, 15, 1);
  r.acas = b(mb, 16, 1);
  r.version = static_cast<int>(b(mb, 17, 7));
  r.identification_capability = b(mb, 33, 1);
  return r;
}

Bds17 decode_bds17(std::uint64_t mb) {
  static constexpr const char* kRegs[24] = {"05", "06", "07", "08", "09", "0A", "20", "21",
                                            "40", "41", "42", "43", "44", "45", "48", "50",
                                            "51", "52", "53", "54", "55", "56", "5F", "60"};
  Bds17 r;
  for (unsigned i = 0; i < 24; ++i)
    if (b(mb, i + 1, 1)) r.registers.push_back(std::string("BDS") + kRegs[i]);
  return r;
}

Bds20 decode_bds20(std::uint64_t mb) {
  return Bds20{decode_callsign(b(mb, 9, 48))};
}

Bds40 decode_bds40(std::uint64_t mb) {
  Bds40 r;
  r.mcp_status = b(mb, 1, 1);
  r.selected_altitude_mcp_ft = static_cast<int>(b(mb, 2, 12)) * 16;
  r.fms_status = b(mb, 14, 1);
  r.selected_altitude_fms_ft = static_cast<int>(b(mb, 15, 12)) * 16;
  r.baro_status = b(mb, 27, 1);
  r.baro_setting_mb = static_cast<double>(b(mb, 28, 12)) * 0.1 + 800.0;
  r.reserved1 = static_cast<std::uint32_t>(b(mb, 40, 8));
  r.mode_status = b(mb, 48, 1);
  r.vnav = b(mb, 49, 1);
  r.alt_hold = b(mb, 50, 1);
  r.approach = b(mb, 51, 1);
  r.reserved2 = static_cast<std::uint32_t>(b(mb, 52, 2));
  r.target_source_status = b(mb, 54, 1);
  r.target_source = static_cast<int>(b(mb, 55, 2));
  return r;
}

Bds44 decode_bds44(std::uint64_t mb) {
  Bds44 r;
  r.source = static_cast<int>(b(mb, 1, 4));
  r.wind_status = b(mb, 5, 1);
  r.wind_speed_kt = static_cast<double>(b(mb, 6, 9));
  r.wind_direction_deg = static_cast<double>(b(mb, 15, 9)) * 180.0 / 256.0;
  r.temperature_c = signed_field(mb, 24, 10) * 0.25;
  r.pressure_status = b(mb, 35, 1);
  r.pressure_hpa = static_cast<double>(b(mb, 36, 11));
  r.turbulence_status = b(mb, 47, 1);
  r.turbulence = static_cast<int>(b(mb, 48, 2));
  r.humidity_status = b(mb, 50, 1);
  r.humidity_pct = static_cast<double>(b(mb, 51, 6)) * 100.0 / 64.0;
  return r;
}

Bds45 decode_bds45(std::uint64_t mb) {
  Bds45 r;
  auto hazard = [&](unsigned status) -> std::optional<int> {
    if (!b(mb, status, 1)) return std::nullopt;
    return static_cast<int>(b(mb, status + 1, 2));
  };
  r.turbulence = hazard(1);
  r.wind_shear = hazard(4);
  r.microburst = hazard(7);
  r.icing = hazard(10);
  r.wake_vortex = hazard(13);
  if (b(mb, 16, 1)) r.temperature_c = signed_field(mb, 17, 9) * 0.25;
  if (b(mb, 27, 1)) r.static_pressure_hpa = static_cast<int>(b(mb, 28, 11));
  if (b(mb, 39, 1)) r.radio_height_ft = static_cast<int>(b(mb, 40, 12)) * 16;
  return r;
}

Bds50 decode_bds50(std::uint64_t mb) {
  Bds50 r;
  r.roll_status = b(mb, 1, 1);
  r.roll_deg = signed_field(mb, 2, 9) * 45.0 / 256.0;
  r.true_track_status = b(mb, 12, 1);
  r.true_track_deg = to_0_360(signed_field(mb, 13, 10) * 90.0 / 512.0);
  r.groundspeed_status = b(mb, 24, 1);
  r.groundspeed_kt = static_cast<double>(b(mb, 25, 10)) * 2.0;
  r.track_rate_status = b(mb, 35, 1);
  r.track_rate_deg_s = signed_field(mb, 36, 9) * 8.0 / 256.0;
  r.true_airspeed_status = b(mb, 46, 1);
  r.true_airspeed_kt = static_cast<double>(b(mb, 47, 10)) * 2.0;
  return r;
}

Bds60 decode_bds60(std::uint64_t mb) {
  Bds60 r;
  r.magnetic_heading_status = b(mb, 1, 1);
  r.magnetic_heading_deg = to_0_360(signed_field(mb, 2, 10) * 90.0 / 512.0);
  r.indicated_airspeed_status = b(mb, 13, 1);
  r.indicated_airspeed_kt = static_cast<double>(b(mb, 14, 10));
  r.mach_status = b(mb, 24, 1);
  r.mach = static_cast<double>(b(mb, 25, 10)) * 2.048 / 512.0;
  r.baro_vertical_rate_status = b(mb, 35, 1);
  r.baro_vertical_rate_fpm = signed_field(mb, 36, 9) * 32.0;
  r.inertial_vertical_rate_status = b(mb, 46, 1);
  r.inertial_vertical_rate_fpm = signed_field(mb, 47, 9) * 32.0;
  return r;
}

double mach_to_cas_kt(double mach, double alt_ft) {
  // ICAO standard atmosphere: troposphere lapse rate to 11 km, isothermal above.
  constexpr double kT0 = 288.15, kP0 = 101325.0, kRho0 = 1.225, kLapse = -0.0065;
  constexpr double kR = 287.05287, kG0 = 9.80665, kGamma = 1.4;
  const double h = alt_ft * 0.3048;
  double t = 0, p = 0;
  if (h <= 11000.0) {
    t = kT0 + kLapse * h;
    p = kP0 * std::pow(t / kT0, -kG0 / (kLapse * kR));
  } else {
    const double t11 = kT0 + kLapse * 11000.0;
    const double p11 = kP0 * std::pow(t11 / kT0, -kG0 / (kLapse * kR));
    t = t11;
    p = p11 * std::exp(-kG0 / (kR * t11) * (h - 11000.0));
  }
  const double a = std::sqrt(kGamma * kR * t);
  const double tas = mach * a;
  const double rho = p / (kR * t);
  // Impact pressure from the compressible Bernoulli equation, then the sea-level speed that
  // gives the same impact pressure.
  const double k = (kGamma - 1) / kGamma;
  const double qc = p * (std::pow(1 + rho * tas * tas * k / (2 * p), 1 / k) - 1);
  const double cas = std::sqrt(2 * kP0 / (k * kRho0) * (std::pow(qc / kP0 + 1, k) - 1));
  return cas / 0.514444;
}

std::vector<int> infer_bds(std::uint64_t mb, int df, std::optional<int> altitude_ft) {
  std::vector<int> out;
  if (mb == 0) return out;
  // BDS 1,0: first octet 0x10, bits 10-14 reserved, overlay capability consistent with the
  // subnetwork version (overlay exists from version 5).
  {
    const bool ok = b(mb, 1, 8) == 0x10 && b(mb, 10, 5) == 0 &&
                    !(b(mb, 15, 1) == 1 && b(mb, 17, 7) < 5) &&
                    !(b(mb, 15, 1) == 0 && b(mb, 17, 7) > 4);
    if (ok) out.push_back(0x10);
  }
  // BDS 1,7: bits 25-56 reserved; a transponder that reports capabilities serves 2,0.
  if (b(mb, 25, 32) == 0 && b(mb, 7, 1) == 1) out.push_back(0x17);
  // BDS 2,0: first octet 0x20 and only defined characters.
  if (b(mb, 1, 8) == 0x20 && decode_bds20(mb).callsign.find('#') == std::string::npos)
    out.push_back(0x20);
  // BDS 3,0: first octet 0x30, threat type 3 unassigned, ACAS III codes not in use.
  if (b(mb, 1, 8) == 0x30 && b(mb, 29, 2) != 3 && b(mb, 16, 7) < 48) out.push_back(0x30);
  // BDS 4,0.
  if (!wrong_status(mb, 1, 2, 13) && !wrong_status(mb, 14, 15, 26) &&
      !wrong_status(mb, 27, 28, 39) && !wrong_status(mb, 48, 49, 51) &&
      !wrong_status(mb, 54, 55, 56) && b(mb, 40, 8) == 0 && b(mb, 52, 2) == 0) {
    out.push_back(0x40);
  }
  // BDS 4,4.
  if (!wrong_status(mb, 5, 6, 23) && !wrong_status(mb, 35, 36, 46) &&
      !wrong_status(mb, 47, 48, 49) && !wrong_status(mb, 50, 51, 56) && b(mb, 1, 4) <= 4) {
    const auto r = decode_bds44(mb);
    const double t1 = r.temperature_c, t2 = signed_field(mb, 24, 10) * 0.125;
    const bool wind_ok = !r.wind_status || r.wind_speed_kt <= 250;
    const bool temp_ok = !(std::min(t1, t2) > 60 || std::max(t1, t2) < -80);
    if (wind_ok && temp_ok) out.push_back(0x44);
  }
  // BDS 4,5.
  if (!wrong_status(mb, 1, 2, 3) && !wrong_status(mb, 4, 5, 6) && !wrong_status(mb, 7, 8, 9) &&
      !wrong_status(mb, 10, 11, 12) && !wrong_status(mb, 13, 14, 15) &&
      !wrong_status(mb, 16, 17, 26) && !wrong_status(mb, 27, 28, 38) &&
      !wrong_status(mb, 39, 40, 51) && b(mb, 52, 5) == 0) {
    const auto r = decode_bds45(mb);
    if (!r.temperature_c || (*r.temperature_c <= 60 && *r.temperature_c >= -80))
      out.push_back(0x45);
  }
  // BDS 5,0.
  if (!wrong_status(mb, 1, 3, 11) && !wrong_status(mb, 12, 13, 23) &&
      !wrong_status(mb, 24, 25, 34) && !wrong_status(mb, 35, 36, 45) &&
      !wrong_status(mb, 46, 47, 56)) {
    const auto r = decode_bds50(mb);
    bool ok = !(r.roll_status && std::abs(r.roll_deg) > 50);
    ok = ok && !(r.groundspeed_status && r.groundspeed_kt > 600);
    ok = ok && !(r.true_airspeed_status && r.true_airspeed_kt > 600);
    ok = ok && !(r.groundspeed_status && r.true_airspeed_status &&
                 std::abs(r.true_airspeed_kt - r.groundspeed_kt) > 200);
    if (ok) out.push_back(0x50);
  }
  // BDS 6,0.
  if (!wrong_status(mb, 1, 2, 12) && !wrong_status(mb, 13, 14, 23) &&
      !wrong_status(mb, 24, 25, 34) && !wrong_status(mb, 35, 36, 45) &&
      !wrong_status(mb, 46, 47, 56)) {
    const auto r = decode_bds60(mb);
    bool ok = !(r.indicated_airspeed_status && r.indicated_airspeed_kt > 500);
    ok = ok && !(r.mach_status && r.mach > 1);
    ok = ok && !(r.baro_vertical_rate_status && std::abs(r.baro_vertical_rate_fpm) > 6000);
    ok = ok && !(r.inertial_vertical_rate_status && std::abs(r.inertial_vertical_rate_fpm) > 6000);
    if (ok && df == 20 && r.mach_status && r.indicated_airspeed_status && altitude_ft) {
      ok = std::abs(r.indicated_airspeed_kt - mach_to_cas_kt(r.mach, *altitude_ft)) <= 20;
    }
    if (ok) out.push_back(0x60);
  }
  return out;
}

std::string bds_name(int bds) {
  return fmt::format("BDS{:02X}", bds);
}

}  // namespace picket::adsb::commb

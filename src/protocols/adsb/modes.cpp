#include "picket/protocols/adsb/modes.h"

#include <fmt/format.h>

#include <cmath>

namespace picket::adsb {

namespace {

// CRC table for the generator x^24 + x^23 + ... (0x1FFF409 without its top bit: 0xFFF409),
// processed most significant bit first.
struct CrcTable {
  std::array<std::uint32_t, 256> t{};
  constexpr CrcTable() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i << 16;
      for (int k = 0; k < 8; ++k)
        c = (c & 0x800000) ? ((c << 1) ^ 0xFFF409) : (c << 1);
      t[i] = c & 0xFFFFFF;
    }
  }
};
constexpr CrcTable kCrc;

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::uint64_t field(std::uint64_t me, unsigned first, unsigned count) {
  // Bits of the 56-bit ME numbered from 1.
  return (me >> (56 - (first + count - 1))) & ((std::uint64_t{1} << count) - 1);
}

}  // namespace

Result<Frame> Frame::from_hex(std::string_view hex) {
  if (hex.size() != 14 && hex.size() != 28) {
    return Error{"", fmt::format("{} hex digits; a Mode S frame has 14 or 28", hex.size())};
  }
  Frame f;
  f.length = static_cast<std::uint8_t>(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return Error{"", fmt::format("'{}' at position {} is not a hex digit",
                                   hi < 0 ? hex[i] : hex[i + 1], hi < 0 ? i + 1 : i + 2)};
    }
    f.bytes[i / 2] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return f;
}

Frame Frame::from_bytes(std::span<const std::uint8_t> b) {
  Frame f;
  f.length = static_cast<std::uint8_t>(std::min<std::size_t>(b.size(), 14));
  for (std::size_t i = 0; i < f.length; ++i)
    f.bytes[i] = b[i];
  return f;
}

std::string Frame::hex() const {
  std::string s;
  s.reserve(28);
  for (int i = 0; i < length; ++i)
    s += fmt::format("{:02X}", bytes[i]);
  return s;
}

std::uint64_t Frame::bits(unsigned first, unsigned count) const {
  std::uint64_t v = 0;
  for (unsigned b = first; b < first + count; ++b) {
    const unsigned i = b - 1;
    v = (v << 1) | ((bytes[i / 8] >> (7 - i % 8)) & 1);
  }
  return v;
}

std::uint32_t crc24(std::span<const std::uint8_t> data) {
  std::uint32_t crc = 0;
  for (auto b : data)
    crc = ((crc << 8) ^ kCrc.t[((crc >> 16) ^ b) & 0xFF]) & 0xFFFFFF;
  return crc;
}

std::uint32_t crc_residual(const Frame& f) {
  if (f.length < 4) return 0xFFFFFFFF;
  const std::size_t n = f.length - 3u;
  const std::uint32_t pi =
      (std::uint32_t{f.bytes[n]} << 16) | (std::uint32_t{f.bytes[n + 1]} << 8) | f.bytes[n + 2];
  return crc24({f.bytes.data(), n}) ^ pi;
}

int expected_length(int df) {
  switch (df) {
    case 0:
    case 4:
    case 5:
    case 11:
      return 7;
    case 16:
    case 17:
    case 18:
    case 19:
    case 20:
    case 21:
      return 14;
    default:
      return df >= 24 ? 14 : 0;
  }
}

std::optional<int> gillham_to_feet(std::uint32_t c) {
  // Bit positions in the 13-bit field C1 A1 C2 A2 C4 A4 M B1 Q B2 D2 B4 D4 (MSB first).
  auto bit = [c](int pos) { return static_cast<int>((c >> (12 - pos)) & 1); };
  const int C1 = bit(0), A1 = bit(1), C2 = bit(2), A2 = bit(3), C4 = bit(4), A4 = bit(5);
  const int B1 = bit(7), B2 = bit(9), D2 = bit(10), B4 = bit(11), D4 = bit(12);
  // 500-ft steps: the reflected binary (Gray) code D2 D4 A1 A2 A4 B1 B2 B4 (D1 is not used).
  const int gray500 =
      (D2 << 7) | (D4 << 6) | (A1 << 5) | (A2 << 4) | (A4 << 3) | (B1 << 2) | (B2 << 1) | B4;
  int n500 = 0;
  for (int g = gray500; g; g >>= 1)
    n500 ^= g;
  // 100-ft steps: C1 C2 C4 run through the five codes 001 011 010 110 100 (Gray 1..4, then 7
  // standing for 5); the sequence reverses in odd 500-ft steps.
  const int gray100 = (C1 << 2) | (C2 << 1) | C4;
  int n100 = 0;
  for (int g = gray100; g; g >>= 1)
    n100 ^= g;
  if (n100 == 7) {
    n100 = 5;
  } else if (n100 == 0 || n100 > 4) {
    return std::nullopt;  // 000, 111 and 101 do not exist
  }
  if (n500 & 1) n100 = 6 - n100;
  return n500 * 500 + n100 * 100 - 1300;
}

std::optional<int> decode_ac13(std::uint32_t ac13) {
  if (ac13 == 0) return std::nullopt;
  const bool m = (ac13 >> 6) & 1;
  const bool q = (ac13 >> 4) & 1;
  if (m) {
    // Metric: the 12 bits other than M, in metres.
    const std::uint32_t n = ((ac13 >> 7) << 6) | (ac13 & 0x3F);
    return static_cast<int>(std::lround(n * 3.28084));
  }
  if (q) {
    // 25-ft steps: the 11 bits other than M and Q.
    const std::uint32_t n = ((ac13 >> 7) << 5) | (((ac13 >> 5) & 1) << 4) | (ac13 & 0xF);
    return static_cast<int>(n) * 25 - 1000;
  }
  return gillham_to_feet(ac13);
}

std::optional<int> decode_ac12(std::uint32_t ac12) {
  if (ac12 == 0) return std::nullopt;
  const bool q = (ac12 >> 4) & 1;
  if (q) {
    const std::uint32_t n = ((ac12 >> 5) << 4) | (ac12 & 0xF);
    return static_cast<int>(n) * 25 - 1000;
  }
  // Insert a zero M bit after the sixth bit to get the AC13 layout.
  const std::uint32_t ac13 = ((ac12 >> 6) << 7) | (ac12 & 0x3F);
  return gillham_to_feet(ac13);
}

std::uint16_t id13_to_mode3a(std::uint32_t c) {
  // C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4
  auto bit = [c](int pos) { return static_cast<unsigned>((c >> (12 - pos)) & 1); };
  const unsigned a = (bit(5) << 2) | (bit(3) << 1) | bit(1);
  const unsigned b = (bit(11) << 2) | (bit(9) << 1) | bit(7);
  const unsigned cc = (bit(4) << 2) | (bit(2) << 1) | bit(0);
  const unsigned d = (bit(12) << 2) | (bit(10) << 1) | bit(8);
  return static_cast<std::uint16_t>((a << 9) | (b << 6) | (cc << 3) | d);
}

std::string decode_id13(std::uint32_t id13) {
  return fmt::format("{:04o}", id13_to_mode3a(id13));
}

std::string decode_callsign(std::uint64_t chars48) {
  static constexpr char kSet[] = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######";
  std::string s(8, ' ');
  for (int i = 0; i < 8; ++i)
    s[i] = kSet[(chars48 >> (42 - 6 * i)) & 0x3F];
  return s;
}

ExtendedSquitter decode_es(std::uint64_t me, int tc) {
  if (tc >= 1 && tc <= 4) {
    Identification id;
    id.category = static_cast<int>(field(me, 6, 3));
    id.callsign = decode_callsign(field(me, 9, 48));
    return id;
  }
  if (tc >= 5 && tc <= 8) {
    SurfacePosition s;
    s.movement = static_cast<int>(field(me, 6, 7));
    // Ground speed from the movement code (DO-260B Table 2-14), knots.
    const int m = s.movement;
    if (m == 1) {
      s.speed_kt = 0.0;
    } else if (m >= 2 && m <= 8) {
      s.speed_kt = 0.125 + (m - 2) * 0.125;
    } else if (m >= 9 && m <= 12) {
      s.speed_kt = 1.0 + (m - 9) * 0.25;
    } else if (m >= 13 && m <= 38) {
      s.speed_kt = 2.0 + (m - 13) * 0.5;
    } else if (m >= 39 && m <= 93) {
      s.speed_kt = 15.0 + (m - 39) * 1.0;
    } else if (m >= 94 && m <= 108) {
      s.speed_kt = 70.0 + (m - 94) * 2.0;
    } else if (m >= 109 && m <= 123) {
      s.speed_kt = 100.0 + (m - 109) * 5.0;
    } else if (m == 124) {
      s.speed_kt = 175.0;
    }
    if (field(me, 13, 1)) s.track_deg = static_cast<double>(field(me, 14, 7)) * 360.0 / 128.0;
    s.time_sync = field(me, 21, 1);
    s.odd = field(me, 22, 1);
    s.lat_cpr = static_cast<std::uint32_t>(field(me, 23, 17));
    s.lon_cpr = static_cast<std::uint32_t>(field(me, 40, 17));
    return s;
  }
  if ((tc >= 9 && tc <= 18) || (tc >= 20 && tc <= 22)) {
    AirbornePosition p;
    p.surveillance_status = static_cast<int>(field(me, 6, 2));
    p.single_antenna = field(me, 8, 1);
    const auto alt = static_cast<std::uint32_t>(field(me, 9, 12));
    if (tc <= 18) {
      p.altitude_ft = decode_ac12(alt);
    } else if (alt != 0) {
      // GNSS height above the ellipsoid, in metres.
      p.altitude_ft = static_cast<int>(std::lround(alt * 3.28084));
      p.gnss_altitude = true;
    }
    p.time_sync = field(me, 21, 1);
    p.odd = field(me, 22, 1);
    p.lat_cpr = static_cast<std::uint32_t>(field(me, 23, 17));
    p.lon_cpr = static_cast<std::uint32_t>(field(me, 40, 17));
    return p;
  }
  if (tc == 19) {
    Velocity v;
    v.subtype = static_cast<int>(field(me, 6, 3));
    v.intent_change = field(me, 9, 1);
    v.nac_v = static_cast<int>(field(me, 11, 3));
    const double scale = (v.subtype == 2 || v.subtype == 4) ? 4.0 : 1.0;
    if (v.subtype == 1 || v.subtype == 2) {
      const auto vew = static_cast<int>(field(me, 15, 10));
      const auto vns = static_cast<int>(field(me, 26, 10));
      if (vew != 0 && vns != 0) {
        v.east_kt = (field(me, 14, 1) ? -1 : 1) * (vew - 1) * scale;
        v.north_kt = (field(me, 25, 1) ? -1 : 1) * (vns - 1) * scale;
        v.groundspeed_kt = std::hypot(v.east_kt, v.north_kt);
        double trk = std::atan2(v.east_kt, v.north_kt) * 180.0 / M_PI;
        if (trk < 0) trk += 360.0;
        v.track_deg = trk;
      }
    } else if (v.subtype == 3 || v.subtype == 4) {
      if (field(me, 14, 1)) v.heading_deg = static_cast<double>(field(me, 15, 10)) * 360.0 / 1024.0;
      v.true_airspeed = field(me, 25, 1);
      const auto as = static_cast<int>(field(me, 26, 10));
      if (as != 0) v.airspeed_kt = (as - 1) * scale;
    }
    v.vertical_rate_baro = field(me, 36, 1);
    const auto vr = static_cast<int>(field(me, 38, 9));
    if (vr != 0) v.vertical_rate_fpm = (field(me, 37, 1) ? -1 : 1) * (vr - 1) * 64;
    const auto dalt = static_cast<int>(field(me, 50, 7));
    if (dalt != 0) v.gnss_minus_baro_ft = (field(me, 49, 1) ? -1 : 1) * (dalt - 1) * 25;
    return v;
  }
  if (tc == 28) {
    AircraftStatus s;
    s.subtype = static_cast<int>(field(me, 6, 3));
    if (s.subtype == 1) {
      s.emergency = static_cast<int>(field(me, 9, 3));
      s.squawk = decode_id13(static_cast<std::uint32_t>(field(me, 12, 13)));
    }
    return s;
  }
  if (tc == 31) {
    OperationalStatus s;
    s.subtype = static_cast<int>(field(me, 6, 3));
    s.version = static_cast<int>(field(me, 41, 3));
    s.nic_a = static_cast<int>(field(me, 44, 1));
    s.nac_p = static_cast<int>(field(me, 45, 4));
    s.sil = static_cast<int>(field(me, 51, 2));
    return s;
  }
  return std::monostate{};
}

Result<Message> decode(const Frame& f) {
  Message m;
  m.df = f.df();
  const int want = expected_length(m.df);
  if (want == 0) return Error{"", fmt::format("downlink format {} is not defined", m.df)};
  if (f.length != want) {
    return Error{"", fmt::format("DF {} frames have {} octets, this one {}", m.df, want, f.length)};
  }
  m.residual = crc_residual(f);
  switch (m.df) {
    case 11:
      m.capability = static_cast<int>(f.bits(6, 3));
      m.icao = static_cast<std::uint32_t>(f.bits(9, 24));
      // The parity is overlaid with the interrogator identifier: residual < 128 is clean.
      m.crc_ok = m.residual < 0x80;
      break;
    case 17:
    case 18:
      if (m.df == 17) m.capability = static_cast<int>(f.bits(6, 3));
      m.icao = static_cast<std::uint32_t>(f.bits(9, 24));
      m.crc_ok = m.residual == 0;
      m.type_code = static_cast<int>(f.bits(33, 5));
      m.es = decode_es(f.me(), *m.type_code);
      break;
    case 0:
    case 16:
      m.icao = m.residual;
      m.altitude_ft = decode_ac13(static_cast<std::uint32_t>(f.bits(20, 13)));
      break;
    case 4:
    case 20:
      m.icao = m.residual;
      m.flight_status = static_cast<int>(f.bits(6, 3));
      m.altitude_ft = decode_ac13(static_cast<std::uint32_t>(f.bits(20, 13)));
      if (m.df == 20) m.mb = f.me();
      break;
    case 5:
    case 21:
      m.icao = m.residual;
      m.flight_status = static_cast<int>(f.bits(6, 3));
      m.squawk = decode_id13(static_cast<std::uint32_t>(f.bits(20, 13)));
      if (m.df == 21) m.mb = f.me();
      break;
    default:
      m.icao = m.residual;
      break;
  }
  return m;
}

}  // namespace picket::adsb

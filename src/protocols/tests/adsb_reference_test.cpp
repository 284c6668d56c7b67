// Mode S / ADS-B decoding against public references: the 600 golden decodes of pyModeS
// (tests/fixtures/golden_v2.json) and the classic CPR, velocity and altitude vectors of "The
// 1090 Megahertz Riddle" as asserted in pyModeS's tests (known_vectors_from_tests.csv).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <variant>

#include "picket/protocols/adsb/commb.h"
#include "picket/protocols/adsb/cpr.h"
#include "picket/protocols/adsb/modes.h"
#include "test_data.h"

namespace picket::adsb {
namespace {

using Fields = std::map<std::string, nlohmann::json>;

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string underscored(std::string s) {
  for (auto& c : s)
    if (c == ' ') c = '_';
  return s;
}

// Picket's decode of one message in the golden file's vocabulary.
Fields golden_view(const std::string& hex) {
  Fields f;
  auto frame = Frame::from_hex(hex);
  EXPECT_TRUE(frame.ok()) << hex;
  if (!frame.ok()) return f;
  auto m = decode(*frame);
  EXPECT_TRUE(m.ok()) << hex;
  if (!m.ok()) return f;
  f["df"] = m->df;
  f["icao"] = lower(fmt::format("{:06X}", m->icao));
  if (m->df == 17 || m->df == 18) {
    EXPECT_TRUE(m->crc_ok) << hex;
    f["typecode"] = *m->type_code;
    if (auto* id = std::get_if<Identification>(&m->es)) {
      f["callsign"] = underscored(id->callsign);
      f["category"] = id->category;
    } else if (auto* p = std::get_if<AirbornePosition>(&m->es)) {
      if (p->altitude_ft) f["altitude"] = *p->altitude_ft;
      f["cpr_format"] = p->odd ? 1 : 0;
    } else if (auto* v = std::get_if<Velocity>(&m->es)) {
      if (v->groundspeed_kt) f["groundspeed"] = *v->groundspeed_kt;
      if (v->track_deg) f["track"] = *v->track_deg;
      if (v->vertical_rate_fpm) f["vertical_rate"] = *v->vertical_rate_fpm;
    }
    return f;
  }
  if (m->altitude_ft) f["altitude"] = *m->altitude_ft;
  if (m->squawk) f["squawk"] = *m->squawk;
  if (m->mb) {
    const auto bds = commb::infer_bds(*m->mb, m->df, m->altitude_ft);
    std::string names;
    for (int b : bds)
      names += (names.empty() ? "" : ",") + commb::bds_name(b);
    if (!names.empty()) f["bds"] = names;
    if (bds.size() == 1) {
      const std::uint64_t mb = *m->mb;
      switch (bds[0]) {
        case 0x20:
          f["callsign"] = underscored(commb::decode_bds20(mb).callsign);
          break;
        case 0x40: {
          const auto r = commb::decode_bds40(mb);
          if (r.mcp_status) f["selected_altitude_mcp"] = r.selected_altitude_mcp_ft;
          if (r.fms_status) f["selected_altitude_fms"] = r.selected_altitude_fms_ft;
          if (r.baro_status) f["baro_pressure_setting"] = r.baro_setting_mb;
          break;
        }
        case 0x50: {
          const auto r = commb::decode_bds50(mb);
          if (r.roll_status) f["roll"] = r.roll_deg;
          if (r.true_track_status) f["true_track"] = r.true_track_deg;
          if (r.groundspeed_status) f["groundspeed"] = r.groundspeed_kt;
          if (r.track_rate_status) f["track_rate"] = r.track_rate_deg_s;
          if (r.true_airspeed_status) f["true_airspeed"] = r.true_airspeed_kt;
          break;
        }
        case 0x60: {
          const auto r = commb::decode_bds60(mb);
          if (r.magnetic_heading_status) f["magnetic_heading"] = r.magnetic_heading_deg;
          if (r.indicated_airspeed_status) f["indicated_airspeed"] = r.indicated_airspeed_kt;
          if (r.mach_status) f["mach"] = r.mach;
          if (r.baro_vertical_rate_status) f["baro_vertical_rate"] = r.baro_vertical_rate_fpm;
          if (r.inertial_vertical_rate_status)
            f["inertial_vertical_rate"] = r.inertial_vertical_rate_fpm;
          break;
        }
        default:
          break;
      }
    }
  }
  return f;
}

bool same(const nlohmann::json& want, const nlohmann::json& got, const std::string& key) {
  if (want.is_number() && got.is_number()) {
    // Speeds are whole knots in the reference (its decoder truncates); our value is exact.
    const double tol = (key == "groundspeed" && want.is_number_integer()) ? 1.0 : 1e-6;
    return std::abs(want.get<double>() - got.get<double>()) <= tol;
  }
  if (want.is_string() && got.is_string())
    return lower(want.get<std::string>()) == lower(got.get<std::string>());
  return want == got;
}

TEST(AdsbReference, GoldenDecodesOfPyModeS) {
  const auto text = test::read_text(test::data_dir("adsb") + "/golden_v2.json");
  ASSERT_FALSE(text.empty()) << "tests/data/adsb/golden_v2.json missing";
  const auto golden = nlohmann::json::parse(text);
  ASSERT_EQ(golden.size(), 600u);
  int messages = 0, fields = 0, bad = 0;
  for (const auto& [hex, want] : golden.items()) {
    ++messages;
    const Fields got = golden_view(hex);
    std::string problems;
    for (const auto& [key, value] : want.items()) {
      ++fields;
      auto it = got.find(key);
      if (it == got.end()) {
        problems += fmt::format(" {}: missing (want {});", key, value.dump());
      } else if (!same(value, it->second, key)) {
        problems += fmt::format(" {}: {} != {};", key, it->second.dump(), value.dump());
      }
    }
    for (const auto& [key, value] : got)
      if (!want.contains(key)) problems += fmt::format(" {}: extra {};", key, value.dump());
    if (!problems.empty()) {
      ++bad;
      ADD_FAILURE() << hex << ":" << problems;
    }
  }
  EXPECT_EQ(messages, 600);
  EXPECT_EQ(bad, 0) << "of " << messages << " messages (" << fields << " fields)";
}

// --- The classic vectors -------------------------------------------------------------------

struct Vector {
  std::string hex, context, field, expected;
};

std::vector<Vector> known_vectors() {
  std::vector<Vector> out;
  std::istringstream in(test::read_text(test::data_dir("adsb") + "/known_vectors_from_tests.csv"));
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    // CSV with optional double quotes.
    std::vector<std::string> cols;
    std::string cur;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        cols.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    cols.push_back(cur);
    if (cols.size() == 4) out.push_back({cols[0], cols[1], cols[2], cols[3]});
  }
  return out;
}

std::pair<double, double> pair_of(const std::string& s) {
  const auto comma = s.find(',');
  return {std::stod(s.substr(0, comma)), std::stod(s.substr(comma + 1))};
}

Message must_decode(const std::string& hex) {
  auto f = Frame::from_hex(hex);
  EXPECT_TRUE(f.ok()) << hex;
  auto m = decode(*f);
  EXPECT_TRUE(m.ok()) << hex;
  return *m;
}

TEST(AdsbReference, KnownVectorsOfTheRiddle) {
  const auto vectors = known_vectors();
  ASSERT_EQ(vectors.size(), 26u);
  // Toulouse-Blagnac (LFBO) aerodrome reference point, the reference of the surface example.
  const LatLon lfbo{43.6293, 1.36382};
  int checked = 0;
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.hex + " " + v.context + " " + v.field);
    if (v.field == "lat_lon") {
      const auto [lat, lon] = pair_of(v.expected);
      std::optional<LatLon> got;
      if (v.context.rfind("ref=", 0) == 0) {
        const auto [rlat, rlon] = pair_of(v.context.substr(4));
        const auto m = must_decode(v.hex);
        const auto& p = std::get<AirbornePosition>(m.es);
        got = cpr_airborne_local(p.lat_cpr, p.lon_cpr, p.odd, {rlat, rlon});
      } else if (v.context.rfind("pair", 0) == 0) {
        const auto plus = v.hex.find('+');
        const auto a = must_decode(v.hex.substr(0, plus));
        const auto b = must_decode(v.hex.substr(plus + 1));
        const auto& pa = std::get<AirbornePosition>(a.es);
        const auto& pb = std::get<AirbornePosition>(b.es);
        const auto& even = pa.odd ? pb : pa;
        const auto& odd = pa.odd ? pa : pb;
        const bool odd_newer = v.context.find("odd newer") != std::string::npos;
        got = cpr_airborne_global(even.lat_cpr, even.lon_cpr, odd.lat_cpr, odd.lon_cpr, odd_newer);
      } else if (v.context == "surface_ref=LFBO") {
        const auto m = must_decode(v.hex);
        const auto& p = std::get<SurfacePosition>(m.es);
        got = cpr_surface_local(p.lat_cpr, p.lon_cpr, p.odd, lfbo);
      }
      ASSERT_TRUE(got.has_value());
      EXPECT_NEAR(got->lat, lat, 0.001);  // the upstream tolerance
      EXPECT_NEAR(got->lon, lon, 0.001);
      ++checked;
      continue;
    }
    const auto m = must_decode(v.hex);
    if (v.field == "df") {
      EXPECT_EQ(m.df, std::stoi(v.expected));
    } else if (v.field == "icao") {
      EXPECT_EQ(fmt::format("{:06X}", m.icao), v.expected);
    } else if (v.field == "typecode") {
      EXPECT_EQ(*m.type_code, std::stoi(v.expected));
    } else if (v.field == "callsign") {
      auto cs = std::get<Identification>(m.es).callsign;
      while (!cs.empty() && cs.back() == ' ')
        cs.pop_back();
      EXPECT_EQ(cs, v.expected);
    } else if (v.field == "category") {
      EXPECT_EQ(std::get<Identification>(m.es).category, std::stoi(v.expected));
    } else if (v.field == "altitude_ft") {
      EXPECT_EQ(std::get<AirbornePosition>(m.es).altitude_ft, std::stoi(v.expected));
    } else if (v.field == "cpr_format") {
      EXPECT_EQ(std::get<AirbornePosition>(m.es).odd, v.expected[0] == '1');
    } else if (v.field == "velocity") {
      const auto& vel = std::get<Velocity>(m.es);
      std::map<std::string, std::string> kv;
      std::istringstream words(v.expected);
      std::string w;
      while (words >> w) {
        const auto eq = w.find('=');
        if (eq != std::string::npos) kv[w.substr(0, eq)] = w.substr(eq + 1);
      }
      EXPECT_EQ(vel.subtype, std::stoi(kv["subtype"]));
      if (kv.count("groundspeed")) {
        EXPECT_NEAR(*vel.groundspeed_kt, std::stod(kv["groundspeed"]), 1.0);
        EXPECT_NEAR(*vel.track_deg, std::stod(kv["track"]), 0.1);
      }
      if (kv.count("airspeed")) {
        EXPECT_NEAR(*vel.airspeed_kt, std::stod(kv["airspeed"]), 1.0);
        EXPECT_NEAR(*vel.heading_deg, std::stod(kv["heading"]), 0.1);
        EXPECT_EQ(vel.true_airspeed, v.expected.find("(TAS)") != std::string::npos);
      }
      EXPECT_EQ(*vel.vertical_rate_fpm, std::stoi(kv["vertical_rate"]));
      if (kv.count("vr_source")) {
        EXPECT_EQ(vel.vertical_rate_baro, kv["vr_source"] != "GNSS");
      }
      if (kv.count("geo_minus_baro")) {
        EXPECT_EQ(*vel.gnss_minus_baro_ft, std::stoi(kv["geo_minus_baro"]));
      }
    } else {
      ADD_FAILURE() << "unknown field " << v.field;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 26);
}

}  // namespace
}  // namespace picket::adsb

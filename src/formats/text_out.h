// Private to the formats layer: the pieces of hand-written JSON output that make Picket's files
// byte-for-byte reproducible (fixed decimals, trailing zeros dropped, minimal escaping).
#pragma once

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>

namespace picket::formats::text {

// `"key":"value"` with JSON escaping of the value.
inline void string_field(std::string& out, std::string_view key, std::string_view v) {
  out += '"';
  out += key;
  out += "\":\"";
  for (char c : v) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// Fixed-point numbers without trailing zeros: "12.5", "3", "-0.25".
inline void fixed(std::string& out, double v, int decimals) {
  char buf[64];
  auto res = fmt::format_to_n(buf, sizeof buf - 1, "{:.{}f}", v, decimals);
  std::size_t n = res.size < sizeof buf - 1 ? res.size : sizeof buf - 1;
  std::string_view s(buf, n);
  if (s.find('.') != std::string_view::npos) {
    while (!s.empty() && s.back() == '0')
      s.remove_suffix(1);
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  }
  if (s == "-0") s = "0";
  out += s;
}

// `,"key":number`
inline void number_field(std::string& out, std::string_view key, double v, int decimals) {
  out += ",\"";
  out += key;
  out += "\":";
  fixed(out, v, decimals);
}

}  // namespace picket::formats::text

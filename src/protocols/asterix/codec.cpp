#include "picket/protocols/asterix/codec.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace picket::asterix {

char icao_char(unsigned code) {
  if (code >= 1 && code <= 26) return static_cast<char>('A' + code - 1);
  if (code == 32) return ' ';
  if (code >= 48 && code <= 57) return static_cast<char>('0' + code - 48);
  return '?';
}

unsigned icao_code(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<unsigned>(c - 'A' + 1);
  if (c >= 'a' && c <= 'z') return static_cast<unsigned>(c - 'a' + 1);
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0' + 48);
  return 32;
}

std::string icao_text(std::uint64_t raw, unsigned n) {
  std::string s(n, ' ');
  for (unsigned i = 0; i < n; ++i)
    s[i] = icao_char(static_cast<unsigned>((raw >> (6 * (n - 1 - i))) & 0x3F));
  return s;
}

namespace codec {

bool Reader::need_repeated(std::size_t n, std::size_t size, const char* item) {
  // The count octet is at p; entries follow it.
  if (left() >= 1 && (left() - 1) / size >= n) return true;
  return fail(item, fmt::format("repetition count {} needs {} octets, only {} left in the record",
                                n, n * size, left() == 0 ? 0 : left() - 1));
}

bool Reader::fail(const char* item, std::string what) {
  failure.at = static_cast<std::size_t>(p - begin);
  failure.item = item;
  failure.what = std::move(what);
  return false;
}

bool Reader::fail_short(std::size_t n, const char* item) {
  return fail(item, fmt::format("needs {} octet{}, only {} left", n, n == 1 ? "" : "s", left()));
}

void Reader::warn(const std::uint8_t* at, const char* item, std::string what) {
  if (warnings)
    warnings->push_back(Warning{static_cast<std::size_t>(at - begin), item, std::move(what)});
}

bool Writer::put_u(std::uint8_t* p, unsigned off, unsigned n, std::uint64_t v, const char* field) {
  if (n < 64 && (v >> n) != 0)
    return fail(field, fmt::format("value {} does not fit {} bits", v, n));
  // OR the field into the zeroed octets, most significant part first.
  unsigned bit = off + n;  // one past the field's last bit
  while (n > 0) {
    const unsigned last = (bit - 1) / 8;
    const unsigned shift = 7 - (bit - 1) % 8;  // position of the field's lsb in that octet
    const unsigned take = std::min(n, 8 - shift);
    p[last] = static_cast<std::uint8_t>(p[last] | ((v & ((1u << take) - 1)) << shift));
    v >>= take;
    n -= take;
    bit -= take;
  }
  return true;
}

bool Writer::put_s(std::uint8_t* p, unsigned off, unsigned n, std::int64_t v, const char* field) {
  if (n < 64) {
    const std::int64_t lo = -(std::int64_t{1} << (n - 1));
    const std::int64_t hi = (std::int64_t{1} << (n - 1)) - 1;
    if (v < lo || v > hi)
      return fail(field, fmt::format("value {} does not fit {} signed bits", v, n));
  }
  std::uint64_t u = static_cast<std::uint64_t>(v);
  if (n < 64) u &= (std::uint64_t{1} << n) - 1;
  return put_u(p, off, n, u, field);
}

bool Writer::fail(const char* field, std::string what) {
  error = std::string(field) + ": " + what;
  return false;
}

bool read_fspec(Reader& r, std::uint8_t* o, unsigned max, const char* item) {
  for (unsigned i = 0;; ++i) {
    if (r.p >= r.end) {
      return r.fail(item, i == 0 ? std::string("missing (no octets left)")
                                 : fmt::format("FX chain cut by the end of the data after {} "
                                               "octet{}",
                                               i, i == 1 ? "" : "s"));
    }
    if (i == max) {
      return r.fail(item,
                    fmt::format("FX set in octet {}, but this edition defines only {}", i, max));
    }
    o[i] = *r.p++;
    if ((o[i] & 1) == 0) return true;
  }
}

void write_fspec(Writer& w, const std::uint8_t* o, unsigned n) {
  unsigned used = 1;
  for (unsigned i = 0; i < n; ++i)
    if (o[i] & 0xFE) used = i + 1;
  std::uint8_t* p = w.grow(used);
  for (unsigned i = 0; i < used; ++i)
    p[i] = static_cast<std::uint8_t>((o[i] & 0xFE) | (i + 1 < used ? 1 : 0));
}

std::string undefined_frn(std::uint8_t octet, std::uint8_t undefined, unsigned index, int cat,
                          const char* edition) {
  std::string frns;
  for (unsigned b = 0; b < 7; ++b) {
    if (octet & undefined & (0x80u >> b)) {
      if (!frns.empty()) frns += ", ";
      frns += std::to_string(index * 7 + b + 1);
    }
  }
  return fmt::format("FRN {} present, but CAT{:03} edition {} has no item there (wrong edition?)",
                     frns, cat, edition);
}

bool read_explicit(Reader& r, Bytes& out, const char* item) {
  if (!r.need(1, item)) return false;
  const std::size_t len = *r.p;
  if (len == 0) return r.fail(item, "length octet is 0 (it counts itself, so at least 1)");
  if (r.left() < len)
    return r.fail(item,
                  fmt::format("length {} runs past the record ({} octets left)", len, r.left()));
  out.assign(r.p + 1, r.p + len);
  r.p += len;
  return true;
}

bool write_explicit(Writer& w, const Bytes& in, const char* item) {
  if (in.size() > 254) return w.fail(item, "longer than 254 octets");
  std::uint8_t* p = w.grow(in.size() + 1);
  p[0] = static_cast<std::uint8_t>(in.size() + 1);
  if (!in.empty()) std::memcpy(p + 1, in.data(), in.size());
  return true;
}

// --- JSON ----------------------------------------------------------------------------------

void JsonOut::comma() {
  if (!first_) s_ += ',';
  first_ = false;
}
void JsonOut::begin_object() {
  comma();
  s_ += '{';
  first_ = true;
}
void JsonOut::end_object() {
  s_ += '}';
  first_ = false;
}
void JsonOut::begin_array() {
  comma();
  s_ += '[';
  first_ = true;
}
void JsonOut::end_array() {
  s_ += ']';
  first_ = false;
}
void JsonOut::key(std::string_view k) {
  comma();
  s_ += '"';
  s_ += k;
  s_ += "\":";
  first_ = true;
}
void JsonOut::integer(std::uint64_t v) {
  comma();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  s_.append(buf, end);
}
void JsonOut::integer(std::int64_t v) {
  comma();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  s_.append(buf, end);
}
void JsonOut::number(double v) {
  comma();
  if (!std::isfinite(v)) {
    s_ += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  s_.append(buf, end);
}
void JsonOut::string(std::string_view v) {
  comma();
  s_ += '"';
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      s_ += '\\';
      s_ += ch;
    } else if (c < 0x20 || c >= 0x7F) {
      s_ += fmt::format("\\u{:04x}", c);
    } else {
      s_ += ch;
    }
  }
  s_ += '"';
}
void JsonOut::hex(std::uint64_t v, unsigned digits) {
  comma();
  s_ += fmt::format("\"{:0{}X}\"", v, digits);
}
void JsonOut::octal(std::uint64_t v, unsigned digits) {
  comma();
  s_ += fmt::format("\"{:0{}o}\"", v, digits);
}
void JsonOut::bytes(const Bytes& b) {
  comma();
  s_ += '"';
  for (auto x : b)
    s_ += fmt::format("{:02X}", x);
  s_ += '"';
}
void JsonOut::boolean(bool v) {
  comma();
  s_ += v ? "true" : "false";
}
void JsonOut::null() {
  comma();
  s_ += "null";
}

// --- Random --------------------------------------------------------------------------------

Random::Random(std::uint64_t seed) {
  for (auto& s : s_) {
    seed += 0x9E3779B97F4A7C15ull;  // splitmix64
    std::uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    s = z ^ (z >> 31);
  }
}

std::uint64_t Random::next() {
  auto rotl = [](std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

}  // namespace codec
}  // namespace picket::asterix

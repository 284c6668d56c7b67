// The building blocks the generated ASTERIX codecs (gen/catNNN.h, .cpp) are made of: bit
// fields, the cursor that decodes with bounds checks and remembers where it failed, the writer
// that encodes with range checks, JSON output, and the random generator used by the property
// tests. Hand-written; the generated code only calls these.
//
// Conventions (EUROCONTROL-SPEC-0149 Part 1): numbers are big-endian, bit fields are numbered
// from the most significant bit of an item's first octet, signed values are two's complement,
// FX (the least significant bit of an octet) set to 1 means another octet follows.
//
// Thread-safety: none needed; every object here belongs to one decode or encode call.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace picket::asterix {

using Bytes = std::vector<std::uint8_t>;

// Characters coded on 6 bits each (ICAO Annex 10 "IA-5 subset": 1-26 A-Z, 32 space, 48-57
// digits), kept as the raw bits so that a round trip is exact whatever the content.
template <unsigned N>
struct IcaoString {
  std::uint64_t raw = 0;  // 6*N bits, first character in the most significant bits
  std::string text() const;
  // Encodes text (padded with spaces, cut at N); characters outside the set become spaces.
  static IcaoString from_text(std::string_view s);
  bool operator==(const IcaoString&) const = default;
};

char icao_char(unsigned code);  // '?' outside the defined set
unsigned icao_code(char c);     // 32 (space) outside the set
std::string icao_text(std::uint64_t raw, unsigned n);

template <unsigned N>
std::string IcaoString<N>::text() const {
  return icao_text(raw, N);
}
template <unsigned N>
IcaoString<N> IcaoString<N>::from_text(std::string_view s) {
  IcaoString v;
  for (unsigned i = 0; i < N; ++i)
    v.raw = (v.raw << 6) | icao_code(i < s.size() ? s[i] : ' ');
  return v;
}

// N octets of 8-bit characters (ASTERIX "string ascii"), as received.
template <unsigned N>
struct AsciiString {
  std::array<char, N> chars{};
  std::string text() const { return std::string(chars.data(), N); }
  static AsciiString from_text(std::string_view s) {
    AsciiString v;
    for (unsigned i = 0; i < N; ++i)
      v.chars[i] = i < s.size() ? s[i] : ' ';
    return v;
  }
  bool operator==(const AsciiString&) const = default;
};

namespace codec {

// The n-bit big-endian field that starts `off` bits into p (n <= 64, off + n within the
// bytes the caller checked). With constant arguments this compiles to a few loads and shifts.
inline std::uint64_t get_bits(const std::uint8_t* p, unsigned off, unsigned n) {
  const unsigned first = off / 8;
  const unsigned last = (off + n - 1) / 8;
  const unsigned tail = 7 - (off + n - 1) % 8;  // unused bits after the field in `last`
  if (last - first < 8) {
    std::uint64_t v = 0;
    for (unsigned i = first; i <= last; ++i)
      v = (v << 8) | p[i];
    v >>= tail;
    return n == 64 ? v : v & ((std::uint64_t{1} << n) - 1);
  }
  // 9 octets: a 57..64-bit field that does not start on an octet boundary.
  std::uint64_t hi = 0;
  for (unsigned i = first; i < last; ++i)
    hi = (hi << 8) | p[i];
  const std::uint64_t v = (hi << (8 - tail)) | (p[last] >> tail);
  return n == 64 ? v : v & ((std::uint64_t{1} << n) - 1);
}

// Sign-extends the low n bits of v into T.
template <class T>
T sext(std::uint64_t v, unsigned n) {
  if (n < 64 && (v >> (n - 1)) & 1) v |= ~((std::uint64_t{1} << n) - 1);
  return static_cast<T>(static_cast<std::int64_t>(v));
}

// Rounds a value in LSB units to the nearest raw value, saturating at the field's range.
template <class T>
T quantize(double lsbs, unsigned bits, bool is_signed) {
  double lo = 0, hi = 0;
  if (is_signed) {
    lo = -static_cast<double>(std::uint64_t{1} << (bits - 1));
    hi = static_cast<double>(std::uint64_t{1} << (bits - 1)) - 1;
  } else {
    hi = bits >= 64 ? 1.8446744073709552e19 : static_cast<double>(std::uint64_t{1} << bits) - 1;
  }
  double v = lsbs < 0 ? -static_cast<double>(static_cast<std::int64_t>(-lsbs + 0.5))
                      : static_cast<double>(static_cast<std::uint64_t>(lsbs + 0.5));
  if (!(v >= lo)) v = lo;  // also NaN
  if (v > hi) v = hi;
  if (is_signed) return static_cast<T>(static_cast<std::int64_t>(v));
  return static_cast<T>(static_cast<std::uint64_t>(v));
}

template <unsigned N>
void get_chars(const std::uint8_t* p, AsciiString<N>& s) {
  std::memcpy(s.chars.data(), p, N);
}
template <unsigned N>
void put_chars(std::uint8_t* p, const AsciiString<N>& s) {
  std::memcpy(p, s.chars.data(), N);
}

// Why and where a decode stopped.
struct Failure {
  std::size_t at = 0;  // offset from the Reader's begin
  std::string item;    // "I048/040", "FSPEC", ...
  std::string what;
};

// Something decoded but not as the edition says (a REF that does not parse); the record is
// still delivered.
struct Warning {
  std::size_t at = 0;
  std::string item;
  std::string what;
};

// A bounds-checked cursor over one record's bytes. Every generated decode function advances p
// past what it consumed or returns false after calling fail().
class Reader {
 public:
  Reader(const std::uint8_t* first, const std::uint8_t* last) : p(first), end(last), begin(first) {}

  const std::uint8_t* p;
  const std::uint8_t* end;
  const std::uint8_t* begin;
  Failure failure;
  std::vector<Warning>* warnings = nullptr;

  std::size_t left() const { return static_cast<std::size_t>(end - p); }
  bool need(std::size_t n, const char* item) {
    if (left() >= n) return true;
    return fail_short(n, item);
  }
  // n entries of `size` octets each, after a one-octet count (not yet consumed).
  bool need_repeated(std::size_t n, std::size_t size, const char* item);
  bool fail(const char* item, std::string what);
  void warn(const std::uint8_t* at, const char* item, std::string what);

 private:
  bool fail_short(std::size_t n, const char* item);
};

// Appends encoded bytes; range-checks every field against its width.
class Writer {
 public:
  explicit Writer(Bytes& buffer) : out(buffer) {}
  Bytes& out;
  std::string error;  // set by fail(): "I048/040 RHO: value 70000 does not fit 16 bits"

  // n zero octets appended; the pointer is valid until the next grow().
  std::uint8_t* grow(std::size_t n) {
    out.resize(out.size() + n);
    return out.data() + out.size() - n;
  }
  bool put_u(std::uint8_t* p, unsigned off, unsigned n, std::uint64_t v, const char* field);
  bool put_s(std::uint8_t* p, unsigned off, unsigned n, std::int64_t v, const char* field);
  bool fail(const char* field, std::string what);
};

// Reads FSPEC-style presence octets (7 bits + FX each) into o[0..max); fails if the chain is
// cut by the end of the data or runs past `max` octets.
bool read_fspec(Reader& r, std::uint8_t* o, unsigned max, const char* item);
// Writes the shortest FSPEC that carries every set bit of o[0..n).
void write_fspec(Writer& w, const std::uint8_t* o, unsigned n);
// The message for FSPEC bits (in `octet`, masked by `undefined`) with no item in the UAP.
std::string undefined_frn(std::uint8_t octet, std::uint8_t undefined, unsigned index, int cat,
                          const char* edition);

// Explicit-length items (SP, RE): a length octet that counts itself, then the contents.
bool read_explicit(Reader& r, Bytes& out, const char* item);
bool write_explicit(Writer& w, const Bytes& in, const char* item);

// The Reserved Expansion Field: decoded with its REF structure when the contents fit it
// exactly, otherwise kept as raw bytes with a warning.
template <class Ref>
bool read_re(Reader& r, std::optional<Bytes>& raw, std::optional<Ref>& fields, const char* item);
template <class Ref>
bool write_re(Writer& w, const std::optional<Bytes>& raw, const std::optional<Ref>& fields,
              const char* item);

// Compact JSON text. Numbers: integers as such, quantities with the shortest representation
// that reads back to the same double.
class JsonOut {
 public:
  // raw: quantities as their raw integers instead of physical values (for comparisons with
  // other decoders and for debugging).
  explicit JsonOut(std::string& s, bool raw = false) : s_(s), raw_(raw) {}
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  void integer(std::uint64_t v);
  void integer(std::int64_t v);
  void number(double v);
  void quantity(std::uint64_t raw, double lsb) {
    raw_ ? integer(raw) : number(static_cast<double>(raw) * lsb);
  }
  void quantity(std::int64_t raw, double lsb) {
    raw_ ? integer(raw) : number(static_cast<double>(raw) * lsb);
  }
  void string(std::string_view v);
  void hex(std::uint64_t v, unsigned digits);    // "3C660C"
  void octal(std::uint64_t v, unsigned digits);  // "7000"
  void bytes(const Bytes& b);                    // hex string
  void boolean(bool v);
  void null();
  std::string& text() { return s_; }

 private:
  void comma();
  std::string& s_;
  bool raw_ = false;
  bool first_ = true;
};

// Random values for property tests (xoshiro256** of Blackman and Vigna, seeded by splitmix64).
class Random {
 public:
  explicit Random(std::uint64_t seed);
  std::uint64_t next();
  std::uint64_t bits(unsigned n) { return n >= 64 ? next() : next() >> (64 - n); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool coin() { return next() >> 63; }
  template <unsigned N>
  void chars(AsciiString<N>& s) {
    for (auto& c : s.chars)
      c = static_cast<char>(bits(8));
  }
  void bytes(Bytes& b) {
    b.resize(below(9));
    for (auto& x : b)
      x = static_cast<std::uint8_t>(bits(8));
  }

 private:
  std::uint64_t s_[4];
};

// --- template definitions ------------------------------------------------------------------

template <class Ref>
bool read_re(Reader& r, std::optional<Bytes>& raw, std::optional<Ref>& fields, const char* item) {
  const std::uint8_t* start = r.p;
  Bytes content;
  if (!read_explicit(r, content, item)) return false;
  if (!content.empty()) {
    Reader sub(start + 1, r.p);
    Ref ref;
    const bool ok = decode(sub, ref);
    if (ok && sub.p == sub.end) {
      fields = std::move(ref);
      return true;
    }
    const std::string why =
        ok ? "its subfields end " + std::to_string(sub.left()) + " octets before its length says"
           : sub.failure.item + ": " + sub.failure.what;
    r.warn(ok ? sub.p : sub.begin + sub.failure.at, item,
           "does not follow the REF structure (" + why + "); kept as raw bytes");
  }
  raw = std::move(content);
  return true;
}

template <class Ref>
bool write_re(Writer& w, const std::optional<Bytes>& raw, const std::optional<Ref>& fields,
              const char* item) {
  if (fields) {
    const std::size_t at = w.out.size();
    w.grow(1);
    if (!encode(w, *fields)) return false;
    const std::size_t len = w.out.size() - at;
    if (len > 255) return w.fail(item, "longer than 255 octets");
    w.out[at] = static_cast<std::uint8_t>(len);
    return true;
  }
  if (raw) return write_explicit(w, *raw, item);
  return true;
}

}  // namespace codec
}  // namespace picket::asterix

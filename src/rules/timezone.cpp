#include "picket/rules/timezone.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace picket::rules {

// --- Civil calendar (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms") -------------

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

int weekday_from_days(std::int64_t z) {
  return static_cast<int>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

namespace {

bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// --- POSIX TZ text ----------------------------------------------------------------------------

class TzText {
 public:
  explicit TzText(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // A zone abbreviation: three or more letters, or anything in <...>.
  bool name() {
    if (eat('<')) {
      const size_t close = s_.find('>', i_);
      if (close == std::string_view::npos || close - i_ < 1) return false;
      i_ = close + 1;
      return true;
    }
    const size_t start = i_;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek())))
      ++i_;
    return i_ - start >= 3;
  }
  bool number(int& v, int max_digits) {
    int digits = 0;
    v = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek())) && digits < max_digits) {
      v = v * 10 + (s_[i_++] - '0');
      ++digits;
    }
    return digits > 0;
  }
  // [+-]hh[:mm[:ss]] as seconds; `max_hours` 24 for offsets, 167 for rule times (RFC 8536).
  bool hms(int& seconds, int max_hours) {
    int sign = 1;
    if (eat('-')) {
      sign = -1;
    } else {
      eat('+');
    }
    int h = 0;
    int m = 0;
    int s = 0;
    if (!number(h, 3) || h > max_hours) return false;
    if (eat(':')) {
      if (!number(m, 2) || m > 59) return false;
      if (eat(':') && (!number(s, 2) || s > 59)) return false;
    }
    seconds = sign * (h * 3600 + m * 60 + s);
    return true;
  }
  bool rule(PosixTz::When& w) {
    int v = 0;
    if (eat('M')) {
      w.form = PosixTz::When::month_week_day;
      int week = 0;
      int day = 0;
      if (!number(v, 2) || v < 1 || v > 12 || !eat('.') || !number(week, 1) || week < 1 ||
          week > 5 || !eat('.') || !number(day, 1) || day > 6) {
        return false;
      }
      w.month = v;
      w.week = week;
      w.day = day;
    } else if (eat('J')) {
      w.form = PosixTz::When::julian1;
      if (!number(v, 3) || v < 1 || v > 365) return false;
      w.day = v;
    } else {
      w.form = PosixTz::When::julian0;
      if (!number(v, 3) || v > 365) return false;
      w.day = v;
    }
    w.time_s = 7200;
    if (eat('/') && !hms(w.time_s, 167)) return false;
    return true;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// Day of the year (0-based) of a rule's date in year y.
int rule_yday(const PosixTz::When& w, std::int64_t y) {
  switch (w.form) {
    case PosixTz::When::julian1:
      // 1..365, February 29 never counted.
      return w.day - 1 + (is_leap(y) && w.day >= 60 ? 1 : 0);
    case PosixTz::When::julian0:
      return w.day;
    case PosixTz::When::month_week_day: {
      const std::int64_t first = days_from_civil(y, static_cast<unsigned>(w.month), 1);
      const int wd_first = weekday_from_days(first);
      int mday = 1 + (w.day - wd_first + 7) % 7 + 7 * (w.week - 1);
      const int dim = static_cast<int>(days_in_month(y, static_cast<unsigned>(w.month)));
      while (mday > dim)
        mday -= 7;
      return static_cast<int>(first + mday - 1 - days_from_civil(y, 1, 1));
    }
  }
  return 0;
}

std::int64_t change_utc(const PosixTz::When& w, std::int64_t y, int local_offset_s) {
  const std::int64_t day = days_from_civil(y, 1, 1) + rule_yday(w, y);
  return day * 86400 + w.time_s - local_offset_s;
}

// --- TZif -------------------------------------------------------------------------------------

class Bytes {
 public:
  explicit Bytes(std::string_view b) : b_(b) {}
  bool has(size_t n) const { return pos_ + n <= b_.size(); }
  size_t pos() const { return pos_; }
  void skip(size_t n) { pos_ += n; }
  std::uint8_t u8() { return static_cast<std::uint8_t>(b_[pos_++]); }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v = (v << 8) | u8();
    return v;
  }
  std::int64_t i64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v = (v << 8) | u8();
    return static_cast<std::int64_t>(v);
  }
  std::string_view rest() const { return b_.substr(pos_); }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

struct TzifHeader {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

Result<TzifHeader> read_header(Bytes& in) {
  if (!in.has(44)) return Error{"", "not a TZif file (too short)"};
  const std::string_view magic = in.rest().substr(0, 4);
  if (magic != "TZif") return Error{"", "not a TZif file (no TZif magic)"};
  in.skip(4);
  TzifHeader h;
  h.version = static_cast<char>(in.u8());
  in.skip(15);
  h.isutcnt = in.u32();
  h.isstdcnt = in.u32();
  h.leapcnt = in.u32();
  h.timecnt = in.u32();
  h.typecnt = in.u32();
  h.charcnt = in.u32();
  if (h.typecnt == 0 || h.typecnt > 256 || h.timecnt > 100000 || h.charcnt > 100000 ||
      h.leapcnt > 100000 || (h.isutcnt != 0 && h.isutcnt != h.typecnt) ||
      (h.isstdcnt != 0 && h.isstdcnt != h.typecnt)) {
    return Error{"", "corrupt TZif header"};
  }
  return h;
}

std::optional<int> parse_fixed_offset(std::string_view s) {
  for (std::string_view prefix : {"UTC", "GMT"}) {
    if (s.substr(0, prefix.size()) == prefix) {
      s.remove_prefix(prefix.size());
      break;
    }
  }
  if (s.empty() || s == "Z") return 0;
  if (s[0] != '+' && s[0] != '-') return std::nullopt;
  const int sign = s[0] == '-' ? -1 : 1;
  s.remove_prefix(1);
  int digits[4];
  int n = 0;
  bool colon = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':' && n == 2 && !colon) {
      colon = true;
      continue;
    }
    if (c == ':' && n == 1 && !colon) {  // "+1:30"
      digits[1] = digits[0];
      digits[0] = 0;
      n = 2;
      colon = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c)) || n == 4) return std::nullopt;
    digits[n++] = c - '0';
  }
  int h = 0;
  int m = 0;
  if (n == 1) {
    h = digits[0];
  } else if (n == 2) {
    h = digits[0] * 10 + digits[1];
  } else if (n == 4) {
    h = digits[0] * 10 + digits[1];
    m = digits[2] * 10 + digits[3];
  } else {
    return std::nullopt;
  }
  if (colon && n != 4) return std::nullopt;
  if (h > 18 || m > 59) return std::nullopt;
  return sign * (h * 3600 + m * 60);
}

bool valid_iana_name(std::string_view s) {
  if (s.empty() || s.front() == '/' || s.find("..") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' ||
           c == '/';
  });
}

}  // namespace

Result<PosixTz> PosixTz::parse(std::string_view text) {
  PosixTz tz;
  TzText in(text);
  auto bad = [&] { return Error{"", fmt::format("'{}' is not a POSIX TZ rule", text)}; };
  int west = 0;
  if (!in.name() || !in.hms(west, 24)) return bad();
  tz.std_offset_s = -west;
  if (in.done()) return tz;
  if (!in.name()) return bad();
  tz.has_dst = true;
  tz.dst_offset_s = tz.std_offset_s + 3600;
  if (in.peek() != ',' && !in.done()) {
    if (!in.hms(west, 24)) return bad();
    tz.dst_offset_s = -west;
  }
  if (in.done()) {
    // POSIX leaves the default rule to the implementation; use the current US rule, as glibc.
    tz.start = When{When::month_week_day, 0, 3, 2, 7200};
    tz.end = When{When::month_week_day, 0, 11, 1, 7200};
    return tz;
  }
  if (!in.eat(',') || !in.rule(tz.start) || !in.eat(',') || !in.rule(tz.end) || !in.done())
    return bad();
  return tz;
}

int PosixTz::offset_at(std::int64_t t) const {
  if (!has_dst) return std_offset_s;
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(floor_div(t + std_offset_s, 86400), y, m, d);
  const std::int64_t start_utc = change_utc(start, y, std_offset_s);
  const std::int64_t end_utc = change_utc(end, y, dst_offset_s);
  bool dst = false;
  if (start_utc < end_utc) {
    dst = t >= start_utc && t < end_utc;
  } else {
    dst = t < end_utc || t >= start_utc;  // southern hemisphere: daylight time spans new year
  }
  return dst ? dst_offset_s : std_offset_s;
}

Result<TimeZone> TimeZone::from_tzif(std::string_view bytes, std::string name) {
  Bytes in(bytes);
  PICKET_TRY(h1, read_header(in));
  const size_t v1 = size_t{h1.timecnt} * 5 + size_t{h1.typecnt} * 6 + h1.charcnt +
                    size_t{h1.leapcnt} * 8 + h1.isstdcnt + h1.isutcnt;
  if (!in.has(v1)) return Error{"", "corrupt TZif file (truncated data)"};
  TimeZone tz;
  tz.name_ = std::move(name);
  tz.iana_ = true;
  TzifHeader h = h1;
  int time_size = 4;
  if (h1.version >= '2') {
    in.skip(v1);
    PICKET_TRY(h2, read_header(in));
    h = h2;
    time_size = 8;
  }
  const size_t data = size_t{h.timecnt} * (time_size + 1) + size_t{h.typecnt} * 6 + h.charcnt +
                      size_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt;
  if (!in.has(data)) return Error{"", "corrupt TZif file (truncated data)"};
  std::vector<std::int64_t> times(h.timecnt);
  for (auto& t : times)
    t = time_size == 8 ? in.i64() : static_cast<std::int32_t>(in.u32());
  std::vector<std::uint8_t> idx(h.timecnt);
  for (auto& i : idx) {
    i = in.u8();
    if (i >= h.typecnt) return Error{"", "corrupt TZif file (bad type index)"};
  }
  std::vector<int> type_offsets(h.typecnt);
  for (auto& o : type_offsets) {
    o = static_cast<std::int32_t>(in.u32());
    in.skip(2);  // isdst, desigidx
    if (o < -89999 || o > 93599) return Error{"", "corrupt TZif file (bad UT offset)"};
  }
  for (size_t i = 1; i < times.size(); ++i) {
    if (times[i] <= times[i - 1]) return Error{"", "corrupt TZif file (transitions out of order)"};
  }
  in.skip(h.charcnt + size_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt);
  tz.transitions_ = std::move(times);
  for (auto i : idx)
    tz.offsets_.push_back(type_offsets[i]);
  tz.initial_offset_s_ = type_offsets[0];
  if (h1.version >= '2') {
    const std::string_view rest = in.rest();
    if (rest.size() >= 2 && rest.front() == '\n') {
      const size_t end = rest.find('\n', 1);
      if (end == std::string_view::npos) return Error{"", "corrupt TZif file (footer)"};
      const std::string_view rule = rest.substr(1, end - 1);
      if (!rule.empty()) {
        auto footer = PosixTz::parse(rule);
        if (!footer) return Error{"", "corrupt TZif footer: " + footer.error().what};
        tz.footer_ = *footer;
        tz.has_footer_ = true;
      }
    }
  }
  return tz;
}

Result<TimeZone> TimeZone::load_iana(std::string_view name, const std::string& dir) {
  if (!valid_iana_name(name)) {
    return Error{"", fmt::format("'{}' is not a time zone name or UTC offset", name)};
  }
  const std::string path = dir + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{"", fmt::format("unknown time zone '{}' (no file {}; give an offset such as "
                                 "+01:00, or install tzdata)",
                                 name, path)};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto tz = from_tzif(ss.str(), std::string(name));
  if (!tz) return Error{"", fmt::format("time zone '{}' ({}): {}", name, path, tz.error().what)};
  return tz;
}

Result<TimeZone> TimeZone::parse(std::string_view spec) {
  if (spec.empty()) return Error{"", "empty time zone"};
  if (auto off = parse_fixed_offset(spec)) {
    TimeZone tz;
    tz.name_ = std::string(spec);
    tz.fixed_offset_s_ = *off;
    return tz;
  }
  if (spec[0] == '+' || spec[0] == '-' || spec.substr(0, 3) == "UTC") {
    return Error{"", fmt::format("'{}' is not a UTC offset (examples: +01:00, -05:30)", spec)};
  }
  const char* env = std::getenv("TZDIR");
  const std::string dir = env && *env ? env : "/usr/share/zoneinfo";
  return load_iana(spec, dir);
}

int TimeZone::offset_at(double t) const {
  if (!iana_) return fixed_offset_s_;
  const auto s = static_cast<std::int64_t>(std::floor(t));
  if (transitions_.empty() || s < transitions_.front()) {
    if (transitions_.empty() && has_footer_) return footer_.offset_at(s);
    return initial_offset_s_;
  }
  if (s >= transitions_.back() && has_footer_) return footer_.offset_at(s);
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  return offsets_[static_cast<size_t>(it - transitions_.begin() - 1)];
}

}  // namespace picket::rules

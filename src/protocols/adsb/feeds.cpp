#include "picket/protocols/adsb/feeds.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace picket::adsb {

// --- Beast ---------------------------------------------------------------------------------

namespace {
constexpr std::uint8_t kEsc = 0x1A;

std::size_t data_length(char type) {
  switch (type) {
    case '1':
      return 2;
    case '2':
      return 7;
    case '3':
    case '4':
      return 14;
    default:
      return 0;
  }
}
}  // namespace

BeastParser::BeastParser(FrameFn on_frame, IssueFn on_issue)
    : on_frame_(std::move(on_frame)), on_issue_(std::move(on_issue)) {}

void BeastParser::fail(std::string what) {
  ++stats_.bad;
  if (on_issue_) on_issue_(FeedIssue{frame_at_, std::move(what)});
}

void BeastParser::start_frame(std::uint64_t at) {
  if (garbage_ > 0) {
    stats_.skipped_octets += garbage_;
    if (on_issue_) {
      on_issue_(FeedIssue{garbage_at_, fmt::format("{} octet{} outside any Beast frame skipped",
                                                   garbage_, garbage_ == 1 ? "" : "s")});
    }
    garbage_ = 0;
  }
  frame_at_ = at;
  state_ = State::type;
}

void BeastParser::feed(std::span<const std::uint8_t> data) {
  for (std::uint8_t b : data) {
    const std::uint64_t at = offset_++;
    switch (state_) {
      case State::idle:
        if (b == kEsc) {
          start_frame(at);
        } else {
          if (garbage_ == 0) garbage_at_ = at;
          ++garbage_;
        }
        break;
      case State::type:
        if (data_length(static_cast<char>(b)) == 0) {
          if (b == kEsc) {
            // An escaped 0x1A outside a frame: data without a frame.
            if (garbage_ == 0) garbage_at_ = frame_at_;
            garbage_ += 2;
          } else {
            fail(fmt::format("unknown Beast frame type 0x{:02X}", b));
          }
          state_ = State::idle;
          break;
        }
        type_ = static_cast<char>(b);
        need_ = 7 + data_length(type_);
        have_ = 0;
        state_ = State::body;
        break;
      case State::body:
        if (b == kEsc) {
          state_ = State::body_escape;
          break;
        }
        body_[have_++] = b;
        break;
      case State::body_escape:
        if (b == kEsc) {
          body_[have_++] = kEsc;
          state_ = State::body;
          break;
        }
        // A lone 0x1A: the next frame began before this one was complete.
        fail(fmt::format("Beast frame cut short after {} of {} octets", have_, need_));
        start_frame(at - 1);
        // Re-read this octet as the new frame's type.
        --offset_;
        feed({&b, 1});
        continue;
    }
    if ((state_ == State::body) && have_ == need_) {
      BeastFrame f;
      f.type = type_;
      f.offset = frame_at_;
      for (int i = 0; i < 6; ++i)
        f.timestamp = (f.timestamp << 8) | body_[i];
      f.signal = body_[6];
      f.length = static_cast<std::uint8_t>(need_ - 7);
      for (std::size_t i = 0; i < f.length; ++i)
        f.data[i] = body_[7 + i];
      ++stats_.frames;
      if (type_ == '1') {
        ++stats_.mode_ac;
      } else if (type_ == '4') {
        ++stats_.status;
      } else {
        ++stats_.mode_s;
      }
      state_ = State::idle;
      if (on_frame_) on_frame_(f);
    }
  }
}

void BeastParser::finish() {
  if (state_ == State::body || state_ == State::body_escape) {
    fail(fmt::format("Beast frame cut short by the end of the data after {} of {} octets", have_,
                     need_));
  } else if (state_ == State::type) {
    fail("Beast frame cut short by the end of the data before its type");
  }
  state_ = State::idle;
  if (garbage_ > 0) {
    stats_.skipped_octets += garbage_;
    if (on_issue_) {
      on_issue_(FeedIssue{garbage_at_, fmt::format("{} octet{} outside any Beast frame skipped",
                                                   garbage_, garbage_ == 1 ? "" : "s")});
    }
    garbage_ = 0;
  }
}

// --- Text helpers --------------------------------------------------------------------------

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long days_from_civil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

std::optional<double> sbs_time(std::string_view date, std::string_view time) {
  // "2008/11/28" (also "-" separated) and "23:48:18.611"
  date = trim(date);
  time = trim(time);
  if (date.size() != 10 || time.size() < 8) return std::nullopt;
  long y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0;
  double sec = 0;
  if (!parse_number(date.substr(0, 4), y) || !parse_number(date.substr(5, 2), mo) ||
      !parse_number(date.substr(8, 2), d) || !parse_number(time.substr(0, 2), h) ||
      !parse_number(time.substr(3, 2), mi) || !parse_number(time.substr(6), sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 || sec >= 61)
    return std::nullopt;
  return static_cast<double>(days_from_civil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
}

}  // namespace

Result<SbsMessage> parse_sbs(std::string_view line) {
  std::vector<std::string_view> f;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ',') {
      f.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  SbsMessage m;
  m.kind = std::string(trim(f[0]));
  if (m.kind != "MSG" && m.kind != "SEL" && m.kind != "ID" && m.kind != "AIR" && m.kind != "STA" &&
      m.kind != "CLK") {
    return Error{"field 1", fmt::format("'{}' is not an SBS message kind (MSG SEL ID AIR STA "
                                        "CLK)",
                                        m.kind)};
  }
  if (m.kind == "CLK") return m;
  if (f.size() < 10) {
    return Error{"", fmt::format("{} fields; an SBS {} line has at least 10", f.size(), m.kind)};
  }
  if (m.kind == "MSG") {
    if (!parse_number(f[1], m.transmission_type) || m.transmission_type < 1 ||
        m.transmission_type > 8) {
      return Error{"field 2 (transmission type)", fmt::format("'{}' is not 1..8", f[1])};
    }
  }
  auto hex = trim(f[4]);
  if (!hex.empty() && hex.front() == '~') hex.remove_prefix(1);  // non-ICAO (TIS-B) address
  {
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), m.icao, 16);
    if (hex.empty() || hex.size() > 6 || ec != std::errc{} || p != hex.data() + hex.size())
      return Error{"field 5 (hex ident)", fmt::format("'{}' is not a 24-bit hex address", f[4])};
  }
  m.time = sbs_time(f[6], f[7]);
  if (!m.time && !(trim(f[6]).empty() && trim(f[7]).empty())) {
    return Error{"fields 7-8 (date and time generated)",
                 fmt::format("'{}' '{}' is not YYYY/MM/DD HH:MM:SS.sss", f[6], f[7])};
  }
  auto get = [&](std::size_t i) -> std::string_view {
    return i < f.size() ? trim(f[i]) : std::string_view{};
  };
  static constexpr const char* kNames[] = {"",
                                           "",
                                           "",
                                           "",
                                           "",
                                           "",
                                           "",
                                           "",
                                           "",
                                           "",
                                           "callsign",
                                           "altitude",
                                           "ground speed",
                                           "track",
                                           "latitude",
                                           "longitude",
                                           "vertical rate",
                                           "squawk",
                                           "alert",
                                           "emergency",
                                           "SPI",
                                           "is on ground"};
  auto bad = [&](std::size_t i) {
    return Error{fmt::format("field {} ({})", i + 1, kNames[i]),
                 fmt::format("'{}' is not valid", get(i))};
  };
  if (!get(10).empty()) m.callsign = std::string(get(10));
  auto num = [&](std::size_t i, auto& out) -> bool {
    if (get(i).empty()) return true;
    std::remove_reference_t<decltype(*out)> v{};
    if (!parse_number(get(i), v)) return false;
    out = v;
    return true;
  };
  if (!num(11, m.altitude_ft)) return bad(11);
  if (!num(12, m.groundspeed_kt)) return bad(12);
  if (!num(13, m.track_deg)) return bad(13);
  if (!num(14, m.lat) || (m.lat && std::abs(*m.lat) > 90)) return bad(14);
  if (!num(15, m.lon) || (m.lon && std::abs(*m.lon) > 180)) return bad(15);
  if (!num(16, m.vertical_rate_fpm)) return bad(16);
  if (!get(17).empty()) {
    const auto sq = get(17);
    if (sq.size() != 4 || sq.find_first_not_of("01234567") != std::string_view::npos)
      return bad(17);
    m.squawk = std::string(sq);
  }
  auto flag = [&](std::size_t i, std::optional<bool>& out) -> bool {
    const auto s = get(i);
    if (s.empty()) return true;
    if (s == "0") {
      out = false;
    } else if (s == "1" || s == "-1") {
      out = true;
    } else {
      return false;
    }
    return true;
  };
  if (!flag(18, m.alert)) return bad(18);
  if (!flag(19, m.emergency)) return bad(19);
  if (!flag(20, m.spi)) return bad(20);
  if (!flag(21, m.on_ground)) return bad(21);
  if (m.lat.has_value() != m.lon.has_value()) {
    return Error{"fields 15-16 (latitude, longitude)", "one is given without the other"};
  }
  return m;
}

// --- Hex lines -----------------------------------------------------------------------------

Result<std::optional<HexFrame>> parse_hex_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#') return std::optional<HexFrame>{};
  HexFrame out;
  // "TIME,HEX[,...]"
  if (const auto comma = line.find(','); comma != std::string_view::npos) {
    double t = 0;
    auto first = trim(line.substr(0, comma));
    // A byte-order mark at the start of a file.
    if (first.size() >= 3 && static_cast<unsigned char>(first[0]) == 0xEF) first.remove_prefix(3);
    if (!parse_number(first, t)) {
      return Error{"", fmt::format("'{}' before the first comma is not a time", first)};
    }
    out.time = t;
    // The frame is the first later field of 14 or 28 hex digits (pyModeS files put the ICAO
    // address before it in some, after it in others).
    std::string_view rest = line.substr(comma + 1), found;
    while (!rest.empty() || found.empty()) {
      const auto next = rest.find(',');
      auto field = trim(rest.substr(0, next));
      if (field.size() >= 2 && field.front() == '"' && field.back() == '"')
        field = field.substr(1, field.size() - 2);
      if ((field.size() == 14 || field.size() == 28) &&
          field.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos) {
        found = field;
        break;
      }
      if (next == std::string_view::npos) break;
      rest = rest.substr(next + 1);
    }
    if (found.empty()) return Error{"", "no field of 14 or 28 hex digits after the time"};
    line = found;
  }
  if (!line.empty() && line.back() == ';') line.remove_suffix(1);
  if (!line.empty() && line.front() == '*') {
    line.remove_prefix(1);
  } else if (!line.empty() && line.front() == '@') {
    line.remove_prefix(1);
    if (line.size() < 12) return Error{"", "'@' line shorter than its 12-digit timestamp"};
    std::uint64_t ts = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + 12, ts, 16);
    if (ec != std::errc{} || p != line.data() + 12)
      return Error{"", "'@' line timestamp is not 12 hex digits"};
    out.timestamp = ts;
    line.remove_prefix(12);
  }
  auto frame = Frame::from_hex(line);
  if (!frame) return frame.error();
  out.frame = *frame;
  return std::optional<HexFrame>{out};
}

// --- Lines ---------------------------------------------------------------------------------

LineSplitter::LineSplitter(LineFn on_line, std::size_t max_line)
    : on_line_(std::move(on_line)), max_(max_line) {}

void LineSplitter::feed(std::span<const std::uint8_t> data) {
  for (std::uint8_t b : data) {
    if (b == '\n') {
      ++number_;
      std::string_view v = line_;
      if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
      on_line_(v, number_, cut_);
      line_.clear();
      cut_ = false;
    } else if (line_.size() < max_) {
      line_ += static_cast<char>(b);
    } else {
      cut_ = true;
    }
  }
}

void LineSplitter::finish() {
  if (!line_.empty() || cut_) {
    ++number_;
    on_line_(line_, number_, cut_);
    line_.clear();
    cut_ = false;
  }
}

}  // namespace picket::adsb

namespace picket::adsb {

Result<FeedFormat> parse_feed_format(std::string_view name) {
  if (name == "auto") return FeedFormat::automatic;
  if (name == "beast") return FeedFormat::beast;
  if (name == "sbs") return FeedFormat::sbs;
  if (name == "hex") return FeedFormat::hex;
  return Error{"--format", fmt::format("'{}' is not auto, beast, sbs or hex", name)};
}

std::string_view to_string(FeedFormat f) {
  switch (f) {
    case FeedFormat::automatic:
      return "auto";
    case FeedFormat::beast:
      return "beast";
    case FeedFormat::sbs:
      return "sbs";
    case FeedFormat::hex:
      return "hex";
  }
  return "?";
}

FeedFormat detect_feed_format(std::span<const std::uint8_t> head) {
  if (!head.empty() && head[0] == 0x1A) return FeedFormat::beast;
  const std::string_view s(reinterpret_cast<const char*>(head.data()), head.size());
  for (const char* kind : {"MSG,", "SEL,", "ID,", "AIR,", "STA,", "CLK,"})
    if (s.rfind(kind, 0) == 0) return FeedFormat::sbs;
  return FeedFormat::hex;
}

Result<FeedFormat> read_feed(const std::string& path, FeedFormat format,
                             const std::function<void(const FeedItem&)>& on_item,
                             const std::function<void(const FeedIssue&)>& on_issue,
                             FeedStats& stats) {
  std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Error{path, "cannot open"};
  struct Closer {
    std::FILE* f;
    bool own;
    ~Closer() {
      if (own) std::fclose(f);
    }
  } closer{f, path != "-"};
  std::vector<std::uint8_t> buf(1 << 16);
  std::size_t got = std::fread(buf.data(), 1, buf.size(), f);
  if (format == FeedFormat::automatic) format = detect_feed_format({buf.data(), got});
  auto issue = [&](const FeedIssue& i) {
    ++stats.bad;
    if (on_issue) on_issue(i);
  };
  std::optional<BeastParser> beast;
  std::optional<LineSplitter> lines;
  if (format == FeedFormat::beast) {
    beast.emplace(
        [&](const BeastFrame& bf) {
          FeedItem it;
          it.at = bf.offset;
          it.ticks = bf.timestamp;
          it.signal = bf.signal;
          if (bf.type == '1') {
            it.mode_ac = static_cast<std::uint16_t>((bf.data[0] << 8) | bf.data[1]);
          } else if (bf.type == '4') {
            ++stats.status_frames;
            return;
          } else {
            it.frame = bf.frame();
          }
          ++stats.items;
          on_item(it);
        },
        [&](const FeedIssue& i) {
          // Octets outside frames are counted apart; frames cut short are bad frames.
          if (i.what.find("outside any Beast frame") != std::string::npos) {
            if (on_issue) on_issue(i);
          } else {
            issue(i);
          }
        });
  } else {
    lines.emplace([&](std::string_view line, std::uint64_t number, bool cut) {
      if (cut) {
        issue(FeedIssue{number, "line longer than 4096 characters", true});
        return;
      }
      FeedItem it;
      it.at = number;
      it.is_line = true;
      if (format == FeedFormat::sbs) {
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
        auto m = parse_sbs(line);
        if (!m) {
          issue(FeedIssue{number, m.error().message(), true});
          return;
        }
        it.time = m->time;
        it.sbs = std::move(*m);
      } else {
        auto h = parse_hex_line(line);
        if (!h) {
          issue(FeedIssue{number, h.error().message(), true});
          return;
        }
        if (!*h) return;
        it.frame = (*h)->frame;
        it.time = (*h)->time;
        it.ticks = (*h)->timestamp;
      }
      ++stats.items;
      on_item(it);
    });
  }
  while (got > 0) {
    if (beast) {
      beast->feed({buf.data(), got});
    } else {
      lines->feed({buf.data(), got});
    }
    got = std::fread(buf.data(), 1, buf.size(), f);
  }
  if (std::ferror(f)) return Error{path, "read failed"};
  if (beast) {
    beast->finish();
    stats.skipped_octets = beast->stats().skipped_octets;
  } else {
    lines->finish();
  }
  return format;
}

}  // namespace picket::adsb

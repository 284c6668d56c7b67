#include "picket/formats/mot.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>

namespace picket::formats {

namespace {

constexpr std::array<const char*, 10> kColumnNames = {
    "frame",     "id",   "bb_left", "bb_top",       "bb_width",
    "bb_height", "conf", "x/class", "y/visibility", "z"};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string column_name(int i) {
  return fmt::format("column {} ({})", i + 1, kColumnNames[static_cast<size_t>(i)]);
}

// Splits a line into fields separated by a comma (with optional white space around it) or by
// white space alone. At most 11 fields are kept (one more than allowed, to report "too many").
Result<int> split(std::string_view line, std::array<std::string_view, 11>& out) {
  int n = 0;
  size_t i = 0;
  const size_t len = line.size();
  while (i < len && is_space(line[i]))
    ++i;
  if (i == len) return 0;
  for (;;) {
    const size_t start = i;
    while (i < len && line[i] != ',' && !is_space(line[i]))
      ++i;
    if (i == start) {
      return Error{fmt::format("byte {}", i + 1), fmt::format("column {} is empty", n + 1)};
    }
    if (n == 11) return n;
    out[static_cast<size_t>(n++)] = line.substr(start, i - start);
    while (i < len && is_space(line[i]))
      ++i;
    if (i == len) return n;
    if (line[i] == ',') {
      ++i;
      while (i < len && is_space(line[i]))
        ++i;
      if (i == len) return n;  // a trailing comma
    }
  }
}

Result<double> number(std::string_view s, int col) {
  std::string_view t = s;
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size() || t.empty()) {
    const std::string shown(s.substr(0, 40));
    return Error{column_name(col), fmt::format("'{}' is not a number", shown)};
  }
  if (!std::isfinite(v)) return Error{column_name(col), "not a finite number"};
  return v;
}

Result<long long> whole(std::string_view s, int col, double lo, double hi) {
  PICKET_TRY(v, number(s, col));
  if (v != std::floor(v))
    return Error{column_name(col), fmt::format("{} is not a whole number", v)};
  if (v < lo || v > hi) {
    return Error{column_name(col), fmt::format("{} is out of range [{}, {}]", v, lo, hi)};
  }
  return static_cast<long long>(v);
}

}  // namespace

Result<MotRow> parse_mot_row(std::string_view line) {
  std::array<std::string_view, 11> f;
  PICKET_TRY(n, split(line, f));
  if (n < 6) {
    return Error{"", fmt::format("{} columns; a MOTChallenge line has frame, id, bb_left, bb_top, "
                                 "bb_width, bb_height and up to four more",
                                 n)};
  }
  if (n > 10) return Error{"", "more than 10 columns"};
  MotRow r;
  r.columns = n;
  PICKET_TRY(frame, whole(f[0], 0, 1, 1e9));
  r.frame = static_cast<int>(frame);
  PICKET_TRY(id, whole(f[1], 1, -9.0e15, 9.0e15));
  r.id = id;
  std::array<double*, 8> dst = {&r.x, &r.y, &r.w, &r.h, &r.conf, &r.c8, &r.c9, &r.c10};
  for (int c = 2; c < n; ++c) {
    PICKET_TRY(v, number(f[static_cast<size_t>(c)], c));
    *dst[static_cast<size_t>(c - 2)] = v;
  }
  if (r.w < 0) return Error{column_name(4), fmt::format("negative width {}", r.w)};
  if (r.h < 0) return Error{column_name(5), fmt::format("negative height {}", r.h)};
  return r;
}

void append_mot_row(std::string& out, const MotRow& r, int decimals) {
  fmt::format_to(std::back_inserter(out), "{},{},{:.{}f},{:.{}f},{:.{}f},{:.{}f},{},{},{},{}\n",
                 r.frame, r.id, r.x, decimals, r.y, decimals, r.w, decimals, r.h, decimals, r.conf,
                 r.c8, r.c9, r.c10);
}

Result<std::vector<MotRow>> read_mot_file(const std::string& path, ReadOptions o,
                                          ReadStats* stats) {
  auto reader = open_mot(path, o);
  if (!reader) return reader.error();
  std::vector<MotRow> rows;
  for (;;) {
    auto r = reader->next();
    if (!r) return r.error();
    if (!*r) break;
    rows.push_back(**r);
  }
  if (stats) *stats = reader->stats();
  return rows;
}

Result<SeqInfo> read_seqinfo(const std::string& path) {
  auto lines = LineReader::open(path);
  if (!lines) return lines.error();
  SeqInfo info;
  bool in_sequence = false;
  bool seen_section = false;
  while (auto line = lines->next()) {
    std::string_view s = *line;
    while (!s.empty() && is_space(s.front()))
      s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
      s.remove_suffix(1);
    if (s.empty() || s.front() == ';' || s.front() == '#') continue;
    const std::string where = fmt::format("{}:{}", path, lines->line_number());
    if (s.front() == '[') {
      in_sequence = s == "[Sequence]";
      seen_section = seen_section || in_sequence;
      continue;
    }
    if (!in_sequence) continue;
    const auto eq = s.find('=');
    if (eq == std::string_view::npos) return Error{where, "expected key=value"};
    std::string_view key = s.substr(0, eq), value = s.substr(eq + 1);
    while (!key.empty() && is_space(key.back()))
      key.remove_suffix(1);
    while (!value.empty() && is_space(value.front()))
      value.remove_prefix(1);
    auto num = [&](double lo, double hi) -> Result<double> {
      double v = 0;
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || p != value.data() + value.size() || !std::isfinite(v) || v < lo ||
          v > hi) {
        return Error{where + " " + std::string(key),
                     fmt::format("'{}' is not a number in [{}, {}]", value, lo, hi)};
      }
      return v;
    };
    if (key == "name") {
      info.name = std::string(value);
    } else if (key == "frameRate") {
      PICKET_TRY(v, num(1e-3, 1e6));
      info.frame_rate = v;
    } else if (key == "seqLength") {
      PICKET_TRY(v, num(0, 1e9));
      info.length = static_cast<int>(v);
    } else if (key == "imWidth") {
      PICKET_TRY(v, num(0, 1e6));
      info.width = static_cast<int>(v);
    } else if (key == "imHeight") {
      PICKET_TRY(v, num(0, 1e6));
      info.height = static_cast<int>(v);
    }
  }
  if (lines->io_error()) return *lines->io_error();
  if (!seen_section) return Error{path, "no [Sequence] section"};
  return info;
}

}  // namespace picket::formats

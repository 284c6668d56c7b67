// Structured logs. Every long-running part of Picket (the live daemon above all) reports what
// happened as an *event*: a name and typed fields, e.g.
//
//   log::event(spdlog::level::warn, "detections_rejected",
//              {{"reason", "malformed"}, {"sender", "127.0.0.1:5000"}, {"count", 12}});
//
// With the text format (the default) this is the line "detections_rejected reason=malformed
// sender=127.0.0.1:5000 count=12"; with the JSON format (`picket --log-format json`, or
// PICKET_LOG_FORMAT=json) every log line on stderr is one JSON object,
//
//   {"time":"2026-11-28T10:58:12.345Z","level":"warn","event":"detections_rejected",
//    "reason":"malformed","sender":"127.0.0.1:5000","count":12}
//
// and plain spdlog messages become {"time":...,"level":...,"msg":"..."}: a log shipper can
// index every field. Throttle keeps a flood (a sender spraying bad datagrams) from flooding the
// log: one line per key and period, carrying the count of what it stands for.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <variant>

namespace picket::log {

enum class Format { text, json };

// Installs the format on spdlog's default logger (stderr). Thread-safe to call at start-up.
void set_format(Format f);
Format format();
// The formatter set_format(json) installs (for loggers of one's own, and tests).
std::unique_ptr<spdlog::formatter> make_json_formatter();
// "text" or "json" into `out`; false for anything else.
bool parse_format(std::string_view s, Format& out);

struct Field {
  using Value = std::variant<std::string_view, std::int64_t, double, bool>;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) Field(std::string_view k, I v)
      : key(k), value(static_cast<std::int64_t>(v)) {}
  std::string_view key;
  Value value;
};

// Logs the event `name` with its fields at `level`, in the installed format. Fields whose value
// is an empty string are left out.
void event(spdlog::level::level_enum level, std::string_view name,
           std::initializer_list<Field> fields);

// The line event() writes for the text format (exposed for tests).
std::string text_line(std::string_view name, std::initializer_list<Field> fields);
// The JSON members event() writes for the JSON format, without braces (exposed for tests).
std::string json_members(std::string_view name, std::initializer_list<Field> fields);

// At most one log line per key and period. hit() counts an occurrence and returns how many
// occurrences the caller should report now (the ones held back since the last line, this one
// included), or 0 to stay quiet. Keys should come from a small set (reasons, not sender
// addresses): past max_keys distinct keys, the rest share one.
class Throttle {
 public:
  explicit Throttle(double period_s, std::size_t max_keys = 256)
      : period_s_(period_s), max_keys_(max_keys) {}
  std::uint64_t hit(std::string_view key, double now_s);

 private:
  struct Entry {
    double last = -1e300;
    std::uint64_t pending = 0;
  };
  double period_s_;
  std::size_t max_keys_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace picket::log

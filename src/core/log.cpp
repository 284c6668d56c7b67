#include "picket/core/log.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <spdlog/sinks/stdout_color_sinks.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

namespace picket::log {

namespace {

std::atomic<Format> g_format{Format::text};

// event() hands the JSON formatter its members after this marker (an ASCII record separator,
// which no ordinary message starts with), so that the members are not escaped as a message.
constexpr char kMembersMark = '\x1e';

void append_json_string(std::string& out, std::string_view s) {
  // nlohmann::json escapes per RFC 8259 and replaces invalid UTF-8 instead of throwing.
  out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_json_value(std::string& out, const Field::Value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          append_json_string(out, x);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(x)) {
            out += fmt::format("{}", x);
          } else {
            out += "null";
          }
        } else {
          out += fmt::format("{}", x);
        }
      },
      v);
}

void append_text_value(std::string& out, const Field::Value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          const bool plain = !x.empty() && x.find_first_of(" \t\n\r\"=") == std::string_view::npos;
          if (plain) {
            out += x;
          } else {
            append_json_string(out, x);  // quoted and escaped
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else {
          out += fmt::format("{}", x);
        }
      },
      v);
}

// One JSON object per line: time (UTC, milliseconds), level, then the event's members or the
// message.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(msg.time);
    std::string line = fmt::format(R"({{"time":"{:%Y-%m-%dT%H:%M:%S}.{:03d}Z","level":)",
                                   fmt::gmtime(std::chrono::system_clock::to_time_t(ms)),
                                   static_cast<int>(ms.time_since_epoch().count() % 1000));
    const auto level = spdlog::level::to_string_view(msg.level);
    append_json_string(line, std::string_view(level.data(), level.size()));
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    if (!payload.empty() && payload.front() == kMembersMark) {
      line += ',';
      line += payload.substr(1);
    } else {
      line += R"(,"msg":)";
      append_json_string(line, payload);
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// Empty strings are left out: an event names only what it knows.
bool is_empty(const Field& f) {
  const auto* sv = std::get_if<std::string_view>(&f.value);
  return sv && sv->empty();
}

}  // namespace

void set_format(Format f) {
  g_format = f;
  // Logs go to stderr, so that commands writing data to stdout (JSON Lines) stay clean.
  if (!spdlog::get("picket")) spdlog::set_default_logger(spdlog::stderr_color_mt("picket"));
  if (f == Format::json) {
    spdlog::set_formatter(make_json_formatter());
  } else {
    spdlog::set_pattern("%+");  // spdlog's default pattern
  }
}

std::unique_ptr<spdlog::formatter> make_json_formatter() {
  return std::make_unique<JsonFormatter>();
}

Format format() {
  return g_format.load();
}

bool parse_format(std::string_view s, Format& out) {
  if (s == "text") {
    out = Format::text;
  } else if (s == "json") {
    out = Format::json;
  } else {
    return false;
  }
  return true;
}

std::string text_line(std::string_view name, std::initializer_list<Field> fields) {
  std::string out(name);
  for (const auto& f : fields) {
    if (is_empty(f)) continue;
    out += ' ';
    out += f.key;
    out += '=';
    append_text_value(out, f.value);
  }
  return out;
}

std::string json_members(std::string_view name, std::initializer_list<Field> fields) {
  std::string out = R"("event":)";
  append_json_string(out, name);
  for (const auto& f : fields) {
    if (is_empty(f)) continue;
    out += ',';
    append_json_string(out, f.key);
    out += ':';
    append_json_value(out, f.value);
  }
  return out;
}

void event(spdlog::level::level_enum level, std::string_view name,
           std::initializer_list<Field> fields) {
  if (!spdlog::should_log(level)) return;
  if (format() == Format::json) {
    std::string payload(1, kMembersMark);
    payload += json_members(name, fields);
    spdlog::log(level, "{}", payload);
  } else {
    spdlog::log(level, "{}", text_line(name, fields));
  }
}

std::uint64_t Throttle::hit(std::string_view key, double now_s) {
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    const std::string k = entries_.size() < max_keys_ ? std::string(key) : std::string("(other)");
    it = entries_.try_emplace(k).first;
  }
  Entry& e = it->second;
  ++e.pending;
  if (now_s - e.last < period_s_) return 0;
  e.last = now_s;
  const std::uint64_t n = e.pending;
  e.pending = 0;
  return n;
}

}  // namespace picket::log

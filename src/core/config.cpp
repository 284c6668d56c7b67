#include "picket/core/config.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace picket {

Status ConfigErrors::status() const {
  if (errors_.empty()) return Ok{};
  std::string text;
  for (const auto& e : errors_) {
    if (!text.empty()) text += '\n';
    text += e.message();
  }
  return Error{"", text};
}

namespace {

std::string join_field(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

Result<YAML::Node> parse_yaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error{fmt::format("{}:{}:{}", file, e.mark.line + 1, e.mark.column + 1),
                 "YAML syntax error: " + e.msg};
  }
}

}  // namespace

Result<ConfigNode> ConfigNode::load_string(const std::string& text, const std::string& file_name,
                                           std::shared_ptr<ConfigErrors> errors) {
  auto yaml = parse_yaml(text, file_name);
  if (!yaml) return yaml.error();
  if (!errors) errors = std::make_shared<ConfigErrors>();
  return ConfigNode(*yaml, file_name, "", std::move(errors), 1);
}

Result<ConfigNode> ConfigNode::load_file(const std::string& path,
                                         std::shared_ptr<ConfigErrors> errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, "cannot open file"};
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error{path, "cannot read file"};
  return load_string(ss.str(), path, std::move(errors));
}

ConfigNode::ConfigNode(YAML::Node node, std::string file, std::string field,
                       std::shared_ptr<ConfigErrors> errors, int parent_line)
    : node_(std::move(node)),
      file_(std::move(file)),
      field_(std::move(field)),
      errors_(std::move(errors)),
      parent_line_(parent_line) {}

int ConfigNode::line() const {
  if (node_.IsDefined()) {
    const auto mark = node_.Mark();
    if (mark.line >= 0) return mark.line + 1;
  }
  return parent_line_;
}

std::string ConfigNode::where() const {
  std::string w = fmt::format("{}:{}", file_, line());
  if (!field_.empty()) w += " " + field_;
  return w;
}

std::string ConfigNode::directory() const {
  return std::filesystem::path(file_).parent_path().string();
}

void ConfigNode::error(std::string what) const {
  errors_->add(Error{where(), std::move(what)});
}

bool ConfigNode::expect_map() const {
  if (is_map()) return true;
  error(present() ? "expected a mapping of keys to values" : "missing");
  return false;
}

bool ConfigNode::has(std::string_view key) const {
  return is_map() && node_[std::string(key)].IsDefined();
}

bool ConfigNode::expect_keys(std::initializer_list<std::string_view> allowed) const {
  if (!expect_map()) return false;
  bool ok = true;
  for (const auto& kv : node_) {
    const auto key = kv.first.as<std::string>("");
    bool known = false;
    for (auto a : allowed)
      known = known || a == key;
    if (!known) {
      std::string list;
      for (auto a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      ConfigNode(kv.first, file_, join_field(field_, key), errors_, line())
          .error(fmt::format("unknown key '{}' (expected one of: {})", key, list));
      ok = false;
    }
  }
  return ok;
}

ConfigNode ConfigNode::operator[](std::string_view key) const {
  // Copy-construct: assigning yaml-cpp's "zombie" node for a missing key throws.
  const YAML::Node child = is_map() ? node_[std::string(key)] : YAML::Node();
  return ConfigNode(child, file_, join_field(field_, key), errors_, line());
}

ConfigNode ConfigNode::at(size_t index) const {
  const YAML::Node child = is_sequence() && index < node_.size() ? node_[index] : YAML::Node();
  return ConfigNode(child, file_, fmt::format("{}[{}]", field_, index), errors_, line());
}

std::vector<ConfigNode> ConfigNode::items() const {
  std::vector<ConfigNode> out;
  if (!present()) return out;
  if (!is_sequence()) {
    error("expected a list");
    return out;
  }
  for (size_t i = 0; i < node_.size(); ++i)
    out.push_back(at(i));
  return out;
}

std::vector<std::pair<std::string, ConfigNode>> ConfigNode::entries() const {
  std::vector<std::pair<std::string, ConfigNode>> out;
  if (!expect_map()) return out;
  for (const auto& kv : node_) {
    const auto key = kv.first.as<std::string>("");
    out.emplace_back(key, ConfigNode(kv.second, file_, join_field(field_, key), errors_, line()));
  }
  return out;
}

std::optional<double> ConfigNode::as_number() const {
  if (!is_scalar()) return std::nullopt;
  const std::string& s = node_.Scalar();
  double v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<long long> ConfigNode::as_integer() const {
  if (!is_scalar()) return std::nullopt;
  const std::string& s = node_.Scalar();
  long long v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

std::optional<std::string> ConfigNode::as_string() const {
  if (!is_scalar()) return std::nullopt;
  return node_.Scalar();
}

std::optional<bool> ConfigNode::as_bool() const {
  if (!is_scalar()) return std::nullopt;
  const std::string& s = node_.Scalar();
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  return std::nullopt;
}

std::optional<double> ConfigNode::optional_number(std::string_view key, double min,
                                                  double max) const {
  const ConfigNode n = (*this)[key];
  if (!n.present()) return std::nullopt;
  const auto v = n.as_number();
  if (!v) {
    n.error("expected a number");
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    n.error(fmt::format("{} is out of range [{}, {}]", *v, min, max));
    return std::nullopt;
  }
  return v;
}

double ConfigNode::number(std::string_view key, double fallback, double min, double max) const {
  return optional_number(key, min, max).value_or(fallback);
}

double ConfigNode::required_number(std::string_view key, double min, double max) const {
  if (!(*this)[key].present()) {
    (*this)[key].error("missing (a number is required)");
    return min;
  }
  return optional_number(key, min, max).value_or(min);
}

long long ConfigNode::integer(std::string_view key, long long fallback, long long min,
                              long long max) const {
  const ConfigNode n = (*this)[key];
  if (!n.present()) return fallback;
  const auto v = n.as_integer();
  if (!v) {
    n.error("expected a whole number");
    return fallback;
  }
  if (*v < min || *v > max) {
    n.error(fmt::format("{} is out of range [{}, {}]", *v, min, max));
    return fallback;
  }
  return *v;
}

long long ConfigNode::required_integer(std::string_view key, long long min, long long max) const {
  if (!(*this)[key].present()) {
    (*this)[key].error("missing (a whole number is required)");
    return min;
  }
  return integer(key, min, min, max);
}

std::string ConfigNode::required_string(std::string_view key) const {
  const ConfigNode n = (*this)[key];
  if (!n.present()) {
    n.error("missing (a text value is required)");
    return {};
  }
  auto s = n.as_string();
  if (!s || s->empty()) {
    n.error("expected a non-empty text value");
    return {};
  }
  return *s;
}

std::string ConfigNode::string(std::string_view key, std::string fallback) const {
  const ConfigNode n = (*this)[key];
  if (!n.present()) return fallback;
  auto s = n.as_string();
  if (!s) {
    n.error("expected a text value");
    return fallback;
  }
  return *s;
}

bool ConfigNode::boolean(std::string_view key, bool fallback) const {
  const ConfigNode n = (*this)[key];
  if (!n.present()) return fallback;
  auto b = n.as_bool();
  if (!b) {
    n.error("expected true or false");
    return fallback;
  }
  return *b;
}

std::string ConfigNode::choice(std::string_view key,
                               std::initializer_list<std::string_view> choices,
                               std::string fallback, bool required) const {
  const ConfigNode n = (*this)[key];
  if (!n.present()) {
    if (required) {
      std::string list;
      for (auto c : choices)
        list += (list.empty() ? "" : ", ") + std::string(c);
      n.error("missing (one of: " + list + ")");
    }
    return fallback;
  }
  auto s = n.as_string();
  if (s) {
    for (auto c : choices) {
      if (c == *s) return *s;
    }
  }
  std::string list;
  for (auto c : choices)
    list += (list.empty() ? "" : ", ") + std::string(c);
  n.error(fmt::format("'{}' is not one of: {}", s.value_or("?"), list));
  return fallback;
}

}  // namespace picket

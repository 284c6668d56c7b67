// Strict reading of YAML configuration files (site files, scenarios) with precise errors.
//
// A ConfigNode is a YAML node that knows its file, its line and its field path
// ("sensors[2].noise.range"). Every getter checks type and range and, on a problem, records an
// error naming file, line, field and what is wrong, then returns a harmless default so parsing
// goes on and the user sees every problem at once. `expect_keys` reports keys nobody reads
// (typos are errors, not silently ignored settings). The loader calls `ConfigErrors::status()`
// at the end: a file with any error starts nothing.
//
// Thread-safety: none; a ConfigNode and its ConfigErrors belong to one loading thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "picket/core/result.h"

namespace picket {

class ConfigErrors {
 public:
  void add(Error e) { errors_.push_back(std::move(e)); }
  bool empty() const { return errors_.empty(); }
  const std::vector<Error>& all() const { return errors_; }
  // Ok, or one Error whose text lists every problem, one per line.
  Status status() const;

 private:
  std::vector<Error> errors_;
};

class ConfigNode {
 public:
  // Parses `path` as YAML. A syntax error is reported with its line and column.
  static Result<ConfigNode> load_file(const std::string& path,
                                      std::shared_ptr<ConfigErrors> errors = nullptr);
  static Result<ConfigNode> load_string(const std::string& text, const std::string& file_name,
                                        std::shared_ptr<ConfigErrors> errors = nullptr);

  ConfigNode(YAML::Node node, std::string file, std::string field,
             std::shared_ptr<ConfigErrors> errors, int parent_line = 0);

  bool present() const { return node_.IsDefined() && !node_.IsNull(); }
  bool is_map() const { return node_.IsDefined() && node_.IsMap(); }
  bool is_sequence() const { return node_.IsDefined() && node_.IsSequence(); }
  bool is_scalar() const { return node_.IsDefined() && node_.IsScalar(); }
  bool has(std::string_view key) const;

  const std::string& file() const { return file_; }
  const std::string& field() const { return field_; }
  int line() const;  // 1-based; the parent's line for absent nodes
  // "file:line field"
  std::string where() const;
  // Directory of the file, for paths given relative to it ("" for the current directory).
  std::string directory() const;

  // Records an error at this node.
  void error(std::string what) const;
  // Records an error for every key of this map not in `allowed`; an error if this is not a map.
  bool expect_keys(std::initializer_list<std::string_view> allowed) const;
  bool expect_map() const;

  ConfigNode operator[](std::string_view key) const;  // absent keys give a non-present node
  ConfigNode at(size_t index) const;
  size_t size() const { return node_.IsDefined() ? node_.size() : 0; }
  std::vector<ConfigNode> items() const;  // elements of a sequence (error if not a sequence)
  std::vector<std::pair<std::string, ConfigNode>> entries() const;  // of a map

  // Scalars of this node.
  std::optional<double> as_number() const;
  std::optional<long long> as_integer() const;
  std::optional<std::string> as_string() const;
  std::optional<bool> as_bool() const;

  // Keyed getters. `required_*` records "missing" when absent. Range checks are inclusive.
  double required_number(std::string_view key, double min, double max) const;
  double number(std::string_view key, double fallback, double min, double max) const;
  std::optional<double> optional_number(std::string_view key, double min, double max) const;
  long long integer(std::string_view key, long long fallback, long long min, long long max) const;
  long long required_integer(std::string_view key, long long min, long long max) const;
  std::string required_string(std::string_view key) const;
  std::string string(std::string_view key, std::string fallback) const;
  bool boolean(std::string_view key, bool fallback) const;
  // A string that must be one of `choices`.
  std::string choice(std::string_view key, std::initializer_list<std::string_view> choices,
                     std::string fallback, bool required = false) const;

  const YAML::Node& yaml() const { return node_; }
  const std::shared_ptr<ConfigErrors>& errors() const { return errors_; }

 private:
  YAML::Node node_;
  std::string file_;
  std::string field_;
  std::shared_ptr<ConfigErrors> errors_;
  int parent_line_ = 0;
};

}  // namespace picket

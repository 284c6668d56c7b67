// Small HTTP helpers shared by the server's files: query strings, percent-decoding, cookies,
// content types and safe static paths. Internal to the server layer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace picket::server::detail {

// Decodes %XX and '+' (in queries); nothing if an escape is malformed or decodes to NUL.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);
// "a=1&b=x%20y" -> {a: 1, b: "x y"}; malformed pairs are skipped.
std::map<std::string, std::string> parse_query(std::string_view q);
// The value of one cookie in a Cookie header, or "".
std::string cookie_value(std::string_view header, std::string_view name);
// MIME type by file extension.
std::string_view content_type(std::string_view path);
// Maps a URL path to a file under root, refusing anything that could leave it (.., backslashes,
// NUL, encoded separators, symlinks pointing outside). Nothing when refused.
std::optional<std::string> safe_static_path(const std::string& root, std::string_view url_path);

}  // namespace picket::server::detail

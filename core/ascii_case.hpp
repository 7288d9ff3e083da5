// ASCII case helpers for protocol text (HTTP methods, header names, URL
// schemes), where case folding is ASCII-only by definition and locale-aware
// std::tolower would be both slower and wrong.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace golive::core {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// `text` with ASCII letters lowercased; other bytes unchanged.
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

constexpr char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

inline std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

// Whether `text` equals `lowercase` ignoring ASCII case; `lowercase` must
// already be lowercase (a literal such as "content-length").
constexpr bool equals_ignoring_case(std::string_view text, std::string_view lowercase) {
  if (text.size() != lowercase.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (ascii_lower(text[i]) != lowercase[i]) return false;
  }
  return true;
}

}  // namespace golive::core

// Small ASCII text helpers shared by the readers of fact values (values/fact_value_reader.cpp)
// and of fact files (tools/fact_file.cpp). Pure functions on views; no locale.
#pragma once

#include <algorithm>
#include <string_view>

namespace rubric::ascii {

[[nodiscard]] constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

[[nodiscard]] constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

[[nodiscard]] constexpr char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

// `text` without the spaces, tabs and line breaks at either end.
[[nodiscard]] constexpr std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

[[nodiscard]] constexpr bool ends_with_ignoring_case(std::string_view text,
                                                     std::string_view suffix) {
  if (text.size() < suffix.size()) {
    return false;
  }
  const std::string_view tail = text.substr(text.size() - suffix.size());
  return std::equal(tail.begin(), tail.end(), suffix.begin(),
                    [](char a, char b) { return to_lower(a) == to_lower(b); });
}

[[nodiscard]] constexpr bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ends_with_ignoring_case(a, b);
}

}  // namespace rubric::ascii

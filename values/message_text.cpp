#include "values/message_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace rubric {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string in_backticks(std::string_view text) {
  return fmt::format("`{}`", text);
}

std::string shown(std::string_view text) {
  constexpr std::size_t kMaximum = 60;
  std::string out;
  for (const char character : text) {
    const auto c = static_cast<unsigned char>(character);
    if (out.size() >= kMaximum && (c & 0xC0U) != 0x80U) {
      out += "...";
      break;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20U || c == 0x7FU) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
    } else {
      out += character;
    }
  }
  return out;
}

std::string closest_name(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_distance = 0;
  for (const std::string_view candidate : candidates) {
    const std::size_t distance = edit_distance(name, candidate);
    if (best.empty() || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  // Plausible misspellings only: at most a third of the longer name differs.
  const std::size_t longest = std::max(name.size(), best.size());
  if (best.empty() || best == name || best_distance * 3 > longest + 1) {
    return {};
  }
  return std::string(best);
}

}  // namespace rubric

// Source texts and positions. A location is a SourceRange (values/source_range.hpp): a file id
// plus a byte offset and length; line and column are computed only when a location is printed.
//
// Contract: SourceManager owns every text added to it; the string_views it returns stay
// valid for its lifetime (texts are never moved or freed). Not thread-safe for `add`;
// const members may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "values/source_range.hpp"

namespace rubric {

// One-based line and column; the column counts Unicode code points.
struct LineColumn {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

class SourceManager {
 public:
  FileId add(std::string name, std::string text);
  [[nodiscard]] std::string_view name(FileId file) const;
  [[nodiscard]] std::string_view text(FileId file) const;
  [[nodiscard]] std::string_view text(SourceRange range) const;
  [[nodiscard]] LineColumn line_column(FileId file, std::uint32_t offset) const;
  // The whole line holding `offset`, without its line break.
  [[nodiscard]] std::string_view line_text(FileId file, std::uint32_t offset) const;
  // The offset of the start of a one-based line and column (for locations reported by
  // other parsers, e.g. YAML); clamps to the text.
  [[nodiscard]] std::uint32_t offset_of(FileId file, LineColumn position) const;

 private:
  struct File {
    std::string name;
    std::string text;
    std::vector<std::uint32_t> line_starts;
  };
  std::vector<std::unique_ptr<File>> files_;
};

// `text` on one line: every run of white space becomes one space, none at either end.
std::string collapse_whitespace(std::string_view text);

// The source text of an expression on one line. An expression's range may leave out the
// parentheses around its first or last operand (the range of `a and (b or c)` ends before
// the last `)`); those are put back. Parentheses inside string literals do not count.
std::string expression_text(const SourceManager& sources, SourceRange range);

}  // namespace rubric

#include "dsl/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace rubric {

Diagnostic& Diagnostics::report(DiagnosticKind kind, SourceRange range, std::string message) {
  return add(Diagnostic(kind, range, std::move(message)));
}

Diagnostic& Diagnostics::add(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::error) {
    ++error_count_;
  }
  diagnostics_.push_back(std::move(diagnostic));
  return diagnostics_.back();
}

void Diagnostics::append(const Diagnostics& other) {
  for (const Diagnostic& diagnostic : other.diagnostics_) {
    diagnostics_.push_back(diagnostic);
  }
  error_count_ += other.error_count_;
}

void Diagnostics::sort() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     if (a.range.file.value != b.range.file.value) {
                       return a.range.file.value < b.range.file.value;
                     }
                     return a.range.offset < b.range.offset;
                   });
}

namespace {

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

// The byte offset of code point `index` of `text` (text.size() past the end).
std::size_t byte_of_code_point(std::string_view text, std::size_t index) {
  std::size_t seen = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0U) != 0x80U) {
      if (seen == index) {
        return at;
      }
      ++seen;
    }
  }
  return text.size();
}

// Code points of a source line shown at most: a longer line (a fact file written on one line)
// is shown as a window around the range, with `...` where it is cut.
constexpr std::size_t kExcerptWidth = 160;

// The source line and a caret line under `range` (clipped to the first line).
void append_excerpt(std::string& out, const SourceManager& sources, SourceRange range) {
  const std::string_view line = sources.line_text(range.file, range.offset);
  const LineColumn start = sources.line_column(range.file, range.offset);
  const std::string number = std::to_string(start.line);
  const std::string gutter(number.size(), ' ');
  std::size_t column = start.column - 1;
  std::size_t width = 1;
  if (range.length > 0) {
    const std::string_view text = sources.text(range);
    const std::size_t line_end = text.find('\n');
    width = std::max<std::size_t>(
        1, code_points(text.substr(0, std::min(line_end, kExcerptWidth * 4))));
  }
  const std::size_t line_width = code_points(line);
  std::string_view window = line;
  std::string prefix;
  std::string suffix;
  if (line_width > kExcerptWidth) {
    std::size_t first = column > kExcerptWidth / 3 ? column - kExcerptWidth / 3 : 0;
    first = std::min(first, line_width - kExcerptWidth);
    const std::size_t begin = byte_of_code_point(line, first);
    const std::size_t end = byte_of_code_point(line, first + kExcerptWidth);
    window = line.substr(begin, end - begin);
    prefix = first > 0 ? "..." : "";
    suffix = end < line.size() ? "..." : "";
    column = column - first + prefix.size();
  }
  std::string shown = prefix;
  for (const char c : window) {
    shown += c == '\t' ? ' ' : c;
  }
  shown += suffix;
  const std::size_t shown_width = code_points(window) + prefix.size();
  if (column < shown_width) {
    width = std::min(width, shown_width - column);
  }
  out += fmt::format("{} |\n{} | {}\n{} | {}^{}\n", gutter, number, shown, gutter,
                     std::string(column, ' '), std::string(width - 1, '~'));
}

}  // namespace

std::string format_diagnostic(const SourceManager& sources, const Diagnostic& diagnostic) {
  std::string out;
  const LineColumn position = sources.line_column(diagnostic.range.file, diagnostic.range.offset);
  out += fmt::format("{}:{}:{}: {}[{}]: {}\n", sources.name(diagnostic.range.file), position.line,
                     position.column, severity_name(diagnostic.severity), diagnostic.code,
                     diagnostic.message);
  append_excerpt(out, sources, diagnostic.range);
  for (const Diagnostic::Note& note : diagnostic.notes) {
    const LineColumn at = sources.line_column(note.range.file, note.range.offset);
    out += fmt::format("{}:{}:{}: note: {}\n", sources.name(note.range.file), at.line, at.column,
                       note.message);
    append_excerpt(out, sources, note.range);
  }
  return out;
}

std::string format_diagnostics(const SourceManager& sources, const Diagnostics& diagnostics) {
  std::string out;
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    out += format_diagnostic(sources, diagnostic);
  }
  return out;
}

}  // namespace rubric

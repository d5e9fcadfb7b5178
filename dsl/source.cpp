#include "dsl/source.hpp"

#include <algorithm>

namespace rubric {

FileId SourceManager::add(std::string name, std::string text) {
  auto file = std::make_unique<File>();
  file->name = std::move(name);
  file->text = std::move(text);
  file->line_starts.push_back(0);
  for (std::size_t i = 0; i < file->text.size(); ++i) {
    if (file->text[i] == '\n') {
      file->line_starts.push_back(static_cast<std::uint32_t>(i + 1));
    }
  }
  files_.push_back(std::move(file));
  return FileId{static_cast<std::uint32_t>(files_.size() - 1)};
}

std::string_view SourceManager::name(FileId file) const {
  return files_.at(file.value)->name;
}

std::string_view SourceManager::text(FileId file) const {
  return files_.at(file.value)->text;
}

std::string_view SourceManager::text(SourceRange range) const {
  const std::string_view all = text(range.file);
  if (range.offset >= all.size()) {
    return {};
  }
  return all.substr(range.offset, range.length);
}

LineColumn SourceManager::line_column(FileId file, std::uint32_t offset) const {
  const File& f = *files_.at(file.value);
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(f.text.size()));
  const auto it = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset);
  const auto line = static_cast<std::uint32_t>(it - f.line_starts.begin());
  const std::uint32_t start = f.line_starts[line - 1];
  std::uint32_t column = 1;
  for (std::uint32_t i = start; i < offset; ++i) {
    // Count code points: skip UTF-8 continuation bytes.
    if ((static_cast<unsigned char>(f.text[i]) & 0xC0U) != 0x80U) {
      ++column;
    }
  }
  return LineColumn{line, column};
}

std::string_view SourceManager::line_text(FileId file, std::uint32_t offset) const {
  const File& f = *files_.at(file.value);
  const LineColumn position = line_column(file, offset);
  const std::uint32_t start = f.line_starts[position.line - 1];
  std::size_t finish = f.text.find('\n', start);
  if (finish == std::string::npos) {
    finish = f.text.size();
  }
  if (finish > start && f.text[finish - 1] == '\r') {
    --finish;
  }
  return std::string_view(f.text).substr(start, finish - start);
}

std::uint32_t SourceManager::offset_of(FileId file, LineColumn position) const {
  const File& f = *files_.at(file.value);
  if (position.line == 0) {
    return 0;
  }
  if (position.line > f.line_starts.size()) {
    return static_cast<std::uint32_t>(f.text.size());
  }
  std::uint32_t offset = f.line_starts[position.line - 1];
  for (std::uint32_t column = 1;
       column < position.column && offset < f.text.size() && f.text[offset] != '\n';) {
    ++offset;
    // A column ends at the next byte that is not a UTF-8 continuation byte.
    if (offset >= f.text.size() || (static_cast<unsigned char>(f.text[offset]) & 0xC0U) != 0x80U) {
      ++column;
    }
  }
  return offset;
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char character : text) {
    if (character == ' ' || character == '\n' || character == '\t' || character == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += character;
  }
  return out;
}

std::string expression_text(const SourceManager& sources, SourceRange range) {
  std::string text = collapse_whitespace(sources.text(range));
  std::ptrdiff_t depth = 0;
  std::ptrdiff_t lowest = 0;
  bool quoted = false;
  char quote = 0;
  for (const char character : text) {
    if (quoted) {
      quoted = character != quote;
      continue;
    }
    if (character == '\'' || character == '"') {
      quoted = true;
      quote = character;
    } else if (character == '(') {
      ++depth;
    } else if (character == ')') {
      lowest = std::min(lowest, --depth);
    }
  }
  text.insert(0, static_cast<std::size_t>(-lowest), '(');
  text.append(static_cast<std::size_t>(depth - lowest), ')');
  return text;
}

}  // namespace rubric

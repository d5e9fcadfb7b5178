#include "lsp/text_document.hpp"

#include <algorithm>

namespace rubric::lsp {

const char* encoding_name(PositionEncoding encoding) {
  switch (encoding) {
    case PositionEncoding::utf8: return "utf-8";
    case PositionEncoding::utf32: return "utf-32";
    case PositionEncoding::utf16: break;
  }
  return "utf-16";
}

std::uint32_t utf8_sequence_length(unsigned char lead) {
  if (lead >= 0xF0) {
    return 4;
  }
  if (lead >= 0xE0) {
    return 3;
  }
  if (lead >= 0xC0) {
    return 2;
  }
  return 1;
}

namespace {

// The units of one character in `encoding`, from the length of its UTF-8 sequence.
std::uint32_t units_of(std::uint32_t bytes, PositionEncoding encoding) {
  switch (encoding) {
    case PositionEncoding::utf8: return bytes;
    case PositionEncoding::utf32: return 1;
    case PositionEncoding::utf16: break;
  }
  return bytes == 4 ? 2 : 1;
}

}  // namespace

TextDocument::TextDocument(std::string text, std::int64_t version)
    : text_(std::move(text)), version_(version) {
  index_lines();
}

void TextDocument::set_text(std::string text, std::int64_t version) {
  text_ = std::move(text);
  version_ = version;
  index_lines();
}

bool TextDocument::replace(std::uint32_t begin, std::uint32_t end, std::string_view with) {
  begin = std::min<std::uint32_t>(begin, static_cast<std::uint32_t>(text_.size()));
  end = std::clamp<std::uint32_t>(end, begin, static_cast<std::uint32_t>(text_.size()));
  if (text_.size() - (end - begin) + with.size() > kMaxDocumentBytes) {
    return false;
  }
  text_.replace(begin, end - begin, with);
  index_lines();
  return true;
}

void TextDocument::index_lines() {
  line_starts_.assign(1, 0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\r' && i + 1 < text_.size() && text_[i + 1] == '\n') {
      continue;  // the `\n` of `\r\n` ends the line
    }
    if (text_[i] == '\n' || text_[i] == '\r') {
      line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
    }
  }
}

std::uint32_t TextDocument::line_end(std::size_t line) const {
  if (line + 1 >= line_starts_.size()) {
    return static_cast<std::uint32_t>(text_.size());
  }
  std::uint32_t end = line_starts_[line + 1] - 1;  // the line break's last byte
  if (text_[end] == '\n' && end > line_starts_[line] && text_[end - 1] == '\r') {
    --end;
  }
  return end;
}

std::uint32_t TextDocument::offset_of(Position position, PositionEncoding encoding) const {
  if (position.line >= line_starts_.size()) {
    return static_cast<std::uint32_t>(text_.size());
  }
  std::uint32_t offset = line_starts_[position.line];
  const std::uint32_t end = line_end(position.line);
  std::uint32_t units = 0;
  while (offset < end) {
    const std::uint32_t bytes =
        std::min(utf8_sequence_length(static_cast<unsigned char>(text_[offset])), end - offset);
    const std::uint32_t width = units_of(bytes, encoding);
    if (units + width > position.character) {
      break;  // the position is this character's start, or inside it
    }
    units += width;
    offset += bytes;
  }
  return offset;
}

Position TextDocument::position_of(std::uint32_t offset, PositionEncoding encoding) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  const auto after = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line = static_cast<std::uint32_t>(after - line_starts_.begin() - 1);
  // An offset inside a line break (between `\r` and `\n`) counts as the line's end.
  offset = std::min(offset, line_end(line));
  std::uint32_t character = 0;
  for (std::uint32_t at = line_starts_[line]; at < offset;) {
    const std::uint32_t bytes =
        std::min(utf8_sequence_length(static_cast<unsigned char>(text_[at])), offset - at);
    character += units_of(bytes, encoding);
    at += bytes;
  }
  return Position{line, character};
}

Range TextDocument::range_of(std::uint32_t offset, std::uint32_t end,
                             PositionEncoding encoding) const {
  return Range{position_of(offset, encoding), position_of(end, encoding)};
}

}  // namespace rubric::lsp

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
  // The line starts are updated, not rebuilt: a start depends on the byte before it and its
  // own (`\r\n` is one break), so the starts before `begin` stay, those after `end + 1` move
  // by the change in length, and the bytes between are scanned again.
  const auto delta = static_cast<std::int64_t>(with.size()) - (end - begin);
  // (The first line's start, 0, is no line break's and always stays.)
  const auto kept_before = std::lower_bound(line_starts_.begin() + 1, line_starts_.end(), begin);
  const auto kept_after = std::upper_bound(line_starts_.begin(), line_starts_.end(), end + 1);
  std::vector<std::uint32_t> after(kept_after, line_starts_.end());
  for (std::uint32_t& start : after) {
    start = static_cast<std::uint32_t>(start + delta);
  }
  line_starts_.erase(kept_before, line_starts_.end());
  text_.replace(begin, end - begin, with);
  const std::uint32_t scan_from = begin > 0 ? begin - 1 : 0;
  const auto scan_to = static_cast<std::uint32_t>(
      std::min<std::size_t>(text_.size(), static_cast<std::size_t>(begin) + with.size() + 1));
  index_breaks(scan_from, scan_to, line_starts_);
  line_starts_.insert(line_starts_.end(), after.begin(), after.end());
  cursor_ = Cursor{};
  return true;
}

void TextDocument::index_lines() {
  line_starts_.assign(1, 0);
  index_breaks(0, static_cast<std::uint32_t>(text_.size()), line_starts_);
  cursor_ = Cursor{};
}

void TextDocument::index_breaks(std::uint32_t from, std::uint32_t to,
                                std::vector<std::uint32_t>& starts) const {
  for (std::uint32_t i = from; i < to; ++i) {
    if (text_[i] == '\r' && i + 1 < text_.size() && text_[i + 1] == '\n') {
      continue;  // the `\n` of `\r\n` ends the line
    }
    if (text_[i] == '\n' || text_[i] == '\r') {
      starts.push_back(i + 1);
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
  std::uint32_t at = line_starts_[line];
  std::uint32_t character = 0;
  if (cursor_.line == line && cursor_.encoding == encoding && cursor_.offset <= offset) {
    at = cursor_.offset;
    character = cursor_.character;
  }
  while (at < offset) {
    const std::uint32_t bytes =
        std::min(utf8_sequence_length(static_cast<unsigned char>(text_[at])), offset - at);
    character += units_of(bytes, encoding);
    at += bytes;
  }
  cursor_ = Cursor{line, offset, character, encoding};
  return Position{line, character};
}

Range TextDocument::range_of(std::uint32_t offset, std::uint32_t end,
                             PositionEncoding encoding) const {
  const auto size = static_cast<std::uint32_t>(text_.size());
  const auto continuation = [&](std::uint32_t at) {
    return at < size && (static_cast<unsigned char>(text_[at]) & 0xC0U) == 0x80U;
  };
  offset = std::min(offset, size);
  end = std::clamp(end, offset, size);
  while (offset > 0 && continuation(offset)) {
    --offset;
  }
  while (continuation(end)) {
    ++end;
  }
  const Position start = position_of(offset, encoding);
  return Range{start, position_of(end, encoding)};
}

}  // namespace rubric::lsp

// An open document's text as the language client sees it, and the conversion between the
// protocol's positions (line, character) and byte offsets into the UTF-8 text.
//
// Lines end at `\n`, `\r\n` or `\r` (the Language Server Protocol's definition). A character
// counts in the negotiated position encoding: UTF-16 code units (the protocol's default),
// UTF-8 bytes or UTF-32 code points. Positions the client sends are clamped, never trusted:
// a line past the last is the end of the text, a character past a line's end is the line's
// end (before its line break), and a position inside a character is that character's start.
//
// Contract: the text is valid UTF-8 (it comes from JSON strings, which the reader has
// decoded); a TextDocument is owned by the server's single thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/parser.hpp"

namespace rubric::lsp {

enum class PositionEncoding : std::uint8_t { utf8, utf16, utf32 };

// "utf-8", "utf-16", "utf-32": the protocol's names.
const char* encoding_name(PositionEncoding encoding);

struct Position {
  std::uint32_t line = 0;
  std::uint32_t character = 0;
  friend bool operator==(Position, Position) = default;
};

struct Range {
  Position start;
  Position end;
};

// The largest document the server follows: the parser's limit on a rule file. A document
// opened larger, or grown larger by a change, is no longer followed (its changes are ignored
// and requests about it refused) until a change gives its whole text again within the limit.
inline constexpr std::size_t kMaxDocumentBytes = kMaxSourceBytes;

class TextDocument {
 public:
  TextDocument() = default;
  TextDocument(std::string text, std::int64_t version);

  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] std::int64_t version() const { return version_; }
  [[nodiscard]] std::size_t line_count() const { return line_starts_.size(); }

  [[nodiscard]] std::uint32_t offset_of(Position position, PositionEncoding encoding) const;
  [[nodiscard]] Position position_of(std::uint32_t offset, PositionEncoding encoding) const;
  // The range of the bytes [offset, end), widened to whole characters (a diagnostic one byte
  // long on a multi-byte character covers the character).
  [[nodiscard]] Range range_of(std::uint32_t offset, std::uint32_t end,
                               PositionEncoding encoding) const;

  // Replaces the whole text (full synchronisation).
  void set_text(std::string text, std::int64_t version);
  // Replaces the bytes [begin, end) with `with` (incremental synchronisation); the offsets
  // come from offset_of. False, changing nothing, when the text would grow beyond
  // kMaxDocumentBytes.
  bool replace(std::uint32_t begin, std::uint32_t end, std::string_view with);
  void set_version(std::int64_t version) { version_ = version; }

 private:
  void index_lines();
  // The end of line `line`'s text, before its line break.
  [[nodiscard]] std::uint32_t line_end(std::size_t line) const;

  // Scans text_ for line breaks at the bytes [from, to), appending the line starts after them.
  void index_breaks(std::uint32_t from, std::uint32_t to, std::vector<std::uint32_t>& starts) const;

  std::string text_;
  std::int64_t version_ = 0;
  std::vector<std::uint32_t> line_starts_{0};
  // The last position computed: position_of goes on from it along the same line, so that the
  // positions of many names on one long line, asked in order, cost one pass over it.
  struct Cursor {
    std::uint32_t line = UINT32_MAX;
    std::uint32_t offset = 0;
    std::uint32_t character = 0;
    PositionEncoding encoding = PositionEncoding::utf16;
  };
  mutable Cursor cursor_;
};

// The length of the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte).
std::uint32_t utf8_sequence_length(unsigned char lead);

}  // namespace rubric::lsp

// Property test of lsp/text_document.hpp: a document changed by random edits (line breaks of
// every kind, multi-byte characters, edits that cut characters and `\r\n` pairs) has the same
// lines, positions and offsets as a document made afresh from its text, in each encoding,
// whatever the order of the queries (position_of keeps a cursor along a line).
//
//   rubric_lsp_text_tests   (ctest lsp_text)
#include <cstdio>
#include <random>
#include <string>
#include <utility>

#include "lsp/text_document.hpp"

using rubric::lsp::Position;
using rubric::lsp::PositionEncoding;
using rubric::lsp::TextDocument;

namespace {

std::string shown(const std::string& text) {
  std::string out;
  for (const char c : text) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02x ", static_cast<unsigned char>(c));
    out += hex;
  }
  return out;
}

}  // namespace

int main() {
  std::mt19937 engine(7);
  const auto random = [&] { return static_cast<std::uint32_t>(engine()); };
  const char* pieces[] = {"a", "\r", "\n", "\r\n", "\xC3\xA9", "\xF0\x9F\x98\x80", " "};
  const auto piece = [&] { return std::string(pieces[random() % 7]); };
  const PositionEncoding encodings[] = {PositionEncoding::utf8, PositionEncoding::utf16,
                                        PositionEncoding::utf32};
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (unsigned i = random() % 20; i > 0; --i) {
      text += piece();
    }
    TextDocument document(text, 1);
    for (int edit = 0; edit < 5; ++edit) {
      const auto size = static_cast<std::uint32_t>(document.text().size());
      std::uint32_t begin = random() % (size + 1);
      std::uint32_t end = random() % (size + 1);
      if (begin > end) {
        std::swap(begin, end);
      }
      std::string with;
      for (unsigned i = random() % 4; i > 0; --i) {
        with += piece();
      }
      const std::string before = document.text();
      document.replace(begin, end, with);
      const TextDocument fresh(document.text(), 1);
      const auto fail = [&](const char* what, std::uint32_t offset) {
        std::printf("FAIL: %s at offset %u after replacing [%u, %u) of %s with %s\n", what, offset,
                    begin, end, shown(before).c_str(), shown(with).c_str());
        return 1;
      };
      if (fresh.line_count() != document.line_count()) {
        return fail("the line count", 0);
      }
      const auto last = static_cast<std::uint32_t>(document.text().size());
      for (const PositionEncoding encoding : encodings) {
        for (std::uint32_t offset = 0; offset <= last; ++offset) {
          const Position position = document.position_of(offset, encoding);
          if (!(position == fresh.position_of(offset, encoding))) {
            return fail("a position (ascending)", offset);
          }
          if (document.offset_of(position, encoding) != fresh.offset_of(position, encoding)) {
            return fail("an offset", offset);
          }
        }
        for (std::uint32_t offset = last + 1; offset-- > 0;) {
          if (!(document.position_of(offset, encoding) == fresh.position_of(offset, encoding))) {
            return fail("a position (descending)", offset);
          }
        }
      }
    }
  }
  std::printf("text documents: ok\n");
  return 0;
}

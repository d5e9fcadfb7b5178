// Where something was written: a file id plus a byte offset and length. The lowest layer's
// only knowledge of source texts; the texts themselves, lines and columns live in
// dsl/source.hpp (SourceManager). A range is a plain value, valid only with the
// SourceManager that issued its file id.
#pragma once

#include <algorithm>
#include <cstdint>

namespace rubric {

struct FileId {
  std::uint32_t value = 0;
  friend bool operator==(FileId, FileId) = default;
};

struct SourceRange {
  FileId file;
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  [[nodiscard]] std::uint32_t end() const { return offset + length; }
  // The smallest range covering both (same file).
  [[nodiscard]] SourceRange to(SourceRange last) const {
    const std::uint32_t begin = std::min(offset, last.offset);
    const std::uint32_t finish = std::max(end(), last.end());
    return SourceRange{file, begin, finish - begin};
  }
};

}  // namespace rubric

// NDJSON fact sets: one JSON object a line, each in the fact-file format (a mapping from fact
// name to value), read with simdjson for `rubric batch` and `rubric bench`.
//
//   {"fracture_grade": 1, "pain_vas": 6.5, "time_since_identification": "10 weeks"}
//   {"fracture_grade": 1, "neurologic_deficit": true, "age": null}
//
// A line is checked exactly as a JSON fact file is (tools/fact_file.hpp): the same codes and
// the same messages, from the same functions (read_fact_value and the report_* checks), so a
// line is accepted if and only if the same text in a `.json` fact file would be. The only
// difference is the wording of JSON syntax errors, which come from simdjson
// ("invalid JSON: ..."). Blank lines are the caller's business (`rubric batch` skips them).
//
// Contract: an NdjsonFactReader is bound to one guideline's declared facts, which must
// outlive it. It keeps a simdjson parser and working memory, so it is not thread-safe: use
// one per thread. Lines that are one flat object of printable ASCII with plain keys and
// scalar values (nearly all lines programs write) are read in one pass without simdjson,
// with the same result; every other line, and every line with a problem, goes through
// simdjson and the checks above. It never throws; every problem is a Diagnostic (E0401..E0409)
// whose range is a byte offset into the line (file id 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "dsl/diagnostic.hpp"
#include "values/fact_set.hpp"

namespace rubric {

// Bytes past the end of a line that must be readable (their content does not matter) when
// it is passed to NdjsonFactReader::read: simdjson reads ahead in blocks.
inline constexpr std::size_t kNdjsonPadding = 64;

// The UTF-8 byte order mark (U+FEFF), skipped at the start of an input's first line.
inline constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

class NdjsonFactReader {
 public:
  // `simple_line_path` enables the one-pass reading of simple lines (see read); turning it
  // off sends every line through simdjson, which the tests use to compare the two.
  explicit NdjsonFactReader(std::span<const FactSpec> facts, bool simple_line_path = true);
  ~NdjsonFactReader();
  NdjsonFactReader(const NdjsonFactReader&) = delete;
  NdjsonFactReader& operator=(const NdjsonFactReader&) = delete;
  NdjsonFactReader(NdjsonFactReader&&) noexcept;
  NdjsonFactReader& operator=(NdjsonFactReader&&) noexcept;

  // Reads one line (without its line break; a trailing carriage return is allowed) into
  // `facts`, which is cleared first and must have one value per declared fact. The
  // kNdjsonPadding bytes after `line` must be readable. A UTF-8 byte order mark (U+FEFF)
  // is skipped at the start of the file's first line (`first_line`; ranges then count from
  // after it) and is an error at the start of any other. At most
  // DiagnosticCap::kShownPerCode diagnostics of each code are reported for a line. Returns
  // false, with at least one error in `diagnostics`, when the line is rejected; `facts` is
  // then unspecified.
  bool read(std::string_view line, FactSet& facts, Diagnostics& diagnostics,
            bool first_line = false);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace rubric

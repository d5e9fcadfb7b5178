// The words every message uses, whichever layer writes it: user text in backticks, user text
// made printable, and the "did you mean" suggestion. In the values layer so that the
// fact-value reader (values/fact_value_reader.hpp) and the diagnostics of dsl/ share them.
//
// Contract: pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rubric {

// Wraps user text in backticks for a message.
std::string in_backticks(std::string_view text);

// User text for a message: control characters escaped (`\n`, `\x01`), texts over 60 bytes
// cut at a code point and ended with "...".
std::string shown(std::string_view text);

// The closest candidate to `name` by edit distance, when close enough to be a plausible
// misspelling; empty otherwise.
std::string closest_name(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace rubric

// The words of fact-value messages (docs/diagnostics.md, E04xx), shared by the fact-file
// readers (tools/fact_file.cpp) and the embedding API (api/rubric.cpp), so that a value is
// described and rejected in the same terms whichever way it arrives.
//
// Contract: pure functions of their arguments; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "values/decimal_text.hpp"
#include "values/fact_set.hpp"
#include "values/units.hpp"

namespace rubric {

// User text for a message: control characters escaped (`\n`, `\x01`), texts over 60 bytes
// cut at a code point and ended with "...".
std::string shown(std::string_view text);

// `true` or `false` in one of YAML's three spellings (`true`, `True`, `TRUE`).
bool is_boolean_text(std::string_view text);

// An example value of a quantity of this dimension: "10 weeks", "5 mg", "5 %".
std::string example_quantity(const Dimension& dimension);

// What a unit measures: "a duration", "a quantity of mass", "a dimensionless quantity".
std::string dimension_phrase(const Dimension& dimension);

// What the fact accepts, with an example for quantities: "a decimal from 0 to 10", "a
// duration of at least 0 days, such as `10 weeks`".
std::string expected_with_example(const FactSpec& fact);

// The end of a message about a number that could not be read: ", which is too large",
// "; write the number without an exponent", or "".
std::string number_detail(NumberProblem problem, std::string_view text);

}  // namespace rubric

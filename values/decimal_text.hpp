// Reading a decimal number written as plain text in a fact (`12`, `-0.5`, `+3.`, `.5`,
// `007`), telling apart why a text is not one: shared by fact files (tools/) and the embedding
// API (api/), which must give the same answers and messages.
#pragma once

#include <string_view>

#include "values/decimal.hpp"

namespace rubric {

enum class NumberProblem { none, malformed, too_precise, too_large };

struct ParsedNumber {
  Decimal value;
  NumberProblem problem = NumberProblem::none;
};

// Parses an exponent-free decimal number exactly: optional sign, digits with at most one
// point, leading and trailing zeros ignored. `too_precise` when more than
// Decimal::kFractionDigits significant fraction digits remain, `too_large` when the whole
// part does not fit.
ParsedNumber parse_number(std::string_view text);

}  // namespace rubric

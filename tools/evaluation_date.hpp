// The evaluation date a front end is given (`--as-of`, Python's `as_of=`): what `Today()`
// reads when a fact set is evaluated.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "values/date_time.hpp"

namespace rubric {

// The date written `YYYY-MM-DD`, or today's date in UTC for an empty text. Otherwise nullopt,
// with `error` set to what is wrong, the hint after a semicolon ("`2026-06` is not a full
// date; the evaluation date is written `YYYY-MM-DD`, such as `2026-06-15`").
std::optional<DateTime> parse_evaluation_date(std::string_view text, std::string& error);

}  // namespace rubric

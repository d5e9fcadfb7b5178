#include "values/decimal_text.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace rubric {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

ParsedNumber parse_number(std::string_view text) {
  std::string_view rest = text;
  std::string canonical;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    if (rest.front() == '-') {
      canonical += '-';
    }
    rest.remove_prefix(1);
  }
  const std::size_t point = rest.find('.');
  std::string_view whole = rest.substr(0, point);
  std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : rest.substr(point + 1);
  const auto all_digits = [](std::string_view digits) {
    return std::all_of(digits.begin(), digits.end(), is_digit);
  };
  if ((whole.empty() && fraction.empty()) || !all_digits(whole) || !all_digits(fraction)) {
    return {Decimal(), NumberProblem::malformed};
  }
  while (whole.size() > 1 && whole.front() == '0') {
    whole.remove_prefix(1);
  }
  while (!fraction.empty() && fraction.back() == '0') {
    fraction.remove_suffix(1);
  }
  if (fraction.size() > static_cast<std::size_t>(Decimal::kFractionDigits)) {
    return {Decimal(), NumberProblem::too_precise};
  }
  if (whole.size() > static_cast<std::size_t>(Decimal::kTotalDigits - Decimal::kFractionDigits)) {
    return {Decimal(), NumberProblem::too_large};
  }
  canonical += whole.empty() ? std::string_view("0") : whole;
  if (!fraction.empty()) {
    canonical += '.';
    canonical += fraction;
  }
  const std::optional<Decimal> value = Decimal::parse(canonical);
  if (!value) {
    return {Decimal(), NumberProblem::too_large};
  }
  return {*value, NumberProblem::none};
}

}  // namespace rubric

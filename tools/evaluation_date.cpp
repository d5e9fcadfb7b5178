#include "tools/evaluation_date.hpp"

#include <fmt/format.h>

#include <chrono>

namespace rubric {

std::optional<DateTime> parse_evaluation_date(std::string_view text, std::string& error) {
  if (text.empty()) {
    const std::chrono::year_month_day today{
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    return DateTime::make(
        TemporalKind::date, TemporalPrecision::day,
        TemporalFields{static_cast<int>(today.year()),
                       static_cast<int>(static_cast<unsigned>(today.month())),
                       static_cast<int>(static_cast<unsigned>(today.day())), 0, 0, 0, 0});
  }
  const DateTimeReading reading = DateTime::parse(text);
  if (!reading.accepted()) {
    error = fmt::format("{}; the evaluation date is written `YYYY-MM-DD`", reading.message);
    return std::nullopt;
  }
  if (!reading.value->is_full_date()) {
    error = fmt::format(
        "`{}` is not a full date; the evaluation date is written `YYYY-MM-DD`, such as "
        "`2026-06-15`",
        text);
    return std::nullopt;
  }
  return reading.value;
}

}  // namespace rubric

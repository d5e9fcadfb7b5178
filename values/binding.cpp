#include "values/binding.hpp"

#include <fmt/format.h>

#include <cctype>

namespace rubric {
namespace {

// "a", "a or b", "a, b or c".
std::string spoken(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    out += i == 0 ? "" : i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

const char* unit_word(CalendarUnit unit, std::int64_t amount) {
  const bool one = amount == 1;
  switch (unit) {
    case CalendarUnit::year: return one ? "year" : "years";
    case CalendarUnit::month: return one ? "month" : "months";
    case CalendarUnit::week: return one ? "week" : "weeks";
    case CalendarUnit::day: return one ? "day" : "days";
    case CalendarUnit::hour: return one ? "hour" : "hours";
    case CalendarUnit::minute: return one ? "minute" : "minutes";
    case CalendarUnit::second: return one ? "second" : "seconds";
    case CalendarUnit::millisecond: return one ? "millisecond" : "milliseconds";
  }
  return "days";
}

}  // namespace

BindingParts describe(const FactBinding& binding) {
  BindingParts parts;
  parts.source =
      fmt::format("from {}{}", binding.choice == BindingChoice::most_recent ? "most recent " : "",
                  binding.resource_type);
  if (!binding.codes.empty()) {
    // A code is labelled as written; a value set by its name and its codes, so that a change
    // of a value set's codes shows.
    const bool single =
        binding.codes.size() == 1 && binding.codes_label.find('\'') != std::string::npos;
    if (single) {
      parts.codes = "coded " + binding.codes_label;
    } else {
      std::vector<std::string> codes;
      for (const Coding& coding : binding.codes) {
        codes.push_back(coding.system + "|" + coding.code);
      }
      parts.codes = fmt::format("coded {} {{{}}}", binding.codes_label, fmt::join(codes, ", "));
    }
  }
  for (std::size_t i = 0; i < binding.filters.size(); ++i) {
    const StatusFilter& filter = binding.filters[i];
    parts.filters += fmt::format("{}{} is {}{}", i == 0 ? "where " : " and ", filter.element,
                                 filter.negated ? "not " : "", spoken(filter.codes));
  }
  if (binding.window) {
    parts.window = fmt::format("within {} {}", binding.window->amount,
                               unit_word(binding.window->unit, binding.window->amount));
  }
  std::vector<std::string> elements;
  for (const std::string& element : binding.elements) {
    elements.push_back(element.starts_with("valueQuantity") && !binding.unit.empty()
                           ? fmt::format("{} in '{}'", element, binding.unit)
                           : element);
  }
  switch (binding.value) {
    case BindingValue::element:
      parts.value = "value " + spoken(elements);
      if (!binding.value_systems.empty()) {
        // Which codings may be read is part of the reading: a new code system changes it.
        parts.value += fmt::format(" (a coding of {})", spoken(binding.value_systems));
      }
      break;
    case BindingValue::years_since: parts.value = "value years since " + spoken(elements); break;
    case BindingValue::days_since: parts.value = "value days since " + spoken(elements); break;
    case BindingValue::presence: parts.value = "value presence"; break;
    case BindingValue::exists:
      parts.value = binding.absent_is_false ? "value exists, otherwise false" : "value exists";
      break;
    case BindingValue::count: parts.value = "value count"; break;
  }
  return parts;
}

bool is_absolute_uri(std::string_view uri) {
  const std::size_t colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == uri.size() ||
      (std::isalpha(static_cast<unsigned char>(uri[0])) == 0)) {
    return false;
  }
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = uri[i];
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  for (const char c : uri) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F) {
      return false;
    }
  }
  return true;
}

std::string coding_text(const Coding& coding) {
  return coding.system + "|" + coding.code;
}

std::optional<Coding> parse_coding_text(std::string_view text) {
  const std::size_t bar = text.find('|');
  if (bar == std::string_view::npos || bar + 1 == text.size()) {
    return std::nullopt;
  }
  const std::string_view system = text.substr(0, bar);
  if (!is_absolute_uri(system)) {
    return std::nullopt;
  }
  return Coding{std::string(system), std::string(text.substr(bar + 1))};
}

}  // namespace rubric

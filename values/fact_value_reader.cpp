// Diagnostic codes of fact values (docs/diagnostics.md):
//   E0401  a control character in the value (also when written as an escape: `\u0000`)
//   E0406  a value of the wrong type: a word or a boolean for a number, a number for a
//          boolean, `1.5` for an integer, a number with an exponent, NaN or infinity, a
//          quantity that is not `<number> <unit>`
//   E0407  a duration (or other quantity) without a unit: `10` for `10 weeks`
//   E0408  a quantity whose unit is unknown, of another dimension (`5 mg` for a duration), or
//          not among the units the fact accepts (`3 %` for a fact in `mg/g`)
//   E0409  a value outside the fact's limits or allowed codes, or too large (or too precise,
//          or too long) to be represented
#include "values/fact_value_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "values/ascii_text.hpp"
#include "values/binding.hpp"
#include "values/decimal_text.hpp"
#include "values/message_text.hpp"

namespace rubric {
namespace {

using ascii::equal_ignoring_case;
using ascii::is_digit;
using ascii::trim;

// A number by the YAML 1.2 core schema: `12`, `-3.5`, `1e3`, `0x1F`, `0o17`, `.inf`, `.nan`.
bool is_yaml_number(std::string_view text) {
  if (text == ".nan" || text == ".NaN" || text == ".NAN") {
    return true;
  }
  const auto all_of = [](std::string_view digits, auto predicate) {
    return !digits.empty() && std::all_of(digits.begin(), digits.end(), predicate);
  };
  if (text.starts_with("0x")) {
    return all_of(text.substr(2), [](char c) {
      return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
  }
  if (text.starts_with("0o")) {
    return all_of(text.substr(2), [](char c) { return c >= '0' && c <= '7'; });
  }
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    text.remove_prefix(1);
  }
  if (text == ".inf" || text == ".Inf" || text == ".INF") {
    return true;
  }
  const std::size_t exponent = text.find_first_of("eE");
  if (exponent != std::string_view::npos) {
    std::string_view power = text.substr(exponent + 1);
    if (!power.empty() && (power.front() == '-' || power.front() == '+')) {
      power.remove_prefix(1);
    }
    if (!all_of(power, is_digit)) {
      return false;
    }
    text = text.substr(0, exponent);
  }
  const std::size_t point = text.find('.');
  if (point == std::string_view::npos) {
    return all_of(text, is_digit);
  }
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = text.substr(point + 1);
  if (whole.empty()) {
    return all_of(fraction, is_digit);
  }
  return all_of(whole, is_digit) && (fraction.empty() || all_of(fraction, is_digit));
}

// A word that other YAML readers take for a boolean (YAML 1.1 and the core schema's
// capitalised forms: `True`, `YES`, `on`, `n`): the `true` or `false` it means, or empty.
std::string_view boolean_meant(std::string_view text) {
  for (const std::string_view word : {"true", "yes", "on", "y"}) {
    if (equal_ignoring_case(text, word)) {
      return "true";
    }
  }
  for (const std::string_view word : {"false", "no", "off", "n"}) {
    if (equal_ignoring_case(text, word)) {
      return "false";
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------
// Words

// An example value of a quantity of this dimension: "10 weeks", "5 mg", "5 %".
std::string example_quantity(const Dimension& dimension) {
  if (dimension == Dimension::time()) {
    return "10 weeks";
  }
  if (dimension == Dimension::mass()) {
    return "5 mg";
  }
  if (dimension == Dimension::length()) {
    return "5 cm";
  }
  if (dimension == Dimension::volume()) {
    return "5 mL";
  }
  if (dimension == Dimension::international_unit()) {
    return "800 [iU]";
  }
  if (dimension.is_dimensionless()) {
    return "5 %";
  }
  return "5 " + dimension.name();
}

// What a unit measures: "a duration", "a quantity of mass", "a dimensionless quantity".
std::string dimension_phrase(const Dimension& dimension) {
  if (dimension == Dimension::time()) {
    return "a duration";
  }
  if (dimension.is_dimensionless()) {
    return "a dimensionless quantity";
  }
  return "a quantity of " + dimension.name();
}

}  // namespace

std::string expected_with_example(const FactSpec& fact) {
  std::string text = fact.expected();
  if (fact.type.kind == TypeKind::quantity) {
    text += ", such as " + in_backticks(fact.unit.empty() ? example_quantity(fact.type.dimension)
                                                          : "5 " + fact.unit);
  }
  if (fact.type.kind == TypeKind::date) {
    text += " written `YYYY-MM-DD`, such as `2026-06-15`";
  }
  if (fact.type.kind == TypeKind::date_time) {
    text += " written in ISO 8601, such as `2026-06-15T10:30:00Z`";
  }
  if (fact.type.coding) {
    text += " written `SYSTEM|CODE`, such as `http://snomed.info/sct|44054006`";
  }
  return text;
}

namespace {

// The end of a message about a number that could not be read: ", which is too large",
// "; write the number without an exponent", or "".
std::string_view number_detail(NumberProblem problem, std::string_view text) {
  switch (problem) {
    case NumberProblem::too_large: return ", which is too large";
    case NumberProblem::too_precise: return ", which has more than 8 digits after the point";
    case NumberProblem::malformed:
      // An exponent, but not a hexadecimal digit `e` (`0x1e`).
      if (text.find_first_of("eE") != std::string_view::npos &&
          text.find_first_of("xX") == std::string_view::npos) {
        return "; write the number without an exponent";
      }
      return "";
    case NumberProblem::none: break;
  }
  return "";
}

bool is_numeric_fact(const FactSpec& fact) {
  return fact.type.kind == TypeKind::integer || fact.type.kind == TypeKind::decimal;
}

// The scalar as the reader wrote it; quoted when the quotes matter (a string given for a
// number or a boolean).
std::string found_text(const FactSpec& fact, const WrittenScalar& scalar) {
  const bool show_quotes = scalar.quoted && scalar.kind == ScalarKind::string &&
                           (is_numeric_fact(fact) || fact.type.kind == TypeKind::boolean);
  if (show_quotes) {
    return in_backticks("\"" + shown(scalar.text) + "\"");
  }
  return in_backticks(shown(scalar.text));
}

FactValueReading problem(DiagnosticKind kind, std::string message) {
  FactValueReading reading;
  reading.problem = kind;
  reading.message = std::move(message);
  return reading;
}

// "fact `pain_vas` must be a decimal from 0 to 10; found `12`". An example value is shown
// when the value is not of the fact's type (`must be a duration ..., such as `10 weeks``).
FactValueReading wrong_value(DiagnosticKind kind, const FactSpec& fact, const WrittenScalar& scalar,
                             std::string_view detail, bool with_example = true) {
  return problem(kind, fmt::format("fact {} must be {}; found {}{}", in_backticks(fact.name),
                                   with_example ? expected_with_example(fact) : fact.expected(),
                                   found_text(fact, scalar), detail));
}

// A value of the fact's type outside its limits or codes, or too large to represent.
FactValueReading out_of_range(const FactSpec& fact, const WrittenScalar& scalar,
                              std::string_view detail) {
  return wrong_value(DiagnosticKind::fact_out_of_range, fact, scalar, detail, false);
}

FactValueReading wrong_type(const FactSpec& fact, const WrittenScalar& scalar,
                            std::string_view detail) {
  return wrong_value(DiagnosticKind::wrong_fact_type, fact, scalar, detail);
}

// A coding, `SYSTEM|CODE`: a string whose part before the first `|` is an absolute URI and
// whose part after it is not empty.
FactValueReading read_coding(const FactSpec& fact, const WrittenScalar& scalar) {
  if (scalar.kind != ScalarKind::string) {
    return wrong_type(fact, scalar, "");
  }
  const std::string_view text = scalar.text;
  const std::size_t bar = text.find('|');
  if (bar == std::string_view::npos) {
    return wrong_type(fact, scalar, ", which has no `|`");
  }
  if (bar == 0 || bar + 1 == text.size()) {
    return wrong_type(fact, scalar, bar == 0 ? ", whose system is empty" : ", whose code is empty");
  }
  if (text.size() > kMaxStringBytes) {
    return out_of_range(fact, scalar,
                        fmt::format(", which is too long ({} bytes; the limit is {})", text.size(),
                                    kMaxStringBytes));
  }
  if (!parse_coding_text(text)) {
    return wrong_type(
        fact, scalar,
        fmt::format(", whose system {} is not an absolute URI", in_backticks(text.substr(0, bar))));
  }
  FactValueReading reading;
  reading.value = Value::string(text);
  return reading;
}

// A Date (`2026-06-15`, also `2026-06` or `2026`) for a date fact; a DateTime, or a Date read
// as a DateTime of its precision, for a datetime fact. The text must be a real date.
FactValueReading read_date(const FactSpec& fact, const WrittenScalar& scalar) {
  // A year alone is a date of year precision, also written as a plain number (`1954`, which
  // YAML and JSON read as a number); any other number is not a date.
  const std::string_view text = trim(scalar.text);
  const bool year = text.size() == 4 && std::all_of(text.begin(), text.end(),
                                                    [](char c) { return c >= '0' && c <= '9'; });
  if (scalar.kind != ScalarKind::string && !(scalar.kind == ScalarKind::number && year)) {
    return wrong_type(fact, scalar, "");
  }
  const DateTimeReading date = DateTime::parse(trim(scalar.text));
  if (!date.accepted()) {
    const std::size_t colon = date.message.find(": ");
    return wrong_type(
        fact, scalar,
        colon == std::string::npos ? std::string() : "; " + date.message.substr(colon + 2));
  }
  FactValueReading reading;
  if (fact.type.kind == TypeKind::date) {
    if (!date.value->is_date()) {
      return wrong_type(fact, scalar, "; a date has no time of day");
    }
    reading.value = Value::date_time(*date.value);
    return reading;
  }
  const std::optional<DateTime> as_date_time =
      date.value->is_date()
          ? DateTime::make(TemporalKind::date_time, date.value->precision(), date.value->fields())
          : date.value;
  reading.value = Value::date_time(*as_date_time);
  return reading;
}

// A hint for a quoted string given for a number or a boolean.
std::string_view quotes_hint(const FactSpec& fact, const WrittenScalar& scalar) {
  if (!scalar.quoted || scalar.kind != ScalarKind::string) {
    return "";
  }
  if (is_numeric_fact(fact) && parse_number(trim(scalar.text)).problem == NumberProblem::none) {
    return "; write the number without quotes";
  }
  if (fact.type.kind == TypeKind::boolean && is_boolean_text(scalar.text)) {
    return "; write `true` or `false` without quotes";
  }
  return "";
}

// A hint for a word meant as a boolean: "; write `true`" for `True`, `yes` or `on`.
std::string boolean_hint(const FactSpec& fact, const WrittenScalar& scalar) {
  const std::string_view meant = boolean_meant(scalar.text);
  if (fact.type.kind != TypeKind::boolean || scalar.quoted || meant.empty()) {
    return std::string(quotes_hint(fact, scalar));
  }
  return fmt::format("; write {} (only `true` and `false`, in lowercase, are booleans)",
                     in_backticks(meant));
}

// ---------------------------------------------------------------------------------------
// Reading

FactValueReading read_quantity(const FactSpec& fact, const WrittenScalar& scalar) {
  const Dimension& dimension = fact.type.dimension;
  if (scalar.kind == ScalarKind::number ||
      (scalar.kind == ScalarKind::string &&
       parse_number(trim(scalar.text)).problem != NumberProblem::malformed)) {
    return problem(DiagnosticKind::missing_unit,
                   fmt::format("fact {} is {} and needs a unit, as in {}; found {}",
                               in_backticks(fact.name), dimension_phrase(dimension),
                               in_backticks(fact.unit.empty() ? example_quantity(dimension)
                                                              : "5 " + fact.unit),
                               in_backticks(shown(scalar.text))));
  }
  if (scalar.kind != ScalarKind::string) {
    return wrong_type(fact, scalar, "");
  }
  const std::string_view text = trim(scalar.text);
  const std::size_t space = text.find_first_of(" \t");
  if (space == std::string_view::npos) {
    // `10weeks`: a number glued to a unit.
    const std::size_t unit_start = text.find_first_not_of("+-0123456789.");
    const bool glued = unit_start != std::string_view::npos && unit_start > 0 &&
                       parse_number(text.substr(0, unit_start)).problem == NumberProblem::none;
    return wrong_type(fact, scalar, glued ? "; put a space between the number and the unit" : "");
  }
  const ParsedNumber number = parse_number(text.substr(0, space));
  if (number.problem == NumberProblem::malformed) {
    return wrong_type(fact, scalar, number_detail(number.problem, text.substr(0, space)));
  }
  if (number.problem != NumberProblem::none) {
    return out_of_range(fact, scalar, number_detail(number.problem, ""));
  }
  std::string_view unit_text = trim(text.substr(space));
  if (unit_text.size() >= 2 && unit_text.front() == '\'' && unit_text.back() == '\'') {
    unit_text = unit_text.substr(1, unit_text.size() - 2);
  }
  const Unit* unit = find_unit(unit_text);
  if (unit == nullptr) {
    std::string detail =
        fmt::format(", and {} is not a known unit", in_backticks(shown(unit_text)));
    const std::string suggestion = suggest_unit(unit_text);
    if (!suggestion.empty()) {
      detail += fmt::format("; did you mean {}?", in_backticks(suggestion));
    }
    return wrong_value(DiagnosticKind::wrong_unit, fact, scalar, detail);
  }
  FactValueReading reading;
  for (const UnitConversion& conversion : fact.conversions) {
    if (same_unit(*unit, *conversion.from)) {
      const std::optional<Decimal> converted = Decimal::multiply(number.value, conversion.factor);
      if (!converted) {
        return out_of_range(fact, scalar, ", which is too large");
      }
      reading.value = Value::quantity(*converted, *conversion.to);
      return reading;
    }
  }
  if (!(unit->dimension == dimension)) {
    return wrong_value(DiagnosticKind::wrong_unit, fact, scalar,
                       fmt::format(", {}", dimension_phrase(unit->dimension)));
  }
  if (!fact.accepted_units.empty() &&
      std::none_of(fact.accepted_units.begin(), fact.accepted_units.end(),
                   [unit](const Unit* accepted) { return same_unit(*unit, *accepted); })) {
    return wrong_value(DiagnosticKind::wrong_unit, fact, scalar,
                       ", a unit this fact does not accept");
  }
  reading.value = Value::quantity(number.value, *unit);
  return reading;
}

FactValueReading read_number(const FactSpec& fact, const WrittenScalar& scalar) {
  if (scalar.kind != ScalarKind::number) {
    return wrong_type(fact, scalar, quotes_hint(fact, scalar));
  }
  const ParsedNumber number = parse_number(scalar.text);
  const bool integer = fact.type.kind == TypeKind::integer;
  if (number.problem == NumberProblem::malformed ||
      (integer && number.problem == NumberProblem::too_precise)) {
    return wrong_type(fact, scalar, number_detail(number.problem, scalar.text));
  }
  if (number.problem != NumberProblem::none) {
    return out_of_range(fact, scalar, number_detail(number.problem, scalar.text));
  }
  FactValueReading reading;
  if (!integer) {
    reading.value = Value::decimal(number.value);
    return reading;
  }
  if (!number.value.is_integer()) {
    return wrong_type(fact, scalar, ", which is not a whole number");
  }
  const std::optional<std::int32_t> whole = number.value.to_int32();
  if (!whole) {
    return out_of_range(fact, scalar, ", which is out of range");
  }
  reading.value = Value::integer(*whole);
  return reading;
}

}  // namespace

ScalarKind classify_plain_scalar(std::string_view text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return ScalarKind::null;
  }
  if (is_boolean_text(text)) {
    return ScalarKind::boolean;
  }
  if (is_yaml_number(text)) {
    return ScalarKind::number;
  }
  return ScalarKind::string;
}

bool is_boolean_text(std::string_view text) {
  return text == "true" || text == "True" || text == "TRUE" || text == "false" || text == "False" ||
         text == "FALSE";
}

std::size_t first_control_character(std::string_view text) {
  for (std::size_t index = 0; index < text.size(); ++index) {
    const auto c = static_cast<unsigned char>(text[index]);
    if ((c < 0x20U && c != '\t' && c != '\n' && c != '\r') || c == 0x7FU) {
      return index;
    }
  }
  return std::string_view::npos;
}

FactValueReading read_fact_value(const FactSpec& fact, const WrittenScalar& scalar) {
  FactValueReading reading;
  if (scalar.kind == ScalarKind::null) {
    return reading;
  }
  // A control character that came through an escape (`"\u0000"` in JSON, `"\0"` in YAML):
  // the same error as the character written as is.
  if (const std::size_t bad = first_control_character(scalar.text); bad != std::string_view::npos) {
    return problem(DiagnosticKind::invalid_fact_text,
                   fmt::format("invalid character U+{:04X} in the value of fact {}; fact "
                               "files are text",
                               static_cast<unsigned>(static_cast<unsigned char>(scalar.text[bad])),
                               in_backticks(fact.name)));
  }
  switch (fact.type.kind) {
    case TypeKind::boolean:
      if (scalar.kind != ScalarKind::boolean || (scalar.text != "true" && scalar.text != "false")) {
        return wrong_type(fact, scalar, boolean_hint(fact, scalar));
      }
      reading.value = Value::boolean(scalar.text == "true");
      break;
    case TypeKind::integer:
    case TypeKind::decimal: reading = read_number(fact, scalar); break;
    case TypeKind::quantity: reading = read_quantity(fact, scalar); break;
    case TypeKind::string:
      if (fact.type.coding) {
        reading = read_coding(fact, scalar);
        break;
      }
      if (scalar.kind != ScalarKind::string) {
        return wrong_type(fact, scalar, "; put it in quotes");
      }
      if (scalar.text.size() > kMaxStringBytes) {
        return out_of_range(fact, scalar,
                            fmt::format(", which is too long ({} bytes; the limit is {})",
                                        scalar.text.size(), kMaxStringBytes));
      }
      reading.value = Value::string(scalar.text);
      break;
    case TypeKind::code:
      if (std::find(fact.codes.begin(), fact.codes.end(), scalar.text) == fact.codes.end()) {
        return wrong_value(scalar.kind == ScalarKind::string ? DiagnosticKind::fact_out_of_range
                                                             : DiagnosticKind::wrong_fact_type,
                           fact, scalar, "");
      }
      reading.value = Value::string(scalar.text);
      break;
    case TypeKind::date:
    case TypeKind::date_time: reading = read_date(fact, scalar); break;
    case TypeKind::error:
    case TypeKind::null:
    case TypeKind::list:
      return problem(DiagnosticKind::wrong_fact_type,
                     fmt::format("fact {} cannot be given a value", in_backticks(fact.name)));
  }
  if (reading.accepted() && fact.violation(reading.value)) {
    return out_of_range(fact, scalar, "");
  }
  return reading;
}

}  // namespace rubric

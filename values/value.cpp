#include "values/value.hpp"

#include <algorithm>
#include <array>
#include <compare>
#include <cstdio>
#include <limits>
#include <optional>

#include <locale.h>
#include <wctype.h>

namespace rubric {
namespace {

bool is_number(const Value& value) {
  return value.kind() == ValueKind::integer || value.kind() == ValueKind::decimal;
}

bool both(const Value& a, const Value& b, ValueKind kind) {
  return a.kind() == kind && b.kind() == kind;
}

// Boolean or null: the operands of the logical operators.
bool is_logical(const Value& value) {
  return value.is_null() || value.kind() == ValueKind::boolean;
}

bool is_false_value(const Value& value) {
  return value.kind() == ValueKind::boolean && !value.as_boolean();
}

bool is_true_value(const Value& value) {
  return value.kind() == ValueKind::boolean && value.as_boolean();
}

Value decimal_or_null(std::optional<Decimal> result) {
  return result ? Value::decimal(*result) : Value::null();
}

Value quantity_or_null(std::optional<Decimal> result, const Unit& unit) {
  return result ? Value::quantity(*result, unit) : Value::null();
}

// The order of two values of one ordered type (numbers, quantities of one dimension,
// strings); nullopt when either is null or they are not comparable.
std::optional<std::strong_ordering> order(const Value& a, const Value& b) {
  if (both(a, b, ValueKind::integer)) {
    return a.as_integer() <=> b.as_integer();
  }
  if (is_number(a) && is_number(b)) {
    return a.as_decimal() <=> b.as_decimal();
  }
  if (both(a, b, ValueKind::quantity)) {
    if (!commensurable(a.unit(), b.unit())) {
      return std::nullopt;
    }
    return compare_quantities(a.as_decimal(), a.unit(), b.as_decimal(), b.unit());
  }
  if (both(a, b, ValueKind::string)) {
    return a.as_string().compare(b.as_string()) <=> 0;
  }
  if (both(a, b, ValueKind::date_time)) {
    return compare(a.as_date_time(), b.as_date_time(), kEvaluationOffsetMinutes);
  }
  return std::nullopt;
}

// One code point of UTF-8 text at `index` (advanced past it); a byte that does not start a
// well-formed sequence stands for itself, so invalid text still compares byte for byte.
char32_t next_code_point(std::string_view text, std::size_t& index) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char first = byte(index);
  std::size_t length = 0;
  char32_t point = 0;
  if (first < 0x80) {
    ++index;
    return first;
  }
  if ((first & 0xE0) == 0xC0) {
    length = 2;
    point = first & 0x1F;
  } else if ((first & 0xF0) == 0xE0) {
    length = 3;
    point = first & 0x0F;
  } else if ((first & 0xF8) == 0xF0) {
    length = 4;
    point = first & 0x07;
  }
  if (length == 0 || index + length > text.size()) {
    ++index;
    return 0x110000 + first;  // outside Unicode: never equal to a decoded code point
  }
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(index + k) & 0xC0) != 0x80) {
      ++index;
      return 0x110000 + first;
    }
    point = (point << 6) | (byte(index + k) & 0x3F);
  }
  index += length;
  return point;
}

// The code point CQL equivalence compares: lower case (Unicode simple case mapping, from the
// C library's UTF-8 locale), every whitespace character as a space.
char32_t fold_for_equivalence(char32_t point) {
  if (point == '\t' || point == '\n' || point == '\r' || point == '\f') {
    return ' ';
  }
  if (point < 0x80) {
    return point >= 'A' && point <= 'Z' ? point - 'A' + 'a' : point;
  }
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  if (utf8 == static_cast<locale_t>(nullptr) || point > 0x10FFFF) {
    return point;
  }
  return static_cast<char32_t>(towlower_l(static_cast<wint_t>(point), utf8));
}

// CQL string equivalence: letters ignore case (any script), whitespace characters are
// interchangeable.
bool strings_equivalent(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (fold_for_equivalence(next_code_point(a, i)) !=
        fold_for_equivalence(next_code_point(b, j))) {
      return false;
    }
  }
  return i == a.size() && j == b.size();
}

using DecimalOperation = std::optional<Decimal> (*)(Decimal, Decimal);

// a op b for two quantities of one dimension, in the finer of their units.
Value combine_quantities(const Value& a, const Value& b, DecimalOperation operation) {
  if (!commensurable(a.unit(), b.unit())) {
    return Value::null();
  }
  const Unit& target = finer_unit(a.unit(), b.unit());
  const std::optional<Decimal> left = convert(a.as_decimal(), a.unit(), target);
  const std::optional<Decimal> right = convert(b.as_decimal(), b.unit(), target);
  if (!left || !right) {
    return Value::null();
  }
  return quantity_or_null(operation(*left, *right), target);
}

// An operation on two integers; nullopt when it has no Integer result (32-bit overflow,
// division by zero).
using IntegerOperation = std::optional<std::int32_t> (*)(std::int32_t, std::int32_t);

// a op b for two numbers: on two integers with `on_integers` (null when it has no result),
// otherwise on decimals with `on_decimals`; nullopt when either operand is not a number.
std::optional<Value> numeric(const Value& a, const Value& b, IntegerOperation on_integers,
                             DecimalOperation on_decimals) {
  if (both(a, b, ValueKind::integer)) {
    const std::optional<std::int32_t> result = on_integers(a.as_integer(), b.as_integer());
    return result ? Value::integer(*result) : Value::null();
  }
  if (is_number(a) && is_number(b)) {
    return decimal_or_null(on_decimals(a.as_decimal(), b.as_decimal()));
  }
  return std::nullopt;
}

std::optional<std::int32_t> integer_sum(std::int32_t a, std::int32_t b) {
  std::int32_t result = 0;
  return __builtin_add_overflow(a, b, &result) ? std::nullopt : std::optional(result);
}

std::optional<std::int32_t> integer_difference(std::int32_t a, std::int32_t b) {
  std::int32_t result = 0;
  return __builtin_sub_overflow(a, b, &result) ? std::nullopt : std::optional(result);
}

std::optional<std::int32_t> integer_product(std::int32_t a, std::int32_t b) {
  std::int32_t result = 0;
  return __builtin_mul_overflow(a, b, &result) ? std::nullopt : std::optional(result);
}

// Truncated toward zero; INT32_MIN div -1 overflows.
std::optional<std::int32_t> integer_quotient(std::int32_t dividend, std::int32_t divisor) {
  if (divisor == 0 || (divisor == -1 && dividend == std::numeric_limits<std::int32_t>::min())) {
    return std::nullopt;
  }
  return divisor == -1 ? -dividend : dividend / divisor;
}

// The remainder of the truncated division: the sign of the dividend.
std::optional<std::int32_t> integer_remainder(std::int32_t dividend, std::int32_t divisor) {
  if (divisor == 0) {
    return std::nullopt;
  }
  return divisor == -1 ? 0 : dividend % divisor;
}

// Quantity * number, number * quantity (when `commutative`) and quantity / number.
Value scale_quantity(const Value& a, const Value& b, DecimalOperation operation, bool commutative) {
  if (a.kind() == ValueKind::quantity && is_number(b)) {
    return quantity_or_null(operation(a.as_decimal(), b.as_decimal()), a.unit());
  }
  if (commutative && is_number(a) && b.kind() == ValueKind::quantity) {
    return quantity_or_null(operation(a.as_decimal(), b.as_decimal()), b.unit());
  }
  return Value::null();
}

std::string quote(std::string_view text) {
  std::string quoted = "'";
  for (const char character : text) {
    switch (character) {
      case '\'': quoted += "\\'"; break;
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\n': quoted += "\\n"; break;
      case '\t': quoted += "\\t"; break;
      case '\r': quoted += "\\r"; break;
      case '\f': quoted += "\\f"; break;
      default: {
        const auto code = static_cast<unsigned char>(character);
        if (code < 0x20 || code == 0x7f) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04X", static_cast<unsigned>(code));
          quoted += escape;
        } else {
          quoted += character;
        }
      }
    }
  }
  quoted += '\'';
  return quoted;
}

}  // namespace

Value Value::boolean(bool value) {
  Value result;
  result.kind_ = ValueKind::boolean;
  result.boolean_ = value;
  return result;
}

Value Value::integer(std::int32_t value) {
  Value result;
  result.kind_ = ValueKind::integer;
  result.integer_ = value;
  return result;
}

Value Value::decimal(Decimal value) {
  Value result;
  result.kind_ = ValueKind::decimal;
  result.decimal_ = value;
  return result;
}

Value Value::string(std::string_view value) {
  Value result;
  result.kind_ = ValueKind::string;
  result.string_ = Characters{value.data(), value.size()};
  return result;
}

Value Value::date_time(const DateTime& value) {
  Value result;
  result.kind_ = ValueKind::date_time;
  result.date_time_ = std::bit_cast<std::array<std::byte, sizeof(DateTime)>>(value);
  return result;
}

Value Value::quantity(Decimal value, const Unit& unit) {
  Value result;
  result.kind_ = ValueKind::quantity;
  result.decimal_ = value;
  result.unit_ = &unit;
  return result;
}

Decimal Value::integer_as_decimal() const {
  return *Decimal::from_integer(integer_);
}

bool identical(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) {
    return false;
  }
  switch (a.kind_) {
    case ValueKind::null: return true;
    case ValueKind::boolean: return a.boolean_ == b.boolean_;
    case ValueKind::integer: return a.integer_ == b.integer_;
    case ValueKind::decimal: return a.decimal_ == b.decimal_;
    case ValueKind::string: return a.as_string() == b.as_string();
    case ValueKind::quantity:
      return a.decimal_ == b.decimal_ && (a.unit_ == b.unit_ || a.unit_->code == b.unit_->code);
    case ValueKind::date_time: return a.as_date_time() == b.as_date_time();
  }
  return false;
}

Value logical_and(const Value& a, const Value& b) {
  if (!is_logical(a) || !is_logical(b)) {
    return Value::null();
  }
  if (is_false_value(a) || is_false_value(b)) {
    return Value::boolean(false);
  }
  if (a.is_null() || b.is_null()) {
    return Value::null();
  }
  return Value::boolean(true);
}

Value logical_or(const Value& a, const Value& b) {
  if (!is_logical(a) || !is_logical(b)) {
    return Value::null();
  }
  if (is_true_value(a) || is_true_value(b)) {
    return Value::boolean(true);
  }
  if (a.is_null() || b.is_null()) {
    return Value::null();
  }
  return Value::boolean(false);
}

Value logical_xor(const Value& a, const Value& b) {
  if (!both(a, b, ValueKind::boolean)) {
    return Value::null();
  }
  return Value::boolean(a.as_boolean() != b.as_boolean());
}

Value logical_implies(const Value& a, const Value& b) {
  return logical_or(logical_not(a), is_logical(a) ? b : Value::null());
}

Value logical_not(const Value& a) {
  if (a.kind() != ValueKind::boolean) {
    return Value::null();
  }
  return Value::boolean(!a.as_boolean());
}

Value is_null(const Value& a) {
  return Value::boolean(a.is_null());
}
Value is_true(const Value& a) {
  return Value::boolean(is_true_value(a));
}
Value is_false(const Value& a) {
  return Value::boolean(is_false_value(a));
}

Value equal(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) {
    return Value::null();
  }
  if (both(a, b, ValueKind::boolean)) {
    return Value::boolean(a.as_boolean() == b.as_boolean());
  }
  const std::optional<std::strong_ordering> result = order(a, b);
  if (!result) {
    return Value::null();
  }
  return Value::boolean(*result == 0);
}

Value not_equal(const Value& a, const Value& b) {
  return logical_not(equal(a, b));
}

// CQL decimal equivalence: both values rounded (half away from zero) to the precision of the
// less precise one.
static bool decimals_equivalent(Decimal a, Decimal b) {
  const int digits = std::min(a.precision(), b.precision());
  return a.rounded(digits) == b.rounded(digits);
}

Value equivalent(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) {
    return Value::boolean(a.is_null() && b.is_null());
  }
  if (both(a, b, ValueKind::boolean)) {
    return Value::boolean(a.as_boolean() == b.as_boolean());
  }
  if (both(a, b, ValueKind::string)) {
    return Value::boolean(strings_equivalent(a.as_string(), b.as_string()));
  }
  if (both(a, b, ValueKind::date_time)) {
    return Value::boolean(
        rubric::equivalent(a.as_date_time(), b.as_date_time(), kEvaluationOffsetMinutes));
  }
  if (is_number(a) && is_number(b) &&
      (a.kind() == ValueKind::decimal || b.kind() == ValueKind::decimal)) {
    return Value::boolean(decimals_equivalent(a.as_decimal(), b.as_decimal()));
  }
  if (both(a, b, ValueKind::quantity)) {
    // Quantities of one dimension: decimal equivalence in the finer of the two units.
    if (!commensurable(a.unit(), b.unit())) {
      return Value::boolean(false);
    }
    const Unit& target = finer_unit(a.unit(), b.unit());
    const std::optional<Decimal> left = convert(a.as_decimal(), a.unit(), target);
    const std::optional<Decimal> right = convert(b.as_decimal(), b.unit(), target);
    return Value::boolean(left && right && decimals_equivalent(*left, *right));
  }
  const std::optional<std::strong_ordering> result = order(a, b);
  return Value::boolean(result && *result == 0);
}

Value not_equivalent(const Value& a, const Value& b) {
  return logical_not(equivalent(a, b));
}

Value less(const Value& a, const Value& b) {
  const std::optional<std::strong_ordering> result = order(a, b);
  return result ? Value::boolean(*result < 0) : Value::null();
}

Value less_or_equal(const Value& a, const Value& b) {
  const std::optional<std::strong_ordering> result = order(a, b);
  return result ? Value::boolean(*result <= 0) : Value::null();
}

Value greater(const Value& a, const Value& b) {
  const std::optional<std::strong_ordering> result = order(a, b);
  return result ? Value::boolean(*result > 0) : Value::null();
}

Value greater_or_equal(const Value& a, const Value& b) {
  const std::optional<std::strong_ordering> result = order(a, b);
  return result ? Value::boolean(*result >= 0) : Value::null();
}

std::optional<CalendarDuration> calendar_duration(const Value& duration) {
  if (duration.kind() != ValueKind::quantity) {
    return std::nullopt;
  }
  const Unit& unit = duration.unit();
  if (!(unit.dimension == Dimension::time())) {
    return std::nullopt;
  }
  // The calendar unit each fixed-length code stands for; `a` and `mo` are absent on purpose.
  struct Spelling {
    std::string_view word;
    std::string_view code;
    CalendarUnit unit;
  };
  static constexpr std::array<Spelling, 8> kUnits = {{
      {"years", "", CalendarUnit::year},
      {"months", "", CalendarUnit::month},
      {"weeks", "wk", CalendarUnit::week},
      {"days", "d", CalendarUnit::day},
      {"hours", "h", CalendarUnit::hour},
      {"minutes", "min", CalendarUnit::minute},
      {"seconds", "s", CalendarUnit::second},
      {"milliseconds", "ms", CalendarUnit::millisecond},
  }};
  const auto found = std::find_if(kUnits.begin(), kUnits.end(), [&](const Spelling& spelling) {
    return unit.is_calendar_word ? unit.code == spelling.word
                                 : !spelling.code.empty() && unit.code == spelling.code;
  });
  if (found == kUnits.end()) {
    return std::nullopt;
  }
  Decimal amount = duration.as_decimal();
  CalendarUnit calendar_unit = found->unit;
  if (calendar_unit == CalendarUnit::second && !amount.is_integer()) {
    const std::optional<Decimal> milliseconds =
        Decimal::multiply(amount, *Decimal::from_integer(1000));
    if (!milliseconds) {
      return std::nullopt;
    }
    amount = *milliseconds;
    calendar_unit = CalendarUnit::millisecond;
  }
  // Whole units, the fraction dropped toward zero (raw values are in units of 10^-8).
  const Int128 whole = amount.raw() / Decimal::kOne;
  constexpr Int128 kLimit = Int128{1} << 62;
  if (whole >= kLimit || whole <= -kLimit) {
    return std::nullopt;
  }
  return CalendarDuration{static_cast<std::int64_t>(whole), calendar_unit};
}

namespace {

// Date ± duration (either order for `+`), or nullopt when the operands are not a date and a
// duration.
std::optional<Value> shift_date(const Value& a, const Value& b, bool forward) {
  const bool date_first = a.kind() == ValueKind::date_time;
  if (!date_first && !(forward && b.kind() == ValueKind::date_time)) {
    return std::nullopt;
  }
  const Value& date = date_first ? a : b;
  const Value& duration = date_first ? b : a;
  if (duration.is_null()) {
    return Value::null();
  }
  const std::optional<CalendarDuration> amount = calendar_duration(duration);
  if (!amount) {
    return Value::null();
  }
  const std::optional<DateTime> shifted = forward ? rubric::add(date.as_date_time(), *amount)
                                                  : rubric::subtract(date.as_date_time(), *amount);
  return shifted ? Value::date_time(*shifted) : Value::null();
}

}  // namespace

Value duration_between(const Value& a, const Value& b, CalendarUnit unit) {
  if (!both(a, b, ValueKind::date_time)) {
    return Value::null();
  }
  const UncertainCount count =
      rubric::duration_between(a.as_date_time(), b.as_date_time(), unit, kEvaluationOffsetMinutes);
  if (!count.exact() || count.low > std::numeric_limits<std::int32_t>::max() ||
      count.low < std::numeric_limits<std::int32_t>::min()) {
    return Value::null();
  }
  return Value::integer(static_cast<std::int32_t>(count.low));
}

Value add(const Value& a, const Value& b) {
  if (std::optional<Value> sum = numeric(a, b, integer_sum, Decimal::add)) {
    return *sum;
  }
  if (both(a, b, ValueKind::quantity)) {
    return combine_quantities(a, b, Decimal::add);
  }
  if (std::optional<Value> shifted = shift_date(a, b, true)) {
    return *shifted;
  }
  return Value::null();
}

Value subtract(const Value& a, const Value& b) {
  if (std::optional<Value> difference = numeric(a, b, integer_difference, Decimal::subtract)) {
    return *difference;
  }
  if (both(a, b, ValueKind::quantity)) {
    return combine_quantities(a, b, Decimal::subtract);
  }
  if (std::optional<Value> shifted = shift_date(a, b, false)) {
    return *shifted;
  }
  return Value::null();
}

Value multiply(const Value& a, const Value& b) {
  if (std::optional<Value> product = numeric(a, b, integer_product, Decimal::multiply)) {
    return *product;
  }
  return scale_quantity(a, b, Decimal::multiply, true);
}

Value divide(const Value& a, const Value& b) {
  if (is_number(a) && is_number(b)) {
    return decimal_or_null(Decimal::divide(a.as_decimal(), b.as_decimal()));
  }
  return scale_quantity(a, b, Decimal::divide, false);
}

Value truncated_divide(const Value& a, const Value& b) {
  return numeric(a, b, integer_quotient, Decimal::truncated_divide).value_or(Value::null());
}

Value modulo(const Value& a, const Value& b) {
  return numeric(a, b, integer_remainder, Decimal::modulo).value_or(Value::null());
}

Value negate(const Value& a) {
  switch (a.kind()) {
    case ValueKind::integer:
      if (a.as_integer() == std::numeric_limits<std::int32_t>::min()) {
        return Value::null();
      }
      return Value::integer(-a.as_integer());
    case ValueKind::decimal: return decimal_or_null(Decimal::negate(a.as_decimal()));
    case ValueKind::quantity: return quantity_or_null(Decimal::negate(a.as_decimal()), a.unit());
    case ValueKind::null:
    case ValueKind::boolean:
    case ValueKind::string:
    case ValueKind::date_time: return Value::null();
  }
  return Value::null();
}

Value to_decimal(const Value& a) {
  if (a.kind() == ValueKind::integer) {
    return Value::decimal(a.as_decimal());
  }
  return a;
}

std::string to_literal(const Value& a) {
  switch (a.kind()) {
    case ValueKind::null: return "null";
    case ValueKind::boolean: return a.as_boolean() ? "true" : "false";
    case ValueKind::integer: return std::to_string(a.as_integer());
    case ValueKind::decimal: return a.as_decimal().to_string();
    case ValueKind::string: return quote(a.as_string());
    case ValueKind::quantity: {
      const Decimal number = a.as_decimal();
      const Unit& unit = a.unit();
      if (unit.is_calendar_word) {
        const bool singular = number.raw() == Decimal::kOne;
        return number_text(number) + ' ' + (singular ? unit.singular : unit.code);
      }
      return number_text(number) + ' ' + quote(unit.code);
    }
    case ValueKind::date_time: return a.as_date_time().to_literal();
  }
  return "null";
}

std::string number_text(Decimal value) {
  std::string text = value.to_string();
  if (value.is_integer()) {
    text.resize(text.size() - 2);
  }
  return text;
}

std::string to_text(const Value& a, TextStyle style) {
  switch (a.kind()) {
    case ValueKind::null: return "null";
    case ValueKind::boolean: return a.as_boolean() ? "true" : "false";
    case ValueKind::integer: return std::to_string(a.as_integer());
    case ValueKind::decimal: return number_text(a.as_decimal());
    case ValueKind::string:
      return style == TextStyle::message ? "'" + std::string(a.as_string()) + "'"
                                         : std::string(a.as_string());
    case ValueKind::quantity: {
      const Decimal amount = a.as_decimal();
      const Unit& unit = a.unit();
      const bool one = amount == Decimal::from_integer(1) ||
                       (style == TextStyle::message && amount == Decimal::from_integer(-1));
      return number_text(amount) + ' ' +
             (unit.is_calendar_word && one && !unit.singular.empty() ? unit.singular : unit.code);
    }
    case ValueKind::date_time: return a.as_date_time().to_iso();
  }
  return "null";
}

}  // namespace rubric

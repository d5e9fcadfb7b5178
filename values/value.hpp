// Runtime values of Rubric's expression language and the CQL operators over them.
//
// Contract: a Value is a small trivially copyable object. A string Value does not own its
// characters: they belong to the compiled guideline (literals) or to the fact set (fact
// values), which must outlive the Value. Units are interned for the program's lifetime.
// All functions here are pure and thread-safe.
//
// Semantics follow HL7 CQL with Rubric's pinned choices: null propagates through
// comparisons and arithmetic; logic is three-valued (Kleene); Integer is 32-bit and
// overflow gives null; Decimal has 28 digits with 8 after the point; division by zero gives
// null; `div` truncates toward zero; `mod` takes the dividend's sign; `/` gives a Decimal.
// Operands are assumed well-typed (the checker guarantees it); an ill-typed combination
// gives null rather than undefined behaviour.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "values/date_time.hpp"
#include "values/decimal.hpp"
#include "values/units.hpp"

namespace rubric {

// The longest string, in bytes as written: a string literal of a rule file (E0107) or a
// string fact value (E0409). See docs/limits.md.
inline constexpr std::size_t kMaxStringBytes = std::size_t{64} * 1024U;

enum class ValueKind : std::uint8_t {
  null,
  boolean,
  integer,
  decimal,
  string,
  quantity,
  date_time  // keep last: kValueKindCount and the tables indexed by kind follow it
};
inline constexpr std::size_t kValueKindCount = static_cast<std::size_t>(ValueKind::date_time) + 1;

// Rubric pins the evaluation's offset from UTC to zero: a DateTime written without an offset,
// and a Date, are read in UTC when compared with a value that has one (docs/semantics.md#dates).
inline constexpr int kEvaluationOffsetMinutes = 0;

class Value {
 public:
  constexpr Value() = default;
  static constexpr Value null() { return Value(); }
  static Value boolean(bool value);
  static Value integer(std::int32_t value);
  static Value decimal(Decimal value);
  static Value string(std::string_view value);
  static Value quantity(Decimal value, const Unit& unit);
  // A CQL Date or DateTime (the value says which).
  static Value date_time(const DateTime& value);

  [[nodiscard]] ValueKind kind() const { return kind_; }
  [[nodiscard]] bool is_null() const { return kind_ == ValueKind::null; }
  // Accessors; precondition: kind() matches.
  [[nodiscard]] bool as_boolean() const { return boolean_; }
  [[nodiscard]] std::int32_t as_integer() const { return integer_; }
  // The numeric value of an integer, decimal or quantity (0 for other kinds).
  [[nodiscard]] Decimal as_decimal() const {
    if (kind_ == ValueKind::decimal || kind_ == ValueKind::quantity) {
      return decimal_;
    }
    return kind_ == ValueKind::integer ? integer_as_decimal() : Decimal();
  }
  // The characters of a string ("" for other kinds).
  [[nodiscard]] std::string_view as_string() const {
    return kind_ == ValueKind::string ? std::string_view(string_.data, string_.size)
                                      : std::string_view();
  }
  [[nodiscard]] const Unit& unit() const { return *unit_; }
  // Precondition: kind() is date_time.
  [[nodiscard]] DateTime as_date_time() const { return std::bit_cast<DateTime>(date_time_); }

  // Identity of representation (same kind, same value, same unit spelling); not CQL `=`.
  friend bool identical(const Value& a, const Value& b);

 private:
  [[nodiscard]] Decimal integer_as_decimal() const;

  // 32 bytes: a decimal (decimal, quantity), a string and a date never occur together, so
  // they share storage; kind_ says which one is live.
  ValueKind kind_ = ValueKind::null;
  bool boolean_ = false;
  std::int32_t integer_ = 0;
  const Unit* unit_ = nullptr;
  struct Characters {
    const char* data;
    std::size_t size;
  };
  union {
    Decimal decimal_{};
    Characters string_;
    // A DateTime's bytes (DateTime's field initialisers would make it a non-trivial member).
    std::array<std::byte, sizeof(DateTime)> date_time_;
  };
};

// Three-valued logic. Operands are boolean or null.
Value logical_and(const Value& a, const Value& b);
Value logical_or(const Value& a, const Value& b);
Value logical_xor(const Value& a, const Value& b);
Value logical_implies(const Value& a, const Value& b);
Value logical_not(const Value& a);

// `is null`, `is true`, `is false`: never null.
Value is_null(const Value& a);
Value is_true(const Value& a);
Value is_false(const Value& a);

// `=` and `!=`: null if either side is null. Integer and Decimal compare by value;
// quantities of one dimension compare after exact unit conversion; dates and date-times
// compare with precision (values/date_time.hpp: `@2026-06 = @2026-06-15` is null).
Value equal(const Value& a, const Value& b);
Value not_equal(const Value& a, const Value& b);
// `~` and `!~`: never null; null ~ null is true; strings compare ignoring case.
Value equivalent(const Value& a, const Value& b);
Value not_equivalent(const Value& a, const Value& b);

// `<`, `<=`, `>`, `>=` over numbers, quantities of one dimension, strings, and dates and
// date-times (with precision, as `=`).
Value less(const Value& a, const Value& b);
Value less_or_equal(const Value& a, const Value& b);
Value greater(const Value& a, const Value& b);
Value greater_or_equal(const Value& a, const Value& b);

// Arithmetic. Integer op Integer stays Integer (null on 32-bit overflow) except `/`,
// which always gives a Decimal. Integer mixed with Decimal promotes to Decimal.
// Quantity + Quantity and Quantity - Quantity (one dimension) give a quantity in the finer
// of the two units; Quantity * number, number * Quantity and Quantity / number scale it.
// Date + duration and Date - duration are calendar arithmetic (values/date_time.hpp;
// `@2014-01-31 + 1 month` is `@2014-02-28`): see `calendar_duration` for the durations allowed.
Value add(const Value& a, const Value& b);
Value subtract(const Value& a, const Value& b);
Value multiply(const Value& a, const Value& b);
Value divide(const Value& a, const Value& b);
Value truncated_divide(const Value& a, const Value& b);
Value modulo(const Value& a, const Value& b);
Value negate(const Value& a);

// The calendar duration a duration quantity stands for in date arithmetic: a calendar word
// (`1 month`) or a UCUM code of a fixed length, `wk`, `d`, `h`, `min`, `s`, `ms` (CQL lets
// these stand for their calendar units). A fraction is dropped, except that seconds keep
// theirs as milliseconds. Nullopt for `'a'` and `'mo'` (a UCUM year or month is a fixed
// length, not a calendar period: CQL does not add them to dates), a quantity of another
// dimension, or an amount beyond 64 bits.
std::optional<CalendarDuration> calendar_duration(const Value& duration);

// `<unit>s between a and b` over two dates or date-times: the whole periods from `a` to `b`
// (values/date_time.hpp `duration_between`) as an Integer; null when either is null, when the
// operands' precisions leave the count uncertain (CQL's uncertainty interval, which Rubric
// does not represent: `years between @2005 and @2010`) or when it exceeds 32 bits.
Value duration_between(const Value& a, const Value& b, CalendarUnit unit);

// Promotes an Integer to a Decimal; other values unchanged.
Value to_decimal(const Value& a);

// The value as a CQL literal on one line: `null`, `true`, `3`, `2.5`, `17 days`, `1 day`,
// `1500 'mg'`, `'it\'s'` (CQL escapes: \' \" \\ \n \t \r \f), `@2026-06-15`.
std::string to_literal(const Value& a);

// A number without a redundant ".0": "10", "2.5", "-0.25".
std::string number_text(Decimal value);

// Where the two plain-text writers of `to_text` differ.
enum class TextStyle {
  fact_file,  // strings as they are (`left`); `1 day`, but `-1 days`
  message,    // strings in single quotes (`'left'`); `1 day` and `-1 day`
};

// The value for people, not CQL: `null`, `true`, `3`, `2.5` (no ".0" on whole numbers),
// `10 weeks`, `1 day`, `1000 mg/d` (unit codes unquoted), `2026-06-15` (ISO 8601, as fact
// files write dates); strings as `style` says.
std::string to_text(const Value& a, TextStyle style);

}  // namespace rubric

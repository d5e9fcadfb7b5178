// The operation of one decision-graph node on its operands' Values: shared by the full
// evaluation (`evaluate_graph`) and the general steps of the compact program, so both give
// the same value by construction. Internal to the engine.
//
// Contract: pure functions; `at(k)` returns operand k's Value, which must stay valid for the
// call. The fast paths give exactly what the general operators of values/value.hpp give and
// fall back to them for every other combination of operand kinds.
#pragma once

#include <compare>
#include <cstddef>
#include <optional>

#include "engine/graph.hpp"
#include "values/value.hpp"

namespace rubric::operations {

inline const Value& truth(bool value) {
  static const Value kTrue = Value::boolean(true);
  static const Value kFalse = Value::boolean(false);
  return value ? kTrue : kFalse;
}

inline bool is_true_value(const Value& value) {
  return value.kind() == ValueKind::boolean && value.as_boolean();
}

inline bool both_boolean(const Value& a, const Value& b) {
  return a.kind() == ValueKind::boolean && b.kind() == ValueKind::boolean;
}

// a * fa against b * fb, exactly, when every factor is small enough for 128-bit products.
inline std::optional<std::strong_ordering> order_scaled(Int128 a, Int128 fa, Int128 b, Int128 fb) {
  constexpr Int128 kLimit = Int128{1} << 62;
  const auto small = [](Int128 x) { return x < kLimit && x > -kLimit; };
  if (!small(a) || !small(b) || !small(fa) || !small(fb)) {
    return std::nullopt;
  }
  return a * fa <=> b * fb;
}

// The order of two numbers, or of two quantities of one dimension; nullopt for anything
// else (nulls, strings, other dimensions, huge factors), which the general operators handle.
inline std::optional<std::strong_ordering> fast_order(const Value& a, const Value& b) {
  const ValueKind ka = a.kind();
  const ValueKind kb = b.kind();
  if (ka == ValueKind::integer && kb == ValueKind::integer) {
    return a.as_integer() <=> b.as_integer();
  }
  if ((ka == ValueKind::integer || ka == ValueKind::decimal) &&
      (kb == ValueKind::integer || kb == ValueKind::decimal)) {
    return a.as_decimal() <=> b.as_decimal();
  }
  if (ka == ValueKind::quantity && kb == ValueKind::quantity) {
    const Unit& ua = a.unit();
    const Unit& ub = b.unit();
    if (&ua == &ub) {
      return a.as_decimal() <=> b.as_decimal();
    }
    constexpr Int128 kSmall = Int128{1} << 31;
    if (!(ua.dimension == ub.dimension) || ua.factor.numerator >= kSmall ||
        ua.factor.denominator >= kSmall || ub.factor.numerator >= kSmall ||
        ub.factor.denominator >= kSmall) {
      return std::nullopt;
    }
    return order_scaled(a.as_decimal().raw(), ua.factor.numerator * ub.factor.denominator,
                        b.as_decimal().raw(), ub.factor.numerator * ua.factor.denominator);
  }
  return std::nullopt;
}

// CQL `in` over a list: true when some element equals the value; nulls count as equal to
// each other (so `null in {1, null}` is true and `null in {1}` is false). Operand 0 is the
// value, operands 1 to count - 1 the elements.
template <typename At>
Value in_list(std::size_t count, const At& at) {
  const Value& value = at(0);
  for (std::size_t k = 1; k < count; ++k) {
    const Value& candidate = at(k);
    if (value.is_null() || candidate.is_null()) {
      if (value.is_null() && candidate.is_null()) {
        return Value::boolean(true);
      }
      continue;
    }
    const Value same = equal(value, candidate);
    if (!same.is_null() && same.as_boolean()) {
      return Value::boolean(true);
    }
  }
  return Value::boolean(false);
}

// The totals a points score can still reach: the score's items are operands `first`, `first`
// + 2, ... (each after its weight), with the given weights and states. An unknown item (not a
// boolean) may add its weight or not. Amounts are Decimal raw values (units of 10^-8); the
// checker bounds a score's weights (kMaxScoreWeightSum), so they cannot overflow.
struct ScoreRange {
  Int128 low = 0;
  Int128 high = 0;
  bool integer = true;  // every weight is an Integer
};

// An Integer or a Decimal in Decimal raw units (10^-8); nullopt for any other kind.
inline std::optional<Int128> score_amount(const Value& value) {
  if (value.kind() == ValueKind::integer) {
    return Int128{value.as_integer()} * Decimal::kOne;
  }
  if (value.kind() == ValueKind::decimal) {
    return value.as_decimal().raw();
  }
  return std::nullopt;
}

template <typename At>
ScoreRange score_range(std::size_t first, std::size_t count, const At& at) {
  ScoreRange range;
  for (std::size_t k = first; k + 1 < count; k += 2) {
    const Value& weight = at(k);
    const Value& item = at(k + 1);
    range.integer = range.integer && weight.kind() == ValueKind::integer;
    const Int128 amount = score_amount(weight).value_or(0);  // weights are numeric constants
    if (item.kind() == ValueKind::boolean) {
      if (item.as_boolean()) {
        range.low += amount;
        range.high += amount;
      }
    } else if (amount < 0) {
      range.low += amount;
    } else {
      range.high += amount;
    }
  }
  return range;
}

// A total in raw units as a score's Value: an Integer when every weight is one (the checker
// bounds totals to 32 bits), else a Decimal.
inline Value score_value(Int128 raw, bool integer) {
  if (integer) {
    return Value::integer(static_cast<std::int32_t>(raw / Decimal::kOne));
  }
  const std::optional<Decimal> total = Decimal::from_raw(raw);
  return total ? Value::decimal(*total) : Value::null();
}

// A score's total (operands: weight, item, ...): its one possible total, an Integer when every
// weight is one; null while unknown items leave more than one total possible.
template <typename At>
Value score_total(std::size_t count, const At& at) {
  const ScoreRange range = score_range(0, count, at);
  return range.low == range.high ? score_value(range.low, range.integer) : Value::null();
}

// `at least` (operands: the threshold, an offset, then weight, item, ...): true when every
// total the score can still reach is at least threshold + offset, false when none is, null
// otherwise (CQL's comparison of an uncertain value), and null for a null threshold. The
// offset (a constant the compiler adds when it makes negative weights positive) is added here
// in 128 bits, so that it cannot overflow where the comparison as written would not.
template <typename At>
Value at_least(std::size_t count, const At& at) {
  const std::optional<Int128> threshold = score_amount(at(0));
  const std::optional<Int128> offset = score_amount(at(1));
  if (!threshold || !offset) {
    return Value::null();
  }
  const Int128 minimum = *threshold + *offset;
  const ScoreRange range = score_range(2, count, at);
  if (range.low >= minimum) {
    return truth(true);
  }
  if (range.high < minimum) {
    return truth(false);
  }
  return Value::null();
}

// The value of a node that is neither a constant nor a fact, from its `count` operands.
template <typename At>
Value compute(Opcode op, std::size_t count, const At& at) {
  switch (op) {
    case Opcode::constant:
    case Opcode::fact: return Value::null();  // not operations; the callers handle them
    case Opcode::logical_not:
      return at(0).kind() == ValueKind::boolean ? truth(!at(0).as_boolean()) : logical_not(at(0));
    case Opcode::logical_and:
      return both_boolean(at(0), at(1)) ? truth(at(0).as_boolean() && at(1).as_boolean())
                                        : logical_and(at(0), at(1));
    case Opcode::logical_or:
      return both_boolean(at(0), at(1)) ? truth(at(0).as_boolean() || at(1).as_boolean())
                                        : logical_or(at(0), at(1));
    case Opcode::logical_xor: return logical_xor(at(0), at(1));
    case Opcode::implies: return logical_implies(at(0), at(1));
    case Opcode::equal:
      if (at(0).kind() == ValueKind::integer && at(1).kind() == ValueKind::integer) {
        return truth(at(0).as_integer() == at(1).as_integer());
      }
      return equal(at(0), at(1));
    case Opcode::not_equal: return not_equal(at(0), at(1));
    case Opcode::equivalent: return equivalent(at(0), at(1));
    case Opcode::not_equivalent: return not_equivalent(at(0), at(1));
    case Opcode::less: {
      const auto order = fast_order(at(0), at(1));
      return order ? truth(*order < 0) : less(at(0), at(1));
    }
    case Opcode::less_or_equal: {
      const auto order = fast_order(at(0), at(1));
      return order ? truth(*order <= 0) : less_or_equal(at(0), at(1));
    }
    case Opcode::greater: {
      const auto order = fast_order(at(0), at(1));
      return order ? truth(*order > 0) : greater(at(0), at(1));
    }
    case Opcode::greater_or_equal: {
      const auto order = fast_order(at(0), at(1));
      return order ? truth(*order >= 0) : greater_or_equal(at(0), at(1));
    }
    case Opcode::add: return add(at(0), at(1));
    case Opcode::subtract: return subtract(at(0), at(1));
    case Opcode::multiply: return multiply(at(0), at(1));
    case Opcode::divide: return divide(at(0), at(1));
    case Opcode::truncated_divide: return truncated_divide(at(0), at(1));
    case Opcode::modulo: return modulo(at(0), at(1));
    case Opcode::negate: return negate(at(0));
    case Opcode::is_null: return is_null(at(0));
    case Opcode::is_true: return is_true(at(0));
    case Opcode::is_false: return is_false(at(0));
    case Opcode::in_list: return in_list(count, at);
    case Opcode::if_then_else: return is_true_value(at(0)) ? at(1) : at(2);
    case Opcode::to_decimal: return to_decimal(at(0));
    case Opcode::coalesce:
      for (std::size_t k = 0; k < count; ++k) {
        if (!at(k).is_null()) {
          return at(k);
        }
      }
      return Value::null();
    case Opcode::years_between: return duration_between(at(0), at(1), CalendarUnit::year);
    case Opcode::months_between: return duration_between(at(0), at(1), CalendarUnit::month);
    case Opcode::weeks_between: return duration_between(at(0), at(1), CalendarUnit::week);
    case Opcode::days_between: return duration_between(at(0), at(1), CalendarUnit::day);
    case Opcode::hours_between: return duration_between(at(0), at(1), CalendarUnit::hour);
    case Opcode::minutes_between: return duration_between(at(0), at(1), CalendarUnit::minute);
    case Opcode::seconds_between: return duration_between(at(0), at(1), CalendarUnit::second);
    case Opcode::milliseconds_between:
      return duration_between(at(0), at(1), CalendarUnit::millisecond);
    case Opcode::score: return score_total(count, at);
    case Opcode::at_least: return at_least(count, at);
  }
  return Value::null();
}

}  // namespace rubric::operations

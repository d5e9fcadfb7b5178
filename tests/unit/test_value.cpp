// Unit tests for values/value: three-valued logic, null propagation, equality and
// equivalence, ordering, arithmetic over integers, decimals and quantities, and literals.
#include <catch2/catch.hpp>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "values/value.hpp"

namespace rubric {
namespace {

constexpr std::int32_t kIntMax = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t kIntMin = std::numeric_limits<std::int32_t>::min();

const Value kNull = Value::null();
const Value kTrue = Value::boolean(true);
const Value kFalse = Value::boolean(false);

Value integer(std::int32_t value) {
  return Value::integer(value);
}

Value decimal(std::string_view text) {
  const std::optional<Decimal> parsed = Decimal::parse(text);
  INFO("parsing " << text);
  REQUIRE(parsed.has_value());
  return Value::decimal(*parsed);
}

Value quantity(std::string_view number, std::string_view unit_text) {
  const Unit* unit = find_unit(unit_text);
  INFO("unit " << unit_text);
  REQUIRE(unit != nullptr);
  return Value::quantity(decimal(number).as_decimal(), *unit);
}

Value string(std::string_view text) {
  return Value::string(text);
}

std::string literal(const Value& value) {
  return to_literal(value);
}

// Truth values for the operator tables.
enum class Truth { no, yes, unknown };

Value value_of(Truth truth) {
  switch (truth) {
    case Truth::no: return kFalse;
    case Truth::yes: return kTrue;
    case Truth::unknown: return kNull;
  }
  return kNull;
}

struct TruthRow {
  Truth a;
  Truth b;
  Truth expected;
};

void check_table(Value (*operation)(const Value&, const Value&),
                 std::initializer_list<TruthRow> rows) {
  REQUIRE(rows.size() == 9);
  for (const TruthRow& row : rows) {
    const Value a = value_of(row.a);
    const Value b = value_of(row.b);
    INFO(literal(a) << " op " << literal(b));
    CHECK(literal(operation(a, b)) == literal(value_of(row.expected)));
  }
}

constexpr Truth F = Truth::no;
constexpr Truth T = Truth::yes;
constexpr Truth N = Truth::unknown;

}  // namespace

TEST_CASE("Values hold their kind and payload", "[value]") {
  CHECK(Value().is_null());
  CHECK(kNull.kind() == ValueKind::null);
  CHECK(kTrue.kind() == ValueKind::boolean);
  CHECK(kTrue.as_boolean());
  CHECK_FALSE(kFalse.as_boolean());
  CHECK(integer(-7).kind() == ValueKind::integer);
  CHECK(integer(-7).as_integer() == -7);
  CHECK(integer(-7).as_decimal() == Decimal::parse("-7"));
  CHECK(decimal("2.5").kind() == ValueKind::decimal);
  CHECK(decimal("2.5").as_decimal() == Decimal::parse("2.5"));
  const Value dose = quantity("1500", "mg");
  CHECK(dose.kind() == ValueKind::quantity);
  CHECK(dose.as_decimal() == Decimal::parse("1500"));
  CHECK(&dose.unit() == find_unit("mg"));
  const std::string owner = "fracture";
  const Value text = string(owner);
  CHECK(text.kind() == ValueKind::string);
  CHECK(text.as_string().data() == owner.data());
  CHECK(text.as_string() == "fracture");
}

TEST_CASE("identical compares representation, not CQL equality", "[value]") {
  CHECK(identical(kNull, kNull));
  CHECK(identical(kTrue, kTrue));
  CHECK_FALSE(identical(kTrue, kFalse));
  CHECK(identical(integer(3), integer(3)));
  CHECK_FALSE(identical(integer(3), decimal("3")));
  CHECK(identical(decimal("3.50"), decimal("3.5")));
  CHECK(identical(string("a"), string("a")));
  CHECK_FALSE(identical(string("a"), string("A")));
  CHECK(identical(quantity("2", "mg"), quantity("2", "mg")));
  CHECK_FALSE(identical(quantity("1000", "mg"), quantity("1", "g")));
  CHECK(identical(quantity("1", "day"), quantity("1", "days")));
  CHECK_FALSE(identical(quantity("1", "d"), quantity("1", "days")));
  CHECK_FALSE(identical(kNull, kFalse));
}

TEST_CASE("and follows Kleene logic", "[value][logic]") {
  check_table(logical_and, {{T, T, T},
                            {T, F, F},
                            {T, N, N},
                            {F, T, F},
                            {F, F, F},
                            {F, N, F},
                            {N, T, N},
                            {N, F, F},
                            {N, N, N}});
}

TEST_CASE("or follows Kleene logic", "[value][logic]") {
  check_table(logical_or, {{T, T, T},
                           {T, F, T},
                           {T, N, T},
                           {F, T, T},
                           {F, F, F},
                           {F, N, N},
                           {N, T, T},
                           {N, F, N},
                           {N, N, N}});
}

TEST_CASE("xor follows Kleene logic", "[value][logic]") {
  check_table(logical_xor, {{T, T, F},
                            {T, F, T},
                            {T, N, N},
                            {F, T, T},
                            {F, F, F},
                            {F, N, N},
                            {N, T, N},
                            {N, F, N},
                            {N, N, N}});
}

TEST_CASE("implies follows Kleene logic", "[value][logic]") {
  check_table(logical_implies, {{T, T, T},
                                {T, F, F},
                                {T, N, N},
                                {F, T, T},
                                {F, F, T},
                                {F, N, T},
                                {N, T, T},
                                {N, F, N},
                                {N, N, N}});
}

TEST_CASE("not follows Kleene logic", "[value][logic]") {
  CHECK(literal(logical_not(kTrue)) == "false");
  CHECK(literal(logical_not(kFalse)) == "true");
  CHECK(literal(logical_not(kNull)) == "null");
}

TEST_CASE("Logic over ill-typed operands gives null", "[value][logic]") {
  CHECK(logical_and(integer(1), kTrue).is_null());
  CHECK(logical_and(kFalse, string("false")).is_null());
  CHECK(logical_or(kTrue, integer(0)).is_null());
  CHECK(logical_xor(decimal("1"), kTrue).is_null());
  CHECK(logical_implies(integer(0), kTrue).is_null());
  CHECK(logical_implies(kFalse, integer(0)).is_null());
  CHECK(logical_not(integer(0)).is_null());
  CHECK(logical_not(quantity("1", "mg")).is_null());
}

TEST_CASE("is null, is true, is false are never null", "[value][logic]") {
  for (const Value& value :
       {kNull, kTrue, kFalse, integer(0), decimal("1"), string(""), quantity("0", "mg")}) {
    INFO(literal(value));
    CHECK(is_null(value).kind() == ValueKind::boolean);
    CHECK(is_true(value).kind() == ValueKind::boolean);
    CHECK(is_false(value).kind() == ValueKind::boolean);
    CHECK(is_null(value).as_boolean() == value.is_null());
    CHECK(is_true(value).as_boolean() == identical(value, kTrue));
    CHECK(is_false(value).as_boolean() == identical(value, kFalse));
  }
}

TEST_CASE("= and != propagate null", "[value][equality]") {
  for (const Value& value :
       {kNull, kTrue, integer(1), decimal("1.0"), string("a"), quantity("1", "mg")}) {
    INFO(literal(value));
    CHECK(equal(kNull, value).is_null());
    CHECK(equal(value, kNull).is_null());
    CHECK(not_equal(kNull, value).is_null());
    CHECK(not_equal(value, kNull).is_null());
  }
}

TEST_CASE("= compares values of one type", "[value][equality]") {
  CHECK(literal(equal(kTrue, kTrue)) == "true");
  CHECK(literal(equal(kTrue, kFalse)) == "false");
  CHECK(literal(equal(integer(1), integer(1))) == "true");
  CHECK(literal(equal(integer(1), integer(2))) == "false");
  CHECK(literal(equal(integer(1), decimal("1.0"))) == "true");
  CHECK(literal(equal(decimal("1.0"), integer(1))) == "true");
  CHECK(literal(equal(decimal("1.00000001"), integer(1))) == "false");
  CHECK(literal(equal(decimal("2.50"), decimal("2.5"))) == "true");
  CHECK(literal(equal(string("abc"), string("abc"))) == "true");
  CHECK(literal(equal(string("abc"), string("ABC"))) == "false");
  CHECK(literal(equal(quantity("1000", "mg"), quantity("1", "g"))) == "true");
  CHECK(literal(equal(quantity("1", "a"), quantity("365.25", "d"))) == "true");
  CHECK(literal(equal(quantity("1", "year"), quantity("365", "days"))) == "false");
  CHECK(literal(equal(quantity("2", "weeks"), quantity("14", "days"))) == "true");
  CHECK(literal(equal(quantity("15", "%"), quantity("0.15", "1"))) == "true");
  CHECK(literal(not_equal(integer(1), decimal("1.0"))) == "false");
  CHECK(literal(not_equal(quantity("1", "g"), quantity("999", "mg"))) == "true");
  CHECK(literal(not_equal(string("a"), string("b"))) == "true");
}

TEST_CASE("= over mismatched types or dimensions gives null", "[value][equality]") {
  CHECK(equal(integer(1), string("1")).is_null());
  CHECK(equal(kTrue, integer(1)).is_null());
  CHECK(equal(quantity("1", "mg"), decimal("1")).is_null());
  CHECK(equal(integer(1), quantity("1", "1")).is_null());
  CHECK(equal(quantity("1", "mg"), quantity("1", "mL")).is_null());
  CHECK(equal(quantity("1", "d"), quantity("1", "mg")).is_null());
  CHECK(not_equal(quantity("1", "d"), quantity("1", "mg")).is_null());
}

TEST_CASE("~ is never null and compares loosely", "[value][equivalence]") {
  CHECK(literal(equivalent(kNull, kNull)) == "true");
  CHECK(literal(equivalent(kNull, integer(1))) == "false");
  CHECK(literal(equivalent(string("x"), kNull)) == "false");
  CHECK(literal(equivalent(kTrue, kTrue)) == "true");
  CHECK(literal(equivalent(kTrue, kFalse)) == "false");
  CHECK(literal(equivalent(integer(1), decimal("1.0"))) == "true");
  CHECK(literal(equivalent(decimal("1.5"), integer(1))) == "false");
  CHECK(literal(equivalent(string("Fracture"), string("fRACTURE"))) == "true");
  CHECK(literal(equivalent(string("grade 1"), string("GRADE\t1"))) == "true");
  CHECK(literal(equivalent(string("abc"), string("abd"))) == "false");
  CHECK(literal(equivalent(string("abc"), string("abc "))) == "false");
  CHECK(literal(equivalent(quantity("1000", "mg"), quantity("1", "g"))) == "true");
  // Quantities compare as decimals in the finer unit, at the lesser precision: 3 months is
  // 13.04464286 weeks, which rounds to 13 at the precision of `13`.
  CHECK(literal(equivalent(quantity("13", "weeks"), quantity("3", "months"))) == "true");
  CHECK(literal(equivalent(quantity("13.0", "weeks"), quantity("3", "months"))) == "true");
  CHECK(literal(equivalent(quantity("13.1", "weeks"), quantity("3", "months"))) == "false");
  CHECK(literal(equivalent(quantity("30.4375", "days"), quantity("30.44", "days"))) == "true");
  CHECK(literal(equivalent(quantity("30.4375", "days"), quantity("30.45", "days"))) == "false");
  CHECK(literal(equivalent(quantity("1", "month"), quantity("30", "days"))) == "true");
  // Case folds in every script; invalid UTF-8 compares byte for byte.
  CHECK(literal(equivalent(string("\u00e9"), string("\u00c9"))) == "true");
  CHECK(literal(equivalent(string("\u0394\u03b5"), string("\u03b4\u0395"))) == "true");
  CHECK(literal(equivalent(string("\u00e9"), string("e"))) == "false");
  CHECK(literal(equivalent(string("\xff"), string("\xff"))) == "true");
  CHECK(literal(equivalent(string("\xff"), string("\xfe"))) == "false");
  // Never null, even for values that cannot be compared.
  CHECK(literal(equivalent(quantity("1", "mg"), quantity("1", "mL"))) == "false");
  CHECK(literal(equivalent(integer(1), string("1"))) == "false");
  CHECK(literal(equivalent(kTrue, integer(1))) == "false");
  CHECK(literal(not_equivalent(kNull, kNull)) == "false");
  CHECK(literal(not_equivalent(kNull, integer(1))) == "true");
  CHECK(literal(not_equivalent(string("A"), string("a"))) == "false");
}

TEST_CASE("Ordering of numbers", "[value][ordering]") {
  CHECK(literal(less(integer(1), integer(2))) == "true");
  CHECK(literal(less(integer(2), integer(2))) == "false");
  CHECK(literal(less_or_equal(integer(2), integer(2))) == "true");
  CHECK(literal(greater(integer(kIntMax), integer(kIntMin))) == "true");
  CHECK(literal(greater_or_equal(integer(-1), integer(0))) == "false");
  CHECK(literal(less(integer(2), decimal("2.5"))) == "true");
  CHECK(literal(greater(decimal("2.00000001"), integer(2))) == "true");
  CHECK(literal(less_or_equal(decimal("2.0"), integer(2))) == "true");
  CHECK(literal(greater_or_equal(decimal("-0.5"), decimal("-0.25"))) == "false");
}

TEST_CASE("Ordering of quantities converts exactly", "[value][ordering]") {
  // 13 weeks = 91 days < 3 months = 91.3125 days.
  CHECK(literal(less(quantity("13", "weeks"), quantity("3", "months"))) == "true");
  CHECK(literal(greater_or_equal(quantity("13", "weeks"), quantity("3", "months"))) == "false");
  CHECK(literal(greater_or_equal(quantity("92", "days"), quantity("3", "months"))) == "true");
  CHECK(literal(greater(quantity("92", "days"), quantity("3", "months"))) == "true");
  CHECK(literal(greater_or_equal(quantity("91", "days"), quantity("3", "months"))) == "false");
  CHECK(literal(less_or_equal(quantity("91.3125", "days"), quantity("3", "months"))) == "true");
  CHECK(literal(less(quantity("91.3125", "days"), quantity("3", "months"))) == "false");
  CHECK(literal(less_or_equal(quantity("1", "a"), quantity("365.25", "d"))) == "true");
  CHECK(literal(greater(quantity("1", "a"), quantity("365.25", "d"))) == "false");
  CHECK(literal(less(quantity("999", "mg"), quantity("1", "g"))) == "true");
  CHECK(literal(greater(quantity("1.5", "g"), quantity("1499", "mg"))) == "true");
  CHECK(literal(less(quantity("12", "%"), quantity("0.125", "1"))) == "true");
  CHECK(literal(less(quantity("1", "day"), quantity("2", "days"))) == "true");
}

TEST_CASE("Ordering of strings is ordinal", "[value][ordering]") {
  CHECK(literal(less(string("abc"), string("abd"))) == "true");
  CHECK(literal(less(string("ab"), string("abc"))) == "true");
  CHECK(literal(less(string(""), string("a"))) == "true");
  CHECK(literal(less(string("B"), string("a"))) == "true");
  CHECK(literal(greater(string("\xC3\xA9"), string("z"))) == "true");
  CHECK(literal(less_or_equal(string("same"), string("same"))) == "true");
  CHECK(literal(greater_or_equal(string("a"), string("b"))) == "false");
}

TEST_CASE("Ordering propagates null and rejects unordered types", "[value][ordering]") {
  using Comparison = Value (*)(const Value&, const Value&);
  for (const Comparison comparison :
       std::initializer_list<Comparison>{less, less_or_equal, greater, greater_or_equal}) {
    CHECK(comparison(kNull, integer(1)).is_null());
    CHECK(comparison(decimal("1"), kNull).is_null());
    CHECK(comparison(kNull, kNull).is_null());
    CHECK(comparison(kTrue, kFalse).is_null());
    CHECK(comparison(integer(1), string("2")).is_null());
    CHECK(comparison(quantity("1", "mg"), integer(2)).is_null());
    CHECK(comparison(quantity("1", "mg"), quantity("1", "d")).is_null());
  }
}

TEST_CASE("Integer arithmetic stays 32-bit; overflow gives null", "[value][arithmetic]") {
  CHECK(literal(add(integer(2), integer(3))) == "5");
  CHECK(add(integer(2), integer(3)).kind() == ValueKind::integer);
  CHECK(literal(add(integer(kIntMax), integer(0))) == "2147483647");
  CHECK(add(integer(kIntMax), integer(1)).is_null());
  CHECK(add(integer(kIntMin), integer(-1)).is_null());
  CHECK(literal(add(integer(kIntMin), integer(kIntMax))) == "-1");
  CHECK(literal(subtract(integer(3), integer(5))) == "-2");
  CHECK(subtract(integer(kIntMin), integer(1)).is_null());
  CHECK(subtract(integer(0), integer(kIntMin)).is_null());
  CHECK(literal(subtract(integer(-1), integer(kIntMin))) == "2147483647");
  CHECK(literal(multiply(integer(-6), integer(7))) == "-42");
  CHECK(multiply(integer(65536), integer(32768)).is_null());
  CHECK(literal(multiply(integer(65536), integer(-32768))) == "-2147483648");
  CHECK(multiply(integer(kIntMin), integer(-1)).is_null());
  CHECK(literal(negate(integer(kIntMax))) == "-2147483647");
  CHECK(negate(integer(kIntMin)).is_null());
  CHECK(literal(negate(integer(0))) == "0");
}

TEST_CASE("div truncates toward zero; mod takes the dividend's sign", "[value][arithmetic]") {
  CHECK(literal(truncated_divide(integer(7), integer(2))) == "3");
  CHECK(literal(truncated_divide(integer(-7), integer(2))) == "-3");
  CHECK(literal(truncated_divide(integer(7), integer(-2))) == "-3");
  CHECK(literal(truncated_divide(integer(-7), integer(-2))) == "3");
  CHECK(truncated_divide(integer(7), integer(2)).kind() == ValueKind::integer);
  CHECK(truncated_divide(integer(7), integer(0)).is_null());
  CHECK(truncated_divide(integer(kIntMin), integer(-1)).is_null());
  CHECK(literal(truncated_divide(integer(kIntMin), integer(1))) == "-2147483648");
  CHECK(literal(modulo(integer(7), integer(3))) == "1");
  CHECK(literal(modulo(integer(-7), integer(3))) == "-1");
  CHECK(literal(modulo(integer(7), integer(-3))) == "1");
  CHECK(literal(modulo(integer(-7), integer(-3))) == "-1");
  CHECK(modulo(integer(7), integer(3)).kind() == ValueKind::integer);
  CHECK(modulo(integer(7), integer(0)).is_null());
  CHECK(literal(modulo(integer(kIntMin), integer(-1))) == "0");
  CHECK(literal(truncated_divide(decimal("7.5"), integer(2))) == "3.0");
  CHECK(literal(truncated_divide(decimal("-7.5"), decimal("2"))) == "-3.0");
  CHECK(literal(modulo(decimal("7.5"), integer(2))) == "1.5");
  CHECK(literal(modulo(decimal("-7.5"), integer(2))) == "-1.5");
  CHECK(truncated_divide(decimal("1"), decimal("0")).is_null());
  CHECK(modulo(decimal("1"), integer(0)).is_null());
}

TEST_CASE("/ always gives a Decimal; division by zero gives null", "[value][arithmetic]") {
  CHECK(literal(divide(integer(7), integer(2))) == "3.5");
  CHECK(divide(integer(4), integer(2)).kind() == ValueKind::decimal);
  CHECK(literal(divide(integer(4), integer(2))) == "2.0");
  CHECK(literal(divide(integer(1), integer(3))) == "0.33333333");
  CHECK(literal(divide(integer(2), integer(3))) == "0.66666667");
  CHECK(literal(divide(integer(-2), integer(3))) == "-0.66666667");
  CHECK(divide(integer(1), integer(0)).is_null());
  CHECK(divide(decimal("1.5"), decimal("0.0")).is_null());
  CHECK(literal(divide(integer(kIntMin), integer(-1))) == "2147483648.0");
}

TEST_CASE("Integer mixed with Decimal promotes", "[value][arithmetic]") {
  CHECK(literal(add(integer(1), decimal("0.5"))) == "1.5");
  CHECK(add(integer(1), decimal("0.5")).kind() == ValueKind::decimal);
  CHECK(literal(subtract(decimal("0.5"), integer(1))) == "-0.5");
  CHECK(literal(multiply(integer(3), decimal("0.1"))) == "0.3");
  CHECK(literal(add(decimal("0.1"), decimal("0.2"))) == "0.3");
  CHECK(literal(multiply(decimal("0.00000001"), decimal("0.5"))) == "0.00000001");
  CHECK(literal(multiply(decimal("-0.00000001"), decimal("0.5"))) == "-0.00000001");
  CHECK(add(decimal("99999999999999999999"), integer(1)).is_null());
  CHECK(literal(add(integer(kIntMax), decimal("1"))) == "2147483648.0");
  CHECK(literal(negate(decimal("2.5"))) == "-2.5");
}

TEST_CASE("Arithmetic propagates null and rejects ill-typed operands", "[value][arithmetic]") {
  using Operation = Value (*)(const Value&, const Value&);
  for (const Operation operation : std::initializer_list<Operation>{add, subtract, multiply, divide,
                                                                    truncated_divide, modulo}) {
    CHECK(operation(kNull, integer(1)).is_null());
    CHECK(operation(integer(1), kNull).is_null());
    CHECK(operation(kNull, quantity("1", "mg")).is_null());
    CHECK(operation(decimal("1"), kNull).is_null());
    CHECK(operation(kTrue, integer(1)).is_null());
    CHECK(operation(string("1"), integer(1)).is_null());
  }
  CHECK(negate(kNull).is_null());
  CHECK(negate(kTrue).is_null());
  CHECK(negate(string("1")).is_null());
  CHECK(add(quantity("1", "mg"), integer(1)).is_null());
  CHECK(add(integer(1), quantity("1", "mg")).is_null());
  CHECK(add(quantity("1", "mg"), quantity("1", "d")).is_null());
  CHECK(subtract(quantity("1", "mL"), quantity("1", "mg")).is_null());
  CHECK(divide(integer(1), quantity("1", "mg")).is_null());
}

TEST_CASE("Quantity arithmetic", "[value][arithmetic][quantity]") {
  CHECK(literal(add(quantity("2", "weeks"), quantity("3", "days"))) == "17 days");
  CHECK(literal(add(quantity("3", "days"), quantity("2", "weeks"))) == "17 days");
  CHECK(literal(subtract(quantity("2", "weeks"), quantity("3", "days"))) == "11 days");
  CHECK(literal(add(quantity("1", "g"), quantity("250", "mg"))) == "1250 'mg'");
  CHECK(literal(subtract(quantity("1", "g"), quantity("250", "mg"))) == "750 'mg'");
  CHECK(literal(subtract(quantity("250", "mg"), quantity("1", "g"))) == "-750 'mg'");
  CHECK(literal(add(quantity("1", "mo"), quantity("1", "wk"))) == "5.34821429 'wk'");
  CHECK(literal(add(quantity("1", "a"), quantity("1", "d"))) == "366.25 'd'");
  CHECK(literal(add(quantity("1", "day"), quantity("1", "days"))) == "2 days");
  CHECK(literal(add(quantity("10", "%"), quantity("0.05", "1"))) == "15 '%'");
  CHECK(add(quantity("99999999999999999999", "kg"), quantity("1", "mg")).is_null());

  CHECK(literal(multiply(quantity("5", "mg"), integer(3))) == "15 'mg'");
  CHECK(literal(multiply(integer(3), quantity("5", "mg"))) == "15 'mg'");
  CHECK(literal(multiply(decimal("0.5"), quantity("3", "days"))) == "1.5 days");
  CHECK(literal(multiply(quantity("2", "weeks"), decimal("1.5"))) == "3 weeks");
  CHECK(literal(divide(quantity("10", "mg"), integer(4))) == "2.5 'mg'");
  CHECK(literal(divide(quantity("1", "mg/d"), decimal("3"))) == "0.33333333 'mg/d'");
  CHECK(divide(quantity("10", "mg"), integer(0)).is_null());
  CHECK(multiply(quantity("99999999999999999999", "mg"), integer(10)).is_null());

  CHECK(literal(negate(quantity("2.5", "mg/d"))) == "-2.5 'mg/d'");
  CHECK(literal(negate(quantity("1", "weeks"))) == "-1 weeks");
  const Value sum = add(quantity("2", "weeks"), quantity("3", "days"));
  REQUIRE(sum.kind() == ValueKind::quantity);
  CHECK(&sum.unit() == find_unit("days"));
}

TEST_CASE("to_decimal promotes integers only", "[value]") {
  CHECK(to_decimal(integer(3)).kind() == ValueKind::decimal);
  CHECK(literal(to_decimal(integer(3))) == "3.0");
  CHECK(literal(to_decimal(integer(kIntMin))) == "-2147483648.0");
  CHECK(identical(to_decimal(decimal("2.5")), decimal("2.5")));
  CHECK(identical(to_decimal(kNull), kNull));
  CHECK(identical(to_decimal(kTrue), kTrue));
  CHECK(identical(to_decimal(quantity("2", "mg")), quantity("2", "mg")));
}

TEST_CASE("to_literal prints CQL literals", "[value][literal]") {
  CHECK(literal(kNull) == "null");
  CHECK(literal(kTrue) == "true");
  CHECK(literal(kFalse) == "false");
  CHECK(literal(integer(3)) == "3");
  CHECK(literal(integer(-7)) == "-7");
  CHECK(literal(integer(kIntMin)) == "-2147483648");
  CHECK(literal(decimal("2.5")) == "2.5");
  CHECK(literal(decimal("3")) == "3.0");
  CHECK(literal(decimal("-0.00000001")) == "-0.00000001");
  CHECK(literal(string("")) == "''");
  CHECK(literal(string("plain")) == "'plain'");
  CHECK(literal(string("it's")) == "'it\\'s'");
  CHECK(literal(string("say \"hi\"")) == "'say \\\"hi\\\"'");
  CHECK(literal(string("back\\slash")) == "'back\\\\slash'");
  CHECK(literal(string("a\nb\tc\rd\fe")) == "'a\\nb\\tc\\rd\\fe'");
  CHECK(literal(string(std::string_view("\x01\0", 2))) == "'\\u0001\\u0000'");
  CHECK(literal(string("caf\xC3\xA9")) == "'caf\xC3\xA9'");
}

TEST_CASE("to_literal prints quantities", "[value][literal][quantity]") {
  CHECK(literal(quantity("17", "days")) == "17 days");
  CHECK(literal(quantity("1", "days")) == "1 day");
  CHECK(literal(quantity("1.0", "day")) == "1 day");
  CHECK(literal(quantity("2", "day")) == "2 days");
  CHECK(literal(quantity("2.5", "weeks")) == "2.5 weeks");
  CHECK(literal(quantity("1.5", "week")) == "1.5 weeks");
  CHECK(literal(quantity("0", "months")) == "0 months");
  CHECK(literal(quantity("-1", "year")) == "-1 years");
  CHECK(literal(quantity("1", "millisecond")) == "1 millisecond");
  CHECK(literal(quantity("1500", "mg")) == "1500 'mg'");
  CHECK(literal(quantity("1000.0", "mg")) == "1000 'mg'");
  CHECK(literal(quantity("2.5", "mg/d")) == "2.5 'mg/d'");
  CHECK(literal(quantity("15", "%")) == "15 '%'");
  CHECK(literal(quantity("0.5", "cm")) == "0.5 'cm'");
  CHECK(literal(quantity("1", "d")) == "1 'd'");
  CHECK(literal(quantity("3", "[IU]")) == "3 '[IU]'");
  CHECK(literal(quantity("99999999999999999999.99999999", "kg")) ==
        "99999999999999999999.99999999 'kg'");
}

}  // namespace rubric

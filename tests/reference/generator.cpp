// Random guideline and fact-set generation. Every composite expression is written in
// parentheses, so the text never depends on operator precedence.
#include "tests/reference/generator.hpp"

#include <fmt/args.h>
#include <fmt/format.h>

#include <array>
#include <climits>
#include <initializer_list>
#include <optional>

#include "values/units.hpp"

namespace rubric::reference {
namespace {

// `pattern` with `parts` in its `{}`s. The parts of a braced list are evaluated left to right
// ([dcl.init.list]), unlike a function's arguments, so the generator's choices are made in
// the same order under every compiler and one input means one guideline everywhere (a
// fuzzer's finding replays under g++).
std::string sequenced(fmt::string_view pattern, std::initializer_list<std::string> parts) {
  fmt::dynamic_format_arg_store<fmt::format_context> arguments;
  for (const std::string& part : parts) {
    arguments.push_back(part);
  }
  return fmt::vformat(pattern, arguments);
}

enum class Kind : std::uint8_t {
  boolean,
  integer,
  decimal,
  string,
  duration,
  mass,
  rate,
  code,
  date,
  coding
};
constexpr std::array kAllKinds{Kind::boolean,  Kind::integer, Kind::decimal, Kind::string,
                               Kind::duration, Kind::mass,    Kind::rate,    Kind::code,
                               Kind::date,     Kind::coding};

const char* prefix(Kind kind) {
  switch (kind) {
    case Kind::boolean: return "b";
    case Kind::integer: return "i";
    case Kind::decimal: return "d";
    case Kind::string: return "s";
    case Kind::duration: return "t";
    case Kind::mass: return "m";
    case Kind::rate: return "r";
    case Kind::code: return "c";
    case Kind::date: return "a";
    case Kind::coding: return "k";
  }
  return "x";
}

template <typename T, std::size_t N>
const T& pick(Chooser& chooser, const std::array<T, N>& options) {
  return options[chooser.below(static_cast<std::uint32_t>(N))];
}

template <typename T>
const T& pick(Chooser& chooser, const std::vector<T>& options) {
  return options[chooser.below(static_cast<std::uint32_t>(options.size()))];
}

constexpr std::array<const char*, 11> kIntegers{"0",  "1",  "2",   "3",    "5",         "7",
                                                "10", "65", "100", "1000", "2147483647"};
constexpr std::array<const char*, 8> kDecimals{"0.5",  "3.5", "2.25",        "0.00000001",
                                               "10.0", "1.0", "99.99999999", "0.1"};
constexpr std::array<const char*, 12> kQuantityNumbers{"0",  "1",  "2",    "3",   "4",   "6",
                                                       "10", "12", "1000", "0.5", "2.5", "65"};
constexpr std::array<const char*, 13> kDurationUnits{"days",  "day", "weeks", "months", "years",
                                                     "hours", "'h'", "'min'", "'d'",    "'wk'",
                                                     "'mo'",  "'a'", "'s'"};
constexpr std::array<const char*, 4> kMassUnits{"'mg'", "'g'", "'kg'", "'ug'"};
constexpr std::array<const char*, 3> kRateUnits{"'mg/d'", "'g/d'", "'mg/h'"};
constexpr std::array<const char*, 5> kStrings{"abc", "ABC", "", "x y", "left"};
constexpr std::array<const char*, 3> kCodes{"left", "right", "both"};
// Coding literals, over the two code systems every generated file declares, and the values of
// coding facts: the same codes under both systems, and one code no literal names.
constexpr std::array<const char*, 4> kCodings{"SCT '1'", "SCT '2'", "ICD '1'", "ICD 'E11'"};
constexpr std::array<const char*, 5> kCodingValues{
    "http://snomed.info/sct|1", "http://snomed.info/sct|2", "http://hl7.org/fhir/sid/icd-10|1",
    "http://hl7.org/fhir/sid/icd-10|E11", "http://snomed.info/sct|E11"};
// Dates of every precision, month ends and 29 February among them.
constexpr std::array<const char*, 10> kDates{"2026-06-15", "2026-06",    "2026",       "2024-02-29",
                                             "2026-01-31", "1960-02-29", "1961-06-15", "2026-03-01",
                                             "2025-12-31", "2026-06-14"};
// Durations a date may be moved by: calendar words only (`'mo'` and `'a'` are refused there).
constexpr std::array<const char*, 8> kCalendarDurations{
    "1 month", "1 year", "2 weeks", "30 days", "1 day", "12 hours", "1.5 days", "65 years"};
constexpr std::array<const char*, 4> kCountedUnits{"years", "months", "weeks", "days"};
// Units a fact value may be written in, any dimension (filtered by the fact's dimension).
constexpr std::array<const char*, 16> kValueUnits{"d",    "wk",  "mo",   "a",     "h",  "min",
                                                  "s",    "ms",  "mg",   "g",     "kg", "ug",
                                                  "mg/d", "g/d", "mg/h", "ug/min"};

std::string unquoted(std::string_view unit) {
  if (unit.size() >= 2 && unit.front() == '\'') {
    return std::string(unit.substr(1, unit.size() - 2));
  }
  return std::string(unit);
}

class Generator {
 public:
  explicit Generator(Chooser& chooser) : chooser_(chooser) {}

  GeneratedGuideline run() {
    std::string text =
        "guideline \"differential\" title \"Differential test\" version \"1\"\n"
        "source 1 \"Generated\"\n"
        "codesystem SCT = 'http://snomed.info/sct'\n"
        "codesystem ICD = 'http://hl7.org/fhir/sid/icd-10'\n"
        "valueset VS = {SCT '1', ICD 'E11'}\n";
    for (const Kind kind : kAllKinds) {
      const std::uint32_t count = 1 + chooser_.below(2);
      for (std::uint32_t i = 0; i < count; ++i) {
        const std::string name = fmt::format("f{}{}", prefix(kind), i);
        text += fmt::format("fact {}: {}\n", name, fact_type(kind));
        facts_.push_back({name, kind});
      }
    }
    for (const Kind kind : kAllKinds) {
      if (kind == Kind::code || kind == Kind::coding || chooser_.chance(1, 4)) {
        continue;
      }
      const std::string name = fmt::format("p{}", prefix(kind));
      text += fmt::format("parameter {} = {}\n", name, literal(kind));
      parameters_.push_back({name, kind});
    }
    const std::uint32_t definitions = chooser_.below(6);
    for (std::uint32_t i = 0; i < definitions; ++i) {
      constexpr std::array kDefinable{Kind::boolean,  Kind::integer, Kind::decimal, Kind::string,
                                      Kind::duration, Kind::mass,    Kind::date};
      const Kind kind = pick(chooser_, kDefinable);
      const std::string value = expression(kind, 3);
      const std::string name = fmt::format("def{}{}", prefix(kind), i);
      text += fmt::format("define {} = {}\n", name, value);
      definitions_.push_back({name, kind});
    }
    const std::uint32_t recommendations = 1 + chooser_.below(4);
    for (std::uint32_t i = 0; i < recommendations; ++i) {
      text += fmt::format("recommendation rec{} kind refer text \"rec{}\" cite 1\n  when {}\n", i,
                          i, expression(Kind::boolean, 4));
    }
    return GeneratedGuideline{std::move(text), std::move(thresholds_)};
  }

 private:
  struct Declared {
    std::string name;
    Kind kind;
  };

  std::string fact_type(Kind kind) {
    switch (kind) {
      case Kind::boolean: return "boolean";
      case Kind::integer: return chooser_.chance(1, 3) ? "integer between 0 and 100" : "integer";
      case Kind::decimal: return chooser_.chance(1, 3) ? "decimal >= 0" : "decimal";
      case Kind::string: return "string";
      case Kind::duration: return chooser_.chance(1, 3) ? "duration >= 0 days" : "duration";
      case Kind::mass: return "mass";
      case Kind::rate: return "quantity 'mg/d'";
      case Kind::code: return "code {'left', 'right', 'both'}";
      case Kind::date: return "date";
      case Kind::coding: return "coding";
    }
    return "boolean";
  }

  std::string literal(Kind kind) {
    switch (kind) {
      case Kind::boolean: return chooser_.chance(1, 2) ? "true" : "false";
      case Kind::integer: {
        const std::string text = pick(chooser_, kIntegers);
        thresholds_.numbers.push_back(*Decimal::parse(text));
        return text;
      }
      case Kind::decimal: {
        const std::string text = pick(chooser_, kDecimals);
        thresholds_.numbers.push_back(*Decimal::parse(text));
        return text;
      }
      case Kind::string: {
        const std::string text = pick(chooser_, kStrings);
        thresholds_.strings.push_back(text);
        return fmt::format("'{}'", text);
      }
      case Kind::duration: return quantity_literal(pick(chooser_, kDurationUnits));
      case Kind::mass: return quantity_literal(pick(chooser_, kMassUnits));
      case Kind::rate: return quantity_literal(pick(chooser_, kRateUnits));
      case Kind::code: return fmt::format("'{}'", pick(chooser_, kCodes));
      case Kind::coding: return pick(chooser_, kCodings);
      case Kind::date: {
        const std::string text = pick(chooser_, kDates);
        thresholds_.dates.push_back(text);
        return "@" + text;
      }
    }
    return "null";
  }

  std::string quantity_literal(std::string_view unit) {
    const std::string number = pick(chooser_, kQuantityNumbers);
    if (const Unit* found = find_unit(unquoted(unit))) {
      thresholds_.quantities.push_back({*Decimal::parse(number), found});
    }
    return fmt::format("{} {}", number, unit);
  }

  // A fact, parameter, definition or literal of `kind` (sometimes `null`).
  std::string leaf(Kind kind) {
    std::vector<std::string> names;
    for (const auto* list : {&facts_, &parameters_, &definitions_}) {
      for (const Declared& declared : *list) {
        if (declared.kind == kind) {
          names.push_back(declared.name);
        }
      }
    }
    if (kind == Kind::date) {
      names.emplace_back("Today()");  // the evaluation date, a fact of the fact sets
    }
    if (kind == Kind::code || (!names.empty() && chooser_.chance(2, 3))) {
      return pick(chooser_, names);
    }
    return literal(kind);
  }

  std::string numeric(std::uint32_t depth) {
    return expression(chooser_.chance(1, 2) ? Kind::integer : Kind::decimal, depth);
  }

  Kind any_quantity() {
    constexpr std::array kQuantities{Kind::duration, Kind::mass, Kind::rate};
    return pick(chooser_, kQuantities);
  }

  std::string expression(Kind kind, std::uint32_t depth) {
    if (depth == 0 || kind == Kind::code || kind == Kind::coding || chooser_.chance(1, 5)) {
      return leaf(kind);
    }
    const std::uint32_t next = depth - 1;
    // Forms every kind has: if, case, Coalesce.
    switch (chooser_.below(12)) {
      case 0:
        return sequenced("(if {} then {} else {})",
                         {expression(Kind::boolean, next), branch(kind, next), branch(kind, next)});
      case 1: {
        if (chooser_.chance(1, 2)) {
          return sequenced(
              "(case when {} then {} when {} then {} else {} end)",
              {expression(Kind::boolean, next), branch(kind, next), expression(Kind::boolean, next),
               branch(kind, next), branch(kind, next)});
        }
        return sequenced("(case {} when {} then {} when {} then {} else {} end)",
                         {expression(Kind::integer, next), leaf(Kind::integer), branch(kind, next),
                          leaf(Kind::integer), branch(kind, next), branch(kind, next)});
      }
      case 2: return sequenced("Coalesce({}, {})", {branch(kind, next), branch(kind, next)});
      default: break;
    }
    switch (kind) {
      case Kind::boolean: return boolean(next);
      case Kind::integer: return integer(next);
      case Kind::decimal: return decimal(next);
      case Kind::duration:
      case Kind::mass:
      case Kind::rate: return quantity(kind, next);
      case Kind::date:
        return sequenced("({} {} {})",
                         {expression(Kind::date, next), chooser_.chance(1, 2) ? "+" : "-",
                          pick(chooser_, kCalendarDurations)});
      case Kind::string:
      case Kind::code:
      case Kind::coding: break;
    }
    return leaf(kind);
  }

  // A branch of a conditional of `kind`: a decimal one may mix in integers.
  std::string branch(Kind kind, std::uint32_t depth) {
    if (kind == Kind::decimal && chooser_.chance(1, 3)) {
      return expression(Kind::integer, depth);
    }
    return expression(kind, depth);
  }

  std::string boolean(std::uint32_t next) {
    constexpr std::array kComparisons{"<", "<=", ">", ">=", "=", "!="};
    switch (chooser_.below(14)) {
      case 0:
        return sequenced("({} and {})", {expression(Kind::boolean, next), operand_or_null(next)});
      case 1:
        return sequenced("({} or {})", {operand_or_null(next), expression(Kind::boolean, next)});
      case 2: {
        constexpr std::array kOthers{"xor", "implies"};
        return sequenced("({} {} {})", {expression(Kind::boolean, next), pick(chooser_, kOthers),
                                        expression(Kind::boolean, next)});
      }
      case 3: return fmt::format("(not {})", expression(Kind::boolean, next));
      case 4: {
        constexpr std::array kNullTests{"is null", "is not null"};
        return sequenced("({} {})",
                         {expression(pick(chooser_, kAllKinds), next), pick(chooser_, kNullTests)});
      }
      case 5: {
        constexpr std::array kTests{"is true", "is not true", "is false", "is not false"};
        return sequenced("({} {})", {expression(Kind::boolean, next), pick(chooser_, kTests)});
      }
      case 6: {
        if (chooser_.chance(1, 4)) {
          constexpr std::array kEquivalences{"~", "!~"};
          return sequenced("({} {} {})",
                           {numeric(next), pick(chooser_, kEquivalences), numeric(next)});
        }
        return sequenced("({} {} {})",
                         {numeric(next), pick(chooser_, kComparisons), numeric(next)});
      }
      case 7: {
        const Kind kind = any_quantity();
        return sequenced("({} {} {})", {expression(kind, next), pick(chooser_, kComparisons),
                                        expression(kind, next)});
      }
      case 8: {
        if (chooser_.chance(1, 4)) {
          constexpr std::array kCodingComparisons{"=", "!=", "~", "!~"};
          return sequenced("({} {} {})", {leaf(Kind::coding), pick(chooser_, kCodingComparisons),
                                          leaf(Kind::coding)});
        }
        if (chooser_.chance(1, 2)) {
          constexpr std::array kCodeComparisons{"=", "!="};
          return sequenced("({} {} {})", {leaf(Kind::code), pick(chooser_, kCodeComparisons),
                                          literal(Kind::code)});
        }
        constexpr std::array kStringComparisons{"<", "<=", ">", ">=", "=", "!=", "~", "!~"};
        return sequenced("({} {} {})",
                         {expression(Kind::string, next), pick(chooser_, kStringComparisons),
                          expression(Kind::string, next)});
      }
      case 9: {
        if (chooser_.chance(1, 2)) {
          return sequenced("({} between {} and {})", {numeric(next), parenthesized_numeric(next),
                                                      parenthesized_numeric(next)});
        }
        const Kind kind = any_quantity();
        return sequenced("({} between ({}) and ({}))",
                         {expression(kind, next), expression(kind, next), expression(kind, next)});
      }
      case 10: return membership(next);
      case 11: return score_test(next);
      case 12: {
        if (chooser_.chance(1, 2)) {
          return sequenced("({} {} {})",
                           {expression(Kind::date, next), pick(chooser_, kComparisons),
                            expression(Kind::date, next)});
        }
        return sequenced("({} {} {})",
                         {counted(next), pick(chooser_, kComparisons), leaf(Kind::integer)});
      }
      default:
        return sequenced("({} {} {})",
                         {expression(Kind::boolean, next), chooser_.chance(1, 2) ? "and" : "or",
                          expression(Kind::boolean, next)});
    }
  }

  // A boolean operand of a logical operator, sometimes the `null` literal (typed by the
  // operator); other places get unknowns from absent facts.
  std::string operand_or_null(std::uint32_t depth) {
    return chooser_.chance(1, 20) ? "null" : expression(Kind::boolean, depth);
  }

  std::string parenthesized_numeric(std::uint32_t depth) {
    return fmt::format("({})", numeric(depth));
  }

  std::string membership(std::uint32_t next) {
    if (chooser_.chance(1, 4)) {
      return chooser_.chance(1, 2)
                 ? sequenced("({} in VS)", {leaf(Kind::coding)})
                 : sequenced("({} in {{{}, {}}})",
                             {leaf(Kind::coding), literal(Kind::coding), literal(Kind::coding)});
    }
    switch (chooser_.below(3)) {
      case 0:
        return sequenced("({} in {{{}, {}}})",
                         {leaf(Kind::code), literal(Kind::code), literal(Kind::code)});
      case 1:
        return sequenced("({} in {{{}, {}}})", {expression(Kind::string, next),
                                                literal(Kind::string), literal(Kind::string)});
      default:
        return sequenced(
            "({} in {{{}, {}, {}}})",
            {expression(Kind::integer, next), literal(Kind::integer), literal(Kind::integer),
             chooser_.chance(1, 3) ? "null" : literal(Kind::integer)});
    }
  }

  // A points score of 1 to 4 items over boolean expressions; weights small, some negative,
  // decimal ones only when `integer_weights` is false.
  std::string score(bool integer_weights, std::uint32_t next) {
    constexpr std::array kIntegerWeights{"1", "2", "3", "0", "-1", "-2", "1", "1"};
    constexpr std::array kDecimalWeights{"1.5", "0.5", "-0.5", "2", "1", "-1", "0.25"};
    const std::uint32_t items = 1 + chooser_.below(4);
    std::string out = "score(";
    for (std::uint32_t i = 0; i < items; ++i) {
      out += i > 0 ? ", " : "";
      const char* weight = integer_weights || chooser_.chance(1, 2)
                               ? pick(chooser_, kIntegerWeights)
                               : pick(chooser_, kDecimalWeights);
      out += fmt::format("{} when {}", weight, expression(Kind::boolean, next));
    }
    return out + ")";
  }

  // A comparison with a score, or `at least N of (...)`.
  std::string score_test(std::uint32_t next) {
    constexpr std::array kComparisons{"<", "<=", ">", ">=", "=", "!="};
    const bool integer_weights = chooser_.chance(2, 3);
    switch (chooser_.below(5)) {
      case 0:
        return sequenced("({} {} {})", {score(integer_weights, next), pick(chooser_, kComparisons),
                                        literal(Kind::integer)});
      case 1:
        return sequenced("({} {} {})", {leaf(Kind::integer), pick(chooser_, kComparisons),
                                        score(integer_weights, next)});
      case 2:
        return sequenced("({} between ({}) and ({}))",
                         {score(integer_weights, next), literal(Kind::integer), numeric(next)});
      case 3:
        return sequenced("({} {} {})", {score(integer_weights, next), pick(chooser_, kComparisons),
                                        numeric(next)});
      default: {
        const std::uint32_t conditions = 1 + chooser_.below(4);
        std::string list;
        for (std::uint32_t i = 0; i < conditions; ++i) {
          list += fmt::format("{}{}", i > 0 ? ", " : "", expression(Kind::boolean, next));
        }
        return fmt::format("(at least {} of ({}))", 1 + chooser_.below(conditions), list);
      }
    }
  }

  // `<unit>s between a and b`, parenthesised: its second date would take a following `+`.
  std::string counted(std::uint32_t next) {
    return sequenced("({} between {} and {})",
                     {pick(chooser_, kCountedUnits), expression(Kind::date, next),
                      expression(Kind::date, next)});
  }

  std::string integer(std::uint32_t next) {
    constexpr std::array kOperators{"+", "-", "*", "div", "mod"};
    if (chooser_.chance(1, 10)) {
      return score(true, next);
    }
    if (chooser_.chance(1, 12)) {
      return counted(next);
    }
    if (chooser_.chance(1, 6)) {
      return fmt::format("(-{})", expression(Kind::integer, next));
    }
    return sequenced("({} {} {})", {expression(Kind::integer, next), pick(chooser_, kOperators),
                                    expression(Kind::integer, next)});
  }

  std::string decimal(std::uint32_t next) {
    switch (chooser_.below(5)) {
      case 0: return fmt::format("(-{})", expression(Kind::decimal, next));
      case 1: return sequenced("({} / {})", {numeric(next), numeric(next)});
      case 2: {
        constexpr std::array kOperators{"div", "mod"};
        return sequenced("({} {} {})", {expression(Kind::decimal, next), pick(chooser_, kOperators),
                                        numeric(next)});
      }
      default: {
        constexpr std::array kOperators{"+", "-", "*"};
        if (chooser_.chance(1, 2)) {
          return sequenced("({} {} {})", {numeric(next), pick(chooser_, kOperators),
                                          expression(Kind::decimal, next)});
        }
        return sequenced("({} {} {})", {expression(Kind::decimal, next), pick(chooser_, kOperators),
                                        numeric(next)});
      }
    }
  }

  std::string quantity(Kind kind, std::uint32_t next) {
    switch (chooser_.below(5)) {
      case 0:
        return sequenced("({} {} {})", {expression(kind, next), chooser_.chance(1, 2) ? "+" : "-",
                                        expression(kind, next)});
      case 1: return sequenced("({} * {})", {expression(kind, next), numeric(next)});
      case 2: return sequenced("({} * {})", {numeric(next), expression(kind, next)});
      case 3: return sequenced("({} / {})", {expression(kind, next), numeric(next)});
      default: return fmt::format("(-{})", expression(kind, next));
    }
  }

  Chooser& chooser_;
  std::vector<Declared> facts_;
  std::vector<Declared> parameters_;
  std::vector<Declared> definitions_;
  Thresholds thresholds_;
};

std::optional<Decimal> small_delta(Chooser& chooser) {
  constexpr std::array<const char*, 9> kDeltas{
      "0", "0", "0.00000001", "-0.00000001", "1", "-1", "0.5", "-0.5", "0"};
  return Decimal::parse(pick(chooser, kDeltas));
}

Decimal near(Chooser& chooser, Decimal base) {
  const std::optional<Decimal> delta = small_delta(chooser);
  const std::optional<Decimal> moved = delta ? Decimal::add(base, *delta) : std::nullopt;
  return moved ? *moved : base;
}

Value number_value(Chooser& chooser, const FactSpec& fact, const Thresholds& thresholds) {
  std::vector<Decimal> bases = thresholds.numbers;
  for (const char* text : {"0", "1", "-1", "2147483647", "-2147483648"}) {
    bases.push_back(*Decimal::parse(text));
  }
  if (fact.type.kind == TypeKind::decimal) {
    bases.push_back(*Decimal::parse("99999999999999999999.99999999"));
    bases.push_back(*Decimal::parse("-0.00000001"));
  }
  const Decimal value = near(chooser, pick(chooser, bases));
  if (fact.type.kind == TypeKind::decimal) {
    return Value::decimal(value);
  }
  Decimal integral = value;
  if (!integral.is_integer()) {
    integral = *Decimal::truncated_divide(value, *Decimal::from_integer(1));
  }
  if (const std::optional<std::int32_t> fits = integral.to_int32()) {
    return Value::integer(*fits);
  }
  return Value::integer(chooser.chance(1, 2) ? INT32_MAX : INT32_MIN);
}

Value quantity_value(Chooser& chooser, const FactSpec& fact, const Thresholds& thresholds) {
  std::vector<const Unit*> units;
  for (const char* code : kValueUnits) {
    const Unit* unit = find_unit(code);
    if (unit != nullptr && unit->dimension == fact.type.dimension) {
      units.push_back(unit);
    }
  }
  if (const Unit* own = find_unit(fact.unit); own != nullptr) {
    units.push_back(own);
  }
  if (units.empty()) {
    return Value::null();
  }
  std::vector<Thresholds::QuantityThreshold> bases;
  for (const auto& threshold : thresholds.quantities) {
    if (threshold.unit->dimension == fact.type.dimension) {
      bases.push_back(threshold);
    }
  }
  const Unit* unit = pick(chooser, units);
  if (bases.empty() || chooser.chance(1, 8)) {
    return Value::quantity(near(chooser, *Decimal::from_integer(chooser.below(20))), *unit);
  }
  const Thresholds::QuantityThreshold& base = pick(chooser, bases);
  const std::optional<Decimal> converted = convert(base.value, *base.unit, *unit);
  if (!converted) {
    return Value::quantity(near(chooser, base.value), *base.unit);
  }
  return Value::quantity(near(chooser, *converted), *unit);
}

}  // namespace

// A date at, or a day or a month from, a literal of the guideline, at that literal's precision
// or a finer or coarser one; sometimes any date of the list.
Value date_value(Chooser& chooser, const Thresholds& thresholds) {
  std::vector<std::string> bases(kDates.begin(), kDates.end());
  bases.insert(bases.end(), thresholds.dates.begin(), thresholds.dates.end());
  const DateTime base = *DateTime::parse(pick(chooser, bases)).value;
  constexpr std::array<CalendarDuration, 5> kShifts{{{0, CalendarUnit::day},
                                                     {1, CalendarUnit::day},
                                                     {-1, CalendarUnit::day},
                                                     {1, CalendarUnit::month},
                                                     {-1, CalendarUnit::year}}};
  const std::optional<DateTime> shifted = add(base, pick(chooser, kShifts));
  const DateTime value = shifted.value_or(base);
  // Any precision from the year to the day.
  const auto precision = static_cast<TemporalPrecision>(chooser.below(3));
  return Value::date_time(
      DateTime::make(TemporalKind::date, std::min(precision, value.precision()), value.fields())
          .value_or(value));
}

GeneratedGuideline generate_guideline(Chooser& chooser) {
  return Generator(chooser).run();
}

FactSet generate_facts(Chooser& chooser, std::span<const FactSpec> facts,
                       const Thresholds& thresholds) {
  FactSet set(facts.size());
  for (std::uint32_t i = 0; i < facts.size(); ++i) {
    const FactSpec& fact = facts[i];
    if (chooser.chance(1, 4)) {
      continue;  // absent
    }
    Value value;
    switch (fact.type.kind) {
      case TypeKind::boolean: value = Value::boolean(chooser.chance(1, 2)); break;
      case TypeKind::integer:
      case TypeKind::decimal: value = number_value(chooser, fact, thresholds); break;
      case TypeKind::string: {
        if (fact.type.coding) {
          value = Value::string(set.keep(pick(chooser, kCodingValues)));
          break;
        }
        std::vector<std::string> options(kStrings.begin(), kStrings.end());
        options.insert(options.end(), thresholds.strings.begin(), thresholds.strings.end());
        options.emplace_back("zzz");
        value = Value::string(set.keep(pick(chooser, options)));
        break;
      }
      case TypeKind::code:
        if (!fact.codes.empty()) {
          value = Value::string(set.keep(pick(chooser, fact.codes)));
        }
        break;
      case TypeKind::quantity: value = quantity_value(chooser, fact, thresholds); break;
      case TypeKind::date: value = date_value(chooser, thresholds); break;
      case TypeKind::date_time:  // the generator declares no datetime facts
      case TypeKind::error:
      case TypeKind::null:
      case TypeKind::list: break;
    }
    set.set(FactId{i}, value);
  }
  return set;
}

std::string describe_facts(std::span<const FactSpec> facts, const FactSet& values) {
  std::string out;
  for (std::uint32_t i = 0; i < facts.size(); ++i) {
    const Value& value = values.get(FactId{i});
    out += fmt::format("{}: {}\n", facts[i].name, value.is_null() ? "~" : to_literal(value));
  }
  return out;
}

}  // namespace rubric::reference

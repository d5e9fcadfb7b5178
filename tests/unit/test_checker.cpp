// Tests of rubric::check_module: name resolution, types and dimensions, constants and fact
// limits, declaration checks, unused-declaration warnings, and that one run reports every
// problem. Codes and messages are those of dsl/checker.cpp and docs/diagnostics.md.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/checker.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/parser.hpp"
#include "dsl/source.hpp"
#include "values/value.hpp"

namespace {

// A rule file parsed and checked. The text is used as given: use `file()` to add a header
// and a source.
class Checked {
 public:
  explicit Checked(std::string text) : file_(sources_.add("check.rubric", std::move(text))) {
    rubric::Diagnostics syntax;
    rubric::ast::Module module = rubric::parse_module(sources_, file_, syntax);
    syntax_ok_ = !syntax.has_errors();
    syntax_errors_ = rubric::format_diagnostics(sources_, syntax);
    checked_ = rubric::check_module(std::move(module), sources_, diagnostics_);
    diagnostics_.sort();
  }

  [[nodiscard]] bool syntax_ok() const { return syntax_ok_; }
  [[nodiscard]] const std::string& syntax_errors() const { return syntax_errors_; }
  [[nodiscard]] const rubric::CheckedModule& module() const { return checked_; }
  [[nodiscard]] bool ok() const { return checked_.ok; }
  [[nodiscard]] const std::vector<rubric::Diagnostic>& all() const { return diagnostics_.all(); }
  [[nodiscard]] std::string formatted() const {
    return rubric::format_diagnostics(sources_, diagnostics_);
  }
  // The diagnostics with this code, in position order.
  [[nodiscard]] std::vector<rubric::Diagnostic> with(std::string_view code) const {
    std::vector<rubric::Diagnostic> found;
    for (const rubric::Diagnostic& diagnostic : diagnostics_.all()) {
      if (diagnostic.code == code) {
        found.push_back(diagnostic);
      }
    }
    return found;
  }
  [[nodiscard]] std::vector<std::string> messages(std::string_view code) const {
    std::vector<std::string> found;
    for (const rubric::Diagnostic& diagnostic : with(code)) {
      found.push_back(diagnostic.message);
    }
    return found;
  }
  [[nodiscard]] std::string text(rubric::SourceRange range) const {
    return std::string(sources_.text(range));
  }
  [[nodiscard]] rubric::LineColumn position(const rubric::Diagnostic& diagnostic) const {
    return sources_.line_column(file_, diagnostic.range.offset);
  }
  [[nodiscard]] std::size_t warnings() const {
    std::size_t count = 0;
    for (const rubric::Diagnostic& diagnostic : diagnostics_.all()) {
      count += diagnostic.severity == rubric::Severity::warning ? 1 : 0;
    }
    return count;
  }

 private:
  rubric::SourceManager sources_;
  rubric::FileId file_;
  rubric::Diagnostics diagnostics_;
  rubric::CheckedModule checked_;
  bool syntax_ok_ = false;
  std::string syntax_errors_;
};

// A header and one source before `body`.
std::string file(std::string_view body) {
  return "guideline \"g\"\nsource 1 \"s\"\n" + std::string(body);
}

// A recommendation whose condition is `condition`, citing source 1.
std::string when(std::string_view condition) {
  return "recommendation r kind refer text \"t\" cite 1 when " + std::string(condition) + "\n";
}

using Messages = std::vector<std::string>;

}  // namespace

TEST_CASE("a correct file checks with no diagnostic", "[checker]") {
  const Checked checked(
      file("fact pain: decimal between 0 and 10\n"
           "fact wait: duration >= 0 days\n"
           "fact side: code {'left', 'right'}\n"
           "parameter threshold = 3.5\n"
           "parameter window = 2 * 3 weeks\n"
           "define severe = pain >= threshold\n"
           "define recent = wait < window\n"
           "define both = severe and recent\n" +
           when("both or side = 'left' or side in {'right'}")));
  INFO(checked.syntax_errors() << checked.formatted());
  REQUIRE(checked.syntax_ok());
  CHECK(checked.all().empty());
  CHECK(checked.ok());
  // Parameters are evaluated, definitions ordered by dependency.
  REQUIRE(checked.module().parameters.size() == 2);
  CHECK(rubric::to_literal(checked.module().parameters[0]) == "3.5");
  CHECK(rubric::to_literal(checked.module().parameters[1]) == "6 weeks");
  CHECK(checked.module().definition_order == std::vector<std::uint32_t>{0, 1, 2});
  REQUIRE(checked.module().facts.size() == 3);
  REQUIRE(checked.module().facts[0].minimum.has_value());
  CHECK(rubric::to_literal(*checked.module().facts[0].minimum) == "0.0");
  CHECK(checked.module().facts[2].codes == std::vector<std::string>{"left", "right"});
}

TEST_CASE("E0201: unknown names, with a suggestion when one is close", "[checker]") {
  const Checked checked(
      file("fact neurologic_deficit: boolean\n"
           "fact pain_vas: decimal\n"
           "parameter severe_pain = 7.5\n"
           "define severe = pain_vas >= severe_pian\n" +
           when("neurologic_defict or severe or Pain_VAS > 1 or zzz_nothing_like_it or coalesce")));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0201") ==
        Messages{"unknown name `severe_pian`; did you mean `severe_pain`?",
                 "unknown name `neurologic_defict`; did you mean `neurologic_deficit`?",
                 "unknown name `Pain_VAS`; did you mean `pain_vas`?",
                 "unknown name `zzz_nothing_like_it`",
                 "unknown name `coalesce`; did you mean `Coalesce`?"});
  const auto errors = checked.with("E0201");
  REQUIRE(errors.size() == 5);
  CHECK(checked.text(errors[0].range) == "severe_pian");
  CHECK(checked.position(errors[0]).line == 6);
  CHECK(checked.position(errors[0]).column == 29);
  CHECK(checked.text(errors[1].range) == "neurologic_defict");
  // An unknown name is reported once, without cascading type errors.
  CHECK(checked.with("E0205").empty());
  CHECK(checked.with("E0207").empty());
}

TEST_CASE("E0202: duplicate names across facts, parameters and definitions", "[checker]") {
  const Checked checked(
      file("fact age: duration\n"
           "parameter age = 65 years\n"
           "define age = true\n"
           "define Coalesce = true\n"
           "fact Coalesce: boolean\n" +
           when("age > 1 year")));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  const auto errors = checked.with("E0202");
  REQUIRE(errors.size() == 4);
  CHECK(errors[0].message ==
        "`age` is already declared; facts, parameters and definitions share one namespace");
  CHECK(checked.position(errors[0]).line == 4);
  CHECK(checked.position(errors[0]).column == 11);
  REQUIRE(errors[0].notes.size() == 1);
  CHECK(errors[0].notes[0].message == "first declared here");
  CHECK(checked.text(errors[0].notes[0].range) == "age");
  CHECK(errors[0].notes[0].range.offset < errors[0].range.offset);
  CHECK(checked.position(errors[1]).line == 5);
  CHECK(errors[2].message == "`Coalesce` is a function and cannot name a definition");
  CHECK(errors[3].message == "`Coalesce` is a function and cannot name a fact");
  // The name keeps its first meaning: `age > 1 year` is a duration comparison, no E0205.
  CHECK(checked.with("E0205").empty());
}

TEST_CASE("E0206: cycles in definitions show their path; cyclic parameters", "[checker]") {
  const Checked checked(
      file("fact a: boolean\n"
           "define x = y and a\n"
           "define y = z or a\n"
           "define z = not x\n"
           "define self = self\n"
           "parameter p = q + 1\n"
           "parameter q = p * 2\n" +
           when("x and self and p > 3")));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0206") ==
        Messages{"definition `x` depends on itself: `x` -> `y` -> `z` -> `x`",
                 "definition `self` depends on itself: `self` -> `self`",
                 "parameter `p` depends on itself: `p` -> `q` -> `p`"});
  const auto errors = checked.with("E0206");
  REQUIRE(errors.size() == 3);
  CHECK(checked.text(errors[0].range) == "x");
  CHECK(checked.position(errors[0]).line == 4);
  // The cycle causes no follow-on type errors.
  CHECK(checked.with("E0205").empty());
  CHECK(checked.with("E0207").empty());

  // A cycle that does not go through the first definition starts where it is entered.
  const Checked later(file("fact a: boolean\ndefine start = b\ndefine b = c\ndefine c = b and a\n" +
                           when("start")));
  CHECK(later.messages("E0206") == Messages{"definition `b` depends on itself: `b` -> `c` -> `b`"});
}

// Regression (033064e to 279a69c): the members of a cycle were settled without being checked,
// so the names they use were never marked used, and every fact, parameter and definition used
// only inside a cycle got a false "never used" warning on top of the E0206.
TEST_CASE("E0206: a cycle gives no false unused warnings", "[checker]") {
  const Checked checked(
      file("fact a: boolean\n"
           "define x = y and a\n"
           "define y = z or a\n"
           "define z = not x\n" +
           when("x")));
  REQUIRE(checked.syntax_ok());
  INFO(checked.formatted());
  CHECK(checked.with("E0206").size() == 1);
  CHECK(checked.warnings() == 0);
}

TEST_CASE("E0207: a recommendation's condition must be a boolean", "[checker]") {
  const Checked checked(
      file("fact pain_vas: decimal\n"
           "fact age: duration\n"
           "fact side: code {'l'}\n"
           "recommendation a kind refer text \"t\" cite 1 when pain_vas\n"
           "recommendation b kind refer text \"t\" cite 1 when null\n"
           "recommendation c kind refer text \"t\" cite 1 when age + 1 year\n"
           "recommendation d kind refer text \"t\" cite 1 when side\n"
           "recommendation e kind refer text \"t\" cite 1 when 'yes'\n"
           "recommendation f kind refer text \"t\" cite 1 when 1\n"
           "recommendation g kind refer text \"t\" cite 1 when pain_vas > 1 is null\n"));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0207") ==
        Messages{"the condition of `a` must be a boolean; found a decimal",
                 "the condition of `b` must be a boolean; found a null",
                 "the condition of `c` must be a boolean; found a duration",
                 "the condition of `d` must be a boolean; found a code",
                 "the condition of `e` must be a boolean; found a string",
                 "the condition of `f` must be a boolean; found an integer"});
  const auto errors = checked.with("E0207");
  REQUIRE(errors.size() == 6);
  CHECK(checked.text(errors[2].range) == "age + 1 year");
}

TEST_CASE("E0208 and W0304: citations and sources", "[checker]") {
  const Checked checked(
      "guideline \"g\"\nsource 1 \"s\"\nsource 3 \"never cited\"\nfact a: boolean\n"
      "recommendation r kind refer text \"t\" cite 1, 2, 1 when a\n"
      "recommendation s kind refer text \"t\" cite 7 when not a\n");
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0208") ==
        Messages{"source 2 is not declared; declare it with `source 2 \"citation\"`",
                 "source 1 is cited twice",
                 "source 7 is not declared; declare it with `source 7 \"citation\"`"});
  const auto errors = checked.with("E0208");
  REQUIRE(errors.size() == 3);
  CHECK(checked.text(errors[0].range) == "2");
  CHECK(checked.position(errors[0]).line == 5);
  CHECK(checked.position(errors[0]).column == 46);
  CHECK(checked.position(errors[1]).column == 49);
  CHECK(checked.messages("W0304") == Messages{"source 3 is never cited"});
}

TEST_CASE("E0209: source declarations", "[checker]") {
  const Checked checked(
      "guideline \"g\"\nsource 1 \"s\"\nsource 1 \"again\"\nsource 0 \"zero\"\nsource 2 \"\"\n"
      "fact a: boolean\n"
      "recommendation r kind refer text \"t\" cite 1, 2 when a\n");
  REQUIRE(checked.syntax_ok());
  CHECK(checked.messages("E0209") == Messages{"source 1 is declared twice",
                                              "source numbers start at 1",
                                              "source 2 has an empty citation"});
  REQUIRE(checked.with("E0209")[0].notes.size() == 1);
  CHECK(checked.with("E0209")[0].notes[0].message == "first declared here");
}

TEST_CASE("E0210: unknown recommendation kinds, with a suggestion when one is close", "[checker]") {
  const Checked checked(
      file("fact a: boolean\n"
           "recommendation r kind refers text \"t\" cite 1 when a\n"
           "recommendation s kind consider text \"t\" cite 1 when a\n"
           "recommendation t kind followup text \"t\" cite 1 when a\n"
           "recommendation u kind monitr text \"t\" cite 1 when a\n"
           "recommendation v kind asess text \"t\" cite 1 when a\n"));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0210") ==
        Messages{"unknown recommendation kind `refers`; did you mean `refer`?",
                 "unknown recommendation kind `consider`; the kinds are `refer`, `prescribe`, "
                 "`caution`, `avoid`, `therapy`, `order`, `follow-up`, `monitor` and `assess`",
                 "unknown recommendation kind `followup`; did you mean `follow-up`?",
                 "unknown recommendation kind `monitr`; did you mean `monitor`?",
                 "unknown recommendation kind `asess`; did you mean `assess`?"});
  CHECK(checked.text(checked.with("E0210")[0].range) == "refers");
  // Every known kind is accepted.
  std::string all = file("fact a: boolean\n");
  int index = 0;
  for (const char* kind : rubric::kRecommendationKinds) {
    all += "recommendation r" + std::to_string(index++) + " kind " + kind +
           " text \"t\" cite 1 when a\n";
  }
  const Checked known(all);
  INFO(known.formatted());
  CHECK(known.all().empty());
}

TEST_CASE("E0204 and E0205: units and dimensions are checked at compile time", "[checker]") {
  const Checked checked(
      file("fact dose: quantity 'mgg'\n"
           "fact daily: quantity 'mg/d'\n"
           "fact weight: mass\n"
           "fact wait: duration\n"
           "define unknown_literal = daily > 5 'mgg'\n"
           "define fact_of_unknown_unit = dose > 1 'mg'\n"
           "define literals = 3 'mg' < 2 weeks\n"
           "define sum = wait + weight > 1 day\n"
           "define plain = wait > 3\n"
           "define product = weight * weight > 1 'kg'\n"
           "define same_dimension = weight > 5 'g' and wait < 2 weeks and daily >= 1 'g/d'\n" +
           when("unknown_literal or fact_of_unknown_unit or literals or sum or plain or product "
                "or same_dimension")));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0204") ==
        Messages{"unknown unit `mgg` in the type of fact `dose`; did you mean `'mg'`?",
                 "unknown unit `mgg`; did you mean `'mg'`?"});
  CHECK(checked.text(checked.with("E0204")[0].range) == "quantity 'mgg'");
  CHECK(checked.text(checked.with("E0204")[1].range) == "5 'mgg'");
  CHECK(checked.messages("E0205") ==
        Messages{"cannot compare a quantity of mass with a duration using `<`",
                 "cannot add a duration and a quantity of mass: the dimensions differ",
                 "cannot compare a duration with an integer using `>`",
                 "cannot apply `*` to a quantity of mass and a quantity of mass; multiplying or "
                 "dividing two quantities is not supported"});
  CHECK(checked.text(checked.with("E0205")[0].range) == "3 'mg' < 2 weeks");
}

TEST_CASE("E0204: an unknown unit suggests the unit meant", "[checker]") {
  const Checked checked(
      file("fact urea: quantity 'MMOL/L'\n"
           "fact systolic: quantity 'mmhg'\n"
           "fact b12: quantity 'mcg'\n"
           "fact other: quantity 'parsec'\n"
           "define a = urea > 7 'mmol/L' and systolic > 1 'mm[Hg]' and b12 > 1 'ug'\n"
           "define b = other > 1 'm' or 3 'mmhg' > 2 'mm[Hg]'\n" +
           when("a or b")));
  REQUIRE(checked.syntax_ok());
  CHECK(checked.messages("E0204") ==
        Messages{"unknown unit `MMOL/L` in the type of fact `urea`; did you mean `'mmol/L'`?",
                 "unknown unit `mmhg` in the type of fact `systolic`; did you mean `'mm[Hg]'`?",
                 "unknown unit `mcg` in the type of fact `b12`; did you mean `'ug'`?",
                 "unknown unit `parsec` in the type of fact `other`",
                 "unknown unit `mmhg`; did you mean `'mm[Hg]'`?"});
}

TEST_CASE("units and convert: the units a fact file may use for a fact", "[checker]") {
  const Checked good(
      file("fact acr: quantity 'mg/g' units 'mg/g', '%'\n"
           "fact score: quantity '{score}'\n"
           "fact glucose: quantity 'mmol/L' units 'mmol/L', 'umol/L'\n"
           "fact sodium: quantity 'mmol/L'\n"
           "fact urea: quantity 'mmol/L'\n"
           "  convert 'mg/dL' = 0.357 'mmol/L' cite 1\n"
           "  convert 'g/L' = 3.57 'mmol/L' cite \"urea nitrogen 28.014 g/mol\"\n" +
           when("acr > 30 'mg/g' or score > 1 '{score}' or glucose > 7 'mmol/L' or "
                "sodium < 130 'mmol/L' or urea > 7 'mmol/L'")));
  INFO(good.formatted());
  REQUIRE(good.ok());
  CHECK(good.all().empty());
  const auto& facts = good.module().facts;
  REQUIRE(facts.size() == 5);
  // Listed units, in order.
  REQUIRE(facts[0].accepted_units.size() == 2);
  CHECK(facts[0].accepted_units[0]->code == "mg/g");
  CHECK(facts[0].accepted_units[1]->code == "%");
  // A dimensionless fact without `units` accepts its declared unit only.
  REQUIRE(facts[1].accepted_units.size() == 1);
  CHECK(facts[1].accepted_units[0]->code == "{score}");
  CHECK(facts[2].accepted_units.size() == 2);
  // A fact with a dimension and no `units` accepts any unit of it.
  CHECK(facts[3].accepted_units.empty());
  CHECK(facts[4].accepted_units.empty());
  REQUIRE(facts[4].conversions.size() == 2);
  CHECK(facts[4].conversions[0].from->code == "mg/dL");
  CHECK(facts[4].conversions[0].factor == *rubric::Decimal::parse("0.357"));
  CHECK(facts[4].conversions[0].to->code == "mmol/L");
  CHECK(facts[4].conversions[1].from->code == "g/L");
  CHECK(facts[4].expected() ==
        "a quantity in `mmol/L` or a unit of the same dimension, or in "
        "`mg/dL`, or in `g/L`");
  CHECK(facts[0].expected() == "a quantity in `mg/g` or `%`");
  CHECK(facts[1].expected() == "a quantity in `{score}`");

  const Checked bad(
      file("fact acr: quantity 'mg/g' units '%'\n"
           "fact a2: quantity 'mg/g' units 'mg/g', 'mg/mmol', 'mg/g', 'MG/G'\n"
           "fact flag: boolean units 'mg'\n"
           "fact urea: quantity 'mmol/L'\n"
           "  convert 'umol/L' = 1000 'mmol/L' cite 1\n"
           "  convert 'mg/dL' = 0 'mmol/L' cite 1\n"
           "  convert 'mg/dL' = 0.357 'mg/dL' cite 1\n"
           "  convert 'mg/dL' = 0.357 'mmol/L' cite 2\n"
           "  convert 'mg/dl' = 0.357 'mmol/L' cite \"\"\n"
           "  convert 'mg/dLL' = 0.357 'mmol/L' cite 1\n" +
           when("acr > 1 'mg/g' or a2 > 1 'mg/g' or flag or urea > 1 'mmol/L'")));
  REQUIRE(bad.syntax_ok());
  CHECK(bad.messages("E0222") ==
        Messages{"the `units` of fact `acr` must include its declared unit; add `'mg/g'`",
                 "unit `mg/mmol` is a quantity of g/mol, not of the dimension of fact `a2` "
                 "(`mg/g`); a unit of another dimension needs a `convert` clause with its "
                 "factor and source",
                 "unit `mg/g` is listed twice in the `units` of fact `a2`",
                 "only a `quantity 'UNIT'` fact can have `units` or `convert`; declare fact "
                 "`flag` as `quantity` with its unit",
                 "`umol/L` is of the dimension of fact `urea` (`mmol/L`), which Rubric converts "
                 "itself; remove the `convert`, or list the unit in `units`",
                 "a conversion factor must be positive",
                 "the unit after the factor must be of the dimension of fact `urea`, as "
                 "`mmol/L` is; found `mg/dL`, a quantity of g/m3",
                 "fact `urea` has two conversions from `mg/dl`",
                 "the source of a conversion must not be empty; give a citation"});
  CHECK(bad.messages("E0204") ==
        Messages{"unknown unit `MG/G` in the declaration of fact `a2`; did you mean "
                 "`'mg/g'`?",
                 "unknown unit `mg/dLL` in the declaration of fact `urea`; did you mean "
                 "`'mg/dL'`?"});
  CHECK(bad.messages("E0208") ==
        Messages{"source 2 is not declared; declare it with `source 2 \"citation\"`"});
}

TEST_CASE("E0203: literals out of range", "[checker]") {
  const Checked checked(
      file("fact n: integer\n"
           "fact x: decimal\n"
           "fact wait: duration\n"
           "parameter largest = 2147483647\n"
           "parameter too_big = 2147483648\n"
           "parameter product = 65536 * 65536\n"
           "parameter ratio = 1 / 0\n"
           "define fine = x < 0.12345678 and x < 99999999999999999999.99999999\n" +
           when("fine and n < largest and n < too_big and n > product and x > ratio "
                "and x < 0.123456789 and x < 123456789012345678901 and wait < 1 day "
                "and n > 99999999999")));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0203") ==
        Messages{"integer `2147483648` is out of range; integers are 32-bit, from -2147483648 to "
                 "2147483647",
                 "the value of parameter `product` overflows or divides by zero",
                 "the value of parameter `ratio` overflows or divides by zero",
                 "decimal `0.123456789` has 9 digits after the point; the limit is 8",
                 "integer `123456789012345678901` is out of range; integers are 32-bit, from "
                 "-2147483648 to 2147483647",
                 "integer `99999999999` is out of range; integers are 32-bit, from -2147483648 "
                 "to 2147483647"});
  CHECK(checked.text(checked.with("E0203")[0].range) == "2147483648");
  CHECK(rubric::to_literal(checked.module().parameters[0]) == "2147483647");
}

TEST_CASE("E0203: decimals with too many digits", "[checker]") {
  const Checked checked(
      file("fact x: decimal\n" +
           when("x < 1.123456789 or x < 123456789012345678901.5 or x > 1.000000000")));
  REQUIRE(checked.syntax_ok());
  const auto errors = checked.with("E0203");
  REQUIRE(errors.size() == 3);
  CHECK(checked.text(errors[0].range) == "1.123456789");
  CHECK(checked.text(errors[1].range) == "123456789012345678901.5");
  CHECK(checked.text(errors[2].range) == "1.000000000");
  CHECK(errors[0].message == "decimal `1.123456789` has 9 digits after the point; the limit is 8");
  CHECK(errors[1].message ==
        "decimal `123456789012345678901.5` is out of range; decimals have at most 20 digits "
        "before the point");
  // Trailing zeros count: CQL decimals have at most 8 digits after the point.
  CHECK(errors[2].message == "decimal `1.000000000` has 9 digits after the point; the limit is 8");
}

// Regression: the message for a quantity value out of range used to give the wrong limit
// ("at most 28 digits, 8 of them after the point" for a 21-digit value).
TEST_CASE("E0203: a quantity value out of range states the limit it breaks", "[checker]") {
  const Checked checked(file("fact wait: duration\n" +
                             when("wait < 123456789012345678901 days or wait < 1.123456789 days")));
  REQUIRE(checked.syntax_ok());
  const auto errors = checked.with("E0203");
  REQUIRE(errors.size() == 2);
  CHECK_THAT(errors[0].message, Catch::Matchers::Contains("20 digits before the point"));
  CHECK_THAT(errors[1].message, Catch::Matchers::Contains("9 digits after the point"));
}

// Regression: as the value of a parameter or a fact's limit, -2147483648 used to be negated
// twice (Checker::unary stored INT32_MIN as the operand's value, and constant() negated it
// again): the parameter was reported as overflowing and the fact's minimum became null.
TEST_CASE("the smallest integer, -2147483648, is a valid constant", "[checker]") {
  const Checked checked(
      file("fact n: integer >= -2147483648\n"
           "parameter smallest = -2147483648\n" +
           when("n > smallest")));
  INFO(checked.formatted());
  REQUIRE(checked.syntax_ok());
  CHECK(checked.all().empty());
  CHECK(checked.ok());
  REQUIRE(checked.module().parameters.size() == 1);
  CHECK(rubric::to_literal(checked.module().parameters[0]) == "-2147483648");
  REQUIRE(checked.module().facts.size() == 1);
  REQUIRE(checked.module().facts[0].minimum.has_value());
  CHECK(rubric::to_literal(*checked.module().facts[0].minimum) == "-2147483648");
}

TEST_CASE("E0211: parameter values and fact limits must be constants", "[checker]") {
  const Checked checked(
      file("fact a: integer\n"
           "fact b: integer between 0 and a\n"
           "parameter q = 2 * p_constant\n"
           "parameter p_constant = 3\n"
           "parameter from_definition = 1 + two\n"
           "define two = 2\n" +
           when("b > q and b < from_definition and two > 1")));
  REQUIRE(checked.syntax_ok());
  INFO(checked.formatted());
  CHECK(checked.messages("E0211") ==
        Messages{"expected a constant: a literal, a parameter, or arithmetic over them",
                 "expected a constant: a literal, a parameter, or arithmetic over them"});
  const auto errors = checked.with("E0211");
  REQUIRE(errors.size() == 2);
  CHECK(checked.text(errors[0].range) == "a");
  CHECK(checked.text(errors[1].range) == "two");
  // Parameters may use parameters declared after them.
  CHECK(rubric::to_literal(checked.module().parameters[0]) == "6");
}

// BUG (since 033064e): the checker now evaluates parameters before it
// declares the facts' types (Checker::run: order_dependencies, parameters, then facts). A
// parameter that reads a fact, directly or through a definition, gets the error type from
// Checker::name (checked_.facts is still empty) and no diagnostic at all: the file compiles,
// and the parameter's value is null, so `a > p` is never true.
TEST_CASE("E0211: a parameter that reads a fact is reported", "[checker][!mayfail]") {
  const Checked checked(
      file("fact a: integer\n"
           "parameter p = a + 1\n"
           "parameter flag = d\n"
           "define d = a > 1\n" +
           when("a > p and flag and d")));
  REQUIRE(checked.syntax_ok());
  INFO(checked.formatted());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0211") ==
        Messages{"expected a constant: a literal, a parameter, or arithmetic over them",
                 "expected a constant: a literal, a parameter, or arithmetic over them"});
}

TEST_CASE("E0212: bad fact limits", "[checker]") {
  const Checked checked(
      file("fact vas: decimal between 10 and 0\n"
           "fact grade: integer <= 2.5\n"
           "fact wait: duration >= 0\n"
           "fact flag: boolean >= 1\n"
           "fact dose: mass > 5 days\n"
           "fact window: duration between 2 weeks and 3 days\n"
           "fact point: integer between 3 and 3\n"
           "fact side: code {'a'} < 3\n" +
           when("vas > 1 and grade > 1 and wait > 1 day and flag and dose > 1 'g' and window > 1 "
                "day and point = 3 and side = 'a'")));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0212") ==
        Messages{"the range of fact `vas` is empty: 10.0 is above 0.0",
                 "the limit of integer fact `grade` must be an integer",
                 "the limit of fact `wait` must be a duration; found an integer",
                 "a boolean fact cannot have a range; ranges apply to numbers and quantities",
                 "the limit of fact `dose` must be a quantity of mass; found a duration",
                 "the range of fact `window` is empty: 2 weeks is above 3 days",
                 "a code fact cannot have a range; ranges apply to numbers and quantities"});
  const auto errors = checked.with("E0212");
  REQUIRE(errors.size() == 7);
  CHECK(checked.text(errors[0].range) == "fact vas: decimal between 10 and 0");
  CHECK(checked.text(errors[1].range) == "2.5");
  CHECK(checked.text(errors[2].range) == "0");
  // Limits of a decimal fact written as integers are decimals.
  REQUIRE(checked.module().facts[0].minimum.has_value());
  CHECK(checked.module().facts[0].minimum->kind() == rubric::ValueKind::decimal);
}

TEST_CASE("E0215: code facts and their codes", "[checker]") {
  const Checked checked(
      file("fact side: code {'left', 'right', 'left'}\n"
           "fact other: code {'up', 'down'}\n" +
           when("side = 'lefft' or side in {'right', 'both'} or 'rihgt' != side or side ~ 'Left' "
                "or side !~ 'centre' or side = other or side = 'right' or other = 'up'")));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0215") ==
        Messages{"code `left` is listed twice",
                 "`lefft` is not a code of fact `side`; did you mean `left`?",
                 "`both` is not a code of fact `side`",
                 "`rihgt` is not a code of fact `side`; did you mean `right`?",
                 "`Left` is not a code of fact `side`; did you mean `left`?",
                 "`centre` is not a code of fact `side`"});
  const auto errors = checked.with("E0215");
  REQUIRE(errors.size() == 6);
  CHECK(checked.text(errors[0].range) == "'left'");
  CHECK(checked.position(errors[0]).column == 35);
  CHECK(checked.text(errors[1].range) == "'lefft'");
  // Comparing a code fact with a number is a type error, not a code error.
  const Checked number(file("fact side: code {'l'}\n" + when("side = 1")));
  CHECK(number.messages("E0205") == Messages{"cannot compare a code with an integer using `=`"});
}

TEST_CASE("E0214 and E0205: Coalesce", "[checker]") {
  const Checked checked(
      file("fact pain_vas: decimal\n"
           "fact label: string\n"
           "fact count: integer\n"
           "define mixed = Coalesce(pain_vas, label) > 3\n"
           "define empty = Coalesce() = 1\n"
           "define misspelt = coalesce(pain_vas, 0) > 3\n"
           "define unknown = Max(pain_vas, 0) > 3\n"
           "define numbers = Coalesce(count, pain_vas, 0) > 3\n"
           "define with_null = Coalesce(null, label) = 'x'\n" +
           when("mixed or empty or misspelt or unknown or numbers or with_null")));
  REQUIRE(checked.syntax_ok());
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0205") ==
        Messages{"the arguments of `Coalesce` must have one type; found a string after a "
                 "decimal"});
  CHECK(checked.text(checked.with("E0205")[0].range) == "label");
  CHECK(checked.messages("E0214") ==
        Messages{"`Coalesce` needs at least one argument",
                 "unknown function `coalesce`; did you mean `Coalesce`?",
                 "unknown function `Max`; the functions are `Coalesce` and `Today` and the "
                 "selectors `Date` and `DateTime`"});
  CHECK(checked.text(checked.with("E0214")[1].range) == "coalesce");
}

TEST_CASE("E0205: operators applied to the wrong types", "[checker]") {
  const Checked checked(
      file("fact n: integer\n"
           "fact s: string\n"
           "fact flag: boolean\n"
           "define d1 = not n\n"
           "define d2 = (if flag then 1 else 'one') = 1\n"
           "define d3 = n between 'a' and 'z'\n"
           "define d4 = n in s\n"
           "define d5 = {1, 2} = n\n"
           "define d6 = n in {1, 'two'}\n"
           "define d7 = n + s > 1\n"
           "define d8 = flag < true\n"
           "define d9 = case n when 'one' then true else false end\n"
           "define d10 = true\n"
           "define d11 = -flag = 1\n"
           "define d12 = n is true\n"
           "define d13 = if n then true else false\n"
           "define d14 = case when n then true else false end\n"
           "define d15 = s in {1}\n" +
           when("d1 or d2 or d3 or d4 or d5 or d6 or d7 or d8 or d9 or d10 or d11 or d12 or d13 "
                "or d14 or d15")));
  REQUIRE(checked.syntax_ok());
  CHECK(checked.messages("E0205") ==
        Messages{"expected a boolean operand of `not`; found an integer",
                 "the branches of `if` must have one type; found an integer and a string",
                 "`between` needs comparable values; found an integer between a string and a "
                 "string",
                 "the right side of `in` must be a list such as `{1, 2, 3}`",
                 "a list `{...}` can only follow `in`, as in `x in {1, 2}`",
                 "list elements must have one type; found a string after an integer",
                 "cannot apply `+` to an integer and a string",
                 "cannot compare a boolean with a boolean using `<`",
                 "cannot compare the `case` value, an integer, with a string",
                 "unary `-` needs a number or a quantity; found a boolean",
                 "expected a boolean operand of `is true` or `is false`; found an integer",
                 "expected a boolean condition after `if`; found an integer",
                 "expected a boolean condition after `when`; found an integer",
                 "cannot look for a string in a list of integer"});
}

// BUG (since 033064e): the message doubles its article, "found a a string".
// checker.cpp, Checker::case_when: the format string still says "found a {}" while the
// argument is now a_type_name(type), which includes the article.
TEST_CASE("E0205: the results of case must have one type", "[checker][!mayfail]") {
  const Checked checked(
      file("fact flag: boolean\n" + when("(case when flag then 1 else 'x' end) = 1")));
  REQUIRE(checked.syntax_ok());
  CHECK(checked.messages("E0205") ==
        Messages{"the results of `case` must have one type; found a string after an integer"});
}

TEST_CASE("W0301-W0304: unused declarations", "[checker]") {
  const Checked checked(
      "guideline \"g\"\n"
      "source 1 \"s\"\n"
      "source 2 \"unused\"\n"
      "fact a: boolean\n"
      "fact b: boolean\n"
      "fact unused_fact: integer\n"
      "parameter p = 1\n"
      "parameter carried = 2\n"
      "parameter limit = 3\n"
      "fact limited: integer < limit\n"
      "define d = a and b\n"
      "define used = a\n"
      "recommendation r kind refer text \"t\" cite 1 carry carried when used and limited > 0\n");
  REQUIRE(checked.syntax_ok());
  INFO(checked.formatted());
  // Warnings alone do not make the module fail.
  CHECK(checked.ok());
  CHECK(checked.messages("W0301") == Messages{"fact `unused_fact` is never used"});
  CHECK(checked.messages("W0302") == Messages{"parameter `p` is never used"});
  CHECK(checked.messages("W0303") == Messages{"definition `d` is never used"});
  CHECK(checked.messages("W0304") == Messages{"source 2 is never cited"});
  CHECK(checked.warnings() == 4);
  CHECK(checked.all().size() == 4);
  for (const rubric::Diagnostic& diagnostic : checked.all()) {
    CHECK(diagnostic.severity == rubric::Severity::warning);
  }
  CHECK(checked.text(checked.with("W0301")[0].range) == "unused_fact");
  CHECK(checked.text(checked.with("W0304")[0].range) == "2");
}

namespace {

// One W0306/W0307 case: declarations after the common facts, the recommendation(s), and the
// source text of each expression expected to carry a W0306 warning and a W0307 note.
struct AbsentCase {
  const char* name;
  std::string declarations;
  std::vector<std::string> warned;
  std::vector<std::string> noted;
};

// The texts of the ranges of the diagnostics with this code, in position order.
std::vector<std::string> texts(const Checked& checked, std::string_view code) {
  std::vector<std::string> found;
  for (const rubric::Diagnostic& diagnostic : checked.with(code)) {
    found.push_back(checked.text(diagnostic.range));
  }
  return found;
}

}  // namespace

TEST_CASE("W0306 and W0307: if, case and in that read an absent fact as a value", "[checker]") {
  const std::string facts =
      "fact a: boolean\n"
      "fact b: boolean\n"
      "fact n: integer\n"
      "fact x: decimal\n"
      "fact side: code {'left', 'right'}\n";
  const std::string report_label =
      "recommendation r kind refer text \"t\" cite 1 report label when b\n";
  const std::vector<AbsentCase> cases = {
      {"points added with if",
       when("(if a then 1 else 0) + (if b then 1 else 0) >= 2"),
       {"if a then 1 else 0", "if b then 1 else 0"},
       {}},
      {"an if compared", when("(if a then 5 else 0) >= 5"), {"if a then 5 else 0"}, {}},
      {"negated", when("-(if a then 5 else 0) < 0"), {"if a then 5 else 0"}, {}},
      {"an else that is null", when("(if a then 1 else null) + 1 >= 2"), {}, {}},
      {"conditions that are never null",
       when("(if a is true then 1 else 0) + (if Coalesce(b, false) then 1 else 0) >= 1"),
       {},
       {}},
      {"guarded by is not null", when("a is not null and (if a then 1 else 0) >= 1"), {}, {}},
      {"the else of if a is null",
       when("(if a is null then 0 else if a then 2 else 1) > 0"),
       {},
       {}},
      {"a case through a definition",
       "define pts = case when x >= 5 then 2 when x >= 1 then 1 else 0 end\n" + when("pts * 2 > 1"),
       {"case when x >= 5 then 2 when x >= 1 then 1 else 0 end"},
       {}},
      {"a per-item case ending in null",
       "define pi = case when a then 1 when not a then 0 else null end\n" + when("pi + 1 > 1"),
       {},
       {}},
      {"a score", when("score(1 when a, 1 when b) >= 2"), {}, {}},
      {"a boolean if in a condition", when("if a then b else true"), {}, {"if a then b else true"}},
      {"a boolean if with else null", when("if a then b else null"), {}, {}},
      {"in", when("side in {'left'}"), {}, {"side in {'left'}"}},
      {"in guarded", when("side is not null and side in {'left'}"), {}, {}},
      {"in beside an equality on the same fact",
       when("side = 'left' or side in {'right'}"),
       {},
       {}},
      {"in after and, which it can make false",
       when("b and side in {'right'}"),
       {},
       {"side in {'right'}"}},
      {"a definition no recommendation reaches",
       "define unused_in = side in {'left'}\n" + when("a"),
       {},
       {}},
      {"a reported definition",
       "define label = if a then 'yes' else 'no'\n" + report_label,
       {},
       {"if a then 'yes' else 'no'"}},
      {"guarded across a definition",
       "define in_left = side in {'left'}\n" + when("side is not null and in_left"),
       {},
       {}},
      {"a case on a subject",
       "define label = case n when 1 then 'a' when 2 then 'b' else 'c' end\n" + report_label,
       {},
       {"case n when 1 then 'a' when 2 then 'b' else 'c' end"}},
      {"a case with an independent later row",
       when("case when x > 1 then a when b then true else false end"),
       {},
       {"case when x > 1 then a when b then true else false end"}},
      {"a case whose other rows need the same fact",
       when("case when x > 1 then true when x <= 1 then false else null end"),
       {},
       {}},
      {"equivalence with a constant", when("side ~ 'left'"), {}, {"side ~ 'left'"}},
      {"equivalence guarded", when("side is not null and side ~ 'left'"), {}, {}},
      {"equivalence after and, which it can make false",
       when("b and side ~ 'right'"),
       {},
       {"side ~ 'right'"}},
      {"not equivalent", when("n !~ 3"), {}, {"n !~ 3"}},
      {"equivalence of two facts", when("a ~ b"), {}, {"a ~ b"}},
      {"equality stays unknown", when("side = 'left'"), {}, {}},
      {"the then of if a",
       when("if a then (if a then 1 else 0) > 0 else false"),
       {},
       {"if a then (if a then 1 else 0) > 0 else false"}},
  };
  for (const AbsentCase& test : cases) {
    const Checked checked(file(facts + test.declarations));
    INFO(test.name << "\n" << checked.syntax_errors() << checked.formatted());
    REQUIRE(checked.syntax_ok());
    CHECK(checked.ok());
    CHECK(texts(checked, "W0306") == test.warned);
    CHECK(texts(checked, "W0307") == test.noted);
    for (const rubric::Diagnostic& diagnostic : checked.with("W0307")) {
      CHECK(diagnostic.severity == rubric::Severity::note);
    }
  }
}

TEST_CASE("W0306 and W0307: messages name the facts and what their absence does", "[checker]") {
  const Checked checked(
      file("fact a: boolean\n"
           "fact b: boolean\n"
           "fact n: integer\n"
           "fact x: decimal\n"
           "fact side: code {'left', 'right'}\n"
           "define label = case n when 1 then 'a' else 'c' end\n"
           "recommendation r kind refer text \"t\" cite 1 report label\n"
           "  when (if a and b then 2 else 0) + 1 > 2 or side in {'left', 'right'}\n"
           "    or (case when x > 1 then a when b then true else false end)\n"
           "    or (if x > 1 then a else b)\n"));
  INFO(checked.formatted());
  CHECK(checked.messages("W0306") ==
        Messages{"this `if` counts an absent `a` or `b` as `0`, its `else`, in arithmetic; write "
                 "it as a `score` item (`2 when a and b`) or use `at least N of`, which keep an "
                 "absent item uncertain, or give absence a `null` result"});
  CHECK(checked.messages("W0307") ==
        Messages{"when `n` is absent, this `case` matches no row and takes its `else`; to say "
                 "what absence means, test `n is null` before the `case`",
                 "when `side` is absent, this `in` is false, not unknown; to leave it unknown, "
                 "compare with `=` and `or` (`side = 'left' or side = 'right'`), or test `side is "
                 "null` to say what absence means",
                 "when `b` or `x` is absent, this `case` skips the rows that test it and takes a "
                 "later row or its `else`; to say what absence means, start with a row `when b "
                 "is null then ...`",
                 "when `x` is absent, this `if` takes its `else`; to say what absence means, test "
                 "`x is null` first"});
  CHECK(checked.warnings() == 1);
  const Checked equivalence(
      file("fact side: code {'left', 'right'}\nfact n: integer\n"
           "recommendation r kind refer text \"t\" cite 1\n"
           "  when side ~ 'left' or n !~ 3\n"));
  CHECK(equivalence.messages("W0307") ==
        Messages{"when `side` is absent, this `~` compares it as null (`null ~ 5` is false, "
                 "`null ~ null` true), not unknown; to leave it unknown, compare with `=`, or "
                 "test `side is null` to say what absence means",
                 "when `n` is absent, this `!~` compares it as null (`null !~ 5` is true, "
                 "`null !~ null` false), not unknown; to leave it unknown, compare with `!=`, or "
                 "test `n is null` to say what absence means"});
}

TEST_CASE("E0213, E0216, E0217: header, recommendations, carried parameters", "[checker]") {
  const Checked no_header("source 1 \"s\"\nfact a: boolean\n" + when("a"));
  CHECK(no_header.messages("E0213") ==
        Messages{"missing guideline header; start the file with `guideline \"id\"`"});
  const Checked headers("guideline \"\"\nguideline \"two\"\nsource 1 \"s\"\nfact a: boolean\n" +
                        when("a"));
  CHECK(
      headers.messages("E0213") ==
      Messages{"the guideline id is empty", "a file declares one guideline; this is a second one"});
  const Checked recommendations(
      file("fact a: boolean\n"
           "parameter calcium_daily_dose = 1000 'mg/d'\n"
           "recommendation r kind refer text \"\" cite 1 when a\n"
           "recommendation r kind prescribe text \"t\" cite 1 carry calcium_dose, a, "
           "calcium_daily_dose when not a\n"));
  CHECK(recommendations.messages("E0216") ==
        Messages{"recommendation `r` has an empty text", "recommendation `r` is declared twice"});
  CHECK(recommendations.messages("E0217") ==
        Messages{"`calcium_dose` is not a parameter; `carry` lists parameters; did you mean "
                 "`calcium_daily_dose`?",
                 "`a` is not a parameter; `carry` lists parameters"});
}

TEST_CASE("E0218 and W0305: `excludes` names other recommendations, once", "[checker]") {
  const Checked checked(
      file("fact a: boolean\n"
           "recommendation surgery kind refer text \"t\" cite 1 excludes calcium, surgery, "
           "calcim, calcium, nothing_like_it when a\n"
           "recommendation calcium kind prescribe text \"t\" cite 1 excludes surgery when not "
           "a\n"));
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0218") ==
        Messages{"recommendation `surgery` excludes itself; `excludes` lists the other "
                 "recommendations it must never be made with",
                 "`calcim` is not a recommendation; `excludes` lists recommendation ids; did you "
                 "mean `calcium`?",
                 "`nothing_like_it` is not a recommendation; `excludes` lists recommendation ids"});
  CHECK(checked.messages("W0305") ==
        Messages{"`calcium` is listed twice in the `excludes` of `surgery`",
                 "`calcium` and `surgery` are already declared incompatible; `excludes` works "
                 "both ways, so declare it once"});
  const auto repeated = checked.with("W0305");
  REQUIRE(repeated.size() == 2);
  CHECK(checked.position(repeated[0]).line == 4);
  CHECK(checked.position(repeated[0]).column == 86);
  REQUIRE(repeated[0].notes.size() == 1);
  CHECK(checked.text(repeated[0].notes[0].range) == "calcium");
  CHECK(checked.position(repeated[1]).line == 5);
  CHECK(checked.text(repeated[1].range) == "surgery");

  const Checked fine(
      file("fact a: boolean\n"
           "recommendation surgery kind refer text \"t\" cite 1 excludes calcium, d when a\n"
           "recommendation calcium kind prescribe text \"t\" cite 1 when not a\n"
           "recommendation d kind prescribe text \"t\" cite 1 excludes calcium when a\n"));
  CHECK(fine.ok());
  CHECK(fine.all().empty());
  REQUIRE(fine.module().module.recommendations[0].excluded.size() == 2);
  CHECK(fine.module().module.recommendations[0].excluded[1].name == "d");
}

TEST_CASE("E0219 and E0207: one coverage declaration, with a boolean condition", "[checker]") {
  const Checked checked(file("fact a: boolean\nfact n: integer\n" + when("a") +
                             "coverage when n + 1\ncoverage when a or n > 3 \"second\"\n"));
  CHECK_FALSE(checked.ok());
  CHECK(checked.messages("E0219") ==
        Messages{"a guideline has at most one coverage declaration; join the conditions with "
                 "`or`"});
  REQUIRE(checked.with("E0219").size() == 1);
  CHECK(checked.position(checked.with("E0219")[0]).line == 7);
  CHECK(checked.text(checked.with("E0219")[0].range) == "coverage");
  CHECK(checked.messages("E0207") ==
        Messages{"the condition of the coverage declaration must be a boolean; found an integer"});
  // Names in the condition resolve like any condition's, and count as uses.
  const Checked unknown(
      file("fact a: boolean\nfact b: boolean\n" + when("a") + "coverage when b and c\n"));
  CHECK(unknown.messages("E0201").size() == 1);
  CHECK(unknown.with("W0301").empty());
  const Checked fine(file("fact a: boolean\nfact b: boolean\n" + when("a") +
                          "coverage when b \"every b patient\"\n"));
  CHECK(fine.ok());
  CHECK(fine.all().empty());
  REQUIRE(fine.module().module.coverage.size() == 1);
  CHECK(fine.module().module.coverage[0].description == "every b patient");
}

TEST_CASE("many errors are reported in one run", "[checker]") {
  const Checked checked(
      file("fact pain_vas: decimal between 0 and 10\n"
           "fact age: duration >= 0 days\n"
           "fact side: code {'left', 'right'}\n"
           "fact bad: integer between 5 and 1\n"
           "parameter threshold = 7.5\n"
           "parameter huge = 3000000000\n"
           "define severe = pain_vas >= threshhold\n"
           "define old = age > 65 'mg'\n"
           "define sided = side = 'centre'\n"
           "define loop = loop\n"
           "define strange = 5 'xyz' > 1 'mg'\n"
           "recommendation r kind refers text \"t\" cite 2 when severe or old\n"
           "recommendation s kind refer text \"t\" cite 1 when sided and pain_vas\n"
           "recommendation t kind refer text \"t\" cite 1 carry nothing when unknown_fact\n"
           "recommendation u kind refer text \"t\" cite 1 when loop or strange or bad > huge\n"
           "recommendation v kind refer text \"t\" cite 1 when pain_vas\n"));
  REQUIRE(checked.syntax_ok());
  INFO(checked.formatted());
  CHECK_FALSE(checked.ok());
  const std::vector<std::pair<const char*, std::size_t>> expected = {
      {"E0201", 2}, {"E0203", 1}, {"E0204", 1}, {"E0205", 2}, {"E0206", 1}, {"E0207", 1},
      {"E0208", 1}, {"E0210", 1}, {"E0212", 1}, {"E0215", 1}, {"E0217", 1}};
  std::size_t total = 0;
  for (const auto& [code, count] : expected) {
    INFO("code " << code);
    CHECK(checked.with(code).size() == count);
    total += count;
  }
  CHECK(checked.all().size() - checked.warnings() == total);
}

TEST_CASE("check_expression types a standalone expression against declared facts", "[checker]") {
  rubric::SourceManager sources;
  const rubric::FileId file = sources.add("<expression>", "pain >= 3 and side = 'lefft'");
  rubric::ast::Module module;
  module.file = file;
  rubric::Diagnostics diagnostics;
  const auto id = rubric::parse_expression(sources, file, module, diagnostics);
  REQUIRE(id.has_value());
  rubric::ast::FactDeclaration pain;
  pain.name = {"pain", {file, 0, 0}};
  pain.type.name = rubric::ast::TypeName::decimal;
  module.facts.push_back(pain);
  rubric::ast::FactDeclaration side;
  side.name = {"side", {file, 0, 0}};
  side.type.name = rubric::ast::TypeName::code;
  side.type.codes = {"left", "right"};
  side.type.code_ranges = {{file, 0, 0}, {file, 0, 0}};
  module.facts.push_back(side);
  const rubric::CheckedModule checked =
      rubric::check_expression(std::move(module), *id, sources, diagnostics);
  CHECK_FALSE(checked.ok);
  REQUIRE(diagnostics.all().size() == 1);
  CHECK(diagnostics.all()[0].message ==
        "`lefft` is not a code of fact `side`; did you mean `left`?");
  // No warnings about unused declarations for a standalone expression, and no header needed.
  CHECK(diagnostics.error_count() == 1);
}

TEST_CASE("coding facts, coding literals and `in VALUESET`", "[checker][coding]") {
  const std::string terminology =
      "codesystem SCT = 'http://snomed.info/sct'\n"
      "codesystem ICD = 'http://hl7.org/fhir/sid/icd-10'\n"
      "valueset DIABETES = {SCT '44054006', ICD 'E11'}\n"
      "fact dx: coding \"the principal diagnosis\"\n";
  SECTION("a coding compares with a coding literal, a list of them and a value set") {
    const Checked checked(file(terminology + when("dx = SCT '44054006' or dx != ICD 'E10' or "
                                                  "dx in {SCT 'a', ICD 'b'} or dx in DIABETES")));
    INFO(checked.formatted());
    CHECK(checked.ok());
    CHECK(checked.all().empty());  // the value set is used: no W0309
    const auto& module = checked.module();
    REQUIRE(module.facts.size() == 1);
    CHECK(module.facts[0].type == rubric::Type::of_coding());
    CHECK(rubric::type_name(module.facts[0].type) == "coding");
    // The constants are `SYSTEM|CODE`.
    std::vector<std::string> constants;
    for (std::size_t i = 0; i < module.module.expressions.size(); ++i) {
      if (module.module.expressions[i].kind == rubric::ast::ExprKind::coding_literal &&
          module.constants[i].kind() == rubric::ValueKind::string) {
        constants.emplace_back(module.constants[i].as_string());
      }
    }
    CHECK(constants == std::vector<std::string>{
                           "http://snomed.info/sct|44054006", "http://hl7.org/fhir/sid/icd-10|E10",
                           "http://snomed.info/sct|a", "http://hl7.org/fhir/sid/icd-10|b",
                           "http://snomed.info/sct|44054006",
                           "http://hl7.org/fhir/sid/icd-10|E11"});
  }
  SECTION("an undeclared code system in a literal is E0225 with a suggestion") {
    const Checked checked(file(terminology + when("dx = SNT '44054006' or dx in DIABETES")));
    CHECK_FALSE(checked.ok());
    CHECK(checked.messages("E0225") == Messages{"unknown code system `SNT`; did you mean `SCT`?"});
  }
  SECTION("a coding compares only with a coding") {
    const Checked checked(file(terminology + "fact s: string\nfact n: integer\n" +
                               when("dx = '44054006' or s = SCT 'a' or n in DIABETES or "
                                    "dx < SCT 'b' or dx in {'x'} or dx in DIABETES")));
    CHECK_FALSE(checked.ok());
    CHECK(checked.messages("E0205") == Messages{"cannot compare a coding with a string using `=`",
                                                "cannot compare a string with a coding using `=`",
                                                "cannot look for an integer in a list of coding",
                                                "cannot compare a coding with a coding using `<`",
                                                "cannot look for a coding in a list of string"});
  }
  SECTION("a value set is only the right side of `in`") {
    const Checked checked(file(terminology + when("dx = DIABETES or dx in DIABETES")));
    CHECK_FALSE(checked.ok());
    CHECK(checked.messages("E0205") ==
          Messages{"value set `DIABETES` can only follow `in`, as in `x in DIABETES`"});
  }
  SECTION("a value set not used in any expression or binding is still W0309") {
    const Checked checked(file(terminology + when("dx = SCT 'a'")));
    CHECK(checked.ok());
    CHECK(checked.messages("W0309") == Messages{"value set `DIABETES` is never used"});
  }
}

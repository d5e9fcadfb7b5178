// What would settle an undetermined recommendation (authoring/explain.hpp, SettleOption): a range
// of a missing number's values is claimed only when its outcome is proven for the whole range
// (the fact is only compared with values that do not depend on it); otherwise the options are
// single example values, marked unproven (issue 13). Expected values are worked out by hand
// from the conditions below; the proven ranges are also checked against the evaluator on a
// grid of values inside each range.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "authoring/explain.hpp"
#include "dsl/checker.hpp"
#include "engine/guideline.hpp"
#include "engine/node_operations.hpp"
#include "tools/explain_output.hpp"
#include "tools/fact_file.hpp"

namespace rubric {
namespace {

struct Loaded {
  SourceManager sources;
  std::shared_ptr<const Guideline> guideline;
  FactSet facts;
};

// `body` after a guideline header, and the fact file `yaml` for it.
std::unique_ptr<Loaded> load(const std::string& body, const std::string& yaml) {
  auto loaded = std::make_unique<Loaded>();
  const FileId file = loaded->sources.add(
      "ranges.rubric",
      "guideline \"ranges\" title \"Ranges\" version \"1.0.0\"\nsource 1 \"Source\"\n" + body);
  Diagnostics diagnostics;
  loaded->guideline = Guideline::compile(loaded->sources, file, diagnostics);
  INFO(format_diagnostics(loaded->sources, diagnostics));
  REQUIRE(loaded->guideline != nullptr);
  const FileId facts_file = loaded->sources.add("facts.yaml", yaml);
  auto facts = read_fact_file(loaded->sources, facts_file, loaded->guideline->facts(), diagnostics);
  INFO(format_diagnostics(loaded->sources, diagnostics));
  REQUIRE(facts);
  loaded->facts = *facts;
  return loaded;
}

// The only missing fact of recommendation `r`.
MissingFact missing_of(const Loaded& loaded) {
  const Explanation e = explain(*loaded.guideline, loaded.sources, loaded.facts, 0);
  REQUIRE(e.outcome == Outcome::undetermined);
  REQUIRE(e.missing.size() == 1);
  return e.missing[0];
}

std::string rule(const std::string& when) {
  return "recommendation r\n  kind order\n  text \"R.\"\n  cite 1\n  when " + when + "\n";
}

Outcome outcome_with(const Loaded& loaded, FactId id, const Value& value) {
  FactSet facts = loaded.facts;
  facts.set(id, value);
  EvaluationScratch scratch;
  Decision decision;
  loaded.guideline->evaluate(facts, scratch, decision);
  return decision.outcomes[0];
}

Value decimal(std::string_view text) {
  return Value::decimal(*Decimal::parse(text));
}

TEST_CASE("a fact used in arithmetic: single example values, no range claimed", "[explain]") {
  const auto loaded = load(
      "fact on_dialysis: boolean \"on dialysis\"\nfact weight: mass > 0 'kg' \"body weight\"\n" +
          rule("on_dialysis is false and weight * 15 > 600 'kg' and weight < 150 'kg'"),
      "on_dialysis: false\n");
  const MissingFact weight = missing_of(*loaded);
  CHECK(weight.name == "weight");
  CHECK(weight.unproven_because == "weight is used in `weight * 15`");
  // Examples around 150 kg (compared directly) and 600 kg (compared with `weight * 15`).
  REQUIRE(weight.options.size() == 5);
  const char* values[] = {"149 kg", "150 kg", "151 kg", "600 kg", "601 kg"};
  for (std::size_t i = 0; i < 5; ++i) {
    const SettleOption& option = weight.options[i];
    CHECK(option.values == values[i]);
    CHECK_FALSE(option.proven);
    REQUIRE(option.min);
    REQUIRE(option.max);
    CHECK(display_value(*option.min) == values[i]);
    CHECK(display_value(*option.max) == values[i]);
  }
  // 149 * 15 = 2235 > 600 and 149 < 150; at and above 150 kg, `weight < 150 'kg'` is false.
  CHECK(weight.options[0].outcome == Outcome::recommended);
  for (std::size_t i = 1; i < 5; ++i) {
    CHECK(weight.options[i].outcome == Outcome::absent);
  }
  CHECK(weight.settles_sometimes());
  CHECK_FALSE(weight.settles_always());
  // What the old "below 150 kg: recommended" got wrong: 30 * 15 = 450 is not above 600.
  const Value kg30 = Value::quantity(*Decimal::from_integer(30), weight.options[0].example.unit());
  CHECK(outcome_with(*loaded, weight.id, kg30) == Outcome::absent);
}

TEST_CASE("a fact inside Coalesce: single example values, no range claimed", "[explain]") {
  const auto loaded =
      load("fact x: decimal \"a measurement\"\n" + rule("Coalesce(x, 5) > 4 and x < 8"), "{}\n");
  const MissingFact x = missing_of(*loaded);
  CHECK(x.unproven_because == "x is used in `Coalesce(x, 5)`");
  REQUIRE(x.options.size() == 5);
  // Around 4 (Coalesce(x, 5) > 4) and 8 (x < 8): only 5.0 gives both.
  const char* values[] = {"3.0", "4.0", "5.0", "8.0", "9.0"};
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(x.options[i].values == values[i]);
    CHECK_FALSE(x.options[i].proven);
    CHECK(x.options[i].outcome == (i == 2 ? Outcome::recommended : Outcome::absent));
  }
  CHECK_FALSE(x.settles_always());
}

TEST_CASE("a fact compared with `~`: not claimed constant around its constant", "[explain]") {
  const auto loaded =
      load("fact pain: decimal \"pain\"\n" + rule("pain < 5 or pain ~ 7.0"), "{}\n");
  const MissingFact pain = missing_of(*loaded);
  CHECK(pain.unproven_because == "pain is used in `pain ~ 7.0`");
  for (const SettleOption& option : pain.options) {
    CHECK_FALSE(option.proven);
  }
  // 7.04 is equivalent to 7.0 (one decimal place): no option may say "above 7.0" is absent.
  CHECK(outcome_with(*loaded, pain.id, decimal("7.04")) == Outcome::recommended);
  for (const SettleOption& option : pain.options) {
    CHECK(option.values.find("above") == std::string::npos);
  }
}

TEST_CASE("compared only with constants, through definitions too: proven ranges", "[explain]") {
  const auto loaded = load(
      "fact x: decimal between 0 and 10 \"a measurement\"\nfact y: decimal \"another\"\n"
      "define high = x >= 5 \"high\"\n" +
          rule("high and x < 8 and x < y"),
      "y: 9\n");
  const MissingFact x = missing_of(*loaded);
  CHECK(x.unproven_because.empty());
  REQUIRE(x.options.size() == 3);
  CHECK(x.options[0].values == "below 5.0");
  CHECK(x.options[0].outcome == Outcome::absent);
  CHECK(x.options[1].values == "at least 5.0 and below 8.0");
  CHECK(x.options[1].outcome == Outcome::recommended);
  CHECK(x.options[2].values == "at least 8.0");
  CHECK(x.options[2].outcome == Outcome::absent);
  CHECK(x.settles_always());
  // Every value on a grid of quarters from 0 to 10 gives its range's outcome.
  for (int quarter = 0; quarter <= 40; ++quarter) {
    const Value value = divide(Value::decimal(*Decimal::from_integer(quarter)), Value::integer(4));
    const auto inside = [&](const SettleOption& option) {
      const bool above_min =
          !option.min ||
          (option.min_inclusive ? operations::is_true_value(greater_or_equal(value, *option.min))
                                : operations::is_true_value(greater(value, *option.min)));
      const bool below_max =
          !option.max ||
          (option.max_inclusive ? operations::is_true_value(less_or_equal(value, *option.max))
                                : operations::is_true_value(less(value, *option.max)));
      return above_min && below_max;
    };
    std::size_t containing = 0;
    for (const SettleOption& option : x.options) {
      if (inside(option)) {
        ++containing;
        INFO("x = " << display_value(value) << ", option " << option.values);
        CHECK(option.proven);
        CHECK(outcome_with(*loaded, x.id, value) == option.outcome);
      }
    }
    CHECK(containing == 1);
  }
}

TEST_CASE("an integer with a small declared range is tried value by value", "[explain]") {
  // n * 2 > 6 from n = 4 on; below 8.
  const auto loaded =
      load("fact n: integer between 0 and 10 \"a count\"\n" + rule("n * 2 > 6 and n < 8"), "{}\n");
  const MissingFact n = missing_of(*loaded);
  CHECK(n.unproven_because.empty());
  REQUIRE(n.options.size() == 3);
  CHECK(n.options[0].values == "at most 3");
  CHECK(n.options[0].outcome == Outcome::absent);
  CHECK(n.options[1].values == "at least 4 and at most 7");
  CHECK(n.options[1].outcome == Outcome::recommended);
  CHECK(n.options[2].values == "at least 8");
  CHECK(n.options[2].outcome == Outcome::absent);
  for (const SettleOption& option : n.options) {
    CHECK(option.proven);
  }
  CHECK(n.settles_always());
}

TEST_CASE("JSON says which options are proven", "[explain]") {
  const auto loaded =
      load("fact x: decimal \"a measurement\"\n" + rule("Coalesce(x, 5) > 4 and x < 8"), "{}\n");
  const Explanation e = explain(*loaded->guideline, loaded->sources, loaded->facts, 0);
  const auto json = explanation_to_json(e, loaded->sources);
  const auto& missing = json.at("missing").at(0);
  CHECK(missing.at("proven") == false);
  CHECK(missing.at("unproven_because") == "x is used in `Coalesce(x, 5)`");
  CHECK(missing.at("settles") == "sometimes");
  for (const auto& option : missing.at("options")) {
    CHECK(option.at("proven") == false);
  }
  const std::string text = explanation_to_text(e, loaded->sources);
  CHECK(text.find("x (a measurement; a decimal): no range of values is proven to give one "
                  "outcome (x is used in `Coalesce(x, 5)`); single values tried:\n"
                  "    3.0: not recommended\n") != std::string::npos);

  const auto exact = load("fact x: decimal \"a measurement\"\n" + rule("x > 4 and x < 8"), "{}\n");
  const auto proven = explanation_to_json(
      explain(*exact->guideline, exact->sources, exact->facts, 0), exact->sources);
  CHECK(proven.at("missing").at(0).at("proven") == true);
  CHECK_FALSE(proven.at("missing").at(0).contains("unproven_because"));
  CHECK(proven.at("missing").at(0).at("options").at(1).at("values") == "above 4.0 and below 8.0");
  CHECK(proven.at("missing").at(0).at("options").at(1).at("proven") == true);
}

}  // namespace
}  // namespace rubric

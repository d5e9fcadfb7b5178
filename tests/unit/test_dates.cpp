// Dates and date-times in rule files (issue 16 §1): literals, the `date` and `datetime` fact
// types, comparison with precision, calendar arithmetic, `<unit>s between`, the `Date` and
// `DateTime` selectors, their diagnostics, fact values and the formatter. The values layer's
// own operations are tested in test_date_time.cpp; here, what the language makes of them.
// Every expected value is worked out by hand from HL7 CQL 1.5 (Appendix B and H) and
// docs/semantics.md#dates.

#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "dsl/formatter.hpp"
#include "dsl/source.hpp"
#include "engine/expression.hpp"
#include "engine/guideline.hpp"
#include "engine/program.hpp"
#include "values/fact_value_reader.hpp"

namespace rubric {
namespace {

// The value of `text` as a CQL literal, or "error[CODE]: message" for the first diagnostic.
std::string value_of(std::string_view text) {
  SourceManager sources;
  const FileId file = sources.add("expression", std::string(text));
  Diagnostics diagnostics;
  const std::optional<ExpressionResult> result =
      evaluate_expression(sources, file, {}, diagnostics);
  if (result) {
    return result->literal;
  }
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    if (diagnostic.severity == Severity::error) {
      return "error[" + std::string(diagnostic.code) + "]: " + diagnostic.message;
    }
  }
  return "rejected without an error";
}

struct Row {
  std::string_view expression;
  std::string_view expected;
};

TEST_CASE("date expressions give CQL's values", "[dates]") {
  const std::vector<Row> rows = {
      // Literals come back as written (canonical form).
      {"@2026-06-15", "@2026-06-15"},
      {"@2026-06", "@2026-06"},
      {"@2026-06-15T10:30:00Z", "@2026-06-15T10:30:00Z"},
      {"@2026-06-15T10:30:00+01:00", "@2026-06-15T10:30:00+01:00"},
      {"@2026-06-15T", "@2026-06-15T"},
      // Comparison with precision: equal common fields and different precisions are unknown.
      {"@2026-06 = @2026-06-15", "null"},
      {"@2026-06 != @2026-06-15", "null"},
      {"@2026-05 < @2026-06-15", "true"},
      {"@2026-07 > @2026-06-15", "true"},
      {"@2026-06-15 = @2026-06-15", "true"},
      {"@2026-06-15 < @2026-06-16", "true"},
      {"@2026-06-15 >= @2026-06-16", "false"},
      {"@2026-06-15 ~ @2026-06", "false"},
      {"@2026-06-15 ~ @2026-06-15", "true"},
      {"@2026-06-15 between @2026-06-01 and @2026-06-30", "true"},
      {"@2026-06-15 in {@2026-06-14, @2026-06-15}", "true"},
      {"null = @2026-06-15", "null"},
      // Offsets are normalised: 10:30 at +01:00 is 09:30 UTC.
      {"@2026-06-15T10:30:00+01:00 = @2026-06-15T09:30:00Z", "true"},
      {"@2026-06-15T10:30:00+01:00 < @2026-06-15T10:00:00Z", "true"},
      // A Date meets a DateTime as a DateTime of day precision.
      {"@2026-06-15 = @2026-06-15T", "true"},
      {"@2026-06-15 < @2026-06-16T10:00:00Z", "true"},
      // Calendar arithmetic: the day is clamped to the month's end.
      {"@2014-01-31 + 1 month", "@2014-02-28"},
      {"@2016-01-31 + 1 month", "@2016-02-29"},
      {"@2012-02-29 + 1 year", "@2013-02-28"},
      {"@2026-06-15 - 2 weeks", "@2026-06-01"},
      {"@2026-03-01 - 1 day", "@2026-02-28"},
      {"@2026-12-31 + 1 day", "@2027-01-01"},
      {"1 month + @2014-01-31", "@2014-02-28"},
      {"@2026-06-15 + 14 'd'", "@2026-06-29"},
      {"@2026-06-15T23:30:00Z + 1 hour", "@2026-06-16T00:30:00Z"},
      // A fraction of a unit above seconds is dropped; a unit finer than the precision is
      // converted to it and truncated.
      {"@2026-06-15 + 1.5 days", "@2026-06-16"},
      {"@2026-06-15 + 47 hours", "@2026-06-16"},
      {"@2026-06 + 45 days", "@2026-07"},
      {"@2026-06-15 + null", "null"},
      {"@9999-12-31 + 1 day", "null"},
      // Whole periods between two dates (CQL DurationBetween).
      {"years between @1954-06-15 and @2026-06-15", "72"},
      {"years between @1954-06-16 and @2026-06-15", "71"},
      {"years between @2026-06-15 and @1954-06-15", "-72"},
      {"months between @2014-01-31 and @2014-02-28", "0"},
      {"months between @2014-01-31 and @2014-03-01", "1"},
      {"days between @2026-05-16 and @2026-06-15", "30"},
      {"days between @2026-05-15 and @2026-06-15", "31"},
      {"weeks between @2026-06-01 and @2026-06-15", "2"},
      {"hours between @2026-06-15T00:00:00Z and @2026-06-15T10:59:59Z", "10"},
      // 23:00 at -02:00 is 01:00 UTC on the 16th: 23 hours before midnight UTC on the 17th.
      {"days between @2026-06-15T23:00:00-02:00 and @2026-06-17T00:00:00Z", "0"},
      {"days between @2026-06-15T21:00:00-02:00 and @2026-06-17T00:00:00Z", "1"},
      // Precisions that leave the count uncertain give null (CQL: an uncertainty interval).
      {"years between @2005 and @2010", "null"},
      {"days between @2014-01-15 and @2014-02", "null"},
      {"years between @2005-03 and @2010-07", "5"},
      // Born some day of 1950: 75 or 76 on 2026-06-15, so the count is uncertain.
      {"years between @1950 and @2026-06-15", "null"},
      {"years between null and @2026-06-15", "null"},
      {"(days between @2026-01-01 and @2026-03-01) + 1", "60"},
      {"years between @1954-06-15 and @2026-06-15 >= 65", "true"},
      // The selectors are constants.
      {"Date(2026, 6, 15)", "@2026-06-15"},
      {"Date(2026)", "@2026"},
      {"DateTime(2026, 6, 15, 10, 30, 0, 0, 1.0)", "@2026-06-15T10:30:00.000+01:00"},
      {"DateTime(2026, 6, 15, 10, 30, 0, 0, -5.5)", "@2026-06-15T10:30:00.000-05:30"},
      {"DateTime(2026, 6, 15)", "@2026-06-15T"},
      {"Date(2026, 6, 15) = @2026-06-15", "true"},
  };
  for (const Row& row : rows) {
    INFO(row.expression);
    CHECK(value_of(row.expression) == row.expected);
  }
}

TEST_CASE("date expressions that are not valid are compile-time errors", "[dates]") {
  const std::vector<Row> rows = {
      {"@2026-02-29", "error[E0223]: `2026-02-29` is not a date: February 2026 has 28 days"},
      {"@2026-13-01", "error[E0223]: `2026-13-01` is not a date: the month must be from 01 to 12"},
      // The second date is a term: `+ 1` belongs to it, as in `x between a and b + 1`.
      {"days between @2026-01-01 and @2026-03-01 + 1",
       "error[E0205]: cannot apply `+` to a date and an integer; a date takes `+` or `-` with a "
       "duration, as in `@2026-06-15 + 1 month`, and `years between a and b` counts the years "
       "between two dates"},
      {"@2026-06-15 + 3",
       "error[E0205]: cannot apply `+` to a date and an integer; a date takes `+` or `-` with a "
       "duration, as in `@2026-06-15 + 1 month`, and `years between a and b` counts the years "
       "between two dates"},
      {"1 day - @2026-06-15",
       "error[E0205]: cannot apply `-` to a duration and a date; a date takes `+` or `-` with a "
       "duration, as in `@2026-06-15 + 1 month`, and `years between a and b` counts the years "
       "between two dates"},
      {"@2026-06-15 + 1 'mo'",
       "error[E0205]: `1 'mo'` is not a calendar duration; a UCUM year (`'a'`) or month (`'mo'`) "
       "is a fixed length: write the calendar word, as in `1 year` or `6 months`"},
      {"@2026-06-15 + 5 'mg'",
       "error[E0205]: cannot apply `+` to a date and a quantity of mass; a date takes `+` or `-` "
       "with a duration, as in `@2026-06-15 + 1 month`, and `years between a and b` counts the "
       "years between two dates"},
      {"@2026-06-15 < 3", "error[E0205]: cannot compare a date with an integer using `<`"},
      {"@2026-06-15 - @2026-06-01",
       "error[E0205]: cannot apply `-` to a date and a date; a date takes `+` or `-` with a "
       "duration, as in `@2026-06-15 + 1 month`, and `years between a and b` counts the years "
       "between two dates"},
      {"years between 3 and @2026-06-15",
       "error[E0205]: `years between` needs two dates; found an integer and a date"},
      {"Date(2026, 2, 30)",
       "error[E0223]: `Date(2026, 2, 30)` is not a real date and time: a field is out of its "
       "range or the offset is beyond 14 hours"},
      {"Date(2026, 6, 15, 1)",
       "error[E0214]: `Date` takes 1 to 3 number literals, `Date(year, month, day)`; for a "
       "value computed from facts, use `+` with a duration"},
      {"Date(2026.5)", "error[E0223]: the fields of `Date` are integers; found 2026.5"},
      {"DateTime(2026, 6, 15, 10, 30, 0, 0, 0.01)",
       "error[E0223]: the offset `0.01` is not a whole number of minutes"},
      {"Dat(2026)", "error[E0214]: unknown function `Dat`; did you mean `Date`?"},
  };
  for (const Row& row : rows) {
    INFO(row.expression);
    CHECK(value_of(row.expression) == row.expected);
  }
}

TEST_CASE("date literals that do not follow the grammar are syntax errors", "[dates]") {
  CHECK(value_of("@") ==
        "error[E0101]: expected a date after `@`, as in `@2026-06-15` or "
        "`@2026-06-15T10:30:00Z`; found the end of the file");
  CHECK(value_of("@2026-06-15x = @2026-06-15") ==
        "error[E0101]: unexpected character in a date; write `@YYYY-MM-DD`, "
        "`@YYYY-MM-DDThh:mm:ss` or with an offset, `Z` or `+hh:mm`; found `x`");
}

// A guideline with one recommendation over date facts.
struct Compiled {
  SourceManager sources;
  Diagnostics diagnostics;
  std::shared_ptr<const Guideline> guideline;
};

std::unique_ptr<Compiled> compile(std::string_view body) {
  auto compiled = std::make_unique<Compiled>();
  const FileId file = compiled->sources.add(
      "dates.rubric",
      "guideline \"dates\" title \"Dates\" version \"1\"\nsource 1 \"S\"\n" + std::string(body));
  compiled->guideline = Guideline::compile(compiled->sources, file, compiled->diagnostics);
  return compiled;
}

// The outcome of recommendation 0 for the date facts given as fact files write them
// (an empty text: absent).
std::string outcome(const Guideline& guideline, const std::vector<std::string>& values) {
  FactSet facts(guideline.facts().size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (values[k].empty()) {
      continue;
    }
    const FactValueReading reading =
        read_fact_value(guideline.facts()[k], WrittenScalar{ScalarKind::string, values[k], false});
    if (!reading.accepted()) {
      return reading.message;
    }
    facts.set(FactId{static_cast<std::uint32_t>(k)}, reading.value);
  }
  const Decision decision = guideline.evaluate(facts);
  switch (decision.outcomes[0]) {
    case Outcome::recommended: return "recommended";
    case Outcome::absent: return "not made";
    case Outcome::undetermined: return "undetermined";
  }
  return "?";
}

TEST_CASE("date facts are read from ISO texts and decide recommendations", "[dates]") {
  const auto compiled = compile(
      "fact birth_date: date\n"
      "fact visit: date\n"
      "recommendation screen kind assess text \"Screen.\" cite 1\n"
      "  when years between birth_date and visit >= 65\n");
  INFO(format_diagnostics(compiled->sources, compiled->diagnostics));
  REQUIRE(compiled->guideline != nullptr);
  const Guideline& guideline = *compiled->guideline;
  // 65 from the 65th birthday on.
  CHECK(outcome(guideline, {"1961-06-15", "2026-06-15"}) == "recommended");
  CHECK(outcome(guideline, {"1961-06-16", "2026-06-15"}) == "not made");
  // Born on 29 February: 65 completed years on 1 March 2025, not on 28 February.
  CHECK(outcome(guideline, {"1960-02-29", "2025-02-28"}) == "not made");
  CHECK(outcome(guideline, {"1960-02-29", "2025-03-01"}) == "recommended");
  CHECK(outcome(guideline, {"", "2026-06-15"}) == "undetermined");
  // A year of birth alone leaves the age uncertain when the birthday matters.
  CHECK(outcome(guideline, {"1961", "2026-06-15"}) == "undetermined");
  // Pinned: an uncertain count is null even where every possible count passes the test
  // (born in 1950: 75 or 76).
  CHECK(outcome(guideline, {"1950", "2026-06-15"}) == "undetermined");
  // Bad values name the fact and what it takes.
  CHECK(outcome(guideline, {"2026-02-29", "2026-06-15"}) ==
        "fact `birth_date` must be a date written `YYYY-MM-DD`, such as `2026-06-15`; found "
        "`2026-02-29`; February 2026 has 28 days");
  CHECK(outcome(guideline, {"2026-06-15T10:00:00Z", "2026-06-15"}) ==
        "fact `birth_date` must be a date written `YYYY-MM-DD`, such as `2026-06-15`; found "
        "`2026-06-15T10:00:00Z`; a date has no time of day");
  CHECK(
      outcome(guideline, {"15/06/1961", "2026-06-15"})
          .starts_with(
              "fact `birth_date` must be a date written `YYYY-MM-DD`, such as `2026-06-15`; found "
              "`15/06/1961`"));
}

TEST_CASE("a date fact takes a year written as a plain number", "[dates]") {
  FactSpec birth;
  birth.name = "birth_date";
  birth.type = Type::of(TypeKind::date);
  const auto read = [&](ScalarKind kind, std::string_view text) {
    const FactValueReading reading = read_fact_value(birth, WrittenScalar{kind, text, false});
    return reading.accepted() ? to_literal(reading.value) : reading.message;
  };
  CHECK(read(ScalarKind::number, "1954") == "@1954");  // YAML `birth_date: 1954`
  CHECK(read(ScalarKind::string, "1954") == "@1954");
  CHECK(read(ScalarKind::number, "0000").starts_with("fact `birth_date` must be a date"));
  CHECK(read(ScalarKind::number, "195").starts_with("fact `birth_date` must be a date"));
  CHECK(read(ScalarKind::number, "19540").starts_with("fact `birth_date` must be a date"));
  CHECK(read(ScalarKind::number, "1954.0").starts_with("fact `birth_date` must be a date"));
  CHECK(read(ScalarKind::number, "-1954").starts_with("fact `birth_date` must be a date"));
  CHECK(read(ScalarKind::boolean, "true").starts_with("fact `birth_date` must be a date"));
}

TEST_CASE("a datetime fact takes a date-time or a date", "[dates]") {
  const auto compiled = compile(
      "fact seen: datetime\n"
      "recommendation late kind assess text \"Late.\" cite 1\n"
      "  when seen > @2026-06-15T12:00:00Z\n");
  INFO(format_diagnostics(compiled->sources, compiled->diagnostics));
  REQUIRE(compiled->guideline != nullptr);
  const Guideline& guideline = *compiled->guideline;
  CHECK(outcome(guideline, {"2026-06-15T13:00:00+02:00"}) == "not made");  // 11:00 UTC
  CHECK(outcome(guideline, {"2026-06-15T13:00:00Z"}) == "recommended");
  // A date has no hour: against noon on that day, the order is unknown.
  CHECK(outcome(guideline, {"2026-06-15"}) == "undetermined");
  CHECK(outcome(guideline, {"2026-06-16"}) == "recommended");
}

TEST_CASE("the formatter keeps `between` counts readable and their meaning", "[dates]") {
  // The `when` line of the canonical form of a guideline whose condition is `condition`.
  const auto formatted_condition = [](std::string_view condition) {
    SourceManager sources;
    const FileId file =
        sources.add("f.rubric",
                    "guideline \"g\" title \"G\" version \"1\"\nsource 1 \"S\"\nfact a: date\n"
                    "fact b: date\nrecommendation r kind assess text \"T.\" cite 1 when " +
                        std::string(condition) + "\n");
    Diagnostics diagnostics;
    const std::string text = format_source(sources, file, diagnostics).value_or("");
    const std::size_t when = text.find("when ");
    return when == std::string::npos ? "<no when>"
                                     : text.substr(when, text.find('\n', when) - when);
  };
  // Followed by an operator it would take in, a count keeps its parentheses.
  CHECK(formatted_condition("(days  between a and  b) + 1 > 30") ==
        "when (days between a and b) + 1 > 30");
  // Followed by a comparison, it needs none.
  CHECK(formatted_condition("(years between a and b) >= 65") == "when years between a and b >= 65");
  CHECK(formatted_condition("a   <  @2026-06-15  +  1 month") == "when a < @2026-06-15 + 1 month");
  CHECK(formatted_condition("a < Date(2026,6,15)") == "when a < Date(2026, 6, 15)");
}

// The first error's code and message, or "" when the text compiles.
std::string first_error(const Compiled& compiled) {
  for (const Diagnostic& diagnostic : compiled.diagnostics.all()) {
    if (diagnostic.severity == Severity::error) {
      return std::string(diagnostic.code) + ": " + diagnostic.message;
    }
  }
  return "";
}

TEST_CASE("Today() reads the evaluation date, an input of every evaluation", "[dates]") {
  const auto compiled = compile(
      "fact last_visit: date\n"
      "recommendation recall kind follow-up text \"Recall.\" cite 1\n"
      "  when months between last_visit and Today() >= 12\n");
  INFO(format_diagnostics(compiled->sources, compiled->diagnostics));
  REQUIRE(compiled->guideline != nullptr);
  const Guideline& guideline = *compiled->guideline;
  // The evaluation date is a fact after the declared ones, which fact files cannot name.
  REQUIRE(guideline.facts().size() == 2);
  CHECK(guideline.facts()[1].name == "Today()");
  CHECK(guideline.facts()[1].evaluation_date);
  CHECK(guideline.facts()[1].type.kind == TypeKind::date);
  REQUIRE(guideline.evaluation_date() == FactId{1});
  CHECK_FALSE(guideline.facts()[0].evaluation_date);

  const auto outcome_on = [&](const char* last_visit, const char* as_of) {
    FactSet facts(guideline.facts().size());
    facts.set(FactId{0}, Value::date_time(*DateTime::parse(last_visit).value));
    if (as_of != nullptr) {
      guideline.set_evaluation_date(facts, *DateTime::parse(as_of).value);
    }
    return guideline.evaluate(facts);
  };
  // Whole calendar months: 12 on 2026-06-15, 11 the day before.
  CHECK(outcome_on("2025-06-15", "2026-06-15").outcomes[0] == Outcome::recommended);
  CHECK(outcome_on("2025-06-15", "2026-06-14").outcomes[0] == Outcome::absent);
  // From 31 January, a month later is the end of February.
  CHECK(outcome_on("2025-01-31", "2026-01-30").outcomes[0] == Outcome::absent);
  CHECK(outcome_on("2025-01-31", "2026-01-31").outcomes[0] == Outcome::recommended);
  // Without an evaluation date, the recommendation waits on it.
  const Decision without = outcome_on("2025-06-15", nullptr);
  CHECK(without.outcomes[0] == Outcome::undetermined);
  CHECK(without.missing[0] == std::vector<FactId>{FactId{1}});
  // The deciding facts name it.
  FactSet facts(2);
  facts.set(FactId{0}, Value::date_time(*DateTime::parse("2025-06-15").value));
  guideline.set_evaluation_date(facts, *DateTime::parse("2026-07-01").value);
  EvaluationScratch scratch;
  Decision decision;
  guideline.evaluate(facts, scratch, decision);
  REQUIRE(decision.outcomes[0] == Outcome::recommended);
  std::vector<std::uint32_t> deciding;
  for (const FactId fact : guideline.deciding_facts(0, scratch)) {
    deciding.push_back(fact.value);
  }
  std::sort(deciding.begin(), deciding.end());
  CHECK(deciding == std::vector<std::uint32_t>{0, 1});
}

TEST_CASE("Today() takes no arguments and is not a constant", "[dates]") {
  CHECK(first_error(*compile("fact d: date\n"
                             "recommendation r kind assess text \"R.\" cite 1\n"
                             "  when d < Today(1)\n")) ==
        "E0214: `Today()` takes no arguments; it is the evaluation date");
  CHECK(first_error(*compile("parameter cutoff = Today()\n"
                             "fact d: date\n"
                             "recommendation r kind assess text \"R.\" cite 1\n"
                             "  when d < cutoff\n"))
            .starts_with("E0"));
  CHECK(first_error(*compile("fact d: date\n"
                             "recommendation r kind assess text \"R.\" cite 1\n"
                             "  when d < today()\n")) ==
        "E0214: unknown function `today`; did you mean `Today`?");
  // A guideline without Today() has no evaluation date's fact; setting one changes nothing.
  const auto plain = compile(
      "fact d: date\n"
      "recommendation r kind assess text \"R.\" cite 1\n"
      "  when d < @2026-01-01\n");
  REQUIRE(plain->guideline != nullptr);
  CHECK_FALSE(plain->guideline->evaluation_date());
  FactSet facts(1);
  plain->guideline->set_evaluation_date(facts, *DateTime::parse("2026-06-15").value);
  CHECK(facts.get(FactId{0}).is_null());
}

// Found by the differential fuzzer: the compact program read a date's state past the end of
// its per-kind table, so `is null` of a present date could come out true.
TEST_CASE("a present date is known to every evaluator", "[dates]") {
  const DateTime day = *DateTime::parse("2026-06-15").value;
  CHECK(state_of(Value::date_time(day)) == kStateKnown);
  CHECK(state_of(Value()) == kStateNull);
  CHECK(state_of(Value::boolean(true)) == kStateTrue);
  CHECK(state_of(Value::boolean(false)) == kStateFalse);
  CHECK(state_of(Value::integer(0)) == kStateKnown);
  CHECK(state_of(Value::string("")) == kStateKnown);

  const auto compiled = compile(
      "fact seen: date\n"
      "recommendation unseen kind assess text \"Unseen.\" cite 1\n"
      "  when (seen - 1 day) is null\n"
      "recommendation known kind assess text \"Known.\" cite 1\n"
      "  when seen is not null\n");
  INFO(format_diagnostics(compiled->sources, compiled->diagnostics));
  REQUIRE(compiled->guideline != nullptr);
  const Guideline& guideline = *compiled->guideline;
  for (const char* text : {"2026", "2026-06", "2026-06-15"}) {
    INFO(text);
    FactSet facts(1);
    facts.set(FactId{0}, Value::date_time(*DateTime::parse(text).value));
    const Decision decision = guideline.evaluate(facts);
    CHECK(decision.outcomes == std::vector<Outcome>{Outcome::absent, Outcome::recommended});
    EvaluationScratch scratch;
    Decision full;
    guideline.evaluate_with_values(facts, scratch, full);
    CHECK(full.outcomes == decision.outcomes);
    FactBlock block(1);
    block.push_back(facts);
    BlockScratch block_scratch;
    BlockDecision block_decision;
    guideline.evaluate(block, block_scratch, block_decision);
    CHECK(block_decision.outcome(0, 0) == Outcome::absent);
    CHECK(block_decision.outcome(0, 1) == Outcome::recommended);
  }
}

}  // namespace
}  // namespace rubric

// The evaluators `rubric compile --emit-cpp` generated at build time (tests/emit/CMakeLists.txt)
// against the library's Guideline::evaluate: same outcome for every recommendation and the
// same missing facts, on random fact sets whose values sit on, around and between the
// guideline's thresholds (in several units), with absent facts. Also the E0701 diagnostics
// for what the generator does not compile, and the `rubric compile` command line.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "af_generated.hpp"
#include "authoring/emit_cpp.hpp"
#include "compare_generated.hpp"
#include "constructs_generated.hpp"
#include "curb_generated.hpp"
#include "dsl/diagnostic.hpp"
#include "engine/guideline.hpp"
#include "exact_generated.hpp"
#include "fact_conversion.hpp"
#include "null_constant_generated.hpp"
#include "scores_generated.hpp"
#include "seed_generated.hpp"
#include "tools/cli.hpp"
#include "values/fact_value_reader.hpp"
#include "values/units.hpp"

namespace {

using namespace rubric;
using namespace rubric::emit_testing;

RUBRIC_EMIT_TRAITS(SeedTraits, seed_generated);
RUBRIC_EMIT_TRAITS(ConstructsTraits, test::constructs_generated);
RUBRIC_EMIT_TRAITS(NullConstantTraits, test::null_constant_generated);
RUBRIC_EMIT_TRAITS(ScoresTraits, test::scores_generated);
RUBRIC_EMIT_TRAITS(ExactTraits, test::exact_generated);
RUBRIC_EMIT_TRAITS(AfTraits, test::af_generated);
RUBRIC_EMIT_TRAITS(CurbTraits, test::curb_generated);

// A generated header's set of facts (`Missing`) holding the named facts.
template <typename FactSet, typename FactIndex>
FactSet named_facts(std::initializer_list<const char*> names, FactIndex fact_index) {
  FactSet out;
  for (const char* name : names) {
    out.set(fact_index(name));
  }
  return out;
}

// The index of `id` in a generated header's kRecommendationIds (its size when absent).
template <typename Ids>
std::size_t position(const Ids& ids, std::string_view id) {
  return static_cast<std::size_t>(std::find(ids.begin(), ids.end(), id) - ids.begin());
}

}  // namespace

TEST_CASE("the seed's generated evaluator agrees with the library") {
  check_tally(compare_with_library<SeedTraits>(RUBRIC_EMIT_SEED, 1, 20000), 15000);
}

TEST_CASE("every construct's generated evaluator agrees with the library") {
  check_tally(compare_with_library<ConstructsTraits>(RUBRIC_EMIT_CONSTRUCTS, 7, 40000), 30000);
}

TEST_CASE("a guideline with null constants gets a generated evaluator that agrees") {
  check_tally(compare_with_library<NullConstantTraits>(RUBRIC_EMIT_NULL_CONSTANT, 5, 20000), 15000);
}

TEST_CASE("points scores' generated evaluator agrees with the library") {
  check_tally(compare_with_library<ScoresTraits>(RUBRIC_EMIT_SCORES, 11, 40000), 30000);
}

TEST_CASE("a score test's outcome and missing facts, worked out by hand") {
  namespace g = test::scores_generated;
  using g::fact_index;
  const auto missing = [](std::initializer_list<const char*> names) {
    return named_facts<g::Missing>(names, fact_index);
  };
  const auto index = [](std::string_view id) { return position(g::kRecommendationIds, id); };
  g::Decision decision;
  SECTION("80 years old with a stroke, every other item absent") {
    // points: 2 (age) + 2 (stroke) known, up to 5 more unknown, each of weight 1: [4, 9].
    g::Facts facts;
    facts.age = 80;
    facts.mark_present(fact_index("age"));
    facts.stroke = true;
    facts.mark_present(fact_index("stroke"));
    g::evaluate(facts, decision);
    CHECK(decision.outcome(index("r_at_least_2")) == g::Outcome::recommended);
    CHECK(decision.outcome(index("r_below_1")) == g::Outcome::absent);
    CHECK(decision.outcome(index("r_parameter")) == g::Outcome::recommended);  // >= 4
    // > 6: a total of 7 needs 3 of the 5 unknown items, so each of them could decide it.
    CHECK(decision.outcome(index("r_greater")) == g::Outcome::undetermined);
    CHECK(
        decision.missing[index("r_greater")] ==
        missing({"heart_failure", "hypertension", "diabetes", "vascular", "aged_65_74", "female"}));
    // mixed = 2 (stroke) + 1.5 diabetes - bleeding + 0.25 (urea > 7) >= 1.75 holds with
    // diabetes, and without it exactly when there is no bleeding; urea never decides.
    CHECK(decision.outcome(index("r_mixed")) == g::Outcome::undetermined);
    CHECK(decision.missing[index("r_mixed")] == missing({"diabetes", "bleeding"}));
    // mixed is at least 2 - 1 = 1: never <= 0.
    CHECK(decision.outcome(index("r_mixed_below")) == g::Outcome::absent);
    CHECK(decision.outcome(index("r_two_of")) == g::Outcome::undetermined);
    CHECK(decision.missing[index("r_two_of")] == missing({"fever", "cough", "dyspnoea", "chills"}));
    // smoker and (points >= 3, true): waits on smoker; at least 3 of 3 unknown: on all three.
    CHECK(decision.outcome(index("r_with_logic")) == g::Outcome::undetermined);
    CHECK(decision.missing[index("r_with_logic")] == missing({"smoker", "fever", "cough", "urea"}));
  }
  SECTION("known items decide despite absent ones") {
    // Diabetes, no bleeding, urea 8: mixed is 1.75 without stroke (absent), 3.75 with it.
    g::Facts facts;
    facts.diabetes = true;
    facts.mark_present(fact_index("diabetes"));
    facts.bleeding = false;
    facts.mark_present(fact_index("bleeding"));
    facts.urea = 8 * g::kFixedPointOne;
    facts.mark_present(fact_index("urea"));
    facts.fever = true;
    facts.mark_present(fact_index("fever"));
    facts.cough = false;
    facts.mark_present(fact_index("cough"));
    facts.dyspnoea = true;
    facts.mark_present(fact_index("dyspnoea"));
    g::evaluate(facts, decision);
    // 1.5 + 0.25 = 1.75 known: reached whatever stroke is.
    CHECK(decision.outcome(index("r_mixed")) == g::Outcome::recommended);
    CHECK(decision.outcome(index("r_mixed_below")) == g::Outcome::absent);
    CHECK(decision.outcome(index("r_two_of")) == g::Outcome::recommended);
    // at least 3 of (fever, cough, urea > 7) is false (cough), so the condition is
    // `smoker and points >= 3`; with only diabetes (1) known, points ranges over [1, 10] and
    // each unknown item (weights 1 and 2) could take it from below 3 to 3 or more.
    CHECK(decision.outcome(index("r_with_logic")) == g::Outcome::undetermined);
    CHECK(decision.missing[index("r_with_logic")] ==
          missing({"smoker", "heart_failure", "hypertension", "age", "stroke", "vascular",
                   "aged_65_74", "female"}));
    CHECK(decision.outcome(index("r_at_least_2")) == g::Outcome::undetermined);
    CHECK(decision.outcome(index("r_below_1")) == g::Outcome::absent);
  }
}

TEST_CASE("exact outcomes: the generated search agrees with the library") {
  const Tally tally = compare_with_library<ExactTraits>(RUBRIC_EMIT_EXACT, 13, 30000);
  check_tally(tally, 20000);
  CHECK(tally.decided_despite > 1000);
}

TEST_CASE("AF and CURB-65: the generated evaluators agree with the library") {
  // Their searches fit the budget (Guideline::search_fits) for some fact sets and not for
  // others; the generated code must decide the budget as the library does.
  for (const auto& [path, header] :
       {std::pair{RUBRIC_EMIT_AF, "af"}, std::pair{RUBRIC_EMIT_CURB, "curb"}}) {
    INFO(header);
    const Tally tally = std::string_view(header) == "af"
                            ? compare_with_library<AfTraits>(path, 17, 20000)
                            : compare_with_library<CurbTraits>(path, 19, 20000);
    check_tally(tally, 15000);
    if (std::string_view(header) == "af") {
      CHECK(tally.decided_despite > 100);  // CURB-65's searches rarely decide despite a fact
    }
  }
  // By hand: with every fact absent, AF's searches fit (its largest, `doac_preferred`, is
  // 10^2 x 1,792 combinations x 51 nodes = 9,139,200 <= 2^24) and CURB-65's
  // `hospital_supervised_care` does not; with only a few facts absent, it does.
  const auto fits = [](const char* path, std::string_view id,
                       const std::vector<std::pair<std::string, std::string>>& present) {
    const auto compiled = compile_text(path, read_text(path));
    const Guideline& guideline = *compiled->guideline;
    FactSet facts(guideline.facts().size());
    for (const auto& [name, value] : present) {
      const FactId fact = *guideline.find_fact(name);
      const FactValueReading reading = read_fact_value(
          guideline.facts()[fact.value], WrittenScalar{classify_plain_scalar(value), value, false});
      REQUIRE(reading.accepted());
      facts.set(fact, reading.value);
    }
    return guideline.search_fits(*guideline.find_recommendation(id), facts);
  };
  CHECK(fits(RUBRIC_EMIT_AF, "doac_preferred", {}));
  CHECK_FALSE(fits(RUBRIC_EMIT_CURB, "hospital_supervised_care", {}));
  CHECK(fits(RUBRIC_EMIT_CURB, "hospital_supervised_care",
             {{"amt_score", "9"},
              {"new_disorientation", "false"},
              {"urea", "5 mmol/L"},
              {"respiratory_rate", "20 /min"},
              {"systolic_bp", "120 mm[Hg]"}}));
}

TEST_CASE("exact outcomes worked out by hand") {
  namespace g = test::exact_generated;
  using g::fact_index;
  const auto missing = [](std::initializer_list<const char*> names) {
    return named_facts<g::Missing>(names, fact_index);
  };
  const auto index = [](std::string_view id) { return position(g::kRecommendationIds, id); };
  g::Decision decision;
  g::Facts facts;
  SECTION("80 years old with a prior stroke, sex and three items unrecorded") {
    // points: 2 (age) + 2 (stroke) known, heart failure, hypertension, diabetes and sex
    // unknown (1 each): [4, 8].
    facts.age = 80;
    facts.mark_present(fact_index("age"));
    facts.stroke = true;
    facts.mark_present(fact_index("stroke"));
    g::evaluate(facts, decision);
    // 4 >= 2 for a man and 4 >= 3 for a woman: made whatever the sex.
    CHECK(decision.outcome(index("anticoagulate")) == g::Outcome::recommended);
    CHECK(decision.despite[index("anticoagulate")] == missing({"sex"}));
    CHECK(decision.missing[index("anticoagulate")].none());
    CHECK(decision.outcome(index("consider")) == g::Outcome::absent);
    CHECK(decision.despite[index("consider")].none());  // Kleene logic decides it
    // 4 if the four unknown items are false, 5 or more if one is true.
    CHECK(decision.outcome(index("middle")) == g::Outcome::undetermined);
    CHECK(decision.missing[index("middle")] ==
          missing({"heart_failure", "hypertension", "diabetes", "sex"}));
    CHECK(decision.outcome(index("not_three")) == g::Outcome::recommended);
    CHECK(decision.outcome(index("tautology")) == g::Outcome::recommended);
    CHECK(decision.despite[index("tautology")] == missing({"flag"}));
    // 80 > 50 and 80 > 60: made whatever the flag.
    CHECK(decision.outcome(index("by_flag")) == g::Outcome::recommended);
    CHECK(decision.despite[index("by_flag")] == missing({"flag"}));
    CHECK(decision.outcome(index("absent_dose")) == g::Outcome::recommended);
    CHECK(decision.despite[index("absent_dose")].none());
    // `dose is null` stays true in the search (known nodes keep their values): with the flag
    // the condition holds whatever the dose, without it it fails; so only the flag matters,
    // though Kleene logic waits on the dose too.
    CHECK(decision.outcome(index("null_kept")) == g::Outcome::undetermined);
    CHECK(decision.missing[index("null_kept")] == missing({"flag"}));
  }
  SECTION("70 years old, no other item, sex unrecorded") {
    // points: 1 (age 65 to 74), plus 1 for a woman: 1 or 2.
    facts.age = 70;
    facts.mark_present(fact_index("age"));
    for (const char* name : {"heart_failure", "hypertension", "diabetes", "stroke", "flag"}) {
      facts.mark_present(fact_index(name));  // false, as the fields are
    }
    facts.dose = 12 * g::kFixedPointOne;
    facts.mark_present(fact_index("dose"));
    g::evaluate(facts, decision);
    // A man: 1 < 2; a woman: 2 < 3. Not made either way.
    CHECK(decision.outcome(index("anticoagulate")) == g::Outcome::absent);
    CHECK(decision.despite[index("anticoagulate")] == missing({"sex"}));
    // A man: 1 = 1; a woman: 2 = 2. Made either way.
    CHECK(decision.outcome(index("consider")) == g::Outcome::recommended);
    CHECK(decision.despite[index("consider")] == missing({"sex"}));
    // Between 2 and 4 for a woman only.
    CHECK(decision.outcome(index("middle")) == g::Outcome::undetermined);
    CHECK(decision.missing[index("middle")] == missing({"sex"}));
    CHECK(decision.outcome(index("not_three")) == g::Outcome::recommended);
    CHECK(decision.outcome(index("by_flag")) == g::Outcome::recommended);  // 70 > 60
    CHECK(decision.outcome(index("absent_dose")) == g::Outcome::absent);   // 12 > 10
  }
}

TEST_CASE("the complete-facts path is generated unless a null constant takes part") {
  // It is what the comparisons above exercise on complete fact sets: present where expected.
  const std::string marker = "Every fact read is present";
  CHECK(read_text(RUBRIC_EMIT_DIR "/seed_generated.hpp").find(marker) != std::string::npos);
  CHECK(read_text(RUBRIC_EMIT_DIR "/constructs_generated.hpp").find(marker) != std::string::npos);
  CHECK(read_text(RUBRIC_EMIT_DIR "/null_constant_generated.hpp").find(marker) ==
        std::string::npos);
}

TEST_CASE("filling Facts as docs/compile.md shows gives the library's answer") {
  using seed_generated::fact_index;
  seed_generated::Facts facts;
  facts.fracture_grade = 1;
  facts.mark_present(fact_index("fracture_grade"));
  facts.neurologic_deficit = false;
  facts.mark_present(fact_index("neurologic_deficit"));
  facts.pain_vas = 65 * seed_generated::kFixedPointOne / 10;  // 6.5
  facts.mark_present(fact_index("pain_vas"));
  facts.time_since_identification = 14LL * 86400 * seed_generated::kFixedPointOne;  // 14 days
  facts.mark_present(fact_index("time_since_identification"));
  CHECK(fact_index("no_such_fact") == seed_generated::kFactCount);
  CHECK(facts.has(fact_index("pain_vas")));
  CHECK_FALSE(facts.has(fact_index("age")));
  facts.mark_present(fact_index("age"));
  facts.mark_present(fact_index("age"), false);
  CHECK_FALSE(facts.has(fact_index("age")));
  seed_generated::Decision generated;
  seed_generated::evaluate(facts, generated);

  const auto compiled = compile_text("seed.rubric", read_text(RUBRIC_EMIT_SEED));
  const Guideline& guideline = *compiled->guideline;
  FactSet library(guideline.facts().size());
  library.set(*guideline.find_fact("fracture_grade"), Value::integer(1));
  library.set(*guideline.find_fact("neurologic_deficit"), Value::boolean(false));
  library.set(*guideline.find_fact("pain_vas"), Value::decimal(*Decimal::parse("6.5")));
  library.set(*guideline.find_fact("time_since_identification"),
              Value::quantity(*Decimal::parse("14"), *find_unit("days")));
  const Decision expected = guideline.evaluate(library);
  std::size_t undetermined = 0;
  for (std::size_t r = 0; r < expected.outcomes.size(); ++r) {
    INFO(guideline.recommendations()[r].id);
    CHECK(static_cast<int>(generated.outcome(r)) == static_cast<int>(expected.outcomes[r]));
    CHECK(generated.missing[r].count() == expected.missing[r].size());
    undetermined += expected.outcomes[r] == Outcome::undetermined ? 1 : 0;
  }
  CHECK(undetermined > 0);  // facts are missing: the three-valued path ran
}

TEST_CASE("each recommendation of constructs.rubric is made, not made and undetermined") {
  // Without this, a recommendation that is always absent would compare trivially.
  const auto compiled = compile_text(RUBRIC_EMIT_CONSTRUCTS, read_text(RUBRIC_EMIT_CONSTRUCTS));
  const Guideline& guideline = *compiled->guideline;
  FactGenerator generator(guideline, 3);
  std::vector<std::set<Outcome>> seen(guideline.recommendations().size());
  for (int round = 0; round < 20000; ++round) {
    const Decision decision = guideline.evaluate(generator.next(round % 5 * 20));
    for (std::size_t r = 0; r < seen.size(); ++r) {
      seen[r].insert(decision.outcomes[r]);
    }
  }
  for (std::size_t r = 0; r < seen.size(); ++r) {
    const std::string& id = guideline.recommendations()[r].id;
    INFO(id);
    if (id == "r_folded") {
      CHECK(seen[r] == std::set<Outcome>{Outcome::recommended});
    } else if (id == "r_is_false" || id == "r_is_true" || id == "r_is_null" || id == "r_code" ||
               id == "r_code_null" || id == "r_integer_list") {
      // `is` tests and `in` are never null.
      CHECK(seen[r] == std::set<Outcome>{Outcome::recommended, Outcome::absent});
    } else if (id == "r_null_constant") {
      // `flag or null` is never false.
      CHECK(seen[r] == std::set<Outcome>{Outcome::recommended, Outcome::undetermined});
    } else {
      CHECK(seen[r].size() == 3);
    }
  }
}

TEST_CASE("what --emit-cpp cannot compile is an E0701 error at the expression, once") {
  const std::string text =
      "guideline \"g\"\nsource 1 \"s\"\n"
      "fact a: integer\nfact b: integer\nfact s: string\nfact d: duration\n"
      "define sum = a + b\n"
      "recommendation r1 kind order text \"t\" cite 1 when sum > 3 and a > 1\n"
      "recommendation r2 kind order text \"t\" cite 1 when (if a > 1 then b else a) > 2\n"
      "recommendation r3 kind order text \"t\" cite 1 when s ~ 'x'\n"
      "recommendation r4 kind order text \"t\" cite 1 when Coalesce(a, b) > 0\n"
      "recommendation r5 kind order text \"t\" cite 1 when d + 1 day > 3 days\n"
      "recommendation r6 kind order text \"t\" cite 1 when a > 1\n";
  const auto compiled = compile_text("unsupported.rubric", text);
  Diagnostics diagnostics;
  const auto header = emit_cpp(*compiled->guideline, compiled->sources, EmitOptions{}, diagnostics);
  CHECK_FALSE(header.has_value());
  const std::string printed = format_diagnostics(compiled->sources, diagnostics);
  INFO(printed);
  // One error per unsupported expression; none for what merely uses it (r1's `and`, `>`).
  CHECK(diagnostics.all().size() == 5);
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    CHECK(diagnostic.code == "E0701");
  }
  CHECK_THAT(printed, Catch::Contains("unsupported.rubric:7:14: error[E0701]: `--emit-cpp` cannot "
                                      "compile arithmetic"));
  CHECK_THAT(printed, Catch::Contains("cannot compile `if` or `case`"));
  CHECK_THAT(printed, Catch::Contains("cannot compile equivalence (`~`, `!~`)"));
  CHECK_THAT(printed, Catch::Contains("cannot compile Coalesce"));
}

TEST_CASE("a score against a computed value is an E0701 error; a large search is not") {
  const std::string text =
      "guideline \"g\"\nsource 1 \"s\"\n"
      "fact a: integer between 0 and 100\nfact x: boolean\nfact y: boolean\n"
      "fact c1: integer between 0 and 60\nfact c2: integer between 0 and 60\n"
      "fact c3: integer between 0 and 60\nfact c4: integer between 0 and 60\n"
      "define points = score(1 when x, 2 when y)\n"
      "recommendation r1 kind order text \"t\" cite 1 when points >= a\n"
      // Four facts of 61 values each (enumerated), each read twice: 61^4 combinations.
      "recommendation r2 kind order text \"t\" cite 1 when (c1 > 5 and c2 > 5 and c3 > 5 and "
      "c4 > 5) or (c1 < 3 and c2 < 3 and c3 < 3 and c4 < 3)\n"
      "recommendation r3 kind order text \"t\" cite 1 when (x and points >= 1) or y\n";
  const auto compiled = compile_text("scores.rubric", text);
  Diagnostics diagnostics;
  const auto header = emit_cpp(*compiled->guideline, compiled->sources, EmitOptions{}, diagnostics);
  CHECK_FALSE(header.has_value());
  const std::string printed = format_diagnostics(compiled->sources, diagnostics);
  INFO(printed);
  // r2's search passes the budget with all four facts absent (61^4 combinations): the
  // generated code, like the library, keeps Kleene's answer then; r3's is small.
  CHECK(diagnostics.all().size() == 1);
  CHECK_THAT(printed, Catch::Contains("scores.rubric:11:51: error[E0701]: `--emit-cpp` cannot "
                                      "compile a score compared with a computed value"));
}

TEST_CASE("the generated header is deterministic and names its source") {
  const auto compiled = compile_text("seed.rubric", read_text(RUBRIC_EMIT_SEED));
  EmitOptions options;
  options.namespace_name = "a::b";
  options.source_name = "seed.rubric";
  Diagnostics diagnostics;
  const auto first = emit_cpp(*compiled->guideline, compiled->sources, options, diagnostics);
  const auto second = emit_cpp(*compiled->guideline, compiled->sources, options, diagnostics);
  REQUIRE(first.has_value());
  CHECK(first == second);
  CHECK(diagnostics.all().empty());
  CHECK_THAT(*first, Catch::Contains("from seed.rubric (guideline \"vertebral-fracture-grade1\""));
  CHECK_THAT(*first, Catch::Contains("namespace a::b {"));
  CHECK(is_cpp_namespace("a::b_2"));
  CHECK_FALSE(is_cpp_namespace("a::"));
  CHECK_FALSE(is_cpp_namespace("2a"));
  CHECK_FALSE(is_cpp_namespace("a b"));
  CHECK_FALSE(is_cpp_namespace(""));
}

namespace {

struct Run {
  int exit_code = 0;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "rubric");
  std::vector<const char*> argv;
  for (const std::string& argument : arguments) {
    argv.push_back(argument.c_str());
  }
  std::ostringstream out;
  std::ostringstream err;
  Run result;
  result.exit_code = run_command_line(static_cast<int>(argv.size()), argv.data(), out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

}  // namespace

TEST_CASE("rubric compile: summary, header, usage errors") {
  const Run summary = run({"compile", RUBRIC_EMIT_SEED});
  CHECK(summary.exit_code == 0);
  CHECK_THAT(summary.out, Catch::StartsWith("guideline vertebral-fracture-grade1 1.0.0: 19 facts, "
                                            "16 recommendations, 5 definitions\ngraph: 63 nodes"));
  CHECK_THAT(summary.out, Catch::Contains("program: "));

  const Run header = run({"compile", RUBRIC_EMIT_SEED, "--emit-cpp", "--namespace", "x"});
  CHECK(header.exit_code == 0);
  CHECK_THAT(header.out, Catch::Contains("namespace x {"));
  CHECK_THAT(
      header.out,
      Catch::Contains("inline void evaluate(const Facts& facts, Decision& decision) noexcept"));

  const Run bad_namespace = run({"compile", RUBRIC_EMIT_SEED, "--emit-cpp", "--namespace", "x-y"});
  CHECK(bad_namespace.exit_code == 2);
  CHECK_THAT(bad_namespace.err, Catch::Contains("`x-y` is not a C++ namespace"));

  const Run output_without_emit = run({"compile", RUBRIC_EMIT_SEED, "-o", "/tmp/x.hpp"});
  CHECK(output_without_emit.exit_code == 2);
  CHECK_THAT(output_without_emit.err, Catch::Contains("-o needs --emit-cpp"));

  const Run missing = run({"compile", "/nonexistent/g.rubric", "--emit-cpp"});
  CHECK(missing.exit_code == 2);

  const Run unwritable =
      run({"compile", RUBRIC_EMIT_SEED, "--emit-cpp", "-o", "/nonexistent/dir/x.hpp"});
  CHECK(unwritable.exit_code == 2);
  CHECK_THAT(unwritable.err, Catch::Contains("cannot write"));
}

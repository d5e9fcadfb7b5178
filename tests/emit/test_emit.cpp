// The evaluators `rubric compile --emit-cpp` generated at build time (tests/emit/CMakeLists.txt)
// against the library's Guideline::evaluate: same outcome for every recommendation and the
// same missing facts, on random fact sets whose values sit on, around and between the
// guideline's thresholds (in several units), with absent facts. Also the E0701 diagnostics
// for what the generator does not compile, and the `rubric compile` command line.
#define CATCH_CONFIG_MAIN
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "authoring/emit_cpp.hpp"
#include "compare_generated.hpp"
#include "constructs_generated.hpp"
#include "dsl/diagnostic.hpp"
#include "engine/guideline.hpp"
#include "fact_conversion.hpp"
#include "null_constant_generated.hpp"
#include "seed_generated.hpp"
#include "tools/cli.hpp"
#include "values/units.hpp"

namespace {

using namespace rubric;
using namespace rubric::emit_testing;

RUBRIC_EMIT_TRAITS(SeedTraits, seed_generated);
RUBRIC_EMIT_TRAITS(ConstructsTraits, test::constructs_generated);
RUBRIC_EMIT_TRAITS(NullConstantTraits, test::null_constant_generated);

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

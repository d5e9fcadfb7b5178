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

#include "constructs_generated.hpp"
#include "dsl/diagnostic.hpp"
#include "engine/emit_cpp.hpp"
#include "engine/guideline.hpp"
#include "engine/units.hpp"
#include "fact_conversion.hpp"
#include "null_constant_generated.hpp"
#include "seed_generated.hpp"
#include "tools/cli.hpp"

namespace {

using namespace rubric;

std::string read_text(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

struct Compiled {
  SourceManager sources;
  std::shared_ptr<const Guideline> guideline;
};

std::unique_ptr<Compiled> compile_text(const std::string& name, const std::string& text) {
  auto compiled = std::make_unique<Compiled>();
  const FileId file = compiled->sources.add(name, text);
  Diagnostics diagnostics;
  compiled->guideline = Guideline::compile(compiled->sources, file, diagnostics);
  INFO(format_diagnostics(compiled->sources, diagnostics));
  REQUIRE(compiled->guideline != nullptr);
  return compiled;
}

// Values for random fact sets: for each fact, candidate values on and next to every constant
// of its type in the guideline, in the constant's unit and in the fact's field unit.
class FactGenerator {
 public:
  FactGenerator(const Guideline& guideline, std::uint64_t seed)
      : guideline_(guideline), random_(seed) {
    for (const Node& node : guideline.graph().nodes()) {
      if (node.op == Opcode::constant) {
        constants_.push_back(guideline.graph().constant(node));
      }
    }
  }

  FactSet next(int absent_percent) {
    FactSet facts(guideline_.facts().size());
    for (std::uint32_t i = 0; i < guideline_.facts().size(); ++i) {
      if (chance(absent_percent)) {
        continue;
      }
      facts.set(FactId{i}, value_for(guideline_.facts()[i], facts));
    }
    return facts;
  }

 private:
  bool chance(int percent) { return static_cast<int>(random_() % 100) < percent; }
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(random_() % static_cast<std::uint64_t>(high - low + 1));
  }

  Decimal near(Decimal base) {
    static const std::int64_t kSteps[] = {
        0, 0, 1, -1, Decimal::kOne, -Decimal::kOne, Decimal::kOne / 2, -Decimal::kOne / 2};
    const std::int64_t step = kSteps[random_() % std::size(kSteps)];
    return Decimal::from_raw(base.raw() + step).value_or(base);
  }

  Value value_for(const FactSpec& spec, FactSet& facts) {
    std::vector<const Value*> same_kind;
    for (const Value& constant : constants_) {
      const bool numeric =
          constant.kind() == ValueKind::integer || constant.kind() == ValueKind::decimal;
      if ((spec.type.kind == TypeKind::quantity && constant.kind() == ValueKind::quantity &&
           constant.unit().dimension == spec.type.dimension) ||
          ((spec.type.kind == TypeKind::integer || spec.type.kind == TypeKind::decimal) &&
           numeric) ||
          ((spec.type.kind == TypeKind::string || spec.type.kind == TypeKind::code) &&
           constant.kind() == ValueKind::string)) {
        same_kind.push_back(&constant);
      }
    }
    const Value* pick =
        same_kind.empty() || chance(25) ? nullptr : same_kind[random_() % same_kind.size()];
    switch (spec.type.kind) {
      case TypeKind::boolean: return Value::boolean(chance(50));
      case TypeKind::integer: {
        std::int64_t value = between(-12, 110);
        if (pick != nullptr) {
          value = pick->kind() == ValueKind::integer
                      ? pick->as_integer()
                      : static_cast<std::int64_t>(pick->as_decimal().raw() / Decimal::kOne);
          value += between(-1, 1);
        }
        return Value::integer(static_cast<std::int32_t>(value));
      }
      case TypeKind::decimal: {
        Decimal value = *Decimal::from_raw(between(-2000, 12000) * (Decimal::kOne / 100));
        if (pick != nullptr) {
          value = near(pick->as_decimal());
        }
        return Value::decimal(value);
      }
      case TypeKind::quantity: {
        const Unit* field_unit = emitted_unit(spec);
        REQUIRE(field_unit != nullptr);
        if (pick != nullptr) {
          // The constant's own unit, or converted to the field's unit.
          const Decimal value = near(pick->as_decimal());
          if (chance(50)) {
            return Value::quantity(value, pick->unit());
          }
          if (const auto converted = convert(pick->as_decimal(), pick->unit(), *field_unit)) {
            return Value::quantity(near(*converted), *field_unit);
          }
        }
        return Value::quantity(*Decimal::from_raw(between(0, 1000000) * (Decimal::kOne / 100)),
                               *field_unit);
      }
      case TypeKind::code:
        if (!spec.codes.empty() && !chance(10)) {
          return Value::string(facts.keep(spec.codes[random_() % spec.codes.size()]));
        }
        [[fallthrough]];
      default: {
        static const char* kTexts[] = {"", "a", "m", "urgent", "zzz", "Left"};
        if (pick != nullptr) {
          return Value::string(facts.keep(pick->as_string()));
        }
        return Value::string(facts.keep(kTexts[random_() % std::size(kTexts)]));
      }
    }
  }

 private:
  const Guideline& guideline_;
  std::mt19937_64 random_;
  std::vector<Value> constants_;
};

struct Tally {
  std::size_t fact_sets = 0;
  std::size_t skipped = 0;
  std::array<std::size_t, 3> outcomes{};
};

template <typename Traits>
Tally compare_with_library(const std::string& path, std::uint64_t seed, std::size_t rounds) {
  const auto compiled = compile_text(path, read_text(path));
  const Guideline& guideline = *compiled->guideline;
  REQUIRE(Traits::kIds.size() == guideline.recommendations().size());
  for (std::size_t r = 0; r < Traits::kIds.size(); ++r) {
    REQUIRE(Traits::kIds[r] == guideline.recommendations()[r].id);
  }
  REQUIRE(Traits::kNames.size() == guideline.facts().size());
  for (std::size_t f = 0; f < Traits::kNames.size(); ++f) {
    REQUIRE(Traits::kNames[f] == guideline.facts()[f].name);
  }
  FactGenerator generator(guideline, seed);
  EvaluationScratch scratch;
  Decision decision;
  Tally tally;
  for (std::size_t round = 0; round < rounds; ++round) {
    // Every fact present, every fact absent, and mixtures.
    const int absent = round % 10 == 0   ? 0
                       : round % 10 == 1 ? 100
                                         : static_cast<int>(round % 7) * 10;
    const FactSet facts = generator.next(absent);
    typename Traits::Facts generated_facts;
    if (!testing::to_generated(
            facts, generated_facts,
            [](auto& out, auto&& visit) { Traits::for_each_fact(out, visit); }, Traits::kUnits)) {
      ++tally.skipped;
      continue;
    }
    typename Traits::Decision generated;
    Traits::evaluate(generated_facts, generated);
    guideline.evaluate(facts, scratch, decision);
    ++tally.fact_sets;
    for (std::size_t r = 0; r < decision.outcomes.size(); ++r) {
      std::set<std::size_t> expected_missing;
      for (const FactId fact : decision.missing[r]) {
        expected_missing.insert(fact.value);
      }
      std::set<std::size_t> generated_missing;
      for (std::size_t f = 0; f < generated.missing[r].size(); ++f) {
        if (generated.missing[r].test(f)) {
          generated_missing.insert(f);
        }
      }
      const bool agree =
          static_cast<int>(generated.outcome(r)) == static_cast<int>(decision.outcomes[r]) &&
          generated_missing == expected_missing;
      if (!agree) {
        std::string described;
        for (std::uint32_t f = 0; f < guideline.facts().size(); ++f) {
          described += fmt::format("  {}: {}\n", guideline.facts()[f].name,
                                   to_literal(facts.get(FactId{f})));
        }
        FAIL(fmt::format(
            "recommendation `{}`: library {} missing {}, generated {} missing {}\nfacts:\n{}",
            guideline.recommendations()[r].id, static_cast<int>(decision.outcomes[r]),
            expected_missing.size(), static_cast<int>(generated.outcome(r)),
            generated_missing.size(), described));
      }
      ++tally.outcomes[static_cast<std::size_t>(decision.outcomes[r])];
    }
  }
  return tally;
}

}  // namespace

namespace {

// The generated evaluator in namespace NS, for compare_with_library.
#define RUBRIC_EMIT_TRAITS(NAME, NS)                               \
  struct NAME {                                                    \
    using Facts = NS::Facts;                                       \
    using Decision = NS::Decision;                                 \
    static constexpr const auto& kIds = NS::kRecommendationIds;    \
    static constexpr const auto& kNames = NS::kFactNames;          \
    static constexpr const auto& kUnits = NS::kFactUnits;          \
    static void evaluate(const Facts& facts, Decision& decision) { \
      NS::evaluate(facts, decision);                               \
    }                                                              \
    template <typename Visitor>                                    \
    static void for_each_fact(Facts& facts, Visitor&& visit) {     \
      NS::for_each_fact(facts, visit);                             \
    }                                                              \
  }

RUBRIC_EMIT_TRAITS(SeedTraits, seed_generated);
RUBRIC_EMIT_TRAITS(ConstructsTraits, test::constructs_generated);
RUBRIC_EMIT_TRAITS(NullConstantTraits, test::null_constant_generated);

}  // namespace

namespace {

// Enough fact sets were compared, and every outcome occurred, so the comparison exercised
// all three.
void check_tally(const Tally& tally, std::size_t minimum_fact_sets) {
  INFO(fmt::format("{} fact sets ({} skipped): {} absent, {} recommended, {} undetermined",
                   tally.fact_sets, tally.skipped, tally.outcomes[0], tally.outcomes[1],
                   tally.outcomes[2]));
  CHECK(tally.fact_sets > minimum_fact_sets);
  CHECK(tally.outcomes[0] > 1000);
  CHECK(tally.outcomes[1] > 1000);
  CHECK(tally.outcomes[2] > 1000);
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

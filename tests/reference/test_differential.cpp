// Differential tests: the decision graph (Guideline::evaluate) against the reference
// evaluator on generated guidelines and fact sets; the reference evaluator itself on
// hand-checked cases; and concurrent evaluation of one compiled guideline.
//
// RUBRIC_DIFFERENTIAL_ROUNDS (default 150) sets how many guidelines are generated, each
// evaluated on RUBRIC_DIFFERENTIAL_FACT_SETS (default 40) fact sets; RUBRIC_DIFFERENTIAL_SEED
// (default 1) the first seed. The `differential-nightly` build target runs many more.
// RUBRIC_CONCURRENCY_THREADS (default 8) and RUBRIC_CONCURRENCY_REPEATS (default 20) size the
// concurrency test, which scripts/ci/tsan.sh runs under ThreadSanitizer.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "dsl/checker.hpp"
#include "dsl/parser.hpp"
#include "engine/guideline.hpp"
#include "tests/reference/differential.hpp"
#include "tests/reference/generator.hpp"
#include "tests/reference/reference_evaluator.hpp"

namespace rubric::reference {
namespace {

std::uint64_t environment_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') {
    return fallback;
  }
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == nullptr || *end != '\0') {
    FAIL(fmt::format("{} must be a whole number; found `{}`", name, text));
  }
  return value;
}

TEST_CASE("the claims of `rubric check` hold on generated fact sets", "[differential]") {
  const std::uint64_t rounds = environment_number("RUBRIC_DIFFERENTIAL_ROUNDS", 60);
  std::size_t claims = 0;
  for (std::uint64_t seed = 1; seed <= rounds; ++seed) {
    RandomChooser chooser(seed);
    if (const std::optional<std::string> false_claim = analysis_claims_round(chooser, 40, claims)) {
      FAIL(fmt::format("seed {}:\n{}", seed, *false_claim));
    }
  }
  WARN(fmt::format("{} claims checked", claims));
}

TEST_CASE("the decision graph agrees with the reference evaluator on generated guidelines",
          "[differential]") {
  const std::uint64_t rounds = environment_number("RUBRIC_DIFFERENTIAL_ROUNDS", 150);
  const std::uint64_t fact_sets = environment_number("RUBRIC_DIFFERENTIAL_FACT_SETS", 40);
  const std::uint64_t first_seed = environment_number("RUBRIC_DIFFERENTIAL_SEED", 1);
  Statistics statistics;
  for (std::uint64_t seed = first_seed; seed < first_seed + rounds; ++seed) {
    RandomChooser chooser(seed);
    const std::optional<std::string> disagreement =
        differential_round(chooser, fact_sets, statistics);
    if (disagreement) {
      FAIL(
          fmt::format("seed {} (rerun with RUBRIC_DIFFERENTIAL_SEED={} "
                      "RUBRIC_DIFFERENTIAL_ROUNDS=1):\n{}",
                      seed, seed, *disagreement));
    }
  }
  WARN(fmt::format(
      "{} guidelines, {} fact sets: {} recommended, {} absent, {} undetermined, "
      "{} missing-fact entries, {} decided despite absent facts, {} not compared "
      "(too many completions); blocks: {} guidelines bit-sliced, {} row by row",
      statistics.guidelines, statistics.fact_sets, statistics.recommended, statistics.absent,
      statistics.undetermined, statistics.missing_facts, statistics.decided_despite,
      statistics.uncompared, statistics.bit_sliced, statistics.row_by_row));
  // The rounds must reach every outcome, or the comparison proves little.
  if (rounds >= 20) {
    CHECK(statistics.recommended > 0);
    CHECK(statistics.absent > 0);
    CHECK(statistics.undetermined > 0);
    CHECK(statistics.missing_facts > 0);
    CHECK(statistics.decided_despite > 0);
    CHECK(statistics.bit_sliced > 0);
    CHECK(statistics.row_by_row > 0);
  }
}

TEST_CASE("short and empty choice sequences give valid guidelines", "[differential]") {
  Statistics statistics;
  for (std::size_t length = 0; length < 64; ++length) {
    std::vector<std::uint8_t> bytes(length);
    for (std::size_t i = 0; i < length; ++i) {
      bytes[i] = static_cast<std::uint8_t>(i * 37 + length);
    }
    ByteChooser chooser(bytes);
    const std::optional<std::string> disagreement = differential_round(chooser, 4, statistics);
    INFO(disagreement.value_or(""));
    CHECK_FALSE(disagreement);
  }
}

// The libFuzzer target's committed inputs (tests/fuzz/corpus/fuzz_differential), findings
// included, through the same two rounds as tests/fuzz/fuzz_differential.cpp: the generator
// makes its choices in one order under every compiler, so they mean the same guidelines here.
TEST_CASE("the differential fuzzer's committed inputs agree", "[differential]") {
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(RUBRIC_DIFFERENTIAL_CORPUS)) {
    inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(inputs.size() >= 2);
  for (const std::filesystem::path& path : inputs) {
    INFO(path.filename().string());
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                          std::istreambuf_iterator<char>());
    Statistics statistics;
    ByteChooser chooser(bytes);
    const std::optional<std::string> disagreement = differential_round(chooser, 8, statistics);
    INFO(disagreement.value_or(""));
    CHECK_FALSE(disagreement);
    ByteChooser again(bytes);
    std::size_t claims = 0;
    const std::optional<std::string> false_claim = analysis_claims_round(again, 16, claims);
    INFO(false_claim.value_or(""));
    CHECK_FALSE(false_claim);
  }
}

// ---- The reference evaluator on cases worked out by hand (docs/semantics.md) ----------

struct Checked {
  SourceManager sources;
  CheckedModule checked;
};

std::unique_ptr<Checked> check(const std::string& body) {
  auto result = std::make_unique<Checked>();
  const FileId file = result->sources.add(
      "hand.rubric", "guideline \"hand\" version \"1\"\nsource 1 \"s\"\n" + body);
  Diagnostics diagnostics;
  result->checked =
      check_module(parse_module(result->sources, file, diagnostics), result->sources, diagnostics);
  INFO(format_diagnostics(result->sources, diagnostics));
  REQUIRE(result->checked.ok);
  return result;
}

TEST_CASE("the reference evaluator follows the documented semantics", "[reference]") {
  const auto hand = check(
      "fact a: boolean\nfact b: boolean\nfact c: boolean\nfact d: integer\n"
      "fact side: code {'left', 'right'}\nfact dose: decimal\nfact count: integer\n"
      "recommendation both kind order text \"t\" cite 1 when a and b\n"
      "recommendation either kind order text \"t\" cite 1 when a or b\n"
      "recommendation via_if kind order text \"t\" cite 1 when if a then b else c\n"
      "recommendation via_case kind order text \"t\" cite 1 when case d when 1 then b else c end\n"
      "recommendation not_left kind order text \"t\" cite 1 when not (side in {'left'})\n"
      "recommendation per_count kind order text \"t\" cite 1 when dose / count > 1\n");
  FactSet facts(7);
  // a: true, dose: 2, count: 0; everything else absent.
  facts.set(FactId{0}, Value::boolean(true));
  facts.set(FactId{5}, Value::decimal(*Decimal::from_integer(2)));
  facts.set(FactId{6}, Value::integer(0));
  const ReferenceDecision first = evaluate(hand->checked, facts);
  CHECK(first.outcomes == std::vector<Outcome>{Outcome::undetermined, Outcome::recommended,
                                               Outcome::undetermined, Outcome::undetermined,
                                               Outcome::recommended, Outcome::undetermined});
  CHECK(first.missing[0] == std::vector<std::string>{"b"});
  CHECK(first.missing[2] == std::vector<std::string>{"b"});
  CHECK(first.missing[3] == std::vector<std::string>{"b", "c", "d"});
  CHECK(first.missing[5].empty());  // 2 / 0 is null, but no fact is absent

  // b: false decides `a and b` whatever a is; `if` with a null condition takes `else`.
  FactSet second(7);
  second.set(FactId{1}, Value::boolean(false));
  second.set(FactId{2}, Value::boolean(true));
  const ReferenceDecision decided = evaluate(hand->checked, second);
  CHECK(decided.outcomes[0] == Outcome::absent);
  CHECK(decided.outcomes[1] == Outcome::undetermined);
  CHECK(decided.missing[1] == std::vector<std::string>{"a"});
  CHECK(decided.outcomes[2] == Outcome::recommended);
  CHECK(decided.missing[5] == std::vector<std::string>{"count", "dose"});
}

// ---- Concurrency -------------------------------------------------------------------------

TEST_CASE("many threads evaluating one compiled guideline get the single-threaded results",
          "[concurrency]") {
  const std::size_t threads = environment_number("RUBRIC_CONCURRENCY_THREADS", 8);
  const std::size_t repeats = environment_number("RUBRIC_CONCURRENCY_REPEATS", 20);
  for (std::uint64_t seed = 100; seed < 104; ++seed) {
    RandomChooser chooser(seed);
    const GeneratedGuideline generated = generate_guideline(chooser);
    SourceManager sources;
    Diagnostics diagnostics;
    const std::shared_ptr<const Guideline> guideline =
        Guideline::compile(sources, sources.add("g.rubric", generated.text), diagnostics);
    REQUIRE(guideline);
    std::vector<FactSet> fact_sets;
    std::vector<Decision> expected;
    for (int i = 0; i < 50; ++i) {
      fact_sets.push_back(generate_facts(chooser, guideline->facts(), generated.thresholds));
      expected.push_back(guideline->evaluate(fact_sets.back()));
    }
    FactBlock block(guideline->facts().size());
    for (const FactSet& facts : fact_sets) {
      block.push_back(facts);
    }
    std::vector<std::size_t> mismatches(threads, 0);
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        EvaluationScratch scratch;
        Decision decision;
        BlockScratch block_scratch;
        BlockDecision block_decision;
        std::vector<FactId> missing;
        for (std::size_t repeat = 0; repeat < repeats; ++repeat) {
          for (std::size_t i = 0; i < fact_sets.size(); ++i) {
            // Alternate the two overloads, and start each thread at a different fact set.
            const std::size_t k = (i + t) % fact_sets.size();
            const bool with_scratch = (repeat + t) % 2 == 0;
            if (with_scratch) {
              guideline->evaluate(fact_sets[k], scratch, decision);
            } else {
              decision = guideline->evaluate(fact_sets[k]);
            }
            if (decision.outcomes != expected[k].outcomes ||
                decision.missing != expected[k].missing) {
              ++mismatches[t];
            }
            // deciding_facts reads the values of the last evaluation with this scratch.
            for (std::size_t r = 0; with_scratch && r < decision.outcomes.size(); ++r) {
              if (decision.outcomes[r] == Outcome::recommended) {
                (void)guideline->deciding_facts(r, scratch);
              }
            }
          }
          // The shared block, evaluated at once: every row as alone.
          guideline->evaluate(block, block_scratch, block_decision);
          for (std::size_t row = 0; row < block_decision.rows; ++row) {
            for (std::size_t r = 0; r < expected[row].outcomes.size(); ++r) {
              guideline->missing(row, r, block_scratch, missing);
              if (block_decision.outcome(row, r) != expected[row].outcomes[r] ||
                  missing != expected[row].missing[r]) {
                ++mismatches[t];
              }
            }
          }
        }
      });
    }
    for (std::thread& worker : workers) {
      worker.join();
    }
    for (std::size_t t = 0; t < threads; ++t) {
      INFO("thread " << t);
      CHECK(mismatches[t] == 0);
    }
  }
}

}  // namespace
}  // namespace rubric::reference

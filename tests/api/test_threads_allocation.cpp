// One guideline evaluated from many threads at once, and the allocation-free path. This
// file replaces the global operator new of the test program to count allocations
// (tests/support/counting_new.hpp).
#include <rubric/rubric.hpp>

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../support/counting_new.hpp"

namespace api = rubric::api;

namespace {

api::Guideline seed() {
  api::Compilation compiled = api::Guideline::compile_file(
      std::string(RUBRIC_SOURCE_DIR) +
      "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric");
  REQUIRE(compiled.guideline);
  return *compiled.guideline;
}

// Patient number `index`: every combination of a few facts, some of them absent.
api::FactSet patient(const api::Guideline& guideline, unsigned index) {
  api::FactSet facts = guideline.new_fact_set();
  REQUIRE(facts.set_integer("fracture_grade", index % 6 == 0 ? 2 : 1));
  if (index % 5 != 0) {
    REQUIRE(facts.set_boolean("neurologic_deficit", index % 7 == 0));
  }
  for (const char* name : {"progressive_neurologic_deterioration", "spinal_instability",
                           "cord_compression", "analgesic_contraindication"}) {
    REQUIRE(facts.set_boolean(name, false));
  }
  if (index % 4 != 0) {
    REQUIRE(facts.set_quantity("time_since_identification", index % 20, "weeks"));
  }
  REQUIRE(facts.set_decimal("pain_vas", (index % 11) * 0.5 + 0.25));
  if (index % 3 != 0) {
    REQUIRE(facts.set_quantity("age", 40 + index % 50, "years"));
  }
  return facts;
}

// The decision as comparable data: outcome per recommendation, then missing fact ids.
std::vector<std::uint32_t> digest(const api::Decision& decision) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t r = 0; r < decision.size(); ++r) {
    out.push_back(static_cast<std::uint32_t>(decision.outcome(api::RecommendationId{r})));
    for (const api::FactId fact : decision.missing(api::RecommendationId{r})) {
      out.push_back(100 + fact.value);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("one guideline evaluated from four threads at once agrees with one thread",
          "[api][threads]") {
  const api::Guideline guideline = seed();
  constexpr unsigned kPatients = 200;
  std::vector<api::FactSet> patients;
  std::vector<std::vector<std::uint32_t>> expected;
  for (unsigned index = 0; index < kPatients; ++index) {
    patients.push_back(patient(guideline, index));
    expected.push_back(digest(guideline.evaluate(patients.back())));
  }
  // The patients differ: many distinct decisions.
  CHECK(std::set<std::vector<std::uint32_t>>(expected.begin(), expected.end()).size() >= 20);

  constexpr unsigned kThreads = 4;
  std::vector<unsigned> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      api::Decision decision;  // one per thread; the guideline and the fact sets are shared
      for (unsigned round = 0; round < 25; ++round) {
        for (unsigned index = 0; index < kPatients; ++index) {
          const unsigned which = (index * 7 + t * 13 + round) % kPatients;
          guideline.evaluate(patients[which], decision);
          if (!decision.status().ok() || digest(decision) != expected[which]) {
            ++mismatches[t];
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (unsigned t = 0; t < kThreads; ++t) {
    CHECK(mismatches[t] == 0);
  }
}

TEST_CASE("evaluating into a used decision allocates nothing", "[api][allocation]") {
  const api::Guideline guideline = seed();
  std::vector<api::FactSet> patients;
  for (unsigned index = 0; index < 50; ++index) {
    patients.push_back(patient(guideline, index));
  }
  api::Decision decision;
  for (const api::FactSet& facts : patients) {  // grows the decision to its largest size
    guideline.evaluate(facts, decision);
  }
  std::size_t undetermined = 0;
  const std::size_t before = counting_new::allocations.load();
  for (unsigned round = 0; round < 20; ++round) {
    for (const api::FactSet& facts : patients) {
      guideline.evaluate(facts, decision);
      undetermined += decision.undetermined().size();
      for (const api::RecommendationId id : decision.undetermined()) {
        undetermined += decision.missing(id).size();
      }
    }
  }
  CHECK(counting_new::allocations.load() - before == 0);
  CHECK(undetermined > 0);  // the missing-facts walk ran

  // The counter does count: a fresh decision allocates.
  const std::size_t fresh_before = counting_new::allocations.load();
  const api::Decision fresh = guideline.evaluate(patients.front());
  CHECK(counting_new::allocations.load() > fresh_before);
  CHECK(fresh.status().ok());
}

TEST_CASE("setting facts by id allocates nothing", "[api][allocation]") {
  const api::Guideline guideline = seed();
  const api::FactId grade = *guideline.fact("fracture_grade");
  const api::FactId deficit = *guideline.fact("neurologic_deficit");
  const api::FactId vas = *guideline.fact("pain_vas");
  const api::FactId time = *guideline.fact("time_since_identification");
  api::FactSet facts = guideline.new_fact_set();
  api::Decision decision;
  guideline.evaluate(facts, decision);
  bool all_ok = true;
  const std::size_t before = counting_new::allocations.load();
  for (int round = 0; round < 100; ++round) {
    facts.clear();
    all_ok = all_ok && facts.set_integer(grade, round % 4).ok();
    all_ok = all_ok && facts.set_boolean(deficit, round % 2 == 0).ok();
    all_ok = all_ok && facts.set_decimal(vas, (round % 20) * 0.5).ok();
    all_ok = all_ok && facts.set_quantity(time, round % 30, "weeks").ok();
    all_ok = all_ok && facts.set_text(vas, "6.5").ok();
    guideline.evaluate(facts, decision);
  }
  CHECK(counting_new::allocations.load() - before == 0);
  CHECK(all_ok);
}

TEST_CASE(
    "blocks evaluated from four threads at once agree with single evaluations, and "
    "evaluating a block into a used decision allocates nothing",
    "[api][threads][allocation]") {
  const api::Guideline guideline = seed();
  constexpr unsigned kPatients = 200;
  std::vector<api::FactSet> patients;
  std::vector<std::vector<std::uint32_t>> expected;
  std::vector<api::FactBlock> blocks;
  for (unsigned index = 0; index < kPatients; ++index) {
    patients.push_back(patient(guideline, index));
    expected.push_back(digest(guideline.evaluate(patients.back())));
    if (blocks.empty() || blocks.back().full()) {
      blocks.push_back(guideline.new_fact_block());
    }
    REQUIRE(blocks.back().add(patients.back()));
  }
  // One row's decision as `digest` gives it for a single evaluation.
  const auto row_digest = [&](api::BlockDecision& decision, std::size_t row) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t r = 0; r < decision.size(); ++r) {
      out.push_back(static_cast<std::uint32_t>(decision.outcome(row, api::RecommendationId{r})));
      for (const api::FactId fact : decision.missing(row, api::RecommendationId{r})) {
        out.push_back(100 + fact.value);
      }
    }
    return out;
  };

  constexpr unsigned kThreads = 4;
  std::vector<unsigned> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      api::BlockDecision decision;  // one per thread; the blocks are shared
      for (unsigned round = 0; round < 10; ++round) {
        const std::size_t which = (t + round) % blocks.size();
        guideline.evaluate(blocks[which], decision);
        for (std::size_t row = 0; row < decision.rows(); ++row) {
          if (!decision.status().ok() ||
              row_digest(decision, row) != expected[which * api::FactBlock::kCapacity + row]) {
            ++mismatches[t];
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (unsigned t = 0; t < kThreads; ++t) {
    CHECK(mismatches[t] == 0);
  }

  api::BlockDecision decision;
  for (const api::FactBlock& block : blocks) {  // grows the decision
    guideline.evaluate(block, decision);
  }
  std::uint64_t undetermined = 0;
  const std::size_t before = counting_new::allocations.load();
  for (unsigned round = 0; round < 20; ++round) {
    for (const api::FactBlock& block : blocks) {
      guideline.evaluate(block, decision);
      undetermined += decision.undetermined_rows(api::RecommendationId{5});
    }
  }
  CHECK(counting_new::allocations.load() - before == 0);
  CHECK(undetermined > 0);
}

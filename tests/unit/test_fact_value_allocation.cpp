// Checking an accepted fact value allocates nothing: FactSpec::violation for a value within
// the limits and codes, and the fact-value reader for a value it accepts. This file replaces
// the global operator new of the unit-test program to count allocations (as
// tests/api/test_threads_allocation.cpp does for the API program); the count is only read
// here.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../support/counting_new.hpp"
#include "engine/guideline.hpp"
#include "values/fact_set.hpp"
#include "values/fact_value_reader.hpp"

namespace rubric {
namespace {

// A fact of every limit form: integer and decimal ranges, exclusive limits, a duration with
// a limit in another unit, a quantity with a unit, a code and a string.
const char* const kLimits =
    "guideline \"limits\"\n"
    "source 1 \"s\"\n"
    "fact grade: integer between 0 and 3\n"
    "fact score: decimal > 0\n"
    "fact level: decimal < 10\n"
    "fact elapsed: duration >= 0 days\n"
    "fact dose: quantity 'mg/d' >= 0 'mg/d'\n"
    "fact weight: mass > 0 'kg'\n"
    "fact side: code {'left', 'right'}\n"
    "fact note: string\n"
    "recommendation r kind refer text \"r\" cite 1\n"
    "  when grade = 1 and score >= 3.5 and level < 2 and elapsed < 6 weeks and dose >= 1000 "
    "'mg/d'\n"
    "    and weight > 50 'kg' and side in {'left'} and note = 'x'\n";

struct Input {
  const char* fact;
  ScalarKind kind;
  const char* text;
};

}  // namespace

TEST_CASE("checking an accepted fact value allocates nothing", "[fact_value_reader][allocation]") {
  SourceManager sources;
  Diagnostics diagnostics;
  const std::shared_ptr<const Guideline> guideline =
      Guideline::compile(sources, sources.add("limits.rubric", kLimits), diagnostics);
  REQUIRE(guideline);
  const std::vector<Input> inputs = {
      {"grade", ScalarKind::number, "3"},
      {"grade", ScalarKind::number, "0"},
      {"score", ScalarKind::number, "9.99999999"},
      {"level", ScalarKind::number, "9.99999999"},
      {"elapsed", ScalarKind::string, "72 years"},
      {"elapsed", ScalarKind::string, "0 d"},
      {"dose", ScalarKind::string, "1 g/d"},
      {"weight", ScalarKind::string, "70 kg"},
      {"side", ScalarKind::string, "right"},
      {"note", ScalarKind::string, "any text"},
      {"grade", ScalarKind::null, ""},
  };
  std::vector<const FactSpec*> specs;
  std::vector<WrittenScalar> scalars;
  std::vector<Value> values;
  for (const Input& input : inputs) {
    const FactSpec* spec = nullptr;
    for (const FactSpec& fact : guideline->facts()) {
      if (fact.name == input.fact) {
        spec = &fact;
      }
    }
    REQUIRE(spec != nullptr);
    WrittenScalar scalar;
    scalar.kind = input.kind;
    scalar.text = input.text;
    // Once before counting: find_unit keeps the spellings it has found (per thread).
    const FactValueReading reading = read_fact_value(*spec, scalar);
    INFO(input.fact << ": " << input.text << ": " << reading.message);
    REQUIRE(reading.accepted());
    specs.push_back(spec);
    scalars.push_back(scalar);
    values.push_back(reading.value);
  }

  std::size_t accepted = 0;
  std::size_t violations = 0;
  const std::size_t before = counting_new::allocations.load();
  for (int round = 0; round < 100; ++round) {
    for (std::size_t index = 0; index < inputs.size(); ++index) {
      violations += specs[index]->violation(values[index]).has_value() ? 1 : 0;
      accepted += read_fact_value(*specs[index], scalars[index]).accepted() ? 1 : 0;
    }
  }
  const std::size_t counted = counting_new::allocations.load() - before;
  CHECK(counted == 0);
  CHECK(violations == 0);
  CHECK(accepted == 100 * inputs.size());

  // The counter works: a rejected value builds its message.
  const std::size_t rejected_before = counting_new::allocations.load();
  WrittenScalar too_high;
  too_high.kind = ScalarKind::number;
  too_high.text = "4";
  CHECK_FALSE(read_fact_value(*specs[0], too_high).accepted());
  CHECK(counting_new::allocations.load() > rejected_before);
}

}  // namespace rubric

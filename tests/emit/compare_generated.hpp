// Shared by the tests of tests/emit: compiles a rule file with the library, draws random fact
// sets around its thresholds, and compares a header `rubric compile --emit-cpp` generated
// (through a traits struct made by RUBRIC_EMIT_TRAITS) with Guideline::evaluate.
#pragma once

#include <fmt/format.h>

#include <array>
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "authoring/emit_cpp.hpp"
#include "dsl/diagnostic.hpp"
#include "engine/guideline.hpp"
#include "fact_conversion.hpp"
#include "values/units.hpp"

namespace rubric::emit_testing {

inline std::string read_text(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

struct Compiled {
  SourceManager sources;
  std::shared_ptr<const Guideline> guideline;
};

inline std::unique_ptr<Compiled> compile_text(const std::string& name, const std::string& text) {
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
  std::size_t decided_despite = 0;  // outcomes decided despite absent facts
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
      std::set<std::size_t> expected_despite;
      for (const FactId fact : decision.despite[r]) {
        expected_despite.insert(fact.value);
      }
      std::set<std::size_t> generated_despite;
      for (std::size_t f = 0; f < generated.despite[r].size(); ++f) {
        if (generated.despite[r].test(f)) {
          generated_despite.insert(f);
        }
      }
      tally.decided_despite += expected_despite.empty() ? 0 : 1;
      const bool agree =
          static_cast<int>(generated.outcome(r)) == static_cast<int>(decision.outcomes[r]) &&
          generated_missing == expected_missing && generated_despite == expected_despite;
      if (!agree) {
        std::string described;
        for (std::uint32_t f = 0; f < guideline.facts().size(); ++f) {
          described += fmt::format("  {}: {}\n", guideline.facts()[f].name,
                                   to_literal(facts.get(FactId{f})));
        }
        FAIL(fmt::format(
            "recommendation `{}`: library {} missing {} despite {}, generated {} missing {} "
            "despite {}\nfacts:\n{}",
            guideline.recommendations()[r].id, static_cast<int>(decision.outcomes[r]),
            expected_missing.size(), expected_despite.size(),
            static_cast<int>(generated.outcome(r)), generated_missing.size(),
            generated_despite.size(), described));
      }
      ++tally.outcomes[static_cast<std::size_t>(decision.outcomes[r])];
    }
  }
  return tally;
}

// Enough fact sets were compared, and every outcome occurred, so the comparison exercised
// all three. (Callers check decided_despite where a search may settle outcomes.)
inline void check_tally(const Tally& tally, std::size_t minimum_fact_sets) {
  INFO(fmt::format(
      "{} fact sets ({} skipped): {} absent, {} recommended, {} undetermined, {} decided despite",
      tally.fact_sets, tally.skipped, tally.outcomes[0], tally.outcomes[1], tally.outcomes[2],
      tally.decided_despite));
  CHECK(tally.fact_sets > minimum_fact_sets);
  CHECK(tally.outcomes[0] > 1000);
  CHECK(tally.outcomes[1] > 1000);
  CHECK(tally.outcomes[2] > 1000);
}

}  // namespace rubric::emit_testing

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

// One round of differential testing: a generated guideline, compiled to a decision graph and
// checked separately for the reference evaluator, evaluated by both on generated fact sets.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "tests/reference/generator.hpp"

namespace rubric::reference {

// What the rounds exercised, so a test can show that it is not vacuous.
struct Statistics {
  std::size_t guidelines = 0;
  std::size_t fact_sets = 0;
  std::size_t recommended = 0;
  std::size_t absent = 0;
  std::size_t undetermined = 0;
  std::size_t missing_facts = 0;  // entries over all missing-fact lists
  // Recommendations decided although facts they read are absent (exact outcomes), and those
  // whose completions were too many for the reference to enumerate.
  std::size_t decided_despite = 0;
  std::size_t uncompared = 0;
  // Guidelines whose program runs on FactBlocks bit-sliced, and those evaluated row by row.
  std::size_t bit_sliced = 0;
  std::size_t row_by_row = 0;
};

// Generates one guideline and `fact_sets` fact sets from `chooser` and compares
// Guideline::evaluate with the reference evaluator on each, and evaluation of the fact sets
// in FactBlocks with evaluating each alone. Nullopt when they agree
// exactly on every outcome and missing-fact list; otherwise a report naming the
// disagreement, with the guideline's text and the facts. A guideline the checker rejects is
// also reported (the generator must produce only valid guidelines).
std::optional<std::string> differential_round(Chooser& chooser, std::size_t fact_sets,
                                              Statistics& statistics);

// Generates one guideline and checks the claims `rubric check` makes about it on
// `fact_sets` generated fact sets: no fact set makes a recommendation called never made
// (W0501), and the guideline with the removals of every W0502 finding applied gives every
// fact set the same outcomes. `claims` counts the findings checked. Nullopt when every claim
// holds; otherwise a report with the guideline, the finding and the facts.
std::optional<std::string> analysis_claims_round(Chooser& chooser, std::size_t fact_sets,
                                                 std::size_t& claims);

}  // namespace rubric::reference

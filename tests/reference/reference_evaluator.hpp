// A reference evaluator for differential testing: a deliberately simple recursive interpreter
// of the checked AST (dsl/checker.hpp's CheckedModule). It builds no graph, shares nothing
// between uses of a definition (each use re-evaluates it), and takes no short-cuts, so that
// its answers can be compared with Guideline::evaluate's decision graph.
//
// It follows docs/semantics.md: Kleene logic for `and`, `or`, `xor`, `implies`, `not` and the
// `is` tests are written out here from the truth tables; the CQL value operators (comparison,
// arithmetic, units) come from values/value.hpp, which has its own unit tests.
//
// Contract: the module must be checked without errors (`ok`). Recursion depth follows the
// nesting of the rule file, which the parser bounds (kMaxExpressionDepth), so the recursion is
// bounded too. Pure and thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "dsl/checker.hpp"
#include "engine/guideline.hpp"
#include "values/fact_set.hpp"

namespace rubric::reference {

struct ReferenceDecision {
  std::vector<Outcome> outcomes;  // per recommendation, in declaration order
  // Per recommendation: the names of the absent facts an undetermined one waits on, sorted;
  // empty for the others.
  std::vector<std::vector<std::string>> missing;
};

// Evaluates every recommendation of `checked` against `facts` (one value per declared fact,
// FactId = index of the fact declaration), by Kleene logic alone.
ReferenceDecision evaluate(const CheckedModule& checked, const FactSet& facts);

struct ExactDecision : ReferenceDecision {
  // Per recommendation, for one decided although facts it reads are absent: those facts.
  std::vector<std::vector<std::string>> despite;
  // False for a recommendation whose completions were too many to enumerate.
  std::vector<bool> compared;
};

// The exact outcomes (docs/semantics.md#exact-outcomes), by brute force: for a recommendation
// Kleene logic leaves unknown, every completion of the absent facts it reaches through unknown
// sub-expressions (each fact at every representative of its domain), evaluated with the
// expressions known for `facts` kept. The representatives are the engine's (`domains`, one per
// fact, Guideline::fact_domains, whose partition the analysis tests check by their own brute
// force); the enumeration, the rule and the facts waited on are written out here, without the
// engine's pruning. A fact whose domain is not covered (FactDomain::covered) leaves Kleene's
// answer; more than `max_work` completions (times the facts, plus one) leave the recommendation
// uncompared.
ExactDecision evaluate_exact(const CheckedModule& checked, const FactSet& facts,
                             std::span<const FactDomain> domains, std::size_t max_work);

}  // namespace rubric::reference

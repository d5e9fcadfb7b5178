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
// FactId = index of the fact declaration).
ReferenceDecision evaluate(const CheckedModule& checked, const FactSet& facts);

}  // namespace rubric::reference

// Explaining one recommendation's outcome (`rubric explain`): why it was made, not made, or
// left undetermined, in the author's own terms.
//
// The explanation is built from the checked AST, not from the decision graph: the
// recommendation's `when` expression as written, descending into definitions by name, each
// sub-term with the value its graph node took in the evaluation. Chains of one operator
// (`a or b or c`) are one term with every operand. On top of the tree: a one-sentence
// summary, the terms that decided the outcome (for an absent recommendation, the false
// terms: "why not"), the facts, parameters and definitions involved, the citations with
// their full text, and for an undetermined recommendation, per missing fact, the values that
// would settle it (found by evaluating again with each candidate value).
//
// Contract: `explain` only reads its inputs and may run on many threads at once. The Values
// inside an Explanation view strings owned by the fact set and the guideline, which must
// outlive it. The tree is bounded: at most kMaxExplanationDepth levels (deeper terms are
// marked `truncated`), and a definition met again after the tree has kMaxExplanationNodes
// nodes is not expanded again (marked `repeated`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dsl/source.hpp"
#include "engine/graph.hpp"
#include "engine/guideline.hpp"
#include "values/fact_set.hpp"
#include "values/value.hpp"

namespace rubric {

inline constexpr std::size_t kMaxExplanationDepth = 100;
inline constexpr std::size_t kMaxExplanationNodes = 2000;

enum class TermKind : std::uint8_t {
  logical_and,  // a chain `a and b and c`: one term, every operand a child
  logical_or,
  logical_xor,
  implies,
  logical_not,
  comparison,    // = != ~ !~ < <= > >=
  arithmetic,    // + - * / div mod, unary - and +
  test,          // is null, is not null, is true, ...
  between,       // children: value, low, high
  membership,    // `in`; children: value, list
  list,          // children: the elements
  if_then_else,  // children: condition, then, else (roles say which)
  case_when,     // children: [subject], when, then, ..., else (roles say which)
  call,          // a function (Coalesce); children: the arguments
  score,         // a points score; children: the items' conditions, each with its weight as
                 // role ("+2"); `possible` holds the totals it can reach while unknown
  at_least,      // `at least N of (...)`; children: the count (role "count"), the conditions
  fact,
  parameter,
  definition,  // one child: the definition's body (none when repeated or truncated)
  literal,
};

// "and", "or", "xor", "implies", "not", "comparison", "arithmetic", "test", "between",
// "membership", "list", "if", "case", "call", "score", "at least", "fact", "parameter",
// "definition", "literal".
const char* term_kind_name(TermKind kind);

// One sub-term of a condition.
struct Term {
  TermKind kind = TermKind::literal;
  std::string text;         // the sub-expression as written, white space collapsed
  std::string op;           // operators: "and", ">=", "is not null", "between", "in", "if",
                            // "case", "-", the function name; empty otherwise
  std::string name;         // facts, parameters, definitions
  std::string description;  // their declared description (may be empty)
  std::string role;         // under if/case: "condition", "then", "else", "subject", "when"
  Value value;              // null: unknown (for a fact: absent)
  bool evaluated = true;    // false when no evaluated value exists (the value is null)
  bool decisive = false;    // it decided its parent's value (the root: always)
  bool taken = false;       // a branch of if/case that gave the result
  bool repeated = false;    // a definition not expanded again (see the contract above)
  bool truncated = false;   // children left out at the depth limit
  // A score whose items leave more than one total possible: the lowest and highest.
  std::optional<std::pair<Value, Value>> possible;
  SourceRange range;
  std::vector<Term> children;
};

// A term that decided the outcome: for a recommended one, a true term; for an absent one, a
// false term that made an `and` false (or every operand of a false `or`): "why not"; for an
// undetermined one, an unknown term. Found by descending from the condition through the
// deciding operands of `and`/`or` chains and through definitions; `not` and tests are terms.
struct Reason {
  std::string term;  // its text
  Value value;
  bool absent_fact = false;          // the term is a fact, and absent
  std::vector<std::string> through;  // the definitions it lies in, outermost first
  std::string because;  // what made it so, in words ("red_flag is true (neurologic_deficit
                        // = true)"); empty when the term is a fact
};

struct ExplainedFact {
  FactId id;
  std::string name;
  Value value;  // null: absent
  std::string description;
  // Reached through deciding terms only; for an undetermined recommendation, one of the
  // facts it waits on (an absent fact that can still change it), and nothing else.
  bool decisive = false;
};

struct ExplainedParameter {
  std::string name;
  Value value;
  std::string description;
};

struct ExplainedDefinition {
  std::string name;
  Value value;
  std::string description;
  SourceRange range;
};

struct ExplainedCitation {
  std::uint32_t number = 0;
  std::string text;  // the source's full citation (empty if the guideline lacks it)
};

// One set of values of a missing fact and the outcome it would give, all else unchanged.
// Booleans and codes: one value each (min = max = that value). Numbers and quantities: a
// range between the thresholds the condition compares the fact with; `example` is the
// value evaluated.
//
// `proven`: the outcome holds for every value the option names. A range is claimed only
// when the fact is used in the recommendation's condition (through definitions) solely by
// comparisons with values that do not depend on it (see MissingFact::unproven_because):
// every test of the fact is then constant between consecutive thresholds, so the outcome
// is, and one evaluation decides the whole range; or when every value in it was evaluated (an
// integer fact declared with at most 64 values). Otherwise the option is one example value
// (min = max = example, `values` is that value), evaluated exactly, that stands for no other
// value.
struct SettleOption {
  std::string values;  // "true", "'left'", "below 3.5", "at least 4 weeks and below 6 weeks"
  Value example;
  std::optional<Value> min;
  bool min_inclusive = true;
  std::optional<Value> max;
  bool max_inclusive = true;
  Outcome outcome = Outcome::undetermined;
  bool proven = true;
};

struct MissingFact {
  FactId id;
  std::string name;
  std::string expected;  // FactSpec::expected(): "`true` or `false`", "a decimal from 0 to 10"
  std::string description;
  // Empty when no candidate values are known (a string compared with nothing constant, ...).
  std::vector<SettleOption> options;
  // Empty when every option is proven; otherwise why no range could be claimed and the
  // options are single example values: "weight is used in `weight * 15`".
  std::string unproven_because;
  // Some option gives a known outcome / every option is proven and does (then every value
  // the options name settles it).
  [[nodiscard]] bool settles_sometimes() const;
  [[nodiscard]] bool settles_always() const;
};

// A value the recommendation reports (its `report` clause) for this patient.
struct ExplainedReport {
  std::string name;
  ReportedValue value;
};

struct Explanation {
  std::string guideline_id;
  std::string guideline_version;
  std::size_t recommendation = 0;  // index into Guideline::recommendations()
  std::string id;
  std::string kind;
  std::string text;
  std::optional<std::string> evidence;
  std::vector<CarriedParameter> carried;
  std::vector<ExplainedReport> reported;  // whatever the outcome
  SourceRange range;                      // the recommendation's declaration

  Outcome outcome = Outcome::undetermined;
  // One sentence: "calcium is recommended because conservative is true: applicable is true
  // (fracture_grade = 1, applicable_grade = 1) and red_flag is false (...)."
  std::string summary;
  std::vector<Reason> reasons;
  Term condition;                                // the `when` expression
  std::vector<ExplainedFact> facts;              // every fact the condition reads, by name
  std::vector<ExplainedParameter> parameters;    // in order of first use
  std::vector<ExplainedDefinition> definitions;  // in order of first use
  std::vector<MissingFact> missing;              // undetermined only, as Decision::missing
  // Decided although these facts are absent (Decision::despite, sorted by name): the condition
  // is unknown term by term, but every value of them gives the outcome
  // (docs/semantics.md#exact-outcomes). The reasons are then empty, and the facts that decided
  // it are the present ones it read.
  std::vector<std::string> despite;
  std::vector<ExplainedCitation> citations;
};

// Explains recommendation `recommendation` (an index into Guideline::recommendations()) as
// decided by the last `guideline.evaluate_with_values(facts, scratch, decision)`. Reads the rule
// file through the guideline's checked module and expression nodes (Guideline::checked,
// Guideline::node_of); `sources` must hold the text the guideline was compiled from.
Explanation explain(const Guideline& guideline, const SourceManager& sources, const FactSet& facts,
                    EvaluationScratch& scratch, const Decision& decision,
                    std::size_t recommendation);

// The same, evaluating first.
Explanation explain(const Guideline& guideline, const SourceManager& sources, const FactSet& facts,
                    std::size_t recommendation);

// "recommended", "absent", "undetermined".
const char* outcome_name(Outcome outcome);

// A value for people: "true", "3.5", "4 weeks", "1000 mg/d", "'left'"; null is "unknown".
std::string display_value(const Value& value);

}  // namespace rubric

// The analysis core: an exact decision procedure over compiled guidelines.
//
// It answers "is there a valid fact set in which these conditions take these truth values
// (true, false, unknown)?" and returns a witness: a complete fact set that respects every
// declared type, range and code, confirmed by the real evaluator. The method (documented in
// docs/analysis.md): each fact's domain is partitioned into finitely many regions on which
// every test of the fact is constant (the absent value, then for numbers and quantities the
// constants and parameters the fact is compared with, unit-normalised, and the open
// intervals between them, clipped to the declared limits and to integer-ness; booleans and
// codes by value); a depth-first search over those regions evaluates the graph abstractly
// (Kleene logic over sets of truth values) to prune, and confirms every candidate witness by
// a concrete evaluation.
//
// Exactness: a fact used only in the fragment (compared with constants, tested with `is`,
// `in` a list of constants, used as a boolean) is represented exactly. A fact used in
// anything else (arithmetic, comparison with another fact, Coalesce) is sampled at its
// region representatives: a witness found is still genuine, but "no such fact set" is then
// only "none found" and the result is marked approximate. Each query is bounded by
// AnalysisLimits::max_steps abstract evaluations; a query that reaches the limit says so
// (QueryStatus::limit_reached) rather than running on.
//
// Contract: an Analysis only reads its guidelines, which must outlive it. It is immutable
// after construction; every query is const, keeps its working memory on the stack of the
// call, and may run on many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "engine/fact_domains.hpp"
#include "engine/graph.hpp"
#include "engine/guideline.hpp"
#include "values/fact_set.hpp"
#include "values/value.hpp"

namespace rubric {

// A set of truth values of a boolean node: true, false, unknown (null).
using TruthMask = std::uint8_t;
inline constexpr TruthMask kTruthTrue = 1;
inline constexpr TruthMask kTruthFalse = 2;
inline constexpr TruthMask kTruthUnknown = 4;
inline constexpr TruthMask kTruthAny = 7;

struct AnalysisLimits {
  // Abstract evaluations one query may perform before it gives up (limit_reached).
  std::size_t max_steps = 20'000;
  // An integer fact whose declared range holds at most this many values is enumerated value
  // by value (and is then exact whatever it is used in).
  std::int64_t max_enumerated_integers = 64;
  // Regions a fact may have; further comparison constants make the fact approximate.
  std::size_t max_regions_per_fact = 512;
  // Work one query may do, in node evaluations (a step evaluates every node of the goal's
  // cone; preparing a query counts its cone and region classes): a query over a large cone
  // stops here even before max_steps (limit_reached).
  std::size_t max_work = 4'000'000;
  // Work `rubric check` (analyse_guideline) or one `rubric diff` (diff_behaviour) may do over
  // all its queries; the questions left when it is spent are reported as not settled.
  std::size_t max_total_work = 120'000'000;
};

// A fact of the analysed guidelines, matched by name across them.
// Its domain (regions, exactness) is built by engine/fact_domains.hpp from every declaring
// guideline's uses.
struct AnalysisFact : FactDomain {
  std::string name;
  std::vector<std::optional<FactId>> ids;  // per guideline: its id there, if declared
  const FactSpec* spec = nullptr;          // the first declaration
  // Declared with different types in two guidelines: only its absence is valid in both.
  bool types_differ = false;
  // Declared differently (type, range or codes) in two guidelines: some values are valid in
  // one only, and those patients are outside every query.
  bool declarations_differ = false;
};

// One conjunct of a goal: the node of guideline `guideline` (nullopt: a recommendation the
// guideline lacks, which is never made: always false) takes a truth value in `wanted`.
//
// With `recommendation` set, the term is about that recommendation's outcome rather than its
// condition's Kleene value: made (true), not made (false) or undetermined (unknown), as
// Guideline::evaluate decides it, exactly (docs/semantics.md#exact-outcomes); `node` is then
// its condition.
struct GoalTerm {
  GoalTerm() = default;
  GoalTerm(std::size_t guideline_index, std::optional<NodeId> term_node, TruthMask wanted_mask,
           std::optional<std::size_t> recommendation_index = std::nullopt)
      : guideline(guideline_index),
        node(term_node),
        wanted(wanted_mask),
        recommendation(recommendation_index) {}

  std::size_t guideline = 0;
  std::optional<NodeId> node;
  TruthMask wanted = kTruthTrue;
  std::optional<std::size_t> recommendation;
};

enum class QueryStatus : std::uint8_t {
  found,          // a witness exists (and was confirmed)
  impossible,     // proven: no valid fact set satisfies the goal
  not_found,      // none found, but the answer is approximate (facts outside the fragment)
  limit_reached,  // the search gave up at AnalysisLimits::max_steps
};

const char* query_status_name(QueryStatus status);

// A complete assignment: per analysis fact, the index of its region.
struct Assignment {
  std::vector<std::uint32_t> regions;
};

// A set of assignments that is a product of per-fact region sets. An empty `allowed` entry
// means every region of that fact.
struct Box {
  std::vector<std::vector<bool>> allowed;  // per analysis fact, per region
};

struct QueryResult {
  QueryStatus status = QueryStatus::impossible;
  Assignment witness;  // when found
  std::size_t steps = 0;
  std::size_t work = 0;  // node evaluations, as AnalysisLimits::max_work counts them
};

class Analysis {
 public:
  // `guidelines` must outlive the analysis; facts are matched by name across them.
  explicit Analysis(std::vector<const Guideline*> guidelines, AnalysisLimits limits = {});

  [[nodiscard]] std::span<const AnalysisFact> facts() const { return facts_; }
  [[nodiscard]] const Guideline& guideline(std::size_t index) const { return *guidelines_[index]; }
  [[nodiscard]] const AnalysisLimits& limits() const { return limits_; }

  // Searches for a complete assignment satisfying every term of `goal`, inside `within`
  // (null: anywhere) and outside every box of `excluded`. A witness found is confirmed by
  // evaluating each guideline's graph on it.
  [[nodiscard]] QueryResult find(std::span<const GoalTerm> goal, const Box* within = nullptr,
                                 std::span<const Box> excluded = {}) const;

  // True when every fact the goal's conditions read is exact (see the file comment).
  [[nodiscard]] bool exact(std::span<const GoalTerm> goal) const;

  // The fact set of an assignment for guideline `guideline` (facts it does not declare are
  // left out). Valid per the guideline's declarations.
  [[nodiscard]] FactSet fact_set(const Assignment& assignment, std::size_t guideline) const;

  // Grows the one-point box of `witness` fact by fact, keeping only extensions proven to
  // satisfy `goal` everywhere, and returns it: a region of patients around the witness.
  // The work of its queries is added to `*work` when given.
  [[nodiscard]] Box generalize(const Assignment& witness, std::span<const GoalTerm> goal,
                               std::size_t* work = nullptr) const;

  // True when `assignment` lies in `box`.
  [[nodiscard]] bool contains(const Box& box, const Assignment& assignment) const;

  // A box in words: `pain_vas in [3.5, 4.0) and neurologic_deficit is false and ...`;
  // facts the box does not constrain are left out ("any patient" when none is).
  [[nodiscard]] std::string describe(const Box& box) const;

  // The facts the nodes of `goal` read (indexes into facts()).
  [[nodiscard]] std::vector<std::uint32_t> facts_read(std::span<const GoalTerm> goal) const;

 private:
  void add_fact_uses();

  std::vector<const Guideline*> guidelines_;
  AnalysisLimits limits_;
  std::vector<AnalysisFact> facts_;
  // Per guideline, per declared fact: its index in facts_.
  std::vector<std::vector<std::uint32_t>> fact_index_;
  std::deque<std::string> strings_;  // owns the characters of string representatives
};

// "the analysis is approximate for `x` (used in arithmetic, ...)": the facts the goal reads
// that are outside the exact fragment, each with its reason ("the analysis is approximate" when
// none is).
std::string approximate_facts(const Analysis& analysis, std::span<const GoalTerm> goal);

// Why a query stopped at AnalysisLimits (max_steps or max_work), in words.
std::string limit_text(const AnalysisLimits& limits);

// ---- Behavioural difference between two versions of a guideline ---------------------------

// The outcomes compared by `rubric diff`: made (true), not made (false), undetermined.
const char* outcome_word(Outcome outcome);

// A patient on whom the two versions decide one recommendation differently, confirmed by
// Guideline::evaluate on both versions.
struct DiffWitness {
  Assignment assignment;
  FactSet old_facts;  // the patient as a fact set valid for the old version
  FactSet new_facts;  // the same patient for the new version
  Outcome old_outcome = Outcome::absent;
  Outcome new_outcome = Outcome::absent;
};

// A region of patients (a product of fact regions around the witness) on all of which the
// old version gives `old_outcome` and the new one `new_outcome`.
struct ChangedRegion {
  Outcome old_outcome = Outcome::absent;
  Outcome new_outcome = Outcome::absent;
  std::string description;
  std::vector<DiffWitness> witnesses;
};

struct RecommendationChange {
  std::string id;
  bool in_old = true;
  bool in_new = true;
  std::vector<ChangedRegion> regions;
  // Regions are listed up to kMaxRegionsPerChange per pair of outcomes; true when more
  // patients differ outside the listed regions (or that could not be ruled out).
  bool more = false;
};

inline constexpr std::size_t kMaxRegionsPerChange = 4;

struct UnprovenComparison {
  std::string id;
  std::string reason;  // "search limit reached", "approximate: ..."
};

struct BehaviouralDiff {
  std::vector<RecommendationChange> changes;
  // Recommendations for which "no change" could not be proven (nor a change found).
  std::vector<UnprovenComparison> unproven;
  std::size_t steps = 0;  // abstract evaluations, over all queries
  std::size_t work = 0;   // node evaluations, over all queries (AnalysisLimits::max_total_work)
};

// The ids of the recommendations of two versions of a guideline: the new version's, in its
// order, then those only the old version has, in its order.
std::vector<std::string> recommendation_ids(const Guideline& old_version,
                                            const Guideline& new_version);

// Compares every recommendation (matched by id; a recommendation missing from one version
// is never made there) over every valid patient. Pure; safe to call from many threads.
BehaviouralDiff diff_behaviour(const Guideline& old_version, const Guideline& new_version,
                               AnalysisLimits limits = {});

// ---- Findings about one guideline (`rubric check`) ------------------------------------------

// One analysis finding: codes W0501..W0506 (docs/diagnostics.md, docs/analysis.md).
struct AnalysisFinding {
  Diagnostic diagnostic;
  std::optional<FactSet> witness;  // for findings about patients
  // W0502: the text the finding advises to delete (the part and the operator beside it).
  // Deleting the removals of every W0502 of one run together changes no outcome for any
  // valid patient: the behavioural diff proved it before the findings were reported.
  std::optional<SourceRange> removal;
};

// Dead recommendations (W0501), redundant sub-conditions (W0502), contradictory or
// always-true chains (W0503), incompatible recommendations made together (W0504), coverage
// gaps (W0505) and questions the analysis could not settle (W0506, a note). `sources`
// holds the guideline's text: sub-conditions are quoted from it, and for a coverage
// declaration the file is compiled once more from it with the coverage condition added as a
// definition (the compiled Guideline has no node for it).
std::vector<AnalysisFinding> analyse_guideline(const Guideline& guideline,
                                               const SourceManager& sources,
                                               AnalysisLimits limits = {});

// A value as a fact file writes it: `true`, `3.5`, `12 weeks`, `'left'` (for people).
std::string fact_value_text(const Value& value);

// A finding's witness as `rubric check` prints it after the finding:
// `{fracture_grade: 1, pain_vas: null, ...}`, every fact of the guideline in order.
std::string witness_text(const Guideline& guideline, const FactSet& witness);

}  // namespace rubric

// A compiled guideline: the public face of the engine. Compile once, evaluate many times.
//
// Contract: a Guideline is immutable after `compile`; share it as
// std::shared_ptr<const Guideline> across threads. `evaluate` is const and thread-safe;
// the overload taking an EvaluationScratch reuses caller-owned memory and performs no
// allocation once the scratch and decision have grown to the guideline's size. A scratch
// must not be used by two threads at once.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"
#include "engine/fact_domains.hpp"
#include "engine/graph.hpp"
#include "engine/program.hpp"
#include "values/fact_block.hpp"
#include "values/fact_set.hpp"

namespace rubric {

struct CheckedModule;

struct SourceInfo {
  std::uint32_t number = 0;
  std::string citation;
};

struct CarriedParameter {
  std::string name;
  Value value;
};

// A name in a recommendation's `report` clause and the node of its value.
struct ReportedName {
  std::string name;
  NodeId node;
  // A score whose items read no fact in common and are each Kleene-exact (true for some values
  // of their absent facts and false for others, whenever unknown): each unknown item's 0 and
  // weight are reached independently, so the independent range is the exact one and needs no
  // search. Set when the guideline is compiled.
  bool independent_items = false;
};

// A reported value for one patient: the value, null while unknown; for an unknown score, the
// lowest and highest totals some values of the absent facts give (null otherwise).
struct ReportedValue {
  Value value;  // null when unknown
  // Of an unknown score, the lowest and highest totals (null otherwise). When `attained`, some
  // values of the absent facts give each of them (found by the exact search,
  // docs/semantics.md#reported-values); otherwise they only bound the total: each unknown item
  // counted as 0 or its weight independently, because the search could not try every
  // behaviour of the facts.
  Value low;
  Value high;
  bool attained = false;
};

// A reported value as a clinician reads it: `4`, `unknown, from 2 to 4` (a score whose absent
// facts leave totals from 2 to 4), `unknown, between 2 and 5` (bounds only), or `unknown`.
std::string reported_value_text(const ReportedValue& value);

struct RecommendationInfo {
  std::string id;
  std::string kind;
  // The card indicator: the `indicator` clause's, or the kind's default (default_indicator):
  // "info", "warning" or "critical".
  std::string indicator;
  std::string text;
  std::optional<std::string> summary;  // `summary "..."`, at most kMaxSummaryCharacters
  std::vector<std::uint32_t> citations;
  std::optional<std::string> evidence;
  std::vector<CarriedParameter> parameters;
  std::vector<ReportedName> reported;
  SourceRange range;
  NodeId condition;
};

struct DefinitionInfo {
  std::string name;
  NodeId value;
  SourceRange range;
};

enum class Outcome : std::uint8_t { absent, recommended, undetermined };

// The result of one evaluation, per recommendation (in declaration order).
struct Decision {
  std::vector<Outcome> outcomes;
  // For each undetermined recommendation, the absent facts it waits on: those some value of
  // which, with some values of the others, changes the outcome; where the search for exact
  // outcomes does not run (a domain not covered, or over its budget: search_fits), those
  // Kleene logic waits on, a superset (sorted by name); empty for the others.
  std::vector<std::vector<FactId>> missing;
  // For each recommendation decided although facts its condition reads are absent (Kleene
  // logic leaves the condition unknown, but every value of those facts gives the same
  // outcome: docs/semantics.md#exact-outcomes), the facts Kleene logic would have waited on
  // (sorted by name); empty for the others.
  std::vector<std::vector<FactId>> despite;
};

// Per-call working memory for `evaluate`. Not tied to one guideline: every evaluate
// overwrites what it reads.
struct EvaluationScratch {
  // Per graph node: its state (NodeState: false, true, null, or a known non-boolean value).
  std::vector<std::uint8_t> states;
  // Per graph node: its value. `evaluate` fills only the nodes the general operators
  // compute; `evaluate_with_values` fills every node.
  std::vector<Value> values;
  std::vector<std::uint32_t> visited;  // generation marks for the missing-facts walk
  std::vector<NodeId> stack;
  std::uint32_t generation = 0;
  // The exact outcome's search (engine/exact_outcome.cpp): every node's Value for the fact
  // set (valid while `search_ready`), the unknown nodes it evaluates again, the absent facts
  // it gives values, and per such fact the region of its domain chosen (0: none yet).
  std::vector<Value> search_values;
  bool search_ready = false;
  std::vector<NodeId> search_nodes;
  std::vector<FactId> search_facts;
  std::vector<std::uint32_t> search_choice;
  std::vector<std::uint32_t> search_order;  // the other facts, while one fact's effect is sought
  std::vector<std::uint32_t> fact_slots;    // per fact: its index in search_facts, or UINT32_MAX
  // While one fact's effect is sought: per search node, its value at the fact's first region
  // and whether it differs (or is unknown) at another; per graph node, whether the fact may
  // still change it (all 0 between searches).
  std::vector<Value> search_first;
  std::vector<std::uint8_t> search_varies;
  std::vector<std::uint8_t> search_influenced;
};

// The result of evaluating a FactBlock: per recommendation (in declaration order), which
// rows are recommended and which are undetermined, as bit masks (bit r is row r). The
// missing facts of an undetermined row come on demand from Guideline::missing.
struct BlockDecision {
  std::size_t rows = 0;
  std::vector<std::uint64_t> recommended;
  std::vector<std::uint64_t> undetermined;

  [[nodiscard]] Outcome outcome(std::size_t row, std::size_t recommendation) const {
    const std::uint64_t bit = std::uint64_t{1} << row;
    return (recommended[recommendation] & bit) != 0    ? Outcome::recommended
           : (undetermined[recommendation] & bit) != 0 ? Outcome::undetermined
                                                       : Outcome::absent;
  }
};

// Per-call working memory for evaluating blocks; like EvaluationScratch, not tied to one
// guideline, and not to be used by two threads at once.
struct BlockScratch {
  std::vector<BlockState> states;  // per graph node, for every row
  EvaluationScratch row;           // one row's states: guidelines that need Values, `missing`
  FactSet facts;                   // one row's facts, for guidelines that need Values
  // The row whose states `row.states` holds for `missing` (so that the missing facts of
  // several recommendations of one row unpack its states once); kCapacity for none.
  std::size_t unpacked_row = FactBlock::kCapacity;
  // The rows whose outcome the exact search settled in the last block evaluation: per such
  // row and recommendation, its missing facts (undetermined) or the absent facts it was
  // decided despite, as a range of `settled_facts`.
  struct Settled {
    std::uint32_t row = 0;
    std::uint32_t recommendation = 0;
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    bool decided = false;
  };
  std::vector<Settled> settled;
  std::vector<FactId> settled_facts;
  Decision row_decision;  // one row's decision, for the search
};

class Guideline {
 public:
  // Parses, checks and compiles a rule file held by `sources`. Returns null when the file
  // has errors; every diagnostic (errors and warnings) goes to `diagnostics`.
  static std::shared_ptr<const Guideline> compile(const SourceManager& sources, FileId file,
                                                  Diagnostics& diagnostics);
  // Compiles a module the checker has checked (tools that keep the checked module for
  // themselves: the language server). Returns null when the module is not `ok`.
  static std::shared_ptr<const Guideline> compile(std::shared_ptr<const CheckedModule> checked);

  [[nodiscard]] const std::string& id() const { return id_; }
  [[nodiscard]] const std::string& title() const { return title_; }
  [[nodiscard]] const std::string& version() const { return version_; }
  // The CDS hooks the rule file's `hooks` clause names, in its order; empty without one (a
  // service then answers `patient-view`).
  [[nodiscard]] std::span<const std::string> hooks() const { return hooks_; }
  [[nodiscard]] std::span<const SourceInfo> sources() const { return sources_; }
  [[nodiscard]] const SourceInfo* source(std::uint32_t number) const;
  [[nodiscard]] std::span<const FactSpec> facts() const { return facts_; }
  // A fact by name (the evaluation date's is kEvaluationDateName).
  [[nodiscard]] std::optional<FactId> find_fact(std::string_view name) const;
  // The fact that `Today()` reads (FactSpec::evaluation_date), when the rule file uses it.
  [[nodiscard]] std::optional<FactId> evaluation_date() const;
  // Gives `facts` the evaluation date `as_of` (a Date of day precision), when the guideline
  // reads it; every front end calls this once per fact set, after reading the facts.
  void set_evaluation_date(FactSet& facts, const DateTime& as_of) const;
  [[nodiscard]] std::span<const RecommendationInfo> recommendations() const {
    return recommendations_;
  }
  [[nodiscard]] std::optional<std::size_t> find_recommendation(std::string_view id) const;
  [[nodiscard]] std::span<const DefinitionInfo> definitions() const { return definitions_; }
  // The node of the `coverage when` condition, when the guideline declares one (the patients
  // who must get at least one recommendation; see docs/analysis.md).
  [[nodiscard]] std::optional<NodeId> coverage_condition() const { return coverage_condition_; }
  [[nodiscard]] const DecisionGraph& graph() const { return graph_; }
  // The compact form of the graph that `evaluate` runs.
  [[nodiscard]] const EvaluationProgram& program() const { return program_; }
  // The node reading each fact, if any expression reads it.
  [[nodiscard]] std::optional<NodeId> fact_node(FactId fact) const;
  // The checked rule file this guideline was compiled from (for explanations and tools that
  // speak in the author's terms); lives as long as the guideline.
  [[nodiscard]] const CheckedModule& checked() const { return *checked_; }
  // The graph node an expression of `checked().module` compiled to; nullopt for expressions
  // that were never compiled (unused definitions are compiled; list literals are not).
  [[nodiscard]] std::optional<NodeId> node_of(ast::ExprId expression) const;
  // The parameters whose value a constant node holds, comma-separated ("" for none).
  [[nodiscard]] const std::string& parameter_names(NodeId node) const;

  // The compiled graph as text, one node a line in evaluation order (`%3 = and %1, %2`),
  // then the definitions and recommendations with their nodes; stable, for golden tests
  // and for people inspecting what the compiler made of their rules.
  [[nodiscard]] std::string dump() const;

  [[nodiscard]] Decision evaluate(const FactSet& facts) const;
  // The fast form: runs the compact program (engine/program.hpp), which keeps one byte of
  // state per node and computes full Values only where it must.
  void evaluate(const FactSet& facts, EvaluationScratch& scratch, Decision& decision) const;
  // The same decision, computing every node's Value (for explanations, coverage and tools
  // that show sub-term values through `value_of`); several times slower.
  void evaluate_with_values(const FactSet& facts, EvaluationScratch& scratch,
                            Decision& decision) const;
  // Evaluates every row of a block at once (bit-sliced: each step of the program runs on 64
  // rows in a few machine words), giving each row the outcomes `evaluate` gives its fact
  // set. A guideline whose program does not run on blocks (EvaluationProgram::
  // runs_on_blocks) is evaluated row by row instead. Allocation-free once the scratch and
  // decision have grown to the guideline's size. Precondition: block.fact_count() equals
  // facts().size(); otherwise the decision has no rows.
  void evaluate(const FactBlock& block, BlockScratch& scratch, BlockDecision& decision) const;
  // The absent facts an undetermined recommendation waits on for one row (sorted by name),
  // after the last block evaluation with `scratch`; empty when that row's outcome is known.
  void missing(std::size_t row, std::size_t recommendation, BlockScratch& scratch,
               std::vector<FactId>& out) const;
  // The absent facts a recommendation was decided despite for one row (Decision::despite),
  // after the last block evaluation with `scratch`.
  void despite(std::size_t row, std::size_t recommendation, const BlockScratch& scratch,
               std::vector<FactId>& out) const;
  // True when Kleene logic alone decides recommendation r exactly: whenever its condition is
  // unknown, some values of the absent facts make it and others do not. Otherwise an unknown
  // condition is settled by a search over the facts' domains (docs/semantics.md#exact-outcomes).
  [[nodiscard]] bool kleene_exact(std::size_t recommendation) const {
    return kleene_exact_[recommendation] != 0;
  }
  // Whether recommendation r's search for its exact outcome fits the search budget for these
  // facts: with s of the facts its condition's cone reads absent, C the product of their
  // region counts and n the cone's node count, (s + 1)^2 C n <= kMaxSearchWork
  // (engine/search_limits.hpp). Decided from the facts alone, before searching, so that
  // generated code (`--emit-cpp`) decides it the same way; otherwise Kleene's answer stands.
  [[nodiscard]] bool search_fits(std::size_t recommendation, const FactSet& facts) const;
  // The domain of each fact, partitioned as engine/fact_domains.hpp describes.
  [[nodiscard]] std::span<const FactDomain> fact_domains() const { return fact_domains_; }
  // The facts that decided a recommendation's known outcome in the last evaluate() with
  // this scratch (sorted by name): for a true `and`, all of its operands; for a false one,
  // the false operands; `or` the other way round; every operand of a test.
  [[nodiscard]] std::vector<FactId> deciding_facts(std::size_t recommendation,
                                                   EvaluationScratch& scratch) const;
  // The value of a reported name (RecommendationInfo::reported) after the last evaluate() or
  // evaluate_with_values() with this scratch and these facts. An unknown score gets its
  // range, searched as exact outcomes are (so it uses the scratch's search fields).
  [[nodiscard]] ReportedValue reported_value(const ReportedName& name, const FactSet& facts,
                                             EvaluationScratch& scratch) const;
  // The value of every graph node after the last evaluate_with_values() with this scratch.
  [[nodiscard]] static const Value& value_of(const EvaluationScratch& scratch, NodeId node) {
    return scratch.values[node.value];
  }

 private:
  friend class GuidelineCompiler;
  // Outcomes and missing facts from the states of the last evaluation of `facts` in `scratch`.
  void decide(const FactSet& facts, EvaluationScratch& scratch, Decision& decision) const;
  // Builds the fact domains and decides which recommendations Kleene logic decides exactly
  // (engine/exact_outcome.cpp); called once by the compiler.
  void prepare_exact_outcomes();
  // The exact outcome of recommendation r, whose condition Kleene logic left unknown in the
  // last evaluation of `facts` with `scratch`; fills `missing` (undetermined) or `despite`
  // (decided). Defined in engine/exact_outcome.cpp.
  Outcome settle(std::size_t recommendation, const FactSet& facts, EvaluationScratch& scratch,
                 std::vector<FactId>& missing, std::vector<FactId>& despite) const;
  // Sets up the scratch's search fields for the unknown node `root` after the last evaluation
  // of `facts`: the unknown nodes its value flows from and the absent facts among them.
  // Returns whether every such fact's domain is covered (FactDomain::covered). Must be
  // followed by end_search.
  bool begin_search(NodeId root, const FactSet& facts, EvaluationScratch& scratch) const;
  // Restores the search fields for the next search of the same evaluation.
  void end_search(EvaluationScratch& scratch) const;
  // The lowest and highest totals of the unknown score node `score` over every value of the
  // absent facts it waits on (known nodes keeping their values), as Decimal raw amounts;
  // nullopt when the search cannot be exhaustive or some values leave it unknown.
  // `bound_low`, `bound_high`: the independent range, where the search may stop.
  std::optional<std::pair<Int128, Int128>> score_extremes(NodeId score, const FactSet& facts,
                                                          EvaluationScratch& scratch,
                                                          Int128 bound_low,
                                                          Int128 bound_high) const;
  // Sorts facts by name.
  void sort_by_name(std::vector<FactId>& facts) const;
  void collect_missing(NodeId root, EvaluationScratch& scratch, std::vector<FactId>& out) const;
  // Marks a fresh generation in the scratch's visited set.
  std::uint32_t next_generation(EvaluationScratch& scratch) const;
  // Walks back from `root`, visiting each node once: a fact node adds its fact to `out`;
  // any other calls `follow(node_id, node, push)`, which pushes the operands to walk on.
  // `out` ends sorted by fact name. Uses the scratch's stack and visited set.
  template <class Follow>
  void walk_to_facts(NodeId root, EvaluationScratch& scratch, std::vector<FactId>& out,
                     Follow follow) const {
    const std::uint32_t mark = next_generation(scratch);
    scratch.stack.clear();
    scratch.stack.push_back(root);
    const auto push = [&](NodeId operand) {
      if (scratch.visited[operand.value] != mark) {
        scratch.stack.push_back(operand);
      }
    };
    while (!scratch.stack.empty()) {
      const NodeId id = scratch.stack.back();
      scratch.stack.pop_back();
      if (scratch.visited[id.value] == mark) {
        continue;
      }
      scratch.visited[id.value] = mark;
      const Node& node = graph_.node(id);
      if (node.op == Opcode::fact) {
        out.push_back(FactId{node.payload});
      } else {
        follow(id, node, push);
      }
    }
    sort_by_name(out);
  }
  // Of an unknown `at least` node, calls `follow` on the operands whose being unknown could
  // change its value (defined in evaluator.cpp).
  template <class Follow>
  void follow_deciding_items(const Node& node, const std::uint8_t* states, Follow follow) const;
  // Of a `score` node (weight, item, ...), calls `follow` on the items that weigh something
  // (an item of weight 0 never changes the total).
  template <class Follow>
  void for_each_weighing_item(const Node& node, Follow follow) const {
    const auto operands = graph_.operands(node);
    for (std::size_t k = 0; k + 1 < operands.size(); k += 2) {
      if (graph_.constant(graph_.node(operands[k])).as_decimal() != Decimal()) {
        follow(operands[k + 1]);
      }
    }
  }

  std::string id_;
  std::string title_;
  std::string version_;
  std::vector<std::string> hooks_;
  std::vector<SourceInfo> sources_;
  std::vector<FactSpec> facts_;
  std::vector<std::optional<NodeId>> fact_nodes_;
  std::vector<RecommendationInfo> recommendations_;
  std::vector<DefinitionInfo> definitions_;
  std::optional<NodeId> coverage_condition_;
  DecisionGraph graph_;
  EvaluationProgram program_;
  std::shared_ptr<const CheckedModule> checked_;
  std::vector<std::optional<NodeId>> expression_nodes_;
  std::vector<std::string> parameter_names_;  // per node
  std::vector<FactDomain> fact_domains_;      // per fact
  std::deque<std::string> domain_strings_;    // the characters of string representatives
  std::vector<std::uint8_t> kleene_exact_;    // per recommendation
  // Per recommendation: the facts its condition's cone reads and the cone's node count, for
  // the search budget (Guideline::search_fits).
  std::vector<std::vector<FactId>> cone_facts_;
  std::vector<std::uint32_t> cone_sizes_;
};

}  // namespace rubric

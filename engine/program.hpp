// The compact evaluation program: the part of a decision graph that recommendations depend
// on, as a flat list of steps over one byte of state per node.
//
// A node's state is its truth value (false, true, null) when it is boolean, and whether it
// is present (null or known) otherwise. Logic, `is` tests, comparisons of facts with
// constants and points scores' tests against constants run on states and on the fact set's
// values in place: no Value is copied. Only
// the operations that produce a non-boolean value other than a fact or a constant
// (arithmetic, `if`, Coalesce, conversions) compute a Value, with the general operators of
// values/value.hpp; their results go to a scratch array of Values.
//
// Contract: built once by the compiler from a graph and its roots; immutable afterwards and
// safe to run from many threads, each with its own scratch. The program refers to the
// graph's nodes and constants by index, so it is valid only with the graph it was built
// from. `run` gives exactly the states `evaluate_graph` implies (tests/reference and the
// engine tests compare them).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/graph.hpp"
#include "values/fact_block.hpp"

namespace rubric {

class FactSet;

// The state a Value implies: a boolean's value, kStateNull for null, kStateKnown for any
// other kind. A table lookup, without branches (it runs once per fact per evaluation).
inline std::uint8_t state_of(const Value& value) {
  static constexpr std::array<std::uint8_t, kValueKindCount> kKindState = {
      kStateNull, kStateFalse, kStateKnown, kStateKnown, kStateKnown, kStateKnown, kStateKnown};
  static_assert(kKindState.back() == kStateKnown, "one state per ValueKind");
  const ValueKind kind = value.kind();
  return static_cast<std::uint8_t>(
      kKindState[static_cast<std::size_t>(kind)] |
      static_cast<std::uint8_t>(kind == ValueKind::boolean && value.as_boolean()));
}

// The states of one node for the rows of a FactBlock: bit r of each mask is row r, and a
// row in none of the masks is false. At most one mask has a given row's bit.
struct BlockState {
  std::uint64_t truth = 0;
  std::uint64_t null = 0;
  std::uint64_t known = 0;  // a present non-boolean value (kStateKnown)
};

class EvaluationProgram {
 public:
  EvaluationProgram() = default;
  // Steps for every node that some root depends on, in the graph's (topological) order.
  static EvaluationProgram build(const DecisionGraph& graph, std::span<const NodeId> roots);

  // Writes states[i] for every node the roots depend on (and for every constant), and
  // values[i] for the nodes computed by the general operators. Grows both vectors to the
  // graph's size when they are smaller; allocates nothing otherwise.
  void run(const DecisionGraph& graph, const FactSet& facts, std::vector<std::uint8_t>& states,
           std::vector<Value>& values) const;

  // True when every step can run on a FactBlock's columns (bit-sliced, 64 rows per word):
  // facts, comparisons of a fact with a constant, logic, `is` tests and score tests. Arithmetic,
  // `if`, Coalesce and comparisons of computed values need Values row by row.
  [[nodiscard]] bool runs_on_blocks() const { return runs_on_blocks_; }
  // Precondition: runs_on_blocks() and block.fact_count() equals the fact set size `run`
  // expects. For every row of the block at once, the states `run` would give that row:
  // writes states[i] for every node the roots depend on (and for every constant). Rows at
  // or beyond block.size() get unspecified states. Grows `states` to the graph's size when
  // it is smaller; allocates nothing otherwise.
  void run_block(const DecisionGraph& graph, const FactBlock& block,
                 std::vector<BlockState>& states) const;

  // The value of a node the roots depend on after `run` with these facts, states and values
  // (a boolean from its state, a fact's value, a constant, or a computed value).
  [[nodiscard]] const Value& value_of(const DecisionGraph& graph, NodeId node, const FactSet& facts,
                                      std::span<const std::uint8_t> states,
                                      std::span<const Value> values) const {
    return home_value(graph, node, facts, states.data(), values.data());
  }

  [[nodiscard]] std::size_t step_count() const {
    return fact_steps_.size() + compare_steps_.size() + steps_.size();
  }
  [[nodiscard]] std::size_t memory_bytes() const;

 private:
  enum class StepKind : std::uint8_t {
    fact,         // a: fact index; the state its value implies
    logical_not,  // a: operand node
    logical_and,  // a, b: operand nodes; logical_not to is_false stay consecutive (kLogic)
    logical_or,
    logical_xor,
    implies,
    is_null,  // a: operand node
    is_true,
    is_false,
    compare_fact_constant,  // a: fact index, b: constant index; relation
    compare_values,         // a, b: operand nodes whose values are in place; relation
    at_least,               // a: index into score_tests_; an `at least` with a constant threshold
    general,                // the node's own opcode on Values
  };
  // `a relation b` (engine/operators.hpp).
  using Relation = rubric::Relation;
  // The step of a boolean operation (logic != none): StepKind's logical kinds are in Logic's
  // order.
  static StepKind logic_step(Logic logic);
  // Where an operand's Value is: a fact's value, a graph constant, a computed Value, or (for
  // boolean results of compact steps) only a state.
  enum class Home : std::uint8_t { fact, constant, computed, state };

  struct Step {
    StepKind kind = StepKind::general;
    Relation relation = Relation::equal;
    std::uint32_t node = 0;
    std::uint32_t a = 0;
    std::uint32_t b = 0;
  };

  // An `at least` node whose threshold and offset are constants, on states only: true when
  // the weights of the true items reach `minimum` (the threshold plus the offset), false
  // when those of the true and unknown items together fall short, null otherwise; the same
  // as operations::at_least. Its items are score_items_[first .. first + count).
  struct ScoreTest {
    Int128 minimum = 0;
    std::uint32_t first = 0;
    std::uint32_t count = 0;
  };
  struct ScoreItem {
    Int128 weight = 0;  // positive (the compiler makes every weight of an `at least` so)
    std::uint32_t node = 0;
  };
  // The step for an `at least` node, when its threshold and offset are numeric constants.
  bool add_score_test(const DecisionGraph& graph, std::span<const NodeId> operands, Step& step);
  [[nodiscard]] std::uint8_t score_test_state(const ScoreTest& test,
                                              const std::uint8_t* states) const;
  [[nodiscard]] BlockState score_test_block(const ScoreTest& test, const BlockState* states) const;

  // The state of `x relation y` from whether x < y and whether x > y.
  static std::uint8_t ordered(bool less, bool greater, Relation relation);
  std::uint8_t compare(const Value& a, const Value& b, Relation relation, Opcode op) const;
  // A compare step's constant as FactBlock columns hold amounts: the form it is compared
  // in (none when no column can hold it, such as a string) and its scaled amount.
  struct BlockConstant {
    FactBlock::NumberForm form = FactBlock::NumberForm::none;
    Dimension dimension;
    double amount = 0;
  };
  template <Relation kRelation>
  static std::uint64_t relation_mask(const double* amounts, double constant);
  [[nodiscard]] BlockState compare_block(const DecisionGraph& graph, const FactBlock& block,
                                         const Step& step, const BlockConstant& constant) const;
  std::uint8_t compare_other(const Value& a, const Value& b, Relation relation, Opcode op) const;
  void run_general(const DecisionGraph& graph, const Node& node, std::uint32_t index,
                   const FactSet& facts, std::uint8_t* states, Value* values) const;
  [[nodiscard]] const Value& home_value(const DecisionGraph& graph, NodeId node,
                                        const FactSet& facts, const std::uint8_t* states,
                                        const Value* values) const;

  // Run in this order. fact_steps_ and compare_steps_ (fact with constant) depend on fact
  // values only; steps_ holds the others (logic, general operators, other comparisons) in
  // topological order.
  std::vector<Step> fact_steps_;
  std::vector<Step> compare_steps_;
  std::vector<Step> steps_;
  std::vector<Home> homes_;                     // per graph node
  std::vector<std::uint8_t> initial_;           // per graph node: the constants' states
  std::vector<BlockState> initial_block_;       // the same, for every row of a block
  std::vector<BlockConstant> block_constants_;  // per compare step
  std::vector<ScoreTest> score_tests_;          // per at_least step
  std::vector<ScoreItem> score_items_;
  bool runs_on_blocks_ = true;
};

}  // namespace rubric

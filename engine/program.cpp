#include "engine/program.hpp"

#include <array>
#include <bit>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "engine/node_operations.hpp"
#include "values/fact_block.hpp"
#include "values/fact_set.hpp"

namespace rubric {
namespace {

using kleene::F;
using kleene::T;

// Every logical step as its table (engine/operators.hpp), in the order of StepKind's
// logical_not ... is_false, which is Logic's order, so that running one is a lookup without a
// branch on its kind.
constexpr std::array<KleeneTable, 8> kLogic = {
    kleene::kTables[1], kleene::kTables[2], kleene::kTables[3], kleene::kTables[4],
    kleene::kTables[5], kleene::kTables[6], kleene::kTables[7], kleene::kTables[8]};
static_assert(static_cast<std::size_t>(Logic::logical_not) == 1 &&
              static_cast<std::size_t>(Logic::is_false) == kLogic.size());

}  // namespace

// The step that runs a boolean operation's table.
EvaluationProgram::StepKind EvaluationProgram::logic_step(Logic logic) {
  static_assert(static_cast<int>(StepKind::is_false) - static_cast<int>(StepKind::logical_not) ==
                static_cast<int>(Logic::is_false) - static_cast<int>(Logic::logical_not));
  return static_cast<StepKind>(static_cast<int>(StepKind::logical_not) + static_cast<int>(logic) -
                               static_cast<int>(Logic::logical_not));
}

EvaluationProgram EvaluationProgram::build(const DecisionGraph& graph,
                                           std::span<const NodeId> roots) {
  EvaluationProgram program;
  const auto nodes = graph.nodes();
  // Which nodes the roots need: operands have smaller indices, so one backward pass marks
  // them all.
  std::vector<bool> needed(nodes.size(), false);
  for (const NodeId root : roots) {
    needed[root.value] = true;
  }
  for (std::size_t i = nodes.size(); i-- > 0;) {
    if (needed[i]) {
      for (const NodeId operand : graph.operands(nodes[i])) {
        needed[operand.value] = true;
      }
    }
  }
  program.homes_.assign(nodes.size(), Home::state);
  program.initial_.assign(nodes.size(), kStateNull);
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    const auto operands = graph.operands(node);
    Step step;
    step.node = i;
    const OperatorInfo& info = operator_info(node.op);
    if (node.op == Opcode::constant) {
      program.homes_[i] = Home::constant;
      program.initial_[i] = state_of(graph.constant(node));
      continue;  // no step: its state is set from `initial_`
    }
    if (node.op == Opcode::fact) {
      program.homes_[i] = Home::fact;
      step.a = node.payload;
      step.kind = StepKind::fact;
    } else if (info.program == ProgramForm::compact && info.relation != Relation::none &&
               program.homes_[operands[0].value] != Home::state &&
               program.homes_[operands[1].value] != Home::state) {
      const Home ha = program.homes_[operands[0].value];
      const Home hb = program.homes_[operands[1].value];
      step.relation = info.relation;
      step.a = operands[0].value;
      step.b = operands[1].value;
      if (ha == Home::fact && hb == Home::constant) {
        step.kind = StepKind::compare_fact_constant;
        step.a = nodes[operands[0].value].payload;
        step.b = nodes[operands[1].value].payload;
      } else if (ha == Home::constant && hb == Home::fact) {
        // c < x is x > c: the fact first, the relation mirrored.
        step.kind = StepKind::compare_fact_constant;
        step.relation = mirrored(info.relation);
        step.a = nodes[operands[1].value].payload;
        step.b = nodes[operands[0].value].payload;
      } else {
        step.kind = StepKind::compare_values;
      }
    } else if (node.op == Opcode::at_least && program.add_score_test(graph, operands, step)) {
      // A points score's test on its items' states: no Value is computed.
    } else if (info.program == ProgramForm::compact && info.logic != Logic::none) {
      step.kind = logic_step(info.logic);
      step.a = operands[0].value;
      step.b = operands.size() > 1 ? operands[1].value : 0;
    } else {
      step.kind = StepKind::general;
      program.homes_[i] = Home::computed;
    }
    if (needed[i]) {
      // Facts and fact-with-constant comparisons read only fact values and constants, so
      // they can all run first, each kind in its own loop; the other steps keep their
      // (topological) order.
      if (step.kind == StepKind::fact) {
        program.fact_steps_.push_back(step);
      } else if (step.kind == StepKind::compare_fact_constant) {
        program.compare_steps_.push_back(step);
      } else {
        program.steps_.push_back(step);
      }
    }
  }
  for (const Step& step : program.steps_) {
    if (step.kind == StepKind::compare_values || step.kind == StepKind::general) {
      program.runs_on_blocks_ = false;
    }
  }
  for (const Step& step : program.compare_steps_) {
    const Value& constant = graph.constant_at(step.b);
    BlockConstant block_constant;
    const ValueKind kind = constant.kind();
    if ((kind == ValueKind::integer || kind == ValueKind::decimal || kind == ValueKind::quantity) &&
        FactBlock::scaled_amount(constant, block_constant.amount)) {
      block_constant.form = kind == ValueKind::quantity ? FactBlock::NumberForm::quantity
                                                        : FactBlock::NumberForm::number;
      block_constant.dimension =
          kind == ValueKind::quantity ? constant.unit().dimension : Dimension{};
    }
    program.block_constants_.push_back(block_constant);
  }
  program.initial_block_.resize(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::uint8_t state = program.initial_[i];
    constexpr std::uint64_t kAll = ~std::uint64_t{0};
    program.initial_block_[i] = {state == kStateTrue ? kAll : 0, state == kStateNull ? kAll : 0,
                                 state == kStateKnown ? kAll : 0};
  }
  return program;
}

std::size_t EvaluationProgram::memory_bytes() const {
  return (fact_steps_.capacity() + compare_steps_.capacity() + steps_.capacity()) * sizeof(Step) +
         homes_.capacity() * sizeof(Home) + initial_.capacity() +
         initial_block_.capacity() * sizeof(BlockState) +
         block_constants_.capacity() * sizeof(BlockConstant) +
         score_tests_.capacity() * sizeof(ScoreTest) + score_items_.capacity() * sizeof(ScoreItem);
}

bool EvaluationProgram::add_score_test(const DecisionGraph& graph, std::span<const NodeId> operands,
                                       Step& step) {
  // Operands: the threshold, the offset, then weight, item, ... (operators.hpp).
  const Node& threshold = graph.node(operands[0]);
  const Node& offset = graph.node(operands[1]);
  if (threshold.op != Opcode::constant || offset.op != Opcode::constant) {
    return false;
  }
  const std::optional<Int128> threshold_amount =
      operations::score_amount(graph.constant(threshold));
  const std::optional<Int128> offset_amount = operations::score_amount(graph.constant(offset));
  if (!threshold_amount || !offset_amount) {
    return false;  // a null threshold: the general operator gives null
  }
  ScoreTest test;
  test.minimum = *threshold_amount + *offset_amount;
  test.first = static_cast<std::uint32_t>(score_items_.size());
  for (std::size_t k = 2; k + 1 < operands.size(); k += 2) {
    const Node& weight = graph.node(operands[k]);
    const std::optional<Int128> amount = weight.op == Opcode::constant
                                             ? operations::score_amount(graph.constant(weight))
                                             : std::nullopt;
    if (!amount || *amount <= 0) {
      score_items_.resize(test.first);
      return false;
    }
    score_items_.push_back(ScoreItem{*amount, operands[k + 1].value});
  }
  test.count = static_cast<std::uint32_t>(score_items_.size()) - test.first;
  step.kind = StepKind::at_least;
  step.a = static_cast<std::uint32_t>(score_tests_.size());
  score_tests_.push_back(test);
  return true;
}

std::uint8_t EvaluationProgram::score_test_state(const ScoreTest& test,
                                                 const std::uint8_t* states) const {
  Int128 low = 0;
  Int128 high = 0;
  for (std::uint32_t i = test.first; i < test.first + test.count; ++i) {
    const ScoreItem& item = score_items_[i];
    const std::uint8_t state = states[item.node];
    if (state == kStateTrue) {
      low += item.weight;
      high += item.weight;
    } else if (state != kStateFalse) {
      high += item.weight;  // unknown: it may add its weight or not
    }
  }
  if (low >= test.minimum) {
    return kStateTrue;
  }
  return high < test.minimum ? kStateFalse : kStateNull;
}

BlockState EvaluationProgram::score_test_block(const ScoreTest& test,
                                               const BlockState* states) const {
  std::array<Int128, FactBlock::kCapacity> low{};
  std::array<Int128, FactBlock::kCapacity> high{};
  for (std::uint32_t i = test.first; i < test.first + test.count; ++i) {
    const ScoreItem& item = score_items_[i];
    const BlockState& state = states[item.node];
    for (std::uint64_t rows = state.truth; rows != 0; rows &= rows - 1) {
      low[static_cast<std::size_t>(std::countr_zero(rows))] += item.weight;
    }
    for (std::uint64_t rows = state.truth | state.null | state.known; rows != 0; rows &= rows - 1) {
      high[static_cast<std::size_t>(std::countr_zero(rows))] += item.weight;
    }
  }
  BlockState out;
  for (std::size_t row = 0; row < FactBlock::kCapacity; ++row) {
    const std::uint64_t bit = std::uint64_t{1} << row;
    if (low[row] >= test.minimum) {
      out.truth |= bit;
    } else if (high[row] >= test.minimum) {
      out.null |= bit;
    }
  }
  return out;
}

const Value& EvaluationProgram::home_value(const DecisionGraph& graph, NodeId node,
                                           const FactSet& facts, const std::uint8_t* states,
                                           const Value* values) const {
  static const Value kNull{};
  const Node& graph_node = graph.node(node);
  switch (homes_[node.value]) {
    case Home::fact: return facts.get(FactId{graph_node.payload});
    case Home::constant: return graph.constant(graph_node);
    case Home::computed: return values[node.value];
    case Home::state: break;
  }
  const std::uint8_t state = states[node.value];
  return state == kStateNull ? kNull : operations::truth(state == kStateTrue);
}

std::uint8_t EvaluationProgram::ordered(bool less, bool greater, Relation relation) {
  // The relation's truth for x < y, x = y, x > y (index 0, 1, 2), by Relation.
  static constexpr std::array<std::array<std::uint8_t, 3>, 6> kOrdered = {{
      {T, F, F},  // less
      {T, T, F},  // less_or_equal
      {F, F, T},  // greater
      {F, T, T},  // greater_or_equal
      {F, T, F},  // equal
      {T, F, T},  // not_equal
  }};
  const std::size_t index =
      std::size_t{1} + static_cast<std::size_t>(greater) - static_cast<std::size_t>(less);
  return kOrdered[static_cast<std::size_t>(relation)][index];
}

// Inline for the commonest cases: two integers, or a decimal or a quantity in the
// constant's own unit, compared as integers with a table lookup; compare_other otherwise.
[[gnu::always_inline]] inline std::uint8_t EvaluationProgram::compare(const Value& a,
                                                                      const Value& b,
                                                                      Relation relation,
                                                                      Opcode op) const {
  if (a.kind() == b.kind()) {
    if (a.kind() == ValueKind::integer) {
      return ordered(a.as_integer() < b.as_integer(), a.as_integer() > b.as_integer(), relation);
    }
    if (a.kind() == ValueKind::decimal ||
        (a.kind() == ValueKind::quantity && &a.unit() == &b.unit())) {
      const auto x = a.as_decimal().raw();
      const auto y = b.as_decimal().raw();
      return ordered(x<y, x> y, relation);
    }
  }
  return compare_other(a, b, relation, op);
}

std::uint8_t EvaluationProgram::compare_other(const Value& a, const Value& b, Relation relation,
                                              Opcode op) const {
  if (a.is_null() || b.is_null()) {
    return kStateNull;
  }
  if (const auto order = operations::fast_order(a, b)) {
    return ordered(*order<0, *order> 0, relation);
  }
  // Booleans, strings, huge unit factors: the general operator, with the operands in the
  // order the relation was written for (a fact first).
  return state_of(
      operations::compute(op, 2, [&](std::size_t k) -> const Value& { return k == 0 ? a : b; }));
}

void EvaluationProgram::run_general(const DecisionGraph& graph, const Node& node,
                                    std::uint32_t index, const FactSet& facts, std::uint8_t* states,
                                    Value* values) const {
  const auto operands = graph.operands(node);
  values[index] = operations::compute(node.op, operands.size(), [&](std::size_t k) -> const Value& {
    return home_value(graph, operands[k], facts, states, values);
  });
  states[index] = state_of(values[index]);
}

void EvaluationProgram::run(const DecisionGraph& graph, const FactSet& facts,
                            std::vector<std::uint8_t>& states, std::vector<Value>& values) const {
  if (states.size() < initial_.size()) {
    states.resize(initial_.size());
  }
  if (values.size() < initial_.size()) {
    values.resize(initial_.size());
  }
  std::uint8_t* state = states.data();
  std::copy(initial_.begin(), initial_.end(), state);
  const std::span<const Value> fact_values = facts.values();
  Value* value = values.data();
  constexpr std::array<Opcode, 6> kOpcodes = {Opcode::less,    Opcode::less_or_equal,
                                              Opcode::greater, Opcode::greater_or_equal,
                                              Opcode::equal,   Opcode::not_equal};
  for (const Step& step : fact_steps_) {
    state[step.node] = state_of(fact_values[step.a]);
  }
  for (const Step& step : compare_steps_) {
    state[step.node] = compare(fact_values[step.a], graph.constant_at(step.b), step.relation,
                               kOpcodes[static_cast<std::size_t>(step.relation)]);
  }
  constexpr auto kFirstLogic = static_cast<unsigned>(StepKind::logical_not);
  static_assert(static_cast<unsigned>(StepKind::is_false) - kFirstLogic + 1 == kLogic.size());
  for (const Step& step : steps_) {
    const unsigned logic = static_cast<unsigned>(step.kind) - kFirstLogic;
    if (logic < kLogic.size()) {
      state[step.node] = kLogic[logic][(state[step.a] & 3U) * 4U + (state[step.b] & 3U)];
      continue;
    }
    if (step.kind == StepKind::at_least) {
      state[step.node] = score_test_state(score_tests_[step.a], state);
    } else if (step.kind == StepKind::compare_values) {
      const Node& node = graph.nodes()[step.node];
      const auto operands = graph.operands(node);
      state[step.node] = compare(home_value(graph, operands[0], facts, state, value),
                                 home_value(graph, operands[1], facts, state, value), step.relation,
                                 kOpcodes[static_cast<std::size_t>(step.relation)]);
    } else {
      run_general(graph, graph.nodes()[step.node], step.node, facts, state, value);
    }
  }
}

// Bit r set when `amounts[r] relation constant`, for all kCapacity rows: with SSE2, two rows
// per vector comparison. Amounts are exact integers held in doubles, never NaN.
template <EvaluationProgram::Relation kRelation>
std::uint64_t EvaluationProgram::relation_mask(const double* amounts, double constant) {
  std::uint64_t mask = 0;
#if defined(__SSE2__)
  const __m128d broadcast = _mm_set1_pd(constant);
  for (std::size_t row = 0; row < FactBlock::kCapacity; row += 2) {
    const __m128d pair = _mm_loadu_pd(amounts + row);
    __m128d truth;
    if constexpr (kRelation == Relation::less) {
      truth = _mm_cmplt_pd(pair, broadcast);
    } else if constexpr (kRelation == Relation::less_or_equal) {
      truth = _mm_cmple_pd(pair, broadcast);
    } else if constexpr (kRelation == Relation::greater) {
      truth = _mm_cmpgt_pd(pair, broadcast);
    } else if constexpr (kRelation == Relation::greater_or_equal) {
      truth = _mm_cmpge_pd(pair, broadcast);
    } else if constexpr (kRelation == Relation::equal) {
      truth = _mm_cmpeq_pd(pair, broadcast);
    } else {
      truth = _mm_cmpneq_pd(pair, broadcast);
    }
    mask |= static_cast<std::uint64_t>(_mm_movemask_pd(truth)) << row;
  }
#else
  for (std::size_t row = 0; row < FactBlock::kCapacity; ++row) {
    const double amount = amounts[row];
    bool truth = false;
    if constexpr (kRelation == Relation::less) {
      truth = amount < constant;
    } else if constexpr (kRelation == Relation::less_or_equal) {
      truth = amount <= constant;
    } else if constexpr (kRelation == Relation::greater) {
      truth = amount > constant;
    } else if constexpr (kRelation == Relation::greater_or_equal) {
      truth = amount >= constant;
    } else if constexpr (kRelation == Relation::equal) {
      truth = amount == constant;
    } else {
      truth = amount != constant;
    }
    mask |= static_cast<std::uint64_t>(truth) << row;
  }
#endif
  return mask;
}

BlockState EvaluationProgram::compare_block(const DecisionGraph& graph, const FactBlock& block,
                                            const Step& step, const BlockConstant& constant) const {
  const FactId fact{step.a};
  const FactBlock::Column& column = block.column(fact);
  BlockState result{0, ~column.present, 0};
  // The rows compared as scaled amounts: the column and the constant in the same form (two
  // numbers, or two quantities of one dimension), where the scaled order is the order
  // `compare` gives (raw Decimals in one unit, or operations::fast_order's exact scaling).
  std::uint64_t exact = 0;
  if (constant.form != FactBlock::NumberForm::none && constant.form == column.form &&
      constant.dimension == column.dimension) {
    exact = column.exact;
  }
  if (exact != 0) {
    const double* amounts = block.amounts(fact);
    const double amount = constant.amount;
    std::uint64_t mask = 0;
    switch (step.relation) {
      case Relation::less: mask = relation_mask<Relation::less>(amounts, amount); break;
      case Relation::less_or_equal:
        mask = relation_mask<Relation::less_or_equal>(amounts, amount);
        break;
      case Relation::greater: mask = relation_mask<Relation::greater>(amounts, amount); break;
      case Relation::greater_or_equal:
        mask = relation_mask<Relation::greater_or_equal>(amounts, amount);
        break;
      case Relation::equal: mask = relation_mask<Relation::equal>(amounts, amount); break;
      case Relation::not_equal: mask = relation_mask<Relation::not_equal>(amounts, amount); break;
      case Relation::none: break;  // never a compare_fact_constant step
    }
    result.truth = exact & mask;
  }
  // Every other present row (strings, other units, amounts no double holds) one by one.
  constexpr std::array<Opcode, 6> kOpcodes = {Opcode::less,    Opcode::less_or_equal,
                                              Opcode::greater, Opcode::greater_or_equal,
                                              Opcode::equal,   Opcode::not_equal};
  const Value& value = graph.constant_at(step.b);
  for (std::uint64_t rest = column.present & ~exact; rest != 0; rest &= rest - 1) {
    const auto row = static_cast<std::size_t>(std::countr_zero(rest));
    const std::uint8_t state = compare(block.get(row, fact), value, step.relation,
                                       kOpcodes[static_cast<std::size_t>(step.relation)]);
    const std::uint64_t bit = std::uint64_t{1} << row;
    result.truth |= state == kStateTrue ? bit : 0;
    result.null |= state == kStateNull ? bit : 0;
  }
  return result;
}

void EvaluationProgram::run_block(const DecisionGraph& graph, const FactBlock& block,
                                  std::vector<BlockState>& states) const {
  if (states.size() < initial_block_.size()) {
    states.resize(initial_block_.size());
  }
  BlockState* state = states.data();
  std::copy(initial_block_.begin(), initial_block_.end(), state);
  for (const Step& step : fact_steps_) {
    const FactBlock::Column& column = block.column(FactId{step.a});
    state[step.node] = {column.truth, ~column.present, column.known};
  }
  for (std::size_t i = 0; i < compare_steps_.size(); ++i) {
    const Step& step = compare_steps_[i];
    state[step.node] = compare_block(graph, block, step, block_constants_[i]);
  }
  // Kleene logic on masks, matching kLogic: an operand's null and known rows count as null,
  // and a binary operator with a known operand gives null.
  for (const Step& step : steps_) {
    if (step.kind == StepKind::at_least) {
      state[step.node] = score_test_block(score_tests_[step.a], state);
      continue;
    }
    const BlockState a = state[step.a];
    const BlockState b = state[step.b];
    const std::uint64_t false_a = ~(a.truth | a.null | a.known);
    const std::uint64_t false_b = ~(b.truth | b.null | b.known);
    const std::uint64_t known = a.known | b.known;
    std::uint64_t truth = 0;
    std::uint64_t falsity = 0;
    BlockState& out = state[step.node];
    switch (step.kind) {
      case StepKind::logical_not: out = {false_a, a.null | a.known, 0}; continue;
      case StepKind::is_null: out = {a.null, 0, 0}; continue;
      case StepKind::is_true: out = {a.truth, 0, 0}; continue;
      case StepKind::is_false: out = {false_a, 0, 0}; continue;
      case StepKind::logical_and:
        truth = a.truth & b.truth;
        falsity = false_a | false_b;
        break;
      case StepKind::logical_or:
        truth = a.truth | b.truth;
        falsity = false_a & false_b;
        break;
      case StepKind::logical_xor: {
        const std::uint64_t unknown = a.null | a.known | b.null | b.known;
        truth = (a.truth ^ b.truth) & ~unknown;
        falsity = ~(a.truth ^ b.truth) & ~unknown;
        break;
      }
      case StepKind::implies:
        truth = false_a | b.truth;
        falsity = a.truth & false_b;
        break;
      default: continue;  // not in a program that runs on blocks
    }
    truth &= ~known;
    falsity &= ~known;
    out = {truth, ~(truth | falsity), 0};
  }
}

}  // namespace rubric

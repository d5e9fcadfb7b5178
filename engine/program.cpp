#include "engine/program.hpp"

#include <array>

#include "engine/fact_set.hpp"
#include "engine/node_operations.hpp"

namespace rubric {
namespace {

// Kleene logic on states (false 0, true 1, null 2); index a * 4 + b. Operands of the logical
// operators are boolean or null, never kStateKnown; the tables give null for it anyway.
constexpr std::uint8_t F = kStateFalse;
constexpr std::uint8_t T = kStateTrue;
constexpr std::uint8_t N = kStateNull;
constexpr std::array<std::uint8_t, 16> kAnd = {F, F, F, N, F, T, N, N, F, N, N, N, N, N, N, N};
constexpr std::array<std::uint8_t, 16> kOr = {F, T, N, N, T, T, T, N, N, T, N, N, N, N, N, N};
constexpr std::array<std::uint8_t, 16> kXor = {F, T, N, N, T, F, N, N, N, N, N, N, N, N, N, N};
// a implies b = not a or b.
constexpr std::array<std::uint8_t, 16> kImplies = {T, T, T, N, F, T, N, N, N, T, N, N, N, N, N, N};
// The unary operators on operand a, whatever b is (index a * 4 + b). `is` tests are false for
// a present non-boolean value (kStateKnown).
constexpr std::array<std::uint8_t, 16> kNot = {T, T, T, T, F, F, F, F, N, N, N, N, N, N, N, N};
constexpr std::array<std::uint8_t, 16> kIsNull = {F, F, F, F, F, F, F, F, T, T, T, T, F, F, F, F};
constexpr std::array<std::uint8_t, 16> kIsTrue = {F, F, F, F, T, T, T, T, F, F, F, F, F, F, F, F};
constexpr std::array<std::uint8_t, 16> kIsFalse = {T, T, T, T, F, F, F, F, F, F, F, F, F, F, F, F};
// Every logical step as a table, in the order of StepKind's logical_not ... is_false, so
// that running one is a lookup without a branch on its kind.
constexpr std::array<std::array<std::uint8_t, 16>, 8> kLogic = {
    kNot, kAnd, kOr, kXor, kImplies, kIsNull, kIsTrue, kIsFalse};

bool is_logical(Opcode op) {
  switch (op) {
    case Opcode::logical_not:
    case Opcode::logical_and:
    case Opcode::logical_or:
    case Opcode::logical_xor:
    case Opcode::implies:
    case Opcode::is_null:
    case Opcode::is_true:
    case Opcode::is_false: return true;
    default: return false;
  }
}

}  // namespace

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
    switch (node.op) {
      case Opcode::constant:
        program.homes_[i] = Home::constant;
        program.initial_[i] = state_of(graph.constant(node));
        continue;  // no step: its state is set from `initial_`
      case Opcode::fact:
        program.homes_[i] = Home::fact;
        step.a = node.payload;
        step.kind = StepKind::fact;
        break;
      case Opcode::less:
      case Opcode::less_or_equal:
      case Opcode::greater:
      case Opcode::greater_or_equal:
      case Opcode::equal:
      case Opcode::not_equal: {
        const Home ha = program.homes_[operands[0].value];
        const Home hb = program.homes_[operands[1].value];
        if (ha == Home::state || hb == Home::state) {
          step.kind = StepKind::general;
          program.homes_[i] = Home::computed;
          break;
        }
        Relation relation = Relation::equal;
        switch (node.op) {
          case Opcode::less: relation = Relation::less; break;
          case Opcode::less_or_equal: relation = Relation::less_or_equal; break;
          case Opcode::greater: relation = Relation::greater; break;
          case Opcode::greater_or_equal: relation = Relation::greater_or_equal; break;
          case Opcode::not_equal: relation = Relation::not_equal; break;
          default: relation = Relation::equal; break;
        }
        step.relation = relation;
        step.a = operands[0].value;
        step.b = operands[1].value;
        if (ha == Home::fact && hb == Home::constant) {
          step.kind = StepKind::compare_fact_constant;
          step.a = nodes[operands[0].value].payload;
          step.b = nodes[operands[1].value].payload;
        } else if (ha == Home::constant && hb == Home::fact) {
          // c < x is x > c: the fact first, the relation mirrored.
          constexpr std::array<Relation, 6> kMirror = {
              Relation::greater, Relation::greater_or_equal,
              Relation::less,    Relation::less_or_equal,
              Relation::equal,   Relation::not_equal};
          step.kind = StepKind::compare_fact_constant;
          step.relation = kMirror[static_cast<std::size_t>(relation)];
          step.a = nodes[operands[1].value].payload;
          step.b = nodes[operands[0].value].payload;
        } else {
          step.kind = StepKind::compare_values;
        }
        break;
      }
      default:
        if (is_logical(node.op)) {
          switch (node.op) {
            case Opcode::logical_not: step.kind = StepKind::logical_not; break;
            case Opcode::logical_and: step.kind = StepKind::logical_and; break;
            case Opcode::logical_or: step.kind = StepKind::logical_or; break;
            case Opcode::logical_xor: step.kind = StepKind::logical_xor; break;
            case Opcode::implies: step.kind = StepKind::implies; break;
            case Opcode::is_null: step.kind = StepKind::is_null; break;
            case Opcode::is_true: step.kind = StepKind::is_true; break;
            default: step.kind = StepKind::is_false; break;
          }
          step.a = operands[0].value;
          step.b = operands.size() > 1 ? operands[1].value : 0;
        } else {
          step.kind = StepKind::general;
          program.homes_[i] = Home::computed;
        }
        break;
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
  return program;
}

std::size_t EvaluationProgram::memory_bytes() const {
  return (fact_steps_.capacity() + compare_steps_.capacity() + steps_.capacity()) * sizeof(Step) +
         homes_.capacity() * sizeof(Home) + initial_.capacity();
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
    if (step.kind == StepKind::compare_values) {
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

}  // namespace rubric

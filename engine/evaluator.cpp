// Evaluation of the decision graph: one forward pass over the nodes in topological order,
// then, for undetermined recommendations only, a walk back through the unknown sub-terms to
// the absent facts that decide them.
#include <algorithm>
#include <compare>
#include <optional>

#include "engine/fact_set.hpp"
#include "engine/graph.hpp"
#include "engine/guideline.hpp"

namespace rubric {
namespace {

// CQL `in` over a list: true when some element equals the value; nulls count as equal to
// each other (so `null in {1, null}` is true and `null in {1}` is false).
Value in_list(const Value& value, std::span<const NodeId> elements, const Value* values) {
  for (const NodeId element : elements) {
    const Value& candidate = values[element.value];
    if (value.is_null() || candidate.is_null()) {
      if (value.is_null() && candidate.is_null()) {
        return Value::boolean(true);
      }
      continue;
    }
    const Value same = equal(value, candidate);
    if (!same.is_null() && same.as_boolean()) {
      return Value::boolean(true);
    }
  }
  return Value::boolean(false);
}

bool is_true_value(const Value& value) {
  return value.kind() == ValueKind::boolean && value.as_boolean();
}

// Fast paths for the commonest operand kinds: they give exactly what the general operators
// of engine/value.hpp give, and fall back to them for every other combination.
const Value& truth(bool value) {
  static const Value kTrue = Value::boolean(true);
  static const Value kFalse = Value::boolean(false);
  return value ? kTrue : kFalse;
}

bool both_boolean(const Value& a, const Value& b) {
  return a.kind() == ValueKind::boolean && b.kind() == ValueKind::boolean;
}

// a * fa against b * fb, exactly, when every factor is small enough for 128-bit products.
std::optional<std::strong_ordering> order_scaled(Int128 a, Int128 fa, Int128 b, Int128 fb) {
  constexpr Int128 kLimit = Int128{1} << 62;
  const auto small = [](Int128 x) { return x < kLimit && x > -kLimit; };
  if (!small(a) || !small(b) || !small(fa) || !small(fb)) {
    return std::nullopt;
  }
  return a * fa <=> b * fb;
}

// The order of two numbers, or of two quantities of one dimension; nullopt for anything
// else (nulls, strings, other dimensions, huge factors), which the general operators handle.
std::optional<std::strong_ordering> fast_order(const Value& a, const Value& b) {
  const ValueKind ka = a.kind();
  const ValueKind kb = b.kind();
  if (ka == ValueKind::integer && kb == ValueKind::integer) {
    return a.as_integer() <=> b.as_integer();
  }
  if ((ka == ValueKind::integer || ka == ValueKind::decimal) &&
      (kb == ValueKind::integer || kb == ValueKind::decimal)) {
    return a.as_decimal() <=> b.as_decimal();
  }
  if (ka == ValueKind::quantity && kb == ValueKind::quantity) {
    const Unit& ua = a.unit();
    const Unit& ub = b.unit();
    if (&ua == &ub) {
      return a.as_decimal() <=> b.as_decimal();
    }
    if (!(ua.dimension == ub.dimension) || ua.factor.numerator >= (Int128{1} << 31) ||
        ua.factor.denominator >= (Int128{1} << 31) || ub.factor.numerator >= (Int128{1} << 31) ||
        ub.factor.denominator >= (Int128{1} << 31)) {
      return std::nullopt;
    }
    return order_scaled(a.as_decimal().raw(), ua.factor.numerator * ub.factor.denominator,
                        b.as_decimal().raw(), ub.factor.numerator * ua.factor.denominator);
  }
  return std::nullopt;
}

}  // namespace

void evaluate_graph(const DecisionGraph& graph, const FactSet& facts, std::vector<Value>& values) {
  if (values.size() < graph.size()) {
    values.resize(graph.size());
  }
  const auto nodes = graph.nodes();
  Value* out = values.data();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    const auto operands = graph.operands(node);
    const auto at = [&](std::size_t k) -> const Value& { return out[operands[k].value]; };
    switch (node.op) {
      case Opcode::constant: out[i] = graph.constant(node); break;
      case Opcode::fact: out[i] = facts.get(FactId{node.payload}); break;
      case Opcode::logical_not:
        if (at(0).kind() == ValueKind::boolean) {
          out[i] = truth(!at(0).as_boolean());
        } else {
          out[i] = logical_not(at(0));
        }
        break;
      case Opcode::logical_and:
        if (both_boolean(at(0), at(1))) {
          out[i] = truth(at(0).as_boolean() && at(1).as_boolean());
        } else {
          out[i] = logical_and(at(0), at(1));
        }
        break;
      case Opcode::logical_or:
        if (both_boolean(at(0), at(1))) {
          out[i] = truth(at(0).as_boolean() || at(1).as_boolean());
        } else {
          out[i] = logical_or(at(0), at(1));
        }
        break;
      case Opcode::logical_xor: out[i] = logical_xor(at(0), at(1)); break;
      case Opcode::implies: out[i] = logical_implies(at(0), at(1)); break;
      case Opcode::equal:
        if (at(0).kind() == ValueKind::integer && at(1).kind() == ValueKind::integer) {
          out[i] = truth(at(0).as_integer() == at(1).as_integer());
        } else {
          out[i] = equal(at(0), at(1));
        }
        break;
      case Opcode::not_equal: out[i] = not_equal(at(0), at(1)); break;
      case Opcode::equivalent: out[i] = equivalent(at(0), at(1)); break;
      case Opcode::not_equivalent: out[i] = not_equivalent(at(0), at(1)); break;
      case Opcode::less:
        if (const auto order = fast_order(at(0), at(1))) {
          out[i] = truth(*order < 0);
        } else {
          out[i] = less(at(0), at(1));
        }
        break;
      case Opcode::less_or_equal:
        if (const auto order = fast_order(at(0), at(1))) {
          out[i] = truth(*order <= 0);
        } else {
          out[i] = less_or_equal(at(0), at(1));
        }
        break;
      case Opcode::greater:
        if (const auto order = fast_order(at(0), at(1))) {
          out[i] = truth(*order > 0);
        } else {
          out[i] = greater(at(0), at(1));
        }
        break;
      case Opcode::greater_or_equal:
        if (const auto order = fast_order(at(0), at(1))) {
          out[i] = truth(*order >= 0);
        } else {
          out[i] = greater_or_equal(at(0), at(1));
        }
        break;
      case Opcode::add: out[i] = add(at(0), at(1)); break;
      case Opcode::subtract: out[i] = subtract(at(0), at(1)); break;
      case Opcode::multiply: out[i] = multiply(at(0), at(1)); break;
      case Opcode::divide: out[i] = divide(at(0), at(1)); break;
      case Opcode::truncated_divide: out[i] = truncated_divide(at(0), at(1)); break;
      case Opcode::modulo: out[i] = modulo(at(0), at(1)); break;
      case Opcode::negate: out[i] = negate(at(0)); break;
      case Opcode::is_null: out[i] = is_null(at(0)); break;
      case Opcode::is_true: out[i] = is_true(at(0)); break;
      case Opcode::is_false: out[i] = is_false(at(0)); break;
      case Opcode::in_list: out[i] = in_list(at(0), operands.subspan(1), out); break;
      case Opcode::if_then_else: out[i] = is_true_value(at(0)) ? at(1) : at(2); break;
      case Opcode::to_decimal: out[i] = to_decimal(at(0)); break;
      case Opcode::coalesce: {
        out[i] = Value::null();
        for (const NodeId operand : operands) {
          if (!out[operand.value].is_null()) {
            out[i] = out[operand.value];
            break;
          }
        }
        break;
      }
    }
  }
}

Decision Guideline::evaluate(const FactSet& facts) const {
  EvaluationScratch scratch;
  Decision decision;
  evaluate(facts, scratch, decision);
  return decision;
}

void Guideline::evaluate(const FactSet& facts, EvaluationScratch& scratch,
                         Decision& decision) const {
  evaluate_graph(graph_, facts, scratch.values);
  const std::size_t count = recommendations_.size();
  decision.outcomes.resize(count);
  decision.missing.resize(count);
  for (std::size_t r = 0; r < count; ++r) {
    const Value& value = scratch.values[recommendations_[r].condition.value];
    decision.missing[r].clear();
    if (value.is_null()) {
      decision.outcomes[r] = Outcome::undetermined;
      collect_missing(recommendations_[r].condition, scratch, decision.missing[r]);
    } else {
      decision.outcomes[r] = value.as_boolean() ? Outcome::recommended : Outcome::absent;
    }
  }
}

// Walks from an unknown node through the operands that make it unknown. For `if`, a known
// condition selects the branch that decides; an unknown one could select either branch, so
// the condition and both branches are followed. Every absent fact reached is one the result
// waits on.
void Guideline::collect_missing(NodeId root, EvaluationScratch& scratch,
                                std::vector<FactId>& out) const {
  const std::uint32_t mark = next_generation(scratch);
  const Value* values = scratch.values.data();
  scratch.stack.clear();
  scratch.stack.push_back(root);
  while (!scratch.stack.empty()) {
    const NodeId id = scratch.stack.back();
    scratch.stack.pop_back();
    if (scratch.visited[id.value] == mark) {
      continue;
    }
    scratch.visited[id.value] = mark;
    const Node& node = graph_.node(id);
    const auto operands = graph_.operands(node);
    const auto follow = [&](NodeId operand) {
      if (values[operand.value].is_null() && scratch.visited[operand.value] != mark) {
        scratch.stack.push_back(operand);
      }
    };
    switch (node.op) {
      case Opcode::fact: out.push_back(FactId{node.payload}); break;
      case Opcode::constant: break;
      case Opcode::if_then_else:
        if (values[operands[0].value].is_null()) {
          follow(operands[0]);
          follow(operands[1]);
          follow(operands[2]);
        } else {
          follow(is_true_value(values[operands[0].value]) ? operands[1] : operands[2]);
        }
        break;
      default:
        for (const NodeId operand : operands) {
          follow(operand);
        }
        break;
    }
  }
  std::sort(out.begin(), out.end(),
            [this](FactId a, FactId b) { return facts_[a.value].name < facts_[b.value].name; });
}

std::uint32_t Guideline::next_generation(EvaluationScratch& scratch) const {
  if (scratch.visited.size() < graph_.size()) {
    scratch.visited.assign(graph_.size(), 0);
    scratch.generation = 0;
  }
  if (++scratch.generation == 0) {
    std::fill(scratch.visited.begin(), scratch.visited.end(), 0);
    scratch.generation = 1;
  }
  return scratch.generation;
}

std::vector<FactId> Guideline::deciding_facts(std::size_t recommendation,
                                              EvaluationScratch& scratch) const {
  std::vector<FactId> out;
  const std::uint32_t mark = next_generation(scratch);
  const Value* values = scratch.values.data();
  scratch.stack.clear();
  scratch.stack.push_back(recommendations_[recommendation].condition);
  while (!scratch.stack.empty()) {
    const NodeId id = scratch.stack.back();
    scratch.stack.pop_back();
    if (scratch.visited[id.value] == mark) {
      continue;
    }
    scratch.visited[id.value] = mark;
    const Node& node = graph_.node(id);
    const auto operands = graph_.operands(node);
    const Value& value = values[id.value];
    const auto push = [&](NodeId operand) { scratch.stack.push_back(operand); };
    switch (node.op) {
      case Opcode::fact: out.push_back(FactId{node.payload}); break;
      case Opcode::logical_and:
      case Opcode::logical_or: {
        // The operands equal to the dominating value decide; otherwise all of them do.
        const bool dominating = node.op == Opcode::logical_or;
        bool found = false;
        for (const NodeId operand : operands) {
          const Value& v = values[operand.value];
          if (!value.is_null() && value.as_boolean() == dominating && !v.is_null() &&
              v.as_boolean() == dominating) {
            push(operand);
            found = true;
          }
        }
        if (!found) {
          for (const NodeId operand : operands) {
            push(operand);
          }
        }
        break;
      }
      case Opcode::if_then_else:
        push(operands[0]);
        push(is_true_value(values[operands[0].value]) ? operands[1] : operands[2]);
        break;
      case Opcode::coalesce:
        // The arguments up to the first known one decide.
        for (const NodeId operand : operands) {
          push(operand);
          if (!values[operand.value].is_null()) {
            break;
          }
        }
        break;
      case Opcode::implies: {
        // A true `implies` is decided by a false premise or a true conclusion alone.
        const Value& premise = values[operands[0].value];
        const Value& conclusion = values[operands[1].value];
        if (is_true_value(value) && !premise.is_null() && !premise.as_boolean()) {
          push(operands[0]);
        } else if (is_true_value(value) && is_true_value(conclusion)) {
          push(operands[1]);
        } else {
          push(operands[0]);
          push(operands[1]);
        }
        break;
      }
      default:
        for (const NodeId operand : operands) {
          push(operand);
        }
        break;
    }
  }
  std::sort(out.begin(), out.end(),
            [this](FactId a, FactId b) { return facts_[a.value].name < facts_[b.value].name; });
  return out;
}

}  // namespace rubric

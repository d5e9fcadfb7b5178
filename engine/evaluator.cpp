// Evaluation of the decision graph: one forward pass over the nodes in topological order,
// then, for undetermined recommendations only, a walk back through the unknown sub-terms to
// the absent facts that decide them.
#include <algorithm>
#include <compare>
#include <optional>
#include <span>
#include <vector>

#include "engine/deciding.hpp"
#include "engine/graph.hpp"
#include "engine/guideline.hpp"
#include "engine/node_operations.hpp"
#include "engine/program.hpp"
#include "values/fact_set.hpp"

namespace rubric {

void evaluate_graph(const DecisionGraph& graph, const FactSet& facts, std::vector<Value>& values) {
  if (values.size() < graph.size()) {
    values.resize(graph.size());
  }
  const auto nodes = graph.nodes();
  Value* out = values.data();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    switch (node.op) {
      case Opcode::constant: out[i] = graph.constant(node); break;
      case Opcode::fact: out[i] = facts.get(FactId{node.payload}); break;
      default: {
        const auto operands = graph.operands(node);
        out[i] = operations::compute(node.op, operands.size(), [&](std::size_t k) -> const Value& {
          return out[operands[k].value];
        });
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
  program_.run(graph_, facts, scratch.states, scratch.values);
  decide(facts, scratch, decision);
}

void Guideline::evaluate(const FactBlock& block, BlockScratch& scratch,
                         BlockDecision& decision) const {
  const std::size_t count = recommendations_.size();
  decision.recommended.assign(count, 0);
  decision.undetermined.assign(count, 0);
  decision.rows = 0;
  scratch.unpacked_row = FactBlock::kCapacity;
  if (block.fact_count() != facts_.size()) {
    return;
  }
  decision.rows = block.size();
  if (program_.runs_on_blocks()) {
    program_.run_block(graph_, block, scratch.states);
  } else {
    // Row by row with the Value-computing program, each row's states packed into the masks.
    if (scratch.states.size() < graph_.size()) {
      scratch.states.resize(graph_.size());
    }
    std::fill(scratch.states.begin(), scratch.states.end(), BlockState{});
    for (std::size_t row = 0; row < block.size(); ++row) {
      block.copy_row(row, scratch.facts);
      program_.run(graph_, scratch.facts, scratch.row.states, scratch.row.values);
      const std::uint64_t bit = std::uint64_t{1} << row;
      for (std::size_t i = 0; i < graph_.size(); ++i) {
        const std::uint8_t state = scratch.row.states[i];
        BlockState& out = scratch.states[i];
        out.truth |= state == kStateTrue ? bit : 0;
        out.null |= state == kStateNull ? bit : 0;
        out.known |= state == kStateKnown ? bit : 0;
      }
    }
  }
  const std::uint64_t rows = block.row_mask();
  const BlockState* states = scratch.states.data();
  std::uint64_t to_settle = 0;  // rows with an unknown condition Kleene logic may misjudge
  for (std::size_t r = 0; r < count; ++r) {
    const BlockState& state = states[recommendations_[r].condition.value];
    decision.recommended[r] = state.truth & rows;
    decision.undetermined[r] = state.null & rows;
    if (kleene_exact_[r] == 0) {
      to_settle |= decision.undetermined[r];
    }
  }
  scratch.settled.clear();
  scratch.settled_facts.clear();
  // Each such row once more on its own, through the one-fact-set path, which settles it.
  for (std::size_t row = 0; to_settle != 0 && row < block.size(); ++row) {
    const std::uint64_t bit = std::uint64_t{1} << row;
    if ((to_settle & bit) == 0) {
      continue;
    }
    block.copy_row(row, scratch.facts);
    evaluate(scratch.facts, scratch.row, scratch.row_decision);
    for (std::size_t r = 0; r < count; ++r) {
      if (kleene_exact_[r] != 0 || (decision.undetermined[r] & bit) == 0) {
        continue;
      }
      const Outcome outcome = scratch.row_decision.outcomes[r];
      const std::vector<FactId>& facts = outcome == Outcome::undetermined
                                             ? scratch.row_decision.missing[r]
                                             : scratch.row_decision.despite[r];
      const auto begin = static_cast<std::uint32_t>(scratch.settled_facts.size());
      scratch.settled_facts.insert(scratch.settled_facts.end(), facts.begin(), facts.end());
      scratch.settled.push_back(
          BlockScratch::Settled{static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(r),
                                begin, static_cast<std::uint32_t>(scratch.settled_facts.size()),
                                outcome != Outcome::undetermined});
      if (outcome != Outcome::undetermined) {
        decision.undetermined[r] &= ~bit;
      }
      if (outcome == Outcome::recommended) {
        decision.recommended[r] |= bit;
      }
    }
  }
  scratch.unpacked_row = FactBlock::kCapacity;
}

void Guideline::despite(std::size_t row, std::size_t recommendation, const BlockScratch& scratch,
                        std::vector<FactId>& out) const {
  out.clear();
  if (kleene_exact_[recommendation] != 0) {
    return;  // never settled by the search, so never decided despite a fact
  }
  for (const BlockScratch::Settled& settled : scratch.settled) {
    if (settled.row == row && settled.recommendation == recommendation) {
      if (settled.decided) {
        out.assign(scratch.settled_facts.begin() + settled.begin,
                   scratch.settled_facts.begin() + settled.end);
      }
      return;
    }
  }
}

void Guideline::missing(std::size_t row, std::size_t recommendation, BlockScratch& scratch,
                        std::vector<FactId>& out) const {
  out.clear();
  const NodeId condition = recommendations_[recommendation].condition;
  const std::uint64_t bit = std::uint64_t{1} << row;
  if (scratch.states.size() < graph_.size() || (scratch.states[condition.value].null & bit) == 0) {
    return;
  }
  for (const BlockScratch::Settled& settled : scratch.settled) {
    if (settled.row == row && settled.recommendation == recommendation) {
      if (!settled.decided) {
        out.assign(scratch.settled_facts.begin() + settled.begin,
                   scratch.settled_facts.begin() + settled.end);
      }
      return;
    }
  }
  // The row's states, as `evaluate` would have left them, for the walk.
  if (scratch.unpacked_row != row) {
    if (scratch.row.states.size() < graph_.size()) {
      scratch.row.states.resize(graph_.size());
    }
    for (std::size_t i = 0; i < graph_.size(); ++i) {
      const BlockState& state = scratch.states[i];
      scratch.row.states[i] = (state.truth & bit) != 0   ? kStateTrue
                              : (state.null & bit) != 0  ? kStateNull
                              : (state.known & bit) != 0 ? kStateKnown
                                                         : kStateFalse;
    }
    scratch.unpacked_row = row;
  }
  collect_missing(condition, scratch.row, out);
}

void Guideline::evaluate_with_values(const FactSet& facts, EvaluationScratch& scratch,
                                     Decision& decision) const {
  evaluate_graph(graph_, facts, scratch.values);
  if (scratch.states.size() < graph_.size()) {
    scratch.states.resize(graph_.size());
  }
  for (std::size_t i = 0; i < graph_.size(); ++i) {
    scratch.states[i] = state_of(scratch.values[i]);
  }
  decide(facts, scratch, decision);
}

void Guideline::decide(const FactSet& facts, EvaluationScratch& scratch, Decision& decision) const {
  const std::size_t count = recommendations_.size();
  decision.outcomes.resize(count);
  decision.missing.resize(count);
  decision.despite.resize(count);
  scratch.search_ready = false;
  const std::uint8_t* states = scratch.states.data();
  for (std::size_t r = 0; r < count; ++r) {
    const std::uint8_t state = states[recommendations_[r].condition.value];
    decision.missing[r].clear();
    decision.despite[r].clear();
    if (state == kStateNull) {
      if (kleene_exact_[r] != 0) {
        decision.outcomes[r] = Outcome::undetermined;
        collect_missing(recommendations_[r].condition, scratch, decision.missing[r]);
      } else {
        decision.outcomes[r] = settle(r, facts, scratch, decision.missing[r], decision.despite[r]);
      }
    } else {
      decision.outcomes[r] = state == kStateTrue ? Outcome::recommended : Outcome::absent;
    }
  }
}

namespace {

// The distinct totals of the subsets of `weights` (positive raw amounts), sorted; nullopt when
// there are more than kMaxDistinctTotals of them.
constexpr std::size_t kMaxDistinctTotals = 1U << 16U;

std::optional<std::vector<Int128>> subset_totals(std::span<const Int128> weights) {
  std::vector<Int128> totals{0};
  std::vector<Int128> merged;
  for (const Int128 weight : weights) {
    merged.clear();
    std::size_t a = 0;
    std::size_t b = 0;
    while (a < totals.size() || b < totals.size()) {
      const Int128 next =
          b == totals.size() || (a < totals.size() && totals[a] <= totals[b] + weight)
              ? totals[a++]
              : totals[b++] + weight;
      if (merged.empty() || merged.back() != next) {
        merged.push_back(next);
      }
    }
    if (merged.size() > kMaxDistinctTotals) {
      return std::nullopt;
    }
    totals.swap(merged);
  }
  return totals;
}

}  // namespace

// The unknown items of an unknown `at least` node (threshold, offset, then weight, item, ...;
// every weight positive) that could change its value: item i could when some choice of true or
// false for the other unknown items leaves the total below the threshold without i and reaches it
// with i. Calls `follow` on each. A threshold that is not a constant, or too many distinct
// totals to enumerate, follows every unknown item (a superset, never a fact too few).
template <class Follow>
void Guideline::follow_deciding_items(const Node& node, const std::uint8_t* states,
                                      Follow follow) const {
  const auto operands = graph_.operands(node);
  const Node& threshold_node = graph_.node(operands[0]);
  std::vector<std::size_t> unknown;
  std::vector<Int128> weights;
  Int128 known = 0;
  for (std::size_t k = 2; k + 1 < operands.size(); k += 2) {
    const Int128 weight = graph_.constant(graph_.node(operands[k])).as_decimal().raw();
    const std::uint8_t state = states[operands[k + 1].value];
    if (state == kStateNull) {
      unknown.push_back(k + 1);
      weights.push_back(weight);
    } else if (state == kStateTrue) {
      known += weight;
    }
  }
  const Value threshold =
      threshold_node.op == Opcode::constant ? graph_.constant(threshold_node) : Value::null();
  if (threshold.kind() != ValueKind::integer && threshold.kind() != ValueKind::decimal) {
    follow(operands[0]);
    for (const std::size_t k : unknown) {
      follow(operands[k]);
    }
    return;
  }
  const Int128 minimum =
      threshold.as_decimal().raw() + graph_.constant(graph_.node(operands[1])).as_decimal().raw();
  std::vector<Int128> others;
  for (std::size_t i = 0; i < unknown.size(); ++i) {
    others.assign(weights.begin(), weights.end());
    others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
    const std::optional<std::vector<Int128>> totals = subset_totals(others);
    // Is some total s of the others in [minimum - weight - known, minimum - known)?
    bool could_change = !totals;
    if (totals) {
      const Int128 low = minimum - weights[i] - known;
      const auto first = std::lower_bound(totals->begin(), totals->end(), low);
      could_change = first != totals->end() && *first < minimum - known;
    }
    if (could_change) {
      follow(operands[unknown[i]]);
    }
  }
}

// Walks from an unknown node through the operands that make it unknown. For `if`, a known
// condition selects the branch that decides; an unknown one could select either branch, so
// the condition and both branches are followed. Every absent fact reached is one the result
// waits on.
void Guideline::collect_missing(NodeId root, EvaluationScratch& scratch,
                                std::vector<FactId>& out) const {
  const std::uint8_t* states = scratch.states.data();
  walk_to_facts(root, scratch, out, [&](NodeId, const Node& node, const auto& push) {
    const auto operands = graph_.operands(node);
    const auto follow = [&](NodeId operand) {
      if (states[operand.value] == kStateNull) {
        push(operand);
      }
    };
    if (node.op == Opcode::at_least) {
      follow_deciding_items(node, states, follow);
    } else if (node.op == Opcode::score) {
      for_each_weighing_item(node, follow);
    } else if (deciding_rule(node.op) == DecidingRule::conditional &&
               states[operands[0].value] != kStateNull) {
      // A known condition: only the branch it took can still change the value. (A graph
      // conditional is an `if`: condition, then, else.)
      follow(states[operands[0].value] == kStateTrue ? operands[1] : operands[2]);
    } else {
      for (const NodeId operand : operands) {
        follow(operand);
      }
    }
  });
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
  const std::uint8_t* states = scratch.states.data();
  walk_to_facts(recommendations_[recommendation].condition, scratch, out,
                [&](NodeId id, const Node& node, const auto& push) {
                  const auto operands = graph_.operands(node);
                  for_each_deciding_operand(
                      deciding_rule(node.op), states[id.value], operands.size(),
                      [&](std::size_t i) { return states[operands[i].value]; },
                      [&](std::size_t i) { push(operands[i]); });
                });
  return out;
}

}  // namespace rubric

#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/graph.hpp"
#include "engine/operators.hpp"
#include "engine/program.hpp"

namespace rubric {

// How an operator's operands decide its value (DecidingRule, engine/operators.hpp): the one
// rule behind "the facts that decided it", read by `Guideline::deciding_facts` (a
// recommendation's `because`) over graph nodes and by `rubric explain` (the decisive marks)
// over terms. docs/semantics.md#which-operands-decided-a-value has the table and the reasons.

// The rule of a decision-graph operation: its `deciding` column in engine/operators.def.
constexpr DecidingRule deciding_rule(Opcode op) {
  return operator_info(op).deciding;
}

// Calls `decide(i)` once for each operand i in [0, count) that decided a value whose state
// is `result`, in increasing order; `operand_state(i)` gives operand i's state (kStateFalse,
// kStateTrue, kStateNull, or kStateKnown for a present non-boolean value). Pure: reads
// nothing else and allocates nothing. The rule:
// - and / or / implies: a result equal to the dominating value (false for `and`, true for
//   `or` and `implies`) is decided by the operands that hold it (the premise counts by its
//   negation); a null result by the null operands (the others hold the neutral value:
//   `true and x` is `x`); the other known result by every operand. If no operand fits (the
//   states do not come from one evaluation), every operand decides.
// - conditional: the whens up to the first one that matched (true), and the branch taken:
//   that when's then, or the else when none matched (a null when does not match, as in CQL).
// - coalesce: the arguments up to the first non-null one, all of them when all are null.
// - at_least (the threshold, then weight, item, ...; the compiler makes every weight
//   positive): the threshold, and the items whose state is the result's (true items for a
//   true result, false items for a false one, unknown items for an unknown one), each with
//   its weight.
// - every: every operand.
template <class StateOf, class Decide>
void for_each_deciding_operand(DecidingRule rule, std::uint8_t result, std::size_t count,
                               StateOf operand_state, Decide decide) {
  switch (rule) {
    case DecidingRule::logical_and:
    case DecidingRule::logical_or:
    case DecidingRule::implies: {
      const std::uint8_t dominating = rule == DecidingRule::logical_and ? kStateFalse : kStateTrue;
      const auto effective = [&](std::size_t i) -> std::uint8_t {
        const std::uint8_t state = operand_state(i);
        if (rule == DecidingRule::implies && i == 0 && state != kStateNull) {
          return state == kStateTrue ? kStateFalse : kStateTrue;
        }
        return state;
      };
      if (result == dominating || result == kStateNull) {
        bool any = false;
        for (std::size_t i = 0; i < count; ++i) {
          any = any || effective(i) == result;
        }
        if (any) {
          for (std::size_t i = 0; i < count; ++i) {
            if (effective(i) == result) {
              decide(i);
            }
          }
          return;
        }
      }
      break;
    }
    case DecidingRule::conditional: {
      std::size_t i = 0;
      for (; i + 1 < count; i += 2) {
        decide(i);
        if (operand_state(i) == kStateTrue) {
          decide(i + 1);
          return;
        }
      }
      if (i < count) {
        decide(i);  // the else
      }
      return;
    }
    case DecidingRule::coalesce:
      for (std::size_t i = 0; i < count; ++i) {
        decide(i);
        if (operand_state(i) != kStateNull) {
          return;
        }
      }
      return;
    case DecidingRule::at_least:
      if (count > 0) {
        decide(0);
      }
      for (std::size_t i = 1; i + 1 < count; i += 2) {
        if (operand_state(i + 1) == result) {
          decide(i);
          decide(i + 1);
        }
      }
      return;
    case DecidingRule::every: break;
  }
  for (std::size_t i = 0; i < count; ++i) {
    decide(i);
  }
}

// The same rule over a list of operand states: which operands decided, as a vector of flags.
inline std::vector<bool> deciding_operands(DecidingRule rule, std::uint8_t result,
                                           std::span<const std::uint8_t> operands) {
  std::vector<bool> decided(operands.size(), false);
  for_each_deciding_operand(
      rule, result, operands.size(), [&](std::size_t i) { return operands[i]; },
      [&](std::size_t i) { decided[i] = true; });
  return decided;
}

}  // namespace rubric

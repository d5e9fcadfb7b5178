// The rule of "which operands decided a value" (engine/deciding.hpp), case by case, from the
// table in docs/semantics.md (which operands decided a value). Every expectation is written
// by hand from that table.

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/deciding.hpp"

namespace {

using rubric::DecidingRule;

constexpr std::uint8_t F = rubric::kStateFalse;
constexpr std::uint8_t T = rubric::kStateTrue;
constexpr std::uint8_t N = rubric::kStateNull;
constexpr std::uint8_t K = rubric::kStateKnown;

struct Row {
  DecidingRule rule;
  std::uint8_t result;
  std::vector<std::uint8_t> operands;
  std::vector<std::size_t> deciding;  // the indices of the operands that decide
};

std::string describe(const Row& row) {
  static const char* const kNames[] = {"false", "true", "null", "known"};
  std::string out = "rule " + std::to_string(static_cast<int>(row.rule)) + ", result " +
                    kNames[row.result] + ", operands";
  for (const std::uint8_t state : row.operands) {
    out += std::string(" ") + kNames[state];
  }
  return out;
}

void check(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    INFO(describe(row));
    std::vector<bool> expected(row.operands.size(), false);
    for (const std::size_t i : row.deciding) {
      expected[i] = true;
    }
    CHECK(rubric::deciding_operands(row.rule, row.result, row.operands) == expected);
  }
}

}  // namespace

TEST_CASE("deciding: and, every pair of three-valued operands", "[deciding]") {
  const auto a = DecidingRule::logical_and;
  check({
      {a, T, {T, T}, {0, 1}},
      {a, F, {T, F}, {1}},
      {a, N, {T, N}, {1}},
      {a, F, {F, T}, {0}},
      {a, F, {F, F}, {0, 1}},
      {a, F, {F, N}, {0}},
      {a, N, {N, T}, {0}},
      {a, F, {N, F}, {1}},
      {a, N, {N, N}, {0, 1}},
      // Chains of any length.
      {a, F, {F, T, F}, {0, 2}},
      {a, N, {T, N, N, T}, {1, 2}},
      {a, T, {T, T, T}, {0, 1, 2}},
  });
}

TEST_CASE("deciding: or, every pair of three-valued operands", "[deciding]") {
  const auto o = DecidingRule::logical_or;
  check({
      {o, T, {T, T}, {0, 1}},
      {o, T, {T, F}, {0}},
      {o, T, {T, N}, {0}},
      {o, T, {F, T}, {1}},
      {o, F, {F, F}, {0, 1}},
      {o, N, {F, N}, {1}},
      {o, T, {N, T}, {1}},
      {o, N, {N, F}, {0}},
      {o, N, {N, N}, {0, 1}},
      {o, T, {N, F, T}, {2}},
      {o, N, {F, N, F, N}, {1, 3}},
      {o, F, {F, F, F}, {0, 1, 2}},
  });
}

TEST_CASE("deciding: implies reads as `not premise or conclusion`", "[deciding]") {
  const auto i = DecidingRule::implies;
  check({
      {i, T, {T, T}, {1}},
      {i, F, {T, F}, {0, 1}},
      {i, N, {T, N}, {1}},
      {i, T, {F, T}, {0, 1}},  // both dominate, as in `true or true`
      {i, T, {F, F}, {0}},
      {i, T, {F, N}, {0}},
      {i, T, {N, T}, {1}},
      {i, N, {N, F}, {0}},
      {i, N, {N, N}, {0, 1}},
  });
}

TEST_CASE("deciding: every operand of the other operators", "[deciding]") {
  const auto e = DecidingRule::every;
  check({
      // xor
      {e, F, {T, T}, {0, 1}},
      {e, T, {T, F}, {0, 1}},
      {e, N, {T, N}, {0, 1}},
      {e, T, {F, T}, {0, 1}},
      {e, F, {F, F}, {0, 1}},
      {e, N, {F, N}, {0, 1}},
      {e, N, {N, T}, {0, 1}},
      {e, N, {N, F}, {0, 1}},
      {e, N, {N, N}, {0, 1}},
      // not, is null, is true, is false: one operand
      {e, F, {T}, {0}},
      {e, T, {F}, {0}},
      {e, N, {N}, {0}},
      {e, T, {N}, {0}},
      {e, F, {K}, {0}},
      // comparisons and arithmetic, `in` (a value and the elements)
      {e, T, {K, K}, {0, 1}},
      {e, N, {N, K}, {0, 1}},
      {e, K, {K, K}, {0, 1}},
      {e, N, {K, K}, {0, 1}},  // division by zero
      {e, T, {K, K, K, N}, {0, 1, 2, 3}},
      {e, N, {}, {}},
  });
}

TEST_CASE("deciding: if and case take the whens up to the match and the branch taken",
          "[deciding]") {
  const auto c = DecidingRule::conditional;
  check({
      // if: condition, then, else
      {c, K, {T, K, K}, {0, 1}},
      {c, K, {F, K, K}, {0, 2}},
      {c, K, {N, K, K}, {0, 2}},  // a null condition takes else, as in CQL
      {c, N, {T, N, K}, {0, 1}},
      {c, T, {F, F, T}, {0, 2}},
      // case: when, then, when, then, else
      {c, K, {T, K, T, K, K}, {0, 1}},
      {c, K, {F, K, T, K, K}, {0, 2, 3}},
      {c, K, {N, K, T, K, K}, {0, 2, 3}},
      {c, K, {F, K, F, K, K}, {0, 2, 4}},
      {c, K, {N, K, N, K, K}, {0, 2, 4}},
      {c, N, {F, K, F, K, N}, {0, 2, 4}},
      // a truncated term has no operands
      {c, N, {}, {}},
  });
}

TEST_CASE("deciding: Coalesce takes the arguments up to the first known one", "[deciding]") {
  const auto c = DecidingRule::coalesce;
  check({
      {c, K, {K, N}, {0}},
      {c, K, {N, K}, {0, 1}},
      {c, K, {N, K, N}, {0, 1}},
      {c, F, {N, F, T}, {0, 1}},  // false is known
      {c, N, {N, N}, {0, 1}},
      {c, N, {N, N, N}, {0, 1, 2}},
  });
}

TEST_CASE("deciding: states that no evaluation gives fall back to every operand", "[deciding]") {
  check({
      {DecidingRule::logical_and, F, {T, T}, {0, 1}},
      {DecidingRule::logical_or, N, {F, F}, {0, 1}},
      {DecidingRule::implies, T, {T, F}, {0, 1}},
  });
}

TEST_CASE("deciding: the rule of each graph operation", "[deciding]") {
  using rubric::deciding_rule;
  using rubric::Opcode;
  CHECK(deciding_rule(Opcode::logical_and) == DecidingRule::logical_and);
  CHECK(deciding_rule(Opcode::logical_or) == DecidingRule::logical_or);
  CHECK(deciding_rule(Opcode::implies) == DecidingRule::implies);
  CHECK(deciding_rule(Opcode::if_then_else) == DecidingRule::conditional);
  CHECK(deciding_rule(Opcode::coalesce) == DecidingRule::coalesce);
  for (const Opcode op : {Opcode::logical_not,
                          Opcode::logical_xor,
                          Opcode::equal,
                          Opcode::not_equal,
                          Opcode::equivalent,
                          Opcode::not_equivalent,
                          Opcode::less,
                          Opcode::less_or_equal,
                          Opcode::greater,
                          Opcode::greater_or_equal,
                          Opcode::add,
                          Opcode::subtract,
                          Opcode::multiply,
                          Opcode::divide,
                          Opcode::truncated_divide,
                          Opcode::modulo,
                          Opcode::negate,
                          Opcode::is_null,
                          Opcode::is_true,
                          Opcode::is_false,
                          Opcode::in_list,
                          Opcode::to_decimal}) {
    INFO(rubric::opcode_name(op));
    CHECK(deciding_rule(op) == DecidingRule::every);
  }
}

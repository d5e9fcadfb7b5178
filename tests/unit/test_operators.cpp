// The table of operator semantics (engine/operators.def): its Kleene tables against CQL's
// truth tables, written out by hand here from the CQL specification (Logical Operators), and
// against operations::compute, the one implementation the evaluators and the analysis call;
// the mirrored relations; and the columns the program and `rubric graph` read.

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/node_operations.hpp"
#include "engine/operators.hpp"
#include "values/value.hpp"

namespace {

using rubric::Logic;
using rubric::Opcode;
using rubric::Relation;
using rubric::Value;

constexpr std::uint8_t F = rubric::kStateFalse;
constexpr std::uint8_t T = rubric::kStateTrue;
constexpr std::uint8_t N = rubric::kStateNull;
constexpr std::uint8_t K = rubric::kStateKnown;

// CQL's truth table of a binary operation: rows a = true, false, null; columns b likewise.
struct BinaryTruth {
  Opcode op;
  std::uint8_t table[3][3];
};

constexpr std::uint8_t kOrder[3] = {T, F, N};

const std::vector<BinaryTruth>& cql_binary() {
  static const std::vector<BinaryTruth> kRows = {
      //                      b: true false null
      {Opcode::logical_and,
       {{T, F, N},    // a true
        {F, F, F},    // a false
        {N, F, N}}},  // a null
      {Opcode::logical_or, {{T, T, T}, {T, F, N}, {T, N, N}}},
      {Opcode::logical_xor, {{F, T, N}, {T, F, N}, {N, N, N}}},
      {Opcode::implies, {{T, F, N}, {T, T, T}, {T, N, N}}},
  };
  return kRows;
}

Value value_of(std::uint8_t state) {
  if (state == N) {
    return Value::null();
  }
  if (state == K) {
    return Value::integer(3);
  }
  return Value::boolean(state == T);
}

std::uint8_t state_of_value(const Value& value) {
  if (value.is_null()) {
    return N;
  }
  return value.as_boolean() ? T : F;
}

std::uint8_t compute_state(Opcode op, std::uint8_t a, std::uint8_t b) {
  const Value values[2] = {value_of(a), value_of(b)};
  const std::size_t count = rubric::operator_info(op).arity == 1 ? 1 : 2;
  return state_of_value(rubric::operations::compute(
      op, count, [&](std::size_t k) -> const Value& { return values[k]; }));
}

}  // namespace

TEST_CASE("the Kleene tables are CQL's truth tables", "[operators]") {
  for (const BinaryTruth& row : cql_binary()) {
    INFO(rubric::opcode_name(row.op));
    const rubric::KleeneTable& table = rubric::kleene_table(row.op);
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        INFO("a " << int{kOrder[i]} << ", b " << int{kOrder[j]});
        CHECK(table[kOrder[i] * 4U + kOrder[j]] == row.table[i][j]);
        // A present non-boolean operand makes a binary operation null.
        CHECK(table[K * 4U + kOrder[j]] == N);
        CHECK(table[kOrder[i] * 4U + K] == N);
      }
    }
  }
  // Unary: not, is null, is true, is false on true, false, null, a known non-boolean.
  struct UnaryTruth {
    Opcode op;
    std::uint8_t on_true, on_false, on_null, on_known;
  };
  for (const UnaryTruth& row :
       {UnaryTruth{Opcode::logical_not, F, T, N, N}, UnaryTruth{Opcode::is_null, F, F, T, F},
        UnaryTruth{Opcode::is_true, T, F, F, F}, UnaryTruth{Opcode::is_false, F, T, F, F}}) {
    INFO(rubric::opcode_name(row.op));
    const rubric::KleeneTable& table = rubric::kleene_table(row.op);
    for (std::uint8_t b = 0; b < 4; ++b) {  // the second operand does not matter
      CHECK(table[T * 4U + b] == row.on_true);
      CHECK(table[F * 4U + b] == row.on_false);
      CHECK(table[N * 4U + b] == row.on_null);
      CHECK(table[K * 4U + b] == row.on_known);
    }
  }
}

TEST_CASE("every boolean operation's table is what compute gives", "[operators]") {
  std::size_t checked = 0;
  for (const rubric::OperatorInfo& info : rubric::kOperators) {
    if (info.logic == Logic::none) {
      CHECK(rubric::kleene_table(info.opcode) == rubric::kleene::kNone);
      continue;
    }
    INFO(info.spelling);
    CHECK(rubric::is_kleene(info.opcode));
    CHECK(info.program == rubric::ProgramForm::compact);
    const rubric::KleeneTable& table = rubric::kleene_table(info.opcode);
    const int second_count = info.arity == 1 ? 1 : 3;
    for (const std::uint8_t a : kOrder) {
      for (int j = 0; j < second_count; ++j) {
        const std::uint8_t b = kOrder[j];
        INFO("a " << int{a} << ", b " << int{b});
        CHECK(compute_state(info.opcode, a, b) == table[a * 4U + b]);
        ++checked;
      }
    }
  }
  CHECK(checked == 4 * 3 + 4 * 9);  // four unary and four binary operations
}

TEST_CASE("a mirrored relation holds with its operands swapped", "[operators]") {
  const auto holds = [](Relation relation, int a, int b) {
    switch (relation) {
      case Relation::less: return a < b;
      case Relation::less_or_equal: return a <= b;
      case Relation::greater: return a > b;
      case Relation::greater_or_equal: return a >= b;
      case Relation::equal: return a == b;
      case Relation::not_equal: return a != b;
      case Relation::none: break;
    }
    return false;
  };
  for (const Relation relation :
       {Relation::less, Relation::less_or_equal, Relation::greater, Relation::greater_or_equal,
        Relation::equal, Relation::not_equal}) {
    for (int a = -2; a <= 2; ++a) {
      for (int b = -2; b <= 2; ++b) {
        CHECK(holds(relation, a, b) == holds(rubric::mirrored(relation), b, a));
      }
    }
  }
  CHECK(rubric::mirrored(Relation::none) == Relation::none);
}

TEST_CASE("the table's rows: relations, deciding rules, operand roles", "[operators]") {
  using rubric::DecidingRule;
  using rubric::OperandRoles;
  using rubric::operator_info;
  // The six comparisons the compact program runs, by hand.
  CHECK(operator_info(Opcode::less).relation == Relation::less);
  CHECK(operator_info(Opcode::greater_or_equal).relation == Relation::greater_or_equal);
  CHECK(operator_info(Opcode::not_equal).relation == Relation::not_equal);
  CHECK(operator_info(Opcode::equivalent).relation == Relation::none);
  CHECK(operator_info(Opcode::equivalent).program == rubric::ProgramForm::values);
  // Which operands decide: the rule of and, or, implies, if, Coalesce, `at least`; every
  // other one.
  std::size_t every = 0;
  for (const rubric::OperatorInfo& info : rubric::kOperators) {
    every += info.deciding == DecidingRule::every ? 1 : 0;
  }
  CHECK(every == rubric::kOperators.size() - 6);
  CHECK(operator_info(Opcode::if_then_else).deciding == DecidingRule::conditional);
  CHECK(operator_info(Opcode::at_least).deciding == DecidingRule::at_least);
  CHECK(operator_info(Opcode::score).deciding == DecidingRule::every);
  // Operand roles for `rubric graph`: order matters for implies, `<` and `-`, not for `=`.
  CHECK(operator_info(Opcode::implies).operands == OperandRoles::ordered);
  CHECK(operator_info(Opcode::subtract).operands == OperandRoles::ordered);
  CHECK(operator_info(Opcode::equal).operands == OperandRoles::unordered);
  CHECK(operator_info(Opcode::add).operands == OperandRoles::unordered);
  CHECK(operator_info(Opcode::in_list).operands == OperandRoles::membership);
  // Generated C++: everything but `~`, arithmetic, `if` and Coalesce, conversions.
  for (const rubric::OperatorInfo& info : rubric::kOperators) {
    const bool supported = info.family == rubric::OperatorFamily::leaf ||
                           info.family == rubric::OperatorFamily::kleene ||
                           info.relation != Relation::none || info.opcode == Opcode::in_list;
    INFO(info.spelling);
    CHECK(info.unsupported_in_cpp.empty() == supported);
  }
}

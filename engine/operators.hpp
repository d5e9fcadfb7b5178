// The operations of the decision graph and their semantics, from one table
// (engine/operators.def): names, arity, family, whether each is a test, the relation the
// compact program compares with, and the three-valued tables of the boolean operations.
// Everything here is constant data; it may be read from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rubric {

enum class Opcode : std::uint8_t {
#define RUBRIC_OPERATOR(opcode, spelling, arity, family, test, relation) opcode,
#include "engine/operators.def"
};

enum class OperatorFamily : std::uint8_t {
  leaf,
  kleene,
  comparison,
  membership,
  arithmetic,
  choice,
  conversion
};

// `a relation b` for the ordering of a and b; `none` for the operations that are not one of
// these six comparisons. The first six are in this order for the tables that index by them.
enum class Relation : std::uint8_t {
  less,
  less_or_equal,
  greater,
  greater_or_equal,
  equal,
  not_equal,
  none
};

// The truth state of a node: the three values of CQL's logic, and a fourth for a present
// value that is not a boolean. The first three equal Outcome's values (absent, recommended,
// undetermined) so that a condition's state is its outcome.
enum NodeState : std::uint8_t {
  kStateFalse = 0,
  kStateTrue = 1,
  kStateNull = 2,
  kStateKnown = 3,  // a present non-boolean value
};

// A boolean operation's result for operand states a and b, at index a * 4 + b (a unary
// operation's result does not depend on b).
using KleeneTable = std::array<std::uint8_t, 16>;

struct OperatorInfo {
  Opcode opcode;
  std::string_view spelling;
  int arity;  // -1: a list of operands
  OperatorFamily family;
  bool test;
  Relation relation;
};

inline constexpr std::array kOperators = {
#define RUBRIC_OPERATOR(opcode, spelling, arity, family, test, relation) \
  OperatorInfo{Opcode::opcode,         spelling,        arity,           \
               OperatorFamily::family, #test[0] == 't', Relation::relation},
#include "engine/operators.def"
};

[[nodiscard]] constexpr const OperatorInfo& operator_info(Opcode op) {
  return kOperators[static_cast<std::size_t>(op)];
}

// The spelling of `op` ("and", "<=", "Coalesce").
[[nodiscard]] constexpr const char* opcode_name(Opcode op) {
  return operator_info(op).spelling.data();
}

// True for nodes that test something (comparisons, `is`, `in`): the conditions a coverage
// report or an explanation speaks of.
[[nodiscard]] constexpr bool is_test(Opcode op) {
  return operator_info(op).test;
}

// True for the boolean operations given by a KleeneTable (`not`, `and`, `or`, `xor`,
// `implies`, `is null`, `is true`, `is false`).
[[nodiscard]] constexpr bool is_kleene(Opcode op) {
  return operator_info(op).family == OperatorFamily::kleene;
}

// True for the comparisons of two values (`=`, `!=`, `~`, `!~`, `<`, `<=`, `>`, `>=`).
[[nodiscard]] constexpr bool is_comparison(Opcode op) {
  return operator_info(op).family == OperatorFamily::comparison;
}

// True for `<`, `<=`, `>`, `>=`.
[[nodiscard]] constexpr bool is_ordering(Opcode op) {
  const Relation relation = operator_info(op).relation;
  return relation == Relation::less || relation == Relation::less_or_equal ||
         relation == Relation::greater || relation == Relation::greater_or_equal;
}

namespace kleene {
constexpr std::uint8_t F = kStateFalse;
constexpr std::uint8_t T = kStateTrue;
constexpr std::uint8_t N = kStateNull;
// CQL's three-valued logic; a present non-boolean operand (kStateKnown) makes the result null.
constexpr KleeneTable kAnd = {F, F, F, N, F, T, N, N, F, N, N, N, N, N, N, N};
constexpr KleeneTable kOr = {F, T, N, N, T, T, T, N, N, T, N, N, N, N, N, N};
constexpr KleeneTable kXor = {F, T, N, N, T, F, N, N, N, N, N, N, N, N, N, N};
// a implies b = not a or b.
constexpr KleeneTable kImplies = {T, T, T, N, F, T, N, N, N, T, N, N, N, N, N, N};
// The unary operations on operand a, whatever b is. `is` tests are false for a present
// non-boolean value.
constexpr KleeneTable kNot = {T, T, T, T, F, F, F, F, N, N, N, N, N, N, N, N};
constexpr KleeneTable kIsNull = {F, F, F, F, F, F, F, F, T, T, T, T, F, F, F, F};
constexpr KleeneTable kIsTrue = {F, F, F, F, T, T, T, T, F, F, F, F, F, F, F, F};
constexpr KleeneTable kIsFalse = {T, T, T, T, F, F, F, F, F, F, F, F, F, F, F, F};
constexpr KleeneTable kNone = {N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N};
}  // namespace kleene

// The table of a boolean operation (is_kleene); an all-null table for any other operation.
[[nodiscard]] constexpr const KleeneTable& kleene_table(Opcode op) {
  switch (op) {
    case Opcode::logical_not: return kleene::kNot;
    case Opcode::logical_and: return kleene::kAnd;
    case Opcode::logical_or: return kleene::kOr;
    case Opcode::logical_xor: return kleene::kXor;
    case Opcode::implies: return kleene::kImplies;
    case Opcode::is_null: return kleene::kIsNull;
    case Opcode::is_true: return kleene::kIsTrue;
    case Opcode::is_false: return kleene::kIsFalse;
    default: return kleene::kNone;
  }
}

}  // namespace rubric

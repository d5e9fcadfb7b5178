// The operations of the decision graph and their semantics, from one table
// (engine/operators.def): names, arity, family, whether each is a test, the relation the
// compact program compares with, the three-valued tables of the boolean operations, which
// operands decide a value, what the operands are, whether the compact program and fact
// blocks run it, and whether generated C++ supports it.
// Everything here is constant data; it may be read from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rubric {

enum class Opcode : std::uint8_t {
#define RUBRIC_OPERATOR(opcode, spelling, arity, family, test, relation, logic, deciding, \
                        operands, program, unsupported_in_cpp)                            \
  opcode,
#include "engine/operators.def"
};

enum class OperatorFamily : std::uint8_t {
  leaf,
  kleene,
  comparison,
  membership,
  arithmetic,
  choice,
  conversion,
  score
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

// Of `a relation b`, the relation r with `b r a` (`c < x` is `x > c`); `none` stays `none`.
[[nodiscard]] constexpr Relation mirrored(Relation relation) {
  constexpr std::array<Relation, 7> kMirror = {
      Relation::greater, Relation::greater_or_equal, Relation::less, Relation::less_or_equal,
      Relation::equal,   Relation::not_equal,        Relation::none};
  return kMirror[static_cast<std::size_t>(relation)];
}

// The boolean operations given by a three-valued table: the index of their table in
// kleene::kTables. `none` for every other operation.
enum class Logic : std::uint8_t {
  none,
  logical_not,
  logical_and,
  logical_or,
  logical_xor,
  implies,
  is_null,
  is_true,
  is_false
};

// How an operator's operands decide its value: the one rule behind "the facts that decided
// it" (engine/deciding.hpp). docs/semantics.md#which-operands-decided-a-value has the table.
enum class DecidingRule : std::uint8_t {
  every,        // not, xor, comparisons, arithmetic, `is` tests, `in`, between: every operand
  logical_and,  // any number of operands
  logical_or,   // any number of operands
  implies,      // premise, conclusion: read as `not premise or conclusion`
  conditional,  // when, then, ..., when, then, else: an `if` is one when; a when's state says
                // whether it matched (for `case x when v`, the state of `x = v`)
  coalesce,     // the arguments
  at_least,     // the threshold, the offset, then weight, item, ...: the threshold and the
                // items whose
                // state settled the range (known items for a known result, unknown items for
                // an unknown one)
};

// What an operation's operands are, as `rubric graph` labels its edges.
enum class OperandRoles : std::uint8_t {
  none,         // a leaf
  single,       // one operand
  unordered,    // two whose order does not matter (`and`, `=`, `+`)
  ordered,      // left, right (`implies`, `<`, `-`)
  membership,   // the value, then the elements (`in`)
  conditional,  // if, then, else
  arguments,    // numbered arguments (Coalesce)
  score_items,  // weight, item, weight, item, ... (a score's total)
  score_test,   // the threshold, the offset, then weight, item, ... (`at least`)
};

// Whether the compact program runs an operation on node states alone (and so on fact
// blocks), given operands it can run, or needs Values.
enum class ProgramForm : std::uint8_t { compact, values };

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
  Logic logic;
  DecidingRule deciding;
  OperandRoles operands;
  ProgramForm program;
  // Empty when generated C++ supports the operation; else what the E0701 message calls it.
  std::string_view unsupported_in_cpp;
};

inline constexpr std::array kOperators = {
#define RUBRIC_OPERATOR(opcode, spelling, arity, family, test, relation, logic, deciding, \
                        operands, program, unsupported_in_cpp)                            \
  OperatorInfo{Opcode::opcode,                                                            \
               spelling,                                                                  \
               arity,                                                                     \
               OperatorFamily::family,                                                    \
               #test[0] == 't',                                                           \
               Relation::relation,                                                        \
               Logic::logic,                                                              \
               DecidingRule::deciding,                                                    \
               OperandRoles::operands,                                                    \
               ProgramForm::program,                                                      \
               unsupported_in_cpp},
#include "engine/operators.def"
};

// The table is in Opcode order, and its columns agree with each other.
static_assert([] {
  for (std::size_t i = 0; i < kOperators.size(); ++i) {
    const OperatorInfo& info = kOperators[i];
    if (static_cast<std::size_t>(info.opcode) != i ||
        (info.family == OperatorFamily::kleene) != (info.logic != Logic::none) ||
        (info.relation != Relation::none && info.family != OperatorFamily::comparison) ||
        (info.program == ProgramForm::compact && info.family != OperatorFamily::leaf &&
         info.family != OperatorFamily::kleene && info.relation == Relation::none)) {
      return false;
    }
  }
  return true;
}());

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

// True for the operations that read null as a value (`is null`, `is true`, `is false`, `in`,
// `if`, Coalesce): a known result of theirs can change when a null operand becomes known.
// Every other operation keeps a known result however its null operands turn out (CQL's null
// propagation and three-valued logic, scores' ranges): the property by which the exact
// outcome's search (engine/exact_outcome.cpp) prunes.
[[nodiscard]] constexpr bool reads_null_as_value(Opcode op) {
  const OperatorInfo& info = operator_info(op);
  return info.family == OperatorFamily::choice || info.family == OperatorFamily::membership ||
         info.logic == Logic::is_null || info.logic == Logic::is_true ||
         info.logic == Logic::is_false;
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
// Indexed by Logic.
constexpr std::array<KleeneTable, 9> kTables = {kNone,    kNot,    kAnd,    kOr,     kXor,
                                                kImplies, kIsNull, kIsTrue, kIsFalse};
}  // namespace kleene

// The table of a boolean operation (is_kleene); an all-null table for any other operation.
[[nodiscard]] constexpr const KleeneTable& kleene_table(Opcode op) {
  return kleene::kTables[static_cast<std::size_t>(operator_info(op).logic)];
}

}  // namespace rubric

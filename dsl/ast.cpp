#include "dsl/ast.hpp"

#include <fmt/format.h>

namespace rubric::ast {

const char* spelling(UnaryOperator op) {
  switch (op) {
    case UnaryOperator::logical_not: return "not";
    case UnaryOperator::negate: return "-";
    case UnaryOperator::plus: return "+";
  }
  return "?";
}

const char* spelling(BinaryOperator op) {
  switch (op) {
    case BinaryOperator::logical_and: return "and";
    case BinaryOperator::logical_or: return "or";
    case BinaryOperator::logical_xor: return "xor";
    case BinaryOperator::implies: return "implies";
    case BinaryOperator::equal: return "=";
    case BinaryOperator::not_equal: return "!=";
    case BinaryOperator::equivalent: return "~";
    case BinaryOperator::not_equivalent: return "!~";
    case BinaryOperator::less: return "<";
    case BinaryOperator::less_or_equal: return "<=";
    case BinaryOperator::greater: return ">";
    case BinaryOperator::greater_or_equal: return ">=";
    case BinaryOperator::add: return "+";
    case BinaryOperator::subtract: return "-";
    case BinaryOperator::multiply: return "*";
    case BinaryOperator::divide: return "/";
    case BinaryOperator::truncated_divide: return "div";
    case BinaryOperator::modulo: return "mod";
  }
  return "?";
}

const char* spelling(TestOperator op) {
  switch (op) {
    case TestOperator::is_null: return "is null";
    case TestOperator::is_not_null: return "is not null";
    case TestOperator::is_true: return "is true";
    case TestOperator::is_not_true: return "is not true";
    case TestOperator::is_false: return "is false";
    case TestOperator::is_not_false: return "is not false";
  }
  return "?";
}

std::string dump(const Module& module, ExprId id) {
  const Expr& expr = module.at(id);
  std::string out;
  const auto operands = [&]() {
    std::string parts;
    for (const ExprId operand : module.operands_of(expr)) {
      parts += ' ';
      parts += dump(module, operand);
    }
    return parts;
  };
  switch (expr.kind) {
    case ExprKind::null_literal: return "null";
    case ExprKind::boolean_literal:
    case ExprKind::number_literal: return expr.text;
    case ExprKind::string_literal: return fmt::format("'{}'", expr.text);
    case ExprKind::coding_literal: return fmt::format("(coding {} '{}')", expr.unit, expr.text);
    case ExprKind::quantity_literal: return fmt::format("(quantity {} {})", expr.text, expr.unit);
    case ExprKind::date_literal: return "@" + expr.text;
    case ExprKind::duration_between:
      return fmt::format("(duration-between {}{})", expr.unit, operands());
    case ExprKind::name: return expr.text;
    case ExprKind::unary: return fmt::format("({}{})", spelling(expr.unary_operator), operands());
    case ExprKind::binary: return fmt::format("({}{})", spelling(expr.binary_operator), operands());
    case ExprKind::test: return fmt::format("({}{})", spelling(expr.test_operator), operands());
    case ExprKind::between: return fmt::format("(between{})", operands());
    case ExprKind::membership: return fmt::format("(in{})", operands());
    case ExprKind::list: return fmt::format("(list{})", operands());
    case ExprKind::if_then_else: return fmt::format("(if{})", operands());
    case ExprKind::case_when:
      return fmt::format("({}{})", expr.has_subject ? "case-subject" : "case", operands());
    case ExprKind::call: return fmt::format("(call {}{})", expr.text, operands());
    case ExprKind::score: return fmt::format("(score{})", operands());
    case ExprKind::at_least: return fmt::format("(at-least{})", operands());
  }
  return out;
}

}  // namespace rubric::ast

// The reference evaluator: recursion over the checked AST, one function per question
// ("what is the value?", "which absent facts does this unknown wait on?").
#include "tests/reference/reference_evaluator.hpp"

#include <algorithm>
#include <set>
#include <span>

namespace rubric::reference {
namespace {

using ast::ExprId;
using ast::ExprKind;

// Kleene three-valued logic, written from the truth tables of docs/semantics.md.
enum class Truth : std::uint8_t { no, yes, unknown };

Truth truth(const Value& value) {
  if (value.kind() != ValueKind::boolean) {
    return Truth::unknown;
  }
  return value.as_boolean() ? Truth::yes : Truth::no;
}

Value from_truth(Truth t) {
  switch (t) {
    case Truth::no: return Value::boolean(false);
    case Truth::yes: return Value::boolean(true);
    case Truth::unknown: break;
  }
  return Value::null();
}

Truth kleene_not(Truth a) {
  if (a == Truth::unknown) {
    return Truth::unknown;
  }
  return a == Truth::yes ? Truth::no : Truth::yes;
}

Truth kleene_and(Truth a, Truth b) {
  if (a == Truth::no || b == Truth::no) {
    return Truth::no;
  }
  if (a == Truth::yes && b == Truth::yes) {
    return Truth::yes;
  }
  return Truth::unknown;
}

Truth kleene_or(Truth a, Truth b) {
  return kleene_not(kleene_and(kleene_not(a), kleene_not(b)));
}

Truth kleene_xor(Truth a, Truth b) {
  if (a == Truth::unknown || b == Truth::unknown) {
    return Truth::unknown;
  }
  return a != b ? Truth::yes : Truth::no;
}

Truth kleene_implies(Truth a, Truth b) {
  return kleene_or(kleene_not(a), b);
}

class Interpreter {
 public:
  Interpreter(const CheckedModule& checked, const FactSet& facts)
      : checked_(checked), module_(checked.module), facts_(facts) {}

  Value value(ExprId id) const {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    switch (expr.kind) {
      case ExprKind::null_literal:
      case ExprKind::boolean_literal:
      case ExprKind::number_literal:
      case ExprKind::string_literal:
      case ExprKind::quantity_literal: return checked_.constants[id.value];
      case ExprKind::name: {
        const Symbol symbol = checked_.symbols[id.value];
        switch (symbol.kind) {
          case SymbolKind::fact: return facts_.get(FactId{symbol.index});
          case SymbolKind::parameter: return checked_.parameters[symbol.index];
          case SymbolKind::definition: return value(module_.definitions[symbol.index].value);
          case SymbolKind::none: break;
        }
        return Value::null();
      }
      case ExprKind::unary: {
        const ast::Expr& operand = module_.at(operands[0]);
        switch (expr.unary_operator) {
          case ast::UnaryOperator::logical_not:
            return from_truth(kleene_not(truth(value(operands[0]))));
          case ast::UnaryOperator::negate:
            // `-2147483648`: the checker gives the literal 2147483648 the negated value.
            if (operand.kind == ExprKind::number_literal && operand.text == "2147483648") {
              return checked_.constants[operands[0].value];
            }
            return negate(value(operands[0]));
          case ast::UnaryOperator::plus: return value(operands[0]);
        }
        return Value::null();
      }
      case ExprKind::binary: return binary(expr.binary_operator, operands[0], operands[1]);
      case ExprKind::test: {
        const Value operand = value(operands[0]);
        const Truth t = truth(operand);
        switch (expr.test_operator) {
          case ast::TestOperator::is_null: return Value::boolean(operand.is_null());
          case ast::TestOperator::is_not_null: return Value::boolean(!operand.is_null());
          case ast::TestOperator::is_true: return Value::boolean(t == Truth::yes);
          case ast::TestOperator::is_not_true: return Value::boolean(t != Truth::yes);
          case ast::TestOperator::is_false: return Value::boolean(t == Truth::no);
          case ast::TestOperator::is_not_false: return Value::boolean(t != Truth::no);
        }
        return Value::null();
      }
      case ExprKind::between: {
        const Value x = value(operands[0]);
        return from_truth(kleene_and(truth(greater_or_equal(x, value(operands[1]))),
                                     truth(less_or_equal(x, value(operands[2])))));
      }
      case ExprKind::membership: {
        // Never null: nulls are equal to each other, and to nothing else.
        const Value x = value(operands[0]);
        for (const ExprId element : module_.operands_of(module_.at(operands[1]))) {
          const Value candidate = value(element);
          if (x.is_null() && candidate.is_null()) {
            return Value::boolean(true);
          }
          if (truth(equal(x, candidate)) == Truth::yes) {
            return Value::boolean(true);
          }
        }
        return Value::boolean(false);
      }
      case ExprKind::list: return Value::null();
      case ExprKind::if_then_else:
        // A null condition takes the `else` branch (CQL).
        return truth(value(operands[0])) == Truth::yes ? branch(operands[1], id)
                                                       : branch(operands[2], id);
      case ExprKind::case_when: {
        const std::size_t first = expr.has_subject ? 1 : 0;
        for (std::size_t i = first; i + 2 < operands.size(); i += 2) {
          if (truth(when(expr, operands, i)) == Truth::yes) {
            return branch(operands[i + 1], id);
          }
        }
        return branch(operands.back(), id);
      }
      case ExprKind::call:
        for (const ExprId argument : operands) {
          const Value candidate = branch(argument, id);
          if (!candidate.is_null()) {
            return candidate;
          }
        }
        return Value::null();
    }
    return Value::null();
  }

  // The absent facts an unknown expression waits on (docs/semantics.md, "How missing facts
  // are computed"), added to `out`. Precondition: value(id) is null.
  void missing(ExprId id, std::set<std::uint32_t>& out) const {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    const auto follow = [&](ExprId operand) {
      if (value(operand).is_null()) {
        missing(operand, out);
      }
    };
    switch (expr.kind) {
      case ExprKind::null_literal:
      case ExprKind::boolean_literal:
      case ExprKind::number_literal:
      case ExprKind::string_literal:
      case ExprKind::quantity_literal:
      case ExprKind::list: return;
      case ExprKind::name: {
        const Symbol symbol = checked_.symbols[id.value];
        if (symbol.kind == SymbolKind::fact) {
          out.insert(symbol.index);
        } else if (symbol.kind == SymbolKind::definition) {
          follow(module_.definitions[symbol.index].value);
        }
        return;
      }
      case ExprKind::if_then_else: {
        const Value condition = value(operands[0]);
        if (condition.is_null()) {
          follow(operands[0]);
          follow(operands[1]);
          follow(operands[2]);
        } else {
          follow(truth(condition) == Truth::yes ? operands[1] : operands[2]);
        }
        return;
      }
      case ExprKind::case_when: {
        // As the chain of `if`s it means: an unknown `when` could select its result or pass
        // on to the rest; a true one selects its result and ends the chain.
        const std::size_t first = expr.has_subject ? 1 : 0;
        for (std::size_t i = first; i + 2 < operands.size(); i += 2) {
          const Value condition = when(expr, operands, i);
          if (condition.is_null()) {
            if (expr.has_subject) {
              follow(operands[0]);
              follow(operands[i]);
            } else {
              follow(operands[i]);
            }
            follow(operands[i + 1]);
          } else if (truth(condition) == Truth::yes) {
            follow(operands[i + 1]);
            return;
          }
        }
        follow(operands.back());
        return;
      }
      default:
        for (const ExprId operand : operands) {
          follow(operand);
        }
        return;
    }
  }

 private:
  // The condition of the `when` at operands[i]: the value itself, or `subject = value`.
  Value when(const ast::Expr& expr, std::span<const ExprId> operands, std::size_t i) const {
    if (expr.has_subject) {
      return equal(value(operands[0]), value(operands[i]));
    }
    return value(operands[i]);
  }

  // A branch of an `if`, `case` or `Coalesce` whose type is decimal: an integer converts.
  Value branch(ExprId value_id, ExprId whole) const {
    const Value result = value(value_id);
    if (checked_.type_of(whole).kind == TypeKind::decimal &&
        checked_.type_of(value_id).kind == TypeKind::integer) {
      return to_decimal(result);
    }
    return result;
  }

  Value binary(ast::BinaryOperator op, ExprId left_id, ExprId right_id) const {
    const Value left = value(left_id);
    const Value right = value(right_id);
    using B = ast::BinaryOperator;
    switch (op) {
      case B::logical_and: return from_truth(kleene_and(truth(left), truth(right)));
      case B::logical_or: return from_truth(kleene_or(truth(left), truth(right)));
      case B::logical_xor: return from_truth(kleene_xor(truth(left), truth(right)));
      case B::implies: return from_truth(kleene_implies(truth(left), truth(right)));
      case B::equal: return equal(left, right);
      case B::not_equal: return not_equal(left, right);
      case B::equivalent: return equivalent(left, right);
      case B::not_equivalent: return not_equivalent(left, right);
      case B::less: return less(left, right);
      case B::less_or_equal: return less_or_equal(left, right);
      case B::greater: return greater(left, right);
      case B::greater_or_equal: return greater_or_equal(left, right);
      case B::add: return add(left, right);
      case B::subtract: return subtract(left, right);
      case B::multiply: return multiply(left, right);
      case B::divide: return divide(left, right);
      case B::truncated_divide: return truncated_divide(left, right);
      case B::modulo: return modulo(left, right);
    }
    return Value::null();
  }

  const CheckedModule& checked_;
  const ast::Module& module_;
  const FactSet& facts_;
};

}  // namespace

ReferenceDecision evaluate(const CheckedModule& checked, const FactSet& facts) {
  const Interpreter interpreter(checked, facts);
  ReferenceDecision decision;
  for (const ast::RecommendationDeclaration& recommendation : checked.module.recommendations) {
    const Value condition = interpreter.value(recommendation.condition);
    std::vector<std::string> names;
    if (condition.is_null()) {
      decision.outcomes.push_back(Outcome::undetermined);
      std::set<std::uint32_t> missing;
      interpreter.missing(recommendation.condition, missing);
      for (const std::uint32_t fact : missing) {
        names.push_back(checked.facts[fact].name);
      }
      std::sort(names.begin(), names.end());
    } else {
      decision.outcomes.push_back(truth(condition) == Truth::yes ? Outcome::recommended
                                                                 : Outcome::absent);
    }
    decision.missing.push_back(std::move(names));
  }
  return decision;
}

}  // namespace rubric::reference

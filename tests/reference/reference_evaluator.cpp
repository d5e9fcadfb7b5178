// The reference evaluator: recursion over the checked AST, one function per question
// ("what is the value?", "which absent facts does this unknown wait on?").
#include "tests/reference/reference_evaluator.hpp"

#include <algorithm>
#include <set>
#include <span>
#include <unordered_map>

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
  // An interpreter of a completion of `base`'s facts (docs/semantics.md#exact-outcomes): every
  // expression known for `base` keeps its value there; the others are evaluated again.
  Interpreter(const CheckedModule& checked, const FactSet& facts, const Interpreter& base)
      : checked_(checked), module_(checked.module), facts_(facts), base_(&base) {}

  Value value(ExprId id) const {
    if (base_ != nullptr) {
      Value known = base_->remembered(id);
      if (!known.is_null()) {
        return known;
      }
    }
    return compute(id);
  }

  // value(id), remembered: for the base of completions, which asks for it again and again.
  Value remembered(ExprId id) const {
    const auto found = memo_.find(id.value);
    if (found != memo_.end()) {
      return found->second;
    }
    Value computed = value(id);
    memo_.emplace(id.value, computed);
    return computed;
  }

  Value compute(ExprId id) const {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    switch (expr.kind) {
      case ExprKind::null_literal:
      case ExprKind::boolean_literal:
      case ExprKind::number_literal:
      case ExprKind::string_literal:
      case ExprKind::coding_literal:
      case ExprKind::quantity_literal:
      case ExprKind::date_literal: return checked_.constants[id.value];
      case ExprKind::duration_between: {
        std::string_view word = expr.unit;
        if (word.ends_with('s')) {
          word.remove_suffix(1);
        }
        const CalendarUnit unit = word == "year"     ? CalendarUnit::year
                                  : word == "month"  ? CalendarUnit::month
                                  : word == "week"   ? CalendarUnit::week
                                  : word == "day"    ? CalendarUnit::day
                                  : word == "hour"   ? CalendarUnit::hour
                                  : word == "minute" ? CalendarUnit::minute
                                  : word == "second" ? CalendarUnit::second
                                                     : CalendarUnit::millisecond;
        return duration_between(value(operands[0]), value(operands[1]), unit);
      }
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
        return from_truth(
            kleene_and(truth(compare(Relation::greater_or_equal, operands[0], operands[1])),
                       truth(compare(Relation::less_or_equal, operands[0], operands[2]))));
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
        if (expr.text == "Date" || expr.text == "DateTime") {
          return checked_.constants[id.value];  // a selector of literals
        }
        if (expr.text == "Today") {
          return facts_.get(FactId{*checked_.evaluation_date});  // the evaluation date
        }
        for (const ExprId argument : operands) {
          const Value candidate = branch(argument, id);
          if (!candidate.is_null()) {
            return candidate;
          }
        }
        return Value::null();
      case ExprKind::score: {
        // One total when the lowest and highest possible totals meet; else uncertain: null.
        const Totals t = totals(id);
        if (t.low != t.high) {
          return Value::null();
        }
        if (checked_.type_of(id).kind == TypeKind::integer) {
          return Value::integer(*t.low.to_int32());
        }
        return Value::decimal(t.low);
      }
      case ExprKind::at_least: {
        const std::int32_t count = checked_.constants[operands[0].value].as_integer();
        std::int32_t holding = 0;
        std::int32_t unknown = 0;
        for (std::size_t i = 1; i < operands.size(); ++i) {
          const Truth t = truth(value(operands[i]));
          holding += t == Truth::yes ? 1 : 0;
          unknown += t == Truth::unknown ? 1 : 0;
        }
        if (holding >= count) {
          return Value::boolean(true);
        }
        return holding + unknown < count ? Value::boolean(false) : Value::null();
      }
    }
    return Value::null();
  }

  // The absent facts an unknown expression waits on (docs/semantics.md, "How missing facts
  // are computed"), added to `out`. Precondition: value(id) is null.
  // With `refine_scores` false, a score comparison follows every unknown item (the facts an
  // exact outcome is searched over, engine/exact_outcome.cpp).
  void missing(ExprId id, std::set<std::uint32_t>& out, bool refine_scores = true) const {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    const auto follow = [&](ExprId operand) {
      if (value(operand).is_null()) {
        missing(operand, out, refine_scores);
      }
    };
    const auto score_missing = [&](Relation relation, ExprId left, ExprId right,
                                   std::set<std::uint32_t>& into) {
      return refine_scores && this->score_missing(relation, left, right, into);
    };
    switch (expr.kind) {
      case ExprKind::null_literal:
      case ExprKind::boolean_literal:
      case ExprKind::number_literal:
      case ExprKind::string_literal:
      case ExprKind::coding_literal:
      case ExprKind::quantity_literal:
      case ExprKind::date_literal:
      case ExprKind::list: return;
      case ExprKind::call:
        if (expr.text == "Today") {
          out.insert(*checked_.evaluation_date);
          return;
        }
        for (const ExprId operand : operands) {
          follow(operand);
        }
        return;
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
      case ExprKind::binary:
        if (const auto relation = score_relation(expr.binary_operator)) {
          if (score_missing(*relation, operands[0], operands[1], out)) {
            return;
          }
        }
        for (const ExprId operand : operands) {
          follow(operand);
        }
        return;
      case ExprKind::between: {
        // `x between a and b` is `x >= a and x <= b`: the unknown one(s) of the two, each as a
        // comparison with a score when x, a or b is one.
        const auto bound = [&](Relation relation, ExprId limit) {
          if (compare(relation, operands[0], limit).is_null() &&
              !score_missing(relation, operands[0], limit, out)) {
            follow(operands[0]);
            follow(limit);
          }
        };
        bound(Relation::greater_or_equal, operands[1]);
        bound(Relation::less_or_equal, operands[2]);
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
              if (!score_missing(Relation::equal, operands[0], operands[i], out)) {
                follow(operands[0]);
                follow(operands[i]);
              }
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
      case ExprKind::score:
        // An item that weighs nothing never changes the total.
        for (std::size_t i = 0; i + 1 < operands.size(); i += 2) {
          if (checked_.constants[operands[i].value].as_decimal() != Decimal()) {
            follow(operands[i + 1]);
          }
        }
        return;
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
      return compare(Relation::equal, operands[0], operands[i]);
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
      case B::equal:
      case B::not_equal:
      case B::less:
      case B::less_or_equal:
      case B::greater:
      case B::greater_or_equal: return compare(*score_relation(op), left_id, right_id);
      case B::equivalent: return equivalent(left, right);
      case B::not_equivalent: return not_equivalent(left, right);
      case B::add: return add(left, right);
      case B::subtract: return subtract(left, right);
      case B::multiply: return multiply(left, right);
      case B::divide: return divide(left, right);
      case B::truncated_divide: return truncated_divide(left, right);
      case B::modulo: return modulo(left, right);
    }
    return Value::null();
  }

  // ---- Scores (docs/semantics.md#scores), written from the documented rules ----

  enum class Relation : std::uint8_t {
    less,
    less_or_equal,
    greater,
    greater_or_equal,
    equal,
    not_equal
  };

  static std::optional<Relation> score_relation(ast::BinaryOperator op) {
    using B = ast::BinaryOperator;
    switch (op) {
      case B::equal: return Relation::equal;
      case B::not_equal: return Relation::not_equal;
      case B::less: return Relation::less;
      case B::less_or_equal: return Relation::less_or_equal;
      case B::greater: return Relation::greater;
      case B::greater_or_equal: return Relation::greater_or_equal;
      default: return std::nullopt;
    }
  }

  static Relation mirror(Relation relation) {
    switch (relation) {
      case Relation::less: return Relation::greater;
      case Relation::less_or_equal: return Relation::greater_or_equal;
      case Relation::greater: return Relation::less;
      case Relation::greater_or_equal: return Relation::less_or_equal;
      default: return relation;
    }
  }

  // The score an expression is (a score, or a name or `+` leading to one), if it is one.
  std::optional<ExprId> score_of(ExprId id) const {
    for (;;) {
      const ast::Expr& expr = module_.at(id);
      if (expr.kind == ExprKind::score) {
        return id;
      }
      if (expr.kind == ExprKind::name &&
          checked_.symbols[id.value].kind == SymbolKind::definition) {
        id = module_.definitions[checked_.symbols[id.value].index].value;
      } else if (expr.kind == ExprKind::unary && expr.unary_operator == ast::UnaryOperator::plus) {
        id = module_.operands_of(expr)[0];
      } else {
        return std::nullopt;
      }
    }
  }

  struct Totals {
    Decimal low;
    Decimal high;
  };

  // The lowest and highest totals: an unknown item may add its weight or not.
  Totals totals(ExprId score) const {
    const auto operands = module_.operands_of(module_.at(score));
    Totals t;
    for (std::size_t i = 0; i + 1 < operands.size(); i += 2) {
      const Decimal weight = checked_.constants[operands[i].value].as_decimal();
      const Truth item = truth(value(operands[i + 1]));
      if (item == Truth::yes || (item == Truth::unknown && weight < Decimal())) {
        t.low = *Decimal::add(t.low, weight);
      }
      if (item == Truth::yes || (item == Truth::unknown && weight > Decimal())) {
        t.high = *Decimal::add(t.high, weight);
      }
    }
    return t;
  }

  // Whether `total relation other` holds for a total.
  static bool holds(Relation relation, Decimal total, Decimal other) {
    switch (relation) {
      case Relation::less: return total < other;
      case Relation::less_or_equal: return total <= other;
      case Relation::greater: return total > other;
      case Relation::greater_or_equal: return total >= other;
      case Relation::equal: return total == other;
      case Relation::not_equal: return total != other;
    }
    return false;
  }

  // `left relation right` read as `score relation' other` when either side is a score (the
  // relation mirrored when the score is on the right); no score when neither side is one.
  struct ScoreComparison {
    std::optional<ExprId> score;
    ExprId other;
    Relation relation;
  };
  ScoreComparison with_score_first(Relation relation, ExprId left_id, ExprId right_id) const {
    if (const std::optional<ExprId> left = score_of(left_id)) {
      return {left, right_id, relation};
    }
    if (const std::optional<ExprId> right = score_of(right_id)) {
      return {right, left_id, mirror(relation)};
    }
    return {std::nullopt, right_id, relation};
  }

  // `left relation right`; with a score on a side, true when it holds for every total from the
  // lowest to the highest, false when for none, else null (CQL's uncertainty).
  Value compare(Relation relation, ExprId left_id, ExprId right_id) const {
    const ScoreComparison oriented = with_score_first(relation, left_id, right_id);
    const std::optional<ExprId>& score = oriented.score;
    const ExprId other = oriented.other;
    relation = oriented.relation;
    if (!score) {
      const Value left = value(left_id);
      const Value right = value(right_id);
      switch (relation) {
        case Relation::less: return less(left, right);
        case Relation::less_or_equal: return less_or_equal(left, right);
        case Relation::greater: return greater(left, right);
        case Relation::greater_or_equal: return greater_or_equal(left, right);
        case Relation::equal: return equal(left, right);
        case Relation::not_equal: return not_equal(left, right);
      }
    }
    const Value threshold = value(other);
    if (threshold.is_null()) {
      return Value::null();
    }
    const Totals t = totals(*score);
    const Decimal x = threshold.as_decimal();
    if (relation == Relation::equal || relation == Relation::not_equal) {
      // Equal for every total only when low = high = x; for none when x is outside.
      Truth same = Truth::unknown;
      if (t.low == x && t.high == x) {
        same = Truth::yes;
      } else if (x < t.low || x > t.high) {
        same = Truth::no;
      }
      return from_truth(relation == Relation::equal ? same : kleene_not(same));
    }
    // An ordering is monotone in the total: checking the two ends is checking every total.
    const bool at_low = holds(relation, t.low, x);
    const bool at_high = holds(relation, t.high, x);
    if (at_low && at_high) {
      return Value::boolean(true);
    }
    if (!at_low && !at_high) {
      return Value::boolean(false);
    }
    return Value::null();
  }

  // Whether `expr` is a constant the compiler folds (a literal, a parameter, or a name of a
  // definition that is one): only against such a threshold are unknown items sifted.
  bool is_constant(ExprId id) const {
    for (;;) {
      const ast::Expr& expr = module_.at(id);
      switch (expr.kind) {
        case ExprKind::number_literal:
        case ExprKind::null_literal: return true;
        case ExprKind::name: {
          const Symbol symbol = checked_.symbols[id.value];
          if (symbol.kind == SymbolKind::parameter) {
            return true;
          }
          if (symbol.kind != SymbolKind::definition) {
            return false;
          }
          id = module_.definitions[symbol.index].value;
          continue;
        }
        case ExprKind::unary:
          if (expr.unary_operator == ast::UnaryOperator::plus) {
            id = module_.operands_of(expr)[0];
            continue;
          }
          return false;
        default: return false;
      }
    }
  }

  // The absent facts of an unknown comparison with a score (docs/semantics.md#scores): false
  // when neither side is a score. An ordering is unknown while its unknown items could change
  // it: an unknown item is followed when, for some choice of true or false for the other
  // unknown items, the comparison holds with it and not without it, or the other way round.
  // `=` and `!=` are `>=` and `<=` together: the unknown one(s) of those two.
  bool score_missing(Relation relation, ExprId left_id, ExprId right_id,
                     std::set<std::uint32_t>& out) const {
    const ScoreComparison oriented = with_score_first(relation, left_id, right_id);
    const std::optional<ExprId>& score = oriented.score;
    const ExprId other = oriented.other;
    relation = oriented.relation;
    if (!score) {
      return false;
    }
    const Value threshold = value(other);
    const auto follow = [&](ExprId id) {
      if (value(id).is_null()) {
        missing(id, out);
      }
    };
    if (threshold.is_null() || !is_constant(other)) {
      // Every unknown item that weighs something.
      follow(other);
      const auto items = module_.operands_of(module_.at(*score));
      for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
        if (checked_.constants[items[i].value].as_decimal() != Decimal()) {
          follow(items[i + 1]);
        }
      }
      return true;
    }
    if (relation == Relation::equal || relation == Relation::not_equal) {
      for (const Relation half : {Relation::greater_or_equal, Relation::less_or_equal}) {
        if (compare(half, *score, other).is_null()) {
          sift(half, *score, threshold.as_decimal(), out);
        }
      }
      return true;
    }
    sift(relation, *score, threshold.as_decimal(), out);
    return true;
  }

  // Follows each unknown item of `score` on which `total relation x` can depend, trying every
  // choice for the other unknown items (the reference's score tests stay small).
  void sift(Relation relation, ExprId score, Decimal x, std::set<std::uint32_t>& out) const {
    const auto operands = module_.operands_of(module_.at(score));
    Decimal known;
    std::vector<std::pair<Decimal, ExprId>> unknown;
    for (std::size_t i = 0; i + 1 < operands.size(); i += 2) {
      const Decimal weight = checked_.constants[operands[i].value].as_decimal();
      const Truth item = truth(value(operands[i + 1]));
      if (item == Truth::yes) {
        known = *Decimal::add(known, weight);
      } else if (item == Truth::unknown) {
        unknown.emplace_back(weight, operands[i + 1]);
      }
    }
    for (std::size_t i = 0; i < unknown.size(); ++i) {
      bool depends = false;
      const std::size_t others = unknown.size() - 1;
      for (std::size_t mask = 0; mask < (std::size_t{1} << others) && !depends; ++mask) {
        Decimal total = known;
        for (std::size_t j = 0, bit = 0; j < unknown.size(); ++j) {
          if (j == i) {
            continue;
          }
          if ((mask >> bit++) & 1U) {
            total = *Decimal::add(total, unknown[j].first);
          }
        }
        depends =
            holds(relation, total, x) != holds(relation, *Decimal::add(total, unknown[i].first), x);
      }
      if (depends) {
        missing(unknown[i].second, out);
      }
    }
  }

  const CheckedModule& checked_;
  const ast::Module& module_;
  const FactSet& facts_;
  const Interpreter* base_ = nullptr;
  mutable std::unordered_map<std::uint32_t, Value> memo_;
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

namespace rubric::reference {

ExactDecision evaluate_exact(const CheckedModule& checked, const FactSet& facts,
                             std::span<const FactDomain> domains, std::size_t max_work) {
  const ReferenceDecision kleene = evaluate(checked, facts);
  ExactDecision out;
  out.outcomes = kleene.outcomes;
  out.missing = kleene.missing;
  out.compared.assign(kleene.outcomes.size(), true);
  out.despite.assign(kleene.outcomes.size(), {});
  const Interpreter base(checked, facts);
  const auto& recommendations = checked.module.recommendations;
  for (std::size_t r = 0; r < recommendations.size(); ++r) {
    if (kleene.outcomes[r] != Outcome::undetermined) {
      continue;
    }
    const ExprId condition = recommendations[r].condition;
    std::set<std::uint32_t> reached;
    base.missing(condition, reached, false);
    const std::vector<std::uint32_t> absent(reached.begin(), reached.end());
    if (absent.empty()) {
      continue;
    }
    // Every completion: each absent fact at each representative of its domain.
    std::size_t completions = 1;
    bool covered = true;
    for (const std::uint32_t fact : absent) {
      completions *= domains[fact].regions.size() - 1;
      covered = covered && domains[fact].covered();
      if (completions * (absent.size() + 1) > max_work) {
        break;
      }
    }
    if (!covered) {
      continue;  // Kleene's answer stands
    }
    if (completions * (absent.size() + 1) > max_work) {
      out.compared[r] = false;
      continue;
    }
    std::vector<std::uint8_t> states(completions);
    std::set<std::uint8_t> seen;
    FactSet completed = facts;
    for (std::size_t c = 0; c < completions; ++c) {
      std::size_t rest = c;
      for (const std::uint32_t fact : absent) {
        const std::size_t count = domains[fact].regions.size() - 1;
        completed.set(FactId{fact}, domains[fact].regions[1 + rest % count].value);
        rest /= count;
      }
      const Interpreter interpreter(checked, completed, base);
      const Value value = interpreter.value(condition);
      states[c] = value.is_null()                                            ? 2
                  : value.kind() == ValueKind::boolean && value.as_boolean() ? 1
                                                                             : 0;
      seen.insert(states[c]);
    }
    out.missing[r].clear();
    if (seen == std::set<std::uint8_t>{1} || seen == std::set<std::uint8_t>{0}) {
      out.outcomes[r] = *seen.begin() == 1 ? Outcome::recommended : Outcome::absent;
      out.despite[r] = kleene.missing[r];  // what Kleene logic would have waited on
      continue;
    }
    // A fact is waited on when two completions that differ in it alone differ in outcome.
    std::size_t stride = 1;
    for (const std::uint32_t fact : absent) {
      const std::size_t count = domains[fact].regions.size() - 1;
      bool changes = false;
      for (std::size_t c = 0; c < completions && !changes; ++c) {
        const std::size_t digit = (c / stride) % count;
        for (std::size_t v = digit + 1; v < count && !changes; ++v) {
          changes = states[c] != states[c + (v - digit) * stride];
        }
      }
      if (changes) {
        out.missing[r].push_back(checked.facts[fact].name);
      }
      stride *= count;
    }
    std::sort(out.missing[r].begin(), out.missing[r].end());
  }
  return out;
}

}  // namespace rubric::reference

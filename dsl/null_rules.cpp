// W0306 and W0307: where CQL's null rules read an absent fact as a value. See null_rules.hpp.
//
// One walk over each definition (in dependency order) and each recommendation condition
// computes, per expression and in its context (the facts known to be present there):
// the facts whose absence may make it null, and the `if`, `case` and `in` that turn such an
// unknown into a value. Definitions keep their findings and the definitions they name, each
// with its context; the findings are reported when a breadth-first visit from the
// recommendations (their conditions and reported definitions) reaches them with a context
// that does not make their facts present. No recursion across definitions: a chain of
// thousands of them must not exhaust the stack.
#include "dsl/null_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rubric {
namespace {

using ast::ExprId;
using ast::ExprKind;
using B = ast::BinaryOperator;
using T = ast::TestOperator;

// Fact indices, sorted, without repeats.
using Facts = std::vector<std::uint32_t>;

Facts unite(const Facts& a, const Facts& b) {
  Facts out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Facts intersect(const Facts& a, const Facts& b) {
  Facts out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Facts minus(const Facts& a, const Facts& b) {
  Facts out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

bool contains(const Facts& facts, std::uint32_t fact) {
  return std::binary_search(facts.begin(), facts.end(), fact);
}

enum class Finding : std::uint8_t { arithmetic, if_else, case_rows, membership, equivalence };

// An `if`, `case` or `in` at `where` that reads the absence of `facts` as a value. For a
// `case`: `later` when a later row, not only the `else`, can give the value.
struct Item {
  Finding finding = Finding::if_else;
  ExprId where;
  Facts facts;
  bool later = false;
};

// A definition named where the facts `present` are known to be present.
struct Ref {
  std::uint32_t definition = 0;
  Facts present;
};

// What one definition or recommendation contributes.
struct Record {
  std::vector<Item> items;
  std::vector<Ref> refs;
};

// What the walk learnt about an expression in its context.
struct Info {
  Facts nullable;            // facts whose absence may make it null
  bool null_anyway = false;  // may be null with every fact present (a `null` literal)
  // The numeric `if` and `case` among its possible values that read an absent fact as a
  // value: a W0306 where the expression is an operand of arithmetic or a comparison.
  std::vector<Item> choices;
};

struct DefinitionSummary {
  Facts strict;      // facts whose absence makes it null, whatever the others are
  Facts when_true;   // facts present whenever it is true
  Facts when_false;  // facts present whenever it is false
  Info info;
  Record record;
};

class Pass {
 public:
  Pass(const CheckedModule& checked, const SourceManager& sources)
      : checked_(checked), module_(checked.module), sources_(sources) {}

  void run(Diagnostics& diagnostics) {
    definitions_.resize(module_.definitions.size());
    for (const std::uint32_t index : checked_.definition_order) {
      DefinitionSummary& summary = definitions_[index];
      const ExprId value = module_.definitions[index].value;
      summary.strict = strict(value);
      summary.when_true = when_true(value);
      summary.when_false = when_false(value);
      record_ = &summary.record;
      summary.info = walk(value, {});
    }
    std::map<std::string, std::uint32_t> definition_index;
    for (std::uint32_t i = 0; i < module_.definitions.size(); ++i) {
      definition_index.emplace(module_.definitions[i].name.name, i);
    }
    std::vector<Record> roots(module_.recommendations.size());
    for (std::size_t i = 0; i < roots.size(); ++i) {
      const ast::RecommendationDeclaration& recommendation = module_.recommendations[i];
      record_ = &roots[i];
      walk(recommendation.condition, {});
      for (const ast::Named& reported : recommendation.reported) {
        const auto found = definition_index.find(reported.name);
        if (found != definition_index.end()) {
          roots[i].refs.push_back({found->second, {}});
        }
      }
    }
    record_ = nullptr;
    report(collect(roots), diagnostics);
  }

 private:
  struct Found {
    Facts facts;
    bool later = false;
  };
  using FoundMap = std::map<std::pair<std::uint32_t, Finding>, Found>;

  // The findings reachable from the recommendations, each with the facts whose absence it
  // reads where no context makes them present.
  FoundMap collect(const std::vector<Record>& roots) const {
    FoundMap found;
    std::set<std::pair<std::uint32_t, Facts>> seen;
    std::deque<std::pair<std::uint32_t, Facts>> queue;
    const auto take = [&](const Record& record, const Facts& present) {
      for (const Item& item : record.items) {
        Facts facts = minus(item.facts, present);
        if (facts.empty()) {
          continue;
        }
        Found& entry = found[{item.where.value, item.finding}];
        entry.facts = unite(entry.facts, facts);
        entry.later = entry.later || item.later;
      }
      for (const Ref& ref : record.refs) {
        std::pair<std::uint32_t, Facts> next{ref.definition, unite(present, ref.present)};
        if (seen.insert(next).second) {
          queue.push_back(std::move(next));
        }
      }
    };
    for (const Record& root : roots) {
      take(root, {});
    }
    while (!queue.empty()) {
      const auto [definition, present] = std::move(queue.front());
      queue.pop_front();
      take(definitions_[definition].record, present);
    }
    return found;
  }

  void report(const FoundMap& found, Diagnostics& diagnostics) const {
    std::vector<std::pair<std::pair<std::uint32_t, Finding>, const Found*>> ordered;
    for (const auto& [key, entry] : found) {
      // An `if` or `case` reported in arithmetic (W0306) gets no note besides.
      const bool in_arithmetic =
          key.second != Finding::arithmetic && key.second != Finding::membership &&
          key.second != Finding::equivalence && found.contains({key.first, Finding::arithmetic});
      if (!in_arithmetic) {
        ordered.emplace_back(key, &entry);
      }
    }
    std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
      return module_.expressions[a.first.first].range.offset <
             module_.expressions[b.first.first].range.offset;
    });
    for (const auto& [key, entry] : ordered) {
      const ExprId where{key.first};
      const SourceRange range = module_.at(where).range;
      if (key.second == Finding::arithmetic) {
        diagnostics.report(DiagnosticKind::absent_in_arithmetic, range,
                           arithmetic_message(where, *entry));
      } else {
        diagnostics.report(DiagnosticKind::absent_decides, range,
                           note_message(key.second, where, *entry));
      }
    }
  }

  // ---- Messages ----------------------------------------------------------------------------

  std::string fact_name(std::uint32_t fact) const { return module_.facts[fact].name.name; }

  // "`a`", "`a` or `b`", "`a`, `b` or `c`", "`a`, `b`, `c` or 2 other facts".
  std::string fact_list(const Facts& facts) const {
    constexpr std::size_t kShown = 3;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < facts.size() && i < kShown; ++i) {
      names.push_back(in_backticks(fact_name(facts[i])));
    }
    if (facts.size() > kShown) {
      const std::size_t others = facts.size() - kShown;
      return fmt::format("{} or {} other fact{}", fmt::join(names, ", "), others,
                         others == 1 ? "" : "s");
    }
    if (names.size() == 1) {
      return names.front();
    }
    const std::string last = names.back();
    names.pop_back();
    return fmt::format("{} or {}", fmt::join(names, ", "), last);
  }

  // The source text of an expression when it is short and on one line, else empty.
  std::string short_text(ExprId id) const {
    constexpr std::size_t kShort = 40;
    const std::string_view text = sources_.text(module_.at(id).range);
    if (text.size() > kShort || text.find('\n') != std::string_view::npos) {
      return {};
    }
    return std::string(text);
  }

  bool is_number(ExprId id) const {
    const ast::Expr& expr = module_.at(id);
    if (expr.kind == ExprKind::unary && expr.unary_operator == ast::UnaryOperator::negate) {
      return is_number(module_.operands_of(expr)[0]);
    }
    return expr.kind == ExprKind::number_literal || expr.kind == ExprKind::quantity_literal;
  }

  std::string arithmetic_message(ExprId where, const Found& found) const {
    const ast::Expr& expr = module_.at(where);
    const auto operands = module_.operands_of(expr);
    const std::string facts = fact_list(found.facts);
    std::string item = "`N when ...`";
    std::string taken;
    if (expr.kind == ExprKind::if_then_else) {
      const std::string weight = short_text(operands[1]);
      const std::string condition = short_text(operands[0]);
      if (is_number(operands[1]) && !weight.empty() && !condition.empty()) {
        item = fmt::format("`{} when {}`", weight, condition);
      }
      const std::string otherwise = short_text(operands[2]);
      taken = is_number(operands[2]) && !otherwise.empty()
                  ? fmt::format("as {}, its `else`,", in_backticks(otherwise))
                  : "as its `else`";
      return fmt::format(
          "this `if` counts an absent {} {} in arithmetic; write it as a `score` "
          "item ({}) or use `at least N of`, which keep an absent item uncertain, "
          "or give absence a `null` result",
          facts, taken, item);
    }
    taken = found.later ? "as a later row or its `else`" : "as its `else`";
    return fmt::format(
        "this `case` counts an absent {} {} in arithmetic; write it as `score` "
        "items ({}) or use `at least N of`, which keep an absent item uncertain, "
        "or give absence a `null` result",
        facts, taken, item);
  }

  std::string note_message(Finding finding, ExprId where, const Found& found) const {
    const ast::Expr& expr = module_.at(where);
    const auto operands = module_.operands_of(expr);
    const std::string facts = fact_list(found.facts);
    const std::string first = fact_name(found.facts.front());
    switch (finding) {
      case Finding::if_else:
        return fmt::format(
            "when {} is absent, this `if` takes its `else`; to say what absence "
            "means, test `{} is null` first",
            facts, first);
      case Finding::case_rows: {
        const std::string taken = found.later ? "a later row or its `else`" : "its `else`";
        if (expr.has_subject && minus(found.facts, strict(operands[0])).empty()) {
          return fmt::format(
              "when {} is absent, this `case` matches no row and takes {}; to say "
              "what absence means, test `{} is null` before the `case`",
              facts, taken, first);
        }
        return fmt::format(
            "when {} is absent, this `case` skips the rows that test it and takes "
            "{}; to say what absence means, start with a row `when {} is null "
            "then ...`",
            facts, taken, first);
      }
      case Finding::membership: {
        bool null_element = false;
        std::vector<std::string> equalities;
        const std::string value = short_text(operands[0]);
        for (const ExprId element : module_.operands_of(module_.at(operands[1]))) {
          null_element = null_element || module_.at(element).kind == ExprKind::null_literal;
          const std::string text = short_text(element);
          if (!value.empty() && !text.empty()) {
            equalities.push_back(fmt::format("{} = {}", value, text));
          }
        }
        constexpr std::size_t kMostEqualities = 3;
        std::string example;
        if (module_.at(operands[0]).kind == ExprKind::name && !null_element &&
            equalities.size() == module_.at(operands[1]).operand_count &&
            equalities.size() <= kMostEqualities) {
          example = fmt::format(" (`{}`)", fmt::join(equalities, " or "));
        }
        return fmt::format(
            "when {} is absent, this `in` is {}, not unknown; to leave it unknown, "
            "compare with `=` and `or`{}, or test `{} is null` to say what absence "
            "means",
            facts, null_element ? "true" : "false", example, first);
      }
      case Finding::equivalence: {
        const bool negated = expr.binary_operator == B::not_equivalent;
        return fmt::format(
            "when {} is absent, this `{}` compares it as null (`null {} 5` is {}, `null {} "
            "null` {}), not unknown; to leave it unknown, compare with `{}`, or test `{} is "
            "null` to say what absence means",
            facts, negated ? "!~" : "~", negated ? "!~" : "~", negated ? "true" : "false",
            negated ? "!~" : "~", negated ? "false" : "true", negated ? "!=" : "=", first);
      }
      case Finding::arithmetic: break;
    }
    return {};
  }

  // ---- Context-free properties -------------------------------------------------------------

  Facts strict_of_name(ExprId id) const {
    const Symbol symbol = checked_.symbols[id.value];
    switch (symbol.kind) {
      case SymbolKind::fact: return {symbol.index};
      case SymbolKind::definition: return definitions_[symbol.index].strict;
      case SymbolKind::parameter:
      case SymbolKind::none: break;
    }
    return {};
  }

  // The results of a `case`: each row's result, then the `else`.
  std::vector<ExprId> case_results(const ast::Expr& expr) const {
    const auto operands = module_.operands_of(expr);
    std::vector<ExprId> results;
    for (std::size_t i = expr.has_subject ? 1 : 0; i + 1 < operands.size(); i += 2) {
      results.push_back(operands[i + 1]);
    }
    results.push_back(operands.back());
    return results;
  }

  // Facts whose absence makes the expression null whatever the other facts are (memoized:
  // the walk asks for the same subexpressions again at each level of a chain).
  const Facts& strict(ExprId id) const {
    std::optional<Facts>& slot = memo(strict_memo_, id);
    if (!slot) {
      slot = compute_strict(id);
    }
    return *slot;
  }

  Facts compute_strict(ExprId id) const {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    const auto common = [&](const std::vector<ExprId>& ids) {
      Facts out = strict(ids.front());
      for (std::size_t i = 1; i < ids.size(); ++i) {
        out = intersect(out, strict(ids[i]));
      }
      return out;
    };
    switch (expr.kind) {
      case ExprKind::name: return strict_of_name(id);
      case ExprKind::unary: return strict(operands[0]);
      case ExprKind::binary:
        switch (expr.binary_operator) {
          case B::logical_and:
          case B::logical_or:
          case B::implies: return intersect(strict(operands[0]), strict(operands[1]));
          case B::equivalent:
          case B::not_equivalent: return {};
          default: return unite(strict(operands[0]), strict(operands[1]));
        }
      case ExprKind::between: return strict(operands[0]);
      case ExprKind::if_then_else: return common({operands[1], operands[2]});
      case ExprKind::case_when: return common(case_results(expr));
      case ExprKind::call:
        return operands.empty() ? Facts{} : common({operands.begin(), operands.end()});
      default: break;  // literals, `is`, `in`, lists, scores (a range may still decide)
    }
    return {};
  }

  bool is_comparison(B op) const {
    return op == B::equal || op == B::not_equal || op == B::less || op == B::less_or_equal ||
           op == B::greater || op == B::greater_or_equal;
  }

  // Facts present whenever the boolean expression is true (`value`) or false (`!value`).
  const Facts& when_known(ExprId id, bool value) const {
    std::optional<Facts>& slot = memo(value ? true_memo_ : false_memo_, id);
    if (!slot) {
      slot = compute_when_known(id, value);
    }
    return *slot;
  }

  Facts compute_when_known(ExprId id, bool value) const {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    switch (expr.kind) {
      case ExprKind::name: {
        const Symbol symbol = checked_.symbols[id.value];
        if (symbol.kind == SymbolKind::definition) {
          const DefinitionSummary& summary = definitions_[symbol.index];
          return value ? summary.when_true : summary.when_false;
        }
        return strict_of_name(id);
      }
      case ExprKind::unary:
        return expr.unary_operator == ast::UnaryOperator::logical_not
                   ? when_known(operands[0], !value)
                   : Facts{};
      case ExprKind::binary: {
        const B op = expr.binary_operator;
        if (op == B::logical_and) {
          return value ? unite(when_known(operands[0], true), when_known(operands[1], true))
                       : intersect(when_known(operands[0], false), when_known(operands[1], false));
        }
        if (op == B::logical_or) {
          return value ? intersect(when_known(operands[0], true), when_known(operands[1], true))
                       : unite(when_known(operands[0], false), when_known(operands[1], false));
        }
        if (op == B::implies) {  // not a or b
          return value ? intersect(when_known(operands[0], false), when_known(operands[1], true))
                       : unite(when_known(operands[0], true), when_known(operands[1], false));
        }
        if (is_comparison(op) || op == B::logical_xor) {
          return strict(id);
        }
        return {};
      }
      case ExprKind::test:
        switch (expr.test_operator) {
          case T::is_null: return value ? Facts{} : strict(operands[0]);
          case T::is_not_null: return value ? strict(operands[0]) : Facts{};
          case T::is_true: return value ? when_known(operands[0], true) : Facts{};
          case T::is_false: return value ? when_known(operands[0], false) : Facts{};
          case T::is_not_true: return value ? Facts{} : when_known(operands[0], true);
          case T::is_not_false: return value ? Facts{} : when_known(operands[0], false);
        }
        return {};
      case ExprKind::between:
        return value ? unite(strict(operands[0]), unite(strict(operands[1]), strict(operands[2])))
                     : strict(operands[0]);
      case ExprKind::membership: {
        if (!value) {
          return {};
        }
        for (const ExprId element : module_.operands_of(module_.at(operands[1]))) {
          if (module_.at(element).kind == ExprKind::null_literal) {
            return {};
          }
        }
        return strict(operands[0]);
      }
      default: break;
    }
    return {};
  }

  const Facts& when_true(ExprId id) const { return when_known(id, true); }
  const Facts& when_false(ExprId id) const { return when_known(id, false); }

  std::optional<Facts>& memo(std::vector<std::optional<Facts>>& memos, ExprId id) const {
    if (memos.empty()) {
      memos.resize(module_.expressions.size());
    }
    return memos[id.value];
  }

  // Whether the expression can have a value (not null) while `fact` is absent.
  bool known_without(ExprId id, std::uint32_t fact) const {
    const auto [it, inserted] = known_without_memo_.try_emplace({id.value, fact}, false);
    if (inserted) {
      it->second = compute_known_without(id, fact);
    }
    return it->second;
  }

  bool compute_known_without(ExprId id, std::uint32_t fact) const {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    switch (expr.kind) {
      case ExprKind::null_literal: return false;
      case ExprKind::if_then_else:
        return (!contains(strict(operands[0]), fact) && known_without(operands[1], fact)) ||
               known_without(operands[2], fact);
      case ExprKind::case_when: {
        const Facts subject = expr.has_subject ? strict(operands[0]) : Facts{};
        for (std::size_t i = expr.has_subject ? 1 : 0; i + 1 < operands.size(); i += 2) {
          if (!contains(unite(subject, strict(operands[i])), fact) &&
              known_without(operands[i + 1], fact)) {
            return true;
          }
        }
        return known_without(operands.back(), fact);
      }
      default: break;
    }
    return !contains(strict(id), fact);
  }

  // Facts whose absence may make the expression null, in no context (an over-approximation).
  const Facts& loose(ExprId id) {
    if (loose_.empty()) {
      loose_.resize(module_.expressions.size());
      loose_done_.assign(module_.expressions.size(), false);
    }
    if (loose_done_[id.value]) {
      return loose_[id.value];
    }
    const ast::Expr& expr = module_.at(id);
    Facts facts;
    const bool never_null =
        expr.kind == ExprKind::test || expr.kind == ExprKind::membership ||
        (expr.kind == ExprKind::binary &&
         (expr.binary_operator == B::equivalent || expr.binary_operator == B::not_equivalent));
    if (expr.kind == ExprKind::name) {
      const Symbol symbol = checked_.symbols[id.value];
      if (symbol.kind == SymbolKind::fact) {
        facts = {symbol.index};
      } else if (symbol.kind == SymbolKind::definition) {
        facts = definitions_[symbol.index].info.nullable;
      }
    } else if (!never_null) {
      for (const ExprId operand : module_.operands_of(expr)) {
        facts = unite(facts, loose(operand));
      }
    }
    loose_[id.value] = std::move(facts);
    loose_done_[id.value] = true;
    return loose_[id.value];
  }

  bool numeric(ExprId id) const {
    const Type& type = checked_.type_of(id);
    return type.is_numeric() || type.kind == TypeKind::quantity;
  }

  // ---- The walk ----------------------------------------------------------------------------

  // An operand of arithmetic or of a comparison: its absence-reading choices are W0306.
  void arithmetic_operand(const Info& info) {
    for (const Item& choice : info.choices) {
      record_->items.push_back(choice);
    }
  }

  static void take_choices(Info& into, const Info& from) {
    into.choices.insert(into.choices.end(), from.choices.begin(), from.choices.end());
  }

  // `masked_false`: facts whose absence makes a false value here count for nothing (an operand
  // of `or` whose other operand is never false while they are absent).
  Info walk(ExprId id, const Facts& present, const Facts& masked_false = {}) {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    Info info;
    switch (expr.kind) {
      case ExprKind::null_literal: info.null_anyway = true; break;
      case ExprKind::boolean_literal:
      case ExprKind::number_literal:
      case ExprKind::string_literal:
      case ExprKind::coding_literal:
      case ExprKind::quantity_literal:
      case ExprKind::date_literal: break;
      case ExprKind::name: info = name(id, present); break;
      case ExprKind::unary: {
        info = walk(operands[0], present);
        if (expr.unary_operator != ast::UnaryOperator::logical_not) {
          arithmetic_operand(info);
        }
        info.choices.clear();
        break;
      }
      case ExprKind::binary: info = binary(id, expr, present, masked_false); break;
      case ExprKind::test: walk(operands[0], present); break;
      case ExprKind::between:
      case ExprKind::duration_between: {
        for (const ExprId operand : operands) {
          const Info part = walk(operand, present);
          arithmetic_operand(part);
          info.nullable = unite(info.nullable, part.nullable);
          info.null_anyway = info.null_anyway || part.null_anyway;
        }
        break;
      }
      case ExprKind::membership: {
        const Info value = walk(operands[0], present);
        walk(operands[1], present);
        bool null_element = false;
        for (const ExprId element : module_.operands_of(module_.at(operands[1]))) {
          null_element = null_element || module_.at(element).kind == ExprKind::null_literal;
        }
        // Absent, it is false (true with a `null` element).
        const Facts facts = null_element ? value.nullable : minus(value.nullable, masked_false);
        if (!facts.empty()) {
          record_->items.push_back({Finding::membership, id, facts, false});
        }
        break;
      }
      case ExprKind::list:
        for (const ExprId element : operands) {
          walk(element, present);
        }
        break;
      case ExprKind::if_then_else: info = if_then_else(id, expr, present); break;
      case ExprKind::case_when: info = case_when(id, expr, present); break;
      case ExprKind::call: {
        if (expr.text == "Today") {
          break;  // the evaluation date: every evaluation has one
        }
        bool always_known = false;
        info.null_anyway = true;
        for (const ExprId operand : operands) {
          const Info part = walk(operand, present);
          always_known = always_known || (part.nullable.empty() && !part.null_anyway);
          info.nullable = unite(info.nullable, part.nullable);
          info.null_anyway = info.null_anyway && part.null_anyway;
        }
        if (always_known) {
          info.nullable.clear();
        }
        break;
      }
      case ExprKind::score:
      case ExprKind::at_least: {
        for (std::size_t i = 0; i < operands.size(); ++i) {
          const Info part = walk(operands[i], present);
          const bool item = expr.kind == ExprKind::score ? i % 2 == 1 : i > 0;
          if (item) {
            info.nullable = unite(info.nullable, part.nullable);
          }
        }
        break;
      }
    }
    return info;
  }

  Info name(ExprId id, const Facts& present) {
    Info info;
    const Symbol symbol = checked_.symbols[id.value];
    switch (symbol.kind) {
      case SymbolKind::fact:
        if (!contains(present, symbol.index)) {
          info.nullable = {symbol.index};
        }
        break;
      case SymbolKind::parameter:
        info.null_anyway = checked_.parameters[symbol.index].is_null();
        break;
      case SymbolKind::definition: {
        record_->refs.push_back({symbol.index, present});
        const Info& value = definitions_[symbol.index].info;
        info.nullable = minus(value.nullable, present);
        info.null_anyway = value.null_anyway;
        for (const Item& choice : value.choices) {
          Facts facts = minus(choice.facts, present);
          if (!facts.empty()) {
            info.choices.push_back({choice.finding, choice.where, std::move(facts), choice.later});
          }
        }
        break;
      }
      case SymbolKind::none: break;
    }
    return info;
  }

  Info binary(ExprId id, const ast::Expr& expr, const Facts& present, const Facts& masked_false) {
    const auto operands = module_.operands_of(expr);
    const B op = expr.binary_operator;
    Info left;
    Info right;
    // An operand matters only where the other one does not settle the result: where the
    // other is true (for `and`) or false (for `or`), or unknown. The facts it guarantees
    // then, unless their absence can make it unknown, are present.
    const auto guard = [&](ExprId other, bool value) {
      return unite(present, minus(when_known(other, value), loose(other)));
    };
    if (op == B::logical_and) {
      left = walk(operands[0], guard(operands[1], true));
      right = walk(operands[1], guard(operands[0], true));
    } else if (op == B::logical_or) {
      // Where a fact of `when_false(other)` is absent, `other` is true or unknown, and so is
      // the `or` whether this operand is false or unknown.
      left = walk(operands[0], guard(operands[1], false),
                  unite(masked_false, when_false(operands[1])));
      right = walk(operands[1], guard(operands[0], false),
                   unite(masked_false, when_false(operands[0])));
    } else if (op == B::implies) {
      left = walk(operands[0], guard(operands[1], false));
      right = walk(operands[1], guard(operands[0], true));
    } else {
      left = walk(operands[0], present);
      right = walk(operands[1], present);
    }
    Info info;
    if (op == B::equivalent || op == B::not_equivalent) {
      // Never null: an absent operand is compared as null (`null ~ 5` is false, `null ~ null`
      // true). A false result from absence is masked where the context is settled anyway; a
      // true one (both sides absent, or a `null` literal side) is not.
      const bool null_side = module_.at(operands[0]).kind == ExprKind::null_literal ||
                             module_.at(operands[1]).kind == ExprKind::null_literal;
      const bool both_nullable = !left.nullable.empty() && !right.nullable.empty();
      const Facts nullable = unite(left.nullable, right.nullable);
      const Facts facts = null_side || both_nullable || op == B::not_equivalent
                              ? nullable
                              : minus(nullable, masked_false);
      if (!facts.empty()) {
        record_->items.push_back({Finding::equivalence, id, facts, false});
      }
      return info;
    }
    if (op != B::logical_and && op != B::logical_or && op != B::implies && op != B::logical_xor) {
      arithmetic_operand(left);
      arithmetic_operand(right);
    }
    info.nullable = unite(left.nullable, right.nullable);
    info.null_anyway = left.null_anyway || right.null_anyway;
    return info;
  }

  Info if_then_else(ExprId id, const ast::Expr& expr, const Facts& present) {
    const auto operands = module_.operands_of(expr);
    const Info condition = walk(operands[0], present);
    const Info then = walk(operands[1], unite(present, when_true(operands[0])));
    // `else` is taken when the condition is false, or unknown.
    const bool never_null = condition.nullable.empty() && !condition.null_anyway;
    const Info otherwise =
        walk(operands[2], never_null ? unite(present, when_false(operands[0])) : present);
    Facts decisive;
    for (const std::uint32_t fact : condition.nullable) {
      if (known_without(operands[2], fact)) {
        decisive.push_back(fact);
      }
    }
    Info info;
    if (!decisive.empty()) {
      record_->items.push_back({Finding::if_else, id, decisive, false});
      if (numeric(id)) {
        info.choices.push_back({Finding::arithmetic, id, decisive, false});
      }
    }
    take_choices(info, then);
    take_choices(info, otherwise);
    info.nullable = unite(then.nullable, otherwise.nullable);
    if (otherwise.null_anyway) {
      info.nullable = unite(info.nullable, condition.nullable);
    }
    info.null_anyway = then.null_anyway || otherwise.null_anyway;
    return info;
  }

  Info case_when(ExprId id, const ast::Expr& expr, const Facts& present) {
    const auto operands = module_.operands_of(expr);
    struct Row {
      Facts nullable;  // facts whose absence makes the row's test unknown: skipped
      Facts strict;    // facts whose absence always makes it unknown
      ExprId result;
    };
    std::vector<Row> rows;
    Info info;
    Info subject;
    Facts subject_strict;
    if (expr.has_subject) {
      subject = walk(operands[0], present);
      subject_strict = strict(operands[0]);
    }
    // Facts present once the earlier rows (whose tests are never unknown) were false.
    Facts ruled_out = present;
    for (std::size_t i = expr.has_subject ? 1 : 0; i + 1 < operands.size(); i += 2) {
      const Info test = walk(operands[i], ruled_out);
      Row row;
      row.result = operands[i + 1];
      row.strict =
          expr.has_subject ? unite(subject_strict, strict(operands[i])) : strict(operands[i]);
      row.nullable = expr.has_subject ? minus(unite(subject.nullable, test.nullable), ruled_out)
                                      : test.nullable;
      const bool test_null_anyway = test.null_anyway || (expr.has_subject && subject.null_anyway);
      const Facts when_taken = expr.has_subject ? row.strict : when_true(operands[i]);
      const Info result = walk(row.result, unite(ruled_out, when_taken));
      take_choices(info, result);
      info.nullable = unite(info.nullable, result.nullable);
      info.null_anyway = info.null_anyway || result.null_anyway;
      if (row.nullable.empty() && !test_null_anyway) {
        ruled_out = unite(ruled_out, expr.has_subject ? row.strict : when_false(operands[i]));
      }
      rows.push_back(std::move(row));
    }
    const Info otherwise = walk(operands.back(), ruled_out);
    take_choices(info, otherwise);
    info.nullable = unite(info.nullable, otherwise.nullable);
    info.null_anyway = info.null_anyway || otherwise.null_anyway;
    Facts decisive;
    bool later = false;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      for (const std::uint32_t fact : rows[k].nullable) {
        bool by_later_row = false;
        for (std::size_t j = k + 1; j < rows.size() && !by_later_row; ++j) {
          by_later_row = !contains(rows[j].strict, fact) && known_without(rows[j].result, fact);
        }
        if (by_later_row || known_without(operands.back(), fact)) {
          decisive = unite(decisive, {fact});
          later = later || by_later_row;
        }
      }
      if (otherwise.null_anyway) {
        info.nullable = unite(info.nullable, rows[k].nullable);
      }
    }
    if (!decisive.empty()) {
      record_->items.push_back({Finding::case_rows, id, decisive, later});
      if (numeric(id)) {
        info.choices.push_back({Finding::arithmetic, id, decisive, later});
      }
    }
    return info;
  }

  const CheckedModule& checked_;
  const ast::Module& module_;
  const SourceManager& sources_;
  std::vector<DefinitionSummary> definitions_;
  mutable std::vector<std::optional<Facts>> strict_memo_;
  mutable std::vector<std::optional<Facts>> true_memo_;
  mutable std::vector<std::optional<Facts>> false_memo_;
  mutable std::map<std::pair<std::uint32_t, std::uint32_t>, bool> known_without_memo_;
  std::vector<Facts> loose_;  // see loose()
  std::vector<bool> loose_done_;
  Record* record_ = nullptr;  // where the walk records findings and named definitions
};

}  // namespace

void check_null_rules(const CheckedModule& checked, const SourceManager& sources,
                      Diagnostics& diagnostics) {
  Pass pass(checked, sources);
  pass.run(diagnostics);
}

}  // namespace rubric

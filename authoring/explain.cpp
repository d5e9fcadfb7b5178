// Explanations: the AST of a recommendation's condition with the values of its evaluated graph
// nodes, the terms that decided it, and what would settle an undetermined one.
#include "authoring/explain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <string_view>
#include <utility>

#include "dsl/ast.hpp"
#include "dsl/checker.hpp"
#include "engine/deciding.hpp"
#include "engine/node_operations.hpp"

namespace rubric {

const char* term_kind_name(TermKind kind) {
  switch (kind) {
    case TermKind::logical_and: return "and";
    case TermKind::logical_or: return "or";
    case TermKind::logical_xor: return "xor";
    case TermKind::implies: return "implies";
    case TermKind::logical_not: return "not";
    case TermKind::comparison: return "comparison";
    case TermKind::arithmetic: return "arithmetic";
    case TermKind::test: return "test";
    case TermKind::between: return "between";
    case TermKind::membership: return "membership";
    case TermKind::list: return "list";
    case TermKind::if_then_else: return "if";
    case TermKind::case_when: return "case";
    case TermKind::call: return "call";
    case TermKind::score: return "score";
    case TermKind::at_least: return "at least";
    case TermKind::fact: return "fact";
    case TermKind::parameter: return "parameter";
    case TermKind::definition: return "definition";
    case TermKind::literal: return "literal";
  }
  return "?";
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::recommended: return "recommended";
    case Outcome::absent: return "absent";
    case Outcome::undetermined: return "undetermined";
  }
  return "?";
}

std::string display_value(const Value& value) {
  switch (value.kind()) {
    case ValueKind::null: return "unknown";
    case ValueKind::boolean: return value.as_boolean() ? "true" : "false";
    case ValueKind::quantity: return to_text(value, TextStyle::fact_file);
    default: return to_literal(value);
  }
}

bool MissingFact::settles_sometimes() const {
  return std::any_of(options.begin(), options.end(), [](const SettleOption& option) {
    return option.outcome != Outcome::undetermined;
  });
}

bool MissingFact::settles_always() const {
  return !options.empty() &&
         std::all_of(options.begin(), options.end(), [](const SettleOption& option) {
           return option.proven && option.outcome != Outcome::undetermined;
         });
}

namespace {

// ---- Source text ---------------------------------------------------------------------------

// An expression's text on one line: comments dropped, runs of white space made one space.
// Single-quoted strings are kept as written (they cannot span lines).
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  const auto put = [&](char c) {
    if (space && !out.empty()) {
      out += ' ';
    }
    space = false;
    out += c;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'') {
      put(c);
      for (++i; i < text.size(); ++i) {
        out += text[i];
        if (text[i] == '\\' && i + 1 < text.size()) {
          out += text[++i];
        } else if (text[i] == '\'') {
          break;
        }
      }
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') {
        ++i;
      }
      space = true;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const std::size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 1;
      space = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
    } else {
      put(c);
    }
  }
  return out;
}

// Parentheses in `text` left unmatched: closing ones without an opening one, and opening
// ones never closed (strings and comments skipped).
std::pair<int, int> unmatched_parentheses(std::string_view text) {
  int closing = 0;
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'') {
      for (++i; i < text.size() && text[i] != '\''; ++i) {
        i += text[i] == '\\' ? 1 : 0;
      }
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      i = std::min(text.find('\n', i), text.size());
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const std::size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 1;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (depth > 0) {
        --depth;
      } else {
        ++closing;
      }
    }
  }
  return {closing, depth};
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// An expression's text on one line. The range of an operation whose first operand is
// parenthesized starts inside the parenthesis (`a) > b` for `(a) > b`); the text is widened
// to the enclosing parentheses so that it reads as written.
std::string widened_expression_text(const SourceManager& sources, SourceRange range) {
  const std::string_view file = sources.text(range.file);
  std::size_t begin = std::min<std::size_t>(range.offset, file.size());
  std::size_t end = std::min<std::size_t>(range.end(), file.size());
  for (int guard = 0; guard < 256; ++guard) {
    const auto [closing, opening] = unmatched_parentheses(file.substr(begin, end - begin));
    bool widened = false;
    if (closing > 0) {
      std::size_t at = begin;
      while (at > 0 && is_space(file[at - 1])) {
        --at;
      }
      if (at > 0 && file[at - 1] == '(') {
        begin = at - 1;
        widened = true;
      }
    }
    if (opening > 0) {
      std::size_t at = end;
      while (at < file.size() && is_space(file[at])) {
        ++at;
      }
      if (at < file.size() && file[at] == ')') {
        end = at + 1;
        widened = true;
      }
    }
    if (!widened) {
      break;
    }
  }
  return one_line(file.substr(begin, end - begin));
}

bool is_boolean(const Value& value, bool which) {
  return value.kind() == ValueKind::boolean && value.as_boolean() == which;
}

bool is_true_value(const Value& value) {
  return is_boolean(value, true);
}

// ---- The tree ------------------------------------------------------------------------------

// The totals a score's items leave possible, summed from their weights and values as the
// evaluator sums them (operations::score_range), for `Term::possible`.
class ScoreRangeText {
 public:
  void add(const Value& weight, const Value& item) {
    weights_.push_back(weight);
    items_.push_back(item);
  }
  [[nodiscard]] std::optional<std::pair<Value, Value>> bounds() const {
    const operations::ScoreRange range =
        operations::score_range(0, 2 * weights_.size(), [&](std::size_t k) -> const Value& {
          return k % 2 == 0 ? weights_[k / 2] : items_[k / 2];
        });
    return std::pair<Value, Value>{operations::score_value(range.low, range.integer),
                                   operations::score_value(range.high, range.integer)};
  }

 private:
  std::vector<Value> weights_;
  std::vector<Value> items_;
};

class TreeBuilder {
 public:
  TreeBuilder(const Guideline& guideline, const SourceManager& sources, const FactSet& facts,
              std::span<const Value> values)
      : guideline_(guideline),
        sources_(sources),
        checked_(guideline.checked()),
        module_(checked_.module),
        facts_(facts),
        values_(values),
        expanded_(module_.definitions.size(), false) {}

  Term build(ast::ExprId id, std::size_t depth) {
    const ast::Expr& expr = module_.at(id);
    Term term;
    term.range = expr.range;
    term.text = widened_expression_text(sources_, expr.range);
    const auto [value, evaluated] = value_of(id);
    term.value = value;
    term.evaluated = evaluated;
    ++count_;
    const auto operands = module_.operands_of(expr);
    const bool room = depth + 1 < kMaxExplanationDepth;
    const auto add = [&](ast::ExprId child, const char* role) {
      Term built = build(child, depth + 1);
      built.role = role;
      term.children.push_back(std::move(built));
    };
    const auto add_all = [&](std::span<const ast::ExprId> children) {
      if (!room) {
        term.truncated = !children.empty();
        return;
      }
      for (const ast::ExprId child : children) {
        add(child, "");
      }
    };
    switch (expr.kind) {
      case ast::ExprKind::null_literal:
      case ast::ExprKind::boolean_literal:
      case ast::ExprKind::number_literal:
      case ast::ExprKind::string_literal:
      case ast::ExprKind::coding_literal:
      case ast::ExprKind::quantity_literal:
      case ast::ExprKind::date_literal: term.kind = TermKind::literal; break;
      case ast::ExprKind::name: name_term(id, term, depth, room); break;
      case ast::ExprKind::unary: {
        const ast::Expr& operand = module_.at(operands[0]);
        if (expr.unary_operator == ast::UnaryOperator::negate &&
            operand.kind == ast::ExprKind::number_literal && operand.text == "2147483648") {
          term.kind = TermKind::literal;  // -2147483648: one literal (see the compiler)
          break;
        }
        term.kind = expr.unary_operator == ast::UnaryOperator::logical_not ? TermKind::logical_not
                                                                           : TermKind::arithmetic;
        term.op = ast::spelling(expr.unary_operator);
        add_all(operands);
        break;
      }
      case ast::ExprKind::binary:
        term.op = ast::spelling(expr.binary_operator);
        switch (expr.binary_operator) {
          case ast::BinaryOperator::logical_and:
          case ast::BinaryOperator::logical_or: {
            term.kind = expr.binary_operator == ast::BinaryOperator::logical_and
                            ? TermKind::logical_and
                            : TermKind::logical_or;
            const std::vector<ast::ExprId> chain = flatten(id);
            add_all(chain);
            break;
          }
          case ast::BinaryOperator::logical_xor:
            term.kind = TermKind::logical_xor;
            add_all(operands);
            break;
          case ast::BinaryOperator::implies:
            term.kind = TermKind::implies;
            add_all(operands);
            break;
          case ast::BinaryOperator::equal:
          case ast::BinaryOperator::not_equal:
          case ast::BinaryOperator::equivalent:
          case ast::BinaryOperator::not_equivalent:
          case ast::BinaryOperator::less:
          case ast::BinaryOperator::less_or_equal:
          case ast::BinaryOperator::greater:
          case ast::BinaryOperator::greater_or_equal:
            term.kind = TermKind::comparison;
            add_all(operands);
            break;
          default:
            term.kind = TermKind::arithmetic;
            add_all(operands);
            break;
        }
        break;
      case ast::ExprKind::test:
        term.kind = TermKind::test;
        term.op = ast::spelling(expr.test_operator);
        add_all(operands);
        break;
      case ast::ExprKind::between:
        term.kind = TermKind::between;
        term.op = "between";
        add_all(operands);
        break;
      case ast::ExprKind::duration_between:
        term.kind = TermKind::arithmetic;
        term.op = expr.unit + " between";
        add_all(operands);
        break;
      case ast::ExprKind::membership:
        term.kind = TermKind::membership;
        term.op = "in";
        add_all(operands);
        break;
      case ast::ExprKind::list:
        term.kind = TermKind::list;
        add_all(operands);
        break;
      case ast::ExprKind::if_then_else:
        term.kind = TermKind::if_then_else;
        term.op = "if";
        if (!room) {
          term.truncated = true;
          break;
        }
        add(operands[0], "condition");
        add(operands[1], "then");
        add(operands[2], "else");
        break;
      case ast::ExprKind::case_when: {
        term.kind = TermKind::case_when;
        term.op = "case";
        if (!room) {
          term.truncated = true;
          break;
        }
        std::size_t next = 0;
        if (expr.has_subject) {
          add(operands[next++], "subject");
        }
        for (; next + 1 < operands.size(); next += 2) {
          add(operands[next], "when");
          add(operands[next + 1], "then");
        }
        add(operands.back(), "else");
        break;
      }
      case ast::ExprKind::call:
        if (expr.text == "Today") {  // the evaluation date's fact
          term.kind = TermKind::fact;
          term.name = std::string(kEvaluationDateName);
          term.description = "the evaluation date";
          break;
        }
        term.kind = TermKind::call;
        term.op = expr.text;
        add_all(operands);
        break;
      case ast::ExprKind::score: {
        term.kind = TermKind::score;
        term.op = "score";
        if (!room) {
          term.truncated = true;
          break;
        }
        ScoreRangeText range;
        for (std::size_t i = 0; i + 1 < operands.size(); i += 2) {
          const Value& weight = checked_.constants[operands[i].value];
          const std::string sign = weight.as_decimal() < Decimal() ? "" : "+";
          add(operands[i + 1], "");
          term.children.back().role = sign + to_literal(weight);
          range.add(weight, term.children.back().value);
        }
        if (term.value.is_null() && term.evaluated) {
          term.possible = range.bounds();
        }
        break;
      }
      case ast::ExprKind::at_least:
        term.kind = TermKind::at_least;
        term.op = "at least";
        if (!room) {
          term.truncated = true;
          break;
        }
        add(operands[0], "count");
        for (std::size_t i = 1; i < operands.size(); ++i) {
          add(operands[i], "");
        }
        break;
    }
    mark_deciding(term, expr.kind == ast::ExprKind::case_when && expr.has_subject);
    return term;
  }

 private:
  // The value of an expression: its graph node's; for expressions without one, a literal's,
  // a fact's or a parameter's own value; otherwise not evaluated.
  std::pair<Value, bool> value_of(ast::ExprId id) const {
    for (;;) {
      if (const std::optional<NodeId> node = guideline_.node_of(id);
          node && node->value < values_.size()) {
        return {values_[node->value], true};
      }
      const ast::Expr& expr = module_.at(id);
      switch (expr.kind) {
        case ast::ExprKind::null_literal:
        case ast::ExprKind::boolean_literal:
        case ast::ExprKind::number_literal:
        case ast::ExprKind::string_literal:
        case ast::ExprKind::coding_literal:
        case ast::ExprKind::quantity_literal:
        case ast::ExprKind::date_literal: return {checked_.constants[id.value], true};
        case ast::ExprKind::name: {
          const Symbol symbol = checked_.symbols[id.value];
          switch (symbol.kind) {
            case SymbolKind::fact: return {facts_.get(FactId{symbol.index}), true};
            case SymbolKind::parameter: return {checked_.parameters[symbol.index], true};
            case SymbolKind::definition: id = module_.definitions[symbol.index].value; continue;
            case SymbolKind::none: break;
          }
          return {Value::null(), false};
        }
        default: return {Value::null(), false};
      }
    }
  }

  void name_term(ast::ExprId id, Term& term, std::size_t depth, bool room) {
    const Symbol symbol = checked_.symbols[id.value];
    switch (symbol.kind) {
      case SymbolKind::fact:
        term.kind = TermKind::fact;
        term.name = module_.facts[symbol.index].name.name;
        term.description = module_.facts[symbol.index].description;
        break;
      case SymbolKind::parameter:
        term.kind = TermKind::parameter;
        term.name = module_.parameters[symbol.index].name.name;
        term.description = module_.parameters[symbol.index].description;
        break;
      case SymbolKind::definition: {
        const ast::Definition& definition = module_.definitions[symbol.index];
        term.kind = TermKind::definition;
        term.name = definition.name.name;
        term.description = definition.description;
        if (!room) {
          term.truncated = true;
        } else if (expanded_[symbol.index] && count_ >= kMaxExplanationNodes) {
          term.repeated = true;
        } else {
          expanded_[symbol.index] = true;
          term.children.push_back(build(definition.value, depth + 1));
        }
        break;
      }
      case SymbolKind::none: term.kind = TermKind::literal; break;
    }
  }

  // The operands of a chain of one operator (`a and b and c`), left to right, without
  // recursion (chains may be a thousand operators long).
  std::vector<ast::ExprId> flatten(ast::ExprId root) const {
    const ast::Expr& top = module_.at(root);
    std::vector<ast::ExprId> leaves;
    std::vector<ast::ExprId> stack{root};
    while (!stack.empty()) {
      const ast::ExprId id = stack.back();
      stack.pop_back();
      const ast::Expr& expr = module_.at(id);
      if (expr.kind == ast::ExprKind::binary && expr.binary_operator == top.binary_operator) {
        const auto operands = module_.operands_of(expr);
        stack.push_back(operands[1]);
        stack.push_back(operands[0]);
      } else {
        leaves.push_back(id);
      }
    }
    return leaves;
  }

  // Which children decided the term's value (the rule of engine/deciding.hpp), and which
  // branch an if/case took.
  static void mark_deciding(Term& term, bool case_with_subject) {
    auto& children = term.children;
    DecidingRule rule = DecidingRule::every;
    switch (term.kind) {
      case TermKind::logical_and: rule = DecidingRule::logical_and; break;
      case TermKind::logical_or: rule = DecidingRule::logical_or; break;
      case TermKind::implies: rule = DecidingRule::implies; break;
      case TermKind::if_then_else:
      case TermKind::case_when: rule = DecidingRule::conditional; break;
      case TermKind::call: rule = DecidingRule::coalesce; break;  // Coalesce, the one function
      case TermKind::at_least: {
        // The count, and the conditions whose state is the result's (engine/deciding.hpp).
        const std::uint8_t result = state_of(term.value);
        for (std::size_t i = 0; i < children.size(); ++i) {
          children[i].decisive = i == 0 || state_of(children[i].value) == result;
        }
        return;
      }
      default: break;
    }
    // A case with a subject: the subject decides, and each when matched if it equals it.
    const std::size_t first = case_with_subject && !children.empty() ? 1 : 0;
    if (first == 1) {
      children[0].decisive = true;
    }
    Term* taken = nullptr;
    for_each_deciding_operand(
        rule, state_of(term.value), children.size() - first,
        [&](std::size_t i) {
          const Value& value = children[first + i].value;
          const bool is_when = (i % 2 == 0) && first + i + 1 < children.size();
          return rule == DecidingRule::conditional && first == 1 && is_when
                     ? state_of(equal(children[0].value, value))
                     : state_of(value);
        },
        [&](std::size_t i) {
          children[first + i].decisive = true;
          taken = &children[first + i];
        });
    // The last operand a conditional's rule names is the branch it took.
    if (rule == DecidingRule::conditional && taken != nullptr) {
      taken->taken = true;
    }
  }

  const Guideline& guideline_;
  const SourceManager& sources_;
  const CheckedModule& checked_;
  const ast::Module& module_;
  const FactSet& facts_;
  std::span<const Value> values_;
  std::vector<bool> expanded_;
  std::size_t count_ = 0;
};

// ---- Words ---------------------------------------------------------------------------------

std::string join_and(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += i + 1 == items.size() ? " and " : ", ";
    }
    out += items[i];
  }
  return out;
}

// A name or a literal as it is; anything longer in backquotes.
std::string quoted(const std::string& text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
  });
  return plain ? text : "`" + text + "`";
}

// The value of a term in words: "true", "4 weeks", "absent" for an absent fact.
std::string value_word(const Term& term) {
  if (!term.evaluated) {
    return "not evaluated";
  }
  if (term.kind == TermKind::fact && term.value.is_null()) {
    return "absent";
  }
  return display_value(term.value);
}

std::string fact_phrase(const Term& term) {
  return term.value.is_null() ? term.name + " is absent"
                              : term.name + " = " + display_value(term.value);
}

bool is_connective(TermKind kind) {
  return kind == TermKind::logical_and || kind == TermKind::logical_or ||
         kind == TermKind::logical_not || kind == TermKind::definition;
}

constexpr std::size_t kMaxEvidence = 8;

void gather_evidence(const Term& term, std::vector<std::string>& items) {
  for (const Term& child : term.children) {
    if (!child.decisive) {
      continue;
    }
    std::string item;
    switch (child.kind) {
      case TermKind::fact: item = fact_phrase(child); break;
      case TermKind::parameter: item = child.name + " = " + value_word(child); break;
      case TermKind::definition: item = child.name + " is " + value_word(child); break;
      default: gather_evidence(child, items); continue;
    }
    if (std::find(items.begin(), items.end(), item) == items.end()) {
      items.push_back(std::move(item));
    }
  }
}

// The facts, parameters and definitions under a term's deciding operands:
// "time_since_identification = 5 weeks, calcitonin_window = 4 weeks".
std::string evidence(const Term& term) {
  if (term.kind == TermKind::fact) {
    return fact_phrase(term);
  }
  std::vector<std::string> items;
  gather_evidence(term, items);
  if (items.size() > kMaxEvidence) {
    items.resize(kMaxEvidence);
    items.back() = "...";
  }
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

// A term and why it has its value, in words, following the deciding operands: "red_flag is
// true (neurologic_deficit = true)". `parens` counts the parentheses already open; beyond
// two, only the term and its value are said.
std::string say(const Term& term, int parens, bool top) {
  const bool deep = parens >= 2 && !top;
  switch (term.kind) {
    case TermKind::fact: return fact_phrase(term);
    case TermKind::parameter: return term.name + " = " + value_word(term);
    case TermKind::literal: return term.text;
    case TermKind::logical_not:
      if (!term.children.empty()) {
        // `not x` is true because x is false: saying x with its value says it.
        return say(term.children[0], parens, top);
      }
      break;
    case TermKind::logical_and:
    case TermKind::logical_or: {
      std::vector<std::string> parts;
      for (const Term& child : term.children) {
        if (child.decisive) {
          parts.push_back(say(child, parens, false));
        }
      }
      if (!parts.empty()) {
        return join_and(parts);
      }
      break;
    }
    case TermKind::definition: {
      std::string head = term.name + " is " + value_word(term);
      if (term.children.empty() || deep) {
        return head;
      }
      const Term& body = term.children[0];
      const std::string inner =
          is_connective(body.kind) ? say(body, parens + 1, false) : evidence(body);
      if (inner.empty()) {
        return head;
      }
      return top ? head + ": " + inner : head + " (" + inner + ")";
    }
    default: break;
  }
  std::string head = quoted(term.text) + " is " + value_word(term);
  const std::string detail = deep ? std::string() : evidence(term);
  if (detail.empty()) {
    return head;
  }
  return top ? head + ": " + detail : head + " (" + detail + ")";
}

// ---- What decided it ---------------------------------------------------------------------

std::string because(const Term& term) {
  switch (term.kind) {
    case TermKind::fact:
    case TermKind::parameter:
    case TermKind::literal:
    case TermKind::definition: return {};
    case TermKind::logical_not:
      return term.children.empty() ? std::string() : say(term.children[0], 0, false);
    default: return evidence(term);
  }
}

void collect_reasons(const Term& term, std::vector<std::string>& through,
                     std::vector<Reason>& out) {
  if ((term.kind == TermKind::logical_and || term.kind == TermKind::logical_or) &&
      !term.children.empty()) {
    for (const Term& child : term.children) {
      if (child.decisive) {
        collect_reasons(child, through, out);
      }
    }
    return;
  }
  if (term.kind == TermKind::definition && !term.children.empty()) {
    through.push_back(term.name);
    collect_reasons(term.children[0], through, out);
    through.pop_back();
    return;
  }
  out.push_back(Reason{term.text, term.value, term.kind == TermKind::fact && term.value.is_null(),
                       through, because(term)});
}

void collect_used(const Term& term, bool deciding, const Guideline& guideline, Explanation& out) {
  deciding = deciding && term.decisive;
  switch (term.kind) {
    case TermKind::fact:
      if (const auto id = guideline.find_fact(term.name)) {
        const auto found = std::find_if(out.facts.begin(), out.facts.end(),
                                        [&](const ExplainedFact& f) { return f.id == *id; });
        if (found == out.facts.end()) {
          out.facts.push_back(
              ExplainedFact{*id, term.name, term.value, term.description, deciding});
        } else {
          found->decisive = found->decisive || deciding;
        }
      }
      break;
    case TermKind::parameter:
      if (std::none_of(out.parameters.begin(), out.parameters.end(),
                       [&](const ExplainedParameter& p) { return p.name == term.name; })) {
        out.parameters.push_back(ExplainedParameter{term.name, term.value, term.description});
      }
      break;
    case TermKind::definition:
      if (std::none_of(out.definitions.begin(), out.definitions.end(),
                       [&](const ExplainedDefinition& d) { return d.name == term.name; })) {
        SourceRange range;
        for (const DefinitionInfo& info : guideline.definitions()) {
          if (info.name == term.name) {
            range = info.range;
          }
        }
        out.definitions.push_back(
            ExplainedDefinition{term.name, term.value, term.description, range});
      }
      break;
    default: break;
  }
  for (const Term& child : term.children) {
    collect_used(child, deciding, guideline, out);
  }
}

// ---- What would settle it ----------------------------------------------------------------

// A value of another type converted to a fact's type when it can be, for candidate values.
std::optional<Value> as_fact_value(const FactSpec& spec, const Value& value) {
  switch (spec.type.kind) {
    case TypeKind::integer:
      return value.kind() == ValueKind::integer ? std::optional<Value>(value) : std::nullopt;
    case TypeKind::decimal:
      if (value.kind() == ValueKind::integer || value.kind() == ValueKind::decimal) {
        return to_decimal(value);
      }
      return std::nullopt;
    case TypeKind::quantity:
      if (value.kind() == ValueKind::quantity && value.unit().dimension == spec.type.dimension) {
        return value;
      }
      return std::nullopt;
    case TypeKind::string:
    case TypeKind::code:
      return value.kind() == ValueKind::string ? std::optional<Value>(value) : std::nullopt;
    default: return std::nullopt;
  }
}

// True when `term` may read fact `name` (a definition not expanded here may).
bool may_read(const Term& term, const std::string& name) {
  if ((term.kind == TermKind::fact && term.name == name) || term.repeated || term.truncated) {
    return true;
  }
  return std::any_of(term.children.begin(), term.children.end(),
                     [&](const Term& child) { return may_read(child, name); });
}

// The values the condition compares fact `name` with, directly: `fact < x`, `x = fact`,
// `fact between a and b`, `fact in {...}`, `case fact when a ...`; with `indirect`, also
// the values it compares an expression reading the fact with (`Coalesce(fact, 5) > 4`: 4),
// which only serve as example values.
void collect_thresholds(const Term& term, const std::string& name, bool indirect,
                        std::vector<Value>& out) {
  const auto is_it = [&](const Term& t) {
    return (t.kind == TermKind::fact && t.name == name) || (indirect && may_read(t, name));
  };
  const auto take = [&](const Term& t) {
    if (t.evaluated && !t.value.is_null()) {
      out.push_back(t.value);
    }
  };
  const auto& children = term.children;
  switch (term.kind) {
    case TermKind::comparison:
      if (children.size() == 2) {
        if (is_it(children[0]) && !is_it(children[1])) {
          take(children[1]);
        } else if (is_it(children[1]) && !is_it(children[0])) {
          take(children[0]);
        }
      }
      break;
    case TermKind::between:
      if (children.size() == 3 && is_it(children[0])) {
        take(children[1]);
        take(children[2]);
      }
      break;
    case TermKind::membership:
      if (children.size() == 2 && is_it(children[0])) {
        for (const Term& element : children[1].children) {
          take(element);
        }
      }
      break;
    case TermKind::case_when:
      if (!children.empty() && children[0].role == "subject" && is_it(children[0])) {
        for (const Term& child : children) {
          if (child.role == "when") {
            take(child);
          }
        }
      }
      break;
    default: break;
  }
  for (const Term& child : children) {
    collect_thresholds(child, name, indirect, out);
  }
}

// Why the outcome may not be constant between the thresholds collect_thresholds finds for
// fact `name` (of spec `spec`), with every other fact as the patient has it; empty when it
// is. It is constant when every use of the fact is an operand of a comparison other than
// `~` and `!~` (`=`, `<`, `between`, `in` a list, `case` on it) whose other operands do not
// read it and have evaluated values of its type (a null one is a test that is unknown for
// every value), or a test `is null`: each such test is constant between consecutive
// thresholds, and so is everything computed from them and from the other facts.
std::string unproven_because(const Term& term, const std::string& name, const FactSpec& spec) {
  const auto is_it = [&](const Term& t) { return t.kind == TermKind::fact && t.name == name; };
  const auto constant = [&](const Term& t) {
    return !may_read(t, name) && t.evaluated &&
           (t.value.is_null() || as_fact_value(spec, t.value).has_value());
  };
  const auto used_in = [&](const Term& t) {
    return fmt::format("{} is used in `{}`", name, t.text);
  };
  if (term.truncated || term.repeated) {
    // A repeated definition was expanded where first met; a truncated term hides its uses.
    return term.truncated && may_read(term, name)
               ? "the condition is nested too deeply to follow it"
               : std::string();
  }
  const auto& children = term.children;
  const auto rest = [&](std::size_t from) {
    for (std::size_t i = from; i < children.size(); ++i) {
      std::string why = unproven_because(children[i], name, spec);
      if (!why.empty()) {
        return why;
      }
    }
    return std::string();
  };
  switch (term.kind) {
    case TermKind::comparison:
      if (children.size() == 2 && term.op != "~" && term.op != "!~") {
        if (is_it(children[0]) || is_it(children[1])) {
          const Term& other = is_it(children[0]) ? children[1] : children[0];
          return constant(other) ? std::string() : used_in(term);
        }
      }
      break;
    case TermKind::between:
      if (children.size() == 3 && is_it(children[0])) {
        return constant(children[1]) && constant(children[2]) ? std::string() : used_in(term);
      }
      break;
    case TermKind::membership:
      if (children.size() == 2 && is_it(children[0])) {
        const Term& list = children[1];
        const bool constants = list.kind == TermKind::list && !list.truncated &&
                               std::all_of(list.children.begin(), list.children.end(), constant);
        return constants ? std::string() : used_in(term);
      }
      break;
    case TermKind::test:
      if (children.size() == 1 && is_it(children[0])) {
        return {};
      }
      break;
    case TermKind::case_when:
      if (!children.empty() && children[0].role == "subject" && is_it(children[0])) {
        for (const Term& child : children) {
          if (child.role == "when" && !constant(child)) {
            return used_in(term);
          }
        }
        return rest(1);
      }
      break;
    default: break;
  }
  for (const Term& child : children) {
    if (is_it(child)) {
      return used_in(term);
    }
  }
  return rest(0);
}

Value one_of_kind(const Value& like) {
  const Decimal one = *Decimal::from_integer(1);
  switch (like.kind()) {
    case ValueKind::integer: return Value::integer(1);
    case ValueKind::decimal: return Value::decimal(one);
    case ValueKind::quantity: return Value::quantity(one, like.unit());
    default: return Value::null();
  }
}

bool less_than(const Value& a, const Value& b) {
  return is_true_value(less(a, b));
}

// One interval of a fact's values between consecutive thresholds, and the value evaluated
// for it.
struct Region {
  std::optional<Value> min;
  bool min_inclusive = true;
  std::optional<Value> max;
  bool max_inclusive = true;
  std::optional<Value> example;
  bool empty = false;  // no value of the fact's type lies strictly between its bounds
};

std::string bound_phrase(const std::optional<Value>& min, bool min_inclusive,
                         const std::optional<Value>& max, bool max_inclusive) {
  if (min && max && min_inclusive && max_inclusive && is_true_value(equal(*min, *max))) {
    return "exactly " + display_value(*min);
  }
  std::string lower;
  std::string upper;
  if (min) {
    lower = (min_inclusive ? "at least " : "above ") + display_value(*min);
  }
  if (max) {
    upper = (max_inclusive ? "at most " : "below ") + display_value(*max);
  }
  if (!lower.empty() && !upper.empty()) {
    return lower + " and " + upper;
  }
  if (lower.empty() && upper.empty()) {
    return "any value";
  }
  return lower + upper;
}

// The intervals a fact's thresholds cut its values into (below the first, each threshold,
// between two, above the last), each with a valid example value when it has one.
std::vector<Region> regions(const FactSpec& spec, std::vector<Value> thresholds) {
  std::sort(thresholds.begin(), thresholds.end(), less_than);
  thresholds.erase(
      std::unique(thresholds.begin(), thresholds.end(),
                  [](const Value& a, const Value& b) { return is_true_value(equal(a, b)); }),
      thresholds.end());
  const auto valid = [&](const Value& value) -> std::optional<Value> {
    if (value.is_null() || spec.violation(value)) {
      return std::nullopt;
    }
    return value;
  };
  std::vector<Region> out;
  if (thresholds.empty()) {
    return out;
  }
  const Value& first = thresholds.front();
  Region below{std::nullopt, true, first, false, valid(subtract(first, one_of_kind(first)))};
  if (!below.example && spec.minimum && spec.minimum_inclusive && less_than(*spec.minimum, first)) {
    below.example = valid(*spec.minimum);
  }
  out.push_back(below);
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    const Value& low = thresholds[i];
    out.push_back(Region{low, true, low, true, valid(low)});
    if (i + 1 == thresholds.size()) {
      break;
    }
    const Value& high = thresholds[i + 1];
    Region inside{low, false, high, false, std::nullopt};
    const Value step = add(low, one_of_kind(low));
    Value middle;
    if (less_than(step, high)) {
      middle = step;
    } else if (low.kind() == ValueKind::integer) {
      middle = add(low, truncated_divide(subtract(high, low), Value::integer(2)));
    } else {
      middle = divide(add(low, high), Value::integer(2));
    }
    if (less_than(low, middle) && less_than(middle, high)) {
      inside.example = valid(middle);
    } else {
      inside.empty = true;
    }
    out.push_back(inside);
  }
  const Value& last = thresholds.back();
  Region above{last, false, std::nullopt, true, valid(add(last, one_of_kind(last)))};
  if (!above.example && spec.maximum && spec.maximum_inclusive && less_than(last, *spec.maximum)) {
    above.example = valid(*spec.maximum);
  }
  out.push_back(above);
  return out;
}

// An integer fact declared with at most this many values is, when no range of it can be
// proven otherwise, evaluated value by value.
constexpr std::int64_t kMaxEnumeratedIntegers = 64;

// Evaluates every value of an integer fact with a small declared range and fills `missing`
// with proven options (runs of consecutive values with one outcome; a bound at the declared
// limit is left out), clearing `unproven_because`. False, leaving `missing` unchanged, when
// the fact is not such a fact.
template <typename OutcomeWith>
bool settle_each_integer(const FactSpec& spec, const OutcomeWith& outcome_with,
                         MissingFact& missing) {
  if (spec.type.kind != TypeKind::integer || !spec.minimum || !spec.maximum ||
      spec.minimum->kind() != ValueKind::integer || spec.maximum->kind() != ValueKind::integer) {
    return false;
  }
  const std::int64_t low =
      std::int64_t{spec.minimum->as_integer()} + (spec.minimum_inclusive ? 0 : 1);
  const std::int64_t high =
      std::int64_t{spec.maximum->as_integer()} - (spec.maximum_inclusive ? 0 : 1);
  if (high < low || high - low >= kMaxEnumeratedIntegers) {
    return false;
  }
  std::vector<SettleOption> options;
  for (std::int64_t n = low; n <= high; ++n) {
    const Value value = Value::integer(static_cast<std::int32_t>(n));
    const Outcome outcome = outcome_with(value);
    if (!options.empty() && options.back().outcome == outcome) {
      options.back().max = value;
      continue;
    }
    options.push_back(SettleOption{{}, value, value, true, value, true, outcome, true});
  }
  for (SettleOption& option : options) {
    if (option.min && option.min->as_integer() == low) {
      option.min.reset();
    }
    if (option.max && option.max->as_integer() == high) {
      option.max.reset();
    }
    option.values = bound_phrase(option.min, true, option.max, true);
  }
  missing.options = std::move(options);
  missing.unproven_because.clear();
  return true;
}

MissingFact settle(const Guideline& guideline, const Term& condition, const FactSet& facts,
                   FactId id, std::size_t recommendation) {
  const FactSpec& spec = guideline.facts()[id.value];
  MissingFact missing{id, spec.name, spec.expected(), spec.description, {}, {}};
  FactSet changed = facts;
  EvaluationScratch scratch;
  Decision decision;
  const auto outcome_with = [&](const Value& value) {
    changed.set(id, value);
    guideline.evaluate(changed, scratch, decision);
    changed.set(id, facts.get(id));
    return decision.outcomes[recommendation];
  };
  const auto single = [&](const Value& value) {
    if (spec.violation(value)) {
      return;
    }
    missing.options.push_back(SettleOption{display_value(value), value, value, true, value, true,
                                           outcome_with(value), true});
  };
  // A number used other than by direct comparisons: examples at the values the expressions
  // reading it are compared with too.
  const bool ordered = spec.type.kind == TypeKind::integer || spec.type.kind == TypeKind::decimal ||
                       spec.type.kind == TypeKind::quantity;
  if (ordered) {
    missing.unproven_because = unproven_because(condition, spec.name, spec);
  }
  if (spec.type.is_temporal()) {
    missing.unproven_because = "explain does not try values of a date yet";
    return missing;
  }
  std::vector<Value> thresholds;
  std::vector<Value> raw;
  collect_thresholds(condition, spec.name, !missing.unproven_because.empty(), raw);
  for (const Value& value : raw) {
    if (const auto converted = as_fact_value(spec, value)) {
      thresholds.push_back(*converted);
    }
  }
  switch (spec.type.kind) {
    case TypeKind::boolean:
      single(Value::boolean(true));
      single(Value::boolean(false));
      break;
    case TypeKind::code:
      if (!spec.codes.empty()) {
        for (const std::string& code : spec.codes) {
          single(Value::string(code));
        }
        break;
      }
      [[fallthrough]];
    case TypeKind::string: {
      std::vector<Value> seen;
      for (const Value& value : thresholds) {
        if (std::none_of(seen.begin(), seen.end(),
                         [&](const Value& other) { return identical(value, other); })) {
          seen.push_back(value);
          single(value);
        }
      }
      break;
    }
    case TypeKind::integer:
    case TypeKind::decimal:
    case TypeKind::quantity: {
      // Each interval evaluated once. When the outcome is constant on each (see
      // unproven_because), neighbours with one outcome are merged into one proven range, never
      // across an interval that holds values but no valid example; otherwise each example
      // stands for itself alone.
      if (!missing.unproven_because.empty() && settle_each_integer(spec, outcome_with, missing)) {
        break;
      }
      const bool ranges = missing.unproven_because.empty();
      bool after_gap = true;
      for (const Region& region : regions(spec, thresholds)) {
        if (!region.example) {
          after_gap = after_gap || !region.empty;
          continue;
        }
        const Value& example = *region.example;
        const Outcome outcome = outcome_with(example);
        if (!ranges) {
          missing.options.push_back(SettleOption{display_value(example), example, example, true,
                                                 example, true, outcome, false});
          continue;
        }
        const bool merge =
            !after_gap && !missing.options.empty() && missing.options.back().outcome == outcome;
        after_gap = false;
        if (merge) {
          SettleOption& last = missing.options.back();
          last.max = region.max;
          last.max_inclusive = region.max_inclusive;
        } else {
          missing.options.push_back(SettleOption{{},
                                                 *region.example,
                                                 region.min,
                                                 region.min_inclusive,
                                                 region.max,
                                                 region.max_inclusive,
                                                 outcome,
                                                 true});
        }
      }
      for (SettleOption& option : missing.options) {
        if (option.proven) {
          option.values =
              bound_phrase(option.min, option.min_inclusive, option.max, option.max_inclusive);
        }
      }
      break;
    }
    default: break;
  }
  return missing;
}

}  // namespace

Explanation explain(const Guideline& guideline, const SourceManager& sources, const FactSet& facts,
                    EvaluationScratch& scratch, const Decision& decision,
                    std::size_t recommendation) {
  const ast::Module& module = guideline.checked().module;
  Explanation out;
  out.guideline_id = guideline.id();
  out.guideline_version = guideline.version();
  out.recommendation = recommendation;
  if (recommendation >= guideline.recommendations().size() ||
      recommendation >= module.recommendations.size() ||
      recommendation >= decision.outcomes.size()) {
    return out;
  }
  const RecommendationInfo& info = guideline.recommendations()[recommendation];
  out.id = info.id;
  out.kind = info.kind;
  out.text = info.text;
  out.evidence = info.evidence;
  out.carried = info.parameters;
  for (const ReportedName& name : info.reported) {
    out.reported.push_back({name.name, guideline.reported_value(name, facts, scratch)});
  }
  out.range = info.range;
  out.outcome = decision.outcomes[recommendation];

  TreeBuilder builder(guideline, sources, facts, scratch.values);
  out.condition = builder.build(module.recommendations[recommendation].condition, 0);
  out.condition.decisive = true;
  collect_used(out.condition, true, guideline, out);
  if (out.outcome == Outcome::undetermined && recommendation < decision.missing.size()) {
    // What left it undetermined is what can still change it: the absent facts reached through
    // unknown sub-terms (the missing facts), never a present fact that an unknown term read.
    const std::vector<FactId>& missing = decision.missing[recommendation];
    for (ExplainedFact& fact : out.facts) {
      fact.decisive = std::find(missing.begin(), missing.end(), fact.id) != missing.end();
    }
  }
  const std::vector<FactId> no_facts;
  const std::vector<FactId>& despite =
      recommendation < decision.despite.size() ? decision.despite[recommendation] : no_facts;
  if (!despite.empty()) {
    // Decided by every value of the absent facts, not by a term: the present facts decide.
    for (ExplainedFact& fact : out.facts) {
      fact.decisive = !facts.get(fact.id).is_null();
    }
    for (const FactId fact : despite) {
      out.despite.push_back(guideline.facts()[fact.value].name);
    }
  }
  std::sort(out.facts.begin(), out.facts.end(),
            [](const ExplainedFact& a, const ExplainedFact& b) { return a.name < b.name; });
  std::vector<std::string> through;
  if (despite.empty()) {
    collect_reasons(out.condition, through, out.reasons);
  }

  const char* verdict = out.outcome == Outcome::recommended ? "is recommended"
                        : out.outcome == Outcome::absent    ? "is not recommended"
                                                            : "is undetermined";
  if (!despite.empty()) {
    std::sort(out.despite.begin(), out.despite.end());
    out.summary = fmt::format(
        "{} {} although {} {} absent: the condition is unknown term by term, but every value of "
        "{} gives this outcome.",
        out.id, verdict, join_and(out.despite), out.despite.size() == 1 ? "is" : "are",
        out.despite.size() == 1 ? "it" : "them");
  } else {
    out.summary = fmt::format("{} {} because {}.", out.id, verdict, say(out.condition, 0, true));
  }

  if (out.outcome == Outcome::undetermined && recommendation < decision.missing.size()) {
    std::vector<std::string> names;
    for (const FactId fact : decision.missing[recommendation]) {
      out.missing.push_back(settle(guideline, out.condition, facts, fact, recommendation));
      names.push_back(out.missing.back().name);
    }
    if (!names.empty()) {
      out.summary += fmt::format(" It waits on {}.", join_and(names));
    }
  }
  for (const std::uint32_t number : info.citations) {
    const SourceInfo* source = guideline.source(number);
    out.citations.push_back(
        ExplainedCitation{number, source != nullptr ? source->citation : std::string()});
  }
  return out;
}

Explanation explain(const Guideline& guideline, const SourceManager& sources, const FactSet& facts,
                    std::size_t recommendation) {
  EvaluationScratch scratch;
  Decision decision;
  guideline.evaluate_with_values(facts, scratch, decision);
  return explain(guideline, sources, facts, scratch, decision, recommendation);
}

}  // namespace rubric

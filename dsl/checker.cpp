// Name resolution, typing, constant evaluation and declaration checks.
//
// Diagnostic codes (see docs/diagnostics.md):
//   E0201 unknown name              E0202 duplicate name           E0203 literal out of range
//   E0204 unknown unit              E0205 type mismatch            E0206 cycle in definitions
//   E0207 condition not boolean     E0208 unknown source           E0209 duplicate source
//   E0210 unknown kind              E0211 not a constant           E0212 bad fact limits
//   E0213 guideline header          E0214 unknown function/args    E0215 unknown code
//   E0216 duplicate recommendation  E0217 bad carried parameter    E0218 bad `excludes`
//   E0219 bad coverage declaration   E0220 bad score                E0221 bad `report`
//   W0301 unused fact               W0302 unused parameter         W0303 unused definition
//   W0304 unused source             W0305 incompatibility declared twice
#include "dsl/checker.hpp"

#include "dsl/bindings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <functional>
#include <map>
#include <set>

#include "dsl/null_rules.hpp"

namespace rubric {
namespace {

using ast::ExprId;
using ast::ExprKind;

bool is_error(const Type& type) {
  return type.kind == TypeKind::error;
}

// "unknown WHAT `name`; did you mean `suggestion`?", or with `otherwise` (the known words)
// when nothing is near.
std::string unknown_word(std::string_view what, std::string_view name,
                         const std::string& suggestion, std::string_view otherwise) {
  return fmt::format("unknown {} {}; {}", what, in_backticks(name),
                     suggestion.empty()
                         ? std::string(otherwise)
                         : fmt::format("did you mean {}?", in_backticks(suggestion)));
}

// Why a number literal is not a valid Decimal: too many digits after or before the point.
std::string decimal_problem(std::string_view what, const std::string& text) {
  const std::size_t point = text.find('.');
  const std::size_t fraction = point == std::string::npos ? 0 : text.size() - point - 1;
  if (fraction > Decimal::kFractionDigits) {
    return fmt::format("{} {} has {} digits after the point; the limit is 8", what,
                       in_backticks(text), fraction);
  }
  return fmt::format("{} {} is out of range; decimals have at most 20 digits before the point",
                     what, in_backticks(text));
}

// Whether values of the two types can be compared with `=` (and ordered, when `ordered`).
bool comparable(const Type& a, const Type& b, bool ordered) {
  if (a.kind == TypeKind::null || b.kind == TypeKind::null) {
    return true;
  }
  if (a.is_numeric() && b.is_numeric()) {
    return true;
  }
  if (a.kind == TypeKind::quantity && b.kind == TypeKind::quantity) {
    return a.dimension == b.dimension;
  }
  const auto textual = [](const Type& t) {
    return t.kind == TypeKind::string || t.kind == TypeKind::code;
  };
  if (textual(a) && textual(b)) {
    // A coding compares only with a coding, and codings have no order.
    return a.coding == b.coding && !(a.coding && ordered);
  }
  if (a.kind == TypeKind::boolean && b.kind == TypeKind::boolean) {
    return !ordered;
  }
  return a.is_temporal() && b.is_temporal();
}

// Rewrites each `x in VALUESET` whose right side names a declared value set (and no fact,
// parameter or definition) into `x in {SYSTEM 'code', ...}`, the set's codes in order, so that
// every later pass sees an ordinary list. The list keeps the name's range and holds the value
// set's name in `text` (an ordinary list's text is empty); its coding literals have the ranges
// of the value set's codes.
void expand_value_sets(ast::Module& module) {
  std::map<std::string_view, const ast::ValueSetDeclaration*> sets;
  for (const ast::ValueSetDeclaration& value_set : module.value_sets) {
    sets.emplace(value_set.name.name, &value_set);
  }
  for (const ast::FactDeclaration& fact : module.facts) {
    sets.erase(fact.name.name);
  }
  for (const ast::ParameterDeclaration& parameter : module.parameters) {
    sets.erase(parameter.name.name);
  }
  for (const ast::Definition& definition : module.definitions) {
    sets.erase(definition.name.name);
  }
  if (sets.empty()) {
    return;
  }
  const std::size_t count = module.expressions.size();
  for (std::size_t i = 0; i < count; ++i) {
    if (module.expressions[i].kind != ExprKind::membership) {
      continue;
    }
    const ExprId right = module.operands_of(module.expressions[i])[1];
    const ast::Expr& name = module.at(right);
    const auto found = name.kind == ExprKind::name ? sets.find(name.text) : sets.end();
    if (found == sets.end()) {
      continue;
    }
    const auto first = static_cast<std::uint32_t>(module.operands.size());
    for (const ast::CodeReference& code : found->second->codes) {
      ast::Expr literal;
      literal.kind = ExprKind::coding_literal;
      literal.range = code.range;
      literal.operator_range = code.system.range;
      literal.unit = code.system.name;
      literal.text = code.code.name;
      module.operands.push_back(ExprId{static_cast<std::uint32_t>(module.expressions.size())});
      module.expressions.push_back(std::move(literal));
    }
    ast::Expr& list = module.expressions[right.value];
    list.kind = ExprKind::list;
    list.first_operand = first;
    list.operand_count = static_cast<std::uint32_t>(found->second->codes.size());
  }
}

class Checker {
 public:
  Checker(CheckedModule& checked, Diagnostics& diagnostics)
      : checked_(checked), module_(checked.module), diagnostics_(diagnostics) {
    const std::size_t count = module_.expressions.size();
    checked_.types.assign(count, Type::of(TypeKind::error));
    checked_.symbols.assign(count, Symbol{});
    checked_.constants.assign(count, Value::null());
    typed_.assign(count, false);
  }

  void run() {
    header();
    declarations();
    recommendations();
    exclusions();
    coverage();
    unused();
    evaluation_date();
  }

  // For a standalone expression: declarations, then the expression; no header required and
  // no warnings about unused declarations.
  void run_expression(ExprId id) {
    declarations();
    expression(id);
    evaluation_date();
  }

  // After every expression: the evaluation date's fact, when `Today()` was read.
  void evaluation_date() {
    if (!checked_.evaluation_date) {
      return;
    }
    FactSpec spec;
    spec.name = std::string(kEvaluationDateName);
    spec.type = Type::of(TypeKind::date);
    spec.description = "the evaluation date";
    spec.range = today_range_;
    spec.evaluation_date = true;
    checked_.facts.push_back(std::move(spec));
  }

  // Sources, then the names and what they are: parameters, facts and definitions in
  // dependency order.
  void declarations() {
    terminology_.emplace(module_, diagnostics_);
    sources_declared();
    declare_names();
    order_dependencies();
    parameters();
    facts();
    definitions();
  }

  Type expression(ExprId id);

  bool used_fact(std::uint32_t index) const { return used_facts_.contains(index); }

 private:
  // ---- Declarations ------------------------------------------------------------------------

  void header() {
    if (module_.headers.empty()) {
      diagnostics_.report(DiagnosticKind::bad_header, SourceRange{module_.file, 0, 0},
                          "missing guideline header; start the file with `guideline \"id\"`");
      return;
    }
    const ast::GuidelineHeader& header = module_.headers.front();
    if (header.id.name.empty()) {
      diagnostics_.report(DiagnosticKind::bad_header, header.id.range, "the guideline id is empty");
    }
    std::vector<std::string_view> hooks_seen;
    for (const ast::Named& hook : header.hooks) {
      const std::vector<std::string_view> known(std::begin(kCdsHooks), std::end(kCdsHooks));
      if (std::find(known.begin(), known.end(), hook.name) == known.end()) {
        const std::string suggestion = closest_name(hook.name, known);
        diagnostics_.report(DiagnosticKind::bad_header, hook.range,
                            unknown_word("CDS hook", hook.name, suggestion,
                                         "Rubric answers `patient-view` and `order-sign`"));
      } else if (std::find(hooks_seen.begin(), hooks_seen.end(), hook.name) != hooks_seen.end()) {
        diagnostics_.report(DiagnosticKind::bad_header, hook.range,
                            fmt::format("hook {} is listed twice", in_backticks(hook.name)));
      }
      hooks_seen.push_back(hook.name);
    }
    for (std::size_t i = 1; i < module_.headers.size(); ++i) {
      auto& diagnostic = diagnostics_.report(DiagnosticKind::bad_header, module_.headers[i].range,
                                             "a file declares one guideline; this is a second one");
      diagnostic.notes.push_back({header.range, "the first is here"});
    }
  }

  void sources_declared() {
    for (const ast::SourceDeclaration& source : module_.sources) {
      if (source.number == 0) {
        diagnostics_.report(DiagnosticKind::bad_source, source.number_range,
                            "source numbers start at 1");
        continue;
      }
      const auto [it, inserted] = source_numbers_.emplace(source.number, &source);
      if (!inserted) {
        auto& diagnostic =
            diagnostics_.report(DiagnosticKind::bad_source, source.number_range,
                                fmt::format("source {} is declared twice", source.number));
        diagnostic.notes.push_back({it->second->range, "first declared here"});
      }
      if (source.citation.empty()) {
        diagnostics_.report(DiagnosticKind::bad_source, source.range,
                            fmt::format("source {} has an empty citation", source.number));
      }
    }
  }

  void declare(const ast::Named& name, Symbol symbol, const char* what) {
    if (name.name.empty()) {
      return;
    }
    if (name.name == "Coalesce") {
      diagnostics_.report(
          DiagnosticKind::duplicate_name, name.range,
          fmt::format("{} is a function and cannot name a {}", in_backticks(name.name), what));
      return;
    }
    const auto [it, inserted] = names_.emplace(name.name, symbol);
    if (!inserted) {
      auto& diagnostic = diagnostics_.report(
          DiagnosticKind::duplicate_name, name.range,
          fmt::format("{} is already declared; facts, parameters and definitions share one "
                      "namespace",
                      in_backticks(name.name)));
      diagnostic.notes.push_back({declaration_range(it->second), "first declared here"});
    }
  }

  SourceRange declaration_range(Symbol symbol) const {
    switch (symbol.kind) {
      case SymbolKind::fact: return module_.facts[symbol.index].name.range;
      case SymbolKind::parameter: return module_.parameters[symbol.index].name.range;
      case SymbolKind::definition: return module_.definitions[symbol.index].name.range;
      case SymbolKind::none: break;
    }
    return {};
  }

  void declare_names() {
    for (std::uint32_t i = 0; i < module_.facts.size(); ++i) {
      declare(module_.facts[i].name, {SymbolKind::fact, i}, "fact");
    }
    for (std::uint32_t i = 0; i < module_.parameters.size(); ++i) {
      declare(module_.parameters[i].name, {SymbolKind::parameter, i}, "parameter");
    }
    for (std::uint32_t i = 0; i < module_.definitions.size(); ++i) {
      declare(module_.definitions[i].name, {SymbolKind::definition, i}, "definition");
    }
    checked_.parameters.assign(module_.parameters.size(), Value::null());
    checked_.parameter_types.assign(module_.parameters.size(), Type::of(TypeKind::error));
    parameter_state_.assign(module_.parameters.size(), State::unvisited);
    checked_.definition_types.assign(module_.definitions.size(), Type::of(TypeKind::error));
    definition_state_.assign(module_.definitions.size(), State::unvisited);
  }

  static Type declared_type(const ast::TypeSpec& spec, std::uint32_t fact_index, bool& unit_ok) {
    unit_ok = true;
    switch (spec.name) {
      case ast::TypeName::boolean: return Type::of(TypeKind::boolean);
      case ast::TypeName::integer: return Type::of(TypeKind::integer);
      case ast::TypeName::decimal: return Type::of(TypeKind::decimal);
      case ast::TypeName::string: return Type::of(TypeKind::string);
      case ast::TypeName::duration: return Type::quantity(Dimension::time());
      case ast::TypeName::mass: return Type::quantity(Dimension::mass());
      case ast::TypeName::length: return Type::quantity(Dimension::length());
      case ast::TypeName::volume: return Type::quantity(Dimension::volume());
      case ast::TypeName::quantity: {
        const Unit* unit = find_unit(spec.unit);
        if (unit == nullptr) {
          unit_ok = false;
          return Type::of(TypeKind::error);
        }
        return Type::quantity(unit->dimension);
      }
      case ast::TypeName::null: return Type::of(TypeKind::null);
      case ast::TypeName::date: return Type::of(TypeKind::date);
      case ast::TypeName::date_time: return Type::of(TypeKind::date_time);
      case ast::TypeName::coding: return Type::of_coding();
      case ast::TypeName::code: {
        Type type = Type::of(TypeKind::code);
        type.code_set = fact_index;
        return type;
      }
    }
    return Type::of(TypeKind::error);
  }

  void facts() {
    checked_.facts.resize(module_.facts.size());
    for (std::uint32_t i = 0; i < module_.facts.size(); ++i) {
      const ast::FactDeclaration& fact = module_.facts[i];
      FactSpec& spec = checked_.facts[i];
      spec.name = fact.name.name;
      spec.description = fact.description;
      spec.range = fact.name.range;
      bool unit_ok = true;
      spec.type = declared_type(fact.type, i, unit_ok);
      if (fact.type.name == ast::TypeName::quantity) {
        spec.unit = fact.type.unit;
      }
      if (!unit_ok) {
        diagnostics_.report(
            DiagnosticKind::unknown_unit, fact.type.range,
            fmt::format("unknown unit {} in the type of fact {}{}", in_backticks(fact.type.unit),
                        in_backticks(spec.name), unit_hint(fact.type.unit)));
      }
      fact_units(fact, spec);
      if (fact.type.name == ast::TypeName::code) {
        std::set<std::string> seen;
        for (std::size_t c = 0; c < fact.type.codes.size(); ++c) {
          if (!seen.insert(fact.type.codes[c]).second) {
            diagnostics_.report(
                DiagnosticKind::bad_code, fact.type.code_ranges[c],
                fmt::format("code {} is listed twice", in_backticks(fact.type.codes[c])));
          }
        }
        spec.codes = fact.type.codes;
      }
      limits(fact, spec);
      if (fact.binding && !is_error(spec.type)) {
        spec.binding = terminology_->resolve(*fact.binding, spec);
      }
    }
  }

  // "; did you mean `'mmol/L'`?" for a near miss of a unit, or "".
  static std::string unit_hint(std::string_view written) {
    const std::string suggestion = suggest_unit(written);
    return suggestion.empty()
               ? std::string()
               : fmt::format("; did you mean {}?", in_backticks("'" + suggestion + "'"));
  }

  // A unit of a `units` or `convert` clause; nullptr after reporting an unknown unit.
  const Unit* clause_unit(const ast::Named& unit, const FactSpec& spec) {
    const Unit* found = find_unit(unit.name);
    if (found == nullptr) {
      diagnostics_.report(
          DiagnosticKind::unknown_unit, unit.range,
          fmt::format("unknown unit {} in the declaration of fact {}{}", in_backticks(unit.name),
                      in_backticks(spec.name), unit_hint(unit.name)));
    }
    return found;
  }

  // The `units` and `convert` clauses of a fact: the units its values may use.
  void fact_units(const ast::FactDeclaration& fact, FactSpec& spec) {
    if (fact.type.name != ast::TypeName::quantity) {
      if (!fact.units.empty() || !fact.conversions.empty()) {
        diagnostics_.report(
            DiagnosticKind::bad_fact_units,
            fact.units.empty() ? fact.conversions.front().range : fact.units.front().range,
            fmt::format("only a `quantity 'UNIT'` fact can have `units` or `convert`; declare "
                        "fact {} as `quantity` with its unit",
                        in_backticks(spec.name)));
      }
      return;
    }
    const Unit* declared = find_unit(spec.unit);
    if (declared == nullptr) {
      return;
    }
    if (fact.units.empty() && declared->dimension.is_dimensionless()) {
      // A ratio or score is read in its declared unit only: `3 %` for a fact in `mg/g` is
      // refused, not read as 30 mg/g.
      spec.accepted_units.push_back(declared);
    }
    bool lists_declared = false;
    for (std::size_t u = 0; u < fact.units.size(); ++u) {
      const Unit* unit = clause_unit(fact.units[u], spec);
      if (unit == nullptr) {
        lists_declared = true;  // no second error for a misspelt declared unit
        continue;
      }
      if (!commensurable(*unit, *declared)) {
        diagnostics_.report(
            DiagnosticKind::bad_fact_units, fact.units[u].range,
            fmt::format("unit {} is {}, not of the dimension of fact {} ({}); a unit of "
                        "another dimension needs a `convert` clause with its factor and source",
                        in_backticks(unit->code), dimension_words(unit->dimension),
                        in_backticks(spec.name), in_backticks(spec.unit)));
        continue;
      }
      const auto repeated =
          std::find_if(spec.accepted_units.begin(), spec.accepted_units.end(),
                       [unit](const Unit* other) { return same_unit(*unit, *other); });
      if (repeated != spec.accepted_units.end()) {
        diagnostics_.report(DiagnosticKind::bad_fact_units, fact.units[u].range,
                            fmt::format("unit {} is listed twice in the `units` of fact {}",
                                        in_backticks(unit->code), in_backticks(spec.name)));
        continue;
      }
      lists_declared = lists_declared || same_unit(*unit, *declared);
      spec.accepted_units.push_back(unit);
    }
    if (!fact.units.empty() && !lists_declared) {
      diagnostics_.report(
          DiagnosticKind::bad_fact_units, fact.units.front().range,
          fmt::format("the `units` of fact {} must include its declared unit; "
                      "add {}",
                      in_backticks(spec.name), in_backticks("'" + spec.unit + "'")));
    }
    for (std::size_t c = 0; c < fact.conversions.size(); ++c) {
      conversion(fact.conversions[c], spec, *declared);
    }
  }

  static std::string dimension_words(const Dimension& dimension) {
    if (dimension.is_dimensionless()) {
      return "dimensionless";
    }
    return "a quantity of " + dimension.name();
  }

  void conversion(const ast::UnitConversion& conversion, FactSpec& spec, const Unit& declared) {
    if (conversion.cites_text) {
      if (conversion.source_text.empty()) {
        diagnostics_.report(DiagnosticKind::bad_fact_units, conversion.source.range,
                            "the source of a conversion must not be empty; give a citation");
      }
    } else {
      if (!source_numbers_.contains(conversion.source.number)) {
        diagnostics_.report(DiagnosticKind::bad_citation, conversion.source.range,
                            fmt::format("source {} is not declared; declare it with `source {} "
                                        "\"citation\"`",
                                        conversion.source.number, conversion.source.number));
      }
      used_sources_.insert(conversion.source.number);
    }
    const Unit* from = clause_unit(conversion.from, spec);
    const Unit* to = clause_unit(conversion.to, spec);
    const std::optional<Decimal> factor = Decimal::parse(conversion.factor.name);
    if (!factor) {
      diagnostics_.report(DiagnosticKind::out_of_range, conversion.factor.range,
                          fmt::format("conversion factor {} is out of range or has more than 8 "
                                      "digits after the point",
                                      in_backticks(conversion.factor.name)));
    } else if (*factor <= Decimal()) {
      diagnostics_.report(DiagnosticKind::bad_fact_units, conversion.factor.range,
                          "a conversion factor must be positive");
    }
    if (from == nullptr || to == nullptr || !factor || *factor <= Decimal()) {
      return;
    }
    if (commensurable(*from, declared)) {
      diagnostics_.report(
          DiagnosticKind::bad_fact_units, conversion.from.range,
          fmt::format("{} is of the dimension of fact {} ({}), which Rubric converts itself; "
                      "remove the `convert`, or list the unit in `units`",
                      in_backticks(from->code), in_backticks(spec.name), in_backticks(spec.unit)));
      return;
    }
    if (!commensurable(*to, declared)) {
      diagnostics_.report(
          DiagnosticKind::bad_fact_units, conversion.to.range,
          fmt::format("the unit after the factor must be of the dimension of fact {}, as {} is; "
                      "found {}, {}",
                      in_backticks(spec.name), in_backticks(spec.unit), in_backticks(to->code),
                      dimension_words(to->dimension)));
      return;
    }
    for (const UnitConversion& earlier : spec.conversions) {
      if (same_unit(*earlier.from, *from)) {
        diagnostics_.report(DiagnosticKind::bad_fact_units, conversion.from.range,
                            fmt::format("fact {} has two conversions from {}",
                                        in_backticks(spec.name), in_backticks(from->code)));
        return;
      }
    }
    spec.conversions.push_back(UnitConversion{from, *factor, to});
  }

  void limits(const ast::FactDeclaration& fact, FactSpec& spec) {
    for (const ast::RangeLimit& limit : fact.limits) {
      const Type limit_type = expression(limit.value);
      if (is_error(limit_type) || is_error(spec.type)) {
        continue;
      }
      const SourceRange where = module_.at(limit.value).range;
      const bool ordered_type = spec.type.is_numeric() || spec.type.kind == TypeKind::quantity;
      if (!ordered_type) {
        diagnostics_.report(DiagnosticKind::bad_fact_limits, where,
                            fmt::format("{} fact cannot have a range; ranges apply to numbers "
                                        "and quantities",
                                        a_type_name(spec.type)));
        continue;
      }
      if (!comparable(spec.type, limit_type, true) || limit_type.kind == TypeKind::null) {
        diagnostics_.report(
            DiagnosticKind::bad_fact_limits, where,
            fmt::format("the limit of fact {} must be {}; found {}", in_backticks(spec.name),
                        a_type_name(spec.type), a_type_name(limit_type)));
        continue;
      }
      if (spec.type.kind == TypeKind::integer && limit_type.kind == TypeKind::decimal) {
        diagnostics_.report(DiagnosticKind::bad_fact_limits, where,
                            fmt::format("the limit of integer fact {} must be an integer",
                                        in_backticks(spec.name)));
        continue;
      }
      const std::optional<Value> value = constant(limit.value);
      if (!value) {
        continue;
      }
      const Value promoted = spec.type.kind == TypeKind::decimal ? to_decimal(*value) : *value;
      if (limit.bound == ast::Bound::at_least || limit.bound == ast::Bound::above) {
        spec.minimum = promoted;
        spec.minimum_inclusive = limit.bound == ast::Bound::at_least;
      } else {
        spec.maximum = promoted;
        spec.maximum_inclusive = limit.bound == ast::Bound::at_most;
      }
    }
    if (spec.minimum && spec.maximum) {
      const Value empty = greater(*spec.minimum, *spec.maximum);
      if (!empty.is_null() && empty.as_boolean()) {
        diagnostics_.report(
            DiagnosticKind::bad_fact_limits, fact.range,
            fmt::format("the range of fact {} is empty: {} is above {}", in_backticks(spec.name),
                        to_literal(*spec.minimum), to_literal(*spec.maximum)));
      }
    }
  }

  // The value of a constant expression (literals, unary minus, arithmetic, parameters);
  // nullopt after a diagnostic.
  std::optional<Value> constant(ExprId id) {
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
      case ExprKind::call:
        if (expr.text == "Date" || expr.text == "DateTime") {
          return checked_.constants[id.value];  // a selector of literals
        }
        break;
      case ExprKind::name: {
        const Symbol symbol = checked_.symbols[id.value];
        if (symbol.kind == SymbolKind::parameter) {
          return checked_.parameters[symbol.index];
        }
        break;
      }
      case ExprKind::unary: {
        const ast::Expr& operand_expr = module_.at(operands[0]);
        if (expr.unary_operator == ast::UnaryOperator::negate &&
            operand_expr.kind == ExprKind::number_literal && operand_expr.text == "2147483648") {
          return checked_.constants[operands[0].value];  // already -2147483648; see unary()
        }
        const std::optional<Value> operand = constant(operands[0]);
        if (!operand) {
          return std::nullopt;
        }
        switch (expr.unary_operator) {
          case ast::UnaryOperator::negate: return negate(*operand);
          case ast::UnaryOperator::plus: return *operand;
          case ast::UnaryOperator::logical_not: return logical_not(*operand);
        }
        break;
      }
      case ExprKind::binary: {
        const std::optional<Value> left = constant(operands[0]);
        const std::optional<Value> right = left ? constant(operands[1]) : std::nullopt;
        if (!left || !right) {
          return std::nullopt;
        }
        switch (expr.binary_operator) {
          case ast::BinaryOperator::add: return add(*left, *right);
          case ast::BinaryOperator::subtract: return subtract(*left, *right);
          case ast::BinaryOperator::multiply: return multiply(*left, *right);
          case ast::BinaryOperator::divide: return divide(*left, *right);
          case ast::BinaryOperator::truncated_divide: return truncated_divide(*left, *right);
          case ast::BinaryOperator::modulo: return modulo(*left, *right);
          default: break;
        }
        break;
      }
      default: break;
    }
    diagnostics_.report(DiagnosticKind::not_constant, expr.range,
                        "expected a constant: a literal, a parameter, or arithmetic over them");
    return std::nullopt;
  }

  enum class State : std::uint8_t { unvisited, visiting, done };

  // Orders parameters and definitions so that each comes after those it names, without
  // recursion (a chain of thousands of definitions must not exhaust the stack), and reports
  // every cycle. Members of a cycle are settled as errors so that no later check recurses
  // into them. Node k < P is parameter k; node P + k is definition k.
  void order_dependencies() {
    const auto parameter_count = static_cast<std::uint32_t>(module_.parameters.size());
    const auto count = parameter_count + static_cast<std::uint32_t>(module_.definitions.size());
    std::vector<std::vector<std::uint32_t>> uses(count);
    std::vector<ExprId> pending;
    for (std::uint32_t node = 0; node < count; ++node) {
      pending.push_back(node < parameter_count ? module_.parameters[node].value
                                               : module_.definitions[node - parameter_count].value);
      while (!pending.empty()) {
        const ast::Expr& expr = module_.at(pending.back());
        pending.pop_back();
        if (expr.kind == ExprKind::name) {
          const auto found = names_.find(expr.text);
          if (found != names_.end() && found->second.kind == SymbolKind::parameter) {
            uses[node].push_back(found->second.index);
          } else if (found != names_.end() && found->second.kind == SymbolKind::definition) {
            uses[node].push_back(parameter_count + found->second.index);
          }
        }
        for (const ExprId operand : module_.operands_of(expr)) {
          pending.push_back(operand);
        }
      }
    }
    enum class Mark : std::uint8_t { white, gray, black };
    std::vector<Mark> mark(count, Mark::white);
    std::vector<std::pair<std::uint32_t, std::size_t>> stack;  // node, next use to visit
    const auto name_of = [&](std::uint32_t node) -> const ast::Named& {
      return node < parameter_count ? module_.parameters[node].name
                                    : module_.definitions[node - parameter_count].name;
    };
    for (std::uint32_t start = 0; start < count; ++start) {
      if (mark[start] != Mark::white) {
        continue;
      }
      stack.emplace_back(start, 0);
      mark[start] = Mark::gray;
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < uses[node].size()) {
          const std::uint32_t used = uses[node][next++];
          if (mark[used] == Mark::white) {
            mark[used] = Mark::gray;
            stack.emplace_back(used, 0);
          } else if (mark[used] == Mark::gray) {
            report_cycle(stack, used, name_of, parameter_count);
          }
          continue;
        }
        mark[node] = Mark::black;
        dependency_order_.push_back(node);
        stack.pop_back();
      }
    }
    // Type the expressions of cycle members once every member is settled, so that the
    // names they use count as used and their other errors are reported; no recursion, as
    // each settled member answers with the error type.
    for (const std::uint32_t node : cyclic_) {
      expression(node < parameter_count ? module_.parameters[node].value
                                        : module_.definitions[node - parameter_count].value);
    }
  }

  template <typename NameOf>
  void report_cycle(const std::vector<std::pair<std::uint32_t, std::size_t>>& stack,
                    std::uint32_t back_to, const NameOf& name_of, std::uint32_t parameter_count) {
    std::size_t first = 0;
    while (first < stack.size() && stack[first].first != back_to) {
      ++first;
    }
    std::string path;
    const std::size_t length = stack.size() - first;
    for (std::size_t i = first; i < stack.size(); ++i) {
      // A long cycle shows its first four and last three steps.
      if (length > 8 && i == first + 4) {
        path += fmt::format("... ({} more) -> ", length - 7);
        i = stack.size() - 4;
        continue;
      }
      path += in_backticks(name_of(stack[i].first).name) + " -> ";
    }
    path += in_backticks(name_of(back_to).name);
    const bool is_parameter = back_to < parameter_count;
    diagnostics_.report(
        DiagnosticKind::cycle, name_of(back_to).range,
        fmt::format("{} {} depends on itself: {}", is_parameter ? "parameter" : "definition",
                    in_backticks(name_of(back_to).name), path));
    for (std::size_t i = first; i < stack.size(); ++i) {
      const std::uint32_t node = stack[i].first;
      cyclic_.push_back(node);
      if (node < parameter_count) {
        parameter_state_[node] = State::done;
      } else {
        definition_state_[node - parameter_count] = State::done;
      }
    }
  }

  void parameters() {
    const auto parameter_count = static_cast<std::uint32_t>(module_.parameters.size());
    for (const std::uint32_t node : dependency_order_) {
      if (node < parameter_count) {
        parameter(node);
      }
    }
  }

  Type parameter(std::uint32_t index) {
    if (parameter_state_[index] == State::done) {
      return checked_.parameter_types[index];
    }
    const ast::ParameterDeclaration& declaration = module_.parameters[index];
    if (parameter_state_[index] == State::visiting) {
      diagnostics_.report(
          DiagnosticKind::cycle, declaration.name.range,
          fmt::format("parameter {} depends on itself", in_backticks(declaration.name.name)));
      return Type::of(TypeKind::error);
    }
    parameter_state_[index] = State::visiting;
    Type type = expression(declaration.value);
    if (!is_error(type)) {
      if (const std::optional<Value> value = constant(declaration.value)) {
        checked_.parameters[index] = *value;
        if (value->is_null() && type.kind != TypeKind::null) {
          diagnostics_.report(DiagnosticKind::out_of_range, module_.at(declaration.value).range,
                              fmt::format("the value of parameter {} overflows or divides by "
                                          "zero",
                                          in_backticks(declaration.name.name)));
        }
      } else {
        type = Type::of(TypeKind::error);
      }
    }
    checked_.parameter_types[index] = type;
    parameter_state_[index] = State::done;
    return type;
  }

  void definitions() {
    const auto parameter_count = static_cast<std::uint32_t>(module_.parameters.size());
    for (const std::uint32_t node : dependency_order_) {
      if (node >= parameter_count) {
        definition(node - parameter_count);
      }
    }
  }

  Type definition(std::uint32_t index) {
    if (definition_state_[index] == State::done) {
      return checked_.definition_types[index];
    }
    const ast::Definition& declaration = module_.definitions[index];
    if (definition_state_[index] == State::visiting) {
      std::string path;
      const auto start = std::find(definition_stack_.begin(), definition_stack_.end(), index);
      for (auto it = start; it != definition_stack_.end(); ++it) {
        path += in_backticks(module_.definitions[*it].name.name) + " -> ";
      }
      path += in_backticks(declaration.name.name);
      diagnostics_.report(DiagnosticKind::cycle, declaration.name.range,
                          fmt::format("definition {} depends on itself: {}",
                                      in_backticks(declaration.name.name), path));
      return Type::of(TypeKind::error);
    }
    definition_state_[index] = State::visiting;
    definition_stack_.push_back(index);
    const Type type = expression(declaration.value);
    definition_stack_.pop_back();
    checked_.definition_types[index] = type;
    definition_state_[index] = State::done;
    checked_.definition_order.push_back(index);
    return type;
  }

  void recommendations() {
    std::map<std::string, const ast::RecommendationDeclaration*> ids;
    for (const ast::RecommendationDeclaration& recommendation : module_.recommendations) {
      const auto [it, inserted] = ids.emplace(recommendation.id.name, &recommendation);
      if (!inserted) {
        auto& diagnostic =
            diagnostics_.report(DiagnosticKind::bad_recommendation, recommendation.id.range,
                                fmt::format("recommendation {} is declared twice",
                                            in_backticks(recommendation.id.name)));
        diagnostic.notes.push_back({it->second->id.range, "first declared here"});
      }
      kind(recommendation.kind);
      if (recommendation.text.empty()) {
        diagnostics_.report(DiagnosticKind::bad_recommendation, recommendation.range,
                            fmt::format("recommendation {} has an empty text",
                                        in_backticks(recommendation.id.name)));
      }
      card(recommendation);
      std::set<std::uint32_t> cited;
      for (const ast::Citation& citation : recommendation.citations) {
        if (!source_numbers_.contains(citation.number)) {
          diagnostics_.report(DiagnosticKind::bad_citation, citation.range,
                              fmt::format("source {} is not declared; declare it with `source {} "
                                          "\"citation\"`",
                                          citation.number, citation.number));
        } else if (!cited.insert(citation.number).second) {
          diagnostics_.report(DiagnosticKind::bad_citation, citation.range,
                              fmt::format("source {} is cited twice", citation.number));
        }
        used_sources_.insert(citation.number);
      }
      for (const ast::Named& carried : recommendation.carried) {
        const auto found = names_.find(carried.name);
        if (found == names_.end() || found->second.kind != SymbolKind::parameter) {
          std::string message = fmt::format("{} is not a parameter; `carry` lists parameters",
                                            in_backticks(carried.name));
          const std::string suggestion = closest(carried.name, SymbolKind::parameter);
          if (!suggestion.empty()) {
            message += fmt::format("; did you mean {}?", in_backticks(suggestion));
          }
          diagnostics_.report(DiagnosticKind::bad_carried_parameter, carried.range, message);
        } else {
          used_parameters_.insert(found->second.index);
        }
      }
      reported(recommendation);
      const Type condition = expression(recommendation.condition);
      if (!is_error(condition) && condition.kind != TypeKind::boolean) {
        diagnostics_.report(
            DiagnosticKind::condition_not_boolean, module_.at(recommendation.condition).range,
            fmt::format("the condition of {} must be a boolean; found {}",
                        in_backticks(recommendation.id.name), a_type_name(condition)));
      }
    }
  }

  // `report`: every name is a fact, parameter or definition, listed once. A reported name
  // counts as a use.
  void reported(const ast::RecommendationDeclaration& recommendation) {
    std::map<std::string, const ast::Named*> listed;
    for (const ast::Named& name : recommendation.reported) {
      const auto found = names_.find(name.name);
      if (found == names_.end()) {
        std::string message = fmt::format(
            "{} is not a fact, parameter or definition; `report` lists the values to show",
            in_backticks(name.name));
        std::vector<std::string_view> candidates;
        for (const auto& [candidate, symbol] : names_) {
          candidates.push_back(candidate);
        }
        const std::string suggestion = closest_name(name.name, candidates);
        if (!suggestion.empty()) {
          message += fmt::format("; did you mean {}?", in_backticks(suggestion));
        }
        diagnostics_.report(DiagnosticKind::bad_report, name.range, message);
        continue;
      }
      const auto [it, inserted] = listed.emplace(name.name, &name);
      if (!inserted) {
        auto& diagnostic = diagnostics_.report(
            DiagnosticKind::bad_report, name.range,
            fmt::format("{} is listed twice in the `report` of {}", in_backticks(name.name),
                        in_backticks(recommendation.id.name)));
        diagnostic.notes.push_back({it->second->range, "first listed here"});
        continue;
      }
      const Symbol symbol = found->second;
      switch (symbol.kind) {
        case SymbolKind::fact: used_facts_.insert(symbol.index); break;
        case SymbolKind::parameter: used_parameters_.insert(symbol.index); break;
        case SymbolKind::definition:
          used_definitions_.insert(symbol.index);
          static_cast<void>(definition(symbol.index));
          break;
        case SymbolKind::none: break;
      }
    }
  }

  // `excludes`: every id names another recommendation, once; a pair declared on both sides
  // is reported once (the relation is symmetric).
  void exclusions() {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < module_.recommendations.size(); ++i) {
      index.emplace(module_.recommendations[i].id.name, i);
    }
    std::map<std::pair<std::size_t, std::size_t>, const ast::Named*> pairs;
    for (std::size_t i = 0; i < module_.recommendations.size(); ++i) {
      const ast::RecommendationDeclaration& recommendation = module_.recommendations[i];
      std::map<std::string, const ast::Named*> listed;
      for (const ast::Named& excluded : recommendation.excluded) {
        const auto found = index.find(excluded.name);
        if (found == index.end()) {
          std::vector<std::string_view> candidates;
          candidates.reserve(index.size());
          for (const auto& [id, unused] : index) {
            candidates.push_back(id);
          }
          std::string message =
              fmt::format("{} is not a recommendation; `excludes` lists recommendation ids",
                          in_backticks(excluded.name));
          const std::string suggestion = closest_name(excluded.name, candidates);
          if (!suggestion.empty()) {
            message += fmt::format("; did you mean {}?", in_backticks(suggestion));
          }
          diagnostics_.report(DiagnosticKind::bad_excludes, excluded.range, message);
          continue;
        }
        if (excluded.name == recommendation.id.name) {
          diagnostics_.report(DiagnosticKind::bad_excludes, excluded.range,
                              fmt::format("recommendation {} excludes itself; `excludes` lists the "
                                          "other recommendations it must never be made with",
                                          in_backticks(excluded.name)));
          continue;
        }
        if (const auto [it, inserted] = listed.emplace(excluded.name, &excluded); !inserted) {
          auto& diagnostic = diagnostics_.report(
              DiagnosticKind::repeated_exclusion, excluded.range,
              fmt::format("{} is listed twice in the `excludes` of {}", in_backticks(excluded.name),
                          in_backticks(recommendation.id.name)));
          diagnostic.notes.push_back({it->second->range, "first listed here"});
          continue;
        }
        const std::pair<std::size_t, std::size_t> pair{std::min(i, found->second),
                                                       std::max(i, found->second)};
        if (const auto [it, inserted] = pairs.emplace(pair, &excluded); !inserted) {
          auto& diagnostic = diagnostics_.report(
              DiagnosticKind::repeated_exclusion, excluded.range,
              fmt::format("{} and {} are already declared incompatible; `excludes` works both "
                          "ways, so declare it once",
                          in_backticks(recommendation.id.name), in_backticks(excluded.name)));
          diagnostic.notes.push_back({it->second->range, "declared here"});
        }
      }
    }
  }

  void coverage() {
    for (std::size_t i = 0; i < module_.coverage.size(); ++i) {
      const ast::CoverageDeclaration& coverage = module_.coverage[i];
      if (i > 0) {
        auto& diagnostic = diagnostics_.report(
            DiagnosticKind::bad_coverage, coverage.keyword_range,
            "a guideline has at most one coverage declaration; join the conditions with `or`");
        diagnostic.notes.push_back({module_.coverage.front().keyword_range, "first declared here"});
      }
      const Type condition = expression(coverage.condition);
      if (!is_error(condition) && condition.kind != TypeKind::boolean) {
        diagnostics_.report(DiagnosticKind::condition_not_boolean,
                            module_.at(coverage.condition).range,
                            fmt::format("the condition of the coverage declaration must be a "
                                        "boolean; found {}",
                                        a_type_name(condition)));
      }
    }
  }

  // `indicator` and `summary`: what a CDS Hooks card shows (docs/language.md#recommendation).
  void card(const ast::RecommendationDeclaration& recommendation) {
    const std::string id = in_backticks(recommendation.id.name);
    if (recommendation.indicator) {
      const ast::Named& indicator = *recommendation.indicator;
      const bool known = std::any_of(std::begin(kCardIndicators), std::end(kCardIndicators),
                                     [&](const char* name) { return indicator.name == name; });
      if (!known) {
        const std::vector<std::string_view> candidates(std::begin(kCardIndicators),
                                                       std::end(kCardIndicators));
        // A prefix (`warn`, `crit`) is a near miss too, however short.
        const auto prefix = std::find_if(candidates.begin(), candidates.end(), [&](auto name) {
          return indicator.name.size() >= 3 && name.starts_with(indicator.name);
        });
        const std::string suggestion = prefix != candidates.end()
                                           ? std::string(*prefix)
                                           : closest_name(indicator.name, candidates);
        diagnostics_.report(DiagnosticKind::bad_recommendation, indicator.range,
                            unknown_word("card indicator", indicator.name, suggestion,
                                         "the indicators are `info`, `warning` and `critical`"));
      }
    }
    if (recommendation.summary) {
      const std::string& summary = *recommendation.summary;
      const std::size_t characters = character_count(summary);
      if (summary.find_first_not_of(" \t") == std::string::npos) {
        diagnostics_.report(DiagnosticKind::bad_recommendation, recommendation.summary_range,
                            fmt::format("recommendation {} has an empty summary", id));
      } else if (summary.find_first_of("\n\r") != std::string::npos) {
        diagnostics_.report(DiagnosticKind::bad_recommendation, recommendation.summary_range,
                            "a summary is one line; remove the line break");
      } else if (characters > kMaxSummaryCharacters) {
        diagnostics_.report(DiagnosticKind::bad_recommendation, recommendation.summary_range,
                            fmt::format("the summary of {} is {} characters; a card's summary "
                                        "holds at most {}",
                                        id, characters, kMaxSummaryCharacters));
      }
    } else if (const std::size_t characters = character_count(recommendation.text);
               characters > kMaxSummaryCharacters) {
      diagnostics_.report(
          DiagnosticKind::long_card_text, recommendation.id.range,
          fmt::format("the text of {} is {} characters, more than the {} a "
                      "card's summary holds; add a `summary \"...\"` after the "
                      "text, of at most {} characters",
                      id, characters, kMaxSummaryCharacters, kMaxSummaryCharacters));
    }
  }

  void kind(const ast::Named& kind) {
    for (const char* known : kRecommendationKinds) {
      if (kind.name == known) {
        return;
      }
    }
    std::vector<std::string_view> candidates(std::begin(kRecommendationKinds),
                                             std::end(kRecommendationKinds));
    std::string message = fmt::format("unknown recommendation kind {}", in_backticks(kind.name));
    const std::string suggestion = closest_name(kind.name, candidates);
    if (!suggestion.empty()) {
      message += fmt::format("; did you mean {}?", in_backticks(suggestion));
    } else {
      message +=
          "; the kinds are `refer`, `prescribe`, `caution`, `avoid`, `therapy`, `order`, "
          "`follow-up`, `monitor` and `assess`";
    }
    diagnostics_.report(DiagnosticKind::unknown_kind, kind.range, message);
  }

  void unused() {
    terminology_->report_unused();
    for (std::uint32_t i = 0; i < module_.facts.size(); ++i) {
      if (!used_facts_.contains(i)) {
        diagnostics_.report(
            DiagnosticKind::unused_fact, module_.facts[i].name.range,
            fmt::format("fact {} is never used", in_backticks(module_.facts[i].name.name)));
      }
    }
    for (std::uint32_t i = 0; i < module_.parameters.size(); ++i) {
      if (!used_parameters_.contains(i)) {
        diagnostics_.report(DiagnosticKind::unused_parameter, module_.parameters[i].name.range,
                            fmt::format("parameter {} is never used",
                                        in_backticks(module_.parameters[i].name.name)));
      }
    }
    for (std::uint32_t i = 0; i < module_.definitions.size(); ++i) {
      if (!used_definitions_.contains(i)) {
        diagnostics_.report(DiagnosticKind::unused_definition, module_.definitions[i].name.range,
                            fmt::format("definition {} is never used",
                                        in_backticks(module_.definitions[i].name.name)));
      }
    }
    for (const ast::SourceDeclaration& source : module_.sources) {
      if (source.number != 0 && !used_sources_.contains(source.number)) {
        diagnostics_.report(DiagnosticKind::uncited_source, source.number_range,
                            fmt::format("source {} is never cited", source.number));
      }
    }
  }

  std::string closest(const std::string& name, SymbolKind only = SymbolKind::none) const {
    std::vector<std::string_view> candidates;
    for (const auto& [candidate, symbol] : names_) {
      if (only == SymbolKind::none || symbol.kind == only) {
        candidates.push_back(candidate);
      }
    }
    if (only == SymbolKind::none) {
      candidates.emplace_back("Coalesce");
    }
    return closest_name(name, candidates);
  }

  // ---- Expressions -------------------------------------------------------------------------

  Type literal(ExprId id, const ast::Expr& expr);
  Type name(ExprId id, const ast::Expr& expr);
  Type unary(const ast::Expr& expr);
  Type binary(const ast::Expr& expr);
  Type between(const ast::Expr& expr);
  Type membership(const ast::Expr& expr);
  Type list(const ast::Expr& expr);
  Type if_then_else(const ast::Expr& expr);
  Type case_when(const ast::Expr& expr);
  Type call(ExprId id, const ast::Expr& expr);
  Type date_selector(ExprId id, const ast::Expr& expr);
  std::optional<Value> literal_argument(ExprId id);
  Type date_arithmetic(const ast::Expr& expr, ast::BinaryOperator op, const Type& left,
                       const Type& right);
  Type duration_between(const ast::Expr& expr);
  Type test(const ast::Expr& expr);
  Type score(const ast::Expr& expr);
  Type at_least(const ast::Expr& expr);

  // The number of a decimal or quantity literal (`what` names it); nullopt after an
  // out-of-range diagnostic.
  std::optional<Decimal> literal_number(const ast::Expr& expr, const char* what) {
    std::optional<Decimal> value = Decimal::parse(expr.text);
    if (!value) {
      diagnostics_.report(DiagnosticKind::out_of_range, expr.range,
                          decimal_problem(what, expr.text));
    }
    return value;
  }

  void mismatch(const ast::Expr& expr, const std::string& message) {
    diagnostics_.report(DiagnosticKind::type_mismatch, expr.range, message);
  }

  Type require_boolean(ExprId id, const char* role) {
    const Type type = expression(id);
    if (is_error(type) || type.kind == TypeKind::boolean || type.kind == TypeKind::null) {
      return type;
    }
    mismatch(module_.at(id),
             fmt::format("expected a boolean {}; found {}", role, a_type_name(type)));
    return Type::of(TypeKind::error);
  }

  // The common type of two branches or list elements; error type after a diagnostic.
  std::optional<Type> unify(const Type& a, const Type& b) const {
    if (a.kind == TypeKind::null) {
      return b;
    }
    if (b.kind == TypeKind::null) {
      return a;
    }
    if (a.is_numeric() && b.is_numeric()) {
      return Type::of(a.kind == TypeKind::integer && b.kind == TypeKind::integer
                          ? TypeKind::integer
                          : TypeKind::decimal);
    }
    if (a.kind == TypeKind::quantity && b.kind == TypeKind::quantity &&
        a.dimension == b.dimension) {
      return a;
    }
    if ((a.kind == TypeKind::string || a.kind == TypeKind::code) &&
        (b.kind == TypeKind::string || b.kind == TypeKind::code)) {
      if (a.coding != b.coding) {
        return std::nullopt;
      }
      return a.kind == b.kind && a.code_set == b.code_set ? a : Type::of(TypeKind::string);
    }
    if (a.kind == b.kind && a.kind == TypeKind::boolean) {
      return a;
    }
    if (a.is_temporal() && b.is_temporal()) {
      // CQL converts a Date to a DateTime where the two meet.
      return a.kind == b.kind ? a : Type::of(TypeKind::date_time);
    }
    return std::nullopt;
  }

  // Folds `type`, the type of `id`, into `common`, the one type the values of a list, a
  // `case` or a `Coalesce` must share (`what` names those values); false, `common`
  // unchanged, when `type` is an error or does not unify (then after a type mismatch).
  bool unify_into(Type& common, ExprId id, const Type& type, std::string_view what) {
    if (is_error(type)) {
      return false;
    }
    const std::optional<Type> unified = unify(common, type);
    if (!unified) {
      mismatch(module_.at(id), fmt::format("{} must have one type; found {} after {}", what,
                                           a_type_name(type), a_type_name(common)));
      return false;
    }
    common = *unified;
    return true;
  }

  // A string literal compared with a code fact must be one of its codes.
  void check_code(const Type& code, ExprId other) {
    if (code.kind != TypeKind::code) {
      return;
    }
    const ast::Expr& expr = module_.at(other);
    if (expr.kind != ExprKind::string_literal) {
      return;
    }
    const FactSpec& spec = checked_.facts[code.code_set];
    if (std::find(spec.codes.begin(), spec.codes.end(), expr.text) != spec.codes.end()) {
      return;
    }
    std::vector<std::string_view> candidates(spec.codes.begin(), spec.codes.end());
    std::string message = fmt::format("{} is not a code of fact {}", in_backticks(expr.text),
                                      in_backticks(spec.name));
    const std::string suggestion = closest_name(expr.text, candidates);
    if (!suggestion.empty()) {
      message += fmt::format("; did you mean {}?", in_backticks(suggestion));
    }
    diagnostics_.report(DiagnosticKind::bad_code, expr.range, message);
  }

  CheckedModule& checked_;
  ast::Module& module_;
  Diagnostics& diagnostics_;
  std::vector<bool> typed_;
  std::map<std::string, Symbol> names_;
  std::optional<Terminology> terminology_;
  std::map<std::uint32_t, const ast::SourceDeclaration*> source_numbers_;
  std::vector<State> parameter_state_;
  std::vector<State> definition_state_;
  std::vector<std::uint32_t> definition_stack_;
  std::vector<std::uint32_t> dependency_order_;  // see order_dependencies()
  std::vector<std::uint32_t> cyclic_;            // members of reported cycles
  std::set<std::uint32_t> used_facts_;
  SourceRange today_range_;  // the first `Today()`: where the evaluation date's fact is read
  std::set<std::uint32_t> used_parameters_;
  std::set<std::uint32_t> used_definitions_;
  std::set<std::uint32_t> used_sources_;
};

Type Checker::expression(ExprId id) {
  if (typed_[id.value]) {
    return checked_.types[id.value];
  }
  const ast::Expr& expr = module_.at(id);
  Type type = Type::of(TypeKind::error);
  switch (expr.kind) {
    case ExprKind::null_literal:
    case ExprKind::boolean_literal:
    case ExprKind::number_literal:
    case ExprKind::string_literal:
    case ExprKind::coding_literal:
    case ExprKind::quantity_literal:
    case ExprKind::date_literal: type = literal(id, expr); break;
    case ExprKind::duration_between: type = duration_between(expr); break;
    case ExprKind::name: type = name(id, expr); break;
    case ExprKind::unary: type = unary(expr); break;
    case ExprKind::binary: type = binary(expr); break;
    case ExprKind::test: type = test(expr); break;
    case ExprKind::between: type = between(expr); break;
    case ExprKind::membership: type = membership(expr); break;
    case ExprKind::list:
      // Lists exist only as the right operand of `in`, which types them itself.
      for (const ExprId element : module_.operands_of(expr)) {
        expression(element);
      }
      mismatch(expr, "a list `{...}` can only follow `in`, as in `x in {1, 2}`");
      break;
    case ExprKind::if_then_else: type = if_then_else(expr); break;
    case ExprKind::case_when: type = case_when(expr); break;
    case ExprKind::call: type = call(id, expr); break;
    case ExprKind::score: type = score(expr); break;
    case ExprKind::at_least: type = at_least(expr); break;
  }
  checked_.types[id.value] = type;
  typed_[id.value] = true;
  return type;
}

Type Checker::literal(ExprId id, const ast::Expr& expr) {
  Value& constant = checked_.constants[id.value];
  switch (expr.kind) {
    case ExprKind::null_literal: return Type::of(TypeKind::null);
    case ExprKind::boolean_literal:
      constant = Value::boolean(expr.text == "true");
      return Type::of(TypeKind::boolean);
    case ExprKind::string_literal:
      checked_.strings.push_back(expr.text);
      constant = Value::string(checked_.strings.back());
      return Type::of(TypeKind::string);
    case ExprKind::coding_literal: {
      const ast::CodeReference reference{ast::Named{expr.unit, expr.operator_range},
                                         ast::Named{expr.text, expr.range}, expr.range};
      const std::optional<Coding> coding = terminology_->code(reference);
      if (!coding) {
        return Type::of(TypeKind::error);
      }
      checked_.strings.push_back(coding_text(*coding));
      constant = Value::string(checked_.strings.back());
      return Type::of_coding();
    }
    case ExprKind::number_literal: {
      if (expr.text.find('.') == std::string::npos) {
        const std::optional<Decimal> value = Decimal::parse(expr.text);
        const std::optional<std::int32_t> integer = value ? value->to_int32() : std::nullopt;
        if (!integer) {
          diagnostics_.report(DiagnosticKind::out_of_range, expr.range,
                              fmt::format("integer {} is out of range; integers are 32-bit, "
                                          "from -2147483648 to 2147483647",
                                          in_backticks(expr.text)));
          return Type::of(TypeKind::error);
        }
        constant = Value::integer(*integer);
        return Type::of(TypeKind::integer);
      }
      const std::optional<Decimal> value = literal_number(expr, "decimal");
      if (!value) {
        return Type::of(TypeKind::error);
      }
      constant = Value::decimal(*value);
      return Type::of(TypeKind::decimal);
    }
    case ExprKind::quantity_literal: {
      const Unit* unit = find_unit(expr.unit);
      if (unit == nullptr) {
        const std::string hint = unit_hint(expr.unit);
        diagnostics_.report(DiagnosticKind::unknown_unit, expr.range,
                            hint.empty()
                                ? fmt::format("unknown unit {}; use a UCUM code such as "
                                              "`'mg'`, `'mg/d'`, `'[iU]'`, `'%'`, or a "
                                              "calendar word such as `days`",
                                              in_backticks(expr.unit))
                                : fmt::format("unknown unit {}{}", in_backticks(expr.unit), hint));
        return Type::of(TypeKind::error);
      }
      const std::optional<Decimal> value = literal_number(expr, "quantity value");
      if (!value) {
        return Type::of(TypeKind::error);
      }
      constant = Value::quantity(*value, *unit);
      return Type::quantity(unit->dimension);
    }
    case ExprKind::date_literal: {
      const DateTimeReading reading = DateTime::parse(expr.text);
      if (!reading.accepted()) {
        diagnostics_.report(DiagnosticKind::invalid_date, expr.range, reading.message);
        return Type::of(TypeKind::error);
      }
      constant = Value::date_time(*reading.value);
      return Type::of(reading.value->is_date() ? TypeKind::date : TypeKind::date_time);
    }
    default: break;
  }
  return Type::of(TypeKind::error);
}

Type Checker::name(ExprId id, const ast::Expr& expr) {
  const auto found = names_.find(expr.text);
  if (found == names_.end() && terminology_->is_value_set(expr.text)) {
    mismatch(expr, fmt::format("value set {} can only follow `in`, as in `x in {}`",
                               in_backticks(expr.text), expr.text));
    return Type::of(TypeKind::error);
  }
  if (found == names_.end()) {
    std::string message = fmt::format("unknown name {}", in_backticks(expr.text));
    const std::string suggestion = closest(expr.text);
    if (!suggestion.empty()) {
      message += fmt::format("; did you mean {}?", in_backticks(suggestion));
    }
    diagnostics_.report(DiagnosticKind::unknown_name, expr.range, message);
    return Type::of(TypeKind::error);
  }
  const Symbol symbol = found->second;
  checked_.symbols[id.value] = symbol;
  switch (symbol.kind) {
    case SymbolKind::fact: {
      used_facts_.insert(symbol.index);
      if (checked_.facts.size() > symbol.index) {
        return checked_.facts[symbol.index].type;
      }
      // Parameters are checked before facts: take the declared type directly.
      bool unit_ok = true;
      const Type type = declared_type(module_.facts[symbol.index].type, symbol.index, unit_ok);
      return unit_ok ? type : Type::of(TypeKind::error);
    }
    case SymbolKind::parameter:
      used_parameters_.insert(symbol.index);
      return parameter(symbol.index);
    case SymbolKind::definition:
      used_definitions_.insert(symbol.index);
      return definition(symbol.index);
    case SymbolKind::none: break;
  }
  return Type::of(TypeKind::error);
}

Type Checker::unary(const ast::Expr& expr) {
  const ExprId operand_id = module_.operands_of(expr)[0];
  if (expr.unary_operator == ast::UnaryOperator::logical_not) {
    const Type operand = require_boolean(operand_id, "operand of `not`");
    return is_error(operand) ? operand : Type::of(TypeKind::boolean);
  }
  const ast::Expr& operand_expr = module_.at(operand_id);
  // -2147483648: the one integer literal whose digits alone are out of range.
  if (expr.unary_operator == ast::UnaryOperator::negate &&
      operand_expr.kind == ExprKind::number_literal && operand_expr.text == "2147483648") {
    checked_.constants[operand_id.value] = Value::integer(INT32_MIN);
    checked_.types[operand_id.value] = Type::of(TypeKind::integer);
    typed_[operand_id.value] = true;
    return Type::of(TypeKind::integer);
  }
  const Type operand = expression(operand_id);
  if (is_error(operand)) {
    return operand;
  }
  if (operand.is_numeric() || operand.kind == TypeKind::quantity ||
      operand.kind == TypeKind::null) {
    return operand;
  }
  mismatch(expr, fmt::format("unary `{}` needs a number or a quantity; found {}",
                             ast::spelling(expr.unary_operator), a_type_name(operand)));
  return Type::of(TypeKind::error);
}

Type Checker::binary(const ast::Expr& expr) {
  using B = ast::BinaryOperator;
  const auto operands = module_.operands_of(expr);
  const B op = expr.binary_operator;
  if (op == B::logical_and || op == B::logical_or || op == B::logical_xor || op == B::implies) {
    const std::string role = fmt::format("operand of `{}`", ast::spelling(op));
    const Type left = require_boolean(operands[0], role.c_str());
    const Type right = require_boolean(operands[1], role.c_str());
    if (is_error(left) || is_error(right)) {
      return Type::of(TypeKind::error);
    }
    return Type::of(TypeKind::boolean);
  }
  const Type left = expression(operands[0]);
  const Type right = expression(operands[1]);
  if (is_error(left) || is_error(right)) {
    return Type::of(TypeKind::error);
  }
  const bool equality =
      op == B::equal || op == B::not_equal || op == B::equivalent || op == B::not_equivalent;
  const bool ordering =
      op == B::less || op == B::less_or_equal || op == B::greater || op == B::greater_or_equal;
  if (equality || ordering) {
    if (!comparable(left, right, ordering)) {
      mismatch(expr, fmt::format("cannot compare {} with {} using `{}`", a_type_name(left),
                                 a_type_name(right), ast::spelling(op)));
      return Type::of(TypeKind::error);
    }
    check_code(left, operands[1]);
    check_code(right, operands[0]);
    return Type::of(TypeKind::boolean);
  }
  // Arithmetic.
  const auto describe = [&]() {
    return fmt::format("cannot apply `{}` to {} and {}", ast::spelling(op), a_type_name(left),
                       a_type_name(right));
  };
  if (left.is_temporal() || right.is_temporal()) {
    return date_arithmetic(expr, op, left, right);
  }
  if (left.kind == TypeKind::null && right.kind == TypeKind::null) {
    return Type::of(op == B::divide ? TypeKind::decimal : TypeKind::null);
  }
  const Type& known = left.kind == TypeKind::null ? right : left;
  if (left.kind == TypeKind::null || right.kind == TypeKind::null) {
    if (known.is_numeric()) {
      return op == B::divide ? Type::of(TypeKind::decimal) : known;
    }
    if (known.kind == TypeKind::quantity &&
        (op == B::add || op == B::subtract || op == B::multiply || op == B::divide)) {
      return known;
    }
    mismatch(expr, describe());
    return Type::of(TypeKind::error);
  }
  if (left.is_numeric() && right.is_numeric()) {
    if (op == B::divide) {
      return Type::of(TypeKind::decimal);
    }
    const bool both_integer = left.kind == TypeKind::integer && right.kind == TypeKind::integer;
    return Type::of(both_integer ? TypeKind::integer : TypeKind::decimal);
  }
  if (left.kind == TypeKind::quantity && right.kind == TypeKind::quantity) {
    if ((op == B::add || op == B::subtract)) {
      if (left.dimension == right.dimension) {
        return left;
      }
      mismatch(expr, fmt::format("cannot {} {} and {}: the dimensions differ",
                                 op == B::add ? "add" : "subtract", a_type_name(left),
                                 a_type_name(right)));
      return Type::of(TypeKind::error);
    }
    mismatch(expr, describe() + "; multiplying or dividing two quantities is not supported");
    return Type::of(TypeKind::error);
  }
  if (left.kind == TypeKind::quantity && right.is_numeric() &&
      (op == B::multiply || op == B::divide)) {
    return left;
  }
  if (left.is_numeric() && right.kind == TypeKind::quantity && op == B::multiply) {
    return right;
  }
  mismatch(expr, describe());
  return Type::of(TypeKind::error);
}

Type Checker::test(const ast::Expr& expr) {
  const ExprId operand = module_.operands_of(expr)[0];
  if (expr.test_operator == ast::TestOperator::is_null ||
      expr.test_operator == ast::TestOperator::is_not_null) {
    const Type type = expression(operand);
    return is_error(type) ? type : Type::of(TypeKind::boolean);
  }
  const Type type = require_boolean(operand, "operand of `is true` or `is false`");
  return is_error(type) ? type : Type::of(TypeKind::boolean);
}

Type Checker::between(const ast::Expr& expr) {
  const auto operands = module_.operands_of(expr);
  const Type value = expression(operands[0]);
  const Type low = expression(operands[1]);
  const Type high = expression(operands[2]);
  if (is_error(value) || is_error(low) || is_error(high)) {
    return Type::of(TypeKind::error);
  }
  if (!comparable(value, low, true) || !comparable(value, high, true)) {
    mismatch(expr, fmt::format("`between` needs comparable values; found {} between {} and "
                               "{}",
                               a_type_name(value), a_type_name(low), a_type_name(high)));
    return Type::of(TypeKind::error);
  }
  return Type::of(TypeKind::boolean);
}

Type Checker::list(const ast::Expr& expr) {
  if (!expr.text.empty()) {
    // `x in VALUESET`, expanded by expand_value_sets(): the elements are the set's codes.
    const std::optional<std::vector<Coding>> codes = terminology_->value_set_codes(expr.text);
    const auto elements = module_.operands_of(expr);
    if (!codes || codes->size() != elements.size()) {
      return Type::of(TypeKind::error);
    }
    for (std::size_t i = 0; i < elements.size(); ++i) {
      const std::uint32_t element = elements[i].value;
      checked_.strings.push_back(coding_text((*codes)[i]));
      checked_.constants[element] = Value::string(checked_.strings.back());
      checked_.types[element] = Type::of_coding();
      typed_[element] = true;
    }
    Type result = Type::of_coding();
    result.element_kind = TypeKind::string;
    result.kind = TypeKind::list;
    return result;
  }
  Type element = Type::of(TypeKind::null);
  bool failed = false;
  for (const ExprId id : module_.operands_of(expr)) {
    if (!unify_into(element, id, expression(id), "list elements")) {
      failed = true;
    }
  }
  if (failed) {
    return Type::of(TypeKind::error);
  }
  Type result = element;
  result.element_kind = element.kind;
  result.kind = TypeKind::list;
  return result;
}

Type Checker::membership(const ast::Expr& expr) {
  const auto operands = module_.operands_of(expr);
  const Type value = expression(operands[0]);
  const ast::Expr& list_expr = module_.at(operands[1]);
  if (list_expr.kind != ExprKind::list) {
    if (!is_error(expression(operands[1]))) {
      mismatch(list_expr, "the right side of `in` must be a list such as `{1, 2, 3}`");
    }
    return Type::of(TypeKind::error);
  }
  const Type list_type = list(list_expr);
  checked_.types[operands[1].value] = list_type;
  typed_[operands[1].value] = true;
  if (is_error(value) || is_error(list_type)) {
    return Type::of(TypeKind::error);
  }
  Type element = list_type;
  element.kind = list_type.element_kind;
  if (!comparable(value, element, false)) {
    mismatch(expr,
             fmt::format("cannot look for {} in {}", a_type_name(value), a_type_name(list_type)));
    return Type::of(TypeKind::error);
  }
  for (const ExprId id : module_.operands_of(list_expr)) {
    check_code(value, id);
  }
  return Type::of(TypeKind::boolean);
}

Type Checker::if_then_else(const ast::Expr& expr) {
  const auto operands = module_.operands_of(expr);
  const Type condition = require_boolean(operands[0], "condition after `if`");
  const Type then_type = expression(operands[1]);
  const Type else_type = expression(operands[2]);
  if (is_error(condition) || is_error(then_type) || is_error(else_type)) {
    return Type::of(TypeKind::error);
  }
  const std::optional<Type> unified = unify(then_type, else_type);
  if (!unified) {
    mismatch(expr, fmt::format("the branches of `if` must have one type; found {} and {}",
                               a_type_name(then_type), a_type_name(else_type)));
    return Type::of(TypeKind::error);
  }
  return *unified;
}

Type Checker::case_when(const ast::Expr& expr) {
  const auto operands = module_.operands_of(expr);
  std::size_t i = 0;
  std::optional<Type> subject;
  bool failed = false;
  if (expr.has_subject) {
    subject = expression(operands[0]);
    failed = is_error(*subject);
    i = 1;
  }
  Type result = Type::of(TypeKind::null);
  const auto merge = [&](ExprId id) {
    if (!unify_into(result, id, expression(id), "the results of `case`")) {
      failed = true;
    }
  };
  for (; i + 1 < operands.size(); i += 2) {
    if (subject) {
      const Type when = expression(operands[i]);
      if (!is_error(when) && !is_error(*subject) && !comparable(*subject, when, false)) {
        mismatch(module_.at(operands[i]),
                 fmt::format("cannot compare the `case` value, {}, with {}", a_type_name(*subject),
                             a_type_name(when)));
        failed = true;
      }
      if (is_error(when)) {
        failed = true;
      }
    } else if (is_error(require_boolean(operands[i], "condition after `when`"))) {
      failed = true;
    }
    merge(operands[i + 1]);
  }
  merge(operands.back());
  return failed ? Type::of(TypeKind::error) : result;
}

// The sum of a score's weights, in absolute value, is at most this (so that an integer score
// and every partial sum of it fit in 32 bits). docs/limits.md.
constexpr std::int64_t kMaxScoreWeightSum = 1000000000;

Type Checker::score(const ast::Expr& expr) {
  const auto operands = module_.operands_of(expr);
  bool failed = false;
  bool integer = true;
  Int128 total = 0;  // the sum of the weights' magnitudes, in units of 10^-8
  for (std::size_t i = 0; i + 1 < operands.size(); i += 2) {
    const Type weight_type = expression(operands[i]);
    if (is_error(weight_type)) {
      failed = true;
    } else {
      integer = integer && weight_type.kind == TypeKind::integer;
      // Kept with the weight's expression for the compiler and the reference evaluator.
      const std::optional<Value> weight = constant(operands[i]);
      if (!weight || weight->is_null()) {
        failed = true;
      } else {
        checked_.constants[operands[i].value] = *weight;
        const Int128 raw = weight->as_decimal().raw();
        total += raw < 0 ? -raw : raw;
      }
    }
    if (is_error(require_boolean(operands[i + 1], "condition of a score item"))) {
      failed = true;
    }
  }
  if (!failed && total > Int128{kMaxScoreWeightSum} * Decimal::kOne) {
    diagnostics_.report(DiagnosticKind::bad_score, expr.range,
                        fmt::format("the weights of this score add up to more than {} (in "
                                    "absolute value); use smaller weights",
                                    kMaxScoreWeightSum));
    failed = true;
  }
  if (failed) {
    return Type::of(TypeKind::error);
  }
  return Type::of(integer ? TypeKind::integer : TypeKind::decimal);
}

Type Checker::at_least(const ast::Expr& expr) {
  const auto operands = module_.operands_of(expr);
  const ExprId count_id = operands[0];
  const std::size_t conditions = operands.size() - 1;
  bool failed = false;
  for (std::size_t i = 1; i < operands.size(); ++i) {
    failed = is_error(require_boolean(operands[i], "condition of `at least`")) || failed;
  }
  const Type count_type = expression(count_id);
  if (is_error(count_type)) {
    return Type::of(TypeKind::error);
  }
  if (count_type.kind != TypeKind::integer) {
    mismatch(module_.at(count_id), fmt::format("the count of `at least` must be an integer; "
                                               "found {}",
                                               a_type_name(count_type)));
    return Type::of(TypeKind::error);
  }
  const std::optional<Value> count = constant(count_id);
  if (!count || count->is_null()) {
    return Type::of(TypeKind::error);
  }
  checked_.constants[count_id.value] = *count;
  const std::int64_t n = count->as_integer();
  if (n < 1 || static_cast<std::size_t>(n) > conditions) {
    diagnostics_.report(
        DiagnosticKind::bad_score, module_.at(count_id).range,
        fmt::format("`at least {} of` {} condition{} is always {}; the count must be from 1 to "
                    "the number of conditions",
                    n, conditions, conditions == 1 ? "" : "s", n < 1 ? "true" : "false"));
    return Type::of(TypeKind::error);
  }
  return failed ? Type::of(TypeKind::error) : Type::of(TypeKind::boolean);
}

Type Checker::date_arithmetic(const ast::Expr& expr, ast::BinaryOperator op, const Type& left,
                              const Type& right) {
  using B = ast::BinaryOperator;
  const auto operands = module_.operands_of(expr);
  const bool left_date = left.is_temporal();
  const Type& date = left_date ? left : right;
  const Type& other = left_date ? right : left;
  const ExprId other_id = left_date ? operands[1] : operands[0];
  const bool duration = other.kind == TypeKind::null ||
                        (other.kind == TypeKind::quantity && other.dimension == Dimension::time());
  if (!duration || !(op == B::add || (op == B::subtract && left_date))) {
    mismatch(expr, fmt::format("cannot apply `{}` to {} and {}; a date takes `+` or `-` with a "
                               "duration, as in `@2026-06-15 + 1 month`, and `years between a "
                               "and b` counts the years between two dates",
                               ast::spelling(op), a_type_name(left), a_type_name(right)));
    return Type::of(TypeKind::error);
  }
  const ast::Expr& other_expr = module_.at(other_id);
  if (other_expr.kind == ExprKind::quantity_literal &&
      !calendar_duration(checked_.constants[other_id.value])) {
    mismatch(other_expr,
             fmt::format("{} is not a calendar duration; a UCUM year (`'a'`) or month (`'mo'`) "
                         "is a fixed length: write the calendar word, as in `1 year` or "
                         "`6 months`",
                         in_backticks(other_expr.text + " '" + other_expr.unit + "'")));
    return Type::of(TypeKind::error);
  }
  return date;
}

Type Checker::duration_between(const ast::Expr& expr) {
  const auto operands = module_.operands_of(expr);
  const Type from = expression(operands[0]);
  const Type to = expression(operands[1]);
  if (is_error(from) || is_error(to)) {
    return Type::of(TypeKind::error);
  }
  const auto temporal = [](const Type& type) {
    return type.is_temporal() || type.kind == TypeKind::null;
  };
  if (!temporal(from) || !temporal(to)) {
    mismatch(expr, fmt::format("`{} between` needs two dates; found {} and {}", expr.unit,
                               a_type_name(from), a_type_name(to)));
    return Type::of(TypeKind::error);
  }
  return Type::of(TypeKind::integer);
}

// A number literal, possibly negated, as a constant; nullopt (after typing it) otherwise.
std::optional<Value> Checker::literal_argument(ExprId id) {
  const Type type = expression(id);
  const ast::Expr& expr = module_.at(id);
  if (is_error(type)) {
    return std::nullopt;
  }
  if (expr.kind == ExprKind::number_literal) {
    return checked_.constants[id.value];
  }
  if (expr.kind == ExprKind::unary && expr.unary_operator == ast::UnaryOperator::negate &&
      module_.at(module_.operands_of(expr)[0]).kind == ExprKind::number_literal) {
    const Value negated = negate(checked_.constants[module_.operands_of(expr)[0].value]);
    return negated.is_null() ? std::nullopt : std::optional<Value>(negated);
  }
  return std::nullopt;
}

// `Date(2026, 6, 15)`, `DateTime(2026, 6, 15, 10, 30, 0, 0, 1.0)`: CQL's selectors, of number
// literals only (a constant, like `@2026-06-15`). The fields given set the precision; the
// DateTime's eighth argument is its offset from UTC in hours.
Type Checker::date_selector(ExprId id, const ast::Expr& expr) {
  const auto operands = module_.operands_of(expr);
  const bool date = expr.text == "Date";
  const std::size_t most = date ? 3 : 8;
  const std::string usage = date ? "`Date(year, month, day)`"
                                 : "`DateTime(year, month, day, hour, minute, second, "
                                   "millisecond, offset)`";
  std::vector<Value> arguments;
  bool failed = false;
  for (const ExprId operand : operands) {
    const std::optional<Value> argument = literal_argument(operand);
    failed = failed || !argument;
    if (argument) {
      arguments.push_back(*argument);
    }
  }
  if (operands.empty() || operands.size() > most || failed) {
    diagnostics_.report(DiagnosticKind::bad_call, expr.range,
                        fmt::format("{} takes 1 to {} number literals, {}; for a value computed "
                                    "from facts, use `+` with a duration",
                                    in_backticks(expr.text), most, usage));
    return Type::of(TypeKind::error);
  }
  std::array<int, 7> fields{1, 1, 1, 0, 0, 0, 0};
  const std::size_t field_count = std::min<std::size_t>(arguments.size(), 7);
  for (std::size_t k = 0; k < field_count; ++k) {
    if (arguments[k].kind() != ValueKind::integer) {
      diagnostics_.report(DiagnosticKind::invalid_date, module_.at(operands[k]).range,
                          fmt::format("the fields of {} are integers; found {}",
                                      in_backticks(expr.text), to_literal(arguments[k])));
      return Type::of(TypeKind::error);
    }
    fields[k] = arguments[k].as_integer();
  }
  std::optional<int> offset;
  if (arguments.size() == 8) {
    const std::optional<Decimal> minutes =
        Decimal::multiply(arguments[7].as_decimal(), *Decimal::from_integer(60));
    const std::optional<std::int32_t> whole =
        minutes && minutes->is_integer() ? minutes->to_int32() : std::nullopt;
    if (!whole) {
      diagnostics_.report(DiagnosticKind::invalid_date, module_.at(operands[7]).range,
                          fmt::format("the offset {} is not a whole number of minutes",
                                      in_backticks(to_literal(arguments[7]))));
      return Type::of(TypeKind::error);
    }
    offset = *whole;
  }
  std::string written;
  for (const Value& argument : arguments) {
    written += (written.empty() ? "" : ", ") + to_literal(argument);
  }
  const auto precision = static_cast<TemporalPrecision>(field_count - 1);
  const std::optional<DateTime> value = DateTime::make(
      date ? TemporalKind::date : TemporalKind::date_time, precision,
      TemporalFields{fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]},
      offset);
  if (!value) {
    diagnostics_.report(DiagnosticKind::invalid_date, expr.range,
                        fmt::format("{} is not a real date and time: a field is out of its "
                                    "range or the offset is beyond 14 hours",
                                    in_backticks(expr.text + "(" + written + ")")));
    return Type::of(TypeKind::error);
  }
  checked_.constants[id.value] = Value::date_time(*value);
  return Type::of(date ? TypeKind::date : TypeKind::date_time);
}

Type Checker::call(ExprId id, const ast::Expr& expr) {
  const auto operands = module_.operands_of(expr);
  if (expr.text == "Date" || expr.text == "DateTime") {
    return date_selector(id, expr);
  }
  if (expr.text == "Today") {
    if (!operands.empty()) {
      for (const ExprId operand : operands) {
        expression(operand);
      }
      diagnostics_.report(DiagnosticKind::bad_call, expr.range,
                          "`Today()` takes no arguments; it is the evaluation date");
      return Type::of(TypeKind::error);
    }
    if (!checked_.evaluation_date) {
      checked_.evaluation_date = static_cast<std::uint32_t>(module_.facts.size());
      today_range_ = expr.range;
    }
    return Type::of(TypeKind::date);
  }
  if (expr.text != "Coalesce") {
    std::string message = fmt::format("unknown function {}", in_backticks(expr.text));
    const std::string suggestion =
        closest_name(expr.text, {"Coalesce", "Date", "DateTime", "Today"});
    if (!suggestion.empty()) {
      message += fmt::format("; did you mean {}?", in_backticks(suggestion));
    } else {
      message +=
          "; the functions are `Coalesce` and `Today` and the selectors `Date` and `DateTime`";
    }
    for (const ExprId operand : operands) {
      expression(operand);
    }
    diagnostics_.report(DiagnosticKind::bad_call, expr.operator_range, message);
    return Type::of(TypeKind::error);
  }
  if (operands.empty()) {
    diagnostics_.report(DiagnosticKind::bad_call, expr.range,
                        "`Coalesce` needs at least one argument");
    return Type::of(TypeKind::error);
  }
  Type result = Type::of(TypeKind::null);
  bool failed = false;
  for (const ExprId operand : operands) {
    const Type type = expression(operand);
    if (type.kind == TypeKind::list) {
      mismatch(module_.at(operand),
               "`Coalesce` over a list is not supported; pass the values as "
               "arguments");
      failed = true;
    } else if (!unify_into(result, operand, type, "the arguments of `Coalesce`")) {
      failed = true;
    }
  }
  return failed ? Type::of(TypeKind::error) : result;
}

}  // namespace

CheckedModule check_module(ast::Module module, const SourceManager& sources,
                           Diagnostics& diagnostics) {
  CheckedModule checked;
  checked.module = std::move(module);
  expand_value_sets(checked.module);
  const std::size_t errors_before = diagnostics.error_count();
  Checker checker(checked, diagnostics);
  checker.run();
  checked.ok = diagnostics.error_count() == errors_before;
  if (checked.ok) {
    check_null_rules(checked, sources, diagnostics);  // W0306, W0307
  }
  return checked;
}

CheckedModule check_expression(ast::Module module, ExprId expression,
                               const SourceManager& /*sources*/, Diagnostics& diagnostics) {
  CheckedModule checked;
  checked.module = std::move(module);
  expand_value_sets(checked.module);
  const std::size_t errors_before = diagnostics.error_count();
  Checker checker(checked, diagnostics);
  checker.run_expression(expression);
  checked.ok = diagnostics.error_count() == errors_before;
  return checked;
}

const char* default_indicator(std::string_view kind) {
  return kind == "caution" || kind == "avoid" ? "warning" : "info";
}

std::size_t character_count(std::string_view text) {
  // Every byte but a continuation byte (10xxxxxx) starts a code point.
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

}  // namespace rubric

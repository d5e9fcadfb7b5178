// Compiles a checked module into a DecisionGraph with hash-consing, and builds Guidelines.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "dsl/checker.hpp"
#include "dsl/parser.hpp"
#include "engine/expression.hpp"
#include "engine/graph.hpp"
#include "engine/guideline.hpp"

namespace rubric {

// Appends nodes to a graph, returning the existing node for a structurally identical one.
class GraphBuilder {
 public:
  explicit GraphBuilder(DecisionGraph& graph) : graph_(graph) {}

  NodeId constant(const Value& value, SourceRange range) {
    std::string key = fmt::format("c{}:{}", static_cast<int>(value.kind()), to_literal(value));
    if (value.kind() == ValueKind::quantity) {
      key += value.unit().code;
    }
    if (const auto found = index_.find(key); found != index_.end()) {
      return found->second;
    }
    Value stored = value;
    if (value.kind() == ValueKind::string) {
      graph_.strings_.emplace_back(value.as_string());
      stored = Value::string(graph_.strings_.back());
    }
    graph_.constants_.push_back(stored);
    return add(key,
               Node{Opcode::constant, static_cast<std::uint32_t>(graph_.constants_.size() - 1), 0,
                    0, range},
               {});
  }

  NodeId fact(std::uint32_t index, SourceRange range) {
    return add(fmt::format("f{}", index), Node{Opcode::fact, index, 0, 0, range}, {});
  }

  [[nodiscard]] const Node& node(NodeId id) const { return graph_.node(id); }
  [[nodiscard]] std::vector<NodeId> operands(NodeId id) const {
    const auto span = graph_.operands(graph_.node(id));
    return {span.begin(), span.end()};
  }
  [[nodiscard]] const Value& value_of(NodeId constant) const {
    return graph_.constant(graph_.node(constant));
  }

  NodeId operation(Opcode op, const std::vector<NodeId>& operands, SourceRange range) {
    std::string key = fmt::format("o{}", static_cast<int>(op));
    for (const NodeId operand : operands) {
      key += fmt::format(",{}", operand.value);
    }
    return add(key, Node{op, 0, 0, 0, range}, operands);
  }

 private:
  NodeId add(const std::string& key, Node node, const std::vector<NodeId>& operands) {
    if (const auto found = index_.find(key); found != index_.end()) {
      return found->second;
    }
    node.first_operand = static_cast<std::uint32_t>(graph_.operands_.size());
    node.operand_count = static_cast<std::uint32_t>(operands.size());
    graph_.operands_.insert(graph_.operands_.end(), operands.begin(), operands.end());
    graph_.nodes_.push_back(node);
    const NodeId id{static_cast<std::uint32_t>(graph_.nodes_.size() - 1)};
    index_.emplace(key, id);
    return id;
  }

  DecisionGraph& graph_;
  std::unordered_map<std::string, NodeId> index_;
};

namespace {

Opcode binary_opcode(ast::BinaryOperator op) {
  using B = ast::BinaryOperator;
  switch (op) {
    case B::logical_and: return Opcode::logical_and;
    case B::logical_or: return Opcode::logical_or;
    case B::logical_xor: return Opcode::logical_xor;
    case B::implies: return Opcode::implies;
    case B::equal: return Opcode::equal;
    case B::not_equal: return Opcode::not_equal;
    case B::equivalent: return Opcode::equivalent;
    case B::not_equivalent: return Opcode::not_equivalent;
    case B::less: return Opcode::less;
    case B::less_or_equal: return Opcode::less_or_equal;
    case B::greater: return Opcode::greater;
    case B::greater_or_equal: return Opcode::greater_or_equal;
    case B::add: return Opcode::add;
    case B::subtract: return Opcode::subtract;
    case B::multiply: return Opcode::multiply;
    case B::divide: return Opcode::divide;
    case B::truncated_divide: return Opcode::truncated_divide;
    case B::modulo: return Opcode::modulo;
  }
  return Opcode::logical_and;
}

// Lowers checked expressions to graph nodes. Definitions compile once and are shared.
class ExpressionCompiler {
 public:
  ExpressionCompiler(const CheckedModule& checked, GraphBuilder& builder)
      : checked_(checked),
        module_(checked.module),
        builder_(builder),
        compiled_(module_.expressions.size()) {}

  NodeId compile(ast::ExprId id) {
    if (compiled_[id.value]) {
      return *compiled_[id.value];
    }
    const NodeId node = lower(id);
    compiled_[id.value] = node;
    return node;
  }

  // `value` compiled for a place whose type is `expected`: an Integer where the checker
  // unified branches to a Decimal is converted, as CQL's implicit conversion does.
  NodeId compile_as(ast::ExprId value, ast::ExprId expected) {
    const NodeId node = compile(value);
    if (checked_.type_of(expected).kind == TypeKind::decimal &&
        checked_.type_of(value).kind == TypeKind::integer) {
      return builder_.operation(Opcode::to_decimal, {node}, module_.at(value).range);
    }
    return node;
  }

 private:
  // The operation counting whole periods of `word` (a calendar word, singular or plural).
  static Opcode duration_between_opcode(std::string_view word) {
    static constexpr std::array<std::pair<std::string_view, Opcode>, 8> kOpcodes = {{
        {"year", Opcode::years_between},
        {"month", Opcode::months_between},
        {"week", Opcode::weeks_between},
        {"day", Opcode::days_between},
        {"hour", Opcode::hours_between},
        {"minute", Opcode::minutes_between},
        {"second", Opcode::seconds_between},
        {"millisecond", Opcode::milliseconds_between},
    }};
    if (word.ends_with('s')) {
      word.remove_suffix(1);
    }
    for (const auto& [singular, opcode] : kOpcodes) {
      if (word == singular) {
        return opcode;
      }
    }
    return Opcode::days_between;  // unreachable: the grammar admits calendar words only
  }

  NodeId lower(ast::ExprId id) {
    const ast::Expr& expr = module_.at(id);
    const auto operands = module_.operands_of(expr);
    const SourceRange range = expr.range;
    switch (expr.kind) {
      case ast::ExprKind::null_literal:
      case ast::ExprKind::boolean_literal:
      case ast::ExprKind::number_literal:
      case ast::ExprKind::string_literal:
      case ast::ExprKind::coding_literal:
      case ast::ExprKind::quantity_literal:
      case ast::ExprKind::date_literal:
        return builder_.constant(checked_.constants[id.value], range);
      case ast::ExprKind::duration_between:
        return builder_.operation(duration_between_opcode(expr.unit),
                                  {compile(operands[0]), compile(operands[1])}, range);
      case ast::ExprKind::name: {
        const Symbol symbol = checked_.symbols[id.value];
        switch (symbol.kind) {
          case SymbolKind::fact: return builder_.fact(symbol.index, range);
          case SymbolKind::parameter: {
            const NodeId node = builder_.constant(checked_.parameters[symbol.index], range);
            parameters_used_.emplace_back(node, symbol.index);
            return node;
          }
          case SymbolKind::definition: return compile(module_.definitions[symbol.index].value);
          case SymbolKind::none: break;
        }
        return builder_.constant(Value::null(), range);
      }
      case ast::ExprKind::unary: {
        const ast::Expr& operand = module_.at(operands[0]);
        if (expr.unary_operator == ast::UnaryOperator::negate &&
            operand.kind == ast::ExprKind::number_literal && operand.text == "2147483648") {
          // The checker stored -2147483648 as the literal's value.
          return builder_.constant(checked_.constants[operands[0].value], range);
        }
        const NodeId value = compile(operands[0]);
        switch (expr.unary_operator) {
          case ast::UnaryOperator::logical_not:
            return builder_.operation(Opcode::logical_not, {value}, range);
          case ast::UnaryOperator::negate:
            return builder_.operation(Opcode::negate, {value}, range);
          case ast::UnaryOperator::plus: return value;
        }
        return value;
      }
      case ast::ExprKind::binary: {
        // Left before right: the graph's node order follows the source.
        const NodeId left = compile(operands[0]);
        const NodeId right = compile(operands[1]);
        return comparison_or_operation(binary_opcode(expr.binary_operator), left, right, range);
      }
      case ast::ExprKind::test: {
        const NodeId value = compile(operands[0]);
        const auto test = [&](Opcode op, bool negated) {
          const NodeId tested = builder_.operation(op, {value}, range);
          return negated ? builder_.operation(Opcode::logical_not, {tested}, range) : tested;
        };
        switch (expr.test_operator) {
          case ast::TestOperator::is_null: return test(Opcode::is_null, false);
          case ast::TestOperator::is_not_null: return test(Opcode::is_null, true);
          case ast::TestOperator::is_true: return test(Opcode::is_true, false);
          case ast::TestOperator::is_not_true: return test(Opcode::is_true, true);
          case ast::TestOperator::is_false: return test(Opcode::is_false, false);
          case ast::TestOperator::is_not_false: return test(Opcode::is_false, true);
        }
        return value;
      }
      case ast::ExprKind::between: {
        // `x between a and b` means `x >= a and x <= b`.
        const NodeId value = compile(operands[0]);
        const NodeId low_limit = compile(operands[1]);
        const NodeId low =
            comparison_or_operation(Opcode::greater_or_equal, value, low_limit, range);
        const NodeId high_limit = compile(operands[2]);
        const NodeId high =
            comparison_or_operation(Opcode::less_or_equal, value, high_limit, range);
        return builder_.operation(Opcode::logical_and, {low, high}, range);
      }
      case ast::ExprKind::membership: {
        std::vector<NodeId> parts{compile(operands[0])};
        for (const ast::ExprId element : module_.operands_of(module_.at(operands[1]))) {
          parts.push_back(compile(element));
        }
        return builder_.operation(Opcode::in_list, parts, range);
      }
      case ast::ExprKind::list:
        return builder_.constant(Value::null(), range);  // lists exist only under `in`
      case ast::ExprKind::if_then_else:
        return builder_.operation(
            Opcode::if_then_else,
            {compile(operands[0]), compile_as(operands[1], id), compile_as(operands[2], id)},
            range);
      case ast::ExprKind::case_when: {
        // Nested `if`s from the last `when` outward; a subject is matched by `=`.
        std::size_t first = expr.has_subject ? 1 : 0;
        NodeId result = compile_as(operands.back(), id);
        const std::optional<NodeId> subject =
            expr.has_subject ? std::optional<NodeId>(compile(operands[0])) : std::nullopt;
        for (std::size_t i = operands.size() - 1; i >= first + 2; i -= 2) {
          NodeId condition = compile(operands[i - 2]);
          if (subject) {
            condition = comparison_or_operation(Opcode::equal, *subject, condition,
                                                module_.at(operands[i - 2]).range);
          }
          result = builder_.operation(Opcode::if_then_else,
                                      {condition, compile_as(operands[i - 1], id), result}, range);
        }
        return result;
      }
      case ast::ExprKind::call: {
        if (expr.text == "Date" || expr.text == "DateTime") {
          return builder_.constant(checked_.constants[id.value], range);  // a selector
        }
        if (expr.text == "Today") {
          return builder_.fact(*checked_.evaluation_date, range);
        }
        std::vector<NodeId> arguments;
        for (const ast::ExprId argument : operands) {
          arguments.push_back(compile_as(argument, id));
        }
        return builder_.operation(Opcode::coalesce, arguments, range);
      }
      case ast::ExprKind::score: {
        std::vector<NodeId> parts;
        for (std::size_t i = 0; i + 1 < operands.size(); i += 2) {
          parts.push_back(builder_.constant(checked_.constants[operands[i].value],
                                            module_.at(operands[i]).range));
          parts.push_back(compile(operands[i + 1]));
        }
        return builder_.operation(Opcode::score, parts, range);
      }
      case ast::ExprKind::at_least: {
        std::vector<ScoreItem> items;
        const Value one = Value::integer(1);
        for (std::size_t i = 1; i < operands.size(); ++i) {
          items.push_back(ScoreItem{one, compile(operands[i])});
        }
        const NodeId count =
            builder_.constant(checked_.constants[operands[0].value], module_.at(operands[0]).range);
        return at_least(items, count, range);
      }
    }
    return builder_.constant(Value::null(), range);
  }

  struct ScoreItem {
    Value weight;
    NodeId condition;
  };

  // `left op right`. A comparison with a score (a `score` node on either side) compares the
  // range of totals the score can still reach, as CQL compares an uncertain value: it becomes
  // `at least` tests (docs/semantics.md#scores). Any other operation is the plain operation.
  NodeId comparison_or_operation(Opcode op, NodeId left, NodeId right, SourceRange range) {
    const Relation written = operator_info(op).relation;
    const bool left_score = builder_.node(left).op == Opcode::score;
    const bool right_score = builder_.node(right).op == Opcode::score;
    if (written == Relation::none || (!left_score && !right_score)) {
      return builder_.operation(op, {left, right}, range);
    }
    // `score relation other`.
    const NodeId score = left_score ? left : right;
    const NodeId other = left_score ? right : left;
    const Relation relation = left_score ? written : mirrored(written);
    const auto reaches = [&](bool negated) {  // score >= other, or -score >= -other
      std::vector<ScoreItem> items;
      const std::vector<NodeId> parts = builder_.operands(score);
      for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
        const Value& weight = builder_.value_of(parts[i]);
        items.push_back(ScoreItem{negated ? negate(weight) : weight, parts[i + 1]});
      }
      return at_least(items, negated ? negated_node(other, range) : other, range);
    };
    const auto negation = [&](NodeId value) {
      return builder_.operation(Opcode::logical_not, {value}, range);
    };
    // `=` is `>=` and `<=`; a half that holds for every total (`s = 0`: `s >= 0`) is left out,
    // so that the comparison's node is the half that can fail (coverage and explanations speak
    // of it by the comparison's text).
    const auto both = [&]() {
      const NodeId low = reaches(false);
      const NodeId high = reaches(true);
      if (always_true(low)) {
        return high;
      }
      if (always_true(high)) {
        return low;
      }
      return builder_.operation(Opcode::logical_and, {low, high}, range);
    };
    switch (relation) {
      case Relation::greater_or_equal: return reaches(false);
      case Relation::less_or_equal: return reaches(true);
      case Relation::less: return negation(reaches(false));
      case Relation::greater: return negation(reaches(true));
      case Relation::equal: return both();
      case Relation::not_equal: return negation(both());
      case Relation::none: break;
    }
    return builder_.operation(op, {left, right}, range);
  }

  // Whether an `at least` node holds whatever its items are: a constant threshold at most its
  // offset (every weight is positive, so every total is at least 0).
  [[nodiscard]] bool always_true(NodeId id) const {
    const Node& node = builder_.node(id);
    if (node.op != Opcode::at_least) {
      return false;
    }
    const std::vector<NodeId> parts = builder_.operands(id);
    if (builder_.node(parts[0]).op != Opcode::constant) {
      return false;
    }
    const Value& threshold = builder_.value_of(parts[0]);
    if (threshold.kind() != ValueKind::integer && threshold.kind() != ValueKind::decimal) {
      return false;
    }
    return threshold.as_decimal().raw() + builder_.value_of(parts[1]).as_decimal().raw() <= 0;
  }

  // -value, exactly: folded for a constant; computed as a Decimal, so that negating the least
  // Integer does not overflow to null.
  NodeId negated_node(NodeId value, SourceRange range) {
    if (builder_.node(value).op == Opcode::constant) {
      return builder_.constant(exact_negation(builder_.value_of(value)), range);
    }
    return builder_.operation(Opcode::negate,
                              {builder_.operation(Opcode::to_decimal, {value}, range)}, range);
  }

  // -a on a constant, as an Integer when it fits, else as a Decimal: a threshold the compiler
  // negates must not overflow where the comparison as written would not.
  static Value exact_negation(const Value& a) {
    const Value result = negate(a);
    return result.is_null() && !a.is_null() ? negate(to_decimal(a)) : result;
  }

  // The `at least` node for `sum of the items' weights >= threshold`: operands threshold,
  // offset, weight, item, .... Every weight in the node is positive: an item of weight -w over
  // C is the item of weight w over `not C`, with the offset raised by w (the sums differ by
  // exactly w whatever C is, and an unknown C stays unknown); an item of weight 0 is left out.
  NodeId at_least(const std::vector<ScoreItem>& items, NodeId threshold, SourceRange range) {
    std::vector<NodeId> parts{threshold, NodeId{}};
    Decimal offset;
    for (const ScoreItem& item : items) {
      const Decimal amount = item.weight.as_decimal();
      if (amount == Decimal()) {
        continue;
      }
      if (amount < Decimal()) {
        const Value magnitude = negate(item.weight);
        offset = *Decimal::add(offset, magnitude.as_decimal());  // bounded by E0220's limit
        parts.push_back(builder_.constant(magnitude, range));
        parts.push_back(builder_.operation(Opcode::logical_not, {item.condition}, range));
      } else {
        parts.push_back(builder_.constant(item.weight, range));
        parts.push_back(item.condition);
      }
    }
    const std::optional<std::int32_t> whole = offset.to_int32();
    parts[1] = builder_.constant(whole ? Value::integer(*whole) : Value::decimal(offset), range);
    return builder_.operation(Opcode::at_least, parts, range);
  }

  const CheckedModule& checked_;
  const ast::Module& module_;
  GraphBuilder& builder_;
  std::vector<std::optional<NodeId>> compiled_;
  std::vector<std::pair<NodeId, std::uint32_t>> parameters_used_;

 public:
  // Per expression, the node it compiled to.
  [[nodiscard]] const std::vector<std::optional<NodeId>>& compiled() const { return compiled_; }
  // Each parameter reference: the constant node and the parameter's index.
  [[nodiscard]] const std::vector<std::pair<NodeId, std::uint32_t>>& parameters_used() const {
    return parameters_used_;
  }
};

}  // namespace

class GuidelineCompiler {
 public:
  static std::shared_ptr<const Guideline> compile(std::shared_ptr<const CheckedModule> owned) {
    const CheckedModule& checked = *owned;
    auto guideline = std::make_shared<Guideline>();
    guideline->checked_ = std::move(owned);
    const ast::Module& module = checked.module;
    if (!module.headers.empty()) {
      guideline->id_ = module.headers.front().id.name;
      guideline->title_ = module.headers.front().title;
      guideline->version_ = module.headers.front().version;
      for (const ast::Named& hook : module.headers.front().hooks) {
        guideline->hooks_.push_back(hook.name);
      }
    }
    for (const ast::SourceDeclaration& source : module.sources) {
      guideline->sources_.push_back(SourceInfo{source.number, source.citation});
    }
    std::sort(guideline->sources_.begin(), guideline->sources_.end(),
              [](const SourceInfo& a, const SourceInfo& b) { return a.number < b.number; });
    guideline->facts_ = checked.facts;
    GraphBuilder builder(guideline->graph_);
    ExpressionCompiler compiler(checked, builder);
    for (const std::uint32_t index : checked.definition_order) {
      const ast::Definition& definition = module.definitions[index];
      guideline->definitions_.push_back(DefinitionInfo{
          definition.name.name, compiler.compile(definition.value), definition.range});
    }
    for (const ast::RecommendationDeclaration& declaration : module.recommendations) {
      RecommendationInfo info;
      info.id = declaration.id.name;
      info.kind = declaration.kind.name;
      info.indicator = declaration.indicator ? declaration.indicator->name
                                             : default_indicator(declaration.kind.name);
      info.text = declaration.text;
      info.summary = declaration.summary;
      for (const ast::Citation& citation : declaration.citations) {
        info.citations.push_back(citation.number);
      }
      info.evidence = declaration.evidence;
      for (const ast::Named& carried : declaration.carried) {
        for (std::size_t p = 0; p < module.parameters.size(); ++p) {
          if (module.parameters[p].name.name == carried.name) {
            info.parameters.push_back(CarriedParameter{carried.name, checked.parameters[p]});
          }
        }
      }
      info.range = declaration.range;
      info.condition = compiler.compile(declaration.condition);
      for (const ast::Named& reported : declaration.reported) {
        info.reported.push_back(
            ReportedName{reported.name, report_node(checked, builder, compiler, reported)});
      }
      guideline->recommendations_.push_back(std::move(info));
    }
    // Unused definitions are compiled too, so that every definition has a node to explain.
    for (const ast::Definition& definition : module.definitions) {
      compiler.compile(definition.value);
    }
    // The coverage condition: analysed by `rubric check`, never evaluated by `evaluate`.
    if (!module.coverage.empty()) {
      guideline->coverage_condition_ = compiler.compile(module.coverage.front().condition);
    }
    guideline->expression_nodes_ = compiler.compiled();
    guideline->parameter_names_.assign(guideline->graph_.size(), std::string());
    for (const auto& [node, index] : compiler.parameters_used()) {
      std::string& names = guideline->parameter_names_[node.value];
      const std::string& name = module.parameters[index].name.name;
      if (names != name && names.find(name + ",") != 0 &&
          names.find(", " + name) == std::string::npos) {
        names += (names.empty() ? "" : ", ") + name;
      }
    }
    guideline->fact_nodes_.assign(guideline->facts_.size(), std::nullopt);
    const auto nodes = guideline->graph_.nodes();
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].op == Opcode::fact) {
        guideline->fact_nodes_[nodes[i].payload] = NodeId{i};
      }
    }
    // Carried string parameters must not point into the checked module.
    for (RecommendationInfo& info : guideline->recommendations_) {
      for (CarriedParameter& parameter : info.parameters) {
        if (parameter.value.kind() == ValueKind::string) {
          const NodeId node = builder.constant(parameter.value, info.range);
          parameter.value = guideline->graph_.constant(guideline->graph_.node(node));
        }
      }
    }
    // The program computes the conditions and the reported values (a guideline that reports
    // nothing gets the program of its conditions alone).
    std::vector<NodeId> roots;
    roots.reserve(guideline->recommendations_.size());
    for (const RecommendationInfo& info : guideline->recommendations_) {
      roots.push_back(info.condition);
    }
    for (const RecommendationInfo& info : guideline->recommendations_) {
      for (const ReportedName& reported : info.reported) {
        roots.push_back(reported.node);
      }
    }
    guideline->program_ = EvaluationProgram::build(guideline->graph_, roots);
    guideline->prepare_exact_outcomes();
    return guideline;
  }

 private:
  // The node of a reported fact, parameter or definition (the checker resolved the name).
  static NodeId report_node(const CheckedModule& checked, GraphBuilder& builder,
                            ExpressionCompiler& compiler, const ast::Named& reported) {
    const ast::Module& module = checked.module;
    for (std::uint32_t f = 0; f < module.facts.size(); ++f) {
      if (module.facts[f].name.name == reported.name) {
        return builder.fact(f, reported.range);
      }
    }
    for (std::size_t p = 0; p < module.parameters.size(); ++p) {
      if (module.parameters[p].name.name == reported.name) {
        return builder.constant(checked.parameters[p], reported.range);
      }
    }
    for (const ast::Definition& definition : module.definitions) {
      if (definition.name.name == reported.name) {
        return compiler.compile(definition.value);
      }
    }
    return builder.constant(Value::null(), reported.range);
  }
};

std::shared_ptr<const Guideline> Guideline::compile(const SourceManager& sources, FileId file,
                                                    Diagnostics& diagnostics) {
  Diagnostics local;
  ast::Module module = parse_module(sources, file, local);
  if (local.has_errors()) {
    diagnostics.append(local);
    return nullptr;
  }
  auto checked =
      std::make_shared<const CheckedModule>(check_module(std::move(module), sources, local));
  local.sort();
  diagnostics.append(local);
  if (!checked->ok) {
    return nullptr;
  }
  return GuidelineCompiler::compile(std::move(checked));
}

std::shared_ptr<const Guideline> Guideline::compile(std::shared_ptr<const CheckedModule> checked) {
  if (!checked || !checked->ok) {
    return nullptr;
  }
  return GuidelineCompiler::compile(std::move(checked));
}

namespace {

// A checked expression compiled into a graph of its own and evaluated over `facts`, and
// `as_of` for its `Today()` (absent without one).
ExpressionResult compile_and_evaluate(const CheckedModule& checked, ast::ExprId expression,
                                      const FactSet& given, const std::optional<DateTime>& as_of) {
  // The expression may read `Today()` where the declarations do not: the evaluation date's
  // fact then follows the given ones.
  FactSet facts(checked.facts.size());
  for (std::uint32_t i = 0; i < given.size() && i < facts.size(); ++i) {
    facts.set(FactId{i}, given.get(FactId{i}));
  }
  if (checked.evaluation_date && as_of) {
    facts.set(FactId{*checked.evaluation_date}, Value::date_time(*as_of));
  }
  auto graph_owner = std::make_shared<DecisionGraph>();
  DecisionGraph& graph = *graph_owner;
  GraphBuilder builder(graph);
  ExpressionCompiler compiler(checked, builder);
  const NodeId root = compiler.compile(expression);
  std::vector<Value> values;
  evaluate_graph(graph, facts, values);
  return ExpressionResult{values[root.value], to_literal(values[root.value]), graph_owner};
}

}  // namespace

std::optional<ExpressionResult> evaluate_expression(const SourceManager& sources, FileId file,
                                                    std::span<const NamedValue> names,
                                                    Diagnostics& diagnostics,
                                                    const std::optional<DateTime>& as_of) {
  ast::Module module;
  module.file = file;
  const std::optional<ast::ExprId> expression =
      parse_expression(sources, file, module, diagnostics);
  if (!expression) {
    return std::nullopt;
  }
  // Each named value becomes a fact whose type is its value's type.
  for (const NamedValue& named : names) {
    ast::FactDeclaration fact;
    fact.name = ast::Named{named.name, SourceRange{file, 0, 0}};
    switch (named.value.kind()) {
      case ValueKind::null: fact.type.name = ast::TypeName::null; break;
      case ValueKind::boolean: fact.type.name = ast::TypeName::boolean; break;
      case ValueKind::integer: fact.type.name = ast::TypeName::integer; break;
      case ValueKind::decimal: fact.type.name = ast::TypeName::decimal; break;
      case ValueKind::string: fact.type.name = ast::TypeName::string; break;
      case ValueKind::quantity:
        fact.type.name = ast::TypeName::quantity;
        fact.type.unit = named.value.unit().code;
        break;
      case ValueKind::date_time:
        fact.type.name =
            named.value.as_date_time().is_date() ? ast::TypeName::date : ast::TypeName::date_time;
        break;
    }
    module.facts.push_back(std::move(fact));
  }
  const CheckedModule checked =
      check_expression(std::move(module), *expression, sources, diagnostics);
  if (!checked.ok) {
    return std::nullopt;
  }
  FactSet facts(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    facts.set(FactId{static_cast<std::uint32_t>(i)}, names[i].value);
  }
  return compile_and_evaluate(checked, *expression, facts, as_of);
}

std::optional<ExpressionResult> evaluate_expression(const Guideline& guideline,
                                                    const SourceManager& sources, FileId file,
                                                    const FactSet& facts, Diagnostics& diagnostics,
                                                    const std::optional<DateTime>& as_of) {
  // The guideline's declarations, checked again with the expression (they checked cleanly
  // once, so only the expression can add diagnostics).
  ast::Module module = guideline.checked().module;
  const std::optional<ast::ExprId> expression =
      parse_expression(sources, file, module, diagnostics);
  if (!expression) {
    return std::nullopt;
  }
  const CheckedModule checked =
      check_expression(std::move(module), *expression, sources, diagnostics);
  if (!checked.ok) {
    return std::nullopt;
  }
  return compile_and_evaluate(checked, *expression, facts, as_of);
}

}  // namespace rubric

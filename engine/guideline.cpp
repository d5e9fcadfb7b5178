#include "engine/guideline.hpp"

#include <fmt/format.h>

#include "engine/node_operations.hpp"

namespace rubric {

const SourceInfo* Guideline::source(std::uint32_t number) const {
  for (const SourceInfo& info : sources_) {
    if (info.number == number) {
      return &info;
    }
  }
  return nullptr;
}

std::optional<FactId> Guideline::find_fact(std::string_view name) const {
  for (std::uint32_t i = 0; i < facts_.size(); ++i) {
    if (facts_[i].name == name) {
      return FactId{i};
    }
  }
  return std::nullopt;
}

std::optional<FactId> Guideline::evaluation_date() const {
  if (!facts_.empty() && facts_.back().evaluation_date) {
    return FactId{static_cast<std::uint32_t>(facts_.size() - 1)};
  }
  return std::nullopt;
}

void Guideline::set_evaluation_date(FactSet& facts, const DateTime& as_of) const {
  if (const std::optional<FactId> fact = evaluation_date()) {
    facts.set(*fact, Value::date_time(as_of));
  }
}

std::optional<std::size_t> Guideline::find_recommendation(std::string_view id) const {
  for (std::size_t i = 0; i < recommendations_.size(); ++i) {
    if (recommendations_[i].id == id) {
      return i;
    }
  }
  return std::nullopt;
}

std::optional<NodeId> Guideline::fact_node(FactId fact) const {
  return fact.value < fact_nodes_.size() ? fact_nodes_[fact.value] : std::nullopt;
}

std::optional<NodeId> Guideline::node_of(ast::ExprId expression) const {
  return expression.value < expression_nodes_.size() ? expression_nodes_[expression.value]
                                                     : std::nullopt;
}

const std::string& Guideline::parameter_names(NodeId node) const {
  static const std::string kNone;
  return node.value < parameter_names_.size() ? parameter_names_[node.value] : kNone;
}

std::string Guideline::dump() const {
  std::string out;
  const auto nodes = graph_.nodes();
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    out += fmt::format("%{} = ", i);
    switch (node.op) {
      case Opcode::constant:
        out += fmt::format("constant {}", to_literal(graph_.constant(node)));
        break;
      case Opcode::fact: out += fmt::format("fact {}", facts_[node.payload].name); break;
      default: {
        out += opcode_name(node.op);
        const char* separator = " ";
        for (const NodeId operand : graph_.operands(node)) {
          out += fmt::format("{}%{}", separator, operand.value);
          separator = ", ";
        }
        break;
      }
    }
    out += "\n";
  }
  for (const DefinitionInfo& definition : definitions_) {
    out += fmt::format("define {} = %{}\n", definition.name, definition.value.value);
  }
  for (const RecommendationInfo& recommendation : recommendations_) {
    out += fmt::format("recommendation {} when %{}\n", recommendation.id,
                       recommendation.condition.value);
  }
  return out;
}

}  // namespace rubric

namespace rubric {

ReportedValue Guideline::reported_value(const ReportedName& name, const FactSet& facts,
                                        EvaluationScratch& scratch) const {
  const NodeId node = name.node;
  ReportedValue reported;
  reported.value = program_.value_of(graph_, node, facts, scratch.states, scratch.values);
  const Node& graph_node = graph_.node(node);
  if (reported.value.is_null() && graph_node.op == Opcode::score) {
    const auto operands = graph_.operands(graph_node);
    const operations::ScoreRange range =
        operations::score_range(0, operands.size(), [&](std::size_t k) -> const Value& {
          return program_.value_of(graph_, operands[k], facts, scratch.states, scratch.values);
        });
    // The independent range bounds every total; the search tightens it to the totals that
    // some values of the absent facts give (exclusive items such as two age bands).
    if (name.independent_items) {
      reported.attained = true;
      reported.low = operations::score_value(range.low, range.integer);
      reported.high = operations::score_value(range.high, range.integer);
      return reported;
    }
    const auto extremes = score_extremes(node, facts, scratch, range.low, range.high);
    if (extremes && extremes->first == extremes->second) {
      // The same total whatever the absent facts (`1 when age >= 65, 1 when age < 65`).
      reported.value = operations::score_value(extremes->first, range.integer);
      return reported;
    }
    reported.attained = extremes.has_value();
    reported.low = operations::score_value(extremes ? extremes->first : range.low, range.integer);
    reported.high =
        operations::score_value(extremes ? extremes->second : range.high, range.integer);
  }
  return reported;
}

std::string reported_value_text(const ReportedValue& value) {
  if (!value.value.is_null()) {
    return to_literal(value.value);
  }
  if (!value.low.is_null() && !value.high.is_null()) {
    return value.attained ? fmt::format("unknown, from {} to {}", to_literal(value.low),
                                        to_literal(value.high))
                          : fmt::format("unknown, between {} and {}", to_literal(value.low),
                                        to_literal(value.high));
  }
  return "unknown";
}

}  // namespace rubric

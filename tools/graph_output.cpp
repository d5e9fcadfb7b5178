#include "tools/graph_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rubric {
namespace {

// A node's shape (and, unless it is a definition's value, its colour): a definition keeps
// its node's shape but takes the definition colour.
enum class Style : std::uint8_t { fact, constant, test, operation };

// What the three formats share: per node its own label, the definitions naming it and its
// number of users.
struct Drawing {
  std::vector<std::string> labels;
  std::vector<std::vector<std::string>> definitions;
  std::vector<std::uint32_t> users;
};

Drawing make_drawing(const Guideline& guideline) {
  const DecisionGraph& graph = guideline.graph();
  const auto nodes = graph.nodes();
  Drawing drawing;
  drawing.labels.reserve(nodes.size());
  drawing.definitions.resize(nodes.size());
  drawing.users.assign(nodes.size(), 0);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    switch (node.op) {
      case Opcode::constant: drawing.labels.push_back(to_literal(graph.constant(node))); break;
      case Opcode::fact: drawing.labels.push_back(guideline.facts()[node.payload].name); break;
      default: drawing.labels.emplace_back(opcode_name(node.op)); break;
    }
    // A node using the same operand twice (`x and x`) is one user.
    const auto operands = graph.operands(node);
    for (std::size_t k = 0; k < operands.size(); ++k) {
      if (std::find(operands.begin(), operands.begin() + static_cast<std::ptrdiff_t>(k),
                    operands[k]) == operands.begin() + static_cast<std::ptrdiff_t>(k)) {
        ++drawing.users[operands[k].value];
      }
    }
  }
  for (const RecommendationInfo& recommendation : guideline.recommendations()) {
    ++drawing.users[recommendation.condition.value];
  }
  for (const DefinitionInfo& definition : guideline.definitions()) {
    drawing.definitions[definition.value.value].push_back(definition.name);
  }
  return drawing;
}

Style style_of(Opcode op) {
  if (op == Opcode::fact) {
    return Style::fact;
  }
  if (op == Opcode::constant) {
    return Style::constant;
  }
  return is_test(op) ? Style::test : Style::operation;
}

// The role of operand `index` of an operation whose operand order matters, for the edge's
// label; empty where the order does not matter (`and`, `=`, `+`, one operand).
std::string operand_role(Opcode op, std::size_t index) {
  switch (operator_info(op).operands) {
    case OperandRoles::ordered: return index == 0 ? "left" : "right";
    case OperandRoles::conditional: return index == 0 ? "if" : index == 1 ? "then" : "else";
    case OperandRoles::membership: return index == 0 ? "value" : "";
    case OperandRoles::arguments: return std::to_string(index + 1);
    case OperandRoles::score_items: return index % 2 == 0 ? "weight" : "item";
    case OperandRoles::score_test:
      return index == 0 ? "threshold" : index == 1 ? "offset" : index % 2 == 0 ? "weight" : "item";
    case OperandRoles::none:
    case OperandRoles::single:
    case OperandRoles::unordered: return "";
  }
  return "";
}

// The lines of a node's label: its definitions' names, its own label (in parentheses under
// a name) and, when shared, its number of users.
std::vector<std::string> label_lines(const Drawing& drawing, std::size_t i) {
  std::vector<std::string> lines;
  if (drawing.definitions[i].empty()) {
    lines.push_back(drawing.labels[i]);
  } else {
    std::string names;
    for (const std::string& name : drawing.definitions[i]) {
      names += names.empty() ? name : ", " + name;
    }
    lines.push_back(names);
    lines.push_back("(" + drawing.labels[i] + ")");
  }
  if (drawing.users[i] > 1) {
    lines.push_back(fmt::format("{} users", drawing.users[i]));
  }
  return lines;
}

// ---- Graphviz DOT ------------------------------------------------------------------------

// A DOT double-quoted string's contents: quotes and backslashes escaped (a label's `\n`,
// `\l`, `\N`... would otherwise be Graphviz escapes), line breaks as `\n`.
std::string dot_escape(std::string_view text) {
  std::string out;
  for (const char character : text) {
    switch (character) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default: out += character; break;
    }
  }
  return out;
}

std::string dot_label(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    out += out.empty() ? dot_escape(line) : "\\n" + dot_escape(line);
  }
  return out;
}

// Light fills, one per recommendation kind, in the order the text report groups them.
const char* kind_colour(std::string_view kind) {
  if (kind == "refer") {
    return "#f8c9c4";
  }
  if (kind == "prescribe") {
    return "#c8e6c9";
  }
  if (kind == "caution") {
    return "#ffe0a3";
  }
  if (kind == "avoid") {
    return "#f5c6e0";
  }
  if (kind == "therapy") {
    return "#dcedc8";
  }
  if (kind == "order") {
    return "#c5d9f2";
  }
  if (kind == "follow-up") {
    return "#d8cff0";
  }
  if (kind == "monitor") {
    return "#bfe8ec";
  }
  return "#eeeeee";
}

constexpr const char* kFactFill = "#dbeafe";
constexpr const char* kConstantFill = "#fdf6d8";
constexpr const char* kTestFill = "#fde2c8";
constexpr const char* kOperationFill = "#ffffff";
constexpr const char* kDefinitionFill = "#d9f2dc";

}  // namespace

std::string graph_to_dot(const Guideline& guideline) {
  const DecisionGraph& graph = guideline.graph();
  const auto nodes = graph.nodes();
  const Drawing drawing = make_drawing(guideline);
  std::string title = guideline.id();
  if (!guideline.version().empty()) {
    title += " " + guideline.version();
  }
  std::string out = fmt::format("digraph \"{}\" {{\n", dot_escape(guideline.id()));
  out += fmt::format(
      "  graph [rankdir=LR, ranksep=0.45, nodesep=0.12, fontname=\"Helvetica\", "
      "labelloc=t, fontsize=16, label=\"{}\"];\n",
      dot_escape("decision graph of " + title));
  out += "  node [fontname=\"Helvetica\", fontsize=11, style=filled, penwidth=1];\n";
  out +=
      "  edge [color=\"#5f6b7a\", arrowsize=0.6, fontname=\"Helvetica\", fontsize=9, "
      "fontcolor=\"#5f6b7a\"];\n";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    const bool defined = !drawing.definitions[i].empty();
    std::string attributes;
    switch (style_of(node.op)) {
      case Style::fact:
        attributes = fmt::format("shape=box, style=\"rounded,filled\", fillcolor=\"{}\"",
                                 defined ? kDefinitionFill : kFactFill);
        break;
      case Style::constant:
        attributes = fmt::format("shape=note, fillcolor=\"{}\", fontsize=10",
                                 defined ? kDefinitionFill : kConstantFill);
        break;
      case Style::test:
        attributes =
            fmt::format("shape=hexagon, fillcolor=\"{}\"", defined ? kDefinitionFill : kTestFill);
        break;
      case Style::operation:
        attributes = fmt::format("shape=ellipse, fillcolor=\"{}\"",
                                 defined ? kDefinitionFill : kOperationFill);
        break;
    }
    if (drawing.users[i] > 1) {
      attributes += ", penwidth=2.5";
    }
    out += fmt::format("  n{} [label=\"{}\", {}];\n", i, dot_label(label_lines(drawing, i)),
                       attributes);
  }
  const auto recommendations = guideline.recommendations();
  for (std::size_t k = 0; k < recommendations.size(); ++k) {
    const RecommendationInfo& recommendation = recommendations[k];
    out += fmt::format(
        "  r{} [label=\"{}\\nkind {}\", shape=cds, height=0.6, margin=\"0.15,0.1\", "
        "fillcolor=\"{}\"];\n",
        k, dot_escape(recommendation.id), dot_escape(recommendation.kind),
        kind_colour(recommendation.kind));
  }
  // Facts in the first column, recommendations in the last.
  std::string facts;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].op == Opcode::fact) {
      facts += fmt::format(" n{};", i);
    }
  }
  if (!facts.empty()) {
    out += "  { rank=source;" + facts + " }\n";
  }
  if (!recommendations.empty()) {
    out += "  { rank=sink;";
    for (std::size_t k = 0; k < recommendations.size(); ++k) {
      out += fmt::format(" r{};", k);
    }
    out += " }\n";
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto operands = graph.operands(nodes[i]);
    for (std::size_t k = 0; k < operands.size(); ++k) {
      const std::string role = operand_role(nodes[i].op, k);
      out += fmt::format("  n{} -> n{}", operands[k].value, i);
      if (!role.empty()) {
        out += fmt::format(" [label=\"{}\"]", dot_escape(role));
      }
      out += ";\n";
    }
  }
  for (std::size_t k = 0; k < recommendations.size(); ++k) {
    out += fmt::format("  n{} -> r{};\n", recommendations[k].condition.value, k);
  }
  out += "}\n";
  return out;
}

// ---- Mermaid -------------------------------------------------------------------------------

namespace {

// A Mermaid double-quoted label's contents: characters Mermaid or the HTML it renders would
// read (quotes, `#` entity codes, `<`, `>`, `&`, backticks) as Mermaid entity codes; line
// breaks as `<br/>`.
std::string mermaid_escape(std::string_view text) {
  std::string out;
  for (const char character : text) {
    switch (character) {
      case '"': out += "#quot;"; break;
      case '#': out += "#35;"; break;
      case '&': out += "#38;"; break;
      case '<': out += "#lt;"; break;
      case '>': out += "#gt;"; break;
      case '`': out += "#96;"; break;
      case '\n': out += "<br/>"; break;
      case '\r': break;
      default: out += character; break;
    }
  }
  return out;
}

std::string mermaid_label(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    out += out.empty() ? mermaid_escape(line) : "<br/>" + mermaid_escape(line);
  }
  return out;
}

// Mermaid class names for recommendation kinds (`follow-up` is not a safe class name).
std::string kind_class(std::string_view kind) {
  std::string name = "kind_";
  for (const char character : kind) {
    const bool plain = (character >= 'a' && character <= 'z') ||
                       (character >= 'A' && character <= 'Z') ||
                       (character >= '0' && character <= '9');
    name += plain ? character : '_';
  }
  return name;
}

}  // namespace

std::string graph_to_mermaid(const Guideline& guideline) {
  const DecisionGraph& graph = guideline.graph();
  const auto nodes = graph.nodes();
  const Drawing drawing = make_drawing(guideline);
  std::string out = "flowchart LR\n";
  std::string title = guideline.id();
  if (!guideline.version().empty()) {
    title += " " + guideline.version();
  }
  // A comment runs to the end of its line.
  std::string comment = "decision graph of " + title;
  std::replace(comment.begin(), comment.end(), '\n', ' ');
  out += "  %% " + comment + "\n";
  std::vector<std::string> classes[5];  // fact, constant, test, operation, definition
  std::vector<std::string> shared;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::string label = mermaid_label(label_lines(drawing, i));
    const Style style = style_of(nodes[i].op);
    switch (style) {
      case Style::fact: out += fmt::format("  n{}([\"{}\"])\n", i, label); break;
      case Style::constant: out += fmt::format("  n{}[/\"{}\"/]\n", i, label); break;
      case Style::test: out += fmt::format("  n{}{{{{\"{}\"}}}}\n", i, label); break;
      case Style::operation: out += fmt::format("  n{}(\"{}\")\n", i, label); break;
    }
    const std::size_t group = drawing.definitions[i].empty() ? static_cast<std::size_t>(style) : 4;
    classes[group].push_back(fmt::format("n{}", i));
    if (drawing.users[i] > 1) {
      shared.push_back(fmt::format("n{}", i));
    }
  }
  const auto recommendations = guideline.recommendations();
  std::vector<std::pair<std::string, std::vector<std::string>>> kinds;
  for (std::size_t k = 0; k < recommendations.size(); ++k) {
    const RecommendationInfo& recommendation = recommendations[k];
    out += fmt::format("  r{}>\"{}<br/>kind {}\"]\n", k, mermaid_escape(recommendation.id),
                       mermaid_escape(recommendation.kind));
    const std::string name = kind_class(recommendation.kind);
    auto found = std::find_if(kinds.begin(), kinds.end(),
                              [&](const auto& entry) { return entry.first == name; });
    if (found == kinds.end()) {
      kinds.emplace_back(name, std::vector<std::string>{});
      found = kinds.end() - 1;
    }
    found->second.push_back(fmt::format("r{}", k));
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto operands = graph.operands(nodes[i]);
    for (std::size_t k = 0; k < operands.size(); ++k) {
      const std::string role = operand_role(nodes[i].op, k);
      if (role.empty()) {
        out += fmt::format("  n{} --> n{}\n", operands[k].value, i);
      } else {
        out += fmt::format("  n{} -->|\"{}\"| n{}\n", operands[k].value, mermaid_escape(role), i);
      }
    }
  }
  for (std::size_t k = 0; k < recommendations.size(); ++k) {
    out += fmt::format("  n{} --> r{}\n", recommendations[k].condition.value, k);
  }
  const auto join = [](const std::vector<std::string>& ids) {
    std::string joined;
    for (const std::string& id : ids) {
      joined += joined.empty() ? id : "," + id;
    }
    return joined;
  };
  const char* const group_names[5] = {"fact", "constant", "test", "operation", "definition"};
  const char* const group_fills[5] = {kFactFill, kConstantFill, kTestFill, kOperationFill,
                                      kDefinitionFill};
  for (std::size_t group = 0; group < 5; ++group) {
    out += fmt::format("  classDef {} fill:{},stroke:#333,color:#000\n", group_names[group],
                       group_fills[group]);
  }
  out += "  classDef shared stroke-width:3px\n";
  for (const auto& entry : kinds) {
    const std::string& name = entry.first;
    // Every recommendation of a class has the same kind: take the first's colour.
    const auto first = std::find_if(recommendations.begin(), recommendations.end(),
                                    [&](const RecommendationInfo& recommendation) {
                                      return kind_class(recommendation.kind) == name;
                                    });
    out += fmt::format("  classDef {} fill:{},stroke:#333,color:#000\n", name,
                       kind_colour(first->kind));
  }
  for (std::size_t group = 0; group < 5; ++group) {
    if (!classes[group].empty()) {
      out += fmt::format("  class {} {}\n", join(classes[group]), group_names[group]);
    }
  }
  if (!shared.empty()) {
    out += fmt::format("  class {} shared\n", join(shared));
  }
  for (const auto& [name, ids] : kinds) {
    out += fmt::format("  class {} {}\n", join(ids), name);
  }
  return out;
}

// ---- JSON ----------------------------------------------------------------------------------

nlohmann::ordered_json graph_to_json(const Guideline& guideline) {
  const DecisionGraph& graph = guideline.graph();
  const auto nodes = graph.nodes();
  const Drawing drawing = make_drawing(guideline);
  nlohmann::ordered_json out;
  out["guideline"] = {
      {"id", guideline.id()}, {"title", guideline.title()}, {"version", guideline.version()}};
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nlohmann::ordered_json node;
    node["id"] = i;
    node["op"] = opcode_name(nodes[i].op);
    node["label"] = drawing.labels[i];
    nlohmann::ordered_json operands = nlohmann::ordered_json::array();
    for (const NodeId operand : graph.operands(nodes[i])) {
      operands.push_back(operand.value);
    }
    node["operands"] = std::move(operands);
    node["definition"] = drawing.definitions[i].empty()
                             ? nlohmann::ordered_json(nullptr)
                             : nlohmann::ordered_json(drawing.definitions[i].front());
    node["users"] = drawing.users[i];
    node["test"] = is_test(nodes[i].op);
    list.push_back(std::move(node));
  }
  out["nodes"] = std::move(list);
  nlohmann::ordered_json definitions = nlohmann::ordered_json::array();
  for (const DefinitionInfo& definition : guideline.definitions()) {
    definitions.push_back({{"name", definition.name}, {"node", definition.value.value}});
  }
  out["definitions"] = std::move(definitions);
  nlohmann::ordered_json recommendations = nlohmann::ordered_json::array();
  for (const RecommendationInfo& recommendation : guideline.recommendations()) {
    recommendations.push_back({{"id", recommendation.id},
                               {"kind", recommendation.kind},
                               {"node", recommendation.condition.value}});
  }
  out["recommendations"] = std::move(recommendations);
  return out;
}

}  // namespace rubric

// Drawing the decision graph (tools/graph_output.hpp): DOT, Mermaid and JSON of a tiny
// guideline, escaping of labels, the seed guideline's sources and sinks, and, when Graphviz's
// `dot` is on PATH, that the DOT renders to SVG.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "engine/guideline.hpp"
#include "support.hpp"
#include "tools/graph_output.hpp"

namespace rubric {
namespace {

using rubric::testing::read_text;

std::shared_ptr<const Guideline> compile_text(const std::string& text) {
  SourceManager sources;
  const FileId file = sources.add("test.rubric", text);
  Diagnostics diagnostics;
  auto guideline = Guideline::compile(sources, file, diagnostics);
  INFO(format_diagnostics(sources, diagnostics));
  REQUIRE(guideline != nullptr);
  return guideline;
}

std::shared_ptr<const Guideline> seed_guideline() {
  static const std::shared_ptr<const Guideline> seed = compile_text(
      read_text(std::string(RUBRIC_SOURCE_DIR) +
                "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric"));
  return seed;
}

// A guideline of five nodes: %0 fact age, %1 constant 18, %2 >= %0, %1 (`grown`, used by
// %4 and by recommendation b), %3 fact smoker, %4 and %2, %3.
constexpr const char* kTiny =
    "guideline \"tiny\" title \"Tiny\" version \"0.1\"\n"
    "source 1 \"A source\"\n"
    "fact age: integer\n"
    "fact smoker: boolean\n"
    "parameter adult = 18\n"
    "define grown = age >= adult\n"
    "recommendation a\n  kind refer\n  text \"a\"\n  cite 1\n  when grown and smoker\n"
    "recommendation b\n  kind follow-up\n  text \"b\"\n  cite 1\n  when grown\n";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool dot_available() {
  return std::system("command -v dot > /dev/null 2>&1") == 0;
}

// Runs `dot -Tsvg` on `dot_text`; returns the SVG, or "" with `exit_code` set on failure.
std::string render_svg(const std::string& dot_text, const std::string& stem, int& exit_code) {
  const std::string unique = stem + "-" + std::to_string(std::random_device{}());
  const std::filesystem::path directory = std::filesystem::temp_directory_path();
  const std::filesystem::path input = directory / (unique + ".dot");
  const std::filesystem::path output = directory / (unique + ".svg");
  std::ofstream(input, std::ios::binary) << dot_text;
  const std::string command =
      "dot -Tsvg '" + input.string() + "' -o '" + output.string() + "' 2>/dev/null";
  exit_code = std::system(command.c_str());
  std::string svg = read_text(output.string());
  std::filesystem::remove(input);
  std::filesystem::remove(output);
  return svg;
}

}  // namespace

TEST_CASE("graph_to_dot draws sources, operations, definitions and sinks", "[graph][dot]") {
  const auto guideline = compile_text(kTiny);
  const std::string dot = graph_to_dot(*guideline);
  INFO(dot);
  CHECK(dot.rfind("digraph \"tiny\" {\n", 0) == 0);
  CHECK(contains(dot, "rankdir=LR"));
  CHECK(contains(dot, "label=\"decision graph of tiny 0.1\""));
  CHECK(contains(dot, "  n0 [label=\"age\", shape=box, style=\"rounded,filled\""));
  CHECK(contains(dot, "  n1 [label=\"18\", shape=note"));
  // The definition is named above its operation and, used twice, drawn bold with its count.
  CHECK(contains(dot, "  n2 [label=\"grown\\n(>=)\\n2 users\", shape=hexagon"));
  CHECK(contains(dot, "fillcolor=\"#d9f2dc\", penwidth=2.5];\n"));
  CHECK(contains(dot, "  n3 [label=\"smoker\", shape=box"));
  CHECK(contains(dot, "  n4 [label=\"and\", shape=ellipse, fillcolor=\"#ffffff\"];\n"));
  CHECK(contains(dot, "  r0 [label=\"a\\nkind refer\", shape=cds"));
  CHECK(contains(dot, "  r1 [label=\"b\\nkind follow-up\", shape=cds"));
  CHECK(contains(dot, "  { rank=source; n0; n3; }\n"));
  CHECK(contains(dot, "  { rank=sink; r0; r1; }\n"));
  // Edges from operand to user; the order of a comparison's operands is labelled.
  CHECK(contains(dot, "  n0 -> n2 [label=\"left\"];\n"));
  CHECK(contains(dot, "  n1 -> n2 [label=\"right\"];\n"));
  CHECK(contains(dot, "  n2 -> n4;\n"));
  CHECK(contains(dot, "  n3 -> n4;\n"));
  CHECK(contains(dot, "  n4 -> r0;\n"));
  CHECK(contains(dot, "  n2 -> r1;\n"));
  CHECK(dot.substr(dot.size() - 2) == "}\n");
  // Deterministic: the same text compiles to the same drawing.
  CHECK(graph_to_dot(*compile_text(kTiny)) == dot);
}

TEST_CASE("graph_to_mermaid draws the same graph as a flowchart", "[graph][mermaid]") {
  const auto guideline = compile_text(kTiny);
  const std::string mermaid = graph_to_mermaid(*guideline);
  INFO(mermaid);
  CHECK(mermaid.rfind("flowchart LR\n", 0) == 0);
  CHECK(contains(mermaid, "  n0([\"age\"])\n"));
  CHECK(contains(mermaid, "  n1[/\"18\"/]\n"));
  CHECK(contains(mermaid, "  n2{{\"grown<br/>(#gt;=)<br/>2 users\"}}\n"));
  CHECK(contains(mermaid, "  n4(\"and\")\n"));
  CHECK(contains(mermaid, "  r1>\"b<br/>kind follow-up\"]\n"));
  CHECK(contains(mermaid, "  n0 -->|\"left\"| n2\n"));
  CHECK(contains(mermaid, "  n2 --> n4\n"));
  CHECK(contains(mermaid, "  n2 --> r1\n"));
  CHECK(contains(mermaid, "  class n0,n3 fact\n"));
  CHECK(contains(mermaid, "  class n2 definition\n"));
  CHECK(contains(mermaid, "  class n2 shared\n"));
  CHECK(contains(mermaid, "  class r1 kind_follow_up\n"));
  CHECK(contains(mermaid, "  classDef kind_follow_up fill:"));
  CHECK(graph_to_mermaid(*compile_text(kTiny)) == mermaid);
}

TEST_CASE("graph_to_json lists nodes, definitions and recommendations", "[graph][json]") {
  const auto guideline = compile_text(kTiny);
  const nlohmann::ordered_json expected = nlohmann::ordered_json::parse(R"({
    "guideline": {"id": "tiny", "title": "Tiny", "version": "0.1"},
    "nodes": [
      {"id": 0, "op": "fact", "label": "age", "operands": [], "definition": null,
       "users": 1, "test": false},
      {"id": 1, "op": "constant", "label": "18", "operands": [], "definition": null,
       "users": 1, "test": false},
      {"id": 2, "op": ">=", "label": ">=", "operands": [0, 1], "definition": "grown",
       "users": 2, "test": true},
      {"id": 3, "op": "fact", "label": "smoker", "operands": [], "definition": null,
       "users": 1, "test": false},
      {"id": 4, "op": "and", "label": "and", "operands": [2, 3], "definition": null,
       "users": 1, "test": false}
    ],
    "definitions": [{"name": "grown", "node": 2}],
    "recommendations": [
      {"id": "a", "kind": "refer", "node": 4},
      {"id": "b", "kind": "follow-up", "node": 2}
    ]
  })");
  CHECK(graph_to_json(*guideline).dump(2) == expected.dump(2));
}

TEST_CASE("a node using the same operand twice counts as one user", "[graph][json]") {
  const auto guideline = compile_text(
      "guideline \"twice\"\nsource 1 \"A source\"\nfact smoker: boolean\n"
      "recommendation a\n  kind refer\n  text \"a\"\n  cite 1\n  when smoker and smoker\n");
  const nlohmann::ordered_json json = graph_to_json(*guideline);
  INFO(json.dump(2));
  REQUIRE(json["nodes"].size() == 2);
  CHECK(json["nodes"][1]["operands"] == nlohmann::ordered_json::array({0, 0}));
  CHECK(json["nodes"][0]["users"] == 1);
  CHECK_FALSE(contains(graph_to_dot(*guideline), "users"));
}

TEST_CASE("labels escape quotes, backslashes and markup", "[graph][escape]") {
  // The literal 'say "hi" \ <b>' prints as 'say \"hi\" \\ <b>'.
  const auto guideline = compile_text(
      "guideline \"quote \\\"q\\\" \\\\ id\"\nsource 1 \"A source\"\nfact side: string\n"
      "recommendation a\n  kind refer\n  text \"a\"\n  cite 1\n"
      "  when side = 'say \"hi\" \\\\ <b>'\n");
  const std::string dot = graph_to_dot(*guideline);
  INFO(dot);
  CHECK(dot.rfind("digraph \"quote \\\"q\\\" \\\\ id\" {\n", 0) == 0);
  CHECK(contains(dot, "  n1 [label=\"'say \\\\\\\"hi\\\\\\\" \\\\\\\\ <b>'\", shape=note"));

  const std::string mermaid = graph_to_mermaid(*guideline);
  INFO(mermaid);
  CHECK(contains(mermaid, "  n1[/\"'say \\#quot;hi\\#quot; \\\\ #lt;b#gt;'\"/]\n"));
  CHECK(contains(mermaid, "%% decision graph of quote \"q\" \\ id\n"));

  const nlohmann::ordered_json json = graph_to_json(*guideline);
  CHECK(json["nodes"][1]["label"] == "'say \\\"hi\\\" \\\\ <b>'");
  CHECK(json["guideline"]["id"] == "quote \"q\" \\ id");

  if (dot_available()) {
    int exit_code = -1;
    const std::string svg = render_svg(dot, "rubric-graph-escape-test", exit_code);
    CHECK(exit_code == 0);
    CHECK(contains(svg, "&#39;say \\&quot;hi\\&quot; \\\\ &lt;b&gt;&#39;"));
  }
}

TEST_CASE("the seed guideline's graph has its facts as sources and recommendations as sinks",
          "[graph][seed]") {
  const auto seed = seed_guideline();
  const nlohmann::ordered_json json = graph_to_json(*seed);
  REQUIRE(json["nodes"].size() == seed->graph().size());

  // One node per fact, labelled with its name.
  std::size_t fact_nodes = 0;
  for (const auto& node : json["nodes"]) {
    if (node["op"] == "fact") {
      ++fact_nodes;
      CHECK(node["operands"].empty());
      CHECK(seed->find_fact(node["label"].get<std::string>()).has_value());
    }
  }
  CHECK(fact_nodes == seed->facts().size());

  // One sink per recommendation, with its kind, fed by its condition.
  const std::string dot = graph_to_dot(*seed);
  const auto recommendations = seed->recommendations();
  REQUIRE(json["recommendations"].size() == recommendations.size());
  for (std::size_t k = 0; k < recommendations.size(); ++k) {
    const RecommendationInfo& recommendation = recommendations[k];
    CHECK(json["recommendations"][k]["id"] == recommendation.id);
    CHECK(json["recommendations"][k]["kind"] == recommendation.kind);
    CHECK(json["recommendations"][k]["node"] == recommendation.condition.value);
    CHECK(contains(dot, "  r" + std::to_string(k) + " [label=\"" + recommendation.id + "\\nkind " +
                            recommendation.kind + "\""));
    CHECK(contains(dot, "  n" + std::to_string(recommendation.condition.value) + " -> r" +
                            std::to_string(k) + ";\n"));
  }

  // `conservative` is one node, shared by 7 operations and 5 recommendations.
  const auto conservative =
      std::find_if(json["nodes"].begin(), json["nodes"].end(),
                   [](const auto& node) { return node["definition"] == "conservative"; });
  REQUIRE(conservative != json["nodes"].end());
  CHECK((*conservative)["users"] == 12);
  CHECK(contains(dot, "[label=\"conservative\\n(and)\\n12 users\", shape=ellipse"));
  CHECK(graph_to_dot(*seed) == dot);
}

TEST_CASE("the seed guideline's DOT renders with Graphviz", "[graph][seed][graphviz]") {
  if (!dot_available()) {
    WARN("skipped: Graphviz's `dot` is not on PATH (apt-get install graphviz)");
    return;
  }
  int exit_code = -1;
  const std::string svg =
      render_svg(graph_to_dot(*seed_guideline()), "rubric-graph-seed-test", exit_code);
  CHECK(exit_code == 0);
  CHECK(contains(svg, "<svg"));
  CHECK(contains(svg, "conservative"));
}

}  // namespace rubric

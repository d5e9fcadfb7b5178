// Drawing a compiled guideline's decision graph (`rubric graph`): Graphviz DOT, Mermaid and
// JSON. docs/graph.md explains how to read the picture.
//
// All three formats describe the same thing. Graph node i is `n<i>` in DOT and Mermaid and
// `"id": i` in JSON, the number `%i` of Guideline::dump(); recommendation k (in declaration
// order) is `r<k>`. Facts and constants are the sources; each operation points at its users
// (data flows left to right); recommendations are the sinks. A node carrying a definition is
// labelled with the definition's name above its operation ("conservative\n(and)"); a node
// with more than one user (another node or a recommendation; each counted once) is shared,
// drawn with a bold border and its number of users. The output depends only on the guideline
// and is byte-for-byte stable.
//
// Constants are labelled with their literal value (`4 weeks`, `'left'`): the compiled graph
// does not remember which parameter a constant came from.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/guideline.hpp"

namespace rubric {

// A Graphviz `digraph`, laid out left to right; render with `dot -Tsvg`.
std::string graph_to_dot(const Guideline& guideline);

// A Mermaid `flowchart LR`, for Markdown viewers that draw Mermaid blocks.
std::string graph_to_mermaid(const Guideline& guideline);

// {"guideline": {"id", "title", "version"},
//  "nodes": [{"id", "op", "label", "operands", "definition", "users", "test"}],
//  "definitions": [{"name", "node"}], "recommendations": [{"id", "kind", "node"}]}.
// `op` is the opcode's name as Guideline::dump() prints it ("fact", "constant", "and", ">=",
// "is null"); `label` the fact's name, the constant's literal or the opcode's name;
// `operands` node ids in order; `definition` the first definition (in evaluation order) whose
// value is the node, or null (the "definitions" array lists them all); `users` the number of
// distinct nodes and recommendations using the node; `test` whether the node tests something
// (a comparison, `is`, `in`).
nlohmann::ordered_json graph_to_json(const Guideline& guideline);

}  // namespace rubric

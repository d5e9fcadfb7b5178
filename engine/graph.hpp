// The decision graph: a checked guideline compiled to a DAG of operations.
//
// Invariants: `nodes` is in topological order (every operand index is smaller than its
// user's index), so one forward pass evaluates the graph; structurally identical
// sub-expressions are one node (hash-consed), so every fact is read and every test evaluated
// at most once per evaluation; definitions are shared by every use. The graph is immutable
// after compilation and may be read from many threads.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "dsl/source.hpp"
#include "engine/operators.hpp"
#include "values/value.hpp"

namespace rubric {

struct NodeId {
  std::uint32_t value = 0;
  friend bool operator==(NodeId, NodeId) = default;
};

struct Node {
  Opcode op = Opcode::constant;
  std::uint32_t payload = 0;
  std::uint32_t first_operand = 0;
  std::uint32_t operand_count = 0;
  SourceRange range;  // the first expression this node was compiled from
};

class DecisionGraph {
 public:
  [[nodiscard]] std::size_t size() const { return nodes_.size(); }
  [[nodiscard]] const Node& node(NodeId id) const { return nodes_[id.value]; }
  [[nodiscard]] std::span<const Node> nodes() const { return nodes_; }
  [[nodiscard]] std::span<const NodeId> operands(const Node& node) const {
    return {operands_.data() + node.first_operand, node.operand_count};
  }
  [[nodiscard]] const Value& constant(const Node& node) const { return constants_[node.payload]; }
  // The constant a constant node's payload indexes.
  [[nodiscard]] const Value& constant_at(std::uint32_t index) const { return constants_[index]; }
  [[nodiscard]] std::size_t memory_bytes() const;

 private:
  friend class GraphBuilder;
  std::vector<Node> nodes_;
  std::vector<NodeId> operands_;
  std::vector<Value> constants_;
  std::deque<std::string> strings_;  // owns the characters of string constants
};

class FactSet;

// One forward pass over `graph`: values[i] becomes the value of node i. Resizes `values`
// only when it is smaller than the graph.
void evaluate_graph(const DecisionGraph& graph, const FactSet& facts, std::vector<Value>& values);

}  // namespace rubric

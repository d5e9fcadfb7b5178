#include "engine/graph.hpp"

namespace rubric {

std::size_t DecisionGraph::memory_bytes() const {
  std::size_t bytes = nodes_.capacity() * sizeof(Node) + operands_.capacity() * sizeof(NodeId) +
                      constants_.capacity() * sizeof(Value);
  for (const std::string& text : strings_) {
    bytes += sizeof(std::string) + text.capacity();
  }
  return bytes;
}

}  // namespace rubric

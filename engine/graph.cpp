#include "engine/graph.hpp"

namespace rubric {

const char* opcode_name(Opcode op) {
  switch (op) {
    case Opcode::constant: return "constant";
    case Opcode::fact: return "fact";
    case Opcode::logical_not: return "not";
    case Opcode::logical_and: return "and";
    case Opcode::logical_or: return "or";
    case Opcode::logical_xor: return "xor";
    case Opcode::implies: return "implies";
    case Opcode::equal: return "=";
    case Opcode::not_equal: return "!=";
    case Opcode::equivalent: return "~";
    case Opcode::not_equivalent: return "!~";
    case Opcode::less: return "<";
    case Opcode::less_or_equal: return "<=";
    case Opcode::greater: return ">";
    case Opcode::greater_or_equal: return ">=";
    case Opcode::add: return "+";
    case Opcode::subtract: return "-";
    case Opcode::multiply: return "*";
    case Opcode::divide: return "/";
    case Opcode::truncated_divide: return "div";
    case Opcode::modulo: return "mod";
    case Opcode::negate: return "negate";
    case Opcode::is_null: return "is null";
    case Opcode::is_true: return "is true";
    case Opcode::is_false: return "is false";
    case Opcode::in_list: return "in";
    case Opcode::if_then_else: return "if";
    case Opcode::coalesce: return "Coalesce";
    case Opcode::to_decimal: return "to decimal";
  }
  return "?";
}

bool is_test(Opcode op) {
  switch (op) {
    case Opcode::equal:
    case Opcode::not_equal:
    case Opcode::equivalent:
    case Opcode::not_equivalent:
    case Opcode::less:
    case Opcode::less_or_equal:
    case Opcode::greater:
    case Opcode::greater_or_equal:
    case Opcode::is_null:
    case Opcode::is_true:
    case Opcode::is_false:
    case Opcode::in_list: return true;
    default: return false;
  }
}

std::size_t DecisionGraph::memory_bytes() const {
  std::size_t bytes = nodes_.capacity() * sizeof(Node) + operands_.capacity() * sizeof(NodeId) +
                      constants_.capacity() * sizeof(Value);
  for (const std::string& text : strings_) {
    bytes += sizeof(std::string) + text.capacity();
  }
  return bytes;
}

}  // namespace rubric

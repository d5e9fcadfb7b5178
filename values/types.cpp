#include "values/types.hpp"

#include <string_view>

namespace rubric {

namespace {

std::string kind_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::error: return "error";
    case TypeKind::null: return "null";
    case TypeKind::boolean: return "boolean";
    case TypeKind::integer: return "integer";
    case TypeKind::decimal: return "decimal";
    case TypeKind::string: return "string";
    case TypeKind::quantity: return "quantity";
    case TypeKind::code: return "code";
    case TypeKind::list: return "list";
    case TypeKind::date: return "date";
    case TypeKind::date_time: return "datetime";
  }
  return "error";
}

}  // namespace

std::string type_name(const Type& type) {
  if (type.kind == TypeKind::quantity) {
    if (type.dimension == Dimension::time()) {
      return "duration";
    }
    return "quantity of " + type.dimension.name();
  }
  if (type.kind == TypeKind::string && type.coding) {
    return "coding";
  }
  if (type.kind == TypeKind::list) {
    Type element = type;
    element.kind = type.element_kind;
    return "list of " + (type.element_kind == TypeKind::null ? "null" : type_name(element));
  }
  return kind_name(type.kind);
}

std::string a_type_name(const Type& type) {
  const std::string name = type_name(type);
  const bool vowel =
      !name.empty() && std::string_view("aeiou").find(name.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + name;
}

}  // namespace rubric

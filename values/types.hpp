// The static types of Rubric expressions, as the checker computes them.
#pragma once

#include <cstdint>
#include <string>

#include "values/units.hpp"

namespace rubric {

enum class TypeKind : std::uint8_t {
  error,  // an expression that already has a diagnostic; never reported again
  null,   // the literal `null`: compatible with every type
  boolean,
  integer,
  decimal,
  string,
  quantity,   // with a dimension
  code,       // a string restricted to a declared set of codes
  list,       // `{...}`, only as the right operand of `in`; element_kind says of what
  date,       // a CQL Date: `@2026-06-15`, `Today()`
  date_time,  // a CQL DateTime: `@2026-06-15T10:30:00Z`
};

struct Type {
  TypeKind kind = TypeKind::error;
  Dimension dimension;                     // quantity, or list of quantity
  TypeKind element_kind = TypeKind::null;  // list only
  std::uint32_t code_set = 0;              // code: index of the fact whose codes apply
  // A string (or a list of strings) holding codings: `SYSTEM|CODE` (docs/language.md,
  // "Codings"). A coding compares only with a coding.
  bool coding = false;

  static Type of(TypeKind kind) { return Type{kind, {}, TypeKind::null, 0, false}; }
  static Type quantity(Dimension dimension) {
    return Type{TypeKind::quantity, dimension, TypeKind::null, 0, false};
  }
  static Type of_coding() { return Type{TypeKind::string, {}, TypeKind::null, 0, true}; }
  [[nodiscard]] bool is_numeric() const {
    return kind == TypeKind::integer || kind == TypeKind::decimal;
  }
  // A Date or a DateTime (CQL compares and orders the two together).
  [[nodiscard]] bool is_temporal() const {
    return kind == TypeKind::date || kind == TypeKind::date_time;
  }
  friend bool operator==(const Type&, const Type&) = default;
};

// "boolean", "integer", "decimal", "string", "duration", "quantity of mass", "code",
// "coding", "list of integer", "null", "date", "datetime".
std::string type_name(const Type& type);
// The name with its indefinite article, for messages: "an integer", "a duration".
std::string a_type_name(const Type& type);

}  // namespace rubric

#include "values/fact_set.hpp"

#include "values/binding.hpp"

#include <algorithm>
#include <compare>
#include <utility>

namespace rubric {
namespace {

// A limit or value as written in a message: "10", "2.5", "0 days", "1 day", "500 mg",
// "true", "'left'".
std::string value_text(const Value& value) {
  return to_text(value, TextStyle::message);
}

// "an integer", "a decimal", "a duration", "a quantity of mass", ...
std::string type_phrase(const Type& type) {
  switch (type.kind) {
    case TypeKind::boolean: return "a boolean";
    case TypeKind::integer: return "an integer";
    case TypeKind::decimal: return "a decimal";
    case TypeKind::string: return type.coding ? "a coding" : "a string";
    case TypeKind::code: return "a code";
    case TypeKind::quantity:
      if (type.dimension == Dimension::time()) {
        return "a duration";
      }
      if (type.dimension.is_dimensionless()) {
        return "a dimensionless quantity";
      }
      return "a quantity of " + type.dimension.name();
    case TypeKind::date: return "a date";
    case TypeKind::date_time: return "a datetime";
    case TypeKind::error:
    case TypeKind::null:
    case TypeKind::list: break;
  }
  return "a value";
}

// The order of `value` against `limit`; nullopt when they cannot be compared (a value of
// another type than the fact's, or a quantity of another dimension).
std::optional<std::strong_ordering> compare_to_limit(const Value& value, const Value& limit) {
  const auto numeric = [](const Value& v) {
    return v.kind() == ValueKind::integer || v.kind() == ValueKind::decimal;
  };
  if (value.kind() == ValueKind::integer && limit.kind() == ValueKind::integer) {
    return value.as_integer() <=> limit.as_integer();
  }
  if (numeric(value) && numeric(limit)) {
    return value.as_decimal() <=> limit.as_decimal();
  }
  if (value.kind() == ValueKind::quantity && limit.kind() == ValueKind::quantity) {
    if (!commensurable(value.unit(), limit.unit())) {
      return std::nullopt;
    }
    return compare_quantities(value.as_decimal(), value.unit(), limit.as_decimal(), limit.unit());
  }
  if (value.kind() == ValueKind::string && limit.kind() == ValueKind::string) {
    return value.as_string().compare(limit.as_string()) <=> 0;
  }
  return std::nullopt;
}

}  // namespace

std::string FactSpec::expected() const {
  if (type.kind == TypeKind::boolean) {
    return "`true` or `false`";
  }
  if (type.kind == TypeKind::code) {
    if (codes.empty()) {
      return "a code";
    }
    std::string text = "one of ";
    for (std::size_t index = 0; index < codes.size(); ++index) {
      if (index > 0) {
        text += ", ";
      }
      text += "'" + codes[index] + "'";
    }
    return text;
  }
  std::string text = type_phrase(type);
  if (type.kind == TypeKind::quantity && !unit.empty()) {
    if (accepted_units.empty()) {
      text = "a quantity in `" + unit + "` or a unit of the same dimension";
      for (const UnitConversion& conversion : conversions) {
        text += ", or in `" + conversion.from->code + "`";
      }
    } else {
      // "a quantity in `mg/g`", "a quantity in `mmol/L` or `mg/dL`", "... in `a`, `b` or `c`".
      std::vector<const Unit*> units = accepted_units;
      for (const UnitConversion& conversion : conversions) {
        units.push_back(conversion.from);
      }
      text = "a quantity in ";
      for (std::size_t index = 0; index < units.size(); ++index) {
        if (index > 0) {
          text += index + 1 == units.size() ? " or " : ", ";
        }
        text += "`" + units[index]->code + "`";
      }
    }
  }
  if (minimum && maximum && minimum_inclusive && maximum_inclusive) {
    return text + " from " + value_text(*minimum) + " to " + value_text(*maximum);
  }
  std::string lower;
  std::string upper;
  if (minimum) {
    lower = (minimum_inclusive ? "of at least " : "above ") + value_text(*minimum);
  }
  if (maximum) {
    upper = (maximum_inclusive ? "of at most " : "below ") + value_text(*maximum);
  }
  if (!lower.empty() && !upper.empty()) {
    // "a decimal above 0 and of at most 10" reads badly; drop the second "of".
    if (upper.starts_with("of ")) {
      upper.erase(0, 3);
    }
    return text + " " + lower + " and " + upper;
  }
  if (!lower.empty()) {
    return text + " " + lower;
  }
  if (!upper.empty()) {
    return text + " " + upper;
  }
  return text;
}

std::optional<std::string> FactSpec::violation(const Value& value) const {
  if (value.is_null()) {
    return std::nullopt;
  }
  if (type.coding && (value.kind() != ValueKind::string || !parse_coding_text(value.as_string()))) {
    return value_text(value) + " is not a coding written `SYSTEM|CODE`";
  }
  if (type.kind == TypeKind::code && !codes.empty()) {
    const bool allowed = value.kind() == ValueKind::string &&
                         std::find(codes.begin(), codes.end(), value.as_string()) != codes.end();
    if (!allowed) {
      return value_text(value) + " is not " + expected();
    }
  }
  if (minimum) {
    const std::optional<std::strong_ordering> order = compare_to_limit(value, *minimum);
    if (!order) {
      return value_text(value) + " is not " + type_phrase(type);
    }
    if (minimum_inclusive && *order == std::strong_ordering::less) {
      return value_text(value) + " is below the minimum " + value_text(*minimum);
    }
    if (!minimum_inclusive && *order != std::strong_ordering::greater) {
      return value_text(value) + " is not above " + value_text(*minimum);
    }
  }
  if (maximum) {
    const std::optional<std::strong_ordering> order = compare_to_limit(value, *maximum);
    if (!order) {
      return value_text(value) + " is not " + type_phrase(type);
    }
    if (maximum_inclusive && *order == std::strong_ordering::greater) {
      return value_text(value) + " is above the maximum " + value_text(*maximum);
    }
    if (!maximum_inclusive && *order != std::strong_ordering::less) {
      return value_text(value) + " is not below " + value_text(*maximum);
    }
  }
  return std::nullopt;
}

FactSet::FactSet(const FactSet& other) : values_(other.values_) {
  // The copied string values still view the original's storage: re-point each at a copy of
  // its characters owned by this set.
  for (Value& value : values_) {
    if (value.kind() == ValueKind::string) {
      value = Value::string(keep(value.as_string()));
    }
  }
}

FactSet& FactSet::operator=(const FactSet& other) {
  if (this != &other) {
    FactSet copy(other);
    *this = std::move(copy);
  }
  return *this;
}

std::string_view FactSet::keep(std::string_view text) {
  // A deque never moves its elements when it grows, so earlier views stay valid.
  return strings_.emplace_back(text);
}

void FactSet::clear() {
  std::fill(values_.begin(), values_.end(), Value::null());
  strings_.clear();
}

}  // namespace rubric

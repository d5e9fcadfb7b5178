#include "engine/fact_messages.hpp"

#include <fmt/format.h>

#include "dsl/diagnostic.hpp"

namespace rubric {

std::string shown(std::string_view text) {
  constexpr std::size_t kMaximum = 60;
  std::string out;
  for (const char character : text) {
    const auto c = static_cast<unsigned char>(character);
    if (out.size() >= kMaximum && (c & 0xC0U) != 0x80U) {
      out += "...";
      break;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20U || c == 0x7FU) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
    } else {
      out += character;
    }
  }
  return out;
}

bool is_boolean_text(std::string_view text) {
  return text == "true" || text == "True" || text == "TRUE" || text == "false" || text == "False" ||
         text == "FALSE";
}

std::string example_quantity(const Dimension& dimension) {
  if (dimension == Dimension::time()) {
    return "10 weeks";
  }
  if (dimension == Dimension::mass()) {
    return "5 mg";
  }
  if (dimension == Dimension::length()) {
    return "5 cm";
  }
  if (dimension == Dimension::volume()) {
    return "5 mL";
  }
  if (dimension == Dimension::international_unit()) {
    return "800 [iU]";
  }
  if (dimension.is_dimensionless()) {
    return "5 %";
  }
  return "5 " + dimension.name();
}

std::string dimension_phrase(const Dimension& dimension) {
  if (dimension == Dimension::time()) {
    return "a duration";
  }
  if (dimension.is_dimensionless()) {
    return "a dimensionless quantity";
  }
  return "a quantity of " + dimension.name();
}

std::string expected_with_example(const FactSpec& fact) {
  std::string text = fact.expected();
  if (fact.type.kind == TypeKind::quantity) {
    text += ", such as " + in_backticks(fact.unit.empty() ? example_quantity(fact.type.dimension)
                                                          : "5 " + fact.unit);
  }
  return text;
}

std::string number_detail(NumberProblem problem, std::string_view text) {
  switch (problem) {
    case NumberProblem::too_large: return ", which is too large";
    case NumberProblem::too_precise: return ", which has more than 8 digits after the point";
    case NumberProblem::malformed:
      // An exponent, but not a hexadecimal digit `e` (`0x1e`).
      if (text.find_first_of("eE") != std::string_view::npos &&
          text.find_first_of("xX") == std::string_view::npos) {
        return "; write the number without an exponent";
      }
      return "";
    case NumberProblem::none: break;
  }
  return "";
}

}  // namespace rubric

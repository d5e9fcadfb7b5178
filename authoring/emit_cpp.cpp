// Generates the C++ evaluator of one guideline (see emit_cpp.hpp).
//
// Every needed boolean node i becomes two bools, t<i> (known true) and f<i> (known false);
// both false is null. Kleene logic is then plain bitwise logic: and is (ta & tb, fa | fb),
// or is (ta | tb, fa & fb), not swaps them. A comparison is (known & c, known & !c) where
// `known` says its facts are present (their bits in Facts::present) and `c` is the comparison
// on the facts' fields (an absent fact's field holds some value that `known` masks). Numbers and
// quantities compare exactly: each side is an integer times a rational factor (10^-8 for fixed
// point, times the unit's factor to its dimension's base unit), and `a*fa <op> b*fb` is evaluated
// as `a*ma <op> b*mb` in 128-bit integers with ma, mb reduced, checked here never to overflow.
#include "authoring/emit_cpp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <map>
#include <numeric>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "engine/graph.hpp"
#include "engine/node_operations.hpp"
#include "engine/search_limits.hpp"

namespace rubric {

const Unit* emitted_unit(const FactSpec& fact) {
  if (fact.type.kind != TypeKind::quantity) {
    return nullptr;
  }
  if (!fact.unit.empty()) {
    return find_unit(fact.unit);
  }
  // The dimension's own unit for quantities declared without one.
  const std::pair<Dimension, const char*> kUnits[] = {{Dimension::time(), "s"},
                                                      {Dimension::mass(), "g"},
                                                      {Dimension::length(), "m"},
                                                      {Dimension::volume(), "mL"},
                                                      {Dimension::international_unit(), "[iU]"}};
  for (const auto& [dimension, code] : kUnits) {
    if (fact.type.dimension == dimension) {
      return find_unit(code);
    }
  }
  return nullptr;
}

namespace {

__extension__ using UInt128 = unsigned __int128;

constexpr Int128 kFixedOne = Decimal::kOne;
constexpr Int128 kInt64Limit = Int128{1} << 63;
constexpr Int128 kProductLimit = Int128{1} << 126;

Int128 absolute(Int128 value) {
  return value < 0 ? -value : value;
}

Int128 gcd128(Int128 a, Int128 b) {
  a = absolute(a);
  b = absolute(b);
  while (b != 0) {
    const Int128 r = a % b;
    a = b;
    b = r;
  }
  return a == 0 ? 1 : a;
}

// a * b, or nullopt when |a * b| would reach 2^126.
std::optional<Int128> checked_product(Int128 a, Int128 b) {
  if (a == 0 || b == 0) {
    return Int128{0};
  }
  if (absolute(a) >= kProductLimit / absolute(b)) {
    return std::nullopt;
  }
  return a * b;
}

std::string unsigned_text(UInt128 value) {
  if (value == 0) {
    return "0";
  }
  std::string digits;
  while (value != 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  return digits;
}

// A C++ expression of type int128 (or long long when it fits) with this value.
std::string integer_literal(Int128 value) {
  if (value > -kInt64Limit && value < kInt64Limit) {
    return unsigned_text(static_cast<UInt128>(absolute(value))).insert(0, value < 0 ? "-" : "") +
           "LL";
  }
  const auto magnitude = static_cast<UInt128>(absolute(value));
  const auto high = static_cast<std::uint64_t>(magnitude >> 64);
  const auto low = static_cast<std::uint64_t>(magnitude);
  return fmt::format("{}(static_cast<int128>({}ULL) << 64 | static_cast<int128>({}ULL))",
                     value < 0 ? "-" : "", high, low);
}

std::string string_literal(std::string_view text) {
  std::string out = "std::string_view(\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += fmt::format("\\{:03o}", byte);
    } else {
      out += c;
    }
  }
  return out + fmt::format("\", {})", text.size());
}

// A comment-safe one-line excerpt of rule text.
std::string excerpt(std::string_view text, std::size_t limit = 80) {
  std::string out = collapse_whitespace(text);
  if (out.size() > limit) {
    out = out.substr(0, limit - 3) + "...";
  }
  // Never close or nest a comment, never continue a line.
  for (std::size_t at = out.find("*/"); at != std::string::npos; at = out.find("*/")) {
    out.replace(at, 2, "* /");
  }
  while (!out.empty() && out.back() == '\\') {
    out.pop_back();
  }
  return out;
}

}  // namespace

namespace {

// Every C++20 keyword and alternative token.
const std::set<std::string, std::less<>>& cpp_keywords() {
  static const std::set<std::string, std::less<>> kKeywords = {
      "alignas",       "alignof",     "and",
      "and_eq",        "asm",         "auto",
      "bitand",        "bitor",       "bool",
      "break",         "case",        "catch",
      "char",          "char8_t",     "char16_t",
      "char32_t",      "class",       "compl",
      "concept",       "const",       "consteval",
      "constexpr",     "constinit",   "const_cast",
      "continue",      "co_await",    "co_return",
      "co_yield",      "decltype",    "default",
      "delete",        "do",          "double",
      "dynamic_cast",  "else",        "enum",
      "explicit",      "export",      "extern",
      "false",         "float",       "for",
      "friend",        "goto",        "if",
      "inline",        "int",         "long",
      "mutable",       "namespace",   "new",
      "noexcept",      "not",         "not_eq",
      "nullptr",       "operator",    "or",
      "or_eq",         "private",     "protected",
      "public",        "register",    "reinterpret_cast",
      "requires",      "return",      "short",
      "signed",        "sizeof",      "static",
      "static_assert", "static_cast", "struct",
      "switch",        "template",    "this",
      "thread_local",  "throw",       "true",
      "try",           "typedef",     "typeid",
      "typename",      "union",       "unsigned",
      "using",         "virtual",     "void",
      "volatile",      "wchar_t",     "while",
      "xor",           "xor_eq"};
  return kKeywords;
}

// The macros of the C and C++ standard libraries whose names are not written in capitals
// (those in capitals, such as NULL, EOF, INT_MAX, are covered by the capitals rule), and the
// ones GCC and Clang predefine in their GNU modes (-std=gnu++20, CMake's default).
const std::set<std::string, std::less<>>& lowercase_macros() {
  static const std::set<std::string, std::less<>> kMacros = {
      "assert", "errno",   "math_errhandling", "offsetof", "setjmp",   "stderr", "stdin", "stdout",
      "va_arg", "va_copy", "va_end",           "va_start", "L_tmpnam", "unix",   "linux", "i386"};
  return kMacros;
}

bool written_in_capitals(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) != 0 ||
           std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

// <cinttypes>' format macros: PRId64, SCNxPTR, ...
bool format_macro(std::string_view name) {
  return (name.starts_with("PRI") || name.starts_with("SCN")) && name.size() > 3 &&
         (std::islower(static_cast<unsigned char>(name[3])) != 0 || name[3] == 'X');
}

bool is_identifier(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0])) != 0) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

}  // namespace

std::string cpp_name_problem(std::string_view name) {
  if (cpp_keywords().contains(name)) {
    return "is a C++ keyword";
  }
  if (name.starts_with('_') || name.find("__") != std::string_view::npos) {
    return "is reserved to the C++ implementation (it begins with `_` or contains `__`)";
  }
  if (lowercase_macros().contains(name) || format_macro(name)) {
    return "is a standard macro";
  }
  if (written_in_capitals(name)) {
    return "is written like a macro (capitals, digits and `_` only), and may be one";
  }
  return {};
}

std::string cpp_namespace_problem(std::string_view text) {
  std::size_t start = 0;
  bool first = true;
  while (true) {
    const std::size_t end = text.find("::", start);
    const std::string_view part = text.substr(start, end - start);
    if (!is_identifier(part)) {
      return "is not a C++ namespace; use identifiers joined by `::`";
    }
    if (const std::string problem = cpp_name_problem(part); !problem.empty()) {
      return fmt::format("cannot be a namespace: `{}` {}", part, problem);
    }
    if (first && (part == "std" || part == "posix" ||
                  (part.starts_with("std") && std::all_of(part.begin() + 3, part.end(), [](char c) {
                     return std::isdigit(static_cast<unsigned char>(c));
                   })))) {
      return fmt::format("cannot be a namespace: `{}` is reserved to the standard library", part);
    }
    if (end == std::string_view::npos) {
      return {};
    }
    first = false;
    start = end + 2;
  }
}

bool is_cpp_namespace(std::string_view text) {
  return cpp_namespace_problem(text).empty();
}

std::vector<std::string> fact_member_names(std::span<const FactSpec> facts) {
  // Names `Facts` itself declares or uses in its body, which a member must not take.
  static const std::set<std::string, std::less<>> kTaken = {
      "Facts", "present", "has", "mark_present", "fact", "is_present", "bit", "kFactWords"};
  const auto usable = [](std::string_view name) {
    return cpp_name_problem(name).empty() && !kTaken.contains(name);
  };
  std::vector<std::string> members(facts.size());
  std::set<std::string, std::less<>> taken;
  for (std::size_t i = 0; i < facts.size(); ++i) {
    if (usable(facts[i].name)) {
      members[i] = facts[i].name;
      taken.insert(facts[i].name);
    }
  }
  for (std::size_t i = 0; i < facts.size(); ++i) {
    if (!members[i].empty()) {
      continue;
    }
    // Runs of `_` shortened to one, none at either end, then one `_` appended: such a name
    // is no keyword, not reserved, no standard macro and none of kTaken.
    std::string base;
    for (const char c : facts[i].name) {
      if (c != '_' || (!base.empty() && base.back() != '_')) {
        base += c;
      }
    }
    while (!base.empty() && base.back() == '_') {
      base.pop_back();
    }
    if (base.empty() || std::isdigit(static_cast<unsigned char>(base[0])) != 0) {
      base.insert(0, base.empty() ? "fact" : "fact_");  // `_` -> `fact_`, `_2x` -> `fact_2x_`
    }
    std::string name = base + "_";
    for (int number = 2; taken.contains(name); ++number) {
      name = fmt::format("{}_{}_", base, number);
    }
    taken.insert(name);
    members[i] = std::move(name);
  }
  return members;
}

namespace {

enum class FieldKind { boolean, integer, fixed, text };

struct Field {
  FieldKind kind = FieldKind::boolean;
  const Unit* unit = nullptr;  // quantities: the unit of the field's value
  std::string type;            // the field's C++ type
  std::string unit_text;       // for the header: "", "s", "mg/d"
};

// One side of a numeric comparison: value = integer * numerator / denominator (in the
// dimension's base unit for quantities).
struct Scaled {
  std::string expression;  // the integer, as C++ (a fact's value_or, or a literal)
  std::optional<Int128> constant;
  Int128 numerator = 1;
  Int128 denominator = 1;
};

// A score test's minimum and its items (weight, item node), every weight positive.
struct ScoreTest {
  Int128 minimum = 0;
  std::vector<std::pair<Int128, std::uint32_t>> items;
};

// The most items a generated score test has: finding its missing facts tries up to
// 2^(items - 1) subsets per unknown item, and the library's walk enumerates every subset
// total exactly for so few (engine/evaluator.cpp).
constexpr std::size_t kMaxScoreItems = 16;

// The search for the exact outcome of one recommendation.
struct Search {
  std::size_t recommendation = 0;
  std::vector<std::uint32_t> cone;               // the condition's cone, in evaluation order
  std::vector<std::uint32_t> fact_nodes;         // its facts' nodes, in fact order
  std::vector<std::vector<std::string>> values;  // per fact: its regions' representatives
};

class Emitter {
 public:
  Emitter(const Guideline& guideline, const SourceManager& sources, const EmitOptions& options,
          Diagnostics& diagnostics)
      : guideline_(guideline),
        graph_(guideline.graph()),
        sources_(sources),
        options_(options),
        diagnostics_(diagnostics) {}

  std::optional<std::string> run() {
    member_names();
    fields();
    mark_needed();
    segments_.assign(graph_.size(), std::string());
    constant_lines_.assign(graph_.size(), std::string());
    for (std::uint32_t i = 0; i < graph_.size(); ++i) {
      if (needed_[i]) {
        const std::size_t start = body_.size();
        node(i);
        segments_[i] = body_.substr(start);
      }
    }
    plan_searches();
    if (failed_) {
      return std::nullopt;
    }
    return header();
  }

 private:
  // Reports a node outside the fragment (its dependents are not reported again).
  void unsupported(std::uint32_t index, SourceRange range, const std::string& what) {
    failed_node_[index] = true;
    unsupported(range, what);
  }

  void unsupported(SourceRange range, const std::string& what) {
    failed_ = true;
    diagnostics_.report(DiagnosticKind::cannot_generate, range,
                        fmt::format("`--emit-cpp` cannot compile {}; `rubric eval` and the "
                                    "library evaluate it",
                                    what));
  }

  void fields() {
    for (const FactSpec& spec : guideline_.facts()) {
      Field field;
      switch (spec.type.kind) {
        case TypeKind::boolean: field = {FieldKind::boolean, nullptr, "bool", ""}; break;
        case TypeKind::integer: field = {FieldKind::integer, nullptr, "std::int32_t", ""}; break;
        case TypeKind::decimal: field = {FieldKind::fixed, nullptr, "std::int64_t", ""}; break;
        case TypeKind::string:
        case TypeKind::code: field = {FieldKind::text, nullptr, "std::string_view", ""}; break;
        case TypeKind::quantity: {
          const Unit* unit = emitted_unit(spec);
          if (unit == nullptr) {
            unsupported(spec.range,
                        fmt::format("fact `{}` (a quantity without a declared unit)", spec.name));
            unit = find_unit("1");
          }
          field = {FieldKind::fixed, unit, "std::int64_t", unit->code};
          break;
        }
        default:
          unsupported(spec.range, fmt::format("fact `{}` of this type", spec.name));
          field = {FieldKind::boolean, nullptr, "bool", ""};
          break;
      }
      fields_.push_back(field);
    }
  }

  // A recommendation that Kleene logic may not decide exactly (Guideline::kleene_exact) gets
  // the library's search for exact outcomes (docs/semantics.md#exact-outcomes), generated as
  // an enumeration of every combination of region representatives of the absent facts its
  // condition reads. The library searches only when the search fits its budget
  // (Guideline::search_fits), decided from which facts are absent before searching, and
  // the search provably stays within it; the generated code decides the budget the same way.
  void plan_searches() {
    const auto recommendations = guideline_.recommendations();
    const auto domains = guideline_.fact_domains();
    for (std::size_t r = 0; r < recommendations.size(); ++r) {
      const std::uint32_t root = recommendations[r].condition.value;
      if (guideline_.kleene_exact(r) || failed_node_[root] || constant(root) != nullptr) {
        continue;
      }
      Search search;
      search.recommendation = r;
      std::vector<bool> in_cone(graph_.size(), false);
      in_cone[root] = true;
      for (std::uint32_t i = root + 1; i-- > 0;) {
        if (!in_cone[i]) {
          continue;
        }
        search.cone.push_back(i);
        for (const NodeId operand : graph_.operands(at(i))) {
          in_cone[operand.value] = true;
        }
      }
      std::reverse(search.cone.begin(), search.cone.end());
      std::string problem;
      for (const std::uint32_t i : search.cone) {
        if (at(i).op != Opcode::fact) {
          continue;
        }
        const std::uint32_t fact = at(i).payload;
        const FactDomain& domain = domains[fact];
        search.fact_nodes.push_back(i);
        const std::size_t regions = domain.regions.size() - 1;
        if (regions == 0) {
          problem = fmt::format("fact `{}` has no valid value", guideline_.facts()[fact].name);
        }
        for (std::size_t k = 1; k < domain.regions.size() && problem.empty(); ++k) {
          if (!field_value(fact, domain.regions[k].value)) {
            problem = fmt::format(
                "a representative value of fact `{}` cannot be written exactly "
                "in its field",
                guideline_.facts()[fact].name);
          }
        }
      }
      std::sort(search.fact_nodes.begin(), search.fact_nodes.end(),
                [&](std::uint32_t a, std::uint32_t b) { return at(a).payload < at(b).payload; });
      for (const std::uint32_t i : search.fact_nodes) {
        std::vector<std::string> values;
        const FactDomain& domain = domains[at(i).payload];
        for (std::size_t k = 1; k < domain.regions.size(); ++k) {
          values.push_back(field_value(at(i).payload, domain.regions[k].value).value_or(""));
        }
        search.values.push_back(std::move(values));
      }
      if (!problem.empty()) {
        unsupported(recommendations[r].range,
                    fmt::format("recommendation `{}`, whose outcome with absent facts is settled "
                                "by the search for exact outcomes: {}",
                                recommendations[r].id, problem));
        continue;
      }
      searches_.push_back(std::move(search));
    }
  }

  // A fact's value as a C++ constant of its field's type, or nullopt when it has none.
  [[nodiscard]] std::optional<std::string> field_value(std::uint32_t fact,
                                                       const Value& value) const {
    const Field& field = fields_[fact];
    switch (field.kind) {
      case FieldKind::boolean:
        if (value.kind() == ValueKind::boolean) {
          return value.as_boolean() ? std::string("true") : std::string("false");
        }
        return std::nullopt;
      case FieldKind::integer:
        if (value.kind() == ValueKind::integer) {
          return fmt::format("{}", value.as_integer());
        }
        return std::nullopt;
      case FieldKind::text:
        if (value.kind() == ValueKind::string) {
          return string_literal(value.as_string());
        }
        return std::nullopt;
      case FieldKind::fixed: break;
    }
    Int128 raw = 0;
    if (value.kind() == ValueKind::decimal && field.unit == nullptr) {
      raw = value.as_decimal().raw();
    } else if (value.kind() == ValueKind::integer && field.unit == nullptr) {
      raw = Int128{value.as_integer()} * kFixedOne;
    } else if (value.kind() == ValueKind::quantity && field.unit != nullptr) {
      // raw * (vn / vd) / (fn / fd), exactly.
      const Factor& from = value.unit().factor;
      const Factor& to = field.unit->factor;
      const std::optional<Int128> numerator = checked_product(from.numerator, to.denominator);
      const std::optional<Int128> denominator = checked_product(from.denominator, to.numerator);
      if (!numerator || !denominator) {
        return std::nullopt;
      }
      const std::optional<Int128> scaled = checked_product(value.as_decimal().raw(), *numerator);
      if (!scaled || *scaled % *denominator != 0) {
        return std::nullopt;
      }
      raw = *scaled / *denominator;
    } else {
      return std::nullopt;
    }
    if (raw >= kInt64Limit || raw < -kInt64Limit) {
      return std::nullopt;
    }
    return integer_literal(raw);
  }

  void mark_needed() {
    needed_.assign(graph_.size(), false);
    for (const RecommendationInfo& info : guideline_.recommendations()) {
      needed_[info.condition.value] = true;
    }
    for (std::size_t i = graph_.size(); i-- > 0;) {
      if (needed_[i]) {
        for (const NodeId operand : graph_.operands(graph_.nodes()[i])) {
          needed_[operand.value] = true;
        }
      }
    }
    boolean_.assign(graph_.size(), false);
    folded_.assign(graph_.size(), std::nullopt);
    failed_node_.assign(graph_.size(), false);
    may_be_null_.assign(graph_.size(), false);
  }

  [[nodiscard]] const Node& at(std::uint32_t index) const { return graph_.nodes()[index]; }

  // The value of a constant node, or of an operation on constants folded here; else null.
  [[nodiscard]] const Value* constant(std::uint32_t index) const {
    return folded_[index] ? &*folded_[index] : nullptr;
  }

  // The member of `Facts` holding a fact (fact_member_names).
  [[nodiscard]] std::string fact_name(std::uint32_t fact) const { return members_[fact]; }

  void member_names() { members_ = fact_member_names(guideline_.facts()); }

  [[nodiscard]] std::string comment(std::uint32_t index) const {
    const Node& node = at(index);
    const SourceRange range = node.range;
    const LineColumn position = sources_.line_column(range.file, range.offset);
    return fmt::format("  // %{} = {}: line {}: {}\n", index, opcode_name(node.op), position.line,
                       excerpt(expression_text(sources_, range)));
  }

  // Whether fact `fact` is present, as a C++ bool expression.
  [[nodiscard]] static std::string present_test(std::uint32_t fact) {
    return fmt::format("((facts.present[{}] & 0x{:x}ULL) != 0)", fact / 64,
                       std::uint64_t{1} << (fact % 64));
  }

  // Whether a node's value may be null, as a C++ expression (for the missing-facts pass).
  [[nodiscard]] std::string unknown(std::uint32_t index) const {
    const Node& node = at(index);
    if (node.op == Opcode::fact) {
      return "!" + present_test(node.payload);
    }
    if (const Value* value = constant(index)) {
      return value->is_null() ? "true" : "false";
    }
    return fmt::format("!(t{0} | f{0})", index);
  }

  // The t/f pair of a boolean operand, emitting it for a boolean fact or constant on first use.
  bool boolean_operand(std::uint32_t index, SourceRange range) {
    if (boolean_[index]) {
      return true;
    }
    if (const Value* constant_value = constant(index)) {
      const Value& value = *constant_value;
      if (value.is_null() || value.kind() == ValueKind::boolean) {
        const bool t = value.kind() == ValueKind::boolean && value.as_boolean();
        const bool f = value.kind() == ValueKind::boolean && !value.as_boolean();
        constant_lines_[index] =
            fmt::format("  [[maybe_unused]] constexpr bool t{0} = {1}, f{0} = {2};\n", index, t, f);
        body_ += constant_lines_[index];
        if (value.is_null()) {
          complete_path_ = false;
        } else {
          complete_ += fmt::format("    [[maybe_unused]] constexpr bool v{} = {};\n", index, t);
        }
        boolean_[index] = true;
        return true;
      }
    }
    if (!failed_node_[index]) {
      unsupported(range, "this operand of a logical operator");
    }
    return false;
  }

  // The node's two-valued form on the complete-facts path.
  void define_complete(std::uint32_t index, const std::string& value) {
    complete_ += fmt::format("    [[maybe_unused]] const bool v{} = {};\n", index, value);
  }

  void define(std::uint32_t index, const std::string& t, const std::string& f) {
    body_ += fmt::format(
        "  [[maybe_unused]] const bool t{0} = {1};\n  [[maybe_unused]] const bool f{0} = {2};\n",
        index, t, f);
    boolean_[index] = true;
  }

  void node(std::uint32_t index) {
    const Node& node = at(index);
    const auto operands = graph_.operands(node);
    if (node.op == Opcode::constant) {
      folded_[index] = graph_.constant(node);
      return;
    }
    // An operation on constants only is folded here, as the library computes it.
    bool all_constant = node.op != Opcode::fact;
    for (const NodeId operand : operands) {
      all_constant = all_constant && folded_[operand.value].has_value();
      if (failed_node_[operand.value]) {
        failed_node_[index] = true;  // reported once, at the operand
        return;
      }
    }
    if (all_constant) {
      folded_[index] = operations::compute(
          node.op, operands.size(),
          [&](std::size_t k) -> const Value& { return *folded_[operands[k].value]; });
      return;
    }
    if (node.op == Opcode::at_least) {
      score_test(index, node, operands);
      return;
    }
    const OperatorInfo& info = operator_info(node.op);
    if (!info.unsupported_in_cpp.empty()) {
      unsupported(index, node.range, std::string(info.unsupported_in_cpp));
      return;
    }
    if (node.op == Opcode::constant) {
      return;  // used in place by its users
    }
    if (node.op == Opcode::fact) {
      may_be_null_[index] = true;
      if (fields_[node.payload].kind == FieldKind::boolean) {
        body_ += comment(index);
        const std::string name = fact_name(node.payload);
        const std::string present = present_test(node.payload);
        define(index, fmt::format("{} & facts.{}", present, name),
               fmt::format("{} & !facts.{}", present, name));
        define_complete(index, fmt::format("facts.{}", name));
      }
      return;
    }
    if (info.relation != Relation::none) {
      compare(index, node, operands[0].value, operands[1].value);
      return;
    }
    if (node.op == Opcode::in_list) {
      in_list(index, node, operands);
      return;
    }
    emit_logic(index, node, info.logic, operands);
  }

  // A boolean operation (logic != none) as its truth and falsity masks, and its value
  // without nulls: the formulas of its three-valued table (engine/operators.hpp).
  void emit_logic(std::uint32_t index, const Node& node, Logic logic,
                  std::span<const NodeId> operands) {
    switch (logic) {
      case Logic::logical_not:
      case Logic::logical_and:
      case Logic::logical_or:
      case Logic::logical_xor:
      case Logic::implies: {
        for (const NodeId operand : operands) {
          if (!boolean_operand(operand.value, node.range)) {
            failed_node_[index] = true;
            return;
          }
        }
        body_ += comment(index);
        may_be_null_[index] = true;
        const std::uint32_t a = operands[0].value;
        const std::uint32_t b = operands.size() > 1 ? operands[1].value : a;
        switch (logic) {
          case Logic::logical_not:
            define(index, fmt::format("f{}", a), fmt::format("t{}", a));
            define_complete(index, fmt::format("!v{}", a));
            break;
          case Logic::logical_and:
            define(index, fmt::format("t{} & t{}", a, b), fmt::format("f{} | f{}", a, b));
            define_complete(index, fmt::format("v{} & v{}", a, b));
            break;
          case Logic::logical_or:
            define(index, fmt::format("t{} | t{}", a, b), fmt::format("f{} & f{}", a, b));
            define_complete(index, fmt::format("v{} | v{}", a, b));
            break;
          case Logic::logical_xor:
            define(index, fmt::format("(t{0} & f{1}) | (f{0} & t{1})", a, b),
                   fmt::format("(t{0} & t{1}) | (f{0} & f{1})", a, b));
            define_complete(index, fmt::format("v{} != v{}", a, b));
            break;
          default:  // a implies b = not a or b
            define(index, fmt::format("f{} | t{}", a, b), fmt::format("t{} & f{}", a, b));
            define_complete(index, fmt::format("!v{} | v{}", a, b));
            break;
        }
        return;
      }
      case Logic::is_null:
      case Logic::is_true:
      case Logic::is_false: {
        const std::uint32_t a = operands[0].value;
        if (logic != Logic::is_null || at(a).op != Opcode::fact ||
            fields_[at(a).payload].kind == FieldKind::boolean) {
          if (!boolean_operand(a, node.range)) {
            failed_node_[index] = true;
            return;
          }
        }
        body_ += comment(index);
        std::string truth;
        if (logic == Logic::is_null) {
          truth = boolean_[a] ? fmt::format("!(t{0} | f{0})", a) : unknown(a);
        } else {
          truth = fmt::format("{}{}", logic == Logic::is_true ? "t" : "f", a);
        }
        define(index, truth, fmt::format("!t{}", index));
        // Without nulls, `is null` is false and `is true`/`is false` are the value itself.
        define_complete(index, logic == Logic::is_null   ? std::string("false")
                               : logic == Logic::is_true ? fmt::format("v{}", a)
                                                         : fmt::format("!v{}", a));
        return;
      }
      case Logic::none: break;
    }
    // The table marks every other operation unsupported_in_cpp.
    unsupported(index, node.range, fmt::format("`{}`", opcode_name(node.op)));
  }

  // An `at least` node (a score's comparison or `at least N of`): threshold, offset, then
  // weight, item, ... with every weight a positive constant (engine/compiler.cpp). lo<i> is
  // the weight of the items known true, hi<i> adds that of the unknown ones; the test is true
  // when lo<i> reaches the minimum (threshold plus offset), false when hi<i> falls short,
  // null otherwise, as operations::at_least gives it.
  void score_test(std::uint32_t index, const Node& node, std::span<const NodeId> operands) {
    const Value* threshold = constant(operands[0].value);
    const Value* offset = constant(operands[1].value);
    if (threshold == nullptr || offset == nullptr) {
      unsupported(index, node.range,
                  "a score compared with a computed value (compare it with a constant or a "
                  "parameter)");
      return;
    }
    const std::optional<Int128> threshold_amount = operations::score_amount(*threshold);
    const std::optional<Int128> offset_amount = operations::score_amount(*offset);
    if (!threshold_amount || !offset_amount) {
      unsupported(index, node.range, "a score compared with null");
      return;
    }
    ScoreTest test;
    test.minimum = *threshold_amount + *offset_amount;
    for (std::size_t k = 2; k + 1 < operands.size(); k += 2) {
      const Value* weight = constant(operands[k].value);
      const std::optional<Int128> amount =
          weight != nullptr ? operations::score_amount(*weight) : std::nullopt;
      if (!amount || *amount <= 0) {
        unsupported(index, node.range, "a score whose weights are not positive constants");
        return;
      }
      test.items.emplace_back(*amount, operands[k + 1].value);
    }
    if (test.items.size() > kMaxScoreItems) {
      unsupported(index, node.range,
                  fmt::format("a score test of more than {} items (the missing facts of an "
                              "undetermined one are found by trying every subset of its "
                              "unknown items)",
                              kMaxScoreItems));
      return;
    }
    for (const auto& [weight, item] : test.items) {
      if (!boolean_operand(item, node.range)) {
        failed_node_[index] = true;
        return;
      }
    }
    body_ += comment(index);
    may_be_null_[index] = true;
    std::string low;
    std::string unknown_weight;
    std::string complete;
    for (const auto& [weight, item] : test.items) {
      const std::string amount = integer_literal(weight);
      low += fmt::format("{}(t{} ? {} : 0)", low.empty() ? "" : " +\n      ", item, amount);
      unknown_weight += fmt::format(" +\n      (!(t{0} | f{0}) ? {1} : 0)", item, amount);
      complete += fmt::format("{}(v{} ? {} : 0)", complete.empty() ? "" : " + ", item, amount);
    }
    if (test.items.empty()) {
      low = complete = "0";
    }
    const std::string minimum = integer_literal(test.minimum);
    body_ += fmt::format(
        "  const int128 lo{0} = {1};\n  [[maybe_unused]] const int128 hi{0} = lo{0}{2};\n", index,
        low, unknown_weight);
    define(index, fmt::format("lo{} >= {}", index, minimum),
           fmt::format("hi{} < {}", index, minimum));
    define_complete(index, fmt::format("static_cast<int128>({}) >= {}", complete, minimum));
    score_tests_.emplace(index, std::move(test));
  }

  // The integer-times-factor form of a fact or constant for numeric comparison.
  std::optional<Scaled> scaled(std::uint32_t index) const {
    const Node& node = at(index);
    Scaled out;
    if (node.op == Opcode::fact) {
      const Field& field = fields_[node.payload];
      out.expression = fmt::format("facts.{}", fact_name(node.payload));
      if (field.kind == FieldKind::integer) {
        return out;
      }
      if (field.kind != FieldKind::fixed) {
        return std::nullopt;
      }
      out.denominator = kFixedOne;
      if (field.unit != nullptr) {
        out.numerator = field.unit->factor.numerator;
        out.denominator *= field.unit->factor.denominator;
      }
      return out;
    }
    const Value* constant_value = constant(index);
    if (constant_value == nullptr) {
      return std::nullopt;
    }
    const Value& value = *constant_value;
    switch (value.kind()) {
      case ValueKind::integer: out.constant = Int128{value.as_integer()}; return out;
      case ValueKind::decimal:
        out.constant = value.as_decimal().raw();
        out.denominator = kFixedOne;
        return out;
      case ValueKind::quantity:
        out.constant = value.as_decimal().raw();
        out.numerator = value.unit().factor.numerator;
        out.denominator = kFixedOne * value.unit().factor.denominator;
        return out;
      default: return std::nullopt;
    }
  }

  // The C++ operator of a comparison (relation != none).
  static const char* relation(Opcode op) {
    constexpr std::array<const char*, 7> kCpp = {"<", "<=", ">", ">=", "==", "!=", "?"};
    return kCpp[static_cast<std::size_t>(operator_info(op).relation)];
  }

  // The C++ comparison of two present operands, or nullopt (after a diagnostic).
  std::optional<std::string> comparison(Opcode op, std::uint32_t a, std::uint32_t b,
                                        SourceRange range) {
    const auto text_of = [&](std::uint32_t index) -> std::optional<std::string> {
      const Node& n = at(index);
      if (n.op == Opcode::fact && fields_[n.payload].kind == FieldKind::text) {
        return fmt::format("facts.{}", fact_name(n.payload));
      }
      if (const Value* value = constant(index); value && value->kind() == ValueKind::string) {
        return string_literal(value->as_string());
      }
      return std::nullopt;
    };
    const auto boolean_of = [&](std::uint32_t index) -> std::optional<std::string> {
      const Node& n = at(index);
      if (n.op == Opcode::fact && fields_[n.payload].kind == FieldKind::boolean) {
        return fmt::format("facts.{}", fact_name(n.payload));
      }
      if (const Value* value = constant(index); value && value->kind() == ValueKind::boolean) {
        return value->as_boolean() ? std::string("true") : std::string("false");
      }
      return std::nullopt;
    };
    if (const auto ta = text_of(a), tb = text_of(b); ta && tb) {
      return fmt::format("({}.compare({}) {} 0)", *ta, *tb, relation(op));
    }
    if (const auto ba = boolean_of(a), bb = boolean_of(b);
        ba && bb && (op == Opcode::equal || op == Opcode::not_equal)) {
      return fmt::format("({} {} {})", *ba, relation(op), *bb);
    }
    const std::optional<Scaled> sa = scaled(a);
    const std::optional<Scaled> sb = scaled(b);
    if (!sa || !sb) {
      unsupported(range,
                  "a comparison of these operands (a fact with a constant or another "
                  "fact is supported)");
      return std::nullopt;
    }
    // a * na/da <op> b * nb/db  <=>  a * (na*db) <op> b * (nb*da), all factors positive.
    Int128 ma = sa->numerator * sb->denominator;
    Int128 mb = sb->numerator * sa->denominator;
    const Int128 common = gcd128(ma, mb);
    ma /= common;
    mb /= common;
    const auto side = [&](const Scaled& s, Int128 m) -> std::optional<std::string> {
      if (s.constant) {
        const std::optional<Int128> product = checked_product(*s.constant, m);
        if (!product) {
          return std::nullopt;
        }
        return integer_literal(*product);
      }
      if (m >= kInt64Limit) {
        return std::nullopt;
      }
      return m == 1 ? s.expression
                    : fmt::format("static_cast<int128>({}) * {}", s.expression, integer_literal(m));
    };
    const std::optional<std::string> left = side(*sa, ma);
    const std::optional<std::string> right = side(*sb, mb);
    if (!left || !right) {
      unsupported(range, "this comparison exactly in 128 bits (the units are too far apart)");
      return std::nullopt;
    }
    return fmt::format("({} {} {})", *left, relation(op), *right);
  }

  // Both operands are facts or constants; a null constant makes the test null.
  void compare(std::uint32_t index, const Node& node, std::uint32_t a, std::uint32_t b) {
    for (const std::uint32_t operand : {a, b}) {
      if (at(operand).op != Opcode::fact && constant(operand) == nullptr) {
        unsupported(index, node.range,
                    "a comparison whose operand is itself computed (compare a "
                    "fact with a constant or another fact)");
        return;
      }
    }
    body_ += comment(index);
    may_be_null_[index] = true;
    std::vector<std::string> known;
    for (const std::uint32_t operand : {a, b}) {
      const Node& n = at(operand);
      if (n.op == Opcode::fact) {
        known.push_back(present_test(n.payload));
      } else if (constant(operand)->is_null()) {
        define(index, "false", "false");
        complete_path_ = false;  // null whatever the facts
        return;
      }
    }
    const std::optional<std::string> test = comparison(node.op, a, b, node.range);
    if (!test) {
      failed_node_[index] = true;
      return;
    }
    std::string present = known.empty() ? "true" : known[0];
    if (known.size() > 1) {
      present += " && " + known[1];
    }
    body_ +=
        fmt::format("  const bool k{0} = {1};\n  const bool c{0} = {2};\n", index, present, *test);
    define(index, fmt::format("k{0} & c{0}", index), fmt::format("k{0} & !c{0}", index));
    define_complete(index, *test);
  }

  // `fact in {constants}`: never null. A present value is in the list when it equals some
  // non-null element; an absent one when the list holds `null`.
  void in_list(std::uint32_t index, const Node& node, std::span<const NodeId> operands) {
    const std::uint32_t value = operands[0].value;
    if (at(value).op != Opcode::fact) {
      unsupported(index, node.range, "`in` over a computed value (a fact is supported)");
      return;
    }
    body_ += comment(index);
    bool has_null = false;
    std::string any;
    for (std::size_t k = 1; k < operands.size(); ++k) {
      const Value* element = constant(operands[k].value);
      if (element == nullptr) {
        unsupported(index, node.range, "`in` over a list with computed elements");
        return;
      }
      if (element->is_null()) {
        has_null = true;
        continue;
      }
      const std::optional<std::string> test =
          comparison(Opcode::equal, value, operands[k].value, node.range);
      if (!test) {
        failed_node_[index] = true;
        return;
      }
      any += (any.empty() ? "" : " || ") + *test;
    }
    if (any.empty()) {
      any = "false";
    }
    body_ += fmt::format("  const bool k{0} = {1};\n  const bool c{0} = {2};\n", index,
                         present_test(at(value).payload), any);
    define(index, fmt::format("k{0} ? c{0} : {1}", index, has_null), fmt::format("!t{}", index));
    define_complete(index, any);
  }

  // The missing-facts pass: for every node that may be null, the absent facts that make it
  // null, exactly as Guideline::evaluate's walk finds them.
  std::string missing_pass() const {
    std::string out;
    for (std::uint32_t i = 0; i < graph_.size(); ++i) {
      if (!needed_[i] || !may_be_null_[i]) {
        continue;
      }
      const Node& node = at(i);
      if (node.op == Opcode::fact) {
        out += fmt::format("    [[maybe_unused]] const Missing m{} = {} ? bit({}) : Missing();\n",
                           i, unknown(i), node.payload);
        continue;
      }
      if (node.op == Opcode::at_least) {
        out += score_missing(i);
        continue;
      }
      std::string parts;
      for (const NodeId operand : graph_.operands(node)) {
        if (!may_be_null_[operand.value]) {
          continue;
        }
        parts += fmt::format(" | ({} ? m{} : Missing())", unknown(operand.value), operand.value);
      }
      out +=
          fmt::format("    [[maybe_unused]] const Missing m{} = {} ? (Missing(){}) : Missing();\n",
                      i, unknown(i), parts);
    }
    return out;
  }

  // The missing facts of score test `index`: those of its unknown items that could change it
  // (detail::could_change), as Guideline::evaluate's walk follows them.
  std::string score_missing(std::uint32_t index) const {
    const ScoreTest& test = score_tests_.at(index);
    std::string weights;
    std::string unknown_items;
    for (std::size_t k = 0; k < test.items.size(); ++k) {
      const auto& [weight, item] = test.items[k];
      weights += fmt::format("{}{}", k == 0 ? "" : ", ", integer_literal(weight));
      unknown_items +=
          fmt::format("{}(std::uint32_t{{{}}} << {})", k == 0 ? "" : " | ", unknown(item), k);
    }
    std::string out = fmt::format(
        "    [[maybe_unused]] Missing m{0};\n    if (!(t{0} | f{0})) {{\n"
        "      constexpr std::array<int128, {1}> weights = {{{2}}};\n"
        "      const std::uint32_t unknown = {3};\n",
        index, test.items.size(), weights, unknown_items);
    for (std::size_t k = 0; k < test.items.size(); ++k) {
      const auto& [weight, item] = test.items[k];
      if (!may_be_null_[item] || constant(item) != nullptr) {
        continue;  // never null, or a null constant: no fact to wait on
      }
      out += fmt::format(
          "      if (((unknown >> {1}) & 1U) != 0 &&\n"
          "          could_change(weights, unknown, {1}, {2} - lo{0}, {3} - lo{0})) {{\n"
          "        m{0} |= m{4};\n      }}\n",
          index, k, integer_literal(test.minimum - weight), integer_literal(test.minimum), item);
    }
    out += "    }\n";
    return out;
  }

  // A node's statements for the search: reading `trial` for `facts`, its t/f as tr/fr, every
  // other node's t/f (and k, c, lo, hi) as ts/fs (ks, ...); comments dropped, string
  // literals and members kept as they are.
  [[nodiscard]] static std::string trial_text(std::string_view text, std::uint32_t own) {
    static const std::set<std::string, std::less<>> kPrefixes = {"t", "f", "k", "c", "lo", "hi"};
    std::string out;
    std::size_t at_char = 0;
    while (at_char < text.size()) {
      const char c = text[at_char];
      if (text.substr(at_char, 2) == "//") {
        at_char = text.find('\n', at_char);
        at_char = at_char == std::string_view::npos ? text.size() : at_char;
        continue;
      }
      if (c == '"') {
        std::size_t end = at_char + 1;
        while (end < text.size() && text[end] != '"') {
          end += text[end] == '\\' ? 2 : 1;
        }
        out += text.substr(at_char, end + 1 - at_char);
        at_char = end + 1;
        continue;
      }
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') {
        out += c;
        ++at_char;
        continue;
      }
      std::size_t end = at_char;
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '_')) {
        ++end;
      }
      const std::string_view word = text.substr(at_char, end - at_char);
      const bool member = at_char > 0 && text[at_char - 1] == '.';
      std::size_t digits = word.size();
      while (digits > 0 && std::isdigit(static_cast<unsigned char>(word[digits - 1])) != 0) {
        --digits;
      }
      const std::string_view prefix = word.substr(0, digits);
      // Members (`facts.t1`) and numbers (`10LL`) stay as they are.
      const bool renamed = !member && std::isdigit(static_cast<unsigned char>(c)) == 0;
      if (renamed && word == "facts" && end < text.size() && text[end] == '.') {
        out += "trial";
      } else if (renamed && digits < word.size() && kPrefixes.contains(prefix)) {
        const std::string_view number = word.substr(digits);
        const bool mine = number == std::to_string(own);
        out += fmt::format("{}{}{}", prefix, mine && (prefix == "t" || prefix == "f") ? "r" : "s",
                           number);
      } else {
        out += word;
      }
      at_char = end;
    }
    // Without the lines the comments stood on.
    std::string kept;
    std::size_t start = 0;
    while (start < out.size()) {
      const std::size_t end = std::min(out.find('\n', start), out.size());
      const std::string_view line = std::string_view(out).substr(start, end - start);
      if (line.find_first_not_of(' ') != std::string_view::npos) {
        kept += fmt::format("{}\n", line);
      }
      start = end + 1;
    }
    return kept;
  }

  // The exact outcome of a searched recommendation whose condition Kleene logic leaves
  // unknown (inside the missing-facts pass: m<root> holds what Kleene logic waits on).
  std::string search_code(const Search& search) const {
    const RecommendationInfo& info = guideline_.recommendations()[search.recommendation];
    const std::uint32_t root = info.condition.value;
    const auto domains = guideline_.fact_domains();
    const std::size_t count = search.fact_nodes.size();
    std::string out = fmt::format(
        "    // `{0}`: unknown by Kleene logic; decided if every value of the absent facts it\n"
        "    // reads gives one outcome (docs/semantics.md#exact-outcomes).\n"
        "    if (!(t{1} | f{1})) {{\n",
        info.id, root);
    // q<i>: node i is unknown and the condition's value flows from it through unknown nodes.
    std::vector<std::vector<std::uint32_t>> users(graph_.size());
    for (const std::uint32_t i : search.cone) {
      for (const NodeId operand : graph_.operands(at(i))) {
        users[operand.value].push_back(i);
      }
    }
    for (auto i = search.cone.rbegin(); i != search.cone.rend(); ++i) {
      if (*i == root) {
        out += fmt::format("      [[maybe_unused]] const bool q{} = true;\n", root);
        continue;
      }
      std::string reached;
      for (const std::uint32_t user : users[*i]) {
        if (reached.find(fmt::format("q{} ", user)) == std::string::npos) {
          reached += fmt::format("{}q{} ", reached.empty() ? "" : "|| ", user);
        }
      }
      out += fmt::format("      [[maybe_unused]] const bool q{} = ({}) && ({});\n", *i, unknown(*i),
                         reached.empty() ? "false" : reached.substr(0, reached.size() - 1));
    }
    std::string uncovered;
    std::string limits;
    for (std::size_t k = 0; k < count; ++k) {
      const std::uint32_t node = search.fact_nodes[k];
      if (!domains[at(node).payload].covered()) {
        uncovered += fmt::format(" && !q{}", node);
      }
      limits += fmt::format("{}static_cast<std::uint16_t>(q{} ? {} : 0)", k == 0 ? "" : ", ", node,
                            search.values[k].size());
    }
    // The library's budget (Guideline::search_fits): (s + 1)^2 C n <= kMaxSearchWork, for
    // the s absent facts of the cone, C the product of their region counts, n the cone's
    // size; compared by division so that nothing overflows.
    out += "      std::uint64_t absent = 0;\n      std::uint64_t combinations = 1;\n";
    for (std::size_t k = 0; k < count; ++k) {
      out += fmt::format(
          "      if ({}) {{\n        ++absent;\n"
          "        combinations = std::min<std::uint64_t>(combinations * {}, {});\n      }}\n",
          unknown(search.fact_nodes[k]), std::max<std::size_t>(search.values[k].size(), 1),
          kMaxSearchWork + 1);
    }
    out += fmt::format(
        "      const bool fits = combinations <= {} / ((absent + 1) * (absent + 1)) / {};\n",
        kMaxSearchWork, search.cone.size());
    out += fmt::format(
        "      // Per fact: how many regions it is tried at (0: present, or not reached).\n"
        "      const std::array<std::uint16_t, {}> limit = {{{}}};\n",
        count, limits);
    out += fmt::format(
        "      const auto state = [&](const std::array<std::uint16_t, {}>& choice) {{\n"
        "        Facts trial = facts;\n",
        count);
    for (std::size_t k = 0; k < count; ++k) {
      const std::uint32_t fact = at(search.fact_nodes[k]).payload;
      std::string values;
      for (const std::string& value : search.values[k]) {
        values += ", " + value;
      }
      out += fmt::format(
          "        if (choice[{0}] != 0) {{\n"
          "          constexpr std::array<{1}, {2}> kValues = {{{1}{{}}{3}}};\n"
          "          trial.{4} = kValues[choice[{0}]];\n"
          "          trial.mark_present({5});\n        }}\n",
          k, fields_[fact].type, search.values[k].size() + 1, values, fact_name(fact), fact);
    }
    // Every node of the cone again; the known ones keep their values.
    for (const std::uint32_t i : search.cone) {
      if (!constant_lines_[i].empty()) {
        out += trial_text(constant_lines_[i], static_cast<std::uint32_t>(graph_.size()));
        continue;
      }
      if (!boolean_[i] || constant(i) != nullptr) {
        continue;
      }
      std::string segment = segments_[i];
      for (const std::uint32_t operand : search.cone) {
        if (const std::string& line = constant_lines_[operand]; !line.empty()) {
          for (std::size_t at_line = segment.find(line); at_line != std::string::npos;
               at_line = segment.find(line)) {
            segment.erase(at_line, line.size());
          }
        }
      }
      out += trial_text(segment, i);
      out += fmt::format(
          "  [[maybe_unused]] const bool ts{0} = (t{0} | f{0}) ? t{0} : tr{0};\n"
          "  [[maybe_unused]] const bool fs{0} = (t{0} | f{0}) ? f{0} : fr{0};\n",
          i);
    }
    out += fmt::format(
        "        return static_cast<std::uint8_t>(ts{0} ? 1U : fs{0} ? 2U : 4U);\n      }};\n",
        root);
    const std::size_t word = search.recommendation / 64;
    const std::uint64_t bit = std::uint64_t{1} << (search.recommendation % 64);
    out += fmt::format(
        "      if (fits && limit != std::array<std::uint16_t, {0}>{{}}{1}) {{\n"
        "        std::uint8_t seen = 0;\n"
        "        std::array<std::uint16_t, {0}> choice = first_choice(limit);\n"
        "        do {{\n          seen |= state(choice);\n"
        "        }} while ((seen == 1 || seen == 2) && next_choice(choice, limit, {0}));\n"
        "        if (seen == 1 || seen == 2) {{\n"
        "          decision.undetermined[{2}] &= ~0x{3:x}ULL;\n"
        "          if (seen == 1) {{\n            decision.recommended[{2}] |= 0x{3:x}ULL;\n"
        "          }}\n"
        "          decision.despite[{4}] = decision.missing[{4}];\n"
        "          decision.missing[{4}].reset();\n"
        "        }} else {{\n          Missing changes;\n",
        count, uncovered, word, bit, search.recommendation);
    for (std::size_t k = 0; k < count; ++k) {
      out += fmt::format(
          "          if (limit[{0}] != 0 && changes_outcome(state, limit, {0})) {{\n"
          "            changes.set({1});\n          }}\n",
          k, at(search.fact_nodes[k]).payload);
    }
    out += fmt::format("          decision.missing[{}] = changes;\n        }}\n      }}\n    }}\n",
                       search.recommendation);
    return out;
  }

  // When every fact the recommendations read is present, no node is null (the fragment has
  // no operation that makes null from present values, and complete_path_ is false when a
  // null constant takes part): each node is then one bool, computed as in two-valued logic,
  // and no recommendation is undetermined. Empty when that does not hold.
  std::string complete_path() const {
    if (!complete_path_) {
      return "";
    }
    std::vector<bool> read(guideline_.facts().size(), false);
    for (std::uint32_t i = 0; i < graph_.size(); ++i) {
      if (needed_[i] && at(i).op == Opcode::fact && !constant(i)) {
        read[at(i).payload] = true;
      }
    }
    // One test per word of presence bits.
    std::string out;
    std::string present;
    for (std::size_t word = 0; word * 64 < read.size(); ++word) {
      std::uint64_t mask = 0;
      for (std::size_t fact = word * 64; fact < std::min(read.size(), word * 64 + 64); ++fact) {
        mask |= read[fact] ? std::uint64_t{1} << (fact % 64) : 0;
      }
      if (mask != 0) {
        present += fmt::format("{}(facts.present[{}] & 0x{:x}ULL) == 0x{:x}ULL",
                               present.empty() ? "" : " &&\n      ", word, mask, mask);
      }
    }
    out += fmt::format(
        "  // Every fact read is present: two-valued logic, nothing undetermined.\n"
        "  if ({}) {{\n",
        present.empty() ? std::string("true") : present);
    out += complete_;
    out += masks("    ", "v{}", "");
    out +=
        "    if (decision.any_missing) {\n      for (Missing& missing : decision.missing) {\n"
        "        missing.reset();\n      }\n      for (Missing& despite : decision.despite) {\n"
        "        despite.reset();\n      }\n      decision.any_missing = false;\n    }\n"
        "    return;\n  }\n";
    return out;
  }

  // The statements setting decision.recommended and decision.undetermined: bit r % 64 of
  // word r / 64 from the C++ bool `made` (a format with the condition's node index) and
  // `unknown` (likewise; empty when nothing can be undetermined). Constant conditions give
  // constant bits.
  std::string masks(std::string_view indent, std::string_view made,
                    std::string_view unknown) const {
    const auto recommendations = guideline_.recommendations();
    // One term per distinct condition: recommendations sharing a condition (several follow
    // from `conservative` in the seed) take their bits in one operation.
    struct Term {
      std::string condition;  // a C++ bool, or empty for constant bits
      std::uint64_t bits = 0;
      std::string ids;
    };
    const auto add = [](std::vector<Term>& terms, const std::string& condition, std::size_t bit,
                        std::string_view id) {
      auto term = std::find_if(terms.begin(), terms.end(),
                               [&](const Term& t) { return t.condition == condition; });
      if (term == terms.end()) {
        terms.push_back({condition, 0, ""});
        term = terms.end() - 1;
      }
      term->bits |= std::uint64_t{1} << bit;
      term->ids += fmt::format("{}{}", term->ids.empty() ? "" : ", ", id);
    };
    // `decision.NAME[word] = a | b | c;`, a term a line with its recommendations' ids.
    const auto assign = [&](std::string_view name, std::size_t word,
                            const std::vector<Term>& terms) {
      if (terms.empty()) {
        return fmt::format("{}decision.{}[{}] = 0;\n", indent, name, word);
      }
      std::string out = fmt::format("{}decision.{}[{}] =\n", indent, name, word);
      for (std::size_t k = 0; k < terms.size(); ++k) {
        const Term& term = terms[k];
        std::string text;
        if (term.condition.empty()) {
          text = fmt::format("0x{:x}ULL", term.bits);
        } else if (std::has_single_bit(term.bits)) {
          text = fmt::format("(std::uint64_t{{{}}} << {})", term.condition,
                             std::countr_zero(term.bits));
        } else {
          text = fmt::format("(-std::uint64_t{{{}}} & 0x{:x}ULL)", term.condition, term.bits);
        }
        out += fmt::format("{}    {}{}  // {}\n", indent, text, k + 1 < terms.size() ? " |" : ";",
                           term.ids);
      }
      return out;
    };
    std::string out;
    const std::size_t words = (recommendations.size() + 63) / 64;
    for (std::size_t word = 0; word < words; ++word) {
      std::vector<Term> recommended;
      std::vector<Term> undetermined;
      const std::size_t last = std::min(recommendations.size(), word * 64 + 64);
      for (std::size_t r = word * 64; r < last; ++r) {
        const std::uint32_t root = recommendations[r].condition.value;
        const std::size_t bit = r % 64;
        const std::string_view id = recommendations[r].id;
        if (const Value* value = constant(root)) {
          if (value->is_null()) {
            add(undetermined, "", bit, id);
          } else if (value->as_boolean()) {
            add(recommended, "", bit, id);
          }
          continue;
        }
        add(recommended, fmt::format(fmt::runtime(made), root), bit, id);
        if (!unknown.empty()) {
          add(undetermined, fmt::format(fmt::runtime(unknown), root), bit, id);
        }
      }
      out += assign("recommended", word, recommended);
      out += assign("undetermined", word, undetermined);
    }
    return out;
  }

  std::string header() const {
    const auto facts = guideline_.facts();
    const auto recommendations = guideline_.recommendations();
    std::string out;
    out += fmt::format(
        "// Generated by `rubric compile --emit-cpp` from {} (guideline \"{}\", version \"{}\").\n"
        "// Do not edit: change the rule file and generate again.\n"
        "//\n"
        "// Contract: include this header in one or more translation units (C++20; GCC or Clang,\n"
        "// which provide __int128). `evaluate` is thread-safe, allocates nothing and gives "
        "exactly\n"
        "// what Rubric's Guideline::evaluate gives for the same facts: each recommendation "
        "made,\n"
        "// not made or undetermined, and for an undetermined one the absent facts it waits "
        "on.\n"
        "// Values are exact: decimals and quantities are fixed point, the value times 10^8\n"
        "// (kFixedPointOne), and a quantity is in the unit kFactUnits names for it (durations "
        "in\n"
        "// seconds). Facts must respect their declared limits, which this code does not "
        "check.\n"
        "#pragma once\n\n"
        "#include <array>\n#include <bit>\n#include <bitset>\n#include <cstddef>\n#include "
        "<cstdint>\n"
        "#include <string_view>\n\n"
        "namespace {} {{\n\n"
        "__extension__ using int128 = __int128;\n\n"
        "inline constexpr std::int64_t kFixedPointOne = 100000000;\n"
        "inline constexpr std::size_t kFactCount = {};\n"
        "inline constexpr std::size_t kRecommendationCount = {};\n"
        "inline constexpr std::size_t kFactWords = (kFactCount + 63) / 64;\n\n",
        options_.source_name.empty() ? std::string("a rule file") : options_.source_name,
        excerpt(guideline_.id()), excerpt(guideline_.version()), options_.namespace_name,
        facts.size(), recommendations.size());
    out += "// The facts in declaration order; a missing-facts bitset indexes this order.\n";
    out += "inline constexpr std::array<std::string_view, kFactCount> kFactNames = {\n";
    for (const FactSpec& spec : facts) {
      out += fmt::format("    \"{}\",\n", spec.name);
    }
    out += "};\n// The unit of each quantity fact's field (\"\" for other facts).\n";
    out += "inline constexpr std::array<std::string_view, kFactCount> kFactUnits = {\n";
    for (const Field& field : fields_) {
      out += fmt::format("    {},\n", string_literal(field.unit_text));
    }
    out +=
        "};\ninline constexpr std::array<std::string_view, kRecommendationCount> "
        "kRecommendationIds = {\n";
    for (const RecommendationInfo& info : recommendations) {
      out += fmt::format("    \"{}\",\n", info.id);
    }
    out +=
        "};\n\n"
        "// The index of the fact named `name` in kFactNames (and in Facts::present); kFactCount\n"
        "// for an unknown name.\n"
        "constexpr std::size_t fact_index(std::string_view name) noexcept {\n"
        "  for (std::size_t index = 0; index < kFactCount; ++index) {\n"
        "    if (kFactNames[index] == name) {\n      return index;\n    }\n  }\n"
        "  return kFactCount;\n}\n\n"
        "// One patient: a field per fact, and which facts are present. A fact is absent unless\n"
        "// marked present; an absent fact's field is ignored:\n"
        "//   facts.NAME = VALUE;\n"
        "//   facts.mark_present(fact_index(\"NAME\"));\n"
        "struct Facts {\n"
        "  // Bit i % 64 of word i / 64: fact i (kFactNames order) is present.\n"
        "  std::array<std::uint64_t, kFactWords> present{};\n";
    for (std::size_t i = 0; i < facts.size(); ++i) {
      const FactSpec& spec = facts[i];
      std::string note = spec.expected();
      if (fields_[i].kind == FieldKind::fixed) {
        note += fields_[i].unit != nullptr
                    ? fmt::format("; in `{}`, times 10^8", fields_[i].unit_text)
                    : "; times 10^8";
      }
      if (!spec.description.empty()) {
        note = fmt::format("{}: {}", spec.description, note);
      }
      if (members_[i] != spec.name) {
        note = fmt::format("fact {} (renamed: not usable as a C++ name): {}", spec.name, note);
      }
      out +=
          fmt::format("  // {}\n  {} {}{{}};\n", excerpt(note, 400), fields_[i].type, members_[i]);
    }
    out +=
        "\n  [[nodiscard]] bool has(std::size_t fact) const noexcept {\n"
        "    return ((present[fact / 64] >> (fact % 64)) & 1U) != 0;\n  }\n"
        "  void mark_present(std::size_t fact, bool is_present = true) noexcept {\n"
        "    const std::uint64_t bit = std::uint64_t{1} << (fact % 64);\n"
        "    present[fact / 64] = is_present ? present[fact / 64] | bit : present[fact / 64] & "
        "~bit;\n"
        "  }\n};\n\n";
    out +=
        "// Calls visit(index, name, field) for every fact, in declaration order.\n"
        "template <typename FactsType, typename Visitor>\n"
        "void for_each_fact(FactsType& facts, Visitor&& visit) {\n"
        "  static_cast<void>(facts);\n  static_cast<void>(visit);\n";
    for (std::size_t i = 0; i < facts.size(); ++i) {
      out +=
          fmt::format("  visit(std::size_t{{{}}}, kFactNames[{}], facts.{});\n", i, i, members_[i]);
    }
    out +=
        "}\n\n"
        "enum class Outcome : std::uint8_t { absent, recommended, undetermined };\n"
        "using Missing = std::bitset<kFactCount>;\n\n"
        "inline constexpr std::size_t kDecisionWords = (kRecommendationCount + 63) / 64;\n\n"
        "struct Decision {\n"
        "  // Bit r % 64 of word r / 64 is set when recommendation r is made (recommended) or\n"
        "  // undetermined (undetermined); neither when it is not made.\n"
        "  std::array<std::uint64_t, kDecisionWords> recommended{};\n"
        "  std::array<std::uint64_t, kDecisionWords> undetermined{};\n"
        "  // For an undetermined recommendation, the absent facts it waits on; empty "
        "otherwise.\n"
        "  std::array<Missing, kRecommendationCount> missing{};\n"
        "  // For a recommendation decided although Kleene logic left it unknown (the search for\n"
        "  // exact outcomes settled it), the absent facts it was decided despite; else empty.\n"
        "  std::array<Missing, kRecommendationCount> despite{};\n"
        "  // True when some `missing` or `despite` entry may be non-empty (saves clearing them).\n"
        "  bool any_missing = false;\n\n"
        "  [[nodiscard]] Outcome outcome(std::size_t recommendation) const noexcept {\n"
        "    const std::uint64_t bit = std::uint64_t{1} << (recommendation % 64);\n"
        "    if ((recommended[recommendation / 64] & bit) != 0) {\n"
        "      return Outcome::recommended;\n"
        "    }\n"
        "    return (undetermined[recommendation / 64] & bit) != 0 ? Outcome::undetermined\n"
        "                                                          : Outcome::absent;\n"
        "  }\n"
        "};\n\n"
        "namespace detail {\n"
        "inline Missing bit(std::size_t fact) {\n  Missing out;\n  out.set(fact);\n"
        "  return out;\n}\n\n";
    if (!score_tests_.empty()) {
      out +=
          "// Whether unknown item `item` of a score test could change it: some choice of true or\n"
          "// false for the other unknown items (bits of `unknown`) gives a total of theirs in\n"
          "// [low, high), below the test's minimum without the item and reaching it with it.\n"
          "template <std::size_t N>\n"
          "bool could_change(const std::array<int128, N>& weights, std::uint32_t unknown,\n"
          "                  std::size_t item, int128 low, int128 high) noexcept {\n"
          "  std::array<int128, N> others{};\n  std::size_t count = 0;\n"
          "  for (std::size_t k = 0; k < N; ++k) {\n"
          "    if (k != item && ((unknown >> k) & 1U) != 0) {\n"
          "      others[count++] = weights[k];\n    }\n  }\n"
          "  // Every subset in Gray-code order: one item joins or leaves at each step.\n"
          "  int128 total = 0;\n"
          "  for (std::uint32_t step = 0;; ++step) {\n"
          "    if (total >= low && total < high) {\n      return true;\n    }\n"
          "    if (step + 1 == (std::uint32_t{1} << count)) {\n      return false;\n    }\n"
          "    const std::uint32_t next = step + 1;\n"
          "    const int flip = std::countr_zero(next);\n"
          "    const bool joins = (((next ^ (next >> 1)) >> flip) & 1U) != 0;\n"
          "    total += joins ? others[static_cast<std::size_t>(flip)]\n"
          "                   : -others[static_cast<std::size_t>(flip)];\n"
          "  }\n}\n\n";
    }
    if (!searches_.empty()) {
      out +=
          "// The search for exact outcomes. `choice` gives each fact of a condition the region\n"
          "// it is tried at (1 to limit; 0 where limit is 0: the fact keeps its value).\n"
          "template <std::size_t N>\n"
          "constexpr std::array<std::uint16_t, N> first_choice(\n"
          "    const std::array<std::uint16_t, N>& limit) noexcept {\n"
          "  std::array<std::uint16_t, N> choice{};\n"
          "  for (std::size_t k = 0; k < N; ++k) {\n"
          "    choice[k] = limit[k] != 0 ? 1 : 0;\n  }\n  return choice;\n}\n\n"
          "// The next combination of the regions of every fact but `skip`; false after the last.\n"
          "template <std::size_t N>\n"
          "bool next_choice(std::array<std::uint16_t, N>& choice,\n"
          "                 const std::array<std::uint16_t, N>& limit, std::size_t skip) noexcept "
          "{\n"
          "  for (std::size_t k = 0; k < N; ++k) {\n"
          "    if (k == skip || limit[k] == 0) {\n      continue;\n    }\n"
          "    if (choice[k] < limit[k]) {\n      ++choice[k];\n      return true;\n    }\n"
          "    choice[k] = 1;\n  }\n  return false;\n}\n\n"
          "// Whether some regions of the other facts make the outcome depend on fact k's region.\n"
          "template <std::size_t N, typename State>\n"
          "bool changes_outcome(const State& state, const std::array<std::uint16_t, N>& limit,\n"
          "                     std::size_t k) noexcept {\n"
          "  std::array<std::uint16_t, N> choice = first_choice(limit);\n"
          "  do {\n    choice[k] = 1;\n    const std::uint8_t first = state(choice);\n"
          "    for (std::uint16_t region = 2; region <= limit[k]; ++region) {\n"
          "      choice[k] = region;\n"
          "      if (state(choice) != first) {\n        return true;\n      }\n    }\n"
          "  } while (next_choice(choice, limit, k));\n  return false;\n}\n\n";
    }
    out +=
        "// Three-valued evaluation, for any facts. Not inlined, so that the complete-facts path\n"
        "// of `evaluate` stays small enough to inline into its callers.\n"
        "[[gnu::noinline]] inline void evaluate_three_valued(const Facts& facts,\n"
        "                                                    Decision& decision) noexcept {\n";
    out += body_;
    out += masks("  ", "t{}", "!(t{0} | f{0})");
    // Constant conditions have no missing facts: only the others can need the pass.
    std::string undetermined;
    for (const RecommendationInfo& info : recommendations) {
      if (constant(info.condition.value) == nullptr) {
        undetermined += fmt::format("{0}!(t{1} | f{1})", undetermined.empty() ? "" : " |\n      ",
                                    info.condition.value);
      }
    }
    out += fmt::format("  [[maybe_unused]] const bool undetermined = {};\n",
                       undetermined.empty() ? std::string("false") : undetermined);
    out +=
        "  if (decision.any_missing) {\n    for (Missing& missing : decision.missing) {\n"
        "      missing.reset();\n    }\n    for (Missing& despite : decision.despite) {\n"
        "      despite.reset();\n    }\n    decision.any_missing = false;\n  }\n"
        "  if (!undetermined) {\n    return;\n  }\n  decision.any_missing = true;\n  {\n";
    out += missing_pass();
    for (std::size_t r = 0; r < recommendations.size(); ++r) {
      const std::uint32_t root = recommendations[r].condition.value;
      if (may_be_null_[root] && constant(root) == nullptr) {
        out += fmt::format("    decision.missing[{}] = m{};\n", r, root);
      }
    }
    for (const Search& search : searches_) {
      out += search_code(search);
    }
    out += "  }\n}\n\n}  // namespace detail\n\n";
    out +=
        "[[gnu::always_inline]] inline void evaluate(const Facts& facts, Decision& decision) "
        "noexcept {\n";
    out += complete_path();
    out += "  detail::evaluate_three_valued(facts, decision);\n}\n\n";
    out += fmt::format("}}  // namespace {}\n", options_.namespace_name);
    return out;
  }

  const Guideline& guideline_;
  const DecisionGraph& graph_;
  const SourceManager& sources_;
  const EmitOptions& options_;
  Diagnostics& diagnostics_;
  std::vector<Field> fields_;
  std::vector<std::string> members_;  // per fact: its member in `Facts`
  std::vector<bool> needed_;
  std::vector<bool> boolean_;                       // t<i>/f<i> emitted
  std::vector<bool> may_be_null_;                   // a fact or a node that can be null
  std::vector<std::optional<Value>> folded_;        // constants, given or folded
  std::vector<bool> failed_node_;                   // outside the fragment (reported)
  std::map<std::uint32_t, ScoreTest> score_tests_;  // per `at least` node
  std::vector<std::string> segments_;               // per node: the statements node() emitted
  std::vector<std::string> constant_lines_;         // per boolean constant: its t/f definition
  std::vector<Search> searches_;                    // per recommendation searched
  std::string body_;
  std::string complete_;       // the complete-facts path's statements
  bool complete_path_ = true;  // no null constant takes part
  bool failed_ = false;
};

}  // namespace

std::optional<std::string> emit_cpp(const Guideline& guideline, const SourceManager& sources,
                                    const EmitOptions& options, Diagnostics& diagnostics) {
  return Emitter(guideline, sources, options, diagnostics).run();
}

}  // namespace rubric

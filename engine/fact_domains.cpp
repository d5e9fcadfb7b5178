// Fact domains: see engine/fact_domains.hpp for the contract and docs/analysis.md for the method.
#include "engine/fact_domains.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "engine/node_operations.hpp"
#include "engine/operators.hpp"

namespace rubric {
namespace {

bool is_true_value(const Value& value) {
  return value.kind() == ValueKind::boolean && value.as_boolean();
}

bool before(const Value& a, const Value& b) {
  return is_true_value(less(a, b));
}
bool same(const Value& a, const Value& b) {
  return is_true_value(equal(a, b));
}

bool finite_domain(const FactSpec& spec) {
  return spec.type.kind == TypeKind::boolean || spec.type.kind == TypeKind::code;
}

bool numeric_kind(TypeKind kind) {
  return kind == TypeKind::integer || kind == TypeKind::decimal || kind == TypeKind::quantity;
}

// The largest integer <= value.
std::int64_t floor_of(Decimal value) {
  const Int128 raw = value.raw();
  Int128 quotient = raw / Decimal::kOne;
  if (raw % Decimal::kOne != 0 && raw < 0) {
    quotient -= 1;
  }
  return static_cast<std::int64_t>(quotient);
}

std::int64_t ceil_of(Decimal value) {
  const std::int64_t floor = floor_of(value);
  return value.is_integer() ? floor : floor + 1;
}

std::optional<Value> integer_value(std::int64_t number) {
  if (number < INT32_MIN || number > INT32_MAX) {
    return std::nullopt;
  }
  return Value::integer(static_cast<std::int32_t>(number));
}

// A value of the fact's type with the number `amount` (in `unit` for quantities).
std::optional<Value> typed_value(const FactSpec& spec, Decimal amount, const Unit* unit) {
  switch (spec.type.kind) {
    case TypeKind::integer: {
      if (!amount.is_integer()) {
        return std::nullopt;
      }
      return integer_value(floor_of(amount));
    }
    case TypeKind::decimal: return Value::decimal(amount);
    case TypeKind::quantity:
      if (unit == nullptr || !(unit->dimension == spec.type.dimension)) {
        return std::nullopt;
      }
      return Value::quantity(amount, *unit);
    default: return std::nullopt;
  }
}

const Unit* unit_of(const Value& value) {
  return value.kind() == ValueKind::quantity ? &value.unit() : nullptr;
}

// A unit to write values of a quantity fact in when no constant gives one.
const Unit* default_unit(const FactSpec& spec) {
  if (!spec.unit.empty()) {
    if (const Unit* unit = find_unit(spec.unit)) {
      return unit;
    }
  }
  for (const std::optional<Value>& limit : {spec.minimum, spec.maximum}) {
    if (limit && limit->kind() == ValueKind::quantity) {
      return &limit->unit();
    }
  }
  const Dimension dimension = spec.type.dimension;
  if (dimension == Dimension::time()) {
    return find_unit("days");
  }
  if (dimension == Dimension::mass()) {
    return find_unit("g");
  }
  if (dimension == Dimension::length()) {
    return find_unit("m");
  }
  if (dimension == Dimension::volume()) {
    return find_unit("L");
  }
  if (dimension.is_dimensionless()) {
    return find_unit("1");
  }
  return nullptr;
}

std::optional<Value> shifted(const FactSpec& spec, const Value& point, int direction) {
  const Decimal amount = point.as_decimal();
  if (spec.type.kind == TypeKind::integer) {
    return integer_value(direction < 0 ? ceil_of(amount) - 1 : floor_of(amount) + 1);
  }
  const std::optional<Decimal> one = Decimal::from_integer(direction);
  const std::optional<Decimal> moved = Decimal::add(amount, *one);
  if (!moved) {
    return std::nullopt;
  }
  return typed_value(spec, *moved, unit_of(point));
}

// A value of the fact's type strictly between a and b (a < b), if one is representable.
std::optional<Value> between(const FactSpec& spec, const Value& a, const Value& b) {
  if (spec.type.kind == TypeKind::integer) {
    const std::optional<Value> candidate = integer_value(floor_of(a.as_decimal()) + 1);
    if (candidate && before(*candidate, b)) {
      return candidate;
    }
    return std::nullopt;
  }
  // The bounds' own units first; then, for quantities, a fine unit of the dimension, in
  // which an interval too narrow for 8 digits in days (say) still holds a value.
  std::vector<const Unit*> units{unit_of(a), unit_of(b)};
  if (units[0] != nullptr) {
    for (const char* fine : {"ms", "ug", "mm", "mL"}) {
      const Unit* unit = find_unit(fine);
      if (unit != nullptr && commensurable(*unit, *units[0])) {
        units.push_back(unit);
      }
    }
  }
  for (const Unit* unit : units) {
    Decimal low = a.as_decimal();
    Decimal high = b.as_decimal();
    if (unit != nullptr) {
      const std::optional<Decimal> converted_low = convert(low, a.unit(), *unit);
      const std::optional<Decimal> converted_high = convert(high, b.unit(), *unit);
      if (!converted_low || !converted_high) {
        continue;
      }
      low = *converted_low;
      high = *converted_high;
    }
    const std::optional<Decimal> sum = Decimal::add(low, high);
    if (!sum) {
      continue;
    }
    const std::optional<Decimal> middle = Decimal::divide(*sum, *Decimal::from_integer(2));
    if (!middle) {
      continue;
    }
    const std::optional<Value> candidate = typed_value(spec, *middle, unit);
    if (candidate && before(a, *candidate) && before(*candidate, b)) {
      return candidate;
    }
    if (unit == nullptr) {
      break;
    }
  }
  return std::nullopt;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& character : out) {
    character = static_cast<char>(std::toupper(static_cast<unsigned char>(character)));
  }
  return out;
}

// The points at which `number ~ constant` (or `!~`) can change value as the number moves:
// the constant; for decimal equivalence (any decimal operand) also both ends of the interval
// of values that round to the constant at its precision (3.45 and 3.55 for 3.5), and the
// values of lower precision the constant rounds to (4 and 3.5 ~ 4 for 3.5: `4 ~ 3.5` compares
// at precision 0). Between consecutive points the equivalence is constant.
void add_equivalence_points(const Value& constant, std::vector<Value>& points) {
  points.push_back(constant);
  if (constant.kind() != ValueKind::integer && constant.kind() != ValueKind::decimal) {
    return;
  }
  const Decimal center = constant.as_decimal();
  const int precision = center.precision();
  if (precision < Decimal::kFractionDigits) {
    Int128 half = 5;
    for (int i = precision + 1; i < Decimal::kFractionDigits; ++i) {
      half *= 10;
    }
    for (const Int128 offset : {-half, half}) {
      if (const std::optional<Decimal> end = Decimal::from_raw(center.raw() + offset)) {
        points.push_back(Value::decimal(*end));
      }
    }
  }
  for (int digits = 0; digits < precision; ++digits) {
    if (const std::optional<Decimal> coarse = center.rounded(digits)) {
      points.push_back(Value::decimal(*coarse));
    }
  }
}

}  // namespace

void FactDomain::make_approximate(const char* reason) {
  if (exact) {
    approximate_because = reason;
  }
  exact = false;
}

FactDomainBuilder::FactDomainBuilder(std::size_t fact_count) : points_(fact_count) {}

void FactDomainBuilder::add_uses(const DecisionGraph& graph,
                                 std::span<const std::uint32_t> fact_index,
                                 std::span<const FactSpec> specs, std::span<FactDomain> domains) {
  for (const Node& node : graph.nodes()) {
    const auto inputs = graph.operands(node);
    const auto fact_of = [&](NodeId id) -> std::optional<std::uint32_t> {
      const Node& operand = graph.node(id);
      if (operand.op != Opcode::fact) {
        return std::nullopt;
      }
      return fact_index[operand.payload];
    };
    const auto kind_of = [&](NodeId id) { return specs[graph.node(id).payload].type.kind; };
    const auto is_constant = [&](NodeId id) { return graph.node(id).op == Opcode::constant; };
    if (is_comparison(node.op)) {
      for (std::size_t side = 0; side < 2; ++side) {
        const std::optional<std::uint32_t> fact = fact_of(inputs[side]);
        if (!fact) {
          continue;
        }
        const NodeId other = inputs[1 - side];
        if (is_constant(other)) {
          const Value& constant = graph.constant(graph.node(other));
          const TypeKind kind = kind_of(inputs[side]);
          const bool equivalence =
              node.op == Opcode::equivalent || node.op == Opcode::not_equivalent;
          if (equivalence && (kind == TypeKind::integer || kind == TypeKind::decimal)) {
            add_equivalence_points(constant, points_[*fact]);
          } else {
            points_[*fact].push_back(constant);
          }
          // Ordered strings have no finite partition; `~` on strings folds case and
          // whitespace (classes the representatives do not cover); `~` on quantities
          // depends on the unit a value is written in, not only on its magnitude.
          if ((kind == TypeKind::string && (is_ordering(node.op) || equivalence)) ||
              (kind == TypeKind::quantity && equivalence)) {
            domains[*fact].make_approximate(
                kind == TypeKind::quantity
                    ? "compared with `~`, which depends on the unit a value is written in"
                : equivalence ? "compared with `~`, which ignores case and white space"
                              : "ordered as text");
          }
        } else {
          domains[*fact].make_approximate("compared with something other than a constant");
        }
      }
      continue;
    }
    if (node.op == Opcode::in_list) {
      const bool constants = std::all_of(inputs.begin() + 1, inputs.end(), is_constant);
      for (std::size_t k = 0; k < inputs.size(); ++k) {
        const std::optional<std::uint32_t> fact = fact_of(inputs[k]);
        if (!fact) {
          continue;
        }
        if (k == 0 && constants) {
          for (std::size_t e = 1; e < inputs.size(); ++e) {
            points_[*fact].push_back(graph.constant(graph.node(inputs[e])));
          }
        } else {
          domains[*fact].make_approximate("tested with `in` against a list that is not constant");
        }
      }
      continue;
    }
    if (is_kleene(node.op)) {
      continue;  // booleans used as such, and `is` tests: any fact, exactly
    }
    if (operator_info(node.op).family == OperatorFamily::score) {
      // Items are booleans used as such; weights are constants. A fact as the threshold of
      // `at least` is compared with the totals, which are not points of its partition.
      if (node.op == Opcode::at_least) {
        if (const std::optional<std::uint32_t> fact = fact_of(inputs[0])) {
          domains[*fact].make_approximate("compared with a score");
        }
      }
      continue;
    }
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (node.op == Opcode::if_then_else && k == 0) {
        continue;  // the condition is a boolean
      }
      if (const std::optional<std::uint32_t> fact = fact_of(inputs[k])) {
        domains[*fact].make_approximate("used in arithmetic, `Coalesce` or a branch of `if`");
      }
    }
  }
}

void FactDomainBuilder::build(std::uint32_t fact_number,
                              std::span<const FactSpec* const> declarations,
                              const DomainLimits& limits, FactDomain& fact,
                              std::deque<std::string>& strings) {
  const FactSpec& spec = *declarations.front();
  std::vector<Value>& points = points_[fact_number];
  fact.regions.push_back(FactRegion{});  // absent
  std::vector<FactRegion> candidates;
  const auto add_value = [&](const Value& value) {
    FactRegion region;
    region.value = value;
    candidates.push_back(region);
  };
  fact.finite = spec.type.kind == TypeKind::boolean || spec.type.kind == TypeKind::code;
  switch (spec.type.kind) {
    case TypeKind::boolean:
      add_value(Value::boolean(true));
      add_value(Value::boolean(false));
      break;
    case TypeKind::code: {
      std::vector<std::string> codes;
      for (const FactSpec* declaration : declarations) {
        for (const std::string& code : declaration->codes) {
          if (std::find(codes.begin(), codes.end(), code) == codes.end()) {
            codes.push_back(code);
          }
        }
      }
      for (const std::string& code : codes) {
        add_value(Value::string(strings.emplace_back(code)));
      }
      break;
    }
    case TypeKind::string: {
      std::vector<std::string> texts;
      for (const Value& point : points) {
        if (point.kind() == ValueKind::string) {
          texts.emplace_back(point.as_string());
          texts.push_back(upper(point.as_string()));
        }
      }
      for (int n = 0;; ++n) {
        std::string other = n == 0 ? "other" : fmt::format("other {}", n);
        if (spec.type.coding) {
          other.insert(0, "urn:rubric:other|");  // a valid coding that no constant names
        }
        const bool clash = std::any_of(texts.begin(), texts.end(), [&](const std::string& text) {
          return is_true_value(equivalent(Value::string(text), Value::string(other)));
        });
        if (!clash) {
          texts.push_back(other);
          break;
        }
      }
      std::sort(texts.begin(), texts.end());
      texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
      for (const std::string& text : texts) {
        add_value(Value::string(strings.emplace_back(text)));
      }
      break;
    }
    case TypeKind::integer:
    case TypeKind::decimal:
    case TypeKind::quantity: {
      fact.ordered = true;
      if (spec.type.kind == TypeKind::integer && spec.minimum && spec.maximum &&
          spec.minimum->kind() == ValueKind::integer &&
          spec.maximum->kind() == ValueKind::integer &&
          static_cast<std::int64_t>(spec.maximum->as_integer()) - spec.minimum->as_integer() <
              limits.max_enumerated_integers) {
        // A small range: every value is its own region, exact whatever the uses.
        for (std::int32_t n = spec.minimum->as_integer(); n <= spec.maximum->as_integer(); ++n) {
          FactRegion region;
          region.value = Value::integer(n);
          region.low = region.value;
          region.high = region.value;
          region.low_inclusive = region.high_inclusive = true;
          candidates.push_back(region);
        }
        fact.exact = true;
        break;
      }
      // Points: the constants the fact is compared with and its limits, in order.
      std::vector<Value> sorted;
      const Value probe =
          spec.type.kind == TypeKind::quantity
              ? (default_unit(spec) ? Value::quantity(Decimal(), *default_unit(spec))
                                    : Value::null())
              : Value::integer(0);
      for (const std::optional<Value>& limit : {spec.minimum, spec.maximum}) {
        if (limit) {
          points.push_back(*limit);
        }
      }
      for (const Value& point : points) {
        if (!less(point, probe).is_null()) {  // comparable with the fact's values
          sorted.push_back(point);
        }
      }
      std::sort(sorted.begin(), sorted.end(), before);
      sorted.erase(std::unique(sorted.begin(), sorted.end(), same), sorted.end());
      if (sorted.size() * 2 + 1 > limits.max_regions_per_fact) {
        sorted.resize(limits.max_regions_per_fact / 2);
        fact.make_approximate("compared with more thresholds than the analysis partitions");
      }
      const auto add_region = [&](std::optional<Value> value, std::optional<Value> low,
                                  bool low_inclusive, std::optional<Value> high,
                                  bool high_inclusive) {
        if (!value) {
          // No representable value: an integer interval without integers or decimals 10^-8
          // apart hold no fact value at all (exact); quantities could still hold one in a
          // finer unit.
          if (spec.type.kind == TypeKind::quantity) {
            fact.make_approximate(
                "two of its thresholds are closer than any value the analysis can write");
          }
          return;
        }
        candidates.push_back(FactRegion{*value, low, low_inclusive, high, high_inclusive});
      };
      if (sorted.empty()) {
        const Unit* unit = default_unit(spec);
        add_region(typed_value(spec, Decimal(), unit), std::nullopt, false, std::nullopt, false);
        break;
      }
      add_region(shifted(spec, sorted.front(), -1), std::nullopt, false, sorted.front(), false);
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        const Value& point = sorted[i];
        const std::optional<Value> exact = typed_value(spec, point.as_decimal(), unit_of(point));
        if (exact) {
          add_region(exact, point, true, point, true);
        }
        if (i + 1 < sorted.size()) {
          add_region(between(spec, point, sorted[i + 1]), point, false, sorted[i + 1], false);
        }
      }
      add_region(shifted(spec, sorted.back(), 1), sorted.back(), false, std::nullopt, false);
      break;
    }
    case TypeKind::date:
    case TypeKind::date_time:
      fact.make_approximate("a date, which the analysis does not partition");
      break;
    case TypeKind::error:
    case TypeKind::null:
    case TypeKind::list: fact.make_approximate("of a type the analysis does not partition"); break;
  }
  // Keep the regions whose representative every declaring guideline accepts.
  for (const FactRegion& region : candidates) {
    bool valid = true;
    for (const FactSpec* declaration : declarations) {
      valid = valid && !declaration->violation(region.value).has_value();
    }
    if (valid) {
      fact.regions.push_back(region);
    }
  }
  if (!finite_domain(spec) && !numeric_kind(spec.type.kind) && spec.type.kind != TypeKind::string) {
    fact.make_approximate("of a type the analysis does not partition");
  }
}

}  // namespace rubric

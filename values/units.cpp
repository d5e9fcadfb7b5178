#include "values/units.hpp"

#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>

namespace rubric {
namespace {

constexpr std::size_t kTime = 0;
constexpr std::size_t kMass = 1;
constexpr std::size_t kLength = 2;
constexpr std::size_t kInternationalUnit = 3;

// Exponents written after a UCUM atom (`cm3`, `s-1`) are limited to this magnitude.
constexpr int kMaximumWrittenExponent = 9;

Dimension base_dimension(std::size_t index, int exponent = 1) {
  Dimension dimension;
  dimension.exponents[index] = static_cast<std::int8_t>(exponent);
  return dimension;
}

Int128 greatest_common_divisor(Int128 a, Int128 b) {
  while (b != 0) {
    const Int128 remainder = a % b;
    a = b;
    b = remainder;
  }
  return a;
}

// The reduced product of two reduced positive factors; nullopt on overflow.
std::optional<Factor> multiply_factors(const Factor& a, const Factor& b) {
  const Int128 first_gcd = greatest_common_divisor(a.numerator, b.denominator);
  const Int128 second_gcd = greatest_common_divisor(b.numerator, a.denominator);
  Factor product;
  if (__builtin_mul_overflow(a.numerator / first_gcd, b.numerator / second_gcd,
                             &product.numerator) ||
      __builtin_mul_overflow(a.denominator / second_gcd, b.denominator / first_gcd,
                             &product.denominator)) {
    return std::nullopt;
  }
  return product;
}

Factor invert(const Factor& factor) {
  return Factor{factor.denominator, factor.numerator};
}

Factor ratio(Int128 numerator, Int128 denominator) {
  return Factor{numerator, denominator};
}

// A unit symbol without prefix or exponent.
struct Atom {
  std::string_view code;
  Dimension dimension;
  Factor factor;
  // Whether the atom accepts a metric prefix (`mg`, `mL`, `ms`, `m[iU]`).
  bool metric = false;
};

const std::deque<Atom>& atoms() {
  static const std::deque<Atom> table = [] {
    const Int128 second = 1;
    const Int128 day = 86'400 * second;
    Dimension volume = base_dimension(kLength, 3);
    std::deque<Atom> entries;
    entries.push_back({"s", base_dimension(kTime), ratio(second, 1), true});
    entries.push_back({"min", base_dimension(kTime), ratio(60 * second, 1), false});
    entries.push_back({"h", base_dimension(kTime), ratio(3'600 * second, 1), false});
    entries.push_back({"d", base_dimension(kTime), ratio(day, 1), false});
    entries.push_back({"wk", base_dimension(kTime), ratio(7 * day, 1), false});
    // UCUM's mean Julian month and year: 30.4375 d and 365.25 d.
    entries.push_back({"mo", base_dimension(kTime), ratio(2'629'800 * second, 1), false});
    entries.push_back({"a", base_dimension(kTime), ratio(31'557'600 * second, 1), false});
    entries.push_back({"g", base_dimension(kMass), ratio(1, 1), true});
    entries.push_back({"m", base_dimension(kLength), ratio(1, 1), true});
    entries.push_back({"L", volume, ratio(1, 1'000), true});
    entries.push_back({"l", volume, ratio(1, 1'000), true});
    entries.push_back({"[iU]", base_dimension(kInternationalUnit), ratio(1, 1), true});
    entries.push_back({"[IU]", base_dimension(kInternationalUnit), ratio(1, 1), true});
    entries.push_back({"%", Dimension{}, ratio(1, 100), false});
    return entries;
  }();
  return table;
}

struct Prefix {
  char symbol;
  Factor factor;
};

constexpr Prefix kPrefixes[] = {
    {'k', {1'000, 1}}, {'d', {1, 10}},        {'c', {1, 100}},
    {'m', {1, 1'000}}, {'u', {1, 1'000'000}}, {'n', {1, 1'000'000'000}},
};

const Atom* find_atom(std::string_view code) {
  for (const Atom& atom : atoms()) {
    if (atom.code == code) {
      return &atom;
    }
  }
  return nullptr;
}

struct CalendarWord {
  std::string_view singular;
  std::string_view plural;
  std::string_view ucum_code;
};

constexpr CalendarWord kCalendarWords[] = {
    {"millisecond", "milliseconds", "ms"},
    {"second", "seconds", "s"},
    {"minute", "minutes", "min"},
    {"hour", "hours", "h"},
    {"day", "days", "d"},
    {"week", "weeks", "wk"},
    {"month", "months", "mo"},
    {"year", "years", "a"},
};

// The dimension and factor of a UCUM expression.
struct Measure {
  Dimension dimension;
  Factor factor;
};

// `atom^exponent` folded into `measure`; false on overflow.
bool apply_component(Measure& measure, Dimension dimension, Factor factor, int exponent) {
  const Factor step = exponent < 0 ? invert(factor) : factor;
  for (int count = exponent < 0 ? -exponent : exponent; count > 0; --count) {
    const std::optional<Factor> product = multiply_factors(measure.factor, step);
    if (!product) {
      return false;
    }
    measure.factor = *product;
  }
  for (std::size_t index = 0; index < Dimension::kCount; ++index) {
    const int total = measure.dimension.exponents[index] + dimension.exponents[index] * exponent;
    if (total < std::numeric_limits<std::int8_t>::min() ||
        total > std::numeric_limits<std::int8_t>::max()) {
      return false;
    }
    measure.dimension.exponents[index] = static_cast<std::int8_t>(total);
  }
  return true;
}

bool is_digit(char character) {
  return character >= '0' && character <= '9';
}

// One component of a UCUM expression (`mg`, `cm3`, `s-1`, `%`, `1`) multiplied into
// `measure` with the given sign of exponent; false when unknown or out of range.
bool apply_ucum_component(Measure& measure, std::string_view component, int direction) {
  if (component.empty()) {
    return false;
  }
  if (component == "1") {
    return true;
  }
  std::size_t atom_end = component.size();
  while (atom_end > 0 && is_digit(component[atom_end - 1])) {
    --atom_end;
  }
  int exponent = 1;
  if (atom_end < component.size()) {
    const std::size_t digits_start = atom_end;
    bool negative = false;
    if (atom_end > 0 && (component[atom_end - 1] == '-' || component[atom_end - 1] == '+')) {
      negative = component[atom_end - 1] == '-';
      --atom_end;
    }
    exponent = 0;
    for (std::size_t position = digits_start; position < component.size(); ++position) {
      exponent = exponent * 10 + (component[position] - '0');
      if (exponent > kMaximumWrittenExponent) {
        return false;
      }
    }
    if (exponent == 0) {
      return false;
    }
    if (negative) {
      exponent = -exponent;
    }
  }
  const std::string_view atom_code = component.substr(0, atom_end);
  if (atom_code.empty() || atom_code == "1") {
    return false;
  }
  Dimension dimension;
  Factor factor;
  if (const Atom* atom = find_atom(atom_code)) {
    dimension = atom->dimension;
    factor = atom->factor;
  } else {
    const Atom* base = find_atom(atom_code.substr(1));
    if (base == nullptr || !base->metric) {
      return false;
    }
    const Prefix* prefix = nullptr;
    for (const Prefix& candidate : kPrefixes) {
      if (candidate.symbol == atom_code.front()) {
        prefix = &candidate;
      }
    }
    if (prefix == nullptr) {
      return false;
    }
    const std::optional<Factor> prefixed = multiply_factors(base->factor, prefix->factor);
    if (!prefixed) {
      return false;
    }
    dimension = base->dimension;
    factor = *prefixed;
  }
  return apply_component(measure, dimension, factor, exponent * direction);
}

// Parentheses nest at most this deep in a UCUM expression.
constexpr int kMaximumNesting = 8;

// Parses a UCUM term starting at `position` and folds it into `measure`: components joined
// by `.` (multiply) and `/` (divide by the next component), optionally starting with `/`;
// a component is a simple unit (`mg`, `cm3`) or a parenthesized term (`mg/(kg.d)`). Stops
// before a `)` or at the end; false when malformed, unknown or out of range.
bool parse_term(std::string_view text, std::size_t& position, int nesting, Measure& measure) {
  int direction = 1;
  if (position < text.size() && text[position] == '/') {
    direction = -1;
    ++position;
  }
  while (true) {
    if (position < text.size() && text[position] == '(') {
      if (nesting == kMaximumNesting) {
        return false;
      }
      ++position;
      Measure group;
      if (!parse_term(text, position, nesting + 1, group)) {
        return false;
      }
      if (position == text.size() || text[position] != ')') {
        return false;
      }
      ++position;
      if (!apply_component(measure, group.dimension, group.factor, direction)) {
        return false;
      }
    } else {
      const std::size_t separator = text.find_first_of("./()", position);
      const std::size_t end = separator == std::string_view::npos ? text.size() : separator;
      if (!apply_ucum_component(measure, text.substr(position, end - position), direction)) {
        return false;
      }
      position = end;
    }
    if (position == text.size() || text[position] == ')') {
      return true;
    }
    if (text[position] != '.' && text[position] != '/') {
      return false;
    }
    direction = text[position] == '/' ? -1 : 1;
    ++position;
  }
}

std::optional<Measure> parse_ucum(std::string_view text) {
  Measure measure;
  std::size_t position = 0;
  if (!parse_term(text, position, 0, measure) || position != text.size()) {
    return std::nullopt;
  }
  return measure;
}

std::optional<Unit> make_unit(std::string_view text) {
  for (const CalendarWord& word : kCalendarWords) {
    if (text == word.singular || text == word.plural) {
      const std::optional<Measure> measure = parse_ucum(word.ucum_code);
      if (!measure) {
        return std::nullopt;
      }
      return Unit{std::string(word.plural), true, measure->dimension, measure->factor,
                  std::string(word.singular)};
    }
  }
  const std::optional<Measure> measure = parse_ucum(text);
  if (!measure) {
    return std::nullopt;
  }
  return Unit{std::string(text), false, measure->dimension, measure->factor, {}};
}

// The interned units. Never destroyed, so that `const Unit*` stays valid during static
// destruction too.
class UnitRegistry {
 public:
  const Unit* find(std::string_view text) {
    {
      // Readers share the lock; only a spelling seen for the first time takes it alone.
      const std::shared_lock<std::shared_mutex> lock(mutex_);
      if (const auto found = by_text_.find(text); found != by_text_.end()) {
        return found->second;
      }
    }
    const std::unique_lock<std::shared_mutex> lock(mutex_);
    if (const auto found = by_text_.find(text); found != by_text_.end()) {
      return found->second;
    }
    std::optional<Unit> unit = make_unit(text);
    if (!unit) {
      return nullptr;
    }
    const Unit* stored = &units_.emplace_back(std::move(*unit));
    by_text_.emplace(std::string(text), stored);
    return stored;
  }

 private:
  std::shared_mutex mutex_;
  std::map<std::string, const Unit*, std::less<>> by_text_;
  std::deque<Unit> units_;
};

UnitRegistry& registry() {
  static UnitRegistry* const instance = new UnitRegistry();
  return *instance;
}

}  // namespace

bool Dimension::is_dimensionless() const {
  return *this == Dimension{};
}

Dimension Dimension::time() {
  return base_dimension(kTime);
}
Dimension Dimension::mass() {
  return base_dimension(kMass);
}
Dimension Dimension::length() {
  return base_dimension(kLength);
}
Dimension Dimension::volume() {
  return base_dimension(kLength, 3);
}
Dimension Dimension::international_unit() {
  return base_dimension(kInternationalUnit);
}

std::string Dimension::name() const {
  if (is_dimensionless()) {
    return "dimensionless";
  }
  if (*this == time()) {
    return "duration";
  }
  if (*this == mass()) {
    return "mass";
  }
  if (*this == length()) {
    return "length";
  }
  if (*this == volume()) {
    return "volume";
  }
  if (*this == international_unit()) {
    return "international unit";
  }
  struct BaseName {
    std::size_t index;
    std::string_view code;
  };
  constexpr BaseName kOrder[] = {
      {kMass, "g"}, {kLength, "m"}, {kTime, "s"}, {kInternationalUnit, "[iU]"}};
  std::string numerator;
  std::string denominator;
  for (const BaseName& base : kOrder) {
    const std::int8_t stored = exponents[base.index];
    const int exponent = stored;
    if (exponent == 0) {
      continue;
    }
    const int magnitude = exponent < 0 ? -exponent : exponent;
    std::string term(base.code);
    if (magnitude != 1) {
      term += std::to_string(magnitude);
    }
    if (exponent > 0) {
      if (!numerator.empty()) {
        numerator += '.';
      }
      numerator += term;
    } else {
      denominator += '/';
      denominator += term;
    }
  }
  return (numerator.empty() ? "1" : numerator) + denominator;
}

const Unit* find_unit(std::string_view text) {
  // Readers of fact files ask for the same few spellings over and over: each thread keeps the
  // last ones it found, so most lookups take no lock at all.
  struct Recent {
    std::string text;
    const Unit* unit = nullptr;
  };
  constexpr std::size_t kRecent = 8;
  thread_local std::array<Recent, kRecent> recent;
  thread_local std::size_t next = 0;
  for (const Recent& entry : recent) {
    if (entry.unit != nullptr && entry.text == text) {
      return entry.unit;
    }
  }
  const Unit* unit = registry().find(text);
  if (unit != nullptr && text.size() <= 32) {
    recent[next] = Recent{std::string(text), unit};
    next = (next + 1) % kRecent;
  }
  return unit;
}

bool commensurable(const Unit& from, const Unit& to) {
  return from.dimension == to.dimension;
}

std::optional<Decimal> convert(Decimal value, const Unit& from, const Unit& to) {
  if (!commensurable(from, to)) {
    return std::nullopt;
  }
  const std::optional<Factor> ratio_to_target = multiply_factors(from.factor, invert(to.factor));
  if (!ratio_to_target) {
    return std::nullopt;
  }
  return Decimal::scale(value, ratio_to_target->numerator, ratio_to_target->denominator);
}

std::strong_ordering compare_quantities(Decimal a, const Unit& ua, Decimal b, const Unit& ub) {
  return compare_products(a.raw(), ua.factor.numerator, ub.factor.denominator, b.raw(),
                          ub.factor.numerator, ua.factor.denominator);
}

const Unit& finer_unit(const Unit& a, const Unit& b) {
  const std::strong_ordering order = compare_products(a.factor.numerator, b.factor.denominator, 1,
                                                      b.factor.numerator, a.factor.denominator, 1);
  return order > 0 ? b : a;
}

}  // namespace rubric

#include "values/units.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "values/ascii_text.hpp"
#include "values/message_text.hpp"

namespace rubric {
namespace {

constexpr std::size_t kTime = 0;
constexpr std::size_t kMass = 1;
constexpr std::size_t kLength = 2;
constexpr std::size_t kInternationalUnit = 3;
constexpr std::size_t kAmount = 4;
constexpr std::size_t kTemperature = 5;
// Degrees Celsius: a base of their own, so that `Cel` compares with `Cel` only (see
// `kCelsius` below).
constexpr std::size_t kCelsiusTemperature = 6;

// Exponents written after a UCUM atom (`cm3`, `s-1`) are limited to this magnitude; the
// power of `10*` and `10^` (`10*12`) to the larger one.
constexpr int kMaximumWrittenExponent = 9;
constexpr int kMaximumPowerOfTen = 24;

Dimension base_dimension(std::size_t index, int exponent = 1) {
  Dimension dimension;
  dimension.exponents[index] = static_cast<std::int8_t>(exponent);
  return dimension;
}

// The product of base dimensions given as (index, exponent) pairs.
Dimension dimension_of(std::initializer_list<std::pair<std::size_t, int>> bases) {
  Dimension dimension;
  for (const auto& [index, exponent] : bases) {
    dimension.exponents[index] = static_cast<std::int8_t>(exponent);
  }
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

// The reduced factor numerator/denominator (both positive).
Factor ratio(Int128 numerator, Int128 denominator) {
  const Int128 divisor = greatest_common_divisor(numerator, denominator);
  return Factor{numerator / divisor, denominator / divisor};
}

// A unit symbol without prefix or exponent: one row of the atom table.
struct Atom {
  std::string_view code;
  Dimension dimension;
  Factor factor;
  // Whether the atom accepts a metric prefix (`mg`, `mL`, `ms`, `m[iU]`, `mmol`, `kPa`).
  bool metric = false;
};

// The atoms Rubric knows, with their factors to the base units (s, g, m, [iU], mol, K) as
// exact rationals, each derived from UCUM's definition (docs/units.md lists them). `mol` is a
// base unit here, not UCUM's Avogadro count, so that amounts of substance never convert to
// counts (`10*9/L`). Celsius is not in this table: see `kCelsius`.
const std::deque<Atom>& atoms() {
  static const std::deque<Atom> table = [] {
    const Int128 day = 86'400;
    const Dimension time = base_dimension(kTime);
    const Dimension mass = base_dimension(kMass);
    const Dimension length = base_dimension(kLength);
    const Dimension volume = base_dimension(kLength, 3);
    const Dimension amount = base_dimension(kAmount);
    const Dimension dimensionless;
    // Pa = N/m2 = kg/(m.s2) = 1000 g/(m.s2).
    const Dimension pressure = dimension_of({{kMass, 1}, {kLength, -1}, {kTime, -2}});
    // N = kg.m/s2; J = N.m; W = J/s.
    const Dimension force = dimension_of({{kMass, 1}, {kLength, 1}, {kTime, -2}});
    const Dimension energy = dimension_of({{kMass, 1}, {kLength, 2}, {kTime, -2}});
    const Dimension power = dimension_of({{kMass, 1}, {kLength, 2}, {kTime, -3}});
    const Dimension catalytic_activity = dimension_of({{kAmount, 1}, {kTime, -1}});
    std::deque<Atom> entries = {
        // Time: UCUM's definite durations; mo and a are the mean Julian month and year
        // (30.4375 d and 365.25 d).
        {"s", time, ratio(1, 1), true},
        {"min", time, ratio(60, 1), false},
        {"h", time, ratio(3'600, 1), false},
        {"d", time, ratio(day, 1), false},
        {"wk", time, ratio(7 * day, 1), false},
        {"mo", time, ratio(2'629'800, 1), false},
        {"a", time, ratio(31'557'600, 1), false},
        {"Hz", base_dimension(kTime, -1), ratio(1, 1), true},
        // Mass. [lb_av] = 7000 [gr] = 7000 x 64.79891 mg = 453.59237 g; [oz_av] = [lb_av]/16.
        {"g", mass, ratio(1, 1), true},
        {"t", mass, ratio(1'000'000, 1), true},
        {"[lb_av]", mass, ratio(45'359'237, 100'000), false},
        {"[oz_av]", mass, ratio(45'359'237, 1'600'000), false},
        {"[gr]", mass, ratio(6'479'891, 100'000'000), false},
        // Length. [in_i] = 2.54 cm; [ft_i] = 12 [in_i].
        {"m", length, ratio(1, 1), true},
        {"[in_i]", length, ratio(254, 10'000), false},
        {"[ft_i]", length, ratio(3'048, 10'000), false},
        // Volume: L = dm3.
        {"L", volume, ratio(1, 1'000), true},
        {"l", volume, ratio(1, 1'000), true},
        // Amount of substance; UCUM defines eq (equivalents) and osm (osmoles) as 1 mol, and
        // the enzyme unit U as umol/min = 1/60,000,000 mol/s; kat = mol/s.
        {"mol", amount, ratio(1, 1), true},
        {"eq", amount, ratio(1, 1), true},
        {"osm", amount, ratio(1, 1), true},
        {"kat", catalytic_activity, ratio(1, 1), true},
        {"U", catalytic_activity, ratio(1, 60'000'000), true},
        // International units: arbitrary, comparable with each other only.
        {"[iU]", base_dimension(kInternationalUnit), ratio(1, 1), true},
        {"[IU]", base_dimension(kInternationalUnit), ratio(1, 1), true},
        // Thermodynamic temperature (Celsius: see kCelsius).
        {"K", base_dimension(kTemperature), ratio(1, 1), true},
        // Pressure. m[Hg] = 133.3220 kPa, so mm[Hg] = 133.322 Pa; m[H2O] = 9.80665 kPa;
        // bar = 100 kPa.
        {"Pa", pressure, ratio(1'000, 1), true},
        {"bar", pressure, ratio(100'000'000, 1), true},
        {"m[Hg]", pressure, ratio(133'322'000, 1), true},
        {"m[H2O]", pressure, ratio(9'806'650, 1), true},
        // Force, energy, power. cal = 4.184 J.
        {"N", force, ratio(1'000, 1), true},
        {"J", energy, ratio(1'000, 1), true},
        {"W", power, ratio(1'000, 1), true},
        {"cal", energy, ratio(4'184, 1), true},
        // Dimensionless. 10* and 10^ take their power as an exponent: 10*9 = 10^9.
        {"%", dimensionless, ratio(1, 100), false},
        {"[ppth]", dimensionless, ratio(1, 1'000), false},
        {"[ppm]", dimensionless, ratio(1, 1'000'000), false},
        {"[ppb]", dimensionless, ratio(1, 1'000'000'000), false},
        {"10*", dimensionless, ratio(10, 1), false},
        {"10^", dimensionless, ratio(10, 1), false},
    };
    return entries;
  }();
  return table;
}

struct Prefix {
  std::string_view symbol;
  Factor factor;
};

constexpr Int128 power_of_ten(int exponent) {
  Int128 result = 1;
  for (int count = 0; count < exponent; ++count) {
    result *= 10;
  }
  return result;
}

// UCUM's metric prefixes from kilo down to yocto. The larger ones (M, G, T, ...) are left
// out on purpose: no clinical unit needs them, and `Mg` (megagram) is one slip away from
// `mg`.
constexpr Prefix kPrefixes[] = {
    {"k", {power_of_ten(3), 1}},
    {"h", {power_of_ten(2), 1}},
    {"da", {10, 1}},
    {"d", {1, 10}},
    {"c", {1, power_of_ten(2)}},
    {"m", {1, power_of_ten(3)}},
    {"u", {1, power_of_ten(6)}},
    {"n", {1, power_of_ten(9)}},
    {"p", {1, power_of_ten(12)}},
    {"f", {1, power_of_ten(15)}},
    {"a", {1, power_of_ten(18)}},
    {"z", {1, power_of_ten(21)}},
    {"y", {1, power_of_ten(24)}},
};

const Atom* find_atom(std::string_view code) {
  for (const Atom& atom : atoms()) {
    if (atom.code == code) {
      return &atom;
    }
  }
  return nullptr;
}

// Degree Celsius, a special (affine) unit in UCUM: t(K) = t(Cel) + 273.15. Factors cannot
// express the offset, so `Cel` is accepted only on its own (optionally annotated, `Cel{oral}`),
// in a dimension of its own: it compares and converts with `Cel` only, never with `K` (a
// wrong conversion is worse than none), and it takes no prefix, exponent or product.
constexpr std::string_view kCelsius = "Cel";

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

// A UCUM annotation `{...}`: printable ASCII (33 to 126) other than braces inside.
bool is_annotation(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') {
    return false;
  }
  for (const char character : text.substr(1, text.size() - 2)) {
    if (character < '!' || character > '~' || character == '{' || character == '}') {
      return false;
    }
  }
  return true;
}

// Removes a trailing annotation (`mL{total}` -> `mL`); false when the text has a `{` that
// does not start a well-formed trailing annotation.
bool strip_annotation(std::string_view& text) {
  const std::size_t open = text.find('{');
  if (open == std::string_view::npos) {
    return text.find('}') == std::string_view::npos;
  }
  if (!is_annotation(text.substr(open))) {
    return false;
  }
  text = text.substr(0, open);
  return true;
}

// An atom, with or without a metric prefix (`mg`, `dL`, `mm[Hg]`, `daL`): its dimension
// and factor; false when unknown or out of range.
bool find_prefixed_atom(std::string_view code, Measure& found) {
  if (const Atom* atom = find_atom(code)) {
    found = Measure{atom->dimension, atom->factor};
    return true;
  }
  for (const Prefix& prefix : kPrefixes) {
    if (!code.starts_with(prefix.symbol)) {
      continue;
    }
    const Atom* base = find_atom(code.substr(prefix.symbol.size()));
    if (base == nullptr || !base->metric) {
      continue;
    }
    const std::optional<Factor> prefixed = multiply_factors(base->factor, prefix.factor);
    if (!prefixed) {
      return false;
    }
    found = Measure{base->dimension, *prefixed};
    return true;
  }
  return false;
}

// One component of a UCUM expression (`mg`, `cm3`, `s-1`, `10*9`, `%`, `1`, `{score}`,
// `mL{total}`) multiplied into `measure` with the given sign of exponent; false when
// unknown, malformed or out of range.
bool apply_ucum_component(Measure& measure, std::string_view component, int direction) {
  if (component.empty() || !strip_annotation(component)) {
    return false;
  }
  if (component.empty()) {
    return true;  // an annotation alone (`{score}`) is the dimensionless unit 1
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
      if (exponent > kMaximumPowerOfTen) {
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
  if (atom_code.empty()) {
    return false;
  }
  const bool power_of_ten_atom = atom_code == "10*" || atom_code == "10^";
  if (power_of_ten_atom && atom_end == component.size()) {
    return false;  // `10*` needs its power: `10*9`
  }
  if (!power_of_ten_atom &&
      (exponent > kMaximumWrittenExponent || -exponent > kMaximumWrittenExponent)) {
    return false;
  }
  Measure atom;
  if (!find_prefixed_atom(atom_code, atom)) {
    return false;
  }
  return apply_component(measure, atom.dimension, atom.factor, exponent * direction);
}

// The end of the component starting at `position`: the next `.`, `/`, `(` or `)` outside
// brackets and braces; npos when a `[` or `{` is not closed.
std::size_t component_end(std::string_view text, std::size_t position) {
  while (position < text.size()) {
    const char character = text[position];
    if (character == '.' || character == '/' || character == '(' || character == ')') {
      return position;
    }
    if (character == '[' || character == '{') {
      const std::size_t close = text.find(character == '[' ? ']' : '}', position);
      if (close == std::string_view::npos) {
        return std::string_view::npos;
      }
      position = close;
    }
    ++position;
  }
  return position;
}

// Parentheses nest at most this deep in a UCUM expression.
constexpr int kMaximumNesting = 8;

// Parses a UCUM term starting at `position` and folds it into `measure`: components joined
// by `.` (multiply) and `/` (divide by the next component), optionally starting with `/`;
// a component is a simple unit (`mg`, `cm3`, `{score}`) or a parenthesized term
// (`mg/(kg.d)`). Stops before a `)` or at the end; false when malformed, unknown or out of
// range.
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
      const std::size_t end = component_end(text, position);
      if (end == std::string_view::npos ||
          !apply_ucum_component(measure, text.substr(position, end - position), direction)) {
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
  std::string_view unannotated = text;
  if (strip_annotation(unannotated) && unannotated == kCelsius) {
    return Measure{base_dimension(kCelsiusTemperature), ratio(1, 1)};
  }
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
Dimension Dimension::amount_of_substance() {
  return base_dimension(kAmount);
}
Dimension Dimension::temperature() {
  return base_dimension(kTemperature);
}
Dimension Dimension::celsius_temperature() {
  return base_dimension(kCelsiusTemperature);
}
Dimension Dimension::catalytic_activity() {
  return dimension_of({{kAmount, 1}, {kTime, -1}});
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
  if (*this == amount_of_substance()) {
    return "amount of substance";
  }
  if (*this == temperature()) {
    return "temperature";
  }
  if (*this == celsius_temperature()) {
    return "Celsius temperature";
  }
  if (*this == catalytic_activity()) {
    return "catalytic activity";
  }
  struct BaseName {
    std::size_t index;
    std::string_view code;
  };
  constexpr BaseName kOrder[] = {{kMass, "g"},
                                 {kAmount, "mol"},
                                 {kLength, "m"},
                                 {kTime, "s"},
                                 {kInternationalUnit, "[iU]"},
                                 {kTemperature, "K"},
                                 {kCelsiusTemperature, "Cel"}};
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

namespace {

// The annotations of a unit's code in order, braces included: "{1.73_m2}" for
// `mL/min/{1.73_m2}`.
std::string annotations(std::string_view code) {
  std::string out;
  std::size_t open = code.find('{');
  while (open != std::string_view::npos) {
    const std::size_t close = code.find('}', open);
    if (close == std::string_view::npos) {
      break;
    }
    out += code.substr(open, close - open + 1);
    open = code.find('{', close);
  }
  return out;
}

// Common spellings offered for a misspelt unit.
const std::vector<std::string_view>& suggested_units() {
  static const std::vector<std::string_view> units = {
      // clang-format off
      "day", "days", "week", "weeks", "month", "months", "year", "years", "hour", "hours",
      "minute", "minutes", "second", "seconds", "millisecond", "milliseconds",
      "d", "wk", "mo", "a", "h", "min", "s", "ms",
      "g", "mg", "ug", "kg", "m", "cm", "mm", "L", "mL", "dL", "%", "[iU]",
      "mol", "mmol", "umol", "mm[Hg]", "cm[H2O]", "Cel", "meq", "kPa",
      "mmol/L", "umol/L", "meq/L", "mg/dL", "g/dL", "g/L", "mg/L", "ug/L", "ng/mL",
      "mg/mmol", "mg/g", "mmol/mol", "U/L", "[iU]/L", "10*9/L", "10*12/L",
      "mL/min", "mL/min/{1.73_m2}", "/min", "{score}", "{breaths}/min", "mg/d", "mg/kg", "kg/m2",
      // clang-format on
  };
  return units;
}

// A spelling reduced for a loose match: lowercase, without brackets and spaces.
std::string loose(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '[' || c == ']' || c == ' ') {
      continue;
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

}  // namespace

std::string suggest_unit(std::string_view text) {
  // Spellings that are not UCUM but are common on lab reports and prescriptions.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kAliases = {{
      {"mcg", "ug"},
      {"iu", "[iU]"},
      {"cc", "mL"},
      {"degc", "Cel"},
      {"°c", "Cel"},
      {"bpm", "/min"},
      {"x10*9/l", "10*9/L"},
  }};
  const std::string reduced = loose(text);
  for (const auto& [alias, unit] : kAliases) {
    if (reduced == alias) {
      return std::string(unit);
    }
  }
  for (const std::string_view unit : suggested_units()) {
    if (loose(unit) == reduced && unit != text) {
      return std::string(unit);
    }
  }
  if (text.size() > 40) {
    return {};
  }
  return closest_name(text, suggested_units());
}

bool same_unit(const Unit& a, const Unit& b) {
  if (&a == &b) {
    return true;
  }
  if (!(a.dimension == b.dimension) || !(a.factor == b.factor) ||
      annotations(a.code) != annotations(b.code)) {
    return false;
  }
  return a.is_calendar_word || b.is_calendar_word || ascii::equal_ignoring_case(a.code, b.code);
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

// UCUM units (docs/units.md): UCUM's unit grammar (metric prefixes, integer exponents,
// `.` and `/`, parentheses, annotations `{...}`, factors, `10*n`) over a table of atoms of
// time, mass, length, volume, amount of substance, temperature, pressure, energy, catalytic
// activity, international units and dimensionless ratios (`mg/d`, `mmol/L`, `mm[Hg]`,
// `10*9/L`, `mL/min/{1.73_m2}`). Calendar words (`days`, `week`, `months`, `years`, ...) are
// time units too; they convert exactly like their UCUM codes, by UCUM's definite durations
// (1 wk = 7 d, 1 mo = 30.4375 d, 1 a = 365.25 d).
//
// Contract: a Unit is interned by `find_unit` and lives for the whole program; `const Unit*`
// may be stored and compared freely. `find_unit` is thread-safe.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "values/decimal.hpp"

namespace rubric {

// Exponents of the base dimensions: time (s), mass (g), length (m), international unit
// ([iU]), amount of substance (mol), thermodynamic temperature (K), Celsius temperature
// (Cel, a dimension of its own: see docs/units.md), and one spare. A dimensionless unit
// (`%`, `1`, `{score}`) has all exponents 0.
struct Dimension {
  static constexpr std::size_t kCount = 8;  // operator== reads them as one 64-bit word
  std::array<std::int8_t, kCount> exponents{};

  // Compares the exponents as one word (a defaulted comparison calls memcmp, which showed in
  // evaluation profiles: quantity comparisons check dimensions).
  friend bool operator==(const Dimension& a, const Dimension& b) {
    return std::bit_cast<std::uint64_t>(a.exponents) == std::bit_cast<std::uint64_t>(b.exponents);
  }
  [[nodiscard]] bool is_dimensionless() const;
  static Dimension time();
  static Dimension mass();
  static Dimension length();
  static Dimension volume();
  static Dimension international_unit();
  static Dimension amount_of_substance();
  static Dimension temperature();
  static Dimension celsius_temperature();
  static Dimension catalytic_activity();
  // A readable name: "duration", "mass", "length", "volume", "dimensionless",
  // "international unit", "amount of substance", "temperature", "Celsius temperature",
  // "catalytic activity", or a UCUM-style product of base units such as "g/s" or "mol/m3".
  [[nodiscard]] std::string name() const;
};

// The factor that converts one unit to its dimension's base unit (s, g, m, [iU], mol, K, 1),
// as an exact rational number numerator/denominator (both positive, reduced).
struct Factor {
  Int128 numerator = 1;
  Int128 denominator = 1;
  friend bool operator==(const Factor&, const Factor&) = default;
};

struct Unit {
  // The spelling to print: a UCUM code ("mg", "wk", "mg/d") or, for a calendar word, the
  // plural word ("weeks"); see `is_calendar_word`.
  std::string code;
  bool is_calendar_word = false;
  Dimension dimension;
  Factor factor;
  // The singular calendar word ("week"), empty for UCUM codes.
  std::string singular;
};

// Looks up a unit written in a rule or fact file: a calendar word, singular or plural
// (`day`, `days`, `week`, `weeks`, `month`, `months`, `year`, `years`, `hour(s)`,
// `minute(s)`, `second(s)`, `millisecond(s)`), or a UCUM code (`d`, `wk`, `mo`, `a`, `h`,
// `min`, `s`, `ms`, `g`, `mg`, `mmol/L`, `mm[Hg]`, `Cel`, `{score}`, ..., see docs/units.md).
// Returns nullptr for an unknown unit.
const Unit* find_unit(std::string_view text);

// The spelling meant by an unknown unit when it is a near miss of a common one, or empty:
// `mmol/L` for `mmol/l`, `mm[Hg]` for `mmhg`, `[iU]` for `IU`, `ug` for `mcg`, `weeks` for
// `wekks`.
std::string suggest_unit(std::string_view text);

// True when a value in `from` can be converted to `to` (same dimension).
bool commensurable(const Unit& from, const Unit& to);

// True when `a` and `b` are one unit written two ways: the same dimension, factor and
// annotations, and codes that differ at most in letter case, or a calendar word and its code
// (`mg/dL` and `mg/dl`, `wk` and `weeks`; not `meq/L` and `mmol/L`, `{score}` and `1`, nor
// `%` and `mg/g`).
bool same_unit(const Unit& a, const Unit& b);

// Converts a value in `from` to `to`; nullopt when not commensurable or out of range.
std::optional<Decimal> convert(Decimal value, const Unit& from, const Unit& to);

// Compares a in unit ua with b in unit ub exactly (no rounding); the units must be
// commensurable (precondition).
std::strong_ordering compare_quantities(Decimal a, const Unit& ua, Decimal b, const Unit& ub);

// Of two commensurable units, the one with the smaller factor (the finer unit); `a` on a tie.
const Unit& finer_unit(const Unit& a, const Unit& b);

}  // namespace rubric

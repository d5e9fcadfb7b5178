// Fixed-point decimal numbers with the precision HL7 CQL fixes for `Decimal`: at most 28
// significant digits, exactly 8 of them after the point. Never binary floating point.
//
// Contract: a Decimal always holds a value with |value| < 10^20 (28 digits minus the 8
// fractional ones) and a multiple of 10^-8. Every operation that could leave that range
// returns std::nullopt; callers map it to CQL `null`. Decimal is a trivially copyable value
// type, safe to share between threads.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rubric {

__extension__ using Int128 = __int128;

class Decimal {
 public:
  static constexpr int kFractionDigits = 8;
  static constexpr int kTotalDigits = 28;
  // 10^8: the raw representation of 1.
  static constexpr std::int64_t kOne = 100'000'000;

  constexpr Decimal() = default;

  // Exact conversion of an integer (any int64 with |value| < 10^20).
  static std::optional<Decimal> from_integer(std::int64_t value);
  // The value raw / 10^8; nullopt when out of range.
  static std::optional<Decimal> from_raw(Int128 raw);
  // Parses an optional '-' or '+', digits, and optionally '.' followed by digits
  // ("12", "-0.5", "3.50"). No exponent, no spaces. Returns nullopt when the text is
  // malformed, has more than 8 digits after the point, or is out of range.
  static std::optional<Decimal> parse(std::string_view text);

  [[nodiscard]] constexpr Int128 raw() const { return raw_; }
  [[nodiscard]] bool is_integer() const { return raw_ % kOne == 0; }
  // The integer part when the value is integral and fits int32; nullopt otherwise.
  [[nodiscard]] std::optional<std::int32_t> to_int32() const;
  // Approximation for display or heuristics only; never used for decisions.
  [[nodiscard]] double to_double() const;

  // Shortest text that reads back to the same value, always with at least one digit after
  // the point: "2.5", "3.0", "-0.00000001".
  [[nodiscard]] std::string to_string() const;

  // CQL's precision of the value: its fractional digits without trailing zeros (0 for an
  // integral value). Decimal equivalence (`~`) compares at the lesser precision of two values.
  [[nodiscard]] int precision() const;
  // The value rounded half away from zero to `digits` fractional digits (0..8); nullopt when
  // rounding up leaves the range.
  [[nodiscard]] std::optional<Decimal> rounded(int digits) const;

  friend constexpr auto operator<=>(Decimal a, Decimal b) = default;
  friend constexpr bool operator==(Decimal a, Decimal b) = default;

  // Arithmetic; nullopt on overflow or division by zero. Results that need more than 8
  // fractional digits are rounded half away from zero (multiplication, division).
  static std::optional<Decimal> add(Decimal a, Decimal b);
  static std::optional<Decimal> subtract(Decimal a, Decimal b);
  static std::optional<Decimal> multiply(Decimal a, Decimal b);
  static std::optional<Decimal> divide(Decimal a, Decimal b);
  // CQL `div`: the quotient truncated toward zero (an integral Decimal).
  static std::optional<Decimal> truncated_divide(Decimal a, Decimal b);
  // CQL `mod`: the remainder of truncated division; takes the dividend's sign.
  static std::optional<Decimal> modulo(Decimal a, Decimal b);
  static std::optional<Decimal> negate(Decimal a);
  // value * numerator / denominator, rounded half away from zero; used by unit conversion.
  // Exact whenever the exact result has at most 8 fractional digits.
  static std::optional<Decimal> scale(Decimal a, Int128 numerator, Int128 denominator);

 private:
  constexpr explicit Decimal(Int128 raw) : raw_(raw) {}
  Int128 raw_ = 0;
};

// The exact ordering of x1*x2*x3 against y1*y2*y3, for any Int128 arguments (the products
// are formed without overflow). Used for exact comparisons of rational quantities.
std::strong_ordering compare_products(Int128 x1, Int128 x2, Int128 x3, Int128 y1, Int128 y2,
                                      Int128 y3);

}  // namespace rubric

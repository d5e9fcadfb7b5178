#include "values/decimal.hpp"

#include <cstddef>
#include <limits>

namespace rubric {
namespace {

__extension__ using UInt128 = unsigned __int128;

// 10^20: every Decimal's integer part is below this.
constexpr Int128 kIntegerLimit = Int128{10'000'000'000} * 10'000'000'000;
// 10^28: every Decimal's raw representation is below this in magnitude.
constexpr Int128 kRawLimit = kIntegerLimit * Decimal::kOne;

constexpr UInt128 kLow64Mask = (UInt128{1} << 64) - 1;

// An unsigned 256-bit number.
struct Wide256 {
  UInt128 high = 0;
  UInt128 low = 0;
};

// An unsigned 384-bit number.
struct Wide384 {
  UInt128 top = 0;
  UInt128 middle = 0;
  UInt128 low = 0;
};

// |value|, exact for every Int128 including the most negative one.
UInt128 magnitude(Int128 value) {
  return value < 0 ? UInt128{0} - static_cast<UInt128>(value) : static_cast<UInt128>(value);
}

bool in_range(Int128 raw) {
  return raw < kRawLimit && raw > -kRawLimit;
}

// The exact product a * b.
Wide256 multiply_wide(UInt128 a, UInt128 b) {
  const UInt128 a_low = a & kLow64Mask;
  const UInt128 a_high = a >> 64;
  const UInt128 b_low = b & kLow64Mask;
  const UInt128 b_high = b >> 64;
  const UInt128 low_low = a_low * b_low;
  const UInt128 low_high = a_low * b_high;
  const UInt128 high_low = a_high * b_low;
  const UInt128 high_high = a_high * b_high;
  const UInt128 middle = (low_low >> 64) + (low_high & kLow64Mask) + (high_low & kLow64Mask);
  Wide256 product;
  product.low = (low_low & kLow64Mask) | (middle << 64);
  product.high = high_high + (low_high >> 64) + (high_low >> 64) + (middle >> 64);
  return product;
}

// The exact product a * b; a * b < 2^384 for every 256-bit a and 128-bit b.
Wide384 multiply_wide(Wide256 a, UInt128 b) {
  const Wide256 low_part = multiply_wide(a.low, b);
  const Wide256 high_part = multiply_wide(a.high, b);
  Wide384 product;
  product.low = low_part.low;
  product.middle = low_part.high + high_part.low;
  const UInt128 carry = product.middle < low_part.high ? 1 : 0;
  product.top = high_part.high + carry;
  return product;
}

std::strong_ordering compare_wide(const Wide384& a, const Wide384& b) {
  if (a.top != b.top) {
    return a.top <=> b.top;
  }
  if (a.middle != b.middle) {
    return a.middle <=> b.middle;
  }
  return a.low <=> b.low;
}

// numerator / divisor rounded half away from zero (numerator is a magnitude); nullopt when
// the quotient does not fit 128 bits. Precondition: divisor > 0.
std::optional<UInt128> divide_rounded(Wide256 numerator, UInt128 divisor) {
  UInt128 quotient = 0;
  UInt128 remainder = 0;
  if (numerator.high == 0) {
    quotient = numerator.low / divisor;
    remainder = numerator.low % divisor;
  } else {
    if (numerator.high >= divisor) {
      return std::nullopt;
    }
    remainder = numerator.high;
    for (int bit = 127; bit >= 0; --bit) {
      const bool carry = (remainder >> 127) != 0;
      remainder = (remainder << 1) | ((numerator.low >> bit) & 1);
      if (carry || remainder >= divisor) {
        remainder -= divisor;
        quotient |= UInt128{1} << bit;
      }
    }
  }
  if (remainder >= divisor - remainder) {
    if (quotient == std::numeric_limits<UInt128>::max()) {
      return std::nullopt;
    }
    ++quotient;
  }
  return quotient;
}

// (a * b / divisor) as a raw Decimal, rounded half away from zero; nullopt when the divisor
// is zero or the result is out of range.
std::optional<Decimal> multiply_divide(Int128 a, Int128 b, Int128 divisor) {
  if (divisor == 0) {
    return std::nullopt;
  }
  const bool negative = (a < 0) != (b < 0) ? divisor > 0 : divisor < 0;
  const std::optional<UInt128> quotient =
      divide_rounded(multiply_wide(magnitude(a), magnitude(b)), magnitude(divisor));
  if (!quotient || *quotient >= static_cast<UInt128>(kRawLimit)) {
    return std::nullopt;
  }
  const Int128 raw = static_cast<Int128>(*quotient);
  return Decimal::from_raw(negative ? -raw : raw);
}

std::string unsigned_to_string(UInt128 value) {
  if (value == 0) {
    return "0";
  }
  std::string reversed;
  while (value != 0) {
    reversed.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  return {reversed.rbegin(), reversed.rend()};
}

bool is_digit(char character) {
  return character >= '0' && character <= '9';
}

}  // namespace

std::optional<Decimal> Decimal::from_integer(std::int64_t value) {
  return from_raw(Int128{value} * kOne);
}

std::optional<Decimal> Decimal::from_raw(Int128 raw) {
  if (!in_range(raw)) {
    return std::nullopt;
  }
  return Decimal(raw);
}

std::optional<Decimal> Decimal::parse(std::string_view text) {
  std::size_t position = 0;
  bool negative = false;
  if (position < text.size() && (text[position] == '-' || text[position] == '+')) {
    negative = text[position] == '-';
    ++position;
  }
  const std::size_t integer_start = position;
  Int128 integer_part = 0;
  while (position < text.size() && is_digit(text[position])) {
    integer_part = integer_part * 10 + (text[position] - '0');
    if (integer_part >= kIntegerLimit) {
      return std::nullopt;
    }
    ++position;
  }
  if (position == integer_start) {
    return std::nullopt;
  }
  Int128 fraction_part = 0;
  if (position < text.size()) {
    if (text[position] != '.') {
      return std::nullopt;
    }
    ++position;
    const std::size_t fraction_start = position;
    while (position < text.size() && is_digit(text[position])) {
      if (position - fraction_start == kFractionDigits) {
        return std::nullopt;
      }
      fraction_part = fraction_part * 10 + (text[position] - '0');
      ++position;
    }
    const std::size_t fraction_digits = position - fraction_start;
    if (fraction_digits == 0 || position != text.size()) {
      return std::nullopt;
    }
    for (std::size_t digit = fraction_digits; digit < kFractionDigits; ++digit) {
      fraction_part *= 10;
    }
  }
  const Int128 raw = integer_part * kOne + fraction_part;
  return from_raw(negative ? -raw : raw);
}

std::optional<std::int32_t> Decimal::to_int32() const {
  if (!is_integer()) {
    return std::nullopt;
  }
  const Int128 integer = raw_ / kOne;
  if (integer < std::numeric_limits<std::int32_t>::min() ||
      integer > std::numeric_limits<std::int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::int32_t>(integer);
}

double Decimal::to_double() const {
  return static_cast<double>(raw_) / static_cast<double>(kOne);
}

int Decimal::precision() const {
  Int128 raw = raw_ < 0 ? -raw_ : raw_;
  int digits = kFractionDigits;
  while (digits > 0 && raw % 10 == 0) {
    raw /= 10;
    --digits;
  }
  return digits;
}

std::optional<Decimal> Decimal::rounded(int digits) const {
  Int128 unit = 1;
  for (int i = digits; i < kFractionDigits; ++i) {
    unit *= 10;
  }
  const Int128 magnitude = raw_ < 0 ? -raw_ : raw_;
  const Int128 result = (magnitude + unit / 2) / unit * unit;
  return from_raw(raw_ < 0 ? -result : result);
}

std::string Decimal::to_string() const {
  const UInt128 value = magnitude(raw_);
  const auto one = static_cast<UInt128>(kOne);
  std::string text = raw_ < 0 ? "-" : "";
  text += unsigned_to_string(value / one);
  std::string fraction(kFractionDigits, '0');
  UInt128 fraction_value = value % one;
  for (std::size_t digit = kFractionDigits; digit > 0; --digit) {
    fraction[digit - 1] = static_cast<char>('0' + static_cast<int>(fraction_value % 10));
    fraction_value /= 10;
  }
  while (fraction.size() > 1 && fraction.back() == '0') {
    fraction.pop_back();
  }
  text += '.';
  text += fraction;
  return text;
}

std::optional<Decimal> Decimal::add(Decimal a, Decimal b) {
  return from_raw(a.raw_ + b.raw_);
}

std::optional<Decimal> Decimal::subtract(Decimal a, Decimal b) {
  return from_raw(a.raw_ - b.raw_);
}

std::optional<Decimal> Decimal::multiply(Decimal a, Decimal b) {
  return multiply_divide(a.raw_, b.raw_, kOne);
}

std::optional<Decimal> Decimal::divide(Decimal a, Decimal b) {
  return multiply_divide(a.raw_, kOne, b.raw_);
}

std::optional<Decimal> Decimal::truncated_divide(Decimal a, Decimal b) {
  if (b.raw_ == 0) {
    return std::nullopt;
  }
  const Int128 quotient = a.raw_ / b.raw_;
  if (quotient >= kIntegerLimit || quotient <= -kIntegerLimit) {
    return std::nullopt;
  }
  return from_raw(quotient * kOne);
}

std::optional<Decimal> Decimal::modulo(Decimal a, Decimal b) {
  if (b.raw_ == 0) {
    return std::nullopt;
  }
  return from_raw(a.raw_ % b.raw_);
}

std::optional<Decimal> Decimal::negate(Decimal a) {
  return from_raw(-a.raw_);
}

std::optional<Decimal> Decimal::scale(Decimal a, Int128 numerator, Int128 denominator) {
  return multiply_divide(a.raw_, numerator, denominator);
}

std::strong_ordering compare_products(Int128 x1, Int128 x2, Int128 x3, Int128 y1, Int128 y2,
                                      Int128 y3) {
  const auto sign_of = [](Int128 a, Int128 b, Int128 c) {
    if (a == 0 || b == 0 || c == 0) {
      return 0;
    }
    return ((a < 0) != (b < 0)) != (c < 0) ? -1 : 1;
  };
  const int x_sign = sign_of(x1, x2, x3);
  const int y_sign = sign_of(y1, y2, y3);
  if (x_sign != y_sign) {
    return x_sign <=> y_sign;
  }
  if (x_sign == 0) {
    return std::strong_ordering::equal;
  }
  const Wide384 x = multiply_wide(multiply_wide(magnitude(x1), magnitude(x2)), magnitude(x3));
  const Wide384 y = multiply_wide(multiply_wide(magnitude(y1), magnitude(y2)), magnitude(y3));
  return x_sign > 0 ? compare_wide(x, y) : compare_wide(y, x);
}

}  // namespace rubric

#include "values/fact_block.hpp"

#include <algorithm>
#include <cassert>

namespace rubric {

FactBlock::FactBlock(std::size_t fact_count)
    : columns_(fact_count), values_(fact_count * kCapacity), amounts_(fact_count * kCapacity) {}

FactBlock::FactBlock(const FactBlock& other)
    : size_(other.size_),
      columns_(other.columns_),
      values_(other.values_),
      amounts_(other.amounts_) {
  // The copied string values still view the original's storage: re-point each at a copy
  // owned by this block.
  for (Value& value : values_) {
    if (value.kind() == ValueKind::string) {
      value = Value::string(strings_.emplace_back(value.as_string()));
    }
  }
}

FactBlock& FactBlock::operator=(const FactBlock& other) {
  if (this != &other) {
    FactBlock copy(other);
    *this = std::move(copy);
  }
  return *this;
}

bool FactBlock::scaled_amount(const Value& value, double& out) {
  constexpr Int128 kSmall = Int128{1} << 31;
  constexpr Int128 kLimit = Int128{1} << 62;
  constexpr Int128 kRawLimit = Int128{1} << 95;  // so that raw * numerator cannot overflow
  Int128 raw = value.as_decimal().raw();
  if (value.kind() == ValueKind::quantity) {
    const Factor& factor = value.unit().factor;
    if (factor.numerator >= kSmall || factor.denominator >= kSmall || raw >= kRawLimit ||
        raw <= -kRawLimit) {
      return false;
    }
    raw *= factor.numerator;
    if (factor.denominator != 1) {  // most units (durations, grams) need no division
      if (raw % factor.denominator != 0) {
        return false;
      }
      raw /= factor.denominator;
    }
  }
  if (raw >= kLimit || raw <= -kLimit) {
    return false;
  }
  const auto integer = static_cast<std::int64_t>(raw);
  out = static_cast<double>(integer);
  // Below 2^62 in magnitude the double converts back without overflow; equal means exact.
  return static_cast<std::int64_t>(out) == integer;
}

std::size_t FactBlock::push_back(const FactSet& facts) {
  assert(!full() && facts.size() == fact_count());
  const std::size_t row = size_++;
  const std::span<const Value> values = facts.values();
  const std::size_t count = std::min(values.size(), columns_.size());
  for (std::uint32_t fact = 0; fact < count; ++fact) {
    // The row's bits are clear (clear() zeroes them and rows are only added), so `store`
    // only sets bits.
    store(row, fact, values[fact]);
  }
  return row;
}

std::size_t FactBlock::push_back_absent() {
  assert(!full());
  const std::size_t row = size_++;
  for (std::size_t fact = 0; fact < columns_.size(); ++fact) {
    values_[fact * kCapacity + row] = Value::null();
  }
  // The masks are already clear for this row: clear() zeroes them and rows are only added.
  return row;
}

void FactBlock::set(std::size_t row, FactId fact, const Value& value) {
  Column& column = columns_[fact.value];
  const std::uint64_t keep = ~(std::uint64_t{1} << row);
  column.present &= keep;
  column.truth &= keep;
  column.known &= keep;
  column.exact &= keep;
  store(row, fact.value, value);
}

void FactBlock::store(std::size_t row, std::uint32_t fact, const Value& value) {
  const std::size_t slot = fact * kCapacity + row;
  const ValueKind kind = value.kind();
  values_[slot] =
      kind == ValueKind::string ? Value::string(strings_.emplace_back(value.as_string())) : value;
  if (kind == ValueKind::null) {
    return;
  }
  Column& column = columns_[fact];
  const std::uint64_t bit = std::uint64_t{1} << row;
  column.present |= bit;
  if (kind == ValueKind::boolean) {
    column.truth |= value.as_boolean() ? bit : 0;
    return;
  }
  column.known |= bit;
  const bool number = kind == ValueKind::integer || kind == ValueKind::decimal;
  if (!number && kind != ValueKind::quantity) {
    return;
  }
  if (column.form == NumberForm::none) {
    column.form = number ? NumberForm::number : NumberForm::quantity;
    column.dimension = number ? Dimension{} : value.unit().dimension;
  }
  const bool same_form =
      number ? column.form == NumberForm::number
             : column.form == NumberForm::quantity && value.unit().dimension == column.dimension;
  if (same_form && scaled_amount(value, amounts_[slot])) {
    column.exact |= bit;
  }
}

void FactBlock::copy_row(std::size_t row, FactSet& out) const {
  if (out.size() != columns_.size()) {
    out = FactSet(columns_.size());
  } else {
    out.clear();
  }
  for (std::uint32_t fact = 0; fact < columns_.size(); ++fact) {
    const Value& value = values_[fact * kCapacity + row];
    out.set(FactId{fact},
            value.kind() == ValueKind::string ? Value::string(out.keep(value.as_string())) : value);
  }
}

void FactBlock::clear() {
  size_ = 0;
  std::fill(columns_.begin(), columns_.end(), Column{});
  strings_.clear();
}

}  // namespace rubric

// A block of up to 64 fact sets stored by fact (one column per fact), for evaluating many
// patients at once: Guideline::evaluate on a block runs each step of the program on 64
// patients in a few machine words (engine/program.hpp, docs/performance.md).
//
// Besides the values, each column keeps bit masks over the rows (present, true, known) and,
// for numbers, every row's amount as an exact double in one scale per column (see
// `scaled_amount`). Comparisons of a column with a constant in the same scale then run as a
// few vector comparisons over 64 doubles; the other rows use the general comparison.
//
// Contract: a FactBlock owns the characters of its string values. It is not thread-safe
// for writing; a filled block may be read (evaluated) from many threads at once. Strings of
// overwritten values are freed only by `clear`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "values/fact_set.hpp"
#include "values/units.hpp"
#include "values/value.hpp"

namespace rubric {

class FactBlock {
 public:
  static constexpr std::size_t kCapacity = 64;

  // What a column's scaled amounts hold: nothing yet, integers and decimals, or quantities
  // of one dimension (`Column::dimension`).
  enum class NumberForm : std::uint8_t { none, number, quantity };

  // One fact's rows. Bit r of a mask is row r. Every mask is zero beyond size().
  struct Column {
    std::uint64_t present = 0;  // a value that is not null
    std::uint64_t truth = 0;    // the boolean true
    std::uint64_t known = 0;    // a present value that is not a boolean
    // Rows whose amount is in `amounts` (see `scaled_amount`): an integer or decimal (form
    // `number`) or a quantity of `dimension` (form `quantity`).
    std::uint64_t exact = 0;
    NumberForm form = NumberForm::none;  // set by the first number stored after clear()
    Dimension dimension;
  };

  FactBlock() = default;
  explicit FactBlock(std::size_t fact_count);
  // A copy owns copies of the strings (as FactSet's copies do).
  FactBlock(const FactBlock& other);
  FactBlock& operator=(const FactBlock& other);
  FactBlock(FactBlock&& other) noexcept = default;
  FactBlock& operator=(FactBlock&& other) noexcept = default;
  ~FactBlock() = default;

  [[nodiscard]] std::size_t fact_count() const { return columns_.size(); }
  // Rows in use, 0 to kCapacity.
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool full() const { return size_ == kCapacity; }
  // Bits 0 to size() - 1.
  [[nodiscard]] std::uint64_t row_mask() const {
    return size_ == kCapacity ? ~std::uint64_t{0} : (std::uint64_t{1} << size_) - 1;
  }

  // Appends a row holding a copy of `facts` and returns its index. Preconditions: !full()
  // and facts.size() == fact_count().
  std::size_t push_back(const FactSet& facts);
  // Appends a row with every fact absent and returns its index. Precondition: !full().
  std::size_t push_back_absent();
  // Sets one fact of a row (copying a string's characters). Preconditions: row < size()
  // and fact.value < fact_count().
  void set(std::size_t row, FactId fact, const Value& value);
  [[nodiscard]] const Value& get(std::size_t row, FactId fact) const {
    return values_[fact.value * kCapacity + row];
  }
  // Writes a row into `out`, resized to fact_count(); `out` owns its strings.
  void copy_row(std::size_t row, FactSet& out) const;
  // No rows; the fact count and memory are kept.
  void clear();

  [[nodiscard]] const Column& column(FactId fact) const { return columns_[fact.value]; }
  // The column's scaled amounts, kCapacity of them; only the rows of `Column::exact` are
  // meaningful.
  [[nodiscard]] const double* amounts(FactId fact) const {
    return amounts_.data() + fact.value * kCapacity;
  }

  // A number or quantity as one integer, held exactly in a double, whose order is the
  // value's order within its form: an integer or decimal as its raw Decimal (units of
  // 10^-8); a quantity in units of 10^-8 of its dimension's base unit, when its unit's
  // factor has terms below 2^31 (the factors `operations::fast_order` compares exactly) and
  // the conversion is exact. False when there is no such integer or a double cannot hold it
  // exactly (more than 53 significant bits).
  static bool scaled_amount(const Value& value, double& out);

 private:
  // Stores a value in a row whose bits for `fact` are clear.
  void store(std::size_t row, std::uint32_t fact, const Value& value);

  std::size_t size_ = 0;
  std::vector<Column> columns_;
  std::vector<Value> values_;    // fact-major: values_[fact * kCapacity + row]
  std::vector<double> amounts_;  // fact-major, like values_
  std::deque<std::string> strings_;
};

}  // namespace rubric

// Declared facts (the schema a fact set is checked against) and fact sets (one patient's
// values).
//
// Contract: a FactSet holds one Value per declared fact, null for an absent fact. It owns
// the characters of its string values. A FactSet is not thread-safe for writing; a filled
// FactSet may be read from many threads.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "values/binding.hpp"
#include "values/source_range.hpp"
#include "values/types.hpp"
#include "values/value.hpp"

namespace rubric {

struct FactId {
  std::uint32_t value = 0;
  friend bool operator==(FactId, FactId) = default;
};

// A unit of another dimension that fact files may use for a quantity fact (a `convert`
// clause): a value v in `from` is read as v × factor in `to`, a unit of the fact's dimension.
struct UnitConversion {
  const Unit* from = nullptr;
  Decimal factor;
  const Unit* to = nullptr;
};

// The name of the evaluation date's fact (see FactSpec::evaluation_date): not an identifier,
// so that no declared fact can take it.
inline constexpr std::string_view kEvaluationDateName = "Today()";

// One declared fact. The limits, when present, are of the fact's own type (for a duration,
// a quantity); `minimum_inclusive` tells `>=` from `>`.
struct FactSpec {
  std::string name;
  Type type;
  // For a fact declared `quantity 'UNIT'`: that unit as written ("mg/d"); values may use
  // any unit of the same dimension. Empty for other types.
  std::string unit;
  // Quantity facts: when not empty, the only units of the fact's dimension that values may
  // use (the `units` clause; by default, the declared unit alone for a dimensionless fact).
  // Empty: any unit of the dimension.
  std::vector<const Unit*> accepted_units;
  // Quantity facts: units of other dimensions that values may use (`convert` clauses).
  std::vector<UnitConversion> conversions;
  std::vector<std::string> codes;  // code facts only: the allowed codes
  std::optional<Value> minimum;
  bool minimum_inclusive = true;
  std::optional<Value> maximum;
  bool maximum_inclusive = true;
  std::string description;
  SourceRange range;  // where it is declared
  // The evaluation date: the fact a rule file's `Today()` reads, named kEvaluationDateName,
  // of type date, after the declared facts. Front ends give it from the evaluation's `as of`
  // date (`--as-of`, an API parameter), never from a fact file; the engine and the analysis
  // treat it as any other fact, so a result that depends on it says so.
  bool evaluation_date = false;
  // Where the fact is read from in a patient's record (a `from ... value ...` clause), when
  // the rule file says; facts without one can come only from fact files and APIs.
  std::optional<FactBinding> binding;

  // The allowed values in words: "an integer from 0 to 3", "a duration of at least 0 days",
  // "`true` or `false`", "one of 'left', 'right'".
  [[nodiscard]] std::string expected() const;
  // Nullopt when `value` (non-null, of the fact's type) satisfies the limits and codes;
  // otherwise a message fragment such as "12 is above the maximum 10".
  [[nodiscard]] std::optional<std::string> violation(const Value& value) const;
};

class FactSet {
 public:
  FactSet() = default;
  explicit FactSet(std::size_t fact_count) : values_(fact_count) {}
  // A copy owns copies of the strings: its string values view its own storage, never the
  // original's. Moves keep every view valid (the storage moves with the set).
  FactSet(const FactSet& other);
  FactSet& operator=(const FactSet& other);
  FactSet(FactSet&& other) noexcept = default;
  FactSet& operator=(FactSet&& other) noexcept = default;
  ~FactSet() = default;

  [[nodiscard]] std::size_t size() const { return values_.size(); }
  [[nodiscard]] const Value& get(FactId id) const { return values_[id.value]; }
  // Every fact's value, indexed by FactId::value.
  [[nodiscard]] std::span<const Value> values() const { return values_; }
  void set(FactId id, const Value& value) { values_[id.value] = value; }
  // Copies `text` into storage owned by this set and returns a view of the copy, for
  // string values; stays valid as long as the set (moves keep it valid too).
  std::string_view keep(std::string_view text);
  // Makes every fact absent (null) and frees the kept strings; the size is unchanged.
  void clear();

 private:
  std::vector<Value> values_;
  std::deque<std::string> strings_;
};

}  // namespace rubric

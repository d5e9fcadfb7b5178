// Fact domains: each fact's values partitioned into finitely many regions on which every test
// of the fact in a decision graph is constant, each with a representative value.
//
// The partition (docs/analysis.md#the-method): the absent value; booleans and codes by value;
// strings by the texts they are compared with and one other; numbers and quantities by the
// constants they are compared with and their declared limits (unit-normalised), as points and
// the open intervals between them, clipped to the limits and to integer-ness (a small integer
// range value by value). A fact used only so (compared with constants, tested with `is`, `in` a
// list of constants, used as a boolean, an item of a score) is `exact`: two values of one region
// give every node of the graph the same value. A fact used in anything else is sampled at the
// representatives and marked approximate, with the reason in words.
//
// The analysis (authoring/analysis.hpp) searches these regions; the evaluator uses them to
// decide a recommendation exactly when Kleene logic leaves it unknown (docs/semantics.md).
//
// Contract: FactDomain values are plain data; a built domain is immutable and may be read
// from any thread. String representatives view characters owned by the `strings` deque
// passed to `build`, which must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/graph.hpp"
#include "values/fact_set.hpp"
#include "values/value.hpp"

namespace rubric {

// One region of a fact's domain and the value that represents it.
struct FactRegion {
  Value value;  // the representative; null: the fact is absent
  // Numbers and quantities: the region's bounds (nullopt: unbounded); a point has
  // low == high, both inclusive. Other facts: none.
  std::optional<Value> low;
  bool low_inclusive = false;
  std::optional<Value> high;
  bool high_inclusive = false;
};

struct DomainLimits {
  // An integer fact whose declared range holds at most this many values is enumerated value
  // by value (and is then exact whatever it is used in).
  std::int64_t max_enumerated_integers = 64;
  // Regions a fact may have; further comparison constants make the fact approximate.
  std::size_t max_regions_per_fact = 512;
};

struct FactDomain {
  // regions[0] is the absent value; for numbers and quantities regions[1..] are in
  // increasing order and cover every valid value.
  std::vector<FactRegion> regions;
  bool ordered = false;             // a number or quantity
  bool finite = false;              // a boolean or code: regions[1..] are every valid value
  bool exact = true;                // every use of the fact lies in the exact fragment
  std::string approximate_because;  // when not exact: the first reason, in words

  void make_approximate(const char* reason);
  // True when the representatives show every behaviour of the fact: its uses lie in the
  // exact fragment, or its regions are its values.
  [[nodiscard]] bool covered() const { return exact || finite; }
};

// Builds fact domains from the graphs that read the facts. Facts are numbered by the caller
// (`fact_index` maps a graph's fact ids to those numbers), so that one domain may stand for a
// fact several guidelines declare.
class FactDomainBuilder {
 public:
  explicit FactDomainBuilder(std::size_t fact_count);

  // Records how `graph` (whose facts are declared by `specs`) uses each fact: the constants
  // it is compared with, and in `domains` the uses outside the exact fragment.
  void add_uses(const DecisionGraph& graph, std::span<const std::uint32_t> fact_index,
                std::span<const FactSpec> specs, std::span<FactDomain> domains);

  // The regions of fact `fact_number`, from the uses recorded and its declarations (the first
  // gives the type; a region is kept when every declaration accepts its representative).
  void build(std::uint32_t fact_number, std::span<const FactSpec* const> declarations,
             const DomainLimits& limits, FactDomain& fact, std::deque<std::string>& strings);

 private:
  std::vector<std::vector<Value>> points_;  // per fact: the constants it is compared with
};

}  // namespace rubric

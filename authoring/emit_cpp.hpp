// `rubric compile --emit-cpp`: a compiled guideline as one self-contained C++20 header, for
// engineers who want the last nanosecond. The header has no dependency on Rubric: a `Facts`
// struct (one field per fact, in exact fixed-point form, and presence bits), a `Decision`
// (outcome per recommendation, the absent facts each undetermined one waits on, and those each
// decided one was decided despite), and an inline,
// allocation-free, thread-safe `evaluate`. It gives exactly what Guideline::evaluate gives:
// the same three-valued logic and the same missing facts (tests/emit compares them).
//
// The fragment it compiles: boolean, integer, decimal, quantity (duration included), string
// and code facts; constants and parameters; `and`, `or`, `xor`, `implies`, `not`, `is null`,
// `is true`, `is false`; comparisons (`=`, `!=`, `<`, `<=`, `>`, `>=`) of a fact with a
// constant or with another fact of the same type; `in` of a fact over a list of constants;
// score tests (`at least` nodes: a score compared with a constant, `at least N of`) of at most
// 16 items; definitions built from these. A recommendation that is not Kleene-exact gets the
// library's search for exact outcomes (docs/compile.md#exact-outcomes), and `Decision::despite`
// the facts it was decided despite, when the search provably stays within kMaxSearchWork.
// Anything else (arithmetic, `if`/`case`, Coalesce, `~`, a score against a computed value, a
// search that may pass the bound) is reported as an E0701 error, and nothing is generated.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"
#include "engine/guideline.hpp"

namespace rubric {

// Why `name` (an identifier) may not be used as it is for a name in generated C++: it is a
// keyword, a reserved identifier (begins with `_`, contains `__`), a macro of the C or C++
// standard library (`errno`, `stdin`, `assert`, ...) or predefined by GCC or Clang (`linux`),
// or is written in capitals, digits and `_` only, as macros are (`NULL`, `EOF`, `INT_MAX`).
// Empty when none holds. The message follows the name: "`int` is a C++ keyword".
std::string cpp_name_problem(std::string_view name);

// Why `text` cannot be the namespace of the generated code, or empty when it can: it must be
// identifiers joined by `::` (`a`, `a::b_2`), none with a cpp_name_problem, and not begin
// with `std`, `stdN` or `posix`. The message follows the text ("`int` ... ").
std::string cpp_namespace_problem(std::string_view text);

// cpp_namespace_problem(text) is empty.
bool is_cpp_namespace(std::string_view text);

// The member of the generated `Facts` for each fact: the fact's name when it has no
// cpp_name_problem and is none of the names `Facts` declares (`present`, `has`,
// `mark_present`, ...); otherwise the name with runs of `_` shortened to one and none at
// either end, `fact_` before it if it is then empty or begins with a digit, followed by `_`
// (`int` -> `int_`, `NULL` -> `NULL_`, `_Foo` -> `Foo_`, `a__b` -> `a_b_`, `_2` -> `fact_2_`),
// numbered (`int_2_`) when another fact has that member. Unique, in fact order.
std::vector<std::string> fact_member_names(std::span<const FactSpec> facts);

// The unit of a quantity fact's field in the generated `Facts`: the unit the fact declares,
// else seconds, grams, metres, millilitres or [iU] by its dimension; null for other facts
// and for quantities of other dimensions declared without a unit (which E0701 rejects).
const Unit* emitted_unit(const FactSpec& fact);

struct EmitOptions {
  // The namespace of the generated code; precondition: is_cpp_namespace.
  std::string namespace_name = "rubric_generated";
  // Shown in the header's first comment (the rule file it came from).
  std::string source_name;
};

// The header's text, or nullopt with E0701 errors in `diagnostics` for every expression
// outside the fragment.
std::optional<std::string> emit_cpp(const Guideline& guideline, const SourceManager& sources,
                                    const EmitOptions& options, Diagnostics& diagnostics);

}  // namespace rubric

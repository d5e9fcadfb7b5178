// The checker: resolves names, types every expression (with its dimension), evaluates
// parameters and fact limits, and checks declarations. Reports every problem it finds in
// one run (codes E02xx for errors, W03xx for warnings); never throws.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "values/fact_set.hpp"
#include "values/types.hpp"
#include "values/value.hpp"

namespace rubric {

enum class SymbolKind : std::uint8_t { none, fact, parameter, definition };

struct Symbol {
  SymbolKind kind = SymbolKind::none;
  std::uint32_t index = 0;  // into the module's facts, parameters or definitions
};

inline constexpr const char* kRecommendationKinds[] = {
    "refer", "prescribe", "caution", "avoid", "therapy", "order", "follow-up", "monitor", "assess"};

// The indicators of a CDS Hooks 2.0 card, from the least urgent (`indicator NAME`).
inline constexpr const char* kCardIndicators[] = {"info", "warning", "critical"};
// The CDS hooks a guideline may answer (`hooks ...`); without the clause, the first.
inline constexpr const char* kCdsHooks[] = {"patient-view", "order-sign"};
// A card's summary holds at most this many characters (Unicode code points), as CDS Hooks
// 2.0 asks ("<140-character summary").
inline constexpr std::size_t kMaxSummaryCharacters = 140;
// The indicator of a recommendation of `kind` that gives none: `warning` for `caution` and
// `avoid`, `info` for every other kind (docs/language.md#recommendation).
const char* default_indicator(std::string_view kind);
// The number of Unicode code points in UTF-8 `text` (the checker has checked it is UTF-8).
std::size_t character_count(std::string_view text);

// A module with everything the checker learnt about it. Invariant when `ok`: every
// expression reachable from a definition, parameter or recommendation condition has a
// non-error type, every name resolves, definitions are acyclic, and every condition is
// boolean.
struct CheckedModule {
  ast::Module module;
  std::vector<Type> types;          // per expression
  std::vector<Symbol> symbols;      // per expression (names only)
  std::vector<Value> constants;     // per expression: the value of a literal, a score item's
                                    // weight or an `at least` count, else null
  std::deque<std::string> strings;  // owns the characters of string constants
  // Per fact declaration, then the evaluation date's fact (FactSpec::evaluation_date) when
  // an expression reads `Today()`.
  std::vector<FactSpec> facts;
  // The index of the evaluation date's fact in `facts` (always the declared facts' count)
  // when `Today()` is used.
  std::optional<std::uint32_t> evaluation_date;
  std::vector<Value> parameters;  // per parameter declaration: its value
  std::vector<Type> parameter_types;
  std::vector<Type> definition_types;
  // Definitions in dependency order (each after the definitions it uses).
  std::vector<std::uint32_t> definition_order;
  bool ok = false;

  [[nodiscard]] const Type& type_of(ast::ExprId id) const { return types[id.value]; }
};

// Checks a parsed rule file. String constants point into `CheckedModule::strings`, which
// stay valid while the CheckedModule lives (also across moves).
CheckedModule check_module(ast::Module module, const SourceManager& sources,
                           Diagnostics& diagnostics);

// Checks a standalone expression (`rubric expr`, the CQL conformance runner): `module` holds
// the expression and any fact declarations it may use (no guideline header needed).
CheckedModule check_expression(ast::Module module, ast::ExprId expression,
                               const SourceManager& sources, Diagnostics& diagnostics);

}  // namespace rubric

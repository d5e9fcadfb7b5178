// Evaluating one standalone expression (`rubric expr`, the CQL conformance runner).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"
#include "values/value.hpp"

namespace rubric {

class FactSet;
class Guideline;

// A value the expression may refer to by name; its type is the type of its value (a null
// value has type null).
struct NamedValue {
  std::string name;
  Value value;
};

struct ExpressionResult {
  Value value;
  std::string literal;  // the value as a CQL literal
  // Owns the characters of a string `value` (and nothing the caller needs to know about).
  std::shared_ptr<const void> storage;
};

// Parses, checks, compiles and evaluates `file`'s text as one expression. Nullopt after
// diagnostics (syntax, names, types, units). `as_of` is the evaluation date `Today()` reads
// (absent, so null, without one).
std::optional<ExpressionResult> evaluate_expression(const SourceManager& sources, FileId file,
                                                    std::span<const NamedValue> names,
                                                    Diagnostics& diagnostics,
                                                    const std::optional<DateTime>& as_of = {});

// The same in the scope of a compiled guideline (`rubric expr --guideline`): the expression
// may name the guideline's facts (typed as declared), parameters and definitions, and is
// evaluated with `facts`, a fact set of that guideline (FactSet size = facts().size()), and
// `as_of` for `Today()`. `sources` must hold the guideline's rule file as it was compiled.
std::optional<ExpressionResult> evaluate_expression(const Guideline& guideline,
                                                    const SourceManager& sources, FileId file,
                                                    const FactSet& facts, Diagnostics& diagnostics,
                                                    const std::optional<DateTime>& as_of = {});

}  // namespace rubric

// Printing evaluation results for people (text) and tools (JSON, as the data dictionary's
// "Result of one evaluation" describes).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dsl/source.hpp"
#include "engine/guideline.hpp"

namespace rubric {

// A value for JSON output: booleans and numbers as JSON, strings as strings, quantities as
// fact-file strings ("10 weeks", "1000 mg/d").
nlohmann::ordered_json value_to_json(const Value& value);

// A recommendation as results show it when it is made: {"id", "kind", "text", "citations"
// (the numbers), "sources" ([{"number", "text"}]: each citation with its text, in the order
// cited), ["evidence"], "parameters": {name: value}}.
nlohmann::ordered_json recommendation_to_json(const Guideline& guideline,
                                              const RecommendationInfo& info);

// A recommendation's reported values after an evaluation with `facts` and `scratch`:
// [{"name", "value" (null while unknown), "text" ("4", "unknown, from 2 to 4", "unknown")}].
nlohmann::ordered_json reported_to_json(const Guideline& guideline, const RecommendationInfo& info,
                                        const FactSet& facts, EvaluationScratch& scratch);

// {"guideline": {...}, "recommendations": [...], "undetermined": [{"id", "kind", "text",
// "missing", "location"}]}. A recommended item that reports values has "reported"
// (reported_to_json) after "because".
nlohmann::ordered_json decision_to_json(const Guideline& guideline, const SourceManager& sources,
                                        const FactSet& facts, EvaluationScratch& scratch,
                                        const Decision& decision);

// The same for people: recommendations grouped by kind, each with its text, the facts that
// decided it, carried parameters, reported values (`report: NAME = VALUE`) and citations; then the
// undetermined ones and what they wait on.
std::string decision_to_text(const Guideline& guideline, const SourceManager& sources,
                             const FactSet& facts, EvaluationScratch& scratch,
                             const Decision& decision);

// "file:line:col" of a source range.
std::string location(const SourceManager& sources, SourceRange range);

}  // namespace rubric

// Printing explanations (`rubric explain`) for people (text) and tools (JSON carrying the
// same tree).
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "authoring/explain.hpp"
#include "dsl/source.hpp"

namespace rubric {

// One explanation:
//   {"id", "kind", "text", ["evidence"], "outcome", "location", "carries": {name: value},
//    ["reported": [{"name", "value", "text"}] when the recommendation has a `report` clause],
//    "summary",
//    "reasons": [{"term", "value", "absent", "through": [definition, ...], "because"}],
//    "condition": TERM,
//    "facts": [{"name", "value", ["unit"], "absent", "decisive", "description"}],
//    "parameters": [{"name", "value", ["unit"], "description"}],
//    "definitions": [{"name", "value", "description", "location"}],
//    "missing": [{"fact", "expected", "description",
//                 "settles": "always"|"sometimes"|"never"|"unknown", "proven",
//                 ["unproven_because"],
//                 "options": [{"values", "example", ["min", "min_inclusive"],
//                              ["max", "max_inclusive"], "outcome", "proven"}]}],
//    "citations": [{"number", "text"}]}
// where TERM is
//   {"text", "kind", ["operator"], ["name"], ["description"], ["role"], "value", "display",
//    ["unit"], ["absent"], "decisive", ["taken"], ["repeated"], ["truncated"], "location",
//    ["children": [TERM, ...]]}
// "value" is the JSON value (null when unknown or absent), "display" the same in words
// ("true", "unknown", "absent", "4 weeks"); "outcome" is "recommended", "absent" or
// "undetermined"; "reasons" are, for an absent recommendation, the false terms ("why not").
// A missing fact's "proven" is false when no range of its values could be proven to give one
// outcome ("unproven_because" says why): its options are then single example values
// (option "proven": false, the outcome of that value only), and "settles" is "unknown"
// rather than "never" when none of them settles it.
nlohmann::ordered_json explanation_to_json(const Explanation& explanation,
                                           const SourceManager& sources);

// {"guideline": {"id", "version"}, "explanations": [...]}: the shape `rubric explain
// --format json` prints, with or without `--id`.
nlohmann::ordered_json explanations_to_json(std::span<const Explanation> explanations,
                                            const SourceManager& sources);

// One explanation for people: the outcome, the one-sentence summary, the terms that decided
// it (why / why not / why undetermined), the condition term by term, what would settle an
// undetermined one, the facts, parameters and definitions involved, and the sources in full.
std::string explanation_to_text(const Explanation& explanation, const SourceManager& sources);

// The guideline's id and version, then each explanation.
std::string explanations_to_text(std::span<const Explanation> explanations,
                                 const SourceManager& sources);

}  // namespace rubric

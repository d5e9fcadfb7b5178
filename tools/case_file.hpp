// Case files: a fact set and the exact expected result of evaluating it, in YAML:
//
//   description: ...
//   as_of: 2026-06-15                          # optional: the evaluation date `Today()` reads
//   facts: {fracture_grade: 1, ...}
//   expect:
//     recommendations: [calcium, ...]          # exactly the recommended ids
//     undetermined: {calcitonin: [neurologic_deficit]}   # id -> the facts it waits on
//     reported:                                # optional: id -> name -> the value it reports
//       oac_recommended: {cha2ds2_vasc: 4}     # or {from: 3, to: 4} for an unknown score
//   # or, for a fact set that must be rejected:
//   expect: {error: pain_vas}                  # the fact the error must name
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dsl/source.hpp"
#include "engine/guideline.hpp"

namespace rubric {

struct CaseOutcome {
  std::string path;
  bool passed = false;
  // Why it failed, for people: missing/extra recommendations, undetermined differences,
  // the error expected or found; or the problem with the case file itself.
  std::string explanation;
};

class CoverageRecorder;

// Runs one case file against a compiled guideline; records the evaluation in `coverage`
// when given. The evaluation date is the file's `as_of`, else `as_of` (`rubric test
// --as-of`, or today's date); with neither, a guideline's `Today()` is absent. Never throws.
CaseOutcome run_case_file(const Guideline& guideline, SourceManager& sources,
                          const std::string& path, CoverageRecorder* coverage = nullptr,
                          std::optional<DateTime> as_of = std::nullopt);

// The case files named by `paths`: files as given, folders searched recursively for
// `.yaml`, `.yml` and `.json` files, in sorted order. Paths that do not exist are returned
// in `missing`.
std::vector<std::string> collect_case_files(const std::vector<std::string>& paths,
                                            std::vector<std::string>& missing);

}  // namespace rubric

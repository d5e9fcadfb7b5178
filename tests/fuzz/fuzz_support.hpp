// Shared by the libFuzzer targets: a guideline declaring a fact of every type, compiled once,
// for the targets that read fact values.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "engine/guideline.hpp"

namespace rubric::fuzz {

inline constexpr const char* kEveryType =
    "guideline \"fuzz\" title \"Every fact type\" version \"1\"\n"
    "source 1 \"fuzzing\"\n"
    "fact grade: integer between 0 and 3\n"
    "fact score: decimal between 0 and 10\n"
    "fact flag: boolean\n"
    "fact note: string\n"
    "fact elapsed: duration >= 0 days\n"
    "fact weight: mass > 0 'kg'\n"
    "fact height: length\n"
    "fact given: volume\n"
    "fact dose: quantity 'mg/d' >= 0 'mg/d'\n"
    "fact side: code {'left', 'right'}\n"
    "fact born: date\n"
    "fact seen: datetime\n"
    "recommendation r kind refer text \"r\" cite 1\n"
    "  when grade = 1 and score >= 3.5 and flag and note = 'x' and elapsed < 6 weeks\n"
    "    and weight > 50 'kg' and height < 2 'm' and given > 1 'L' and dose >= 1000 'mg/d'\n"
    "    and side in {'left'} and years between born and seen >= 65\n"
    "    and seen < @2026-06-15T10:30:00Z + 1 month\n";

// The guideline above; aborts if it does not compile (a broken harness, not a finding).
inline const Guideline& every_type_guideline() {
  static const std::shared_ptr<const Guideline> guideline = [] {
    static SourceManager sources;
    Diagnostics diagnostics;
    auto compiled =
        Guideline::compile(sources, sources.add("every-type.rubric", kEveryType), diagnostics);
    if (!compiled) {
      std::fputs(format_diagnostics(sources, diagnostics).c_str(), stderr);
      std::abort();
    }
    return compiled;
  }();
  return *guideline;
}

}  // namespace rubric::fuzz

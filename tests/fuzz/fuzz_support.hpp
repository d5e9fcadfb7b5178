// Shared by the libFuzzer targets: a guideline declaring a fact of every type, compiled once,
// for the targets that read fact values.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "engine/guideline.hpp"

namespace rubric::fuzz {

// A guideline with a binding of every kind (fuzz_record, fuzz_cds_request).
inline constexpr const char* kEveryBinding =
    "guideline \"fuzz-record\"\n"
    "source 1 \"fuzzing\"\n"
    "codesystem LOINC = 'http://loinc.org'\n"
    "codesystem VF = 'http://example.org/fhir/CodeSystem/vertebral-fracture'\n"
    "valueset pain = {LOINC '72514-3', VF 'pain'}\n"
    "fact age: duration >= 0 days from Patient value years since birthDate\n"
    "fact sex: string from Patient value gender\n"
    "fact since: duration >= 0 days from most recent Condition coded VF 'vertebral-fracture'\n"
    "  where verificationStatus is not refuted value days since recordedDate or onsetDateTime\n"
    "fact cord: boolean from Condition coded VF 'cord-compression' value presence\n"
    "fact grade: integer between 0 and 3 from most recent Observation coded VF 'genant-grade'\n"
    "  where status is final, amended or corrected value valueInteger\n"
    "fact vas: decimal between 0 and 10 from most recent Observation coded pain\n"
    "  where status is final within 30 days value valueQuantity in '{score}' or valueInteger\n"
    "fact weight: mass from most recent Observation coded LOINC '29463-7' value valueQuantity\n"
    "fact flag: boolean from most recent Observation coded VF 'flag' value valueBoolean\n"
    "fact seen: boolean from Observation coded VF 'seen' value exists, otherwise false\n"
    "fact visits: integer from Procedure where status is completed within 1 year value count\n"
    "fact ordered: date from most recent MedicationRequest where intent is order\n"
    "  value authoredOn\n"
    "recommendation r kind refer text \"r\" cite 1\n"
    "  when age > 65 years and sex = 'female' and since < 6 weeks and not cord and grade = 1\n"
    "    and vas >= 3.5 and weight > 50 'kg' and flag and seen and visits > 1\n"
    "    and ordered < @2026-06-01\n";

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

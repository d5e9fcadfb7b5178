// libFuzzer target: the FHIR record reader (records/record_reader.hpp) on one input, through a
// guideline with a binding of every kind. Every input must give either facts or an error with
// a message (never both, never neither), with one provenance entry per fact; an error about
// bad data names its fact; facts that were read are evaluated.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/guideline.hpp"
#include "records/record_reader.hpp"

namespace {

constexpr const char* kBindings =
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

const rubric::Guideline& guideline() {
  static const std::shared_ptr<const rubric::Guideline> compiled = [] {
    static rubric::SourceManager sources;
    rubric::Diagnostics diagnostics;
    auto result = rubric::Guideline::compile(sources, sources.add("fuzz-record.rubric", kBindings),
                                             diagnostics);
    if (!result || diagnostics.has_errors()) {
      __builtin_trap();  // a broken harness, not a finding
    }
    return result;
  }();
  return *compiled;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rubric;
  const Guideline& bound = guideline();
  static const DateTime as_of = *DateTime::parse("2026-06-15").value;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  RecordReading reading = read_record(bound.facts(), json, as_of);
  if (reading.provenance.size() != bound.facts().size() && reading.ok()) {
    __builtin_trap();
  }
  if (!reading.ok()) {
    if (reading.error->message.empty()) {
      __builtin_trap();  // an error says what went wrong
    }
    return 0;
  }
  if (reading.facts.size() != bound.facts().size()) {
    __builtin_trap();
  }
  bound.set_evaluation_date(reading.facts, as_of);
  (void)bound.evaluate(reading.facts);
  return 0;
}

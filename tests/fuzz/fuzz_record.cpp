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
#include "tests/fuzz/fuzz_support.hpp"

namespace {

const rubric::Guideline& guideline() {
  static const std::shared_ptr<const rubric::Guideline> compiled = [] {
    static rubric::SourceManager sources;
    rubric::Diagnostics diagnostics;
    auto result = rubric::Guideline::compile(
        sources, sources.add("fuzz-record.rubric", rubric::fuzz::kEveryBinding), diagnostics);
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

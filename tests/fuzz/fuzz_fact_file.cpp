// libFuzzer target: a fact file read against a guideline with a fact of every type. Built
// twice: as YAML (RUBRIC_FUZZ_FACT_NAME "facts.yaml") and as JSON ("facts.json"). An
// accepted fact set is evaluated; a rejected one must come with at least one error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_support.hpp"
#include "tools/fact_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rubric;
  const Guideline& guideline = fuzz::every_type_guideline();
  SourceManager sources;
  const FileId file =
      sources.add(RUBRIC_FUZZ_FACT_NAME, std::string(reinterpret_cast<const char*>(data), size));
  Diagnostics diagnostics;
  const std::optional<FactSet> facts =
      read_fact_file(sources, file, guideline.facts(), diagnostics);
  (void)format_diagnostics(sources, diagnostics);
  if (facts) {
    if (diagnostics.has_errors() || facts->size() != guideline.facts().size()) {
      __builtin_trap();
    }
    (void)guideline.evaluate(*facts);
  } else if (!diagnostics.has_errors()) {
    __builtin_trap();  // rejected without saying why
  }
  return 0;
}

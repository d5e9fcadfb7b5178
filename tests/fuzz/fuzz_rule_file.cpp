// libFuzzer target: a rule file through parse, check and compile; when it compiles, one
// evaluation with every fact absent and the graph dump; the diagnostics are rendered either
// way (positions, lines and carets must stay inside the text).
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/guideline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rubric;
  SourceManager sources;
  const FileId file =
      sources.add("fuzz.rubric", std::string(reinterpret_cast<const char*>(data), size));
  Diagnostics diagnostics;
  const auto guideline = Guideline::compile(sources, file, diagnostics);
  (void)format_diagnostics(sources, diagnostics);
  if (guideline) {
    const FactSet facts(guideline->facts().size());
    const Decision decision = guideline->evaluate(facts);
    if (decision.outcomes.size() != guideline->recommendations().size()) {
      __builtin_trap();
    }
    (void)guideline->dump();
  }
  return 0;
}

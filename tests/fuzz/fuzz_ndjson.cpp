// libFuzzer target: the NDJSON batch line reader (tools/ndjson_facts.hpp) on one line,
// against a guideline with a fact of every type. An accepted line is evaluated; a rejected
// one must come with an error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_support.hpp"
#include "tools/ndjson_facts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rubric;
  const Guideline& guideline = fuzz::every_type_guideline();
  static NdjsonFactReader reader(guideline.facts());
  // The reader may look kNdjsonPadding bytes past the line; they are readable but not part
  // of it.
  std::string buffer(reinterpret_cast<const char*>(data), size);
  buffer.append(kNdjsonPadding, '\0');
  const std::string_view line(buffer.data(), size);
  FactSet facts(guideline.facts().size());
  Diagnostics diagnostics;
  if (reader.read(line, facts, diagnostics)) {
    if (diagnostics.has_errors()) {
      __builtin_trap();
    }
    (void)guideline.evaluate(facts);
  } else if (!diagnostics.has_errors()) {
    __builtin_trap();
  }
  return 0;
}

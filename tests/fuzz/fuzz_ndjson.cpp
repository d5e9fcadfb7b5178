// libFuzzer target: the NDJSON batch line reader (tools/ndjson_facts.hpp) on one line,
// against a guideline with a fact of every type, with and without the simple-line path: both
// must accept or reject alike, with the same facts and diagnostics. An accepted line is
// evaluated; a rejected one must come with an error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.hpp"
#include "tools/ndjson_facts.hpp"
#include "values/value.hpp"

namespace {

// The facts of an accepted line, as literals; empty for a rejected one.
std::string reading(rubric::NdjsonFactReader& reader, std::string_view line,
                    const rubric::Guideline& guideline, bool& accepted) {
  using namespace rubric;
  FactSet facts(guideline.facts().size());
  Diagnostics diagnostics;
  accepted = reader.read(line, facts, diagnostics);
  if (accepted == diagnostics.has_errors()) {
    __builtin_trap();  // accepted with an error, or rejected without one
  }
  std::string out;
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    out += std::string(diagnostic.code) + std::to_string(diagnostic.range.offset) +
           diagnostic.message + "\n";
  }
  if (accepted) {
    for (std::size_t fact = 0; fact < guideline.facts().size(); ++fact) {
      out += to_literal(facts.get(FactId{static_cast<std::uint32_t>(fact)})) + "\n";
    }
    (void)guideline.evaluate(facts);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rubric;
  const Guideline& guideline = fuzz::every_type_guideline();
  static NdjsonFactReader simple(guideline.facts());
  static NdjsonFactReader general(guideline.facts(), false);
  // The reader may look kNdjsonPadding bytes past the line; they are readable but not part
  // of it.
  std::string buffer(reinterpret_cast<const char*>(data), size);
  buffer.append(kNdjsonPadding, '\0');
  const std::string_view line(buffer.data(), size);
  // The simple-line path and the general path must read every line alike.
  bool simple_accepted = false;
  bool general_accepted = false;
  if (reading(simple, line, guideline, simple_accepted) !=
          reading(general, line, guideline, general_accepted) ||
      simple_accepted != general_accepted) {
    __builtin_trap();
  }
  return 0;
}

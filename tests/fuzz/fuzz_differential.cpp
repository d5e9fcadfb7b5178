// libFuzzer target: the differential check. The input bytes are the generator's choices
// (tests/reference/generator.hpp), so coverage steers the guideline shapes and fact values;
// any disagreement between the decision graph and the reference evaluator, and any claim of
// `rubric check` (W0501, W0502) that a generated fact set refutes, aborts with the guideline
// and facts that show it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "tests/reference/differential.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rubric::reference;
  ByteChooser chooser({data, size});
  Statistics statistics;
  if (const auto disagreement = differential_round(chooser, 8, statistics)) {
    std::fputs(disagreement->c_str(), stderr);
    std::abort();
  }
  // The same bytes, read again, choose a guideline whose analysis claims are checked.
  ByteChooser again({data, size});
  std::size_t claims = 0;
  if (const auto false_claim = analysis_claims_round(again, 16, claims)) {
    std::fputs(false_claim->c_str(), stderr);
    std::abort();
  }
  return 0;
}

// libFuzzer target: the differential check. The input bytes are the generator's choices
// (tests/reference/generator.hpp), so coverage steers the guideline shapes and fact values;
// any disagreement between the decision graph and the reference evaluator aborts with the
// guideline and facts that show it.
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
  return 0;
}

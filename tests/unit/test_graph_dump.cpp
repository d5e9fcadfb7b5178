// Golden test of the seed guideline's compiled decision graph. Set RUBRIC_UPDATE_GOLDEN=1 to
// rewrite tests/golden/seed-graph.txt after a deliberate change, then review the diff.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/guideline.hpp"
#include "support.hpp"

namespace {

using rubric::testing::read_text;

}  // namespace

TEST_CASE("the seed guideline compiles to the recorded decision graph", "[graph][golden]") {
  const std::string root = RUBRIC_SOURCE_DIR;
  const std::string rule_file =
      root + "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric";
  rubric::SourceManager sources;
  const rubric::FileId file = sources.add("vertebral-fracture-grade1.rubric", read_text(rule_file));
  rubric::Diagnostics diagnostics;
  const auto guideline = rubric::Guideline::compile(sources, file, diagnostics);
  REQUIRE(guideline != nullptr);
  const std::string dump = guideline->dump();
  const std::string golden = root + "/tests/golden/seed-graph.txt";
  const char* update = std::getenv("RUBRIC_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(golden, std::ios::binary) << dump;
    WARN("updated " << golden);
  }
  CHECK(dump == read_text(golden));

  // Shared sub-expressions: `conservative` is used by 14 recommendations (3 of them through
  // `analgesics_allowed`) but compiled once, and every fact is read by exactly one node.
  std::size_t fact_nodes = 0;
  for (const rubric::Node& node : guideline->graph().nodes()) {
    fact_nodes += node.op == rubric::Opcode::fact ? 1 : 0;
  }
  CHECK(fact_nodes == guideline->facts().size());
  const auto calcium = guideline->find_recommendation("calcium");
  const auto vitamin_d = guideline->find_recommendation("vitamin_d");
  REQUIRE(calcium);
  REQUIRE(vitamin_d);
  CHECK(guideline->recommendations()[*calcium].condition ==
        guideline->recommendations()[*vitamin_d].condition);
}

// Every case file of the seed guideline (guidelines/vertebral-fracture-grade1/cases), run
// through the C++ embedding API: the facts go in by name through the setters, and the
// decision must equal the case's `expect:` exactly, or, for `expect: {error: NAME}`, one
// setter must fail with a message naming `NAME`. yaml-cpp only reads the case files.
#include <yaml-cpp/yaml.h>
#include <rubric/rubric.hpp>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace api = rubric::api;

namespace {

const std::filesystem::path kGuidelineDir =
    std::filesystem::path(RUBRIC_SOURCE_DIR) / "guidelines" / "vertebral-fracture-grade1";

// Sets one fact as a fact file writes it: plain scalars through set_text, quoted ones
// through set_string (a quoted "6" is a string, as in a fact file), null as absent.
api::Status set_fact(api::FactSet& facts, const std::string& name, const YAML::Node& value) {
  if (value.IsNull()) {
    return facts.set_absent(name);
  }
  if (!value.IsScalar()) {
    return api::Status::error("E0406", "fact `" + name + "` must be a scalar");
  }
  if (value.Tag() == "!") {  // a quoted scalar
    return facts.set_string(name, value.Scalar());
  }
  return facts.set_text(name, value.Scalar());
}

}  // namespace

TEST_CASE("the seed's case files give the same results through the API", "[api][cases]") {
  const api::Compilation compiled =
      api::Guideline::compile_file(kGuidelineDir / "vertebral-fracture-grade1.rubric");
  REQUIRE(compiled.guideline);
  const api::Guideline& guideline = *compiled.guideline;

  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(kGuidelineDir / "cases")) {
    if (entry.path().extension() == ".yaml") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  REQUIRE(paths.size() >= 100);

  std::size_t errors_expected = 0;
  api::Decision decision;  // reused across cases
  for (const std::filesystem::path& path : paths) {
    INFO(path.filename().string());
    const YAML::Node file = YAML::LoadFile(path.string());
    const YAML::Node expect = file["expect"];
    REQUIRE(expect.IsMap());

    api::FactSet facts = guideline.new_fact_set();
    std::vector<std::string> errors;
    for (const auto& entry : file["facts"]) {
      const api::Status status = set_fact(facts, entry.first.Scalar(), entry.second);
      if (!status) {
        errors.push_back(status.message());
      }
    }

    if (expect["error"]) {
      ++errors_expected;
      const std::string named = "`" + expect["error"].Scalar() + "`";
      INFO("errors: " << errors.size());
      CHECK(std::any_of(errors.begin(), errors.end(), [&](const std::string& message) {
        return message.find(named) != std::string::npos;
      }));
      continue;
    }
    INFO((errors.empty() ? std::string() : errors.front()));
    REQUIRE(errors.empty());

    guideline.evaluate(facts, decision);
    REQUIRE(decision.status().ok());
    std::set<std::string> recommended;
    for (const api::RecommendationId id : decision.recommended()) {
      recommended.emplace(guideline.recommendation_name(id));
    }
    std::set<std::string> expected_recommended;
    for (const auto& id : expect["recommendations"]) {
      expected_recommended.insert(id.Scalar());
    }
    CHECK(recommended == expected_recommended);

    std::map<std::string, std::vector<std::string>> undetermined;
    for (const api::RecommendationId id : decision.undetermined()) {
      std::vector<std::string>& missing =
          undetermined[std::string(guideline.recommendation_name(id))];
      for (const api::FactId fact : decision.missing(id)) {
        missing.emplace_back(guideline.fact_name(fact));
      }
    }
    std::map<std::string, std::vector<std::string>> expected_undetermined;
    for (const auto& entry : expect["undetermined"]) {
      std::vector<std::string>& missing = expected_undetermined[entry.first.Scalar()];
      for (const auto& fact : entry.second) {
        missing.push_back(fact.Scalar());
      }
      std::sort(missing.begin(), missing.end());
    }
    CHECK(undetermined == expected_undetermined);
  }
  CHECK(errors_expected >= 20);
}

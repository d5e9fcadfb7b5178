// Case files (tools/case_file.hpp): every worked example of the seed guideline, from the
// repository (guidelines/vertebral-fracture-grade1/cases/) and from ../shared/seed/cases/,
// must pass through the library; a wrong expectation must fail with a readable explanation.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/guideline.hpp"
#include "support.hpp"
#include "tools/case_file.hpp"

namespace rubric {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

const std::string kSeedFolder =
    std::string(RUBRIC_SOURCE_DIR) + "/guidelines/vertebral-fracture-grade1";
const std::string kSeedRuleFile = kSeedFolder + "/vertebral-fracture-grade1.rubric";
const std::string kRepoCases = kSeedFolder + "/cases";
const std::string kSharedCases = std::string(RUBRIC_SHARED_DIR) + "/seed/cases";

using rubric::testing::read_text;

struct Seed {
  SourceManager sources;
  std::shared_ptr<const Guideline> guideline;
};

// The seed guideline, compiled once; its SourceManager also holds the case files read.
Seed& seed() {
  static Seed instance = [] {
    Seed loaded;
    const FileId file = loaded.sources.add(kSeedRuleFile, read_text(kSeedRuleFile));
    Diagnostics diagnostics;
    loaded.guideline = Guideline::compile(loaded.sources, file, diagnostics);
    if (loaded.guideline == nullptr) {
      FAIL("the seed guideline does not compile:\n"
           << format_diagnostics(loaded.sources, diagnostics));
    }
    return loaded;
  }();
  return instance;
}

std::vector<std::string> case_files(const std::string& folder) {
  std::vector<std::string> missing;
  const std::vector<std::string> files = collect_case_files({folder}, missing);
  CHECK(missing.empty());
  return files;
}

// Runs every case file of `folder`; each must pass, and a failure says why.
void run_folder(const std::string& folder) {
  const std::vector<std::string> files = case_files(folder);
  REQUIRE_FALSE(files.empty());
  std::size_t passed = 0;
  for (const std::string& path : files) {
    const CaseOutcome outcome = run_case_file(*seed().guideline, seed().sources, path);
    CHECK(outcome.path == path);
    INFO("case " << fs::path(path).filename().string() << " failed:\n" << outcome.explanation);
    CHECK(outcome.passed);
    if (outcome.passed) {
      CHECK(outcome.explanation.empty());
      ++passed;
    }
  }
  CHECK(passed == files.size());
}

using rubric::testing::TempFolder;

CaseOutcome run_text(const TempFolder& folder, const std::string& name, const std::string& text) {
  return run_case_file(*seed().guideline, seed().sources, folder.write(name, text));
}

// A grade 1 patient without red flags, two weeks after identification, 72 years old.
constexpr const char* kPatient = R"(facts:
  fracture_grade: 1
  neurologic_deficit: false
  progressive_neurologic_deterioration: false
  spinal_instability: false
  cord_compression: false
  time_since_identification: 2 weeks
  pain_vas: 6
  pain_refractory: false
  kyphosis_percent: 5
  height_loss_percent: 22
  pulmonary_dysfunction: false
  analgesic_contraindication: false
  parenteral_narcotics_required: false
  symptoms_changed: false
  symptoms_persisting: false
  age: 72 years
  severe_initial_pain: true
  mri_t2_fluid_pattern: false
  severe_collapse: false
)";

constexpr const char* kPatientRecommendations = R"(  recommendations:
  - analgesics_as_needed
  - avoid_bed_rest
  - bisphosphonate
  - calcitonin
  - calcium
  - close_monitoring
  - early_mobilization
  - follow_up_4_6_weeks
  - opioid_caution
  - opioid_fall_risk
  - vitamin_d
)";

// ---- The worked examples -----------------------------------------------------------------

TEST_CASE("every case file of the repository passes", "[cases]") {
  REQUIRE(fs::is_directory(kRepoCases));
  run_folder(kRepoCases);
}

TEST_CASE("every case file of the shared seed passes", "[cases][shared]") {
  if (!fs::is_directory(kSharedCases)) {
    WARN("skipped: " << kSharedCases << " does not exist");
    return;
  }
  run_folder(kSharedCases);
}

TEST_CASE("both case folders hold expected results and expected errors", "[cases][shared]") {
  if (!fs::is_directory(kSharedCases)) {
    WARN("skipped: " << kSharedCases << " does not exist");
    return;
  }
  // Both folders hold cases of both kinds: expected results and expected errors.
  for (const std::string& folder : {kRepoCases, kSharedCases}) {
    std::size_t errors = 0;
    for (const std::string& path : case_files(folder)) {
      errors += read_text(path).find("error:") != std::string::npos ? 1 : 0;
    }
    INFO(folder);
    CHECK(errors > 0);
    CHECK(errors < case_files(folder).size());
  }
}

// ---- Failing cases explain themselves ----------------------------------------------------

TEST_CASE("a correct case written here passes", "[cases]") {
  TempFolder folder;
  const CaseOutcome outcome =
      run_text(folder, "right.yaml", std::string(kPatient) + "expect:\n" + kPatientRecommendations);
  INFO(outcome.explanation);
  CHECK(outcome.passed);
}

TEST_CASE("a deliberately wrong expectation fails with a readable explanation", "[cases]") {
  TempFolder folder;
  // calcium missing, surgery extra, an undetermined one that is decided, wrong missing facts.
  const std::string text = std::string(kPatient) + R"(expect:
  recommendations:
  - analgesics_as_needed
  - avoid_bed_rest
  - bisphosphonate
  - calcitonin
  - close_monitoring
  - early_mobilization
  - follow_up_4_6_weeks
  - opioid_caution
  - opioid_fall_risk
  - urgent_surgical_consultation
  - vitamin_d
  undetermined:
    augmentation_referral: [pulmonary_dysfunction]
)";
  const CaseOutcome outcome = run_text(folder, "wrong.yaml", text);
  CHECK_FALSE(outcome.passed);
  INFO(outcome.explanation);
  CHECK_THAT(outcome.explanation,
             Contains("expected but not recommended: urgent_surgical_consultation"));
  CHECK_THAT(outcome.explanation, Contains("recommended but not expected: calcium"));
  CHECK_THAT(outcome.explanation,
             Contains("expected undetermined: augmentation_referral (waiting on "
                      "pulmonary_dysfunction); it is not"));
  CHECK(outcome.path == folder.path() + "/wrong.yaml");
}

TEST_CASE("a wrong list of missing facts is explained", "[cases]") {
  TempFolder folder;
  const std::string text = R"(facts: {fracture_grade: 1, neurologic_deficit: false,
  progressive_neurologic_deterioration: false, spinal_instability: false}
expect:
  recommendations: []
  undetermined:
    urgent_surgical_consultation: [cord_compression, spinal_instability]
)";
  const CaseOutcome outcome = run_text(folder, "missing.yaml", text);
  CHECK_FALSE(outcome.passed);
  INFO(outcome.explanation);
  CHECK_THAT(outcome.explanation, Contains("urgent_surgical_consultation waits on "
                                           "cord_compression; expected cord_compression, "
                                           "spinal_instability"));
  // Every other undetermined recommendation is reported as unexpected, with its facts.
  CHECK_THAT(outcome.explanation,
             Contains("undetermined but not expected: calcium (waiting on cord_compression)"));
}

TEST_CASE("expected errors: accepted facts, and an error naming another fact, fail", "[cases]") {
  TempFolder folder;
  {
    const CaseOutcome outcome =
        run_text(folder, "accepted.yaml", std::string(kPatient) + "expect: {error: pain_vas}\n");
    CHECK_FALSE(outcome.passed);
    CHECK(outcome.explanation == "expected an error naming `pain_vas`; the facts were accepted");
  }
  {
    const CaseOutcome outcome = run_text(
        folder, "other.yaml", "facts: {pain_vas: 12}\nexpect: {error: kyphosis_percent}\n");
    CHECK_FALSE(outcome.passed);
    INFO(outcome.explanation);
    CHECK_THAT(outcome.explanation,
               Contains("expected an error naming `kyphosis_percent`; found:"));
    CHECK_THAT(outcome.explanation, Contains("pain_vas"));
    CHECK_THAT(outcome.explanation, Contains("other.yaml:1:"));  // the diagnostic's location
  }
  {
    const CaseOutcome outcome =
        run_text(folder, "right-error.yaml", "facts: {pain_vas: 12}\nexpect: {error: pain_vas}\n");
    INFO(outcome.explanation);
    CHECK(outcome.passed);
  }
  {
    // Facts that are rejected when results were expected.
    const CaseOutcome outcome =
        run_text(folder, "rejected.yaml", "facts: {pain_vas: 12}\nexpect: {recommendations: []}\n");
    CHECK_FALSE(outcome.passed);
    INFO(outcome.explanation);
    CHECK_THAT(outcome.explanation, Contains("the facts were rejected:"));
    CHECK_THAT(outcome.explanation, Contains("pain_vas"));
  }
}

TEST_CASE("broken case files fail and say why, without throwing", "[cases]") {
  TempFolder folder;
  const auto explanation = [&](const std::string& name, const std::string& text) {
    const CaseOutcome outcome = run_text(folder, name, text);
    CHECK_FALSE(outcome.passed);
    CHECK_FALSE(outcome.explanation.empty());
    return outcome.explanation;
  };
  CHECK_THAT(explanation("no-expect.yaml", "facts: {}\n"), Contains("`facts` and `expect`"));
  CHECK_THAT(explanation("list.yaml", "- 1\n- 2\n"), Contains("`facts` and `expect`"));
  CHECK_THAT(explanation("empty.yaml", ""), Contains("`facts` and `expect`"));
  {
    const std::string bad = explanation("bad.yaml", "facts: {\nexpect: [\n");
    CHECK_THAT(bad, Contains("YAML"));
    CHECK_THAT(bad, Contains("bad.yaml:"));
  }
  CHECK_THAT(explanation("scalar-expect.yaml", "facts: {}\nexpect: yes\n"),
             Contains("`facts` and `expect`"));
  // A nested mapping where an id is expected.
  CHECK_FALSE(
      explanation("nested.yaml", "facts: {}\nexpect:\n  recommendations: [{a: 1}]\n").empty());
  const CaseOutcome unreadable =
      run_case_file(*seed().guideline, seed().sources, folder.path() + "/nope.yaml");
  CHECK_FALSE(unreadable.passed);
  CHECK(unreadable.explanation ==
        "cannot read `" + folder.path() + "/nope.yaml`: No such file or directory");
}

TEST_CASE("a case file may be JSON", "[cases]") {
  TempFolder folder;
  const CaseOutcome outcome = run_text(
      folder, "case.json",
      R"({"facts": {"fracture_grade": 2}, "expect": {"recommendations": [], "undetermined": {}}})");
  INFO(outcome.explanation);
  CHECK(outcome.passed);
}

// ---- Finding case files ------------------------------------------------------------------

TEST_CASE("collect_case_files searches folders recursively, in sorted order", "[cases]") {
  TempFolder folder;
  folder.write("b.yaml", "");
  folder.write("a.yml", "");
  folder.write("sub/c.json", "");
  folder.write("notes.txt", "");
  folder.write("README.md", "");
  const std::string single = folder.write("elsewhere/z.txt", "");
  std::vector<std::string> missing;
  const std::vector<std::string> files =
      collect_case_files({folder.path(), single, folder.path() + "/absent"}, missing);
  const std::vector<std::string> expected = {folder.path() + "/a.yml", folder.path() + "/b.yaml",
                                             folder.path() + "/sub/c.json", single};
  CHECK(files == expected);
  CHECK(missing == std::vector<std::string>{folder.path() + "/absent"});
}

}  // namespace
}  // namespace rubric

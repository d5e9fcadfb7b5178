// Case files (tools/case_file.hpp): every worked example of the seed guideline, from the
// repository (guidelines/vertebral-fracture-grade1/cases/) and from ../shared/seed/cases/,
// must pass through the library; a wrong expectation must fail with a readable explanation.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
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

// ---- Reported values ---------------------------------------------------------------------

struct Compiled {
  SourceManager sources;
  std::shared_ptr<const Guideline> guideline;
};

std::unique_ptr<Compiled> compile_text(const std::string& name, const std::string& text) {
  auto compiled = std::make_unique<Compiled>();
  const FileId file = compiled->sources.add(name, text);
  Diagnostics diagnostics;
  compiled->guideline = Guideline::compile(compiled->sources, file, diagnostics);
  if (compiled->guideline == nullptr) {
    FAIL(name << " does not compile:\n" << format_diagnostics(compiled->sources, diagnostics));
  }
  return compiled;
}

// The AF guideline, which reports CHA2DS2-VASc and HAS-BLED.
Compiled& af() {
  static const std::unique_ptr<Compiled> instance = [] {
    const std::string path = std::string(RUBRIC_SOURCE_DIR) +
                             "/guidelines/af-stroke-prevention/af-stroke-prevention.rubric";
    return compile_text(path, read_text(path));
  }();
  return *instance;
}

CaseOutcome run_af(const TempFolder& folder, const std::string& name, const std::string& text) {
  return run_case_file(*af().guideline, af().sources, folder.write(name, text));
}

// A woman of 72 with hypertension and diabetes, on an antiplatelet, 10 drinks a week. By hand
// (guidelines/af-stroke-prevention/DATA-DICTIONARY.md): CHA2DS2-VASc hypertension 1 + age 65-74
// 1 + diabetes 1 + female 1 = 4 (>= 3: recommend, DOAC); HAS-BLED age > 65 1 + antiplatelet 1
// + alcohol 1 = 3 (review). `diabetes` is left to each test.
constexpr const char* kWoman = R"(facts:
  sex: female
  age: 72
  heart_failure: false
  hypertension: true
  prior_stroke_tia_te: false
  vascular_disease: false
  mechanical_valve: false
  mitral_stenosis: false
  systolic_bp: 150 mm[Hg]
  renal_abnormal: false
  liver_abnormal: false
  bleeding_history: false
  labile_inr: false
  antiplatelet_or_nsaid: true
  alcohol_drinks_per_week: 10
)";

std::string woman(const std::string& diabetes, const std::string& expect) {
  return std::string(kWoman) + "  diabetes: " + diabetes + R"(
expect:
  recommendations: [bleeding_risk_review, doac_preferred, oac_recommended]
)" + expect;
}

TEST_CASE("expected reported values that match pass", "[cases][reported]") {
  TempFolder folder;
  {
    const CaseOutcome outcome = run_af(folder, "exact.yaml", woman("true", R"(  reported:
    oac_recommended: {cha2ds2_vasc: 4}
    bleeding_risk_review: {has_bled: 3}
)"));
    INFO(outcome.explanation);
    CHECK(outcome.passed);
  }
  {
    // Diabetes absent: CHA2DS2-VASc 3 or 4, still >= 3 for a woman.
    const CaseOutcome outcome = run_af(folder, "range.yaml", woman("~", R"(  reported:
    oac_recommended: {cha2ds2_vasc: {from: 3, to: 4}}
)"));
    INFO(outcome.explanation);
    CHECK(outcome.passed);
  }
  {
    // Stating them is optional.
    const CaseOutcome outcome = run_af(folder, "none.yaml", woman("true", ""));
    INFO(outcome.explanation);
    CHECK(outcome.passed);
  }
}

TEST_CASE("a wrong reported value fails, naming the recommendation, name and both values",
          "[cases][reported]") {
  TempFolder folder;
  {
    const CaseOutcome outcome = run_af(folder, "wrong.yaml", woman("true", R"(  reported:
    oac_recommended: {cha2ds2_vasc: 3}
    bleeding_risk_review: {has_bled: 3}
)"));
    CHECK_FALSE(outcome.passed);
    CHECK(outcome.explanation == "  oac_recommended reports cha2ds2_vasc = 4; expected 3\n");
  }
  {
    // A known value where a range is expected, and a range where a known value is.
    const CaseOutcome known = run_af(folder, "known.yaml", woman("true", R"(  reported:
    oac_recommended: {cha2ds2_vasc: {from: 3, to: 4}}
)"));
    CHECK_FALSE(known.passed);
    CHECK(known.explanation ==
          "  oac_recommended reports cha2ds2_vasc = 4; expected unknown, from 3 to 4\n");
    const CaseOutcome range = run_af(folder, "unknown.yaml", woman("~", R"(  reported:
    oac_recommended: {cha2ds2_vasc: 4}
)"));
    CHECK_FALSE(range.passed);
    CHECK(range.explanation ==
          "  oac_recommended reports cha2ds2_vasc = unknown, from 3 to 4; expected 4\n");
    const CaseOutcome other = run_af(folder, "other-range.yaml", woman("~", R"(  reported:
    oac_recommended: {cha2ds2_vasc: {from: 2, to: 4}}
)"));
    CHECK_FALSE(other.passed);
    CHECK(other.explanation ==
          "  oac_recommended reports cha2ds2_vasc = unknown, from 3 to 4; "
          "expected unknown, from 2 to 4\n");
    const CaseOutcome null = run_af(folder, "null.yaml", woman("~", R"(  reported:
    oac_recommended: {cha2ds2_vasc: ~}
)"));
    CHECK_FALSE(null.passed);
    CHECK(null.explanation ==
          "  oac_recommended reports cha2ds2_vasc = unknown, from 3 to 4; expected unknown\n");
  }
  {
    // Bounds only where Rubric gives the totals some values give: CHA2DS2-VASc with diabetes
    // absent is 3 (without) or 4 (with), both reached, so `between` does not match.
    const CaseOutcome bounds = run_af(folder, "bounds.yaml", woman("~", R"(  reported:
    oac_recommended: {cha2ds2_vasc: {between: 3, and: 4}}
)"));
    CHECK_FALSE(bounds.passed);
    CHECK(bounds.explanation ==
          "  oac_recommended reports cha2ds2_vasc = unknown, from 3 to 4; "
          "expected unknown, between 3 and 4\n");
  }
  {
    // Age absent, the other items known: female 1 + hypertension 1 + diabetes 1 = 3, and the
    // two age items are exclusive (2 for 75 or more, 1 for 65 to 74), so 3, 4 or 5; counting
    // both items independently would give 6, which no age reaches.
    // HAS-BLED: antiplatelet 1 + alcohol 1 known, age > 65 open: 2 or 3, so the bleeding
    // review waits on age.
    std::string facts = std::string(kWoman) + R"(  diabetes: true
expect:
  recommendations: [doac_preferred, oac_recommended]
  undetermined: {bleeding_risk_review: [age]}
  reported:
    oac_recommended: {cha2ds2_vasc: {from: 3, to: 5}}
)";
    facts.erase(facts.find("  age: 72\n"), std::string_view("  age: 72\n").size());
    const CaseOutcome outcome = run_af(folder, "age-absent.yaml", facts);
    INFO(outcome.explanation);
    CHECK(outcome.passed);
  }
  {
    // A man of 50 with nothing: CHA2DS2-VASc 0, so oac_recommended is not made; the case
    // fails on the recommendation, and the value is not compared.
    const CaseOutcome outcome = run_af(folder, "not-made.yaml", R"(facts:
  sex: male
  age: 50
  heart_failure: false
  hypertension: false
  diabetes: false
  prior_stroke_tia_te: false
  vascular_disease: false
  mechanical_valve: false
  mitral_stenosis: false
  systolic_bp: 120 mm[Hg]
  renal_abnormal: false
  liver_abnormal: false
  bleeding_history: false
  labile_inr: false
  antiplatelet_or_nsaid: false
  alcohol_drinks_per_week: 0
expect:
  recommendations: [oac_recommended]
  reported:
    oac_recommended: {cha2ds2_vasc: 2}
)");
    CHECK_FALSE(outcome.passed);
    CHECK(outcome.explanation ==
          "  expected but not recommended: oac_recommended\n"
          "  recommended but not expected: no_antithrombotic\n");
  }
}

TEST_CASE("expected reported values are checked against what each recommendation reports",
          "[cases][reported]") {
  TempFolder folder;
  const auto refused = [&](const std::string& name, const std::string& expect) {
    const CaseOutcome outcome = run_af(folder, name, woman("true", expect));
    CHECK_FALSE(outcome.passed);
    return outcome.explanation;
  };
  // A misspelt name: the nearest name the recommendation reports.
  CHECK_THAT(refused("misspelt.yaml", "  reported:\n    oac_recommended: {cha2ds2_vsac: 4}\n"),
             Contains("error[E0413]: unknown name `cha2ds2_vsac` reported by `oac_recommended`; "
                      "did you mean `cha2ds2_vasc`?"));
  // A declared name that this recommendation does not report: the names it reports.
  CHECK_THAT(
      refused("other.yaml", "  reported:\n    bleeding_risk_review: {cha2ds2_vasc: 4}\n"),
      Contains("error[E0413]: `bleeding_risk_review` does not report `cha2ds2_vasc`; it reports "
               "`has_bled`"));
  CHECK_THAT(refused("nothing.yaml", "  reported:\n    doac_preferred: {cha2ds2_vasc: 4}\n"),
             Contains("error[E0413]: `doac_preferred` does not report `cha2ds2_vasc`; it reports "
                      "nothing"));
  CHECK_THAT(refused("far.yaml", "  reported:\n    oac_recommended: {wells: 4}\n"),
             Contains("error[E0413]: unknown name `wells` reported by `oac_recommended`; it "
                      "reports `cha2ds2_vasc`"));
  // Values of the wrong type.
  CHECK_THAT(refused("word.yaml", "  reported:\n    oac_recommended: {cha2ds2_vasc: high}\n"),
             Contains("error[E0413]: the expected value of `cha2ds2_vasc` must be an integer"));
  CHECK_THAT(refused("word.yaml", "  reported:\n    oac_recommended: {cha2ds2_vasc: high}\n"),
             Contains("found `high`"));
  CHECK_THAT(refused("decimal.yaml", "  reported:\n    oac_recommended: {cha2ds2_vasc: 3.5}\n"),
             Contains("error[E0413]: the expected value of `cha2ds2_vasc` must be an integer"));
  CHECK_THAT(refused("quoted.yaml", "  reported:\n    oac_recommended: {cha2ds2_vasc: '4'}\n"),
             Contains("; write the number without quotes"));
  CHECK_THAT(refused("list.yaml", "  reported:\n    oac_recommended: {cha2ds2_vasc: [3, 4]}\n"),
             Contains("error[E0413]: the expected value of `cha2ds2_vasc` must be an integer, "
                      "`~` for unknown or `{from: LOW, to: HIGH}` for an unknown score; found "
                      "a list"));
  // Ranges: the keys are `from` and `to`, both needed, each of the value's type.
  CHECK_THAT(
      refused("too.yaml", "  reported:\n    oac_recommended: {cha2ds2_vasc: {from: 3, too: 4}}\n"),
      Contains("error[E0410]: unknown key `too` in an expected range; did you mean `to`?"));
  CHECK_THAT(
      refused("half.yaml", "  reported:\n    oac_recommended: {cha2ds2_vasc: {from: 3}}\n"),
      Contains("error[E0413]: the range of an unknown `cha2ds2_vasc` is `{from: LOW, to: HIGH}` "
               "or, for bounds only, `{between: LOW, and: HIGH}`"));
  CHECK_THAT(refused("half-bounds.yaml",
                     "  reported:\n    oac_recommended: {cha2ds2_vasc: {between: 3}}\n"),
             Contains("error[E0413]: the range of an unknown `cha2ds2_vasc` is"));
  CHECK_THAT(refused("mixed.yaml",
                     "  reported:\n    oac_recommended: {cha2ds2_vasc: {from: 3, "
                     "and: 4}}\n"),
             Contains("error[E0413]: the range of an unknown `cha2ds2_vasc` is"));
  CHECK_THAT(refused("twice.yaml",
                     "  reported:\n    oac_recommended: {cha2ds2_vasc: 4, "
                     "cha2ds2_vasc: 3}\n"),
             Contains("error[E0413]: `cha2ds2_vasc` is given twice for `oac_recommended`"));
  CHECK_THAT(
      refused("reversed.yaml",
              "  reported:\n    oac_recommended: {cha2ds2_vasc: {from: 4, to: "
              "3}}\n"),
      Contains("error[E0413]: the range of `cha2ds2_vasc` ends below where it starts (4 to 3); "
               "write the lower end first"));
  CHECK_THAT(
      refused("low.yaml", "  reported:\n    oac_recommended: {cha2ds2_vasc: {from: x, to: 4}}\n"),
      Contains("error[E0413]: the lower end of the range of `cha2ds2_vasc` must be an "
               "integer"));
  CHECK_THAT(
      refused("high.yaml", "  reported:\n    oac_recommended: {cha2ds2_vasc: {from: 3, to: ~}}\n"),
      Contains("error[E0413]: the upper end of the range of `cha2ds2_vasc` must be an integer; "
               "found no value"));
  // The ids: known, recommended, and a mapping of names.
  CHECK_THAT(refused("id.yaml", "  reported:\n    oac_recomended: {cha2ds2_vasc: 4}\n"),
             Contains("error[E0411]: unknown recommendation `oac_recomended`; did you mean "
                      "`oac_recommended`?"));
  CHECK_THAT(refused("absent.yaml", "  reported:\n    oac_considered: {cha2ds2_vasc: 2}\n"),
             Contains("error[E0412]: `oac_considered` reports values only when recommended; "
                      "list it in `recommendations`"));
  CHECK_THAT(refused("scalar.yaml", "  reported:\n    oac_recommended: 4\n"),
             Contains("error[E0412]: the values `oac_recommended` reports must be a non-empty "
                      "mapping from names to values, as in `{cha2ds2_vasc: 4}`; found `4`"));
  CHECK_THAT(refused("list.yaml", "  reported: [oac_recommended]\n"),
             Contains("error[E0412]: `reported` must be a mapping from recommendation ids"));
  CHECK_THAT(refused("key.yaml", "  report:\n    oac_recommended: {cha2ds2_vasc: 4}\n"),
             Contains("error[E0410]: unknown key `report` in `expect`; did you mean `reported`?"));
  {
    const CaseOutcome outcome =
        run_af(folder, "error.yaml",
               "facts: {age: -1}\nexpect:\n  error: age\n  reported:\n    oac_recommended: "
               "{cha2ds2_vasc: 4}\n");
    CHECK_FALSE(outcome.passed);
    CHECK_THAT(outcome.explanation,
               Contains("error[E0412]: `error` cannot be combined with `recommendations`, "
                        "`undetermined` or `reported`"));
  }
}

TEST_CASE("expected reported values of each type are read as fact values", "[cases][reported]") {
  const std::unique_ptr<Compiled> compiled = compile_text("typed.rubric", R"(guideline "typed"
source 1 "A source"
fact weight: quantity 'kg' between 1 'kg' and 300 'kg' "body weight"
fact stage: code {'G3a', 'G3b', 'G4'} "CKD stage"
parameter dose = 5 'mg' "a dose"
define heavy = weight > 100 'kg'
recommendation summary
  kind assess
  text "Summary."
  cite 1
  report weight, stage, dose, heavy
  when true
)");
  TempFolder folder;
  const auto run = [&](const std::string& name, const std::string& facts,
                       const std::string& reported) {
    return run_case_file(*compiled->guideline, compiled->sources,
                         folder.write(name, "facts: " + facts +
                                                "\nexpect:\n  recommendations: [summary]\n"
                                                "  reported:\n    summary: " +
                                                reported + "\n"));
  };
  {
    // A quantity in another unit of its dimension, a code, a parameter, a boolean.
    const CaseOutcome outcome = run("all.yaml", "{weight: 120 kg, stage: G3b}",
                                    "{weight: 120000 g, stage: G3b, dose: 0.005 g, heavy: true}");
    INFO(outcome.explanation);
    CHECK(outcome.passed);
  }
  {
    // Unknown values without a range: `~`.
    const CaseOutcome outcome = run("unknown.yaml", "{}", "{weight: ~, stage: ~, heavy: ~}");
    INFO(outcome.explanation);
    CHECK(outcome.passed);
  }
  {
    const CaseOutcome outcome =
        run("wrong.yaml", "{weight: 80 kg, stage: G4}", "{weight: 81 kg, stage: G3a}");
    CHECK_FALSE(outcome.passed);
    CHECK_THAT(outcome.explanation, Contains("summary reports weight = 80 'kg'; expected 81 'kg'"));
    CHECK_THAT(outcome.explanation, Contains("summary reports stage = 'G4'; expected 'G3a'"));
  }
  {
    const CaseOutcome outcome =
        run("types.yaml", "{}", "{weight: 80, stage: G5, heavy: {from: 0, to: 1}, dose: 5 s}");
    CHECK_FALSE(outcome.passed);
    INFO(outcome.explanation);
    CHECK_THAT(outcome.explanation,
               Contains("error[E0413]: the expected value of `weight` is a quantity of mass and "
                        "needs a unit"));
    CHECK_THAT(outcome.explanation,
               Contains("error[E0413]: the expected value of `stage` must be one of"));
    CHECK_THAT(outcome.explanation,
               Contains("error[E0413]: `heavy` is a boolean, which has no range; write one value"));
    CHECK_THAT(outcome.explanation, Contains("error[E0413]: the expected value of `dose` must be"));
  }
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

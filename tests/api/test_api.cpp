// The C++ embedding API (include/rubric/rubric.hpp): compiling, diagnostics, fact sets,
// decisions, lifetimes. Uses only the public header.
#include <rubric/rubric.hpp>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace api = rubric::api;

namespace {

const std::string kSeed = std::string(RUBRIC_SOURCE_DIR) +
                          "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric";

api::Guideline seed() {
  api::Compilation compiled = api::Guideline::compile_file(kSeed);
  REQUIRE(compiled.guideline.has_value());
  return *compiled.guideline;
}

// A small guideline with a code, a string and a quantity fact.
const char* const kTypes =
    "guideline \"types\"\n"
    "source 1 \"s\"\n"
    "fact side: code {'left', 'right'}\n"
    "fact name: string\n"
    "fact dose: quantity 'mg' >= 0 'mg'\n"
    "recommendation r kind refer text \"t\" cite 1\n"
    "  when side = 'left' and name = 'x' and dose > 5 'mg'\n";

// The example patient of guidelines/vertebral-fracture-grade1/examples/new-fracture-elderly.yaml.
void fill_example(api::FactSet& facts) {
  REQUIRE(facts.set_integer("fracture_grade", 1));
  for (const char* name :
       {"neurologic_deficit", "progressive_neurologic_deterioration", "spinal_instability",
        "cord_compression", "pain_refractory", "pulmonary_dysfunction",
        "analgesic_contraindication", "parenteral_narcotics_required", "symptoms_changed",
        "symptoms_persisting", "mri_t2_fluid_pattern", "severe_collapse"}) {
    REQUIRE(facts.set_boolean(name, false));
  }
  REQUIRE(facts.set_boolean("severe_initial_pain", true));
  REQUIRE(facts.set_quantity("time_since_identification", 2, "weeks"));
  REQUIRE(facts.set_decimal("pain_vas", 6));
  REQUIRE(facts.set_integer("kyphosis_percent", 5));
  REQUIRE(facts.set_text("height_loss_percent", "22"));
  REQUIRE(facts.set_text("age", "72 years"));
}

std::vector<std::string> names(const api::Guideline& guideline,
                               std::span<const api::RecommendationId> ids) {
  std::vector<std::string> out;
  for (const api::RecommendationId id : ids) {
    out.emplace_back(guideline.recommendation_name(id));
  }
  return out;
}

std::vector<std::string> fact_names(const api::Guideline& guideline,
                                    std::span<const api::FactId> ids) {
  std::vector<std::string> out;
  for (const api::FactId id : ids) {
    out.emplace_back(guideline.fact_name(id));
  }
  return out;
}

}  // namespace

TEST_CASE("the seed guideline compiles from a file and describes itself", "[api]") {
  api::Compilation compiled = api::Guideline::compile_file(kSeed);
  REQUIRE(compiled.guideline.has_value());
  CHECK(compiled.diagnostics.empty());
  CHECK(compiled.formatted().empty());
  const api::Guideline& guideline = *compiled.guideline;
  CHECK(guideline.id() == "vertebral-fracture-grade1");
  CHECK(guideline.version() == "1.0.0");
  CHECK(guideline.title().starts_with("Treatment of Grade 1"));
  CHECK(guideline.fact_count() == 19);
  CHECK(guideline.recommendation_count() == 16);
  CHECK(guideline.graph_nodes() > 0);
  CHECK(guideline.graph_bytes() > 0);
  CHECK(api::library_version() == "0.1.0");

  const std::optional<api::FactId> grade = guideline.fact("fracture_grade");
  REQUIRE(grade);
  CHECK(grade->value == 0);
  CHECK(guideline.fact_name(*grade) == "fracture_grade");
  CHECK_FALSE(guideline.fact("Fracture_Grade"));
  const std::optional<api::FactInfo> age = guideline.describe(*guideline.fact("age"));
  REQUIRE(age);
  CHECK(age->type == api::FactType::quantity);
  CHECK(age->description == "patient age");
  CHECK(age->expected == "a duration of at least 0 days");
  CHECK_FALSE(guideline.describe(api::FactId{19}));
  CHECK(guideline.fact_name(api::FactId{1000}).empty());
}

TEST_CASE("recommendations give texts, citations and parameters on demand", "[api]") {
  const api::Guideline guideline = seed();
  const std::optional<api::RecommendationId> calcium = guideline.recommendation("calcium");
  REQUIRE(calcium);
  const std::optional<api::Recommendation> info = guideline.describe(*calcium);
  REQUIRE(info);
  CHECK(info->id == "calcium");
  CHECK(info->kind == "prescribe");
  CHECK(info->text == "Prescribe at least 1000 mg elemental calcium daily.");
  CHECK_FALSE(info->evidence);
  CHECK(info->indicator == "info");  // a prescription's default
  CHECK_FALSE(info->summary);
  REQUIRE(info->citations.size() == 1);
  CHECK(info->citations[0].number == 2);
  CHECK(info->citations[0].text.starts_with("Seed reference 2:"));
  REQUIRE(info->parameters.size() == 1);
  CHECK(info->parameters[0].name == "calcium_daily_dose");
  CHECK(info->parameters[0].value == "1000 mg/d");
  CHECK(info->parameters[0].amount == "1000");
  CHECK(info->parameters[0].unit == "mg/d");
  CHECK(info->location.ends_with("vertebral-fracture-grade1.rubric:183:1"));
  // A card's indicator and summary, as the rule file writes them.
  const std::optional<api::Recommendation> urgent =
      guideline.describe(*guideline.recommendation("urgent_surgical_consultation"));
  REQUIRE(urgent);
  CHECK(urgent->indicator == "critical");
  REQUIRE(urgent->summary);
  CHECK(*urgent->summary == "Refer for immediate surgical consultation");

  const auto augmentation = guideline.describe(*guideline.recommendation("augmentation_referral"));
  REQUIRE(augmentation);
  CHECK(augmentation->evidence ==
        std::optional<std::string_view>("AHA Class IIA, Level of Evidence B"));
  CHECK(augmentation->citations.size() == 3);

  CHECK_FALSE(guideline.recommendation("no_such_recommendation"));
  CHECK_FALSE(guideline.describe(api::RecommendationId{16}));
  CHECK(guideline.recommendation_name(api::RecommendationId{16}).empty());
}

TEST_CASE("a recommendation's reported values, for the patient of a decision", "[api][report]") {
  // By hand: 2 points for age >= 75, 1 for diabetes; age 80 with diabetes is 3, with
  // diabetes unknown 2 or 3.
  const api::Compilation compiled = api::Guideline::compile(
      "guideline \"g\"\nsource 1 \"s\"\nfact age: integer\nfact diabetes: boolean\n"
      "fact weight: quantity 'kg'\n"
      "define points = score(2 when age >= 75, 1 when diabetes)\n"
      "recommendation scores kind assess text \"Scores.\" cite 1 report points, weight\n"
      "  when true\n"
      "recommendation other kind refer text \"Other.\" cite 1 when age > 100\n");
  INFO(compiled.formatted());
  REQUIRE(compiled.guideline.has_value());
  const api::Guideline& guideline = *compiled.guideline;
  const auto scores = guideline.recommendation("scores");
  const auto other = guideline.recommendation("other");
  REQUIRE(scores);
  REQUIRE(other);
  const auto info = guideline.describe(*scores);
  REQUIRE(info);
  CHECK(info->kind == "assess");
  CHECK(info->reported == std::vector<std::string_view>{"points", "weight"});

  api::FactSet facts = guideline.new_fact_set();
  REQUIRE(facts.set_integer("age", 80));
  REQUIRE(facts.set_boolean("diabetes", true));
  REQUIRE(facts.set_quantity("weight", 72.5, "kg"));
  api::Decision decision = guideline.evaluate(facts);
  CHECK(decision.outcome(*scores) == api::Outcome::recommended);
  std::vector<api::ReportedValue> values = guideline.reported(facts, decision, *scores);
  REQUIRE(values.size() == 2);
  CHECK(values[0].name == "points");
  CHECK(values[0].known);
  CHECK(values[0].value == "3");
  CHECK(values[0].text == "3");
  CHECK(values[1].name == "weight");
  CHECK(values[1].value == "72.5 kg");
  CHECK(values[1].text == "72.5 'kg'");
  CHECK(guideline.reported(facts, decision, *other).empty());

  api::FactSet partial = guideline.new_fact_set();
  REQUIRE(partial.set_integer("age", 80));
  guideline.evaluate(partial, decision);
  values = guideline.reported(partial, decision, *scores);
  REQUIRE(values.size() == 2);
  CHECK_FALSE(values[0].known);
  CHECK(values[0].value.empty());
  CHECK(values[0].text == "unknown, from 2 to 3");
  CHECK_FALSE(values[1].known);
  CHECK(values[1].text == "unknown");

  // Out of range, or a fact set of another guideline: nothing.
  CHECK(guideline.reported(partial, decision, api::RecommendationId{7}).empty());
  const api::Guideline other_guideline = seed();
  const api::FactSet foreign = other_guideline.new_fact_set();
  CHECK(guideline.reported(foreign, decision, *scores).empty());
}

TEST_CASE("a recommendation decided despite absent facts says which, alone and in blocks",
          "[api][exact]") {
  // By hand (docs/semantics.md#exact-outcomes): with `sex` absent, 5 points treat a man
  // (>= 2) and a woman (>= 3) alike, so `treat` is made despite `sex`; `watch` (exactly 1 or
  // 2 points) is not made, and Kleene logic alone says so (`points = 1` and `points = 2` are
  // false), so not despite anything; 2 points treat a woman but not a man, so `treat` waits
  // on `sex`.
  const api::Compilation compiled = api::Guideline::compile(
      "guideline \"g\"\nsource 1 \"s\"\nfact sex: code {'male', 'female'}\n"
      "fact points: integer between 0 and 9\n"
      "recommendation treat kind prescribe text \"Treat\" cite 1\n"
      "  when (sex = 'male' and points >= 2) or (sex = 'female' and points >= 3)\n"
      "recommendation watch kind refer text \"Watch\" cite 1\n"
      "  when (sex = 'male' and points = 1) or (sex = 'female' and points = 2)\n");
  INFO(compiled.formatted());
  REQUIRE(compiled.guideline.has_value());
  const api::Guideline& guideline = *compiled.guideline;
  const api::RecommendationId treat = *guideline.recommendation("treat");
  const api::RecommendationId watch = *guideline.recommendation("watch");
  const std::vector<std::string> sex = {"sex"};

  api::FactSet five = guideline.new_fact_set();
  REQUIRE(five.set_integer("points", 5));
  api::Decision decision = guideline.evaluate(five);
  CHECK(decision.outcome(treat) == api::Outcome::recommended);
  CHECK(fact_names(guideline, decision.despite(treat)) == sex);
  CHECK(decision.because(treat).empty());
  CHECK(decision.outcome(watch) == api::Outcome::absent);
  CHECK(decision.despite(watch).empty());
  CHECK(decision.missing(treat).empty());

  api::FactSet two = guideline.new_fact_set();
  REQUIRE(two.set_integer("points", 2));
  api::Decision undetermined = guideline.evaluate(two);
  CHECK(undetermined.outcome(treat) == api::Outcome::undetermined);
  CHECK(fact_names(guideline, undetermined.missing(treat)) == sex);
  CHECK(undetermined.despite(treat).empty());

  api::FactSet man = guideline.new_fact_set();
  REQUIRE(man.set_integer("points", 2));
  REQUIRE(man.set_string("sex", "male"));
  guideline.evaluate(man, decision);  // reused: the earlier lists are gone
  CHECK(decision.outcome(treat) == api::Outcome::recommended);
  CHECK(decision.despite(treat).empty());
  CHECK(decision.despite(watch).empty());
  CHECK(fact_names(guideline, decision.because(treat)) ==
        std::vector<std::string>{"points", "sex"});
  CHECK(decision.despite(api::RecommendationId{9}).empty());

  api::FactBlock block = guideline.new_fact_block();
  REQUIRE(block.add(five));
  REQUIRE(block.add(two));
  REQUIRE(block.add(man));
  api::BlockDecision rows = guideline.evaluate(block);
  REQUIRE(rows.rows() == 3);
  CHECK(fact_names(guideline, rows.despite(0, treat)) == sex);
  CHECK(rows.despite(0, watch).empty());
  CHECK(rows.despite(1, treat).empty());
  CHECK(fact_names(guideline, rows.missing(1, treat)) == sex);
  CHECK(rows.despite(2, treat).empty());
  CHECK(rows.despite(3, treat).empty());
  CHECK(rows.despite(0, api::RecommendationId{9}).empty());
}

TEST_CASE("the evaluation date is a parameter of every evaluation", "[api][dates]") {
  // By hand: 12 whole calendar months from 2025-06-15 to 2026-06-15, 11 to 2026-06-14.
  const api::Compilation compiled = api::Guideline::compile(
      "guideline \"g\"\nsource 1 \"s\"\nfact last_visit: date\n"
      "recommendation recall kind follow-up text \"Recall\" cite 1\n"
      "  when months between last_visit and Today() >= 12\n");
  INFO(compiled.formatted());
  REQUIRE(compiled.guideline.has_value());
  const api::Guideline& guideline = *compiled.guideline;
  const api::RecommendationId recall = *guideline.recommendation("recall");
  CHECK_FALSE(guideline.fact("Today()"));  // given by set_evaluation_date alone

  api::FactSet facts = guideline.new_fact_set();
  REQUIRE(facts.set_text("last_visit", "2025-06-15"));
  api::Decision undated = guideline.evaluate(facts);
  CHECK(undated.outcome(recall) == api::Outcome::undetermined);
  CHECK(fact_names(guideline, undated.missing(recall)) == std::vector<std::string>{"Today()"});

  REQUIRE(facts.set_evaluation_date("2026-06-15"));
  CHECK(guideline.evaluate(facts).outcome(recall) == api::Outcome::recommended);
  REQUIRE(facts.set_evaluation_date("2026-06-14"));
  CHECK(guideline.evaluate(facts).outcome(recall) == api::Outcome::absent);

  const api::Status partial = facts.set_evaluation_date("2026-06");
  CHECK_FALSE(partial);
  CHECK(partial.message() ==
        "the evaluation date is a full date written `YYYY-MM-DD`, such as `2026-06-15`; found "
        "`2026-06`");
  const api::Status invalid = facts.set_evaluation_date("2026-02-29");
  CHECK_FALSE(invalid);
  CHECK(invalid.message().ends_with("; `2026-02-29` is not a date: February 2026 has 28 days"));
  // A rejected date leaves the last one in place.
  CHECK(guideline.evaluate(facts).outcome(recall) == api::Outcome::absent);
}

TEST_CASE("rules with errors give diagnostics, never a guideline or an exception", "[api]") {
  SECTION("an unknown name") {
    const api::Compilation compiled = api::Guideline::compile(
        "guideline \"g\"\nsource 1 \"s\"\nfact a: boolean\nfact b: boolean\n"
        "recommendation r kind refer text \"t\" cite 1 when a_typo\n",
        "bad.rubric");
    CHECK_FALSE(compiled.guideline);
    const auto error =
        std::find_if(compiled.diagnostics.begin(), compiled.diagnostics.end(),
                     [](const api::Diagnostic& d) { return d.severity == api::Severity::error; });
    REQUIRE(error != compiled.diagnostics.end());
    CHECK(error->code == "E0201");
    CHECK(error->file == "bad.rubric");
    CHECK(error->line == 5);
    CHECK(error->column == 50);
    CHECK(error->message == "unknown name `a_typo`");
    CHECK(error->formatted.starts_with("bad.rubric:5:50: error[E0201]: unknown name `a_typo`"));
    CHECK(error->formatted.find("^~~~~~") != std::string::npos);
    // Warnings come too, sorted by position before the error.
    CHECK(compiled.diagnostics.front().code == "W0301");
    CHECK(compiled.formatted().find("warning[W0301]") < compiled.formatted().find("E0201"));
  }
  SECTION("a syntax error") {
    const api::Compilation compiled = api::Guideline::compile("guideline \"g\"\nfact a boolean\n");
    CHECK_FALSE(compiled.guideline);
    REQUIRE(compiled.diagnostics.size() == 1);
    CHECK(compiled.diagnostics[0].code == "E0101");
    CHECK(compiled.diagnostics[0].file == "<text>");
    CHECK(compiled.diagnostics[0].line == 2);
    CHECK(compiled.diagnostics[0].column == 8);
  }
  SECTION("empty text, and text that is not UTF-8") {
    CHECK_FALSE(api::Guideline::compile("").guideline);
    CHECK_FALSE(api::Guideline::compile("").diagnostics.empty());
    const api::Compilation binary = api::Guideline::compile(std::string_view("\xff\xfe\0x", 4));
    CHECK_FALSE(binary.guideline);
    CHECK_FALSE(binary.diagnostics.empty());
  }
  SECTION("warnings only: the guideline compiles") {
    const api::Compilation compiled = api::Guideline::compile(
        "guideline \"g\"\nsource 1 \"s\"\nfact a: boolean\nfact b: boolean\n"
        "recommendation r kind refer text \"t\" cite 1 when a\n");
    REQUIRE(compiled.guideline);
    REQUIRE(compiled.diagnostics.size() == 1);
    CHECK(compiled.diagnostics[0].severity == api::Severity::warning);
    CHECK(compiled.diagnostics[0].code == "W0301");
  }
  SECTION("a missing file and a folder") {
    const api::Compilation missing = api::Guideline::compile_file("/nonexistent/x.rubric");
    CHECK_FALSE(missing.guideline);
    REQUIRE(missing.diagnostics.size() == 1);
    CHECK(missing.diagnostics[0].code == "E0601");
    CHECK(missing.diagnostics[0].line == 0);
    CHECK(missing.diagnostics[0].message == "cannot read `/nonexistent/x.rubric`");
    const api::Compilation folder = api::Guideline::compile_file(RUBRIC_SOURCE_DIR);
    CHECK_FALSE(folder.guideline);
    REQUIRE(folder.diagnostics.size() == 1);
    CHECK(folder.diagnostics[0].code == "E0601");
    CHECK(folder.diagnostics[0].message.ends_with("it is a folder"));
  }
}

TEST_CASE("the example patient gets the recommendations of `rubric eval`", "[api]") {
  const api::Guideline guideline = seed();
  api::FactSet facts = guideline.new_fact_set();
  fill_example(facts);
  api::Decision decision = guideline.evaluate(facts);
  REQUIRE(decision.status().ok());
  CHECK(decision.size() == 16);
  CHECK(names(guideline, decision.recommended()) ==
        std::vector<std::string>{"calcitonin", "analgesics_as_needed", "opioid_caution",
                                 "opioid_fall_risk", "calcium", "vitamin_d", "bisphosphonate",
                                 "early_mobilization", "avoid_bed_rest", "follow_up_4_6_weeks",
                                 "close_monitoring"});
  CHECK(decision.undetermined().empty());
  const api::RecommendationId close = *guideline.recommendation("close_monitoring");
  CHECK(decision.outcome(close) == api::Outcome::recommended);
  CHECK(decision.outcome(*guideline.recommendation("augmentation_referral")) ==
        api::Outcome::absent);
  CHECK(decision.outcome(api::RecommendationId{99}) == api::Outcome::absent);
  CHECK(decision.missing(api::RecommendationId{99}).empty());
  const std::vector<std::string> because = fact_names(guideline, decision.because(close));
  CHECK(std::find(because.begin(), because.end(), "severe_initial_pain") != because.end());
  CHECK(std::find(because.begin(), because.end(), "fracture_grade") != because.end());
  CHECK(std::find(because.begin(), because.end(), "severe_collapse") == because.end());
  CHECK(decision.because(api::RecommendationId{99}).empty());
}

TEST_CASE("absent facts make recommendations undetermined, with the facts they wait on", "[api]") {
  const api::Guideline guideline = seed();
  api::FactSet facts = guideline.new_fact_set();
  REQUIRE(facts.set_integer(*guideline.fact("fracture_grade"), 1));
  api::Decision decision = guideline.evaluate(facts);
  REQUIRE(decision.status().ok());
  CHECK(decision.recommended().empty());
  CHECK(decision.undetermined().size() == 16);
  const api::RecommendationId calcium = *guideline.recommendation("calcium");
  CHECK(decision.outcome(calcium) == api::Outcome::undetermined);
  CHECK(fact_names(guideline, decision.missing(calcium)) ==
        std::vector<std::string>{"cord_compression", "neurologic_deficit",
                                 "progressive_neurologic_deterioration", "spinal_instability"});
  CHECK(decision.because(calcium).empty());

  // A fact made absent again.
  REQUIRE(facts.set_absent("fracture_grade"));
  CHECK_FALSE(facts.text(*guideline.fact("fracture_grade")));
  guideline.evaluate(facts, decision);
  CHECK(fact_names(guideline, decision.missing(calcium)).front() == "cord_compression");
  CHECK(fact_names(guideline, decision.missing(calcium)).size() == 5);
}

TEST_CASE("bad fact names are rejected with the nearest name", "[api]") {
  const api::Guideline guideline = seed();
  api::FactSet facts = guideline.new_fact_set();
  api::Status status = facts.set_decimal("Pain_VAS", 3);
  CHECK(status.code() == "E0404");
  CHECK(status.message() == "unknown fact `Pain_VAS`; did you mean `pain_vas`?");
  status = facts.set_integer("kyphosis_percentage", 5);
  CHECK(status.code() == "E0404");
  CHECK(status.message() == "unknown fact `kyphosis_percentage`; did you mean `kyphosis_percent`?");
  status = facts.set_text("bmi", "22");
  CHECK(status.code() == "E0404");
  CHECK(status.message() == "unknown fact `bmi`");
  CHECK(facts.set_boolean("", true).code() == "E0404");
  CHECK(facts.set_absent("nothing").code() == "E0404");
}

TEST_CASE("bad fact values are rejected as a fact file rejects them", "[api]") {
  const api::Guideline guideline = seed();
  api::FactSet facts = guideline.new_fact_set();
  const api::FactId grade = *guideline.fact("fracture_grade");
  const api::FactId vas = *guideline.fact("pain_vas");
  const api::FactId age = *guideline.fact("age");
  const api::FactId deficit = *guideline.fact("neurologic_deficit");

  api::Status status = facts.set_boolean(grade, true);
  CHECK(status.code() == "E0406");
  CHECK(status.message() == "fact `fracture_grade` must be an integer from 0 to 3; found `true`");
  status = facts.set_integer(grade, 4);
  CHECK(status.code() == "E0409");
  CHECK(status.message() == "fact `fracture_grade` must be an integer from 0 to 3; found `4`");
  CHECK(facts.set_integer(grade, std::numeric_limits<std::int64_t>::min()).code() == "E0409");
  status = facts.set_decimal(grade, 1.5);
  CHECK(status.code() == "E0406");
  CHECK(status.message().ends_with("found `1.5`, which is not a whole number"));
  CHECK(facts.set_decimal(grade, 1.0));  // a whole number is an integer
  CHECK(facts.text(grade) == "1");

  CHECK(facts.set_decimal(vas, 10.1).code() == "E0409");
  status = facts.set_decimal(vas, 0.1 + 0.2);
  CHECK(status.code() == "E0409");
  CHECK(status.message().ends_with("which has more than 8 digits after the point"));
  status = facts.set_decimal(vas, std::nan(""));
  CHECK(status.code() == "E0406");
  CHECK(status.message().ends_with("found `nan`; give a finite number"));
  CHECK(facts.set_decimal(vas, std::numeric_limits<double>::infinity()).code() == "E0406");
  CHECK(facts.set_text(vas, "6.5e0").message().ends_with("; write the number without an exponent"));
  CHECK(facts.set_string(vas, "6").code() == "E0406");  // a string is not a number
  CHECK(facts.set_text(vas, "six").code() == "E0406");
  CHECK(facts.set_text(vas, "0.000000001").code() == "E0409");
  CHECK(facts.set_text(vas, " 6.25 "));
  CHECK(facts.text(vas) == "6.25");

  status = facts.set_text(age, "10");
  CHECK(status.code() == "E0407");
  CHECK(status.message() ==
        "fact `age` is a duration and needs a unit, as in `10 weeks`; found `10`");
  CHECK(facts.set_integer(age, 70).code() == "E0407");
  status = facts.set_quantity(age, 5, "mg");
  CHECK(status.code() == "E0408");
  CHECK(status.message().ends_with("found `5 mg`, a quantity of mass"));
  status = facts.set_quantity(age, 5, "wekks");
  CHECK(status.code() == "E0408");
  // The unit suggestion of a fact file (docs/diagnostics.md, E0408).
  CHECK(status.message().ends_with("and `wekks` is not a known unit; did you mean `weeks`?"));
  CHECK(facts.set_quantity(age, -1, "years").code() == "E0409");
  CHECK(facts.set_text(age, "10weeks")
            .message()
            .ends_with("; put a space between the number and the unit"));
  CHECK(facts.set_quantity(age, 780, "mo"));
  CHECK(facts.text(age) == "780 mo");

  status = facts.set_text(deficit, "maybe");
  CHECK(status.code() == "E0406");
  CHECK(status.message() == "fact `neurologic_deficit` must be `true` or `false`; found `maybe`");
  CHECK(facts.set_integer(deficit, 0).code() == "E0406");
  // `True` is refused as a fact file refuses it (docs/embedding.md: set_text reads a plain
  // YAML scalar); the fact keeps its value.
  REQUIRE(facts.set_text(deficit, "true"));
  status = facts.set_text(deficit, "True");
  CHECK(status.code() == "E0406");
  CHECK(status.message() ==
        "fact `neurologic_deficit` must be `true` or `false`; found `True`; write `true` (only "
        "`true` and `false`, in lowercase, are booleans)");
  CHECK(facts.text(deficit) == "true");

  // A rejected value leaves the fact as it was.
  REQUIRE(facts.set_integer(grade, 2));
  CHECK_FALSE(facts.set_integer(grade, 9));
  CHECK(facts.text(grade) == "2");
  facts.clear();
  CHECK_FALSE(facts.text(grade));
}

TEST_CASE("a fact's accepted units and conversions hold on every setter", "[api][units]") {
  // By hand: 25 mg/dL of BUN x 0.357 is 8.925 mmol/L of urea; a ratio fact in mg/g accepts
  // only mg/g, so 3 % is refused rather than read as 30 mg/g.
  const api::Compilation compiled = api::Guideline::compile(
      "guideline \"g\"\nsource 1 \"s\"\n"
      "fact urea: quantity 'mmol/L'\n  convert 'mg/dL' = 0.357 'mmol/L' cite 1\n"
      "fact acr: quantity 'mg/g'\n"
      "recommendation r kind refer text \"t\" cite 1 when urea > 7 'mmol/L' or acr > 30 'mg/g'\n");
  INFO(compiled.formatted());
  REQUIRE(compiled.guideline.has_value());
  const api::Guideline& guideline = *compiled.guideline;
  api::FactSet facts = guideline.new_fact_set();
  const api::FactId urea = *guideline.fact("urea");
  const api::FactId acr = *guideline.fact("acr");
  REQUIRE(facts.set_quantity(urea, 25, "mg/dL"));
  CHECK(facts.text(urea) == "8.925 mmol/L");
  REQUIRE(facts.set_text(urea, "19.6 mg/dL"));
  CHECK(facts.text(urea) == "6.9972 mmol/L");
  REQUIRE(facts.set_quantity(urea, 7.5, "mmol/L"));
  CHECK(facts.text(urea) == "7.5 mmol/L");
  CHECK(facts.set_quantity(acr, 3, "%").code() == "E0408");
  CHECK(facts.set_text(acr, "3 %").code() == "E0408");
  CHECK_FALSE(facts.text(acr).has_value());  // refused: left absent
  REQUIRE(facts.set_quantity(acr, 3, "mg/g"));
  CHECK(facts.text(acr) == "3 mg/g");
}

TEST_CASE("code, string and quantity facts", "[api]") {
  const api::Compilation compiled = api::Guideline::compile(kTypes, "types.rubric");
  INFO(compiled.formatted());
  REQUIRE(compiled.guideline);
  const api::Guideline& guideline = *compiled.guideline;
  const std::optional<api::FactInfo> side = guideline.describe(*guideline.fact("side"));
  REQUIRE(side);
  CHECK(side->type == api::FactType::code);
  CHECK(side->codes == std::vector<std::string_view>{"left", "right"});
  CHECK(guideline.describe(*guideline.fact("dose"))->unit == "mg");

  api::FactSet facts = guideline.new_fact_set();
  api::Status status = facts.set_string("side", "LEFT");
  CHECK(status.code() == "E0409");
  CHECK(status.message() == "fact `side` must be one of 'left', 'right'; found `LEFT`");
  CHECK(facts.set_boolean("side", true).code() == "E0406");
  CHECK(facts.set_integer("name", 3).code() == "E0406");
  CHECK(facts.set_string("name", "line\nbreak"));
  CHECK(facts.set_quantity("dose", 2, "g"));
  CHECK(facts.set_string("side", "left"));
  const api::RecommendationId r{0};

  api::Decision decision = guideline.evaluate(facts);
  CHECK(decision.outcome(r) == api::Outcome::absent);  // name is not 'x'
  REQUIRE(facts.set_text("name", "x"));
  guideline.evaluate(facts, decision);
  CHECK(decision.outcome(r) == api::Outcome::recommended);  // 2 g > 5 mg
  REQUIRE(facts.set_quantity("dose", 5, "mg"));
  guideline.evaluate(facts, decision);
  CHECK(decision.outcome(r) == api::Outcome::absent);
  status = facts.set_quantity("dose", 5, "days");
  CHECK(status.code() == "E0408");
  CHECK(status.message().ends_with("found `5 days`, a duration"));
}

TEST_CASE("misuse is an error value: foreign fact sets, bad ids, moved-from objects", "[api]") {
  const api::Guideline guideline = seed();
  const api::Guideline other = *api::Guideline::compile(kTypes).guideline;

  api::FactSet foreign = other.new_fact_set();
  api::Decision decision = guideline.evaluate(foreign);
  CHECK(decision.status().code() == "E0602");
  CHECK(decision.status().message() ==
        "the fact set was made for guideline `types`, not `vertebral-fracture-grade1`");
  CHECK(decision.size() == 0);
  CHECK(decision.recommended().empty());

  api::FactSet unbound;
  CHECK(unbound.set_boolean(api::FactId{0}, true).code() == "E0602");
  CHECK(unbound.set_text("age", "1 year").code() == "E0602");
  CHECK(guideline.evaluate(unbound).status().code() == "E0602");
  unbound.clear();  // harmless

  api::FactSet facts = guideline.new_fact_set();
  const api::Status status = facts.set_boolean(api::FactId{19}, true);
  CHECK(status.code() == "E0602");
  CHECK(status.message() ==
        "fact id 19 is out of range: guideline `vertebral-fracture-grade1` has 19 facts");
  CHECK_FALSE(facts.text(api::FactId{19}));

  api::FactSet moved = std::move(facts);
  CHECK(facts.set_integer("fracture_grade", 1).code() == "E0602");  // NOLINT: moved from
  CHECK(moved.set_integer("fracture_grade", 1));

  api::Decision first = guideline.evaluate(moved);
  api::Decision second = std::move(first);
  CHECK(first.status().code() == "E0602");  // NOLINT: moved from
  CHECK(first.size() == 0);
  CHECK(first.recommended().empty());
  CHECK(first.missing(api::RecommendationId{0}).empty());
  guideline.evaluate(moved, first);  // a moved-from decision can be evaluated into again
  CHECK(first.status().ok());
  CHECK(first.undetermined().size() == second.undetermined().size());

  CHECK(api::Status::error("", "no code").code() == "E0602");
  CHECK_FALSE(api::Status::error("E0406", "x"));
}

TEST_CASE("copies are independent, and handles keep their guideline alive", "[api]") {
  std::optional<api::Guideline> guideline = seed();
  const api::RecommendationId calcium = *guideline->recommendation("calcium");
  api::FactSet facts = guideline->new_fact_set();
  fill_example(facts);
  api::FactSet copy = facts;
  REQUIRE(copy.set_boolean("neurologic_deficit", true));
  CHECK(facts.text(*guideline->fact("neurologic_deficit")) == "false");

  api::Decision decision = guideline->evaluate(facts);
  api::Decision copied_decision = decision;
  guideline->evaluate(copy, decision);
  CHECK(decision.outcome(calcium) == api::Outcome::absent);  // a red flag
  CHECK(copied_decision.outcome(calcium) == api::Outcome::recommended);

  api::Guideline keep = *guideline;
  guideline.reset();  // the fact set, the decision and `keep` still hold it
  const api::Guideline moved = std::move(keep);
  CHECK(keep.id() == moved.id());  // NOLINT: a moved-from Guideline stays usable
  CHECK(copied_decision.because(calcium).size() > 0);
  keep.evaluate(facts, decision);
  CHECK(decision.outcome(calcium) == api::Outcome::recommended);
  CHECK(keep.id() == "vertebral-fracture-grade1");
}

TEST_CASE("a block of fact sets gives every row what evaluating it alone gives", "[api]") {
  const api::Guideline guideline = seed();
  api::FactBlock block = guideline.new_fact_block();
  CHECK(block.size() == 0);
  std::vector<api::FactSet> patients;
  // Row r: the example patient, then with its age, grade or pain changed by the row, and
  // every fifth row without its deficit flags (undetermined).
  for (std::size_t row = 0; row < api::FactBlock::kCapacity; ++row) {
    api::FactSet facts = guideline.new_fact_set();
    fill_example(facts);
    REQUIRE(facts.set_integer("fracture_grade", static_cast<std::int64_t>(row % 4)));
    REQUIRE(facts.set_quantity("age", static_cast<double>(40 + row), "a"));
    REQUIRE(facts.set_decimal("pain_vas", static_cast<double>(row % 11)));
    if (row % 5 == 0) {
      REQUIRE(facts.set_absent("neurologic_deficit"));
      REQUIRE(facts.set_absent("cord_compression"));
    }
    REQUIRE(block.add(facts));
    patients.push_back(facts);
  }
  CHECK(block.full());
  const api::Status full = block.add(patients.front());
  CHECK(full.code() == "E0602");
  CHECK(full.message() == "the fact block is full (64 fact sets); evaluate it, then `clear` it");

  api::BlockDecision decision = guideline.evaluate(block);
  REQUIRE(decision.status().ok());
  CHECK(decision.rows() == 64);
  CHECK(decision.size() == guideline.recommendation_count());
  std::size_t undetermined = 0;
  for (std::size_t row = 0; row < decision.rows(); ++row) {
    const api::Decision alone = guideline.evaluate(patients[row]);
    for (std::uint32_t r = 0; r < alone.size(); ++r) {
      const api::RecommendationId id{r};
      INFO("row " << row << ", " << guideline.recommendation_name(id));
      CHECK(decision.outcome(row, id) == alone.outcome(id));
      CHECK(((decision.recommended_rows(id) >> row) & 1U) ==
            (alone.outcome(id) == api::Outcome::recommended ? 1U : 0U));
      const std::vector<api::FactId> missing = decision.missing(row, id);
      CHECK(fact_names(guideline, missing) == fact_names(guideline, alone.missing(id)));
      undetermined += alone.outcome(id) == api::Outcome::undetermined ? 1 : 0;
    }
  }
  CHECK(undetermined > 0);

  block.clear();
  CHECK(block.size() == 0);
  guideline.evaluate(block, decision);
  CHECK(decision.rows() == 0);
  CHECK(decision.outcome(0, api::RecommendationId{0}) == api::Outcome::absent);
}

TEST_CASE("misused blocks are error values", "[api]") {
  const api::Guideline guideline = seed();
  const api::Guideline other = *api::Guideline::compile(kTypes).guideline;
  api::FactBlock block = guideline.new_fact_block();
  const api::Status foreign = block.add(other.new_fact_set());
  CHECK(foreign.code() == "E0602");
  CHECK(foreign.message() ==
        "the fact set was made for guideline `types`, not `vertebral-fracture-grade1`");
  CHECK(block.add(api::FactSet()).code() == "E0602");
  CHECK(block.size() == 0);

  api::FactBlock unbound;
  CHECK(unbound.add(guideline.new_fact_set()).code() == "E0602");
  CHECK(unbound.size() == 0);
  unbound.clear();  // harmless
  api::BlockDecision decision = guideline.evaluate(unbound);
  CHECK(decision.status().code() == "E0602");
  CHECK(decision.rows() == 0);

  decision = other.evaluate(block);
  CHECK(decision.status().message() ==
        "the fact block was made for guideline `vertebral-fracture-grade1`, not `types`");
  CHECK(decision.recommended_rows(api::RecommendationId{0}) == 0);
  CHECK(decision.missing(0, api::RecommendationId{0}).empty());

  api::BlockDecision moved = std::move(decision);
  CHECK(decision.status().code() == "E0602");  // NOLINT(bugprone-use-after-move)
  CHECK(decision.rows() == 0);                 // NOLINT(bugprone-use-after-move)
  guideline.evaluate(block, decision);         // usable again
  CHECK(decision.status().ok());
}

// The C API (include/rubric/rubric.h): the checks compiled as C, and every function's error
// paths (NULL handles, NULL outputs, indexes out of range, unreadable files, bad rules, bad
// facts) from Catch2.
#include <rubric/rubric.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern "C" int rubric_c_api_checks(const char* rule_file, char* failure, size_t size);

namespace {

const std::string kSeed = std::string(RUBRIC_SOURCE_DIR) +
                          "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric";

std::string code() {
  return rubric_last_error_code();
}

std::string message() {
  return rubric_last_error_message();
}

const std::string kRecords =
    std::string(RUBRIC_SOURCE_DIR) + "/guidelines/vertebral-fracture-grade1/records/";

std::string read_text(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  REQUIRE(stream);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// Reads a record's text into `facts` as of `as_of`.
rubric_status read(rubric_facts* facts, const std::string& json, const char* as_of) {
  return rubric_facts_read_record(facts, json.data(), json.size(), as_of);
}

// The recommended ids of the last evaluation.
std::set<std::string> recommended(const rubric_guideline* guideline,
                                  const rubric_decision* decision) {
  std::set<std::string> out;
  for (size_t i = 0; i < rubric_decision_recommended_count(decision); ++i) {
    out.emplace(rubric_recommendation_id(guideline, rubric_decision_recommended(decision, i)));
  }
  return out;
}

// Owns the handles of one test.
struct Handles {
  rubric_guideline* guideline = nullptr;
  rubric_facts* facts = nullptr;
  rubric_decision* decision = nullptr;
  Handles() {
    REQUIRE(rubric_compile_file(kSeed.c_str(), &guideline, nullptr) == RUBRIC_OK);
    REQUIRE(rubric_facts_new(guideline, &facts) == RUBRIC_OK);
    REQUIRE(rubric_decision_new(&decision) == RUBRIC_OK);
  }
  ~Handles() {
    rubric_decision_free(decision);
    rubric_facts_free(facts);
    rubric_guideline_free(guideline);
  }
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
};

// A second guideline (`other`), for fact sets and blocks of another guideline.
rubric_guideline* compile_other() {
  const std::string text =
      "guideline \"other\"\nsource 1 \"s\"\nfact a: boolean\n"
      "recommendation r kind refer text \"t\" cite 1 when a\n";
  rubric_guideline* other = nullptr;
  REQUIRE(rubric_compile(text.data(), text.size(), nullptr, &other, nullptr) == RUBRIC_OK);
  return other;
}

}  // namespace

TEST_CASE("the C API used from a C program", "[api][c]") {
  char failure[1024] = "";
  const int result = rubric_c_api_checks(kSeed.c_str(), failure, sizeof failure);
  INFO(failure);
  CHECK(result == 0);
}

TEST_CASE("C: compiling reports errors, unreadable files and bad arguments", "[api][c]") {
  CHECK(std::string(rubric_version()) == "0.1.0");
  rubric_guideline* guideline = nullptr;
  rubric_diagnostics* diagnostics = nullptr;

  const std::string bad =
      "guideline \"g\"\nsource 1 \"s\"\nfact a: boolean\n"
      "recommendation r kind refer text \"t\" cite 1 when b\n";
  CHECK(rubric_compile(bad.data(), bad.size(), "bad.rubric", &guideline, &diagnostics) ==
        RUBRIC_ERROR_COMPILE);
  CHECK(guideline == nullptr);
  CHECK(code() == "E0201");
  CHECK(message().starts_with("bad.rubric:4:50: error[E0201]: unknown name `b`"));
  REQUIRE(rubric_diagnostics_count(diagnostics) == 2);
  rubric_diagnostic item{};
  REQUIRE(rubric_diagnostics_get(diagnostics, 1, &item) == RUBRIC_OK);
  CHECK(std::string(item.code) == "E0201");
  CHECK(item.severity == RUBRIC_SEVERITY_ERROR);
  CHECK(std::string(item.file) == "bad.rubric");
  CHECK(item.line == 4);
  CHECK(item.column == 50);
  CHECK(std::string(item.message) == "unknown name `b`");
  CHECK(std::string(item.formatted).find('^') != std::string::npos);
  REQUIRE(rubric_diagnostics_get(diagnostics, 0, &item) == RUBRIC_OK);
  CHECK(item.severity == RUBRIC_SEVERITY_WARNING);
  CHECK(rubric_diagnostics_get(diagnostics, 2, &item) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(code() == "E0602");
  CHECK(message() == "rubric_diagnostics_get: diagnostic 2 is out of range (2 available)");
  CHECK(rubric_diagnostics_get(diagnostics, 0, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_diagnostics_get(nullptr, 0, &item) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_diagnostics_count(nullptr) == 0);
  CHECK(code() == "E0602");
  rubric_diagnostics_free(diagnostics);
  diagnostics = nullptr;

  // Without a diagnostics output, and with a NULL name.
  CHECK(rubric_compile(bad.data(), bad.size(), nullptr, &guideline, nullptr) ==
        RUBRIC_ERROR_COMPILE);
  CHECK(message().starts_with("<text>:4:50"));
  CHECK(rubric_compile(nullptr, 5, nullptr, &guideline, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_compile(nullptr, 0, nullptr, &guideline, nullptr) == RUBRIC_ERROR_COMPILE);
  CHECK(rubric_compile(bad.data(), bad.size(), nullptr, nullptr, nullptr) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() == "rubric_compile: the output `guideline` is NULL");

  CHECK(rubric_compile_file("/nonexistent.rubric", &guideline, &diagnostics) == RUBRIC_ERROR_IO);
  CHECK(code() == "E0601");
  CHECK(message() == "/nonexistent.rubric: error[E0601]: cannot read `/nonexistent.rubric`");
  CHECK(rubric_diagnostics_count(diagnostics) == 1);
  rubric_diagnostics_free(diagnostics);
  CHECK(rubric_compile_file(RUBRIC_SOURCE_DIR, &guideline, nullptr) == RUBRIC_ERROR_IO);
  CHECK(rubric_compile_file(nullptr, &guideline, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_compile_file(kSeed.c_str(), nullptr, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);

  // Freeing NULL is allowed.
  rubric_guideline_free(nullptr);
  rubric_diagnostics_free(nullptr);
  rubric_facts_free(nullptr);
  rubric_decision_free(nullptr);
}

TEST_CASE("C: guideline accessors reject NULL and indexes out of range", "[api][c]") {
  Handles handles;
  const rubric_guideline* g = handles.guideline;
  CHECK(rubric_guideline_id(nullptr) == nullptr);
  CHECK(message() == "rubric_guideline_id: the guideline is NULL");
  CHECK(rubric_guideline_title(nullptr) == nullptr);
  CHECK(rubric_guideline_version(nullptr) == nullptr);
  CHECK(std::string(rubric_guideline_version(g)) == "1.0.0");
  CHECK(std::string(rubric_guideline_title(g)).starts_with("Treatment of Grade 1"));
  CHECK(rubric_fact_count(nullptr) == 0);
  CHECK(rubric_recommendation_count(nullptr) == 0);

  std::uint32_t id = 0;
  CHECK(rubric_find_fact(g, "pain_vas", &id) == RUBRIC_OK);
  CHECK(std::string(rubric_fact_name(g, id)) == "pain_vas");
  CHECK(rubric_find_fact(g, "Pain_VAS", &id) == RUBRIC_ERROR_FACT);
  CHECK(code() == "E0404");
  CHECK(message() == "unknown fact `Pain_VAS`");
  CHECK(rubric_find_fact(nullptr, "pain_vas", &id) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_find_fact(g, nullptr, &id) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_find_fact(g, "pain_vas", nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_fact_name(g, 19) == nullptr);
  CHECK(message() == "rubric_fact_name: fact 19 is out of range (19 available)");
  CHECK(rubric_fact_name(nullptr, 0) == nullptr);

  CHECK(rubric_find_recommendation(g, "augmentation_referral", &id) == RUBRIC_OK);
  CHECK(std::string(rubric_recommendation_evidence(g, id)) == "AHA Class IIA, Level of Evidence B");
  CHECK(std::string(rubric_recommendation_summary(g, id)) ==
        "Refer to interventional radiology to consider vertebral augmentation");
  CHECK(std::string(rubric_recommendation_indicator(g, id)) == "info");
  CHECK(rubric_find_recommendation(g, "urgent_surgical_consultation", &id) == RUBRIC_OK);
  CHECK(std::string(rubric_recommendation_indicator(g, id)) == "critical");
  CHECK(rubric_find_recommendation(g, "opioid_caution", &id) == RUBRIC_OK);
  CHECK(std::string(rubric_recommendation_indicator(g, id)) == "warning");  // kind caution
  CHECK(rubric_recommendation_summary(g, id) == nullptr);
  CHECK(rubric_find_recommendation(g, "augmentation_referral", &id) == RUBRIC_OK);
  CHECK(std::string(rubric_recommendation_text(g, id)).starts_with("Refer to interventional"));
  CHECK(rubric_citation_count(g, id) == 3);
  std::uint32_t number = 0;
  const char* text = nullptr;
  CHECK(rubric_citation(g, id, 2, &number, &text) == RUBRIC_OK);
  CHECK(number == 6);
  CHECK(std::string(text).starts_with("Seed reference 6:"));
  CHECK(rubric_citation(g, id, 3, &number, &text) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() == "rubric_citation: citation 3 is out of range (3 available)");
  CHECK(rubric_citation(g, 16, 0, &number, &text) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_citation(nullptr, id, 0, &number, &text) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_citation(g, id, 0, nullptr, nullptr) == RUBRIC_OK);
  CHECK(rubric_parameter_count(g, id) == 0);
  const char* name = nullptr;
  CHECK(rubric_parameter(g, id, 0, &name, &text) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_parameter(nullptr, id, 0, &name, &text) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_parameter(g, 16, 0, &name, &text) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_parameter_count(g, 16) == 0);
  CHECK(rubric_citation_count(nullptr, 0) == 0);

  CHECK(rubric_find_recommendation(g, "nothing", &id) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() == "unknown recommendation `nothing`");
  CHECK(rubric_find_recommendation(nullptr, "calcium", &id) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_find_recommendation(g, nullptr, &id) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_find_recommendation(g, "calcium", nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_recommendation_id(g, 16) == nullptr);
  CHECK(message() == "rubric_recommendation_id: recommendation 16 is out of range (16 available)");
  CHECK(rubric_recommendation_id(nullptr, 0) == nullptr);
  CHECK(rubric_recommendation_kind(g, 16) == nullptr);
  CHECK(rubric_recommendation_text(g, 16) == nullptr);
  CHECK(rubric_recommendation_evidence(g, 16) == nullptr);
  CHECK(rubric_recommendation_summary(g, 16) == nullptr);
  CHECK(rubric_recommendation_indicator(g, 16) == nullptr);
  CHECK(message() ==
        "rubric_recommendation_indicator: recommendation 16 is out of range (16 available)");
  CHECK(code() == "E0602");
}

TEST_CASE("C: fact setters reject bad handles, ids and values", "[api][c]") {
  Handles handles;
  rubric_facts* facts = handles.facts;
  rubric_facts* none = nullptr;
  CHECK(rubric_facts_new(nullptr, &none) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(none == nullptr);
  CHECK(rubric_facts_new(handles.guideline, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_clear(nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_clear(facts) == RUBRIC_OK);

  CHECK(rubric_facts_set(nullptr, "pain_vas", "2") == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set(facts, nullptr, "2") == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set(facts, "pain_vas", nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set(facts, "pain_vas", "12") == RUBRIC_ERROR_FACT);
  CHECK(code() == "E0409");
  CHECK(message() == "fact `pain_vas` must be a decimal from 0 to 10; found `12`");

  std::uint32_t vas = 0;
  std::uint32_t age = 0;
  std::uint32_t deficit = 0;
  REQUIRE(rubric_find_fact(handles.guideline, "pain_vas", &vas) == RUBRIC_OK);
  REQUIRE(rubric_find_fact(handles.guideline, "age", &age) == RUBRIC_OK);
  REQUIRE(rubric_find_fact(handles.guideline, "neurologic_deficit", &deficit) == RUBRIC_OK);

  CHECK(rubric_facts_set_text(facts, vas, "6.5") == RUBRIC_OK);
  CHECK(rubric_facts_set_text(facts, vas, "high") == RUBRIC_ERROR_FACT);
  CHECK(code() == "E0406");
  CHECK(rubric_facts_set_text(nullptr, vas, "1") == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set_text(facts, vas, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set_text(facts, 19, "1") == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() ==
        "fact id 19 is out of range: guideline `vertebral-fracture-grade1` has 19 facts");

  CHECK(rubric_facts_set_boolean(facts, deficit, 1) == RUBRIC_OK);
  CHECK(rubric_facts_set_boolean(facts, vas, 1) == RUBRIC_ERROR_FACT);
  CHECK(rubric_facts_set_boolean(nullptr, deficit, 1) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set_boolean(facts, 99, 1) == RUBRIC_ERROR_INVALID_ARGUMENT);

  CHECK(rubric_facts_set_integer(facts, vas, 3) == RUBRIC_OK);
  CHECK(rubric_facts_set_integer(facts, vas, 11) == RUBRIC_ERROR_FACT);
  CHECK(rubric_facts_set_integer(facts, age, 70) == RUBRIC_ERROR_FACT);
  CHECK(code() == "E0407");
  CHECK(rubric_facts_set_integer(nullptr, vas, 3) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set_integer(facts, 99, 3) == RUBRIC_ERROR_INVALID_ARGUMENT);

  CHECK(rubric_facts_set_decimal(facts, vas, 3.5) == RUBRIC_OK);
  CHECK(rubric_facts_set_decimal(facts, vas, -0.5) == RUBRIC_ERROR_FACT);
  CHECK(rubric_facts_set_decimal(facts, vas, 1.0 / 3.0) == RUBRIC_ERROR_FACT);
  CHECK(rubric_facts_set_decimal(nullptr, vas, 3.5) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set_decimal(facts, 99, 3.5) == RUBRIC_ERROR_INVALID_ARGUMENT);

  CHECK(rubric_facts_set_quantity(facts, age, 70, "a") == RUBRIC_OK);
  CHECK(rubric_facts_set_quantity(facts, age, 70, "kg") == RUBRIC_ERROR_FACT);
  CHECK(code() == "E0408");
  CHECK(rubric_facts_set_quantity(facts, age, 70, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set_quantity(nullptr, age, 70, "a") == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set_quantity(facts, 99, 70, "a") == RUBRIC_ERROR_INVALID_ARGUMENT);

  CHECK(rubric_facts_set_absent(facts, age) == RUBRIC_OK);
  CHECK(rubric_facts_set_absent(nullptr, age) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set_absent(facts, 99) == RUBRIC_ERROR_INVALID_ARGUMENT);
}

TEST_CASE("C: evaluation and decision accessors reject bad arguments", "[api][c]") {
  Handles handles;
  CHECK(rubric_decision_new(nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_evaluate(nullptr, handles.facts, handles.decision) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_evaluate(handles.guideline, nullptr, handles.decision) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_evaluate(handles.guideline, handles.facts, nullptr) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);

  // A fact set of another guideline.
  rubric_guideline* other = compile_other();
  rubric_facts* other_facts = nullptr;
  REQUIRE(rubric_facts_new(other, &other_facts) == RUBRIC_OK);
  CHECK(rubric_evaluate(handles.guideline, other_facts, handles.decision) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() ==
        "the fact set was made for guideline `other`, not `vertebral-fracture-grade1`");
  rubric_facts_free(other_facts);
  rubric_guideline_free(other);

  // Before a successful evaluation the decision is empty.
  CHECK(rubric_decision_outcome(handles.decision, 0) == RUBRIC_ABSENT);
  CHECK(message() == "rubric_decision_outcome: recommendation 0 is out of range (0 available)");

  REQUIRE(rubric_facts_set(handles.facts, "fracture_grade", "1") == RUBRIC_OK);
  REQUIRE(rubric_evaluate(handles.guideline, handles.facts, handles.decision) == RUBRIC_OK);
  const rubric_decision* d = handles.decision;
  CHECK(rubric_decision_outcome(d, 0) == RUBRIC_UNDETERMINED);
  CHECK(rubric_decision_outcome(nullptr, 0) == RUBRIC_ABSENT);
  CHECK(rubric_decision_outcome(d, 16) == RUBRIC_ABSENT);
  CHECK(code() == "E0602");
  CHECK(rubric_decision_recommended_count(d) == 0);
  CHECK(rubric_decision_recommended_count(nullptr) == 0);
  CHECK(rubric_decision_recommended(d, 0) == UINT32_MAX);
  CHECK(message() == "rubric_decision_recommended: index 0 is out of range (0 available)");
  CHECK(rubric_decision_recommended(nullptr, 0) == UINT32_MAX);
  CHECK(rubric_decision_undetermined_count(d) == 16);
  CHECK(rubric_decision_undetermined_count(nullptr) == 0);
  CHECK(rubric_decision_undetermined(d, 15) == 15);
  CHECK(rubric_decision_undetermined(d, 16) == UINT32_MAX);
  CHECK(rubric_decision_undetermined(nullptr, 0) == UINT32_MAX);
  CHECK(rubric_decision_missing_count(d, 0) == 4);
  CHECK(rubric_decision_missing_count(d, 16) == 0);
  CHECK(rubric_decision_missing_count(nullptr, 0) == 0);
  CHECK(std::string(rubric_fact_name(handles.guideline, rubric_decision_missing(d, 0, 0))) ==
        "cord_compression");
  CHECK(rubric_decision_missing(d, 0, 4) == UINT32_MAX);
  CHECK(rubric_decision_missing(d, 16, 0) == UINT32_MAX);
  CHECK(rubric_decision_missing(nullptr, 0, 0) == UINT32_MAX);
  CHECK(code() == "E0602");
}

TEST_CASE("C: blocks reject bad handles, foreign fact sets, a full block and bad indexes",
          "[api][c]") {
  Handles handles;
  rubric_block* block = nullptr;
  CHECK(rubric_block_new(nullptr, &block) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(block == nullptr);
  CHECK(rubric_block_new(handles.guideline, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  REQUIRE(rubric_block_new(handles.guideline, &block) == RUBRIC_OK);
  rubric_block_decision* decision = nullptr;
  CHECK(rubric_block_decision_new(nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  REQUIRE(rubric_block_decision_new(&decision) == RUBRIC_OK);

  CHECK(rubric_block_add(nullptr, handles.facts) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_block_add(block, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_block_size(nullptr) == 0);
  CHECK(message() == "rubric_block_size: the block is NULL");
  CHECK(rubric_block_clear(nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);

  rubric_guideline* other = compile_other();
  rubric_facts* other_facts = nullptr;
  REQUIRE(rubric_facts_new(other, &other_facts) == RUBRIC_OK);
  CHECK(rubric_block_add(block, other_facts) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() ==
        "the fact set was made for guideline `other`, not `vertebral-fracture-grade1`");
  CHECK(rubric_evaluate_block(other, block, decision) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() ==
        "the fact block was made for guideline `vertebral-fracture-grade1`, not `other`");
  rubric_facts_free(other_facts);
  rubric_guideline_free(other);

  REQUIRE(rubric_facts_set(handles.facts, "fracture_grade", "1") == RUBRIC_OK);
  for (int row = 0; row < RUBRIC_BLOCK_CAPACITY; ++row) {
    REQUIRE(rubric_block_add(block, handles.facts) == RUBRIC_OK);
  }
  CHECK(rubric_block_add(block, handles.facts) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() == "the fact block is full (64 fact sets); evaluate it, then `clear` it");
  CHECK(rubric_evaluate_block(nullptr, block, decision) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_evaluate_block(handles.guideline, nullptr, decision) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_evaluate_block(handles.guideline, block, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  REQUIRE(rubric_evaluate_block(handles.guideline, block, decision) == RUBRIC_OK);
  CHECK(rubric_block_decision_rows(decision) == 64);
  CHECK(rubric_block_decision_rows(nullptr) == 0);
  CHECK(rubric_block_decision_outcome(decision, 63, 0) == RUBRIC_UNDETERMINED);
  CHECK(rubric_block_decision_outcome(decision, 64, 0) == RUBRIC_ABSENT);
  CHECK(message() == "rubric_block_decision_outcome: row 64 is out of range (64 available)");
  CHECK(rubric_block_decision_outcome(decision, 0, 16) == RUBRIC_ABSENT);
  CHECK(message() ==
        "rubric_block_decision_outcome: recommendation 16 is out of range (16 available)");
  CHECK(rubric_block_decision_outcome(nullptr, 0, 0) == RUBRIC_ABSENT);
  CHECK(rubric_block_decision_undetermined_rows(decision, 0) == UINT64_MAX);
  CHECK(rubric_block_decision_recommended_rows(decision, 0) == 0);
  CHECK(rubric_block_decision_recommended_rows(decision, 16) == 0);
  CHECK(code() == "E0602");
  CHECK(rubric_block_decision_undetermined_rows(nullptr, 0) == 0);
  std::uint32_t missing[8] = {};
  CHECK(rubric_block_decision_missing(decision, 5, 0, missing, 8) == 4);
  CHECK(std::string(rubric_fact_name(handles.guideline, missing[0])) == "cord_compression");
  CHECK(rubric_block_decision_missing(decision, 5, 0, missing, 2) == 4);  // the count, not 2
  CHECK(rubric_block_decision_missing(decision, 5, 0, nullptr, 8) == 0);
  CHECK(message() == "rubric_block_decision_missing: the output `facts` is NULL");
  CHECK(rubric_block_decision_missing(decision, 64, 0, missing, 8) == 0);
  CHECK(rubric_block_decision_missing(nullptr, 0, 0, missing, 8) == 0);
  CHECK(rubric_block_clear(block) == RUBRIC_OK);
  CHECK(rubric_block_size(block) == 0);
  rubric_block_decision_free(decision);
  rubric_block_free(block);
  rubric_block_free(nullptr);
  rubric_block_decision_free(nullptr);
}

TEST_CASE("C: facts decided despite, and reported values", "[api][c]") {
  // By hand: with `sex` absent, 5 points treat a man (>= 2) and a woman (>= 3) alike, so
  // `treat` is made despite `sex`; its score is 2 for age >= 75 plus 1 for diabetes.
  const std::string text =
      "guideline \"g\"\nsource 1 \"s\"\nfact sex: code {'male', 'female'}\n"
      "fact points: integer between 0 and 9\nfact age: integer\nfact diabetes: boolean\n"
      "define score = score(2 when age >= 75, 1 when diabetes)\n"
      "recommendation treat kind prescribe text \"Treat\" cite 1 report score, points\n"
      "  when (sex = 'male' and points >= 2) or (sex = 'female' and points >= 3)\n";
  rubric_guideline* guideline = nullptr;
  REQUIRE(rubric_compile(text.data(), text.size(), nullptr, &guideline, nullptr) == RUBRIC_OK);
  rubric_facts* facts = nullptr;
  rubric_decision* decision = nullptr;
  REQUIRE(rubric_facts_new(guideline, &facts) == RUBRIC_OK);
  REQUIRE(rubric_decision_new(&decision) == RUBRIC_OK);
  std::uint32_t treat = 0;
  std::uint32_t sex = 0;
  REQUIRE(rubric_find_recommendation(guideline, "treat", &treat) == RUBRIC_OK);
  REQUIRE(rubric_find_fact(guideline, "sex", &sex) == RUBRIC_OK);
  REQUIRE(rubric_facts_set(facts, "points", "5") == RUBRIC_OK);
  REQUIRE(rubric_facts_set(facts, "age", "80") == RUBRIC_OK);
  REQUIRE(rubric_evaluate(guideline, facts, decision) == RUBRIC_OK);

  CHECK(rubric_decision_outcome(decision, treat) == RUBRIC_RECOMMENDED);
  CHECK(rubric_decision_despite_count(decision, treat) == 1);
  CHECK(rubric_decision_despite(decision, treat, 0) == sex);
  CHECK(rubric_decision_despite(decision, treat, 1) == UINT32_MAX);
  CHECK(message() == "rubric_decision_despite: index 1 is out of range (1 available)");
  CHECK(rubric_decision_despite_count(decision, 5) == 0);
  CHECK(code() == "E0602");
  CHECK(rubric_decision_despite_count(nullptr, treat) == 0);
  CHECK(message() == "rubric_decision_despite_count: the decision is NULL");

  CHECK(rubric_reported_count(guideline, treat) == 2);
  const char* name = nullptr;
  const char* value = nullptr;
  const char* shown = nullptr;
  REQUIRE(rubric_reported(guideline, facts, decision, treat, 0, &name, &value, &shown) ==
          RUBRIC_OK);
  CHECK(std::string(name) == "score");
  CHECK(value == nullptr);  // diabetes absent: 2 or 3
  CHECK(std::string(shown) == "unknown, from 2 to 3");
  REQUIRE(rubric_reported(guideline, facts, decision, treat, 1, &name, &value, &shown) ==
          RUBRIC_OK);
  CHECK(std::string(name) == "points");
  CHECK(std::string(value) == "5");
  CHECK(std::string(shown) == "5");
  REQUIRE(rubric_facts_set(facts, "diabetes", "true") == RUBRIC_OK);
  REQUIRE(rubric_evaluate(guideline, facts, decision) == RUBRIC_OK);
  REQUIRE(rubric_reported(guideline, facts, decision, treat, 0, nullptr, &value, nullptr) ==
          RUBRIC_OK);
  CHECK(std::string(value) == "3");
  CHECK(rubric_reported(guideline, facts, decision, treat, 2, &name, &value, &shown) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() == "rubric_reported: reported value 2 is out of range (2 available)");
  CHECK(rubric_reported(guideline, nullptr, decision, treat, 0, &name, &value, &shown) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_reported(guideline, facts, decision, 7, 0, &name, &value, &shown) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);

  // A decision of another guideline cannot report this one's values.
  rubric_guideline* other = compile_other();
  rubric_facts* other_facts = nullptr;
  REQUIRE(rubric_facts_new(other, &other_facts) == RUBRIC_OK);
  REQUIRE(rubric_evaluate(other, other_facts, decision) == RUBRIC_OK);
  CHECK(rubric_reported(guideline, facts, decision, treat, 0, &name, &value, &shown) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(message() ==
        "rubric_reported: the decision does not come from evaluating these facts with this "
        "guideline");

  // Blocks: row 0 decided despite `sex`, row 1 (2 points) waits on it.
  rubric_block* block = nullptr;
  rubric_block_decision* rows = nullptr;
  REQUIRE(rubric_block_new(guideline, &block) == RUBRIC_OK);
  REQUIRE(rubric_block_decision_new(&rows) == RUBRIC_OK);
  REQUIRE(rubric_block_add(block, facts) == RUBRIC_OK);
  REQUIRE(rubric_facts_set(facts, "points", "2") == RUBRIC_OK);
  REQUIRE(rubric_block_add(block, facts) == RUBRIC_OK);
  REQUIRE(rubric_evaluate_block(guideline, block, rows) == RUBRIC_OK);
  std::uint32_t found[2] = {UINT32_MAX, UINT32_MAX};
  CHECK(rubric_block_decision_despite(rows, 0, treat, found, 2) == 1);
  CHECK(found[0] == sex);
  CHECK(rubric_block_decision_despite(rows, 1, treat, found, 2) == 0);
  CHECK(rubric_block_decision_missing(rows, 1, treat, found, 2) == 1);
  CHECK(found[0] == sex);
  CHECK(rubric_block_decision_despite(rows, 2, treat, found, 2) == 0);
  CHECK(message() == "rubric_block_decision_despite: row 2 is out of range (2 available)");
  CHECK(rubric_block_decision_despite(rows, 0, treat, nullptr, 2) == 0);
  CHECK(message() == "rubric_block_decision_despite: the output `facts` is NULL");

  rubric_block_decision_free(rows);
  rubric_block_free(block);
  rubric_facts_free(other_facts);
  rubric_guideline_free(other);
  rubric_decision_free(decision);
  rubric_facts_free(facts);
  rubric_guideline_free(guideline);
}

TEST_CASE("C: the evaluation date that Today() reads", "[api][c][dates]") {
  // By hand: 12 whole calendar months from 2025-06-15 to 2026-06-15, 11 to 2026-06-14.
  const std::string text =
      "guideline \"g\"\nsource 1 \"s\"\nfact last_visit: date\n"
      "recommendation recall kind follow-up text \"Recall\" cite 1\n"
      "  when months between last_visit and Today() >= 12\n";
  rubric_guideline* guideline = nullptr;
  REQUIRE(rubric_compile(text.data(), text.size(), nullptr, &guideline, nullptr) == RUBRIC_OK);
  rubric_facts* facts = nullptr;
  REQUIRE(rubric_facts_new(guideline, &facts) == RUBRIC_OK);
  rubric_decision* decision = nullptr;
  REQUIRE(rubric_decision_new(&decision) == RUBRIC_OK);
  REQUIRE(rubric_facts_set(facts, "last_visit", "2025-06-15") == RUBRIC_OK);
  REQUIRE(rubric_evaluate(guideline, facts, decision) == RUBRIC_OK);
  CHECK(rubric_decision_outcome(decision, 0) == RUBRIC_UNDETERMINED);
  REQUIRE(rubric_facts_set_evaluation_date(facts, "2026-06-15") == RUBRIC_OK);
  REQUIRE(rubric_evaluate(guideline, facts, decision) == RUBRIC_OK);
  CHECK(rubric_decision_outcome(decision, 0) == RUBRIC_RECOMMENDED);
  REQUIRE(rubric_facts_set_evaluation_date(facts, "2026-06-14") == RUBRIC_OK);
  REQUIRE(rubric_evaluate(guideline, facts, decision) == RUBRIC_OK);
  CHECK(rubric_decision_outcome(decision, 0) == RUBRIC_ABSENT);
  CHECK(rubric_facts_set_evaluation_date(facts, "June") == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(rubric_last_error_message()).find("`June`") != std::string::npos);
  CHECK(rubric_facts_set_evaluation_date(facts, nullptr) == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set_evaluation_date(nullptr, "2026-06-15") == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_set(facts, "Today()", "2026-06-15") == RUBRIC_ERROR_FACT);
  rubric_decision_free(decision);
  rubric_facts_free(facts);
  rubric_guideline_free(guideline);
}

TEST_CASE("C: FHIR records fill a fact set", "[api][c][records]") {
  Handles h;
  uint32_t pain = 0;
  REQUIRE(rubric_find_fact(h.guideline, "pain_vas", &pain) == RUBRIC_OK);
  const std::string seed =
      read_text(std::string(RUBRIC_SHARED_DIR) + "/seed/fhir/new-fracture-elderly.bundle.json");

  // The seed's example: the result of ../shared/seed/cases/new-fracture-elderly.yaml.
  REQUIRE(read(h.facts, seed, "2026-06-15") == RUBRIC_OK);
  REQUIRE(rubric_evaluate(h.guideline, h.facts, h.decision) == RUBRIC_OK);
  const std::set<std::string> expected = {"analgesics_as_needed",
                                          "avoid_bed_rest",
                                          "bisphosphonate",
                                          "calcitonin",
                                          "calcium",
                                          "early_mobilization",
                                          "follow_up_4_6_weeks",
                                          "opioid_caution",
                                          "opioid_fall_risk",
                                          "vitamin_d"};
  CHECK(recommended(h.guideline, h.decision) == expected);
  CHECK(rubric_decision_undetermined_count(h.decision) == 0);
  CHECK(std::string(rubric_facts_source(h.facts, pain)) == "Observation/observation-5");
  CHECK(std::string(rubric_facts_absent_reason(h.facts, pain)).empty());

  // The same fact set, another record: the pain score 31 days old is not current.
  REQUIRE(read(h.facts, read_text(kRecords + "pain-window-31-days-absent.bundle.json"),
               "2026-06-15") == RUBRIC_OK);
  CHECK(std::string(rubric_facts_source(h.facts, pain)).empty());
  CHECK(std::string(rubric_facts_absent_reason(h.facts, pain)) ==
        "no usable Observation coded LOINC '72514-3' in the 30 days before 2026-06-15");
  // Its case file: the augmentation referral waits on the pain score.
  REQUIRE(rubric_evaluate(h.guideline, h.facts, h.decision) == RUBRIC_OK);
  uint32_t referral = 0;
  REQUIRE(rubric_find_recommendation(h.guideline, "augmentation_referral", &referral) == RUBRIC_OK);
  CHECK(rubric_decision_outcome(h.decision, referral) == RUBRIC_UNDETERMINED);
  REQUIRE(rubric_decision_missing_count(h.decision, referral) == 1);
  CHECK(rubric_decision_missing(h.decision, referral, 0) == pain);

  // A bad value: the fact and the resource are named, and nothing is read.
  REQUIRE(read(h.facts, seed, "2026-06-15") == RUBRIC_OK);
  CHECK(read(h.facts, read_text(kRecords + "error-pain-vas-12.bundle.json"), "2026-06-15") ==
        RUBRIC_ERROR_FACT);
  CHECK(code() == "E0409");
  CHECK(message() ==
        "fact `pain_vas` from `Observation/obs-pain` must be a decimal from 0 to 10; found `12`");
  CHECK(std::string(rubric_facts_source(h.facts, pain)).empty());
  REQUIRE(rubric_evaluate(h.guideline, h.facts, h.decision) == RUBRIC_OK);
  CHECK(rubric_decision_recommended_count(h.decision) == 0);

  // Records that cannot be read.
  const std::string truncated = "{\"resourceType\": \"Bundle\", \"entry\": [";
  CHECK(read(h.facts, truncated, "2026-06-15") == RUBRIC_ERROR_RECORD);
  CHECK(code() == "E0414");
  const std::string no_patient = "{\"resourceType\": \"Bundle\", \"entry\": []}";
  CHECK(read(h.facts, no_patient, "2026-06-15") == RUBRIC_ERROR_RECORD);
  CHECK(code() == "E0416");
  CHECK(message() == "the record has no Patient; expected exactly one");
  // The length counts: the seed's text cut in the middle is malformed.
  CHECK(rubric_facts_read_record(h.facts, seed.data(), seed.size() / 2, "2026-06-15") ==
        RUBRIC_ERROR_RECORD);
  CHECK(code() == "E0414");

  // Bad dates and arguments.
  CHECK(read(h.facts, seed, "2026-02-30") == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(code() == "E0602");
  CHECK(message().find("`2026-02-30`") != std::string::npos);
  CHECK(read(h.facts, seed, "") == RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_read_record(nullptr, seed.data(), seed.size(), "2026-06-15") ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  REQUIRE(read(h.facts, seed, "2026-06-15") == RUBRIC_OK);
  CHECK(rubric_facts_read_record(h.facts, nullptr, 0, "2026-06-15") ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(rubric_facts_source(h.facts, pain)).empty());  // nothing read
  CHECK(rubric_facts_read_record(h.facts, seed.data(), seed.size(), nullptr) ==
        RUBRIC_ERROR_INVALID_ARGUMENT);
  CHECK(rubric_facts_source(nullptr, 0) == nullptr);
  CHECK(code() == "E0602");
  CHECK(rubric_facts_absent_reason(nullptr, 0) == nullptr);
  const auto beyond = static_cast<uint32_t>(rubric_fact_count(h.guideline));
  CHECK(rubric_facts_source(h.facts, beyond) == nullptr);
  CHECK(message() == "rubric_facts_source: fact 19 is out of range (19 available)");
  CHECK(rubric_facts_absent_reason(h.facts, beyond) == nullptr);
  // rubric_facts_clear forgets the sources.
  REQUIRE(read(h.facts, seed, "2026-06-15") == RUBRIC_OK);
  REQUIRE(rubric_facts_clear(h.facts) == RUBRIC_OK);
  CHECK(std::string(rubric_facts_source(h.facts, pain)).empty());
}

TEST_CASE("C: threads read records into their own fact sets", "[api][c][records][threads]") {
  rubric_guideline* guideline = nullptr;
  REQUIRE(rubric_compile_file(kSeed.c_str(), &guideline, nullptr) == RUBRIC_OK);
  const std::string seed =
      read_text(std::string(RUBRIC_SHARED_DIR) + "/seed/fhir/new-fracture-elderly.bundle.json");
  const std::string old_pain = read_text(kRecords + "pain-window-31-days-absent.bundle.json");
  // The seed's example has 10 recommendations (new-fracture-elderly.yaml), the record
  // without current pain 8 (pain-window-31-days-absent.yaml).
  std::vector<int> failures(3, 0);
  std::vector<std::thread> threads;
  threads.reserve(failures.size());
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      rubric_facts* facts = nullptr;
      rubric_decision* decision = nullptr;
      if (rubric_facts_new(guideline, &facts) != RUBRIC_OK ||
          rubric_decision_new(&decision) != RUBRIC_OK) {
        ++failures[t];
        return;
      }
      for (int round = 0; round < 10; ++round) {
        const bool with_pain = (round + t) % 2 == 0;
        const std::string& json = with_pain ? seed : old_pain;
        if (rubric_facts_read_record(facts, json.data(), json.size(), "2026-06-15") != RUBRIC_OK ||
            rubric_evaluate(guideline, facts, decision) != RUBRIC_OK) {
          ++failures[t];
          continue;
        }
        const size_t count = rubric_decision_recommended_count(decision);
        if (count != (with_pain ? 10U : 8U)) {
          ++failures[t];
        }
      }
      rubric_decision_free(decision);
      rubric_facts_free(facts);
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (const int count : failures) {
    CHECK(count == 0);
  }
  rubric_guideline_free(guideline);
}

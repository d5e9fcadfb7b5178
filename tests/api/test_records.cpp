// FHIR records through the C++ embedding API (FactSet::read_record, source, absent_reason):
// the seed's example record (../shared/seed/fhir) and every record of
// guidelines/vertebral-fracture-grade1/records against their hand-written case files, bad
// records, bad dates, the sources of facts, the reuse of one fact set, and threads.
#include <yaml-cpp/yaml.h>
#include <rubric/rubric.hpp>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace api = rubric::api;

namespace {

std::filesystem::path guideline_dir() {
  return std::filesystem::path(RUBRIC_SOURCE_DIR) / "guidelines" / "vertebral-fracture-grade1";
}

// A record of guidelines/vertebral-fracture-grade1/records.
std::filesystem::path record_path(const std::string& name) {
  return guideline_dir() / "records" / name;
}

// The seed's example record.
std::filesystem::path seed_record() {
  return std::filesystem::path(RUBRIC_SHARED_DIR) / "seed" / "fhir" /
         "new-fracture-elderly.bundle.json";
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  REQUIRE(stream);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

api::Guideline seed_guideline() {
  const api::Compilation compiled =
      api::Guideline::compile_file(guideline_dir() / "vertebral-fracture-grade1.rubric");
  INFO(compiled.formatted());
  REQUIRE(compiled.guideline);
  return *compiled.guideline;
}

api::FactId fact(const api::Guideline& guideline, std::string_view name) {
  const std::optional<api::FactId> id = guideline.fact(name);
  REQUIRE(id);
  return *id;
}

// What a decision says: recommended ids, and undetermined ids with their sorted missing facts.
struct Result {
  std::set<std::string> recommended;
  std::map<std::string, std::vector<std::string>> undetermined;
  friend bool operator==(const Result&, const Result&) = default;
};

// The result, checked recommendation by recommendation through Decision::outcome.
Result result_of(const api::Guideline& guideline, const api::Decision& decision) {
  Result out;
  for (std::uint32_t r = 0; r < guideline.recommendation_count(); ++r) {
    const api::RecommendationId id{r};
    const std::string name(guideline.recommendation_name(id));
    switch (decision.outcome(id)) {
      case api::Outcome::recommended: out.recommended.insert(name); break;
      case api::Outcome::undetermined: {
        std::vector<std::string>& missing = out.undetermined[name];
        for (const api::FactId fact : decision.missing(id)) {
          missing.emplace_back(guideline.fact_name(fact));
        }
        break;
      }
      case api::Outcome::absent: break;
    }
  }
  return out;
}

// The result a case file's `expect:` gives.
Result expected_result(YAML::Node expect) {
  Result out;
  for (const auto& id : expect["recommendations"]) {
    out.recommended.insert(id.Scalar());
  }
  for (const auto& entry : expect["undetermined"]) {
    std::vector<std::string>& missing = out.undetermined[entry.first.Scalar()];
    for (const auto& name : entry.second) {
      missing.push_back(name.Scalar());
    }
    std::sort(missing.begin(), missing.end());
  }
  return out;
}

// One record case file of guidelines/vertebral-fracture-grade1/records: the record, its date and
// what its `expect:` says.
struct RecordCase {
  std::string name;
  std::string json;
  std::string as_of;
  std::string error;            // the fact a bad value names; empty when the record is good
  std::string resource;         // the resource the error names
  std::set<std::string> facts;  // the facts read (the others absent)
  Result expected;
};

std::vector<RecordCase> record_cases() {
  std::vector<RecordCase> cases;
  for (const auto& entry : std::filesystem::directory_iterator(guideline_dir() / "records")) {
    if (entry.path().extension() != ".yaml") {
      continue;
    }
    YAML::Node file = YAML::LoadFile(entry.path().string());
    REQUIRE(file["record"]);
    YAML::Node expect = file["expect"];
    REQUIRE(expect.IsMap());
    RecordCase item;
    item.name = entry.path().filename().string();
    item.json = read_text(record_path(file["record"].Scalar()));
    item.as_of = file["as_of"].Scalar();
    if (expect["error"]) {
      item.error = expect["error"].Scalar();
      item.resource = expect["resource"].Scalar();
    } else {
      for (const auto& fact : expect["facts"]) {
        item.facts.insert(fact.first.Scalar());
      }
      item.expected = expected_result(expect);
    }
    cases.push_back(std::move(item));
  }
  std::sort(cases.begin(), cases.end(),
            [](const RecordCase& a, const RecordCase& b) { return a.name < b.name; });
  return cases;
}

bool all_absent(const api::Guideline& guideline, const api::FactSet& facts) {
  for (std::uint32_t f = 0; f < guideline.fact_count(); ++f) {
    if (facts.text(api::FactId{f}) || !facts.source(api::FactId{f}).empty() ||
        !facts.absent_reason(api::FactId{f}).empty()) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("the seed's example record gives its case's result through the API", "[api][records]") {
  const api::Guideline guideline = seed_guideline();
  api::FactSet facts = guideline.new_fact_set();
  const api::Status status = facts.read_record(read_text(seed_record()), "2026-06-15");
  INFO(status.code() << " " << status.message());
  REQUIRE(status.ok());

  // By hand, from ../shared/seed/fhir/README.md: the facts of
  // ../shared/seed/cases/new-fracture-elderly.yaml, hence its result, nothing undetermined.
  Result expected;
  expected.recommended = {"analgesics_as_needed",
                          "avoid_bed_rest",
                          "bisphosphonate",
                          "calcitonin",
                          "calcium",
                          "early_mobilization",
                          "follow_up_4_6_weeks",
                          "opioid_caution",
                          "opioid_fall_risk",
                          "vitamin_d"};
  const api::Decision decision = guideline.evaluate(facts);
  REQUIRE(decision.status().ok());
  CHECK(result_of(guideline, decision) == expected);

  // The pain score is the one final LOINC 72514-3 Observation (`observation-5`, 6, dated
  // the evaluation date); the age comes from the Patient; the grade is the newer of two.
  const api::FactId pain = fact(guideline, "pain_vas");
  CHECK(facts.text(pain) == "6");
  CHECK(facts.source(pain) == "Observation/observation-5");
  CHECK(facts.absent_reason(pain).empty());
  CHECK(facts.text(fact(guideline, "fracture_grade")) == "1");
  CHECK(facts.source(fact(guideline, "age")).starts_with("Patient/"));
}

TEST_CASE("every record of the seed guideline gives its case file's result through the API",
          "[api][records]") {
  const api::Guideline guideline = seed_guideline();
  const std::vector<RecordCase> cases = record_cases();
  REQUIRE(cases.size() >= 60);
  api::FactSet facts = guideline.new_fact_set();  // one fact set for every record
  api::Decision decision;
  std::size_t errors = 0;
  for (const RecordCase& item : cases) {
    INFO(item.name);
    const api::Status status = facts.read_record(item.json, item.as_of);
    if (!item.error.empty()) {
      ++errors;
      INFO(status.message());
      REQUIRE_FALSE(status.ok());
      CHECK(status.message().find("`" + item.error + "`") != std::string::npos);
      CHECK(status.message().find("`" + item.resource + "`") != std::string::npos);
      CHECK(all_absent(guideline, facts));
      continue;
    }
    INFO(status.code() << " " << status.message());
    REQUIRE(status.ok());
    // The facts read are exactly those the case lists (their values are the CLI's test).
    std::set<std::string> present;
    for (std::uint32_t f = 0; f < guideline.fact_count(); ++f) {
      if (facts.text(api::FactId{f})) {
        present.emplace(guideline.fact_name(api::FactId{f}));
      }
    }
    CHECK(present == item.facts);
    guideline.evaluate(facts, decision);
    REQUIRE(decision.status().ok());
    CHECK(result_of(guideline, decision) == item.expected);
  }
  CHECK(errors >= 10);
}

TEST_CASE("a bad value in a record is an error naming the fact and the resource",
          "[api][records]") {
  const api::Guideline guideline = seed_guideline();
  api::FactSet facts = guideline.new_fact_set();
  REQUIRE(facts.read_record(read_text(seed_record()), "2026-06-15"));
  // A pain score of 12 in Observation/obs-pain (pain_vas is a decimal from 0 to 10: E0409).
  const api::Status status =
      facts.read_record(read_text(record_path("error-pain-vas-12.bundle.json")), "2026-06-15");
  CHECK(status.code() == "E0409");
  CHECK(status.message() ==
        "fact `pain_vas` from `Observation/obs-pain` must be a decimal from 0 to 10; found `12`");
  // Nothing is read: the facts of the first record are gone, the evaluation date too.
  CHECK(all_absent(guideline, facts));
  const api::Decision decision = guideline.evaluate(facts);
  CHECK(decision.recommended().empty());
}

TEST_CASE("malformed JSON, a document that is not a Bundle and bad dates are errors",
          "[api][records]") {
  const api::Guideline guideline = seed_guideline();
  api::FactSet facts = guideline.new_fact_set();
  const std::string seed = read_text(seed_record());

  REQUIRE(facts.read_record(seed, "2026-06-15"));
  api::Status status =
      facts.read_record("{\"resourceType\": \"Bundle\", \"entry\": [", "2026-06-15");
  CHECK(status.code() == "E0414");
  CHECK_FALSE(status.message().empty());
  CHECK(all_absent(guideline, facts));

  // A broken literal on line 2, in the first entry: the message says where.
  status = facts.read_record(
      "{\"resourceType\": \"Bundle\",\n \"entry\": [{\"resource\": {\"resourceType\": tru}}]}",
      "2026-06-15");
  CHECK(status.code() == "E0414");
  INFO(status.message());
  CHECK(status.message().find("line 2, column") != std::string::npos);

  status = facts.read_record("{\"resourceType\": \"Patient\", \"id\": \"p\"}", "2026-06-15");
  CHECK(status.code() == "E0414");
  CHECK(status.message() == "the record is a `Patient`; expected a FHIR Bundle");

  status = facts.read_record("{\"resourceType\": \"Bundle\", \"entry\": []}", "2026-06-15");
  CHECK(status.code() == "E0416");

  for (const char* date : {"2026-13-01", "2026-06", "15/06/2026", "", "2026-06-15T10:00:00Z"}) {
    INFO(date);
    REQUIRE(facts.read_record(seed, "2026-06-15"));
    status = facts.read_record(seed, date);
    CHECK(status.code() == "E0602");
    CHECK(status.message().starts_with(
        "the evaluation date is a full date written `YYYY-MM-DD`, such as `2026-06-15`"));
    CHECK(all_absent(guideline, facts));
  }

  // A fact set of no guideline.
  api::FactSet none;
  CHECK(none.read_record(seed, "2026-06-15").code() == "E0602");
  CHECK(none.source(api::FactId{0}).empty());
  CHECK(none.absent_reason(api::FactId{0}).empty());
}

TEST_CASE("a fact's source and why it is absent", "[api][records]") {
  const api::Guideline guideline = seed_guideline();
  api::FactSet facts = guideline.new_fact_set();
  const api::Status status = facts.read_record(
      read_text(record_path("pain-window-31-days-absent.bundle.json")), "2026-06-15");
  REQUIRE(status.ok());
  // The only pain score is dated 2026-05-15, 31 days before: not current (docs/fhir.md).
  const api::FactId pain = fact(guideline, "pain_vas");
  CHECK_FALSE(facts.text(pain));
  CHECK(facts.source(pain).empty());
  CHECK(facts.absent_reason(pain) ==
        "no usable Observation coded LOINC '72514-3' in the 30 days before 2026-06-15");
  // The one Condition coded neurologic-deficit is inactive and confirmed: false, from it.
  const api::FactId deficit = fact(guideline, "neurologic_deficit");
  CHECK(facts.text(deficit) == "false");
  CHECK(facts.source(deficit) == "Condition/cond-neuro");
  CHECK(facts.absent_reason(deficit).empty());
  // Out of range: empty.
  const api::FactId beyond{static_cast<std::uint32_t>(guideline.fact_count() + 5)};
  CHECK(facts.source(beyond).empty());
  CHECK(facts.absent_reason(beyond).empty());

  // clear() forgets the sources.
  facts.clear();
  CHECK(all_absent(guideline, facts));
}

TEST_CASE("one fact set reused for several records: each read replaces the last",
          "[api][records]") {
  const api::Guideline guideline = seed_guideline();
  const api::FactId pain = fact(guideline, "pain_vas");
  const api::FactId deficit = fact(guideline, "neurologic_deficit");
  api::FactSet facts = guideline.new_fact_set();
  api::Decision decision;

  REQUIRE(facts.read_record(read_text(seed_record()), "2026-06-15"));
  CHECK(facts.text(pain) == "6");
  guideline.evaluate(facts, decision);
  CHECK(decision.recommended().size() == 10);

  // Record 2: pain 31 days old (absent), neurologic deficit entered-in-error (absent).
  REQUIRE(facts.read_record(
      read_text(record_path("condition-neurologic-entered-in-error-absent.bundle.json")),
      "2026-06-15"));
  CHECK(facts.text(pain) == "6");  // this record has its own current pain score
  CHECK_FALSE(facts.text(deficit));
  CHECK(facts.source(deficit).empty());
  CHECK_FALSE(facts.absent_reason(deficit).empty());
  REQUIRE(facts.read_record(read_text(record_path("pain-window-31-days-absent.bundle.json")),
                            "2026-06-15"));
  CHECK_FALSE(facts.text(pain));
  CHECK(facts.source(pain).empty());
  CHECK(facts.text(deficit) == "false");

  // A value set by hand before a read does not survive it.
  REQUIRE(facts.set_integer(pain, 3));
  REQUIRE(facts.read_record(read_text(record_path("pain-window-31-days-absent.bundle.json")),
                            "2026-06-15"));
  CHECK_FALSE(facts.text(pain));
}

TEST_CASE("the date of a record is the evaluation date Today() reads", "[api][records]") {
  const api::Compilation compiled = api::Guideline::compile(
      "guideline \"g\"\nsource 1 \"s\"\n"
      "fact age: duration >= 0 days \"age\"\n  from Patient\n  value years since birthDate\n"
      "recommendation late kind refer text \"t\" cite 1\n"
      "  when Today() >= @2026-06-20 and age >= 18 years\n");
  INFO(compiled.formatted());
  REQUIRE(compiled.guideline);
  const api::Guideline& guideline = *compiled.guideline;
  const std::string record =
      R"({"resourceType": "Bundle", "entry": [{"resource": )"
      R"({"resourceType": "Patient", "id": "p", "birthDate": "1954-05-13"}}]})";
  api::FactSet facts = guideline.new_fact_set();
  api::Decision decision;
  const api::RecommendationId late = *guideline.recommendation("late");
  // The evaluation date is the fact after the declared ones (not settable by name).
  REQUIRE(guideline.fact_count() == 2);
  const api::FactId today{1};

  REQUIRE(facts.read_record(record, "2026-06-15"));
  CHECK(facts.text(today) == "2026-06-15");
  CHECK(facts.source(*guideline.fact("age")) == "Patient/p");
  guideline.evaluate(facts, decision);
  CHECK(decision.outcome(late) == api::Outcome::absent);

  REQUIRE(facts.read_record(record, "2026-06-20"));
  CHECK(facts.text(today) == "2026-06-20");
  guideline.evaluate(facts, decision);
  CHECK(decision.outcome(late) == api::Outcome::recommended);

  // A failed read leaves no evaluation date: the recommendation waits on Today().
  CHECK(facts.read_record(record, "20 June").code() == "E0602");
  CHECK_FALSE(facts.text(today));
  guideline.evaluate(facts, decision);
  CHECK(decision.outcome(late) == api::Outcome::undetermined);
}

TEST_CASE("threads read records into their own fact sets with one guideline",
          "[api][records][threads]") {
  const api::Guideline guideline = seed_guideline();
  std::vector<RecordCase> cases;
  for (RecordCase& item : record_cases()) {
    if (item.error.empty()) {
      cases.push_back(std::move(item));
    }
  }
  REQUIRE(cases.size() >= 20);
  cases.resize(20);
  constexpr int kThreads = 4;
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      api::FactSet facts = guideline.new_fact_set();
      api::Decision decision;
      for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < cases.size(); ++i) {
          const std::size_t at = (i + static_cast<std::size_t>(t) * 5) % cases.size();
          if (!facts.read_record(cases[at].json, cases[at].as_of)) {
            ++failures[t];
            continue;
          }
          guideline.evaluate(facts, decision);
          if (!(result_of(guideline, decision) == cases[at].expected)) {
            ++failures[t];
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (int t = 0; t < kThreads; ++t) {
    CHECK(failures[t] == 0);
  }
}

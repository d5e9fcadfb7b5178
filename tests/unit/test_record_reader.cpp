// The FHIR record reader (records/record_reader.hpp) on the seed's hand-written records
// (guidelines/vertebral-fracture-grade1/records/): the seed's facts get the bindings of
// shared/seed/FHIR-BINDING.md, built here by hand (until the rule file states them), and every
// record's `expect: facts` (read as a fact file reads them) or `expect: {error, resource}`
// must come out of read_record. Plus malformed input and limits.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "engine/guideline.hpp"
#include "records/record_reader.hpp"
#include "tests/unit/support.hpp"
#include "tools/fact_file.hpp"

namespace rubric {
namespace {

constexpr const char* kVf = "http://example.org/fhir/CodeSystem/vertebral-fracture";
constexpr const char* kLoinc = "http://loinc.org";

std::string dashed(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

FactBinding observation(const std::string& system, const std::string& code,
                        std::vector<std::string> elements) {
  FactBinding binding;
  binding.resource_type = "Observation";
  binding.choice = BindingChoice::most_recent;
  binding.codes = {Coding{system, code}};
  binding.codes_label = (system == kLoinc ? "LOINC '" : "VF '") + code + "'";
  binding.filters = {StatusFilter{"status", false, {"final", "amended", "corrected"}}};
  binding.value = BindingValue::element;
  binding.elements = std::move(elements);
  return binding;
}

// FHIR-BINDING.md's table, by hand.
std::optional<FactBinding> seed_binding(const std::string& name) {
  static const std::vector<std::string> kConditions = {
      "neurologic_deficit",    "progressive_neurologic_deterioration",
      "spinal_instability",    "cord_compression",
      "pulmonary_dysfunction", "analgesic_contraindication"};
  static const std::vector<std::string> kBooleans = {
      "pain_refractory",     "parenteral_narcotics_required", "symptoms_changed",
      "symptoms_persisting", "severe_initial_pain",           "mri_t2_fluid_pattern",
      "severe_collapse"};
  if (name == "age") {
    FactBinding binding;
    binding.resource_type = "Patient";
    binding.choice = BindingChoice::single;
    binding.value = BindingValue::years_since;
    binding.elements = {"birthDate"};
    return binding;
  }
  if (name == "time_since_identification") {
    FactBinding binding;
    binding.resource_type = "Condition";
    binding.choice = BindingChoice::most_recent;
    binding.codes = {Coding{kVf, "vertebral-fracture"}};
    binding.codes_label = "VF 'vertebral-fracture'";
    // Entered-in-error resources never count, whatever the binding says.
    binding.filters = {StatusFilter{"verificationStatus", true, {"refuted"}}};
    binding.value = BindingValue::days_since;
    binding.elements = {"recordedDate", "onsetDateTime"};
    return binding;
  }
  if (name == "fracture_grade") {
    return observation(kVf, "genant-grade", {"valueInteger"});
  }
  if (name == "pain_vas") {
    FactBinding binding = observation(kLoinc, "72514-3", {"valueQuantity", "valueInteger"});
    binding.window = BindingWindow{30, CalendarUnit::day};
    binding.unit = "{score}";
    return binding;
  }
  if (name == "kyphosis_percent" || name == "height_loss_percent") {
    FactBinding binding = observation(kVf, dashed(name), {"valueQuantity"});
    binding.unit = "%";
    return binding;
  }
  if (std::find(kConditions.begin(), kConditions.end(), name) != kConditions.end()) {
    FactBinding binding;
    binding.resource_type = "Condition";
    binding.choice = BindingChoice::all;
    binding.codes = {Coding{kVf, dashed(name)}};
    binding.codes_label = "VF '" + dashed(name) + "'";
    binding.value = BindingValue::presence;
    return binding;
  }
  if (std::find(kBooleans.begin(), kBooleans.end(), name) != kBooleans.end()) {
    return observation(kVf, dashed(name), {"valueBoolean"});
  }
  return std::nullopt;
}

struct Seed {
  std::shared_ptr<const Guideline> guideline;
  std::vector<FactSpec> facts;  // with the bindings
};

const Seed& seed() {
  static const Seed compiled = [] {
    static SourceManager sources;
    Diagnostics diagnostics;
    Seed out;
    out.guideline = Guideline::compile(
        sources, sources.add("seed.rubric", testing::read_text(testing::kSeedRuleFile)),
        diagnostics);
    REQUIRE(out.guideline);
    // The rule file's own bindings (the test below checks them against the contract).
    out.facts.assign(out.guideline->facts().begin(), out.guideline->facts().end());
    return out;
  }();
  return compiled;
}

TEST_CASE("the seed rule file's bindings are FHIR-BINDING.md's", "[records]") {
  for (const FactSpec& fact : seed().facts) {
    if (fact.evaluation_date) {
      continue;
    }
    INFO(fact.name);
    const std::optional<FactBinding> expected = seed_binding(fact.name);
    REQUIRE(expected.has_value());
    REQUIRE(fact.binding.has_value());
    const BindingParts want = describe(*expected);
    const BindingParts got = describe(*fact.binding);
    CHECK(got.source == want.source);
    CHECK(got.codes == want.codes);
    CHECK(got.filters == want.filters);
    CHECK(got.window == want.window);
    CHECK(got.value == want.value);
    CHECK(*fact.binding == *expected);
  }
}

DateTime date(std::string_view text) {
  return *DateTime::parse(text).value;
}

const std::filesystem::path kRecords =
    std::filesystem::path(RUBRIC_SOURCE_DIR) / "guidelines/vertebral-fracture-grade1/records";

// Checks one record against its case file; the problems, empty when it passes.
std::string check_record(const std::filesystem::path& case_path) {
  const Seed& s = seed();
  const YAML::Node doc = YAML::LoadFile(case_path.string());
  const std::string record =
      testing::read_text(case_path.parent_path() / doc["record"].as<std::string>());
  const DateTime as_of = date(doc["as_of"].as<std::string>());
  const RecordReading reading = read_record(s.facts, record, as_of);
  const YAML::Node expect = doc["expect"];
  if (expect["error"]) {
    if (reading.ok()) {
      return "expected an error, read the facts";
    }
    const std::string fact = expect["error"].as<std::string>();
    const std::string resource = expect["resource"].as<std::string>();
    if (reading.error->fact != fact || reading.error->resource != resource) {
      return "error on `" + reading.error->fact + "` `" + reading.error->resource +
             "` instead: " + reading.error->message;
    }
    const std::string& message = reading.error->message;
    if (message.find("`" + fact + "`") == std::string::npos ||
        message.find("`" + resource + "`") == std::string::npos) {
      return "the message does not name the fact and the resource: " + message;
    }
    return {};
  }
  if (!reading.ok()) {
    return "unexpected error: " + reading.error->message;
  }
  SourceManager sources;
  const FileId file = sources.add(case_path.string(), testing::read_text(case_path));
  Diagnostics diagnostics;
  const std::optional<FactSet> expected =
      read_fact_mapping(expect["facts"], sources, file, s.facts, diagnostics);
  if (!expected) {
    return "the expected facts do not read";
  }
  std::string problems;
  // The evaluation of what was read gives the case's recommendations and undetermined ones.
  FactSet facts = reading.facts;
  s.guideline->set_evaluation_date(facts, as_of);
  EvaluationScratch scratch;
  Decision decision;
  s.guideline->evaluate(facts, scratch, decision);
  std::vector<std::string> recommended;
  std::map<std::string, std::vector<std::string>> undetermined;
  const auto recommendations = s.guideline->recommendations();
  for (std::size_t r = 0; r < recommendations.size(); ++r) {
    if (decision.outcomes[r] == Outcome::recommended) {
      recommended.push_back(recommendations[r].id);
    } else if (decision.outcomes[r] == Outcome::undetermined) {
      std::vector<std::string> missing;
      for (const FactId fact : decision.missing[r]) {
        missing.push_back(s.facts[fact.value].name);
      }
      std::sort(missing.begin(), missing.end());
      undetermined[recommendations[r].id] = missing;
    }
  }
  std::sort(recommended.begin(), recommended.end());
  std::vector<std::string> want_recommended;
  for (const YAML::Node& id : expect["recommendations"]) {
    want_recommended.push_back(id.as<std::string>());
  }
  std::sort(want_recommended.begin(), want_recommended.end());
  std::map<std::string, std::vector<std::string>> want_undetermined;
  if (expect["undetermined"] && expect["undetermined"].IsMap()) {
    for (const auto& entry : expect["undetermined"]) {
      std::vector<std::string> missing;
      for (const YAML::Node& fact : entry.second) {
        missing.push_back(fact.as<std::string>());
      }
      std::sort(missing.begin(), missing.end());
      want_undetermined[entry.first.as<std::string>()] = missing;
    }
  }
  if (recommended != want_recommended) {
    problems += "other recommendations; ";
  }
  if (undetermined != want_undetermined) {
    problems += "other undetermined recommendations; ";
  }
  for (std::size_t index = 0; index < s.facts.size(); ++index) {
    if (s.facts[index].evaluation_date) {
      continue;
    }
    const Value& want = expected->values()[index];
    const Value& got = reading.facts.values()[index];
    if (!identical(want, got)) {
      problems += "`" + s.facts[index].name + "`: expected " + to_text(want, TextStyle::fact_file) +
                  ", read " + to_text(got, TextStyle::fact_file) + " (" +
                  reading.provenance[index].resource + reading.provenance[index].absent_reason +
                  "); ";
    }
  }
  return problems;
}

TEST_CASE("every seed record reads the facts or the error its case file expects", "[records]") {
  std::vector<std::filesystem::path> cases;
  for (const auto& entry : std::filesystem::directory_iterator(kRecords)) {
    if (entry.path().extension() == ".yaml") {
      cases.push_back(entry.path());
    }
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() == 100);
  std::size_t passed = 0;
  for (const auto& path : cases) {
    const std::string problems = check_record(path);
    INFO(path.filename().string() << ": " << problems);
    CHECK(problems.empty());
    passed += problems.empty() ? 1 : 0;
  }
  WARN("records passed: " << passed << " of " << cases.size());
}

TEST_CASE("set aside, a bad value leaves its fact absent and the rest read", "[records]") {
  // BadValues::set_aside (the service): on every seed record, the first value set aside is the
  // error the failing mode reports, its fact is absent and says why, and a record without bad
  // data reads exactly the same facts in both modes.
  const Seed& s = seed();
  std::size_t with_bad_data = 0;
  std::size_t expected_bad_data = 0;  // case files that expect a fact's error
  RecordReader reader(s.facts);
  for (const auto& entry : std::filesystem::directory_iterator(kRecords)) {
    if (entry.path().extension() != ".yaml") {
      continue;
    }
    const YAML::Node doc = YAML::LoadFile(entry.path().string());
    const std::string record = testing::read_text(kRecords / doc["record"].as<std::string>());
    const DateTime as_of = date(doc["as_of"].as<std::string>());
    INFO(entry.path().filename().string());
    expected_bad_data += doc["expect"]["error"] ? 1 : 0;
    const RecordReading failing = read_record(s.facts, record, as_of);
    RecordReading lenient;
    reader.read(record, as_of, lenient, BadValues::set_aside);
    if (failing.ok()) {
      REQUIRE(lenient.ok());
      CHECK(lenient.set_aside.empty());
      for (std::size_t k = 0; k < s.facts.size(); ++k) {
        CHECK(to_text(lenient.facts.values()[k], TextStyle::fact_file) ==
              to_text(failing.facts.values()[k], TextStyle::fact_file));
        CHECK(lenient.provenance[k].resource == failing.provenance[k].resource);
        CHECK(lenient.provenance[k].absent_reason == failing.provenance[k].absent_reason);
      }
      continue;
    }
    if (failing.error->fact.empty()) {
      // Not bad data (the record's shape): an error in both modes.
      CHECK_FALSE(lenient.ok());
      continue;
    }
    ++with_bad_data;
    REQUIRE(lenient.ok());
    REQUIRE_FALSE(lenient.set_aside.empty());
    const RecordError& first = lenient.set_aside.front();
    CHECK(first.fact == failing.error->fact);
    CHECK(first.resource == failing.error->resource);
    CHECK(first.message == failing.error->message);
    CHECK(first.fact == doc["expect"]["error"].as<std::string>());
    for (const RecordError& problem : lenient.set_aside) {
      const auto index = static_cast<std::size_t>(
          std::find_if(s.facts.begin(), s.facts.end(),
                       [&](const FactSpec& f) { return f.name == problem.fact; }) -
          s.facts.begin());
      REQUIRE(index < s.facts.size());
      CHECK(lenient.facts.values()[index].kind() == ValueKind::null);
      CHECK(lenient.provenance[index].absent_reason == problem.message);
      CHECK(lenient.provenance[index].resource.empty());
    }
  }
  CHECK(expected_bad_data > 0);
  CHECK(with_bad_data == expected_bad_data);
}

TEST_CASE("the record reader rejects bad input with a clear error", "[records]") {
  const Seed& s = seed();
  const DateTime as_of = date("2026-06-15");
  const auto error_of = [&](std::string_view json, const RecordLimits& limits = {}) {
    const RecordReading reading = read_record(s.facts, json, as_of, limits);
    REQUIRE_FALSE(reading.ok());
    return *reading.error;
  };
  CHECK(error_of("{\"resourceType\": \"Bundle\", \"entry\": [").kind ==
        DiagnosticKind::invalid_record);
  CHECK(error_of("[1, 2]").kind == DiagnosticKind::invalid_record);
  CHECK(error_of("{\"resourceType\": \"Patient\", \"id\": \"p\"}").message ==
        "the record is a `Patient`; expected a FHIR Bundle");
  CHECK(error_of("{\"resourceType\": \"Bundle\", \"entry\": []}").kind ==
        DiagnosticKind::record_patient);
  const std::string two =
      "{\"resourceType\": \"Bundle\", \"entry\": [{\"resource\": {\"resourceType\": "
      "\"Patient\", \"id\": \"a\"}}, {\"resource\": {\"resourceType\": \"Patient\", \"id\": "
      "\"b\"}}]}";
  CHECK(error_of(two).message == "the record has 2 Patients; expected exactly one");
  RecordLimits small;
  small.max_entries = 1;
  CHECK(error_of(two, small).kind == DiagnosticKind::record_too_large);
  small = {};
  small.max_bytes = 10;
  CHECK(error_of(two, small).kind == DiagnosticKind::record_too_large);
  std::string deep = "{\"resourceType\": \"Bundle\", \"x\": ";
  deep += std::string(200, '[') + std::string(200, ']') + "}";
  CHECK(error_of(deep).kind == DiagnosticKind::record_too_large);
  // The depth counts arrays and objects, not brackets inside strings (also after escaped
  // quotes and backslashes); 64 levels are allowed, 65 are not (the root object is one).
  const auto nested = [](std::size_t arrays, const std::string& text) {
    return "{\"resourceType\": \"Bundle\", \"x\": " + std::string(arrays, '[') + text +
           std::string(arrays, ']') +
           ", \"entry\": [{\"resource\": {\"resourceType\": " + "\"Patient\", \"id\": \"p\"}}]}";
  };
  const std::string brackets = "\"\\\" \\\\" + std::string(100, '[') + "\\\"\"";
  CHECK(read_record(s.facts, nested(10, brackets), as_of).ok());
  CHECK(read_record(s.facts, nested(63, brackets), as_of).ok());
  CHECK(error_of(nested(64, brackets)).kind == DiagnosticKind::record_too_large);
  CHECK(error_of("{\"resourceType\": \"Bundle\"} {}").kind == DiagnosticKind::invalid_record);
  // A broken `null` in an element the bindings read (found by fuzz_record: it threw from
  // inside the reader): an error, like any malformed JSON.
  const std::string broken_null =
      "{\"resourceType\": \"Bundle\", \"entry\": [{\"resource\": {\"resourceType\": "
      "\"Patient\", \"id\": \"p\"}}, {\"resource\": {\"resourceType\": \"Observation\", "
      "\"id\": \"o\", \"status\": \"final\", \"code\": {\"coding\": [{\"system\": "
      "\"http://loinc.org\", \"code\": \"72514-3\"}]}, \"effectiveDateTime\": \"2026-06-14\", "
      "\"valueQuantity\": {\"value\": nx}}}]}";
  CHECK(error_of(broken_null).kind == DiagnosticKind::invalid_record);
}

std::string code_of(const RecordError& error) {
  return std::string(diagnostic_info(error.kind).code);
}

TEST_CASE("record errors have their codes", "[records]") {
  const Seed& s = seed();
  const auto error_of = [&](std::string_view json, const RecordLimits& limits = {}) {
    const RecordReading reading = read_record(s.facts, json, date("2026-06-15"), limits);
    REQUIRE_FALSE(reading.ok());
    return *reading.error;
  };
  CHECK(code_of(error_of("{\"resourceType\": \"Bundle\", ")) == "E0414");
  CHECK(code_of(error_of("{\"entry\": []}")) == "E0414");
  RecordLimits tiny;
  tiny.max_bytes = 5;
  CHECK(code_of(error_of("{\"resourceType\": \"Bundle\"}", tiny)) == "E0415");
  CHECK(code_of(error_of("{\"resourceType\": \"Bundle\"}")) == "E0416");
  const auto fracture = [](std::string_view recorded) {
    return "{\"resourceType\": \"Bundle\", \"entry\": [{\"resource\": {\"resourceType\": "
           "\"Patient\", \"id\": \"p\"}}, {\"resource\": {\"resourceType\": \"Condition\", "
           "\"id\": \"f\", \"code\": {\"coding\": [{\"system\": "
           "\"http://example.org/fhir/CodeSystem/vertebral-fracture\", \"code\": "
           "\"vertebral-fracture\"}]}, \"recordedDate\": \"" +
           std::string(recorded) + "\"}}]}";
  };
  const RecordError future = error_of(fracture("2026-06-16"));
  CHECK(code_of(future) == "E0417");
  CHECK(future.message ==
        "fact `time_since_identification` from `Condition/f`: `recordedDate` 2026-06-16 is "
        "after the evaluation date 2026-06-15");
  const RecordError bad = error_of(fracture("2026-02-30"));
  CHECK(code_of(bad) == "E0418");
  CHECK(bad.resource == "Condition/f");
  // On the day itself: 0 days, no error.
  CHECK(read_record(s.facts, fracture("2026-06-15T23:59:00-11:00"), date("2026-06-15")).ok());
}

TEST_CASE("a bad value names the fact and the resource", "[records]") {
  const Seed& s = seed();
  const std::string record =
      "{\"resourceType\": \"Bundle\", \"entry\": [{\"resource\": {\"resourceType\": "
      "\"Patient\", \"id\": \"p\"}}, {\"resource\": {\"resourceType\": \"Observation\", "
      "\"id\": \"obs-7\", \"status\": \"final\", \"code\": {\"coding\": [{\"system\": "
      "\"http://loinc.org\", \"code\": \"72514-3\"}]}, \"effectiveDateTime\": \"2026-06-10\", "
      "\"valueQuantity\": {\"value\": 12, \"code\": \"{score}\", \"system\": "
      "\"http://unitsofmeasure.org\"}}}]}";
  const RecordReading reading = read_record(s.facts, record, date("2026-06-15"));
  REQUIRE_FALSE(reading.ok());
  CHECK(reading.error->message ==
        "fact `pain_vas` from `Observation/obs-7` must be a decimal from 0 to 10; found `12`");
  const RecordReading ok = read_record(s.facts, record, date("2026-07-20"));
  REQUIRE(ok.ok());
  const auto pain = std::find_if(s.facts.begin(), s.facts.end(),
                                 [](const FactSpec& f) { return f.name == "pain_vas"; }) -
                    s.facts.begin();
  CHECK(ok.provenance[static_cast<std::size_t>(pain)].absent_reason ==
        "no usable Observation coded LOINC '72514-3' in the 30 days before 2026-07-20");
}

TEST_CASE("a number with an exponent is read as FHIR allows it", "[records]") {
  const Seed& s = seed();
  const auto pain = static_cast<std::size_t>(
      std::find_if(s.facts.begin(), s.facts.end(),
                   [](const FactSpec& f) { return f.name == "pain_vas"; }) -
      s.facts.begin());
  const auto record = [](const std::string& number) {
    return "{\"resourceType\": \"Bundle\", \"entry\": [{\"resource\": {\"resourceType\": "
           "\"Patient\", \"id\": \"p\"}}, {\"resource\": {\"resourceType\": \"Observation\", "
           "\"id\": \"obs-7\", \"status\": \"final\", \"code\": {\"coding\": [{\"system\": "
           "\"http://loinc.org\", \"code\": \"72514-3\"}]}, \"effectiveDateTime\": "
           "\"2026-06-10\", \"valueQuantity\": {\"value\": " +
           number + "}}}]}";
  };
  // By hand: each of these is 4.5.
  for (const char* number : {"4.5e0", "45E-1", "0.045e+2", "450e-2", "4.50000000000e0"}) {
    INFO(number);
    const RecordReading reading = read_record(s.facts, record(number), date("2026-06-15"));
    REQUIRE(reading.ok());
    CHECK(identical(reading.facts.values()[pain], Value::decimal(*Decimal::parse("4.5"))));
  }
  for (const char* number : {"1e1", "0.1e2", "10E0"}) {  // 10, the top of the range
    INFO(number);
    const RecordReading reading = read_record(s.facts, record(number), date("2026-06-15"));
    REQUIRE(reading.ok());
    CHECK(identical(reading.facts.values()[pain], Value::decimal(*Decimal::parse("10"))));
  }
  // 1.1e1 is 11, outside 0..10; an exponent beyond 400 is not written out.
  CHECK(read_record(s.facts, record("1.1e1"), date("2026-06-15")).error->message ==
        "fact `pain_vas` from `Observation/obs-7` must be a decimal from 0 to 10; found `11`");
  CHECK_FALSE(read_record(s.facts, record("1e999"), date("2026-06-15")).ok());
}

}  // namespace
}  // namespace rubric

namespace rubric {
namespace {

TEST_CASE("every truncation of a record is an error or a reading, never a crash", "[records]") {
  const Seed& s = seed();
  std::string record =
      testing::read_text(kRecords / "seed-example-new-fracture-elderly.bundle.json");
  while (!record.empty() && std::isspace(static_cast<unsigned char>(record.back())) != 0) {
    record.pop_back();
  }
  std::size_t errors = 0;
  for (std::size_t size = 0; size < record.size(); size += 7) {
    const RecordReading reading =
        read_record(s.facts, std::string_view(record).substr(0, size), date("2026-06-15"));
    errors += reading.ok() ? 0 : 1;
    if (!reading.ok()) {
      CHECK_FALSE(reading.error->message.empty());
    }
  }
  // A JSON text cut short is never complete: every truncation is rejected.
  CHECK(errors == (record.size() + 6) / 7);
}

}  // namespace
}  // namespace rubric

// One fact-value reader (values/fact_value_reader.hpp) behind every way a value comes in: the
// same inputs go through a YAML fact file, a JSON fact file, one NDJSON line, the C++ API
// (set_text, set_string) and the C API (rubric_facts_set), and every one must give the same
// verdict: accepted with the same value, or rejected with the same code and message.
//
// The expected verdicts are written by hand from docs/diagnostics.md (E04xx), docs/limits.md
// (string values of at most 64 KiB), docs/embedding.md (the setters check a value "exactly as
// a fact file is checked") and the data dictionary of the seed guideline
// (../shared/seed/DATA-DICTIONARY.md): a value out of range, a wrong type, a duration without
// a unit or with a unit of another dimension, an unknown fact name.
#include <rubric/rubric.h>
#include <rubric/rubric.hpp>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "engine/guideline.hpp"
#include "tests/unit/support.hpp"
#include "tools/fact_file.hpp"
#include "tools/ndjson_facts.hpp"

namespace rubric {
namespace {

// The declarations of the seed guideline's data dictionary live in the seed rule file; the
// string, code and mass facts the seed lacks are declared here.
const char* const kTypes =
    "guideline \"types\"\n"
    "source 1 \"s\"\n"
    "fact side: code {'left', 'right'}\n"
    "fact note: string\n"
    "fact dose: quantity 'mg' >= 0 'mg'\n"
    "fact dx: coding\n"
    "recommendation r kind refer text \"t\" cite 1\n"
    "  when side = 'left' and note = 'x' and dose > 5 'mg'\n";

enum class Rules { seed, types };

std::string rules_text(Rules rules) {
  return rules == Rules::seed ? testing::read_text(testing::kSeedRuleFile) : kTypes;
}

// The guideline compiled by the engine (for the fact-file and NDJSON readers), once.
const Guideline& engine_guideline(Rules rules) {
  static SourceManager sources;
  static std::map<Rules, std::shared_ptr<const Guideline>> compiled;
  std::shared_ptr<const Guideline>& guideline = compiled[rules];
  if (!guideline) {
    Diagnostics diagnostics;
    guideline =
        Guideline::compile(sources, sources.add("rules.rubric", rules_text(rules)), diagnostics);
    REQUIRE(guideline);
  }
  return *guideline;
}

// What an entry point made of one value.
struct Verdict {
  bool accepted = false;
  std::string value;  // as a fact file writes it ("10 weeks"); "<absent>"; "" when unknown
  std::string code;
  std::string message;
};

std::string text_of(const Value& value) {
  switch (value.kind()) {
    case ValueKind::null: return "<absent>";
    case ValueKind::boolean: return value.as_boolean() ? "true" : "false";
    case ValueKind::integer: return std::to_string(value.as_integer());
    case ValueKind::string: return std::string(value.as_string());
    case ValueKind::date_time: return value.as_date_time().to_iso();
    case ValueKind::decimal:
    case ValueKind::quantity: {
      std::string number = value.as_decimal().to_string();
      if (number.ends_with(".0")) {
        number.resize(number.size() - 2);
      }
      return value.kind() == ValueKind::decimal ? number : number + " " + value.unit().code;
    }
  }
  return "";
}

// The verdict of a reader that reports Diagnostics: exactly one error, or the value of `fact`.
Verdict from_reading(bool accepted, const FactSet* set, const Guideline& guideline,
                     std::string_view fact, const Diagnostics& diagnostics) {
  Verdict verdict;
  verdict.accepted = accepted;
  if (accepted) {
    CHECK(diagnostics.error_count() == 0);
    const std::optional<std::uint32_t> id = [&]() -> std::optional<std::uint32_t> {
      for (std::uint32_t index = 0; index < guideline.facts().size(); ++index) {
        if (guideline.facts()[index].name == fact) {
          return index;
        }
      }
      return std::nullopt;
    }();
    REQUIRE(id);
    verdict.value = text_of(set->get(FactId{*id}));
    return verdict;
  }
  REQUIRE(diagnostics.all().size() == 1);
  verdict.code = diagnostics.all().front().code;
  verdict.message = diagnostics.all().front().message;
  return verdict;
}

Verdict via_fact_file(Rules rules, const std::string& file_name, const std::string& text,
                      std::string_view fact) {
  const Guideline& guideline = engine_guideline(rules);
  SourceManager sources;
  const FileId file = sources.add(file_name, text);
  Diagnostics diagnostics;
  const std::optional<FactSet> set = read_fact_file(sources, file, guideline.facts(), diagnostics);
  return from_reading(set.has_value(), set ? &*set : nullptr, guideline, fact, diagnostics);
}

Verdict via_ndjson(Rules rules, const std::string& line, std::string_view fact) {
  const Guideline& guideline = engine_guideline(rules);
  NdjsonFactReader reader(guideline.facts());
  std::string buffer = line;
  buffer.append(kNdjsonPadding, '\0');
  FactSet set(guideline.facts().size());
  Diagnostics diagnostics;
  const bool accepted =
      reader.read(std::string_view(buffer.data(), line.size()), set, diagnostics, true);
  return from_reading(accepted, &set, guideline, fact, diagnostics);
}

const api::Guideline& api_guideline(Rules rules) {
  static std::map<Rules, api::Guideline> compiled;
  const auto found = compiled.find(rules);
  if (found != compiled.end()) {
    return found->second;
  }
  api::Compilation compilation = api::Guideline::compile(rules_text(rules), "rules.rubric");
  REQUIRE(compilation.guideline);
  return compiled.emplace(rules, *compilation.guideline).first->second;
}

Verdict via_api(Rules rules, std::string_view fact, const std::string& written, bool as_string) {
  const api::Guideline& guideline = api_guideline(rules);
  api::FactSet facts = guideline.new_fact_set();
  const api::Status status =
      as_string ? facts.set_string(fact, written) : facts.set_text(fact, written);
  Verdict verdict;
  verdict.accepted = status.ok();
  if (status.ok()) {
    const std::optional<api::FactId> id = guideline.fact(fact);
    REQUIRE(id);
    verdict.value = facts.text(*id).value_or("<absent>");
  } else {
    verdict.code = status.code();
    verdict.message = status.message();
  }
  return verdict;
}

// The C API has no way to read a value back: its verdict carries no value.
Verdict via_c_api(Rules rules, const std::string& fact, const std::string& text) {
  const std::string source = rules_text(rules);
  rubric_guideline* guideline = nullptr;
  REQUIRE(rubric_compile(source.data(), source.size(), "rules.rubric", &guideline, nullptr) ==
          RUBRIC_OK);
  rubric_facts* facts = nullptr;
  REQUIRE(rubric_facts_new(guideline, &facts) == RUBRIC_OK);
  Verdict verdict;
  verdict.accepted = rubric_facts_set(facts, fact.c_str(), text.c_str()) == RUBRIC_OK;
  if (!verdict.accepted) {
    verdict.code = rubric_last_error_code();
    verdict.message = rubric_last_error_message();
  }
  rubric_facts_free(facts);
  rubric_guideline_free(guideline);
  return verdict;
}

// One input, in the form each entry point takes; an absent form is not tried there (JSON has
// no `.nan`, a C string no NUL, set_string gives a string).
struct Row {
  Rules rules = Rules::seed;
  std::string fact;
  std::optional<std::string> yaml;    // the value as written after `fact: ` in a YAML file
  std::optional<std::string> json;    // as written in a JSON fact file and an NDJSON line
  std::optional<std::string> text;    // for set_text and rubric_facts_set
  std::optional<std::string> string;  // for set_string
  Verdict expected;
};

Verdict accepted(std::string value) {
  return Verdict{true, std::move(value), "", ""};
}

Verdict rejected(std::string code, std::string message) {
  return Verdict{false, "", std::move(code), std::move(message)};
}

void check_row(const Row& row) {
  const auto check = [&](const char* entry, const Verdict& got, bool has_value) {
    INFO("entry point: " << entry << "; fact: " << row.fact);
    CHECK(got.accepted == row.expected.accepted);
    if (has_value) {
      CHECK(got.value == row.expected.value);
    }
    CHECK(got.code == row.expected.code);
    CHECK(got.message == row.expected.message);
  };
  if (row.yaml) {
    check("YAML fact file",
          via_fact_file(row.rules, "facts.yaml", row.fact + ": " + *row.yaml + "\n", row.fact),
          true);
  }
  if (row.json) {
    const std::string object = "{\"" + row.fact + "\": " + *row.json + "}";
    check("JSON fact file", via_fact_file(row.rules, "facts.json", object, row.fact), true);
    check("NDJSON line", via_ndjson(row.rules, object, row.fact), true);
  }
  if (row.text) {
    check("C++ set_text", via_api(row.rules, row.fact, *row.text, false), true);
    check("C rubric_facts_set", via_c_api(row.rules, row.fact, *row.text), false);
  }
  if (row.string) {
    check("C++ set_string", via_api(row.rules, row.fact, *row.string, true), true);
  }
}

const std::string kGrade = "fact `fracture_grade` must be an integer from 0 to 3; found ";
const std::string kVas = "fact `pain_vas` must be a decimal from 0 to 10; found ";
const std::string kDeficit = "fact `neurologic_deficit` must be `true` or `false`; found ";
const std::string kTime =
    "fact `time_since_identification` must be a duration of at least 0 days, such as `10 "
    "weeks`; found ";
const std::string kAge =
    "fact `age` must be a duration of at least 0 days, such as `10 weeks`; found ";
const std::string kSide = "fact `side` must be one of 'left', 'right'; found ";
const std::string kNote = "fact `note` must be a string; found ";
const std::string kDx =
    "fact `dx` must be a coding written `SYSTEM|CODE`, such as `http://snomed.info/sct|44054006`; "
    "found ";
const std::string kDose =
    "fact `dose` must be a quantity in `mg` or a unit of the same dimension of at least 0 mg";

}  // namespace

TEST_CASE("every entry point gives a fact value the same verdict", "[fact_value_reader]") {
  const std::string exactly_64k(kMaxStringBytes, 'v');
  const std::string over_64k(kMaxStringBytes + 1, 'v');
  const std::string shown_long = std::string(60, 'v') + "...";
  const Rules seed = Rules::seed;
  const Rules types = Rules::types;
  const std::nullopt_t none = std::nullopt;

  const std::vector<Row> rows = {
      // Accepted values, of every type.
      {seed, "fracture_grade", "1", "1", "1", none, accepted("1")},
      {seed, "fracture_grade", "2.0", "2.0", "2.0", none, accepted("2")},
      {seed, "fracture_grade", "-0", "-0", "-0", none, accepted("0")},
      {seed, "pain_vas", "4", "4", "4", none, accepted("4")},
      {seed, "pain_vas", "6.5", "6.5", "6.5", none, accepted("6.5")},
      {seed, "pain_vas", "-0.0", "-0.0", "-0.0", none, accepted("0")},
      {seed, "pain_vas", "10", "10", "10", none, accepted("10")},
      {seed, "pain_vas", "~", "null", "", none, accepted("<absent>")},
      {seed, "neurologic_deficit", "false", "false", "false", none, accepted("false")},
      {seed, "time_since_identification", "10 weeks", "\"10 weeks\"", "10 weeks", "10 weeks",
       accepted("10 weeks")},
      {seed, "age", "72 a", "\"72 a\"", "72 a", "72 a", accepted("72 a")},
      {types, "side", "left", "\"left\"", "left", "left", accepted("left")},
      {types, "note", "\"" + exactly_64k + "\"", "\"" + exactly_64k + "\"", exactly_64k,
       exactly_64k, accepted(exactly_64k)},
      {types, "dose", "500 mg", "\"500 mg\"", "500 mg", "500 mg", accepted("500 mg")},
      {types, "dx", "\"http://snomed.info/sct|44054006\"", "\"http://snomed.info/sct|44054006\"",
       "http://snomed.info/sct|44054006", "http://snomed.info/sct|44054006",
       accepted("http://snomed.info/sct|44054006")},
      {types, "dx", "urn:oid:1.2.3|a|b", "\"urn:oid:1.2.3|a|b\"", "urn:oid:1.2.3|a|b",
       "urn:oid:1.2.3|a|b", accepted("urn:oid:1.2.3|a|b")},

      // Codings that are not `SYSTEM|CODE`.
      {types, "dx", "\"44054006\"", "\"44054006\"", none, "44054006",
       rejected("E0406", kDx + "`44054006`, which has no `|`")},
      {types, "dx", "44054006", "44054006", none, none, rejected("E0406", kDx + "`44054006`")},
      {types, "dx", "\"http://snomed.info/sct|\"", "\"http://snomed.info/sct|\"",
       "http://snomed.info/sct|", "http://snomed.info/sct|",
       rejected("E0406", kDx + "`http://snomed.info/sct|`, whose code is empty")},
      {types, "dx", "\"|44054006\"", "\"|44054006\"", "|44054006", "|44054006",
       rejected("E0406", kDx + "`|44054006`, whose system is empty")},
      {types, "dx", "snomed ct|1", "\"snomed ct|1\"", "snomed ct|1", "snomed ct|1",
       rejected("E0406", kDx + "`snomed ct|1`, whose system `snomed ct` is not an absolute URI")},

      // The data dictionary's rejections.
      {seed, "pain_vas", "12", "12", "12", none, rejected("E0409", kVas + "`12`")},
      {seed, "pain_vas", "-0.5", "-0.5", "-0.5", none, rejected("E0409", kVas + "`-0.5`")},
      {seed, "fracture_grade", "7", "7", "7", none, rejected("E0409", kGrade + "`7`")},
      {seed, "fracture_grade", "1.5", "1.5", "1.5", none,
       rejected("E0406", kGrade + "`1.5`, which is not a whole number")},
      {seed, "neurologic_deficit", "maybe", none, "maybe", none,
       rejected("E0406", kDeficit + "`maybe`")},
      {seed, "neurologic_deficit", "\"maybe\"", "\"maybe\"", none, "maybe",
       rejected("E0406", kDeficit + "`\"maybe\"`")},
      {seed, "time_since_identification", "10", "10", "10", "10",
       rejected("E0407",
                "fact `time_since_identification` is a duration and needs a unit, as in `10 "
                "weeks`; found `10`")},
      {seed, "time_since_identification", "5 mg", "\"5 mg\"", "5 mg", "5 mg",
       rejected("E0408", kTime + "`5 mg`, a quantity of mass")},
      {seed, "age", "-1 years", "\"-1 years\"", "-1 years", "-1 years",
       rejected("E0409", "fact `age` must be a duration of at least 0 days; found `-1 years`")},
      {seed, "neurologic_defict", "true", "true", "true", "true",
       rejected("E0404", "unknown fact `neurologic_defict`; did you mean `neurologic_deficit`?")},

      // A misspelt unit, and a number glued to its unit.
      {seed, "age", "70 yeers", "\"70 yeers\"", "70 yeers", "70 yeers",
       rejected("E0408", kAge + "`70 yeers`, and `yeers` is not a known unit; did you mean "
                                "`years`?")},
      {seed, "time_since_identification", "10weeks", "\"10weeks\"", "10weeks", "10weeks",
       rejected("E0406", kTime + "`10weeks`; put a space between the number and the unit")},
      {types, "dose", "5 days", "\"5 days\"", "5 days", "5 days",
       rejected("E0408", kDose + ", such as `5 mg`; found `5 days`, a duration")},
      {types, "dose", "-1 mg", "\"-1 mg\"", "-1 mg", "-1 mg",
       rejected("E0409", kDose + "; found `-1 mg`")},

      // NaN, infinity, exponents, huge and too precise numbers.
      {seed, "pain_vas", ".nan", none, ".nan", none, rejected("E0406", kVas + "`.nan`")},
      {seed, "pain_vas", "NaN", none, "NaN", none, rejected("E0406", kVas + "`NaN`")},
      {seed, "pain_vas", ".inf", none, ".inf", none, rejected("E0406", kVas + "`.inf`")},
      {seed, "pain_vas", "-.inf", none, "-.inf", none, rejected("E0406", kVas + "`-.inf`")},
      {seed, "pain_vas", "1e1", "1e1", "1e1", none,
       rejected("E0406", kVas + "`1e1`; write the number without an exponent")},
      {seed, "pain_vas", "1e400", "1e400", "1e400", none,
       rejected("E0406", kVas + "`1e400`; write the number without an exponent")},
      {seed, "pain_vas", "123456789012345678901234567890", "123456789012345678901234567890",
       "123456789012345678901234567890", none,
       rejected("E0409", kVas + "`123456789012345678901234567890`, which is too large")},
      {seed, "fracture_grade", "3000000000", "3000000000", "3000000000", none,
       rejected("E0409", kGrade + "`3000000000`, which is out of range")},
      {seed, "kyphosis_percent", "12.123456789", "12.123456789", "12.123456789", none,
       rejected("E0409",
                "fact `kyphosis_percent` must be a decimal from 0 to 100; found "
                "`12.123456789`, which has more than 8 digits after the point")},

      // Wrong kinds.
      {seed, "neurologic_deficit", "\"true\"", "\"true\"", none, "true",
       rejected("E0406", kDeficit + "`\"true\"`; write `true` or `false` without quotes")},
      {seed, "neurologic_deficit", "True", none, "True", none,
       rejected("E0406", kDeficit +
                             "`True`; write `true` (only `true` and `false`, in lowercase, are "
                             "booleans)")},
      {seed, "neurologic_deficit", "0", "0", "0", none, rejected("E0406", kDeficit + "`0`")},
      {seed, "pain_vas", "\"4\"", "\"4\"", none, "4",
       rejected("E0406", kVas + "`\"4\"`; write the number without quotes")},
      {seed, "pain_vas", "true", "true", "true", none, rejected("E0406", kVas + "`true`")},
      {types, "side", "1", "1", "1", none, rejected("E0406", kSide + "`1`")},
      {types, "note", "12", "12", "12", none, rejected("E0406", kNote + "`12`; put it in quotes")},
      {types, "note", "true", "true", "true", none,
       rejected("E0406", kNote + "`true`; put it in quotes")},

      // An unknown code, a string over the limit, a control character.
      {types, "side", "LEFT", "\"LEFT\"", "LEFT", "LEFT", rejected("E0409", kSide + "`LEFT`")},
      {types, "note", "\"" + over_64k + "\"", "\"" + over_64k + "\"", over_64k, over_64k,
       rejected("E0409", kNote + "`" + shown_long +
                             "`, which is too long (65537 bytes; the limit is 65536)")},
      {types, "note", "\"a\\x01b\"", "\"a\\u0001b\"",
       "a\x01"
       "b",
       "a\x01"
       "b",
       rejected("E0401",
                "invalid character U+0001 in the value of fact `note`; fact files are "
                "text")},
  };
  for (const Row& row : rows) {
    check_row(row);
  }
}

TEST_CASE("the fact-value reader reads a value without the syntax of any format",
          "[fact_value_reader]") {
  const Guideline& guideline = engine_guideline(Rules::types);
  const FactSpec& note = guideline.facts()[1];
  REQUIRE(note.name == "note");
  const std::string text(kMaxStringBytes, 'x');
  WrittenScalar scalar;
  scalar.kind = ScalarKind::string;
  scalar.text = text;
  scalar.quoted = true;
  const FactValueReading reading = read_fact_value(note, scalar);
  REQUIRE(reading.accepted());
  // A string value views the written text; the caller keeps it.
  CHECK(reading.value.as_string().data() == text.data());
  CHECK(classify_plain_scalar("0x1F") == ScalarKind::number);
  CHECK(classify_plain_scalar("~") == ScalarKind::null);
  CHECK(classify_plain_scalar("TRUE") == ScalarKind::boolean);
  CHECK(classify_plain_scalar("yes") == ScalarKind::string);
}

// Units a fact accepts (docs/language.md, `units` and `convert`): the expected values are
// worked by hand (25 mg/dL × 0.357 = 8.925 mmol/L).
TEST_CASE("a fact reads only the units it accepts, and converts what its rule file converts",
          "[fact_value_reader]") {
  SourceManager sources;
  Diagnostics diagnostics;
  const std::shared_ptr<const Guideline> guideline = Guideline::compile(
      sources,
      sources.add("units.rubric",
                  "guideline \"units\"\n"
                  "source 1 \"s\"\n"
                  "fact urea: quantity 'mmol/L'\n"
                  "  convert 'mg/dL' = 0.357 'mmol/L' cite 1\n"
                  "fact acr: quantity 'mg/g'\n"
                  "fact acr_or_percent: quantity 'mg/g' units 'mg/g', '%'\n"
                  "fact glucose: quantity 'mmol/L' units 'mmol/L'\n"
                  "fact rate: quantity '/min'\n"
                  "fact bun_capped: quantity 'mmol/L' <= 10 'mmol/L'\n"
                  "  convert 'mg/dL' = 0.357 'mmol/L' cite \"urea 60.06 g/mol\"\n"
                  "recommendation r kind refer text \"t\" cite 1\n"
                  "  when urea > 7 'mmol/L' or acr > 30 'mg/g' or acr_or_percent > 3 'mg/g'\n"
                  "    or glucose > 7 'mmol/L' or rate > 20 '/min' or bun_capped > 7 'mmol/L'\n"),
      diagnostics);
  INFO(format_diagnostics(sources, diagnostics));
  REQUIRE(guideline);
  const auto read = [&](std::string_view name, std::string_view text) {
    const std::optional<FactId> id = guideline->find_fact(name);
    REQUIRE(id);
    WrittenScalar scalar;
    scalar.kind = classify_plain_scalar(text);
    scalar.text = text;
    return read_fact_value(guideline->facts()[id->value], scalar);
  };
  const auto quantity = [](std::string_view amount, std::string_view unit) {
    return Value::quantity(*Decimal::parse(amount), *find_unit(unit));
  };
  const auto same = [](const Value& a, const Value& b) {
    return a.kind() == ValueKind::quantity && b.kind() == ValueKind::quantity &&
           a.as_decimal() == b.as_decimal() && &a.unit() == &b.unit();
  };

  // A declared conversion: either unit is accepted; mg/dL is read in mmol/L, exactly.
  FactValueReading reading = read("urea", "25 mg/dL");
  REQUIRE(reading.accepted());
  CHECK(same(reading.value, quantity("8.925", "mmol/L")));
  reading = read("urea", "19.6 mg/dL");  // 19.6 × 0.357 = 6.9972
  REQUIRE(reading.accepted());
  CHECK(same(reading.value, quantity("6.9972", "mmol/L")));
  reading = read("urea", "8 mg/dl");  // another spelling of mg/dL: 2.856 mmol/L
  REQUIRE(reading.accepted());
  CHECK(same(reading.value, quantity("2.856", "mmol/L")));
  reading = read("urea", "7.5 mmol/L");
  REQUIRE(reading.accepted());
  CHECK(same(reading.value, quantity("7.5", "mmol/L")));
  reading = read("urea", "7500 umol/L");  // a dimensioned fact takes any unit of its dimension
  REQUIRE(reading.accepted());
  CHECK(same(reading.value, quantity("7500", "umol/L")));
  reading = read("urea", "1 g/L");  // g/L is of mg/dL's dimension but not converted
  CHECK(reading.problem == DiagnosticKind::wrong_unit);
  CHECK(reading.message ==
        "fact `urea` must be a quantity in `mmol/L` or a unit of the same dimension, or in "
        "`mg/dL`, such as `5 mmol/L`; found `1 g/L`, a quantity of g/m3");
  // The limit applies to the converted value: 30 mg/dL is 10.71 mmol/L, above 10 mmol/L.
  CHECK(read("bun_capped", "28 mg/dL").accepted());  // 9.996 mmol/L
  CHECK(read("bun_capped", "30 mg/dL").problem == DiagnosticKind::fact_out_of_range);

  // A dimensionless fact takes its declared unit only, unless `units` lists more.
  CHECK(same(read("acr", "30 mg/g").value, quantity("30", "mg/g")));
  reading = read("acr", "3 %");
  CHECK(reading.problem == DiagnosticKind::wrong_unit);
  CHECK(reading.message ==
        "fact `acr` must be a quantity in `mg/g`, such as `5 mg/g`; found "
        "`3 %`, a unit this fact does not accept");
  CHECK(read("acr", "0.03 1").problem == DiagnosticKind::wrong_unit);
  CHECK(same(read("acr_or_percent", "3 %").value, quantity("3", "%")));
  CHECK(same(read("acr_or_percent", "30 mg/g").value, quantity("30", "mg/g")));
  CHECK(read("acr_or_percent", "30 g/kg").problem == DiagnosticKind::wrong_unit);

  // `units` restricts a fact with a dimension too.
  CHECK(read("glucose", "5.5 mmol/L").accepted());
  reading = read("glucose", "5500 umol/L");
  CHECK(reading.problem == DiagnosticKind::wrong_unit);
  CHECK(reading.message ==
        "fact `glucose` must be a quantity in `mmol/L`, such as `5 mmol/L`; "
        "found `5500 umol/L`, a unit this fact does not accept");

  // E0407 shows the declared unit.
  reading = read("urea", "25");
  CHECK(reading.problem == DiagnosticKind::missing_unit);
  CHECK(reading.message ==
        "fact `urea` is a quantity of mol/m3 and needs a unit, as in "
        "`5 mmol/L`; found `25`");
  reading = read("rate", "12");
  CHECK(reading.problem == DiagnosticKind::missing_unit);
  CHECK(reading.message ==
        "fact `rate` is a quantity of 1/s and needs a unit, as in `5 /min`; "
        "found `12`");
  // E0408 suggests the unit meant.
  reading = read("urea", "7 MMOL/L");
  CHECK(reading.problem == DiagnosticKind::wrong_unit);
  CHECK(
      reading.message.ends_with("found `7 MMOL/L`, and `MMOL/L` is not a known unit; did you "
                                "mean `mmol/L`?"));
}

}  // namespace rubric

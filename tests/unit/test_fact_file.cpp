// Fact files (tools/fact_file.hpp) and fact sets (values/fact_set.hpp): every rule of the
// data dictionary's fact table, in YAML and JSON, and hostile inputs.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/fact_file.hpp"
#include "values/fact_set.hpp"
#include "values/units.hpp"

namespace rubric {
namespace {

using Catch::Matchers::Contains;

Decimal number(std::string_view text) {
  return *Decimal::parse(text);
}

Value duration(std::string_view amount, std::string_view unit) {
  return Value::quantity(number(amount), *find_unit(unit));
}

FactSpec boolean_fact(std::string name) {
  FactSpec fact;
  fact.name = std::move(name);
  fact.type = Type::of(TypeKind::boolean);
  return fact;
}

FactSpec integer_fact(std::string name, std::int32_t minimum, std::int32_t maximum) {
  FactSpec fact;
  fact.name = std::move(name);
  fact.type = Type::of(TypeKind::integer);
  fact.minimum = Value::integer(minimum);
  fact.maximum = Value::integer(maximum);
  return fact;
}

FactSpec decimal_fact(std::string name, std::string_view minimum, std::string_view maximum) {
  FactSpec fact;
  fact.name = std::move(name);
  fact.type = Type::of(TypeKind::decimal);
  fact.minimum = Value::decimal(number(minimum));
  fact.maximum = Value::decimal(number(maximum));
  return fact;
}

FactSpec duration_fact(std::string name) {
  FactSpec fact;
  fact.name = std::move(name);
  fact.type = Type::quantity(Dimension::time());
  fact.minimum = duration("0", "days");
  return fact;
}

// The seed data dictionary's fact table (shared/seed/DATA-DICTIONARY.md), in its order.
std::vector<FactSpec> dictionary() {
  std::vector<FactSpec> facts;
  facts.push_back(integer_fact("fracture_grade", 0, 3));
  for (const char* name : {"neurologic_deficit", "progressive_neurologic_deterioration",
                           "spinal_instability", "cord_compression"}) {
    facts.push_back(boolean_fact(name));
  }
  facts.push_back(duration_fact("time_since_identification"));
  facts.push_back(decimal_fact("pain_vas", "0", "10"));
  facts.push_back(boolean_fact("pain_refractory"));
  facts.push_back(decimal_fact("kyphosis_percent", "0", "100"));
  facts.push_back(decimal_fact("height_loss_percent", "0", "100"));
  for (const char* name :
       {"pulmonary_dysfunction", "analgesic_contraindication", "parenteral_narcotics_required",
        "symptoms_changed", "symptoms_persisting"}) {
    facts.push_back(boolean_fact(name));
  }
  facts.push_back(duration_fact("age"));
  for (const char* name : {"severe_initial_pain", "mri_t2_fluid_pattern", "severe_collapse"}) {
    facts.push_back(boolean_fact(name));
  }
  return facts;
}

// The dictionary plus facts of the types the seed does not use.
std::vector<FactSpec> extended() {
  std::vector<FactSpec> facts = dictionary();
  FactSpec note;
  note.name = "note";
  note.type = Type::of(TypeKind::string);
  facts.push_back(note);
  FactSpec side;
  side.name = "side";
  side.type = Type::of(TypeKind::code);
  side.codes = {"left", "right"};
  facts.push_back(side);
  FactSpec dose;
  dose.name = "dose";
  dose.type = Type::quantity(Dimension::mass());
  facts.push_back(dose);
  FactSpec fraction;
  fraction.name = "fraction";
  fraction.type = Type::of(TypeKind::decimal);
  fraction.minimum = Value::decimal(number("0"));
  fraction.minimum_inclusive = false;
  fraction.maximum = Value::decimal(number("1"));
  fraction.maximum_inclusive = false;
  facts.push_back(fraction);
  facts.push_back(integer_fact("count", -5, 5));
  facts.back().minimum.reset();
  facts.back().maximum.reset();
  return facts;
}

const std::vector<FactSpec>& facts() {
  static const std::vector<FactSpec> table = extended();
  return table;
}

FactId id_of(std::string_view name) {
  for (std::size_t index = 0; index < facts().size(); ++index) {
    if (facts()[index].name == name) {
      return FactId{static_cast<std::uint32_t>(index)};
    }
  }
  FAIL("no fact " << name);
  return FactId{};
}

// One reading of one fact file.
struct Reading {
  SourceManager sources;
  Diagnostics diagnostics;
  FileId file;
  std::optional<FactSet> facts;

  [[nodiscard]] const Value& get(std::string_view name) const { return facts->get(id_of(name)); }
  [[nodiscard]] std::string messages() const {
    std::string text;
    for (const Diagnostic& diagnostic : diagnostics.all()) {
      text += std::string(diagnostic.code) + ": " + diagnostic.message + "\n";
    }
    return text;
  }
  // The only diagnostic (fails the test when there is not exactly one).
  [[nodiscard]] const Diagnostic& only() const {
    INFO(messages());
    REQUIRE(diagnostics.all().size() == 1);
    return diagnostics.all().front();
  }
  [[nodiscard]] std::string_view text_at(const Diagnostic& diagnostic) const {
    return sources.text(diagnostic.range);
  }
};

std::unique_ptr<Reading> read(std::string name, std::string text) {
  auto reading = std::make_unique<Reading>();
  reading->file = reading->sources.add(std::move(name), std::move(text));
  reading->facts = read_fact_file(reading->sources, reading->file, facts(), reading->diagnostics);
  REQUIRE(reading->facts.has_value() == !reading->diagnostics.has_errors());
  return reading;
}

std::unique_ptr<Reading> yaml(std::string text) {
  return read("facts.yaml", std::move(text));
}
std::unique_ptr<Reading> json(std::string text) {
  return read("facts.json", std::move(text));
}

// Reads `fact: value` as YAML and expects one error.
std::unique_ptr<Reading> yaml_error(const std::string& fact, const std::string& value) {
  auto reading = yaml(fact + ": " + value + "\n");
  INFO(fact << ": " << value << "\n" << reading->messages());
  CHECK(!reading->facts);
  CHECK(reading->diagnostics.all().size() == 1);
  return reading;
}

// Reads {"fact": value} as JSON and expects one error.
std::unique_ptr<Reading> json_error(const std::string& fact, const std::string& value) {
  auto reading = json("{\"" + fact + "\": " + value + "}");
  INFO(fact << ": " << value << "\n" << reading->messages());
  CHECK(!reading->facts);
  CHECK(reading->diagnostics.all().size() == 1);
  return reading;
}

const char* const kSeedCaseFacts = R"(neurologic_deficit: false
progressive_neurologic_deterioration: false
spinal_instability: false
cord_compression: false
pain_refractory: false
pulmonary_dysfunction: false
analgesic_contraindication: false
parenteral_narcotics_required: false
symptoms_changed: false
symptoms_persisting: true
severe_initial_pain: false
mri_t2_fluid_pattern: false
severe_collapse: false
fracture_grade: 1
pain_vas: 5
kyphosis_percent: 5
height_loss_percent: 10.5
time_since_identification: 4 months
age: 72 years
)";

}  // namespace

// ---------------------------------------------------------------------------------------
// Valid files

TEST_CASE("fact file: a full YAML fact file reads every type", "[fact_file]") {
  const auto reading = yaml(kSeedCaseFacts);
  INFO(reading->messages());
  REQUIRE(reading->facts);
  CHECK(reading->diagnostics.empty());
  CHECK(reading->facts->size() == facts().size());
  CHECK(reading->get("neurologic_deficit").kind() == ValueKind::boolean);
  CHECK_FALSE(reading->get("neurologic_deficit").as_boolean());
  CHECK(reading->get("symptoms_persisting").as_boolean());
  CHECK(reading->get("fracture_grade").kind() == ValueKind::integer);
  CHECK(reading->get("fracture_grade").as_integer() == 1);
  CHECK(reading->get("pain_vas").kind() == ValueKind::decimal);
  CHECK(reading->get("pain_vas").as_decimal() == number("5"));
  CHECK(reading->get("height_loss_percent").as_decimal() == number("10.5"));
  const Value& time = reading->get("time_since_identification");
  REQUIRE(time.kind() == ValueKind::quantity);
  CHECK(time.as_decimal() == number("4"));
  CHECK(time.unit().code == "months");
  CHECK(reading->get("age").unit().code == "years");
  // Facts not given are absent.
  CHECK(reading->get("note").is_null());
  CHECK(reading->get("dose").is_null());
}

TEST_CASE("fact file: a full JSON fact file reads every type", "[fact_file]") {
  const auto reading = json(R"({
    "neurologic_deficit": false, "cord_compression": true,
    "fracture_grade": 1, "pain_vas": 6.5, "kyphosis_percent": 5,
    "time_since_identification": "10 weeks", "age": "72 years",
    "note": "seen in clinic", "side": "left", "dose": "500 mg", "count": -3
  })");
  INFO(reading->messages());
  REQUIRE(reading->facts);
  CHECK_FALSE(reading->get("neurologic_deficit").as_boolean());
  CHECK(reading->get("cord_compression").as_boolean());
  CHECK(reading->get("fracture_grade").as_integer() == 1);
  CHECK(reading->get("pain_vas").as_decimal() == number("6.5"));
  CHECK(reading->get("kyphosis_percent").as_decimal() == number("5"));
  CHECK(reading->get("time_since_identification").unit().code == "weeks");
  CHECK(reading->get("age").as_decimal() == number("72"));
  CHECK(reading->get("note").as_string() == "seen in clinic");
  CHECK(reading->get("side").as_string() == "left");
  CHECK(reading->get("dose").unit().code == "mg");
  CHECK(reading->get("count").as_integer() == -3);
  CHECK(reading->get("spinal_instability").is_null());
}

TEST_CASE("fact file: null, ~ and an empty value mean absent", "[fact_file]") {
  SECTION("yaml") {
    const auto reading =
        yaml("pain_vas: null\nage: ~\nneurologic_deficit:\nfracture_grade: Null\nnote: NULL\n");
    INFO(reading->messages());
    REQUIRE(reading->facts);
    for (const char* name : {"pain_vas", "age", "neurologic_deficit", "fracture_grade", "note"}) {
      CHECK(reading->get(name).is_null());
    }
  }
  SECTION("json") {
    const auto reading = json(R"({"pain_vas": null, "age": null, "side": null})");
    REQUIRE(reading->facts);
    CHECK(reading->get("pain_vas").is_null());
    CHECK(reading->get("age").is_null());
    CHECK(reading->get("side").is_null());
  }
  SECTION("a quoted null is a string, not absent") {
    const auto reading = yaml_error("pain_vas", "'null'");
    CHECK(reading->only().code == "E0406");
  }
}

TEST_CASE("fact file: empty files and empty mappings are empty fact sets", "[fact_file]") {
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"facts.yaml", ""},
           {"facts.yaml", "  \n\n"},
           {"facts.yaml", "# no facts yet\n"},
           {"facts.yaml", "{}"},
           {"facts.yaml", "---\n"},
           {"facts.yaml", "~\n"},
           {"facts.json", ""},
           {"facts.json", "{}"},
           {"facts.json", " { }\n"},
           {"facts", "{}"},
       }) {
    const auto reading = read(name, text);
    INFO(name << ": [" << text << "]\n" << reading->messages());
    REQUIRE(reading->facts);
    CHECK(reading->diagnostics.empty());
    CHECK(reading->facts->size() == facts().size());
    for (std::size_t index = 0; index < facts().size(); ++index) {
      CHECK(reading->facts->get(FactId{static_cast<std::uint32_t>(index)}).is_null());
    }
  }
}

TEST_CASE("fact file: JSON is recognised by name or by a leading brace", "[fact_file]") {
  SECTION("a leading brace in a file of another name is JSON") {
    const auto reading = read("patient.txt", "  {\"pain_vas\": 4}");
    REQUIRE(reading->facts);
    CHECK(reading->get("pain_vas").as_decimal() == number("4"));
  }
  SECTION("a .yaml file with a YAML flow mapping stays YAML") {
    const auto reading = read("patient.yaml", "{pain_vas: 4, age: 70 years}");
    INFO(reading->messages());
    REQUIRE(reading->facts);
    CHECK(reading->get("age").as_decimal() == number("70"));
  }
  SECTION("a .json file is JSON, whatever it starts with") {
    const auto reading = read("patient.JSON", "pain_vas: 4");
    REQUIRE_FALSE(reading->facts);
    CHECK(reading->only().code == "E0401");
    CHECK_THAT(reading->only().message, Contains("invalid JSON"));
  }
}

// ---------------------------------------------------------------------------------------
// Booleans

TEST_CASE("fact file: booleans accept only true and false", "[fact_file]") {
  const auto yes = yaml("neurologic_deficit: true\n");
  REQUIRE(yes->facts);
  CHECK(yes->get("neurologic_deficit").as_boolean());
  const auto no = yaml("neurologic_deficit: false\n");
  REQUIRE(no->facts);
  CHECK_FALSE(no->get("neurologic_deficit").as_boolean());
  const auto reading = json(R"({"neurologic_deficit": true, "cord_compression": false})");
  REQUIRE(reading->facts);
  CHECK(reading->get("neurologic_deficit").as_boolean());
  CHECK_FALSE(reading->get("cord_compression").as_boolean());
}

TEST_CASE("fact file: booleans reject words, numbers and quoted booleans", "[fact_file]") {
  SECTION("maybe") {
    const auto reading = yaml_error("neurologic_deficit", "maybe");
    CHECK(reading->only().code == "E0406");
    CHECK(reading->only().message ==
          "fact `neurologic_deficit` must be `true` or `false`; found `maybe`");
    CHECK(reading->text_at(reading->only()) == "maybe");
  }
  SECTION("yes, no, on, off, y, n (YAML 1.1 booleans) are words") {
    for (const char* text : {"yes", "no", "on", "off", "y", "n", "Yes", "tRUE"}) {
      const auto reading = yaml_error("cord_compression", text);
      CHECK(reading->only().code == "E0406");
      CHECK(reading->text_at(reading->only()) == text);
    }
  }
  SECTION("numbers") {
    for (const char* text : {"0", "1", "1.0"}) {
      CHECK(yaml_error("cord_compression", text)->only().code == "E0406");
      CHECK(json_error("cord_compression", text)->only().code == "E0406");
    }
    CHECK(yaml_error("neurologic_deficit", "1")->only().message ==
          "fact `neurologic_deficit` must be `true` or `false`; found `1`");
  }
  SECTION("quoted booleans are strings") {
    const auto reading = json_error("neurologic_deficit", "\"true\"");
    CHECK(reading->only().code == "E0406");
    CHECK(reading->only().message ==
          "fact `neurologic_deficit` must be `true` or `false`; found `\"true\"`; write `true` "
          "or `false` without quotes");
    CHECK(reading->text_at(reading->only()) == "\"true\"");
    CHECK(yaml_error("neurologic_deficit", "'false'")->only().code == "E0406");
    CHECK(yaml_error("neurologic_deficit", "!!str true")->only().code == "E0406");
  }
}

// ---------------------------------------------------------------------------------------
// Integers

TEST_CASE("fact file: integers accept 1 and 1.0", "[fact_file]") {
  for (const char* text : {"1", "1.0", "1.000", "+1", "01"}) {
    const auto reading = yaml(std::string("fracture_grade: ") + text + "\n");
    INFO(text << "\n" << reading->messages());
    REQUIRE(reading->facts);
    CHECK(reading->get("fracture_grade").kind() == ValueKind::integer);
    CHECK(reading->get("fracture_grade").as_integer() == 1);
  }
  const auto reading = json(R"({"fracture_grade": 3.0, "count": -0})");
  REQUIRE(reading->facts);
  CHECK(reading->get("fracture_grade").as_integer() == 3);
  CHECK(reading->get("count").as_integer() == 0);
}

TEST_CASE("fact file: integers reject fractions, words and strings", "[fact_file]") {
  SECTION("1.5 is not an integer") {
    const auto reading = yaml_error("fracture_grade", "1.5");
    CHECK(reading->only().code == "E0406");
    CHECK(reading->only().message ==
          "fact `fracture_grade` must be an integer from 0 to 3; found `1.5`, which is not a "
          "whole number");
    CHECK(reading->text_at(reading->only()) == "1.5");
    CHECK(json_error("fracture_grade", "1.5")->only().code == "E0406");
    CHECK(json_error("fracture_grade", "1.000000001")->only().code == "E0406");
  }
  SECTION("a word") {
    const auto reading = yaml_error("fracture_grade", "one");
    CHECK(reading->only().code == "E0406");
    CHECK(reading->only().message ==
          "fact `fracture_grade` must be an integer from 0 to 3; found `one`");
  }
  SECTION("a quoted number is a string") {
    const auto reading = json_error("fracture_grade", "\"1\"");
    CHECK(reading->only().code == "E0406");
    CHECK(reading->only().message ==
          "fact `fracture_grade` must be an integer from 0 to 3; found `\"1\"`; write the number "
          "without quotes");
    CHECK(yaml_error("fracture_grade", "\"1\"")->only().code == "E0406");
  }
  SECTION("a boolean") {
    CHECK(yaml_error("fracture_grade", "true")->only().code == "E0406");
    CHECK(json_error("fracture_grade", "false")->only().code == "E0406");
  }
}

TEST_CASE("fact file: integers outside their range or int32 are rejected", "[fact_file]") {
  SECTION("4 and -1") {
    const auto four = yaml_error("fracture_grade", "4");
    CHECK(four->only().code == "E0409");
    CHECK(four->only().message ==
          "fact `fracture_grade` must be an integer from 0 to 3; found `4`");
    CHECK(four->text_at(four->only()) == "4");
    CHECK(yaml_error("fracture_grade", "-1")->only().code == "E0409");
    CHECK(json_error("fracture_grade", "-1")->only().code == "E0409");
  }
  SECTION("beyond 32 bits") {
    const auto reading = yaml_error("count", "3000000000");
    CHECK(reading->only().code == "E0409");
    CHECK(reading->only().message ==
          "fact `count` must be an integer; found `3000000000`, which is out of range");
    CHECK(json_error("count", "-2147483649")->only().code == "E0409");
    CHECK(json_error("count", "18446744073709551615")->only().code == "E0409");
    const auto smallest = json(R"({"count": -2147483648})");
    REQUIRE(smallest->facts);
    CHECK(smallest->get("count").as_integer() == -2147483647 - 1);
  }
}

// ---------------------------------------------------------------------------------------
// Decimals

TEST_CASE("fact file: decimals accept integers and decimals exactly", "[fact_file]") {
  const auto reading =
      yaml("pain_vas: 4\nkyphosis_percent: 4.0\nheight_loss_percent: 33.33333333\nfraction: .5\n");
  INFO(reading->messages());
  REQUIRE(reading->facts);
  CHECK(reading->get("pain_vas").kind() == ValueKind::decimal);
  CHECK(reading->get("pain_vas").as_decimal() == reading->get("kyphosis_percent").as_decimal());
  CHECK(reading->get("height_loss_percent").as_decimal() == number("33.33333333"));
  CHECK(reading->get("fraction").as_decimal() == number("0.5"));
  // Trailing zeros beyond 8 digits change nothing.
  const auto zeros = json(R"({"pain_vas": 3.5000000000000, "kyphosis_percent": 0.1})");
  REQUIRE(zeros->facts);
  CHECK(zeros->get("pain_vas").as_decimal() == number("3.5"));
  CHECK(zeros->get("kyphosis_percent").as_decimal() == number("0.1"));  // exact, not binary
}

TEST_CASE("fact file: decimals outside their range are rejected", "[fact_file]") {
  SECTION("pain_vas: 12") {
    const auto reading = yaml_error("pain_vas", "12");
    CHECK(reading->only().code == "E0409");
    CHECK(reading->only().message == "fact `pain_vas` must be a decimal from 0 to 10; found `12`");
    CHECK(reading->text_at(reading->only()) == "12");
    const auto from_json = json_error("pain_vas", "12");
    CHECK(from_json->only().message == reading->only().message);
    CHECK(from_json->text_at(from_json->only()) == "12");
  }
  SECTION("just outside") {
    CHECK(yaml_error("pain_vas", "10.1")->only().code == "E0409");
    CHECK(yaml_error("pain_vas", "-1")->only().code == "E0409");
    CHECK(yaml_error("height_loss_percent", "-0.1")->only().code == "E0409");
    CHECK(yaml_error("height_loss_percent", "100.5")->only().code == "E0409");
    CHECK(json_error("kyphosis_percent", "101")->only().code == "E0409");
    CHECK(json_error("pain_vas", "10.00000001")->only().code == "E0409");
  }
  SECTION("the limits themselves are allowed") {
    const auto reading = yaml("pain_vas: 10\nkyphosis_percent: 0\nheight_loss_percent: 100.0\n");
    CHECK(reading->facts);
  }
  SECTION("exclusive limits") {
    const auto zero = yaml_error("fraction", "0");
    CHECK(zero->only().code == "E0409");
    CHECK(zero->only().message ==
          "fact `fraction` must be a decimal above 0 and below 1; found `0`");
    CHECK(yaml_error("fraction", "1")->only().code == "E0409");
    CHECK(yaml("fraction: 0.99999999\n")->facts);
  }
}

TEST_CASE("fact file: decimals reject NaN, infinities, exponents and words", "[fact_file]") {
  for (const char* text : {".nan", ".NaN", ".inf", "-.inf", "+.Inf", "0x0A", "0o12"}) {
    const auto reading = yaml_error("pain_vas", text);
    CHECK(reading->only().code == "E0406");
    CHECK(reading->text_at(reading->only()) == text);
  }
  SECTION("an exponent") {
    const auto reading = yaml_error("pain_vas", "1e1");
    CHECK(reading->only().message ==
          "fact `pain_vas` must be a decimal from 0 to 10; found `1e1`; write the number "
          "without an exponent");
    CHECK(json_error("pain_vas", "5E-1")->only().code == "E0406");
  }
  SECTION("words, booleans, strings") {
    CHECK(yaml_error("pain_vas", "high")->only().message ==
          "fact `pain_vas` must be a decimal from 0 to 10; found `high`");
    CHECK(yaml_error("kyphosis_percent", "severe")->only().code == "E0406");
    CHECK(yaml_error("pain_vas", "true")->only().code == "E0406");
    CHECK(json_error("pain_vas", "\"4\"")->only().code == "E0406");
    CHECK(yaml_error("pain_vas", "4 points")->only().code == "E0406");
  }
  SECTION("NaN and Infinity are not JSON") {
    for (const char* text : {"NaN", "Infinity", "-Infinity", ".inf"}) {
      const auto reading = json_error("pain_vas", text);
      CHECK(reading->only().code == "E0401");
    }
  }
  SECTION("more than 8 digits after the point") {
    const auto reading = yaml_error("pain_vas", "3.123456789");
    CHECK(reading->only().code == "E0409");
    CHECK_THAT(reading->only().message, Contains("more than 8 digits after the point"));
  }
}

TEST_CASE("fact file: a 400-digit number is rejected, not overflowed", "[fact_file]") {
  const std::string huge(400, '9');
  SECTION("yaml decimal") {
    const auto reading = yaml_error("pain_vas", huge);
    CHECK(reading->only().code == "E0409");
    CHECK_THAT(reading->only().message, Contains("which is too large"));
    CHECK(reading->text_at(reading->only()) == huge);
    CHECK(reading->only().message.size() < 200);  // the number is shortened
  }
  SECTION("yaml integer, fraction and negative") {
    CHECK(yaml_error("fracture_grade", huge)->only().code == "E0409");
    CHECK(yaml_error("pain_vas", "-" + huge + ".5")->only().code == "E0409");
    CHECK(yaml_error("pain_vas", "0." + huge)->only().code == "E0409");
    CHECK(yaml_error("neurologic_deficit", huge)->only().code == "E0406");
  }
  SECTION("leading zeros are not digits") {
    const auto reading = yaml("pain_vas: " + std::string(400, '0') + "7\n");
    REQUIRE(reading->facts);
    CHECK(reading->get("pain_vas").as_decimal() == number("7"));
  }
  SECTION("json, beyond a double's range") {
    const auto reading = json_error("pain_vas", huge);
    CHECK(reading->only().code == "E0409");
    CHECK_THAT(reading->only().message, Contains("which is too large"));
    CHECK(reading->text_at(reading->only()) == huge);
  }
  SECTION("json, within a double's range") {
    const auto reading = json_error("kyphosis_percent", std::string(100, '1'));
    CHECK(reading->only().code == "E0409");
    CHECK(json_error("pain_vas", "1e400")->only().code == "E0406");
  }
  SECTION("a duration") {
    const auto reading = yaml_error("age", huge + " years");
    CHECK(reading->only().code == "E0409");
  }
}

// ---------------------------------------------------------------------------------------
// Durations and other quantities

TEST_CASE("fact file: durations accept a number and a time unit", "[fact_file]") {
  const std::vector<std::pair<std::string, Value>> accepted = {
      {"10 weeks", duration("10", "weeks")},   {"45 days", duration("45", "days")},
      {"1 year", duration("1", "years")},      {"10 wk", duration("10", "wk")},
      {"2 mo", duration("2", "mo")},           {"72 a", duration("72", "a")},
      {"5 'wk'", duration("5", "wk")},         {"3   months", duration("3", "months")},
      {"0 days", duration("0", "days")},       {"2.5 weeks", duration("2.5", "weeks")},
      {"1 month", duration("1", "months")},    {"36 hours", duration("36", "h")},
      {"'10 weeks'", duration("10", "weeks")}, {"\"2 d\"", duration("2", "d")},
  };
  for (const auto& [text, expected] : accepted) {
    const auto reading = yaml("time_since_identification: " + text + "\n");
    INFO(text << "\n" << reading->messages());
    REQUIRE(reading->facts);
    const Value& value = reading->get("time_since_identification");
    REQUIRE(value.kind() == ValueKind::quantity);
    CHECK(value.as_decimal() == expected.as_decimal());
    CHECK(compare_quantities(value.as_decimal(), value.unit(), expected.as_decimal(),
                             expected.unit()) == std::strong_ordering::equal);
  }
  const auto reading = json(R"({"age": "72 years", "time_since_identification": "13 weeks"})");
  REQUIRE(reading->facts);
  CHECK(reading->get("age").as_decimal() == number("72"));
  // 13 weeks is 91 days.
  const Value& weeks = reading->get("time_since_identification");
  CHECK(compare_quantities(weeks.as_decimal(), weeks.unit(), number("91"), *find_unit("d")) ==
        std::strong_ordering::equal);
}

TEST_CASE("fact file: a duration without a unit is rejected", "[fact_file]") {
  SECTION("yaml 10") {
    const auto reading = yaml_error("time_since_identification", "10");
    CHECK(reading->only().code == "E0407");
    CHECK(reading->only().message ==
          "fact `time_since_identification` is a duration and needs a unit, as in `10 weeks`; "
          "found `10`");
    CHECK(reading->text_at(reading->only()) == "10");
  }
  SECTION("others") {
    CHECK(yaml_error("time_since_identification", "4.5")->only().code == "E0407");
    CHECK(yaml_error("age", "72")->only().code == "E0407");
    CHECK(json_error("age", "72")->only().code == "E0407");
    CHECK(json_error("age", "\"72\"")->only().code == "E0407");
    CHECK(yaml_error("age", "'72'")->only().code == "E0407");
  }
  SECTION("a mass needs a unit too") {
    CHECK(yaml_error("dose", "500")->only().message ==
          "fact `dose` is a quantity of mass and needs a unit, as in `5 mg`; found `500`");
  }
}

TEST_CASE("fact file: a duration with a unit of another dimension is rejected", "[fact_file]") {
  const auto reading = yaml_error("time_since_identification", "5 mg");
  CHECK(reading->only().code == "E0408");
  CHECK(reading->only().message ==
        "fact `time_since_identification` must be a duration of at least 0 days, such as `10 "
        "weeks`; found `5 mg`, a quantity of mass");
  CHECK(reading->text_at(reading->only()) == "5 mg");
  CHECK(yaml_error("age", "72 kg")->only().code == "E0408");
  CHECK(json_error("age", "\"72 cm\"")->only().code == "E0408");
  CHECK(yaml_error("dose", "5 days")->only().message ==
        "fact `dose` must be a quantity of mass, such as `5 mg`; found `5 days`, a duration");
}

TEST_CASE("fact file: a duration with an unknown unit suggests one", "[fact_file]") {
  const auto reading = yaml_error("age", "72 yrs");
  CHECK(reading->only().code == "E0408");
  CHECK(reading->only().message ==
        "fact `age` must be a duration of at least 0 days, such as `10 weeks`; found `72 yrs`, "
        "and `yrs` is not a known unit; did you mean `years`?");
  CHECK(yaml_error("age", "72 zorks")->only().code == "E0408");
}

TEST_CASE("fact file: malformed and negative durations are rejected", "[fact_file]") {
  SECTION("negative") {
    const auto reading = yaml_error("time_since_identification", "-2 weeks");
    CHECK(reading->only().code == "E0409");
    CHECK(reading->only().message ==
          "fact `time_since_identification` must be a duration of at least 0 days; found `-2 "
          "weeks`");
    CHECK(yaml_error("age", "-1 years")->only().code == "E0409");
    CHECK(yaml_error("age", "-0.00000001 d")->only().code == "E0409");
    CHECK(yaml("age: -0 years\n")->facts);
  }
  SECTION("no space") {
    const auto reading = yaml_error("time_since_identification", "10weeks");
    CHECK(reading->only().code == "E0406");
    CHECK_THAT(reading->only().message, Contains("put a space between the number and the unit"));
  }
  SECTION("wrong types and shapes") {
    CHECK(yaml_error("time_since_identification", "true")->only().code == "E0406");
    CHECK(json_error("time_since_identification", "false")->only().code == "E0406");
    CHECK(yaml_error("time_since_identification", "weeks")->only().code == "E0406");
    CHECK(yaml_error("time_since_identification", "ten weeks")->only().code == "E0406");
    CHECK(yaml_error("time_since_identification", "1e2 days")->only().code == "E0406");
    CHECK(yaml_error("time_since_identification", "10 weeks ago")->only().code == "E0408");
    CHECK(yaml_error("time_since_identification", "10 ''")->only().code == "E0408");
  }
}

// ---------------------------------------------------------------------------------------
// Strings and codes

TEST_CASE("fact file: strings and codes", "[fact_file]") {
  SECTION("a string is kept by the fact set") {
    const auto reading = yaml("note: \"seen, twice: once\"\nside: right\n");
    REQUIRE(reading->facts);
    CHECK(reading->get("note").as_string() == "seen, twice: once");
    CHECK(reading->get("side").as_string() == "right");
    // The text lives in the fact set, not in the parser's memory or the source.
    const std::string_view text = reading->get("note").as_string();
    const std::string_view source = reading->sources.text(reading->file);
    CHECK((text.data() < source.data() || text.data() >= source.data() + source.size()));
  }
  SECTION("a string fact rejects numbers and booleans") {
    const auto reading = yaml_error("note", "12");
    CHECK(reading->only().code == "E0406");
    CHECK(reading->only().message == "fact `note` must be a string; found `12`; put it in quotes");
    CHECK(json_error("note", "true")->only().code == "E0406");
    CHECK(yaml("note: '12'\n")->facts);
  }
  SECTION("a code must be one of the codes") {
    const auto reading = yaml_error("side", "up");
    CHECK(reading->only().code == "E0409");
    CHECK(reading->only().message == "fact `side` must be one of 'left', 'right'; found `up`");
    CHECK(json_error("side", "\"Left\"")->only().code == "E0409");
    CHECK(json_error("side", "3")->only().code == "E0406");
  }
}

// ---------------------------------------------------------------------------------------
// Names

TEST_CASE("fact file: unknown fact names are rejected with a suggestion", "[fact_file]") {
  SECTION("misspelt") {
    const auto reading = yaml_error("neurological_deficit", "false");
    CHECK(reading->only().code == "E0404");
    CHECK(reading->only().message ==
          "unknown fact `neurological_deficit`; did you mean `neurologic_deficit`?");
    CHECK(reading->text_at(reading->only()) == "neurological_deficit");
    const auto from_json = json_error("kyphosis_percentage", "5");
    CHECK(from_json->only().message ==
          "unknown fact `kyphosis_percentage`; did you mean `kyphosis_percent`?");
    CHECK(from_json->text_at(from_json->only()) == "\"kyphosis_percentage\"");
  }
  SECTION("names are case-sensitive") {
    const auto reading = yaml_error("Pain_VAS", "4");
    CHECK(reading->only().code == "E0404");
    CHECK(reading->only().message == "unknown fact `Pain_VAS`; did you mean `pain_vas`?");
    CHECK(json_error("AGE", "\"70 years\"")->only().message ==
          "unknown fact `AGE`; did you mean `age`?");
  }
  SECTION("nothing close") {
    CHECK(yaml_error("bmi", "24")->only().message == "unknown fact `bmi`");
  }
  SECTION("the value of an unknown fact is not checked") {
    CHECK(yaml_error("bmi", "[1, 2]")->only().code == "E0404");
    CHECK(json_error("bmi", "{\"a\": [1, {\"b\": 2}]}")->only().code == "E0404");
  }
  SECTION("keys that are not names") {
    const auto list_key = yaml("? [a, b]\n: 1\n");
    CHECK(list_key->only().code == "E0403");
    const auto null_key = yaml(": 1\n");
    CHECK(null_key->only().code == "E0403");
    const auto empty_key = json(R"({"": 1})");
    CHECK(empty_key->only().code == "E0403");
    const auto numeric_key = yaml("12: 1\n");
    CHECK(numeric_key->only().code == "E0404");
  }
  SECTION("json keys with escapes") {
    const auto escaped = json(R"({"pain\u005fvas": 4})");
    REQUIRE(escaped->facts);
    CHECK(escaped->get("pain_vas").as_decimal() == number("4"));
    const auto quote = json(R"({ "a\"b\\": 1, "pain_vas": 2})");
    CHECK(quote->only().code == "E0404");
    CHECK(quote->text_at(quote->only()) == R"("a\"b\\")");
  }
}

TEST_CASE("fact file: a fact given twice is rejected", "[fact_file]") {
  SECTION("yaml") {
    const auto reading = yaml("pain_vas: 4\nage: 70 years\npain_vas: 4\n");
    REQUIRE_FALSE(reading->facts);
    const Diagnostic& diagnostic = reading->only();
    CHECK(diagnostic.code == "E0405");
    CHECK(diagnostic.message == "fact `pain_vas` is given twice");
    CHECK(reading->sources.line_column(reading->file, diagnostic.range.offset).line == 3);
    REQUIRE(diagnostic.notes.size() == 1);
    CHECK(diagnostic.notes[0].message == "first given here");
    CHECK(diagnostic.notes[0].range.offset == 0);
    CHECK(reading->sources.text(diagnostic.notes[0].range) == "pain_vas");
  }
  SECTION("json") {
    const auto reading = json(R"({"age": "1 year", "pain_vas": 4, "age": "2 years"})");
    REQUIRE_FALSE(reading->facts);
    const Diagnostic& diagnostic = reading->only();
    CHECK(diagnostic.code == "E0405");
    CHECK(diagnostic.message == "fact `age` is given twice");
    CHECK(reading->text_at(diagnostic) == "\"age\"");
    CHECK(diagnostic.range.offset == 33);
    REQUIRE(diagnostic.notes.size() == 1);
    CHECK(diagnostic.notes[0].range.offset == 1);
  }
  SECTION("a duplicate's value is checked too") {
    const auto reading = yaml("pain_vas: 4\npain_vas: 40\n");
    CHECK(reading->diagnostics.all().size() == 2);
  }
}

// ---------------------------------------------------------------------------------------
// Whole files

TEST_CASE("fact file: every problem is reported", "[fact_file]") {
  const auto reading = yaml(
      "pain_vas: 12\nneurologic_deficit: maybe\nbmi: 24\ntime_since_identification: 10\n"
      "age: 5 mg\nfracture_grade: 1\nfracture_grade: 2\n");
  REQUIRE_FALSE(reading->facts);
  std::vector<std::string> codes;
  for (const Diagnostic& diagnostic : reading->diagnostics.all()) {
    codes.emplace_back(diagnostic.code);
    CHECK(diagnostic.severity == Severity::error);
    CHECK(diagnostic.range.file == reading->file);
  }
  CHECK(codes == std::vector<std::string>{"E0409", "E0406", "E0404", "E0407", "E0408", "E0405"});
  // Positions: each on its own line.
  std::vector<std::uint32_t> lines;
  for (const Diagnostic& diagnostic : reading->diagnostics.all()) {
    lines.push_back(reading->sources.line_column(reading->file, diagnostic.range.offset).line);
  }
  CHECK(lines == std::vector<std::uint32_t>{1, 2, 3, 4, 5, 7});
  const std::string formatted = format_diagnostics(reading->sources, reading->diagnostics);
  CHECK_THAT(formatted, Contains("facts.yaml:1:11: error[E0409]"));
}

TEST_CASE("fact file: the top level must be a mapping", "[fact_file]") {
  SECTION("a yaml list") {
    const auto reading = yaml("- pain_vas: 4\n- age: 3 years\n");
    CHECK(reading->only().code == "E0402");
    CHECK(reading->only().message ==
          "a fact file must be a mapping from fact names to values; found a list");
  }
  SECTION("a yaml scalar") {
    const auto reading = yaml("pain_vas\n");
    CHECK(reading->only().code == "E0402");
    CHECK(reading->only().message ==
          "a fact file must be a mapping from fact names to values; found `pain_vas`");
    CHECK(yaml("42")->only().code == "E0402");
    CHECK(yaml("'quoted'")->only().code == "E0402");
  }
  SECTION("a json list") {
    const auto reading = json(" [{\"pain_vas\": 4}]");
    CHECK(reading->only().code == "E0402");
    CHECK(reading->only().range.offset == 1);
  }
  SECTION("a json scalar") {
    CHECK(json("42")->only().code == "E0402");
    CHECK(json("\"text\"")->only().code == "E0402");
    CHECK(json("null")->only().code == "E0402");
  }
  SECTION("two yaml documents") {
    const auto reading = yaml("pain_vas: 4\n---\nage: 3 years\n");
    CHECK(reading->only().code == "E0402");
    CHECK(reading->sources.line_column(reading->file, reading->only().range.offset).line == 3);
  }
  SECTION("values that are lists or mappings") {
    const auto list = yaml_error("pain_vas", "[1, 2]");
    CHECK(list->only().code == "E0406");
    CHECK(list->only().message == "fact `pain_vas` must be a decimal from 0 to 10; found a list");
    CHECK(yaml_error("age", "{a: 1}")->only().message ==
          "fact `age` must be a duration of at least 0 days, such as `10 weeks`; found a mapping");
    const auto nested = json(
        R"({"pain_vas": {"x": [1, {"y": 2}], "pain_vas": 3}, "age": [], "fracture_grade": 1})");
    REQUIRE(nested->diagnostics.all().size() == 2);
    CHECK(nested->diagnostics.all()[0].message ==
          "fact `pain_vas` must be a decimal from 0 to 10; found a mapping");
    CHECK(nested->diagnostics.all()[0].range.offset == 13);
    CHECK(nested->diagnostics.all()[1].code == "E0406");
  }
}

TEST_CASE("fact file: invalid YAML is reported at its position", "[fact_file]") {
  SECTION("unclosed flow sequence") {
    const auto reading = yaml("pain_vas: 4\nage: [1, 2\n");
    CHECK(reading->only().code == "E0401");
    CHECK_THAT(reading->only().message, Contains("invalid YAML: "));
    CHECK(reading->sources.line_column(reading->file, reading->only().range.offset).line == 3);
  }
  SECTION("bad indentation") {
    const auto reading = yaml("pain_vas: 4\n  age: 3 years\n");
    CHECK(reading->only().code == "E0401");
    CHECK(reading->sources.line_column(reading->file, reading->only().range.offset).line == 2);
  }
  SECTION("unknown escape") {
    const auto reading = yaml("note: \"a\\qb\"\n");
    CHECK(reading->only().code == "E0401");
    CHECK(reading->only().message == "invalid YAML: unknown escape character: q");
    CHECK(reading->only().range.offset == 10);  // yaml-cpp reports the character after
  }
  SECTION("a stray comma (yaml-cpp 0.7 hangs in LoadAll, and Load returns null)") {
    for (const char* text : {",", ",a: 1\n", "pain_vas: 4\n,\n", "- a\n,\n", ",\n---\n"}) {
      const auto reading = yaml(text);
      INFO(text << "\n" << reading->messages());
      REQUIRE_FALSE(reading->facts);
      CHECK(reading->only().code == "E0401");
    }
    const auto reading = yaml("- a\n, b\n");
    CHECK(reading->only().message == "invalid YAML: unexpected `,`");
    CHECK(reading->only().range.offset == 4);
  }
  SECTION("undefined alias, tabs") {
    CHECK(yaml("pain_vas: *nothing\n")->only().code == "E0401");
    CHECK(yaml("pain_vas:\t4\n\tage: 1 year\n")->diagnostics.has_errors());
  }
}

TEST_CASE("fact file: invalid JSON is reported at its position", "[fact_file]") {
  SECTION("bad literal") {
    const auto reading = json(R"({"pain_vas": tru})");
    CHECK(reading->only().code == "E0401");
    CHECK_THAT(reading->only().message, Contains("invalid JSON: syntax error"));
    CHECK(reading->only().range.offset == 16);
  }
  for (const char* text : {R"({"pain_vas": 4,})", R"({"pain_vas": 4} {})", R"({"pain_vas" 4})",
                           R"({pain_vas: 4})", R"({"pain_vas": 4)", "{\"note\": \"a\nb\"}",
                           R"({"pain_vas": 04})", R"({"pain_vas": 4 // comment
})"}) {
    const auto reading = json(text);
    INFO(text << "\n" << reading->messages());
    CHECK(reading->only().code == "E0401");
    CHECK_THAT(reading->only().message, Contains("invalid JSON: "));
    CHECK(reading->only().range.end() <= reading->sources.text(reading->file).size());
  }
  SECTION("problems before a syntax error are reported too") {
    const auto reading = json(R"({"pain_vas": 12, "age": })");
    REQUIRE(reading->diagnostics.all().size() == 2);
    CHECK(reading->diagnostics.all()[0].code == "E0409");
    CHECK(reading->diagnostics.all()[1].code == "E0401");
  }
}

TEST_CASE("fact file: control characters and NUL bytes are rejected", "[fact_file]") {
  const std::string nul("pain_vas: 4\0\nage: 3 years\n", 26);
  for (const char* name : {"facts.yaml", "facts.json"}) {
    const auto reading = read(name, nul);
    CHECK(reading->only().code == "E0401");
    CHECK(reading->only().message ==
          "invalid character U+0000 in a fact file; fact files are text");
    CHECK(reading->only().range.offset == 11);
  }
  CHECK(json(std::string("{\"note\": \"a\0b\"}", 15))->only().range.offset == 11);
  CHECK(yaml("pain_vas: 4\x04\nage: 3 years\n")->only().code == "E0401");
  CHECK(yaml("note: a\x1b[31mred\n")->only().code == "E0401");
  SECTION("an escaped NUL in a JSON name is the same error as a NUL byte") {
    const auto reading = json(R"({"bad\u0000name": 1})");
    CHECK(reading->only().code == "E0401");
    CHECK(reading->only().message ==
          "invalid character U+0000 in the fact name `bad\\x00name`; fact files are text");
    const auto value = json(R"({"note": "a\u0000b"})");
    CHECK(value->only().code == "E0401");
    CHECK(value->only().message ==
          "invalid character U+0000 in the value of fact `note`; fact files are text");
    CHECK(value->text_at(value->only()) == R"("a\u0000b")");
  }
}

TEST_CASE("fact file: deep nesting and large inputs do not crash", "[fact_file]") {
  const std::string deep_list(100000, '[');
  CHECK(yaml(deep_list)->diagnostics.has_errors());
  CHECK(json("{\"pain_vas\": " + deep_list)->diagnostics.has_errors());
  CHECK(yaml("pain_vas: " + deep_list)->diagnostics.has_errors());
  std::string deep_map;
  for (int level = 0; level < 20000; ++level) {
    deep_map += "{\"a\": ";
  }
  CHECK(json("{\"pain_vas\": " + deep_map)->diagnostics.has_errors());
  // A long name and many entries.
  CHECK(yaml(std::string(1000, 'x') + ": 1\n")->only().code == "E0404");
  CHECK(json("{\"" + std::string(100000, 'x') + "\": 1}")->only().code == "E0404");
  CHECK(yaml(std::string(100000, 'x') + ": 1\n")->diagnostics.has_errors());  // > 1024: YAML
  std::string many;
  for (int index = 0; index < 5000; ++index) {
    many += "note: text\n";
  }
  // 4999 repeats: 20 listed, and one summary that counts the other 4979.
  const auto repeated = yaml(many);
  REQUIRE(repeated->diagnostics.all().size() == 21);
  CHECK(repeated->diagnostics.all().back().message ==
        "and 4979 more facts given twice (not listed; the first is here)");
  // Anchors and aliases.
  const auto aliases = yaml("pain_vas: &v 4\nkyphosis_percent: *v\n");
  REQUIRE(aliases->facts);
  CHECK(aliases->get("kyphosis_percent").as_decimal() == number("4"));
  // Invalid UTF-8 is only text.
  CHECK(yaml("note: \xff\xfe\n")->diagnostics.all().size() <= 1);
  CHECK(json("{\"note\": \"\xff\"}")->only().code == "E0401");
}

TEST_CASE("fact file: errors already reported elsewhere do not reject a good file", "[fact_file]") {
  SourceManager sources;
  Diagnostics diagnostics;
  diagnostics.report(DiagnosticKind::unknown_name, SourceRange{}, "an earlier problem");
  const FileId file = sources.add("facts.yaml", "pain_vas: 4\n");
  const std::optional<FactSet> set = read_fact_file(sources, file, facts(), diagnostics);
  REQUIRE(set);
  CHECK(set->get(id_of("pain_vas")).as_decimal() == number("4"));
  CHECK(diagnostics.error_count() == 1);
}

// ---------------------------------------------------------------------------------------
// Case files: read_fact_mapping

TEST_CASE("fact file: the facts of a case file", "[fact_file]") {
  SourceManager sources;
  const std::string text =
      "description: VAS 12 is out of range.\nfacts:\n  fracture_grade: 1\n  pain_vas: 12\n"
      "expect:\n  error: pain_vas\n";
  const FileId file = sources.add("case.yaml", text);
  const YAML::Node document = YAML::Load(text);
  SECTION("errors point into the case file") {
    Diagnostics diagnostics;
    const auto set = read_fact_mapping(document["facts"], sources, file, facts(), diagnostics);
    CHECK_FALSE(set);
    REQUIRE(diagnostics.all().size() == 1);
    CHECK(diagnostics.all()[0].code == "E0409");
    CHECK(sources.text(diagnostics.all()[0].range) == "12");
    const LineColumn position = sources.line_column(file, diagnostics.all()[0].range.offset);
    CHECK(position.line == 4);
    CHECK(position.column == 13);
  }
  SECTION("load_yaml_document") {
    Diagnostics diagnostics;
    const std::optional<YAML::Node> loaded = load_yaml_document(sources, file, diagnostics);
    REQUIRE(loaded);
    CHECK((*loaded)["facts"]["pain_vas"].Scalar() == "12");
    const FileId two = sources.add("two.yaml", "a: 1\n---\nb: 2\n");
    CHECK_FALSE(load_yaml_document(sources, two, diagnostics, "a case file"));
    REQUIRE(diagnostics.all().size() == 1);
    CHECK(diagnostics.all()[0].message ==
          "a case file must hold one YAML document; found a second one");
    const FileId empty = sources.add("empty.yaml", "# nothing\n");
    const std::optional<YAML::Node> nothing = load_yaml_document(sources, empty, diagnostics);
    REQUIRE(nothing);
    CHECK(nothing->IsNull());
  }
  SECTION("absent or null facts are an empty set") {
    Diagnostics diagnostics;
    const auto missing =
        read_fact_mapping(document["nothing"], sources, file, facts(), diagnostics);
    REQUIRE(missing);
    CHECK(missing->get(id_of("pain_vas")).is_null());
    const auto null_node = read_fact_mapping(YAML::Node(), sources, file, facts(), diagnostics);
    CHECK(null_node);
    CHECK(diagnostics.empty());
  }
  SECTION("facts that are not a mapping") {
    Diagnostics diagnostics;
    const auto set =
        read_fact_mapping(document["description"], sources, file, facts(), diagnostics);
    CHECK_FALSE(set);
    REQUIRE(diagnostics.all().size() == 1);
    CHECK(diagnostics.all()[0].code == "E0402");
    CHECK(diagnostics.all()[0].message ==
          "facts must be a mapping from fact names to values; found `VAS 12 is out of range.`");
  }
}

namespace {

// The fact names a case file's `expect: error:` names; empty for a case that must read.
std::vector<std::filesystem::path> case_files() {
  std::vector<std::filesystem::path> files;
  std::vector<std::filesystem::path> folders;
#ifdef RUBRIC_SHARED_DIR
  folders.emplace_back(std::filesystem::path(RUBRIC_SHARED_DIR) / "seed" / "cases");
#endif
#ifdef RUBRIC_SOURCE_DIR
  folders.emplace_back(std::filesystem::path(RUBRIC_SOURCE_DIR) / "guidelines" /
                       "vertebral-fracture-grade1" / "cases");
#endif
  for (const auto& folder : folders) {
    if (!std::filesystem::is_directory(folder)) {
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      if (entry.path().extension() == ".yaml") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("fact file: the seed's case files read as their expectations say", "[fact_file]") {
  const std::vector<std::filesystem::path> files = case_files();
  if (files.empty()) {
    WARN("no case files found (RUBRIC_SHARED_DIR / RUBRIC_SOURCE_DIR)");
    return;
  }
  std::size_t errors = 0;
  for (const auto& path : files) {
    std::ifstream stream(path, std::ios::binary);
    std::stringstream buffer;
    buffer << stream.rdbuf();
    SourceManager sources;
    const FileId file = sources.add(path.string(), buffer.str());
    Diagnostics diagnostics;
    const std::optional<YAML::Node> document =
        load_yaml_document(sources, file, diagnostics, "a case file");
    REQUIRE(document);
    const auto set =
        read_fact_mapping((*document)["facts"], sources, file, dictionary(), diagnostics);
    const std::string messages = format_diagnostics(sources, diagnostics);
    INFO(path.filename().string() << "\n" << messages);
    if ((*document)["expect"]["error"]) {
      ++errors;
      CHECK_FALSE(set);
      CHECK(diagnostics.all().size() == 1);
      const std::string name = (*document)["expect"]["error"].as<std::string>();
      CHECK_THAT(messages, Contains("`" + name + "`"));
    } else {
      CHECK(set);
      CHECK(diagnostics.empty());
    }
  }
  CHECK(errors > 0);
}

// ---------------------------------------------------------------------------------------
// read_fact_value

TEST_CASE("fact file: read_fact_value checks one scalar", "[fact_file]") {
  FactSet storage(facts().size());
  Diagnostics diagnostics;
  const FactSpec& vas = facts()[id_of("pain_vas").value];
  const FactSpec& grade = facts()[id_of("fracture_grade").value];
  const FactSpec& deficit = facts()[id_of("neurologic_deficit").value];
  const FactSpec& age = facts()[id_of("age").value];
  const FactSpec& note = facts()[id_of("note").value];
  const auto scalar = [](ScalarKind kind, std::string_view text, bool in_quotes = false) {
    RawScalar raw;
    raw.kind = kind;
    raw.text = text;
    raw.quoted = in_quotes;
    raw.range = SourceRange{FileId{7}, 3, static_cast<std::uint32_t>(text.size())};
    return raw;
  };
  CHECK(read_fact_value(vas, scalar(ScalarKind::null, ""), storage, diagnostics)->is_null());
  CHECK(
      read_fact_value(vas, scalar(ScalarKind::number, "3.5"), storage, diagnostics)->as_decimal() ==
      number("3.5"));
  CHECK(read_fact_value(grade, scalar(ScalarKind::number, "2.0"), storage, diagnostics)
            ->as_integer() == 2);
  CHECK(read_fact_value(deficit, scalar(ScalarKind::boolean, "true"), storage, diagnostics)
            ->as_boolean());
  CHECK(
      read_fact_value(age, scalar(ScalarKind::string, "65 a"), storage, diagnostics)->unit().code ==
      "a");
  std::string temporary = "kept text";
  const std::optional<Value> kept =
      read_fact_value(note, scalar(ScalarKind::string, temporary, true), storage, diagnostics);
  temporary = "overwritten";
  CHECK(kept->as_string() == "kept text");
  CHECK(diagnostics.empty());
  // A boolean scalar whose text is not exactly a boolean is rejected (no YAML 1.1 words).
  CHECK_FALSE(read_fact_value(deficit, scalar(ScalarKind::boolean, "yes"), storage, diagnostics));
  CHECK_FALSE(read_fact_value(vas, scalar(ScalarKind::number, "nan"), storage, diagnostics));
  REQUIRE(diagnostics.all().size() == 2);
  CHECK(diagnostics.all()[0].range.file == FileId{7});
  CHECK(diagnostics.all()[0].range.offset == 3);
  CHECK(diagnostics.all()[0].severity == Severity::error);
}

// ---------------------------------------------------------------------------------------
// FactSpec and FactSet

TEST_CASE("fact spec: expected values in words", "[fact_set]") {
  const auto spec = [](std::string_view name) -> const FactSpec& {
    return facts()[id_of(name).value];
  };
  CHECK(spec("fracture_grade").expected() == "an integer from 0 to 3");
  CHECK(spec("pain_vas").expected() == "a decimal from 0 to 10");
  CHECK(spec("age").expected() == "a duration of at least 0 days");
  CHECK(spec("neurologic_deficit").expected() == "`true` or `false`");
  CHECK(spec("side").expected() == "one of 'left', 'right'");
  CHECK(spec("note").expected() == "a string");
  CHECK(spec("dose").expected() == "a quantity of mass");
  CHECK(spec("fraction").expected() == "a decimal above 0 and below 1");
  CHECK(spec("count").expected() == "an integer");
  FactSpec upper = integer_fact("n", 0, 9);
  upper.minimum.reset();
  CHECK(upper.expected() == "an integer of at most 9");
  upper.maximum_inclusive = false;
  CHECK(upper.expected() == "an integer below 9");
  FactSpec mixed = decimal_fact("x", "0.5", "2.25");
  mixed.minimum_inclusive = false;
  CHECK(mixed.expected() == "a decimal above 0.5 and at most 2.25");
  FactSpec hours = duration_fact("h");
  hours.minimum = duration("1", "hours");
  CHECK(hours.expected() == "a duration of at least 1 hour");
}

TEST_CASE("fact spec: violations of limits and codes", "[fact_set]") {
  const auto spec = [](std::string_view name) -> const FactSpec& {
    return facts()[id_of(name).value];
  };
  CHECK_FALSE(spec("pain_vas").violation(Value::decimal(number("10"))));
  CHECK_FALSE(spec("pain_vas").violation(Value::null()));
  CHECK(spec("pain_vas").violation(Value::decimal(number("12"))) == "12 is above the maximum 10");
  CHECK(spec("pain_vas").violation(Value::decimal(number("-0.5"))) ==
        "-0.5 is below the minimum 0");
  CHECK(spec("fracture_grade").violation(Value::integer(4)) == "4 is above the maximum 3");
  CHECK(spec("fraction").violation(Value::decimal(number("0"))) == "0 is not above 0");
  CHECK(spec("fraction").violation(Value::decimal(number("1"))) == "1 is not below 1");
  CHECK_FALSE(spec("age").violation(duration("0", "a")));
  CHECK(spec("age").violation(duration("-1", "d")) == "-1 d is below the minimum 0 days");
  CHECK(spec("age").violation(duration("-1", "days")) == "-1 day is below the minimum 0 days");
  // An integer limit on a decimal fact, and a quantity in another unit.
  FactSpec mixed = decimal_fact("x", "0", "1");
  mixed.maximum = Value::integer(1);
  CHECK(mixed.violation(Value::decimal(number("1.5"))));
  CHECK_FALSE(mixed.violation(Value::integer(1)));
  FactSpec weeks = duration_fact("w");
  weeks.maximum = duration("3", "months");
  CHECK_FALSE(weeks.violation(duration("13", "weeks")));  // 91 days < 91.3125 days
  CHECK(weeks.violation(duration("92", "days")));
  CHECK(weeks.violation(duration("5", "mg")));  // not a duration at all
  CHECK(spec("side").violation(Value::string("up")) == "'up' is not one of 'left', 'right'");
  CHECK_FALSE(spec("side").violation(Value::string("left")));
}

TEST_CASE("fact set: copies own their strings", "[fact_set]") {
  const FactId note = id_of("note");
  const FactId vas = id_of("pain_vas");
  auto original = std::make_unique<FactSet>(facts().size());
  original->set(note, Value::string(original->keep("first note")));
  original->set(vas, Value::decimal(number("4")));
  SECTION("copy construction") {
    const FactSet copy(*original);
    CHECK(copy.get(note).as_string().data() != original->get(note).as_string().data());
    original.reset();  // the copy must not view the original's storage
    CHECK(copy.get(note).as_string() == "first note");
    CHECK(copy.get(vas).as_decimal() == number("4"));
    CHECK(copy.size() == facts().size());
  }
  SECTION("copy assignment, over a set with strings of its own") {
    FactSet copy(3);
    copy.set(FactId{0}, Value::string(copy.keep("old")));
    copy = *original;
    original.reset();
    CHECK(copy.size() == facts().size());
    CHECK(copy.get(note).as_string() == "first note");
  }
  SECTION("self-assignment") {
    FactSet& self = *original;
    self = *original;
    CHECK(original->get(note).as_string() == "first note");
  }
  SECTION("moves keep views valid") {
    const char* data = original->get(note).as_string().data();
    FactSet moved(std::move(*original));
    original.reset();
    CHECK(moved.get(note).as_string().data() == data);
    CHECK(moved.get(note).as_string() == "first note");
    FactSet assigned;
    assigned = std::move(moved);
    CHECK(assigned.get(note).as_string() == "first note");
    std::vector<FactSet> sets;
    for (int index = 0; index < 20; ++index) {
      sets.push_back(assigned);  // reallocations move or copy; either keeps views valid
    }
    CHECK(sets.front().get(note).as_string() == "first note");
    CHECK(sets.back().get(note).as_string() == "first note");
  }
  SECTION("keep keeps earlier views valid") {
    std::vector<std::string_view> views;
    for (int index = 0; index < 1000; ++index) {
      views.push_back(original->keep(std::to_string(index)));
    }
    CHECK(views[0] == "0");
    CHECK(views[999] == "999");
  }
  SECTION("clear makes every fact absent") {
    original->clear();
    CHECK(original->size() == facts().size());
    CHECK(original->get(note).is_null());
    CHECK(original->get(vas).is_null());
  }
}

}  // namespace rubric

// The NDJSON line reader (tools/ndjson_facts.hpp): its simple-line path must give exactly
// what the general simdjson path gives, line for line: the same acceptance, the same fact
// values and the same diagnostics.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_support.hpp"
#include "tools/ndjson_facts.hpp"
#include "values/value.hpp"

namespace rubric {
namespace {

struct Reading {
  bool accepted = false;
  std::vector<std::string> values;       // to_literal of every fact, when accepted
  std::vector<std::string> diagnostics;  // code, offset, length and message of each
};

Reading read_line(NdjsonFactReader& reader, std::string_view line) {
  const Guideline& guideline = fuzz::every_type_guideline();
  std::string buffer(line);
  buffer.append(kNdjsonPadding, '\0');
  FactSet facts(guideline.facts().size());
  Diagnostics diagnostics;
  Reading reading;
  reading.accepted = reader.read(std::string_view(buffer.data(), line.size()), facts, diagnostics);
  if (reading.accepted) {
    for (std::size_t fact = 0; fact < guideline.facts().size(); ++fact) {
      reading.values.push_back(to_literal(facts.get(FactId{static_cast<std::uint32_t>(fact)})));
    }
  }
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    reading.diagnostics.push_back(
        std::string(diagnostic.code) + " " + std::to_string(diagnostic.range.offset) + "+" +
        std::to_string(diagnostic.range.length) + " " + diagnostic.message);
  }
  return reading;
}

// Reads `line` with both paths (each reader keeps its key predictions from earlier lines,
// as in a batch run) and requires the same reading; returns it.
Reading read_both(NdjsonFactReader& simple, NdjsonFactReader& general, std::string_view line) {
  const Reading fast = read_line(simple, line);
  const Reading slow = read_line(general, line);
  INFO("line: " << line);
  CHECK(fast.accepted == slow.accepted);
  CHECK(fast.values == slow.values);
  CHECK(fast.diagnostics == slow.diagnostics);
  return fast;
}

}  // namespace

TEST_CASE("ndjson: the simple-line path reads like the general path", "[ndjson]") {
  const Guideline& guideline = fuzz::every_type_guideline();
  NdjsonFactReader simple(guideline.facts());
  NdjsonFactReader general(guideline.facts(), false);
  struct Line {
    std::string text;
    bool accepted;
  };
  const std::vector<Line> lines = {
      {R"({"grade": 1, "score": 4.5, "flag": true, "note": "x", "elapsed": "3 weeks"})", true},
      {R"({"grade":1,"score":4.5,"flag":true,"note":"x","elapsed":"3 weeks"})", true},
      {R"(  { "flag" : false , "grade" : null }  )", true},
      {R"({})", true},
      {R"( { } )", true},
      {R"({"weight": "72 kg", "height": "1.8 m", "given": "2 L", "dose": "1000 mg/d"})", true},
      {R"({"side": "left", "score": 0, "grade": 3})", true},
      {R"({"score": -0.5})", false},             // below the declared minimum
      {R"({"score": 1e1, "grade": 2})", false},  // fact files take no exponents
      {R"({"score": 1E+0})", false},
      {R"({"score": 01})", false},
      {R"({"score": 1.})", false},
      {R"({"score": .5})", false},
      {R"({"score": -})", false},
      {R"({"score": 1.5.3})", false},
      {R"({"score": 12abc})", false},
      {R"({"flag": truex})", false},
      {R"({"flag": tru})", false},
      {R"({"flag": True})", false},
      {R"({"flag": "true"})", false},
      {R"({"grade": 1,})", false},
      {R"({"grade": 1 "score": 2})", false},
      {R"({"grade" 1})", false},
      {R"({"grade": 1}})", false},
      {R"({"grade": 1} x)", false},
      {R"({"grade": 1)", false},
      {R"({"grade": 1, "grade": 2})", false},
      {R"({"unknown": 1})", false},
      {R"({"": 1})", false},
      {R"({"gr\u0061de": 1})", true},  // an escaped key names the same fact
      {R"({"note": "a \"quoted\" word"})", true},
      {R"({"note": "caf)"
       "\xC3\xA9"
       R"("})",
       true},
      {"{\"note\":\t\"x\"}", true},
      {"{\"note\": \"x\x7F\"}", false},
      {R"({"grade": [1]})", false},
      {R"({"grade": {"a": 1}})", false},
      {R"([1, 2])", false},
      {R"("text")", false},
      {R"(42)", false},
      {R"({"elapsed": "3 parsecs"})", false},
      {R"({"side": "middle"})", false},
      {R"({"weight": 72})", false},
      {R"({"grade": 1.5})", false},
      {R"({"grade": 4})", false},
      {R"({"note": 5})", false},
      {R"({"flag": 1})", false},
      {"{\"grade\": 1}\r", true},
      {"{\"grade\": 1}\r\r", true},  // one is the line end, one JSON space
  };
  for (const Line& line : lines) {
    INFO("line: " << line.text);
    CHECK(read_both(simple, general, line.text).accepted == line.accepted);
  }
}

TEST_CASE("ndjson: both paths agree on generated lines", "[ndjson]") {
  const Guideline& guideline = fuzz::every_type_guideline();
  NdjsonFactReader simple(guideline.facts());
  NdjsonFactReader general(guideline.facts(), false);
  const std::vector<std::string> keys = {
      "grade", "score", "flag", "note", "elapsed",     "weight", "height",     "given",
      "dose",  "side",  "grad", "",     "gr\\u0061de", "flag\"", "n\xC3\xB8te"};
  const std::vector<std::string> values = {"1",
                                           "3",
                                           "0",
                                           "-1",
                                           "2.5",
                                           "10",
                                           "1e1",
                                           "1.0e-2",
                                           "01",
                                           "1.",
                                           "-",
                                           "3.5x",
                                           "true",
                                           "false",
                                           "null",
                                           "tru",
                                           "nul",
                                           "\"x\"",
                                           "\"left\"",
                                           "\"right\"",
                                           "\"3 weeks\"",
                                           "\"72 kg\"",
                                           "\"1.8 m\"",
                                           "\"2 L\"",
                                           "\"1000 mg/d\"",
                                           "\"5 'kg'\"",
                                           "\"a\\\"b\"",
                                           "\"\\u00e9\"",
                                           "\"\t\"",
                                           "[]",
                                           "{}",
                                           "[1,2]",
                                           "\"unclosed",
                                           "\"\"",
                                           "\"1e400 days\"",
                                           "99999999999999999999999",
                                           "-0",
                                           "0.000000001"};
  const std::vector<std::string> spaces = {"", " ", "  ", "\t"};
  std::mt19937 random(20261124);
  const auto pick = [&](const std::vector<std::string>& from) -> const std::string& {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(random)];
  };
  const auto chance = [&](int percent) {
    return std::uniform_int_distribution<int>(0, 99)(random) < percent;
  };
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  constexpr int kLines = 20000;
  for (int count = 0; count < kLines; ++count) {
    std::string line = chance(2) ? "" : pick(spaces);
    line += chance(1) ? "[" : "{";
    const int members = std::uniform_int_distribution<int>(0, 6)(random);
    for (int member = 0; member < members; ++member) {
      if (member > 0) {
        line += chance(1) ? "" : ",";
        line += chance(20) ? pick(spaces) : "";
      }
      line += chance(1) ? "" : "\"";
      // Mostly declared keys, as real input has them.
      line += chance(85) ? keys[static_cast<std::size_t>(count + member) % 10] : pick(keys);
      line += "\"";
      line += chance(10) ? pick(spaces) : "";
      line += chance(1) ? "" : ":";
      line += chance(30) ? pick(spaces) : "";
      line += pick(values);
    }
    line += chance(1) ? ",}" : chance(1) ? "" : "}";
    line += chance(2) ? " x" : chance(5) ? pick(spaces) : "";
    if (read_both(simple, general, line).accepted) {
      ++accepted;
    } else {
      ++rejected;
    }
  }
  // Both kinds of line occur, or the comparison would say little.
  CHECK(accepted > kLines / 20);
  CHECK(rejected > kLines / 20);
}

}  // namespace rubric

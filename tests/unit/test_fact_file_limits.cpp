// Fact-file and NDJSON limits of issue 13: repeated diagnostics capped per code with a
// counted summary, a byte order mark on NDJSON line 1 (both reading paths), control
// characters written as escapes, YAML booleans other than `true`/`false`, YAML tags, and
// too many YAML documents.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tools/fact_file.hpp"
#include "tools/ndjson_facts.hpp"
#include "values/value.hpp"

namespace rubric {
namespace {

struct FileReading {
  bool accepted = false;
  std::vector<std::string> lines;  // "CODE line:column message" for each diagnostic
};

FileReading read_file(const std::string& name, const std::string& text) {
  const Guideline& guideline = fuzz::every_type_guideline();
  SourceManager sources;
  const FileId file = sources.add(name, text);
  Diagnostics diagnostics;
  const std::optional<FactSet> facts =
      read_fact_file(sources, file, guideline.facts(), diagnostics);
  FileReading reading;
  reading.accepted = facts.has_value();
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    const LineColumn at = sources.line_column(diagnostic.range.file, diagnostic.range.offset);
    reading.lines.push_back(std::string(diagnostic.code) + " " + std::to_string(at.line) + ":" +
                            std::to_string(at.column) + " " + diagnostic.message);
  }
  return reading;
}

struct LineReading {
  bool accepted = false;
  std::string grade;  // the literal of `grade`, when accepted
  std::vector<std::string> diagnostics;
};

LineReading read_line(bool simple_path, std::string_view line, bool first_line) {
  const Guideline& guideline = fuzz::every_type_guideline();
  NdjsonFactReader reader(guideline.facts(), simple_path);
  std::string buffer(line);
  buffer.append(kNdjsonPadding, '\0');
  FactSet facts(guideline.facts().size());
  Diagnostics diagnostics;
  LineReading reading;
  reading.accepted =
      reader.read(std::string_view(buffer.data(), line.size()), facts, diagnostics, first_line);
  if (reading.accepted) {
    reading.grade = to_literal(facts.get(FactId{0}));
  }
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    reading.diagnostics.push_back(std::string(diagnostic.code) + " " +
                                  std::to_string(diagnostic.range.offset + 1) + " " +
                                  diagnostic.message);
  }
  return reading;
}

std::size_t count_code(const std::vector<std::string>& lines, std::string_view code) {
  std::size_t count = 0;
  for (const std::string& line : lines) {
    count += line.starts_with(code) ? 1 : 0;
  }
  return count;
}

}  // namespace

TEST_CASE("fact file limits: 20 diagnostics of a code, then one summary with the count",
          "[fact_file][limits]") {
  std::string yaml;
  std::string json = "{";
  for (int index = 0; index < 1000; ++index) {
    yaml += "unknown_" + std::to_string(index) + ": 1\n";
    json += (index == 0 ? "" : ", ") + std::string("\"unknown_") + std::to_string(index) + "\": 1";
  }
  json += "}";
  for (const auto& [name, text] : {std::pair{"f.yaml", yaml}, std::pair{"f.json", json}}) {
    INFO(name);
    const FileReading reading = read_file(name, text);
    CHECK_FALSE(reading.accepted);
    REQUIRE(reading.lines.size() == 21);
    CHECK(count_code(reading.lines, "E0404") == 21);
    CHECK(reading.lines[19].find("unknown fact `unknown_19`") != std::string::npos);
    CHECK(
        reading.lines[20].ends_with("and 980 more unknown facts (not listed; the first is here)"));
  }
  // The summary is at the first key left out.
  CHECK(read_file("f.yaml", yaml).lines[20].starts_with("E0404 21:1 "));

  SECTION("each code has its own count; one left out is singular") {
    std::string text;
    for (int index = 0; index < 21; ++index) {
      text += "grade: x\n";
    }
    const FileReading reading = read_file("f.yaml", text);
    CHECK(count_code(reading.lines, "E0405") == 20);  // 20 repeats: all listed
    CHECK(count_code(reading.lines, "E0406") == 21);
    CHECK(reading.lines.back() ==
          "E0406 21:8 and 1 more value of the wrong type (not listed; the first is here)");
  }
  SECTION("an NDJSON line is capped the same way") {
    std::string line = "{";
    for (int index = 0; index < 50; ++index) {
      line += (index == 0 ? "" : ", ") + std::string("\"u") + std::to_string(index) + "\": 1";
    }
    line += "}";
    const LineReading reading = read_line(true, line, false);
    CHECK_FALSE(reading.accepted);
    REQUIRE(reading.diagnostics.size() == 21);
    CHECK(
        reading.diagnostics.back().ends_with("and 30 more unknown facts (not listed; the "
                                             "first is here)"));
  }
}

TEST_CASE("fact file limits: a byte order mark starts only the first NDJSON line",
          "[ndjson][limits]") {
  const std::string bom = "\xEF\xBB\xBF";
  for (const bool simple_path : {true, false}) {
    INFO("simple-line path: " << simple_path);
    const LineReading plain = read_line(simple_path, bom + R"({"grade": 2})", true);
    CHECK(plain.accepted);
    CHECK(plain.grade == "2");
    // Escapes send the line to the general path whatever the setting.
    const LineReading escaped = read_line(simple_path, bom + R"({"gr\u0061de": 3})", true);
    CHECK(escaped.accepted);
    CHECK(escaped.grade == "3");
    const LineReading later = read_line(simple_path, bom + R"({"grade": 2})", false);
    CHECK_FALSE(later.accepted);
    CHECK(later.diagnostics ==
          std::vector<std::string>{"E0401 1 a byte order mark (U+FEFF) is allowed only at the "
                                   "start of the first line; remove it"});
    // Columns count from after the mark.
    const LineReading wrong = read_line(simple_path, bom + R"({"grade": 9})", true);
    REQUIRE(wrong.diagnostics.size() == 1);
    CHECK(wrong.diagnostics[0].starts_with("E0409 11 "));
  }
}

TEST_CASE("fact file limits: control characters written as escapes are E0401",
          "[fact_file][limits]") {
  CHECK(read_file("f.json", R"({"note": "\u0000"})").lines ==
        std::vector<std::string>{
            "E0401 1:10 invalid character U+0000 in the value of fact `note`; fact files are "
            "text"});
  CHECK(read_file("f.json", R"({"elapsed": "10\u0000weeks"})").lines.at(0).starts_with("E0401"));
  CHECK(read_file("f.json", R"({"score": "\u007f"})").lines.at(0).starts_with("E0401"));
  CHECK(read_file("f.yaml", "note: \"a\\x01b\"\n").lines.at(0).starts_with("E0401 1:7 "));
  // Tab and line breaks are text.
  CHECK(read_file("f.json", R"({"note": "a\tb\nc"})").accepted);
  for (const bool simple_path : {true, false}) {
    const LineReading line = read_line(simple_path, R"({"note": "\u0000"})", false);
    CHECK(line.diagnostics == std::vector<std::string>{"E0401 10 invalid character U+0000 in "
                                                       "the value of fact `note`; fact files "
                                                       "are text"});
  }
}

TEST_CASE("fact file limits: booleans are only `true` and `false`", "[fact_file][limits]") {
  for (const char* word : {"True", "TRUE", "yes", "Yes", "on", "ON", "y"}) {
    INFO(word);
    CHECK(read_file("f.yaml", std::string("flag: ") + word + "\n").lines ==
          std::vector<std::string>{"E0406 1:7 fact `flag` must be `true` or `false`; found `" +
                                   std::string(word) +
                                   "`; write `true` (only `true` and `false`, in lowercase, are "
                                   "booleans)"});
  }
  for (const char* word : {"False", "FALSE", "no", "off", "N"}) {
    INFO(word);
    const FileReading reading = read_file("f.yaml", std::string("flag: ") + word + "\n");
    REQUIRE(reading.lines.size() == 1);
    CHECK(
        reading.lines[0].ends_with("; write `false` (only `true` and `false`, in lowercase, "
                                   "are booleans)"));
  }
  CHECK(read_file("f.yaml", "flag: true\n").accepted);
  CHECK(read_file("f.yaml", "flag: false\n").accepted);
  // A quoted word is a string: the hint is about the quotes.
  CHECK(read_file("f.yaml", "flag: 'true'\n").lines.at(0).ends_with("without quotes"));
}

TEST_CASE("fact file limits: YAML tags other than !!str are rejected", "[fact_file][limits]") {
  CHECK(read_file("f.yaml", "grade: 1\nnote: !!python/object:os.system x\n").lines ==
        std::vector<std::string>{
            "E0401 2:7 YAML tag `!!python/object:os.system` is not allowed in a fact file; "
            "write the value without it (`!!str` is the only tag allowed)"});
  CHECK(read_file("f.yaml", "grade: !!int 1\n")
            .lines.at(0)
            .starts_with("E0401 1:8 YAML tag `!!int`"));
  CHECK(read_file("f.yaml", "!!map\ngrade: 1\n").lines.at(0).starts_with("E0401 1:1 "));
  CHECK(read_file("f.yaml", "? !local k\n: 1\n").lines.at(0).starts_with("E0401 1:3 "));
  CHECK(read_file("f.yaml", "note: !!str 12\n").accepted);
}

TEST_CASE("fact file limits: more than 100,000 YAML documents is E0402", "[fact_file][limits]") {
  std::string many;
  for (int index = 0; index < 100001; ++index) {
    many += "---\n";
  }
  CHECK(read_file("f.yaml", many).lines ==
        std::vector<std::string>{
            "E0402 100001:1 a fact file must hold one YAML document; found more than 100000"});
  CHECK(read_file("f.yaml", many.substr(0, 4 * 100000)).accepted);
}

}  // namespace rubric

namespace rubric {

TEST_CASE("diagnostic excerpts: a long line is shown as a window around the range",
          "[diagnostic][limits]") {
  // A fact file written on one line of 10,000 bytes, with the error at byte 5,000.
  std::string text(10'000, 'a');
  text.replace(5'000, 3, "BAD");
  SourceManager sources;
  const FileId file = sources.add("one-line.json", text);
  const Diagnostic diagnostic{DiagnosticKind::unknown_fact, SourceRange{file, 5'000, 3}, "unknown"};
  const std::string shown = format_diagnostic(sources, diagnostic);
  INFO(shown);
  // Header, gutter, the line, the caret: every line short, the excerpt cut on both sides.
  std::size_t longest = 0;
  std::size_t begin = 0;
  while (begin < shown.size()) {
    const std::size_t end = shown.find('\n', begin);
    longest = std::max(longest, end - begin);
    begin = end + 1;
  }
  CHECK(longest < 200);
  const std::size_t line_at = shown.find("| ...");
  REQUIRE(line_at != std::string::npos);
  CHECK(shown.find("BAD") != std::string::npos);
  CHECK(shown.find("...\n") != std::string::npos);
  // The caret sits under `BAD`.
  const std::size_t bad = shown.find("BAD");
  const std::size_t caret_line = shown.find('\n', bad) + 1;
  const std::size_t caret = shown.find('^', caret_line);
  CHECK(caret - caret_line == bad - (shown.rfind('\n', bad) + 1));
  CHECK(shown.substr(caret, 3) == "^~~");
}

}  // namespace rubric

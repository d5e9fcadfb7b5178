// Tests of the parser's limits counted while it reads (nesting, tree depth, expression size),
// of string contents (decoded length, control characters, escapes), and of its recovery after
// an error. Expected values come from docs/limits.md and docs/diagnostics.md.
#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/parser.hpp"
#include "dsl/source.hpp"

namespace {

struct Result {
  std::vector<rubric::Diagnostic> diagnostics;
  std::vector<rubric::LineColumn> positions;
  std::vector<std::string> definitions;
  std::vector<std::string> values;  // the text of each definition's expression (a string's value)
  std::string formatted;
};

Result parse_file(const std::string& text) {
  rubric::SourceManager sources;
  const rubric::FileId file = sources.add("limits.rubric", text);
  rubric::Diagnostics diagnostics;
  const rubric::ast::Module module = rubric::parse_module(sources, file, diagnostics);
  Result result;
  result.diagnostics = diagnostics.all();
  for (const rubric::Diagnostic& diagnostic : diagnostics.all()) {
    result.positions.push_back(sources.line_column(file, diagnostic.range.offset));
  }
  for (const auto& definition : module.definitions) {
    result.definitions.push_back(definition.name.name);
    result.values.push_back(module.at(definition.value).text);
  }
  result.formatted = rubric::format_diagnostics(sources, diagnostics);
  return result;
}

std::string repeat(const std::string& text, std::size_t count) {
  std::string out;
  out.reserve(text.size() * count);
  for (std::size_t i = 0; i < count; ++i) {
    out += text;
  }
  return out;
}

const std::string kHeader = "guideline \"g\"\nfact a: boolean\n";
const std::string kNested =
    "expression nested too deeply (more than 64 levels); move parts of it into definitions";
const std::string kTooDeep =
    "expression nested too deeply (more than 1000 levels, counting each operator of a chain); "
    "move parts of it into definitions";

}  // namespace

TEST_CASE("nesting: 64 levels parse, 65 are E0102", "[parser][limits]") {
  for (const auto& [open, close] : std::vector<std::pair<std::string, std::string>>{
           {"(", ")"}, {"not ", ""}, {"-", ""}, {"{", "}"}, {"if a then ", " else a"}}) {
    INFO("nesting: " << open << "..." << close);
    const Result at_limit =
        parse_file(kHeader + "define d = " + repeat(open, 64) + "a" + repeat(close, 64) + "\n");
    INFO(at_limit.formatted);
    CHECK(at_limit.diagnostics.empty());
    CHECK(at_limit.definitions.size() == 1);

    const Result past = parse_file(kHeader + "define d = " + repeat(open, 65) + "a" +
                                   repeat(close, 65) + "\ndefine after = a\n");
    INFO(past.formatted);
    REQUIRE(past.diagnostics.size() == 1);
    CHECK(past.diagnostics[0].code == "E0102");
    CHECK(past.diagnostics[0].message == kNested);
    CHECK(past.positions[0].line == 3);
    // At the 65th opening: column 12 is the first one.
    CHECK(past.positions[0].column == 12 + 64 * open.size());
    REQUIRE(past.definitions.size() == 1);
    CHECK(past.definitions[0] == "after");
  }
}

TEST_CASE("a chain of 999 operators is 1000 levels; 1000 operators are E0102", "[parser][limits]") {
  const Result at_limit = parse_file(kHeader + "define d = a" + repeat(" and a", 999) + "\n");
  INFO(at_limit.formatted);
  CHECK(at_limit.diagnostics.empty());
  CHECK(at_limit.definitions.size() == 1);

  const Result past =
      parse_file(kHeader + "define d = a" + repeat(" and a", 1000) + "\ndefine after = a\n");
  REQUIRE(past.diagnostics.size() == 1);
  CHECK(past.diagnostics[0].code == "E0102");
  CHECK(past.diagnostics[0].message == kTooDeep);
  CHECK(past.positions[0].line == 3);
  REQUIRE(past.definitions.size() == 1);
  CHECK(past.definitions[0] == "after");
}

TEST_CASE("a 16 MiB chain is refused at its 1001st level, not after it is built",
          "[parser][limits]") {
  // Just under kMaxSourceBytes: `1*1*1*...`. Before the depth was counted while parsing,
  // this built an 8-million-operator tree (4.1 GB) before the E0102.
  const std::string prefix = kHeader + "define d = 1";
  const std::size_t operators = (rubric::kMaxSourceBytes - prefix.size() - 1) / 2;
  std::string text = prefix + repeat("*1", operators) + "\n";
  REQUIRE(text.size() <= rubric::kMaxSourceBytes);
  const Result result = parse_file(text);
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].code == "E0102");
  CHECK(result.diagnostics[0].message == kTooDeep);
}

TEST_CASE("more than a million operators and operands in a file is E0108",
          "[parser][limits][large]") {
  // Lists of 999 numbers: 1000 nodes each, 1 level deep, so only the size limit applies.
  const std::string list = "{1" + repeat(",1", 998) + "}";
  std::string text = kHeader;
  for (int i = 0; i < 1000; ++i) {
    text += "define d" + std::to_string(i) + " = " + list + "\n";
  }
  const Result at_limit = parse_file(text);
  CHECK(at_limit.diagnostics.empty());
  CHECK(at_limit.definitions.size() == 1000);

  text += "define over = a\ndefine never = a\n";
  const Result past = parse_file(text);
  REQUIRE(past.diagnostics.size() == 1);
  CHECK(past.diagnostics[0].code == "E0108");
  CHECK(past.diagnostics[0].message ==
        "guideline too large (more than 1000000 operators and operands in its expressions); "
        "split the guideline, or move repeated logic into definitions");
  CHECK(past.positions[0].line == 1003);
  CHECK(past.definitions.size() == 1000);
}

TEST_CASE("the string limit counts decoded content, not quotes", "[parser][limits]") {
  SECTION("65536 characters parse, 65537 are E0107") {
    const Result at_limit = parse_file(kHeader + "define d = '" + repeat("x", 65536) + "'\n");
    CHECK(at_limit.diagnostics.empty());
    const Result past = parse_file(kHeader + "define d = '" + repeat("x", 65537) + "'\n");
    REQUIRE(past.diagnostics.size() == 1);
    CHECK(past.diagnostics[0].code == "E0107");
    CHECK(past.diagnostics[0].message ==
          "string is too long (65537 bytes); the limit is 65536 bytes");
  }
  SECTION("an escape is one character") {
    // 65536 characters written as 131072 bytes of `\n`.
    const Result escaped = parse_file(kHeader + "define d = '" + repeat("\\n", 65536) + "'\n");
    CHECK(escaped.diagnostics.empty());
  }
  SECTION("texts too") {
    const Result at_limit = parse_file("guideline \"" + repeat("g", 65536) + "\"\n");
    CHECK(at_limit.diagnostics.empty());
    const Result past = parse_file("guideline \"" + repeat("g", 65537) + "\"\n");
    REQUIRE(past.diagnostics.size() == 1);
    CHECK(past.diagnostics[0].code == "E0107");
  }
}

TEST_CASE("a control character in a string or text is E0109 at the character",
          "[parser][strings]") {
  for (const auto& [character, name] :
       std::vector<std::pair<std::string, std::string>>{{std::string(1, '\0'), "U+0000"},
                                                        {"\x01", "U+0001"},
                                                        {"\x1B", "U+001B"},
                                                        {"\x7F", "U+007F"},
                                                        {"\xC2\x85", "U+0085"}}) {
    INFO("character " << name);
    const Result string = parse_file(kHeader + "define d = 'ab" + character + "c'\n");
    REQUIRE(string.diagnostics.size() == 1);
    CHECK(string.diagnostics[0].code == "E0109");
    CHECK(string.diagnostics[0].message.find("invalid character " + name + " in a string") == 0);
    CHECK(string.positions[0].line == 3);
    CHECK(string.positions[0].column == 15);

    const Result text = parse_file("guideline \"g\" title \"x" + character + "\"\n");
    REQUIRE(text.diagnostics.size() == 1);
    CHECK(text.diagnostics[0].code == "E0109");
    CHECK(text.positions[0].column == 23);
  }
  // A tab is text.
  CHECK(parse_file(kHeader + "define d = 'a\tb'\n").diagnostics.empty());
}

TEST_CASE("escapes: CQL's decode; any other, and a lone surrogate, is E0111 at the escape",
          "[parser][strings]") {
  SECTION("valid escapes") {
    const Result result = parse_file(kHeader +
                                     "define d = '\\'\\\"\\\\\\/\\f\\n\\r\\t'\n"
                                     "define e = '\\u00e9\\u20AC\\uD83D\\uDE00'\n");
    INFO(result.formatted);
    CHECK(result.diagnostics.empty());
    REQUIRE(result.values.size() == 2);
    CHECK(result.values[0] == "'\"\\/\f\n\r\t");
    CHECK(result.values[1] == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  }
  SECTION("invalid escapes") {
    for (const auto& [escape, message] : std::vector<std::pair<std::string, std::string>>{
             {"\\uD800", "invalid escape `\\uD800`: a lone UTF-16 surrogate"},
             {"\\uDE00", "invalid escape `\\uDE00`: a lone UTF-16 surrogate"},
             {"\\uD83D\\u0041", "invalid escape `\\uD83D`: a lone UTF-16 surrogate"},
             {"\\u12", "invalid escape `\\u12`; `\\u` takes four hex digits"},
             {"\\uXYZW", "invalid escape `\\uXYZW`; `\\u` takes four hex digits"},
             {"\\q", "unknown escape `\\q`;"},
             {"\\a", "unknown escape `\\a`;"},
             {"\\\xC3\xA9", "unknown escape `\\\xC3\xA9`;"}}) {
      INFO("escape " << escape);
      const Result result = parse_file(kHeader + "define d = 'ab" + escape + "'\n");
      INFO(result.formatted);
      REQUIRE(result.diagnostics.size() == 1);
      CHECK(result.diagnostics[0].code == "E0111");
      CHECK(result.diagnostics[0].message.find(message) == 0);
      CHECK(result.positions[0].line == 3);
      CHECK(result.positions[0].column == 15);
    }
  }
}

// Hostile input (docs/limits.md): every limit is a diagnostic, never a crash, a hang, a stack
// overflow or running out of memory. Rule files go through Guideline::compile, expressions
// through evaluate_expression, fact files through read_fact_file, and files on disk through
// the command line's read_source_file.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/parser.hpp"
#include "engine/expression.hpp"
#include "engine/guideline.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "tools/command.hpp"
#include "tools/fact_file.hpp"

namespace rubric {
namespace {

constexpr const char* kHeader = "guideline \"hostile\" version \"1\"\nsource 1 \"s\"\n";

struct Outcome {
  bool accepted = false;
  std::vector<std::string> codes;  // of the errors, in order
  std::string text;                // the formatted diagnostics
  double seconds = 0;

  [[nodiscard]] bool has(const std::string& code) const {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  }
};

template <typename Run>
Outcome measure(SourceManager& sources, Diagnostics& diagnostics, Run run) {
  const auto start = std::chrono::steady_clock::now();
  Outcome outcome;
  outcome.accepted = run();
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const Diagnostic& diagnostic : diagnostics.all()) {
    if (diagnostic.severity == Severity::error) {
      outcome.codes.emplace_back(diagnostic.code);
    }
  }
  outcome.text = format_diagnostics(sources, diagnostics);
  if (outcome.text.size() > 2000) {
    outcome.text = outcome.text.substr(0, 2000) + "...";
  }
  return outcome;
}

Outcome compile_rules(const std::string& text) {
  SourceManager sources;
  Diagnostics diagnostics;
  const FileId file = sources.add("hostile.rubric", text);
  return measure(sources, diagnostics,
                 [&] { return Guideline::compile(sources, file, diagnostics) != nullptr; });
}

Outcome expression(const std::string& text) {
  SourceManager sources;
  Diagnostics diagnostics;
  const FileId file = sources.add("<expression>", text);
  return measure(sources, diagnostics,
                 [&] { return evaluate_expression(sources, file, {}, diagnostics).has_value(); });
}

// Reads `text` as a fact file named `name` against a guideline with a fact of every type
// (grade: integer 0..3, score: decimal 0..10, flag, note: string, elapsed: duration, weight,
// height, given, dose, side: code).
Outcome facts(const std::string& name, const std::string& text) {
  SourceManager sources;
  Diagnostics diagnostics;
  const FileId file = sources.add(name, text);
  return measure(sources, diagnostics, [&] {
    return read_fact_file(sources, file, fuzz::every_type_guideline().facts(), diagnostics)
        .has_value();
  });
}

std::string repeat(std::string_view part, std::size_t count) {
  std::string out;
  out.reserve(part.size() * count);
  for (std::size_t i = 0; i < count; ++i) {
    out += part;
  }
  return out;
}

std::string rule(const std::string& condition) {
  return fmt::format("{}fact a: integer\nrecommendation r kind refer text \"r\" cite 1 when {}\n",
                     kHeader, condition);
}

// ---- Rule files and expressions ----------------------------------------------------------

TEST_CASE("100,000 nested parentheses are a nesting diagnostic", "[hostile]") {
  const std::string nested = repeat("(", 100000) + "a > 1" + repeat(")", 100000);
  const Outcome rules = compile_rules(rule(nested));
  INFO(rules.text);
  CHECK_FALSE(rules.accepted);
  CHECK(rules.has("E0102"));
  const Outcome alone = expression(repeat("(", 100000) + "1" + repeat(")", 100000));
  INFO(alone.text);
  CHECK_FALSE(alone.accepted);
  CHECK(alone.has("E0102"));
  // Unbalanced, and prefix operators: the same limit.
  CHECK(expression(repeat("(", 100000)).has("E0102"));
  CHECK(expression(repeat("not ", 100000) + "true").has("E0102"));
  CHECK(expression(repeat("-", 100000) + "1").has("E0102"));
  CHECK(compile_rules(rule(repeat("if true then ", 50000) + "true" + repeat(" else false", 50000)))
            .has("E0102"));
}

TEST_CASE("long operator chains are a depth diagnostic, not a stack overflow", "[hostile]") {
  const Outcome chain = compile_rules(rule("a > 1" + repeat(" or a > 1", 100000)));
  INFO(chain.text);
  CHECK_FALSE(chain.accepted);
  CHECK(chain.has("E0102"));
  // Just under the limit compiles and evaluates.
  const std::string below = "a > 1" + repeat(" or a > 1", kMaxExpressionDepth / 2 - 1);
  const Outcome fine = compile_rules(rule(below));
  INFO(fine.text);
  CHECK(fine.accepted);
}

TEST_CASE("a 50 MB rule file is a size diagnostic", "[hostile]") {
  const std::string huge = kHeader + std::string("// ") + std::string(50U * 1024U * 1024U, 'x');
  const Outcome outcome = compile_rules(huge);
  INFO(outcome.text);
  CHECK_FALSE(outcome.accepted);
  CHECK(outcome.codes == std::vector<std::string>{"E0104"});
  CHECK_THAT(outcome.text, Catch::Contains("the limit is 16777216 bytes"));
  CHECK(outcome.seconds < 5);

  // From disk, the command line stops reading at the limit.
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / fmt::format("rubric-hostile-{}.rubric", ::getpid());
  {
    std::ofstream out(path, std::ios::binary);
    out << huge;
  }
  SourceManager sources;
  std::ostringstream err;
  const std::optional<FileId> file = read_source_file(sources, path.string(), err);
  std::filesystem::remove(path);
  CHECK_FALSE(file);
  CHECK_THAT(err.str(), Catch::Contains("is larger than the limit of 16777216 bytes"));
}

TEST_CASE("a number with 400 digits is out of range, not an overflow", "[hostile]") {
  const std::string digits = "1" + std::string(399, '0');
  const Outcome integer = compile_rules(rule("a > " + digits));
  INFO(integer.text);
  CHECK_FALSE(integer.accepted);
  CHECK(integer.has("E0203"));
  const Outcome decimal = compile_rules(rule("a > " + digits + ".5"));
  INFO(decimal.text);
  CHECK(decimal.has("E0203"));
  const Outcome fraction = compile_rules(rule("a > 0." + std::string(400, '1')));
  INFO(fraction.text);
  CHECK(fraction.has("E0203"));
  const Outcome quantity = compile_rules(
      fmt::format("{}fact t: duration\nrecommendation r kind refer text \"r\" cite 1 when t > {} "
                  "days\n",
                  kHeader, digits));
  INFO(quantity.text);
  CHECK(quantity.has("E0203"));
  CHECK(expression(digits).has("E0203"));
  const Outcome source =
      compile_rules(fmt::format("guideline \"h\" version \"1\"\nsource {} \"s\"\n", digits));
  INFO(source.text);
  CHECK(source.has("E0110"));
}

TEST_CASE("invalid UTF-8 and NUL bytes in rule files are diagnostics", "[hostile]") {
  const Outcome invalid = compile_rules(rule("a > 1") + "// \xff\xfe\n");
  INFO(invalid.text);
  CHECK_FALSE(invalid.accepted);
  CHECK(invalid.has("E0105"));
  CHECK(compile_rules(rule("a > 1") + "// \xc0\x80 overlong NUL\n").has("E0105"));
  CHECK(compile_rules(rule("a > 1") + "// \xed\xa0\x80 surrogate\n").has("E0105"));
  CHECK(compile_rules(rule("a > 1") + "// \xf0\x9f\n truncated").has("E0105"));
  const Outcome nul = compile_rules(rule(std::string("a > 1\0", 6)));
  INFO(nul.text);
  CHECK_FALSE(nul.accepted);
  CHECK_FALSE(nul.codes.empty());
  // Inside a string or text a NUL byte is E0109 (tests/unit/test_parser_limits.cpp).
  const Outcome nul_in_string = compile_rules(
      fmt::format("{}fact a: integer\nrecommendation r kind refer text \"{}\" cite 1 when a > 1\n",
                  kHeader, std::string("x\0y", 3)));
  INFO(nul_in_string.text);
  CHECK_FALSE(nul_in_string.accepted);
  CHECK(expression(std::string("1 +\0 2", 6)).codes.size() >= 1);
}

TEST_CASE("very long identifiers and strings, and many declarations", "[hostile]") {
  const std::string long_name(kMaxIdentifierBytes + 1, 'n');
  const Outcome name = compile_rules(rule("a > 1") + "fact " + long_name + ": boolean\n");
  INFO(name.text);
  CHECK_FALSE(name.accepted);
  CHECK(name.has("E0106"));
  const std::string fitting_name(kMaxIdentifierBytes, 'n');
  const Outcome fitting =
      compile_rules(rule(fitting_name + " > 1")
                        .replace(std::string(kHeader).size(), std::string("fact a").size(),
                                 "fact " + fitting_name));
  INFO(fitting.text);
  CHECK(fitting.accepted);

  const std::string long_text(kMaxStringBytes + 1, 's');
  const Outcome text = compile_rules(
      fmt::format("{}fact a: integer\nrecommendation r kind refer text \"{}\" cite 1 when a > 1\n",
                  kHeader, long_text));
  INFO(text.text);
  CHECK_FALSE(text.accepted);
  CHECK(text.has("E0107"));
  CHECK(expression("'" + long_text + "'").has("E0107"));

  std::string many = kHeader;
  for (std::size_t i = 0; i <= kMaxDeclarations; ++i) {
    many += fmt::format("fact f{}: boolean\n", i);
  }
  const Outcome declarations = compile_rules(many);
  INFO(declarations.text);
  CHECK_FALSE(declarations.accepted);
  CHECK(declarations.has("E0108"));
  CHECK(declarations.seconds < 120);
}

// ---- Fact files ----------------------------------------------------------------------------

TEST_CASE("NaN and infinity in fact files are wrong values", "[hostile]") {
  for (const char* value : {".nan", ".NaN", ".inf", "-.inf", "+.Inf", "NaN", "nan", "Infinity"}) {
    const Outcome outcome = facts("f.yaml", fmt::format("score: {}\n", value));
    INFO(value << "\n" << outcome.text);
    CHECK_FALSE(outcome.accepted);
    CHECK(outcome.has("E0406"));
  }
  for (const char* value : {"NaN", "Infinity", "-Infinity"}) {
    const Outcome outcome = facts("f.json", fmt::format("{{\"score\": {}}}", value));
    INFO(value << "\n" << outcome.text);
    CHECK_FALSE(outcome.accepted);
    CHECK(outcome.has("E0401"));
  }
  const Outcome huge = facts("f.json", "{\"score\": 1e400}");
  INFO(huge.text);
  CHECK_FALSE(huge.accepted);
  CHECK_FALSE(huge.codes.empty());
}

TEST_CASE("a fact file that is a list or a scalar is rejected", "[hostile]") {
  for (const char* text : {"- 1\n- 2\n", "42\n", "just text\n", "[1, 2]\n", "'quoted'\n"}) {
    const Outcome outcome = facts("f.yaml", text);
    INFO(text << outcome.text);
    CHECK_FALSE(outcome.accepted);
    CHECK(outcome.codes == std::vector<std::string>{"E0402"});
  }
  for (const char* text : {"[1, 2]", "42", "\"text\"", "null", "true"}) {
    const Outcome outcome = facts("f.json", text);
    INFO(text << outcome.text);
    CHECK_FALSE(outcome.accepted);
    CHECK(outcome.codes == std::vector<std::string>{"E0402"});
  }
}

TEST_CASE("duplicate keys in fact files are reported", "[hostile]") {
  const Outcome yaml = facts("f.yaml", "grade: 1\nflag: true\ngrade: 2\n");
  INFO(yaml.text);
  CHECK_FALSE(yaml.accepted);
  CHECK(yaml.has("E0405"));
  const Outcome json = facts("f.json", "{\"grade\": 1, \"grade\": 1}");
  INFO(json.text);
  CHECK_FALSE(json.accepted);
  CHECK(json.has("E0405"));
}

TEST_CASE("a YAML bomb (billion laughs) is rejected quickly", "[hostile]") {
  std::string bomb =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char name = 'b'; name <= 'i'; ++name) {
    const char previous = static_cast<char>(name - 1);
    bomb += fmt::format("{}: &{} [", name, name);
    for (int i = 0; i < 9; ++i) {
      bomb += fmt::format("{}*{}", i == 0 ? "" : ",", previous);
    }
    bomb += "]\n";
  }
  const Outcome outcome = facts("bomb.yaml", bomb);
  INFO(outcome.text);
  CHECK_FALSE(outcome.accepted);
  CHECK_FALSE(outcome.codes.empty());
  CHECK(outcome.seconds < 5);
  // The bomb as the value of a declared fact.
  const Outcome value = facts("bomb.yaml", bomb + "note: *i\n");
  INFO(value.text);
  CHECK_FALSE(value.accepted);
  CHECK(value.seconds < 5);
  // An alias of a scalar is that scalar: YAML, not an attack.
  const Outcome alias = facts("alias.yaml", "grade: &g 1\nscore: *g\n");
  INFO(alias.text);
  CHECK(alias.accepted);
}

TEST_CASE("invalid UTF-8, NUL bytes and huge or deep fact files are diagnostics", "[hostile]") {
  CHECK(facts("f.yaml", "note: \"\xff\"\n").has("E0401"));
  CHECK(facts("f.json", "{\"note\": \"\xff\"}").has("E0401"));
  CHECK(facts("f.yaml", std::string("note: a\0b\n", 10)).has("E0401"));
  CHECK(facts("f.json", std::string("{\"note\": \"a\0b\"}", 15)).has("E0401"));
  const Outcome digits = facts("f.yaml", "grade: 1" + std::string(399, '0') + "\n");
  INFO(digits.text);
  CHECK(digits.has("E0409"));
  const Outcome json_digits = facts("f.json", "{\"grade\": 1" + std::string(399, '0') + "}");
  INFO(json_digits.text);
  CHECK_FALSE(json_digits.accepted);
  const Outcome deep_yaml = facts("f.yaml", "note: " + repeat("[", 100000) + repeat("]", 100000));
  INFO(deep_yaml.text);
  CHECK_FALSE(deep_yaml.accepted);
  CHECK_THAT(deep_yaml.text, Catch::Contains("invalid YAML: nested too deeply"));
  const Outcome deep_json =
      facts("f.json", "{\"note\": " + repeat("[", 100000) + repeat("]", 100000) + "}");
  INFO(deep_json.text);
  CHECK_FALSE(deep_json.accepted);
  const Outcome long_value = facts("f.yaml", "note: " + std::string(kMaxStringBytes + 1, 'v'));
  INFO(long_value.text);
  CHECK_FALSE(long_value.accepted);
  CHECK(long_value.has("E0409"));
  CHECK(facts("f.json", "{\"note\": \"" + std::string(kMaxStringBytes + 1, 'v') + "\"}")
            .has("E0409"));
  CHECK(facts("f.yaml", "note: " + std::string(kMaxStringBytes, 'v')).accepted);
}

}  // namespace
}  // namespace rubric

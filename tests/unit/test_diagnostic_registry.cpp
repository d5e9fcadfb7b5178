// The diagnostic registry (values/diagnostic_kinds.def): every kind has a well-formed, unique
// code whose letter matches its severity, a section or table row in docs/diagnostics.md, and a
// test that expects it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "dsl/diagnostic.hpp"
#include "values/diagnostic_kind.hpp"

namespace {

using rubric::DiagnosticInfo;
using rubric::DiagnosticKind;
using rubric::Severity;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  REQUIRE(stream);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// Kinds no test can provoke through an input, each with the reason.
const std::set<std::string_view> kNotExercised = {
    "E0199",  // an internal error of the parser: every parse-tree node it meets is one it knows
    "E0603",  // out of memory or an internal error of the C API (a bug)
};

}  // namespace

TEST_CASE("the registry's codes are unique, in numeric order, and match their severity") {
  std::set<std::string_view> codes;
  std::set<std::string_view> names;
  std::string_view previous;
  const std::regex shape("[EW]0[1-9][0-9][0-9]");
  for (std::size_t i = 0; i < rubric::all_diagnostic_kinds().size(); ++i) {
    const DiagnosticInfo& info = rubric::all_diagnostic_kinds()[i];
    INFO(info.code);
    CHECK(static_cast<std::size_t>(info.kind) == i);
    CHECK(&rubric::diagnostic_info(info.kind) == &info);
    CHECK(std::regex_match(std::string(info.code), shape));
    CHECK(codes.insert(info.code).second);
    CHECK(names.insert(info.name).second);
    CHECK(previous < info.code.substr(1));  // in numeric order, whatever the letter
    previous = info.code.substr(1);
    // E: errors; W: warnings, and the analysis's note W0506 (a finding of the same family).
    CHECK((info.code[0] == 'E') == (info.severity == Severity::error));
    CHECK(!info.summary.empty());
    CHECK(info.summary.back() != '.');
    CHECK(rubric::diagnostic_kind_of(info.code) == info.kind);
  }
  CHECK(rubric::diagnostic_kind_of("E0000") == std::nullopt);
  CHECK(rubric::diagnostic_kind_of("e0201") == std::nullopt);
}

TEST_CASE("a diagnostic takes its code and severity from its kind") {
  const rubric::Diagnostic unused(DiagnosticKind::unused_fact, rubric::SourceRange{}, "m");
  CHECK(unused.code == "W0301");
  CHECK(unused.severity == Severity::warning);
  rubric::Diagnostics diagnostics;
  diagnostics.report(DiagnosticKind::not_settled, rubric::SourceRange{}, "n");
  CHECK_FALSE(diagnostics.has_errors());
  diagnostics.report(DiagnosticKind::unknown_name, rubric::SourceRange{}, "e");
  CHECK(diagnostics.error_count() == 1);
  CHECK(diagnostics.all().front().code == "W0506");
  CHECK(diagnostics.all().front().severity == Severity::note);
}

TEST_CASE("every kind is documented in docs/diagnostics.md") {
  const std::filesystem::path root(RUBRIC_SOURCE_DIR);
  const std::string page = read_text(root / "docs/diagnostics.md");
  for (const DiagnosticInfo& info : rubric::all_diagnostic_kinds()) {
    INFO(info.code);
    // A heading that names the code (`### E0106, E0107, E0108: ...`) or a table row of it.
    const std::regex place("(^#+ [^\\n]*\\b" + std::string(info.code) + "\\b)|(^\\| " +
                               std::string(info.code) + " \\|)",
                           std::regex::multiline);
    CHECK(std::regex_search(page, place));
  }
}

TEST_CASE("every kind is expected by a test") {
  const std::filesystem::path tests = std::filesystem::path(RUBRIC_SOURCE_DIR) / "tests";
  std::string corpus;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tests)) {
    if (!entry.is_regular_file() || entry.path().filename() == "test_diagnostic_registry.cpp") {
      continue;
    }
    const std::string extension = entry.path().extension().string();
    if (extension == ".cpp" || extension == ".hpp" || extension == ".sh" ||
        extension == ".expected" || extension == ".json" || extension == ".yaml" ||
        extension == ".ndjson" || extension == ".txt") {
      corpus += read_text(entry.path());
      corpus += '\n';
    }
  }
  for (const DiagnosticInfo& info : rubric::all_diagnostic_kinds()) {
    INFO(info.code);
    // As a test expects it: `"E0201"` in C++, `error[E0201]` or `E0201` in an expected output.
    const bool expected = corpus.find('"' + std::string(info.code) + '"') != std::string::npos ||
                          corpus.find('[' + std::string(info.code) + ']') != std::string::npos ||
                          corpus.find(std::string(info.code) + ':') != std::string::npos;
    if (!kNotExercised.contains(info.code)) {
      CHECK(expected);
    }
  }
}

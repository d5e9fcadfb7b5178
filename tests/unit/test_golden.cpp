// Golden tests of diagnostics: for every tests/golden/fail_*.rubric (files with errors) and
// warn_*.rubric (files that compile, with warnings), the sorted output of format_diagnostics
// after rubric::Guideline::compile must equal the .expected beside it exactly.
// Set RUBRIC_UPDATE_GOLDEN=1 to rewrite the .expected files instead (see tests/golden/README.md),
// then review the diff: a golden file must only ever hold messages that are right.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/guideline.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;

using rubric::testing::read_text;

fs::path golden_directory() {
  return fs::path(RUBRIC_SOURCE_DIR) / "tests" / "golden";
}

bool starts_with(const fs::path& path, const char* prefix) {
  return path.filename().string().rfind(prefix, 0) == 0;
}

// Every fail_*.<extension> and warn_*.<extension> in tests/golden, sorted by name.
std::vector<fs::path> golden_files(const std::string& extension) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(golden_directory())) {
    if (entry.is_regular_file() && entry.path().extension() == extension &&
        (starts_with(entry.path(), "fail_") || starts_with(entry.path(), "warn_"))) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool updating() {
  const char* update = std::getenv("RUBRIC_UPDATE_GOLDEN");
  return update != nullptr && std::string(update) == "1";
}

struct Compiled {
  std::string output;
  bool compiled = false;
  bool has_errors = false;
  bool has_warnings = false;
};

Compiled compile(const fs::path& rule_file) {
  rubric::SourceManager sources;
  // The bare file name, so that the output does not depend on the checkout path.
  const rubric::FileId file = sources.add(rule_file.filename().string(), read_text(rule_file));
  rubric::Diagnostics diagnostics;
  const auto guideline = rubric::Guideline::compile(sources, file, diagnostics);
  diagnostics.sort();
  Compiled result;
  result.output = rubric::format_diagnostics(sources, diagnostics);
  result.compiled = guideline != nullptr;
  result.has_errors = diagnostics.has_errors();
  for (const rubric::Diagnostic& diagnostic : diagnostics.all()) {
    result.has_warnings = result.has_warnings || diagnostic.severity == rubric::Severity::warning;
  }
  return result;
}

}  // namespace

TEST_CASE("every fail_*.rubric and warn_*.rubric produces exactly the diagnostics in its .expected",
          "[golden]") {
  const std::vector<fs::path> rule_files = golden_files(".rubric");
  REQUIRE(rule_files.size() >= 15);
  const bool update = updating();
  for (const fs::path& rule_file : rule_files) {
    fs::path expected_file = rule_file;
    expected_file.replace_extension(".expected");
    INFO("golden file: " << rule_file.filename().string());
    const Compiled result = compile(rule_file);
    // A golden file exists to show a diagnostic: a fail_* file has at least one error, a
    // warn_* file none and at least one warning; the guideline compiles exactly when there is
    // no error.
    if (starts_with(rule_file, "warn_")) {
      CHECK_FALSE(result.has_errors);
      CHECK(result.has_warnings);
    } else {
      CHECK(result.has_errors);
    }
    CHECK(result.compiled == !result.has_errors);
    if (update) {
      std::ofstream(expected_file, std::ios::binary) << result.output;
      WARN("RUBRIC_UPDATE_GOLDEN=1: rewrote " << expected_file.string()
                                              << "; review the diff before committing");
      continue;
    }
    REQUIRE(fs::exists(expected_file));
    CHECK(result.output == read_text(expected_file));
  }
}

TEST_CASE("every fail_*.expected and warn_*.expected belongs to a .rubric", "[golden]") {
  for (const fs::path& expected_file : golden_files(".expected")) {
    fs::path rule_file = expected_file;
    rule_file.replace_extension(".rubric");
    INFO("orphaned golden file: " << expected_file.filename().string());
    CHECK(fs::exists(rule_file));
  }
}

TEST_CASE("golden diagnostics name the file by its bare name", "[golden]") {
  for (const fs::path& rule_file : golden_files(".rubric")) {
    const Compiled result = compile(rule_file);
    INFO("golden file: " << rule_file.filename().string());
    std::istringstream lines(result.output);
    std::string line;
    std::size_t headlines = 0;
    while (std::getline(lines, line)) {
      // Every diagnostic and note line starts with the bare file name.
      if (line.empty() || line[0] == ' ' ||
          std::isdigit(static_cast<unsigned char>(line[0])) != 0) {
        continue;
      }
      CHECK(line.rfind(rule_file.filename().string() + ":", 0) == 0);
      ++headlines;
    }
    CHECK(headlines > 0);
  }
}

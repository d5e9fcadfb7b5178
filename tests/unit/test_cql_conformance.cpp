// The HL7 CQL conformance runner: every test of the public CQL conformance suites in
// shared/cql-tests (see its README) whose expression uses only Rubric's expression subset is
// evaluated with evaluate_expression and compared with the expected CQL literal, itself
// evaluated as an expression. Tests outside the subset, or deliberately different because of
// a pinned choice, are listed with a reason in tests/unit/cql_skip_list.tsv; skipping is
// decided by that list alone, so a test our parser rejects that is not on the list is a
// failure. Entries whose reason starts with `KNOWN BUG:` are engine bugs still to fix: they are
// run and reported, but do not fail the test. A stale entry (naming no test) fails the test.
#include <pugixml.hpp>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"
#include "engine/expression.hpp"
#include "values/value.hpp"

namespace rubric {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKnownBug = "KNOWN BUG:";
constexpr std::string_view kWholeGroup = "*";

struct ConformanceTest {
  std::string suite;  // the file name without `.xml`
  std::string group;
  std::string name;
  std::string expression;
  std::optional<std::string> invalid;  // the `invalid` attribute, unless absent or "false"
  std::vector<std::string> outputs;
};

// One line of the skip list: `Suite<TAB>Group<TAB>Test<TAB>reason`; Test `*` covers the group.
struct SkipEntry {
  std::string suite;
  std::string group;
  std::string test;
  std::string reason;
  std::size_t line = 0;
  bool used = false;
  [[nodiscard]] bool known_bug() const { return reason.starts_with(kKnownBug); }
};

struct SkipList {
  std::vector<SkipEntry> entries;
  std::vector<std::string> errors;

  // The entry naming the test itself, else the one covering its group.
  SkipEntry* find(const ConformanceTest& test) {
    SkipEntry* group_entry = nullptr;
    for (SkipEntry& entry : entries) {
      if (entry.suite != test.suite || entry.group != test.group) {
        continue;
      }
      if (entry.test == test.name) {
        return &entry;
      }
      if (entry.test == kWholeGroup) {
        group_entry = &entry;
      }
    }
    return group_entry;
  }
};

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// The text on one line, runs of white space collapsed, for messages.
std::string one_line(std::string_view text) {
  std::string result;
  bool space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !result.empty()) {
      result += ' ';
    }
    space = false;
    result += c;
  }
  return result;
}

SkipList load_skip_list(const fs::path& path) {
  SkipList list;
  std::ifstream in(path);
  if (!in) {
    list.errors.push_back("cannot read the skip list " + path.string());
    return list;
  }
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (trim(line).empty() || line.front() == '#') {
      continue;
    }
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (int i = 0; i < 3; ++i) {
      const std::size_t tab = line.find('\t', start);
      if (tab == std::string::npos) {
        break;
      }
      fields.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    fields.push_back(line.substr(start));
    const std::string where = path.filename().string() + ":" + std::to_string(number);
    if (fields.size() != 4 || trim(fields[0]).empty() || trim(fields[1]).empty() ||
        trim(fields[2]).empty()) {
      list.errors.push_back(where + ": expected Suite<TAB>Group<TAB>Test<TAB>reason");
      continue;
    }
    SkipEntry entry{trim(fields[0]), trim(fields[1]), trim(fields[2]), trim(fields[3]), number};
    if (entry.reason.empty() ||
        (entry.known_bug() && trim(entry.reason.substr(kKnownBug.size())).empty())) {
      list.errors.push_back(where + ": the entry gives no reason");
      continue;
    }
    if (!seen.emplace(entry.suite, entry.group, entry.test).second) {
      list.errors.push_back(where + ": duplicate entry " + entry.suite + "/" + entry.group + "/" +
                            entry.test);
      continue;
    }
    list.entries.push_back(std::move(entry));
  }
  return list;
}

std::vector<ConformanceTest> load_suite(const fs::path& path, std::vector<std::string>& errors) {
  std::vector<ConformanceTest> tests;
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_file(path.c_str());
  if (!parsed) {
    errors.push_back(path.filename().string() + ": " + parsed.description());
    return tests;
  }
  const std::string suite = path.stem().string();
  for (const pugi::xml_node group : document.child("tests").children("group")) {
    for (const pugi::xml_node node : group.children("test")) {
      ConformanceTest test;
      test.suite = suite;
      test.group = group.attribute("name").value();
      test.name = node.attribute("name").value();
      const pugi::xml_node expression = node.child("expression");
      test.expression = trim(expression.text().get());
      const pugi::xml_attribute invalid = expression.attribute("invalid");
      if (invalid && std::string_view(invalid.value()) != "false") {
        test.invalid = invalid.value();
      }
      for (const pugi::xml_node output : node.children("output")) {
        test.outputs.push_back(trim(output.text().get()));
      }
      tests.push_back(std::move(test));
    }
  }
  return tests;
}

struct Evaluation {
  std::optional<ExpressionResult> result;
  std::string problem;  // the first diagnostic when rejected
};

Evaluation evaluate(SourceManager& sources, const std::string& name, const std::string& text) {
  Evaluation evaluation;
  const FileId file = sources.add(name, text);
  Diagnostics diagnostics;
  try {
    evaluation.result = evaluate_expression(sources, file, {}, diagnostics);
  } catch (const std::exception& error) {
    evaluation.problem = std::string("exception: ") + error.what();
    return evaluation;
  }
  if (!evaluation.result) {
    const auto& all = diagnostics.all();
    const auto first = std::find_if(all.begin(), all.end(), [](const Diagnostic& diagnostic) {
      return diagnostic.severity == Severity::error;
    });
    evaluation.problem = first == all.end()
                             ? std::string("rejected without an error diagnostic")
                             : "error[" + std::string(first->code) + "]: " + first->message;
  }
  return evaluation;
}

// Whether our value matches the expected one: both null; or the same kind and equal by value
// (`=`), or the same literal. Integer 2 does not match Decimal 2.0. Quantities match when `=`
// holds after unit conversion.
bool matches(const Value& ours, const Value& expected) {
  if (ours.is_null() || expected.is_null()) {
    return ours.is_null() && expected.is_null();
  }
  if (ours.kind() != expected.kind()) {
    return false;
  }
  const Value same = equal(ours, expected);
  if (!same.is_null() && same.as_boolean()) {
    return true;
  }
  return ours.kind() != ValueKind::quantity && to_literal(ours) == to_literal(expected);
}

struct Outcome {
  bool passed = false;
  std::string expected;  // for the failure line
  std::string got;
};

Outcome run(SourceManager& sources, const ConformanceTest& test) {
  const std::string id = test.suite + "/" + test.group + "/" + test.name;
  const Evaluation ours = evaluate(sources, id, test.expression);
  Outcome outcome;
  outcome.got = ours.result ? ours.result->literal : ours.problem;
  if (test.invalid) {
    outcome.expected = "rejection (invalid=\"" + *test.invalid + "\")";
    outcome.passed = !ours.result && ours.problem.rfind("exception: ", 0) != 0;
    return outcome;
  }
  if (test.outputs.size() != 1) {
    outcome.expected = std::to_string(test.outputs.size()) + " outputs";
    return outcome;
  }
  outcome.expected = one_line(test.outputs.front());
  if (!ours.result) {
    return outcome;
  }
  const Evaluation expected = evaluate(sources, id + " (output)", test.outputs.front());
  if (!expected.result) {
    outcome.got += " (and the expected output does not evaluate: " + expected.problem + ")";
    return outcome;
  }
  outcome.passed = matches(ours.result->value, expected.result->value);
  if (!outcome.passed && ours.result->value.kind() != expected.result->value.kind() &&
      ours.result->literal == expected.result->literal) {
    outcome.got += " (of another type)";
  }
  return outcome;
}

TEST_CASE("CQL conformance suites", "[cql]") {
  const fs::path directory = fs::path(RUBRIC_SHARED_DIR) / "cql-tests";
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    WARN("shared/cql-tests not found: CQL conformance skipped");
    return;
  }
  // The suites, and in `datetime/` the date and time suite (kept apart so that runners from
  // before dates did not read it).
  std::vector<fs::path> files;
  for (const fs::path& folder : {directory, directory / "datetime"}) {
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
      if (entry.is_regular_file() && entry.path().extension() == ".xml") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());

  std::vector<std::string> errors;
  std::vector<ConformanceTest> tests;
  for (const fs::path& file : files) {
    std::vector<ConformanceTest> suite = load_suite(file, errors);
    tests.insert(tests.end(), suite.begin(), suite.end());
  }
  SkipList skips = load_skip_list(fs::path(RUBRIC_SOURCE_DIR) / "tests/unit/cql_skip_list.tsv");
  errors.insert(errors.end(), skips.errors.begin(), skips.errors.end());

  SourceManager sources;
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
  std::size_t known_bugs = 0;
  std::ostringstream report;
  for (const ConformanceTest& test : tests) {
    const std::string id = test.suite + "/" + test.group + "/" + test.name;
    SkipEntry* skip = skips.find(test);
    if (skip != nullptr) {
      skip->used = true;
      ++skipped;
      if (skip->known_bug()) {
        // Still run, so a fixed bug shows.
        ++known_bugs;
        const Outcome outcome = run(sources, test);
        report << (outcome.passed ? "FIXED (remove from the skip list) " : "KNOWN BUG ") << id
               << ": " << one_line(test.expression) << " expected " << outcome.expected << " got "
               << outcome.got << "\n";
        if (outcome.passed) {
          WARN("known bug now passes; remove it from cql_skip_list.tsv: " << id);
        }
      }
      continue;
    }
    const Outcome outcome = run(sources, test);
    if (outcome.passed) {
      ++passed;
      continue;
    }
    ++failed;
    report << "FAIL " << id << ": " << one_line(test.expression) << " expected " << outcome.expected
           << " got " << outcome.got << "\n";
  }

  // Every entry must name a test (or a group, for `*`) that exists.
  std::set<std::tuple<std::string, std::string>> groups;
  for (const ConformanceTest& test : tests) {
    groups.emplace(test.suite, test.group);
  }
  for (const SkipEntry& entry : skips.entries) {
    if (entry.used) {
      continue;
    }
    const bool group_exists = groups.contains({entry.suite, entry.group});
    errors.push_back("cql_skip_list.tsv:" + std::to_string(entry.line) + ": stale entry " +
                     entry.suite + "/" + entry.group + "/" + entry.test +
                     (!group_exists               ? " names no group"
                      : entry.test == kWholeGroup ? " covers no test without its own entry"
                                                  : " names no test"));
  }

  std::cout << report.str();
  std::cout << "CQL conformance: " << passed << " passed, " << failed << " failed, " << skipped
            << " skipped (of " << tests.size() << ")";
  std::cout << "\n";
  if (known_bugs > 0) {
    std::cout << "CQL conformance: " << known_bugs
              << " of the skipped are KNOWN BUG entries (cql_skip_list.tsv)\n";
  }

  for (const std::string& message : errors) {
    FAIL_CHECK(message);
  }
  CHECK_FALSE(tests.empty());
  INFO("failing CQL conformance tests are listed on stdout");
  CHECK(failed == 0);
}

}  // namespace
}  // namespace rubric

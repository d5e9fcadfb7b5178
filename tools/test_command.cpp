#include "tools/command.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>

#include "tools/case_file.hpp"
#include "tools/coverage.hpp"

namespace rubric {
namespace {

int test(const std::string& guideline_path, const std::vector<std::string>& case_paths,
         bool with_coverage, const std::string& format, const std::string& as_of_text,
         std::ostream& out, std::ostream& err) {
  const std::optional<DateTime> as_of = evaluation_date(as_of_text, err);
  if (!as_of) {
    return kExitUsage;
  }
  SourceManager sources;
  int exit_code = 0;
  const auto guideline = load_guideline(sources, guideline_path, err, exit_code);
  if (!guideline) {
    return exit_code;
  }
  std::vector<std::string> missing;
  const std::vector<std::string> files = collect_case_files(case_paths, missing);
  for (const std::string& path : missing) {
    err << fmt::format("error: no case file or folder `{}`\n", path);
  }
  if (!missing.empty()) {
    return kExitUsage;
  }
  std::size_t passed = 0;
  std::size_t failed = 0;
  CoverageRecorder coverage(*guideline);
  nlohmann::ordered_json cases = nlohmann::ordered_json::array();
  for (const std::string& path : files) {
    const CaseOutcome outcome = run_case_file(*guideline, sources, path, &coverage, as_of);
    if (outcome.passed) {
      ++passed;
    } else {
      ++failed;
      if (format == "text") {
        std::string explanation = outcome.explanation;
        while (!explanation.empty() && explanation.back() == '\n') {
          explanation.pop_back();
        }
        out << fmt::format("FAIL {}\n{}\n\n", path, explanation);
      }
    }
    cases.push_back(
        {{"case", path}, {"passed", outcome.passed}, {"explanation", outcome.explanation}});
  }
  if (format == "json") {
    nlohmann::ordered_json result = {{"passed", passed}, {"failed", failed}, {"cases", cases}};
    if (with_coverage) {
      result["coverage"] = coverage.to_json(sources);
    }
    out << result.dump(2) << "\n";
  } else {
    if (with_coverage) {
      out << coverage.to_text(sources) << "\n";
    }
    out << fmt::format("{} passed, {} failed\n", passed, failed);
  }
  if (files.empty()) {
    err << "error: no case files found\n";
  }
  return failed == 0 && !files.empty() ? 0 : kExitInputError;
}

}  // namespace

Command add_test_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  struct Options {
    std::string guideline;
    std::vector<std::string> cases;
    bool coverage = false;
    std::string format = "text";
    std::string as_of;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand("test", "Run case files against a guideline");
  command->add_option("GUIDELINE", options->guideline, "Rule file (.rubric)")->required();
  command->add_option("CASES", options->cases, "Case files or folders")->required();
  command->add_flag("--coverage", options->coverage,
                    "Report which recommendations and conditions the cases reach");
  command->add_option("--format", options->format, "Output format (default text)")
      ->check(CLI::IsMember({"text", "json"}));
  add_as_of_option(*command, options->as_of);
  return {command, [options, &out, &err] {
            return test(options->guideline, options->cases, options->coverage, options->format,
                        options->as_of, out, err);
          }};
}

}  // namespace rubric

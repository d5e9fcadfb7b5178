#include "tools/command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "tools/report.hpp"

namespace rubric {
namespace {

int check(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  int exit_code = 0;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const std::string& path : files) {
    SourceManager sources;
    const std::optional<FileId> file = read_source_file(sources, path, err);
    if (!file) {
      exit_code = std::max(exit_code, kExitUsage);
      continue;
    }
    Diagnostics diagnostics;
    const auto guideline = Guideline::compile(sources, *file, diagnostics);
    err << format_diagnostics(sources, diagnostics);
    for (const Diagnostic& diagnostic : diagnostics.all()) {
      errors += diagnostic.severity == Severity::error ? 1 : 0;
      warnings += diagnostic.severity == Severity::warning ? 1 : 0;
    }
    if (!guideline) {
      exit_code = std::max(exit_code, kExitInputError);
    }
  }
  out << fmt::format("{} file{} checked: {} error{}, {} warning{}\n", files.size(),
                     files.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
                     warnings == 1 ? "" : "s");
  return exit_code;
}

}  // namespace

Command add_check_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* command = app.add_subcommand("check", "Check rule files and print diagnostics");
  command->add_option("FILE", *files, "Rule files (.rubric)")->required();
  return {command, [files, &out, &err] { return check(*files, out, err); }};
}

}  // namespace rubric

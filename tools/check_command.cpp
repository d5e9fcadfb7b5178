// `rubric check FILE... [--format text|json] [--no-analysis]`: diagnostics for rule files,
// then, for every file that compiles, the analysis findings (W05xx: dead recommendations,
// redundant or contradictory sub-conditions, ...), each about patients with a witness.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "authoring/analysis.hpp"
#include "dsl/parser.hpp"
#include "tools/command.hpp"
#include "tools/read_file.hpp"
#include "tools/report.hpp"

namespace rubric {
namespace {

nlohmann::ordered_json witness_to_json(const Guideline& guideline, const FactSet& facts) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  const auto specs = guideline.facts();
  for (std::uint32_t i = 0; i < specs.size(); ++i) {
    out[specs[i].name] = value_to_json(facts.get(FactId{i}));
  }
  return out;
}

struct CheckOptions {
  std::vector<std::string> files;
  std::string format = "text";
  bool analysis = true;
};

int check(const CheckOptions& options, std::ostream& out, std::ostream& err) {
  int exit_code = 0;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::size_t unreadable = 0;
  const bool json = options.format == "json";
  nlohmann::ordered_json files_json = nlohmann::ordered_json::array();
  for (const std::string& path : options.files) {
    SourceManager sources;
    std::string read_error;
    std::optional<std::string> text = read_whole_file(path, kMaxSourceBytes, read_error);
    if (!text) {
      // An unreadable file counts as one error of the summary.
      err << fmt::format("error: {}\n", read_error);
      ++unreadable;
      ++errors;
      if (json) {
        files_json.push_back({{"file", path},
                              {"ok", false},
                              {"readable", false},
                              {"error", read_error},
                              {"diagnostics", nlohmann::ordered_json::array()}});
      }
      exit_code = std::max(exit_code, kExitUsage);
      continue;
    }
    const FileId file = sources.add(path, std::move(*text));
    Diagnostics diagnostics;
    const auto guideline = Guideline::compile(sources, file, diagnostics);
    std::vector<AnalysisFinding> findings;
    if (guideline && options.analysis) {
      findings = analyse_guideline(*guideline, sources);
    }
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    const auto count = [&](const Diagnostic& diagnostic) {
      errors += diagnostic.severity == Severity::error ? 1 : 0;
      warnings += diagnostic.severity == Severity::warning ? 1 : 0;
      if (json) {
        nlohmann::ordered_json entry = {{"code", diagnostic.code},
                                        {"severity", severity_name(diagnostic.severity)},
                                        {"location", location(sources, diagnostic.range)},
                                        {"message", diagnostic.message}};
        entries.push_back(entry);
      }
    };
    for (const Diagnostic& diagnostic : diagnostics.all()) {
      count(diagnostic);
    }
    if (!json) {
      err << format_diagnostics(sources, diagnostics);
    }
    for (const AnalysisFinding& finding : findings) {
      count(finding.diagnostic);
      if (json) {
        if (finding.witness) {
          entries.back()["witness"] = witness_to_json(*guideline, *finding.witness);
        }
        continue;
      }
      err << format_diagnostic(sources, finding.diagnostic);
      if (finding.witness) {
        err << fmt::format("  witness: {}\n", witness_text(*guideline, *finding.witness));
      }
    }
    if (json) {
      files_json.push_back({{"file", path},
                            {"ok", guideline != nullptr},
                            {"readable", true},
                            {"diagnostics", entries}});
    }
    if (!guideline) {
      exit_code = std::max(exit_code, kExitInputError);
    }
  }
  if (json) {
    nlohmann::ordered_json result = {{"files", files_json},
                                     {"errors", errors},
                                     {"warnings", warnings},
                                     {"unreadable", unreadable}};
    out << result.dump(2) << "\n";
    return exit_code;
  }
  out << fmt::format("{} file{} checked: {} error{}, {} warning{}", options.files.size(),
                     options.files.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
                     warnings == 1 ? "" : "s");
  if (unreadable > 0) {
    out << fmt::format("; {} file{} could not be read", unreadable, unreadable == 1 ? "" : "s");
  }
  out << "\n";
  return exit_code;
}

}  // namespace

Command add_check_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* command = app.add_subcommand(
      "check", "Check rule files: diagnostics, then analysis findings with witnesses");
  command->add_option("FILE", options->files, "Rule files (.rubric)")->required();
  command->add_option("--format", options->format, "Output format (default text)")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_flag(
      "--no-analysis", [options](std::int64_t) { options->analysis = false; },
      "Only the checker's diagnostics, without the analysis findings");
  return {command, [options, &out, &err] { return check(*options, out, err); }};
}

}  // namespace rubric

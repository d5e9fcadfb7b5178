#include "tools/command.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>

#include "tools/fact_file.hpp"
#include "tools/record_file.hpp"
#include "tools/report.hpp"

namespace rubric {
namespace {

int eval(const std::string& guideline_path, const std::vector<std::string>& fact_paths,
         const std::string& format, const std::string& as_of_text, std::ostream& out,
         std::ostream& err) {
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
  // Every fact file is read and checked before anything is evaluated.
  std::vector<FactSet> fact_sets;
  bool rejected = false;
  for (const std::string& path : fact_paths) {
    const std::optional<FileId> file = read_source_file(sources, path, err);
    if (!file) {
      return kExitUsage;
    }
    if (is_fhir_record(sources, *file)) {  // a FHIR Bundle: the facts its bindings read
      std::optional<RecordReading> reading =
          read_record_file(sources, *file, *guideline, *as_of, err);
      if (!reading) {
        err << fmt::format("error: `{}` was rejected\n", path);
        rejected = true;
        continue;
      }
      fact_sets.push_back(std::move(reading->facts));
      continue;
    }
    Diagnostics diagnostics;
    std::optional<FactSet> facts = read_fact_file(sources, *file, guideline->facts(), diagnostics);
    if (!facts) {
      err << format_diagnostics(sources, diagnostics);
      err << fmt::format("error: `{}` was rejected\n", path);
      rejected = true;
      continue;
    }
    guideline->set_evaluation_date(*facts, *as_of);
    fact_sets.push_back(std::move(*facts));
  }
  if (rejected) {
    err << "nothing was evaluated\n";
    return kExitInputError;
  }
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (std::size_t index = 0; index < fact_sets.size(); ++index) {
    const std::string& path = fact_paths[index];
    const FactSet* facts = &fact_sets[index];
    EvaluationScratch scratch;
    Decision decision;
    guideline->evaluate(*facts, scratch, decision);
    if (format == "json") {
      nlohmann::ordered_json result =
          decision_to_json(*guideline, sources, *facts, scratch, decision);
      result["facts"] = path;
      results.push_back(std::move(result));
    } else {
      if (fact_paths.size() > 1) {
        out << fmt::format("== {}\n", path);
      }
      out << decision_to_text(*guideline, sources, *facts, scratch, decision);
    }
  }
  if (format == "json") {
    out << (results.size() == 1 ? results.front() : results)
               .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
        << "\n";
  }
  return 0;
}

}  // namespace

Command add_eval_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  struct Options {
    std::string guideline;
    std::vector<std::string> facts;
    std::string format = "text";
    std::string as_of;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command =
      app.add_subcommand("eval", "Evaluate a guideline on one or more fact files or FHIR records");
  command->add_option("GUIDELINE", options->guideline, "Rule file (.rubric)")->required();
  command
      ->add_option("FACTS", options->facts,
                   "Fact files (YAML or JSON) or FHIR records (a JSON Bundle)")
      ->required();
  command->add_option("--format", options->format, "Output format (default text)")
      ->check(CLI::IsMember({"text", "json"}));
  add_as_of_option(*command, options->as_of);
  return {command, [options, &out, &err] {
            return eval(options->guideline, options->facts, options->format, options->as_of, out,
                        err);
          }};
}

}  // namespace rubric

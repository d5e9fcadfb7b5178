#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ostream>

#include "authoring/explain.hpp"
#include "tools/command.hpp"
#include "tools/explain_output.hpp"
#include "tools/fact_file.hpp"
#include "tools/record_file.hpp"
#include "tools/report.hpp"

namespace rubric {
namespace {

struct ExplainOptions {
  std::string guideline;
  std::string facts;
  std::vector<std::string> ids;
  std::string format = "text";
  std::string as_of;
};

int explain_decision(const ExplainOptions& options, std::ostream& out, std::ostream& err) {
  const std::optional<DateTime> as_of = evaluation_date(options.as_of, err);
  if (!as_of) {
    return kExitUsage;
  }
  SourceManager sources;
  int exit_code = kExitSuccess;
  const auto guideline = load_guideline(sources, options.guideline, err, exit_code);
  if (!guideline) {
    return exit_code;
  }
  std::vector<std::size_t> selected;
  for (const std::string& id : options.ids) {
    const std::optional<std::size_t> index = guideline->find_recommendation(id);
    if (!index) {
      std::string known;
      for (const RecommendationInfo& recommendation : guideline->recommendations()) {
        known += fmt::format("{}`{}`", known.empty() ? "" : ", ", recommendation.id);
      }
      err << fmt::format("error: `{}` has no recommendation `{}`; its recommendations are {}\n",
                         options.guideline, id, known);
      return kExitUsage;
    }
    selected.push_back(*index);
  }
  if (options.ids.empty()) {
    for (std::size_t index = 0; index < guideline->recommendations().size(); ++index) {
      selected.push_back(index);
    }
  }
  const std::optional<FileId> file = read_source_file(sources, options.facts, err);
  if (!file) {
    return kExitUsage;
  }
  Diagnostics diagnostics;
  std::optional<FactSet> facts;
  std::optional<RecordReading> record;  // when the facts come from a FHIR record
  if (is_fhir_record(sources, *file)) {
    record = read_record_file(sources, *file, *guideline, *as_of, err);
    if (!record) {
      err << fmt::format("error: `{}` was rejected; nothing was explained\n", options.facts);
      return kExitInputError;
    }
    facts = std::move(record->facts);
  } else {
    facts = read_fact_file(sources, *file, guideline->facts(), diagnostics);
  }
  if (facts) {
    guideline->set_evaluation_date(*facts, *as_of);
  } else {
    err << format_diagnostics(sources, diagnostics);
    err << fmt::format("error: `{}` was rejected; nothing was explained\n", options.facts);
    return kExitInputError;
  }
  EvaluationScratch scratch;
  Decision decision;
  guideline->evaluate_with_values(*facts, scratch, decision);
  std::vector<Explanation> explanations;
  explanations.reserve(selected.size());
  for (const std::size_t index : selected) {
    explanations.push_back(explain(*guideline, sources, *facts, scratch, decision, index));
  }
  if (options.format == "json") {
    nlohmann::ordered_json result = explanations_to_json(explanations, sources);
    if (record) {
      // Where each bound fact came from, or why it is absent, as the text ends with.
      result["sources"] = fact_sources_list_json(*guideline, *record, *facts);
    }
    out << result.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    out << explanations_to_text(explanations, sources);
    if (record) {
      // Where each bound fact came from, or why it is absent: what a clinician would record.
      out << fmt::format("\nFacts read from {} as of {}:\n", options.facts, as_of->to_iso());
      const auto specs = guideline->facts();
      for (std::size_t i = 0; i < specs.size(); ++i) {
        const FactProvenance& source = record->provenance[i];
        const Value& value = facts->get(FactId{static_cast<std::uint32_t>(i)});
        if (!specs[i].binding) {
          continue;
        }
        if (value.is_null()) {
          out << fmt::format("  {} is absent: {}\n", specs[i].name,
                             source.absent_reason.empty() ? "nothing in the record gives it"
                                                          : source.absent_reason);
          continue;
        }
        std::string from = source.resource;
        if (from.empty()) {
          from = fmt::format("{}", fmt::join(source.resources, ", "));
        }
        out << fmt::format("  {} = {} from {}{}\n", specs[i].name, display_value(value), from,
                           source.date.empty() ? "" : " (" + source.date + ")");
      }
    }
  }
  return kExitSuccess;
}

}  // namespace

Command add_explain_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  auto options = std::make_shared<ExplainOptions>();
  CLI::App* command = app.add_subcommand(
      "explain", "Explain why recommendations were made, not made, or left undetermined");
  command->add_option("GUIDELINE", options->guideline, "Rule file (.rubric)")->required();
  command
      ->add_option("FACTS", options->facts,
                   "One fact file (YAML or JSON) or FHIR record (a JSON Bundle)")
      ->required();
  command
      ->add_option("--id", options->ids,
                   "Explain only this recommendation (repeatable; default: all of them)")
      ->allow_extra_args(false);
  command->add_option("--format", options->format, "Output format (default text)")
      ->check(CLI::IsMember({"text", "json"}));
  add_as_of_option(*command, options->as_of);
  return {command, [options, &out, &err] { return explain_decision(*options, out, err); }};
}

}  // namespace rubric

// `rubric facts GUIDELINE RECORD.json [--as-of DATE] [--format yaml|json]`: the facts the
// guideline's bindings read from a FHIR record (docs/fhir.md), as a fact file, each value with
// the resource it came from and each absent fact with the reason.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "tools/command.hpp"
#include "tools/record_file.hpp"

namespace rubric {
namespace {

int facts(const std::string& guideline_path, const std::string& record_path,
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
  const std::optional<FileId> file = read_source_file(sources, record_path, err);
  if (!file) {
    return kExitUsage;
  }
  const std::optional<RecordReading> reading =
      read_record_file(sources, *file, *guideline, *as_of, err);
  if (!reading) {
    err << fmt::format("error: `{}` was rejected\n", record_path);
    return kExitInputError;
  }
  const std::span<const FactSpec> specs = guideline->facts();
  if (format == "json") {
    nlohmann::ordered_json result;
    result["record"] = record_path;
    result["as_of"] = as_of->to_iso();
    nlohmann::ordered_json& read = result["facts"] = nlohmann::ordered_json::object();
    for (auto& [name, entry] : fact_sources_json(*guideline, *reading, reading->facts)) {
      read[name] = std::move(entry);
    }
    out << result.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    return kExitSuccess;
  }
  out << fmt::format("# facts read from {} as of {}\n", record_path, as_of->to_iso());
  std::string absent;
  for (std::size_t index = 0; index < specs.size(); ++index) {
    const FactSpec& spec = specs[index];
    if (spec.evaluation_date || !spec.binding) {
      continue;
    }
    const Value& value = reading->facts.values()[index];
    const FactProvenance& provenance = reading->provenance[index];
    if (value.kind() == ValueKind::null) {
      absent += fmt::format("# {}: absent: {}\n", spec.name, provenance.absent_reason);
      continue;
    }
    std::string from;
    for (const std::string& resource : provenance.resources) {
      from += (from.empty() ? "" : ", ") + resource;
    }
    if (!provenance.date.empty()) {
      from += fmt::format(" ({})", provenance.date);
    }
    out << fmt::format("{}: {}  # {}\n", spec.name, fact_value_json(value).dump(), from);
  }
  out << absent;
  return kExitSuccess;
}

}  // namespace

Command add_facts_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  struct Options {
    std::string guideline;
    std::string record;
    std::string format = "yaml";
    std::string as_of;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command =
      app.add_subcommand("facts", "Print the facts a guideline's bindings read from a FHIR record");
  command->add_option("GUIDELINE", options->guideline, "Rule file (.rubric)")->required();
  command->add_option("RECORD", options->record, "FHIR record (a JSON Bundle)")->required();
  command->add_option("--format", options->format, "Output format (default yaml)")
      ->check(CLI::IsMember({"yaml", "json"}));
  add_as_of_option(*command, options->as_of);
  return {command, [options, &out, &err] {
            return facts(options->guideline, options->record, options->format, options->as_of, out,
                         err);
          }};
}

}  // namespace rubric

#include "tools/record_file.hpp"

#include <fmt/format.h>

#include <ostream>

namespace rubric {

bool is_fhir_record(const SourceManager& sources, FileId file) {
  return looks_like_fhir_resource(sources.text(file));
}

std::string format_record_error(const SourceManager& sources, FileId file,
                                const RecordError& error) {
  std::string where(sources.name(file));
  if (error.offset && *error.offset <= sources.text(file).size()) {
    const LineColumn position =
        sources.line_column(file, static_cast<std::uint32_t>(*error.offset));
    where += fmt::format(":{}:{}", position.line, position.column);
  }
  return fmt::format("{}: error[{}]: {}\n", where, diagnostic_info(error.kind).code, error.message);
}

std::optional<RecordReading> read_record_file(const SourceManager& sources, FileId file,
                                              const Guideline& guideline, const DateTime& as_of,
                                              std::ostream& err) {
  RecordReading reading = read_record(guideline.facts(), sources.text(file), as_of);
  if (!reading.ok()) {
    err << format_record_error(sources, file, *reading.error);
    return std::nullopt;
  }
  guideline.set_evaluation_date(reading.facts, as_of);
  return reading;
}

nlohmann::ordered_json fact_value_json(const Value& value) {
  const std::string text = to_text(value, TextStyle::fact_file);
  switch (value.kind()) {
    case ValueKind::boolean: return value.as_boolean();
    case ValueKind::integer:
    case ValueKind::decimal: return nlohmann::ordered_json::parse(text);
    default: return text;
  }
}

std::vector<std::pair<std::string, nlohmann::ordered_json>> fact_sources_json(
    const Guideline& guideline, const RecordReading& reading, const FactSet& facts) {
  std::vector<std::pair<std::string, nlohmann::ordered_json>> sources;
  const std::span<const FactSpec> specs = guideline.facts();
  for (std::size_t index = 0; index < specs.size(); ++index) {
    const FactSpec& spec = specs[index];
    if (spec.evaluation_date || !spec.binding) {
      continue;
    }
    const Value& value = facts.values()[index];
    const FactProvenance& provenance = reading.provenance[index];
    nlohmann::ordered_json entry;
    if (value.kind() == ValueKind::null) {
      entry["value"] = nullptr;
      entry["absent"] = provenance.absent_reason;
    } else {
      entry["value"] = fact_value_json(value);
      entry["resources"] = provenance.resources;
      if (!provenance.date.empty()) {
        entry["date"] = provenance.date;
      }
    }
    sources.emplace_back(spec.name, std::move(entry));
  }
  return sources;
}

nlohmann::ordered_json fact_sources_list_json(const Guideline& guideline,
                                              const RecordReading& reading, const FactSet& facts) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (auto& [name, entry] : fact_sources_json(guideline, reading, facts)) {
    nlohmann::ordered_json item;
    item["fact"] = name;
    item.update(entry);
    list.push_back(std::move(item));
  }
  return list;
}

}  // namespace rubric

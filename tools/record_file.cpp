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

}  // namespace rubric

// FHIR records on the command line (docs/fhir.md): `rubric eval` and `rubric facts` take a
// record (a JSON Bundle) wherever they take a fact file, and case files name one with
// `record:`. The reading itself is records/record_reader.hpp; this file is its CLI face.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsl/source.hpp"
#include "engine/guideline.hpp"
#include "records/record_reader.hpp"

namespace rubric {

// True when the file's text is a FHIR resource (a JSON object with a top-level
// `resourceType`) rather than a fact file.
bool is_fhir_record(const SourceManager& sources, FileId file);

// The record error as the CLI prints it: `PATH:LINE:COLUMN: error[E0409]: message` (the
// position only for malformed JSON).
std::string format_record_error(const SourceManager& sources, FileId file,
                                const RecordError& error);

// Reads the record in `file` for `guideline` as of `as_of` and sets the evaluation date; on an
// error prints it to `err` and returns nullopt.
std::optional<RecordReading> read_record_file(const SourceManager& sources, FileId file,
                                              const Guideline& guideline, const DateTime& as_of,
                                              std::ostream& err);

// A fact's value as a fact file writes it in JSON: booleans and numbers bare, strings and
// quantities as strings (`"72 years"`).
nlohmann::ordered_json fact_value_json(const Value& value);

// Where each bound fact came from, for JSON output (`rubric facts`, `rubric explain`): per
// fact with a binding (in declaration order), its name and {"value", "resources", "date"}
// when the record gave it a value (`date`, the record date of the one resource it was read
// from, only when there is one), or {"value": null, "absent": REASON}. `facts` holds the
// values read (RecordReading::facts, possibly moved out of `reading`).
std::vector<std::pair<std::string, nlohmann::ordered_json>> fact_sources_json(
    const Guideline& guideline, const RecordReading& reading, const FactSet& facts);

// The same as a list, each entry with its fact's name first: [{"fact", "value", ...}], as
// `rubric explain --format json` ends with it under "sources".
nlohmann::ordered_json fact_sources_list_json(const Guideline& guideline,
                                              const RecordReading& reading, const FactSet& facts);

}  // namespace rubric

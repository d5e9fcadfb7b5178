// FHIR records on the command line (docs/fhir.md): `rubric eval` and `rubric facts` take a
// record (a JSON Bundle) wherever they take a fact file, and case files name one with
// `record:`. The reading itself is records/record_reader.hpp; this file is its CLI face.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

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

}  // namespace rubric

// The record reader: applies the bindings of a guideline's facts (FactSpec::binding,
// values/binding.hpp) to one patient's FHIR R4 record, a JSON `Bundle`, as of an evaluation
// date, and gives the fact set they read (docs/fhir.md). A front end beside the CLI and the
// API: the engine knows nothing of records.
//
// Contract: a pure function of its arguments (no clock, no files); thread-safe. Every value
// goes through read_fact_value (values/fact_value_reader.hpp), so a value from a record is
// accepted, rejected and described exactly as the same value in a fact file. It never throws
// for bad input and never hangs: malformed JSON, a document that is not a Bundle, a record
// without exactly one Patient and a record beyond RecordLimits are errors. Only the elements
// the bindings read are collected; resources of types no binding reads are skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "values/date_time.hpp"
#include "values/diagnostic_kind.hpp"
#include "values/fact_set.hpp"

namespace rubric {

// Limits on one record, checked before or while it is read (docs/fhir.md#limits).
struct RecordLimits {
  std::size_t max_bytes = std::size_t{64} << 20U;  // the JSON text
  std::size_t max_entries = 100000;                // Bundle.entry items
  std::size_t max_depth = 64;                      // nesting of arrays and objects
};

// Where one fact came from.
struct FactProvenance {
  // `Observation/obs-7` for a value read from one resource; empty when the fact is absent or
  // its value comes from several resources (presence), see `resources`.
  std::string resource;
  // Every resource the value rests on (one, or the Conditions a presence fact counted).
  std::vector<std::string> resources;
  // The record date of `resource` as written (`2026-06-10`), when it has one.
  std::string date;
  // Why the fact is absent: "no usable Observation coded LOINC '72514-3' in the 30 days
  // before 2026-06-15"; empty when it has a value or no binding.
  std::string absent_reason;
};

// What went wrong reading a record.
struct RecordError {
  DiagnosticKind kind = DiagnosticKind::invalid_record;
  // The full message, naming the fact and the resource for bad data: "fact `pain_vas` from
  // `Observation/obs-7` must be a decimal from 0 to 10; found `12`".
  std::string message;
  std::string fact;      // the fact, for bad data; empty otherwise
  std::string resource;  // `Observation/obs-7`, for bad data; empty otherwise
  // For malformed JSON: the byte offset of the problem (when known) and the JSON path
  // (`entry[3].resource.code`) where reading stopped.
  std::optional<std::size_t> offset;
  std::string path;
};

// What the reader does with a value that breaks its fact's declaration (a pain score of 12, a
// quantity of another dimension, a string where a concept belongs).
enum class BadValues : std::uint8_t {
  fail,       // the whole reading fails with that error (the command line, the APIs)
  set_aside,  // the fact is read as absent and the error kept in RecordReading::set_aside (a
              // service that must still answer for the rest of the record)
};

struct RecordReading {
  // One value per FactSpec (the evaluation-date fact and facts without a binding absent;
  // callers set the evaluation date, e.g. Guideline::set_evaluation_date). Meaningful only
  // without an error.
  FactSet facts;
  // Indexed like the FactSpecs.
  std::vector<FactProvenance> provenance;
  std::optional<RecordError> error;
  // With BadValues::set_aside: each value that broke its fact's declaration (`fact` and
  // `resource` set), in fact order; that fact is absent and its provenance's absent_reason is
  // the error's message. Always empty with BadValues::fail.
  std::vector<RecordError> set_aside;

  [[nodiscard]] bool ok() const { return !error.has_value(); }
};

// Reads records for one guideline's facts one after another, reusing its working memory (the
// JSON parser and its buffers, the padded copy of the text, the collected resources) from
// record to record: what a batch worker or a service thread keeps.
//
// Contract: keeps a view of `facts`, which must outlive the reader. Not thread-safe: one
// reader per thread; any number of readers of the same facts may run at once.
class RecordReader {
 public:
  explicit RecordReader(std::span<const FactSpec> facts, const RecordLimits& limits = {});
  ~RecordReader();
  RecordReader(RecordReader&&) noexcept;
  RecordReader& operator=(RecordReader&&) noexcept;
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // Reads `json` (a FHIR R4 Bundle) for the bound facts as of `as_of` (a full date,
  // DateTime::is_full_date) into `out`, replacing all it held: with an error, `out.facts` and
  // `out.provenance` say nothing. `out` keeps its memory for the next read.
  // A value that breaks its fact's declaration is an error, or with BadValues::set_aside is
  // read as absent and kept in `out.set_aside` (errors in the record's shape still fail).
  void read(std::string_view json, const DateTime& as_of, RecordReading& out,
            BadValues bad_values = BadValues::fail);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads `json` (a FHIR R4 Bundle) for the bound facts among `facts` as of `as_of` (a full
// date, DateTime::is_full_date): one read with a fresh RecordReader.
RecordReading read_record(std::span<const FactSpec> facts, std::string_view json,
                          const DateTime& as_of, const RecordLimits& limits = {});

// True when `text` looks like a FHIR resource rather than a fact file: a JSON object whose
// first key is `resourceType` or that has a top-level `"resourceType"` key (cheap check for
// front ends choosing a reader).
bool looks_like_fhir_resource(std::string_view text);

}  // namespace rubric

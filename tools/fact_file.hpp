// Fact files: one patient's facts, written as a YAML or JSON mapping from fact name to value,
// read and checked against the declared facts.
//
//   fracture_grade: 1                      {"fracture_grade": 1,
//   pain_vas: 6.5                           "pain_vas": 6.5,
//   neurologic_deficit: false               "neurologic_deficit": false,
//   time_since_identification: 10 weeks     "time_since_identification": "10 weeks",
//   age: ~                                  "age": null}
//
// Contract: these functions never throw and never crash, whatever the input. Every problem
// is reported as an error Diagnostic (codes E0401..E0409, listed in fact_file.cpp) whose
// range points at the offending key or value; when any is reported the result is nullopt
// (a rejected fact set is never evaluated). A null value means the fact is absent. Fact
// names are case-sensitive. An empty file, a file of comments only, or `{}` is a valid
// empty fact set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/diagnostic.hpp"
#include "dsl/source.hpp"
#include "values/fact_set.hpp"
#include "values/fact_value_reader.hpp"
#include "values/value.hpp"

namespace YAML {
class Node;
}

namespace rubric {

// Reads the fact file `file` (already added to `sources`). The text is JSON when the file
// name ends in `.json`, or when its first non-space character is `{` and the name does not
// end in `.yaml`/`.yml`; YAML otherwise. The result has one value per entry of `facts`
// (FactId = index into `facts`).
std::optional<FactSet> read_fact_file(const SourceManager& sources, FileId file,
                                      std::span<const FactSpec> facts, Diagnostics& diagnostics);

// The same for a YAML mapping inside another document (the `facts:` of a case file).
// `file` is the file the node was loaded from, with the same text (positions come from
// node.Mark()). A null or undefined node is an empty fact set.
std::optional<FactSet> read_fact_mapping(const YAML::Node& mapping, const SourceManager& sources,
                                         FileId file, std::span<const FactSpec> facts,
                                         Diagnostics& diagnostics);

// Loads the one YAML document of `file` (a fact file, a case file), for read_fact_mapping.
// Reports invalid YAML and control characters (E0401) and a second non-empty document
// (E0402, "`what` must hold one YAML document") and returns nullopt; an empty text or one of
// comments only is a null node. Use it rather than YAML::Load/LoadAll: yaml-cpp 0.7 loops
// forever in LoadAll, and Load silently returns null, on a stray `,` (`,a: 1`).
std::optional<YAML::Node> load_yaml_document(const SourceManager& sources, FileId file,
                                             Diagnostics& diagnostics,
                                             std::string_view what = "a YAML file");

// Where `node` (from a document load_yaml_document loaded from `file`) is written: a scalar
// as written (quotes included), any other node at its first character.
SourceRange yaml_node_range(const SourceManager& sources, FileId file, const YAML::Node& node);

// One scalar as written in a fact file: its kind and text (values/fact_value_reader.hpp) and
// where it is written.
struct RawScalar : WrittenScalar {
  SourceRange range;  // where the value is written
};

// A scalar node (from a document load_yaml_document loaded from `file`) as a fact file reads
// it: a quoted or `!!str` scalar is a string, a plain one is classified by the YAML core
// schema. Any other node is a null scalar.
RawScalar yaml_raw_scalar(const SourceManager& sources, FileId file, const YAML::Node& node);

// Checks one scalar against the declared fact `fact` with the fact-value reader
// (values/fact_value_reader.hpp). Returns the value (null for an absent fact; string values
// are copied into `storage` with FactSet::keep), or nullopt after reporting the reader's
// problem as an error diagnostic at `scalar.range`.
std::optional<Value> read_fact_value(const FactSpec& fact, const RawScalar& scalar,
                                     FactSet& storage, Diagnostics& diagnostics);

// The checks of the fact-file readers that concern keys, shapes and characters, for readers
// of other formats (NDJSON fact sets, tools/ndjson_facts.cpp), so that every reader gives the
// same codes and messages. Each reports one error diagnostic at `range`.
//
// `name` is empty (E0403) or names no fact in `facts` (E0404, with the nearest declared name).
void report_unknown_fact(std::span<const FactSpec> facts, std::string_view name, SourceRange range,
                         Diagnostics& diagnostics);
// `name` is given a second time (E0405), with a note at `first`.
void report_repeated_fact(std::string_view name, SourceRange range, SourceRange first,
                          Diagnostics& diagnostics);
// A list or a mapping (`what`: "a list", "a mapping") given for `fact` (E0406).
void report_container_value(const FactSpec& fact, std::string_view what, SourceRange range,
                            Diagnostics& diagnostics);
// The top level is not a mapping (E0402); `found` as it should appear: "a list", "`12`".
void report_not_a_mapping(std::string_view found, SourceRange range, Diagnostics& diagnostics);
// Reports the first character of `text` that neither YAML nor JSON allows (E0401: a NUL
// byte, a control character other than tab, line feed and carriage return, DEL); `range`
// is where `text` starts. True when there is none.
bool check_fact_characters(std::string_view text, SourceRange range, Diagnostics& diagnostics);

// The diagnostics of one fact file (or NDJSON line), at most kShownPerCode of each code, so
// that a file of 500,000 unknown keys gives a screenful, not 55 MB. A reader reports into
// scratch() and calls flush() after each entry (or once at the end); flush moves the
// scratch's diagnostics to the output until a code has been shown kShownPerCode times, and
// counts the rest. finish() flushes, then adds one error per code with uncounted ones, at the
// first one left out: "and 499980 more unknown facts". Not thread-safe; `output` must
// outlive it.
class DiagnosticCap {
 public:
  static constexpr std::size_t kShownPerCode = 20;

  explicit DiagnosticCap(Diagnostics& output) : output_(output) {}

  [[nodiscard]] Diagnostics& scratch() { return scratch_; }
  // True when errors of `code` are no longer shown (those in the scratch aside).
  [[nodiscard]] bool full(DiagnosticKind kind) const;
  void flush();
  void finish();

 private:
  struct Code {
    DiagnosticKind kind;
    std::size_t shown = 0;
    std::size_t left_out = 0;
    SourceRange first_left_out;
  };

  Diagnostics& output_;
  Diagnostics scratch_;
  std::vector<Code> codes_;  // in order of first appearance; a fact file has a few codes
};

}  // namespace rubric

// The one reader of a fact value: one scalar, as written in some input (a YAML or JSON fact
// file, an NDJSON line, a setter of the embedding API), checked against the fact's
// declaration and turned into a Value, or the problem with it as a diagnostic code and the
// full message text (docs/diagnostics.md, E04xx). Every way in reads values here, so a value
// is accepted or rejected, and described, the same way whichever way it arrives; each caller
// wraps a problem into its own Diagnostic (with a position) or Status.
//
// Contract: pure functions of their arguments; thread-safe. Reading an accepted value does
// not allocate; a rejection builds its message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "values/diagnostic_kind.hpp"
#include "values/fact_set.hpp"
#include "values/value.hpp"

namespace rubric {

// How a scalar was written, after the syntax of its input has been read.
enum class ScalarKind : std::uint8_t {
  null,     // `null`, `~`, an empty value
  boolean,  // `true`, `false` (and `True`, `FALSE`, ... in YAML, which boolean facts reject)
  number,   // `12`, `-0.5`, `1e3`, `.inf`, `.nan`, `0x1F`: a YAML or JSON number
  string,   // anything else, quoted or not
};

// One scalar as written, format-neutral.
struct WrittenScalar {
  ScalarKind kind = ScalarKind::null;
  // The scalar's text: "true", "4.0", "10 weeks" (a quoted string without its quotes and
  // with its escapes resolved).
  std::string_view text;
  bool quoted = false;  // written as a string (in quotes): a string even if it looks like a number
};

// The kind of a plain (unquoted, untagged) scalar by the YAML 1.2 core schema: `~` and
// `null` are null, `true`/`True`/`TRUE` and the `false` forms are booleans, `12`, `-3.5`,
// `1e3`, `0x1F`, `0o17`, `.inf`, `.nan` are numbers, anything else is a string.
ScalarKind classify_plain_scalar(std::string_view text);

// What reading one value gave: the value, or the problem.
struct FactValueReading {
  // The value when accepted (null for an absent fact). A string value views the scalar's
  // text: the caller copies it where it keeps values (FactSet::keep) before the text goes.
  Value value;
  // Empty when accepted; otherwise the kind of problem (E0401, E0406 .. E0409 of the registry)
  // and the message, hint included: "fact `pain_vas` must be a decimal from 0 to 10; found
  // `12`".
  std::optional<DiagnosticKind> problem;
  std::string message;

  [[nodiscard]] bool accepted() const { return !problem.has_value(); }
};

// Checks `scalar` against `fact`: its kind and text against the fact's type (booleans only
// as `true` or `false`, integers 32-bit and whole, decimals with at most 8 digits after the
// point and without an exponent, NaN or infinity, quantities as `<number> <unit>` with a
// unit of the fact's dimension, strings of at most kMaxStringBytes bytes, codes among the
// declared ones), no control character, then the limits (FactSpec::violation).
FactValueReading read_fact_value(const FactSpec& fact, const WrittenScalar& scalar);

// What the fact accepts, with an example for quantities: "a decimal from 0 to 10", "a
// duration of at least 0 days, such as `10 weeks`" (for messages about a value that is not
// a scalar, such as a list).
std::string expected_with_example(const FactSpec& fact);

// `true` or `false` in one of YAML's three spellings (`true`, `True`, `TRUE`).
bool is_boolean_text(std::string_view text);

// The first character of `text` that fact values do not allow (below U+0020 other than
// tab, line feed and carriage return, or DEL), or npos.
std::size_t first_control_character(std::string_view text);

}  // namespace rubric

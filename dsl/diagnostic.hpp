// Diagnostics: every problem Rubric reports about user input (rule files, fact files,
// expressions, command lines) is a Diagnostic value, never an exception.
//
// Message style: lowercase, no trailing period, user text in backticks, a hint after a
// semicolon ("unknown name `neurologic_defict`; did you mean `neurologic_deficit`?").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dsl/source.hpp"
#include "values/diagnostic_kind.hpp"
#include "values/message_text.hpp"  // in_backticks, shown, closest_name

namespace rubric {

// One problem reported about user input. Created from a kind of the registry
// (values/diagnostic_kind.hpp), which fixes its code and severity.
struct Diagnostic {
  // Optional secondary locations ("first declared here").
  struct Note {
    SourceRange range;
    std::string message;
  };

  Diagnostic() = default;
  Diagnostic(DiagnosticKind of_kind, SourceRange where, std::string text,
             std::vector<Note> with_notes = {})
      : kind(of_kind),
        code(diagnostic_info(of_kind).code),
        severity(diagnostic_info(of_kind).severity),
        range(where),
        message(std::move(text)),
        notes(std::move(with_notes)) {}

  DiagnosticKind kind = DiagnosticKind::internal_error;
  // The kind's code ("E0201") and severity, from the registry; set with the kind, never apart.
  std::string_view code = diagnostic_info(DiagnosticKind::internal_error).code;
  Severity severity = Severity::error;
  SourceRange range;
  std::string message;
  // Optional secondary locations ("first declared here").
  std::vector<Note> notes;
  // The name the diagnostic is about, as the input wrote it, when it is about one: for the
  // fact-file errors E0403..E0409, the fact (a declared one, or the unknown or repeated name
  // given). Empty otherwise. Tools match on it (a case file's `expect: {error: FACT}`),
  // never on the message text.
  std::string subject{};
};

class Diagnostics {
 public:
  Diagnostic& report(DiagnosticKind kind, SourceRange range, std::string message);
  // Keeps a diagnostic made elsewhere (its kind, notes and subject).
  Diagnostic& add(Diagnostic diagnostic);
  void append(const Diagnostics& other);

  [[nodiscard]] bool has_errors() const { return error_count_ > 0; }
  [[nodiscard]] std::size_t error_count() const { return error_count_; }
  [[nodiscard]] const std::vector<Diagnostic>& all() const { return diagnostics_; }
  [[nodiscard]] bool empty() const { return diagnostics_.empty(); }
  // Orders by file, offset, then insertion order (stable).
  void sort();

 private:
  std::vector<Diagnostic> diagnostics_;
  std::size_t error_count_ = 0;
};

// "file:line:col: error[E0201]: message", then the source line and a caret line
// ("^~~~" under the range), then each note the same way.
std::string format_diagnostic(const SourceManager& sources, const Diagnostic& diagnostic);
std::string format_diagnostics(const SourceManager& sources, const Diagnostics& diagnostics);

}  // namespace rubric

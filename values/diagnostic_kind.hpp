// The diagnostic registry: every kind of problem Rubric reports, with its stable code,
// severity and one-line summary, from one table (values/diagnostic_kinds.def). It sits in the
// lowest layer so that every layer (the fact-value reader included) names diagnostics by kind,
// never by a string code. The Diagnostic values themselves are in dsl/diagnostic.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rubric {

enum class Severity : std::uint8_t { error, warning, note };

// "error", "warning" or "note": as diagnostics print it and JSON carries it.
[[nodiscard]] constexpr const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

enum class DiagnosticKind : std::uint8_t {
#define RUBRIC_DIAGNOSTIC(code, name, severity, summary) name,
#include "values/diagnostic_kinds.def"
};

struct DiagnosticInfo {
  DiagnosticKind kind;
  std::string_view code;  // "E0201"
  std::string_view name;  // "unknown_name"
  Severity severity;
  std::string_view summary;
};

inline constexpr std::array kDiagnosticRegistry = {
#define RUBRIC_DIAGNOSTIC(code, name, severity, summary) \
  DiagnosticInfo{DiagnosticKind::name, #code, #name, Severity::severity, summary},
#include "values/diagnostic_kinds.def"
};

// The registry's entry for `kind`. Every kind has one (the table is indexed by the enum).
[[nodiscard]] constexpr const DiagnosticInfo& diagnostic_info(DiagnosticKind kind) {
  return kDiagnosticRegistry[static_cast<std::size_t>(kind)];
}

// The code of `kind` as a string, for interfaces that carry codes as text (the public API's
// Status and C error codes).
[[nodiscard]] inline std::string diagnostic_code(DiagnosticKind kind) {
  return std::string(diagnostic_info(kind).code);
}

// Every kind, in code order.
[[nodiscard]] constexpr std::span<const DiagnosticInfo> all_diagnostic_kinds() {
  return kDiagnosticRegistry;
}

// The kind with this code ("E0201"); nullopt for a code the registry does not have. For
// readers of codes written elsewhere (a test's expectations), never for creating diagnostics.
[[nodiscard]] constexpr std::optional<DiagnosticKind> diagnostic_kind_of(std::string_view code) {
  for (const DiagnosticInfo& info : kDiagnosticRegistry) {
    if (info.code == code) {
      return info.kind;
    }
  }
  return std::nullopt;
}

}  // namespace rubric

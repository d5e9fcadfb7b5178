// The C API (include/rubric/rubric.h), over the C++ embedding API. Every entry point
// catches every exception at the boundary and turns it into a status and a per-thread
// last error.
#include "rubric/rubric.h"

#include <fmt/format.h>

#include <exception>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rubric/rubric.hpp"
#include "values/diagnostic_kind.hpp"

struct rubric_guideline {
  rubric::api::Guideline guideline;
  // Described once, so that the strings handed out (parameter values among them) live as
  // long as the handle.
  std::vector<rubric::api::Recommendation> recommendations;
};

struct rubric_diagnostics {
  std::vector<rubric::api::Diagnostic> items;
};

struct rubric_facts {
  rubric::api::FactSet facts;
  std::size_t fact_count = 0;  // of its guideline, for the accessors' range checks
};

struct rubric_decision {
  rubric::api::Decision decision;
  // The values of the last rubric_reported call, whose strings it hands out.
  std::vector<rubric::api::ReportedValue> reported;
};

struct rubric_block {
  rubric::api::FactBlock block;
};

struct rubric_block_decision {
  rubric::api::BlockDecision decision;
};

namespace {

using rubric::diagnostic_code;

// The C form of an outcome.
rubric_outcome to_c(rubric::api::Outcome outcome) {
  switch (outcome) {
    case rubric::api::Outcome::recommended: return RUBRIC_RECOMMENDED;
    case rubric::api::Outcome::undetermined: return RUBRIC_UNDETERMINED;
    case rubric::api::Outcome::absent: break;
  }
  return RUBRIC_ABSENT;
}

thread_local std::string last_code;
thread_local std::string last_message;

rubric_status fail(rubric_status status, std::string code, std::string message) noexcept {
  try {
    last_code = std::move(code);
    last_message = std::move(message);
  } catch (...) {
    last_code.clear();
    last_message.clear();
  }
  return status;
}

rubric_status invalid(const char* function, const char* problem) noexcept {
  try {
    return fail(RUBRIC_ERROR_INVALID_ARGUMENT,
                diagnostic_code(rubric::DiagnosticKind::invalid_argument),
                fmt::format("{}: {}", function, problem));
  } catch (...) {
    return RUBRIC_ERROR_OUT_OF_MEMORY;
  }
}

rubric_status out_of_range(const char* function, const char* what, std::uint64_t index,
                           std::size_t count) noexcept {
  try {
    return fail(
        RUBRIC_ERROR_INVALID_ARGUMENT, diagnostic_code(rubric::DiagnosticKind::invalid_argument),
        fmt::format("{}: {} {} is out of range ({} available)", function, what, index, count));
  } catch (...) {
    return RUBRIC_ERROR_OUT_OF_MEMORY;
  }
}

// Runs `body` (returning rubric_status), mapping any exception to a status.
template <typename Body>
rubric_status guarded(const char* function, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return fail(RUBRIC_ERROR_OUT_OF_MEMORY, diagnostic_code(rubric::DiagnosticKind::internal_error),
                std::string(function) + ": out of memory");
  } catch (const std::exception& error) {
    try {
      return fail(RUBRIC_ERROR_INTERNAL, diagnostic_code(rubric::DiagnosticKind::internal_error),
                  fmt::format("{}: internal error: {}", function, error.what()));
    } catch (...) {
      return RUBRIC_ERROR_INTERNAL;
    }
  } catch (...) {
    return fail(RUBRIC_ERROR_INTERNAL, diagnostic_code(rubric::DiagnosticKind::internal_error),
                "internal error");
  }
}

rubric_status from(const rubric::api::Status& status) {
  if (status.ok()) {
    return RUBRIC_OK;
  }
  // Fact-value codes, and any code outside the registry, are RUBRIC_ERROR_FACT.
  rubric_status kind = RUBRIC_ERROR_FACT;
  if (const std::optional<rubric::DiagnosticKind> known =
          rubric::diagnostic_kind_of(status.code())) {
    switch (*known) {
      case rubric::DiagnosticKind::invalid_argument: kind = RUBRIC_ERROR_INVALID_ARGUMENT; break;
      case rubric::DiagnosticKind::invalid_record:
      case rubric::DiagnosticKind::record_too_large:
      case rubric::DiagnosticKind::record_patient:
      case rubric::DiagnosticKind::record_date_after_evaluation:
      case rubric::DiagnosticKind::bad_record_date: kind = RUBRIC_ERROR_RECORD; break;
      default: break;
    }
  }
  return fail(kind, status.code(), status.message());
}

// A fact's source or absent reason (`what` of FactSet) as a C string owned by `facts`.
template <typename What>
const char* provenance_text(const char* function, const rubric_facts* facts, uint32_t fact,
                            What what) noexcept {
  if (facts == nullptr) {
    invalid(function, "the fact set is NULL");
    return nullptr;
  }
  if (fact >= facts->fact_count) {
    out_of_range(function, "fact", fact, facts->fact_count);
    return nullptr;
  }
  const std::string_view text = what(facts->facts, rubric::api::FactId{fact});
  return text.empty() ? "" : text.data();  // views of whole std::strings: NUL-terminated
}

rubric_status finish_compile(rubric::api::Compilation&& compilation, rubric_guideline** guideline,
                             rubric_diagnostics** diagnostics) {
  rubric_status status = RUBRIC_OK;
  if (compilation.guideline) {
    auto handle =
        std::make_unique<rubric_guideline>(rubric_guideline{std::move(*compilation.guideline), {}});
    const std::size_t count = handle->guideline.recommendation_count();
    for (std::uint32_t r = 0; r < count; ++r) {
      handle->recommendations.push_back(
          *handle->guideline.describe(rubric::api::RecommendationId{r}));
    }
    *guideline = handle.release();
  } else {
    // The first error: the whole file (E0601), or the first problem in the rules.
    const rubric::api::Diagnostic* first = nullptr;
    for (const rubric::api::Diagnostic& diagnostic : compilation.diagnostics) {
      if (diagnostic.severity == rubric::api::Severity::error) {
        first = &diagnostic;
        break;
      }
    }
    if (first == nullptr) {
      status = fail(RUBRIC_ERROR_INTERNAL, diagnostic_code(rubric::DiagnosticKind::internal_error),
                    "the rules did not compile but no error was reported");
    } else {
      status = fail(first->code == diagnostic_code(rubric::DiagnosticKind::unreadable_rule_file)
                        ? RUBRIC_ERROR_IO
                        : RUBRIC_ERROR_COMPILE,
                    first->code, first->formatted);
    }
  }
  if (diagnostics != nullptr) {
    *diagnostics = new rubric_diagnostics{std::move(compilation.diagnostics)};
  }
  return status;
}

const rubric::api::Recommendation* recommendation_of(const char* function,
                                                     const rubric_guideline* guideline,
                                                     std::uint32_t recommendation) {
  if (guideline == nullptr) {
    invalid(function, "the guideline is NULL");
    return nullptr;
  }
  if (recommendation >= guideline->recommendations.size()) {
    out_of_range(function, "recommendation", recommendation, guideline->recommendations.size());
    return nullptr;
  }
  return &guideline->recommendations[recommendation];
}

}  // namespace

extern "C" {

const char* rubric_version(void) {
  return rubric::api::library_version().data();
}

const char* rubric_last_error_code(void) {
  return last_code.c_str();
}

const char* rubric_last_error_message(void) {
  return last_message.c_str();
}

rubric_status rubric_compile(const char* text, size_t length, const char* name,
                             rubric_guideline** guideline, rubric_diagnostics** diagnostics) {
  return guarded("rubric_compile", [&] {
    if (diagnostics != nullptr) {
      *diagnostics = nullptr;
    }
    if (guideline == nullptr) {
      return invalid("rubric_compile", "the output `guideline` is NULL");
    }
    *guideline = nullptr;
    if (text == nullptr && length > 0) {
      return invalid("rubric_compile", "the text is NULL");
    }
    return finish_compile(
        rubric::api::Guideline::compile(std::string_view(text == nullptr ? "" : text, length),
                                        name == nullptr ? "<text>" : name),
        guideline, diagnostics);
  });
}

rubric_status rubric_compile_file(const char* path, rubric_guideline** guideline,
                                  rubric_diagnostics** diagnostics) {
  return guarded("rubric_compile_file", [&] {
    if (diagnostics != nullptr) {
      *diagnostics = nullptr;
    }
    if (guideline == nullptr) {
      return invalid("rubric_compile_file", "the output `guideline` is NULL");
    }
    *guideline = nullptr;
    if (path == nullptr) {
      return invalid("rubric_compile_file", "the path is NULL");
    }
    return finish_compile(rubric::api::Guideline::compile_file(path), guideline, diagnostics);
  });
}

void rubric_guideline_free(rubric_guideline* guideline) {
  delete guideline;
}

size_t rubric_diagnostics_count(const rubric_diagnostics* diagnostics) {
  if (diagnostics == nullptr) {
    invalid("rubric_diagnostics_count", "the diagnostics are NULL");
    return 0;
  }
  return diagnostics->items.size();
}

rubric_status rubric_diagnostics_get(const rubric_diagnostics* diagnostics, size_t index,
                                     rubric_diagnostic* out) {
  if (diagnostics == nullptr) {
    return invalid("rubric_diagnostics_get", "the diagnostics are NULL");
  }
  if (out == nullptr) {
    return invalid("rubric_diagnostics_get", "the output `out` is NULL");
  }
  if (index >= diagnostics->items.size()) {
    return out_of_range("rubric_diagnostics_get", "diagnostic", index, diagnostics->items.size());
  }
  const rubric::api::Diagnostic& item = diagnostics->items[index];
  out->code = item.code.c_str();
  out->severity = item.severity == rubric::api::Severity::error     ? RUBRIC_SEVERITY_ERROR
                  : item.severity == rubric::api::Severity::warning ? RUBRIC_SEVERITY_WARNING
                                                                    : RUBRIC_SEVERITY_NOTE;
  out->file = item.file.c_str();
  out->line = item.line;
  out->column = item.column;
  out->message = item.message.c_str();
  out->formatted = item.formatted.c_str();
  return RUBRIC_OK;
}

void rubric_diagnostics_free(rubric_diagnostics* diagnostics) {
  delete diagnostics;
}

const char* rubric_guideline_id(const rubric_guideline* guideline) {
  if (guideline == nullptr) {
    invalid("rubric_guideline_id", "the guideline is NULL");
    return nullptr;
  }
  return guideline->guideline.id().data();
}

const char* rubric_guideline_title(const rubric_guideline* guideline) {
  if (guideline == nullptr) {
    invalid("rubric_guideline_title", "the guideline is NULL");
    return nullptr;
  }
  return guideline->guideline.title().data();
}

const char* rubric_guideline_version(const rubric_guideline* guideline) {
  if (guideline == nullptr) {
    invalid("rubric_guideline_version", "the guideline is NULL");
    return nullptr;
  }
  return guideline->guideline.version().data();
}

size_t rubric_fact_count(const rubric_guideline* guideline) {
  if (guideline == nullptr) {
    invalid("rubric_fact_count", "the guideline is NULL");
    return 0;
  }
  return guideline->guideline.fact_count();
}

rubric_status rubric_find_fact(const rubric_guideline* guideline, const char* name,
                               uint32_t* fact) {
  return guarded("rubric_find_fact", [&] {
    if (guideline == nullptr || name == nullptr || fact == nullptr) {
      return invalid("rubric_find_fact", "the guideline, the name or the output is NULL");
    }
    const std::optional<rubric::api::FactId> found = guideline->guideline.fact(name);
    if (!found) {
      return fail(RUBRIC_ERROR_FACT, diagnostic_code(rubric::DiagnosticKind::unknown_fact),
                  fmt::format("unknown fact `{}`", name));
    }
    *fact = found->value;
    return RUBRIC_OK;
  });
}

const char* rubric_fact_name(const rubric_guideline* guideline, uint32_t fact) {
  if (guideline == nullptr) {
    invalid("rubric_fact_name", "the guideline is NULL");
    return nullptr;
  }
  if (fact >= guideline->guideline.fact_count()) {
    out_of_range("rubric_fact_name", "fact", fact, guideline->guideline.fact_count());
    return nullptr;
  }
  return guideline->guideline.fact_name(rubric::api::FactId{fact}).data();
}

size_t rubric_recommendation_count(const rubric_guideline* guideline) {
  if (guideline == nullptr) {
    invalid("rubric_recommendation_count", "the guideline is NULL");
    return 0;
  }
  return guideline->recommendations.size();
}

rubric_status rubric_find_recommendation(const rubric_guideline* guideline, const char* id,
                                         uint32_t* recommendation) {
  return guarded("rubric_find_recommendation", [&] {
    if (guideline == nullptr || id == nullptr || recommendation == nullptr) {
      return invalid("rubric_find_recommendation", "the guideline, the id or the output is NULL");
    }
    const auto found = guideline->guideline.recommendation(id);
    if (!found) {
      return fail(RUBRIC_ERROR_INVALID_ARGUMENT,
                  diagnostic_code(rubric::DiagnosticKind::invalid_argument),
                  fmt::format("unknown recommendation `{}`", id));
    }
    *recommendation = found->value;
    return RUBRIC_OK;
  });
}

const char* rubric_recommendation_id(const rubric_guideline* guideline, uint32_t recommendation) {
  const auto* found = recommendation_of("rubric_recommendation_id", guideline, recommendation);
  return found != nullptr ? found->id.data() : nullptr;
}

const char* rubric_recommendation_kind(const rubric_guideline* guideline, uint32_t recommendation) {
  const auto* found = recommendation_of("rubric_recommendation_kind", guideline, recommendation);
  return found != nullptr ? found->kind.data() : nullptr;
}

const char* rubric_recommendation_text(const rubric_guideline* guideline, uint32_t recommendation) {
  const auto* found = recommendation_of("rubric_recommendation_text", guideline, recommendation);
  return found != nullptr ? found->text.data() : nullptr;
}

const char* rubric_recommendation_indicator(const rubric_guideline* guideline,
                                            uint32_t recommendation) {
  const auto* found =
      recommendation_of("rubric_recommendation_indicator", guideline, recommendation);
  return found != nullptr ? found->indicator.data() : nullptr;
}

const char* rubric_recommendation_summary(const rubric_guideline* guideline,
                                          uint32_t recommendation) {
  const auto* found = recommendation_of("rubric_recommendation_summary", guideline, recommendation);
  return found != nullptr && found->summary ? found->summary->data() : nullptr;
}

const char* rubric_recommendation_evidence(const rubric_guideline* guideline,
                                           uint32_t recommendation) {
  const auto* found =
      recommendation_of("rubric_recommendation_evidence", guideline, recommendation);
  return found != nullptr && found->evidence ? found->evidence->data() : nullptr;
}

size_t rubric_citation_count(const rubric_guideline* guideline, uint32_t recommendation) {
  const auto* found = recommendation_of("rubric_citation_count", guideline, recommendation);
  return found != nullptr ? found->citations.size() : 0;
}

rubric_status rubric_citation(const rubric_guideline* guideline, uint32_t recommendation,
                              size_t index, uint32_t* number, const char** text) {
  const auto* found = recommendation_of("rubric_citation", guideline, recommendation);
  if (found == nullptr) {
    return RUBRIC_ERROR_INVALID_ARGUMENT;
  }
  if (index >= found->citations.size()) {
    return out_of_range("rubric_citation", "citation", index, found->citations.size());
  }
  if (number != nullptr) {
    *number = found->citations[index].number;
  }
  if (text != nullptr) {
    *text = found->citations[index].text.data();
  }
  return RUBRIC_OK;
}

size_t rubric_parameter_count(const rubric_guideline* guideline, uint32_t recommendation) {
  const auto* found = recommendation_of("rubric_parameter_count", guideline, recommendation);
  return found != nullptr ? found->parameters.size() : 0;
}

rubric_status rubric_parameter(const rubric_guideline* guideline, uint32_t recommendation,
                               size_t index, const char** name, const char** value) {
  const auto* found = recommendation_of("rubric_parameter", guideline, recommendation);
  if (found == nullptr) {
    return RUBRIC_ERROR_INVALID_ARGUMENT;
  }
  if (index >= found->parameters.size()) {
    return out_of_range("rubric_parameter", "parameter", index, found->parameters.size());
  }
  if (name != nullptr) {
    *name = found->parameters[index].name.data();
  }
  if (value != nullptr) {
    *value = found->parameters[index].value.c_str();
  }
  return RUBRIC_OK;
}

rubric_status rubric_facts_new(const rubric_guideline* guideline, rubric_facts** facts) {
  return guarded("rubric_facts_new", [&] {
    if (facts == nullptr) {
      return invalid("rubric_facts_new", "the output `facts` is NULL");
    }
    *facts = nullptr;
    if (guideline == nullptr) {
      return invalid("rubric_facts_new", "the guideline is NULL");
    }
    *facts =
        new rubric_facts{guideline->guideline.new_fact_set(), guideline->guideline.fact_count()};
    return RUBRIC_OK;
  });
}

void rubric_facts_free(rubric_facts* facts) {
  delete facts;
}

rubric_status rubric_facts_clear(rubric_facts* facts) {
  if (facts == nullptr) {
    return invalid("rubric_facts_clear", "the fact set is NULL");
  }
  facts->facts.clear();
  return RUBRIC_OK;
}

rubric_status rubric_facts_set(rubric_facts* facts, const char* name, const char* text) {
  return guarded("rubric_facts_set", [&] {
    if (facts == nullptr || name == nullptr || text == nullptr) {
      return invalid("rubric_facts_set", "the fact set, the name or the text is NULL");
    }
    return from(facts->facts.set_text(std::string_view(name), text));
  });
}

rubric_status rubric_facts_set_text(rubric_facts* facts, uint32_t fact, const char* text) {
  return guarded("rubric_facts_set_text", [&] {
    if (facts == nullptr || text == nullptr) {
      return invalid("rubric_facts_set_text", "the fact set or the text is NULL");
    }
    return from(facts->facts.set_text(rubric::api::FactId{fact}, text));
  });
}

rubric_status rubric_facts_set_boolean(rubric_facts* facts, uint32_t fact, int value) {
  return guarded("rubric_facts_set_boolean", [&] {
    if (facts == nullptr) {
      return invalid("rubric_facts_set_boolean", "the fact set is NULL");
    }
    return from(facts->facts.set_boolean(rubric::api::FactId{fact}, value != 0));
  });
}

rubric_status rubric_facts_set_integer(rubric_facts* facts, uint32_t fact, int64_t value) {
  return guarded("rubric_facts_set_integer", [&] {
    if (facts == nullptr) {
      return invalid("rubric_facts_set_integer", "the fact set is NULL");
    }
    return from(facts->facts.set_integer(rubric::api::FactId{fact}, value));
  });
}

rubric_status rubric_facts_set_decimal(rubric_facts* facts, uint32_t fact, double value) {
  return guarded("rubric_facts_set_decimal", [&] {
    if (facts == nullptr) {
      return invalid("rubric_facts_set_decimal", "the fact set is NULL");
    }
    return from(facts->facts.set_decimal(rubric::api::FactId{fact}, value));
  });
}

rubric_status rubric_facts_set_quantity(rubric_facts* facts, uint32_t fact, double amount,
                                        const char* unit) {
  return guarded("rubric_facts_set_quantity", [&] {
    if (facts == nullptr || unit == nullptr) {
      return invalid("rubric_facts_set_quantity", "the fact set or the unit is NULL");
    }
    return from(facts->facts.set_quantity(rubric::api::FactId{fact}, amount, unit));
  });
}

rubric_status rubric_facts_set_evaluation_date(rubric_facts* facts, const char* date) {
  return guarded("rubric_facts_set_evaluation_date", [&] {
    if (facts == nullptr || date == nullptr) {
      return invalid("rubric_facts_set_evaluation_date", "the fact set or the date is NULL");
    }
    return from(facts->facts.set_evaluation_date(date));
  });
}

rubric_status rubric_facts_read_record(rubric_facts* facts, const char* json, size_t length,
                                       const char* as_of) {
  return guarded("rubric_facts_read_record", [&] {
    if (facts == nullptr || json == nullptr || as_of == nullptr) {
      if (facts != nullptr) {
        facts->facts.clear();  // as on every failure: nothing read
      }
      return invalid("rubric_facts_read_record", "the fact set, the record or the date is NULL");
    }
    return from(facts->facts.read_record(std::string_view(json, length), as_of));
  });
}

const char* rubric_facts_source(const rubric_facts* facts, uint32_t fact) {
  return provenance_text("rubric_facts_source", facts, fact,
                         [](const rubric::api::FactSet& set, rubric::api::FactId id) noexcept {
                           return set.source(id);
                         });
}

const char* rubric_facts_absent_reason(const rubric_facts* facts, uint32_t fact) {
  return provenance_text("rubric_facts_absent_reason", facts, fact,
                         [](const rubric::api::FactSet& set, rubric::api::FactId id) noexcept {
                           return set.absent_reason(id);
                         });
}

rubric_status rubric_facts_set_absent(rubric_facts* facts, uint32_t fact) {
  return guarded("rubric_facts_set_absent", [&] {
    if (facts == nullptr) {
      return invalid("rubric_facts_set_absent", "the fact set is NULL");
    }
    return from(facts->facts.set_absent(rubric::api::FactId{fact}));
  });
}

rubric_status rubric_decision_new(rubric_decision** decision) {
  return guarded("rubric_decision_new", [&] {
    if (decision == nullptr) {
      return invalid("rubric_decision_new", "the output `decision` is NULL");
    }
    *decision = new rubric_decision{};
    return RUBRIC_OK;
  });
}

void rubric_decision_free(rubric_decision* decision) {
  delete decision;
}

rubric_status rubric_evaluate(const rubric_guideline* guideline, const rubric_facts* facts,
                              rubric_decision* decision) {
  return guarded("rubric_evaluate", [&] {
    if (guideline == nullptr || facts == nullptr || decision == nullptr) {
      return invalid("rubric_evaluate", "the guideline, the fact set or the decision is NULL");
    }
    guideline->guideline.evaluate(facts->facts, decision->decision);
    return from(decision->decision.status());
  });
}

rubric_outcome rubric_decision_outcome(const rubric_decision* decision, uint32_t recommendation) {
  if (decision == nullptr) {
    invalid("rubric_decision_outcome", "the decision is NULL");
    return RUBRIC_ABSENT;
  }
  if (recommendation >= decision->decision.size()) {
    out_of_range("rubric_decision_outcome", "recommendation", recommendation,
                 decision->decision.size());
    return RUBRIC_ABSENT;
  }
  return to_c(decision->decision.outcome(rubric::api::RecommendationId{recommendation}));
}

size_t rubric_decision_recommended_count(const rubric_decision* decision) {
  if (decision == nullptr) {
    invalid("rubric_decision_recommended_count", "the decision is NULL");
    return 0;
  }
  return decision->decision.recommended().size();
}

uint32_t rubric_decision_recommended(const rubric_decision* decision, size_t index) {
  if (decision == nullptr) {
    invalid("rubric_decision_recommended", "the decision is NULL");
    return UINT32_MAX;
  }
  const auto recommended = decision->decision.recommended();
  if (index >= recommended.size()) {
    out_of_range("rubric_decision_recommended", "index", index, recommended.size());
    return UINT32_MAX;
  }
  return recommended[index].value;
}

size_t rubric_decision_undetermined_count(const rubric_decision* decision) {
  if (decision == nullptr) {
    invalid("rubric_decision_undetermined_count", "the decision is NULL");
    return 0;
  }
  return decision->decision.undetermined().size();
}

uint32_t rubric_decision_undetermined(const rubric_decision* decision, size_t index) {
  if (decision == nullptr) {
    invalid("rubric_decision_undetermined", "the decision is NULL");
    return UINT32_MAX;
  }
  const auto undetermined = decision->decision.undetermined();
  if (index >= undetermined.size()) {
    out_of_range("rubric_decision_undetermined", "index", index, undetermined.size());
    return UINT32_MAX;
  }
  return undetermined[index].value;
}

namespace {

// A decision's per-recommendation fact list (missing, despite).
using DecisionFacts = std::span<const rubric::api::FactId> (rubric::api::Decision::*)(
    rubric::api::RecommendationId) const;

// The list `facts` gives for `recommendation`; false (with the error set) for bad arguments.
bool decision_facts(const char* function, const rubric_decision* decision,
                    std::uint32_t recommendation, DecisionFacts facts,
                    std::span<const rubric::api::FactId>& out) {
  if (decision == nullptr) {
    invalid(function, "the decision is NULL");
    return false;
  }
  if (recommendation >= decision->decision.size()) {
    out_of_range(function, "recommendation", recommendation, decision->decision.size());
    return false;
  }
  out = (decision->decision.*facts)(rubric::api::RecommendationId{recommendation});
  return true;
}

size_t decision_facts_count(const char* function, const rubric_decision* decision,
                            std::uint32_t recommendation, DecisionFacts facts) {
  std::span<const rubric::api::FactId> list;
  return decision_facts(function, decision, recommendation, facts, list) ? list.size() : 0;
}

uint32_t decision_fact(const char* function, const rubric_decision* decision,
                       std::uint32_t recommendation, std::size_t index, DecisionFacts facts) {
  std::span<const rubric::api::FactId> list;
  if (!decision_facts(function, decision, recommendation, facts, list)) {
    return UINT32_MAX;
  }
  if (index >= list.size()) {
    out_of_range(function, "index", index, list.size());
    return UINT32_MAX;
  }
  return list[index].value;
}

}  // namespace

size_t rubric_decision_missing_count(const rubric_decision* decision, uint32_t recommendation) {
  return decision_facts_count("rubric_decision_missing_count", decision, recommendation,
                              &rubric::api::Decision::missing);
}

uint32_t rubric_decision_missing(const rubric_decision* decision, uint32_t recommendation,
                                 size_t index) {
  return decision_fact("rubric_decision_missing", decision, recommendation, index,
                       &rubric::api::Decision::missing);
}

size_t rubric_decision_despite_count(const rubric_decision* decision, uint32_t recommendation) {
  return decision_facts_count("rubric_decision_despite_count", decision, recommendation,
                              &rubric::api::Decision::despite);
}

uint32_t rubric_decision_despite(const rubric_decision* decision, uint32_t recommendation,
                                 size_t index) {
  return decision_fact("rubric_decision_despite", decision, recommendation, index,
                       &rubric::api::Decision::despite);
}

size_t rubric_reported_count(const rubric_guideline* guideline, uint32_t recommendation) {
  const auto* found = recommendation_of("rubric_reported_count", guideline, recommendation);
  return found != nullptr ? found->reported.size() : 0;
}

rubric_status rubric_reported(const rubric_guideline* guideline, const rubric_facts* facts,
                              rubric_decision* decision, uint32_t recommendation, size_t index,
                              const char** name, const char** value, const char** text) {
  const auto* found = recommendation_of("rubric_reported", guideline, recommendation);
  if (found == nullptr) {
    return RUBRIC_ERROR_INVALID_ARGUMENT;
  }
  if (facts == nullptr || decision == nullptr) {
    return invalid("rubric_reported", "the facts or the decision is NULL");
  }
  if (index >= found->reported.size()) {
    return out_of_range("rubric_reported", "reported value", index, found->reported.size());
  }
  return guarded("rubric_reported", [&] {
    decision->reported = guideline->guideline.reported(
        facts->facts, decision->decision, rubric::api::RecommendationId{recommendation});
    if (decision->reported.size() != found->reported.size()) {
      return invalid("rubric_reported",
                     "the decision does not come from evaluating these facts with this guideline");
    }
    const rubric::api::ReportedValue& item = decision->reported[index];
    if (name != nullptr) {
      *name = item.name.data();
    }
    if (value != nullptr) {
      *value = item.known ? item.value.c_str() : nullptr;
    }
    if (text != nullptr) {
      *text = item.text.c_str();
    }
    return RUBRIC_OK;
  });
}

// ---- Blocks ----------------------------------------------------------------------------

static_assert(RUBRIC_BLOCK_CAPACITY == rubric::api::FactBlock::kCapacity);

rubric_status rubric_block_new(const rubric_guideline* guideline, rubric_block** block) {
  return guarded("rubric_block_new", [&] {
    if (block == nullptr) {
      return invalid("rubric_block_new", "the output `block` is NULL");
    }
    *block = nullptr;
    if (guideline == nullptr) {
      return invalid("rubric_block_new", "the guideline is NULL");
    }
    *block = new rubric_block{guideline->guideline.new_fact_block()};
    return RUBRIC_OK;
  });
}

void rubric_block_free(rubric_block* block) {
  delete block;
}

rubric_status rubric_block_add(rubric_block* block, const rubric_facts* facts) {
  return guarded("rubric_block_add", [&] {
    if (block == nullptr || facts == nullptr) {
      return invalid("rubric_block_add", "the block or the fact set is NULL");
    }
    return from(block->block.add(facts->facts));
  });
}

size_t rubric_block_size(const rubric_block* block) {
  if (block == nullptr) {
    invalid("rubric_block_size", "the block is NULL");
    return 0;
  }
  return block->block.size();
}

rubric_status rubric_block_clear(rubric_block* block) {
  if (block == nullptr) {
    return invalid("rubric_block_clear", "the block is NULL");
  }
  block->block.clear();
  return RUBRIC_OK;
}

rubric_status rubric_block_decision_new(rubric_block_decision** decision) {
  return guarded("rubric_block_decision_new", [&] {
    if (decision == nullptr) {
      return invalid("rubric_block_decision_new", "the output `decision` is NULL");
    }
    *decision = new rubric_block_decision{};
    return RUBRIC_OK;
  });
}

void rubric_block_decision_free(rubric_block_decision* decision) {
  delete decision;
}

rubric_status rubric_evaluate_block(const rubric_guideline* guideline, const rubric_block* block,
                                    rubric_block_decision* decision) {
  return guarded("rubric_evaluate_block", [&] {
    if (guideline == nullptr || block == nullptr || decision == nullptr) {
      return invalid("rubric_evaluate_block", "the guideline, the block or the decision is NULL");
    }
    guideline->guideline.evaluate(block->block, decision->decision);
    return from(decision->decision.status());
  });
}

size_t rubric_block_decision_rows(const rubric_block_decision* decision) {
  if (decision == nullptr) {
    invalid("rubric_block_decision_rows", "the decision is NULL");
    return 0;
  }
  return decision->decision.rows();
}

namespace {

// Checks a block decision, a row and a recommendation for `function`; false (with the
// error set) when one is bad.
bool valid_block_arguments(const char* function, const rubric_block_decision* decision,
                           std::size_t row, std::uint32_t recommendation, bool check_row) {
  if (decision == nullptr) {
    invalid(function, "the decision is NULL");
    return false;
  }
  if (recommendation >= decision->decision.size()) {
    out_of_range(function, "recommendation", recommendation, decision->decision.size());
    return false;
  }
  if (check_row && row >= decision->decision.rows()) {
    out_of_range(function, "row", row, decision->decision.rows());
    return false;
  }
  return true;
}

}  // namespace

rubric_outcome rubric_block_decision_outcome(const rubric_block_decision* decision, size_t row,
                                             uint32_t recommendation) {
  if (!valid_block_arguments("rubric_block_decision_outcome", decision, row, recommendation,
                             true)) {
    return RUBRIC_ABSENT;
  }
  return to_c(decision->decision.outcome(row, rubric::api::RecommendationId{recommendation}));
}

uint64_t rubric_block_decision_recommended_rows(const rubric_block_decision* decision,
                                                uint32_t recommendation) {
  if (!valid_block_arguments("rubric_block_decision_recommended_rows", decision, 0, recommendation,
                             false)) {
    return 0;
  }
  return decision->decision.recommended_rows(rubric::api::RecommendationId{recommendation});
}

uint64_t rubric_block_decision_undetermined_rows(const rubric_block_decision* decision,
                                                 uint32_t recommendation) {
  if (!valid_block_arguments("rubric_block_decision_undetermined_rows", decision, 0, recommendation,
                             false)) {
    return 0;
  }
  return decision->decision.undetermined_rows(rubric::api::RecommendationId{recommendation});
}

namespace {

// A block decision's per-row, per-recommendation fact list (missing, despite).
using BlockDecisionFacts = std::vector<rubric::api::FactId> (rubric::api::BlockDecision::*)(
    std::size_t, rubric::api::RecommendationId);

// Copies up to `capacity` facts of the list into `facts`; returns the list's length.
size_t block_decision_facts(const char* function, rubric_block_decision* decision, std::size_t row,
                            std::uint32_t recommendation, std::uint32_t* facts,
                            std::size_t capacity, BlockDecisionFacts list) {
  if (!valid_block_arguments(function, decision, row, recommendation, true)) {
    return 0;
  }
  if (facts == nullptr && capacity > 0) {
    invalid(function, "the output `facts` is NULL");
    return 0;
  }
  std::size_t count = 0;
  const rubric_status status = guarded(function, [&] {
    const std::vector<rubric::api::FactId> found =
        (decision->decision.*list)(row, rubric::api::RecommendationId{recommendation});
    for (std::size_t i = 0; i < found.size() && i < capacity; ++i) {
      facts[i] = found[i].value;
    }
    count = found.size();
    return RUBRIC_OK;
  });
  return status == RUBRIC_OK ? count : 0;
}

}  // namespace

size_t rubric_block_decision_missing(rubric_block_decision* decision, size_t row,
                                     uint32_t recommendation, uint32_t* facts, size_t capacity) {
  return block_decision_facts("rubric_block_decision_missing", decision, row, recommendation, facts,
                              capacity, &rubric::api::BlockDecision::missing);
}

size_t rubric_block_decision_despite(rubric_block_decision* decision, size_t row,
                                     uint32_t recommendation, uint32_t* facts, size_t capacity) {
  return block_decision_facts("rubric_block_decision_despite", decision, row, recommendation, facts,
                              capacity, &rubric::api::BlockDecision::despite);
}

}  // extern "C"

/* Rubric's C API: compile a guideline, fill fact sets, evaluate, read decisions. For
 * languages that call C; C++ programs may prefer rubric/rubric.hpp. See docs/embedding.md.
 *
 * Conventions:
 * - Every object is an opaque handle made by a `*_new` or `rubric_compile*` function and
 *   released by the matching `*_free` function (which accepts NULL).
 * - Functions that can fail return a rubric_status; RUBRIC_OK is 0. On failure,
 *   rubric_last_error_code() and rubric_last_error_message() describe the problem. Both
 *   are per thread and stay valid until the next call into this API on the same thread;
 *   a successful call does not clear them. No C++ exception ever crosses this API.
 *   Codes: those of rule, fact and record files (docs/diagnostics.md), and E0601 (a rule file
 *   cannot be read), E0602 (an invalid argument), E0603 (out of memory, internal error).
 * - Strings passed in are UTF-8; `const char*` arguments must not be NULL unless stated.
 *   Strings returned are owned by the handle they came from (stated per function) and
 *   stay valid as long as that handle, unless stated otherwise.
 * - Threads: a rubric_guideline may be used from any number of threads at once (it is
 *   immutable). A rubric_facts or rubric_decision must be used by one thread at a time;
 *   a filled rubric_facts may be evaluated from many threads at once, each with its own
 *   rubric_decision. Fact sets, decisions and diagnostics keep what they need of the
 *   guideline alive, so the guideline may be freed before them.
 * - rubric_evaluate() with a decision that has already been used with the same guideline
 *   allocates no memory.
 */
#ifndef RUBRIC_RUBRIC_H
#define RUBRIC_RUBRIC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rubric_status {
  RUBRIC_OK = 0,
  RUBRIC_ERROR_INVALID_ARGUMENT = 1, /* a NULL handle, an index out of range (E0602) */
  RUBRIC_ERROR_COMPILE = 2,          /* the rules have errors: see the diagnostics */
  RUBRIC_ERROR_IO = 3,               /* a rule file could not be read (E0601) */
  RUBRIC_ERROR_FACT = 4,             /* an unknown fact or a bad value (E0404, E0406..E0409) */
  RUBRIC_ERROR_OUT_OF_MEMORY = 5,
  RUBRIC_ERROR_INTERNAL = 6, /* a bug: please report it */
  /* a FHIR record that cannot be read: malformed JSON or not a Bundle (E0414), a limit
   * exceeded (E0415), not exactly one Patient (E0416), a date a binding reads after the
   * evaluation date (E0417) or not a valid date (E0418) */
  RUBRIC_ERROR_RECORD = 7
} rubric_status;

typedef enum rubric_severity {
  RUBRIC_SEVERITY_ERROR = 0,
  RUBRIC_SEVERITY_WARNING = 1,
  RUBRIC_SEVERITY_NOTE = 2
} rubric_severity;

typedef enum rubric_outcome {
  RUBRIC_ABSENT = 0,
  RUBRIC_RECOMMENDED = 1,
  RUBRIC_UNDETERMINED = 2
} rubric_outcome;

typedef struct rubric_guideline rubric_guideline;
typedef struct rubric_diagnostics rubric_diagnostics;
typedef struct rubric_facts rubric_facts;
typedef struct rubric_decision rubric_decision;
typedef struct rubric_block rubric_block;
typedef struct rubric_block_decision rubric_block_decision;

/* The library version, "MAJOR.MINOR.PATCH"; a static string. */
const char* rubric_version(void);

/* The code ("E0406") and message of the last failure on this thread; "" when none. */
const char* rubric_last_error_code(void);
const char* rubric_last_error_message(void);

/* ---- Compiling ------------------------------------------------------------------------ */

/* Compiles `length` bytes of rule text; `name` names it in diagnostics (NULL: "<text>").
 * On success *guideline receives a new guideline (free it with rubric_guideline_free).
 * On RUBRIC_ERROR_COMPILE *guideline is NULL. In both cases, when `diagnostics` is not
 * NULL, *diagnostics receives a new list of every error and warning (free it with
 * rubric_diagnostics_free). */
rubric_status rubric_compile(const char* text, size_t length, const char* name,
                             rubric_guideline** guideline, rubric_diagnostics** diagnostics);
/* The same for a rule file; an unreadable file is RUBRIC_ERROR_IO, with diagnostic E0601. */
rubric_status rubric_compile_file(const char* path, rubric_guideline** guideline,
                                  rubric_diagnostics** diagnostics);
void rubric_guideline_free(rubric_guideline* guideline);

/* ---- Diagnostics ---------------------------------------------------------------------- */

typedef struct rubric_diagnostic {
  const char* code; /* "E0201" */
  rubric_severity severity;
  const char* file;
  uint32_t line;   /* one-based; 0 for a problem with the whole file */
  uint32_t column; /* one-based, in code points; 0 for a problem with the whole file */
  const char* message;
  const char* formatted; /* as `rubric check` prints it, with the source line and carets */
} rubric_diagnostic;

size_t rubric_diagnostics_count(const rubric_diagnostics* diagnostics);
/* Fills *out with diagnostic `index`; its strings are owned by `diagnostics`. */
rubric_status rubric_diagnostics_get(const rubric_diagnostics* diagnostics, size_t index,
                                     rubric_diagnostic* out);
void rubric_diagnostics_free(rubric_diagnostics* diagnostics);

/* ---- The guideline -------------------------------------------------------------------- */

/* Strings owned by the guideline; NULL for a NULL guideline or an index out of range
 * (with RUBRIC_ERROR_INVALID_ARGUMENT as the last error). */
const char* rubric_guideline_id(const rubric_guideline* guideline);
const char* rubric_guideline_title(const rubric_guideline* guideline);
const char* rubric_guideline_version(const rubric_guideline* guideline);

size_t rubric_fact_count(const rubric_guideline* guideline);
/* Resolves a fact name once, for the *_by_id setters: *fact receives its index. */
rubric_status rubric_find_fact(const rubric_guideline* guideline, const char* name, uint32_t* fact);
const char* rubric_fact_name(const rubric_guideline* guideline, uint32_t fact);

size_t rubric_recommendation_count(const rubric_guideline* guideline);
rubric_status rubric_find_recommendation(const rubric_guideline* guideline, const char* id,
                                         uint32_t* recommendation);
const char* rubric_recommendation_id(const rubric_guideline* guideline, uint32_t recommendation);
const char* rubric_recommendation_kind(const rubric_guideline* guideline, uint32_t recommendation);
const char* rubric_recommendation_text(const rubric_guideline* guideline, uint32_t recommendation);
/* The card indicator: "info", "warning" or "critical". */
const char* rubric_recommendation_indicator(const rubric_guideline* guideline,
                                            uint32_t recommendation);
/* NULL, without an error, for a recommendation without a `summary` clause. */
const char* rubric_recommendation_summary(const rubric_guideline* guideline,
                                          uint32_t recommendation);
/* NULL, without an error, for a recommendation that states no evidence. */
const char* rubric_recommendation_evidence(const rubric_guideline* guideline,
                                           uint32_t recommendation);
/* Citations: the source numbers, and each source's text. */
size_t rubric_citation_count(const rubric_guideline* guideline, uint32_t recommendation);
rubric_status rubric_citation(const rubric_guideline* guideline, uint32_t recommendation,
                              size_t index, uint32_t* number, const char** text);
/* Carried parameters: a name and a value as a fact file writes it ("1000 mg/d"). */
size_t rubric_parameter_count(const rubric_guideline* guideline, uint32_t recommendation);
rubric_status rubric_parameter(const rubric_guideline* guideline, uint32_t recommendation,
                               size_t index, const char** name, const char** value);

/* ---- Fact sets ------------------------------------------------------------------------ */

/* A new fact set for `guideline`, every fact absent; free it with rubric_facts_free. */
rubric_status rubric_facts_new(const rubric_guideline* guideline, rubric_facts** facts);
void rubric_facts_free(rubric_facts* facts);
/* Makes every fact absent. */
rubric_status rubric_facts_clear(rubric_facts* facts);

/* Sets one fact from text as a fact file writes it ("true", "3", "6.5", "10 weeks",
 * "left"; "", "null" or "~" for absent), by name. On RUBRIC_ERROR_FACT the fact is
 * unchanged and the last error says why. */
rubric_status rubric_facts_set(rubric_facts* facts, const char* name, const char* text);
/* The fast path, by fact index (rubric_find_fact). */
rubric_status rubric_facts_set_text(rubric_facts* facts, uint32_t fact, const char* text);
rubric_status rubric_facts_set_boolean(rubric_facts* facts, uint32_t fact, int value);
rubric_status rubric_facts_set_integer(rubric_facts* facts, uint32_t fact, int64_t value);
rubric_status rubric_facts_set_decimal(rubric_facts* facts, uint32_t fact, double value);
rubric_status rubric_facts_set_quantity(rubric_facts* facts, uint32_t fact, double amount,
                                        const char* unit);
rubric_status rubric_facts_set_absent(rubric_facts* facts, uint32_t fact);
/* The evaluation date that `Today()` reads, "YYYY-MM-DD"; see FactSet::set_evaluation_date. */
rubric_status rubric_facts_set_evaluation_date(rubric_facts* facts, const char* date);

/* Fills `facts` from one patient's FHIR R4 record, `length` bytes of JSON (a `Bundle`, not
 * necessarily NUL-terminated), through the bindings of the guideline's facts
 * (docs/fhir.md), as of `as_of`, a full date "YYYY-MM-DD" that also becomes the evaluation
 * date `Today()` reads. Every value is replaced: a fact the record does not give is absent
 * afterwards. On failure nothing is read (every fact absent, the evaluation date included,
 * no sources) and the last error says why: RUBRIC_ERROR_INVALID_ARGUMENT (E0602) for a NULL
 * argument or a bad `as_of`; RUBRIC_ERROR_RECORD (E0414..E0418) for a record that cannot be
 * read; RUBRIC_ERROR_FACT (E0406..E0409) for a value that breaks its fact's declaration,
 * the message naming the fact and the resource ("fact `pain_vas` from `Observation/obs-7`
 * must be a decimal from 0 to 10; found `12`"). See FactSet::read_record. */
rubric_status rubric_facts_read_record(rubric_facts* facts, const char* json, size_t length,
                                       const char* as_of);
/* Where the last rubric_facts_read_record found a fact: the resource its value came from
 * ("Observation/obs-7"), or "" when the fact is absent, rests on several resources, or was
 * not read from a record. Owned by `facts`, valid until its next rubric_facts_read_record,
 * rubric_facts_clear or rubric_facts_free. NULL (with RUBRIC_ERROR_INVALID_ARGUMENT as the
 * last error) for a NULL fact set or a fact index out of range. */
const char* rubric_facts_source(const rubric_facts* facts, uint32_t fact);
/* Why the last rubric_facts_read_record left a fact absent ("no usable Observation coded
 * LOINC '72514-3' in the 30 days before 2026-06-15"), or "" when it has a value or no
 * binding. Same ownership and errors as rubric_facts_source. */
const char* rubric_facts_absent_reason(const rubric_facts* facts, uint32_t fact);

/* ---- Evaluation and decisions --------------------------------------------------------- */

/* A new, empty decision; free it with rubric_decision_free. */
rubric_status rubric_decision_new(rubric_decision** decision);
void rubric_decision_free(rubric_decision* decision);

/* Evaluates `facts` (made for `guideline`) into `decision`, replacing its contents. */
rubric_status rubric_evaluate(const rubric_guideline* guideline, const rubric_facts* facts,
                              rubric_decision* decision);

/* The outcome of one recommendation; RUBRIC_ABSENT (with an error) for a bad argument. */
rubric_outcome rubric_decision_outcome(const rubric_decision* decision, uint32_t recommendation);
/* The recommended ones and the undetermined ones, in declaration order. The functions
 * returning a uint32_t index return UINT32_MAX (with an error) for a bad argument. */
size_t rubric_decision_recommended_count(const rubric_decision* decision);
uint32_t rubric_decision_recommended(const rubric_decision* decision, size_t index);
size_t rubric_decision_undetermined_count(const rubric_decision* decision);
uint32_t rubric_decision_undetermined(const rubric_decision* decision, size_t index);
/* The facts an undetermined recommendation waits on, sorted by name. */
size_t rubric_decision_missing_count(const rubric_decision* decision, uint32_t recommendation);
uint32_t rubric_decision_missing(const rubric_decision* decision, uint32_t recommendation,
                                 size_t index);
/* The absent facts a recommended or absent recommendation was decided despite (Kleene
 * logic left its condition unknown, but every value of these facts within their declarations
 * gives the same outcome: docs/semantics.md#exact-outcomes), sorted by name; none for the
 * others. */
size_t rubric_decision_despite_count(const rubric_decision* decision, uint32_t recommendation);
uint32_t rubric_decision_despite(const rubric_decision* decision, uint32_t recommendation,
                                 size_t index);

/* Reported values: the names of a recommendation's `report` clause, in order, and their
 * values for one patient (docs/language.md#reported-values). */
size_t rubric_reported_count(const rubric_guideline* guideline, uint32_t recommendation);
/* The index-th value `recommendation` reports for the patient of `decision`, which must come
 * from the last rubric_evaluate of `facts` with `guideline` (RUBRIC_ERROR_INVALID_ARGUMENT
 * otherwise). `name` is owned by the guideline; `value` is the value as a fact file writes it
 * ("4", "120 kg", "G3b"), NULL when unknown; `text` is what `rubric eval` shows ("4", "'G3b'",
 * "unknown, from 3 to 4"). `value` and `text` are owned by the decision and valid until the
 * next rubric_evaluate or rubric_reported with it. Any output may be NULL. */
rubric_status rubric_reported(const rubric_guideline* guideline, const rubric_facts* facts,
                              rubric_decision* decision, uint32_t recommendation, size_t index,
                              const char** name, const char** value, const char** text);

/* ---- Blocks: up to 64 fact sets evaluated at once ------------------------------------- */

/* The rows a block holds at most. */
#define RUBRIC_BLOCK_CAPACITY 64

/* A new, empty block for `guideline`; free it with rubric_block_free. */
rubric_status rubric_block_new(const rubric_guideline* guideline, rubric_block** block);
void rubric_block_free(rubric_block* block);
/* Appends a copy of `facts` as the next row. RUBRIC_ERROR_INVALID_ARGUMENT (E0602) when
 * the block is full or the fact set was made for another guideline. */
rubric_status rubric_block_add(rubric_block* block, const rubric_facts* facts);
/* The rows added since the last clear (0 for a NULL block, with an error). */
size_t rubric_block_size(const rubric_block* block);
/* No rows; keeps the memory. */
rubric_status rubric_block_clear(rubric_block* block);

/* A new, empty block decision; free it with rubric_block_decision_free. */
rubric_status rubric_block_decision_new(rubric_block_decision** decision);
void rubric_block_decision_free(rubric_block_decision* decision);
/* Evaluates every row of `block` (made for `guideline`) into `decision`: each row gets what
 * rubric_evaluate gives its fact set alone. */
rubric_status rubric_evaluate_block(const rubric_guideline* guideline, const rubric_block* block,
                                    rubric_block_decision* decision);
/* The rows of the block last evaluated. */
size_t rubric_block_decision_rows(const rubric_block_decision* decision);
/* One row's outcome; RUBRIC_ABSENT (with an error) for a bad argument. */
rubric_outcome rubric_block_decision_outcome(const rubric_block_decision* decision, size_t row,
                                             uint32_t recommendation);
/* The rows where a recommendation is recommended, or undetermined: bit r is row r. 0 (with
 * an error) for a bad argument. */
uint64_t rubric_block_decision_recommended_rows(const rubric_block_decision* decision,
                                                uint32_t recommendation);
uint64_t rubric_block_decision_undetermined_rows(const rubric_block_decision* decision,
                                                 uint32_t recommendation);
/* The facts an undetermined recommendation waits on in one row, sorted by name: writes up to
 * `capacity` fact indexes to `facts` (which may be NULL when `capacity` is 0) and returns
 * how many there are, so a second call with a larger array gets them all. 0 for the other
 * outcomes, and (with an error) for a bad argument. Computed on demand: not const. */
size_t rubric_block_decision_missing(rubric_block_decision* decision, size_t row,
                                     uint32_t recommendation, uint32_t* facts, size_t capacity);
/* The same for the absent facts a recommendation was decided despite in one row (see
 * rubric_decision_despite). */
size_t rubric_block_decision_despite(rubric_block_decision* decision, size_t row,
                                     uint32_t recommendation, uint32_t* facts, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* RUBRIC_RUBRIC_H */

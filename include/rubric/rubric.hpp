// Rubric's embedding API: the one header an application includes to compile guidelines and
// evaluate them against patients' facts. See docs/embedding.md for a walk-through.
//
//   auto compiled = rubric::api::Guideline::compile_file("vertebral-fracture-grade1.rubric");
//   if (!compiled.guideline) { print compiled.diagnostics; }
//   const rubric::api::Guideline& guideline = *compiled.guideline;
//   rubric::api::FactSet facts = guideline.new_fact_set();
//   facts.set_integer("fracture_grade", 1);             // each setter returns a Status
//   rubric::api::Decision decision = guideline.evaluate(facts);
//   for (rubric::api::RecommendationId r : decision.recommended()) { ... }
//
// Contracts:
// - Nothing here throws for bad input. Rule files with errors give diagnostics, bad facts
//   and misuse (a fact set of another guideline, an unknown id) give a Status with a code
//   and a message. Only running out of memory may throw std::bad_alloc.
// - A Guideline is an immutable, reference-counted handle: copies share one compiled
//   guideline, every member is const and may be called from any number of threads at once.
//   Fact sets and decisions keep their guideline alive.
// - A FactSet and a Decision belong to one thread at a time (or are guarded by the caller);
//   a filled FactSet may be read (evaluated) from many threads at once.
// - `Guideline::evaluate(facts, decision)` reuses the decision's memory: once a decision has
//   been used with a guideline, evaluating into it again allocates nothing.
// - Views (std::string_view, std::span) returned by a Guideline live as long as any handle
//   to it; those returned by a Decision live until its next evaluation, assignment or
//   destruction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rubric::api {

// The version of the library, "MAJOR.MINOR.PATCH".
std::string_view library_version();

// Codes of problems reported by this API that have no counterpart in rule or fact files
// (listed in docs/embedding.md):
//   E0601  a rule file could not be read (missing, a folder, unreadable)
//   E0602  an invalid argument: an id out of range, a fact set or decision of another
//          guideline, an object that was moved from, an evaluation date that is not a
//          full date `YYYY-MM-DD`
// Reading a FHIR record (`FactSet::read_record`) reuses the record codes E0414 to E0418
// (malformed JSON or not a Bundle, a limit exceeded, not exactly one Patient, a date after
// the evaluation date, a date that is not valid) and the fact-value codes for bad values.
// Fact values reuse the fact-file codes E0404 (unknown fact) and E0406 to E0409 (wrong type,
// missing unit, wrong unit, out of limits); see docs/diagnostics.md.

// The outcome of an operation that can fail on bad input: ok, or a code and a message
// ("fact `pain_vas` must be a decimal from 0 to 10; found `12`").
class Status {
 public:
  Status() = default;  // ok
  static Status error(std::string code, std::string message);

  [[nodiscard]] bool ok() const { return code_.empty(); }
  explicit operator bool() const { return ok(); }
  [[nodiscard]] const std::string& code() const { return code_; }  // empty when ok
  [[nodiscard]] const std::string& message() const { return message_; }

 private:
  std::string code_;
  std::string message_;
};

enum class Severity : std::uint8_t { error, warning, note };

// One problem in a rule file, with its location already resolved to line and column (the
// column counts Unicode code points).
struct Diagnostic {
  std::string code;  // "E0201"; see docs/diagnostics.md
  Severity severity = Severity::error;
  std::string file;          // the name given to `compile`, or the path given to `compile_file`
  std::uint32_t line = 0;    // one-based; 0 when the problem concerns the whole file
  std::uint32_t column = 0;  // one-based; 0 when the problem concerns the whole file
  std::string message;
  // As `rubric check` prints it: "file:line:col: error[E0201]: message", the source line,
  // a caret line, then any notes.
  std::string formatted;
};

// A fact of a guideline: an index into its declared facts, resolved once by name
// (`Guideline::fact`) and then used on the fast path.
struct FactId {
  std::uint32_t value = 0;
  friend bool operator==(FactId, FactId) = default;
};

// A recommendation of a guideline: an index into its recommendations, in declaration order.
struct RecommendationId {
  std::uint32_t value = 0;
  friend bool operator==(RecommendationId, RecommendationId) = default;
};

// `date` and `date_time` facts are set with `set_string` and an ISO 8601 text (`2026-06-15`,
// `2026-06-15T10:30:00Z`), as fact files write them.
enum class FactType : std::uint8_t {
  boolean,
  integer,
  decimal,
  string,
  code,
  quantity,
  date,
  date_time
};

struct FactInfo {
  std::string_view name;
  FactType type = FactType::boolean;
  std::string_view unit;  // the declared unit of a quantity ("mg/d"); empty otherwise
  std::string_view description;
  std::vector<std::string_view> codes;  // the allowed codes of a code fact
  // The allowed values in words: "an integer from 0 to 3", "a duration of at least 0 days".
  std::string expected;
};

struct Citation {
  std::uint32_t number = 0;
  std::string_view text;
};

// A parameter a recommendation carries (`carry calcium_daily_dose`).
struct Parameter {
  std::string_view name;
  std::string value;   // as a fact file writes it: "1000 mg/d", "3.5", "true", "left"
  std::string amount;  // the number alone for numbers and quantities ("1000"); else empty
  std::string unit;    // the unit of a quantity ("mg/d"); empty otherwise
};

// A value a recommendation reports (`report cha2ds2_vasc`) for one patient.
struct ReportedValue {
  std::string_view name;
  bool known = false;
  std::string value;  // when known, as a fact file writes it: "4", "120 kg", "G3b", "true"
  // As `rubric eval` shows it: "4", "'G3b'", "unknown, from 3 to 4" (a score whose unknown
  // items leave several totals) or "unknown".
  std::string text;
};

struct Recommendation {
  std::string_view id;
  std::string_view kind;  // "prescribe", "refer", ...
  // The urgency of its CDS Hooks card: "info", "warning" or "critical" (the `indicator`
  // clause, or the kind's default: "warning" for caution and avoid, else "info").
  std::string_view indicator;
  std::string_view text;
  // The `summary` clause: one line of at most 140 characters for a card; nullopt without one.
  std::optional<std::string_view> summary;
  std::optional<std::string_view> evidence;
  std::vector<Citation> citations;
  std::vector<Parameter> parameters;
  std::vector<std::string_view> reported;  // the names of its `report` clause
  std::string location;                    // "file:line:col" of the rule
};

enum class Outcome : std::uint8_t { absent, recommended, undetermined };

class FactSet;
class Decision;
class FactBlock;
class BlockDecision;
struct Compilation;

class Guideline {
 public:
  // Compiles rule text; `name` is the file name used in diagnostics. Never throws for bad
  // rules: the result has no guideline and at least one error diagnostic. Warnings are
  // returned beside a compiled guideline.
  static Compilation compile(std::string_view text, std::string_view name = "<text>");
  // Reads and compiles a rule file; an unreadable file is diagnostic E0601.
  static Compilation compile_file(const std::filesystem::path& path);

  // Copies share the compiled guideline. Moving copies the handle too, so a moved-from
  // Guideline stays usable.
  Guideline(const Guideline& other) = default;
  Guideline& operator=(const Guideline& other) = default;
  Guideline(Guideline&& other) noexcept : impl_(other.impl_) {}
  Guideline& operator=(Guideline&& other) noexcept {
    impl_ = other.impl_;
    return *this;
  }
  ~Guideline() = default;

  [[nodiscard]] std::string_view id() const;
  [[nodiscard]] std::string_view title() const;
  [[nodiscard]] std::string_view version() const;

  [[nodiscard]] std::size_t fact_count() const;
  // The fact declared with `name` (case-sensitive); nullopt for an unknown name.
  [[nodiscard]] std::optional<FactId> fact(std::string_view name) const;
  // Nullopt for an id out of range.
  [[nodiscard]] std::optional<FactInfo> describe(FactId fact) const;
  // The fact's name; empty for an id out of range.
  [[nodiscard]] std::string_view fact_name(FactId fact) const;

  [[nodiscard]] std::size_t recommendation_count() const;
  [[nodiscard]] std::optional<RecommendationId> recommendation(std::string_view id) const;
  // Texts, citations and carried parameters, on demand; nullopt for an id out of range.
  [[nodiscard]] std::optional<Recommendation> describe(RecommendationId recommendation) const;
  // The recommendation's id; empty for an id out of range.
  [[nodiscard]] std::string_view recommendation_name(RecommendationId recommendation) const;

  // The number of nodes and bytes of the compiled decision graph.
  [[nodiscard]] std::size_t graph_nodes() const;
  [[nodiscard]] std::size_t graph_bytes() const;

  // An empty fact set for this guideline: every fact absent.
  [[nodiscard]] FactSet new_fact_set() const;

  // Evaluates one patient. A fact set of another guideline gives a decision whose status()
  // is E0602 and which recommends nothing.
  [[nodiscard]] Decision evaluate(const FactSet& facts) const;
  // The same, into caller-owned memory: allocation-free once `decision` has been used with
  // this guideline. Thread-safe as long as each thread has its own decision.
  void evaluate(const FactSet& facts, Decision& decision) const;

  // The values `recommendation` reports (its `report` clause, in order) for the patient of
  // `decision`, which must come from the last `evaluate` of `facts` with this guideline;
  // empty for an id out of range or a decision or fact set of another guideline. An unknown
  // score's range is searched in the decision's working memory, so, as with `evaluate`, one
  // thread at a time per decision.
  [[nodiscard]] std::vector<ReportedValue> reported(const FactSet& facts, const Decision& decision,
                                                    RecommendationId recommendation) const;

  // An empty block of fact sets for this guideline (no rows).
  [[nodiscard]] FactBlock new_fact_block() const;
  // Evaluates every row of a block at once: each row gets the outcomes and missing facts
  // that evaluating its fact set alone gives, at a fraction of the cost per row (the rows
  // are bit-sliced: every step of the compiled program runs on 64 rows in a few machine
  // words). A block of another guideline gives a decision whose status() is E0602.
  [[nodiscard]] BlockDecision evaluate(const FactBlock& block) const;
  // The same, into caller-owned memory: allocation-free once `decision` has been used with
  // this guideline. Thread-safe as long as each thread has its own decision.
  void evaluate(const FactBlock& block, BlockDecision& decision) const;

  struct Impl;

 private:
  explicit Guideline(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

struct Compilation {
  // Set when the rules compiled (no errors; warnings may be present).
  std::optional<Guideline> guideline;
  // Every error and warning, sorted by position.
  std::vector<Diagnostic> diagnostics;
  // Every diagnostic formatted, one after the other ("" when there are none).
  [[nodiscard]] std::string formatted() const;
};

// One patient's facts for one guideline. Every setter checks the value against the fact's
// declaration (type, unit dimension, limits, codes) exactly as a fact file is checked, and
// on a problem leaves the fact unchanged and returns the error. Setters come in two forms:
// by name (looked up on each call) and by FactId (the fast path).
class FactSet {
 public:
  FactSet();  // belongs to no guideline: every setter returns E0602
  FactSet(const FactSet& other);
  FactSet& operator=(const FactSet& other);
  FactSet(FactSet&& other) noexcept;
  FactSet& operator=(FactSet&& other) noexcept;
  ~FactSet();

  // A boolean fact.
  [[nodiscard]] Status set_boolean(FactId fact, bool value);
  [[nodiscard]] Status set_boolean(std::string_view fact, bool value);
  // An integer fact (32-bit), or a decimal fact.
  [[nodiscard]] Status set_integer(FactId fact, std::int64_t value);
  [[nodiscard]] Status set_integer(std::string_view fact, std::int64_t value);
  // A decimal fact (or an integer fact given a whole number). The double is read as its
  // shortest decimal text (6.5 is "6.5"); more than 8 digits after the point is E0409.
  [[nodiscard]] Status set_decimal(FactId fact, double value);
  [[nodiscard]] Status set_decimal(std::string_view fact, double value);
  // A quantity fact: an amount and a unit ("weeks", "mg/d", "a").
  [[nodiscard]] Status set_quantity(FactId fact, double amount, std::string_view unit);
  [[nodiscard]] Status set_quantity(std::string_view fact, double amount, std::string_view unit);
  // A string fact, or a code fact (one of its declared codes).
  [[nodiscard]] Status set_string(FactId fact, std::string_view value);
  [[nodiscard]] Status set_string(std::string_view fact, std::string_view value);
  // Any fact, from text as a fact file writes it: "true", "3", "6.5", "10 weeks", "left";
  // "", "null" and "~" make the fact absent. Decimals given as text are exact.
  [[nodiscard]] Status set_text(FactId fact, std::string_view text);
  [[nodiscard]] Status set_text(std::string_view fact, std::string_view text);
  // Makes one fact absent.
  [[nodiscard]] Status set_absent(FactId fact);
  [[nodiscard]] Status set_absent(std::string_view fact);
  // The evaluation date that the rule file's `Today()` reads, "YYYY-MM-DD" (a full date);
  // without one, `Today()` is absent and a recommendation that depends on it is
  // undetermined, waiting on `Today()`. Ok, and nothing set, for a guideline that does not
  // use `Today()`. Nothing in Rubric reads the clock.
  [[nodiscard]] Status set_evaluation_date(std::string_view date);
  // Makes every fact absent, the evaluation date included, and forgets the sources of the
  // last `read_record`; keeps the memory for reuse.
  void clear();

  // Fills the fact set from one patient's FHIR R4 record, a JSON `Bundle`, through the
  // bindings of the guideline's facts (docs/fhir.md), as of `as_of`, a full date
  // "YYYY-MM-DD" that also becomes the evaluation date `Today()` reads. The record replaces
  // every value: a fact the record does not give is absent afterwards, whatever it was
  // before (facts without a binding included). On any error (a bad `as_of` is E0602; a
  // malformed record or a bad value, E0414 to E0418 or a fact-value code, with a message
  // naming the fact and the resource: "fact `pain_vas` from `Observation/obs-7` must be a
  // decimal from 0 to 10; found `12`") nothing is read: every fact is absent, the
  // evaluation date included, and no fact has a source. `json` is not kept.
  [[nodiscard]] Status read_record(std::string_view json, std::string_view as_of);
  // Where the last `read_record` found `fact`: the resource its value came from
  // ("Observation/obs-7"); empty when the fact is absent, when its value rests on several
  // resources (a count), when it was not read from a record, or for an unknown id.
  // Valid until the next `read_record`, `clear`, assignment or destruction of this set;
  // setters do not change it.
  [[nodiscard]] std::string_view source(FactId fact) const;
  // Why the last `read_record` left `fact` absent, in words a clinician can act on ("no
  // usable Observation coded LOINC '72514-3' in the 30 days before 2026-06-15"); empty when
  // it has a value, when it has no binding, or for an unknown id. Same lifetime as `source`.
  [[nodiscard]] std::string_view absent_reason(FactId fact) const;

  // The fact's value as a fact file writes it ("true", "10 weeks"); nullopt when absent or
  // for an unknown id.
  [[nodiscard]] std::optional<std::string> text(FactId fact) const;

  struct Impl;

 private:
  friend class Guideline;
  friend class FactBlock;
  explicit FactSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The result of evaluating one fact set: per recommendation, recommended, absent or
// undetermined (a fact it needs is absent), with the missing facts of undetermined ones.
class Decision {
 public:
  Decision();  // empty until an evaluation fills it
  Decision(const Decision& other);
  Decision& operator=(const Decision& other);
  Decision(Decision&& other) noexcept;
  Decision& operator=(Decision&& other) noexcept;
  ~Decision();

  // Ok, or why nothing was evaluated (E0602).
  [[nodiscard]] const Status& status() const;
  // The number of recommendations of the guideline last evaluated (0 before that).
  [[nodiscard]] std::size_t size() const;
  // `absent` for an id out of range.
  [[nodiscard]] Outcome outcome(RecommendationId recommendation) const;
  // The recommended ones, in declaration order.
  [[nodiscard]] std::span<const RecommendationId> recommended() const;
  // The undetermined ones, in declaration order.
  [[nodiscard]] std::span<const RecommendationId> undetermined() const;
  // The absent facts an undetermined recommendation waits on, sorted by name; empty for
  // the others.
  [[nodiscard]] std::span<const FactId> missing(RecommendationId recommendation) const;
  // The absent facts a recommended or absent recommendation was decided despite, sorted by
  // name: Kleene logic left its condition unknown without them, but every value they may
  // take within their declarations gives the same outcome (docs/semantics.md#exact-outcomes).
  // Empty for the others.
  [[nodiscard]] std::span<const FactId> despite(RecommendationId recommendation) const;
  // The facts that decided a recommended or absent recommendation (sorted by name), as
  // `rubric eval` explains them; empty for an undetermined one and for one decided despite
  // absent facts (see `despite`). Computed on demand, so not const.
  [[nodiscard]] std::vector<FactId> because(RecommendationId recommendation);

  struct Impl;

 private:
  friend class Guideline;
  std::unique_ptr<Impl> impl_;
};

// Up to 64 patients' fact sets for one guideline, copied in as rows, for evaluating them
// together (Guideline::evaluate on a block). Fill one FactSet per patient with the checked
// setters, `add` it, and evaluate when the block is full or the input ends; `clear` and
// reuse. Not thread-safe for writing; a filled block may be evaluated from many threads.
class FactBlock {
 public:
  static constexpr std::size_t kCapacity = 64;

  FactBlock();  // belongs to no guideline: `add` returns E0602
  FactBlock(const FactBlock& other);
  FactBlock& operator=(const FactBlock& other);
  FactBlock(FactBlock&& other) noexcept;
  FactBlock& operator=(FactBlock&& other) noexcept;
  ~FactBlock();

  // Appends a copy of `facts` as row size(). E0602 when the block is full or the fact set
  // was made for another guideline; the block is then unchanged.
  [[nodiscard]] Status add(const FactSet& facts);
  // Rows added since the last clear(), 0 to kCapacity.
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] bool full() const { return size() == kCapacity; }
  // No rows; keeps the memory for reuse.
  void clear();

  struct Impl;

 private:
  friend class Guideline;
  explicit FactBlock(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The result of evaluating a block: for each row and recommendation, what a Decision gives
// for that row's fact set alone.
class BlockDecision {
 public:
  BlockDecision();  // empty until an evaluation fills it
  BlockDecision(const BlockDecision& other);
  BlockDecision& operator=(const BlockDecision& other);
  BlockDecision(BlockDecision&& other) noexcept;
  BlockDecision& operator=(BlockDecision&& other) noexcept;
  ~BlockDecision();

  // Ok, or why nothing was evaluated (E0602).
  [[nodiscard]] const Status& status() const;
  // The rows of the block last evaluated.
  [[nodiscard]] std::size_t rows() const;
  // The number of recommendations of the guideline last evaluated (0 before that).
  [[nodiscard]] std::size_t size() const;
  // `absent` for a row or id out of range.
  [[nodiscard]] Outcome outcome(std::size_t row, RecommendationId recommendation) const;
  // The rows where a recommendation is recommended, or undetermined, as a bit mask (bit r
  // is row r); 0 for an id out of range.
  [[nodiscard]] std::uint64_t recommended_rows(RecommendationId recommendation) const;
  [[nodiscard]] std::uint64_t undetermined_rows(RecommendationId recommendation) const;
  // The absent facts an undetermined recommendation waits on in one row, sorted by name;
  // empty for the other outcomes. Computed on demand, so not const.
  [[nodiscard]] std::vector<FactId> missing(std::size_t row, RecommendationId recommendation);
  // The absent facts a recommendation was decided despite in one row (Decision::despite);
  // empty for an undetermined one and out of range.
  [[nodiscard]] std::vector<FactId> despite(std::size_t row, RecommendationId recommendation);

  struct Impl;

 private:
  friend class Guideline;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rubric::api

// The embedding API (include/rubric/rubric.hpp): a thin facade over the engine.
//
// Fact values are read by the one fact-value reader (values/fact_value_reader.hpp), as a fact
// file's scalars are, with the same codes and messages; this file turns its problems into a
// Status.
#include "rubric/rubric.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "dsl/diagnostic.hpp"
#include "dsl/parser.hpp"
#include "dsl/source.hpp"
#include "engine/guideline.hpp"
#include "records/record_reader.hpp"
#include "values/decimal_text.hpp"
#include "values/fact_set.hpp"
#include "values/fact_value_reader.hpp"
#include "values/value.hpp"

#ifndef RUBRIC_VERSION
#error "RUBRIC_VERSION must be defined by the build"
#endif

namespace rubric::api {

// ---------------------------------------------------------------------------------------
// Private state

struct Guideline::Impl {
  SourceManager sources;
  FileId file;
  std::shared_ptr<const rubric::Guideline> compiled;
  std::unordered_map<std::string_view, std::uint32_t> facts_by_name;  // views into `compiled`
};

struct FactSet::Impl {
  std::shared_ptr<const Guideline::Impl> guideline;
  rubric::FactSet values;
  // Where the last read_record found each fact, indexed like the facts; empty when the set
  // was not filled from a record (or after clear()).
  std::vector<FactProvenance> provenance;
  // The record reader and the reading it fills, kept so that reading record after record into
  // this set reuses their memory. Made on first use; a copy of the set starts without a reader
  // (readers are per-thread working memory, never shared).
  struct ReaderSlot {
    std::unique_ptr<RecordReader> reader;
    ReaderSlot() = default;
    ReaderSlot(const ReaderSlot& /*other*/) {}
    ReaderSlot& operator=(const ReaderSlot& /*other*/) {
      reader.reset();
      return *this;
    }
    ReaderSlot(ReaderSlot&&) noexcept = default;
    ReaderSlot& operator=(ReaderSlot&&) noexcept = default;
    ~ReaderSlot() = default;
  } record_reader;
  RecordReading reading;
  // The unit last given to set_quantity and what it names, so that a program setting the
  // same unit again and again looks it up once.
  std::string last_unit_text;
  const Unit* last_unit = nullptr;

  // The declaration of `fact` when it is of `kind`; null otherwise (the slow path then
  // reports the problem).
  [[nodiscard]] const FactSpec* spec_of(FactId fact, TypeKind kind) const {
    const std::span<const FactSpec> facts = guideline->compiled->facts();
    if (fact.value >= facts.size() || facts[fact.value].type.kind != kind) {
      return nullptr;
    }
    return &facts[fact.value];
  }
  // Sets `value` for `fact` when it satisfies the declaration's limits.
  bool set_checked(const FactSpec& spec, FactId fact, const Value& value) {
    if (spec.violation(value)) {
      return false;
    }
    values.set(rubric::FactId{fact.value}, value);
    return true;
  }
};

struct Decision::Impl {
  std::shared_ptr<const Guideline::Impl> guideline;
  rubric::Decision decision;
  EvaluationScratch scratch;
  std::vector<RecommendationId> recommended;
  std::vector<RecommendationId> undetermined;
  // The missing facts of recommendation r are missing[missing_start[r] .. missing_start[r+1]),
  // and the facts it was decided despite despite[despite_start[r] .. despite_start[r+1]).
  std::vector<FactId> missing;
  std::vector<std::uint32_t> missing_start;
  std::vector<FactId> despite;
  std::vector<std::uint32_t> despite_start;
  Status status;
};

struct FactBlock::Impl {
  std::shared_ptr<const Guideline::Impl> guideline;
  rubric::FactBlock block;
};

struct BlockDecision::Impl {
  std::shared_ptr<const Guideline::Impl> guideline;
  rubric::BlockDecision decision;
  BlockScratch scratch;
  std::vector<rubric::FactId> facts;  // working memory for one row's missing or despite facts
  Status status;
};

namespace {

// The public form of an engine outcome.
Outcome from_engine(rubric::Outcome outcome) {
  switch (outcome) {
    case rubric::Outcome::recommended: return Outcome::recommended;
    case rubric::Outcome::undetermined: return Outcome::undetermined;
    case rubric::Outcome::absent: break;
  }
  return Outcome::absent;
}

// Per-recommendation fact lists in one array: the facts of recommendation r become
// flat[start[r] .. start[r + 1]). Reuses the vectors' memory.
void flatten(const std::vector<std::vector<rubric::FactId>>& lists, std::vector<FactId>& flat,
             std::vector<std::uint32_t>& start) {
  flat.clear();
  start.clear();
  for (const std::vector<rubric::FactId>& list : lists) {
    start.push_back(static_cast<std::uint32_t>(flat.size()));
    for (const rubric::FactId fact : list) {
      flat.push_back(FactId{fact.value});
    }
  }
  start.push_back(static_cast<std::uint32_t>(flat.size()));
}

// The list of recommendation r in what `flatten` made.
std::span<const FactId> flattened(const std::vector<FactId>& flat,
                                  const std::vector<std::uint32_t>& start, std::size_t r) {
  return std::span<const FactId>(flat).subspan(start[r], start[r + 1] - start[r]);
}

// `text` without the spaces, tabs and line breaks around it.
std::string_view trim_spaces(std::string_view text) {
  const std::size_t start = text.find_first_not_of(" \t\n\r");
  if (start == std::string_view::npos) {
    return {};
  }
  return text.substr(start, text.find_last_not_of(" \t\n\r") - start + 1);
}

// The shortest decimal text that reads back as `value`, without an exponent ("6.5", "1e-9"
// as "0.000000001").
std::string double_text(double value) {
  char buffer[400];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  if (result.ec != std::errc()) {
    return "nan";
  }
  return std::string(buffer, result.ptr);
}

Status invalid_argument(std::string message) {
  return Status::error(diagnostic_code(rubric::DiagnosticKind::invalid_argument),
                       std::move(message));
}

// ---------------------------------------------------------------------------------------
// Reading one value for one fact

// Checks `scalar` against `fact` with the fact-value reader; on success sets `out` (strings
// are kept by `storage`).
Status read_value(const FactSpec& fact, const WrittenScalar& scalar, rubric::FactSet& storage,
                  Value& out) {
  FactValueReading reading = read_fact_value(fact, scalar);
  if (!reading.accepted()) {
    return Status::error(diagnostic_code(*reading.problem), std::move(reading.message));
  }
  out = reading.value.kind() == ValueKind::string
            ? Value::string(storage.keep(reading.value.as_string()))
            : reading.value;
  return Status();
}

FactType fact_type(const Type& type) {
  switch (type.kind) {
    case TypeKind::boolean: return FactType::boolean;
    case TypeKind::integer: return FactType::integer;
    case TypeKind::decimal: return FactType::decimal;
    case TypeKind::string: return FactType::string;
    case TypeKind::code: return FactType::code;
    case TypeKind::quantity: return FactType::quantity;
    case TypeKind::date: return FactType::date;
    case TypeKind::date_time: return FactType::date_time;
    case TypeKind::error:
    case TypeKind::null:
    case TypeKind::list: break;
  }
  return FactType::string;
}

Diagnostic convert(const SourceManager& sources, const rubric::Diagnostic& diagnostic) {
  Diagnostic out;
  out.code = diagnostic.code;
  out.severity = diagnostic.severity == rubric::Severity::error     ? Severity::error
                 : diagnostic.severity == rubric::Severity::warning ? Severity::warning
                                                                    : Severity::note;
  out.file = std::string(sources.name(diagnostic.range.file));
  const LineColumn at = sources.line_column(diagnostic.range.file, diagnostic.range.offset);
  out.line = at.line;
  out.column = at.column;
  out.message = diagnostic.message;
  out.formatted = format_diagnostic(sources, diagnostic);
  return out;
}

// A whole-file problem (no line or column).
Diagnostic file_error(std::string file, std::string message) {
  Diagnostic out;
  out.code = diagnostic_code(rubric::DiagnosticKind::unreadable_rule_file);
  out.severity = Severity::error;
  out.formatted = fmt::format("{}: error[{}]: {}", file, out.code, message);
  out.file = std::move(file);
  out.message = std::move(message);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Status, Compilation

std::string_view library_version() {
  return RUBRIC_VERSION;
}

Status Status::error(std::string code, std::string message) {
  Status status;
  status.code_ =
      code.empty() ? diagnostic_code(rubric::DiagnosticKind::invalid_argument) : std::move(code);
  status.message_ = std::move(message);
  return status;
}

std::string Compilation::formatted() const {
  std::string out;
  for (const Diagnostic& diagnostic : diagnostics) {
    out += diagnostic.formatted;
    if (!out.empty() && out.back() != '\n') {
      out += '\n';
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Guideline

Guideline::Guideline(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Compilation Guideline::compile(std::string_view text, std::string_view name) {
  Compilation result;
  auto impl = std::make_shared<Impl>();
  impl->file = impl->sources.add(std::string(name), std::string(text));
  Diagnostics diagnostics;
  impl->compiled = rubric::Guideline::compile(impl->sources, impl->file, diagnostics);
  for (const rubric::Diagnostic& diagnostic : diagnostics.all()) {
    result.diagnostics.push_back(convert(impl->sources, diagnostic));
  }
  if (impl->compiled == nullptr) {
    return result;
  }
  const std::span<const FactSpec> facts = impl->compiled->facts();
  for (std::uint32_t index = 0; index < facts.size(); ++index) {
    if (!facts[index].evaluation_date) {  // set with FactSet::set_evaluation_date
      impl->facts_by_name.emplace(facts[index].name, index);
    }
  }
  result.guideline = Guideline(std::move(impl));
  return result;
}

Compilation Guideline::compile_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    Compilation result;
    result.diagnostics.push_back(
        file_error(name, fmt::format("cannot read {}: it is a folder", in_backticks(name))));
    return result;
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error && size > kMaxSourceBytes) {
    Compilation result;
    result.diagnostics.push_back(
        file_error(name, fmt::format("{} is larger than the limit of {} bytes", in_backticks(name),
                                     kMaxSourceBytes)));
    return result;
  }
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  if (stream) {
    text << stream.rdbuf();
  }
  if (!stream || stream.bad()) {
    Compilation result;
    result.diagnostics.push_back(
        file_error(name, fmt::format("cannot read {}", in_backticks(name))));
    return result;
  }
  return compile(text.str(), name);
}

std::string_view Guideline::id() const {
  return impl_->compiled->id();
}

std::string_view Guideline::title() const {
  return impl_->compiled->title();
}

std::string_view Guideline::version() const {
  return impl_->compiled->version();
}

std::size_t Guideline::fact_count() const {
  return impl_->compiled->facts().size();
}

std::optional<FactId> Guideline::fact(std::string_view name) const {
  const auto found = impl_->facts_by_name.find(name);
  if (found == impl_->facts_by_name.end()) {
    return std::nullopt;
  }
  return FactId{found->second};
}

std::optional<FactInfo> Guideline::describe(FactId fact) const {
  const std::span<const FactSpec> facts = impl_->compiled->facts();
  if (fact.value >= facts.size()) {
    return std::nullopt;
  }
  const FactSpec& spec = facts[fact.value];
  FactInfo info;
  info.name = spec.name;
  info.type = fact_type(spec.type);
  info.unit = spec.unit;
  info.description = spec.description;
  for (const std::string& code : spec.codes) {
    info.codes.emplace_back(code);
  }
  info.expected = spec.expected();
  return info;
}

std::string_view Guideline::fact_name(FactId fact) const {
  const std::span<const FactSpec> facts = impl_->compiled->facts();
  return fact.value < facts.size() ? std::string_view(facts[fact.value].name) : std::string_view();
}

std::size_t Guideline::recommendation_count() const {
  return impl_->compiled->recommendations().size();
}

std::optional<RecommendationId> Guideline::recommendation(std::string_view id) const {
  const std::optional<std::size_t> found = impl_->compiled->find_recommendation(id);
  if (!found) {
    return std::nullopt;
  }
  return RecommendationId{static_cast<std::uint32_t>(*found)};
}

std::optional<Recommendation> Guideline::describe(RecommendationId recommendation) const {
  const rubric::Guideline& compiled = *impl_->compiled;
  if (recommendation.value >= compiled.recommendations().size()) {
    return std::nullopt;
  }
  const RecommendationInfo& info = compiled.recommendations()[recommendation.value];
  Recommendation out;
  out.id = info.id;
  out.kind = info.kind;
  out.indicator = info.indicator;
  out.text = info.text;
  if (info.summary) {
    out.summary = std::string_view(*info.summary);
  }
  if (info.evidence) {
    out.evidence = std::string_view(*info.evidence);
  }
  for (const std::uint32_t number : info.citations) {
    const SourceInfo* source = compiled.source(number);
    out.citations.push_back(
        Citation{number, source != nullptr ? std::string_view(source->citation) : ""});
  }
  for (const CarriedParameter& carried : info.parameters) {
    Parameter parameter;
    parameter.name = carried.name;
    parameter.value = to_text(carried.value, TextStyle::fact_file);
    const ValueKind kind = carried.value.kind();
    if (kind == ValueKind::integer || kind == ValueKind::decimal || kind == ValueKind::quantity) {
      parameter.amount = number_text(carried.value.as_decimal());
    }
    if (kind == ValueKind::quantity) {
      parameter.unit = carried.value.unit().code;
    }
    out.parameters.push_back(std::move(parameter));
  }
  for (const ReportedName& reported : info.reported) {
    out.reported.push_back(reported.name);
  }
  const LineColumn at = impl_->sources.line_column(info.range.file, info.range.offset);
  out.location = fmt::format("{}:{}:{}", impl_->sources.name(info.range.file), at.line, at.column);
  return out;
}

std::string_view Guideline::recommendation_name(RecommendationId recommendation) const {
  const auto recommendations = impl_->compiled->recommendations();
  return recommendation.value < recommendations.size()
             ? std::string_view(recommendations[recommendation.value].id)
             : std::string_view();
}

std::size_t Guideline::graph_nodes() const {
  return impl_->compiled->graph().size();
}

std::size_t Guideline::graph_bytes() const {
  return impl_->compiled->graph().memory_bytes();
}

FactSet Guideline::new_fact_set() const {
  auto impl = std::make_unique<FactSet::Impl>();
  impl->guideline = impl_;
  impl->values = rubric::FactSet(impl_->compiled->facts().size());
  return FactSet(std::move(impl));
}

Decision Guideline::evaluate(const FactSet& facts) const {
  Decision decision;
  evaluate(facts, decision);
  return decision;
}

void Guideline::evaluate(const FactSet& facts, Decision& decision) const {
  if (decision.impl_ == nullptr) {
    decision.impl_ = std::make_unique<Decision::Impl>();  // a decision that was moved from
  }
  Decision::Impl& out = *decision.impl_;
  if (out.guideline.get() != impl_.get()) {
    out.guideline = impl_;
  }
  out.recommended.clear();
  out.undetermined.clear();
  if (facts.impl_ == nullptr || facts.impl_->guideline.get() != impl_.get()) {
    out.decision.outcomes.clear();
    out.decision.missing.clear();
    out.decision.despite.clear();
    flatten(out.decision.missing, out.missing, out.missing_start);
    flatten(out.decision.despite, out.despite, out.despite_start);
    out.status = invalid_argument(
        facts.impl_ == nullptr
            ? "the fact set belongs to no guideline; make it with `Guideline::new_fact_set`"
            : fmt::format("the fact set was made for guideline {}, not {}",
                          in_backticks(facts.impl_->guideline->compiled->id()),
                          in_backticks(impl_->compiled->id())));
    return;
  }
  out.status = Status();
  impl_->compiled->evaluate(facts.impl_->values, out.scratch, out.decision);
  const std::size_t count = out.decision.outcomes.size();
  out.recommended.reserve(count);
  out.undetermined.reserve(count);
  for (std::size_t r = 0; r < count; ++r) {
    const auto id = RecommendationId{static_cast<std::uint32_t>(r)};
    if (out.decision.outcomes[r] == rubric::Outcome::recommended) {
      out.recommended.push_back(id);
    } else if (out.decision.outcomes[r] == rubric::Outcome::undetermined) {
      out.undetermined.push_back(id);
    }
  }
  flatten(out.decision.missing, out.missing, out.missing_start);
  flatten(out.decision.despite, out.despite, out.despite_start);
}

FactBlock Guideline::new_fact_block() const {
  auto impl = std::make_unique<FactBlock::Impl>();
  impl->guideline = impl_;
  impl->block = rubric::FactBlock(impl_->compiled->facts().size());
  return FactBlock(std::move(impl));
}

BlockDecision Guideline::evaluate(const FactBlock& block) const {
  BlockDecision decision;
  evaluate(block, decision);
  return decision;
}

void Guideline::evaluate(const FactBlock& block, BlockDecision& decision) const {
  if (decision.impl_ == nullptr) {
    decision.impl_ = std::make_unique<BlockDecision::Impl>();  // a decision that was moved from
  }
  BlockDecision::Impl& out = *decision.impl_;
  if (out.guideline.get() != impl_.get()) {
    out.guideline = impl_;
  }
  if (block.impl_ == nullptr || block.impl_->guideline.get() != impl_.get()) {
    out.decision = rubric::BlockDecision{};
    out.status = invalid_argument(
        block.impl_ == nullptr
            ? "the fact block belongs to no guideline; make it with `Guideline::new_fact_block`"
            : fmt::format("the fact block was made for guideline {}, not {}",
                          in_backticks(block.impl_->guideline->compiled->id()),
                          in_backticks(impl_->compiled->id())));
    return;
  }
  out.status = Status();
  impl_->compiled->evaluate(block.impl_->block, out.scratch, out.decision);
}

// ---------------------------------------------------------------------------------------
// FactBlock and BlockDecision

FactBlock::FactBlock() = default;
FactBlock::FactBlock(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FactBlock::FactBlock(const FactBlock& other)
    : impl_(other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr) {}
FactBlock& FactBlock::operator=(const FactBlock& other) {
  if (this != &other) {
    impl_ = other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr;
  }
  return *this;
}
FactBlock::FactBlock(FactBlock&& other) noexcept = default;
FactBlock& FactBlock::operator=(FactBlock&& other) noexcept = default;
FactBlock::~FactBlock() = default;

Status FactBlock::add(const FactSet& facts) {
  if (impl_ == nullptr) {
    return invalid_argument(
        "the fact block belongs to no guideline; make it with `Guideline::new_fact_block`");
  }
  if (facts.impl_ == nullptr || facts.impl_->guideline.get() != impl_->guideline.get()) {
    return invalid_argument(
        facts.impl_ == nullptr
            ? "the fact set belongs to no guideline; make it with `Guideline::new_fact_set`"
            : fmt::format("the fact set was made for guideline {}, not {}",
                          in_backticks(facts.impl_->guideline->compiled->id()),
                          in_backticks(impl_->guideline->compiled->id())));
  }
  if (impl_->block.full()) {
    return invalid_argument(fmt::format(
        "the fact block is full ({} fact sets); evaluate it, then `clear` it", kCapacity));
  }
  impl_->block.push_back(facts.impl_->values);
  return Status();
}

std::size_t FactBlock::size() const {
  return impl_ != nullptr ? impl_->block.size() : 0;
}

void FactBlock::clear() {
  if (impl_ != nullptr) {
    impl_->block.clear();
  }
}

BlockDecision::BlockDecision() : impl_(std::make_unique<Impl>()) {}
BlockDecision::BlockDecision(const BlockDecision& other)
    : impl_(other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr) {}
BlockDecision& BlockDecision::operator=(const BlockDecision& other) {
  if (this != &other) {
    impl_ = other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr;
  }
  return *this;
}
BlockDecision::BlockDecision(BlockDecision&& other) noexcept = default;
BlockDecision& BlockDecision::operator=(BlockDecision&& other) noexcept = default;
BlockDecision::~BlockDecision() = default;

const Status& BlockDecision::status() const {
  static const Status moved_from = Status::error(
      diagnostic_code(rubric::DiagnosticKind::invalid_argument), "the decision was moved from");
  return impl_ != nullptr ? impl_->status : moved_from;
}

std::size_t BlockDecision::rows() const {
  return impl_ != nullptr ? impl_->decision.rows : 0;
}

std::size_t BlockDecision::size() const {
  return impl_ != nullptr ? impl_->decision.recommended.size() : 0;
}

Outcome BlockDecision::outcome(std::size_t row, RecommendationId recommendation) const {
  if (row >= rows() || recommendation.value >= size()) {
    return Outcome::absent;
  }
  return from_engine(impl_->decision.outcome(row, recommendation.value));
}

std::uint64_t BlockDecision::recommended_rows(RecommendationId recommendation) const {
  return recommendation.value < size() ? impl_->decision.recommended[recommendation.value] : 0;
}

std::uint64_t BlockDecision::undetermined_rows(RecommendationId recommendation) const {
  return recommendation.value < size() ? impl_->decision.undetermined[recommendation.value] : 0;
}

std::vector<FactId> BlockDecision::missing(std::size_t row, RecommendationId recommendation) {
  std::vector<FactId> out;
  if (outcome(row, recommendation) != Outcome::undetermined) {
    return out;
  }
  impl_->guideline->compiled->missing(row, recommendation.value, impl_->scratch, impl_->facts);
  for (const rubric::FactId fact : impl_->facts) {
    out.push_back(FactId{fact.value});
  }
  return out;
}

std::vector<FactId> BlockDecision::despite(std::size_t row, RecommendationId recommendation) {
  std::vector<FactId> out;
  if (row >= rows() || recommendation.value >= size() ||
      outcome(row, recommendation) == Outcome::undetermined) {
    return out;
  }
  impl_->guideline->compiled->despite(row, recommendation.value, impl_->scratch, impl_->facts);
  for (const rubric::FactId fact : impl_->facts) {
    out.push_back(FactId{fact.value});
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// FactSet

namespace {

// The fact an id names in `impl`'s guideline, or the error.
const FactSpec* find_spec(const FactSet::Impl* impl, FactId fact, Status& status) {
  if (impl == nullptr) {
    status = invalid_argument(
        "the fact set belongs to no guideline; make it with `Guideline::new_fact_set`");
    return nullptr;
  }
  const std::span<const FactSpec> facts = impl->guideline->compiled->facts();
  if (fact.value >= facts.size()) {
    status = invalid_argument(fmt::format("fact id {} is out of range: guideline {} has {} facts",
                                          fact.value, in_backticks(impl->guideline->compiled->id()),
                                          facts.size()));
    return nullptr;
  }
  return &facts[fact.value];
}

std::optional<FactId> find_by_name(const FactSet::Impl* impl, std::string_view name,
                                   Status& status) {
  if (impl == nullptr) {
    status = invalid_argument(
        "the fact set belongs to no guideline; make it with `Guideline::new_fact_set`");
    return std::nullopt;
  }
  const auto& by_name = impl->guideline->facts_by_name;
  const auto found = by_name.find(name);
  if (found != by_name.end()) {
    return FactId{found->second};
  }
  std::string message = fmt::format("unknown fact {}", in_backticks(shown(name)));
  std::vector<std::string_view> names;
  for (const FactSpec& spec : impl->guideline->compiled->facts()) {
    if (spec.name.size() == name.size() &&
        std::equal(spec.name.begin(), spec.name.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      names.clear();
      names.push_back(spec.name);
      break;
    }
    names.push_back(spec.name);
  }
  const std::string suggestion =
      names.size() == 1 ? std::string(names.front())
                        : (name.size() <= 200 ? closest_name(name, names) : std::string());
  if (!suggestion.empty()) {
    message += fmt::format("; did you mean {}?", in_backticks(suggestion));
  }
  status = Status::error(diagnostic_code(rubric::DiagnosticKind::unknown_fact), std::move(message));
  return std::nullopt;
}

Status assign(FactSet::Impl* impl, FactId fact, std::string_view written, ScalarKind kind,
              bool quoted = false) {
  Status status;
  const FactSpec* spec = find_spec(impl, fact, status);
  if (spec == nullptr) {
    return status;
  }
  WrittenScalar scalar;
  scalar.kind = kind;
  scalar.text = written;
  scalar.quoted = quoted;
  Value value;
  status = read_value(*spec, scalar, impl->values, value);
  if (status) {
    impl->values.set(rubric::FactId{fact.value}, value);
  }
  return status;
}

Status assign(FactSet::Impl* impl, std::string_view name, std::string_view written, ScalarKind kind,
              bool quoted = false) {
  Status status;
  const std::optional<FactId> fact = find_by_name(impl, name, status);
  return fact ? assign(impl, *fact, written, kind, quoted) : status;
}

// A double as the text a fact file would hold; nullopt (with the error) for NaN/infinity.
std::optional<std::string> finite_text(const FactSet::Impl* impl, FactId fact, double value,
                                       Status& status) {
  if (std::isfinite(value)) {
    return double_text(value);
  }
  const FactSpec* spec = find_spec(impl, fact, status);
  if (spec != nullptr) {
    status = Status::error(
        diagnostic_code(rubric::DiagnosticKind::wrong_fact_type),
        fmt::format("fact {} must be {}; found {}; give a finite number", in_backticks(spec->name),
                    expected_with_example(*spec),
                    in_backticks(std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf"))));
  }
  return std::nullopt;
}

Status assign_decimal(FactSet::Impl* impl, FactId fact, double value) {
  Status status;
  const std::optional<std::string> text = finite_text(impl, fact, value, status);
  return text ? assign(impl, fact, *text, ScalarKind::number) : status;
}

Status assign_quantity(FactSet::Impl* impl, FactId fact, double amount, std::string_view unit) {
  Status status;
  const std::optional<std::string> text = finite_text(impl, fact, amount, status);
  return text ? assign(impl, fact, fmt::format("{} {}", *text, unit), ScalarKind::string) : status;
}

}  // namespace

FactSet::FactSet() = default;
FactSet::FactSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FactSet::FactSet(const FactSet& other)
    : impl_(other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr) {}
FactSet& FactSet::operator=(const FactSet& other) {
  if (this != &other) {
    impl_ = other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr;
  }
  return *this;
}
FactSet::FactSet(FactSet&& other) noexcept = default;
FactSet& FactSet::operator=(FactSet&& other) noexcept = default;
FactSet::~FactSet() = default;

// The typed setters by id first try a direct path for a value of the fact's own type, and
// fall back to the reading of text (which also words every error) otherwise.

Status FactSet::set_boolean(FactId fact, bool value) {
  if (impl_ != nullptr) {
    if (const FactSpec* spec = impl_->spec_of(fact, TypeKind::boolean)) {
      if (impl_->set_checked(*spec, fact, Value::boolean(value))) {
        return Status();
      }
    }
  }
  return assign(impl_.get(), fact, value ? "true" : "false", ScalarKind::boolean);
}

Status FactSet::set_boolean(std::string_view fact, bool value) {
  return assign(impl_.get(), fact, value ? "true" : "false", ScalarKind::boolean);
}

Status FactSet::set_integer(FactId fact, std::int64_t value) {
  if (impl_ != nullptr) {
    if (const FactSpec* spec = impl_->spec_of(fact, TypeKind::integer)) {
      if (value >= INT32_MIN && value <= INT32_MAX &&
          impl_->set_checked(*spec, fact, Value::integer(static_cast<std::int32_t>(value)))) {
        return Status();
      }
    } else if (const FactSpec* decimal = impl_->spec_of(fact, TypeKind::decimal)) {
      const std::optional<Decimal> number = Decimal::from_integer(value);
      if (number && impl_->set_checked(*decimal, fact, Value::decimal(*number))) {
        return Status();
      }
    }
  }
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return assign(impl_.get(), fact, std::string_view(buffer, end - buffer), ScalarKind::number);
}

Status FactSet::set_integer(std::string_view fact, std::int64_t value) {
  Status status;
  const std::optional<FactId> id = find_by_name(impl_.get(), fact, status);
  return id ? set_integer(*id, value) : status;
}

Status FactSet::set_decimal(FactId fact, double value) {
  return assign_decimal(impl_.get(), fact, value);
}

Status FactSet::set_decimal(std::string_view fact, double value) {
  Status status;
  const std::optional<FactId> id = find_by_name(impl_.get(), fact, status);
  return id ? assign_decimal(impl_.get(), *id, value) : status;
}

Status FactSet::set_quantity(FactId fact, double amount, std::string_view unit) {
  if (impl_ != nullptr && std::isfinite(amount)) {
    if (const FactSpec* spec = impl_->spec_of(fact, TypeKind::quantity)) {
      if (impl_->last_unit == nullptr || impl_->last_unit_text != unit) {
        impl_->last_unit = find_unit(unit);
        impl_->last_unit_text.assign(unit);
      }
      const Unit* found = impl_->last_unit;
      const ParsedNumber number = parse_number(double_text(amount));
      // The fast path takes a unit of the fact's dimension when the fact accepts any;
      // restricted units and conversions go through the reader.
      if (found != nullptr && found->dimension == spec->type.dimension &&
          spec->accepted_units.empty() && number.problem == NumberProblem::none &&
          impl_->set_checked(*spec, fact, Value::quantity(number.value, *found))) {
        return Status();
      }
    }
  }
  return assign_quantity(impl_.get(), fact, amount, unit);
}

Status FactSet::set_quantity(std::string_view fact, double amount, std::string_view unit) {
  Status status;
  const std::optional<FactId> id = find_by_name(impl_.get(), fact, status);
  return id ? assign_quantity(impl_.get(), *id, amount, unit) : status;
}

// A string is given as a fact file's quoted string is (`"6.5"`, `"true"`), and described so.
Status FactSet::set_string(FactId fact, std::string_view value) {
  return assign(impl_.get(), fact, value, ScalarKind::string, true);
}

Status FactSet::set_string(std::string_view fact, std::string_view value) {
  return assign(impl_.get(), fact, value, ScalarKind::string, true);
}

// Text is read as a fact file's plain (unquoted) scalar is: YAML trims the spaces around it.
Status FactSet::set_text(FactId fact, std::string_view text) {
  const std::string_view trimmed = trim_spaces(text);
  return assign(impl_.get(), fact, trimmed, classify_plain_scalar(trimmed));
}

Status FactSet::set_text(std::string_view fact, std::string_view text) {
  const std::string_view trimmed = trim_spaces(text);
  return assign(impl_.get(), fact, trimmed, classify_plain_scalar(trimmed));
}

Status FactSet::set_absent(FactId fact) {
  return assign(impl_.get(), fact, "", ScalarKind::null);
}

Status FactSet::set_absent(std::string_view fact) {
  return assign(impl_.get(), fact, "", ScalarKind::null);
}

namespace {

// Reads an evaluation date (`YYYY-MM-DD`) into `out`, or says what is wrong with it.
Status read_evaluation_date(std::string_view text, std::optional<DateTime>& out) {
  const DateTimeReading reading = DateTime::parse(text);
  if (!reading.accepted() || !reading.value->is_full_date()) {
    return invalid_argument(fmt::format(
        "the evaluation date is a full date written `YYYY-MM-DD`, such as `2026-06-15`; found "
        "{}{}",
        in_backticks(shown(text)), reading.accepted() ? "" : "; " + reading.message));
  }
  out = reading.value;
  return {};
}

}  // namespace

Status FactSet::set_evaluation_date(std::string_view date) {
  if (impl_ == nullptr) {
    return invalid_argument(
        "the fact set belongs to no guideline; make it with `Guideline::new_fact_set`");
  }
  std::optional<DateTime> evaluation_date;
  if (Status status = read_evaluation_date(date, evaluation_date); !status.ok()) {
    return status;
  }
  impl_->guideline->compiled->set_evaluation_date(impl_->values, *evaluation_date);
  return {};
}

void FactSet::clear() {
  if (impl_ != nullptr) {
    impl_->values.clear();
    impl_->provenance.clear();
  }
}

namespace {

// The reader's error as a Status: its code and message, the message led by the line and
// column for a problem at a known place in the JSON text ("line 3, column 14: ...").
Status record_status(std::string_view json, RecordError& error) {
  std::string message = std::move(error.message);
  if (error.offset && *error.offset <= json.size()) {
    SourceManager sources;
    const FileId file = sources.add("record", std::string(json));
    const LineColumn at = sources.line_column(file, static_cast<std::uint32_t>(*error.offset));
    message = fmt::format("line {}, column {}: {}", at.line, at.column, message);
  }
  return Status::error(diagnostic_code(error.kind), std::move(message));
}

}  // namespace

Status FactSet::read_record(std::string_view json, std::string_view as_of) {
  if (impl_ == nullptr) {
    return invalid_argument(
        "the fact set belongs to no guideline; make it with `Guideline::new_fact_set`");
  }
  clear();
  std::optional<DateTime> date;
  if (Status status = read_evaluation_date(as_of, date); !status.ok()) {
    return status;
  }
  const rubric::Guideline& compiled = *impl_->guideline->compiled;
  std::unique_ptr<RecordReader>& reader = impl_->record_reader.reader;
  if (!reader) {
    reader = std::make_unique<RecordReader>(compiled.facts());
  }
  RecordReading& reading = impl_->reading;
  reader->read(json, *date, reading);
  if (!reading.ok()) {
    return record_status(json, *reading.error);
  }
  // Swapped, not copied: the next read refills the memory this set held.
  std::swap(impl_->values, reading.facts);
  std::swap(impl_->provenance, reading.provenance);
  compiled.set_evaluation_date(impl_->values, *date);
  return {};
}

std::string_view FactSet::source(FactId fact) const {
  if (impl_ == nullptr || fact.value >= impl_->provenance.size()) {
    return {};
  }
  return impl_->provenance[fact.value].resource;
}

std::string_view FactSet::absent_reason(FactId fact) const {
  if (impl_ == nullptr || fact.value >= impl_->provenance.size()) {
    return {};
  }
  return impl_->provenance[fact.value].absent_reason;
}

std::optional<std::string> FactSet::text(FactId fact) const {
  if (impl_ == nullptr || fact.value >= impl_->values.size()) {
    return std::nullopt;
  }
  const Value& value = impl_->values.get(rubric::FactId{fact.value});
  if (value.is_null()) {
    return std::nullopt;
  }
  return to_text(value, TextStyle::fact_file);
}

// ---------------------------------------------------------------------------------------
// Decision

Decision::Decision() : impl_(std::make_unique<Impl>()) {}
Decision::Decision(const Decision& other)
    : impl_(other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr) {}
Decision& Decision::operator=(const Decision& other) {
  if (this != &other) {
    impl_ = other.impl_ ? std::make_unique<Impl>(*other.impl_) : nullptr;
  }
  return *this;
}
Decision::Decision(Decision&& other) noexcept = default;
Decision& Decision::operator=(Decision&& other) noexcept = default;
Decision::~Decision() = default;

const Status& Decision::status() const {
  static const Status moved_from = Status::error(
      diagnostic_code(rubric::DiagnosticKind::invalid_argument), "the decision was moved from");
  return impl_ != nullptr ? impl_->status : moved_from;
}

std::size_t Decision::size() const {
  return impl_ != nullptr ? impl_->decision.outcomes.size() : 0;
}

Outcome Decision::outcome(RecommendationId recommendation) const {
  if (recommendation.value >= size()) {
    return Outcome::absent;
  }
  return from_engine(impl_->decision.outcomes[recommendation.value]);
}

std::span<const RecommendationId> Decision::recommended() const {
  return impl_ != nullptr ? std::span<const RecommendationId>(impl_->recommended)
                          : std::span<const RecommendationId>();
}

std::span<const RecommendationId> Decision::undetermined() const {
  return impl_ != nullptr ? std::span<const RecommendationId>(impl_->undetermined)
                          : std::span<const RecommendationId>();
}

std::span<const FactId> Decision::missing(RecommendationId recommendation) const {
  if (recommendation.value >= size()) {
    return {};
  }
  return flattened(impl_->missing, impl_->missing_start, recommendation.value);
}

std::span<const FactId> Decision::despite(RecommendationId recommendation) const {
  if (recommendation.value >= size()) {
    return {};
  }
  return flattened(impl_->despite, impl_->despite_start, recommendation.value);
}

std::vector<ReportedValue> Guideline::reported(const FactSet& facts, const Decision& decision,
                                               RecommendationId recommendation) const {
  std::vector<ReportedValue> out;
  const rubric::Guideline& compiled = *impl_->compiled;
  if (recommendation.value >= compiled.recommendations().size() || facts.impl_ == nullptr ||
      facts.impl_->guideline.get() != impl_.get() || decision.impl_ == nullptr ||
      decision.impl_->guideline.get() != impl_.get() || !decision.impl_->status.ok() ||
      decision.impl_->decision.outcomes.size() != compiled.recommendations().size()) {
    return out;
  }
  for (const ReportedName& name : compiled.recommendations()[recommendation.value].reported) {
    const rubric::ReportedValue value =
        compiled.reported_value(name, facts.impl_->values, decision.impl_->scratch);
    ReportedValue item;
    item.name = name.name;
    item.known = !value.value.is_null();
    if (item.known) {
      item.value = to_text(value.value, TextStyle::fact_file);
    }
    item.text = reported_value_text(value);
    out.push_back(std::move(item));
  }
  return out;
}

std::vector<FactId> Decision::because(RecommendationId recommendation) {
  std::vector<FactId> out;
  if (recommendation.value >= size() || outcome(recommendation) == Outcome::undetermined ||
      !despite(recommendation).empty()) {
    return out;
  }
  for (const rubric::FactId fact :
       impl_->guideline->compiled->deciding_facts(recommendation.value, impl_->scratch)) {
    out.push_back(FactId{fact.value});
  }
  return out;
}

}  // namespace rubric::api

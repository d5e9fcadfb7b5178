// The abstract syntax tree of a `.rubric` file, produced by the parser's lowering pass.
//
// Expressions live in one flat array per Module, addressed by typed ExprId; an expression's
// operands are a contiguous slice of `Module::operands`. The AST owns all of its text.
// Invariant: every ExprId stored in a Module indexes that Module's `expressions`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dsl/source.hpp"

namespace rubric::ast {

struct ExprId {
  std::uint32_t value = 0;
  friend bool operator==(ExprId, ExprId) = default;
};

enum class ExprKind : std::uint8_t {
  null_literal,
  boolean_literal,   // text is "true" or "false"
  number_literal,    // text is the number as written: "3", "3.50"
  string_literal,    // text is the unescaped string
  quantity_literal,  // text is the number, unit the unit as written (`days`, `mg/d`)
  date_literal,      // text is the literal without its `@`: "2026-06-15", "2026-06-15T10:30Z"
  name,              // text is the name
  unary,             // unary_operator; operands: [operand]
  binary,            // binary_operator; operands: [left, right]
  test,              // test_operator; operands: [operand]
  between,           // operands: [value, low, high]
  membership,        // operands: [value, list]
  list,              // operands: the elements
  if_then_else,      // operands: [condition, then, else]
  case_when,         // has_subject ? [subject, when1, then1, ..., else] : [when1, then1, ..., else]
  call,              // text is the function name; operands: the arguments
  score,             // operands: [weight1, condition1, ..., weightN, conditionN]; a weight is a
                     // number literal or the negation of one
  at_least,          // operands: [count, condition1, ..., conditionN]
  duration_between,  // `years between a and b`; unit is the calendar word as written;
                     // operands: [a, b]
  coding_literal,    // `SCT '44054006'`: unit is the code system's name (operator_range its
                     // range), text the unescaped code
};

enum class UnaryOperator : std::uint8_t { logical_not, negate, plus };

enum class BinaryOperator : std::uint8_t {
  logical_and,
  logical_or,
  logical_xor,
  implies,
  equal,
  not_equal,
  equivalent,
  not_equivalent,
  less,
  less_or_equal,
  greater,
  greater_or_equal,
  add,
  subtract,
  multiply,
  divide,
  truncated_divide,
  modulo,
};

enum class TestOperator : std::uint8_t {
  is_null,
  is_not_null,
  is_true,
  is_not_true,
  is_false,
  is_not_false
};

struct Expr {
  ExprKind kind = ExprKind::null_literal;
  UnaryOperator unary_operator = UnaryOperator::logical_not;
  BinaryOperator binary_operator = BinaryOperator::logical_and;
  TestOperator test_operator = TestOperator::is_null;
  bool has_subject = false;  // case_when only
  SourceRange range;
  // For binary, test, between and membership: the operator's own range.
  SourceRange operator_range;
  std::string text;
  std::string unit;
  std::uint32_t first_operand = 0;
  std::uint32_t operand_count = 0;
};

enum class TypeName : std::uint8_t {
  boolean,
  integer,
  decimal,
  string,
  duration,
  mass,
  length,
  volume,
  quantity,   // unit holds the UCUM unit whose dimension it is
  code,       // codes hold the allowed codes
  coding,     // a (code system URI, code) pair
  date,       // a CQL Date (`@2026-06-15`)
  date_time,  // a CQL DateTime (`@2026-06-15T10:30:00Z`)
  null,       // internal only (values named for `rubric expr`): the type of `null`
};

struct TypeSpec {
  TypeName name = TypeName::boolean;
  std::string unit;
  std::vector<std::string> codes;
  std::vector<SourceRange> code_ranges;
  SourceRange range;
};

enum class Bound : std::uint8_t { at_least, above, at_most, below };

struct RangeLimit {
  Bound bound = Bound::at_least;
  ExprId value;
};

struct Named {
  std::string name;
  SourceRange range;
};

struct GuidelineHeader {
  Named id;  // the guideline id (written as text)
  std::string title;
  std::string version;
  std::vector<Named> hooks;  // `hooks patient-view, order-sign`; empty without the clause
  SourceRange range;
};

struct SourceDeclaration {
  std::uint32_t number = 0;
  SourceRange number_range;
  std::string citation;
  SourceRange range;
};

struct Citation {
  std::uint32_t number = 0;
  SourceRange range;
};

// `convert 'FROM' = FACTOR 'TO' cite N` (or `cite "text"`): a value v in FROM is v × FACTOR
// in TO.
struct UnitConversion {
  Named from;               // the unit as written, without quotes
  Named factor;             // the number as written
  Named to;                 // the unit as written, without quotes
  Citation source;          // `cite N`: the source number (0 when cited by text)
  std::string source_text;  // `cite "text"`
  bool cites_text = false;
  SourceRange range;
};

// `codesystem NAME = 'URI'`.
struct CodeSystemDeclaration {
  Named name;
  Named uri;  // the URI as written, without quotes
  SourceRange range;
};

// A code of a declared code system: `LOINC '72514-3'`.
struct CodeReference {
  Named system;  // the code system's name
  Named code;    // the code, without quotes
  SourceRange range;
};

// `valueset NAME = {SYSTEM 'code', ...} ["description"]`.
struct ValueSetDeclaration {
  Named name;
  std::vector<CodeReference> codes;
  std::string description;
  SourceRange range;
};

// `where ELEMENT is [not] CODE, CODE or CODE`.
struct BindingFilter {
  Named element;
  bool negated = false;
  std::vector<Named> codes;
};

// `value ELEMENT or ...`, `value UNITS since ELEMENT or ...` (value_range holds the calendar
// word), `value presence`, `value exists`, `value count`.
enum class BindingValueKind : std::uint8_t { elements, since, presence, exists, count };

// `ELEMENT in 'UNIT'`.
struct ElementUnit {
  Named element;
  Named unit;  // without quotes
};

// A fact's `from ... value ...` clause (values/binding.hpp says what each part means).
struct BindingClause {
  bool most_recent = false;
  Named resource_type;
  // `coded SYSTEM 'code'` (code set) or `coded VALUESET` (value_set set); neither without a
  // `coded` part.
  std::optional<CodeReference> code;
  std::optional<Named> value_set;
  std::vector<BindingFilter> filters;
  std::optional<Named> window_amount;  // `within N UNITS`: the number as written
  Named window_unit;                   // the calendar word as written
  BindingValueKind value = BindingValueKind::elements;
  Named value_range;  // the value's words as written (`years since`, `presence`), with range
  std::vector<Named> elements;
  std::optional<ElementUnit> unit;  // at most one element gives a unit
  bool otherwise_false = false;     // `exists, otherwise false`
  SourceRange range;
};

struct FactDeclaration {
  Named name;
  TypeSpec type;
  std::vector<RangeLimit> limits;  // empty, one comparison, or two for `between`
  std::vector<Named> units;        // `units 'U', ...`: the units as written, without quotes
  std::vector<UnitConversion> conversions;
  std::string description;
  std::optional<BindingClause> binding;
  SourceRange range;
};

struct ParameterDeclaration {
  Named name;
  ExprId value;
  std::string description;
  SourceRange range;
};

struct Definition {
  Named name;
  ExprId value;
  std::string description;
  SourceRange range;
};

struct RecommendationDeclaration {
  Named id;
  Named kind;
  // `indicator NAME`: the urgency of the recommendation's card (the checker validates it).
  std::optional<Named> indicator;
  std::string text;
  // `summary "..."`: the one line a card shows (at most kMaxSummaryCharacters).
  std::optional<std::string> summary;
  SourceRange summary_range;
  std::vector<Citation> citations;
  std::optional<std::string> evidence;
  std::vector<Named> carried;
  // `report`: facts, parameters or definitions whose values travel with the recommendation in
  // results (the checker resolves the names).
  std::vector<Named> reported;
  // `excludes`: recommendations that must never be made together with this one (the
  // relation is symmetric; the checker resolves the ids).
  std::vector<Named> excluded;
  ExprId condition;
  SourceRange range;
};

// `coverage when EXPRESSION`: every patient for whom the condition is true must get at least
// one recommendation (checked by `rubric check`, W0505).
struct CoverageDeclaration {
  ExprId condition;
  std::string description;
  SourceRange keyword_range;  // the `coverage` keyword
  SourceRange range;
};

enum class DeclarationKind : std::uint8_t {
  guideline,
  source,
  fact,
  parameter,
  definition,
  recommendation,
  coverage,
  code_system,
  value_set
};

// A declaration in file order: its kind and index into the matching vector.
struct DeclarationRef {
  DeclarationKind kind;
  std::uint32_t index;
};

struct Module {
  FileId file;
  std::vector<GuidelineHeader> headers;  // a valid file has exactly one
  std::vector<SourceDeclaration> sources;
  std::vector<FactDeclaration> facts;
  std::vector<ParameterDeclaration> parameters;
  std::vector<Definition> definitions;
  std::vector<RecommendationDeclaration> recommendations;
  std::vector<CoverageDeclaration> coverage;  // a valid file has at most one
  std::vector<CodeSystemDeclaration> code_systems;
  std::vector<ValueSetDeclaration> value_sets;
  std::vector<DeclarationRef> order;

  std::vector<Expr> expressions;
  std::vector<ExprId> operands;

  [[nodiscard]] const Expr& at(ExprId id) const { return expressions[id.value]; }
  [[nodiscard]] std::span<const ExprId> operands_of(const Expr& expr) const {
    return {operands.data() + expr.first_operand, expr.operand_count};
  }
};

// Readable names for messages and dumps: `and`, `<=`, `is not null`, ...
const char* spelling(UnaryOperator op);
const char* spelling(BinaryOperator op);
const char* spelling(TestOperator op);

// An S-expression dump of one expression, for golden tests and debugging:
// `(and (name a) (< (name b) (quantity 3 months)))`.
std::string dump(const Module& module, ExprId id);

}  // namespace rubric::ast

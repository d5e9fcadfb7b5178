// The PEGTL grammar of `.rubric` files and of standalone expressions.
//
// Private to dsl/parser.cpp (and the grammar tests): no public header includes it. Every
// `must<>` point names a rule whose message is in grammar/errors.hpp; `analyze()` checks the
// grammar for left recursion and empty loops in tests/unit/test_grammar.cpp.
//
// Expressions follow HL7 CQL syntax and precedence (lowest first): implies; or, xor; and;
// in; = != ~ !~; < <= > >=; between; not; is [not] null/true/false; + -; * / div mod;
// unary + -; primaries.
#pragma once

#include <tao/pegtl.hpp>

namespace rubric::grammar {

namespace pegtl = tao::pegtl;
using pegtl::alnum;
using pegtl::alpha;
using pegtl::any;
using pegtl::at;
using pegtl::digit;
using pegtl::eof;
using pegtl::eol;
using pegtl::if_must;
using pegtl::list;
using pegtl::lower;
using pegtl::minus;
using pegtl::must;
using pegtl::not_at;
using pegtl::not_one;
using pegtl::one;
using pegtl::opt;
using pegtl::plus;
using pegtl::seq;
using pegtl::sor;
using pegtl::space;
using pegtl::star;
using pegtl::string;
using pegtl::until;

// ---- Lexical structure -------------------------------------------------------------------

// Raised right after the `/*` of a comment that is never closed, so the error points at it.
struct unterminated_block_comment : pegtl::failure {};
struct line_comment : seq<string<'/', '/'>, until<eol>> {};
struct line_comment_at_end : seq<string<'/', '/'>, star<not_one<'\n'>>, eof> {};
struct block_comment
    : seq<string<'/', '*'>, sor<until<string<'*', '/'>>, must<unterminated_block_comment>>> {};
struct comment : sor<block_comment, line_comment_at_end, line_comment> {};
struct separator : star<sor<space, comment>> {};
using sep = separator;

struct identifier_first : sor<alpha, one<'_'>> {};
struct identifier_other : sor<alnum, one<'_'>> {};
struct identifier_text : seq<identifier_first, star<identifier_other>> {};

template <typename Word>
struct keyword : seq<Word, not_at<identifier_other>> {};

#define RUBRIC_KEYWORD(name, text) \
  struct kw_##name : keyword<TAO_PEGTL_STRING(text)> {}

RUBRIC_KEYWORD(and, "and");
RUBRIC_KEYWORD(or, "or");
RUBRIC_KEYWORD(xor, "xor");
RUBRIC_KEYWORD(not, "not");
RUBRIC_KEYWORD(implies, "implies");
RUBRIC_KEYWORD(is, "is");
RUBRIC_KEYWORD(null, "null");
RUBRIC_KEYWORD(true, "true");
RUBRIC_KEYWORD(false, "false");
RUBRIC_KEYWORD(between, "between");
RUBRIC_KEYWORD(in, "in");
RUBRIC_KEYWORD(if, "if");
RUBRIC_KEYWORD(then, "then");
RUBRIC_KEYWORD(else, "else");
RUBRIC_KEYWORD(case, "case");
RUBRIC_KEYWORD(when, "when");
RUBRIC_KEYWORD(end, "end");
RUBRIC_KEYWORD(div, "div");
RUBRIC_KEYWORD(mod, "mod");
RUBRIC_KEYWORD(guideline, "guideline");
RUBRIC_KEYWORD(title, "title");
RUBRIC_KEYWORD(version, "version");
RUBRIC_KEYWORD(source, "source");
RUBRIC_KEYWORD(fact, "fact");
RUBRIC_KEYWORD(parameter, "parameter");
RUBRIC_KEYWORD(define, "define");
RUBRIC_KEYWORD(recommendation, "recommendation");
RUBRIC_KEYWORD(kind, "kind");
RUBRIC_KEYWORD(text, "text");
RUBRIC_KEYWORD(cite, "cite");
RUBRIC_KEYWORD(evidence, "evidence");
RUBRIC_KEYWORD(carry, "carry");
RUBRIC_KEYWORD(report, "report");
RUBRIC_KEYWORD(excludes, "excludes");
RUBRIC_KEYWORD(coverage, "coverage");
RUBRIC_KEYWORD(codesystem, "codesystem");
RUBRIC_KEYWORD(valueset, "valueset");
RUBRIC_KEYWORD(boolean, "boolean");
RUBRIC_KEYWORD(integer, "integer");
RUBRIC_KEYWORD(decimal, "decimal");
RUBRIC_KEYWORD(string, "string");
RUBRIC_KEYWORD(duration, "duration");
RUBRIC_KEYWORD(mass, "mass");
RUBRIC_KEYWORD(length, "length");
RUBRIC_KEYWORD(volume, "volume");
RUBRIC_KEYWORD(quantity, "quantity");
RUBRIC_KEYWORD(code, "code");
RUBRIC_KEYWORD(date, "date");
RUBRIC_KEYWORD(datetime, "datetime");

// Calendar duration words (CQL's date-time precisions), singular and plural.
struct calendar_word
    : keyword<
          sor<TAO_PEGTL_STRING("milliseconds"), TAO_PEGTL_STRING("millisecond"),
              TAO_PEGTL_STRING("seconds"), TAO_PEGTL_STRING("second"), TAO_PEGTL_STRING("minutes"),
              TAO_PEGTL_STRING("minute"), TAO_PEGTL_STRING("hours"), TAO_PEGTL_STRING("hour"),
              TAO_PEGTL_STRING("days"), TAO_PEGTL_STRING("day"), TAO_PEGTL_STRING("weeks"),
              TAO_PEGTL_STRING("week"), TAO_PEGTL_STRING("months"), TAO_PEGTL_STRING("month"),
              TAO_PEGTL_STRING("years"), TAO_PEGTL_STRING("year")>> {};

struct reserved_word
    : sor<kw_and, kw_or, kw_xor, kw_not, kw_implies, kw_is, kw_null, kw_true, kw_false, kw_between,
          kw_in, kw_if, kw_then, kw_else, kw_case, kw_when, kw_end, kw_div, kw_mod, kw_guideline,
          kw_title, kw_version, kw_source, kw_fact, kw_parameter, kw_define, kw_recommendation,
          kw_kind, kw_text, kw_cite, kw_evidence, kw_carry, kw_report, kw_excludes, kw_coverage,
          kw_codesystem, kw_valueset, calendar_word> {};

struct identifier : seq<not_at<reserved_word>, identifier_text> {};

// Single-quoted CQL strings with CQL's escapes; double-quoted prose (titles, texts).
struct escape : seq<one<'\\'>, not_one<'\n', '\r'>> {};
// Strings and texts end on the line they start on (write `\n` for a line break).
struct unterminated_string : one<'\''> {};
struct string_body : star<sor<escape, not_one<'\'', '\\', '\n', '\r'>>> {};
struct string_literal : seq<one<'\''>, string_body, must<unterminated_string>> {};
struct unterminated_text : one<'"'> {};
struct text_body : star<sor<escape, not_one<'"', '\\', '\n', '\r'>>> {};
struct text_literal : seq<one<'"'>, text_body, must<unterminated_text>> {};

struct number : seq<plus<digit>, opt<one<'.'>, plus<digit>>> {};
struct unit_string : string_literal {};
struct unit : sor<unit_string, calendar_word> {};
struct quantity_literal : seq<number, star<pegtl::blank>, unit> {};
struct number_literal : number {};
// `@2026-06-15`, `@2026-06`, `@2026-06-15T10:30:00Z`, `@2026-06-15T10:30:00.5+01:00`: a CQL
// Date or DateTime. The grammar takes any digit counts so that the checker can say which
// field is wrong (`@2026-6-15`, `@2026-02-30`); an offset follows only a `T` part.
struct date_digits : plus<digit> {};
struct date_offset : sor<one<'Z'>, seq<one<'+', '-'>, plus<digit>, opt<one<':'>, plus<digit>>>> {};
struct date_time_part
    : seq<one<'T'>,
          opt<plus<digit>,
              opt<one<':'>, plus<digit>, opt<one<':'>, plus<digit>, opt<one<'.'>, plus<digit>>>>>,
          opt<date_offset>> {};
struct date_body : seq<date_digits, opt<one<'-'>, plus<digit>, opt<one<'-'>, plus<digit>>>,
                       opt<date_time_part>> {};
struct expected_date_body : date_body {};
struct expected_date_end : not_at<sor<identifier_other, one<'-', ':', '.'>>> {};
struct date_literal : seq<one<'@'>, must<expected_date_body>, must<expected_date_end>> {};
struct null_literal : kw_null {};
struct true_literal : kw_true {};
struct false_literal : kw_false {};

// ---- Expressions ---------------------------------------------------------------------------

struct expression;
struct term;
struct unary_expression;
// The sign of a negative score weight (the same token as the operator `-`).
struct op_minus_sign : one<'-'> {};

// The operand after a binary or prefix operator, parsed at that operator's precedence level.
template <typename Level>
struct operand_of : seq<sep, Level> {};

struct expected_expression : seq<sep, expression> {};
struct expected_close_paren : seq<sep, one<')'>> {};
struct expected_close_brace : seq<sep, one<'}'>> {};
struct expected_then : seq<sep, kw_then> {};
struct expected_else : seq<sep, kw_else> {};
struct expected_end : seq<sep, kw_end> {};
struct expected_test : seq<sep, sor<null_literal, true_literal, false_literal>> {};
struct expected_between_and : seq<sep, kw_and> {};

struct comma : seq<sep, one<','>> {};
struct parenthesized : seq<one<'('>, must<expected_expression>, must<expected_close_paren>> {};
struct expression_list : opt<sep, expression, star<comma, must<expected_expression>>> {};
struct list_selector : seq<one<'{'>, expression_list, must<expected_close_brace>> {};
struct function_name : identifier {};
struct call : seq<function_name, star<pegtl::blank>, one<'('>, expression_list,
                  must<expected_close_paren>> {};
struct name : identifier {};

struct if_expression
    : seq<kw_if, must<expected_expression>, must<expected_then>, must<expected_expression>,
          must<expected_else>, must<expected_expression>> {};

struct case_subject : seq<expression> {};
struct case_item
    : seq<kw_when, must<expected_expression>, must<expected_then>, must<expected_expression>> {};
struct expected_case_item : seq<sep, case_item> {};
struct case_expression : seq<kw_case, sep, opt<not_at<kw_when>, case_subject, sep>,
                             must<expected_case_item>, star<sep, case_item>, must<expected_else>,
                             must<expected_expression>, must<expected_end>> {};

// `score(2 when age >= 75 years, 1 when diabetes)`: a points score, the sum of the weights
// of the items whose condition holds. `score` is not a reserved word: it starts a score only
// when `(` follows it (a name is never followed by `(`; a call of a function `score` would be).
// Items are separated by commas so that a negative weight (`-1 when x`) cannot be read as a
// subtraction from the previous item's condition.
struct score_word : keyword<TAO_PEGTL_STRING("score")> {};
struct score_weight : seq<opt<op_minus_sign>, number_literal> {};
struct expected_score_weight : seq<sep, score_weight> {};
struct expected_score_when : seq<sep, kw_when> {};
struct score_item
    : seq<expected_score_weight, must<expected_score_when>, must<expected_expression>> {};
struct expected_score_item : score_item {};
struct expected_score_close : seq<sep, one<')'>> {};
struct score_expression : seq<score_word, sep, one<'('>, must<expected_score_item>,
                              star<comma, must<expected_score_item>>, must<expected_score_close>> {
};

// `at least 2 of (fever, cough, dyspnoea)`: true when at least that many conditions hold.
// `at`, `least` and `of` are not reserved words: `at least` starts it.
struct at_word : keyword<TAO_PEGTL_STRING("at")> {};
struct least_word : keyword<TAO_PEGTL_STRING("least")> {};
struct of_word : keyword<TAO_PEGTL_STRING("of")> {};
struct at_least_count : seq<sep, not_at<of_word>, unary_expression> {};
struct expected_at_least_count : at_least_count {};
struct expected_of : seq<sep, of_word> {};
struct expected_open_paren : seq<sep, one<'('>> {};
struct at_least_condition : expected_expression {};
struct expected_at_least_condition : at_least_condition {};
struct at_least_expression
    : seq<at_word, sep, least_word, must<expected_at_least_count>, must<expected_of>,
          must<expected_open_paren>, must<expected_at_least_condition>,
          star<comma, must<expected_at_least_condition>>, must<expected_close_paren>> {};

// `years between birth_date and Today()` (CQL's DurationBetween): the whole calendar periods
// from the first date to the second. The dates are terms, as in `x between low and high`.
struct duration_unit : calendar_word {};
struct duration_between : seq<duration_unit, sep, kw_between, must<operand_of<term>>,
                              must<expected_between_and>, must<operand_of<term>>> {};

// A coding constant: a declared code system's name, then the code: `SCT '44054006'`.
struct coding_system : identifier {};
struct coding_code : string_literal {};
struct coding_literal : seq<coding_system, plus<pegtl::blank>, coding_code> {};

struct primary
    : sor<parenthesized, list_selector, if_expression, case_expression, score_expression,
          at_least_expression, duration_between, quantity_literal, number_literal, date_literal,
          string_literal, null_literal, true_literal, false_literal, call, coding_literal, name> {};

struct op_plus : one<'+'> {};
struct op_minus : one<'-'> {};
struct op_times : one<'*'> {};
struct op_divide : one<'/'> {};
struct op_div : kw_div {};
struct op_mod : kw_mod {};
struct op_and : kw_and {};
struct op_or : kw_or {};
struct op_xor : kw_xor {};
struct op_implies : kw_implies {};
struct op_not : kw_not {};
struct op_in : kw_in {};
struct op_equal : one<'='> {};
struct op_not_equal : string<'!', '='> {};
struct op_equivalent : one<'~'> {};
struct op_not_equivalent : string<'!', '~'> {};
struct op_less_or_equal : string<'<', '='> {};
struct op_less : one<'<'> {};
struct op_greater_or_equal : string<'>', '='> {};
struct op_greater : one<'>'> {};
struct op_is_not : seq<kw_is, sep, kw_not> {};
struct op_is : kw_is {};

struct negation : seq<sor<op_plus, op_minus>, must<operand_of<unary_expression>>> {};
struct unary_expression : sor<negation, primary> {};

struct multiplicative
    : seq<unary_expression,
          star<sep, sor<op_times, op_divide, op_div, op_mod>, must<operand_of<unary_expression>>>> {
};
struct additive
    : seq<multiplicative, star<sep, sor<op_plus, op_minus>, must<operand_of<multiplicative>>>> {};
struct term : seq<additive> {};

// `x is null`, `x is not true`, ...: postfix tests.
struct test_suffix : seq<sep, sor<op_is_not, op_is>, must<expected_test>> {};
struct test_expression : seq<term, star<test_suffix>> {};

struct not_expression;
struct logical_not : seq<op_not, must<operand_of<not_expression>>> {};
struct not_expression : sor<logical_not, test_expression> {};

// `x between low and high`: the bounds are terms, so `and` is not ambiguous.
struct between_suffix : seq<sep, kw_between, must<operand_of<term>>, must<expected_between_and>,
                            must<operand_of<term>>> {};
struct between_expression : seq<not_expression, opt<between_suffix>> {};

struct comparison : seq<between_expression,
                        star<sep, sor<op_less_or_equal, op_less, op_greater_or_equal, op_greater>,
                             must<operand_of<between_expression>>>> {};
struct equality
    : seq<comparison, star<sep, sor<op_not_equal, op_not_equivalent, op_equal, op_equivalent>,
                           must<operand_of<comparison>>>> {};
struct membership : seq<equality, star<sep, op_in, must<operand_of<equality>>>> {};
struct conjunction : seq<membership, star<sep, op_and, must<operand_of<membership>>>> {};
struct disjunction
    : seq<conjunction, star<sep, sor<op_or, op_xor>, must<operand_of<conjunction>>>> {};
struct implication : seq<disjunction, star<sep, op_implies, must<operand_of<disjunction>>>> {};
struct expression : seq<implication> {};

// A whole input that is one expression (`rubric expr`).
struct expected_end_of_input : seq<sep, eof> {};
struct expression_input : seq<sep, must<expected_expression>, must<expected_end_of_input>> {};

// ---- Declarations --------------------------------------------------------------------------

struct expected_text : seq<sep, text_literal> {};
struct expected_name : seq<sep, identifier> {};
struct expected_equals : seq<sep, one<'='>> {};
struct expected_colon : seq<sep, one<':'>> {};
struct description : text_literal {};
struct optional_description : opt<sep, description> {};

// guideline "id" title "..." version "..."
struct guideline_id : text_literal {};
struct title : text_literal {};
struct version : text_literal {};
struct expected_guideline_id : seq<sep, guideline_id> {};
struct expected_title : seq<sep, title> {};
struct expected_version : seq<sep, version> {};
struct title_clause : seq<sep, kw_title, must<expected_title>> {};
struct version_clause : seq<sep, kw_version, must<expected_version>> {};
// `hooks patient-view, order-sign`: the CDS Hooks the guideline answers (docs/service.md); a
// contextual word, not reserved.
struct hooks_word : keyword<TAO_PEGTL_STRING("hooks")> {};
struct hook_name : seq<plus<lower>, star<one<'-'>, plus<lower>>> {};
struct expected_hook_name : seq<sep, hook_name> {};
struct hooks_clause : seq<sep, hooks_word, must<expected_hook_name>,
                          star<seq<sep, one<','>>, must<expected_hook_name>>> {};
struct guideline_declaration : seq<kw_guideline, must<expected_guideline_id>, opt<title_clause>,
                                   opt<version_clause>, opt<hooks_clause>> {};

// source 1 "citation"
struct source_number : plus<digit> {};
struct expected_source_number : seq<sep, source_number> {};
struct citation_text : text_literal {};
struct expected_citation_text : seq<sep, citation_text> {};
struct source_declaration
    : seq<kw_source, must<expected_source_number>, must<expected_citation_text>> {};

// ---- Code systems, value sets and bindings (docs/fhir.md) ---------------------------------

// codesystem NAME = 'URI'
struct code_system_name : identifier {};
struct expected_code_system_name : seq<sep, code_system_name> {};
struct code_system_uri : string_literal {};
struct expected_code_system_uri : seq<sep, code_system_uri> {};
struct code_system_declaration : seq<kw_codesystem, must<expected_code_system_name>,
                                     must<expected_equals>, must<expected_code_system_uri>> {};

// A code of a declared code system: `LOINC '72514-3'`.
struct code_reference_system : identifier {};
struct code_reference_code : string_literal {};
struct expected_code_reference_code : seq<sep, code_reference_code> {};
struct code_reference : seq<code_reference_system, must<expected_code_reference_code>> {};
struct expected_code_reference : seq<sep, code_reference> {};

// valueset NAME = {SYSTEM 'code', ...} ["description"]
struct value_set_name : identifier {};
struct expected_value_set_name : seq<sep, value_set_name> {};
struct value_set_codes
    : seq<one<'{'>, must<expected_code_reference>, star<comma, must<expected_code_reference>>,
          must<expected_close_brace>> {};
struct expected_value_set_codes : seq<sep, value_set_codes> {};
struct value_set_declaration
    : seq<kw_valueset, must<expected_value_set_name>, must<expected_equals>,
          must<expected_value_set_codes>, optional_description> {};

// A fact's binding, after its description:
//   from [most recent] RESOURCE [coded SYSTEM 'code' | coded VALUESET]
//     [where ELEMENT is [not] CODE, CODE or CODE [and ELEMENT is ...]]
//     [within N UNITS]
//   value ELEMENT [in 'UNIT'] [or ELEMENT]... | years since ELEMENT [or ...]
//         | days since ELEMENT [or ...]
//         | presence | count | exists [, otherwise false]
// None of its words is reserved: each starts its part only where the binding expects it.
struct from_word : keyword<TAO_PEGTL_STRING("from")> {};
struct most_recent : keyword<TAO_PEGTL_STRING("most")> {};
struct recent_word : keyword<TAO_PEGTL_STRING("recent")> {};
struct expected_recent : seq<sep, recent_word> {};
struct coded_word : keyword<TAO_PEGTL_STRING("coded")> {};
struct where_word : keyword<TAO_PEGTL_STRING("where")> {};
struct within_word : keyword<TAO_PEGTL_STRING("within")> {};
struct value_word : keyword<TAO_PEGTL_STRING("value")> {};
struct since_word : keyword<TAO_PEGTL_STRING("since")> {};
struct otherwise_word : keyword<TAO_PEGTL_STRING("otherwise")> {};
// A resource type is not one of the binding's own words (`from value exists` lacks the type).
struct resource_type
    : seq<not_at<sor<value_word, coded_word, where_word, within_word>>, identifier_text> {};
struct binding_resource : seq<sep, opt<most_recent, must<expected_recent>, sep>, resource_type> {};
struct expected_binding_resource : binding_resource {};
struct coded_target : identifier {};
struct coded_code : string_literal {};
struct expected_coded_target : seq<sep, coded_target, opt<sep, coded_code>> {};
struct coded_clause : seq<sep, coded_word, must<expected_coded_target>> {};
struct filter_element : identifier_text {};
struct expected_filter_element : seq<sep, filter_element> {};
struct filter_negated : seq<kw_not, not_at<one<'-'>>> {};
struct status_code : seq<not_at<sor<value_word, within_word>>, alnum, star<sor<alnum, one<'-'>>>> {
};
struct expected_status_code : seq<sep, status_code> {};
struct expected_is : seq<sep, kw_is> {};
struct binding_filter : seq<must<expected_filter_element>, must<expected_is>,
                            opt<sep, filter_negated>, must<expected_status_code>,
                            star<sor<comma, seq<sep, kw_or>>, must<expected_status_code>>> {};
struct where_clause : seq<sep, where_word, binding_filter, star<sep, kw_and, binding_filter>> {};
struct window_amount : plus<digit> {};
struct expected_window_amount : seq<sep, window_amount> {};
struct window_unit : calendar_word {};
struct expected_window_unit : seq<sep, window_unit> {};
struct within_clause
    : seq<sep, within_word, must<expected_window_amount>, must<expected_window_unit>> {};
struct element_name : identifier_text {};
struct expected_element_name : seq<sep, element_name> {};
// `valueQuantity in '%'`: the unit a quantity is read in, for a fact that is a plain number.
struct element_unit : string_literal {};
struct expected_element_unit : seq<sep, element_unit> {};
struct element_reference : seq<element_name, opt<sep, kw_in, must<expected_element_unit>>> {};
struct expected_element_reference : seq<sep, element_reference> {};
struct element_list : seq<element_reference, star<sep, kw_or, must<expected_element_reference>>> {};
struct presence_value : keyword<TAO_PEGTL_STRING("presence")> {};
struct count_value : keyword<TAO_PEGTL_STRING("count")> {};
struct otherwise_false : seq<otherwise_word, sep, kw_false> {};
struct expected_otherwise_false : seq<sep, otherwise_false> {};
struct exists_value
    : seq<keyword<TAO_PEGTL_STRING("exists")>, opt<comma, must<expected_otherwise_false>>> {};
struct since_unit : calendar_word {};
struct expected_since : seq<sep, since_word> {};
struct since_value : seq<since_unit, must<expected_since>, must<expected_element_name>,
                         star<sep, kw_or, must<expected_element_name>>> {};
struct binding_value : sor<presence_value, count_value, exists_value, since_value, element_list> {};
struct expected_binding_value : seq<sep, binding_value> {};
struct value_clause : seq<sep, value_word, must<expected_binding_value>> {};
struct expected_value_clause : value_clause {};
struct binding_clause : seq<sep, from_word, must<expected_binding_resource>, opt<coded_clause>,
                            opt<where_clause>, opt<within_clause>, must<expected_value_clause>> {};

// fact NAME: TYPE [RANGE] [units 'U', ...] [convert 'U' = FACTOR 'U' cite N|"text"]...
//   ["description"] [BINDING]
struct code_value : string_literal {};
struct expected_code_value : seq<sep, code_value> {};
struct code_values : seq<one<'{'>, must<expected_code_value>,
                         star<comma, must<expected_code_value>>, must<expected_close_brace>> {};
struct expected_code_values : seq<sep, code_values> {};
struct expected_unit_string : seq<sep, unit_string> {};
struct type_boolean : kw_boolean {};
struct type_integer : kw_integer {};
struct type_decimal : kw_decimal {};
struct type_string : kw_string {};
struct type_duration : kw_duration {};
struct type_date : kw_date {};
struct type_date_time : kw_datetime {};
struct type_mass : kw_mass {};
struct type_length : kw_length {};
struct type_volume : kw_volume {};
struct type_quantity : seq<kw_quantity, must<expected_unit_string>> {};
struct type_code : seq<kw_code, must<expected_code_values>> {};
struct type_coding : keyword<TAO_PEGTL_STRING("coding")> {};
struct type_name : sor<type_boolean, type_integer, type_decimal, type_string, type_duration,
                       type_mass, type_length, type_volume, type_quantity, type_code, type_coding,
                       type_date, type_date_time> {};
struct expected_type : seq<sep, type_name> {};
struct range_between
    : seq<kw_between, must<operand_of<term>>, must<expected_between_and>, must<operand_of<term>>> {
};
struct range_comparison
    : seq<sor<op_less_or_equal, op_less, op_greater_or_equal, op_greater>, must<operand_of<term>>> {
};
struct fact_range : seq<sep, sor<range_between, range_comparison>> {};
struct fact_name : identifier {};
struct expected_fact_name : seq<sep, fact_name> {};
// `units 'mg/g', '%'`: the units of the fact's dimension that fact files may use. `units` is
// not a reserved word: it starts the clause only where a fact's clauses go.
struct units_word : keyword<TAO_PEGTL_STRING("units")> {};
struct accepted_unit : string_literal {};
struct expected_accepted_unit : seq<sep, accepted_unit> {};
struct units_clause : seq<sep, units_word, must<expected_accepted_unit>,
                          star<comma, must<expected_accepted_unit>>> {};
// `convert 'mg/dL' = 0.357 'mmol/L' cite 3` (or `cite "text"`): a unit of another dimension
// that fact files may use, with the factor to the fact's dimension and its source. `convert`
// is not a reserved word either.
struct convert_word : keyword<TAO_PEGTL_STRING("convert")> {};
struct conversion_from : string_literal {};
struct expected_conversion_from : seq<sep, conversion_from> {};
struct conversion_factor : number {};
struct expected_conversion_factor : seq<sep, conversion_factor> {};
struct conversion_to : string_literal {};
struct expected_conversion_to : seq<sep, conversion_to> {};
struct conversion_citation : plus<digit> {};
struct conversion_citation_text : text_literal {};
struct expected_conversion_source
    : seq<sep, kw_cite, sep, sor<conversion_citation, conversion_citation_text>> {};
struct conversion_clause : seq<sep, convert_word, must<expected_conversion_from>,
                               must<expected_equals>, must<expected_conversion_factor>,
                               must<expected_conversion_to>, must<expected_conversion_source>> {};
struct fact_declaration : seq<kw_fact, must<expected_fact_name>, must<expected_colon>,
                              must<expected_type>, opt<fact_range>, opt<units_clause>,
                              star<conversion_clause>, optional_description, opt<binding_clause>> {
};

// parameter NAME = EXPRESSION ["description"]
struct parameter_name : identifier {};
struct expected_parameter_name : seq<sep, parameter_name> {};
struct parameter_declaration
    : seq<kw_parameter, must<expected_parameter_name>, must<expected_equals>,
          must<expected_expression>, optional_description> {};

// define NAME = EXPRESSION ["description"]
struct definition_name : identifier {};
struct expected_definition_name : seq<sep, definition_name> {};
struct definition_declaration
    : seq<kw_define, must<expected_definition_name>, must<expected_equals>,
          must<expected_expression>, optional_description> {};

// recommendation ID kind KIND [indicator NAME] text "..." [summary "..."] cite N, ...
//   [evidence "..."] [carry P, ...] [report NAME, ...] [excludes ID, ...] when EXPR
struct recommendation_id : identifier {};
struct expected_recommendation_id : seq<sep, recommendation_id> {};
struct kind_name : seq<plus<lower>, star<one<'-'>, plus<lower>>> {};
struct expected_kind_name : seq<sep, kind_name> {};
struct kind_clause : seq<sep, kw_kind> {};
struct expected_kind_clause : kind_clause {};
// `indicator NAME` after the kind, `summary "..."` after the text: optional, and their words
// are not reserved (each is read only where its clause may start).
struct indicator_word : keyword<TAO_PEGTL_STRING("indicator")> {};
struct indicator_name : identifier_text {};
struct expected_indicator_name : seq<sep, indicator_name> {};
struct indicator_clause : seq<sep, indicator_word, must<expected_indicator_name>> {};
struct recommendation_text : text_literal {};
struct expected_recommendation_text : seq<sep, recommendation_text> {};
struct text_clause : seq<sep, kw_text> {};
struct expected_text_clause : text_clause {};
struct summary_word : keyword<TAO_PEGTL_STRING("summary")> {};
struct recommendation_summary : text_literal {};
struct expected_recommendation_summary : seq<sep, recommendation_summary> {};
struct summary_clause : seq<sep, summary_word, must<expected_recommendation_summary>> {};
struct citation : plus<digit> {};
struct expected_citation : seq<sep, citation> {};
struct cite_clause
    : seq<sep, kw_cite, must<expected_citation>, star<comma, must<expected_citation>>> {};
struct expected_cite_clause : cite_clause {};
struct evidence_text : text_literal {};
struct expected_evidence_text : seq<sep, evidence_text> {};
struct evidence_clause : seq<sep, kw_evidence, must<expected_evidence_text>> {};
struct carried_parameter : identifier {};
struct expected_carried_parameter : seq<sep, carried_parameter> {};
struct carry_clause : seq<sep, kw_carry, must<expected_carried_parameter>,
                          star<comma, must<expected_carried_parameter>>> {};
// `report NAME, ...`: facts, parameters or definitions whose values travel with the
// recommendation in results.
struct reported_name : identifier {};
struct expected_reported_name : seq<sep, reported_name> {};
struct report_clause
    : seq<sep, kw_report, must<expected_reported_name>, star<comma, must<expected_reported_name>>> {
};
// `excludes ID, ...`: recommendations never to be made together with this one.
struct excluded_recommendation : identifier {};
struct expected_excluded_recommendation : seq<sep, excluded_recommendation> {};
struct excludes_clause : seq<sep, kw_excludes, must<expected_excluded_recommendation>,
                             star<comma, must<expected_excluded_recommendation>>> {};
struct when_clause : seq<sep, kw_when, must<expected_expression>> {};
struct expected_when_clause : when_clause {};
struct recommendation_declaration
    : seq<kw_recommendation, must<expected_recommendation_id>, must<expected_kind_clause>,
          must<expected_kind_name>, opt<indicator_clause>, must<expected_text_clause>,
          must<expected_recommendation_text>, opt<summary_clause>, must<expected_cite_clause>,
          opt<evidence_clause>, opt<carry_clause>, opt<report_clause>, opt<excludes_clause>,
          must<expected_when_clause>> {};

// coverage when EXPRESSION ["description"]: every patient for whom it is true must get a
// recommendation.
struct coverage_when : seq<sep, kw_when, must<expected_expression>> {};
struct expected_coverage_when : coverage_when {};
struct coverage_declaration : seq<kw_coverage, must<expected_coverage_when>, optional_description> {
};

struct declaration : sor<guideline_declaration, source_declaration, code_system_declaration,
                         value_set_declaration, fact_declaration, parameter_declaration,
                         definition_declaration, recommendation_declaration, coverage_declaration> {
};

// The parser reads one declaration at a time (so that it can resume after a syntax error at
// the next line that starts a declaration); `file` is the whole-file grammar for analysis.
struct expected_declaration : declaration {};
struct next_declaration : seq<sep, sor<eof, must<expected_declaration>>> {};
struct file : seq<sep, star<declaration, sep>, eof> {};

}  // namespace rubric::grammar

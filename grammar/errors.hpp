// The one table of syntax error messages: one entry per `must<>` point of the grammar.
// Messages follow the diagnostic style (lowercase, no trailing period, user text in
// backticks). The parser appends what it found instead ("; found `)`").
#pragma once

#include "grammar/rubric_grammar.hpp"

namespace rubric::grammar {

template <typename Rule>
inline constexpr const char* error_message = nullptr;

// clang-format off
template <typename Level>
inline constexpr const char* error_message<operand_of<Level>> = "expected an expression after the operator";
template <> inline constexpr const char* error_message<unterminated_block_comment> = "unterminated block comment; add `*/`";
template <> inline constexpr const char* error_message<unterminated_string> = "unterminated string; add the closing `'` on the same line";
template <> inline constexpr const char* error_message<unterminated_text> = "unterminated text; add the closing `\"` on the same line";
template <> inline constexpr const char* error_message<expected_date_body> = "expected a date after `@`, as in `@2026-06-15` or `@2026-06-15T10:30:00Z`";
template <> inline constexpr const char* error_message<expected_date_end> = "unexpected character in a date; write `@YYYY-MM-DD`, `@YYYY-MM-DDThh:mm:ss` or with an offset, `Z` or `+hh:mm`";
template <> inline constexpr const char* error_message<expected_expression> = "expected an expression";
template <> inline constexpr const char* error_message<expected_close_paren> = "expected `)`";
template <> inline constexpr const char* error_message<expected_close_brace> = "expected `}`";
template <> inline constexpr const char* error_message<expected_then> = "expected `then`";
template <> inline constexpr const char* error_message<expected_else> = "expected `else`; CQL requires an `else` branch";
template <> inline constexpr const char* error_message<expected_end> = "expected `end` to close the `case`";
template <> inline constexpr const char* error_message<expected_case_item> = "expected `when` after `case`";
template <> inline constexpr const char* error_message<expected_test> = "expected `null`, `true` or `false` after `is`";
template <> inline constexpr const char* error_message<expected_between_and> = "expected `and` between the bounds of `between`";
template <> inline constexpr const char* error_message<expected_score_item> = "expected a score item: a weight, `when` and a condition, as in `2 when age >= 75 years`";
template <> inline constexpr const char* error_message<expected_score_when> = "expected `when` and the item's condition after the weight";
template <> inline constexpr const char* error_message<expected_score_close> = "expected `,` and another item, or `)` to close the `score`";
template <> inline constexpr const char* error_message<expected_at_least_count> = "expected how many conditions must hold, as in `at least 2 of (a, b, c)`";
template <> inline constexpr const char* error_message<expected_of> = "expected `of` after the count, as in `at least 2 of (a, b, c)`";
template <> inline constexpr const char* error_message<expected_open_paren> = "expected `(` and the conditions, as in `at least 2 of (a, b, c)`";
template <> inline constexpr const char* error_message<expected_at_least_condition> = "expected a condition";
template <> inline constexpr const char* error_message<expected_end_of_input> = "unexpected text after the expression";
template <> inline constexpr const char* error_message<expected_guideline_id> = "expected the guideline id as a double-quoted text, as in `guideline \"my-guideline\"`";
template <> inline constexpr const char* error_message<expected_title> = "expected the title as a double-quoted text";
template <> inline constexpr const char* error_message<expected_version> = "expected the version as a double-quoted text";
template <> inline constexpr const char* error_message<expected_source_number> = "expected a source number, as in `source 1 \"citation\"`";
template <> inline constexpr const char* error_message<expected_citation_text> = "expected the citation as a double-quoted text";
template <> inline constexpr const char* error_message<expected_code_value> = "expected a code as a single-quoted string";
template <> inline constexpr const char* error_message<expected_code_values> = "expected the codes in braces, as in `code {'left', 'right'}`";
template <> inline constexpr const char* error_message<expected_unit_string> = "expected a unit as a single-quoted UCUM code, as in `quantity 'mg/d'`";
template <> inline constexpr const char* error_message<expected_type> = "expected a type: `boolean`, `integer`, `decimal`, `string`, `duration`, `mass`, `length`, `volume`, `quantity 'unit'`, `code {...}`, `date` or `datetime`";
template <> inline constexpr const char* error_message<expected_fact_name> = "expected a fact name";
template <> inline constexpr const char* error_message<expected_colon> = "expected `:` before the fact's type";
template <> inline constexpr const char* error_message<expected_accepted_unit> = "expected a unit as a single-quoted UCUM code, as in `units 'mg/g', '%'`";
template <> inline constexpr const char* error_message<expected_conversion_from> = "expected the unit to convert from, as in `convert 'mg/dL' = 0.357 'mmol/L' cite 1`";
template <> inline constexpr const char* error_message<expected_conversion_factor> = "expected the conversion factor, a positive number, as in `convert 'mg/dL' = 0.357 'mmol/L' cite 1`";
template <> inline constexpr const char* error_message<expected_conversion_to> = "expected the unit after the factor, as in `convert 'mg/dL' = 0.357 'mmol/L' cite 1`";
template <> inline constexpr const char* error_message<expected_conversion_source> = "expected `cite` and the conversion's source: a source number or a double-quoted text";
template <> inline constexpr const char* error_message<expected_code_system_name> = "expected the code system's name, as in `codesystem LOINC = 'http://loinc.org'`";
template <> inline constexpr const char* error_message<expected_code_system_uri> = "expected the code system's URI as a single-quoted string, as in `codesystem LOINC = 'http://loinc.org'`";
template <> inline constexpr const char* error_message<expected_code_reference_code> = "expected the code as a single-quoted string after the code system, as in `LOINC '72514-3'`";
template <> inline constexpr const char* error_message<expected_code_reference> = "expected a code: a code system's name and the code, as in `LOINC '72514-3'`";
template <> inline constexpr const char* error_message<expected_value_set_name> = "expected the value set's name, as in `valueset current_pain = {LOINC '72514-3'}`";
template <> inline constexpr const char* error_message<expected_value_set_codes> = "expected the value set's codes in braces, as in `valueset current_pain = {LOINC '72514-3'}`";
template <> inline constexpr const char* error_message<expected_recent> = "expected `recent` after `most`, as in `from most recent Observation`";
template <> inline constexpr const char* error_message<expected_binding_resource> = "expected a resource type after `from`, as in `from most recent Observation` or `from Patient`";
template <> inline constexpr const char* error_message<expected_coded_target> = "expected a code or a value set after `coded`, as in `coded LOINC '72514-3'` or `coded current_pain`";
template <> inline constexpr const char* error_message<expected_filter_element> = "expected an element after `where`, as in `where status is final, amended or corrected`";
template <> inline constexpr const char* error_message<expected_is> = "expected `is` or `is not` after the element, as in `where status is final`";
template <> inline constexpr const char* error_message<expected_status_code> = "expected a status code, as in `final` or `entered-in-error`";
template <> inline constexpr const char* error_message<expected_window_amount> = "expected a whole number after `within`, as in `within 30 days`";
template <> inline constexpr const char* error_message<expected_window_unit> = "expected a calendar unit after the number, as in `within 30 days`";
template <> inline constexpr const char* error_message<expected_element_name> = "expected an element, as in `valueQuantity` or `onsetDateTime`";
template <> inline constexpr const char* error_message<expected_element_unit> = "expected the unit as a single-quoted UCUM code after `in`, as in `valueQuantity in '%'`";
template <> inline constexpr const char* error_message<expected_element_reference> = "expected an element after `or`, as in `valueQuantity or valueInteger`";
template <> inline constexpr const char* error_message<expected_otherwise_false> = "expected `otherwise false` after `exists,`";
template <> inline constexpr const char* error_message<expected_since> = "expected `since` and an element, as in `years since birthDate`";
template <> inline constexpr const char* error_message<expected_binding_value> = "expected the value: an element (`valueInteger`), `years since`/`days since` an element, `presence`, `exists` or `count`";
template <> inline constexpr const char* error_message<expected_value_clause> = "expected `value` and what the fact takes, as in `value valueQuantity`";
template <> inline constexpr const char* error_message<expected_parameter_name> = "expected a parameter name";
template <> inline constexpr const char* error_message<expected_equals> = "expected `=`";
template <> inline constexpr const char* error_message<expected_definition_name> = "expected a definition name";
template <> inline constexpr const char* error_message<expected_recommendation_id> = "expected a recommendation id";
template <> inline constexpr const char* error_message<expected_kind_clause> = "expected `kind` after the recommendation id";
template <> inline constexpr const char* error_message<expected_kind_name> = "expected a kind: `refer`, `prescribe`, `caution`, `avoid`, `therapy`, `order`, `follow-up`, `monitor` or `assess`";
template <> inline constexpr const char* error_message<expected_hook_name> = "expected a CDS hook after `hooks`: `patient-view` or `order-sign`, separated by commas";
template <> inline constexpr const char* error_message<expected_indicator_name> = "expected the card indicator after `indicator`: `info`, `warning` or `critical`";
template <> inline constexpr const char* error_message<expected_text_clause> = "expected `text \"...\"` after the kind";
template <> inline constexpr const char* error_message<expected_recommendation_text> = "expected the recommendation text as a double-quoted text";
template <> inline constexpr const char* error_message<expected_recommendation_summary> = "expected the summary as a double-quoted text of at most 140 characters";
template <> inline constexpr const char* error_message<expected_cite_clause> = "expected `cite` with the source numbers after the text";
template <> inline constexpr const char* error_message<expected_citation> = "expected a source number";
template <> inline constexpr const char* error_message<expected_evidence_text> = "expected the evidence strength as a double-quoted text";
template <> inline constexpr const char* error_message<expected_carried_parameter> = "expected a parameter name";
template <> inline constexpr const char* error_message<expected_reported_name> = "expected the name of a fact, parameter or definition";
template <> inline constexpr const char* error_message<expected_excluded_recommendation> = "expected a recommendation id after `excludes`";
template <> inline constexpr const char* error_message<expected_when_clause> = "expected `when` and the recommendation's condition";
template <> inline constexpr const char* error_message<expected_coverage_when> = "expected `when` and the condition of the patients who must get a recommendation, as in `coverage when applicable`";
template <> inline constexpr const char* error_message<expected_declaration> = "expected a declaration: `guideline`, `source`, `fact`, `parameter`, `define`, `recommendation`, `coverage`, `codesystem` or `valueset`";
// clang-format on

struct error_table {
  template <typename Rule>
  static constexpr const char* message = error_message<Rule>;
};

template <typename Rule>
using control = tao::pegtl::must_if<error_table>::control<Rule>;

}  // namespace rubric::grammar

// Where a fact's value comes from in a patient's record: the `from ... value ...` clause of a
// fact declaration (docs/fhir.md), as the checker resolved it. Plain data and format-neutral:
// the names of resource types and elements are FHIR R4's, but nothing here reads JSON; a front
// end (records/) applies a binding to a record.
//
// Contract: a FactBinding is immutable once the checker has built it, and owns its text.
// Invariants the checker establishes: `resource_type` is one of kBindingResourceTypes;
// every element in `elements` and every filter's element applies to that resource type;
// `value` fits the fact's type (element values for scalar facts, `years_since`/`days_since`
// for duration facts, `presence`/`exists` for boolean facts, `count` for integer facts);
// `codes` are (system URI, code) pairs without repeats.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "values/date_time.hpp"
#include "values/source_range.hpp"

namespace rubric {

// The resource types a binding may read.
inline constexpr std::array<std::string_view, 5> kBindingResourceTypes = {
    "Patient", "Condition", "Observation", "MedicationRequest", "Procedure"};

// A code of a code system: FHIR's `Coding.system` (a URI) and `Coding.code`.
struct Coding {
  std::string system;
  std::string code;
  friend bool operator==(const Coding&, const Coding&) = default;
};

// An absolute URI: a scheme (a letter, then letters, digits, `+`, `-`, `.`), `:`, and more,
// without spaces.
bool is_absolute_uri(std::string_view uri);

// The value of a `coding` fact at run time: FHIR's token form `SYSTEM|CODE`.
std::string coding_text(const Coding& coding);
// The coding that `text` writes as `SYSTEM|CODE` (split at the first `|`: URIs in this form
// hold no `|`), or nullopt when `text` has no `|`, an empty code, or a system that is not an
// absolute URI.
std::optional<Coding> parse_coding_text(std::string_view text);

// Which of the matching resources the binding reads.
enum class BindingChoice : std::uint8_t {
  // The one resource of its type in the record (Patient).
  single,
  // The resource with the greatest record date (BindingRule::record_date_elements); ties go
  // to the greatest `issued` (Observation), then to the later entry in the input. A resource
  // without a record date does not count.
  most_recent,
  // Every matching resource (for `presence`, `exists` and `count`).
  all,
};

// What value the binding gives the fact.
enum class BindingValue : std::uint8_t {
  // The first of `elements` the chosen resource has (`valueQuantity or valueInteger`), read
  // as a fact value of the fact's type; a quantity in the fact's unit (or converted to it).
  element,
  // Completed calendar years from the date in the first present element of `elements` to the
  // evaluation date, as a duration in years (age); a date that is not a full date leaves the
  // fact absent; a date after the evaluation date is an error.
  years_since,
  // Whole days from that date (its date part as written) to the evaluation date, as a
  // duration in days; a date after the evaluation date is an error.
  days_since,
  // Condition presence: true when some matching Condition is present (clinicalStatus
  // active, recurrence or relapse, and verificationStatus not refuted); otherwise false when
  // some says it is not (verificationStatus refuted, or clinicalStatus inactive, remission or
  // resolved); otherwise absent.
  presence,
  // True when some matching resource exists; otherwise absent, or false when
  // `absent_is_false` (`value exists, otherwise false`).
  exists,
  // The number of matching resources (0 when none).
  count,
};

// `where ELEMENT is [not] CODE, CODE or CODE`: a resource counts only when the element's code
// (a `code` element such as Observation.status, or the `code` of a CodeableConcept's
// codings such as Condition.verificationStatus) is (or is not) one of `codes`. A resource
// without the element passes an `is not` filter and fails an `is` filter.
struct StatusFilter {
  std::string element;  // "status", "clinicalStatus", "verificationStatus", "intent"
  bool negated = false;
  std::vector<std::string> codes;
  friend bool operator==(const StatusFilter&, const StatusFilter&) = default;
};

// `within N UNITS`: a resource counts only when its record date (its date part as written) is
// at most N calendar units before the evaluation date and not after it.
struct BindingWindow {
  std::int64_t amount = 0;
  CalendarUnit unit = CalendarUnit::day;
  friend bool operator==(const BindingWindow&, const BindingWindow&) = default;
};

struct FactBinding {
  std::string resource_type;  // one of kBindingResourceTypes
  BindingChoice choice = BindingChoice::single;
  // `coded ...`: a resource matches when one of its `code.coding` (a MedicationRequest's
  // `medicationCodeableConcept.coding`) has one of these (system, code) pairs. Empty: every
  // resource of the type matches (no `coded` clause).
  std::vector<Coding> codes;
  // The code filter as the rule file names it, for messages: "VF 'genant-grade'",
  // "value set `current_pain`"; empty without a `coded` clause.
  std::string codes_label;
  std::vector<StatusFilter> filters;
  std::optional<BindingWindow> window;
  BindingValue value = BindingValue::element;
  // For `element`, `years_since` and `days_since`: the elements to read, first present wins
  // (`valueQuantity`, `valueInteger`, `birthDate`, `recordedDate`, `onsetDateTime`, ...).
  std::vector<std::string> elements;
  // `valueQuantity in 'UNIT'`, for a fact that is a plain number (integer or decimal): the
  // UCUM unit (as written) the quantity is converted to before its number is read. A quantity
  // without a unit is read in this unit; one of another dimension is an error. Empty for
  // facts of a quantity type, whose own units apply.
  std::string unit;
  // For a coding element (`value code`, `value valueCodeableConcept`): the code systems (URIs,
  // in declaration order) whose codings may be the value; the first coding of the element in
  // one of them is read. Empty when the value is the coding that the `coded` filter matched
  // (`value code` with a `coded` clause), or for a value of another kind.
  std::vector<std::string> value_systems;
  bool absent_is_false = false;  // `exists` only
  SourceRange range;             // the clause in the rule file

  // The same reading of a record (the range aside).
  friend bool operator==(const FactBinding& a, const FactBinding& b) {
    return a.resource_type == b.resource_type && a.choice == b.choice && a.codes == b.codes &&
           a.codes_label == b.codes_label && a.filters == b.filters && a.window == b.window &&
           a.value == b.value && a.elements == b.elements && a.unit == b.unit &&
           a.value_systems == b.value_systems && a.absent_is_false == b.absent_is_false;
  }
};

// A binding's parts in the rule file's words, for messages and `rubric diff`: each empty when
// the binding has no such part.
struct BindingParts {
  std::string source;   // "from most recent Observation"
  std::string codes;    // "coded LOINC '72514-3'", "coded pain_codes {http://loinc.org|72514-3}"
  std::string filters;  // "where status is final, amended or corrected"
  std::string window;   // "within 30 days"
  std::string value;    // "value valueQuantity in '{score}' or valueInteger"
};
BindingParts describe(const FactBinding& binding);

// What an element of the FHIRPath subset holds (docs/fhir.md#elements).
enum class ElementKind : std::uint8_t {
  date,      // a FHIR date or dateTime (an ISO text): `birthDate`, `recordedDate`, ...
  quantity,  // a FHIR Quantity: `value` with the UCUM `code` of its unit
  integer,   // a JSON integer
  boolean,   // a JSON boolean
  text,      // a JSON string (a FHIR string or code)
  coding,    // a FHIR CodeableConcept, read as one of its codings (`SYSTEM|CODE`)
};

struct BindingElement {
  std::string_view resource_type;
  std::string_view name;
  ElementKind kind;
};

// The elements a binding may read (value, `since` and record dates), per resource type.
inline constexpr std::array<BindingElement, 20> kBindingElements = {{
    {"Patient", "birthDate", ElementKind::date},
    {"Patient", "gender", ElementKind::text},
    {"Patient", "deceasedBoolean", ElementKind::boolean},
    {"Condition", "code", ElementKind::coding},
    {"Condition", "recordedDate", ElementKind::date},
    {"Condition", "onsetDateTime", ElementKind::date},
    {"Condition", "abatementDateTime", ElementKind::date},
    {"Observation", "code", ElementKind::coding},
    {"Observation", "effectiveDateTime", ElementKind::date},
    {"Observation", "issued", ElementKind::date},
    {"Observation", "valueQuantity", ElementKind::quantity},
    {"Observation", "valueInteger", ElementKind::integer},
    {"Observation", "valueBoolean", ElementKind::boolean},
    {"Observation", "valueString", ElementKind::text},
    {"Observation", "valueDateTime", ElementKind::date},
    {"Observation", "valueCodeableConcept", ElementKind::coding},
    {"Procedure", "code", ElementKind::coding},
    {"Procedure", "performedDateTime", ElementKind::date},
    {"MedicationRequest", "medicationCodeableConcept", ElementKind::coding},
    {"MedicationRequest", "authoredOn", ElementKind::date},
}};

// The element `name` of `resource_type`, or nullptr when the subset has none.
inline const BindingElement* find_binding_element(std::string_view resource_type,
                                                  std::string_view name) {
  for (const BindingElement& element : kBindingElements) {
    if (element.resource_type == resource_type && element.name == name) {
      return &element;
    }
  }
  return nullptr;
}

// Whether `name` is the element a `coded` clause tests: `code`, and a MedicationRequest's
// `medicationCodeableConcept`.
inline bool is_code_element(std::string_view resource_type, std::string_view name) {
  return resource_type == "MedicationRequest" ? name == "medicationCodeableConcept"
                                              : name == "code";
}

// The status elements a `where` may test, per resource type, with the codes FHIR R4 defines
// for them (space-separated). Condition's two are CodeableConcepts read by their codings'
// `code`; the others are `code` elements.
struct StatusElement {
  std::string_view resource_type;
  std::string_view name;
  std::string_view codes;
};

inline constexpr std::array<StatusElement, 6> kStatusElements = {{
    {"Observation", "status",
     "registered preliminary final amended corrected cancelled entered-in-error unknown"},
    {"Condition", "clinicalStatus", "active recurrence relapse inactive remission resolved"},
    {"Condition", "verificationStatus",
     "unconfirmed provisional differential confirmed refuted entered-in-error"},
    {"Procedure", "status",
     "preparation in-progress not-done on-hold stopped completed entered-in-error unknown"},
    {"MedicationRequest", "status",
     "active on-hold cancelled completed entered-in-error stopped draft unknown"},
    {"MedicationRequest", "intent",
     "proposal plan order original-order reflex-order filler-order instance-order option"},
}};

// Per resource type: the elements whose date is a resource's record date (first present
// wins), which `most recent` orders by and `within` measures: Observation effectiveDateTime;
// Condition recordedDate, else onsetDateTime; Procedure performedDateTime; MedicationRequest
// authoredOn; Patient none.
inline std::vector<std::string_view> record_date_elements(std::string_view resource_type) {
  if (resource_type == "Observation") {
    return {"effectiveDateTime"};
  }
  if (resource_type == "Condition") {
    return {"recordedDate", "onsetDateTime"};
  }
  if (resource_type == "Procedure") {
    return {"performedDateTime"};
  }
  if (resource_type == "MedicationRequest") {
    return {"authoredOn"};
  }
  return {};
}

}  // namespace rubric

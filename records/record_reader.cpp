#include "records/record_reader.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <deque>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "values/binding.hpp"
#include "values/fact_value_reader.hpp"
#include "values/units.hpp"

namespace rubric {
namespace {

namespace ondemand = simdjson::ondemand;

constexpr std::string_view kUcum = "http://unitsofmeasure.org";
constexpr std::string_view kEnteredInError = "entered-in-error";

enum class JsonKind : std::uint8_t { null, boolean, number, string, object, array };

// A valueQuantity's parts as written.
struct QuantityParts {
  std::optional<std::string_view> value;  // the number's text
  bool value_is_number = true;
  std::optional<std::string_view> code;
  std::optional<std::string_view> system;
};

// One element of a resource that some binding may read, as written.
struct Element {
  std::string_view name;
  JsonKind kind = JsonKind::null;
  std::string_view text;  // a string (unescaped), a number's text, `true`/`false`
  QuantityParts quantity;
};

// The parts of one resource that the bindings read; every view points into the parser's
// buffers, alive while the record is read.
struct Resource {
  std::string_view type;
  std::string_view id;
  std::size_t entry = 0;
  std::vector<std::pair<std::string_view, std::string_view>> codings;  // code.coding system, code
  // valueCodeableConcept.coding (system, code), in order.
  std::vector<std::pair<std::string_view, std::string_view>> value_codings;
  // (element, code) for `status`-like elements: a code, or the codes of a CodeableConcept.
  std::vector<std::pair<std::string_view, std::string_view>> status_codes;
  std::vector<Element> elements;

  [[nodiscard]] std::string reference() const { return fmt::format("{}/{}", type, id); }
  [[nodiscard]] const Element* element(std::string_view name) const {
    for (const Element& e : elements) {
      if (e.name == name) {
        return &e;
      }
    }
    return nullptr;
  }
  [[nodiscard]] bool has_status(std::string_view element_name, std::string_view code) const {
    return std::any_of(status_codes.begin(), status_codes.end(), [&](const auto& item) {
      return item.first == element_name && item.second == code;
    });
  }
  [[nodiscard]] bool has_element_status(std::string_view element_name) const {
    return std::any_of(status_codes.begin(), status_codes.end(),
                       [&](const auto& item) { return item.first == element_name; });
  }
};

// What the bindings need collected.
struct Wanted {
  std::vector<std::string_view> types;
  std::vector<std::string_view> elements;
  std::vector<std::string_view> status_elements;

  static bool has(const std::vector<std::string_view>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  }
  static void add(std::vector<std::string_view>& list, std::string_view name) {
    if (!has(list, name)) {
      list.push_back(name);
    }
  }
};

Wanted wanted_parts(std::span<const FactSpec> facts) {
  Wanted wanted;
  Wanted::add(wanted.types, "Patient");
  Wanted::add(wanted.status_elements, "status");
  Wanted::add(wanted.status_elements, "verificationStatus");
  Wanted::add(wanted.status_elements, "clinicalStatus");
  Wanted::add(wanted.elements, "issued");
  for (const FactSpec& fact : facts) {
    if (!fact.binding || fact.evaluation_date) {
      continue;
    }
    const FactBinding& binding = *fact.binding;
    Wanted::add(wanted.types, binding.resource_type);
    for (const std::string& element : binding.elements) {
      Wanted::add(wanted.elements, element);
    }
    for (const std::string_view element : record_date_elements(binding.resource_type)) {
      Wanted::add(wanted.elements, element);
    }
    for (const StatusFilter& filter : binding.filters) {
      Wanted::add(wanted.status_elements, filter.element);
    }
  }
  return wanted;
}

// A JSON-syntax or shape problem while reading; `path` says where.
struct Failure {
  DiagnosticKind kind = DiagnosticKind::invalid_record;
  std::string message;
  std::string path;
};

std::string_view syntax_problem(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR: return "the record is not valid UTF-8";
    case simdjson::UNCLOSED_STRING: return "a string is not closed";
    case simdjson::STRING_ERROR: return "a string holds an invalid escape sequence";
    case simdjson::UNESCAPED_CHARS: return "a string holds an unescaped control character";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid literal; expected `true`, `false` or `null`";
    case simdjson::NUMBER_ERROR: return "invalid number";
    case simdjson::EMPTY: return "the record holds no JSON value";
    case simdjson::MEMALLOC: return "out of memory";
    default:
      return "the record is not well-formed JSON (a missing or extra comma, colon, quote, "
             "brace or bracket)";
  }
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' ||
                           text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

bool starts_with_value(std::string_view name) {
  return name.size() > 5 && name.substr(0, 5) == "value";
}

// Where in the record a value is: a chain of views that becomes text only when reading fails
// (`entry[3].resource.code`). Each link lives on the stack of the function reading that value.
struct JsonPath {
  const JsonPath* parent = nullptr;
  std::string_view key;   // a field's name; empty for an array's item
  std::size_t index = 0;  // an item's index

  [[nodiscard]] std::string text() const {
    std::string out = parent != nullptr ? parent->text() : std::string();
    if (key.empty() && parent != nullptr) {
      out += fmt::format("[{}]", index);
    } else if (!key.empty()) {
      if (!out.empty()) {
        out += '.';
      }
      out += key;
    }
    return out;
  }
};

// A JSON number with an exponent (`4.5e0`, `-12E-1`) written out without one (`4.5`, `-1.2`),
// digit for digit; nullopt for an exponent beyond +-400, which the fact-value reader then
// rejects as written.
std::optional<std::string> without_exponent(std::string_view number) {
  const std::size_t mark = number.find_first_of("eE");
  std::string_view mantissa = number.substr(0, mark);
  std::string_view power = number.substr(mark + 1);
  const bool negative = !mantissa.empty() && mantissa.front() == '-';
  if (negative) {
    mantissa.remove_prefix(1);
  }
  const bool power_negative = !power.empty() && power.front() == '-';
  if (!power.empty() && (power.front() == '-' || power.front() == '+')) {
    power.remove_prefix(1);
  }
  if (power.empty() || power.size() > 3) {
    return std::nullopt;
  }
  int exponent = 0;
  for (const char c : power) {
    exponent = exponent * 10 + (c - '0');
  }
  if (exponent > 400) {
    return std::nullopt;
  }
  exponent = power_negative ? -exponent : exponent;
  const std::size_t point = mantissa.find('.');
  std::string digits(mantissa.substr(0, point));
  if (point != std::string_view::npos) {
    digits += mantissa.substr(point + 1);
  }
  // The position of the point in `digits` after the shift.
  const long long at =
      static_cast<long long>(point == std::string_view::npos ? mantissa.size() : point) + exponent;
  std::string whole;
  std::string fraction;
  if (at <= 0) {
    whole = "0";
    fraction = std::string(static_cast<std::size_t>(-at), '0') + digits;
  } else if (static_cast<std::size_t>(at) >= digits.size()) {
    whole = digits + std::string(static_cast<std::size_t>(at) - digits.size(), '0');
  } else {
    whole = digits.substr(0, static_cast<std::size_t>(at));
    fraction = digits.substr(static_cast<std::size_t>(at));
  }
  whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size() - 1));
  fraction.erase(fraction.find_last_not_of('0') + 1);
  std::string out = negative ? "-" : "";
  out += whole;
  if (!fraction.empty()) {
    out += '.';
    out += fraction;
  }
  return out;
}

class Collector {
 public:
  // Appends the resources the bindings read to `out`; numbers written with an exponent are
  // kept, written out, in `numbers`.
  Collector(const Wanted& wanted, const RecordLimits& limits, std::vector<Resource>& out,
            std::deque<std::string>& numbers)
      : resources(out), wanted_(wanted), limits_(limits), numbers_(numbers) {}

  std::vector<Resource>& resources;
  std::size_t patients = 0;
  std::string_view root_type;
  bool root_has_type = false;
  std::optional<Failure> failure;

  // Reads the document; false with `failure` set on a problem.
  bool read(ondemand::document& doc) {
    ondemand::object root;
    if (const auto error = doc.get_object().get(root)) {
      return fail(error, JsonPath{}, "the record is not a JSON object; expected a FHIR Bundle");
    }
    for (auto field_result : root) {
      ondemand::field field;
      std::string_view key;
      if (!next_field(std::move(field_result), field, key, JsonPath{})) {
        return false;
      }
      if (key == "resourceType") {
        if (const auto error = field.value().get_string().get(root_type)) {
          return fail(error, JsonPath{nullptr, "resourceType"}, "`resourceType` is not a string");
        }
        root_has_type = true;
      } else if (key == "entry") {
        if (!read_entries(field.value())) {
          return false;
        }
      }
    }
    // Anything after the object is an error (current_location fails at the end).
    if (const char* at = nullptr; doc.current_location().get(at) == simdjson::SUCCESS) {
      return fail(simdjson::TRAILING_CONTENT, JsonPath{},
                  "the record holds more than one JSON value");
    }
    return true;
  }

 private:
  // Reads the next field of an object and its unescaped key; false (after `fail`) on a
  // syntax error.
  bool next_field(simdjson::simdjson_result<ondemand::field> result, ondemand::field& field,
                  std::string_view& key, const JsonPath& path) {
    if (const auto error = std::move(result).get(field)) {
      return fail(error, path);
    }
    if (const auto error = field.unescaped_key().get(key)) {
      return fail(error, path);
    }
    return true;
  }

  bool fail(simdjson::error_code error, const JsonPath& path, std::string message = {}) {
    if (!failure) {
      Failure f;
      f.kind = error == simdjson::DEPTH_ERROR ? DiagnosticKind::record_too_large
                                              : DiagnosticKind::invalid_record;
      if (error == simdjson::DEPTH_ERROR) {
        f.message = fmt::format("the record is nested more than {} levels deep", limits_.max_depth);
      } else if (message.empty() ||
                 (error != simdjson::INCORRECT_TYPE && error != simdjson::TRAILING_CONTENT)) {
        f.message = std::string(syntax_problem(error));
      } else {
        f.message = std::move(message);
      }
      f.path = path.text();
      failure = std::move(f);
    }
    return false;
  }

  bool read_entries(ondemand::value value) {
    const JsonPath entries_path{nullptr, "entry"};
    ondemand::array entries;
    if (const auto error = value.get_array().get(entries)) {
      return fail(error, entries_path, "`entry` is not an array");
    }
    std::size_t index = 0;
    for (auto entry_result : entries) {
      const JsonPath path{&entries_path, {}, index};
      if (index >= limits_.max_entries) {
        failure = Failure{DiagnosticKind::record_too_large,
                          fmt::format("the record has more than {} entries", limits_.max_entries),
                          path.text()};
        return false;
      }
      ondemand::value entry;
      if (const auto error = entry_result.get(entry)) {
        return fail(error, path);
      }
      ondemand::json_type type{};
      if (const auto error = entry.type().get(type)) {
        return fail(error, path);
      }
      if (type == ondemand::json_type::object) {
        ondemand::object object;
        if (const auto error = entry.get_object().get(object)) {
          return fail(error, path);
        }
        for (auto field_result : object) {
          ondemand::field field;
          std::string_view key;
          if (!next_field(std::move(field_result), field, key, path)) {
            return false;
          }
          if (key == "resource") {
            if (!read_resource(field.value(), index, JsonPath{&path, "resource"})) {
              return false;
            }
          }
        }
      }
      ++index;
    }
    return true;
  }

  // Reads the value's kind and scalar text; objects and arrays are left unread.
  bool read_scalar(ondemand::value& value, Element& element, const JsonPath& path) {
    ondemand::json_type type{};
    if (const auto error = value.type().get(type)) {
      return fail(error, path);
    }
    switch (type) {
      case ondemand::json_type::null:
        element.kind = JsonKind::null;
        {
          // Read through `get`: an invalid atom (`nx`) is an error value, never a throw.
          bool is_null = false;
          if (const auto error = value.is_null().get(is_null)) {
            return fail(error, path);
          }
          if (!is_null) {
            return fail(simdjson::N_ATOM_ERROR, path);
          }
        }
        return true;
      case ondemand::json_type::boolean: {
        bool flag = false;
        if (const auto error = value.get_bool().get(flag)) {
          return fail(error, path);
        }
        element.kind = JsonKind::boolean;
        element.text = flag ? "true" : "false";
        return true;
      }
      case ondemand::json_type::number: {
        double number = 0;
        if (const auto error = value.get_double().get(number)) {
          return fail(error, path);
        }
        element.kind = JsonKind::number;
        element.text = trim(value.raw_json_token());
        if (element.text.find_first_of("eE") != std::string_view::npos) {
          // FHIR allows an exponent in a decimal; the fact-value reader reads plain numbers.
          if (std::optional<std::string> plain = without_exponent(element.text)) {
            element.text = numbers_.emplace_back(std::move(*plain));
          }
        }
        return true;
      }
      case ondemand::json_type::string:
        element.kind = JsonKind::string;
        if (const auto error = value.get_string().get(element.text)) {
          return fail(error, path);
        }
        return true;
      case ondemand::json_type::object: element.kind = JsonKind::object; return true;
      case ondemand::json_type::array: element.kind = JsonKind::array; return true;
    }
    return true;
  }

  bool read_quantity(ondemand::value& value, Element& element, const JsonPath& path) {
    ondemand::object object;
    if (const auto error = value.get_object().get(object)) {
      return fail(error, path);
    }
    for (auto field_result : object) {
      ondemand::field field;
      std::string_view key;
      if (!next_field(std::move(field_result), field, key, path)) {
        return false;
      }
      if (key != "value" && key != "code" && key != "system") {
        continue;
      }
      Element part;
      if (!read_scalar(field.value(), part, JsonPath{&path, key})) {
        return false;
      }
      if (key == "value") {
        element.quantity.value = part.text;
        element.quantity.value_is_number = part.kind == JsonKind::number;
        if (part.kind == JsonKind::null) {
          element.quantity.value.reset();
        }
      } else if (part.kind == JsonKind::string) {
        (key == "code" ? element.quantity.code : element.quantity.system) = part.text;
      }
    }
    return true;
  }

  // Appends the codes of `value`: a code string, or the `code` of each of a CodeableConcept's
  // (or a list of CodeableConcepts') codings; with `systems`, the (system, code) pairs.
  bool read_codes(ondemand::value& value, std::string_view element,
                  std::vector<std::pair<std::string_view, std::string_view>>& out, bool systems,
                  const JsonPath& path) {
    ondemand::json_type type{};
    if (const auto error = value.type().get(type)) {
      return fail(error, path);
    }
    if (type == ondemand::json_type::string && !systems) {
      std::string_view code;
      if (const auto error = value.get_string().get(code)) {
        return fail(error, path);
      }
      out.emplace_back(element, code);
      return true;
    }
    if (type != ondemand::json_type::object) {
      return true;  // malformed: the element is not there
    }
    ondemand::object concept_object;
    if (const auto error = value.get_object().get(concept_object)) {
      return fail(error, path);
    }
    for (auto field_result : concept_object) {
      ondemand::field field;
      std::string_view key;
      if (!next_field(std::move(field_result), field, key, path)) {
        return false;
      }
      if (key != "coding") {
        continue;
      }
      ondemand::json_type coding_type{};
      if (const auto error = field.value().type().get(coding_type)) {
        return fail(error, path);
      }
      if (coding_type != ondemand::json_type::array) {
        continue;
      }
      ondemand::array codings;
      if (const auto error = field.value().get_array().get(codings)) {
        return fail(error, path);
      }
      for (auto coding_result : codings) {
        ondemand::value coding;
        if (const auto error = coding_result.get(coding)) {
          return fail(error, path);
        }
        ondemand::json_type one_type{};
        if (const auto error = coding.type().get(one_type)) {
          return fail(error, path);
        }
        if (one_type != ondemand::json_type::object) {
          continue;
        }
        ondemand::object coding_object;
        if (const auto error = coding.get_object().get(coding_object)) {
          return fail(error, path);
        }
        std::string_view system;
        std::optional<std::string_view> code;
        for (auto part_result : coding_object) {
          ondemand::field part;
          std::string_view part_key;
          if (const auto error = std::move(part_result).get(part)) {
            return fail(error, path);
          }
          if (const auto error = part.unescaped_key().get(part_key)) {
            return fail(error, path);
          }
          if (part_key != "system" && part_key != "code") {
            continue;
          }
          Element scalar;
          if (!read_scalar(part.value(), scalar, path)) {
            return false;
          }
          if (scalar.kind == JsonKind::string) {
            (part_key == "system" ? system : code.emplace()) = scalar.text;
          }
        }
        if (code) {
          out.emplace_back(systems ? system : element, *code);
        }
      }
    }
    return true;
  }

  bool read_resource(ondemand::value value, std::size_t entry, const JsonPath& path) {
    ondemand::json_type type{};
    if (const auto error = value.type().get(type)) {
      return fail(error, path);
    }
    if (type != ondemand::json_type::object) {
      return true;  // not a resource: ignored
    }
    ondemand::object object;
    if (const auto error = value.get_object().get(object)) {
      return fail(error, path);
    }
    Resource resource;
    resource.entry = entry;
    bool skip = false;
    for (auto field_result : object) {
      ondemand::field field;
      std::string_view key;
      if (!next_field(std::move(field_result), field, key, path)) {
        return false;
      }
      if (skip) {
        continue;  // a type no binding reads: its fields are skipped unread
      }
      const JsonPath field_path{&path, key};
      if (key == "resourceType" || key == "id") {
        Element scalar;
        if (!read_scalar(field.value(), scalar, field_path)) {
          return false;
        }
        if (scalar.kind == JsonKind::string) {
          (key == "id" ? resource.id : resource.type) = scalar.text;
          skip = key == "resourceType" && !Wanted::has(wanted_.types, scalar.text);
        }
      } else if (key == "code" || key == "medicationCodeableConcept") {
        // A MedicationRequest names its medication in medicationCodeableConcept: its code.
        if (!read_codes(field.value(), key, resource.codings, true, field_path)) {
          return false;
        }
      } else if (Wanted::has(wanted_.status_elements, key)) {
        if (!read_codes(field.value(), key, resource.status_codes, false, field_path)) {
          return false;
        }
      } else if (Wanted::has(wanted_.elements, key) || starts_with_value(key)) {
        Element element;
        element.name = key;
        if (!read_scalar(field.value(), element, field_path)) {
          return false;
        }
        if (element.kind == JsonKind::object && key == "valueQuantity" &&
            !read_quantity(field.value(), element, field_path)) {
          return false;
        }
        if (element.kind == JsonKind::object && key == "valueCodeableConcept" &&
            !read_codes(field.value(), key, resource.value_codings, true, field_path)) {
          return false;
        }
        resource.elements.push_back(element);
      }
    }
    if (resource.type == "Patient") {
      ++patients;
    }
    if (!skip && Wanted::has(wanted_.types, resource.type)) {
      resources.push_back(std::move(resource));
    }
    return true;
  }

  const Wanted& wanted_;
  const RecordLimits& limits_;
  std::deque<std::string>& numbers_;
};

// ---- Applying the bindings ----------------------------------------------------------------

// A date as written: its date part (`2026-03-01` of `2026-03-01T23:30:00+01:00`) and the whole
// text, checked.
struct WrittenDate {
  DateTime date;  // the date part, as a Date
  std::string_view text;
};

struct DateReading {
  std::optional<WrittenDate> value;
  std::string problem;  // set when the text is not a date
};

DateReading read_written_date(std::string_view text) {
  const DateTimeReading whole = DateTime::parse(text);
  if (!whole.accepted() || text.find('@') != std::string_view::npos) {
    return {std::nullopt,
            whole.accepted() ? fmt::format("`{}` is not a date", text) : whole.message};
  }
  const std::size_t t = text.find('T');
  const DateTimeReading part = DateTime::parse(text.substr(0, t));
  if (!part.accepted()) {
    return {std::nullopt, part.message};
  }
  return {WrittenDate{*part.value, text}, {}};
}

// Orders dates of possibly different precisions by their fields (missing ones at their minimum).
auto date_key(const DateTime& date) {
  const TemporalFields fields = date.fields();
  return std::make_tuple(fields.year, fields.month, fields.day);
}

bool after(const DateTime& date, const DateTime& as_of) {
  return date_key(date) > date_key(as_of);
}

std::string insert_resource(std::string message, std::string_view fact,
                            const std::string& reference) {
  const std::string prefix = fmt::format("fact `{}`", fact);
  if (message.rfind(prefix, 0) == 0) {
    message.insert(prefix.size(), fmt::format(" from `{}`", reference));
    return message;
  }
  return fmt::format("fact `{}` from `{}`: {}", fact, reference, message);
}

struct Outcome {
  std::optional<RecordError> error;
};

RecordError value_error(DiagnosticKind kind, std::string message, const FactSpec& fact,
                        const Resource& resource) {
  RecordError error;
  error.kind = kind;
  error.fact = fact.name;
  error.resource = resource.reference();
  error.message = insert_resource(std::move(message), fact.name, error.resource);
  return error;
}

bool is_number_type(const FactSpec& fact) {
  return fact.type.kind == TypeKind::integer || fact.type.kind == TypeKind::decimal;
}

bool is_quantity_type(const FactSpec& fact) {
  return fact.type.kind == TypeKind::quantity;
}

class Applier {
 public:
  Applier(std::span<const FactSpec> facts, const std::vector<Resource>& resources,
          const DateTime& as_of, RecordReading& out)
      : facts_(facts), resources_(resources), as_of_(as_of), out_(out) {}

  // False with out_.error set on bad data.
  bool apply(std::size_t index) {
    const FactSpec& fact = facts_[index];
    const FactBinding& binding = *fact.binding;
    FactProvenance& provenance = out_.provenance[index];
    std::vector<const Resource*> candidates;
    for (const Resource& resource : resources_) {
      if (resource.type == binding.resource_type && matches(binding, resource)) {
        candidates.push_back(&resource);
      }
    }
    if (binding.window && binding.choice != BindingChoice::most_recent &&
        !keep_in_window(index, candidates)) {
      return false;
    }
    switch (binding.value) {
      case BindingValue::presence: return presence(index, candidates);
      case BindingValue::exists:
        if (!candidates.empty()) {
          note_all(provenance, candidates);
          return set(index, {ScalarKind::boolean, "true", false}, *candidates.front());
        }
        if (binding.absent_is_false) {
          return set_plain(index, {ScalarKind::boolean, "false", false});
        }
        provenance.absent_reason = none_reason(binding);
        return true;
      case BindingValue::count: {
        note_all(provenance, candidates);
        const std::string text = std::to_string(candidates.size());
        return set_plain(index, {ScalarKind::number, text, false});
      }
      default: break;
    }
    const Resource* chosen = nullptr;
    const Element* chosen_date = nullptr;
    if (binding.choice == BindingChoice::most_recent) {
      if (!most_recent(index, candidates, chosen, chosen_date)) {
        return false;
      }
    } else if (!candidates.empty()) {
      chosen = candidates.back();
    }
    if (chosen == nullptr) {
      provenance.absent_reason = none_reason(binding);
      return true;
    }
    provenance.resource = chosen->reference();
    provenance.resources = {provenance.resource};
    if (chosen_date != nullptr) {
      provenance.date = std::string(chosen_date->text);
    }
    if (binding.value == BindingValue::element) {
      return element_value(index, *chosen);
    }
    return since_value(index, *chosen);
  }

 private:
  // Code, entered-in-error and filters.
  static bool matches(const FactBinding& binding, const Resource& resource) {
    if (!binding.codes.empty()) {
      const bool coded =
          std::any_of(resource.codings.begin(), resource.codings.end(), [&](const auto& coding) {
            return std::any_of(binding.codes.begin(), binding.codes.end(), [&](const Coding& c) {
              return c.system == coding.first && c.code == coding.second;
            });
          });
      if (!coded) {
        return false;
      }
    }
    // Entered in error: never counts, whatever the rule file's filters say.
    if (resource.has_status("status", kEnteredInError) ||
        resource.has_status("verificationStatus", kEnteredInError)) {
      return false;
    }
    for (const StatusFilter& filter : binding.filters) {
      const bool has = resource.has_element_status(filter.element);
      const bool among = std::any_of(
          filter.codes.begin(), filter.codes.end(),
          [&](const std::string& code) { return resource.has_status(filter.element, code); });
      if (filter.negated ? (has && among) : !among) {
        return false;
      }
    }
    return true;
  }

  std::string none_reason(const FactBinding& binding) const {
    std::string reason = binding.filters.empty()
                             ? fmt::format("no {}", binding.resource_type)
                             : fmt::format("no usable {}", binding.resource_type);
    if (!binding.codes_label.empty()) {
      reason += " coded " + binding.codes_label;
    }
    if (binding.window) {
      const BindingWindow& window = *binding.window;
      static constexpr std::array<std::string_view, 8> kUnits = {
          "year", "month", "week", "day", "hour", "minute", "second", "millisecond"};
      reason += fmt::format(" in the {} {}{} before {}", window.amount,
                            kUnits[static_cast<std::size_t>(window.unit)],
                            window.amount == 1 ? "" : "s", as_of_.to_iso());
    } else if (binding.choice == BindingChoice::most_recent &&
               !record_date_elements(binding.resource_type).empty()) {
      std::string names;
      for (const std::string_view name : record_date_elements(binding.resource_type)) {
        names += (names.empty() ? "" : " or ") + std::string(name);
      }
      reason += " with a date (" + names + ")";
    }
    return reason;
  }

  bool record_date(std::size_t index, const Resource& resource, const Element*& element,
                   std::optional<WrittenDate>& date) {
    element = nullptr;
    for (const std::string_view name : record_date_elements(resource.type)) {
      if (const Element* found = resource.element(name);
          found != nullptr && found->kind != JsonKind::null) {
        element = found;
        break;
      }
    }
    if (element == nullptr) {
      return true;
    }
    if (element->kind != JsonKind::string) {
      out_.error = value_error(
          DiagnosticKind::bad_record_date,
          fmt::format("fact `{}`: `{}` is not a date", facts_[index].name, element->name),
          facts_[index], resource);
      return false;
    }
    DateReading reading = read_written_date(element->text);
    if (!reading.value) {
      out_.error = value_error(
          DiagnosticKind::bad_record_date,
          fmt::format("fact `{}`: `{}` {}", facts_[index].name, element->name, reading.problem),
          facts_[index], resource);
      return false;
    }
    date = reading.value;
    return true;
  }

  bool in_window(const FactBinding& binding, const DateTime& date) const {
    if (!binding.window) {
      return true;
    }
    if (after(date, as_of_)) {
      return false;
    }
    const std::optional<DateTime> start =
        subtract(as_of_, CalendarDuration{binding.window->amount, binding.window->unit});
    return !start || date_key(date) >= date_key(*start);
  }

  // Keeps the candidates whose record date is in the binding's window (a resource without a
  // record date cannot be placed in it); false with out_.error set on a bad date.
  bool keep_in_window(std::size_t index, std::vector<const Resource*>& candidates) {
    const FactBinding& binding = *facts_[index].binding;
    std::size_t kept = 0;
    for (const Resource* resource : candidates) {
      const Element* element = nullptr;
      std::optional<WrittenDate> date;
      if (!record_date(index, *resource, element, date)) {
        return false;
      }
      if (date && in_window(binding, date->date)) {
        candidates[kept++] = resource;
      }
    }
    candidates.resize(kept);
    return true;
  }

  bool most_recent(std::size_t index, const std::vector<const Resource*>& candidates,
                   const Resource*& chosen, const Element*& chosen_element) {
    const FactBinding& binding = *facts_[index].binding;
    std::optional<WrittenDate> best_date;
    std::optional<DateTime> best_issued;
    for (const Resource* resource : candidates) {
      const Element* element = nullptr;
      std::optional<WrittenDate> date;
      if (!record_date(index, *resource, element, date)) {
        return false;
      }
      if (!date || !in_window(binding, date->date)) {
        continue;
      }
      std::optional<DateTime> issued;
      if (const Element* found = resource->element("issued");
          found != nullptr && found->kind == JsonKind::string) {
        issued = DateTime::parse(found->text).value;
      }
      bool better = chosen == nullptr;
      if (!better) {
        const auto key = date_key(date->date);
        const auto best_key = date_key(best_date->date);
        if (key != best_key) {
          better = key > best_key;
        } else if (issued.has_value() != best_issued.has_value()) {
          better = issued.has_value();
        } else if (issued) {
          const auto order = compare(*issued, *best_issued, 0);
          better = !order || *order != std::strong_ordering::less;  // a tie: the later entry
        } else {
          better = true;  // the later entry
        }
      }
      if (better) {
        chosen = resource;
        chosen_element = element;
        best_date = date;
        best_issued = issued;
      }
    }
    if (chosen != nullptr && after(best_date->date, as_of_)) {
      out_.error = value_error(
          DiagnosticKind::record_date_after_evaluation,
          fmt::format("fact `{}`: `{}` {} is after the evaluation date {}", facts_[index].name,
                      chosen_element->name, best_date->text, as_of_.to_iso()),
          facts_[index], *chosen);
      return false;
    }
    return true;
  }

  bool presence(std::size_t index, const std::vector<const Resource*>& candidates) {
    const Resource* present = nullptr;
    const Resource* not_present = nullptr;
    std::vector<const Resource*> deciding;
    for (const Resource* resource : candidates) {
      const bool refuted = resource->has_status("verificationStatus", "refuted");
      const auto clinical = [&](std::string_view code) {
        return resource->has_status("clinicalStatus", code);
      };
      if (!refuted && (clinical("active") || clinical("recurrence") || clinical("relapse"))) {
        present = present != nullptr ? present : resource;
      } else if (refuted || clinical("inactive") || clinical("remission") || clinical("resolved")) {
        not_present = not_present != nullptr ? not_present : resource;
      }
    }
    FactProvenance& provenance = out_.provenance[index];
    const Resource* source = present != nullptr ? present : not_present;
    if (source == nullptr) {
      provenance.absent_reason = candidates.empty()
                                     ? none_reason(*facts_[index].binding)
                                     : fmt::format("no {} coded {} says whether it is present",
                                                   facts_[index].binding->resource_type,
                                                   facts_[index].binding->codes_label);
      return true;
    }
    provenance.resource = source->reference();
    provenance.resources = {provenance.resource};
    return set(index, {ScalarKind::boolean, present != nullptr ? "true" : "false", false}, *source);
  }

  static void note_all(FactProvenance& provenance, const std::vector<const Resource*>& list) {
    for (const Resource* resource : list) {
      provenance.resources.push_back(resource->reference());
    }
  }

  bool set(std::size_t index, const WrittenScalar& scalar, const Resource& resource) {
    const FactSpec& fact = facts_[index];
    FactValueReading reading = read_fact_value(fact, scalar);
    if (!reading.accepted()) {
      out_.error = value_error(*reading.problem, std::move(reading.message), fact, resource);
      return false;
    }
    store(index, reading.value);
    return true;
  }

  bool set_plain(std::size_t index, const WrittenScalar& scalar) {
    const FactSpec& fact = facts_[index];
    FactValueReading reading = read_fact_value(fact, scalar);
    if (!reading.accepted()) {
      RecordError error;
      error.kind = *reading.problem;
      error.fact = fact.name;
      error.message = std::move(reading.message);
      out_.error = std::move(error);
      return false;
    }
    store(index, reading.value);
    return true;
  }

  void store(std::size_t index, Value value) {
    if (value.kind() == ValueKind::string) {
      value = Value::string(out_.facts.keep(value.as_string()));
    }
    out_.facts.set(FactId{static_cast<std::uint32_t>(index)}, value);
  }

  bool element_value(std::size_t index, const Resource& resource) {
    const FactSpec& fact = facts_[index];
    const FactBinding& binding = *fact.binding;
    if (fact.type.coding) {
      return coding_value(index, resource);
    }
    const Element* element = nullptr;
    for (const std::string& name : binding.elements) {
      element = resource.element(name);
      if (element != nullptr) {
        break;
      }
    }
    if (element == nullptr) {
      // A value of another kind than the binding reads is bad data; no value is absent.
      for (const Element& other : resource.elements) {
        if (starts_with_value(other.name)) {
          return wrong_element(index, resource, other);
        }
      }
      std::string names;
      for (const std::string& name : binding.elements) {
        names += (names.empty() ? "`" : " or `") + name + "`";
      }
      out_.provenance[index].absent_reason =
          fmt::format("`{}` has no {}", resource.reference(), names);
      out_.provenance[index].resource.clear();
      out_.provenance[index].resources.clear();
      return true;
    }
    return read_element(index, resource, *element);
  }

  // A coding fact: the first listed coded concept the resource has gives its coding that
  // the `coded` filter matched (the code element under a filter) or its first coding in one of
  // binding.value_systems. A concept without such a coding leaves the fact absent.
  bool coding_value(std::size_t index, const Resource& resource) {
    const FactBinding& binding = *facts_[index].binding;
    FactProvenance& provenance = out_.provenance[index];
    bool has_concept = false;
    for (const std::string& name : binding.elements) {
      const bool code_element = is_code_element(binding.resource_type, name);
      if (!code_element) {
        const Element* element = resource.element(name);
        if (element == nullptr) {
          continue;
        }
        if (element->kind == JsonKind::null) {
          continue;
        }
        if (element->kind != JsonKind::object) {
          return wrong_element(index, resource, *element);
        }
      }
      const auto& codings = code_element ? resource.codings : resource.value_codings;
      has_concept = has_concept || !codings.empty() || !code_element;
      const bool by_filter = code_element && !binding.codes.empty();
      for (const auto& coding : codings) {
        const bool wanted =
            by_filter ? std::any_of(binding.codes.begin(), binding.codes.end(),
                                    [&](const Coding& c) {
                                      return c.system == coding.first && c.code == coding.second;
                                    })
                      : std::find(binding.value_systems.begin(), binding.value_systems.end(),
                                  coding.first) != binding.value_systems.end();
        if (wanted) {
          const std::string text = fmt::format("{}|{}", coding.first, coding.second);
          return set(index, {ScalarKind::string, text, true}, resource);
        }
      }
    }
    const bool reads_value =
        std::any_of(binding.elements.begin(), binding.elements.end(),
                    [](const std::string& name) { return starts_with_value(name); });
    if (!has_concept && reads_value) {
      // A value of another kind than the binding reads is bad data.
      for (const Element& other : resource.elements) {
        if (starts_with_value(other.name) && other.kind != JsonKind::null) {
          return wrong_element(index, resource, other);
        }
      }
    }
    std::string names;
    for (const std::string& name : binding.elements) {
      names += (names.empty() ? "`" : " or `") + name + "`";
    }
    std::vector<std::string> systems;
    for (const std::string& system : binding.value_systems) {
      systems.push_back(fmt::format("`{}`", system));
    }
    provenance.absent_reason =
        has_concept ? fmt::format("`{}` has no {} coding in {}", resource.reference(), names,
                                  fmt::join(systems, " or "))
                    : fmt::format("`{}` has no {}", resource.reference(), names);
    provenance.resource.clear();
    provenance.resources.clear();
    return true;
  }

  bool wrong_element(std::size_t index, const Resource& resource, const Element& element) {
    const FactSpec& fact = facts_[index];
    std::string found = std::string(element.name);
    if (element.kind != JsonKind::object && element.kind != JsonKind::array &&
        element.kind != JsonKind::null) {
      found += fmt::format(" `{}`", element.text);
    }
    out_.error = value_error(DiagnosticKind::wrong_fact_type,
                             fmt::format("fact `{}` must be {}; found {}", fact.name,
                                         expected_with_example(fact), found),
                             fact, resource);
    return false;
  }

  bool read_element(std::size_t index, const Resource& resource, const Element& element) {
    const FactSpec& fact = facts_[index];
    switch (element.kind) {
      case JsonKind::null:
        out_.provenance[index].absent_reason =
            fmt::format("`{}` of `{}` is null", element.name, resource.reference());
        out_.provenance[index].resource.clear();
        out_.provenance[index].resources.clear();
        return true;
      case JsonKind::boolean:
        return set(index, {ScalarKind::boolean, element.text, false}, resource);
      case JsonKind::number: return set(index, {ScalarKind::number, element.text, false}, resource);
      case JsonKind::string: return set(index, {ScalarKind::string, element.text, true}, resource);
      case JsonKind::array: return wrong_element(index, resource, element);
      case JsonKind::object: break;
    }
    if (element.name != "valueQuantity") {
      return wrong_element(index, resource, element);
    }
    const QuantityParts& quantity = element.quantity;
    if (!quantity.value) {
      out_.provenance[index].absent_reason =
          fmt::format("`valueQuantity` of `{}` has no value", resource.reference());
      out_.provenance[index].resource.clear();
      out_.provenance[index].resources.clear();
      return true;
    }
    if (!quantity.value_is_number) {
      return set(index, {ScalarKind::string, *quantity.value, true}, resource);
    }
    if (quantity.code && quantity.system && *quantity.system != kUcum) {
      out_.error = value_error(
          DiagnosticKind::wrong_unit,
          fmt::format("fact `{}` must be {}; found the unit `{}` of the code system `{}`, not UCUM",
                      fact.name, expected_with_example(fact), *quantity.code, *quantity.system),
          fact, resource);
      return false;
    }
    const std::string with_unit =
        quantity.code ? fmt::format("{} {}", *quantity.value, *quantity.code) : std::string();
    if (is_quantity_type(fact)) {
      return quantity.code ? set(index, {ScalarKind::string, with_unit, false}, resource)
                           : set(index, {ScalarKind::number, *quantity.value, false}, resource);
    }
    if (is_number_type(fact)) {
      // A number fact reads a quantity in the binding's unit (`valueQuantity in '%'`): a
      // quantity without a unit is in that unit; one in another unit of its dimension is
      // converted to it by the UCUM table; one of another dimension, or in a unit Rubric does
      // not know, goes to the fact-value reader as written, which rejects it.
      const Unit* target = find_unit(fact.binding->unit);
      const Unit* unit = quantity.code ? find_unit(*quantity.code) : nullptr;
      if (!quantity.code) {
        return set(index, {ScalarKind::number, *quantity.value, false}, resource);
      }
      if (unit != nullptr && target != nullptr && same_unit(*unit, *target)) {
        return set(index, {ScalarKind::number, *quantity.value, false}, resource);
      }
      if (unit != nullptr && target != nullptr && commensurable(*unit, *target)) {
        const std::optional<Decimal> amount = Decimal::parse(*quantity.value);
        const std::optional<Decimal> converted =
            amount ? convert(*amount, *unit, *target) : std::nullopt;
        if (converted) {
          const std::string text = converted->to_string();
          return set(index, {ScalarKind::number, text, false}, resource);
        }
      }
    }
    return set(index, {ScalarKind::string, with_unit.empty() ? *quantity.value : with_unit, true},
               resource);
  }

  bool since_value(std::size_t index, const Resource& resource) {
    const FactSpec& fact = facts_[index];
    const FactBinding& binding = *fact.binding;
    FactProvenance& provenance = out_.provenance[index];
    const Element* element = nullptr;
    for (const std::string& name : binding.elements) {
      if (const Element* found = resource.element(name);
          found != nullptr && found->kind != JsonKind::null) {
        element = found;
        break;
      }
    }
    if (element == nullptr) {
      std::string names;
      for (const std::string& name : binding.elements) {
        names += (names.empty() ? "`" : " or `") + name + "`";
      }
      provenance.absent_reason = fmt::format("`{}` has no {}", resource.reference(), names);
      provenance.resource.clear();
      provenance.resources.clear();
      return true;
    }
    if (element->kind != JsonKind::string) {
      out_.error = value_error(
          DiagnosticKind::bad_record_date,
          fmt::format("fact `{}`: `{}` is not a date", fact.name, element->name), fact, resource);
      return false;
    }
    const DateReading reading = read_written_date(element->text);
    if (!reading.value) {
      out_.error =
          value_error(DiagnosticKind::bad_record_date,
                      fmt::format("fact `{}`: `{}` {}", fact.name, element->name, reading.problem),
                      fact, resource);
      return false;
    }
    provenance.date = std::string(element->text);
    const DateTime& date = reading.value->date;
    if (!date.is_full_date()) {
      provenance.absent_reason = fmt::format("`{}` `{}` of `{}` is not a full date", element->name,
                                             element->text, resource.reference());
      provenance.resource.clear();
      provenance.resources.clear();
      return true;
    }
    if (after(date, as_of_)) {
      out_.error =
          value_error(DiagnosticKind::record_date_after_evaluation,
                      fmt::format("fact `{}`: `{}` {} is after the evaluation date {}", fact.name,
                                  element->name, element->text, as_of_.to_iso()),
                      fact, resource);
      return false;
    }
    const bool years = binding.value == BindingValue::years_since;
    const UncertainCount count =
        duration_between(date, as_of_, years ? CalendarUnit::year : CalendarUnit::day, 0);
    const std::string text = fmt::format("{} {}", count.low, years ? "years" : "days");
    return set(index, {ScalarKind::string, text, false}, resource);
  }

  std::span<const FactSpec> facts_;
  const std::vector<Resource>& resources_;
  const DateTime& as_of_;
  RecordReading& out_;
};

// The byte offset where `text` nests arrays and objects deeper than `limit` (strings
// skipped), or npos. On-Demand parsing checks depth only where it descends, and skipped values
// are not descended into, so the limit is checked here, on the whole text.
std::size_t too_deep_at(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == '"') {
      // Skip the string: to the next quote not escaped by an odd run of backslashes.
      ++at;
      for (;;) {
        const std::size_t quote = text.find('"', at);
        if (quote == std::string_view::npos) {
          return std::string_view::npos;  // not closed: the parser says so
        }
        std::size_t backslashes = 0;
        while (quote - backslashes > at && text[quote - backslashes - 1] == '\\') {
          ++backslashes;
        }
        at = quote + 1;
        if (backslashes % 2 == 0) {
          break;
        }
      }
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > limit) {
        return at;
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
    ++at;
  }
  return std::string_view::npos;
}

}  // namespace

struct RecordReader::State {
  State(std::span<const FactSpec> fact_specs, const RecordLimits& record_limits)
      : facts(fact_specs), limits(record_limits), wanted(wanted_parts(fact_specs)) {}

  std::span<const FactSpec> facts;
  RecordLimits limits;
  Wanted wanted;
  ondemand::parser parser;
  std::size_t parser_capacity = 0;
  std::vector<char> padded;  // the text, then SIMDJSON_PADDING bytes
  std::vector<Resource> resources;
  std::deque<std::string> numbers;  // for the Collector
};

RecordReader::RecordReader(std::span<const FactSpec> facts, const RecordLimits& limits)
    : state_(std::make_unique<State>(facts, limits)) {}
RecordReader::~RecordReader() = default;
RecordReader::RecordReader(RecordReader&&) noexcept = default;
RecordReader& RecordReader::operator=(RecordReader&&) noexcept = default;

void RecordReader::read(std::string_view json, const DateTime& as_of, RecordReading& out,
                        BadValues bad_values) {
  State& state = *state_;
  const std::span<const FactSpec> facts = state.facts;
  const RecordLimits& limits = state.limits;
  if (out.facts.size() == facts.size()) {
    out.facts.clear();
  } else {
    out.facts = FactSet(facts.size());
  }
  out.provenance.resize(facts.size());
  for (FactProvenance& provenance : out.provenance) {
    provenance.resource.clear();
    provenance.resources.clear();
    provenance.date.clear();
    provenance.absent_reason.clear();
  }
  out.error.reset();
  out.set_aside.clear();
  const auto fail = [&](DiagnosticKind kind, std::string message) {
    out.error = RecordError{kind, std::move(message), {}, {}, std::nullopt, {}};
  };
  if (json.size() > limits.max_bytes) {
    fail(DiagnosticKind::record_too_large,
         fmt::format("the record is {} bytes, more than the limit of {} bytes", json.size(),
                     limits.max_bytes));
    return;
  }
  if (const std::size_t at = too_deep_at(json, limits.max_depth); at != std::string_view::npos) {
    fail(DiagnosticKind::record_too_large,
         fmt::format("the record is nested more than {} levels deep", limits.max_depth));
    out.error->offset = at;
    return;
  }
  state.padded.resize(json.size() + simdjson::SIMDJSON_PADDING);
  std::copy(json.begin(), json.end(), state.padded.begin());
  std::fill(state.padded.begin() + static_cast<std::ptrdiff_t>(json.size()), state.padded.end(),
            '\0');
  ondemand::parser& parser = state.parser;
  if (const std::size_t needed = std::max<std::size_t>(json.size(), 64);
      needed > state.parser_capacity) {
    if (const auto error = parser.allocate(needed, limits.max_depth)) {
      state.parser_capacity = 0;
      fail(DiagnosticKind::invalid_record, std::string(syntax_problem(error)));
      return;
    }
    state.parser_capacity = needed;
  }
  ondemand::document doc;
  if (const auto error =
          parser.iterate(state.padded.data(), json.size(), state.padded.size()).get(doc)) {
    fail(error == simdjson::DEPTH_ERROR ? DiagnosticKind::record_too_large
                                        : DiagnosticKind::invalid_record,
         error == simdjson::DEPTH_ERROR
             ? fmt::format("the record is nested more than {} levels deep", limits.max_depth)
             : std::string(syntax_problem(error)));
    return;
  }
  state.resources.clear();
  state.numbers.clear();
  Collector collector(state.wanted, limits, state.resources, state.numbers);
  if (!collector.read(doc)) {
    Failure& failure = *collector.failure;
    out.error = RecordError{failure.kind, failure.message, {}, {}, std::nullopt, failure.path};
    const char* location = nullptr;
    if (!doc.current_location().get(location) && location != nullptr) {
      out.error->offset = static_cast<std::size_t>(location - state.padded.data());
    }
    if (!out.error->path.empty()) {
      out.error->message += fmt::format(" (at `{}`)", out.error->path);
    }
    return;
  }
  if (!collector.root_has_type) {
    fail(DiagnosticKind::invalid_record,
         "the record has no `resourceType`; expected a FHIR Bundle");
    return;
  }
  if (collector.root_type != "Bundle") {
    fail(DiagnosticKind::invalid_record,
         fmt::format("the record is a `{}`; expected a FHIR Bundle", collector.root_type));
    return;
  }
  if (collector.patients != 1) {
    fail(DiagnosticKind::record_patient,
         collector.patients == 0
             ? std::string("the record has no Patient; expected exactly one")
             : fmt::format("the record has {} Patients; expected exactly one", collector.patients));
    return;
  }
  Applier applier(facts, state.resources, as_of, out);
  for (std::size_t index = 0; index < facts.size(); ++index) {
    if (facts[index].binding && !facts[index].evaluation_date && !applier.apply(index)) {
      if (bad_values == BadValues::fail || !out.error || out.error->fact.empty()) {
        return;
      }
      // Bad data for this fact alone: the fact is absent, and says why.
      out.facts.set(FactId{static_cast<std::uint32_t>(index)}, Value());
      FactProvenance& provenance = out.provenance[index];
      provenance.resource.clear();
      provenance.resources.clear();
      provenance.date.clear();
      provenance.absent_reason = out.error->message;
      out.set_aside.push_back(std::move(*out.error));
      out.error.reset();
    }
  }
}

RecordReading read_record(std::span<const FactSpec> facts, std::string_view json,
                          const DateTime& as_of, const RecordLimits& limits) {
  RecordReading out;
  RecordReader(facts, limits).read(json, as_of, out);
  return out;
}

bool looks_like_fhir_resource(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  std::size_t string_start = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    if (in_string) {
      if (c == '\\') {
        ++at;
      } else if (c == '"') {
        in_string = false;
        if (depth == 1 && text.substr(string_start, at - string_start) == "resourceType") {
          return true;
        }
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        string_start = at + 1;
        break;
      case '{':
      case '[': ++depth; break;
      case '}':
      case ']': --depth; break;
      default:
        if (depth == 0 && c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\xEF' &&
            c != '\xBB' && c != '\xBF') {
          return false;  // not JSON (a YAML fact file)
        }
        break;
    }
    if (depth == 0 && (c == '}' || c == ']')) {
      return false;
    }
  }
  return false;
}

}  // namespace rubric

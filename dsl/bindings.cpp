#include "dsl/bindings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "values/units.hpp"

#include <string_view>
#include <vector>

namespace rubric {
namespace {

// "`a`, `b` or `c`".
std::string spoken(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    out += i == 0 ? "" : i + 1 == words.size() ? " or " : ", ";
    out += in_backticks(words[i]);
  }
  return out;
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    words.push_back(text.substr(0, space));
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  return words;
}

std::vector<std::string_view> elements_of(std::string_view resource_type) {
  std::vector<std::string_view> names;
  for (const BindingElement& element : kBindingElements) {
    if (element.resource_type == resource_type) {
      names.push_back(element.name);
    }
  }
  return names;
}

// A unit for a message: "`'mg'`".
std::string quote_unit(std::string_view unit) {
  return in_backticks("'" + std::string(unit) + "'");
}

std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates) {
  const std::string closest = closest_name(name, candidates);
  return closest.empty() ? std::string() : fmt::format("; did you mean {}?", in_backticks(closest));
}

// Whether a value of element kind `kind` can be read as a value of `type`.
bool fits(ElementKind kind, const Type& type) {
  switch (kind) {
    case ElementKind::date: return type.is_temporal();
    case ElementKind::quantity: return type.is_numeric() || type.kind == TypeKind::quantity;
    case ElementKind::integer: return type.is_numeric();
    case ElementKind::boolean: return type.kind == TypeKind::boolean;
    case ElementKind::text:
      return (type.kind == TypeKind::string && !type.coding) || type.kind == TypeKind::code;
    case ElementKind::coding: return type.kind == TypeKind::string && type.coding;
  }
  return false;
}

const char* kind_words(ElementKind kind) {
  switch (kind) {
    case ElementKind::date: return "a date";
    case ElementKind::quantity: return "a quantity";
    case ElementKind::integer: return "an integer";
    case ElementKind::boolean: return "a boolean";
    case ElementKind::text: return "a text";
    case ElementKind::coding: return "a coded concept";
  }
  return "a value";
}

}  // namespace

Terminology::Terminology(const ast::Module& module, Diagnostics& diagnostics)
    : module_(module), diagnostics_(diagnostics) {
  std::map<std::string, std::uint32_t, std::less<>> uris;
  for (std::uint32_t i = 0; i < module_.code_systems.size(); ++i) {
    const ast::CodeSystemDeclaration& system = module_.code_systems[i];
    if (!is_absolute_uri(system.uri.name)) {
      diagnostics_.report(DiagnosticKind::bad_code_system, system.uri.range,
                          fmt::format("the code system {} is not an absolute URI; write the "
                                      "system's canonical URI, as in `'http://loinc.org'`",
                                      in_backticks(shown(system.uri.name))));
    }
    const auto [it, inserted] = systems_.emplace(system.name.name, i);
    if (!inserted) {
      auto& diagnostic = diagnostics_.report(
          DiagnosticKind::bad_code_system, system.name.range,
          fmt::format("code system {} is already declared", in_backticks(system.name.name)));
      diagnostic.notes.push_back(
          {module_.code_systems[it->second].name.range, "first declared here"});
      continue;
    }
    const auto [uri, new_uri] = uris.emplace(system.uri.name, i);
    if (!new_uri) {
      auto& diagnostic = diagnostics_.report(
          DiagnosticKind::bad_code_system, system.uri.range,
          fmt::format("code systems {} and {} have the same URI {}; keep one name for it",
                      in_backticks(module_.code_systems[uri->second].name.name),
                      in_backticks(system.name.name), in_backticks(shown(system.uri.name))));
      diagnostic.notes.push_back({module_.code_systems[uri->second].uri.range, "first here"});
    }
  }
  for (std::uint32_t i = 0; i < module_.value_sets.size(); ++i) {
    const ast::ValueSetDeclaration& value_set = module_.value_sets[i];
    if (systems_.contains(value_set.name.name)) {
      diagnostics_.report(DiagnosticKind::bad_value_set, value_set.name.range,
                          fmt::format("{} is already declared as a code system; code systems "
                                      "and value sets share one namespace",
                                      in_backticks(value_set.name.name)));
      continue;
    }
    const auto [it, inserted] = value_sets_.emplace(value_set.name.name, i);
    if (!inserted) {
      auto& diagnostic = diagnostics_.report(
          DiagnosticKind::bad_value_set, value_set.name.range,
          fmt::format("value set {} is already declared", in_backticks(value_set.name.name)));
      diagnostic.notes.push_back(
          {module_.value_sets[it->second].name.range, "first declared here"});
      continue;
    }
    std::vector<Coding> seen;
    for (const ast::CodeReference& code : value_set.codes) {
      const std::optional<Coding> coding = resolve_code(code);
      if (!coding) {
        continue;
      }
      if (std::find(seen.begin(), seen.end(), *coding) != seen.end()) {
        diagnostics_.report(
            DiagnosticKind::repeated_code, code.range,
            fmt::format("{} {} is listed twice in value set {}", code.system.name,
                        in_backticks(shown(code.code.name)), in_backticks(value_set.name.name)));
        continue;
      }
      seen.push_back(*coding);
    }
  }
}

std::optional<Coding> Terminology::resolve_code(const ast::CodeReference& code) {
  const auto system = systems_.find(code.system.name);
  if (system == systems_.end()) {
    std::vector<std::string_view> names;
    for (const auto& [name, index] : systems_) {
      names.push_back(name);
    }
    diagnostics_.report(DiagnosticKind::unknown_code_system, code.system.range,
                        fmt::format("unknown code system {}{}", in_backticks(code.system.name),
                                    closest_name(code.system.name, names).empty()
                                        ? fmt::format("; declare it, as in `codesystem {} = 'URI'`",
                                                      code.system.name)
                                        : did_you_mean(code.system.name, names)));
    return std::nullopt;
  }
  if (code.code.name.empty()) {
    diagnostics_.report(DiagnosticKind::bad_value_set, code.code.range, "a code is empty");
    return std::nullopt;
  }
  used_systems_.insert(system->second);
  return Coding{module_.code_systems[system->second].uri.name, code.code.name};
}

std::optional<std::vector<Coding>> Terminology::value_set_codes(std::string_view name) {
  const auto found = value_sets_.find(name);
  if (found == value_sets_.end()) {
    return std::nullopt;
  }
  used_value_sets_.insert(found->second);
  std::vector<Coding> codes;
  for (const ast::CodeReference& code : module_.value_sets[found->second].codes) {
    const auto system = systems_.find(code.system.name);
    if (system == systems_.end()) {
      return std::nullopt;
    }
    used_systems_.insert(system->second);
    codes.push_back(Coding{module_.code_systems[system->second].uri.name, code.code.name});
  }
  return codes;
}

void Terminology::report_binding(SourceRange range, std::string message) const {
  diagnostics_.report(DiagnosticKind::bad_binding, range, std::move(message));
}

std::optional<FactBinding> Terminology::resolve(const ast::BindingClause& clause,
                                                const FactSpec& fact) {
  FactBinding binding;
  binding.range = clause.range;
  const std::string& resource = clause.resource_type.name;
  bool known = false;
  for (const std::string_view type : kBindingResourceTypes) {
    known = known || type == resource;
  }
  if (!known) {
    const std::vector<std::string_view> types(kBindingResourceTypes.begin(),
                                              kBindingResourceTypes.end());
    const std::string closest = closest_name(resource, types);
    report_binding(
        clause.resource_type.range,
        fmt::format("bindings read no resource type {}; {}", in_backticks(resource),
                    closest.empty() ? fmt::format("they read {}", spoken(types))
                                    : fmt::format("did you mean {}?", in_backticks(closest))));
    return std::nullopt;
  }
  binding.resource_type = resource;
  if (clause.code) {
    const std::optional<Coding> coding = resolve_code(*clause.code);
    if (!coding) {
      return std::nullopt;
    }
    binding.codes.push_back(*coding);
    binding.codes_label = fmt::format("{} '{}'", clause.code->system.name, clause.code->code.name);
  } else if (clause.value_set) {
    const std::string& name = clause.value_set->name;
    const auto found = value_sets_.find(name);
    if (found == value_sets_.end()) {
      if (systems_.contains(name)) {
        report_binding(clause.value_set->range,
                       fmt::format("{} is a code system; give the code after it, as in "
                                   "`coded {} 'CODE'`, or name a value set",
                                   in_backticks(name), name));
        return std::nullopt;
      }
      std::vector<std::string_view> names;
      for (const auto& [candidate, index] : value_sets_) {
        names.push_back(candidate);
      }
      diagnostics_.report(DiagnosticKind::bad_value_set, clause.value_set->range,
                          fmt::format("unknown value set {}{}", in_backticks(name),
                                      names.empty() ? "; declare it, as in `valueset " + name +
                                                          " = {SYSTEM 'code'}`"
                                                    : did_you_mean(name, names)));
      return std::nullopt;
    }
    used_value_sets_.insert(found->second);
    for (const ast::CodeReference& code : module_.value_sets[found->second].codes) {
      const auto system = systems_.find(code.system.name);
      if (system == systems_.end()) {
        return std::nullopt;  // reported at the value set
      }
      Coding coding{module_.code_systems[system->second].uri.name, code.code.name};
      if (std::find(binding.codes.begin(), binding.codes.end(), coding) == binding.codes.end()) {
        binding.codes.push_back(std::move(coding));
      }
    }
    binding.codes_label = name;
  }

  const bool patient = resource == "Patient";
  const bool reads_one = clause.value == ast::BindingValueKind::elements ||
                         clause.value == ast::BindingValueKind::since;
  if (patient) {
    if (clause.most_recent) {
      report_binding(clause.resource_type.range,
                     "a record has one `Patient`; remove `most recent`");
      return std::nullopt;
    }
    if (clause.code || clause.value_set || !clause.filters.empty() || clause.window_amount) {
      report_binding(clause.range,
                     "a binding from `Patient` takes no `coded`, `where` or `within`; it reads "
                     "the record's one Patient");
      return std::nullopt;
    }
    if (!reads_one) {
      report_binding(clause.value_range.range,
                     fmt::format("a binding from `Patient` reads an element, not {}",
                                 in_backticks(clause.value_range.name)));
      return std::nullopt;
    }
    binding.choice = BindingChoice::single;
  } else if (reads_one && !clause.most_recent) {
    report_binding(clause.resource_type.range,
                   fmt::format("a record may hold several {0} resources and this binding reads "
                               "a value of one; write `from most recent {0}`",
                               resource));
    return std::nullopt;
  } else if (!reads_one && clause.most_recent) {
    report_binding(clause.resource_type.range,
                   fmt::format("`value {}` reads every matching {}; remove `most recent`",
                               clause.value_range.name, resource));
    return std::nullopt;
  } else {
    binding.choice = reads_one ? BindingChoice::most_recent : BindingChoice::all;
  }

  if (!filters(clause, binding) || !value(clause, fact, binding)) {
    return std::nullopt;
  }

  if (clause.window_amount) {
    if (record_date_elements(resource).empty()) {
      report_binding(clause.window_amount->range,
                     fmt::format("{} has no record date for `within` to measure", resource));
      return std::nullopt;
    }
    const std::string& unit = clause.window_unit.name;
    const CalendarUnit calendar = unit.starts_with("year")    ? CalendarUnit::year
                                  : unit.starts_with("month") ? CalendarUnit::month
                                  : unit.starts_with("week")  ? CalendarUnit::week
                                  : unit.starts_with("day")   ? CalendarUnit::day
                                                              : CalendarUnit::hour;
    if (calendar == CalendarUnit::hour) {
      report_binding(clause.window_unit.range,
                     fmt::format("a window counts whole dates; write it in days, weeks, months "
                                 "or years, not {}",
                                 in_backticks(unit)));
      return std::nullopt;
    }
    const std::string& amount = clause.window_amount->name;
    if (amount.size() > 5) {
      report_binding(
          clause.window_amount->range,
          fmt::format("the window {} is too long; at most 99999 {}", in_backticks(amount), unit));
      return std::nullopt;
    }
    binding.window = BindingWindow{std::stoll(amount), calendar};
  }
  return binding;
}

bool Terminology::filters(const ast::BindingClause& clause, FactBinding& binding) const {
  const std::string& resource = clause.resource_type.name;
  for (const ast::BindingFilter& filter : clause.filters) {
    const StatusElement* status = nullptr;
    std::vector<std::string_view> names;
    for (const StatusElement& element : kStatusElements) {
      if (element.resource_type == resource) {
        names.push_back(element.name);
        if (element.name == filter.element.name) {
          status = &element;
        }
      }
    }
    if (status == nullptr) {
      const std::string hint = closest_name(filter.element.name, names);
      report_binding(filter.element.range,
                     fmt::format("{} has no status element {}; {}", resource,
                                 in_backticks(filter.element.name),
                                 !hint.empty() ? fmt::format("did you mean {}?", in_backticks(hint))
                                 : names.empty() ? std::string("it has none to test")
                                                 : fmt::format("it has {}", spoken(names))));
      return false;
    }
    for (const StatusFilter& earlier : binding.filters) {
      if (earlier.element == filter.element.name) {
        report_binding(filter.element.range,
                       fmt::format("{} is tested twice; list every code in one test",
                                   in_backticks(filter.element.name)));
        return false;
      }
    }
    const std::vector<std::string_view> allowed = split_words(status->codes);
    StatusFilter resolved{filter.element.name, filter.negated, {}};
    for (const ast::Named& code : filter.codes) {
      if (std::find(allowed.begin(), allowed.end(), code.name) == allowed.end()) {
        const std::string hint = closest_name(code.name, allowed);
        report_binding(
            code.range,
            fmt::format("{}.{} has no code {}; {}", resource, status->name, in_backticks(code.name),
                        hint.empty() ? fmt::format("its codes are {}", spoken(allowed))
                                     : fmt::format("did you mean {}?", in_backticks(hint))));
        return false;
      }
      if (std::find(resolved.codes.begin(), resolved.codes.end(), code.name) !=
          resolved.codes.end()) {
        report_binding(code.range, fmt::format("{} is listed twice", in_backticks(code.name)));
        return false;
      }
      resolved.codes.push_back(code.name);
    }
    binding.filters.push_back(std::move(resolved));
  }
  return true;
}

bool Terminology::value(const ast::BindingClause& clause, const FactSpec& fact,
                        FactBinding& binding) const {
  const std::string& resource = clause.resource_type.name;
  const auto fact_needs = [&](const char* what) {
    report_binding(clause.value_range.range,
                   fmt::format("`value {}` gives {}, but fact {} is {}", clause.value_range.name,
                               what, in_backticks(fact.name), a_type_name(fact.type)));
    return false;
  };
  switch (clause.value) {
    case ast::BindingValueKind::presence:
      if (resource != "Condition") {
        report_binding(clause.value_range.range,
                       fmt::format("`value presence` reads a Condition's clinical and "
                                   "verification status; for {} write `value exists`",
                                   resource));
        return false;
      }
      binding.value = BindingValue::presence;
      return fact.type.kind == TypeKind::boolean || fact_needs("a boolean");
    case ast::BindingValueKind::exists:
      binding.value = BindingValue::exists;
      binding.absent_is_false = clause.otherwise_false;
      return fact.type.kind == TypeKind::boolean || fact_needs("a boolean");
    case ast::BindingValueKind::count:
      binding.value = BindingValue::count;
      return fact.type.kind == TypeKind::integer || fact_needs("an integer");
    case ast::BindingValueKind::elements:
    case ast::BindingValueKind::since: break;
  }
  const bool since = clause.value == ast::BindingValueKind::since;
  if (since) {
    const std::string& unit = clause.value_range.name;
    if (unit.starts_with("year")) {
      binding.value = BindingValue::years_since;
    } else if (unit.starts_with("day")) {
      binding.value = BindingValue::days_since;
    } else {
      report_binding(clause.value_range.range,
                     fmt::format("a binding counts `years since` or `days since` a date, not {}",
                                 in_backticks(unit + " since")));
      return false;
    }
    if (fact.type.kind != TypeKind::quantity || !(fact.type.dimension == Dimension::time())) {
      return fact_needs("a duration");
    }
  } else {
    binding.value = BindingValue::element;
  }
  for (const ast::Named& name : clause.elements) {
    const BindingElement* element = find_binding_element(resource, name.name);
    if (element == nullptr) {
      report_binding(name.range, fmt::format("{} has no element {} that bindings read{}", resource,
                                             in_backticks(name.name),
                                             did_you_mean(name.name, elements_of(resource))));
      return false;
    }
    if (since && element->kind != ElementKind::date) {
      report_binding(name.range,
                     fmt::format("{}.{} is {}, not a date to count {} since", resource, name.name,
                                 kind_words(element->kind), clause.value_range.name));
      return false;
    }
    if (!since && !fits(element->kind, fact.type)) {
      report_binding(name.range, fmt::format("{}.{} is {}, but fact {} is {}", resource, name.name,
                                             kind_words(element->kind), in_backticks(fact.name),
                                             a_type_name(fact.type)));
      return false;
    }
    if (std::find(binding.elements.begin(), binding.elements.end(), name.name) !=
        binding.elements.end()) {
      report_binding(name.range, fmt::format("{} is listed twice", in_backticks(name.name)));
      return false;
    }
    binding.elements.push_back(name.name);
  }
  return coding_systems(clause, binding) && element_unit(clause, fact, binding);
}

bool Terminology::coding_systems(const ast::BindingClause& clause, FactBinding& binding) const {
  const std::string& resource = binding.resource_type;
  bool reads_coding = false;
  bool needs_systems = false;
  for (const std::string& name : binding.elements) {
    if (find_binding_element(resource, name)->kind == ElementKind::coding) {
      reads_coding = true;
      // The code element under a `coded` filter gives the coding the filter matched.
      needs_systems = needs_systems || binding.codes.empty() || !is_code_element(resource, name);
    }
  }
  if (!reads_coding || !needs_systems) {
    return true;
  }
  // Any other coding is read in a code system the rule file declares: one it could compare
  // with a code literal or a value set.
  for (const ast::CodeSystemDeclaration& system : module_.code_systems) {
    const auto declared = systems_.find(system.name.name);
    if (declared != systems_.end() && &module_.code_systems[declared->second] == &system &&
        std::find(binding.value_systems.begin(), binding.value_systems.end(), system.uri.name) ==
            binding.value_systems.end()) {
      binding.value_systems.push_back(system.uri.name);
    }
  }
  if (binding.value_systems.empty()) {
    const ast::Named& element = clause.elements.front();
    report_binding(
        element.range,
        fmt::format("`value {}` reads a coding in a code system this file declares, "
                    "and it declares none; declare one, as in `codesystem SCT = "
                    "'http://snomed.info/sct'`{}",
                    element.name,
                    is_code_element(resource, element.name) ? ", or add a `coded` clause" : ""));
    return false;
  }
  return true;
}

bool Terminology::element_unit(const ast::BindingClause& clause, const FactSpec& fact,
                               FactBinding& binding) const {
  const std::string& resource = clause.resource_type.name;
  std::optional<std::string_view> quantity;  // the quantity element read, if any
  for (const std::string& name : binding.elements) {
    if (find_binding_element(resource, name)->kind == ElementKind::quantity) {
      quantity = name;
    }
  }
  const bool number_fact = fact.type.is_numeric();
  if (clause.unit) {
    const ast::ElementUnit& unit = *clause.unit;
    if (find_binding_element(resource, unit.element.name)->kind != ElementKind::quantity) {
      report_binding(unit.unit.range, fmt::format("{}.{} is not a quantity; only a quantity is "
                                                  "read in a unit",
                                                  resource, unit.element.name));
      return false;
    }
    if (!number_fact) {
      report_binding(
          unit.unit.range,
          fmt::format("fact {} is {}, whose own units apply; remove `in {}`",
                      in_backticks(fact.name), a_type_name(fact.type), quote_unit(unit.unit.name)));
      return false;
    }
    if (find_unit(unit.unit.name) == nullptr) {
      const std::string suggestion = suggest_unit(unit.unit.name);
      report_binding(unit.unit.range,
                     fmt::format("unknown unit {}{}", quote_unit(unit.unit.name),
                                 suggestion.empty()
                                     ? std::string()
                                     : fmt::format("; did you mean {}?", quote_unit(suggestion))));
      return false;
    }
    binding.unit = unit.unit.name;
    return true;
  }
  if (quantity && number_fact) {
    report_binding(
        clause.value_range.range.length == 0 ? clause.range : clause.value_range.range,
        fmt::format("fact {} is {}: say which unit {} is read in, as in `{} in '%'`",
                    in_backticks(fact.name), a_type_name(fact.type), *quantity, *quantity));
    return false;
  }
  return true;
}

void Terminology::report_unused() const {
  for (std::uint32_t i = 0; i < module_.value_sets.size(); ++i) {
    const auto found = value_sets_.find(module_.value_sets[i].name.name);
    if (found != value_sets_.end() && found->second == i && !used_value_sets_.contains(i)) {
      diagnostics_.report(
          DiagnosticKind::unused_value_set, module_.value_sets[i].name.range,
          fmt::format("value set {} is never used", in_backticks(module_.value_sets[i].name.name)));
    }
  }
  for (std::uint32_t i = 0; i < module_.code_systems.size(); ++i) {
    const auto found = systems_.find(module_.code_systems[i].name.name);
    if (found != systems_.end() && found->second == i && !used_systems_.contains(i)) {
      diagnostics_.report(DiagnosticKind::unused_code_system, module_.code_systems[i].name.range,
                          fmt::format("code system {} is never used",
                                      in_backticks(module_.code_systems[i].name.name)));
    }
  }
}

}  // namespace rubric

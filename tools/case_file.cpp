#include "tools/case_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <string_view>
#include <tuple>

#include "dsl/checker.hpp"
#include "dsl/parser.hpp"
#include "tools/coverage.hpp"
#include "tools/fact_file.hpp"
#include "tools/read_file.hpp"
#include "tools/record_file.hpp"

namespace rubric {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

// What a case file may hold, at the top and in `expect:`.
constexpr std::array<std::string_view, 5> kCaseKeys = {"description", "as_of", "facts", "record",
                                                       "expect"};
constexpr std::array<std::string_view, 6> kExpectKeys = {
    "recommendations", "undetermined", "reported", "error", "facts", "resource"};
// The keys of an expected range of an unknown score.
constexpr std::array<std::string_view, 4> kRangeKeys = {"from", "to", "between", "and"};

const char* node_shape(const YAML::Node& node) {
  return node.IsSequence() ? "a list" : node.IsMap() ? "a mapping" : "nothing";
}

// What a case file expects, once its shape and names are checked.
struct Expectation {
  std::optional<std::string> error;  // the fact an error must be about
  std::vector<std::string> recommended;
  std::map<std::string, std::vector<std::string>> undetermined;
  // Per recommendation id, per reported name, the value it must report: a value, or null
  // with the range of an unknown score (`{from: 3, to: 4}`), or null alone (`~`: unknown).
  std::map<std::string, std::map<std::string, ReportedValue>> reported;
  std::deque<std::string> strings;  // the characters of expected string values
};

// The values a reported fact, parameter or definition takes, as a FactSpec for the fact-value
// reader: a fact's own declaration, else the declared type (the codes of a code-typed value
// are those of the fact its type comes from). Nullopt for a name the guideline does not
// declare.
std::optional<FactSpec> reported_spec(const Guideline& guideline, const std::string& name) {
  if (const std::optional<FactId> fact = guideline.find_fact(name)) {
    return guideline.facts()[fact->value];
  }
  const CheckedModule& checked = guideline.checked();
  std::optional<Type> type;
  for (std::size_t p = 0; p < checked.module.parameters.size() && !type; ++p) {
    if (checked.module.parameters[p].name.name == name) {
      type = checked.parameter_types[p];
    }
  }
  for (std::size_t d = 0; d < checked.module.definitions.size() && !type; ++d) {
    if (checked.module.definitions[d].name.name == name) {
      type = checked.definition_types[d];
    }
  }
  if (!type) {
    return std::nullopt;
  }
  FactSpec spec;
  spec.name = name;
  spec.type = *type;
  if (type->kind == TypeKind::code && type->code_set < checked.facts.size()) {
    spec.codes = checked.facts[type->code_set].codes;
  }
  return spec;
}

// Whether a reported value is the expected one: equal values (a quantity in any unit of its
// dimension), or both unknown with the same range (or both without one).
bool same_reported(const ReportedValue& expected, const ReportedValue& actual) {
  const auto same = [](const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) {
      return a.is_null() && b.is_null();
    }
    const Value equal_values = equal(a, b);
    return !equal_values.is_null() && equal_values.as_boolean();
  };
  return same(expected.value, actual.value) && same(expected.low, actual.low) &&
         same(expected.high, actual.high) && expected.attained == actual.attained;
}

// Checks the names and shape of one case file against `guideline`; each problem is an error
// diagnostic at the offending key or value (E0410 unknown key, E0411 unknown recommendation,
// E0404 unknown fact, E0412 an expectation of the wrong shape, E0413 an expected reported value
// that the recommendation does not report or that is of the wrong type).
class CaseReader {
 public:
  CaseReader(const Guideline& guideline, const SourceManager& sources, FileId file,
             Diagnostics& diagnostics)
      : guideline_(guideline), sources_(sources), file_(file), diagnostics_(diagnostics) {}

  // Reports every key of `mapping` that is not one of `keys`; `where` names the mapping.
  void check_keys(const YAML::Node& mapping, std::span<const std::string_view> keys,
                  std::string_view where) {
    for (const auto& entry : mapping) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) {
        diagnostics_.report(
            DiagnosticKind::bad_case_key, range(key),
            fmt::format("a key of {} must be a name; found {}", where, node_shape(key)));
        continue;
      }
      const std::string& name = key.Scalar();
      if (std::find(keys.begin(), keys.end(), name) != keys.end()) {
        continue;
      }
      std::string message = fmt::format("unknown key {} in {}", in_backticks(name), where);
      const std::string suggestion =
          closest_name(name, std::vector<std::string_view>(keys.begin(), keys.end()));
      if (!suggestion.empty()) {
        message += fmt::format("; did you mean {}?", in_backticks(suggestion));
      } else {
        std::vector<std::string> quoted;
        for (const std::string_view known : keys) {
          quoted.push_back(in_backticks(known));
        }
        message += fmt::format("; the keys are {}", join(quoted));
      }
      diagnostics_.report(DiagnosticKind::bad_case_key, range(key), std::move(message)).subject =
          name;
    }
  }

  // The expectation of `expect` (a mapping whose keys were checked); nullopt after reporting.
  // `facts` is the case's `facts` mapping (may be absent), whose keys `error` may name.
  std::optional<Expectation> read(const YAML::Node& expect, const YAML::Node& facts) {
    const std::size_t before = diagnostics_.error_count();
    Expectation expectation;
    const YAML::Node error = expect["error"];
    const YAML::Node recommendations = expect["recommendations"];
    const YAML::Node undetermined = expect["undetermined"];
    const YAML::Node reported = expect["reported"];
    if (error) {
      if (!error.IsScalar() || error.Scalar().empty()) {
        shape_error(error, fmt::format("`error` must name the fact the error is about; found {}",
                                       node_shape(error)));
      } else {
        expectation.error = error.Scalar();
        check_error_subject(error, facts);
      }
      for (const YAML::Node& other : {recommendations, undetermined, reported}) {
        if (other) {
          shape_error(error,
                      "`error` cannot be combined with `recommendations`, `undetermined` or "
                      "`reported`; a case expects either an error or a result");
          break;
        }
      }
    } else if (!recommendations) {
      diagnostics_.report(DiagnosticKind::bad_case_shape, first_key(expect),
                          "`expect` must hold `recommendations` (and `undetermined`) or `error`");
    }
    if (recommendations && !recommendations.IsNull()) {
      if (!recommendations.IsSequence()) {
        shape_error(recommendations,
                    fmt::format("`recommendations` must be a list of recommendation ids; found {}",
                                recommendations.IsScalar() ? in_backticks(recommendations.Scalar())
                                                           : node_shape(recommendations)));
      } else {
        expectation.recommended = ids(recommendations);
        std::sort(expectation.recommended.begin(), expectation.recommended.end());
      }
    }
    if (undetermined && !undetermined.IsNull()) {
      if (!undetermined.IsMap()) {
        shape_error(undetermined,
                    "`undetermined` must be a mapping from recommendation ids to the facts each "
                    "waits on");
      } else {
        read_undetermined(undetermined, expectation);
      }
    }
    if (reported && !reported.IsNull()) {
      if (!reported.IsMap()) {
        shape_error(reported,
                    "`reported` must be a mapping from recommendation ids to the values each "
                    "reports, as in `{oac_recommended: {cha2ds2_vasc: 4}}`");
      } else {
        read_reported(reported, expectation);
      }
    }
    if (diagnostics_.error_count() != before) {
      return std::nullopt;
    }
    return expectation;
  }

 private:
  [[nodiscard]] SourceRange range(const YAML::Node& node) const {
    return yaml_node_range(sources_, file_, node);
  }

  [[nodiscard]] SourceRange first_key(const YAML::Node& mapping) const {
    return mapping.size() > 0 ? range(mapping.begin()->first) : range(mapping);
  }

  void shape_error(const YAML::Node& node, std::string message) {
    diagnostics_.report(DiagnosticKind::bad_case_shape, range(node), std::move(message));
  }

  // A recommendation id as written in `node`, or nullopt after reporting it.
  std::optional<std::string> id(const YAML::Node& node) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      shape_error(node,
                  fmt::format("a recommendation id must be a name; found {}", node_shape(node)));
      return std::nullopt;
    }
    const std::string& name = node.Scalar();
    if (guideline_.find_recommendation(name)) {
      return name;
    }
    std::vector<std::string_view> known;
    for (const RecommendationInfo& info : guideline_.recommendations()) {
      known.push_back(info.id);
    }
    std::string message = fmt::format("unknown recommendation {}", in_backticks(name));
    const std::string suggestion = closest_name(name, known);
    if (!suggestion.empty()) {
      message += fmt::format("; did you mean {}?", in_backticks(suggestion));
    }
    diagnostics_.report(DiagnosticKind::bad_case_id, range(node), std::move(message)).subject =
        name;
    return std::nullopt;
  }

  // `error` names a declared fact or a name given in `facts` (a misspelt fact's error is about
  // the misspelt name); anything else could never match, so it is reported (E0404).
  void check_error_subject(const YAML::Node& error, const YAML::Node& facts) {
    const std::string& name = error.Scalar();
    std::vector<std::string_view> known;
    for (const FactSpec& spec : guideline_.facts()) {
      if (spec.name == name) {
        return;
      }
      known.push_back(spec.name);
    }
    std::vector<std::string> given;
    if (facts && facts.IsMap()) {
      for (const auto& entry : facts) {
        if (entry.first.IsScalar()) {
          if (entry.first.Scalar() == name) {
            return;
          }
          given.push_back(entry.first.Scalar());
        }
      }
    }
    known.insert(known.end(), given.begin(), given.end());
    std::string message =
        fmt::format("`error` names {}, which is neither a declared fact nor given in `facts`",
                    in_backticks(name));
    const std::string suggestion = closest_name(name, known);
    if (!suggestion.empty()) {
      message += fmt::format("; did you mean {}?", in_backticks(suggestion));
    }
    diagnostics_.report(DiagnosticKind::unknown_fact, range(error), std::move(message)).subject =
        name;
  }

  // The ids of a list, each reported once when unknown or repeated.
  std::vector<std::string> ids(const YAML::Node& list) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const YAML::Node& item : list) {
      if (const std::optional<std::string> name = id(item)) {
        if (!seen.insert(*name).second) {
          shape_error(item, fmt::format("{} is listed twice", in_backticks(*name)));
          continue;
        }
        out.push_back(*name);
      }
    }
    return out;
  }

  void read_undetermined(const YAML::Node& mapping, Expectation& expectation) {
    for (const auto& entry : mapping) {
      const std::optional<std::string> name = id(entry.first);
      if (!name) {
        continue;
      }
      if (std::find(expectation.recommended.begin(), expectation.recommended.end(), *name) !=
          expectation.recommended.end()) {
        shape_error(entry.first, fmt::format("{} cannot be both recommended and undetermined",
                                             in_backticks(*name)));
        continue;
      }
      const YAML::Node& facts = entry.second;
      if (!facts.IsSequence() || facts.size() == 0) {
        shape_error(facts.IsNull() ? entry.first : facts,
                    fmt::format("an undetermined recommendation waits on a non-empty list of "
                                "facts; found {} for {}",
                                facts.IsScalar() ? in_backticks(facts.Scalar()) : node_shape(facts),
                                in_backticks(*name)));
        continue;
      }
      std::vector<std::string> missing;
      for (const YAML::Node& fact : facts) {
        if (!fact.IsScalar() || fact.Scalar().empty()) {
          shape_error(fact, fmt::format("a fact name must be a name; found {}", node_shape(fact)));
          continue;
        }
        if (!guideline_.find_fact(fact.Scalar())) {
          report_unknown_fact(guideline_.facts(), fact.Scalar(), range(fact), diagnostics_);
          continue;
        }
        missing.push_back(fact.Scalar());
      }
      std::sort(missing.begin(), missing.end());
      expectation.undetermined[*name] = std::move(missing);
    }
  }

  // `reported:`: each id must be expected recommended (values are reported with a recommended
  // recommendation only), and map names it reports to expected values.
  void read_reported(const YAML::Node& mapping, Expectation& expectation) {
    for (const auto& entry : mapping) {
      const std::optional<std::string> name = id(entry.first);
      if (!name) {
        continue;
      }
      if (!std::binary_search(expectation.recommended.begin(), expectation.recommended.end(),
                              *name)) {
        shape_error(entry.first, fmt::format("{} reports values only when recommended; list it in "
                                             "`recommendations`",
                                             in_backticks(*name)));
        continue;
      }
      const YAML::Node& values = entry.second;
      if (!values.IsMap() || values.size() == 0) {
        shape_error(
            values.IsNull() ? entry.first : values,
            fmt::format("the values {} reports must be a non-empty mapping from names to "
                        "values, as in `{{cha2ds2_vasc: 4}}`; found {}",
                        in_backticks(*name),
                        values.IsScalar() ? in_backticks(values.Scalar()) : node_shape(values)));
        continue;
      }
      const RecommendationInfo& info =
          guideline_.recommendations()[*guideline_.find_recommendation(*name)];
      std::map<std::string, ReportedValue>& expected = expectation.reported[*name];
      std::set<std::string> given;
      for (const auto& value : values) {
        const std::optional<FactSpec> spec = reported_name(info, value.first);
        if (!spec) {
          continue;
        }
        if (!given.insert(spec->name).second) {
          reported_error(value.first, fmt::format("{} is given twice for {}",
                                                  in_backticks(spec->name), in_backticks(*name)));
          continue;
        }
        if (std::optional<ReportedValue> read =
                reported_value(*spec, value.second, expectation.strings)) {
          expected[spec->name] = *read;
        }
      }
    }
  }

  // The FactSpec of a name `info` reports, written as `key`; nullopt after reporting a key
  // that is not a name, a name the guideline does not declare or one `info` does not report.
  std::optional<FactSpec> reported_name(const RecommendationInfo& info, const YAML::Node& key) {
    if (!key.IsScalar() || key.Scalar().empty()) {
      shape_error(key, fmt::format("a reported name must be a name; found {}", node_shape(key)));
      return std::nullopt;
    }
    const std::string& name = key.Scalar();
    std::vector<std::string_view> names;
    std::vector<std::string> quoted;
    for (const ReportedName& reported : info.reported) {
      if (reported.name == name) {
        return reported_spec(guideline_, name);
      }
      names.push_back(reported.name);
      quoted.push_back(in_backticks(reported.name));
    }
    const bool declared = reported_spec(guideline_, name).has_value();
    std::string message =
        declared ? fmt::format("{} does not report {}", in_backticks(info.id), in_backticks(name))
                 : fmt::format("unknown name {} reported by {}", in_backticks(name),
                               in_backticks(info.id));
    const std::string suggestion = closest_name(name, names);
    if (!suggestion.empty() && !declared) {
      message += fmt::format("; did you mean {}?", in_backticks(suggestion));
    } else if (quoted.empty()) {
      message += "; it reports nothing";
    } else {
      message += fmt::format("; it reports {}", join(quoted));
    }
    diagnostics_.report(DiagnosticKind::bad_case_reported, range(key), std::move(message)).subject =
        name;
    return std::nullopt;
  }

  // The expected value of `node` for a value of `spec`'s type: a scalar of that type, `~` for
  // an unknown value, or `{from: LOW, to: HIGH}` for an unknown score; nullopt after reporting.
  std::optional<ReportedValue> reported_value(const FactSpec& spec, const YAML::Node& node,
                                              std::deque<std::string>& strings) {
    ReportedValue expected;
    if (node.IsMap()) {
      if (!spec.type.is_numeric()) {
        reported_error(node, fmt::format("{} is {}, which has no range; write one value",
                                         in_backticks(spec.name), a_type_name(spec.type)));
        return std::nullopt;
      }
      const std::size_t before = diagnostics_.error_count();
      check_keys(node, kRangeKeys, "an expected range");
      // `{from: L, to: H}`: the lowest and highest totals, each given by some values of the
      // absent facts; `{between: L, and: H}`: bounds only (ReportedValue::attained).
      const bool bounds = node["between"] || node["and"];
      const YAML::Node from = node[bounds ? "between" : "from"];
      const YAML::Node to = node[bounds ? "and" : "to"];
      if (diagnostics_.error_count() != before) {
        return std::nullopt;
      }
      if (!from || !to || (bounds && (node["from"] || node["to"]))) {
        reported_error(node, fmt::format("the range of an unknown {} is `{{from: LOW, to: HIGH}}` "
                                         "or, for bounds only, `{{between: LOW, and: HIGH}}`",
                                         in_backticks(spec.name)));
        return std::nullopt;
      }
      std::optional<Value> low;
      std::optional<Value> high;
      for (const auto& [end, what, value] : {std::tuple{from, "the lower end of the range", &low},
                                             std::tuple{to, "the upper end of the range", &high}}) {
        if (!end.IsScalar() || yaml_raw_scalar(sources_, file_, end).kind == ScalarKind::null) {
          reported_error(
              end, fmt::format("{} of {} must be {}; found {}", what, in_backticks(spec.name),
                               spec.expected(),
                               end.IsSequence() || end.IsMap() ? node_shape(end) : "no value"));
          continue;
        }
        *value = scalar_value(spec, end, what, strings);
      }
      if (!low || !high) {
        return std::nullopt;
      }
      const Value ascending = less_or_equal(*low, *high);
      if (ascending.is_null() || !ascending.as_boolean()) {
        reported_error(node,
                       fmt::format("the range of {} ends below where it starts ({} to {}); "
                                   "write the lower end first",
                                   in_backticks(spec.name), to_literal(*low), to_literal(*high)));
        return std::nullopt;
      }
      expected.attained = !bounds;
      expected.low = *low;
      expected.high = *high;
      return expected;
    }
    if (!node.IsScalar() && !node.IsNull()) {
      reported_error(node, fmt::format("the expected value of {} must be {}, `~` for unknown "
                                       "or `{{from: LOW, to: HIGH}}` for an unknown score; "
                                       "found {}",
                                       in_backticks(spec.name), spec.expected(), node_shape(node)));
      return std::nullopt;
    }
    std::optional<Value> value = scalar_value(spec, node, "the expected value", strings);
    if (!value) {
      return std::nullopt;
    }
    expected.value = *value;
    return expected;
  }

  // One scalar of `spec`'s type (null for `~`), read as a fact file reads a value of a fact of
  // that type; nullopt after reporting `what` ("the expected value") of the wrong type or form.
  std::optional<Value> scalar_value(const FactSpec& spec, const YAML::Node& node,
                                    std::string_view what, std::deque<std::string>& strings) {
    const RawScalar scalar = yaml_raw_scalar(sources_, file_, node);
    FactValueReading reading = read_fact_value(spec, static_cast<const WrittenScalar&>(scalar));
    if (!reading.accepted()) {
      // The reader speaks of a fact (`fact `x` must be ...`); this is an expected value.
      std::string message = std::move(reading.message);
      const std::string fact_prefix = "fact " + in_backticks(spec.name);
      if (message.starts_with(fact_prefix)) {
        message = fmt::format("{} of {}", what, in_backticks(spec.name)) +
                  message.substr(fact_prefix.size());
      }
      reported_error(node, std::move(message));
      return std::nullopt;
    }
    if (reading.value.kind() == ValueKind::string) {
      // The reader's string views the node's text; keep a copy.
      return Value::string(strings.emplace_back(reading.value.as_string()));
    }
    return reading.value;
  }

  void reported_error(const YAML::Node& node, std::string message) {
    diagnostics_.report(DiagnosticKind::bad_case_reported, range(node), std::move(message));
  }

  const Guideline& guideline_;
  const SourceManager& sources_;
  FileId file_;
  Diagnostics& diagnostics_;
};

// A FHIR record beside the case files that name it (`record:`): a JSON file whose text is a
// FHIR resource. Not a case file.
bool is_record_file(const std::filesystem::path& path) {
  if (path.extension() != ".json") {
    return false;
  }
  std::string problem;
  const std::optional<std::string> text = read_whole_file(path.string(), kMaxSourceBytes, problem);
  return text && looks_like_fhir_resource(*text);
}

// The facts of a case's `record:` against its `expect: facts`: exactly the facts listed, as a
// fact file reads them; the differences, empty when they agree.
std::string compare_record_facts(const Guideline& guideline, const RecordReading& reading,
                                 const FactSet& expected) {
  std::string differences;
  const std::span<const FactSpec> specs = guideline.facts();
  for (std::size_t index = 0; index < specs.size(); ++index) {
    if (specs[index].evaluation_date) {
      continue;
    }
    const Value& want = expected.values()[index];
    const Value& got = reading.facts.values()[index];
    if (identical(want, got)) {
      continue;
    }
    const FactProvenance& provenance = reading.provenance[index];
    differences += fmt::format(
        "  `{}`: expected {}, read {}{}\n", specs[index].name,
        want.kind() == ValueKind::null ? "absent" : to_text(want, TextStyle::fact_file),
        got.kind() == ValueKind::null ? "absent" : to_text(got, TextStyle::fact_file),
        got.kind() == ValueKind::null
            ? " (" +
                  (provenance.absent_reason.empty() ? std::string("the fact has no binding")
                                                    : provenance.absent_reason) +
                  ")"
            : " from `" + provenance.resource + "`");
  }
  return differences;
}

}  // namespace

std::vector<std::string> collect_case_files(const std::vector<std::string>& paths,
                                            std::vector<std::string>& missing) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(path, error)) {
        const std::string extension = entry.path().extension().string();
        if (entry.is_regular_file() &&
            (extension == ".yaml" || extension == ".yml" || extension == ".json") &&
            !is_record_file(entry.path())) {
          found.push_back(entry.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, error)) {
      files.push_back(path);
    } else {
      missing.push_back(path);
    }
  }
  return files;
}

CaseOutcome run_case_file(const Guideline& guideline, SourceManager& sources,
                          const std::string& path, CoverageRecorder* coverage,
                          std::optional<DateTime> as_of) {
  CaseOutcome outcome{path, false, {}};
  std::optional<std::string> text = read_whole_file(path, kMaxSourceBytes, outcome.explanation);
  if (!text) {
    return outcome;
  }
  const FileId file = sources.add(path, std::move(*text));
  try {
    Diagnostics load_diagnostics;
    const std::optional<YAML::Node> loaded =
        load_yaml_document(sources, file, load_diagnostics, "a case file");
    if (!loaded) {
      outcome.explanation = format_diagnostics(sources, load_diagnostics);
      return outcome;
    }
    const YAML::Node& root = *loaded;
    if (!root.IsMap()) {
      outcome.explanation = "a case file is a mapping with `facts` and `expect`";
      return outcome;
    }
    Diagnostics case_diagnostics;
    CaseReader reader(guideline, sources, file, case_diagnostics);
    reader.check_keys(root, kCaseKeys, "a case file");
    const YAML::Node expect = root["expect"];
    if (expect && expect.IsMap()) {
      reader.check_keys(expect, kExpectKeys, "`expect`");
    }
    if (case_diagnostics.has_errors()) {
      outcome.explanation = format_diagnostics(sources, case_diagnostics);
      return outcome;
    }
    if (!expect || !expect.IsMap()) {
      outcome.explanation = "a case file is a mapping with `facts` and `expect`";
      return outcome;
    }
    const std::optional<Expectation> expectation = reader.read(expect, root["facts"]);
    if (!expectation) {
      outcome.explanation = format_diagnostics(sources, case_diagnostics);
      return outcome;
    }
    if (const YAML::Node written = root["as_of"]) {
      const std::string date = written.IsScalar() ? written.Scalar() : std::string();
      const DateTimeReading reading = DateTime::parse(date);
      if (!reading.accepted() || !reading.value->is_full_date()) {
        outcome.explanation = fmt::format(
            "{}:{}: `as_of` is the evaluation date, written `YYYY-MM-DD`, such as `2026-06-15`; "
            "found `{}`{}",
            path, written.Mark().line + 1, date,
            reading.accepted() ? std::string() : "; " + reading.message);
        return outcome;
      }
      as_of = reading.value;
    }
    Diagnostics diagnostics;
    std::optional<FactSet> facts;
    if (const YAML::Node record = root["record"]) {
      // `record:` a FHIR record beside the case file (docs/fhir.md), read as of `as_of`.
      if (root["facts"] || !record.IsScalar() || !as_of) {
        outcome.explanation = fmt::format(
            "{}:{}: `record` names a FHIR record (a path relative to the case file), with "
            "`as_of` and without `facts`",
            path, record.Mark().line + 1);
        return outcome;
      }
      const std::filesystem::path record_path =
          std::filesystem::path(path).parent_path() / record.Scalar();
      std::string problem;
      std::optional<std::string> record_text =
          read_whole_file(record_path.string(), kMaxSourceBytes, problem);
      if (!record_text) {
        outcome.explanation = problem;
        return outcome;
      }
      const FileId record_file = sources.add(record_path.string(), std::move(*record_text));
      RecordReading reading = read_record(guideline.facts(), sources.text(record_file), *as_of);
      if (expectation->error) {
        const std::string& fact = *expectation->error;
        const YAML::Node resource = expect["resource"];
        if (reading.ok()) {
          outcome.explanation =
              fmt::format("expected an error naming `{}`; the record was accepted", fact);
        } else if (reading.error->fact != fact ||
                   (resource && resource.as<std::string>() != reading.error->resource)) {
          outcome.explanation =
              fmt::format("expected an error naming `{}`{}; found:\n{}", fact,
                          resource ? " and `" + resource.as<std::string>() + "`" : "",
                          format_record_error(sources, record_file, *reading.error));
        } else {
          outcome.passed = true;
        }
        return outcome;
      }
      if (!reading.ok()) {
        outcome.explanation =
            fmt::format("the record was rejected:\n{}",
                        format_record_error(sources, record_file, *reading.error));
        return outcome;
      }
      if (const YAML::Node expected_facts = expect["facts"]) {
        const std::optional<FactSet> expected =
            read_fact_mapping(expected_facts, sources, file, guideline.facts(), diagnostics);
        if (!expected) {
          outcome.explanation = fmt::format("the expected facts were rejected:\n{}",
                                            format_diagnostics(sources, diagnostics));
          return outcome;
        }
        const std::string differences = compare_record_facts(guideline, reading, *expected);
        if (!differences.empty()) {
          outcome.explanation =
              fmt::format("the record's facts differ from `expect: facts`:\n{}", differences);
          return outcome;
        }
      }
      guideline.set_evaluation_date(reading.facts, *as_of);
      facts = std::move(reading.facts);
    } else {
      facts = read_fact_mapping(root["facts"], sources, file, guideline.facts(), diagnostics);
      if (facts && as_of) {
        guideline.set_evaluation_date(*facts, *as_of);
      }
    }
    if (expectation->error) {
      const std::string& fact = *expectation->error;
      if (facts) {
        outcome.explanation =
            fmt::format("expected an error naming `{}`; the facts were accepted", fact);
        return outcome;
      }
      // The error must be about that fact, not merely mention it (a suggestion, a note).
      for (const Diagnostic& diagnostic : diagnostics.all()) {
        if (diagnostic.subject == fact) {
          outcome.passed = true;
          return outcome;
        }
      }
      outcome.explanation = fmt::format("expected an error naming `{}`; found:\n{}", fact,
                                        format_diagnostics(sources, diagnostics));
      return outcome;
    }
    if (!facts) {
      outcome.explanation =
          fmt::format("the facts were rejected:\n{}", format_diagnostics(sources, diagnostics));
      return outcome;
    }
    EvaluationScratch scratch;
    Decision decision;
    if (coverage != nullptr) {
      guideline.evaluate_with_values(*facts, scratch, decision);
    } else {
      guideline.evaluate(*facts, scratch, decision);
    }
    if (coverage != nullptr) {
      coverage->record(scratch, decision);
    }
    std::vector<std::string> recommended;
    std::map<std::string, std::vector<std::string>> undetermined;
    const auto recommendations = guideline.recommendations();
    for (std::size_t r = 0; r < recommendations.size(); ++r) {
      if (decision.outcomes[r] == Outcome::recommended) {
        recommended.push_back(recommendations[r].id);
      } else if (decision.outcomes[r] == Outcome::undetermined) {
        std::vector<std::string> missing;
        for (const FactId fact : decision.missing[r]) {
          missing.push_back(guideline.facts()[fact.value].name);
        }
        std::sort(missing.begin(), missing.end());
        undetermined[recommendations[r].id] = missing;
      }
    }
    std::sort(recommended.begin(), recommended.end());
    const std::vector<std::string>& expected = expectation->recommended;
    const std::map<std::string, std::vector<std::string>>& expected_undetermined =
        expectation->undetermined;
    std::vector<std::string> missing_ids;
    std::vector<std::string> extra_ids;
    std::set_difference(expected.begin(), expected.end(), recommended.begin(), recommended.end(),
                        std::back_inserter(missing_ids));
    std::set_difference(recommended.begin(), recommended.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra_ids));
    std::string explanation;
    if (!missing_ids.empty()) {
      explanation += fmt::format("  expected but not recommended: {}\n", join(missing_ids));
    }
    if (!extra_ids.empty()) {
      explanation += fmt::format("  recommended but not expected: {}\n", join(extra_ids));
    }
    for (const auto& [id, facts_missing] : expected_undetermined) {
      const auto found = undetermined.find(id);
      if (found == undetermined.end()) {
        explanation += fmt::format("  expected undetermined: {} (waiting on {}); it is not\n", id,
                                   join(facts_missing));
      } else if (found->second != facts_missing) {
        explanation += fmt::format("  {} waits on {}; expected {}\n", id, join(found->second),
                                   join(facts_missing));
      }
    }
    for (const auto& [id, facts_missing] : undetermined) {
      if (!expected_undetermined.contains(id)) {
        explanation += fmt::format("  undetermined but not expected: {} (waiting on {})\n", id,
                                   join(facts_missing));
      }
    }
    for (const auto& [id, values] : expectation->reported) {
      const std::size_t r = *guideline.find_recommendation(id);
      if (decision.outcomes[r] != Outcome::recommended) {
        continue;  // not recommended, so nothing reported: said above
      }
      for (const ReportedName& name : recommendations[r].reported) {
        const auto expected_value = values.find(name.name);
        if (expected_value == values.end()) {
          continue;
        }
        const ReportedValue actual = guideline.reported_value(name, *facts, scratch);
        if (!same_reported(expected_value->second, actual)) {
          explanation +=
              fmt::format("  {} reports {} = {}; expected {}\n", id, name.name,
                          reported_value_text(actual), reported_value_text(expected_value->second));
        }
      }
    }
    outcome.passed = explanation.empty();
    outcome.explanation = explanation;
  } catch (const YAML::Exception& error) {
    outcome.explanation = fmt::format("the case file is not valid YAML: {}", error.what());
  }
  return outcome;
}

}  // namespace rubric

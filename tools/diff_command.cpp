// `rubric diff OLD NEW [--format text|json] [--cases DIR]`: what changed between two
// versions of a guideline, structurally (declarations) and behaviourally (which patients
// get a different decision), with witnesses confirmed by both evaluators.
//
// Exit status: 0 nothing a clinician sees changed (no behavioural change, proven over every
// valid patient, no replayed case changes, and no recommendation's kind, card indicator, text,
// summary, citations, cited sources' texts, evidence, carried values or reported names changed),
// 1 something did (or a behavioural change could not be ruled out), 2 an error.
// docs/analysis.md has the precise list.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "authoring/analysis.hpp"
#include "dsl/ast.hpp"
#include "dsl/checker.hpp"
#include "tools/case_file.hpp"
#include "tools/command.hpp"
#include "tools/fact_file.hpp"
#include "tools/report.hpp"
#include "tools/word_diff.hpp"

namespace rubric {
namespace {

// One structural change, written the way a reviewer reads it.
struct StructuralChange {
  std::string kind;    // "guideline", "source", "fact", "parameter", "definition",
                       // "recommendation", "coverage"
  std::string name;    // the declaration's name ("" for the guideline header)
  std::string change;  // "added", "removed", "changed", "renamed"
  std::string text;    // `parameter severe_pain_vas: 3.5 → 4.0`
  // Changes what a clinician sees in a result or on a card: a recommendation's kind,
  // indicator, text, summary, citations, evidence, carried values or reported names, or the
  // text of a source some recommendation cites.
  bool visible = false;
  // Further lines for people (`text: Give [-500-]{+5000+} mg daily.`).
  std::vector<std::string> details;
  // Further fields for JSON ("text_change", "citation_change", ...).
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
};

// A changed text as JSON: {"old", "new", "words": [{"old", "new", "old_at", "new_at"}]}
// (offsets in bytes).
nlohmann::ordered_json text_change_json(const std::string& before, const std::string& after,
                                        const WordDiff& diff) {
  nlohmann::ordered_json words = nlohmann::ordered_json::array();
  for (const WordChange& change : diff.changes) {
    words.push_back({{"old", change.old_words},
                     {"new", change.new_words},
                     {"old_at", change.old_at},
                     {"new_at", change.new_at}});
  }
  return {{"old", before}, {"new", after}, {"words", std::move(words)}};
}

// The source text of an expression, on one line, parentheses restored.
std::string expression_text(const SourceManager& sources, const ast::Module& module,
                            ast::ExprId id) {
  return rubric::expression_text(sources, module.at(id).range);
}

// The S-expression of an expression with renamed definitions and parameters mapped to their
// new names: equal dumps mean the same expression whatever the layout.
std::string canonical(const ast::Module& module, ast::ExprId id,
                      const std::map<std::string, std::string>& renames) {
  std::string dump = ast::dump(module, id);
  for (const auto& [from, to] : renames) {
    const std::string old_token = "(name " + from + ")";
    const std::string new_token = "(name " + to + ")";
    for (std::size_t at = dump.find(old_token); at != std::string::npos;
         at = dump.find(old_token, at + new_token.size())) {
      dump.replace(at, old_token.size(), new_token);
    }
  }
  return dump;
}

std::string parameter_text(const CheckedModule& checked, std::size_t index) {
  return fact_value_text(checked.parameters[index]);
}

class StructuralDiff {
 public:
  StructuralDiff(const SourceManager& sources, const Guideline& old_version,
                 const Guideline& new_version)
      : sources_(sources),
        old_(old_version.checked()),
        new_(new_version.checked()),
        old_guideline_(old_version),
        new_guideline_(new_version) {}

  std::vector<StructuralChange> run() {
    header();
    source_list();
    find_renames();
    facts();
    parameters();
    definitions();
    recommendations();
    coverage();
    return std::move(changes_);
  }

 private:
  void add(std::string kind, std::string name, std::string change, std::string text) {
    StructuralChange added;
    added.kind = std::move(kind);
    added.name = std::move(name);
    added.change = std::move(change);
    added.text = std::move(text);
    changes_.push_back(std::move(added));
  }

  void header() {
    const auto field = [&](const char* what, const std::string& before, const std::string& after) {
      if (before != after) {
        add("guideline", what, "changed", fmt::format("{}: \"{}\" → \"{}\"", what, before, after));
      }
    };
    field("id", old_guideline_.id(), new_guideline_.id());
    field("title", old_guideline_.title(), new_guideline_.title());
    field("version", old_guideline_.version(), new_guideline_.version());
    const auto hooks = [](const Guideline& guideline) {
      std::string text;
      for (const std::string& hook : guideline.hooks()) {
        text += (text.empty() ? "" : ", ") + hook;
      }
      return text.empty() ? std::string("patient-view") : text;
    };
    field("hooks", hooks(old_guideline_), hooks(new_guideline_));
  }

  void source_list() {
    for (const SourceInfo& before : old_guideline_.sources()) {
      const SourceInfo* after = new_guideline_.source(before.number);
      if (after == nullptr) {
        add("source", std::to_string(before.number), "removed",
            fmt::format("source {} removed", before.number));
      } else if (after->citation != before.citation) {
        const std::vector<std::string> citing = citing_recommendations(before.number);
        add("source", std::to_string(before.number), "changed",
            citing.empty() ? fmt::format("source {}: citation changed (cited by no recommendation)",
                                         before.number)
                           : fmt::format("source {}: citation changed (cited by {})", before.number,
                                         fmt::join(citing, ", ")));
        const WordDiff words = word_diff(before.citation, after->citation);
        changes_.back().visible = !citing.empty();
        changes_.back().details.push_back(fmt::format("citation: \"{}\"", words.inline_text));
        changes_.back().extra["citation_change"] =
            text_change_json(before.citation, after->citation, words);
      }
    }
    for (const SourceInfo& after : new_guideline_.sources()) {
      if (old_guideline_.source(after.number) == nullptr) {
        add("source", std::to_string(after.number), "added",
            fmt::format("source {} added", after.number));
      }
    }
  }

  // The ids of the recommendations that cite source `number` in either version, in order.
  std::vector<std::string> citing_recommendations(std::uint32_t number) const {
    std::vector<std::string> ids;
    for (const Guideline* version : {&old_guideline_, &new_guideline_}) {
      for (const RecommendationInfo& info : version->recommendations()) {
        if (std::find(info.citations.begin(), info.citations.end(), number) !=
                info.citations.end() &&
            std::find(ids.begin(), ids.end(), info.id) == ids.end()) {
          ids.push_back(info.id);
        }
      }
    }
    return ids;
  }

  template <typename Declarations, typename Key>
  static const auto* find(const Declarations& declarations, const std::string& name, Key key) {
    for (const auto& declaration : declarations) {
      if (key(declaration) == name) {
        return &declaration;
      }
    }
    return static_cast<decltype(&declarations.front())>(nullptr);
  }

  // A definition (or parameter) removed in NEW whose body equals one added in NEW: a rename.
  void find_renames() {
    const auto& before = old_.module.definitions;
    const auto& after = new_.module.definitions;
    for (const ast::Definition& removed : before) {
      if (find(after, removed.name.name, [](const auto& d) { return d.name.name; })) {
        continue;
      }
      for (const ast::Definition& added : after) {
        if (find(before, added.name.name, [](const auto& d) { return d.name.name; })) {
          continue;
        }
        if (ast::dump(old_.module, removed.value) == ast::dump(new_.module, added.value)) {
          renames_[removed.name.name] = added.name.name;
          break;
        }
      }
    }
    for (std::size_t i = 0; i < old_.module.parameters.size(); ++i) {
      const std::string& name = old_.module.parameters[i].name.name;
      if (find(new_.module.parameters, name, [](const auto& p) { return p.name.name; })) {
        continue;
      }
      for (std::size_t j = 0; j < new_.module.parameters.size(); ++j) {
        const std::string& candidate = new_.module.parameters[j].name.name;
        if (!find(old_.module.parameters, candidate, [](const auto& p) { return p.name.name; }) &&
            identical(old_.parameters[i], new_.parameters[j])) {
          renames_[name] = candidate;
          break;
        }
      }
    }
  }

  void facts() {
    for (const FactSpec& before : old_guideline_.facts()) {
      const auto after_id = new_guideline_.find_fact(before.name);
      if (!after_id) {
        add("fact", before.name, "removed",
            fmt::format("fact {} removed (was {})", before.name, before.expected()));
        continue;
      }
      const FactSpec& after = new_guideline_.facts()[after_id->value];
      if (before.expected() != after.expected()) {
        add("fact", before.name, "changed",
            fmt::format("fact {}: {} → {}", before.name, before.expected(), after.expected()));
      } else if (before.description != after.description) {
        add("fact", before.name, "changed",
            fmt::format("fact {}: description \"{}\" → \"{}\"", before.name, before.description,
                        after.description));
      }
      binding(before, after);
    }
    for (const FactSpec& after : new_guideline_.facts()) {
      if (!old_guideline_.find_fact(after.name)) {
        add("fact", after.name, "added",
            fmt::format("fact {} added ({})", after.name, after.expected()));
      }
    }
  }

  // A changed binding (where a fact is read from in a record), part by part: `from`, the
  // codes (a value set's codes included), the status tests, the window and the value.
  void binding(const FactSpec& before, const FactSpec& after) {
    if (before.binding == after.binding) {
      return;
    }
    if (!before.binding || !after.binding) {
      const bool added = after.binding.has_value();
      const BindingParts parts = describe(added ? *after.binding : *before.binding);
      add("fact", before.name, "changed",
          fmt::format("fact {}: binding {} ({} {})", before.name, added ? "added" : "removed",
                      parts.source, parts.value));
      return;
    }
    const BindingParts old_parts = describe(*before.binding);
    const BindingParts new_parts = describe(*after.binding);
    const auto part = [&](const std::string& was, const std::string& now, const char* what) {
      if (was != now) {
        add("fact", before.name, "changed",
            fmt::format("fact {}: binding {} `{}` → `{}`", before.name, what,
                        was.empty() ? "(none)" : was, now.empty() ? "(none)" : now));
      }
    };
    part(old_parts.source, new_parts.source, "source");
    part(old_parts.codes, new_parts.codes, "codes");
    part(old_parts.filters, new_parts.filters, "status test");
    part(old_parts.window, new_parts.window, "window");
    part(old_parts.value, new_parts.value, "value");
  }

  void parameters() {
    const auto& before = old_.module.parameters;
    const auto& after = new_.module.parameters;
    for (std::size_t i = 0; i < before.size(); ++i) {
      const std::string& name = before[i].name.name;
      if (const auto renamed = renames_.find(name); renamed != renames_.end()) {
        add("parameter", name, "renamed",
            fmt::format("parameter {} renamed to {}", name, renamed->second));
        continue;
      }
      std::size_t j = 0;
      while (j < after.size() && after[j].name.name != name) {
        ++j;
      }
      if (j == after.size()) {
        add("parameter", name, "removed",
            fmt::format("parameter {} removed (was {})", name, parameter_text(old_, i)));
        continue;
      }
      if (!identical(old_.parameters[i], new_.parameters[j])) {
        add("parameter", name, "changed",
            fmt::format("parameter {}: {} → {}", name, parameter_text(old_, i),
                        parameter_text(new_, j)));
      } else if (before[i].description != after[j].description) {
        add("parameter", name, "changed",
            fmt::format("parameter {}: description \"{}\" → \"{}\"", name, before[i].description,
                        after[j].description));
      }
    }
    for (std::size_t j = 0; j < after.size(); ++j) {
      const std::string& name = after[j].name.name;
      const bool renamed_here =
          std::any_of(renames_.begin(), renames_.end(),
                      [&](const auto& rename) { return rename.second == name; });
      if (!renamed_here && !find(before, name, [](const auto& p) { return p.name.name; })) {
        add("parameter", name, "added",
            fmt::format("parameter {} added ({})", name, parameter_text(new_, j)));
      }
    }
  }

  void definitions() {
    const auto& before = old_.module.definitions;
    const auto& after = new_.module.definitions;
    for (const ast::Definition& definition : before) {
      const std::string& name = definition.name.name;
      if (const auto renamed = renames_.find(name); renamed != renames_.end()) {
        add("definition", name, "renamed",
            fmt::format("definition {} renamed to {}", name, renamed->second));
        continue;
      }
      const ast::Definition* match =
          find(after, name, [](const ast::Definition& d) { return d.name.name; });
      if (match == nullptr) {
        add("definition", name, "removed",
            fmt::format("definition {} removed (was `{}`)", name,
                        expression_text(sources_, old_.module, definition.value)));
        continue;
      }
      if (canonical(old_.module, definition.value, renames_) !=
          canonical(new_.module, match->value, {})) {
        add("definition", name, "changed",
            fmt::format("definition {}: `{}` → `{}`", name,
                        expression_text(sources_, old_.module, definition.value),
                        expression_text(sources_, new_.module, match->value)));
      }
    }
    for (const ast::Definition& definition : after) {
      const std::string& name = definition.name.name;
      const bool renamed_here =
          std::any_of(renames_.begin(), renames_.end(),
                      [&](const auto& rename) { return rename.second == name; });
      if (!renamed_here &&
          !find(before, name, [](const ast::Definition& d) { return d.name.name; })) {
        add("definition", name, "added",
            fmt::format("definition {} added (`{}`)", name,
                        expression_text(sources_, new_.module, definition.value)));
      }
    }
  }

  void recommendations() {
    const auto& before = old_.module.recommendations;
    const auto& after = new_.module.recommendations;
    const auto id_of = [](const ast::RecommendationDeclaration& r) { return r.id.name; };
    for (const ast::RecommendationDeclaration& old_recommendation : before) {
      const std::string& id = old_recommendation.id.name;
      const ast::RecommendationDeclaration* match = find(after, id, id_of);
      if (match == nullptr) {
        add("recommendation", id, "removed", fmt::format("recommendation {} removed", id));
        continue;
      }
      std::vector<std::string> parts;
      std::vector<std::string> details;
      nlohmann::ordered_json extra = nlohmann::ordered_json::object();
      bool visible = false;
      if (canonical(old_.module, old_recommendation.condition, renames_) !=
          canonical(new_.module, match->condition, {})) {
        parts.push_back(
            fmt::format("when `{}` → `{}`",
                        expression_text(sources_, old_.module, old_recommendation.condition),
                        expression_text(sources_, new_.module, match->condition)));
      }
      if (old_recommendation.kind.name != match->kind.name) {
        parts.push_back(
            fmt::format("kind {} → {}", old_recommendation.kind.name, match->kind.name));
        visible = true;
      }
      // The card's indicator as shown: written, or the kind's default.
      const auto indicator = [](const ast::RecommendationDeclaration& r) -> std::string {
        return r.indicator ? r.indicator->name : default_indicator(r.kind.name);
      };
      if (indicator(old_recommendation) != indicator(*match)) {
        parts.push_back(
            fmt::format("indicator {} → {}", indicator(old_recommendation), indicator(*match)));
        visible = true;
      }
      if (old_recommendation.text != match->text) {
        parts.emplace_back("text changed");
        const WordDiff words = word_diff(old_recommendation.text, match->text);
        details.push_back(fmt::format("text: \"{}\"", words.inline_text));
        extra["text_change"] = text_change_json(old_recommendation.text, match->text, words);
        visible = true;
      }
      const auto citations = [](const ast::RecommendationDeclaration& r) {
        std::vector<std::string> numbers;
        for (const ast::Citation& citation : r.citations) {
          numbers.push_back(std::to_string(citation.number));
        }
        return fmt::format("{}", fmt::join(numbers, ", "));
      };
      if (citations(old_recommendation) != citations(*match)) {
        parts.push_back(
            fmt::format("cite {} → {}", citations(old_recommendation), citations(*match)));
        visible = true;
      }
      // An optional text clause (`summary`, `evidence`) added, removed or reworded.
      const auto optional_text = [&](const char* clause, const std::optional<std::string>& was,
                                     const std::optional<std::string>& now) {
        if (was == now) {
          return;
        }
        parts.push_back(fmt::format("{} changed", clause));
        const std::string old_text = was.value_or("");
        const std::string new_text = now.value_or("");
        const WordDiff words = word_diff(old_text, new_text);
        details.push_back(!was   ? fmt::format("{}: none → \"{}\"", clause, new_text)
                          : !now ? fmt::format("{}: \"{}\" → none", clause, old_text)
                                 : fmt::format("{}: \"{}\"", clause, words.inline_text));
        const std::string key = fmt::format("{}_change", clause);
        extra[key] = text_change_json(old_text, new_text, words);
        extra[key]["old"] = was ? nlohmann::ordered_json(old_text) : nullptr;
        extra[key]["new"] = now ? nlohmann::ordered_json(new_text) : nullptr;
        visible = true;
      };
      optional_text("summary", old_recommendation.summary, match->summary);
      optional_text("evidence", old_recommendation.evidence, match->evidence);
      const auto carried = [&](const ast::RecommendationDeclaration& r,
                               const std::map<std::string, std::string>& renames) {
        std::vector<std::string> names;
        for (const ast::Named& name : r.carried) {
          const auto renamed = renames.find(name.name);
          names.push_back(renamed == renames.end() ? name.name : renamed->second);
        }
        return fmt::format("{}", fmt::join(names, ", "));
      };
      if (carried(old_recommendation, renames_) != carried(*match, {})) {
        parts.push_back(
            fmt::format("carry {} → {}", carried(old_recommendation, {}), carried(*match, {})));
      }
      // What a result shows of the carried parameters: each name and its value.
      const auto shown = [](const Guideline& guideline, const std::string& recommendation) {
        std::vector<std::string> values;
        const RecommendationInfo& info =
            guideline.recommendations()[*guideline.find_recommendation(recommendation)];
        for (const CarriedParameter& parameter : info.parameters) {
          values.push_back(fmt::format("{} = {}", parameter.name, to_literal(parameter.value)));
        }
        return values;
      };
      const std::vector<std::string> shown_before = shown(old_guideline_, id);
      const std::vector<std::string> shown_after = shown(new_guideline_, id);
      if (shown_before != shown_after) {
        parts.push_back(fmt::format(
            "carried values {} → {}",
            shown_before.empty() ? "none" : fmt::format("{}", fmt::join(shown_before, ", ")),
            shown_after.empty() ? "none" : fmt::format("{}", fmt::join(shown_after, ", "))));
        visible = true;
      }
      // What a result shows of the reported values: the names, in order, as written (a result
      // shows the name, so renaming a reported definition counts; the values depend on the
      // patient).
      const auto reported = [](const ast::RecommendationDeclaration& r) {
        std::vector<std::string> names;
        for (const ast::Named& name : r.reported) {
          names.push_back(name.name);
        }
        return names.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(names, ", "));
      };
      if (reported(old_recommendation) != reported(*match)) {
        parts.push_back(
            fmt::format("report {} → {}", reported(old_recommendation), reported(*match)));
        visible = true;
      }
      // `excludes` is a set: order does not matter.
      const auto excluded = [](const ast::RecommendationDeclaration& r) {
        std::vector<std::string> ids;
        for (const ast::Named& name : r.excluded) {
          ids.push_back(name.name);
        }
        std::sort(ids.begin(), ids.end());
        return ids.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(ids, ", "));
      };
      if (excluded(old_recommendation) != excluded(*match)) {
        parts.push_back(
            fmt::format("excludes {} → {}", excluded(old_recommendation), excluded(*match)));
      }
      if (!parts.empty()) {
        add("recommendation", id, "changed",
            fmt::format("recommendation {}: {}", id, fmt::join(parts, "; ")));
        changes_.back().visible = visible;
        changes_.back().details = std::move(details);
        changes_.back().extra = std::move(extra);
      }
    }
    for (const ast::RecommendationDeclaration& recommendation : after) {
      if (find(before, recommendation.id.name, id_of) == nullptr) {
        add("recommendation", recommendation.id.name, "added",
            fmt::format("recommendation {} added (when `{}`)", recommendation.id.name,
                        expression_text(sources_, new_.module, recommendation.condition)));
      }
    }
  }

  // The `coverage when` declaration (at most one per file).
  void coverage() {
    const auto& before = old_.module.coverage;
    const auto& after = new_.module.coverage;
    if (before.empty() && !after.empty()) {
      add("coverage", "coverage", "added",
          fmt::format("coverage added (when `{}`)",
                      expression_text(sources_, new_.module, after.front().condition)));
    } else if (!before.empty() && after.empty()) {
      add("coverage", "coverage", "removed", "coverage removed");
    } else if (!before.empty() && canonical(old_.module, before.front().condition, renames_) !=
                                      canonical(new_.module, after.front().condition, {})) {
      add("coverage", "coverage", "changed",
          fmt::format("coverage: when `{}` → `{}`",
                      expression_text(sources_, old_.module, before.front().condition),
                      expression_text(sources_, new_.module, after.front().condition)));
    }
  }

  const SourceManager& sources_;
  const CheckedModule& old_;
  const CheckedModule& new_;
  const Guideline& old_guideline_;
  const Guideline& new_guideline_;
  std::map<std::string, std::string> renames_;
  std::vector<StructuralChange> changes_;
};

nlohmann::ordered_json facts_to_json(const Guideline& guideline, const FactSet& facts) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  const auto specs = guideline.facts();
  for (std::uint32_t i = 0; i < specs.size(); ++i) {
    out[specs[i].name] = value_to_json(facts.get(FactId{i}));
  }
  return out;
}

std::string facts_to_text(const Guideline& guideline, const FactSet& facts) {
  std::vector<std::string> parts;
  const auto specs = guideline.facts();
  for (std::uint32_t i = 0; i < specs.size(); ++i) {
    const Value& value = facts.get(FactId{i});
    parts.push_back(fmt::format("{}: {}", specs[i].name,
                                value.is_null() ? std::string("null") : fact_value_text(value)));
  }
  return fmt::format("{{{}}}", fmt::join(parts, ", "));
}

bool same_fact_names(const Guideline& a, const Guideline& b) {
  if (a.facts().size() != b.facts().size()) {
    return false;
  }
  for (const FactSpec& spec : a.facts()) {
    if (!b.find_fact(spec.name)) {
      return false;
    }
  }
  return true;
}

// One replayed case whose outcome differs between the versions.
struct CaseChange {
  std::string path;
  std::vector<std::string> lines;  // "calcium: made → not made", "rejected by the new version"
};

// Reads the facts of a case file (its `facts:`; a plain fact file is read whole) for one
// version; nullopt with the first problem in `problem`.
std::optional<FactSet> case_facts(const Guideline& guideline, SourceManager& sources, FileId file,
                                  std::string& problem) {
  Diagnostics diagnostics;
  const std::optional<YAML::Node> document =
      load_yaml_document(sources, file, diagnostics, "a case file");
  std::optional<FactSet> facts;
  if (document) {
    try {
      const YAML::Node& node = *document;
      const YAML::Node mapping = node.IsMap() && node["facts"] ? node["facts"] : node;
      facts = read_fact_mapping(mapping, sources, file, guideline.facts(), diagnostics);
    } catch (const YAML::Exception& error) {
      problem = error.what();
      return std::nullopt;
    }
  }
  if (!facts) {
    problem = diagnostics.all().empty() ? "unreadable" : diagnostics.all().front().message;
  }
  return facts;
}

std::vector<CaseChange> replay_cases(const Guideline& old_version, const Guideline& new_version,
                                     SourceManager& sources, const std::vector<std::string>& files,
                                     std::ostream& err, bool& failed) {
  std::vector<CaseChange> changes;
  for (const std::string& path : files) {
    const std::optional<FileId> file = read_source_file(sources, path, err);
    if (!file) {
      failed = true;
      continue;
    }
    std::string old_problem;
    std::string new_problem;
    const std::optional<FactSet> old_facts = case_facts(old_version, sources, *file, old_problem);
    const std::optional<FactSet> new_facts = case_facts(new_version, sources, *file, new_problem);
    CaseChange change{path, {}};
    if (!old_facts || !new_facts) {
      if (old_facts.has_value() != new_facts.has_value()) {
        change.lines.push_back(old_facts ? "rejected by the new version: " + new_problem
                                         : "rejected by the old version: " + old_problem);
        changes.push_back(std::move(change));
      }
      continue;
    }
    const Decision before = old_version.evaluate(*old_facts);
    const Decision after = new_version.evaluate(*new_facts);
    const std::vector<std::string> ids = recommendation_ids(old_version, new_version);
    for (const std::string& id : ids) {
      const auto old_index = old_version.find_recommendation(id);
      const auto new_index = new_version.find_recommendation(id);
      const Outcome old_outcome = old_index ? before.outcomes[*old_index] : Outcome::absent;
      const Outcome new_outcome = new_index ? after.outcomes[*new_index] : Outcome::absent;
      if (old_outcome != new_outcome) {
        change.lines.push_back(
            fmt::format("{}: {} → {}", id, outcome_word(old_outcome), outcome_word(new_outcome)));
      }
    }
    if (!change.lines.empty()) {
      changes.push_back(std::move(change));
    }
  }
  return changes;
}

struct DiffOptions {
  std::string old_path;
  std::string new_path;
  std::string format = "text";
  std::vector<std::string> cases;
};

int diff(const DiffOptions& options, std::ostream& out, std::ostream& err) {
  SourceManager sources;
  int exit_code = kExitSuccess;
  const auto old_version = load_guideline(sources, options.old_path, err, exit_code);
  if (!old_version) {
    return kExitUsage;
  }
  const auto new_version = load_guideline(sources, options.new_path, err, exit_code);
  if (!new_version) {
    return kExitUsage;
  }
  std::vector<std::string> case_files;
  if (!options.cases.empty()) {
    std::vector<std::string> missing;
    case_files = collect_case_files(options.cases, missing);
    for (const std::string& path : missing) {
      err << fmt::format("error: no case file or folder `{}`\n", path);
    }
    if (!missing.empty()) {
      return kExitUsage;
    }
  }
  const std::vector<StructuralChange> structural =
      StructuralDiff(sources, *old_version, *new_version).run();
  const BehaviouralDiff behaviour = diff_behaviour(*old_version, *new_version);
  bool case_failure = false;
  const std::vector<CaseChange> case_changes =
      options.cases.empty()
          ? std::vector<CaseChange>{}
          : replay_cases(*old_version, *new_version, sources, case_files, err, case_failure);
  if (case_failure) {
    return kExitUsage;
  }
  const bool same_facts = same_fact_names(*old_version, *new_version);
  const bool behaviour_changed =
      !behaviour.changes.empty() || !behaviour.unproven.empty() || !case_changes.empty();
  std::vector<std::string> shown_changes;  // "recommendation calcium", "source 2"
  for (const StructuralChange& change : structural) {
    if (change.visible) {
      shown_changes.push_back(change.kind + " " + change.name);
    }
  }
  const bool changed = behaviour_changed || !shown_changes.empty();

  if (options.format == "json") {
    nlohmann::ordered_json result;
    result["structural"] = nlohmann::ordered_json::array();
    for (const StructuralChange& change : structural) {
      nlohmann::ordered_json item = {{"kind", change.kind},
                                     {"name", change.name},
                                     {"change", change.change},
                                     {"text", change.text},
                                     {"visible", change.visible}};
      item.update(change.extra);
      result["structural"].push_back(std::move(item));
    }
    result["behavioural"] = nlohmann::ordered_json::array();
    for (const RecommendationChange& change : behaviour.changes) {
      for (const ChangedRegion& region : change.regions) {
        nlohmann::ordered_json item;
        item["id"] = change.id;
        item["region"] = region.description;
        item["old"] = outcome_word(region.old_outcome);
        item["new"] = outcome_word(region.new_outcome);
        item["witnesses"] = nlohmann::ordered_json::array();
        for (const DiffWitness& witness : region.witnesses) {
          nlohmann::ordered_json entry;
          entry["facts"] = facts_to_json(*new_version, witness.new_facts);
          if (!same_facts) {
            entry["old_facts"] = facts_to_json(*old_version, witness.old_facts);
          }
          entry["old"] = outcome_word(witness.old_outcome);
          entry["new"] = outcome_word(witness.new_outcome);
          item["witnesses"].push_back(entry);
        }
        if (change.more) {
          item["more_regions"] = true;
        }
        result["behavioural"].push_back(item);
      }
    }
    result["unproven"] = nlohmann::ordered_json::array();
    for (const UnprovenComparison& unproven : behaviour.unproven) {
      result["unproven"].push_back({{"id", unproven.id}, {"reason", unproven.reason}});
    }
    if (!options.cases.empty()) {
      result["cases"] = nlohmann::ordered_json::array();
      for (const CaseChange& change : case_changes) {
        result["cases"].push_back({{"case", change.path}, {"changes", change.lines}});
      }
    }
    result["behaviour_changed"] = behaviour_changed;
    result["presentation_changed"] = !shown_changes.empty();
    result["changed"] = changed;
    out << result.dump(2) << "\n";
    return changed ? kExitInputError : kExitSuccess;
  }

  if (structural.empty()) {
    out << "structural changes: none\n";
  } else {
    out << "structural changes:\n";
    for (const StructuralChange& change : structural) {
      out << "  " << change.text << "\n";
      for (const std::string& detail : change.details) {
        out << "    " << detail << "\n";
      }
    }
  }
  if (behaviour.changes.empty()) {
    out << (behaviour.unproven.empty()
                ? "behavioural changes: none (proven over every valid patient)\n"
                : "behavioural changes: none found\n");
  } else {
    out << "behavioural changes:\n";
    for (const RecommendationChange& change : behaviour.changes) {
      out << fmt::format("  recommendation {}{}\n", change.id,
                         !change.in_old   ? " (added)"
                         : !change.in_new ? " (removed)"
                                          : "");
      for (const ChangedRegion& region : change.regions) {
        out << fmt::format("    {} → {} where {}\n", outcome_word(region.old_outcome),
                           outcome_word(region.new_outcome), region.description);
        for (const DiffWitness& witness : region.witnesses) {
          out << fmt::format("      witness: {}\n", facts_to_text(*new_version, witness.new_facts));
          if (!same_facts) {
            out << fmt::format("      (for the old version: {})\n",
                               facts_to_text(*old_version, witness.old_facts));
          }
        }
      }
      if (change.more) {
        out << "    (more patients differ outside the regions listed)\n";
      }
    }
  }
  for (const UnprovenComparison& unproven : behaviour.unproven) {
    out << fmt::format("  recommendation {}: no change found, but not proven: {}\n", unproven.id,
                       unproven.reason);
  }
  if (!options.cases.empty()) {
    if (case_changes.empty()) {
      out << fmt::format("cases: {} replayed, none changes outcome\n", case_files.size());
    } else {
      out << fmt::format("cases: {} replayed, {} change outcome:\n", case_files.size(),
                         case_changes.size());
      for (const CaseChange& change : case_changes) {
        out << "  " << change.path << "\n";
        for (const std::string& line : change.lines) {
          out << "    " << line << "\n";
        }
      }
    }
  }
  constexpr std::string_view kShown =
      "shown to clinicians (kind, indicator, text, summary, citations, evidence, carried values, "
      "reported names)";
  out << (shown_changes.empty()
              ? fmt::format("{}: unchanged\n", kShown)
              : fmt::format("{}: changed in {}\n", kShown, fmt::join(shown_changes, ", ")));
  return changed ? kExitInputError : kExitSuccess;
}

}  // namespace

Command add_diff_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  auto options = std::make_shared<DiffOptions>();
  CLI::App* command = app.add_subcommand(
      "diff",
      "Compare two versions of a guideline: structural and behavioural changes. Exit status: 0 "
      "nothing a clinician sees changed (no outcome for any valid patient, no replayed case, and "
      "no recommendation's kind, text, citations, cited source texts, evidence, carried values or "
      "reported names); "
      "1 something did, or a behavioural change could not be ruled out; 2 an error");
  command->add_option("OLD", options->old_path, "The old rule file (.rubric)")->required();
  command->add_option("NEW", options->new_path, "The new rule file (.rubric)")->required();
  command->add_option("--format", options->format, "Output format (default text)")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_option("--cases", options->cases,
                      "Case files or folders to replay through both versions");
  return {command, [options, &out, &err] { return diff(*options, out, err); }};
}

}  // namespace rubric

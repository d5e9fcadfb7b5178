#include "tools/explain_output.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "tools/report.hpp"

namespace rubric {
namespace {

using Json = nlohmann::ordered_json;

// A name or a literal as it is; anything longer in backquotes.
std::string quoted(const std::string& text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.';
  });
  return plain ? text : "`" + text + "`";
}

std::string display(const Term& term) {
  if (!term.evaluated) {
    return "not evaluated";
  }
  if (term.kind == TermKind::fact && term.value.is_null()) {
    return "absent";
  }
  if (term.possible) {
    return fmt::format("unknown, from {} to {}", display_value(term.possible->first),
                       display_value(term.possible->second));
  }
  return display_value(term.value);
}

std::string outcome_words(Outcome outcome) {
  switch (outcome) {
    case Outcome::recommended: return "recommended";
    case Outcome::absent: return "not recommended";
    case Outcome::undetermined: return "still undetermined";
  }
  return "?";
}

void put_unit(Json& item, const Value& value) {
  if (value.kind() == ValueKind::quantity) {
    item["unit"] = value.unit().code;
  }
}

Json term_to_json(const Term& term, const SourceManager& sources) {
  Json out;
  out["text"] = term.text;
  out["kind"] = term_kind_name(term.kind);
  if (!term.op.empty() && term.kind != TermKind::definition) {
    out["operator"] = term.op;
  }
  if (!term.name.empty()) {
    out["name"] = term.name;
  }
  if (!term.description.empty()) {
    out["description"] = term.description;
  }
  if (!term.role.empty()) {
    out["role"] = term.role;
  }
  out["value"] = value_to_json(term.value);
  if (term.possible) {
    out["possible"] = Json{{"low", value_to_json(term.possible->first)},
                           {"high", value_to_json(term.possible->second)}};
  }
  out["display"] = display(term);
  put_unit(out, term.value);
  if (term.kind == TermKind::fact) {
    out["absent"] = term.value.is_null();
  }
  out["decisive"] = term.decisive;
  if (term.taken) {
    out["taken"] = true;
  }
  if (term.repeated) {
    out["repeated"] = true;
  }
  if (term.truncated) {
    out["truncated"] = true;
  }
  out["location"] = location(sources, term.range);
  if (!term.children.empty()) {
    Json children = Json::array();
    for (const Term& child : term.children) {
      children.push_back(term_to_json(child, sources));
    }
    out["children"] = std::move(children);
  }
  return out;
}

const char* settles_word(const MissingFact& missing) {
  if (missing.settles_always()) {
    return "always";
  }
  if (missing.settles_sometimes()) {
    return "sometimes";
  }
  // No example settling it proves nothing about the values between the examples.
  return missing.unproven_because.empty() ? "never" : "unknown";
}

// ---- Text ----------------------------------------------------------------------------------

void term_to_text(const Term& term, std::size_t depth, std::string& out) {
  std::string line(2 * (depth + 1), ' ');
  if (!term.role.empty()) {
    line += term.role;
    line += term.taken ? " (taken): " : ": ";
  }
  switch (term.kind) {
    case TermKind::literal:
    case TermKind::list: line += term.text; break;
    case TermKind::fact:
    case TermKind::parameter:
    case TermKind::definition: {
      line += fmt::format("{} is {} ({}", term.name, display(term), term_kind_name(term.kind));
      if (term.repeated) {
        line += ", explained above";
      } else if (!term.description.empty()) {
        line += ": " + term.description;
      }
      line += ")";
      break;
    }
    default: line += fmt::format("{} is {}", quoted(term.text), display(term)); break;
  }
  if (term.truncated) {
    line += " (deeper terms left out)";
  }
  out += line + "\n";
  for (const Term& child : term.children) {
    term_to_text(child, depth + 1, out);
  }
}

std::string value_with_note(const std::string& name, const std::string& value,
                            const std::string& note) {
  return note.empty() ? fmt::format("{} = {}", name, value)
                      : fmt::format("{} = {} ({})", name, value, note);
}

}  // namespace

Json explanation_to_json(const Explanation& explanation, const SourceManager& sources) {
  Json out;
  out["id"] = explanation.id;
  out["kind"] = explanation.kind;
  out["text"] = explanation.text;
  if (explanation.evidence) {
    out["evidence"] = *explanation.evidence;
  }
  out["outcome"] = outcome_name(explanation.outcome);
  out["location"] = location(sources, explanation.range);
  Json carries = Json::object();
  for (const CarriedParameter& parameter : explanation.carried) {
    carries[parameter.name] = value_to_json(parameter.value);
  }
  out["carries"] = std::move(carries);
  if (!explanation.reported.empty()) {
    Json reported = Json::array();
    for (const ExplainedReport& report : explanation.reported) {
      reported.push_back({{"name", report.name},
                          {"value", value_to_json(report.value.value)},
                          {"text", reported_value_text(report.value)}});
    }
    out["reported"] = std::move(reported);
  }
  out["summary"] = explanation.summary;
  out["decided_despite"] = explanation.despite;
  Json reasons = Json::array();
  for (const Reason& reason : explanation.reasons) {
    reasons.push_back({{"term", reason.term},
                       {"value", value_to_json(reason.value)},
                       {"absent", reason.absent_fact},
                       {"through", reason.through},
                       {"because", reason.because}});
  }
  out["reasons"] = std::move(reasons);
  out["condition"] = term_to_json(explanation.condition, sources);
  Json facts = Json::array();
  for (const ExplainedFact& fact : explanation.facts) {
    Json item = {{"name", fact.name}, {"value", value_to_json(fact.value)}};
    put_unit(item, fact.value);
    item["absent"] = fact.value.is_null();
    item["decisive"] = fact.decisive;
    item["description"] = fact.description;
    facts.push_back(std::move(item));
  }
  out["facts"] = std::move(facts);
  Json parameters = Json::array();
  for (const ExplainedParameter& parameter : explanation.parameters) {
    Json item = {{"name", parameter.name}, {"value", value_to_json(parameter.value)}};
    put_unit(item, parameter.value);
    item["description"] = parameter.description;
    parameters.push_back(std::move(item));
  }
  out["parameters"] = std::move(parameters);
  Json definitions = Json::array();
  for (const ExplainedDefinition& definition : explanation.definitions) {
    definitions.push_back({{"name", definition.name},
                           {"value", value_to_json(definition.value)},
                           {"description", definition.description},
                           {"location", location(sources, definition.range)}});
  }
  out["definitions"] = std::move(definitions);
  Json missing = Json::array();
  for (const MissingFact& fact : explanation.missing) {
    Json options = Json::array();
    for (const SettleOption& option : fact.options) {
      Json item = {{"values", option.values}, {"example", value_to_json(option.example)}};
      if (option.min) {
        item["min"] = value_to_json(*option.min);
        item["min_inclusive"] = option.min_inclusive;
      }
      if (option.max) {
        item["max"] = value_to_json(*option.max);
        item["max_inclusive"] = option.max_inclusive;
      }
      item["outcome"] = outcome_name(option.outcome);
      item["proven"] = option.proven;
      options.push_back(std::move(item));
    }
    Json item = {{"fact", fact.name},
                 {"expected", fact.expected},
                 {"description", fact.description},
                 {"settles", settles_word(fact)},
                 {"proven", fact.unproven_because.empty()}};
    if (!fact.unproven_because.empty()) {
      item["unproven_because"] = fact.unproven_because;
    }
    item["options"] = std::move(options);
    missing.push_back(std::move(item));
  }
  out["missing"] = std::move(missing);
  Json citations = Json::array();
  for (const ExplainedCitation& citation : explanation.citations) {
    citations.push_back({{"number", citation.number}, {"text", citation.text}});
  }
  out["citations"] = std::move(citations);
  return out;
}

Json explanations_to_json(std::span<const Explanation> explanations, const SourceManager& sources) {
  Json out;
  Json guideline = Json::object();
  if (!explanations.empty()) {
    guideline = {{"id", explanations.front().guideline_id},
                 {"version", explanations.front().guideline_version}};
  }
  out["guideline"] = std::move(guideline);
  Json items = Json::array();
  for (const Explanation& explanation : explanations) {
    items.push_back(explanation_to_json(explanation, sources));
  }
  out["explanations"] = std::move(items);
  return out;
}

std::string explanation_to_text(const Explanation& explanation, const SourceManager& sources) {
  std::string out = fmt::format("== {} ({}): {}\n", explanation.id, explanation.kind,
                                explanation.outcome == Outcome::undetermined
                                    ? "undetermined"
                                    : outcome_words(explanation.outcome));
  out += fmt::format("  \"{}\"\n", explanation.text);
  out += fmt::format("  rule at {}", location(sources, explanation.range));
  if (explanation.evidence) {
    out += fmt::format("; evidence: {}", *explanation.evidence);
  }
  out += "\n";
  for (const CarriedParameter& parameter : explanation.carried) {
    out += fmt::format("  carries {} = {}\n", parameter.name, display_value(parameter.value));
  }
  for (const ExplainedReport& report : explanation.reported) {
    out += fmt::format("  reports {} = {}\n", report.name, reported_value_text(report.value));
  }

  out += "\n" + explanation.summary + "\n";

  if (!explanation.reasons.empty()) {
    switch (explanation.outcome) {
      case Outcome::recommended: out += "\nWhy (the terms that decided it):\n"; break;
      case Outcome::absent: out += "\nWhy not (the false terms that decided it):\n"; break;
      case Outcome::undetermined:
        out += "\nWhy undetermined (the unknown terms that decided it):\n";
        break;
    }
    for (const Reason& reason : explanation.reasons) {
      std::string line = "  - " + quoted(reason.term);
      if (!reason.through.empty()) {
        std::string path;
        for (const std::string& name : reason.through) {
          path += (path.empty() ? "" : " > ") + name;
        }
        line += " (in " + path + ")";
      }
      line += " is " + (reason.absent_fact ? std::string("absent") : display_value(reason.value));
      if (!reason.because.empty()) {
        line += ": " + reason.because;
      }
      out += line + "\n";
    }
  }

  out += "\nThe condition, term by term:\n";
  term_to_text(explanation.condition, 0, out);

  if (!explanation.missing.empty()) {
    out += "\nWhat would settle it (each missing fact alone, the others as they are):\n";
    for (const MissingFact& fact : explanation.missing) {
      std::string header = "  " + fact.name + " (";
      if (!fact.description.empty()) {
        header += fact.description + "; ";
      }
      header += fact.expected + ")";
      if (fact.options.empty()) {
        out += header + fmt::format(": no value to try ({})\n",
                                    fact.unproven_because.empty()
                                        ? "the condition compares it with no constant"
                                        : fact.unproven_because);
        continue;
      }
      if (!fact.unproven_because.empty()) {
        out += fmt::format(
            "{}: no range of values is proven to give one outcome ({}); single values "
            "tried:\n",
            header, fact.unproven_because);
      } else {
        out += header + (fact.settles_always()      ? ": settles it whatever its value\n"
                         : fact.settles_sometimes() ? ": settles it for some values\n"
                                                    : ": does not settle it on its own\n");
      }
      for (const SettleOption& option : fact.options) {
        out += fmt::format("    {}: {}\n", option.values, outcome_words(option.outcome));
      }
    }
  }

  const auto facts_section = [&](const char* title, bool decisive) {
    std::string lines;
    for (const ExplainedFact& fact : explanation.facts) {
      if (fact.decisive == decisive) {
        lines +=
            "  " +
            value_with_note(fact.name, fact.value.is_null() ? "absent" : display_value(fact.value),
                            fact.description) +
            "\n";
      }
    }
    if (!lines.empty()) {
      out += fmt::format("\n{}:\n{}", title, lines);
    }
  };
  facts_section(explanation.outcome == Outcome::undetermined ? "Facts that left it undetermined"
                                                             : "Facts that decided it",
                true);
  facts_section("Other facts it read", false);

  if (!explanation.parameters.empty()) {
    out += "\nParameters:\n";
    for (const ExplainedParameter& parameter : explanation.parameters) {
      out +=
          "  " +
          value_with_note(parameter.name, display_value(parameter.value), parameter.description) +
          "\n";
    }
  }
  if (!explanation.definitions.empty()) {
    out += "\nDefinitions it went through:\n";
    for (const ExplainedDefinition& definition : explanation.definitions) {
      out += fmt::format("  {} is {}", definition.name, display_value(definition.value));
      if (!definition.description.empty()) {
        out += fmt::format(" ({})", definition.description);
      }
      out += fmt::format("; defined at {}\n", location(sources, definition.range));
    }
  }
  if (!explanation.citations.empty()) {
    out += "\nSources:\n";
    for (const ExplainedCitation& citation : explanation.citations) {
      out += fmt::format("  [{}] {}\n", citation.number, citation.text);
    }
  }
  return out;
}

std::string explanations_to_text(std::span<const Explanation> explanations,
                                 const SourceManager& sources) {
  std::string out;
  if (!explanations.empty()) {
    out += explanations.front().guideline_id;
    if (!explanations.front().guideline_version.empty()) {
      out += " " + explanations.front().guideline_version;
    }
    out += "\n";
  }
  for (const Explanation& explanation : explanations) {
    out += "\n" + explanation_to_text(explanation, sources);
  }
  return out;
}

}  // namespace rubric

#include "tools/report.hpp"

#include <fmt/format.h>

#include <set>

#include "dsl/checker.hpp"

namespace rubric {

std::string location(const SourceManager& sources, SourceRange range) {
  const LineColumn at = sources.line_column(range.file, range.offset);
  return fmt::format("{}:{}:{}", sources.name(range.file), at.line, at.column);
}

nlohmann::ordered_json value_to_json(const Value& value) {
  switch (value.kind()) {
    case ValueKind::null: return nullptr;
    case ValueKind::boolean: return value.as_boolean();
    case ValueKind::integer: return value.as_integer();
    case ValueKind::decimal:
      // Exact text as a JSON number.
      return nlohmann::ordered_json::parse(value.as_decimal().to_string());
    case ValueKind::string: return std::string(value.as_string());
    case ValueKind::quantity:
    case ValueKind::date_time: return to_text(value, TextStyle::fact_file);
  }
  return nullptr;
}

nlohmann::ordered_json sources_to_json(const Guideline& guideline, const RecommendationInfo& info) {
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  for (const std::uint32_t number : info.citations) {
    const SourceInfo* source = guideline.source(number);
    sources.push_back({{"number", number}, {"text", source != nullptr ? source->citation : ""}});
  }
  return sources;
}

nlohmann::ordered_json recommendation_to_json(const Guideline& guideline,
                                              const RecommendationInfo& info) {
  nlohmann::ordered_json item = {{"id", info.id},
                                 {"kind", info.kind},
                                 {"text", info.text},
                                 {"citations", info.citations},
                                 {"sources", sources_to_json(guideline, info)}};
  if (info.evidence) {
    item["evidence"] = *info.evidence;
  }
  nlohmann::ordered_json parameters = nlohmann::ordered_json::object();
  for (const CarriedParameter& parameter : info.parameters) {
    parameters[parameter.name] = value_to_json(parameter.value);
  }
  item["parameters"] = parameters;
  return item;
}

nlohmann::ordered_json reported_to_json(const Guideline& guideline, const RecommendationInfo& info,
                                        const FactSet& facts, EvaluationScratch& scratch) {
  nlohmann::ordered_json reported = nlohmann::ordered_json::array();
  for (const ReportedName& name : info.reported) {
    const ReportedValue value = guideline.reported_value(name, facts, scratch);
    reported.push_back({{"name", name.name},
                        {"value", value_to_json(value.value)},
                        {"text", reported_value_text(value)}});
  }
  return reported;
}

nlohmann::ordered_json decision_to_json(const Guideline& guideline, const SourceManager& sources,
                                        const FactSet& facts, EvaluationScratch& scratch,
                                        const Decision& decision) {
  nlohmann::ordered_json out;
  out["guideline"] = {{"id", guideline.id()}, {"version", guideline.version()}};
  out["recommendations"] = nlohmann::ordered_json::array();
  out["undetermined"] = nlohmann::ordered_json::array();
  const auto recommendations = guideline.recommendations();
  for (std::size_t r = 0; r < recommendations.size(); ++r) {
    const RecommendationInfo& info = recommendations[r];
    if (decision.outcomes[r] == Outcome::recommended) {
      nlohmann::ordered_json item = recommendation_to_json(guideline, info);
      nlohmann::ordered_json because = nlohmann::ordered_json::object();
      nlohmann::ordered_json despite = nlohmann::ordered_json::array();
      if (decision.despite[r].empty()) {
        for (const FactId fact : guideline.deciding_facts(r, scratch)) {
          because[guideline.facts()[fact.value].name] = value_to_json(facts.get(fact));
        }
      }
      for (const FactId fact : decision.despite[r]) {
        despite.push_back(guideline.facts()[fact.value].name);
      }
      item["because"] = because;
      item["decided_despite"] = despite;
      if (!info.reported.empty()) {
        item["reported"] = reported_to_json(guideline, info, facts, scratch);
      }
      item["location"] = location(sources, info.range);
      out["recommendations"].push_back(item);
    } else if (decision.outcomes[r] == Outcome::undetermined) {
      nlohmann::ordered_json missing = nlohmann::ordered_json::array();
      for (const FactId fact : decision.missing[r]) {
        missing.push_back(guideline.facts()[fact.value].name);
      }
      out["undetermined"].push_back({{"id", info.id},
                                     {"kind", info.kind},
                                     {"text", info.text},
                                     {"missing", missing},
                                     {"location", location(sources, info.range)}});
    }
  }
  return out;
}

std::string decision_to_text(const Guideline& guideline, const SourceManager& sources,
                             const FactSet& facts, EvaluationScratch& scratch,
                             const Decision& decision) {
  std::string out = guideline.id();
  if (!guideline.version().empty()) {
    out += " " + guideline.version();
  }
  out += "\n";
  if (!guideline.title().empty()) {
    out += guideline.title() + "\n";
  }
  const auto recommendations = guideline.recommendations();
  std::size_t recommended = 0;
  std::size_t undetermined = 0;
  for (const Outcome outcome : decision.outcomes) {
    recommended += outcome == Outcome::recommended ? 1 : 0;
    undetermined += outcome == Outcome::undetermined ? 1 : 0;
  }
  out += fmt::format("\nRecommended ({}):\n", recommended);
  if (recommended == 0) {
    out += "  none\n";
  }
  std::set<std::uint32_t> cited;
  for (const char* kind : kRecommendationKinds) {
    bool header = false;
    for (std::size_t r = 0; r < recommendations.size(); ++r) {
      const RecommendationInfo& info = recommendations[r];
      if (decision.outcomes[r] != Outcome::recommended || info.kind != kind) {
        continue;
      }
      if (!header) {
        out += fmt::format("\n  {}\n", kind);
        header = true;
      }
      out += fmt::format("  - {}: {}\n", info.id, info.text);
      for (const CarriedParameter& parameter : info.parameters) {
        out += fmt::format("      {} = {}\n", parameter.name, to_literal(parameter.value));
      }
      for (const ReportedName& name : info.reported) {
        out += fmt::format("      report: {} = {}\n", name.name,
                           reported_value_text(guideline.reported_value(name, facts, scratch)));
      }
      std::string because;
      if (decision.despite[r].empty()) {
        for (const FactId fact : guideline.deciding_facts(r, scratch)) {
          const Value& value = facts.get(fact);
          because += fmt::format("{}{} = {}", because.empty() ? "" : ", ",
                                 guideline.facts()[fact.value].name,
                                 value.is_null() ? std::string("absent") : to_literal(value));
        }
      }
      if (!because.empty()) {
        out += fmt::format("      because: {}\n", because);
      }
      std::string despite;
      for (const FactId fact : decision.despite[r]) {
        despite +=
            fmt::format("{}{}", despite.empty() ? "" : ", ", guideline.facts()[fact.value].name);
      }
      if (!despite.empty()) {
        out += fmt::format("      decided although {} {} absent: every value gives this outcome\n",
                           despite, decision.despite[r].size() == 1 ? "is" : "are");
      }
      if (info.evidence) {
        out += fmt::format("      evidence: {}\n", *info.evidence);
      }
      std::string cites;
      for (const std::uint32_t number : info.citations) {
        cites += fmt::format("{}[{}]", cites.empty() ? "" : " ", number);
        cited.insert(number);
      }
      out += fmt::format("      sources: {}; rule at {}\n", cites, location(sources, info.range));
    }
  }
  if (undetermined > 0) {
    out += fmt::format("\nUndetermined ({}): each waits on facts that are absent\n", undetermined);
    for (std::size_t r = 0; r < recommendations.size(); ++r) {
      if (decision.outcomes[r] != Outcome::undetermined) {
        continue;
      }
      std::string missing;
      for (const FactId fact : decision.missing[r]) {
        missing +=
            fmt::format("{}{}", missing.empty() ? "" : ", ", guideline.facts()[fact.value].name);
      }
      out += fmt::format(
          "  - {} ({}): waits on {}\n", recommendations[r].id, recommendations[r].kind,
          missing.empty() ? "no absent fact (a division by zero, an overflow, a null, or dates of "
                            "different precisions made it unknown)"
                          : missing);
    }
  }
  if (!cited.empty()) {
    out += "\nSources:\n";
    for (const std::uint32_t number : cited) {
      const SourceInfo* source = guideline.source(number);
      out += fmt::format("  [{}] {}\n", number, source != nullptr ? source->citation : "");
    }
  }
  return out;
}

}  // namespace rubric

#include "tools/coverage.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "tools/report.hpp"

namespace rubric {

CoverageRecorder::CoverageRecorder(const Guideline& guideline)
    : guideline_(guideline), recommendations_(guideline.recommendations().size()) {
  const auto nodes = guideline.graph().nodes();
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    const bool boolean_fact =
        node.op == Opcode::fact && guideline.facts()[node.payload].type.kind == TypeKind::boolean;
    if (is_test(node.op) || boolean_fact) {
      conditions_.push_back(Condition{NodeId{i}, {}});
    }
  }
}

void CoverageRecorder::record(const EvaluationScratch& scratch, const Decision& decision) {
  ++evaluations_;
  for (std::size_t r = 0; r < recommendations_.size(); ++r) {
    Seen& seen = recommendations_[r];
    switch (decision.outcomes[r]) {
      case Outcome::recommended: seen.true_value = true; break;
      case Outcome::absent: seen.false_value = true; break;
      case Outcome::undetermined: seen.unknown = true; break;
    }
  }
  for (Condition& condition : conditions_) {
    const Value& value = Guideline::value_of(scratch, condition.node);
    if (value.is_null()) {
      condition.seen.unknown = true;
    } else if (value.kind() == ValueKind::boolean) {
      (value.as_boolean() ? condition.seen.true_value : condition.seen.false_value) = true;
    }
  }
}

std::size_t CoverageRecorder::covered_conditions() const {
  std::size_t covered = 0;
  for (const Condition& condition : conditions_) {
    covered += condition.seen.true_value && condition.seen.false_value ? 1 : 0;
  }
  return covered;
}

double CoverageRecorder::percentage() const {
  if (conditions_.empty()) {
    return 100.0;
  }
  return 100.0 * static_cast<double>(covered_conditions()) /
         static_cast<double>(conditions_.size());
}

std::string CoverageRecorder::describe(const SourceManager& sources, NodeId node) const {
  const Node& graph_node = guideline_.graph().node(node);
  if (graph_node.op == Opcode::fact) {
    return guideline_.facts()[graph_node.payload].name;
  }
  std::string text(sources.text(graph_node.range));
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

namespace {

std::string never(bool true_value, bool false_value, const char* true_word,
                  const char* false_word) {
  if (!true_value && !false_value) {
    return fmt::format("never {} nor {}", true_word, false_word);
  }
  return fmt::format("never {}", true_value ? false_word : true_word);
}

}  // namespace

std::string CoverageRecorder::to_text(const SourceManager& sources) const {
  std::string out =
      fmt::format("\nCoverage over {} evaluation{}:\n", evaluations_, evaluations_ == 1 ? "" : "s");
  const auto recommendations = guideline_.recommendations();
  std::size_t complete = 0;
  std::string gaps;
  for (std::size_t r = 0; r < recommendations.size(); ++r) {
    const Seen& seen = recommendations_[r];
    if (seen.true_value && seen.false_value && seen.unknown) {
      ++complete;
      continue;
    }
    std::string missing;
    if (!seen.true_value) {
      missing += "recommended";
    }
    if (!seen.false_value) {
      missing += std::string(missing.empty() ? "" : ", ") + "absent";
    }
    if (!seen.unknown) {
      missing += std::string(missing.empty() ? "" : ", ") + "undetermined";
    }
    gaps += fmt::format("  - {}: never {} ({})\n", recommendations[r].id, missing,
                        location(sources, recommendations[r].range));
  }
  out += fmt::format("  recommendations: {} of {} seen recommended, absent and undetermined\n",
                     complete, recommendations.size());
  out += gaps;
  out += fmt::format("  conditions: {} of {} driven both true and false ({:.1f}%)\n",
                     covered_conditions(), conditions_.size(), percentage());
  for (const Condition& condition : conditions_) {
    if (condition.seen.true_value && condition.seen.false_value) {
      continue;
    }
    out +=
        fmt::format("  - `{}` is {} ({})\n", describe(sources, condition.node),
                    never(condition.seen.true_value, condition.seen.false_value, "true", "false"),
                    location(sources, guideline_.graph().node(condition.node).range));
  }
  return out;
}

nlohmann::ordered_json CoverageRecorder::to_json(const SourceManager& sources) const {
  nlohmann::ordered_json out;
  out["evaluations"] = evaluations_;
  out["recommendations"] = nlohmann::ordered_json::array();
  const auto recommendations = guideline_.recommendations();
  for (std::size_t r = 0; r < recommendations.size(); ++r) {
    const Seen& seen = recommendations_[r];
    out["recommendations"].push_back({{"id", recommendations[r].id},
                                      {"recommended", seen.true_value},
                                      {"absent", seen.false_value},
                                      {"undetermined", seen.unknown},
                                      {"location", location(sources, recommendations[r].range)}});
  }
  out["conditions"] = nlohmann::ordered_json::array();
  for (const Condition& condition : conditions_) {
    out["conditions"].push_back(
        {{"condition", describe(sources, condition.node)},
         {"true", condition.seen.true_value},
         {"false", condition.seen.false_value},
         {"unknown", condition.seen.unknown},
         {"location", location(sources, guideline_.graph().node(condition.node).range)}});
  }
  out["covered_conditions"] = covered_conditions();
  out["total_conditions"] = conditions_.size();
  out["percentage"] = percentage();
  return out;
}

}  // namespace rubric

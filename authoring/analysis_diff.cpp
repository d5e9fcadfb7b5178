// The behavioural difference between two versions of a guideline (`rubric diff`), built on
// the search core. See authoring/analysis.hpp for the contract and docs/analysis.md for the
// method.
#include "authoring/analysis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "authoring/analysis_search.hpp"

namespace rubric {

// ---- Behavioural difference ----------------------------------------------------------------

const char* outcome_word(Outcome outcome) {
  switch (outcome) {
    case Outcome::recommended: return "made";
    case Outcome::absent: return "not made";
    case Outcome::undetermined: return "undetermined";
  }
  return "?";
}

namespace {

TruthMask truth_of_outcome(Outcome outcome) {
  switch (outcome) {
    case Outcome::recommended: return kTruthTrue;
    case Outcome::absent: return kTruthFalse;
    case Outcome::undetermined: return kTruthUnknown;
  }
  return kTruthAny;
}

constexpr Outcome kOutcomes[] = {Outcome::recommended, Outcome::absent, Outcome::undetermined};

Outcome outcome_in(const Guideline& guideline, std::optional<std::size_t> recommendation,
                   const FactSet& facts) {
  if (!recommendation) {
    return Outcome::absent;
  }
  return guideline.evaluate(facts).outcomes[*recommendation];
}

}  // namespace

namespace {

// Per node, an id equal for structurally identical nodes of any graph numbered with the same
// `keys`: same operation, same constants (value and unit as written), facts of one name.
std::vector<std::uint32_t> canonical_ids(const Guideline& guideline,
                                         std::unordered_map<std::string, std::uint32_t>& keys) {
  const DecisionGraph& graph = guideline.graph();
  std::vector<std::uint32_t> ids(graph.size());
  for (std::uint32_t i = 0; i < graph.size(); ++i) {
    const Node& node = graph.nodes()[i];
    std::string key;
    if (node.op == Opcode::constant) {
      const Value& value = graph.constant(node);
      key = fmt::format("c{}:{}", static_cast<int>(value.kind()), to_literal(value));
    } else if (node.op == Opcode::fact) {
      // A fact is the same only with the same declaration: a retyped fact, or one whose
      // range or codes changed, accepts other patients.
      key = "f:" + guideline.facts()[node.payload].name + ":" +
            analysis_detail::validity_signature(guideline.facts()[node.payload]);
    } else {
      key = fmt::format("o{}", static_cast<int>(node.op));
      for (const NodeId operand : graph.operands(node)) {
        key += fmt::format(",{}", ids[operand.value]);
      }
    }
    ids[i] = keys.emplace(std::move(key), static_cast<std::uint32_t>(keys.size())).first->second;
  }
  return ids;
}

}  // namespace

namespace {

// Why a query over `goal` is approximate, naming the facts.
std::string approximation_reason(const Analysis& analysis, std::span<const GoalTerm> goal) {
  std::vector<std::string> retyped;
  for (const std::uint32_t fact : analysis.facts_read(goal)) {
    const AnalysisFact& info = analysis.facts()[fact];
    if (info.types_differ) {
      retyped.push_back(fmt::format("`{}`", info.name));
    }
  }
  std::vector<std::string> reasons;
  if (!retyped.empty()) {
    reasons.push_back(
        fmt::format("{} changed type, so only patients without {} are valid in "
                    "both versions",
                    fmt::join(retyped, ", "), retyped.size() == 1 ? "it" : "them"));
  }
  const std::vector<std::uint32_t> read = analysis.facts_read(goal);
  const bool others = std::any_of(read.begin(), read.end(), [&](std::uint32_t fact) {
    return !analysis.facts()[fact].exact && !analysis.facts()[fact].types_differ;
  });
  if (reasons.empty() || others) {
    reasons.push_back(approximate_facts(analysis, goal));
  }
  return "approximate: " + fmt::format("{}", fmt::join(reasons, "; "));
}

}  // namespace

std::vector<std::string> recommendation_ids(const Guideline& old_version,
                                            const Guideline& new_version) {
  std::vector<std::string> ids;
  for (const RecommendationInfo& info : new_version.recommendations()) {
    ids.push_back(info.id);
  }
  for (const RecommendationInfo& info : old_version.recommendations()) {
    if (!new_version.find_recommendation(info.id)) {
      ids.push_back(info.id);
    }
  }
  return ids;
}

BehaviouralDiff diff_behaviour(const Guideline& old_version, const Guideline& new_version,
                               AnalysisLimits limits) {
  const Analysis analysis({&old_version, &new_version}, limits);
  std::unordered_map<std::string, std::uint32_t> keys;
  const std::vector<std::uint32_t> old_ids = canonical_ids(old_version, keys);
  const std::vector<std::uint32_t> new_ids = canonical_ids(new_version, keys);
  BehaviouralDiff diff;
  const std::vector<std::string> ids = recommendation_ids(old_version, new_version);
  for (const std::string& id : ids) {
    const std::optional<std::size_t> old_index = old_version.find_recommendation(id);
    const std::optional<std::size_t> new_index = new_version.find_recommendation(id);
    const std::optional<NodeId> old_node =
        old_index ? std::optional<NodeId>(old_version.recommendations()[*old_index].condition)
                  : std::nullopt;
    const std::optional<NodeId> new_node =
        new_index ? std::optional<NodeId>(new_version.recommendations()[*new_index].condition)
                  : std::nullopt;
    if (old_node && new_node && old_ids[old_node->value] == new_ids[new_node->value]) {
      continue;  // the same condition, node for node: no patient can differ
    }
    if (diff.work > limits.max_total_work) {
      diff.unproven.push_back(UnprovenComparison{
          id, fmt::format("the analysis budget ({} node evaluations) was spent on the "
                          "recommendations before it",
                          limits.max_total_work)});
      continue;
    }
    RecommendationChange change;
    change.id = id;
    change.in_old = old_index.has_value();
    change.in_new = new_index.has_value();
    std::string unproven;
    for (const Outcome before_outcome : kOutcomes) {
      for (const Outcome after_outcome : kOutcomes) {
        if (before_outcome == after_outcome) {
          continue;
        }
        const GoalTerm goal[] = {{0, old_node, truth_of_outcome(before_outcome), old_index},
                                 {1, new_node, truth_of_outcome(after_outcome), new_index}};
        std::vector<Box> boxes;
        for (std::size_t round = 0;; ++round) {
          const QueryResult result = analysis.find(goal, nullptr, boxes);
          diff.steps += result.steps;
          diff.work += result.work;
          if (result.status != QueryStatus::found) {
            if (result.status != QueryStatus::impossible) {
              if (round == 0) {
                unproven = result.status == QueryStatus::limit_reached
                               ? limit_text(limits)
                               : approximation_reason(analysis, goal);
              } else {
                change.more = true;
              }
            }
            break;
          }
          if (round == kMaxRegionsPerChange) {
            change.more = true;
            break;
          }
          DiffWitness witness{result.witness, analysis.fact_set(result.witness, 0),
                              analysis.fact_set(result.witness, 1), before_outcome, after_outcome};
          // Every witness is confirmed by the evaluators themselves.
          if (outcome_in(old_version, old_index, witness.old_facts) != before_outcome ||
              outcome_in(new_version, new_index, witness.new_facts) != after_outcome) {
            unproven = "internal inconsistency: a witness was not confirmed by the evaluator";
            break;
          }
          Box box = analysis.generalize(result.witness, goal, &diff.work);
          ChangedRegion region;
          region.old_outcome = before_outcome;
          region.new_outcome = after_outcome;
          region.description = analysis.describe(box);
          region.witnesses.push_back(std::move(witness));
          change.regions.push_back(std::move(region));
          boxes.push_back(std::move(box));
        }
      }
    }
    if (unproven.empty() && change.regions.empty()) {
      // Patients valid in only one version were not compared: say so rather than "no change".
      const GoalTerm read[] = {{0, old_node, kTruthAny}, {1, new_node, kTruthAny}};
      std::vector<std::string> redeclared;
      for (const std::uint32_t fact : analysis.facts_read(read)) {
        if (analysis.facts()[fact].declarations_differ) {
          redeclared.push_back(fmt::format("`{}`", analysis.facts()[fact].name));
        }
      }
      if (!redeclared.empty()) {
        unproven = fmt::format(
            "the declaration of {} changed, so patients valid in only one version (rejected by "
            "the other) were not compared",
            fmt::join(redeclared, ", "));
      }
    }
    if (!change.regions.empty()) {
      diff.changes.push_back(std::move(change));
    } else if (!unproven.empty()) {
      diff.unproven.push_back(UnprovenComparison{id, unproven});
    }
  }
  return diff;
}

}  // namespace rubric

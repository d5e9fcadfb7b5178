#include "tests/reference/differential.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "authoring/analysis.hpp"
#include "dsl/checker.hpp"
#include "dsl/parser.hpp"
#include "engine/guideline.hpp"
#include "tests/reference/reference_evaluator.hpp"

namespace rubric::reference {
namespace {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::absent: return "absent";
    case Outcome::recommended: return "recommended";
    case Outcome::undetermined: return "undetermined";
  }
  return "?";
}

std::string joined(const std::vector<std::string>& names) {
  return fmt::format("[{}]", fmt::join(names, ", "));
}

// Evaluates the fact sets in blocks of FactBlock::kCapacity (the last one partial) and
// compares every row's outcomes and missing facts with its own evaluation.
std::optional<std::string> compare_blocks(const Guideline& guideline, const std::string& text,
                                          const std::vector<FactSet>& all_facts,
                                          const std::vector<Decision>& decisions,
                                          Statistics& statistics) {
  ++(guideline.program().runs_on_blocks() ? statistics.bit_sliced : statistics.row_by_row);
  FactBlock block(guideline.facts().size());
  BlockScratch scratch;
  BlockDecision decision;
  std::vector<FactId> missing;
  std::vector<FactId> despite;
  for (std::size_t first = 0; first < all_facts.size(); first += FactBlock::kCapacity) {
    block.clear();
    const std::size_t end = std::min(all_facts.size(), first + FactBlock::kCapacity);
    for (std::size_t index = first; index < end; ++index) {
      block.push_back(all_facts[index]);
    }
    guideline.evaluate(block, scratch, decision);
    if (decision.rows != end - first) {
      return fmt::format("a block of {} rows gave a decision of {}", end - first, decision.rows);
    }
    for (std::size_t row = 0; row < decision.rows; ++row) {
      const Decision& expected = decisions[first + row];
      for (std::size_t r = 0; r < expected.outcomes.size(); ++r) {
        guideline.missing(row, r, scratch, missing);
        guideline.despite(row, r, scratch, despite);
        if (decision.outcome(row, r) != expected.outcomes[r] || missing != expected.missing[r] ||
            despite != expected.despite[r]) {
          return fmt::format(
              "block evaluation ({}) disagrees on recommendation `{}`, row {}: {} missing {} "
              "fact(s), alone: {} missing {}\nguideline:\n{}\nfacts:\n{}",
              guideline.program().runs_on_blocks() ? "bit-sliced" : "row by row",
              guideline.recommendations()[r].id, row, outcome_name(decision.outcome(row, r)),
              missing.size(), outcome_name(expected.outcomes[r]), expected.missing[r].size(), text,
              describe_facts(guideline.facts(), all_facts[first + row]));
        }
      }
    }
  }
  return std::nullopt;
}

// The generated guideline in `file` of `sources`, compiled; null with `rejected` set to a
// report (diagnostics and text) when the checker rejects it, which the generator must never
// cause.
std::shared_ptr<const Guideline> compile_generated(const SourceManager& sources, FileId file,
                                                   std::string& rejected) {
  Diagnostics diagnostics;
  std::shared_ptr<const Guideline> guideline = Guideline::compile(sources, file, diagnostics);
  if (!guideline) {
    rejected = fmt::format("the generator produced a guideline the checker rejects:\n{}\n{}",
                           format_diagnostics(sources, diagnostics), sources.text(file));
  }
  return guideline;
}

}  // namespace

std::optional<std::string> differential_round(Chooser& chooser, std::size_t fact_sets,
                                              Statistics& statistics) {
  const GeneratedGuideline generated = generate_guideline(chooser);
  SourceManager sources;
  const FileId file = sources.add("generated.rubric", generated.text);
  std::string rejected;
  const std::shared_ptr<const Guideline> guideline = compile_generated(sources, file, rejected);
  if (!guideline) {
    return rejected;
  }
  // The reference evaluator gets its own parse and check of the text.
  Diagnostics reference_diagnostics;
  const CheckedModule checked = check_module(parse_module(sources, file, reference_diagnostics),
                                             sources, reference_diagnostics);
  if (!checked.ok) {
    return fmt::format("the guideline compiles but its second check fails:\n{}\n{}",
                       format_diagnostics(sources, reference_diagnostics), generated.text);
  }
  ++statistics.guidelines;
  EvaluationScratch scratch;
  Decision reused;
  EvaluationScratch full_scratch;
  Decision full;
  std::vector<FactSet> all_facts;
  std::vector<Decision> all_decisions;
  for (std::size_t round = 0; round < fact_sets; ++round) {
    const FactSet facts = generate_facts(chooser, guideline->facts(), generated.thresholds);
    all_facts.push_back(facts);
    ++statistics.fact_sets;
    const Decision decision = guideline->evaluate(facts);
    guideline->evaluate(facts, scratch, reused);  // the scratch-reusing overload must agree too
    // The full evaluation (every node's Value) must agree with the compact program.
    guideline->evaluate_with_values(facts, full_scratch, full);
    if (full.outcomes != reused.outcomes || full.missing != reused.missing) {
      return fmt::format("evaluate_with_values disagrees with evaluate\nguideline:\n{}\nfacts:\n{}",
                         generated.text, describe_facts(guideline->facts(), facts));
    }
    for (std::size_t r = 0; r < reused.outcomes.size(); ++r) {
      if (reused.outcomes[r] != Outcome::undetermined &&
          guideline->deciding_facts(r, scratch) != guideline->deciding_facts(r, full_scratch)) {
        return fmt::format(
            "the deciding facts of `{}` differ between evaluate and evaluate_with_values\n"
            "guideline:\n{}\nfacts:\n{}",
            guideline->recommendations()[r].id, generated.text,
            describe_facts(guideline->facts(), facts));
      }
    }
    all_decisions.push_back(reused);
    // The engine's search stops after 2^20 node evaluations (engine/exact_outcome.cpp); the
    // reference compares only where the engine's work surely stays below that.
    const std::size_t max_work = (std::size_t{1} << 20U) / (guideline->graph().size() + 1);
    const ExactDecision expected =
        evaluate_exact(checked, facts, guideline->fact_domains(), max_work);
    for (std::size_t r = 0; r < expected.outcomes.size(); ++r) {
      if (!expected.compared[r]) {
        ++statistics.uncompared;
        continue;
      }
      const auto names_of = [&](const std::vector<FactId>& ids) {
        std::vector<std::string> names;
        for (const FactId fact : ids) {
          names.push_back(guideline->facts()[fact.value].name);
        }
        return names;
      };
      const std::vector<std::string> names = names_of(decision.missing[r]);
      const std::vector<std::string> reused_names = names_of(reused.missing[r]);
      const std::vector<std::string> despite = names_of(decision.despite[r]);
      const bool agree = decision.outcomes[r] == expected.outcomes[r] &&
                         reused.outcomes[r] == expected.outcomes[r] &&
                         names == expected.missing[r] && reused_names == expected.missing[r] &&
                         despite == expected.despite[r] && reused.despite[r] == decision.despite[r];
      if (!agree) {
        return fmt::format(
            "disagreement on recommendation `{}`:\n"
            "  decision graph:     {} missing {} despite {}\n"
            "  with a scratch:     {} missing {}\n"
            "  reference:          {} missing {} despite {}\n"
            "guideline:\n{}\nfacts:\n{}",
            guideline->recommendations()[r].id, outcome_name(decision.outcomes[r]), joined(names),
            joined(despite), outcome_name(reused.outcomes[r]), joined(reused_names),
            outcome_name(expected.outcomes[r]), joined(expected.missing[r]),
            joined(expected.despite[r]), generated.text, describe_facts(guideline->facts(), facts));
      }
      statistics.decided_despite += despite.empty() ? 0 : 1;
      switch (expected.outcomes[r]) {
        case Outcome::absent: ++statistics.absent; break;
        case Outcome::recommended: ++statistics.recommended; break;
        case Outcome::undetermined: ++statistics.undetermined; break;
      }
      statistics.missing_facts += names.size();
    }
  }
  if (auto disagreement =
          compare_blocks(*guideline, generated.text, all_facts, all_decisions, statistics)) {
    return disagreement;
  }
  return std::nullopt;
}

std::optional<std::string> analysis_claims_round(Chooser& chooser, std::size_t fact_sets,
                                                 std::size_t& claims) {
  const GeneratedGuideline generated = generate_guideline(chooser);
  SourceManager sources;
  const FileId file = sources.add("generated.rubric", generated.text);
  std::string rejected;
  const std::shared_ptr<const Guideline> guideline = compile_generated(sources, file, rejected);
  if (!guideline) {
    return rejected;
  }
  // A small budget keeps a fuzzing run fast; claims made within it must still be true.
  AnalysisLimits limits;
  limits.max_steps = 2'000;
  limits.max_total_work = 2'000'000;
  const std::vector<AnalysisFinding> findings = analyse_guideline(*guideline, sources, limits);
  std::vector<FactSet> all_facts;
  for (std::size_t round = 0; round < fact_sets; ++round) {
    all_facts.push_back(generate_facts(chooser, guideline->facts(), generated.thresholds));
  }
  std::string removed(generated.text);
  std::vector<SourceRange> removals;
  for (const AnalysisFinding& finding : findings) {
    if (finding.diagnostic.code == "W0501") {
      ++claims;
      const std::string& message = finding.diagnostic.message;
      const std::size_t open = message.find('`');
      const std::string id = message.substr(open + 1, message.find('`', open + 1) - open - 1);
      const std::size_t index = *guideline->find_recommendation(id);
      for (const FactSet& facts : all_facts) {
        if (guideline->evaluate(facts).outcomes[index] == Outcome::recommended) {
          return fmt::format(
              "W0501 claims `{}` is never made, but these facts make it\n{}\n"
              "guideline:\n{}\nfacts:\n{}",
              id, message, generated.text, describe_facts(guideline->facts(), facts));
        }
      }
    } else if (finding.diagnostic.code == "W0502" && finding.removal) {
      ++claims;
      removals.push_back(*finding.removal);
    }
  }
  if (removals.empty()) {
    return std::nullopt;
  }
  std::sort(removals.begin(), removals.end(),
            [](const SourceRange& a, const SourceRange& b) { return a.offset > b.offset; });
  for (const SourceRange& removal : removals) {
    removed.erase(removal.offset, removal.length);
  }
  SourceManager edited_sources;
  const FileId edited_file = edited_sources.add("simplified.rubric", removed);
  Diagnostics edited_diagnostics;
  const std::shared_ptr<const Guideline> simplified =
      Guideline::compile(edited_sources, edited_file, edited_diagnostics);
  if (!simplified) {
    return fmt::format("the W0502 removals leave a rule file that does not compile:\n{}\n{}",
                       format_diagnostics(edited_sources, edited_diagnostics), removed);
  }
  for (const FactSet& facts : all_facts) {
    if (simplified->evaluate(facts).outcomes != guideline->evaluate(facts).outcomes) {
      return fmt::format(
          "the W0502 removals change an outcome\nguideline:\n{}\nsimplified:\n{}"
          "\nfacts:\n{}",
          generated.text, removed, describe_facts(guideline->facts(), facts));
    }
  }
  return std::nullopt;
}

}  // namespace rubric::reference

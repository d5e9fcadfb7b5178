// The findings of `rubric check` about one guideline (W0501..W0506), built on the search
// core and, for W0502, on the behavioural diff. See authoring/analysis.hpp for the contract and
// docs/analysis.md for the method.
#include "authoring/analysis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <set>

#include "dsl/checker.hpp"

namespace rubric {

// ---- Findings ------------------------------------------------------------------------------

namespace {

// A coverage gap's region is described (grown around the witness) only for guidelines of at
// most this many recommendations, plus one for the coverage condition.
constexpr std::size_t kMaxGeneralizedCoverageTerms = 65;
// The coverage query has the full AnalysisLimits::max_steps up to this many terms, and
// proportionally fewer steps beyond (at least kMinCoverageSteps, never more than the
// limit).
constexpr std::size_t kCoverageTermsAtFullBudget = 65;
constexpr std::size_t kMinCoverageSteps = 500;

class GuidelineChecker {
 public:
  GuidelineChecker(const Guideline& guideline, const SourceManager& sources, AnalysisLimits limits)
      : guideline_(guideline),
        sources_(sources),
        analysis_({&guideline}, limits),
        graph_(guideline.graph()) {}

  std::vector<AnalysisFinding> run() {
    check_dead();
    check_chains();
    check_redundancy();
    check_conflicts();
    check_coverage();
    note_budget();
    return std::move(findings_);
  }

 private:
  std::string text(NodeId node) const {
    std::string collapsed = expression_text(sources_, graph_.node(node).range);
    if (collapsed.size() > 80) {
      collapsed = collapsed.substr(0, 77) + "...";
    }
    return collapsed;
  }

  QueryStatus query(std::initializer_list<GoalTerm> goal, Assignment* witness = nullptr) {
    const std::vector<GoalTerm> terms(goal);
    const QueryResult result = counted(terms);
    if (witness != nullptr && result.status == QueryStatus::found) {
      *witness = result.witness;
    }
    return result.status;
  }

  // Every query of the checker goes through here: once AnalysisLimits::max_total_work is
  // spent, no query runs (limit_reached) and the question is counted as not settled.
  QueryResult counted(std::span<const GoalTerm> goal, const Analysis* analysis = nullptr) {
    if (out_of_budget()) {
      QueryResult result;
      result.status = QueryStatus::limit_reached;
      return result;
    }
    QueryResult result = (analysis != nullptr ? *analysis : analysis_).find(goal);
    work_ += result.work;
    return result;
  }

  QueryStatus counted_find(std::span<const GoalTerm> goal) { return counted(goal).status; }

  bool out_of_budget() const { return work_ > analysis_.limits().max_total_work; }

  // One note for every question left when the budget was spent.
  void note_budget() {
    if (unsettled_ == 0) {
      return;
    }
    const ast::Module& module = guideline_.checked().module;
    const SourceRange where =
        module.headers.empty() ? SourceRange{module.file, 0, 0} : module.headers.front().id.range;
    AnalysisFinding finding;
    finding.diagnostic = Diagnostic{
        DiagnosticKind::not_settled,
        where,
        fmt::format("the analysis stopped after {} node evaluations, its budget for one file; "
                    "{} {} about this guideline {} not settled (dead recommendations, redundant "
                    "or contradictory conditions, incompatible pairs, coverage); run `rubric "
                    "check` on a smaller file, or read the conditions by hand",
                    work_, unsettled_, unsettled_ == 1 ? "question" : "questions",
                    unsettled_ == 1 ? "was" : "were"),
        {}};
    findings_.push_back(std::move(finding));
  }

  void note_incomplete(SourceRange range, const std::string& what, NodeId node,
                       QueryStatus status) {
    if (out_of_budget()) {
      ++unsettled_;  // reported once, by note_budget
      return;
    }
    const GoalTerm term{0, node, kTruthTrue};
    const std::string reason =
        unsettled_reason(analysis_, std::span<const GoalTerm>(&term, 1), status);
    AnalysisFinding finding;
    finding.diagnostic = Diagnostic{DiagnosticKind::not_settled,
                                    range,
                                    fmt::format("{}; none was found, but {}", what, reason),
                                    {}};
    findings_.push_back(std::move(finding));
  }

  // Why a query over `goal` of `analysis` was not settled (a status other than found and
  // impossible).
  static std::string unsettled_reason(const Analysis& analysis, std::span<const GoalTerm> goal,
                                      QueryStatus status) {
    if (status == QueryStatus::limit_reached) {
      return limit_text(analysis.limits());
    }
    return approximate_facts(analysis, goal);
  }

  // W0504: every pair declared with `excludes` (once per pair, in declaration order) is
  // proven never made together, or reported with a patient on whom both are made.
  void check_conflicts() {
    const ast::Module& module = guideline_.checked().module;
    const auto recommendations = guideline_.recommendations();
    std::set<std::pair<std::size_t, std::size_t>> seen;
    for (std::size_t i = 0; i < module.recommendations.size(); ++i) {
      for (const ast::Named& excluded : module.recommendations[i].excluded) {
        const std::optional<std::size_t> other = guideline_.find_recommendation(excluded.name);
        if (!other || *other == i ||
            !seen.emplace(std::min(i, *other), std::max(i, *other)).second) {
          continue;
        }
        const RecommendationInfo& first = recommendations[i];
        const RecommendationInfo& second = recommendations[*other];
        const std::vector<GoalTerm> goal{{0, first.condition, kTruthTrue, i},
                                         {0, second.condition, kTruthTrue, *other}};
        const QueryResult result = counted(goal);
        if (result.status == QueryStatus::impossible) {
          continue;
        }
        AnalysisFinding finding;
        if (result.status != QueryStatus::found && out_of_budget()) {
          ++unsettled_;
          continue;
        }
        if (result.status != QueryStatus::found) {
          finding.diagnostic = Diagnostic{
              DiagnosticKind::not_settled,
              excluded.range,
              fmt::format("`{}` and `{}`, declared incompatible, may be made together; no "
                          "patient was found, but {}",
                          first.id, second.id, unsettled_reason(analysis_, goal, result.status)),
              {}};
          findings_.push_back(std::move(finding));
          continue;
        }
        FactSet facts = analysis_.fact_set(result.witness, 0);
        const Decision decision = guideline_.evaluate(facts);
        if (decision.outcomes[i] != Outcome::recommended ||
            decision.outcomes[*other] != Outcome::recommended) {
          continue;  // never reached: find() confirms its witnesses
        }
        finding.diagnostic = Diagnostic{
            DiagnosticKind::excluded_pair_made,
            excluded.range,
            fmt::format("`{}` and `{}` are declared incompatible but are both made for some "
                        "patients, for example where {}",
                        first.id, second.id,
                        analysis_.describe(analysis_.generalize(result.witness, goal, &work_))),
            {}};
        finding.witness = std::move(facts);
        findings_.push_back(std::move(finding));
      }
    }
  }

  // W0505: no patient for whom the coverage condition is true gets no recommendation.
  void check_coverage() {
    const ast::Module& module = guideline_.checked().module;
    const std::optional<NodeId> condition = guideline_.coverage_condition();
    if (module.coverage.empty() || !condition) {
      return;
    }
    const SourceRange where = module.coverage.front().keyword_range;
    std::vector<GoalTerm> goal{{0, *condition, kTruthTrue}};
    const auto recommendations = guideline_.recommendations();
    for (std::size_t r = 0; r < recommendations.size(); ++r) {
      goal.emplace_back(0, recommendations[r].condition, kTruthFalse, r);
    }
    // One step evaluates every recommendation's condition: the step budget shrinks with the
    // number of recommendations past kCoverageTermsAtFullBudget, so that a large guideline
    // gets a W0506 note in seconds rather than a proof in minutes.
    AnalysisLimits limits = analysis_.limits();
    if (goal.size() > kCoverageTermsAtFullBudget) {
      limits.max_steps = std::min(
          limits.max_steps,
          std::max<std::size_t>(kMinCoverageSteps,
                                limits.max_steps * kCoverageTermsAtFullBudget / goal.size()));
    }
    const Analysis analysis({&guideline_}, limits);
    const QueryResult result = counted(goal, &analysis);
    if (result.status == QueryStatus::impossible) {
      return;
    }
    AnalysisFinding finding;
    if (result.status != QueryStatus::found && out_of_budget()) {
      ++unsettled_;
      return;
    }
    if (result.status != QueryStatus::found) {
      finding.diagnostic =
          Diagnostic{DiagnosticKind::not_settled,
                     where,
                     fmt::format("some patients the coverage declaration covers may get no "
                                 "recommendation; none was found, but {}",
                                 unsettled_reason(analysis, goal, result.status)),
                     {}};
      findings_.push_back(std::move(finding));
      return;
    }
    // The witness, confirmed on the guideline itself.
    FactSet facts = analysis.fact_set(result.witness, 0);
    const Decision decision = guideline_.evaluate(facts);
    if (std::any_of(decision.outcomes.begin(), decision.outcomes.end(),
                    [](Outcome outcome) { return outcome != Outcome::absent; })) {
      return;  // never reached: find() confirms its witnesses
    }
    // Growing the region proves each extension against every term of the goal, one term a
    // query; past kMaxGeneralizedCoverageTerms terms that costs seconds, so the witness alone
    // is shown.
    const std::string example =
        goal.size() <= kMaxGeneralizedCoverageTerms
            ? fmt::format("where {}",
                          analysis.describe(analysis.generalize(result.witness, goal, &work_)))
            : std::string("the witness below");
    finding.diagnostic =
        Diagnostic{DiagnosticKind::coverage_gap,
                   where,
                   fmt::format("some patients the coverage declaration covers get no "
                               "recommendation, for example {}",
                               example),
                   {}};
    finding.witness = std::move(facts);
    findings_.push_back(std::move(finding));
  }

  // The operands of a chain of one operator (`a and b and c`), through shared nodes; the
  // nodes visited count as work, and an empty list means the budget was spent.
  std::vector<NodeId> chain(NodeId root, Opcode op) {
    std::vector<NodeId> out;
    std::vector<NodeId> stack{root};
    while (!stack.empty()) {
      if (++work_ > analysis_.limits().max_total_work) {
        return {};
      }
      const NodeId id = stack.back();
      stack.pop_back();
      const Node& node = graph_.node(id);
      if (node.op == op) {
        const auto operands = graph_.operands(node);
        for (auto it = operands.rbegin(); it != operands.rend(); ++it) {
          stack.push_back(*it);
        }
      } else {
        out.push_back(id);
      }
    }
    return out;
  }

  void check_dead() {
    const auto recommendations = guideline_.recommendations();
    for (std::size_t r = 0; r < recommendations.size(); ++r) {
      const RecommendationInfo& info = recommendations[r];
      const QueryStatus made = query({{0, info.condition, kTruthTrue, r}});
      if (made == QueryStatus::found) {
        continue;
      }
      if (made != QueryStatus::impossible) {
        note_incomplete(info.range, fmt::format("recommendation `{}` may never be made", info.id),
                        info.condition, made);
        continue;
      }
      AnalysisFinding finding;
      finding.diagnostic = Diagnostic{DiagnosticKind::never_made,
                                      info.range,
                                      fmt::format("recommendation `{}` can never be made: {}",
                                                  info.id, dead_reason(info.condition)),
                                      {}};
      findings_.push_back(std::move(finding));
    }
  }

  std::string dead_reason(NodeId condition) {
    const std::vector<NodeId> parts =
        out_of_budget() ? std::vector<NodeId>{} : chain(condition, Opcode::logical_and);
    for (const NodeId part : parts) {
      if (parts.size() > 1 && query({{0, part, kTruthTrue}}) == QueryStatus::impossible) {
        return fmt::format("its part `{}` is never true for valid facts", text(part));
      }
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
      for (std::size_t j = i + 1; j < parts.size(); ++j) {
        if (query({{0, parts[i], kTruthTrue}, {0, parts[j], kTruthTrue}}) ==
            QueryStatus::impossible) {
          return fmt::format("`{}` and `{}` are never true together", text(parts[i]),
                             text(parts[j]));
        }
      }
    }
    return fmt::format("its condition `{}` is never true for valid facts", text(condition));
  }

  void check_chains() {
    // Chain roots: and/or nodes whose users (if any) are not the same operator, plus the
    // values of definitions and conditions (which may be shared).
    std::vector<std::uint8_t> inner(graph_.size(), 0);
    for (const Node& node : graph_.nodes()) {
      for (const NodeId operand : graph_.operands(node)) {
        if (graph_.node(operand).op == node.op) {
          inner[operand.value] = 1;
        }
      }
    }
    std::vector<std::uint8_t> root(graph_.size(), 0);
    for (std::uint32_t i = 0; i < graph_.size(); ++i) {
      root[i] = inner[i] ? 0 : 1;
    }
    for (const DefinitionInfo& definition : guideline_.definitions()) {
      root[definition.value.value] = 1;
    }
    for (const RecommendationInfo& info : guideline_.recommendations()) {
      root[info.condition.value] = 1;
    }
    std::vector<std::uint8_t> reported(graph_.size(), 0);
    for (std::uint32_t i = 0; i < graph_.size(); ++i) {
      const Opcode op = graph_.nodes()[i].op;
      if (!root[i] || (op != Opcode::logical_and && op != Opcode::logical_or)) {
        continue;
      }
      check_chain(NodeId{i}, op, reported);
    }
  }

  void check_chain(NodeId root, Opcode op, std::vector<std::uint8_t>& reported) {
    const bool conjunction = op == Opcode::logical_and;
    // `and` wants all true; `or` all false: the dominated value.
    const TruthMask unit = conjunction ? kTruthTrue : kTruthFalse;
    if (out_of_budget()) {
      ++unsettled_;
      return;
    }
    const std::vector<NodeId> parts = chain(root, op);
    if (out_of_budget()) {
      ++unsettled_;
      return;
    }
    if (parts.size() < 2) {
      return;
    }
    // The whole chain never takes the dominated value although every part can.
    const QueryStatus whole = query({{0, root, unit}});
    if (whole == QueryStatus::impossible) {
      for (const NodeId part : parts) {
        if (query({{0, part, unit}}) != QueryStatus::found) {
          return;  // a part is itself never so: reported where that part is checked
        }
      }
      std::string detail;
      for (std::size_t i = 0; i < parts.size() && detail.empty(); ++i) {
        for (std::size_t j = i + 1; j < parts.size() && detail.empty(); ++j) {
          if (query({{0, parts[i], unit}, {0, parts[j], unit}}) == QueryStatus::impossible) {
            detail = fmt::format(": `{}` and `{}` are never {} together", text(parts[i]),
                                 text(parts[j]), conjunction ? "true" : "false");
          }
        }
      }
      if (!reported[root.value]) {
        reported[root.value] = 1;
        AnalysisFinding finding;
        finding.diagnostic = Diagnostic{
            DiagnosticKind::contradictory_condition,
            graph_.node(root).range,
            conjunction
                ? fmt::format("contradictory condition: `{}` is never true{}", text(root), detail)
                : fmt::format("condition `{}` is never false: it is true whenever its "
                              "facts are known{}",
                              text(root), detail),
            {}};
        findings_.push_back(std::move(finding));
      }
      return;
    }
  }

  // ---- W0502: redundant sub-conditions, as written in the rule file ----------------------

  // A part of the rule file to cut out: [begin, end) byte offsets.
  struct Removal {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
  };

  std::string_view file_text() const { return sources_.text(guideline_.checked().module.file); }

  // The offsets of an expression with the parentheses its range leaves out put back (around
  // its first or last operand, and around itself); nullopt when the text does not balance.
  std::optional<Removal> extent(ast::ExprId id) const {
    const std::string_view text = file_text();
    const SourceRange range = guideline_.checked().module.at(id).range;
    std::uint32_t begin = range.offset;
    std::uint32_t end = range.end();
    std::ptrdiff_t depth = 0;
    std::ptrdiff_t lowest = 0;
    char quote = 0;
    for (std::uint32_t k = begin; k < end; ++k) {
      const char character = text[k];
      if (quote != 0) {
        if (character == quote) {
          quote = 0;
        }
      } else if (character == '\'' || character == '"') {
        quote = character;
      } else if (character == '(') {
        ++depth;
      } else if (character == ')') {
        lowest = std::min(lowest, --depth);
      }
    }
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    const auto open_before = [&](std::uint32_t at) -> std::optional<std::uint32_t> {
      while (at > 0 && is_space(text[at - 1])) {
        --at;
      }
      return at > 0 && text[at - 1] == '(' ? std::optional<std::uint32_t>(at - 1) : std::nullopt;
    };
    const auto close_after = [&](std::uint32_t at) -> std::optional<std::uint32_t> {
      while (at < text.size() && is_space(text[at])) {
        ++at;
      }
      return at < text.size() && text[at] == ')' ? std::optional<std::uint32_t>(at + 1)
                                                 : std::nullopt;
    };
    for (std::ptrdiff_t k = 0; k < -lowest; ++k) {
      const std::optional<std::uint32_t> open = open_before(begin);
      if (!open) {
        return std::nullopt;
      }
      begin = *open;
    }
    for (std::ptrdiff_t k = 0; k < depth - lowest; ++k) {
      const std::optional<std::uint32_t> close = close_after(end);
      if (!close) {
        return std::nullopt;
      }
      end = *close;
    }
    for (;;) {
      const std::optional<std::uint32_t> open = open_before(begin);
      const std::optional<std::uint32_t> close = close_after(end);
      if (!open || !close) {
        break;
      }
      begin = *open;
      end = *close;
    }
    return Removal{begin, end};
  }

  // True when the expression is written inside its own parentheses.
  bool parenthesised(ast::ExprId id) const {
    const std::optional<Removal> outer = extent(id);
    const SourceRange range = guideline_.checked().module.at(id).range;
    return outer && outer->begin < range.offset && outer->end > range.end() &&
           file_text()[outer->begin] == '(';
  }

  static std::optional<Opcode> chain_operator(const ast::Expr& expr) {
    if (expr.kind != ast::ExprKind::binary) {
      return std::nullopt;
    }
    if (expr.binary_operator == ast::BinaryOperator::logical_and) {
      return Opcode::logical_and;
    }
    if (expr.binary_operator == ast::BinaryOperator::logical_or) {
      return Opcode::logical_or;
    }
    return std::nullopt;
  }

  // The parts of the chain rooted at `root` in source order: nested operators of the same
  // kind are flattened unless parenthesised (those are chains of their own).
  std::vector<ast::ExprId> source_chain(ast::ExprId root, Opcode op) const {
    const ast::Module& module = guideline_.checked().module;
    std::vector<ast::ExprId> parts;
    std::vector<ast::ExprId> stack{root};
    while (!stack.empty()) {
      const ast::ExprId id = stack.back();
      stack.pop_back();
      const ast::Expr& expr = module.at(id);
      if (chain_operator(expr) == op && (id == root || !parenthesised(id))) {
        const auto operands = module.operands_of(expr);
        stack.push_back(operands[1]);
        stack.push_back(operands[0]);
      } else {
        parts.push_back(id);
      }
    }
    return parts;
  }

  // The rule file with `removals` (disjoint) cut out.
  std::string edited_text(std::vector<Removal> removals) const {
    std::sort(removals.begin(), removals.end(),
              [](const Removal& a, const Removal& b) { return a.begin < b.begin; });
    const std::string_view text = file_text();
    std::string out;
    std::uint32_t at = 0;
    for (const Removal& removal : removals) {
      out.append(text.substr(at, removal.begin - at));
      at = removal.end;
    }
    out.append(text.substr(at));
    return out;
  }

  enum class Verdict : std::uint8_t { unchanged, changed, unproven };

  // Compiles the rule file with `removals` cut out and compares it with the guideline over
  // every valid patient. `reason` says why a verdict is unproven.
  Verdict verify(const std::vector<Removal>& removals, std::string& reason) {
    SourceManager sources;
    const FileId file = sources.add(std::string(sources_.name(guideline_.checked().module.file)),
                                    edited_text(removals));
    Diagnostics diagnostics;
    const std::shared_ptr<const Guideline> edited = Guideline::compile(sources, file, diagnostics);
    if (!edited) {
      reason = "the rule file does not compile without it";
      return Verdict::unproven;
    }
    AnalysisLimits limits = analysis_.limits();
    limits.max_total_work -= std::min(limits.max_total_work, work_);
    const BehaviouralDiff diff = diff_behaviour(guideline_, *edited, limits);
    work_ += diff.work;
    if (!diff.changes.empty()) {
      return Verdict::changed;
    }
    if (!diff.unproven.empty()) {
      reason = fmt::format("removing it could not be proven harmless for `{}` ({})",
                           diff.unproven.front().id, diff.unproven.front().reason);
      return Verdict::unproven;
    }
    return Verdict::unchanged;
  }

  // W0502 for every `and`/`or` chain written in a definition or a recommendation's condition.
  // A part is a candidate when the queries show that no patient gives the chain another value
  // without it. Every candidate is then checked the way a reader would apply the advice: it
  // is cut out of the rule file together with every removal already reported, the file is
  // compiled again, and the behavioural diff must prove that no outcome changes. A candidate
  // whose removal changes an outcome (for instance because the text is a definition shared
  // with another recommendation) is not reported; one the diff cannot settle is a note.
  void check_redundancy() {
    const ast::Module& module = guideline_.checked().module;
    std::vector<ast::ExprId> pending;
    for (const ast::Definition& definition : module.definitions) {
      pending.push_back(definition.value);
    }
    for (const ast::RecommendationDeclaration& recommendation : module.recommendations) {
      pending.push_back(recommendation.condition);
    }
    std::vector<std::uint8_t> seen(module.expressions.size(), 0);
    while (!pending.empty()) {
      const ast::ExprId id = pending.back();
      pending.pop_back();
      if (seen[id.value]) {
        continue;
      }
      seen[id.value] = 1;
      const ast::Expr& expr = module.at(id);
      const std::optional<Opcode> op = chain_operator(expr);
      if (!op) {
        for (const ast::ExprId operand : module.operands_of(expr)) {
          pending.push_back(operand);
        }
        continue;
      }
      const std::vector<ast::ExprId> parts = source_chain(id, *op);
      for (const ast::ExprId part : parts) {
        pending.push_back(part);
      }
      if (out_of_budget()) {
        ++unsettled_;
      } else {
        check_source_chain(id, *op, parts);
      }
    }
  }

  void check_source_chain(ast::ExprId root, Opcode op, const std::vector<ast::ExprId>& parts) {
    const bool conjunction = op == Opcode::logical_and;
    const TruthMask unit = conjunction ? kTruthTrue : kTruthFalse;
    const TruthMask dominating = conjunction ? kTruthFalse : kTruthTrue;
    std::vector<NodeId> nodes;
    for (const ast::ExprId part : parts) {
      const std::optional<NodeId> node = guideline_.node_of(part);
      if (!node) {
        return;
      }
      nodes.push_back(*node);
    }
    const std::optional<NodeId> root_node = guideline_.node_of(root);
    if (!root_node || query({{0, *root_node, unit}}) != QueryStatus::found) {
      return;  // never the dominated value: W0503's business
    }
    const ast::Module& module = guideline_.checked().module;
    for (std::size_t i = 0; i < parts.size() && !out_of_budget(); ++i) {
      if (graph_.node(nodes[i]).op == Opcode::constant) {
        continue;
      }
      // Removing the part changes the chain's value only when the others are all the
      // dominated value and the part is not, or when none of the others dominates and the
      // part does.
      std::vector<GoalTerm> first;
      std::vector<GoalTerm> second;
      bool duplicate = false;
      for (std::size_t j = 0; j < parts.size(); ++j) {
        if (j == i) {
          continue;
        }
        duplicate = duplicate || nodes[j] == nodes[i];
        first.emplace_back(0, nodes[j], unit);
        second.emplace_back(0, nodes[j], static_cast<TruthMask>(unit | kTruthUnknown));
      }
      first.emplace_back(0, nodes[i], static_cast<TruthMask>(kTruthAny & ~unit));
      second.emplace_back(0, nodes[i], dominating);
      if (counted_find(first) != QueryStatus::impossible ||
          counted_find(second) != QueryStatus::impossible) {
        continue;
      }
      // The advice as a reader applies it: the part and the operator next to it cut out.
      const std::optional<Removal> own = extent(parts[i]);
      const std::optional<Removal> neighbour = extent(parts[i + 1 < parts.size() ? i + 1 : i - 1]);
      if (!own || !neighbour) {
        continue;
      }
      const Removal removal = i + 1 < parts.size() ? Removal{own->begin, neighbour->begin}
                                                   : Removal{neighbour->end, own->end};
      const bool overlaps =
          std::any_of(removed_.begin(), removed_.end(), [&](const Removal& other) {
            return removal.begin < other.end && other.begin < removal.end;
          });
      if (overlaps) {
        continue;
      }
      std::vector<Removal> removals = removed_;
      removals.push_back(removal);
      std::string unproven;
      const Verdict verdict = verify(removals, unproven);
      if (verdict == Verdict::changed) {
        continue;
      }
      std::string part_text = expression_text(sources_, module.at(parts[i]).range);
      if (part_text.size() > 80) {
        part_text = part_text.substr(0, 77) + "...";
      }
      const char* chain_word = conjunction ? "and" : "or";
      if (verdict == Verdict::unproven) {
        AnalysisFinding finding;
        finding.diagnostic = Diagnostic{
            DiagnosticKind::not_settled,
            module.at(parts[i]).range,
            fmt::format("sub-condition `{}` in `{}` may be redundant, but that is not proven: {}",
                        part_text, chain_word, unproven),
            {}};
        findings_.push_back(std::move(finding));
        continue;
      }
      removed_.push_back(removal);
      std::string because;
      if (duplicate) {
        because = "it appears twice";
      } else {
        for (std::size_t j = 0; j < parts.size() && because.empty(); ++j) {
          if (j == i) {
            continue;
          }
          if (query({{0, nodes[j], unit},
                     {0, nodes[i], static_cast<TruthMask>(kTruthAny & ~unit)}}) ==
                  QueryStatus::impossible &&
              query({{0, nodes[j], static_cast<TruthMask>(unit | kTruthUnknown)},
                     {0, nodes[i], dominating}}) == QueryStatus::impossible) {
            // In `and`, the other part implies this one; in `or`, this one implies the other.
            because = conjunction ? fmt::format("`{}` already implies it", text(nodes[j]))
                                  : fmt::format("it implies `{}`", text(nodes[j]));
          }
        }
        if (because.empty()) {
          because = "the other parts already decide its value";
        }
      }
      AnalysisFinding finding;
      finding.diagnostic = Diagnostic{
          DiagnosticKind::redundant_condition,
          module.at(parts[i]).range,
          fmt::format("redundant sub-condition `{}` in `{}`: {}; removing it changes no outcome "
                      "(proven by comparing the rule file without it)",
                      part_text, chain_word, because),
          {}};
      finding.removal = SourceRange{module.file, removal.begin, removal.end - removal.begin};
      findings_.push_back(std::move(finding));
    }
  }

  std::vector<Removal> removed_;  // the W0502 removals reported so far
  std::size_t work_ = 0;          // node evaluations of every query so far
  std::size_t unsettled_ = 0;     // questions skipped once the budget was spent
  const Guideline& guideline_;
  const SourceManager& sources_;
  Analysis analysis_;
  const DecisionGraph& graph_;
  std::vector<AnalysisFinding> findings_;
};

}  // namespace

std::vector<AnalysisFinding> analyse_guideline(const Guideline& guideline,
                                               const SourceManager& sources,
                                               AnalysisLimits limits) {
  GuidelineChecker checker(guideline, sources, limits);
  return checker.run();
}

}  // namespace rubric

// The analysis core: domain partition, abstract search, witness confirmation. See
// authoring/analysis.hpp for the contract and docs/analysis.md for the method.
#include "authoring/analysis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

#include "authoring/analysis_search.hpp"
#include "engine/node_operations.hpp"

namespace rubric {
namespace {

// The cone of the goal's nodes in guideline `g` (`graph`): those nodes and every node they
// read, directly or not, each once, in increasing id order; found in time proportional to
// its size.
std::vector<NodeId> goal_cone(const DecisionGraph& graph, std::span<const GoalTerm> goal,
                              std::size_t g) {
  std::unordered_set<std::uint32_t> marked;
  std::vector<NodeId> stack;
  for (const GoalTerm& term : goal) {
    if (term.guideline == g && term.node) {
      stack.push_back(*term.node);
    }
  }
  while (!stack.empty()) {
    const NodeId id = stack.back();
    stack.pop_back();
    if (!marked.insert(id.value).second) {
      continue;
    }
    for (const NodeId operand : graph.operands(graph.node(id))) {
      stack.push_back(operand);
    }
  }
  std::vector<NodeId> cone;
  cone.reserve(marked.size());
  for (const std::uint32_t id : marked) {
    cone.push_back(NodeId{id});
  }
  std::sort(cone.begin(), cone.end(), [](NodeId a, NodeId b) { return a.value < b.value; });
  return cone;
}

bool is_true_value(const Value& value) {
  return value.kind() == ValueKind::boolean && value.as_boolean();
}

// The truth value of a boolean or null value as a one-bit mask (0 for other values).
TruthMask truth_of(const Value& value) {
  if (value.is_null()) {
    return kTruthUnknown;
  }
  if (value.kind() == ValueKind::boolean) {
    return value.as_boolean() ? kTruthTrue : kTruthFalse;
  }
  return 0;
}

// The value standing for one bit of a truth mask.
Value truth_value(TruthMask bit) {
  if (bit == kTruthTrue) {
    return Value::boolean(true);
  }
  if (bit == kTruthFalse) {
    return Value::boolean(false);
  }
  return Value::null();
}

constexpr TruthMask kTruthBits[] = {kTruthTrue, kTruthFalse, kTruthUnknown};

// The work, in node evaluations, of preparing one node of a query's cone (finding, sorting
// and indexing it), as measured against the abstract evaluation of a node.
constexpr std::size_t kPreparationCost = 8;

bool same(const Value& a, const Value& b) {
  return is_true_value(equal(a, b));
}

// One operation on known operand values: the evaluator's own operations::compute, so the
// analysis and evaluation cannot disagree on what an operation gives.
Value apply_op(Opcode op, std::span<const Value> at) {
  return operations::compute(op, at.size(), [at](std::size_t i) -> const Value& { return at[i]; });
}

// The abstract value of one graph node under a partial assignment.
struct Abstract {
  bool known = false;
  Value value;                 // when known
  TruthMask mask = kTruthAny;  // when unknown: the truth values it may still take
};

TruthMask mask_of(const Abstract& abstract) {
  return abstract.known ? truth_of(abstract.value) : abstract.mask;
}

// One query's search: depth-first over the regions of the facts the goal reads.
class Search {
 public:
  Search(const Analysis& analysis, std::span<const std::vector<std::uint32_t>> fact_index,
         std::span<const GoalTerm> goal, const Box* within, std::span<const Box> excluded)
      : analysis_(analysis),
        fact_index_(fact_index),
        goal_(goal),
        within_(within),
        excluded_(excluded),
        assigned_(analysis.facts().size(), -1) {
    // An outcome decided although facts are absent is decided the same way for every value
    // of them, so a goal of made and not-made outcomes alone, searched anywhere, has a witness
    // with those facts present, where Kleene logic agrees with the exact outcome. A goal that
    // also asks for an undetermined outcome, or is searched inside or outside boxes (which
    // may hold the absent value and not the others), needs the exact outcomes wherever Kleene
    // logic is unknown.
    widen_outcomes_ = within != nullptr || !excluded.empty();
    for (const GoalTerm& term : goal) {
      widen_outcomes_ =
          widen_outcomes_ || (term.recommendation && (term.wanted & kTruthUnknown) != 0);
    }
    const std::size_t count = fact_index.size();
    cones_.resize(count);
    values_.resize(count);
    std::vector<bool> is_variable(analysis.facts().size(), false);
    positions_.resize(count);
    operand_positions_.resize(count);
    operand_starts_.resize(count);
    for (std::size_t g = 0; g < count; ++g) {
      const DecisionGraph& graph = analysis.guideline(g).graph();
      cones_[g] = goal_cone(graph, goal, g);
      for (const NodeId id : cones_[g]) {
        const Node& node = graph.node(id);
        if (node.op == Opcode::fact) {
          const std::uint32_t fact = fact_index[g][node.payload];
          is_variable[fact] = true;
          cone_exact_ = cone_exact_ && analysis.facts()[fact].exact;
        }
      }
      for (std::uint32_t k = 0; k < cones_[g].size(); ++k) {
        positions_[g].emplace(cones_[g][k].value, k);
      }
      for (const NodeId id : cones_[g]) {
        operand_starts_[g].push_back(static_cast<std::uint32_t>(operand_positions_[g].size()));
        for (const NodeId operand : graph.operands(graph.node(id))) {
          operand_positions_[g].push_back(positions_[g].at(operand.value));
        }
      }
      values_[g].resize(cones_[g].size());
    }
    for (const Box& box : excluded) {
      for (std::size_t f = 0; f < box.allowed.size(); ++f) {
        if (!box.allowed[f].empty()) {
          is_variable[f] = true;
        }
      }
    }
    // Facts used by more tests first: they decide more of the goal.
    std::vector<std::size_t> uses(analysis.facts().size(), 0);
    for (std::size_t g = 0; g < count; ++g) {
      const DecisionGraph& graph = analysis.guideline(g).graph();
      for (const NodeId id : cones_[g]) {
        for (const NodeId operand : graph.operands(graph.node(id))) {
          const Node& used = graph.node(operand);
          if (used.op == Opcode::fact) {
            ++uses[fact_index[g][used.payload]];
          }
        }
      }
    }
    for (std::uint32_t f = 0; f < is_variable.size(); ++f) {
      if (is_variable[f]) {
        variables_.push_back(f);
      }
    }
    std::stable_sort(variables_.begin(), variables_.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return uses[a] > uses[b]; });
    // Finding and indexing a cone costs several node evaluations per node.
    for (std::size_t g = 0; g < count; ++g) {
      work_ += kPreparationCost * cones_[g].size();
    }
    branch_regions_.resize(analysis.facts().size());
    for (const std::uint32_t fact : variables_) {
      if (work_ > analysis.limits().max_work) {
        limit_reached_ = true;
        break;
      }
      collect_branch_regions(fact);
    }
  }

  QueryResult run() {
    QueryResult result;
    if (limit_reached_) {
      result.status = QueryStatus::limit_reached;
      result.work = work_;
      return result;
    }
    for (std::size_t f = 0; f < analysis_.facts().size(); ++f) {
      if (first_allowed(f) < 0) {
        result.status = QueryStatus::impossible;  // an empty box
        return result;
      }
    }
    const bool found = descend(0);
    result.steps = steps_;
    result.work = work_;
    if (found) {
      result.status = QueryStatus::found;
      result.witness = witness_;
    } else if (limit_reached_) {
      result.status = QueryStatus::limit_reached;
    } else {
      result.status = cone_exact_ ? QueryStatus::impossible : QueryStatus::not_found;
    }
    return result;
  }

 private:
  bool allowed(std::size_t fact, std::size_t region) const {
    return within_ == nullptr || within_->allowed[fact].empty() || within_->allowed[fact][region];
  }

  // The first allowed region with a value (else the absent one if allowed), or -1.
  std::int64_t first_allowed(std::size_t fact) const {
    const auto& regions = analysis_.facts()[fact].regions;
    for (std::size_t r = 1; r < regions.size(); ++r) {
      if (allowed(fact, r)) {
        return static_cast<std::int64_t>(r);
      }
    }
    return allowed(fact, 0) ? 0 : -1;
  }

  // The regions the search tries for `fact`: one per class of regions on which every test
  // of the fact in this query's cone (and membership in every excluded box) agrees. A test
  // comparing the fact with something other than constants keeps every region apart.
  void collect_branch_regions(std::uint32_t fact) {
    const auto& regions = analysis_.facts()[fact].regions;
    std::vector<std::string> signatures(regions.size());
    std::vector<Value> operands;
    for (std::size_t g = 0; g < cones_.size(); ++g) {
      const DecisionGraph& graph = analysis_.guideline(g).graph();
      work_ += cones_[g].size();
      for (const NodeId id : cones_[g]) {
        const Node& node = graph.node(id);
        const auto inputs = graph.operands(node);
        bool reads = false;
        bool constant_otherwise = true;
        for (const NodeId input : inputs) {
          const Node& operand = graph.node(input);
          if (operand.op == Opcode::fact && fact_index_[g][operand.payload] == fact) {
            reads = true;
          } else if (operand.op != Opcode::constant) {
            constant_otherwise = false;
          }
        }
        const bool goal_node = std::any_of(goal_.begin(), goal_.end(), [&](const GoalTerm& term) {
          return term.guideline == g && term.node && *term.node == id;
        });
        if (goal_node && node.op == Opcode::fact && fact_index_[g][node.payload] == fact) {
          // The fact itself is a term of the goal: its value matters as it is.
          reads = true;
          constant_otherwise = false;
        }
        if (!reads) {
          continue;
        }
        work_ += regions.size();
        for (std::size_t r = 0; r < regions.size(); ++r) {
          if (!constant_otherwise) {
            signatures[r] += fmt::format("#{};", r);
            continue;
          }
          operands.clear();
          for (const NodeId input : inputs) {
            const Node& operand = graph.node(input);
            operands.push_back(operand.op == Opcode::constant ? graph.constant(operand)
                                                              : regions[r].value);
          }
          signatures[r] += to_literal(apply_op(node.op, operands)) + ";";
        }
      }
    }
    for (const Box& box : excluded_) {
      if (!box.allowed[fact].empty()) {
        for (std::size_t r = 0; r < regions.size(); ++r) {
          signatures[r] += box.allowed[fact][r] ? "in;" : "out;";
        }
      }
    }
    std::vector<std::string> seen;
    // Values first, the absent value last: witnesses read as complete patients.
    for (std::size_t k = 1; k <= regions.size(); ++k) {
      const std::size_t r = k % regions.size();
      if (!allowed(fact, r)) {
        continue;
      }
      if (std::find(seen.begin(), seen.end(), signatures[r]) != seen.end()) {
        continue;
      }
      seen.push_back(signatures[r]);
      branch_regions_[fact].push_back(static_cast<std::uint32_t>(r));
    }
  }

  const Value& region_value(std::size_t fact, std::size_t region) const {
    return analysis_.facts()[fact].regions[region].value;
  }

  void evaluate(std::size_t g) {
    const DecisionGraph& graph = analysis_.guideline(g).graph();
    std::vector<Abstract>& values = values_[g];
    std::vector<Value> operands;
    for (std::size_t k = 0; k < cones_[g].size(); ++k) {
      const Node& node = graph.node(cones_[g][k]);
      Abstract& out = values[k];
      const auto inputs = graph.operands(node);
      const std::uint32_t* at = operand_positions_[g].data() + operand_starts_[g][k];
      if (node.op == Opcode::constant) {
        out = Abstract{true, graph.constant(node), 0};
        continue;
      }
      if (node.op == Opcode::fact) {
        const std::uint32_t fact = fact_index_[g][node.payload];
        if (assigned_[fact] >= 0) {
          out = Abstract{true, region_value(fact, static_cast<std::size_t>(assigned_[fact])), 0};
        } else {
          TruthMask mask = 0;
          const auto& regions = analysis_.facts()[fact].regions;
          for (std::size_t r = 0; r < regions.size(); ++r) {
            if (allowed(fact, r)) {
              mask |= truth_of(regions[r].value);
            }
          }
          out = Abstract{false, Value::null(), mask == 0 ? kTruthAny : mask};
        }
        continue;
      }
      std::size_t unknown = 0;
      std::size_t unknown_at = 0;
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!values[at[i]].known) {
          ++unknown;
          unknown_at = i;
        }
      }
      if (unknown == 0) {
        operands.clear();
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          operands.push_back(values[at[i]].value);
        }
        out = Abstract{true, apply_op(node.op, operands), 0};
        continue;
      }
      out = Abstract{false, Value::null(), kTruthAny};
      if (node.op == Opcode::if_then_else) {
        const Abstract& condition = values[at[0]];
        if (condition.known) {
          out = values[at[is_true_value(condition.value) ? 1 : 2]];
        } else {
          TruthMask mask = 0;
          if (condition.mask & kTruthTrue) {
            mask |= mask_of(values[at[1]]);
          }
          if (condition.mask & (kTruthFalse | kTruthUnknown)) {
            mask |= mask_of(values[at[2]]);
          }
          out.mask = mask == 0 ? kTruthAny : mask;
        }
        continue;
      }
      // A test of one unassigned fact against known values: every region's outcome.
      const Node& unknown_node = graph.node(inputs[unknown_at]);
      if (unknown == 1 && unknown_node.op == Opcode::fact &&
          (is_test(node.op) || is_kleene(node.op))) {
        const std::uint32_t fact = fact_index_[g][unknown_node.payload];
        operands.clear();
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          operands.push_back(values[at[i]].value);
        }
        TruthMask mask = 0;
        const auto& regions = analysis_.facts()[fact].regions;
        for (std::size_t r = 0; r < regions.size(); ++r) {
          if (allowed(fact, r)) {
            operands[unknown_at] = regions[r].value;
            mask |= truth_of(apply_op(node.op, operands));
          }
        }
        out.mask = mask == 0 ? kTruthAny : mask;
        continue;
      }
      // Logic over truth-value sets (sound: it forgets correlations between operands).
      if (is_kleene(node.op)) {
        TruthMask mask = 0;
        const TruthMask first = mask_of(values[at[0]]);
        const TruthMask second = inputs.size() > 1 ? mask_of(values[at[1]]) : 1;
        for (const TruthMask a : kTruthBits) {
          if (!(first & a)) {
            continue;
          }
          for (const TruthMask b : kTruthBits) {
            if (!(second & b)) {
              continue;
            }
            operands.clear();
            operands.push_back(truth_value(a));
            if (inputs.size() > 1) {
              operands.push_back(truth_value(b));
            }
            mask |= truth_of(apply_op(node.op, operands));
            if (inputs.size() == 1) {
              break;
            }
          }
        }
        out.mask = mask == 0 ? kTruthAny : mask;
        continue;
      }
      if (node.op == Opcode::in_list) {
        out.mask = kTruthTrue | kTruthFalse;  // `in` is never null
      }
      if (node.op == Opcode::at_least && values[at[0]].known) {
        // Every weight is positive (the compiler's form): true is possible when the items
        // that can be true reach the threshold; false when those that cannot be false stay
        // below it. Unknown stays possible (a superset: sound).
        const Value& threshold = values[at[0]].value;
        std::vector<Value> best{threshold, values[at[1]].value};
        std::vector<Value> worst{threshold, values[at[1]].value};
        for (std::size_t i = 2; i + 1 < inputs.size(); i += 2) {
          const TruthMask item = mask_of(values[at[i + 1]]);
          best.push_back(values[at[i]].value);
          worst.push_back(values[at[i]].value);
          best.push_back(truth_value((item & kTruthTrue) != 0 ? kTruthTrue : kTruthFalse));
          worst.push_back(truth_value((item & kTruthFalse) != 0 ? kTruthFalse : kTruthTrue));
        }
        const Value high = apply_op(node.op, best);
        const Value low = apply_op(node.op, worst);
        const bool can_be_true = is_true_value(high);
        const bool can_be_false = !low.is_null() && !low.as_boolean();
        out.mask = static_cast<TruthMask>(kTruthUnknown | (can_be_true ? kTruthTrue : 0U) |
                                          (can_be_false ? kTruthFalse : 0U));
      }
    }
  }

  // 1: every term surely holds; -1: some term cannot hold; 0: undecided.
  int goal_state() const {
    bool all = true;
    for (const GoalTerm& term : goal_) {
      TruthMask mask =
          term.node
              ? mask_of(values_[term.guideline][positions_[term.guideline].at(term.node->value)])
              : kTruthFalse;
      if (widen_outcomes_ && term.recommendation && (mask & kTruthUnknown) != 0) {
        // Where Kleene logic leaves the condition unknown, the exact outcome may be any.
        mask = kTruthAny;
      }
      if ((mask & term.wanted) == 0) {
        return -1;
      }
      if ((mask & ~term.wanted & kTruthAny) != 0) {
        all = false;
      }
    }
    return all ? 1 : 0;
  }

  bool inside(const Box& box, const std::vector<std::int64_t>& regions) const {
    for (std::size_t f = 0; f < box.allowed.size(); ++f) {
      if (box.allowed[f].empty()) {
        continue;
      }
      if (regions[f] < 0 || !box.allowed[f][static_cast<std::size_t>(regions[f])]) {
        return false;
      }
    }
    return true;
  }

  // Completes the assignment with default regions and confirms it concretely.
  bool confirm() {
    std::vector<std::int64_t> complete = assigned_;
    for (std::size_t f = 0; f < complete.size(); ++f) {
      if (complete[f] < 0) {
        complete[f] = first_allowed(f);
      }
    }
    for (const Box& box : excluded_) {
      if (inside(box, complete)) {
        return false;
      }
    }
    Assignment assignment;
    for (const std::int64_t region : complete) {
      assignment.regions.push_back(static_cast<std::uint32_t>(region));
    }
    std::vector<Value> node_values;
    for (std::size_t g = 0; g < values_.size(); ++g) {
      const FactSet facts = analysis_.fact_set(assignment, g);
      evaluate_graph(analysis_.guideline(g).graph(), facts, node_values);
      std::optional<Decision> decision;
      for (const GoalTerm& term : goal_) {
        if (term.guideline != g) {
          continue;
        }
        TruthMask mask = term.node ? truth_of(node_values[term.node->value]) : kTruthFalse;
        if (term.recommendation) {
          if (!decision) {
            decision = analysis_.guideline(g).evaluate(facts);
          }
          const Outcome outcome = decision->outcomes[*term.recommendation];
          mask = outcome == Outcome::recommended ? kTruthTrue
                 : outcome == Outcome::absent    ? kTruthFalse
                                                 : kTruthUnknown;
        }
        if ((mask & term.wanted) == 0) {
          return false;
        }
      }
    }
    for (const GoalTerm& term : goal_) {
      if (!term.node && (kTruthFalse & term.wanted) == 0) {
        return false;
      }
    }
    witness_ = std::move(assignment);
    return true;
  }

  bool descend(std::size_t depth) {
    if (++steps_ > analysis_.limits().max_steps || work_ > analysis_.limits().max_work) {
      limit_reached_ = true;
      return false;
    }
    for (std::size_t g = 0; g < values_.size(); ++g) {
      evaluate(g);
      work_ += cones_[g].size();
    }
    const int state = goal_state();
    if (state < 0) {
      return false;
    }
    for (const Box& box : excluded_) {
      if (inside(box, assigned_)) {
        return false;
      }
    }
    if (state > 0 && confirm()) {
      return true;
    }
    while (depth < variables_.size() && assigned_[variables_[depth]] >= 0) {
      ++depth;
    }
    if (depth == variables_.size()) {
      // Every fact placed, and the goal still open: an outcome Kleene logic leaves unknown,
      // which the evaluator settles.
      return state == 0 && confirm();
    }
    const std::uint32_t fact = variables_[depth];
    for (const std::uint32_t r : branch_regions_[fact]) {
      assigned_[fact] = static_cast<std::int64_t>(r);
      if (descend(depth + 1)) {
        return true;
      }
      if (limit_reached_) {
        break;
      }
    }
    assigned_[fact] = -1;
    return false;
  }

  const Analysis& analysis_;
  std::span<const std::vector<std::uint32_t>> fact_index_;
  std::span<const GoalTerm> goal_;
  const Box* within_;
  std::span<const Box> excluded_;
  std::vector<std::int64_t> assigned_;
  bool widen_outcomes_ = false;
  std::vector<std::vector<NodeId>> cones_;
  std::vector<std::vector<Abstract>> values_;  // per guideline, per cone node
  // Per guideline: cone position of each cone node, and of each cone node's operands.
  std::vector<std::unordered_map<std::uint32_t, std::uint32_t>> positions_;
  std::vector<std::vector<std::uint32_t>> operand_positions_;
  std::vector<std::vector<std::uint32_t>> operand_starts_;
  bool cone_exact_ = true;
  std::vector<std::uint32_t> variables_;
  std::vector<std::vector<std::uint32_t>> branch_regions_;  // per fact (variables only)
  Assignment witness_;
  std::size_t steps_ = 0;
  std::size_t work_ = 0;  // node evaluations, including the preparation of the query
  bool limit_reached_ = false;
};

bool same_type(const FactSpec& a, const FactSpec& b) {
  return a.type.kind == b.type.kind && a.type.dimension == b.type.dimension;
}

}  // namespace

namespace analysis_detail {

// What decides which values a fact accepts: type, dimension, limits and codes (in any order).
std::string validity_signature(const FactSpec& spec) {
  std::vector<std::string> codes = spec.codes;
  std::sort(codes.begin(), codes.end());
  const auto limit = [](const std::optional<Value>& value, bool inclusive) {
    return value ? fmt::format("{}{}", inclusive ? "=" : "", to_literal(*value)) : std::string();
  };
  std::string dimension;
  for (const std::int8_t exponent : spec.type.dimension.exponents) {
    dimension += fmt::format("{},", static_cast<int>(exponent));
  }
  return fmt::format("{}/{}/{}/{}/{}", static_cast<int>(spec.type.kind), dimension,
                     limit(spec.minimum, spec.minimum_inclusive),
                     limit(spec.maximum, spec.maximum_inclusive), fmt::join(codes, ","));
}

}  // namespace analysis_detail

std::string approximate_facts(const Analysis& analysis, std::span<const GoalTerm> goal) {
  // The facts grouped by reason, in the order the reasons first appear.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const std::uint32_t fact : analysis.facts_read(goal)) {
    const AnalysisFact& info = analysis.facts()[fact];
    if (info.exact || info.types_differ) {
      continue;
    }
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& entry) {
      return entry.first == info.approximate_because;
    });
    if (group == groups.end()) {
      group = groups.insert(groups.end(), {info.approximate_because, {}});
    }
    group->second.push_back(fmt::format("`{}`", info.name));
  }
  if (groups.empty()) {
    return "the analysis is approximate";
  }
  std::vector<std::string> parts;
  parts.reserve(groups.size());
  for (const auto& [reason, names] : groups) {
    parts.push_back(fmt::format("{} ({})", fmt::join(names, ", "), reason));
  }
  return fmt::format("the analysis is approximate for {}", fmt::join(parts, "; "));
}

std::string limit_text(const AnalysisLimits& limits) {
  return fmt::format("the search stopped at its limit of {} steps or {} node evaluations",
                     limits.max_steps, limits.max_work);
}

const char* query_status_name(QueryStatus status) {
  switch (status) {
    case QueryStatus::found: return "found";
    case QueryStatus::impossible: return "impossible";
    case QueryStatus::not_found: return "not found (approximate)";
    case QueryStatus::limit_reached: return "search limit reached";
  }
  return "?";
}

std::string fact_value_text(const Value& value) {
  if (value.is_null()) {
    return "absent";
  }
  return value.kind() == ValueKind::quantity ? to_text(value, TextStyle::fact_file)
                                             : to_literal(value);
}

std::string witness_text(const Guideline& guideline, const FactSet& witness) {
  std::vector<std::string> parts;
  const auto specs = guideline.facts();
  for (std::uint32_t i = 0; i < specs.size(); ++i) {
    const Value& value = witness.get(FactId{i});
    parts.push_back(
        fmt::format("{}: {}", specs[i].name, value.is_null() ? "null" : fact_value_text(value)));
  }
  return fmt::format("{{{}}}", fmt::join(parts, ", "));
}

Analysis::Analysis(std::vector<const Guideline*> guidelines, AnalysisLimits limits)
    : guidelines_(std::move(guidelines)), limits_(limits) {
  std::unordered_map<std::string, std::uint32_t> by_name;
  fact_index_.resize(guidelines_.size());
  for (std::size_t g = 0; g < guidelines_.size(); ++g) {
    const auto specs = guidelines_[g]->facts();
    for (std::uint32_t i = 0; i < specs.size(); ++i) {
      const auto [found, inserted] =
          by_name.emplace(specs[i].name, static_cast<std::uint32_t>(facts_.size()));
      if (inserted) {
        AnalysisFact fact;
        fact.name = specs[i].name;
        fact.ids.assign(guidelines_.size(), std::nullopt);
        fact.spec = &specs[i];
        facts_.push_back(std::move(fact));
      }
      facts_[found->second].ids[g] = FactId{i};
      fact_index_[g].push_back(found->second);
    }
  }
  add_fact_uses();
}

void Analysis::add_fact_uses() {
  FactDomainBuilder builder(facts_.size());
  for (std::size_t g = 0; g < guidelines_.size(); ++g) {
    std::vector<FactDomain> uses(facts_.size());
    builder.add_uses(guidelines_[g]->graph(), fact_index_[g], guidelines_[g]->facts(), uses);
    for (std::size_t f = 0; f < facts_.size(); ++f) {
      if (!uses[f].exact) {
        facts_[f].make_approximate(uses[f].approximate_because.c_str());
      }
    }
  }
  for (std::size_t f = 0; f < facts_.size(); ++f) {
    AnalysisFact& fact = facts_[f];
    for (std::size_t g = 0; g < guidelines_.size(); ++g) {
      if (fact.ids[g] && !same_type(*fact.spec, guidelines_[g]->facts()[fact.ids[g]->value])) {
        // Declared with different types: only the absent value is valid for both.
        fact.regions = {FactRegion{}};
        fact.exact = false;
        fact.types_differ = true;
        break;
      }
    }
    for (std::size_t g = 0; g < guidelines_.size(); ++g) {
      if (fact.ids[g] &&
          analysis_detail::validity_signature(*fact.spec) !=
              analysis_detail::validity_signature(guidelines_[g]->facts()[fact.ids[g]->value])) {
        fact.declarations_differ = true;
      }
    }
    if (fact.regions.empty()) {
      std::vector<const FactSpec*> declarations{fact.spec};
      for (std::size_t g = 0; g < guidelines_.size(); ++g) {
        if (fact.ids[g]) {
          declarations.push_back(&guidelines_[g]->facts()[fact.ids[g]->value]);
        }
      }
      builder.build(static_cast<std::uint32_t>(f), declarations,
                    DomainLimits{limits_.max_enumerated_integers, limits_.max_regions_per_fact},
                    fact, strings_);
    }
  }
}

bool Analysis::exact(std::span<const GoalTerm> goal) const {
  for (const std::uint32_t fact : facts_read(goal)) {
    if (!facts_[fact].exact) {
      return false;
    }
  }
  return true;
}

std::vector<std::uint32_t> Analysis::facts_read(std::span<const GoalTerm> goal) const {
  std::vector<bool> read(facts_.size(), false);
  for (std::size_t g = 0; g < guidelines_.size(); ++g) {
    const DecisionGraph& graph = guidelines_[g]->graph();
    for (const NodeId id : goal_cone(graph, goal, g)) {
      const Node& node = graph.node(id);
      if (node.op == Opcode::fact) {
        read[fact_index_[g][node.payload]] = true;
      }
    }
  }
  std::vector<std::uint32_t> out;
  for (std::uint32_t f = 0; f < read.size(); ++f) {
    if (read[f]) {
      out.push_back(f);
    }
  }
  return out;
}

QueryResult Analysis::find(std::span<const GoalTerm> goal, const Box* within,
                           std::span<const Box> excluded) const {
  Search search(*this, fact_index_, goal, within, excluded);
  return search.run();
}

FactSet Analysis::fact_set(const Assignment& assignment, std::size_t guideline) const {
  const auto specs = guidelines_[guideline]->facts();
  FactSet facts(specs.size());
  for (std::uint32_t i = 0; i < specs.size(); ++i) {
    const std::uint32_t fact = fact_index_[guideline][i];
    const Value& value = facts_[fact].regions[assignment.regions[fact]].value;
    if (value.kind() == ValueKind::string) {
      facts.set(FactId{i}, Value::string(facts.keep(value.as_string())));
    } else {
      facts.set(FactId{i}, value);
    }
  }
  return facts;
}

bool Analysis::contains(const Box& box, const Assignment& assignment) const {
  for (std::size_t f = 0; f < box.allowed.size(); ++f) {
    if (!box.allowed[f].empty() && !box.allowed[f][assignment.regions[f]]) {
      return false;
    }
  }
  return true;
}

Box Analysis::generalize(const Assignment& witness, std::span<const GoalTerm> goal,
                         std::size_t* work) const {
  Box box;
  box.allowed.resize(facts_.size());
  const std::vector<std::uint32_t> read = facts_read(goal);
  for (const std::uint32_t f : read) {
    box.allowed[f].assign(facts_[f].regions.size(), false);
    box.allowed[f][witness.regions[f]] = true;
  }
  // The box holds when no assignment in it violates a term of the goal.
  const auto holds = [&]() {
    for (const GoalTerm& term : goal) {
      const TruthMask others = static_cast<TruthMask>(~term.wanted & kTruthAny);
      if (others == 0) {
        continue;
      }
      const GoalTerm violation{term.guideline, term.node, others, term.recommendation};
      const QueryResult result = find(std::span<const GoalTerm>(&violation, 1), &box);
      if (work != nullptr) {
        *work += result.work;
      }
      if (result.status != QueryStatus::impossible) {
        return false;
      }
    }
    return true;
  };
  const auto try_add = [&](std::uint32_t f, std::size_t r) {
    box.allowed[f][r] = true;
    if (holds()) {
      return true;
    }
    box.allowed[f][r] = false;
    return false;
  };
  for (const std::uint32_t f : read) {
    const AnalysisFact& fact = facts_[f];
    const std::size_t count = fact.regions.size();
    const std::size_t start = witness.regions[f];
    if (fact.ordered && start > 0) {
      if (fact.exact) {
        for (std::size_t r = start - 1; r >= 1 && try_add(f, r); --r) {
        }
        for (std::size_t r = start + 1; r < count && try_add(f, r); ++r) {
        }
      }
      if (!box.allowed[f][0]) {
        try_add(f, 0);
      }
      continue;
    }
    for (std::size_t r = 0; r < count; ++r) {
      if (!box.allowed[f][r] && (!fact.ordered || r == 0 || fact.exact)) {
        try_add(f, r);
      }
    }
  }
  // A fact every region of which is allowed is unconstrained.
  for (std::size_t f = 0; f < box.allowed.size(); ++f) {
    if (!box.allowed[f].empty() &&
        std::all_of(box.allowed[f].begin(), box.allowed[f].end(), [](bool b) { return b; })) {
      box.allowed[f].clear();
    }
  }
  return box;
}

namespace {

std::string bound_text(const Value& value) {
  return fact_value_text(value);
}

// One run of consecutive ordered regions in words.
std::string run_text(const FactSpec& spec, FactRegion first, FactRegion last) {
  const std::string& name = spec.name;
  if (first.low && last.high && first.low_inclusive && last.high_inclusive &&
      same(*first.low, *last.high)) {
    return fmt::format("{} = {}", name, bound_text(*first.low));
  }
  // Bounds that are the fact's declared limits go without saying.
  if (first.low && spec.minimum && first.low_inclusive == spec.minimum_inclusive &&
      same(*first.low, *spec.minimum)) {
    first.low.reset();
  }
  if (last.high && spec.maximum && last.high_inclusive == spec.maximum_inclusive &&
      same(*last.high, *spec.maximum)) {
    last.high.reset();
  }
  if (!first.low && !last.high) {
    return fmt::format("{} is present", name);
  }
  if (!first.low) {
    return fmt::format("{} {} {}", name, last.high_inclusive ? "<=" : "<", bound_text(*last.high));
  }
  if (!last.high) {
    return fmt::format("{} {} {}", name, first.low_inclusive ? ">=" : ">", bound_text(*first.low));
  }
  return fmt::format("{} in {}{}, {}{}", name, first.low_inclusive ? "[" : "(",
                     bound_text(*first.low), bound_text(*last.high),
                     last.high_inclusive ? "]" : ")");
}

}  // namespace

std::string Analysis::describe(const Box& box) const {
  std::vector<std::string> parts;
  for (std::size_t f = 0; f < box.allowed.size(); ++f) {
    const std::vector<bool>& allowed = box.allowed[f];
    if (allowed.empty()) {
      continue;
    }
    const AnalysisFact& fact = facts_[f];

    std::vector<std::string> alternatives;
    const bool absent = allowed[0];
    std::size_t values = 0;
    for (std::size_t r = 1; r < allowed.size(); ++r) {
      values += allowed[r] ? 1 : 0;
    }
    if (values == 0 && !absent) {
      parts.emplace_back("no patient");
      continue;
    }
    if (values == allowed.size() - 1 && values > 0) {
      alternatives.push_back(fmt::format("{} is present", fact.name));
    } else if (fact.ordered && fact.exact) {
      for (std::size_t r = 1; r < allowed.size(); ++r) {
        if (!allowed[r]) {
          continue;
        }
        std::size_t last = r;
        while (last + 1 < allowed.size() && allowed[last + 1]) {
          ++last;
        }
        alternatives.push_back(run_text(*fact.spec, fact.regions[r], fact.regions[last]));
        r = last;
      }
    } else if (fact.spec->type.kind == TypeKind::boolean && values == 1) {
      alternatives.push_back(fmt::format("{} is {}", fact.name,
                                         allowed[1] ? fact_value_text(fact.regions[1].value)
                                                    : fact_value_text(fact.regions[2].value)));
    } else if (values > 0) {
      std::vector<std::string> listed;
      for (std::size_t r = 1; r < allowed.size(); ++r) {
        if (allowed[r]) {
          listed.push_back(fact_value_text(fact.regions[r].value));
        }
      }
      alternatives.push_back(listed.size() == 1
                                 ? fmt::format("{} = {}", fact.name, listed.front())
                                 : fmt::format("{} in {{{}}}", fact.name, fmt::join(listed, ", ")));
    }
    if (absent) {
      alternatives.insert(alternatives.begin(), fmt::format("{} is absent", fact.name));
    }
    std::string text = fmt::format("{}", fmt::join(alternatives, " or "));
    parts.push_back(alternatives.size() > 1 ? fmt::format("({})", text) : std::move(text));
  }
  if (parts.empty()) {
    return "every patient";
  }
  return fmt::format("{}", fmt::join(parts, " and "));
}
}  // namespace rubric

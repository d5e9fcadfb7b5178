// Exact outcomes: a recommendation whose condition Kleene logic leaves unknown is undetermined
// only if some values of the absent facts would make it and others would not
// (docs/semantics.md#exact-outcomes).
//
// The rule: the nodes known in the evaluation keep their values (absence read as a value, by
// `is null`, `in`, `if`, `case` or Coalesce, stays as CQL reads it); the absent facts that make
// the condition unknown are given every combination of region representatives of their
// domains (engine/fact_domains.hpp), and the unknown nodes evaluated again. The outcome is
// decided when every combination gives it, and only if the search was exhaustive: every
// such fact's domain covered (FactDomain::covered) and the work within kMaxSearchWork;
// otherwise Kleene's answer stands.
//
// Pruning: a combination of some of the facts that already makes the condition known decides
// every completion of it, because every operation but those that read null as a value keeps a
// known result when a null operand becomes known (reads_null_as_value), and those are given a
// value only once every operand that decides them is known.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/deciding.hpp"
#include "engine/guideline.hpp"
#include "engine/node_operations.hpp"
#include "engine/search_limits.hpp"

namespace rubric {
namespace {

constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();

// The outcomes a search has seen, as bits of a mask.
constexpr std::uint8_t kSeenTrue = 1;
constexpr std::uint8_t kSeenFalse = 2;
constexpr std::uint8_t kSeenUnknown = 4;

std::uint8_t seen_bit(std::uint8_t state) {
  return state == kStateTrue ? kSeenTrue : state == kStateFalse ? kSeenFalse : kSeenUnknown;
}

bool mixed(std::uint8_t seen) {
  return std::popcount(seen) > 1 || (seen & kSeenUnknown) != 0;
}

// True when a node whose value depends on one fact alone (its cone reads that fact and
// constants) is never unknown for a valid value of the fact and, either known when the fact
// is absent, or unknown then and the search (Guideline::settle) would find it true for some value
// and false for another: then Kleene logic's unknown is exact, and the fact is what it waits on. As
// in the search, the nodes of the cone that are known with the fact absent (absence read as a
// value: `if fact then 0 else 1` is 1) keep those values when the fact is given one. `cone` lists
// the node's cone in evaluation order, ending with the node; `values` and `absent` are working
// memory of the graph's size.
bool takes_both_values(const DecisionGraph& graph, std::span<const NodeId> cone,
                       const FactDomain& domain, std::vector<Value>& values,
                       std::vector<Value>& absent) {
  const auto evaluate = [&](const Value& fact, bool keep_known) {
    for (const NodeId id : cone) {
      const Node& node = graph.node(id);
      if (keep_known && !absent[id.value].is_null()) {
        values[id.value] = absent[id.value];
      } else if (node.op == Opcode::constant) {
        values[id.value] = graph.constant(node);
      } else if (node.op == Opcode::fact) {
        values[id.value] = fact;
      } else {
        const auto operands = graph.operands(node);
        values[id.value] = operations::compute(
            node.op, operands.size(),
            [&](std::size_t k) -> const Value& { return values[operands[k].value]; });
      }
    }
    return state_of(values[cone.back().value]);
  };
  const bool known_when_absent = evaluate(Value::null(), false) != kStateNull;
  for (const NodeId id : cone) {
    absent[id.value] = values[id.value];
  }
  std::uint8_t seen = 0;
  for (std::size_t r = 1; r < domain.regions.size(); ++r) {
    if (evaluate(domain.regions[r].value, false) == kStateNull) {
      return false;  // unknown for a present value: not for want of the fact alone
    }
    if (!known_when_absent) {
      seen |= seen_bit(evaluate(domain.regions[r].value, true));
    }
  }
  // Known whatever the fact (`side in {...}` is false when `side` is absent): never unknown.
  return known_when_absent || seen == (kSeenTrue | kSeenFalse);
}

// Kleene-exactness of the sub-expressions of a graph (see Guideline::kleene_exact): per node,
// whether Kleene logic decides it exactly, and the facts whose absence can make it unknown.
class KleeneExactness {
 public:
  KleeneExactness(const DecisionGraph& graph, std::span<const FactDomain> domains,
                  std::span<const FactSpec> specs)
      : graph_(graph),
        domains_(domains),
        specs_(specs),
        done_(graph.size(), 0),
        exact_(graph.size(), 0),
        facts_(graph.size()),
        cone_facts_(graph.size()) {}

  bool exact(NodeId root) {
    visit(root);
    return exact_[root.value] != 0;
  }

  // Whether the weighing items of a score node are each exact and share no fact
  // (ReportedName::independent_items).
  bool independent_items(NodeId score) {
    const auto operands = graph_.operands(graph_.node(score));
    std::vector<NodeId> items;
    for (std::size_t k = 0; k + 1 < operands.size(); k += 2) {
      if (graph_.constant(graph_.node(operands[k])).as_decimal() != Decimal()) {
        visit(operands[k + 1]);
        items.push_back(operands[k + 1]);
      }
    }
    scratch_facts_.clear();
    return disjoint_union(items, scratch_facts_);
  }

 private:
  // Operands are visited before the node (ids grow along evaluation order, so an explicit
  // stack ordered by id is never needed: a node's operands all have smaller ids).
  void visit(NodeId root) {
    std::vector<NodeId> stack{root};
    while (!stack.empty()) {
      const NodeId id = stack.back();
      if (done_[id.value] != 0) {
        stack.pop_back();
        continue;
      }
      bool ready = true;
      for (const NodeId operand : graph_.operands(graph_.node(id))) {
        if (done_[operand.value] == 0) {
          stack.push_back(operand);
          ready = false;
        }
      }
      if (ready) {
        stack.pop_back();
        decide(id);
        done_[id.value] = 1;
      }
    }
  }

  // The union of the operands' facts when every operand is exact and no fact is shared.
  bool join(NodeId id, std::span<const NodeId> operands) {
    return disjoint_union(operands, facts_[id.value]);
  }

  // Appends the operands' facts to `facts`; false when an operand is not exact or a fact is
  // shared (among the operands, or with what `facts` held).
  bool disjoint_union(std::span<const NodeId> operands, std::vector<std::uint32_t>& facts) const {
    for (const NodeId operand : operands) {
      if (exact_[operand.value] == 0) {
        return false;
      }
      for (const std::uint32_t fact : facts_[operand.value]) {
        if (std::find(facts.begin(), facts.end(), fact) != facts.end()) {
          return false;
        }
        facts.push_back(fact);
      }
    }
    return true;
  }

  // The facts of a node's cone: the union of its operands'.
  void collect_cone_facts(NodeId id) {
    const Node& node = graph_.node(id);
    std::vector<std::uint32_t>& facts = cone_facts_[id.value];
    if (node.op == Opcode::fact) {
      facts.push_back(node.payload);
      return;
    }
    for (const NodeId operand : graph_.operands(node)) {
      for (const std::uint32_t fact : cone_facts_[operand.value]) {
        if (std::find(facts.begin(), facts.end(), fact) == facts.end()) {
          facts.push_back(fact);
        }
      }
    }
  }

  // The node's cone, in evaluation order (into cone_).
  void collect_cone(NodeId id) {
    cone_.clear();
    std::vector<NodeId> stack{id};
    while (!stack.empty()) {
      const NodeId next = stack.back();
      stack.pop_back();
      if (std::find(cone_.begin(), cone_.end(), next) != cone_.end()) {
        continue;
      }
      cone_.push_back(next);
      for (const NodeId operand : graph_.operands(graph_.node(next))) {
        stack.push_back(operand);
      }
    }
    std::sort(cone_.begin(), cone_.end(), [](NodeId a, NodeId b) { return a.value < b.value; });
    values_.resize(graph_.size());
  }

  // A node reading one fact, through any operations: exact when that fact's values give it
  // both truth values and never none.
  bool single_fact_exact(NodeId id) {
    collect_cone(id);
    absent_values_.resize(graph_.size());
    return takes_both_values(graph_, cone_, domains_[cone_facts_[id.value].front()], values_,
                             absent_values_);
  }

  // The state of the node ending cone_ with facts f and g at the values of regions rf, rg.
  std::uint8_t state_at(std::uint32_t f, std::size_t rf, std::uint32_t g, std::size_t rg) {
    for (const NodeId id : cone_) {
      const Node& node = graph_.node(id);
      if (node.op == Opcode::constant) {
        values_[id.value] = graph_.constant(node);
      } else if (node.op == Opcode::fact) {
        values_[id.value] =
            node.payload == f ? domains_[f].regions[rf].value : domains_[g].regions[rg].value;
      } else {
        const auto operands = graph_.operands(node);
        values_[id.value] = operations::compute(
            node.op, operands.size(),
            [&](std::size_t k) -> const Value& { return values_[operands[k].value]; });
      }
    }
    return state_of(values_[cone_.back().value]);
  }

  // A node reading two facts (`score < limit`, `linux = unix`), through operations that
  // propagate null, checked on every pair of their regions, absent included: Kleene logic is
  // exact when, wherever it leaves the node unknown, the absent facts' values give it both
  // truth values and never none, and each absent fact changes it for some value of the
  // other. Bounded to small domains; both must be covered (FactDomain::covered).
  bool two_fact_exact(NodeId id) {
    constexpr std::size_t kMaxPairs = 4096;
    const std::uint32_t f = cone_facts_[id.value][0];
    const std::uint32_t g = cone_facts_[id.value][1];
    const std::size_t count_f = domains_[f].regions.size();
    const std::size_t count_g = domains_[g].regions.size();
    if (!domains_[f].covered() || !domains_[g].covered() || count_f * count_g > kMaxPairs) {
      return false;
    }
    collect_cone(id);
    for (const NodeId node : cone_) {
      const Opcode op = graph_.node(node).op;
      if (reads_null_as_value(op) || operator_info(op).family == OperatorFamily::score) {
        return false;
      }
    }
    // Both present: a known node, or unknown with no absent fact (Kleene's answer stands).
    for (std::size_t rg = 1; rg < count_g; ++rg) {  // f absent, g present
      if (state_at(f, 0, g, rg) == kStateNull) {
        std::uint8_t seen = 0;
        for (std::size_t rf = 1; rf < count_f; ++rf) {
          seen |= seen_bit(state_at(f, rf, g, rg));
        }
        if (seen != (kSeenTrue | kSeenFalse)) {
          return false;
        }
      }
    }
    for (std::size_t rf = 1; rf < count_f; ++rf) {  // g absent, f present
      if (state_at(f, rf, g, 0) == kStateNull) {
        std::uint8_t seen = 0;
        for (std::size_t rg = 1; rg < count_g; ++rg) {
          seen |= seen_bit(state_at(f, rf, g, rg));
        }
        if (seen != (kSeenTrue | kSeenFalse)) {
          return false;
        }
      }
    }
    if (state_at(f, 0, g, 0) != kStateNull) {
      return true;
    }
    std::uint8_t seen = 0;
    bool f_changes = false;
    bool g_changes = false;
    for (std::size_t rg = 1; rg < count_g; ++rg) {
      std::uint8_t along_f = 0;
      for (std::size_t rf = 1; rf < count_f; ++rf) {
        along_f |= seen_bit(state_at(f, rf, g, rg));
      }
      seen |= along_f;
      f_changes = f_changes || std::popcount(along_f) > 1;
    }
    for (std::size_t rf = 1; rf < count_f && !g_changes; ++rf) {
      std::uint8_t along_g = 0;
      for (std::size_t rg = 1; rg < count_g; ++rg) {
        along_g |= seen_bit(state_at(f, rf, g, rg));
      }
      g_changes = std::popcount(along_g) > 1;
    }
    return seen == (kSeenTrue | kSeenFalse) && f_changes && g_changes;
  }

  // `f <= g` (or `>=`, `=`, `!=`) between two facts of one numeric type (two integers, two
  // decimals, two quantities) without declared limits: whatever value one has, the other can
  // equal it or lie beyond it, so Kleene logic's unknown is exact and each absent one is
  // waited on. (Not `<` or `>`: nothing is below the smallest representable value.)
  bool unbounded_comparison(const Node& node) const {
    const Relation relation = operator_info(node.op).relation;
    if (relation != Relation::less_or_equal && relation != Relation::greater_or_equal &&
        relation != Relation::equal && relation != Relation::not_equal) {
      return false;
    }
    const auto operands = graph_.operands(node);
    std::optional<TypeKind> kind;
    for (const NodeId operand : operands) {
      const Node& input = graph_.node(operand);
      if (input.op != Opcode::fact) {
        return false;
      }
      const FactSpec& spec = specs_[input.payload];
      const bool numeric = spec.type.kind == TypeKind::integer ||
                           spec.type.kind == TypeKind::decimal ||
                           spec.type.kind == TypeKind::quantity;
      if (!numeric || spec.minimum || spec.maximum || (kind && *kind != spec.type.kind)) {
        return false;
      }
      kind = spec.type.kind;
    }
    return true;
  }

  // Never unknown for want of a fact, or a boolean operation or score comparison whose exact
  // parts share no fact.
  bool structurally_exact(NodeId id, const Node& node, std::span<const NodeId> operands) {
    if (node.op == Opcode::constant || node.op == Opcode::is_null || node.op == Opcode::is_true ||
        node.op == Opcode::is_false) {
      return true;
    }
    if (is_kleene(node.op)) {
      return join(id, operands);
    }
    if (node.op == Opcode::at_least && graph_.node(operands[0]).op == Opcode::constant &&
        graph_.node(operands[1]).op == Opcode::constant) {
      // Constant threshold and offset; independent exact items: the lowest and the highest
      // total of the range are both possible, so an unknown comparison is exact.
      std::vector<NodeId> items;
      for (std::size_t k = 3; k < operands.size(); k += 2) {
        items.push_back(operands[k]);
      }
      return join(id, items);
    }
    return false;
  }

  void decide(NodeId id) {
    collect_cone_facts(id);
    const Node& node = graph_.node(id);
    bool exact = structurally_exact(id, node, graph_.operands(node));
    if (!exact && cone_facts_[id.value].empty()) {
      exact = true;  // constants only: never unknown for want of a fact
    } else if (!exact && cone_facts_[id.value].size() == 1 && node.op != Opcode::fact) {
      facts_[id.value] = cone_facts_[id.value];
      exact = single_fact_exact(id);
    } else if (!exact && cone_facts_[id.value].size() == 2) {
      facts_[id.value] = cone_facts_[id.value];
      exact = unbounded_comparison(node) || two_fact_exact(id);
    } else if (!exact && node.op == Opcode::fact) {
      // As a boolean: absent, it is unknown, and both values are valid.
      facts_[id.value] = {node.payload};
      exact = domains_[node.payload].regions.size() > 2;
    }
    exact_[id.value] = exact ? 1 : 0;
  }

  const DecisionGraph& graph_;
  std::span<const FactDomain> domains_;
  std::span<const FactSpec> specs_;
  std::vector<std::uint8_t> done_;
  std::vector<std::uint8_t> exact_;
  std::vector<std::vector<std::uint32_t>> facts_;
  std::vector<std::vector<std::uint32_t>> cone_facts_;
  std::vector<NodeId> cone_;
  std::vector<Value> values_;
  std::vector<Value> absent_values_;
  std::vector<std::uint32_t> scratch_facts_;
};

// One recommendation's search, over the scratch's search fields.
//
// Its work, for s absent facts of R_1 ... R_s regions (C their product) over n search nodes,
// is at most (s^2 + s + 1) C evaluations of at most n nodes each: `outcomes` visits at most
// C choices at each of its s + 1 depths; `changes_outcome` for one fact visits at most
// C / R_f choices of the others at each of its s depths, at R_f evaluations each. So when
// (s + 1)^2 C n is within kMaxSearchWork, the search never runs out of work: Guideline::settle
// searches only then (Guideline::search_fits, with the cone's absent facts and size, which
// bound the search's), so its answer never depends on where the work stops, and `--emit-cpp`
// generates the same budget test before its enumeration.
class ExactSearch {
 public:
  ExactSearch(const DecisionGraph& graph, std::span<const FactDomain> domains,
              EvaluationScratch& scratch)
      : graph_(graph), domains_(domains), scratch_(scratch) {}

  // The state of the root under the current choices (the last search node is the root).
  std::uint8_t evaluate() {
    Value* values = scratch_.search_values.data();
    const std::size_t slots = scratch_.search_facts.size();
    std::size_t assigned = 0;
    for (std::size_t s = 0; s < slots; ++s) {
      assigned += scratch_.search_choice[s] != 0 ? 1 : 0;
    }
    const bool complete = assigned == slots;
    for (const NodeId id : scratch_.search_nodes) {
      const Node& node = graph_.node(id);
      ++work_;
      if (node.op == Opcode::fact) {
        const std::uint32_t slot = scratch_.fact_slots[node.payload];
        values[id.value] = domains_[node.payload].regions[scratch_.search_choice[slot]].value;
        continue;
      }
      const auto operands = graph_.operands(node);
      if (!complete && reads_null_as_value(node.op)) {
        bool decided = true;
        for_each_deciding_operand(
            deciding_rule(node.op), kStateNull, operands.size(),
            [&](std::size_t k) { return state_of(values[operands[k].value]); },
            [&](std::size_t k) { decided = decided && !values[operands[k].value].is_null(); });
        if (!decided) {
          values[id.value] = Value::null();
          continue;
        }
      }
      values[id.value] = operations::compute(
          node.op, operands.size(),
          [&](std::size_t k) -> const Value& { return values[operands[k].value]; });
    }
    return state_of(values[scratch_.search_nodes.back().value]);
  }

  // The outcomes of every completion of the choices of slots [0, depth) (stops early once
  // they are mixed or the work is spent).
  void outcomes(std::size_t depth) {
    const std::uint8_t state = evaluate();
    if (state != kStateNull || depth == scratch_.search_facts.size()) {
      seen_ |= seen_bit(state);
      return;
    }
    const FactDomain& domain = domains_[scratch_.search_facts[depth].value];
    for (std::uint32_t r = 1; r < domain.regions.size() && !mixed(seen_) && !spent(); ++r) {
      scratch_.search_choice[depth] = r;
      outcomes(depth + 1);
    }
    scratch_.search_choice[depth] = 0;
  }

  // True when some choice for the slots other than `slot` makes the outcome depend on the
  // fact of `slot` (`order` lists the other slots; [0, depth) of it are chosen).
  bool changes_outcome(std::uint32_t slot, std::span<const std::uint32_t> order,
                       std::size_t depth) {
    // The fact's values under the choices so far. A node known under them keeps its value in
    // every completion, so: two known outcomes that differ mean that the fact changes the
    // outcome; and if every path from the fact to the condition passes through a node that
    // is known and the same for all its values (the condition itself, when it is decided
    // whatever the fact's value), it changes nothing, whatever the open slots.
    const std::uint8_t seen = try_each_value(slot);
    const std::uint8_t known = seen & (kSeenTrue | kSeenFalse);
    if (depth == order.size() || known == (kSeenTrue | kSeenFalse)) {
      return std::popcount(seen) > 1;
    }
    if ((seen & kSeenUnknown) == 0 || !reaches_condition(slot)) {
      return false;
    }
    const std::uint32_t next = order[depth];
    const FactDomain& next_domain = domains_[scratch_.search_facts[next].value];
    bool changes = false;
    for (std::uint32_t r = 1; r < next_domain.regions.size() && !changes && !spent(); ++r) {
      scratch_.search_choice[next] = r;
      changes = changes_outcome(slot, order, depth + 1);
    }
    scratch_.search_choice[next] = 0;
    return changes;
  }

  // Evaluates the condition at each region of the fact of `slot` (the other choices as they
  // are); returns the outcomes seen, and marks in search_varies the search nodes whose value
  // is unknown at some region or not the same at all.
  std::uint8_t try_each_value(std::uint32_t slot) {
    const std::span<const NodeId> nodes = scratch_.search_nodes;
    const Value* values = scratch_.search_values.data();
    scratch_.search_first.resize(nodes.size());
    scratch_.search_varies.assign(nodes.size(), 0);
    const FactDomain& domain = domains_[scratch_.search_facts[slot].value];
    std::uint8_t seen = 0;
    for (std::uint32_t r = 1; r < domain.regions.size() && !spent(); ++r) {
      scratch_.search_choice[slot] = r;
      seen |= seen_bit(evaluate());
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        const Value& value = values[nodes[i].value];
        if (r == 1) {
          scratch_.search_first[i] = value;
        } else if (!identical(value, scratch_.search_first[i])) {
          scratch_.search_varies[i] = 1;
        }
        if (value.is_null()) {
          scratch_.search_varies[i] = 1;
        }
      }
    }
    scratch_.search_choice[slot] = 0;
    return seen;
  }

  // Whether a path of varying nodes (try_each_value) leads from the fact of `slot` to the
  // condition (the last search node). Operands come before their users in search_nodes, and
  // the nodes outside it are known and keep their values.
  bool reaches_condition(std::uint32_t slot) {
    const std::span<const NodeId> nodes = scratch_.search_nodes;
    std::vector<std::uint8_t>& influenced = scratch_.search_influenced;
    if (influenced.size() < graph_.size()) {
      influenced.assign(graph_.size(), 0);
    }
    const std::uint32_t fact = scratch_.search_facts[slot].value;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const Node& node = graph_.node(nodes[i]);
      if (node.op == Opcode::fact) {
        influenced[nodes[i].value] = node.payload == fact ? 1 : 0;
        continue;
      }
      bool from_fact = false;
      for (const NodeId operand : graph_.operands(node)) {
        from_fact = from_fact || influenced[operand.value] != 0;
      }
      influenced[nodes[i].value] = from_fact && scratch_.search_varies[i] != 0 ? 1 : 0;
    }
    const bool reaches = influenced[nodes.back().value] != 0;
    for (const NodeId id : nodes) {
      influenced[id.value] = 0;
    }
    return reaches;
  }

  // The lowest and highest amounts of the root (a score) over every completion of the choices
  // of slots [0, depth), into `low` and `high` (which start at the extremes seen so far);
  // stops once they reach `floor` and `ceiling` (the independent range: no total lies beyond
  // it), or the work is spent. Returns false when some completion leaves the root unknown.
  bool extremes(std::size_t depth, Int128& low, Int128& high, Int128 floor, Int128 ceiling) {
    evaluate();
    const Value& value = scratch_.search_values[scratch_.search_nodes.back().value];
    if (!value.is_null()) {
      const Int128 amount = operations::score_amount(value).value_or(0);
      low = std::min(low, amount);
      high = std::max(high, amount);
      return true;
    }
    if (depth == scratch_.search_facts.size()) {
      return false;
    }
    const FactDomain& domain = domains_[scratch_.search_facts[depth].value];
    bool resolved = true;
    for (std::uint32_t r = 1;
         r < domain.regions.size() && resolved && !spent() && (low > floor || high < ceiling);
         ++r) {
      scratch_.search_choice[depth] = r;
      resolved = extremes(depth + 1, low, high, floor, ceiling);
    }
    scratch_.search_choice[depth] = 0;
    return resolved;
  }

  [[nodiscard]] std::uint8_t seen() const { return seen_; }
  [[nodiscard]] bool spent() const { return work_ > kMaxSearchWork; }

 private:
  const DecisionGraph& graph_;
  std::span<const FactDomain> domains_;
  EvaluationScratch& scratch_;
  std::uint8_t seen_ = 0;
  std::size_t work_ = 0;
};

}  // namespace

void Guideline::prepare_exact_outcomes() {
  fact_domains_.assign(facts_.size(), FactDomain{});
  FactDomainBuilder builder(facts_.size());
  std::vector<std::uint32_t> identity(facts_.size());
  for (std::uint32_t f = 0; f < identity.size(); ++f) {
    identity[f] = f;
  }
  builder.add_uses(graph_, identity, facts_, fact_domains_);
  for (std::uint32_t f = 0; f < facts_.size(); ++f) {
    const FactSpec* declaration = &facts_[f];
    builder.build(f, std::span<const FactSpec* const>(&declaration, 1), DomainLimits{},
                  fact_domains_[f], domain_strings_);
  }
  KleeneExactness exactness(graph_, fact_domains_, facts_);
  kleene_exact_.clear();
  cone_facts_.clear();
  cone_sizes_.clear();
  std::vector<std::uint8_t> in_cone(graph_.size(), 0);
  for (RecommendationInfo& info : recommendations_) {
    std::fill(in_cone.begin(), in_cone.end(), 0);
    in_cone[info.condition.value] = 1;
    std::uint32_t size = 0;
    std::vector<FactId>& cone_facts = cone_facts_.emplace_back();
    for (std::uint32_t i = info.condition.value + 1; i-- > 0;) {
      if (in_cone[i] == 0) {
        continue;
      }
      ++size;
      const Node& node = graph_.node(NodeId{i});
      if (node.op == Opcode::fact) {
        cone_facts.push_back(FactId{node.payload});
      }
      for (const NodeId operand : graph_.operands(node)) {
        in_cone[operand.value] = 1;
      }
    }
    cone_sizes_.push_back(size);
    kleene_exact_.push_back(exactness.exact(info.condition) ? 1 : 0);
    for (ReportedName& name : info.reported) {
      name.independent_items =
          graph_.node(name.node).op == Opcode::score && exactness.independent_items(name.node);
    }
  }
}

void Guideline::sort_by_name(std::vector<FactId>& facts) const {
  std::sort(facts.begin(), facts.end(),
            [this](FactId a, FactId b) { return facts_[a.value].name < facts_[b.value].name; });
}

bool Guideline::begin_search(NodeId root, const FactSet& facts, EvaluationScratch& scratch) const {
  if (!scratch.search_ready) {
    evaluate_graph(graph_, facts, scratch.search_values);
    scratch.search_ready = true;
  }
  if (scratch.fact_slots.size() < facts_.size()) {
    scratch.fact_slots.assign(facts_.size(), kNoSlot);
  }
  // The unknown nodes the root's value flows from, and the absent facts among them: the walk
  // of the missing facts (a known `if` condition keeps to its branch), in evaluation order.
  const Value* values = scratch.search_values.data();
  const auto unknown = [&](NodeId id) { return values[id.value].is_null(); };
  scratch.search_nodes.clear();
  scratch.search_facts.clear();
  walk_to_facts(
      root, scratch, scratch.search_facts, [&](NodeId id, const Node& node, const auto& push) {
        scratch.search_nodes.push_back(id);
        const auto operands = graph_.operands(node);
        const auto follow = [&](NodeId operand) {
          if (unknown(operand)) {
            push(operand);
          }
        };
        if (deciding_rule(node.op) == DecidingRule::conditional && !unknown(operands[0])) {
          const Value& condition = values[operands[0].value];
          follow(condition.kind() == ValueKind::boolean && condition.as_boolean() ? operands[1]
                                                                                  : operands[2]);
        } else if (node.op == Opcode::score) {
          for_each_weighing_item(node, follow);
        } else {
          for (const NodeId operand : operands) {
            follow(operand);
          }
        }
      });
  for (const FactId fact : scratch.search_facts) {
    scratch.search_nodes.push_back(*fact_node(fact));
  }
  std::sort(scratch.search_nodes.begin(), scratch.search_nodes.end(),
            [](NodeId a, NodeId b) { return a.value < b.value; });
  std::sort(scratch.search_facts.begin(), scratch.search_facts.end(),
            [](FactId a, FactId b) { return a.value < b.value; });
  const std::size_t slots = scratch.search_facts.size();
  scratch.search_choice.assign(slots, 0);
  bool exhaustive = true;
  for (std::size_t s = 0; s < slots; ++s) {
    scratch.fact_slots[scratch.search_facts[s].value] = static_cast<std::uint32_t>(s);
    exhaustive = exhaustive && fact_domains_[scratch.search_facts[s].value].covered();
  }
  return exhaustive;
}

void Guideline::end_search(EvaluationScratch& scratch) const {
  // The nodes searched were all unknown in the evaluation: so they are again, for the next
  // search.
  for (const NodeId id : scratch.search_nodes) {
    scratch.search_values[id.value] = Value::null();
  }
  for (const FactId fact : scratch.search_facts) {
    scratch.fact_slots[fact.value] = kNoSlot;
  }
}

bool Guideline::search_fits(std::size_t recommendation, const FactSet& facts) const {
  __extension__ using UInt128 = unsigned __int128;
  UInt128 combinations = 1;
  UInt128 absent = 0;
  for (const FactId fact : cone_facts_[recommendation]) {
    if (facts.get(fact).is_null()) {
      ++absent;
      combinations *= std::max<std::size_t>(fact_domains_[fact.value].regions.size() - 1, 1);
      if (combinations > kMaxSearchWork) {
        return false;
      }
    }
  }
  return (absent + 1) * (absent + 1) * combinations * cone_sizes_[recommendation] <= kMaxSearchWork;
}

Outcome Guideline::settle(std::size_t recommendation, const FactSet& facts,
                          EvaluationScratch& scratch, std::vector<FactId>& missing,
                          std::vector<FactId>& despite) const {
  const NodeId root = recommendations_[recommendation].condition;
  if (!search_fits(recommendation, facts)) {
    collect_missing(root, scratch, missing);
    return Outcome::undetermined;
  }
  const bool exhaustive = begin_search(root, facts, scratch);
  const std::size_t slots = scratch.search_facts.size();
  const auto kleene = [&] {
    collect_missing(root, scratch, missing);
    return Outcome::undetermined;
  };
  const auto finish = [&](Outcome outcome) {
    end_search(scratch);
    return outcome;
  };
  if (slots == 0) {
    return finish(kleene());  // unknown with every fact it reads present
  }
  ExactSearch search(graph_, fact_domains_, scratch);
  search.outcomes(0);
  const std::uint8_t seen = search.seen();
  if (search.spent() || (!mixed(seen) && !exhaustive)) {
    return finish(kleene());
  }
  if (!mixed(seen)) {
    // Decided: despite the facts Kleene logic would have waited on.
    const Outcome outcome = seen == kSeenTrue ? Outcome::recommended : Outcome::absent;
    finish(outcome);
    collect_missing(root, scratch, despite);
    return outcome;
  }
  if (!exhaustive) {
    return finish(kleene());
  }
  // Undetermined: the facts some value of which changes the outcome, given some values of the
  // others.
  std::vector<std::uint32_t>& order = scratch.search_order;
  for (std::uint32_t slot = 0; slot < slots; ++slot) {
    order.clear();
    for (std::uint32_t other = 0; other < slots; ++other) {
      if (other != slot) {
        order.push_back(other);
      }
    }
    if (search.changes_outcome(slot, order, 0)) {
      missing.push_back(scratch.search_facts[slot]);
    }
    if (search.spent()) {
      missing.clear();
      return finish(kleene());
    }
  }
  sort_by_name(missing);
  return finish(Outcome::undetermined);
}

std::optional<std::pair<Int128, Int128>> Guideline::score_extremes(NodeId score,
                                                                   const FactSet& facts,
                                                                   EvaluationScratch& scratch,
                                                                   Int128 bound_low,
                                                                   Int128 bound_high) const {
  // Every completion's total lies in [bound_low, bound_high]: the extremes start beyond it.
  Int128 low = bound_high + 1;
  Int128 high = bound_low - 1;
  bool found = begin_search(score, facts, scratch) && !scratch.search_facts.empty();
  // The enumeration evaluates at most 2 C nodes' worth of the n search nodes (C the product
  // of the absent facts' region counts): searched only when that fits the budget.
  std::size_t combinations = 1;
  for (const FactId fact : scratch.search_facts) {
    if (!found) {
      break;
    }
    combinations *= std::max<std::size_t>(fact_domains_[fact.value].regions.size() - 1, 1);
    found = combinations <= kMaxSearchWork / 2 / scratch.search_nodes.size();
  }
  if (found) {
    ExactSearch search(graph_, fact_domains_, scratch);
    found = search.extremes(0, low, high, bound_low, bound_high) && !search.spent();
  }
  end_search(scratch);
  if (!found) {
    return std::nullopt;
  }
  return std::pair{low, high};
}

}  // namespace rubric

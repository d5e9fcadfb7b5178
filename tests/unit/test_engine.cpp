// The engine (engine/guideline.hpp, engine/graph.hpp, engine/expression.hpp): small rule
// files compiled from text, checked for the decision graph's invariants (hash-consing,
// topological order, one node per fact), for the evaluation of every opcode, for Kleene
// three-valued outcomes and the facts an undetermined recommendation waits on, for the
// facts that decided a known outcome, for the scratch-reusing and concurrent evaluation,
// and for standalone expressions (`rubric expr`).
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/expression.hpp"
#include "engine/guideline.hpp"
#include "support.hpp"
#include "values/units.hpp"

namespace rubric {
namespace {

// ---- Helpers ---------------------------------------------------------------------------

constexpr const char* kHeader =
    "guideline \"engine-test\" title \"Engine test\" version \"0.1\"\n"
    "source 1 \"A source\"\n";

// `recommendation ID kind refer text "ID" cite 1 when CONDITION`.
std::string recommendation(const std::string& id, const std::string& condition) {
  return fmt::format("recommendation {}\n  kind refer\n  text \"{}\"\n  cite 1\n  when {}\n", id,
                     id, condition);
}

struct Compiled {
  SourceManager sources;
  Diagnostics diagnostics;
  std::shared_ptr<const Guideline> guideline;

  [[nodiscard]] std::string messages() const { return format_diagnostics(sources, diagnostics); }
};

// Compiles the header plus `body`; the guideline is null when the text has errors.
std::unique_ptr<Compiled> try_compile(const std::string& body) {
  auto compiled = std::make_unique<Compiled>();
  const FileId file = compiled->sources.add("test.rubric", kHeader + body);
  compiled->guideline = Guideline::compile(compiled->sources, file, compiled->diagnostics);
  return compiled;
}

// Compiles the header plus `body` and requires it to be free of errors.
std::shared_ptr<const Guideline> compile(const std::string& body) {
  const auto compiled = try_compile(body);
  INFO(compiled->messages());
  REQUIRE(compiled->guideline != nullptr);
  REQUIRE_FALSE(compiled->diagnostics.has_errors());
  return compiled->guideline;
}

using rubric::testing::read_text;

std::shared_ptr<const Guideline> seed_guideline() {
  static const std::shared_ptr<const Guideline> seed = [] {
    SourceManager sources;
    const FileId file = sources.add(
        "vertebral-fracture-grade1.rubric",
        read_text(std::string(RUBRIC_SOURCE_DIR) +
                  "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric"));
    Diagnostics diagnostics;
    auto guideline = Guideline::compile(sources, file, diagnostics);
    if (guideline == nullptr) {
      FAIL(format_diagnostics(sources, diagnostics));
    }
    return guideline;
  }();
  return seed;
}

Decimal number(std::string_view text) {
  const auto parsed = Decimal::parse(text);
  REQUIRE(parsed);
  return *parsed;
}

Value B(bool value) {
  return Value::boolean(value);
}
Value I(std::int32_t value) {
  return Value::integer(value);
}
Value D(std::string_view text) {
  return Value::decimal(number(text));
}
Value Q(std::string_view amount, std::string_view unit) {
  const Unit* found = find_unit(unit);
  REQUIRE(found != nullptr);
  return Value::quantity(number(amount), *found);
}

// A fact set for a guideline, filled by name.
class Facts {
 public:
  explicit Facts(const Guideline& guideline)
      : guideline_(guideline), facts_(guideline.facts().size()) {}

  Facts& set(std::string_view name, const Value& value) {
    const auto id = guideline_.find_fact(name);
    INFO("fact " << name);
    REQUIRE(id);
    facts_.set(*id, value);
    return *this;
  }
  Facts& text(std::string_view name, std::string_view value) {
    const std::string_view kept = facts_.keep(value);
    return set(name, Value::string(kept));
  }
  [[nodiscard]] const FactSet& get() const { return facts_; }

 private:
  const Guideline& guideline_;
  FactSet facts_;
};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

std::vector<std::string> fact_names(const Guideline& guideline, const std::vector<FactId>& ids) {
  std::vector<std::string> names;
  for (const FactId id : ids) {
    names.push_back(guideline.facts()[id.value].name);
  }
  return names;
}

// "recommended", "absent" or "undetermined [a, b]", for readable failures.
std::string describe(const Guideline& guideline, const Decision& decision, std::size_t r) {
  switch (decision.outcomes[r]) {
    case Outcome::recommended: return "recommended";
    case Outcome::absent: return "absent";
    case Outcome::undetermined:
      return "undetermined [" + join(fact_names(guideline, decision.missing[r])) + "]";
  }
  return "?";
}

std::string outcome_of(const Guideline& guideline, const FactSet& facts, std::string_view id) {
  const auto index = guideline.find_recommendation(id);
  INFO("recommendation " << id);
  REQUIRE(index);
  return describe(guideline, guideline.evaluate(facts), *index);
}

// Compiles one recommendation `r` over `facts_declared` and evaluates it.
std::string decide(const std::string& facts_declared, const std::string& condition,
                   const std::function<void(Facts&)>& fill) {
  const auto guideline = compile(facts_declared + recommendation("r", condition));
  Facts facts(*guideline);
  fill(facts);
  return outcome_of(*guideline, facts.get(), "r");
}

std::size_t count_nodes(const Guideline& guideline, Opcode op) {
  std::size_t count = 0;
  for (const Node& node : guideline.graph().nodes()) {
    count += node.op == op ? 1 : 0;
  }
  return count;
}

// Constant nodes whose value prints as `literal` (and is of `kind`).
std::size_t count_constants(const Guideline& guideline, ValueKind kind, std::string_view literal) {
  std::size_t count = 0;
  const DecisionGraph& graph = guideline.graph();
  for (const Node& node : graph.nodes()) {
    if (node.op == Opcode::constant && graph.constant(node).kind() == kind &&
        to_literal(graph.constant(node)) == literal) {
      ++count;
    }
  }
  return count;
}

NodeId condition_of(const Guideline& guideline, std::string_view id) {
  const auto index = guideline.find_recommendation(id);
  REQUIRE(index);
  return guideline.recommendations()[*index].condition;
}

// The graph's invariants: operands before users, operand counts fitting the opcode, fact
// nodes one per fact and found by fact_node(), every root a node of the graph.
void check_graph_invariants(const Guideline& guideline) {
  const DecisionGraph& graph = guideline.graph();
  const auto nodes = graph.nodes();
  std::vector<int> fact_seen(guideline.facts().size(), 0);
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    const Node& node = nodes[i];
    INFO("node %" << i << " " << opcode_name(node.op));
    for (const NodeId operand : graph.operands(node)) {
      CHECK(operand.value < i);
    }
    const std::size_t count = graph.operands(node).size();
    switch (node.op) {
      case Opcode::constant: CHECK(count == 0); break;
      case Opcode::fact:
        CHECK(count == 0);
        REQUIRE(node.payload < guideline.facts().size());
        ++fact_seen[node.payload];
        CHECK(guideline.fact_node(FactId{node.payload}) == std::optional<NodeId>(NodeId{i}));
        break;
      case Opcode::logical_not:
      case Opcode::negate:
      case Opcode::to_decimal:
      case Opcode::is_null:
      case Opcode::is_true:
      case Opcode::is_false: CHECK(count == 1); break;
      case Opcode::in_list:
      case Opcode::coalesce: CHECK(count >= 1); break;
      case Opcode::if_then_else: CHECK(count == 3); break;
      default: CHECK(count == 2); break;
    }
  }
  for (std::uint32_t f = 0; f < fact_seen.size(); ++f) {
    INFO("fact " << guideline.facts()[f].name);
    CHECK(fact_seen[f] <= 1);
    CHECK(guideline.fact_node(FactId{f}).has_value() == (fact_seen[f] == 1));
  }
  for (const RecommendationInfo& info : guideline.recommendations()) {
    CHECK(info.condition.value < nodes.size());
  }
  for (const DefinitionInfo& info : guideline.definitions()) {
    CHECK(info.value.value < nodes.size());
  }
}

// ---- Compilation: hash-consing ---------------------------------------------------------

TEST_CASE("a sub-expression shared by two recommendations is one node", "[engine][graph]") {
  const auto guideline =
      compile("fact a: boolean\nfact b: boolean\nfact c: boolean\n" +
              recommendation("r1", "a and b") + recommendation("r2", "(a and b) or c") +
              recommendation("r3", "c or (a and b)") + recommendation("r4", "a and b"));
  CHECK(count_nodes(*guideline, Opcode::logical_and) == 1);
  CHECK(count_nodes(*guideline, Opcode::logical_or) == 2);
  CHECK(count_nodes(*guideline, Opcode::fact) == 3);
  // Identical conditions are the same node.
  CHECK(condition_of(*guideline, "r1") == condition_of(*guideline, "r4"));
  const DecisionGraph& graph = guideline->graph();
  const auto r2 = graph.operands(graph.node(condition_of(*guideline, "r2")));
  REQUIRE(r2.size() == 2);
  CHECK(r2[0] == condition_of(*guideline, "r1"));
  const auto r3 = graph.operands(graph.node(condition_of(*guideline, "r3")));
  REQUIRE(r3.size() == 2);
  CHECK(r3[1] == condition_of(*guideline, "r1"));
  // 3 facts + and + 2 ors.
  CHECK(graph.size() == 6);
  check_graph_invariants(*guideline);
}

TEST_CASE("a definition used three times compiles once", "[engine][graph]") {
  const std::string facts = "fact x: integer\nfact y: boolean\nfact z: boolean\n";
  const auto guideline =
      compile(facts + "define d = x > 5 and y\n" + recommendation("one", "d") +
              recommendation("two", "d and z") + recommendation("three", "z or not d"));
  CHECK(count_nodes(*guideline, Opcode::greater) == 1);
  CHECK(count_nodes(*guideline, Opcode::logical_and) == 2);  // d, d and z
  REQUIRE(guideline->definitions().size() == 1);
  const NodeId d = guideline->definitions()[0].value;
  CHECK(guideline->definitions()[0].name == "d");
  CHECK(condition_of(*guideline, "one") == d);
  const DecisionGraph& graph = guideline->graph();
  CHECK(graph.operands(graph.node(condition_of(*guideline, "two")))[0] == d);
  // x, 5, >, y, and, z, and, not, or.
  CHECK(graph.size() == 9);

  // Writing the definition's text out three times gives the same graph: hash-consing does
  // not depend on definitions.
  const auto inlined = compile(facts + recommendation("one", "x > 5 and y") +
                               recommendation("two", "(x > 5 and y) and z") +
                               recommendation("three", "z or not (x > 5 and y)"));
  CHECK(inlined->graph().size() == graph.size());
  check_graph_invariants(*guideline);
  check_graph_invariants(*inlined);
}

TEST_CASE("definitions built on definitions share every level", "[engine][graph]") {
  const auto guideline = compile(
      "fact a: boolean\nfact b: boolean\nfact c: boolean\n"
      "define ab = a and b\ndefine abc = ab or c\ndefine not_abc = not abc\n" +
      recommendation("r1", "ab") + recommendation("r2", "abc") + recommendation("r3", "not_abc") +
      recommendation("r4", "abc and ab"));
  CHECK(count_nodes(*guideline, Opcode::logical_and) == 2);
  CHECK(count_nodes(*guideline, Opcode::logical_or) == 1);
  CHECK(count_nodes(*guideline, Opcode::logical_not) == 1);
  // Definitions are listed in dependency order.
  REQUIRE(guideline->definitions().size() == 3);
  CHECK(guideline->definitions()[0].name == "ab");
  CHECK(guideline->definitions()[1].name == "abc");
  CHECK(guideline->definitions()[2].name == "not_abc");
  check_graph_invariants(*guideline);
}

TEST_CASE("identical constants are one node", "[engine][graph]") {
  const auto guideline = compile(
      "fact x: integer\nfact y: integer\nfact t: duration\nfact s: string\nfact d: decimal\n"
      "parameter five = 5\n" +
      recommendation("r1", "x > 5") + recommendation("r2", "y < 5") +
      recommendation("r3", "x + y = five") + recommendation("r4", "t > 4 weeks") +
      recommendation("r5", "t < 4 weeks + 4 weeks") + recommendation("r6", "s = 'left'") +
      recommendation("r7", "s in {'left', 'right', 'left'}") +
      recommendation("r8", "d > 5.0 or d < 2.5 or d = 2.5"));
  CHECK(count_constants(*guideline, ValueKind::integer, "5") == 1);
  CHECK(count_constants(*guideline, ValueKind::quantity, "4 weeks") == 1);
  CHECK(count_constants(*guideline, ValueKind::string, "'left'") == 1);
  CHECK(count_constants(*guideline, ValueKind::string, "'right'") == 1);
  CHECK(count_constants(*guideline, ValueKind::decimal, "2.5") == 1);
  // Equal values of different kinds or units stay apart: the kind decides how a result prints.
  CHECK(count_constants(*guideline, ValueKind::decimal, "5.0") == 1);
  const DecisionGraph& graph = guideline->graph();
  std::size_t constants = 0;
  for (const Node& node : graph.nodes()) {
    if (node.op != Opcode::constant) {
      continue;
    }
    ++constants;
    for (const Node& other : graph.nodes()) {
      if (&other != &node && other.op == Opcode::constant) {
        CHECK_FALSE(identical(graph.constant(node), graph.constant(other)));
      }
    }
  }
  CHECK(constants == 6);  // 5, 4 weeks, 'left', 'right', 5.0, 2.5
  check_graph_invariants(*guideline);
}

TEST_CASE("constants that differ only in case, unit or kind are different nodes",
          "[engine][graph]") {
  const auto guideline = compile("fact s: string\nfact t: duration\nfact d: decimal\n" +
                                 recommendation("r1", "s = 'a' or s = 'A'") +
                                 recommendation("r2", "t = 1 day or t = 24 hours") +
                                 recommendation("r3", "d = 1 or d = 1.0"));
  CHECK(count_constants(*guideline, ValueKind::string, "'a'") == 1);
  CHECK(count_constants(*guideline, ValueKind::string, "'A'") == 1);
  CHECK(count_nodes(*guideline, Opcode::constant) == 6);
  Facts facts(*guideline);
  facts.text("s", "A").set("t", Q("24", "hours")).set("d", D("1"));
  CHECK(outcome_of(*guideline, facts.get(), "r1") == "recommended");
  CHECK(outcome_of(*guideline, facts.get(), "r2") == "recommended");
  CHECK(outcome_of(*guideline, facts.get(), "r3") == "recommended");
}

TEST_CASE("the seed guideline's graph keeps the invariants", "[engine][graph]") {
  const auto guideline = seed_guideline();
  check_graph_invariants(*guideline);
  // Every declared fact of the seed is read, by exactly one node.
  CHECK(count_nodes(*guideline, Opcode::fact) == guideline->facts().size());
  // `conservative` is one node on which 14 recommendations build (all but the two red-flag
  // ones), directly or through `analgesics_allowed`.
  std::size_t conservative_users = 0;
  const auto definitions = guideline->definitions();
  const auto conservative =
      std::find_if(definitions.begin(), definitions.end(),
                   [](const DefinitionInfo& info) { return info.name == "conservative"; });
  REQUIRE(conservative != definitions.end());
  for (const RecommendationInfo& info : guideline->recommendations()) {
    if (info.condition == conservative->value) {
      ++conservative_users;
      continue;
    }
    // `conservative and ...`: conservative on the left spine of the and-chain.
    NodeId at = info.condition;
    while (guideline->graph().node(at).op == Opcode::logical_and && !(at == conservative->value)) {
      at = guideline->graph().operands(guideline->graph().node(at))[0];
    }
    if (at == conservative->value) {
      ++conservative_users;
    }
  }
  CHECK(conservative_users == 14);
}

TEST_CASE("a fact no expression reads has no fact node", "[engine][graph]") {
  const auto compiled =
      try_compile("fact used: boolean\nfact unused: boolean\n" + recommendation("r", "used"));
  REQUIRE(compiled->guideline != nullptr);
  const Guideline& guideline = *compiled->guideline;
  CHECK(guideline.fact_node(*guideline.find_fact("used")).has_value());
  CHECK_FALSE(guideline.fact_node(*guideline.find_fact("unused")).has_value());
  CHECK_FALSE(guideline.fact_node(FactId{99}).has_value());
  // The checker warned about the unused fact; the guideline compiled anyway.
  const auto& all = compiled->diagnostics.all();
  CHECK(std::any_of(all.begin(), all.end(), [](const Diagnostic& d) { return d.code == "W0301"; }));
  check_graph_invariants(guideline);
}

TEST_CASE("a rule file with errors compiles to nothing", "[engine]") {
  const auto compiled = try_compile("fact a: boolean\n" + recommendation("r", "a and nope"));
  CHECK(compiled->guideline == nullptr);
  CHECK(compiled->diagnostics.has_errors());
  CHECK_THAT(compiled->messages(), Catch::Matchers::Contains("nope"));
  const auto not_boolean = try_compile("fact x: integer\n" + recommendation("r", "x + 1"));
  CHECK(not_boolean->guideline == nullptr);
}

TEST_CASE("the guideline keeps its header, sources and recommendation details", "[engine]") {
  const auto guideline = compile(
      "source 2 \"Second\"\nfact a: boolean\nparameter dose = 1000 'mg/d'\n"
      "recommendation r\n  kind prescribe\n  text \"Take it.\"\n  cite 2, 1\n"
      "  evidence \"Class I\"\n  carry dose\n  when a\n");
  CHECK(guideline->id() == "engine-test");
  CHECK(guideline->title() == "Engine test");
  CHECK(guideline->version() == "0.1");
  REQUIRE(guideline->sources().size() == 2);
  CHECK(guideline->sources()[0].number == 1);
  CHECK(guideline->source(2)->citation == "Second");
  CHECK(guideline->source(3) == nullptr);
  const RecommendationInfo& info = guideline->recommendations()[0];
  CHECK(info.kind == "prescribe");
  CHECK(info.text == "Take it.");
  CHECK(info.citations == std::vector<std::uint32_t>{2, 1});
  CHECK(info.evidence == std::optional<std::string>("Class I"));
  REQUIRE(info.parameters.size() == 1);
  CHECK(info.parameters[0].name == "dose");
  CHECK(to_literal(info.parameters[0].value) == "1000 'mg/d'");
  CHECK_FALSE(guideline->find_recommendation("nope").has_value());
}

// ---- Evaluation: every opcode ----------------------------------------------------------

struct Row {
  const char* condition;
  const char* expected;
};

TEST_CASE("every opcode evaluates through a recommendation", "[engine][evaluate]") {
  // a = true, b = false, n absent; i = 7, j = 2, k absent; d = 2.5; t = 10 weeks;
  // s = 'left'; u absent (string).
  const std::vector<Row> rows = {
      // constant, fact
      {"true", "recommended"},
      {"false", "absent"},
      {"a", "recommended"},
      {"n", "undetermined [n]"},
      // not, and, or, xor, implies
      {"not b", "recommended"},
      {"not a", "absent"},
      {"not n", "undetermined [n]"},
      {"a and a", "recommended"},
      {"a and b", "absent"},
      {"a and n", "undetermined [n]"},
      {"b and n", "absent"},
      {"a or b", "recommended"},
      {"b or b", "absent"},
      {"b or n", "undetermined [n]"},
      {"n or a", "recommended"},
      {"a xor b", "recommended"},
      {"a xor a", "absent"},
      {"a xor n", "undetermined [n]"},
      {"b implies n", "recommended"},
      {"n implies a", "recommended"},
      {"a implies b", "absent"},
      {"a implies n", "undetermined [n]"},
      // = != ~ !~
      {"i = 7", "recommended"},
      {"i = 8", "absent"},
      {"i = k", "undetermined [k]"},
      {"i != 8", "recommended"},
      {"i != 7", "absent"},
      {"k != 7", "undetermined [k]"},
      {"d ~ 2.5", "recommended"},
      {"k ~ 7", "absent"},
      {"k ~ null", "recommended"},
      {"s ~ 'LEFT'", "recommended"},
      {"s !~ 'right'", "recommended"},
      {"k !~ null", "absent"},
      // < <= > >=
      {"i < 8", "recommended"},
      {"i < 7", "absent"},
      {"i <= 7", "recommended"},
      {"i <= 6", "absent"},
      {"i > 6", "recommended"},
      {"i > 7", "absent"},
      {"i >= 7", "recommended"},
      {"i >= 8", "absent"},
      {"k < 1", "undetermined [k]"},
      {"s < 'right'", "recommended"},
      {"d >= 2.5", "recommended"},
      {"i between 1 and 7", "recommended"},
      {"i between 8 and 9", "absent"},
      {"k between 1 and 7", "undetermined [k]"},
      // + - * / div mod negate
      {"i + j = 9", "recommended"},
      {"i - j = 5", "recommended"},
      {"i * j = 14", "recommended"},
      {"i / j = 3.5", "recommended"},
      {"i div j = 3", "recommended"},
      {"i mod j = 1", "recommended"},
      {"-i = -7", "recommended"},
      {"-i div j = -3", "recommended"},
      {"-i mod j = -1", "recommended"},
      {"d * 2 = 5", "recommended"},
      {"d + i = 9.5", "recommended"},
      {"i + k = 9", "undetermined [k]"},
      {"i / 0 = 1", "undetermined []"},
      {"i div 0 = 1", "undetermined []"},
      {"i mod 0 = 1", "undetermined []"},
      {"2147483647 + i > 0", "undetermined []"},
      {"t > 2 months", "recommended"},
      {"t + 1 week = 11 weeks", "recommended"},
      {"t - 3 days > 9 weeks", "recommended"},
      {"t * 2 = 20 weeks", "recommended"},
      {"t / 2 = 35 days", "recommended"},
      {"-t < 0 days", "recommended"},
      // is null / true / false
      {"k is null", "recommended"},
      {"i is null", "absent"},
      {"k is not null", "absent"},
      {"a is true", "recommended"},
      {"n is true", "absent"},
      {"n is not true", "recommended"},
      {"b is false", "recommended"},
      {"n is false", "absent"},
      {"a is not false", "recommended"},
      // in
      {"i in {1, 7}", "recommended"},
      {"i in {1, 2}", "absent"},
      {"s in {'left', 'right'}", "recommended"},
      {"t in {70 days}", "recommended"},
      // if, case, Coalesce
      {"if a then i > 5 else k > 5", "recommended"},
      {"if b then k > 5 else i > 5", "recommended"},
      {"if n then a else b", "absent"},
      {"if n then b else a", "recommended"},
      {"case i when 7 then true else false end", "recommended"},
      {"case i when 1 then true when 2 then true else false end", "absent"},
      {"case when i > 8 then false when i > 6 then true else false end", "recommended"},
      {"case k when 1 then true else n end", "undetermined [k, n]"},
      {"Coalesce(k, i) = 7", "recommended"},
      {"Coalesce(k, j) = 7", "absent"},
      {"Coalesce(k, 3) = 3", "recommended"},
      {"Coalesce(u, s) = 'left'", "recommended"},
      {"Coalesce(k, k) = 3", "undetermined [k]"},
      // to decimal: an Integer branch of a Decimal `if`, `case` or `Coalesce`
      {"(if a then i else d) = 7.0", "recommended"},
      {"Coalesce(k, d) = 2.5", "recommended"},
      {"Coalesce(k, i, d) = 7", "recommended"},
  };
  std::string body =
      "fact a: boolean\nfact b: boolean\nfact n: boolean\n"
      "fact i: integer\nfact j: integer\nfact k: integer\nfact d: decimal\n"
      "fact t: duration\nfact s: string\nfact u: string\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    body += recommendation(fmt::format("r{}", r), rows[r].condition);
  }
  const auto guideline = compile(body);
  check_graph_invariants(*guideline);
  Facts facts(*guideline);
  facts.set("a", B(true)).set("b", B(false)).set("i", I(7)).set("j", I(2)).set("d", D("2.5"));
  facts.set("t", Q("10", "weeks")).text("s", "left");
  const Decision decision = guideline->evaluate(facts.get());
  REQUIRE(decision.outcomes.size() == rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    INFO("when " << rows[r].condition);
    CHECK(describe(*guideline, decision, r) == rows[r].expected);
  }
  // Every opcode the compiler can emit appears in this graph.
  for (const Opcode op : {Opcode::constant,         Opcode::fact,
                          Opcode::logical_not,      Opcode::logical_and,
                          Opcode::logical_or,       Opcode::logical_xor,
                          Opcode::implies,          Opcode::equal,
                          Opcode::not_equal,        Opcode::equivalent,
                          Opcode::not_equivalent,   Opcode::less,
                          Opcode::less_or_equal,    Opcode::greater,
                          Opcode::greater_or_equal, Opcode::add,
                          Opcode::subtract,         Opcode::multiply,
                          Opcode::divide,           Opcode::truncated_divide,
                          Opcode::modulo,           Opcode::negate,
                          Opcode::is_null,          Opcode::is_true,
                          Opcode::is_false,         Opcode::in_list,
                          Opcode::if_then_else,     Opcode::coalesce,
                          Opcode::to_decimal}) {
    INFO(opcode_name(op));
    CHECK(count_nodes(*guideline, op) >= 1);
  }
}

TEST_CASE("node values after evaluation", "[engine][evaluate]") {
  const auto guideline = compile(
      "fact i: integer\nfact t: duration\ndefine half = i / 2\n"
      "define later = t + 3 days\n" +
      recommendation("r", "half > 1 and later > 1 week"));
  Facts facts(*guideline);
  facts.set("i", I(7)).set("t", Q("2", "weeks"));
  EvaluationScratch scratch;
  Decision decision;
  guideline->evaluate_with_values(facts.get(), scratch, decision);
  CHECK(to_literal(Guideline::value_of(scratch, guideline->definitions()[0].value)) == "3.5");
  CHECK(to_literal(Guideline::value_of(scratch, guideline->definitions()[1].value)) == "17 days");
  CHECK(decision.outcomes[0] == Outcome::recommended);
}

TEST_CASE("an unknown score's range holds only totals some values give", "[engine][report]") {
  // Two exclusive age bands (2 for 75 or more, 1 for 65 to 74) and diabetes 1. By hand: age
  // absent, diabetes true: 1 (under 65), 2 (65 to 74) or 3 (75 or more); counting both bands
  // independently would claim 4. Diabetes absent too: 0 to 3.
  const auto guideline = compile(
      "fact age: integer\nfact diabetes: boolean\n"
      "define points = score(2 when age >= 75, 1 when age >= 65 and age < 75, 1 when diabetes)\n"
      "recommendation scores\n  kind assess\n  text \"Scores.\"\n  cite 1\n"
      "  report points\n  when true\n");
  const ReportedName& points = guideline->recommendations()[0].reported[0];
  const auto reported = [&](const FactSet& set) {
    EvaluationScratch scratch;
    Decision decision;
    guideline->evaluate(set, scratch, decision);
    return guideline->reported_value(points, set, scratch);
  };
  Facts diabetes(*guideline);
  diabetes.set("diabetes", B(true));
  const ReportedValue with_diabetes = reported(diabetes.get());
  CHECK(with_diabetes.attained);
  CHECK(reported_value_text(with_diabetes) == "unknown, from 1 to 3");
  Facts none(*guideline);
  CHECK(reported_value_text(reported(none.get())) == "unknown, from 0 to 3");
  // Age 70 known: the bands are known, only diabetes is open (2 or 3).
  Facts age(*guideline);
  age.set("age", I(70));
  CHECK(reported_value_text(reported(age.get())) == "unknown, from 1 to 2");
}

TEST_CASE("an unknown score whose facts cannot all be tried shows bounds only",
          "[engine][report]") {
  // `a + b > 10` puts a and b outside the fact domains' exact fragment (docs/analysis.md), so
  // the search cannot show which totals some values give: each item counts 0 or its weight
  // independently (0 to 3), and the text says "between".
  const auto guideline = compile(
      "fact a: integer\nfact b: integer\n"
      "define points = score(2 when a + b > 10, 1 when a > 5)\n"
      "recommendation scores\n  kind assess\n  text \"Scores.\"\n  cite 1\n"
      "  report points\n  when true\n");
  const ReportedName& points = guideline->recommendations()[0].reported[0];
  Facts none(*guideline);
  EvaluationScratch scratch;
  Decision decision;
  guideline->evaluate(none.get(), scratch, decision);
  const ReportedValue value = guideline->reported_value(points, none.get(), scratch);
  CHECK_FALSE(value.attained);
  CHECK(reported_value_text(value) == "unknown, between 0 and 3");
}

TEST_CASE("an unknown score's range is the lowest and highest total over every completion",
          "[engine][report][property]") {
  // Random scores over two small integers and two booleans, items sharing facts (so items
  // are often exclusive or implied); each fact absent or not at random. The expected range
  // comes from evaluating every completion of the absent facts with plain evaluation.
  std::mt19937 random(20261206);
  const auto pick = [&](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  const auto item = [&]() -> std::string {
    const std::string a = pick(0, 1) == 0 ? "a" : "c";
    switch (pick(0, 5)) {
      case 0: return fmt::format("{} >= {}", a, pick(0, 5));
      case 1: return fmt::format("{} < {}", a, pick(0, 5));
      case 2: return pick(0, 1) == 0 ? "b" : "not d";
      case 3: return fmt::format("{} >= {} and c < {}", a, pick(0, 5), pick(0, 5));
      case 4: return fmt::format("{} = {} or b", a, pick(0, 5));
      default: return fmt::format("a < c or d");
    }
  };
  int independent = 0;  // ranges read off independent items (ReportedName::independent_items)
  int searched = 0;     // ranges found by the search
  for (int round = 0; round < 150; ++round) {
    std::string score = "score(";
    const int items = pick(1, 5);
    for (int k = 0; k < items; ++k) {
      score += fmt::format("{}{} when {}", k == 0 ? "" : ", ", pick(-2, 3), item());
    }
    score += ")";
    INFO(score);
    const auto guideline = compile(
        "fact a: integer between 0 and 5\nfact c: integer between 0 and 5\n"
        "fact b: boolean\nfact d: boolean\ndefine points = " +
        score +
        "\nrecommendation scores\n  kind assess\n  text \"Scores.\"\n  cite 1\n"
        "  report points\n  when true\n");
    const ReportedName& points = guideline->recommendations()[0].reported[0];
    for (int patient = 0; patient < 8; ++patient) {
      // Per fact: absent, or a value.
      const std::vector<std::string> names = {"a", "c", "b", "d"};
      std::vector<std::optional<int>> given(4);
      for (std::size_t f = 0; f < 4; ++f) {
        if (pick(0, 2) != 0) {
          given[f] = f < 2 ? pick(0, 5) : pick(0, 1);
        }
      }
      const auto fact_set = [&](const std::vector<std::optional<int>>& values) {
        Facts facts(*guideline);
        for (std::size_t f = 0; f < 4; ++f) {
          if (values[f]) {
            facts.set(names[f], f < 2 ? I(*values[f]) : B(*values[f] != 0));
          }
        }
        return facts;
      };
      // Brute force over the absent facts' values.
      std::optional<int> low;
      std::optional<int> high;
      std::vector<std::optional<int>> completion = given;
      const std::function<void(std::size_t)> complete = [&](std::size_t f) {
        if (f == 4) {
          const Facts facts = fact_set(completion);
          EvaluationScratch scratch;
          Decision decision;
          guideline->evaluate(facts.get(), scratch, decision);
          const ReportedValue total = guideline->reported_value(points, facts.get(), scratch);
          REQUIRE(total.value.kind() == ValueKind::integer);
          const int amount = total.value.as_integer();
          low = std::min(low.value_or(amount), amount);
          high = std::max(high.value_or(amount), amount);
          return;
        }
        if (given[f]) {
          complete(f + 1);
          return;
        }
        for (int v = 0; v <= (f < 2 ? 5 : 1); ++v) {
          completion[f] = v;
          complete(f + 1);
        }
        completion[f].reset();
      };
      complete(0);
      const Facts facts = fact_set(given);
      EvaluationScratch scratch;
      Decision decision;
      guideline->evaluate(facts.get(), scratch, decision);
      const ReportedValue value = guideline->reported_value(points, facts.get(), scratch);
      INFO("a=" << given[0].value_or(-1) << " c=" << given[1].value_or(-1)
                << " b=" << given[2].value_or(-1) << " d=" << given[3].value_or(-1));
      if (*low == *high) {
        REQUIRE(value.value.kind() == ValueKind::integer);
        CHECK(value.value.as_integer() == *low);
      } else {
        REQUIRE(value.value.is_null());
        CHECK(value.attained);  // every fact here is enumerated value by value
        REQUIRE(value.low.kind() == ValueKind::integer);
        CHECK(value.low.as_integer() == *low);
        CHECK(value.high.as_integer() == *high);
        ++(points.independent_items ? independent : searched);
      }
    }
  }
  // Most patients leave the score open, through both ways of finding the range.
  CHECK(independent > 50);
  CHECK(searched > 200);
}

TEST_CASE("reported values: known, an unknown score's range, unknown", "[engine][report]") {
  // Points: 2 for age >= 75, 1 for diabetes, 1 for female sex (by hand: age 80, diabetes,
  // male is 3; diabetes unknown leaves 2 or 3). An unknown weight makes `if` take its `else`
  // branch (CQL), so bmi_band is known.
  const auto guideline = compile(
      "fact age: integer\nfact diabetes: boolean\nfact female: boolean\n"
      "fact weight: quantity 'kg'\nparameter old_age = 75\n"
      "define points = score(2 when age >= old_age, 1 when diabetes, 1 when female)\n"
      "define bmi_band = if weight > 100 'kg' then 'high' else 'normal'\n"
      "recommendation scores\n  kind assess\n  text \"Scores.\"\n  cite 1\n"
      "  report points, old_age, weight, bmi_band, diabetes\n  when true\n");
  const RecommendationInfo& info = guideline->recommendations()[0];
  REQUIRE(info.reported.size() == 5);
  CHECK(info.reported[0].name == "points");
  CHECK(info.reported[4].name == "diabetes");
  const auto texts = [&](const FactSet& set, bool with_values) {
    EvaluationScratch scratch;
    Decision decision;
    if (with_values) {
      guideline->evaluate_with_values(set, scratch, decision);
    } else {
      guideline->evaluate(set, scratch, decision);
    }
    CHECK(decision.outcomes[0] == Outcome::recommended);
    std::vector<std::string> out;
    for (const ReportedName& name : info.reported) {
      out.push_back(reported_value_text(guideline->reported_value(name, set, scratch)));
    }
    return out;
  };
  for (const bool with_values : {false, true}) {
    INFO("evaluate_with_values: " << with_values);
    Facts known(*guideline);
    known.set("age", I(80)).set("diabetes", B(true)).set("female", B(false));
    known.set("weight", Q("120", "kg"));
    CHECK(texts(known.get(), with_values) ==
          std::vector<std::string>{"3", "75", "120 'kg'", "'high'", "true"});
    Facts partial(*guideline);
    partial.set("age", I(80)).set("female", B(false));
    CHECK(texts(partial.get(), with_values) ==
          std::vector<std::string>{"unknown, from 2 to 3", "75", "unknown", "'normal'", "unknown"});
    Facts none(*guideline);
    CHECK(texts(none.get(), with_values) ==
          std::vector<std::string>{"unknown, from 0 to 4", "75", "unknown", "'normal'", "unknown"});
  }
  // The known score's value is an Integer.
  Facts known(*guideline);
  known.set("age", I(70)).set("diabetes", B(true)).set("female", B(true));
  EvaluationScratch scratch;
  Decision decision;
  guideline->evaluate(known.get(), scratch, decision);
  const ReportedValue points = guideline->reported_value(info.reported[0], known.get(), scratch);
  CHECK(points.value.kind() == ValueKind::integer);
  CHECK(points.value.as_integer() == 2);
  CHECK(points.low.is_null());
  CHECK(points.high.is_null());
}

TEST_CASE("a guideline that reports nothing keeps the program of its conditions",
          "[engine][report]") {
  const std::string body =
      "fact i: integer\ndefine doubled = i * 2\n" + recommendation("r", "i > 1") +
      "recommendation s\n  kind refer\n  text \"s\"\n  cite 1\n  when doubled > 1\n";
  const auto plain = compile(body);
  CHECK(plain->program().runs_on_blocks() == false);
  const auto plain_only_r = compile("fact i: integer\n" + recommendation("r", "i > 1"));
  CHECK(plain_only_r->program().runs_on_blocks());
  // Reporting an arithmetic definition adds its steps to the program.
  const auto reporting = compile(
      "fact i: integer\ndefine doubled = i * 2\n"
      "recommendation r\n  kind refer\n  text \"r\"\n  cite 1\n  report doubled\n"
      "  when i > 1\n");
  CHECK(reporting->program().step_count() > plain_only_r->program().step_count());
  CHECK_FALSE(reporting->program().runs_on_blocks());
}

// ---- Three-valued outcomes and missing facts ----------------------------------------------

TEST_CASE("an absent fact is unknown: and, or, not", "[engine][evaluate][missing]") {
  const std::string facts = "fact a: boolean\nfact b: boolean\n";
  // a absent, b false: `a and b` is false whatever a is.
  CHECK(decide(facts, "a and b", [](Facts& f) { f.set("b", B(false)); }) == "absent");
  CHECK(decide(facts, "b and a", [](Facts& f) { f.set("b", B(false)); }) == "absent");
  // a absent, b true: `a and b` waits on a only.
  CHECK(decide(facts, "a and b", [](Facts& f) { f.set("b", B(true)); }) == "undetermined [a]");
  // a absent, b true: `a or b` is true.
  CHECK(decide(facts, "a or b", [](Facts& f) { f.set("b", B(true)); }) == "recommended");
  CHECK(decide(facts, "b or a", [](Facts& f) { f.set("b", B(true)); }) == "recommended");
  CHECK(decide(facts, "a or b", [](Facts& f) { f.set("b", B(false)); }) == "undetermined [a]");
  // Both absent: both are missing, sorted by name.
  CHECK(decide(facts, "b and a", [](Facts&) {}) == "undetermined [a, b]");
  CHECK(decide(facts, "not (b or a)", [](Facts&) {}) == "undetermined [a, b]");
  // A null given explicitly is the same as an absent fact.
  CHECK(decide(facts, "a and b", [](Facts& f) { f.set("a", Value::null()).set("b", B(true)); }) ==
        "undetermined [a]");
}

TEST_CASE("missing facts come only from the sub-terms that keep the result unknown",
          "[engine][evaluate][missing]") {
  const std::string facts =
      "fact a: boolean\nfact b: boolean\nfact x: integer\nfact y: integer\nfact z: integer\n";
  // The false branch of the `or` cannot change the result; its absent x is not missing.
  CHECK(decide(facts, "(a and x > 1) or (b and y > 1)",
               [](Facts& f) { f.set("a", B(false)).set("b", B(true)); }) == "undetermined [y]");
  // A fact reached along two paths is listed once.
  CHECK(decide(facts, "(z > 1 or a) and (z > 2 or a)", [](Facts& f) { f.set("a", B(false)); }) ==
        "undetermined [z]");
  // Missing facts are sorted by name, not by declaration or reading order.
  CHECK(decide(facts, "z > 1 and y > 1 and x > 1", [](Facts&) {}) == "undetermined [x, y, z]");
  // Known facts are never missing, even when they feed an unknown node.
  CHECK(decide(facts, "x + y > 1", [](Facts& f) { f.set("x", I(1)); }) == "undetermined [y]");
  // A decided recommendation has no missing facts.
  const auto guideline = compile(facts + recommendation("r", "a or x > 1"));
  Facts given(*guideline);
  given.set("a", B(true));
  const Decision decision = guideline->evaluate(given.get());
  CHECK(decision.outcomes[0] == Outcome::recommended);
  CHECK(decision.missing[0].empty());
}

TEST_CASE("`if` waits only on the branch its known condition selects",
          "[engine][evaluate][missing]") {
  const std::string facts = "fact c: boolean\nfact x: integer\nfact y: integer\n";
  const std::string condition = "if c then x > 1 else y > 1";
  CHECK(decide(facts, condition, [](Facts& f) { f.set("c", B(true)); }) == "undetermined [x]");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("c", B(false)); }) == "undetermined [y]");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("c", B(true)).set("x", I(2)); }) ==
        "recommended");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("c", B(true)).set("y", I(2)); }) ==
        "undetermined [x]");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("c", B(false)).set("x", I(2)); }) ==
        "undetermined [y]");
  // An unknown condition takes `else` (CQL): a known `else` decides...
  CHECK(decide(facts, condition, [](Facts& f) { f.set("y", I(2)); }) == "recommended");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("y", I(0)); }) == "absent");
  // ...and an unknown one waits on the condition and both branches.
  CHECK(decide(facts, condition, [](Facts&) {}) == "undetermined [c, x, y]");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("x", I(2)); }) == "undetermined [c, y]");
}

TEST_CASE("`case` waits on the `when`s it could not decide", "[engine][evaluate][missing]") {
  const std::string facts = "fact g: integer\nfact x: integer\nfact y: integer\n";
  const std::string condition = "case g when 1 then x > 1 when 2 then y > 1 else false end";
  CHECK(decide(facts, condition, [](Facts& f) { f.set("g", I(1)); }) == "undetermined [x]");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("g", I(2)); }) == "undetermined [y]");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("g", I(3)); }) == "absent");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("g", I(2)).set("y", I(5)); }) ==
        "recommended");
  // An unknown subject matches no `when` (so `else` decides here).
  CHECK(decide(facts, condition, [](Facts&) {}) == "absent");
  CHECK(decide(facts, "case g when 1 then x > 1 else y > 1 end", [](Facts&) {}) ==
        "undetermined [g, x, y]");
}

TEST_CASE("Coalesce takes the first known value", "[engine][evaluate][missing]") {
  const std::string facts = "fact x: integer\nfact y: integer\nfact z: integer\n";
  const std::string condition = "Coalesce(x, y, z) > 1";
  CHECK(decide(facts, condition, [](Facts&) {}) == "undetermined [x, y, z]");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("z", I(5)); }) == "recommended");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("y", I(0)).set("z", I(5)); }) == "absent");
  CHECK(decide(facts, condition, [](Facts& f) { f.set("x", I(5)).set("y", I(0)); }) ==
        "recommended");
  CHECK(decide(facts, "Coalesce(x, 0) > 1", [](Facts&) {}) == "absent");
  CHECK(decide(facts, "Coalesce(x, null) > 1", [](Facts&) {}) == "undetermined [x]");
}

TEST_CASE("a recommendation unknown without an absent fact waits on nothing",
          "[engine][evaluate][missing]") {
  const std::string facts = "fact x: integer\n";
  CHECK(decide(facts, "x div 0 = 1", [](Facts& f) { f.set("x", I(3)); }) == "undetermined []");
  CHECK(decide(facts, "x * 2147483647 > 0", [](Facts& f) { f.set("x", I(3)); }) ==
        "undetermined []");
  CHECK(decide(facts, "x > 1 and null", [](Facts& f) { f.set("x", I(3)); }) == "undetermined []");
}

// ---- `in` --------------------------------------------------------------------------------

TEST_CASE("`x in {...}` follows CQL", "[engine][evaluate][in]") {
  const std::string facts =
      "fact i: integer\nfact k: integer\nfact d: decimal\nfact s: string\nfact t: duration\n";
  const auto check = [&](const std::string& condition, const char* expected) {
    INFO("when " << condition);
    CHECK(decide(facts, condition, [](Facts& f) {
            f.set("i", I(2)).set("d", D("2.0")).set("t", Q("2", "weeks")).text("s", "left");
          }) == expected);
  };
  check("i in {1, 2, 3}", "recommended");
  check("i in {1, 3}", "absent");
  check("i in {2.0}", "recommended");  // integer = decimal by value
  check("d in {1, 2}", "recommended");
  check("t in {14 days}", "recommended");  // quantities compare after conversion
  check("t in {14 'd', 3 weeks}", "recommended");
  check("t in {15 days}", "absent");
  check("s in {'left'}", "recommended");
  check("s in {'LEFT'}", "absent");  // `=` on strings is case-sensitive
  check("s in {'right', 'left'}", "recommended");
  check("i in {1, null, 2}", "recommended");
  check("i in {1, null}", "absent");  // a null element equals nothing known
  check("i in {k}", "absent");
  check("i in {k, 2}", "recommended");
  check("i + 1 in {3}", "recommended");
  // An absent value is in a list only when the list holds a null: never unknown.
  check("k in {1, 2}", "absent");
  check("k in {1, null}", "recommended");
  check("not (k in {1, 2})", "recommended");
}

// ---- Deciding facts -----------------------------------------------------------------------

std::string deciding(const Guideline& guideline, const FactSet& facts, std::string_view id) {
  EvaluationScratch scratch;
  Decision decision;
  guideline.evaluate(facts, scratch, decision);
  const auto index = guideline.find_recommendation(id);
  REQUIRE(index);
  return join(fact_names(guideline, guideline.deciding_facts(*index, scratch)));
}

TEST_CASE("deciding facts: every operand of a true `and`, the true ones of an `or`",
          "[engine][deciding]") {
  const auto guideline = compile(
      "fact g: integer\nfact p: boolean\nfact q: boolean\nfact r: boolean\nfact x: integer\n"
      "fact y: integer\ndefine flag = p or q or r\n" +
      recommendation("conservative", "g = 1 and not flag") +
      recommendation("flagged", "g = 1 and flag") + recommendation("either", "p or q") +
      recommendation("sum", "x + y > 3") + recommendation("branch", "if p then x > 1 else y > 1") +
      recommendation("test", "x is null"));
  {
    Facts facts(*guideline);
    facts.set("g", I(1)).set("p", B(false)).set("q", B(false)).set("r", B(false));
    facts.set("x", I(2)).set("y", I(2));
    // A true `and` of a false `or`: every fact was needed.
    CHECK(deciding(*guideline, facts.get(), "conservative") == "g, p, q, r");
    // A false `and` because of one false operand: that operand's facts.
    CHECK(outcome_of(*guideline, facts.get(), "flagged") == "absent");
    CHECK(deciding(*guideline, facts.get(), "flagged") == "p, q, r");
    // A test: every operand.
    CHECK(deciding(*guideline, facts.get(), "sum") == "x, y");
    // `if`: the condition and the branch taken.
    CHECK(deciding(*guideline, facts.get(), "branch") == "p, y");
    CHECK(deciding(*guideline, facts.get(), "test") == "x");
  }
  {
    Facts facts(*guideline);
    facts.set("g", I(2)).set("p", B(true)).set("x", I(2));
    // A false `and` decided by g alone, although p is true.
    CHECK(deciding(*guideline, facts.get(), "flagged") == "g");
    // A true `or` is decided by its true operands, even with another absent.
    CHECK(outcome_of(*guideline, facts.get(), "either") == "recommended");
    CHECK(deciding(*guideline, facts.get(), "either") == "p");
    CHECK(deciding(*guideline, facts.get(), "branch") == "p, x");
  }
  {
    Facts facts(*guideline);
    facts.set("g", I(1)).set("p", B(true)).set("q", B(true)).set("r", B(false));
    CHECK(deciding(*guideline, facts.get(), "flagged") == "g, p, q");
    CHECK(deciding(*guideline, facts.get(), "either") == "p, q");
  }
}

// Only the arguments up to the first known one of a Coalesce decide; a true `implies` is
// decided by a false premise or a true conclusion alone. An absent fact that could not have
// changed the outcome is never listed as deciding it.
TEST_CASE("deciding facts skip what Coalesce and implies did not use", "[engine][deciding]") {
  const auto guideline = compile(
      "fact i: integer\nfact d: decimal\nfact a: boolean\n"
      "fact b: boolean\n" +
      recommendation("first", "Coalesce(i, d) > 1") + recommendation("premise", "a implies b"));
  Facts facts(*guideline);
  facts.set("i", I(3)).set("a", B(false));
  CHECK(outcome_of(*guideline, facts.get(), "first") == "recommended");
  CHECK(outcome_of(*guideline, facts.get(), "premise") == "recommended");
  CHECK(deciding(*guideline, facts.get(), "first") == "i");
  CHECK(deciding(*guideline, facts.get(), "premise") == "a");
}

TEST_CASE("deciding facts for the seed's example patient", "[engine][deciding]") {
  const auto guideline = seed_guideline();
  Facts facts(*guideline);
  facts.set("fracture_grade", I(1)).set("neurologic_deficit", B(false));
  facts.set("progressive_neurologic_deterioration", B(false)).set("spinal_instability", B(false));
  facts.set("cord_compression", B(false)).set("time_since_identification", Q("2", "weeks"));
  facts.set("severe_initial_pain", B(true)).set("age", Q("72", "years"));
  facts.set("analgesic_contraindication", B(false));
  const std::string red_flags =
      "cord_compression, fracture_grade, neurologic_deficit, "
      "progressive_neurologic_deterioration, spinal_instability";
  CHECK(deciding(*guideline, facts.get(), "calcium") == red_flags);
  CHECK(deciding(*guideline, facts.get(), "calcitonin") ==
        red_flags + ", time_since_identification");
  CHECK(deciding(*guideline, facts.get(), "close_monitoring") ==
        "cord_compression, fracture_grade, neurologic_deficit, "
        "progressive_neurologic_deterioration, severe_initial_pain, spinal_instability");
  CHECK(deciding(*guideline, facts.get(), "opioid_fall_risk") ==
        "age, analgesic_contraindication, " + red_flags);
  // Not recommended: the false operand decided.
  CHECK(outcome_of(*guideline, facts.get(), "urgent_surgical_consultation") == "absent");
  CHECK(deciding(*guideline, facts.get(), "urgent_surgical_consultation") ==
        "cord_compression, neurologic_deficit, progressive_neurologic_deterioration, "
        "spinal_instability");
}

// ---- Scratch reuse -----------------------------------------------------------------------

// Deterministic pseudo-random fact sets for a guideline: each fact absent a third of the
// time, otherwise a value of its type near the guideline's thresholds.
std::vector<FactSet> random_fact_sets(const Guideline& guideline, std::size_t count,
                                      std::uint32_t seed) {
  std::mt19937 random(seed);
  const auto pick = [&](std::uint32_t bound) {
    return static_cast<std::uint32_t>(random() % bound);
  };
  const char* units[] = {"days", "weeks", "months", "years", "d", "wk", "mo", "a"};
  std::vector<FactSet> sets;
  sets.reserve(count);
  for (std::size_t n = 0; n < count; ++n) {
    FactSet facts(guideline.facts().size());
    for (std::uint32_t f = 0; f < guideline.facts().size(); ++f) {
      if (pick(3) == 0) {
        continue;
      }
      const FactSpec& spec = guideline.facts()[f];
      Value value;
      switch (spec.type.kind) {
        case TypeKind::boolean: value = Value::boolean(pick(2) == 1); break;
        case TypeKind::integer: value = Value::integer(static_cast<std::int32_t>(pick(4))); break;
        case TypeKind::decimal:
          value = Value::decimal(number(fmt::format("{}.{}", pick(20), pick(10))));
          break;
        case TypeKind::quantity:
          value = Value::quantity(number(fmt::format("{}", pick(100))), *find_unit(units[pick(8)]));
          break;
        case TypeKind::string: value = Value::string(facts.keep(pick(2) == 0 ? "a" : "b")); break;
        default: break;
      }
      facts.set(FactId{f}, value);
    }
    sets.push_back(std::move(facts));
  }
  return sets;
}

bool same_decision(const Decision& a, const Decision& b) {
  if (a.outcomes != b.outcomes || a.missing.size() != b.missing.size()) {
    return false;
  }
  for (std::size_t r = 0; r < a.missing.size(); ++r) {
    if (a.missing[r] != b.missing[r]) {
      return false;
    }
  }
  return true;
}

TEST_CASE("the scratch-reusing evaluate gives the simple one's results", "[engine][scratch]") {
  const auto guideline = seed_guideline();
  const std::vector<FactSet> sets = random_fact_sets(*guideline, 500, 12345);
  EvaluationScratch scratch;
  Decision decision;
  std::size_t undetermined = 0;
  std::size_t recommended = 0;
  for (std::size_t n = 0; n < sets.size(); ++n) {
    guideline->evaluate(sets[n], scratch, decision);
    const Decision simple = guideline->evaluate(sets[n]);
    INFO("fact set " << n);
    REQUIRE(same_decision(decision, simple));
    for (const Outcome outcome : decision.outcomes) {
      undetermined += outcome == Outcome::undetermined ? 1 : 0;
      recommended += outcome == Outcome::recommended ? 1 : 0;
    }
  }
  // The generated sets exercise both kinds of outcome.
  CHECK(undetermined > 0);
  CHECK(recommended > 0);
}

TEST_CASE("one scratch serves guidelines of different sizes", "[engine][scratch]") {
  const auto seed = seed_guideline();
  const auto small = compile("fact a: boolean\nfact b: boolean\n" + recommendation("r", "a or b") +
                             recommendation("s", "a and b"));
  const std::vector<FactSet> seed_sets = random_fact_sets(*seed, 50, 7);
  const std::vector<FactSet> small_sets = random_fact_sets(*small, 50, 8);
  EvaluationScratch scratch;
  Decision decision;
  for (std::size_t n = 0; n < 50; ++n) {
    seed->evaluate(seed_sets[n], scratch, decision);
    CHECK(same_decision(decision, seed->evaluate(seed_sets[n])));
    small->evaluate(small_sets[n], scratch, decision);
    CHECK(decision.outcomes.size() == 2);
    CHECK(same_decision(decision, small->evaluate(small_sets[n])));
  }
}

TEST_CASE("a decision reused across evaluations is fully overwritten", "[engine][scratch]") {
  const auto guideline =
      compile("fact a: boolean\nfact b: boolean\n" + recommendation("r", "a and b"));
  EvaluationScratch scratch;
  Decision decision;
  guideline->evaluate(FactSet(guideline->facts().size()), scratch, decision);
  REQUIRE(decision.outcomes[0] == Outcome::undetermined);
  CHECK(decision.missing[0].size() == 2);
  Facts facts(*guideline);
  facts.set("a", B(true)).set("b", B(true));
  guideline->evaluate(facts.get(), scratch, decision);
  CHECK(decision.outcomes[0] == Outcome::recommended);
  CHECK(decision.missing[0].empty());
  // A decision sized for another guideline is resized.
  Decision big;
  big.outcomes.assign(10, Outcome::recommended);
  big.missing.assign(10, {FactId{0}});
  guideline->evaluate(facts.get(), scratch, big);
  CHECK(big.outcomes.size() == 1);
  CHECK(big.missing.size() == 1);
}

TEST_CASE("the scratch generation counter wraps around safely", "[engine][scratch]") {
  const auto guideline =
      compile("fact a: boolean\nfact b: boolean\n" + recommendation("r", "a and b"));
  EvaluationScratch scratch;
  Decision decision;
  const FactSet empty(guideline->facts().size());
  // Pretend the generation counter is about to wrap.
  guideline->evaluate(empty, scratch, decision);
  scratch.generation = 0xFFFFFFFEu;
  for (int n = 0; n < 4; ++n) {
    guideline->evaluate(empty, scratch, decision);
    CHECK(describe(*guideline, decision, 0) == "undetermined [a, b]");
  }
}

// ---- Concurrency -------------------------------------------------------------------------

TEST_CASE("one guideline evaluated from 8 threads gives the sequential results",
          "[engine][concurrency]") {
  constexpr std::size_t kThreads = 8;
  constexpr std::size_t kPerThread = 1000;
  const std::shared_ptr<const Guideline> guideline = seed_guideline();
  const std::vector<FactSet> sets = random_fact_sets(*guideline, kThreads * kPerThread, 2024);

  // Sequential reference, including the deciding facts of every recommended one.
  struct Result {
    Decision decision;
    std::vector<std::vector<FactId>> deciding;
  };
  const auto run = [&](const FactSet& facts, EvaluationScratch& scratch, Result& result) {
    guideline->evaluate(facts, scratch, result.decision);
    result.deciding.assign(result.decision.outcomes.size(), {});
    for (std::size_t r = 0; r < result.decision.outcomes.size(); ++r) {
      if (result.decision.outcomes[r] != Outcome::undetermined) {
        result.deciding[r] = guideline->deciding_facts(r, scratch);
      }
    }
  };
  std::vector<Result> expected(sets.size());
  {
    EvaluationScratch scratch;
    for (std::size_t n = 0; n < sets.size(); ++n) {
      run(sets[n], scratch, expected[n]);
    }
  }
  std::vector<Result> actual(sets.size());
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::shared_ptr<const Guideline> shared = guideline;  // a copy per thread
      EvaluationScratch scratch;
      // Interleave the threads' work over the whole range.
      for (std::size_t k = 0; k < kPerThread; ++k) {
        const std::size_t n = k * kThreads + t;
        run(sets[n], scratch, actual[n]);
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  std::size_t mismatches = 0;
  for (std::size_t n = 0; n < sets.size(); ++n) {
    if (!same_decision(expected[n].decision, actual[n].decision) ||
        expected[n].deciding.size() != actual[n].deciding.size() ||
        !std::equal(expected[n].deciding.begin(), expected[n].deciding.end(),
                    actual[n].deciding.begin())) {
      ++mismatches;
    }
  }
  CHECK(mismatches == 0);
}

// ---- Standalone expressions (`rubric expr`) -------------------------------------------------

struct ExpressionRun {
  SourceManager sources;
  Diagnostics diagnostics;
  std::optional<ExpressionResult> result;
};

std::unique_ptr<ExpressionRun> run_expression(const std::string& text,
                                              const std::vector<NamedValue>& names = {}) {
  auto run = std::make_unique<ExpressionRun>();
  const FileId file = run->sources.add("<expression>", text);
  run->result = evaluate_expression(run->sources, file, names, run->diagnostics);
  return run;
}

// The expression's value as a CQL literal, or "error: ..." with the diagnostics.
std::string literal(const std::string& text, const std::vector<NamedValue>& names = {}) {
  const auto run = run_expression(text, names);
  if (!run->result) {
    return "error: " + format_diagnostics(run->sources, run->diagnostics);
  }
  return run->result->literal;
}

TEST_CASE("expressions of `rubric expr`", "[engine][expr]") {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"13 weeks < 3 months", "true"},
      {"92 days >= 3 months", "true"},
      {"91 days >= 3 months", "false"},
      {"2 weeks + 3 days", "17 days"},
      {"7 / 2", "3.5"},
      {"7 div 2", "3"},
      {"-7 mod 2", "-1"},
      {"-7 div 2", "-3"},
      {"7 mod -2", "1"},
      {"1 / 0", "null"},
      {"1 div 0", "null"},
      {"1 mod 0", "null"},
      {"2147483647 + 1", "null"},
      {"-2147483647 - 2", "null"},
      {"-2147483648", "-2147483648"},
      {"2147483647 * 2", "null"},
      {"2147483647 + 1.0", "2147483648.0"},
      {"'a' in {'a','b'}", "true"},
      {"'c' in {'a','b'}", "false"},
      {"case 2 when 1 then 'x' when 2 then 'y' else 'z' end", "'y'"},
      {"case 3 when 1 then 'x' when 2 then 'y' else 'z' end", "'z'"},
      {"case when 1 > 2 then 'a' when 2 > 1 then 'b' else 'c' end", "'b'"},
      {"if null then 1 else 2", "2"},
      {"Coalesce(null, null, 3)", "3"},
      {"Coalesce(null, null)", "null"},
      {"null in {1, null}", "true"},
      {"null in {1}", "false"},
      {"1 in {}", "false"},
      {"true and null", "null"},
      {"false and null", "false"},
      {"true or null", "true"},
      {"not null", "null"},
      {"null implies false", "null"},
      {"false implies null", "true"},
      {"null xor true", "null"},
      {"null = null", "null"},
      {"null ~ null", "true"},
      {"'a' ~ 'A'", "true"},
      {"'a' = 'A'", "false"},
      {"3 between 1 and 5", "true"},
      {"null is null", "true"},
      {"null is not false", "true"},
      {"1 + 2 * 3", "7"},
      {"(1 + 2) * 3", "9"},
      {"10 / 4", "2.5"},
      {"1 / 3", "0.33333333"},
      {"2.5 * 2", "5.0"},
      {"4 weeks / 2", "2 weeks"},
      {"2 weeks * 2", "4 weeks"},
      {"-(3 weeks)", "-3 weeks"},
      {"1 year > 364 days", "true"},
      {"1 'g' = 1000 'mg'", "true"},
      {"12 'mg' + 1 'g'", "1012 'mg'"},
      {"1 day in {24 hours}", "true"},
      {"'it\\'s'", "'it\\'s'"},
      {"'a\\nb'", "'a\\nb'"},
  };
  for (const auto& [text, expected] : cases) {
    INFO("rubric expr " << text);
    CHECK(literal(text) == expected);
  }
}

TEST_CASE("expression results keep their value and its storage", "[engine][expr]") {
  std::optional<ExpressionResult> kept;
  {
    const auto run = run_expression("case 2 when 1 then 'x' when 2 then 'yes' else 'z' end");
    REQUIRE(run->result);
    kept = run->result;
  }
  // The source manager is gone; the string's characters live in the result's storage.
  REQUIRE(kept->value.kind() == ValueKind::string);
  CHECK(kept->value.as_string() == "yes");
  CHECK(kept->literal == "'yes'");
}

TEST_CASE("expressions over named values", "[engine][expr]") {
  const std::vector<NamedValue> names = {{"x", I(2)},
                                         {"t", Q("10", "weeks")},
                                         {"flag", B(true)},
                                         {"nothing", Value::null()},
                                         {"vas", D("3.5")}};
  CHECK(literal("x + 1", names) == "3");
  CHECK(literal("t > 2 months", names) == "true");
  CHECK(literal("t + 4 days", names) == "74 days");
  CHECK(literal("flag and x in {1, 2}", names) == "true");
  CHECK(literal("nothing is null", names) == "true");
  CHECK(literal("vas >= 3.5", names) == "true");
  CHECK(literal("Coalesce(nothing, x)", names) == "2");
}

TEST_CASE("rejected expressions give diagnostics and no value", "[engine][expr]") {
  const auto check_rejected = [](const std::string& text, const std::string& code) {
    INFO("rubric expr " << text);
    const auto run = run_expression(text);
    CHECK_FALSE(run->result.has_value());
    CHECK(run->diagnostics.has_errors());
    CHECK_THAT(format_diagnostics(run->sources, run->diagnostics), Catch::Matchers::Contains(code));
  };
  check_rejected("1 + true", "E0205");
  check_rejected("nope > 1", "E0201");
  check_rejected("2147483648", "E0203");
  check_rejected("1 day + 1 'mg'", "E0205");
  check_rejected("{1, 2}", "E0205");
  check_rejected("coalesce(1)", "E0214");
  check_rejected("Coalesce()", "E0214");
  check_rejected("1 +", "error");
  check_rejected("(1 + 2", "error");
  check_rejected("", "error");
  check_rejected("1 2", "error");
}

// `if`, `case` and `Coalesce` over an Integer and a Decimal are Decimal (CQL's implicit
// conversion): the Integer branch is converted, so it prints as a Decimal and its arithmetic
// follows Decimal rules (no 32-bit overflow).
TEST_CASE("branches of mixed Integer and Decimal give a Decimal", "[engine][expr]") {
  CHECK(literal("if true then 1 else 2.5") == "1.0");
  CHECK(literal("Coalesce(1, 2.5)") == "1.0");
  CHECK(literal("case when true then 1 else 2.5 end") == "1.0");
  CHECK(literal("(if true then 2147483647 else 0.5) + 1") == "2147483648.0");
  CHECK(literal("Coalesce(2147483647, 0.5) + 1") == "2147483648.0");
  // The same inside a rule.
  CHECK(decide("fact i: integer\n", "Coalesce(i, 0.5) + 1 > 2147483647",
               [](Facts& f) { f.set("i", I(2147483647)); }) == "recommended");
  CHECK(decide("fact i: integer\nfact d: decimal\n", "(if i > 0 then i else d) / 2 = 3.5",
               [](Facts& f) { f.set("i", I(7)); }) == "recommended");
  // The conversion is a node of its own, shared like any other, and the value is a Decimal.
  const auto guideline =
      compile("fact i: integer\nfact d: decimal\ndefine x = Coalesce(i, d)\n" +
              recommendation("r1", "x > 1") + recommendation("r2", "Coalesce(i, d) < 5"));
  check_graph_invariants(*guideline);
  CHECK(count_nodes(*guideline, Opcode::to_decimal) == 1);
  Facts facts(*guideline);
  facts.set("i", I(3));
  EvaluationScratch scratch;
  Decision decision;
  guideline->evaluate_with_values(facts.get(), scratch, decision);
  const Value& x = Guideline::value_of(scratch, guideline->definitions()[0].value);
  CHECK(x.kind() == ValueKind::decimal);
  CHECK(to_literal(x) == "3.0");
  CHECK(decision.outcomes == std::vector<Outcome>{Outcome::recommended, Outcome::recommended});
}

// ---- Fact blocks: 64 patients at once ------------------------------------------------

// Evaluates `sets` in one block and each alone; every row must have the same outcomes and
// missing facts as its own evaluation. Returns the number of rows compared.
std::size_t check_block_agrees(const Guideline& guideline, const std::vector<FactSet>& sets) {
  REQUIRE(sets.size() <= FactBlock::kCapacity);
  FactBlock block(guideline.facts().size());
  for (const FactSet& facts : sets) {
    block.push_back(facts);
  }
  BlockScratch scratch;
  BlockDecision decision;
  guideline.evaluate(block, scratch, decision);
  REQUIRE(decision.rows == sets.size());
  std::vector<FactId> missing;
  for (std::size_t row = 0; row < sets.size(); ++row) {
    const Decision alone = guideline.evaluate(sets[row]);
    for (std::size_t r = 0; r < alone.outcomes.size(); ++r) {
      guideline.missing(row, r, scratch, missing);
      INFO("row " << row << ", recommendation " << guideline.recommendations()[r].id
                  << ", alone: " << describe(guideline, alone, r));
      CHECK(decision.outcome(row, r) == alone.outcomes[r]);
      CHECK(fact_names(guideline, missing) == fact_names(guideline, alone.missing[r]));
    }
  }
  return sets.size();
}

TEST_CASE("a fact block keeps presence, truth and exact scaled amounts per column", "[block]") {
  FactBlock block(3);
  CHECK(block.size() == 0);
  CHECK(block.row_mask() == 0);
  FactSet facts(3);
  facts.set(FactId{0}, B(true));
  facts.set(FactId{1}, D("2.5"));
  facts.set(FactId{2}, Q("3", "wk"));
  block.push_back(facts);
  facts.set(FactId{0}, B(false));
  facts.set(FactId{1}, I(7));
  facts.set(FactId{2}, Q("1", "ms"));  // 10^-3 s: 10^5 units of 10^-8 s, exact
  block.push_back(facts);
  facts.clear();
  block.push_back(facts);
  facts.set(FactId{1}, D("123456789012"));  // no 62-bit scaled amount
  facts.set(FactId{2}, Q("2", "mg"));       // another dimension than the column's
  block.push_back(facts);
  CHECK(block.size() == 4);
  CHECK(block.row_mask() == 0b1111);

  const auto& flags = block.column(FactId{0});
  CHECK(flags.present == 0b0011);
  CHECK(flags.truth == 0b0001);
  CHECK(flags.known == 0);
  const auto& numbers = block.column(FactId{1});
  CHECK(numbers.form == FactBlock::NumberForm::number);
  CHECK(numbers.present == 0b1011);
  CHECK(numbers.known == 0b1011);
  CHECK(numbers.exact == 0b0011);
  CHECK(block.amounts(FactId{1})[0] == 250000000.0);
  CHECK(block.amounts(FactId{1})[1] == 700000000.0);
  const auto& durations = block.column(FactId{2});
  CHECK(durations.form == FactBlock::NumberForm::quantity);
  CHECK(durations.exact == 0b0011);
  CHECK(block.amounts(FactId{2})[0] == 3.0 * 7 * 86400 * 1e8);
  CHECK(block.amounts(FactId{2})[1] == 1e5);

  // Overwriting a row clears its old bits; clear() empties the block and forgets the forms.
  block.set(0, FactId{0}, Value::null());
  block.set(1, FactId{1}, D("0.5"));
  CHECK(block.column(FactId{0}).present == 0b0010);
  CHECK(block.column(FactId{0}).truth == 0);
  CHECK(block.amounts(FactId{1})[1] == 50000000.0);
  FactSet row(1);
  block.copy_row(1, row);
  CHECK(row.size() == 3);
  CHECK(row.get(FactId{1}).as_decimal() == number("0.5"));
  block.clear();
  CHECK(block.size() == 0);
  CHECK(block.column(FactId{1}).form == FactBlock::NumberForm::none);
  CHECK(block.column(FactId{1}).present == 0);
}

TEST_CASE("a scaled amount is exact or refused", "[block]") {
  double amount = 0;
  CHECK(FactBlock::scaled_amount(I(-3), amount));
  CHECK(amount == -300000000.0);
  // 2^53 + 1 units of 10^-8: a double cannot hold it.
  CHECK_FALSE(FactBlock::scaled_amount(D("90071992.54740993"), amount));
  CHECK(FactBlock::scaled_amount(D("90071992.54740992"), amount));
  // Many trailing binary zeros fit although the number is above 2^53.
  CHECK(FactBlock::scaled_amount(Q("72", "a"), amount));
  CHECK(amount == 72.0 * 31557600 * 1e8);
  // 10^-8 of a microgram is below 10^-8 gram units of the base: not an integer.
  CHECK_FALSE(FactBlock::scaled_amount(Q("0.00000001", "ug"), amount));
}

TEST_CASE("block evaluation gives every row its own outcomes and missing facts", "[block]") {
  const auto guideline = compile(
      "fact n: integer\nfact d: decimal\nfact t: duration\nfact s: string\n"
      "fact side: code {'left', 'right'}\nfact flag: boolean\nfact dose: quantity 'mg'\n" +
      recommendation("small", "n < 3 and not flag") +
      recommendation("precise", "d >= 2.5 or t > 6 weeks") +
      recommendation("named", "s = 'abc' xor side = 'left'") +
      recommendation("dosed", "dose <= 500 'mg' implies flag is false") +
      recommendation("tested", "n is null or (d is not null and t <= 2 years)") +
      recommendation("unequal", "n != 4 and d = 1.25 and dose != 0.5 'g'"));
  REQUIRE(guideline->program().runs_on_blocks());
  std::vector<FactSet> sets;
  std::mt19937 random(5);
  const auto pick = [&](std::size_t count) { return static_cast<std::size_t>(random() % count); };
  const std::array<const char*, 4> durations = {"d", "wk", "mo", "ms"};
  const std::array<const char*, 3> masses = {"mg", "g", "ug"};
  const std::array<const char*, 4> decimals = {"1.25", "2.5", "2.49999999", "99999999999999999"};
  const std::array<const char*, 3> strings = {"abc", "ABC", ""};
  for (std::size_t row = 0; row < FactBlock::kCapacity; ++row) {
    Facts facts(*guideline);
    if (pick(5) != 0) facts.set("n", I(static_cast<std::int32_t>(pick(7)) - 1));
    if (pick(5) != 0) facts.set("d", D(decimals[pick(decimals.size())]));
    if (pick(5) != 0) {
      facts.set("t", Q(std::to_string(pick(800)), durations[pick(durations.size())]));
    }
    if (pick(5) != 0) facts.text("s", strings[pick(strings.size())]);
    if (pick(5) != 0) facts.text("side", pick(2) == 0 ? "left" : "right");
    if (pick(5) != 0) facts.set("flag", B(pick(2) == 0));
    if (pick(5) != 0)
      facts.set("dose", Q(pick(2) == 0 ? "500" : "0.5", masses[pick(masses.size())]));
    sets.push_back(facts.get());
  }
  CHECK(check_block_agrees(*guideline, sets) == 64);
  // A partial block, and a block with no rows.
  sets.resize(17);
  CHECK(check_block_agrees(*guideline, sets) == 17);
  sets.clear();
  CHECK(check_block_agrees(*guideline, sets) == 0);
}

TEST_CASE("points scores and `at least` run on blocks, each row as its items decide",
          "[block][score]") {
  const auto guideline =
      compile("fact a: boolean\nfact b: boolean\nfact c: boolean\n" +
              recommendation("high", "score(2 when a, 1 when b, -1 when c) >= 2") +
              recommendation("two", "at least 2 of (a, b, c)") +
              recommendation("half", "score(0.5 when a, 1.5 when b) > 1") +
              recommendation("low", "score(2 when a, 1 when b, -1 when c) < 1"));
  REQUIRE(guideline->program().runs_on_blocks());
  // The expected outcome of a row, by brute force over its absent items: made when every
  // completion holds, not made when none does, undetermined otherwise (docs/semantics.md#scores).
  using Test = bool (*)(int, int, int);
  const std::array<Test, 4> tests = {
      [](int a, int b, int c) { return 2 * a + b - c >= 2; },
      [](int a, int b, int c) { return a + b + c >= 2; },
      [](int a, int b, int) { return 5 * a + 15 * b > 10; },
      [](int a, int b, int c) { return 2 * a + b - c < 1; },
  };
  std::vector<FactSet> sets;
  std::vector<std::array<int, 3>> rows;  // per item: 0 false, 1 true, 2 absent
  for (int code = 0; code < 27; ++code) {
    const std::array<int, 3> items = {code % 3, code / 3 % 3, code / 9};
    Facts facts(*guideline);
    const std::array<const char*, 3> names = {"a", "b", "c"};
    for (std::size_t k = 0; k < 3; ++k) {
      if (items[k] != 2) facts.set(names[k], B(items[k] == 1));
    }
    sets.push_back(facts.get());
    rows.push_back(items);
  }
  FactBlock block(guideline->facts().size());
  for (const FactSet& facts : sets) {
    block.push_back(facts);
  }
  BlockScratch scratch;
  BlockDecision decision;
  guideline->evaluate(block, scratch, decision);
  REQUIRE(decision.rows == 27);
  for (std::size_t row = 0; row < rows.size(); ++row) {
    for (std::size_t r = 0; r < tests.size(); ++r) {
      bool some_true = false;
      bool some_false = false;
      for (int completion = 0; completion < 8; ++completion) {
        std::array<int, 3> values{};
        for (std::size_t k = 0; k < 3; ++k) {
          values[k] = rows[row][k] == 2 ? (completion >> k) & 1 : rows[row][k];
        }
        (tests[r](values[0], values[1], values[2]) ? some_true : some_false) = true;
      }
      const Outcome expected = !some_false  ? Outcome::recommended
                               : !some_true ? Outcome::absent
                                            : Outcome::undetermined;
      INFO("row " << row << " (a, b, c: 0 false, 1 true, 2 absent: " << rows[row][0] << rows[row][1]
                  << rows[row][2] << "), recommendation " << guideline->recommendations()[r].id);
      CHECK(decision.outcome(row, r) == expected);
      CHECK(guideline->evaluate(sets[row]).outcomes[r] == expected);
    }
  }
  CHECK(check_block_agrees(*guideline, sets) == 27);
}

TEST_CASE("a guideline with arithmetic is evaluated on blocks row by row", "[block]") {
  const auto guideline =
      compile("fact i: integer\nfact t: duration\n" + recommendation("half", "i / 2 > 1.5") +
              recommendation("later", "t + 1 week > 2 weeks or i > 3"));
  CHECK_FALSE(guideline->program().runs_on_blocks());
  std::vector<FactSet> sets;
  for (int i = -1; i < 6; ++i) {
    Facts facts(*guideline);
    if (i >= 0) facts.set("i", I(i));
    if (i % 2 == 0) facts.set("t", Q(std::to_string(i * 3), "d"));
    sets.push_back(facts.get());
  }
  CHECK(check_block_agrees(*guideline, sets) == 7);
}

TEST_CASE("a block of another size, and a copied block, behave", "[block]") {
  const auto guideline = compile("fact s: string\n" + recommendation("r", "s = 'x'"));
  BlockScratch scratch;
  BlockDecision decision;
  FactBlock wrong(2);
  wrong.push_back_absent();
  guideline->evaluate(wrong, scratch, decision);
  CHECK(decision.rows == 0);
  CHECK(decision.recommended == std::vector<std::uint64_t>{0});

  auto original = std::make_unique<FactBlock>(1);
  std::string text = "x";
  original->push_back_absent();
  original->set(0, FactId{0}, Value::string(text));
  text = "y";  // the block holds its own copy
  const FactBlock copy = *original;
  original.reset();  // the copy's strings must not view the original's storage
  guideline->evaluate(copy, scratch, decision);
  CHECK(decision.rows == 1);
  CHECK(decision.outcome(0, 0) == Outcome::recommended);
}

}  // namespace
}  // namespace rubric

// Explanations (authoring/explain.hpp, tools/explain_output.hpp): the three outcomes on the seed
// guideline (recommended, absent with its "why not", undetermined with the missing facts
// that would settle it), the condition as the author wrote it with definitions, facts and
// parameters (values and units), citations in full, the JSON shape and the text, and the
// bounds on hostile rule files.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "authoring/explain.hpp"
#include "dsl/checker.hpp"
#include "engine/guideline.hpp"
#include "support.hpp"
#include "tools/explain_output.hpp"
#include "tools/fact_file.hpp"
#include "values/units.hpp"

namespace rubric {
namespace {

// ---- Helpers ---------------------------------------------------------------------------

using rubric::testing::read_text;

constexpr const char* kSeedDir = RUBRIC_SOURCE_DIR "/guidelines/vertebral-fracture-grade1";

// The graph node each expression of `checked` compiled to, recovered independently of the
// compiler's own record (Guideline::node_of) by walking the AST and the compiled graph side
// by side: each kind of expression lowers to a fixed shape (`between` to `>=`, `<=` and
// `and`; `is not null` to `not (is null)`; `case` to nested `if`s; names of definitions to
// the definition's node). Explanations read values through node_of, so the two must agree.
std::vector<std::optional<NodeId>> recover_expression_nodes(const CheckedModule& checked,
                                                            const Guideline& guideline) {
  const ast::Module& module = checked.module;
  const DecisionGraph& graph = guideline.graph();
  std::vector<std::optional<NodeId>> nodes(module.expressions.size());
  std::vector<std::pair<ast::ExprId, NodeId>> stack;
  const auto op_of = [&](NodeId node) { return graph.node(node).op; };
  const auto operand = [&](NodeId node, std::size_t k) {
    return graph.operands(graph.node(node))[k];
  };
  const auto arity = [&](NodeId node) { return graph.node(node).operand_count; };
  // A branch compiled for a Decimal place may be wrapped in to_decimal.
  const auto unwrap = [&](NodeId node) {
    return op_of(node) == Opcode::to_decimal ? operand(node, 0) : node;
  };
  for (const DefinitionInfo& definition : guideline.definitions()) {
    for (const ast::Definition& declared : module.definitions) {
      if (declared.name.name == definition.name) {
        stack.emplace_back(declared.value, definition.value);
      }
    }
  }
  for (std::size_t r = 0; r < module.recommendations.size(); ++r) {
    stack.emplace_back(module.recommendations[r].condition,
                       guideline.recommendations()[r].condition);
  }
  while (!stack.empty()) {
    const auto [id, node] = stack.back();
    stack.pop_back();
    if (nodes[id.value]) {
      REQUIRE(*nodes[id.value] == node);
      continue;
    }
    nodes[id.value] = node;
    const ast::Expr& expr = module.at(id);
    const auto operands = module.operands_of(expr);
    switch (expr.kind) {
      case ast::ExprKind::name:
        if (checked.symbols[id.value].kind == SymbolKind::definition) {
          stack.emplace_back(module.definitions[checked.symbols[id.value].index].value, node);
        }
        break;
      case ast::ExprKind::unary:
        if (expr.unary_operator == ast::UnaryOperator::plus) {
          stack.emplace_back(operands[0], node);
        } else if (op_of(node) != Opcode::constant) {
          stack.emplace_back(operands[0], operand(node, 0));
        }
        break;
      case ast::ExprKind::binary:
        stack.emplace_back(operands[0], operand(node, 0));
        stack.emplace_back(operands[1], operand(node, 1));
        break;
      case ast::ExprKind::test: {
        const bool negated = expr.test_operator == ast::TestOperator::is_not_null ||
                             expr.test_operator == ast::TestOperator::is_not_true ||
                             expr.test_operator == ast::TestOperator::is_not_false;
        const NodeId test = negated ? operand(node, 0) : node;
        stack.emplace_back(operands[0], operand(test, 0));
        break;
      }
      case ast::ExprKind::between: {
        REQUIRE(op_of(node) == Opcode::logical_and);
        const NodeId low = operand(node, 0);
        const NodeId high = operand(node, 1);
        stack.emplace_back(operands[0], operand(low, 0));
        stack.emplace_back(operands[1], operand(low, 1));
        stack.emplace_back(operands[2], operand(high, 1));
        break;
      }
      case ast::ExprKind::membership: {
        REQUIRE(op_of(node) == Opcode::in_list);
        stack.emplace_back(operands[0], operand(node, 0));
        const auto elements = module.operands_of(module.at(operands[1]));
        for (std::size_t k = 0; k < elements.size(); ++k) {
          stack.emplace_back(elements[k], operand(node, k + 1));
        }
        break;
      }
      case ast::ExprKind::if_then_else:
        REQUIRE(op_of(node) == Opcode::if_then_else);
        stack.emplace_back(operands[0], operand(node, 0));
        stack.emplace_back(operands[1], unwrap(operand(node, 1)));
        stack.emplace_back(operands[2], unwrap(operand(node, 2)));
        break;
      case ast::ExprKind::case_when: {
        NodeId at = node;
        std::size_t next = 0;
        if (expr.has_subject) {
          ++next;
        }
        for (; next + 1 < operands.size(); next += 2) {
          REQUIRE(op_of(at) == Opcode::if_then_else);
          const NodeId condition = operand(at, 0);
          if (expr.has_subject) {
            REQUIRE(op_of(condition) == Opcode::equal);
            stack.emplace_back(operands[0], operand(condition, 0));
            stack.emplace_back(operands[next], operand(condition, 1));
          } else {
            stack.emplace_back(operands[next], condition);
          }
          stack.emplace_back(operands[next + 1], unwrap(operand(at, 1)));
          at = operand(at, 2);
        }
        stack.emplace_back(operands.back(), unwrap(at));
        break;
      }
      case ast::ExprKind::call:
        REQUIRE(arity(node) == operands.size());
        for (std::size_t k = 0; k < operands.size(); ++k) {
          stack.emplace_back(operands[k], unwrap(operand(node, k)));
        }
        break;
      default: break;
    }
  }
  return nodes;
}

// A guideline compiled from text, with the sources holding its text.
struct Loaded {
  mutable SourceManager sources;  // fact files are added as tests read them
  FileId file;
  std::shared_ptr<const Guideline> guideline;

  [[nodiscard]] Explanation explain(const FactSet& facts, std::string_view id) const {
    return rubric::explain(*guideline, sources, facts, index(id));
  }
  [[nodiscard]] std::size_t index(std::string_view id) const {
    const auto found = guideline->find_recommendation(id);
    REQUIRE(found);
    return *found;
  }
};

std::unique_ptr<Loaded> load(const std::string& name, const std::string& text) {
  auto loaded = std::make_unique<Loaded>();
  loaded->file = loaded->sources.add(name, text);
  Diagnostics diagnostics;
  loaded->guideline = Guideline::compile(loaded->sources, loaded->file, diagnostics);
  INFO(format_diagnostics(loaded->sources, diagnostics));
  REQUIRE(loaded->guideline != nullptr);
  return loaded;
}

const Loaded& seed() {
  static const std::unique_ptr<Loaded> loaded =
      load("vertebral-fracture-grade1.rubric",
           read_text(std::string(kSeedDir) + "/vertebral-fracture-grade1.rubric"));
  return *loaded;
}

constexpr const char* kHeader =
    "guideline \"explain-test\" title \"Explain test\" version \"0.1\"\n"
    "source 1 \"Source one, in full\"\n";

std::unique_ptr<Loaded> load_body(const std::string& body) {
  return load("test.rubric", kHeader + body);
}

// A fact set read from fact-file text (YAML).
FactSet facts_from(const Loaded& loaded, const std::string& yaml) {
  SourceManager& sources = loaded.sources;
  const FileId file = sources.add("facts.yaml", yaml);
  Diagnostics diagnostics;
  auto facts = read_fact_file(sources, file, loaded.guideline->facts(), diagnostics);
  INFO(format_diagnostics(sources, diagnostics));
  REQUIRE(facts);
  return *facts;
}

FactSet facts_from_file(const Loaded& loaded, const std::string& path) {
  SourceManager& sources = loaded.sources;
  const FileId file = sources.add(path, read_text(path));
  Diagnostics diagnostics;
  auto facts = read_fact_file(sources, file, loaded.guideline->facts(), diagnostics);
  INFO(format_diagnostics(sources, diagnostics));
  REQUIRE(facts);
  return *facts;
}

// The seed example of a 72-year-old two weeks after identification, without red flags.
constexpr const char* kElderly =
    "fracture_grade: 1\nneurologic_deficit: false\nprogressive_neurologic_deterioration: false\n"
    "spinal_instability: false\ncord_compression: false\ntime_since_identification: 2 weeks\n"
    "pain_vas: 6\npain_refractory: false\nkyphosis_percent: 5\nheight_loss_percent: 22\n"
    "pulmonary_dysfunction: false\nanalgesic_contraindication: false\n"
    "parenteral_narcotics_required: false\nsymptoms_changed: false\nsymptoms_persisting: false\n"
    "age: 72 years\nsevere_initial_pain: true\nmri_t2_fluid_pattern: false\nsevere_collapse: "
    "false\n";

// Four months after identification, no red flag, no indication known to be present.
constexpr const char* kFourMonths =
    "fracture_grade: 1\nneurologic_deficit: false\nprogressive_neurologic_deterioration: false\n"
    "spinal_instability: false\ncord_compression: false\ntime_since_identification: 4 months\n"
    "pain_refractory: false\nkyphosis_percent: 5\nheight_loss_percent: 10\n"
    "pulmonary_dysfunction: false\nanalgesic_contraindication: false\n"
    "parenteral_narcotics_required: false\n";

Explanation explain_seed(const std::string& yaml, std::string_view id) {
  const Loaded& loaded = seed();
  const FactSet facts = facts_from(loaded, yaml);
  return loaded.explain(facts, id);
}

std::vector<std::string> names_of(const std::vector<ExplainedDefinition>& items) {
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    out.push_back(item.name);
  }
  return out;
}

std::vector<std::string> child_texts(const Term& term) {
  std::vector<std::string> out;
  for (const Term& child : term.children) {
    out.push_back(child.text);
  }
  return out;
}

// The number of terms in a tree.
std::size_t size_of(const Term& term) {
  std::size_t count = 1;
  for (const Term& child : term.children) {
    count += size_of(child);
  }
  return count;
}

std::size_t depth_of(const Term& term) {
  std::size_t deepest = 0;
  for (const Term& child : term.children) {
    deepest = std::max(deepest, depth_of(child));
  }
  return deepest + 1;
}

const SettleOption& option(const MissingFact& missing, std::string_view values) {
  for (const SettleOption& candidate : missing.options) {
    if (candidate.values == values) {
      return candidate;
    }
  }
  std::string all;
  for (const SettleOption& candidate : missing.options) {
    all += "[" + candidate.values + "] ";
  }
  FAIL("no option `" << values << "` among " << all);
  return missing.options.front();
}

// ---- The expression-node mapping ------------------------------------------------------------

void check_expression_nodes(const Guideline& guideline) {
  const CheckedModule& checked = guideline.checked();
  const auto recovered = recover_expression_nodes(checked, guideline);
  std::size_t compared = 0;
  for (std::uint32_t i = 0; i < recovered.size(); ++i) {
    if (recovered[i]) {
      INFO("expression " << i << ": " << ast::dump(checked.module, ast::ExprId{i}));
      const std::optional<NodeId> node = guideline.node_of(ast::ExprId{i});
      REQUIRE(node);
      CHECK(node->value == recovered[i]->value);
      ++compared;
    }
  }
  CHECK(compared > 0);
}

TEST_CASE("every expression of a condition or definition has the node it compiled to",
          "[explain][hook]") {
  const Loaded& loaded = seed();
  check_expression_nodes(*loaded.guideline);
  const auto& module = loaded.guideline->checked().module;
  for (std::size_t r = 0; r < module.recommendations.size(); ++r) {
    const auto node = loaded.guideline->node_of(module.recommendations[r].condition);
    REQUIRE(node);
    CHECK(*node == loaded.guideline->recommendations()[r].condition);
  }
  for (const ast::Definition& definition : module.definitions) {
    CHECK(loaded.guideline->node_of(definition.value));
  }

  const auto shapes = load_body(
      "fact n: integer\nfact d: decimal\nfact b: boolean\nfact s: code {'x', 'y'}\n"
      "parameter p = 2\n"
      "define unused = n > 1\n"
      "recommendation r kind refer text \"r\" cite 1 when\n"
      "  n between 1 and p and s in {'x'} and d is not null and not b\n"
      "  and (case n when 1 then d when 2 then 3 else Coalesce(d, 1) end) > 2.5\n"
      "  and (if b then 1 else d) < -2147483648 + +n\n");
  check_expression_nodes(*shapes.get()->guideline);
}

// ---- Recommended ----------------------------------------------------------------------------

TEST_CASE("a recommended recommendation: the terms that decided it, through its definitions",
          "[explain]") {
  const Explanation e = explain_seed(kElderly, "calcium");
  CHECK(e.outcome == Outcome::recommended);
  CHECK(e.id == "calcium");
  CHECK(e.kind == "prescribe");
  CHECK(e.summary ==
        "calcium is recommended because conservative is true: applicable is true "
        "(fracture_grade = 1, applicable_grade = 1) and red_flag is false "
        "(neurologic_deficit = false, progressive_neurologic_deterioration = false, "
        "spinal_instability = false and cord_compression = false).");

  // The tree speaks the author's language: `conservative`, then its body.
  const Term& root = e.condition;
  CHECK(root.kind == TermKind::definition);
  CHECK(root.name == "conservative");
  CHECK(root.text == "conservative");
  CHECK(root.description == "conservative medical management applies");
  CHECK(root.value.as_boolean());
  CHECK(root.decisive);
  REQUIRE(root.children.size() == 1);
  const Term& body = root.children[0];
  CHECK(body.kind == TermKind::logical_and);
  CHECK(body.text == "applicable and not red_flag");
  CHECK(child_texts(body) == std::vector<std::string>{"applicable", "not red_flag"});

  const Term& applicable = body.children[0];
  CHECK(applicable.kind == TermKind::definition);
  REQUIRE(applicable.children.size() == 1);
  const Term& comparison = applicable.children[0];
  CHECK(comparison.kind == TermKind::comparison);
  CHECK(comparison.op == "=");
  CHECK(comparison.text == "fracture_grade = applicable_grade");
  REQUIRE(comparison.children.size() == 2);
  CHECK(comparison.children[0].kind == TermKind::fact);
  CHECK(comparison.children[0].value.as_integer() == 1);
  CHECK(comparison.children[1].kind == TermKind::parameter);
  CHECK(comparison.children[1].name == "applicable_grade");
  CHECK(comparison.children[1].value.as_integer() == 1);

  // `not red_flag`: red_flag's multi-line body is one line, a chain of four `or`s one term.
  const Term& no_flag = body.children[1];
  CHECK(no_flag.kind == TermKind::logical_not);
  CHECK(no_flag.value.as_boolean());
  const Term& red_flag = no_flag.children.at(0);
  CHECK(red_flag.name == "red_flag");
  CHECK_FALSE(red_flag.value.as_boolean());
  const Term& flags = red_flag.children.at(0);
  CHECK(flags.kind == TermKind::logical_or);
  CHECK(flags.text ==
        "neurologic_deficit or progressive_neurologic_deterioration or spinal_instability or "
        "cord_compression");
  CHECK(flags.children.size() == 4);
  for (const Term& flag : flags.children) {
    CHECK(flag.kind == TermKind::fact);
    CHECK(flag.decisive);  // a false `or`: every operand decides
    CHECK_FALSE(flag.value.as_boolean());
  }

  REQUIRE(e.reasons.size() == 2);
  CHECK(e.reasons[0].term == "fracture_grade = applicable_grade");
  CHECK(e.reasons[0].through == std::vector<std::string>{"conservative", "applicable"});
  CHECK(e.reasons[0].because == "fracture_grade = 1, applicable_grade = 1");
  CHECK(e.reasons[1].term == "not red_flag");
  CHECK(e.reasons[1].through == std::vector<std::string>{"conservative"});

  CHECK(names_of(e.definitions) ==
        std::vector<std::string>{"conservative", "applicable", "red_flag"});
  REQUIRE(e.parameters.size() == 1);
  CHECK(e.parameters[0].name == "applicable_grade");
  CHECK(e.parameters[0].description == "the Genant grade this guideline covers");
  REQUIRE(e.facts.size() == 5);
  CHECK(e.facts[0].name == "cord_compression");  // by name
  for (const ExplainedFact& fact : e.facts) {
    CHECK(fact.decisive);
  }
  REQUIRE(e.carried.size() == 1);
  CHECK(display_value(e.carried[0].value) == "1000 mg/d");
  CHECK(e.missing.empty());
}

TEST_CASE("a true `and` is decided by every operand, a true `or` by its true operands",
          "[explain]") {
  const Explanation e = explain_seed(kElderly, "close_monitoring");
  CHECK(e.outcome == Outcome::recommended);
  REQUIRE(e.condition.children.size() == 2);
  const Term& any = e.condition.children[1];
  CHECK(any.kind == TermKind::logical_or);
  REQUIRE(any.children.size() == 3);
  CHECK(any.children[0].decisive);        // severe_initial_pain = true
  CHECK_FALSE(any.children[1].decisive);  // mri_t2_fluid_pattern = false
  CHECK_FALSE(any.children[2].decisive);
  CHECK(e.reasons.back().term == "severe_initial_pain");
  CHECK(e.reasons.back().because.empty());
  const auto mri = std::find_if(e.facts.begin(), e.facts.end(), [](const ExplainedFact& f) {
    return f.name == "mri_t2_fluid_pattern";
  });
  REQUIRE(mri != e.facts.end());
  CHECK_FALSE(mri->decisive);  // read, but it did not decide
}

// ---- Absent ---------------------------------------------------------------------------------

TEST_CASE("an absent recommendation: why not, through a definition and a `not`", "[explain]") {
  std::string facts = kElderly;
  facts.replace(facts.find("neurologic_deficit: false"), 25, "neurologic_deficit: true");
  const Explanation e = explain_seed(facts, "calcium");
  CHECK(e.outcome == Outcome::absent);
  CHECK(e.summary ==
        "calcium is not recommended because conservative is false: red_flag is true "
        "(neurologic_deficit = true).");
  REQUIRE(e.reasons.size() == 1);
  CHECK(e.reasons[0].term == "not red_flag");
  CHECK(e.reasons[0].through == std::vector<std::string>{"conservative"});
  CHECK_FALSE(e.reasons[0].value.as_boolean());
  CHECK(e.reasons[0].because == "red_flag is true (neurologic_deficit = true)");
  // `applicable` is true: it did not decide the false `and`.
  const Term& body = e.condition.children.at(0);
  CHECK_FALSE(body.children.at(0).decisive);
  CHECK(body.children.at(1).decisive);
}

TEST_CASE("why not: a comparison with its fact and parameter, values and units", "[explain]") {
  std::string facts = kElderly;
  facts.replace(facts.find("2 weeks"), 7, "5 weeks");
  const Explanation e = explain_seed(facts, "calcitonin");
  CHECK(e.outcome == Outcome::absent);
  CHECK(e.summary ==
        "calcitonin is not recommended because `time_since_identification < calcitonin_window` "
        "is false (time_since_identification = 5 weeks, calcitonin_window = 4 weeks).");
  REQUIRE(e.reasons.size() == 1);
  CHECK(e.reasons[0].term == "time_since_identification < calcitonin_window");
  CHECK(e.reasons[0].through.empty());
  CHECK(e.reasons[0].because == "time_since_identification = 5 weeks, calcitonin_window = 4 weeks");
  const auto window =
      std::find_if(e.parameters.begin(), e.parameters.end(),
                   [](const ExplainedParameter& p) { return p.name == "calcitonin_window"; });
  REQUIRE(window != e.parameters.end());
  REQUIRE(window->value.kind() == ValueKind::quantity);
  CHECK(window->value.unit().code == "weeks");
  CHECK(display_value(window->value) == "4 weeks");

  const nlohmann::ordered_json json = explanation_to_json(e, seed().sources);
  const auto& parameters = json["parameters"];
  const auto found = std::find_if(parameters.begin(), parameters.end(),
                                  [](const auto& p) { return p["name"] == "calcitonin_window"; });
  REQUIRE(found != parameters.end());
  CHECK((*found)["value"] == "4 weeks");
  CHECK((*found)["unit"] == "weeks");
  CHECK((*found)["description"] == "calcitonin for the first 4 weeks after identification");
}

TEST_CASE("why not: every false operand of a false `and`", "[explain]") {
  std::string facts = kElderly;
  facts.replace(facts.find("2 weeks"), 7, "4 months");
  const Explanation e = explain_seed(facts, "imaging_persistent_symptoms");
  CHECK(e.outcome == Outcome::absent);
  REQUIRE(e.reasons.size() == 1);
  CHECK(e.reasons[0].term == "symptoms_persisting");

  const Explanation both = explain_seed(kElderly, "imaging_persistent_symptoms");
  REQUIRE(both.reasons.size() == 2);
  CHECK(both.reasons[0].term == "symptoms_persisting");
  CHECK(both.reasons[1].term == "time_since_identification > persistent_symptoms_after");
  CHECK(both.summary ==
        "imaging_persistent_symptoms is not recommended because symptoms_persisting = false and "
        "`time_since_identification > persistent_symptoms_after` is false "
        "(time_since_identification = 2 weeks, persistent_symptoms_after = 8 weeks).");
}

// ---- Undetermined ---------------------------------------------------------------------------

TEST_CASE("an undetermined recommendation: the missing fact and the values that settle it",
          "[explain]") {
  const Loaded& loaded = seed();
  const FactSet facts = facts_from_file(
      loaded, std::string(kSeedDir) + "/examples/four-months-unknown-pulmonary.json");
  const Explanation e = loaded.explain(facts, "augmentation_referral");
  CHECK(e.outcome == Outcome::undetermined);
  CHECK(e.summary ==
        "augmentation_referral is undetermined because augmentation_indicated is unknown "
        "(pulmonary_dysfunction is absent). It waits on pulmonary_dysfunction.");
  REQUIRE(e.reasons.size() == 1);
  CHECK(e.reasons[0].term == "pulmonary_dysfunction");
  CHECK(e.reasons[0].absent_fact);
  CHECK(e.reasons[0].through == std::vector<std::string>{"augmentation_indicated"});
  REQUIRE(e.missing.size() == 1);
  const MissingFact& missing = e.missing[0];
  CHECK(missing.name == "pulmonary_dysfunction");
  CHECK(missing.expected == "`true` or `false`");
  REQUIRE(missing.options.size() == 2);
  CHECK(option(missing, "true").outcome == Outcome::recommended);
  CHECK(option(missing, "false").outcome == Outcome::absent);
  CHECK(missing.settles_always());
  CHECK(e.evidence == std::optional<std::string>("AHA Class IIA, Level of Evidence B"));
}

TEST_CASE("a missing fact that does not settle it alone", "[explain]") {
  // Two indications unknown: neither alone can make the referral absent.
  std::string facts = kFourMonths;
  facts.replace(facts.find("pulmonary_dysfunction: false"), 28, "");
  const Explanation e = explain_seed(facts + "pain_vas: 1\n", "augmentation_referral");
  CHECK(e.outcome == Outcome::undetermined);
  REQUIRE(e.missing.empty() == false);
  const auto pulmonary = std::find_if(e.missing.begin(), e.missing.end(), [](const MissingFact& m) {
    return m.name == "pulmonary_dysfunction";
  });
  REQUIRE(pulmonary != e.missing.end());
  CHECK(pulmonary->settles_always());

  const Explanation two = explain_seed(
      std::string(kFourMonths)
          .replace(std::string(kFourMonths).find("pulmonary_dysfunction: false"), 28, ""),
      "augmentation_referral");
  REQUIRE(two.missing.size() == 2);
  for (const MissingFact& missing : two.missing) {
    CHECK(missing.settles_sometimes());     // true settles it (recommended) ...
    CHECK_FALSE(missing.settles_always());  // ... false leaves it waiting on the other
  }
  const MissingFact& pain = two.missing[0];
  CHECK(pain.name == "pain_vas");
  CHECK(option(pain, "below 3.5").outcome == Outcome::undetermined);
  CHECK(option(pain, "at least 3.5").outcome == Outcome::recommended);
}

TEST_CASE("a missing number: the ranges between the thresholds it is compared with", "[explain]") {
  // pain_vas is the only unknown indication at four months.
  const Explanation e = explain_seed(kFourMonths, "augmentation_referral");
  CHECK(e.outcome == Outcome::undetermined);
  REQUIRE(e.missing.size() == 1);
  const MissingFact& pain = e.missing[0];
  CHECK(pain.name == "pain_vas");
  CHECK(pain.expected == "a decimal from 0 to 10");
  REQUIRE(pain.options.size() == 2);
  const SettleOption& low = option(pain, "below 3.5");
  CHECK(low.outcome == Outcome::absent);
  CHECK_FALSE(low.min);
  REQUIRE(low.max);
  CHECK(display_value(*low.max) == "3.5");
  CHECK_FALSE(low.max_inclusive);
  CHECK(display_value(low.example) == "2.5");
  const SettleOption& high = option(pain, "at least 3.5");
  CHECK(high.outcome == Outcome::recommended);
  CHECK(high.min_inclusive);
  CHECK_FALSE(high.max);
  CHECK(pain.settles_always());
}

TEST_CASE("a missing duration: below, at and above its thresholds", "[explain]") {
  std::string without_time = kElderly;
  without_time.replace(without_time.find("time_since_identification: 2 weeks"), 34, "");

  const Explanation calcitonin = explain_seed(without_time, "calcitonin");
  CHECK(calcitonin.outcome == Outcome::undetermined);
  REQUIRE(calcitonin.missing.size() == 1);
  const MissingFact& time = calcitonin.missing[0];
  CHECK(time.name == "time_since_identification");
  REQUIRE(time.options.size() == 2);
  CHECK(option(time, "below 4 weeks").outcome == Outcome::recommended);
  CHECK(display_value(option(time, "below 4 weeks").example) == "3 weeks");
  CHECK(option(time, "at least 4 weeks").outcome == Outcome::absent);

  const Explanation imaging =
      explain_seed(std::string(without_time)
                       .replace(without_time.find("symptoms_persisting: false"), 26,
                                "symptoms_persisting: true"),
                   "imaging_persistent_symptoms");
  REQUIRE(imaging.missing.size() == 1);
  CHECK(option(imaging.missing[0], "at most 8 weeks").outcome == Outcome::absent);
  CHECK(option(imaging.missing[0], "above 8 weeks").outcome == Outcome::recommended);

  const Explanation augmentation = explain_seed(without_time, "augmentation_referral");
  REQUIRE(augmentation.missing.size() == 1);
  CHECK(option(augmentation.missing[0], "below 3 months").outcome == Outcome::absent);
  CHECK(option(augmentation.missing[0], "at least 3 months").outcome == Outcome::recommended);
}

TEST_CASE("an undetermined `and` is decided by its unknown operands only", "[explain]") {
  const Explanation e = explain_seed("fracture_grade: 1\n", "calcium");
  CHECK(e.outcome == Outcome::undetermined);
  const Term& body = e.condition.children.at(0);
  CHECK_FALSE(body.children.at(0).decisive);  // applicable: true
  CHECK(body.children.at(1).decisive);        // not red_flag: unknown
  REQUIRE(e.missing.size() == 4);
  for (const MissingFact& missing : e.missing) {
    // Any red flag makes it absent; a false one leaves the other three unknown.
    CHECK(option(missing, "true").outcome == Outcome::absent);
    CHECK(option(missing, "false").outcome == Outcome::undetermined);
  }
  CHECK(e.summary ==
        "calcium is undetermined because conservative is unknown: red_flag is unknown "
        "(neurologic_deficit is absent, progressive_neurologic_deterioration is absent, "
        "spinal_instability is absent and cord_compression is absent). "
        "It waits on cord_compression, neurologic_deficit, progressive_neurologic_deterioration "
        "and spinal_instability.");
}

// ---- Citations, JSON, text -----------------------------------------------------------------

TEST_CASE("citations carry the full text of their sources", "[explain]") {
  const Explanation e = explain_seed(kElderly, "augmentation_referral");
  REQUIRE(e.citations.size() == 3);
  CHECK(e.citations[0].number == 1);
  CHECK(e.citations[1].number == 2);
  CHECK(e.citations[2].number == 6);
  CHECK(e.citations[2].text == seed().guideline->source(6)->citation);
  CHECK(e.citations[2].text.starts_with("Seed reference 6: evidence on risk factors"));
}

TEST_CASE("the JSON carries the same tree", "[explain][json]") {
  const Loaded& loaded = seed();
  const Explanation e = explain_seed(kElderly, "calcium");
  const nlohmann::ordered_json json = explanation_to_json(e, loaded.sources);
  std::vector<std::string> keys;
  for (const auto& item : json.items()) {
    keys.push_back(item.key());
  }
  CHECK(keys == std::vector<std::string>{"id", "kind", "text", "outcome", "location", "carries",
                                         "summary", "decided_despite", "reasons", "condition",
                                         "facts", "parameters", "definitions", "missing",
                                         "citations"});
  CHECK(json["outcome"] == "recommended");
  CHECK(json["carries"]["calcium_daily_dose"] == "1000 mg/d");
  CHECK(json["location"].get<std::string>().starts_with("vertebral-fracture-grade1.rubric:"));
  const auto& root = json["condition"];
  CHECK(root["kind"] == "definition");
  CHECK(root["name"] == "conservative");
  CHECK(root["value"] == true);
  CHECK(root["display"] == "true");
  CHECK(root["decisive"] == true);
  const auto& body = root["children"][0];
  CHECK(body["kind"] == "and");
  CHECK(body["operator"] == "and");
  CHECK(body["children"].size() == 2);
  const auto& fact = body["children"][0]["children"][0]["children"][0];
  CHECK(fact["kind"] == "fact");
  CHECK(fact["name"] == "fracture_grade");
  CHECK(fact["value"] == 1);
  CHECK(fact["absent"] == false);
  const auto& parameter = body["children"][0]["children"][0]["children"][1];
  CHECK(parameter["kind"] == "parameter");
  CHECK(parameter["value"] == 1);
  CHECK(json["reasons"][1]["through"] == nlohmann::ordered_json::array({"conservative"}));
  CHECK(json["citations"][0]["number"] == 2);
  CHECK(json["citations"][0]["text"].get<std::string>().starts_with("Seed reference 2:"));

  const Explanation undetermined = explain_seed(kFourMonths, "augmentation_referral");
  const nlohmann::ordered_json missing =
      explanation_to_json(undetermined, loaded.sources)["missing"];
  REQUIRE(missing.size() == 1);
  CHECK(missing[0]["fact"] == "pain_vas");
  CHECK(missing[0]["settles"] == "always");
  CHECK(missing[0]["proven"] == true);
  CHECK(missing[0]["options"][0] == nlohmann::ordered_json::parse(R"({
      "values": "below 3.5", "example": 2.5, "max": 3.5, "max_inclusive": false,
      "outcome": "absent", "proven": true})"));
  CHECK(missing[0]["options"][1]["outcome"] == "recommended");

  const std::vector<Explanation> both{e, undetermined};
  const nlohmann::ordered_json all = explanations_to_json(both, loaded.sources);
  CHECK(all["guideline"]["id"] == "vertebral-fracture-grade1");
  CHECK(all["guideline"]["version"] == "1.0.0");
  CHECK(all["explanations"].size() == 2);
  CHECK(all["explanations"][1]["outcome"] == "undetermined");
}

TEST_CASE("the text reads as an explanation", "[explain][text]") {
  const Loaded& loaded = seed();
  std::string facts = kElderly;
  facts.replace(facts.find("neurologic_deficit: false"), 25, "neurologic_deficit: true");
  const std::string text = explanation_to_text(explain_seed(facts, "calcium"), loaded.sources);
  INFO(text);
  CHECK(
      text.starts_with("== calcium (prescribe): not recommended\n"
                       "  \"Prescribe at least 1000 mg elemental calcium daily.\"\n"
                       "  rule at vertebral-fracture-grade1.rubric:"));
  CHECK_THAT(text, Catch::Contains(
                       "\ncalcium is not recommended because conservative is false: red_flag is "
                       "true (neurologic_deficit = true).\n"));
  CHECK_THAT(text, Catch::Contains("\nWhy not (the false terms that decided it):\n"
                                   "  - `not red_flag` (in conservative) is false: red_flag is "
                                   "true (neurologic_deficit = true)\n"));
  CHECK_THAT(
      text,
      Catch::Contains(
          "\nThe condition, term by term:\n"
          "  conservative is false (definition: conservative medical management applies)\n"
          "    `applicable and not red_flag` is false\n"
          "      applicable is true (definition: the guideline covers grade 1 changes only)\n"
          "        `fracture_grade = applicable_grade` is true\n"
          "          fracture_grade is 1 (fact: Genant semi-quantitative grade of the "
          "vertebral body change)\n"
          "          applicable_grade is 1 (parameter: the Genant grade this guideline covers)\n"
          "      `not red_flag` is false\n"
          "        red_flag is true (definition: absolute indications for immediate "
          "surgical consultation)\n"));
  CHECK_THAT(text, Catch::Contains(
                       "\nFacts that decided it:\n  neurologic_deficit = true (motor weakness, "
                       "sensory loss or sphincter dysfunction)\n"));
  CHECK_THAT(text, Catch::Contains("\nOther facts it read:\n  cord_compression = false"));
  CHECK_THAT(text, Catch::Contains("\nParameters:\n  applicable_grade = 1 (the Genant grade this "
                                   "guideline covers)\n"));
  CHECK_THAT(text, Catch::Contains("\nDefinitions it went through:\n  conservative is false "
                                   "(conservative medical management applies); defined at "
                                   "vertebral-fracture-grade1.rubric:"));
  CHECK_THAT(text, Catch::Contains("\nSources:\n  [2] Seed reference 2: guidance on conservative "
                                   "management"));
  // Plain ASCII, for clean logs.
  CHECK(std::all_of(text.begin(), text.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 128; }));

  const std::string waiting =
      explanation_to_text(explain_seed(kFourMonths, "augmentation_referral"), loaded.sources);
  INFO(waiting);
  CHECK(waiting.starts_with("== augmentation_referral (refer): undetermined\n"));
  CHECK_THAT(waiting,
             Catch::Contains("\nWhy undetermined (the unknown terms that decided it):\n"
                             "  - `pain_vas >= severe_pain_vas` (in augmentation_indicated) "
                             "is unknown: pain_vas is absent, severe_pain_vas = 3.5\n"));
  CHECK_THAT(
      waiting,
      Catch::Contains("\nWhat would settle it (each missing fact alone, the others as they are):\n"
                      "  pain_vas (current pain on the visual analogue scale; a decimal from 0 "
                      "to 10): settles it whatever its value\n"
                      "    below 3.5: not recommended\n"
                      "    at least 3.5: recommended\n"));
  CHECK_THAT(waiting, Catch::Contains("\nFacts that left it undetermined:\n  pain_vas = absent"));
  CHECK(waiting.find("carries") == std::string::npos);
}

TEST_CASE("the two explain overloads agree", "[explain]") {
  const Loaded& loaded = seed();
  const FactSet facts = facts_from(loaded, kElderly);
  EvaluationScratch scratch;
  Decision decision;
  loaded.guideline->evaluate_with_values(facts, scratch, decision);
  for (std::size_t r = 0; r < loaded.guideline->recommendations().size(); ++r) {
    const Explanation a = explain(*loaded.guideline, loaded.sources, facts, scratch, decision, r);
    const Explanation b = explain(*loaded.guideline, loaded.sources, facts, r);
    CHECK(a.outcome == decision.outcomes[r]);
    CHECK(a.summary == b.summary);
    // The root's value is the recommendation's outcome.
    CHECK(a.condition.value.as_boolean() == (a.outcome == Outcome::recommended));
  }
}

// ---- The author's constructs ----------------------------------------------------------------

TEST_CASE("between, in, case, if and Coalesce keep their shape", "[explain]") {
  const auto loaded = load_body(
      "fact score: integer between 0 and 10\n"
      "fact side: code {'left', 'right'}\n"
      "fact dose: quantity 'mg' >= 0 'mg'\n"
      "fact flag: boolean\n"
      "parameter low = 3\n"
      "recommendation ranged kind refer text \"r\" cite 1\n"
      "  when score between low and 5 and side in {'left'}\n"
      "recommendation cased kind refer text \"c\" cite 1\n"
      "  when case score when 1 then flag when 2 then true else false end\n"
      "recommendation branched kind refer text \"b\" cite 1\n"
      "  when (if flag then Coalesce(dose, 0 'mg') else 1 'g') > 10 'mg'\n"
      "recommendation tested kind refer text \"t\" cite 1\n"
      "  when dose is not null // a comment inside\n"
      "    and /* another */ flag\n");
  const FactSet facts = facts_from(*loaded, "score: 4\nside: right\nflag: true\n");

  const Explanation ranged = loaded->explain(facts, "ranged");
  CHECK(ranged.outcome == Outcome::absent);
  const Term& between = ranged.condition.children.at(0);
  CHECK(between.kind == TermKind::between);
  CHECK(between.text == "score between low and 5");
  CHECK(between.value.as_boolean());
  CHECK(child_texts(between) == std::vector<std::string>{"score", "low", "5"});
  const Term& in = ranged.condition.children.at(1);
  CHECK(in.kind == TermKind::membership);
  CHECK_FALSE(in.value.as_boolean());
  CHECK(in.children.at(1).kind == TermKind::list);
  CHECK(in.children.at(1).children.at(0).text == "'left'");
  REQUIRE(ranged.reasons.size() == 1);
  CHECK(ranged.reasons[0].term == "side in {'left'}");
  CHECK(ranged.reasons[0].because == "side = 'right'");

  const Explanation cased = loaded->explain(facts, "cased");
  CHECK(cased.outcome == Outcome::absent);
  const Term& c = cased.condition;
  CHECK(c.kind == TermKind::case_when);
  REQUIRE(c.children.size() == 6);
  CHECK(c.children[0].role == "subject");
  CHECK(c.children[1].role == "when");
  CHECK(c.children[2].role == "then");
  CHECK_FALSE(c.children[2].taken);
  CHECK(c.children[5].role == "else");
  CHECK(c.children[5].taken);
  CHECK(c.children[5].decisive);

  const Explanation branched = loaded->explain(facts, "branched");
  CHECK(branched.outcome == Outcome::absent);  // flag: Coalesce(absent, 0 mg) = 0 mg
  const Term& test = branched.condition;
  // The operation's text takes in the parentheses around its first operand.
  CHECK(test.text == "(if flag then Coalesce(dose, 0 'mg') else 1 'g') > 10 'mg'");
  const Term& branch = test.children.at(0);
  CHECK(branch.text == "if flag then Coalesce(dose, 0 'mg') else 1 'g'");
  CHECK(branch.kind == TermKind::if_then_else);
  CHECK(branch.children.at(1).taken);
  CHECK_FALSE(branch.children.at(2).taken);
  const Term& coalesce = branch.children.at(1);
  CHECK(coalesce.kind == TermKind::call);
  CHECK(coalesce.op == "Coalesce");
  CHECK(display_value(coalesce.value) == "0 mg");
  CHECK(coalesce.children.at(0).decisive);
  CHECK(coalesce.children.at(1).decisive);

  const Explanation tested = loaded->explain(facts, "tested");
  CHECK(tested.outcome == Outcome::absent);
  CHECK(tested.condition.text == "dose is not null and flag");
  const Term& is_not_null = tested.condition.children.at(0);
  CHECK(is_not_null.kind == TermKind::test);
  CHECK(is_not_null.op == "is not null");
  CHECK_FALSE(is_not_null.value.as_boolean());
  CHECK(tested.reasons.at(0).because == "dose is absent");
}

TEST_CASE("a missing code, integer or quantity: its codes and thresholds", "[explain]") {
  const auto loaded = load_body(
      "fact score: integer between 0 and 10\n"
      "fact side: code {'left', 'right', 'both'}\n"
      "fact dose: quantity 'mg' >= 0 'mg'\n"
      "recommendation by_side kind refer text \"s\" cite 1 when side = 'left'\n"
      "recommendation by_score kind refer text \"n\" cite 1 when score > 2 and score <= 4\n"
      "recommendation by_dose kind refer text \"d\" cite 1 when dose >= 1 'g'\n");
  const FactSet facts = facts_from(*loaded, "{}");

  const Explanation side = loaded->explain(facts, "by_side");
  REQUIRE(side.missing.size() == 1);
  REQUIRE(side.missing[0].options.size() == 3);
  CHECK(option(side.missing[0], "'left'").outcome == Outcome::recommended);
  CHECK(option(side.missing[0], "'right'").outcome == Outcome::absent);
  CHECK(option(side.missing[0], "'both'").outcome == Outcome::absent);

  const Explanation score = loaded->explain(facts, "by_score");
  REQUIRE(score.missing.size() == 1);
  const MissingFact& s = score.missing[0];
  REQUIRE(s.options.size() == 3);
  CHECK(option(s, "at most 2").outcome == Outcome::absent);
  CHECK(option(s, "above 2 and at most 4").outcome == Outcome::recommended);
  CHECK(option(s, "above 4").outcome == Outcome::absent);
  CHECK(display_value(option(s, "above 2 and at most 4").example) == "3");

  const Explanation dose = loaded->explain(facts, "by_dose");
  REQUIRE(dose.missing.size() == 1);
  CHECK(option(dose.missing[0], "below 1 g").outcome == Outcome::absent);
  CHECK(display_value(option(dose.missing[0], "below 1 g").example) == "0 g");
  CHECK(option(dose.missing[0], "at least 1 g").outcome == Outcome::recommended);
}

TEST_CASE("a definition used twice is explained twice; the tree stays bounded",
          "[explain][limits]") {
  SECTION("twice") {
    const auto loaded = load_body(
        "fact a: boolean\nfact b: boolean\n"
        "define both = a and b\n"
        "recommendation r kind refer text \"r\" cite 1 when both or (both and a)\n");
    const FactSet facts = facts_from(*loaded, "a: true\nb: true\n");
    const Explanation e = loaded->explain(facts, "r");
    CHECK(e.condition.children.at(0).children.size() == 1);
    CHECK(e.condition.children.at(1).children.at(0).children.size() == 1);
    CHECK(names_of(e.definitions) == std::vector<std::string>{"both"});
  }
  SECTION("a definition doubling at every level") {
    std::string body = "fact a: boolean\ndefine d0 = a\n";
    for (int i = 1; i <= 40; ++i) {
      body += fmt::format("define d{} = d{} and d{}\n", i, i - 1, i - 1);
    }
    body += "recommendation r kind refer text \"r\" cite 1 when d40\n";
    const auto loaded = load_body(body);
    const FactSet facts = facts_from(*loaded, "a: true\n");
    const Explanation e = loaded->explain(facts, "r");
    CHECK(e.outcome == Outcome::recommended);
    CHECK(size_of(e.condition) < 3 * kMaxExplanationNodes);
    CHECK(e.definitions.size() == 41);
  }
  SECTION("a long chain of definitions") {
    std::string body = "fact a: boolean\ndefine d0 = not a\n";
    for (int i = 1; i <= 300; ++i) {
      body += fmt::format("define d{} = not d{}\n", i, i - 1);
    }
    body += "recommendation r kind refer text \"r\" cite 1 when d300\n";
    const auto loaded = load_body(body);
    const FactSet facts = facts_from(*loaded, "{}");
    const Explanation e = loaded->explain(facts, "r");
    CHECK(e.outcome == Outcome::undetermined);
    CHECK(depth_of(e.condition) <= kMaxExplanationDepth);
    const std::string text = explanation_to_text(e, loaded->sources);
    CHECK_THAT(text, Catch::Contains("(deeper terms left out)"));
    CHECK_FALSE(explanation_to_json(e, loaded->sources).dump().empty());
    REQUIRE(e.missing.size() == 1);
    CHECK(e.missing[0].settles_always());
  }
  SECTION("five hundred operands in one chain are one term") {
    std::string condition = "a0";
    std::string facts_text;
    std::string body;
    for (int i = 0; i < 500; ++i) {
      body += fmt::format("fact a{}: boolean\n", i);
      facts_text += fmt::format("a{}: {}\n", i, i == 250 ? "false" : "true");
      if (i > 0) {
        condition += fmt::format(" and a{}", i);
      }
    }
    body += "recommendation r kind refer text \"r\" cite 1 when " + condition + "\n";
    const auto loaded = load_body(body);
    const FactSet facts = facts_from(*loaded, facts_text);
    const Explanation e = loaded->explain(facts, "r");
    CHECK(e.condition.kind == TermKind::logical_and);
    CHECK(e.condition.children.size() == 500);
    REQUIRE(e.reasons.size() == 1);
    CHECK(e.reasons[0].term == "a250");
  }
}

}  // namespace
}  // namespace rubric

#include "tools/cli.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dsl/parser.hpp"
#include "engine/expression.hpp"
#include "engine/guideline.hpp"
#include "tools/case_file.hpp"
#include "tools/coverage.hpp"
#include "tools/fact_file.hpp"
#include "tools/graph_output.hpp"
#include "tools/report.hpp"

#ifndef RUBRIC_VERSION
#define RUBRIC_VERSION "0.0.0"
#endif

namespace rubric {
namespace {

constexpr int kExitInputError = 1;
constexpr int kExitUsage = 2;

// Reads a whole file into `sources`; nullopt (after a message) when it cannot be read or is
// larger than the limit.
std::optional<FileId> read_file(SourceManager& sources, const std::string& path,
                                std::ostream& err) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    err << fmt::format("error: cannot read `{}`: it is a folder\n", path);
    return std::nullopt;
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    err << fmt::format("error: cannot read `{}`\n", path);
    return std::nullopt;
  }
  std::string text;
  char buffer[65536];
  while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(stream.gcount()));
    if (text.size() > kMaxSourceBytes) {
      err << fmt::format("error: `{}` is larger than the limit of {} bytes\n", path,
                         kMaxSourceBytes);
      return std::nullopt;
    }
  }
  return sources.add(path, std::move(text));
}

std::shared_ptr<const Guideline> load_guideline(SourceManager& sources, const std::string& path,
                                                std::ostream& err, int& exit_code) {
  const std::optional<FileId> file = read_file(sources, path, err);
  if (!file) {
    exit_code = kExitUsage;
    return nullptr;
  }
  Diagnostics diagnostics;
  auto guideline = Guideline::compile(sources, *file, diagnostics);
  if (!guideline) {
    err << format_diagnostics(sources, diagnostics);
    exit_code = kExitInputError;
  }
  return guideline;
}

int check(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  int exit_code = 0;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const std::string& path : files) {
    SourceManager sources;
    const std::optional<FileId> file = read_file(sources, path, err);
    if (!file) {
      exit_code = std::max(exit_code, kExitUsage);
      continue;
    }
    Diagnostics diagnostics;
    const auto guideline = Guideline::compile(sources, *file, diagnostics);
    err << format_diagnostics(sources, diagnostics);
    for (const Diagnostic& diagnostic : diagnostics.all()) {
      errors += diagnostic.severity == Severity::error ? 1 : 0;
      warnings += diagnostic.severity == Severity::warning ? 1 : 0;
    }
    if (!guideline) {
      exit_code = std::max(exit_code, kExitInputError);
    }
  }
  out << fmt::format("{} file{} checked: {} error{}, {} warning{}\n", files.size(),
                     files.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
                     warnings == 1 ? "" : "s");
  return exit_code;
}

int eval(const std::string& guideline_path, const std::vector<std::string>& fact_paths,
         const std::string& format, std::ostream& out, std::ostream& err) {
  SourceManager sources;
  int exit_code = 0;
  const auto guideline = load_guideline(sources, guideline_path, err, exit_code);
  if (!guideline) {
    return exit_code;
  }
  // Every fact file is read and checked before anything is evaluated.
  std::vector<FactSet> fact_sets;
  bool rejected = false;
  for (const std::string& path : fact_paths) {
    const std::optional<FileId> file = read_file(sources, path, err);
    if (!file) {
      return kExitUsage;
    }
    Diagnostics diagnostics;
    std::optional<FactSet> facts = read_fact_file(sources, *file, guideline->facts(), diagnostics);
    if (!facts) {
      err << format_diagnostics(sources, diagnostics);
      err << fmt::format("error: `{}` was rejected\n", path);
      rejected = true;
      continue;
    }
    fact_sets.push_back(std::move(*facts));
  }
  if (rejected) {
    err << "nothing was evaluated\n";
    return kExitInputError;
  }
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (std::size_t index = 0; index < fact_sets.size(); ++index) {
    const std::string& path = fact_paths[index];
    const FactSet* facts = &fact_sets[index];
    EvaluationScratch scratch;
    Decision decision;
    guideline->evaluate(*facts, scratch, decision);
    if (format == "json") {
      nlohmann::ordered_json result =
          decision_to_json(*guideline, sources, *facts, scratch, decision);
      result["facts"] = path;
      results.push_back(std::move(result));
    } else {
      if (fact_paths.size() > 1) {
        out << fmt::format("== {}\n", path);
      }
      out << decision_to_text(*guideline, sources, *facts, scratch, decision);
    }
  }
  if (format == "json") {
    out << (results.size() == 1 ? results.front() : results)
               .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
        << "\n";
  }
  return 0;
}

// Reads `--facts` for `rubric expr`: a mapping of names to values, typed by how they are
// written: true/false, integers, decimals, `10 weeks` quantities, other strings, null.
std::optional<std::vector<NamedValue>> expression_names(SourceManager& sources,
                                                        const std::string& path, std::ostream& err,
                                                        std::deque<std::string>& strings) {
  std::vector<NamedValue> names;
  const std::optional<FileId> file = read_file(sources, path, err);
  if (!file) {
    return std::nullopt;
  }
  try {
    Diagnostics diagnostics;
    const std::optional<YAML::Node> loaded =
        load_yaml_document(sources, *file, diagnostics, "a facts file");
    if (!loaded) {
      err << format_diagnostics(sources, diagnostics);
      return std::nullopt;
    }
    const YAML::Node& root = *loaded;
    if (root.IsNull()) {
      return names;
    }
    if (!root.IsMap()) {
      err << fmt::format("error: `{}` must be a mapping from names to values\n", path);
      return std::nullopt;
    }
    for (const auto& entry : root) {
      const std::string name = entry.first.as<std::string>();
      const YAML::Node& node = entry.second;
      if (!node.IsScalar() && !node.IsNull()) {
        err << fmt::format("error: `{}`: the value of `{}` must be a single value\n", path, name);
        return std::nullopt;
      }
      Value value;
      const std::string text = node.IsNull() ? "" : node.Scalar();
      const bool plain = node.Tag() != "!";
      if (node.IsNull() || (plain && (text == "null" || text == "~"))) {
        value = Value::null();
      } else if (plain && (text == "true" || text == "false")) {
        value = Value::boolean(text == "true");
      } else if (const auto number = plain ? Decimal::parse(text) : std::nullopt) {
        const auto integer = number->to_int32();
        value = text.find('.') == std::string::npos && integer ? Value::integer(*integer)
                                                               : Value::decimal(*number);
      } else {
        const std::size_t space = text.find(' ');
        const auto amount =
            space == std::string::npos ? std::nullopt : Decimal::parse(text.substr(0, space));
        std::string unit_text = space == std::string::npos ? "" : text.substr(space + 1);
        if (unit_text.size() >= 2 && unit_text.front() == '\'' && unit_text.back() == '\'') {
          unit_text = unit_text.substr(1, unit_text.size() - 2);
        }
        const Unit* unit = amount ? find_unit(unit_text) : nullptr;
        if (unit != nullptr) {
          value = Value::quantity(*amount, *unit);
        } else {
          strings.push_back(text);
          value = Value::string(strings.back());
        }
      }
      names.push_back(NamedValue{name, value});
    }
  } catch (const YAML::Exception& error) {
    err << fmt::format("error: `{}` is not valid YAML or JSON: {}\n", path, error.what());
    return std::nullopt;
  }
  return names;
}

int expr(const std::string& expression, const std::string& facts_path, std::ostream& out,
         std::ostream& err) {
  SourceManager sources;
  std::deque<std::string> strings;
  std::vector<NamedValue> names;
  if (!facts_path.empty()) {
    if (!std::ifstream(facts_path)) {
      err << fmt::format("error: cannot read `{}`\n", facts_path);
      return kExitUsage;
    }
    auto loaded = expression_names(sources, facts_path, err, strings);
    if (!loaded) {
      return kExitInputError;
    }
    names = std::move(*loaded);
  }
  const FileId file = sources.add("<expression>", expression);
  Diagnostics diagnostics;
  const std::optional<ExpressionResult> result =
      evaluate_expression(sources, file, names, diagnostics);
  err << format_diagnostics(sources, diagnostics);
  if (!result) {
    return kExitInputError;
  }
  out << result->literal << "\n";
  return 0;
}

int test(const std::string& guideline_path, const std::vector<std::string>& case_paths,
         bool with_coverage, const std::string& format, std::ostream& out, std::ostream& err) {
  SourceManager sources;
  int exit_code = 0;
  const auto guideline = load_guideline(sources, guideline_path, err, exit_code);
  if (!guideline) {
    return exit_code;
  }
  std::vector<std::string> missing;
  const std::vector<std::string> files = collect_case_files(case_paths, missing);
  for (const std::string& path : missing) {
    err << fmt::format("error: no case file or folder `{}`\n", path);
  }
  if (!missing.empty()) {
    return kExitUsage;
  }
  std::size_t passed = 0;
  std::size_t failed = 0;
  CoverageRecorder coverage(*guideline);
  nlohmann::ordered_json cases = nlohmann::ordered_json::array();
  for (const std::string& path : files) {
    const CaseOutcome outcome = run_case_file(*guideline, sources, path, &coverage);
    if (outcome.passed) {
      ++passed;
    } else {
      ++failed;
      if (format == "text") {
        std::string explanation = outcome.explanation;
        while (!explanation.empty() && explanation.back() == '\n') {
          explanation.pop_back();
        }
        out << fmt::format("FAIL {}\n{}\n\n", path, explanation);
      }
    }
    cases.push_back(
        {{"case", path}, {"passed", outcome.passed}, {"explanation", outcome.explanation}});
  }
  if (format == "json") {
    nlohmann::ordered_json result = {{"passed", passed}, {"failed", failed}, {"cases", cases}};
    if (with_coverage) {
      result["coverage"] = coverage.to_json(sources);
    }
    out << result.dump(2) << "\n";
  } else {
    if (with_coverage) {
      out << coverage.to_text(sources) << "\n";
    }
    out << fmt::format("{} passed, {} failed\n", passed, failed);
  }
  if (files.empty()) {
    err << "error: no case files found\n";
  }
  return failed == 0 && !files.empty() ? 0 : kExitInputError;
}

int graph(const std::string& guideline_path, const std::string& format, std::ostream& out,
          std::ostream& err) {
  SourceManager sources;
  int exit_code = 0;
  const auto guideline = load_guideline(sources, guideline_path, err, exit_code);
  if (!guideline) {
    return exit_code;
  }
  if (format == "dot") {
    out << graph_to_dot(*guideline);
  } else if (format == "mermaid") {
    out << graph_to_mermaid(*guideline);
  } else {
    out << graph_to_json(*guideline).dump(2) << "\n";
  }
  return 0;
}

}  // namespace

int run_command_line(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Rubric: a declarative rules engine for clinical guidelines", "rubric"};
  app.set_version_flag("--version", std::string("rubric ") + RUBRIC_VERSION);
  app.require_subcommand(1);

  std::vector<std::string> check_files;
  CLI::App* check_command = app.add_subcommand("check", "Check rule files and print diagnostics");
  check_command->add_option("FILE", check_files, "Rule files (.rubric)")->required();

  std::string guideline_path;
  std::vector<std::string> fact_paths;
  std::string format = "text";
  CLI::App* eval_command =
      app.add_subcommand("eval", "Evaluate a guideline on one or more fact files");
  eval_command->add_option("GUIDELINE", guideline_path, "Rule file (.rubric)")->required();
  eval_command->add_option("FACTS", fact_paths, "Fact files (YAML or JSON)")->required();
  eval_command->add_option("--format", format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));

  std::string expression;
  std::string facts_path;
  CLI::App* expr_command =
      app.add_subcommand("expr", "Evaluate one CQL expression and print its value");
  expr_command->add_option("EXPRESSION", expression, "The expression, e.g. '13 weeks < 3 months'")
      ->required();
  expr_command->add_option("--facts", facts_path, "Values for names used in the expression");

  std::string test_guideline;
  std::vector<std::string> case_paths;
  CLI::App* test_command = app.add_subcommand("test", "Run case files against a guideline");
  test_command->add_option("GUIDELINE", test_guideline, "Rule file (.rubric)")->required();
  test_command->add_option("CASES", case_paths, "Case files or folders")->required();
  bool with_coverage = false;
  std::string test_format = "text";
  test_command->add_flag("--coverage", with_coverage,
                         "Report which recommendations and conditions the cases reach");
  test_command->add_option("--format", test_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));

  std::string graph_guideline;
  std::string graph_format = "dot";
  CLI::App* graph_command =
      app.add_subcommand("graph", "Draw the compiled decision graph (Graphviz DOT, Mermaid, JSON)");
  graph_command->add_option("GUIDELINE", graph_guideline, "Rule file (.rubric)")->required();
  graph_command->add_option("--format", graph_format, "Output format (default dot)")
      ->check(CLI::IsMember({"dot", "mermaid", "json"}));

  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    bool known = false;
    for (const CLI::App* command : app.get_subcommands({})) {
      known = known || command->get_name() == word;
    }
    if (!known) {
      err << fmt::format(
          "error: unknown command `{}`; the commands are `check`, `eval`, "
          "`expr`, `test` and `graph`\n",
          word);
      err << "run `rubric --help` for usage\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    out << "rubric " << RUBRIC_VERSION << "\n";
    return 0;
  } catch (const CLI::ParseError& error) {
    // Help for a subcommand is raised from within it: print that subcommand's help.
    if (error.get_name() == "CallForHelp") {
      for (CLI::App* command : app.get_subcommands()) {
        out << command->help();
        return 0;
      }
      out << app.help();
      return 0;
    }
    err << "error: " << error.what() << "\n";
    err << "run `rubric --help` for usage\n";
    return kExitUsage;
  }
  try {
    if (check_command->parsed()) {
      return check(check_files, out, err);
    }
    if (eval_command->parsed()) {
      return eval(guideline_path, fact_paths, format, out, err);
    }
    if (expr_command->parsed()) {
      return expr(expression, facts_path, out, err);
    }
    if (graph_command->parsed()) {
      return graph(graph_guideline, graph_format, out, err);
    }
    if (test_command->parsed()) {
      return test(test_guideline, case_paths, with_coverage, test_format, out, err);
    }
  } catch (const std::exception& error) {
    err << "internal error: " << error.what() << "\n";
    return kExitUsage;
  }
  out << app.help();
  return kExitUsage;
}

}  // namespace rubric

#include "tools/command.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "engine/expression.hpp"
#include "engine/guideline.hpp"
#include "tools/fact_file.hpp"
#include "tools/report.hpp"
#include "values/units.hpp"

namespace rubric {
namespace {

// Reads `--facts` for `rubric expr`: a mapping of names to values, typed by how they are
// written: true/false, integers, decimals, `10 weeks` quantities, other strings, null.
// `file` is the file read (already in `sources`), named `path`.
std::optional<std::vector<NamedValue>> expression_names(SourceManager& sources, FileId file,
                                                        const std::string& path, std::ostream& err,
                                                        std::deque<std::string>& strings) {
  std::vector<NamedValue> names;
  try {
    Diagnostics diagnostics;
    const std::optional<YAML::Node> loaded =
        load_yaml_document(sources, file, diagnostics, "a facts file");
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

// `rubric expr --guideline FILE [--facts F] EXPRESSION`: the expression in the guideline's
// scope, with F read as a fact file of the guideline (as `rubric eval` reads it).
int expr_in_guideline(const std::string& expression, const std::string& guideline_path,
                      const std::string& facts_path, const DateTime& as_of, std::ostream& out,
                      std::ostream& err) {
  SourceManager sources;
  int exit_code = 0;
  const auto guideline = load_guideline(sources, guideline_path, err, exit_code);
  if (!guideline) {
    return exit_code;
  }
  FactSet facts(guideline->facts().size());
  if (!facts_path.empty()) {
    const std::optional<FileId> facts_file = read_source_file(sources, facts_path, err);
    if (!facts_file) {
      return kExitUsage;
    }
    Diagnostics diagnostics;
    std::optional<FactSet> read =
        read_fact_file(sources, *facts_file, guideline->facts(), diagnostics);
    if (!read) {
      err << format_diagnostics(sources, diagnostics);
      err << fmt::format("error: `{}` was rejected\n", facts_path);
      return kExitInputError;
    }
    facts = std::move(*read);
  }
  const FileId file = sources.add("<expression>", expression);
  Diagnostics diagnostics;
  const std::optional<ExpressionResult> result =
      evaluate_expression(*guideline, sources, file, facts, diagnostics, as_of);
  err << format_diagnostics(sources, diagnostics);
  if (!result) {
    return kExitInputError;
  }
  out << result->literal << "\n";
  return 0;
}

int expr(const std::string& expression, const std::string& facts_path, const DateTime& as_of,
         std::ostream& out, std::ostream& err) {
  SourceManager sources;
  std::deque<std::string> strings;
  std::vector<NamedValue> names;
  if (!facts_path.empty()) {
    const std::optional<FileId> facts_file = read_source_file(sources, facts_path, err);
    if (!facts_file) {
      return kExitUsage;
    }
    auto loaded = expression_names(sources, *facts_file, facts_path, err, strings);
    if (!loaded) {
      return kExitInputError;
    }
    names = std::move(*loaded);
  }
  const FileId file = sources.add("<expression>", expression);
  Diagnostics diagnostics;
  const std::optional<ExpressionResult> result =
      evaluate_expression(sources, file, names, diagnostics, as_of);
  err << format_diagnostics(sources, diagnostics);
  if (!result) {
    return kExitInputError;
  }
  out << result->literal << "\n";
  return 0;
}

}  // namespace

Command add_expr_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  struct Options {
    std::string expression;
    std::string facts;
    std::string guideline;
    std::string as_of;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand("expr", "Evaluate one CQL expression and print its value");
  command->add_option("EXPRESSION", options->expression,
                      "The expression, e.g. '13 weeks < 3 months' or '-(1 day)'");
  command->add_option("--facts", options->facts,
                      "Values for names used in the expression (with --guideline: a fact file of "
                      "the guideline)");
  command->add_option(
      "--guideline", options->guideline,
      "A rule file whose facts, parameters and definitions the expression may name");
  add_as_of_option(*command, options->as_of);
  // An expression may start with `-` (`-(1 day)`, `--1`), which the option parser takes for
  // an unknown option: such words are kept as extras, and one of them is the expression when
  // no other word is. Anything else left over is an error, as it would be without this.
  command->allow_extras();
  command->parse_complete_callback([command, options] {
    std::vector<std::string> extras = command->remaining();
    // With extras allowed, the parser keeps the `--` that ends the options among them.
    std::erase(extras, std::string("--"));
    if (options->expression.empty() && command->count("EXPRESSION") == 0 && !extras.empty()) {
      options->expression = extras.front();
      extras.erase(extras.begin());
    } else if (options->expression.empty() && command->count("EXPRESSION") == 0) {
      throw CLI::RequiredError("EXPRESSION");
    }
    if (!extras.empty()) {
      throw CLI::ExtrasError(extras);
    }
  });
  return {command, [options, &out, &err] {
            const std::optional<DateTime> as_of = evaluation_date(options->as_of, err);
            if (!as_of) {
              return kExitUsage;
            }
            return options->guideline.empty()
                       ? expr(options->expression, options->facts, *as_of, out, err)
                       : expr_in_guideline(options->expression, options->guideline, options->facts,
                                           *as_of, out, err);
          }};
}

}  // namespace rubric

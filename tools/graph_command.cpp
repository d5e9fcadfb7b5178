#include "tools/command.hpp"

#include <ostream>

#include "tools/graph_output.hpp"

namespace rubric {
namespace {

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

Command add_graph_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  struct Options {
    std::string guideline;
    std::string format = "dot";
  };
  auto options = std::make_shared<Options>();
  CLI::App* command =
      app.add_subcommand("graph", "Draw the compiled decision graph (Graphviz DOT, Mermaid, JSON)");
  command->add_option("GUIDELINE", options->guideline, "Rule file (.rubric)")->required();
  command->add_option("--format", options->format, "Output format (default dot)")
      ->check(CLI::IsMember({"dot", "mermaid", "json"}));
  return {command,
          [options, &out, &err] { return graph(options->guideline, options->format, out, err); }};
}

}  // namespace rubric

// `rubric compile GUIDELINE [--emit-cpp] [-o FILE] [--namespace NAME]`: compiles a rule file
// and reports what the compiler made of it (facts, recommendations, graph nodes, program
// steps, bytes), or with --emit-cpp writes the guideline as a self-contained C++ header
// (authoring/emit_cpp.hpp) to FILE or standard output. Exit 0 on success, 1 for a rule file
// with errors or outside the fragment --emit-cpp compiles, 2 for usage errors and files
// that cannot be read or written.
#include <fmt/format.h>

#include <memory>
#include <ostream>

#include "authoring/emit_cpp.hpp"
#include "tools/command.hpp"
#include "tools/output_file.hpp"

namespace rubric {
namespace {

struct CompileOptions {
  std::string guideline;
  bool emit_cpp = false;
  std::string output;
  std::string namespace_name = "rubric_generated";
};

int compile(const CompileOptions& options, std::ostream& out, std::ostream& err) {
  if (const std::string problem = cpp_namespace_problem(options.namespace_name); !problem.empty()) {
    err << fmt::format("error: --namespace `{}` {}\n", options.namespace_name, problem);
    return kExitUsage;
  }
  if (!options.output.empty() && !options.emit_cpp) {
    err << "error: -o needs --emit-cpp; without it `rubric compile` prints a summary\n";
    return kExitUsage;
  }
  if (!options.output.empty() && options.output != "-") {
    const std::optional<FileIdentity> output = regular_file_identity(options.output);
    if (output && output == regular_file_identity(options.guideline)) {
      err << fmt::format(
          "error: -o `{}` is the rule file `{}`; the header would replace it; write it to "
          "another file\n",
          options.output, options.guideline);
      return kExitUsage;
    }
  }
  SourceManager sources;
  int exit_code = kExitSuccess;
  const auto guideline = load_guideline(sources, options.guideline, err, exit_code);
  if (!guideline) {
    return exit_code;
  }
  if (!options.emit_cpp) {
    out << fmt::format("guideline {} {}: {} facts, {} recommendations, {} definitions\n",
                       guideline->id(), guideline->version(), guideline->facts().size(),
                       guideline->recommendations().size(), guideline->definitions().size());
    out << fmt::format("graph: {} nodes, {} bytes\n", guideline->graph().size(),
                       guideline->graph().memory_bytes());
    out << fmt::format("program: {} steps, {} bytes\n", guideline->program().step_count(),
                       guideline->program().memory_bytes());
    return kExitSuccess;
  }
  EmitOptions emit;
  emit.namespace_name = options.namespace_name;
  emit.source_name = options.guideline;
  Diagnostics diagnostics;
  const std::optional<std::string> header = emit_cpp(*guideline, sources, emit, diagnostics);
  if (!header) {
    err << format_diagnostics(sources, diagnostics);
    return kExitInputError;
  }
  if (options.output.empty() || options.output == "-") {
    out << *header;
    return kExitSuccess;
  }
  if (const std::optional<WriteError> error = write_output_file(options.output, *header)) {
    err << fmt::format("error: {}\n", error->message);
    return kExitUsage;
  }
  return kExitSuccess;
}

}  // namespace

Command add_compile_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  auto options = std::make_shared<CompileOptions>();
  CLI::App* command = app.add_subcommand(
      "compile", "Compile a guideline and summarise it, or generate its C++ evaluator");
  command->add_option("GUIDELINE", options->guideline, "Rule file (.rubric)")->required();
  command->add_flag("--emit-cpp", options->emit_cpp,
                    "Write a self-contained C++20 header that evaluates the guideline");
  command->add_option("-o,--output", options->output,
                      "Write the header to this file (default: standard output)");
  command->add_option("--namespace", options->namespace_name,
                      "Namespace of the generated code (default rubric_generated)");
  return {command, [options, &out, &err] { return compile(*options, out, err); }};
}

}  // namespace rubric

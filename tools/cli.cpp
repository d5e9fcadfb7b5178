#include "tools/cli.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <ostream>

#include "tools/command.hpp"

#ifndef RUBRIC_VERSION
#define RUBRIC_VERSION "0.0.0"
#endif

namespace rubric {

int run_command_line(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Rubric: a declarative rules engine for clinical guidelines", "rubric"};
  app.set_version_flag("--version", std::string("rubric ") + RUBRIC_VERSION);
  app.require_subcommand(1);

  // Every subcommand, in the order `rubric --help` lists them.
  const std::vector<Command> commands = {
      add_check_command(app, out, err),   add_eval_command(app, out, err),
      add_explain_command(app, out, err), add_test_command(app, out, err),
      add_fmt_command(app, out, err),     add_graph_command(app, out, err),
      add_expr_command(app, out, err),    add_diff_command(app, out, err),
      add_batch_command(app, out, err),   add_bench_command(app, out, err),
      add_compile_command(app, out, err), add_facts_command(app, out, err),
      add_serve_command(app, out, err),   add_lsp_command(app, out, err),
  };

  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    bool known = false;
    std::string names;
    for (std::size_t index = 0; index < commands.size(); ++index) {
      const std::string& name = commands[index].subcommand->get_name();
      known = known || name == word;
      names += fmt::format("{}`{}`",
                           index == 0                     ? ""
                           : index + 1 == commands.size() ? " and "
                                                          : ", ",
                           name);
    }
    if (!known) {
      err << fmt::format("error: unknown command `{}`; the commands are {}\n", word, names);
      err << "run `rubric --help` for usage\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitSuccess;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitSuccess;
  } catch (const CLI::CallForVersion&) {
    out << "rubric " << RUBRIC_VERSION << "\n";
    return kExitSuccess;
  } catch (const CLI::ParseError& error) {
    // Help for a subcommand is raised from within it: print that subcommand's help.
    if (error.get_name() == "CallForHelp") {
      for (CLI::App* command : app.get_subcommands()) {
        out << command->help();
        return kExitSuccess;
      }
      out << app.help();
      return kExitSuccess;
    }
    err << "error: " << error.what() << "\n";
    err << "run `rubric --help` for usage\n";
    return kExitUsage;
  }
  try {
    for (const Command& command : commands) {
      if (command.subcommand->parsed()) {
        return command.run();
      }
    }
  } catch (const std::exception& error) {
    err << "internal error: " << error.what() << "\n";
    return kExitUsage;
  }
  out << app.help();
  return kExitUsage;
}

}  // namespace rubric

// `rubric lsp [--stdio] [--debounce MS] [--no-analysis]`: the language server for rule files
// over standard input and output (docs/editor.md). Logs to standard error only. Exits 0 after
// `shutdown` and `exit`, 1 when the client exits without `shutdown` or the input ends.
#include <unistd.h>

#include <csignal>
#include <ostream>

#include "lsp/stdio_loop.hpp"
#include "tools/command.hpp"

#ifndef RUBRIC_VERSION
#define RUBRIC_VERSION "0.0.0"
#endif

namespace rubric {
namespace {

struct LspOptions {
  int debounce_ms = 150;
  bool analysis = true;
  bool stdio = true;
  long long client_process = 0;
};

}  // namespace

Command add_lsp_command(CLI::App& app, std::ostream& /*out*/, std::ostream& err) {
  auto options = std::make_shared<LspOptions>();
  CLI::App* command =
      app.add_subcommand("lsp", "Language server for rule files (LSP 3.17 over stdio)");
  command->add_flag("--stdio", options->stdio,
                    "Speak over standard input and output (the only transport; the default)");
  command
      ->add_option("--debounce", options->debounce_ms,
                   "Milliseconds a document must stay unchanged before its diagnostics are "
                   "published (default 150)")
      ->check(CLI::Range(0, 10000));
  command->add_flag(
      "--no-analysis", [options](std::int64_t) { options->analysis = false; },
      "Publish the checker's diagnostics only, without the analysis findings (W05xx)");
  command->add_option("--clientProcessId", options->client_process,
                      "The editor's process id (accepted for editors that pass it; unused)");
  return {command, [options, &err] {
            // A client that goes away must not kill the server with SIGPIPE: writes fail.
            std::signal(SIGPIPE, SIG_IGN);
            lsp::ServerOptions server;
            server.debounce = std::chrono::milliseconds(options->debounce_ms);
            server.findings = options->analysis;
            server.version = RUBRIC_VERSION;
            return lsp::run_stdio(std::move(server), STDIN_FILENO, STDOUT_FILENO, err);
          }};
}

}  // namespace rubric

// The pieces every `rubric` subcommand shares: exit codes, reading rule files, and the shape
// of a subcommand's registration.
//
// Each subcommand lives in its own tools/*_command.cpp and exposes one `add_*_command`
// function; tools/cli.cpp lists them. A registration adds the subcommand and its options to
// the application and returns the action to run when the command line selected it. The
// action owns its option values (they are captured by the closure), writes results to `out`
// and messages to `err`, and returns the process exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "dsl/source.hpp"
#include "engine/guideline.hpp"

namespace rubric {

// Exit codes of every command: 0 success, 1 bad input (rule, fact or case files that were
// read but rejected, failing cases, a behavioural change), 2 usage errors and unreadable
// files.
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitInputError = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  CLI::App* subcommand = nullptr;
  std::function<int()> run;
};

// Reads a whole file into `sources` (tools/read_file.hpp); nullopt after a message on `err`
// with the reason when it cannot be read (a folder included) or is larger than
// kMaxSourceBytes.
std::optional<FileId> read_source_file(SourceManager& sources, const std::string& path,
                                       std::ostream& err);

// Reads and compiles a rule file. On failure prints the reason (diagnostics or an unreadable
// file) to `err`, sets `exit_code` (kExitUsage or kExitInputError) and returns nullptr.
std::shared_ptr<const Guideline> load_guideline(SourceManager& sources, const std::string& path,
                                                std::ostream& err, int& exit_code);

// The evaluating commands' `--as-of YYYY-MM-DD` option: the evaluation date that `Today()`
// reads (docs/language.md#the-evaluation-date). `text` receives what was written.
void add_as_of_option(CLI::App& command, std::string& text);

// The evaluation date `text` gives: a full date `YYYY-MM-DD`; empty means today's date in
// UTC, the only place where Rubric reads the clock. Nullopt after a message on `err` naming
// the option and what it takes.
std::optional<DateTime> evaluation_date(const std::string& text, std::ostream& err);

Command add_check_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_eval_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_expr_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_test_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_graph_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_fmt_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_explain_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_diff_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_batch_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_bench_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_compile_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_facts_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_serve_command(CLI::App& app, std::ostream& out, std::ostream& err);
Command add_lsp_command(CLI::App& app, std::ostream& out, std::ostream& err);

}  // namespace rubric

#include <fmt/format.h>

#include <iostream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <system_error>

#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"
#include "tools/command.hpp"
#include "tools/output_file.hpp"
#include "tools/report.hpp"

namespace rubric {
namespace {

struct FmtOptions {
  std::vector<std::string> files;
  bool check = false;
  bool to_stdout = false;
};

int format_files(const FmtOptions& options, std::ostream& out, std::ostream& err) {
  int exit_code = kExitSuccess;
  std::size_t changed = 0;
  for (const std::string& path : options.files) {
    SourceManager sources;
    std::optional<FileId> file;
    if (path == "-") {
      std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      if (text.size() > kMaxSourceBytes) {
        err << fmt::format("error: standard input is larger than the limit of {} bytes\n",
                           kMaxSourceBytes);
        exit_code = std::max(exit_code, kExitUsage);
        continue;
      }
      file = sources.add("<stdin>", std::move(text));
    } else {
      file = read_source_file(sources, path, err);
    }
    if (!file) {
      exit_code = std::max(exit_code, kExitUsage);
      continue;
    }
    Diagnostics diagnostics;
    const std::optional<std::string> formatted = format_source(sources, *file, diagnostics);
    if (!formatted) {
      err << format_diagnostics(sources, diagnostics);
      err << fmt::format("error: `{}` was not formatted: it has syntax errors\n",
                         path == "-" ? "<stdin>" : path);
      exit_code = std::max(exit_code, kExitInputError);
      continue;
    }
    const bool differs = *formatted != sources.text(*file);
    if (options.check) {
      if (differs) {
        out << fmt::format("would reformat `{}`\n", path == "-" ? "<stdin>" : path);
        ++changed;
        exit_code = std::max(exit_code, kExitInputError);
      }
    } else if (options.to_stdout || path == "-") {
      out << *formatted;
    } else if (differs) {
      if (const std::optional<WriteError> error = write_output_file(path, *formatted)) {
        err << fmt::format("error: {}\n", error->message);
        exit_code = std::max(exit_code, kExitUsage);
        continue;
      }
      ++changed;
      err << fmt::format("formatted `{}`\n", path);
    }
  }
  if (options.check) {
    if (changed == 0 && exit_code == kExitSuccess) {
      out << fmt::format("{} file{} already formatted\n", options.files.size(),
                         options.files.size() == 1 ? "" : "s");
    } else if (changed > 0) {
      out << fmt::format("{} of {} file{} would be reformatted; run `rubric fmt` on {}\n", changed,
                         options.files.size(), options.files.size() == 1 ? "" : "s",
                         changed == 1 ? "it" : "them");
    }
  }
  return exit_code;
}

}  // namespace

Command add_fmt_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  auto options = std::make_shared<FmtOptions>();
  CLI::App* command = app.add_subcommand(
      "fmt", "Rewrite rule files in the canonical layout (comments kept, meaning unchanged)");
  command->add_option("FILE", options->files, "Rule files (.rubric); `-` reads standard input")
      ->required();
  CLI::Option* check =
      command->add_flag("--check", options->check,
                        "Change nothing; name the files that would change and exit 1 if any would");
  command
      ->add_flag("--stdout", options->to_stdout,
                 "Print the formatted text instead of rewriting the files")
      ->excludes(check);
  return {command, [options, &out, &err] { return format_files(*options, out, err); }};
}

}  // namespace rubric

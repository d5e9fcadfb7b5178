#include "tools/command.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <ostream>

#include "dsl/parser.hpp"
#include "tools/evaluation_date.hpp"
#include "tools/read_file.hpp"
#include "tools/report.hpp"

namespace rubric {

void add_as_of_option(CLI::App& command, std::string& text) {
  command.add_option("--as-of", text,
                     "The evaluation date that `Today()` reads, YYYY-MM-DD (default: today's "
                     "date in UTC)");
}

std::optional<DateTime> evaluation_date(const std::string& text, std::ostream& err) {
  std::string error;
  std::optional<DateTime> date = parse_evaluation_date(text, error);
  if (!date) {
    err << fmt::format("error: --as-of: {}\n", error);
  }
  return date;
}

std::optional<FileId> read_source_file(SourceManager& sources, const std::string& path,
                                       std::ostream& err) {
  std::string error;
  std::optional<std::string> text = read_whole_file(path, kMaxSourceBytes, error);
  if (!text) {
    err << fmt::format("error: {}\n", error);
    return std::nullopt;
  }
  return sources.add(path, std::move(*text));
}

std::shared_ptr<const Guideline> load_guideline(SourceManager& sources, const std::string& path,
                                                std::ostream& err, int& exit_code) {
  const std::optional<FileId> file = read_source_file(sources, path, err);
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

}  // namespace rubric

#include "tools/command.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <ostream>

#include "dsl/parser.hpp"
#include "tools/read_file.hpp"
#include "tools/report.hpp"

namespace rubric {

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

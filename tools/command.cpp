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

bool write_file_atomically(const std::string& path, const std::string& text, std::ostream& err) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  fs::path temporary = target;
  temporary += ".rubric.tmp";
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    stream << text;
    stream.flush();
    if (!stream) {
      err << fmt::format("error: cannot write `{}`\n", temporary.string());
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return false;
    }
  }
  std::error_code error;
  const fs::perms permissions = fs::status(target, error).permissions();
  if (!error) {
    fs::permissions(temporary, permissions, error);
  }
  fs::rename(temporary, target, error);
  if (error) {
    err << fmt::format("error: cannot replace `{}`: {}\n", path, error.message());
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return false;
  }
  return true;
}

}  // namespace rubric

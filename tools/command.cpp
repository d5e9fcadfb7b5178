#include "tools/command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "dsl/parser.hpp"
#include "tools/read_file.hpp"
#include "tools/report.hpp"

namespace rubric {

void add_as_of_option(CLI::App& command, std::string& text) {
  command.add_option("--as-of", text,
                     "The evaluation date that `Today()` reads, YYYY-MM-DD (default: today's "
                     "date in UTC)");
}

std::optional<DateTime> evaluation_date(const std::string& text, std::ostream& err) {
  if (text.empty()) {
    const std::chrono::year_month_day today{
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    return DateTime::make(
        TemporalKind::date, TemporalPrecision::day,
        TemporalFields{static_cast<int>(today.year()),
                       static_cast<int>(static_cast<unsigned>(today.month())),
                       static_cast<int>(static_cast<unsigned>(today.day())), 0, 0, 0, 0});
  }
  const DateTimeReading reading = DateTime::parse(text);
  if (!reading.accepted()) {
    err << fmt::format("error: --as-of: {}; the evaluation date is written `YYYY-MM-DD`\n",
                       reading.message);
    return std::nullopt;
  }
  if (!reading.value->is_full_date()) {
    err << fmt::format(
        "error: --as-of: `{}` is not a full date; the evaluation date is written `YYYY-MM-DD`, "
        "such as `2026-06-15`\n",
        text);
    return std::nullopt;
  }
  return reading.value;
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

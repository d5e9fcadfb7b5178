// `rubric bench GUIDELINE FACTS.ndjson [--repeat N] [--blocks] [--format json]`: how fast a
// guideline evaluates. Loads every fact set of an NDJSON file first (untimed; any rejected
// line stops the command), then evaluates them all N times with one EvaluationScratch on one
// thread (with --blocks, 64 at a time in FactBlocks, filled untimed), and reports
// nanoseconds per evaluation, evaluations per second, and the compiled graph's size. Without
// --repeat, the fact sets are evaluated again until half a second has passed.
#include <fmt/format.h>

#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <ostream>

#include "tools/command.hpp"
#include "tools/ndjson_facts.hpp"
#include "tools/read_file.hpp"

namespace rubric {
namespace {

constexpr double kAutomaticSeconds = 0.5;

// Reads the whole NDJSON file; nullopt after a message when it cannot be read.
std::optional<std::string> read_all(const std::string& path, std::ostream& err) {
  std::string error;
  std::optional<std::string> text =
      read_whole_file(path, std::numeric_limits<std::size_t>::max(), error);
  if (!text) {
    err << fmt::format("error: {}\n", error);
  }
  return text;
}

int bench(const std::string& guideline_path, const std::string& facts_path, int repeat, bool blocks,
          const std::string& format, std::ostream& out, std::ostream& err) {
  SourceManager sources;
  int exit_code = 0;
  const auto guideline = load_guideline(sources, guideline_path, err, exit_code);
  if (!guideline) {
    return exit_code;
  }
  std::optional<std::string> text = read_all(facts_path, err);
  if (!text) {
    return kExitUsage;
  }
  const std::size_t size = text->size();
  text->resize(size + kNdjsonPadding, '\0');

  NdjsonFactReader reader(guideline->facts());
  std::vector<FactSet> fact_sets;
  std::size_t rejected = 0;
  std::size_t line_number = 0;
  for (std::size_t at = 0; at < size;) {
    const std::size_t found = text->find('\n', at);
    const std::size_t end = found == std::string::npos || found > size ? size : found;
    const std::string_view line(text->data() + at, end - at);
    at = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    FactSet facts(guideline->facts().size());
    Diagnostics diagnostics;
    if (!reader.read(line, facts, diagnostics, line_number == 1)) {
      for (const Diagnostic& diagnostic : diagnostics.all()) {
        err << fmt::format("{}:{}:{}: error[{}]: {}\n", facts_path, line_number,
                           diagnostic.range.offset + 1, diagnostic.code, diagnostic.message);
      }
      ++rejected;
      continue;
    }
    fact_sets.push_back(std::move(facts));
  }
  if (rejected > 0) {
    err << fmt::format("error: {} line{} of `{}` {} rejected; nothing was measured\n", rejected,
                       rejected == 1 ? "" : "s", facts_path, rejected == 1 ? "was" : "were");
    return kExitInputError;
  }
  if (fact_sets.empty()) {
    err << fmt::format("error: `{}` holds no fact sets; nothing was measured\n", facts_path);
    return kExitInputError;
  }

  EvaluationScratch scratch;
  Decision decision;
  // With --blocks, the fact sets 64 to a FactBlock (filled untimed, like the fact sets).
  std::vector<FactBlock> fact_blocks;
  BlockScratch block_scratch;
  BlockDecision block_decision;
  if (blocks) {
    for (const FactSet& facts : fact_sets) {
      if (fact_blocks.empty() || fact_blocks.back().full()) {
        fact_blocks.emplace_back(guideline->facts().size());
      }
      fact_blocks.back().push_back(facts);
    }
  }
  // Warm up: grows the scratch and the decision to the guideline's size.
  guideline->evaluate(fact_sets.front(), scratch, decision);
  std::uint64_t evaluations = 0;
  std::uint64_t recommended = 0;  // consumed below so the work cannot be optimised away
  int rounds = 0;
  const auto start = std::chrono::steady_clock::now();
  double seconds = 0;
  while (true) {
    if (blocks) {
      for (const FactBlock& block : fact_blocks) {
        guideline->evaluate(block, block_scratch, block_decision);
        recommended += block_decision.recommended.empty()
                           ? 0
                           : static_cast<unsigned>(std::popcount(block_decision.recommended[0]));
      }
    } else {
      for (const FactSet& facts : fact_sets) {
        guideline->evaluate(facts, scratch, decision);
        recommended += decision.outcomes.empty() ? 0 : static_cast<unsigned>(decision.outcomes[0]);
      }
    }
    evaluations += fact_sets.size();
    ++rounds;
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (repeat > 0 ? rounds >= repeat : seconds >= kAutomaticSeconds) {
      break;
    }
  }
  const double ns_per_eval = seconds * 1e9 / static_cast<double>(evaluations);
  const double evals_per_s = static_cast<double>(evaluations) / seconds;
  const std::size_t graph_nodes = guideline->graph().size();
  const std::size_t graph_bytes = guideline->graph().memory_bytes();
  // How the fact sets were evaluated: alone, or in blocks bit-sliced or row by row.
  const char* mode = !blocks                                 ? "single"
                     : guideline->program().runs_on_blocks() ? "blocks"
                                                             : "blocks-row-by-row";
  if (format == "json") {
    out << fmt::format(
        "{{\"ns_per_eval\": {:.2f}, \"evals_per_s\": {:.0f}, \"graph_nodes\": {}, "
        "\"graph_bytes\": {}, \"fact_sets\": {}, \"repeat\": {}, \"evaluations\": {}, "
        "\"seconds\": {:.6f}, \"mode\": \"{}\", \"checksum\": {}}}\n",
        ns_per_eval, evals_per_s, graph_nodes, graph_bytes, fact_sets.size(), rounds, evaluations,
        seconds, mode, recommended);
    return kExitSuccess;
  }
  out << fmt::format("guideline {}: {} facts, {} recommendations\n", guideline->id(),
                     guideline->facts().size(), guideline->recommendations().size());
  out << fmt::format("graph: {} nodes, {} bytes\n", graph_nodes, graph_bytes);
  out << fmt::format("{} fact sets evaluated {} time{}: {} evaluations in {:.3f} s\n",
                     fact_sets.size(), rounds, rounds == 1 ? "" : "s", evaluations, seconds);
  if (blocks) {
    out << fmt::format("in blocks of {} fact sets, {}\n", FactBlock::kCapacity,
                       guideline->program().runs_on_blocks()
                           ? "bit-sliced"
                           : "row by row (the guideline computes values: arithmetic, `if`, "
                             "Coalesce or comparisons of computed values)");
  }
  out << fmt::format("ns per evaluation: {:.1f}\n", ns_per_eval);
  out << fmt::format("evaluations per second: {:.0f}\n", evals_per_s);
  return kExitSuccess;
}

}  // namespace

Command add_bench_command(CLI::App& app, std::ostream& out, std::ostream& err) {
  struct Options {
    std::string guideline;
    std::string facts;
    int repeat = 0;
    bool blocks = false;
    std::string format = "text";
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "bench", "Measure evaluation speed on NDJSON fact sets (one JSON object a line)");
  command->add_option("GUIDELINE", options->guideline, "Rule file (.rubric)")->required();
  command->add_option("FACTS", options->facts, "NDJSON fact sets, as `rubric batch` reads")
      ->required();
  command
      ->add_option("--repeat", options->repeat,
                   "Evaluate every fact set this many times (default: for half a second)")
      ->check(CLI::Range(1, 1000000000));
  command->add_flag("--blocks", options->blocks,
                    "Evaluate the fact sets 64 at a time in blocks, as `rubric batch` does");
  command->add_option("--format", options->format, "Output format (default text)")
      ->check(CLI::IsMember({"text", "json"}));
  return {command, [options, &out, &err] {
            return bench(options->guideline, options->facts, options->repeat, options->blocks,
                         options->format, out, err);
          }};
}

}  // namespace rubric

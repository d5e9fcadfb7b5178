// Benchmarks of the analysis (issue 4): `rubric check` findings and `rubric diff` behaviour on
// the seed guideline and on a generated guideline of 1,000 recommendations over 100 facts.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "authoring/analysis.hpp"
#include "engine/guideline.hpp"

namespace {

using namespace rubric;

struct Compiled {
  std::shared_ptr<SourceManager> sources = std::make_shared<SourceManager>();
  std::shared_ptr<const Guideline> guideline;
};

Compiled compile(const std::string& text) {
  Compiled out;
  const FileId file = out.sources->add("bench.rubric", text);
  Diagnostics diagnostics;
  out.guideline = Guideline::compile(*out.sources, file, diagnostics);
  if (!out.guideline) {
    std::abort();  // a benchmark input that does not compile is a bug in this file
  }
  return out;
}

std::string seed_text() {
  std::ifstream stream(std::string(RUBRIC_SOURCE_DIR) +
                       "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric");
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) {
    std::abort();
  }
  return text.replace(at, from.size(), to);
}

// A deterministic guideline: 40 boolean, 30 decimal, 20 duration and 10 code facts; 1,000
// recommendations, each a conjunction of 2 to 4 tests (some with an `or`), thresholds from
// 10 parameters and literals. `threshold` is the value of parameter p0 (for the diff).
std::string generated_text(int threshold) {
  std::uint64_t state = 12345;
  const auto next = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  std::string text =
      "guideline \"generated\"\n  title \"Generated\"\n  version \"1\"\nsource 1 \"generated\"\n";
  for (int i = 0; i < 40; ++i) text += "fact b" + std::to_string(i) + ": boolean \"b\"\n";
  for (int i = 0; i < 30; ++i) {
    text += "fact x" + std::to_string(i) + ": decimal between 0 and 100 \"x\"\n";
  }
  for (int i = 0; i < 20; ++i)
    text += "fact d" + std::to_string(i) + ": duration >= 0 days \"d\"\n";
  for (int i = 0; i < 10; ++i) {
    text += "fact c" + std::to_string(i) + ": code {'a', 'b', 'c', 'd'} \"c\"\n";
  }
  for (int i = 0; i < 10; ++i) {
    text += "parameter p" + std::to_string(i) + " = " +
            std::to_string(i == 0 ? threshold : 10 * i) + " \"p\"\n";
  }
  const auto atom = [&]() -> std::string {
    switch (next(5)) {
      case 0: return (next(2) ? "not b" : "b") + std::to_string(next(40));
      case 1:
        return "x" + std::to_string(next(30)) + (next(2) ? " >= " : " < ") + "p" +
               std::to_string(next(10));
      case 2:
        return "x" + std::to_string(next(30)) + (next(2) ? " > " : " <= ") +
               std::to_string(next(100));
      case 3:
        return "d" + std::to_string(next(20)) + (next(2) ? " >= " : " < ") +
               std::to_string(1 + next(12)) + (next(2) ? " weeks" : " months");
      default:
        return "c" + std::to_string(next(10)) + " = '" +
               std::string(1, static_cast<char>('a' + next(4))) + "'";
    }
  };
  for (int r = 0; r < 1000; ++r) {
    std::string condition = atom();
    const std::uint64_t parts = 1 + next(3);
    for (std::uint64_t k = 0; k < parts; ++k) {
      condition += next(4) == 0 ? " and (" + atom() + " or " + atom() + ")" : " and " + atom();
    }
    text += "recommendation r" + std::to_string(r) + "\n  kind order\n  text \"r\"\n  cite 1\n" +
            "  when " + condition + "\n";
  }
  return text;
}

void BM_SeedCheck(benchmark::State& state) {
  const Compiled seed = compile(seed_text());
  for (auto _ : state) {
    benchmark::DoNotOptimize(analyse_guideline(*seed.guideline, *seed.sources));
  }
}
BENCHMARK(BM_SeedCheck)->Unit(benchmark::kMillisecond);

void BM_SeedDiffThreshold(benchmark::State& state) {
  const std::string text = seed_text();
  const Compiled before = compile(text);
  const Compiled after =
      compile(replaced(text, "parameter severe_pain_vas = 3.5", "parameter severe_pain_vas = 4.0"));
  for (auto _ : state) {
    benchmark::DoNotOptimize(diff_behaviour(*before.guideline, *after.guideline));
  }
}
BENCHMARK(BM_SeedDiffThreshold)->Unit(benchmark::kMillisecond);

void BM_SeedDiffNoChange(benchmark::State& state) {
  const Compiled before = compile(seed_text());
  const Compiled after = compile(seed_text());
  for (auto _ : state) {
    benchmark::DoNotOptimize(diff_behaviour(*before.guideline, *after.guideline));
  }
}
BENCHMARK(BM_SeedDiffNoChange)->Unit(benchmark::kMillisecond);

void BM_GeneratedCheck(benchmark::State& state) {
  const Compiled generated = compile(generated_text(50));
  std::size_t findings = 0;
  for (auto _ : state) {
    findings = analyse_guideline(*generated.guideline, *generated.sources).size();
    benchmark::DoNotOptimize(findings);
  }
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_GeneratedCheck)->Unit(benchmark::kMillisecond)->Iterations(1);

// The generated guideline with a coverage declaration over three of its facts (one query
// whose goal reads all 1,000 conditions, plus the second compile of the file).
void BM_GeneratedCoverage(benchmark::State& state) {
  const Compiled generated =
      compile(generated_text(50) + "coverage when b0 or x0 >= 50 or c0 = 'a'\n");
  std::size_t findings = 0;
  for (auto _ : state) {
    const std::vector<AnalysisFinding> all =
        analyse_guideline(*generated.guideline, *generated.sources);
    findings = all.size();
    if (!all.empty()) {
      state.SetLabel(std::string(all.back().diagnostic.code));  // W0506: the search limit
    }
  }
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_GeneratedCoverage)->Unit(benchmark::kMillisecond)->Iterations(1);

// The generated guideline where every recommendation excludes the next: 999 pairs.
void BM_GeneratedExcludes(benchmark::State& state) {
  std::string text = generated_text(50);
  for (int r = 0; r + 1 < 1000; ++r) {
    const std::string head = "recommendation r" + std::to_string(r) + "\n";
    const std::size_t when = text.find("  when ", text.find(head));
    text.insert(when, "  excludes r" + std::to_string(r + 1) + "\n");
  }
  const Compiled generated = compile(text);
  std::size_t findings = 0;
  for (auto _ : state) {
    findings = analyse_guideline(*generated.guideline, *generated.sources).size();
    benchmark::DoNotOptimize(findings);
  }
  state.counters["findings"] = static_cast<double>(findings);
}
BENCHMARK(BM_GeneratedExcludes)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_GeneratedDiff(benchmark::State& state) {
  const Compiled before = compile(generated_text(50));
  const Compiled after = compile(generated_text(55));
  std::size_t changed = 0;
  std::size_t unproven = 0;
  for (auto _ : state) {
    const BehaviouralDiff diff = diff_behaviour(*before.guideline, *after.guideline);
    changed = diff.changes.size();
    unproven = diff.unproven.size();
  }
  state.counters["changed"] = static_cast<double>(changed);
  state.counters["unproven"] = static_cast<double>(unproven);
}
BENCHMARK(BM_GeneratedDiff)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();

// The language server's latency from a change to its diagnostics (Google Benchmark): a whole
// document replaced by `didChange`, then the debounced publication forced, on the seed
// guideline and on a generated guideline of 10,000 recommendations; with the analysis findings
// (as the server runs by default: on a thread of their own, collected every millisecond) and
// without
// (`rubric lsp --no-analysis`). Each iteration alternates between two texts, so that every
// change is a real one.
//
//   rubric_bench_lsp [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "lsp/server.hpp"
#include "tests/bench/workload.hpp"

namespace {

std::string seed_text() {
  std::ifstream in(RUBRIC_SOURCE_DIR
                   "/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void change_to_diagnostics(benchmark::State& state, const std::string& text, bool findings) {
  using rubric::lsp::Json;
  std::size_t published = 0;
  std::size_t diagnostics = 0;
  std::ostringstream log;
  rubric::lsp::ServerOptions options;
  options.debounce = std::chrono::milliseconds(0);
  options.findings = findings;
  rubric::lsp::Server server(
      options,
      [&](const std::string& body) {
        if (body.find("publishDiagnostics") != std::string::npos) {
          ++published;
          diagnostics += Json::parse(body)["params"]["diagnostics"].size();
        }
      },
      log);
  const std::string uri = "file:///bench.rubric";
  server.handle(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}})");
  server.handle(Json{{"jsonrpc", "2.0"},
                     {"method", "textDocument/didOpen"},
                     {"params",
                      {{"textDocument",
                        {{"uri", uri}, {"languageId", "rubric"}, {"version", 1}, {"text", text}}}}}}
                    .dump());
  const auto publish = [&](std::size_t count) {
    // The findings run on a thread of their own: ask again until the change is published.
    while (published < count) {
      const auto next = server.publish_due(rubric::lsp::Clock::now());
      if (published < count && next) {
        std::this_thread::sleep_until(*next);
      }
    }
  };
  publish(1);
  // The two texts: the document, and the document with a comment line appended.
  const std::string changes[2] = {Json{{"jsonrpc", "2.0"},
                                       {"method", "textDocument/didChange"},
                                       {"params",
                                        {{"textDocument", {{"uri", uri}, {"version", 2}}},
                                         {"contentChanges", {{{"text", text + "// edited\n"}}}}}}}
                                      .dump(),
                                  Json{{"jsonrpc", "2.0"},
                                       {"method", "textDocument/didChange"},
                                       {"params",
                                        {{"textDocument", {{"uri", uri}, {"version", 3}}},
                                         {"contentChanges", {{{"text", text}}}}}}}
                                      .dump()};
  std::size_t round = 0;
  published = 0;
  diagnostics = 0;
  for (auto _ : state) {
    server.handle(changes[round++ % 2]);
    publish(round);
  }
  state.counters["bytes"] = static_cast<double>(text.size());
  state.counters["diagnostics"] =
      static_cast<double>(diagnostics) / static_cast<double>(std::max<std::size_t>(published, 1));
}

void BM_lsp_seed(benchmark::State& state) {
  static const std::string text = seed_text();
  change_to_diagnostics(state, text, state.range(0) != 0);
}
BENCHMARK(BM_lsp_seed)->Arg(1)->Arg(0)->ArgName("findings")->Unit(benchmark::kMillisecond);

void BM_lsp_10000_recommendations(benchmark::State& state) {
  static const std::string text = rubric::bench::generate_guideline(10000);
  change_to_diagnostics(state, text, state.range(0) != 0);
}
BENCHMARK(BM_lsp_10000_recommendations)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("findings")
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

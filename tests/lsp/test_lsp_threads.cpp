// The language server's findings thread (lsp/server.hpp), driven in-process: several documents
// changed over and over while their findings are computed, requests answered meanwhile. Every
// publication must be of the document's latest version, and its findings exactly those that
// `rubric check` computes for that text (Guideline::compile + analyse_guideline, run here
// apart from the server). Built and run under ThreadSanitizer by scripts/ci/tsan.sh, and in
// the ordinary and AddressSanitizer builds as ctest `lsp_threads`.
//
//   rubric_lsp_threads REPO
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "authoring/analysis.hpp"
#include "engine/guideline.hpp"
#include "lsp/server.hpp"

namespace {

using rubric::lsp::Json;

int failures = 0;

void check(bool condition, const std::string& what) {
  if (!condition) {
    ++failures;
    std::cerr << "FAIL: " << what << "\n";
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The codes of the diagnostics and findings `rubric check` reports for `text`, sorted.
std::vector<std::string> expected_codes(const std::string& text) {
  rubric::SourceManager sources;
  const rubric::FileId file = sources.add("expected.rubric", text);
  rubric::Diagnostics diagnostics;
  const auto guideline = rubric::Guideline::compile(sources, file, diagnostics);
  std::vector<std::string> codes;
  for (const rubric::Diagnostic& diagnostic : diagnostics.all()) {
    codes.emplace_back(diagnostic.code);
  }
  if (guideline) {
    for (const rubric::AnalysisFinding& finding : rubric::analyse_guideline(*guideline, sources)) {
      codes.emplace_back(finding.diagnostic.code);
    }
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: rubric_lsp_threads REPO\n";
    return 2;
  }
  const std::string repo = argv[1];
  // Each document alternates between two texts with different findings.
  const std::vector<std::string> paths = {
      repo + "/guidelines/af-stroke-prevention/af-stroke-prevention.rubric",
      repo + "/tests/analysis/findings.rubric", repo + "/tests/analysis/conflicts.rubric"};
  struct Texts {
    std::string uri;
    std::string texts[2];
    std::vector<std::string> codes[2];
  };
  std::vector<Texts> documents;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    Texts texts;
    texts.uri = "file:///doc" + std::to_string(i) + ".rubric";
    texts.texts[0] = read_text(paths[i]);
    check(!texts.texts[0].empty(), "read " + paths[i]);
    // The second text: the first with an unknown name appended (an error, no findings).
    texts.texts[1] = texts.texts[0] + "\ndefine broken = no_such_name\n";
    for (int k = 0; k < 2; ++k) {
      texts.codes[k] = expected_codes(texts.texts[k]);
    }
    documents.push_back(std::move(texts));
  }

  std::map<std::string, Json> last_published;  // uri -> params
  std::size_t responses = 0;
  std::ostringstream log;
  rubric::lsp::ServerOptions options;
  options.debounce = std::chrono::milliseconds(0);
  {
    rubric::lsp::Server server(
        options,
        [&](const std::string& body) {
          const Json message = Json::parse(body);
          if (message.value("method", "") == "textDocument/publishDiagnostics") {
            last_published[message["params"]["uri"]] = message["params"];
          } else if (message.contains("id")) {
            ++responses;
          }
        },
        log);
    server.handle(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}})");
    for (const Texts& document : documents) {
      server.handle(Json{{"jsonrpc", "2.0"},
                         {"method", "textDocument/didOpen"},
                         {"params",
                          {{"textDocument",
                            {{"uri", document.uri},
                             {"languageId", "rubric"},
                             {"version", 0},
                             {"text", document.texts[0]}}}}}}
                        .dump());
    }
    int id = 1;
    for (int round = 1; round <= 12; ++round) {
      for (const Texts& document : documents) {
        server.handle(Json{{"jsonrpc", "2.0"},
                           {"method", "textDocument/didChange"},
                           {"params",
                            {{"textDocument", {{"uri", document.uri}, {"version", round}}},
                             {"contentChanges", {{{"text", document.texts[round % 2]}}}}}}}
                          .dump());
        // A request while the findings of another version may be running.
        server.handle(Json{{"jsonrpc", "2.0"},
                           {"id", id++},
                           {"method", "textDocument/documentSymbol"},
                           {"params", {{"textDocument", {{"uri", document.uri}}}}}}
                          .dump());
        (void)server.publish_due(rubric::lsp::Clock::now());
      }
      // Every third round, wait for the publications and check them.
      if (round % 3 != 0) {
        continue;
      }
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (std::chrono::steady_clock::now() < deadline) {
        const auto next = server.publish_due(rubric::lsp::Clock::now());
        if (!next) {
          break;
        }
        std::this_thread::sleep_until(*next);
      }
      for (const Texts& document : documents) {
        const Json& published = last_published[document.uri];
        check(published.value("version", -1) == round,
              document.uri + ": published for version " + std::to_string(round));
        std::vector<std::string> codes;
        for (const Json& diagnostic : published["diagnostics"]) {
          codes.push_back(diagnostic["code"]);
        }
        std::sort(codes.begin(), codes.end());
        check(codes == document.codes[round % 2],
              document.uri + ": the diagnostics and findings of round " + std::to_string(round));
      }
    }
    check(responses == static_cast<std::size_t>(id), "every request answered");
    // Changed again and destroyed at once: the server waits for its findings thread.
    for (const Texts& document : documents) {
      server.handle(Json{{"jsonrpc", "2.0"},
                         {"method", "textDocument/didChange"},
                         {"params",
                          {{"textDocument", {{"uri", document.uri}, {"version", 100}}},
                           {"contentChanges", {{{"text", document.texts[0]}}}}}}}
                        .dump());
    }
    (void)server.publish_due(rubric::lsp::Clock::now());
  }
  for (const Texts& document : documents) {
    check(std::any_of(document.codes[0].begin(), document.codes[0].end(),
                      [](const std::string& code) { return code.starts_with("W05"); }),
          document.uri + ": its first text has findings (the test needs them)");
  }
  std::cout << (failures == 0 ? "lsp threads: ok\n" : "lsp threads: FAILED\n");
  return failures == 0 ? 0 : 1;
}

// libFuzzer target: a CDS Hooks request body through the service (service/cds_service.hpp), on
// a guideline with a binding of every kind. Every input must be answered with 200, 400 or 412
// and a JSON object: 200 with a `cards` array whose every card has a summary of at most 140
// characters, an indicator and a rubric extension; otherwise an `error` message.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "dsl/checker.hpp"
#include "service/cds_service.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

const rubric::service::CdsService& service() {
  static const std::unique_ptr<rubric::service::CdsService> built = [] {
    auto sources = std::make_shared<rubric::SourceManager>();
    rubric::Diagnostics diagnostics;
    auto guideline = rubric::Guideline::compile(
        *sources, sources->add("fuzz-record.rubric", rubric::fuzz::kEveryBinding), diagnostics);
    if (!guideline || diagnostics.has_errors()) {
      __builtin_trap();  // a broken harness, not a finding
    }
    rubric::service::ServiceOptions options;
    options.evaluation_date = [] { return *rubric::DateTime::parse("2026-06-15").value; };
    // No network: a request naming a FHIR server gets "no answer" at once.
    options.fetch = [](const rubric::service::Url&, const std::string&, std::size_t,
                       rubric::service::Deadline, const rubric::service::FetchDone& done) {
      done(rubric::service::FetchResult{0, {}, "the fuzzer has no network"});
    };
    std::vector<rubric::service::ServedGuideline> served{{guideline, sources, "fuzz", ""}};
    return std::make_unique<rubric::service::CdsService>(std::move(served), options);
  }();
  return *built;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const rubric::service::CdsService& cds = service();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const rubric::service::HttpResponse response = cds.invoke(cds.guidelines()->front(), body);
  const nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    __builtin_trap();  // every answer is a JSON object
  }
  if (response.status == 200) {
    if (!answer.contains("cards") || !answer["cards"].is_array()) {
      __builtin_trap();
    }
    for (const nlohmann::json& card : answer["cards"]) {
      if (!card.contains("summary") || !card["summary"].is_string() ||
          rubric::character_count(card["summary"].get<std::string>()) >
              rubric::kMaxSummaryCharacters ||
          !card.contains("indicator") || !card.contains("extension")) {
        __builtin_trap();
      }
    }
  } else if (response.status != 400 && response.status != 412) {
    __builtin_trap();
  } else if (!answer.contains("error") || !answer["error"].is_string() ||
             answer["error"].get<std::string>().empty()) {
    __builtin_trap();  // a refusal says why
  }
  return 0;
}

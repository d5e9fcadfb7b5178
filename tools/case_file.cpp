#include "tools/case_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tools/coverage.hpp"
#include "tools/fact_file.hpp"

namespace rubric {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

std::vector<std::string> string_list(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node && node.IsSequence()) {
    for (const YAML::Node& item : node) {
      out.push_back(item.as<std::string>());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> collect_case_files(const std::vector<std::string>& paths,
                                            std::vector<std::string>& missing) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(path, error)) {
        const std::string extension = entry.path().extension().string();
        if (entry.is_regular_file() &&
            (extension == ".yaml" || extension == ".yml" || extension == ".json")) {
          found.push_back(entry.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, error)) {
      files.push_back(path);
    } else {
      missing.push_back(path);
    }
  }
  return files;
}

CaseOutcome run_case_file(const Guideline& guideline, SourceManager& sources,
                          const std::string& path, CoverageRecorder* coverage) {
  CaseOutcome outcome{path, false, {}};
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    outcome.explanation = "cannot read the case file";
    return outcome;
  }
  std::stringstream buffer;
  buffer << stream.rdbuf();
  const FileId file = sources.add(path, buffer.str());
  try {
    Diagnostics load_diagnostics;
    const std::optional<YAML::Node> loaded =
        load_yaml_document(sources, file, load_diagnostics, "a case file");
    if (!loaded) {
      outcome.explanation = format_diagnostics(sources, load_diagnostics);
      return outcome;
    }
    const YAML::Node& root = *loaded;
    if (!root.IsMap() || !root["expect"] || !root["expect"].IsMap()) {
      outcome.explanation = "a case file is a mapping with `facts` and `expect`";
      return outcome;
    }
    const YAML::Node expect = root["expect"];
    Diagnostics diagnostics;
    const std::optional<FactSet> facts =
        read_fact_mapping(root["facts"], sources, file, guideline.facts(), diagnostics);
    if (expect["error"]) {
      const std::string fact = expect["error"].as<std::string>();
      if (facts) {
        outcome.explanation =
            fmt::format("expected an error naming `{}`; the facts were accepted", fact);
        return outcome;
      }
      const std::string needle = fmt::format("`{}`", fact);
      for (const Diagnostic& diagnostic : diagnostics.all()) {
        if (diagnostic.message.find(needle) != std::string::npos) {
          outcome.passed = true;
          return outcome;
        }
      }
      outcome.explanation = fmt::format("expected an error naming `{}`; found:\n{}", fact,
                                        format_diagnostics(sources, diagnostics));
      return outcome;
    }
    if (!facts) {
      outcome.explanation =
          fmt::format("the facts were rejected:\n{}", format_diagnostics(sources, diagnostics));
      return outcome;
    }
    EvaluationScratch scratch;
    Decision decision;
    if (coverage != nullptr) {
      guideline.evaluate_with_values(*facts, scratch, decision);
    } else {
      guideline.evaluate(*facts, scratch, decision);
    }
    if (coverage != nullptr) {
      coverage->record(scratch, decision);
    }
    std::vector<std::string> recommended;
    std::map<std::string, std::vector<std::string>> undetermined;
    const auto recommendations = guideline.recommendations();
    for (std::size_t r = 0; r < recommendations.size(); ++r) {
      if (decision.outcomes[r] == Outcome::recommended) {
        recommended.push_back(recommendations[r].id);
      } else if (decision.outcomes[r] == Outcome::undetermined) {
        std::vector<std::string> missing;
        for (const FactId fact : decision.missing[r]) {
          missing.push_back(guideline.facts()[fact.value].name);
        }
        std::sort(missing.begin(), missing.end());
        undetermined[recommendations[r].id] = missing;
      }
    }
    std::sort(recommended.begin(), recommended.end());
    const std::vector<std::string> expected = string_list(expect["recommendations"]);
    std::map<std::string, std::vector<std::string>> expected_undetermined;
    if (expect["undetermined"] && expect["undetermined"].IsMap()) {
      for (const auto& entry : expect["undetermined"]) {
        expected_undetermined[entry.first.as<std::string>()] = string_list(entry.second);
      }
    }
    std::vector<std::string> missing_ids;
    std::vector<std::string> extra_ids;
    std::set_difference(expected.begin(), expected.end(), recommended.begin(), recommended.end(),
                        std::back_inserter(missing_ids));
    std::set_difference(recommended.begin(), recommended.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra_ids));
    std::string explanation;
    if (!missing_ids.empty()) {
      explanation += fmt::format("  expected but not recommended: {}\n", join(missing_ids));
    }
    if (!extra_ids.empty()) {
      explanation += fmt::format("  recommended but not expected: {}\n", join(extra_ids));
    }
    for (const auto& [id, facts_missing] : expected_undetermined) {
      const auto found = undetermined.find(id);
      if (found == undetermined.end()) {
        explanation += fmt::format("  expected undetermined: {} (waiting on {}); it is not\n", id,
                                   join(facts_missing));
      } else if (found->second != facts_missing) {
        explanation += fmt::format("  {} waits on {}; expected {}\n", id, join(found->second),
                                   join(facts_missing));
      }
    }
    for (const auto& [id, facts_missing] : undetermined) {
      if (!expected_undetermined.contains(id)) {
        explanation += fmt::format("  undetermined but not expected: {} (waiting on {})\n", id,
                                   join(facts_missing));
      }
    }
    outcome.passed = explanation.empty();
    outcome.explanation = explanation;
  } catch (const YAML::Exception& error) {
    outcome.explanation = fmt::format("the case file is not valid YAML: {}", error.what());
  }
  return outcome;
}

}  // namespace rubric

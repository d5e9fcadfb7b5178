// Coverage of a guideline by a set of case files (`rubric test --coverage`): for every
// recommendation, whether some case made it recommended, absent and undetermined; for every
// condition of the compiled graph (each comparison, `is` test, `in` test and boolean fact),
// whether the cases drove it both true and false.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dsl/source.hpp"
#include "engine/guideline.hpp"

namespace rubric {

class CoverageRecorder {
 public:
  explicit CoverageRecorder(const Guideline& guideline);

  // Records one evaluation (the scratch holds every node's value).
  void record(const EvaluationScratch& scratch, const Decision& decision);

  [[nodiscard]] std::size_t conditions() const { return conditions_.size(); }
  [[nodiscard]] std::size_t covered_conditions() const;
  // Percentage of conditions driven both true and false (100 when there are none).
  [[nodiscard]] double percentage() const;

  [[nodiscard]] std::string to_text(const SourceManager& sources) const;
  [[nodiscard]] nlohmann::ordered_json to_json(const SourceManager& sources) const;

 private:
  struct Seen {
    bool true_value = false;
    bool false_value = false;
    bool unknown = false;
  };
  struct Condition {
    NodeId node;
    Seen seen;
  };
  [[nodiscard]] std::string describe(const SourceManager& sources, NodeId node) const;

  const Guideline& guideline_;
  std::vector<Seen> recommendations_;
  std::vector<Condition> conditions_;
  std::size_t evaluations_ = 0;
};

}  // namespace rubric

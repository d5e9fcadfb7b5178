#include "engine/guideline.hpp"

namespace rubric {

const SourceInfo* Guideline::source(std::uint32_t number) const {
  for (const SourceInfo& info : sources_) {
    if (info.number == number) {
      return &info;
    }
  }
  return nullptr;
}

std::optional<FactId> Guideline::find_fact(std::string_view name) const {
  for (std::uint32_t i = 0; i < facts_.size(); ++i) {
    if (facts_[i].name == name) {
      return FactId{i};
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> Guideline::find_recommendation(std::string_view id) const {
  for (std::size_t i = 0; i < recommendations_.size(); ++i) {
    if (recommendations_[i].id == id) {
      return i;
    }
  }
  return std::nullopt;
}

std::optional<NodeId> Guideline::fact_node(FactId fact) const {
  return fact.value < fact_nodes_.size() ? fact_nodes_[fact.value] : std::nullopt;
}

}  // namespace rubric

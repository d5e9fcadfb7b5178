// Private to authoring/analysis_*.cpp: what the behavioural diff and the findings need from the
// search core beyond the public interface of authoring/analysis.hpp. Not for tools/, api/ or
// tests.
#pragma once

#include <string>

#include "values/fact_set.hpp"

namespace rubric::analysis_detail {

// What decides which values a fact accepts: type, dimension, limits and codes (in any order).
// Two declarations with the same signature accept the same values.
std::string validity_signature(const FactSpec& spec);

}  // namespace rubric::analysis_detail

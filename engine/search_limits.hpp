// The bound on the search for exact outcomes (engine/exact_outcome.cpp): shared with
// `--emit-cpp`, whose generated search must stay within it to give the library's answer.
#pragma once

#include <cstddef>

namespace rubric {

// Node evaluations one recommendation's search may do before Kleene's answer stands.
inline constexpr std::size_t kMaxSearchWork = std::size_t{1} << 24U;

}  // namespace rubric

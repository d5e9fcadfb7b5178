// A word diff of two texts (recommendation texts, citations, evidence), for `rubric diff`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rubric {

// One changed run: the words of `old_words` (at byte `old_at` of the old text) replaced by
// those of `new_words` (at byte `new_at` of the new text). One side is empty for a pure
// deletion or insertion; its offset is then where the other side's words go.
struct WordChange {
  std::string old_words;
  std::string new_words;
  std::size_t old_at = 0;
  std::size_t new_at = 0;
};

struct WordDiff {
  std::vector<WordChange> changes;
  // The new text with each changed run written as `[-old-]{+new+}` (git's --word-diff
  // notation), words separated by single spaces: `Give [-500-]{+5000+} mg daily.`
  std::string inline_text;
};

// Words are maximal runs of characters other than spaces, tabs and newlines; the runs are
// those of a longest common subsequence of the two word lists. Texts of more than 2,000
// words each are compared as one run.
WordDiff word_diff(std::string_view old_text, std::string_view new_text);

}  // namespace rubric

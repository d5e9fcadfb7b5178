#include "tools/word_diff.hpp"

#include <algorithm>
#include <cstdint>

namespace rubric {
namespace {

struct Word {
  std::string_view text;
  std::size_t at = 0;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::vector<Word> words_of(std::string_view text) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) {
      ++i;
    }
    if (i > start) {
      words.push_back({text.substr(start, i - start), start});
    }
  }
  return words;
}

// The words [from, to) joined by single spaces.
std::string join(const std::vector<Word>& words, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (!out.empty()) {
      out += ' ';
    }
    out += words[i].text;
  }
  return out;
}

constexpr std::size_t kMaxWords = 2000;

}  // namespace

WordDiff word_diff(std::string_view old_text, std::string_view new_text) {
  const std::vector<Word> a = words_of(old_text);
  const std::vector<Word> b = words_of(new_text);
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // matched[i] = the word of b matched with a[i] (or m), along one longest common subsequence.
  std::vector<std::size_t> match_a(n, m);
  if (n <= kMaxWords && m <= kMaxWords) {
    // lcs[i][j]: the length of a longest common subsequence of a[i..] and b[j..].
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
    const auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& {
      return lcs[i * (m + 1) + j];
    };
    for (std::size_t i = n; i-- > 0;) {
      for (std::size_t j = m; j-- > 0;) {
        at(i, j) =
            a[i].text == b[j].text ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n && j < m) {
      if (a[i].text == b[j].text && at(i, j) == at(i + 1, j + 1) + 1) {
        match_a[i++] = j++;
      } else if (at(i + 1, j) >= at(i, j + 1)) {
        ++i;
      } else {
        ++j;
      }
    }
  }
  WordDiff diff;
  std::size_t i = 0;
  std::size_t j = 0;
  const auto emit = [&](std::size_t i_end, std::size_t j_end) {
    if (i == i_end && j == j_end) {
      return;
    }
    WordChange change;
    change.old_words = join(a, i, i_end);
    change.new_words = join(b, j, j_end);
    change.old_at = i < n ? a[i].at : old_text.size();
    change.new_at = j < m ? b[j].at : new_text.size();
    std::string& out = diff.inline_text;
    if (!out.empty()) {
      out += ' ';
    }
    if (!change.old_words.empty()) {
      out += "[-" + change.old_words + "-]";
    }
    if (!change.new_words.empty()) {
      out += "{+" + change.new_words + "+}";
    }
    diff.changes.push_back(std::move(change));
  };
  while (i < n || j < m) {
    // The next matched pair at or after (i, j), or the ends.
    std::size_t next_i = i;
    while (next_i < n && match_a[next_i] == m) {
      ++next_i;
    }
    const std::size_t next_j = next_i < n ? match_a[next_i] : m;
    emit(next_i, next_j);
    i = next_i;
    j = next_j;
    if (i < n) {
      if (!diff.inline_text.empty()) {
        diff.inline_text += ' ';
      }
      diff.inline_text += a[i].text;
      ++i;
      ++j;
    }
  }
  return diff;
}

}  // namespace rubric

// The word diff `rubric diff` shows for changed texts (issue 15 §5). Expected results are
// written by hand.
#include <catch2/catch.hpp>

#include "tools/word_diff.hpp"

namespace rubric {
namespace {

TEST_CASE("one changed word is one run, with its offsets", "[word_diff]") {
  const WordDiff diff =
      word_diff("Give 500 mg of calcium daily.", "Give 5000 mg of calcium daily.");
  CHECK(diff.inline_text == "Give [-500-]{+5000+} mg of calcium daily.");
  REQUIRE(diff.changes.size() == 1);
  CHECK(diff.changes[0].old_words == "500");
  CHECK(diff.changes[0].new_words == "5000");
  CHECK(diff.changes[0].old_at == 5);
  CHECK(diff.changes[0].new_at == 5);
}

TEST_CASE("insertions, deletions and adjacent words", "[word_diff]") {
  const WordDiff diff = word_diff("a b c d", "a x y c d e");
  CHECK(diff.inline_text == "a [-b-]{+x y+} c d {+e+}");
  REQUIRE(diff.changes.size() == 2);
  CHECK(diff.changes[0].old_words == "b");
  CHECK(diff.changes[0].new_words == "x y");
  CHECK(diff.changes[1].old_words.empty());
  CHECK(diff.changes[1].new_words == "e");
  CHECK(diff.changes[1].old_at == 7);  // the end of the old text
  CHECK(diff.changes[1].new_at == 10);

  const WordDiff removed = word_diff("stop the drug now", "stop now");
  CHECK(removed.inline_text == "stop [-the drug-] now");
  REQUIRE(removed.changes.size() == 1);
  CHECK(removed.changes[0].new_words.empty());
  CHECK(removed.changes[0].old_at == 5);
  CHECK(removed.changes[0].new_at == 5);  // where "the drug" was: before "now"
}

TEST_CASE("equal texts and spacing", "[word_diff]") {
  CHECK(word_diff("same  text", "same text").changes.empty());
  CHECK(word_diff("same  text", "same text").inline_text == "same text");
  const WordDiff all = word_diff("", "new words");
  CHECK(all.inline_text == "{+new words+}");
  REQUIRE(all.changes.size() == 1);
  CHECK(all.changes[0].old_at == 0);
}

}  // namespace
}  // namespace rubric

#!/usr/bin/env bash
# "Which facts decided it" (issue 14): `rubric eval --format json` (`because`) and
# `rubric explain --format json` (the facts marked decisive) follow one rule
# (engine/deciding.hpp, docs/semantics.md#which-operands-decided-a-value). For each
# recommendation of tests/cli/deciding/deciding.rubric, evaluated on patient.json, both must
# name exactly the facts written below by hand from that rule.
#
#   bash tests/cli/deciding_tests.sh path/to/rubric path/to/repo
#
# Prints every failure, then `N passed, M failed`; exits non-zero when anything failed.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY REPO_ROOT" "$@"

DIR="tests/cli/deciding"

fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $1"
}

EVAL=$(cd "$ROOT" && "$RUBRIC" eval "$DIR/deciding.rubric" "$DIR/patient.json" --format json)
[[ $? -eq 0 ]] && pass || fail "rubric eval exit code"
EXPLAIN=$(cd "$ROOT" && "$RUBRIC" explain "$DIR/deciding.rubric" "$DIR/patient.json" --format json)
[[ $? -eq 0 ]] && pass || fail "rubric explain exit code"

# decided ID FACTS: recommendation ID is recommended, and eval's `because` and explain's
# decisive facts are both exactly FACTS (space-separated, sorted by name).
decided() {
  local id=$1 expected=$2 got
  got=$(jq -r --arg id "$id" \
    '[.recommendations[] | select(.id == $id) | .because | keys[]] | sort | join(" ")' <<<"$EVAL")
  [[ $got == "$expected" ]] && pass || fail "$id: eval because is [$got], expected [$expected]"
  got=$(jq -r --arg id "$id" \
    '[.explanations[] | select(.id == $id and .outcome == "recommended") | .facts[]
      | select(.decisive) | .name] | sort | join(" ")' <<<"$EXPLAIN")
  [[ $got == "$expected" ]] && pass ||
    fail "$id: explain decisive facts are [$got], expected [$expected]"
}

# patient: a = false, b = true, c = false, d = false, n absent.
decided implies_both "a b"               # false premise and true conclusion both decide
decided implies_premise "d"              # a false premise alone
decided implies_null_premise "n"         # `unknown implies false`: the unknown premise
decided implies_null_conclusion "n"      # `true implies unknown`: the unknown conclusion
decided and_null "n"                     # `true and unknown`: the unknown operand
decided or_null "n"                      # `false or unknown`: the unknown operand
decided if_else "a b"                    # the condition and the branch taken
decided case_when "b c n"                # the whens up to the match, and its then
decided case_subject "b c"               # the subject, and the branch taken
decided coalesce "b n"                   # the arguments up to the first known one
# Issue 15 §5: an absent fact is listed only where its absence decided. An unknown condition
# takes else, so `n` decided which branch gave the value (with `n > 1` true, `d` = false would
# have); an unknown operand of an `or` that a true operand settled did not decide.
decided if_null "b n"
decided or_settled "b"

# Every recommendation of the file is checked above.
count=$(jq '.recommendations | length' <<<"$EVAL")
[[ $count -eq 12 ]] && pass || fail "expected 12 recommendations, eval gives $count"

# Issue 15 §5: explain's "Facts that left it undetermined" (the facts marked decisive of an
# undetermined recommendation) are exactly the facts it waits on, eval's `missing`. Before,
# the deciding rule put the present `age` there (every operand of an unknown sum), and for
# `branch` it named `smoker`, `age` and `years_smoked` (the else an unknown condition takes)
# but not `copd`, which can change it too.
EVAL=$(cd "$ROOT" && "$RUBRIC" eval "$DIR/undetermined.rubric" "$DIR/undetermined.json" --format json)
[[ $? -eq 0 ]] && pass || fail "rubric eval exit code (undetermined.rubric)"
EXPLAIN=$(cd "$ROOT" && "$RUBRIC" explain "$DIR/undetermined.rubric" "$DIR/undetermined.json" --format json)
[[ $? -eq 0 ]] && pass || fail "rubric explain exit code (undetermined.rubric)"
# left ID DECISIVE OTHERS: ID is undetermined, eval's `missing` and explain's decisive facts
# are DECISIVE, and explain's other facts are OTHERS.
left() {
  local id=$1 decisive=$2 others=$3 got
  got=$(jq -r --arg id "$id" \
    '[.undetermined[] | select(.id == $id) | .missing[]] | sort | join(" ")' <<<"$EVAL")
  [[ $got == "$decisive" ]] && pass || fail "$id: eval missing is [$got], expected [$decisive]"
  got=$(jq -r --arg id "$id" '[.explanations[] | select(.id == $id and .outcome == "undetermined")
      | .facts[] | select(.decisive) | .name] | sort | join(" ")' <<<"$EXPLAIN")
  [[ $got == "$decisive" ]] && pass ||
    fail "$id: explain decisive facts are [$got], expected [$decisive]"
  got=$(jq -r --arg id "$id" '[.explanations[] | select(.id == $id)
      | .facts[] | select(.decisive | not) | .name] | sort | join(" ")' <<<"$EXPLAIN")
  [[ $got == "$others" ]] && pass || fail "$id: explain other facts are [$got], expected [$others]"
}
# patient: age = 50; years_smoked, smoker and copd absent.
left pack_years "years_smoked" "age"
left branch "copd smoker years_smoked" "age"
run explain "$ROOT/$DIR/undetermined.rubric" "$ROOT/$DIR/undetermined.json" --id pack_years
code_is 0
out_has "Facts that left it undetermined:
  years_smoked = absent

Other facts it read:
  age = 50"

# Exact outcomes (issue 15 §3): `sex` absent. With 5 points both sexes are treated (a man from
# 2, a woman from 3) and neither is watched (a man at 1, a woman at 2); with 2 points a man is
# treated and a woman watched, so both wait on sex.
printf 'points: 5\n' >"$WORK/five.yaml"
printf 'points: 2\n' >"$WORK/two.yaml"
run eval "$ROOT/$DIR/exact.rubric" "$WORK/five.yaml"
code_is 0
out_has "  - treat: Treat
      decided although sex is absent: every value gives this outcome"
out_lacks "because:"
out_lacks "Undetermined"
run eval "$ROOT/$DIR/exact.rubric" "$WORK/five.yaml" --format json
code_is 0
got=$(jq -c '[[.recommendations[] | [.id, .decided_despite, .because]], .undetermined]' <<<"$OUT")
[[ $got == '[[["treat",["sex"],{}]],[]]' ]] && pass || fail "exact JSON is $got"
run explain "$ROOT/$DIR/exact.rubric" "$WORK/five.yaml" --id treat
code_is 0
out_has "treat is recommended although sex is absent: the condition is unknown term by term, but every value of it gives this outcome."
out_has "Facts that decided it:
  points = 5

Other facts it read:
  sex = absent"
out_lacks "Why (the terms"
run eval "$ROOT/$DIR/exact.rubric" "$WORK/two.yaml"
code_is 0
out_has "  - treat (prescribe): waits on sex
  - watch (refer): waits on sex"

harness_summary

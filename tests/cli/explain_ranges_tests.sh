#!/usr/bin/env bash
# `rubric explain`, "what would settle it" (issue 13): a range of a missing fact's values is
# claimed only when its outcome is proven for the whole range; otherwise single example
# values are listed as such. The fixtures and the expected sections, written by hand from the
# semantics, are in tests/golden/explain/ranges/ (NAME.rubric, NAME.json, NAME.settle.txt).
#
#   bash tests/cli/explain_ranges_tests.sh path/to/rubric path/to/repo
#
# Prints every failure with the command's output, then `N passed, M failed`; exits non-zero
# when anything failed.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 RUBRIC_BINARY REPO_ROOT" >&2
  exit 2
fi
RUBRIC=$1
ROOT=$2
DIR="tests/golden/explain/ranges"

if [[ ! -x $RUBRIC ]]; then
  echo "error: $RUBRIC is not an executable" >&2
  exit 2
fi

PASSED=0
FAILED=0
LAST=""
CODE=0
OUT=""

# run ARGS...: runs `rubric explain` from the repository root; keeps its exit code and stdout.
run() {
  LAST="rubric explain $*"
  OUT=$(cd "$ROOT" && "$RUBRIC" explain "$@" 2>&1)
  CODE=$?
}

pass() { PASSED=$((PASSED + 1)); }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $LAST"
  echo "  $1"
  echo "  exit code: $CODE"
  echo "  output: ${OUT:0:3000}" | sed '2,$s/^/    /'
}
code_is() { [[ $CODE -eq $1 ]] && pass || fail "expected exit code $1"; }
out_has() { [[ $OUT == *"$1"* ]] && pass || fail "output lacks: $1"; }
out_lacks() { [[ $OUT != *"$1"* ]] && pass || fail "output has: $1"; }

# settles NAME: the "what would settle it" section of the text output equals NAME.settle.txt.
settles() {
  local name=$1
  run "$DIR/$name.rubric" "$DIR/$name.json"
  code_is 0
  local section
  section=$(printf '%s\n' "$OUT" | sed -n '/^What would settle it/,/^$/p' | sed '/^$/d')
  [[ $section == "$(<"$ROOT/$DIR/$name.settle.txt")" ]] && pass ||
    fail "the section differs from $DIR/$name.settle.txt; it is:
$section"
}

# Issue 13's reproductions: a fact used in arithmetic, in Coalesce, compared with `~`.
settles dialysis
settles coalesce
settles equivalent
# Only compared with constants (through a definition too): proven ranges.
settles exact

# JSON carries the same distinction.
run "$DIR/dialysis.rubric" "$DIR/dialysis.json" --format json
code_is 0
out_has '"proven": false,'
out_has '"unproven_because": "weight is used in `weight * 15`",'
out_has '"values": "149 kg",'
out_lacks '"proven": true'
out_lacks '"values": "below'

run "$DIR/exact.rubric" "$DIR/exact.json" --format json
code_is 0
out_has '"settles": "always",'
out_has '"values": "at least 5.0 and below 8.0",'
out_lacks '"proven": false'
out_lacks '"unproven_because"'

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]

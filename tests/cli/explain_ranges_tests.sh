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

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY REPO_ROOT" "$@"

DIR="tests/golden/explain/ranges"

# run ARGS...: runs `rubric explain` from the repository root; keeps its exit code and stdout.
run() {
  LAST="rubric explain $*"
  OUT=$(cd "$ROOT" && "$RUBRIC" explain "$@" 2>&1)
  CODE=$?
}

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

harness_summary

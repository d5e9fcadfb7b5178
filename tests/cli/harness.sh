# The shared part of the command-line test scripts (tests/cli/*.sh): the argument check, a
# scratch folder, the pass and fail counters, `run` and the checks on its result, and the
# summary line. Sourced, never run:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
#   harness_start "RUBRIC_BINARY REPO_ROOT" "$@"
#   run eval "$SEED" facts.yaml
#   code_is 0
#   out_has "recommended"
#   harness_summary
#
# A script may define its own `run` or `fail` after sourcing this file (the checks call
# whichever is defined last).

# harness_start "NAME..." ARGS...: exits 2 with a usage line unless ARGS are one per NAME;
# sets RUBRIC (the binary, which must be executable) and, when given, ROOT (the repository);
# makes WORK, a scratch folder removed on exit.
harness_start() {
  local usage=$1
  shift
  local -a names
  read -r -a names <<<"$usage"
  if [[ $# -ne ${#names[@]} ]]; then
    echo "usage: $0 $usage" >&2
    exit 2
  fi
  RUBRIC=$1
  ROOT=${2:-}
  if [[ ! -x $RUBRIC ]]; then
    echo "error: $RUBRIC is not an executable" >&2
    exit 2
  fi
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
}

PASSED=0
FAILED=0
LAST=""
CODE=0
OUT=""
ERR=""

# run ARGS...: runs the binary; keeps its exit code, stdout and stderr.
run() {
  LAST="rubric $*"
  "$RUBRIC" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
  CODE=$?
  OUT=$(<"$WORK/stdout")
  ERR=$(<"$WORK/stderr")
}

pass() { PASSED=$((PASSED + 1)); }
# fail MESSAGE: counts a failure and prints it with the last run's exit code and output.
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $LAST"
  echo "  $1"
  echo "  exit code: $CODE"
  echo "  stdout: ${OUT:0:3000}" | sed '2,$s/^/    /'
  echo "  stderr: ${ERR:0:3000}" | sed '2,$s/^/    /'
}

code_is() { [[ $CODE == "$1" ]] && pass || fail "exit code $CODE, expected $1"; }
out_has() { [[ $OUT == *"$1"* ]] && pass || fail "stdout lacks: $1"; }
err_has() { [[ $ERR == *"$1"* ]] && pass || fail "stderr lacks: $1"; }
out_lacks() { [[ $OUT != *"$1"* ]] && pass || fail "stdout has: $1"; }
err_lacks() { [[ $ERR != *"$1"* ]] && pass || fail "stderr has: $1"; }
out_matches() { [[ $OUT =~ $1 ]] && pass || fail "stdout does not match: $1"; }
err_matches() { [[ $ERR =~ $1 ]] && pass || fail "stderr does not match: $1"; }
out_is() { [[ $OUT == "$1" ]] && pass || fail "stdout is not exactly: $1"; }
out_empty() { [[ -z $OUT ]] && pass || fail "stdout is not empty"; }
err_empty() { [[ -z $ERR ]] && pass || fail "stderr is not empty"; }
# out_line LINE: stdout has LINE as a whole line.
out_line() { grep -qxF -- "$1" "$WORK/stdout" && pass || fail "stdout lacks the line: $1"; }
# count_is WHAT ACTUAL EXPECTED
count_is() { [[ $2 == "$3" ]] && pass || fail "$1: $2, expected $3"; }

# harness_summary: prints `N passed, M failed`; its status is the script's (0: none failed).
harness_summary() {
  echo "$PASSED passed, $FAILED failed"
  [[ $FAILED -eq 0 ]]
}

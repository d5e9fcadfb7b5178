#!/usr/bin/env bash
# Hostile rule files against the real `rubric` binary: each is generated here (never
# committed), checked under a 512 MB address-space cap (`ulimit -v`), so that a parser that
# builds the whole tree of a hostile file before refusing it fails the test instead of only
# being slow, and must give exit code 1 with the documented diagnostic (docs/limits.md).
#
#   bash tests/cli/hostile_rules.sh path/to/rubric
#
# Prints every failure, then `N passed, M failed`; exits non-zero when anything failed.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY" "$@"

# A sanitizer runtime reserves terabytes of address space for its shadow memory, so the cap
# this test is about cannot hold there, and a Debug build parses 16 MiB for minutes: the
# sanitized builds skip it (their parser is exercised by the unit and fuzz tests).
CAP=524288
if ldd "$RUBRIC" 2>/dev/null | grep -Eq 'lib(a|t|ub)san'; then
  echo "skipped: $RUBRIC is a sanitized build (the address-space cap cannot hold under a sanitizer)"
  echo "0 passed, 0 failed"
  exit 0
fi

# run_capped FILE: `rubric check FILE` with at most 512 MB of address space and 60 s of CPU.
run_capped() {
  LAST="rubric check $1 (ulimit -v $CAP)"
  (
    ulimit -v $CAP
    ulimit -t 60
    exec "$RUBRIC" check "$1"
  ) >"$WORK/out" 2>&1
  CODE=$?
  OUT=$(head -c 4000 "$WORK/out")
}

fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $LAST: $1"
  echo "  exit code: $CODE"
  echo "  output: $OUT"
}

# expect CODE FRAGMENT: the last run exited with CODE and its output holds FRAGMENT.
expect() {
  if [[ $CODE -ne $1 ]]; then
    fail "expected exit code $1"
  elif [[ $OUT != *"$2"* ]]; then
    fail "expected output to contain: $2"
  else
    PASSED=$((PASSED + 1))
  fi
}

MAX=16777216  # kMaxSourceBytes

# chain FILE PREFIX LINK: PREFIX followed by LINK repeated to just under MAX bytes.
chain() {
  python3 - "$1" "$2" "$3" "$MAX" <<'PY'
import sys
path, prefix, link, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
prefix = prefix.replace("\\n", "\n")
count = (limit - len(prefix) - 1) // len(link)
with open(path, "w") as out:
    out.write(prefix + link * count + "\n")
PY
}

# 1. `1*1*1*...` just under 16 MiB: once 4.1 GB and minutes before its E0102.
chain "$WORK/mul.rubric" 'guideline "g"\ndefine d = 1' '*1'
run_capped "$WORK/mul.rubric"
expect 1 "mul.rubric:2:12: error[E0102]: expression nested too deeply (more than 1000 levels"

# 2. `a and a and ...`: a flat chain, once 1.6 GB for 6 MB.
chain "$WORK/and.rubric" 'guideline "g"\nfact a: boolean\ndefine d = a' ' and a'
run_capped "$WORK/and.rubric"
expect 1 "and.rubric:3:12: error[E0102]: expression nested too deeply (more than 1000 levels"

# 3. Parenthesized chains, each under the depth limit: `(1*...*1)*(1*...*1)*...`.
python3 - "$WORK/groups.rubric" "$MAX" <<'PY'
import sys
path, limit = sys.argv[1], int(sys.argv[2])
group = "(1" + "*1" * 400 + ")"
text = 'guideline "g"\ndefine d = 1'
count = (limit - len(text) - 1) // (len(group) + 1)
with open(path, "w") as out:
    out.write(text + ("*" + group) * count + "\n")
PY
run_capped "$WORK/groups.rubric"
expect 1 "error[E0102]: expression nested too deeply (more than 1000 levels"

# 4. Many valid declarations, each a chain of 900 operators: refused by the size of its
# expressions (once 2.9 GB and a minute and a half to check).
python3 - "$WORK/many.rubric" "$MAX" <<'PY'
import sys
path, limit = sys.argv[1], int(sys.argv[2])
lines, size, i = ['guideline "g"'], 14, 0
while True:
    line = "define d%d = 1" % i + "*1" * 900
    if size + len(line) + 1 > limit:
        break
    lines.append(line)
    size += len(line) + 1
    i += 1
with open(path, "w") as out:
    out.write("\n".join(lines) + "\n")
PY
run_capped "$WORK/many.rubric"
expect 1 "error[E0108]: guideline too large (more than 1000000 operators and operands"

# 5. One list of millions of elements: shallow, but as large.
python3 - "$WORK/list.rubric" "$MAX" <<'PY'
import sys
path, limit = sys.argv[1], int(sys.argv[2])
text = 'guideline "g"\ndefine d = {1'
count = (limit - len(text) - 2) // 2
with open(path, "w") as out:
    out.write(text + ",1" * count + "}\n")
PY
run_capped "$WORK/list.rubric"
expect 1 "error[E0108]: guideline too large"

# 6. Deep parentheses: stopped at the 65th.
python3 -c 'import sys; sys.stdout.write("guideline \"g\"\ndefine d = " + "(" * 3000000 + "1" + ")" * 3000000 + "\n")' >"$WORK/parens.rubric"
run_capped "$WORK/parens.rubric"
expect 1 "parens.rubric:2:76: error[E0102]: expression nested too deeply (more than 64 levels)"

harness_summary

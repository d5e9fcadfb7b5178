#!/usr/bin/env bash
# Every file the `rubric` CLI writes (`fmt` in place, `compile --emit-cpp -o`, `batch -o`) is
# written safely (issue 13): never an input, through symbolic links to their targets, never a
# read-only file, a unique temporary replaced by a rename so that a failed write leaves the
# original and no temporary behind. See tools/output_file.hpp.
#
#   bash tests/cli/writers_tests.sh path/to/rubric path/to/repo
#
# Prints every failure, then `N passed, M failed`; exits non-zero when anything failed.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY REPO_ROOT" "$@"

SEED="$ROOT/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric"
FMT_GOLDEN="$ROOT/tests/golden/fmt"
MESSY="$FMT_GOLDEN/messy_spacing.input.rubric"
TIDY="$FMT_GOLDEN/messy_spacing.expected.rubric"

# run_limited ARGS...: runs the binary with files limited to 1 KiB (writes beyond fail with
# EFBIG, SIGXFSZ ignored): a write that fails halfway.
run_limited() {
  LAST="(ulimit -f 1) rubric $*"
  (
    ulimit -f 1
    trap '' XFSZ
    exec "$RUBRIC" "$@"
  ) >"$WORK/stdout" 2>"$WORK/stderr"
  CODE=$?
  OUT=$(<"$WORK/stdout")
  ERR=$(<"$WORK/stderr")
}

# same_text FILE EXPECTED WHAT: FILE holds exactly the text of EXPECTED.
same_text() { cmp -s "$1" "$2" && pass || fail "$3"; }
# is_link PATH TARGET: PATH is still a symbolic link to TARGET.
is_link() {
  [[ -L $1 && $(readlink "$1") == "$2" ]] && pass || fail "$1 is no longer a link to $2"
}
# no_temporaries DIR: no temporary file was left in DIR (the two planted below are not).
no_temporaries() {
  local left
  left=$(find "$1" -maxdepth 1 -name '*.tmp' ! -name x.rubric.rubric.tmp \
    ! -name y.rubric.rubric.tmp | head -n 3)
  [[ -z $left ]] && pass || fail "temporary files left behind: $left"
}

# Two records; the second one's full result alone is longer than 1 KiB.
FACTS=$'{"fracture_grade": 1, "neurologic_deficit": true}\n{"fracture_grade": 1}\n'
printf '%s' "$FACTS" >"$WORK/facts.expected"
# results_ok FILE: FILE holds the two results, in order.
results_ok() {
  [[ $(wc -l <"$1") == 2 && $(head -c 10 "$1") == '{"line":1,' &&
    $(sed -n 2p "$1" | head -c 10) == '{"line":2,' ]] && pass || fail "$1 lacks the two results"
}

# ---- batch -o: never one of the inputs ---------------------------------------------------

B="$WORK/batch"
mkdir "$B"
printf '%s' "$FACTS" >"$B/patients.ndjson"
run batch "$SEED" "$B/patients.ndjson" -o "$B/patients.ndjson"
code_is 2
err_has "is the input file \`$B/patients.ndjson\`"
same_text "$B/patients.ndjson" "$WORK/facts.expected" "batch -o INPUT changed the input"

ln -s patients.ndjson "$B/soft.ndjson"
run batch "$SEED" "$B/patients.ndjson" -o "$B/soft.ndjson"
code_is 2
err_has "is the input file"
same_text "$B/patients.ndjson" "$WORK/facts.expected" "batch -o LINK-TO-INPUT changed the input"
is_link "$B/soft.ndjson" patients.ndjson

ln "$B/patients.ndjson" "$B/hard.ndjson"
run batch "$SEED" "$B/hard.ndjson" -o "$B/patients.ndjson"
code_is 2
err_has "is the input file"
same_text "$B/patients.ndjson" "$WORK/facts.expected" "batch -o HARD-LINK changed the input"

LAST="rubric batch SEED - -o patients.ndjson < patients.ndjson"
"$RUBRIC" batch "$SEED" - -o "$B/patients.ndjson" <"$B/patients.ndjson" >"$WORK/stdout" \
  2>"$WORK/stderr"
CODE=$?
ERR=$(<"$WORK/stderr")
code_is 2
err_has "is the input file (the standard input)"
same_text "$B/patients.ndjson" "$WORK/facts.expected" "batch - -o STDIN-FILE changed the input"

cp "$SEED" "$B/guideline.rubric"
run batch "$B/guideline.rubric" "$B/patients.ndjson" -o "$B/guideline.rubric"
code_is 2
err_has "is the rule file"
same_text "$B/guideline.rubric" "$SEED" "batch -o GUIDELINE changed the rule file"

# ---- batch -o: links, read-only files, failed writes ---------------------------------------

run batch "$SEED" "$B/patients.ndjson" -o "$B/results.ndjson"
code_is 0
results_ok "$B/results.ndjson"

# A link is written through: its target gets the results, the link stays.
printf 'old\n' >"$B/shared.ndjson"
ln -s shared.ndjson "$B/results-link.ndjson"
run batch "$SEED" "$B/patients.ndjson" -o "$B/results-link.ndjson"
code_is 0
is_link "$B/results-link.ndjson" shared.ndjson
results_ok "$B/shared.ndjson"
# A dangling link gets its target created.
ln -s created.ndjson "$B/dangling.ndjson"
run batch "$SEED" "$B/patients.ndjson" -o "$B/dangling.ndjson"
code_is 0
is_link "$B/dangling.ndjson" created.ndjson
results_ok "$B/created.ndjson"

printf 'old\n' >"$B/old.expected"
cp "$B/old.expected" "$B/readonly.ndjson"
chmod 444 "$B/readonly.ndjson"
run batch "$SEED" "$B/patients.ndjson" -o "$B/readonly.ndjson"
code_is 2
err_has "cannot write \`$B/readonly.ndjson\`: it is read-only"
same_text "$B/readonly.ndjson" "$B/old.expected" "batch -o READ-ONLY changed the file"

run batch "$SEED" "$B/patients.ndjson" -o "$B/no-such-folder/results.ndjson"
code_is 2
err_has "cannot write \`$B/no-such-folder/results.ndjson\`"
[[ ! -e $B/no-such-folder ]] && pass || fail "batch created a folder"

cp "$B/old.expected" "$B/limited.ndjson"
run_limited batch "$SEED" "$B/patients.ndjson" -o "$B/limited.ndjson"
code_is 2
err_has "cannot write \`$B/limited.ndjson\`: File too large"
same_text "$B/limited.ndjson" "$B/old.expected" "a failed batch -o changed the file"
no_temporaries "$B"

ln -s /dev/full "$B/full.ndjson"
run batch "$SEED" "$B/patients.ndjson" -o "$B/full.ndjson"
code_is 2
err_has "No space left on device"
is_link "$B/full.ndjson" /dev/full
ln -s /dev/null "$B/null.ndjson"
run batch "$SEED" "$B/patients.ndjson" -o "$B/null.ndjson"
code_is 0
is_link "$B/null.ndjson" /dev/null
no_temporaries "$B"

# ---- compile --emit-cpp -o -----------------------------------------------------------------

C="$WORK/compile"
mkdir "$C"
"$RUBRIC" compile "$SEED" --emit-cpp >"$C/header.expected"
[[ -s $C/header.expected ]] && pass || fail "compile --emit-cpp printed nothing"

run compile "$SEED" --emit-cpp -o "$C/seed.hpp"
code_is 0
same_text "$C/seed.hpp" "$C/header.expected" "compile -o wrote another text"

printf 'old\n' >"$C/shared.hpp"
ln -s shared.hpp "$C/link.hpp"
run compile "$SEED" --emit-cpp -o "$C/link.hpp"
code_is 0
is_link "$C/link.hpp" shared.hpp
same_text "$C/shared.hpp" "$C/header.expected" "compile -o LINK did not write the target"

printf 'old\n' >"$C/old.expected"
cp "$C/old.expected" "$C/readonly.hpp"
chmod 444 "$C/readonly.hpp"
run compile "$SEED" --emit-cpp -o "$C/readonly.hpp"
code_is 2
err_has "cannot write \`$C/readonly.hpp\`: it is read-only"
same_text "$C/readonly.hpp" "$C/old.expected" "compile -o READ-ONLY changed the file"

cp "$SEED" "$C/guideline.rubric"
ln -s guideline.rubric "$C/guideline-link.hpp"
run compile "$C/guideline.rubric" --emit-cpp -o "$C/guideline-link.hpp"
code_is 2
err_has "is the rule file"
same_text "$C/guideline.rubric" "$SEED" "compile -o GUIDELINE changed the rule file"

run compile "$SEED" --emit-cpp -o "$C/no-such-folder/seed.hpp"
code_is 2
err_has "cannot write \`$C/no-such-folder/seed.hpp\`"

cp "$C/old.expected" "$C/limited.hpp"
run_limited compile "$SEED" --emit-cpp -o "$C/limited.hpp"
code_is 2
err_has "File too large"
same_text "$C/limited.hpp" "$C/old.expected" "a failed compile -o changed the file"
no_temporaries "$C"

ln -s /dev/full "$C/full.hpp"
run compile "$SEED" --emit-cpp -o "$C/full.hpp"
code_is 2
err_has "No space left on device"
is_link "$C/full.hpp" /dev/full
no_temporaries "$C"

# ---- fmt: the temporary file -------------------------------------------------------------

F="$WORK/fmt"
mkdir "$F"
# A link planted at the name the temporary file once had: not followed, not touched.
printf 'precious\n' >"$F/precious.expected"
cp "$F/precious.expected" "$F/precious.txt"
cp "$MESSY" "$F/x.rubric"
ln -s precious.txt "$F/x.rubric.rubric.tmp"
run fmt "$F/x.rubric"
code_is 0
same_text "$F/precious.txt" "$F/precious.expected" "fmt wrote through a planted link"
[[ -f $F/x.rubric && ! -L $F/x.rubric ]] && pass || fail "x.rubric is no longer a regular file"
same_text "$F/x.rubric" "$TIDY" "fmt did not format x.rubric"
is_link "$F/x.rubric.rubric.tmp" precious.txt

# A regular file of that name is left alone.
cp "$MESSY" "$F/y.rubric"
cp "$F/precious.expected" "$F/y.rubric.rubric.tmp"
run fmt "$F/y.rubric"
code_is 0
same_text "$F/y.rubric.rubric.tmp" "$F/precious.expected" "fmt destroyed an unrelated file"
same_text "$F/y.rubric" "$TIDY" "fmt did not format y.rubric"

# ---- fmt: links, modes, owners, read-only files ---------------------------------------------

cp "$MESSY" "$F/shared.rubric"
ln -s shared.rubric "$F/link.rubric"
run fmt "$F/link.rubric"
code_is 0
is_link "$F/link.rubric" shared.rubric
same_text "$F/shared.rubric" "$TIDY" "fmt LINK did not format the link's target"

cp "$MESSY" "$F/private.rubric"
chmod 600 "$F/private.rubric"
run fmt "$F/private.rubric"
code_is 0
[[ $(stat -c %a "$F/private.rubric") == 600 ]] && pass || fail "fmt changed the mode"

if [[ $EUID -eq 0 ]]; then
  cp "$MESSY" "$F/owned.rubric"
  chown 65534:65534 "$F/owned.rubric"
  run fmt "$F/owned.rubric"
  code_is 0
  [[ $(stat -c %u:%g "$F/owned.rubric") == 65534:65534 ]] && pass || fail "fmt changed the owner"
  same_text "$F/owned.rubric" "$TIDY" "fmt did not format owned.rubric"
fi

cp "$MESSY" "$F/readonly.rubric"
chmod 444 "$F/readonly.rubric"
run fmt "$F/readonly.rubric"
code_is 2
err_has "cannot write \`$F/readonly.rubric\`: it is read-only"
same_text "$F/readonly.rubric" "$MESSY" "fmt rewrote a read-only file"
# Only files that would change are written: a formatted read-only file is fine.
cp "$TIDY" "$F/readonly-tidy.rubric"
chmod 444 "$F/readonly-tidy.rubric"
run fmt "$F/readonly-tidy.rubric"
code_is 0

# A failed write leaves the file and no temporary file.
cp "$FMT_GOLDEN/wrap_long.input.rubric" "$F/long.rubric"
run_limited fmt "$F/long.rubric"
code_is 2
err_has "File too large"
same_text "$F/long.rubric" "$FMT_GOLDEN/wrap_long.input.rubric" "a failed fmt changed the file"
no_temporaries "$F"

# --check never writes: same inode, same text, no file created, even on a read-only file.
cp "$MESSY" "$F/check.rubric"
chmod 444 "$F/check.rubric"
inode=$(stat -c %i "$F/check.rubric")
listing=$(ls -A "$F")
run fmt --check "$F/check.rubric"
code_is 1
same_text "$F/check.rubric" "$MESSY" "fmt --check changed the file"
[[ $(stat -c %i "$F/check.rubric") == "$inode" && $(ls -A "$F") == "$listing" ]] && pass ||
  fail "fmt --check replaced the file or created one"

# Two runs at once on one file both succeed, and the file ends up formatted (before the
# temporary files had unique names, about one round in four failed).
for round in $(seq 1 20); do
  cp "$FMT_GOLDEN/wrap_long.input.rubric" "$F/race.rubric"
  "$RUBRIC" fmt "$F/race.rubric" 2>"$WORK/race1" &
  first=$!
  "$RUBRIC" fmt "$F/race.rubric" 2>"$WORK/race2" &
  second=$!
  wait "$first"
  code1=$?
  wait "$second"
  code2=$?
  LAST="two concurrent rubric fmt, round $round"
  CODE="$code1 $code2"
  ERR="$(<"$WORK/race1") $(<"$WORK/race2")"
  [[ $code1 == 0 && $code2 == 0 ]] && pass || fail "a concurrent fmt failed"
  same_text "$F/race.rubric" "$FMT_GOLDEN/wrap_long.expected.rubric" "concurrent fmt runs left the file unformatted"
done
no_temporaries "$F"

harness_summary

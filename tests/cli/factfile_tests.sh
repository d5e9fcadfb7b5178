#!/usr/bin/env bash
# Command-line tests of fact files, NDJSON input and `rubric expr` arguments (issue 13): capped
# diagnostics, a byte order mark on NDJSON line 1, expressions that start with `-`, escaped
# control characters, YAML booleans and tags, and too many YAML documents.
#
#   bash tests/cli/factfile_tests.sh path/to/rubric path/to/repo
#
# Prints every failure with the command's output, then `N passed, M failed`; exits non-zero
# when anything failed.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY REPO_ROOT" "$@"

SEED="$ROOT/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric"

# ---- 1. 500,000 unknown keys: 20 diagnostics and one summary with the count -----------------

python3 - "$WORK/many.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    out.write("fracture_grade: 1\n")
    for i in range(500000):
        out.write(f"unknown_{i}: 1\n")
PY
run eval "$SEED" "$WORK/many.yaml"
code_is 1
count_is "stderr bytes below 20000" "$(( ${#ERR} < 20000 ))" 1
count_is "E0404 diagnostics" "$(grep -c 'error\[E0404\]' <<<"$ERR")" 21
err_has "many.yaml:2:1: error[E0404]: unknown fact \`unknown_0\`"
err_has "many.yaml:21:1: error[E0404]: unknown fact \`unknown_19\`"
err_has "many.yaml:22:1: error[E0404]: and 499980 more unknown facts"
err_lacks "unknown_20\`"

# The same cap for JSON, and for each code separately: 30 repeated keys with wrong values.
{
  printf '{"pain_vas": 1'
  for i in $(seq 1 30); do printf ', "pain_vas": "x%d"' "$i"; done
  printf '}\n'
} >"$WORK/repeated.json"
run eval "$SEED" "$WORK/repeated.json"
code_is 1
count_is "E0405 diagnostics" "$(grep -c 'error\[E0405\]' <<<"$ERR")" 21
count_is "E0406 diagnostics" "$(grep -c 'error\[E0406\]' <<<"$ERR")" 21
err_has "error[E0405]: and 10 more facts given twice"
err_has "error[E0406]: and 10 more values of the wrong type"

# Exactly 20 of a kind: all listed, no summary.
python3 -c "print('\n'.join(f'u{i}: 1' for i in range(20)))" >"$WORK/twenty.yaml"
run eval "$SEED" "$WORK/twenty.yaml"
count_is "E0404 diagnostics" "$(grep -c 'error\[E0404\]' <<<"$ERR")" 20
err_lacks "more unknown"

# ---- 2. a byte order mark on line 1 of an NDJSON file --------------------------------------

printf '\xef\xbb\xbf{"fracture_grade": 1, "neurologic_deficit": true}\n' >"$WORK/bom.ndjson"
printf '{"fracture_grade": 1, "neurologic_deficit": true}\n' >"$WORK/plain.ndjson"
run batch "$SEED" "$WORK/plain.ndjson"
EXPECTED=$OUT
run batch "$SEED" "$WORK/bom.ndjson"
code_is 0
out_is "$EXPECTED"
out_has '"id":"urgent_surgical_consultation"'
# A line that only the general (simdjson) path reads: an escape in a key.
printf '\xef\xbb\xbf{"fracture\\u005fgrade": 1, "neurologic_deficit": true}\n' \
  >"$WORK/bom-general.ndjson"
run batch "$SEED" "$WORK/bom-general.ndjson"
code_is 0
out_is "$EXPECTED"
# A byte order mark on another line is an error that says so.
printf '{"fracture_grade": 1}\n\xef\xbb\xbf{"fracture_grade": 1}\n' >"$WORK/bom-later.ndjson"
run batch "$SEED" "$WORK/bom-later.ndjson"
out_has '{"line":2,"error":"a byte order mark (U+FEFF) is allowed only at the start of the first line; remove it","code":"E0401","column":1}'

# ---- 3. expressions that start with `-` ----------------------------------------------------

run expr '-(1 day)'
code_is 0
out_is "-1 days"
run expr '--1'
code_is 0
out_is "1"
run expr -- '-(2 days)'
code_is 0
out_is "-2 days"
run expr '-(1 day)' --facts "$ROOT/tests/cli/expr-names.yaml"
code_is 0
out_is "-1 days"
run expr
code_is 2
err_has "EXPRESSION is required"
run expr '1' '-2'
code_is 2
err_has "not expected: -2"

# ---- 4. an escaped NUL in a JSON string is E0401, as docs/limits.md says --------------------

printf '{"fracture_grade": 1, "pain_vas": "\\u0000"}\n' >"$WORK/nul.json"
run eval "$SEED" "$WORK/nul.json"
code_is 1
err_has "error[E0401]: invalid character U+0000 in the value of fact \`pain_vas\`"
printf '{"time_since_identification": "10\\u0001weeks"}\n' >"$WORK/ctrl.json"
run eval "$SEED" "$WORK/ctrl.json"
err_has "error[E0401]: invalid character U+0001"
printf '{"bad\\u0000name": 1}\n' >"$WORK/nul-key.json"
run eval "$SEED" "$WORK/nul-key.json"
err_has "error[E0401]: invalid character U+0000 in the fact name"
printf 'pain_vas: "\\0"\n' >"$WORK/nul.yaml"
run eval "$SEED" "$WORK/nul.yaml"
err_has "error[E0401]: invalid character U+0000"
printf '{"pain_vas": "\\u0000"}\n' >"$WORK/nul.ndjson"
run batch "$SEED" "$WORK/nul.ndjson"
out_has '"code":"E0401"'

# ---- 5. YAML booleans other than true/false, and tags ---------------------------------------

for word in True TRUE yes on Y; do
  printf 'neurologic_deficit: %s\n' "$word" >"$WORK/bool.yaml"
  run eval "$SEED" "$WORK/bool.yaml"
  code_is 1
  err_has "error[E0406]: fact \`neurologic_deficit\` must be \`true\` or \`false\`; found \`$word\`; write \`true\`"
done
for word in False OFF no; do
  printf 'neurologic_deficit: %s\n' "$word" >"$WORK/bool.yaml"
  run eval "$SEED" "$WORK/bool.yaml"
  err_has "; write \`false\`"
done
printf 'fracture_grade: 1\nneurologic_deficit: true\ncord_compression: false\n' >"$WORK/ok.yaml"
run eval "$SEED" "$WORK/ok.yaml"
code_is 0
printf 'fracture_grade: 1\nneurologic_deficit: !!python/object:os.system true\n' >"$WORK/tag.yaml"
run eval "$SEED" "$WORK/tag.yaml"
code_is 1
err_has "tag.yaml:2:21: error[E0401]: YAML tag \`!!python/object:os.system\` is not allowed"
printf 'fracture_grade: !custom 1\n' >"$WORK/tag2.yaml"
run eval "$SEED" "$WORK/tag2.yaml"
err_has "tag2.yaml:1:17: error[E0401]: YAML tag \`!custom\`"
printf 'fracture_grade: !!int 1\n' >"$WORK/tag3.yaml"
run eval "$SEED" "$WORK/tag3.yaml"
err_has "error[E0401]: YAML tag \`!!int\`"
printf 'fracture_grade: 1\nkyphosis_percent: !!map {a: 1}\n' >"$WORK/tag4.yaml"
run eval "$SEED" "$WORK/tag4.yaml"
err_has "tag4.yaml:2:19: error[E0401]: YAML tag \`!!map\`"
# `!!str` stays allowed: it makes the value a string.
printf 'neurologic_deficit: !!str true\n' >"$WORK/str.yaml"
run eval "$SEED" "$WORK/str.yaml"
err_has "error[E0406]"
err_lacks "E0401"

# ---- 6. more than 100,000 YAML documents is E0402 -------------------------------------------

python3 -c "import sys; sys.stdout.write('---\n' * 200000)" >"$WORK/documents.yaml"
run eval "$SEED" "$WORK/documents.yaml"
code_is 1
err_has "documents.yaml:100001:1: error[E0402]: a fact file must hold one YAML document; found more than 100000"
err_lacks "E0401"
python3 -c "import sys; sys.stdout.write('---\n' * 1000)" >"$WORK/few-documents.yaml"
run eval "$SEED" "$WORK/few-documents.yaml"
code_is 0

# ---- 7. the example of docs/fmt.md: a condition broken over three lines ----------------------

python3 - "$SEED" "$WORK/broken.rubric" <<'PY'
import sys
text = open(sys.argv[1]).read()
one = "  when conservative and time_since_identification >= augmentation_after and augmentation_indicated\n"
three = ("  when conservative\n    and time_since_identification >= augmentation_after\n"
         "    and augmentation_indicated\n")
assert text.count(one) == 1
open(sys.argv[2], "w").write(text.replace(one, three))
PY
run fmt --check "$WORK/broken.rubric"
code_is 1
out_has "would reformat \`$WORK/broken.rubric\`"
out_has "1 of 1 file would be reformatted; run \`rubric fmt\` on it"
run fmt "$WORK/broken.rubric"
code_is 0
cmp -s "$WORK/broken.rubric" "$SEED" && pass || fail "fmt does not give back the seed"
CASES=$(find "$ROOT/guidelines/vertebral-fracture-grade1/cases" -name '*.yaml' | wc -l)
run test "$WORK/broken.rubric" "$ROOT/guidelines/vertebral-fracture-grade1/cases"
code_is 0
out_has "$CASES passed, 0 failed"
count_is "repository cases (docs/fmt.md)" "$CASES" 132

harness_summary

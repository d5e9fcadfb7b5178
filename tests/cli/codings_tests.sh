#!/usr/bin/env bash
# Coding facts and value sets in expressions (issue 16 §2): `fact dx: coding`, coding literals
# (`SCT '46635009'`), `dx in VALUESET`, through eval, batch (NDJSON), test (case files), fmt and
# fact-file errors. Through the real `rubric` binary.
#
#   bash tests/cli/codings_tests.sh path/to/rubric
#
# Expected results are worked out by hand from docs/language.md#codings: a coding is in a value
# set when its system URI and its code are those of one of the set's codes.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY" "$@"

cat >"$WORK/diabetes.rubric" <<'RULES'
guideline "diabetes" title "Diabetes" version "1"
source 1 "Local diabetes policy"
codesystem SCT = 'http://snomed.info/sct'
codesystem ICD = 'http://hl7.org/fhir/sid/icd-10'
valueset DIABETES = {SCT '44054006', SCT '46635009', ICD 'E11'} "diabetes mellitus"
fact dx: coding "the principal diagnosis"
recommendation screen kind order text "Order an HbA1c." cite 1
  when dx in DIABETES
recommendation type1 kind refer text "Refer to the type 1 clinic." cite 1
  when dx = SCT '46635009'
RULES
RULES="$WORK/diabetes.rubric"

run check "$RULES"
code_is 0
err_lacks "W0309"

# ---- eval: in the set, in the set under another system, not in the set, absent -------------
printf 'dx: "http://snomed.info/sct|44054006"\n' >"$WORK/type2.yaml"
run eval "$RULES" "$WORK/type2.yaml"
code_is 0
out_has "Order an HbA1c."
out_lacks "Refer to the type 1 clinic."

printf '{"dx": "http://snomed.info/sct|46635009"}\n' >"$WORK/type1.json"
run eval "$RULES" "$WORK/type1.json"
code_is 0
out_has "Order an HbA1c."
out_has "Refer to the type 1 clinic."

# The code 44054006 under ICD-10, and E11 under SNOMED CT: neither is in the set.
printf 'dx: "http://hl7.org/fhir/sid/icd-10|44054006"\n' >"$WORK/other-system.yaml"
run eval "$RULES" "$WORK/other-system.yaml"
code_is 0
out_lacks "Order an HbA1c."
out_lacks "Refer to the type 1 clinic."
printf 'dx: "http://snomed.info/sct|E11"\n' >"$WORK/e11-sct.yaml"
run eval "$RULES" "$WORK/e11-sct.yaml"
code_is 0
out_lacks "Order an HbA1c."
printf 'dx: "http://hl7.org/fhir/sid/icd-10|E11"\n' >"$WORK/e11.yaml"
run eval "$RULES" "$WORK/e11.yaml"
code_is 0
out_has "Order an HbA1c."
out_lacks "Refer to the type 1 clinic."

printf 'dx: "http://snomed.info/sct|22298006"\n' >"$WORK/infarct.yaml"
run eval "$RULES" "$WORK/infarct.yaml"
code_is 0
out_lacks "Order an HbA1c."

# Absent: `dx in DIABETES` is false, as `in` is for a null (docs/language.md#in), while
# `dx = SCT '46635009'` is unknown.
printf '{}\n' >"$WORK/empty.json"
run eval "$RULES" "$WORK/empty.json"
code_is 0
out_lacks "Order an HbA1c."
out_line "Undetermined (1): each waits on facts that are absent"

# ---- batch: the same five patients, one a line ----------------------------------------------
{
  printf '{"dx": "http://snomed.info/sct|44054006"}\n'
  printf '{"dx": "http://snomed.info/sct|46635009"}\n'
  printf '{"dx": "http://hl7.org/fhir/sid/icd-10|44054006"}\n'
  printf '{"dx": "http://snomed.info/sct|22298006"}\n'
  printf '{}\n'
} >"$WORK/patients.ndjson"
run batch "$RULES" "$WORK/patients.ndjson" --compact --threads 1
code_is 0
EXPECTED='{"recommendations":["screen"],"undetermined":[]}
{"recommendations":["screen","type1"],"undetermined":[]}
{"recommendations":[],"undetermined":[]}
{"recommendations":[],"undetermined":[]}
{"recommendations":[],"undetermined":[{"id":"type1","missing":["dx"]}]}'
out_is "$EXPECTED"

# A bad coding on one line is that line's error.
printf '{"dx": "44054006"}\n{"dx": "http://snomed.info/sct|44054006"}\n' >"$WORK/bad.ndjson"
run batch "$RULES" "$WORK/bad.ndjson" --compact --threads 1
out_has 'fact `dx` must be a coding written `SYSTEM|CODE`, such as `http://snomed.info/sct|44054006`; found `44054006`, which has no `|`'
out_has '{"recommendations":["screen"],"undetermined":[]}'

# ---- fact-file errors: E0406 with what is wrong --------------------------------------------
printf 'dx: "44054006"\n' >"$WORK/no-bar.yaml"
run eval "$RULES" "$WORK/no-bar.yaml"
code_is 1
err_has "error[E0406]: fact \`dx\` must be a coding written \`SYSTEM|CODE\`, such as \`http://snomed.info/sct|44054006\`; found \`44054006\`, which has no \`|\`"
printf '{"dx": 44054006}\n' >"$WORK/number.json"
run eval "$RULES" "$WORK/number.json"
code_is 1
err_has "error[E0406]: fact \`dx\` must be a coding"
printf 'dx: "http://snomed.info/sct|"\n' >"$WORK/no-code.yaml"
run eval "$RULES" "$WORK/no-code.yaml"
code_is 1
err_has "whose code is empty"
printf 'dx: "|44054006"\n' >"$WORK/no-system.yaml"
run eval "$RULES" "$WORK/no-system.yaml"
code_is 1
err_has "whose system is empty"
printf 'dx: "snomed|44054006"\n' >"$WORK/relative.yaml"
run eval "$RULES" "$WORK/relative.yaml"
code_is 1
err_has "whose system \`snomed\` is not an absolute URI"

# ---- test: case files ------------------------------------------------------------------------
mkdir -p "$WORK/cases"
cat >"$WORK/cases/type1.yaml" <<'CASE'
facts: {dx: "http://snomed.info/sct|46635009"}
expect: {recommendations: [screen, type1]}
CASE
cat >"$WORK/cases/other-system.yaml" <<'CASE'
facts: {dx: "http://hl7.org/fhir/sid/icd-10|46635009"}
expect: {recommendations: []}
CASE
run test "$RULES" "$WORK/cases"
code_is 0
out_has "2 passed, 0 failed"
cat >"$WORK/cases/bad.yaml" <<'CASE'
facts: {dx: "46635009"}
expect: {recommendations: []}
CASE
run test "$RULES" "$WORK/cases/bad.yaml"
code_is 1
out_has "found \`46635009\`, which has no \`|\`"

# ---- fmt: coding literals and the type, canonical --------------------------------------------
cat >"$WORK/messy.rubric" <<'RULES'
guideline "diabetes" title "Diabetes" version "1"
source 1 "Local diabetes policy"
codesystem SCT = 'http://snomed.info/sct'
valueset DIABETES = {SCT '44054006'}
fact dx:coding
recommendation screen kind order text "Order an HbA1c." cite 1
  when dx in DIABETES or dx in {SCT	'1',SCT    '2'} or dx = SCT  'it\'s'
RULES
run fmt --stdout "$WORK/messy.rubric"
code_is 0
out_has "fact dx: coding"
out_has "dx in DIABETES or dx in {SCT '1', SCT '2'} or dx = SCT 'it\\'s'"

harness_summary

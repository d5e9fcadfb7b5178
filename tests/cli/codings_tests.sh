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

# ---- bindings that read a coding (`value code`, `valueCodeableConcept`, ...) -----------------
# docs/fhir.md#reading-a-coding: under a `coded` filter, `value code` gives the first coding
# (in the resource's order) that the filter matched; otherwise the first coding whose system is
# one the rule file declares. Each expected value below is read off the record by hand.
cat >"$WORK/site.rubric" <<'RULES'
guideline "fracture-site" title "Fracture site" version "1"
source 1 "Local policy"
codesystem SCT = 'http://snomed.info/sct'
codesystem ICD = 'http://hl7.org/fhir/sid/icd-10'
valueset FRACTURE = {SCT '207938004', SCT '207957008', ICD 'S32.0'} "vertebral fracture"
valueset LUMBAR = {SCT '207957008', ICD 'S32.0'} "lumbar fracture"
fact site: coding "the fracture's diagnosis" from most recent Condition coded FRACTURE value code
fact latest_dx: coding "the latest diagnosis" from most recent Condition value code
fact result: coding "a test result" from most recent Observation value valueCodeableConcept
fact drug: coding "the latest medication" from most recent MedicationRequest
  value medicationCodeableConcept
recommendation lumbar kind refer text "Refer to the spine clinic." cite 1
  when site in LUMBAR
recommendation positive kind order text "Repeat the test." cite 1
  when result = SCT '10828004'
recommendation review kind follow-up text "Review the latest diagnosis." cite 1
  when latest_dx = ICD 'S32.0'
recommendation opioid kind follow-up text "Review the opioid." cite 1
  when drug = SCT '373529000'
RULES
SITE="$WORK/site.rubric"
run check "$SITE"
code_is 0

# c1 (the most recent Condition) lists a local code, then ICD-10 S32.0 (in FRACTURE, and the
# first coding of a declared system), then SNOMED CT 207957008: both facts read S32.0. c0 is
# older. The Observation's value lists an undeclared system's code before SNOMED CT 10828004.
# The MedicationRequest names its drug in SNOMED CT only.
cat >"$WORK/site.json" <<'JSON'
{"resourceType": "Bundle", "type": "collection", "entry": [
 {"resource": {"resourceType": "Patient", "id": "p", "birthDate": "1950-01-01"}},
 {"resource": {"resourceType": "Condition", "id": "c1", "recordedDate": "2026-05-01",
   "code": {"coding": [{"system": "http://example.org/local", "code": "X1"},
                       {"system": "http://hl7.org/fhir/sid/icd-10", "code": "S32.0"},
                       {"system": "http://snomed.info/sct", "code": "207957008"}]}}},
 {"resource": {"resourceType": "Condition", "id": "c0", "recordedDate": "2026-04-01",
   "code": {"coding": [{"system": "http://snomed.info/sct", "code": "207938004"}]}}},
 {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
   "effectiveDateTime": "2026-05-02", "code": {"coding": [{"system": "http://loinc.org", "code": "1-1"}]},
   "valueCodeableConcept": {"coding": [{"system": "http://example.org/x", "code": "pos"},
                                       {"system": "http://snomed.info/sct", "code": "10828004"}]}}},
 {"resource": {"resourceType": "MedicationRequest", "id": "m1", "status": "active",
   "intent": "order", "authoredOn": "2026-06-01",
   "medicationCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "373529000"}]}}}
]}
JSON
run facts "$SITE" "$WORK/site.json" --as-of 2026-06-15
code_is 0
out_line 'site: "http://hl7.org/fhir/sid/icd-10|S32.0"  # Condition/c1 (2026-05-01)'
out_line 'latest_dx: "http://hl7.org/fhir/sid/icd-10|S32.0"  # Condition/c1 (2026-05-01)'
out_line 'result: "http://snomed.info/sct|10828004"  # Observation/o1 (2026-05-02)'
out_line 'drug: "http://snomed.info/sct|373529000"  # MedicationRequest/m1 (2026-06-01)'
run eval "$SITE" "$WORK/site.json" --as-of 2026-06-15
code_is 0
out_has "Recommended (4):"
out_has "because: site = 'http://hl7.org/fhir/sid/icd-10|S32.0'"
out_has "because: result = 'http://snomed.info/sct|10828004'"
out_has "because: latest_dx = 'http://hl7.org/fhir/sid/icd-10|S32.0'"
out_has "because: drug = 'http://snomed.info/sct|373529000'"

# Without a coding of a declared system the fact is absent, and says why; c1 is not coded
# FRACTURE, so `site` has no Condition at all.
cat >"$WORK/site-local.json" <<'JSON'
{"resourceType": "Bundle", "entry": [
 {"resource": {"resourceType": "Patient", "id": "p"}},
 {"resource": {"resourceType": "Condition", "id": "c1", "recordedDate": "2026-05-01",
   "code": {"coding": [{"system": "http://example.org/local", "code": "X1"}]}}},
 {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
   "effectiveDateTime": "2026-05-02", "valueCodeableConcept": {"text": "positive"}}}
]}
JSON
run facts "$SITE" "$WORK/site-local.json" --as-of 2026-06-15
code_is 0
out_line '# site: absent: no Condition coded FRACTURE with a date (recordedDate or onsetDateTime)'
out_line '# latest_dx: absent: `Condition/c1` has no `code` coding in `http://snomed.info/sct` or `http://hl7.org/fhir/sid/icd-10`'
out_line '# result: absent: `Observation/o1` has no `valueCodeableConcept` coding in `http://snomed.info/sct` or `http://hl7.org/fhir/sid/icd-10`'
out_line '# drug: absent: no MedicationRequest with a date (authoredOn)'
run explain "$SITE" "$WORK/site-local.json" --as-of 2026-06-15
code_is 0
out_has 'latest_dx is absent: `Condition/c1` has no `code` coding in `http://snomed.info/sct`'

# A null concept is no value; a value of another kind, or a concept written as a string, is
# bad data naming the fact and the resource, and nothing is evaluated.
sed 's/"valueCodeableConcept": {"text": "positive"}/"valueCodeableConcept": null/' \
  "$WORK/site-local.json" >"$WORK/site-null.json"
run facts "$SITE" "$WORK/site-null.json" --as-of 2026-06-15
code_is 0
out_line '# result: absent: `Observation/o1` has no `valueCodeableConcept`'
sed 's/"valueCodeableConcept": {"text": "positive"}/"valueQuantity": {"value": 3}/' \
  "$WORK/site-local.json" >"$WORK/site-quantity.json"
run eval "$SITE" "$WORK/site-quantity.json" --as-of 2026-06-15
code_is 1
err_has 'error[E0406]: fact `result` from `Observation/o1` must be a coding'
err_has 'found valueQuantity'
out_empty
sed 's/"valueCodeableConcept": {"text": "positive"}/"valueCodeableConcept": "pos"/' \
  "$WORK/site-local.json" >"$WORK/site-string.json"
run eval "$SITE" "$WORK/site-string.json" --as-of 2026-06-15
code_is 1
err_has 'found valueCodeableConcept `pos`'

# Reading `code` is not reading a value: an Observation without a code but with a
# valueQuantity leaves a `value code` fact absent, no error.
cat >"$WORK/obs-code.rubric" <<'RULES'
guideline "obs-code" title "Observation code" version "1"
source 1 "Local policy"
codesystem SCT = 'http://snomed.info/sct'
fact test_code: coding "the latest test" from most recent Observation value code
recommendation r kind order text "R." cite 1
  when test_code = SCT '1'
RULES
run facts "$WORK/obs-code.rubric" "$WORK/site-quantity.json" --as-of 2026-06-15
code_is 0
out_line '# test_code: absent: `Observation/o1` has no `code`'

# The same records through batch, one Bundle a line, in order.
{ tr -d '\n' <"$WORK/site.json"; echo; tr -d '\n' <"$WORK/site-quantity.json"; echo; } \
  >"$WORK/site.ndjson"
run batch "$SITE" "$WORK/site.ndjson" --as-of 2026-06-15
code_is 1
count_is "batch lines" "$(wc -l <"$WORK/stdout")" 2
out_matches '^\{"line":1,"recommendations":\[\{"id":"lumbar".*\{"id":"positive".*\{"id":"review".*\{"id":"opioid".*\],"undetermined":\[\]\}'
out_has '"line":2,"error":"fact `result` from `Observation/o1` must be a coding'

# The checker: a coding read with no code system to read it in, a coded concept into a string
# fact, a text into a coding fact, an element the resource type lacks.
cat >"$WORK/site-bad.rubric" <<'RULES'
guideline "e" title "E" version "1"
source 1 "Local policy"
fact a: coding "a" from most recent Condition value code
fact b: string "b" from most recent Condition value code
fact c: coding "c" from most recent Observation value valueString
fact d: coding "d" from Patient value code
recommendation r kind refer text "R." cite 1
  when a is not null or b is not null or c is not null or d is not null
RULES
run check "$WORK/site-bad.rubric"
code_is 1
err_has 'site-bad.rubric:3:53: error[E0227]: `value code` reads a coding in a code system this file declares, and it declares none; declare one, as in `codesystem SCT = '"'"'http://snomed.info/sct'"'"'`, or add a `coded` clause'
err_has 'site-bad.rubric:4:53: error[E0227]: Condition.code is a coded concept, but fact `b` is a string'
err_has 'site-bad.rubric:5:55: error[E0227]: Observation.valueString is a text, but fact `c` is a coding'
err_has 'site-bad.rubric:6:39: error[E0227]: Patient has no element `code` that bindings read'

# A new code system changes which codings are read: `rubric diff` says so.
sed "s#^codesystem ICD.*#&\ncodesystem LOINC = 'http://loinc.org'#" "$SITE" >"$WORK/site-loinc.rubric"
run diff "$SITE" "$WORK/site-loinc.rubric"
out_has 'fact latest_dx: binding value `value code (a coding of http://snomed.info/sct or http://hl7.org/fhir/sid/icd-10)` → `value code (a coding of http://snomed.info/sct, http://hl7.org/fhir/sid/icd-10 or http://loinc.org)`'
out_lacks 'fact site: binding'

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

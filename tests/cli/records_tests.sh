#!/usr/bin/env bash
# FHIR records on the command line (issue 16 §3-§4, docs/fhir.md): `rubric eval` takes a record
# where it takes a fact file, `rubric facts` prints what the bindings read, and bad records are
# rejected with E0414-E0416 before anything is evaluated. Through the real `rubric` binary.
# (What the seed's bindings read is checked record by record in tests/unit/test_record_reader.cpp.)
#
#   bash tests/cli/records_tests.sh path/to/rubric path/to/repo
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY REPO" "$@"
SEED="$ROOT/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric"

printf '{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}\n' \
  >"$WORK/broken.json"
run eval "$SEED" "$WORK/broken.json" --as-of 2026-06-15
code_is 1
err_has "broken.json:2:1: error[E0414]: the record is not well-formed JSON"
err_has "nothing was evaluated"
out_empty

printf '{"resourceType": "Patient", "id": "p"}\n' >"$WORK/patient.json"
run eval "$SEED" "$WORK/patient.json" --as-of 2026-06-15
code_is 1
err_has "error[E0414]: the record is a \`Patient\`; expected a FHIR Bundle"

printf '{"resourceType": "Bundle", "type": "collection", "entry": []}\n' >"$WORK/empty.json"
run facts "$SEED" "$WORK/empty.json" --as-of 2026-06-15
code_is 1
err_has "error[E0416]: the record has no Patient; expected exactly one"
err_has "error: \`$WORK/empty.json\` was rejected"

printf '{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient", "id": "p"}}, %s]}\n' \
  '{"resource": {"resourceType": "Encounter", "id": 7, "code": "not a concept"}}' >"$WORK/one.json"
run eval "$SEED" "$WORK/one.json" --as-of 2026-06-15
code_is 0
run facts "$SEED" "$WORK/one.json" --as-of 2026-06-15 --format json
code_is 0
out_has '"as_of": "2026-06-15"'
run facts "$SEED" "$WORK/one.json" --as-of 2026-06-32
code_is 2

# A fact file is still a fact file.
printf 'fracture_grade: 1\n' >"$WORK/facts.yaml"
run eval "$SEED" "$WORK/facts.yaml" --as-of 2026-06-15
code_is 0

# `rubric explain` on a record: after the explanation, where each bound fact came from, or why
# it is absent (expected lines written from the records and FHIR-BINDING.md).
run explain "$SEED" "$ROOT/../shared/seed/fhir/new-fracture-elderly.bundle.json" --as-of 2026-06-15 \
  --id calcitonin
code_is 0
out_has "Facts read from $ROOT/../shared/seed/fhir/new-fracture-elderly.bundle.json as of 2026-06-15:"
# condition-14 (onset 2026-06-01, no recordedDate) is the fracture; condition-22 is entered in error.
out_line "  time_since_identification = 14 days from Condition/condition-14 (2026-06-01)"
out_line "  age = 72 years from Patient/p (1954-05-13)"
RECORDS="$ROOT/guidelines/vertebral-fracture-grade1/records"
run explain "$SEED" "$RECORDS/pain-older-only-absent.bundle.json" --as-of 2026-06-15 \
  --id augmentation_referral
code_is 0
out_line "  pain_vas is absent: no usable Observation coded LOINC '72514-3' in the 30 days before 2026-06-15"

# `rubric explain --format json` on a record: a `sources` list, one entry per bound fact, with
# the shape of `rubric facts --format json` (expected entries written from the records).
source_is() {  # source_is FACT PYTHON_DICT: the `sources` entry of FACT is exactly that dict
  if python3 - "$WORK/stdout" "$1" "$2" <<'PY'; then pass; else fail "sources entry of $1 is not $2"; fi
import json, sys
with open(sys.argv[1]) as f:
    d = json.load(f)
found = [s for s in d["sources"] if s["fact"] == sys.argv[2]]
want = dict(eval(sys.argv[3]), fact=sys.argv[2])
sys.exit(0 if found == [want] else 1)
PY
}
run explain "$SEED" "$ROOT/../shared/seed/fhir/new-fracture-elderly.bundle.json" --as-of 2026-06-15 \
  --id calcitonin --format json
code_is 0
# observation-5: the one final LOINC 72514-3 score, on the evaluation date, valueQuantity 6.
source_is pain_vas '{"value": 6, "resources": ["Observation/observation-5"], "date": "2026-06-15"}'
# condition-14: the fracture by its onsetDateTime 2026-06-01 (no recordedDate), 14 days before.
source_is time_since_identification \
  '{"value": "14 days", "resources": ["Condition/condition-14"], "date": "2026-06-01"}'
# condition-17 (cord compression, clinicalStatus inactive) says it is not present: false.
source_is cord_compression '{"value": False, "resources": ["Condition/condition-17"]}'
# observation-28: height loss 22 % on 2026-03-01, the one final one.
source_is height_loss_percent \
  '{"value": 22, "resources": ["Observation/observation-28"], "date": "2026-03-01"}'
# Every bound fact of the seed (19) has one entry, and nothing else does.
check_count() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if len(d["sources"]) == 19 else 1)' \
    "$WORK/stdout" && pass || fail "sources does not list the 19 bound facts"
}
check_count
run explain "$SEED" "$RECORDS/pain-older-only-absent.bundle.json" --as-of 2026-06-15 \
  --id augmentation_referral --format json
code_is 0
# obs-pain-old (2026-01-10) is outside the 30 days: absent, and why.
source_is pain_vas \
  '{"value": None, "absent": "no usable Observation coded LOINC '"'"'72514-3'"'"' in the 30 days before 2026-06-15"}'
source_is fracture_grade '{"value": 1, "resources": ["Observation/obs-grade"], "date": "2026-06-01"}'
# A fact file has no record to cite: no `sources`.
run explain "$SEED" "$WORK/facts.yaml" --as-of 2026-06-15 --format json
code_is 0
out_lacks '"sources"'

harness_summary

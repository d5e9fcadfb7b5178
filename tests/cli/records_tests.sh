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

harness_summary

#!/usr/bin/env bash
# The evaluation date (issue 16): `Today()` reads it, `--as-of YYYY-MM-DD` gives it to eval,
# explain, batch and test, a case file's `as_of:` overrides it, and without the option it is
# today's date in UTC. Through the real `rubric` binary.
#
#   bash tests/cli/as_of_tests.sh path/to/rubric
#
# Expected results are worked out by hand from docs/semantics.md#dates-and-times: whole
# calendar months between the last visit and the evaluation date.
set -u

source "$(dirname "${BASH_SOURCE[0]}")/harness.sh"
harness_start "RUBRIC_BINARY" "$@"

cat >"$WORK/recall.rubric" <<'RULES'
guideline "recall" title "Recall" version "1"
source 1 "Recall policy"
fact last_visit: date
  "the date of the last visit"
define months_since_visit = months between last_visit and Today()
recommendation recall kind follow-up text "Recall the patient." cite 1
  when months_since_visit >= 12
RULES
RECALL="$WORK/recall.rubric"
printf 'last_visit: "2025-06-15"\n' >"$WORK/visit.yaml"

# 12 whole months on 2026-06-15, 11 the day before.
run eval "$RECALL" "$WORK/visit.yaml" --as-of 2026-06-15
code_is 0
out_has "Recommended (1):"
out_has "because: Today() = @2026-06-15, last_visit = @2025-06-15"
run eval "$RECALL" "$WORK/visit.yaml" --as-of 2026-06-14 --format json
code_is 0
out_has '"recommendations": []'

run explain "$RECALL" "$WORK/visit.yaml" --as-of 2026-06-14
code_is 0
out_has "months_since_visit is 11"
out_has "Today() = @2026-06-14 (the evaluation date)"

# Without --as-of: today's date in UTC, so a visit on that date's previous year recalls.
today=$(date -u +%Y-%m-%d)
year_ago=$(date -u -d "$today -1 year" +%Y-%m-%d)
printf 'last_visit: "%s"\n' "$year_ago" >"$WORK/year-ago.yaml"
run eval "$RECALL" "$WORK/year-ago.yaml"
code_is 0
out_has "because: Today() = @$today, last_visit = @$year_ago"

# Bad dates: a usage error naming the option, nothing evaluated.
run eval "$RECALL" "$WORK/visit.yaml" --as-of 2026-02-30
code_is 2
err_has "error: --as-of: \`2026-02-30\` is not a date: February 2026 has 28 days"
out_empty
run eval "$RECALL" "$WORK/visit.yaml" --as-of 2026-06
code_is 2
err_has "error: --as-of: \`2026-06\` is not a full date; the evaluation date is written \`YYYY-MM-DD\`"
run batch "$RECALL" "$WORK/visit.yaml" --as-of 15/06/2026
code_is 2
err_has "error: --as-of: \`15/06/2026\`"

# A fact file cannot give the evaluation date.
printf 'Today(): "2026-01-01"\nlast_visit: "2025-06-15"\n' >"$WORK/today.yaml"
run eval "$RECALL" "$WORK/today.yaml" --as-of 2026-06-15
code_is 1
err_has "error[E0404]: unknown fact \`Today()\`; the evaluation date that \`Today()\` reads is not a fact: give it with \`--as-of YYYY-MM-DD\`"

# batch: one date for every line.
printf '{"last_visit":"2025-06-15"}\n{"last_visit":"2025-06-16"}\n{"last_visit":"2024-01-01"}\n' \
  >"$WORK/visits.ndjson"
run batch "$RECALL" "$WORK/visits.ndjson" --as-of 2026-06-15 --compact --threads 1
code_is 0
out_line '{"recommendations":["recall"],"undetermined":[]}'
out_line '{"recommendations":[],"undetermined":[]}'
out_line '{"recommendations":["recall"],"undetermined":[]}'

# test: a case file's as_of wins over --as-of; --as-of gives the others theirs.
mkdir -p "$WORK/cases"
cat >"$WORK/cases/pinned.yaml" <<'CASE'
as_of: 2026-06-14
facts: {last_visit: "2025-06-15"}
expect: {recommendations: []}
CASE
cat >"$WORK/cases/from-option.yaml" <<'CASE'
facts: {last_visit: "2025-06-15"}
expect: {recommendations: [recall]}
CASE
run test "$RECALL" "$WORK/cases" --as-of 2026-06-15
code_is 0
out_has "2 passed, 0 failed"
cat >"$WORK/cases/bad.yaml" <<'CASE'
as_of: 2026-06
facts: {last_visit: "2025-06-15"}
expect: {recommendations: []}
CASE
run test "$RECALL" "$WORK/cases/bad.yaml" --as-of 2026-06-15
code_is 1
out_has "\`as_of\` is the evaluation date, written \`YYYY-MM-DD\`, such as \`2026-06-15\`; found \`2026-06\`"

# expr: the same option; an expression may read Today() where the guideline does not.
run expr "years between @1954-06-16 and Today()" --as-of 2026-06-15
code_is 0
out_is "71"
run expr "Today()"
code_is 0
out_is "@$today"
run expr --guideline "$RECALL" --facts "$WORK/visit.yaml" "months_since_visit" --as-of 2026-03-01
code_is 0
out_is "8"
run expr --guideline "$RECALL" "Today() - 1 day" --as-of 2024-03-01
code_is 0
out_is "@2024-02-29"

# Known dates of different precisions: the order is unknown (CQL), and the text says why.
cat >"$WORK/seen.rubric" <<'RULES'
guideline "seen" title "Seen" version "1"
source 1 "S"
fact seen: datetime
recommendation late kind assess text "Late." cite 1
  when seen > @2026-06-15T12:00:00Z
RULES
printf 'seen: "2026-06-15"\n' >"$WORK/seen.yaml"
run eval "$WORK/seen.rubric" "$WORK/seen.yaml"
code_is 0
out_has "late (assess): waits on no absent fact (a division by zero, an overflow, a null, or dates of different precisions made it unknown)"

harness_summary

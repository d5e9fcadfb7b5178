#!/bin/sh
# The benchmark of the HL7 CQL anchor: `rubric batch` and the CQL engine (run.mjs) on the same
# generated FHIR Bundles, same machine, one run, one thread each; then checks that both give the
# same outcomes for every patient.
#   ./bench.sh [COUNT=2000] [RUBRIC_REPS=5] [CQL_PASSES=3]
# Needs: npm ci; node translate.mjs; a built Rubric (BUILD, default ../../../../build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
build=${BUILD:-$root/build}
count=${1:-2000}
rubric_reps=${2:-5}
cql_passes=${3:-3}
guideline=$root/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric
as_of=2026-06-15   # the generator's evaluation date (kSeedRecordsAsOf in tests/bench/workload.cpp)
work=${TMPDIR:-/tmp}/rubric-cql-bench.$$
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

"$build/tests/bench/rubric_bench_generate" records "$count" --seed 1 > "$work/records.ndjson"
echo "input: $count records --seed 1, $(wc -c < "$work/records.ndjson") bytes; as of $as_of"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); node $(node --version); $(nproc) cores"
echo "before: $(uptime)"
i=1
while [ "$i" -le "$rubric_reps" ]; do
  "$build/rubric" batch --as-of "$as_of" --threads 1 --compact "$guideline" "$work/records.ndjson" \
    > "$work/rubric.ndjson" 2> "$work/rubric.err" || true
  echo "rubric batch run $i: $(tail -1 "$work/rubric.err")"
  i=$((i + 1))
done
node "$here/run.mjs" --as-of "$as_of" "$work/records.ndjson" --bench --repeat "$cql_passes" \
  -o "$work/cql.ndjson"
echo "after: $(uptime)"
node "$here/compare.mjs" "$work/rubric.ndjson" "$work/cql.ndjson"

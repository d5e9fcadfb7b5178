#!/usr/bin/env bash
# Smoke run of the speed tooling, bounded to a minute or two: builds the benchmarks, checks
# that the hand-written reference agrees with the seed cases and with Rubric, runs every
# benchmark briefly (the figures are printed, not judged: CI machines are noisy), loads
# `rubric serve` with wrk for a few seconds (no error allowed), then runs
# `rubric batch` and `rubric bench` on 100,000 generated records and checks their output.
#
#   bash scripts/ci/bench-smoke.sh [BUILD_DIR]     (default build-bench; run from the repo root)
set -euo pipefail

BUILD=${1:-build-bench}
ROOT=$(pwd)
SEED="$ROOT/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric"
RECORDS=100000

if [[ ! -f $SEED ]]; then
  echo "error: run from the repository root" >&2
  exit 2
fi

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" --target rubric rubric_bench rubric_bench_generate

echo "== rubric serve under wrk (2 s a run; fails on any error or a failed reload)"
bash "$ROOT/tests/bench/service/load.sh" "$BUILD" 2 4

RUBRIC="$BUILD/rubric"
GENERATE="$BUILD/tests/bench/rubric_bench_generate"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== reference check"
"$BUILD/tests/bench/rubric_bench" --verify-only

echo "== benchmarks (short; figures are indicative only)"
RUBRIC_BENCH_RECORDS=20000 RUBRIC_BENCH_MAX_RECOMMENDATIONS=1000 \
  timeout 120 "$BUILD/tests/bench/rubric_bench" --benchmark_min_time=0.05

echo "== rubric batch on $RECORDS generated records"
"$GENERATE" facts "$RECORDS" --gaps >"$WORK/facts.ndjson"
timeout 60 "$RUBRIC" batch "$SEED" "$WORK/facts.ndjson" -o "$WORK/full.out"
timeout 60 "$RUBRIC" batch "$SEED" "$WORK/facts.ndjson" --compact --threads 1 -o "$WORK/compact1.out"
timeout 60 "$RUBRIC" batch "$SEED" "$WORK/facts.ndjson" --compact --threads 2 -o "$WORK/compact2.out"
cmp "$WORK/compact1.out" "$WORK/compact2.out"
python3 - "$WORK/full.out" "$WORK/compact1.out" "$RECORDS" <<'PY'
import json, sys
full = [json.loads(line) for line in open(sys.argv[1])]
compact = [json.loads(line) for line in open(sys.argv[2])]
count = int(sys.argv[3])
assert len(full) == len(compact) == count, (len(full), len(compact))
assert [r["line"] for r in full] == list(range(1, count + 1))
for f, c in zip(full, compact):
    assert c["recommendations"] == [r["id"] for r in f["recommendations"]]
    assert c["undetermined"] == [{"id": u["id"], "missing": u["missing"]} for u in f["undetermined"]]
print(f"{count} results valid, in order, full and compact agree")
PY

echo "== rubric bench"
timeout 60 "$RUBRIC" bench "$SEED" "$WORK/facts.ndjson" --repeat 2 --format json | tee "$WORK/bench.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert all(d[k] > 0 for k in ("ns_per_eval", "evals_per_s", "graph_nodes", "graph_bytes")), d
' "$WORK/bench.json"
echo "bench-smoke: ok"

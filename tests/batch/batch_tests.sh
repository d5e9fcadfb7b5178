#!/usr/bin/env bash
# Tests of `rubric batch` and `rubric bench` through the real binary: results against
# `rubric eval`, input order and determinism across thread counts, bad lines (the run goes
# on), blank, CRLF, huge and invalid lines, standard input, -o, --compact, exit codes, the
# summary on stderr, and memory that does not grow with the input.
#
#   bash tests/batch/batch_tests.sh path/to/rubric path/to/rubric_bench_generate path/to/repo
#
# Prints every failure, then `N passed, M failed`; exits non-zero when anything failed.
# Needs python3 (to read JSON).
set -u

if [[ $# -ne 3 ]]; then
  echo "usage: $0 RUBRIC GENERATOR REPO_ROOT" >&2
  exit 2
fi
RUBRIC=$1
GENERATE=$2
ROOT=$3
SEED="$ROOT/guidelines/vertebral-fracture-grade1/vertebral-fracture-grade1.rubric"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

PASSED=0
FAILED=0
CODE=0
pass() { PASSED=$((PASSED + 1)); }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $*"
  if [[ -s $WORK/err ]]; then
    echo "  stderr: $(head -c 600 "$WORK/err")"
  fi
}
# run ARGS...: runs rubric with stdout in $WORK/out, stderr in $WORK/err, exit code in CODE.
run() {
  "$RUBRIC" "$@" >"$WORK/out" 2>"$WORK/err"
  CODE=$?
}
expect_code() {
  if [[ $CODE -eq $1 ]]; then pass; else fail "$2: exit code $CODE, expected $1"; fi
}
# py SCRIPT ARGS...: runs a python3 check; its output explains a failure.
py() {
  local script=$1
  shift
  python3 -c "$script" "$@"
}

# flat_memory SMALL LARGE [BATCH ARGS...]: the peak RSS of `rubric batch` (2 threads) on
# LARGE stays within a small margin of that on SMALL; prints both. Under AddressSanitizer the
# runs measured keep no quarantine of freed memory (by default up to 256 MiB of it, which a run
# over larger inputs fills further), so that RSS follows the memory in use.
flat_memory() {
  py '
import os, subprocess, sys
rubric, seed, small, large = sys.argv[1:5]
extra = sys.argv[5:]
os.environ["ASAN_OPTIONS"] = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS", ""),
    "quarantine_size_mb=0", "thread_local_quarantine_size_kb=0"]))
def peak(path):
    # A fresh process each time; ru_maxrss of the children grows monotonically, so measure
    # each run in its own python child.
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,check=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    return int(subprocess.run([sys.executable, "-c", code, rubric, "batch", seed, path, "--threads", "2"] + extra,
                              capture_output=True, text=True, check=True).stdout)
lines = lambda path: sum(1 for _ in open(path, "rb"))
small_kb, large_kb = peak(small), peak(large)
print(f"peak RSS: {small_kb} KiB for {lines(small):,} records, {large_kb} KiB for {lines(large):,}")
assert large_kb < small_kb * 1.5 + 4096, "peak RSS grows with the input"
' "$RUBRIC" "$SEED" "$@"
}

"$GENERATE" facts 20000 --gaps --seed 5 >"$WORK/gaps.ndjson"
"$GENERATE" facts 3000 --seed 9 >"$WORK/complete.ndjson"

# ---- Results agree with `rubric eval` on the same fact sets -------------------------------
run batch "$SEED" "$WORK/gaps.ndjson" --threads 2
expect_code 0 "batch on generated fact sets with gaps"
cp "$WORK/out" "$WORK/full.out"
head -n 40 "$WORK/gaps.ndjson" >"$WORK/first40.ndjson"
mkdir -p "$WORK/single"
n=0
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s\n' "$line" >"$WORK/single/$n.json"
  "$RUBRIC" eval "$SEED" "$WORK/single/$n.json" --format json >"$WORK/single/$n.eval" 2>/dev/null
done <"$WORK/first40.ndjson"
if py '
import json, sys
work = sys.argv[1]
batch = [json.loads(l) for l in open(work + "/full.out")][:40]
for n, record in enumerate(batch, 1):
    ev = json.load(open(f"{work}/single/{n}.eval"))
    assert record["line"] == n, (n, record["line"])
    got = [(r["id"], r["kind"], r["text"], r["citations"], r["sources"], r.get("evidence"), r["parameters"], r["decided_despite"]) for r in record["recommendations"]]
    want = [(r["id"], r["kind"], r["text"], r["citations"], r["sources"], r.get("evidence"), r["parameters"], r["decided_despite"]) for r in ev["recommendations"]]
    assert got == want, (n, got, want)
    got = [(u["id"], u["kind"], u["text"], u["missing"]) for u in record["undetermined"]]
    want = [(u["id"], u["kind"], u["text"], u["missing"]) for u in ev["undetermined"]]
    assert got == want, (n, got, want)
' "$WORK"; then pass; else fail "batch results differ from rubric eval"; fi
if py '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 20000, len(lines)
assert [r["line"] for r in lines] == list(range(1, 20001))
assert sum(1 for r in lines if r["undetermined"]) > 1000, "the gaps should leave some undetermined"
' "$WORK/full.out"; then pass; else fail "full output: one valid JSON result a line, in input order"; fi

# ---- Determinism and order across thread counts --------------------------------------------
for threads in 1 3 8; do
  run batch "$SEED" "$WORK/gaps.ndjson" --threads "$threads"
  if cmp -s "$WORK/out" "$WORK/full.out"; then pass; else fail "--threads $threads output differs from --threads 2"; fi
done
run batch "$SEED" "$WORK/gaps.ndjson"
if cmp -s "$WORK/out" "$WORK/full.out"; then pass; else fail "default --threads output differs"; fi

# ---- --compact -------------------------------------------------------------------------------
run batch "$SEED" "$WORK/gaps.ndjson" --compact --threads 4
expect_code 0 "--compact"
if py '
import json, sys
full = [json.loads(l) for l in open(sys.argv[1])]
compact = [json.loads(l) for l in open(sys.argv[2])]
assert len(full) == len(compact)
for f, c in zip(full, compact):
    assert list(c.keys()) == ["recommendations", "undetermined"], c.keys()
    assert c["recommendations"] == [r["id"] for r in f["recommendations"]]
    assert c["undetermined"] == [{"id": u["id"], "missing": u["missing"]} for u in f["undetermined"]]
' "$WORK/full.out" "$WORK/out"; then pass; else fail "--compact output is not the ids of the full output"; fi

# ---- Standard input, -o ----------------------------------------------------------------------
"$RUBRIC" batch "$SEED" - --threads 2 <"$WORK/gaps.ndjson" >"$WORK/stdin.out" 2>"$WORK/err"
if cmp -s "$WORK/stdin.out" "$WORK/full.out"; then pass; else fail "reading from - differs"; fi
"$RUBRIC" batch "$SEED" --threads 2 <"$WORK/gaps.ndjson" >"$WORK/stdin.out" 2>"$WORK/err"
if cmp -s "$WORK/stdin.out" "$WORK/full.out"; then pass; else fail "reading with no INPUT differs"; fi
cat "$WORK/gaps.ndjson" | "$RUBRIC" batch "$SEED" - --threads 2 >"$WORK/stdin.out" 2>"$WORK/err"
if cmp -s "$WORK/stdin.out" "$WORK/full.out"; then pass; else fail "reading from a pipe differs"; fi
run batch "$SEED" "$WORK/gaps.ndjson" -o "$WORK/written.out"
expect_code 0 "-o OUTPUT"
if [[ ! -s $WORK/out ]] && cmp -s "$WORK/written.out" "$WORK/full.out"; then pass; else fail "-o: the file must hold the results and stdout nothing"; fi

# ---- Summary on stderr, no progress bar when stderr is not a terminal -----------------------
run batch "$SEED" "$WORK/complete.ndjson"
if grep -Eq '^3000 records, 0 rejected, in [0-9.]+ s: [0-9]+ records/s \([0-9]+ threads?\)$' "$WORK/err"; then pass; else fail "summary line: $(cat "$WORK/err")"; fi
if ! grep -q $'\r' "$WORK/err" && [[ $(wc -l <"$WORK/err") -eq 1 ]]; then pass; else fail "stderr must hold only the summary when it is not a terminal"; fi
if [[ $(wc -l <"$WORK/out") -eq 3000 ]]; then pass; else fail "3000 records must give 3000 lines"; fi

# ---- Bad lines: an error object for the line, the run goes on --------------------------------
good=$(head -n 1 "$WORK/complete.ndjson")
{
  printf '%s\n' "$good"
  printf '%s\n' '{"fracture_grade": 1, "pain_vs": 3}'
  printf '\n   \n'
  printf '%s\r\n' "$good"
  printf '%s\n' '{"fracture_grade": 1.5}'
  printf '%s\n' '[1, 2]'
  printf '%s\n' '{"fracture_grade": 1,}'
  printf '{"fracture_grade": "\xff\xfe"}\n'
  printf '{"fracture_grade": \x01 1}\n'
  printf '%s\n' '{"fracture_grade": 1, "fracture_grade": 2}'
  printf '%s\n' '{"age": [1]}'
  printf '%s\n' '{"fracture_grade": 1} {"fracture_grade": 1}'
  printf '%s' "$good"
} >"$WORK/bad.ndjson"
run batch "$SEED" "$WORK/bad.ndjson" --threads 3
expect_code 1 "a run with rejected lines"
if py '
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
lines = [r["line"] for r in out]
assert lines == [1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], lines
by = {r["line"]: r for r in out}
ok = lambda n: "recommendations" in by[n] and "error" not in by[n]
assert ok(1) and ok(5) and ok(14), "good lines, CRLF and a last line without a line break are evaluated"
assert by[1]["recommendations"] == by[5]["recommendations"] == by[14]["recommendations"]
def err(n, code, text):
    r = by[n]
    assert r["code"] == code and text in r["error"], (n, r)
    assert isinstance(r["column"], int) and r["column"] >= 1, r
err(2, "E0404", "unknown fact `pain_vs`; did you mean `pain_vas`?")
assert by[2]["column"] == 23, by[2]
err(6, "E0406", "not a whole number")
err(7, "E0402", "found a list")
err(8, "E0401", "invalid JSON")
err(9, "E0401", "not valid UTF-8")
err(10, "E0401", "invalid character U+0001")
err(11, "E0405", "is given twice")
err(12, "E0406", "found a list")
err(13, "E0401", "invalid JSON")
' "$WORK/out"; then pass; else fail "error objects for bad lines: $(cat "$WORK/out")"; fi
if grep -q '^12 records, 9 rejected' "$WORK/err"; then pass; else fail "summary counts: $(cat "$WORK/err")"; fi

# The same messages as the fact-file reader (`rubric eval` on the same text as a .json file).
n=0
for text in '{"fracture_grade": 1, "pain_vs": 3}' '{"fracture_grade": 1.5}' '{"pain_vas": 11}' \
  '{"age": 3}' '{"age": "3 mg"}' '{"fracture_grade": 1, "fracture_grade": 2}' '[1, 2]' \
  '{"neurologic_deficit": "yes"}' '{"age": {"a": 1}}' '{"": 1}' '{"Pain_VAS": 1}'; do
  n=$((n + 1))
  printf '%s\n' "$text" >"$WORK/same$n.json"
  "$RUBRIC" eval "$SEED" "$WORK/same$n.json" >/dev/null 2>"$WORK/eval.err"
  "$RUBRIC" batch "$SEED" "$WORK/same$n.json" >"$WORK/batch.out" 2>/dev/null
  if py '
import json, re, sys
record = json.loads(open(sys.argv[1]).read())
eval_text = open(sys.argv[2]).read()
first = re.search(r"error\[(E\d+)\]: (.*)", eval_text)
assert first, eval_text
assert (record["code"], record["error"]) == (first.group(1), first.group(2)), (record, first.groups())
' "$WORK/batch.out" "$WORK/eval.err"; then pass; else fail "batch and eval messages differ for $text"; fi
done

# ---- Bad lines between blocks: evaluation 64 lines at a time keeps every line in place -------
awk 'NR <= 300 { print } NR <= 300 && NR % 37 == 0 { print "{\"fracture_grade\": 7}" }' \
  "$WORK/gaps.ndjson" >"$WORK/interleaved.ndjson"
run batch "$SEED" "$WORK/interleaved.ndjson" --threads 2
expect_code 1 "a run with rejected lines between blocks"
if py '
import json, sys
full = [json.loads(l) for l in open(sys.argv[1])]
out = [json.loads(l) for l in open(sys.argv[2])]
assert [r["line"] for r in out] == list(range(1, len(out) + 1)), "one result a line, in order"
source = 0
for record in out:
    if "error" in record:
        assert record["code"] == "E0409", record
        continue
    want = full[source]
    source += 1
    assert record["recommendations"] == want["recommendations"], (record["line"], source)
    assert record["undetermined"] == want["undetermined"], (record["line"], source)
assert source == 300, source
assert len(out) == 308, len(out)
' "$WORK/full.out" "$WORK/out"; then pass; else fail "bad lines between blocks: $(head -c 300 "$WORK/out")"; fi

# ---- A guideline that computes values (arithmetic) is evaluated line by line ---------------
cat >"$WORK/arith.rubric" <<'RULES'
guideline "arith" title "Arithmetic" version "1"
source 1 "s"
fact dose: quantity 'mg'
fact course: integer
recommendation high kind refer text "high" cite 1 when dose * course > 1000 'mg'
recommendation long kind refer text "long" cite 1 when course + 1 > 10
RULES
printf '%s\n' '{"dose": "100 mg", "course": 11}' '{"dose": "1 g"}' '{"course": 3}' \
  '{"dose": "5 mg", "course": "x"}' '{"dose": "50 mg", "course": 30}' >"$WORK/arith.ndjson"
run batch "$WORK/arith.rubric" "$WORK/arith.ndjson" --compact --threads 1
expect_code 1 "arithmetic guideline batch with one bad line"
if [[ "$(cat "$WORK/out")" == '{"recommendations":["high","long"],"undetermined":[]}
{"recommendations":[],"undetermined":[{"id":"high","missing":["course"]},{"id":"long","missing":["course"]}]}
{"recommendations":[],"undetermined":[{"id":"high","missing":["dose"]}]}
{"line":4,"error":'* ]]; then pass; else fail "arithmetic guideline batch: $(cat "$WORK/out")"; fi

# ---- Exact outcomes: decided despite absent facts, alone and in blocks ----------------------
# By hand (docs/semantics.md#exact-outcomes): with `sex` absent, 5 points treat a man (>= 2)
# and a woman (>= 3) alike; 2 points treat a woman only, and `watch` (a man with 1, a woman
# with 2) then waits on `sex` too; a woman with 1 point gets neither.
EXACT="$ROOT/tests/cli/deciding/exact.rubric"
printf '%s\n' '{"points": 5}' '{"points": 2}' '{"points": 2, "sex": "male"}' \
  '{"points": 1, "sex": "female"}' >"$WORK/exact.ndjson"
for threads in 1 2; do
  run batch "$EXACT" "$WORK/exact.ndjson" --threads "$threads"
  expect_code 0 "exact outcomes in batch (--threads $threads)"
  if py '
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
made = [[(r["id"], r["decided_despite"]) for r in o["recommendations"]] for o in out]
waits = [[(u["id"], u["missing"]) for u in o["undetermined"]] for o in out]
assert made == [[("treat", ["sex"])], [], [("treat", [])], []], made
assert waits == [[], [("treat", ["sex"]), ("watch", ["sex"])], [], []], waits
' "$WORK/out"; then pass; else fail "exact outcomes in batch: $(cat "$WORK/out")"; fi
done
for n in 1 2 3 4; do
  sed -n "${n}p" "$WORK/exact.ndjson" >"$WORK/exact-$n.json"
  "$RUBRIC" eval "$EXACT" "$WORK/exact-$n.json" --format json >"$WORK/exact-$n.eval" 2>/dev/null || true
done
if py '
import json, sys
work = sys.argv[1]
out = [json.loads(l) for l in open(work + "/out")]
for n, record in enumerate(out, 1):
    ev = json.load(open(f"{work}/exact-{n}.eval"))
    assert [(r["id"], r["decided_despite"]) for r in record["recommendations"]] == \
        [(r["id"], r["decided_despite"]) for r in ev["recommendations"]], n
' "$WORK"; then pass; else fail "exact outcomes: batch and eval disagree"; fi

# ---- FHIR records: one Bundle a line (docs/batch.md#fhir-records) -------------------------
# The generator writes the same patients twice: as fact sets, and as Bundles with distractors
# that the seed's bindings must read as exactly those fact sets (FHIR-BINDING.md); the results
# must be the same bytes.
RECORDS="$ROOT/guidelines/vertebral-fracture-grade1/records"
"$GENERATE" records 3000 --gaps --seed 11 >"$WORK/records.ndjson"
"$GENERATE" record-facts 3000 --gaps --seed 11 >"$WORK/record-facts.ndjson"
run batch "$SEED" "$WORK/record-facts.ndjson" --as-of 2026-06-15 --threads 2
expect_code 0 "batch on the fact sets of the generated records"
cp "$WORK/out" "$WORK/record-facts.out"
if py '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 3000
assert sum(1 for r in lines if r["undetermined"]) > 300, "the gaps should leave some undetermined"
' "$WORK/record-facts.out"; then pass; else fail "generated record fact sets: gaps"; fi
for threads in 1 2 3; do
  run batch "$SEED" "$WORK/records.ndjson" --as-of 2026-06-15 --threads "$threads"
  if [[ $CODE -eq 0 ]] && cmp -s "$WORK/out" "$WORK/record-facts.out"; then pass; else
    fail "--threads $threads: results of the Bundles differ from those of the same fact sets"
  fi
done
run batch "$SEED" "$WORK/records.ndjson" --as-of 2026-06-15 --compact
"$RUBRIC" batch "$SEED" "$WORK/record-facts.ndjson" --as-of 2026-06-15 --compact >"$WORK/compact-facts.out" 2>/dev/null
if cmp -s "$WORK/out" "$WORK/compact-facts.out"; then pass; else fail "--compact results of Bundles and fact sets differ"; fi
# Another evaluation date moves the fact values the bindings derive (days since, age): the
# results must differ from those of the same fact sets, which hold the values of 2026-06-15.
run batch "$SEED" "$WORK/records.ndjson" --as-of 2027-06-15 --threads 2
if ! cmp -s "$WORK/out" "$WORK/record-facts.out"; then pass; else fail "--as-of is not applied to records"; fi

# Bad records among good ones and fact sets: each gives its error in place, the run goes on.
one_line() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")))' "$1"; }
{
  head -n 1 "$WORK/records.ndjson"
  one_line "$RECORDS/error-pain-vas-12.bundle.json"
  printf '%s\n' '{"resourceType": "Bundle", "entry": [}'
  printf '%s\n' '{"resourceType": "Patient", "id": "p"}'
  printf '%s\n' '{"type": "collection", "resourceType": "Bundle", "entry": []}'
  head -n 1 "$WORK/record-facts.ndjson"
  one_line "$RECORDS/error-kyphosis-in-mg.bundle.json"
  printf '  %s\r\n' "$(head -n 2 "$WORK/records.ndjson" | tail -n 1)"
} >"$WORK/bad-records.ndjson"
run batch "$SEED" "$WORK/bad-records.ndjson" --as-of 2026-06-15 --threads 2
expect_code 1 "a run with rejected records"
head -n 2 "$WORK/record-facts.out" >"$WORK/first-two.out"
if py '
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
want = [json.loads(l) for l in open(sys.argv[2])]
assert [r["line"] for r in out] == list(range(1, 9)), [r["line"] for r in out]
def same(n, w):
    got = dict(out[n - 1]); expect = dict(w); got.pop("line"); expect.pop("line")
    assert got == expect, (n, got, expect)
same(1, want[0]); same(6, want[0]); same(8, want[1])
def err(n, code, text, fact=None, resource=None):
    r = out[n - 1]
    assert r["code"] == code and text in r["error"], (n, r)
    assert r.get("fact") == fact and r.get("resource") == resource, (n, r)
    assert isinstance(r["column"], int) and r["column"] >= 1, r
err(2, "E0409", "fact `pain_vas` from `Observation/obs-pain`", "pain_vas", "Observation/obs-pain")
err(3, "E0414", "not well-formed JSON")
assert out[2]["column"] > 30, out[2]
err(4, "E0414", "is a `Patient`; expected a FHIR Bundle")
err(5, "E0416", "no Patient")
err(7, "E0406", "fact `kyphosis_percent` from `Observation/obs-kyphosis`", "kyphosis_percent", "Observation/obs-kyphosis")
' "$WORK/out" "$WORK/first-two.out"; then pass; else fail "error objects for bad records: $(head -c 3000 "$WORK/out")"; fi
if grep -q '^8 records, 5 rejected' "$WORK/err"; then pass; else fail "records summary counts: $(cat "$WORK/err")"; fi

# Memory does not grow with the number of records.
"$GENERATE" records 6000 --seed 4 >"$WORK/records-large.ndjson"
head -n 600 "$WORK/records-large.ndjson" >"$WORK/records-small.ndjson"
if flat_memory "$WORK/records-small.ndjson" "$WORK/records-large.ndjson" --as-of 2026-06-15; then pass; else
  fail "constant memory on records"
fi
rm -f "$WORK/records-large.ndjson" "$WORK/records-small.ndjson"

# ---- Huge lines --------------------------------------------------------------------------------
python3 -c '
import sys
good = sys.argv[1]
with open(sys.argv[2], "w") as out:
    out.write("{" + " " * (3 * 1024 * 1024) + good[1:] + "\n")  # 3 MiB, legal
    out.write("{\"fracture_grade\": \"" + "x" * (17 * 1024 * 1024) + "\"}\n")        # over 16 MiB
    out.write(good + "\n")
' "$good" "$WORK/huge.ndjson"
run batch "$SEED" "$WORK/huge.ndjson" --threads 2 --compact
expect_code 1 "a line over the limit"
if py '
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
assert len(out) == 3, len(out)
assert "error" not in out[0], "a 3 MiB line is read"
assert "longer than the limit" in out[1]["error"] and out[1]["line"] == 2, out[1]
assert out[2] == out[0], "the line after the skipped one is evaluated"
' "$WORK/out"; then pass; else fail "huge lines: $(head -c 400 "$WORK/out")"; fi

# ---- Exit codes and usage errors ----------------------------------------------------------
run batch "$SEED" "$WORK/complete.ndjson" --threads 1
expect_code 0 "every record evaluated"
run batch "$WORK/missing.rubric" "$WORK/complete.ndjson"
expect_code 2 "a guideline that cannot be read"
printf 'guideline "x"\nfact a: boolean\nrecommendation r kind refer text "t" when b\n' >"$WORK/broken.rubric"
run batch "$WORK/broken.rubric" "$WORK/complete.ndjson"
expect_code 1 "a guideline with errors"
run batch "$SEED" "$WORK/missing.ndjson"
expect_code 2 "an input that cannot be read"
if grep -q "cannot read" "$WORK/err"; then pass; else fail "unreadable input message"; fi
run batch "$SEED" "$WORK"
expect_code 2 "an input that is a folder"
run batch "$SEED" "$WORK/complete.ndjson" --threads 0
expect_code 2 "--threads 0"
run batch "$SEED" "$WORK/complete.ndjson" -o "$WORK/no/such/folder/out"
expect_code 2 "an output that cannot be written"
: >"$WORK/empty.ndjson"
run batch "$SEED" "$WORK/empty.ndjson"
if [[ $CODE -eq 0 && ! -s $WORK/out ]] && grep -q '^0 records, 0 rejected' "$WORK/err"; then pass; else fail "empty input: code $CODE"; fi

# ---- Memory does not grow with the input --------------------------------------------------
# Peak RSS of a run over 15x more records must stay within a small margin of the small run's.
"$GENERATE" facts 300000 --seed 3 >"$WORK/large.ndjson"
head -n 20000 "$WORK/large.ndjson" >"$WORK/small.ndjson"
if flat_memory "$WORK/small.ndjson" "$WORK/large.ndjson"; then pass; else fail "constant memory"; fi

# ---- rubric bench ---------------------------------------------------------------------------
run bench "$SEED" "$WORK/complete.ndjson" --repeat 2 --format json
expect_code 0 "bench --format json"
if py '
import json, sys
d = json.load(open(sys.argv[1]))
for key in ("ns_per_eval", "evals_per_s", "graph_nodes", "graph_bytes"):
    assert key in d and d[key] > 0, key
assert d["evaluations"] == 6000 and d["repeat"] == 2 and d["fact_sets"] == 3000, d
assert abs(d["ns_per_eval"] * d["evals_per_s"] - 1e9) < 1e7, d
' "$WORK/out"; then pass; else fail "bench JSON: $(cat "$WORK/out")"; fi
nodes=$("$RUBRIC" graph "$SEED" --format json 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["nodes"]))' 2>/dev/null)
if [[ -n $nodes ]] && grep -q "\"graph_nodes\": $nodes," "$WORK/out"; then pass; else fail "bench graph_nodes ($nodes) must match rubric graph"; fi
run bench "$SEED" "$WORK/complete.ndjson" --repeat 1
if [[ $CODE -eq 0 ]] && grep -q '^ns per evaluation: [0-9.]*$' "$WORK/out" &&
  grep -q '^3000 fact sets evaluated 1 time: 3000 evaluations' "$WORK/out"; then pass; else fail "bench text output: $(cat "$WORK/out")"; fi
run bench "$SEED" "$WORK/complete.ndjson" --repeat 3 --blocks --format json
if [[ $CODE -eq 0 ]] && py '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["evaluations"] == 9000 and d["mode"] == "blocks", d
' "$WORK/out"; then pass; else fail "bench --blocks: $(cat "$WORK/out")"; fi
run bench "$WORK/arith.rubric" "$WORK/arith.ndjson" --repeat 1 --blocks
if [[ $CODE -eq 1 ]] && grep -q "arith.ndjson:4:" "$WORK/err"; then pass; else fail "bench --blocks with a bad line: $CODE $(cat "$WORK/err")"; fi
head -n 3 "$WORK/arith.ndjson" >"$WORK/arith3.ndjson"
run bench "$WORK/arith.rubric" "$WORK/arith3.ndjson" --repeat 1 --blocks
if [[ $CODE -eq 0 ]] && grep -q "^in blocks of 64 fact sets, row by row" "$WORK/out"; then pass; else fail "bench --blocks, arithmetic: $(cat "$WORK/out")"; fi
run bench "$SEED" "$WORK/bad.ndjson" --repeat 1
if [[ $CODE -eq 1 ]] && grep -q "bad.ndjson:2:23: error\[E0404\]: unknown fact \`pain_vs\`" "$WORK/err" &&
  grep -q "nothing was measured" "$WORK/err"; then pass; else fail "bench with rejected lines: code $CODE"; fi
run bench "$SEED" "$WORK/empty.ndjson"
expect_code 1 "bench on an empty file"
run bench "$SEED" "$WORK/missing.ndjson"
expect_code 2 "bench on a missing file"
run bench "$SEED" "$WORK/complete.ndjson" --repeat 0
expect_code 2 "bench --repeat 0"

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]

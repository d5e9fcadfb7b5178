#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang 14, ASan and UBSan in build-fuzz, and
# runs each one for a bounded time from its committed seed corpus (tests/fuzz/corpus/<target>).
# Fails on a crash, a leak, a sanitizer report, a timeout or running out of memory.
#
#   FUZZ_SECONDS   seconds per fuzzer (default 50)
#   FUZZ_BUILD_DIR build directory (default build-fuzz)
#   FUZZ_TARGETS   space-separated subset of the fuzzers (default: all that were built)
#   JOBS           parallel build jobs (default 2)
#   FUZZ_PARALLEL  fuzzers run at the same time, each a single process (default 2: one per
#                  core of a 2-core machine; each still gets FUZZ_SECONDS)
#
# Runtime: the build (a few minutes from scratch) plus FUZZ_SECONDS per FUZZ_PARALLEL fuzzers
# (9 fuzzers: 5 x FUZZ_SECONDS by default).
# New inputs that a run finds go to BUILD/fuzz-work/<target>/corpus, never into the committed
# corpus; crash inputs are kept in BUILD/fuzz-work/<target>/ (artifact_prefix).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

build=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-50}
jobs=${JOBS:-2}
parallel=${FUZZ_PARALLEL:-2}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DRUBRIC_FUZZ=ON -DRUBRIC_TESTS=OFF >/dev/null

all=(fuzz_rule_file fuzz_facts_yaml fuzz_facts_json fuzz_expression fuzz_differential fuzz_record
  fuzz_cds_request)
# Fuzzers of the newer parts, run when the build has them.
available=$(cmake --build "$build" --target help)
for optional in fuzz_ndjson fuzz_lsp_messages; do
  if grep -q "^$optional:" <<<"$available"; then
    all+=("$optional")
  fi
done
read -r -a targets <<<"${FUZZ_TARGETS:-${all[*]}}"
nice -n 10 cmake --build "$build" -j"$jobs" --target "${targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Runs one fuzzer for its time box; its exit status goes to WORK/status.
fuzz_one() {
  local target=$1 work="$build/fuzz-work/$1" status=0
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "tests/fuzz/corpus/$target" \
    >"$work/log.txt" 2>&1 || status=$?
  echo "$status" >"$work/status"
}

# FUZZ_PARALLEL fuzzers at a time, each a single process on its own core.
running=0
for target in "${targets[@]}"; do
  work="$build/fuzz-work/$target"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  echo "== $target (${seconds}s)"
  fuzz_one "$target" &
  running=$((running + 1))
  if [[ $running -ge $parallel ]]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

failed=()
summary=()
for target in "${targets[@]}"; do
  work="$build/fuzz-work/$target"
  log="$work/log.txt"
  status=$(cat "$work/status" 2>/dev/null || echo "?")
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [[ $status != 0 ]] || grep -qE 'runtime error:|ERROR: (Address|Leak|Undefined)Sanitizer|ERROR: libFuzzer|==ERROR' "$log"; then
    echo "   $target FAILED (exit $status); the end of $log:"
    tail -n 40 "$log"
    failed+=("$target")
    summary+=("$target: FAILED after ${executions:-?} executions")
  else
    summary+=("$target: ${executions:-?} executions, no findings")
  fi
done
echo "== summary"
printf '  %s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi

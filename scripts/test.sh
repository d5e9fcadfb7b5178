#!/usr/bin/env bash
# Builds and runs the whole test suite, as CI does (.ci/run calls this script):
#   1. release build, warnings as errors; every ctest test (unit, golden, cases, CLI, API,
#      analysis, differential, batch, service, the Python package with pytest);
#   2. rule files formatted (`rubric fmt --check`); the install and the embedding example
#      built against the installed package; short benchmark, batch and analysis smoke runs;
#   3. the same tests under AddressSanitizer + UndefinedBehaviorSanitizer (a Debug build, with
#      the libraries the tests spend their time in at -O1);
#   4. ThreadSanitizer on the multi-threaded evaluation tests;
#   5. libFuzzer targets, each for a bounded time (FUZZ_SECONDS, default 30), two at a time;
#   6. clang-tidy and clang-format.
# One build directory per configuration (build/, build-asan/, build-tsan/, build-fuzz/),
# reused when present. Prints the time each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-dependencies.sh
jobs=$(nproc)
export FUZZ_SECONDS=${FUZZ_SECONDS:-30}

started=$SECONDS
timings=()
step() {
  local name=$1
  shift
  echo "== $name"
  local begin=$SECONDS
  "$@"
  timings+=("$(printf '%5d s  %s' $((SECONDS - begin)) "$name")")
}

release() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUBRIC_WERROR=ON >/dev/null
  cmake --build build -j "$jobs"
  ctest --test-dir build --output-on-failure -j "$jobs"
}

sanitized() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRUBRIC_WERROR=ON \
    -DRUBRIC_SANITIZE=ON >/dev/null
  cmake --build build-asan -j "$jobs"
  # The sanitizers' stack frames are several times larger than a release build's: the deepest
  # expression the parser accepts (1,000 levels) is checked recursively, and under ASan at -O1
  # that needs more than the default 8 MiB of stack; release frames fit in it.
  (
    ulimit -s 65536 2>/dev/null || ulimit -s "$(ulimit -H -s)"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j "$jobs"
  )
}

clang_format() {
  local unformatted
  unformatted=$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h' | xargs clang-format --dry-run 2>&1 |
    grep -c "warning:" || true)
  if [ "$unformatted" != "0" ]; then
    git ls-files '*.cpp' '*.hpp' '*.c' '*.h' | xargs clang-format --dry-run 2>&1 | grep "warning:" | head -20
    echo "clang-format would change $unformatted places; run: git ls-files '*.cpp' '*.hpp' '*.c' '*.h' | xargs clang-format -i"
    return 1
  fi
  echo "formatting: ok"
}

step "release build and tests (warnings are errors)" release
step "rule files formatted (rubric fmt --check)" build/rubric fmt --check guidelines/*/*.rubric
step "install and the embedding example" bash scripts/ci/install.sh build
step "benchmark and batch smoke run" bash scripts/ci/bench-smoke.sh build
step "analysis benchmark" bash scripts/ci/analysis-bench.sh build
step "AddressSanitizer + UndefinedBehaviorSanitizer build and tests" sanitized
step "ThreadSanitizer on concurrent evaluation" bash scripts/ci/tsan.sh
step "fuzzers (${FUZZ_SECONDS} s each)" bash scripts/ci/fuzz.sh
step "clang-tidy" bash scripts/ci/tidy.sh build
step "clang-format" clang_format

echo "== all steps passed in $((SECONDS - started)) s"
printf '%s\n' "${timings[@]}"

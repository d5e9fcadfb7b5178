#!/usr/bin/env bash
# Builds the differential test program with ThreadSanitizer (clang 14) in build-tsan and runs
# its multi-threaded test: many threads evaluating one compiled guideline at once, checked
# against single-threaded results; then the language server's findings thread
# (tests/lsp/test_lsp_threads.cpp). Fails on any data race TSan reports.
#
#   TSAN_BUILD_DIR build directory (default build-tsan); JOBS parallel build jobs (default 2)
#
# Runtime: the build (a few minutes from scratch) plus well under a minute of tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

build=${TSAN_BUILD_DIR:-build-tsan}
jobs=${JOBS:-2}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >/dev/null
nice -n 10 cmake --build "$build" -j"$jobs" --target rubric_differential_tests rubric_lsp_threads

export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
RUBRIC_DIFFERENTIAL_ROUNDS=${RUBRIC_DIFFERENTIAL_ROUNDS:-20} \
  "$build/tests/reference/rubric_differential_tests" "[concurrency],[differential]"
# The language server's findings thread, while requests and changes go on.
"$build/tests/lsp/rubric_lsp_threads" .
echo "tsan: no data races reported"

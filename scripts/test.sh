#!/usr/bin/env bash
# Builds and runs the whole test suite: the release build with warnings as errors, then the
# same tests under AddressSanitizer + UndefinedBehaviorSanitizer, then the formatting checks
# (rule files with `rubric fmt --check`, C++ with clang-format).
# One build directory per configuration (build/, build-asan/), reused when present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-dependencies.sh
jobs=$(nproc)

echo "== release build (warnings are errors)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUBRIC_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRUBRIC_WERROR=ON \
  -DRUBRIC_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

echo "== rule files (rubric fmt --check)"
build/rubric fmt --check guidelines/*/*.rubric

echo "== formatting (clang-format)"
unformatted=$(git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run 2>&1 | grep -c "warning:" || true)
if [ "$unformatted" != "0" ]; then
  git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run 2>&1 | grep "warning:" | head -20
  echo "clang-format would change $unformatted places; run: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i"
  exit 1
fi
echo "formatting: ok"
